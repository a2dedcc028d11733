"""The crawl report: one self-contained HTML page (no scripts, fonts or styles
from elsewhere) with charts drawn as inline SVG.

Shows records per outlet, per country, per category and per day, the
distributions of credibility and importance, duplicates and rejects by
reason, the crawl's timings, the crawl budget (pages fetched per record, the
chains the budget stopped and why) and the monitors' results. It reads the given
``.jsonl`` files and, beside each ``<run>.jsonl``, ``<run>.rejects.jsonl``
and ``<run>.summary.json`` when they exist; more summaries can be given.

Every bar is an SVG ``<g>`` with ``data-chart`` (the chart's id),
``data-label`` (what it counts) and ``data-count`` (how many) or
``data-value`` (timings), so a test or a script can read the page back.
The page is ``dir="rtl" lang="ar"``; labels read right to left, bars grow
from the right.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from newscrawler.output import folder_error

UNKNOWN = "غير محدد"  # a null country, category or outlet; an unreadable date
NO_SCORE = "بلا درجة"  # a null score
OTHERS = "مصادر أخرى"  # the bar that sums the outlets past the first MAX_BARS
MAX_BARS = 30
BINS = [(lo, lo + 9) for lo in range(0, 90, 10)] + [(90, 100)]
DUPLICATE_KINDS = {
    "url": "الرابط نفسه (same url)",
    "story": "الخبر نفسه خلال دقائق (same story)",
    "across_files": "مكرر بين الملفات (same id in two files)",
}


class ReportError(ValueError):
    """A file that cannot be read; the message is one line."""


def bin_label(lo: int, hi: int) -> str:
    return f"{lo}–{hi}"


def score_bin(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return NO_SCORE
    for lo, hi in BINS:
        if lo <= value <= hi or (hi == 100 and value > 100) or (lo == 0 and value < 0):
            return bin_label(lo, hi)
    return bin_label(*BINS[-1])


def day_of(published_at) -> str:
    if isinstance(published_at, str) and len(published_at) >= 10:
        try:
            datetime.strptime(published_at[:10], "%Y-%m-%d")
            return published_at[:10]
        except ValueError:
            pass
    return UNKNOWN


# ---------------------------------------------------------------- reading
@dataclass
class Data:
    record_files: list[Path] = field(default_factory=list)
    rejects_files: list[Path] = field(default_factory=list)
    summary_files: list[Path] = field(default_factory=list)
    records: int = 0
    outlets: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    categories: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)
    credibility: Counter = field(default_factory=Counter)
    importance: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)
    rejects: Counter = field(default_factory=Counter)
    summaries: list[dict] = field(default_factory=list)


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(path.name[: -len(".jsonl")] + suffix)


def _lines(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as e:
                    raise ReportError(f"{path}:{n}: not a JSON line ({e.msg})") from None
                if not isinstance(value, dict):
                    raise ReportError(f"{path}:{n}: not a JSON object")
                yield value
    except FileNotFoundError:
        raise ReportError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"cannot read {path}: it is a folder") from None
    except UnicodeDecodeError:
        raise ReportError(f"cannot read {path}: not UTF-8 text") from None
    except OSError as e:
        raise ReportError(f"cannot read {path}: {e.strerror or e}") from None


def _summary(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReportError(f"cannot read {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ReportError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}: not a run summary (invalid JSON at line {e.lineno}: {e.msg})") from None
    if not isinstance(value, dict):
        raise ReportError(f"{path}: not a run summary (not a JSON object)")
    value.setdefault("summary_file", str(path))
    return value


def collect(files: list[Path], summaries: list[Path] | None = None) -> Data:
    """Read the record files (and the rejects/summary files beside them)."""
    data = Data()
    record_files, rejects_files, summary_files = [], [], []

    def add(target: list, path: Path):
        if path.resolve() not in {p.resolve() for p in target}:
            target.append(path)

    for f in map(Path, files):
        if f.is_dir():
            for p in sorted(f.glob("*.jsonl")):
                (add(rejects_files, p) if p.name.endswith(".rejects.jsonl") else add(record_files, p))
            for p in sorted(f.glob("*.summary.json")):
                add(summary_files, p)
            continue
        if f.name.endswith(".rejects.jsonl"):
            add(rejects_files, f)
        elif f.name.endswith(".summary.json"):
            add(summary_files, f)
        else:
            add(record_files, f)
    for f in record_files:
        if f.name.endswith(".jsonl"):
            for suffix, target in ((".rejects.jsonl", rejects_files), (".summary.json", summary_files)):
                s = _sibling(f, suffix)
                if s.is_file():
                    add(target, s)
    for s in summaries or []:
        add(summary_files, Path(s))

    ids = set()
    for f in record_files:
        for r in _lines(f):
            data.records += 1
            data.outlets[r.get("source") or UNKNOWN] += 1
            data.countries[r.get("source_country") or UNKNOWN] += 1
            data.categories[r.get("category") or UNKNOWN] += 1
            data.days[day_of(r.get("published_at"))] += 1
            data.credibility[score_bin(r.get("credibility"))] += 1
            data.importance[score_bin(r.get("importance"))] += 1
            rid = r.get("id") or r.get("url")
            if rid is not None:
                if rid in ids:
                    data.duplicates["across_files"] += 1
                ids.add(rid)
    runs_with_rejects = set()
    for f in rejects_files:
        runs_with_rejects.add(f.name[: -len(".rejects.jsonl")])
        for r in _lines(f):
            key = f"{r['field']}:{r['code']}" if r.get("field") and r.get("code") else (r.get("reason") or "?")
            data.rejects[key] += 1
    for f in summary_files:
        s = _summary(f)
        data.summaries.append(s)
        for kind, n in (s.get("duplicates_by_kind") or {}).items():
            if isinstance(n, int):
                data.duplicates[kind] += n
        run = f.name[: -len(".summary.json")] if f.name.endswith(".summary.json") else None
        if run not in runs_with_rejects:  # no rejects file read for this run: take the summary's counts
            for reason, n in (s.get("rejects_by_reason") or {}).items():
                if isinstance(n, int):
                    data.rejects[reason] += n
    data.summaries.sort(key=lambda s: (str(s.get("start_time") or ""), _run_name(s)))  # the runs in time order
    data.record_files, data.rejects_files, data.summary_files = record_files, rejects_files, summary_files
    return data


# ---------------------------------------------------------------- drawing
def _fmt(n) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def hbar_chart(chart: str, bars: list[tuple[str, int | float]], *, value_attr: str = "count",
               keys: list[str] | None = None, unit: str = "") -> str:
    """Horizontal bars for RTL: label on the right, the bar grows leftwards, the number at its end."""
    if not bars:
        return '<p class="empty">لا توجد بيانات (no data)</p>'
    width, label_w, row_h, top = 760, 250, 26, 8
    bar_right = width - label_w - 10
    bar_max = bar_right - 90
    peak = max(v for _, v in bars) or 1
    height = top * 2 + row_h * len(bars)
    out = [f'<svg class="hbars" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'xmlns="http://www.w3.org/2000/svg">']
    for i, (label, value) in enumerate(bars):
        y = top + i * row_h
        length = max(1.5, bar_max * value / peak) if value else 0
        key = f' data-key="{escape(keys[i])}"' if keys else ""
        text_value = _fmt(value) + unit
        out.append(
            f'<g class="bar" data-chart="{chart}" data-label="{escape(label)}" data-{value_attr}="{value}"{key}>'
            f"<title>{escape(label)}: {escape(text_value)}</title>"
            f'<text class="label" x="{width - 6}" y="{y + row_h / 2 + 5:.1f}" text-anchor="start">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{bar_right - length:.1f}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" rx="3"/>'
            f'<text class="value" x="{bar_right - length - 6:.1f}" y="{y + row_h / 2 + 5:.1f}" '
            f'direction="ltr" text-anchor="end">{escape(text_value)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def histogram(chart: str, counts: Counter) -> str:
    """Columns for the score bins 0–9 … 90–100 (left to right), then records without a score."""
    labels = [bin_label(lo, hi) for lo, hi in BINS] + ([NO_SCORE] if counts.get(NO_SCORE) else [])
    if not sum(counts.values()):
        return '<p class="empty">لا توجد بيانات (no data)</p>'
    width, height, left, bottom, top = 760, 240, 40, 34, 22
    col_w = (width - left - 10) / len(labels)
    peak = max(counts.get(label, 0) for label in labels) or 1
    plot_h = height - top - bottom
    out = [f'<svg class="histogram" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'xmlns="http://www.w3.org/2000/svg">',
           f'<line class="axis" x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}"/>']
    for i, label in enumerate(labels):
        n = counts.get(label, 0)
        h = plot_h * n / peak
        x = left + i * col_w
        cx = x + col_w / 2
        out.append(
            f'<g class="bar" data-chart="{chart}" data-label="{escape(label)}" data-count="{n}">'
            f"<title>{escape(label)}: {n}</title>"
            f'<rect x="{x + 4:.1f}" y="{height - bottom - h:.1f}" width="{col_w - 8:.1f}" height="{h:.1f}" rx="2"/>'
            f'<text class="value" x="{cx:.1f}" y="{height - bottom - h - 5:.1f}" text-anchor="middle">{n}</text>'
            f'<text class="label" x="{cx:.1f}" y="{height - bottom + 18}" text-anchor="middle">{escape(label)}</text>'
            f"</g>"
        )
    out.append("</svg>")
    return "".join(out)


def _top(counter: Counter, limit: int = MAX_BARS) -> list[tuple[str, int]]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] == UNKNOWN, kv[0]))
    if len(items) <= limit:
        return items
    rest = items[limit - 1:]
    return items[: limit - 1] + [(f"{OTHERS} ({len(rest)})", sum(n for _, n in rest))]


CSS = """
:root { --ink:#1d2733; --muted:#5b6877; --bar:#2f7d6d; --bar2:#b5573c; --line:#d9dee4; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: var(--bg); color: var(--ink);
       font-family: "DejaVu Sans", "Noto Sans Arabic", "Noto Naskh Arabic", Tahoma, "Segoe UI", Arial, sans-serif;
       line-height: 1.5; }
