"""A fast "certainly valid" pre-check for JSON Schema validation (measured hot path).

``compile_schema(schema)`` turns a schema that uses only the keywords below into
a predicate that returns True when the instance is *certainly* valid; False
means "not sure": the caller then runs the full ``jsonschema`` validator, which
gives the verdict and the reasons. So the pre-check can only make validation
faster, never change its outcome. Any keyword it does not know makes the whole
schema fall back (the predicate always answers False).

Known keywords: type, required, properties, items, $ref (local ``#/$defs/...``),
anyOf, pattern, minLength, minimum, maximum, and the annotations ($schema, $id,
title, description). Values that are bool or float answer "not sure" wherever a
number is expected (JSON Schema's integer/number rules for them are subtle).
"""

from __future__ import annotations

import re

_ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
_KNOWN = {"type", "required", "properties", "items", "$ref", "anyOf", "pattern", "minLength", "minimum", "maximum"}


class _Unsupported(Exception):
    pass


def _never(_instance) -> bool:
    return False


def compile_schema(schema: dict):
    """A predicate ``instance -> bool`` (True: certainly valid)."""
    defs = schema.get("$defs") or {}
    cache: dict[str, object] = {}

    def ref(target: str):
        if not target.startswith("#/$defs/") or target[8:] not in defs:
            raise _Unsupported(target)
        name = target[8:]
        if name not in cache:
            cache[name] = None  # recursion guard: recursive schemas are not supported
            cache[name] = build(defs[name])
        if cache[name] is None:
            raise _Unsupported(target)
        return cache[name]

    def build(node):
        if not isinstance(node, dict):
            raise _Unsupported(node)
        unknown = set(node) - _KNOWN - _ANNOTATIONS
        if unknown:
            raise _Unsupported(unknown)
        checks = []
        if "$ref" in node:
            checks.append(ref(node["$ref"]))
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            checks.append(_type_check(types))
        if "minLength" in node:
            n = node["minLength"]
            checks.append(lambda v, n=n: not isinstance(v, str) or len(v) >= n)
        if "pattern" in node:
            rx = re.compile(node["pattern"])
            checks.append(lambda v, rx=rx: not isinstance(v, str) or rx.search(v) is not None)
        for key, op in (("minimum", lambda v, b: v >= b), ("maximum", lambda v, b: v <= b)):
            if key in node:
                bound = node[key]
                checks.append(lambda v, b=bound, op=op: _numeric_ok(v, b, op))
        if "required" in node:
            req = tuple(node["required"])
            checks.append(lambda v, req=req: not isinstance(v, dict) or all(k in v for k in req))
        if "properties" in node:
            props = {k: build(sub) for k, sub in node["properties"].items()}

            def properties(v, props=props):
                if not isinstance(v, dict):
                    return True
                for k, check in props.items():
                    if k in v and not check(v[k]):
                        return False
                return True

            checks.append(properties)
        if "items" in node:
            item = build(node["items"])
            checks.append(lambda v, item=item: not isinstance(v, list) or all(item(x) for x in v))
        if "anyOf" in node:
            subs = [build(sub) for sub in node["anyOf"]]
            checks.append(lambda v, subs=subs: any(s(v) for s in subs))
        checks = tuple(checks)
        return lambda v: all(c(v) for c in checks)

    try:
        return build({k: v for k, v in schema.items() if k != "$defs"})
    except (_Unsupported, re.error, TypeError):
        return _never


def _numeric_ok(v, bound, op) -> bool:
    if type(v) is int:  # noqa: E721
        return op(v, bound)
    # not a number: the keyword does not apply; bool/float: not sure
    return not isinstance(v, (int, float))


_TYPES = {
    "string": lambda v: type(v) is str,  # noqa: E721
    "integer": lambda v: type(v) is int,  # noqa: E721 - bool and float: not sure
    "null": lambda v: v is None,
    "object": lambda v: type(v) is dict,  # noqa: E721
    "array": lambda v: type(v) is list,  # noqa: E721
}


def _type_check(types):
    try:
        fns = tuple(_TYPES[t] for t in types)
    except KeyError:
        raise _Unsupported(types) from None
    return lambda v: any(f(v) for f in fns)


_PLAIN = (str, int, float, bool, type(None))


def plain_dict(item) -> dict:
    """``ItemAdapter(item).asdict()`` without its per-value cost for the usual
    record: a ``dict``/``scrapy.Item`` whose values are plain values or lists of
    plain values and flat dicts of plain values (the teasers). Nested lists are
    shared, not copied: for readers (validation, JSON encoding) only. Anything
    else goes through ``ItemAdapter``."""
    from itemadapter import ItemAdapter
    from scrapy import Item

    if not isinstance(item, (dict, Item)):
        return ItemAdapter(item).asdict()
    out = dict(item)
    for value in out.values():
        if isinstance(value, _PLAIN):
            continue
        if type(value) is list:  # noqa: E721
            for x in value:
                if isinstance(x, _PLAIN):
                    continue
                if type(x) is dict and all(isinstance(y, _PLAIN) for y in x.values()):  # noqa: E721
                    continue
                return ItemAdapter(item).asdict()
            continue
        return ItemAdapter(item).asdict()
    return out
