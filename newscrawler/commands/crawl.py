"""``scrapy crawl`` with newscrawler's checks first.

An unknown spider, a broken profile, a wrong ``-a`` value or an output folder
that cannot be written gives one line on stderr and exit code 2 before Scrapy
starts anything (no log banner, no traceback).
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawler.output import check_writable
from newscrawler.profiles import ProfileError
from newscrawler.spiders.base import ArgumentError


def fail(message: str) -> None:
    print(f"newscrawler: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


class Command(ScrapyCrawl):
    def process_options(self, args, opts):
        try:
            super().process_options(args, opts)
        except UsageError as e:
            if str(e):
                fail(str(e))
            raise
        if len(args) != 1:
            return  # Scrapy's own usage message
        name = args[0]
        loader = get_spider_loader(self.settings)
        known = loader.list()
        if name not in known:
            fail(f"unknown spider {name!r}; known: {', '.join(sorted(known))}")
        check = getattr(loader.load(name), "check_arguments", None)
        if check is not None:
            try:
                check(dict(opts.spargs))
            except (ArgumentError, ProfileError) as e:
                fail(str(e))
        check_settings = getattr(loader.load(name), "check_settings", None)  # e.g. a browser for render_js
        if check_settings is not None:
            try:
                check_settings(dict(opts.spargs), self.settings)
            except (ArgumentError, ProfileError) as e:
                fail(str(e))
        if opts.spargs.get("replay"):  # -a replay=ARCHIVE: the archives must be there
            from newscrawler.reparse import ReparseError, archive_files

            try:
                archive_files([p for p in opts.spargs["replay"].split(",") if p.strip()])
            except ReparseError as e:
                fail(f"replay: {e}")
        try:
            check_writable(self.settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data")
        except OSError as e:
            fail(str(e))
        try:  # distributed mode (NEWSCRAWLER_REDIS_URL): Redis must answer
            from newscrawler.distributed import check_settings as check_redis

            check_redis(self.settings)
        except ValueError as e:
            fail(str(e))
