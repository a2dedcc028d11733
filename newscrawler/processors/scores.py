"""Percentage scores shown by the aggregator (``مستوى الصحة: 94%``, ``الأهمية: ٩٥٪``).

``parse_score`` returns the integer even when it is outside 0-100: range checks
belong to validation, which must be able to report "120" as out of range rather
than as missing.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from .text import clean_text, to_western_digits

__all__ = ["parse_score"]

# A number (optionally signed, optionally with a decimal part) with an optional
# percent sign on either side (RTL markup sometimes puts it first).
_SCORE_RE = re.compile(
    r"(?P<pre>[%٪﹪％]\s?)?(?P<num>[+-]?[0-9]{1,15}(?:\.[0-9]{1,15})?)(?P<post>\s?[%٪﹪％])?"
)


def _round(x: float) -> int:
    """Round half up (94.5 -> 95)."""
    return int(math.floor(x + 0.5))


def parse_score(s: str | int | float | None) -> int | None:
    """``"94%"``, ``"٩٤٪"``, ``" 94 % "``, ``"94.0%"``, ``94`` -> 94; unparseable -> None."""
    if s is None or isinstance(s, bool):
        return None
    if isinstance(s, int):
        return s
    if isinstance(s, float):
        return _round(s) if math.isfinite(s) else None
    if not isinstance(s, str):
        return None
    return _score_text(s)


@lru_cache(maxsize=1024)  # an aggregator shows the same hundred scores on every page
def _score_text(s: str) -> int | None:
    m = _SCORE_RE.fullmatch(clean_text(to_western_digits(s)))
    if m is None or (m["pre"] and m["post"]):
        return None
    num = m["num"]
    return int(num) if "." not in num else _round(float(num))
