"""``python -m newscrawler eval``: field accuracy and body token-F1 of the generic
extraction on stored pages (see ``newscrawler/evaluation.py``)."""

from __future__ import annotations

import json
from pathlib import Path


def cmd_eval(args) -> int:
    from newscrawler.cli import CliError
    from newscrawler.evaluation import FIXTURES, EvaluationError, as_json, report, run

    fixtures = Path(args.fixtures) if args.fixtures else FIXTURES
    if not fixtures.is_dir():
        raise CliError(f"eval: no fixtures folder {fixtures}")
    real = Path(args.real_pages) if args.real_pages else None
    if real is not None and not real.is_dir():
        raise CliError(f"eval: no real-pages folder {real}")
    try:
        results = run(fixtures, real)
    except EvaluationError as e:
        raise CliError(f"eval: {e}") from None
    if args.json:
        print(json.dumps(as_json(results), ensure_ascii=False, indent=1))
    else:
        print(report(results))
    if args.min_f1 is not None:
        low = [r.case for r in results["pages"] if r.body_f1 < args.min_f1]
        if low:
            raise CliError(f"eval: body token-F1 below {args.min_f1} on {', '.join(low)}", code=1)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="field accuracy and body token-F1 of the generic extraction on stored pages")
    p.add_argument("--fixtures", help="folder with pages/ and discovery/ cases (default tests/generic/fixtures)")
    p.add_argument("--real-pages", help="folder with the LBCI page (default tests/data/real-pages)")
    p.add_argument("--min-f1", type=float, default=None, help="exit 1 when a page's body token-F1 is below this")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=cmd_eval)
