"""Find the aggregator's labelled metadata (``المصدر: ...``) in lines of text.

A label is recognised by what it says, wherever the markup puts it:
``label: value`` on one line, several labels on one line
(``المصدر: الأول - المغرب التصنيف: سياسة``), or a label alone on its line
(a table cell, a ``<dt>``, a span) with its value on the next line, with or
without a colon, with any spaces around the colon.

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

_BULLETS = " \t•·*-–—|،,;"


@dataclass
class Block:
    start: int  # index of the first line of the block
    end: int  # index after the last line
    fields: dict[str, str] = field(default_factory=dict)


class LabelMatcher:
    """Compiled label patterns for one profile's label set."""

    def __init__(self, labels: dict[str, tuple[str, ...]] | None = None):
        labels = labels or DEFAULT_LABELS
        self.by_text: dict[str, str] = {}
        for name, texts in labels.items():
            for t in texts:
                self.by_text[clean_text(t)] = name
        alternatives = "|".join(re.escape(t) for t in sorted(self.by_text, key=len, reverse=True))
        # A label at the start of a line, or after a space when the line
        # already started with a label; followed by a colon.
        self._anywhere = re.compile(rf"(?:^|(?<=\s))({alternatives})\s*[:：﹕]\s*")
        self._alone = re.compile(rf"^({alternatives})\s*[:：﹕]?$")
        self._first = re.compile(rf"^[{re.escape(_BULLETS)}]*({alternatives})\s*[:：﹕]")

    def split(self, text: str) -> list[tuple[str, str | None]] | None:
        """``[(field, value), ...]`` for a label line, ``None`` otherwise.

        A value of ``None`` means the label stands alone: its value is on the
        next line.
        """
        m = self._alone.match(text)
        if m:
            return [(self.by_text[m.group(1)], None)]
        m = self._first.match(text)
        if not m:
            return None
        text = text[m.start(1):]
        matches = list(self._anywhere.finditer(text))
        out = []
        for i, mm in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            value = text[mm.end():end].strip(_BULLETS)
            out.append((self.by_text[mm.group(1)], value))
        return out

    def blocks(self, texts: list[str], min_labels: int = 2) -> list[Block]:
        """Blocks of at least ``min_labels`` distinct labels in ``texts``."""
        found: list[Block] = []
        current: Block | None = None
        i, n = 0, len(texts)
        while i < n:
            pairs = self.split(texts[i])
            if pairs is None:
                if current is not None:
                    found.append(current)
                    current = None
                i += 1
                continue
            line_end = i + 1
            for name, value in pairs:
                if value is None:  # label alone: the value is the next line
                    if line_end < n and self.split(texts[line_end]) is None:
                        value = texts[line_end]
                        line_end += 1
                    else:
                        value = ""
                if current is None or name in current.fields:
                    if current is not None:
                        found.append(current)
                    current = Block(i, i)
                current.fields[name] = value
            current.end = line_end
            i = line_end
        if current is not None:
            found.append(current)
        return [b for b in found if len(b.fields) >= min_labels]
