"""Field coverage: count, per record field, the written records that have a value.

Runs after the writer, so it sees exactly the records that reached the
``.jsonl``. Stats: ``newscrawler/coverage/records`` (records seen) and
``newscrawler/coverage/<field>`` (records whose field is not null, not an
empty string and not an empty list). The field-coverage monitor
(``newscrawler/monitors.py``) divides one by the other.
"""

from __future__ import annotations

from itemadapter import ItemAdapter

PREFIX = "newscrawler/coverage/"


def has_value(value) -> bool:
    return value is not None and value != "" and value != [] and value != {}


class CoveragePipeline:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        self.stats.inc_value(PREFIX + "records")
        for name, value in ItemAdapter(item).items():
            if has_value(value):
                self.stats.inc_value(PREFIX + name)
        return item
