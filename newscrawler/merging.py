"""Reading run files back, and merging them: one record per ``id`` (the latest
crawl wins), one reject line per ``url`` + ``reason``.

A distributed crawl guarantees every article *at least* once: a worker killed
between its write and the confirmation of its claim leaves a line that another
worker writes again (same ``id``), and a page re-fetched after a crash can add
its reject line twice. Merging makes those repeats harmless. The pieces are
separate so that any command reading many runs' files can reuse them:

* :func:`run_files` - the record (or reject) files among folders and files;
* :func:`read_lines` - their lines as dicts, streamed, unreadable lines reported;
* :func:`latest` - one entry per key, the latest ``crawled_at`` winning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

RECORDS, REJECTS = "records", "rejects"
_SUFFIXES = {RECORDS: (".jsonl", ".jsonl.part"), REJECTS: (".rejects.jsonl", ".rejects.jsonl.part")}


def kind_of(path: Path) -> str | None:
    """``records``, ``rejects`` or None (not a run's JSON Lines file), from the name."""
    name = Path(path).name
    if name.endswith(_SUFFIXES[REJECTS]):
        return REJECTS
    if name.endswith(_SUFFIXES[RECORDS]):
        return RECORDS
    return None


@dataclass
class Skipped:
    path: Path
    why: str


def run_files(inputs: Iterable[str | Path], kind: str = RECORDS, exclude: Iterable[Path] = (),
              parts: bool = True, skipped: list | None = None) -> list[Path]:
    """The files of ``kind`` among ``inputs``: a folder gives its own run files
    (not its sub-folders), a named file is taken when its name is a run file's
    (``.jsonl``, ``.rejects.jsonl``, and their ``.part``). ``.jsonl.part`` files (a run going on, or killed: their lines
    are whole) are included unless ``parts`` is False. Each file once, in input
    order then name order (run files' names start with their start time).
    ``skipped``, when given, gets a :class:`Skipped` for every file left out of a
    folder or named and not taken. Raises FileNotFoundError for an input that
    does not exist."""
    skip = {Path(p).resolve() for p in exclude}
    found: list[Path] = []

    def leave(p: Path, why: str) -> None:
        if skipped is not None:
            skipped.append(Skipped(p, why))

    def consider(p: Path, named: bool) -> None:
        k = kind_of(p)
        if k is None:
            if p.name.endswith(".summary.json"):
                leave(p, "a run summary")
            elif named:
                leave(p, "not a .jsonl run file")
            return
        if k != kind:
            leave(p, "a rejects file" if k == REJECTS else "a records file")
        elif not parts and p.name.endswith(".part"):
            leave(p, "an unfinished run file (.part: the next crawl in its folder finishes it)")
        else:
            found.append(p)

    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.iterdir()):
                if p.is_file():
                    consider(p, False)
        elif path.is_file():
            consider(path, True)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    files = []
    for p in found:
        r = p.resolve()
        if r not in seen and r not in skip:
            seen.add(r)
            files.append(p)
    return files


def instant(value) -> float:
    """A record's ``crawled_at`` (or any ISO date) as seconds since the epoch, for
    comparing crawls (a text comparison puts ``…35.5Z`` before ``…35Z``); -inf
    when missing or unreadable."""
    from datetime import datetime, timezone

    try:
        dt = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return float("-inf")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


@dataclass
class Problems:
    """Lines that could not be used: how many, and the first few (``path:line: why``)."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, where: str) -> None:
        self.count += 1
        if len(self.examples) < 5:
            self.examples.append(where)


def read_lines(paths: Iterable[Path], problems: Problems, required: tuple[str, ...] = ()) -> Iterator[dict]:
    """Every JSON object line of ``paths``, in order, streamed. A line that is not
    a JSON object (or not UTF-8), or lacks one of ``required``, is counted in ``problems``."""
    from newscrawler.output import iter_records

    for path in paths:
        for n, data in iter_records(path, on_error=problems.add):
            if not isinstance(data, dict):
                problems.add(f"{path}:{n}: not a JSON object")
                continue
            missing = [k for k in required if not data.get(k)]
            if missing:
                problems.add(f"{path}:{n}: no {', '.join(missing)}")
                continue
            yield data


@dataclass
class Merged:
    entries: dict          # key -> the kept line, in the order keys first appeared
    read: int = 0          # lines read
    replaced: int = 0      # lines of a key seen before (kept or dropped in favour of a later crawl)

    @property
    def kept(self) -> int:
        return len(self.entries)


def latest(lines: Iterable[dict], key: Callable[[dict], object]) -> Merged:
    """One line per ``key(line)``: the one with the latest ``crawled_at``; on a
    tie (or without ``crawled_at``), the one read last."""
    merged = Merged({})
    for line in lines:
        merged.read += 1
        k = key(line)
        old = merged.entries.get(k)
        if old is not None:
            merged.replaced += 1
            if instant(old.get("crawled_at")) > instant(line.get("crawled_at")):
                continue
        merged.entries[k] = line
    return merged


def same_stories(merged: Merged) -> int:
    """Drop from ``merged`` (records, one per id) the copies of a story that another kept record
    already is: the same outlet and headline published within the crawl's default window, as its
    de-duplicator judges them (two runs may each have kept another copy: a ``full=1`` run). Of a
    story's copies the one of the latest crawl stays; returns how many were dropped."""
    from newscrawler.pipelines.dedupe import _epoch, later_copies, story_key

    copies = []
    for rid, r in merged.entries.items():
        when = _epoch(r.get("published_at")) if r.get("source") and r.get("title") else None
        if when is not None:
            copies.append((story_key(r), when, instant(r.get("crawled_at")), rid))
    dropped = later_copies(copies)
    for rid in dropped:
        del merged.entries[rid]
    return len(dropped)


def record_key(record: dict) -> str:
    return record["id"]


def reject_key(reject: dict) -> tuple:
    return reject["url"], reject["reason"]
