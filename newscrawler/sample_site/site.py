"""A deterministic sample aggregator site in the "Kashaf" page format (no I/O).

``SampleSite(articles, seed, tz).handle(path_qs, headers)`` renders any page on the fly and
returns ``(status, headers, body_bytes)``; nothing big is cached.  Only small per-article
arrays are precomputed (category index and publication offset per article, and the
article numbers of each section), so 100,000 articles need a few MB.

Article ``i`` (1..N, 1 is the newest) draws its headline, outlet, scores, body and page
layout from ``random.Random(seed * 1_000_003 + i)``; its category and publication time come
from the small precomputed arrays (drawn once from a site-level seeded stream).

Special articles, for every block of 100 article numbers ``b*100 + r`` (so ``N // 100``
of each kind, at least one of each for ``N >= 100``):

* ``r == 17``: invalid, no ``تاريخ الخبر`` line at all                (field ``published_at``)
* ``r == 41``: invalid, ``مستوى الصحة`` above 100 (101..160)           (field ``credibility``)
* ``r == 63``: invalid, empty body (headline + metadata, no paragraph) (field ``body``)
* ``r == 29``: duplicate story: same outlet, headline, category and body as article
  ``b*100 + 30`` but published 3 seconds later, with different scores and URL.
* ``r == 83``: withdrawn: listed with its card, but its page says ``عذراً، الصفحة غير
  موجودة`` with status 200 (a soft 404, with the sidebar as on any page): no record,
  no reject; the crawl lists it as unrecoverable (ground truth ``soft_404``).

Private (robots-disallowed) articles ``/private/news/<k>.html`` for ``k = 1..max(1, N // 100)``
are extra, valid-looking articles outside the 1..N numbering.

Other per-article variations, chosen by the article number ``i``:

* URL scheme ``(i + i // 3) % 3``: 0 ``/news/<i>.html``, 1 ``/article?id=<i>``,
  2 ``/<yyyy>/<mm>/<i>-<ascii-slug>`` (year/month of publication);
* ad block (marker ``إعلان``) when ``i % 3 == 0``;
* body in one ``<div>`` with ``<br><br>`` between paragraphs when ``i % 5 == 0`` (else ``<p>``);
* metadata markup ``(i + i // 5) % 5``: 0 ``<ul><li>``, 1 ``<table>``, 2 ``<div>`` with
  ``<br>`` lines, 3 ``<dl>``, 4 ``<span>label&nbsp;:&nbsp;</span><span>value</span>``;
* Arabic-Indic digits for dates and scores (metadata and sidebar) when ``i % 7 == 0``;
* windows-1256 when ``i % 11 == 0``; ``(i // 11) % 3``: 0 charset only in the
  Content-Type header, 1 only in ``<meta charset>``, 2 declared nowhere;
* non-breaking spaces between sentences when ``i % 13 == 5``;
* page layout ``layouts.layout_of(i)``: a third keep the seed's order (headline,
  body, one metadata box); the others put the metadata first (a byline), split it
  around the body, write labels without a colon, or have the site's name as the
  only ``<h1>`` and the headline in an ``<h2>``, with captions, "read also" lines,
  share bars, tag lists and comment boxes around the body (see ``layouts.py``).
"""

from __future__ import annotations

import html
import random
from array import array
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import corpus as C
from . import layouts as L
from .syndication import Syndication

__all__ = ["SampleSite", "PER_PAGE", "BASE_TIME"]

PER_PAGE = 20
BASE_TIME = datetime(2026, 11, 20, 12, 0, 0)  # publication time of article 1 (site-local)
DUP_DELAY = 3  # seconds between a story and its duplicate
MAX_ARTICLES = 5_000_000

R_NO_DATE = 17
R_DUP = 29
R_BAD_CRED = 41
R_EMPTY_BODY = 63
R_GONE = 83  # withdrawn: its page says "not found" with status 200 (a soft 404)
INVALID_FIELD = {R_NO_DATE: "published_at", R_BAD_CRED: "credibility", R_EMPTY_BODY: "body"}

L_DATE = "تاريخ الخبر"
L_SOURCE = "المصدر"
L_CATEGORY = "التصنيف"
L_CRED = "مستوى الصحة"
L_IMPORTANCE = "الأهمية"
AD_MARKER = "إعلان"
SIDEBAR_TITLE = "آخر الأخبار حول العالم"

_AR_DIGITS = str.maketrans("0123456789%", "٠١٢٣٤٥٦٧٨٩٪")
_CAT_SLUGS = tuple(s for s, _ in C.CATEGORIES)
_CAT_NAMES = tuple(a for _, a in C.CATEGORIES)
_CAT_INDEX = {s: k for k, s in enumerate(_CAT_SLUGS)}
_OUTLET_TEXT = tuple(n if c is None else f"{n} - {c}" for n, c in C.OUTLETS)
_OUTLETS_BY_PARITY = (
    tuple(k for k in range(len(C.OUTLETS)) if k % 2 == 0),
    tuple(k for k in range(len(C.OUTLETS)) if k % 2 == 1),
)
_TEMPLATES = tuple(C.HEADLINES[s] for s in _CAT_SLUGS)
_TEMPLATE_FIELDS = tuple(C.HEADLINE_FIELDS[s] for s in _CAT_SLUGS)
_POOLS = tuple(C.SENTENCES[s] + C.SENTENCES["general"] for s in _CAT_SLUGS)

