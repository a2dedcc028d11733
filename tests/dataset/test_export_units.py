"""The export's parts on hand-made run files: which files are read, unreadable lines,
the latest crawl, the date and language filters, the schema, wrong arguments; the
language of the real pages; cluster precision and recall on the sample site's planted
wire stories."""

import json
import subprocess
import sys

import pytest

from newscrawler.dataset import language
from newscrawler.dataset.clusters import Clusterer, shingles
from newscrawler.dataset.export import ExportError, Options, export
from newscrawler.dataset.reader import find_run_files
from newscrawler.dataset.schema import arrow_schema, record_of
from newscrawler.evaluation import real_cases
from newscrawler.parsing.generic import extract_body
from newscrawler.pipelines.validate import schema as record_schema
from newscrawler.sample_site import SampleSite
from tests.conftest import ROOT


def records(n=30, seed=4, base="http://a.example"):
    from newscrawler.bench.export import site_records

    recs, _ = site_records(seed, 120)
    return [dict(r, url=r["url"].replace("http://site4.example", base)) for r in recs[:n]]


def write(path, lines):
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n"
                            for x in lines), encoding="utf-8")
    return path


def run_export(paths, out, **kw):
    lines = []
    stats = export(paths, Options(out=out, **kw), report=lines.append)
    return stats, lines


def rows(out):
    import pyarrow.parquet as pq

    return pq.read_table(out / "data").to_pylist()


# --------------------------------------------------------------------------- reading


def test_folders_give_records_only_and_say_what_they_left_out(tmp_path):
    recs = records(5)
    write(tmp_path / "kashaf-1.jsonl", recs)
    write(tmp_path / "kashaf-1.rejects.jsonl", [{"url": "x"}])
    (tmp_path / "kashaf-1.summary.json").write_text("{}")
    write(tmp_path / "kashaf-2.jsonl.part", recs)
    (tmp_path / "notes.txt").write_text("x")
    files, skipped = find_run_files([tmp_path, tmp_path / "kashaf-1.jsonl"])
    assert [f.name for f in files] == ["kashaf-1.jsonl"]
    assert sorted((s.path.name, s.why.split(" (")[0]) for s in skipped) == [
        ("kashaf-1.rejects.jsonl", "a rejects file"), ("kashaf-1.summary.json", "a run summary"),
        ("kashaf-2.jsonl.part", "an unfinished run file")]
    with pytest.raises(FileNotFoundError):
        find_run_files([tmp_path / "missing"])


def test_unreadable_lines_are_reported_counted_and_skipped(tmp_path):
    recs = records(6)
    bad = dict(recs[1], credibility=140)
    write(tmp_path / "run.jsonl", [recs[0], "{half a line", bad, "[1, 2]", recs[2], dict(recs[3], id="nope")])
    stats, lines = run_export([tmp_path / "run.jsonl"], tmp_path / "out")
    assert stats["rows"] == 2 and stats["reading"]["bad_lines"] == 4
    reported = [ln for ln in lines if "skipped:" in ln]
    assert [ln.split(":")[1] for ln in reported] == ["2", "3", "4", "6"]
    assert "not a JSON line" in reported[0] and "credibility: 140 is outside 0-100" in reported[1]
    assert "not a JSON object" in reported[2] and "id" in reported[3]


def test_the_latest_crawl_of_an_id_wins_whatever_the_file_order(tmp_path):
    recs = records(4)
    later = [dict(r, title=r["title"] + " (محدث)", crawled_at="2026-12-01T08:00:00Z") for r in recs[:2]]
    write(tmp_path / "b-old.jsonl", recs)
    write(tmp_path / "a-new.jsonl", later)  # sorts first, crawled later
    stats, _ = run_export([tmp_path], tmp_path / "out")
    got = {r["id"]: r for r in rows(tmp_path / "out")}
    assert len(got) == 4 and stats["reading"]["superseded"] == 2
    for r in later:
        assert got[r["id"]]["title"] == r["title"]


def test_a_story_two_runs_kept_under_two_urls_is_one_row(tmp_path):
    """A story the aggregator has twice (two urls, minutes apart): one run kept one copy, a later full=1
    run the other. The dataset has it once, the later crawl's copy, as merge does."""
    from datetime import datetime, timedelta

    from newscrawler.processors.urls import url_id

    recs = records(4)
    twin = dict(recs[0], url=recs[0]["url"] + "?copy=2", crawled_at="2026-12-01T08:00:00Z")
    twin["id"] = url_id(twin["url"])
    when = datetime.fromisoformat(recs[0]["published_at"]) + timedelta(minutes=3)
    twin["published_at"] = when.isoformat()
    far = dict(recs[0], url=recs[0]["url"] + "?copy=3", published_at=(when + timedelta(days=3)).isoformat())
    far["id"] = url_id(far["url"])  # the same headline days later: another story
    assert len({twin["id"], far["id"], recs[0]["id"]}) == 3
    write(tmp_path / "a-first.jsonl", recs + [far])
    write(tmp_path / "b-full.jsonl", [twin])
    stats, _ = run_export([tmp_path], tmp_path / "out")
    ids = {r["id"] for r in rows(tmp_path / "out")}
    assert twin["id"] in ids and recs[0]["id"] not in ids and far["id"] in ids and len(ids) == 5
    assert stats["reading"]["same_story"] == 1 and stats["reading"]["outside_dates"] == 0


