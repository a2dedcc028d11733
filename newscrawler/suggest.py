"""Propose a site profile from one article page and one listing page (``inspect --suggest``).

The pages are laid out as lines (the parser's own ``html_lines``) and read for
what they say, with no knowledge of the site's labels:

* **labels**: short texts before a colon (``الناشر: …``), or alone in a cell
  with the value in the next one, that recur on the two pages; each is given
  the record field its *values* fit: a date (``published_at``), a percentage
  (``credibility``, or ``importance`` when the label says أهمية), an outlet
  with its country after `` - `` (``source``), a short repeated word
  (``category``); the label's own words break ties (مصدر/ناشر, قسم/تصنيف, …);
* **sidebar heading**: the heading right above two or more cards (a headline
  link followed by those labels) on the article page;
* **boilerplate**: plain-text lines that both pages show, outside cards;
* **follow_origin**: when the article links to its outlet with a text such as
  ``اقرأ الخبر من المصدر``;
* **timezone**: when the article also states its date with a UTC offset
  (JSON-LD ``datePublished``, ``article:published_time``), the zone of an Arab
  country with that offset on that date.

The result merges over a base profile (``--profile``/``--spider``) and is a
profile file that ``scrapy crawl kashaf -a profile=FILE`` loads as it is.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.generic import json_ld_objects, meta_tags
from newscrawler.parsing.html import html_root
from newscrawler.parsing.labels import COLONS
from newscrawler.parsing.lines import html_lines
from newscrawler.processors.dates import parse_date
from newscrawler.processors.scores import parse_score
from newscrawler.processors.text import clean_text, to_western_digits
from newscrawler.spiders.origin import DEFAULT_LINK_TEXTS

TAIL = 15  # lines at the end of a page where its fixed footer lines are
_FIELD_WORDS = {
    "published_at": ("تاريخ", "وقت", "نشر", "date"),
    "source": ("مصدر", "ناشر", "وكالة", "الموقع", "source"),
    "category": ("قسم", "تصنيف", "فئة", "باب", "category"),
    "credibility": ("صحة", "موثوق", "مصداقي", "دقة", "credib"),
    "importance": ("أهمي", "اهمي", "importan"),
}
# zones of the Arabic-speaking world, in the order an offset is given to them
ARAB_ZONES = ("Asia/Riyadh", "Africa/Cairo", "Asia/Dubai", "Africa/Casablanca", "Africa/Tunis", "Africa/Algiers",
              "Asia/Baghdad", "Asia/Amman", "Asia/Beirut", "Asia/Damascus", "Asia/Kuwait", "Asia/Qatar",
              "Asia/Bahrain", "Asia/Muscat", "Africa/Tripoli", "Africa/Khartoum", "Asia/Gaza", "Asia/Aden")


def _lines(body: bytes, content_type: str | None):
    text, _ = decode_html(body, content_type)
    root = html_root(text)
    return (html_lines(root) if root is not None else []), root


_COLON_AT = re.compile(f"[{COLONS}]")


def _key_counts(pages) -> Counter:
    """How often each text of one to three words stands right before a colon (a label candidate)."""
    count: Counter = Counter()
    for _, lines in pages:
        for ln in lines:
            if ln.fully_linked or len(ln.text) > 300:
                continue
            for m in _COLON_AT.finditer(ln.text):
                words = ln.text[:m.start()].split()[-3:]
                for n in range(1, len(words) + 1):
                    key = clean_text(" ".join(words[-n:])).strip("|-·•،*")
                    if key and not re.search(r"\d", to_western_digits(key)):
                        count[key] += 1
    return count


def _choose_keys(count: Counter) -> set[str]:
    """Label candidates: a text before colons at least twice, and as often as any longer text
    ending with it (``درجة الأهمية`` over ``الأهمية`` when they always come together), more often
    than any shorter one (``القسم`` over ``المتحدة القسم``)."""
    keys = set()
    for key, n in count.items():
        if n < 2:
            continue
        longer = [k for k in count if k != key and k.endswith(" " + key) and count[k] >= n]
        shorter = [k for k in count if k != key and key.endswith(" " + k) and count[k] > n]
        if not longer and not shorter:
            keys.add(key)
    return keys


def _values(pages, keys: set[str]) -> dict[str, list[str]]:
    """The values each key has on the pages (read with the parser's own label rules,
    each key its own label): after its colon, or on the next line for a key alone."""
    from newscrawler.parsing.labels import LabelMatcher

    values: dict[str, list[str]] = defaultdict(list)
    if not keys:
        return values
    matcher = LabelMatcher({k: (k,) for k in keys})
    for _, lines in pages:
        for i, ln in enumerate(lines):
            hit = matcher.find(ln.text)
            for key, value in (hit[1] if hit else []):
                if value is None and i + 1 < len(lines) and matcher.find(lines[i + 1].text) is None:
                    value = lines[i + 1].text
                if value:
                    values[key].append(value)
    return values


def _kind_of(values: list[str]) -> str | None:
    """What most values of a key are: date, percent, outlet, word; None when mixed."""
    votes = Counter()
    for v in values:
        w = to_western_digits(v)
        if ("%" in w or "٪" in v) and parse_score(v) is not None:
            votes["percent"] += 1
        elif re.search(r"\d{1,2}:\d{2}|\d{4}", w) and parse_date(v, None):
            votes["date"] += 1
        elif " - " in v and len(v) <= 60:
            votes["outlet"] += 1
        elif 0 < len(v.split()) <= 3 and not re.search(r"\d", w):
            votes["word"] += 1
    if not votes:
        return None
    kind, n = votes.most_common(1)[0]
    return kind if n >= 0.6 * len(values) else None


def _words_say(key: str) -> str | None:
    for name, words in _FIELD_WORDS.items():
        if any(w in key.casefold() for w in words):
            return name
    return None


def suggest(article: tuple[str, bytes, str | None], listing: tuple[str, bytes, str | None] | None,
            base: dict | None = None, name: str | None = None) -> tuple[dict, list[str]]:
    """(profile dict, notes) from an article page and a listing page, each (url, body, content type)."""
    notes: list[str] = []
    a_lines, a_root = _lines(article[1], article[2])
    l_lines, _ = _lines(listing[1], listing[2]) if listing else ([], None)
    pages = [("article", a_lines)] + ([("listing", l_lines)] if listing else [])

    # 1. texts before colons that recur, with their values
    count = _key_counts(pages)
    keys = _choose_keys(count)
    values = _values(pages, keys)
    labels: dict[str, list[str]] = {}
    kinds = {k: _kind_of(values[k]) for k in keys if values.get(k)}
    wanted = {"published_at": ("date",), "source": ("outlet", "word"), "category": ("word",),
              "credibility": ("percent",), "importance": ("percent",)}
    taken = set()
    # keys whose own words say the field first, then by how often they appear
    for field in ("published_at", "source", "category", "importance", "credibility"):
        ranked = sorted((k for k in kinds if k not in taken and kinds[k] in wanted[field]),
                        key=lambda k: (_words_say(k) == field, count[k]), reverse=True)
        if field in ("category", "source") or field == "importance":
            ranked = [k for k in ranked if _words_say(k) in (field, None)
                      and (field != "importance" or _words_say(k) == field)]
        if field == "source":  # an outlet with its country, or a label that says so
            ranked = [k for k in ranked if kinds[k] == "outlet" or _words_say(k) == "source"]
        if ranked:
            key = ranked[0]
            labels[field] = [key]
            taken.add(key)
            notes.append(f"label {key!r} -> {field} (seen {count[key]} times; its values read as {kinds[key]}, "
                         f"e.g. {values[key][0]!r})")

    # 2. the sidebar: a heading right above cards carrying those labels
    label_keys = {k for ks in labels.values() for k in ks}
    sidebar = []
    for i, ln in enumerate(a_lines):
        if not ln.heading or ln.fully_linked or len(ln.text) > 60:
            continue
        cards = 0
        for j in range(i + 1, min(len(a_lines), i + 40)):
            nxt = a_lines[j]
            if nxt.heading and not nxt.fully_linked:
                break
            if nxt.fully_linked and j + 1 < len(a_lines) and any(
                    a_lines[j + 1].text.startswith(k) for k in label_keys):
                cards += 1
        if cards >= 2:
            sidebar.append(ln.text.rstrip(COLONS + " "))
            notes.append(f"sidebar heading {ln.text!r} ({cards} teasers under it)")
            break

    # 3. boilerplate: plain lines that end both pages (the footer's fixed lines)
    boiler = []
    if listing:
        l_texts = {ln.text for ln in l_lines[-TAIL:] if ln.link_ratio < 0.5}
        for ln in a_lines[-TAIL:]:
            t = ln.text
            if (t in l_texts and ln.link_ratio < 0.5 and len(t) >= 8 and t not in boiler
                    and not any(t.startswith(k) for k in label_keys) and not ln.heading):
                boiler.append(t)
        if boiler:
            notes.append("boilerplate: " + " | ".join(boiler))

    # 4. a link to the outlet's own page
    origin = None
    for ln in a_lines:
        if not ln.fully_linked:
            continue
        text = clean_text(ln.text).rstrip(COLONS + " ")
        if text in DEFAULT_LINK_TEXTS:
            origin = {"link_texts": sorted({text, *DEFAULT_LINK_TEXTS[:2]}), "when": "snippet"}
            notes.append(f"follow_origin: the article links to its outlet ({ln.text!r})")
            break

    # 5. the time zone, from a date the page also gives with its offset
    tz = _zone_from_offset(a_root, values.get(labels.get("published_at", [""])[0], []))
    if tz:
        notes.append(f"timezone {tz}: the page's own dated metadata has the same wall time at that offset (check it)")

    profile = dict(base or {})
    profile.pop("start_urls", None)
    host = urlsplit(article[0]).hostname or "site"
    profile["name"] = name or profile.get("name") or re.sub(r"[^a-z0-9_]", "_", host.split(".")[0].lower()) or "site"
    if not re.match(r"^[a-z]", profile["name"]):
        profile["name"] = "site_" + profile["name"]
    merged = {k: list(v) for k, v in (profile.get("labels") or {}).items()}
    for field, keys_ in labels.items():
        merged[field] = keys_ + [k for k in merged.get(field, []) if k not in keys_]
    profile["labels"] = merged
    if sidebar:
        profile["sidebar_headings"] = sidebar + [h for h in profile.get("sidebar_headings", []) if h not in sidebar]
    if boiler:
        profile["boilerplate"] = boiler + [b for b in profile.get("boilerplate", []) if b not in boiler]
    if origin and "follow_origin" not in profile:
        profile["follow_origin"] = origin
    if tz:
        profile["timezone"] = tz
    elif "timezone" not in profile:
        notes.append("timezone: not found on the page; set \"timezone\" yourself (dates are then written without it)")
    missing = [f for f in ("published_at", "source", "category", "credibility", "importance") if f not in labels]
    if missing:
        notes.append("no label found for: " + ", ".join(missing))
    return profile, notes


def _zone_from_offset(root, label_dates: list[str]) -> str | None:
    if root is None or not label_dates:
        return None
    stamps = [meta_tags(root).get("article:published_time")]
    stamps += [d.get("datePublished") for d in json_ld_objects(root)]  # @graph and lenient JSON too
    stamps = [s for s in stamps if isinstance(s, str)]
    local = parse_date(label_dates[0], None)
    if not local:
        return None
    try:
        wall = datetime.fromisoformat(local).replace(tzinfo=None)
    except ValueError:
        return None
    for s in stamps:
        try:
            aware = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            continue
        if aware.tzinfo is None or aware.replace(tzinfo=None, second=0) != wall.replace(second=0):
            continue
        offset = aware.utcoffset()
        for zone in ARAB_ZONES:
            if wall.replace(tzinfo=ZoneInfo(zone)).utcoffset() == offset:
                return zone
    return None