_TRACKING = ("utm_", "fbclid", "gclid")


class _Info:
    """Metadata of one article (public ``aid > 0``, private ``aid < 0``)."""

    __slots__ = ("aid", "headline", "slug", "outlet", "cat", "cred", "imp", "when", "rng", "brng")

    def __init__(self, aid, headline, slug, outlet, cat, cred, imp, when, rng, brng):
        self.aid = aid
        self.headline = headline
        self.slug = slug
        self.outlet = outlet
        self.cat = cat
        self.cred = cred
        self.imp = imp
        self.when = when
        self.rng = rng  # layout stream (the article's own Random)
        self.brng = brng  # body stream (the story's Random; differs for duplicates)


def _draw_head(rng: random.Random, cat: int, parity: int | None) -> tuple[str, str, int]:
    rnd = rng.random  # int(rnd() * n) is a cheap, deterministic uniform pick
    templates = _TEMPLATES[cat]
    t = int(rnd() * len(templates))
    fmt, slug = templates[t]
    fields = _TEMPLATE_FIELDS[cat][t]
    if fields:
        vals: dict[str, str] = {}
        for f in fields:
            pool = C.SLOTS[C.SLOT_ALIASES.get(f, f)]
            k = int(rnd() * len(pool))
            v = pool[k]
            if v in vals.values():  # "team" vs "team2": never the same value twice
                v = pool[(k + 1) % len(pool)]
            vals[f] = v
        headline = fmt.format(**vals)
    else:
        headline = fmt
    if parity is None:
        outlet = int(rnd() * len(C.OUTLETS))
    else:
        choices = _OUTLETS_BY_PARITY[parity]
        outlet = choices[int(rnd() * len(choices))]
    return headline, slug, outlet


def _draw_scores(rng: random.Random) -> tuple[int, int]:
    return 15 + int(rng.random() * 86), 5 + int(rng.random() * 96)


def _is_tracking(name: str) -> bool:
    return name.startswith(_TRACKING)


