"""The seen-store: which articles earlier runs have already handled.

One SQLite file per spider and site, ``<NEWSCRAWLER_STATE_DIR>/<spider>-<site>.sqlite3``
(default state folder: ``.state/`` inside ``NEWSCRAWLER_OUTPUT_DIR``; ``<site>``:
the host names of the start URLs, see ``site_key``), in WAL mode, one commit
per entry so that a killed run loses nothing it wrote. Keyed by site because
what a crawl of one host stored says nothing about another host: the same
spider crawling two aggregators (or the sample site of ``make demo`` and a
real one) into one output folder never has one's articles skipped as the
other's.

An entry is keyed by the record id (SHA-1 of the canonical url) and keeps a
content hash of title and body, the publication date, the url, the status
(``written``; ``rejected`` and ``duplicate`` for articles that were read and
deliberately not written) and when it was first and last seen. The store also
keeps one row per run (its output file and how it ended), so that the next run
knows whether the previous one finished and can take over the records of a
killed run from its recovered file.

The interface is small on purpose (``has``, ``status``, ``add``,
``find_story``, run bookkeeping, ``close``): a Redis-backed store for
distributed crawls can implement the same methods.

A missing, unreadable or corrupted file never stops a crawl: the bad file is
moved aside with a clear warning and the run is a full run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from newscrawler.output import safe_part

logger = logging.getLogger(__name__)

WRITTEN, REJECTED, DUPLICATE = "written", "rejected", "duplicate"

BOUNDED = "bounded"  # a run that finished but left older articles out on purpose (since=, max_pages=)


def finish_word(spider, reason: str) -> str:
    """How a run ended, for the next run to read: ``finished`` only when nothing was left out
    on purpose (with ``since=`` or ``max_pages=`` older articles were never fetched: ``bounded``,
    and the next run reads every chain again, as after a killed run)."""
    if reason == "finished" and (getattr(spider, "since", None) is not None
                                 or getattr(spider, "max_pages", None) is not None):
        return BOUNDED
    return reason


_SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    id TEXT PRIMARY KEY,
    url TEXT,
    content_hash TEXT,
    published_at TEXT,
    status TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS seen_hash ON seen(content_hash);
CREATE TABLE IF NOT EXISTS runs (
    output_file TEXT PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    reason TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
SCHEMA_VERSION = "1"


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def content_hash(title: str | None, body: str | None) -> str:
    data = f"{' '.join((title or '').split())}\n{body or ''}".encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).hexdigest()


def site_key(urls) -> str:
    """The site of a crawl in state file names: the start URLs' host names
    (lower-cased, no port: a local server's port changes from run to run),
    sorted and joined with ``+``; a long or non-ASCII key is shortened with a
    hash so that it stays a safe, distinct file name."""
    hosts = set()
    for u in urls or ():
        try:
            hosts.add((urlsplit(str(u).strip()).hostname or "").lower())
        except ValueError:
            continue
    key = "+".join(sorted(hosts - {""})) or "no-host"
    if len(key) > 60 or safe_part(key, 60) != key:
        key = f"{safe_part(key, 40)}-{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
    return key


def state_dir(settings) -> Path:
    explicit = settings.get("NEWSCRAWLER_STATE_DIR")
    if explicit:
        return Path(explicit)
    return Path(settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data") / ".state"


class SeenStore:
    """SQLite seen-store of one spider. ``path=None`` keeps it in memory only."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path is not None else None
        self.problem: str | None = None  # why this run is a full run (missing/corrupt file)
        self.persistent = True
        self.db = self._open()
        self.previous_run = self._last_run()
        self.entries = self.count()

    # ------------------------------------------------------------ opening
    def _connect(self, target: str) -> sqlite3.Connection:
        db = sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if row is None:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif row[0] != SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"unknown schema version {row[0]!r}")
        if target != ":memory:":
            check = db.execute("PRAGMA quick_check").fetchone()
            if not check or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check[0] if check else '?'}")
        return db

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            self.persistent = False
            return self._connect(":memory:")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            return self._memory(f"cannot create the state folder {self.path.parent}: {e.strerror or e}")
        if not self.path.exists():
            self.problem = f"no state file {self.path} yet"
            logger.warning("incremental: %s: this run is a full run", self.problem)
        try:
            return self._connect(str(self.path))
        except (sqlite3.DatabaseError, OSError) as e:
            aside = self._move_aside()
            self.problem = f"state file {self.path} is unusable ({e})"
            where = f"; moved it to {aside}" if aside else ""
            logger.warning("incremental: %s%s: this run is a full run", self.problem, where)
            try:
                return self._connect(str(self.path))
            except (sqlite3.DatabaseError, OSError) as e2:
                return self._memory(f"cannot create the state file {self.path}: {e2}")

    def _memory(self, why: str) -> sqlite3.Connection:
        self.problem = why
        self.persistent = False
        logger.warning("incremental: %s: this run is a full run and its state is not kept", why)
        return self._connect(":memory:")

    def _move_aside(self) -> Path | None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        moved = None
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                try:
                    os.replace(src, Path(str(target) + suffix))
                    if not suffix:
                        moved = target
                except OSError:
                    src.unlink(missing_ok=True)
        return moved

    # ------------------------------------------------------------ entries
    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM seen").fetchone()[0]

    def status(self, record_id: str) -> str | None:
        row = self.db.execute("SELECT status FROM seen WHERE id=?", (record_id,)).fetchone()
        return row[0] if row else None

    def has(self, record_id: str) -> bool:
        return self.status(record_id) is not None

    def add(self, record_id: str, content: str | None = None, published_at: str | None = None,
            url: str | None = None, status: str = WRITTEN) -> None:
        """Record ``record_id``; a written record overrides an earlier reject/duplicate entry."""
        now = _now()
        self.db.execute(
            "INSERT INTO seen (id, url, content_hash, published_at, status, first_seen, last_seen)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET last_seen=excluded.last_seen,"
            " status=CASE WHEN excluded.status='written' THEN 'written' ELSE seen.status END,"
            " content_hash=COALESCE(excluded.content_hash, seen.content_hash),"
            " published_at=COALESCE(excluded.published_at, seen.published_at),"
            " url=COALESCE(excluded.url, seen.url)",
            (record_id, url, content, published_at, status, now, now),
        )

    def find_story(self, content: str) -> list[tuple[str, str | None, str | None]]:
        """Written entries with this content hash: ``(id, url, published_at)``."""
        return self.db.execute(
            "SELECT id, url, published_at FROM seen WHERE content_hash=? AND status='written'", (content,)
        ).fetchall()

    # ------------------------------------------------------------ runs
    def _last_run(self) -> dict | None:
        row = self.db.execute(
            "SELECT output_file, started, finished, reason FROM runs ORDER BY started DESC, rowid DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        return {"output_file": row[0], "started": row[1], "finished": row[2], "reason": row[3]}

    def unfinished_runs(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT output_file FROM runs WHERE finished IS NULL")]

    def run_started(self, output_file: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, NULL, NULL)", (output_file, _now()))

    def run_finished(self, output_file: str, reason: str) -> None:
        self.db.execute("UPDATE runs SET finished=?, reason=? WHERE output_file=?", (_now(), reason, output_file))

    def adopt(self, path: Path) -> int:
        """Add the records of an output file (a killed run's, recovered) as written."""
        n = 0
        self.db.execute("BEGIN")
        try:
            for entry in written_entries(path):
                self.add(*entry)
                n += 1
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return n

    def close(self) -> None:
        if self.db is not None:
            try:
                self.db.close()
            finally:
                self.db = None


def state_name(spider_name: str, urls) -> str:
    """``<spider>-<site>``: the name of a crawl's state file and lock, without the suffix."""
    return f"{safe_part(spider_name)}-{site_key(urls)}"


def store_path(settings, spider_name: str, urls) -> Path:
    return state_dir(settings) / f"{state_name(spider_name, urls)}.sqlite3"


def written_entries(path: Path):
    """``(id, content hash, published_at, url)`` of each record in a JSON Lines
    file; lines that are not records are passed over."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if isinstance(r, dict) and isinstance(r.get("id"), str):
                yield r["id"], content_hash(r.get("title"), r.get("body")), r.get("published_at"), r.get("url")


def store_for(crawler, spider) -> SeenStore:
    """The crawl's one store (opened on first use, shared by spider and pipelines):
    the file of the spider's name and its start URLs' site."""
    store = getattr(crawler, "_newscrawler_seen_store", None)
    if store is None:
        from newscrawler.distributed import seen_store_for  # distributed mode: the store is in Redis

        if crawler.settings.getbool("NEWSCRAWLER_DEBUG"):  # scrapy parse / shell / check: nothing kept
            store = SeenStore(None)
        else:
            store = seen_store_for(crawler, spider.name) or SeenStore(
                store_path(crawler.settings, spider.name, getattr(spider, "start_urls", None) or ()))
        crawler._newscrawler_seen_store = store
    return store
