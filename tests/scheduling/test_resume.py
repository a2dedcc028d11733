"""A crawl killed with SIGKILL and started again with the same JOBDIR finishes the work:
every article exactly once across both runs' files, the killed run's file finished."""

import json
import os
import signal
import subprocess
import sys
import time

from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.helpers import FAST, outputs, read_jsonl, scrapy_crawl


def test_sigkill_then_resume_with_the_same_jobdir(tmp_path):
    out, job = tmp_path / "out", tmp_path / "job"
    with RunningSite(articles=400, seed=5) as site:
        truth = site.ground_truth()
        cmd = [sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", f"start_url={site.url}",
               "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}", "-s", f"JOBDIR={job}", *FAST,
               "-s", "CONCURRENT_REQUESTS=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "LOG_LEVEL=WARNING"]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        part = None
        while time.monotonic() < deadline and proc.poll() is None:
            parts = [p for p in out.glob("*.jsonl.part") if not p.name.endswith(".rejects.jsonl.part")]
            if parts and parts[0].read_bytes().count(b"\n") >= 40:
                part = parts[0]
                break
            time.sleep(0.05)
        assert part is not None and proc.poll() is None, "the crawl ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        killed_lines = part.read_bytes().count(b"\n")
        assert killed_lines < 300, "killed too late to test a resume"

        again = scrapy_crawl("kashaf", out, "-a", f"start_url={site.url}", "-s", f"JOBDIR={job}")
    assert again.returncode == 0, again.stderr[-3000:]
    assert "was killed" in again.stderr
    files = outputs(out)
    assert not list(out.glob("*.part")), "an unfinished file is left"
    assert len(files["records"]) == 2
    killed_file = part.with_name(part.name[: -len(".part")])
    assert killed_file in files["records"]
    killed = read_jsonl(killed_file)  # every line parses: no partial last line
    assert len(killed) >= killed_lines - 1 >= 39
    urls = [r["url"] for f in files["records"] for r in read_jsonl(f)]
    assert len(urls) == len(set(urls)), "an article was written twice"
    expected = {r["url"] for r in truth["records"]}
    dup_extra = {u for g in truth["duplicate_groups"] for u in g}
    assert set(urls) <= expected
    assert not (expected - set(urls) - dup_extra), "an article is missing after the resume"
    for group in truth["duplicate_groups"]:
        assert len(set(urls) & set(group)) == 1, group
    second = json.loads(files["summaries"][-1].read_text("utf-8"))
    assert second["finish_reason"] == "finished"
    assert second["incremental"]["mode"] == "catch-up"
