"""The trap mode of the sample site (sample_site/traps.py), in process: the traps are endless
and the session ids change on every view; nothing else changes."""

import re

import pytest

from newscrawler.parsing.page import PageParser
from newscrawler.processors.urls import canonical_url
from newscrawler.sample_site import SampleSite
from newscrawler.sample_site.traps import TrapSite, parse_traps, strip_sessions

BASE = "http://127.0.0.1:1"


@pytest.fixture(scope="module")
def trap():
    return TrapSite(SampleSite(100, 3))


def parse(trap, path):
    status, head, body = trap.handle(path)
    return status, PageParser().parse(BASE + path, body, dict(head)["Content-Type"])


def test_pagination_never_ends(trap):
    last = trap.site.home_pages
    status, real = parse(trap, f"/?page={last}")
    assert status == 200 and real.kind == "listing" and len(real.cards) == 20
    for n in (last + 1, 10 ** 6):
        status, page = parse(trap, f"/?page={n}")
        assert status == 200 and page.kind == "other" and not page.cards
        assert f"{BASE}/?page={n + 1}" in {canonical_url(u) for u in page.pagination}
    status, section = parse(trap, "/section/politics?p=99")
    assert status == 200 and f"{BASE}/section/politics?p=100" in {canonical_url(u) for u in section.pagination}


def test_the_calendar_never_ends_and_lists_each_days_articles(trap):
    day = trap.newest_day.isoformat()
    status, page = parse(trap, f"/archive/{day}")
    assert status == 200 and page.kind == "listing" and page.cards
    assert f"{BASE}/archive/{day}" in {canonical_url(u) for u in parse(trap, "/")[1].links}
    status, first = parse(trap, "/archive/1900-01-02")
    assert status == 200 and first.kind == "other"
    assert {f"{BASE}/archive/1900-01-01", f"{BASE}/archive/1900-01-03"} <= {canonical_url(u) for u in first.links}
    assert trap.handle("/archive/2026-02-30")[0] == 404


def test_session_ids_are_new_on_every_view_and_ignored_on_requests(trap):
    first, second = (re.findall(r'href="(/[^"]*)"', trap.handle("/")[2].decode()) for _ in range(2))
    assert first != second and len(first) == len(second)
    assert all(re.search(r"(sid|PHPSESSID|jsessionid)=S[0-9A-F]{16}", h) for h in first)
    forms = {m for h in first for m in re.findall(r"[;?&](sid|PHPSESSID|jsessionid)=", h)}
    assert forms == {"sid", "PHPSESSID", "jsessionid"}
    assert {canonical_url(BASE + h.replace("&amp;", "&")) for h in first} == \
        {canonical_url(BASE + h.replace("&amp;", "&")) for h in second}  # the same pages once canonical
    assert strip_sessions("/a;jsessionid=S1?page=2&sid=S2&PHPSESSID=S3") == "/a?page=2"
    article = trap.site.article_path(4)
    with_session = parse(trap, f"{article};jsessionid=SABC")
    assert with_session[0] == 200 and with_session[1].title == parse(trap, article)[1].title


def test_only_the_chosen_traps_and_nothing_else_changes():
    site = SampleSite(100, 3)
    plain = TrapSite(site, parse_traps("calendar"))
    assert plain.handle(f"/?page={site.home_pages + 1}")[0] == 404  # no endless pagination
    assert b"sid=" not in plain.handle("/")[2]
    assert plain.ground_truth(BASE)["records"] == site.ground_truth(BASE)["records"]
    assert plain.needed_pages() == site.ground_truth(BASE)["pages"] + 1
    with pytest.raises(ValueError, match="unknown trap 'loops'"):
        parse_traps("pagination,loops")
    assert parse_traps("all") == ("pagination", "calendar", "sessions")
