"""The browser for pages that need JavaScript: Debian's Chromium through scrapy-playwright.

Nothing here runs unless a crawl renders JavaScript (``render_js`` is ``auto``
or ``always``): only then does the spider (``spiders/js.py``) switch on the
Playwright download handlers with :func:`playwright_settings`. Plain crawls
keep Scrapy's own HTTP handler and never start Playwright.

* :func:`find_browser` resolves the ``NEWSCRAWLER_BROWSER`` setting (empty:
  ``/usr/bin/chromium``, else ``chromium`` or ``chromium-browser`` on PATH)
  and raises :class:`BrowserNotFound` with one line naming the install
  command when there is none.
* :func:`abort_request` blocks images, fonts and media inside the browser.
* :func:`track_network` (the pages' init callback) counts each page's
  fetch/XHR requests until they are answered and applied, and its DOM changes.
* :func:`wait_for_content` waits until a rendered page is quiet and its
  content is there by the page parser's own reading (:func:`has_content`),
  or the profile's CSS selector is there; when it never comes the page is
  returned as it is and the spider rejects it.
"""

from __future__ import annotations

import os
import shutil

DEFAULT_BROWSER = "/usr/bin/chromium"
PATH_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = "apt-get install -y chromium"

# Headless Chromium as root on a closed network: no sandbox (root), no GPU,
# and no background connections to Google services (they are refused here and
# only slow the browser down).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
)
BLOCKED_RESOURCES = frozenset({"image", "font", "media"})
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"


class BrowserNotFound(RuntimeError):
    """No usable Chromium; the message is one line for the user."""


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_browser(setting: str | None = None) -> str:
    """The Chromium executable to use; raises BrowserNotFound.

    ``setting`` is ``NEWSCRAWLER_BROWSER``: a path or a command name. Empty means
    ``/usr/bin/chromium``, else ``chromium`` / ``chromium-browser`` on PATH.
    """
    setting = (setting or "").strip()
    if setting:
        found = setting if os.sep in setting else shutil.which(setting)
        if found and _executable(found):
            return found
        raise BrowserNotFound(
            f"the browser NEWSCRAWLER_BROWSER={setting} was not found or is not executable; "
            f"install Chromium with `{INSTALL_HINT}` or point -s NEWSCRAWLER_BROWSER=PATH at a Chromium"
        )
    if _executable(DEFAULT_BROWSER):
        return DEFAULT_BROWSER
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound(
        f"rendering JavaScript needs Chromium and none was found ({DEFAULT_BROWSER}, "
        f"{' or '.join(PATH_NAMES)} on PATH): install it with `{INSTALL_HINT}`, "
        "set -s NEWSCRAWLER_BROWSER=PATH, or crawl with -a render_js=never"
    )


