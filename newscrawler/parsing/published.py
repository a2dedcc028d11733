"""The publication date of an article page: candidates gathered, then ranked.

``publication_date(root, url, ld, meta, tz, now, hints)`` -> ``Candidate`` or None.
No network. Used by ``newscrawler.parsing.generic``.

Candidates, each with where it came from:

* JSON-LD (``datePublished``, ``dateCreated``; ``dateModified`` as a modified date);
* every meta form: ``property``, ``name``, ``itemprop``, ``http-equiv`` (``article:published_time``,
  ``pubdate``, ``datePublished`` ...; ``article:modified_time``, ``og:updated_time`` ... as modified);
* microdata on any element (``<time itemprop="dateCreated" datetime=…>``, ``<span
  itemprop="datePublished">…</span>``) and every ``<time>`` (``datetime`` or its text);
* a date in the URL (``/2020/8/24/``, ``/2020-08-24/``, ``/20200824/``; a day only);
* text near the headline: any short element whose *content* reads as a date with
  ``newscrawler.processors.dates.parse_date`` (Arabic months, Hijri, month first,
  Arabic-Indic digits), whatever its class. Bare weekdays and bare times are not dates,
  and a date in the same small block as a link to another story is that teaser's date.

Ranking, as careful extractors do (htmldate's order, and its URL check):

1. impossible dates are dropped: later than ``now`` (beyond a day's tolerance for a
   page that mislabels its time zone), a year before 1900, a local-mean-time offset;
2. original before modified: published/created metadata, then the text next to the
   headline, then ``<time>`` elsewhere, then the URL, then relative text ("منذ ساعتين"),
   then modified dates last;
3. among text candidates the article's own comes first: after the headline before
   above it, the nearest first; a line far above the headline (the page header's
   "today" line, e.g. ``الإثنين، 24 أغسطس 2020 09:56 ص`` in a top bar) comes last;
4. a URL date is a witness: when the winner's day disagrees with it and another
   candidate agrees, that one wins.

Values are normalised with ``normalize_date`` (explicit offsets kept; without one,
the site's time zone ``tz``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from newscrawler.processors.dates import parse_date
from newscrawler.processors.text import clean_text, to_western_digits

# meta names (lower case) for the original and the modified date
PUBLISHED_META = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "datecreated", "pubdate", "publishdate", "publish-date", "publish_date", "publication_date",
    "article.published", "article_date_original", "date", "dc.date.issued", "dc.date.created", "dc.date",
    "dcterms.created", "dcterms.issued", "dcterms.date", "sailthru.date", "parsely-pub-date",
    "cxenseparse:recs:publishtime", "original-publish-date", "date_published", "created",
)
MODIFIED_META = (
    "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dc.date.modified",
    "dcterms.modified", "lastmod", "modified", "article.updated",
)
ORIGINAL_PROPS = ("datepublished", "datecreated", "pubdate", "uploaddate")
MODIFIED_PROPS = ("datemodified",)

# rank of each kind of candidate (lower is better)
RANK = {"json-ld": 0, "meta": 1, "microdata": 1, "hint": 2, "text": 3, "time": 4, "url": 5,
        "relative": 6, "modified": 7}
_TEXT_MAX = 80  # longer element texts are sentences, not date lines
_NEAR_BEFORE = 40  # elements between a line above the headline and the headline
_NEAR_AFTER = 400  # elements after the headline still in the article's head
_FUTURE_TOLERANCE = timedelta(hours=24)
_SKIP = frozenset(("script", "style", "noscript", "option", "select", "title", "head", "textarea", "button"))
_URL_DATE = re.compile(
    r"(?<![\d])((?:19|20)\d\d)([/_.-]?)(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?!\d)"
)
_YEAR = re.compile(r"(?<!\d)(?:1[34]\d\d|19\d\d|2\d\d\d)(?!\d)")
_RELATIVE = re.compile(r"منذ|قبل|أمس|امس|البارحة|البارحه|اليوم")


@dataclass
class Candidate:
    value: str  # ISO 8601
    kind: str  # a key of RANK
    raw: str  # as the page shows it
    where: str  # e.g. "meta article:published_time", "div (3 after the headline)"
    order: tuple = ()  # tie-break inside a kind

    @property
    def day(self) -> str:
        return self.value[:10]


def _normalize(raw, tz, now):
    from newscrawler.parsing.generic import normalize_date  # one normaliser for every date

    return normalize_date(raw, tz, now)


def _possible(value: str, now: datetime) -> bool:
    from newscrawler.pipelines.validate import date_problem

    if date_problem(value):
        return False
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return False
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt <= now + _FUTURE_TOLERANCE


def _text(el) -> str:
    return clean_text("".join(el.itertext()))


def _structured(root, ld: dict, meta: dict, tz, now) -> list[Candidate]:
    from newscrawler.parsing.generic import _text as ld_text

    out = []
    for i, key in enumerate(("datePublished", "dateCreated", "uploadDate")):
        raw = ld_text(ld.get(key))
        if raw:
            out.append(Candidate(_normalize(raw, tz, now), "json-ld", raw, f"json-ld {key}", (i,)))
    raw = ld_text(ld.get("dateModified"))
    if raw:
        out.append(Candidate(_normalize(raw, tz, now), "modified", raw, "json-ld dateModified", (0,)))
    for i, key in enumerate(PUBLISHED_META):
        if key in meta:
            out.append(Candidate(_normalize(meta[key], tz, now), "meta", meta[key], f"meta {key}", (i,)))
    for i, key in enumerate(MODIFIED_META):
        if key in meta:
            out.append(Candidate(_normalize(meta[key], tz, now), "modified", meta[key], f"meta {key}", (1, i)))
    for n, el in enumerate(root.xpath("//*[@itemprop]")):
        prop = el.get("itemprop").strip().lower()
        if prop not in ORIGINAL_PROPS and prop not in MODIFIED_PROPS:
            continue
        raw = clean_text(el.get("content") or el.get("datetime") or _text(el))
        if not raw:
            continue
        kind = "microdata" if prop in ORIGINAL_PROPS else "modified"
        out.append(Candidate(_normalize(raw, tz, now), kind, raw, f"{el.tag} itemprop={prop}", (2, n)))
    return out


def _headline_index(root, title: str | None, index: dict) -> int | None:
    """Document position of the headline: the h1 that is (part of) the title, else the first h1."""
    h1s = [h for h in root.iter("h1") if _text(h)]
    if not h1s:
        return None
    if title:
        for h in h1s:
            t = _text(h)
            if t == title or t in title or title in t:
                return index[h]
    return index[h1s[0]]


def reads_as_date(text: str, tz, now) -> tuple[str, str] | None:
    """(value, kind) when an element's text is a date line: an absolute date (it has a
    year) is "text", a relative one ("منذ ساعتين", "أمس 10:30") is "relative"."""
    folded = to_western_digits(text)
    if _YEAR.search(folded):
        value = parse_date(text, tz, now)
        return (value, "text") if value else None
    if _RELATIVE.search(text):
        value = parse_date(text, tz, now)
        return (value, "relative") if value else None
    return None


def _teaser_date(el, title: str | None) -> bool:
    """A date in the same small block as a link to another story is that story's date
    (a sidebar or a "related" list), not the article's."""
    block = el
    for _ in range(3):
        block = block.getparent()
        if block is None or len(_text(block)) > 400:
            return False
        for a in block.iter("a"):
            t = _text(a)
            if a.get("href") and len(t) >= 15 and t != title and not reads_as_date(t, None, None):
                return True
    return False


