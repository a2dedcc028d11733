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
``records``               ids of the articles written (exactly-once writing)
``stories``               outlet+headline -> publication times (story dedupe)
========================  =====================================================

Nothing lost: a request moves atomically from ``requests`` to the worker's
``processing`` hash when popped, and leaves it only once Scrapy is done with it
(the response went through the spider and every item through the pipelines,
or a retry/redirect was scheduled). Workers re-queue the ``processing``
entries of workers whose heartbeat expired (a SIGKILL, a lost machine).

Written once: the writer claims the article's id (and its story) in Redis with
one atomic script right before its single ``os.write``. A re-fetched article
that a dead worker already wrote is dropped as a duplicate. The one window
left: a worker killed after the claim and before its write completes (a few
microseconds; the line is already encoded) loses that article.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import socket
import time
from urllib.parse import urlsplit, urlunsplit

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from newscrawler.output import dumps
from newscrawler.pipelines import Duplicate
from newscrawler.pipelines.write import JsonLinesWriterPipeline

logger = logging.getLogger(__name__)

ENV = "NEWSCRAWLER_REDIS_URL"
DEFAULTS = {
    "NEWSCRAWLER_REDIS_IDLE_SECONDS": 30.0,   # stop after the whole crawl was idle this long
    "NEWSCRAWLER_REDIS_HEARTBEAT_TTL": 15.0,  # a silent worker is dead after this many seconds
    "NEWSCRAWLER_REDIS_POLL_SECONDS": 1.0,    # heartbeat, re-queueing and idle checks
}


# ---------------------------------------------------------------- switch
def redis_url(settings=None) -> str | None:
    """The Redis URL that turns distributed mode on, or None."""
    value = settings.get("NEWSCRAWLER_REDIS_URL") if settings is not None else None
    return (value or os.environ.get(ENV) or "").strip() or None


def enabled(settings) -> bool:
    return settings.getbool("NEWSCRAWLER_DISTRIBUTED") and bool(redis_url(settings))


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def safe_url(url: str) -> str:
    """``url`` without its password, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        user = f"{parts.username}:***@" if parts.username else ":***@"
        return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))
    except ValueError:
        return "<unreadable URL>"


def connect(url: str, timeout: float = 30.0):
    """A Redis client for ``url``; raises ValueError with one clear line when unusable."""
    import redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"NEWSCRAWLER_REDIS_URL {safe_url(url)!r} is not a redis://, rediss:// or unix:// URL")
    try:
        server = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=min(timeout, 10.0),
                                      retry_on_timeout=True)
    except ValueError as e:
        raise ValueError(f"NEWSCRAWLER_REDIS_URL {safe_url(url)!r}: {e}") from None
    return server


def check(url: str) -> None:
    """Raise ValueError (one line) unless Redis at ``url`` answers."""
    import redis

    server = connect(url, timeout=5.0)
    try:
        server.ping()
    except redis.AuthenticationError as e:
        raise ValueError(f"Redis at {safe_url(url)} refused the password: {e}") from None
    except redis.ResponseError as e:
        raise ValueError(f"Redis at {safe_url(url)}: {e}") from None
    except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
        raise ValueError(f"cannot reach Redis at {safe_url(url)}: {e}") from None
    finally:
        server.close()


def check_settings(settings) -> None:
    """For ``scrapy crawl``: raise ValueError (one line) when distributed mode is on but unusable."""
    url = redis_url(settings)
    if url:
        check(url)


class Keys:
    """The Redis keys of one crawl (one spider name)."""

    def __init__(self, spider: str):
        self.spider = spider
        self.requests = f"{spider}:requests"
        self.dupefilter = f"{spider}:dupefilter"
        self.workers = f"{spider}:workers"
        self.seeded = f"{spider}:seeded"
        self.records = f"{spider}:records"
        self.stories = f"{spider}:stories"
        self.pattern = f"{spider}:*"

    def processing(self, worker: str) -> str:
        return f"{self.spider}:processing:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.spider}:alive:{worker}"


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


# ---------------------------------------------------------------- Lua
# Pop the best request and record it as being processed by this worker, atomically.
POP_CLAIM = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local field = ARGV[1] .. '|' .. r[2]
redis.call('HSET', KEYS[2], field, r[1])
return {r[1], field}
"""

