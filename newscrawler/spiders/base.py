"""ProfileSpider: navigation only, driven by a site profile (data).

Which links to follow and when to stop (the crawl budget's rules:
``spiders/budget.py``); what a page says is the page parser's job
(``newscrawler.parsing``) and how it becomes a record is the item loader's
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
from newscrawler.argtypes import unknown_name
from newscrawler.items import article_item, fetch_time, rejected_page
from newscrawler.middlewares import PageLost
from newscrawler.parsing.encoding import DAMAGED_UTF8
from newscrawler.parsing.page import PageParser
from newscrawler.processors.urls import canonical_url, is_http_url, unreadable_links
from newscrawler.signals import page_lost
from newscrawler.spiders.budget import CrawlBudget

IGNORED_SUFFIXES = tuple("." + e for e in IGNORED_EXTENSIONS)  # files, not pages
MAX_LISTED_FAILURES = 1000
SOFT_404_REASON = "soft 404: the page says it was not found"


class ArgumentError(ValueError):
    """A wrong spider argument; the message is one line for the user."""


OFFLINE_PARSE = {"links": False}  # reparse follows no link: the parser need not list them (pagination it still reads)


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message`` (at most 200 characters of it)."""
    message = str(exc).strip()
    return f"{type(exc).__name__}: {message.splitlines()[0][:200]}" if message else type(exc).__name__


def read_page(spider, response, parse, *args, **kwargs):
    """``(page, None)``, or ``(None, reject)`` when parsing raised.

    Nothing is lost silently: the page becomes one reject line (code
    ``parse_error``, the exception's one-line message as the reason), is
    counted (``newscrawler/parse_errors``; the ``page_errors`` monitor fails on
    it) and its traceback is logged. Links the parser could not read are
    counted too (``newscrawler/links/unreadable``), and so is a UTF-8 page read
    with invalid bytes replaced (``newscrawler/encoding/invalid_bytes``).
    """
    before = unreadable_links()
    try:
        page = parse(*args, **kwargs)
        if getattr(page, "encoding", None) == DAMAGED_UTF8:
            spider.crawler.stats.inc_value("newscrawler/encoding/invalid_bytes")
        return page, None
    except Exception as e:  # noqa: BLE001 - any parser bug becomes a reject, never a lost page
        return None, parse_error(spider, response, e)
    finally:
        bad = unreadable_links() - before
        if bad:
            spider.crawler.stats.inc_value("newscrawler/links/unreadable", bad)


def parse_error(spider, response, exc: BaseException):
    """The reject of a page whose parsing (or record building) raised ``exc``."""
    reason = f"cannot parse the page: {one_line(exc)}"
    spider.crawler.stats.inc_value("newscrawler/parse_errors")
    spider.logger.error("%s: %s", response.url, reason, exc_info=exc)
    return rejected_page(response.url, reason, "parse_error", spider.name)


def check_argument_names(cls, kwargs: dict) -> None:
    """Every ``-a`` name must be one the spider (or one of its mixins, each
    listing its own in ``ARGUMENTS``) reads; names starting with ``_`` are the
    scheduler's (scrapyd passes ``_job``). Raises ArgumentError with the
    nearest known name."""
    known = {name for klass in cls.__mro__ for name in vars(klass).get("ARGUMENTS", ())}
    for name in kwargs:
        if not name.startswith("_") and name not in known:
            raise ArgumentError(unknown_name(f"{cls.name} argument", name, known))


