"""The baseline: a bare Scrapy spider that follows the same links as the kashaf spider.

It does what the kashaf spider does to choose its links and nothing more: every
``a/@href`` of the page, joined to the page's URL, canonicalised with the same
``canonical_url``, kept when it is http(s) on the start host and not a file
(the same check as ``ProfileSpider.wanted``), and left out *before* a Request
is made when this process has requested it already (as
``ProfileSpider.links_to_follow`` does). No page parsing, no items, no
pipelines: the ratio of the two crawls measures what extraction and the
pipelines cost, not how links are handled. The same settings otherwise
(robots.txt, dupefilter, offsite middleware).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import scrapy

from newscrawler.processors.urls import canonical_url
from newscrawler.spiders.base import IGNORED_SUFFIXES


class BareSpider(scrapy.Spider):
    name = "bench_bare"

    def __init__(self, start_url: str = "", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start_url]
        self.host = urlsplit(start_url).hostname
        self.allowed_domains = [self.host]
        self._requested: set[str] = set()

    async def start(self):
        for url in self.start_urls:
            url = canonical_url(url)
            self._requested.add(url)
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        requested = self._requested
        for href in response.xpath("//a/@href").getall():
            try:
                url = canonical_url(response.urljoin(href.strip()))
            except ValueError:
                continue
            if url in requested or not url.startswith(("http://", "https://")):
                continue
            parts = urlsplit(url)
            if parts.hostname != self.host or parts.path.lower().endswith(IGNORED_SUFFIXES):
                continue
            requested.add(url)
            yield scrapy.Request(url, callback=self.parse)
