"""``python -m newscrawler bench-js``: JavaScript pages per second and the browser's peak memory,
beside plain pages per second, on this machine.

Serves the sample site with a JavaScript section, then runs two ``scrapy crawl``
child processes against it: the plain site over HTTP (``render_js=never``), and
the ``/js/`` section through Chromium (``render_js=always``, kept inside
``/js/``). Rates are pages over the crawl's elapsed time from its run summary
(browser start-up included). The browser's memory is the sum of the RSS of
the crawl's Chromium processes, sampled every 0.2 s (psutil when installed,
else ``/proc``); shared pages count once per process, so it is an upper bound.
Last, the two ways of deciding that a rendered page's content is there are
compared on the same pages (``newscrawler/bench/js_wait.py``; ``--wait-rounds 0``
leaves it out).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (this file is newscrawler/cli/bench_js.py)
LOCAL = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=32",
         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32", "-s", "LOG_LEVEL=WARNING"]


def add_parser(sub) -> None:
    from newscrawler.argtypes import positive as _positive

    p = sub.add_parser("bench-js", help="JS pages/s and browser peak memory beside plain pages/s")
    p.add_argument("--articles", type=_positive, default=200, help="plain articles (default 200)")
    p.add_argument("--js-articles", type=_positive, default=60, help="JavaScript articles (default 60)")
    p.add_argument("--pages-per-context", type=_positive, default=4,
                   help="browser pages open at once (default 4)")
    p.add_argument("--wait-rounds", type=int, default=2,
                   help="rounds of the wait comparison, parser vs in-page check (default 2; 0: none)")
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_bench_js)


# ---------------------------------------------------------------- memory
def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read().decode("latin-1")
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _descendants(pid: int) -> list[int]:
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, ()):
            out.append(c)
            todo.append(c)
    return out


def _rss_bytes(pid: int) -> tuple[str, int] | None:
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
        with open(f"/proc/{pid}/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return comm, pages * os.sysconf("SC_PAGE_SIZE")


def _pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages divided among the processes sharing them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def browser_pss(root_pid: int) -> int:
    """Sum of the PSS of the Chromium processes below ``root_pid`` (from /proc)."""
    total = 0
    for pid in _descendants(root_pid):
        got = _rss_bytes(pid)
        if got and "chrom" in got[0].lower():
            total += _pss_bytes(pid)
    return total


def browser_memory(root_pid: int) -> tuple[int, int]:
    """(sum of RSS in bytes, process count) of the Chromium processes below ``root_pid``."""
    try:
        import psutil
    except ImportError:
        psutil = None
    total = count = 0
    if psutil is not None:
        try:
            procs = psutil.Process(root_pid).children(recursive=True)
        except psutil.Error:
            return 0, 0
        for p in procs:
            try:
                if "chrom" in p.name().lower():
                    total += p.memory_info().rss
                    count += 1
            except psutil.Error:
                pass
        return total, count
    for pid in _descendants(root_pid):
        got = _rss_bytes(pid)
        if got and "chrom" in got[0].lower():
            total += got[1]
            count += 1
    return total, count


class PeakSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.peak = self.peak_procs = self.peak_pss = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            total, count = browser_memory(self.pid)
            if total > self.peak:
                self.peak, self.peak_procs = total, count
            if count:
                self.peak_pss = max(self.peak_pss, browser_pss(self.pid))
            self._halt.wait(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


# ---------------------------------------------------------------- crawls
def _crawl(out: Path, args: list[str], sample_pid: bool = False) -> tuple[dict, PeakSampler | None]:
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawler.settings")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "kashaf", "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}", *LOCAL, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = PeakSampler(proc.pid) if sample_pid else None
    if sampler:
        sampler.start()
    _, err = proc.communicate()
    if sampler:
        sampler.stop()
    summaries = sorted(out.glob("*.summary.json"))
    if proc.returncode != 0 or not summaries:
        from newscrawler.cli import CliError

        last = (err or "").strip().splitlines()[-1:] or ["no output"]
        raise CliError(f"bench-js: the crawl failed: {last[0]}", 1)
    summary = json.loads(summaries[-1].read_text("utf-8"))
    return summary, sampler


def cmd_bench_js(args) -> int:
    from newscrawler.browser import BrowserNotFound, find_browser
    from newscrawler.cli import CliError
    from newscrawler.sample_site import RunningSite

    try:
        browser = find_browser(os.environ.get("NEWSCRAWLER_BROWSER"))
    except BrowserNotFound as e:
        raise CliError(f"bench-js: {e}") from None
    profile = json.loads((ROOT / "newscrawler/profiles/kashaf.json").read_text("utf-8"))
    profile.update({"render_js": "always", "url_patterns": {"article": [], "deny": ["^(?!.*/js/)"]}})
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-js-") as tmp, \
            RunningSite(articles=args.articles, seed=args.seed, js_articles=args.js_articles) as site:
        tmp = Path(tmp)
        profile_path = tmp / "kashaf.json"
        profile_path.write_text(json.dumps(profile, ensure_ascii=False), "utf-8")
        print(f"newscrawler bench-js: sample site of {args.articles} plain + {args.js_articles} JavaScript "
              f"articles at {site.url} ({os.cpu_count()} cores shared with the site; load average "
              f"{os.getloadavg()[0]:.1f} at the start)", flush=True)

        plain, _ = _crawl(tmp / "plain", ["-a", f"start_url={site.url}", "-a", "render_js=never"])
        p_pages, p_secs = plain.get("pages_fetched", 0), plain.get("elapsed_seconds") or 0
        print(f"plain HTTP:   {p_pages} pages in {p_secs:.1f} s = {p_pages / max(p_secs, 1e-9):.1f} pages/s", flush=True)

        js, mem = _crawl(
            tmp / "js",
            ["-a", f"profile={profile_path}", "-a", f"start_url={site.url}js/",
             "-s", f"NEWSCRAWLER_BROWSER={browser}", "-s", f"NEWSCRAWLER_JS_PAGES_PER_CONTEXT={args.pages_per_context}"],
            sample_pid=True,
        )
        rendered = js.get("js", {}).get("rendered", 0)
        j_secs = js.get("elapsed_seconds") or 0
        print(f"browser:      {rendered} JS pages in {j_secs:.1f} s = {rendered / max(j_secs, 1e-9):.1f} pages/s "
              f"({browser}, {args.pages_per_context} pages per context, start-up included)")
        print(f"browser peak: {mem.peak / 2**20:.0f} MB, the sum of the RSS of {mem.peak_procs} Chromium processes "
              f"(shared pages counted in each; PSS, shared pages split: {mem.peak_pss / 2**20:.0f} MB)")
        print(f"records:      {plain.get('records', 0)} plain, {js.get('records', 0)} from JS pages")
        if args.wait_rounds > 0:
            from newscrawler.bench.js_wait import compare_waits
            from newscrawler.profiles import load_file

            rules = load_file(profile_path).rules
            for line in compare_waits(browser, site.js_ground_truth(), rules, rounds=args.wait_rounds):
                print(line, flush=True)
        expected = args.js_articles
        if js.get("records", 0) != expected:
            print(f"newscrawler: error: bench-js: expected {expected} JS records, got {js.get('records', 0)}",
                  file=sys.stderr)
            return 1
    return 0
