"""``python -m newscrawler bench-archive``: the archive's cost (pages/s, disk) and reparse's speed and memory
(see newscrawler/bench/archive.py)."""

from __future__ import annotations

from newscrawler.argtypes import bounded_int, comma_choices

PARTS = ("speed", "memory")


def cmd_bench_archive(args) -> int:
    from newscrawler.bench.archive import run
    from newscrawler.bench.run import BenchError
    from newscrawler.cli import CliError

    try:
        return run(quick=args.quick, jobs=args.jobs, parts=args.only or PARTS)
    except BenchError as e:
        raise CliError(f"bench-archive: {e}", code=1) from None


def add_parser(sub) -> None:
    b = sub.add_parser("bench-archive", help="archive cost (pages/s, disk per 1,000 pages); reparse pages/s "
                                             "beside the crawl's and its memory on 10k and 50k pages")
    b.add_argument("--quick", action="store_true", help="small sizes, a quick check (figures are not meaningful)")
    b.add_argument("--jobs", type=bounded_int(1, 64, "--jobs"), default=None,
                   help="reparse worker processes (default: one per core)")
    b.add_argument("--only", type=comma_choices(PARTS), default=None, metavar="PARTS", help="speed and/or memory (default: both)")
    b.set_defaults(func=cmd_bench_archive)
