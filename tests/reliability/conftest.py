"""Shared pieces of the reliability tests: a fault-mode sample site and a host that counts hits."""

from __future__ import annotations

import collections
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class _Counting(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        body = b"<html><body><h1>other host</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class CountingHost:
    """An HTTP server on another loopback address (127.0.0.2) that records every request."""

    def __init__(self, host: str = "127.0.0.2"):
        self.server = ThreadingHTTPServer((host, 0), _Counting)
        self.server.hits = []
        self.address = f"{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def hits(self) -> list[str]:
        return list(self.server.hits)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_host():
    host = CountingHost()
    yield host
    host.close()


def covering_seed(plan_cls, spec: str, paths: list[str], kinds, tries: int = 2000) -> int:
    """The first fault seed under which every kind in ``kinds`` hits at least one of ``paths``."""
    for seed in range(tries):
        plan = plan_cls.parse(spec, seed)
        counts = collections.Counter(plan.kind(p) for p in paths)
        if all(counts[k] >= 1 for k in kinds):
            return seed
    raise AssertionError(f"no seed below {tries} covers {kinds}")
