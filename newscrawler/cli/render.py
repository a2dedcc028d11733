"""``python -m newscrawler render``: each record of a JSON Lines file as a text document."""

from __future__ import annotations

from pathlib import Path

from newscrawler.cli import CliError

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


def add_parser(sub) -> None:
    r = sub.add_parser("render", help="write each record of a JSON Lines file as a text document")
    r.add_argument("file")
    r.add_argument("--out", required=True, help="folder for the <id>.txt documents")
    r.set_defaults(func=cmd_render)
