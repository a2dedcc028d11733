"""End to end: the second aggregator profile (akhbar.json) on the Akhbar
sample site, every field of every record against the ground truth, with the
follow-to-origin option at work, and no trafilatura body fallback needed."""

import json
import re

import pytest

from newscrawler.pipelines.validate import check
from tests.helpers import FIELDS, as_lines, outputs, read_jsonl, reparse, scrapy_crawl



@pytest.fixture(scope="module")
def crawl(akhbar, tmp_path_factory):
    out = tmp_path_factory.mktemp("akhbar")
    proc = scrapy_crawl("akhbar", out, "-a", f"start_url={akhbar.url}", "-s", "LOG_LEVEL=DEBUG",
                        "-s", "NEWSCRAWLER_ARCHIVE=1")
    files = outputs(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(files["records"]) == 1, proc.stderr[-3000:]
    assert not list(out.glob("*.alerts.json")), "a run monitor failed"
    stats = {k: int(v) for k, v in re.findall(r"'(newscrawler/(?:fallback|origin)/\w+)': (\d+)", proc.stderr)}
    return {
        "records": read_jsonl(files["records"][0]),
        "rejects": read_jsonl(files["rejects"][0]),
        "summary": json.loads(files["summaries"][0].read_text("utf-8")),
        "truth": akhbar.ground_truth(),
        "log": proc.stderr,
        "stats": stats,
        "site": akhbar,
        "out": out,
    }


def test_every_field_of_every_record(crawl):
    want = {r["url"]: r for r in crawl["truth"]["records"]}
    got = {r["url"]: r for r in crawl["records"]}
    assert len(got) == len(crawl["records"])
    assert set(got) == set(want), (sorted(set(want) - set(got))[:3], sorted(set(got) - set(want))[:3])
    mismatches = [(u, f, r.get(f), want[u][f]) for u, r in got.items() for f in FIELDS + ("origin_url",)
                  if r.get(f) != want[u][f]]
    assert not mismatches, mismatches[:3]
    for r in crawl["records"]:
        assert check(r) == [] and r["aggregator"] == "akhbar"


def test_invalid_articles_rejected(crawl):
    assert {r["url"]: r["field"] for r in crawl["rejects"]} == {i["url"]: i["field"] for i in crawl["truth"]["invalid"]}


def test_bodies_after_the_metadata_box_need_no_fallback(crawl):
    above = crawl["truth"]["meta_above_urls"]
    assert above
    got = {r["url"]: r for r in crawl["records"]}
    want = {r["url"]: r for r in crawl["truth"]["records"]}
    for url in above:
        assert got[url]["body"] == want[url]["body"]
    assert "newscrawler/fallback/body" not in crawl["stats"]
    assert "newscrawler/fallback/none" not in crawl["stats"]


def test_origin_followed_for_snippets_only(crawl):
    site, truth = crawl["site"], crawl["truth"]
    outlet_gets = set(re.findall(r"Crawled \(\d+\) <GET (%s[^>]*)>" % re.escape(site.outlet_url), crawl["log"]))
    outlet_pages = {u for u in outlet_gets if not u.endswith("/robots.txt")}
    expected = set(truth["origin_urls"])
    # every snippet's origin (invalid ones too: their records are rejected later), and nothing else of the outlet
    snippets_with_origin = {site.outlet_url.rstrip("/") + site.site.outlet_path(i)
                            for i in range(1, site.site.n + 1) if site.site.snippet_only(i)}
    assert expected <= outlet_pages == snippets_with_origin
    missing = [i for i in range(1, site.site.n + 1) if site.site.snippet_only(i) and site.site.origin_missing(i)]
    assert crawl["stats"]["newscrawler/origin/failed"] == len(missing) >= 1
    assert crawl["stats"]["newscrawler/origin/followed"] == len(snippets_with_origin) - len(missing)
    got = {r["url"]: r for r in crawl["records"]}
    with_origin = [r for r in got.values() if r.get("origin_url")]
    assert len(with_origin) == len([r for r in truth["records"] if r["origin_url"]])
    # full articles that link to their origin are not followed (their body is complete)
    full_links = [i for i in range(1, site.site.n + 1) if site.site.links_origin(i) and not site.site.snippet_only(i)]
    assert full_links and all(got[site.url.rstrip("/") + site.site.path(i)].get("origin_url") is None
                              for i in full_links if not site.site.invalid(i))


def test_listing_pages_recognised(crawl):
    assert crawl["summary"]["listing_pages"] >= 4
    assert crawl["summary"]["article_pages"] == crawl["truth"]["articles"]


def test_reparse_of_the_archive_gives_the_same_records_outlet_bodies_included(crawl, tmp_path):
    proc = reparse(str(crawl["out"] / "archive"), "--spider", "akhbar", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = outputs(tmp_path)
    assert as_lines(read_jsonl(files["records"][0])) == as_lines(crawl["records"])
    assert as_lines(read_jsonl(files["rejects"][0])) == as_lines(crawl["rejects"])
    summary = json.loads(files["summaries"][0].read_text("utf-8"))
    assert summary["archive"]["not_in_archive"] == 0 and summary["archive"]["unused_responses"] == 0
