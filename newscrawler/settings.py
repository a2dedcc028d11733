"""Scrapy settings for newscrawler.

Polite defaults for real sites; every one can be overridden with ``-s``.
The demo, tests and benchmarks turn the politeness off for the local sample
site only (see ``newscrawler/runner.py``, ``LOCAL_SETTINGS``).
"""

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["newscrawler.spiders"]
NEWSPIDER_MODULE = "newscrawler.spiders"
COMMANDS_MODULE = "newscrawler.commands"

# Be an honest, polite crawler.
USER_AGENT = "newscrawler/0.1 (Arabic news dataset crawler; +https://github.com/newscrawler/newscrawler)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy 2.19 starts CONCURRENT_ITEMS asyncio tasks for *each* callback's output,
# however few its outputs are (scrapy.utils.asyncio._parallel_asyncio). A page
# gives one record and a few requests, and our pipelines are synchronous: 100
# (the default) costs about 1 ms of CPU a page for nothing; 16 still leaves room
# for an asynchronous pipeline a user adds. Measured: `bench --only crawl`.
CONCURRENT_ITEMS = 16
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Reliability (newscrawler/middlewares.py): exponential back-off between retries, Retry-After
# honoured on 429/503; redirect loops and off-site redirects reported as unrecoverable pages.
NEWSCRAWLER_RETRY_BACKOFF_BASE = 0.5  # seconds before the 1st retry, doubled for each next one
NEWSCRAWLER_RETRY_BACKOFF_MAX = 30.0
NEWSCRAWLER_RETRY_AFTER_MAX = 120.0  # a longer Retry-After is cut to this
DOWNLOADER_MIDDLEWARES = {
    # Scrapy 2.19 lets requests that wait for robots.txt through unchecked (newscrawler/robots.py)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawler.robots.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawler.middlewares.BackoffRetryMiddleware": 550,
    "newscrawler.middlewares.RedirectGuardMiddleware": 650,
    # WARC archive of every response as it came off the wire (off unless NEWSCRAWLER_ARCHIVE / "archive")
    "newscrawler.extensions.archive.WarcArchive": 960,
    "newscrawler.extensions.replay.ReplayMiddleware": 970,  # -a replay=ARCHIVE: answers from the archive
}
SPIDER_MIDDLEWARES = {
    # a pagination step is no link deeper: DEPTH_LIMIT counts links between pages (spiders/budget.py)
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "newscrawler.middlewares.PaginationDepthMiddleware": 900,
}
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is an error (retried), never half a record
# Budgets per run: pages fetched (CLOSESPIDER_PAGECOUNT, finish reason closespider_pagecount)
# and link depth from the start pages (pagination steps do not count). Lower them with -s for a
# quick look at a new site.
CLOSESPIDER_PAGECOUNT = 1_000_000
DEPTH_LIMIT = 2000
COOKIES_ENABLED = False

# Scrapy 2.19 opens a code-executing HTTP endpoint by default: never here.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "newscrawler.pipelines.normalize.NormalizePipeline": 100,
    "newscrawler.pipelines.validate.ValidatePipeline": 200,
    "newscrawler.pipelines.dedupe.DedupePipeline": 300,
    "newscrawler.pipelines.seen.SeenFilterPipeline": 350,  # incremental: drop what earlier runs wrote
    "newscrawler.pipelines.spidermon_fast.FastItemValidationPipeline": 850,  # monitors: spidermon schema check of written records (with a fast pre-check)
    "newscrawler.pipelines.write.JsonLinesWriterPipeline": 900,
    "newscrawler.pipelines.coverage.CoveragePipeline": 950,  # monitors: field coverage of written records
    "newscrawler.pipelines.seen.SeenStorePipeline": 960,  # incremental: remember what was written
}
EXTENSIONS = {
    "newscrawler.extensions.jobdir.JobDirGuard": 100,  # -s JOBDIR=...: safe after a SIGKILL
    # spidermon before RunSummary: its monitors run first on spider_closed, so the summary has their results
    "spidermon.contrib.scrapy.extensions.Spidermon": 400,
    "newscrawler.extensions.summary.RunSummary": 500,
}

FEED_EXPORT_ENCODING = "utf-8"

# scrapy check (newscrawler/contracts.py): @sample_site points a contract at a sample aggregator
# started for the check; @scrapes also wants a value, not only the key.
SPIDER_CONTRACTS = {
    "scrapy.contracts.default.ScrapesContract": None,
    "newscrawler.contracts.ScrapesContract": 3,
    "newscrawler.contracts.SampleSiteContract": 1,
}

# Distributed mode (newscrawler/distributed/): set NEWSCRAWLER_REDIS_URL (setting or environment
# variable) and this add-on puts the queue, the dupefilter and the written-articles set in Redis.
ADDONS = {"newscrawler.distributed.DistributedAddon": 0}

# Monitoring (newscrawler/monitors.py; thresholds in the site profile's "monitoring" object).
# Alerts: set spidermon's own SPIDERMON_SLACK_*, SPIDERMON_TELEGRAM_* or SPIDERMON_EMAIL_* settings (README).
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["newscrawler.monitors.CrawlHealthSuite",
                                   "newscrawler.monitors.CrawlBudgetSuite"]  # warnings only
SPIDERMON_VALIDATION_SCHEMAS = ["newscrawler.monitors.RECORD_SCHEMA"]
LOG_LEVEL = "INFO"

# newscrawler's own settings
NEWSCRAWLER_OUTPUT_DIR = "data"
# Incremental runs (newscrawler/state.py): the seen-store lives in NEWSCRAWLER_STATE_DIR
# (default: .state/ inside NEWSCRAWLER_OUTPUT_DIR).
NEWSCRAWLER_STATE_DIR = None
# The crawl budget (newscrawler/spiders/budget.py), in every run: a pagination chain stops after
# this many pages in a row that bring nothing new; links found on pages that are neither articles
# nor listings are followed this many more hops.
NEWSCRAWLER_EXTRA_PAGES = 1
NEWSCRAWLER_OTHER_DEPTH = 2
# "new" to a chain: new to that chain ("chain", the safe default) or to the whole run ("run": fewer pages
# when the home chain lists every article, but a section that repeats it is stopped early)
NEWSCRAWLER_NEW_LINKS = "chain"
# Archive (newscrawler/extensions/archive.py): every response and its request to gzipped WARC files
# under NEWSCRAWLER_ARCHIVE_DIR (default: archive/ inside NEWSCRAWLER_OUTPUT_DIR), a new file every
# NEWSCRAWLER_ARCHIVE_MAX_BYTES. NEWSCRAWLER_ARCHIVE: None lets the profile's "archive" key decide (off).
NEWSCRAWLER_ARCHIVE = None
NEWSCRAWLER_ARCHIVE_DIR = None
NEWSCRAWLER_ARCHIVE_MAX_BYTES = 1_000_000_000
# The cron wrapper's log (python -m newscrawler run): <NEWSCRAWLER_LOG_DIR>/<spider>.log (default logs/),
# rotated at NEWSCRAWLER_LOG_MAX_BYTES, NEWSCRAWLER_LOG_BACKUPS old files kept
NEWSCRAWLER_LOG_MAX_BYTES = 10 * 1024 * 1024
NEWSCRAWLER_LOG_BACKUPS = 5
