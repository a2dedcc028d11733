"""Decode an HTML page's bytes to text, Arabic-aware.

Order: byte-order mark, then strict UTF-8 (valid UTF-8 with non-ASCII bytes is
never an accident), then the charset declared in the HTTP header or a
``<meta>`` tag when it decodes cleanly, then the Arabic single-byte code pages
(windows-1256, ISO-8859-6), choosing the one that yields the most Arabic
letters. A declared charset that is wrong (for example ``utf-8`` on
windows-1256 bytes) is therefore survived, and so is no declaration at all.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ARABIC_CODEPAGES = ("cp1256", "iso8859-6")


def _arabic_score(text: str) -> int:
    return len(_ARABIC_LETTER.findall(text))


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    name = resolve_encoding(encoding)
    if not name:
        return None
    try:
        return body.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding_used)`` for an HTML body.

    ``content_type`` is the raw ``Content-Type`` header value, if any.
    Never raises: undecodable bytes end up as U+FFFD in the worst case.
    """
    if isinstance(body, str):
        return body, "unicode"
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(name, errors="replace"), name
    try:
        text = body.decode("utf-8")
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    declared = []
    if content_type:
        declared.append(http_content_type_encoding(content_type))
    declared.append(html_body_declared_encoding(body[:4096]))
    for encoding in declared:
        name = resolve_encoding(encoding) if encoding else None
        if not name or name in ("utf-8", "ascii", "cp1252", "latin-1", "iso8859-1"):
            # A Latin declaration on bytes that are not UTF-8 is usually a lie
            # on an Arabic site: let the Arabic code pages compete below.
            continue
        text = _try(body, name)
        if text is not None:
            return text, name
    best, best_name, best_score = None, "cp1256", -1
    for name in _ARABIC_CODEPAGES:
        text = body.decode(name, errors="replace")
        score = _arabic_score(text) - 4 * text.count("\ufffd")
        if score > best_score:
            best, best_name, best_score = text, name, score
    return best, best_name
