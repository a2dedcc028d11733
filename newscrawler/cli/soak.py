"""``python -m newscrawler soak``: a long crawl of the sample site in fault mode.

Serves the sample aggregator (``--articles``, default 20,000) with faults on
(``--faults``, default :data:`~newscrawler.sample_site.faults.DEFAULT_FAULTS`: 20% transient
faults, broken-but-readable pages, a few permanent failures) in one child process, crawls it
with ``scrapy crawl kashaf`` in another, and samples the crawler's resident memory and open
file descriptors (``/proc/<pid>``) while it runs. Then it checks:

* every line of the output is JSON and every record is valid against the schema;
* the summary adds up: records + rejects + duplicates + unrecoverable = articles on the site;
* every article the fault plan lets through is captured, and what was lost is exactly
  what the ground truth calls unrecoverable;
* the file descriptors at the end are not more than at the start (+ a small margin).

Exit code 0 when every check passes, 1 otherwise. Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from newscrawler.argtypes import positive as _positive
from newscrawler.cli import CliError

ROOT = Path(__file__).resolve().parent.parent
FD_SLACK = 8
MIN_FD_SAMPLES = 40


def _proc_sample(pid: int) -> tuple[int, int, int] | None:
    """(VmRSS kB, VmHWM kB, open fds) of ``pid``, or None once it is gone."""
    try:
        rss = hwm = 0
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
        return rss, hwm, fds
    except (OSError, ValueError):
        return None


def cmd_soak(args) -> int:
    from newscrawler.output import iter_records
    from newscrawler.pipelines.validate import check
    from newscrawler.sample_site import SampleSite
    from newscrawler.sample_site.faults import FaultPlan, FaultSpecError, ground_truth

    try:
        plan = FaultPlan.parse(args.faults, args.fault_seed)
    except FaultSpecError as e:
        raise CliError(f"soak: --faults: {e}") from None
    out = Path(args.output_dir) if args.output_dir else Path(tempfile.mkdtemp(prefix="newscrawler-soak-"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"soak: cannot create {out}: {e.strerror or e}") from None
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    print(f"soak: {args.articles} articles, faults {args.faults!r} (seed {args.fault_seed}), output {out}", flush=True)
    from newscrawler.sample_site import RunningSite

    site = RunningSite(args.articles, args.seed, faults=args.faults, fault_seed=args.fault_seed, startup_timeout=120)
    try:
        site.start()
    except RuntimeError as e:
        raise CliError(f"soak: {e}", 1) from None
    url = site.url
    samples: list[tuple[float, int, int, int]] = []
    try:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", f"start_url={url}",
               "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0",
               "-s", f"CONCURRENT_REQUESTS={args.concurrency}",
               "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}",
               "-s", f"DOWNLOAD_TIMEOUT={args.timeout}", "-s", "NEWSCRAWLER_RETRY_BACKOFF_BASE=0.25",
               "-s", "LOG_LEVEL=WARNING", "-s", "SPIDERMON_ENABLED=0"]
        log_path = out / "soak-crawl.log"
        started = time.monotonic()
        with open(log_path, "w", encoding="utf-8") as log:
            crawl = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
            while crawl.poll() is None:
                s = _proc_sample(crawl.pid)
                if s:
                    samples.append((time.monotonic() - started, *s))
                time.sleep(args.sample_every)
        took = time.monotonic() - started
    finally:
        site.stop()
    summaries = sorted(out.glob("kashaf-*.summary.json"))
    if crawl.returncode != 0 or not summaries:
        raise CliError(f"soak: the crawl failed (exit code {crawl.returncode}); see {log_path}", 1)
    summary = json.loads(summaries[-1].read_text("utf-8"))

    problems = []
    bad_lines = invalid = 0
    records_seen = []
    for name, is_records in ((summary["output_file"], True), (summary["rejects_file"], False)):
        if name is None:  # a file that got no line is not kept
            continue
        try:
            for _, rec in iter_records(Path(name)):
                if is_records:
                    records_seen.append(rec.get("url"))
                    if check(rec):
                        invalid += 1
        except ValueError as e:
            bad_lines += 1
            problems.append(str(e))
    if invalid:
        problems.append(f"{invalid} records fail the schema")
    s = summary
    total = s["records"] + s["rejects"] + s["duplicates"] + s["unrecoverable"]
    if total != args.articles:
        problems.append(f"records {s['records']} + rejects {s['rejects']} + duplicates {s['duplicates']} + "
                        f"unrecoverable {s['unrecoverable']} = {total}, not {args.articles}")
    truth = ground_truth(SampleSite(args.articles, args.seed), plan, url)
    expected_lost = {u["url"] for u in truth["unrecoverable"]}
    lost = {u["url"] for u in s.get("unrecoverable_urls") or []}
    if len(expected_lost) <= 1000 and lost != expected_lost:
        problems.append(f"unrecoverable: {len(lost - expected_lost)} unexpected, {len(expected_lost - lost)} missing")
    twins = {u for g in truth["duplicate_groups"] for u in g}
    missing = {r["url"] for r in truth["records"]} - set(records_seen) - twins
    if missing:
        problems.append(f"{len(missing)} capturable articles missing, e.g. {sorted(missing)[:2]}")

    fds = [x[3] for x in samples]
    rss = [x[1] for x in samples]
    peak = max((x[2] for x in samples), default=0)
    # a leak grows with the pages crawled: compare the 2nd quarter of the run with the last one
    quarter = max(1, len(fds) // 4)
    early = max(fds[quarter:2 * quarter] or fds or [0])
    late = max(fds[-quarter:] or [0])
    fd_verdict = ""
    if len(fds) < MIN_FD_SAMPLES:  # a run of a few seconds is still opening its connections
        fd_verdict = f" (too few samples to judge a leak: {len(fds)} < {MIN_FD_SAMPLES})"
    elif late > early + FD_SLACK:
        problems.append(f"open file descriptors grew from {early} to {late}")

    def at(frac: float) -> int:
        return rss[min(len(rss) - 1, int(len(rss) * frac))] // 1024 if rss else 0

    lines = [
        f"crawl time:        {took:.0f} s ({s['pages_fetched']} pages fetched, {s['requests']} requests, "
        f"{s['pages_fetched'] / took:.0f} pages/s)",
        f"records:           {s['records']}",
        f"rejects:           {s['rejects']} ({', '.join(f'{k} {v}' for k, v in s['rejects_by_reason'].items())})",
        f"duplicates:        {s['duplicates']}",
        f"unrecoverable:     {s['unrecoverable']} (expected {len(expected_lost)})",
        f"adds up:           {s['records']} + {s['rejects']} + {s['duplicates']} + {s['unrecoverable']} = {total}"
        f" (articles on the site: {args.articles})",
        f"http errors:       {s['http_errors']}",
        f"download errors:   {s['download_errors']}",
        f"peak memory (RSS): {peak // 1024} MB (RSS at 25/50/75/100% of the run: "
        f"{at(0.25)}/{at(0.5)}/{at(0.75)}/{at(0.999)} MB)",
        f"open fds:          {early} at most in the 2nd quarter of the run, {late} at most in the last "
        f"quarter, {max(fds, default=0)} at most overall ({len(samples)} samples){fd_verdict}",
        f"output lines:      {len(records_seen)} records, {bad_lines} bad lines, {invalid} schema-invalid",
        f"summary:           {summaries[-1]}",
        "result:            " + ("OK" if not problems else "FAILED: " + "; ".join(problems)),
    ]
    print("\n".join(lines), flush=True)
    return 0 if not problems else 1


def add_parser(sub) -> None:
    from newscrawler.sample_site.faults import DEFAULT_FAULTS

    p = sub.add_parser("soak", help="long crawl of the sample site with faults on; memory, fds, output checks")
    p.add_argument("--articles", type=_positive, default=20_000, help="articles on the sample site (default 20000)")
    p.add_argument("--seed", type=int, default=1, help="sample site seed (default 1)")
    p.add_argument("--faults", default="default", help=f"fault rates (default: {DEFAULT_FAULTS})")
    p.add_argument("--fault-seed", type=int, default=1)
    p.add_argument("--concurrency", type=_positive, default=32)
    p.add_argument("--timeout", type=float, default=2.0, help="DOWNLOAD_TIMEOUT (the 'slow' fault waits 3 s)")
    p.add_argument("--sample-every", type=float, default=0.5, help="seconds between /proc samples")
    p.add_argument("--output-dir", default=None, help="where the run's files go (default: a new temporary folder)")
    p.set_defaults(func=cmd_soak)
