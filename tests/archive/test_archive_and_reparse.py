"""Archive while crawling, then rebuild the dataset from the archive.

One real ``scrapy crawl kashaf`` of the sample site in fault mode (retried
5xx, pages that always fail, redirect loops, off-site redirects, truncated
bodies, pages in the wrong charset) with ``NEWSCRAWLER_ARCHIVE=1`` and a small
``NEWSCRAWLER_ARCHIVE_MAX_BYTES`` (several files). The WARC files are checked
with warcio's own command line, then ``python -m newscrawler reparse`` rebuilds
the run's files from them, in one process and with worker processes, and a
damaged copy of the archive is reparsed too.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.archive_reader import read_archive
from newscrawler.sample_site import SampleSite
from newscrawler.sample_site.faults import FaultPlan, serve_faulty
from tests.helpers import as_lines, outputs, read_jsonl, reparse, scrapy_crawl
from tests.reliability.conftest import covering_seed

pytestmark = pytest.mark.e2e
ARTICLES = 120
SPEC = "500=0.05,503=0.04,dead=0.03,redirectloop=0.03,offsite=0.03,truncate=0.03,wrongcharset=0.03,retry_after=0"
KINDS = ("500", "503", "dead", "redirectloop", "offsite", "truncate", "wrongcharset")
MAX_BYTES = 250_000
WARCIO = [sys.executable, "-m", "warcio.cli"]



def run_files(folder: Path) -> dict:
    files = outputs(folder)
    assert len(files["records"]) == 1 and len(files["summaries"]) == 1, sorted(p.name for p in folder.iterdir())
    return {
        "records": read_jsonl(files["records"][0]),
        "rejects": read_jsonl(files["rejects"][0]),
        "summary": json.loads(files["summaries"][0].read_text("utf-8")),
    }



@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("archived")
    site = SampleSite(ARTICLES, 9)
    paths = [site.article_path(i) for i in range(1, ARTICLES + 1)]
    plan = FaultPlan.parse(SPEC, covering_seed(FaultPlan, SPEC, paths, KINDS))
    with serve_faulty(site, plan) as served:
        proc = scrapy_crawl("kashaf", out, "-a", f"start_url={served.url}", "-s", "NEWSCRAWLER_ARCHIVE=1",
                            "-s", f"NEWSCRAWLER_ARCHIVE_MAX_BYTES={MAX_BYTES}", "-s", "DOWNLOAD_TIMEOUT=5",
                            "-s", "NEWSCRAWLER_RETRY_BACKOFF_BASE=0.05")
        base = served.url.rstrip("/")
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = run_files(out)
    got.update(out=out, plan=plan, paths=paths, base=base, archive=sorted((out / "archive").glob("*.warc.gz")))
    return got


@pytest.fixture(scope="module")
def records_by_type(crawl):
    """Every record of the archive, in order: (file, record)."""
    found = []
    for path in crawl["archive"]:
        problems = []
        found.extend((path, r) for r in read_archive(path, problems, skip_requests=False))
        assert problems == []
    return found


@pytest.fixture(scope="module")
def rebuilt(crawl, tmp_path_factory):
    """The archive reparsed twice: all in one process, and with two worker processes."""
    got = {}
    for jobs in ("1", "2"):
        out = tmp_path_factory.mktemp(f"reparsed{jobs}")
        proc = reparse(str(crawl["out"] / "archive"), "--spider", "kashaf", "--out", str(out), "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr[-3000:]
        got[jobs] = dict(run_files(out), stdout=proc.stdout, stderr=proc.stderr)
    return got


def test_the_archive_is_several_files_that_warcio_reads_and_checks(crawl):
    files = crawl["archive"]
    assert len(files) >= 3, [p.name for p in files]
    run = Path(crawl["summary"]["output_file"]).name[: -len(".jsonl")]
    assert [p.name for p in files] == [f"{run}-{i:05d}.warc.gz" for i in range(len(files))]
    assert not list((crawl["out"] / "archive").glob("*.open"))  # a clean finish leaves no marker
    for path in files[:-1]:
        assert path.stat().st_size >= MAX_BYTES
    for path in files:
        index = subprocess.run([*WARCIO, "index", str(path)], capture_output=True, text=True)
        assert index.returncode == 0, index.stderr[-2000:]
        kinds = [json.loads(line)["warc-type"] for line in index.stdout.splitlines()]
        assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
        check = subprocess.run([*WARCIO, "check", "-v", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
        assert "digest pass" in check.stdout and "digest failed" not in check.stdout
    assert crawl["summary"]["archive"]["files"] == [str(p) for p in files]


def test_every_fetch_is_archived_with_its_request(crawl, records_by_type):
    records = [r for _, r in records_by_type]
    responses = [r for r in records if r.type == "response"]
    requests = [r for r in records if r.type == "request"]
    metadata = [r for r in records if r.type == "metadata" and r.url.startswith("urn:newscrawler:handed-on:")]
    lost = [json.loads(r.body) for r in records if r.type == "metadata" and r.url.startswith("urn:newscrawler:lost:")]
    assert len(requests) == len(responses) == crawl["summary"]["archive"]["responses"]
    assert {r.header("WARC-Concurrent-To") for r in requests} == {r.id for r in responses}
    # one metadata record per response Scrapy handed on: the pages the summary counts
    assert len(metadata) == crawl["summary"]["pages_fetched"]
    # and one per page given up on with no response handed on (a redirect loop, an off-site redirect)
    no_response = [u for u in crawl["summary"]["unrecoverable_urls"] if not u["reason"].startswith(("HTTP ", "soft 404"))]
    assert no_response and sorted((d["lost"], d["reason"]) for d in lost) == sorted(
        (u["url"], u["reason"]) for u in no_response)
    by_url: dict[str, list[int]] = {}
    for r in responses:
        by_url.setdefault(r.url, []).append(int(r.http.get_statuscode()))
    base, plan = crawl["base"], crawl["plan"]
    assert by_url[base + "/robots.txt"] == [200]
    kinds = {p: plan.kind(p) for p in crawl["paths"]}
    for path, kind in kinds.items():
        statuses = by_url.get(base + path, [])
        if kind == "dead":  # always 500: the first try and three retries, each archived
            assert statuses == [500] * 4, (path, statuses)
        elif kind in ("500", "503"):  # fails, then works
            assert statuses[0] == int(kind) and statuses[-1] == 200, (path, statuses)
        elif kind in ("redirectloop", "offsite"):  # the redirects themselves
            assert statuses and statuses[0] == 302, (path, statuses)
        elif kind == "truncate":  # a cut body is no response: only the retry that worked is there
            assert statuses == [200], (path, statuses)
    # the body is stored as it came: the wrong-charset page with its declared charset
    wrong = next(p for p, k in kinds.items() if k == "wrongcharset")
    page = next(r for r in responses if r.url == base + wrong)
    assert "charset=" in page.http.get_header("Content-Type") and page.body.startswith(b"<!DOCTYPE html>")


def test_crawled_at_is_the_archived_fetch_time(crawl, records_by_type):
    fetched = {r.url: r.date for _, r in records_by_type if r.type == "response" and r.http.get_statuscode() == "200"}
    for record in crawl["records"] + crawl["rejects"]:
        assert record["crawled_at"] == fetched[record["url"]].strftime("%Y-%m-%dT%H:%M:%SZ"), record["url"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_reparse_gives_back_exactly_the_crawl(crawl, rebuilt, jobs):
    again = rebuilt[jobs]
    assert crawl["records"] and crawl["rejects"] and crawl["summary"]["duplicates"]
    assert as_lines(again["records"]) == as_lines(crawl["records"])  # every field of every record
    assert as_lines(again["rejects"]) == as_lines(crawl["rejects"])
    was, now = crawl["summary"], again["summary"]
    assert was["source"] == "crawl" and now["source"] == "archive"
    for key in ("records", "rejects", "rejects_by_reason", "duplicates", "duplicates_by_kind", "pages_fetched",
                "article_pages", "listing_pages", "other_pages", "not_found_pages", "robots_txt", "http_errors"):
        assert now[key] == was[key], key
    # every page the crawl gave up on: an HTTP error or a soft 404 (the archived response, to the spider
    # again), a redirect loop or an off-site redirect (the archive's "lost" record of it)
    reasons = {u["reason"].split(" ")[0] for u in was["unrecoverable_urls"]}
    assert {"HTTP", "soft"} < reasons, reasons
    assert sorted(now["unrecoverable_urls"], key=str) == sorted(was["unrecoverable_urls"], key=str)
    assert now["unrecoverable"] == was["unrecoverable"]
    assert now["archive"]["files"] == [str(p) for p in crawl["archive"]]
    assert now["archive"]["problem_count"] == 0 and now["archive"]["robots"] == 1
    assert now["monitors"]["passed"] >= 5 and "finish reason: finished" in again["stdout"]


def test_an_uncompressed_copy_of_the_archive_gives_the_same_records(crawl, tmp_path):
    """``.warc`` as well as ``.warc.gz``: ``gunzip`` of the crawl's files reparses to the crawl."""
    plain = tmp_path / "plain"
    plain.mkdir()
    for path in crawl["archive"]:
        (plain / path.name[: -len(".gz")]).write_bytes(gzip.decompress(path.read_bytes()))
    out = tmp_path / "out"
    proc = reparse(str(plain), "--spider", "kashaf", "--out", str(out))
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = run_files(out)
    assert as_lines(again["records"]) == as_lines(crawl["records"])
    assert as_lines(again["rejects"]) == as_lines(crawl["rejects"])
    assert again["summary"]["archive"]["problem_count"] == 0


