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


def released_urls(texts: dict[str, str]) -> set[str]:
    """The urls of the claims that survivors released (of workers that died, or
    looked dead: a heartbeat late beyond its TTL), from the workers' logs."""
    import re

    from newscrawler.distributed.scheduler import RELEASED

    return {m.group(1) for t in texts.values() for m in re.finditer(re.escape(RELEASED) + r"(\S+)", t)}


def check_union(per_file: dict[str, list[dict]], truth: dict, claimed: set | None = None,
                released: set = frozenset()) -> int:
    """The union of the workers' files against the ground truth, at-least-once:
    no article lost; a line twice only for an article whose claim was released
    (its worker died, or looked dead, between write and confirmation), and then
    the same fields; such an article's double story may have both its urls
    written. Merged by id (``newscrawler.merging``, as ``merge`` does) it is the
    site. Returns the number of duplicate lines."""
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
    ids = [r["id"] for r in lines]
    twice = {r["url"] for r in lines if ids.count(r["id"]) > 1}
    assert twice <= set(released), f"written twice without a released claim: {sorted(twice - set(released))[:3]}"
    for line in lines:  # a duplicate line is the same article again, field for field
        kept = merged.entries[line["id"]]
        assert all(line[f] == kept[f] for f in FIELDS), (line["url"], kept["url"])
    assert_matches_truth(records, truth, loose=frozenset(released))
    urls = {r["url"] for r in records}
    both = sum(1 for g in truth["duplicate_groups"] if len(urls & set(g)) == 2)
    assert len(records) == len(truth["records"]) - len(truth["duplicate_groups"]) + both
    return merged.replaced


def check_redis_drained(client) -> None:
    keys = Keys("kashaf")
    assert client.zcard(keys.requests) == 0
    leftovers = [k for k in client.keys("kashaf:processing:*") + client.keys("kashaf:pending:*") if client.hlen(k)]
    assert not leftovers, leftovers
