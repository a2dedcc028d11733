"""Rebuild a dataset from WARC archives, with no network: ``python -m newscrawler reparse``.

Every archived response that the crawl handed to its spider (the archive's
``metadata`` record says to which method: see ``extensions/archive.py``) goes,
in the archive's order, to the same method of a spider made as for the crawl
(the archive's ``warcinfo`` keeps its ``-a`` arguments; ``-a`` here overrides
them), with the request meta the crawl had and ``crawled_at`` set to the
archived fetch time. Responses are built as Scrapy would (``responsetypes``,
Scrapy's own ``HttpCompressionMiddleware``; a non-2xx page goes to the errback
through Scrapy's ``HttpErrorMiddleware``). The spider's page parser and item
loader make the items, and the project's item pipelines (the same classes, in
the same order: normalise, validate, de-duplicate, write, ...) make the run
files: records, rejects and a summary marked ``"source": "archive"``. Spidermon's
monitors run on the result as after a crawl.

What is not done: no request is sent; links are not followed (the archive
already holds what the crawl fetched); the seen-store of incremental runs is
neither read nor written (``SeenFilterPipeline`` and ``SeenStorePipeline`` are
left out), so a reparse is always a whole dataset of its archives.

A request that the spider makes while reparsing and that needs more than the
archive can say (the outlet page of ``follow_origin``, whose request carries the
half-made record) is held until its archived response comes; one whose
response is not in the archive goes to its errback at the end, as a download
that failed.

Scrapy's engine is not used (it would cost more than the parser): the
crawler's settings, stats, signals and extensions are, through
``Crawler._apply_settings`` (Scrapy 2.19).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DropItem, IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.pipelines import ItemPipelineManager
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError, HttpErrorMiddleware
from scrapy.utils.deprecate import argument_is_required
from twisted.python.failure import Failure

from newscrawler.archive_reader import read_archive
from newscrawler.argtypes import unknown_name
from newscrawler.extensions.archive import LOST_URI, META_TYPE, PAGE_METHODS, RENDERED
from newscrawler.items import FETCHED_AT

logger = logging.getLogger(__name__)

LIVE_ONLY_PIPELINES = (  # the incremental seen-store: a reparse never reads or changes it
    "newscrawler.pipelines.seen.SeenFilterPipeline",
    "newscrawler.pipelines.seen.SeenStorePipeline",
)
WAITING_LIMIT = 1000  # archived responses waiting for their metadata record (a redirect, a retry never gets one)
PREFIX = "newscrawler/archive/"


class NotArchived(IgnoreRequest):
    """A request made while reparsing whose response is not in the archive."""


class ReparseError(ValueError):
    """A wrong argument (one line)."""


def read_warcinfo(record) -> dict:
    """A warcinfo record's ``name: value`` lines as a dict."""
    info = {}
    for line in record.body.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            info[name.strip()] = value.strip()
    return info


