import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # the seed and the real pages, with their licences (tests/data/README.md)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Property tests (hypothesis): in CI (the CI environment variable, set by .ci/run) every run draws the
# same examples (derandomize), so CI never passes or fails by chance; elsewhere ("dev") each run draws
# new ones. Neither keeps an example database: a failure found once is never replayed on later runs
# (it prints the @reproduce_failure line to replay it by hand). HYPOTHESIS_PROFILE=ci|dev picks one.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session", autouse=True)
def _temp_folder_of_the_session(tmp_path_factory):
    """Everything the tests and the processes they start put in "the system's temp folder" (scrapyd's
    egg cache, soak folders, redis-server's folders) goes to pytest's own temporary folder, which pytest
    rotates, instead of piling up in /tmp."""
    folder = tmp_path_factory.mktemp("system-temp")
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    yield folder
    tempfile.tempdir = saved[1]
    if saved[0] is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = saved[0]


# ---------------------------------------------------------------- Debian packages the tests need
# `make test` installs them when run as root (scripts/install-system-deps.sh). Without them the tests
# marked `browser` or `redis` are skipped, and the run ends with one line naming the install command.
INSTALL = "sudo scripts/install-system-deps.sh"


def _browser_missing() -> str | None:
    from newscrawler.browser import BrowserNotFound, find_browser

    try:
        find_browser(os.environ.get("NEWSCRAWLER_BROWSER"))
    except BrowserNotFound:
        return "Chromium"
    fonts = subprocess.run(["fc-list", ":lang=ar", "family"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    return None if fonts.strip() else "an Arabic font"


def _redis_missing() -> str | None:
    from newscrawler.redis_server import redis_server_executable

    exe = redis_server_executable()
    return None if os.path.isfile(exe) and os.access(exe, os.X_OK) else "redis-server"


_SKIPPED: dict[str, int] = {}


def pytest_collection_modifyitems(config, items):
    missing = {}
    for marker, probe in (("browser", _browser_missing), ("redis", _redis_missing)):
        if any(item.get_closest_marker(marker) for item in items):
            what = probe()
            if what:
                missing[marker] = what
    for item in items:
        for marker, what in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=f"{what} is not installed; install with: {INSTALL}"))
                _SKIPPED[what] = _SKIPPED.get(what, 0) + 1
                break


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED:
        n = sum(_SKIPPED.values())
        terminalreporter.write_line(
            f"newscrawler: {n} tests skipped because {' and '.join(_SKIPPED)} "
            f"{'is' if len(_SKIPPED) == 1 else 'are'} not installed; install with: {INSTALL} "
            "(make test does it when run as root)")
