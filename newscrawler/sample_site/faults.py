"""Fault mode of the sample site: failing servers and broken pages, deterministic from a seed.

A :class:`FaultPlan` picks at most one fault *kind* per path (``/news/12.html``) from the
seed and the path alone, and decides per ``(path, attempt number)`` whether the fault
shows on that attempt; the server counts the attempts per path, so a retried request
of a transiently faulty path succeeds.

Kinds and what they do (``--faults "500=0.04,429=0.03,..."`` sets the rate of each,
the share of paths that get it):

transient (the first 1 or ``transient_attempts`` attempts fail, later ones succeed;
any path but ``/robots.txt``):

* ``500``, ``502``, ``503``: that status (503 with ``Retry-After``);
* ``429``: Too Many Requests with ``Retry-After: <retry_after>``;
* ``slow``: the answer comes after ``slow_seconds`` (set the crawl's DOWNLOAD_TIMEOUT lower);
* ``reset``: the connection is reset (RST) without an answer;
* ``truncate``: ``Content-Length`` of the whole page, half of it sent, then the connection closed.

content (every attempt; the crawler must read the page right anyway, so these articles
still become their ground-truth records):

* ``wrongcharset``: a UTF-8 page declared ``ISO-8859-1`` (windows-1256 pages declared ``utf-8``);
* ``malformed``: end tags dropped, stray end tags, an unclosed comment-like ``<!`` junk line.

permanent (every attempt, article pages only; the ground truth lists them as unrecoverable):

* ``dead``: always HTTP 500;
* ``oversize``: ``Content-Length`` of ``oversize_bytes`` (default 11 MiB, above the
  crawler's DOWNLOAD_MAXSIZE), body streamed until the client hangs up;
* ``redirectloop``: ``A -> A?loop=1 -> A``;
* ``offsite``: a redirect to the same path on another loopback host (``offsite_host``,
  default ``127.0.0.2:<site port>``).

links (every attempt, any HTML page; harmless for the records): ``offsitelinks`` adds links
to the other loopback host in the footer; the footer always has ``mailto:``, ``tel:``,
``javascript:`` and other-site links.

Options in the same string: ``slow_seconds=3``, ``retry_after=1``, ``transient_attempts=2``,
``oversize_bytes=11534336``, ``offsite_host=127.0.0.2:8001``.  ``GET /__faults__`` answers JSON with
the attempt times per path (for tests; nothing links to it).
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time

__all__ = ["FaultPlan", "FaultSpecError", "DEFAULT_FAULTS", "TRANSIENT", "CONTENT", "PERMANENT"]

TRANSIENT = ("500", "502", "503", "429", "slow", "reset", "truncate")
CONTENT = ("wrongcharset", "malformed")
PERMANENT = ("dead", "oversize", "redirectloop", "offsite")
LINKS = ("offsitelinks",)
KINDS = TRANSIENT + CONTENT + PERMANENT
OPTIONS = {"slow_seconds": float, "retry_after": int, "transient_attempts": int, "oversize_bytes": int,
           "offsite_host": str}

# 20% transient faults, 4% content faults, 2% permanent ones.
DEFAULT_FAULTS = ("500=0.04,502=0.02,503=0.04,429=0.03,slow=0.02,reset=0.02,truncate=0.03,"
                  "wrongcharset=0.02,malformed=0.02,dead=0.005,oversize=0.005,redirectloop=0.005,"
                  "offsite=0.005,offsitelinks=0.2")

REASONS = {  # why a permanently faulty article cannot be captured (ground truth)
    "dead": "HTTP 500",
    "oversize": "larger than DOWNLOAD_MAXSIZE",
    "redirectloop": "redirect loop",
    "offsite": "redirected off-site",
}

_ARTICLE = re.compile(r"^(/news/[1-9][0-9]*\.html|/article\?id=[1-9][0-9]*|/[0-9]{4}/[0-9]{2}/[1-9][0-9]*-[^/?]*)$")
_STATUS_TEXT = {200: "OK", 302: "Found", 429: "Too Many Requests", 500: "Internal Server Error",
                502: "Bad Gateway", 503: "Service Unavailable"}


class FaultSpecError(ValueError):
    """A malformed ``--faults`` string; the message is one line."""


def _unit(*parts) -> float:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0 ** 64


class FaultPlan:
    def __init__(self, rates: dict[str, float] | None = None, seed: int = 0, *, slow_seconds: float = 3.0,
                 retry_after: int = 1, transient_attempts: int = 2, oversize_bytes: int = 11 * 1024 * 1024,
                 offsite_host: str | None = None):
        rates = dict(rates or {})
        for kind, rate in rates.items():
            if kind not in KINDS + LINKS:
                raise FaultSpecError(f"unknown fault {kind!r}; known: {', '.join(KINDS + LINKS)}")
            if not 0.0 <= rate <= 1.0:
                raise FaultSpecError(f"fault rate {kind}={rate} is not between 0 and 1")
        if sum(rates.get(k, 0.0) for k in KINDS) > 1.0 + 1e-9:
            raise FaultSpecError("the fault rates add up to more than 1")
        if slow_seconds < 0 or retry_after < 0 or transient_attempts < 1 or oversize_bytes < 1:
            raise FaultSpecError("fault options must be positive")
        self.rates = rates
        self.seed = seed
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.transient_attempts = transient_attempts
        self.oversize_bytes = oversize_bytes
        self.offsite = offsite_host
        self._lock = threading.Lock()
        self._attempts: dict[str, list[float]] = {}

    # ------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, spec: str, seed: int = 0) -> "FaultPlan":
        """``"500=0.05,429=0.03,slow_seconds=2"`` (``"default"`` = :data:`DEFAULT_FAULTS`)."""
        spec = (spec or "").strip()
        if spec == "default":
            spec = DEFAULT_FAULTS
        elif spec.startswith("default,"):
            spec = DEFAULT_FAULTS + spec[len("default"):]
        rates, options = {}, {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep:
                raise FaultSpecError(f"fault {part!r} needs a value: KIND=RATE")
            if key in OPTIONS:
                try:
                    options[key] = OPTIONS[key](value.strip())
                except ValueError:
                    raise FaultSpecError(f"fault option {key}={value!r} is not a valid number") from None
                continue
            try:
                rates[key] = float(value)
            except ValueError:
                raise FaultSpecError(f"fault rate {key}={value!r} is not a number") from None
        return cls(rates, seed, **options)

    # ------------------------------------------------------------ decisions
    @staticmethod
    def is_article_path(path: str) -> bool:
        return bool(_ARTICLE.match(path))

    def kind(self, path: str) -> str | None:
        """The fault kind of ``path`` (the same on every attempt), or None."""
        if path in ("/robots.txt", "/__faults__"):
            return None
        u = _unit(self.seed, "kind", path)
        acc = 0.0
        for kind in KINDS:
            acc += self.rates.get(kind, 0.0)
            if u < acc:
                if kind in PERMANENT and not self.is_article_path(path):
                    return None
                return kind
        return None

    def failing_attempts(self, path: str) -> int:
        """How many first attempts of a transiently faulty path fail (1..transient_attempts)."""
        return 1 + int(_unit(self.seed, "attempts", path) * self.transient_attempts)

    def decide(self, path: str, attempt: int) -> str | None:
        """The fault shown on ``attempt`` (1-based) of ``path``, or None for a clean answer."""
        kind = self.kind(path)
        if kind in TRANSIENT and attempt > self.failing_attempts(path):
            return None
        return kind

    def has_offsite_links(self, path: str) -> bool:
        return _unit(self.seed, "links", path) < self.rates.get("offsitelinks", 0.0)

    def unrecoverable(self, article_paths) -> dict[str, str]:
        """``{path: reason}`` for the article paths that no crawler can capture."""
        out = {}
        for path in article_paths:
            kind = self.kind(path)
            if kind in PERMANENT:
                out[path] = REASONS[kind]
        return out

    def attempts(self) -> dict[str, list[float]]:
        with self._lock:
            return {k: list(v) for k, v in self._attempts.items()}

    # ------------------------------------------------------------ serving
    def _count(self, path: str) -> int:
        with self._lock:
            times = self._attempts.setdefault(path, [])
            times.append(time.time())
            return len(times)

    def reply(self, handler, send_body: bool) -> None:
        """Answer one request on ``handler`` (a ``BaseHTTPRequestHandler`` of the sample site)."""
        raw = handler.path
        if raw.startswith(("http://", "https://")):
            rest = raw.split("://", 1)[1]
            raw = rest[rest.find("/"):] if "/" in rest else "/"
        path = raw.split("#", 1)[0]
        if path == "/__faults__":
            body = json.dumps(self.attempts()).encode("utf-8")
            return self._send(handler, 200, [("Content-Type", "application/json")], body, send_body)
        attempt = self._count(path)
        fault = self.decide(path, attempt)
        if fault == "reset":
            return self._reset(handler)
        if fault in ("500", "502", "503", "429", "dead"):
            status = 500 if fault == "dead" else int(fault)
            headers = [("Content-Type", "text/plain; charset=utf-8")]
            if status in (429, 503):
                headers.append(("Retry-After", str(self.retry_after)))
            return self._send(handler, status, headers, f"fault {fault}\n".encode(), send_body)
        if fault == "redirectloop":
            base, _, query = path.partition("?")
            params = [p for p in query.split("&") if p and p != "loop=1"]
            looped = "loop=1" in query.split("&")
            if not looped:
                params.append("loop=1")
            target = base + ("?" + "&".join(params) if params else "")
            return self._send(handler, 302, [("Location", target), ("Content-Type", "text/plain")], b"", send_body)
        if fault == "offsite":
            host = self.offsite or f"127.0.0.2:{handler.server.server_address[1]}"
            return self._send(handler, 302, [("Location", f"http://{host}{path}"), ("Content-Type", "text/plain")],
                              b"", send_body)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        site_path = path
        if "loop=1" in path.split("?", 1)[-1].split("&"):  # the second hop of a loop
            base, _, query = path.partition("?")
            rest = "&".join(p for p in query.split("&") if p != "loop=1")
            site_path = base + ("?" + rest if rest else "")
            if self.kind(site_path) == "redirectloop":
                return self._send(handler, 302, [("Location", site_path), ("Content-Type", "text/plain")],
                                  b"", send_body)
        status, headers, body = handler.server.site.handle(site_path, dict(handler.headers.items()))
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
        if "html" in ctype:
            body = self._html_faults(path, fault, body, ctype, handler)
            if fault == "wrongcharset":
                try:
                    body.decode("utf-8")
                    wrong = "iso-8859-1"
                except UnicodeDecodeError:  # windows-1256 bytes
                    wrong = "utf-8"
                headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
                headers.append(("Content-Type", f"text/html; charset={wrong}"))
        if fault == "oversize":
            return self._oversize(handler, status, headers, body, send_body)
        if fault == "truncate":
            return self._truncated(handler, status, headers, body)
        return self._send(handler, status, headers, body, send_body)

    def _html_faults(self, path: str, fault: str | None, body: bytes, ctype: str, handler) -> bytes:
        if self.has_offsite_links(path):
            host = self.offsite or f"127.0.0.2:{handler.server.server_address[1]}"
            extra = (f'<li><a href="http://{host}/news/1.html">&#8599;</a></li>'
                     f'<li><a href="http://{host}/section/politics">&#8599;</a></li>')
            body = body.replace(b'<ul class="footer-links">', b'<ul class="footer-links">' + extra.encode(), 1)
        if fault == "malformed":
            # end tags a sloppy CMS forgets, stray end tags, junk before the document
            for tag in (b"</p>", b"</li>", b"</body>", b"</html>", b"</dd>", b"</td>", b"</tr>"):
                body = body.replace(tag, b"")
            body = b"</div></b><br/>" + body.replace(b"<main", b"</div></span></section><main", 1)
        return body

    # ------------------------------------------------------------ raw writing
    @staticmethod
    def _head(status: int, headers, length: int) -> bytes:
        lines = [f"HTTP/1.1 {status} {_STATUS_TEXT.get(status, 'OK')}", "Server: KashafSample/1.0 (faults)"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, handler, status: int, headers, body: bytes, send_body: bool) -> None:
        if handler.close_connection:
            headers = [*headers, ("Connection", "close")]
        data = self._head(status, headers, len(body))
        handler.wfile.write(data + body if send_body else data)

    def _reset(self, handler) -> None:
        handler.close_connection = True
        try:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

    def _truncated(self, handler, status, headers, body: bytes) -> None:
        handler.close_connection = True
        handler.wfile.write(self._head(status, [*headers, ("Connection", "close")], len(body)) + body[: len(body) // 2])
        handler.wfile.flush()

    def _oversize(self, handler, status, headers, body: bytes, send_body: bool) -> None:
        handler.close_connection = True
        size = max(self.oversize_bytes, len(body) + 16)
        handler.wfile.write(self._head(status, [*headers, ("Connection", "close")], size))
        if not send_body:
            return
        handler.wfile.write(body)
        left = size - len(body)
        filler = b"<!-- padding " + b"." * 65500 + b" -->\n"
        try:
            while left > 0:
                chunk = filler[:left] if left < len(filler) else filler
                handler.wfile.write(chunk)
                left -= len(chunk)
        except OSError:
            pass  # the crawler hung up, as it should


# ------------------------------------------------------------------ serving and ground truth
def _server_classes():
    from .server import SiteServer, _Handler

    class FaultHandler(_Handler):
        def _reply(self, send_body: bool) -> None:
            self.server.faults.reply(self, send_body)

    class FaultServer(SiteServer):
        def __init__(self, site, address, faults: FaultPlan):
            self.faults = faults
            super().__init__(site, address)
            self.RequestHandlerClass = FaultHandler

    return FaultServer


def make_server(site, faults: FaultPlan, host: str = "127.0.0.1", port: int = 0):
    """A ``SiteServer`` whose every answer goes through ``faults``."""
    return _server_classes()(site, (host, port), faults)


def serve_faulty(site, faults: FaultPlan, host: str = "127.0.0.1", port: int = 0):
    """Like :func:`~newscrawler.sample_site.server.serve`, in fault mode; ``.server.faults`` is the plan."""
    from .server import ServedSite

    return ServedSite(make_server(site, faults, host, port))


def ground_truth(site, faults: FaultPlan, base_url: str) -> dict:
    """The site's ground truth for a crawl in fault mode.

    Adds ``"unrecoverable"`` (``[{"url", "reason"}]``: the articles with a permanent fault,
    and the withdrawn stories whose page is a soft 404)
    and takes them out of ``records``, ``invalid`` and ``duplicate_groups``: a story whose
    twin is lost is no longer a duplicate. Transient and content faults change nothing: a
    crawler that retries (at least ``faults.transient_attempts`` times) and reads pages
    right still captures those articles exactly.
    """
    truth = site.ground_truth(base_url)
    base = base_url.rstrip("/")
    lost_paths = faults.unrecoverable(site.article_path(i) for i in range(1, site.n + 1))
    lost = {base + p: r for p, r in lost_paths.items()}
    from newscrawler.spiders.base import SOFT_404_REASON  # the crawler's own words for it

    for url in truth["soft_404"]:  # withdrawn stories: lost by what their page says, faults or not
        lost.setdefault(url, SOFT_404_REASON)
    truth["unrecoverable"] = [{"url": u, "reason": r} for u, r in sorted(lost.items())]
    truth["records"] = [r for r in truth["records"] if r["url"] not in lost]
    truth["invalid"] = [r for r in truth["invalid"] if r["url"] not in lost]
    truth["duplicate_groups"] = [g for g in truth["duplicate_groups"] if not any(u in lost for u in g)]
    truth["faults"] = {"seed": faults.seed, "rates": dict(faults.rates)}
    return truth
