"""What ``seed``, ``status`` and ``clear`` share: the Redis connection and the spider class."""

from __future__ import annotations

import os

from newscrawler.argtypes import unknown_name
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
        raise CliError(f"{args.command}: {unknown_name('spider', args.spider, loader.list())}") from None


HELP_URL = "Redis URL (default: the NEWSCRAWLER_REDIS_URL environment variable)"


def add_command(sub, name: str, help: str, func):
    """A sub-command that names a spider and may name its Redis: ``seed``, ``status``, ``clear``."""
    p = sub.add_parser(name, help=help)
    p.add_argument("spider")
    p.add_argument("--redis-url", default=None, help=HELP_URL)
    p.set_defaults(func=func)
    return p
