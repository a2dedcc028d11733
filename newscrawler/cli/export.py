"""``python -m newscrawler export DATA... --out DIR``: run files -> one dataset.

One row per article id (the latest crawl wins), sorted by publication date, with its
language and its cluster of syndicated copies, in zstd Parquet shards (or JSON Lines),
with ``stats.json`` and a dataset card ``README.md`` (see ``newscrawler/dataset/``).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date

from newscrawler.argtypes import bounded_float

_LANG = re.compile(r"^[a-z]{2}$")


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _langs(text: str) -> list[str]:
    from newscrawler.dataset.language import CANDIDATES

    codes = [c.strip() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if not _LANG.match(c)]
    if not codes or bad:
        raise argparse.ArgumentTypeError(f"{text!r}: give ISO 639-1 codes, e.g. ar or ar,fa")
    known = sorted(set(CANDIDATES.values()))
    unknown = [c for c in codes if c not in known]  # no record is ever detected as one of these
    if unknown:
        raise argparse.ArgumentTypeError(f"{text!r}: {', '.join(unknown)} is not among the languages told apart "
                                         f"(newscrawler/dataset/language.py): {', '.join(known)}")
    return codes


def cmd_export(args) -> int:
    from newscrawler.cli import CliError
    from newscrawler.dataset.export import ExportError, Options, export

    if args.since and args.until and args.since > args.until:
        raise CliError(f"export: --since {args.since} is after --until {args.until}")
    given = {k: v for k, v in (("threshold", args.threshold), ("window_days", args.window_days)) if v is not None}
    opts = Options(out=args.out, format=args.format, since=args.since, until=args.until, shard_by=args.shard_by,
                   lang=args.lang or [], drop_near_duplicates=args.drop_near_duplicates, **given)  # else Options' defaults

    def report(line: str) -> None:
        print(f"newscrawler export: {line}", file=sys.stderr)

    try:
        stats = export(args.data, opts, report)
    except (ExportError, FileNotFoundError) as e:
        raise CliError(f"export: {e}") from None
    except OSError as e:
        raise CliError(f"export: {e.filename or ''}: {e.strerror or e}", code=1) from None
    r, c = stats["reading"], stats["clusters"]
    print(f"export: {stats['rows']} rows in {len(stats['files'])} {opts.format} file(s) under {args.out} "
          f"(+ stats.json, README.md)")
    print(f"read:   {r['records']} records in {r['files']} files, {r['bad_lines']} unreadable lines skipped, "
          f"{r['superseded']} older crawls of the same id replaced, {r['same_story']} more copies of a story "
          f"left out, {len(r['skipped_files'])} files not read")
    print(f"kept:   {r['outside_dates']} outside the dates, {r['other_lang']} in other languages left out")
    print(f"copies: {c['clusters']} clusters of syndicated copies ({c['rows_in_clusters']} rows, threshold "
          f"{c['threshold']}); {c['dropped']} near duplicates dropped")
    print(f"time:   {stats['seconds']} s")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="build a dataset (Parquet + dataset card) from run files")
    p.add_argument("data", nargs="+", metavar="DATA", help="run files (*.jsonl) or folders of them")
    p.add_argument("--out", required=True, help="a new (or empty) folder for the dataset")
    p.add_argument("--format", choices=("parquet", "jsonl"), default="parquet")
    p.add_argument("--since", type=_day, help="keep articles published on or after this day (YYYY-MM-DD, the page's date)")
    p.add_argument("--until", type=_day, help="keep articles published on or before this day")
    p.add_argument("--shard-by", choices=("month", "none"), default="month",
                   help="one file series per publication month (default) or one for all")
    p.add_argument("--lang", type=_langs, help="keep only these languages (ISO 639-1, comma-separated), e.g. ar")
    p.add_argument("--drop-near-duplicates", action="store_true",
                   help="keep only the earliest article of each cluster of syndicated copies")
    p.add_argument("--threshold", type=bounded_float(0.1, 1.0, "threshold"), default=None,
                   help="Jaccard estimate from which two bodies are copies (default 0.7)")
    p.add_argument("--window-days", type=bounded_float(0, 36500, "window"), default=None,
                   help="look for copies among the articles published this many days before (default 7; 0: all)")
    p.set_defaults(func=cmd_export)
