"""Replay: ``scrapy crawl NAME -a replay=ARCHIVE[,ARCHIVE...]`` answers every request from WARC archives.

A downloader middleware (``DOWNLOADER_MIDDLEWARES``, 970: next to the
downloader) that is on only when the spider has the ``replay`` argument (files
or folders of ``.warc.gz``, comma-separated). It reads the archives' index once
(url -> archived responses, in order, browser-rendered ones apart) and answers
each request with the next archived response for its url, as it was fetched:
redirects, retried 5xx and robots.txt included, so Scrapy's own middlewares and
the spider's navigation run again as in the crawl, with no network. The last
archived response of a url answers any later request for it. A request the
archive has no response for fails with ``NotInArchive`` (listed in the run
summary as unrecoverable, "not in the archive"). ``crawled_at`` is the archived
fetch time. Nothing is archived again during a replay, and no browser page is
opened (a ``render_js`` spider still checks that Chromium is installed).

Use a new output folder, or ``-a full=1``: a replay is a crawl, so the
seen-store of incremental runs applies. Stats: ``newscrawler/replay/served``,
``newscrawler/replay/not_in_archive``.
"""

from __future__ import annotations

import logging
from collections import deque

from scrapy.exceptions import NotConfigured

from newscrawler.archive_reader import read_archive, read_record_at
from newscrawler.extensions.archive import RENDERED, REPLAYED
from newscrawler.items import FETCHED_AT
from newscrawler.middlewares import PageLost

logger = logging.getLogger(__name__)


def replay_files(value) -> list:
    """The archive files of ``-a replay=ARCHIVE[,ARCHIVE...]`` (files or folders); ReparseError (one line)."""
    from newscrawler.reparse import archive_files

    return archive_files([p for p in str(value).split(",") if p.strip()])


class NotInArchive(PageLost):
    """A request the archive has no response for."""


class ReplayMiddleware:
    def __init__(self, crawler, files):
        self.stats = crawler.stats
        self.index: dict[tuple[str, bool], deque] = {}
        problems: list = []
        for path in files:
            for record in read_archive(path, problems):
                if record.type == "response" and record.url:
                    key = (record.url, bool(record.header(RENDERED)))
                    self.index.setdefault(key, deque()).append((path, record.offset))
        for problem in problems:
            logger.warning("replay: %s", problem.line())
        logger.info("replay: %d urls from %d archive files; no request goes to the network",
                    len(self.index), len(files))
        self.stats.set_value("newscrawler/replay/files", [str(p) for p in files])

    @classmethod
    def from_crawler(cls, crawler):
        spider = crawler.spider
        replay = (getattr(spider, "spider_args", None) or {}).get("replay")
        if not replay:
            raise NotConfigured
        return cls(crawler, replay_files(replay))

    def process_request(self, request):
        from newscrawler.reparse import scrapy_response

        key = (request.url, bool(request.meta.get("playwright")))
        queue = self.index.get(key)
        if not queue:
            self.stats.inc_value("newscrawler/replay/not_in_archive")
            raise NotInArchive(f"not in the archive: {request.url}")
        path, offset = queue.popleft() if len(queue) > 1 else queue[0]
        record = read_record_at(path, offset)
        request.meta[FETCHED_AT] = record.date
        response = scrapy_response(record.url, int(record.http.get_statuscode() or 200), record.http.protocol or None,
                                   record.http.headers, record.body, request)
        response.flags.append(REPLAYED)
        self.stats.inc_value("newscrawler/replay/served")
        return response
