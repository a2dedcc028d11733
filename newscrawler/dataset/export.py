"""Run files -> one dataset: one row per article, sorted, clustered, Parquet (or JSON Lines).

Three passes, none holding the bodies in memory:

1. **Index.** Every line of every run file is read and checked (``reader``); the valid
   records' id, crawl time, publication instant and place (file, offset, length) go to a
   temporary SQLite index, where a later crawl of an id replaces an earlier one (the
   greatest ``crawled_at`` wins; between equal times, the later file).
2. **Rows.** The index, in ``published_at`` order, gives the records again (read at their
   offsets) after the date filter; each gets its ``lang`` (``language``), is left out when
   ``--lang`` does not list it, is added to the ``Clusterer`` and converted to a row of
   ``schema.arrow_schema()``; batches of rows go to a temporary Parquet file.
3. **Shards.** That file is read back batch by batch, ``cluster_id``/``cluster_size`` are
   added (``--drop-near-duplicates`` keeps each cluster's earliest row), and the rows go
   to zstd Parquet shards (one series per publication month, or one for all), counted
   for ``stats.json`` and the dataset card (``card``).

Everything is written to a fresh folder beside ``--out`` and renamed to it at the end, so
a failed export leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newscrawler.dataset import card, language
from newscrawler.dataset.clusters import DEFAULT_THRESHOLD, WINDOW_DAYS, Clusterer
from newscrawler.dataset.reader import find_run_files, read_at, read_lines
from newscrawler.merging import instant
from newscrawler.output import not_a_folder, write_json_atomic
from newscrawler.pipelines.dedupe import later_copies, story_key
from newscrawler.dataset.schema import EXTRA, RowMaker, arrow_schema, local_iso, record_of

BATCH = 2_000  # rows per conversion and per Parquet row group: what memory holds at once
ROWS_PER_FILE = 250_000
MAX_REPORTED = 20  # bad lines reported one by one; the rest are counted


class ExportError(Exception):
    """A wrong argument or an unusable input: one line for the user."""


@dataclass
class Options:
    out: Path
    format: str = "parquet"
    since: str | None = None  # YYYY-MM-DD, the page's own date
    until: str | None = None
    shard_by: str = "month"
    lang: list[str] = field(default_factory=list)
    drop_near_duplicates: bool = False
    threshold: float = DEFAULT_THRESHOLD
    window_days: float = WINDOW_DAYS  # copies are looked for this far back (0: the whole dataset)


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"--out {out}: already exists and is not an empty folder (an export needs a new folder)")
    parent = out.resolve().parent
    if not parent.is_dir():
        blocker = not_a_folder(parent)
        raise ExportError(f"--out {out}: {blocker} is a file, not a folder" if blocker is not None
                          else f"--out {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"--out {out}: cannot write in {parent}")


class _Shards:
    """The output files: one series per month (or one), a new file every ROWS_PER_FILE rows."""

    def __init__(self, folder: Path, fmt: str, by_month: bool, schema: pa.Schema):
        self.folder, self.fmt, self.by_month, self.schema = folder, fmt, by_month, schema
        self.open: dict[str, list] = {}  # key -> [writer, path, rows]
        self.files: dict[str, int] = {}

    def _name(self, key: str, number: int) -> str:
        ext = "parquet" if self.fmt == "parquet" else "jsonl"
        return f"train-{key}-{number:05d}.{ext}"  # "train-": the split Hugging Face datasets gives it

    def write(self, key: str, table: pa.Table) -> None:
        if not self.by_month:
            key = "part"
        else:  # rows come in UTC order, so a page's own month lags by one month at most: close older ones
            year, month = int(key[:4]), int(key[5:7])
            previous = f"{year - (month == 1):04d}-{12 if month == 1 else month - 1:02d}"
            for old in [k for k in self.open if k < previous]:
                self._close(old)
        slot = self.open.get(key)
        if slot is not None and slot[2] >= ROWS_PER_FILE:
            self._close(key)
            slot = None
        if slot is None:
            number = sum(1 for name in self.files if name.startswith(f"train-{key}-"))
            path = self.folder / self._name(key, number)
            if self.fmt == "parquet":
                writer = pq.ParquetWriter(path, self.schema, compression="zstd")
            else:
                writer = open(path, "w", encoding="utf-8")
            slot = self.open[key] = [writer, path, 0]
            self.files[path.name] = 0
        writer = slot[0]
        if self.fmt == "parquet":
            writer.write_table(table)
        else:
            for row in table.to_pylist():
                writer.write(json.dumps(record_of(row), ensure_ascii=False) + "\n")
        slot[2] += table.num_rows
        self.files[slot[1].name] += table.num_rows

    def _close(self, key: str) -> None:
        writer = self.open.pop(key)[0]
        writer.close()

    def close(self) -> None:
        for key in list(self.open):
            self._close(key)


def export(paths: list, opts: Options, report=print) -> dict:
    """Build the dataset in ``opts.out``; returns the stats (also in ``stats.json``)."""
    t0 = time.perf_counter()
    pa.set_memory_pool(pa.system_memory_pool())  # mimalloc keeps what each batch's conversion took
    files, skipped = find_run_files(paths)
    if not files:
        raise ExportError("no run files (*.jsonl) among " + " ".join(str(p) for p in paths))
    out = Path(opts.out)
    _check_out(out)
    work_root = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.resolve().parent))
    try:
        stats = _export(files, skipped, opts, work_root, report)
        final = work_root / "dataset"
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(final, out)
    finally:
        shutil.rmtree(work_root, ignore_errors=True)
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return stats


def _export(files, skipped, opts: Options, work_root: Path, report) -> dict:
    for s in skipped:
        report(f"skipped {s.path}: {s.why}")
    db = sqlite3.connect(work_root / "index.sqlite3")
    try:
        reading = _index(db, files, report)
        tmp = work_root / "rows.parquet"
        rows = _rows(db, files, opts, tmp)
    finally:
        db.close()
    reading.update(outside_dates=reading["unique_ids"] - reading["same_story"] - rows.selected,
                   other_lang=rows.other_lang)
    folder = work_root / "dataset"
    (folder / "data").mkdir(parents=True)
    tally, files_written = _shards(tmp, rows, opts, folder / "data")
    tmp.unlink()
    if tally.written == 0:
        raise ExportError("no record left to export (see the filters and the lines reported above)")
    c = rows.clusterer
    multi = [n for n in rows.sizes if n > 1]
    stats = {
        "rows": tally.written,
        "files": {f"data/{name}": n for name, n in sorted(files_written.items())},
        "options": {"format": opts.format, "since": opts.since, "until": opts.until, "shard_by": opts.shard_by,
                    "lang": sorted(opts.lang), "drop_near_duplicates": opts.drop_near_duplicates,
                    "threshold": opts.threshold},
        "reading": {"files": len(files), "input_files": [str(f) for f in files],
                    "skipped_files": [{"path": str(s.path), "why": s.why} for s in skipped], **reading},
        "clusters": {
            "threshold": opts.threshold, "shingle_words": c.shingle_words, "num_perm": c.num_perm, "bands": c.bands,
            "window_days": opts.window_days, "peak_window_rows": c.peak_window, "library": "rensa",
            "clusters": len(multi), "rows_in_clusters": sum(multi), "largest": max(multi, default=1),
            "dropped": tally.dropped, "lsh_candidates": c.candidates,
        },
        "published": {"first": tally.first_pub, "last": tally.last_pub},
        "crawled": {"first": _utc(tally.first_crawl), "last": _utc(tally.last_crawl)},
        "counts": {name: dict(counter.most_common()) for name, counter in tally.counts.items()},
    }
    write_json_atomic(folder / "stats.json", stats)
    card_schema = arrow_schema() if opts.format == "parquet" else arrow_schema(dates_as_text=True)
    (folder / "README.md").write_text(card.render(stats, card_schema), encoding="utf-8")
    return stats


_UPSERT = ("INSERT INTO rec VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET crawled=excluded.crawled, "
           "pub=excluded.pub, day=excluded.day, file=excluded.file, off=excluded.off, len=excluded.len, "
           "story=excluded.story WHERE excluded.crawled >= rec.crawled")


def _story(record: dict) -> str | None:
    """The crawl's story key (outlet and headline, normalised) as a short digest, or None."""
    if not record.get("source") or not record.get("title"):
        return None
    return hashlib.sha1("\x1f".join(story_key(record)).encode("utf-8")).hexdigest()[:20]


