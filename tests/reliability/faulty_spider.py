"""A kashaf spider whose page parser has a bug on one page (fault injection for the tests).

Loaded with ``-s SPIDER_MODULES=newscrawler.spiders,tests.reliability.faulty_spider``; the page is
the one whose URL ends with the ``FAULTY_PAGE`` environment variable. Everything else is the real
spider, the real pipelines and the real monitors.
"""

import os

from newscrawler.parsing.page import PageParser
from newscrawler.spiders.profiles import KashafSpider


class _BuggyParser(PageParser):
    def parse(self, url, body, content_type=None, **options):
        if url.endswith(os.environ["FAULTY_PAGE"]):
            raise RuntimeError("a parser bug on this page\nwith a second line that must not reach the reject")
        return super().parse(url, body, content_type, **options)


class FaultySpider(KashafSpider):
    name = "faulty"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parser = _BuggyParser(self.profile.rules)
