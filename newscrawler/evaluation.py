"""How well the generic extraction reads stored pages: field accuracy and body token-F1.

Cases (no network):

* the real LBCI article in ``tests/data/real-pages/`` (MIT-licensed test data of
  the Fundus project): title, date and paragraphs against its ground truth;
* stored pages of our own in ``tests/generic/fixtures/pages/<case>/``
  (``page.html``, ``meta.json`` with ``url`` and optional ``timezone``,
  ``expected.json`` with ``title``, ``published_at``, ``source``, ``paragraphs``);
* stored sitemaps, news sitemaps, feeds and a robots.txt in
  ``tests/generic/fixtures/discovery/<case>/`` (``input.*``, ``meta.json`` with
  ``url`` and ``kind``, ``expected.json`` with the entries).

Field accuracy: a field is right when it equals the expected value (text after
whitespace clean-up; dates as the same instant). Body token-F1: the F1 of the
bags of whitespace tokens of the extracted and the expected body.
"""

from __future__ import annotations

import gzip
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
    body_f1: float = 0.0


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
    result.body_f1 = token_f1(page.body, "\n\n".join(expected.get("paragraphs") or []))
    return result


def lbci_case(folder: Path | None = None) -> tuple[str, bytes, str, dict] | None:
    """The real LBCI page, or None when ``real-pages`` is not there."""
    folder = folder or real_pages_dir()
    page = folder / "LBCGroup_2026_01_08.html.gz"
    if not page.is_file():
        return None
    truth = _read_json(folder / "LBCGroup.json")["V1"]
    meta = _read_json(folder / "LBCGroup.meta.json")[page.name]
    paragraphs = [p for s in truth["body"]["sections"] for p in s["paragraphs"]]
    expected = {"title": truth["title"], "published_at": truth["publishing_date"], "paragraphs": paragraphs}
    try:
        html = gzip.decompress(page.read_bytes())
    except (OSError, EOFError) as e:
        raise EvaluationError(f"cannot read {page}: {e}") from None
    return "real/LBCGroup", html, meta["url"], expected


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
    lbci = lbci_case(real_pages)
    if lbci is None:
        notes.append(f"real pages not found in {real_pages or real_pages_dir()}: LBCI case skipped")
    else:
        pages.append(evaluate_page(*lbci))
    pages += [evaluate_page(*c) for c in page_cases(fixtures)]
    found = [evaluate_discovery(*c) for c in discovery_cases(fixtures)]
    return {"pages": pages, "discovery": found, "notes": notes}


def report(results: dict) -> str:
    lines = ["pages (generic extraction)", f"  {'case':34} {'title':6} {'date':6} {'source':6} body-F1"]
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
        lines.append(f"  {r.case:34} {marks[0]:6} {marks[1]:6} {marks[2]:6} {r.body_f1:.3f}")
    if totals:
        acc = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in totals.items())
        lines.append(f"  field accuracy: {acc}")
    if results["pages"]:
        mean = sum(r.body_f1 for r in results["pages"]) / len(results["pages"])
        lines.append(f"  body token-F1: mean {mean:.3f}, min {min(r.body_f1 for r in results['pages']):.3f}")
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
        "pages": [{"case": r.case, "fields": r.fields, "body_f1": round(r.body_f1, 4), "got": r.got}
                  for r in results["pages"]],
        "discovery": [{"case": r.case, "kind": r.kind, "expected": r.expected, "found": r.found,
                       "recall": r.recall, "precision": r.precision, "fields": r.fields}
                      for r in results["discovery"]],
        "notes": results["notes"],
    }
