"""The article body: three extractions, picked by agreement.

``best_body(html, url, ld_body)`` -> ``(paragraphs, source)``. No network.

* **T**, trafilatura with ``favor_precision=True`` (no comments, tables, images or
  links): the precise one, and the base;
* **D**, a DOM-density candidate: trafilatura's port of readability (the element
  with the densest run of paragraph text, with its siblings), kept as paragraphs;
* **J**, the page's own JSON-LD ``articleBody``, when it has one.

Picked by agreement, so that nothing only one method saw gets in:

1. **J** is taken when it holds T (at least 80% of T's words) and says more, or
   when T finds nothing: the page's own statement of its body;
2. without J, T's holes are filled from D: a paragraph of D that lies *between*
   two paragraphs T also has (the article's span, as T delimits it), that T
   lost, and that is a paragraph (80 characters and 12 words at least: not an ad
   line or a caption) is put back. What D has before T's first or after T's last paragraph (bylines,
   teasers, comment boxes) never gets in;
3. when T finds nothing usable and there is no J, D is taken only if the page's
   headline is right above it in the page (D is then the article, not a teaser list).

``source`` says which: ``"trafilatura"``, ``"trafilatura+density"``, ``"json-ld"``,
``"density"``.
"""

from __future__ import annotations

import re
from collections import Counter

from newscrawler.processors.text import clean_text

MIN_BODY_CHARS = 80
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "dd", "div")
_WORD = re.compile(r"\w+")


def words(text: str) -> Counter:
    return Counter(_WORD.findall(text))


def contained(part: Counter, whole: Counter) -> float:
    """Share of ``part``'s words that ``whole`` has too (0..1)."""
    n = sum(part.values())
    return sum((part & whole).values()) / n if n else 0.0


def overlap(a: Counter, b: Counter) -> float:
    """Dice overlap of two bags of words (0..1): the same paragraph, however split."""
    n = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / n if n else 0.0


def usable(paragraphs: list[str]) -> bool:
    return sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS


def trafilatura_paragraphs(html: str, url: str | None = None) -> list[str]:
    import trafilatura

    try:
        text = trafilatura.extract(
            html, url=url, favor_precision=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, deduplicate=False, output_format="txt",
        )
    except Exception:  # trafilatura on a hostile page: no body rather than a crash
        return []
    return [p for p in (clean_text(line) for line in (text or "").split("\n")) if p]


def density_paragraphs(html: str) -> list[str]:
    """The readability candidate (trafilatura's port) as paragraphs: one per block
    element and per ``<br>``-separated line; lines mostly made of link text are left out."""
    from lxml import html as lxml_html
    from trafilatura.readability_lxml import Document

    try:
        tree = lxml_html.fromstring(html)
        for br in tree.iter("br"):
            br.tail = "\n" + (br.tail or "")
        summary = lxml_html.fromstring(Document(tree).summary())
    except Exception:  # an empty or hostile page
        return []
    out = []
    for el in summary.iter(*_BLOCKS):
        if any(child.tag in _BLOCKS for child in el.iterdescendants()):
            # a block's own text: loose text and inline children, the blocks inside come on their own
            parts = [el.text]
            for c in el:
                if isinstance(c.tag, str) and c.tag not in _BLOCKS and not any(x.tag in _BLOCKS for x in c.iterdescendants()):
                    parts.append("\n" + c.text_content() + "\n" if c.tag != "br" else "")
                parts.append(c.tail)
            text, links = "".join(t for t in parts if t), 0
        else:
            text = el.text_content()
            links = sum(len(clean_text(a.text_content())) for a in el.iter("a"))
        lines = [clean_text(line) for line in text.split("\n")]
        lines = [line for line in lines if line]
        if lines and links < 0.5 * sum(map(len, lines)):
            out.extend(lines)
    return out


def _is_paragraph(p: str) -> bool:
    """Long enough to be a paragraph of the article, not an ad line or a caption."""
    return len(p) >= 80 and len(p.split()) >= 12


def _same(a: str, b_words: Counter, threshold: float = 0.8) -> bool:
    return contained(words(a), b_words) >= threshold


def fill_holes(base: list[str], dense: list[str]) -> list[str]:
    """``base`` with the paragraphs of ``dense`` that lie between two paragraphs
    both have (see the module docstring, rule 2)."""
    base_words = [words(p) for p in base]
    all_base = sum(base_words, Counter())
    # position in base of each dense paragraph that base has, else None
    where = []
    for p in dense:
        w = words(p)
        hit = next((i for i, bw in enumerate(base_words) if overlap(w, bw) >= 0.7), None)
        where.append(hit)
    anchors = [k for k, hit in enumerate(where) if hit is not None]
    if len(anchors) < 2:
        return base
    inserts: dict[int, list[str]] = {}
    for k in range(anchors[0] + 1, anchors[-1]):
        if where[k] is None and _is_paragraph(dense[k]) and not _same(dense[k], all_base):
            after = max(where[j] for j in anchors if j < k)
            inserts.setdefault(after, []).append(dense[k])
    if not inserts:
        return base
    out = []
    for i, p in enumerate(base):
        out.append(p)
        out.extend(inserts.get(i, []))
    return out


def best_body(html: str, url: str | None = None, ld_body: list[str] | None = None,
              title: str | None = None) -> tuple[list[str], str | None]:
    """See the module docstring."""
    t = trafilatura_paragraphs(html, url)
    j = ld_body if ld_body and usable(ld_body) else []
    if j:
        tw, jw = words(" ".join(t)), words(" ".join(j))
        if not usable(t) or (contained(tw, jw) >= 0.8 and sum(jw.values()) > sum(tw.values())):
            return j, "json-ld"
    d = density_paragraphs(html)
    if usable(t):
        if not d:
            return t, "trafilatura"
        filled = fill_holes(t, d)
        return (filled, "trafilatura+density") if filled != t else (t, "trafilatura")
    if usable(d) and title and _headline_leads(html, title, d):
        return d, "density"
    return (t, "trafilatura") if t else ([], None)


def _headline_leads(html: str, title: str, dense: list[str]) -> bool:
    """The headline comes right before the density candidate's first paragraph."""
    text = clean_text(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", html)))
    first = text.find(dense[0][:40])
    if dense[0].startswith(title) or first < 0:
        return first >= 0
    at = text.rfind(title, 0, first)
    return at >= 0 and first - at - len(title) <= 400
