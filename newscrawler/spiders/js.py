"""Pages that need JavaScript: render exactly those in Chromium, keep the rest on plain HTTP.

A mixin for ``ProfileSpider`` (see ``spiders/profiles.py``). The mode comes
from ``-a render_js=never|always|auto``, else the ``NEWSCRAWLER_RENDER_JS``
setting, else the profile's ``render_js`` (default ``never``):

* ``never``: no browser. A page that is a JavaScript shell (no headline or no
  paragraphs, but scripts or a ``<noscript>`` notice) and would have been an
  article is rejected with the code ``needs_js``.
* ``auto``: every page is fetched over plain HTTP first; a JavaScript shell is
  fetched once more through the browser (``meta={"playwright": True}``). URLs
  matching the profile's ``js_patterns`` go to the browser directly.
* ``always``: every page goes through the browser.

In the browser the page is waited on until it is quiet (its fetch/XHR
requests answered and applied) and its content is there by the page parser's
own reading (``browser.has_content``: an article with a body paragraph, or a
listing with cards), or the profile's ``wait_for`` CSS selector is there; a
page without content after that is rejected with the code
``js_render_failed``, as is a page the browser failed on after the retries.
Neither stops the crawl.

Stats: ``newscrawler/js/requests`` (browser requests made),
``newscrawler/js/rendered`` (pages that came back rendered, also per page
kind), ``newscrawler/js/shells`` (plain pages that looked like JavaScript
shells), ``newscrawler/js/failed``, ``newscrawler/js/still_empty``.
"""

from __future__ import annotations

import re

import scrapy

from newscrawler.browser import BrowserNotFound, find_browser, has_content, playwright_settings, wait_for_content
from newscrawler.items import RejectedPage, fetch_time, rejected_page
from newscrawler.profiles import RENDER_JS

JS_META = "newscrawler_js"  # set on every request that goes through the browser
DEFAULT_WAIT_TIMEOUT = 10.0  # seconds to wait for the content in the browser
# Label fields whose texts in a shell mean "an article without its body" (would_be_record).
ARTICLE_LABEL_FIELDS = ("published_at", "source")


def _mode_argument(value) -> str | None:
    from newscrawler.spiders.base import ArgumentError

    if value in (None, ""):
        return None
    value = str(value).strip().lower()
    if value not in RENDER_JS:
        raise ArgumentError(f"render_js must be one of {', '.join(RENDER_JS)}, not {value!r}")
    return value


