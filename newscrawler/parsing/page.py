"""The page parser: (url, HTML) -> what the page is and what it says.

No network, no Scrapy: ``PageParser(profile_rules).parse(url, body,
content_type)`` works on stored bytes, which is how the tests use it.

The page is laid out as the lines a person reads (``lines.py``), and the
aggregator's labels are found on those lines wherever they sit
(``labels.py``). Then an article is read by its parts, in any order:

1. **The headline** is the heading (``h1``-``h3``, or the profile's ``title``
   selector) that best matches the page's own title (``og:title``,
   ``<title>`` with the site's name, JSON-LD ``headline``): word overlap
   against the whole title, so the site's name or logo never wins. A page
   without a usable title falls back to the first plain ``h1``.
2. **Cards and the sidebar** come next, because their labels are never the
   article's: a *card* is a headline link followed, on the same line or the
   next ones, by labels (a listing's cards, "read also" boxes, the sidebar's
   teasers); the *sidebar* is the largest element around one of the
   profile's sidebar headings that does not hold the headline.
3. **The metadata** is every other label line: a byline under the headline,
   a box, a table, a definition list, a line after the body, or several of
   these. A page whose labels outside cards and the sidebar name at least two
   fields is an article; with only cards it is a listing.
4. **The container** is the smallest element that holds the headline and its
   metadata, widened while most of the article's text lies outside it (a
   headline and byline in a ``<header>`` beside the body).
5. **The body** is the container's paragraphs after the headline, in reading
   order, before, between or after the metadata, leaving out (each with its
   reason, see :data:`DROP_REASONS`) label lines, headings, captions, lines
   that are mostly a link (``اقرأ أيضا: <a>…</a>``), share bars, tag lists,
   comment boxes, ads, boilerplate and site chrome (``<nav>``, ``<footer>``).

A "page not found" page served with status 200 is ``other`` (``not_found``).
CSS classes are never required; a profile may add selectors as a refinement.
The parser returns raw strings; typing (dates, scores, the outlet/country
split) is the item loader's job. ``parse(..., explain=True)`` also records
why each part was read as it was (``ParsedPage.trace``, for ``inspect``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.html import PageTooDeep, html_tree, text_of
from newscrawler.parsing.labels import DEFAULT_LABELS, LabelMatcher
from newscrawler.parsing.lines import Line, html_lines, text_lines
from newscrawler.processors.text import INVISIBLE_CLASS, clean_text, normalize_for_match
from newscrawler.processors.urls import canonical_url, join_url, page_base  # never raises: "" for an unreadable link

DEFAULT_SIDEBAR_HEADINGS = ("آخر الأخبار حول العالم",)
DEFAULT_BOILERPLATE = (
    "المزيد من الأخبار",
    "مواضيع من موسوعة كشاف",
    "سحابة الكلمات المفتاحية",
    "تحميل تطبيق المنصة العربية",
)
DEFAULT_AD_MARKERS = ("إعلان", "اعلان", "إعلانات", "مساحة إعلانية", "محتوى إعلاني", "advertisement")
DEFAULT_STOP_PHRASES = ("اقرأ أيضا", "اقرأ أيضاً", "اقرأ ايضا", "اقرأ ايضاً", "إقرأ أيضا", "إقرأ أيضاً",
                        "اقرأ المزيد", "اقرأ كذلك", "طالع أيضا", "شاهد أيضا", "تابعونا", "تابعنا")
# Lines that are never body, wherever they are, by what they say.
SHARE_PHRASES = ("شارك", "شارك الخبر", "شارك المقال", "شارك هذا الخبر", "شارك على", "مشاركة", "انشر",
                 "شارك عبر", "share")
SOCIAL_WORDS = frozenset("فيسبوك فايسبوك فيس بوك تويتر إكس واتساب واتس آب تيليجرام تيليغرام تلغرام لينكدإن "
                         "لينكد إن انستغرام إنستغرام يوتيوب البريد الإلكتروني طباعة نسخ الرابط facebook twitter "
                         "whatsapp telegram linkedin email print x".split())
TAG_PHRASES = ("الكلمات المفتاحية", "الكلمات الدلالية", "كلمات مفتاحية", "كلمات دلالية", "الوسوم", "وسوم",
               "الأوسمة", "العلامات", "مواضيع ذات صلة", "tags")
COMMENT_PHRASES = ("التعليقات", "تعليقات", "أضف تعليقك", "أضف تعليق", "اضف تعليقك", "اكتب تعليقك",
                   "كن أول من يعلق", "كن أول من يعلّق", "لا توجد تعليقات", "اترك تعليقا", "اترك تعليقاً",
                   "شاركنا رأيك", "comments")
CHROME_PHRASES = ("جميع الحقوق محفوظة", "كل الحقوق محفوظة", "©", "حقوق النشر محفوظة")
NOT_FOUND_PHRASES = ("الصفحة غير موجودة", "الصفحة المطلوبة غير موجودة", "لم يتم العثور على الصفحة",
                     "لم نتمكن من العثور على الصفحة", "الخبر غير موجود", "هذه الصفحة غير متوفرة",
                     "page not found", "404 not found")
NEXT_TEXTS = frozenset(("التالي", "التالية", "الصفحة التالية", "التالي »", "« التالي", "»", "›", "next", "التالي ›"))
# Every NEXT_TEXTS entry or a page number holds one of these; so does a text that clean_text would change
# into one (an invisible character inside "التالي").
_PAGINATION_HINT = re.compile(r"\d|التالي|next|[»›]|" + INVISIBLE_CLASS, re.I).search
# Why a line of the article's container is not body (``ParsedPage.trace``).
DROP_REASONS = {
    "headline": "the headline", "label": "a label line (metadata)", "heading": "a heading",
    "caption": "a caption (figure or the one line beside an image)", "link": "mostly a link",
    "read_also": "a 'read also' / follow line", "share": "a share bar", "tags": "a tag list",
    "comments": "the comments box", "ad": "an advertisement", "boilerplate": "boilerplate",
    "chrome": "site chrome (<nav>, <footer>, copyright)", "card": "a card (a headline link with labels)",
    "sidebar": "the sidebar", "dateline": "a date line at the body's start or end (published, updated)",
}
DATELINE_MAX = 80  # characters: a longer first or last paragraph is text, even with a date in it
DATELINE_WORDS = 12  # words: the same
RELATIVE_STARTS = ("منذ", "قبل", "أمس", "امس", "اليوم")  # a date line without a digit: "منذ ساعتين"
_DIGIT = re.compile(r"\d").search  # any digit, Arabic-Indic ones too
TITLE_MATCH = 0.5  # word overlap (Jaccard) a heading needs with the page's title to be its headline
PLAIN_TITLE_MATCH = 0.6  # share of the title's words a line that is no heading (a <div> headline) says
CARD_TITLE_WORDS = 3  # a card's headline link has at least this many words (or is a heading)
PREFIX_MAX = 80  # characters of plain text before the labels of a byline line
SECTION_SLACK = 2  # lines a section (sidebar, comments) may hold above its heading
SIDEBAR_MORE = 15  # characters of a "more" link after a sidebar heading (المزيد، عرض الكل)


@dataclass
class Trace:
    """What the parser saw and why (``parse(..., explain=True)``); paths are XPaths."""

    titles: list[str] = field(default_factory=list)  # the page's own titles, as compared
    candidates: list[dict] = field(default_factory=list)  # headline candidates: text, level, score, path
    headline: dict | None = None
    meta: dict[str, dict] = field(default_factory=dict)  # field -> {"text", "path"}
    body: list[dict] = field(default_factory=list)  # {"text", "path"}
    dropped: list[dict] = field(default_factory=list)  # {"text", "reason", "path"}
    container: str | None = None
    cards: list[dict] = field(default_factory=list)
    teasers: list[dict] = field(default_factory=list)


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
    not_found: bool = False  # the page says it was not found (a soft 404)
    unread_chars: int = 0  # an article without body: text no rule placed (what a fallback could read)
    why: str | None = None  # for a page that is not an article: the rule that failed, in one line
    trace: Trace | None = None

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
    not_found_phrases: tuple[str, ...] = NOT_FOUND_PHRASES
    title_selector: str | None = None  # CSS, a refinement only
    body_selector: str | None = None  # CSS selecting paragraph elements

    @classmethod
    def from_profile(cls, data: dict) -> "ParserRules":
        kw = {}
        if data.get("labels"):
            kw["labels"] = {k: tuple(v) if isinstance(v, (list, tuple)) else (v,) for k, v in data["labels"].items()}
        for key in ("sidebar_headings", "boilerplate", "ad_markers", "stop_phrases", "not_found_phrases"):
            if data.get(key):
                kw[key] = tuple(data[key])
        selectors = data.get("selectors") or {}
        kw["title_selector"] = selectors.get("title")
        kw["body_selector"] = selectors.get("body")
        return cls(**kw)


def _words(text: str) -> int:
    return text.count(" ") + 1


def _phrase_set(phrases) -> frozenset:
    return frozenset(clean_text(p).rstrip(":： ").casefold() for p in phrases)


def _common(a: tuple, b: tuple) -> int:
    """Length of the common start of two ancestor chains (their deepest shared element is [n-1])."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] is b[i]:
        i += 1
    return i


