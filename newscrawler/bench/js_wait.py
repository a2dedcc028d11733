"""``bench-js``'s comparison of two ways to decide that a rendered page's content is there.

Both ways wait for the same quiet page (``browser.NETWORK_TRACKER_JS``: every
fetch/XHR request answered and applied, the load event fired); they differ in
how they decide "the article (or listing) is there":

* ``parser``: ``browser.wait_for_content``, what the crawl uses: the page's HTML
  (``page.content()``) read by the page parser itself whenever the DOM changed,
  polled at growing intervals (25 ms to 250 ms).
* ``in-page``: :data:`INPAGE_CHECK_JS`, a check inside the page that mirrors the
  parser's rules in JavaScript (a headline outside the sidebar, a paragraph
  after it, then the labelled metadata; or a headline link outside the sidebar
  followed by labels), polled by Chromium on every animation frame.

``INPAGE_CHECK_JS`` exists only to be measured here: it is a second definition of
"an article" that would drift from the parser's, and the crawl never uses it.

Every JavaScript article of the sample site is opened in one Chromium (4 pages at
once, images, fonts and media blocked, as in a crawl), waited on, read, parsed and
compared with the ground truth (headline, body, sidebar teasers). Figures per way:
pages right, elapsed time, how long after the page's script had put everything in
place the wait ended (``window.__kashafSampleDone``), and CPU time of this process
(the parser's share) and of the browser and its Playwright driver.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time

from newscrawler.browser import CHROMIUM_ARGS, _parser, abort_request, track_network, wait_for_content

# A mirror of the page parser's rules, for this measurement only (see the module docstring).
INPAGE_CHECK_JS = r"""(cfg) => {
  const net = window.__newscrawlerNet;
  if (document.readyState !== "complete" || !net || net.pending) return false;
  const norm = (s) => (s || "").replace(/\s+/g, " ").trim();
  const strip = (s) => norm(s).replace(/[:：\s]+$/, "");
  const labelled = (t) => cfg.labels.some((l) => t.startsWith(l + ":") || t.startsWith(l + " :"));
  const h1 = Array.from(document.querySelectorAll("h1")).find((h) => !h.closest("a") && norm(h.textContent));
  // the sidebar: the largest element around its heading that holds no article headline
  const heading = Array.from(document.querySelectorAll("h1,h2,h3,h4,h5,h6,div,span,p"))
    .find((e) => cfg.sidebar.includes(strip(e.textContent)));
  let side = null;
  if (heading) {
    side = heading;
    while (side.parentElement && !(h1 && side.parentElement.contains(h1))) side = side.parentElement;
  }
  const outside = (e) => !(side && side.contains(e));
  const leaves = Array.from(document.body.querySelectorAll("*")).filter((e) =>
    outside(e) && !e.closest("script,style,noscript,template,figure") &&
    !Array.from(e.children).some((c) => norm(c.textContent)) && norm(e.textContent));
  const after = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (h1 && outside(h1)) {
    const rest = leaves.filter((e) => after(h1, e) && !h1.contains(e));
    const meta = rest.findIndex((e) => labelled(norm(e.textContent)));
    if (meta > 0 && rest.slice(0, meta).some((e) => e.tagName === "P" && !e.closest("a"))) return true;
  }
  // a listing: a headline link followed by labels before the next headline link
  const links = Array.from(document.querySelectorAll("h2 a, h3 a, h4 a")).filter(outside);
  return links.some((a, i) => {
    const next = links[i + 1];
    return leaves.some((e) => after(a, e) && (!next || after(e, next)) && labelled(norm(e.textContent)));
  });
}"""


def _cpu_seconds(pids) -> float:
    """User + system CPU of ``pids`` and of their children already reaped (from /proc)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().decode("latin-1").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def _right(parsed, record: dict) -> bool:
    related = [(t.get("title"), t.get("url")) for t in parsed.related]
    return (parsed.title == record["title"] and parsed.body == record["body"]
            and related == [(t["title"], t["url"]) for t in record["related"]])


