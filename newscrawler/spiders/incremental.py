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
* ``incremental``: articles already handled are not requested, and a card
  whose article is in the store is no news for the crawl budget: a listing
  chain stops after ``NEWSCRAWLER_EXTRA_PAGES`` pages that bring nothing new
  (the same rule as in every run, ``spiders/budget.py``; here "new" also
  means "not in the store").

Counters go to the stats (and the run summary) under ``newscrawler/incremental/``;
what the budget stopped, under ``newscrawler/budget/``.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from newscrawler.argtypes import FALSE_WORDS, TRUE_WORDS
from newscrawler.processors.dates import parse_date
from newscrawler.processors.urls import url_id
from newscrawler.spiders.base import ArgumentError
from newscrawler.state import BOUNDED, WRITTEN, store_for

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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
        if full not in TRUE_WORDS + FALSE_WORDS:
            raise ArgumentError(f"full={kwargs.get('full')!r} must be 1 or 0")
        return {"since": since_dt, "max_pages": max_pages, "full": full in TRUE_WORDS}

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
            elif previous is None or previous.get("reason") != "finished":  # killed, stopped, or bounded
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
                "catch-up": ("the previous run left older articles out (since= or max_pages=)"
                             if previous and previous.get("reason") == BOUNDED else
                             "the previous run did not finish" + (f" ({previous.get('reason') or 'killed'})"
                                                                   if previous else "")),
                "incremental": "the previous run finished",
            }[self._mode]
            self.logger.info("incremental: %s run (%s); %d articles stored in %s",
                             self._mode, why, store.entries, store.path or "memory")
        return self._store, self._mode

    def _inc(self, key: str, n: int = 1) -> None:
        if n:
            self.crawler.stats.inc_value(f"newscrawler/incremental/{key}", n)

    # ------------------------------------------------------------ hooks
    def make_item(self, response, page):
        item = super().make_item(response, page)
        if item is None:
            return None
        if self.since is not None and _older(item.get("published_at"), self.since):
            self._inc("skipped_since")
            return None
        redirects = response.meta.get("redirect_urls")
        if redirects:
            rid = url_id(page.url, self.url_rules)
            self.aliases[rid] = [i for i in {url_id(u, self.url_rules) for u in redirects} if i != rid]
        return item

    def _old_cards(self, page) -> set[str]:
        """Card and teaser links of ``page`` whose date is before ``since``."""
        old = set()
        if self.since is not None:
            tz = self.profile.timezone
            for card in list(page.cards) + list(page.related):
                url, raw = card.get("url"), card.get("published_at")
                if url and raw and _older(parse_date(raw, tz), self.since):
                    old.add(self.canonical(url))
        return old

    def known_items(self, page, items):
        store, mode = self._state()
        known = self._old_cards(page) & items
        if mode == "incremental":  # a catch-up run reads every chain: the killed run may not have got far
            rules = self.url_rules
            known.update(u for u in items if store.has(url_id(u, rules)))
        return known

    def links_to_follow(self, response, page):
        store, mode = self._state()
        tz = self.profile.timezone
        rules = self.url_rules
        items = {self.canonical(u) for u in page.item_links}
        old = self._old_cards(page)
        pagination = {self.canonical(u) for u in page.pagination}
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
            candidates.sort(key=lambda c: c[0] not in pagination)
        over_budget = 0
        for url, meta in candidates:
            if url in old:
                self._requested.add(url)
                self._inc("skipped_since")
                continue
            if mode != "full":
                status = store.status(url_id(url, rules))
                if status is not None:
                    self._requested.add(url)  # decided for this run: not looked up (or counted) again
                    self._inc("skipped_stored")
                    if status == WRITTEN:
                        self._inc("skipped")  # already written: the monitors count these
                    continue
            if self.max_pages is not None and url not in items:
                if self._pages_budget >= self.max_pages:
                    self._inc("skipped_max_pages")
                    over_budget += 1
                    continue
                self._pages_budget += 1
            yield url, meta
        if over_budget:
            self.budget.stopped("page_budget", self.canonical(response.url), None, over_budget)