def test_an_archive_that_gives_no_record_fails_the_reparse(crawl, tmp_path):
    """Only the home page (a listing) kept: the run finishes, its min_records monitor fails, exit 1."""
    first = crawl["archive"][0]
    records = list(read_archive(first, [], skip_requests=False))
    data = first.read_bytes()
    ends = [r.offset for r in records[1:]] + [len(data)]
    home = next(r.id for r in records if r.type == "response" and r.url == crawl["base"] + "/")
    keep = [(r, end) for r, end in zip(records, ends)
            if r.type == "warcinfo" or r.id == home or r.header("WARC-Concurrent-To") == home]
    assert [r.type for r, _ in keep] == ["warcinfo", "response", "request", "metadata"]
    only_home = tmp_path / "home.warc.gz"
    only_home.write_bytes(b"".join(data[r.offset:end] for r, end in keep))
    proc = reparse(str(only_home), "--spider", "kashaf", "--out", str(tmp_path / "out"), "--jobs", "1")
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    summary = json.loads(outputs(tmp_path / "out")["summaries"][0].read_text("utf-8"))
    assert summary["records"] == 0 and summary["listing_pages"] == 1
    assert summary["monitors"]["failed"] >= 1
    assert "min_records" in {f["monitor"] for f in summary["monitors"]["failures"]}


