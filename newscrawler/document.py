"""The text "document" rendering of a record (docs/FORMAT.md), both ways.

``render(record)`` writes the seed's layout; ``parse(text)`` reads a document
in that layout (sidebar included) back into the record's fields, with the
same page parser and processors the crawler uses.
"""

from __future__ import annotations

from newscrawler.parsing.labels import DEFAULT_LABELS
from newscrawler.parsing.page import PageParser
from newscrawler.processors.dates import parse_date
from newscrawler.processors.scores import parse_score
from newscrawler.processors.source import split_source
from newscrawler.processors.text import clean_text

_LABEL = {name: texts[0] for name, texts in DEFAULT_LABELS.items()}
_PARSER = None


def _parser() -> PageParser:
    global _PARSER
    if _PARSER is None:
        _PARSER = PageParser()
    return _PARSER


def _local(published_at: str | None) -> str | None:
    """``2023-10-20T09:07:06+03:00`` -> ``2023-10-20 09:07:06`` (site-local)."""
    if not published_at:
        return None
    return published_at[:19].replace("T", " ")


def render(record: dict) -> str:
    """The document text of a record, ending with a newline."""
    out = [record.get("title") or "", "", ""]
    paragraphs = [p for p in (record.get("body") or "").split("\n\n") if p.strip()]
    for p in paragraphs:
        out += [p, ""]
    date = _local(record.get("published_at"))
    if date:
        out.append(f"{_LABEL['published_at']}: {date}")
    if record.get("source"):
        country = record.get("source_country")
        out.append(f"{_LABEL['source']}: {record['source']}" + (f" - {country}" if country else ""))
    if record.get("category"):
        out.append(f"{_LABEL['category']}: {record['category']}")
    for name in ("credibility", "importance"):
        if record.get(name) is not None:
            out.append(f"{_LABEL[name]}: {record[name]}%")
    return "\n".join(out) + "\n"


def _typed(raw: dict, tz: str | None) -> dict:
    src, country = split_source(raw.get("source"))
    date = raw.get("published_at")
    return {
        "published_at": (parse_date(date, tz) or date) if date else None,
        "source": src,
        "source_country": country,
        "category": clean_text(raw.get("category")) or None,
        "credibility": parse_score(raw.get("credibility")),
        "importance": parse_score(raw.get("importance")),
    }


def parse(text: str, tz: str | None = None) -> dict:
    """The record fields a document holds (no id, url or crawl time)."""
    page = _parser().parse_text(text)
    if page.kind != "article":
        raise ValueError("not a document in the aggregator's layout: no headline with a metadata block")
    record = {"title": page.title, "body": page.body}
    record.update(_typed(page.meta, tz))
    record["related"] = [
        {"title": t["title"], "url": t.get("url"), **_typed(t, tz)} for t in page.related if t.get("title")
    ]
    return record
