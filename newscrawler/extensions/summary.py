"""The run summary: ``<run>.summary.json`` beside the run's ``.jsonl``.

Pages fetched, records, rejects per reason, duplicates, HTTP errors by status,
download errors by type, finish reason, start and end times, output files, the
crawl budget (pages per record, chains stopped by reason).
Written atomically (temporary file, then rename) when the spider closes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals

from newscrawler.monitors import pages_and_records
from newscrawler.output import write_json_atomic
from newscrawler.spiders.budget import PREFIX as BUDGET, REASONS

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


def budget_summary(stats: dict, reason: str) -> dict:
    """Pages fetched per record, and the chains the crawl budget stopped, by reason."""
    stopped = {r: stats.get(f"{BUDGET}stopped/{r}", 0) for r in REASONS}
    links = {r: stats.get(f"{BUDGET}links_not_followed/{r}", 0) for r in REASONS}
    ignored = stats.get("depth/request_ignored_count", 0)  # DEPTH_LIMIT cuts made outside the budget's rules
    stopped["depth_limit"] += ignored
    links["depth_limit"] += ignored
    if reason == "closespider_pagecount":  # the page budget stopped every chain still going
        stopped["page_budget"] += 1
    pages, records = pages_and_records(stats)
    return {
        "pages_per_record": round(pages / records, 2) if records else None,
        "chains_stopped": stopped,
        "links_not_followed": links,
        "stopped_urls": stats.get(f"{BUDGET}stopped_urls") or [],  # reason, url, chain, links; at most 100
        "chain_pages": stats.get(f"{BUDGET}chain_pages", 0),  # pages reached by a pagination step
        "max_depth": stats.get("request_depth_max", 0),
    }


def build_summary(stats: dict, spider_name: str, reason: str, end: datetime) -> dict:
    def prefixed(prefix):
        return {k[len(prefix):]: v for k, v in sorted(stats.items()) if k.startswith(prefix)}

    statuses = prefixed("downloader/response_status_count/")
    incremental = prefixed("newscrawler/incremental/")
    not_written = stats.get("newscrawler/not_written") or ()
    not_fetched = incremental.get("skipped_stored", 0) or 0  # links to articles the state file knows
    dropped = sum(stats.get(f"newscrawler/duplicates/{k}", 0) or 0 for k in ("stored", "stored_story"))
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
        "other_pages": stats.get("newscrawler/pages/other", 0),  # neither article nor listing
        "not_found_pages": stats.get("newscrawler/pages/not_found", 0),  # soft 404s (also unrecoverable)
        # bodies the label rules could not read, rescued by trafilatura ("body") or not ("none")
        "fallback": prefixed("newscrawler/fallback/"),
        "robots_txt": stats.get("robotstxt/response_count", 0),  # also among pages_fetched
        "records": stats.get("newscrawler/records", 0),
        "rejects": stats.get("newscrawler/rejects", 0),
        "rejects_by_reason": prefixed("newscrawler/rejects/"),
        "parse_errors": stats.get("newscrawler/parse_errors", 0),  # pages whose parsing raised: parse_error rejects
        "unreadable_links": stats.get("newscrawler/links/unreadable", 0),  # hrefs no URL can be made of, skipped
        # UTF-8 pages with a few invalid bytes, read with each one as U+FFFD (parsing/encoding.py)
        "pages_with_invalid_bytes": stats.get("newscrawler/encoding/invalid_bytes", 0),
        "spider_exceptions": prefixed("spider_exceptions/"),
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
        # a file with no line is not kept (its name is then null): see the writer
        "output_file": None if "records" in not_written else stats.get("newscrawler/output_file"),
        "rejects_file": None if "rejects" in not_written else stats.get("newscrawler/rejects_file"),
        "nothing_written": ("no new record in this run: no .jsonl was written" if "records" in not_written
                            else None),
        # spidermon's results (newscrawler/monitors.py), None when spidermon is off
        "monitors": stats.get("newscrawler/monitors"),
        "alerts_file": stats.get("newscrawler/alerts_file"),
        # incremental runs (newscrawler/spiders/incremental.py): mode, articles skipped, state file
        "incremental": incremental,
        # what this run left out because of earlier runs (the seen-store): how many, and which file said so
        "earlier_state": {"skipped": not_fetched + dropped, "not_fetched": not_fetched,
                          "dropped_as_written": dropped, "state_file": incremental.get("state_file")},
        "error_ratio": error_ratio(stats),
        # the crawl budget (newscrawler/spiders/budget.py): pages per record, chains stopped and why
        "budget": budget_summary(stats, reason),
        "monitor_warnings": stats.get("newscrawler/monitor_warnings") or [],  # warning-level monitors
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
        output = stats.get("newscrawler/output_file")  # names the run's files, written or not
        if not output:
            return
        path = Path(output[: -len(".jsonl")] + ".summary.json")
        summary["summary_file"] = str(path)
        self.crawler.stats.set_value("newscrawler/summary_file", str(path))
        try:
            write_json_atomic(path, summary)
        except OSError as e:
            logger.error("cannot write the run summary %s: %s", path, e.strerror or e)
