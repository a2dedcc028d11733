"""Decode an HTML page's bytes to text, Arabic-aware.

Order: byte-order mark, then strict UTF-8 (valid UTF-8 with non-ASCII bytes is
never an accident), then UTF-8 with a few invalid bytes (a page cut and joined
mid-character, one stray byte: see ``_mostly_utf8``), then the charset declared
in the HTTP header or a ``<meta>`` tag when it decodes cleanly, then the Arabic
single-byte code pages (windows-1256, ISO-8859-6), choosing the one that yields
the most Arabic letters. A declared charset that is wrong (for example ``utf-8``
on windows-1256 bytes) is therefore survived, and so is no declaration at all.
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


DAMAGED_UTF8 = "utf-8 (invalid bytes replaced)"  # the encoding said of such a page: the spider counts it
MOSTLY = 4  # valid non-ASCII characters per invalid byte, at least, for UTF-8 with errors


def _mostly_utf8(body: bytes) -> str | None:
    """The text of UTF-8 bytes with a few invalid ones (each one U+FFFD), or None.

    Text in a single-byte code page is almost never valid UTF-8 beyond a byte
    or two: its letters (0xC1-0xFE in windows-1256) are UTF-8 lead bytes that
    are not followed by continuation bytes (the two real single-byte pages of
    tests/data: 1 valid character to 400 invalid bytes). So several valid
    multi-byte characters per invalid byte mean UTF-8 that was damaged, not
    another charset."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")  # what was U+FFFD already stays out
    good = sum(1 for c in text if c > "\x7f") - text.count("\ufffd")
    return text if bad > 0 and good >= MOSTLY * bad else None


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
    text = _mostly_utf8(body)
    if text is not None:
        return text, DAMAGED_UTF8
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
