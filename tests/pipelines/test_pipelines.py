"""Each pipeline on its own: normalise, validate, de-duplicate, write."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from newscrawler.items import ArticleItem, RejectedPage
from newscrawler.output import JsonLinesFile, recover
from newscrawler.pipelines import Duplicate, Rejected
from newscrawler.pipelines.dedupe import DedupePipeline
from newscrawler.pipelines.normalize import NormalizePipeline
from newscrawler.pipelines.validate import ValidatePipeline, check

GOOD = {
    "url": "https://kashaf.example/news/1?utm_source=x&b=2&a=1#top",
    "title": "  عنوان   الخبر ",
    "body": "فقرة أولى\n\nفقرة ثانية",
    "published_at": "2023-10-20T09:07:06+03:00",
    "source": "فرانس 24",
    "source_country": "فرنسا",
    "category": "سياسة",
    "credibility": 94,
    "importance": 95,
    "related": [],
    "aggregator": "kashaf",
    "crawled_at": "2026-11-29T12:00:00Z",
}


def normalized(**changes):
    item = ArticleItem({**GOOD, **changes})
    return NormalizePipeline().process_item(item)


def test_normalize_canonical_url_id_and_fields():
    item = normalized()
    assert item["url"] == "https://kashaf.example/news/1?a=1&b=2"
    assert len(item["id"]) == 40 and item["id"] == normalized(url="https://kashaf.example/news/1?a=1&b=2&fbclid=z")["id"]
    assert item["title"] == "عنوان الخبر"
    partial = NormalizePipeline().process_item(ArticleItem(url="http://h/x", title="t"))
    assert partial["related"] == [] and partial["body"] is None


@pytest.mark.parametrize("changes,field,code", [
    ({"credibility": 120}, "credibility", "out_of_range"),
    ({"importance": -1}, "importance", "out_of_range"),
    ({"credibility": "عالية"}, "credibility", "bad_type"),
    ({"published_at": "غدا صباحا"}, "published_at", "bad_date"),
    # a Hijri year read as Gregorian, a zoneinfo local mean time: right form, impossible value
    ({"published_at": "1445-03-12T00:00:00+03:00"}, "published_at", "before_1900"),
    ({"published_at": "1938-07-29T00:00:00+03:06:52"}, "published_at", "local_mean_time"),
    ({"published_at": None}, "published_at", "missing"),
    ({"body": ""}, "body", "missing"),
    ({"body": None}, "body", "missing"),
    ({"title": None}, "title", "missing"),
    ({"source": None}, "source", "missing"),
])
def test_validate_rejects_with_a_reason(changes, field, code):
    with pytest.raises(Rejected) as e:
        ValidatePipeline().process_item(normalized(**changes))
    assert (e.value.field, e.value.code) == (field, code)
    assert e.value.reason.startswith(field)


def test_no_record_carries_a_year_before_1900_or_a_local_mean_time():
    from newscrawler.processors.dates import parse_date
    for raw, code, why in [("1445/03/12", "before_1900", "year 1445 is before 1900"),
                           ("1938/07/29 10:00", "local_mean_time", "offset +03:06:52 is a local mean time")]:
        with pytest.raises(Rejected) as e:
            ValidatePipeline().process_item(normalized(published_at=parse_date(raw, "Asia/Riyadh")))
        assert e.value.code == code and why in e.value.reason, e.value.reason
    # with the Hijri mark the same digits are a 2023 date and pass
    item = normalized(published_at=parse_date("1445/03/12 هـ", "Asia/Riyadh"))
    assert ValidatePipeline().process_item(item)["published_at"] == "2023-09-27T00:00:00+03:00"


def test_validate_passes_good_records_and_rejects_failed_pages():
    item = normalized()
    assert ValidatePipeline().process_item(item) is item
    assert check(dict(item)) == []
    with pytest.raises(Rejected) as e:
        ValidatePipeline().process_item(RejectedPage(url="http://h/a", reason="truncated body", code="truncated"))
    assert e.value.key == "page:truncated"


def test_dedupe_by_url_and_by_story_within_ten_minutes():
    d = DedupePipeline()
    d.process_item(normalized())
    with pytest.raises(Duplicate) as e:
        d.process_item(normalized(url="https://kashaf.example/news/1?a=1&b=2#x"))
    assert e.value.kind == "url"
    # same outlet, same headline (other spelling variants), 3 seconds later: the aggregator's duplicate
    with pytest.raises(Duplicate) as e:
        d.process_item(normalized(url="https://kashaf.example/news/2", title="عنوانُ الخبر!",
                                  published_at="2023-10-20T09:07:09+03:00", credibility=50))
    assert e.value.kind == "story"
    # same headline, 11 minutes later, or another outlet: a different record
    d.process_item(normalized(url="https://kashaf.example/news/3", published_at="2023-10-20T09:18:07+03:00"))
    d.process_item(normalized(url="https://kashaf.example/news/4", source="الجزيرة نت"))


def test_jsonl_file_lines_are_whole_and_renamed_on_close(tmp_path):
    f = JsonLinesFile(tmp_path / "run.jsonl")
    f.write({"title": "خبر", "n": 1})
    assert (tmp_path / "run.jsonl.part").exists() and not (tmp_path / "run.jsonl").exists()
    f.close()
    line = (tmp_path / "run.jsonl").read_text("utf-8")
    assert line == '{"title": "خبر", "n": 1}\n'  # Arabic as characters, never \\u escapes


def test_recover_cuts_a_partial_last_line_of_a_dead_run(tmp_path):
    part = tmp_path / "old.jsonl.part"
    part.write_bytes(b'{"a": 1}\n{"a": 2}\n{"a": 3, "tit')
    done = recover(tmp_path)
    assert done == [tmp_path / "old.jsonl"]
    assert (tmp_path / "old.jsonl").read_bytes() == b'{"a": 1}\n{"a": 2}\n'
    assert not part.exists()


def test_recover_removes_a_dead_runs_file_without_a_whole_line(tmp_path):
    for name, data in (("empty.jsonl.part", b""), ("half.jsonl.part", b'{"a": 1, "tit')):
        (tmp_path / name).write_bytes(data)
    assert recover(tmp_path) == []
    assert list(tmp_path.iterdir()) == []


def test_recover_leaves_a_live_runs_file_alone(tmp_path):
    live = JsonLinesFile(tmp_path / "live.jsonl")
    live.write({"a": 1})
    assert recover(tmp_path) == []
    assert (tmp_path / "live.jsonl.part").exists()
    live.close()


def test_killed_writer_never_leaves_half_a_line(tmp_path):
    """A child writes big records as fast as it can and is SIGKILLed: every
    line in the file is whole JSON after recover()."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from newscrawler.output import JsonLinesFile\n"
        "f = JsonLinesFile(%r)\n"
        "i = 0\n"
        "while True:\n"
        "    f.write({'i': i, 'body': 'نص ' * 5000}); i += 1\n"
    ) % (str(os.getcwd()), str(tmp_path / "k.jsonl"))
    child = subprocess.Popen([sys.executable, "-c", code])
    part = tmp_path / "k.jsonl.part"
    while not part.exists() or part.stat().st_size < 2_000_000:  # a condition, not a clock (pytest-timeout guards)
        assert child.poll() is None, "the writer died on its own"
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    recover(tmp_path)
    lines = (tmp_path / "k.jsonl").read_text("utf-8").splitlines()
    assert len(lines) > 10
    assert [json.loads(x)["i"] for x in lines] == list(range(len(lines)))


def test_failed_write_is_rolled_back(tmp_path):
    """A write that fails part-way (file size limit, as on a full disk)
    leaves the file as it was before that line."""
    code = (
        "import resource, signal, sys; sys.path.insert(0, %r)\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "from newscrawler.output import JsonLinesFile\n"
        "f = JsonLinesFile(%r)\n"
        "f.write({'i': 0})\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "try:\n"
        "    f.write({'i': 1, 'body': 'x' * 10000})\n"
        "except OSError as e:\n"
        "    print('failed', e.errno)\n"
        "f.write({'i': 2})\n"
        "f.close()\n"
    ) % (str(os.getcwd()), str(tmp_path / "f.jsonl"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert "failed" in out.stdout, out.stderr
    assert (tmp_path / "f.jsonl").read_text() == '{"i": 0}\n{"i": 2}\n'
