"""``scrapy check [NAME]``: the profiles' contracts (``newscrawler/contracts.py``).

Nothing is written and the seen-store is not opened (``DEBUG_SETTINGS``); a
spider needs no start URL here, each contract names its page.
"""

from __future__ import annotations

from scrapy.commands.check import Command as ScrapyCheck

from newscrawler.commands import debug_settings


class Command(ScrapyCheck):
    def process_options(self, args, opts):
        super().process_options(args, opts)
        debug_settings(self.settings)
