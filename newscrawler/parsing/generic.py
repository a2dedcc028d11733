"""Article extraction for sites without a profile (and the profiles' fallback).

``GenericParser().parse(url, body, content_type, hints)`` -> ``GenericPage``.
No network, no Scrapy.

What a page says about itself comes first: JSON-LD (``NewsArticle``,
``Article`` ...: ``headline``, ``datePublished``, ``articleBody``,
``publisher.name``, ``articleSection``) and meta tags (``og:title``,
``article:published_time``, ``og:site_name``, ``article:section``). The body is
picked by ``newscrawler.parsing.body.best_body`` (trafilatura with
``favor_precision=True`` checked against a DOM-density candidate and the JSON-LD
``articleBody``), the date by ``newscrawler.parsing.published`` (candidates from
metadata, the URL and the text near the headline, ranked).

``hints`` are what a feed or a news sitemap said about the page (title, date,
outlet): used where the page itself says nothing.

``extract_body(html, url)`` is the body extraction alone, used by
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

from newscrawler.parsing.body import MIN_BODY_CHARS, best_body
from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.html import PageTooDeep, html_root, html_tree, text_of
from newscrawler.parsing.published import publication_date
from newscrawler.processors.dates import parse_date
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import join_url, page_base

ARTICLE_TYPES = frozenset((
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BackgroundNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report", "WebPageElement",
))
FEED_TYPES = frozenset(("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
                        "text/xml"))
SOURCE_META = ("og:site_name", "application-name", "publisher", "dc.publisher")


@dataclass
class GenericPage:
    url: str
    kind: str = "other"  # "article" or "other"
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    published_at: str | None = None  # ISO 8601 (see ``newscrawler.parsing.published``)
    date_from: str | None = None  # where the date was found, e.g. "meta article:published_time"
    source: str | None = None
    category: str | None = None
    feeds: list[str] = field(default_factory=list)  # RSS/Atom feeds the page announces
    links: list[str] = field(default_factory=list)  # absolute http(s) links
    body_from: str | None = None  # see ``newscrawler.parsing.body.best_body``

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


# ------------------------------------------------------------------ body
def extract_body(html: str | bytes, url: str | None = None, content_type: str | None = None) -> list[str]:
    """The article's paragraphs (``newscrawler.parsing.body.best_body``: trafilatura
    checked against a DOM-density candidate and the JSON-LD ``articleBody``), or []."""
    if isinstance(html, bytes):
        html, _ = decode_html(html, content_type)
    if not html or not html.strip():
        return []
    root = html_root(html)
    ld = (article_json_ld(root) or {}) if root is not None else {}
    return best_body(html, url, _ld_body(ld), _text(ld.get("headline")))[0]


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
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        if key and key not in out:
            value = clean_text(m.get("content"))
            if value:
                out[key] = value
    return out


def _h1(root) -> str | None:
    for h in root.xpath("//h1"):
        t = clean_text(text_of(h))
        if t:
            return t
    return None


_SUFFIX = re.compile(r"^\s*[-|–—]\s*(?P<name>\S.{0,40})$")


def _without_site_name(title: str | None, h1: str | None, site: str | None) -> str | None:
    """``og:title`` often adds the outlet (``… - اليوم السابع``): take the headline
    when the rest is a separator and a short name, or the site's own name."""
    if not title:
        return title
    for head in (h1, title.rsplit(" - ", 1)[0] if site and title.endswith(site) else None):
        if head and head != title and title.startswith(head):
            m = _SUFFIX.match(title[len(head):])
            if m and (head == h1 or m["name"].strip() == site):
                return head
    return title


def _ld_body(ld: dict) -> list[str]:
    return _split_body(str(ld["articleBody"])) if isinstance(ld.get("articleBody"), str) else []


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
              hints: dict | None = None, listed: bool = False, now: datetime | None = None) -> GenericPage:
        """``listed``: the url came from a feed or a news sitemap, so the page
        is taken for an article even when it does not say so itself. ``now``
        (aware; default the current time): relative dates and the future check."""
        hints = hints or {}
        text = body if isinstance(body, str) else decode_html(body, content_type)[0]
        page = GenericPage(url=url)
        root, cut = html_tree(text)
        if root is None:
            return page
        page = self._read(page, root, text, url, hints, listed, now)
        if cut and page.kind != "article":  # what lay deeper is unread: the page may have been an article
            raise PageTooDeep("not an article")
        return page

    def _read(self, page: GenericPage, root, text: str, url: str, hints: dict, listed: bool,
              now: datetime | None) -> GenericPage:
        base = page_base(url, root.xpath("string(//base/@href)"))
        self._links(root, base, page)
        ld = article_json_ld(root) or {}
        meta = meta_tags(root)
        is_article = (bool(ld) or meta.get("og:type") == "article" or "article:published_time" in meta
                      or "datepublished" in meta or bool(root.xpath("//*[contains(@itemtype, 'Article')]")))
        if not (is_article or listed):
            return page
        h1 = _h1(root)
        page.title = _without_site_name(
            meta.get("og:title") or _text(ld.get("headline")) or _text(ld.get("name")) or h1
            or hints.get("title") or clean_text(root.xpath("string(//title)")) or None,
            h1, meta.get("og:site_name") or _text(ld.get("publisher")))
        found = publication_date(root, url, ld, meta, page.title, self.tz, now, hints)
        if found is not None:
            page.published_at, page.date_from = found.value, found.where
        page.source = (_text(ld.get("publisher")) or next((meta[k] for k in SOURCE_META if k in meta), None)
                       or hints.get("source"))
        page.category = _text(ld.get("articleSection")) or meta.get("article:section") or None
        page.paragraphs, page.body_from = best_body(text, url, _ld_body(ld), page.title)
        page.paragraphs = strip_head_lines(page.paragraphs, page.title, self.tz, now)
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


def strip_head_lines(paragraphs: list[str], title: str | None, tz: str | None = None,
                     now: datetime | None = None) -> list[str]:
    """Drop the headline and the date lines (``الأحد 14 رمضان 1432هـ الموافق 14
    أغسطس 2011م``) that an extraction took with the body's first or last lines."""
    from newscrawler.parsing.published import reads_as_date

    def head(p: str) -> bool:
        return p == title or (len(p) <= 80 and reads_as_date(p, tz, now) is not None)

    start, stop = 0, len(paragraphs)
    while start < stop and head(paragraphs[start]):
        start += 1
    while stop > start and head(paragraphs[stop - 1]):
        stop -= 1
    return paragraphs[start:stop]


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
    return sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS
