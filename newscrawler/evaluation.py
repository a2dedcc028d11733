"""How well the generic extraction reads stored pages: field accuracy and body token-F1.

Cases (no network):

* the real pages in ``tests/data/real-pages/`` (see its ``SOURCES.md``): the LBCI
  article (title, date and paragraphs), the Arabic news pages of ``news/`` and the
  Persian ones of ``persian/`` (``truth.json``: title where known, the day of
  publication, snippets the body must and must not contain);
* stored pages of our own in ``tests/generic/fixtures/pages/<case>/``
  (``page.html``, ``meta.json`` with ``url`` and optional ``timezone``,
  ``expected.json`` with ``title``, ``published_at``, ``source``, ``paragraphs``);
* stored sitemaps, news sitemaps, feeds and a robots.txt in
  ``tests/generic/fixtures/discovery/<case>/`` (``input.*``, ``meta.json`` with
  ``url`` and ``kind``, ``expected.json`` with the entries).

Field accuracy: a field is right when it equals the expected value (text after
whitespace clean-up; dates as the same instant, or the same day where the truth
is a day). Body token-F1: the F1 of the bags of whitespace tokens of the
extracted and the expected body.

``side_by_side`` runs the peers (``newscrawler.bench.peers``) on the same pages:
title, date (the day, since htmldate and trafilatura give no time) and body
token-F1 per page, with totals. ``date_expressions`` scores the Arabic date
reader, and dateparser beside it, on the peer-suite expressions a news page can
show (``dates-from-peer-suites.json``; the selection rule is ``news_page_kind``).
"""

from __future__ import annotations

import gzip
import re
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from newscrawler.parsing import discovery
from newscrawler.parsing.generic import GenericParser, normalize_date
from newscrawler.processors.text import clean_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "generic" / "fixtures"
PAGE_FIELDS = ("title", "published_at", "source")
ENTRY_FIELDS = ("title", "published_at", "source")


class EvaluationError(Exception):
    """A stored case that cannot be read; one line."""


def real_pages_dir() -> Path:
    env = os.environ.get("NEWSCRAWLER_REAL_PAGES")
    return Path(env) if env else ROOT / "tests" / "data" / "real-pages"


def tokens(text: str | None) -> list[str]:
    return clean_text(text or "").split()


def token_f1(got: str | None, expected: str | None) -> float:
    g, e = Counter(tokens(got)), Counter(tokens(expected))
    if not g and not e:
        return 1.0
    common = sum((g & e).values())
    if not common:
        return 0.0
    precision, recall = common / sum(g.values()), common / sum(e.values())
    return 2 * precision * recall / (precision + recall)


def _instant(value: str | None):
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace(" ", "T", 1))
    except ValueError:
        return None


def same_value(name: str, got, expected) -> bool:
    if name == "published_at":
        a, b = _instant(got), _instant(expected)
        if a is None or b is None or (a.tzinfo is None) != (b.tzinfo is None):
            return False
        return a == b
    return clean_text(got or "") == clean_text(expected or "")


@dataclass
class PageResult:
    case: str
    fields: dict[str, bool] = field(default_factory=dict)  # field -> right?
    got: dict = field(default_factory=dict)
    body_f1: float | None = None  # None: no body truth
    snippets: list[str] = field(default_factory=list)  # broken snippet rules


@dataclass
class DiscoveryResult:
    case: str
    kind: str
    expected: int = 0
    found: int = 0
    right_urls: int = 0
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)  # field -> (right, total)

    @property
    def recall(self) -> float:
        return self.right_urls / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.right_urls / self.found if self.found else (1.0 if not self.expected else 0.0)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise EvaluationError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None


def evaluate_page(case: str, html: bytes, url: str, expected: dict, tz: str | None = None) -> PageResult:
    page = GenericParser(tz).parse(url, html, None)
    got = {
        "title": page.title,
        "published_at": normalize_date(page.published_at, tz),
        "source": page.source,
        "body": page.body,
    }
    result = PageResult(case, got=got)
    for name in PAGE_FIELDS:
        if expected.get(name) is not None:
            result.fields[name] = same_value(name, got[name], expected[name])
    if expected.get("day"):
        result.fields["published_at"] = (got["published_at"] or "")[:10] == expected["day"]
    if expected.get("paragraphs"):
        result.body_f1 = token_f1(page.body, "\n\n".join(expected["paragraphs"]))
    result.snippets = snippet_misses(page.body, expected)
    return result


def snippet_misses(body: str | None, expected: dict) -> list[str]:
    """The snippet rules a body breaks: ``+text`` missing, ``-text`` present."""
    body = clean_text(body or "")
    return ([f"+{s}" for s in expected.get("must") or () if clean_text(s) not in body]
            + [f"-{s}" for s in expected.get("must_not") or () if clean_text(s) in body])


def real_cases(folder: Path | None = None) -> list[tuple[str, bytes, str, dict, str | None]]:
    """The real pages with their truth, or [] when ``real-pages`` is not there."""
    folder = folder or real_pages_dir()
    out = []
    page = folder / "LBCGroup_2026_01_08.html.gz"
    if page.is_file():
        truth = _read_json(folder / "LBCGroup.json")["V1"]
        meta = _read_json(folder / "LBCGroup.meta.json")[page.name]
        paragraphs = [p for s in truth["body"]["sections"] for p in s["paragraphs"]]
        expected = {"title": truth["title"], "published_at": truth["publishing_date"], "paragraphs": paragraphs}
        try:
            html = gzip.decompress(page.read_bytes())
        except (OSError, EOFError) as e:
            raise EvaluationError(f"cannot read {page}: {e}") from None
        out.append(("real/LBCGroup", html, meta["url"], expected, None))
    for sub in ("news", "persian"):
        truth_file = folder / sub / "truth.json"
        if not truth_file.is_file():
            continue
        for name, t in sorted(_read_json(truth_file).items()):
            try:
                html = (folder / sub / name).read_bytes()
            except OSError as e:
                raise EvaluationError(f"cannot read {folder / sub / name}: {e.strerror or e}") from None
            expected = {"title": t.get("title"), "day": t.get("date"),
                        "must": t.get("text_must_contain") or [], "must_not": t.get("text_must_not_contain") or []}
            out.append((f"real/{sub}/{name.rsplit('.', 1)[0]}", html, t["url"], expected, None))
    return out


def page_cases(fixtures: Path = FIXTURES) -> list[tuple[str, bytes, str, dict, str | None]]:
    out = []
    for d in sorted((fixtures / "pages").glob("*/")):
        meta = _read_json(d / "meta.json")
        try:
            html = (d / "page.html").read_bytes()
        except OSError as e:
            raise EvaluationError(f"cannot read {d / 'page.html'}: {e.strerror or e}") from None
        out.append((f"pages/{d.name}", html, meta["url"], _read_json(d / "expected.json"), meta.get("timezone")))
    return out


def evaluate_discovery(case: str, body: bytes, url: str, kind: str, expected: dict) -> DiscoveryResult:
    if kind == "robots":
        urls = discovery.robots_sitemaps(body, url)
        entries = [discovery.Entry(u) for u in urls]
    elif kind == "feed":
        entries = discovery.read_feed(body, url)
    else:
        _type, entries = discovery.read_sitemap(body)
        if expected.get("type") and _type != expected["type"]:
            entries = []
    want = {e["url"]: e for e in expected["entries"]}
    got = {e.url: e for e in entries}
    result = DiscoveryResult(case, kind, expected=len(want), found=len(got), right_urls=len(set(want) & set(got)))
    for name in ENTRY_FIELDS:
        right = total = 0
        for u, e in want.items():
            if e.get(name) is None:
                continue
            total += 1
            value = getattr(got[u], name) if u in got else None
            if name == "published_at":
                value = normalize_date(value)
            right += same_value(name, value, e[name])
        if total:
            result.fields[name] = (right, total)
    return result


def discovery_cases(fixtures: Path = FIXTURES):
    out = []
    for d in sorted((fixtures / "discovery").glob("*/")):
        meta = _read_json(d / "meta.json")
        inputs = sorted(d.glob("input.*"))
        if not inputs:
            raise EvaluationError(f"{d}: no input.* file")
        out.append((f"discovery/{d.name}", inputs[0].read_bytes(), meta["url"], meta["kind"],
                    _read_json(d / "expected.json")))
    return out


def run(fixtures: Path = FIXTURES, real_pages: Path | None = None) -> dict:
    pages, notes = [], []
    real = real_cases(real_pages)
    if not real:
        notes.append(f"real pages not found in {real_pages or real_pages_dir()}: real cases skipped")
    pages += [evaluate_page(*c) for c in real + page_cases(fixtures)]
    found = [evaluate_discovery(*c) for c in discovery_cases(fixtures)]
    return {"pages": pages, "discovery": found, "notes": notes}


def report(results: dict) -> str:
    lines = ["pages (generic extraction)", f"  {'case':34} {'title':6} {'date':6} {'source':6} body-F1 snippets"]
    totals: dict[str, list[int]] = {}
    for r in results["pages"]:
        marks = []
        for name in PAGE_FIELDS:
            ok = r.fields.get(name)
            marks.append("-" if ok is None else ("ok" if ok else "WRONG"))
            if ok is not None:
                t = totals.setdefault(name, [0, 0])
                t[0] += ok
                t[1] += 1
        f1 = "-" if r.body_f1 is None else f"{r.body_f1:.3f}"
        snip = "-" if not r.snippets else "BROKEN " + ", ".join(r.snippets)
        lines.append(f"  {r.case:34} {marks[0]:6} {marks[1]:6} {marks[2]:6} {f1:7} {snip}")
    if totals:
        acc = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in totals.items())
        lines.append(f"  field accuracy: {acc}")
    scored = [r.body_f1 for r in results["pages"] if r.body_f1 is not None]
    if scored:
        lines.append(f"  body token-F1: mean {sum(scored) / len(scored):.3f}, min {min(scored):.3f}"
                     f" ({len(scored)} pages with a body truth)")
    lines.append("discovery (robots.txt, sitemaps, news sitemaps, feeds)")
    for r in results["discovery"]:
        fields = ", ".join(f"{k} {a}/{b}" for k, (a, b) in r.fields.items()) or "-"
        lines.append(f"  {r.case:34} {r.kind:8} urls {r.right_urls}/{r.expected} "
                     f"(recall {r.recall:.2f}, precision {r.precision:.2f}); fields {fields}")
    for n in results["notes"]:
        lines.append(f"note: {n}")
    return "\n".join(lines)


def as_json(results: dict) -> dict:
    return {
        "pages": [{"case": r.case, "fields": r.fields, "got": r.got, "snippets_broken": r.snippets,
                   "body_f1": None if r.body_f1 is None else round(r.body_f1, 4)} for r in results["pages"]],
        "discovery": [{"case": r.case, "kind": r.kind, "expected": r.expected, "found": r.found,
                       "recall": r.recall, "precision": r.precision, "fields": r.fields}
                      for r in results["discovery"]],
        "notes": results["notes"],
    }


# ------------------------------------------------------------------ side by side with the peers
def _day(value) -> str | None:
    return str(value)[:10] if value else None


def expected_day(expected: dict) -> str | None:
    return expected.get("day") or _day(expected.get("published_at"))


def score_extraction(got: dict, expected: dict) -> dict:
    """title / date (the day) / body token-F1 / broken snippet rules of one
    extractor's result on one page; None where there is no truth or no output."""
    title = None
    if expected.get("title") is not None and "title" in got:
        title = got.get("title") is not None and clean_text(got["title"]) == clean_text(expected["title"])
    day = expected_day(expected)
    date = None if day is None or "date" not in got else _day(got.get("date")) == day
    body = got.get("body")
    f1 = token_f1(body, "\n\n".join(expected["paragraphs"])) if expected.get("paragraphs") and "body" in got else None
    snippets = snippet_misses(body, expected) if "body" in got else []
    return {"title": title, "date": date, "body_f1": f1, "snippets": snippets}


