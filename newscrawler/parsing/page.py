"""The page parser: (url, HTML) -> what the page is and what it says.

No network, no Scrapy: ``PageParser(profile_rules).parse(url, body,
content_type)`` works on stored bytes, which is how the tests use it.

The page is read as a person reads it (see ``lines.py``): an article page has
a headline, body paragraphs and exactly one block of the aggregator's labels
(``labels.py``) that belongs to it; a listing has cards, each a headline
*link* followed by labels. The sidebar (``آخر الأخبار حول العالم``) is found by
its heading, wherever it sits in the markup, and becomes ``related``. Ads are
found by their marker (``إعلان``), boilerplate by its phrases. CSS classes are
never required; a profile may add selectors as a refinement.

The parser returns raw strings; typing (dates, scores, the outlet/country
split) is the item loader's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.html import html_root, text_of
from newscrawler.parsing.labels import DEFAULT_LABELS, LabelMatcher
from newscrawler.parsing.lines import Line, html_lines, text_lines
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import join_url as urljoin  # never raises: "" for an unreadable link

DEFAULT_SIDEBAR_HEADINGS = ("آخر الأخبار حول العالم",)
DEFAULT_BOILERPLATE = (
    "المزيد من الأخبار",
    "مواضيع من موسوعة كشاف",
    "سحابة الكلمات المفتاحية",
    "تحميل تطبيق المنصة العربية",
)
DEFAULT_AD_MARKERS = ("إعلان", "اعلان", "إعلانات", "مساحة إعلانية", "محتوى إعلاني", "advertisement")
DEFAULT_STOP_PHRASES = ("اقرأ أيضا", "اقرأ أيضاً", "اقرأ ايضا", "اقرأ المزيد", "شارك", "شارك الخبر", "تابعونا")
NEXT_TEXTS = frozenset(("التالي", "التالية", "الصفحة التالية", "التالي »", "« التالي", "»", "›", "next", "التالي ›"))


@dataclass
class ParsedPage:
    url: str
    kind: str  # "article", "listing" or "other"
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # field -> raw label value
    related: list[dict] = field(default_factory=list)  # raw teaser fields
    links: list[str] = field(default_factory=list)  # every http(s)-looking link, absolute
    pagination: list[str] = field(default_factory=list)
    item_links: list[str] = field(default_factory=list)  # card and teaser headlines
    cards: list[dict] = field(default_factory=list)  # listing cards: url + raw label values
    encoding: str = "utf-8"
    scripts: int = 0  # <script> elements (a JS-built page has many and no text)
    noscript: bool = False

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class ParserRules:
    """The parts of a site profile the parser uses (all optional)."""

    labels: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_LABELS))
    sidebar_headings: tuple[str, ...] = DEFAULT_SIDEBAR_HEADINGS
    boilerplate: tuple[str, ...] = DEFAULT_BOILERPLATE
    ad_markers: tuple[str, ...] = DEFAULT_AD_MARKERS
    stop_phrases: tuple[str, ...] = DEFAULT_STOP_PHRASES
    title_selector: str | None = None  # CSS, a refinement only
    body_selector: str | None = None  # CSS selecting paragraph elements

    @classmethod
    def from_profile(cls, data: dict) -> "ParserRules":
        kw = {}
        if data.get("labels"):
            kw["labels"] = {k: tuple(v) if isinstance(v, (list, tuple)) else (v,) for k, v in data["labels"].items()}
        for key in ("sidebar_headings", "boilerplate", "ad_markers", "stop_phrases"):
            if data.get(key):
                kw[key] = tuple(data[key])
        selectors = data.get("selectors") or {}
        kw["title_selector"] = selectors.get("title")
        kw["body_selector"] = selectors.get("body")
        return cls(**kw)


def _words(text: str) -> int:
    return text.count(" ") + 1


class PageParser:
    def __init__(self, rules: ParserRules | None = None):
        self.rules = rules = rules or ParserRules()
        self.labels = LabelMatcher(rules.labels)
        self._sidebar = {clean_text(h).rstrip(":： ") for h in rules.sidebar_headings}
        self._boiler = tuple(clean_text(b) for b in rules.boilerplate)
        self._ads = {clean_text(a) for a in rules.ad_markers}
        self._stops = {clean_text(s).rstrip(":： ") for s in rules.stop_phrases}
        self._title_css = self._body_css = None
        if rules.title_selector or rules.body_selector:
            from cssselect import GenericTranslator

            tr = GenericTranslator()
            if rules.title_selector:
                self._title_css = etree.XPath(tr.css_to_xpath(rules.title_selector))
            if rules.body_selector:
                self._body_css = etree.XPath(tr.css_to_xpath(rules.body_selector))

    # ------------------------------------------------------------ entry points
    def parse(self, url: str, body: bytes | str, content_type: str | None = None) -> ParsedPage:
        text, encoding = decode_html(body, content_type)
        page = ParsedPage(url=url, kind="other", encoding=encoding)
        root = html_root(text)
        if root is None:
            return page
        base = root.xpath("string(//base/@href)") or url
        self._links(root, urljoin(url, base), page)
        page.scripts = len(root.xpath("//script"))
        page.noscript = bool(root.xpath("//noscript[normalize-space()]"))
        lines = html_lines(root)
        self._read(lines, page, root=root, html=True)
        return page

    def parse_text(self, text: str, url: str = "") -> ParsedPage:
        """Parse a plain-text document in the seed's layout."""
        page = ParsedPage(url=url, kind="other", encoding="unicode")
        self._read(text_lines(text), page, root=None, html=False)
        return page

    # ------------------------------------------------------------------ helpers
    def _links(self, root, base: str, page: ParsedPage) -> None:
        seen = set()
        join = _Joiner(base)
        for a in root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#"):
                continue
            low = href[:11].lower()
            if low.startswith(("mailto:", "tel:", "javascript:", "data:", "sms:", "whatsapp:")):
                continue
            absolute = join(href)
            if absolute in seen or not absolute.startswith(("http://", "https://")):
                continue
            seen.add(absolute)
            page.links.append(absolute)
            # the text of a link without child nodes is its .text (cheaper)
            label = clean_text(text_of(a) if len(a) else a.text).lower()
            if label in NEXT_TEXTS or label.isdigit() or "next" in (a.get("rel") or "").lower():
                page.pagination.append(absolute)

    def _is_boiler(self, text: str) -> bool:
        return text.startswith(self._boiler)

    def _is_ad(self, line: Line) -> bool:
        if line.in_ad:
            return True
        t = line.text
        if t in self._ads:
            return True
        first = t.split(" ", 1)[0].rstrip(":：")
        return first in self._ads and len(t) <= 80

    def _is_sidebar_heading(self, text: str) -> bool:
        return text.rstrip(":： ") in self._sidebar

    def _split_sidebar(self, lines: list[Line], html: bool) -> tuple[list[Line], list[Line]]:
        """(main lines, sidebar lines)."""
        idx = next((i for i, ln in enumerate(lines) if self._is_sidebar_heading(ln.text)), None)
        if idx is None:
            return lines, []
        if html:
            container = _sidebar_container(lines, idx)
            if container is not None:
                side = [ln for ln in lines if ln.block is container or container in ln.ancestors]
                if len(side) > 1:
                    ids = {id(ln) for ln in side}
                    return [ln for ln in lines if id(ln) not in ids], side
        end = next((j for j in range(idx + 1, len(lines)) if self._is_boiler(lines[j].text)), len(lines))
        return lines[:idx] + lines[end:], lines[idx:end]

    def _read(self, lines: list[Line], page: ParsedPage, root, html: bool) -> None:
        main, side = self._split_sidebar(lines, html)
        page.related = self._teasers(side, html, page)
        main = [ln for ln in main if not self._is_boiler(ln.text)]
        texts = [ln.text for ln in main]
        blocks = self.labels.blocks(texts)

        # The headline: the first h1 that is not a link (HTML), the first line (text).
        head = None
        if html:
            head = next((i for i, ln in enumerate(main) if ln.heading == 1 and not ln.fully_linked), None)
        elif main:
            head = 0

        cards, own = [], []
        prev_end = head + 1 if head is not None else 0
        for b in blocks:
            lo = prev_end if prev_end <= b.start else 0
            title_line = self._card_title(main, lo, b.start, html) if html else None
            if title_line is not None:
                cards.append((b, title_line))
                page.item_links.append(_Joiner(page.url)(main[title_line].href))
                page.cards.append({"url": page.item_links[-1], **b.fields})
            else:
                own.append(b)
            prev_end = b.end
        if not html:
            # a text document is one article: its first block is the article's
            own = blocks[:1]
        elif head is not None:
            # the article's own block is the first block under its headline
            first = next((b for b in blocks if b.start > head), None)
            if first is None or all(first is not b for b in own):
                own = []
            elif len(own) > 1:
                own = []

        if head is None and html and own and not cards:
            head = self._fallback_head(main, own[0].start)
        if len(own) != 1 or head is None or own[0].start <= (head if head is not None else -1):
            page.kind = "listing" if cards else "other"
            return
        block = own[0]
        page.kind = "article"
        page.title = main[head].text if head >= 0 else None
        if self._title_css is not None and root is not None:
            found = self._title_css(root)
            if found:
                page.title = clean_text(text_of(found[0])) or page.title
        if page.title is None and root is not None:
            page.title = _meta_title(root)
        page.meta = dict(block.fields)
        if self._body_css is not None and root is not None:
            paras = [clean_text(text_of(el)) for el in self._body_css(root)]
            page.paragraphs = [p for p in paras if p]
            if page.paragraphs:
                return
        page.paragraphs = [
            ln.text for ln in main[head + 1: block.start] if self._is_paragraph(ln, html)
        ]

    def _is_paragraph(self, line: Line, html: bool) -> bool:
        if self._is_ad(line):
            return False
        if html:
            if line.in_figure or line.link_ratio >= 0.5 or line.heading and line.fully_linked:
                return False
        t = line.text
        if len(t) < 40 and (t.rstrip(":： ") in self._stops or t.split(":")[0].strip() in self._stops):
            return False
        return True

    def _card_title(self, main: list[Line], lo: int, hi: int, html: bool) -> int | None:
        """Index of a card's headline link above the block ``main[hi:]``, or None.

        A card is a headline link followed by labels, with at most a short
        snippet between them and little plain text before it; an article's
        block follows paragraphs of plain text instead.
        """
        title = None
        before = after = 0
        for j in range(lo, hi):
            ln = main[j]
            if self._is_ad(ln):
                continue
            if ln.fully_linked:
                if _words(ln.text) >= 3 or ln.heading:
                    if title is None:
                        title, before = j, after
                    else:
                        before += after
                    after = 0
                continue
            after += len(ln.text)
        if title is None:
            return None
        return title if before < 100 and after < 300 else None

    def _fallback_head(self, main: list[Line], block_start: int) -> int | None:
        """Without an h1: the nearest non-link heading above the block."""
        for j in range(block_start - 1, -1, -1):
            if main[j].heading and not main[j].fully_linked:
                return j
        return None

    def _teasers(self, side: list[Line], html: bool, page: ParsedPage) -> list[dict]:
        teasers: list[dict] = []
        join = _Joiner(page.url)
        current = None
        i = 0
        while i < len(side):
            ln = side[i]
            if self._is_sidebar_heading(ln.text) or self._is_ad(ln):
                i += 1
                continue
            pairs = self.labels.split(ln.text)
            if pairs is None:
                if (html and ln.fully_linked) or not html:
                    current = {"title": ln.text, "url": ln.href}
                    teasers.append(current)
                    if html and ln.href:
                        page.item_links.append(join(ln.href))
                i += 1
                continue
            step = 1
            for name, value in pairs:
                if value is None:
                    nxt = side[i + step].text if i + step < len(side) else ""
                    value = nxt if self.labels.split(nxt) is None else ""
                    step += 1 if value else 0
                if current is not None and name not in current:
                    current[name] = value
            i += step
        for t in teasers:
            if t.get("url"):
                t["url"] = join(t["url"])
        return teasers


