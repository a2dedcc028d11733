"""Smoke test of ``python -m newscrawler bench``: it runs and prints its lines.

Figures are never asserted (the machine is shared); the real benchmark is the
command itself, not a test.
"""

from __future__ import annotations

import json
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
    assert proc.stderr.count("\n") == 1 and "choose from site, crawl, parser, memory, breakdown" in proc.stderr


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


def test_the_breakdown_hands_the_spider_what_it_would_have_worked_out_itself(tmp_path):
    """``bench --only breakdown`` measures shares as differences of crawls, so the crawls must do the same
    work but the part taken out: with the pages given, the records are the crawl's own (every field but
    ``crawled_at``); with the items given, the same records are written; without pipelines, none. One
    request at a time, so that the same one of two duplicates comes first in every crawl."""
    from newscrawler.sample_site import RunningSite
    from tests.helpers import all_records

    def child(name, *extra):
        proc = subprocess.run([sys.executable, "-m", "newscrawler.bench.child", "--spider", "kashaf", "--url", site.url,
                               "--out", str(tmp_path / name), "--record", str(tmp_path / "responses"), "--concurrency", "1", *extra],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        out = json.loads(proc.stdout.splitlines()[-1])
        records = {r["url"]: {k: v for k, v in r.items() if k != "crawled_at"}
                   for r in all_records(tmp_path / name)} if (tmp_path / name).exists() else {}
        return out, records

    with RunningSite(articles=40, seed=3) as site:
        recorded, own = child("recorded")
        pages, from_pages = child("pages", "--given", "pages")
        items, from_items = child("items", "--given", "items")
        bare, none = child("nopipes", "--given", "items", "--no-pipelines")
    assert own and from_pages == own
    assert set(from_items) == set(own)
    assert recorded["pages"] == pages["pages"] == items["pages"] == bare["pages"]
    assert none == {} and bare["records"] == 0 and bare["item_scraped_count"] >= len(own)


def test_quick_breakdown_prints_every_share():
    proc = _bench("--quick", "--only", "breakdown")
    assert proc.returncode == 0, proc.stderr
    shares = next(ln for ln in proc.stdout.splitlines() if "own work" in ln)
    assert all(f"{k} " in shares for k in ("parser", "item loader", "pipelines"))
    assert sum(ln.startswith("breakdown:") for ln in proc.stdout.splitlines()) == 7
