"""The monitors' checks on crawl stats, and the profile's monitoring thresholds (no crawl)."""

import json

import pytest

from newscrawler.monitors import evaluate, thresholds_for
from newscrawler.profiles import MONITORING_DEFAULTS, ProfileError, load, load_file

T = {**MONITORING_DEFAULTS, "max_http_error_ratio": 0.2}


def healthy(**extra):
    stats = {
        "finish_reason": "finished",
        "newscrawler/records": 100, "newscrawler/rejects": 3,
        "response_received_count": 120, "downloader/response_status_count/200": 119,
        "downloader/response_status_count/404": 1,
        "downloader/exception_count": 1,
        "downloader/exception_type_count/scrapy.exceptions.IgnoreRequest": 1,  # robots.txt: not a failure
        "spidermon/validation/items": 100,
        "newscrawler/coverage/records": 100, "newscrawler/coverage/category": 100,
        "newscrawler/coverage/credibility": 97, "newscrawler/coverage/importance": 95,
    }
    stats.update(extra)
    return stats


def failed(stats, t=T):
    return {name for name, (ok, _) in evaluate(stats, t).items() if ok is False}


def test_a_healthy_run_passes_every_check():
    results = evaluate(healthy(), T)
    assert all(ok for ok, _ in results.values()), results


@pytest.mark.parametrize("extra, name, words", [
    ({"newscrawler/records": 0, "newscrawler/rejects": 0, "newscrawler/coverage/records": 0,
      "spidermon/validation/items": 0},
     "min_records", "0 records, minimum 1"),
    ({"newscrawler/rejects": 30}, "rejects_ratio", "30 rejects of 130"),
    ({"spidermon/validation/fields/errors": 2, "spidermon/validation/fields/errors/required_field/title": 2},
     "validation_errors", "2 schema errors"),
    ({"spidermon/validation/items": 50}, "validation_errors", "only 50 validated"),
    ({"downloader/response_status_count/503": 40}, "http_error_ratio", "41 HTTP 4xx/5xx"),
    ({"downloader/exception_count": 61}, "http_error_ratio", "60 failed downloads"),
    ({"finish_reason": "closespider_timeout"}, "finish_reason", "'closespider_timeout'"),
    ({"newscrawler/coverage/importance": 90}, "field_coverage", "importance 90.0% < 95%"),
    ({"newscrawler/parse_errors": 1}, "page_errors", "1 pages could not be parsed"),
    ({"spider_exceptions/count": 2}, "page_errors", "2 exceptions in the spider's callbacks"),
])
def test_each_check_fails_on_its_problem_alone(extra, name, words):
    results = evaluate(healthy(**extra), T)
    assert failed(healthy(**extra)) == {name}, results
    assert words in results[name][1]


def test_an_incremental_run_with_nothing_new_passes_min_records():
    # second run over an unchanged site: no record written, every article already known
    stats = healthy(**{"newscrawler/records": 0, "newscrawler/rejects": 0, "newscrawler/coverage/records": 0,
                       "spidermon/validation/items": 0, "newscrawler/incremental/skipped": 100})
    results = evaluate(stats, T)
    assert results["min_records"][0] is True and "100 already known" in results["min_records"][1]
    assert results["field_coverage"][0] is None and results["rejects_ratio"][0] is None
    assert not failed(stats)
    # ...but known articles do not make up for a minimum the site no longer reaches
    assert failed(stats, {**T, "min_records": 101}) == {"min_records"}


def test_nothing_downloaded_fails_min_records_and_skips_ratios():
    stats = {"finish_reason": "finished", "newscrawler/records": 0, "newscrawler/rejects": 0}
    results = evaluate(stats, T)
    assert failed(stats) == {"min_records"}
    assert results["http_error_ratio"][0] is None


def test_thresholds_come_from_the_profile(tmp_path):
    kashaf = load("kashaf")
    assert kashaf.monitoring["min_coverage"] == {"category": 0.95, "credibility": 0.95, "importance": 0.95}
    p = tmp_path / "strict.json"
    p.write_text(json.dumps({"name": "strict", "max_error_ratio": 0.3,
                             "monitoring": {"min_records": 500, "min_coverage": {"source_country": 1}}}))
    prof = load_file(p)
    t = prof.monitoring
    assert t["min_records"] == 500 and t["min_coverage"] == {"source_country": 1}
    assert t["max_http_error_ratio"] == 0.3  # defaults to the profile's max_error_ratio
    assert t["max_rejects_ratio"] == MONITORING_DEFAULTS["max_rejects_ratio"]

    class Spider:
        profile = prof
    assert thresholds_for(Spider()) == t
    assert thresholds_for(object())["min_records"] == MONITORING_DEFAULTS["min_records"]


