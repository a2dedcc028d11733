"""The sample aggregator's JavaScript section: pages that are empty without a browser.

Optional (``SampleSite(..., js_articles=K)``, default 0 = no section), so the
rest of the site and its ground truth do not change. With ``K`` articles:

* ``/js/`` and ``/js/?page=N``: a listing shell (a heading, an empty card
  list, a "load more" link) whose cards a script fetches from the JSON
  endpoint ``/js/api/list?page=N`` (``JS_PER_PAGE`` cards a page; the endpoint
  answers after 0-2 s, see :meth:`JsSection.listing_delay_ms`). The "load more" button is a real link to
  ``/js/?page=N+1`` that the script intercepts: a click appends the next
  page's cards in place, and a crawler that renders page N finds page N+1
  through the link's ``href`` (kept up to date by the script). Without
  JavaScript the listing has no cards at all.
* ``/js/article/<n>`` (``n = 1..K``): an article shell (site chrome, an empty
  ``<article>``, a ``<noscript>`` notice) whose headline, paragraphs and
  labelled metadata a script inserts, in one of the ways of
  :meth:`JsSection.variant`: from a JSON endpoint that answers slowly
  (``fetch`` or ``XMLHttpRequest``), or from JSON inside the page applied
  after a delay (0 to 2 s); the sidebar teasers, with their labels, are
  either in the server's HTML from the start (so the page shows labels long
  before its article exists), or come with the article, or from a second
  slow endpoint once the article is in place. Without JavaScript the page
  has no headline and no body.
* ``/js/broken/1`` and ``/js/broken/2``: article shells whose endpoint does not
  exist, so they stay empty even in a browser (the second with its sidebar
  in the server's HTML; linked from nowhere; for tests of the rejects).
* ``/js/app.js``: the one script. When everything is in place it sets
  ``window.__kashafSampleDone`` (``performance.now()``; ``bench-js`` reads it).

JavaScript articles have their own seeded stream (``kashaf-js:<seed>:<n>``),
are published after every plain article and at least 11 minutes apart (so
the de-duplication never merges them with anything), and each shows three
plain articles as sidebar teasers. :meth:`JsSection.ground_truth` gives the
expected records in the format of ``SampleSite.ground_truth()["records"]``,
and how each page is built.
"""

from __future__ import annotations

import html
import json
import random
import time
from datetime import timedelta

from . import corpus as C
from . import site as S

JS_PER_PAGE = 10
MAX_JS_ARTICLES = 100_000
JS_GAP = 700  # seconds between two JS articles (more than the 10-minute duplicate window)

