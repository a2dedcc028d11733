"""Text normalisation for Arabic news text.

- ``to_western_digits``: Arabic-Indic and Extended Arabic-Indic digits (and the
  Arabic decimal/thousands separators) to ASCII.
- ``clean_text``: invisible/bidi characters removed, any Unicode whitespace
  collapsed to one plain space, NFC, trimmed. Digits and tatweel are kept.
- ``normalize_for_match``: an aggressive key for comparing headlines
  (de-duplication): no diacritics, unified letter variants, no punctuation,
  casefolded.

All functions are pure and rely on module-level tables only.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["to_western_digits", "clean_text", "normalize_for_match"]

_DIGITS = {0x0660 + i: str(i) for i in range(10)}  # ٠-٩
_DIGITS.update({0x06F0 + i: str(i) for i in range(10)})  # ۰-۹
_DIGITS[0x066B] = "."  # ٫ Arabic decimal separator
_DIGITS[0x066C] = ","  # ٬ Arabic thousands separator
_DIGIT_TABLE = str.maketrans(_DIGITS)

# Zero-width characters, bidi marks/embeddings/isolates, BOM, Arabic letter mark.
_INVISIBLE = (
    list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
    + [0x2060, 0xFEFF, 0x061C]
)
_INVISIBLE_TABLE = dict.fromkeys(_INVISIBLE)
_WHITESPACE_RE = re.compile(r"\s+")

# For match keys: drop tashkeel, superscript alef and tatweel; unify letters.
_MATCH = dict.fromkeys(list(range(0x064B, 0x0660)) + [0x0670, 0x0640])
_MATCH.update({ord(c): "ا" for c in "أإآٱ"})
_MATCH.update({ord("ى"): "ي", ord("ة"): "ه"})
_MATCH.update(_DIGITS)
_MATCH_TABLE = str.maketrans(_MATCH)
# Every punctuation character of the Basic Multilingual Plane becomes a space.
_PUNCT_TABLE = {
    c: " " for c in range(0x10000) if unicodedata.category(chr(c)).startswith("P")
}


def to_western_digits(s: str) -> str:
    """Return ``s`` with ٠-٩ / ۰-۹ as 0-9, ٫ as '.' and ٬ as ','."""
    if not s:
        return ""
    return s.translate(_DIGIT_TABLE)


INVISIBLE_CLASS = "[" + "".join(map(chr, _INVISIBLE)) + "]"  # a regex class: what clean_text removes
_INVISIBLE_RE = re.compile(INVISIBLE_CLASS)
_normalize = unicodedata.normalize
_is_normalized = unicodedata.is_normalized


def clean_text(s: str | None) -> str:
    """Remove invisible characters, collapse whitespace to single spaces, NFC, strip."""
    if not s:
        return ""
    # Hot path (one call per line of every page): translate/normalize only
    # when needed; str.split() splits on exactly what ``\s`` matches.
    if _INVISIBLE_RE.search(s):
        s = s.translate(_INVISIBLE_TABLE)
    if not _is_normalized("NFC", s):
        s = _normalize("NFC", s)
    return " ".join(s.split())


def normalize_for_match(s: str | None) -> str:
    """Return a comparison key for headlines (see module docstring)."""
    s = clean_text(s).casefold().translate(_MATCH_TABLE)
    s = unicodedata.normalize("NFC", s).translate(_PUNCT_TABLE)
    return _WHITESPACE_RE.sub(" ", s).strip()
