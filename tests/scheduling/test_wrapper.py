"""The cron wrapper ``python -m newscrawler run``: exit codes, the lock, the log."""

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from newscrawler.sample_site import SampleSite
from tests.conftest import ROOT
from tests.helpers import all_records, assert_matches_truth
from tests.scheduling.sites import GatedSite, NoDateSite, Served

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=1"]


def wrapper_cmd(tmp_path, url, *extra):
    return [sys.executable, "-m", "newscrawler", "run", "kashaf", "-a", f"start_url={url}",
            "-s", f"NEWSCRAWLER_OUTPUT_DIR={tmp_path / 'data'}", "-s", f"NEWSCRAWLER_LOG_DIR={tmp_path / 'logs'}",
            *FAST, *extra]


def run(tmp_path, url, *extra):
    return subprocess.run(wrapper_cmd(tmp_path, url, *extra), cwd=ROOT, capture_output=True, text=True, timeout=180)


def wait_until(condition, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_healthy_run_then_unchanged_site_both_exit_0(tmp_path):
    with Served(SampleSite(40, 3)) as site:
        first = run(tmp_path, site.url)
        second = run(tmp_path, site.url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.startswith("newscrawler run kashaf: OK:") and first.stdout.count("\n") == 1
    assert second.returncode == 0, second.stdout + second.stderr  # nothing new is not a failure
    assert "OK: 0 records (nothing new: no .jsonl written)" in second.stdout
    state = tmp_path / "data" / ".state" / "kashaf-127.0.0.1.sqlite3"
    assert "articles skipped because of earlier runs' state" in second.stdout and f"in {state}" in second.stdout
    assert not [p for p in (tmp_path / "data").glob("*.jsonl") if p.stat().st_size == 0]
    s = json.loads(max((tmp_path / "data").glob("*.summary.json"), key=lambda p: p.stat().st_mtime).read_text("utf-8"))
    assert s["nothing_written"] and s["output_file"] is None and s["records"] == 0
    assert s["earlier_state"]["skipped"] >= 30 and s["earlier_state"]["state_file"] == str(state)
    log = (tmp_path / "logs" / "kashaf.log").read_text("utf-8")
    assert log.count("==== newscrawler run kashaf") == 4 and "Spider closed (finished)" in log


def test_unreachable_site_exits_non_zero(tmp_path):
    proc = run(tmp_path, f"http://127.0.0.1:{closed_port()}/")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAILED" in proc.stdout and "no page could be fetched" in proc.stdout


def test_site_whose_pages_are_all_invalid_exits_non_zero_every_time(tmp_path):
    with Served(NoDateSite()) as site:
        first = run(tmp_path, site.url)
        second = run(tmp_path, site.url)
    for proc in (first, second):
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "no records" in proc.stdout, proc.stdout
    assert "6 rejects" in first.stdout


def test_a_second_concurrent_run_exits_at_once(tmp_path):
    lock = tmp_path / "data" / ".state" / "kashaf-127.0.0.1.lock"  # the spider's and site's lock
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as held:  # what a running wrapper holds
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write(f"{os.getpid()}\n")
        held.flush()
        proc = run(tmp_path, "http://127.0.0.1:9/")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "another run of this spider is going" in proc.stderr and proc.stderr.count("\n") == 1
    assert not list((tmp_path / "data").glob("*.json*"))


def test_two_wrappers_started_together_one_runs(tmp_path):
    gate = GatedSite(SampleSite(30, 4))
    with Served(gate) as site:
        cmd = [sys.executable, "-m", "newscrawler", "run", "kashaf", "-a", f"start_url={site.url}",
               "-s", f"NEWSCRAWLER_OUTPUT_DIR={tmp_path / 'data'}", "-s", f"NEWSCRAWLER_LOG_DIR={tmp_path / 'logs'}", *FAST]
        a = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # the first one's crawl has asked the site for a page: it holds the lock, and keeps it
            # (the site answers nothing) until the second one has tried
            assert gate.requested.wait(timeout=240), "the first wrapper's crawl never reached the site"
            b = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
        finally:
            gate.open()
        out_a, err_a = a.communicate(timeout=120)
    assert b.returncode == 3, b.stdout + b.stderr
    assert a.returncode == 0, out_a + err_a


def test_wrong_arguments_are_one_line_exit_2(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("")
    for extra, needle in ((["-a", "since=bad"], "since"), (["-a", "nonsense"], "nonsense"),
                          (["-s", "NEWSCRAWLER_LOG_MAX_BYTES=abc"], "NEWSCRAWLER_LOG_MAX_BYTES='abc' is not a whole number"),
                          (["-s", "NEWSCRAWLER_ARCHIVE=1", "-s", f"NEWSCRAWLER_ARCHIVE_DIR={afile / 'arch'}"],
                           "cannot create archive folder")):
        proc = run(tmp_path, "http://127.0.0.1:9/", *extra)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert (proc.stdout + proc.stderr).count("\n") == 1 and needle in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    proc = subprocess.run([sys.executable, "-m", "newscrawler", "run", "kashf"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 2 and "unknown spider 'kashf' (did you mean 'kashaf'?)" in proc.stderr


def test_sigterm_to_the_wrapper_stops_the_crawl_cleanly_and_keeps_the_lock_until_it_exits(tmp_path):
    sample = SampleSite(40, 3)
    gated = GatedSite(sample, open_for=25)
    data, log = tmp_path / "data", tmp_path / "logs" / "kashaf.log"
    with Served(gated) as site:
        # the held requests must outlast the second run's start, whatever the machine's load
        a = subprocess.Popen(wrapper_cmd(tmp_path, site.url, "-s", "DOWNLOAD_TIMEOUT=110"), cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        lock = data / ".state" / "kashaf-127.0.0.1.lock"
        wait_until(lambda: lock.exists() and len(lock.read_text().split()) == 2, "the crawl's pid in the lock")
        crawl_pid = int(lock.read_text().split()[1])
        written = lambda: sum(p.read_bytes().count(b"\n") for p in data.glob("kashaf-*[0-9a-f].jsonl.part"))
        wait_until(lambda: written() > 0 and gated.waiting > 0, "records written, then the crawl waiting on the site")
        a.send_signal(signal.SIGTERM)
        wait_until(lambda: "Received SIGTERM, shutting down gracefully" in log.read_text("utf-8"),
                   "the crawl to get the SIGTERM")
        assert a.poll() is None and alive(crawl_pid)  # both wait for the requests still in flight
        second = run(tmp_path, site.url)
        assert alive(crawl_pid), "the crawl ended before the second run was tried: the test proves nothing"
        assert second.returncode == 3, second.stdout + second.stderr
        assert "another run of this spider is going" in second.stderr and f"crawl pid {crawl_pid}" in second.stderr
        gated.release()
        out, err = a.communicate(timeout=120)
        assert not alive(crawl_pid)
        assert a.returncode == 1, out + err
        assert out.startswith("newscrawler run kashaf: FAILED: stopped by SIGTERM (forwarded to the crawl, which "
                              "closed with finish reason shutdown)"), out
        third = run(tmp_path, site.url)  # the next scheduled run finishes the crawl
        truth = sample.ground_truth(site.url)
    assert third.returncode == 0, third.stdout + third.stderr
    assert_matches_truth(all_records(data), truth)  # over both runs, each article written once
