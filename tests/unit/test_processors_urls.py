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
