"""Workers SIGKILLed inside their claim-to-write path, on a machine whose cores
are busy, lose nothing.

Each kill is put exactly in the window by the writer's test hook
(``NEWSCRAWLER_TEST_SIGKILL=claim:N``: right after the Nth claim, before its
write; ``write:N``: right after the Nth write, before its confirmation), while
one ``yes`` per core (bounded with ``timeout``) competes for the CPU. One crawl,
a chain of workers, each another machine in effect (its own output folder):
each victim crawls alone until it kills itself (so it reaches its Nth claim
whatever the load), then the next joins, re-queues the dead workers' pages
once their heartbeat has expired, releases their pending claims in the same
Lua step, and crawls on; the last worker finishes the crawl. Then: 0 lost; each
killed-at article written again (once in all after ``claim:N``; a second,
identical line after ``write:N``), and nothing else written twice.
"""

from __future__ import annotations

import re
import signal
import socket
from collections import Counter

import pytest

from newscrawler.cli import main
from newscrawler.cli.bench_distributed import start_workers
from newscrawler.distributed import Keys
from newscrawler.distributed.scheduler import RELEASED
from newscrawler.distributed.writer import KILL_ENV
from newscrawler.redis_server import RunningRedis
from newscrawler.sample_site import RunningSite
from tests.distributed.support import (check_redis_drained, check_union, logs, released_urls, wait_all,
                                      worker_records)
from tests.helpers import cpu_burners, read_jsonl

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.redis]

# A dead worker is noticed 1 s after its last heartbeat; the survivor stops 1 s
# after the whole crawl (queue and every worker's in-progress list) is empty.
SHORT = ["-s", "NEWSCRAWLER_REDIS_IDLE_SECONDS=1", "-s", "NEWSCRAWLER_REDIS_POLL_SECONDS=0.25",
         "-s", "NEWSCRAWLER_REDIS_HEARTBEAT_TTL=1"]
KILLS = ["claim:1", "write:6", "claim:12", "claim:4"]  # the chain of victims, in order


def test_workers_sigkilled_inside_the_claim_to_write_path_under_load_lose_nothing(tmp_path, record_property):
    keys = Keys("kashaf")
    logdir = tmp_path / "logs"
    logdir.mkdir()
    outs = [tmp_path / f"worker{i}" for i in range(len(KILLS) + 1)]
    victims = []
    with RunningRedis() as redis, RunningSite(articles=80, seed=18) as site, cpu_burners(seconds=240) as burners:
        client = redis.client()
        for i, kill in enumerate(KILLS):
            outs[i].mkdir()
            [victim] = start_workers(1, site.url, outs[i], redis.url, *SHORT, logs=logdir, env={KILL_ENV: kill},
                                     first=i)
            wait_all([victim], timeout=120)
            assert victim.returncode == -signal.SIGKILL, logs(logdir)[f"worker{i}.log"][-3000:]
            worker = f"{socket.gethostname()}-{victim.pid}"
            assert client.hlen(keys.pending(worker)) == 1  # the one claim it had not confirmed
            victims.append(worker)
        outs[-1].mkdir()
        [last] = start_workers(1, site.url, outs[-1], redis.url, *SHORT, logs=logdir, first=len(KILLS))
        wait_all([last], timeout=120)
        assert all(b.poll() is None for b in burners), "the CPU burners stopped before the crawl ended"
        truth = site.ground_truth()
        check_redis_drained(client)
        claimed = {i.decode() for i in client.smembers(keys.records)}
    text = logs(logdir)
    assert last.returncode == 0, text[f"worker{len(KILLS)}.log"][-3000:]
    per_folder = [[r["url"] for rs in worker_records(out).values() for r in rs] for out in outs]
    written = Counter(u for urls in per_folder for u in urls)
    later = "".join(text[f"worker{j}.log"] for j in range(1, len(KILLS) + 1))
    story_of = {u: frozenset(g) for g in truth["duplicate_groups"] for u in g}
    killed: list[tuple[str, str]] = []
    for i, (kill, worker) in enumerate(zip(KILLS, victims)):
        where, n = kill.split(":")
        url = re.search(rf"{KILL_ENV}: SIGKILL after the {where} of (\S+)", text[f"worker{i}.log"]).group(1)
        killed.append((where, url))
        assert len(per_folder[i]) == (int(n) - 1 if where == "claim" else int(n)), (kill, per_folder[i])
        assert per_folder[i].count(url) == (0 if where == "claim" else 1), kill
        # a later worker re-queued the victim's pages and released its claim in the same step
        assert re.search(rf"worker {worker} stopped answering: \d+ unfinished requests are back in the queue, "
                         rf"1 claims it had not confirmed are released {re.escape(RELEASED + url)}", later), kill
    assert released_urls(text) == {url for _, url in killed}
    # each killed-at story written once more than the kills between a write and its confirmation
    # (after a kill before the write: once in all, by a later worker)
    for where, url in killed:
        story = story_of.get(url, frozenset([url]))
        times = sum(written[u] for u in story)
        expected = 1 + sum(1 for w, u in killed if w == "write" and u in story)
        assert times == expected, (where, url, f"its story written {times} times, {expected} expected")
    duplicates = check_union(worker_records(*outs), truth, claimed, released_urls(text))
    record_property("duplicate_lines", duplicates)
    assert {u for u, c in written.items() if c > 1} <= {u for w, u in killed if w == "write"}

    # python -m newscrawler merge: one record per id and per story (a killed worker's story may have been
    # written under both its urls: its claim was released and another worker wrote the other copy), one
    # reject line per url+reason
    merged = tmp_path / "merged.jsonl"
    assert main(["merge", *map(str, outs), "--out", str(merged)]) == 0
    records, rejects = read_jsonl(merged), read_jsonl(tmp_path / "merged.rejects.jsonl")
    stories = {story_of.get(u, frozenset([u])) for u in written}
    assert len(records) == len({r["id"] for r in records}) == len(stories)
    assert {story_of.get(r["url"], frozenset([r["url"]])) for r in records} == stories
    assert sorted(r["url"] for r in rejects) == sorted(r["url"] for r in truth["invalid"])
