"""``scrapy crawl`` / ``scrapy list`` from the command line: argument errors
are one line with exit code 2; start URLs select the hosts crawled."""

import json
import subprocess
import sys

import pytest

from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.helpers import all_records, outputs, scrapy_crawl


def scrapy(*args, env=None):
    import os
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, **(env or {})))


def test_scrapy_list_shows_kashaf():
    out = scrapy("list")
    assert out.returncode == 0
    assert "kashaf" in out.stdout.split()


@pytest.mark.parametrize("args,needle", [
    (["crawl", "kashaf"], "no start URL"),
    (["crawl", "nosuch"], "unknown spider 'nosuch'"),
    (["crawl", "kashaf", "-a", "start_url=ftp://example.org/"], "not an http(s) URL"),
    (["crawl", "kashaf", "-a", "start_url=http://"], "not an http(s) URL"),
    (["crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-a", "profile=nosuch"], "unknown profile 'nosuch'"),
    (["crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "NEWSCRAWLER_OUTPUT_DIR=/etc/hostname/sub"],
     "cannot create output folder"),
    (["crawl", "kashaf", "-a", "oops"], "Invalid -a value"),
    (["crawl", "kashf"], "unknown spider 'kashf' (did you mean 'kashaf'?)"),
    (["crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "NEWSCRAWLER_ARCHIVE=1",
      "-s", "NEWSCRAWLER_ARCHIVE_DIR=/etc/hostname/arch"], "cannot create archive folder /etc/hostname/arch"),
    (["crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "JOBDIR=/etc/hostname/job"],
     "cannot create JOBDIR folder /etc/hostname/job"),
    (["crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "NEWSCRAWLER_STATE_DIR=/etc/hostname/st"],
     "cannot create state folder /etc/hostname/st"),
    (["crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "NEWSCRAWLER_ARCHIVE=ture"],
     "setting NEWSCRAWLER_ARCHIVE='ture' is not true or false"),
])
def test_crawl_argument_errors(args, needle):
    out = scrapy(*args)
    assert out.returncode == 2, out.stderr
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_invalid_profile_file(tmp_path):
    (tmp_path / "broken.json").write_text('{"name": "broken", "timezone": "Asia/Riyadh",', encoding="utf-8")
    (tmp_path / "badzone.json").write_text('{"name": "badzone", "timezone": "Mars/Olympus"}', encoding="utf-8")
    env = {"NEWSCRAWLER_PROFILES_DIR": str(tmp_path)}
    listed = scrapy("list", env=env)
    assert {"broken", "badzone", "kashaf"} <= set(listed.stdout.split())
    out = scrapy("crawl", "broken", "-a", "start_url=http://127.0.0.1:9/", env=env)
    assert out.returncode == 2 and "invalid JSON at line 1" in out.stderr and len(out.stderr.splitlines()) == 1
    out = scrapy("crawl", "badzone", "-a", "start_url=http://127.0.0.1:9/", env=env)
    assert out.returncode == 2 and "unknown time zone 'Mars/Olympus'" in out.stderr


def test_two_start_urls_and_only_their_hosts(tmp_path):
    """Two sites by comma-separated start URLs: both crawled whole. The same
    site under another loopback name (localhost) is another host: pages
    linked there are not fetched."""
    with RunningSite(articles=30, seed=3) as a, RunningSite(articles=25, seed=4) as b:
        proc = scrapy_crawl("kashaf", tmp_path, "-a", f"start_url={a.url},{b.url}")
        truth_a, truth_b = a.ground_truth(), b.ground_truth()
    assert proc.returncode == 0, proc.stderr[-2000:]
    urls = {r["url"] for r in all_records(tmp_path)}
    for truth in (truth_a, truth_b):
        expected = {r["url"] for r in truth["records"]}
        dups = {u for g in truth["duplicate_groups"] for u in g}
        assert expected - dups <= urls
    summary = json.loads(outputs(tmp_path)["summaries"][0].read_text("utf-8"))
    assert summary["article_pages"] == 55


def test_other_hosts_are_not_crawled(tmp_path):
    """Pages link to other hosts (another aggregator, ads, the same server
    under the name localhost); none of them is requested."""
    import urllib.request

    with RunningSite(articles=20, seed=5) as site:
        home = urllib.request.urlopen(site.url, timeout=10).read().decode("utf-8")
        first = site.ground_truth()["records"][0]["url"]
        article = urllib.request.urlopen(first, timeout=10).read().decode("utf-8", "replace")
        proc = scrapy_crawl("kashaf", tmp_path, "-a", f"start_url={site.url}", "-s", "LOG_LEVEL=DEBUG")
    external = [h for h in ("other-aggregator.example", "ads.example.net") if h in home + article]
    assert external, "the sample site should link to other hosts"
    assert proc.returncode == 0
    assert "Crawled (200) <GET" in proc.stderr
    for host in external:
        assert f"<GET https://{host}" not in proc.stderr and f"<GET http://{host}" not in proc.stderr
    assert all(r["url"].startswith(site.url) for r in all_records(tmp_path))
