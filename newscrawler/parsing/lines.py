"""Turn an HTML tree into the lines a reader sees.

A *line* is the text between two block boundaries (block elements and
``<br>``), as a browser would lay it out. Each line remembers what the page
parser needs to judge it without knowing the site's CSS: the element that
holds it, whether it is a heading, how much of it is link text and the link,
and whether it sits in a part of the page that is never article text
(a ``<figure>`` or the one short line beside an image: a caption; a block whose
class says it is an ad).

A label written without its colon in an element of its own
(``<strong>المصدر</strong> <span>…</span>``: the colon drawn by CSS) gets the
colon here, so that ``labels.py`` reads it like any other label.

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
_CHROME = frozenset(("nav", "footer"))
CAPTION_MAX = 160  # characters: a longer line beside an image is text, not its caption


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
    link: object = None  # the <a> element of the line's first link text
    in_chrome: bool = False  # inside <nav> or <footer>: site chrome, never article text

    @property
    def fully_linked(self) -> bool:
        return self.href is not None and self.link_chars >= 0.8 * len(self.text)

    @property
    def link_ratio(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


_AD_HINTS: dict = {}  # class/id text -> is it an ad's (a site repeats the same few on every page)


def _is_ad(el) -> bool:
    cls, ident = el.get("class"), el.get("id")
    if cls is None and ident is None:
        return False
    hint = (cls or "") + " " + (ident or "")
    found = _AD_HINTS.get(hint)
    if found is None:
        found = bool(_AD_HINT.search(hint))
        if len(_AD_HINTS) < 20_000:
            _AD_HINTS[hint] = found
    return found


def _classify(tag) -> tuple:
    """(lowercased tag, skipped, block, heading, figure container) of a raw lxml tag."""
    t = tag.lower() if isinstance(tag, str) else ""
    return (t, not t or t in SKIP_TAGS, t in BLOCK_TAGS, HEADINGS.get(t, 0), t in _NON_TEXT_CONTAINERS)


_KINDS: dict = {}


def html_lines(root, label_texts: frozenset = frozenset()) -> list[Line]:
    """Lines of an lxml HTML tree; ``label_texts``: the labels that get their
    colon back when an element holds nothing else."""
    # Hot path (profiled): one pass, no method calls per text. Each stack entry
    # carries what a line needs, folded from its parent when it is pushed:
    # (element, innermost block, its tag, first heading level from the top,
    #  in figure, in ad, in chrome, ancestors).
    lines: list[Line] = []
    append_line = lines.append
    parts: list[str] = []
    link_chars = 0
    line_href = line_link = None
    stack: list[tuple] = []
    in_link = 0
    href = link = None
    kinds = _KINDS
    walker = etree.iterwalk(root, events=("start", "end"))
    skip_subtree = walker.skip_subtree
    img_block = None  # the innermost block holding the last <img>, until a line follows it
    captions: list[tuple[int, object]] = []  # (line index, that block): caption candidates

    def flush():
        nonlocal parts, link_chars, line_href, line_link, img_block
        text = clean_text("".join(parts))
        lc, h, lk = link_chars, line_href, line_link
        parts, link_chars, line_href, line_link = [], 0, None, None
        if not text:
            return
        if stack:
            _el, block, btag, heading, fig, ad, chrome, ancestors = stack[-1]
        else:
            block, btag, heading, fig, ad, chrome, ancestors = None, "body", 0, False, False, False, ()
        n = len(text)
        if img_block is not None:
            if (block is img_block or img_block in ancestors) and n <= CAPTION_MAX:
                captions.append((len(lines), img_block))
            img_block = None
        append_line(Line(text, btag, heading, lc if lc < n else n, h, fig, ad, block, ancestors, lk, chrome))

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
                _e, pblock, pbtag, pheading, pfig, pad, pchrome, panc = stack[-1]
                ancestors = panc + (el,)
            else:
                pblock, pbtag, pheading, pfig, pad, pchrome = None, "body", 0, False, False, False
                ancestors = (el,)
            if is_block:
                stack.append((el, el, tag, pheading or level, pfig or is_fig, pad or _is_ad(el),
                              pchrome or tag in _CHROME, ancestors))
            else:
                stack.append((el, pblock, pbtag, pheading or level, pfig or is_fig, pad, pchrome, ancestors))
            if tag == "a":
                in_link += 1
                if in_link == 1:
                    href, link = el.get("href"), el
            elif tag == "img" and not "".join(parts).strip():
                # an image before any text of its line: the line after it may be its caption
                img_block = pblock if not is_block else el
            text = el.text
            if label_texts and text and not is_block and not in_link and not len(el):
                bare = text.strip()
                if bare and len(bare) <= 30 and bare[-1] not in ":：﹕" and clean_text(bare) in label_texts:
                    text += ": "  # a label in an element of its own: its colon is drawn by CSS
        else:  # end
            if not skipped and tag != "br":
                if is_block and parts:
                    flush()
                if stack and stack[-1][0] is el:
                    stack.pop()
                if tag == "a":
                    in_link -= 1
                    if in_link == 0:
                        href = link = None
            text = el.tail
        if text:
            parts.append(text)
            if in_link > 0:
                link_chars += len(text.strip())
                if line_href is None and href:
                    line_href, line_link = href, link
    if parts:
        flush()
    # A caption is the one short line of an element that holds an image:
    # the lines around it lie outside that element.
    for i, holder in captions:
        if not any(0 <= j < len(lines) and _inside(lines[j], holder) for j in (i - 1, i + 1)):
            lines[i].in_figure = True
    return lines


def _inside(line: Line, el) -> bool:
    return line.block is el or el in line.ancestors


def text_lines(text: str) -> list[Line]:
    """Lines of a plain-text document (the seed's layout): one line each."""
    out = []
    for raw in text.splitlines():
        t = clean_text(raw)
        if t:
            out.append(Line(t, "p"))
    return out