def test_a_page_whose_metadata_was_cut_off_is_named_not_taken_for_a_redirect(crawl, tmp_path):
    """A file cut between a page's response and its metadata record: the page cannot be given to
    its spider method, and reparse says so (a warning naming it, exit 1), not "redirects or retried"."""
    first = crawl["archive"][0]
    records = list(read_archive(first, [], skip_requests=False))
    k = next(i for i, r in enumerate(records) if r.type == "metadata" and json.loads(r.body).get("status") == 200
             and i > 20)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(first.read_bytes()[: records[k].offset + 30])  # inside a page's metadata record
    # the pages archived before the cut whose metadata record comes at it or after it (the crawl is
    # concurrent: a response's metadata may follow other responses)
    later = {r.header("WARC-Concurrent-To") for r in records[k:] if r.type == "metadata"}
    orphans = {r.url for r in records[:k] if r.type == "response" and r.id in later
               and r.http.get_statuscode() == "200"}
    proc = reparse(str(cut), "--spider", "kashaf", "--out", str(tmp_path / "out"), "--jobs", "1")
    assert proc.returncode == 1, proc.stderr[-2000:]
    warnings = [ln for ln in proc.stderr.splitlines() if "no metadata record saying" in ln]
    assert len(warnings) == 1, proc.stderr
    assert f": {len(orphans)} whole page response(s) with no metadata record" in warnings[0], (orphans, warnings)
    assert warnings[0].rsplit("e.g. ", 1)[1] in orphans
    assert f"{len(orphans)} page(s) that no metadata record names" in proc.stdout, proc.stdout
    summary = json.loads(outputs(tmp_path / "out")["summaries"][0].read_text("utf-8"))
    assert summary["archive"]["pages_without_metadata"] == len(orphans)
    assert summary["archive"]["notes"] == [warnings[0].split("warning: ", 1)[1]]


