"""``python -m newscrawler bench``: the performance figures (see newscrawler/bench/)."""

from __future__ import annotations


def _parts(text: str) -> tuple[str, ...]:
    import argparse

    from newscrawler.bench.run import PARTS

    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"{text!r}: choose from {', '.join(PARTS)} (comma-separated)")
    return parts


def cmd_bench(args) -> int:
    from newscrawler.bench.run import PARTS, BenchError, run
    from newscrawler.cli import CliError

    try:
        return run(args.only or PARTS, quick=args.quick)
    except BenchError as e:
        raise CliError(f"bench: {e}", code=1) from None


def add_parser(sub) -> None:
    b = sub.add_parser("bench", help="measure the site, the crawl, the parser and memory; check the targets")
    b.add_argument("--quick", action="store_true", help="small sizes, a quick check (figures are not meaningful)")
    b.add_argument("--only", type=_parts, default=None, metavar="PARTS",
                   help="site, crawl, parser and/or memory (comma-separated; default: all)")
    b.set_defaults(func=cmd_bench)
