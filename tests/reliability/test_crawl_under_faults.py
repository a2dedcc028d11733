"""A crawl of the sample site in fault mode: 20% transient faults, broken pages, permanent
failures, redirect loops and off-site redirects. Every article that can be captured is
captured exactly (all fields), what cannot is in the run summary with its reason, retries
wait (back-off, Retry-After), and no request ever reaches the other host."""

from __future__ import annotations

import json

import pytest

from newscrawler.sample_site import SampleSite
from newscrawler.sample_site.faults import FaultPlan, ground_truth, serve_faulty
from tests.helpers import assert_matches_truth, outputs, read_jsonl, scrapy_crawl
from tests.reliability.conftest import CountingHost, covering_seed

ARTICLES = 200
# 20% transient (first 1-2 attempts fail), 6% broken-but-readable pages, 4% permanent faults
SPEC = ("500=0.04,502=0.02,503=0.04,429=0.03,slow=0.02,reset=0.02,truncate=0.03,"
        "wrongcharset=0.03,malformed=0.03,dead=0.01,oversize=0.01,redirectloop=0.01,offsite=0.01,"
        "offsitelinks=0.3,slow_seconds=4,retry_after=1,oversize_bytes=2000000")
KINDS = ("500", "502", "503", "429", "slow", "reset", "truncate", "wrongcharset", "malformed",
         "dead", "oversize", "redirectloop", "offsite")
BACKOFF_BASE = 0.2


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("faults")
    site = SampleSite(ARTICLES, 5)
    paths = [site.article_path(i) for i in range(1, ARTICLES + 1)]
    seed = covering_seed(FaultPlan, SPEC, paths, KINDS)
    other = CountingHost()
    plan = FaultPlan.parse(SPEC + f",offsite_host={other.address}", seed)
    try:
        with serve_faulty(site, plan) as served:
            proc = scrapy_crawl(
                "kashaf", out, "-a", f"start_url={served.url}",
                "-s", "DOWNLOAD_TIMEOUT=2.5", "-s", "DOWNLOAD_MAXSIZE=1000000",
                "-s", f"NEWSCRAWLER_RETRY_BACKOFF_BASE={BACKOFF_BASE}", "-s", "LOG_LEVEL=INFO",
            )
            truth = ground_truth(site, plan, served.url)
            attempts = plan.attempts()
            base = served.url.rstrip("/")
    finally:
        other.close()
    files = outputs(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(files["records"]) == 1 and len(files["summaries"]) == 1, proc.stderr[-3000:]
    return {
        "records": read_jsonl(files["records"][0]),
        "rejects": read_jsonl(files["rejects"][0]),
        "summary": json.loads(files["summaries"][0].read_text("utf-8")),
        "truth": truth, "plan": plan, "attempts": attempts, "paths": paths, "base": base,
        "other_hits": other.hits, "log": proc.stderr,
    }


def test_the_crawl_finishes(run):
    assert run["summary"]["finish_reason"] == "finished"


def test_every_recoverable_article_is_captured_exactly(run):
    # the truncated, malformed and wrongly declared pages included
    assert_matches_truth(run["records"], run["truth"])
    transient = [p for p in run["paths"] if run["plan"].kind(p) in ("500", "502", "503", "429", "slow", "reset", "truncate")]
    assert len(transient) >= 0.15 * ARTICLES


def test_unrecoverable_articles_are_listed_with_their_reason(run):
    expected = {u["url"]: u["reason"] for u in run["truth"]["unrecoverable"]}
    assert len(expected) >= 4
    listed = {u["url"]: u["reason"] for u in run["summary"]["unrecoverable_urls"]}
    assert set(listed) == set(expected), (sorted(set(listed) ^ set(expected)), listed)
    assert run["summary"]["unrecoverable"] == len(expected)
    from newscrawler.spiders.base import SOFT_404_REASON

    words = {"HTTP 500": "HTTP 500", "redirect loop": "redirect loop", "redirected off-site": "off-site",
             "larger than DOWNLOAD_MAXSIZE": "max size", SOFT_404_REASON: SOFT_404_REASON}
    for url, reason in expected.items():
        assert words[reason] in listed[url], (url, reason, listed[url])


def test_invalid_articles_are_rejected_with_their_reason(run):
    invalid = {i["url"]: i["field"] for i in run["truth"]["invalid"]}
    assert {r["url"]: r["field"] for r in run["rejects"]} == invalid


def test_summary_adds_up(run):
    s = run["summary"]
    assert s["records"] + s["rejects"] + s["duplicates"] + s["unrecoverable"] == ARTICLES


def test_no_request_reaches_another_host(run):
    assert run["other_hits"] == []
    offsite = [p for p in run["paths"] if run["plan"].kind(p) == "offsite"]
    assert offsite and all(len(run["attempts"][p]) == 1 for p in offsite)


def test_retries_wait_and_honour_retry_after(run):
    plan, attempts = run["plan"], run["attempts"]
    checked = {"429": 0, "backoff": 0}
    for path, times in attempts.items():
        kind = plan.kind(path)
        gaps = [b - a for a, b in zip(times, times[1:])]
        if kind in ("429", "503") and gaps:
            assert gaps[0] >= plan.retry_after - 0.05, (path, gaps)  # Retry-After: 1
            checked["429"] += kind == "429"
        if kind in ("500", "502") and len(gaps) >= 2:
            assert gaps[0] >= BACKOFF_BASE - 0.05 and gaps[1] >= 2 * BACKOFF_BASE - 0.05, (path, gaps)
            checked["backoff"] += 1
        if kind in ("500", "502", "503", "429", "reset", "truncate"):
            assert len(times) == plan.failing_attempts(path) + 1, (path, kind, len(times))
        if kind == "dead":
            assert len(times) == 4  # RETRY_TIMES = 3, then given up
    assert checked["429"] and checked["backoff"]
