"""Site profiles: one JSON file per aggregator, data only.

Adding an aggregator is adding ``newscrawler/profiles/<name>.json`` (or a
file in the folder named by the ``NEWSCRAWLER_PROFILES_DIR`` environment
variable); a spider of that name then exists (see ``spiders/profiles.py``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newscrawler.argtypes import unknown_name
from newscrawler.parsing.page import PageParser, ParserRules
from newscrawler.processors.urls import DEFAULT_RULES, UrlRules

PACKAGE_DIR = Path(__file__).resolve().parent
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
RENDER_JS = ("never", "always", "auto")
# Every key a profile may have (a typo such as "timezon" or "start_url" is an error, not ignored).
PROFILE_KEYS = (
    "name", "description", "start_urls", "allowed_domains", "timezone", "render_js", "js_patterns", "wait_for",
    "url_patterns", "selectors", "labels", "sidebar_headings", "boilerplate", "ad_markers", "stop_phrases",
    "not_found_phrases", "drop_params", "keep_params", "archive",
    "follow_origin", "expect_records", "max_error_ratio", "monitoring", "contracts",
)
NESTED_KEYS = {"url_patterns": ("article", "deny"), "selectors": ("title", "body")}


class ProfileError(ValueError):
    """A profile file that cannot be used; the message is one line."""


@dataclass
class Profile:
    name: str
    path: Path
    start_urls: list[str] = field(default_factory=list)
    allowed_domains: list[str] = field(default_factory=list)
    timezone: str | None = None
    render_js: str = "never"
    js_patterns: list[str] = field(default_factory=list)  # URLs straight to the browser
    wait_for: str | None = None  # CSS selector a rendered page waits for
    article_patterns: list[str] = field(default_factory=list)
    deny_patterns: list[str] = field(default_factory=list)
    rules: ParserRules = field(default_factory=ParserRules)
    expect_records: bool = True
    max_error_ratio: float = 0.2
    raw: dict = field(default_factory=dict)
    monitoring: dict = field(default_factory=dict)  # thresholds of newscrawler/monitors.py
    contracts: dict = field(default_factory=dict)  # name -> contract lines, for scrapy check (contracts.py)
    url_rules: UrlRules = DEFAULT_RULES  # drop_params / keep_params (newscrawler/processors/urls.py)


def profile_dirs() -> list[Path]:
    dirs = []
    extra = os.environ.get("NEWSCRAWLER_PROFILES_DIR")
    if extra:
        dirs.append(Path(extra))
    dirs.append(PACKAGE_DIR)
    return dirs


def available() -> list[str]:
    names = set()
    for d in profile_dirs():
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.json") if _NAME.match(p.stem))
    return sorted(names)


def load(name: str) -> Profile:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(f"invalid profile name {name!r}: use lower-case letters, digits and _")
    for d in profile_dirs():
        path = d / f"{name}.json"
        if path.is_file():
            return load_file(path)
    known = available()
    raise ProfileError(unknown_name("profile", name, known) if known else f"unknown profile {name!r}; known: none")


def _strings(data: dict, key: str, path: Path) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{path}: {key!r} must be a list of strings")
    return value


def check_keys(data: dict, path: Path) -> None:
    """ProfileError (one line, the nearest known key suggested) for a key no part of the crawler reads."""
    from newscrawler.parsing.labels import DEFAULT_LABELS

    for key in data:
        if key not in PROFILE_KEYS:
            raise ProfileError(f"{path}: {unknown_name('profile key', key, PROFILE_KEYS)}")
    for parent, known in (*NESTED_KEYS.items(), ("labels", tuple(DEFAULT_LABELS))):
        value = data.get(parent)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise ProfileError(f"{path}: {parent!r} must be an object")
        for key in value:
            if key not in known:
                raise ProfileError(f"{path}: {unknown_name(f'key in {parent!r}', key, known)}")


def load_file(path: Path) -> Profile:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileError(f"{path}: cannot read profile: {e}") from None
    except json.JSONDecodeError as e:
        raise ProfileError(f"{path}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: a profile must be a JSON object")
    check_keys(data, path)
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(f"{path}: 'name' must be lower-case letters, digits and _")
    tz = data.get("timezone")
    if tz is not None:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ProfileError(f"{path}: unknown time zone {tz!r}") from None
    render_js = data.get("render_js", "never")
    if render_js not in RENDER_JS:
        raise ProfileError(f"{path}: 'render_js' must be one of {', '.join(RENDER_JS)}")
    patterns = data.get("url_patterns") or {}
    if not isinstance(patterns, dict):
        raise ProfileError(f"{path}: 'url_patterns' must be an object")
    articles = patterns.get("article") or []
    deny = patterns.get("deny") or []
    for p in list(articles) + list(deny):
        try:
            re.compile(p)
        except (re.error, TypeError) as e:
            raise ProfileError(f"{path}: bad url pattern {p!r}: {e}") from None
    js_patterns = _strings(data, "js_patterns", path)
    for p in js_patterns:
        try:
            re.compile(p)
        except re.error as e:
            raise ProfileError(f"{path}: bad js pattern {p!r}: {e}") from None
    wait_for = data.get("wait_for") or None
    if wait_for is not None:
        try:
            from cssselect import GenericTranslator

            GenericTranslator().css_to_xpath(wait_for)
        except Exception as e:  # not a string, or not a CSS selector
            raise ProfileError(f"{path}: 'wait_for' must be a CSS selector: {e}") from None
    if not isinstance(data.get("archive", False), bool):
        raise ProfileError(f"{path}: 'archive' must be true or false")
    try:
        ratio = float(data.get("max_error_ratio", 0.2))
    except (TypeError, ValueError):
        raise ProfileError(f"{path}: 'max_error_ratio' must be a number") from None
    try:
        url_rules = UrlRules.from_lists(data.get("drop_params") or [], data.get("keep_params") or [])
    except ValueError as e:
        raise ProfileError(f"{path}: {e}") from None
    try:
        rules = ParserRules.from_profile(data)
        PageParser(rules)  # compiles labels and selectors: fail now, not mid-crawl
    except Exception as e:  # a bad selector or label table
        raise ProfileError(f"{path}: bad parser rules: {e}") from None
    return Profile(
        name=name,
        path=path,
        start_urls=_strings(data, "start_urls", path),
        allowed_domains=_strings(data, "allowed_domains", path),
        timezone=tz,
        render_js=render_js,
        js_patterns=js_patterns,
        wait_for=wait_for,
        article_patterns=list(articles),
        deny_patterns=list(deny),
        rules=rules,
        expect_records=bool(data.get("expect_records", True)),
        max_error_ratio=ratio,
        raw=data,
        monitoring=monitoring_thresholds(data, path, ratio),
        contracts=contracts_of(data, path),
        url_rules=url_rules,
    )


def contracts_of(data: dict, path: Path) -> dict:
    """The profile's ``contracts``: ``{name: ["@url ...", "@returns items 1 1", ...]}``."""
    value = data.get("contracts") or {}
    if not isinstance(value, dict):
        raise ProfileError(f"{path}: 'contracts' must be an object of name: list of contract lines")
    for name, lines in value.items():
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
            raise ProfileError(f"{path}: contract name {name!r}: use lower-case letters, digits and _")
        if not isinstance(lines, list) or not lines or not all(isinstance(x, str) and x.startswith("@") for x in lines):
            raise ProfileError(f"{path}: contracts {name!r} must be a list of lines starting with @")
    return value


