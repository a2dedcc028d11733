"""The one place HTML text becomes an lxml tree.

Plain ``lxml.etree`` elements (not ``lxml.html``'s element classes, whose
per-element Python class lookup costs a measurable share of a page's parse),
with an XML declaration removed first: lxml refuses a ``str`` that carries one,
and re-encoding the text would let the declaration's charset mis-decode it.
"""

from __future__ import annotations

import re

from lxml import etree

_PARSER = etree.HTMLParser()
# libxml2 stops reading at a nesting depth of 256 (pages of nested layout tables or wrappers go
# deeper), at 2048 with huge_tree; nothing here recurses over the tree. huge_tree costs a sixth
# more time on every page (measured), so it reads only the pages the first parser cut.
_DEEP_PARSER = etree.HTMLParser(huge_tree=True)
MAX_DEPTH = 2048
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


class PageTooDeep(ValueError):
    """The HTML parser stopped at ``MAX_DEPTH`` and what it read of the page is no article: the
    parsers raise it (a ``parse_error`` reject, never a page lost as "other")."""

    def __init__(self, read_as: str):
        super().__init__(f"the page's elements are nested deeper than {MAX_DEPTH}; "
                         f"what lies deeper was not read ({read_as})")


def html_tree(text: str) -> tuple[object, bool]:
    """(the root element of an HTML document or None, was the document cut at ``MAX_DEPTH``)."""
    if not text or not text.strip():
        return None, False
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = etree.fromstring(text, _PARSER)
        if not _cut(_PARSER):
            return root, False
        root = etree.fromstring(text, _DEEP_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, False
    return root, _cut(_DEEP_PARSER)


def _cut(parser) -> bool:
    """Did the last document ``parser`` read go deeper than it reads?"""
    log = parser.error_log
    return bool(log) and any("Excessive depth" in e.message for e in log)


def html_root(text: str):
    """The root element of an HTML document, or None when there is none."""
    return html_tree(text)[0]


def text_of(el) -> str:
    """All the text inside an element (``lxml.html``'s ``text_content()``)."""
    return "".join(el.itertext())
