"""The export of real crawls of the sample site (three runs over HTTP on 127.0.0.1), read
back by the four readers a dataset builder uses: Hugging Face datasets (offline), pandas,
DuckDB and Polars."""

import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from newscrawler.dataset.schema import record_of
from newscrawler.sample_site import RunningSite
from tests.conftest import ROOT
from tests.helpers import outputs, read_jsonl, scrapy_crawl

pytestmark = pytest.mark.e2e

ARTICLES, SEED = 300, 6  # seed 6: two wire stories whose copies straddle a midnight
SPLIT_DAY = "2026-11-17"


def crawl(out, url, *args):
    proc = scrapy_crawl("kashaf", out, "-a", f"start_url={url}", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]


def export(tmp_path, name, *args):
    out = tmp_path / name
    proc = subprocess.run([sys.executable, "-m", "newscrawler", "export", *args, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    return proc, out


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Run A: articles from SPLIT_DAY on; run B: the older ones (incremental); run C: the
    home page's articles again (full=1, max_pages=1), a later crawl of the same ids."""
    runs = tmp_path_factory.mktemp("runs")
    with RunningSite(articles=ARTICLES, seed=SEED) as site:
        crawl(runs, site.url, "-a", f"since={SPLIT_DAY}")
        crawl(runs, site.url, "-s", "NEWSCRAWLER_EXTRA_PAGES=1000")
        crawl(runs, site.url, "-a", "full=1", "-a", "max_pages=1")
        truth = site.ground_truth()
    files = outputs(runs)["records"]
    assert len(files) == 3
    per_run = [read_jsonl(f) for f in files]
    latest = {}
    for run, records in enumerate(per_run):
        for r in records:
            if r["id"] not in latest or r["crawled_at"] >= latest[r["id"]][1]["crawled_at"]:
                latest[r["id"]] = (run, r)
    tmp = tmp_path_factory.mktemp("export")
    proc, out = export(tmp, "ds", str(runs))
    assert proc.returncode == 0, proc.stderr
    return {"runs": runs, "per_run": per_run, "latest": latest, "truth": truth, "out": out, "proc": proc,
            "tmp": tmp}


@pytest.fixture(scope="module")
def deduplicated(crawls):
    """The same runs exported as JSON Lines, one file, the earliest copy of each cluster only."""
    proc, out = export(crawls["tmp"], "dedup", str(crawls["runs"]), "--drop-near-duplicates", "--format", "jsonl",
                       "--shard-by", "none")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def table(crawls):
    import pyarrow.parquet as pq

    return pq.read_table(crawls["out"] / "data")


def test_the_runs_overlap_as_planned(crawls):
    a, b, c = (len(r) for r in crawls["per_run"])
    assert a and b and 0 < c <= 20
    assert not {r["id"] for r in crawls["per_run"][0]} & {r["id"] for r in crawls["per_run"][1]}
    assert {r["id"] for r in crawls["per_run"][2]} <= {r["id"] for r in crawls["per_run"][0]}


def test_one_row_per_id_every_article_the_latest_crawl(crawls, table):
    truth = crawls["truth"]
    rows = table.to_pylist()
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == len(crawls["latest"])
    assert len(rows) == len(truth["records"]) - len(truth["duplicate_groups"])
    for row in rows:
        run, record = crawls["latest"][row["id"]]
        back = record_of(row)
        assert {k: back[k] for k in record} == record, row["url"]
    recrawled = {r["id"] for r in crawls["per_run"][2]}
    assert sum(crawls["latest"][i][0] == 2 for i in ids) == len(recrawled)
    stats = json.loads((crawls["out"] / "stats.json").read_text("utf-8"))
    assert stats["reading"]["superseded"] == len(recrawled) and stats["reading"]["bad_lines"] == 0
    assert stats["rows"] == len(rows)
    assert {s["why"] for s in stats["reading"]["skipped_files"]} == {"a rejects file", "a run summary"}


def test_sorted_by_publication_and_shards_by_month(crawls, table):
    pub = table.column("published_at").to_pylist()
    assert pub == sorted(pub)
    names = sorted(p.name for p in (crawls["out"] / "data").iterdir())
    assert names == ["train-2026-11-00000.parquet"]  # the site's articles are all from November
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(crawls["out"] / "data" / names[0]).metadata
    assert meta.num_row_groups >= 1 and {meta.row_group(0).column(i).compression
                                         for i in range(meta.num_columns)} == {"ZSTD"}
    assert all(o == 180 for o in table.column("published_at_offset").to_pylist())  # Asia/Riyadh


def test_syndicated_copies_cluster_across_outlets_and_runs(crawls, table):
    from newscrawler.bench.export import precision_recall

    groups = crawls["truth"]["syndicated_groups"]
    assert len(groups) == 3
    rows = table.to_pylist()
    predicted = {r["url"]: r["cluster_id"] for r in rows}
    precision, recall, _, _ = precision_recall(predicted, groups)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    by_cluster = defaultdict(list)
    for r in rows:
        by_cluster[r["cluster_id"]].append(r)
    for members in by_cluster.values():
        first = min(members, key=lambda r: (r["published_at"], r["id"]))
        assert first["id"] == members[0]["cluster_id"]
        assert all(r["cluster_size"] == len(members) for r in members)
    straddling = [g for g in groups if len({crawls["latest"][_id(crawls, u)][0] for u in g}) > 1]
    assert straddling, "a wire story whose copies came from two runs"
    for g in straddling:
        assert len({predicted[u] for u in g}) == 1
        assert len({r["source"] for r in rows if r["url"] in g}) == len(g)  # every copy another outlet


def _id(crawls, url):
    return next(i for i, (_, r) in crawls["latest"].items() if r["url"] == url)


def test_every_sample_site_record_is_arabic(table):
    assert set(table.column("lang").to_pylist()) == {"ar"}


def test_the_dataset_card(crawls, table):
    import yaml
    from datasets import Features

    text = (crawls["out"] / "README.md").read_text("utf-8")
    assert text.startswith("---\n")
    header = yaml.safe_load(text.split("---\n")[1])
    assert header["configs"] == [{"config_name": "default", "data_files": [{"split": "train",
                                                                            "path": "data/*.parquet"}]}]
    assert header["dataset_info"]["features"] == Features.from_arrow_schema(table.schema)._to_yaml_list()
    assert header["language"] == ["ar"] and "FILL IN" in text
    body = text.split("---\n", 2)[2]
    for needle in ("the latest crawl wins", "## Licence", "## Counts", "publication month", "crawl day",
                   "فرانس 24", "السعودية", "سياسة", "2026-11-20"):
        assert needle in body, needle


def test_datasets_reads_it_offline(crawls, table, deduplicated, tmp_path):
    code = (
        "import sys, json\n"
        "from datasets import load_dataset\n"
        "ds = load_dataset('parquet', data_dir=sys.argv[1], split='train')\n"
        "card = load_dataset(sys.argv[1], split='train')\n"
        "jsonl = load_dataset(sys.argv[2], split='train')\n"
        "f = ds.features\n"
        "print(json.dumps([ds.num_rows, card.num_rows, str(f['published_at']), str(f['credibility']),"
        " str(f['related']['published_at']) if hasattr(f['related'], 'keys') else str(f['related'].feature['published_at']),"
        " ds[0]['id'] == card[0]['id'], jsonl.num_rows, jsonl[0]['published_at']]))\n"
    )
    env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf"))
    proc = subprocess.run([sys.executable, "-c", code, str(crawls["out"]), str(deduplicated)], capture_output=True,
                          text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows, card_rows, published, cred, related_pub, same, jsonl_rows, jsonl_pub = json.loads(
        proc.stdout.strip().splitlines()[-1])
    assert rows == card_rows == table.num_rows and same
    assert jsonl_rows == len(set(table.column("cluster_id").to_pylist())) and jsonl_pub.startswith("2026-11-")
    assert "timestamp[us, tz=UTC]" in published and "int8" in cred and "timestamp[us, tz=UTC]" in related_pub


def test_pandas_duckdb_polars_read_it(crawls, table):
    import duckdb
    import pandas as pd
    import polars as pl

    data = crawls["out"] / "data"
    df = pd.read_parquet(data)
    assert len(df) == table.num_rows
    assert str(df["published_at"].dtype) == "datetime64[us, UTC]"
    assert str(df["credibility"].dtype) == "int8" or df["credibility"].isna().any()
    assert isinstance(df["related"].iloc[0][0], dict) and "published_at" in df["related"].iloc[0][0]

    rel = duckdb.sql(f"select count(*), count(distinct id), typeof(any_value(published_at)), "
                     f"typeof(any_value(credibility)), typeof(any_value(related)) from '{data}/*.parquet'")
    n, distinct, ts, score, related = rel.fetchall()[0]
    assert n == distinct == table.num_rows
    assert ts == "TIMESTAMP WITH TIME ZONE" and score == "TINYINT" and related.startswith("STRUCT(")

    lf = pl.scan_parquet(f"{data}/*.parquet")
    schema = lf.collect_schema()
    assert schema["published_at"] == pl.Datetime("us", "UTC") and schema["credibility"] == pl.Int8
    assert isinstance(schema["related"], pl.List)
    assert lf.select(pl.len()).collect().item() == table.num_rows


def test_drop_near_duplicates_keeps_the_earliest_of_each_cluster(deduplicated, table):
    files = sorted((deduplicated / "data").iterdir())
    assert [f.name for f in files] == ["train-part-00000.jsonl"]
    kept = read_jsonl(files[0])
    clusters = set(table.column("cluster_id").to_pylist())
    assert len(kept) == len(clusters) < table.num_rows
    assert all(r["cluster_id"] == r["id"] for r in kept)
    assert any(r["cluster_size"] > 1 for r in kept)
    full = {r["id"]: r for r in table.to_pylist()}
    for r in kept:  # the JSON form is the record's own, dates in their own offset
        assert record_of(full[r["id"]]) == r
