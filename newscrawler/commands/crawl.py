"""``scrapy crawl`` with newscrawler's checks first.

An unknown spider, a broken profile, a wrong ``-a`` value or an output folder
that cannot be written gives one line on stderr and exit code 2 before any
crawling starts, instead of a traceback.
"""

from __future__ import annotations

import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from newscrawler.output import check_writable
from newscrawler.profiles import ProfileError
from newscrawler.spiders.base import ArgumentError


class Command(ScrapyCrawl):
    def _fail(self, message: str) -> None:
        print(f"newscrawler: error: {message}", file=sys.stderr)
        self.exitcode = 2

    def run(self, args, opts):
        if len(args) == 1:
            name = args[0]
            loader = self.crawler_process.spider_loader
            known = loader.list()
            if name not in known:
                return self._fail(f"unknown spider {name!r}; known: {', '.join(sorted(known))}")
            cls = loader.load(name)
            check = getattr(cls, "check_arguments", None)
            if check is not None:
                try:
                    check(dict(opts.spargs))
                except (ArgumentError, ProfileError) as e:
                    return self._fail(str(e))
            try:
                check_writable(self.settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data")
            except OSError as e:
                return self._fail(str(e))
        return super().run(args, opts)