def playwright_settings(browser: str, settings) -> dict:
    """The settings that route ``meta={"playwright": True}`` requests through Chromium.

    ``settings`` are the crawl's settings (read for the existing handlers,
    timeouts and concurrency); the result is applied at spider priority, so
    ``-s`` on the command line still wins.
    """
    handlers = dict(settings.getdict("DOWNLOAD_HANDLERS"))
    handlers.update({"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER})
    retry = list(settings.getlist("RETRY_EXCEPTIONS"))
    if "playwright._impl._errors.Error" not in retry:
        retry.append("playwright._impl._errors.Error")  # TimeoutError, TargetClosedError, net::ERR_*
    timeout_ms = settings.getfloat("DOWNLOAD_TIMEOUT", 30) * 1000
    return {
        "DOWNLOAD_HANDLERS": handlers,
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": browser, "headless": True, "args": list(CHROMIUM_ARGS)},
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawler.browser.abort_request",
        # Pages per context bound the browser's memory; contexts are few.
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": settings.getint("NEWSCRAWLER_JS_PAGES_PER_CONTEXT", 4),
        "PLAYWRIGHT_MAX_CONTEXTS": settings.getint("NEWSCRAWLER_JS_CONTEXTS", 1),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": settings.getfloat("NEWSCRAWLER_JS_NAVIGATION_TIMEOUT", timeout_ms),
        "RETRY_EXCEPTIONS": retry,
    }


def abort_request(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: never download images, fonts or media in the browser."""
    return request.resource_type in BLOCKED_RESOURCES


# Installed in every browser page before its own scripts run (``track_network``):
# counts the page's fetch() and XMLHttpRequest requests that are not yet
# answered *and applied*, and the DOM changes. A fetch stays pending until its
# response has arrived, and a body read on it (json(), text(), ...) until that
# read has resolved, each plus one macrotask: the page's own ``.then`` callbacks
# (microtasks) have run by then. An XHR stays pending until one macrotask after
# its ``loadend`` (after the page's onload / onreadystatechange handlers).
NETWORK_TRACKER_JS = r"""(() => {
  if (window.__newscrawlerNet) return;
  const net = {pending: 0, changes: 0};
  Object.defineProperty(window, "__newscrawlerNet", {value: net});
  const start = () => { net.pending += 1; };
  const end = () => { setTimeout(() => { net.pending = Math.max(0, net.pending - 1); }, 0); };
  const watch = (promise) => { start(); promise.then(end, end); return promise; };
  if (window.fetch) {
    const fetch = window.fetch;
    window.fetch = function () { return watch(fetch.apply(this, arguments)); };
  }
  if (window.Response) {
    for (const name of ["json", "text", "arrayBuffer", "blob", "formData"]) {
      const read = Response.prototype[name];
      if (read) Response.prototype[name] = function () { return watch(read.apply(this, arguments)); };
    }
  }
  if (window.XMLHttpRequest) {
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () {
      start();
      this.addEventListener("loadend", end);
      try { return send.apply(this, arguments); } catch (e) { end(); throw e; }
    };
  }
  new MutationObserver((records) => { net.changes += records.length; }).observe(document, {
    subtree: true, childList: true, characterData: true, attributes: true,
  });
})();"""

# [requests still to answer and apply (+1 until the load event), DOM changes so far
# (null without the tracker: then every poll reads the page)]
_STATE_JS = """() => {
  const net = window.__newscrawlerNet;
  const loading = document.readyState === "complete" ? 0 : 1;
  return net ? [net.pending + loading, net.changes] : [loading, null];
}"""

FIRST_POLL = 0.025  # seconds; each wait between two looks is 1.5 times the one before ...
LAST_POLL = 0.1  # ... up to this


async def track_network(page, request) -> None:
    """``playwright_page_init_callback``: count the page's requests from before its first script."""
    await page.add_init_script(NETWORK_TRACKER_JS)


def has_content(parsed) -> bool:
    """The page parser's reading says the content is there: an article with its
    headline (and its labelled metadata, which is what makes it an article) and
    at least one body paragraph, or a listing with cards. The one test both for
    "stop waiting" in the browser and for "still empty after rendering"."""
    if parsed.kind == "article":
        return bool(parsed.title) and bool(parsed.paragraphs)
    return parsed.kind == "listing" and bool(parsed.cards)


_PARSERS: dict[str, object] = {}


def _parser(rules):
    """One PageParser per set of rules (the rules arrive in each request's meta)."""
    from newscrawler.parsing.page import PageParser

    key = repr(rules)
    parser = _PARSERS.get(key)
    if parser is None:
        if len(_PARSERS) >= 16:
            _PARSERS.clear()
        parser = _PARSERS[key] = PageParser(rules)
    return parser


async def wait_for_content(page, selector: str | None, rules, timeout_ms: float) -> bool:
    """A PageMethod callable: wait until the page's content is there; False when it never came.

    The content is there when the page is quiet (loaded, and every fetch/XHR
    request it made answered and applied; see ``NETWORK_TRACKER_JS``) and then
    either shows the profile's ``wait_for`` selector or, without one, reads as
    content by the page parser itself (:func:`has_content`, with ``rules``, the
    profile's ``ParserRules``): the page's HTML (``page.content()``) is parsed
    again whenever the DOM has changed, looked at after 25 ms, then at intervals
    growing by half up to 100 ms, for at most ``timeout_ms``. A parse counts only
    if nothing changed and nothing was pending while it was read. A page that
    navigates itself meanwhile (a script redirect) is waited on at its new address.

    A timeout is not an error here: the page is returned as rendered so far,
    and the spider rejects it if it is still empty.
    """
    import asyncio

    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_ms / 1000
    if selector:
        try:
            await page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
        except PlaywrightTimeout:
            return False
    parser = None if selector else _parser(rules)

    async def ask(call):  # a page call bounded by the time left (a renderer stuck in a script never answers)
        return await asyncio.wait_for(call, max(deadline - loop.time(), 0) + 1)

    interval, parsed_at = FIRST_POLL, object()
    while True:
        try:
            pending, changes = await ask(page.evaluate(_STATE_JS))
            if not pending and (changes is None or changes != parsed_at):
                if parser is None:
                    return True
                html = await ask(page.content())
                parsed_at = changes
                if has_content(parser.parse(page.url, html, "text/html; charset=utf-8")):
                    if await ask(page.evaluate(_STATE_JS)) == [0, changes]:  # still quiet, nothing changed
                        return True
                    parsed_at = object()  # read it again
        except asyncio.TimeoutError:
            return False
        except PlaywrightError as e:  # the page went to another document while we looked
            if "context was destroyed" not in str(e) and "navigat" not in str(e):
                raise
            parsed_at = object()
        left = deadline - loop.time()
        if left <= 0:
            return False
        await asyncio.sleep(min(interval, left))
        interval = min(interval * 1.5, LAST_POLL)
