"""Find the aggregator's labelled metadata (``المصدر: ...``) in lines of text.

A label is recognised by what it says, wherever the markup puts it:

* ``label: value`` at the start of a line, with any spaces around the colon;
* several labels on one line, separated by spaces, ``|``, ``-``, ``·`` or
  nothing at all (``المصدر: الأول - المغرب التصنيف: سياسة``,
  ``تاريخ الخبر: 2023-10-20 | المصدر: فرانس 24``);
* a label alone on its line (a table cell, a ``<dt>``, a span) with its value
  on the next line, with or without a colon;
* a label after some text on the same line (``<a>headline</a> المصدر: …``):
  :meth:`LabelMatcher.find` reports that text as the line's *prefix*, and the
  page parser decides what it is (a card's headline link, a byline's author).

A label written without a colon in an element of its own
(``<strong>المصدر</strong> <span>…</span>``, the colon drawn by CSS) is given
its colon when the page is laid out as lines (``lines.py``).

A value longer than :data:`MAX_VALUE` characters is prose, not a value: the
line is not a label line (``المصدر: إن …`` opening a long paragraph).

A *block* is a run of consecutive label lines; the same label twice starts a
new block (two cards with nothing between them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newscrawler.processors.text import clean_text

# field name -> the label texts that mean it. The first of each is the one
# the document rendering writes.
DEFAULT_LABELS: dict[str, tuple[str, ...]] = {
    "published_at": ("تاريخ الخبر", "تاريخ النشر"),
    "source": ("المصدر",),
    "category": ("التصنيف",),
    "credibility": ("مستوى الصحة",),
    "importance": ("الأهمية", "الاهمية"),
}

_BULLETS = " \t•·*-–—|،,;/"
COLONS = ":：﹕"  # the colons a label may end with (ASCII, fullwidth, small)
_ANY_COLON = re.compile(f"[{COLONS}]").search
MAX_VALUE = 160


@dataclass
class Block:
    start: int  # index of the first line of the block
    end: int  # index after the last line
    fields: dict[str, str] = field(default_factory=dict)
    prefix: str = ""  # text before the first label on the block's first line
    where: dict[str, int] = field(default_factory=dict)  # field -> index of the line that holds its label


class LabelMatcher:
    """Compiled label patterns for one profile's label set."""

    def __init__(self, labels: dict[str, tuple[str, ...]] | None = None):
        labels = labels or DEFAULT_LABELS
        self.by_text: dict[str, str] = {}
        for name, texts in labels.items():
            for t in texts:
                self.by_text[clean_text(t)] = name
        self.texts = frozenset(self.by_text)
        alternatives = "|".join(re.escape(t) for t in sorted(self.by_text, key=len, reverse=True))
        # Any label followed by a colon, wherever it is on the line.
        self._anywhere = re.compile(rf"({alternatives})\s*[{COLONS}]\s*")
        self._alone = re.compile(rf"^[{re.escape(_BULLETS)}]*({alternatives})\s*[{COLONS}]?$")
        self._first = re.compile(rf"^[{re.escape(_BULLETS)}]*({alternatives})\s*[{COLONS}]")
        self._alone_max = max(len(t) for t in self.by_text) + 12  # a label alone, with bullets and a colon

    def _pairs(self, text: str) -> list[tuple[str, str]] | None:
        """The (field, value) pairs of ``text``, which starts with a label."""
        matches = list(self._anywhere.finditer(text))
        out = []
        for i, mm in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[mm.end():end].strip(_BULLETS)
            if len(value) > MAX_VALUE:
                return None
            out.append((self.by_text[mm.group(1)], value))
        return out or None

    def split(self, text: str) -> list[tuple[str, str | None]] | None:
        """``[(field, value), ...]`` for a line that starts with a label, ``None`` otherwise.

        A value of ``None`` means the label stands alone: its value is on the
        next line.
        """
        if len(text) <= self._alone_max:
            m = self._alone.match(text)
            if m:
                return [(self.by_text[m.group(1)], None)]
        m = self._first.match(text)
        if not m:
            return None
        return self._pairs(text[m.start(1):])

    def find(self, text: str) -> tuple[str, list[tuple[str, str | None]]] | None:
        """``(prefix, pairs)`` for any line with a label followed by a colon;
        the prefix is the text before the first label ("" when it starts the line)."""
        if len(text) <= self._alone_max:
            m = self._alone.match(text)
            if m:
                return "", [(self.by_text[m.group(1)], None)]
        if not _ANY_COLON(text):  # no colon: no label (one C scan, cheaper than the label search)
            return None
        m = self._anywhere.search(text)  # one search decides for most lines: no label at all
        if m is None:
            return None
        start = m.start()
        if not text[:start].strip(_BULLETS):
            pairs = self._pairs(text[start:])
            return None if pairs is None else ("", pairs)
        pairs = self._pairs(text[start:])
        if pairs is None:
            return None
        return text[:start].strip(_BULLETS), pairs

    def blocks(self, texts: list[str], min_labels: int = 2,
               found: list | None = None) -> list[Block]:
        """Blocks of at least ``min_labels`` distinct labels in ``texts``.

        ``found`` may give the result of :meth:`find` (or :meth:`split`, as
        ``("", pairs)``) for each line, already judged by the caller; by default
        only lines that start with a label count.
        """
        if found is None:
            found = [(None if (p := self.split(t)) is None else ("", p)) for t in texts]
        out: list[Block] = []
        current: Block | None = None
        i, n = 0, len(texts)
        while i < n:
            hit = found[i]
            if hit is None:
                if current is not None:
                    out.append(current)
                    current = None
                i += 1
                continue
            prefix, pairs = hit
            if prefix and current is not None:  # text before the label: a new block starts here
                out.append(current)
                current = None
            line_end = i + 1
            for name, value in pairs:
                if value is None:  # label alone: the value is the next line
                    if line_end < n and found[line_end] is None and len(texts[line_end]) <= MAX_VALUE:
                        value = texts[line_end]
                        line_end += 1
                    else:
                        value = ""
                if current is None or name in current.fields:
                    if current is not None:
                        out.append(current)
                    current = Block(i, i, prefix=prefix if current is None else "")
                current.fields[name] = value
                current.where[name] = i
            current.end = line_end
            i = line_end
        if current is not None:
            out.append(current)
        return [b for b in out if len(b.fields) >= min_labels]