class JavaScriptMixin:
    """Overrides ProfileSpider's ``request``, ``render_again`` and ``failed`` hooks."""

    ARGUMENTS = ("render_js",)
    js_mode: str = "never"
    js_browser: str | None = None

    # ------------------------------------------------------------ arguments
    @classmethod
    def js_mode_for(cls, kwargs: dict, settings=None, profile=None) -> str:
        """The render mode: ``-a render_js``, else NEWSCRAWLER_RENDER_JS, else the profile."""
        mode = _mode_argument(kwargs.get("render_js"))
        if mode is None and settings is not None:
            mode = _mode_argument(settings.get("NEWSCRAWLER_RENDER_JS"))
        if mode is None:
            if profile is None:
                profile, _ = cls.resolve(kwargs)
            mode = profile.render_js
        return mode

    @classmethod
    def check_arguments(cls, kwargs: dict) -> None:
        super().check_arguments(kwargs)
        _mode_argument(kwargs.get("render_js"))

    @classmethod
    def check_settings(cls, kwargs: dict, settings) -> None:
        """Before the crawl: a crawl that renders JavaScript needs a browser."""
        from newscrawler.spiders.base import ArgumentError

        mode = cls.js_mode_for(kwargs, settings)
        if mode != "never":
            try:
                find_browser(settings.get("NEWSCRAWLER_BROWSER"))
            except BrowserNotFound as e:
                raise ArgumentError(f"render_js={mode}: {e}") from None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._js_setup(crawler.settings, spider.spider_args)
        return spider

    def _js_setup(self, settings, kwargs: dict) -> None:
        self.js_mode = self.js_mode_for(kwargs, settings, self.profile)
        self._js_force = [re.compile(p) for p in self.profile.js_patterns]
        self._js_wait_for = self.profile.wait_for
        labels = self.profile.rules.labels
        self._js_labels = [t for f in ARTICLE_LABEL_FIELDS for t in labels.get(f, ())]
        self._js_wait_ms = settings.getfloat("NEWSCRAWLER_JS_WAIT_TIMEOUT", DEFAULT_WAIT_TIMEOUT) * 1000
        if self.js_mode == "never" or self.offline:  # offline: reparse decides as the crawl did, with no browser
            return
        try:
            self.js_browser = find_browser(settings.get("NEWSCRAWLER_BROWSER"))
        except BrowserNotFound as e:  # the crawl command checked already; the in-process runner did not
            from newscrawler.spiders.base import ArgumentError

            raise ArgumentError(f"render_js={self.js_mode}: {e}") from None
        # Only a crawl that renders switches the download handlers (settings
        # are still open here, they freeze after the spider is made).
        for key, value in playwright_settings(self.js_browser, settings).items():
            settings.set(key, value, priority="spider")
        self.logger.info("render_js=%s: pages that need JavaScript go through %s", self.js_mode, self.js_browser)

    # ------------------------------------------------------------ requests
    def js_meta(self) -> dict:
        from scrapy_playwright.page import PageMethod

        wait = PageMethod(wait_for_content, self._js_wait_for, self.profile.rules, self._js_wait_ms)
        return {
            "playwright": True,
            "playwright_context": "newscrawler",
            "playwright_page_init_callback": "newscrawler.browser.track_network",
            "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded"},
            "playwright_page_methods": [wait],
            JS_META: True,
        }

    def wants_browser(self, url: str) -> bool:
        """Straight to the browser: ``always``, or a ``js_patterns`` URL in ``auto``."""
        if self.js_mode == "always":
            return True
        return self.js_mode == "auto" and any(r.search(url) for r in self._js_force)

    def request(self, url: str, **kwargs) -> scrapy.Request:
        if self.js_mode != "never" and self.wants_browser(url):
            kwargs["meta"] = {**(kwargs.get("meta") or {}), **self.js_meta()}
            self.crawler.stats.inc_value("newscrawler/js/requests")
        return super().request(url, **kwargs)

    # ------------------------------------------------------------ responses
    @staticmethod
    def is_shell(page) -> bool:
        """A plain page that is neither an article nor a listing, nor a headline
        with paragraphs, and is built by scripts (or says it needs JavaScript).
        An article without a body is not one: it is rejected for its missing body."""
        empty = page.kind == "other" and not (page.title and page.paragraphs)
        return empty and (page.scripts > 0 or bool(page.noscript))

    def would_be_record(self, response, page) -> bool:
        """A shell that stands for an article, not a listing still to be filled.

        Without running its scripts a page cannot say what it will be; these
        are the signs: a listing shell has pagination links, or a heading with
        nothing under it (no labelled metadata); an article shell has no
        headline at all, or a headline with its labels but no body. Sidebar
        teasers (links with labels beside an empty main part) are no sign of a
        listing: an aggregator sends them in the HTML while the article comes later.
        """
        if page.pagination or page.cards or not self.is_record_url(response.url):
            return False
        heading = page.title or response.xpath("normalize-space(//h1)").get()
        if not heading:
            return True
        text = response.xpath("normalize-space(//body)").get() or ""
        return bool(page.meta) or any(label in text for label in self._js_labels)

    def _reject(self, response, reason: str, code: str) -> RejectedPage:
        self.crawler.stats.inc_value(f"newscrawler/js/{code}")
        return rejected_page(response.url, reason, code, self.name, fetch_time(response))

    def render_again(self, response, page):
        stats = self.crawler.stats
        if response.meta.get(JS_META):
            stats.inc_value("newscrawler/js/rendered")
            stats.inc_value(f"newscrawler/js/rendered/{page.kind}")
            if not has_content(page):
                stats.inc_value("newscrawler/js/still_empty")
                if self.would_be_record(response, page):
                    waited = [m for m in response.meta.get("playwright_page_methods") or ()]
                    timed_out = any(getattr(m, "result", True) is False for m in waited)
                    reason = "page still has no headline or body after rendering in the browser"
                    if timed_out:
                        reason += f" (content did not appear within {self._js_wait_ms / 1000:g} s)"
                    return self._reject(response, reason, "js_render_failed")
            return None
        if not self.is_shell(page):
            return super().render_again(response, page)
        stats.inc_value("newscrawler/js/shells")
        if self.js_mode == "never":
            if self.would_be_record(response, page):
                return self._reject(
                    response, "page needs JavaScript (scripts but no headline or body; render_js is never)",
                    "needs_js",
                )
            return None
        stats.inc_value("newscrawler/js/requests")
        return scrapy.Request(
            response.url, callback=self.parse, errback=self.failed, meta=self.js_meta(), dont_filter=True,
        )

    def failed(self, failure):
        """A page the browser failed on (after the retries) is a rejected record,
        not an unrecoverable download: it is counted once, in the rejects file."""
        request = getattr(failure, "request", None)
        if request is None or not request.meta.get(JS_META):
            return super().failed(failure)
        reason = self.failure_reason(failure)
        if reason is None:
            return None
        self.crawler.stats.inc_value("newscrawler/js/failed")
        return [rejected_page(request.url, f"browser failed: {reason}", "js_render_failed", self.name,
                              fetch_time(request.meta))]
