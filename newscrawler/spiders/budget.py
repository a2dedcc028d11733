"""The crawl budget: where a crawl stops following links (navigation rules only).

Every run (full, catch-up and incremental alike) follows these rules; each
time one of them stops a chain it is counted in the stats under
``newscrawler/budget/`` (the run summary's ``budget``), by reason:

``no_new_links``
    A *pagination chain* is the run of pages one reaches by pagination links
    (``التالي``, numbered pages; ``ParsedPage.pagination``). From each page of a
    chain only the next page is followed (:func:`next_pages`). A page *pays*
    when it is an article, or brings a card or teaser link not yet seen on
    this chain (and, on an incremental run, not already in the seen-store, nor
    older than ``since``). After ``NEWSCRAWLER_EXTRA_PAGES`` (default 1) pages
    in a row that do not pay, the chain stops. Counted per chain: one dead
    section does not stop the others. What "not yet seen" means is the setting
    ``NEWSCRAWLER_NEW_LINKS``: ``chain`` (the default) counts what the chain
    itself showed, so a section that repeats what the home page listed first
    still goes on to the older pages the home page never reaches (a capped
    home pagination loses nothing); ``run`` counts everything this run has seen
    on any listing, which reads far fewer pages when the home chain lists
    every article, but stops a section whose early pages repeat the home
    page's (see the README, "Crawl budget").
``other_depth``
    A page that is neither an article nor a listing (a calendar, a tag cloud,
    search results, an empty archive) passes its links on for at most
    ``NEWSCRAWLER_OTHER_DEPTH`` (default 2) more hops; an article or a listing
    page resets the count. A page reached by a pagination step adds no hop
    (the chain rule governs it).
``depth_limit``
    ``DEPTH_LIMIT`` counts links between pages: a pagination step keeps the
    depth of the page it comes from (``PaginationDepthMiddleware``), so a
    listing chain deeper than the limit is read to its end. A link past the
    limit is not requested and not marked as requested: found again at a
    smaller depth, it is followed.
``page_budget``
    ``max_pages=N`` (incremental spider argument) or ``CLOSESPIDER_PAGECOUNT``
    (the whole crawl) ran out.

The request meta keys (:data:`CHAIN`, :data:`STALE`, :data:`HOPS`,
``middlewares.SAME_DEPTH``) carry a chain's state from page to page, so the
rules work the same across processes (distributed mode, JOBDIR resumes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newscrawler.middlewares import SAME_DEPTH

CHAIN = "nc_chain"  # request meta: the url of the chain's first page (only on pagination steps)
STALE = "nc_stale"  # request meta: pages in a row on this chain that did not pay
HOPS = "nc_other"  # request meta: "other" pages in a row behind this link
REASONS = ("no_new_links", "other_depth", "depth_limit", "page_budget")
PREFIX = "newscrawler/budget/"
MAX_LISTED = 100  # stopped chains listed by url in the stats
_DIGITS = re.compile(r"\d+")


def _shape(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    tail = parts.path + ("?" + parts.query if parts.query else "")
    numbers = _DIGITS.findall(tail)
    return _DIGITS.sub("#", tail), (int(numbers[-1]) if numbers else None)


def next_pages(current: str, pagination) -> set[str]:
    """The pagination links that come right after ``current``: one per kind of link.

    Pagination links of one kind share a shape (the url with its digits
    blanked) and differ in their last number; the next one is the smallest
    number above the current page's (or above 1 when the current page is not
    of that shape: ``/`` next to ``/?page=2``). A link without a number (a
    ``التالي`` link with a cursor) is the next page of its own kind.
    """
    groups: dict[str, list[tuple[int, str]]] = {}
    out = set()
    for url in pagination:
        shape, number = _shape(url)
        if number is None:
            out.add(url)
        else:
            groups.setdefault(shape, []).append((number, url))
    cur_shape, cur_number = _shape(current)
    for shape, links in groups.items():
        here = cur_number if cur_shape == shape and cur_number is not None else 1
        later = [(n, u) for n, u in links if n > here]
        if later:
            out.add(min(later)[1])
    out.discard(current)
    return out


NEW_LINKS = ("chain", "run")  # NEWSCRAWLER_NEW_LINKS: new to the chain, or new to the whole run


def budget_settings(settings) -> tuple[int, int, str]:
    """(NEWSCRAWLER_EXTRA_PAGES, NEWSCRAWLER_OTHER_DEPTH, NEWSCRAWLER_NEW_LINKS); ValueError (one
    line) when malformed."""
    scope = str(settings.get("NEWSCRAWLER_NEW_LINKS") or "chain").strip()
    if scope not in NEW_LINKS:
        raise ValueError(f"NEWSCRAWLER_NEW_LINKS must be {' or '.join(NEW_LINKS)}, not {scope!r}")
    out = []
    for name, least in (("NEWSCRAWLER_EXTRA_PAGES", 1), ("NEWSCRAWLER_OTHER_DEPTH", 0)):
        raw = settings.get(name)
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = None
        if value is None or value < least:
            raise ValueError(f"{name} must be a whole number >= {least}, not {raw!r}")
        out.append(value)
    return out[0], out[1], scope


@dataclass
class Plan:
    """What one page passes on: the pagination links to follow, and whether its other links are."""

    chain: str
    pages: set[str] = field(default_factory=set)
    pages_stop: str | None = None  # why no pagination link is followed (a reason of REASONS)
    links_stop: str | None = None  # why no other link is followed
    page_meta: dict = field(default_factory=dict)
    link_meta: dict | None = None


class CrawlBudget:
    """The rules above for one spider; ``plan`` decides per page, ``stopped`` counts."""

    def __init__(self, settings, stats):
        self.extra, self.other_depth, scope = budget_settings(settings)
        self.depth_limit = settings.getint("DEPTH_LIMIT", 0)
        self.stats = stats
        self._chains: dict[str, set[int]] = {}  # chain -> hashes of the item links its pages showed
        self._run: set[int] | None = set() if scope == "run" else None  # =run: hashes of every item link the run's pages showed

    def plan(self, url: str, meta: dict, kind: str, pagination, items, known=frozenset()) -> Plan:
        """Decide for the page ``url`` (canonical), fetched with request ``meta``.

        ``items``: the page's card and teaser links (canonical); ``known``: those
        that do not count as new (already in the seen-store, older than ``since``).
        """
        on_chain = CHAIN in meta
        chain = meta[CHAIN] if on_chain else url
        shown = self._run if self._run is not None else self._chains.setdefault(chain, set())
        fresh = False
        for u in items:
            h = hash(u)
            if h not in shown:
                shown.add(h)
                fresh = fresh or u not in known
        pays = kind == "article" or fresh
        stale = 0 if pays else (int(meta.get(STALE, 0)) if on_chain else 0) + 1
        if kind in ("article", "listing"):
            hops = 0
        else:
            hops = int(meta.get(HOPS, 0)) + (0 if on_chain else 1)
        plan = Plan(chain=chain)
        if hops > self.other_depth:
            plan.pages_stop = plan.links_stop = "other_depth"
        else:
            if self.depth_limit and int(meta.get("depth", 0)) + 1 > self.depth_limit:
                plan.links_stop = "depth_limit"
            if stale >= self.extra:
                plan.pages_stop = "no_new_links"
            else:
                plan.pages = next_pages(url, pagination)
        if plan.pages:
            plan.page_meta = {SAME_DEPTH: True, CHAIN: chain, STALE: stale}
            if hops:
                plan.page_meta[HOPS] = hops
        else:
            self._chains.pop(chain, None)  # the chain ends here (or never was one)
        if hops and not plan.links_stop:
            plan.link_meta = {HOPS: hops}
        if on_chain:
            self.stats.inc_value(PREFIX + "chain_pages")
        return plan

    @staticmethod
    def carry(meta: dict) -> dict:
        """The meta for fetching the same page again (rendered): same chain, same depth."""
        out = {k: meta[k] for k in (CHAIN, STALE, HOPS) if k in meta}
        out[SAME_DEPTH] = True
        return out

    def stopped(self, reason: str, url: str | None, chain: str | None, links: int) -> None:
        """A rule stopped ``links`` links of page ``url`` (on ``chain``) from being followed."""
        stats = self.stats
        stats.inc_value(f"{PREFIX}stopped/{reason}")
        stats.inc_value(f"{PREFIX}links_not_followed/{reason}", links)
        listed = stats.get_value(PREFIX + "stopped_urls") or []
        if len(listed) < MAX_LISTED:
            listed.append({"reason": reason, "url": url, "chain": chain, "links": links})
            stats.set_value(PREFIX + "stopped_urls", listed)
