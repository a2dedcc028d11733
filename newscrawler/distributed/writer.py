"""The claiming writer: a provisional claim in Redis before each write, so that
across all workers every article (and every story) is written at least once,
and once unless a worker dies between its write and the confirmation.

The claim (one Lua step) adds the article's id to ``records`` and records it in
the worker's ``pending:<worker>`` hash; right after the line's single
``os.write`` the claim is confirmed (removed from ``pending``). A worker that
dies in between has its pending claims released by the survivors in the same
Lua step that re-queues its unfinished requests (``scripts.REQUEUE``), so the
re-fetched article is claimed and written again: a death between claim and
write loses nothing, a death between write and confirmation gives one
duplicate line (same id; ``python -m newscrawler merge`` keeps one).

Test-only hook: the environment variable ``NEWSCRAWLER_TEST_SIGKILL=claim:N``
(or ``write:N``) makes the worker SIGKILL itself right after its Nth claim
(or right after the Nth claimed write, before its confirmation), to put a
death exactly inside those windows.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal

from itemadapter import ItemAdapter

from newscrawler.distributed.common import Keys, _server, _text, crawl_skipped, default_worker_id, publish_skipped
from newscrawler.distributed.scripts import CLAIM, CONFIRM, UNCLAIM
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


KILL_ENV = "NEWSCRAWLER_TEST_SIGKILL"


def kill_point(value: str | None) -> tuple[str, int] | None:
    """``claim:N`` / ``write:N`` of the test hook, or None; ValueError when malformed."""
    if not value:
        return None
    where, _, n = value.partition(":")
    if where not in ("claim", "write") or not n.isdigit() or int(n) < 1:
        raise ValueError(f"{KILL_ENV}={value!r}: expected claim:N or write:N (N >= 1)")
    return where, int(n)


class ClaimingWriterPipeline(JsonLinesWriterPipeline):
    """The JSON Lines writer, plus a provisional claim in Redis right before each
    write and its confirmation right after it (see the module's docstring)."""

    def open_spider(self):
        super().open_spider()
        self.keys = Keys(self.crawler.spider.name)
        self.worker = self.crawler.settings.get("NEWSCRAWLER_WORKER_ID") or default_worker_id()
        self.pending = self.keys.pending(self.worker)
        self.window = self.crawler.settings.getfloat("NEWSCRAWLER_DUPLICATE_WINDOW", 600.0)
        server = _server(self.crawler.settings)
        self._claim = server.register_script(CLAIM)
        self._confirm = server.register_script(CONFIRM)
        self._unclaim = server.register_script(UNCLAIM)
        self._kill_at = kill_point(os.environ.get(KILL_ENV))
        self._claims = 0

    def _test_kill(self, where: str, url: str) -> None:
        if self._kill_at == (where, self._claims):
            logger.warning("%s: SIGKILL after the %s of %s", KILL_ENV, where, url)
            os.kill(os.getpid(), signal.SIGKILL)

    def process_item(self, item):
        from newscrawler.processors.text import normalize_for_match

        record = ItemAdapter(item).asdict()
        data = dumps(record)  # encoded before the claim: the claim-to-write window stays tiny
        story = hashlib.sha1(
            (normalize_for_match(record["source"]) + "\x00" + normalize_for_match(record["title"])).encode("utf-8")
        ).hexdigest()
        rid, url = record["id"], record["url"]
        claim_keys = [self.keys.records, self.keys.stories, self.pending]
        verdict, other = self._claim(keys=claim_keys, args=[rid, story, _epoch(record["published_at"]),
                                                            str(self.window), url])
        if verdict == 1:
            raise Duplicate(f"duplicate url {url} (written by another worker)", "url")
        if verdict == 2:
            raise Duplicate(f"same story as {_text(other)}", "story")
        self._claims += 1
        self._test_kill("claim", url)
        written = False
        try:
            written = self._write_bytes(self.records, data)
        finally:
            if not written:
                self._unclaim(keys=claim_keys, args=[rid, story, url])
        if not written:  # the crawl is stopping with output_error
            return item
        self.stats.inc_value("newscrawler/records")
        self._test_kill("write", url)
        try:
            self._confirm(keys=[self.pending, self.keys.records], args=[rid])
        except Exception as e:  # the line is written: a pending claim only risks one duplicate line
            logger.warning("Redis: cannot confirm the claim of %s (written): %s", url, e)
            self.stats.inc_value("newscrawler/distributed/unconfirmed")
        return item

    def close_spider(self):
        super().close_spider()
        try:  # the whole crawl's counts, for the monitors: one worker may write (or skip) nothing
            server = _server(self.crawler.settings)
            pipe = server.pipeline()
            publish_skipped(pipe, self.keys, self.worker, self.stats)
            pipe.execute()
            self.stats.set_value("newscrawler/distributed/crawl_records", server.scard(self.keys.records))
            self.stats.set_value("newscrawler/distributed/crawl_skipped", crawl_skipped(server, self.keys))
        except Exception as e:  # a Redis gone away must not hide the run's own result
            logger.warning("Redis: cannot count the crawl's records: %s", e)

