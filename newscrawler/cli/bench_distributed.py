"""``python -m newscrawler bench-distributed``: pages per second with 1 and with 2 workers.

Starts a throw-away ``redis-server`` and the sample aggregator on 127.0.0.1,
then crawls the site once with one ``scrapy crawl kashaf`` worker and once
with two (a fresh crawl each time). The crawl time runs from the workers'
start until the shared queue and every worker's in-progress list are empty
(Redis is polled every 0.1 s), so the workers' closing idle wait is not
counted. Server, Redis and workers share this machine's cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST = ["-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "LOG_LEVEL=INFO"]


def worker_command(site_url: str, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "kashaf", "-a", f"start_url={site_url}",
            "-s", f"NEWSCRAWLER_OUTPUT_DIR={out}", *FAST, *extra]


def start_workers(n: int, site_url: str, out: Path, redis_url: str, *extra: str, logs: Path | None = None,
                  env: dict | None = None, first: int = 0):
    """``n`` workers (``scrapy crawl kashaf``); their logs in ``logs/worker<first + i>.log``."""
    env = dict(os.environ, **(env or {}), NEWSCRAWLER_REDIS_URL=redis_url)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    procs = []
    for i in range(first, first + n):
        log = open(logs / f"worker{i}.log", "wb") if logs else subprocess.DEVNULL
        procs.append(subprocess.Popen(worker_command(site_url, out, *extra), cwd=ROOT, env=env,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log))
    return procs


def crawl_done(client, spider: str = "kashaf") -> bool:
    """Seeded, nothing queued, nothing in progress anywhere."""
    from newscrawler.distributed.common import Keys, _text

    keys = Keys(spider)
    if not client.exists(keys.seeded) or client.zcard(keys.requests):
        return False
    return not any(client.hlen(keys.processing(_text(w))) for w in client.smembers(keys.workers))


def measure(workers: int, articles: int, seed: int, idle: float) -> dict:
    from newscrawler.redis_server import RunningRedis
    from newscrawler.sample_site import RunningSite

    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp, RunningRedis() as redis, \
            RunningSite(articles=articles, seed=seed) as site:
        out = Path(tmp)
        client = redis.client()
        started = time.monotonic()
        procs = start_workers(workers, site.url, out, redis.url, "-s", f"NEWSCRAWLER_REDIS_IDLE_SECONDS={idle}",
                              "-s", "NEWSCRAWLER_REDIS_POLL_SECONDS=0.5")
        crawl_time = None
        while any(p.poll() is None for p in procs):
            if crawl_time is None and crawl_done(client):
                crawl_time = time.monotonic() - started
            time.sleep(0.1)
        if crawl_time is None:
            crawl_time = time.monotonic() - started
        pages = records = 0
        for summary in out.glob("*.summary.json"):
            s = json.loads(summary.read_text("utf-8"))
            pages += s.get("pages_fetched", 0)
            records += s.get("records", 0)
        codes = [p.returncode for p in procs]
    return {"workers": workers, "pages": pages, "records": records, "seconds": round(crawl_time, 2),
            "pages_per_second": round(pages / crawl_time, 1) if crawl_time else 0.0, "exit_codes": codes}


def cmd_bench_distributed(args) -> int:
    from newscrawler.cli import CliError

    results = []
    for n in (1, 2):
        try:
            r = measure(n, args.articles, args.seed, args.idle)
        except RuntimeError as e:
            raise CliError(f"bench-distributed: {e}", code=1) from None
        results.append(r)
        print(f"{n} worker{'s' if n > 1 else ' '}: {r['pages']} pages in {r['seconds']:.1f} s = "
              f"{r['pages_per_second']:.1f} pages/s ({r['records']} records)", flush=True)
    one, two = results
    ratio = two["pages_per_second"] / one["pages_per_second"] if one["pages_per_second"] else 0.0
    print(f"ratio 2 workers / 1 worker: {ratio:.2f} (sample site of {args.articles} articles, "
          f"{os.cpu_count()} cores shared by site, Redis and workers)")
    return 0 if all(r["pages"] for r in results) else 1


def add_parser(sub) -> None:
    from newscrawler.argtypes import positive as _positive

    b = sub.add_parser("bench-distributed", help="pages/s of a distributed crawl with 1 and with 2 workers")
    b.add_argument("--articles", type=_positive, default=2000, help="articles on the sample site (default 2000)")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--idle", type=float, default=2.0, help="workers' idle seconds before they stop (default 2)")
    b.set_defaults(func=cmd_bench_distributed)
