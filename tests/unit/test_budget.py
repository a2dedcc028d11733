"""The crawl budget's rules (spiders/budget.py) page by page, and the depth middleware, with
Scrapy's own Request, Response, settings and stats (no crawl)."""

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newscrawler.middlewares import SAME_DEPTH, PaginationDepthMiddleware
from newscrawler.spiders.budget import CHAIN, HOPS, STALE, CrawlBudget, budget_settings, next_pages

B = "https://a.example"


def budget(**settings):
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_EXTRA_PAGES": 1, "NEWSCRAWLER_OTHER_DEPTH": 2,
                                         "DEPTH_LIMIT": 0, **settings})
    return CrawlBudget(crawler.settings, crawler.stats), crawler.stats


@pytest.mark.parametrize("current, links, expected", [
    (f"{B}/", [f"{B}/?page=2", f"{B}/?page=3", f"{B}/?page=15"], {f"{B}/?page=2"}),
    (f"{B}/?page=5", [f"{B}/?page=4", f"{B}/?page=6", f"{B}/?page=9"], {f"{B}/?page=6"}),
    (f"{B}/?page=15", [f"{B}/?page=1", f"{B}/?page=14"], set()),  # the last page
    (f"{B}/s/sport", [f"{B}/s/sport?p=2", f"{B}/s/sport?p=3", f"{B}/?mr=2"], {f"{B}/s/sport?p=2", f"{B}/?mr=2"}),
    (f"{B}/list", [f"{B}/list?after=Zx"], {f"{B}/list?after=Zx"}),  # a cursor: its own next page
    (f"{B}/archive/2026-11-20", [f"{B}/archive/2026-11-19", f"{B}/archive/2026-11-21"],
     {f"{B}/archive/2026-11-21"}),
])
def test_next_pages(current, links, expected):
    assert next_pages(current, links) == expected


def walk(b, pages, kind="listing", meta=None):
    """Follow one chain: ``pages`` is the item links of each page; returns the plans."""
    meta = dict(meta or {})
    plans = []
    for n, items in enumerate(pages, 1):
        url = f"{B}/?page={n}" if n > 1 else f"{B}/"
        plan = b.plan(url, meta, kind if items else "other", {f"{B}/?page={n + 1}"}, set(items))
        plans.append(plan)
        if not plan.pages:
            break
        meta = {**plan.page_meta, "depth": 0}
    return plans


def test_a_chain_stops_after_extra_pages_that_bring_nothing_new_to_it():
    b, stats = budget()
    plans = walk(b, [["a", "b"], ["c", "a"], ["c"], ["d"]])
    assert [bool(p.pages) for p in plans] == [True, True, False]  # page 3 repeats page 2: stop
    assert plans[-1].pages_stop == "no_new_links" and plans[1].page_meta[CHAIN] == f"{B}/"
    b, _ = budget(NEWSCRAWLER_EXTRA_PAGES=2)
    assert len(walk(b, [["a"], [], [], ["z"]])) == 3  # two empty pages, then stop
    b, _ = budget(NEWSCRAWLER_EXTRA_PAGES=2)
    assert len(walk(b, [["a"], [], ["b"], [], []])) == 5  # a page that pays starts the count again


def test_new_means_new_to_the_chain_so_one_section_does_not_stop_another():
    b, _ = budget()
    home = walk(b, [["a", "b"], ["c", "d"], []])
    section = b.plan(f"{B}/s/x", {}, "listing", {f"{B}/s/x?p=2"}, {"a", "c"})  # the home chain listed both
    assert len(home) == 3 and section.pages == {f"{B}/s/x?p=2"} and section.chain == f"{B}/s/x"


def test_new_links_run_counts_what_the_whole_run_has_seen():
    b, _ = budget(NEWSCRAWLER_NEW_LINKS="run")
    home = walk(b, [["a", "b"], ["c", "d"], []])
    section = b.plan(f"{B}/s/x", {}, "listing", {f"{B}/s/x?p=2"}, {"a", "c"})  # the home chain listed both
    assert len(home) == 3 and not section.pages and section.pages_stop == "no_new_links"
    other = b.plan(f"{B}/s/y", {}, "listing", {f"{B}/s/y?p=2"}, {"a", "e"})  # one card new to the run
    assert other.pages == {f"{B}/s/y?p=2"}
    with pytest.raises(ValueError, match="^NEWSCRAWLER_NEW_LINKS must be chain or run, not 'site'$"):
        budget_settings(Settings({"NEWSCRAWLER_EXTRA_PAGES": 1, "NEWSCRAWLER_OTHER_DEPTH": 2,
                                  "NEWSCRAWLER_NEW_LINKS": "site"}))