def side_by_side(fixtures: Path = FIXTURES, real_pages: Path | None = None) -> dict:
    """newscrawler and every installed peer on every stored page."""
    from newscrawler.bench.peers import available, run_peer
    from newscrawler.parsing.encoding import decode_html

    peers, missing = available()
    names = ["newscrawler", *peers]
    rows = []
    for case, html, url, expected, tz in real_cases(real_pages) + page_cases(fixtures):
        mine = evaluate_page(case, html, url, expected, tz).got
        results = {"newscrawler": score_extraction(
            {"title": mine["title"], "date": mine["published_at"], "body": mine["body"]}, expected)}
        text = decode_html(html, None)[0]
        for name, extract in peers.items():
            got = run_peer(extract, text, url)
            if name == "htmldate":
                got = {"date": got.get("date")}
            results[name] = score_extraction(got, expected)
        rules = len(expected.get("must") or []) + len(expected.get("must_not") or [])
        rows.append({"case": case, "results": results, "rules": rules})
    totals = {}
    for name in names:
        cells = [r["results"][name] for r in rows]
        f1s = [c["body_f1"] for c in cells if c["body_f1"] is not None]
        snippet_rules = sum(r["rules"] for r in rows) if name != "htmldate" else 0
        totals[name] = {
            "title": (sum(c["title"] is True for c in cells), sum(c["title"] is not None for c in cells)),
            "date": (sum(c["date"] is True for c in cells), sum(c["date"] is not None for c in cells)),
            "body_f1_mean": sum(f1s) / len(f1s) if f1s else None,
            "body_f1_min": min(f1s) if f1s else None,
            "snippets": (snippet_rules - sum(len(c["snippets"]) for c in cells), snippet_rules),
        }
    return {"names": names, "rows": rows, "totals": totals, "missing": missing}


def _cell(c: dict) -> str:
    mark = {True: "ok", False: "NO", None: "-"}
    f1 = "-" if c["body_f1"] is None else f"{c['body_f1']:.3f}"
    return f"{mark[c['title']]}/{mark[c['date']]}/{f1}" + ("*" if c["snippets"] else "")


def side_by_side_report(result: dict) -> str:
    names = result["names"]
    lines = ["side by side: title / date (day) / body token-F1 per page; - no truth or no output, "
             "* a snippet rule broken",
             "  " + f"{'case':30}" + "".join(f"{n:>19}" for n in names)]
    for r in result["rows"]:
        lines.append("  " + f"{r['case']:30}" + "".join(f"{_cell(r['results'][n]):>19}" for n in names))
    for label, key in (("titles right", "title"), ("dates right", "date"), ("snippet rules kept", "snippets")):
        cells = [f"{result['totals'][n][key][0]}/{result['totals'][n][key][1]}" for n in names]
        lines.append("  " + f"{label:30}" + "".join(f"{c:>19}" for c in cells))
    for label, key in (("body token-F1 mean", "body_f1_mean"), ("body token-F1 min", "body_f1_min")):
        cells = ["-" if result["totals"][n][key] is None else f"{result['totals'][n][key]:.3f}" for n in names]
        lines.append("  " + f"{label:30}" + "".join(f"{c:>19}" for c in cells))
    if result["missing"]:
        lines.append(f"note: peers not installed: {', '.join(result['missing'])} "
                     "(pip install -r requirements-bench.txt)")
    return "\n".join(lines)


# ------------------------------------------------------------------ date expressions
_GREGORIAN_OR_HIJRI_MONTH = None


def _month_names() -> re.Pattern:
    global _GREGORIAN_OR_HIJRI_MONTH
    if _GREGORIAN_OR_HIJRI_MONTH is None:
        from newscrawler.processors import dates

        names = list(dates._MONTHS) + list(dates._HIJRI_MONTHS)
        _GREGORIAN_OR_HIJRI_MONTH = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    return _GREGORIAN_OR_HIJRI_MONTH


def news_page_kind(case: dict) -> str | None:
    """The kind of date a news page shows, or None for what it does not show
    (times alone, weekdays, ranges, holidays, future, spelled-out numbers):

    * ``absolute``: a day, a month (a number or a month name) and a 4-digit year;
    * ``yesterday``: أمس / يوم أمس / البارحة / الأمس;
    * ``ago``: منذ … / قبل … with an amount (``قبل يومين``, ``منذ 3 أيام``).

    Recognizers-Text cases whose span is not in their own input sentence (the
    suite altered the span) are left out, and so are expected years before 1900.
    """
    from newscrawler.processors.dates import _fold

    text = _fold(case["text"])
    if case.get("full_input") and case["text"].strip() not in case["full_input"]:
        return None
    if case["kind"] == "duckling_negative":
        return None
    expected = case["expected"]
    if isinstance(expected, str) and expected[:4].isdigit() and int(expected[:4]) < 1900:
        return None
    if isinstance(expected, dict) and any(str((expected.get(k) or {}).get(f) or "9999")[:4] < "1900"
                                          for k in ("past", "future") for f in ("date", "dateTime")):
        return None
    if re.search(r"\d{4}", text) and (re.search(r"(?<!\d)\d{1,4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,4}(?!\d)", text)
                                      or (_month_names().search(text) and re.search(r"(?<!\d)\d{1,2}(?!\d)", text))):
        return "absolute"
    if re.fullmatch(r"(?:يوم\s+)?(?:ال)?امس|البارحه", text):
        return "yesterday"
    if re.match(r"(?:منذ|قبل)\s", text) and not re.search(r"الظهر|العصر|المغرب", text) and "بعد" not in text:
        return "ago"
    return None


