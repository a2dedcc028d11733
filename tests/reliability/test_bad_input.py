"""Bad input through the cron wrapper (``python -m newscrawler run``): one clear line,
a non-zero exit code, no traceback, nothing already collected lost."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.pipelines.validate import check
from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT

FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING"]


def run(tmp: Path, *args: str, env: dict | None = None, preexec=None, out: Path | None = None):
    cmd = [sys.executable, "-m", "newscrawler", "run", args[0], *FAST, *args[1:],  # the test's own -s win
           "-s", f"NEWSCRAWLER_OUTPUT_DIR={out or tmp / 'out'}", "-s", f"NEWSCRAWLER_LOG_DIR={tmp / 'logs'}",
           "-s", f"NEWSCRAWLER_STATE_DIR={tmp / 'state'}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180,
                          env=dict(os.environ, **(env or {})), preexec_fn=preexec)
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    return proc, lines


def one_line_error(proc, lines, *words):
    assert proc.returncode == 2, (proc.returncode, lines)
    assert len(lines) == 1, lines
    assert "Traceback" not in proc.stdout + proc.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_unknown_spider(tmp_path):
    one_line_error(*run(tmp_path, "no_such_site"), "unknown spider 'no_such_site'", "known:")


def test_unknown_profile_argument(tmp_path):
    one_line_error(*run(tmp_path, "kashaf", "-a", "profile=nope"), "'nope'")


def test_invalid_profile_file(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "broken.json").write_text('{"name": "broken", "start_urls": [', encoding="utf-8")
    one_line_error(*run(tmp_path, "broken", env={"NEWSCRAWLER_PROFILES_DIR": str(profiles)}),
                   "broken.json", "JSON")


@pytest.mark.parametrize("url", ["htp:/bad"])  # more shapes: tests/e2e/test_crawl_command.py
def test_malformed_start_url(tmp_path, url):
    one_line_error(*run(tmp_path, "kashaf", "-a", f"start_url={url}"), "start_url")


@pytest.mark.parametrize("arg,word", [("since=2026-02-30", "since"), ("max_pages=-3", "max_pages")])
def test_invalid_spider_argument_values(tmp_path, arg, word):
    one_line_error(*run(tmp_path, "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-a", arg), word)


def test_invalid_budget_setting(tmp_path):
    one_line_error(*run(tmp_path, "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "NEWSCRAWLER_EXTRA_PAGES=0"),
                   "NEWSCRAWLER_EXTRA_PAGES must be a whole number >= 1")


def test_output_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a regular file, not a folder\n")
    proc, lines = run(tmp_path, "kashaf", "-a", "start_url=http://127.0.0.1:9/", out=blocker / "sub")
    one_line_error(proc, lines, str(blocker / "sub"), f"{blocker} is a file, not a folder")
    assert blocker.read_text() == "a regular file, not a folder\n"


def test_merge_and_report_into_a_folder_that_is_a_file_are_one_line(tmp_path, capsys):
    from newscrawler.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("a regular file, not a folder\n")
    run_file = tmp_path / "run.jsonl"
    run_file.write_text(json.dumps({"id": "a" * 20, "url": "http://h.example/1", "crawled_at": "2026-11-01T00:00:00Z"})
                        + "\n", encoding="utf-8")
    for command, out in (("merge", blocker / "m.jsonl"), ("report", blocker / "r.html")):
        assert main([command, str(run_file), "--out", str(out)]) == 2, command
        err = capsys.readouterr().err
        assert err.startswith("newscrawler: error:") and len(err.strip().splitlines()) == 1, err
        assert f"{blocker} is a file, not a folder" in err, err
    assert blocker.read_text() == "a regular file, not a folder\n"


def _small_disk():  # in the child: files may not grow past 100 kB (a full disk for the crawl)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_full_disk_while_writing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "kashaf-20200101T000000Z-earlier.jsonl"
    earlier.write_bytes(b'{"id": "from an earlier run"}\n' * 5000)  # 150 kB: already over the limit
    before = earlier.read_bytes()
    with RunningSite(articles=300, seed=2) as site:
        proc, lines = run(tmp_path, "kashaf", "-a", f"start_url={site.url}", preexec=_small_disk)
    assert proc.returncode == 1, lines
    assert len(lines) == 1 and "Traceback" not in proc.stdout + proc.stderr, lines
    assert "cannot write the output" in lines[0] and "File too large" in lines[0], lines[0]
    assert earlier.read_bytes() == before
    assert not list(out.glob("*.part"))
    runs = [p for p in out.glob("*.jsonl") if p != earlier]
    assert runs
    written = 0
    for path in runs:
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), path  # never half a line
        for line in data.splitlines():
            record = json.loads(line)
            if not path.name.endswith(".rejects.jsonl"):
                assert check(record) == [], record
                written += 1
    summary = json.loads(next(out.glob("*.summary.json")).read_text("utf-8"))
    assert summary["finish_reason"] == "output_error"
    assert summary["records"] == written > 0


def test_unknown_spider_argument_names(tmp_path):
    one_line_error(*run(tmp_path, "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-a", "sinse=2026-11-01"),
                   "unknown kashaf argument 'sinse'", "did you mean 'since'?")
    from newscrawler.spiders.base import ArgumentError
    from newscrawler.spiders.generic import GenericSpider
    from newscrawler.spiders.profiles import KashafSpider

    with pytest.raises(ArgumentError, match=r"'start_urls' \(did you mean 'start_url'\?\)"):
        KashafSpider.check_arguments({"start_urls": "http://127.0.0.1:9/"})
    with pytest.raises(ArgumentError, match=r"unknown generic argument 'discovr' \(did you mean 'discover'\?\)"):
        GenericSpider.check_arguments({"start_url": "http://127.0.0.1:9/", "discovr": "feed"})
    KashafSpider.check_arguments({"start_url": "http://127.0.0.1:9/", "_job": "a1"})  # scrapyd's own


@pytest.mark.parametrize("extra,words", [
    ({"start_url": ["http://127.0.0.1:9/"]}, ["unknown profile key 'start_url'", "did you mean 'start_urls'?"]),
    ({"url_patterns": {"articles": ["/news/"]}}, ["unknown key in 'url_patterns' 'articles'", "'article'?"]),
    ({"labels": {"publised_at": ["تاريخ"]}}, ["'publised_at'", "did you mean 'published_at'?"]),
    ({"monitoring": {"min_recods": 3}}, ["unknown monitoring key 'min_recods'", "did you mean 'min_records'?"]),
])
def test_unknown_profile_keys(tmp_path, extra, words):
    from newscrawler.profiles import ProfileError, load_file

    path = tmp_path / "typo.json"
    path.write_text(json.dumps({"name": "typo", **extra}), encoding="utf-8")
    with pytest.raises(ProfileError) as e:
        load_file(path)
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)
    assert all(w in str(e.value) for w in words), str(e.value)


def test_an_unknown_profile_key_stops_the_run(tmp_path):
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "typo.json").write_text(json.dumps({"name": "typo", "timezon": "Asia/Riyadh"}), encoding="utf-8")
    one_line_error(*run(tmp_path, "typo", "-a", "start_url=http://127.0.0.1:9/",
                        env={"NEWSCRAWLER_PROFILES_DIR": str(profiles)}),
                   "typo.json", "unknown profile key 'timezon'", "did you mean 'timezone'?")


def test_a_bad_setting_value(tmp_path):
    words = "setting DOWNLOAD_DELAY='abc' is not a number"
    one_line_error(*run(tmp_path, "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAY=abc"), words)
    # the same straight through scrapy crawl (cron lines and scrapyd jobs without the wrapper)
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", "start_url=http://127.0.0.1:9/",
                           "-s", f"NEWSCRAWLER_OUTPUT_DIR={tmp_path / 'direct'}", "-s", "DOWNLOAD_DELAY=abc"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    one_line_error(proc, [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()], words)


def test_a_typo_in_one_of_our_setting_names_is_one_line(tmp_path):
    """``-s NEWSCRAWLER_OUTPUT_DIRR=...`` used to be ignored: the run wrote to data/ and said nothing."""
    typo = tmp_path / "typo"
    proc, lines = run(tmp_path, "kashaf", "-a", "start_url=http://127.0.0.1:9/", "-s", f"NEWSCRAWLER_OUTPUT_DIRR={typo}")
    one_line_error(proc, lines, "unknown setting 'NEWSCRAWLER_OUTPUT_DIRR' (did you mean 'NEWSCRAWLER_OUTPUT_DIR'?)")
    assert not typo.exists()


def test_every_setting_name_the_code_reads_is_known():
    """The list the typo check uses holds every NEWSCRAWLER_ setting the package reads or sets."""
    from newscrawler.setting_values import own_settings

    read = re.compile(r"""(?:settings\.(?:get|getint|getbool|getfloat|getdict|getlist)\(\s*|^\s*)"(NEWSCRAWLER_[A-Z0-9_]+)"\s*[,):]""", re.M)
    found = {name for path in (ROOT / "newscrawler").rglob("*.py") for name in read.findall(path.read_text("utf-8"))}
    env_only = {"NEWSCRAWLER_PROFILES_DIR", "NEWSCRAWLER_REAL_PAGES", "NEWSCRAWLER_EGG_CACHE", "NEWSCRAWLER_REDIS_SERVER"}
    assert len(found) > 25, sorted(found)  # the pattern finds them
    assert found - env_only <= own_settings(), sorted(found - env_only - own_settings())


@pytest.mark.parametrize("setting,words", [
    ("CONCURRENT_REQUESTS=many", "CONCURRENT_REQUESTS='many' is not a whole number"),
    ("CONCURRENT_REQUESTS=2.5", "is not a whole number"),
    ("ROBOTSTXT_OBEY=perhaps", "ROBOTSTXT_OBEY='perhaps' is not true or false"),
    ("DOWNLOAD_TIMEOUT=2.5", None),  # seconds: a fraction is fine though the default is whole
    ("NEWSCRAWLER_EXTRA_PAGES=3", None),
])
def test_setting_values_are_checked_against_their_defaults_kind(setting, words):
    from newscrawler.runner import project_settings
    from newscrawler.setting_values import check_values

    name, _, value = setting.partition("=")
    with pytest.raises(ValueError, match=re.escape("setting ITEM_PIPELINES='{oops' is not a JSON object")):
        project_settings({"ITEM_PIPELINES": "{oops"})  # the wrapper's -s: one line too
    settings = project_settings({name: value})
    if words is None:
        check_values(settings, [name])
        return
    with pytest.raises(ValueError, match=re.escape(words)):
        check_values(settings, [name])


def test_an_unknown_time_zone_for_parse_document_is_one_line(tmp_path):
    from tests.conftest import DATA

    proc = subprocess.run([sys.executable, "-m", "newscrawler", "parse-document",
                           str(DATA / "seed" / "000_ee4591bf9e1c8d6b.txt"), "--tz", "Mars/Olympus"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    one_line_error(proc, [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()],
                   "unknown time zone 'Mars/Olympus'")
