"""Run health checks with spidermon, on every run, when the spider closes.

Seven monitors, each a threshold of the site profile's ``monitoring`` object
(defaults in ``newscrawler/profiles/__init__.py``, ``MONITORING_DEFAULTS``):

=====================  ===================================================================
``min_records``        records written + articles skipped as already known (incremental
                       runs, stat ``newscrawler/incremental/skipped``) >= ``min_records``
``rejects_ratio``      rejects / (records + rejects) <= ``max_rejects_ratio``
``validation_errors``  spidermon's JSON-Schema validation of every written record
                       (``spidermon/validation/...``) finds <= ``max_validation_errors``
``http_error_ratio``   (4xx/5xx responses + failed downloads) / (responses + failed
                       downloads) <= ``max_http_error_ratio``
``finish_reason``      the finish reason is one of ``expected_finish_reasons``
``field_coverage``     share of records with a value, per field of ``min_coverage``
``page_errors``        pages whose parsing raised (``parse_error`` rejects) + exceptions in
                       the spider's callbacks (``spider_exceptions/count``) <= ``max_page_errors``
=====================  ===================================================================

The checks are plain functions of the crawl's stats (``check_*``), so they
can be tested without a crawl. After the monitors ran, ``RecordResults``
stores ``{"passed", "failed", "skipped", "failures": [{"monitor", "reason"}]}``
in the stat ``newscrawler/monitors``; the run summary (which writes after
spidermon: see the EXTENSIONS order in settings.py) copies it to
``summary["monitors"]``. When a monitor failed, ``LogFailures`` logs one
ERROR line per failure and ``WriteAlertsFile`` writes ``<run>.alerts.json``;
Slack, Telegram and e-mail alerts are added when spidermon's own settings
for them are present (see ``alert_actions``).

Warning-level monitors (``CrawlBudgetSuite``, spidermon level ``low``) never
fail a run: ``pages_per_record`` (pages fetched / records, an article already
written by an earlier run counting as a record) <= ``max_pages_per_record``.
A failed one is stored as ``[{"monitor", "reason"}]`` in the stat
``newscrawler/monitor_warnings`` (the summary's ``monitor_warnings``), logged
as a WARNING and named in the ``run`` wrapper's verdict; no alert is sent.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.core.actions import Action
from spidermon.exceptions import NotConfigured

from newscrawler.output import write_json_atomic

logger = logging.getLogger(__name__)

RESULTS_STAT = "newscrawler/monitors"
ALERTS_STAT = "newscrawler/alerts_file"
# Written by the incremental (seen-store) mode: articles not re-emitted
# because an earlier run already wrote them.
INCREMENTAL_SKIPPED_STAT = "newscrawler/incremental/skipped"
COVERAGE_PREFIX = "newscrawler/coverage/"
IGNORED_STAT = "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest"

# spidermon 1.27 logs through the deprecated Spider.log(): one warning per run, not ours to fix
warnings.filterwarnings("ignore", message=r"Spider\.log\(\) is deprecated", module=r"spidermon\.")
warnings.filterwarnings("ignore", message=r"The scrapy\.mail module is deprecated", module=r"spidermon\.")


# ---------------------------------------------------------------- thresholds
def thresholds_for(spider) -> dict:
    """The spider's profile thresholds, or the defaults for a spider without a profile."""
    from newscrawler.profiles import MONITORING_DEFAULTS

    profile = getattr(spider, "profile", None)
    found = getattr(profile, "monitoring", None)
    if found:
        return found
    ratio = getattr(profile, "max_error_ratio", 0.2)
    return {**MONITORING_DEFAULTS, "max_http_error_ratio": ratio}


# ---------------------------------------------------------------- the checks
# Each takes the crawl's stats and the thresholds and returns (ok, reason):
# ok is True, False, or None when the check does not apply (skipped).
def _n(stats, key) -> int:
    value = stats.get(key, 0)
    return value if isinstance(value, (int, float)) else 0


DISTRIBUTED_RECORDS_STAT = "newscrawler/distributed/crawl_records"
DISTRIBUTED_SKIPPED_STAT = "newscrawler/distributed/crawl_skipped"


