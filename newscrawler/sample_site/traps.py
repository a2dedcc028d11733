"""Trap mode of the sample site: the pages that keep a crawler fetching forever.

``python -m newscrawler.sample_site --traps all`` (or a comma-separated subset of
``pagination``, ``calendar``, ``sessions``) serves the same site, the same articles
and the same ground truth, with the traps real news sites have:

* ``pagination``: every listing chain is endless. ``/?page=N`` and
  ``/section/<slug>?p=N`` exist for every N: past the last real page they are
  empty, and every page links the numbers around it and ``التالي`` to N+1;
* ``calendar``: every page links the archive of the newest day
  (``/archive/YYYY-MM-DD``, footer ``أرشيف الأخبار``); a day lists the cards of
  the articles published that day and links the day before and the day after,
  for every date from 1900 to 9999 (``« اليوم السابق``, ``اليوم التالي »``);
* ``sessions``: every link of every page carries a session id that is new on
  each page view: ``?sid=``, ``?PHPSESSID=`` or a ``;jsessionid=`` path
  parameter. A request's session ids are ignored.

:class:`TrapSite` wraps a :class:`~newscrawler.sample_site.site.SampleSite` and
has its ``handle(path_qs, headers)``, so the server (and the fault mode on top of
it) serves it unchanged. :meth:`TrapSite.needed_pages` is what a crawl must
fetch: robots.txt, every real listing page and every article page.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import date, timedelta
from urllib.parse import parse_qsl

from . import corpus as C
from .site import _num as _number  # a page number written canonically, as the site reads it

__all__ = ["TrapSite", "TRAPS", "parse_traps"]

TRAPS = ("pagination", "calendar", "sessions")
SESSION_NAMES = ("sid", "PHPSESSID", "jsessionid")
_SESSION_LOWER = {n.lower() for n in SESSION_NAMES}
_NAV = re.compile(r'<nav class="pagination">.*?</nav>', re.S)
_HREF = re.compile(r'href="(/[^"]*)"')
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/;?#]*", re.I)
_DAY = re.compile(r"^/archive/(\d{4})-(\d{2})-(\d{2})$")
_CAT_INDEX = {slug: k for k, (slug, _) in enumerate(C.CATEGORIES)}


def parse_traps(spec: str | None) -> tuple[str, ...]:
    """``"all"`` or ``"pagination,calendar"`` -> the trap names; ValueError (one line) when unknown."""
    spec = (spec or "").strip()
    if spec == "all":
        return TRAPS
    names = tuple(dict.fromkeys(p.strip() for p in spec.split(",") if p.strip()))
    for n in names:
        if n not in TRAPS:
            raise ValueError(f"unknown trap {n!r}; known: {', '.join(TRAPS)} (or all)")
    if not names:
        raise ValueError(f"--traps needs trap names: {', '.join(TRAPS)} or all")
    return names


def strip_sessions(path_qs: str) -> str:
    """The request target without its session ids (the server ignores them)."""
    path, sep, query = path_qs.partition("?")
    path = _PATH_SESSION.sub("", path)
    if sep:
        kept = [p for p in query.split("&") if p and p.split("=", 1)[0].lower() not in _SESSION_LOWER]
        return path + ("?" + "&".join(kept) if kept else "")
    return path


class TrapSite:
    """A sample site with the traps of ``traps`` (see the module docstring)."""

    def __init__(self, site, traps=TRAPS):
        self.site = site
        self.traps = frozenset(traps)
        self.n = site.n
        self._lock = threading.Lock()
        self._views = 0
        self._days: dict[date, list[int]] | None = None
        self.newest_day = site._info(1).when.date()

    # ------------------------------------------------------------ ground truth
    def ground_truth(self, base_url: str) -> dict:
        truth = self.site.ground_truth(base_url)
        truth["traps"] = sorted(self.traps)
        return truth

    def needed_pages(self) -> int:
        """What a crawl must fetch: robots.txt, every real listing page, every article page."""
        return 1 + self.site.page_count

    # ------------------------------------------------------------ serving
    def handle(self, path_qs: str, headers: dict | None = None):
        if "sessions" in self.traps:
            path_qs = strip_sessions(path_qs)
        path, _, query = path_qs.partition("?")
        params = dict(parse_qsl(query, keep_blank_values=True))
        page = None
        if "pagination" in self.traps:
            page = self._listing(path, params)
        if page is None and "calendar" in self.traps:
            page = self._day(path)
        if page is not None:
            status, head, body = self.site._html(page)
        else:
            status, head, body = self.site.handle(path_qs, headers)
        if "html" not in dict(head).get("Content-Type", ""):
            return status, head, body
        try:
            codec, text = "utf-8", body.decode("utf-8")
        except UnicodeDecodeError:  # some article pages are windows-1256
            codec, text = "cp1256", body.decode("cp1256")
        text = self._decorate(text)
        body = text.encode(codec, "xmlcharrefreplace")
        return status, [(k, str(len(body)) if k == "Content-Length" else v) for k, v in head], body

    def _decorate(self, text: str) -> str:
        if "calendar" in self.traps:
            link = (f'<section class="archive"><a href="/archive/{self.newest_day.isoformat()}">'
                    "أرشيف الأخبار</a></section>")
            text = text.replace('<footer class="site-footer">', link + '<footer class="site-footer">', 1)
        if "sessions" in self.traps:
            with self._lock:
                self._views += 1
                view = self._views
            token = hashlib.blake2b(f"{self.site.seed}:{view}".encode(), digest_size=8).hexdigest().upper()
            text = _HREF.sub(lambda m: f'href="{_with_session(m.group(1), "S" + token)}"', text)
        return text

    # ------------------------------------------------------------ endless pagination
    def _listing(self, path: str, params: dict) -> str | None:
        site = self.site
        if path == "/":
            n = _number(params.get("page", "1"))
            if n is None:
                return None
            return _endless(site._home(n), n, lambda k: "/" if k == 1 else f"/?page={k}")
        if path.startswith("/section/"):
            slug = path[9:]
            cat, n = _CAT_INDEX.get(slug), _number(params.get("p", "1"))
            if cat is None or n is None:
                return None
            return _endless(site._section(cat, n), n, lambda k: f"/section/{slug}" if k == 1 else f"/section/{slug}?p={k}")
        return None

    # ------------------------------------------------------------ endless calendar
    def _day(self, path: str) -> str | None:
        m = _DAY.match(path)
        if not m:
            return None
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        if not 1900 <= day.year <= 9999 or day.isoformat() != path[9:]:
            return None
        site = self.site
        ids = self._articles_by_day().get(day, [])
        cards = "".join(site._card(i, 2) for i in ids) or '<p class="empty">لا توجد أخبار في هذا اليوم</p>'
        links = []
        if day > date(1900, 1, 1):
            links.append(f'<a href="/archive/{(day - timedelta(days=1)).isoformat()}">« اليوم السابق</a>')
        if day < date(9999, 12, 31):
            links.append(f'<a href="/archive/{(day + timedelta(days=1)).isoformat()}">اليوم التالي »</a>')
        title = f"أرشيف الأخبار {day.isoformat()}"
        return (f"{site._head(title, 'utf-8')}{site._chrome['header']}<main class=\"archive\"><h1>{title}</h1>"
                f'<div class="cards">{cards}</div><p class="day-nav">{" | ".join(links)}</p></main>'
                f"{site._chrome['footer']}")

    def _articles_by_day(self) -> dict:
        if self._days is None:
            days: dict[date, list[int]] = {}
            for i in range(1, self.n + 1):
                days.setdefault(self.site._info(i).when.date(), []).append(i)
            self._days = days
        return self._days


def _endless(page: str, n: int, url_of) -> str:
    """``page`` with pagination that never ends: the numbers around ``n`` and ``التالي`` to n+1."""
    out = ['<nav class="pagination">']
    if n > 1:
        out.append(f'<a href="{url_of(n - 1)}" rel="prev">السابق</a> ')
    for k in range(max(1, n - 2), n + 3):
        out.append(f'<span class="current">{k}</span> ' if k == n else f'<a href="{url_of(k)}">{k}</a> ')
    out.append(f'<a href="{url_of(n + 1)}" rel="next">التالي</a></nav>')
    nav = "".join(out)
    if _NAV.search(page):
        return _NAV.sub(lambda _m: nav, page, count=1)
    return page.replace("</main>", nav + "</main>", 1)


def _with_session(href: str, token: str) -> str:
    """``href`` (HTML-escaped, site-relative) with a session id, in one of three forms."""
    form = int(hashlib.blake2b(href.encode(), digest_size=2).hexdigest(), 16) % 3
    frag = ""
    if "#" in href:
        href, frag = href.split("#", 1)
        frag = "#" + frag
    if form == 0:
        path, sep, query = href.partition("?")
        return f"{path};jsessionid={token}{sep}{query}{frag}"
    name = "sid" if form == 1 else "PHPSESSID"
    return f"{href}{'&amp;' if '?' in href else '?'}{name}={token}{frag}"
