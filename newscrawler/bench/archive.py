"""``python -m newscrawler bench-archive``: what archiving costs and how fast reparse is.

In one process tree: the sample site in its own subprocess, each crawl in a
fresh child (``newscrawler.bench.child``, the benchmark settings of ``bench``),
each reparse in a fresh child (this module's ``main``). On the same site:

* (a) the kashaf crawl without the archive, (b) the same crawl with it: the
  archive's cost in pages/s (b/a) and on disk (bytes per 1,000 archived pages);
* (c) ``reparse`` of (b)'s archive with one worker per core, and (d) all in one
  process: pages/s over the same pages, beside the faster of the live crawls
  (a) and (b) (target >= 5). Each of
  (a)-(d) runs twice, interleaved, and the faster run counts (the machine is
  shared); pages per CPU-second are printed too (the crawl's own process; the
  reparse process and its workers), a figure that other work on the machine
  disturbs less;
* memory: reparse of the archives of two crawls (10,000 and 50,000 articles):
  peak RSS of the reparse process and of its largest worker (target: growth
  <= 50 MB).

Rates are pages handed to the spider over the run's elapsed time, from the
run summaries (a crawl: engine start to finish; a reparse: from its spider
opening to the end, archive reading included).

``python -m newscrawler.bench.archive ARCHIVE --out DIR --jobs N`` (the child)
prints one JSON line: pages, seconds, pages_per_s, records, max_rss_kb (itself),
workers_max_rss_kb (its largest worker).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
from pathlib import Path

from newscrawler.bench.run import BenchError, _child, _cpu_model, _crawl, _say

FULL = {"speed": 5000, "memory": (10_000, 50_000)}
QUICK = {"speed": 300, "memory": (300, 1200)}
TARGET_SPEEDUP = 5.0
TARGET_GROWTH_MB = 50.0


def _reparse(archive: Path, out: Path, jobs: int) -> dict:
    return _child("newscrawler.bench.archive", str(archive), "--out", str(out), "--jobs", str(jobs))


def _archive_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.warc.gz"))


def _best(runs: list[dict]) -> dict:
    """The run with the most pages/s: on a shared machine the others lost time to other work."""
    return max(runs, key=lambda r: r["pages_per_s"])


def _per_cpu(r: dict) -> float:
    return r["pages"] / r["cpu_s"] if r.get("cpu_s") else 0.0


def bench_speed(n: int, jobs: int, repeats: int = 2) -> dict:
    from newscrawler.sample_site import RunningSite

    runs: dict[str, list[dict]] = {"a": [], "b": [], "c": [], "d": []}
    with RunningSite(articles=n, seed=1) as site, tempfile.TemporaryDirectory(prefix="nc-bench-archive-") as tmp:
        tmp = Path(tmp)
        archive = tmp / "archived-0" / "archive"
        for i in range(repeats):  # interleaved, so that a busy spell of the machine hits every kind alike
            runs["a"].append(_crawl("kashaf", site.url, str(tmp / f"plain-{i}")))
            runs["b"].append(_crawl("kashaf", site.url, str(tmp / f"archived-{i}"), archive=True))
            runs["c"].append(_reparse(archive, tmp / f"reparsed-{i}", jobs))
            runs["d"].append(_reparse(archive, tmp / f"reparsed1-{i}", 1))
        size = _archive_size(archive)
    a, b, c, d = (_best(runs[k]) for k in "abcd")
    if c["records"] != b["records"] or d["records"] != b["records"]:
        raise BenchError(f"reparse gave {c['records']}/{d['records']} records, the crawl {b['records']}")
    per_1000 = size / c["responses"] * 1000 if c["responses"] else 0.0

    def line(r: dict) -> str:
        return (f"{r['pages_per_s']:.1f} pages/s ({r['pages']} pages in {r['seconds']:.1f} s; "
                f"{_per_cpu(r):.0f} pages per CPU-second)")

    _say(f"crawl a: kashaf crawl, no archive:   {line(a)}")
    _say(f"crawl b: kashaf crawl, archiving:    {line(b)}; ratio b/a {b['pages_per_s'] / a['pages_per_s']:.2f}")
    _say(f"disk:    {size / 1e6:.1f} MB for {c['responses']} archived responses: {per_1000 / 1e6:.2f} MB per "
         f"1,000 pages ({per_1000 / 1000 / 1024:.1f} KB a page, request and metadata records included)")
    _say(f"reparse c: {jobs} workers:            {line(c)}, {c['records']} records")
    _say(f"reparse d: in one process:           {line(d)}")
    # the baseline: the fastest of the live crawls (a and b crawl the same pages; b also archives)
    live = a if a["pages_per_s"] >= b["pages_per_s"] else b
    ratio, single = c["pages_per_s"] / live["pages_per_s"], d["pages_per_s"] / live["pages_per_s"]
    name = "a" if live is a else "b"
    _say(f"reparse: ratio c/{name} {ratio:.2f} (target >= {TARGET_SPEEDUP:.0f}); one process d/{name} {single:.2f}; "
         f"per CPU-second c/a {_per_cpu(c) / _per_cpu(a):.2f}, d/a {_per_cpu(d) / _per_cpu(a):.2f} "
         f"(best of {repeats} runs each, {n} articles; baseline: the faster live crawl, {name})")
    return {"a": a, "b": b, "c": c, "d": d, "bytes_per_1000": per_1000, "ratio": ratio,
            "ok": ratio >= TARGET_SPEEDUP}


def bench_memory(sizes: tuple[int, int], jobs: int) -> dict:
    from newscrawler.sample_site import RunningSite

    peaks = {}
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="nc-bench-archive-") as tmp:
            tmp = Path(tmp)
            with RunningSite(articles=n, seed=1) as site:
                b = _crawl("kashaf", site.url, str(tmp / "archived"), jobdir=str(tmp / "job"), archive=True)
            archive = tmp / "archived" / "archive"
            size = _archive_size(archive)
            r = _reparse(archive, tmp / "reparsed", jobs)
        if r["records"] != b["records"]:
            raise BenchError(f"reparse of {n} articles gave {r['records']} records, the crawl {b['records']}")
        peaks[n] = r
        _say(f"memory:  reparse of {r['pages']} pages ({size / 1e6:.0f} MB of WARC): peak RSS "
             f"{r['max_rss_kb'] / 1024:.1f} MB, largest of {jobs} workers {r['workers_max_rss_kb'] / 1024:.1f} MB "
             f"({r['pages_per_s']:.1f} pages/s)")
    small, big = sizes
    growth = (peaks[big]["max_rss_kb"] - peaks[small]["max_rss_kb"]) / 1024
    worker_growth = (peaks[big]["workers_max_rss_kb"] - peaks[small]["workers_max_rss_kb"]) / 1024
    _say(f"memory:  growth from {small} to {big} articles {growth:+.1f} MB, workers {worker_growth:+.1f} MB "
         f"(target <= {TARGET_GROWTH_MB:.0f} MB)")
    return {"peaks": peaks, "growth_mb": growth, "worker_growth_mb": worker_growth,
            "ok": max(growth, worker_growth) <= TARGET_GROWTH_MB}


def run(quick: bool = False, jobs: int | None = None, parts=("speed", "memory")) -> int:
    import platform

    sizes = QUICK if quick else FULL
    from newscrawler.cli.reparse import default_jobs

    jobs = jobs or default_jobs()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    _say(f"newscrawler bench-archive ({'quick' if quick else 'full'}): {os.cpu_count()} cores, {_cpu_model()}, "
         f"Python {platform.python_version()}, load average {load:.1f}")
    verdicts = []
    if "speed" in parts:
        verdicts.append(("reparse speed", bench_speed(sizes["speed"], jobs)["ok"]))
    if "memory" in parts:
        verdicts.append(("reparse memory", bench_memory(sizes["memory"], jobs)["ok"]))
    _say("summary: targets met: " + ", ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in verdicts))
    return 0 if all(ok for _, ok in verdicts) else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m newscrawler.bench.archive")
    p.add_argument("archive")
    p.add_argument("--out", required=True)
    p.add_argument("--jobs", type=int, default=1)
    args = p.parse_args(argv)

    from newscrawler.reparse import reparse

    summary = reparse([args.archive], args.out, spider="kashaf", jobs=args.jobs)
    pages = summary.get("pages_fetched", 0)  # responses handed on, as a crawl counts them
    seconds = summary.get("elapsed_seconds") or 0.0
    out = {
        "pages": pages,
        "responses": summary.get("archive", {}).get("responses", 0),
        "seconds": seconds,
        "pages_per_s": round(pages / seconds, 1) if seconds else 0.0,
        "records": summary.get("records", 0),
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "workers_max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        # user + system of this process and its workers, start-up included
        "cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
                       + sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]), 2),
    }
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
