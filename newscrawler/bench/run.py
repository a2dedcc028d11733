"""Orchestration of ``python -m newscrawler bench``: one line per figure, then a summary line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

FULL = {"crawl": 5000, "parser": 1000, "memory": (10_000, 50_000), "load_seconds": 5.0}
QUICK = {"crawl": 300, "parser": 40, "memory": (300, 1200), "load_seconds": 1.0}
PARTS = ("site", "crawl", "parser", "memory")  # the default run
EXTRA_PARTS = ("breakdown",)  # on request (--only): not a target, an explanation

TARGET_RATIO = 0.9
TARGET_SPEEDUP = 20.0
TARGET_GROWTH_MB = 50.0


class BenchError(RuntimeError):
    """A part of the benchmark could not run; the message is one line."""


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH")) if p)
    return env


def _child(module: str, *args: str, timeout: float = 3600) -> dict:
    cmd = [sys.executable, "-m", module, *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), cwd=PROJECT_ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{module} did not finish within {timeout:.0f} s") from None
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        err = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise BenchError(f"{module} failed (exit {proc.returncode}): {err[-1] if err else 'no output'}")
    return json.loads(lines[-1])


def _crawl(spider: str, url: str, out: str, jobdir: str | None = None, max_pages: int = 0,
           archive: bool = False, extra: tuple = ()) -> dict:
    args = ["--spider", spider, "--url", url, "--out", out, *extra]
    if jobdir:
        args += ["--jobdir", jobdir]
    if archive:
        args += ["--archive"]
    if max_pages:
        args += ["--max-pages", str(max_pages)]
    return _child("newscrawler.bench.child", *args)


def _say(line: str) -> None:
    print(line, flush=True)


def bench_site(sizes: dict) -> dict:
    from newscrawler.sample_site import RunningSite

    n = sizes["crawl"]
    with RunningSite(articles=n, seed=1) as site:
        r = _child("newscrawler.bench.load", site.url, "--articles", str(n),
                   "--seconds", str(sizes["load_seconds"]), "--threads", "8")
    _say(f"site:    {r['requests_per_s']:.0f} requests/s served ({r['requests']} requests, 8 keep-alive "
         f"connections from another process, {r['seconds']:.1f} s, {r['errors']} errors)")
    return r


def bench_crawl(sizes: dict) -> dict:
    """kashaf vs the fair bare spider on the same site, once per layout mix:
    the seed's order only ("classic") and every layout of the sample site ("all")."""
    from newscrawler.sample_site import RunningSite

    n = sizes["crawl"]
    mixes = {}
    for mix in ("classic", "all"):
        with RunningSite(articles=n, seed=1, layouts=mix) as site, \
                tempfile.TemporaryDirectory(prefix="nc-bench-") as tmp:
            a = _crawl("bare", site.url, str(Path(tmp) / "bare"))
            b = _crawl("kashaf", site.url, str(Path(tmp) / "kashaf"))
        ratio = b["pages_per_s"] / a["pages_per_s"] if a["pages_per_s"] else 0.0
        cpu_ratio = a["cpu_ms_per_page"] / b["cpu_ms_per_page"] if b["cpu_ms_per_page"] else 0.0
        _say(f"crawl a ({mix} layouts): bare Scrapy spider, same links: {a['pages_per_s']:.1f} pages/s "
             f"({a['pages']} pages in {a['seconds']:.1f} s; {a['cpu_ms_per_page']:.2f} CPU ms/page)")
        _say(f"crawl b ({mix} layouts): kashaf spider, every pipeline: {b['pages_per_s']:.1f} pages/s "
             f"({b['pages']} pages, {b['records']} records in {b['seconds']:.1f} s; "
             f"{b['cpu_ms_per_page']:.2f} CPU ms/page; {n} articles)")
        _say(f"crawl   ({mix} layouts): ratio b/a {ratio:.2f} (target >= {TARGET_RATIO}); "
             f"CPU per page a/b {cpu_ratio:.2f}")
        if a["pages"] != b["pages"]:
            _say(f"crawl   ({mix} layouts): NOTE the two crawls fetched different page counts "
                 f"({a['pages']} vs {b['pages']}): the comparison is not like with like")
        mixes[mix] = {"a": a, "b": b, "ratio": ratio, "cpu_ratio": cpu_ratio}
    ok = all(m["ratio"] >= TARGET_RATIO and m["a"]["pages"] == m["b"]["pages"] for m in mixes.values())
    return {"mixes": mixes, "a": mixes["all"]["a"], "ok": ok}


