"""``scrapy crawl`` with newscrawler's checks first.

An unknown spider, a broken profile, an unknown ``-a`` name or a wrong value,
a ``-s`` value of the wrong kind or an output folder that cannot be written
gives one line on stderr and exit code 2 before Scrapy starts anything (no log
banner, no traceback).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from newscrawler.argtypes import TRUE_WORDS, unknown_name
from newscrawler.extensions.summary import build_summary
from newscrawler.output import check_writable, safe_part, write_json_atomic
from newscrawler.profiles import ProfileError
from newscrawler.setting_values import check_values
from newscrawler.spiders.base import ArgumentError


def fail(message: str, settings=None, spargs: dict | None = None, spider: str = "") -> None:
    line = f"newscrawler: error: {message}"
    print(line, file=sys.stderr, flush=True)
    if settings is not None:
        leave_a_trace(line, settings, spargs or {}, spider)
    sys.exit(2)


def leave_a_trace(line: str, settings, spargs: dict, spider: str) -> None:
    """Put the one-line reason where a scheduler's user looks for it.

    Under scrapyd (``LOG_FILE`` set, ``_job`` passed) stderr ends up in
    scrapyd's own log only: the line goes into the job's log file too (so
    ``log_url`` shows it), and a summary marked failed (finish reason
    ``argument_error``) is written under the output folder as for any run,
    named with the job id.
    """
    now = datetime.now(timezone.utc)
    log_file = settings.get("LOG_FILE")
    if log_file:
        try:
            Path(log_file).parent.mkdir(parents=True, exist_ok=True)
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.write(f"{now:%Y-%m-%d %H:%M:%S} [newscrawler] ERROR: {line}\n")
        except OSError:
            pass
    job = spargs.get("_job")
    if not job:
        return
    out = Path(settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data")
    path = out / f"{safe_part(spider)}-{now:%Y%m%dT%H%M%SZ}-{safe_part(job)}.summary.json"
    summary = build_summary({"start_time": now}, spider, "argument_error", now)
    summary.update(failed=True, error=line, job=job, summary_file=str(path))
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, summary)
    except OSError:
        pass  # the output folder itself may be what is wrong: the log line says so


def scrapy_options(process, args, opts) -> None:
    """Scrapy's own option processing (``super().process_options``); its usage errors are one line, exit 2."""
    try:
        process(args, opts)
    except UsageError as e:
        if str(e):
            fail(str(e))
        raise


class Command(ScrapyCrawl):
    def process_options(self, args, opts):
        scrapy_options(super().process_options, args, opts)
        if len(args) != 1:
            return  # Scrapy's own usage message
        check_spider(self.settings, args[0], opts.spargs, [pair.partition("=")[0] for pair in opts.set])


def check_spider(settings, name: str, spargs: dict, set_names=(), output: bool = True) -> None:
    """The checks before a crawl (also before ``scrapy parse``); ``fail()`` on the first problem."""
    try:
        check_values(settings, set_names)
    except ValueError as e:
        fail(str(e), settings, spargs, name)
    loader = get_spider_loader(settings)
    known = loader.list()
    if name not in known:
        fail(unknown_name("spider", name, known), settings, spargs, name)
    spider = loader.load(name)
    check = getattr(spider, "check_arguments", None)
    if check is not None:
        try:
            check(dict(spargs))
        except (ArgumentError, ProfileError) as e:
            fail(str(e), settings, spargs, name)
    check_settings = getattr(spider, "check_settings", None)  # e.g. a browser for render_js
    if check_settings is not None:
        try:
            check_settings(dict(spargs), settings)
        except (ArgumentError, ProfileError) as e:
            fail(str(e), settings, spargs, name)
    if spargs.get("replay"):  # -a replay=ARCHIVE: the archives must be there
        from newscrawler.extensions.replay import replay_files
        from newscrawler.reparse import ReparseError

        try:
            replay_files(spargs["replay"])
        except ReparseError as e:
            fail(f"replay: {e}", settings, spargs, name)
    try:  # the crawl budget's settings (NEWSCRAWLER_EXTRA_PAGES, NEWSCRAWLER_OTHER_DEPTH)
        from newscrawler.spiders.budget import budget_settings

        budget_settings(settings)
    except ValueError as e:
        fail(str(e), settings, spargs, name)
    if not output:
        return
    folders = [(settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data", "output folder")]
    if settings.get("JOBDIR"):
        folders.append((settings.get("JOBDIR"), "JOBDIR folder"))
    if settings.get("NEWSCRAWLER_STATE_DIR"):
        folders.append((settings.get("NEWSCRAWLER_STATE_DIR"), "state folder"))
    archive = str(settings.get("NEWSCRAWLER_ARCHIVE") or "").strip().lower()
    if settings.get("NEWSCRAWLER_ARCHIVE_DIR") and (archive in TRUE_WORDS or archive == ""):  # "": the profile says
        folders.append((settings.get("NEWSCRAWLER_ARCHIVE_DIR"), "archive folder"))
    for folder, what in folders:
        try:
            check_writable(folder, what)
        except OSError as e:
            fail(str(e), settings, spargs, name)
    try:  # distributed mode (NEWSCRAWLER_REDIS_URL): Redis must answer
        from newscrawler.distributed import check_settings as check_redis

        check_redis(settings)
    except ValueError as e:
        fail(str(e), settings, spargs, name)
