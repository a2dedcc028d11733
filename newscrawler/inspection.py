"""What the page parser saw on one page, and why: the report of ``python -m newscrawler inspect``.

``inspect_page(url, body, content_type, profile)`` parses the page with the
profile's rules and ``explain=True`` (``ParsedPage.trace``), then builds the
record the item loader makes and validates it as the pipelines would. The
report lists, in the order a person checks: the kind of page, the headline
and the candidates that lost, each metadata field with the line it came from
and where it is (an XPath), the body paragraphs and each dropped block with
its reason, the cards and teasers, and the record or its reject reason; for a
page that is not an article, the rule that failed.

``annotate(body, content_type, report)`` writes the page back with what was
found outlined and labelled, to look at in a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from newscrawler.parsing.page import DROP_REASONS, ParsedPage

KIND_AR = {"article": "خبر (article)", "listing": "قائمة أخبار (listing)", "other": "صفحة أخرى (other)"}
FIELD_AR = {
    "published_at": "تاريخ الخبر", "source": "المصدر", "category": "التصنيف",
    "credibility": "مستوى الصحة", "importance": "الأهمية",
}


@dataclass
class Report:
    url: str
    page: ParsedPage
    record: dict | None  # the record the item loader and the normaliser make (articles)
    problems: list  # (field, code, reason) from validation: the reject reason, empty when valid


def inspect_page(url: str, body: bytes, content_type: str | None, profile, crawled_at: datetime | None = None) -> Report:
    from itemadapter import ItemAdapter

    from newscrawler.items import article_item
    from newscrawler.parsing.page import PageParser
    from newscrawler.pipelines.normalize import NormalizePipeline
    from newscrawler.pipelines.validate import check

    page = PageParser(profile.rules).parse(url, body, content_type, explain=True)
    record, problems = None, []
    if page.kind == "article":
        when = crawled_at or datetime.now(timezone.utc)
        item = NormalizePipeline().process_item(article_item(page, profile.name, profile.timezone, when))
        record = ItemAdapter(item).asdict()
        problems = check(record)
    return Report(url, page, record, problems)


def _short(text: str, n: int = 90) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def format_report(r: Report) -> str:
    """The report as text (Arabic headings, with the English word in brackets)."""
    import json

    page, t = r.page, r.page.trace
    out = [f"الصفحة (page): {r.url}", f"النوع (kind): {KIND_AR.get(page.kind, page.kind)}"]
    if page.not_found:
        out.append("صفحة غير موجودة (soft 404): the page says it was not found")
    if page.why:
        out.append(f"السبب (why): {page.why}")
    out.append("")
    out.append("العنوان (headline):")
    if t.headline:
        out.append(f"  ✔ {t.headline['text']}    [{t.headline['path']}]")
    elif page.title:
        out.append(f"  ✔ {page.title}    [from the page's <title>/og:title: no heading was chosen]")
    else:
        out.append("  ✘ none")
    if t.titles:
        out.append("  the page's own titles: " + " | ".join(_short(x, 70) for x in t.titles))
    chosen = t.headline["path"] if t.headline else None
    for c in t.candidates:
        if c["path"] != chosen:
            out.append(f"  ✘ h{c['level']} score {c['score']:.2f}: {_short(c['text'], 70)}    [{c['path']}]")
    if page.kind == "article":
        out.append("")
        out.append("البيانات (metadata):")
        for name, label in FIELD_AR.items():
            src = t.meta.get(name)
            if src:
                out.append(f"  {label} ({name}): {page.meta.get(name)!r}")
                out.append(f"      from: {_short(src['text'], 100)}    [{src['path']}]")
            else:
                out.append(f"  {label} ({name}): — not on the page")
        out.append("")
        out.append(f"النص (body): {len(page.paragraphs)} paragraphs    [container {t.container}]")
        for k, b in enumerate(t.body, 1):
            out.append(f"  {k}. {_short(b['text'])}    [{b['path']}]")
        if t.dropped:
            out.append("")
            out.append("ما استُبعد (dropped):")
            for d in t.dropped:
                out.append(f"  - {DROP_REASONS.get(d['reason'], d['reason'])}: {_short(d['text'], 80)}    [{d['path']}]")
    if t.cards:
        out.append("")
        out.append(f"البطاقات (listing cards): {len(t.cards)}")
        for c in t.cards[:30]:
            fields = ", ".join(f"{k}={_short(v, 30)!r}" for k, v in c.items() if k not in ("title", "url"))
            out.append(f"  • {_short(c['title'], 60)} -> {c['url']}  ({fields})")
    if t.teasers:
        out.append("")
        out.append(f"الشريط الجانبي (sidebar teasers -> related): {len(t.teasers)}")
        for c in t.teasers[:30]:
            out.append(f"  • {_short(c['title'], 60)} -> {c['url']}")
    out.append("")
    if r.record is not None:
        if r.problems:
            out.append("السجل (record): REJECTED: " + "; ".join(reason for _, _, reason in r.problems))
        else:
            out.append("السجل (record): valid")
        shown = {k: v for k, v in r.record.items() if k != "related"}
        shown["related"] = f"[{len(r.record.get('related') or [])} teasers]"
        out.append(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        out.append("السجل (record): none (not an article)")
    return "\n".join(out)


_STYLE = """
[data-nc]{outline:3px solid var(--c);outline-offset:2px;position:relative}
[data-nc]::before{content:attr(data-nc-note);position:absolute;top:-1.4em;inset-inline-start:0;background:var(--c);
 color:#fff;font:bold 11px/1.3 sans-serif;padding:1px 4px;direction:ltr;white-space:nowrap;z-index:99}
[data-nc=headline]{--c:#c0392b}[data-nc=meta]{--c:#2e6fd8}[data-nc=body]{--c:#1e9e4a}
[data-nc=dropped]{--c:#8a8a8a;opacity:.75}[data-nc=card]{--c:#e67e22}[data-nc=teaser]{--c:#8e44ad}
#nc-legend{position:sticky;top:0;z-index:100;background:#222;color:#fff;font:13px sans-serif;padding:6px;direction:ltr}
#nc-legend b{padding:0 6px;margin-inline-end:6px}
"""


def annotate(body: bytes, content_type: str | None, report: Report) -> str:
    """The page with what the parser found outlined and labelled (scripts removed)."""
    from lxml import etree

    from newscrawler.parsing.encoding import decode_html
    from newscrawler.parsing.html import html_root

    text, _ = decode_html(body, content_type)
    root = html_root(text)
    if root is None:
        return "<html><body><p>no HTML</p></body></html>"
    t = report.page.trace
    marks: list[tuple[str, str, str]] = []  # (path, kind, note)
    if t.headline:
        marks.append((t.headline["path"], "headline", "headline"))
    for name, src in t.meta.items():
        marks.append((src["path"], "meta", f"meta: {name}"))
    for k, b in enumerate(t.body, 1):
        marks.append((b["path"], "body", f"body {k}"))
    for d in t.dropped:
        kind = {"card": "card", "sidebar": "teaser"}.get(d["reason"], "dropped")
        marks.append((d["path"], kind, f"dropped: {d['reason']}" if kind == "dropped" else kind))
    seen = set()
    for path, kind, note in marks:
        if not path or (path, kind) in seen:
            continue
        seen.add((path, kind))
        found = root.xpath(path)
        if found and found[0].get("data-nc") is None:
            found[0].set("data-nc", kind)
            found[0].set("data-nc-note", note)
    for s in root.xpath("//script"):
        s.getparent().remove(s)
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    meta = etree.SubElement(head, "meta", charset="utf-8")
    head.insert(0, meta)
    style = etree.SubElement(head, "style")
    style.text = _STYLE
    bodies = root.xpath("//body")
    if bodies:
        legend = etree.Element("div", id="nc-legend")
        legend.text = f"newscrawler inspect: {report.page.kind} — "
        for kind, color in (("headline", "#c0392b"), ("meta", "#2e6fd8"), ("body", "#1e9e4a"),
                            ("dropped", "#8a8a8a"), ("card", "#e67e22"), ("teaser", "#8e44ad")):
            b = etree.SubElement(legend, "b", style=f"background:{color}")
            b.text = kind
        bodies[0].insert(0, legend)
    return "<!DOCTYPE html>\n" + etree.tostring(root, encoding="unicode", method="html")