def bench_breakdown(sizes: dict) -> dict:
    """Where kashaf's time goes beside the bare spider, on every layout: each share is the
    difference of two crawls of the same pages (``bench/breakdown.py``)."""
    from newscrawler.sample_site import RunningSite

    n = sizes["crawl"]
    runs = {}
    with RunningSite(articles=n, seed=1, layouts="all") as site, \
            tempfile.TemporaryDirectory(prefix="nc-bench-") as tmp:
        dump = str(Path(tmp) / "responses")
        ways = {"bare": ("bare",), "kashaf": ("kashaf", "--record", dump),
                "pages given": ("kashaf", "--record", dump, "--given", "pages"),
                "items given": ("kashaf", "--record", dump, "--given", "items"),
                "items given, no pipelines": ("kashaf", "--record", dump, "--given", "items", "--no-pipelines")}
        for name, (spider, *extra) in ways.items():
            runs[name] = _crawl(spider, site.url, str(Path(tmp) / name.replace(" ", "_")), extra=tuple(extra))
    for name, r in runs.items():
        _say(f"breakdown: {name:26s} {r['pages_per_s']:7.1f} pages/s, {r['cpu_ms_per_page']:.2f} CPU ms/page "
             f"({r['pages']} pages, {r['item_scraped_count']} items)")
    ms = {name: r["cpu_ms_per_page"] for name, r in runs.items()}
    shares = {"parser": ms["kashaf"] - ms["pages given"], "item loader": ms["pages given"] - ms["items given"],
              "pipelines": ms["items given"] - ms["items given, no pipelines"]}
    _say("breakdown: CPU ms/page of kashaf's own work: " + ", ".join(f"{k} {v:.2f}" for k, v in shares.items())
         + f"; the rest {ms['items given, no pipelines']:.2f} vs the bare spider's {ms['bare']:.2f} "
         f"(the bare spider builds a tree and reads its links; with pages given, kashaf builds none)")
    need = ms["bare"] / TARGET_RATIO
    _say(f"breakdown: a ratio of {TARGET_RATIO} allows kashaf {need:.2f} CPU ms/page: "
         f"{need - ms['pages given']:+.2f} ms/page for the whole parser (today {shares['parser']:.2f})")
    same = len({r["pages"] for r in runs.values()}) == 1
    if not same:
        _say("breakdown: NOTE the crawls fetched different page counts: the differences are not like with like")
    return {"runs": runs, "shares": shares, "ok": same}


def bench_parser(sizes: dict) -> dict:
    from newscrawler.bench.parser import run

    r = run(sizes["parser"])
    ours, theirs = r["accuracy"]["ours"], r["accuracy"]["trafilatura"]
    speedup = r["trafilatura_ms"] / r["parser_ms"] if r["parser_ms"] else 0.0
    better = all(ours[f] >= theirs[f] for f in ours) and sum(ours.values()) > sum(theirs.values())

    def acc(a):
        return " ".join(f"{f} {a[f] * 100:.1f}%" for f in ("title", "body", "date"))

    _say(f"parser:  {r['parser_ms']:.3f} ms/page (with the item loader {r['parser_item_ms']:.3f} ms/page) "
         f"on {r['pages']} stored pages; accuracy {acc(ours)}")
    _say(f"parser:  trafilatura (favor_precision) {r['trafilatura_ms']:.2f} ms/page; accuracy {acc(theirs)}")
    _say(f"parser:  speed-up {speedup:.1f}x (target >= {TARGET_SPEEDUP:.0f}x; "
         f"{r['trafilatura_ms'] / r['parser_item_ms']:.1f}x with the item loader); "
         f"accuracy {'better' if better else 'NOT better'} than trafilatura")
    r.update(speedup=speedup, ok=speedup >= TARGET_SPEEDUP, accuracy_ok=better)
    return r


def bench_memory(sizes: dict) -> dict:
    from newscrawler.sample_site import RunningSite

    peaks = {}
    for n in sizes["memory"]:
        with RunningSite(articles=n, seed=1) as site, tempfile.TemporaryDirectory(prefix="nc-bench-") as tmp:
            r = _crawl("kashaf", site.url, str(Path(tmp) / "out"), jobdir=str(Path(tmp) / "job"))
        peaks[n] = r
        _say(f"memory:  kashaf crawl of {n} articles with JOBDIR: peak RSS {r['max_rss_kb'] / 1024:.1f} MB "
             f"({r['pages']} pages, {r['records']} records, {r['pages_per_s']:.1f} pages/s)")
    small, big = sizes["memory"]
    growth = (peaks[big]["max_rss_kb"] - peaks[small]["max_rss_kb"]) / 1024
    _say(f"memory:  growth from {small} to {big} articles {growth:+.1f} MB (target <= {TARGET_GROWTH_MB:.0f} MB)")
    return {"peaks": peaks, "growth_mb": growth, "ok": growth <= TARGET_GROWTH_MB}


def run(parts=PARTS, quick: bool = False) -> int:
    sizes = QUICK if quick else FULL
    import platform

    _say(f"newscrawler bench ({'quick' if quick else 'full'}): {os.cpu_count()} cores, {_cpu_model()}, "
         f"Python {platform.python_version()}")
    results = {}
    for part in PARTS + EXTRA_PARTS:
        if part in parts:
            results[part] = globals()[f"bench_{part}"](sizes)
    verdicts = []
    if "crawl" in results:
        verdicts.append(("crawl ratio", results["crawl"]["ok"]))
    if "parser" in results:
        verdicts.append(("parser speed-up", results["parser"]["ok"]))
        verdicts.append(("parser accuracy", results["parser"]["accuracy_ok"]))
    if "memory" in results:
        verdicts.append(("memory growth", results["memory"]["ok"]))
    if "site" in results and "crawl" in results:
        fast = results["site"]["requests_per_s"] > results["crawl"]["a"]["pages_per_s"]
        verdicts.append(("site not the bottleneck", fast))
    met = ", ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in verdicts) or "none measured"
    if quick:  # tiny sizes: a check that everything runs, not a measurement; the targets are not judged
        _say(f"summary: targets met: {met} (quick run: the figures mean nothing, exit code 0 whatever they are)")
        return 0
    _say(f"summary: targets met: {met}")
    return 0 if all(ok for _, ok in verdicts) else 1


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"
