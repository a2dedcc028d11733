"""``python -m newscrawler``: the demo and the tools around the crawler.

One module per command in this package, each with ``add_parser(sub)`` that
registers its sub-command (``sub.add_parser(...)`` with ``func`` set); the
order of ``COMMAND_MODULES`` is the order ``--help`` lists them.

Every wrong argument or unreadable file ends with one line on stderr
(``newscrawler: error: ...``) and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys


class CliError(Exception):
    """A user error: printed as one line, exit code 2 (or ``code``)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise CliError(f"{self.prog}: error: {message}")


COMMAND_MODULES: list[str] = [
    "newscrawler.cli.demo",
    "newscrawler.cli.run",  # the cron wrapper
    "newscrawler.cli.render",
    "newscrawler.cli.merge",
    "newscrawler.cli.parse_document",
    "newscrawler.cli.serve",
    "newscrawler.cli.inspect",  # what the parser saw on one page; --suggest a profile
    "newscrawler.cli.seed",  # seed, status, clear: distributed crawls
    "newscrawler.cli.status",
    "newscrawler.cli.clear",
    "newscrawler.cli.reparse",
    "newscrawler.cli.report",
    "newscrawler.cli.export",  # run files -> a dataset
    "newscrawler.cli.eval",
    "newscrawler.cli.soak",
    "newscrawler.cli.bench",
    "newscrawler.cli.bench_js",
    "newscrawler.cli.bench_distributed",
    "newscrawler.cli.bench_export",
    "newscrawler.cli.bench_archive",
]


def build_parser() -> _Parser:
    p = _Parser(prog="newscrawler", description="Arabic news aggregator crawler: tools and demo.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
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