def _inside(line: Line, el) -> bool:
    return line.block is el or el in line.ancestors


class PageParser:
    def __init__(self, rules: ParserRules | None = None):
        self.rules = rules = rules or ParserRules()
        self.labels = LabelMatcher(rules.labels)
        self._sidebar = _phrase_set(rules.sidebar_headings)
        self._sidebar_starts = tuple(self._sidebar)
        self._boiler = tuple(clean_text(b) for b in rules.boilerplate)
        self._ads = {clean_text(a) for a in rules.ad_markers}
        self._phrase_of: dict[str, str] = {}
        for reason, phrases in (("read_also", rules.stop_phrases), ("share", SHARE_PHRASES),
                                ("tags", TAG_PHRASES), ("comments", COMMENT_PHRASES)):
            for ph in _phrase_set(phrases):
                self._phrase_of.setdefault(ph, reason)
        # a phrase at the start of a line, not followed by more letters of the same word
        self._phrase_re = re.compile(
            r"^\W*(" + "|".join(re.escape(ph) for ph in sorted(self._phrase_of, key=len, reverse=True))
            + r")(?![^\W\d_])", re.IGNORECASE)
        self._chrome_re = re.compile("|".join(re.escape(ph) for ph in CHROME_PHRASES))
        # a cheap first look for the comments box's heading (most lines start with none of these)
        self._comment_start = re.compile(r"^\W*(?:" + "|".join(
            re.escape(ph) for ph, why in self._phrase_of.items() if why == "comments") + ")", re.IGNORECASE).match
        self._not_found = tuple(normalize_for_match(p) for p in rules.not_found_phrases)
        self._title_css = self._body_css = None
        if rules.title_selector or rules.body_selector:
            from cssselect import GenericTranslator

            tr = GenericTranslator()
            if rules.title_selector:
                self._title_css = etree.XPath(tr.css_to_xpath(rules.title_selector))
            if rules.body_selector:
                self._body_css = etree.XPath(tr.css_to_xpath(rules.body_selector))

    # ------------------------------------------------------------ entry points
    def parse(self, url: str, body: bytes | str, content_type: str | None = None,
              explain: bool = False, links: bool = True) -> ParsedPage:
        """``links=False``: ``page.links`` stays empty (pagination is still read), for a
        caller that follows no link: a reparse."""
        text, encoding = decode_html(body, content_type)
        page = ParsedPage(url=url, kind="other", encoding=encoding, trace=Trace() if explain else None)
        root, cut = html_tree(text)
        if root is None:
            page.why = "no HTML in the response"
            return page
        facts = _DocFacts.of(root)
        base = page_base(url, facts.base)
        self._links(root, base, page, links)
        page.scripts = facts.scripts
        page.noscript = facts.noscript
        lines = html_lines(root, self.labels.texts)
        _Reading(self, page, lines, root, facts).read()
        if cut and page.kind != "article":  # what lay deeper is unread: the page may have been an article
            raise PageTooDeep(page.why or page.kind)
        return page

    def parse_text(self, text: str, url: str = "", explain: bool = False) -> ParsedPage:
        """Parse a plain-text document in the seed's layout."""
        page = ParsedPage(url=url, kind="other", encoding="unicode", trace=Trace() if explain else None)
        _Reading(self, page, text_lines(text), None, None).read()
        return page

    # ------------------------------------------------------------ line rules
    def _links(self, root, base: str, page: ParsedPage, every: bool = True) -> None:
        """``page.links`` (with ``every``) and ``page.pagination``."""
        seen = set()
        join = _Joiner(base)
        for a in root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#"):
                continue
            low = href[:11].lower()
            if low.startswith(("mailto:", "tel:", "javascript:", "data:", "sms:", "whatsapp:")):
                continue
            # the text of a link without child nodes is its .text (cheaper); pagination words are short,
            # and each holds a digit or one of a few words and signs (_PAGINATION_HINT: most links have none)
            raw = text_of(a) if len(a) else (a.text or "")
            label = clean_text(raw).lower() if len(raw) <= 40 and _PAGINATION_HINT(raw) else ""
            next_page = label in NEXT_TEXTS or label.isdigit() or "next" in (a.get("rel") or "").lower()
            if not (every or next_page):
                continue
            absolute = join(href)
            if not absolute or absolute in seen or not absolute.startswith(("http://", "https://")):
                continue
            seen.add(absolute)
            if every:
                page.links.append(absolute)
            if next_page:
                page.pagination.append(absolute)

    def _is_boiler(self, text: str) -> bool:
        return text.startswith(self._boiler)

    def _is_ad(self, line: Line) -> bool:
        if line.in_ad:
            return True
        t = line.text
        if len(t) > 80:
            return False
        if t in self._ads:
            return True
        return t.split(" ", 1)[0].rstrip(":：") in self._ads

    def _is_sidebar_heading(self, text: str) -> bool:
        """One of the profile's sidebar headings, alone or with a short link after it
        (``آخر الأخبار حول العالم <a>المزيد</a>``)."""
        if len(text) > 80:
            return False
        key = text.rstrip(":： ").casefold()
        if key in self._sidebar:
            return True
        if not key.startswith(self._sidebar_starts):  # most lines: one look
            return False
        words = key.split(" ")
        return any(" ".join(words[:-n]).rstrip(":： -|") in self._sidebar
                   for n in (1, 2) if len(words) > n and len(" ".join(words[-n:])) <= SIDEBAR_MORE)

    def _phrase(self, text: str) -> str | None:
        """The kind of fixed line ``text`` is (read_also, share, tags, comments), or None.

        A line is one when the text before its first colon is one of the
        phrases (``الكلمات المفتاحية: …``, ``اقرأ أيضا: …``, whatever follows);
        when it is the phrase alone; or when it is short and starts with a
        phrase of two words or more (``كن أول من يعلق على هذا الخبر``), or with
        any phrase followed by a count or by social networks only
        (``التعليقات (0)``, ``شارك فيسبوك تويتر``)."""
        m = self._phrase_re.match(text)
        if m is None:
            return "share" if len(text) <= 60 and _social_only(text.casefold()) else None
        phrase = m.group(1).casefold()
        reason = self._phrase_of[phrase]
        rest = text[m.end(1):]
        if not rest.strip(" :：.") or rest.lstrip(" ").startswith((":", "：")):
            return reason  # the phrase alone, or the phrase and a colon: whatever follows
        if len(text) > 60:
            return None
        tail = rest.strip(" :：-–|").casefold()
        if " " in phrase or tail[:1] in "(（[" or tail.isdigit() or _social_only(tail):
            return reason
        return None

    def drop_reason(self, line: Line, html: bool) -> str | None:
        """Why ``line`` is not a body paragraph (a key of DROP_REASONS), or None."""
        if self._is_ad(line):
            return "ad"
        if line.in_figure:
            return "caption"
        if line.heading:
            return "heading"
        if html and line.link_ratio >= 0.5 and not _link_inside_sentence(line):
            return "link"
        t = line.text
        if self._is_boiler(t):
            return "boilerplate"
        if line.in_chrome or (len(t) <= 200 and self._chrome_re.search(t)):
            return "chrome"
        return self._phrase(t)

    def text_drop_reason(self, text: str) -> str | None:
        """Why a paragraph of plain text (another extractor's) is not body, or None."""
        line = Line(clean_text(text), "p")
        if self.label_hit(line, html=False) is not None:
            return "label"
        return self.drop_reason(line, html=False)

    def label_hit(self, line: Line, html: bool):
        """``(prefix, pairs)`` when ``line`` is a label line, else None (see ``LabelMatcher.find``).

        Labels after other text count only when that text is the line's
        headline link (an inline card) or a short byline before two labels."""
        hit = self.labels.find(line.text)  # None for most lines: the cheaper test first
        if hit is None or self._is_boiler(line.text):
            return None
        if not hit[0]:
            return hit
        prefix, pairs = hit
        if html and _linked_prefix(line, prefix):
            return hit
        if len({name for name, _ in pairs}) >= 2 and len(prefix) <= PREFIX_MAX:
            return hit
        return None

    def not_found(self, texts) -> bool:
        for t in texts:
            key = normalize_for_match(t)
            if key and any(p in key for p in self._not_found):
                return True
        return False


