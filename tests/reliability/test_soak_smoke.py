"""The soak command on a small site (the real soak, 20,000 articles, is run by hand: README)."""

import subprocess
import sys

from tests.conftest import ROOT


def test_soak_command_small(tmp_path):
    p = subprocess.run([sys.executable, "-m", "newscrawler", "soak", "--articles", "120", "--faults", "default,slow=0",
                        "--output-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout + p.stderr[-2000:]
    assert "result:            OK" in p.stdout
    assert "(articles on the site: 120)" in p.stdout and "peak memory (RSS)" in p.stdout
