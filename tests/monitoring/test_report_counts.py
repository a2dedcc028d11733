"""The report's counts and order, read from its HTML (no browser needed)."""

import json
import re

from newscrawler.report import write_report


def _record(i, country):
    return {"id": f"{i:040x}", "url": f"http://h/{i}", "title": f"t{i}", "body": "b", "published_at":
            "2026-11-30T10:00:00+03:00", "source": "وكالة", "source_country": country, "category": "سياسة",
            "credibility": 90, "importance": 50, "related": [], "aggregator": "kashaf", "crawled_at": "2026-11-30T07:00:00Z"}


def test_a_null_country_is_not_a_country_and_runs_are_listed_by_time(tmp_path):
    runs = {"kashaf-a-late": ("2026-11-30T09:00:00Z", ["مصر", None]), "kashaf-z-early": ("2026-11-30T08:00:00Z", ["مصر"])}
    for k, (name, (start, countries)) in enumerate(runs.items()):
        (tmp_path / f"{name}.jsonl").write_text(
            "".join(json.dumps(_record(10 * k + i, c), ensure_ascii=False) + "\n" for i, c in enumerate(countries)),
            encoding="utf-8")
        (tmp_path / f"{name}.summary.json").write_text(json.dumps(
            {"start_time": start, "end_time": start, "elapsed_seconds": 1.0, "pages_fetched": 3, "records": len(countries),
             "finish_reason": "finished"}), encoding="utf-8")
    out = tmp_path / "report.html"
    write_report([tmp_path], out)
    html = out.read_text("utf-8")
    assert "<b>1</b><span>دول countries</span>" in html  # مصر only; the null country is shown apart, not counted
    table = html[html.index('<section id="runs">'):]
    assert [m for m in re.findall(r"kashaf-[az]-(?:late|early)", table)][:2] == ["kashaf-z-early", "kashaf-a-late"]