def _social_only(text: str) -> bool:
    words = text.split()
    if not words or words[0].strip("|•·-") not in SOCIAL_WORDS:  # most lines: one look-up
        return False
    return all(w.strip("|•·-") in SOCIAL_WORDS or not w.strip("|•·-") for w in words)


SENTENCE_END = ".!?؟…»\")"  # what ends a written sentence (or its quotation)
SENTENCE_WORDS = 8  # words a line needs to be read as a sentence around its link


def _link_inside_sentence(line: Line) -> bool:
    """Is the line's link a part of a sentence (text before and after it, the line ending as a
    sentence ends), not a headline link with a word or two around it (``اقرأ أيضا: <a>…</a>``)?"""
    text = line.text
    if line.link is None or text[-1:] not in SENTENCE_END or _words(text) < SENTENCE_WORDS:
        return False
    link_text = clean_text(text_of(line.link))
    if not link_text or link_text not in text:
        return False
    before, _, after = text.partition(link_text)
    return bool(before.strip(" :：-–|")) and bool(after.strip(" " + SENTENCE_END))


def _linked_prefix(line: Line, prefix: str) -> bool:
    """Is the text before the labels the line's first link (a headline link)?"""
    if line.link is None:
        return False
    link_text = clean_text(text_of(line.link))
    return bool(link_text) and (link_text == prefix or (prefix.startswith(link_text) and
                                                         len(link_text) >= 0.8 * len(prefix)))


