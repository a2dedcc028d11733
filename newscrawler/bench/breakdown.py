"""Where the kashaf spider's time goes, beside the bare spider (``bench --only breakdown``).

The kashaf spider is crawled over the same site four ways, each in a process of
its own, and every figure is a difference of two crawls of the same pages:

* ``record``: the kashaf spider as it is, keeping every response it received
  (url, body, content type) in a file;
* ``pages``: the parser's output for every recorded page is worked out before the
  crawl starts, and the spider is handed it instead of parsing: what is left is
  the crawl without the parser;
* ``items``: the records too (the item loader's output) are made beforehand;
* ``items`` without ``ITEM_PIPELINES``: the pipelines' share.

Nothing here is used by a crawl; it is a measuring instrument.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

GIVEN = ("pages", "items")


def _recorded(dump: str):
    """The (url, body, content type) of each response in ``dump``: a JSON line, then the body's bytes."""
    with open(dump, "rb") as f:
        while head := f.readline():
            url, ctype, size = json.loads(head)
            yield url, f.read(size), ctype


def recording_class(spidercls: type, dump: str) -> type:
    """``spidercls`` that writes every response it receives to ``dump`` (``_recorded`` reads it)."""

    class Recording(spidercls):
        def parse(self, response):
            out = getattr(self, "_dump", None)
            if out is None:
                out = self._dump = open(dump, "wb")  # noqa: SIM115 - closed with the spider
            ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
            out.write(json.dumps([response.url, ctype, len(response.body)]).encode() + b"\n" + response.body)
            yield from super().parse(response)

        def closed(self, reason):
            if getattr(self, "_dump", None) is not None:
                self._dump.close()

    Recording.__name__ = f"Recording{spidercls.__name__}"
    return Recording


def given_class(spidercls: type, dump: str, given: str) -> type:
    """``spidercls`` handed, for every recorded page, the parser's output (``pages``) or the
    parser's and the item loader's (``items``), both worked out here, before the crawl."""
    from newscrawler.items import article_item
    from newscrawler.parsing.page import PageParser
    from newscrawler.profiles import load

    recorded = list(_recorded(dump))
    profile = load(spidercls.name)
    parser = PageParser(profile.rules)
    now = datetime.now(timezone.utc)
    pages = {url: parser.parse(url, body, ctype) for url, body, ctype in recorded}
    items = {url: article_item(p, spidercls.name, profile.timezone, now, profile.url_rules)
             for url, p in pages.items() if p.kind == "article"} if given == "items" else {}

    class Given(spidercls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.parser.parse = lambda url, body, content_type=None, **_: pages[url]

        def make_item(self, response, page):
            return items[response.url] if given == "items" else super().make_item(response, page)

    Given.__name__ = f"Given{given.title()}{spidercls.__name__}"
    return Given