@pytest.mark.parametrize("monitoring, words", [
    ([], "'monitoring' must be an object"),
    ({"min_recods": 3}, "unknown monitoring key 'min_recods'"),
    ({"min_records": -1}, "'min_records' must be a whole number"),
    ({"min_records": 2.5}, "'min_records' must be a whole number"),
    ({"max_rejects_ratio": 1.5}, "'max_rejects_ratio' must be a number from 0 to 1"),
    ({"max_http_error_ratio": "0.2"}, "'max_http_error_ratio' must be a number"),
    ({"expected_finish_reasons": []}, "non-empty list of strings"),
    ({"min_coverage": {"categry": 0.9}}, "unknown record field 'categry'"),
    ({"min_coverage": {"category": 95}}, "'min_coverage.category' must be a number from 0 to 1"),
    ({"max_pages_per_record": 0.5}, "'max_pages_per_record' must be a number >= 1"),
    ({"max_pages_per_record": True}, "'max_pages_per_record' must be a number >= 1"),
])
def test_a_bad_monitoring_object_is_one_clear_error(tmp_path, monitoring, words):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"name": "bad", "monitoring": monitoring}))
    with pytest.raises(ProfileError) as e:
        load_file(p)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_a_distributed_worker_is_judged_by_the_whole_crawl():
    # a worker that wrote nothing while its peers wrote the crawl's 300 records passes...
    stats = healthy(**{"newscrawler/records": 0, "newscrawler/rejects": 0, "newscrawler/coverage/records": 0,
                       "spidermon/validation/items": 0, "newscrawler/distributed/crawl_records": 300})
    results = evaluate(stats, T)
    assert results["min_records"][0] is True and "300 by the whole crawl" in results["min_records"][1]
    # ...and a crawl that wrote nothing at all fails, whichever worker looks
    stats["newscrawler/distributed/crawl_records"] = 0
    assert "min_records" in failed(stats)


def test_pages_per_record_is_a_warning_level_check():
    from newscrawler.monitors import CHECKS, WARNING_CHECKS, PagesPerRecordMonitor, check_pages_per_record

    assert "pages_per_record" not in CHECKS and "pages_per_record" in WARNING_CHECKS  # never fails a run
    assert PagesPerRecordMonitor.options.level == "LOW"
    assert MONITORING_DEFAULTS["max_pages_per_record"] == 5
    ok, reason = check_pages_per_record(healthy(), T)  # 120 pages for 100 records
    assert ok is True and "1.2 per record, maximum 5" in reason
    ok, reason = check_pages_per_record(healthy(**{"response_received_count": 6041, "newscrawler/records": 20}), T)
    assert ok is False and "6041 pages fetched for 20 records: 302.1 per record" in reason
    # an incremental run: an article an earlier run wrote counts as a record
    stats = healthy(**{"newscrawler/records": 0, "newscrawler/incremental/skipped": 100})
    assert check_pages_per_record(stats, T)[0] is True
    assert check_pages_per_record(healthy(**{"newscrawler/records": 0}), T)[0] is None


@pytest.mark.parametrize("extra, words", [
    ({"drop_params": ["page"]}, "drop_params: 'page' can select content"),
    ({"drop_params": "ref"}, "'drop_params' must be a list of parameter names"),
    ({"keep_params": ["a=b"]}, "'keep_params': 'a=b' is not a parameter name"),
    ({"drop_params": ["ref"], "keep_params": ["ref"]}, "'ref' is in both drop_params and keep_params"),
])
def test_bad_url_parameter_lists_are_one_clear_error(tmp_path, extra, words):
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"name": "bad", **extra}))
    with pytest.raises(ProfileError) as e:
        load_file(p)
    assert words in str(e.value) and "\n" not in str(e.value)
    p.write_text(json.dumps({"name": "good", "drop_params": ["ref", "trk_*"], "keep_params": ["sid"]}))
    rules = load_file(p).url_rules
    assert rules.drop == {"ref"} and rules.drop_prefixes == ("trk_",) and rules.keep == {"sid"}
