"""``scrapy shell URL --spider=NAME [-a NAME=VALUE ...]`` with the project's spiders.

Without ``-a start_url`` the host is the URL's; ``-a`` (which Scrapy's shell
lacks) passes spider arguments; nothing is written and the seen-store is not
opened (``DEBUG_SETTINGS``). Wrong ``-a``/``-s`` values are one line, exit 2, as for
``scrapy crawl``.
"""

from __future__ import annotations

from scrapy.commands.shell import Command as ScrapyShell
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.url import guess_scheme

from newscrawler.commands import debug_settings
from newscrawler.commands.crawl import check_spider, scrapy_options


class Command(ScrapyShell):
    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="set spider argument (may be repeated)")

    def process_options(self, args, opts):
        scrapy_options(super().process_options, args, opts)
        try:
            spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None
        url = guess_scheme(args[0]) if args else None
        debug_settings(self.settings, url, spargs)
        if opts.spider:  # a wrong -a name or value, an unknown spider: one line, exit 2, as for crawl and parse
            check_spider(self.settings, opts.spider, {"start_url": url, **spargs} if url else spargs,
                         [pair.partition("=")[0] for pair in opts.set], output=False)
