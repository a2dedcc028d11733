"""Article layouts the parser's rules were NOT designed around.

These markups were written after the rules of ``parsing/page.py`` were done,
from patterns of other Arabic news and aggregator sites, and run once against
them: the sample site's layouts (``sample_site/layouts.py``) prove the rules on
the pages they were built beside; these check that they generalise. Each page
shows one sample-site article (its parts from ``SampleSite``), so every field
is checked against the site's ground truth.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from itemadapter import ItemAdapter

from newscrawler.items import article_item
from newscrawler.parsing.page import PageParser
from newscrawler.pipelines.normalize import NormalizePipeline
from newscrawler.sample_site import SampleSite

BASE = "http://127.0.0.1:8123"
SITE = SampleSite(120, seed=3)
TRUTH = {r["url"]: r for r in SITE.ground_truth(BASE)["records"]}
FIELDS = ("title", "body", "published_at", "source", "source_country", "category", "credibility",
          "importance", "related")


def parts(i: int) -> dict:
    info, paras, _fig, _ad, teasers, _more = SITE._plan(i)
    return {
        "url": BASE + SITE._path(info),
        "path": SITE._path(info),
        "headline": info.headline,
        "paras": [" ".join(p) for p in paras],
        "rows": SITE._meta_rows(info, False),
        "aside": "".join(SITE._teaser(j, False) for j in teasers),
    }


def head(p, title=None, og=True) -> str:
    t = f"<title>{title if title is not None else p['headline'] + ' - كشاف'}</title>"
    o = f'<meta property="og:title" content="{p["headline"]}">' if og else ""
    return f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">{t}{o}</head><body>'


SIDEBAR = '<aside class="col-side"><h2>آخر الأخبار حول العالم</h2>{aside}</aside>'
CHROME = ('<div class="topbar"><a href="/"><img src="/logo.png" alt="كشاف"></a> <span>الثلاثاء 1 ديسمبر 2026</span></div>'
          '<nav><a href="/">الرئيسية</a> <a href="/section/politics">سياسة</a> <a href="/section/sports">رياضة</a></nav>')
FOOTER = "<footer><p>جميع الحقوق محفوظة لموقع كشاف 2026. الآراء الواردة تعبر عن أصحابها.</p></footer></body></html>"


def self_linked_headline_infobox(p) -> str:
    """The headline links to the page itself; the metadata in a <dl> infobox before the body."""
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in p["rows"])
    body = "".join(f"<p>{x}</p>" for x in p["paras"])
    return (head(p) + CHROME + f'<div id="wrap"><article><h1><a href="{p["path"]}">{p["headline"]}</a></h1>'
            f'<aside class="infobox"><dl>{dl}</dl></aside><section class="txt">{body}</section></article>'
            + SIDEBAR.format(aside=p["aside"]) + "</div>" + FOOTER)


def tables_site_name_first(p) -> str:
    """An old table layout; the site's name first in <title>; the headline in an <h2>; a <br> body."""
    cells = "".join(f"<tr><td>{k}:</td><td>{v}</td></tr>" for k, v in p["rows"])
    body = "<br><br>".join(p["paras"])
    return (head(p, title="كشاف :: " + p["headline"], og=False) + CHROME
            + '<table width="100%"><tr><td valign="top">'
            f'<table><tr><td><h2>{p["headline"]}</h2></td></tr><tr><td class="txt">{body}</td></tr>'
            f'<tr><td><table class="info">{cells}</table></td></tr></table></td>'
            f'<td width="30%" valign="top">{SIDEBAR.format(aside=p["aside"])}</td></tr></table>' + FOOTER)


def pipe_byline_with_icons(p) -> str:
    """One byline paragraph: icon, label and value, `&nbsp;|&nbsp;` between; a quote and a subhead in the body."""
    byline = "&nbsp;|&nbsp;".join(f'<i class="fa fa-tag"></i> <span class="lbl">{k}:</span> {v}' for k, v in p["rows"])
    paras = p["paras"]
    body = f"<p>{paras[0]}</p>" + "".join(f"<blockquote><p>{x}</p></blockquote>" if k == 1 else f"<p>{x}</p>"
                                          for k, x in enumerate(paras[1:], 1))
    return (head(p) + CHROME + f'<div class="main"><div class="post"><h1 class="post-title">{p["headline"]}</h1>'
            f'<p class="post-meta">{byline}</p><div class="post-content">{body}</div>'
            '<div class="post-tags">وسوم: <a href="/tag/a">سياسة</a> <a href="/tag/b">اقتصاد</a></div></div></div>'
            + SIDEBAR.format(aside=p["aside"]) + FOOTER)


