"""What the distributed tests share: waiting for workers, reading their output,
and judging it at-least-once (0 lost always, duplicate lines counted)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from newscrawler.distributed import Keys
from newscrawler.merging import latest, record_key
from tests.helpers import FIELDS, assert_matches_truth, read_jsonl

QUICK = ["-s", "NEWSCRAWLER_REDIS_IDLE_SECONDS=3", "-s", "NEWSCRAWLER_REDIS_POLL_SECONDS=0.5",
         "-s", "NEWSCRAWLER_REDIS_HEARTBEAT_TTL=3"]


def wait_all(procs, timeout=150):
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("a worker did not stop on its own after the idle time")


def wait_for(condition, what: str, timeout: float = 120, step: float = 0.05):
    """Poll ``condition()`` until it is true; fail with ``what`` after ``timeout`` s (a hang, not a race)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(step)


def worker_records(*folders: Path) -> dict[str, list[dict]]:
    """Records per output file, the unfinished ``.part`` file of a killed worker included."""
    files = [p for out in folders for p in out.iterdir() if p.name.endswith((".jsonl", ".jsonl.part"))
             and ".rejects." not in p.name]
    return {p.name: read_jsonl(p) for p in sorted(files)}


def logs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8", "replace") for p in sorted(folder.glob("worker*.log"))}


def check_union(per_file: dict[str, list[dict]], truth: dict, claimed: set | None = None) -> int:
    """The union of the workers' files against the ground truth, at-least-once:
    no article lost, repeated lines only of the same article with the same
    fields; merged by id (``newscrawler.merging``, as ``merge`` does) it is the
    site exactly. Returns the number of duplicate lines."""
    lines = [r for rs in per_file.values() for r in rs]
    merged = latest(lines, record_key)
    records = list(merged.entries.values())
    if claimed is not None:  # say which loss window a missing article fell into before the full check
        from newscrawler.processors.urls import url_id

        got = {r["url"] for r in records}
        twins = {u for g in truth["duplicate_groups"] for u in g}
        missing = {u: ("claimed, not written" if url_id(u) in claimed else "not claimed")
                   for u in {r["url"] for r in truth["records"]} - got - twins}
        assert not missing, f"{len(missing)} articles missing, e.g. {sorted(missing.items())[:3]}"
    for line in lines:  # a duplicate line is the same article again, field for field
        kept = merged.entries[line["id"]]
        assert all(line[f] == kept[f] for f in FIELDS), (line["url"], kept["url"])
    assert_matches_truth(records, truth)
    assert len(records) == len(truth["records"]) - len(truth["duplicate_groups"])
    return merged.replaced


def live_workers_requeued(texts: dict[str, str], dead_pids=()) -> list[str]:
    """The "stopped answering" lines about workers that were not killed: a heartbeat late
    beyond its TTL (a stalled machine), the one case in which a live worker's pages are
    fetched, and possibly written, twice."""
    import re

    dead = {str(pid) for pid in dead_pids}
    found = []
    for text in texts.values():
        for m in re.finditer(r"worker (\S+) stopped answering", text):
            if m.group(1).rsplit("-", 1)[-1] not in dead:
                found.append(m.group(0))
    return found


def check_redis_drained(client) -> None:
    keys = Keys("kashaf")
    assert client.zcard(keys.requests) == 0
    leftovers = [k for k in client.keys("kashaf:processing:*") + client.keys("kashaf:pending:*") if client.hlen(k)]
    assert not leftovers, leftovers
