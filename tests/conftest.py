import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # the seed and the real pages, with their licences (tests/data/README.md)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
