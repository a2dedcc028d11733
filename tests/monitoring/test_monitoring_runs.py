"""spidermon on real crawls of the sample site, judged by the cron wrapper's exit code."""

import json
import socket

import pytest

from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.monitoring.conftest import run_files, run_wrapper

pytestmark = pytest.mark.e2e
MONITORS = {"min_records", "rejects_ratio", "validation_errors", "http_error_ratio", "finish_reason",
            "field_coverage", "page_errors"}


def test_a_healthy_crawl_passes_every_monitor(healthy_run):
    proc, run = healthy_run["first"], healthy_run["runs"][0]
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "newscrawler run kashaf: OK" in proc.stdout
    s = run["summary"]
    assert s["records"] > 100
    assert s["monitors"] == {"passed": 7, "failed": 0, "skipped": 0, "failures": [], "skips": []}
    assert s["alerts_file"] is None and not run["alerts"].exists()
    for name in ("MinRecordsMonitor", "FieldCoverageMonitor", "ValidationErrorsMonitor"):
        assert f"{name}/test_" in healthy_run["log"] and "... OK" in healthy_run["log"]
    assert "monitor failed" not in healthy_run["log"]


def test_a_second_run_over_an_unchanged_site_is_healthy(healthy_run):
    proc, run = healthy_run["second"], healthy_run["runs"][1]
    s = run["summary"]
    assert proc.returncode == 0, proc.stdout
    assert s["records"] == 0 and s["incremental"]["skipped"] > 0, s.get("incremental")
    assert s["monitors"]["failed"] == 0, s["monitors"]
    skipped = {x["monitor"] for x in s["monitors"]["skips"]}
    assert skipped <= {"rejects_ratio", "field_coverage"}  # nothing to measure on 0 new records


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_crawl_of_a_dead_site_fails_its_monitors_and_the_wrapper(tmp_path):
    proc = run_wrapper(tmp_path, "-a", f"start_url=http://127.0.0.1:{_closed_port()}/", "-s", "RETRY_TIMES=1")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    assert "monitor(s) failed (min_records, http_error_ratio)" in proc.stdout
    [run] = run_files(tmp_path)
    m = run["summary"]["monitors"]
    assert m["failed"] == 2 and m["passed"] + m["failed"] + m["skipped"] == len(MONITORS)
    failures = {f["monitor"]: f["reason"] for f in m["failures"]}
    assert failures["min_records"] == "0 records, minimum 1"
    assert "failed downloads" in failures["http_error_ratio"] and "(100.0%)" in failures["http_error_ratio"]
    # the file action: <run>.alerts.json with the same failures, named in the summary
    alert = json.loads(run["alerts"].read_text("utf-8"))
    assert run["summary"]["alerts_file"] == str(run["alerts"])
    assert alert["failures"] == m["failures"] and alert["spider"] == "kashaf"
    # the log action: one ERROR line per failure
    log = (tmp_path / "logs" / "kashaf.log").read_text("utf-8")
    assert "ERROR: monitor failed: min_records: 0 records, minimum 1" in log
    assert "ERROR: monitor failed: http_error_ratio:" in log


def test_profile_thresholds_and_a_spidermon_alert_channel(tmp_path):
    # the healthy site, judged by a stricter profile: every record must name its country (3 of the
    # sample's outlets have none), and a Telegram alert in spidermon's fake mode (it logs the message)
    profile = json.loads((ROOT / "newscrawler/profiles/kashaf.json").read_text("utf-8"))
    profile["monitoring"]["min_coverage"] = {"category": 0.95, "source_country": 1.0}
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    with RunningSite(articles=60, seed=4) as site:
        proc = run_wrapper(tmp_path, "-a", f"start_url={site.url}", "-a", f"profile={path}",
                           "-s", "SPIDERMON_TELEGRAM_SENDER_TOKEN=test-token",
                           "-s", "SPIDERMON_TELEGRAM_RECIPIENTS=12345", "-s", "SPIDERMON_TELEGRAM_FAKE=True")
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    [run] = run_files(tmp_path)
    m = run["summary"]["monitors"]
    assert [f["monitor"] for f in m["failures"]] == ["field_coverage"]
    assert "source_country" in m["failures"][0]["reason"] and "< 100%" in m["failures"][0]["reason"]
    assert run["summary"]["records"] > 40
    log = (tmp_path / "logs" / "kashaf.log").read_text("utf-8")
    assert '"`kashaf`" spider finished with errors!' in log  # spidermon's Telegram message
    assert "FieldCoverageMonitor/test_field_coverage" in log
    assert "SendTelegramMessageSpiderFinished... OK" in log
