"""Downloader middlewares for failing servers, and the spider middleware for link depth.

* :class:`BackoffRetryMiddleware` replaces Scrapy's RetryMiddleware (same settings,
  ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``) and waits before each
  retry: ``NEWSCRAWLER_RETRY_BACKOFF_BASE * 2 ** (retry - 1)`` seconds, at most
  ``NEWSCRAWLER_RETRY_BACKOFF_MAX``; a ``Retry-After`` header on a 429 or 503 is honoured
  instead (seconds or an HTTP date, at most ``NEWSCRAWLER_RETRY_AFTER_MAX``). Scrapy 2.19
  has no back-off of its own. The wait holds one of the CONCURRENT_REQUESTS slots.
* :class:`RedirectGuardMiddleware` stops a redirect that loops back to a URL of the same
  chain (Scrapy's dupefilter would otherwise drop it silently and the page would vanish
  without a trace) or that leaves the spider's ``allowed_domains``; the page is then
  reported as unrecoverable with the reason (see ``spiders/reliability.py``).
* :class:`PaginationDepthMiddleware` replaces Scrapy's DepthMiddleware (same settings): a
  request marked ``meta[SAME_DEPTH]`` (a pagination step, the same page fetched again in the
  browser) keeps the depth of the page it comes from, so ``DEPTH_LIMIT`` counts links
  between pages, not pages of a listing (see ``spiders/budget.py``).
"""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.spidermiddlewares.depth import DepthMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

from newscrawler.processors.urls import canonical_url

logger = logging.getLogger(__name__)
SAME_DEPTH = "nc_same_depth"  # request meta: this request is no link deeper than its page


class PageLost(IgnoreRequest):
    """A page that cannot be fetched for good, for a reason other than an HTTP error."""


class RedirectLoop(PageLost):
    pass


class OffsiteRedirect(PageLost):
    pass


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value (delta-seconds or an HTTP date); None if unreadable."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("NEWSCRAWLER_RETRY_BACKOFF_BASE", 0.5)
        self.cap = settings.getfloat("NEWSCRAWLER_RETRY_BACKOFF_MAX", 30.0)
        self.after_cap = settings.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX", 120.0)

    def delay(self, retry: Request, response=None) -> float:
        if response is not None and response.status in (429, 503):
            after = retry_after_seconds(response.headers.get(b"Retry-After"))
            if after is not None:
                return min(after, self.after_cap)
        n = retry.meta.get("retry_times", 1)
        return min(self.cap, self.base * 2 ** (n - 1))

    async def _wait(self, retry: Request, response=None) -> None:
        seconds = self.delay(retry, response)
        if seconds > 0:
            self.crawler.stats.inc_value("newscrawler/retry_backoff_seconds", round(seconds, 3))
            await sleep(seconds)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(retry, response)
        return retry

    async def process_exception(self, request, exception):
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await self._wait(retry)
        return retry


class RedirectGuardMiddleware:
    """Runs before Scrapy's RedirectMiddleware on responses (a higher number)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect"):
            return response
        location = response.headers[b"Location"].decode("latin-1")
        target = urljoin(request.url, location)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        seen = {canonical_url(u) for u in chain}
        if canonical_url(target) in seen:
            self.crawler.stats.inc_value("newscrawler/redirect_loops")
            raise RedirectLoop(f"redirect loop: {' -> '.join(chain)} -> {target}")
        spider = self.crawler.spider
        allowed = getattr(spider, "allowed_domains", None) or []
        host = (urlsplit(target).hostname or "").lower()
        if allowed and not any(host == d or host.endswith("." + d) for d in allowed):
            self.crawler.stats.inc_value("newscrawler/offsite_redirects")
            raise OffsiteRedirect(f"redirected off-site to {host}: {target}")
        return response


class PaginationDepthMiddleware(DepthMiddleware):
    """Scrapy's DepthMiddleware, except that a ``SAME_DEPTH`` request keeps its page's depth."""

    def get_processed_request(self, request, response):
        if response is None or not request.meta.get(SAME_DEPTH):
            return super().get_processed_request(request, response)
        request.meta.pop("depth_reset", None)
        depth = response.meta.get("depth", 0)
        request.meta["depth"] = depth
        if self.prio:
            request.priority -= depth * self.prio
        self.stats.max_value("request_depth_max", depth)
        return request