def related_cards_inside_article(p) -> str:
    """A box of related cards (headline links with labels) between the body and the metadata."""
    body = "".join(f"<p>{x}</p>" for x in p["paras"])
    related = []
    for j in (p["i"] % 100 + 1, p["i"] % 100 + 2):
        info = SITE._info(j)
        related.append(f'<li><a href="{SITE._path(info)}">{info.headline}</a> <small>المصدر: {SITE._source_text(info)}'
                       f' التصنيف: سياسة</small></li>')
    meta = "".join(f"<li>{k}: {v}</li>" for k, v in p["rows"])
    return (head(p) + CHROME + f'<main><article><h1>{p["headline"]}</h1><div class="content">{body}</div>'
            f'<div class="same-source"><h3>أخبار أخرى من المصدر</h3><ul>{"".join(related)}</ul></div>'
            f'<ul class="meta">{meta}</ul></article></main>' + SIDEBAR.format(aside=p["aside"]) + FOOTER)


def html5_header_footer(p) -> str:
    """<header> with the headline and the date, the rest of the labels in the article's <footer>."""
    (dk, dv), rest = p["rows"][0], p["rows"][1:]
    body = "".join(f"<p>{x}</p>" for x in p["paras"])
    foot = " ".join(f"<span>{k}: {v}</span>" for k, v in rest)
    return (head(p) + CHROME + f'<main><article><header><h1>{p["headline"]}</h1><time>{dk}: {dv}</time></header>'
            f'<div class="entry">{body}</div><footer class="entry-footer">{foot}</footer></article></main>'
            + SIDEBAR.format(aside=p["aside"]) + FOOTER)


def no_title_tag(p) -> str:
    """No <title>, no og:title: the headline is the only plain <h1>; a one-line label strip above it."""
    strip = " ".join(f"<b>{k}</b> <em>{v}</em>" for k, v in p["rows"])
    body = "".join(f"<p>{x}</p>" for x in p["paras"])
    return ('<!doctype html><html><head><meta charset="utf-8"></head><body>' + CHROME
            + f'<div class="news"><div class="strip">{strip}</div><h1>{p["headline"]}</h1>{body}</div>'
            + SIDEBAR.format(aside=p["aside"]) + FOOTER)


LAYOUTS = [self_linked_headline_infobox, tables_site_name_first, pipe_byline_with_icons,
           related_cards_inside_article, html5_header_footer, no_title_tag]
ARTICLES = [i for i in range(1, 121) if BASE + SITE.article_path(i) in TRUTH][:12]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("i", ARTICLES)
def test_foreign_layout_reads_every_field(layout, i):
    p = dict(parts(i), i=i)
    page = PageParser().parse(p["url"], layout(p).encode("utf-8"), "text/html; charset=utf-8")
    assert page.kind == "article", page.why
    item = NormalizePipeline().process_item(
        article_item(page, "kashaf", "Asia/Riyadh", datetime(2026, 12, 1, tzinfo=timezone.utc)))
    record = ItemAdapter(item).asdict()
    want = TRUTH[p["url"]]
    assert {f: record[f] for f in FIELDS} == {f: want[f] for f in FIELDS}


def test_with_a_sidebar_heading_the_profile_does_not_know_teasers_are_cards_never_metadata():
    """A new aggregator whose sidebar heading no profile names yet: its teasers (headline links with
    labels) must still be cards, also after a comments box (text above the sidebar) and when the
    article's own labels are split in two smaller blocks (a teaser's block is fuller)."""
    from newscrawler.parsing.page import ParserRules

    parser = PageParser(ParserRules(sidebar_headings=("عنوان لا تحمله أي صفحة",)))
    site = SampleSite(120, seed=8)
    truth = {r["url"]: r for r in site.ground_truth(BASE)["records"]}
    checked = 0
    for i in range(1, 121):
        url = BASE + site.article_path(i)
        if url not in truth:
            continue
        status, headers, body = site.handle(site.article_path(i), {})
        page = parser.parse(url, body, dict(headers)["Content-Type"])
        item = NormalizePipeline().process_item(
            article_item(page, "kashaf", "Asia/Riyadh", datetime(2026, 12, 1, tzinfo=timezone.utc)))
        record = ItemAdapter(item).asdict()
        fields = [f for f in FIELDS if f != "related"]
        assert {f: record[f] for f in fields} == {f: truth[url][f] for f in fields}, url
        assert record["related"] == []  # no sidebar known: its teasers are cards (followed), not related
        checked += 1
    assert checked > 100
