"""The run summary: ``<run>.summary.json`` beside the run's ``.jsonl``.

Pages fetched, records, rejects per reason, duplicates, HTTP errors by status,
download errors by type, finish reason, start and end times, output files.
Written atomically (temporary file, then rename) when the spider closes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals

from newscrawler.output import write_json_atomic

logger = logging.getLogger(__name__)


def _iso(value) -> str | None:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def error_ratio(stats: dict) -> float:
    """Requests that failed for good / (those + pages fetched without an HTTP error)."""
    failed = stats.get("newscrawler/unrecoverable", 0) or 0
    received = stats.get("response_received_count", 0) or 0
    bad = sum(v for k, v in stats.items()
              if k.startswith("downloader/response_status_count/") and k.rsplit("/", 1)[1].isdigit()
              and int(k.rsplit("/", 1)[1]) >= 400)
    ok = max(0, received - bad)
    return round(failed / (failed + ok), 4) if failed + ok else 0.0


def build_summary(stats: dict, spider_name: str, reason: str, end: datetime) -> dict:
    def prefixed(prefix):
        return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}

    statuses = prefixed("downloader/response_status_count/")
    start = stats.get("start_time")
    elapsed = None
    if isinstance(start, datetime):
        s = start if start.tzinfo else start.replace(tzinfo=timezone.utc)
        elapsed = round((end - s).total_seconds(), 3)
    return {
        "spider": spider_name,
        "source": stats.get("newscrawler/source", "crawl"),  # "archive": made by reparse from WARC files
        "finish_reason": reason,
        "start_time": _iso(start),
        "end_time": _iso(end),
        "elapsed_seconds": elapsed,
        "pages_fetched": stats.get("response_received_count", 0),
        "requests": stats.get("downloader/request_count", 0),
        "article_pages": stats.get("newscrawler/pages/article", 0),
        "listing_pages": stats.get("newscrawler/pages/listing", 0),
        "records": stats.get("newscrawler/records", 0),
        "rejects": stats.get("newscrawler/rejects", 0),
        "rejects_by_reason": prefixed("newscrawler/rejects/"),
        "duplicates": stats.get("newscrawler/duplicates", 0),
        "duplicates_by_kind": prefixed("newscrawler/duplicates/"),
        "http_errors": {k: v for k, v in statuses.items() if k.isdigit() and int(k) >= 400},
        "download_errors": prefixed("downloader/exception_type_count/"),
        "robots_forbidden": stats.get("robotstxt/forbidden", 0),
        "offsite_filtered": stats.get("offsite/filtered", 0),
        "unrecoverable": stats.get("newscrawler/unrecoverable", 0),
        "unrecoverable_urls": stats.get("newscrawler/unrecoverable_urls") or [],  # url + reason, at most 1000
        "js": prefixed("newscrawler/js/"),  # pages rendered in the browser (spiders/js.py)
        "output_error": stats.get("newscrawler/output_error"),
        "output_file": stats.get("newscrawler/output_file"),
        "rejects_file": stats.get("newscrawler/rejects_file"),
        # spidermon's results (newscrawler/monitors.py), None when spidermon is off
        "monitors": stats.get("newscrawler/monitors"),
        "alerts_file": stats.get("newscrawler/alerts_file"),
        # incremental runs (newscrawler/spiders/incremental.py): mode, articles skipped, state file
        "incremental": prefixed("newscrawler/incremental/"),
        "error_ratio": error_ratio(stats),
        # the WARC archive (extensions/archive.py) a crawl wrote, or the one reparse read (reparse.py)
        "archive": prefixed("newscrawler/archive/"),
    }


class RunSummary:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_closed(self, spider, reason):
        stats = self.crawler.stats.get_stats()
        summary = build_summary(stats, spider.name, reason, datetime.now(timezone.utc))
        output = summary.get("output_file")
        if not output:
            return
        path = Path(output[: -len(".jsonl")] + ".summary.json")
        summary["summary_file"] = str(path)
        self.crawler.stats.set_value("newscrawler/summary_file", str(path))
        try:
            write_json_atomic(path, summary)
        except OSError as e:
            logger.error("cannot write the run summary %s: %s", path, e.strerror or e)
