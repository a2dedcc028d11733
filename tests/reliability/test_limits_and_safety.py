"""Limits and safety: size, page and depth budgets, per-domain concurrency, safe file names,
page content never executed, scrapyd bound to 127.0.0.1 with a password."""

from __future__ import annotations

import ast
import configparser
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from newscrawler.parsing.page import PageParser
from newscrawler.processors.urls import canonical_url
from newscrawler.runner import project_settings
from newscrawler.sample_site import SampleSite, corpus
from newscrawler.sample_site.faults import FaultPlan, serve_faulty
from tests.conftest import ROOT
from tests.helpers import assert_matches_truth, outputs, read_jsonl, scrapy_crawl


def test_limits_are_set():
    s = project_settings()
    assert 0 < s.getint("DOWNLOAD_WARNSIZE") < s.getint("DOWNLOAD_MAXSIZE") <= 50 * 1024 * 1024
    assert s.getint("CLOSESPIDER_PAGECOUNT") > 0 and s.getint("DEPTH_LIMIT") > 0
    assert 0 < s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 8
    assert s.getbool("DOWNLOAD_FAIL_ON_DATALOSS") and s.getbool("ROBOTSTXT_OBEY")
    assert not s.getbool("REMOTE_CONTROL_ENABLED") and not s.getbool("TELNETCONSOLE_ENABLED")
    mws = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws.get("scrapy.downloadermiddlewares.retry.RetryMiddleware", 0) is None
    assert "newscrawler.middlewares.BackoffRetryMiddleware" in mws


def test_page_budget_depth_limit_and_safe_file_names(tmp_path):
    site = SampleSite(300, 3)  # the home page's chain is 15 pages deep, deeper than DEPTH_LIMIT=1
    out = tmp_path / "deep" / "er" / "out"
    plan = FaultPlan({}, 0)  # no faults: only the request log
    with serve_faulty(site, plan) as served:
        proc = scrapy_crawl("kashaf", out, "-a", f"start_url={served.url}", "-s", "DEPTH_LIMIT=1",
                            "-s", "NEWSCRAWLER_RUN_ID=../../etc/passwd", "-s", "NEWSCRAWLER_WORKER_ID=../../../w")
        requested = set(plan.attempts())
        proc2 = scrapy_crawl("kashaf", tmp_path / "budget", "-a", f"start_url={served.url}",
                             "-s", "CLOSESPIDER_PAGECOUNT=12", "-s", "CONCURRENT_REQUESTS=2")
    assert proc.returncode == 0 and proc2.returncode == 0, proc.stderr[-2000:] + proc2.stderr[-2000:]
    # depth 1: a pagination step is no link deeper, so every page of every listing chain is read, and
    # what they link to; nothing linked only from an article page
    base = served.url.rstrip("/")
    slugs = [slug for slug, _ in corpus.CATEGORIES]
    chains = ["/"] + [f"/?page={k}" for k in range(2, site.home_pages + 1)] + [
        f"/section/{slug}" + (f"?p={k}" if k > 1 else "") for c, slug in enumerate(slugs)
        for k in range(1, site.section_pages[c] + 1)]
    linked = set(chains)
    for path in chains:
        linked |= {canonical_url(u)[len(base):] for u in PageParser().parse(base + path, site.handle(path)[2],
                                                                             "text/html").links if u.startswith(base)}
    assert set(chains) <= requested and requested - {"/robots.txt"} <= linked, sorted(requested - linked)[:5]
    articles = {site.article_path(i) for i in range(1, site.n + 1)}
    assert articles <= requested  # the end of the 15-page chain too
    summary = json.loads(outputs(out)["summaries"][0].read_text("utf-8"))
    assert summary["budget"]["chains_stopped"]["depth_limit"] > 0 and summary["budget"]["max_depth"] == 1
    assert_matches_truth(read_jsonl(outputs(out)["records"][0]), site.ground_truth(base))
    # every file stays in the output folder, named from safe parts only
    created = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert created and all(out in p.parents or (tmp_path / "budget") in p.parents for p in created), created
    assert all(".." not in p.name and "/" not in p.name for p in created)
    # page budget
    summary = json.loads(outputs(tmp_path / "budget")["summaries"][0].read_text("utf-8"))
    assert summary["finish_reason"] == "closespider_pagecount"
    assert summary["pages_fetched"] <= 12 + 2 + 1  # the budget, plus what was already in flight
    assert summary["budget"]["chains_stopped"]["page_budget"] == 1


_NASTY = """<!doctype html><html><head><meta charset="utf-8"><title>t</title>
<script>fetch('/beacon?script'); document.write('<img src="/beacon?write">');</script></head><body>
<h1>عنوان الخبر: __import__('os').system('touch /tmp/pwned') {{7*7}}</h1>
<p>فقرة أولى فيها ${7*7} و <img src="x" onerror="fetch('/beacon?onerror')"> و eval('1+1') ونص عادي طويل بما يكفي.</p>
<p>فقرة ثانية <a href="javascript:fetch('/beacon?href')">رابط</a> <a href="mailto:a@b.example">بريد</a> <a href="tel:+100">هاتف</a>.</p>
<ul><li>تاريخ الخبر: 2023-10-20 09:07:06</li><li>المصدر: فرانس 24 - فرنسا</li><li>التصنيف: سياسة</li>
<li>مستوى الصحة: 94%</li><li>الأهمية: 95%</li></ul>
<iframe src="/beacon?iframe"></iframe><object data="/beacon?object"></object>
<noscript><img src="/beacon?noscript"></noscript></body></html>"""


class _Nasty(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.hits.append(self.path)
        body = _NASTY.encode() if self.path == "/" else b"User-agent: *\n" if self.path == "/robots.txt" else b"x"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_page_content_is_never_executed(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Nasty)
    server.hits = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proc = scrapy_crawl("kashaf", tmp_path, "-a", f"start_url=http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not any(h.startswith("/beacon") for h in server.hits), server.hits
    assert not Path("/tmp/pwned").exists()
    records = read_jsonl(outputs(tmp_path)["records"][0])
    assert len(records) == 1
    assert "__import__('os')" in records[0]["title"] and "{{7*7}}" in records[0]["title"]
    assert "eval('1+1')" in records[0]["body"] and "${7*7}" in records[0]["body"]


def test_no_eval_or_exec_in_the_code():
    """No code path can evaluate text: the package calls no eval/exec/compile, no pickle/marshal loads."""
    bad = []
    for path in (ROOT / "newscrawler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
                if (isinstance(f, ast.Name) and name in ("eval", "exec", "compile")) or \
                        (owner in ("pickle", "marshal", "yaml") and name in ("load", "loads")):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} {owner + '.' if owner else ''}{name}")
    assert not bad, bad


def test_sample_scrapyd_conf_is_local_and_authenticated():
    conf = configparser.ConfigParser()
    assert conf.read(ROOT / "scrapyd.conf"), "scrapyd.conf is missing"
    section = conf["scrapyd"]
    assert section.get("bind_address") == "127.0.0.1"
    assert section.get("username", "").strip() and section.get("password", "").strip()
