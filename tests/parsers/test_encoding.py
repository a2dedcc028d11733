"""Pages in windows-1256 / ISO-8859-6 / UTF-8, declared or not."""


import pytest

from newscrawler.parsing.encoding import DAMAGED_UTF8, decode_html
from tests.conftest import DATA

REAL = DATA / "real-pages"
PHRASE = "كتائب الشهيد عز الدين القسام"


@pytest.mark.parametrize("name,expected", [
    ("windows-1256-no-charset.html", "cp1256"),
    ("iso-8859-6-no-charset.html", "iso8859-6"),
])
def test_real_single_byte_pages_without_charset(name, expected):
    body = (REAL / name).read_bytes()
    text, used = decode_html(body, "text/html")
    assert used == expected
    assert PHRASE in text


def test_both_real_pages_decode_to_the_same_text():
    a, _ = decode_html((REAL / "windows-1256-no-charset.html").read_bytes())
    b, _ = decode_html((REAL / "iso-8859-6-no-charset.html").read_bytes())
    words_a = [w for w in a.split() if any("\u0621" <= c <= "\u064a" for c in w)]
    words_b = [w for w in b.split() if any("\u0621" <= c <= "\u064a" for c in w)]
    assert words_a[:50] == words_b[:50]


ARABIC = "<html><body><p>ارتفعت أسعار النفط في التعاملات الآسيوية</p></body></html>"


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=utf-8",
                                          "text/html; charset=iso-8859-1", "text/html; charset=windows-1256"])
def test_utf8_wins_whatever_is_declared(content_type):
    text, used = decode_html(ARABIC.encode("utf-8"), content_type)
    assert used == "utf-8" and "أسعار النفط" in text


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=utf-8",
                                          "text/html; charset=windows-1256", "text/html; charset=latin-1"])
def test_windows_1256_bytes_with_any_declaration(content_type):
    text, used = decode_html(ARABIC.encode("cp1256"), content_type)
    assert "أسعار النفط" in text and used == "cp1256"


def test_meta_charset_is_used():
    body = ('<html><head><meta charset="windows-1256"></head><body><p>' + "صحة" + "</p></body></html>").encode("cp1256")
    text, used = decode_html(body, None)
    assert used == "cp1256" and "صحة" in text


def test_bom_and_garbage_never_raise():
    assert decode_html(b"\xef\xbb\xbf<p>x</p>")[0] == "<p>x</p>"
    text, _ = decode_html(bytes(range(256)) * 3, "text/html; charset=nonsense")
    assert isinstance(text, str)


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8", "text/html; charset=windows-1256"])
def test_utf8_with_a_stray_invalid_byte_stays_utf8(content_type):
    """One bad byte (a page cut and joined mid-character) does not make the whole page windows-1256."""
    good = ("<p>" + ARABIC + "</p><p>\ufffd" + ARABIC + "</p>").encode("utf-8")  # a U+FFFD of its own
    body = good.replace(b"<p>", b"<p>\xd8", 1)  # an Arabic letter's first byte, alone
    text, used = decode_html(body, content_type)
    assert used == DAMAGED_UTF8 and text.count(ARABIC) == 2 and text.count("\ufffd") == 2
    for name in ("windows-1256-no-charset.html", "iso-8859-6-no-charset.html"):  # real single-byte pages
        assert decode_html((REAL / name).read_bytes(), content_type)[1] != DAMAGED_UTF8