class _Reading:
    """One page being read (the steps of the module docstring)."""

    def __init__(self, parser: PageParser, page: ParsedPage, lines: list[Line], root, facts: _DocFacts | None):
        self.p = parser
        self.facts = facts  # None with root: a plain-text document
        self.page = page
        self.lines = lines
        self.root = root
        self.html = root is not None
        self.trace = page.trace
        self.join = _Joiner(page.url) if page.url else None
        self.drop: dict[int, str | None] = {}  # line index -> drop reason (None: a paragraph), once
        path = page.url.split("#", 1)[0].split("?", 1)[0]
        self.last_segment = path.rsplit("/", 1)[-1] if path.count("/") > 2 else ""  # "" for a site's root

    def path(self, el) -> str | None:
        if el is None or self.root is None:
            return None
        return self.root.getroottree().getpath(el)

    # ------------------------------------------------------------------ steps
    def read(self) -> None:
        p, page, lines, html = self.p, self.page, self.lines, self.html
        if not lines:
            page.why = "the page has no text"
            return
        hits = [p.label_hit(ln, html) for ln in lines]
        self.hits = hits
        blocks = p.labels.blocks([ln.text for ln in lines], min_labels=1, found=hits)
        head = self.headline(blocks)
        if self.trace is not None and head is not None:
            self.trace.headline = {"text": self.title_text(head), "path": self.path(lines[head].block)}
        side = self.sidebar(head)
        cards, own = self.cards(blocks, head, side)
        self.teasers(cards, side)

        fields = {name for b in own for name in b.fields}
        titles_say_missing = p.not_found([lines[head].text] if head is not None else []) or (
            self.html and p.not_found(self.page_titles()[:1]))
        if titles_say_missing and len(fields) < 2:
            page.not_found = True
            page.why = "the page says it was not found (a soft 404)"
            return
        if len(fields) < 2:
            page.kind = "listing" if page.cards else "other"
            page.why = self.why_not(head, own, fields)
            return
        page.kind = "article"
        own.sort(key=lambda b: -len(b.fields))  # a fuller block wins a field over a stray label line
        for b in own:
            for name, value in b.fields.items():
                if value and not page.meta.get(name):
                    page.meta[name] = value
                    if self.trace is not None:
                        at = lines[b.where.get(name, b.start)]
                        self.trace.meta[name] = {"text": at.text, "path": self.path(at.block)}
            for name in b.fields:
                page.meta.setdefault(name, "")
        if head is None and html:
            head = self.heading_above(own)
        page.title = self.title_text(head)
        if self.trace is not None and head is not None:
            self.trace.headline = {"text": page.title, "path": self.path(lines[head].block)}  # (found above it)
        self.body(head, own, cards, side)

    # ------------------------------------------------------------------ 1. headline
    def page_titles(self) -> list[str]:
        """The page's own titles: og:title, twitter:title, <title>, JSON-LD headline."""
        if getattr(self, "_titles", None) is not None:
            return self._titles
        out = []
        root = self.root
        if root is not None:
            for raw in self.facts.titles:
                t = clean_text(raw)
                if t and t not in out:
                    out.append(t)
            for raw in self.facts.jsonld:
                out.extend(t for t in _jsonld_headlines(raw) if t not in out)
        self._titles = out
        return out

    def headline(self, blocks) -> int | None:
        """Index of the headline's line, or None."""
        lines, p = self.lines, self.p
        if not self.html:
            first = next((i for i, ln in enumerate(lines) if self.hits[i] is None and not p._is_ad(ln)), None)
            return first
        if p._title_css is not None:
            found = p._title_css(self.root)
            if found:
                el = found[0]
                for i, ln in enumerate(lines):
                    if _inside(ln, el):
                        return i
        cands, linked = [], []  # plain (or linking to this page) headings; headings that link elsewhere
        for i, ln in enumerate(lines):
            if not 1 <= ln.heading <= 3 or self.hits[i] is not None:
                continue
            if i and lines[i - 1].block is ln.block:  # a second line of the same heading
                continue
            if p._is_sidebar_heading(ln.text) or p._is_boiler(ln.text) or p._is_ad(ln):
                continue
            (linked if ln.fully_linked and not self.links_to_itself(ln) else cands).append(i)
        titles = self.page_titles()
        keys = [set(normalize_for_match(t).split()) for t in titles]
        scored = []
        best, best_score = self.best_match(cands, keys, scored)
        found = best if best_score >= TITLE_MATCH else None
        if found is None and linked:
            # a headline that links elsewhere (to the outlet's original story, to another URL of this
            # page): the heading that says the page's own title, which no other story's card does
            best, best_score = self.best_match(linked, keys, scored)
            found = best if best_score >= TITLE_MATCH else None
        if found is None and keys:
            # a headline that is no h1-h3 (a <div>, a <p class="title">): a short line that says
            # the page's title nearly word for word
            found, plain_score = self.plain_headline(titles, keys)
            if found is not None:
                scored.append((found, plain_score))
        if self.trace is not None:
            self.trace.titles = titles
            self.trace.candidates = [
                {"text": self.title_text(i), "level": lines[i].heading, "score": round(s, 2),
                 "path": self.path(lines[i].block)} for i, s in scored]
        if found is not None:
            return found
        # No heading matches the page's title: the first plain h1, if any.
        self.no_title_match = bool(cands)
        return next((i for i in cands if lines[i].heading == 1), None)

    def plain_headline(self, titles: list[str], keys: list[set]) -> tuple[int | None, float]:
        """A headline that is no h1-h3 (a <div>, a <p class="title">): the line, as long as a page
        title at most, every word of which is in a page title and which says most of it (the
        title may add the site's name or a section), or None. No labels, no link elsewhere, not
        a caption, an ad or the site's chrome."""
        lines, p = self.lines, self.p
        longest = max((len(t) for t in titles), default=0)
        best, best_score = None, 0.0
        for i, ln in enumerate(lines):
            if ln.heading or len(ln.text) > longest or self.hits[i] is not None or ln.in_figure \
                    or ln.in_chrome or p._is_ad(ln) or p._is_boiler(ln.text) or p._is_sidebar_heading(ln.text) \
                    or (ln.fully_linked and not self.links_to_itself(ln)):
                continue
            words = set(normalize_for_match(ln.text).split())
            if len(words) < CARD_TITLE_WORDS:
                continue
            score = max((len(words & k) / len(k) for k in keys if k and words <= k), default=0.0)
            if score > best_score + 1e-9:
                best, best_score = i, score
        return (best, best_score) if best_score >= PLAIN_TITLE_MATCH else (None, 0.0)

    def best_match(self, cands: list[int], keys: list[set], scored: list) -> tuple[int | None, float]:
        """(the heading among ``cands`` whose words best match a page title, its score); each
        (heading, score) is added to ``scored``. A tie goes to the higher-ranked heading."""
        lines = self.lines
        best, best_score = None, 0.0
        for i in cands:
            words = set(normalize_for_match(self.title_text(i)).split())
            score = max((len(words & k) / len(words | k) for k in keys if words and k), default=0.0)
            scored.append((i, score))
            if score > best_score + 1e-9 or (best is not None and abs(score - best_score) < 1e-9
                                             and lines[i].heading < lines[best].heading):
                best, best_score = i, score
        return best, best_score

    def links_to_itself(self, line: Line) -> bool:
        href = line.href
        if not href or self.join is None:
            return False
        # A link elsewhere, cheaply (most headings link to other stories): an href that
        # resolves to this page holds its last path segment, unless it keeps the path
        # as it is ("?...", "#...", "./...").
        last = self.last_segment
        if last and last not in href and not href.startswith(("?", "#", ".")):
            return False
        target = self.join(href)
        if not target:
            return False
        here = self.page.url.split("#")[0]
        target = target.split("#")[0]
        if target == here:
            return True
        # the same page under another spelling: a trailing slash, tracking parameters (the same
        # path, cheaply, before the canonical forms are compared)
        if target.split("?")[0].rstrip("/") != here.split("?")[0].rstrip("/"):
            return False
        return canonical_url(target).rstrip("/") == canonical_url(here).rstrip("/")

    def title_text(self, head: int | None) -> str | None:
        if head is None:
            return _meta_title(self.facts) if self.root is not None else None
        lines = self.lines
        ln = lines[head]
        if not self.html:
            return ln.text
        parts = [ln.text]
        j = head + 1
        while j < len(lines) and lines[j].block is ln.block and lines[j].heading:
            parts.append(lines[j].text)
            j += 1
        return " ".join(parts)

    def heading_above(self, own) -> int | None:
        """Without a headline: the nearest plain heading above the first label block."""
        start = min(b.start for b in own)
        for j in range(start - 1, -1, -1):
            ln = self.lines[j]
            if ln.heading and not ln.fully_linked and self.hits[j] is None:
                return j
        return None

    # ------------------------------------------------------------------ 2. sidebar, cards
    def sidebar(self, head: int | None) -> set[int]:
        """Indices of the sidebar's lines."""
        lines, p = self.lines, self.p
        idx = next((i for i, ln in enumerate(lines) if p._is_sidebar_heading(ln.text)), None)
        if idx is None:
            return set()
        if self.html:
            container = self.region(idx, head)
            if container is not None:
                side = {i for i, ln in enumerate(lines) if _inside(ln, container)}
                if len(side) > 1:
                    return side
        end = next((j for j in range(idx + 1, len(lines)) if p._is_boiler(lines[j].text)), len(lines))
        return set(range(idx, end))

    def region(self, idx: int, head: int | None):
        """The largest element that starts at line ``idx`` (a section's heading)
        and does not hold the headline (without one: the first plain h1), or None."""
        lines = self.lines
        el = lines[idx].block
        if el is None:
            return None
        anchor = head
        if anchor is None:
            anchor = next((i for i, ln in enumerate(lines) if ln.heading == 1 and not ln.fully_linked), None)
        if anchor is None:
            return None
        held = {id(a) for a in lines[anchor].ancestors}
        while True:
            parent = el.getparent()
            if parent is None or id(parent) in held:
                return el
            # the section starts at its heading: a wider element that holds text
            # before it (a body beside a sidebar) is not the section
            j = idx - 1
            while j >= 0 and _inside(lines[j], parent):
                j -= 1
            if idx - 1 - j > SECTION_SLACK:
                return el
            el = parent

    def cards(self, blocks, head, side):
        """(card blocks with their headline line, the article's own blocks)."""
        cards, own = [], []
        lines = self.lines
        prev_end = 0
        blocks = list(blocks)
        k = 0
        while k < len(blocks):
            b = blocks[k]
            k += 1
            lo = prev_end if prev_end <= b.start else 0
            if head is not None and head < b.start:
                lo = max(lo, head + 1)  # a card's headline link is never above the page's headline
            if b.start in side:
                lo = max(lo, min(side))  # nor outside the sidebar for a teaser
            prev_end = b.end
            title = self.card_title(b, lo, head, side)
            if title is not None:
                rest = self.split_card(b, title)
                if rest is not None:  # labels after the card's own element are not the card's
                    blocks[k:k] = rest
                    prev_end = b.end
                cards.append((b, title))
            elif b.start not in side:
                own.append(b)
        for b, title in cards:
            if b.start in side or title in side:
                continue
            url = self.card_url(lines[title])
            if url:
                self.page.item_links.append(url)
                self.page.cards.append({"url": url, **b.fields})
            if self.trace is not None:
                self.trace.cards.append({"title": self.card_headline(b, title), "url": url, **b.fields})
        return cards, own

    def card_title(self, b, lo: int, head: int | None, side: set[int]) -> int | None:
        """Index of the headline line of the card whose labels are block ``b``, or None."""
        lines = self.lines
        if not self.html:
            # a text document: a teaser in the sidebar is the line above its labels
            j = b.start - 1
            if b.start in side and j >= 0 and j in side and self.hits[j] is None \
                    and not self.p._is_sidebar_heading(lines[j].text):
                return j
            return None
        if b.prefix:  # labels on the headline link's own line
            ln = lines[b.start]
            if _linked_prefix(ln, b.prefix) and (_words(b.prefix) >= CARD_TITLE_WORDS or ln.heading) \
                    and not self.holds_headline(b.start, b.start, head):
                return b.start
            return None
        # the headline link: the nearest one above the labels (a heading's link first), in the
        # same region (sidebar or not) and after the previous block
        inside = b.start in side
        linked = heading = None
        for j in range(lo, b.start):
            ln = lines[j]
            if (j in side) != inside:  # another region: start again after it
                linked = heading = None
                continue
            if ln.fully_linked and j != head and not self.p._is_ad(ln) \
                    and (_words(ln.text) >= CARD_TITLE_WORDS or ln.heading):
                linked = j
                if ln.heading:
                    heading = j
        title = heading if heading is not None else linked
        if title is None:
            return None
        # a card is a headline link with at most a short snippet before its labels, and little text
        # above the link inside the card's own element (an article's labels follow its paragraphs)
        after = sum(len(lines[j].text) for j in range(title + 1, b.start)
                    if not lines[j].fully_linked and not self.p._is_ad(lines[j]))
        card = self.shared_element(title, b.start)
        before = sum(len(lines[j].text) for j in range(lo, title)
                     if card is not None and _inside(lines[j], card) and not self.p._is_ad(lines[j]))
        if before >= 100 or after >= 300:
            return None
        if self.element_holds_headline(card, head):
            return None
        return title

    def split_card(self, b, title: int):
        """Cut card block ``b`` where its lines leave the card's element (the
        smallest one holding its headline link and its first label line);
        returns the blocks of the lines after the cut, or None."""
        if not self.html:
            return None
        lines = self.lines
        card = lines[b.start].block if title == b.start else self.shared_element(title, b.start)
        if card is None:
            return None
        cut = next((j for j in range(b.start + 1, b.end) if not _inside(lines[j], card)), None)
        if cut is None:
            return None
        tail = self.p.labels.blocks([ln.text for ln in lines[cut:b.end]], min_labels=1, found=self.hits[cut:b.end])
        head_part = self.p.labels.blocks([ln.text for ln in lines[b.start:cut]], min_labels=1,
                                         found=self.hits[b.start:cut])
        if not head_part:
            return None
        b.fields, b.end = head_part[0].fields, cut
        b.where = {k: v + b.start for k, v in head_part[0].where.items()}
        for t in tail:
            t.start, t.end = t.start + cut, t.end + cut
            t.where = {k: v + cut for k, v in t.where.items()}
        return tail

    def shared_element(self, i: int, j: int):
        """The smallest element holding lines ``i`` and ``j``, or None."""
        n = _common(self.lines[i].ancestors, self.lines[j].ancestors)
        return self.lines[i].ancestors[n - 1] if n else None

    def holds_headline(self, i: int, j: int, head: int | None) -> bool:
        """Does the smallest element holding lines i and j also hold the headline?"""
        return self.element_holds_headline(self.shared_element(i, j), head)

    def element_holds_headline(self, el, head: int | None) -> bool:
        """Does ``el`` hold the headline (line ``head``)? No element (``None``: lines with
        no element in common) counts as holding it; no headline is held by none."""
        return head is not None and (el is None or _inside(self.lines[head], el))

    def card_url(self, line: Line) -> str | None:
        if not line.href or self.join is None:
            return None
        return self.join(line.href) or None

    def card_headline(self, b, title: int) -> str:
        return b.prefix if title == b.start and b.prefix else self.lines[title].text

    def teasers(self, cards, side) -> None:
        related = self.page.related
        for b, title in cards:
            if b.start not in side and title not in side:
                continue
            url = self.card_url(self.lines[title]) if self.html else None
            if url:
                self.page.item_links.append(url)
            teaser = {"title": self.card_headline(b, title), "url": url}
            for name, value in b.fields.items():
                teaser.setdefault(name, value)
            related.append(teaser)
            if self.trace is not None:
                self.trace.teasers.append(dict(teaser))

    def why_not(self, head, own, fields) -> str:
        lines = self.lines
        if own and fields:
            name = next(iter(fields))
            return f"only one label ({name}) outside cards and the sidebar: an article needs two"
        if head is None:
            if getattr(self, "no_title_match", False):
                return "no heading matches the page's title and there is no plain h1; no label block of its own"
            return "no headline (h1-h3) and no label block outside cards and the sidebar"
        if self.page.cards:
            return f"a listing: {len(self.page.cards)} cards, and no label block belongs to the headline `{lines[head].text}`"
        return f"no label block belongs to the headline `{lines[head].text}`"

    # ------------------------------------------------------------------ 4./5. container, body
    def body(self, head: int | None, own, cards, side) -> None:
        page, lines, p = self.page, self.lines, self.p
        if p._body_css is not None and self.root is not None:
            paras = [clean_text(text_of(el)) for el in p._body_css(self.root)]
            page.paragraphs = [x for x in paras if x]
            if page.paragraphs:
                return
        excluded: dict[int, str] = {}
        for b, title in cards:
            for j in range(min(title, b.start), b.end):
                excluded[j] = "sidebar" if j in side else "card"
        for j in side:
            excluded[j] = "sidebar"
        for b in own:
            for j in range(b.start, b.end):
                excluded[j] = "label"
        if head is not None:
            excluded[head] = "headline"
            j = head + 1
            while j < len(lines) and self.html and lines[j].block is lines[head].block and lines[j].heading:
                excluded[j] = "headline"
                j += 1
        self.drop_comment_regions(head, excluded)

        if not self.html:
            start = head + 1 if head is not None else 0
            chosen = [j for j in range(start, len(lines)) if j not in excluded and not self.dropped(j, excluded)]
            self.set_body(chosen, excluded, start, len(lines))
            return

        anchors = [lines[b.start].ancestors for b in own] + [lines[b.end - 1].ancestors for b in own]
        if head is not None:
            anchors.append(lines[head].ancestors)
        n = min(len(a) for a in anchors)
        for a in anchors[1:]:
            n = min(n, _common(anchors[0], a))
        container = anchors[0][n - 1] if n else None
        start = head + 1 if head is not None else 0

        def paragraphs_in(el) -> list[int]:
            return [j for j in range(start, len(lines))
                    if j not in excluded and (el is None or _inside(lines[j], el)) and not self.dropped(j, excluded)]

        chosen = paragraphs_in(container)
        # Widen while most of the article's text lies outside the container
        # (a headline and byline in a <header>, the body beside it).
        while container is not None and container.getparent() is not None:
            parent = container.getparent()
            wider = paragraphs_in(parent)
            inner = sum(len(lines[j].text) for j in chosen)
            outer = sum(len(lines[j].text) for j in wider) - inner
            if outer <= inner:
                break
            container, chosen = parent, wider
        chosen = self.without_datelines(chosen, excluded)
        if self.trace is not None:
            self.trace.container = self.path(container)
        self.set_body(chosen, excluded, start, len(lines), container)
        if not chosen:  # what no rule placed after the headline: where a last-resort extractor could find a body
            page.unread_chars = sum(len(lines[j].text) for j in range(start, len(lines))
                                    if j not in excluded and not self.dropped(j, excluded))

    def without_datelines(self, chosen: list[int], excluded: dict[int, str]) -> list[int]:
        """``chosen`` without the short date lines at its start and end (``منذ 5 ساعات``,
        ``آخر تحديث: 2026-11-30 22:00``, under the headline or after the text)."""
        from newscrawler.parsing.published import reads_as_date

        lines = self.lines

        def dateline(j: int) -> bool:
            text = lines[j].text
            # cheap looks first: short, and a digit or a word of relative time at its start
            if len(text) > DATELINE_MAX or text.count(" ") >= DATELINE_WORDS:
                return False
            if not (_DIGIT(text) or text.startswith(RELATIVE_STARTS)):
                return False
            return reads_as_date(text, None, None) is not None

        lo, hi = 0, len(chosen)
        while lo < hi and dateline(chosen[lo]):
            excluded[chosen[lo]] = "dateline"
            lo += 1
        while hi > lo and dateline(chosen[hi - 1]):
            excluded[chosen[hi - 1]] = "dateline"
            hi -= 1
        return chosen[lo:hi]

    def dropped(self, j: int, excluded: dict[int, str]) -> bool:
        reason = self.drop.get(j, False)
        if reason is False:
            reason = self.drop[j] = self.p.drop_reason(self.lines[j], self.html)
        if reason is not None:
            excluded[j] = reason
            return True
        return False

    def drop_comment_regions(self, head, excluded) -> None:
        """A comments heading takes its box with it: the largest element around it without the headline."""
        lines = self.lines
        phrase, starts = self.p._phrase, self.p._comment_start
        for i, ln in enumerate(lines):
            if not (ln.heading or len(ln.text) <= 40) or not starts(ln.text) or phrase(ln.text) != "comments":
                continue
            box = self.region(i, head) if self.html else None
            if box is None or box is ln.block:
                continue
            for j in range(i, len(lines)):
                if _inside(lines[j], box):
                    excluded.setdefault(j, "comments")
                elif j > i:
                    break

    def set_body(self, chosen, excluded, start, end, container=None) -> None:
        lines = self.lines
        self.page.paragraphs = [lines[j].text for j in chosen]
        trace = self.trace
        if trace is None:
            return
        trace.body = [{"text": lines[j].text, "path": self.path(lines[j].block)} for j in chosen]
        for j in sorted(excluded):
            if j >= start and (container is None or _inside(lines[j], container) or excluded[j] in ("card", "sidebar")):
                trace.dropped.append({"text": lines[j].text, "reason": excluded[j], "path": self.path(lines[j].block)})


