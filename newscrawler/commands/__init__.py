"""newscrawler's versions of Scrapy commands (``COMMANDS_MODULE``): ``crawl``
with its checks first, and Scrapy's debugging loop (``parse``, ``shell``,
``check``) made to work with the project's spiders and to leave nothing behind.
"""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES

# Scrapy's debugging commands read pages; they keep nothing: no run files, no summary or alerts file,
# no seen-store (in memory only), no distributed mode. A pipeline that writes is never on; with
# `scrapy parse --pipelines` a record is still normalised, validated and de-duplicated.
DEBUG_SETTINGS = {
    "NEWSCRAWLER_DEBUG": True,
    "ITEM_PIPELINES": {
        "newscrawler.pipelines.normalize.NormalizePipeline": 100,
        "newscrawler.pipelines.validate.ValidatePipeline": 200,
        "newscrawler.pipelines.dedupe.DedupePipeline": 300,
    },
    "EXTENSIONS": {},  # none of the project's: no run summary, no JOBDIR guard, no spidermon
    "SPIDERMON_ENABLED": False,
}


def debug_settings(settings, url: str | None = None, spider_args: dict | None = None) -> None:
    """Apply ``DEBUG_SETTINGS`` above the project's and the spider's settings, below the
    command line's (``-s`` still wins); ``url`` and ``spider_args`` for the spider
    (``spiders/base.py``, ``debug_arguments``)."""
    priority = (SETTINGS_PRIORITIES["spider"] + SETTINGS_PRIORITIES["cmdline"]) // 2
    for name, value in DEBUG_SETTINGS.items():
        settings.set(name, value, priority=priority)
    if url:
        settings.set("NEWSCRAWLER_DEBUG_URL", url, priority=priority)
    if spider_args:
        settings.set("NEWSCRAWLER_DEBUG_ARGS", dict(spider_args), priority=priority)