def debug_arguments(settings, kwargs: dict) -> dict:
    """The spider arguments under Scrapy's debugging commands (``newscrawler/commands/``):
    ``scrapy shell -a`` ones from ``NEWSCRAWLER_DEBUG_ARGS``, and without ``start_url`` the
    URL given to the command (``NEWSCRAWLER_DEBUG_URL``), so the host is the URL's."""
    kwargs = {**(settings.getdict("NEWSCRAWLER_DEBUG_ARGS") or {}), **kwargs}
    url = settings.get("NEWSCRAWLER_DEBUG_URL")
    if url and not kwargs.get("start_url"):
        kwargs["start_url"] = url
    return kwargs


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
    offline: bool = False  # True when reparsing an archive (newscrawler/reparse.py): no link is followed
    ARGUMENTS = ("start_url", "profile", "replay")  # -a names (mixins add theirs); replay: extensions/replay.py

    # -------------------------------------------------------- arguments
    @classmethod
    def resolve(cls, kwargs: dict, need_url: bool = True) -> tuple[profiles.Profile, list[str]]:
        """Load the profile and check the arguments; raises ArgumentError or ProfileError."""
        check_argument_names(cls, kwargs)
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
        if not urls and need_url:
            raise ArgumentError(
                f"{cls.name}: no start URL: pass -a start_url=URL or set start_urls in {profile.path}"
            )
        return profile, urls

    @classmethod
    def check_arguments(cls, kwargs: dict) -> None:
        cls.resolve(kwargs)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        if crawler.settings.getbool("NEWSCRAWLER_DEBUG"):  # scrapy parse / shell / check
            kwargs = {**debug_arguments(crawler.settings, kwargs), "debug": True}
        return super().from_crawler(crawler, *args, **kwargs)

    def __init__(self, *args, debug: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # debug: Scrapy's debugging commands, where no start URL is needed (scrapy check: each
        # contract names its page); without one no host is off-limits, as only given pages are read
        self.debug = debug
        # the -a arguments as given (with scrapy shell -a / the URL's host under debugging);
        # the archive keeps them for reparse
        self.spider_args = dict(kwargs)
        self.profile, self.start_urls = self.resolve(kwargs, need_url=not debug)
        hosts = {urlsplit(u).hostname for u in self.start_urls}
        self.allowed_domains = sorted(h for h in hosts | set(self.profile.allowed_domains) if h)
        self._hosts = set(self.allowed_domains)
        self.url_rules = self.profile.url_rules  # the profile's drop_params / keep_params
        self.parser = PageParser(self.profile.rules)
        self._article_re = [re.compile(p) for p in self.profile.article_patterns]
        self._deny_re = [re.compile(p) for p in self.profile.deny_patterns]
        # canonical URLs this process has requested, or decided for good not to request
        self._requested: set[str] = set()
        self._budget: CrawlBudget | None = None

    @property
    def budget(self) -> CrawlBudget:
        if self._budget is None:
            self._budget = CrawlBudget(self.crawler.settings, self.crawler.stats)
        return self._budget

    def canonical(self, url: str) -> str:
        return canonical_url(url, self.url_rules)

    # -------------------------------------------------------- navigation
    async def start(self):
        # Our own requests, so the dupefilter sees start pages too (Scrapy's
        # default start() sends them with dont_filter=True).
        for url in self.start_urls:
            url = self.canonical(url)
            self._requested.add(url)
            yield self.request(url)

    def request(self, url: str, **kwargs) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse, errback=self.failed, **kwargs)

    def wanted(self, url: str) -> bool:
        if not is_http_url(url):
            return False
        host = urlsplit(url).hostname or ""
        if self._hosts and not any(host == h or host.endswith("." + h) for h in self._hosts):
            return False
        path = urlsplit(url).path.lower()
        if path.endswith(IGNORED_SUFFIXES):
            return False
        return not any(r.search(url) for r in self._deny_re)

    def is_record_url(self, url: str) -> bool:
        return not self._article_re or any(r.search(url) for r in self._article_re)

    def parse(self, response):
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if content_type and "html" not in content_type.lower() and "xml" not in content_type.lower():
            self.crawler.stats.inc_value("newscrawler/pages/not_html")
            return
        page, rejected = read_page(self, response, self.parser.parse, response.url, response.body, content_type or None,
                                   **OFFLINE_PARSE if self.offline else {})
        if rejected is not None:
            yield rejected
            return
        again = self.render_again(response, page)
        if again is not None:  # e.g. the page needs JavaScript: fetch it once more, rendered
            if isinstance(again, scrapy.Request):
                again.meta.update(self.budget.carry(response.meta))  # the same page: same chain and depth
            yield again
            return
        self.crawler.stats.inc_value(f"newscrawler/pages/{page.kind}")
        if page.not_found:  # a "page not found" served with status 200: as lost as a 404
            self.crawler.stats.inc_value("newscrawler/pages/not_found")
            self.lost(response.url, SOFT_404_REASON)
        if page.kind == "article" and self.is_record_url(response.url):
            try:
                item = self.make_item(response, page)  # None: a mixin decided against it (e.g. since=)
            except Exception as e:  # noqa: BLE001 - a record that cannot be built is a reject, never lost
                item = parse_error(self, response, e)
            if item is not None:
                yield item
        requested = self._requested
        for url, meta in self.links_to_follow(response, page):
            requested.add(url)
            yield self.request(url, meta=meta) if meta else self.request(url)

    # Hooks: mixins (JavaScript rendering, incremental crawling) override these.
    def render_again(self, response, page):
        """A request to fetch ``response``'s page once more (rendered), or None."""
        return None

    def make_item(self, response, page):
        """The item of an article page (or a Request that completes it, or None)."""
        return article_item(page, self.name, self.profile.timezone, fetch_time(response), self.url_rules)

    def known_items(self, page, items: set[str]) -> set[str]:
        """The card links of ``page`` that are not news for the budget (a mixin's hook: the seen-store)."""
        return set()

    def links_to_follow(self, response, page):
        """``(canonical url, request meta or None)`` for each link to request from ``page``.

        The crawl budget (``spiders/budget.py``) decides which pagination links
        are followed and whether the page's other links are; what it stops is
        counted by reason. A URL this process already requested is left out
        here: an article is linked from ten pages, and each Request object
        costs Scrapy's middlewares, scheduler and dupefilter far more than this
        set lookup (the dupefilter still guards what reaches the queue, across
        processes and JOBDIR resumes too).
        """
        canonical, requested, wanted = self.canonical, self._requested, self.wanted
        items = {canonical(u) for u in page.item_links}
        pagination = {canonical(u) for u in page.pagination}
        here = canonical(response.url)
        plan = self.budget.plan(here, response.meta, page.kind, pagination, items,
                                self.known_items(page, items) if items else frozenset())
        cut: dict[str, set[str]] = {}
        for url in page.links:
            url = canonical(url)
            if url in requested or not wanted(url):
                continue
            if url in pagination:
                if url in plan.pages:
                    yield url, plan.page_meta
                elif plan.pages_stop:
                    cut.setdefault(plan.pages_stop, set()).add(url)
                # else: not the next page of its chain; the chain reaches it in turn
            elif plan.links_stop:
                cut.setdefault(plan.links_stop, set()).add(url)
            else:
                yield url, plan.link_meta
        for reason, urls in cut.items():
            self.budget.stopped(reason, here, plan.chain, len(urls))

    @staticmethod
    def failure_reason(failure) -> str | None:
        """Why a request failed for good, in one line; None when the failure is
        no failure (robots.txt, an off-site link)."""
        lost = failure.check(PageLost) or str(failure.value) == "max redirections reached"
        if failure.check(IgnoreRequest) and not failure.check(HttpError) and not lost:
            return None
        if failure.check(HttpError):
            return f"HTTP {failure.value.response.status}"
        return one_line(failure.value)

    def failed(self, failure):
        """A request that failed for good (after the retries): counted and listed
        in the run summary as unrecoverable."""
        reason = self.failure_reason(failure)
        if reason is None:
            return
        request = failure.request
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the page, not a redirect target
        self.lost(url, reason)
        if not failure.check(HttpError):  # no response went to the spider: the archive cannot show why
            self.crawler.signals.send_catch_log(page_lost, url=url, reason=reason, request=request)

    def lost(self, url: str, reason: str) -> None:
        """A page that cannot be used, for good: counted and listed in the run summary."""
        stats = self.crawler.stats
        stats.inc_value("newscrawler/unrecoverable")
        listed = stats.get_value("newscrawler/unrecoverable_urls") or []
        if len(listed) < MAX_LISTED_FAILURES:
            listed.append({"url": url, "reason": reason})
            stats.set_value("newscrawler/unrecoverable_urls", listed)
        self.logger.warning("gave up on %s: %s", url, reason)
