"""Validate every record against the JSON Schema shipped in the package."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator

from newscrawler.items import RejectedPage
from newscrawler.pipelines import Rejected


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("newscrawler").joinpath("schema/record.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def _reason(error) -> tuple[str, str]:
    """A short, stable, human reason for one schema error: (field, text)."""
    path = [str(p) for p in error.absolute_path]
    field = path[0] if path else (error.message.split("'")[1] if error.validator == "required" else "record")
    where = ".".join(path) or field
    v = error.validator
    if v == "required":
        return field, f"{field}: missing"
    if v in ("minLength", "pattern") and error.instance in ("", None) or v == "type" and error.instance is None:
        return field, f"{where}: missing"
    if v in ("minimum", "maximum"):
        return field, f"{where}: {error.instance} is outside 0-100"
    if field == "published_at" and v in ("pattern", "type"):
        return field, f"{where}: cannot read date {error.instance!r}"
    if v == "type":
        return field, f"{where}: {error.instance!r} is not {error.validator_value}"
    return field, f"{where}: {error.message}"


def check(record: dict) -> list[tuple[str, str]]:
    """All (field, reason) problems of a record; empty when valid."""
    errors = sorted(validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    return [_reason(e) for e in errors]


class ValidatePipeline:
    def process_item(self, item):
        if isinstance(item, RejectedPage):
            raise Rejected(item["reason"], "page")
        problems = check(ItemAdapter(item).asdict())
        if problems:
            field, reason = problems[0]
            raise Rejected("; ".join(r for _, r in problems), field)
        return item
