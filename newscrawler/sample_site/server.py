"""HTTP serving of a :class:`~newscrawler.sample_site.site.SampleSite`.

* :func:`serve` starts a ``ThreadingHTTPServer`` in a background thread of *this* process
  (handy for unit tests);
* :class:`RunningSite` starts ``python -m newscrawler.sample_site`` as a *subprocess* (so the
  site never competes with a crawler for the GIL) and stops it on exit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .site import SampleSite

__all__ = ["serve", "ServedSite", "RunningSite", "SiteServer"]

_REASONS = {200: "OK", 404: "Not Found", 500: "Internal Server Error"}
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response carries Content-Length
    server_version = "KashafSample/1.0"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120  # idle keep-alive connections are dropped after this many seconds

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._reply(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._reply(send_body=False)

    def _reply(self, send_body: bool) -> None:
        try:
            status, headers, body = self.server.site.handle(self.path, dict(self.headers.items()))
        except Exception:  # never let a bug kill the connection silently
            status, body = 500, b"internal error\n"
            headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\nServer: {self.server_version}\r\n"]
        for k, v in headers:
            head.append(f"{k}: {v}\r\n")
        if self.close_connection:
            head.append("Connection: close\r\n")
        head.append("\r\n")
        data = "".join(head).encode("latin-1")
        # one write per response (header + body together): no Nagle/delayed-ACK stalls
        self.wfile.write(data + body if send_body else data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence the request log
        pass


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, site: SampleSite, address: tuple[str, int]):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.site = site
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return  # clients hanging up are normal for a crawler target
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"


class ServedSite:
    """A site served from a background thread; ``.url``, ``.close()``, context manager."""

    def __init__(self, server: SiteServer):
        self.server = server
        self.site = server.site
        self.url = server.url
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.2},
            name=f"sample-site:{self.port}", daemon=True,
        )
        self._thread.start()
        self._closed = False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "ServedSite":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve(site: SampleSite, host: str = "127.0.0.1", port: int = 0) -> ServedSite:
    """Serve ``site`` on ``host:port`` (0 = a free port) from a daemon thread; returns at once."""
    return ServedSite(SiteServer(site, (host, port)))


class RunningSite:
    """Run the sample site in a subprocess for the duration of a ``with`` block.

    >>> with RunningSite(articles=300, seed=1) as site:   # doctest: +SKIP
    ...     print(site.url)                                # http://127.0.0.1:PORT/
    """

    def __init__(self, articles: int = 300, seed: int = 1, tz: str = "Asia/Riyadh",
                 host: str = "127.0.0.1", port: int = 0, python: str | None = None,
                 startup_timeout: float = 30.0, js_articles: int = 0, faults: str | None = None,
                 fault_seed: int = 0, layouts: str = "all", traps: str | None = None):
        self.faults, self.fault_seed = faults, fault_seed  # fault mode (faults.py)
        self.traps = traps  # trap mode (traps.py): "all" or e.g. "pagination,sessions"
        self.layouts = layouts  # "all" or "classic" (layouts.py)
        self.articles = articles
        self.js_articles = js_articles  # the optional JavaScript section (js_section.py)
        self.seed = seed
        self.tz = tz
        self.host = host
        self.port = port
        self.python = python or sys.executable
        self.startup_timeout = startup_timeout
        self.url: str | None = None
        self.proc: subprocess.Popen | None = None
        self._stderr = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def site(self) -> SampleSite:
        """An in-process twin of the served site (same pages, same ground truth)."""
        return SampleSite(self.articles, self.seed, self.tz, js_articles=self.js_articles, layouts=self.layouts)

    def ground_truth(self) -> dict:
        if self.url is None:
            raise RuntimeError("RunningSite is not started")
        if self.faults:  # adds "unrecoverable", without them in "records"
            from .faults import FaultPlan, ground_truth

            return ground_truth(self.site(), FaultPlan.parse(self.faults, self.fault_seed), self.url)
        return self.site().ground_truth(self.url)

    def js_ground_truth(self) -> dict:
        """Expected records and URLs of the JavaScript section (``js_articles > 0``)."""
        if self.url is None or not self.js_articles:
            raise RuntimeError("RunningSite is not started with js_articles")
        return self.site().js.ground_truth(self.url)

    def start(self) -> "RunningSite":
        if self.proc is not None:
            raise RuntimeError("already started")
        cmd = [self.python, "-m", "newscrawler.sample_site", "--articles", str(self.articles),
               "--seed", str(self.seed), "--tz", self.tz, "--host", self.host, "--port", str(self.port)]
        if self.js_articles:
            cmd += ["--js-articles", str(self.js_articles)]
        if self.faults:
            cmd += ["--faults", self.faults, "--fault-seed", str(self.fault_seed)]
        if self.layouts != "all":
            cmd += ["--layouts", self.layouts]
        if self.traps:
            cmd += ["--traps", self.traps]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr, env=env)
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(self.startup_timeout)
        url = line[0].decode("utf-8", "replace").strip() if line else ""
        if not url.startswith("http"):
            self.stop()
            raise RuntimeError(f"sample site did not start: {self._error_text() or 'no URL printed'}")
        self.url = url
        return self

    def _error_text(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            if proc.stdout:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def __enter__(self) -> "RunningSite":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_until_up(url: str, timeout: float = 10.0) -> None:
    """Poll ``url`` until the server answers (rarely needed: the URL is printed after bind)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "robots.txt", timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