_JOINED: dict = {}
_JOINED_MAX = 20_000


class _Joiner:
    """``urljoin(base, href)`` with a shared cache for the hrefs whose result
    does not depend on the base's path: root-relative (``/x``) and absolute
    http(s) ones. Navigation and article links repeat on every page."""

    __slots__ = ("base", "origin")

    def __init__(self, base: str):
        self.base = base
        self.origin = None
        if base.startswith(("http://", "https://")):
            parts = urlsplit(base)
            self.origin = (parts.scheme, parts.netloc)

    def __call__(self, href: str) -> str:
        origin = self.origin
        if origin is None or not href:
            return urljoin(self.base, href)
        if href[0] == "/" and href[1:2] != "/":
            pass  # the result depends on the base's scheme and host only
        elif href.startswith(("http://", "https://")) and href[href.index("//") + 2: href.index("//") + 3].isalnum() \
                and "\t" not in href and "\n" not in href and "\r" not in href:
            pass  # with a host of its own: on the base's scheme only
        else:
            return urljoin(self.base, href)
        key = (origin[0], origin[1], href)
        found = _JOINED.get(key)
        if found is None:
            found = urljoin(self.base, href)
            if len(_JOINED) >= _JOINED_MAX:
                _JOINED.clear()
            _JOINED[key] = found
        return found


def _meta_title(root) -> str | None:
    for xp in ("string(//meta[@property='og:title']/@content)", "string(//title)"):
        t = clean_text(root.xpath(xp))
        if t:
            return t
    return None


def _sidebar_container(lines: list[Line], idx: int):
    """The largest element around the sidebar heading that holds no
    article headline (h1): the sidebar, whatever its markup."""
    heading_block = lines[idx].block
    if heading_block is None:
        return None
    h1_ancestors = set()
    for ln in lines:
        if ln.heading == 1 and not ln.fully_linked:
            h1_ancestors = {id(a) for a in ln.ancestors}
            break
    if not h1_ancestors:
        return None
    el = heading_block
    while True:
        parent = el.getparent()
        if parent is None or id(parent) in h1_ancestors:
            return el
        el = parent