def _near_headline(root, title, tz, now) -> list[Candidate]:
    index = {}
    for i, el in enumerate(root.iter()):
        index[el] = i
    h = _headline_index(root, title, index)
    # raw text length of every element, children first: one pass instead of a text per element
    size: dict = {}
    for el in reversed(list(index)):
        size[el] = len(el.text or "") + sum(size[c] + len(c.tail or "") for c in el)
    out = []
    skip_below = None
    for el in index:
        if not isinstance(el.tag, str) or el.tag in _SKIP or size[el] > 4 * _TEXT_MAX:
            continue
        if skip_below is not None and el in skip_below:
            continue
        text = _text(el)
        if not text or len(text) > _TEXT_MAX:
            continue
        if title and title in text:
            continue
        read = reads_as_date(text, tz, now)
        if read is None or _teaser_date(el, title):
            continue
        skip_below = set(el.iter())  # the outermost short element that reads as a date
        pos = index[el]
        if h is None:
            side, dist = 0, pos
        elif pos > h:
            side, dist = (0 if pos - h <= _NEAR_AFTER else 2), pos - h
        else:
            side, dist = (1 if h - pos <= _NEAR_BEFORE else 3), h - pos
        where = f"<{el.tag}> " + (f"{dist} after the headline" if h is None or pos > h else f"{dist} above the headline")
        out.append(Candidate(read[0], read[1], text, where, (side, dist)))
    return out


