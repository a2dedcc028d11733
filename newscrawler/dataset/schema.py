"""The Parquet (Arrow) schema of an export, derived from the record's JSON Schema.

Every property of ``newscrawler/schema/record.schema.json`` becomes a column of the same
name, in the same order:

* a string -> ``string`` (nullable unless the schema requires it);
* a score (``$defs/score``, 0-100 or null) -> ``int8``;
* a date (``$defs/datetime``) -> ``timestamp[us, tz=UTC]`` (the instant), followed by
  ``<name>_offset``, ``int16``: the page's own UTC offset in minutes (``+03:00`` is 180),
  null when the page gave no zone (the time is then the page's clock time, stored as UTC);
* ``crawled_at`` (always UTC, ``...Z``) -> ``timestamp[us, tz=UTC]``;
* an array of objects (``related``) -> a list of structs built by the same rules.

The export adds ``lang`` (ISO 639-1, string), ``cluster_id`` (the ``id`` of the earliest
record of its cluster of syndicated copies) and ``cluster_size`` (``int32``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import lru_cache

import pyarrow as pa

from newscrawler.pipelines.validate import schema as record_schema

TIMESTAMP = pa.timestamp("us", tz="UTC")
OFFSET = pa.int16()
SCORE = pa.int8()
EXTRA = (
    pa.field("lang", pa.string()),
    pa.field("cluster_id", pa.string(), nullable=False),
    pa.field("cluster_size", pa.int32(), nullable=False),
)


def _kind(node: dict, defs: dict) -> str:
    ref = node.get("$ref")
    if ref is None and node.get("anyOf"):
        refs = [n["$ref"] for n in node["anyOf"] if "$ref" in n]
        ref = refs[0] if refs else None
    if ref:
        return ref.rsplit("/", 1)[-1]  # "datetime", "score"
    types = node.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "array" in types:
        return "array"
    if str(node.get("pattern", "")).endswith("Z$"):
        return "utc"
    if "integer" in types:
        return "integer"
    return "string"


def _fields(props: dict, required: set, defs: dict, dates_as_text: bool = False) -> list[pa.Field]:
    out = []
    for name, node in props.items():
        kind = _kind(node, defs)
        nullable = name not in required
        if kind in ("datetime", "utc") and dates_as_text:
            out.append(pa.field(name, pa.string(), nullable=nullable))
        elif kind == "datetime":
            out.append(pa.field(name, TIMESTAMP, nullable=nullable))
            out.append(pa.field(f"{name}_offset", OFFSET))
        elif kind == "utc":
            out.append(pa.field(name, TIMESTAMP, nullable=nullable))
        elif kind in ("score", "integer"):
            out.append(pa.field(name, SCORE if kind == "score" else pa.int64(), nullable=nullable))
        elif kind == "array":
            items = node["items"]
            struct = pa.struct(_fields(items.get("properties", {}), set(items.get("required", [])), defs,
                                       dates_as_text))
            out.append(pa.field(name, pa.list_(struct), nullable=nullable))
        else:
            out.append(pa.field(name, pa.string(), nullable=nullable))
    return out


def _plan(props: dict, defs: dict) -> list[tuple[str, str, object]]:
    """(name, kind, sub-plan) per property, for the record -> row conversion."""
    plan = []
    for name, node in props.items():
        kind = _kind(node, defs)
        sub = _plan(node["items"].get("properties", {}), defs) if kind == "array" else None
        plan.append((name, kind, sub))
    return plan


@lru_cache(maxsize=1)
def record_plan() -> list[tuple[str, str, object]]:
    """The plan of the record schema (it does not change while the process runs)."""
    s = record_schema()
    return _plan(s["properties"], s.get("$defs", {}))


def arrow_schema(dates_as_text: bool = False) -> pa.Schema:
    """The export's columns; ``dates_as_text``: those of ``--format jsonl``, where the dates
    stay the record's own strings (with their offset) and there is no ``*_offset`` column."""
    s = record_schema()
    return pa.schema(_fields(s["properties"], set(s["required"]), s.get("$defs", {}), dates_as_text) + list(EXTRA))


def _instant(value):
    """(aware UTC datetime, offset minutes or None) of an ISO date; (None, None) for null."""
    if value is None:
        return None, None
    dt = datetime.fromisoformat(value)
    off = dt.utcoffset()
    if off is None:
        return dt.replace(tzinfo=timezone.utc), None
    return dt.astimezone(timezone.utc), int(off.total_seconds() // 60)


class RowMaker:
    """Record dict -> row dict of ``arrow_schema()`` (without the export's own columns)."""

    def __init__(self):
        self.plan = record_plan()

    def row(self, record: dict, plan=None) -> dict:
        out = {}
        for name, kind, sub in plan or self.plan:
            v = record.get(name)
            if kind == "datetime":
                out[name], out[f"{name}_offset"] = _instant(v)
            elif kind == "utc":
                out[name] = _instant(v)[0]
            elif kind == "array":
                out[name] = [self.row(item, sub) for item in v or ()]
            else:
                out[name] = v
        return out


def local_iso(utc: datetime, offset: int | None) -> str:
    """An instant as the record writes it: in its own offset (minutes), or without one."""
    if offset is None:
        return utc.replace(tzinfo=None).isoformat()
    return utc.astimezone(timezone(timedelta(minutes=offset))).isoformat()


def record_of(row: dict, plan=None) -> dict:
    """Row dict -> the record's JSON form again (dates in their own offset): for
    ``--format jsonl`` and for checking the round trip."""
    if plan is None:
        plan = record_plan()
    out = {}
    for name, kind, sub in plan:
        v = row.get(name)
        if kind == "datetime":
            off = row.get(f"{name}_offset")
            if v is not None:
                v = local_iso(v, off)
        elif kind == "utc":
            if v is not None:
                v = v.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"
        elif kind == "array":
            v = [record_of(item, sub) for item in v or ()]
        if v is None and name == "origin_url":  # the record has it only when followed
            continue
        out[name] = v
    for extra in EXTRA:
        if extra.name in row:
            out[extra.name] = row[extra.name]
    return out
