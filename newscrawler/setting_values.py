"""``-s NAME=VALUE`` values checked before a crawl starts: a value of the wrong
kind (``-s DOWNLOAD_DELAY=abc``) is one line, not a traceback from deep inside
Scrapy when the setting is first read.

The kind of a setting is the kind of its default (newscrawler's ``settings.py``
first, then Scrapy's defaults): a bool, a number, a whole number, a dict or a
list. A setting with no default (or ``None``) is not checked, except the
switches whose ``None`` means "the profile decides" (``SWITCHES``): true or false.

A name of newscrawler's own (``NEWSCRAWLER_...``) that no part of it reads is a
typo (``-s NEWSCRAWLER_OUTPUT_DIRR=...`` would write to the default folder): one
line with the nearest known name. Other names are Scrapy's, a plugin's or the
user's own, and are not checked.
"""

from __future__ import annotations

from newscrawler.argtypes import FALSE_WORDS, TRUE_WORDS, unknown_name

# Settings whose default is a whole number but that Scrapy reads as a number (seconds and ratios).
_FRACTIONAL = ("DELAY", "TIMEOUT", "INTERVAL", "SECONDS", "RATIO", "WINDOW", "TTL", "BACKOFF", "TARGET_CONCURRENCY")


SWITCHES = ("NEWSCRAWLER_ARCHIVE",)  # default None (the profile's key decides), else true or false


# Our settings whose default is where they are read (not in settings.py), with their kind (None: any
# text); tests/reliability/test_bad_input.py holds this list to every NEWSCRAWLER_ name the code reads.
ELSEWHERE = {
    "NEWSCRAWLER_BROWSER": None, "NEWSCRAWLER_DEBUG": bool, "NEWSCRAWLER_DEBUG_ARGS": dict,
    "NEWSCRAWLER_DEBUG_URL": None, "NEWSCRAWLER_DISTRIBUTED": bool, "NEWSCRAWLER_DUPLICATE_WINDOW": float,
    "NEWSCRAWLER_JS_CONTEXTS": int, "NEWSCRAWLER_JS_NAVIGATION_TIMEOUT": float,
    "NEWSCRAWLER_JS_PAGES_PER_CONTEXT": int, "NEWSCRAWLER_JS_WAIT_TIMEOUT": float, "NEWSCRAWLER_LOG_DIR": None,
    "NEWSCRAWLER_REDIS_HEARTBEAT_TTL": float, "NEWSCRAWLER_REDIS_IDLE_SECONDS": float,
    "NEWSCRAWLER_REDIS_POLL_SECONDS": float, "NEWSCRAWLER_REDIS_URL": None, "NEWSCRAWLER_RENDER_JS": None,
    "NEWSCRAWLER_RUN_ID": None, "NEWSCRAWLER_WORKER_ID": None,
}


def own_settings() -> frozenset:
    """Every ``NEWSCRAWLER_`` setting name newscrawler reads."""
    from newscrawler import settings as ours

    return frozenset(n for n in vars(ours) if n.startswith("NEWSCRAWLER_")) | frozenset(ELSEWHERE)


def _default(name: str):
    from scrapy.settings import default_settings

    from newscrawler import settings as ours

    return getattr(ours, name, getattr(default_settings, name, None))


def check_values(settings, names) -> None:
    """Raise ValueError (one line) for the first of ``names`` that is an unknown
    ``NEWSCRAWLER_`` name, or whose value in ``settings`` is not of its default's kind."""
    names = list(names)
    own = own_settings()
    for name in names:
        if name.startswith("NEWSCRAWLER_") and name not in own:
            raise ValueError(unknown_name("setting", name, own))
    for name in names:
        default = _default(name)
        value = settings.get(name)
        shown = f" (default {default!r})"
        if default is None and ELSEWHERE.get(name) is not None:  # a kind, and no default here to show
            default, shown = ELSEWHERE[name](), ""
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
            raise ValueError(f"setting {name}={value!r} is not {kind}{shown}") from None
