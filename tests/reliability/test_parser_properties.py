"""Property tests of the page parser and the page -> record path: any bytes, any HTML-ish text,
any mangled real page gives a ParsedPage, and then a valid record or a rejection with its
reason, never an exception."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawler.items import article_item
from newscrawler.parsing.page import PageParser, ParsedPage
from newscrawler.pipelines import Rejected
from newscrawler.pipelines.normalize import NormalizePipeline
from newscrawler.pipelines.validate import ValidatePipeline, check
from newscrawler.sample_site import SampleSite

PARSER = PageParser()
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
URL = "http://127.0.0.1:8000/news/1.html"
SITE = SampleSite(120, 4)
PAGES = [SITE.handle(SITE.article_path(i), {}) for i in (1, 11, 17, 29, 35, 41, 63, 70, 77, 100)]
PAGES += [SITE.handle("/", {}), SITE.handle("/nothing-here", {})]
CONTENT_TYPES = st.sampled_from([None, "", "text/html", "text/html; charset=utf-8", "text/html; charset=windows-1256",
                                 "text/html; charset=iso-8859-1", "text/html; charset=nonsense", "application/xhtml+xml",
                                 "text/html; charset=\"utf-16\"", ";;;charset="])
PIECES = st.sampled_from([
    "<html>", "</html>", "<body>", "<p>", "</p>", "<br>", "<br/>", "<div>", "</div>", "<h1>", "</h1>", "<ul>", "<li>",
    "</li>", "<table><tr><td>", "</td><td>", "<dl><dt>", "<dd>", "<span>", "</span>", "<a href='/news/2.html'>",
    "<a href='javascript:alert(1)'>", "<a href='mailto:x@y'>", "</a>", "<script>", "</script>", "<noscript>",
    "<!--", "-->", "<![CDATA[", "]]>", "<meta charset='windows-1256'>", "<title>", "</title>", "&nbsp;", "&#1575;",
    "&bogus;", "<", ">", "\"", "'", "=", "\n", " ", "\u00a0", "\u200f", "تاريخ الخبر", "المصدر", "التصنيف",
    "مستوى الصحة", "الأهمية", ":", " : ", "2023-10-20 09:07:06", "٢٠٢٣-١٠-٢٠", "94%", "٩٤٪", "120%", "فرانس 24 - فرنسا",
    "سياسة", "آخر الأخبار حول العالم", "إعلان", "المزيد من الأخبار", "خبر عاجل عن الاقتصاد العربي اليوم", "\x00", "\ufffd",
])
HTMLISH = st.lists(PIECES | st.text(max_size=8), max_size=60).map("".join)


def _record_or_reason(page: ParsedPage):
    item = article_item(page, "kashaf", "Asia/Riyadh", NOW)
    item = NormalizePipeline().process_item(item)
    try:
        item = ValidatePipeline().process_item(item)
    except Rejected as e:
        assert e.reason and e.field and e.code
        return None
    assert check(dict(item)) == []
    return item


def _parse(body, content_type):
    page = PARSER.parse(URL, body, content_type)
    assert isinstance(page, ParsedPage)
    assert page.kind in ("article", "listing", "other")
    assert all(isinstance(p, str) for p in page.paragraphs)
    assert all(u.startswith(("http://", "https://")) for u in page.links)
    return page


COMMON = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(st.binary(max_size=3000), CONTENT_TYPES)
def test_any_bytes(body, content_type):
    _record_or_reason(_parse(body, content_type))


@COMMON
@given(HTMLISH, st.sampled_from(["utf-8", "cp1256", "iso8859-6", "utf-16"]), CONTENT_TYPES)
def test_any_html_ish_text(text, encoding, content_type):
    body = text.encode(encoding, "replace")
    _record_or_reason(_parse(body, content_type))


@COMMON
@given(st.sampled_from(range(len(PAGES))), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6), st.binary(max_size=40),
       st.sampled_from(["cut", "splice", "drop", "dup"]), CONTENT_TYPES)
def test_mangled_real_pages(k, a, b, junk, how, content_type):
    """Truncated, spliced, partly deleted or doubled sample pages (what a broken server sends)."""
    body = PAGES[k][2]
    a, b = sorted((a % (len(body) + 1), b % (len(body) + 1)))
    mangled = {"cut": body[:a], "splice": body[:a] + junk + body[b:], "drop": body[:a] + body[b:],
               "dup": body[:b] + body[a:]}[how]
    _record_or_reason(_parse(mangled, content_type))


def test_the_whole_sample_page_still_gives_its_record():
    """The properties above would pass for a parser that reads nothing: check it reads something."""
    status, headers, body = PAGES[0]
    record = _record_or_reason(_parse(body, dict(headers)["Content-Type"]))
    assert record is not None and record["title"] and record["body"]
