"""No page is lost silently to an exception while it is parsed; a link no URL can be made of is
skipped (and counted), not the end of its page."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from newscrawler.parsing.generic import GenericParser
from newscrawler.parsing.html import PageTooDeep
from newscrawler.parsing.page import PageParser
from newscrawler.processors.urls import join_url, page_base, unreadable_links
from newscrawler.spiders.origin import OriginOptions, find_origin_link
from newscrawler.sample_site import SampleSite
from tests.conftest import ROOT
from tests.helpers import all_records, assert_matches_truth, outputs, read_jsonl
from tests.scheduling.sites import Served

BROKEN = b'<a href="https://[broken.example/x">broken</a>'
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0"]


class BrokenLinkSite:
    """The sample site with an unreadable link (an unclosed IPv6 bracket) on every HTML page."""

    def __init__(self, site: SampleSite):
        self.site = site

    def handle(self, path, headers=None):
        status, head, body = self.site.handle(path, headers)
        return status, head, body.replace(b"</body>", BROKEN + b"</body>", 1)


def run(tmp_path, spider, url, env=None):
    cmd = [sys.executable, "-m", "newscrawler", "run", spider, "-a", f"start_url={url}",
           "-s", f"NEWSCRAWLER_OUTPUT_DIR={tmp_path / 'data'}", "-s", f"NEWSCRAWLER_LOG_DIR={tmp_path / 'logs'}",
           "-s", "SPIDER_MODULES=newscrawler.spiders,tests.reliability.faulty_spider", *FAST]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180, env=dict(os.environ, **(env or {})))


def summary_of(folder):
    return json.loads(outputs(folder)["summaries"][0].read_text("utf-8"))


def test_an_unreadable_link_is_skipped_and_counted():
    before = unreadable_links()
    assert join_url("http://a.example/news/", "https://[broken.example/x") == ""
    assert unreadable_links() == before + 1
    assert join_url("http://a.example/news/", "2.html") == "http://a.example/news/2.html"
    site = SampleSite(20, 2)
    status, headers, body = site.handle(site.article_path(3), {})
    plain = PageParser().parse("http://h.example" + site.article_path(3), body, dict(headers)["Content-Type"])
    broken = PageParser().parse("http://h.example" + site.article_path(3), body.replace(b"</body>", BROKEN + b"</body>"),
                                dict(headers)["Content-Type"])
    assert broken.kind == "article" and (broken.title, broken.paragraphs, broken.meta) == (plain.title, plain.paragraphs, plain.meta)
    assert broken.links == plain.links


def test_an_unreadable_base_href_leaves_the_links_read_against_the_page():
    """``<base href>`` no URL can be made of: every reader (the page parser, the generic spider's
    parser, the origin finder) reads the relative links against the page's own URL, none drops them."""
    url = "http://agg.example/news/1.html"
    assert page_base(url, "https://[broken.example/") == url
    assert page_base(url, "") == page_base(url, None) == url
    assert page_base(url, "/other/") == "http://agg.example/other/"
    html = ('<html><head><base href="https://[broken.example/"><meta property="og:type" content="article">'
            '</head><body><h1>عنوان الخبر هنا</h1><p>نص الخبر الأول هنا بما يكفي من الكلمات.</p>'
            '<a href="2.html">خبر آخر</a> <a href="https://outlet.example/n/9">المصدر الأصلي</a></body></html>')
    expected = {"http://agg.example/news/2.html", "https://outlet.example/n/9"}
    assert expected <= set(PageParser().parse(url, html.encode(), "text/html; charset=utf-8").links)
    assert expected <= set(GenericParser().parse(url, html.encode(), "text/html; charset=utf-8").links)
    scheme_relative = html.replace("https://outlet.example/n/9", "//outlet.example/n/9").encode()
    assert find_origin_link(scheme_relative, url, None, OriginOptions(), {"agg.example"}) == "http://outlet.example/n/9"


def test_a_page_whose_parsing_raises_is_a_reject_a_counter_and_a_failed_monitor(tmp_path):
    """One crawl: every page carries an unreadable link (skipped, counted, harmless) and the parser has a
    bug on one article (a reject line, a counter, the page_errors monitor failing, nothing else lost)."""
    sample = SampleSite(30, 4)
    with Served(BrokenLinkSite(sample)) as site:
        truth = sample.ground_truth(site.url)
        lost = truth["records"][4]["url"]
        proc = run(tmp_path, "faulty", site.url, env={"FAULTY_PAGE": lost[len(site.url) - 1:]})
    out = tmp_path / "data"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED: 1 monitor(s) failed (page_errors)" in proc.stdout, proc.stdout
    rejects = [r for r in read_jsonl(outputs(out)["rejects"][0]) if r["code"] == "parse_error"]
    assert [(r["url"], r["field"], r["reason"]) for r in rejects] == [
        (lost, "page", "cannot parse the page: RuntimeError: a parser bug on this page")]
    s = summary_of(out)
    assert s["parse_errors"] == 1 and s["rejects_by_reason"]["page:parse_error"] == 1
    assert s["unreadable_links"] >= len(truth["records"])  # one per page read: skipped, not fatal
    assert {f["monitor"] for f in s["monitors"]["failures"]} == {"page_errors"}
    # every other article is there, exactly as on the site
    truth["records"] = [r for r in truth["records"] if r["url"] != lost]
    truth["duplicate_groups"] = [g for g in truth["duplicate_groups"] if lost not in g]
    assert_matches_truth(all_records(out), truth)


