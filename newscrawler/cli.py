"""``python -m newscrawler``: the demo and the tools around the crawler.

Every wrong argument or unreadable file ends with one line on stderr
(``newscrawler: error: ...``) and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from newscrawler.argtypes import positive


class CliError(Exception):
    """A user error: printed as one line, exit code 2 (or ``code``)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise CliError(f"{self.prog}: error: {message}")


# ---------------------------------------------------------------- commands
def cmd_demo(args) -> int:
    from newscrawler.runner import LOCAL_SETTINGS, crawl
    from newscrawler.sample_site import RunningSite

    out = Path(args.output_dir)
    js = getattr(args, "js", False)
    if js:  # fail now with the install command, not inside the crawl
        from newscrawler.browser import BrowserNotFound, find_browser

        try:
            find_browser()
        except BrowserNotFound as e:
            raise CliError(f"demo --js: {e}") from None
    started = time.monotonic()
    with RunningSite(articles=args.articles, seed=args.seed, **({"js_articles": 30} if js else {})) as site:
        print(f"newscrawler demo: sample aggregator of {args.articles} articles at {site.url}"
              + (" with a JavaScript section of 30 articles at js/" if js else ""), flush=True)
        overrides = dict(LOCAL_SETTINGS, NEWSCRAWLER_OUTPUT_DIR=str(out))
        # full=1: the demo shows a whole crawl every time, whatever earlier demos stored
        spider_args = {"start_url": site.url, "full": "1"}
        if js:  # the JS section too; only the pages that need it go through Chromium
            spider_args.update(start_url=f"{site.url},{site.url}js/", render_js="auto")
        summary = crawl("kashaf", spider_args, overrides)
    took = time.monotonic() - started
    print_summary(summary, took)
    if js:
        r = summary.get("js") or {}
        print(f"browser:       {r.get('rendered', 0)} pages rendered in Chromium ({r.get('rendered/article', 0)} "
              f"articles, {r.get('rendered/listing', 0)} listing pages); every other page over plain HTTP", flush=True)
    output = summary.get("output_file")
    if output and Path(output).is_file():  # the crawl report, next to the run's .jsonl
        from newscrawler.report import write_report

        report = output[: -len(".jsonl")] + ".report.html"
        write_report([output], report)
        print(f"report: {report}", flush=True)
    return 0 if summary.get("finish_reason") == "finished" and summary.get("records") else 1


def print_summary(summary: dict, took: float | None = None) -> None:
    s = summary
    rejects = ", ".join(f"{k} {v}" for k, v in s.get("rejects_by_reason", {}).items()) or "none"
    lines = [
        f"finish reason: {s.get('finish_reason')}",
        f"pages fetched: {s.get('pages_fetched', 0)} ({s.get('article_pages', 0)} article pages,"
        f" {s.get('listing_pages', 0)} listing pages)",
        f"records:       {s.get('records', 0)}",
        f"rejects:       {s.get('rejects', 0)} ({rejects})",
        f"duplicates:    {s.get('duplicates', 0)}",
        f"http errors:   {s.get('http_errors') or 'none'}",
        f"monitors:      {_monitors_text(s.get('monitors'))}",
        f"output:        {s.get('output_file')}",
        f"rejects file:  {s.get('rejects_file')}",
        f"summary file:  {s.get('summary_file')}",
    ]
    if took is not None:
        lines.append(f"time taken:    {took:.1f} s")
    print("\n".join(lines), flush=True)


def _monitors_text(m) -> str:
    if not isinstance(m, dict):
        return "not run"
    failed = "; ".join(f"{f.get('monitor')}: {f.get('reason')}" for f in m.get("failures") or [])
    return f"{m.get('passed', 0)} passed, {m.get('failed', 0)} failed" + (f" ({failed})" if failed else "")


def cmd_render(args) -> int:
    from newscrawler.document import render
    from newscrawler.output import iter_records, safe_part

    src = Path(args.file)
    if not src.is_file():
        raise CliError(f"render: cannot read {src}: no such file")
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"render: cannot create {out}: {e.strerror or e}") from None
    count = 0
    try:
        for n, record in iter_records(src):
            if not isinstance(record, dict):
                raise CliError(f"render: {src}:{n}: not a JSON object")
            rid = record.get("id")
            name = safe_part(rid, 64) if isinstance(rid, str) and rid and safe_part(rid, 64) == rid else str(n)
            (out / f"{name}.txt").write_text(render(record), encoding="utf-8")
            count += 1
    except ValueError as e:
        raise CliError(f"render: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CliError(f"render: {getattr(e, 'strerror', None) or e}") from None
    print(f"{count} documents written to {out}")
    return 0


def cmd_parse_document(args) -> int:
    from newscrawler.document import parse

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CliError(f"parse-document: cannot read {args.file}: {getattr(e, 'strerror', None) or e}") from None
    try:
        record = parse(text, tz=args.tz)
    except ValueError as e:
        raise CliError(f"parse-document: {args.file}: {e}") from None
    print(json.dumps(record, ensure_ascii=False))
    return 0


def cmd_serve(args) -> int:
    from newscrawler.sample_site.__main__ import main as serve_main

    argv = ["--articles", str(args.articles), "--seed", str(args.seed), "--port", str(args.port)]
    return serve_main(argv)


# ---------------------------------------------------------------- parser
# Further commands live in their own modules, each with ``add_parser(sub)``
# that registers its sub-command (``sub.add_parser(...)`` with ``func`` set).
COMMAND_MODULES: list[str] = [
    "newscrawler.cli_run",  # run: the cron wrapper
    "newscrawler.cli_seed",  # seed, status, clear: distributed crawls
    "newscrawler.cli_report",
    "newscrawler.cli_eval",
    "newscrawler.cli_soak",
    "newscrawler.cli_bench",
    "newscrawler.cli_bench_js",
    "newscrawler.cli_bench_distributed",
]


def build_parser() -> _Parser:
    p = _Parser(prog="newscrawler", description="Arabic news aggregator crawler: tools and demo.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    d = sub.add_parser("demo", help="serve the sample aggregator locally, crawl it, print a summary")
    d.add_argument("--articles", type=positive, default=300, help="articles on the sample site (default 300)")
    d.add_argument("--seed", type=int, default=1, help="sample site seed (default 1)")
    d.add_argument("--output-dir", default="data", help="where the JSON Lines go (default data/)")
    d.add_argument("--js", action="store_true", help="add a JavaScript section, rendered in Chromium (render_js=auto)")
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("render", help="write each record of a JSON Lines file as a text document")
    r.add_argument("file")
    r.add_argument("--out", required=True, help="folder for the <id>.txt documents")
    r.set_defaults(func=cmd_render)

    pd = sub.add_parser("parse-document", help="print the record of a text document as one JSON line")
    pd.add_argument("file")
    pd.add_argument("--tz", default=None, help="the site's time zone, e.g. Asia/Riyadh (default: none)")
    pd.set_defaults(func=cmd_parse_document)

    s = sub.add_parser("serve", help="serve the sample aggregator on 127.0.0.1 until interrupted")
    s.add_argument("--articles", type=positive, default=300)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            raise CliError("newscrawler: error: a command is needed; see python -m newscrawler --help")
        return args.func(args)
    except CliError as e:
        msg = str(e)
        print(msg if msg.startswith("newscrawler") else f"newscrawler: error: {msg}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print("newscrawler: interrupted", file=sys.stderr)
        return 130