def check_min_records(stats, t) -> tuple[bool | None, str]:
    records = _n(stats, "newscrawler/records")
    skipped = _n(stats, INCREMENTAL_SKIPPED_STAT)
    crawl = stats.get(DISTRIBUTED_RECORDS_STAT)
    if crawl is not None:  # distributed: the crawl's total counts, whichever worker wrote (or skipped) them
        skipped = max(skipped, int(stats.get(DISTRIBUTED_SKIPPED_STAT) or 0))
        seen = int(crawl) + skipped
        what = f"{records} records by this worker, {crawl} by the whole crawl"
    else:
        seen = records + skipped
        what = f"{records} records"
    what += f" + {skipped} already known (incremental)" if skipped else ""
    return seen >= t["min_records"], f"{what}, minimum {t['min_records']}"


def check_rejects_ratio(stats, t):
    records, rejects = _n(stats, "newscrawler/records"), _n(stats, "newscrawler/rejects")
    if records + rejects == 0:
        return None, "no records and no rejects"
    ratio = rejects / (records + rejects)
    return ratio <= t["max_rejects_ratio"], (
        f"{rejects} rejects of {records + rejects} articles ({ratio:.1%}), maximum {t['max_rejects_ratio']:.1%}")


def check_validation_errors(stats, t):
    records = _n(stats, "newscrawler/records")
    validated = _n(stats, "spidermon/validation/items")
    errors = _n(stats, "spidermon/validation/fields/errors")
    if validated < records:
        return False, f"{records} records written but only {validated} validated (is spidermon's ItemValidationPipeline on?)"
    prefix = "spidermon/validation/fields/errors/"
    kinds = sorted(k[len(prefix):] for k in stats if k.startswith(prefix) and k[len(prefix):].count("/") == 1)
    detail = f" ({', '.join(f'{k} {stats[prefix + k]}' for k in kinds[:5])})" if kinds else ""
    return errors <= t["max_validation_errors"], (
        f"{errors} schema errors in {validated} written records{detail}, maximum {t['max_validation_errors']}")


def check_http_error_ratio(stats, t):
    prefix = "downloader/response_status_count/"
    bad = sum(v for k, v in stats.items() if k.startswith(prefix) and k[len(prefix):].isdigit()
              and int(k[len(prefix):]) >= 400 and isinstance(v, int))
    # IgnoreRequest is a request we chose not to send (robots.txt), not a failed download
    failed = _n(stats, "downloader/exception_count") - _n(stats, IGNORED_STAT)
    total = _n(stats, "response_received_count") + failed
    if total == 0:
        return None, "nothing was downloaded"
    ratio = (bad + failed) / total
    what = f"{bad} HTTP 4xx/5xx responses and {failed} failed downloads of {total} ({ratio:.1%})"
    return ratio <= t["max_http_error_ratio"], f"{what}, maximum {t['max_http_error_ratio']:.1%}"


def check_finish_reason(stats, t):
    reason = stats.get("finish_reason")
    expected = t["expected_finish_reasons"]
    return reason in expected, f"finish reason {reason!r}, expected {' or '.join(map(repr, expected))}"


def check_field_coverage(stats, t):
    total = _n(stats, COVERAGE_PREFIX + "records")
    wanted = t["min_coverage"]
    if not wanted:
        return None, "no coverage thresholds"
    if total == 0:
        return None, "no records"
    shares = {f: _n(stats, COVERAGE_PREFIX + f) / total for f in wanted}
    low = [f"{f} {shares[f]:.1%} < {wanted[f]:.0%}" for f in wanted if shares[f] < wanted[f]]
    if low:
        return False, f"field coverage too low over {total} records: {', '.join(low)}"
    return True, f"coverage over {total} records: " + ", ".join(f"{f} {s:.1%}" for f, s in shares.items())


def check_page_errors(stats, t):
    parse = _n(stats, "newscrawler/parse_errors")
    crashes = _n(stats, "spider_exceptions/count")
    return parse + crashes <= t["max_page_errors"], (
        f"{parse} pages could not be parsed (parse_error rejects) and {crashes} exceptions in the spider's "
        f"callbacks, maximum {t['max_page_errors']}")


