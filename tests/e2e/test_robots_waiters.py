"""robots.txt also holds for the requests that wait while it downloads
(Scrapy 2.19 lets them through unchecked; newscrawler/robots.py fixes it)."""

import json

import pytest

from newscrawler.sample_site import RunningSite
from tests.helpers import outputs, scrapy_crawl

pytestmark = pytest.mark.e2e


def crawl_private_start_urls(tmp_path, *args):
    with RunningSite(articles=300, seed=5) as site:
        private = [f"{site.url}private/news/{k}.html" for k in (1, 2, 3)]
        starts = ",".join([site.url, f"{site.url}?page=2", *private])
        proc = scrapy_crawl("kashaf", tmp_path, "-a", f"start_url={starts}", "-s", "LOG_LEVEL=DEBUG",
                            "-s", "CLOSESPIDER_PAGECOUNT=20", *args)
    return proc, private


def test_disallowed_start_urls_are_never_fetched(tmp_path):
    proc, private = crawl_private_start_urls(tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    for url in private:
        assert f"Crawled (200) <GET {url}>" not in proc.stderr
        assert f"Forbidden by robots.txt: <GET {url}>" in proc.stderr
    summary = json.loads(outputs(tmp_path)["summaries"][0].read_text("utf-8"))
    assert summary["robots_forbidden"] >= len(private)
