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
* :func:`wait_for_content` waits until a rendered page shows its content (a
  CSS selector from the profile, else the profile's labels such as
  ``تاريخ الخبر``); when it never comes the page is returned as it is and the
  spider rejects it.
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


# True once the content is there: the profile's labels in the page text, or a
# headline with two real paragraphs (80+ characters) in the page's main part
# (footers and sidebars have short <p>s of their own).
_CONTENT_JS = """(labels) => {
  const body = document.body;
  if (!body) return false;
  const text = body.innerText || "";
  if (labels.some((l) => text.includes(l))) return true;
  const paras = Array.from(document.querySelectorAll("main p, article p"));
  return !!document.querySelector("h1") && paras.filter((p) => (p.innerText || "").trim().length >= 80).length >= 2;
}"""


async def wait_for_content(page, selector: str | None, labels: list[str], timeout_ms: float) -> bool:
    """A PageMethod callable: wait until the content is there; False when it never came.

    A timeout is not an error here: the page is returned as rendered so far,
    and the spider rejects it if it is still empty.
    """
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        if selector:
            await page.wait_for_selector(selector, state="attached", timeout=timeout_ms)
        else:
            await page.wait_for_function(_CONTENT_JS, arg=list(labels), timeout=timeout_ms)
        return True
    except PlaywrightTimeout:
        return False
