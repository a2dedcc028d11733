"""Incremental runs against sample sites over HTTP: the seen-store, since, max_pages, full,
a corrupted state file."""

import json
import sqlite3

import pytest

from newscrawler.sample_site import SampleSite
from tests.helpers import outputs, read_jsonl, scrapy_crawl
from tests.scheduling.sites import GrowingSite, Served

N, K, SEED = 80, 5, 11


def crawl(out, url, *args):
    proc = scrapy_crawl("kashaf", out, "-a", f"start_url={url}", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(outputs(out)["summaries"][-1].read_text("utf-8"))
    assert summary["finish_reason"] == "finished", proc.stderr[-3000:]
    records = read_jsonl(summary["output_file"]) if summary["output_file"] else []
    return summary, records, proc.stderr


def article_requests(log: str) -> list[str]:
    # Scrapy logs every response at DEBUG: "Crawled (200) <GET url>"
    lines = [ln for ln in log.splitlines() if "Crawled (" in ln]
    return [ln for ln in lines if "/news/" in ln or "/article?" in ln or "/2026/" in ln]


@pytest.fixture(scope="module")
def growing(tmp_path_factory):
    """Three runs: site with N-K articles, the same site again, the site after K new articles."""
    out = tmp_path_factory.mktemp("grow")
    site = GrowingSite(N, SEED, hidden=K)
    with Served(site) as served:
        first = crawl(out, served.url, "-s", "LOG_LEVEL=DEBUG")
        second = crawl(out, served.url, "-s", "LOG_LEVEL=DEBUG")
        site.publish()
        third = crawl(out, served.url, "-s", "LOG_LEVEL=DEBUG")
        truth = {r["url"] for r in site.site.ground_truth(served.url)["records"]}
        newest = {served.url.rstrip("/") + site.site.article_path(i) for i in range(1, K + 1)}
    return {"runs": [first, second, third], "truth": truth, "newest": newest, "out": out}


def test_first_run_is_full_and_says_why(growing):
    summary, records, log = growing["runs"][0]
    assert summary["incremental"]["mode"] == "full"
    assert "no state file" in summary["incremental"]["state_problem"]
    assert len(records) > 50
    assert not {r["url"] for r in records} & growing["newest"]


def test_second_run_requests_no_article_and_writes_nothing(growing):
    summary, records, log = growing["runs"][1]
    assert summary["incremental"]["mode"] == "incremental"
    assert records == []
    assert summary["article_pages"] == 0
    assert article_requests(log) == []
    assert summary["listing_pages"] > 0  # listing pages are read again
    assert summary["incremental"]["skipped"] > 0
    # each known article counts once, however many listing cards link to it
    assert summary["incremental"]["skipped"] <= len(growing["runs"][0][1])
    assert summary["budget"]["chains_stopped"]["no_new_links"] > 0  # pagination stopped early


def test_after_k_new_articles_the_next_run_writes_exactly_those(growing):
    summary, records, log = growing["runs"][2]
    assert {r["url"] for r in records} == growing["newest"]
    assert len(records) == K
    assert len(article_requests(log)) == K
    everything = [r["url"] for run in growing["runs"] for r in run[1]]
    assert len(everything) == len(set(everything)), "an article was written twice"


def test_full_reads_everything_again_without_duplicates_in_its_file(growing, tmp_path):
    out = growing["out"]
    site = GrowingSite(N, SEED, hidden=0)
    with Served(site) as served:
        # a different url (port) means different ids: use the store of a fresh folder, run twice
        a = crawl(tmp_path, served.url)
        b = crawl(tmp_path, served.url, "-a", "full=1")
    assert b[0]["incremental"]["mode"] == "full"
    urls = [r["url"] for r in b[1]]
    assert len(urls) == len(set(urls)) == len(a[1])
    assert out.exists()


def test_since_and_max_pages(tmp_path):
    site = SampleSite(N, SEED)
    truth = site.ground_truth("http://x/")["records"]
    dates = sorted(r["published_at"][:10] for r in truth)
    since = dates[len(dates) // 2]  # about half of the articles are older
    with Served(site) as served:
        s1, rec1, log1 = crawl(tmp_path / "since", served.url, "-a", f"since={since}", "-s", "LOG_LEVEL=DEBUG")
        s2, rec2, log2 = crawl(tmp_path / "pages", served.url, "-a", "max_pages=2", "-s", "LOG_LEVEL=DEBUG")
    assert rec1 and all(r["published_at"][:10] >= since for r in rec1)
    expected = {r["url"].split("/", 3)[3] for r in truth if r["published_at"][:10] >= since}
    got = {r["url"].split("/", 3)[3] for r in rec1}
    assert got <= expected and len(got) >= len(expected) - 2  # the duplicate story may be dropped
    assert s1["incremental"]["skipped_since"] > 0
    assert len(article_requests(log1)) < N  # older cards are not followed
    assert s2["listing_pages"] + s2["pages_fetched"] - s2["article_pages"] - s2["listing_pages"] <= 3  # 2 + robots.txt
    assert s2["listing_pages"] <= 2
    assert 0 < len(rec2) <= 40  # two listing pages of 20 cards


@pytest.mark.parametrize("bound", ["since", "max_pages=2"])
def test_a_plain_run_after_a_bounded_one_fetches_what_the_bound_left_out(tmp_path, bound):
    """``since=`` (or ``max_pages=``) leaves older articles unfetched on purpose; the next plain run
    must not take the known newest ones for "nothing new further down": it reads every chain
    (catch-up), so the two runs together hold every article once."""
    site = SampleSite(N, SEED)
    truth = site.ground_truth("http://x/")
    if bound == "since":
        dates = sorted(r["published_at"][:10] for r in truth["records"])
        bound = f"since={dates[len(dates) // 2]}"
    out = tmp_path / "data"
    with Served(site) as served:
        s1, rec1, _ = crawl(out, served.url, "-a", bound)
        s2, rec2, log2 = crawl(out, served.url)
        s3, rec3, _ = crawl(out, served.url)
        truth = site.ground_truth(served.url)
    assert s1["incremental"]["mode"] == "full" and s2["incremental"]["mode"] == "catch-up"
    assert "left older articles out (since= or max_pages=)" in log2
    both = [r["url"] for r in rec1 + rec2]
    assert len(both) == len(set(both))  # no article twice
    twins = {u for g in truth["duplicate_groups"] for u in g}
    expected = {r["url"] for r in truth["records"]}
    assert expected - twins <= set(both) <= expected
    rejected = {r["url"] for f in outputs(out)["rejects"] for r in read_jsonl(f)}
    assert {i["url"] for i in truth["invalid"]} <= rejected
    # and then the next run is incremental again: nothing new
    assert s3["incremental"]["mode"] == "incremental" and rec3 == []


def test_a_corrupted_state_file_gives_a_warning_and_a_full_run(tmp_path):
    site = SampleSite(30, SEED)
    with Served(site) as served:
        first, rec1, _ = crawl(tmp_path, served.url)
        state = tmp_path / ".state" / "kashaf-127.0.0.1.sqlite3"
        assert state.exists()
        with sqlite3.connect(state) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        state.write_bytes(b"this is not a database" * 100)
        second, rec2, log = crawl(tmp_path, served.url)
    assert "is unusable" in log and "this run is a full run" in log
    assert "Traceback" not in log
    assert second["incremental"]["mode"] == "full"
    assert len(rec2) == len(rec1)
    assert list((tmp_path / ".state").glob("kashaf-127.0.0.1.sqlite3.corrupt-*"))


def test_the_seen_store_is_per_site(tmp_path):
    """Two hosts with the same articles (the sample site on 127.0.0.1 and on 127.0.0.2), one spider, one
    output folder: the second host's crawl is a full run of its own, not 'already written' by the first."""
    from newscrawler.sample_site import serve

    site = SampleSite(30, SEED)
    with Served(site) as one, serve(site, host="127.0.0.2") as two:
        first, rec1, _ = crawl(tmp_path, one.url)
        second, rec2, _ = crawl(tmp_path, two.url)
    assert first["incremental"]["state_file"] == str(tmp_path / ".state" / "kashaf-127.0.0.1.sqlite3")
    assert second["incremental"]["state_file"] == str(tmp_path / ".state" / "kashaf-127.0.0.2.sqlite3")
    assert second["incremental"]["mode"] == "full" and second["earlier_state"]["skipped"] == 0
    assert len(rec2) == len(rec1) > 20 and not second["duplicates_by_kind"].get("stored_story")
    # (the same host again skips everything and says so: tests/scheduling/test_wrapper.py)


def test_a_wrong_incremental_argument_is_one_line_and_exit_2(tmp_path):
    for arg in ("since=2024-13-01", "since=yesterday", "max_pages=0", "max_pages=x", "full=maybe"):
        proc = scrapy_crawl("kashaf", tmp_path, "-a", "start_url=http://127.0.0.1:9/", "-a", arg)
        assert proc.returncode == 2, (arg, proc.stderr[-2000:])
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and lines[0].startswith("newscrawler: error:"), (arg, proc.stderr[-2000:])