def test_reparse_never_touches_the_seen_store(crawl, rebuilt):
    for jobs in rebuilt:
        assert rebuilt[jobs]["summary"]["incremental"] == {}
    out = Path(rebuilt["1"]["summary"]["output_file"]).parent
    assert not (out / ".state").exists()


def _damage(crawl, tmp_path) -> tuple[Path, list[dict]]:
    """A copy of the archive with 64 bytes overwritten inside a response of the 2nd file and the
    3rd file cut in the middle of a record; the (file, start, end) of each bad part."""
    folder = tmp_path / "damaged"
    folder.mkdir()
    for p in crawl["archive"]:
        shutil.copy(p, folder / p.name)
    files = sorted(folder.glob("*.warc.gz"))
    first = [r for r in read_archive(files[1], [], skip_requests=False)]
    victim = [r for r in first if r.type == "response" and r.http.get_statuscode() == "200"][5]
    nxt = first[first.index(victim) + 1]
    data = bytearray(files[1].read_bytes())
    middle = (victim.offset + nxt.offset) // 2
    data[middle:middle + 64] = bytes(64)
    files[1].write_bytes(bytes(data))
    cut = [r for r in read_archive(files[2], [], skip_requests=False)]
    size = (cut[len(cut) // 2].offset + cut[len(cut) // 2 + 1].offset) // 2
    os.truncate(files[2], size)
    return folder, [{"file": files[1], "lost": victim.url}, {"file": files[2], "at": size}]


def test_a_damaged_archive_gives_every_readable_record_and_says_what_was_not(crawl, tmp_path):
    folder, damage = _damage(crawl, tmp_path)
    out = tmp_path / "out"
    proc = reparse(str(folder), "--spider", "kashaf", "--out", str(out))
    assert proc.returncode == 1, proc.stderr[-3000:]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("newscrawler: reparse: warning:")]
    # a page whose metadata record was in a lost part is one more line, naming its file
    notes = [w for w in warnings if "no metadata record saying" in w]
    warnings = [w for w in warnings if w not in notes]
    assert len(warnings) == 2, proc.stderr[-3000:]
    assert all(any(str(d["file"]) in n for d in damage) for n in notes), notes
    assert str(damage[0]["file"]) in warnings[0] and "not valid gzip data" in warnings[0]
    assert str(damage[1]["file"]) in warnings[1] and "the file ends inside a record" in warnings[1]
    assert f"-{damage[1]['at']} unreadable" in warnings[1]
    got = run_files(out)
    problems = got["summary"]["archive"]["problems"]
    assert [p["file"] for p in problems] == [str(d["file"]) for d in damage]
    assert got["summary"]["archive"]["problem_count"] == 2
    # every record that did not depend on a lost part is there, exactly as the crawl wrote it
    left = [r for path in sorted(folder.glob("*.warc.gz")) for r in read_archive(path, [])]
    answered = {r.header("WARC-Concurrent-To") for r in left if r.type == "metadata"}
    readable = {r.url for r in left if r.type == "response" and r.id in answered}
    crawl_lines = {r["url"]: json.dumps(r, sort_keys=True) for r in crawl["records"]}
    again = {r["url"]: json.dumps(r, sort_keys=True) for r in got["records"]}
    assert damage[0]["lost"] not in again
    assert set(again) <= set(crawl_lines) and all(again[u] == crawl_lines[u] for u in again)
    missing = set(crawl_lines) - set(again)
    assert missing and not (missing & readable), sorted(missing & readable)[:3]


def test_reparse_says_what_is_wrong_with_its_arguments(crawl, tmp_path):
    archive = str(crawl["archive"][0])
    not_warc = tmp_path / "notes.txt"
    not_warc.write_text("{}\n")
    bad_profile = tmp_path / "bad.json"
    bad_profile.write_text("{nope")
    gzipped_text = tmp_path / "notes.warc.gz"
    gzipped_text.write_bytes(gzip.compress(b"hello, not a WARC record\n"))
    cases = [
        ([str(tmp_path / "nothing.warc.gz"), "--spider", "kashaf", "--out", str(tmp_path)], "no such archive"),
        ([str(not_warc), "--spider", "kashaf", "--out", str(tmp_path)], "is not a WARC file"),
        ([str(gzipped_text), "--spider", "kashaf", "--out", str(tmp_path)], "is gzip data but not a WARC file"),
        ([archive, "--spider", "nope", "--out", str(tmp_path)], "unknown spider 'nope'"),
        ([archive, "--out", str(tmp_path)], "one of the arguments --spider --profile is required"),
        ([archive, "--spider", "kashaf", "--profile", "x.json", "--out", str(tmp_path)], "not allowed with"),
        ([archive, "--profile", str(bad_profile), "--out", str(tmp_path)], "invalid JSON"),
        ([archive, "--spider", "kashaf", "--out", str(tmp_path), "-a", "since=yesterday"], "since='yesterday'"),
        ([archive, "--spider", "kashf", "--out", str(tmp_path)], "unknown spider 'kashf' (did you mean 'kashaf'?)"),
        ([archive, "--spider", "kashaf", "--out", str(tmp_path), "-s", "NEWSCRAWLER_DUPLICATE_WINDOW=x"],
         "NEWSCRAWLER_DUPLICATE_WINDOW='x' is not"),
        ([archive, "--spider", "kashaf", "--out", str(tmp_path), "-s", "NEWSCRAWLER_DUPLICAT_WINDOW=1"],
         "unknown setting 'NEWSCRAWLER_DUPLICAT_WINDOW'"),
    ]
    for args, message in cases:
        proc = reparse(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("newscrawler") and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert message in proc.stderr, (message, proc.stderr)
    assert not outputs(tmp_path)["records"]


def test_replay_reruns_the_crawl_from_the_archive_with_no_network(crawl, tmp_path):
    # the site is gone: every answer, redirects and retried errors included, comes from the archive
    out = tmp_path / "replayed"
    proc = scrapy_crawl("kashaf", out, "-a", f"start_url={crawl['base']}/", "-a", f"replay={crawl['out'] / 'archive'}",
                        "-s", "NEWSCRAWLER_RETRY_BACKOFF_BASE=0.01", "-s", "NEWSCRAWLER_ARCHIVE=1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    again = run_files(out)
    # the same records; of a story the aggregator has twice, the replay (in its own order) may keep the other copy
    was_by_url = {r["url"]: r for r in crawl["records"]}
    now_by_url = {r["url"]: r for r in again["records"]}
    both = set(was_by_url) & set(now_by_url)
    assert as_lines([now_by_url[u] for u in both]) == as_lines([was_by_url[u] for u in both])
    story = lambda r: (r["source"], r["title"])  # noqa: E731
    assert sorted(map(story, (was_by_url[u] for u in set(was_by_url) - both))) == \
        sorted(map(story, (now_by_url[u] for u in set(now_by_url) - both)))
    assert as_lines(again["rejects"]) == as_lines(crawl["rejects"])
    was, now = crawl["summary"], again["summary"]
    for key in ("records", "rejects", "duplicates", "pages_fetched", "http_errors"):
        assert now[key] == was[key], key
    lost = {u["url"]: u["reason"] for u in now["unrecoverable_urls"]}
    for u in was["unrecoverable_urls"]:  # what failed for good fails again, for the same reason
        assert lost.pop(u["url"]) == u["reason"]
    # a download that never got a response (a cut body) is not in the archive; its retry is
    assert set(lost.values()) <= {"NotInArchive: not in the archive: " + u for u in lost}
    assert not list((out / "archive").glob("*.warc.gz"))  # nothing archived twice


def test_replay_of_a_missing_archive_is_one_line(tmp_path):
    proc = scrapy_crawl("kashaf", tmp_path, "-a", "start_url=http://127.0.0.1:9/",
                        "-a", f"replay={tmp_path / 'none'}")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"newscrawler: error: replay: {tmp_path / 'none'}: no such archive file or folder"]