# Mark a request seen and queue it in one step: a worker killed in between must
# not leave a request that counts as seen but was never queued. ARGV[1] = ''
# (dont_filter): queue without the dupefilter. Returns 1 when queued.
ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# Put a worker's unfinished requests back in the queue. ARGV[2] == '1': only when
# its heartbeat has expired (then it is also forgotten as a worker).
REQUEUE = """
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local h = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #h, 2 do
  local score = string.match(h[i], '|([^|]*)$')
  redis.call('ZADD', KEYS[2], tonumber(score) or 0, h[i + 1])
  n = n + 1
end
redis.call('DEL', KEYS[1])
if ARGV[2] == '1' then redis.call('SREM', KEYS[3], ARGV[1]) end
return n
"""

# Claim an article for writing: {0, ''} claimed; {1, ''} its id was written
# already; {2, url} the same story (outlet + headline within the window) was.
CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1, ''} end
if ARGV[3] ~= '' then
  local when = tonumber(ARGV[3])
  local seen = {}
  local raw = redis.call('HGET', KEYS[2], ARGV[2])
  if raw then seen = cjson.decode(raw) end
  for _, e in ipairs(seen) do
    if math.abs(e[1] - when) <= tonumber(ARGV[4]) then return {2, e[2]} end
  end
  table.insert(seen, {when, ARGV[5]})
  redis.call('HSET', KEYS[2], ARGV[2], cjson.encode(seen))
end
redis.call('SADD', KEYS[1], ARGV[1])
return {0, ''}
"""

# Undo a claim whose write failed.
UNCLAIM = """
redis.call('SREM', KEYS[1], ARGV[1])
local raw = redis.call('HGET', KEYS[2], ARGV[2])
if raw then
  local kept = {}
  for _, e in ipairs(cjson.decode(raw)) do
    if e[2] ~= ARGV[3] then table.insert(kept, e) end
  end
  if #kept == 0 then redis.call('HDEL', KEYS[2], ARGV[2])
  else redis.call('HSET', KEYS[2], ARGV[2], cjson.encode(kept)) end
