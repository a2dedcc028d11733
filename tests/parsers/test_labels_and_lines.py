"""The parser's two building blocks: lines of a page, labelled metadata."""

import lxml.html
import pytest

from newscrawler.parsing.html import PageTooDeep, html_root
from newscrawler.parsing.labels import LabelMatcher
from newscrawler.parsing.lines import html_lines
from newscrawler.parsing.page import PageParser

M = LabelMatcher()


@pytest.mark.parametrize("text,expected", [
    ("تاريخ الخبر: 2023-10-20 09:07:06", [("published_at", "2023-10-20 09:07:06")]),
    ("المصدر : فرانس 24 - فرنسا", [("source", "فرانس 24 - فرنسا")]),
    ("المصدر: الأول - المغرب التصنيف: سياسة", [("source", "الأول - المغرب"), ("category", "سياسة")]),
    ("مستوى الصحة: 50% الأهمية: 67%", [("credibility", "50%"), ("importance", "67%")]),
    ("• التصنيف:سياسة", [("category", "سياسة")]),
    ("الأهمية", [("importance", None)]),
    ("مستوى الصحة :", [("credibility", None)]),
    ("وقال المصدر: إن الاجتماع انتهى", None),  # a label word inside a sentence is not a label
    ("تحدث مستوى الصحة في البلاد", None),
])
def test_label_lines(text, expected):
    assert M.split(text) == expected


def test_blocks_need_two_labels_and_split_on_repeats():
    texts = ["عنوان", "المصدر: أ - ب", "التصنيف: سياسة", "عنوان آخر", "المصدر: ج", "التصنيف", "اقتصاد",
             "المصدر: د", "فقرة"]
    blocks = M.blocks(texts)
    assert [(b.start, b.end, b.fields) for b in blocks] == [
        (1, 3, {"source": "أ - ب", "category": "سياسة"}),
        (4, 7, {"source": "ج", "category": "اقتصاد"}),
    ]


def test_lines_follow_blocks_and_br_not_inline_tags():
    root = lxml.html.document_fromstring(
        "<div>سطر <b>واحد</b> <a href='/x'>برابط</a><br>سطر ثان<p>فقرة</p>ذيل</div><!-- c -->"
        "<script>var a = 'لا';</script><table><tr><td>المصدر</td><td>قيمة</td></tr></table>")
    lines = html_lines(root)
    assert [ln.text for ln in lines] == ["سطر واحد برابط", "سطر ثان", "فقرة", "ذيل", "المصدر", "قيمة"]
    assert lines[0].href == "/x" and not lines[0].fully_linked and lines[0].link_chars == len("برابط")


def test_deeply_nested_page_does_not_blow_the_stack():
    """Read down to the HTML parser's limit (2,048 levels) with no recursion; deeper text is not
    read, and a page that is then no article says so (PageTooDeep: a parse_error reject)."""
    html = "<div>" * 2000 + "<h1>عنوان</h1><p>نص</p>" + "</div>" * 2000
    assert [ln.text for ln in html_lines(html_root(html))] == ["عنوان", "نص"]
    with pytest.raises(PageTooDeep):
        PageParser().parse("http://h/", ("<div>" * 5000 + "<h1>عنوان</h1><p>نص</p>" + "</div>" * 5000).encode())


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01\x02", b"<html>", b"not html at all", b"<?xml version='1.0'?><a/>"])
def test_degenerate_pages(body):
    page = PageParser().parse("http://h/", body)
    assert page.kind == "other" and page.title is None
