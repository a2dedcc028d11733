"""``python -m newscrawler bench``: the performance figures (see newscrawler/bench/)."""

from __future__ import annotations


def cmd_bench(args) -> int:
    from newscrawler.bench.run import PARTS, BenchError, run
    from newscrawler.cli import CliError

    try:
        return run(args.only or PARTS, quick=args.quick)
    except BenchError as e:
        raise CliError(f"bench: {e}", code=1) from None


def add_parser(sub) -> None:
    from newscrawler.argtypes import comma_choices
    from newscrawler.bench.run import EXTRA_PARTS, PARTS

    b = sub.add_parser("bench", help="measure the site, the crawl, the parser and memory; check the targets")
    b.add_argument("--quick", action="store_true", help="small sizes, a quick check (figures are not meaningful)")
    b.add_argument("--only", type=comma_choices(PARTS + EXTRA_PARTS), default=None, metavar="PARTS",
                   help="site, crawl, parser, memory and/or breakdown (comma-separated; default: all but "
                        "breakdown, which crawls five times to show where kashaf's time goes)")
    b.set_defaults(func=cmd_bench)