class SampleSite:
    """Deterministic Kashaf-format aggregator; see the module docstring for the layout."""

    def __init__(self, articles: int = 300, seed: int = 1, tz: str = "Asia/Riyadh", js_articles: int = 0,
                 layouts: str = "all"):
        if isinstance(articles, bool) or not isinstance(articles, int):
            raise ValueError(f"articles must be an integer, got {articles!r}")
        if not 1 <= articles <= MAX_ARTICLES:
            raise ValueError(f"articles must be between 1 and {MAX_ARTICLES}, got {articles}")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        try:
            self._zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone {tz!r}") from None
        if layouts not in L.MIXES:
            raise ValueError(f"layouts must be one of {', '.join(L.MIXES)}, got {layouts!r}")
        self.layouts = layouts  # "all": every layout of layouts.py; "classic": the seed's order only
        n = articles
        self.n = n
        self.seed = seed
        self.tz = tz
        self._key0 = seed * 1_000_003
        self.private_count = max(1, n // 100)

        site_rng = random.Random(f"kashaf-site:{seed}")
        cum, acc = [], 0
        for w in C.CATEGORY_WEIGHTS:
            acc += w
            cum.append(acc)
        cats = bytearray(site_rng.choices(range(len(_CAT_SLUGS)), cum_weights=cum, k=n + 2))
        offs = array("i", bytes(4 * (n + 2)))
        rnd = site_rng.random
        total = 0
        for i in range(2, n + 1):
            if (i - 1) % 100 == R_DUP:  # i is the original story of duplicate i-1
                gap = DUP_DELAY
            elif i % 100 == R_DUP and i < n:  # keep other stories > 10 min from a pair
                gap = 601 + int(rnd() * 3000)
            else:  # 5 minutes .. 1 hour
                gap = 301 + int(rnd() * 3300)
            total += gap
            offs[i] = total
        for d in range(R_DUP, n, 100):
            cats[d] = cats[d + 1]
        by_cat = [array("I") for _ in _CAT_SLUGS]
        for i in range(1, n + 1):
            by_cat[cats[i]].append(i)
        self._cats = cats
        self._offs = offs
        self._by_cat = by_cat
        self.home_pages = (n + PER_PAGE - 1) // PER_PAGE
        self.section_pages = tuple(max(1, (len(a) + PER_PAGE - 1) // PER_PAGE) for a in by_cat)
        self.page_count = self.home_pages + sum(self.section_pages) + n  # every listing page and article page
        self._chrome = self._build_chrome()
        self.wire = Syndication(seed, n)  # wire stories carried by several outlets (syndication.py)
        from .js_section import JsSection  # the optional /js/ pages (js_section.py)

        self.js = JsSection(self, js_articles) if js_articles else None

    # ------------------------------------------------------------------ article model

    def _is_dup(self, i: int) -> bool:
        return i % 100 == R_DUP and i < self.n

    def _is_orig(self, i: int) -> bool:
        return i % 100 == R_DUP + 1 and 1 < i <= self.n

    def _invalid(self, i: int) -> str | None:
        return INVALID_FIELD.get(i % 100)

    @staticmethod
    def _withdrawn(i: int) -> bool:
        return i % 100 == R_GONE

    def _info(self, aid: int) -> _Info:
        if aid > 0:
            i = aid
            cat = self._cats[i]
            when = BASE_TIME - timedelta(seconds=self._offs[i])
            rng = random.Random(self._key0 + i)
            headline, slug, outlet = _draw_head(rng, cat, i % 2)
            cred, imp = _draw_scores(rng)
            brng = rng
            if self._is_dup(i):
                brng = random.Random(self._key0 + i + 1)
                headline, slug, outlet = _draw_head(brng, cat, (i + 1) % 2)
                ocred, oimp = _draw_scores(brng)
                if cred == ocred:
                    cred = 15 + (cred - 15 + 9) % 86
                if imp == oimp:
                    imp = 5 + (imp - 5 + 11) % 96
            outlet = self.wire.outlet(i, outlet)
            if i % 97 == 0:
                cred, imp = 100, 0
            if i % 100 == R_BAD_CRED:
                cred = 101 + (i * 7) % 60
            return _Info(i, headline, slug, outlet, cat, cred, imp, when, rng, brng)
        k = -aid
        rng = random.Random(f"kashaf-private:{self.seed}:{k}")
        cat = (3 * k) % len(_CAT_SLUGS)
        headline, slug, outlet = _draw_head(rng, cat, None)
        cred, imp = _draw_scores(rng)
        when = BASE_TIME - timedelta(seconds=2400 + 5400 * k)
        return _Info(aid, headline, slug, outlet, cat, cred, imp, when, rng, rng)

    def _body(self, info: _Info) -> list[list[str]]:
        """Paragraphs (lists of sentences).  Always draws, so the layout stream stays aligned."""
        rng = info.brng
        pool = _POOLS[info.cat]
        rnd = rng.random
        npar = 3 + int(rnd() * 6)
        sizes = [1 + int(rnd() * 4) for _ in range(npar)]
        total = sum(sizes)
        k = 0
        while total > len(pool):
            j = k % npar
            if sizes[j] > 1:
                sizes[j] -= 1
                total -= 1
            k += 1
        picks = rng.sample(pool, total)
        paras, pos = [], 0
        for s in sizes:
            paras.append(picks[pos:pos + s])
            pos += s
        if info.aid > 0 and info.aid % 100 == R_EMPTY_BODY:
            return []
        return self.wire.body(info.aid, paras)

    def _path(self, info: _Info) -> str:
        aid = info.aid
        if aid < 0:
            return f"/private/news/{-aid}.html"
        scheme = (aid + aid // 3) % 3
        if scheme == 0:
            return f"/news/{aid}.html"
        if scheme == 1:
            return f"/article?id={aid}"
        w = info.when
        return f"/{w.year:04d}/{w.month:02d}/{aid}-{info.slug}"

    def _plan(self, aid: int):
        """Everything an article page shows (shared by the renderer and the ground truth)."""
        info = self._info(aid)
        paras = self._body(info)
        rng = info.rng
        key = aid if aid > 0 else -aid
        fig = None
        if rng.random() < 0.4:
            fig = (rng.randrange(len(C.CAPTIONS)), rng.randrange(2))
        ad = None
        if key % 3 == 0:
            ad = (rng.randrange(len(C.ADS)), rng.randrange(3))
        teasers = self._pick_teasers(aid, rng)
        n = self.n
        more = []
        for step in range(1, 5):
            j = (aid + step - 1) % n + 1 if aid > 0 else step
            if j != aid and j <= n and j not in more:
                more.append(j)
        return info, paras, fig, ad, teasers, more

    def _pick_teasers(self, aid: int, rng: random.Random) -> list[int]:
        n = self.n
        want = rng.randint(3, 5)
        out: list[int] = []

        def usable(j: int) -> bool:
            return 1 <= j <= n and j != aid and j not in out and self._invalid(j) is None and not self._withdrawn(j)

        def add_pair(d: int) -> None:
            if len(out) + 2 <= want and usable(d) and usable(d + 1):
                out.extend((d + 1, d))  # older story first, its duplicate 3 s later next

        if aid > 0 and aid % 9 == 4:
            d = (aid // 100) * 100 + R_DUP
            if d >= n:
                d -= 100
            if d > 0 and self._is_dup(d):
                add_pair(d)
        tries = 0
        while len(out) < want and tries < 40:
            tries += 1
            j = rng.randint(1, n)
            if not usable(j):
                continue
            if self._is_dup(j):
                add_pair(j)
            elif self._is_orig(j):
                add_pair(j - 1)
            else:
                out.append(j)
        return out

    # ------------------------------------------------------------------ text helpers

    @staticmethod
    def _source_text(info: _Info) -> str:
        return _OUTLET_TEXT[info.outlet]

    @staticmethod
    def _date_text(info: _Info) -> str:
        return info.when.isoformat(" ")

    def _iso(self, when: datetime) -> str:
        return when.replace(tzinfo=self._zone).isoformat()

    def _href(self, path: str, aid: int, ctx: int) -> str:
        """A link to an article, sometimes decorated with tracking params / a fragment."""
        h = (aid * 7 + ctx * 3) % 10
        src = ("home", "section", "sidebar", "more")[ctx - 1]
        if h == 0:
            if ctx == 2 and path.startswith("/article?"):
                return f"/article?utm_source={src}&amp;utm_medium=web&amp;{path[9:]}"
            extra = f"utm_source={src}&amp;utm_medium=web"
        elif h == 1:
            extra = f"fbclid=IwAR{(aid * 2654435761) & 0xFFFFFFFF:08x}Zk"
        elif h == 2:
            return path + "#comments"
        elif h == 3:
            extra = f"gclid=Cj0KCQ{(aid * 40503) & 0xFFFFF:05x}"
        elif h == 4:
            extra = f"utm_source={src}&amp;utm_campaign=daily#top"
        else:
            return path
        return path + ("&amp;" if "?" in path else "?") + extra

    # ------------------------------------------------------------------ page chrome

    def _build_chrome(self) -> dict[str, str]:
        nav = ['<nav class="main-nav"><ul><li><a href="/">الرئيسية</a></li>']
        for slug, name in C.CATEGORIES:
            nav.append(f'<li><a href="/section/{slug}">{name}</a></li>')
        nav.append('<li><a href="javascript:void(0)" class="search-toggle">بحث</a></li></ul></nav>')
        header = (
            '<header class="site-header"><div class="logo"><a href="/" title="كشاف">'
            f'{C.SITE_NAME}</a></div><div class="tagline">{C.SITE_TAGLINE}</div>'
            '<div class="user-links"><a href="javascript:void(0)">تسجيل الدخول</a> '
            '<a href="https://other-aggregator.example/signup">حساب جديد</a></div></header>'
            + "".join(nav)
            + f'<div class="ticker"><span>عاجل</span> {C.BREAKING}</div>'
        )
        tags = " ".join(
            f'<a href="/section/{slug}?utm_source=tags">{word}</a>' for word, slug in C.KEYWORDS
        )
        footer = (
            '<section class="tag-cloud"><p>سحابة الكلمات المفتاحية، مما يبحث عنه الزوار في كشاف: '
            f"{tags}</p></section>"
            '<section class="app-download"><h3>تحميل تطبيق المنصة العربية</h3>'
            '<a href="https://play.example.com/store/apps/details?id=com.kashaf.news">Google Play</a> '
            '<a href="https://apps.example.com/app/kashaf-news/id100200300">App Store</a></section>'
            '<footer class="site-footer"><ul class="footer-links">'
            '<li><a href="https://other-aggregator.example/">مواقع صديقة</a></li>'
            '<li><a href="mailto:contact@kashaf.example">راسلنا</a></li>'
            '<li><a href="tel:+966110000000">اتصل بنا</a></li>'
            '<li><a href="javascript:void(0)">إعدادات الخصوصية</a></li>'
            '<li><a href="#">أعلى الصفحة</a></li></ul>'
            "<p>© 2026 كشاف - جميع الحقوق محفوظة. المحتوى المنشور مسؤولية مصادره.</p>"
            "</footer></body></html>"
        )
        enc = "".join(
            f'<li><a href="https://encyclopedia.kashaf.example/wiki/{slug}">{title}</a></li>'
            for title, slug in C.ENCYCLOPEDIA
        )
        return {
            "header": header,
            "footer": footer,
            "encyclopedia": f'<section class="encyclopedia"><h3>مواضيع من موسوعة كشاف</h3><ul>{enc}</ul></section>',
        }

    @staticmethod
    def _head(title: str, meta_charset: str | None, description: str = "") -> str:
        meta = f'<meta charset="{meta_charset}">' if meta_charset else ""
        desc = html.escape(description) if description else "كشاف: آخر الأخبار العربية والعالمية لحظة بلحظة"
        return (
            f'<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head>{meta}'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title} | كشاف</title>"
            f'<meta name="description" content="{desc}">'
            '<link rel="stylesheet" href="https://cdn.kashaf.example/css/main.css">'
            "<style>body{font-family:Tahoma,Arial,sans-serif}.ad-slot{background:#f4f4f4}</style>"
            "</head><body>"
        )

    # ------------------------------------------------------------------ cards / teasers

    def _labels(self, info: _Info, digits: bool, date: bool = True) -> str:
        """Teaser/card labels, two labels on one line as in the seed's sidebar."""
        cred, imp = f"{info.cred}%", f"{info.imp}%"
        d = self._date_text(info)
        if digits:
            cred, imp, d = cred.translate(_AR_DIGITS), imp.translate(_AR_DIGITS), d.translate(_AR_DIGITS)
        date_line = f"<div>{L_DATE}: {d}</div>" if date else ""
        return (
            f'<div class="labels"><div>{L_SOURCE}: {_OUTLET_TEXT[info.outlet]} {L_CATEGORY}: '
            f"{_CAT_NAMES[info.cat]}</div>{date_line}<div>{L_CRED}: {cred} {L_IMPORTANCE}: {imp}</div></div>"
        )

    def _card(self, i: int, ctx: int) -> str:
        info = self._info(i)
        paras = self._body(info)
        excerpt = f'<p class="card-excerpt">{paras[0][0]}</p>' if paras else ""
        href = self._href(self._path(info), i, ctx)
        return (
            f'<div class="card"><h3 class="card-title"><a href="{href}">{info.headline}</a></h3>'
            f"{excerpt}{self._labels(info, False, i % 100 != R_NO_DATE)}</div>"
        )

    def _teaser(self, j: int, digits: bool) -> str:
        info = self._info(j)
        href = self._href(self._path(info), j, 3)
        return (
            f'<div class="teaser"><h3><a href="{href}">{info.headline}</a></h3>'
            f"{self._labels(info, digits)}</div>"
        )

    # ------------------------------------------------------------------ pages

    def _pagination(self, page: int, last: int, url_of, prev_next: bool) -> str:
        if last <= 1:
            return ""
        out = ['<nav class="pagination">']
        if prev_next and page > 1:
            out.append(f'<a href="{url_of(page - 1)}" rel="prev">السابق</a> ')
        lo, hi = max(1, page - 4), min(last, page + 4)
        nums = sorted({1, last, *range(lo, hi + 1)})
        prev = 0
        for k in nums:
            if k > prev + 1:
                out.append("<span>…</span> ")
            if k == page:
                out.append(f'<span class="current">{k}</span> ')
            else:
                out.append(f'<a href="{url_of(k)}">{k}</a> ')
            prev = k
        if prev_next and page < last:
            out.append(f'<a href="{url_of(page + 1)}" rel="next">التالي</a>')
        out.append("</nav>")
        return "".join(out)

    def _premium_box(self, ks: list[int]) -> str:
        if not ks:
            return ""
        items = "".join(
            f'<li><a href="/private/news/{k}.html">{self._info(-k).headline}</a></li>' for k in ks
        )
        return f'<div class="premium"><h3>محتوى حصري للمشتركين</h3><ul>{items}</ul></div>'

    def _home(self, page: int) -> str:
        ch = self._chrome
        first = (page - 1) * PER_PAGE + 1
        last_i = min(self.n, page * PER_PAGE)
        title = "آخر الأخبار" if page == 1 else f"آخر الأخبار - الصفحة {page}"
        cards = "".join(self._card(i, 1) for i in range(first, last_i + 1))
        pag = self._pagination(page, self.home_pages, lambda k: "/" if k == 1 else f"/?page={k}", True)
        crumb = "" if page == 1 else f'<div class="breadcrumb"><a href="/">الرئيسية</a> &lsaquo; <span>الصفحة {page}</span></div>'
        premium = self._premium_box([page] if page <= self.private_count else [])
        return (
            f"{self._head(title, 'utf-8')}{ch['header']}{crumb}<main class=\"listing\">"
            f'<h1>{title}</h1><div class="cards">{cards}</div>{pag}</main>{premium}{ch["footer"]}'
        )

    def _section(self, cat: int, page: int) -> str:
        ch = self._chrome
        slug, name = C.CATEGORIES[cat]
        ids = self._by_cat[cat][(page - 1) * PER_PAGE: page * PER_PAGE]
        cards = "".join(self._card(i, 2) for i in ids) or '<p class="empty">لا توجد أخبار في هذا القسم حالياً</p>'
        pag = self._pagination(
            page, self.section_pages[cat],
            lambda k: f"/section/{slug}" if k == 1 else f"/section/{slug}?p={k}", False,
        )
        title = f"أخبار {name}" if page == 1 else f"أخبار {name} - صفحة {page}"
        return (
            f"{self._head(title, 'utf-8')}{ch['header']}"
            f'<div class="breadcrumb"><a href="/">الرئيسية</a> &lsaquo; <a href="/section/{slug}">{name}</a></div>'
            f'<main class="listing section-{slug}"><h1>{title}</h1><div class="cards">{cards}</div>{pag}</main>'
            f"{ch['footer']}"
        )

    def _meta_rows(self, info: _Info, digits: bool) -> list[tuple[str, str]]:
        rows = []
        if info.aid < 0 or info.aid % 100 != R_NO_DATE:
            rows.append((L_DATE, self._date_text(info)))
        rows.append((L_SOURCE, _OUTLET_TEXT[info.outlet]))
        rows.append((L_CATEGORY, _CAT_NAMES[info.cat]))
        rows.append((L_CRED, f"{info.cred}%"))
        rows.append((L_IMPORTANCE, f"{info.imp}%"))
        if digits:
            rows = [(k, v.translate(_AR_DIGITS)) if k != L_SOURCE and k != L_CATEGORY else (k, v) for k, v in rows]
        return rows

    def _meta_block(self, info: _Info, digits: bool, style: int) -> str:
        rows = self._meta_rows(info, digits)
        if style == 0:
            inner = "".join(f"<li>{k}: {v}</li>" for k, v in rows)
            return f'<ul class="news-meta">{inner}</ul>'
        if style == 1:
            inner = "".join(f'<tr><td class="k">{k}</td><td class="v">{v}</td></tr>' for k, v in rows)
            return f'<table class="news-meta"><tbody>{inner}</tbody></table>'
        if style == 2:
            inner = "".join(f"{k}: {v}<br>\n" for k, v in rows)
            return f'<div class="news-meta">\n{inner}</div>'
        if style == 3:
            inner = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
            return f'<dl class="news-meta">{inner}</dl>'
        inner = "".join(
            f'<div class="row"><span class="k">{k}&nbsp;:&nbsp;</span><span class="v">{v}</span></div>'
            for k, v in rows
        )
        return f'<div class="news-meta">{inner}</div>'

    def _article(self, aid: int) -> tuple[str, int]:
        """HTML of an article page and its encoding variant (-1 utf-8, 0/1/2 windows-1256)."""
        info, paras, fig, ad, teasers, more = self._plan(aid)
        key = aid if aid > 0 else -aid
        public = aid > 0
        digits = public and aid % 7 == 0
        enc = (aid // 11) % 3 if public and aid % 11 == 0 else -1
        style = (key + key // 5) % 5
        path = self._path(info)
        slug, cat_name = C.CATEGORIES[info.cat]
        headline = info.headline
        ch = self._chrome
        w = info.when

        ad_html = fig_html = ""
        ad_pos = fig_pos = -1
        if ad is not None:
            ad_html = (
                f'<div class="ad-slot"><span>{AD_MARKER}</span>'
                f'<a href="https://ads.example.net/x?slot={key}" rel="sponsored">{C.ADS[ad[0]]}</a></div>'
            )
            ad_pos = ad[1]
        if fig is not None:
            fig_html = (
                f'<figure class="lead-image"><img src="https://img.kashaf.example/{w.year}/{w.month:02d}/{key}.jpg" '
                f'alt="{html.escape(headline)}" width="800" height="450">'
                f"<figcaption>{C.CAPTIONS[fig[0]]}</figcaption></figure>"
            )
            fig_pos = fig[1]
        divbody = key % 5 == 0  # one <div>, paragraphs separated by <br><br>
        if ad_pos > 0 and (divbody or ad_pos >= len(paras)):
            ad_pos = 0  # "between paragraphs" needs a paragraph after it
        if fig_pos > 0 and (divbody or not paras):
            fig_pos = 0
        nbsp = key % 13 == 5

        texts = []
        for k, sents in enumerate(paras):
            sep = "&nbsp; " if nbsp and k == 0 else " "
            texts.append(sep.join(sents))
        layout = L.layout_of(key) if self.layouts == "all" else L.CLASSIC
        if layout != L.CLASSIC:
            return self._laid_out(aid, info, layout, texts, divbody, ad_html, fig_html, digits, style,
                                  teasers, more, enc, paras[0][0] if paras else ""), enc
        parts = []
        if ad_pos == 0:
            parts.append(ad_html)
        if fig_pos == 0:
            parts.append(fig_html)
        if divbody:
            parts.append('<div class="article-body">')
            parts.append("<br><br>\n".join(texts))
            parts.append("</div>")
        else:
            parts.append('<div class="article-body">')
            loose = key % 4 == 3
            for k, t in enumerate(texts):
                parts.append(f"<p>\n\t\t{t}\n\t</p>\n" if loose else f"<p>{t}</p>")
                if k == 0 and fig_pos == 1:
                    parts.append(fig_html)
                if k + 1 == ad_pos:
                    parts.append(ad_html)
            parts.append("</div>")
        body_html = "".join(parts)

        share_u = quote("https://kashaf.example" + path, safe="")
        share = (
            f'<div class="share-buttons">شارك: <a href="https://www.facebook.com/sharer/sharer.php?u={share_u}">فيسبوك</a> '
            f'<a href="https://twitter.com/intent/tweet?url={share_u}">تويتر</a> '
            f'<a href="https://wa.me/?text={share_u}">واتساب</a></div>'
        )
        main = (
            f'<article class="news-article"><h1 class="headline">{headline}</h1>'
            f"{body_html}{share}{self._meta_block(info, digits, style)}</article>"
            '<section id="comments" class="comments"><h3>التعليقات (0)</h3>'
            "<p>كن أول من يعلق على هذا الخبر</p></section>"
        )
        return self._frame(aid, info, main, enc, paras[0][0] if paras else "", teasers, more, digits,
                           ch["header"]), enc

    def _laid_out(self, aid, info, layout, texts, divbody, ad_html, fig_html, digits, style, teasers, more, enc,
                  description):
        """An article page in one of ``layouts.py``'s layouts (same parts, other arrangement)."""
        key = aid if aid > 0 else -aid
        rng = random.Random(f"kashaf-layout:{self.seed}:{key}")
        also = None
        if aid > 0 and self.n > 1:
            j = (aid * 7) % self.n + 1
            if j == aid or self._invalid(j) or self._withdrawn(j):
                j = aid % self.n + 1
            if j != aid and not self._invalid(j) and not self._withdrawn(j):
                also = (self._href(self._path(self._info(j)), j, 4), self._info(j).headline)
        body = L.body_html(texts, divbody, rng, key, also, ad_html) + fig_html
        path = self._path(info)
        main = L.article_main(layout, rng, info.headline, body, self._meta_rows(info, digits),
                              self._meta_block(info, digits, style), quote("https://kashaf.example" + path, safe=""))
        header = self._chrome["header"]
        if layout == L.H2:  # the site's name is the page's only <h1>
            header = header.replace('<div class="logo"><a href="/" title="كشاف">' + C.SITE_NAME + "</a></div>",
                                    f'<h1 class="logo">{C.SITE_NAME}</h1>')
        return self._frame(aid, info, main, enc, description, teasers, more, digits, header)

    def _frame(self, aid, info, main, enc, description, teasers, more, digits, header) -> str:
        """The page around an article: head, header, breadcrumb, sidebar, more news, footer."""
        public = aid > 0
        slug, cat_name = C.CATEGORIES[info.cat]
        headline = info.headline
        ch = self._chrome
        aside = "".join(self._teaser(j, digits) for j in teasers)
        more_html = "".join(
            f'<li><a href="{self._href(self._path(mi), j, 4)}">{mi.headline}</a></li>'
            for j in more
            for mi in (self._info(j),)
        )
        premium = ""
        if public and aid % 13 == 0:
            premium = self._premium_box([(aid // 13) % self.private_count + 1])
        meta_charset = "utf-8" if enc == -1 else ("windows-1256" if enc == 1 else None)
        return (
            f"{self._head(headline, meta_charset, description)}{header}"
            f'<div class="breadcrumb"><a href="/">الرئيسية</a> &lsaquo; <a href="/section/{slug}">{cat_name}</a>'
            f" &lsaquo; <span>{headline}</span></div>"
            f'<main class="content">{main}</main>'
            f'<aside class="sidebar"><h2>{SIDEBAR_TITLE}</h2>{aside}</aside>{premium}'
            f'<section class="more-news"><h3>المزيد من الأخبار</h3><ul>{more_html}</ul></section>'
            f"{ch['encyclopedia']}{ch['footer']}"
        )

    # ------------------------------------------------------------------ HTTP-ish entry point

    @staticmethod
    def _response(status: int, body: bytes, ctype: str) -> tuple[int, list[tuple[str, str]], bytes]:
        return status, [("Content-Type", ctype), ("Content-Length", str(len(body)))], body

    def _not_found(self):
        body = (
            self._head("الصفحة غير موجودة", "utf-8") + self._chrome["header"]
            + '<main class="error"><h1>404 - الصفحة غير موجودة</h1><p>عذراً، الصفحة التي تبحث عنها غير موجودة.</p>'
            '<p><a href="/">العودة إلى الصفحة الرئيسية</a></p></main>' + self._chrome["footer"]
        ).encode("utf-8")
        return self._response(404, body, "text/html; charset=utf-8")

    def _gone(self, i: int) -> str:
        """A withdrawn story: "not found" in words, status 200, the sidebar as on any article page."""
        info, _paras, _fig, _ad, teasers, _more = self._plan(i)
        aside = "".join(self._teaser(j, False) for j in teasers)
        return (
            self._head("الصفحة غير موجودة", "utf-8") + self._chrome["header"]
            + '<main class="error"><h1>عذراً، الصفحة غير موجودة</h1><p>ربما حُذف الخبر أو تغيّر رابطه. '
            'يمكنك العودة إلى الصفحة الرئيسية أو تصفح آخر الأخبار.</p></main>'
            f'<aside class="sidebar"><h2>{SIDEBAR_TITLE}</h2>{aside}</aside>' + self._chrome["footer"]
        )

    def _html(self, page: str):
        return self._response(200, page.encode("utf-8"), "text/html; charset=utf-8")

    def handle(self, path_qs: str, headers: dict | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
        """Serve one GET: ``(status, [(header, value), ...], body)``."""
        try:
            r = self._route(path_qs)
        except (ValueError, OverflowError):
            r = None
        return r if r is not None else self._not_found()

    def _route(self, path_qs: str):
        if path_qs.startswith(("http://", "https://")):  # absolute-form request target
            rest = path_qs.split("://", 1)[1]
            slash = rest.find("/")
            path_qs = rest[slash:] if slash >= 0 else "/"
        path_qs = path_qs.split("#", 1)[0]
        path, _, query = path_qs.partition("?")
        params = {}
        if query:
            for k, v in parse_qsl(query, keep_blank_values=True):
                if not _is_tracking(k):
                    params[k] = v
        if path == "/":
            page = _num(params.get("page", "1"))
            if page is None or page > self.home_pages:
                return None
            return self._html(self._home(page))
        if path.startswith("/news/") and path.endswith(".html"):
            return self._article_response(_num(path[6:-5]), 0)
        if path == "/article":
            return self._article_response(_num(params.get("id", "")), 1)
        if path.startswith("/section/"):
            cat = _CAT_INDEX.get(path[9:])
            page = _num(params.get("p", "1"))
            if cat is None or page is None or page > self.section_pages[cat]:
                return None
            return self._html(self._section(cat, page))
        if path.startswith("/private/news/") and path.endswith(".html"):
            k = _num(path[14:-5])
            if k is None or k > self.private_count:
                return None
            return self._html(self._article(-k)[0])
        if self.js is not None and (path == "/js" or path.startswith("/js/")):
            return self.js.route(path, params)
        if path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
            return self._response(200, body, "text/plain; charset=utf-8")
        parts = path.split("/")
        if len(parts) == 4 and len(parts[1]) == 4 and len(parts[2]) == 2:
            i = _num(parts[3].split("-", 1)[0])
            if i is not None and i <= self.n and (i + i // 3) % 3 == 2:
                if self._path(self._info(i)) == path:
                    return self._article_response(i, 2)
        return None

    def _article_response(self, i: int | None, scheme: int):
        if i is None or i > self.n or (i + i // 3) % 3 != scheme:
            return None
        if self._withdrawn(i):
            return self._html(self._gone(i))
        page, enc = self._article(i)
        if enc == -1:
            return self._html(page)
        body = page.encode("cp1256", "xmlcharrefreplace")
        ctype = "text/html; charset=windows-1256" if enc == 0 else "text/html"
        return self._response(200, body, ctype)

    # ------------------------------------------------------------------ ground truth

    def article_path(self, aid: int) -> str:
        """Canonical path of article ``aid`` (negative: private article ``-aid``)."""
        return self._path(self._info(aid))

    def _teaser_record(self, j: int, base: str) -> dict:
        info = self._info(j)
        name, country = C.OUTLETS[info.outlet]
        return {
            "title": info.headline,
            "url": base + self._path(info),
            "source": name,
            "source_country": country,
            "category": _CAT_NAMES[info.cat],
            "published_at": self._iso(info.when),
            "credibility": info.cred,
            "importance": info.imp,
        }

    def ground_truth(self, base_url: str) -> dict:
        """The expected crawl result for a site served at ``base_url`` (see module docs)."""
        base = base_url.rstrip("/")
        records, invalid, groups = [], [], []
        gone = []
        for i in range(1, self.n + 1):
            if self._withdrawn(i):
                gone.append(base + self.article_path(i))
                continue
            field = self._invalid(i)
            if field is not None:
                invalid.append({"url": base + self.article_path(i), "field": field})
                continue
            info, paras, _fig, _ad, teasers, _more = self._plan(i)
            name, country = C.OUTLETS[info.outlet]
            url = base + self._path(info)
            records.append({
                "url": url,
                "title": info.headline,
                "body": "\n\n".join(" ".join(p) for p in paras),
                "published_at": self._iso(info.when),
                "source": name,
                "source_country": country,
                "category": _CAT_NAMES[info.cat],
                "credibility": info.cred,
                "importance": info.imp,
                "related": [self._teaser_record(j, base) for j in teasers],
            })
            if self._is_dup(i):
                groups.append([base + self.article_path(i + 1), url])
        listing = [base + "/"]
        if self.home_pages > 1:
            listing.append(base + "/?page=2")
        big = max(range(len(_CAT_SLUGS)), key=lambda c: len(self._by_cat[c]))
        listing.append(f"{base}/section/{_CAT_SLUGS[big]}")
        if self.section_pages[big] > 1:
            listing.append(f"{base}/section/{_CAT_SLUGS[big]}?p=2")
        return {
            "records": records,
            "duplicate_groups": groups,
            "syndicated_groups": self.wire.groups(lambda i: base + self.article_path(i)),
            "invalid": invalid,
            "soft_404": gone,
            "disallowed": [f"{base}/private/news/{k}.html" for k in range(1, self.private_count + 1)],
            "listing_urls": listing,
            "articles": self.n,
            "pages": self.page_count,
            "seed": self.seed,
            "tz": self.tz,
        }


def _num(s: str) -> int | None:
    """A positive decimal integer written canonically (no sign, no leading zero)."""
    if not s or not s.isascii() or not s.isdigit() or s[0] == "0" or len(s) > 9:
        return None
    return int(s)
