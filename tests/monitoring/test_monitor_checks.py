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
