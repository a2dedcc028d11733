"""A healthy crawl of the sample site through the cron wrapper, shared by the monitoring tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]


def run_wrapper(out: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """``python -m newscrawler run kashaf ...`` writing into ``out`` (records) and ``out/logs``."""
    cmd = [sys.executable, "-m", "newscrawler", "run", "kashaf", "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}",
           "-s", f"NEWSCRAWLER_LOG_DIR={out / 'logs'}", *FAST, *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def run_files(out: Path) -> list[dict]:
    """Each run in ``out``: its files, oldest first."""
    runs = []
    for s in sorted(Path(out).glob("*.summary.json"), key=lambda p: p.stat().st_mtime):
        base = str(s)[: -len(".summary.json")]
        runs.append({
            "summary": json.loads(s.read_text("utf-8")),
            "summary_file": s,
            "records": Path(base + ".jsonl"),
            "rejects": Path(base + ".rejects.jsonl"),
            "alerts": Path(base + ".alerts.json"),
        })
    return runs


@pytest.fixture(scope="session")
def healthy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("healthy")
    with RunningSite(articles=150, seed=11) as site:
        first = run_wrapper(out, "-a", f"start_url={site.url}")
        second = run_wrapper(out, "-a", f"start_url={site.url}")  # incremental: nothing new
    runs = run_files(out)
    assert len(runs) == 2, (first.stdout, first.stderr[-2000:], second.stdout)
    return {"out": out, "first": first, "second": second, "runs": runs,
            "log": (out / "logs" / "kashaf.log").read_text("utf-8")}
