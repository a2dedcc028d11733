"""Distributed crawling: any number of ``scrapy crawl`` workers share one crawl in Redis.

Built on scrapy-redis (its Redis priority queue, request serialisation and
dupefilter), with the pieces scrapy-redis 0.9.1 lacks on Scrapy 2.19 owned here.

Switch: the setting ``NEWSCRAWLER_REDIS_URL`` (or the environment variable of
the same name). :class:`DistributedAddon` (listed in ``ADDONS`` in settings.py)
then sets the scheduler, the dupefilter, the seed-once spider middleware, the
coordinator extension and the claiming writer. Without it this module only
costs an import of nothing: redis and scrapy_redis are imported lazily.

Redis keys, all under ``<spider>:`` (``python -m newscrawler clear SPIDER``
deletes them):

========================  =====================================================
``requests``              the shared frontier (sorted set, scrapy-redis format)
``dupefilter``            request fingerprints already scheduled (scrapy-redis)
``processing:<worker>``   requests a worker popped and has not finished (hash)
``alive:<worker>``        the worker's heartbeat (expires ``HEARTBEAT_TTL`` s)
``workers``               ids of workers that may hold ``processing`` entries
``seeded``                set once, by the seed command or the first worker
``records``               ids of the articles claimed (written, or being written)
``skipped``               per worker, the articles it skipped as already known (hash;
                          the heartbeat updates it): ``min_records`` judges the crawl
``pending:<worker>``      the worker's claims not yet confirmed (hash: id -> story, url)
``stories``               outlet+headline -> publication times (story dedupe)
========================  =====================================================

Nothing lost: a request moves atomically from ``requests`` to the worker's
``processing`` hash when popped, and leaves it only once Scrapy is done with it
(the response went through the spider and every item through the pipelines,
or a retry/redirect was scheduled). Workers re-queue the ``processing``
entries of workers whose heartbeat expired (a SIGKILL, a lost machine).

At least once, with stable ids: the writer claims the article's id (and its
story) in Redis with one atomic script right before its single ``os.write``;
the claim stays pending (``pending:<worker>``) until the write completed and is
then confirmed. Re-queueing a dead worker's requests releases its pending
claims in the same Lua step, so that the re-fetched article is claimed and
written again. A re-fetched article whose claim was confirmed is dropped as a
duplicate; one whose dead worker wrote it but did not confirm is written again
(one duplicate line, same id; ``python -m newscrawler merge`` keeps one).
"""

from newscrawler.distributed.common import (  # noqa: F401  (the package's public names)
    DEFAULTS, ENV, Keys, check, check_settings, clear, clear_prefix, connect, default_worker_id, enabled,
    redis_url, safe_url, status,
)
from newscrawler.distributed.seen_store import RedisSeenStore, seen_prefix, seen_store_for  # noqa: F401


class DistributedAddon:
    """Turns distributed mode on when ``NEWSCRAWLER_REDIS_URL`` is set (setting or environment)."""

    def update_settings(self, settings) -> None:
        url = redis_url(settings)
        if not url or settings.getbool("NEWSCRAWLER_DEBUG"):  # scrapy parse / shell / check stay local
            return
        put = lambda name, value: settings.set(name, value, priority="addon")  # noqa: E731
        put("NEWSCRAWLER_DISTRIBUTED", True)
        put("NEWSCRAWLER_REDIS_URL", url)
        put("REDIS_URL", url)
        put("SCHEDULER", "newscrawler.distributed.scheduler.Scheduler")
        put("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter")
        put("SCHEDULER_PERSIST", True)  # a closing worker must never flush the shared queue
        put("SCHEDULER_QUEUE_KEY", "%(spider)s:requests")
        put("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:dupefilter")
        for name, value in DEFAULTS.items():
            put(name, value)
        if not settings.get("NEWSCRAWLER_WORKER_ID"):
            put("NEWSCRAWLER_WORKER_ID", default_worker_id())
        pipelines = settings["ITEM_PIPELINES"]
        for path, order in list(pipelines.items()):
            if path == "newscrawler.pipelines.dedupe.DedupePipeline":
                pipelines[path] = None  # the claim in Redis de-duplicates across workers
            elif path == "newscrawler.pipelines.write.JsonLinesWriterPipeline" and order is not None:
                pipelines[path] = None
                pipelines["newscrawler.distributed.writer.ClaimingWriterPipeline"] = order
        settings["EXTENSIONS"]["newscrawler.distributed.coordinator.Coordinator"] = 600
        settings["SPIDER_MIDDLEWARES"]["newscrawler.distributed.coordinator.SeedOnce"] = 50

