import os
import sys
from pathlib import Path

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
