"""The crawl report: written from a real crawl, opened in headless Chromium, every chart read back."""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from newscrawler.browser import find_browser
from newscrawler.report import MAX_BARS, NO_SCORE, UNKNOWN
from tests.conftest import ROOT
from tests.helpers import read_jsonl

pytestmark = pytest.mark.e2e


def newscrawler(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "newscrawler", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def score_bin(v):
    if v is None:
        return NO_SCORE
    lo = min(v // 10 * 10, 90)
    return f"{lo}–{100 if lo == 90 else lo + 9}"


def expected(run) -> dict:
    records = read_jsonl(run["records"])
    s = run["summary"]
    return {
        "outlet": Counter(r["source"] or UNKNOWN for r in records),
        "country": Counter(r["source_country"] or UNKNOWN for r in records),
        "category": Counter(r["category"] or UNKNOWN for r in records),
        "day": Counter(r["published_at"][:10] for r in records),
        "credibility": Counter(score_bin(r["credibility"]) for r in records),
        "importance": Counter(score_bin(r["importance"]) for r in records),
        "rejects": Counter(f"{r['field']}:{r['code']}" for r in read_jsonl(run["rejects"])),
        "duplicates": Counter({k: v for k, v in s["duplicates_by_kind"].items() if v}),
        "_records": len(records),
    }


# where the first and second word of the Arabic title are drawn (x of their left edges)
WORDS = """(() => { const t = document.querySelector('h1').firstChild; const s = t.textContent;
  const x = w => { const r = document.createRange(); r.setStart(t, s.indexOf(w)); r.setEnd(t, s.indexOf(w) + w.length);
                   return r.getBoundingClientRect().left; };
  return [x('تقرير'), x('الزحف')]; })()"""

# the date span card "من 2026-11-13 إلى 2026-11-20": [year x, day x] of each date, in text order
DATES = """(() => { const b = [...document.querySelectorAll('.card b')].find(e => e.textContent.startsWith('من'));
  const t = b.firstChild; const s = t.textContent;
  const x = (i, n) => { const r = document.createRange(); r.setStart(t, i); r.setEnd(t, i + n);
                        return r.getBoundingClientRect().left; };
  return [...s.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)].map(m => [x(m.index, 4), x(m.index + 8, 2)]); })()"""

READ_CHARTS = """() => {
  const out = {};
  for (const g of document.querySelectorAll('g[data-chart]')) {
    const svg = g.ownerSVGElement.getBoundingClientRect();
    const rect = g.querySelector('rect').getBoundingClientRect();
    const label = g.querySelector('text.label').getBoundingClientRect();
    const value = g.querySelector('text.value');
    (out[g.dataset.chart] = out[g.dataset.chart] || []).push({
      label: g.dataset.label, key: g.dataset.key || null,
      count: g.dataset.count === undefined ? null : Number(g.dataset.count),
      value: g.dataset.value === undefined ? null : Number(g.dataset.value),
      shown: value.textContent, w: rect.width, h: rect.height,
      inside: label.left >= svg.left - 1 && label.right <= svg.right + 1 && label.width > 0,
      valueInside: value.getBoundingClientRect().left >= svg.left - 1,
    });
  }
  return out;
}"""


@pytest.fixture(scope="module")
def report(healthy_run, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("report")
    run = healthy_run["runs"][0]
    out = tmp / "report.html"
    proc = newscrawler("report", str(run["records"]), "--summary", str(healthy_run["runs"][1]["summary_file"]),
                       "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"report: {out} ({run['summary']['records']} records from 1 files, 2 summaries)")
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_browser(os.environ.get("NEWSCRAWLER_BROWSER")))
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(out.as_uri())
        charts = page.evaluate(READ_CHARTS)
        doc = page.evaluate("() => ({dir: document.documentElement.dir, lang: document.documentElement.lang,"
                            " direction: getComputedStyle(document.body).direction,"
                            " figures: [...document.querySelectorAll('figure[data-chart-id]')].map(f =>"
                            " [f.dataset.chartId, Number(f.dataset.total), f.getBoundingClientRect().height]),"
                            " monitors: [...document.querySelectorAll('#monitors tr[data-run]')].map(r =>"
                            " Number(r.dataset.failed)), words: " + WORDS + ", dates: " + DATES + "})")
        shot = tmp / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    return {"run": run, "html": out.read_text("utf-8"), "charts": charts, "doc": doc, "requests": requests,
            "shot": shot, "expected": expected(run), "healthy": healthy_run}


@pytest.mark.parametrize("chart", ["outlet", "country", "category", "day", "credibility", "importance",
                                   "rejects", "duplicates"])
@pytest.mark.browser
def test_every_chart_shows_the_counts_of_the_jsonl(report, chart):
    want = report["expected"][chart]
    bars = report["charts"][chart]
    key = "key" if chart == "duplicates" else "label"
    got = {b[key]: b["count"] for b in bars if b["count"]}
    assert got == dict(want)
    if chart in ("outlet", "country", "category"):
        assert len(want) < MAX_BARS
    peak = max(b["count"] for b in bars)
    longest = max(b["w"] if chart not in ("credibility", "importance") else b["h"] for b in bars)
    for b in bars:
        assert b["shown"] == f"{b['count']:,}", b  # the number drawn is the number counted
        size = b["h"] if chart in ("credibility", "importance") else b["w"]
        assert size == pytest.approx(longest * b["count"] / peak, abs=2), b  # drawn to scale
        if chart not in ("credibility", "importance"):
            assert b["inside"] and b["valueInside"], b  # right-to-left labels stay inside the chart


@pytest.mark.browser
def test_histograms_cover_every_record(report):
    n = report["expected"]["_records"]
    for chart in ("credibility", "importance"):
        assert sum(b["count"] for b in report["charts"][chart]) == n
        assert [b["label"] for b in report["charts"][chart]][:10] == [score_bin(v) for v in range(0, 100, 10)]


@pytest.mark.browser
def test_timings_and_monitors_of_the_summaries(report):
    summaries = [r["summary"] for r in report["healthy"]["runs"]]
    timing = {b["label"]: b["value"] for b in report["charts"]["timing"]}
    names = [Path(s["summary_file"]).name[: -len(".summary.json")] for s in summaries]
    assert timing == {n: round(s["elapsed_seconds"], 1) for n, s in zip(names, summaries)}
    speed = {b["label"]: b["value"] for b in report["charts"]["speed"]}
    assert speed[names[0]] == round(summaries[0]["pages_fetched"] * 60 / summaries[0]["elapsed_seconds"], 1)
    assert report["doc"]["monitors"] == [0, 0]


def test_the_crawl_budget_of_the_summaries(report):
    summaries = [r["summary"] for r in report["healthy"]["runs"]]
    bars = {b["key"]: b["count"] for b in report["charts"]["budget"]}
    assert set(bars) == {"no_new_links", "other_depth", "depth_limit", "page_budget"}
    assert bars == {k: sum(s["budget"]["chains_stopped"][k] for s in summaries) for k in bars}
    assert bars["no_new_links"] > 0  # the second, incremental run stops its chains where nothing is new
    ratios = re.findall(r"data-pages-per-record='([^']*)'", report["html"])
    assert ratios == ["" if s["budget"]["pages_per_record"] is None else str(s["budget"]["pages_per_record"])
                      for s in summaries]


@pytest.mark.browser
def test_the_page_is_rtl_arabic_self_contained_and_drawn(report):
    doc = report["doc"]
    assert (doc["dir"], doc["lang"], doc["direction"]) == ("rtl", "ar", "rtl")
    first, second = doc["words"]
    assert first > second  # "تقرير الزحف": the first word is drawn to the right of the second
    (year1, day1), (year2, day2) = doc["dates"]
    assert year1 < day1 and year2 < day2  # each date reads 2026-11-13, not 13-11-2026
    assert year2 < year1  # ...and the first date is to the right of the last
    assert all(r.startswith("file://") for r in report["requests"]), report["requests"]
    html = report["html"]
    for external in ("<script", "<link", "src=", "@import", "url("):
        assert external not in html
    ids = {f[0] for f in doc["figures"]}
    assert {"outlet", "country", "category", "day", "credibility", "importance", "rejects", "duplicates",
            "timing", "speed"} <= ids
    assert all(height > 60 for _, _, height in doc["figures"])
    assert report["shot"].stat().st_size > 50_000


@pytest.mark.browser
def test_an_arabic_font_is_installed_for_chromium():
    fonts = subprocess.run(["fc-list", ":lang=ar", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no font with Arabic glyphs: apt-get install fonts-dejavu-core (see .ci/run)"


def test_report_reads_folders_and_rejects_bad_input_with_one_line(healthy_run, tmp_path):
    out = healthy_run["out"]
    proc = newscrawler("report", str(out), "--out", str(tmp_path / "all.html"))
    total = sum(r["summary"]["records"] for r in healthy_run["runs"])
    # the second run wrote nothing new: it left no .jsonl, only its summary
    assert [r["records"].exists() for r in healthy_run["runs"]] == [True, False]
    assert proc.returncode == 0 and f"({total} records from 1 files, 2 summaries)" in proc.stdout, proc.stderr
    proc = newscrawler("report", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "x.html"))
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert "report: cannot read" in proc.stderr and "no such file" in proc.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"source": "x"}\n{not json\n', encoding="utf-8")
    proc = newscrawler("report", str(bad), "--out", str(tmp_path / "x.html"))
    assert proc.returncode == 2 and f"{bad}:2: not a JSON line" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x.html").exists()
    proc = newscrawler("report", str(bad))
    assert proc.returncode == 2 and "--out" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_the_demo_ends_with_the_path_of_its_report(tmp_path):
    proc = newscrawler("demo", "--articles", "60", "--output-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("report: ") and last.endswith(".report.html")
    path = Path(last[len("report: "):])
    assert path.is_file() and path.with_name(path.name.replace(".report.html", ".jsonl")).is_file()
    assert "monitors:      7 passed, 0 failed" in proc.stdout
    assert 'data-chart="outlet"' in path.read_text("utf-8")
    archived = [line for line in proc.stdout.splitlines() if line.startswith("archive:")]  # the demo archives
    assert len(archived) == 1 and list((tmp_path / "archive").glob("*.warc.gz"))
