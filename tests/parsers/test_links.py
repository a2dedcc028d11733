"""The parser's links and pagination links, from what the links say."""

from __future__ import annotations

from newscrawler.parsing.page import PageParser


def test_pagination_links_are_found_by_their_text():
    """Link texts are cleaned only when they could be pagination (a cheap test first): the test must
    let through every form the full rule reads, Arabic-Indic numbers and invisible characters included."""
    html = ("<html><body><h1>قائمة</h1><a href='/p/2'>٢</a> <a href='/p/3'> 3 </a>"
            "<a href='/p/4'>التا\u200cلي</a> <a href='/p/5'>Next</a> <a href='/p/6'>»</a>"
            "<a href='/p/7' rel='next'>more</a> <a href='/story/1'>خبر عن التالي في الدوري</a>"
            "<a href='/story/2'>قمة الرياض</a></body></html>")
    page = PageParser().parse("http://h.example/list", html.encode("utf-8"), "text/html; charset=utf-8")
    assert page.pagination == [f"http://h.example/p/{n}" for n in range(2, 8)]
    assert len(page.links) == 8
