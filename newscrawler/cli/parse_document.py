"""``python -m newscrawler parse-document``: a text document back to one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

from newscrawler.argtypes import time_zone
from newscrawler.cli import CliError


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


def add_parser(sub) -> None:
    pd = sub.add_parser("parse-document", help="print the record of a text document as one JSON line")
    pd.add_argument("file")
    pd.add_argument("--tz", type=time_zone, default=None, help="the site's time zone, e.g. Asia/Riyadh (default: none)")
    pd.set_defaults(func=cmd_parse_document)
