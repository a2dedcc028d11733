"""Reading run files: which files, and their records, line by line, never silently.

``find_run_files(paths)`` takes files and folders: a folder stands for its finished
record files (``*.jsonl``); a run's ``*.rejects.jsonl`` and ``*.summary.json``, and the
``*.jsonl.part`` of a run still going (or killed: the next crawl in that folder finishes
it), are never read as records and are listed as skipped with the reason.

``read_lines(path)`` yields every line's byte offset and length with its record, or with
the reason it cannot be used (not JSON, not an object, not a valid record by the
record's JSON Schema): the caller reports and counts those.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from newscrawler.pipelines.validate import check

NOT_RECORDS = (".rejects.jsonl", ".summary.json")


@dataclass
class Skipped:
    path: Path
    why: str


def find_run_files(paths: list[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """(record files in name order, one per path; what was left out and why). Raises
    FileNotFoundError for a path that does not exist."""
    files: list[Path] = []
    skipped: list[Skipped] = []

    def consider(p: Path, explicit: bool) -> None:
        name = p.name
        if name.endswith(NOT_RECORDS):
            skipped.append(Skipped(p, "a rejects file" if name.endswith(".rejects.jsonl") else "a run summary"))
        elif name.endswith(".jsonl.part"):
            skipped.append(Skipped(p, "an unfinished run file (.part: the next crawl in its folder finishes it)"))
        elif name.endswith(".jsonl"):
            files.append(p)
        elif explicit:
            skipped.append(Skipped(p, "not a .jsonl run file"))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.iterdir()):
                if child.is_file():
                    consider(child, False)
        elif p.is_file():
            consider(p, True)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    seen, unique = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return sorted(unique, key=lambda f: (f.name, str(f))), skipped


def read_lines(path: Path):
    """Yield ``(line number, offset, length, record or None, problem or None)``."""
    offset = 0
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            length = len(line)
            start, offset = offset, offset + length
            if not line.strip():
                continue
            record, problem = parse_line(line)
            yield n, start, length, record, problem


def parse_line(line: bytes) -> tuple[dict | None, str | None]:
    """(record, None) for a valid record line, else (None, why)."""
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, f"not a JSON line ({getattr(e, 'msg', None) or e.reason})"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    problems = check(record)
    if problems:
        return None, "not a valid record: " + "; ".join(r for _, _, r in problems[:3])
    return record, None


def read_at(handles: dict, path: Path, offset: int, length: int) -> dict:
    """The record at ``offset`` of ``path`` (already known to be valid)."""
    fh = handles.get(path)
    if fh is None:
        fh = handles[path] = open(path, "rb")
    fh.seek(offset)
    return json.loads(fh.read(length))
