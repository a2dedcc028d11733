"""A throw-away ``redis-server`` on a free 127.0.0.1 port (tests and benchmarks).

>>> with RunningRedis() as r:        # doctest: +SKIP
...     print(r.url)                  # redis://127.0.0.1:PORT/0
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_executable() -> str:
    """``NEWSCRAWLER_REDIS_SERVER`` (environment), else ``redis-server`` on PATH, else /usr/bin/redis-server."""
    return os.environ.get("NEWSCRAWLER_REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"


class RunningRedis:
    def __init__(self, executable: str | None = None, password: str | None = None, startup_timeout: float = 10.0):
        self.executable = executable or redis_server_executable()
        self.password = password
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._dir = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> "RunningRedis":
        import redis

        self._dir = tempfile.TemporaryDirectory(prefix="newscrawler-redis-")
        for _ in range(5):
            self.port = free_port()
            cmd = [self.executable, "--save", "", "--appendonly", "no", "--port", str(self.port),
                   "--bind", "127.0.0.1", "--dir", self._dir.name]
            if self.password:
                cmd += ["--requirepass", self.password]
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
                    client.ping()
                    client.close()
                    return self
                except redis.RedisError:
                    time.sleep(0.05)
            self._kill()  # port taken in between, or too slow: try another port
        raise RuntimeError(f"redis-server ({self.executable}) did not start")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def _kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def stop(self) -> None:
        self._kill()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> "RunningRedis":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