CHECKS = {
    "min_records": check_min_records,
    "rejects_ratio": check_rejects_ratio,
    "validation_errors": check_validation_errors,
    "http_error_ratio": check_http_error_ratio,
    "finish_reason": check_finish_reason,
    "field_coverage": check_field_coverage,
    "page_errors": check_page_errors,
}


def evaluate(stats: dict, t: dict) -> dict:
    """All checks at once (no spidermon): {name: (ok, reason)}."""
    return {name: fn(stats, t) for name, fn in CHECKS.items()}


# ---------------------------------------------------------------- spidermon monitors
class _ProfileCheck(Monitor):
    key = ""
    checks = CHECKS  # the table the key names (WARNING_CHECKS for the warning-level monitors)

    def _check(self):
        ok, reason = self.checks[self.key](self.data.stats, thresholds_for(self.data.spider))
        if ok is None:
            self.skipTest(reason)
        if not ok:
            self.fail(reason)


class MinRecordsMonitor(_ProfileCheck):
    """Enough records (new plus already known)."""

    key = "min_records"

    def test_min_records(self):
        self._check()


class RejectsRatioMonitor(_ProfileCheck):
    """Not too many rejected articles."""

    key = "rejects_ratio"

    def test_rejects_ratio(self):
        self._check()


class ValidationErrorsMonitor(_ProfileCheck):
    """Every written record validates against the record schema."""

    key = "validation_errors"

    def test_validation_errors(self):
        self._check()


class HttpErrorRatioMonitor(_ProfileCheck):
    """Not too many HTTP errors and failed downloads."""

    key = "http_error_ratio"

    def test_http_error_ratio(self):
        self._check()


class FinishReasonMonitor(_ProfileCheck):
    """The crawl finished normally."""

    key = "finish_reason"

    def test_finish_reason(self):
        self._check()


class FieldCoverageMonitor(_ProfileCheck):
    """Enough records have a category and both scores."""

    key = "field_coverage"

    def test_field_coverage(self):
        self._check()


class PageErrorsMonitor(_ProfileCheck):
    """No page lost to an exception while parsing it."""

    key = "page_errors"

    def test_page_errors(self):
        self._check()


MONITORS = [MinRecordsMonitor, RejectsRatioMonitor, ValidationErrorsMonitor, HttpErrorRatioMonitor,
            FinishReasonMonitor, FieldCoverageMonitor, PageErrorsMonitor]


# ---------------------------------------------------------------- actions
def _name(monitor) -> str:
    return getattr(monitor, "key", "") or getattr(monitor, "monitor_name", type(monitor).__name__)


def _reason(result) -> str:
    if result.reason:
        return str(result.reason)
    if result.error:  # the monitor itself raised: keep the last line of the traceback
        lines = [ln for ln in str(result.error).strip().splitlines() if ln.strip()]
        return lines[-1] if lines else "error"
    return ""


def _listed(results) -> list[dict]:
    """``[{"monitor", "reason"}, ...]`` of monitor results (the summary's, the alerts file's, the warnings')."""
    return [{"monitor": _name(r.monitor), "reason": _reason(r)} for r in results]


class RecordResults(Action):
    """Store the monitors' results in the stats (the run summary copies them)."""

    def run_action(self):
        failed = self.result.monitors_failed_results
        results = self.result.monitor_results
        skipped = [r for r in results if r.status == "SKIPPED"]
        value = {
            "passed": len(results) - len(failed) - len(skipped),
            "failed": len(failed),
            "skipped": len(skipped),
            "failures": _listed(failed),
            "skips": _listed(skipped),
        }
        self.data.crawler.stats.set_value(RESULTS_STAT, value)


class LogFailures(Action):
    """One ERROR log line per failed monitor."""

    def run_action(self):
        for r in self.result.monitors_failed_results:
            logger.error("monitor failed: %s: %s", _name(r.monitor), _reason(r))


class WriteAlertsFile(Action):
    """Write ``<run>.alerts.json`` beside the run's ``.jsonl`` (atomically)."""

    def run_action(self):
        stats = self.data.crawler.stats
        output = stats.get_value("newscrawler/output_file")
        if not output or not output.endswith(".jsonl"):
            logger.warning("no output file: the alerts file is not written")
            return
        path = Path(output[: -len(".jsonl")] + ".alerts.json")
        spider = self.data.spider
        alert = {
            "spider": getattr(spider, "name", None),
            "finish_reason": stats.get_value("finish_reason"),
            "output_file": output,
            "failures": _listed(self.result.monitors_failed_results),
        }
        try:
            write_json_atomic(path, alert)
        except OSError as e:
            logger.error("cannot write the alerts file %s: %s", path, e.strerror or e)
            return
        stats.set_value(ALERTS_STAT, str(path))