# The run's health checks (newscrawler/monitors.py); a profile's "monitoring"
# object overrides any of them. max_http_error_ratio defaults to max_error_ratio.
MONITORING_DEFAULTS = {
    "min_records": 1,
    "max_rejects_ratio": 0.1,
    "max_validation_errors": 0,
    "max_http_error_ratio": None,
    "expected_finish_reasons": ["finished"],
    "min_coverage": {"category": 0.95, "credibility": 0.95, "importance": 0.95},
    "max_page_errors": 0,
    "max_pages_per_record": 5,  # a warning only (monitors.CrawlBudgetSuite)
}


def monitoring_thresholds(data: dict, path: Path, max_error_ratio: float = 0.2) -> dict:
    """The profile's monitoring thresholds merged over the defaults; ProfileError when malformed."""
    from newscrawler.items import RECORD_FIELDS

    given = data.get("monitoring")
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise ProfileError(f"{path}: 'monitoring' must be an object")
    unknown = sorted(set(given) - set(MONITORING_DEFAULTS))
    if unknown:
        raise ProfileError(f"{path}: {unknown_name('monitoring key', unknown[0], MONITORING_DEFAULTS)}")
    out = {**MONITORING_DEFAULTS, "max_http_error_ratio": max_error_ratio, **given}

    def number(key, value, whole=False, top=None):
        bad = isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int))
        if bad or value < 0 or (top is not None and value > top):
            kind = "a whole number >= 0" if whole else f"a number from 0 to {top}"
            raise ProfileError(f"{path}: monitoring {key!r} must be {kind}, not {value!r}")

    for key in ("min_records", "max_validation_errors", "max_page_errors"):
        number(key, out[key], whole=True)
    for key in ("max_rejects_ratio", "max_http_error_ratio"):
        number(key, out[key], top=1)
    per_record = out["max_pages_per_record"]
    if isinstance(per_record, bool) or not isinstance(per_record, (int, float)) or per_record < 1:
        raise ProfileError(f"{path}: monitoring 'max_pages_per_record' must be a number >= 1, not {per_record!r}")
    reasons = out["expected_finish_reasons"]
    if not isinstance(reasons, list) or not reasons or not all(isinstance(r, str) for r in reasons):
        raise ProfileError(f"{path}: monitoring 'expected_finish_reasons' must be a non-empty list of strings")
    coverage = out["min_coverage"]
    if not isinstance(coverage, dict):
        raise ProfileError(f"{path}: monitoring 'min_coverage' must be an object of field: share (0 to 1)")
    for name, share in coverage.items():
        if name not in RECORD_FIELDS:
            raise ProfileError(f"{path}: monitoring 'min_coverage' names an unknown record field {name!r}")
        number(f"min_coverage.{name}", share, top=1)
    return out
