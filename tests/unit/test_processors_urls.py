"""Tests for newscrawler.processors.urls."""

import re

import pytest

from newscrawler.processors.urls import canonical_url, is_http_url, url_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/news/1?utm_source=fb&utm_medium=social#comments",
         "https://example.com/news/1"),
        ("https://example.com/news/1?id=5&fbclid=abc&gclid=x", "https://example.com/news/1?id=5"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&igshid=3&_ga=4&b=2&a=1",
         "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?UTM_Source=x&q=1", "https://example.com/a?q=1"),
        ("HTTPS://WWW.Example.COM/News/Item", "https://www.example.com/News/Item"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("https://example.com", "https://example.com/"),
        ("  https://example.com/a#top  ", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/%7Euser/", "https://example.com/~user/"),
        ("https://example.com/أخبار/سياسة?ق=1",
         "https://example.com/%D8%A3%D8%AE%D8%A8%D8%A7%D8%B1/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9"
         "?%D9%82=1"),
        ("https://user:Pass@Example.com/a", "https://user:Pass@example.com/a"),
        ("http://[::1]:80/a", "http://[::1]/a"),
    ],
)
def test_canonical_url(raw, expected):
    assert canonical_url(raw) == expected
    assert canonical_url(expected) == expected  # idempotent


def test_canonical_url_never_raises_on_garbage():
    assert canonical_url("http://[::1") == "http://[::1"
    assert canonical_url("  http://example.com:99999/  ") == "http://example.com:99999/"
    assert isinstance(canonical_url(""), str)


def test_url_id():
    a = url_id("https://example.com/news/1?utm_source=x#frag")
    assert re.fullmatch(r"[0-9a-f]{40}", a)
    assert a == url_id("HTTPS://EXAMPLE.com:443/news/1")
    assert a != url_id("https://example.com/news/2")


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "https://example.com/a?b=1", "HTTPS://Example.com:8443/x",
     " https://example.com/ ", "https://xn--mgbh0fb.example/", "https://مثال.إختبار/"],
)
def test_is_http_url_true(url):
    assert is_http_url(url)


@pytest.mark.parametrize(
    "url",
    ["mailto:a@example.com", "tel:+9611234567", "javascript:void(0)",
     "data:text/html,hi", "ftp://example.com/file", "/relative/path", "example.com",
     "http://", "https:///path", "http://exa mple.com/", "http://example.com:99999/",
     "http://[::1", "", None, 42],
)
def test_is_http_url_false(url):
    assert not is_http_url(url)


# ---------------------------------------------------------------- session ids and tracking parameters
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://e.example/a?sid=Sx81f0a9c2d4&id=3", "https://e.example/a?id=3"),
        ("https://e.example/a?PHPSESSID=9f8e7d&page=2", "https://e.example/a?page=2"),
        ("https://e.example/a?sessionid=abc&session_id=def&jsessionid=0A1B&x=1", "https://e.example/a?x=1"),
        ("https://e.example/news/1.html;jsessionid=0F3A9B2C?page=2", "https://e.example/news/1.html?page=2"),
        ("https://e.example/article;JSESSIONID=AB12?id=7#c", "https://e.example/article?id=7"),
        ("https://e.example/a;sid=Sx1/b.html", "https://e.example/a/b.html"),
        ("https://e.example/a?msclkid=1&yclid=2&_gl=3&pk_campaign=x&mtm_source=y&srsltid=z", "https://e.example/a"),
        # a numeric sid is a story id on some sites (PHP-Nuke's modules.php?sid=123): kept
        ("https://e.example/modules.php?name=News&sid=123", "https://e.example/modules.php?name=News&sid=123"),
        # a path parameter that is not a session id stays
        ("https://e.example/a;v=2/b", "https://e.example/a;v=2/b"),
    ],
)
def test_session_and_tracking_parameters_are_dropped(raw, expected):
    assert canonical_url(raw) == expected
    assert canonical_url(expected) == expected


def test_parameters_that_select_content_are_never_dropped():
    from newscrawler.processors import urls

    for name in ("page", "p", "from", "start", "offset", "id", "cid", "source", "ref", "gallery", "s", "q"):
        url = f"https://e.example/list?{name}=Sx81f0a9"
        assert canonical_url(url) == url, name
    listed = urls.SESSION_PARAMS | urls.TOKEN_SESSION_PARAMS | urls.TRACKING_PARAMS
    assert not listed & urls.CONTENT_PARAMS
    assert not any(n.startswith(urls.TRACKING_PREFIXES) for n in urls.CONTENT_PARAMS)


def test_profile_rules_add_and_keep_parameters():
    from newscrawler.processors.urls import UrlRules

    rules = UrlRules.from_lists(drop=["ref", "trk_*"], keep=["sid"])
    url = "https://e.example/a?sid=Sx81&ref=home&trk_a=1&trk=2&utm_source=x"
    assert canonical_url(url, rules) == "https://e.example/a?sid=Sx81&trk=2"
    assert canonical_url(url) == "https://e.example/a?ref=home&trk=2&trk_a=1"
    assert url_id(url, rules) == url_id("https://e.example/a?trk=2&sid=Sx81", rules) != url_id(url)
    for drop, keep, message in ((["page"], [], "can select content"), (["a b"], [], "not a parameter name"),
                                (["x"], ["x"], "in both"), ("x", [], "must be a list")):
        with pytest.raises(ValueError, match=message):
            UrlRules.from_lists(drop, keep)


def test_a_profiles_rules_reach_the_record_url_and_id():
    """keep_params: the record keeps the parameter the site needs, in its url and its id."""
    from datetime import datetime, timezone
    from pathlib import Path

    from newscrawler.items import article_item
    from newscrawler.parsing.page import PageParser
    from newscrawler.pipelines.normalize import NormalizePipeline
    from newscrawler.processors.urls import UrlRules

    html = (Path(__file__).parents[1] / "parsers" / "fixtures" / "seed_ul_utf8" / "page.html").read_bytes()
    url = "https://kashaf.example/news/1?sid=Sx81f0&utm_source=x"
    page = PageParser().parse(url, html, "text/html; charset=utf-8")
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    rules = UrlRules.from_lists(keep=["sid"])
    kept = NormalizePipeline(rules).process_item(article_item(page, "kashaf", "Asia/Riyadh", now, rules))
    assert kept["url"] == "https://kashaf.example/news/1?sid=Sx81f0" and kept["id"] == url_id(url, rules)
    plain = NormalizePipeline().process_item(article_item(page, "kashaf", "Asia/Riyadh", now))
    assert plain["url"] == "https://kashaf.example/news/1" and plain["id"] == url_id(url)
