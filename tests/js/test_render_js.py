"""Pages that need JavaScript, with the real Debian Chromium (/usr/bin/chromium).

The sample site's JavaScript section (``/js/``) is crawled with ``scrapy crawl``
in a child process: with ``render_js=auto`` every field of every record is
right and only the JavaScript pages went through the browser; with ``never``
the same article pages end in the rejects file. The section's pages get their
content in every way of ``JsSection.variant`` (slow fetch/XHR endpoints,
inline data applied after a delay, the sidebar with its labels in the server's
HTML long before the article), and the crawl is repeated idle and under CPU
load: every run must get every record with every field right.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket

import pytest

from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.helpers import FIELDS, as_lines, cpu_burners, outputs, read_jsonl, reparse, scrapy_crawl

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
JS_ARTICLES = 11  # every way of JsSection.variant, delays 0 and 2 s, and two listing pages
# Crawls of /js/ in test_every_run_gets_every_js_record_right, idle and then under load, besides the
# `auto` crawl (itself an idle run, checked field by field); NEWSCRAWLER_TEST_JS_RUNS=10 for a longer proof.
RUNS = int(os.environ.get("NEWSCRAWLER_TEST_JS_RUNS", "0"))
LOADED_RUNS = int(os.environ.get("NEWSCRAWLER_TEST_JS_LOADED_RUNS", str(max(2, RUNS))))
# "Crawled (200) <GET http://...> (referer: ...) ['playwright']": a response that came from the browser
CRAWLED = re.compile(r"Crawled \((\d+)\) <GET (\S+)> \(referer: [^)]*\)(?: \[([^\]]*)\])?")


def run(out, *args, **kw):
    proc = scrapy_crawl("kashaf", out, *args, **kw)
    files = outputs(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(files["records"]) == 1 and len(files["summaries"]) == 1, proc.stderr[-3000:]
    return {
        "records": read_jsonl(files["records"][0]),
        "rejects": read_jsonl(files["rejects"][0]) if files["rejects"] else [],
        "summary": json.loads(files["summaries"][0].read_text("utf-8")),
        "log": proc.stderr,
        "out": out,
    }


def assert_js_records_right(records: list[dict], truth: dict) -> None:
    """Every JS article of the ground truth is there once, with every field right."""
    got = {r["url"]: r for r in records if "/js/" in r["url"]}
    assert len([r for r in records if "/js/" in r["url"]]) == len(got), "a JS article written twice"
    expected = {r["url"]: r for r in truth["records"]}
    missing = sorted(set(expected) - set(got))
    assert not missing, f"{len(missing)} JS articles missing, e.g. {[(u, truth['variants'][u]) for u in missing[:3]]}"
    assert set(got) == set(expected)
    wrong = [(u, f, truth["variants"][u], got[u][f], e[f]) for u, e in expected.items() for f in FIELDS
             if got[u][f] != e[f]]
    assert not wrong, wrong[:2]


def crawled(log: str) -> list[tuple[str, bool]]:
    """(url, came from the browser) for every response in a DEBUG log."""
    return [(m.group(2), "playwright" in (m.group(3) or "")) for m in CRAWLED.finditer(log)]


@pytest.fixture(scope="module")
def site():
    with RunningSite(articles=40, seed=5, js_articles=JS_ARTICLES) as s:
        yield s


@pytest.fixture(scope="module")
def truth(site):
    return {"site": site.ground_truth(), "js": site.js_ground_truth()}


@pytest.fixture(scope="module")
def auto(site, truth, tmp_path_factory):
    out = tmp_path_factory.mktemp("auto")
    start = ",".join([site.url, site.url + "js/", *truth["js"]["broken_urls"]])
    return run(out, "-a", f"start_url={start}", "-a", "render_js=auto",
               "-s", "LOG_LEVEL=DEBUG", "-s", "NEWSCRAWLER_JS_WAIT_TIMEOUT=8", "-s", "NEWSCRAWLER_ARCHIVE=1")


@pytest.fixture(scope="module")
def never(site, truth, tmp_path_factory):
    out = tmp_path_factory.mktemp("never")
    start = ",".join([site.url + "js/", *truth["js"]["article_urls"]])
    return run(out, "-a", f"start_url={start}", "-a", "render_js=never", "-s", "LOG_LEVEL=DEBUG")


def test_auto_gets_every_field_of_every_js_record_right(auto, truth):
    assert len(truth["js"]["records"]) == JS_ARTICLES
    ways = {(v["main"], v["sidebar"]) for v in truth["js"]["variants"].values()}
    assert len(ways) == 9 and {v["delay_ms"] for v in truth["js"]["variants"].values()} >= {0, 2000}
    assert_js_records_right(auto["records"], truth["js"])


def test_every_run_gets_every_js_record_right_idle_and_under_cpu_load(site, truth, tmp_path):
    """The wait depends on what the page says, not on how fast it is built: repeated crawls of
    the JS section, with nothing else running and beside two CPU burners, all give the same
    right records and reject nothing."""
    profile = json.loads((ROOT / "newscrawler/profiles/kashaf.json").read_text("utf-8"))
    profile["url_patterns"] = {"article": [], "deny": ["^(?!.*/js/)"]}  # the JS section only
    path = tmp_path / "kashaf.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), "utf-8")
    results = []
    for k in range(RUNS + LOADED_RUNS):
        load = contextlib.nullcontext() if k < RUNS else cpu_burners(2)
        with load:
            res = run(tmp_path / f"run{k}", "-a", f"profile={path}", "-a", f"start_url={site.url}js/",
                      "-a", "render_js=auto")
        assert_js_records_right(res["records"], truth["js"])
        assert res["rejects"] == [], res["rejects"][:2]
        results.append(res["summary"]["js"])
        print(f"run {k + 1} ({'idle' if k < RUNS else 'beside 2 CPU burners'}, load average "
              f"{os.getloadavg()[0]:.1f}): {len(res['records'])}/{JS_ARTICLES} JS records, every field right, "
              f"0 rejects, {res['summary'].get('elapsed_seconds')} s")
    assert all(js["rendered/article"] == JS_ARTICLES and not js.get("still_empty") for js in results), results


def test_auto_keeps_the_plain_records_right_too(auto, truth):
    got = {r["url"]: r for r in auto["records"]}
    plain = {r["url"]: r for r in truth["site"]["records"]}
    dup_extra = {u for g in truth["site"]["duplicate_groups"] for u in g}
    assert not (set(plain) - set(got) - dup_extra)
    assert set(got) <= set(plain) | {r["url"] for r in truth["js"]["records"]}
    mismatches = [(u, f) for u, r in got.items() if u in plain for f in FIELDS if r[f] != plain[u][f]]
    assert not mismatches, mismatches[:3]


def test_only_the_js_pages_went_through_the_browser(auto, truth):
    js_pages = set(truth["js"]["article_urls"]) | set(truth["js"]["listing_urls"]) | set(truth["js"]["broken_urls"])
    responses = crawled(auto["log"])
    assert len(responses) == auto["summary"]["pages_fetched"]
    rendered = [u for u, browser in responses if browser]
    plain = [u for u, browser in responses if not browser]
    assert sorted(rendered) == sorted(js_pages)  # each JS page once, nothing else
    assert len([u for u in plain if "/js/" not in u]) > 40  # the plain site was crawled, plainly
    js = auto["summary"]["js"]
    assert js["rendered"] == len(js_pages)
    # every browser page was closed, never more than 4 open at once, no image was downloaded
    stats = dict(re.findall(r"'(playwright/[a-z_/]+)': (\d+)", auto["log"]))
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"] == str(len(js_pages))
    assert 1 <= int(stats["playwright/page_count/max_concurrent"]) <= 4
    assert int(stats["playwright/request_count/aborted"]) >= JS_ARTICLES  # each article's lead image
    assert not [line for line in auto["log"].splitlines() if "Response: <" in line and "/js/img/" in line]
    assert js["rendered/article"] == JS_ARTICLES
    assert js["rendered/listing"] == len(truth["js"]["listing_urls"]) >= 2  # "load more" was followed


def test_only_the_pages_that_never_render_are_rejected_with_their_reason(auto, truth):
    # /js/broken/2 shows its sidebar teasers (with their labels) from the start: no article, still
    rejects = {r["url"]: r for r in auto["rejects"] if "/js/" in r["url"]}
    assert set(rejects) == set(truth["js"]["broken_urls"]) and len(rejects) == 2
    for broken in rejects.values():
        assert broken["code"] == "js_render_failed"
        assert "after rendering in the browser (content did not appear within 8 s)" in broken["reason"]
    assert auto["summary"]["js"]["js_render_failed"] == 2


def test_rendered_pages_are_archived_as_the_browser_made_them_and_reparse_alike(auto, truth, tmp_path):
    from newscrawler.archive_reader import read_archive
    from newscrawler.extensions.archive import RENDERED

    files = sorted((auto["out"] / "archive").glob("*.warc.gz"))
    responses = [r for p in files for r in read_archive(p, []) if r.type == "response"]
    rendered = [r for r in responses if r.header(RENDERED) == "browser"]
    js_pages = set(truth["js"]["article_urls"]) | set(truth["js"]["listing_urls"]) | set(truth["js"]["broken_urls"])
    assert sorted(r.url for r in rendered) == sorted(js_pages)
    titles = {r["url"]: r["title"] for r in truth["js"]["records"]}
    for r in rendered:
        if r.url in titles:  # the DOM the scripts built, not the HTML the server sent for the same page
            assert titles[r.url] in r.body.decode("utf-8")
            assert int(r.http.get_header("Content-Length")) == len(r.body)
            plain = [p for p in responses if p.url == r.url and not p.header(RENDERED)]
            assert plain and all(p.body != r.body for p in plain)
    # reparse needs no browser: the same records and rejects (the page that stayed empty included)
    proc = reparse(*map(str, files), "--spider", "kashaf", "--out", str(tmp_path),
                   "-s", "NEWSCRAWLER_BROWSER=/nonexistent/chromium")
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = outputs(tmp_path)
    assert as_lines(read_jsonl(again["records"][0])) == as_lines(auto["records"])
    assert as_lines(read_jsonl(again["rejects"][0])) == as_lines(auto["rejects"])
    summary = json.loads(again["summaries"][0].read_text("utf-8"))
    assert summary["archive"]["rendered"] == len(js_pages) and summary["js"]["rendered"] == len(js_pages)


def test_never_puts_the_same_pages_in_the_rejects_file(never, truth):
    articles = set(truth["js"]["article_urls"])
    assert not [r for r in never["records"] if "/js/" in r["url"]]
    rejected = {r["url"]: r for r in never["rejects"] if "/js/" in r["url"]}
    assert set(rejected) == articles  # the articles, not the listing pages
    for r in rejected.values():
        assert r["code"] == "needs_js" and "JavaScript" in r["reason"], r
    assert not any(browser for _, browser in crawled(never["log"]))
    assert "scrapy-playwright" not in never["log"]  # a plain crawl never loads the browser handler
    assert never["summary"]["js"].get("rendered", 0) == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_browser_failure_is_retried_then_rejected_and_the_crawl_goes_on(site, truth, tmp_path):
    # always + a profile with its own wait_for selector; one URL the browser cannot load
    profile = json.loads((ROOT / "newscrawler/profiles/kashaf.json").read_text("utf-8"))
    profile.update({"render_js": "always", "wait_for": "#article h1.headline",
                    "url_patterns": {"article": [], "deny": ["^(?!.*/js/article/)"]}})
    path = tmp_path / "kashaf.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), "utf-8")
    dead = f"http://127.0.0.1:{_closed_port()}/js/article/1"
    first, second = truth["js"]["article_urls"][:2]
    out = tmp_path / "out"
    res = run(out, "-a", f"profile={path}", "-a", f"start_url={first},{second},{dead}",
              "-s", "RETRY_TIMES=1", "-s", "LOG_LEVEL=DEBUG")
    rejects = {r["url"]: r for r in res["rejects"]}
    assert rejects[dead]["code"] == "js_render_failed"
    assert "browser failed" in rejects[dead]["reason"] and "ERR_CONNECTION_REFUSED" in rejects[dead]["reason"]
    errors = res["summary"]["download_errors"]
    assert errors.get("playwright._impl._errors.Error") == 2, errors  # tried, retried once, given up
    assert res["summary"]["js"]["failed"] == 1
    # counted once: a rejected record, not also an unrecoverable download
    assert dead not in {u["url"] for u in res["summary"].get("unrecoverable_urls") or []}
    assert res["summary"]["unrecoverable"] == 0
    got = {r["url"] for r in res["records"]}
    assert {first, second} <= got  # the crawl went on


def test_no_browser_is_one_line_naming_the_install_command(site, tmp_path):
    proc = scrapy_crawl("kashaf", tmp_path, "-a", f"start_url={site.url}", "-a", "render_js=auto",
                        "-s", "NEWSCRAWLER_BROWSER=/nonexistent/chromium")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newscrawler: error: render_js=auto"), proc.stderr
    assert "apt-get install -y chromium" in lines[0]
    assert not list(tmp_path.iterdir())  # nothing was started


def test_bad_render_js_value_is_one_line(site, tmp_path):
    proc = scrapy_crawl("kashaf", tmp_path, "-a", f"start_url={site.url}", "-a", "render_js=sometimes")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["newscrawler: error: render_js must be one of never, always, auto, not 'sometimes'"]
