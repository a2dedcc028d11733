"""``browser.wait_for_content`` itself, in the real Chromium, on pages served over real HTTP.

Cases a crawl in ``auto`` mode never sends to the browser (a page that already
reads as an article over plain HTTP) or that the sample site does not have: an
article whose first paragraph is in the server's HTML while the others come from
a slow fetch or XHR request (the wait must see the request answered and applied,
not stop at the first paragraph); a page that moves itself to another address; a
page that never renders; a page whose request is never answered in time.
"""

from __future__ import annotations

import asyncio
import html
import json
import time

import pytest

from newscrawler.browser import BLOCKED_RESOURCES, CHROMIUM_ARGS, DEFAULT_BROWSER, NETWORK_TRACKER_JS, wait_for_content
from newscrawler.parsing.page import PageParser, ParserRules
from newscrawler.sample_site import SampleSite
from tests.scheduling.sites import Served

pytestmark = pytest.mark.e2e
ARTICLE = json.loads(SampleSite(40, 3, js_articles=1).handle("/js/api/article/1")[2])
assert len(ARTICLE["paragraphs"]) >= 2


def _meta() -> str:
    return '<ul class="news-meta">' + "".join(f"<li>{k}: {html.escape(v)}</li>" for k, v in ARTICLE["meta"]) + "</ul>"


def _sidebar() -> str:
    out = [f"<h2>{ARTICLE['sidebar_title']}</h2>"]
    for t in ARTICLE["related"]:
        lines = "".join(f"<div>{html.escape(x)}</div>" for x in t["labels"])
        out.append(f'<div class="teaser"><h3><a href="{t["url"]}">{html.escape(t["title"])}</a></h3>'
                   f'<div class="labels">{lines}</div></div>')
    return f'<aside class="sidebar">{"".join(out)}</aside>'


def _page(main: str, script: str = "") -> str:
    return (f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>t</title></head><body>'
            f'<main><article id="a">{main}</article></main>{_sidebar()}<script>{script}</script></body></html>')


FIRST = f'<h1>{html.escape(ARTICLE["title"])}</h1><div id="body"><p>{html.escape(ARTICLE["paragraphs"][0])}</p></div>{_meta()}'
ADD_REST = ("function add(d) { var b = document.getElementById('body');"
            " d.forEach(function (t) { var p = document.createElement('p'); p.textContent = t; b.appendChild(p); }); }")
WHOLE = ("fetch('/rest?delay=0&all=1').then(function (r) { return r.json(); }).then(function (d) {"
         " document.getElementById('a').innerHTML = d.html; });")
PAGES = {
    # the first paragraph, the headline and the labels are there at once; the rest comes 600 ms later
    "/more-fetch": _page(FIRST, ADD_REST + " fetch('/rest?delay=600').then(function (r) { return r.json(); }).then(add);"),
    "/more-xhr": _page(FIRST, ADD_REST + " var x = new XMLHttpRequest(); x.open('GET', '/rest?delay=600');"
                       " x.onload = function () { add(JSON.parse(x.responseText)); }; x.send();"),
    # moves itself (a script redirect) after 300 ms to a page that fetches its article
    "/moves": _page("", "setTimeout(function () { location.replace('/moved'); }, 300);"),
    "/moved": _page("", WHOLE),
    "/never": _page(""),  # its sidebar's labels are there, its article never is
    # complete, but a request that is still unanswered when the wait gives up
    "/hangs": _page(FIRST.replace("</div>", "".join(f"<p>{html.escape(p)}</p>" for p in ARTICLE["paragraphs"][1:])
                                  + "</div>", 1), "fetch('/rest?delay=4000');"),
}
WHOLE_HTML = FIRST.replace("</div>", "".join(f"<p>{html.escape(p)}</p>" for p in ARTICLE["paragraphs"][1:]) + "</div>", 1)


class _Pages:
    """The pages above, and ``/rest?delay=MS`` (the rest of the article, as JSON, after MS)."""

    def handle(self, path_qs: str, headers=None):
        path, _, query = path_qs.partition("?")
        params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
        if path == "/rest":
            time.sleep(int(params.get("delay", "0")) / 1000)
            data = {"html": WHOLE_HTML} if params.get("all") else ARTICLE["paragraphs"][1:]
            return 200, [("Content-Type", "application/json")], json.dumps(data, ensure_ascii=False).encode()
        if path in PAGES:
            return 200, [("Content-Type", "text/html; charset=utf-8")], PAGES[path].encode()
        return 404, [("Content-Type", "text/plain")], b"not found"


async def _render_all(base: str) -> dict:
    from playwright.async_api import async_playwright

    waits = {"/more-fetch": 10_000, "/more-xhr": 10_000, "/moves": 10_000, "/never": 1500, "/hangs": 1500}
    parser = PageParser(ParserRules())
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=DEFAULT_BROWSER, headless=True, args=list(CHROMIUM_ARGS))
        context = await browser.new_context()
        await context.route("**", lambda route: route.abort() if route.request.resource_type in BLOCKED_RESOURCES
                            else route.continue_())

        async def one(path, timeout_ms):
            page = await context.new_page()
            try:
                await page.add_init_script(NETWORK_TRACKER_JS)
                await page.goto(base + path, wait_until="domcontentloaded")
                came = await wait_for_content(page, None, ParserRules(), timeout_ms)
                return path, (came, page.url, parser.parse(page.url, await page.content(), "text/html"))
            finally:
                await page.close()

        got = dict(await asyncio.gather(*(one(p, t) for p, t in waits.items())))
        await browser.close()
    return got


@pytest.fixture(scope="module")
def rendered():
    with Served(_Pages()) as served:
        yield asyncio.run(_render_all(served.url.rstrip("/")))


@pytest.mark.parametrize("path", ["/more-fetch", "/more-xhr"])
def test_the_wait_lasts_until_the_pages_request_is_answered_and_applied(rendered, path):
    came, _, page = rendered[path]
    assert came is True
    assert page.kind == "article" and page.title == ARTICLE["title"]
    assert page.paragraphs == ARTICLE["paragraphs"]  # not only the first one, which was there at once


def test_a_page_that_moves_itself_is_waited_on_at_its_new_address(rendered):
    came, url, page = rendered["/moves"]
    assert came is True and url.endswith("/moved")
    assert page.paragraphs == ARTICLE["paragraphs"]


def test_sidebar_labels_alone_never_end_the_wait(rendered):
    came, _, page = rendered["/never"]
    assert came is False and page.kind == "other" and len(page.related) == len(ARTICLE["related"])


def test_a_request_never_answered_in_time_ends_the_wait_at_its_timeout_with_the_page_as_it_is(rendered):
    came, _, page = rendered["/hangs"]
    assert came is False  # never quiet; the content that is there is still read (and kept by the spider)
    assert page.kind == "article" and page.paragraphs == ARTICLE["paragraphs"]
