"""``python -m newscrawler inspect``: the report on every stored fixture, the rule a failing
page breaks, the annotated page in headless Chromium, and ``--suggest`` bootstrapping the
Akhbar profile from one article and one listing page to a crawl with every field right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.sample_site.second_site import SecondSite, ServedSecondSite
from tests.conftest import ROOT
from tests.helpers import FIELDS, outputs, read_jsonl, scrapy_crawl

FIXTURES = ROOT / "tests" / "parsers" / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "page.html").exists())
KIND_AR = {"article": "خبر (article)", "listing": "قائمة أخبار (listing)", "other": "صفحة أخرى (other)"}


def inspect(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "newscrawler", "inspect", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def run_inspect(*args):
    """``inspect`` in this process (the same entry point as the command), for speed: (exit code, stdout)."""
    import contextlib
    import io

    from newscrawler.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["inspect", *map(str, args)])
    return code, out.getvalue()


@pytest.mark.parametrize("name", CASES)
def test_inspect_explains_every_stored_fixture(name):
    d = FIXTURES / name
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    expected = json.loads((d / "expected.json").read_text("utf-8"))
    code, out = run_inspect(d / "page.html", "--url", meta["url"])
    assert code == 0
    kind = expected.get("kind", "article")
    assert f"النوع (kind): {KIND_AR[kind]}" in out
    if kind != "article":
        assert "السبب (why): " in out  # a page that is not an article says which rule failed
        for url in expected["item_links"]:
            assert url in out
        return
    assert f"✔ {expected['title']}" in out
    record = json.loads(out[out.index("{", out.index("السجل (record): valid")):])
    for field in ("title", "body", "published_at", "source", "source_country", "category", "credibility",
                  "importance"):
        assert record[field] == expected[field], field
    for field in ("published_at", "source", "category", "credibility", "importance"):
        if expected[field] is not None:  # each field with the line it came from and where
            block = out[out.index(f"({field}):"):]
            assert "from: " in block.split("\n")[1] and "[/html/" in block.split("\n")[1]
    assert "ما استُبعد (dropped):" in out or "dropped" not in out


def test_a_page_without_its_own_labels_names_the_rule(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><head><title>وزير يزور القاهرة | كشاف</title></head><body><h1>وزير يزور القاهرة</h1>"
                    "<p>وصل وزير الخارجية إلى القاهرة في زيارة رسمية تستمر يومين لبحث الملفات المشتركة.</p>"
                    "<p>المصدر: وكالات</p></body></html>", encoding="utf-8")
    code, out = run_inspect(page, "--url", "https://kashaf.example/n/1")
    assert code == 0 and "النوع (kind): صفحة أخرى (other)" in out
    assert "only one label (source) outside cards and the sidebar: an article needs two" in out
    page.write_text("<html><body><h1>وزير يزور القاهرة</h1><p>نص الخبر هنا بلا أي بيانات.</p></body></html>",
                    encoding="utf-8")
    _, out = run_inspect(page)
    assert "no label block belongs to the headline `وزير يزور القاهرة`" in out
    page.write_text("<html><head><title>موقع</title></head><body><h2>أول</h2><h2>ثان</h2><p>نص</p></body></html>",
                    encoding="utf-8")
    _, out = run_inspect(page)
    assert "no heading matches the page's title and there is no plain h1" in out


def test_inspect_errors_are_one_line(tmp_path):
    proc = inspect(tmp_path / "missing.html")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "cannot read" in proc.stderr
    proc = inspect(FIXTURES / "seed_ul_utf8" / "page.html", "--spider", "nosuch")
    assert proc.returncode == 2 and "unknown profile 'nosuch'" in proc.stderr and proc.stderr.count("\n") == 1
    proc = inspect("--suggest", FIXTURES / "seed_ul_utf8" / "page.html")
    assert proc.returncode == 2 and "give two pages" in proc.stderr


def test_inspect_fetches_a_url_once_and_obeys_robots_txt():
    from newscrawler.sample_site import RunningSite

    with RunningSite(articles=40, seed=2) as site:
        proc = inspect(site.url + site.site().article_path(5).lstrip("/"))
        assert proc.returncode == 0, proc.stderr
        assert "النوع (kind): خبر (article)" in proc.stdout and "السجل (record): valid" in proc.stdout
        proc = inspect(site.url + "private/news/1.html")
        assert proc.returncode == 2 and "robots.txt of 127.0.0.1" in proc.stderr and "disallows" in proc.stderr


def test_inspect_of_a_server_that_does_not_speak_http_is_one_line():
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)  # the loop looks at stop this often
    stop = threading.Event()

    def answer():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.recv(4096)
                conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        proc = inspect(f"http://127.0.0.1:{listener.getsockname()[1]}/news/1")
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "not an HTTP reply: 'NOT HTTP AT ALL" in proc.stderr, proc.stderr


def test_annotated_page_in_headless_chromium(tmp_path):
    pytest.importorskip("playwright")
    d = FIXTURES / "noisy_article"
    out = tmp_path / "annotated.html"
    code, _ = run_inspect(d / "page.html", "--url", "https://kashaf.example/news/8121", "--html", out)
    assert code == 0 and out.is_file()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1300})
            page.goto(out.as_uri())
            count = lambda kind: page.eval_on_selector_all(f"[data-nc={kind}]", "els => els.length")  # noqa: E731
            assert count("headline") == 1 and count("body") == 2
            assert count("meta") >= 2 and count("dropped") >= 4  # labels, caption, read also, tags, comments
            notes = page.eval_on_selector_all("[data-nc=dropped]", "els => els.map(e => e.dataset.ncNote)")
            assert {"dropped: caption", "dropped: link", "dropped: tags"} <= set(notes), notes
            visible = page.eval_on_selector("[data-nc=headline]", "e => e.getBoundingClientRect().height > 0")
            assert visible
            page.screenshot(path=str(tmp_path / "inspect.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "inspect.png").stat().st_size > 10_000


def test_suggest_bootstraps_the_akhbar_profile_to_every_field_right(tmp_path):
    site = SecondSite(articles=36, seed=5)
    with ServedSecondSite(site) as served:
        article = next(i for i in range(1, site.n + 1) if site.snippet_only(i) and not site.invalid(i))
        blank = tmp_path / "blank.json"  # knows none of Akhbar's labels: Kashaf's defaults only
        blank.write_text('{"name": "blank", "expect_records": true}', encoding="utf-8")
        made = tmp_path / "akhbar_suggested.json"
        proc = inspect("--suggest", served.url.rstrip("/") + site.path(article), served.url,
                       "--profile", blank, "--name", "akhbar_suggested", "--out", made)
        assert proc.returncode == 0, proc.stderr
        profile = json.loads(made.read_text("utf-8"))
        assert profile["labels"] == {"published_at": ["وقت النشر"], "source": ["الناشر"], "category": ["القسم"],
                                     "credibility": ["الموثوقية"], "importance": ["درجة الأهمية"]}
        assert profile["sidebar_headings"] == ["الأكثر قراءة اليوم"] and profile["timezone"] == "Africa/Cairo"
        out = tmp_path / "crawl"
        crawl = scrapy_crawl("kashaf", out, "-a", f"profile={made}", "-a", f"start_url={served.url}")
        truth = served.ground_truth()
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    records = read_jsonl(outputs(out)["records"][0])
    want = {r["url"]: r for r in truth["records"]}
    got = {r["url"]: r for r in records}
    assert set(got) == set(want)
    wrong = [(u, f, r.get(f), want[u][f]) for u, r in got.items() for f in FIELDS + ("origin_url",)
             if r.get(f) != want[u][f]]
    assert not wrong, wrong[:3]
    rejects = read_jsonl(outputs(out)["rejects"][0])
    assert {r["url"] for r in rejects} == {i["url"] for i in truth["invalid"]}


def test_readme_adding_an_aggregator_starts_from_inspect():
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme[readme.index("## Adding an aggregator"):]
    section = section[: section.index("\n## ", 5)]
    assert section.index("inspect") < section.index("```json")
    assert Path(ROOT / "docs" / "inspect-screenshot.png").is_file()


def test_suggest_reads_the_origin_link_and_the_zone_as_the_crawl_would():
    """``--suggest`` knows every origin-link text the origin finder knows (``المصدر الاصلي`` without
    its hamza too) and takes the date's UTC offset from JSON-LD the way the generic parser reads it
    (inside ``@graph``, with a trailing comma)."""
    from newscrawler.suggest import suggest

    page = ('<html><head><script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
            '"datePublished": "2024-03-05T14:30:00+02:00",}]}</script></head><body>'
            '<h1>عنوان الخبر الرئيسي اليوم</h1><p>نص الخبر الأول هنا بما يكفي من الكلمات للقراءة.</p>'
            '<div>تاريخ النشر: 2024-03-05 14:30</div><div>المصدر: وكالة الأنباء - مصر</div>'
            '<a href="https://outlet.example/n/1">المصدر الاصلي</a></body></html>').encode()
    listing = ('<html><body><a href="/a/2">خبر ثان في القائمة</a><div>تاريخ النشر: 2024-03-04 10:00</div>'
               '<div>المصدر: وكالة أخرى - الأردن</div></body></html>').encode()
    profile, notes = suggest(("http://agg.example/a/1", page, "text/html; charset=utf-8"),
                             ("http://agg.example/", listing, "text/html; charset=utf-8"))
    assert profile["follow_origin"] == {"link_texts": sorted({"المصدر الاصلي", "المصدر الأصلي", "اقرأ الخبر من المصدر"}),
                                        "when": "snippet"}
    assert profile["timezone"] == "Africa/Cairo", notes


def test_suggest_writes_no_profile_the_crawler_would_refuse(tmp_path):
    pages = [FIXTURES / "split_meta" / "page.html", FIXTURES / "listing_cards" / "page.html"]
    out = tmp_path / "bad.json"
    proc = inspect("--suggest", *pages, "--name", "bad name!", "--out", out)
    assert proc.returncode == 2 and not out.exists(), proc.stdout + proc.stderr
    assert proc.stderr.strip() == ("newscrawler: error: inspect --suggest: the profile would not load: "
                                   "'name' must be lower-case letters, digits and _"), proc.stderr
    proc = inspect("--suggest", *pages, "--name", "good_one", "--out", out)
    assert proc.returncode == 0 and json.loads(out.read_text("utf-8"))["name"] == "good_one", proc.stderr
