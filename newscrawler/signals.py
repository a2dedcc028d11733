"""newscrawler's own signal (sent with the crawler's ``signals.send_catch_log``, as Scrapy's are)."""

# A request failed for good with no response handed to the spider (a redirect loop, an off-site
# redirect, a body over DOWNLOAD_MAXSIZE, a refused connection): arguments ``url`` (the page),
# ``reason`` (one line) and ``request``. The archive records it, so that reparse lists it too.
page_lost = object()