def _same_stories(db: sqlite3.Connection) -> int:
    """Drop from the index the copies of a story another record already is (two urls, the same outlet and
    headline published within the crawl's default window: two runs may each have kept another copy,
    ``merge`` does the same); the latest crawl's copy stays. Returns how many were dropped."""
    rows = db.execute("SELECT story, pub, crawled, file, id FROM rec WHERE story IS NOT NULL AND pub > -1e300")
    drop = later_copies((story, pub, (crawled, file), rid) for story, pub, crawled, file, rid in rows)
    db.executemany("DELETE FROM rec WHERE id = ?", [(rid,) for rid in drop])
    return len(drop)


def _index(db: sqlite3.Connection, files: list[Path], report) -> dict:
    """Pass 1: every line checked; each id's latest crawl (its place in the run files) in ``db``."""
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE TABLE rec (id TEXT PRIMARY KEY, crawled REAL, pub REAL, day TEXT, file INT, off INT, len INT, "
               "story TEXT)")
    records = bad = 0
    pending = []
    for fno, path in enumerate(files):
        for n, off, length, record, problem in read_lines(path):
            if problem:
                bad += 1
                if bad <= MAX_REPORTED:
                    report(f"{path}:{n}: skipped: {problem}")
                continue
            records += 1
            pending.append((record["id"], instant(record["crawled_at"]), instant(record["published_at"]),
                            record["published_at"][:10], fno, off, length, _story(record)))
            if len(pending) >= BATCH:
                db.executemany(_UPSERT, pending)
                pending.clear()
    db.executemany(_UPSERT, pending)
    if bad > MAX_REPORTED:
        report(f"... {bad - MAX_REPORTED} more unreadable lines skipped ({bad} in all)")
    unique = db.execute("SELECT count(*) FROM rec").fetchone()[0]
    return {"records": records, "bad_lines": bad, "unique_ids": unique, "superseded": records - unique,
            "same_story": _same_stories(db)}