# Spidermon's own notifiers, switched on by their own settings.
ALERTS = (
    ("SPIDERMON_SLACK_SENDER_TOKEN", "spidermon.contrib.actions.slack.notifiers.SendSlackMessageSpiderFinished"),
    ("SPIDERMON_TELEGRAM_SENDER_TOKEN",
     "spidermon.contrib.actions.telegram.notifiers.SendTelegramMessageSpiderFinished"),
    ("SPIDERMON_EMAIL_TO", "spidermon.contrib.actions.email.smtp.SendSmtpEmail"),
)


def alert_actions(crawler) -> list:
    """Spidermon actions for the alert channels configured in the settings.

    A channel whose settings are incomplete is reported with one ERROR line
    and left out; it never stops the crawl.
    """
    from scrapy.utils.misc import load_object

    actions = []
    if crawler is None:
        return actions
    for setting, path in ALERTS:
        if not crawler.settings.get(setting):
            continue
        try:
            action = load_object(path).from_crawler(crawler)  # checks the channel's settings now
        except (NotConfigured, ImportError, ValueError, TypeError) as e:
            logger.error("alert channel %s is not used: %s", path.rsplit(".", 1)[-1], e)
            continue
        actions.append(action)
    return actions


class CrawlHealthSuite(MonitorSuite):
    """newscrawler's monitors, run when the spider closes (SPIDERMON_SPIDER_CLOSE_MONITORS)."""

    monitors = MONITORS
    monitors_finished_actions = [RecordResults]
    monitors_failed_actions = [LogFailures, WriteAlertsFile]

    def __init__(self, *args, crawler=None, **kwargs):
        super().__init__(*args, crawler=crawler, **kwargs)
        self.add_monitors_failed_actions(alert_actions(crawler))


# ---------------------------------------------------------------- warning-level monitors
WARNINGS_STAT = "newscrawler/monitor_warnings"


def pages_and_records(stats) -> tuple[int, int]:
    """Pages fetched, and records: an article skipped because an earlier run wrote it counts
    as one (as in the run wrapper). The monitor's and the summary's pages-per-record."""
    return _n(stats, "response_received_count"), _n(stats, "newscrawler/records") + _n(stats, INCREMENTAL_SKIPPED_STAT)


def check_pages_per_record(stats, t):
    pages, records = pages_and_records(stats)
    limit = t["max_pages_per_record"]
    if records == 0:
        return None, f"{pages} pages fetched and no record (min_records judges that)"
    ratio = pages / records
    return ratio <= limit, (f"{pages} pages fetched for {records} records: {ratio:.1f} per record, "
                            f"maximum {limit:g} (the summary's budget says which chains were stopped)")


WARNING_CHECKS = {"pages_per_record": check_pages_per_record}


@monitors.level.low
class PagesPerRecordMonitor(_ProfileCheck):
    """Not too many pages fetched per record (a warning: the run does not fail)."""

    key = "pages_per_record"
    checks = WARNING_CHECKS

    def test_pages_per_record(self):
        self._check()


class RecordWarnings(Action):
    """Store the failed warning-level monitors in the stats and log each as a WARNING."""

    def run_action(self):
        found = _listed(self.result.monitors_failed_results)
        for w in found:
            logger.warning("monitor warning: %s: %s", w["monitor"], w["reason"])
        self.data.crawler.stats.set_value(WARNINGS_STAT, found)


class CrawlBudgetSuite(MonitorSuite):
    """Warning-level monitors, run after CrawlHealthSuite: they warn and never fail the run."""

    monitors = [PagesPerRecordMonitor]
    monitors_failed_actions = [RecordWarnings]


# The record schema as a JSON string, for SPIDERMON_VALIDATION_SCHEMAS (an object path).
RECORD_SCHEMA = (Path(__file__).resolve().parent / "schema" / "record.schema.json").read_text(encoding="utf-8")
