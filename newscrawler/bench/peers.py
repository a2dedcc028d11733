"""The extractors people use today, run on the same stored pages as newscrawler.

``available()`` -> ``({name: extract}, [missing names])``; ``extract(html, url)``
returns ``{"title", "date", "body"}`` (None where the peer gives nothing). No
network: newspaper4k gets the HTML (``input_html``, no image fetching), goose3
``raw_html`` with image fetching off, trafilatura and htmldate the text.

The peers are optional benchmark dependencies (``requirements-bench.txt``):
the crawler never imports this module at run time. trafilatura (and htmldate,
which trafilatura needs) are run-time dependencies anyway; newspaper4k (with nltk
for its Arabic tokenizer) and goose3 may be missing, and ``available`` says so.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import warnings

PEERS = ("trafilatura", "htmldate", "newspaper4k", "goose3")
_MODULES = {"trafilatura": "trafilatura", "htmldate": "htmldate", "newspaper4k": "newspaper", "goose3": "goose3"}


def _iso(value) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def trafilatura_extract(html: str, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, favor_precision=True, with_metadata=True,
                                      include_comments=False, include_tables=False, deduplicate=False)
    if doc is None:
        return {"title": None, "date": None, "body": None}
    return {"title": doc.title, "date": _iso(doc.date), "body": doc.text}


def htmldate_extract(html: str, url: str) -> dict:
    from htmldate import find_date

    return {"title": None, "date": _iso(find_date(html, url=url, original_date=True)), "body": None}


def newspaper_extract(html: str, url: str) -> dict:
    from newspaper import Article

    article = Article(url, language="ar", fetch_images=False)
    article.download(input_html=html)
    article.parse()
    return {"title": article.title or None, "date": _iso(article.publish_date), "body": article.text or None}


def goose_extract(html: str, url: str) -> dict:
    from goose3 import Goose

    with Goose({"enable_image_fetching": False, "target_language": "ar", "use_meta_language": False}) as g:
        article = g.extract(raw_html=html, url=url)
        return {"title": article.title or None, "date": _iso(article.publish_date),
                "body": article.cleaned_text or None}


_EXTRACT = {"trafilatura": trafilatura_extract, "htmldate": htmldate_extract,
            "newspaper4k": newspaper_extract, "goose3": goose_extract}


def available() -> tuple[dict, list[str]]:
    found, missing = {}, []
    for name in PEERS:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(_MODULES[name])
                if name == "newspaper4k":
                    importlib.import_module("nltk")  # its Arabic tokenizer
        except Exception:  # noqa: BLE001 - not installed, or installed but broken: missing either way
            missing.append(name)
        else:
            found[name] = _EXTRACT[name]
    return found, missing


def run_peer(extract, html: str, url: str) -> dict:
    """A peer's result, or an empty one (with the error) when the peer fails on a page."""
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # a peer's own prints
            warnings.simplefilter("ignore")
            return extract(html, url)
    except Exception as e:  # noqa: BLE001 - a peer's crash is its result on that page
        return {"title": None, "date": None, "body": None, "error": f"{type(e).__name__}: {e}"[:200]}
