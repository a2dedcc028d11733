"""The sample aggregator's JavaScript section: pages that are empty without a browser.

Optional (``SampleSite(..., js_articles=K)``, default 0 = no section), so the
rest of the site and its ground truth do not change. With ``K`` articles:

* ``/js/`` and ``/js/?page=N``: a listing shell (a heading, an empty card
  list, a "load more" link) whose cards a script fetches from the JSON
  endpoint ``/js/api/list?page=N`` (``JS_PER_PAGE`` cards a page). The "load
  more" button is a real link to ``/js/?page=N+1`` that the script intercepts:
  a click appends the next page's cards in place, and a crawler that renders
  page N finds page N+1 through the link's ``href`` (kept up to date by the
  script). Without JavaScript the listing has no cards at all.
* ``/js/article/<n>`` (``n = 1..K``): an article shell (site chrome, an empty
  ``<article>``, a ``<noscript>`` notice) whose headline, paragraphs,
  labelled metadata and sidebar teasers a script inserts from
  ``/js/api/article/<n>``. Without JavaScript the page has no headline and
  no body.
* ``/js/broken/1``: an article shell whose endpoint does not exist, so it stays
  empty even in a browser (linked from nowhere; for tests of the rejects).
* ``/js/app.js``: the one script.

JavaScript articles have their own seeded stream (``kashaf-js:<seed>:<n>``),
are published after every plain article and at least 11 minutes apart (so
the de-duplication never merges them with anything), and each shows three
plain articles as sidebar teasers. :meth:`JsSection.ground_truth` gives the
expected records in the format of ``SampleSite.ground_truth()["records"]``.
"""

from __future__ import annotations

import json
import random
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
  var article = document.getElementById("article");
  if (article) {
    getJSON(article.getAttribute("data-api")).then(function (a) {
      // everything is built first and inserted at once
      var head = el("h1", {"class": "headline"}, a.title);
      var body = el("div", {"class": "article-body"});
      a.paragraphs.forEach(function (p) { body.appendChild(el("p", {}, p)); });
      var meta = el("ul", {"class": "news-meta"});
      a.meta.forEach(function (kv) { meta.appendChild(el("li", {}, kv[0] + ": " + kv[1])); });
      var side = document.getElementById("related");
      side.appendChild(el("h2", {}, a.sidebar_title));
      a.related.forEach(function (t) {
        var box = el("div", {"class": "teaser"});
        var h = el("h3");
        h.appendChild(el("a", {"href": t.url}, t.title));
        box.appendChild(h);
        box.appendChild(labels(t.labels));
        side.appendChild(box);
      });
      var fig = el("figure", {"class": "lead-image"});
      fig.appendChild(el("img", {"src": a.image, "alt": "", "width": "800", "height": "450"}));
      article.appendChild(head);
      article.appendChild(fig);
      article.appendChild(body);
      article.appendChild(meta);
      document.title = a.title + " | " + a.site;
    }).catch(function (e) { console.error(e); });
  }
  var cards = document.getElementById("cards");
  if (cards) {
    var more = document.getElementById("load-more");
    var load = function (page) {
      return getJSON("/js/api/list?page=" + page).then(function (d) {
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
    load(Number(cards.getAttribute("data-page")));
    if (more) {
      more.addEventListener("click", function (e) {
        e.preventDefault();
        load(Number(more.getAttribute("data-page")));
      });
    }
  }
})();
"""


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
            f'<div class="cards" id="cards" data-page="{page}"></div>{more}</main>'
        )
        return self._shell("أخبار تفاعلية", main)

    def _article_shell(self, api: str) -> str:
        main = (
            f'<main class="content"><article class="news-article" id="article" data-api="{api}"></article></main>'
            '<aside class="sidebar" id="related"></aside>'
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

    def _article_json(self, n: int) -> dict:
        info, paras, teasers = self._article(n)
        related = []
        for j in teasers:
            t = self.site._info(j)
            related.append({"title": t.headline, "url": self.site._path(t), "labels": self._label_lines(t)})
        return {
            "title": info.headline,
            "paragraphs": paras,
            "meta": self._meta_rows(info),
            "related": related,
            "sidebar_title": S.SIDEBAR_TITLE,
            "image": f"/js/img/{n}.jpg",  # never served: a browser that blocks images never asks
            "site": C.SITE_NAME,
        }

    # ------------------------------------------------------------------ routing
    def route(self, path: str, params: dict):
        """The response for a ``/js`` path, or None (404)."""
        site = self.site
        if path in ("/js", "/js/"):
            page = S._num(params.get("page", "1"))
            if page is None or page > self.pages:
                return None
            return site._html(self._listing_shell(page))
        if path == "/js/app.js":
            return site._response(200, APP_JS.encode("utf-8"), "application/javascript; charset=utf-8")
        if path == "/js/broken/1":
            return site._html(self._article_shell("/js/api/article/0"))
        if path.startswith("/js/article/"):
            n = S._num(path[len("/js/article/"):])
            if n is None or n > self.count:
                return None
            return site._html(self._article_shell(f"/js/api/article/{n}"))
        if path == "/js/api/list":
            page = S._num(params.get("page", "1"))
            if page is None or page > self.pages:
                return None
            return self._json(self._list_json(page))
        if path.startswith("/js/api/article/"):
            n = S._num(path[len("/js/api/article/"):])
            if n is None or n > self.count:
                return None
            return self._json(self._article_json(n))
        return None

    def _json(self, data: dict):
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return self.site._response(200, body, "application/json; charset=utf-8")

    # ------------------------------------------------------------------ ground truth
    def ground_truth(self, base_url: str) -> dict:
        """Expected records of the JS section (same fields as the site's records),
        its article and listing URLs, and the URL that stays empty in a browser."""
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
            "listing_urls": [base + self.listing_path(p) for p in range(1, self.pages + 1)] if self.count else [],
            "broken_url": base + "/js/broken/1",
        }
