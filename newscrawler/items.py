"""The article item, its loader, and how a parsed page becomes an item.

Each field has its input/output processors (the pure functions of
``newscrawler.processors``); the loader context carries the site's time zone
and the fetch time for relative dates. A value a processor cannot read is kept
as it was (``"120%"``, ``"غدا"``) so that validation can reject the record
with the real value in the reason.
"""

from __future__ import annotations

from datetime import datetime, timezone

import scrapy
from itemloaders.processors import Join, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from newscrawler.processors.dates import parse_date
from newscrawler.processors.scores import parse_score
from newscrawler.processors.source import split_source
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import canonical_url, url_id

RECORD_FIELDS = (
    "id", "url", "title", "body", "published_at", "source", "source_country", "category",
    "credibility", "importance", "related", "aggregator", "crawled_at",
)
TEASER_FIELDS = ("title", "url", "source", "source_country", "category", "published_at", "credibility", "importance")


# Request meta: when the response arrived (a UTC datetime), set by the archive
# (newscrawler/extensions/archive.py) and read back from it by reparse, so that
# a record's crawled_at is the archived fetch time.
FETCHED_AT = "newscrawler_fetched_at"


def fetch_time(response_or_meta) -> datetime:
    """When a response was fetched: its request's ``FETCHED_AT`` meta, else now (UTC)."""
    try:
        meta = response_or_meta if isinstance(response_or_meta, dict) else response_or_meta.meta
    except AttributeError:  # a response without a request
        meta = {}
    return meta.get(FETCHED_AT) or datetime.now(timezone.utc)


def utc_stamp(when: datetime) -> str:
    """``2026-11-29T23:49:35Z``: the form of ``crawled_at``."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


class ArticleItem(scrapy.Item):
    id = scrapy.Field()
    url = scrapy.Field()
    title = scrapy.Field()
    body = scrapy.Field()
    published_at = scrapy.Field()
    source = scrapy.Field()
    source_country = scrapy.Field()
    category = scrapy.Field()
    credibility = scrapy.Field()
    importance = scrapy.Field()
    related = scrapy.Field()
    origin_url = scrapy.Field()
    aggregator = scrapy.Field()
    crawled_at = scrapy.Field()


class RejectedPage(scrapy.Item):
    """A page that should have been a record but cannot be (a download that
    failed for good, a truncated body): it goes to the rejects file."""

    url = scrapy.Field()
    reason = scrapy.Field()
    code = scrapy.Field()
    aggregator = scrapy.Field()
    crawled_at = scrapy.Field()


def rejected_page(url: str, reason: str, code: str, aggregator: str, fetched: datetime | None = None) -> RejectedPage:
    """A page that becomes one reject line (``page:<code>``), fetched at ``fetched`` (default: now)."""
    return RejectedPage(url=url, reason=reason, code=code, aggregator=aggregator,
                        crawled_at=utc_stamp(fetched or datetime.now(timezone.utc)))


def _date(value, loader_context):
    return parse_date(value, loader_context.get("tz"), loader_context.get("now")) or value


def _score(value):
    score = parse_score(value)
    return value if score is None else score


def _outlet(value):
    return split_source(value)[0]


def _country(value):
    return split_source(value)[1]


def _canonical(value, loader_context):
    return canonical_url(value, loader_context.get("url_rules"))


def _non_empty(value):
    return value if value not in ("", None) else None


class ArticleLoader(ItemLoader):
    default_item_class = ArticleItem
    default_input_processor = MapCompose(clean_text, _non_empty)
    default_output_processor = TakeFirst()

    url_in = MapCompose(_canonical)
    body_in = MapCompose(clean_text, _non_empty)
    body_out = Join("\n\n")
    published_at_in = MapCompose(clean_text, _non_empty, _date)
    source_in = MapCompose(clean_text, _non_empty, _outlet)
    source_country_in = MapCompose(clean_text, _non_empty, _country)
    credibility_in = MapCompose(clean_text, _non_empty, _score)
    importance_in = MapCompose(clean_text, _non_empty, _score)

    # A field's processors are the same for every page (class attributes, no
    # per-item field metadata): looked up once, not on each value (measured hot path).
    def get_input_processor(self, field_name: str):
        return self._once(field_name, "in", super().get_input_processor)

    def get_output_processor(self, field_name: str):
        return self._once(field_name, "out", super().get_output_processor)

    def _once(self, field_name: str, kind: str, lookup):
        key = (type(self), field_name, kind)
        proc = _PROCESSORS.get(key)
        if proc is None:
            proc = _PROCESSORS[key] = lookup(field_name)
        return proc


_PROCESSORS: dict = {}


def teaser(raw: dict, tz: str | None, now: datetime | None, url_rules=None) -> dict:
    """A sidebar teaser, typed. Unreadable values become null: a teaser is
    context for the article and never the reason to reject it."""
    src, country = split_source(raw.get("source"))
    score_c, score_i = parse_score(raw.get("credibility")), parse_score(raw.get("importance"))
    url = raw.get("url")
    return {
        "title": clean_text(raw.get("title")),
        "url": canonical_url(url, url_rules) if url else None,
        "source": src,
        "source_country": country,
        "category": clean_text(raw.get("category")) or None,
        "published_at": parse_date(raw.get("published_at"), tz, now) if raw.get("published_at") else None,
        "credibility": score_c if score_c is not None and 0 <= score_c <= 100 else None,
        "importance": score_i if score_i is not None and 0 <= score_i <= 100 else None,
    }


def article_item(page, aggregator: str, tz: str | None, crawled_at: datetime, url_rules=None) -> ArticleItem:
    """Build the item for a parsed article page (``parsing.page.ParsedPage``); ``url_rules``: the
    profile's ``drop_params``/``keep_params`` (``processors.urls.UrlRules``)."""
    loader = ArticleLoader(tz=tz, now=crawled_at, url_rules=url_rules)
    loader.add_value("url", page.url)
    loader.add_value("title", page.title)
    loader.add_value("body", page.paragraphs)
    meta = page.meta
    loader.add_value("published_at", meta.get("published_at"))
    loader.add_value("source", meta.get("source"))
    loader.add_value("source_country", meta.get("source"))
    loader.add_value("category", meta.get("category"))
    loader.add_value("credibility", meta.get("credibility"))
    loader.add_value("importance", meta.get("importance"))
    item = loader.load_item()
    # typed already, so set as they are (no processor would change them)
    item["related"] = [teaser(t, tz, crawled_at, url_rules) for t in page.related if t.get("title")]
    item["aggregator"] = aggregator
    item["crawled_at"] = utc_stamp(crawled_at)
    return complete(item, url_rules)


def complete(item: ArticleItem, url_rules=None) -> ArticleItem:
    """Every record field present (``[]``/``None`` when the page lacks it), and the ``id`` of
    the url under the profile's ``url_rules``, as the pipelines make it: what the spider yields
    is the whole record (``scrapy parse`` shows it)."""
    if item.get("url"):
        item["id"] = url_id(item["url"], url_rules)
    for name in RECORD_FIELDS:
        item.setdefault(name, [] if name == "related" else None)
    return item