main { max-width: 820px; margin: 0 auto; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 0 0 2px; }
.en { color: var(--muted); font-size: .85rem; font-weight: normal; direction: ltr; unicode-bidi: isolate; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 18px 0; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.card b { display: block; font-size: 1.4rem; text-align: right; }
.card span { color: var(--muted); font-size: .85rem; }
section, figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
                  margin: 0 0 16px; }
figure figcaption { margin-bottom: 8px; }
svg { display: block; max-width: 100%; height: auto; direction: rtl; }
svg.histogram { direction: ltr; }
svg rect { fill: var(--bar); }
#chart-rejects svg rect, #chart-duplicates svg rect { fill: var(--bar2); }
svg text { font-size: 13px; fill: var(--ink); }
svg text.value { fill: var(--muted); font-size: 12px; }
svg .axis { stroke: var(--line); }
.empty { color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 6px; text-align: start; }
td.num, .ltr { direction: ltr; unicode-bidi: isolate; }
.ok { color: #2f7d6d; } .fail { color: #b5573c; font-weight: bold; }
ul.files { direction: ltr; text-align: left; font-size: .8rem; color: var(--muted); }
"""


def _figure(chart: str, title: str, english: str, body: str, total) -> str:
    return (f'<figure class="chart" id="chart-{chart}" data-chart-id="{chart}" data-total="{total}">'
            f'<figcaption><h2>{escape(title)} <span class="en">{escape(english)}</span></h2></figcaption>'
            f"{body}</figure>")


def _run_name(s: dict) -> str:
    f = s.get("summary_file") or s.get("output_file") or "?"
    name = Path(str(f)).name
    for suffix in (".summary.json", ".jsonl"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _timings(summaries: list[dict]) -> str:
    if not summaries:
        return ""
    rows, elapsed, speed = [], [], []
    for s in summaries:
        name = _run_name(s)
        secs = s.get("elapsed_seconds")
        pages = s.get("pages_fetched") or 0
        if isinstance(secs, (int, float)):
            elapsed.append((name, round(float(secs), 1)))
            if secs > 0:
                speed.append((name, round(pages * 60 / secs, 1)))
        rows.append(
            f"<tr><td class='ltr'>{escape(name)}</td><td class='ltr'>{escape(str(s.get('start_time') or ''))}</td>"
            f"<td class='ltr'>{escape(str(s.get('end_time') or ''))}</td><td class='num'>{escape(str(secs))}</td>"
            f"<td class='num'>{pages}</td><td class='num'>{s.get('records', 0)}</td>"
            f"<td class='ltr'>{escape(str(s.get('finish_reason')))}</td></tr>")
    table = ("<table><tr><th>التشغيل run</th><th>البداية start</th><th>النهاية end</th><th>ثوانٍ s</th>"
             "<th>صفحات pages</th><th>سجلات records</th><th>سبب الانتهاء finish</th></tr>" + "".join(rows) + "</table>")
    return (_figure("timing", "مدة الزحف (ثوانٍ)", "Crawl time per run, seconds",
                    hbar_chart("timing", elapsed, value_attr="value", unit=" s"), sum(v for _, v in elapsed))
            + _figure("speed", "سرعة الزحف (صفحة في الدقيقة)", "Pages fetched per minute",
                      hbar_chart("speed", speed, value_attr="value"), sum(v for _, v in speed))
            + f'<section id="runs"><h2>التشغيلات <span class="en">Runs</span></h2>{table}</section>')


def _monitors(summaries: list[dict]) -> str:
    rows = []
    for s in summaries:
        m = s.get("monitors")
        if not isinstance(m, dict):
            continue
        failures = m.get("failures") or []
        state = (f"<span class='fail'>فشل {m.get('failed', 0)} (failed)</span>" if m.get("failed")
                 else "<span class='ok'>سليم (all passed)</span>")
        detail = "<br>".join(f"<span class='ltr'>{escape(str(f.get('monitor')))}: {escape(str(f.get('reason')))}</span>"
                             for f in failures)
        rows.append(f"<tr data-run='{escape(_run_name(s))}' data-failed='{m.get('failed', 0)}'>"
                    f"<td class='ltr'>{escape(_run_name(s))}</td><td>{state}</td>"
                    f"<td class='num'>{m.get('passed', 0)}</td><td>{detail}</td></tr>")
    if not rows:
        return ""
    return ('<section id="monitors"><h2>فحوص السلامة <span class="en">Monitors</span></h2><table>'
            "<tr><th>التشغيل run</th><th>الحالة state</th><th>نجح passed</th><th>الإخفاقات failures</th></tr>"
            + "".join(rows) + "</table></section>")


def _distinct(counter: Counter) -> int:
    """How many outlets/countries/categories: a null value (UNKNOWN) is none of them."""
    return sum(1 for k in counter if k != UNKNOWN)


STOP_WORDS = {  # the crawl budget's stop reasons (spiders/budget.py REASONS), in words; also the run wrapper's
    "no_new_links": "no new links", "other_depth": "other-depth", "depth_limit": "depth limit",
    "page_budget": "page budget",
}
_STOP_ARABIC = {"no_new_links": "لا روابط جديدة", "other_depth": "عمق الصفحات الأخرى", "depth_limit": "حد العمق",
                "page_budget": "ميزانية الصفحات"}
STOP_REASONS = {k: f"{_STOP_ARABIC[k]} ({words})" for k, words in STOP_WORDS.items()}


def _budget(summaries: list[dict]) -> str:
    """Pages fetched per record and the chains stopped, by reason, per run and in all."""
    runs = [s for s in summaries if isinstance(s.get("budget"), dict)]
    if not runs:
        return ""
    totals = Counter()
    rows = []
    for s in runs:
        b = s["budget"]
        stopped = b.get("chains_stopped") or {}
        totals.update({k: v for k, v in stopped.items() if isinstance(v, int)})
        ratio = b.get("pages_per_record")
        cells = "".join(f"<td class='num'>{stopped.get(k, 0)}</td>" for k in STOP_REASONS)
        rows.append(f"<tr data-run='{escape(_run_name(s))}' data-pages-per-record='{'' if ratio is None else ratio}'>"
                    f"<td class='ltr'>{escape(_run_name(s))}</td><td class='num'>{s.get('pages_fetched', 0)}</td>"
                    f"<td class='num'>{s.get('records', 0)}</td>"
                    f"<td class='num'>{'—' if ratio is None else escape(str(ratio))}</td>{cells}</tr>")
    bars = [(label, totals.get(k, 0)) for k, label in STOP_REASONS.items()]
    head = "".join(f"<th>{escape(label)}</th>" for label in STOP_REASONS.values())
    table = ("<table><tr><th>التشغيل run</th><th>صفحات pages</th><th>سجلات records</th>"
             f"<th>صفحات لكل سجل pages per record</th>{head}</tr>" + "".join(rows) + "</table>")
    return (_figure("budget", "السلاسل التي أوقفتها ميزانية الزحف حسب السبب", "Chains stopped by the crawl budget, by reason",
                    hbar_chart("budget", bars, keys=list(STOP_REASONS)), sum(totals.values()))
            + f'<section id="budget"><h2>ميزانية الزحف <span class="en">Crawl budget</span></h2>{table}</section>')


def render(data: Data, title: str = "تقرير الزحف") -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    known_days = sorted(d for d in data.days if d != UNKNOWN)
    # "from … to"; each date isolated left-to-right (after Arabic letters its digits would read as
    # Arabic numbers and the hyphens would flip the date to 13-11-2026)
    span = f"من \u2066{known_days[0]}\u2069 إلى \u2066{known_days[-1]}\u2069" if known_days else "—"
    cards = [
        (_fmt(data.records), "سجلات records"),
        (_fmt(_distinct(data.outlets)), "مصادر outlets"),
        (_fmt(_distinct(data.countries)), "دول countries"),
        (_fmt(_distinct(data.categories)), "تصنيفات categories"),
        (_fmt(sum(data.rejects.values())), "مرفوضة rejects"),
        (_fmt(sum(data.duplicates.values())), "مكررة duplicates"),
        (span, "الفترة dates"),
    ]
    cards_html = "".join(f'<div class="card"><b>{escape(v)}</b><span>{escape(k)}</span></div>'
                         for v, k in cards)
    days = sorted(data.days.items(), key=lambda kv: (kv[0] == UNKNOWN, kv[0]))
    dup = [(DUPLICATE_KINDS.get(k, k), n) for k, n in sorted(data.duplicates.items()) if n]
    dup_keys = [k for k, n in sorted(data.duplicates.items()) if n]
    rejects = sorted(data.rejects.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = [
        _figure("outlet", "السجلات حسب المصدر", "Records per outlet", hbar_chart("outlet", _top(data.outlets)),
                data.records),
        _figure("country", "السجلات حسب الدولة", "Records per country",
                hbar_chart("country", _top(data.countries)), data.records),
        _figure("category", "السجلات حسب التصنيف", "Records per category",
                hbar_chart("category", _top(data.categories)), data.records),
        _figure("day", "السجلات حسب يوم النشر", "Records per publication day", hbar_chart("day", days),
                data.records),
        _figure("credibility", "توزيع مستوى الصحة", "Credibility distribution",
                histogram("credibility", data.credibility), data.records),
        _figure("importance", "توزيع الأهمية", "Importance distribution",
                histogram("importance", data.importance), data.records),
        _figure("duplicates", "المكررات حسب النوع", "Duplicates by kind",
                hbar_chart("duplicates", dup, keys=dup_keys), sum(data.duplicates.values())),
        _figure("rejects", "المرفوضة حسب السبب", "Rejects by reason", hbar_chart("rejects", rejects),
                sum(data.rejects.values())),
        _timings(data.summaries),
        _budget(data.summaries),
        _monitors(data.summaries),
    ]
    files = "".join(f"<li>{escape(str(p))}</li>" for p in data.record_files + data.rejects_files + data.summary_files)
    return (
        '<!DOCTYPE html>\n<html dir="rtl" lang="ar"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{escape(title)} <span class="en">newscrawler crawl report</span></h1>'
        f'<p class="en">{escape(now)} · {len(data.record_files)} record files · {len(data.summaries)} summaries</p>'
        f'<div class="cards">{cards_html}</div>' + "".join(parts)
        + f'<section><h2>الملفات <span class="en">Files</span></h2><ul class="files">{files}</ul></section>'
        "</main></body></html>\n"
    )


def write_report(files: list, out, summaries: list | None = None, title: str | None = None) -> Data:
    """Read ``files``, write the page to ``out`` (atomically); returns what was read."""
    data = collect([Path(f) for f in files], [Path(s) for s in summaries or []])
    page = render(data, title or "تقرير الزحف")
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as e:
        raise ReportError(f"cannot write {out}: {folder_error(out.parent, e)}") from None
    return data
