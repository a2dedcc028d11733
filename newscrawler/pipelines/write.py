"""Write: records to ``<run>.jsonl``, rejected records to ``<run>.rejects.jsonl``.

Files go under ``NEWSCRAWLER_OUTPUT_DIR`` (default ``data/``), a new pair per
run, named from safe parts only: ``<spider>-<UTC start>-<run id>``. Rejected
records arrive through Scrapy's ``item_dropped`` signal (raised as
``Rejected`` by the validation pipeline), each with its url, reason and raw
fields. A file that got no line is not kept. A write that fails (a full disk) leaves no partial line, stops the
crawl with the finish reason ``output_error`` and keeps everything already
written.
"""

from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from newscrawler.output import JsonLinesFile, check_writable, dumps, recover, run_name
from newscrawler.pipelines import Duplicate, Rejected
from newscrawler.pipelines.fastcheck import plain_dict

logger = logging.getLogger(__name__)


class JsonLinesWriterPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.folder = Path(settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data")
        self.records = self.rejects = None
        self.failed = False
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        check_writable(self.folder)
        for path in recover(self.folder):
            logger.warning("finished the unfinished file of an earlier run: %s", path)
        base = run_name(self.crawler)
        self.records = JsonLinesFile(self.folder / f"{base}.jsonl")
        self.rejects = JsonLinesFile(self.folder / f"{base}.rejects.jsonl")
        self.stats.set_value("newscrawler/output_file", str(self.records.final_path))
        self.stats.set_value("newscrawler/rejects_file", str(self.rejects.final_path))
        self.stats.set_value("newscrawler/records", 0)
        self.stats.set_value("newscrawler/rejects", 0)

    def _write(self, target: JsonLinesFile, record: dict) -> bool:
        return self._write_bytes(target, dumps(record))

    def _write_bytes(self, target: JsonLinesFile, data: bytes) -> bool:
        """Append one encoded line; on failure stop the crawl cleanly (False)."""
        if self.failed:
            return False
        try:
            target.write_bytes(data)
            return True
        except OSError as e:
            self.failed = True
            logger.error("cannot write %s: %s; stopping the crawl, lines already written are kept",
                         target.final_path, e.strerror or e)
            self.stats.set_value("newscrawler/output_error", f"{target.final_path}: {e.strerror or e}")
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason="output_error"))
            return False

    def process_item(self, item):
        if self._write(self.records, plain_dict(item)):
            self.stats.inc_value("newscrawler/records")
        return item

    def item_dropped(self, item, response, exception, spider):
        if isinstance(exception, Duplicate):
            self.stats.inc_value("newscrawler/duplicates")
            self.stats.inc_value(f"newscrawler/duplicates/{exception.kind}")
            return
        if not isinstance(exception, Rejected) or self.rejects is None:
            return
        raw = ItemAdapter(item).asdict()
        line = {
            "url": raw.get("url"),
            "reason": exception.reason,
            "field": exception.field,
            "code": exception.code,
            "aggregator": raw.get("aggregator") or spider.name,
            "crawled_at": raw.get("crawled_at"),
            "raw": {k: v for k, v in raw.items() if k not in ("url", "aggregator", "crawled_at")},
        }
        if self._write(self.rejects, line):
            self.stats.inc_value("newscrawler/rejects")
            self.stats.inc_value(f"newscrawler/rejects/{exception.key}")

    def close_spider(self):
        """Finish both files; a file that got no line is removed (an incremental run with
        nothing new leaves no 0-byte ``.jsonl``) and named in ``newscrawler/not_written``."""
        not_written = []
        for kind, f in (("records", self.records), ("rejects", self.rejects)):
            if f is not None:
                try:
                    if f.close(keep_empty=False) is None:
                        not_written.append(kind)
                except OSError as e:
                    logger.error("cannot finish %s: %s", f.path, e)
        self.stats.set_value("newscrawler/not_written", not_written)
