"""The provisional claim, step by step, in a real redis-server: claim (pending),
confirm, undo, and the re-queue of a dead worker that releases its pending
claims in the same Lua step (and of a live, idle worker that keeps them)."""

from __future__ import annotations

import json

import pytest

from newscrawler.distributed import Keys
from newscrawler.distributed.scripts import CLAIM, CONFIRM, REQUEUE, UNCLAIM
from newscrawler.redis_server import RunningRedis

WINDOW = "600"
pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def redis():
    with RunningRedis() as r:
        yield r


@pytest.fixture
def crawl(redis):
    client = redis.client()
    client.flushdb()
    keys = Keys("kashaf")
    scripts = {name: client.register_script(src) for name, src in
               (("claim", CLAIM), ("confirm", CONFIRM), ("unclaim", UNCLAIM), ("requeue", REQUEUE))}

    def claim(worker, rid, story, when, url):
        verdict, other = scripts["claim"](keys=[keys.records, keys.stories, keys.pending(worker)],
                                          args=[rid, story, when, WINDOW, url])
        return verdict, other.decode()

    def requeue(worker, dead_only):
        n, released = scripts["requeue"](keys=keys.requeue(worker), args=[worker, "1" if dead_only else "0"])
        return n, sorted(u.decode() for u in released)

    def confirm(worker, rid):
        scripts["confirm"](keys=[keys.pending(worker), keys.records], args=[rid])

    def unclaim(worker, rid, story, url):
        scripts["unclaim"](keys=[keys.records, keys.stories, keys.pending(worker)], args=[rid, story, url])

    return client, keys, claim, confirm, unclaim, requeue


def stories(client, keys, story):
    raw = client.hget(keys.stories, story)
    return [e[1] for e in json.loads(raw)] if raw else []


def test_a_claim_is_pending_until_confirmed_and_a_confirmed_claim_is_final(crawl):
    client, keys, claim, confirm, unclaim, requeue = crawl
    assert claim("w1", "id1", "s1", "1000", "http://s/1") == (0, "")
    assert client.hkeys(keys.pending("w1")) == [b"id1"]
    assert claim("w2", "id1", "s1", "1000", "http://s/1") == (1, "")      # the id is claimed
    assert claim("w2", "id2", "s1", "1100", "http://s/2") == (2, "http://s/1")  # the same story, in the window
    assert claim("w2", "id3", "s1", "5000", "http://s/3") == (0, "")      # the same story, outside the window
    confirm("w1", "id1")
    assert client.hlen(keys.pending("w1")) == 0 and client.sismember(keys.records, "id1")
    client.sadd(keys.workers, "w1")
    assert requeue("w1", dead_only=True) == (0, [])  # confirmed: nothing to release
    assert client.sismember(keys.records, "id1") and stories(client, keys, "s1") == ["http://s/1", "http://s/3"]


def test_a_dead_workers_pending_claims_are_released_with_its_requests(crawl):
    client, keys, claim, confirm, unclaim, requeue = crawl
    client.sadd(keys.workers, "dead", "live")
    client.hset(keys.processing("dead"), "7|-3", b"request-bytes")
    assert claim("dead", "idA", "sA", "1000", "http://s/a")[0] == 0
    assert claim("dead", "idB", "sB", "", "http://s/b")[0] == 0  # no date: no story entry
    assert claim("dead", "idC", "sC", "1000", "http://s/c")[0] == 0
    confirm("dead", "idC")
    assert claim("live", "idD", "sA", "1200", "http://s/d") == (2, "http://s/a")  # blocked by the pending claim

    client.set(keys.alive("dead"), "1")
    assert requeue("dead", dead_only=True) == (-1, [])  # heartbeat still there: untouched
    assert client.hlen(keys.pending("dead")) == 2

    client.delete(keys.alive("dead"))
    assert requeue("dead", dead_only=True) == (1, ["http://s/a", "http://s/b"])
    assert client.zrange(keys.requests, 0, -1, withscores=True) == [(b"request-bytes", -3.0)]
    assert not client.exists(keys.processing("dead"), keys.pending("dead"))
    assert not client.sismember(keys.workers, "dead")
    assert sorted(client.smembers(keys.records)) == [b"idC"]  # the confirmed claim stays
    assert stories(client, keys, "sA") == []
    # the re-fetched article (or its twin) can be claimed and written again
    assert claim("live", "idD", "sA", "1200", "http://s/d") == (0, "")
    assert claim("live", "idB", "sB", "", "http://s/b") == (0, "")


def test_an_idle_live_worker_keeps_its_unconfirmed_claims(crawl):
    # A live worker's pending claim at idle/close time is a completed write whose
    # confirmation did not reach Redis: its own re-queue keeps the claim.
    client, keys, claim, confirm, unclaim, requeue = crawl
    client.hset(keys.processing("w"), "1|0", b"r")
    assert claim("w", "id1", "s1", "1000", "http://s/1")[0] == 0
    assert requeue("w", dead_only=False) == (1, [])
    assert client.sismember(keys.records, "id1") and not client.exists(keys.pending("w"))


def test_a_failed_write_undoes_its_claim(crawl):
    client, keys, claim, confirm, unclaim, requeue = crawl
    assert claim("w", "id1", "s1", "1000", "http://s/1")[0] == 0
    assert claim("w", "id2", "s1", "99999", "http://s/2")[0] == 0
    unclaim("w", "id1", "s1", "http://s/1")
    assert not client.sismember(keys.records, "id1") and client.hkeys(keys.pending("w")) == [b"id2"]
    assert stories(client, keys, "s1") == ["http://s/2"]
    assert claim("w", "id1", "s1", "1000", "http://s/1")[0] == 0
