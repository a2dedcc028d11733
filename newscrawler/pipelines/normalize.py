"""Normalise: canonical url and its id, every record field present."""

from __future__ import annotations

from itemadapter import ItemAdapter

from newscrawler.items import RECORD_FIELDS, RejectedPage
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import canonical_url, url_id


class NormalizePipeline:
    def __init__(self, url_rules=None):
        self.url_rules = url_rules  # the profile's drop_params / keep_params (processors/urls.py)

    @classmethod
    def from_crawler(cls, crawler):
        pipe = cls()
        pipe.crawler = crawler
        return pipe

    def open_spider(self):
        self.url_rules = getattr(self.crawler.spider, "url_rules", None)

    def process_item(self, item):
        if isinstance(item, RejectedPage):
            return item
        adapter = ItemAdapter(item)
        url = adapter.get("url")
        if url:
            url = canonical_url(url, self.url_rules)
            adapter["url"] = url
            adapter["id"] = url_id(url, self.url_rules)
        for name in RECORD_FIELDS:
            if adapter.get(name) is None:
                adapter[name] = [] if name == "related" else None
        for name in ("title", "source", "source_country", "category"):
            value = adapter.get(name)
            if isinstance(value, str):
                adapter[name] = clean_text(value) or None
        return item