def test_known_items_and_articles():
    b, _ = budget()
    stale = b.plan(f"{B}/", {}, "listing", {f"{B}/?page=2"}, {"a"}, known={"a"})  # in the seen-store
    assert stale.pages_stop == "no_new_links" and not stale.pages
    article = b.plan(f"{B}/n/1", {}, "article", {f"{B}/n/2"}, set())  # "next article": an article pays
    assert article.pages == {f"{B}/n/2"}


def test_other_pages_pass_links_on_for_other_depth_hops_and_listings_reset():
    b, _ = budget()
    first = b.plan(f"{B}/cal/1", {}, "other", set(), set())
    second = b.plan(f"{B}/cal/2", first.link_meta, "other", set(), set())
    third = b.plan(f"{B}/cal/3", second.link_meta, "other", set(), set())
    assert first.link_meta == {HOPS: 1} and second.link_meta == {HOPS: 2}
    assert third.links_stop == third.pages_stop == "other_depth"
    listing = b.plan(f"{B}/cal/4", second.link_meta, "listing", set(), {"x"})
    assert listing.links_stop is None and listing.link_meta is None  # reset
    # an "other" page reached by a pagination step adds no hop
    empty = b.plan(f"{B}/?page=9", {CHAIN: f"{B}/", STALE: 0, HOPS: 2}, "other", {f"{B}/?page=10"}, set())
    assert empty.links_stop is None and empty.pages_stop == "no_new_links"
    b, _ = budget(NEWSCRAWLER_OTHER_DEPTH=0)
    assert b.plan(f"{B}/tags", {}, "other", set(), set()).links_stop == "other_depth"


def test_depth_limit_cuts_links_but_not_pagination():
    b, _ = budget(DEPTH_LIMIT=3)
    plan = b.plan(f"{B}/?page=40", {CHAIN: f"{B}/", STALE: 0, "depth": 3}, "listing", {f"{B}/?page=41"}, {"n"})
    assert plan.links_stop == "depth_limit" and plan.pages == {f"{B}/?page=41"}
    assert plan.page_meta[SAME_DEPTH] is True


def test_stops_are_counted_by_reason_and_listed():
    b, stats = budget()
    b.stopped("no_new_links", f"{B}/?page=6", f"{B}/", 2)
    b.stopped("other_depth", f"{B}/cal/3", f"{B}/cal/3", 1)
    assert stats.get_value("newscrawler/budget/stopped/no_new_links") == 1
    assert stats.get_value("newscrawler/budget/links_not_followed/no_new_links") == 2
    assert [s["reason"] for s in stats.get_value("newscrawler/budget/stopped_urls")] == ["no_new_links", "other_depth"]


@pytest.mark.parametrize("name, value", [("NEWSCRAWLER_EXTRA_PAGES", "0"), ("NEWSCRAWLER_EXTRA_PAGES", "x"),
                                         ("NEWSCRAWLER_OTHER_DEPTH", "-1"), ("NEWSCRAWLER_OTHER_DEPTH", "1.5")])
def test_bad_budget_settings_are_one_clear_error(name, value):
    with pytest.raises(ValueError, match=f"^{name} must be a whole number >= "):
        budget_settings(Settings({"NEWSCRAWLER_EXTRA_PAGES": 1, "NEWSCRAWLER_OTHER_DEPTH": 2, name: value}))


def test_a_pagination_step_keeps_the_depth_of_its_page():
    crawler = get_crawler(settings_dict={"DEPTH_LIMIT": 2})
    mw = PaginationDepthMiddleware.from_crawler(crawler)
    response = HtmlResponse(f"{B}/?page=7", body=b"<html></html>", request=Request(f"{B}/?page=7", meta={"depth": 2}))
    out = list(mw.process_spider_output(response, [
        Request(f"{B}/?page=8", meta={SAME_DEPTH: True}),  # pagination: depth 2, allowed
        Request(f"{B}/n/1"),  # a link: depth 3 > DEPTH_LIMIT, dropped by Scrapy's rule
    ]))
    assert [(r.url, r.meta["depth"]) for r in out] == [(f"{B}/?page=8", 2)]
    assert crawler.stats.get_value("depth/request_ignored_count") == 1
