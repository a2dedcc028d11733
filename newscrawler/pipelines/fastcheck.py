"""A fast "certainly valid" pre-check for JSON Schema validation (measured hot path).

``compile_schema(schema)`` turns a schema into a predicate that returns True
when the instance is *certainly* valid: fastjsonschema's generated code (about
15 times faster than ``jsonschema`` on our records) accepted it. False means
"not sure": the caller then runs the full ``jsonschema`` validator, which
gives the verdict and the reasons. So the pre-check can only make validation
faster, never change its outcome (``tests/unit/test_fastcheck.py`` holds
fastjsonschema to that). A schema fastjsonschema cannot compile makes the
predicate always answer False.
"""

from __future__ import annotations

import fastjsonschema


def _never(_instance) -> bool:
    return False


def compile_schema(schema: dict):
    """A predicate ``instance -> bool`` (True: certainly valid)."""
    try:
        validate = fastjsonschema.compile(schema)
    except Exception:  # noqa: BLE001 - any schema it cannot compile: always "not sure"
        return _never

    def certainly_valid(instance) -> bool:
        try:
            validate(instance)
        except Exception:  # noqa: BLE001 - invalid, or anything else it trips on: "not sure"
            return False
        return True

    return certainly_valid


_PLAIN = frozenset((str, int, float, bool, type(None)))  # exact types (a subclass takes the slow path)


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
    plain = _PLAIN.issuperset
    for value in out.values():
        kind = type(value)
        if kind in _PLAIN:
            continue
        if kind is list:
            for x in value:
                if type(x) in _PLAIN:
                    continue
                if type(x) is dict and plain(map(type, x.values())):  # noqa: E721
                    continue
                return ItemAdapter(item).asdict()
            continue
        return ItemAdapter(item).asdict()
    return out
