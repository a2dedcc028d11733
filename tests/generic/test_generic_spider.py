"""The generic spider on the Akhbar sample site: a sitemap-only run and a
feed-only run each reach every article without listing navigation."""

import re

import pytest

from newscrawler.evaluation import token_f1
from tests.helpers import outputs, read_jsonl, scrapy_crawl

FIELDS = ("title", "published_at", "source", "category")


def _crawl(site, tmp_path, discover):
    proc = scrapy_crawl("generic", tmp_path, "-a", f"start_url={site.url}", "-a", f"discover={discover}",
                        "-s", "LOG_LEVEL=DEBUG")
    files = outputs(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(files["records"]) == 1, proc.stderr[-3000:]
    assert not list(tmp_path.glob("*.alerts.json")), "a run monitor failed"
    return read_jsonl(files["records"][0]), read_jsonl(files["rejects"][0]), proc.stderr


def _fetched(log):
    return re.findall(r"Crawled \(\d+\) <GET ([^>]+)>", log)


def _check_records(records, rejects, truth):
    want = {r["url"]: r for r in truth["generic_records"]}
    got = {r["url"]: r for r in records}
    assert set(got) == set(want), (sorted(set(want) - set(got))[:3], sorted(set(got) - set(want))[:3])
    for url, r in got.items():
        for f in FIELDS:
            assert r[f] == want[url][f], (url, f, r[f], want[url][f])
        assert token_f1(r["body"], want[url]["body"]) >= 0.95, (url, r["body"][:200])
        assert r["aggregator"] == "generic" and r["credibility"] is None and r["related"] == []
    assert {r["url"] for r in rejects} == {i["url"] for i in truth["invalid"]}
    assert all(r["field"] == "published_at" for r in rejects)


def test_sitemap_only_reaches_every_article(akhbar, tmp_path):
    records, rejects, log = _crawl(akhbar, tmp_path, "sitemap")
    _check_records(records, rejects, akhbar.ground_truth())
    fetched = _fetched(log)
    assert akhbar.url + "sitemap.xml" in fetched and akhbar.url + "sitemaps/news.xml" in fetched
    # no listing navigation: neither the home page nor a listing page nor a feed
    assert akhbar.url not in fetched
    assert not [u for u in fetched if "/latest/" in u or "/topic/" in u or "feed" in u]
    assert not [u for u in fetched if u.startswith(akhbar.outlet_url)]


def test_feed_only_reaches_every_article(akhbar, tmp_path):
    records, rejects, log = _crawl(akhbar, tmp_path, "feed")
    _check_records(records, rejects, akhbar.ground_truth())
    fetched = _fetched(log)
    assert akhbar.url + "feed.xml" in fetched and akhbar.url + "atom.xml" in fetched
    assert not [u for u in fetched if "/latest/" in u or "/topic/" in u or "sitemap" in u]


@pytest.mark.parametrize("args, message", [
    ((), "no start URL"),
    (("-a", "start_url=ftp://x.example/"), "not an http(s) URL"),
    (("-a", "start_url=http://127.0.0.1:9/", "-a", "discover=sitemap,rumours"), "discover="),
    (("-a", "start_url=http://127.0.0.1:9/", "-a", "timezone=Mars/Olympus"), "unknown time zone"),
    (("-a", "start_url=http://127.0.0.1:9/", "-a", "article_pattern=(("), "bad article_pattern"),
])
def test_bad_arguments_one_line(tmp_path, args, message):
    proc = scrapy_crawl("generic", tmp_path, *args, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newscrawler: error: ") and message in lines[0], proc.stderr
