"""``-s NAME=VALUE`` values checked before a crawl starts: a value of the wrong
kind (``-s DOWNLOAD_DELAY=abc``) is one line, not a traceback from deep inside
Scrapy when the setting is first read.

The kind of a setting is the kind of its default (newscrawler's ``settings.py``
first, then Scrapy's defaults): a bool, a number, a whole number, a dict or a
list. A setting with no default (or ``None``) is not checked, except the
switches whose ``None`` means "the profile decides" (``SWITCHES``): true or false.
"""

from __future__ import annotations

from newscrawler.argtypes import FALSE_WORDS, TRUE_WORDS

# Settings whose default is a whole number but that Scrapy reads as a number (seconds and ratios).
_FRACTIONAL = ("DELAY", "TIMEOUT", "INTERVAL", "SECONDS", "RATIO", "WINDOW", "TTL", "BACKOFF", "TARGET_CONCURRENCY")


SWITCHES = ("NEWSCRAWLER_ARCHIVE",)  # default None (the profile's key decides), else true or false


def _default(name: str):
    from scrapy.settings import default_settings

    from newscrawler import settings as ours

    return getattr(ours, name, getattr(default_settings, name, None))


def check_values(settings, names) -> None:
    """Raise ValueError (one line) for the first of ``names`` whose value in
    ``settings`` is not of its default's kind."""
    for name in names:
        default = _default(name)
        value = settings.get(name)
        if value is None or (default is None and name not in SWITCHES):
            continue
        if name in SWITCHES:
            if isinstance(value, bool) or str(value).strip().lower() in TRUE_WORDS + FALSE_WORDS:
                continue
            raise ValueError(f"setting {name}={value!r} is not true or false (1/0, yes/no, on/off; "
                             "default: the profile says)")
        if isinstance(default, bool):
            kind, read = "true or false (1/0)", settings.getbool
        elif isinstance(default, float) or (isinstance(default, int) and any(w in name for w in _FRACTIONAL)):
            kind, read = "a number", settings.getfloat
        elif isinstance(default, int):
            kind, read = "a whole number", settings.getint
        elif isinstance(default, dict):
            kind, read = "a JSON object", settings.getdict
        elif isinstance(default, (list, tuple)):
            kind, read = "a list (comma-separated or JSON)", settings.getlist
        else:
            continue
        try:
            read(name)
        except (TypeError, ValueError):
            raise ValueError(f"setting {name}={value!r} is not {kind} (default {default!r})") from None
