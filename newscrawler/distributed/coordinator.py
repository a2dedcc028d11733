"""Seeding once, the heartbeat, re-queueing dead workers' requests, and the idle stop."""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from newscrawler.distributed.common import (Keys, _server, _text, default_worker_id, enabled, publish_skipped,
                                            safe_url)
from newscrawler.distributed.scheduler import requeue_dead
from newscrawler.distributed.scripts import REQUEUE

logger = logging.getLogger(__name__)


class SeedOnce:
    """Spider middleware: only the first worker of a crawl sends the spider's
    start requests (through the shared dupefilter); the others join."""

    def __init__(self, crawler):
        if not enabled(crawler.settings):
            raise NotConfigured
        self.crawler = crawler
        self.worker = crawler.settings.get("NEWSCRAWLER_WORKER_ID")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_start(self, start):
        spider = self.crawler.spider
        keys = Keys(spider.name)
        server = _server(self.crawler.settings)
        if not server.set(keys.seeded, self.worker, nx=True):
            by = server.get(keys.seeded)
            logger.info("crawl %r already seeded (by %s): joining it; to start a new crawl instead, run "
                        "python -m newscrawler clear %s", spider.name, _text(by) if by else "?", spider.name)
            return
        logger.info("seeding crawl %r", spider.name)
        async for item in start:
            yield item


# ---------------------------------------------------------------- coordinator
class Coordinator:
    """Extension: heartbeat, re-queueing dead workers' requests, and stopping
    after the whole crawl has been idle for ``NEWSCRAWLER_REDIS_IDLE_SECONDS``."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not enabled(settings):
            raise NotConfigured
        self.crawler = crawler
        self.worker = settings.get("NEWSCRAWLER_WORKER_ID") or default_worker_id()
        self.idle_seconds = settings.getfloat("NEWSCRAWLER_REDIS_IDLE_SECONDS", 30.0)
        self.ttl = max(1.0, settings.getfloat("NEWSCRAWLER_REDIS_HEARTBEAT_TTL", 15.0))
        self.tick_seconds = max(0.1, settings.getfloat("NEWSCRAWLER_REDIS_POLL_SECONDS", 1.0))
        self.idle_since: float | None = None
        self.loop = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        from scrapy.utils.asyncio import create_looping_call

        self.server = _server(self.crawler.settings)
        self.keys = Keys(spider.name)
        self._requeue = self.server.register_script(REQUEUE)
        self.beat()
        self.crawler.stats.set_value("newscrawler/worker_id", self.worker)
        logger.info("distributed worker %s (Redis %s, stops after %.0f s idle)",
                    self.worker, safe_url(self.crawler.settings.get("REDIS_URL")), self.idle_seconds)
        self.loop = create_looping_call(self.tick)
        self.loop.start(self.tick_seconds, now=False)

    def beat(self):
        pipe = self.server.pipeline()
        pipe.set(self.keys.alive(self.worker), str(time.time()), px=int(self.ttl * 1000))
        pipe.sadd(self.keys.workers, self.worker)
        publish_skipped(pipe, self.keys, self.worker, self.crawler.stats)
        pipe.execute()

    def tick(self):
        try:
            self.beat()
            moved = requeue_dead(self.server, self.keys, exclude=self.worker)
            if moved:
                self.crawler.stats.inc_value("newscrawler/distributed/requeued", moved)
        except Exception as e:  # never let the loop die: it is the heartbeat
            logger.warning("Redis: %s", e)
            return
        # Scrapy asks a scheduler it found empty again only every 5 s (its
        # heartbeat); ask now, so that requests other workers queued start soon
        # and, while idle, the idle check runs every tick.
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is not None and slot.closing is None:
            if not engine.spider_is_idle():
                self.idle_since = None
            slot.nextcall.schedule()

    def busy(self) -> bool:
        """Work anywhere in the crawl: queued requests, or requests a live worker is processing."""
        if self.server.zcard(self.keys.requests):
            return True
        for raw in self.server.smembers(self.keys.workers):
            worker = _text(raw)
            if worker != self.worker and self.server.hlen(self.keys.processing(worker)):
                return True
        return False

    def spider_idle(self, spider):
        try:
            # This worker is idle, so nothing of its own can still be in progress.
            self._requeue(keys=self.keys.requeue(self.worker), args=[self.worker, "0"])
            requeue_dead(self.server, self.keys, exclude=self.worker)
            busy = self.busy()
        except Exception as e:
            logger.warning("Redis: %s", e)
            busy = False
        now = time.monotonic()
        if busy:
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = now
            logger.info("the shared queue is empty: stopping in %.0f s unless new requests arrive", self.idle_seconds)
        if now - self.idle_since < self.idle_seconds:
            raise DontCloseSpider
        logger.info("the crawl has been idle for %.0f s: this worker stops", now - self.idle_since)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        try:
            pipe = self.server.pipeline()
            pipe.delete(self.keys.alive(self.worker))
            if not (self.server.hlen(self.keys.processing(self.worker))
                    or self.server.hlen(self.keys.pending(self.worker))):
                pipe.srem(self.keys.workers, self.worker)  # nothing left for the others to re-queue or release
            pipe.execute()
        except Exception as e:
            logger.warning("Redis: %s", e)

