"""The one place HTML text becomes an lxml tree.

Plain ``lxml.etree`` elements (not ``lxml.html``'s element classes, whose
per-element Python class lookup costs a measurable share of a page's parse),
with an XML declaration removed first: lxml refuses a ``str`` that carries one,
and re-encoding the text would let the declaration's charset mis-decode it.
"""

from __future__ import annotations

import re

from lxml import etree

# huge_tree: libxml2 stops reading at a nesting depth of 256 without it (pages of nested layout
# tables or wrappers go deeper), 2048 with it; nothing here recurses over the tree
_PARSER = etree.HTMLParser(huge_tree=True)
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
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, False
    log = _PARSER.error_log
    return root, bool(log) and any("Excessive depth" in e.message for e in log)


def html_root(text: str):
    """The root element of an HTML document, or None when there is none."""
    return html_tree(text)[0]


def text_of(el) -> str:
    """All the text inside an element (``lxml.html``'s ``text_content()``)."""
    return "".join(el.itertext())
