"""The parser's one pass over a page's special elements (``_DocFacts``) gives
what the seven XPaths it replaced give, on every stored page and on edge cases."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from lxml import etree

from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.html import html_root
from newscrawler.parsing.page import _DocFacts

TESTS = Path(__file__).resolve().parents[1]
XPATHS = {
    "base": etree.XPath("string(//base/@href)"),
    "scripts": etree.XPath("count(//script)"),
    "noscript": etree.XPath("boolean(//noscript[normalize-space()])"),
    "og_title": etree.XPath("string(//meta[@property='og:title']/@content)"),
    "twitter_title": etree.XPath("string(//meta[@name='twitter:title']/@content)"),
    "title": etree.XPath("string(//title)"),
    "jsonld": etree.XPath("//script[@type='application/ld+json']/text()"),
}
EDGE = (
    "<html><head><base><base href='/x/'><base href='/y/'>"
    "<meta property='og:title'><meta property='og:title' content=''><meta property='og:title' content='B'>"
    "<meta name='twitter:title' content='TW'><title>T <b>x</b></title><noscript>\u00a0</noscript></head>"
    "<body><svg><title>svg</title></svg><script type='application/ld+json'></script>"
    "<script type='application/ld+json'>{\"headline\": \"h\"}</script><script>var a;</script>"
    "<noscript> \n </noscript></body></html>",
    "<html><body><p>no head at all</p><noscript>  </noscript></body></html>",
)


def _stored_pages():
    for path in sorted(TESTS.rglob("*")):
        if path.suffix in (".html", ".htm") or path.name.endswith(".html.gz"):
            data = path.read_bytes()
            yield path.name, gzip.decompress(data) if path.suffix == ".gz" else data


PAGES = [*_stored_pages(), *((f"edge{i}", d.encode("utf-8")) for i, d in enumerate(EDGE))]


@pytest.mark.parametrize("name,data", PAGES, ids=[n for n, _ in PAGES])
def test_one_pass_equals_the_xpaths(name, data):
    root = html_root(decode_html(data, None)[0])
    if root is None:
        pytest.skip("no HTML tree")
    facts = _DocFacts.of(root)
    got = {
        "base": facts.base or "", "scripts": facts.scripts, "noscript": facts.noscript,
        "og_title": facts.og_title or "", "twitter_title": facts.twitter_title or "",
        "title": facts.title or "", "jsonld": facts.jsonld,
    }
    want = {k: xp(root) for k, xp in XPATHS.items()}
    want["scripts"] = int(want["scripts"])
    want["jsonld"] = [str(t) for t in want["jsonld"]]
    assert got == want


def test_the_edge_case_is_read_as_xpath_reads_it():
    facts = _DocFacts.of(html_root(EDGE[0]))
    # <title> holds text only: its "<b>" is not markup
    assert (facts.base, facts.og_title, facts.twitter_title, facts.title) == ("/x/", "", "TW", "T <b>x</b>")
    assert facts.noscript is True  # a no-break space is text to normalize-space()
    assert facts.scripts == 3 and facts.jsonld == ['{"headline": "h"}']
