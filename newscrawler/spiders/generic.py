"""GenericSpider: news sites without a profile (navigation only).

``scrapy crawl generic -a start_url=URL`` finds articles through

* ``sitemap``: the ``Sitemap:`` lines of robots.txt (else ``/sitemap.xml``),
  sitemap indexes, sitemaps and Google News sitemaps;
* ``feed``: the RSS/Atom feeds a page announces
  (``<link rel="alternate" type="application/rss+xml">``), or a start URL that
  is itself a feed or a sitemap;
* ``links``: the site's own links, page by page.

``-a discover=sitemap,feed`` picks the ways (default: all three). Other
arguments: ``-a timezone=Asia/Beirut`` (dates without an offset are that zone's
local time; default: none, dates keep their own offset), ``-a
article_pattern=REGEX`` (only matching URLs become records).

What a page says is ``newscrawler.parsing.generic``'s job; records go through
the same pipelines as the profiles' (scores null, ``related`` empty,
``aggregator`` "generic").
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import scrapy

from newscrawler import profiles
from newscrawler.items import ArticleLoader, complete, fetch_time, utc_stamp
from newscrawler.parsing import discovery
from newscrawler.parsing.generic import GenericParser, normalize_date
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import canonical_url
from newscrawler.spiders.base import (
    IGNORED_SUFFIXES, ArgumentError, ProfileSpider, _start_urls, check_argument_names, debug_arguments,
    parse_error, read_page,
)

DISCOVERY = ("sitemap", "feed", "links")


class GenericSpider(scrapy.Spider):
    name = "generic"
    custom_settings: dict = {}
    ARGUMENTS = ("start_url", "discover", "timezone", "article_pattern", "replay")

    # -------------------------------------------------------- arguments
    @classmethod
    def resolve(cls, kwargs: dict) -> dict:
        """Check the ``-a`` arguments; raises ArgumentError (one line)."""
        check_argument_names(cls, kwargs)
        if not kwargs.get("start_url"):
            raise ArgumentError("generic: no start URL: pass -a start_url=URL (one or more, comma-separated)")
        opts = {"start_urls": _start_urls(kwargs["start_url"])}
        ways = [w.strip() for w in str(kwargs.get("discover") or ",".join(DISCOVERY)).split(",") if w.strip()]
        bad = [w for w in ways if w not in DISCOVERY]
        if bad or not ways:
            raise ArgumentError(f"generic: discover={kwargs.get('discover')!r}: use one or more of {', '.join(DISCOVERY)}")
        opts["discover"] = tuple(ways)
        tz = kwargs.get("timezone") or None
        if tz is not None:
            try:
                ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError):
                raise ArgumentError(f"generic: unknown time zone {tz!r}") from None
        opts["timezone"] = tz
        pattern = kwargs.get("article_pattern") or None
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as e:
                raise ArgumentError(f"generic: bad article_pattern {pattern!r}: {e}") from None
        opts["article_pattern"] = pattern
        return opts

    @classmethod
    def check_arguments(cls, kwargs: dict) -> None:
        cls.resolve(kwargs)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if crawler.settings.getbool("NEWSCRAWLER_DEBUG"):  # scrapy parse / shell: the host of the URL given
            kwargs = debug_arguments(crawler.settings, kwargs)
        return super().from_crawler(crawler, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spider_args = dict(kwargs)  # the -a arguments, as given (the archive keeps them for reparse)
        opts = self.resolve(kwargs)
        self.start_urls = opts["start_urls"]
        self.discover = opts["discover"]
        self.tz = opts["timezone"]
        self._article_re = re.compile(opts["article_pattern"]) if opts["article_pattern"] else None
        hosts = {urlsplit(u).hostname for u in self.start_urls}
        self.allowed_domains = sorted(h for h in hosts if h)
        self._hosts = set(self.allowed_domains)
        self.parser = GenericParser(self.tz)
        # no profile file, but the run's monitors read their thresholds from one:
        # scores are null by design here, so no field coverage is required
        self.profile = profiles.Profile(name=self.name, path=Path(__file__), timezone=self.tz,
                                        monitoring={**profiles.MONITORING_DEFAULTS, "min_coverage": {},
                                                    "max_http_error_ratio": 0.2})

    # -------------------------------------------------------- navigation
    async def start(self):
        for url in self.start_urls:
            url = canonical_url(url)
            parts = urlsplit(url)
            root = f"{parts.scheme}://{parts.netloc}"
            path = parts.path.lower()
            if path.endswith((".xml", ".xml.gz", ".rss", ".atom")) or "sitemap" in path or "feed" in path:
                yield self._req(url, self.parse_index, meta={"index_url": url})
                continue
            if "sitemap" in self.discover:
                yield self._req(root + "/robots.txt", self.parse_robots, meta={"root": root})
            if "feed" in self.discover or "links" in self.discover:
                yield self._req(url, self.parse_page)

    def _req(self, url: str, callback, **kwargs) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, **kwargs)

    def wanted(self, url: str) -> bool:
        """On a start URL's host, not a file download."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = parts.hostname or ""
        if not any(host == h or host.endswith("." + h) for h in self._hosts):
            return False
        return not parts.path.lower().endswith(IGNORED_SUFFIXES)

    def parse_robots(self, response):
        found = []
        if response.status == 200:
            found = discovery.robots_sitemaps(response.body, response.url)
        if not found:
            found = [response.meta["root"] + "/sitemap.xml"]
        for url in found:
            if self.wanted(url):
                yield self._req(canonical_url(url), self.parse_index)

    def parse_index(self, response):
        """A sitemap, sitemap index or feed (whatever the URL looked like)."""
        kind = discovery.looks_like(response.body)
        if kind == "html":
            yield from self.parse_page(response)
            return
        stats = self.crawler.stats
        if kind == "feed":
            stats.inc_value("newscrawler/generic/feeds")
            entries = discovery.read_feed(response.body, response.url)
            yield from self._entries(entries, "feed")
            return
        sm_type, entries = discovery.read_sitemap(response.body)
        if sm_type == "sitemapindex":
            stats.inc_value("newscrawler/generic/sitemap_indexes")
            for e in entries:
                if self.wanted(e.url):
                    yield self._req(canonical_url(e.url), self.parse_index)
        elif sm_type == "urlset":
            stats.inc_value("newscrawler/generic/sitemaps")
            yield from self._entries(entries, "sitemap")
        else:
            stats.inc_value("newscrawler/generic/unreadable_indexes")
            self.logger.warning("neither a sitemap nor a feed: %s", response.url)

    def _entries(self, entries, via: str):
        for e in entries:
            url = canonical_url(e.url)
            if not self.wanted(url):
                continue
            self.crawler.stats.inc_value(f"newscrawler/generic/discovered/{via}")
            # a news sitemap or a feed lists articles; a plain sitemap lists any page
            listed = via == "feed" or bool(e.title or e.published_at)
            yield self._req(url, self.parse_page, meta={"hints": e.hints(), "listed": listed})

    def parse_page(self, response):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        kind = discovery.looks_like(response.body)
        if kind in ("feed", "sitemap") or ("xml" in content_type and "html" not in content_type):
            yield from self.parse_index(response)
            return
        if content_type and "html" not in content_type:
            self.crawler.stats.inc_value("newscrawler/pages/not_html")
            return
        page, rejected = read_page(self, response, self.parser.parse, response.url, response.body, content_type or None,
                                   hints=response.meta.get("hints"), listed=response.meta.get("listed", False))
        if rejected is not None:
            yield rejected
            return
        self.crawler.stats.inc_value(f"newscrawler/pages/{'article' if page.kind == 'article' else 'listing'}")
        if page.kind == "article" and (self._article_re is None or self._article_re.search(response.url)):
            try:
                yield self.make_item(response, page)
            except Exception as e:  # noqa: BLE001 - a record that cannot be built is a reject, never lost
                yield parse_error(self, response, e)
        if "feed" in self.discover:
            for url in page.feeds:
                if self.wanted(url):
                    yield self._req(canonical_url(url), self.parse_index)
        if "links" in self.discover:
            for url in page.links:
                url = canonical_url(url)
                if self.wanted(url):
                    yield self._req(url, self.parse_page)

    def make_item(self, response, page):
        now = fetch_time(response)
        loader = ArticleLoader(tz=self.tz, now=now)
        loader.add_value("url", response.url)
        loader.add_value("title", page.title)
        loader.add_value("body", page.paragraphs)
        loader.add_value("source", page.source or urlsplit(response.url).hostname)
        loader.add_value("category", page.category)
        loader.add_value("aggregator", self.name)
        loader.add_value("crawled_at", utc_stamp(now))
        item = loader.load_item()
        # the source is the outlet's name as given: no "name - country" split here
        item["source"] = clean_text(page.source) or urlsplit(response.url).hostname
        item["source_country"] = None
        # dates with their own offset keep it (the loader would re-read them)
        item["published_at"] = normalize_date(page.published_at, self.tz, now) or page.published_at
        return complete(item)

    failure_reason = staticmethod(ProfileSpider.failure_reason)  # ProfileSpider.failed needs it

    def failed(self, failure):
        ProfileSpider.failed(self, failure)
