"""Shared test helpers: run a real crawl in a child process, read its output."""

from __future__ import annotations

import contextlib
import json
import os
import signal
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


FIELDS = ("url", "title", "body", "published_at", "source", "source_country", "category",
          "credibility", "importance", "related")


def assert_matches_truth(records: list[dict], truth: dict, fields: tuple = FIELDS, loose: frozenset = frozenset()) -> None:
    """A crawl's records against a sample site's ground truth: no url twice,
    every expected article there, exactly one of each duplicate story (one or
    two for a story with a url in ``loose``), nothing unexpected, and every field equal."""
    urls = [r["url"] for r in records]
    twice = sorted({u for u in urls if urls.count(u) > 1})
    assert not twice, f"{len(twice)} articles written twice, e.g. {twice[:3]}"
    expected = {r["url"]: r for r in truth["records"]}
    got = {r["url"]: r for r in records}
    twins = {u for g in truth["duplicate_groups"] for u in g}
    missing = sorted(set(expected) - set(got) - twins)
    assert not missing, f"{len(missing)} articles missing, e.g. {missing[:3]}"
    for group in truth["duplicate_groups"]:  # the aggregator's own double stories: one each
        n = len(set(got) & set(group))
        assert n == 1 or (n == 2 and set(group) & loose), group
    assert set(got) <= set(expected), f"unexpected records: {sorted(set(got) - set(expected))[:3]}"
    wrong = [(u, f, r[f], expected[u][f]) for u, r in got.items() for f in fields if r[f] != expected[u][f]]
    assert not wrong, wrong[:3]


def reparse(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``python -m newscrawler reparse ARGS`` in a child process."""
    return subprocess.run([sys.executable, "-m", "newscrawler", "reparse", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def as_lines(records: list[dict]) -> list[str]:
    """Records as sorted JSON lines: equal when two runs wrote the same records, every field."""
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)


@contextlib.contextmanager
def cpu_burners(count: int | None = None, seconds: int = 300):
    """``count`` busy loops (``yes > /dev/null``; default one per core) for the block: each in a
    process group of its own, killed whole on leaving, and bounded by ``timeout`` if this process dies."""
    procs = [subprocess.Popen(["timeout", str(seconds), "sh", "-c", "yes > /dev/null"], start_new_session=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(count or os.cpu_count() or 2)]
    try:
        yield procs
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
