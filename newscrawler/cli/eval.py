"""``python -m newscrawler eval``: field accuracy and body token-F1 of the generic
extraction on stored pages (see ``newscrawler/evaluation.py``); with ``--peers``
the same pages through trafilatura, htmldate, newspaper4k and goose3 beside it,
and the date reader beside dateparser on the peer-suite date expressions."""

from __future__ import annotations

import json
from pathlib import Path


def cmd_eval(args) -> int:
    from newscrawler.cli import CliError
    from newscrawler.evaluation import (
        FIXTURES, EvaluationError, as_json, date_expressions, date_expressions_report, real_pages_dir, report,
        run, side_by_side, side_by_side_report,
    )

    fixtures = Path(args.fixtures) if args.fixtures else FIXTURES
    if not fixtures.is_dir():
        raise CliError(f"eval: no fixtures folder {fixtures}")
    real = Path(args.real_pages) if args.real_pages else None
    if real is not None and not real.is_dir():
        raise CliError(f"eval: no real-pages folder {real}")
    try:
        results = run(fixtures, real)
        peers = side_by_side(fixtures, real) if args.peers else None
        suite = (real or real_pages_dir()) / "dates-from-peer-suites.json"
        dates = date_expressions(suite) if args.peers and suite.is_file() else None
    except EvaluationError as e:
        raise CliError(f"eval: {e}") from None
    if args.json:
        out = as_json(results)
        if peers is not None:
            out["side_by_side"] = peers
        if dates is not None:
            out["date_expressions"] = dates
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        print(report(results))
        if peers is not None:
            print(side_by_side_report(peers))
        if dates is not None:
            print(date_expressions_report(dates))
    if args.min_f1 is not None:
        low = [r.case for r in results["pages"] if r.body_f1 is not None and r.body_f1 < args.min_f1]
        if low:
            raise CliError(f"eval: body token-F1 below {args.min_f1} on {', '.join(low)}", code=1)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("eval", help="field accuracy and body token-F1 of the generic extraction on stored pages")
    p.add_argument("--fixtures", help="folder with pages/ and discovery/ cases (default tests/generic/fixtures)")
    p.add_argument("--real-pages", help="folder with the real pages and their truth (default tests/data/real-pages)")
    p.add_argument("--peers", action="store_true",
                   help="also run trafilatura, htmldate, newspaper4k and goose3 on the same pages (those installed; "
                        "requirements-bench.txt) and score the date reader beside dateparser")
    p.add_argument("--min-f1", type=float, default=None, help="exit 1 when a page's body token-F1 is below this")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=cmd_eval)
