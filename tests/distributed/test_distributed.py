"""Distributed crawling with a real redis-server on a free 127.0.0.1 port and
real ``scrapy crawl kashaf`` worker processes on the sample aggregator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawler.cli.bench_distributed import start_workers
from newscrawler.distributed import Keys
from newscrawler.redis_server import RunningRedis
from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.helpers import read_jsonl
from tests.distributed.support import (QUICK, check_redis_drained, check_union, logs, released_urls, wait_all,
                                      worker_records)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.mark.redis
def test_three_workers_share_one_crawl_each_article_once(tmp_path, record_property):
    out, logdir = tmp_path / "out", tmp_path / "logs"
    out.mkdir(), logdir.mkdir()
    with RunningRedis() as redis, RunningSite(articles=1000, seed=11) as site:
        procs = start_workers(3, site.url, out, redis.url, *QUICK, "-s", "NEWSCRAWLER_ARCHIVE=1", logs=logdir)
        wait_all(procs)
        truth = site.ground_truth()
        client = redis.client()
        check_redis_drained(client)
        written_ids = client.scard(Keys("kashaf").records)
        seen_entries = client.hlen("newscrawler:seen:kashaf:entries")  # the incremental seen-store, in Redis
    text = logs(logdir)
    assert [p.returncode for p in procs] == [0, 0, 0], "\n".join(t[-2000:] for t in text.values())
    per_file = worker_records(out)
    assert len(per_file) == 3 and all(n.endswith(".jsonl") for n in per_file), sorted(per_file)
    assert sum(1 for rs in per_file.values() if rs) >= 2, {n: len(rs) for n, rs in per_file.items()}
    records = [r for rs in per_file.values() for r in rs]
    # no worker died: every claim was confirmed and nothing is written twice, unless a stall beyond the
    # heartbeat's TTL made a worker look dead (then its released claims are in the survivors' logs)
    duplicates = check_union(per_file, truth, released=released_urls(text))
    record_property("duplicate_lines", duplicates)
    assert written_ids == len(records) - duplicates
    assert seen_entries >= len(records)
    assert not list(out.glob(".state/*.sqlite3"))
    summaries = [json.loads(p.read_text("utf-8")) for p in out.glob("*.summary.json")]
    assert len(summaries) == 3 and {s["finish_reason"] for s in summaries} == {"finished"}
    # the crawl was seeded once, and every worker closed because the crawl was idle
    assert sum("seeding crawl 'kashaf'" in t for t in text.values()) == 1
    assert all("this worker stops" in t for t in text.values())
    for name, t in text.items():
        assert "ScrapyDeprecationWarning" not in t, name
        assert "Traceback" not in t, (name, t[t.index("Traceback") - 500:][:3000])
    # each worker archived what it fetched in files of its own; their reparse is the same crawl
    archives = sorted((out / "archive").glob("*.warc.gz"))
    assert len(archives) == 3
    for summary in summaries:
        worker = Path(summary["output_file"]).name[: -len(".jsonl")]
        assert summary["archive"]["files"] == [str(out / "archive" / f"{worker}-00000.warc.gz")]
        assert summary["archive"]["responses"] >= summary["pages_fetched"] > 0
    rebuilt = tmp_path / "rebuilt"
    proc = subprocess.run([sys.executable, "-m", "newscrawler", "reparse", *map(str, archives), "--spider", "kashaf",
                           "--out", str(rebuilt)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "NEWSCRAWLER_REDIS_URL"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = read_jsonl(next(p for p in rebuilt.glob("*.jsonl") if ".rejects." not in p.name))
    check_union({"rebuilt.jsonl": again}, truth)
    twins = {u for g in truth["duplicate_groups"] for u in g}
    crawled = {r["url"]: r for r in records if r["url"] not in twins}
    assert {r["url"]: r for r in again if r["url"] not in twins} == crawled


@pytest.mark.redis
def test_a_worker_killed_mid_crawl_loses_nothing(tmp_path, record_property):
    out, logdir = tmp_path / "out", tmp_path / "logs"
    out.mkdir(), logdir.mkdir()
    with RunningRedis() as redis, RunningSite(articles=1000, seed=12) as site:
        procs = start_workers(3, site.url, out, redis.url, *QUICK, logs=logdir)
        victim = procs[0]
        deadline = time.monotonic() + 90
        written = 0
        while time.monotonic() < deadline and victim.poll() is None:
            parts = [p for p in out.glob(f"*-{victim.pid}-*.jsonl.part") if ".rejects." not in p.name]
            written = sum(1 for p in parts for _ in p.open("rb"))
            if written >= 40:
                break
            time.sleep(0.05)
        assert victim.poll() is None and written >= 40, "the worker to kill finished or wrote nothing"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        wait_all(procs[1:])
        truth = site.ground_truth()
        check_redis_drained(redis.client())
        claimed = {i.decode() for i in redis.client().smembers(Keys("kashaf").records)}
    text = logs(logdir)
    assert victim.returncode == -signal.SIGKILL
    assert [p.returncode for p in procs[1:]] == [0, 0]
    per_file = worker_records(out)
    dead = [n for n in per_file if n.endswith(".part")]
    assert len(dead) == 1 and len(per_file[dead[0]]) >= 40
    # at-least-once: 0 lost always; a kill between a write and its confirmation gives one duplicate line
    duplicates = check_union(per_file, truth, claimed, released_urls(text))
    record_property("duplicate_lines", duplicates)
    # the survivors put the dead worker's unfinished requests back in the queue
    assert any("stopped answering" in t for name, t in text.items() if name != "worker0.log")


def run_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newscrawler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, **env))


@pytest.mark.redis
def test_seed_status_join_a_finished_crawl_and_clear(tmp_path):
    out, logdir = tmp_path / "out", tmp_path / "logs"
    out.mkdir(), logdir.mkdir()
    with RunningRedis() as redis, RunningSite(articles=40, seed=13) as site:
        env = {"NEWSCRAWLER_REDIS_URL": redis.url}
        seeded = run_cli("seed", "kashaf", site.url, env=env)
        assert seeded.returncode == 0 and "1 start requests queued" in seeded.stdout, seeded.stderr
        again = run_cli("seed", "kashaf", site.url, env=env)
        assert again.returncode == 0 and "0 start requests queued, 1 already seen" in again.stdout
        client = redis.client()
        assert client.zcard("kashaf:requests") == 1

        first = start_workers(1, site.url, out, redis.url, *QUICK, logs=logdir)
        wait_all(first, timeout=90)
        assert first[0].returncode == 0
        done = sum(len(rs) for rs in worker_records(out).values())
        assert done == len(site.ground_truth()["records"]) - len(site.ground_truth()["duplicate_groups"])
        assert "already seeded (by seed@" in logs(logdir)["worker0.log"]

        status = run_cli("status", "kashaf", env=env)
        assert status.returncode == 0, status.stderr
        state = json.loads(status.stdout)
        assert state["queued"] == 0 and state["records"] == done and state["workers"] == {}

        # a worker that joins the finished crawl fetches nothing and stops after the idle time
        late_out = tmp_path / "late"
        late_out.mkdir()
        late = start_workers(1, site.url, late_out, redis.url, *QUICK)
        wait_all(late, timeout=60)
        assert late[0].returncode == 0
        assert sum(len(rs) for rs in worker_records(late_out).values()) == 0

        cleared = run_cli("clear", "kashaf", env=env)
        assert cleared.returncode == 0 and "keys deleted" in cleared.stdout, cleared.stderr
        assert not client.keys("kashaf:*")

        # the unchanged site crawled again by two workers: nothing new, and both pass min_records, the
        # one that skipped the known articles and the one that got no page with an article on it
        again_out = tmp_path / "again"
        again_out.mkdir()
        both = start_workers(2, site.url, again_out, redis.url, *QUICK)
        wait_all(both, timeout=90)
        assert [p.returncode for p in both] == [0, 0]
        summaries = [json.loads(p.read_text("utf-8")) for p in again_out.glob("*.summary.json")]
        assert len(summaries) == 2 and sum(s["records"] for s in summaries) == 0
        assert sum(s["incremental"].get("skipped", 0) for s in summaries) >= done
        assert [s["monitors"]["failed"] for s in summaries] == [0, 0], [s["monitors"] for s in summaries]


def test_bad_redis_settings_give_one_line(tmp_path):
    from newscrawler.redis_server import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/",
                           "-s", f"NEWSCRAWLER_OUTPUT_DIR={tmp_path}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, NEWSCRAWLER_REDIS_URL=url))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith(f"newscrawler: error: cannot reach Redis at {url}")
    bad = run_cli("seed", "kashaf", "http://127.0.0.1:9/", env={"NEWSCRAWLER_REDIS_URL": "http://nope/"})
    assert bad.returncode == 2 and "is not a redis://" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    secret = run_cli("status", "kashaf", env={"NEWSCRAWLER_REDIS_URL": f"redis://:s3cret@127.0.0.1:{free_port()}/0"})
    assert secret.returncode == 2 and "s3cret" not in secret.stderr and "***" in secret.stderr
