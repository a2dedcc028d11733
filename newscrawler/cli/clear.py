"""``python -m newscrawler clear SPIDER``: delete a finished distributed crawl's keys in Redis."""

from __future__ import annotations

from newscrawler.cli import CliError
from newscrawler.cli._redis import _server, _spider_class, add_command


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
    c = add_command(sub, "clear", "distributed crawl: delete a finished crawl's keys in Redis", cmd_clear)
    c.add_argument("--seen", action="store_true", help="also forget the incremental seen-store")
    c.add_argument("--force", action="store_true", help="even while workers are running")
