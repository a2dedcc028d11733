"""The page parser on stored pages: ``fixtures/<case>/page.html`` gives
``expected.json`` (the record fields, or ``{"kind": "listing"}``).

``meta.json`` holds the page's url and the Content-Type header it was served
with. No network. To add a case: save a page, write its expected.json by hand
(never from the parser's output unread).
"""

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from itemadapter import ItemAdapter

from newscrawler.items import article_item
from newscrawler.parsing.page import PageParser
from newscrawler.pipelines.normalize import NormalizePipeline
from newscrawler.pipelines.validate import check

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "page.html").exists())
CRAWLED = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc)


def parse_case(name):
    d = FIXTURES / name
    meta = json.loads((d / "meta.json").read_text("utf-8"))
    page = PageParser().parse(meta["url"], (d / "page.html").read_bytes(), meta.get("content_type"))
    return page, meta, json.loads((d / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", CASES)
def test_stored_page(name):
    page, meta, expected = parse_case(name)
    if expected.get("kind", "article") != "article":
        assert page.kind == expected["kind"], page.why
        assert page.title is None and page.paragraphs == []
        assert page.item_links == expected["item_links"]
        assert page.not_found == expected.get("not_found", False)
        return
    assert page.kind == "article"
    item = NormalizePipeline().process_item(article_item(page, "kashaf", "Asia/Riyadh", CRAWLED))
    record = ItemAdapter(item).asdict()
    assert check(record) == []
    got = {k: record[k] for k in expected}
    assert got == expected
    assert record["aggregator"] == "kashaf"
    assert record["crawled_at"] == "2026-11-29T12:00:00Z"
    assert len(record["id"]) == 40
