"""The fast schema pre-check may only say "certainly valid" when jsonschema agrees."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.pipelines.fastcheck import compile_schema, plain_dict
from newscrawler.pipelines.validate import certainly_valid, schema, validator
from newscrawler.sample_site import SampleSite

BASE = "http://127.0.0.1:8000/"


def _records():
    from newscrawler.processors.urls import url_id

    out = []
    for r in SampleSite(120, 1).ground_truth(BASE)["records"]:
        r = dict(r, id=url_id(r["url"]), aggregator="kashaf", crawled_at="2026-11-29T23:49:35Z")
        out.append(r)
    return out


RECORDS = _records()
ODD = [None, "", " ", 0, -1, 101, 50, 50.0, True, False, "x", "2023-10-20T09:07:06", "2023-10-20 09:07",
       [], {}, ["a"], [{"title": ""}], [{"title": "t", "credibility": 500}], [{"nope": 1}], "\u00a0"]


def test_the_sample_records_take_the_fast_path():
    assert RECORDS
    assert all(certainly_valid()(r) for r in RECORDS)
    assert all(not list(validator().iter_errors(r)) for r in RECORDS)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(RECORDS) - 1), st.sampled_from(sorted(schema()["properties"]) + ["related.0.credibility",
       "related.0.published_at", "related.0.title", "related.0.url"]), st.sampled_from(ODD), st.booleans())
def test_fast_valid_implies_valid(k, field, value, delete):
    record = copy.deepcopy(RECORDS[k])
    target, key = record, field
    if field.startswith("related.0."):
        if not record["related"]:
            return
        target, key = record["related"][0], field.split(".")[-1]
    if delete:
        target.pop(key, None)
    else:
        target[key] = value
    if certainly_valid()(record):
        assert not list(validator().iter_errors(record)), (field, value, delete)


def test_a_schema_it_cannot_compile_is_never_certain():
    check = compile_schema({"type": "object", "properties": {"a": {"type": "string", "pattern": "("}}})
    assert check({"a": "x"}) is False
    assert check({}) is False


def test_it_says_not_sure_where_jsonschema_rejects():
    check = compile_schema(schema())
    record = dict(RECORDS[0], credibility=500)
    assert check(RECORDS[0]) is True
    assert check(record) is False
    assert list(validator().iter_errors(record))


def test_plain_dict_matches_itemadapter():
    from itemadapter import ItemAdapter

    from newscrawler.items import ArticleItem

    item = ArticleItem(url="http://a/", title="t", related=[{"title": "x", "credibility": 3}], credibility=None)
    assert plain_dict(item) == ItemAdapter(item).asdict()
    nested = ArticleItem(url="http://a/", related=[ArticleItem(title="x")])
    assert plain_dict(nested) == ItemAdapter(nested).asdict()
    assert type(plain_dict(nested)["related"][0]) is dict
