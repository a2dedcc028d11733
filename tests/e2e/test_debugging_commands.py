"""Scrapy's own debugging loop with the project's spiders: scrapy parse, scrapy shell, scrapy check.

Each runs for real against the sample site on 127.0.0.1 and must leave nothing in the output folder
(no run files, no summary, no alerts file, no seen-store)."""

import json
import os
import subprocess
import sys

import pytest

from newscrawler.processors.urls import url_id
from newscrawler.sample_site import SampleSite
from tests.conftest import ROOT
from tests.scheduling.sites import Served

pytestmark = pytest.mark.e2e
FIELDS = ("id", "url", "title", "body", "published_at", "source", "source_country", "category", "credibility",
          "importance", "related", "aggregator", "crawled_at")


def scrapy(*args, env=None):
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **(env or {})))


@pytest.fixture(scope="module")
def site():
    sample = SampleSite(30, 2)
    with Served(sample) as served:
        served.sample = sample
        yield served


def test_parse_shows_the_whole_record_without_a_start_url_and_writes_nothing(site, tmp_path):
    url = site.url.rstrip("/") + site.sample.article_path(1)
    out = tmp_path / "data"
    for extra in ([], ["--pipelines"]):
        proc = scrapy("parse", "--spider=kashaf", url, "--nocolour", "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}", *extra)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        items = proc.stdout.split("# Scraped Items", 1)[1].split("# Requests", 1)[0]
        assert f"'id': '{url_id(url)}'" in items
        assert all(f"'{f}': " in items for f in FIELDS), items
        assert "# Requests" in proc.stdout and f"<GET {site.url}" in proc.stdout  # links of the URL's host
        assert not out.exists(), sorted(p.name for p in out.rglob("*"))


def test_parse_checks_arguments_like_crawl(site):
    proc = scrapy("parse", "--spider=kashaf", site.url, "-a", "sinse=2026-01-01")
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "newscrawler: error: unknown kashaf argument 'sinse' (did you mean 'since'?); known: full, max_pages, "
        "profile, render_js, replay, since, start_url"]


def test_shell_takes_the_host_from_the_url_and_spider_arguments_and_writes_nothing(site, tmp_path):
    out = tmp_path / "data"
    url = site.url.rstrip("/") + site.sample.article_path(2)
    proc = scrapy("shell", url, "--spider=kashaf", "-a", "since=2026-01-01", "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}",
                  "-c", "(spider.allowed_domains, str(spider.since.date()), response.status, "
                        "next(spider.parse(response))['id'])")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == f"(['127.0.0.1'], '2026-01-01', 200, '{url_id(url)}')"
    assert not out.exists()


@pytest.mark.parametrize("args,needle", [
    (["-a", "sinse=2026-01-01"], "unknown kashaf argument 'sinse' (did you mean 'since'?)"),
    (["-a", "since=bad"], "since='bad' is not a date"),
    (["-s", "DOWNLOAD_DELAY=abc"], "setting DOWNLOAD_DELAY='abc' is not a number"),
])
def test_shell_says_what_is_wrong_with_its_arguments_in_one_line(args, needle):
    proc = scrapy("shell", "http://127.0.0.1:9/", "--spider=kashaf", *args, "-c", "1")
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr[-3000:]


def test_check_runs_the_profiles_contracts_against_the_sample_sites():
    proc = scrapy("check", "-s", "LOG_ENABLED=0")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "Ran 10 contracts" in proc.stderr and proc.stderr.rstrip().endswith("OK"), proc.stderr


def test_a_contract_a_page_does_not_meet_fails_the_check(tmp_path):
    sample = SampleSite(60, 1)  # the site @sample_site kashaf serves
    truth = sample.ground_truth("http://h/")
    undated = next(i["url"][len("http://h"):] for i in truth["invalid"] if i["field"] == "published_at")
    n = next(i for i in range(1, 61) if sample.article_path(i) == undated)
    profile = json.loads((ROOT / "newscrawler" / "profiles" / "kashaf.json").read_text("utf-8"))
    profile.update(name="strict", contracts={"dated": [f"@sample_site kashaf article {n}", "@returns items 1 1",
                                                       "@scrapes title published_at"]})
    (tmp_path / "strict.json").write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    proc = scrapy("check", "strict", env={"NEWSCRAWLER_PROFILES_DIR": str(tmp_path)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "No value for: published_at" in proc.stderr and "Ran 2 contracts" in proc.stderr, proc.stderr
