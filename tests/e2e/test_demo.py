"""``python -m newscrawler demo`` as a new user runs it: its own folder, and figures that add up."""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


def test_the_demo_writes_to_data_demo_and_its_figures_are_the_summarys(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "newscrawler", "demo", "--articles", "40"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # never the folder (and the seen-store) a real crawl uses by default
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["demo"]
    summaries = list((tmp_path / "data" / "demo").glob("kashaf-*.summary.json"))
    assert len(summaries) == 1 and (tmp_path / "data" / "demo" / ".state").is_dir()
    s = json.loads(summaries[0].read_text("utf-8"))
    pages = re.search(r"^pages fetched: (\d+) \((\d+) article pages, (\d+) listing pages, (\d+) robots.txt\)$",
                      proc.stdout, re.M)
    assert pages, proc.stdout
    total, articles, listings, robots = map(int, pages.groups())
    assert (total, articles, listings, robots) == (s["pages_fetched"], s["article_pages"], s["listing_pages"], 1)
    assert total == articles + listings + robots
    assert f"time taken:    {s['elapsed_seconds']:.1f} s" in proc.stdout