@dataclass
class _Rows:
    clusterer: Clusterer
    ids: bytearray  # 20 bytes a row: the record ids, in row order
    selected: int = 0  # rows within the dates
    other_lang: int = 0
    roots: array = field(default_factory=lambda: array("I"))
    sizes: array = field(default_factory=lambda: array("I"))


def _rows(db: sqlite3.Connection, files: list[Path], opts: Options, tmp: Path) -> _Rows:
    """Pass 2: the records in publication order (within the dates), their language and
    cluster, as rows of a temporary Parquet file."""
    where, args = [], []
    if opts.since:
        where.append("day >= ?")
        args.append(opts.since)
    if opts.until:
        where.append("day <= ?")
        args.append(opts.until)
    sql = "SELECT file, off, len, pub FROM rec" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY pub, id"
    base_schema = pa.schema([f for f in arrow_schema() if f.name not in ("cluster_id", "cluster_size")])
    maker = RowMaker()
    out = _Rows(Clusterer(opts.threshold, window_days=opts.window_days), bytearray())
    keep_langs = set(opts.lang)
    batch: list[dict] = []
    handles: dict = {}
    try:
        with pq.ParquetWriter(tmp, base_schema, compression="zstd", compression_level=1) as writer:
            for fno, off, length, pub in db.execute(sql, args):
                out.selected += 1
                record = read_at(handles, files[fno], off, length)
                lang = language.detect(language.record_text(record))
                if keep_langs and lang not in keep_langs:
                    out.other_lang += 1
                    continue
                row = maker.row(record)
                row["lang"] = lang
                out.clusterer.add(record["body"], pub)
                out.ids += bytes.fromhex(record["id"])
                batch.append(row)
                if len(batch) >= BATCH:
                    writer.write_table(pa.Table.from_pylist(batch, base_schema))
                    batch.clear()
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, base_schema))
    finally:
        for fh in handles.values():
            fh.close()
    out.roots = out.clusterer.roots()
    out.sizes = array("I", bytes(4 * len(out.roots)))
    for r in out.roots:
        out.sizes[r] += 1
    return out


