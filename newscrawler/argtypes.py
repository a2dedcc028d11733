"""What the command lines share about wrong input: argparse types (whole numbers
within bounds, time zones) with a one-line message argparse shows as the error,
and the message for an unknown name with the nearest known one suggested."""

from __future__ import annotations

import argparse
import difflib

TRUE_WORDS = ("1", "true", "yes", "on")  # a switch's words (-a full=..., -s NEWSCRAWLER_ARCHIVE=...)
FALSE_WORDS = ("", "0", "false", "no", "off")


def bounded_int(low: int, high: int | None = None, what: str = "number"):
    """An argparse ``type`` accepting whole numbers in ``[low, high]``."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} {text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"{low}..{high}"
            raise argparse.ArgumentTypeError(f"{what} must be {bounds}, got {value}")
        return value

    convert.__name__ = what.replace(" ", "_")
    return convert


def bounded_float(low: float, high: float, what: str = "number"):
    """An argparse ``type`` accepting numbers in ``[low, high]``."""

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} {text!r} is not a number") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{what} must be between {low:g} and {high:g}, got {value:g}")
        return value

    convert.__name__ = what.replace(" ", "_")
    return convert


positive = bounded_int(1)


def comma_choices(known):
    """An argparse ``type``: a comma-separated list of names, each one of ``known``."""

    def convert(text: str) -> tuple[str, ...]:
        parts = tuple(p.strip() for p in text.split(",") if p.strip())
        if not parts or any(p not in known for p in parts):
            raise argparse.ArgumentTypeError(f"{text!r}: choose from {', '.join(known)} (comma-separated)")
        return parts

    return convert


def time_zone(text: str) -> str:
    """An argparse ``type``: an IANA time zone name (``Asia/Riyadh``)."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(text)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r} (an IANA name such as Asia/Riyadh or Africa/Cairo)") from None
    return text


def unknown_name(what: str, name: str, known) -> str:
    """``unknown <what> 'sinse' (did you mean 'since'?); known: ...``: one line."""
    known = sorted(known)
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"unknown {what} {name!r}{hint}; known: {', '.join(known)}"


def name_value(text: str) -> tuple[str, str]:
    """An argparse ``type`` for ``-a NAME=VALUE`` / ``-s NAME=VALUE``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=VALUE")
    return key.strip(), value
