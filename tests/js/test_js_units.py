"""The pieces of JavaScript rendering that need no crawl: browser lookup, profile keys,
the crawl settings, and the sample site's JavaScript section."""

from __future__ import annotations

import json
import os
import stat

import pytest
from scrapy.settings import Settings

from newscrawler import profiles
from newscrawler.browser import (
    DEFAULT_BROWSER, INSTALL_HINT, PLAYWRIGHT_HANDLER, BrowserNotFound, abort_request, find_browser, has_content,
    playwright_settings,
)
from newscrawler.parsing.page import PageParser
from newscrawler.sample_site import SampleSite
from newscrawler.spiders.base import ArgumentError
from newscrawler.spiders.profiles import KashafSpider


@pytest.mark.browser
def test_the_system_chromium_is_found():
    assert find_browser() == DEFAULT_BROWSER  # installed here and by .ci/run
    assert find_browser("chromium").endswith("chromium")


def test_a_browser_setting_may_name_any_executable(tmp_path):
    exe = tmp_path / "my-chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    assert find_browser(str(exe)) == str(exe)


@pytest.mark.parametrize("setting", ["/nonexistent/chromium", "no-such-browser-here", "not-executable"])
def test_a_missing_browser_is_one_line_naming_the_install_command(setting, tmp_path):
    if setting == "not-executable":
        setting = str(tmp_path / "chromium")
        (tmp_path / "chromium").write_text("not a program")
        os.chmod(setting, 0o644)
    with pytest.raises(BrowserNotFound) as e:
        find_browser(setting)
    message = str(e.value)
    assert "\n" not in message and INSTALL_HINT in message and setting in message