class _Tally:
    """What the card and stats.json count, row by row of the output."""

    def __init__(self):
        self.counts = {k: Counter() for k in ("source", "source_country", "category", "lang", "aggregator", "month",
                                              "crawl_day")}
        self.first_pub = self.last_pub = self.first_crawl = self.last_crawl = None
        self.written = self.dropped = 0

    def add(self, cols: dict, months: list[str]) -> None:
        for name in ("source", "source_country", "category", "lang", "aggregator"):
            self.counts[name].update(cols[name])
        self.counts["month"].update(months)
        self.counts["crawl_day"].update(c.strftime("%Y-%m-%d") for c in cols["crawled_at"])
        self.first_pub = self.first_pub or local_iso(cols["published_at"][0], cols["published_at_offset"][0])
        self.last_pub = local_iso(cols["published_at"][-1], cols["published_at_offset"][-1])
        lo, hi = min(cols["crawled_at"]), max(cols["crawled_at"])
        self.first_crawl = lo if self.first_crawl is None or lo < self.first_crawl else self.first_crawl
        self.last_crawl = hi if self.last_crawl is None or hi > self.last_crawl else self.last_crawl
        self.written += len(months)


def _shards(tmp: Path, rows: _Rows, opts: Options, folder: Path) -> tuple[_Tally, dict]:
    """Pass 3: the temporary rows with their cluster columns, into the output files."""
    shards = _Shards(folder, opts.format, opts.shard_by == "month", arrow_schema())
    tally = _Tally()
    roots, sizes, ids = rows.roots, rows.sizes, rows.ids
    k = 0
    for batch in pq.ParquetFile(tmp, pre_buffer=False).iter_batches(batch_size=BATCH, use_threads=False):
        n = batch.num_rows
        rk = roots[k:k + n]
        cid = pa.array([ids[20 * r:20 * r + 20].hex() for r in rk], pa.string())
        csize = pa.array([sizes[r] for r in rk], pa.int32())
        table = pa.Table.from_batches([batch]).append_column(EXTRA[1], cid).append_column(EXTRA[2], csize)
        if opts.drop_near_duplicates:  # the earliest row of a cluster is its root
            keep = [i for i in range(n) if rk[i] == k + i]
            tally.dropped += n - len(keep)
            if len(keep) < n:
                table = table.take(pa.array(keep, pa.int64()))
        k += n
        if table.num_rows == 0:
            continue
        cols = table.select(["published_at", "published_at_offset", "source", "source_country", "category",
                             "lang", "aggregator", "crawled_at"]).to_pydict()
        months = [(pub + timedelta(minutes=off) if off is not None else pub).strftime("%Y-%m")
                  for pub, off in zip(cols["published_at"], cols["published_at_offset"])]
        tally.add(cols, months)
        if opts.shard_by == "month":
            by_month: dict[str, list[int]] = {}
            for i, m in enumerate(months):
                by_month.setdefault(m, []).append(i)
            for m, idx in by_month.items():
                shards.write(m, table if len(idx) == table.num_rows else table.take(pa.array(idx, pa.int64())))
        else:
            shards.write("part", table)
    shards.close()
    return tally, shards.files


def _utc(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
