"""The seen-store in the item pipeline (see ``newscrawler.state``).

* ``SeenFilterPipeline`` (after de-duplication, before writing): drops a record
  an earlier run already wrote - the same id, or the same title and body
  (content hash) published within ``NEWSCRAWLER_DUPLICATE_WINDOW`` seconds -
  as a duplicate. Not in ``full`` mode (``-a full=1``, or an empty store).
* ``SeenStorePipeline`` (after the writer): adds each record actually written
  to the store, one commit per record; rejected records and duplicates are
  added too (status ``rejected``/``duplicate``) so that the next run does not
  fetch them again. When it opens, it takes over the records of runs that were
  killed (their ``.part`` file has just been finished by the writer), so that
  a record written just before a SIGKILL is never written twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter
from scrapy import signals

from newscrawler.pipelines import Duplicate, Rejected
from newscrawler.pipelines.dedupe import WINDOW, _epoch
from newscrawler.state import DUPLICATE, REJECTED, WRITTEN, content_hash, finish_word, store_for

logger = logging.getLogger(__name__)


def _spider(crawler):
    return crawler.spider


class SeenFilterPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.window = crawler.settings.getfloat("NEWSCRAWLER_DUPLICATE_WINDOW", WINDOW)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        spider = _spider(self.crawler)
        state = getattr(spider, "_state", None)
        if state is None:
            return item
        store, mode = state()
        if mode == "full":
            return item
        a = ItemAdapter(item)
        rid = a.get("id")
        if rid and store.status(rid) == WRITTEN:
            raise Duplicate(f"already written by an earlier run: {a.get('url')}", "stored")
        when = _epoch(a.get("published_at"))
        for other_id, other_url, other_when in store.find_story(content_hash(a.get("title"), a.get("body"))):
            if other_id == rid:
                continue
            t = _epoch(other_when)
            if when is None or t is None or abs(t - when) <= self.window:
                raise Duplicate(f"same story as {other_url} (an earlier run)", "stored_story")
        return item


class SeenStorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.store = None
        self.output_file = None
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        spider = _spider(self.crawler)
        self.store = store_for(self.crawler, spider)
        for name in self.store.unfinished_runs():
            final = Path(name)
            if Path(name + ".part").exists():
                continue  # still being written by a live run
            if final.exists():
                try:
                    n = self.store.adopt(final)
                except OSError as e:
                    logger.warning("incremental: cannot read %s: %s", final, e.strerror or e)
                    continue
                logger.warning("incremental: an earlier run was killed; took over its %d records from %s", n, final)
            self.store.run_finished(name, "killed")
        self.output_file = self.crawler.stats.get_value("newscrawler/output_file")
        if self.output_file:
            self.store.run_started(self.output_file)

    def _aliases(self, rid: str) -> list[str]:
        return getattr(_spider(self.crawler), "aliases", {}).pop(rid, [])

    def _add(self, a, status: str) -> None:
        rid = a.get("id")
        if not rid or self.store is None:
            return
        try:
            digest = content_hash(a.get("title"), a.get("body")) if status == WRITTEN else None
            self.store.add(rid, digest, a.get("published_at"), a.get("url"), status)
            for alias in self._aliases(rid):
                self.store.add(alias, None, None, a.get("url"), status)
            self.crawler.stats.inc_value(f"newscrawler/incremental/stored_{status}")
        except Exception as e:  # the store must never stop the crawl
            logger.error("incremental: cannot record %s in the state file: %s", a.get("url"), e)
            self.crawler.stats.inc_value("newscrawler/incremental/store_errors")

    def process_item(self, item):
        if not self.crawler.stats.get_value("newscrawler/output_error"):
            self._add(ItemAdapter(item), WRITTEN)
        return item

    def item_dropped(self, item, response, exception, spider):
        if isinstance(exception, Duplicate):
            if exception.kind not in ("stored",):
                self._add(ItemAdapter(item), DUPLICATE)
        elif isinstance(exception, Rejected):
            self._add(ItemAdapter(item), REJECTED)

    def spider_closed(self, spider, reason):
        if self.store is None:
            return
        try:
            if self.output_file:
                self.store.run_finished(self.output_file, finish_word(spider, reason))
            self.crawler.stats.set_value("newscrawler/incremental/stored_after", self.store.count())
        finally:
            self.store.close()
            self.store = None
