"""Without Chromium or redis-server (a machine where `make test` cannot install them: not root), the
tests that need them are skipped with one line naming the install command, never errors."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_missing_browser_and_redis_skip_their_tests_with_one_line():
    env = dict(os.environ, NEWSCRAWLER_BROWSER="/nonexistent/chromium", NEWSCRAWLER_REDIS_SERVER="/nonexistent/redis-server")
    proc = subprocess.run([sys.executable, "-m", "pytest",
                           "tests/distributed/test_seen_store.py", "tests/js/test_js_units.py::test_the_system_chromium_is_found",
                           "tests/js/test_js_units.py::test_images_fonts_and_media_are_blocked_in_the_browser"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "1 passed, 2 skipped" in out and "error" not in out.lower(), out
    lines = [ln for ln in out.splitlines() if ln.startswith("newscrawler: ")]
    assert lines == ["newscrawler: 2 tests skipped because redis-server and Chromium are not installed; install with: "
                     "sudo scripts/install-system-deps.sh (make test does it when run as root)"], out
