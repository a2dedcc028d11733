"""``scrapy shell URL --spider=NAME [-a NAME=VALUE ...]`` with the project's spiders.

Without ``-a start_url`` the host is the URL's; ``-a`` (which Scrapy's shell
lacks) passes spider arguments; nothing is written and the seen-store is not
opened (``DEBUG_SETTINGS``).
"""

from __future__ import annotations

from scrapy.commands.shell import Command as ScrapyShell
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.url import guess_scheme

from newscrawler.commands import debug_settings


class Command(ScrapyShell):
    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="set spider argument (may be repeated)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        try:
            spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None
        debug_settings(self.settings, guess_scheme(args[0]) if args else None, spargs)
