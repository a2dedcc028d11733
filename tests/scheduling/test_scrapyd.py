"""A real scrapyd on a free loopback port in a temporary folder: deploy with scrapyd-deploy,
schedule a job with a spider argument and a NEWSCRAWLER_* setting, check its JSON Lines."""

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from newscrawler.sample_site import SampleSite
from tests.conftest import ROOT
from tests.helpers import read_jsonl
from tests.scheduling.sites import Served

BIN = Path(sys.executable).parent
USER, PASSWORD = "newscrawler", "test-password"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, path, data=None, auth=True):
    body = urllib.parse.urlencode(data, doseq=True).encode() if data else None
    req = urllib.request.Request(base + path, data=body)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    # schedule.json answers only after scrapyd listed the egg's spiders in a child process: on a busy
    # machine that takes more than 10 s; a generous read timeout, not a race with the machine's load
    with urllib.request.urlopen(req, timeout=180) as r:
        return json.loads(r.read())


def wait_finished(base, jobid) -> dict:
    for _ in range(1500):  # until the job is finished (a loaded machine is slow); pytest-timeout guards
        jobs = call(base, "listjobs.json?project=newscrawler")
        finished = [j for j in jobs["finished"] if j["id"] == jobid]
        if finished:
            return finished[0]
        time.sleep(0.2)
    raise AssertionError(f"job {jobid} did not finish: {jobs}")


def test_deploy_schedule_and_read_the_output(tmp_path):
    srv, proj, data = tmp_path / "scrapyd", tmp_path / "project", tmp_path / "data"
    srv.mkdir()
    port = free_port()
    conf = (ROOT / "scrapyd.conf").read_text()
    conf = conf.replace("http_port    = 6800", f"http_port    = {port}").replace("change-this-password", PASSWORD)
    assert f"http_port    = {port}" in conf and "bind_address = 127.0.0.1" in conf
    (srv / "scrapyd.conf").write_text(conf)
    # the repository's deployable files, with scrapy.cfg pointing at this scrapyd
    shutil.copytree(ROOT / "newscrawler", proj / "newscrawler", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "setup.py", proj / "setup.py")
    cfg = (ROOT / "scrapy.cfg").read_text()
    assert "url = http://127.0.0.1:6800\n" in cfg
    (proj / "scrapy.cfg").write_text(cfg.replace("http://127.0.0.1:6800", f"http://127.0.0.1:{port}"))
    eggs = tmp_path / "egg-cache"  # where the jobs unpack the egg (default: the system's temp folder)
    daemon = subprocess.Popen([str(BIN / "scrapyd")], cwd=srv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=dict(os.environ, NEWSCRAWLER_EGG_CACHE=str(eggs)))
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(2400):  # until scrapyd answers (a slow start on a busy machine); pytest-timeout guards
            try:
                assert call(base, "daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert daemon.poll() is None, "scrapyd exited"
                time.sleep(0.1)
        try:
            call(base, "daemonstatus.json", auth=False)
            raise AssertionError("scrapyd answered without a password")
        except urllib.error.HTTPError as e:
            assert e.code == 401
        env = {"PATH": f"{BIN}:/usr/bin:/bin", "SCRAPYD_USERNAME": USER, "SCRAPYD_PASSWORD": PASSWORD}
        deploy = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=proj, capture_output=True, text=True,
                                timeout=120, env=env)
        assert deploy.returncode == 0 and '"status": "ok"' in deploy.stdout + deploy.stderr, deploy.stderr[-2000:]
        sample = SampleSite(30, 2)
        with Served(sample) as site:
            job = call(base, "schedule.json", {
                "project": "newscrawler", "spider": "kashaf", "start_url": site.url,
                "setting": [f"NEWSCRAWLER_OUTPUT_DIR={data}", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=0"],
            })
            assert job["status"] == "ok", job
            wait_finished(base, job["jobid"])
            truth = sample.ground_truth(site.url)
        files = [p for p in data.glob("kashaf-*.jsonl") if not p.name.endswith(".rejects.jsonl")]
        log = (srv / "scrapyd" / "logs" / "newscrawler" / "kashaf" / f"{job['jobid']}.log")
        assert len(files) == 1, log.read_text()[-3000:] if log.exists() else "no job log"
        records = read_jsonl(files[0])
        expected = {r["url"] for r in truth["records"]}
        assert {r["url"] for r in records} <= expected
        assert len(records) == len(expected) - len(truth["duplicate_groups"])
        summary = json.loads(files[0].with_name(files[0].name.replace(".jsonl", ".summary.json")).read_text())
        assert summary["finish_reason"] == "finished"
        assert "Spider closed (finished)" in log.read_text()
        assert [p.name.startswith("newscrawler-egg-") for p in eggs.iterdir()] == [True]  # nothing left in /tmp
        # a job with a wrong argument: its one-line reason in the job's log and a summary marked failed
        bad = call(base, "schedule.json", {"project": "newscrawler", "spider": "kashaf",
                                           "start_url": "http://127.0.0.1:9/", "sinse": "2026-11-01",
                                           "setting": [f"NEWSCRAWLER_OUTPUT_DIR={data}"]})
        finished = wait_finished(base, bad["jobid"])
        reason = "unknown kashaf argument 'sinse' (did you mean 'since'?)"
        bad_log = srv / "scrapyd" / "logs" / "newscrawler" / "kashaf" / f"{bad['jobid']}.log"
        assert reason in bad_log.read_text("utf-8") and finished["log_url"], finished
        failed = json.loads(next(data.glob(f"kashaf-*-{bad['jobid']}.summary.json")).read_text("utf-8"))
        assert failed["failed"] is True and failed["finish_reason"] == "argument_error"
        assert reason in failed["error"] and failed["records"] == 0
    finally:
        daemon.terminate()
        daemon.wait(timeout=20)
