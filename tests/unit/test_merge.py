"""``python -m newscrawler merge``: run files -> one record per id (the latest
crawl wins), one reject line per url + reason; bad input gives one line."""

from __future__ import annotations

import json

from newscrawler.cli import main
from tests.helpers import read_jsonl


def write(path, *lines):
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines),
                    encoding="utf-8")


def rec(rid, crawled, **extra):
    return {"id": rid, "url": f"http://s/{rid}", "crawled_at": crawled, **extra}


def rej(url, reason, crawled):
    return {"url": url, "reason": reason, "field": "body", "crawled_at": crawled, "raw": {}}


def test_merge_keeps_the_latest_crawl_of_each_id_and_one_reject_per_url_and_reason(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    write(a / "kashaf-20261101T000000Z-w1-aaa.jsonl", rec("1", "2026-11-01T00:00:01Z", title="old"),
          rec("2", "2026-11-01T00:00:02Z", title="two"))
    # a killed worker's unfinished file: its lines are whole and count
    write(a / "kashaf-20261101T000000Z-w2-bbb.jsonl.part", rec("1", "2026-11-01T00:00:05Z", title="new"))
    write(b / "kashaf-20261102T000000Z-ccc.jsonl", rec("3", "2026-11-02T00:00:00Z"),
          rec("1", "2026-11-01T00:00:03Z", title="older than the .part's"))
    write(a / "kashaf-20261101T000000Z-w1-aaa.rejects.jsonl", rej("http://s/x", "body: missing", "2026-11-01T00:00:01Z"))
    write(a / "kashaf-20261101T000000Z-w2-bbb.rejects.jsonl.part",
          rej("http://s/x", "body: missing", "2026-11-01T00:00:09Z"), rej("http://s/x", "title: missing", "2026-11-01T00:00:09Z"))
    (a / "kashaf-20261101T000000Z-w1-aaa.summary.json").write_text("{}")  # not a run's lines
    out = a / "merged.jsonl"  # inside an input folder: never read back as input
    for _ in range(2):
        assert main(["merge", str(a), str(b), "--out", str(out)]) == 0
        records = read_jsonl(out)
        assert [(r["id"], r.get("title")) for r in records] == [("1", "new"), ("2", "two"), ("3", None)]
        rejects = read_jsonl(a / "merged.rejects.jsonl")
        assert [(r["url"], r["reason"], r["crawled_at"]) for r in rejects] == [
            ("http://s/x", "body: missing", "2026-11-01T00:00:09Z"), ("http://s/x", "title: missing", "2026-11-01T00:00:09Z")]
        said = capsys.readouterr().out
        assert "5 lines in 3 files -> 3 records (2 repeated ids merged" in said, said
        assert "3 lines in 2 files -> 2 rejects (1 repeated url+reason merged" in said, said
    assert not list(a.glob("merged*.part"))  # the merged files are finished, the inputs untouched
    assert len(list(a.glob("kashaf-*.part"))) == 2


def test_two_runs_that_kept_different_copies_of_one_story_merge_to_one(tmp_path, capsys):
    """The aggregator ingested a story twice (two urls, minutes apart); one run kept one copy, a later
    full=1 run the other. The merged dataset has the story once: the latest crawl's copy. The same
    headline from the same outlet days apart is another story, and stays."""
    story = {"source": "سبق", "title": "خطة لتوسعة المطار الدولي"}
    write(tmp_path / "kashaf-1.jsonl", rec("a", "2026-11-01T00:00:00Z", published_at="2026-10-31T10:00:00+03:00", **story),
          rec("c", "2026-11-01T00:00:00Z", published_at="2026-10-20T10:00:00+03:00", **story))
    write(tmp_path / "kashaf-2.jsonl", rec("b", "2026-11-02T00:00:00Z", published_at="2026-10-31T10:03:00+03:00", **story),
          rec("d", "2026-11-02T00:00:00Z", published_at="2026-10-31T10:00:00+03:00", source="عكاظ",
              title=story["title"]))
    out = tmp_path / "out" / "all.jsonl"
    assert main(["merge", str(tmp_path / "kashaf-1.jsonl"), str(tmp_path / "kashaf-2.jsonl"), "--out", str(out)]) == 0
    assert sorted(r["id"] for r in read_jsonl(out)) == ["b", "c", "d"]
    assert "1 more copies of a story dropped (its outlet and headline within 10 minutes)" in capsys.readouterr().out


def test_unreadable_lines_are_reported_and_the_rest_is_merged(tmp_path, capsys):
    write(tmp_path / "k-1.jsonl", rec("1", "2026-11-01T00:00:00Z"), "{not json", '["a list"]', {"url": "no id"})
    (tmp_path / "k-2.jsonl").write_bytes(b'{"id": "\xff"}\n' + json.dumps(rec("2", "x")).encode() + b"\n")
    out = tmp_path / "out" / "all.jsonl"
    assert main(["merge", str(tmp_path / "k-1.jsonl"), str(tmp_path / "k-2.jsonl"), "--out", str(out)]) == 1
    assert [r["id"] for r in read_jsonl(out)] == ["1", "2"]
    said = capsys.readouterr().out
    assert "unreadable lines: 4 (not in the output)" in said and "k-1.jsonl:2: not a JSON line" in said
    assert "k-2.jsonl:1: not a JSON line (not UTF-8)" in said
    assert "k-1.jsonl:3: not a JSON object" in said and "k-1.jsonl:4: no id" in said


def test_bad_arguments_give_one_line_and_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, message in [
        (["merge", str(tmp_path / "nope"), "--out", str(tmp_path / "m.jsonl")], "no such file or folder"),
        (["merge", str(empty), "--out", str(tmp_path / "m.jsonl")], "no run files"),
        (["merge", str(empty), "--out", str(tmp_path / "m.json")], "must name a .jsonl file"),
        (["merge", str(empty), "--out", str(tmp_path / "m.rejects.jsonl")], "must name a .jsonl file"),
        (["merge", "--out", str(tmp_path / "m.jsonl")], "the following arguments are required"),
    ]:
        assert main(args) == 2, args
        err = capsys.readouterr().err.strip()
        assert err.startswith("newscrawler") and "error:" in err and message in err and len(err.splitlines()) == 1, err


def test_the_latest_crawl_is_the_latest_instant_not_the_greatest_text():
    from newscrawler.merging import latest

    # as text "…35.5Z" < "…35Z", yet it is the later crawl; a missing crawled_at loses to any date
    lines = [{"id": "a", "crawled_at": "2026-11-30T10:00:35Z", "v": 1},
             {"id": "a", "crawled_at": "2026-11-30T10:00:35.5Z", "v": 2},
             {"id": "a", "crawled_at": "2026-11-30T10:00:35+01:00", "v": 3},  # 09:00:35 UTC: older
             {"id": "a", "v": 4}]
    assert latest(lines, lambda r: r["id"]).entries["a"]["v"] == 2
