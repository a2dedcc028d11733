"""The crawl budget against real servers on 127.0.0.1: the trap site (endless pagination, an
endless archive calendar, session ids in links) through the cron wrapper, and what the summary,
the verdict line and the warning-level monitor say about it."""

import json
import os
import re
import subprocess
import sys

import pytest

from newscrawler.profiles import PACKAGE_DIR
from newscrawler.sample_site import RunningSite, corpus
from newscrawler.sample_site.traps import TrapSite
from tests.conftest import ROOT
from tests.helpers import FAST, assert_matches_truth, outputs, read_jsonl

pytestmark = pytest.mark.e2e
ARTICLES, SEED = 100, 3


@pytest.fixture(scope="module")
def trap_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("traps")
    profile = json.loads((PACKAGE_DIR / "kashaf.json").read_text("utf-8"))
    profile["monitoring"]["max_pages_per_record"] = 1  # below what the run needs: the warning must fire
    (out / "kashaf.json").write_text(json.dumps(profile, ensure_ascii=False), "utf-8")
    with RunningSite(articles=ARTICLES, seed=SEED, traps="all") as site:
        cmd = [sys.executable, "-m", "newscrawler", "run", "kashaf", "-a", f"start_url={site.url}",
               "-a", f"profile={out / 'kashaf.json'}", "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}",
               "-s", f"NEWSCRAWLER_LOG_DIR={out / 'logs'}", *FAST, "-s", "LOG_LEVEL=DEBUG",
               "-s", "CLOSESPIDER_PAGECOUNT=2000"]  # a broken budget fails the test, it does not hang it
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=dict(os.environ))
        truth = site.ground_truth()
        needed = TrapSite(site.site()).needed_pages()
        base = site.url.rstrip("/")
    files = outputs(out)
    assert len(files["summaries"]) == 1, proc.stdout + proc.stderr[-2000:]
    log = (out / "logs" / "kashaf.log").read_text("utf-8")
    return {"proc": proc, "truth": truth, "needed": needed, "base": base, "log": log,
            "summary": json.loads(files["summaries"][0].read_text("utf-8")),
            "records": read_jsonl(files["records"][0]), "out": out}


def test_every_article_is_recorded_on_the_trap_site(trap_run):
    assert trap_run["summary"]["finish_reason"] == "finished"
    assert_matches_truth(trap_run["records"], trap_run["truth"])


def test_pages_fetched_are_at_most_twice_what_is_needed(trap_run):
    s = trap_run["summary"]
    assert s["pages_fetched"] <= 2 * trap_run["needed"], (s["pages_fetched"], trap_run["needed"])
    fetched = re.findall(r"Crawled \(\d+\) <GET (\S+)>", trap_run["log"])
    assert len(fetched) == s["pages_fetched"] == len(set(fetched))  # no page twice
    assert not [u for u in fetched if re.search(r"sid=|jsessionid|PHPSESSID", u, re.I)]  # session ids dropped
    assert s["budget"]["pages_per_record"] == round(s["pages_fetched"] / s["records"], 2)


def test_the_summary_says_which_chains_were_stopped_and_why(trap_run):
    budget, base = trap_run["summary"]["budget"], trap_run["base"]
    stopped = budget["chains_stopped"]
    assert stopped["no_new_links"] >= 2 and stopped["other_depth"] >= 2, stopped  # pagination; calendar both ways
    assert stopped["depth_limit"] == stopped["page_budget"] == 0
    site = RunningSite(articles=ARTICLES, seed=SEED).site()
    listed = budget["stopped_urls"]
    # each listing chain (the home page's, each section's) stopped on its first empty page, no further
    chains = {s["chain"]: s["url"] for s in listed if s["reason"] == "no_new_links"}
    assert chains[f"{base}/"] == f"{base}/?page={site.home_pages + 1}"
    for k, (slug, _) in enumerate(corpus.CATEGORIES):
        assert chains[f"{base}/section/{slug}"] == f"{base}/section/{slug}?p={site.section_pages[k] + 1}"
    assert len(chains) == stopped["no_new_links"] == 1 + len(corpus.CATEGORIES)
    # the calendar: stopped on empty days on both sides of the days that have articles
    days = sorted(s["url"].rsplit("/", 1)[1] for s in listed if s["reason"] == "other_depth")
    published = sorted(r["published_at"][:10] for r in trap_run["truth"]["records"])
    assert len(days) == 2 and days[0] < published[0] and days[1] > published[-1], (days, published)


def test_the_verdict_names_the_stops_and_warns_without_failing(trap_run):
    proc, s = trap_run["proc"], trap_run["summary"]
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    line = proc.stdout.strip()
    assert line.startswith("newscrawler run kashaf: OK: "), line
    assert "chains stopped: " in line and " no new links" in line and " other-depth" in line, line
    assert f"{s['budget']['pages_per_record']} pages per record" in line
    assert "WARNING: pages_per_record: " in line and "maximum 1 " in line, line
    assert s["monitors"]["failed"] == 0 and [w["monitor"] for w in s["monitor_warnings"]] == ["pages_per_record"]
    assert not list(trap_run["out"].glob("*.alerts.json"))  # a warning sends no alert
    assert "WARNING: monitor warning: pages_per_record:" in trap_run["log"]


def test_new_links_run_reads_fewer_listing_pages_and_loses_nothing_on_a_complete_home_chain(tmp_path):
    """On the sample site the home chain lists every article: compared with the whole run, the section
    chains stop on their first page that repeats it; every record is still written, every field right."""
    with RunningSite(articles=120, seed=SEED) as site:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", f"start_url={site.url}",
               "-s", f"NEWSCRAWLER_OUTPUT_DIR={tmp_path}", *FAST, "-s", "NEWSCRAWLER_NEW_LINKS=run"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
        truth = site.ground_truth()
    assert proc.returncode == 0, proc.stderr[-2000:]
    files = outputs(tmp_path)
    assert_matches_truth(read_jsonl(files["records"][0]), truth)
    s = json.loads(files["summaries"][0].read_text("utf-8"))
    assert s["pages_fetched"] < truth["pages"] + 1  # chain mode fetches every listing page (e2e test)
    assert s["budget"]["chains_stopped"]["no_new_links"] >= 1
