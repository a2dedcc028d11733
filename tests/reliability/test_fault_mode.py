"""The sample site's fault mode on its own: deterministic, per path and attempt, loopback only."""

from __future__ import annotations

import http.client
import subprocess
import sys
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest

from newscrawler.middlewares import BackoffRetryMiddleware, retry_after_seconds
from newscrawler.runner import project_settings
from newscrawler.sample_site import SampleSite
from newscrawler.sample_site.faults import (DEFAULT_FAULTS, KINDS, PERMANENT, TRANSIENT, FaultPlan, FaultSpecError,
                                            ground_truth, serve_faulty)
from tests.conftest import ROOT

SITE = SampleSite(300, 2)
PATHS = [SITE.article_path(i) for i in range(1, 301)]
LISTINGS = ["/", "/?page=2", "/section/politics", "/section/sports?p=2", "/robots.txt"] + [f"/?page={k}" for k in range(3, 15)]


def test_same_seed_same_faults_other_seed_other_faults():
    a, b, c = FaultPlan.parse("default", 7), FaultPlan.parse("default", 7), FaultPlan.parse("default", 8)
    assert [a.kind(p) for p in PATHS] == [b.kind(p) for p in PATHS]
    assert [a.kind(p) for p in PATHS] != [c.kind(p) for p in PATHS]


def test_rates_are_roughly_what_was_asked():
    plan = FaultPlan.parse("500=0.2", 1)
    share = sum(plan.kind(p) == "500" for p in PATHS) / len(PATHS)
    assert 0.12 < share < 0.28


def test_transient_faults_end_permanent_ones_do_not():
    plan = FaultPlan.parse(",".join(f"{k}=0.07" for k in KINDS[:-1]), 3)
    seen = set()
    for p in PATHS:
        kind = plan.kind(p)
        seen.add(kind)
        shown = [plan.decide(p, n) for n in range(1, 8)]
        if kind in TRANSIENT:
            k = plan.failing_attempts(p)
            assert 1 <= k <= plan.transient_attempts and shown == [kind] * k + [None] * (7 - k)
        elif kind is not None:
            assert shown == [kind] * 7
    assert set(TRANSIENT) <= seen


def test_permanent_faults_only_on_article_pages():
    plan = FaultPlan.parse("dead=0.5,redirectloop=0.5", 1)
    assert all(plan.kind(p) is None for p in LISTINGS)
    assert all(plan.kind(p) in PERMANENT for p in PATHS)


@pytest.mark.parametrize("spec", ["500=2", "500=x", "teapot=0.1", "500", "500=0.6,503=0.6", "slow_seconds=soon"])
def test_bad_fault_specs(spec):
    with pytest.raises(FaultSpecError):
        FaultPlan.parse(spec)


def test_bad_fault_spec_on_the_command_line_is_one_line():
    p = subprocess.run([sys.executable, "-m", "newscrawler.sample_site", "--faults", "teapot=0.1"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 and "teapot" in p.stderr


def test_serve_says_what_is_wrong_under_its_own_name():
    import socket

    p = subprocess.run([sys.executable, "-m", "newscrawler", "serve", "--port", "99999"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.strip() == "newscrawler serve: error: argument --port: --port must be 0..65535, got 99999"
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        p = subprocess.run([sys.executable, "-m", "newscrawler", "serve", "--port", str(port)], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and p.stderr.startswith(f"newscrawler serve: error: cannot listen on 127.0.0.1:{port}")


def _get(url: str, path: str):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def _path_of(plan, kind):
    return next(p for p in PATHS if plan.kind(p) == kind)


def test_served_faults():
    spec = ("429=0.12,reset=0.12,truncate=0.12,wrongcharset=0.12,oversize=0.12,redirectloop=0.12,offsite=0.12,"
            "retry_after=7,transient_attempts=1,oversize_bytes=300000")
    plan = FaultPlan.parse(spec, 5)
    with serve_faulty(SITE, plan) as served:
        url = served.url
        p = _path_of(plan, "429")
        status, headers, _ = _get(url, p)
        assert status == 429 and headers["Retry-After"] == "7"
        assert _get(url, p)[0] == 200  # the retry succeeds
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            _get(url, _path_of(plan, "reset"))
        with pytest.raises(http.client.IncompleteRead):
            _get(url, _path_of(plan, "truncate"))
        status, headers, body = _get(url, _path_of(plan, "wrongcharset"))
        assert status == 200 and "iso-8859-1" in headers["Content-Type"] and body.decode("utf-8")
        status, headers, body = _get(url, _path_of(plan, "oversize"))
        assert int(headers["Content-Length"]) == len(body) == 300000
        p = _path_of(plan, "redirectloop")
        status, headers, _ = _get(url, p)
        assert status == 302
        second = urlsplit(headers["Location"])
        status, headers, _ = _get(url, second.path + "?" + second.query)
        assert status == 302 and headers["Location"] == p
        status, headers, _ = _get(url, _path_of(plan, "offsite"))
        assert status == 302 and urlsplit(headers["Location"]).hostname == "127.0.0.2"  # loopback, never out
        truth = ground_truth(SITE, plan, url)
    lost = {u["url"][len(url) - 1:] for u in truth["unrecoverable"]}
    gone = {u[len(url) - 1:] for u in truth["soft_404"]}  # withdrawn stories: soft 404s, faults or not
    assert gone and lost == {p for p in PATHS if plan.kind(p) in PERMANENT} | gone
    assert not lost & {r["url"][len(url) - 1:] for r in truth["records"]}


def test_default_faults_are_20_percent_transient():
    rates = FaultPlan.parse(DEFAULT_FAULTS).rates
    assert abs(sum(rates[k] for k in TRANSIENT) - 0.20) < 1e-9


def test_retry_after_and_backoff_delays():
    assert retry_after_seconds(b"3") == 3.0
    now = datetime(2026, 11, 30, 12, 0, 0, tzinfo=timezone.utc)  # a fixed "now": no clock in the answer
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now.timestamp()) == 30
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=5), usegmt=True), now=now.timestamp()) == 0
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None
    mw = BackoffRetryMiddleware(project_settings({"NEWSCRAWLER_RETRY_BACKOFF_BASE": 0.5,
                                                  "NEWSCRAWLER_RETRY_BACKOFF_MAX": 3,
                                                  "NEWSCRAWLER_RETRY_AFTER_MAX": 60}))
    from scrapy.http import Request, Response

    delays = [mw.delay(Request("http://127.0.0.1/", meta={"retry_times": n})) for n in (1, 2, 3, 4, 5)]
    assert delays == [0.5, 1.0, 2.0, 3.0, 3.0]
    r429 = Response("http://127.0.0.1/", status=429, headers={"Retry-After": "9999"})
    assert mw.delay(Request("http://127.0.0.1/", meta={"retry_times": 1}), r429) == 60
