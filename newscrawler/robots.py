"""robots.txt for every request, also for those that wait while it downloads.

Scrapy 2.19's ``RobotsTxtMiddleware`` lets every request that arrives while a
host's robots.txt is still downloading await the same Deferred through
``Deferred.asFuture()``, which consumes the result: the first waiter gets the
parser, every later one gets ``None`` and is let through unchecked (scrapy
PR #6802 dropped the per-waiter Deferred). With one start URL this hardly
shows; with several start URLs on one host, or a distributed worker that
takes 16 queued requests at once, disallowed pages get fetched. This subclass
gives each waiter its own Deferred again.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):  # robots.txt is downloading: wait without consuming the result
            mine: Deferred = Deferred()

            def relay(result):
                mine.callback(result)
                return result

            pending.addCallback(relay)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)
