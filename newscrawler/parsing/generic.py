"""Article extraction for sites without a profile (and the profiles' fallback).

``GenericParser().parse(url, body, content_type, hints)`` -> ``GenericPage``.
No network, no Scrapy.

What a page says about itself comes first: JSON-LD (``NewsArticle``,
``Article`` ...: ``headline``, ``datePublished``, ``articleBody``,
``publisher.name``, ``articleSection``) and meta tags (``og:title``,
``article:published_time``, ``og:site_name``, ``article:section``). The body is
taken by trafilatura with ``favor_precision=True`` (JSON-LD ``articleBody``
only when trafilatura finds clearly less). Dates shown as Arabic text are read
by ``newscrawler.processors.dates.parse_date``.

``hints`` are what a feed or a news sitemap said about the page (title, date,
outlet): used where the page itself says nothing.

``extract_body(html, url)`` is the body extraction alone (trafilatura), used by
the profile spiders when their label rules find an article's metadata but no
paragraph (see ``newscrawler/spiders/origin.py``).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.html import html_root, text_of
from newscrawler.processors.dates import parse_date
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import join_url

ARTICLE_TYPES = frozenset((
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BackgroundNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report", "WebPageElement",
))
FEED_TYPES = frozenset(("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                        "text/xml"))
DATE_META = (
    "article:published_time", "og:published_time", "og:article:published_time", "datePublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "date", "dc.date.issued", "dc.date",
    "dcterms.created", "sailthru.date", "parsely-pub-date", "article.published",
)
SOURCE_META = ("og:site_name", "application-name", "publisher", "dc.publisher")
_DATE_CLASS = re.compile(r"date|time|publish|posted|تاريخ", re.I)
_MIN_BODY_CHARS = 80


@dataclass
class GenericPage:
    url: str
    kind: str = "other"  # "article" or "other"
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    published_at: str | None = None  # raw, as the page shows it
    source: str | None = None
    category: str | None = None
    feeds: list[str] = field(default_factory=list)  # RSS/Atom feeds the page announces
    links: list[str] = field(default_factory=list)  # absolute http(s) links
    body_from: str | None = None  # "trafilatura", "json-ld" or None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


# ------------------------------------------------------------------ body
def extract_body(html: str | bytes, url: str | None = None, content_type: str | None = None) -> list[str]:
    """The article's paragraphs by trafilatura (``favor_precision=True``), or []."""
    import trafilatura

    if isinstance(html, bytes):
        html, _ = decode_html(html, content_type)
    if not html or not html.strip():
        return []
    try:
        text = trafilatura.extract(
            html, url=url, favor_precision=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False, output_format="txt",
        )
    except Exception:  # trafilatura on a hostile page: no body rather than a crash
        return []
    if not text:
        return []
    return [p for p in (clean_text(line) for line in text.split("\n")) if p]


# ------------------------------------------------------------------ dates
def normalize_date(raw: str | None, tz: str | None = None, now: datetime | None = None) -> str | None:
    """ISO 8601 from a feed/JSON-LD/meta/Arabic date; None when unreadable.

    A date with its own offset keeps it when no time zone is configured
    (``tz``); with one it is shown in that zone. A date without an offset is
    taken as ``tz`` local time (``parse_date``).
    """
    if raw is None:
        return None
    s = clean_text(str(raw))
    if not s:
        return None
    dt = None
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        if re.match(r"^[A-Za-z]{3},? |^\d{1,2} [A-Za-z]{3} \d{4}", s):  # RFC 822 (RSS pubDate)
            try:
                dt = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError):
                dt = None
    if dt is not None and dt.tzinfo is not None:
        if tz:
            dt = dt.astimezone(ZoneInfo(tz))
        return dt.replace(microsecond=0).isoformat()
    if dt is not None:
        s = dt.replace(microsecond=0).isoformat(" ")
    return parse_date(s, tz, now)


# ------------------------------------------------------------------ metadata
def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {str(x).rsplit("/", 1)[-1] for x in t}
    return set()


def _walk(data):
    if isinstance(data, list):
        for x in data:
            yield from _walk(x)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk(data["@graph"])


def json_ld_objects(root) -> list[dict]:
    out = []
    for script in root.xpath("//script[@type='application/ld+json' or @type='application/json+ld']"):
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            try:  # a trailing comma or control characters, common in hand-written JSON-LD
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)
            except ValueError:
                continue
        out.extend(_walk(data))
    return out


def article_json_ld(root) -> dict | None:
    for obj in json_ld_objects(root):
        if _types(obj) & ARTICLE_TYPES and obj.get("@type") != "WebPageElement":
            return obj
    return None


def _text(value) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if value is None or isinstance(value, (dict, list)):
        return None
    # JSON-LD written into HTML often carries entities (&quot;) inside the JSON string
    return clean_text(htmllib.unescape(str(value))) or None


