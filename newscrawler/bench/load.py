"""How many requests per second the sample site serves.

``python -m newscrawler.bench.load URL --articles N --seconds S --threads T``:
T threads, each with its own keep-alive HTTP/1.1 connection, fetch article and
listing pages of the site in turn for S seconds; prints one JSON line with
``requests``, ``seconds``, ``requests_per_s`` and ``errors``. Run it in its own
process so that it does not share a GIL with the site or the caller.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlsplit


def _paths(articles: int, limit: int = 2000) -> list[str]:
    from newscrawler.sample_site import SampleSite

    site = SampleSite(articles, 1)
    paths = [site.article_path(i) for i in range(1, min(articles, limit) + 1)]
    # one listing page for every 20 article pages, as a crawl sees them
    return [p if k % 20 else "/?page=1" for k, p in enumerate(paths)]


def run(url: str, articles: int, seconds: float, threads: int) -> dict:
    parts = urlsplit(url)
    paths = _paths(articles)
    counts = [0] * threads
    errors = [0] * threads
    stop = time.monotonic() + seconds

    def worker(k: int):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        i = k
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += threads
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 500:
                    errors[k] += 1
                counts[k] += 1
            except (OSError, http.client.HTTPException):
                errors[k] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    took = time.monotonic() - started
    total = sum(counts)
    return {"requests": total, "seconds": round(took, 3), "requests_per_s": round(total / took, 1),
            "errors": sum(errors), "threads": threads}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m newscrawler.bench.load")
    p.add_argument("url")
    p.add_argument("--articles", type=int, default=5000)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=8)
    args = p.parse_args(argv)
    print(json.dumps(run(args.url, args.articles, args.seconds, args.threads)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
