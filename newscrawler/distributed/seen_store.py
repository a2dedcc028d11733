"""The incremental seen-store in Redis, shared by all workers."""

from __future__ import annotations

import socket
import time

from newscrawler.distributed.common import _server, _text, enabled, redis_url, safe_url


class RedisSeenStore:
    """The incremental seen-store (``newscrawler.state.SeenStore``'s interface) in
    Redis, shared by all workers. Its keys (``newscrawler:seen:<spider>:*``) outlive
    ``clear`` (which ends one crawl); ``clear --seen`` forgets them too."""

    persistent = True
    problem = None

    def __init__(self, server, spider: str, url: str = ""):
        self.server = server
        self.base = seen_prefix(spider)
        self.path = f"{safe_url(url)} {self.base}*"
        self.host = socket.gethostname()
        self.previous_run = self._last_run()
        self.entries = self.count()

    def _k(self, name: str) -> str:
        return f"{self.base}{name}"

    def count(self) -> int:
        return self.server.hlen(self._k("entries"))

    def status(self, record_id: str) -> str | None:
        import json

        raw = self.server.hget(self._k("entries"), record_id)
        return json.loads(raw)["status"] if raw else None

    def has(self, record_id: str) -> bool:
        return bool(self.server.hexists(self._k("entries"), record_id))

    def add(self, record_id, content=None, published_at=None, url=None, status="written") -> None:
        import json

        from newscrawler.state import WRITTEN, _now

        now = _now()
        old = self.server.hget(self._k("entries"), record_id)
        entry = json.loads(old) if old else {"first_seen": now}
        before = entry.get("content_hash")
        if not old or status == WRITTEN:
            entry["status"] = status
        for name, value in (("content_hash", content), ("published_at", published_at), ("url", url)):
            if value is not None:
                entry[name] = value
        entry["last_seen"] = now
        pipe = self.server.pipeline()
        pipe.hset(self._k("entries"), record_id, json.dumps(entry))
        if before and before != entry.get("content_hash"):
            pipe.hdel(self._k(f"content:{before}"), record_id)
        if entry.get("content_hash") and entry["status"] == WRITTEN:
            pipe.hset(self._k(f"content:{entry['content_hash']}"), record_id,
                      json.dumps([entry.get("url"), entry.get("published_at")]))
        pipe.execute()

    def find_story(self, content: str) -> list:
        import json

        return [(_text(k), *json.loads(v)) for k, v in self.server.hgetall(self._k(f"content:{content}")).items()]

    def _runs(self) -> dict:
        import json

        return {_text(k): json.loads(v) for k, v in self.server.hgetall(self._k("runs")).items()}

    def _last_run(self) -> dict | None:
        runs = self._runs()
        if not runs:
            return None
        name, run = max(runs.items(), key=lambda kv: (kv[1]["started"], kv[1].get("t", 0.0)))
        return {"output_file": name, "started": run["started"], "finished": run.get("finished"),
                "reason": run.get("reason")}

    def unfinished_runs(self) -> list[str]:
        # only this machine's: another machine's output files cannot be seen from here
        return [n for n, r in self._runs().items() if not r.get("finished") and r.get("host") == self.host]

    def run_started(self, output_file: str) -> None:
        import json

        from newscrawler.state import _now

        run = {"started": _now(), "t": time.time(), "host": self.host}
        self.server.hset(self._k("runs"), output_file, json.dumps(run))

    def run_finished(self, output_file: str, reason: str) -> None:
        import json

        from newscrawler.state import _now

        raw = self.server.hget(self._k("runs"), output_file)
        run = json.loads(raw) if raw else {"started": _now(), "t": time.time(), "host": self.host}
        run.update(finished=_now(), reason=reason)
        self.server.hset(self._k("runs"), output_file, json.dumps(run))

    def adopt(self, path) -> int:
        from newscrawler.state import written_entries

        n = 0
        for entry in written_entries(path):
            self.add(*entry)
            n += 1
        return n

    def close(self) -> None:
        pass


def seen_prefix(spider: str) -> str:
    return f"newscrawler:seen:{spider}:"


def seen_store_for(crawler, spider_name: str):
    """The Redis seen-store in distributed mode, else None (``newscrawler.state.store_for``)."""
    if not enabled(crawler.settings):
        return None
    return RedisSeenStore(_server(crawler.settings), spider_name, redis_url(crawler.settings))
