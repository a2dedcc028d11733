"""Tests of the deterministic sample aggregator site (newscrawler.sample_site)."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import tracemalloc
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest

from newscrawler.sample_site import RunningSite, SampleSite, serve
from newscrawler.sample_site import corpus

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:8123/"
LABELS = ("تاريخ الخبر", "المصدر", "التصنيف", "مستوى الصحة", "الأهمية")
AR_TO_WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩٪", "0123456789%")


@pytest.fixture(scope="module")
def site() -> SampleSite:
    return SampleSite(articles=300, seed=1)


@pytest.fixture(scope="module")
def truth(site) -> dict:
    return site.ground_truth(BASE)


def get(site: SampleSite, url_or_path: str):
    parts = urlsplit(url_or_path)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return site.handle(path or "/", {})


def text_of(status_headers_body) -> str:
    _, headers, body = status_headers_body
    ctype = dict(headers)["Content-Type"]
    if "utf-8" in ctype or body[:400].find(b'charset="utf-8"') >= 0:
        return body.decode("utf-8")
    return body.decode("cp1256")


def canonical(url: str) -> str:
    p = urlsplit(url)
    q = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
         if not (k.startswith("utm_") or k in ("fbclid", "gclid"))]
    return urlunsplit((p.scheme, p.netloc, p.path, urlencode(q), ""))


def collapse(s: str) -> str:
    return " ".join(s.split())


# --------------------------------------------------------------------------- a tiny page reader
# Independent of the generator: reads an article page back through its (known) class names.

class ArticleReader(HTMLParser):
    BLOCK_END = {"p", "li", "tr", "dd", "div", "h1", "h2", "h3", "figure", "aside", "section"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.h1 = ""
        self.body_chunks: list[str] = []
        self.meta_text = ""
        self.teasers: list[dict] = []
        self._skip = 0  # inside an ad or a figure within the body

    def _inside(self, cls: str) -> bool:
        return any(cls in c.split() for _, c in self.stack)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("br", "img", "meta", "link"):
            if tag == "br":
                self._text("\n")
            return
        if self._inside("article-body") and (cls == "ad-slot" or tag == "figure" or "noise" in cls.split()):
            self._skip += 1
        self.stack.append((tag, cls))
        if "teaser" in cls.split():
            self.teasers.append({"href": None, "text": ""})
        if tag == "a" and self._inside("teaser") and self.teasers[-1]["href"] is None:
            self.teasers[-1]["href"] = a.get("href")

    def handle_endtag(self, tag):
        if not self.stack:
            return
        t, cls = self.stack.pop()
        if self._inside("article-body") and (cls == "ad-slot" or t == "figure" or "noise" in cls.split()):
            self._skip -= 1
        if t in ("td", "dt", "th") or "k" in cls.split():  # a label cell, or a label whose colon CSS draws
            self._text(" : ")
        elif t in self.BLOCK_END:
            self._text("\n")

    def _text(self, data: str) -> None:
        if self._inside("headline"):
            self.h1 += data
        if self._inside("article-body") and not self._skip:
            self.body_chunks.append(data)
        if self._inside("news-meta"):
            self.meta_text += data + (" " if data == "\n" else "")
        if self._inside("teaser"):
            self.teasers[-1]["text"] += data

    def handle_data(self, data):
        self._text(data)

    # ---- results

    def title(self) -> str:
        return collapse(self.h1)

    def body(self) -> str:
        raw = "".join(self.body_chunks).replace("\n\n", "\x00")
        paras = [collapse(p) for p in re.split(r"\x00|\n", raw)]
        return "\n\n".join(p for p in paras if p)

    def meta(self) -> dict:
        return parse_labels(self.meta_text)


def parse_labels(text: str) -> dict:
    """label -> value from free text holding the five labels in any line layout."""
    text = collapse(text.replace("\xa0", " ").translate(AR_TO_WESTERN))
    pat = "|".join(LABELS)
    out = {}
    for m in re.finditer(rf"({pat})\s*:\s*(.*?)(?=\s*(?:{pat})\s*:|$)", text):
        out[m.group(1)] = m.group(2).strip().lstrip(": ").rstrip(" :|·-")  # labels sharing a line: their separators
    return out


def labels_to_record(lab: dict) -> dict:
    src = lab.get("المصدر")
    source, country = (src.rsplit(" - ", 1) + [None])[:2] if src else (None, None)
    date = lab.get("تاريخ الخبر")
    return {
        "source": source,
        "source_country": country,
        "category": lab.get("التصنيف"),
        "published_at": datetime.strptime(date, "%Y-%m-%d %H:%M:%S").isoformat() + "+03:00" if date else None,
        "credibility": int(lab["مستوى الصحة"].rstrip("%")) if "مستوى الصحة" in lab else None,
        "importance": int(lab["الأهمية"].rstrip("%")) if "الأهمية" in lab else None,
    }


def read_article(site: SampleSite, url: str) -> ArticleReader:
    r = get(site, url)
    assert r[0] == 200, url
    reader = ArticleReader()
    reader.feed(text_of(r))
    return reader


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_bytes():
    a, b = SampleSite(300, seed=7), SampleSite(300, seed=7)
    paths = ["/", "/?page=3", "/section/politics", "/section/sports?p=2", "/robots.txt", "/nope"]
    paths += [a.article_path(i) for i in (1, 2, 3, 11, 17, 29, 30, 41, 63, 77, 150, 299, 300)]
    paths.append("/private/news/1.html")
    for p in paths:
        assert a.handle(p, {}) == b.handle(p, {}), p
    assert a.ground_truth(BASE) == b.ground_truth(BASE)


def test_other_seed_other_content():
    a, b = SampleSite(300, seed=1), SampleSite(300, seed=2)
    assert a.handle("/", {})[2] != b.handle("/", {})[2]
    assert a.ground_truth(BASE)["records"][0]["title"] != b.ground_truth(BASE)["records"][0]["title"] or \
        a.ground_truth(BASE)["records"][0]["body"] != b.ground_truth(BASE)["records"][0]["body"]


def test_page_reproducible_alone():
    """Rendering other pages first does not change a page."""
    a, b = SampleSite(500, seed=3), SampleSite(500, seed=3)
    p = a.article_path(250)
    first = a.handle(p, {})
    for i in range(1, 60):
        b.handle(b.article_path(i), {})
    assert b.handle(p, {}) == first


def test_bad_constructor_arguments():
    for kw in ({"articles": 0}, {"articles": "10"}, {"seed": -1}, {"tz": "Mars/Olympus"}):
        with pytest.raises(ValueError):
            SampleSite(**kw)


# --------------------------------------------------------------------------- ground truth shape


def test_ground_truth_shape(site, truth):
    assert truth["articles"] == 300
    expected_pages = site.home_pages + sum(site.section_pages) + 300
    assert truth["pages"] == expected_pages
    rec_keys = {"url", "title", "body", "published_at", "source", "source_country", "category",
                "credibility", "importance", "related"}
    rel_keys = {"title", "url", "source", "source_country", "category", "published_at",
                "credibility", "importance"}
    urls = [r["url"] for r in truth["records"]]
    assert len(urls) == len(set(urls))
    assert len(truth["records"]) + len(truth["invalid"]) + len(truth["soft_404"]) == 300
    for r in truth["records"]:
        assert set(r) == rec_keys
        assert r["url"].startswith(BASE) and "#" not in r["url"] and "utm_" not in r["url"]
        assert r["title"] and r["body"] and "إعلان" != r["body"].split("\n\n")[0]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00", r["published_at"])
        assert 0 <= r["credibility"] <= 100 and 0 <= r["importance"] <= 100
        assert 3 <= len(r["related"]) <= 5
        for t in r["related"]:
            assert set(t) == rel_keys and t["url"] != r["url"]
    assert any(r["source_country"] is None for r in truth["records"])
    assert any(r["source"] == "العربية - الحدث" and r["source_country"] == "السعودية" for r in truth["records"])
    assert {r["category"] for r in truth["records"]} == {a for _, a in corpus.CATEGORIES}
    assert truth["listing_urls"][0] == BASE


def test_special_kinds_exist(site, truth):
    fields = {x["field"] for x in truth["invalid"]}
    assert fields == {"published_at", "credibility", "body"}
    assert len(truth["invalid"]) == 9  # 3 of each for 300 articles
    assert len(truth["duplicate_groups"]) == 3
    assert len(truth["disallowed"]) == 3
    assert all("/private/" in u for u in truth["disallowed"])
    assert len(truth["soft_404"]) == 3
    small = SampleSite(100, seed=5).ground_truth(BASE)
    assert {x["field"] for x in small["invalid"]} == {"published_at", "credibility", "body"}
    assert len(small["duplicate_groups"]) == 1 and len(small["disallowed"]) == 1


def test_invalid_articles_render_as_described(site, truth):
    for inv in truth["invalid"]:
        page = read_article(site, inv["url"])
        meta = page.meta()
        assert page.title()
        if inv["field"] == "published_at":
            assert "تاريخ الخبر" not in meta and page.body()
            assert set(meta) == set(LABELS) - {"تاريخ الخبر"}
        elif inv["field"] == "credibility":
            assert int(meta["مستوى الصحة"].rstrip("%")) > 100 and page.body()
        else:
            assert page.body() == "" and set(meta) == set(LABELS)


def test_duplicate_groups(site, truth):
    by_url = {r["url"]: r for r in truth["records"]}
    for group in truth["duplicate_groups"]:
        a, b = (by_url[u] for u in group)
        assert a["url"] != b["url"]
        assert (a["title"], a["source"], a["source_country"]) == (b["title"], b["source"], b["source_country"])
        ta, tb = (datetime.fromisoformat(x["published_at"]) for x in (a, b))
        assert (tb - ta).total_seconds() == 3
        assert (a["credibility"], a["importance"]) != (b["credibility"], b["importance"])
        # both members are linked from the listings
        home = "".join(text_of(get(site, f"/?page={p}")) for p in range(1, site.home_pages + 1))
        for u in group:
            assert urlsplit(u).path in home


def test_no_accidental_duplicates():
    site = SampleSite(3000, seed=11)
    gt = site.ground_truth(BASE)
    by_key = defaultdict(list)
    for r in gt["records"]:
        by_key[(r["source"], r["source_country"], r["title"])].append(r)
    found = []
    for recs in by_key.values():
        recs.sort(key=lambda r: r["published_at"])
        for x, y in zip(recs, recs[1:]):
            dt = datetime.fromisoformat(y["published_at"]) - datetime.fromisoformat(x["published_at"])
            if dt.total_seconds() <= 600:
                found.append(sorted([x["url"], y["url"]]))
    assert sorted(found) == sorted(sorted(g) for g in gt["duplicate_groups"])
    assert len(found) == 30


def test_sidebar_shows_duplicate_pairs(site, truth):
    dups = {u for g in truth["duplicate_groups"] for u in g}
    pairs = 0
    for r in truth["records"]:
        rel = [t["url"] for t in r["related"]]
        pairs += sum(1 for x, y in zip(rel, rel[1:]) if [x, y] in truth["duplicate_groups"])
        assert not (set(rel) & {i["url"] for i in truth["invalid"]})
    assert pairs >= 10 and dups


# --------------------------------------------------------------------------- pages vs ground truth


def test_pages_match_ground_truth(site, truth):
    for r in truth["records"]:
        page = read_article(site, r["url"])
        assert page.title() == r["title"], r["url"]
        assert page.body() == r["body"], r["url"]
        got = labels_to_record(page.meta())
        for k, v in got.items():
            assert r[k] == v, (r["url"], k)
        assert len(page.teasers) == len(r["related"])
        for t, rel in zip(page.teasers, r["related"]):
            assert canonical(urljoin(r["url"], unescape(t["href"]))) == rel["url"]
            trec = labels_to_record(parse_labels(t["text"]))
            for k, v in trec.items():
                assert rel[k] == v, (r["url"], k)
            assert collapse(t["text"]).startswith(rel["title"])


def test_markup_variants(site):
    kinds = defaultdict(int)
    for i in range(1, 301):  # a third of the articles keep the seed's layout with its box styles
        b = text_of(get(site, site.article_path(i)))
        if "<ul class=\"news-meta\">" in b:
            kinds["ul"] += 1
        if "<table class=\"news-meta\">" in b:
            kinds["table"] += 1
        if "<dl class=\"news-meta\">" in b:
            kinds["dl"] += 1
        if "&nbsp;:&nbsp;" in b:
            kinds["spans"] += 1
        if re.search(r"<div class=\"news-meta\">\n\S+ ?\S*: ", b):
            kinds["br"] += 1
        if "<span>إعلان</span>" in b:
            kinds["ad"] += 1
        if "<figcaption>" in b:
            kinds["figure"] += 1
        if "<br><br>" in b:
            kinds["brbody"] += 1
        if "٪" in b:
            kinds["arabic_digits"] += 1
    assert all(kinds[k] >= 10 for k in ("ul", "table", "dl", "spans", "br", "figure")), kinds
    assert kinds["ad"] >= 30 and kinds["brbody"] >= 15 and kinds["arabic_digits"] >= 13, kinds


def test_url_schemes_and_tracking(site):
    paths = [site.article_path(i) for i in range(1, 31)]
    assert any(re.fullmatch(r"/news/\d+\.html", p) for p in paths)
    assert any(re.fullmatch(r"/article\?id=\d+", p) for p in paths)
    assert any(re.fullmatch(r"/\d{4}/\d\d/\d+-[a-z0-9-]+", p) for p in paths)
    listing = "".join(text_of(get(site, f"/?page={p}")) for p in (1, 2, 3))
    for marker in ("utm_source=home", "fbclid=", "gclid=", "#comments"):
        assert marker in listing, marker
    # tracking parameters and fragments are served, other spellings are not
    p = site.article_path(1)
    sep = "&" if "?" in p else "?"
    assert site.handle(p + sep + "utm_source=x&fbclid=y", {})[0] == 200
    assert site.handle(p + "#comments", {})[0] == 200
    assert site.handle("/article?utm_source=section&id=1", {})[0] == 200
    assert site.handle("/news/01.html", {})[0] == 404
    assert site.handle("/news/301.html", {})[0] == 404
    assert site.handle("/article?id=0", {})[0] == 404
    assert site.handle("/article", {})[0] == 404
    wrong = "/news/1.html" if not p.startswith("/news/") else "/article?id=1"
    assert site.handle(wrong, {})[0] == 404
    assert site.handle("/?page=0", {})[0] == 404
    assert site.handle(f"/?page={site.home_pages + 1}", {})[0] == 404
    assert site.handle("/section/politics?p=99", {})[0] == 404
    assert site.handle("/section/unknown", {})[0] == 404
    assert site.handle("/private/news/99.html", {})[0] == 404
    assert site.handle("/2026/11/5-wrong-slug", {})[0] == 404


def test_listings_are_label_rich_and_paginated(site):
    home = text_of(get(site, "/"))
    assert home.count("تاريخ الخبر:") >= 19 and home.count("مستوى الصحة:") == 20
    assert "المصدر:" in home and "التصنيف:" in home and 'href="/?page=2"' in home and "التالي" in home
    sec = text_of(get(site, "/section/politics"))
    assert 'href="/section/politics?p=2"' in sec and "التالي" not in sec
    assert sec.count("مستوى الصحة:") == 20
    assert 'lang="ar" dir="rtl"' in home


def card_ids(page: str) -> set[int]:
    ids = set()
    for href in re.findall(r'class="card-title"><a href="([^"]*)"', page):
        m = re.search(r"/news/(\d+)\.html|[?;]id=(\d+)|&amp;id=(\d+)|/\d{4}/\d\d/(\d+)-", href)
        ids.add(int(next(g for g in m.groups() if g)))
    return ids


def test_every_article_reachable_from_home_and_section(site):
    home_ids, sec_ids = set(), set()
    for p in range(1, site.home_pages + 1):
        home_ids |= card_ids(text_of(get(site, f"/?page={p}")))
    for slug, _ in corpus.CATEGORIES:
        k = 1
        while True:
            r = get(site, f"/section/{slug}" + (f"?p={k}" if k > 1 else ""))
            if r[0] != 200:
                break
            sec_ids |= card_ids(text_of(r))
            k += 1
    assert home_ids == sec_ids == set(range(1, 301))


def test_crawl_reaches_exactly_the_declared_pages(site, truth):
    """Breadth-first crawl of the in-process site, obeying robots.txt like a crawler."""
    seen, queue, pages, fetched_private = {BASE}, [BASE], set(), False
    host = urlsplit(BASE).netloc
    while queue:
        url = queue.pop()
        status, headers, body = get(site, url)
        assert status == 200, url
        pages.add(url)
        for href in re.findall(rb'href="([^"]*)"', body):
            link = urljoin(url, unescape(href.decode("latin-1")))
            parts = urlsplit(link)
            if parts.scheme != "http" or parts.netloc != host:
                continue
            link = canonical(link)
            if parts.path.startswith("/private/"):
                assert link in truth["disallowed"]
                fetched_private = True
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    assert fetched_private
    assert len(pages) == truth["pages"]
    expected_articles = {r["url"] for r in truth["records"]} | {x["url"] for x in truth["invalid"]}
    assert expected_articles <= pages
    assert set(truth["listing_urls"]) <= pages


def test_private_pages_look_like_articles(site, truth):
    for u in truth["disallowed"]:
        page = read_article(site, u)
        assert page.title() and page.body() and set(page.meta()) == set(LABELS)
    assert b"Disallow: /private/" in site.handle("/robots.txt", {})[2]


# --------------------------------------------------------------------------- encodings


def test_windows_1256_variants(site):
    seen = set()
    for i in (11, 22, 33, 44, 55, 66):
        status, headers, body = site.handle(site.article_path(i), {})
        assert status == 200
        ctype = dict(headers)["Content-Type"]
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        text = body.decode("cp1256")
        assert "كشاف" in text and "مستوى الصحة" in text
        variant = (i // 11) % 3
        seen.add(variant)
        has_meta = '<meta charset="windows-1256">' in text
        if variant == 0:
            assert ctype == "text/html; charset=windows-1256" and not has_meta
        elif variant == 1:
            assert ctype == "text/html" and has_meta
        else:
            assert ctype == "text/html" and "charset" not in text[:600]
        assert "utf-8" not in text[:600]
        assert int(dict(headers)["Content-Length"]) == len(body)
    assert seen == {0, 1, 2}
    # 77 = Arabic-Indic digits in windows-1256: written as character references
    body = site.handle(site.article_path(77), {})[2]
    assert b"&#1634;" in body or b"&#1632;" in body
    # everything else is UTF-8
    status, headers, body = site.handle(site.article_path(12), {})
    assert dict(headers)["Content-Type"] == "text/html; charset=utf-8"
    body.decode("utf-8")


# --------------------------------------------------------------------------- large sites


def test_large_site_is_cheap():
    tracemalloc.start()
    try:
        big = SampleSite(articles=100_000, seed=1)
        status, headers, body = big.handle(big.article_path(99_999), {})
        assert status == 200
        assert big.handle(f"/?page={big.home_pages}", {})[0] == 200
        assert big.handle(f"/?page={big.home_pages - 1}", {})[0] == 200
        assert big.handle(f"/section/politics?p={big.section_pages[0]}", {})[0] == 200
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak
    assert current < 8 * 1024 * 1024, current
    page = read_article(big, big.article_path(99_999))
    assert page.title() and page.body()
    assert big.private_count == 1000
    assert big.handle("/private/news/1000.html", {})[0] == 200
    assert big.handle("/news/100001.html", {})[0] == 404


# --------------------------------------------------------------------------- HTTP


def test_serve_over_http():
    s = SampleSite(120, seed=4)
    with serve(s) as srv:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", srv.url)
        with urllib.request.urlopen(srv.url, timeout=10) as r:
            assert r.status == 200 and "كشاف" in r.read().decode("utf-8")
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        with urllib.request.urlopen(srv.url + s.article_path(5).lstrip("/"), timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(srv.url + "section/economy", timeout=10) as r:
            assert r.status == 200
        with urllib.request.urlopen(srv.url + "robots.txt", timeout=10) as r:
            assert r.read() == b"User-agent: *\nDisallow: /private/\n"
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(srv.url + "no/such/page", timeout=10)
        assert e.value.code == 404
        # keep-alive: several requests on one connection, HEAD has no body
        port = urlsplit(srv.url).port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path in ("/", "/?page=2", s.article_path(7), "/missing"):
            conn.request("GET", path)
            resp = conn.getresponse()
            data = resp.read()
            assert resp.status == (404 if path == "/missing" else 200)
            assert int(resp.headers["Content-Length"]) == len(data)
        conn.request("HEAD", "/")
        resp = conn.getresponse()
        assert resp.status == 200 and resp.read() == b""
        conn.close()


def test_running_site_subprocess():
    with RunningSite(articles=150, seed=2) as rs:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", rs.url)
        proc = rs.proc
        assert proc.poll() is None
        with urllib.request.urlopen(rs.url + "robots.txt", timeout=10) as r:
            assert b"Disallow: /private/" in r.read()
        local = SampleSite(150, seed=2)
        with urllib.request.urlopen(rs.url + local.article_path(3).lstrip("/"), timeout=10) as r:
            assert r.read() == local.handle(local.article_path(3), {})[2]
        assert rs.ground_truth()["records"][0]["url"].startswith(rs.url)
    assert proc.poll() is not None and rs.proc is None


def test_cli_bad_arguments():
    for args in (["--articles", "0"], ["--port", "70000"], ["--tz", "Nowhere/Land"], ["--bogus"]):
        r = subprocess.run([sys.executable, "-m", "newscrawler.sample_site", *args],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
        assert r.returncode == 2, args
        assert r.stdout == ""
        assert len(r.stderr.strip().splitlines()) == 1 and "error" in r.stderr, r.stderr
