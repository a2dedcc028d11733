"""Split the ``المصدر`` value into outlet and country.

``"فرانس 24 - فرنسا"`` -> ``("فرانس 24", "فرنسا")``. The separator is the LAST dash
that has whitespace (or the start/end of the value) on both sides, so hyphens
inside a name (``بي-بي-سي``) and earlier separators (``العربية - الحدث - السعودية``)
stay in the outlet. Hyphen-minus, en and em dash are accepted, as are the other
Unicode dashes U+2010-U+2015 and the minus sign U+2212.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import clean_text

__all__ = ["split_source"]

_SEP_RE = re.compile(r"(?<!\S)[-\u2010-\u2015\u2212](?!\S)")


@lru_cache(maxsize=4096)  # an aggregator shows the same few hundred outlets on every page
def split_source(s: str | None) -> tuple[str | None, str | None]:
    """Return ``(outlet, country)``; each part is cleaned, and None when empty."""
    s = clean_text(s)
    last = None
    for last in _SEP_RE.finditer(s):
        pass
    if last is None:
        return (s or None, None)
    outlet = s[: last.start()].strip()
    country = s[last.end() :].strip()
    return (outlet or None, country or None)
