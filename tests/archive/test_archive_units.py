"""The archive's switch (setting over profile), what of a request's meta it keeps,
and the reader's account of damage, without a crawl."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from scrapy.utils.test import get_crawler
from warcio.warcwriter import WARCWriter

from newscrawler import profiles
from newscrawler.archive_reader import read_archive
from newscrawler.extensions.archive import plain_meta, setting_or_profile
from newscrawler.spiders.profiles import profile_spider_class


def crawler_for(tmp_path, settings: dict, archive=None):
    data = json.loads((profiles.PACKAGE_DIR / "kashaf.json").read_text("utf-8"))
    if archive is not None:
        data["archive"] = archive
    path = tmp_path / "kashaf.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    cls = profile_spider_class("kashaf")
    crawler = get_crawler(cls, settings)
    crawler.spider = cls.from_crawler(crawler, start_url="http://127.0.0.1:9/", profile=str(path))
    return crawler


@pytest.mark.parametrize("setting, profile_key, on", [
    (None, None, False),  # off by default
    (None, True, True),  # the profile turns it on
    ("1", None, True), (True, False, True),  # the setting wins over the profile
    ("0", True, False), (False, True, False),
])
def test_the_setting_wins_over_the_profile(tmp_path, setting, profile_key, on):
    settings = {} if setting is None else {"NEWSCRAWLER_ARCHIVE": setting}
    assert setting_or_profile(crawler_for(tmp_path, settings, profile_key)) is on


def test_a_profile_archive_key_must_be_true_or_false(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"name": "x", "archive": "yes"}')
    with pytest.raises(profiles.ProfileError, match="'archive' must be true or false"):
        profiles.load_file(path)


def test_plain_meta_keeps_json_data_and_names_the_rest():
    class Wait:  # a scrapy-playwright PageMethod after it ran
        result = False

    meta = {"depth": 2, "redirect_urls": ["http://a/"], "origin_item": object(), "playwright_page_methods": [Wait()],
            "download_slot": "a", "newscrawler_fetched_at": object(), "proxy": "http://user:secret@proxy:3128",
            "_auth_proxy": "http://proxy:3128"}
    kept, dropped = plain_meta(meta)
    assert kept == {"depth": 2, "redirect_urls": ["http://a/"], "playwright_page_methods": [{"result": False}]}
    assert dropped == ["origin_item"]


def _warc(n: int) -> tuple[bytes, list[int]]:
    """n resource records, one gzip member each; their offsets."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    offsets = []
    for i in range(n):
        offsets.append(buf.tell())
        body = f"record {i} ".encode() * 50
        writer.write_record(writer.create_warc_record(f"http://127.0.0.1/{i}", "resource", payload=io.BytesIO(body),
                                                      length=len(body), warc_content_type="text/plain"))
    return buf.getvalue(), offsets


def test_the_reader_skips_a_bad_member_and_goes_on(tmp_path):
    data, offsets = _warc(6)
    bad = bytearray(data)
    bad[offsets[2] + 30: offsets[2] + 60] = bytes(30)  # inside the 3rd member's compressed data
    path = tmp_path / "a.warc.gz"
    path.write_bytes(bytes(bad))
    problems = []
    urls = [r.url for r in read_archive(path, problems, skip_requests=False)]
    assert urls == [f"http://127.0.0.1/{i}" for i in (0, 1, 3, 4, 5)]
    assert len(problems) == 1
    p = problems[0]
    assert (p.start, p.end, p.records_before, p.records_after) == (offsets[2], offsets[3], 2, 3)
    assert p.line() == (f"{path}: bytes {offsets[2]}-{offsets[3]} unreadable ({p.reason}); "
                        "2 records before it and 3 after it were read")


def test_the_reader_says_where_a_cut_file_ends_and_reads_a_plain_warc(tmp_path):
    data, offsets = _warc(4)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: offsets[3] + 40])
    problems = []
    assert len(list(read_archive(cut, problems))) == 3
    assert [(p.start, p.end, p.reason.split(":")[0]) for p in problems] == [
        (offsets[3], offsets[3] + 40, "the file ends inside a record")]
    plain = tmp_path / "plain.warc"
    plain.write_bytes(b"".join(gzip.decompress(data[a:b]) for a, b in zip(offsets, offsets[1:] + [len(data)])))
    problems = []
    records = list(read_archive(plain, problems))
    assert [r.url for r in records] == [f"http://127.0.0.1/{i}" for i in range(4)]
    assert [r.body for r in records] == [f"record {i} ".encode() * 50 for i in range(4)]  # not only the headers
    ends = [len(gzip.decompress(data[a:b])) for a, b in zip(offsets, offsets[1:] + [len(data)])]
    assert [r.offset for r in records] == [sum(ends[:i]) for i in range(4)]
    assert problems == []


CALLS: list[str] = []


class _First:
    def open_spider(self, spider):
        CALLS.append(f"open first {spider.name}")

    def process_item(self, item):
        CALLS.append("item first")
        return item

    def close_spider(self):
        CALLS.append("close first")


class _Second(_First):
    def open_spider(self):
        CALLS.append("open second")

    def process_item(self, item):
        CALLS.append("item second")
        return item

    def close_spider(self, spider):
        CALLS.append(f"close second {spider.name}")


@pytest.mark.filterwarnings("ignore:.*requires a spider argument")  # deprecated, still supported: tested here
@pytest.mark.filterwarnings("ignore:Spider.log.. is deprecated")  # spidermon's monitors log so when the run closes
def test_reparse_opens_runs_and_closes_the_pipelines_as_a_crawl_does(tmp_path):
    """Scrapy's order: opened and run first to last, closed last to first; the spider passed
    to the methods that ask for it."""
    from newscrawler.reparse import Reparser, reparse_settings

    here = __name__
    settings = reparse_settings(tmp_path, {"ITEM_PIPELINES": {f"{here}._First": 1, f"{here}._Second": 2}})
    CALLS.clear()
    reparser = Reparser(profile_spider_class("kashaf"), {"start_url": "http://a.example/"}, settings)
    reparser.open()
    reparser.item({"url": "http://a.example/1"})
    reparser.close("finished")
    assert CALLS == ["open first kashaf", "open second", "item first", "item second",
                     "close second kashaf", "close first"]