def test_since_and_until_are_the_pages_own_days(tmp_path):
    recs = records(110)
    days = sorted({r["published_at"][:10] for r in recs})
    assert len(days) >= 3
    write(tmp_path / "run.jsonl", recs)
    stats, _ = run_export([tmp_path], tmp_path / "out", since=days[1], until=days[-2])
    want = [r for r in recs if days[1] <= r["published_at"][:10] <= days[-2]]
    assert stats["rows"] == len(want) and stats["reading"]["outside_dates"] == len(recs) - len(want)
    assert {record_of(r)["published_at"][:10] for r in rows(tmp_path / "out")} <= set(days[1:-1])


def persian_record(base):
    _, html, url, _, _ = next(c for c in real_cases() if c[0] == "real/persian/khabaronline")
    body = "\n\n".join(extract_body(html, url))
    return dict(base, id="f" * 40, url="https://www.khabaronline.ir/news/1353889", title="تحلیل روزنامه اصولگرا",
                body=body)


def test_lang_keeps_the_languages_asked_for(tmp_path):
    recs = records(5)
    write(tmp_path / "run.jsonl", recs + [persian_record(recs[0])])
    stats, _ = run_export([tmp_path], tmp_path / "all")
    assert stats["counts"]["lang"] == {"ar": 5, "fa": 1}
    stats, _ = run_export([tmp_path], tmp_path / "ar", lang=["ar"])
    assert stats["rows"] == 5 and stats["reading"]["other_lang"] == 1
    assert {r["lang"] for r in rows(tmp_path / "ar")} == {"ar"}