def archive_run(paths: list[Path]) -> tuple[dict, dict]:
    """(-a arguments, settings that change what a page gives) of the crawl, from the
    first warcinfo record of the archives."""
    import json

    def field(info: dict, name: str) -> dict:
        try:
            value = json.loads(info.get(name) or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    for path in paths:
        for record in read_archive(path, []):
            if record.type == "warcinfo":
                info = read_warcinfo(record)
                args = field(info, "newscrawler-arguments")
                return {k: str(v) for k, v in args.items()}, field(info, "newscrawler-settings")
            break  # a WARC file starts with its warcinfo, or has none
    return {}, {}


def _first_url(paths: list[Path]) -> str | None:
    for path in paths:
        for record in read_archive(path, []):
            if record.type == "response" and record.url:
                parts = urlsplit(record.url)
                return f"{parts.scheme}://{parts.netloc}/"
    return None


def offline_class(spidercls: type) -> type:
    """The spider class for reparsing: it follows no link, has no seen-store and needs no browser."""

    def links_to_follow(self, response, page):
        return ()

    return type(spidercls.__name__, (spidercls,), {
        "offline": True,
        "_state": None,  # SeenFilterPipeline: no store
        "links_to_follow": links_to_follow,
        "__module__": spidercls.__module__,
    })


def reparse_settings(out: Path, overrides: dict | None = None, archived: dict | None = None):
    """The project's settings, the crawl's own ``PARSE_SETTINGS`` (``archived``), then ours and ``overrides``."""
    from newscrawler.extensions.archive import PARSE_SETTINGS
    from newscrawler.runner import project_settings

    settings = project_settings()
    for key, value in (archived or {}).items():
        if key in PARSE_SETTINGS:
            settings.set(key, value, priority="project")
    pipelines = {k: v for k, v in settings.getdict("ITEM_PIPELINES").items() if k not in LIVE_ONLY_PIPELINES}
    fixed = {
        "NEWSCRAWLER_OUTPUT_DIR": str(out),
        "ITEM_PIPELINES": pipelines,
        "ADDONS": {},  # never distributed: NEWSCRAWLER_REDIS_URL is ignored
        "NEWSCRAWLER_ARCHIVE": False,
        "EXTENSIONS_BASE": {"scrapy.extensions.corestats.CoreStats": 0},
        "LOG_LEVEL": "WARNING",
    }
    for key, value in {**fixed, **(overrides or {})}.items():
        settings.set(key, value, priority="cmdline")
    return settings


def _call(method, spider):
    """Call a pipeline's open_spider/close_spider with the spider when it asks for one, as Scrapy does."""
    return method(spider) if argument_is_required(method, "spider") else method()


def scrapy_response(url: str, status: int, protocol: str | None, header_pairs, body: bytes, request):
    """An archived response as Scrapy's HTTP handler makes it (the class from ``responsetypes``)."""
    values: dict[str, list[str]] = {}
    for name, value in header_pairs:
        values.setdefault(name, []).append(value)
    headers = Headers(values)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body, request=request, protocol=protocol)


@dataclass(slots=True)
class Unit:
    """One archived response the crawl handed to a spider method, ready to hand on again."""

    url: str
    request_url: str
    status: int
    protocol: str | None
    headers: list
    body: bytes
    callback: str
    errback: str | None
    meta: dict
    waits: bool  # its request carried what the archive cannot hold: it needs the request made here
    local: bool  # handled in the main process (waits, or not 2xx: an errback), in order


@dataclass(slots=True)
class Lost:
    """A page the crawl gave up on before any response of it went to the spider (the archive's
    ``lost`` record): listed as unrecoverable again, in the archive's order."""

    url: str
    reason: str
    local: bool = True


_WORKER = None  # the Reparser a worker process inherited (fork)


def _work(chunk):
    return _WORKER.process_chunk(chunk)


