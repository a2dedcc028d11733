"""Validate every record against the JSON Schema shipped in the package."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from jsonschema import Draft202012Validator

from newscrawler.items import RejectedPage
from newscrawler.pipelines import Rejected
from newscrawler.pipelines.fastcheck import compile_schema, plain_dict


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("newscrawler").joinpath("schema/record.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


# The shape of a date the schema refuses for its value rather than its form.
_DATE_SHAPE = re.compile(r"^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:([+-]\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?)?$")


def date_problem(value) -> tuple[str, str] | None:
    """(code, why) when a date has the right form but a value no record may
    carry: a year before 1900 (a Hijri year read as Gregorian, or a typo) or
    an offset with seconds (zoneinfo's local mean time before a zone's first
    standard time, e.g. ``+03:06:52`` for Asia/Riyadh before 1947)."""
    m = _DATE_SHAPE.match(str(value))
    if m is None:
        return None
    if int(m[1]) < 1900:
        return "before_1900", f"year {m[1]} is before 1900 (a Hijri year read as Gregorian?)"
    if m[3]:
        return "local_mean_time", f"offset {m[2]}{m[3]} is a local mean time, not a real UTC offset"
    return None


def _reason(error) -> tuple[str, str, str]:
    """(field, code, human reason) for one schema error; the code is stable
    (it names the stats key and the summary's reject reasons), the reason
    shows the offending value."""
    path = [str(p) for p in error.absolute_path]
    v = error.validator
    if v == "required":
        field = error.message.split("'")[1]
        return field, "missing", f"{field}: missing"
    field = path[0] if path else "record"
    where = ".".join(path) or field
    if (v in ("minLength", "pattern") and not str(error.instance).strip()) or (v == "type" and error.instance is None):
        return field, "missing", f"{where}: missing"
    if v in ("minimum", "maximum"):
        return field, "out_of_range", f"{where}: {error.instance} is outside 0-100"
    if v == "pattern" and (problem := date_problem(error.instance)):
        return field, problem[0], f"{where}: {error.instance}: {problem[1]}"
    if field == "published_at" and v in ("pattern", "type"):
        return field, "bad_date", f"{where}: cannot read date {error.instance!r}"
    if v == "type":
        return field, "bad_type", f"{where}: {error.instance!r} is not {error.validator_value}"
    return field, "invalid", f"{where}: {error.message}"


@lru_cache(maxsize=1)
def certainly_valid():
    """The schema compiled to a fast predicate (see ``fastcheck``)."""
    return compile_schema(schema())


def check(record: dict) -> list[tuple[str, str, str]]:
    """All (field, code, reason) problems of a record; empty when valid."""
    if certainly_valid()(record):  # the fast path; anything doubtful goes to jsonschema
        return []
    errors = sorted(validator().iter_errors(record), key=lambda e: list(e.absolute_path))
    return [_reason(e) for e in errors]


class ValidatePipeline:
    def process_item(self, item):
        if isinstance(item, RejectedPage):
            raise Rejected(item["reason"], "page", item.get("code") or "unrecoverable")
        problems = check(plain_dict(item))
        if problems:
            field, code, _ = problems[0]
            raise Rejected("; ".join(r for _, _, r in problems), field, code)
        return item
