"""Reading WARC archives back, record by record, through any damage.

A ``.warc.gz`` is a sequence of gzip members, one record each (what
``extensions/archive.py`` writes, and what every web-archiving tool expects).
:func:`read_archive` decompresses member by member and parses each record with
warcio. A member that does not decompress (a corrupt part) is skipped and
reading goes on at the next gzip header; a file that ends inside a member (a
cut file) stops there. Each bad part becomes one :class:`Problem` (file,
byte range, why, records read before it), so that nothing is skipped silently.
An uncompressed ``.warc`` is read with warcio's own iterator.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecordLoader
from warcio.timeutils import iso_date_to_datetime

GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 1 << 20  # bytes read from the file at a time
FEED = 1 << 14  # bytes given to the decompressor at a time (what it does not use it copies)


class NotAnArchive(ValueError):
    """The file is neither a gzipped nor a plain WARC file (one line)."""


@dataclass
class Problem:
    path: str
    start: int
    end: int
    reason: str
    records_before: int = 0
    records_after: int = 0

    def line(self) -> str:
        return (f"{self.path}: bytes {self.start}-{self.end} unreadable ({self.reason}); "
                f"{self.records_before} records before it and {self.records_after} after it were read")

    def as_dict(self) -> dict:
        return {"file": self.path, "start": self.start, "end": self.end, "reason": self.reason,
                "records_before": self.records_before, "records_after": self.records_after}


@dataclass(slots=True)
class Record:
    """One WARC record, parsed: ``http`` is warcio's StatusAndHeaders (or None)."""

    type: str
    headers: object  # warcio StatusAndHeaders of the WARC header block
    http: object
    body: bytes
    path: str
    offset: int

    def header(self, name: str, default=None):
        return self.headers.get_header(name, default)

    @property
    def id(self) -> str | None:
        return self.header("WARC-Record-ID")

    @property
    def url(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> datetime | None:
        value = self.header("WARC-Date")
        if not value:
            return None
        try:
            return iso_date_to_datetime(value).replace(tzinfo=timezone.utc)
        except ValueError:
            return None


def check_archive(path: Path) -> None:
    """Raise NotAnArchive (or OSError) unless ``path`` starts like a WARC file (gzipped: its
    first bytes once decompressed)."""
    with open(path, "rb") as fh:
        head = fh.read(FEED)
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 16)
        except zlib.error:
            return  # a damaged first record: reading says where, and goes on to the next one
        if head and not head.startswith(b"WARC/"):
            raise NotAnArchive(f"{path} is gzip data but not a WARC file (.warc.gz or .warc)")
    elif not head.startswith(b"WARC/"):
        raise NotAnArchive(f"{path} is not a WARC file (.warc.gz or .warc)")


@dataclass
class _Cursor:
    """A window on the file: ``buf`` holds the bytes from file offset ``base``; ``pos`` indexes it."""

    fh: object
    buf: bytes = b""
    base: int = 0
    pos: int = 0
    eof: bool = False

    def more(self) -> bool:
        if self.eof:
            return False
        data = self.fh.read(CHUNK)
        if not data:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + data
        self.base += self.pos
        self.pos = 0
        return True

    @property
    def offset(self) -> int:
        return self.base + self.pos

    def seek_magic(self, after: int) -> bool:
        """Move to the next gzip header at or after file offset ``after``; False at the end."""
        while True:
            start = max(after - self.base, self.pos)
            i = self.buf.find(GZIP_MAGIC, start)
            if i >= 0:
                self.pos = i
                return True
            self.pos = max(self.pos, len(self.buf) - len(GZIP_MAGIC) + 1)
            if not self.more():
                self.pos = len(self.buf)
                return False


@dataclass
class _Reading:
    """The problems of one file as it is read; adjacent bad parts are one problem."""

    path: str
    problems: list
    records: int = 0
    mine: list = field(default_factory=list)
    open_problem: Problem | None = None

    def bad(self, start: int, end: int, reason: str) -> None:
        if self.open_problem is None:
            self.open_problem = Problem(self.path, start, end, reason, self.records)
            self.mine.append(self.open_problem)
            self.problems.append(self.open_problem)
        else:
            self.open_problem.end = max(self.open_problem.end, end)

    def good(self) -> None:
        self.records += 1
        self.open_problem = None

    def finish(self) -> None:
        for p in self.mine:
            p.records_after = self.records - p.records_before


