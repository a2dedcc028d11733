"""A second sample aggregator, "Akhbar" (أخبار), with a layout unlike Kashaf's.

It proves that a new aggregator needs only a profile file
(``newscrawler/profiles/akhbar.json``), and gives the generic spider a site with
a sitemap index, a Google News sitemap, an RSS and an Atom feed and JSON-LD.

``SecondSite(articles, seed, tz).handle(path_qs, headers)`` -> ``(status,
headers, body)``, like ``SampleSite``. The same object also plays the
*outlets* (the news sites the aggregator takes its stories from): a request
whose ``Host`` is ``127.0.0.2`` gets an outlet page. The server binds the
aggregator on ``127.0.0.1:PORT`` and the outlets on ``127.0.0.2:PORT`` (same
port; both loopback); links between them are made from the ``Host`` header.

Layout (all different from Kashaf):

* URLs: home ``/`` and ``/latest/<k>``; topics ``/topic/<slug>``; articles
  ``/story/<i>/<ascii-slug>``; outlet pages ``/story/<i>.html`` on 127.0.0.2;
* listing cards: ``<article class="card">`` with an ``<h3>`` link, a lead and
  ``الناشر`` / ``وقت النشر`` facts;
* metadata labels ``وقت النشر`` (``الجمعة 20 نوفمبر 2026 - 14:05``), ``الناشر``,
  ``القسم``, ``الموثوقية``, ``درجة الأهمية`` with ``٪``; sidebar heading
  ``الأكثر قراءة اليوم``.

Article ``i`` (1..N, 1 newest):

* ``i % 4 == 1``: snippet only (one sentence and ``…``) with a link
  ``اقرأ الخبر من المصدر`` to the outlet's page, which has the full text; when
  also ``i % 20 == 9`` the outlet page is missing (404): the record keeps the
  snippet;
* ``i % 5 == 3`` (and not a snippet): the metadata box sits above the body (the
  label rules read the body after it; the trafilatura fallback is not needed);
* ``i % 25 == 12``: invalid, no date anywhere (not in the sitemap or feeds either);
* ``i % 6 == 0``: a full article that also links to its origin (not followed);
* Arabic-Indic digits when ``i % 3 == 0``.
"""

from __future__ import annotations

import html
import json
import random
from datetime import datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from . import corpus as C

__all__ = ["SecondSite", "OUTLET_HOST"]

OUTLET_HOST = "127.0.0.2"
PER_PAGE = 12
SITEMAP_CHUNK = 25
BASE_TIME = datetime(2026, 11, 20, 14, 5)
SITE_NAME = "أخبار"
L_DATE, L_SOURCE, L_CATEGORY, L_CRED, L_IMP = "وقت النشر", "الناشر", "القسم", "الموثوقية", "درجة الأهمية"
SIDEBAR = "الأكثر قراءة اليوم"
ORIGIN_TEXT = "اقرأ الخبر من المصدر"
ORIGIN_TEXT_FULL = "المصدر الأصلي"
BOILERPLATE = ("روابط سريعة", "حمّل تطبيق أخبار")
WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر",
          "نوفمبر", "ديسمبر")
_AR = str.maketrans("0123456789%", "٠١٢٣٤٥٦٧٨٩٪")
_CATS = C.CATEGORIES
_OUTLET_SLUGS = tuple(f"outlet{k}" for k in range(len(C.OUTLETS)))


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


class _Story:
    __slots__ = ("i", "title", "slug", "outlet", "cat", "cred", "imp", "when", "paras", "teasers")