def _times(root, tz, now) -> list[Candidate]:
    out = []
    for n, el in enumerate(root.iter("time")):
        if el.get("itemprop"):
            continue  # microdata, already a candidate
        raw = clean_text(el.get("datetime") or "")
        value = _normalize(raw, tz, now) if raw else None
        if value:
            inside = bool(el.xpath("ancestor::article|ancestor::main"))
            original = el.get("pubdate") is not None or "publish" in (el.get("class") or "").lower()
            out.append(Candidate(value, "time", raw, "<time datetime>", (not original, not inside, n)))
    return out


def _from_url(url: str) -> list[Candidate]:
    path = url.split("?", 1)[0].split("#", 1)[0]
    m = _URL_DATE.search(path.split("//", 1)[-1].split("/", 1)[-1])
    if m is None:
        return []
    try:
        day = datetime(int(m[1]), int(m[3]), int(m[4]))
    except ValueError:
        return []
    if not m[2] and not re.search(r"/\d{8}(?:/|$|[-_.])", path):
        return []  # eight digits inside a longer number are an id, not a date
    return [Candidate(day.strftime("%Y-%m-%dT00:00:00"), "url", m[0], "url", ())]


def candidates(root, url: str, ld: dict, meta: dict, title: str | None = None, tz: str | None = None,
               now: datetime | None = None, hints: dict | None = None) -> list[Candidate]:
    """Every possible candidate, best first."""
    now = now or datetime.now(timezone.utc)
    found = _structured(root, ld, meta, tz, now)
    if hints and hints.get("published_at"):
        raw = str(hints["published_at"])
        found.append(Candidate(_normalize(raw, tz, now), "hint", raw, "feed or sitemap", ()))
    found += _near_headline(root, title, tz, now) + _times(root, tz, now) + _from_url(url)
    found = [c for c in found if c.value and _possible(c.value, now)]
    found.sort(key=lambda c: (RANK[c.kind], c.order))
    return found


def publication_date(root, url: str, ld: dict, meta: dict, title: str | None = None, tz: str | None = None,
                     now: datetime | None = None, hints: dict | None = None) -> Candidate | None:
    """The best candidate (see the module docstring), or None."""
    found = candidates(root, url, ld, meta, title, tz, now, hints)
    if not found:
        return None
    best = found[0]
    url_days = {c.day for c in found if c.kind == "url"}
    if url_days and best.kind != "url" and best.day not in url_days:
        agreeing = next((c for c in found if c.kind != "url" and c.day in url_days and c.kind != "modified"), None)
        if agreeing is not None:
            return agreeing
    return best