_UNIT_DAYS = {"day": 1, "week": 7}


def _expected_value(case: dict, now: datetime) -> tuple[str | None, str]:
    """(expected ISO value, grain "day" or "minute") of a case."""
    e = case["expected"]
    if isinstance(e, str):
        grain = "day" if case.get("grain") in ("Day", "Week", "Month", "Year") or len(e) == 10 else "minute"
        return e, grain
    if "past" in e:
        past = e["past"] or {}
        if "dateTime" in past:
            return past["dateTime"].replace(" ", "T"), "minute"
        return past.get("date"), "day"
    if "relative_ago" in e:
        from dateutil.relativedelta import relativedelta

        ago = e["relative_ago"]
        value = now - relativedelta(**{k: v for k, v in ago.items()})
        return value.isoformat(), "day" if set(ago) <= {"days", "weeks", "months", "years"} else "minute"
    if "translation" in e:  # "1 day ago", "ago 2 hour"
        m = re.search(r"(\d+)\s+(minute|hour|day|week|month|year)", e["translation"])
        if not m:
            return None, "day"
        from dateutil.relativedelta import relativedelta

        value = now - relativedelta(**{m[2] + "s": int(m[1])})
        return value.isoformat(), "day" if m[2] in ("day", "week", "month", "year") else "minute"
    return None, "day"


def _same_at(got: str | None, expected: str | None, grain: str) -> bool:
    if not got or not expected:
        return False
    n = 10 if grain == "day" else 16
    return got.replace(" ", "T")[:n] == expected.replace(" ", "T")[:n]


# fixed "now" for the cases that have no reference time of their own (dateparser's)
DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, 0)


def date_expressions(path: Path | None = None) -> dict:
    """The date reader and dateparser on the news-page cases of the peer suites."""
    import dateparser

    from newscrawler.processors.dates import parse_date

    path = path or real_pages_dir() / "dates-from-peer-suites.json"
    cases = _read_json(path)
    rows = []
    for case in cases:
        kind = news_page_kind(case)
        if kind is None:
            continue
        ref = case.get("reference_time")
        now = datetime.fromisoformat(ref) if ref else DEFAULT_NOW
        local_now = now.replace(tzinfo=None)  # the suites' expectations are local wall-clock times
        expected, grain = _expected_value(case, local_now)
        mine = parse_date(case["text"], None, local_now)
        theirs = dateparser.parse(case["text"], languages=["ar"], settings={
            "RELATIVE_BASE": local_now, "PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False})
        rows.append({"text": case["text"], "kind": kind, "source": case["source_repo"], "expected": expected,
                     "grain": grain, "newscrawler": mine, "dateparser": theirs.isoformat() if theirs else None,
                     "newscrawler_ok": _same_at(mine, expected, grain),
                     "dateparser_ok": _same_at(theirs.isoformat() if theirs else None, expected, grain)})
    return {"rows": rows, "total": len(cases)}


def date_expressions_report(result: dict) -> str:
    rows = result["rows"]
    lines = [f"date expressions a news page can show ({len(rows)} of the {result['total']} peer-suite cases)",
             f"  {'kind':10} {'cases':>5} {'newscrawler':>12} {'dateparser':>11}"]
    for kind in ("absolute", "yesterday", "ago"):
        sub = [r for r in rows if r["kind"] == kind]
        lines.append(f"  {kind:10} {len(sub):>5} {sum(r['newscrawler_ok'] for r in sub):>12} "
                     f"{sum(r['dateparser_ok'] for r in sub):>11}")
    lines.append(f"  {'all':10} {len(rows):>5} {sum(r['newscrawler_ok'] for r in rows):>12} "
                 f"{sum(r['dateparser_ok'] for r in rows):>11}")
    wrong = [r for r in rows if not r["newscrawler_ok"]]
    for r in wrong:
        lines.append(f"  missed: {r['text']!r} expected {r['expected']} got {r['newscrawler']}")
    return "\n".join(lines)
