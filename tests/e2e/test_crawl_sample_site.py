"""End to end: crawl the sample aggregator over HTTP on 127.0.0.1 with
``scrapy crawl kashaf`` and compare every field of every record with the
site's ground truth."""

import json

import pytest

from newscrawler.pipelines.validate import check
from newscrawler.sample_site import RunningSite
from tests.helpers import assert_matches_truth, outputs, read_jsonl, scrapy_crawl

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e")
    with RunningSite(articles=240, seed=7) as site:
        proc = scrapy_crawl("kashaf", out, "-a", f"start_url={site.url}", "-s", "LOG_LEVEL=DEBUG")
        truth = site.ground_truth()
    files = outputs(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(files["records"]) == 1 and len(files["rejects"]) == 1 and len(files["summaries"]) == 1, proc.stderr[-3000:]
    return {
        "records": read_jsonl(files["records"][0]),
        "rejects": read_jsonl(files["rejects"][0]),
        "summary": json.loads(files["summaries"][0].read_text("utf-8")),
        "truth": truth,
        "log": proc.stderr,
        "out": out,
    }


def test_every_record_matches_the_ground_truth(crawl):
    assert_matches_truth(crawl["records"], crawl["truth"])


def test_one_record_per_duplicate_story(crawl):
    got = {r["url"] for r in crawl["records"]}
    groups = crawl["truth"]["duplicate_groups"]
    assert groups
    for group in groups:
        assert len(got & set(group)) == 1, group
    assert crawl["summary"]["duplicates"] == len(groups)
    assert len(crawl["records"]) == len(crawl["truth"]["records"]) - len(groups)


def test_records_are_valid_and_complete(crawl):
    for r in crawl["records"]:
        assert check(r) == []
        assert r["aggregator"] == "kashaf" and r["crawled_at"].endswith("Z")
        for paragraph in r["body"].split("\n\n"):
            assert paragraph.split()[0] not in ("إعلان", "اعلان"), paragraph
            assert not paragraph.startswith(("آخر الأخبار", "المزيد من الأخبار", "تحميل تطبيق", "سحابة الكلمات"))
            assert not paragraph.startswith(("تاريخ الخبر", "المصدر:", "مستوى الصحة")), paragraph
        assert "utm_" not in r["url"] and "#" not in r["url"]


def test_invalid_articles_are_in_the_rejects_file_with_their_reason(crawl):
    invalid = {i["url"]: i["field"] for i in crawl["truth"]["invalid"]}
    assert {"published_at", "credibility", "body"} <= set(invalid.values())
    rejects = {r["url"]: r for r in crawl["rejects"]}
    assert set(rejects) == set(invalid)
    for url, field in invalid.items():
        assert rejects[url]["field"] == field, rejects[url]
        assert rejects[url]["reason"].startswith(field)
        assert rejects[url]["raw"]["title"]
    assert crawl["summary"]["rejects"] == len(invalid)
    assert sum(crawl["summary"]["rejects_by_reason"].values()) == len(invalid)


def test_listings_and_private_pages_never_become_records(crawl):
    got = {r["url"] for r in crawl["records"]} | {r["url"] for r in crawl["rejects"]}
    assert not got & set(crawl["truth"]["listing_urls"])
    assert not got & set(crawl["truth"]["disallowed"])
    assert crawl["summary"]["robots_forbidden"] >= 1
    assert "Crawled (200) <GET" in crawl["log"]  # the log does show fetches
    for url in crawl["truth"]["disallowed"]:
        assert f"<GET {url}>" not in crawl["log"].replace(f"Forbidden by robots.txt: <GET {url}>", "")
    assert "Forbidden by robots.txt: <GET " in crawl["log"]


def test_every_article_fetched_once(crawl):
    s = crawl["summary"]
    stats_pages = s["pages_fetched"]
    # every crawlable page once, plus robots.txt: tracking params and fragments never cause a refetch
    assert stats_pages == crawl["truth"]["pages"] + 1, (stats_pages, crawl["truth"]["pages"])
    assert s["article_pages"] == crawl["truth"]["articles"] - len(crawl["truth"]["soft_404"])
    assert s["finish_reason"] == "finished"


def test_every_layout_is_read_by_the_rules_without_the_fallback(crawl):
    from newscrawler.sample_site import layouts

    kinds = {layouts.NAMES[layouts.layout_of(int(u.rsplit("/", 1)[-1].split("-")[0].split("=")[-1].split(".")[0]))]
             for u in (r["url"] for r in crawl["records"])}
    assert kinds == set(layouts.NAMES)  # every layout is in this crawl (and every record matched the truth)
    # newscrawler/fallback/body == 0: the rules read every body; the fallback only tried (and failed
    # on) the articles that truly have no body
    empty = [i for i in crawl["truth"]["invalid"] if i["field"] == "body"]
    assert crawl["summary"]["fallback"] == {"none": len(empty)}


def test_soft_404_pages_give_no_record_and_are_listed(crawl):
    gone = set(crawl["truth"]["soft_404"])
    assert gone
    written = {r["url"] for r in crawl["records"]} | {r["url"] for r in crawl["rejects"]}
    assert not written & gone
    listed = {u["url"]: u["reason"] for u in crawl["summary"]["unrecoverable_urls"]}
    from newscrawler.spiders.base import SOFT_404_REASON

    assert listed == {u: SOFT_404_REASON for u in gone}
    assert crawl["summary"]["not_found_pages"] == len(gone) == crawl["summary"]["unrecoverable"]