def _jsonld_headlines(raw: str) -> list[str]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    out = []
    stack = [data]
    while stack and len(out) < 5:
        d = stack.pop()
        if isinstance(d, list):
            stack.extend(d)
        elif isinstance(d, dict):
            h = d.get("headline")
            if isinstance(h, str) and clean_text(h):
                out.append(clean_text(h))
            g = d.get("@graph")
            if isinstance(g, list):
                stack.extend(g)
    return out


_JOINED: dict = {}
_JOINED_MAX = 20_000


class _Joiner:
    """``urljoin(base, href)`` with a shared cache for the hrefs whose result
    does not depend on the base's path: root-relative (``/x``) and absolute
    http(s) ones. Navigation and article links repeat on every page.
    An href that cannot be read as a URL (``https://[broken``) gives ""."""

    __slots__ = ("base", "origin")

    def __init__(self, base: str):
        self.base = base
        self.origin = None
        if base.startswith(("http://", "https://")):
            try:
                parts = urlsplit(base)
                self.origin = (parts.scheme, parts.netloc)
            except ValueError:
                self.origin = None

    def _join(self, href: str) -> str:
        return join_url(self.base, href)

    def __call__(self, href: str) -> str:
        origin = self.origin
        if origin is None or not href:
            return self._join(href)
        if href[0] == "/" and href[1:2] != "/":
            pass  # the result depends on the base's scheme and host only
        elif href.startswith(("http://", "https://")) and href[href.index("//") + 2: href.index("//") + 3].isalnum() \
                and "\t" not in href and "\n" not in href and "\r" not in href:
            pass  # with a host of its own: on the base's scheme only
        else:
            return self._join(href)
        key = (origin[0], origin[1], href)
        found = _JOINED.get(key, False)
        if found is False:
            found = self._join(href)
            if len(_JOINED) >= _JOINED_MAX:
                _JOINED.clear()
            _JOINED[key] = found
        return found


