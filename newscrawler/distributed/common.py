"""What every part of distributed mode shares: the switch, the Redis connection,
the crawl's keys, and the status/clear operations of ``seed``/``status``/``clear``."""

from __future__ import annotations

import logging
import os
import socket
from urllib.parse import urlsplit, urlunsplit

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
        self.skipped = f"{spider}:skipped"  # worker -> articles it skipped as already known (incremental)
        self.pattern = f"{spider}:*"

    def processing(self, worker: str) -> str:
        return f"{self.spider}:processing:{worker}"

    def alive(self, worker: str) -> str:
        return f"{self.spider}:alive:{worker}"

    def pending(self, worker: str) -> str:
        return f"{self.spider}:pending:{worker}"

    def requeue(self, worker: str) -> list[str]:
        """The keys of the ``REQUEUE`` script for ``worker``."""
        return [self.processing(worker), self.requests, self.workers, self.alive(worker), self.pending(worker),
                self.records, self.stories]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _server(settings):
    from scrapy_redis.connection import get_redis_from_settings

    return get_redis_from_settings(settings)


def status(server, keys: Keys) -> dict:
    """Queue length, workers (alive or not) with their unfinished requests and
    claims not yet confirmed, records claimed."""
    workers = {}
    for raw in sorted(server.smembers(keys.workers)):
        w = _text(raw)
        workers[w] = {"alive": bool(server.exists(keys.alive(w))), "processing": server.hlen(keys.processing(w)),
                      "pending_claims": server.hlen(keys.pending(w))}
    seeded = server.get(keys.seeded)
    return {
        "queued": server.zcard(keys.requests),
        "seen_requests": server.scard(keys.dupefilter),
        "records": server.scard(keys.records),
        "seeded_by": _text(seeded) if seeded is not None else None,
        "workers": workers,
    }


def publish_skipped(pipe, keys: Keys, worker: str, stats) -> None:
    """Put this worker's count of articles skipped as already known where every worker sees it
    (with each heartbeat, and as it closes): an idle worker of an unchanged site's re-crawl
    wrote nothing and skipped nothing itself, and its ``min_records`` must judge the crawl."""
    from newscrawler.monitors import INCREMENTAL_SKIPPED_STAT

    pipe.hset(keys.skipped, worker, int(stats.get_value(INCREMENTAL_SKIPPED_STAT) or 0))


def crawl_skipped(server, keys: Keys) -> int:
    """Articles skipped as already known by all the crawl's workers."""
    return sum(int(v) for v in server.hvals(keys.skipped))


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

