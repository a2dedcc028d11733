"""Shared test helpers: run a real crawl in a child process, read its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "LOG_LEVEL=INFO"]


def scrapy_crawl(spider: str, out: Path, *args: str, timeout: float = 240, env: dict | None = None,
                 fast: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}",
           *(FAST if fast else []), *args]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=full_env)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]


def outputs(folder: Path) -> dict:
    """The run files in ``folder``: records, rejects, summaries (each a list, in name order)."""
    folder = Path(folder)
    return {
        "records": sorted(p for p in folder.glob("*.jsonl") if not p.name.endswith(".rejects.jsonl")),
        "rejects": sorted(folder.glob("*.rejects.jsonl")),
        "summaries": sorted(folder.glob("*.summary.json")),
    }


def all_records(folder: Path) -> list[dict]:
    return [r for p in outputs(folder)["records"] for r in read_jsonl(p)]
