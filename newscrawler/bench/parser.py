"""The page parser against trafilatura on the same stored sample pages.

Pages are rendered in-process by ``SampleSite.handle`` (no network) and kept
as bytes. Each extractor first runs over 100 pages of another site (seed 2) to
warm up (imports, compiled patterns; no result of a timed page is cached),
then is timed over all of them; the figure is CPU milliseconds per page
(``time.process_time``: other processes on the machine do not inflate it). Accuracy is the share of
the site's valid articles whose field equals the ground truth, whitespace
collapsed on both sides:

* newscrawler: ``PageParser.parse`` then the item loader (``article_item``) for
  typed fields; ``published_at`` must match the full ISO date-time with offset;
* trafilatura: ``bare_extraction(favor_precision=True, with_metadata=True,
  url=...)``; it reports a date without time, so only the day is compared
  (more lenient than for newscrawler).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

BASE = "http://127.0.0.1:8000"


def sample_pages(count: int, seed: int = 1) -> tuple[list[tuple[str, bytes, str | None]], dict]:
    """``count`` article pages (url, body, content type) and the ground truth by url."""
    from newscrawler.sample_site import SampleSite

    site = SampleSite(count, seed)
    pages = []
    for i in range(1, count + 1):
        path = site.article_path(i)
        status, headers, body = site.handle(path, {})
        if status != 200:
            continue
        ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
        pages.append((BASE + path, body, ctype))
    truth = {r["url"]: r for r in site.ground_truth(BASE + "/")["records"]}
    return pages, truth


def _ws(text) -> str:
    return " ".join(str(text or "").split())


def _timed(fn, pages, warmup) -> tuple[float, list]:
    for p in warmup:  # other pages (another seed): imports and compiled patterns, no cached results
        fn(p)
    started = time.process_time()
    results = [fn(p) for p in pages]
    return (time.process_time() - started) * 1000 / max(1, len(pages)), results


def run(count: int = 1000) -> dict:
    from newscrawler.items import article_item
    from newscrawler.parsing.page import PageParser

    import trafilatura

    pages, truth = sample_pages(count)
    warmup, _ = sample_pages(min(count, 100), seed=2)
    parser = PageParser()
    now = datetime.now(timezone.utc)

    def ours_parse(p):
        return parser.parse(p[0], p[1], p[2])

    def ours(p):
        page = parser.parse(p[0], p[1], p[2])
        if page.kind != "article":
            return None
        return article_item(page, "kashaf", "Asia/Riyadh", now)

    def theirs(p):
        return trafilatura.bare_extraction(p[1], url=p[0], favor_precision=True, with_metadata=True)

    parse_ms, _ = _timed(ours_parse, pages, warmup)
    ours_ms, ours_out = _timed(ours, pages, warmup)
    theirs_ms, theirs_out = _timed(theirs, pages, warmup)

    valid = [(k, p) for k, p in enumerate(pages) if p[0] in truth]
    acc = {"ours": {"title": 0, "body": 0, "date": 0}, "trafilatura": {"title": 0, "body": 0, "date": 0}}
    for k, p in valid:
        t = truth[p[0]]
        item = ours_out[k]
        if item is not None:
            acc["ours"]["title"] += _ws(item.get("title")) == _ws(t["title"])
            acc["ours"]["body"] += _ws(item.get("body")) == _ws(t["body"])
            acc["ours"]["date"] += item.get("published_at") == t["published_at"]
        doc = theirs_out[k]
        if doc is not None:
            d = doc if isinstance(doc, dict) else doc.as_dict()
            acc["trafilatura"]["title"] += _ws(d.get("title")) == _ws(t["title"])
            acc["trafilatura"]["body"] += _ws(d.get("text")) == _ws(t["body"])
            acc["trafilatura"]["date"] += (d.get("date") or "")[:10] == t["published_at"][:10]
    n = max(1, len(valid))
    accuracy = {who: {f: round(v / n, 3) for f, v in fields.items()} for who, fields in acc.items()}
    return {
        "pages": len(pages),
        "valid_articles": len(valid),
        "parser_ms": round(parse_ms, 3),
        "parser_item_ms": round(ours_ms, 3),
        "trafilatura_ms": round(theirs_ms, 3),
        "speedup": round(theirs_ms / ours_ms, 1) if ours_ms else 0.0,
        "accuracy": accuracy,
    }
