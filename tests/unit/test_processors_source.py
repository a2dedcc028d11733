"""Tests for newscrawler.processors.source."""

import pytest

from newscrawler.processors.source import split_source


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("فرانس 24 - فرنسا", ("فرانس 24", "فرنسا")),
        ("الأول - المغرب", ("الأول", "المغرب")),
        ("العربية - الحدث - السعودية", ("العربية - الحدث", "السعودية")),
        ("وكالة الأنباء", ("وكالة الأنباء", None)),
        ("بي-بي-سي - بريطانيا", ("بي-بي-سي", "بريطانيا")),
        ("بي-بي-سي", ("بي-بي-سي", None)),
        ("", (None, None)),
        (None, (None, None)),
        ("   ", (None, None)),
        ("-", (None, None)),
        ("فرانس 24 - ", ("فرانس 24", None)),
        (" - فرنسا", (None, "فرنسا")),
        ("فرانس 24\u00a0-\u00a0فرنسا", ("فرانس 24", "فرنسا")),
        ("فرانس  24   -   فرنسا ", ("فرانس 24", "فرنسا")),
        ("سكاي نيوز عربية – الإمارات", ("سكاي نيوز عربية", "الإمارات")),
        ("الجزيرة — قطر", ("الجزيرة", "قطر")),
        ("\u200fالجزيرة - قطر\u200f", ("الجزيرة", "قطر")),
        ("France 24 - France", ("France 24", "France")),
        ("CNN-عربي -مصر", ("CNN-عربي -مصر", None)),  # no space after the dash: not a separator
    ],
)
def test_split_source(raw, expected):
    assert split_source(raw) == expected