def meta_tags(root) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.xpath("//meta[@content]"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if key and key not in out:
            value = clean_text(m.get("content"))
            if value:
                out[key] = value
    return out


def _time_element(root) -> str | None:
    for xp in ("//article//time[@datetime]", "//main//time[@datetime]", "//time[@datetime]"):
        found = root.xpath(xp)
        if found:
            return clean_text(found[0].get("datetime")) or None
    for el in root.xpath("//*[@itemprop='datePublished']"):
        value = el.get("content") or el.get("datetime") or text_of(el)
        if clean_text(value):
            return clean_text(value)
    return None


def _date_from_text(root, tz: str | None) -> str | None:
    """A date shown as text near the headline (``نُشر في ١٢ تشرين الأول ٢٠٢٥``)."""
    for el in root.iter("span", "div", "p", "time", "small", "li"):
        marks = " ".join(filter(None, (el.get("class"), el.get("id"))))
        if not marks or not _DATE_CLASS.search(marks):
            continue
        text = clean_text(text_of(el))
        if not text or len(text) > 80:
            continue
        text = re.sub(r"^(نشر|نُشر|بتاريخ|تاريخ النشر|تاريخ الخبر|آخر تحديث|Published)\s*(في|:)?\s*", "", text)
        if parse_date(text, tz):
            return text
    return None


def _h1(root) -> str | None:
    for h in root.xpath("//h1"):
        t = clean_text(text_of(h))
        if t:
            return t
    return None


def _split_body(text: str) -> list[str]:
    text = htmllib.unescape(text)
    if "<" in text and ">" in text:  # articleBody with markup
        try:
            root = html_root(f"<div>{text}</div>")
            if root is not None:
                text = "\n".join(root.xpath("//text()"))
        except ValueError:
            pass
    return [p for p in (clean_text(x) for x in re.split(r"\n+", text)) if p]


class GenericParser:
    """Reads any news page; no profile needed."""

    def __init__(self, tz: str | None = None):
        self.tz = tz

    def parse(self, url: str, body: bytes | str, content_type: str | None = None,
              hints: dict | None = None, listed: bool = False) -> GenericPage:
        """``listed``: the url came from a feed or a news sitemap, so the page
        is taken for an article even when it does not say so itself."""
        hints = hints or {}
        text = body if isinstance(body, str) else decode_html(body, content_type)[0]
        page = GenericPage(url=url)
        root = html_root(text)
        if root is None:
            return page
        base = join_url(url, root.xpath("string(//base/@href)") or url)
        self._links(root, base, page)
        ld = article_json_ld(root) or {}
        meta = meta_tags(root)
        is_article = bool(ld) or meta.get("og:type") == "article" or "article:published_time" in meta
        if not (is_article or listed):
            return page
        page.title = (meta.get("og:title") or _text(ld.get("headline")) or _text(ld.get("name"))
                      or _h1(root) or hints.get("title") or clean_text(root.xpath("string(//title)")) or None)
        page.published_at = (_text(ld.get("datePublished")) or next((meta[k] for k in DATE_META if k in meta), None)
                             or _time_element(root) or _text(ld.get("dateCreated")) or hints.get("published_at")
                             or _date_from_text(root, self.tz))
        page.source = (_text(ld.get("publisher")) or next((meta[k] for k in SOURCE_META if k in meta), None)
                       or hints.get("source"))
        page.category = _text(ld.get("articleSection")) or meta.get("article:section") or None
        paragraphs = extract_body(text, url)
        ld_body = _split_body(str(ld["articleBody"])) if isinstance(ld.get("articleBody"), str) else []
        tr_len, ld_len = sum(map(len, paragraphs)), sum(map(len, ld_body))
        if ld_body and (not paragraphs or ld_len > 1.5 * tr_len):
            page.paragraphs, page.body_from = ld_body, "json-ld"
        elif paragraphs:
            page.paragraphs, page.body_from = paragraphs, "trafilatura"
        if page.paragraphs and page.paragraphs[0] == page.title:
            page.paragraphs = page.paragraphs[1:]
        page.paragraphs = strip_fact_lines(page.paragraphs)
        if page.title and (page.paragraphs or is_article):
            page.kind = "article"
        return page

    @staticmethod
    def _links(root, base: str, page: GenericPage) -> None:
        seen = set()
        for link in root.xpath("//link[@rel and @href]"):
            rel = (link.get("rel") or "").lower().split()
            kind = (link.get("type") or "").lower().split(";")[0].strip()
            if "alternate" in rel and kind in FEED_TYPES:
                href = join_url(base, link.get("href").strip())
                if href and href not in page.feeds:
                    page.feeds.append(href)
        for a in root.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith("#"):
                continue
            absolute = join_url(base, href)
            if urlsplit(absolute).scheme in ("http", "https") and absolute not in seen:
                seen.add(absolute)
                page.links.append(absolute)


_FACT = re.compile(r"^[^:：\d]{2,30}\s*[:：]\s*\S")


def _is_fact(p: str) -> bool:
    """``الناشر: وكالة الأنباء`` - a short labelled line of a metadata box."""
    m = _FACT.match(p)
    return bool(m) and len(p) <= 100 and len(p.split(":", 1)[0].split()) <= 4


def strip_fact_lines(paragraphs: list[str]) -> list[str]:
    """Drop a run of two or more labelled lines at the start or the end of a
    body: a metadata box that the extraction took for text."""
    start, end = 0, len(paragraphs)
    while start < end and _is_fact(paragraphs[start]):
        start += 1
    if start < 2:
        start = 0
    stop = end
    while stop > start and _is_fact(paragraphs[stop - 1]):
        stop -= 1
    if end - stop < 2:
        stop = end
    return paragraphs[start:stop]


def body_is_usable(paragraphs: list[str]) -> bool:
    return sum(len(p) for p in paragraphs) >= _MIN_BODY_CHARS