_XPATH_SPACE = " \t\r\n"  # what XPath's normalize-space() removes


@dataclass(slots=True)
class _DocFacts:
    """What the parser reads from the page's few special elements, in one pass
    over them (``root.iter(tags)``; seven XPaths over the whole tree cost a tenth
    of a page's parse). Each field is what the XPath in its comment gives."""

    base: str | None = None  # string(//base/@href) (None: no such attribute)
    scripts: int = 0  # count(//script)
    noscript: bool = False  # boolean(//noscript[normalize-space()])
    og_title: str | None = None  # string(//meta[@property='og:title']/@content)
    twitter_title: str | None = None  # string(//meta[@name='twitter:title']/@content)
    title: str | None = None  # string(//title)
    jsonld: list = field(default_factory=list)  # //script[@type='application/ld+json']/text()

    @classmethod
    def of(cls, root) -> "_DocFacts":
        f = cls()
        for el in root.iter("script", "noscript", "base", "meta", "title"):
            tag = el.tag
            if tag == "script":
                f.scripts += 1
                if el.text and el.get("type") == "application/ld+json":
                    f.jsonld.append(el.text)
            elif tag == "meta":
                content = el.get("content")
                if content is None:
                    continue
                if f.og_title is None and el.get("property") == "og:title":
                    f.og_title = content
                if f.twitter_title is None and el.get("name") == "twitter:title":
                    f.twitter_title = content
            elif tag == "title":
                if f.title is None:
                    f.title = text_of(el)
            elif tag == "base":
                if f.base is None:
                    f.base = el.get("href")
            elif not f.noscript:  # noscript
                f.noscript = bool(text_of(el).strip(_XPATH_SPACE))
        return f

    @property
    def titles(self) -> tuple[str, str, str]:
        return self.og_title or "", self.twitter_title or "", self.title or ""


def _meta_title(facts: _DocFacts) -> str | None:
    for raw in (facts.og_title, facts.title):
        t = clean_text(raw)
        if t:
            return t
    return None
