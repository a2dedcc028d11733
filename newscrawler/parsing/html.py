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
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def html_root(text: str):
    """The root element of an HTML document, or None when there is none."""
    if not text or not text.strip():
        return None
    text = _XML_DECLARATION.sub("", text, count=1)
    try:
        return etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def text_of(el) -> str:
    """All the text inside an element (``lxml.html``'s ``text_content()``)."""
    return "".join(el.itertext())
