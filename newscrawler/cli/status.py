"""``python -m newscrawler status SPIDER``: a distributed crawl's queue, workers and records written."""

from __future__ import annotations

import json

from newscrawler.cli._redis import HELP_URL, _server, _spider_class


def cmd_status(args) -> int:
    from newscrawler import distributed

    _spider_class(args)
    server, _ = _server(args)
    print(json.dumps(distributed.status(server, distributed.Keys(args.spider)), indent=2))
    return 0


def add_parser(sub) -> None:
    help_url = HELP_URL
    s = sub.add_parser("status", help="distributed crawl: queue, workers, records written")
    s.add_argument("spider")
    s.add_argument("--redis-url", default=None, help=help_url)
    s.set_defaults(func=cmd_status)
