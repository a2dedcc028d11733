"""Turn an HTML tree into the lines a reader sees.

A *line* is the text between two block boundaries (block elements and
``<br>``), as a browser would lay it out. Each line remembers what the page
parser needs to judge it without knowing the site's CSS: the element that
holds it, whether it is a heading, how much of it is link text and the link,
and whether it sits in a part of the page that is never article text
(a ``<figure>``, an ``<aside>``, a block whose class says it is an ad).

The walk is iterative (``lxml.etree.iterwalk``), so a deeply nested or
malformed page cannot exhaust Python's recursion limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from newscrawler.processors.text import clean_text

SKIP_TAGS = frozenset(
    "script style noscript template svg head iframe object embed select option "
    "button textarea canvas video audio map input".split()
)
BLOCK_TAGS = frozenset(
    "address article aside blockquote body center dd details dialog dir div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "li main menu nav ol p pre section summary table tbody thead tfoot td th tr ul "
    "caption".split()
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Ad containers are recognised by what they say (the marker line) and, as a
# hint only, by class/id words that mean "advertisement" in any site's CSS.
_AD_HINT = re.compile(r"(?:^|[\s_-])(?:ad|ads|adv|advert|advertisement|sponsor|sponsored|banner|promo|dfp|gpt)(?:$|[\s_-])", re.I)
_NON_TEXT_CONTAINERS = frozenset(("figure", "figcaption"))


@dataclass(slots=True)
class Line:
    text: str
    tag: str  # tag of the innermost block element holding the line
    heading: int = 0  # 1-6 when inside h1-h6, else 0
    link_chars: int = 0  # characters of the text that are inside <a>
    href: str | None = None  # the first link's href in the line
    in_figure: bool = False
    in_ad: bool = False
    block: object = None  # the lxml element of the innermost block
    ancestors: tuple = field(default=())  # the elements enclosing the line

    @property
    def fully_linked(self) -> bool:
        return self.href is not None and self.link_chars >= 0.8 * len(self.text)

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


class _Builder:
    __slots__ = ("lines", "parts", "link_chars", "href", "stack")

    def __init__(self):
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.href = None
        # stack of (element, tag, heading, in_link, in_figure, in_ad)
        self.stack: list[tuple] = []

    def add(self, text: str | None, in_link: bool, href: str | None):
        if not text:
            return
        self.parts.append(text)
        if in_link:
            self.link_chars += len(text.strip())
            if self.href is None and href:
                self.href = href

    def flush(self):
        if not self.parts:
            return
        text = clean_text("".join(self.parts))
        link_chars, href = self.link_chars, self.href
        self.parts, self.link_chars, self.href = [], 0, None
        if not text:
            return
        block, tag, heading, in_figure, in_ad, ancestors = self._context()
        self.lines.append(
            Line(text, tag, heading, min(link_chars, len(text)), href, in_figure, in_ad, block, ancestors)
        )

    def _context(self):
        block, tag, heading, in_figure, in_ad = None, "body", 0, False, False
        ancestors = []
        for el, t, h, _link, fig, ad in self.stack:
            ancestors.append(el)
            if t in BLOCK_TAGS:
                block, tag = el, t
            heading = heading or h
            in_figure = in_figure or fig
            in_ad = in_ad or ad
        return block, tag, heading, in_figure, in_ad, tuple(ancestors)


def _is_ad(el) -> bool:
    hint = (el.get("class") or "") + " " + (el.get("id") or "")
    return bool(hint.strip()) and bool(_AD_HINT.search(hint))


def _classify(tag) -> tuple:
    """(lowercased tag, skipped, block, heading, figure container) of a raw lxml tag."""
    t = tag.lower() if isinstance(tag, str) else ""
    return (t, not t or t in SKIP_TAGS, t in BLOCK_TAGS, HEADINGS.get(t, 0), t in _NON_TEXT_CONTAINERS)


_KINDS: dict = {}


def html_lines(root) -> list[Line]:
    """Lines of an lxml HTML tree (``lxml.html`` document element)."""
    # Hot path (profiled): one pass, no method calls per text. Each stack entry
    # carries what a line needs, folded from its parent when it is pushed:
    # (element, innermost block, its tag, first heading level from the top,
    #  in figure, in ad, ancestors).
    lines: list[Line] = []
    append_line = lines.append
    parts: list[str] = []
    link_chars = 0
    line_href = None
    stack: list[tuple] = []
    in_link = 0
    href = None
    kinds = _KINDS
    walker = etree.iterwalk(root, events=("start", "end"))
    skip_subtree = walker.skip_subtree

    def flush():
        nonlocal parts, link_chars, line_href
        text = clean_text("".join(parts))
        lc, h = link_chars, line_href
        parts, link_chars, line_href = [], 0, None
        if not text:
            return
        if stack:
            _el, block, btag, heading, fig, ad, ancestors = stack[-1]
        else:
            block, btag, heading, fig, ad, ancestors = None, "body", 0, False, False, ()
        n = len(text)
        append_line(Line(text, btag, heading, lc if lc < n else n, h, fig, ad, block, ancestors))

    for event, el in walker:
        raw = el.tag
        kind = kinds.get(raw)
        if kind is None:
            kind = _classify(raw)
            if isinstance(raw, str) and len(kinds) < 4096:
                kinds[raw] = kind
        tag, skipped, is_block, level, is_fig = kind
        if event == "start":
            if skipped:
                skip_subtree()
                continue
            if tag == "br":
                if parts:
                    flush()
                continue
            if is_block and parts:
                flush()
            if stack:
                _e, pblock, pbtag, pheading, pfig, pad, panc = stack[-1]
                ancestors = panc + (el,)
            else:
                pblock, pbtag, pheading, pfig, pad = None, "body", 0, False, False
                ancestors = (el,)
            if is_block:
                stack.append((el, el, tag, pheading or level, pfig or is_fig, pad or _is_ad(el), ancestors))
            else:
                stack.append((el, pblock, pbtag, pheading or level, pfig or is_fig, pad, ancestors))
            if tag == "a":
                in_link += 1
                if in_link == 1:
                    href = el.get("href")
            text = el.text
        else:  # end
            if not skipped and tag != "br":
                if is_block and parts:
                    flush()
                if stack and stack[-1][0] is el:
                    stack.pop()
                if tag == "a":
                    in_link -= 1
                    if in_link == 0:
                        href = None
            text = el.tail
        if text:
            parts.append(text)
            if in_link > 0:
                link_chars += len(text.strip())
                if line_href is None and href:
                    line_href = href
    if parts:
        flush()
    return lines


def text_lines(text: str) -> list[Line]:
    """Lines of a plain-text document (the seed's layout): one line each."""
    out = []
    for raw in text.splitlines():
        t = clean_text(raw)
        if t:
            out.append(Line(t, "p"))
    return out
