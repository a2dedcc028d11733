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
from pathlib import Path

from newscrawler.merging import RECORDS, run_files
from newscrawler.output import iter_lines
from newscrawler.pipelines.validate import check


def find_run_files(paths: list[str | Path]) -> tuple[list[Path], list]:
    """(record files, one per path, in name order; what was left out and why: ``merging.Skipped``):
    finished record files only. Raises FileNotFoundError for a path that does not exist."""
    skipped: list = []
    files = run_files(paths, RECORDS, parts=False, skipped=skipped)
    return sorted(files, key=lambda f: (f.name, str(f))), skipped


def read_lines(path: Path):
    """Yield ``(line number, offset, length, record or None, problem or None)``
    (``output.iter_lines``, then each value checked as a record)."""
    for n, start, length, value, problem in iter_lines(path):
        if problem is None:
            value, problem = valid_record(value)
        yield n, start, length, value, problem


def valid_record(value) -> tuple[dict | None, str | None]:
    """(record, None) for a valid record, else (None, why)."""
    if not isinstance(value, dict):
        return None, "not a JSON object"
    problems = check(value)
    if problems:
        return None, "not a valid record: " + "; ".join(r for _, _, r in problems[:3])
    return value, None


def read_at(handles: dict, path: Path, offset: int, length: int) -> dict:
    """The record at ``offset`` of ``path`` (already known to be valid)."""
    fh = handles.get(path)
    if fh is None:
        fh = handles[path] = open(path, "rb")
    fh.seek(offset)
    return json.loads(fh.read(length))
