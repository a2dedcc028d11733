"""Archive every fetched response, and its request, in gzipped WARC files (warcio).

On with the setting ``NEWSCRAWLER_ARCHIVE`` (``-s NEWSCRAWLER_ARCHIVE=1``) or the
profile key ``"archive": true``; off by default (the setting, when given, wins
over the profile). A downloader middleware placed next to the downloader
(``DOWNLOADER_MIDDLEWARES``, 960), so it sees every response as it came off the
wire, before retries, redirects and decompression: article and listing pages,
``robots.txt``, redirects (3xx), error pages that are retried, pages rendered in
the browser.

Files: ``<NEWSCRAWLER_ARCHIVE_DIR>/<run>-<NNNNN>.warc.gz`` (default folder
``<NEWSCRAWLER_OUTPUT_DIR>/archive``), where ``<run>`` is the run's name
(``<spider>-<UTC start>[-<worker>]-<run id>``, the same as its ``.jsonl``, so a
distributed worker writes files of its own), and ``NNNNN`` counts from 00000: a
new file is started once one reaches ``NEWSCRAWLER_ARCHIVE_MAX_BYTES`` (default
1 GB). Each file starts with a ``warcinfo`` record (software, the spider, its
``-a`` arguments, the settings that change what a page gives: ``PARSE_SETTINGS``).
Per fetch:

* a ``response`` record: status line, headers and body as the downloader
  returned them (``WARC-Date`` is the fetch time, which also becomes the
  record's ``crawled_at``); a page rendered in Chromium (``render_js``) is the
  DOM the browser produced, marked ``WARC-Newscrawler-Rendered: browser``;
* a ``request`` record (``WARC-Concurrent-To`` the response; the values of
  ``Authorization`` and ``Proxy-Authorization`` are not archived);
* for each response Scrapy handed on (to the spider, or to the robots.txt
  check), a ``metadata`` record (``application/json``, ``WARC-Concurrent-To`` the
  response, URI ``urn:newscrawler:handed-on:<url>``): the callback and errback that got it and the request's plain
  ``meta`` (redirect chain, browser flags). ``python -m newscrawler reparse``
  uses it to give each archived response to the same spider method the crawl
  did. A response without one (a redirect, a retried 503) was never parsed;
* for a page given up on before any response of it was handed on (a redirect
  loop, an off-site redirect, a body too big, no answer): a ``metadata``
  record with URI ``urn:newscrawler:lost:<url>`` (``{"lost", "reason",
  "request_url"}``), so that reparse lists it as unrecoverable too.

Crash safety: the records of one fetch are built in memory and appended with
one ``os.write`` (a failed write is cut back with ``ftruncate``), each record a
gzip member of its own, so a run killed with SIGKILL leaves only whole records
(``warcio index`` and ``warcio check`` read them all). While a file is written
an empty ``<file>.open`` beside it holds a lock; the next run in that folder
finds an unlocked one, cuts anything after the file's last whole record (a
power cut, a full disk, a kill in the microseconds of a write) and removes the
marker. Every run writes new files; nothing is appended to a dead run's file.

A write that fails (a full disk) stops the crawl with the finish reason
``archive_error``: a crawl asked to archive never goes on without its archive.
Stats (and the run summary's ``archive`` object): ``files``, ``responses``,
``rendered``, ``records``, ``bytes``.
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import socket
import zlib
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import __version__ as SCRAPY_VERSION
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import deferred_from_coro
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newscrawler.argtypes import TRUE_WORDS
from newscrawler.items import FETCHED_AT
from newscrawler.output import append_whole, dead_files, run_name, sync_close
from newscrawler.signals import page_lost

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
REPLAYED = "replay"  # in response.flags: served from an archive by extensions/replay.py
RENDERED = "WARC-Newscrawler-Rendered"  # response header of a page the browser rendered
META_TYPE = "application/json"
# The metadata record's own URI: not the page's, so that replay tools (pywb) never take it for a capture
METADATA_URI = "urn:newscrawler:handed-on:"
LOST_URI = "urn:newscrawler:lost:"  # a metadata record of a page that failed for good with no response handed on
RECORD_ID = "newscrawler_warc_id"  # request meta: the id of the response record last written for it
OPEN_SUFFIX = ".open"
DEFAULT_MAX_BYTES = 1_000_000_000
# Request meta that is Scrapy's own bookkeeping for this process, not about the page, or a secret.
SKIP_META = {RECORD_ID, FETCHED_AT, "download_slot", "download_latency", "playwright_page", "proxy"}
SECRET_HEADERS = ("authorization", "proxy-authorization")  # archived as "(not archived)"
PAGE_METHODS = "playwright_page_methods"  # kept as their results (did the content appear?)
# Settings that change what a page gives: kept in the warcinfo record, reparse uses them again.
PARSE_SETTINGS = ("NEWSCRAWLER_DUPLICATE_WINDOW", "NEWSCRAWLER_RENDER_JS", "NEWSCRAWLER_JS_WAIT_TIMEOUT",
                  "DOWNLOAD_MAXSIZE", "HTTPERROR_ALLOWED_CODES", "HTTPERROR_ALLOW_ALL")


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def setting_or_profile(crawler) -> bool:
    """Archiving on? ``NEWSCRAWLER_ARCHIVE`` when set, else the profile's ``archive`` key."""
    value = crawler.settings.get("NEWSCRAWLER_ARCHIVE")
    if value is None or value == "":
        profile = getattr(crawler.spider, "profile", None)
        value = (getattr(profile, "raw", None) or {}).get("archive", False)
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def archive_folder(settings) -> Path:
    folder = settings.get("NEWSCRAWLER_ARCHIVE_DIR")
    if folder:
        return Path(folder)
    return Path(settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data") / "archive"


def warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def _header_pairs(headers) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` as (name, value) pairs, every value of a repeated header kept."""
    return [(k.decode("latin-1"), v.decode("latin-1")) for k in headers for v in headers.getlist(k)]


def _callback_name(fn, spider) -> str | None:
    if fn is None:
        return "parse"
    if fn is NO_CALLBACK:
        return None
    if getattr(fn, "__self__", None) is spider:
        return fn.__name__
    return None


def plain_meta(meta: dict) -> tuple[dict, list[str]]:
    """The request meta that is plain JSON data, and the names of the keys left out."""
    kept, dropped = {}, []
    for key, value in meta.items():
        if key in SKIP_META or key.startswith("_"):
            continue
        if key == PAGE_METHODS and isinstance(value, (list, tuple)):
            value = [{"result": getattr(m, "result", None)} for m in value]
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            dropped.append(key)
            continue
        kept[key] = value
    return kept, sorted(dropped)


class ArchiveFile:
    """One ``.warc.gz`` being written: appended with one write per fetch, locked by its ``.open`` marker."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.marker = self.path.with_name(self.path.name + OPEN_SUFFIX)
        self.lock = os.open(self.marker, os.O_WRONLY | os.O_CREAT, 0o644)
        fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        self.size = 0

    def write(self, data: bytes) -> None:
        self.size = append_whole(self.fd, data, self.size)

    def close(self) -> None:
        if self.fd is None:
            return
        sync_close(self.fd)
        self.fd = None
        self.marker.unlink(missing_ok=True)
        os.close(self.lock)


def whole_records_end(path: Path) -> int:
    """The offset just after the last whole gzip member of ``path`` (0 when none)."""
    end = good = 0
    with open(path, "rb") as fh:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        pending = b""
        while True:
            chunk = pending or fh.read(1 << 20)
            pending = b""
            if not chunk:
                return good
            try:
                d.decompress(chunk)
            except zlib.error:
                return good
            if d.eof:
                consumed = len(chunk) - len(d.unused_data)
                end += consumed
                good = end
                pending = d.unused_data
                d = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                end += len(chunk)


def recover(folder: Path) -> list[tuple[Path, int]]:
    """Finish the archive files of runs that died: cut each after its last whole
    record and remove its ``.open`` marker. Returns (file, bytes cut) pairs."""
    done = []
    for marker, _ in dead_files(folder, f"*.warc.gz{OPEN_SUFFIX}"):
        path = marker.with_name(marker.name[: -len(OPEN_SUFFIX)])
        cut = 0
        if path.exists():
            size = path.stat().st_size
            keep = whole_records_end(path)
            if keep < size:
                os.truncate(path, keep)
                cut = size - keep
        marker.unlink(missing_ok=True)
        done.append((path, cut))
    return done


class WarcArchive:
    """The downloader middleware; see the module docstring."""

    def __init__(self, crawler, folder: Path, max_bytes: int):
        self.crawler = crawler
        self.stats = crawler.stats
        self.folder = Path(folder)
        self.max_bytes = max(1, int(max_bytes))
        self.builder = WARCWriter(None, gzip=True, warc_version=WARC_VERSION)
        self.file: ArchiveFile | None = None
        self.count = 0
        self.failed = False
        self.hostname = socket.gethostname()
        self.folder.mkdir(parents=True, exist_ok=True)
        for path, cut in recover(self.folder):
            logger.warning("archive: finished %s, left by a run that was killed%s", path,
                           f" (cut {cut} bytes of an unfinished record)" if cut else "")
        for key in ("files", "responses", "rendered", "records", "bytes"):
            self.stats.set_value(f"newscrawler/archive/{key}", [] if key == "files" else 0)
        self.stats.set_value("newscrawler/archive/folder", str(self.folder))
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.page_lost, signal=page_lost)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if not setting_or_profile(crawler):
            raise NotConfigured
        settings = crawler.settings
        return cls(crawler, archive_folder(settings),
                   settings.getint("NEWSCRAWLER_ARCHIVE_MAX_BYTES", DEFAULT_MAX_BYTES))

    # ------------------------------------------------------------ records
    def _serialise(self, *records) -> bytes:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=True, warc_version=WARC_VERSION)
        for record in records:
            writer.write_record(record)
        return buf.getvalue()

    def _warcinfo(self, path: Path):
        spider = self.crawler.spider
        info = {
            "software": f"newscrawler (Scrapy {SCRAPY_VERSION}, warcio {_version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": self.hostname,
            "isPartOf": run_name(self.crawler),
            "robots": "obey" if self.crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": self.crawler.settings.get("USER_AGENT"),
            "newscrawler-spider": spider.name,
            "newscrawler-arguments": json.dumps(getattr(spider, "spider_args", {}), ensure_ascii=False, sort_keys=True),
            "newscrawler-settings": json.dumps(self._parse_settings(), ensure_ascii=False, sort_keys=True),
        }
        return self.builder.create_warcinfo_record(path.name, info)

    def _parse_settings(self) -> dict:
        settings = self.crawler.settings
        kept = {}
        for name in PARSE_SETTINGS:
            value = settings.get(name)
            if value is not None:
                kept[name] = list(value) if isinstance(value, (list, tuple)) else value
        return kept

    def _open(self) -> ArchiveFile:
        while True:
            path = self.folder / f"{run_name(self.crawler)}-{self.count:05d}.warc.gz"
            self.count += 1
            if not path.exists():
                break
        f = ArchiveFile(path)
        try:
            f.write(self._serialise(self._warcinfo(path)))
        except OSError:
            f.close()
            raise
        files = self.stats.get_value("newscrawler/archive/files") or []
        files.append(str(path))
        self.stats.set_value("newscrawler/archive/files", files)
        return f

    def _append(self, data: bytes, records: int, new_fetch: bool) -> bool:
        """Write one fetch's records (``new_fetch``: a response and its request;
        a new file may start before it) or a metadata record (always in the file
        of its response, unless that one is full); on failure stop the crawl (False)."""
        if self.failed:
            return False
        try:
            if self.file is not None and new_fetch and self.file.size >= self.max_bytes:
                self.file.close()
                self.file = None
            if self.file is None:
                self.file = self._open()
            self.file.write(data)
        except OSError as e:
            self.failed = True
            where = self.file.path if self.file is not None else self.folder
            logger.error("archive: cannot write %s: %s; stopping the crawl", where, e.strerror or e)
            self.stats.set_value("newscrawler/archive/error", f"{where}: {e.strerror or e}")
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason="archive_error"))
            return False
        self.stats.inc_value("newscrawler/archive/records", records)
        self.stats.inc_value("newscrawler/archive/bytes", len(data))
        return True

    def _http_response(self, response, rendered: bool) -> StatusAndHeaders:
        headers = _header_pairs(response.headers)
        # Scrapy hands over the body de-chunked; a rendered page is the browser's DOM:
        # the headers must describe the body that is stored.
        headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        if rendered or any(k.lower() == "content-length" for k, _ in headers):
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
            headers.append(("Content-Length", str(len(response.body))))
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        protocol = response.protocol or "HTTP/1.1"
        return StatusAndHeaders(f"{response.status} {reason}".strip(), headers, protocol=protocol.upper())

    def _http_request(self, request) -> StatusAndHeaders:
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [(k, "(not archived)" if k.lower() in SECRET_HEADERS else v) for k, v in _header_pairs(request.headers)]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers, is_http_request=True)

    # ------------------------------------------------------------ Scrapy hooks
    def process_response(self, request, response):
        if REPLAYED in response.flags:  # served from an archive (extensions/replay.py): archived already
            return response
        when = datetime.now(timezone.utc)
        request.meta[FETCHED_AT] = when
        rendered = bool(request.meta.get("playwright"))
        warc = {"WARC-Date": warc_date(when)}
        if response.ip_address is not None:
            warc["WARC-IP-Address"] = str(response.ip_address)
        if rendered:
            warc[RENDERED] = "browser"
        b = self.builder
        resp = b.create_warc_record(response.url, "response", payload=io.BytesIO(response.body),
                                    length=len(response.body), http_headers=self._http_response(response, rendered),
                                    warc_headers_dict=warc)
        rid = resp.rec_headers.get_header("WARC-Record-ID")
        req = b.create_warc_record(request.url, "request", payload=io.BytesIO(request.body or b""),
                                   length=len(request.body or b""), http_headers=self._http_request(request),
                                   warc_headers_dict={"WARC-Date": warc["WARC-Date"], "WARC-Concurrent-To": rid})
        if self._append(self._serialise(resp, req), 2, new_fetch=True):
            request.meta[RECORD_ID] = rid
            self.stats.inc_value("newscrawler/archive/responses")
            if rendered:
                self.stats.inc_value("newscrawler/archive/rendered")
        return response

    def response_received(self, response, request, spider):
        """The response went on to the spider (or the robots.txt check): say to which method."""
        rid = request.meta.get(RECORD_ID)
        if rid is None or self.failed:
            return
        meta, dropped = plain_meta(request.meta)
        info = {
            "callback": _callback_name(request.callback, spider),
            "errback": _callback_name(request.errback, spider) if request.errback else None,
            "request_url": request.url,
            "status": response.status,
            "meta": meta,
        }
        if dropped:
            info["meta_not_archived"] = dropped
        body = json.dumps(info, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = self.builder.create_warc_record(
            METADATA_URI + response.url, "metadata", payload=io.BytesIO(body), length=len(body),
            warc_content_type=META_TYPE,
            warc_headers_dict={"WARC-Date": warc_date(request.meta.get(FETCHED_AT) or datetime.now(timezone.utc)),
                               "WARC-Concurrent-To": rid},
        )
        self._append(self._serialise(record), 1, new_fetch=False)

    def page_lost(self, url, reason, request):
        """A page that failed for good before any response of it went to the spider (a redirect
        loop, an off-site redirect, a body too big, no answer): one metadata record, so that
        reparse lists it as the crawl did. Not in a replay (its archive has it already)."""
        if self.failed or (getattr(self.crawler.spider, "spider_args", None) or {}).get("replay"):
            return
        body = json.dumps({"lost": url, "reason": reason, "request_url": request.url},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        headers = {"WARC-Date": warc_date(datetime.now(timezone.utc))}
        if request.meta.get(RECORD_ID):  # its last response (a redirect), when there was one
            headers["WARC-Concurrent-To"] = request.meta[RECORD_ID]
        record = self.builder.create_warc_record(LOST_URI + url, "metadata", payload=io.BytesIO(body),
                                                 length=len(body), warc_content_type=META_TYPE,
                                                 warc_headers_dict=headers)
        self._append(self._serialise(record), 1, new_fetch=False)

    def spider_closed(self, spider, reason):
        if self.file is not None:
            try:
                self.file.close()
            except OSError as e:
                logger.error("archive: cannot finish %s: %s", self.file.path, e.strerror or e)
            self.file = None