async def _one(context, sem, url: str, way: str, rules, parser, timeout_ms: float, cfg: dict) -> tuple:
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    async with sem:
        page = await context.new_page()
        try:
            await track_network(page, None)  # as the crawl does
            await page.goto(url, wait_until="domcontentloaded")
            if way == "parser":
                came = await wait_for_content(page, None, rules, timeout_ms)
            else:
                try:
                    await page.wait_for_function(INPAGE_CHECK_JS, arg=cfg, timeout=timeout_ms, polling="raf")
                    came = True
                except PlaywrightTimeout:
                    came = False
            late = await page.evaluate("() => performance.now() - (window.__kashafSampleDone ?? NaN)")
            html = await page.content()
        finally:
            await page.close()
    return came, late, parser.parse(url, html, "text/html; charset=utf-8")


async def _compare(browser_path: str, urls: list[str], records: dict, rules, rounds: int,
                   timeout_ms: float) -> dict:
    from playwright.async_api import async_playwright

    from newscrawler.cli.bench_js import _descendants

    parser = _parser(rules)  # the crawl's own (wait_for_content uses it too)
    cfg = {"labels": [t for texts in rules.labels.values() for t in texts], "sidebar": list(rules.sidebar_headings)}
    results: dict[str, dict] = {w: {"right": 0, "pages": 0, "seconds": 0.0, "late": [], "cpu_self": 0.0,
                                    "cpu_browser": 0.0, "timeouts": 0} for w in ("parser", "in-page")}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=browser_path, headless=True, args=list(CHROMIUM_ARGS))
        context = await browser.new_context()

        async def block(route):
            if abort_request(route.request):  # the crawl's rule
                await route.abort()
            else:
                await route.continue_()

        await context.route("**", block)
        sem = asyncio.Semaphore(4)
        # warm-up (browser caches, the parser's first use), then the rounds, alternating the order
        await asyncio.gather(*(_one(context, sem, u, w, rules, parser, timeout_ms, cfg)
                               for u in urls[:4] for w in ("parser", "in-page")))
        for k in range(rounds):
            for way in (("parser", "in-page") if k % 2 == 0 else ("in-page", "parser")):
                res = results[way]
                others = _descendants(os.getpid())
                cpu0, browser0, t0 = time.process_time(), _cpu_seconds(others), time.perf_counter()
                got = await asyncio.gather(*(_one(context, sem, u, way, rules, parser, timeout_ms, cfg)
                                             for u in urls))
                res["seconds"] += time.perf_counter() - t0
                res["cpu_self"] += time.process_time() - cpu0
                res["cpu_browser"] += _cpu_seconds(_descendants(os.getpid())) - browser0
                for url, (came, late, parsed) in zip(urls, got):
                    res["pages"] += 1
                    res["right"] += _right(parsed, records[url])
                    res["timeouts"] += not came
                    if late == late:  # not NaN
                        res["late"].append(late)
        await context.close()
        await browser.close()
    return results


def compare_waits(browser_path: str, truth: dict, rules, rounds: int = 2, timeout_ms: float = 10_000) -> list[str]:
    """The comparison's lines for ``bench-js`` (see the module docstring)."""
    records = {r["url"]: r for r in truth["records"]}
    results = asyncio.run(_compare(browser_path, list(records), records, rules, rounds, timeout_ms))
    lines = []
    for way, r in results.items():
        late = sorted(r["late"]) or [float("nan")]
        p95 = late[min(len(late) - 1, int(0.95 * len(late)))]
        lines.append(
            f"wait, {way + ':':9} {r['right']}/{r['pages']} pages right, {r['timeouts']} timeouts, "
            f"{r['pages'] / max(r['seconds'], 1e-9):.1f} pages/s, ended {statistics.median(late):.0f} ms "
            f"(median; p95 {p95:.0f} ms) after the page was complete, CPU {r['cpu_self'] * 1000 / r['pages']:.1f} ms/page "
            f"in the crawler, {r['cpu_browser'] * 1000 / r['pages']:.1f} ms/page in the browser and driver"
        )
    return lines