def test_playwright_settings_route_only_through_chromium_and_keep_other_handlers():
    settings = Settings({"DOWNLOAD_HANDLERS": {"s3": None}, "DOWNLOAD_TIMEOUT": 12})
    got = playwright_settings("/usr/bin/chromium", settings)
    assert got["DOWNLOAD_HANDLERS"] == {"s3": None, "http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
    assert got["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"] == "/usr/bin/chromium"
    assert "--disable-background-networking" in got["PLAYWRIGHT_LAUNCH_OPTIONS"]["args"]
    assert got["PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT"] == 12000
    assert got["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] >= 1
    assert "playwright._impl._errors.Error" in got["RETRY_EXCEPTIONS"]


class _Req:
    def __init__(self, kind):
        self.resource_type = kind


def test_images_fonts_and_media_are_blocked_in_the_browser():
    assert [k for k in ("document", "script", "fetch", "xhr", "image", "font", "media", "stylesheet")
            if abort_request(_Req(k))] == ["image", "font", "media"]


def _profile(tmp_path, **extra):
    data = {"name": "jsprofile", **extra}
    path = tmp_path / "jsprofile.json"
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_profile_js_keys(tmp_path):
    p = profiles.load_file(_profile(tmp_path, render_js="auto", js_patterns=["/live/"], wait_for="article h1"))
    assert (p.render_js, p.js_patterns, p.wait_for) == ("auto", ["/live/"], "article h1")
    p = profiles.load_file(_profile(tmp_path))
    assert (p.render_js, p.js_patterns, p.wait_for) == ("never", [], None)


@pytest.mark.parametrize("extra, words", [
    ({"render_js": "sometimes"}, "render_js"),
    ({"js_patterns": ["("]}, "js pattern"),
    ({"js_patterns": "/live/"}, "js_patterns"),
    ({"wait_for": "article[["}, "wait_for"),
    ({"wait_for": 3}, "wait_for"),
])
def test_broken_profile_js_keys_are_one_line(tmp_path, extra, words):
    with pytest.raises(profiles.ProfileError) as e:
        profiles.load_file(_profile(tmp_path, **extra))
    assert words in str(e.value) and "\n" not in str(e.value)


def test_render_mode_argument_beats_setting_beats_profile():
    args = {"start_url": "http://127.0.0.1:1/"}
    assert KashafSpider.js_mode_for(args) == "never"  # the kashaf profile
    assert KashafSpider.js_mode_for(args, Settings({"NEWSCRAWLER_RENDER_JS": "auto"})) == "auto"
    assert KashafSpider.js_mode_for({**args, "render_js": "ALWAYS"}, Settings({"NEWSCRAWLER_RENDER_JS": "auto"})) == "always"
    with pytest.raises(ArgumentError):
        KashafSpider.check_arguments({**args, "render_js": "maybe"})
    KashafSpider.check_settings(args, Settings({"NEWSCRAWLER_BROWSER": "/nonexistent"}))  # never: no browser needed
    with pytest.raises(ArgumentError, match="apt-get install -y chromium"):
        KashafSpider.check_settings({**args, "render_js": "auto"}, Settings({"NEWSCRAWLER_BROWSER": "/nonexistent"}))


# ---------------------------------------------------------------- sample site
def test_the_js_section_is_optional_and_changes_nothing_else():
    plain, with_js = SampleSite(60, 2), SampleSite(60, 2, js_articles=12)
    assert plain.handle("/js/")[0] == 404 and plain.handle("/js/article/1")[0] == 404
    assert plain.ground_truth("http://h/") == with_js.ground_truth("http://h/")
    for path in ("/", "/news/3.html", "/section/politics"):
        assert plain.handle(path) == with_js.handle(path)


def test_js_pages_are_empty_without_javascript():
    site = SampleSite(60, 2, js_articles=12)
    parser = PageParser()
    paths = ["/js/", "/js/?page=2", "/js/broken/1", "/js/broken/2"] + [f"/js/article/{n}" for n in range(1, 13)]
    for path in paths:
        status, headers, body = site.handle(path)
        assert status == 200, path
        page = parser.parse("http://h" + path, body, dict(headers)["Content-Type"])
        assert page.kind == "other" and not page.paragraphs and page.scripts and page.noscript, path
        assert not [u for u in page.links if "/js/article/" in u], path  # cards come from the script
        assert not has_content(page), path
        n = int(path.rsplit("/", 1)[1]) if "/article/" in path else None
        if path == "/js/broken/2" or n and site.js.variant(n)["sidebar"] == "html":
            # the case: the sidebar teasers with their labels are there, the article is not
            assert len(page.related) == 3 and all(t.get("published_at") and t.get("source") for t in page.related)
            assert "تاريخ الخبر" in body.decode("utf-8") and "المصدر" in body.decode("utf-8")
    assert site.handle("/js/article/13")[0] == 404 and site.handle("/js/?page=3")[0] == 404
    assert site.handle("/js/app.js")[1][0] == ("Content-Type", "application/javascript; charset=utf-8")


def test_has_content_is_the_parsers_article_with_a_body_or_listing_with_cards():
    site, parser = SampleSite(100, 1), PageParser()
    truth = site.ground_truth("http://h/")
    empty = {r["url"] for r in truth["invalid"] if r["field"] == "body"}
    article = next(r["url"] for r in truth["records"])
    for url, want in ((article, True), ("http://h/", True), ("http://h/section/politics", True),
                      (sorted(empty)[0], False), ("http://h/robots.txt", False)):
        status, headers, body = site.handle(url[len("http://h"):])
        page = parser.parse(url, body, dict(headers)["Content-Type"])
        assert has_content(page) is want, (url, page.kind)


def test_js_pages_are_built_in_every_way():
    site = SampleSite(60, 2, js_articles=12)
    ways = [site.js.variant(n) for n in range(1, 10)]
    assert len({(w["main"], w["sidebar"]) for w in ways}) == 9  # any 9 consecutive articles: every way
    assert {w["delay_ms"] for w in ways} >= {0, 2000}
    assert {site.js.variant(n)["delay_ms"] for n in range(1, 12)} == set(range(0, 2001, 200))
    for n in range(1, 13):
        way, body = site.js.variant(n), site.handle(f"/js/article/{n}")[2].decode("utf-8")
        assert f'data-main="{way["main"]}"' in body and f'data-delay="{way["delay_ms"]}"' in body
        assert ('id="article-data"' in body) == (way["main"] == "inline")
        assert ("/js/api/related/" in body) == (way["sidebar"] == "later")
    # the article's endpoint leaves the teasers out when they come another way
    for sidebar, has in (("same", True), ("html", False), ("later", False)):
        data = json.loads(site.handle(f"/js/api/article/3?delay=0&sidebar={sidebar}")[2])
        assert ("related" in data) is has
    related = json.loads(site.handle("/js/api/related/3?delay=0")[2])["related"]
    assert [t["title"] for t in related] == [t["title"] for t in site.js.ground_truth("http://h/")["records"][2]["related"]]
    assert site.handle("/js/api/related/13")[0] == 404 and site.handle("/js/api/article/0")[0] == 404


def test_js_endpoints_carry_the_ground_truth():
    site = SampleSite(60, 2, js_articles=12)
    truth = site.js.ground_truth("http://h/")
    assert len(truth["records"]) == 12 and truth["listing_urls"] == ["http://h/js/", "http://h/js/?page=2"]
    first = json.loads(site.handle("/js/api/list?page=1")[2])
    assert [i["url"] for i in first["items"]] == [f"/js/article/{n}" for n in range(1, 11)] and first["next"] == 2
    last = json.loads(site.handle("/js/api/list?page=2")[2])
    assert len(last["items"]) == 2 and last["next"] is None
    for n, record in enumerate(truth["records"], 1):
        api = json.loads(site.handle(f"/js/api/article/{n}")[2])
        assert api["title"] == record["title"] and "\n\n".join(api["paragraphs"]) == record["body"]
        assert [t["title"] for t in api["related"]] == [t["title"] for t in record["related"]]
    # later than every plain article and more than 10 minutes apart: never a duplicate
    plain_latest = max(r["published_at"] for r in site.ground_truth("http://h/")["records"])
    times = sorted(r["published_at"] for r in truth["records"])
    assert times[0] > plain_latest and len(set(r["url"] for r in truth["records"])) == 12


def test_bad_js_article_counts_are_refused():
    with pytest.raises(ValueError):
        SampleSite(10, 1, js_articles=-1)
    assert os.path.exists(DEFAULT_BROWSER)
