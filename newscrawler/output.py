"""Crash-safe JSON Lines files.

A line is written with one ``os.write`` of the whole encoded line, so a
killed process leaves whole lines behind; a failed write (a full disk) is
rolled back with ``ftruncate`` so the file never keeps half a line. A file
being written is named ``*.part`` and holds an exclusive ``flock``; when the
run ends it is renamed to its final name. ``recover()`` turns the ``.part``
files of dead runs (no lock held) into finished files, cutting any partial
last line; one without a single whole line is removed.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def safe_part(text: str, limit: int = 40) -> str:
    """A file-name fragment that cannot leave its folder."""
    cleaned = _SAFE.sub("-", str(text)).strip(".-")[:limit]
    return cleaned or "x"


def dumps(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode("utf-8")


def append_whole(fd: int, data: bytes, size: int) -> int:
    """Append ``data`` to the file open as ``fd`` (``O_APPEND``, ``size`` bytes
    long) with one ``os.write`` (more only after a short write); on failure
    cut the file back to ``size`` and raise. Returns the new size."""
    view = memoryview(data)
    try:
        while view:
            n = os.write(fd, view)
            view = view[n:]
    except OSError:
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass
        raise
    return size + len(data)


def sync_close(fd: int) -> None:
    """``fsync`` (as far as the file system allows) and close."""
    try:
        os.fsync(fd)
    except OSError:
        pass
    os.close(fd)


def run_name(crawler) -> str:
    """``<spider>-<UTC start>[-<worker>]-<run id>``: the name every file of a run
    starts with (records, rejects, summary, archive), made from safe parts only,
    once per crawl."""
    stats = crawler.stats
    name = stats.get_value("newscrawler/run_name")
    if not name:
        settings = crawler.settings
        parts = [safe_part(crawler.spider.name), datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")]
        if settings.get("NEWSCRAWLER_WORKER_ID"):
            parts.append(safe_part(settings.get("NEWSCRAWLER_WORKER_ID")))
        parts.append(safe_part(settings.get("NEWSCRAWLER_RUN_ID") or secrets.token_hex(3)))
        name = "-".join(parts)
        stats.set_value("newscrawler/run_name", name)
    return name


class JsonLinesFile:
    def __init__(self, path: Path):
        self.final_path = Path(path)
        self.path = self.final_path.with_name(self.final_path.name + ".part")
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.size = os.fstat(self.fd).st_size
        self.lines = 0

    def write(self, record: dict) -> None:
        self.write_bytes(dumps(record))

    def write_bytes(self, data: bytes) -> None:
        self.size = append_whole(self.fd, data, self.size)
        self.lines += 1

    def close(self, keep_empty: bool = True) -> Path | None:
        if self.fd is None:
            return self.final_path
        sync_close(self.fd)
        self.fd = None
        if not keep_empty and self.lines == 0 and self.size == 0:
            self.path.unlink(missing_ok=True)
            return None
        os.replace(self.path, self.final_path)
        return self.final_path


def dead_files(folder: Path, pattern: str):
    """Yield ``(path, fd)`` for each file of ``folder`` matching ``pattern`` that no
    live run holds (``flock``): ``fd`` is open read-write and locked until the
    next file is asked for."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for path in sorted(folder.glob(pattern)):
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    continue  # a live run is writing it
                raise
            yield path, fd
        finally:
            os.close(fd)


def recover(folder: Path) -> list[Path]:
    """Finish the ``.part`` files left by runs that died; returns them."""
    done = []
    for part, fd in dead_files(folder, "*.jsonl.part"):
        size = os.fstat(fd).st_size
        keep = _last_newline_end(fd, size)
        if keep == 0:  # not one whole line: nothing to keep (no empty .jsonl left behind)
            part.unlink()
            continue
        if keep < size:
            os.ftruncate(fd, keep)
        final = part.with_name(part.name[: -len(".part")])
        os.replace(part, final)
        done.append(final)
    return done


def _last_newline_end(fd: int, size: int) -> int:
    """Offset just after the last ``\\n`` in the file (0 when none)."""
    pos = size
    chunk = 65536
    while pos > 0:
        start = max(0, pos - chunk)
        data = os.pread(fd, pos - start, start)
        i = data.rfind(b"\n")
        if i >= 0:
            return start + i + 1
        pos = start
    return 0


def not_a_folder(folder: Path) -> Path | None:
    """The file that stands where ``folder`` or one of its parents should be, or None (what
    mkdir's "File exists" or "Not a directory" means)."""
    for p in (Path(folder), *Path(folder).parents):
        if p.exists():
            return None if p.is_dir() else p
    return None


def folder_error(folder: Path, e: OSError) -> str:
    """Why ``folder`` cannot be made, in words: a file in the way, or the system's reason."""
    blocker = not_a_folder(folder)
    return f"{blocker} is a file, not a folder" if blocker is not None else (e.strerror or str(e))


def check_writable(folder: Path, what: str = "output folder") -> None:
    """Raise ``OSError`` with a clear message unless files can be created in ``folder``."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OSError(f"cannot create {what} {folder}: {folder_error(folder, e)}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OSError(f"{what} {folder} is not writable")
    probe = folder / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise OSError(f"cannot write in {what} {folder}: {e.strerror or e}") from None


def write_json_atomic(path: Path, data) -> None:
    """Write ``data`` as pretty UTF-8 JSON: a temporary file, then a rename,
    so a reader never sees half a file. Raises ``OSError``."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def iter_lines(path: Path):
    """Yield ``(line number, byte offset, byte length, value, problem)`` for every
    non-blank line of a JSON Lines file: ``value`` is the decoded JSON, or None
    with ``problem`` saying why (``not a JSON line (…)``). The one reader of
    run files: ``iter_records``, ``merge`` and ``export`` build on it."""
    offset = 0
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            length = len(line)
            start, offset = offset, offset + length
            if not line.strip():
                continue
            try:
                yield n, start, length, json.loads(line.decode("utf-8")), None
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                why = e.msg if isinstance(e, json.JSONDecodeError) else "not UTF-8"
                yield n, start, length, None, f"not a JSON line ({why})"


def iter_records(path: Path, on_error=None):
    """Yield (line number, value) of a JSON Lines file. A line that is not JSON
    raises ValueError, or, with ``on_error``, is passed to it as one message
    (``path:line: why``) and skipped."""
    for n, _offset, _length, value, problem in iter_lines(path):
        if problem is not None:
            message = f"{path}:{n}: {problem}"
            if on_error is None:
                raise ValueError(message)
            on_error(message)
            continue
        yield n, value
