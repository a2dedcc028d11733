"""Run one crawl in this process and return its run summary.

Used by the demo and the benchmarks. (The cron wrapper runs ``scrapy crawl``
in a child process instead, so that a crash cannot take the wrapper down.)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

# Settings for crawling the local sample site: politeness is for other
# people's servers, not for our own process on 127.0.0.1.
LOCAL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "LOG_LEVEL": "WARNING",
}


def project_settings(overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        try:
            settings.set(key, value, priority="cmdline")
        except ValueError as e:  # a dict setting given as text that is not JSON
            raise ValueError(f"setting {key}={value!r} is not a JSON object ({e})") from None
    return settings


def crawl(spider: str, spider_args: dict, overrides: dict | None = None) -> dict:
    """Crawl with the project's settings plus ``overrides``; return the summary.

    The summary is the one the RunSummary extension wrote, with the crawl's
    full stats under ``"stats"``.
    """
    from scrapy.crawler import CrawlerProcess

    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **spider_args)
    process.start()
    stats = crawler.stats.get_stats()
    summary_file = stats.get("newscrawler/summary_file")
    summary = {}
    if summary_file and Path(summary_file).exists():
        summary = json.loads(Path(summary_file).read_text(encoding="utf-8"))
    summary["stats"] = stats
    return summary
