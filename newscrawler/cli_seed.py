"""``python -m newscrawler seed|status|clear``: a distributed crawl's shared state in Redis.

* ``seed SPIDER URL...`` pushes the start requests once, through the shared
  dupefilter, into the shared queue, and marks the crawl seeded (workers then
  only join it);
* ``status SPIDER`` shows the queue, the workers and the records written;
* ``clear SPIDER`` deletes a finished crawl's keys (queue, dupefilter, written
  ids); ``--seen`` also forgets the incremental seen-store.

The Redis URL comes from ``--redis-url`` or the ``NEWSCRAWLER_REDIS_URL``
environment variable.
"""

from __future__ import annotations

import json
import os
import socket

from newscrawler.cli import CliError


def _server(args):
    from newscrawler import distributed

    url = args.redis_url or os.environ.get(distributed.ENV)
    if not url:
        raise CliError(f"{args.command}: no Redis: set NEWSCRAWLER_REDIS_URL or pass --redis-url")
    try:
        distributed.check(url)
        return distributed.connect(url), url
    except ValueError as e:
        raise CliError(f"{args.command}: {e}") from None


def _spider_class(args):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawler.settings")
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    loader = get_spider_loader(get_project_settings())
    try:
        return loader.load(args.spider)
    except KeyError:
        raise CliError(f"{args.command}: unknown spider {args.spider!r}; known: {', '.join(sorted(loader.list()))}") \
            from None


def cmd_seed(args) -> int:
    from scrapy_redis.dupefilter import RFPDupeFilter

    from newscrawler import distributed
    from newscrawler.processors.urls import canonical_url
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
    queue = distributed.Scheduler.queue_class(server, spider, keys.requests)
    queued = seen = 0
    for start in spider.start_urls:
        if queue.push_unseen(spider.request(canonical_url(start)), dupefilter):
            queued += 1
        else:
            seen += 1
    server.set(keys.seeded, f"seed@{socket.gethostname()}")
    print(f"seeded {spider.name}: {queued} start requests queued, {seen} already seen, "
          f"in {distributed.safe_url(url)}")
    if seen and not queued:
        print(f"(all were crawled already: python -m newscrawler clear {spider.name} starts over)")
    return 0


def cmd_status(args) -> int:
    from newscrawler import distributed

    _spider_class(args)
    server, _ = _server(args)
    print(json.dumps(distributed.status(server, distributed.Keys(args.spider)), indent=2))
    return 0


def cmd_clear(args) -> int:
    from newscrawler import distributed

    _spider_class(args)
    server, url = _server(args)
    keys = distributed.Keys(args.spider)
    alive = [w for w, s in distributed.status(server, keys)["workers"].items() if s["alive"]]
    if alive and not args.force:
        raise CliError(f"clear: {len(alive)} workers are still running ({', '.join(alive[:5])}); "
                       "stop them first, or pass --force")
    n = distributed.clear(server, keys)
    if args.seen:
        n += distributed.clear_prefix(server, distributed.seen_prefix(args.spider))
    print(f"cleared {args.spider}: {n} keys deleted in {distributed.safe_url(url)}")
    return 0


def add_parser(sub) -> None:
    help_url = "Redis URL (default: the NEWSCRAWLER_REDIS_URL environment variable)"
    p = sub.add_parser("seed", help="distributed crawl: queue the start requests once")
    p.add_argument("spider")
    p.add_argument("urls", nargs="*", metavar="URL", help="start URLs (default: the profile's start_urls)")
    p.add_argument("--redis-url", default=None, help=help_url)
    p.add_argument("--clear", action="store_true", help="clear the spider's earlier crawl first")
    p.set_defaults(func=cmd_seed)

    s = sub.add_parser("status", help="distributed crawl: queue, workers, records written")
    s.add_argument("spider")
    s.add_argument("--redis-url", default=None, help=help_url)
    s.set_defaults(func=cmd_status)

    c = sub.add_parser("clear", help="distributed crawl: delete a finished crawl's keys in Redis")
    c.add_argument("spider")
    c.add_argument("--redis-url", default=None, help=help_url)
    c.add_argument("--seen", action="store_true", help="also forget the incremental seen-store")
    c.add_argument("--force", action="store_true", help="even while workers are running")
    c.set_defaults(func=cmd_clear)
