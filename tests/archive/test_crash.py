"""A real ``scrapy crawl`` with archiving on, killed with SIGKILL mid-crawl: every
record it completed reads back (``warcio index`` and ``warcio check`` pass), the
next run finishes the dead file and writes a new one, and a reparse of the killed
run's archive gives at least every record the killed run wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from newscrawler.archive_reader import read_archive
from newscrawler.extensions.archive import recover, whole_records_end
from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.helpers import FAST, outputs, read_jsonl, reparse, scrapy_crawl

pytestmark = pytest.mark.e2e
WARCIO = [sys.executable, "-m", "warcio.cli"]


def warcio_ok(path) -> None:
    for command in ("index", "check"):
        proc = subprocess.run([*WARCIO, command, str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, (command, path, proc.stdout[-1500:], proc.stderr[-1500:])


def test_a_crawl_killed_with_sigkill_leaves_a_readable_archive(tmp_path):
    out = tmp_path / "out"
    archive = out / "archive"
    with RunningSite(articles=2000, seed=4) as site:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", f"start_url={site.url}",
               "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}", "-s", "NEWSCRAWLER_ARCHIVE=1", *FAST, "-s", "LOG_LEVEL=WARNING"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            written = 0
            while time.monotonic() < deadline and proc.poll() is None:  # until it has archived 150+ pages
                files = list(archive.glob("*.warc.gz"))
                written = sum(f.stat().st_size for f in files)
                if written >= 600_000:
                    break
                time.sleep(0.02)
            assert proc.poll() is None and written >= 600_000, "the crawl finished or archived nothing"
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        dead = sorted(archive.glob("*.warc.gz"))
        assert len(dead) == 1 and (archive / (dead[0].name + ".open")).exists()
        # Right after the kill, before anything repaired it: every completed record reads back. Each
        # record is one os.write; a SIGKILL can still cut the write of a record larger than a page
        # short (the kernel stops between pages for a fatal signal), so the file may end in one torn
        # record: the whole records before it are what warcio must index and check.
        size, whole = dead[0].stat().st_size, whole_records_end(dead[0])
        completed = tmp_path / "completed.warc.gz"
        completed.write_bytes(dead[0].read_bytes()[:whole])
        warcio_ok(completed)
        problems = []
        responses = [r for r in read_archive(completed, problems) if r.type == "response"]
        assert problems == [] and len(responses) >= 100
        assert size - whole < 1_000_000  # at most the one record the kill cut (a page is far smaller)

        # the next run in that folder: the dead file is finished (marker gone), a new file is written
        again = scrapy_crawl("kashaf", out, "-a", f"start_url={site.url}", "-a", "max_pages=1",
                             "-s", "NEWSCRAWLER_ARCHIVE=1")
        assert again.returncode == 0, again.stderr[-3000:]
    files = sorted(archive.glob("*.warc.gz"))
    assert len(files) == 2 and dead[0] in files and not list(archive.glob("*.open"))
    for path in files:
        warcio_ok(path)
    assert f"archive: finished {dead[0]}" in again.stderr

    # the killed run's records (its .part file was finished by the next run) all come back from its archive
    killed = [p for p in outputs(out)["records"] if dead[0].name.startswith(p.name[: -len(".jsonl")])]
    assert len(killed) == 1
    written = read_jsonl(killed[0])
    assert written
    rebuilt = tmp_path / "rebuilt"
    proc = reparse(str(dead[0]), "--spider", "kashaf", "--out", str(rebuilt))
    assert proc.returncode == 0, proc.stderr[-3000:]
    again_records = {r["url"]: r for r in read_jsonl(outputs(rebuilt)["records"][0])}
    assert all(again_records.get(r["url"]) == r for r in written)
    summary = json.loads(outputs(rebuilt)["summaries"][0].read_text("utf-8"))
    assert summary["archive"]["problem_count"] == 0


def test_the_next_run_cuts_a_record_torn_by_a_power_cut(tmp_path):
    """What one os.write cannot promise (a power cut, a full disk): the next run cuts the torn tail."""
    import io

    from warcio.warcwriter import WARCWriter

    path = tmp_path / "kashaf-20261130T000000Z-abc123-00000.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for i in range(3):
            body = f"<html><body><h1>page {i}</h1></body></html>".encode()
            writer.write_record(writer.create_warc_record(f"http://127.0.0.1/{i}", "resource", payload=io.BytesIO(body),
                                                          length=len(body), warc_content_type="text/html"))
    whole = path.stat().st_size
    data = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write(data[:100])  # a gzip member cut short, as an interrupted write leaves it
    (tmp_path / (path.name + ".open")).write_bytes(b"")  # the marker of a run that died
    assert whole_records_end(path) == whole
    assert recover(tmp_path) == [(path, 100)]
    assert path.stat().st_size == whole and not list(tmp_path.glob("*.open"))
    warcio_ok(path)
    assert recover(tmp_path) == []  # nothing left to do
