"""argparse types shared by the command lines: whole numbers within bounds,
with a one-line message argparse shows as the error."""

from __future__ import annotations

import argparse


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


positive = bounded_int(1)


def name_value(text: str) -> tuple[str, str]:
    """An argparse ``type`` for ``-a NAME=VALUE`` / ``-s NAME=VALUE``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=VALUE")
    return key.strip(), value