class Reparser:
    """One reparse run: a spider, the pipelines, and the archive's responses.

    Archived records are read (in a thread of this process when ``jobs`` > 1),
    grouped in chunks of units, and each unit is handed to the spider: in this
    process, or in ``jobs`` worker processes forked with the spider, which send
    back the items (and any request that must wait for its archived response).
    Items always go through the pipelines here, in the archive's order.
    """

    CHUNK = 128

    def __init__(self, spidercls: type, spider_args: dict, settings):
        from scrapy.utils.reactor import is_reactor_installed

        self.crawler = Crawler(offline_class(spidercls), settings, init_reactor=not is_reactor_installed())
        crawler = self.crawler
        self.spider = crawler.spidercls.from_crawler(crawler, **spider_args)
        crawler.spider = self.spider
        crawler._apply_settings()  # stats, log formatter, extensions; freezes the settings (Scrapy 2.19)
        self.stats = crawler.stats
        self.itemproc = ItemPipelineManager.from_crawler(crawler)
        self.chain = list(self.itemproc.methods["process_item"])  # in the crawl's order
        try:
            self.decompress = HttpCompressionMiddleware.from_crawler(crawler)
        except NotConfigured:
            self.decompress = None
        self.httperror = HttpErrorMiddleware.from_crawler(crawler)
        self.pending: dict[tuple[str, str], list[Request]] = {}  # (url, callback) -> requests made here
        self.problems: list = []
        self.notes: list[str] = []  # what the archive's damage took beyond its unreadable bytes
        self.files: list[str] = []
        self.in_worker = False

    # ------------------------------------------------------------ run
    def run(self, paths: list[Path], jobs: int = 1) -> dict:
        reason = "finished"
        pool = None
        if jobs > 1:  # fork before any output file is open
            import gc
            import multiprocessing
            import threading

            gc.collect()
            gc.freeze()  # what exists now is shared with the workers: their collector must not touch (copy) it

            global _WORKER
            _WORKER = self
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=self._worker_started)
            _WORKER = None
            room = threading.BoundedSemaphore(4 * jobs)  # chunks read ahead: memory stays flat
        self.open()
        try:
            if pool is None:
                results = (self.process_chunk(c) for c in self.chunks(paths))
                for result in results:
                    self.apply(result)
            else:
                def ahead():
                    for c in self.chunks(paths):
                        room.acquire()
                        yield c

                for result in pool.imap(_work, ahead()):
                    self.apply(result)
                    room.release()
            self.finish_pending()
        except KeyboardInterrupt:
            reason = "shutdown"
            raise
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
            self.close(reason)
        return self.stats.get_stats()

    def _worker_started(self) -> None:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
        self.in_worker = True
        global _WORKER
        _WORKER = self

    def open(self) -> None:
        spider = self.spider
        for method in self.itemproc.methods["open_spider"]:  # in the crawl's order
            _call(method, spider)
        self.stats.open_spider()
        self.stats.set_value("newscrawler/source", "archive")
        for key in ("records_read", "responses", "handed_on", "robots", "not_handed_on", "unused_responses",
                    "not_in_archive", "rendered", "lost"):
            self.stats.set_value(PREFIX + key, 0)
        self.stats.set_value(PREFIX + "problems", [])
        self.crawler.signals.send_catch_log(signal=signals.spider_opened, spider=spider)

    def close(self, reason: str) -> None:
        spider = self.spider
        self.stats.set_value(PREFIX + "files", list(self.files))
        self.stats.set_value(PREFIX + "problems", [p.as_dict() for p in self.problems])
        self.stats.set_value(PREFIX + "problem_count", len(self.problems))
        self.stats.set_value(PREFIX + "notes", list(self.notes))
        for method in self.itemproc.methods["close_spider"]:  # last pipeline first, as a crawl closes them
            try:
                _call(method, spider)
            except Exception:
                logger.exception("reparse: error closing %s", type(method.__self__).__name__)
        self.crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason=reason)
        self.stats.close_spider(reason=reason)

    # ------------------------------------------------------------ reading (the main process)
    def chunks(self, paths: list[Path]):
        """(units, counts) chunks, in the archive's order; counts are stats to add."""
        import json

        counts: dict[str, int] = {}

        def inc(key: str, n: int = 1) -> None:
            counts[key] = counts.get(key, 0) + n

        waiting: OrderedDict = OrderedDict()  # response record id -> record, until its metadata comes
        units = []
        for path in paths:
            self.files.append(str(path))
            for record in read_archive(path, self.problems):
                inc(PREFIX + "records_read")
                if record.type == "response":
                    inc(PREFIX + "responses")
                    inc("downloader/request_count")
                    inc("downloader/response_count")
                    status = record.http.get_statuscode() if record.http is not None else "0"
                    inc(f"downloader/response_status_count/{status}")
                    waiting[record.id] = record
                    if len(waiting) > WAITING_LIMIT:
                        waiting.popitem(last=False)
                        inc(PREFIX + "not_handed_on")
                elif record.type == "metadata" and (record.url or "").startswith(LOST_URI):
                    lost = self.lost_unit(record)
                    if lost is None:
                        inc(PREFIX + "bad_metadata")
                        continue
                    units.append(lost)
                elif record.type == "metadata" and (record.header("Content-Type") or "").startswith(META_TYPE):
                    response = waiting.pop(record.header("WARC-Concurrent-To"), None)
                    if response is None:
                        continue
                    try:
                        info = json.loads(record.body)
                    except ValueError:
                        inc(PREFIX + "bad_metadata")
                        continue
                    unit = self.route(response, info, inc)
                    if unit is not None:
                        units.append(unit)
                        if len(units) >= self.CHUNK:
                            yield units, counts
                            units, counts = [], {}
        inc(PREFIX + "not_handed_on", len(waiting))
        self.unmatched_pages(waiting.values(), inc)
        yield units, counts

    def unmatched_pages(self, responses, inc) -> None:
        """Whole 2xx responses that no metadata record names: in an archive that read cleanly, a page
        the crawl never handed on (it stopped first); in a damaged file, most likely a page whose
        metadata record was in the unreadable part. Counted (``pages_without_metadata``, so that the
        summary never calls them redirects or retries), and in a damaged file one note naming them."""
        damaged = {p.path for p in self.problems}
        by_file: dict[str, list] = {}
        for record in responses:
            status = record.http.get_statuscode() if record.http is not None else ""
            if status.startswith("2"):
                by_file.setdefault(record.path, []).append(record)
        for path, records in by_file.items():
            inc(PREFIX + "pages_without_metadata", len(records))
            if path in damaged:
                self.notes.append(
                    f"{path}: {len(records)} whole page response(s) with no metadata record saying which spider "
                    f"method got them (it was most likely in the unreadable part): not reparsed, e.g. "
                    f"{records[0].url or '?'}")

    @staticmethod
    def lost_unit(record) -> "Lost | None":
        """The page a ``lost`` metadata record names, or None when the record cannot be read."""
        import json

        try:
            info = json.loads(record.body)
            return Lost(str(info["lost"]), str(info["reason"]))
        except (ValueError, KeyError, TypeError):
            return None

    def route(self, record, info: dict, inc) -> Unit | None:
        """The unit for a response the crawl handed on, or None (robots.txt; a method this spider lacks)."""
        inc("response_received_count")
        name = info.get("callback")
        if name is None:  # robots.txt, read by Scrapy itself
            inc(PREFIX + "robots")
            inc("robotstxt/response_count")  # as the crawl counted it (the summary's robots_txt)
            return None
        if not callable(getattr(self.spider, name, None)):
            inc(PREFIX + "unused_responses")
            return None
        inc(PREFIX + "handed_on")
        if record.header(RENDERED):
            inc(PREFIX + "rendered")
        meta = dict(info.get("meta") or {})
        meta[FETCHED_AT] = record.date or datetime.now(timezone.utc)
        http = record.http
        status = int(http.get_statuscode() or 200)
        waits = bool(info.get("meta_not_archived"))
        return Unit(record.url, info.get("request_url") or record.url, status, http.protocol or None,
                    list(http.headers), record.body, name, info.get("errback"), meta, waits,
                    local=waits or not 200 <= status < 300)

    # ------------------------------------------------------------ handing on (main process or a worker)
    def process_chunk(self, chunk):
        units, counts = chunk
        before = self._numbers() if self.in_worker else None
        out = []
        for unit in units:
            if unit.local:
                out.append(("local", unit))
            else:
                out.append(("done", [self._portable(o) for o in self.dispatch(unit)]))
        delta = None
        if before is not None:  # the spider's own stats, made in this worker: counts, and list entries
            after = self._numbers()
            delta = {}
            for k, v in after.items():
                if isinstance(v, list):
                    if len(v) > len(before.get(k) or []):
                        delta[k] = v[len(before.get(k) or []):]  # e.g. unrecoverable_urls: soft 404s
                elif v != before.get(k, 0):
                    delta[k] = v - before.get(k, 0)
        return counts, out, delta

    def _numbers(self) -> dict:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.stats.get_stats().items()
                if isinstance(v, list) or (isinstance(v, (int, float)) and not isinstance(v, bool))}

    def _response(self, unit: Unit, request):
        response = scrapy_response(unit.url, unit.status, unit.protocol, unit.headers, unit.body, request)
        if self.decompress is not None and b"Content-Encoding" in response.headers:
            response = self.decompress.process_response(request, response)
        return response

    def dispatch(self, unit: Unit) -> list:
        """Hand one response to its spider method; the method's outputs."""
        spider = self.spider
        meta = unit.meta
        if isinstance(meta.get(PAGE_METHODS), list):
            meta = {**meta, PAGE_METHODS: [SimpleNamespace(result=m.get("result")) for m in meta[PAGE_METHODS]]}
        key = ((meta.get("redirect_urls") or [unit.request_url])[0], unit.callback)
        if unit.waits:
            queue = self.pending.get(key)
            if not queue:  # e.g. the outlet page of a record this spider does not make now
                self.stats.inc_value(PREFIX + "unused_responses")
                return []
            made = queue.pop(0)
            if not queue:
                del self.pending[key]
            callback, errback = made.callback, made.errback
            meta = {**made.meta, **meta}
        else:
            callback = getattr(spider, unit.callback)
            errback = getattr(spider, unit.errback or "", None)
        request = Request(unit.request_url, callback=callback, errback=errback, meta=meta, dont_filter=True)
        try:
            response = self._response(unit, request)
        except IgnoreRequest as e:  # too big once decompressed: the crawl dropped it too
            return self._failed(request, Failure(e))
        try:
            self.httperror.process_spider_input(response)
        except HttpError as e:
            if errback is None:
                self.httperror.process_spider_exception(response, e)
                return []
            return self._safely(errback, Failure(e), request)
        return self._safely(callback, response, request)

    def _safely(self, method, arg, request) -> list:
        if isinstance(arg, Failure):
            arg.request = request
        try:
            result = method(arg)
            if result is None:
                return []
            if isinstance(result, (dict, Request)) or not hasattr(result, "__iter__"):
                return [result]
            return list(result)
        except Exception as e:
            self.stats.inc_value("spider_exceptions/count")
            self.stats.inc_value(f"spider_exceptions/{type(e).__name__}")
            logger.error("reparse: spider error on %s: %s: %s", request.url, type(e).__name__, e)
            return []

    def _failed(self, request, failure) -> list:
        return self._safely(request.errback, failure, request) if request.errback is not None else []

    @staticmethod
    def _portable(out):
        """An output that can go back to the main process: items as they are; a request that must
        wait for its archived response as (url, callback, errback, meta); other requests: None."""
        if isinstance(out, Request):
            from newscrawler.extensions.archive import plain_meta

            if not plain_meta(out.meta)[1]:
                return None  # the archive already says what became of it
            name = getattr(out.callback, "__name__", "parse") if out.callback else "parse"
            return ("request", out.url, name, getattr(out.errback, "__name__", None), out.meta)
        return out

    # ------------------------------------------------------------ results (the main process)
    def apply(self, result) -> None:
        counts, out, delta = result
        for key, n in counts.items():
            self.stats.inc_value(key, n)
        for key, n in (delta or {}).items():
            if isinstance(n, list):
                self.stats.set_value(key, (self.stats.get_value(key) or []) + n)
            else:
                self.stats.inc_value(key, n)
        for kind, value in out:
            if isinstance(value, Lost):
                self.stats.inc_value(PREFIX + "lost")
                self.spider.lost(value.url, value.reason)
                continue
            outputs = [self._portable(o) for o in self.dispatch(value)] if kind == "local" else value
            self.take(outputs)

    def take(self, outputs) -> None:
        spider = self.spider
        for out in outputs:
            if isinstance(out, tuple) and out and out[0] == "request":
                _, url, callback, errback, meta = out
                request = Request(url, callback=getattr(spider, callback), meta=meta, dont_filter=True,
                                  errback=getattr(spider, errback) if errback else None)
                self.pending.setdefault((url, callback), []).append(request)
            elif out is not None:
                self.item(out)

    def item(self, item) -> None:
        try:
            for process in self.chain:
                item = process(item)
        except DropItem as e:
            self.stats.inc_value("item_dropped_count")
            self.stats.inc_value(f"item_dropped_reasons_count/{type(e).__name__}")
            self.crawler.signals.send_catch_log(signal=signals.item_dropped, item=item, response=None,
                                                exception=e, spider=self.spider)
            return
        self.stats.inc_value("item_scraped_count")
        self.crawler.signals.send_catch_log(signal=signals.item_scraped, item=item, response=None,
                                            spider=self.spider)

    def finish_pending(self) -> None:
        """Requests whose response is not in the archive: to their errbacks, as failed downloads."""
        pending, self.pending = self.pending, {}
        for (url, _), queue in pending.items():
            for request in queue:
                self.stats.inc_value(PREFIX + "not_in_archive")
                self.take([self._portable(o) for o in self._failed(request, Failure(NotArchived(f"not in the archive: {url}")))])


