import os
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