APP_JS = r"""(function () {
  "use strict";
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function labels(lines) {
    var d = el("div", {"class": "labels"});
    lines.forEach(function (l) { d.appendChild(el("div", {}, l)); });
    return d;
  }
  function getJSON(url) {
    return fetch(url, {headers: {"Accept": "application/json"}}).then(function (r) {
      if (!r.ok) throw new Error(url + ": HTTP " + r.status);
      return r.json();
    });
  }
  function getXHR(url) {  // the same, the old way
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open("GET", url);
      x.setRequestHeader("Accept", "application/json");
      x.onload = function () {
        if (x.status !== 200) { reject(new Error(url + ": HTTP " + x.status)); return; }
        try { resolve(JSON.parse(x.responseText)); } catch (e) { reject(e); }
      };
      x.onerror = function () { reject(new Error(url + ": network error")); };
      x.send();
    });
  }
  function later(ms, value) {
    return new Promise(function (resolve) { setTimeout(function () { resolve(value); }, ms); });
  }
  function done() { window.__kashafSampleDone = performance.now(); }  // read by bench-js only
  function sidebar(side, title, related) {
    side.appendChild(el("h2", {}, title));
    related.forEach(function (t) {
      var box = el("div", {"class": "teaser"});
      var h = el("h3");
      h.appendChild(el("a", {"href": t.url}, t.title));
      box.appendChild(h);
      box.appendChild(labels(t.labels));
      side.appendChild(box);
    });
  }
  var article = document.getElementById("article");
  if (article) {
    // data-main: "fetch" or "xhr" (from data-api, answered after a delay), "inline" (the JSON in
    // the page, applied after data-delay ms); data-sidebar: "html" (already in the page), "same"
    // (with the article), "later" (from data-related-api once the article is in place)
    var how = article.getAttribute("data-main");
    var got;
    if (how === "inline") {
      var data = JSON.parse(document.getElementById("article-data").textContent);
      got = later(Number(article.getAttribute("data-delay") || 0), data);
    } else {
      got = (how === "xhr" ? getXHR : getJSON)(article.getAttribute("data-api"));
    }
    got.then(function (a) {
      // everything is built first and inserted at once
      var head = el("h1", {"class": "headline"}, a.title);
      var body = el("div", {"class": "article-body"});
      a.paragraphs.forEach(function (p) { body.appendChild(el("p", {}, p)); });
      var meta = el("ul", {"class": "news-meta"});
      a.meta.forEach(function (kv) { meta.appendChild(el("li", {}, kv[0] + ": " + kv[1])); });
      var fig = el("figure", {"class": "lead-image"});
      fig.appendChild(el("img", {"src": a.image, "alt": "", "width": "800", "height": "450"}));
      article.appendChild(head);
      article.appendChild(fig);
      article.appendChild(body);
      article.appendChild(meta);
      document.title = a.title + " | " + a.site;
      var side = document.getElementById("related");
      if (a.related) {
        sidebar(side, a.sidebar_title, a.related);
      } else if (article.getAttribute("data-sidebar") === "later") {
        return getJSON(article.getAttribute("data-related-api")).then(function (r) {
          sidebar(side, r.sidebar_title, r.related);
        });
      }
    }).then(done).catch(function (e) { console.error(e); });
  }
  var cards = document.getElementById("cards");
  if (cards) {
    var more = document.getElementById("load-more");
    var load = function (page) {
      return getJSON("/js/api/list?page=" + page + "&delay=" + cards.getAttribute("data-delay")).then(function (d) {
        d.items.forEach(function (it) {
          var card = el("div", {"class": "card"});
          var h = el("h3", {"class": "card-title"});
          h.appendChild(el("a", {"href": it.url}, it.title));
          card.appendChild(h);
          card.appendChild(el("p", {"class": "card-excerpt"}, it.excerpt));
          card.appendChild(labels(it.labels));
          cards.appendChild(card);
        });
        if (more && d.next) {
          more.setAttribute("href", "/js/?page=" + d.next);
          more.setAttribute("data-page", String(d.next));
        } else if (more) {
          more.remove();
          more = null;
        }
      });
    };
    load(Number(cards.getAttribute("data-page"))).then(done);
    if (more) {
      more.addEventListener("click", function (e) {
        e.preventDefault();
        load(Number(more.getAttribute("data-page")));
      });
    }
  }
})();
"""

# How a JavaScript article's content arrives, cycled over the articles so that
# every combination occurs among any nine consecutive ones (see JsSection.variant).
MAIN_WAYS = ("fetch", "xhr", "inline")  # a slow JSON endpoint (fetch or XHR), or a script after a delay
SIDEBAR_WAYS = ("html", "same", "later")  # in the server's HTML, with the article, from a second request
MAX_DELAY_MS = 2000
BROKEN = {  # never render: their endpoint does not exist
    "/js/broken/1": "same",  # nothing at all in the server's HTML
    "/js/broken/2": "html",  # the sidebar with its labels in the server's HTML, the article never
}


