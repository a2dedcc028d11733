"""Incremental crawling: fetch only what is new since the last run.

A mixin for ``ProfileSpider`` (see ``spiders/profiles.py``). Spider arguments:

* ``since=YYYY-MM-DD`` - ignore articles published before that day (the
  profile's time zone): their links on listing cards are not followed, and an
  article page older than that gives no record;
* ``max_pages=N`` - read at most N listing (non-article) pages, start pages
  included; with it, only listing pages lead to articles (links on article
  pages are not followed), so the crawl is bounded;
* ``full=1`` - ignore the seen-store for this run (everything is fetched again;
  the run's own file still has no duplicates, and the store is updated).

How a run uses the seen-store (``newscrawler.state``):

* ``full``: the store is empty (first run, or its file was missing or corrupt)
  or ``full=1``: everything is crawled;
* ``catch-up``: the previous run did not finish (killed, stopped early):
  every listing page is read, but articles already handled are not requested;
* ``incremental``: articles already handled are not requested, and on each
  listing chain only the next page is followed; once a listing page offers
  nothing new, ``NEWSCRAWLER_EXTRA_PAGES`` (default 1) more pages are read and
  then its pagination is no longer followed.

Counters go to the stats (and the run summary) under ``newscrawler/incremental/``.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newscrawler.processors.dates import parse_date
from newscrawler.processors.urls import canonical_url, url_id
from newscrawler.spiders.base import ArgumentError
from newscrawler.state import WRITTEN, store_for

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")
_DIGITS = re.compile(r"\d+")
STALE = "nc_stale"  # request meta: how many listing pages in a row offered nothing new


def _aware(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _older(published_at: str | None, since: datetime | None) -> bool:
    when = _aware(published_at)
    if since is None or when is None:
        return False
    if (when.tzinfo is None) != (since.tzinfo is None):
        when = when.replace(tzinfo=None)
        since = since.replace(tzinfo=None)
    return when < since


def _shape(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    tail = parts.path + ("?" + parts.query if parts.query else "")
    numbers = _DIGITS.findall(tail)
    return _DIGITS.sub("#", tail), (int(numbers[-1]) if numbers else None)


def next_page(current: str, pagination: list[str]) -> str | None:
    """The pagination link that comes right after ``current``, or None when unclear.

    Pagination links share a shape (the url with its digits blanked) and differ
    in one number; the current page has that number too, or is page 1 (e.g.
    ``/`` next to ``/?page=2``).
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    for url in pagination:
        shape, number = _shape(url)
        if number is not None:
            groups.setdefault(shape, []).append((number, url))
    if not groups:
        return None
    shape, links = max(groups.items(), key=lambda kv: len(kv[1]))
    cur_shape, cur_number = _shape(current)
    here = cur_number if cur_shape == shape and cur_number is not None else 1
    later = sorted((n, u) for n, u in links if n > here)
    return later[0][1] if later else None