def _members(fh, reading: _Reading):
    """Yield (file offset, uncompressed bytes) of each gzip member that decompresses."""
    cur = _Cursor(fh)
    while True:
        if cur.pos >= len(cur.buf) and not cur.more():
            return
        start = cur.offset
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out = []
        try:
            while True:
                if cur.pos >= len(cur.buf) and not cur.more():
                    end = cur.offset
                    reading.bad(start, end, "the file ends inside a record: it was cut, or its run was killed mid-write")
                    return
                piece = cur.buf[cur.pos:cur.pos + FEED]
                out.append(d.decompress(piece))
                if d.eof:
                    cur.pos += len(piece) - len(d.unused_data)
                    break
                cur.pos += len(piece)
        except zlib.error as e:
            cur.pos = max(0, start + 1 - cur.base)
            found = cur.seek_magic(start + 1)
            reading.bad(start, cur.offset if found else cur.base + len(cur.buf), f"not valid gzip data: {e}")
            continue
        yield start, b"".join(out)


def _parse(loader: ArcWarcRecordLoader, data: bytes, path: str, offset: int, skip_requests: bool):
    """The records in one member's bytes (one, for every file written here)."""
    while data:
        if skip_requests and b"WARC-Type: request\r\n" in data[:600]:
            return  # request records are not needed to rebuild the dataset
        stream = io.BytesIO(data)
        rec = loader.parse_record_stream(stream)
        body = rec.raw_stream.read()
        yield Record(rec.rec_type, rec.rec_headers, rec.http_headers, body, path, offset)
        data = data[stream.tell():].lstrip(b"\r\n")


def read_archive(path: Path, problems: list, skip_requests: bool = True):
    """Yield every readable :class:`Record` of one WARC file; bad parts go to ``problems``."""
    path = Path(path)
    name = str(path)
    reading = _Reading(name, problems)
    loader = ArcWarcRecordLoader(verify_http=False, arc2warc=False)
    try:
        with open(path, "rb") as fh:
            if not fh.read(2) == GZIP_MAGIC[:2]:
                fh.seek(0)
                yield from _plain(fh, reading, skip_requests)
                return
            fh.seek(0)
            for offset, data in _members(fh, reading):
                try:
                    for record in _parse(loader, data, name, offset, skip_requests):
                        reading.good()
                        yield record
                except Exception as e:  # warcio's parse errors, a bad length: the member is no WARC record
                    reading.bad(offset, offset + 1, f"not a WARC record: {type(e).__name__}: {str(e)[:120]}")
    finally:
        reading.finish()


def _plain(fh, reading: _Reading, skip_requests: bool):
    """An uncompressed .warc: warcio's iterator; damage ends the file."""
    it = ArchiveIterator(fh, arc2warc=False)
    offset = 0
    try:
        for rec in it:
            # the body first: warcio's get_record_offset() reads the record to its end, leaving no body
            body = rec.raw_stream.read()
            offset = it.get_record_offset()
            if skip_requests and rec.rec_type == "request":
                continue
            reading.good()
            yield Record(rec.rec_type, rec.rec_headers, rec.http_headers, body, reading.path, offset)
    except Exception as e:
        size = fh.seek(0, io.SEEK_END)
        reading.bad(offset, size, f"not a WARC record: {type(e).__name__}: {str(e)[:120]}")


def read_record_at(path: Path, offset: int) -> Record:
    """The record whose gzip member starts at ``offset`` of ``path`` (ValueError when none)."""
    loader = ArcWarcRecordLoader(verify_http=False, arc2warc=False)
    with open(path, "rb") as fh:
        fh.seek(offset)
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        out = []
        while not d.eof:
            chunk = fh.read(FEED)
            if not chunk:
                raise ValueError(f"{path}: the record at byte {offset} is cut short")
            try:
                out.append(d.decompress(chunk))
            except zlib.error as e:
                raise ValueError(f"{path}: byte {offset}: not valid gzip data: {e}") from None
    for record in _parse(loader, b"".join(out), str(path), offset, skip_requests=False):
        return record
    raise ValueError(f"{path}: no WARC record at byte {offset}")