class JsSection:
    """The ``/js/`` pages of a :class:`~newscrawler.sample_site.site.SampleSite`."""

    def __init__(self, site, count: int):
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_JS_ARTICLES:
            raise ValueError(f"js_articles must be between 0 and {MAX_JS_ARTICLES}, got {count!r}")
        self.site = site
        self.count = count
        self.pages = max(1, (count + JS_PER_PAGE - 1) // JS_PER_PAGE)

    # ------------------------------------------------------------------ model
    def _info(self, n: int):
        rng = random.Random(f"kashaf-js:{self.site.seed}:{n}")
        cat = rng.randrange(len(C.CATEGORIES))
        headline, slug, outlet = S._draw_head(rng, cat, None)
        cred, imp = S._draw_scores(rng)
        when = S.BASE_TIME + timedelta(seconds=JS_GAP * n + 13)
        # a negative id: _body() never empties it, and it is no plain article
        return S._Info(-(10_000_000 + n), headline, slug, outlet, cat, cred, imp, when, rng, rng)

    def _article(self, n: int) -> tuple:
        info = self._info(n)
        sentences = self.site._body(info)
        info.slug = sentences[0][0] if sentences else ""  # the card excerpt (slugs are not used here)
        paras = [" ".join(p) for p in sentences]
        teasers, tries = [], 0
        site = self.site
        while len(teasers) < min(3, site.n) and tries < 200:
            tries += 1
            j = info.rng.randint(1, site.n)
            if j in teasers or site._invalid(j) is not None or site._is_dup(j) or site._is_orig(j):
                continue
            teasers.append(j)
        return info, paras, teasers

    @staticmethod
    def article_path(n: int) -> str:
        return f"/js/article/{n}"

    @staticmethod
    def listing_path(page: int) -> str:
        return "/js/" if page == 1 else f"/js/?page={page}"

    def _meta_rows(self, info) -> list[list[str]]:
        return [
            [S.L_DATE, self.site._date_text(info)],
            [S.L_SOURCE, S._OUTLET_TEXT[info.outlet]],
            [S.L_CATEGORY, S._CAT_NAMES[info.cat]],
            [S.L_CRED, f"{info.cred}%"],
            [S.L_IMPORTANCE, f"{info.imp}%"],
        ]

    def _label_lines(self, info) -> list[str]:
        # the same three lines as the plain site's cards and teasers
        return [
            f"{S.L_SOURCE}: {S._OUTLET_TEXT[info.outlet]} {S.L_CATEGORY}: {S._CAT_NAMES[info.cat]}",
            f"{S.L_DATE}: {self.site._date_text(info)}",
            f"{S.L_CRED}: {info.cred}% {S.L_IMPORTANCE}: {info.imp}%",
        ]

    @staticmethod
    def variant(n: int) -> dict:
        """How article ``n``'s page is built (deterministic): ``main`` (``fetch``/``xhr``: a JSON
        endpoint that answers after ``delay_ms``; ``inline``: the JSON is in the page and a script
        applies it after ``delay_ms``), ``sidebar`` (``html``: in the server's HTML before the
        article exists; ``same``: with the article; ``later``: from a second endpoint that answers
        after ``related_delay_ms``, requested once the article is in place). Delays run from 0 to
        2 s in steps of 200 ms (100 ms for the second request)."""
        sidebar = SIDEBAR_WAYS[(n // 3) % 3]
        return {
            "main": MAIN_WAYS[n % 3],
            "sidebar": sidebar,
            "delay_ms": (n * 7 + 3) % 11 * MAX_DELAY_MS // 10,
            "related_delay_ms": (n * 3) % 7 * 100 if sidebar == "later" else None,
        }

    @staticmethod
    def listing_delay_ms(page: int) -> int:
        """How long ``/js/api/list?page=N`` takes: 0 for the first page, then 0.5 to 2 s."""
        return (page * 3 + 2) % 5 * MAX_DELAY_MS // 4

    # ------------------------------------------------------------------ pages
    def _shell(self, title: str, main: str) -> str:
        ch = self.site._chrome
        footer = ch["footer"]
        script = '<script src="/js/app.js" defer></script>'
        return (
            f"{self.site._head(title, 'utf-8')}{ch['header']}{main}"
            "<noscript>يتطلب عرض هذه الصفحة تفعيل جافاسكربت في المتصفح</noscript>"
            f"{footer.replace('</body>', script + '</body>')}"
        )

    def _listing_shell(self, page: int) -> str:
        more = ""
        if page < self.pages:
            more = (f'<a id="load-more" class="load-more" rel="next" data-page="{page + 1}" '
                    f'href="{self.listing_path(page + 1)}">تحميل المزيد</a>')
        main = (
            '<main class="listing js-listing"><h1>أخبار تفاعلية</h1>'
            f'<div class="cards" id="cards" data-page="{page}" data-delay="{self.listing_delay_ms(page)}"></div>'
            f'{more}</main>'
        )
        return self._shell("أخبار تفاعلية", main)

    @staticmethod
    def _sidebar_html(title: str, related: list[dict]) -> str:
        out = [f"<h2>{html.escape(title)}</h2>"]
        for t in related:
            lines = "".join(f"<div>{html.escape(line)}</div>" for line in t["labels"])
            out.append(f'<div class="teaser"><h3><a href="{html.escape(t["url"])}">{html.escape(t["title"])}</a></h3>'
                       f'<div class="labels">{lines}</div></div>')
        return "".join(out)

    def _article_shell(self, n: int, way: dict, data: dict | None) -> str:
        """The page of article ``n`` (``data``: its JSON, None for a page that never renders)."""
        attrs = [f'data-main="{way["main"]}"', f'data-sidebar="{way["sidebar"]}"',
                 f'data-delay="{way["delay_ms"]}"',
                 f'data-api="/js/api/article/{n}?delay={way["delay_ms"]}&amp;sidebar={way["sidebar"]}"']
        if way["sidebar"] == "later":
            attrs.append(f'data-related-api="/js/api/related/{n}?delay={way["related_delay_ms"]}"')
        side = inline = ""
        if way["sidebar"] == "html":  # a broken page (n = 0) shows the first article's teasers
            side = self._sidebar_html(S.SIDEBAR_TITLE, self._related(n or 1))
        if way["main"] == "inline" and data is not None:
            text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
            inline = f'<script type="application/json" id="article-data">{text}</script>'
        main = (
            f'<main class="content"><article class="news-article" id="article" {" ".join(attrs)}></article>'
            f'{inline}</main><aside class="sidebar" id="related">{side}</aside>'
        )
        return self._shell(C.SITE_NAME, main)

    def _list_json(self, page: int) -> dict:
        first = (page - 1) * JS_PER_PAGE + 1
        items = []
        for n in range(first, min(self.count, page * JS_PER_PAGE) + 1):
            info, paras, _ = self._article(n)
            items.append({
                "title": info.headline,
                "url": self.article_path(n),
                "excerpt": info.slug,
                "labels": self._label_lines(info),
            })
        return {"page": page, "pages": self.pages, "items": items,
                "next": page + 1 if page < self.pages else None}

    def _related_of(self, teasers: list[int]) -> list[dict]:
        out = []
        for j in teasers:
            t = self.site._info(j)
            out.append({"title": t.headline, "url": self.site._path(t), "labels": self._label_lines(t)})
        return out

    def _related(self, n: int) -> list[dict]:
        return self._related_of(self._article(n)[2])

    def _article_json(self, n: int, sidebar: str = "same") -> dict:
        """Article ``n`` as its endpoint sends it; the teasers only when ``sidebar`` is ``same``."""
        info, paras, teasers = self._article(n)
        data = {
            "title": info.headline,
            "paragraphs": paras,
            "meta": self._meta_rows(info),
            "image": f"/js/img/{n}.jpg",  # never served: a browser that blocks images never asks
            "site": C.SITE_NAME,
        }
        if sidebar == "same":
            data.update(related=self._related_of(teasers), sidebar_title=S.SIDEBAR_TITLE)
        return data

    # ------------------------------------------------------------------ routing
    def route(self, path: str, params: dict):
        """The response for a ``/js`` path, or None (404). An endpoint's ``delay`` (ms, at most
        5000) is waited before it answers: a slow API (the server's threads are not shared)."""
        site = self.site
        if path in ("/js", "/js/"):
            page = S._num(params.get("page", "1"))
            if page is None or page > self.pages:
                return None
            return site._html(self._listing_shell(page))
        if path == "/js/app.js":
            return site._response(200, APP_JS.encode("utf-8"), "application/javascript; charset=utf-8")
        if path in BROKEN:
            way = {"main": "fetch", "sidebar": BROKEN[path], "delay_ms": 0, "related_delay_ms": None}
            return site._html(self._article_shell(0, way, None))
        if path.startswith("/js/article/"):
            n = S._num(path[len("/js/article/"):])
            if n is None or n > self.count:
                return None
            way = self.variant(n)
            data = self._article_json(n, way["sidebar"]) if way["main"] == "inline" else None  # only inline pages carry it
            return site._html(self._article_shell(n, way, data))
        api = None
        if path == "/js/api/list":
            page = S._num(params.get("page", "1"))
            if page is not None and page <= self.pages:
                api = self._list_json(page)
        elif path.startswith(("/js/api/article/", "/js/api/related/")):
            n = S._num(path.rpartition("/")[2])
            if n is not None and n <= self.count:
                if path.startswith("/js/api/related/"):
                    api = {"related": self._related(n), "sidebar_title": S.SIDEBAR_TITLE}
                else:
                    api = self._article_json(n, params.get("sidebar", "same"))
        if api is None:
            return None
        delay = params.get("delay", "0")
        if delay.isascii() and delay.isdigit():
            time.sleep(min(int(delay), 5000) / 1000)
        return self._json(api)

    def _json(self, data: dict):
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return self.site._response(200, body, "application/json; charset=utf-8")

    # ------------------------------------------------------------------ ground truth
    def ground_truth(self, base_url: str) -> dict:
        """Expected records of the JS section (same fields as the site's records), its
        article and listing URLs, how each article page is built (``variants``: url ->
        :meth:`variant`), and the URLs that stay empty in a browser (``broken_urls``)."""
        base = base_url.rstrip("/")
        records = []
        for n in range(1, self.count + 1):
            info, paras, teasers = self._article(n)
            name, country = C.OUTLETS[info.outlet]
            records.append({
                "url": base + self.article_path(n),
                "title": info.headline,
                "body": "\n\n".join(paras),
                "published_at": self.site._iso(info.when),
                "source": name,
                "source_country": country,
                "category": S._CAT_NAMES[info.cat],
                "credibility": info.cred,
                "importance": info.imp,
                "related": [self.site._teaser_record(j, base) for j in teasers],
            })
        return {
            "records": records,
            "article_urls": [r["url"] for r in records],
            "variants": {base + self.article_path(n): self.variant(n) for n in range(1, self.count + 1)},
            "listing_urls": [base + self.listing_path(p) for p in range(1, self.pages + 1)] if self.count else [],
            "broken_urls": [base + path for path in BROKEN],
        }
