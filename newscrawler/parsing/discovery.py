"""Where a site lists its articles: robots.txt, sitemaps, news sitemaps, feeds.

Pure functions on stored bytes (no network), used by the generic spider
(``newscrawler/spiders/generic.py``) and the evaluation:

* ``robots_sitemaps(body, base)``: the ``Sitemap:`` lines of a robots.txt;
* ``read_sitemap(body)``: ``("sitemapindex" | "urlset", [Entry])`` for a sitemap,
  a sitemap index or a Google News sitemap (gzipped or not), with the news
  title, publication date and publication name when present;
* ``read_feed(body, base)``: ``[Entry]`` of an RSS 2.0, RSS 1.0 (RDF) or Atom feed;
* ``looks_like(body)``: "sitemap", "feed", "html" or None.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import join_url

MAX_XML_BYTES = 50 * 1024 * 1024


@dataclass
class Entry:
    url: str
    title: str | None = None
    published_at: str | None = None  # raw, as the sitemap/feed says it
    source: str | None = None  # news:publication name, or the feed's own title

    def hints(self) -> dict:
        return {k: v for k, v in (("title", self.title), ("published_at", self.published_at),
                                   ("source", self.source)) if v}


def _ungzip(body: bytes) -> bytes:
    if body[:3] == b"\x1f\x8b\x08":
        try:
            return gunzip(body, max_size=MAX_XML_BYTES)
        except Exception:
            return b""
    return body


def looks_like(body: bytes) -> str | None:
    head = _ungzip(body)[:2000].lstrip().lower()
    if not head:
        return None
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if b"<html" in head or b"<!doctype html" in head or b"<head" in head or b"<body" in head:
        return "html"
    return None


def robots_sitemaps(body: bytes | str, base: str) -> list[str]:
    if isinstance(body, str):
        body = body.encode("utf-8")
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=base)))


def _xml_root(body: bytes):
    parser = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return lxml.etree.fromstring(body, parser=parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None


def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _child(el, name: str):
    for c in el:
        if _local(c) == name:
            return c
    return None


def _child_text(el, *path: str) -> str | None:
    for name in path:
        if el is None:
            return None
        el = _child(el, name)
    if el is None:
        return None
    return clean_text("".join(el.itertext())) or None


def read_sitemap(body: bytes) -> tuple[str | None, list[Entry]]:
    body = _ungzip(body)
    if not body.strip():
        return None, []
    try:
        sitemap = Sitemap(body)
    except Exception:  # not XML at all
        return None, []
    kind = sitemap.type
    if kind not in ("sitemapindex", "urlset"):
        return None, []
    news: dict[str, Entry] = {}
    if kind == "urlset" and b"news" in body:
        root = _xml_root(body)
        for url in (root if root is not None else []):
            n = _child(url, "news")
            loc = _child_text(url, "loc")
            if n is None or not loc:
                continue
            news[loc] = Entry(loc, _child_text(n, "title"), _child_text(n, "publication_date"),
                              _child_text(n, "publication", "name"))
    entries = []
    for d in sitemap:
        loc = clean_text(d.get("loc"))
        if loc:
            entries.append(news.get(loc) or Entry(loc))
    return kind, entries


def read_feed(body: bytes, base: str) -> list[Entry]:
    root = _xml_root(_ungzip(body))
    if root is None:
        return []
    out: list[Entry] = []
    top = _local(root)
    if top == "feed":  # Atom
        source = _child_text(root, "title")
        for e in root:
            if _local(e) != "entry":
                continue
            href = None
            for link in e:
                if _local(link) == "link" and link.get("href") and link.get("rel", "alternate") == "alternate":
                    href = link.get("href")
                    break
            if href:
                out.append(Entry(join_url(base, href.strip()), _child_text(e, "title"),
                                 _child_text(e, "published") or _child_text(e, "updated"), source))
        return out
    channel = _child(root, "channel") if top == "rss" else root
    if channel is None:
        return []
    source = _child_text(channel, "title")
    items = [i for i in (channel if top == "rss" else root) if _local(i) == "item"]
    for item in items:
        link = _child_text(item, "link")
        if not link:
            guid = _child(item, "guid")
            if guid is not None and guid.get("isPermaLink", "true") != "false":
                link = clean_text(guid.text)
        if link:
            date = _child_text(item, "pubdate") or _child_text(item, "date")  # RSS 2.0 / dc:date
            out.append(Entry(join_url(base, link), _child_text(item, "title"), date, source))
    return out
