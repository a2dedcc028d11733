"""``python -m newscrawler report FILE.jsonl... [--summary S.json ...] --out report.html``

Writes one self-contained HTML page about the given runs (see
``newscrawler/report.py``). A folder stands for all the run files in it.
"""

from __future__ import annotations


def cmd_report(args) -> int:
    from newscrawler.cli import CliError
    from newscrawler.report import ReportError, write_report

    try:
        data = write_report(args.files, args.out, summaries=args.summary or [], title=args.title)
    except ReportError as e:
        raise CliError(f"report: {e}") from None
    print(f"report: {args.out} ({data.records} records from {len(data.record_files)} files, "
          f"{len(data.summaries)} summaries)")
    return 0


def add_parser(sub) -> None:
    r = sub.add_parser("report", help="write an HTML report (charts) of crawled JSON Lines files")
    r.add_argument("files", nargs="+", metavar="FILE.jsonl",
                   help="record files (their .rejects.jsonl and .summary.json beside them are read too), or folders")
    r.add_argument("--summary", action="append", metavar="S.json", help="a run summary to include (repeatable)")
    r.add_argument("--out", required=True, help="the HTML file to write")
    r.add_argument("--title", default=None, help="the page title (default: تقرير الزحف)")
    r.set_defaults(func=cmd_report)
