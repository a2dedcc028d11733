"""The text document rendering (FORMAT.md), both ways, on the real seed."""

import json
import subprocess
import sys

import pytest

from newscrawler import document
from tests.conftest import DATA, ROOT

SEED = DATA / "seed" / "000_ee4591bf9e1c8d6b.txt"


def seed_head() -> str:
    """The seed from its first line through ``الأهمية: 95%``, without the
    ``إعلان`` line and the empty line after it (FORMAT.md)."""
    lines = SEED.read_text("utf-8").split("\n")
    end = next(i for i, line in enumerate(lines) if line.startswith("الأهمية"))
    kept = lines[: end + 1]
    i = kept.index("إعلان")
    del kept[i: i + 2]
    return "\n".join(kept) + "\n"


def test_seed_round_trip_is_exact():
    record = document.parse(SEED.read_text("utf-8"))
    assert document.render(record) == seed_head()


def test_seed_fields():
    record = document.parse(SEED.read_text("utf-8"), tz="Asia/Riyadh")
    assert record["title"] == 'كيم جونغ أون يريد بناء علاقة "تتطلع إلى المستقبل" مع روسيا'
    assert record["published_at"] == "2023-10-20T09:07:06+03:00"
    assert (record["source"], record["source_country"], record["category"]) == ("فرانس 24", "فرنسا", "سياسة")
    assert (record["credibility"], record["importance"]) == (94, 95)
    assert record["body"].count("\n\n") == 9 and "إعلان" not in record["body"]
    assert "آخر الأخبار" not in record["body"]
    assert [(r["published_at"], r["credibility"], r["importance"]) for r in record["related"]] == [
        ("2024-05-03T12:27:46+03:00", 50, 67), ("2024-05-03T12:27:49+03:00", 49, 56)]
    assert all(r["source"] == "الأول" and r["source_country"] == "المغرب" for r in record["related"])


def test_render_drops_null_lines():
    text = document.render({"title": "عنوان", "body": "فقرة أولى\n\nفقرة ثانية", "published_at": "2024-01-02T03:04:05+03:00",
                            "source": "وكالة أنباء الشرق الأوسط", "source_country": None, "category": None,
                            "credibility": 0, "importance": None})
    assert text == ("عنوان\n\n\nفقرة أولى\n\nفقرة ثانية\n\nتاريخ الخبر: 2024-01-02 03:04:05\n"
                    "المصدر: وكالة أنباء الشرق الأوسط\nمستوى الصحة: 0%\n")


def test_not_a_document():
    with pytest.raises(ValueError):
        document.parse("سطر واحد فقط\nولا شيء آخر")


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "newscrawler", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_cli_parse_document_then_render(tmp_path):
    out = run_cli("parse-document", str(SEED))
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    record["id"] = "ab" * 20
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = run_cli("render", str(jsonl), "--out", str(tmp_path / "docs"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "docs" / f"{'ab' * 20}.txt").read_text("utf-8") == seed_head()


def test_cli_render_names_records_without_id_by_line(tmp_path):
    jsonl = tmp_path / "x.jsonl"
    jsonl.write_text('{"title": "أ", "body": "ب"}\n{"title": "ج", "body": "د", "id": "../../etc/passwd"}\n', encoding="utf-8")
    out = run_cli("render", str(jsonl), "--out", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["1.txt", "2.txt"]


@pytest.mark.parametrize("args,needle", [
    (["parse-document", "/no/such/file.txt"], "cannot read"),
    (["render", "/no/such.jsonl", "--out", "/tmp/x"], "cannot read"),
    (["render"], "error"),
    (["nonsense"], "invalid choice"),
    (["demo", "--articles", "zero"], "not a whole number"),
    (["demo", "--articles", "0"], "at least 1"),
    ([], "a command is needed"),
])
def test_cli_errors_are_one_line(args, needle):
    out = run_cli(*args)
    assert out.returncode != 0
    assert needle in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr


def test_cli_render_bad_json_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "body": "x"}\n{not json\n', encoding="utf-8")
    out = run_cli("render", str(bad), "--out", str(tmp_path / "o"))
    assert out.returncode == 2 and ":2: not a JSON line" in out.stderr
    assert (tmp_path / "o" / "1.txt").exists()  # what came before is kept


def test_cli_parse_document_on_non_document(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("hello", encoding="utf-8")
    out = run_cli("parse-document", str(f))
    assert out.returncode == 2 and "not a document" in out.stderr