end
return 1
"""


def requeue_dead(server, keys: Keys, exclude: str | None = None) -> int:
    """Re-queue the unfinished requests of every worker whose heartbeat expired."""
    script = server.register_script(REQUEUE)
    moved = 0
    for raw in server.smembers(keys.workers):
        worker = _text(raw)
        if worker == exclude:
            continue
        n = script(keys=[keys.processing(worker), keys.requests, keys.workers, keys.alive(worker)],
                   args=[worker, "1"])
        if n and n > 0:
            logger.warning("worker %s stopped answering: %d unfinished requests are back in the queue", worker, n)
            moved += n
    return moved


def status(server, keys: Keys) -> dict:
    """Queue length, workers (alive or not) with their unfinished requests, records written."""
    workers = {}
    for raw in sorted(server.smembers(keys.workers)):
        w = _text(raw)
        workers[w] = {"alive": bool(server.exists(keys.alive(w))), "processing": server.hlen(keys.processing(w))}
    seeded = server.get(keys.seeded)
    return {
        "queued": server.zcard(keys.requests),
        "seen_requests": server.scard(keys.dupefilter),
        "records": server.scard(keys.records),
        "seeded_by": _text(seeded) if seeded is not None else None,
        "workers": workers,
    }


def clear(server, keys: Keys) -> int:
    """Delete every key of the crawl; returns how many."""
    return clear_prefix(server, f"{keys.spider}:")


def clear_prefix(server, prefix: str) -> int:
    """Delete every key that starts with ``prefix``; returns how many."""
    pattern = "".join("\\" + c if c in "*?[]\\" else c for c in prefix) + "*"
    names = list(server.scan_iter(match=pattern, count=500))
    for i in range(0, len(names), 500):
        server.delete(*names[i:i + 500])
    return len(names)


# ---------------------------------------------------------------- add-on
class DistributedAddon:
    """Turns distributed mode on when ``NEWSCRAWLER_REDIS_URL`` is set (setting or environment)."""

    def update_settings(self, settings) -> None:
        url = redis_url(settings)
        if not url:
            return
        put = lambda name, value: settings.set(name, value, priority="addon")  # noqa: E731
        put("NEWSCRAWLER_DISTRIBUTED", True)
        put("NEWSCRAWLER_REDIS_URL", url)
        put("REDIS_URL", url)
        put("SCHEDULER", "newscrawler.distributed.Scheduler")
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
                pipelines["newscrawler.distributed.ClaimingWriterPipeline"] = order
        settings["EXTENSIONS"]["newscrawler.distributed.Coordinator"] = 600
        settings["SPIDER_MIDDLEWARES"]["newscrawler.distributed.SeedOnce"] = 50


def _server(settings):
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


# ---------------------------------------------------------------- scheduler
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
                n = self._requeue(keys=[self.processing_key, self.queue.key, self.keys.workers,
                                        self.keys.alive(self.worker)], args=[self.worker, "0"])
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


# ---------------------------------------------------------------- seeding
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
            self._requeue(keys=[self.keys.processing(self.worker), self.keys.requests, self.keys.workers,
                                self.keys.alive(self.worker)], args=[self.worker, "0"])
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
            if not self.server.hlen(self.keys.processing(self.worker)):
                pipe.srem(self.keys.workers, self.worker)
            pipe.execute()
        except Exception as e:
            logger.warning("Redis: %s", e)


# ---------------------------------------------------------------- writer
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


# ---------------------------------------------------------------- seen-store
class RedisSeenStore:
    """The incremental seen-store (``newscrawler.state.SeenStore``'s interface) in
    Redis, shared by all workers. Its keys (``newscrawler:seen:<spider>:*``) outlive
    ``clear`` (which ends one crawl); ``clear --seen`` forgets them too."""

    persistent = True
    problem = None

    def __init__(self, server, spider: str, url: str = ""):
        self.server = server
        self.base = seen_prefix(spider)
        self.path = f"{safe_url(url)} {self.base}*"
        self.host = socket.gethostname()
        self.previous_run = self._last_run()
        self.entries = self.count()

    def _k(self, name: str) -> str:
        return f"{self.base}{name}"

    def count(self) -> int:
        return self.server.hlen(self._k("entries"))

    def status(self, record_id: str) -> str | None:
        import json

        raw = self.server.hget(self._k("entries"), record_id)
        return json.loads(raw)["status"] if raw else None

    def has(self, record_id: str) -> bool:
        return bool(self.server.hexists(self._k("entries"), record_id))

    def add(self, record_id, content=None, published_at=None, url=None, status="written") -> None:
        import json

        from newscrawler.state import WRITTEN, _now

        now = _now()
        old = self.server.hget(self._k("entries"), record_id)
        entry = json.loads(old) if old else {"first_seen": now}
        before = entry.get("content_hash")
        if not old or status == WRITTEN:
            entry["status"] = status
        for name, value in (("content_hash", content), ("published_at", published_at), ("url", url)):
            if value is not None:
                entry[name] = value
        entry["last_seen"] = now
        pipe = self.server.pipeline()
        pipe.hset(self._k("entries"), record_id, json.dumps(entry))
        if before and before != entry.get("content_hash"):
            pipe.hdel(self._k(f"content:{before}"), record_id)
        if entry.get("content_hash") and entry["status"] == WRITTEN:
            pipe.hset(self._k(f"content:{entry['content_hash']}"), record_id,
                      json.dumps([entry.get("url"), entry.get("published_at")]))
        pipe.execute()

    def find_story(self, content: str) -> list:
        import json

        return [(_text(k), *json.loads(v)) for k, v in self.server.hgetall(self._k(f"content:{content}")).items()]

    def _runs(self) -> dict:
        import json

        return {_text(k): json.loads(v) for k, v in self.server.hgetall(self._k("runs")).items()}

    def _last_run(self) -> dict | None:
        runs = self._runs()
        if not runs:
            return None
        name, run = max(runs.items(), key=lambda kv: (kv[1]["started"], kv[1].get("t", 0.0)))
        return {"output_file": name, "started": run["started"], "finished": run.get("finished"),
                "reason": run.get("reason")}

    def unfinished_runs(self) -> list[str]:
        # only this machine's: another machine's output files cannot be seen from here
        return [n for n, r in self._runs().items() if not r.get("finished") and r.get("host") == self.host]

    def run_started(self, output_file: str) -> None:
        import json

        from newscrawler.state import _now

        run = {"started": _now(), "t": time.time(), "host": self.host}
        self.server.hset(self._k("runs"), output_file, json.dumps(run))

    def run_finished(self, output_file: str, reason: str) -> None:
        import json

        from newscrawler.state import _now

        raw = self.server.hget(self._k("runs"), output_file)
        run = json.loads(raw) if raw else {"started": _now(), "t": time.time(), "host": self.host}
        run.update(finished=_now(), reason=reason)
        self.server.hset(self._k("runs"), output_file, json.dumps(run))

    def adopt(self, path) -> int:
        from newscrawler.state import written_entries

        n = 0
        for entry in written_entries(path):
            self.add(*entry)
            n += 1
        return n

    def close(self) -> None:
        pass


def seen_prefix(spider: str) -> str:
    return f"newscrawler:seen:{spider}:"


def seen_store_for(crawler, spider_name: str):
    """The Redis seen-store in distributed mode, else None (``newscrawler.state.store_for``)."""
    if not enabled(crawler.settings):
        return None
    return RedisSeenStore(_server(crawler.settings), spider_name, redis_url(crawler.settings))
