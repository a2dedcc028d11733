"""ProfileSpider: navigation only, driven by a site profile (data).

Which links to follow and when to stop; what a page says is the page parser's
job (``newscrawler.parsing``) and how it becomes a record is the item loader's
(``newscrawler.items``).

Arguments (``-a``): ``start_url`` (one or more, comma-separated; default:
the profile's ``start_urls``), ``profile`` (another profile name or a JSON
file path).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.spidermiddlewares.httperror import HttpError

from newscrawler import profiles
from newscrawler.items import article_item, fetch_time
from newscrawler.middlewares import PageLost
from newscrawler.parsing.page import PageParser
from newscrawler.processors.urls import canonical_url, is_http_url

_IGNORED = tuple("." + e for e in IGNORED_EXTENSIONS)
MAX_LISTED_FAILURES = 1000


class ArgumentError(ValueError):
    """A wrong spider argument; the message is one line for the user."""


def _start_urls(value) -> list[str]:
    urls = [u.strip() for u in str(value).split(",") if u.strip()]
    for u in urls:
        if not is_http_url(u):
            raise ArgumentError(f"start_url {u!r} is not an http(s) URL with a host")
    return urls


class ProfileSpider(scrapy.Spider):
    """Base class; a subclass per profile file is made in ``spiders/profiles.py``."""

    profile_name: str = ""
    custom_settings: dict = {}

    # -------------------------------------------------------- arguments
    @classmethod
    def resolve(cls, kwargs: dict) -> tuple[profiles.Profile, list[str]]:
        """Load the profile and check the arguments; raises ArgumentError or ProfileError."""
        ref = kwargs.get("profile") or cls.profile_name
        if ref.endswith(".json") or "/" in ref:
            profile = profiles.load_file(ref)
        else:
            profile = profiles.load(ref)
        if kwargs.get("start_url"):
            urls = _start_urls(kwargs["start_url"])
        else:
            urls = list(profile.start_urls)
            for u in urls:
                if not is_http_url(u):
                    raise ArgumentError(f"profile {profile.name}: start URL {u!r} is not an http(s) URL")
        if not urls:
            raise ArgumentError(
                f"{cls.name}: no start URL: pass -a start_url=URL or set start_urls in {profile.path}"
            )
        return profile, urls

    @classmethod
    def check_arguments(cls, kwargs: dict) -> None:
        cls.resolve(kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.arguments = dict(kwargs)  # the -a arguments, as given (the archive keeps them for reparse)
        self.profile, self.start_urls = self.resolve(kwargs)
        hosts = {urlsplit(u).hostname for u in self.start_urls}
        self.allowed_domains = sorted(h for h in hosts | set(self.profile.allowed_domains) if h)
        self._hosts = set(self.allowed_domains)
        self.parser = PageParser(self.profile.rules)
        self._article_re = [re.compile(p) for p in self.profile.article_patterns]
        self._deny_re = [re.compile(p) for p in self.profile.deny_patterns]
        # canonical URLs this process has requested, or decided for good not to request
        self._requested: set[str] = set()

    # -------------------------------------------------------- navigation
    async def start(self):
        # Our own requests, so the dupefilter sees start pages too (Scrapy's
        # default start() sends them with dont_filter=True).
        for url in self.start_urls:
            url = canonical_url(url)
            self._requested.add(url)
            yield self.request(url)

    def request(self, url: str, **kwargs) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.failed, **kwargs)

    def wanted(self, url: str) -> bool:
        if not is_http_url(url):
            return False
        host = urlsplit(url).hostname or ""
        if not any(host == h or host.endswith("." + h) for h in self._hosts):
            return False
        path = urlsplit(url).path.lower()
        if path.endswith(_IGNORED):
            return False
        return not any(r.search(url) for r in self._deny_re)

    def is_record_url(self, url: str) -> bool:
        return not self._article_re or any(r.search(url) for r in self._article_re)

    def parse(self, response):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if content_type and "html" not in content_type.lower() and "xml" not in content_type.lower():
            self.crawler.stats.inc_value("newscrawler/pages/not_html")
            return
        page = self.parser.parse(response.url, response.body, content_type or None)
        again = self.render_again(response, page)
        if again is not None:  # e.g. the page needs JavaScript: fetch it once more, rendered
            yield again
            return
        self.crawler.stats.inc_value(f"newscrawler/pages/{page.kind}")
        if page.kind == "article" and self.is_record_url(response.url):
            item = self.make_item(response, page)  # None: a mixin decided against it (e.g. since=)
            if item is not None:
                yield item
        requested = self._requested
        for url in self.links_to_follow(response, page):
            requested.add(url)
            yield self.request(url)

    # Hooks: mixins (JavaScript rendering, incremental crawling) override these.
    def render_again(self, response, page):
        """A request to fetch ``response``'s page once more (rendered), or None."""
        return None

    def make_item(self, response, page):
        """The item of an article page (or a Request that completes it, or None)."""
        return article_item(page, self.name, self.profile.timezone, fetch_time(response))

    def links_to_follow(self, response, page):
        """Canonical URLs to request from ``page``.

        A URL this process already requested is left out here: an article is
        linked from ten pages, and each Request object costs Scrapy's
        middlewares, scheduler and dupefilter far more than this set lookup
        (the dupefilter still guards what reaches the queue, across processes
        and JOBDIR resumes too).
        """
        requested = self._requested
        for url in page.links:
            url = canonical_url(url)
            if url not in requested and self.wanted(url):
                yield url

    @staticmethod
    def failure_reason(failure) -> str | None:
        """Why a request failed for good, in one line; None when the failure is
        no failure (robots.txt, an off-site link)."""
        lost = failure.check(PageLost) or str(failure.value) == "max redirections reached"
        if failure.check(IgnoreRequest) and not failure.check(HttpError) and not lost:
            return None
        if failure.check(HttpError):
            return f"HTTP {failure.value.response.status}"
        message = str(failure.value).strip()
        return f"{failure.type.__name__}: {message.splitlines()[0][:200] if message else ''}"

    def failed(self, failure):
        """A request that failed for good (after the retries): counted and listed
        in the run summary as unrecoverable."""
        reason = self.failure_reason(failure)
        if reason is None:
            return
        request = failure.request
        stats = self.crawler.stats
        stats.inc_value("newscrawler/unrecoverable")
        listed = stats.get_value("newscrawler/unrecoverable_urls") or []
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the page, not a redirect target
        if len(listed) < MAX_LISTED_FAILURES:
            listed.append({"url": url, "reason": reason})
            stats.set_value("newscrawler/unrecoverable_urls", listed)
        self.logger.warning("gave up on %s: %s", url, reason)
