"""The claiming writer: a claim in Redis before each write, so that across all
workers every article (and every story) is written once."""

from __future__ import annotations

import hashlib
import logging

from itemadapter import ItemAdapter

from newscrawler.distributed.common import Keys, _server, _text
from newscrawler.distributed.scripts import CLAIM, UNCLAIM
from newscrawler.output import dumps
from newscrawler.pipelines import Duplicate
from newscrawler.pipelines.write import JsonLinesWriterPipeline

logger = logging.getLogger(__name__)


def _epoch(published_at) -> str:
    from datetime import datetime

    try:
        return str(int(datetime.fromisoformat(published_at).timestamp()))
    except (TypeError, ValueError):
        return ""


class ClaimingWriterPipeline(JsonLinesWriterPipeline):
    """The JSON Lines writer, plus a claim in Redis right before each write, so
    that across all workers every article (and every story) is written once."""

    def open_spider(self):
        super().open_spider()
        self.keys = Keys(self.crawler.spider.name)
        self.window = self.crawler.settings.getfloat("NEWSCRAWLER_DUPLICATE_WINDOW", 600.0)
        server = _server(self.crawler.settings)
        self._claim = server.register_script(CLAIM)
        self._unclaim = server.register_script(UNCLAIM)

    def process_item(self, item):
        from newscrawler.processors.text import normalize_for_match

        record = ItemAdapter(item).asdict()
        data = dumps(record)  # encoded before the claim: the claim-to-write window stays tiny
        story = hashlib.sha1(
            (normalize_for_match(record["source"]) + "\x00" + normalize_for_match(record["title"])).encode("utf-8")
        ).hexdigest()
        args = [record["id"], story, _epoch(record["published_at"]), str(self.window), record["url"]]
        verdict, other = self._claim(keys=[self.keys.records, self.keys.stories], args=args)
        if verdict == 1:
            raise Duplicate(f"duplicate url {record['url']} (written by another worker)", "url")
        if verdict == 2:
            raise Duplicate(f"same story as {_text(other)}", "story")
        if self._write_bytes(self.records, data):
            self.stats.inc_value("newscrawler/records")
        else:
            self._unclaim(keys=[self.keys.records, self.keys.stories], args=[record["id"], story, record["url"]])
        return item

    def close_spider(self):
        super().close_spider()
        try:  # the whole crawl's count, for the monitors: one worker may write nothing
            count = _server(self.crawler.settings).scard(self.keys.records)
            self.stats.set_value("newscrawler/distributed/crawl_records", count)
        except Exception as e:  # a Redis gone away must not hide the run's own result
            logger.warning("Redis: cannot count the crawl's records: %s", e)

