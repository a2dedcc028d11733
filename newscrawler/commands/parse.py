"""``scrapy parse --spider=NAME URL`` with the project's spiders.

Without ``-a start_url`` the host is the URL's; the items shown are whole
records (``id`` included); nothing is written and the seen-store is not
opened (``DEBUG_SETTINGS``). Wrong ``-a``/``-s`` values are one line, exit 2,
as for ``scrapy crawl``.
"""

from __future__ import annotations

from scrapy.commands.parse import Command as ScrapyParse

from newscrawler.commands import debug_settings
from newscrawler.commands.crawl import check_spider, scrapy_options


class Command(ScrapyParse):
    def process_options(self, args, opts):
        scrapy_options(super().process_options, args, opts)
        url = args[0] if len(args) == 1 else None
        debug_settings(self.settings, url)
        if opts.spider and url:
            check_spider(self.settings, opts.spider, {"start_url": url, **opts.spargs},
                         [pair.partition("=")[0] for pair in opts.set], output=False)
