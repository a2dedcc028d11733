"""``python -m newscrawler status SPIDER``: a distributed crawl's queue, workers and records written."""

from __future__ import annotations

import json

from newscrawler.cli._redis import _server, _spider_class, add_command


def cmd_status(args) -> int:
    from newscrawler import distributed

    _spider_class(args)
    server, _ = _server(args)
    print(json.dumps(distributed.status(server, distributed.Keys(args.spider)), indent=2))
    return 0


def add_parser(sub) -> None:
    add_command(sub, "status", "distributed crawl: queue, workers, records written", cmd_status)
