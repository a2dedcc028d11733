"""``python -m newscrawler seed SPIDER URL...``: start a distributed crawl.

It pushes the start requests once, through the shared dupefilter, into the
shared queue, and marks the crawl seeded (workers then only join it).
``status`` and ``clear`` (their own modules) show and end a crawl.

The Redis URL comes from ``--redis-url`` or the ``NEWSCRAWLER_REDIS_URL``
environment variable.
"""

from __future__ import annotations

import socket

from newscrawler.cli import CliError
from newscrawler.cli._redis import _server, _spider_class, add_command


def cmd_seed(args) -> int:
    from scrapy_redis.dupefilter import RFPDupeFilter

    from newscrawler import distributed
    from newscrawler.profiles import ProfileError
    from newscrawler.spiders.base import ArgumentError

    cls = _spider_class(args)
    try:
        spider = cls(start_url=",".join(args.urls)) if args.urls else cls()
    except (ArgumentError, ProfileError) as e:
        if not args.urls and "no start URL" in str(e):
            raise CliError(f"seed: {args.spider} has no start URL of its own: "
                           f"python -m newscrawler seed {args.spider} URL...") from None
        raise CliError(f"seed: {e}") from None
    server, url = _server(args)
    keys = distributed.Keys(spider.name)
    if args.clear:
        distributed.clear(server, keys)
    dupefilter = RFPDupeFilter(server, key=keys.dupefilter)
    from newscrawler.distributed.scheduler import Scheduler

    queue = Scheduler.queue_class(server, spider, keys.requests)
    queued = seen = 0
    for start in spider.start_urls:
        if queue.push_unseen(spider.request(spider.canonical(start)), dupefilter):
            queued += 1
        else:
            seen += 1
    server.set(keys.seeded, f"seed@{socket.gethostname()}")
    print(f"seeded {spider.name}: {queued} start requests queued, {seen} already seen, "
          f"in {distributed.safe_url(url)}")
    if seen and not queued:
        print(f"(all were crawled already: python -m newscrawler clear {spider.name} starts over)")
    return 0


def add_parser(sub) -> None:
    p = add_command(sub, "seed", "distributed crawl: queue the start requests once", cmd_seed)
    p.add_argument("urls", nargs="*", metavar="URL", help="start URLs (default: the profile's start_urls)")
    p.add_argument("--clear", action="store_true", help="clear the spider's earlier crawl first")