def test_the_parquet_schema_follows_the_json_schema():
    import pyarrow as pa

    s = record_schema()
    schema = arrow_schema()
    names = schema.names
    assert [n for n in names if not n.endswith("_offset")][: len(s["properties"])] == list(s["properties"])
    assert names[-3:] == ["lang", "cluster_id", "cluster_size"]
    for name in s["required"]:
        assert not schema.field(name).nullable, name
    assert schema.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("crawled_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("credibility").type == pa.int8() and schema.field("credibility").nullable
    item = schema.field("related").type.value_type
    assert [f.name for f in item if not f.name.endswith("_offset")] == list(s["properties"]["related"]["items"]["properties"])
    assert item.field("published_at").type == pa.timestamp("us", tz="UTC") and item.field("importance").type == pa.int8()


def test_a_record_survives_the_round_trip(tmp_path):
    recs = records(3)
    recs[1] = dict(recs[1], published_at="2026-11-02T10:00:00", credibility=None, source_country=None,
                   origin_url="https://outlet.example/a")  # no zone, no score, a followed origin
    write(tmp_path / "run.jsonl", recs)
    run_export([tmp_path], tmp_path / "out")
    back = {r["id"]: record_of(r) for r in rows(tmp_path / "out")}
    for r in recs:
        got = back[r["id"]]
        assert {k: got[k] for k in r} == r


def test_wrong_arguments_get_one_line_and_exit_2(tmp_path, capsys):
    from newscrawler.cli import main

    write(tmp_path / "run.jsonl", records(2))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    run, out = str(tmp_path / "run.jsonl"), str(tmp_path / "o")
    cases = [
        ([run, "--out", out, "--threshold", "2"], "threshold must be between"),
        ([run, "--out", out, "--since", "2026-13-01"], "is not a date"),
        ([run, "--out", out, "--lang", "arabic"], "ISO 639-1"),
        ([run, "--out", out, "--lang", "ar,zz"], "zz is not among the languages told apart"),
        ([run, "--out", out, "--since", "2026-11-20", "--until", "2026-11-01"], "is after"),
        ([run, "--out", out, "--format", "csv"], "invalid choice"),
        ([run, "--out", out, "--window-days", "-1"], "window must be"),
        ([run, "--out", str(tmp_path / "full")], "not an empty folder"),
        ([run, "--out", str(tmp_path / "full" / "x" / "ds")], f"{tmp_path / 'full' / 'x'} is a file, not a folder"),
        ([str(tmp_path / "nothing"), "--out", out], "no such file"),
        ([str(tmp_path / "full"), "--out", out], "no run files"),
    ]
    for argv, message in cases:
        assert main(["export", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.startswith("newscrawler") and len(err.strip().splitlines()) == 1, (argv, err)
    assert not (tmp_path / "o").exists()  # nothing half-written
    assert (tmp_path / "full" / "x").read_text() == "x"


def test_no_record_left_is_an_error_and_leaves_no_folder(tmp_path):
    write(tmp_path / "run.jsonl", records(2))
    with pytest.raises(ExportError, match="no record left"):
        run_export([tmp_path], tmp_path / "out", since="2030-01-01")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["run.jsonl"]


# --------------------------------------------------------------------------- language


REAL = {name: "\n\n".join(extract_body(html, url)) for name, html, url, _, _ in real_cases()}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_pages_language(name):
    assert len(REAL[name]) > 300, name
    assert language.detect(REAL[name]) == ("fa" if "/persian/" in name else "ar"), name


def test_every_sample_site_record_is_arabic():
    truth = SampleSite(400, seed=3).ground_truth("http://x")
    assert {language.detect(language.record_text(r)) for r in truth["records"]} == {"ar"}


def test_other_arabic_script_languages_and_nothing_to_read():
    assert language.detect("وزیر اعظم نے کہا کہ حکومت عوام کی فلاح و بہبود کے لیے نئے منصوبے شروع کرے گی") == "ur"
    assert language.detect("سەرۆکی حکومەتی هەرێمی کوردستان ڕایگەیاند کە حکومەت بەردەوام دەبێت") == "ku"
    assert language.detect("د افغانستان د بهرنیو چارو وزارت ویلي چې له ګاونډیو هېوادونو سره") == "ps"
    assert language.detect("١٢٣ - 45 ...") is None and language.detect("") is None


def test_the_language_model_loads_without_the_network():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\nsocket.create_connection = refuse\nsocket.getaddrinfo = refuse\n"
        "from newscrawler.dataset import language\n"
        "print(language.detect('قال وزير الخارجية إن المحادثات كانت إيجابية وبناءة'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ar", proc.stderr[-2000:]


# --------------------------------------------------------------------------- clusters


def test_cluster_precision_and_recall_on_the_planted_wire_stories():
    from newscrawler.bench.export import precision_recall
    from newscrawler.merging import instant as _instant

    truth = SampleSite(3000, seed=5).ground_truth("http://x")
    once = {g[0] for g in truth["duplicate_groups"]}  # a crawl keeps one of the aggregator's double stories
    recs = sorted((r for r in truth["records"] if r["url"] not in once),
                  key=lambda r: (_instant(r["published_at"]), r["url"]))
    c = Clusterer()
    for r in recs:
        c.add(r["body"], _instant(r["published_at"]))
    roots = c.roots()
    groups = truth["syndicated_groups"]
    assert len(groups) == 30
    precision, recall, found, planted = precision_recall({r["url"]: roots[k] for k, r in enumerate(recs)}, groups)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall, found, planted)


def test_shingles_ignore_punctuation_and_spacing():
    assert shingles("قال  الوزير، إن المحادثات: كانت إيجابية وبناءة جدا") == shingles(
        "قال الوزير إن المحادثات كانت إيجابية وبناءة جدا")
    assert shingles("كلمتان فقط") == ["كلمتان فقط"] and shingles("...") == []


def test_the_window_keeps_far_apart_copies_apart():
    body = " ".join(f"كلمة{i}" for i in range(200))
    c = Clusterer(window_days=7)
    c.add(body, 0.0)
    c.add(body, 3 * 86400.0)
    c.add(body, 30 * 86400.0)  # a month later: another event, or a re-run, not this copy
    assert list(c.roots()) == [0, 0, 2]
    whole = Clusterer(window_days=0)
    for when in (0.0, 30 * 86400.0):
        whole.add(body, when)
    assert list(whole.roots()) == [0, 0]


def test_a_new_file_every_rows_per_file_rows(tmp_path, monkeypatch):
    import newscrawler.dataset.export as E

    monkeypatch.setattr(E, "ROWS_PER_FILE", 7)
    monkeypatch.setattr(E, "BATCH", 4)
    recs = records(30)
    write(tmp_path / "run.jsonl", recs)
    stats, _ = run_export([tmp_path / "run.jsonl"], tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out" / "data").iterdir())
    assert names == [f"train-2026-11-{k:05d}.parquet" for k in range(len(names))] and len(names) >= 4
    assert sum(stats["files"].values()) == 30 == len(rows(tmp_path / "out"))
    assert all(n <= 7 + 3 for n in stats["files"].values())


def test_latest_crawl_compares_instants_not_texts(tmp_path):
    rec = records(1)[0]
    write(tmp_path / "a.jsonl", [dict(rec, title="later", crawled_at="2026-11-29T23:49:35.500Z")])
    write(tmp_path / "b.jsonl", [dict(rec, title="earlier", crawled_at="2026-11-29T23:49:35Z")])
    run_export([tmp_path], tmp_path / "out")
    assert [r["title"] for r in rows(tmp_path / "out")] == ["later"]
