"""Tests for newscrawler.processors.text."""

import pytest

from newscrawler.processors.text import clean_text, normalize_for_match, to_western_digits


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٢٠٢٣-١٠-٢٠ ٠٩:٠٧:٠٦", "2023-10-20 09:07:06"),
        ("٩٤٪", "94٪"),
        ("٣٫٥", "3.5"),
        ("١٬٠٠٠", "1,000"),
        ("2023 عام", "2023 عام"),
        ("", ""),
    ],
)
def test_to_western_digits(raw, expected):
    assert to_western_digits(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("  كيم  جونغ\tأون \n يريد ", "كيم جونغ أون يريد"),
        ("فرانس\u00a024", "فرانس 24"),  # NBSP
        ("فرانس\u202f24\u2009-\u3000فرنسا", "فرانس 24 - فرنسا"),  # narrow/thin/ideographic
        ("\u200fمستوى\u200e الصحة\u200b", "مستوى الصحة"),  # RLM, LRM, ZWSP
        ("\ufeffعنوان\u2067 الخبر\u2069", "عنوان الخبر"),  # BOM, isolates
        ("\u202bعربي\u202c\u061c", "عربي"),  # embeddings, Arabic letter mark
        ("سطر\r\nسطر\u2028سطر", "سطر سطر سطر"),
        ("e\u0301", "\u00e9"),  # NFC
        ("٢٠٢٣", "٢٠٢٣"),  # digits are kept
        ("الأخـــبار", "الأخـــبار"),  # tatweel is kept
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('كيم جونغ أون يريد بناء علاقة "تتطلع إلى المستقبل" مع روسيا',
         "كيم جونغ اون يريد بناء علاقه «تتطلع الى المستقبل» مع روسيا"),
        ("إطلاق صاروخ", "اطلاق صاروخ"),
        ("آلاف المتظاهرين", "الاف المتظاهرين"),
        ("مُحَمَّدٌ", "محمد"),  # tashkeel
        ("الأخـــبار", "الاخبار"),  # tatweel
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("٢٠ قتيلاً!", "20 قتيلا"),
        ("قمة “العشرين”: بيان ختامي؟", "قمة العشرين بيان ختامي"),
        ("BBC News", "bbc news"),
        ("غزة\u00a0—  الآن", "غزه الان"),
    ],
)
def test_normalize_for_match_equal_keys(a, b):
    assert normalize_for_match(a) == normalize_for_match(b)


def test_normalize_for_match_value():
    assert normalize_for_match(" «الأخبار» العاجلة، ٢٠٢٣! ") == "الاخبار العاجله 2023"
    assert normalize_for_match(None) == ""


def test_normalize_for_match_keeps_different_headlines_apart():
    assert normalize_for_match("حركة حماس تقول") != normalize_for_match("حركة فتح تقول")
