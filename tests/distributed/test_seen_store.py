"""The Redis seen-store behaves like the SQLite one (same operations, same answers)."""

import socket

import pytest

from newscrawler.distributed import RedisSeenStore, clear_prefix, seen_prefix
from newscrawler.redis_server import RunningRedis
from newscrawler.state import DUPLICATE, REJECTED, WRITTEN, SeenStore


def exercise(store, tmp_path):
    answers = [store.count(), store.previous_run]
    store.add("a", None, "2026-01-01T10:00:00+03:00", "http://s/a", REJECTED)
    store.add("a", "h1", None, None, WRITTEN)  # a written record overrides the reject
    store.add("a", None, None, None, DUPLICATE)  # ... and is not overridden back
    store.add("b", "h1", "2026-01-01T10:05:00+03:00", "http://s/b", WRITTEN)
    store.add("c", "h2", None, "http://s/c", REJECTED)  # not written: not a story
    answers += [store.status("a"), store.status("c"), store.status("zz"), store.has("b"), store.has("zz"),
                sorted(store.find_story("h1")), store.find_story("h2"), store.count()]
    store.run_started("/out/run1.jsonl")
    store.run_started("/out/run2.jsonl")
    store.run_finished("/out/run1.jsonl", "finished")
    answers.append(store.unfinished_runs())
    f = tmp_path / "killed.jsonl"
    f.write_text('{"id": "d", "url": "http://s/d", "title": "t", "body": "b"}\nnot json\n', "utf-8")
    answers += [store.adopt(f), store.status("d")]
    return answers


@pytest.mark.redis
def test_redis_store_answers_like_the_sqlite_store(tmp_path):
    sqlite = SeenStore(tmp_path / "k.sqlite3")
    expected = exercise(sqlite, tmp_path)
    sqlite.close()
    with RunningRedis() as redis:
        client = redis.client()
        store = RedisSeenStore(client, "kashaf", redis.url)
        assert exercise(store, tmp_path) == expected
        again = RedisSeenStore(client, "kashaf", redis.url)  # the next worker or run sees it all
        assert again.entries == 4 and again.previous_run["output_file"] == "/out/run2.jsonl"
        other_host = RedisSeenStore(client, "kashaf", redis.url)
        other_host.host = socket.gethostname() + "-elsewhere"
        assert other_host.unfinished_runs() == []  # another machine's files are not ours to adopt
        assert clear_prefix(client, seen_prefix("kashaf")) > 0 and not client.keys("newscrawler:seen:*")
