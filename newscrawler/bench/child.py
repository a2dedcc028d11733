"""One benchmark crawl in this process; its figures as one JSON line on stdout.

``python -m newscrawler.bench.child --spider kashaf|bare --url URL --out DIR
[--jobdir DIR] [--archive] [--record FILE [--given pages|items]] [--no-pipelines]``
(the last three for ``bench --only breakdown``: ``bench/breakdown.py``). The line has ``pages`` (responses received), ``seconds``
(from the engine's start to its finish), ``pages_per_s``, ``records``,
``cpu_ms_per_page`` (this process's CPU time per page: what the crawler itself
costs, whatever else runs on the machine) and ``max_rss_kb`` (this process's
own peak RSS, read when the crawl is over).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

from newscrawler.bench.breakdown import GIVEN

# The same settings for both spiders: politeness off for our own local site.
BENCH_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "LOG_LEVEL": "WARNING",
}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m newscrawler.bench.child")
    p.add_argument("--spider", choices=("kashaf", "bare"), required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--jobdir", default=None)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--max-pages", type=int, default=0, help="stop after this many responses (0: no limit)")
    p.add_argument("--profile", default=None, help="write a cProfile of the crawl to this file")
    p.add_argument("--archive", action="store_true", help="archive every response (NEWSCRAWLER_ARCHIVE)")
    p.add_argument("--record", default=None, metavar="FILE", help="kashaf: keep every response in FILE (breakdown.py)")
    p.add_argument("--given", choices=GIVEN, default=None,
                   help="kashaf: the pages (or items) of the responses in --record FILE, made before the crawl")
    p.add_argument("--no-pipelines", action="store_true", help="ITEM_PIPELINES off")
    args = p.parse_args(argv)
    if args.given and not args.record:
        p.error("--given needs --record FILE (the responses whose pages or items are given)")
    if (args.record or args.given) and args.spider != "kashaf":
        p.error("--record and --given are for the kashaf spider")

    from scrapy.crawler import CrawlerProcess

    from newscrawler.runner import project_settings

    overrides = dict(BENCH_SETTINGS, NEWSCRAWLER_OUTPUT_DIR=args.out,
                     CONCURRENT_REQUESTS=args.concurrency, CONCURRENT_REQUESTS_PER_DOMAIN=args.concurrency)
    if args.jobdir:
        overrides["JOBDIR"] = args.jobdir
    if args.max_pages:
        overrides["CLOSESPIDER_PAGECOUNT"] = args.max_pages
    if args.archive:
        overrides["NEWSCRAWLER_ARCHIVE"] = True
    if args.no_pipelines:
        overrides["ITEM_PIPELINES"] = {}
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    if args.spider == "bare":
        from newscrawler.bench.bare import BareSpider

        crawler = process.create_crawler(BareSpider)
    elif args.record:
        from newscrawler.bench import breakdown
        from newscrawler.spiders.profiles import profile_spider_class

        kashaf = profile_spider_class("kashaf")
        spidercls = (breakdown.given_class(kashaf, args.record, args.given) if args.given
                     else breakdown.recording_class(kashaf, args.record))
        crawler = process.create_crawler(spidercls)
    else:
        crawler = process.create_crawler("kashaf")
    process.crawl(crawler, start_url=args.url)
    wall = time.monotonic()
    cpu = time.process_time()
    if args.profile:
        import cProfile

        cProfile.runctx("process.start()", globals(), {"process": process}, args.profile)
    else:
        process.start()
    wall = time.monotonic() - wall
    cpu = time.process_time() - cpu
    stats = crawler.stats.get_stats()
    start, finish = stats.get("start_time"), stats.get("finish_time")
    seconds = (finish - start).total_seconds() if start and finish else wall
    pages = stats.get("response_received_count", 0)
    out = {
        "spider": args.spider,
        "pages": pages,
        "seconds": round(seconds, 3),
        "pages_per_s": round(pages / seconds, 1) if seconds else 0.0,
        "records": stats.get("newscrawler/records", 0),
        "item_scraped_count": stats.get("item_scraped_count", 0),
        "finish_reason": stats.get("finish_reason"),
        "cpu_ms_per_page": round(1000 * cpu / pages, 3) if pages else 0.0,  # this process's CPU time
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 2),  # user + system, start-up included
        "pid": os.getpid(),
    }
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