def archive_files(args: list[str]) -> list[Path]:
    """The WARC files named (a folder: its ``*.warc.gz`` and ``*.warc``, in name order)."""
    from newscrawler.archive_reader import NotAnArchive, check_archive

    files: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.name.endswith((".warc.gz", ".warc")) and p.is_file())
            if not found:
                raise ReparseError(f"{path}: no .warc.gz or .warc file in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise ReparseError(f"{path}: no such archive file or folder")
    for path in files:
        try:
            check_archive(path)
        except NotAnArchive as e:
            raise ReparseError(str(e)) from None
        except OSError as e:
            raise ReparseError(f"{path}: cannot read: {e.strerror or e}") from None
    return files


def spider_for(spider: str | None, profile: str | None, settings) -> tuple[type, dict]:
    """The spider class, and the arguments that a --profile adds."""
    from newscrawler import profiles
    from newscrawler.spiders.profiles import profile_spider_class

    if profile:
        try:
            loaded = profiles.load_file(profile)
        except profiles.ProfileError as e:
            raise ReparseError(str(e)) from None
        return profile_spider_class(loaded.name), {"profile": str(Path(profile).resolve())}
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    if spider not in loader.list():
        raise ReparseError(unknown_name("spider", spider, loader.list()))
    return loader.load(spider), {}


def reparse(archives: list[str], out: str, spider: str | None = None, profile: str | None = None,
            arguments: dict | None = None, overrides: dict | None = None, jobs: int = 1) -> dict:
    """Reparse; returns the run summary (with the stats under ``"stats"``). Raises ReparseError."""
    import json

    from newscrawler.output import check_writable
    from newscrawler.profiles import ProfileError
    from newscrawler.setting_values import check_values
    from newscrawler.spiders.base import ArgumentError

    files = archive_files(archives)
    out_dir = Path(out)
    try:
        check_writable(out_dir)
    except OSError as e:
        raise ReparseError(str(e)) from None
    args, archived = archive_run(files)
    settings = reparse_settings(out_dir, overrides, archived)
    try:
        check_values(settings, overrides or {})
    except ValueError as e:
        raise ReparseError(str(e)) from None
    spidercls, extra = spider_for(spider, profile, settings)
    args.pop("_job", None)  # scrapyd's job id
    args.pop("profile", None)  # the profile is today's (--spider) or the one given (--profile)
    args.update(extra)
    args.update(arguments or {})
    if not args.get("start_url"):  # an archive made by another tool: its first page's site
        first = _first_url(files)
        if first:
            args["start_url"] = first
    try:
        spidercls.check_arguments(args) if hasattr(spidercls, "check_arguments") else None
        runner = Reparser(spidercls, args, settings)
    except (ArgumentError, ProfileError) as e:
        raise ReparseError(str(e)) from None
    stats = runner.run(files, jobs=jobs)
    summary_file = stats.get("newscrawler/summary_file")
    summary = json.loads(Path(summary_file).read_text("utf-8")) if summary_file and Path(summary_file).exists() else {}
    summary["stats"] = stats
    summary["problems"] = runner.problems
    summary["notes"] = runner.notes
    return summary