class SecondSite:
    """Deterministic "Akhbar" aggregator plus its outlets; see the module docstring."""

    name = "akhbar"

    def __init__(self, articles: int = 60, seed: int = 1, tz: str = "Africa/Cairo"):
        if isinstance(articles, bool) or not isinstance(articles, int) or not 1 <= articles <= 100_000:
            raise ValueError(f"articles must be between 1 and 100000, got {articles!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.zone = ZoneInfo(tz)
        self.n, self.seed, self.tz = articles, seed, tz
        self.pages = (articles + PER_PAGE - 1) // PER_PAGE
        self._stories = [None] + [self._draw(i) for i in range(1, articles + 1)]
        for i in range(1, articles + 1):
            rng = random.Random(f"akhbar-teasers:{seed}:{i}")
            pool = [j for j in range(1, articles + 1) if j != i and not self.invalid(j)]
            self._stories[i].teasers = rng.sample(pool, min(3, len(pool)))

    # ------------------------------------------------------------ model
    def _draw(self, i: int) -> _Story:
        rng = random.Random(f"akhbar:{self.seed}:{i}")
        s = _Story()
        s.i = i
        cat = rng.randrange(len(_CATS))
        slug_cat = _CATS[cat][0]
        k = rng.randrange(len(C.HEADLINES[slug_cat]))
        fmt, slug = C.HEADLINES[slug_cat][k]
        values = {}
        for f in C.HEADLINE_FIELDS[slug_cat][k]:
            pool = C.SLOTS[C.SLOT_ALIASES.get(f, f)]
            v = pool[rng.randrange(len(pool))]
            while v in values.values():
                v = pool[rng.randrange(len(pool))]
            values[f] = v
        s.title, s.slug, s.cat = fmt.format(**values), slug, cat
        s.outlet = rng.randrange(len(C.OUTLETS))
        s.cred, s.imp = 20 + rng.randrange(81), 1 + rng.randrange(100)
        s.when = BASE_TIME - timedelta(minutes=37 * (i - 1) + rng.randrange(30))
        pool = list(C.SENTENCES[slug_cat] + C.SENTENCES["general"])
        rng.shuffle(pool)
        s.paras, pos = [], 0
        for _ in range(rng.randint(3, 5)):
            take = rng.randint(2, 3)
            if pos + take > len(pool):
                break
            s.paras.append(" ".join(pool[pos:pos + take]))
            pos += take
        return s

    def story(self, i: int) -> _Story:
        return self._stories[i]

    @staticmethod
    def snippet_only(i: int) -> bool:
        return i % 4 == 1

    @staticmethod
    def origin_missing(i: int) -> bool:
        return i % 20 == 9

    def meta_above(self, i: int) -> bool:
        return i % 5 == 3 and not self.snippet_only(i)

    @staticmethod
    def invalid(i: int) -> bool:
        return i % 25 == 12

    @staticmethod
    def links_origin(i: int) -> bool:
        return i % 4 == 1 or i % 6 == 0

    def path(self, i: int) -> str:
        return f"/story/{i}/{self.story(i).slug}"

    @staticmethod
    def outlet_path(i: int) -> str:
        return f"/story/{i}.html"

    def snippet(self, i: int) -> str:
        return self.story(i).paras[0].split(". ")[0].rstrip(".") + " …"

    def iso(self, when: datetime) -> str:
        return when.replace(tzinfo=self.zone).isoformat()

    @staticmethod
    def date_text(when: datetime, arabic_digits: bool) -> str:
        t = f"{WEEKDAYS[when.weekday()]} {when.day} {MONTHS[when.month - 1]} {when.year} - {when:%H:%M}"
        return t.translate(_AR) if arabic_digits else t

    def source_text(self, s: _Story) -> str:
        name, country = C.OUTLETS[s.outlet]
        return name if country is None else f"{name} - {country}"

    # ------------------------------------------------------------ pages
    def _head(self, title: str, extra: str = "") -> str:
        return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
                f"<title>{_esc(title)} | {SITE_NAME}</title>{extra}</head><body>")

    def _chrome_top(self) -> str:
        topics = "".join(f'<a href="/topic/{slug}">{name}</a> ' for slug, name in _CATS)
        return (f'<div class="topbar"><a class="brand" href="/">{SITE_NAME}</a>'
                f'<span class="motto">كل الأخبار من كل المصادر</span></div><div class="topics">{topics}</div>')

    def _chrome_bottom(self) -> str:
        return (f'<div class="bottom"><div class="quick"><b>{BOILERPLATE[0]}</b>: '
                '<a href="/">الرئيسية</a> <a href="/topic/politics">سياسة</a></div>'
                f'<div class="app">{BOILERPLATE[1]} على هاتفك <a href="https://apps.example.org/akhbar">تنزيل</a></div>'
                "</div></body></html>")

    def _facts(self, s: _Story, digits: bool, with_date: bool = True) -> list[tuple[str, str]]:
        rows = []
        if with_date:
            rows.append((L_DATE, self.date_text(s.when, digits)))
        rows.append((L_SOURCE, self.source_text(s)))
        rows.append((L_CATEGORY, _CATS[s.cat][1]))
        rows.append((L_CRED, (f"{s.cred}٪").translate(_AR) if digits else f"{s.cred}٪"))
        rows.append((L_IMP, (f"{s.imp}٪").translate(_AR) if digits else f"{s.imp}٪"))
        return rows

    def _card(self, i: int) -> str:
        s = self.story(i)
        facts = [(L_SOURCE, self.source_text(s))]
        if not self.invalid(i):
            facts.append((L_DATE, self.date_text(s.when, False)))
        else:
            facts.append((L_CATEGORY, _CATS[s.cat][1]))
        lis = "".join(f"<li>{k}: {v}</li>" for k, v in facts)
        return (f'<article class="card"><h3><a href="{self.path(i)}">{_esc(s.title)}</a></h3>'
                f'<p class="lead">{self.snippet(i)}</p><ul class="card-facts">{lis}</ul></article>')

    def _listing(self, title: str, ids: list[int], nav: str, feeds: bool) -> str:
        extra = ""
        if feeds:
            extra = ('<link rel="alternate" type="application/rss+xml" title="أخبار" href="/feed.xml">'
                     '<link rel="alternate" type="application/atom+xml" title="أخبار" href="/atom.xml">')
        cards = "".join(self._card(i) for i in ids)
        return (f"{self._head(title, extra)}{self._chrome_top()}<main><h1>{title}</h1>"
                f'<section class="stream">{cards}</section>{nav}</main>{self._chrome_bottom()}')

    def _home(self, k: int) -> str:
        ids = list(range((k - 1) * PER_PAGE + 1, min(self.n, k * PER_PAGE) + 1))
        nav = '<div class="pager">'
        if k > 1:
            nav += f'<a href="{"/" if k == 2 else f"/latest/{k - 1}"}">السابق</a> '
        if k < self.pages:
            nav += f'<a href="/latest/{k + 1}" rel="next">التالي</a>'
        nav += "</div>"
        return self._listing("آخر الأخبار" if k == 1 else f"آخر الأخبار - صفحة {k}", ids, nav, feeds=k == 1)

    def _topic(self, cat: int) -> str:
        ids = [i for i in range(1, self.n + 1) if self.story(i).cat == cat]
        return self._listing(f"قسم {_CATS[cat][1]}", ids, "", feeds=False)

    def _article(self, i: int, outlet_base: str) -> str:
        s = self.story(i)
        digits = i % 3 == 0
        bad = self.invalid(i)
        ld = {
            "@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
            "articleSection": _CATS[s.cat][1],
            "publisher": {"@type": "Organization", "name": C.OUTLETS[s.outlet][0]},
            "isPartOf": {"@type": "WebSite", "name": SITE_NAME},
        }
        if not bad:
            ld["datePublished"] = self.iso(s.when)
        extra = (f'<meta property="og:title" content="{_esc(s.title)}"><meta property="og:type" content="article">'
                 f'<meta property="og:site_name" content="{SITE_NAME}">'
                 f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
        facts = "".join(f'<div class="fact"><span class="k">{k}:</span> <span class="v">{v}</span></div>'
                        for k, v in self._facts(s, digits, with_date=not bad))
        facts = f'<div class="facts">{facts}</div>'
        origin = ""
        if self.links_origin(i):
            text = ORIGIN_TEXT if self.snippet_only(i) else ORIGIN_TEXT_FULL
            origin = f'<p class="origin"><a href="{outlet_base}{self.outlet_path(i)}" rel="nofollow">{text}</a></p>'
        if self.snippet_only(i):
            body = f'<p class="lead">{self.snippet(i)}</p>'
        else:
            body = "".join(f"<p>{p}</p>" for p in s.paras)
        body = f'<div class="text">{body}</div>'
        if self.meta_above(i):
            main = facts + body + origin
        elif self.snippet_only(i):  # the origin link under the facts
            main = body + facts + origin
        else:
            main = body + origin + facts
        teasers = []
        for j in s.teasers:
            t = self.story(j)
            teasers.append(
                f'<div class="hot"><a href="{self.path(j)}">{_esc(t.title)}</a>'
                f"<div>{L_SOURCE}: {self.source_text(t)} {L_CATEGORY}: {_CATS[t.cat][1]}</div>"
                f"<div>{L_CRED}: {t.cred}٪ {L_IMP}: {t.imp}٪</div>"
                f"<div>{L_DATE}: {self.date_text(t.when, False)}</div></div>"
            )
        return (f"{self._head(s.title, extra)}{self._chrome_top()}"
                f'<div class="page"><div class="story"><h1>{_esc(s.title)}</h1>{main}</div>'
                f'<div class="side"><h4>{SIDEBAR}</h4>{"".join(teasers)}</div></div>{self._chrome_bottom()}')

    def _outlet_page(self, i: int) -> str:
        s = self.story(i)
        name = C.OUTLETS[s.outlet][0]
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
              "datePublished": self.iso(s.when), "publisher": {"@type": "Organization", "name": name}}
        more = "".join(f'<li><a href="{self.outlet_path(j)}">خبر رقم {j}</a></li>'
                       for j in (i + 1, i + 2) if j <= self.n)
        paras = "".join(f"<p>{p}</p>" for p in s.paras)
        return (f'<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>{_esc(s.title)} - {name}</title>'
                f'<meta property="og:title" content="{_esc(s.title)}"><meta property="og:site_name" content="{name}">'
                f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head><body>'
                f'<header><a href="/">{name}</a> <a href="/section/world">العالم</a></header>'
                f'<article><h1>{_esc(s.title)}</h1><time datetime="{self.iso(s.when)}">'
                f"{self.date_text(s.when, False)}</time>{paras}</article>"
                f'<aside><h2>اقرأ أيضا</h2><ul>{more}</ul></aside><footer>جميع الحقوق محفوظة</footer></body></html>')

    # ------------------------------------------------------------ indexes
    def _dated(self) -> list[int]:
        return [i for i in range(1, self.n + 1) if not self.invalid(i)]

    def _sitemap_index(self, base: str) -> str:
        chunks = (self.n + SITEMAP_CHUNK - 1) // SITEMAP_CHUNK
        items = "".join(f"<sitemap><loc>{base}/sitemaps/stories-{k}.xml</loc></sitemap>" for k in range(1, chunks + 1))
        items += f"<sitemap><loc>{base}/sitemaps/news.xml</loc></sitemap>"
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')

    def _sitemap(self, base: str, k: int) -> str | None:
        ids = list(range((k - 1) * SITEMAP_CHUNK + 1, min(self.n, k * SITEMAP_CHUNK) + 1))
        if not ids:
            return None
        urls = []
        for i in ids:
            lastmod = "" if self.invalid(i) else f"<lastmod>{self.iso(self.story(i).when)}</lastmod>"
            urls.append(f"<url><loc>{base}{self.path(i)}</loc>{lastmod}</url>")
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(urls)}</urlset>')

    def _news_sitemap(self, base: str) -> str:
        urls = []
        for i in self._dated()[:20]:
            s = self.story(i)
            urls.append(
                f"<url><loc>{base}{self.path(i)}</loc><news:news><news:publication>"
                f"<news:name>{SITE_NAME}</news:name><news:language>ar</news:language></news:publication>"
                f"<news:publication_date>{self.iso(s.when)}</news:publication_date>"
                f"<news:title>{_esc(s.title)}</news:title></news:news></url>"
            )
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{"".join(urls)}</urlset>')

    def _rss(self, base: str) -> str:
        items = []
        for i in range(1, min(self.n, 100) + 1):
            s = self.story(i)
            date = "" if self.invalid(i) else f"<pubDate>{format_datetime(s.when.replace(tzinfo=self.zone))}</pubDate>"
            items.append(f"<item><title>{_esc(s.title)}</title><link>{base}{self.path(i)}</link>"
                         f"<description>{self.snippet(i)}</description>{date}"
                         f'<guid isPermaLink="false">akhbar-{i}</guid></item>')
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{SITE_NAME}</title><link>{base}/</link><description>آخر الأخبار</description>"
                f'{"".join(items)}</channel></rss>')

    def _atom(self, base: str) -> str:
        entries = []
        for i in self._dated()[:20]:
            s = self.story(i)
            entries.append(f'<entry><title>{_esc(s.title)}</title><link rel="alternate" href="{base}{self.path(i)}"/>'
                           f"<id>{base}{self.path(i)}</id><published>{self.iso(s.when)}</published>"
                           f"<updated>{self.iso(s.when)}</updated></entry>")
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f'<title>{SITE_NAME}</title><id>{base}/</id>{"".join(entries)}</feed>')

    # ------------------------------------------------------------ HTTP
    @staticmethod
    def _reply(status: int, text: str, ctype: str):
        body = text.encode("utf-8")
        return status, [("Content-Type", ctype), ("Content-Length", str(len(body)))], body

    def handle(self, path_qs: str, headers: dict | None = None):
        """Serve one GET; the ``Host`` header says aggregator or outlet."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        host = headers.get("host") or "127.0.0.1"
        hostname = urlsplit(f"//{host}").hostname or "127.0.0.1"
        port = urlsplit(f"//{host}").port
        suffix = f":{port}" if port else ""
        if path_qs.startswith(("http://", "https://")):
            path_qs = "/" + path_qs.split("://", 1)[1].partition("/")[2]
        path = path_qs.split("#", 1)[0].split("?", 1)[0]
        try:
            if hostname == OUTLET_HOST:
                r = self._route_outlet(path)
            else:
                r = self._route(path, f"http://{host}", f"http://{OUTLET_HOST}{suffix}")
        except (ValueError, IndexError):
            r = None
        if r is None:
            return self._reply(404, f"{self._head('غير موجود')}<h1>الصفحة غير موجودة</h1></body></html>",
                               "text/html; charset=utf-8")
        return r

    def _num(self, text: str) -> int | None:
        if not text.isdigit() or text.startswith("0"):
            return None
        v = int(text)
        return v if 1 <= v <= self.n else None

    def _route_outlet(self, path: str):
        if path == "/robots.txt":
            return self._reply(200, "User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
        if path.startswith("/story/") and path.endswith(".html"):
            i = self._num(path[7:-5])
            if i is not None and not self.origin_missing(i):
                return self._reply(200, self._outlet_page(i), "text/html; charset=utf-8")
        if path == "/":
            return self._reply(200, "<html><body><h1>الموقع الإخباري</h1></body></html>", "text/html; charset=utf-8")
        return None

    def _route(self, path: str, base: str, outlet_base: str):
        html_type = "text/html; charset=utf-8"
        xml_type = "application/xml; charset=utf-8"
        if path == "/":
            return self._reply(200, self._home(1), html_type)
        if path.startswith("/latest/"):
            k = self._num(path[8:])
            if k is not None and 2 <= k <= self.pages:
                return self._reply(200, self._home(k), html_type)
            return None
        if path.startswith("/topic/"):
            cat = next((c for c, (slug, _) in enumerate(_CATS) if slug == path[7:]), None)
            return None if cat is None else self._reply(200, self._topic(cat), html_type)
        if path.startswith("/story/"):
            parts = path.split("/")
            i = self._num(parts[2]) if len(parts) == 4 else None
            if i is not None and path == self.path(i):
                return self._reply(200, self._article(i, outlet_base), html_type)
            return None
        if path == "/robots.txt":
            text = f"User-agent: *\nDisallow: /account/\n\nSitemap: {base}/sitemap.xml\n"
            return self._reply(200, text, "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return self._reply(200, self._sitemap_index(base), xml_type)
        if path == "/sitemaps/news.xml":
            return self._reply(200, self._news_sitemap(base), xml_type)
        if path.startswith("/sitemaps/stories-") and path.endswith(".xml"):
            k = path[len("/sitemaps/stories-"):-4]
            text = self._sitemap(base, int(k)) if k.isdigit() and not k.startswith("0") else None
            return None if text is None else self._reply(200, text, xml_type)
        if path == "/feed.xml":
            return self._reply(200, self._rss(base), "application/rss+xml; charset=utf-8")
        if path == "/atom.xml":
            return self._reply(200, self._atom(base), "application/atom+xml; charset=utf-8")
        return None

    # ------------------------------------------------------------ ground truth
    def outlet_base(self, base_url: str) -> str:
        port = urlsplit(base_url).port
        return f"http://{OUTLET_HOST}" + (f":{port}" if port else "")

    def _teaser(self, j: int, base: str) -> dict:
        t = self.story(j)
        name, country = C.OUTLETS[t.outlet]
        return {"title": t.title, "url": base + self.path(j), "source": name, "source_country": country,
                "category": _CATS[t.cat][1], "published_at": self.iso(t.when), "credibility": t.cred,
                "importance": t.imp}

    def ground_truth(self, base_url: str) -> dict:
        """Expected records of the ``akhbar`` profile, and of the generic spider."""
        base = base_url.rstrip("/")
        outlet = self.outlet_base(base_url)
        records, invalid, generic = [], [], []
        for i in range(1, self.n + 1):
            s = self.story(i)
            url = base + self.path(i)
            if self.invalid(i):
                invalid.append({"url": url, "field": "published_at"})
                continue
            name, country = C.OUTLETS[s.outlet]
            full = "\n\n".join(s.paras)
            snippet = self.snippet_only(i)
            rec = {
                "url": url, "title": s.title,
                "body": self.snippet(i) if snippet and self.origin_missing(i) else full,
                "published_at": self.iso(s.when), "source": name, "source_country": country,
                "category": _CATS[s.cat][1], "credibility": s.cred, "importance": s.imp,
                "related": [self._teaser(j, base) for j in s.teasers],
                "origin_url": outlet + self.outlet_path(i) if snippet else None,
            }
            records.append(rec)
            generic.append({"url": url, "title": s.title, "body": self.snippet(i) if snippet else full,
                            "published_at": self.iso(s.when), "source": name, "category": _CATS[s.cat][1]})
        return {
            "records": records,
            "invalid": invalid,
            "generic_records": generic,
            "meta_above_urls": [base + self.path(i) for i in range(1, self.n + 1)
                              if self.meta_above(i) and not self.invalid(i)],
            "origin_urls": [outlet + self.outlet_path(i) for i in range(1, self.n + 1)
                            if self.snippet_only(i) and not self.invalid(i)],
            "outlet_base": outlet,
            "articles": self.n,
            "tz": self.tz,
        }


# ---------------------------------------------------------------- serving
class ServedSecondSite:
    """The aggregator on ``127.0.0.1:PORT`` and its outlets on ``127.0.0.2:PORT``,
    served from threads of this process; ``.url``, ``.outlet_url``,
    ``.ground_truth()``, ``.close()``; a context manager."""

    def __init__(self, site: SecondSite, host: str = "127.0.0.1", port: int = 0):
        from .server import serve

        self.site = site
        self._servers = []
        for _ in range(20):  # the outlet needs the same port free on 127.0.0.2
            main = serve(site, host, port)
            try:
                outlet = serve(site, OUTLET_HOST, main.port)
            except OSError:
                main.close()
                if port:
                    raise
                continue
            self._servers = [main, outlet]
            break
        if not self._servers:
            raise OSError(f"no port free on both {host} and {OUTLET_HOST}")
        self.url = self._servers[0].url
        self.outlet_url = self._servers[1].url
        self.port = self._servers[0].port

    def ground_truth(self) -> dict:
        return self.site.ground_truth(self.url)

    def close(self) -> None:
        for s in self._servers:
            s.close()

    def __enter__(self) -> "ServedSecondSite":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m newscrawler.sample_site.second_site [--articles N] [--seed S] [--port P]``:
    prints the aggregator's URL, then serves until interrupted."""
    import argparse
    import sys
    import time

    p = argparse.ArgumentParser(prog="python -m newscrawler.sample_site.second_site",
                                description="Serve the Akhbar sample aggregator and its outlets (loopback only).")
    p.add_argument("--articles", type=int, default=60)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)
    try:
        site = SecondSite(args.articles, args.seed)
        served = ServedSecondSite(site, "127.0.0.1", args.port)
    except (ValueError, OSError) as e:
        print(f"{p.prog}: error: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return 2
    print(served.url, flush=True)
    print(f"outlets: {served.outlet_url}", file=sys.stderr, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        served.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