class IncrementalMixin:
    """Overrides ProfileSpider's hooks; must come before it in the class bases."""

    ARGUMENTS = ("since", "max_pages", "full")

    # ------------------------------------------------------------ arguments
    @classmethod
    def incremental_options(cls, kwargs: dict, tz: str | None = None) -> dict:
        since = kwargs.get("since")
        since_dt = None
        if since not in (None, ""):
            text = str(since).strip()
            if not _DATE.match(text):
                raise ArgumentError(f"since={since!r} is not a date YYYY-MM-DD")
            try:
                since_dt = datetime.strptime(text, "%Y-%m-%d")
            except ValueError:
                raise ArgumentError(f"since={since!r} is not a real date") from None
            if tz:
                since_dt = since_dt.replace(tzinfo=ZoneInfo(tz))
        max_pages = kwargs.get("max_pages")
        if max_pages not in (None, ""):
            try:
                max_pages = int(str(max_pages).strip())
            except ValueError:
                raise ArgumentError(f"max_pages={kwargs.get('max_pages')!r} is not a whole number") from None
            if max_pages < 1:
                raise ArgumentError(f"max_pages={max_pages} must be at least 1")
        else:
            max_pages = None
        full = str(kwargs.get("full", "")).strip().lower()
        if full not in _TRUE + _FALSE:
            raise ArgumentError(f"full={kwargs.get('full')!r} must be 1 or 0")
        return {"since": since_dt, "max_pages": max_pages, "full": full in _TRUE}

    @classmethod
    def check_arguments(cls, kwargs: dict) -> None:
        super().check_arguments(kwargs)
        cls.incremental_options(kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opts = self.incremental_options(kwargs, self.profile.timezone)
        self.since = opts["since"]
        self.max_pages = opts["max_pages"]
        self.full = opts["full"]
        self._link_meta: dict[str, dict] = {}
        self._pages_budget = 0
        self._mode: str | None = None
        self._store = None
        self.aliases: dict[str, list[str]] = {}  # record id -> ids of the urls that redirected to it

    # ------------------------------------------------------------ state
    def _state(self):
        if self._mode is None:
            store = self._store = store_for(self.crawler, self)
            previous = store.previous_run
            if self.full:
                self._mode = "full"
            elif store.entries == 0:
                self._mode = "full"
            elif previous is None or previous.get("reason") != "finished":
                self._mode = "catch-up"
            else:
                self._mode = "incremental"
            self._pages_budget = len(self.start_urls)
            stats = self.crawler.stats
            stats.set_value("newscrawler/incremental/mode", self._mode)
            stats.set_value("newscrawler/incremental/stored_before", store.entries)
            stats.set_value("newscrawler/incremental/state_file", str(store.path) if store.persistent else None)
            if store.problem:
                stats.set_value("newscrawler/incremental/state_problem", store.problem)
            why = {
                "full": "full=1" if self.full else "nothing stored yet",
                "catch-up": "the previous run did not finish"
                + (f" ({previous.get('reason') or 'killed'})" if previous else ""),
                "incremental": "the previous run finished",
            }[self._mode]
            self.logger.info("incremental: %s run (%s); %d articles stored in %s",
                             self._mode, why, store.entries, store.path or "memory")
        return self._store, self._mode

    def _inc(self, key: str, n: int = 1) -> None:
        if n:
            self.crawler.stats.inc_value(f"newscrawler/incremental/{key}", n)

    # ------------------------------------------------------------ hooks
    def request(self, url: str, **kwargs):
        extra = self._link_meta.pop(url, None)
        if extra:
            kwargs["meta"] = {**extra, **(kwargs.get("meta") or {})}
        return super().request(url, **kwargs)

    def make_item(self, response, page):
        item = super().make_item(response, page)
        if item is None:
            return None
        if self.since is not None and _older(item.get("published_at"), self.since):
            self._inc("skipped_since")
            return None
        redirects = response.meta.get("redirect_urls")
        if redirects:
            rid = url_id(page.url)
            self.aliases[rid] = [i for i in {url_id(u) for u in redirects} if i != rid]
        return item

    def links_to_follow(self, response, page):
        store, mode = self._state()
        tz = self.profile.timezone
        items = {canonical_url(u) for u in page.item_links}
        old = set()
        if self.since is not None:
            for card in list(getattr(page, "cards", None) or []) + list(page.related):
                url, raw = card.get("url"), card.get("published_at")
                if url and raw and _older(parse_date(raw, tz), self.since):
                    old.add(canonical_url(url))
        pagination = {canonical_url(u) for u in page.pagination}
        listing = page.kind == "listing"

        # Which pagination links to follow from a listing page.
        follow_pages = pagination
        stale = 0
        if listing and mode == "incremental":
            fresh = [u for u in items if u not in old and not store.has(url_id(u))]
            stale = 0 if fresh else int(response.meta.get(STALE, 0)) + 1
            extra = self.crawler.settings.getint("NEWSCRAWLER_EXTRA_PAGES", 1)
            if stale > extra:
                follow_pages = set()
            else:
                nxt = next_page(canonical_url(response.url), sorted(pagination))
                follow_pages = {nxt} if nxt else pagination

        candidates = list(super().links_to_follow(response, page))
        if (self.since is not None and page.kind == "article"
                and _older(parse_date(page.meta.get("published_at"), tz), self.since)):
            # an article older than `since` leads to older articles: go no further from it
            self._inc("skipped_since_links", len(candidates))
            candidates = []
        if self.max_pages is not None:
            if page.kind == "article":
                self._inc("skipped_max_pages", len(candidates))
                candidates = []
            # pagination first, so the page budget goes to the listing chain
            candidates.sort(key=lambda u: u not in pagination)
        for url in candidates:
            if url in old:
                self._requested.add(url)
                self._inc("skipped_since")
                continue
            if mode != "full":
                status = store.status(url_id(url))
                if status is not None:
                    self._requested.add(url)  # decided for this run: not looked up (or counted) again
                    self._inc("skipped_stored")
                    if status == WRITTEN:
                        self._inc("skipped")  # already written: the monitors count these
                    continue
            if listing and url in pagination and url not in follow_pages:
                self._inc("skipped_pagination")
                continue
            if self.max_pages is not None and url not in items:
                if self._pages_budget >= self.max_pages:
                    self._inc("skipped_max_pages")
                    continue
                self._pages_budget += 1
            if listing and url in pagination and mode == "incremental":
                self._link_meta[url] = {STALE: stale}
            yield url
