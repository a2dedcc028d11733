"""The shared scheduler: scrapy-redis' queue and dupefilter, with a per-worker
in-progress hash that survivors re-queue when a worker dies.

scrapy-redis is imported on first use of ``Scheduler`` (this module's lazy
attribute), so that a crawl without Redis never imports it.
"""

from __future__ import annotations

import itertools
import logging

from newscrawler.distributed.common import Keys, _text, default_worker_id
from newscrawler.distributed.scripts import ENQUEUE, POP_CLAIM, REQUEUE

logger = logging.getLogger(__name__)
RELEASED = "released:"  # in the log line, before each released claim's url


def requeue_dead(server, keys: Keys, exclude: str | None = None) -> int:
    """Re-queue the unfinished requests of every worker whose heartbeat expired,
    and release its pending claims (in the same Lua step)."""
    script = server.register_script(REQUEUE)
    moved = 0
    for raw in server.smembers(keys.workers):
        worker = _text(raw)
        if worker == exclude:
            continue
        n, released = script(keys=keys.requeue(worker), args=[worker, "1"])
        if n > 0 or released:
            urls = [_text(u) for u in released]
            logger.warning("worker %s stopped answering: %d unfinished requests are back in the queue, "
                           "%d claims it had not confirmed are released%s", worker, n, len(urls),
                           "".join(f" {RELEASED}{u}" for u in urls[:20]))
            moved += max(n, 0)
    return moved


def _scheduler_base():
    from scrapy_redis.scheduler import Scheduler as RedisScheduler

    return RedisScheduler


def _make_scheduler():
    from scrapy_redis.queue import PriorityQueue

    class ClaimingQueue(PriorityQueue):
        """scrapy-redis' priority queue whose pop also records the request as in progress."""

        def __init__(self, server, spider, key, serializer=None):
            super().__init__(server, spider, key, serializer)
            self._pop = server.register_script(POP_CLAIM)

        def pop_claim(self, processing_key: str, token: str):
            got = self._pop(keys=[self.key, processing_key], args=[token])
            if not got:
                return None
            data, field = got
            return data, _text(field)

        def decode(self, data):
            return self._decode_request(data)

        def push_unseen(self, request, dupefilter) -> bool:
            """Queue ``request`` unless the dupefilter has seen it (atomically); True when queued."""
            if not hasattr(self, "_enqueue"):
                self._enqueue = self.server.register_script(ENQUEUE)
            fp = "" if request.dont_filter else dupefilter.request_fingerprint(request)
            return bool(self._enqueue(keys=[dupefilter.key, self.key],
                                      args=[fp, -request.priority, self._encode_request(request)]))

    class Scheduler(_scheduler_base()):
        """scrapy-redis' scheduler without Scrapy-deprecated calls, whose popped
        requests stay in a per-worker processing hash until Scrapy is done with them."""

        @classmethod
        def from_crawler(cls, crawler):
            instance = cls.from_settings(crawler.settings)
            instance.persist = True
            instance.stats = crawler.stats
            instance.crawler = crawler
            instance.worker = crawler.settings.get("NEWSCRAWLER_WORKER_ID") or default_worker_id()
            return instance

        def open(self, spider):
            self.spider = spider
            self.keys = Keys(spider.name)
            self.queue = ClaimingQueue(self.server, spider, self.queue_key % {"spider": spider.name},
                                       serializer=self.serializer)
            if not self.df:
                from scrapy.utils.misc import load_object

                self.df = load_object(self.dupefilter_cls).from_spider(spider)
            if self.flush_on_start:
                self.flush()
            self.processing_key = self.keys.processing(self.worker)
            self._tokens = itertools.count(1)
            self._claims: dict = {}
            self._requeue = self.server.register_script(REQUEUE)
            self._hook_engine()
            queued = len(self.queue)
            if queued:
                logger.info("joining a crawl with %d requests in the shared queue", queued)

        def _hook_engine(self):
            # Scrapy has no signal for "this request is completely handled"; the
            # engine slot's remove_request() is that moment (after the callback's
            # output went through the pipelines, or after a retry/redirect was
            # scheduled, or after the errback).
            slot = getattr(self.crawler.engine, "_slot", None)
            remove = getattr(slot, "remove_request", None)
            if remove is None:
                raise RuntimeError("newscrawler.distributed: this Scrapy version's engine has no slot.remove_request "
                                   "(written for Scrapy 2.19)")

            def remove_request(request, _remove=remove):
                try:
                    _remove(request)
                finally:
                    self.finished(request)

            slot.remove_request = remove_request

        def close(self, reason):
            # Every request this worker popped has been finished and acknowledged
            # by now; anything left (an ack Redis did not take) goes back.
            try:
                n, _ = self._requeue(keys=self.keys.requeue(self.worker), args=[self.worker, "0"])
                if n:
                    logger.warning("%d unfinished requests of this worker are back in the shared queue", n)
            except Exception as e:  # Redis gone: the others re-queue them when our heartbeat expires
                logger.warning("could not return unfinished requests to Redis: %s", e)

        def enqueue_request(self, request):
            if not self.queue.push_unseen(request, self.df):
                self.df.log(request, self.spider)
                return False
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True

        def next_request(self):
            while True:
                got = self.queue.pop_claim(self.processing_key, f"{next(self._tokens)}")
                if got is None:
                    return None
                data, field = got
                try:
                    request = self.queue.decode(data)
                except Exception as e:
                    logger.error("dropping an unreadable request from the shared queue: %s", e)
                    self.server.hdel(self.processing_key, field)
                    continue
                self._claims[request] = field
                if self.stats:
                    self.stats.inc_value("scheduler/dequeued/redis")
                return request

        def finished(self, request):
            field = self._claims.pop(request, None)
            if field is None:
                return
            try:
                self.server.hdel(self.processing_key, field)
            except Exception as e:
                logger.warning("could not acknowledge %s in Redis: %s", request, e)

    Scheduler.queue_class = ClaimingQueue
    return Scheduler


def __getattr__(name):  # module attribute Scheduler, built on first use (scrapy-redis imported lazily)
    if name == "Scheduler":
        cls = _make_scheduler()
        cls.__module__ = __name__
        cls.__qualname__ = "Scheduler"
        globals()["Scheduler"] = cls
        return cls
    raise AttributeError(name)

