"""``python -m newscrawler demo``: serve the sample aggregator locally, crawl it, print a summary."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from newscrawler.argtypes import positive
from newscrawler.cli import CliError


def cmd_demo(args) -> int:
    from newscrawler.runner import LOCAL_SETTINGS, crawl
    from newscrawler.sample_site import RunningSite

    out = Path(args.output_dir)
    js = getattr(args, "js", False)
    if js:  # fail now with the install command, not inside the crawl
        from newscrawler.browser import BrowserNotFound, find_browser

        try:
            find_browser()
        except BrowserNotFound as e:
            raise CliError(f"demo --js: {e}") from None
    with RunningSite(articles=args.articles, seed=args.seed, **({"js_articles": 30} if js else {})) as site:
        print(f"newscrawler demo: sample aggregator of {args.articles} articles at {site.url}"
              + (" with a JavaScript section of 30 articles at js/" if js else ""), flush=True)
        # the demo archives every response (WARC), so that `reparse` can rebuild the run without the site
        overrides = dict(LOCAL_SETTINGS, NEWSCRAWLER_OUTPUT_DIR=str(out), NEWSCRAWLER_ARCHIVE=True)
        # full=1: the demo shows a whole crawl every time, whatever earlier demos stored
        spider_args = {"start_url": site.url, "full": "1"}
        if js:  # the JS section too; only the pages that need it go through Chromium
            spider_args.update(start_url=f"{site.url},{site.url}js/", render_js="auto")
        summary = crawl("kashaf", spider_args, overrides)
    print_summary(summary)
    if js:
        r = summary.get("js") or {}
        print(f"browser:       {r.get('rendered', 0)} pages rendered in Chromium ({r.get('rendered/article', 0)} "
              f"articles, {r.get('rendered/listing', 0)} listing pages); every other page over plain HTTP", flush=True)
    archive = summary.get("archive") or {}
    if archive.get("files"):
        print(f"archive:       {', '.join(archive['files'])} ({archive.get('responses', 0)} responses, "
              f"{archive.get('bytes', 0) / 1e6:.1f} MB); rebuild the run from it: .venv/bin/python -m newscrawler reparse "
              f"{archive.get('folder')} --spider kashaf --out {out / 'reparsed'}", flush=True)
    output = summary.get("output_file")
    if output and Path(output).is_file():  # the crawl report, next to the run's .jsonl
        from newscrawler.report import write_report

        report = output[: -len(".jsonl")] + ".report.html"
        write_report([output], report)
        print(f"report: {report}", flush=True)
    return 0 if summary.get("finish_reason") == "finished" and summary.get("records") else 1


def print_summary(summary: dict) -> None:
    s = summary
    rejects = ", ".join(f"{k} {v}" for k, v in s.get("rejects_by_reason", {}).items()) or "none"
    pages = s.get("pages_fetched", 0)
    kinds = [f"{s.get('article_pages', 0)} article pages", f"{s.get('listing_pages', 0)} listing pages",
             f"{s.get('robots_txt', 0)} robots.txt"]
    other = pages - s.get("article_pages", 0) - s.get("listing_pages", 0) - s.get("robots_txt", 0)
    if other > 0:  # error pages, pages that are neither (e.g. not HTML; soft 404s)
        kinds.append(f"{other} other")
    why = Counter(u.get("reason", "").split(":", 1)[0] for u in s.get("unrecoverable_urls") or [])
    lines = [
        f"finish reason: {s.get('finish_reason')}",
        f"pages fetched: {pages} ({', '.join(kinds)})",
        f"records:       {s.get('records', 0)}",
        f"rejects:       {s.get('rejects', 0)} ({rejects})",
        f"duplicates:    {s.get('duplicates', 0)}",
        f"unrecoverable: {s.get('unrecoverable', 0)}"
        + (f" ({', '.join(f'{k} {v}' for k, v in why.items())})" if why else ""),
        f"http errors:   {s.get('http_errors') or 'none'}",
        f"monitors:      {_monitors_text(s.get('monitors'))}",
        f"output:        {s.get('output_file')}",
        f"rejects file:  {s.get('rejects_file')}",
        f"summary file:  {s.get('summary_file')}",
    ]
    if s.get("elapsed_seconds") is not None:  # the summary's own figure: crawl start to end
        lines.append(f"time taken:    {s['elapsed_seconds']:.1f} s")
    print("\n".join(lines), flush=True)


def _monitors_text(m) -> str:
    if not isinstance(m, dict):
        return "not run"
    failed = "; ".join(f"{f.get('monitor')}: {f.get('reason')}" for f in m.get("failures") or [])
    return f"{m.get('passed', 0)} passed, {m.get('failed', 0)} failed" + (f" ({failed})" if failed else "")


def add_parser(sub) -> None:
    d = sub.add_parser("demo", help="serve the sample aggregator locally, crawl it, print a summary")
    d.add_argument("--articles", type=positive, default=300, help="articles on the sample site (default 300)")
    d.add_argument("--seed", type=int, default=1, help="sample site seed (default 1)")
    d.add_argument("--output-dir", default="data/demo",
                   help="where the JSON Lines go (default data/demo/, never the data/ of real crawls)")
    d.add_argument("--js", action="store_true", help="add a JavaScript section, rendered in Chromium (render_js=auto)")
    d.set_defaults(func=cmd_demo)
