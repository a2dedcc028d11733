"""Reparse with a newer parser: a crawl made with a deliberately weakened profile
(its sidebar heading replaced by one no page has, so the sidebar's teasers are not
found) is archived; reparsing that
archive with today's kashaf profile gives every field right, and reparsing with
the weakened profile gives the weak records back. The incremental run after it
archives only what it fetched, and a reparse into the crawl's own folder leaves
the seen-store as it was."""

from __future__ import annotations

import hashlib
import json

import pytest

from newscrawler.archive_reader import read_archive
from newscrawler.profiles import PACKAGE_DIR
from newscrawler.sample_site import RunningSite
from tests.helpers import assert_matches_truth, outputs, read_jsonl, reparse, scrapy_crawl

pytestmark = pytest.mark.e2e



def newest(folder, kind: str):
    return sorted(outputs(folder)[kind], key=lambda p: p.stat().st_mtime)[-1]


@pytest.fixture(scope="module")
def weak(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("weak")
    profile = json.loads((PACKAGE_DIR / "kashaf.json").read_text("utf-8"))
    profile["sidebar_headings"] = ["عنوان لا تحمله أي صفحة"]
    weak_file = tmp / "kashaf_weak.json"
    weak_file.write_text(json.dumps(profile, ensure_ascii=False), "utf-8")
    out = tmp / "out"
    with RunningSite(articles=60, seed=8) as site:
        first = scrapy_crawl("kashaf", out, "-a", f"start_url={site.url}", "-a", f"profile={weak_file}",
                             "-s", "NEWSCRAWLER_ARCHIVE=1")
        assert first.returncode == 0, first.stderr[-3000:]
        truth = site.ground_truth()
        records = read_jsonl(newest(out, "records"))
        archive = sorted((out / "archive").glob("*.warc.gz"))
        second = scrapy_crawl("kashaf", out, "-a", f"start_url={site.url}", "-a", f"profile={weak_file}",
                              "-s", "NEWSCRAWLER_ARCHIVE=1")
        assert second.returncode == 0, second.stderr[-3000:]
    later = sorted(set((out / "archive").glob("*.warc.gz")) - set(archive))
    return {"out": out, "profile": weak_file, "records": records, "truth": truth, "archive": archive,
            "second_archive": later, "second_summary": json.loads(newest(out, "summaries").read_text("utf-8"))}


def test_today_s_profile_gives_the_fields_the_weak_one_missed(weak, tmp_path):
    assert weak["records"] and all(r["related"] == [] for r in weak["records"])
    proc = reparse(*map(str, weak["archive"]), "--spider", "kashaf", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(outputs(tmp_path)["records"][0])
    assert_matches_truth(records, weak["truth"])  # every field, the sidebar's teasers included
    assert all(r["related"] for r in records)
    before = {r["id"]: r for r in weak["records"]}
    assert set(before) == {r["id"] for r in records}
    same = ("url", "title", "published_at", "source", "category", "credibility", "importance", "crawled_at")
    for r in records:  # the rest is what the crawl had: the same page, the same fetch time
        assert {k: r[k] for k in same} == {k: before[r["id"]][k] for k in same}


def test_the_weak_profile_gives_the_weak_records_back(weak, tmp_path):
    proc = reparse(str(weak["archive"][0]), "--profile", str(weak["profile"]), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert read_jsonl(outputs(tmp_path)["records"][0]) == weak["records"]


def test_an_incremental_run_archives_what_it_fetched(weak):
    summary = weak["second_summary"]
    assert summary["incremental"]["mode"] == "incremental" and summary["records"] == 0
    assert len(weak["second_archive"]) == 1
    fetched = [r.url for r in read_archive(weak["second_archive"][0], []) if r.type == "response"]
    assert len(fetched) == summary["archive"]["responses"] == summary["pages_fetched"]
    known = {r["url"] for r in weak["records"]}
    assert fetched and not set(fetched) & known  # the articles it skipped were not fetched, so not archived


def test_reparse_into_the_crawl_s_own_folder_leaves_the_seen_store_alone(weak):
    (state,) = (weak["out"] / ".state").glob("kashaf-*.sqlite3")  # the seen-store of this site
    before = hashlib.sha256(state.read_bytes()).hexdigest()
    runs = len(outputs(weak["out"])["records"])
    proc = reparse(str(weak["out"] / "archive"), "--spider", "kashaf", "--out", str(weak["out"]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert hashlib.sha256(state.read_bytes()).hexdigest() == before
    assert len(outputs(weak["out"])["records"]) == runs + 1
    summary = json.loads(newest(weak["out"], "summaries").read_text("utf-8"))
    assert summary["source"] == "archive" and summary["incremental"] == {}
    assert summary["records"] == len(weak["records"])  # both runs' archives: each article once
