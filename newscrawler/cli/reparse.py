"""``python -m newscrawler reparse ARCHIVE... (--spider NAME | --profile FILE) --out DIR``:
the dataset again from WARC archives, with today's parser and no network (see newscrawler/reparse.py)."""

from __future__ import annotations

import os
import sys

from newscrawler.argtypes import bounded_int, name_value
from newscrawler.cli import CliError


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def cmd_reparse(args) -> int:
    from newscrawler.cli.demo import print_summary
    from newscrawler.reparse import ReparseError, reparse

    try:
        summary = reparse(args.archives, args.out, spider=args.spider, profile=args.profile,
                          arguments=dict(args.a), overrides=dict(args.s), jobs=args.jobs)
    except ReparseError as e:
        raise CliError(f"reparse: {e}") from None
    for problem in summary["problems"]:  # one line per unreadable part; the rest was used
        print(f"newscrawler: reparse: warning: {problem.line()}", file=sys.stderr, flush=True)
    for note in summary["notes"]:
        print(f"newscrawler: reparse: warning: {note}", file=sys.stderr, flush=True)
    a = summary.get("archive") or {}
    unmatched = a.get("pages_without_metadata", 0)
    print(f"archive:       {len(a.get('files') or [])} files, {a.get('responses', 0)} responses "
          f"({a.get('handed_on', 0)} to the spider, {a.get('robots', 0)} robots.txt, "
          f"{a.get('not_handed_on', 0) - unmatched} redirects or retried"
          + (f", {unmatched} page(s) that no metadata record names" if unmatched else "") + "), "
          f"{a.get('problem_count', 0)} unreadable parts", flush=True)
    print_summary(summary)
    failed = (summary.get("monitors") or {}).get("failed") or 0  # e.g. no record at all
    ok = summary.get("finish_reason") == "finished" and not summary["problems"] and not summary["notes"] \
        and not failed
    return 0 if ok else 1


def add_parser(sub) -> None:
    p = sub.add_parser(
        "reparse", help="rebuild records, rejects and a summary from WARC archives, with no network",
        description="Run the spider's page parser, item loader and pipelines over archived responses "
                    "(see NEWSCRAWLER_ARCHIVE). Exit 0: done; 1: some part of an archive was unreadable "
                    "(every readable record was used), a monitor failed (e.g. no record) or the run did not "
                    "finish; 2: a wrong argument.")
    p.add_argument("archives", nargs="+", metavar="ARCHIVE", help=".warc.gz/.warc files, or folders of them")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--spider", help="the spider whose parser and pipelines to use, e.g. kashaf")
    which.add_argument("--profile", metavar="FILE", help="a profile file (e.g. a newer version of a site's profile)")
    p.add_argument("--out", required=True, metavar="DIR", help="where the run files go")
    p.add_argument("-a", action="append", default=[], type=name_value, metavar="NAME=VALUE",
                   help="spider argument, over the one the archive kept (e.g. -a since=2026-11-01)")
    p.add_argument("-s", action="append", default=[], type=name_value, metavar="NAME=VALUE", help="Scrapy setting")
    p.add_argument("--jobs", type=bounded_int(1, 64, "--jobs"), default=default_jobs(),
                   help="processes that parse pages (default: one per core, here %(default)s; 1: all in this process)")
    p.set_defaults(func=cmd_reparse)
