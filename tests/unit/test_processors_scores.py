"""Tests for newscrawler.processors.scores."""

import pytest

from newscrawler.processors.scores import parse_score


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("94%", 94),
        ("٩٤٪", 94),
        ("۹۴٪", 94),
        (" 94 % ", 94),
        ("94", 94),
        ("94.0%", 94),
        ("٩٤٫٠٪", 94),
        ("95 ٪", 95),
        ("95\u00a0%", 95),
        ("\u200f95%\u200f", 95),
        ("%50", 50),  # percent sign first (RTL markup)
        ("0%", 0),
        ("100%", 100),
        ("120%", 120),  # out of range is still returned; validation rejects it
        ("-5%", -5),
        ("49.5%", 50),
        (94, 94),
        (0, 0),
        (94.0, 94),
    ],
)
def test_parse_score(raw, expected):
    assert parse_score(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [None, "", "   ", "%", "غير متوفر", "abc", "9 4", "94%%", "%94%", "94 %abc", "n/a",
     "1,000", True, float("nan"), float("inf"), ["94"]],
)
def test_parse_score_rejects(raw):
    assert parse_score(raw) is None