def test_deep_markup_is_read_to_the_parsers_limit_and_an_unread_article_is_an_error():
    site = SampleSite(20, 2)
    status, headers, body = site.handle(site.article_path(3), {})
    ctype = dict(headers)["Content-Type"]
    url = "http://h.example" + site.article_path(3)
    plain = PageParser().parse(url, body, ctype)

    def wrapped(n: int, junk: bytes = b"") -> bytes:
        return body.replace(b"<body>", b"<body>" + b"<div>" * n, 1).replace(
            b"</body>", b"</div>" * n + junk + b"</body>", 1)

    deep = PageParser().parse(url, wrapped(1500), ctype)
    assert deep.kind == "article" and (deep.title, deep.paragraphs, deep.meta) == (plain.title, plain.paragraphs, plain.meta)
    with pytest.raises(PageTooDeep, match="nested deeper than 2048"):
        PageParser().parse(url, wrapped(2100), ctype)
    # the article read whole, and a deeper part after it (cut, unread): the article stands
    tail = PageParser().parse(url, body.replace(b"</body>", b"<div>" * 2100 + b"x" + b"</div>" * 2100 + b"</body>"), ctype)
    assert tail.kind == "article" and tail.paragraphs == plain.paragraphs
    with pytest.raises(PageTooDeep):  # the generic spider's parser too
        GenericParser().parse(url, wrapped(2100), ctype)


class DamagedMarkupSite:
    """The sample site with three damaged article pages: one stray invalid byte in a UTF-8 page
    (in a ``<meta>`` of its head), an article wrapped in 300 nested ``<div>`` (deeper than libxml2's
    default limit of 256), and one wrapped in 2,100 (deeper than 2,048, its limit with ``huge_tree``)."""

    def __init__(self, site: SampleSite, bad_byte: str, deep: str, too_deep: str):
        self.site, self.damage = site, {bad_byte: "byte", deep: 300, too_deep: 2100}

    def handle(self, path, headers=None):
        status, head, body = self.site.handle(path, headers)
        how = self.damage.get(path)
        if how == "byte":
            body = body.replace(b"</head>", b'<meta name="keywords" content="\xff\xfe"></head>', 1)
        elif how:
            body = body.replace(b"<body>", b"<body>" + b"<div>" * how, 1).replace(b"</body>", b"</div>" * how + b"</body>", 1)
        return status, head, body


def test_a_stray_invalid_byte_or_deep_markup_loses_no_article_silently(tmp_path):
    sample = SampleSite(30, 4)
    plan = sample.ground_truth("http://h/")
    singles = [r["url"][len("http://h"):] for r in plan["records"]
               if not any(r["url"] in g for g in plan["duplicate_groups"])]
    bad_byte, deep, too_deep = singles[3:6]
    with Served(DamagedMarkupSite(sample, bad_byte, deep, too_deep)) as site:
        truth = sample.ground_truth(site.url)
        proc = run(tmp_path, "kashaf", site.url)
    out = tmp_path / "data"
    s = summary_of(out)
    # the page with an invalid byte is read as the UTF-8 it says it is, and counted
    assert s["pages_with_invalid_bytes"] == 1
    # 300 levels deep is read; 2,100 deep cannot be (the parser stops at 2,048): a reject, a counter, a monitor
    lost = site.url.rstrip("/") + too_deep
    rejects = [r for r in read_jsonl(outputs(out)["rejects"][0]) if r["code"] == "parse_error"]
    assert [r["url"] for r in rejects] == [lost]
    assert rejects[0]["reason"].startswith(
        "cannot parse the page: PageTooDeep: the page's elements are nested deeper than 2048")
    assert s["parse_errors"] == 1 and {f["monitor"] for f in s["monitors"]["failures"]} == {"page_errors"}
    assert proc.returncode == 1 and "page_errors" in proc.stdout, proc.stdout
    truth["records"] = [r for r in truth["records"] if r["url"] != lost]
    assert_matches_truth(all_records(out), truth)
