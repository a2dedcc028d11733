"""Smoke test of ``python -m newscrawler bench``: it runs and prints its lines.

Figures are never asserted (the machine is shared); the real benchmark is the
command itself, not a test.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newscrawler", "bench", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_quick_parser_and_site_figures_are_printed():
    proc = _bench("--quick", "--only", "site,parser")
    out = proc.stdout
    assert proc.returncode == 0, proc.stderr  # a quick run judges no target
    assert "Traceback" not in proc.stderr
    lines = out.splitlines()
    assert lines[0].startswith("newscrawler bench (quick)")
    assert any(ln.startswith("site:") and "requests/s" in ln for ln in lines)
    assert sum(ln.startswith("parser:") for ln in lines) == 3
    assert "trafilatura" in out and "speed-up" in out
    assert lines[-1].startswith("summary: targets met: parser speed-up ")
    assert lines[-1].endswith("(quick run: the figures mean nothing, exit code 0 whatever they are)")


def test_a_bad_part_is_one_line():
    proc = _bench("--only", "everything")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "choose from site, crawl, parser, memory" in proc.stderr


def test_quick_export_bench_checks_its_rows_and_clusters():
    proc = subprocess.run([sys.executable, "-m", "newscrawler", "bench-export", "--quick", "--no-peers",
                           "--thresholds", "0.7"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("input: 3000 records + 60 re-crawled + 2 bad lines")
    assert any(ln.startswith("export (") and "rows per CPU second" in ln and "peak RSS" in ln for ln in lines)
    assert any(ln.startswith("ratio export / baseline") for ln in lines)
    assert lines[-1].startswith("summary: OK")


def test_bench_archive_says_what_is_wrong_with_its_arguments():
    proc = subprocess.run([sys.executable, "-m", "newscrawler", "bench-archive", "--only", "everything"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "choose from speed, memory" in proc.stderr
