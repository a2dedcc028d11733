"""Article page layouts of the sample aggregator beyond the seed's order.

Real Arabic aggregators lay the same parts out in many ways. Every layout here
shows the same article (so the ground truth does not change with the layout);
only the arrangement and the noise around it differ:

``BYLINE``  the metadata first: all labels in a byline under the headline (one
            line with ``|``, ``·`` or no separator, or a box), the body after;
            headline and byline sometimes wrapped in a ``<header>`` beside the body.
``SPLIT``   the metadata split: date and outlet in a dateline under the
            headline, category and scores in a box after the body.
``INLINE``  label and value inline without a colon
            (``<strong>المصدر</strong> <span>…</span>``: the colon is drawn by CSS),
            in a box after the body or under the headline, sometimes several
            labels on one line.
``H2``      the site's name as the page's only ``<h1>``, the headline in an ``<h2>``.

Noise inside the article, drawn for every layout here: a caption beside an
image (no ``<figure>``), ``اقرأ أيضا:`` lines with a linked headline between the
paragraphs, share bars (with words or icons only), tag lists (linked or plain
text), and a comments box with readers' comments.

The class names (``headline``, ``article-body``, ``news-meta``, ``noise``, ``k``)
are for the site's own test reader (``tests/unit/test_sample_site.py``); the
crawler never looks at them.
"""

from __future__ import annotations

import random

from . import corpus as C

CLASSIC, BYLINE, SPLIT, INLINE, H2 = range(5)
NAMES = ("classic", "byline", "split", "inline", "h2")
MIXES = ("all", "classic")  # SampleSite(layouts=...): every layout, or the seed's order only
# (key + key // 12) % 12 picks the layout: a third keep the seed's order.
CYCLE = (CLASSIC, BYLINE, CLASSIC, SPLIT, CLASSIC, INLINE, CLASSIC, H2, BYLINE, SPLIT, INLINE, H2)

READ_ALSO = ("اقرأ أيضا", "اقرأ أيضاً", "إقرأ أيضا")
TAG_TITLES = ("الكلمات المفتاحية", "الوسوم", "كلمات دلالية")
SHARE_TITLES = ("شارك الخبر", "شارك", "مشاركة")
SOCIAL = (("فيسبوك", "https://www.facebook.com/sharer/sharer.php?u="), ("تويتر", "https://twitter.com/intent/tweet?url="),
          ("واتساب", "https://wa.me/?text="), ("تيليغرام", "https://t.me/share/url?url="))


def layout_of(key: int) -> int:
    return CYCLE[(key + key // 12) % len(CYCLE)]


def labels_line(rows, sep: str, css: str) -> str:
    """Several labels on one line, each in a span, joined by ``sep``."""
    inner = sep.join(f"<span>{k}: {v}</span>" for k, v in rows)
    return f'<div class="{css} news-meta">{inner}</div>'


def colonless(rows, rng: random.Random) -> str:
    """Labels whose colon is drawn by CSS: the label and its value in elements of their own."""
    form = rng.randrange(3)
    if form == 0:
        inner = "".join(f'<li><strong class="k">{k}</strong> <span class="v">{v}</span></li>' for k, v in rows)
        return f'<ul class="facts news-meta">{inner}</ul>'
    if form == 1:  # nothing between label and value
        inner = "".join(f'<div class="fact"><b class="k">{k}</b><span class="v">{v}</span></div>' for k, v in rows)
        return f'<div class="facts news-meta">{inner}</div>'
    half = (len(rows) + 1) // 2  # two lines, several labels on each
    lines = [rows[:half], rows[half:]]
    inner = "".join("<p>" + " ".join(f'<b class="k">{k}</b> {v}' for k, v in line) + "</p>" for line in lines if line)
    return f'<div class="facts news-meta">{inner}</div>'


def share_bar(rng: random.Random, page_url: str) -> str:
    form = rng.randrange(3)
    links = SOCIAL[: 2 + rng.randrange(3)]
    if form == 2:  # icons only: no words at all
        inner = "".join(f'<a href="{u}{page_url}" title="{n}"><i class="icon"></i></a>' for n, u in links)
        return f'<div class="share-bar">{inner}</div>'
    words = " ".join(f'<a href="{u}{page_url}">{n}</a>' for n, u in links)
    return f'<div class="share-bar">{SHARE_TITLES[rng.randrange(len(SHARE_TITLES))]}: {words}</div>'


def tag_list(rng: random.Random) -> str:
    picks = rng.sample(C.KEYWORDS, 3)
    title = TAG_TITLES[rng.randrange(len(TAG_TITLES))]
    if rng.random() < 0.5:  # plain text, no links
        return f'<p class="tags noise">{title}: {"، ".join(w for w, _ in picks)}</p>'
    links = " ".join(f'<a href="/section/{slug}?utm_source=tags">{w}</a>' for w, slug in picks)
    return f'<div class="tags noise">{title}: {links}</div>'


def comments_box(rng: random.Random) -> str:
    n = rng.randrange(3)
    users = rng.sample(C.COMMENT_USERS, n)
    texts = rng.sample(C.COMMENTS, n)
    items = "".join(f'<div class="comment"><strong>{u}</strong><p>{t}</p></div>' for u, t in zip(users, texts))
    return (f'<section class="comments"><h3>التعليقات ({n})</h3>{items}'
            '<div class="comment-form"><p>أضف تعليقك</p><textarea name="c"></textarea>'
            "<button>إرسال</button></div></section>")


def caption_block(rng: random.Random, key: int) -> str:
    return (f'<div class="photo noise"><img src="https://img.kashaf.example/p/{key}.jpg" alt="">'
            f"<span>{C.CAPTIONS[rng.randrange(len(C.CAPTIONS))]}</span></div>")


def body_html(texts: list[str], divbody: bool, rng: random.Random, key: int, read_also: tuple[str, str] | None,
              ad_html: str) -> str:
    """The paragraphs in ``div.article-body`` with captions and 'read also' lines among them."""
    parts = ['<div class="article-body">']
    if ad_html:
        parts.append(ad_html)
    caption = rng.random() < 0.5
    if divbody:
        if caption:
            parts.append(caption_block(rng, key))
        parts.append("<br><br>\n".join(texts))
    else:
        at = rng.randrange(2) if caption else -1
        if at == 0:
            parts.append(caption_block(rng, key))
        also_at = rng.randrange(1, len(texts)) if read_also and len(texts) >= 2 else -1
        for k, t in enumerate(texts):
            if k == also_at:
                href, headline = read_also
                parts.append(f'<p class="read-also noise">{READ_ALSO[rng.randrange(len(READ_ALSO))]}: '
                             f'<a href="{href}">{headline}</a></p>')
            parts.append(f"<p>{t}</p>")
            if k == 0 and at == 1:
                parts.append(caption_block(rng, key))
    parts.append("</div>")
    return "".join(parts)


def article_main(layout: int, rng: random.Random, headline: str, body: str, rows, box: str,
                 page_url: str) -> str:
    """The ``<article>`` (and what follows it in ``<main>``) of a non-classic layout.

    ``rows``: the metadata (label, value) in the seed's order; ``box``: the same
    rows in the article's metadata markup (list, table, dl, ...)."""
    level = 2 if layout == H2 else 1
    head = f'<h{level} class="headline">{headline}</h{level}>'
    top = bottom = ""
    if layout == BYLINE or (layout == H2 and rng.random() < 0.5):
        form = rng.randrange(len(C.LABEL_SEPARATORS) + 1)
        top = box if form == len(C.LABEL_SEPARATORS) else labels_line(rows, C.LABEL_SEPARATORS[form], "byline")
    elif layout == SPLIT:
        first = [r for r in rows if r[0] in ("تاريخ الخبر", "المصدر")]
        rest = [r for r in rows if r not in first]
        sep = C.LABEL_SEPARATORS[rng.randrange(len(C.LABEL_SEPARATORS))]
        top = labels_line(first, sep, "dateline")
        bottom = colonless(rest, rng) if rng.random() < 0.3 else _box_like(rest, rng)
    elif layout == INLINE:
        if rng.random() < 0.5:
            top = colonless(rows, rng)
        else:
            bottom = colonless(rows, rng)
    else:  # H2 with the box after the body
        bottom = box
    if top and rng.random() < 0.5:  # headline and byline in a <header> beside the body
        head_html = f'<header class="story-head">{head}{top}</header>'
    else:
        head_html = head + top
    share = share_bar(rng, page_url) if rng.random() < 0.7 else ""
    tags = tag_list(rng) if rng.random() < 0.5 else ""
    comments = comments_box(rng) if rng.random() < 0.7 else ""
    inside = rng.random() < 0.5  # the comments box inside the <article>, or after it
    article = (f'<article class="story">{head_html}{body}{share}{bottom}{tags}'
               f'{comments if inside else ""}</article>')
    return article + ("" if inside else comments)


def _box_like(rows, rng: random.Random) -> str:
    if rng.random() < 0.5:
        inner = "".join(f"<li>{k}: {v}</li>" for k, v in rows)
        return f'<ul class="story-footer news-meta">{inner}</ul>'
    inner = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="story-footer news-meta"><tbody>{inner}</tbody></table>'
