"""The baseline: a bare Scrapy spider that only follows same-site links.

No parsing beyond link extraction (one XPath for ``a/@href``), no items. The
offsite middleware keeps it on the start host, the dupefilter drops repeats,
robots.txt is obeyed: the same settings as the kashaf crawl it is compared with.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import scrapy


class BareSpider(scrapy.Spider):
    name = "bench_bare"

    def __init__(self, start_url: str = "", **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [start_url]
        self.allowed_domains = [urlsplit(start_url).hostname]

    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href)
            if url.startswith(("http://", "https://")):
                yield scrapy.Request(url, callback=self.parse)
