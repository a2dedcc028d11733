"""Small sites for the scheduling tests, served in this process on 127.0.0.1."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from newscrawler.processors.urls import canonical_url
from newscrawler.sample_site import SampleSite

_CARD = re.compile(r'<div class="card">.*?(?=<div class="card">|</div><nav|</div></main>)', re.S)
_TEASER = re.compile(r'<div class="teaser">.*?(?=<div class="teaser">|</aside>)', re.S)
_MORE = re.compile(r'<li><a href="([^"]+)">[^<]*</a></li>')
_HREF = re.compile(r'href="([^"]+)"')


class GrowingSite:
    """A SampleSite whose ``hidden`` newest articles (1..hidden) are not published yet.

    The sample site numbers its articles newest first, and ``SampleSite(N + K)``
    adds K *older* articles (and moves every date); "the site publishes K new
    articles" is this wrapper with ``hidden`` going from K to 0. Hidden articles
    answer 404 and every card, teaser and link to them is removed.
    """

    def __init__(self, articles: int, seed: int, hidden: int):
        self.site = SampleSite(articles, seed)
        self.hidden = hidden
        self._paths = {self.site.article_path(i) for i in range(1, hidden + 1)}

    def publish(self) -> None:
        self.hidden = 0
        self._paths = set()

    def _is_hidden(self, href: str) -> bool:
        if not self._paths:
            return False
        u = urlsplit(canonical_url("http://h" + href.replace("&amp;", "&") if href.startswith("/") else href))
        path = u.path + ("?" + u.query if u.query else "")
        return path in self._paths

    def _strip(self, m: re.Match) -> str:
        h = _HREF.search(m.group(0))
        return "" if h and self._is_hidden(h.group(1)) else m.group(0)

    def handle(self, path_qs: str, headers: dict | None = None):
        if self._is_hidden(path_qs):
            return self.site.handle("/no-such-page", headers)
        status, head, body = self.site.handle(path_qs, headers)
        ctype = dict(head).get("Content-Type", "")
        if not self._paths or "html" not in ctype:
            return status, head, body
        try:
            codec, text = "utf-8", body.decode("utf-8")
        except UnicodeDecodeError:  # the sample site serves some pages in windows-1256
            codec, text = "cp1256", body.decode("cp1256")
        for rx in (_CARD, _TEASER, _MORE):
            text = rx.sub(self._strip, text)
        body = text.encode(codec, "xmlcharrefreplace")
        head = [(k, str(len(body)) if k == "Content-Length" else v) for k, v in head]
        return status, head, body


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        status, headers, body = self.server.site.handle(self.path, dict(self.headers.items()))
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # clients hanging up (a killed crawl) are expected here


class Served:
    """Serve anything with ``handle(path, headers) -> (status, headers, body)`` on a free port."""

    def __init__(self, site):
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.site = site
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NoDateSite:
    """A tiny aggregator whose article pages all lack their date: every record is invalid."""

    def __init__(self, articles: int = 6):
        self.n = articles

    def handle(self, path: str, headers=None):
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n"
        if path == "/":
            cards = "".join(
                f'<div class="card"><h3><a href="/news/{i}.html">عنوان الخبر رقم {i} في الصفحة</a></h3>'
                f"<div>المصدر: وكالة {i} - مصر التصنيف: سياسة</div><div>مستوى الصحة: 80% الأهمية: 50%</div></div>"
                for i in range(1, self.n + 1)
            )
            return self._html(f"<h1>آخر الأخبار</h1><main>{cards}</main>")
        m = re.fullmatch(r"/news/(\d+)\.html", path)
        if m and 1 <= int(m.group(1)) <= self.n:
            i = m.group(1)
            body = "".join(f"<p>فقرة رقم {k} من نص الخبر {i} وهي فقرة طويلة بما يكفي لتكون نصا.</p>" for k in range(3))
            return self._html(
                f'<article><h1>عنوان الخبر رقم {i}</h1>{body}<ul><li>المصدر: وكالة {i} - مصر</li>'
                f"<li>التصنيف: سياسة</li><li>مستوى الصحة: 80%</li><li>الأهمية: 50%</li></ul></article>"
            )
        return 404, [("Content-Type", "text/html; charset=utf-8")], b"<h1>404</h1>"

    @staticmethod
    def _html(inner: str):
        body = f'<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>x</title></head><body>{inner}</body></html>'
        data = body.encode("utf-8")
        return 200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data)))], data


class GatedSite:
    """A site that answers its first ``open_for`` requests, then holds every further one until
    ``release()`` (or ``open()``); ``requested`` is set when the first request is held. A test can
    then act while a crawl is certainly running and waiting, on a busy machine as on an idle one
    (a crawl stopped meanwhile is still waiting on those requests: it lives on)."""

    def __init__(self, site, open_for: int = 0):
        self.site = site
        self.left = open_for
        self.waiting = 0
        self.requested = threading.Event()
        self._gate = threading.Event()
        self._lock = threading.Lock()

    def handle(self, path: str, headers=None):
        with self._lock:
            hold = self.left <= 0 and not self._gate.is_set()
            self.left -= 1
            self.waiting += hold
        if hold:
            self.requested.set()
            self._gate.wait(timeout=300)
        return self.site.handle(path, headers)

    def release(self) -> None:
        self._gate.set()

    open = release
