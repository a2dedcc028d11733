"""Generic help for the profile spiders: the body fallback and following to the origin.

``OriginMixin`` overrides ``ProfileSpider.make_item``:

* **Fallback** (a last resort: the label rules read the body of every layout
  the sample sites and stored fixtures have): when the profile's label rules
  find an article's metadata but no body paragraph, the generic body
  extraction (trafilatura, see ``newscrawler.parsing.generic.extract_body``) is
  tried before the page is rejected. Lines the parser's own rules drop (labels,
  boilerplate, ad markers, share, tag and comment lines, the sidebar's teasers,
  the headline) are dropped from what it finds, and less than 80 characters is
  no body. Stats: ``newscrawler/fallback/body``
  (rescued), ``newscrawler/fallback/none`` (still no body: rejected as before).
* **Follow to the origin**: with ``"follow_origin"`` in the profile, an
  article page that shows only a snippet and links to the outlet's own page
  (a link labelled ``المصدر الأصلي``, ``اقرأ الخبر من المصدر``, ``رابط الخبر`` ...,
  or the profile's ``selector``, else the first external link of the article
  block) is completed from that page: the record keeps the aggregator's
  metadata and scores, takes the body from the outlet's page, and adds
  ``origin_url``. Only that one page of the outlet is fetched (request meta
  ``allow_offsite``); its links are never followed. If it cannot be fetched or
  has no body, the record keeps the snippet (and still gets ``origin_url``).
  Stats: ``newscrawler/origin/{requests,followed,no_body,failed}``.

Profile option (all keys optional; ``"follow_origin": true`` takes the defaults)::

    "follow_origin": {"link_texts": ["اقرأ الخبر من المصدر"], "selector": "a.source-link",
                      "when": "snippet", "snippet_max_chars": 300}

``when``: ``"snippet"`` (default: only when the body is shorter than
``snippet_max_chars`` or ends with an ellipsis) or ``"always"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import scrapy
from lxml import etree

from newscrawler.parsing.encoding import decode_html
from newscrawler.parsing.html import html_root, text_of
from newscrawler.parsing.generic import MIN_BODY_CHARS, GenericParser, body_is_usable, extract_body
from newscrawler.processors.text import clean_text
from newscrawler.processors.urls import is_http_url, join_url, page_base
from newscrawler.argtypes import unknown_name
from newscrawler.profiles import ProfileError

DEFAULT_LINK_TEXTS = (
    "المصدر الأصلي", "اقرأ الخبر من المصدر", "اقرأ الخبر كاملا", "اقرأ الخبر كاملاً", "رابط الخبر",
    "الخبر الأصلي", "اقرأ المزيد من المصدر", "تابع القراءة على موقع المصدر", "المصدر الاصلي",
)
SOCIAL_HOSTS = ("facebook.com", "twitter.com", "x.com", "wa.me", "whatsapp.com", "t.me", "telegram.me",
                "linkedin.com", "instagram.com", "youtube.com", "pinterest.com", "reddit.com", "tiktok.com")
ELLIPSIS = ("…", "...", "..", "[…]")


@dataclass
class OriginOptions:
    link_texts: tuple[str, ...] = DEFAULT_LINK_TEXTS
    selector: str | None = None
    when: str = "snippet"
    snippet_max_chars: int = 300
    _xpath: object = field(default=None, repr=False)


def origin_options(profile) -> OriginOptions | None:
    """The profile's ``follow_origin`` option; ProfileError when malformed."""
    raw = (profile.raw or {}).get("follow_origin")
    if raw in (None, False):
        return None
    where = f"{profile.path}: 'follow_origin'"
    if raw is True:
        return OriginOptions()
    if not isinstance(raw, dict):
        raise ProfileError(f"{where} must be true, false or an object")
    known = ("link_texts", "selector", "when", "snippet_max_chars")
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ProfileError(f"{where}: {unknown_name('key', unknown[0], known)}")
    opts = OriginOptions()
    texts = raw.get("link_texts")
    if texts is not None:
        if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
            raise ProfileError(f"{where}: 'link_texts' must be a list of non-empty strings")
        opts.link_texts = tuple(texts)
    when = raw.get("when", "snippet")
    if when not in ("snippet", "always"):
        raise ProfileError(f"{where}: 'when' must be \"snippet\" or \"always\"")
    opts.when = when
    limit = raw.get("snippet_max_chars", 300)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ProfileError(f"{where}: 'snippet_max_chars' must be a whole number >= 0")
    opts.snippet_max_chars = limit
    selector = raw.get("selector")
    if selector is not None:
        if not isinstance(selector, str) or not selector.strip():
            raise ProfileError(f"{where}: 'selector' must be a CSS selector")
        try:
            from cssselect import GenericTranslator

            opts._xpath = etree.XPath(GenericTranslator().css_to_xpath(selector))
        except Exception as e:  # cssselect's and lxml's own errors
            raise ProfileError(f"{where}: bad selector {selector!r}: {e}") from None
        opts.selector = selector
    return opts


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _is_social(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS)


def find_origin_link(html: bytes, url: str, content_type: str | None, opts: OriginOptions,
                     own_hosts: set[str], title: str | None = None) -> str | None:
    """The outlet's page an aggregator article links to, or None."""
    text, _ = decode_html(html, content_type)
    root = html_root(text)
    if root is None:
        return None
    base = page_base(url, root.xpath("string(//base/@href)"))

    def usable(href: str | None) -> str | None:
        if not href:
            return None
        absolute = join_url(base, href.strip())
        host = _host(absolute)
        if not is_http_url(absolute) or _is_social(host):
            return None
        if any(host == h or host.endswith("." + h) for h in own_hosts):
            return None
        return absolute

    if opts._xpath is not None:
        for el in opts._xpath(root):
            found = usable(el.get("href")) if el.tag == "a" else next(
                (usable(a.get("href")) for a in el.iter("a") if usable(a.get("href"))), None)
            if found:
                return found
    wanted = {clean_text(t).rstrip(":： ") for t in opts.link_texts}
    for a in root.iter("a"):
        label = clean_text(text_of(a)).rstrip(":： ")
        if label in wanted:
            found = usable(a.get("href"))
            if found:
                return found
    # the first external link after the headline, skipping share buttons
    # (their query carries the page's own url)
    started = False
    for el in root.iter():
        if el.tag == "h1" and (not title or clean_text(text_of(el)) == clean_text(title)):
            started = True
            continue
        if started and el.tag == "a":
            found = usable(el.get("href"))
            if found and "http" not in unquote(urlsplit(found).query):
                return found
        if started and el.tag in ("aside", "footer"):
            break
    return None


class OriginMixin:
    """See the module docstring; mixed in before ``ProfileSpider``."""

    @classmethod
    def check_arguments(cls, kwargs: dict) -> None:
        super().check_arguments(kwargs)
        profile, _ = cls.resolve(kwargs)
        origin_options(profile)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.origin = origin_options(self.profile)

    # ------------------------------------------------------------ fallback
    def fallback_paragraphs(self, response, page) -> list[str]:
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        found = extract_body(response.body, response.url, ctype)
        teasers = {clean_text(t.get("title")) for t in page.related}
        keep = [p for p in found
                if p != page.title and p not in teasers and self.parser.text_drop_reason(p) is None]
        return keep if body_is_usable(keep) else []

    def make_item(self, response, page):
        stats = self.crawler.stats
        if page.kind == "article" and not page.paragraphs and page.meta:
            # only where the page holds text no rule placed (a true empty body costs nothing)
            paragraphs = self.fallback_paragraphs(response, page) if page.unread_chars >= MIN_BODY_CHARS else []
            if paragraphs:
                page.paragraphs = paragraphs
                stats.inc_value("newscrawler/fallback/body")
            else:
                stats.inc_value("newscrawler/fallback/none")
        item = super().make_item(response, page)
        if item is None or self.origin is None or not hasattr(item, "get") or isinstance(item, scrapy.Request):
            return item
        body = item.get("body") or ""
        if self.origin.when == "snippet" and len(body) >= self.origin.snippet_max_chars \
                and not body.rstrip().endswith(ELLIPSIS):
            return item
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        link = find_origin_link(response.body, response.url, ctype, self.origin, self._hosts, page.title)
        if link is None:
            return item
        item["origin_url"] = self.canonical(link)
        stats.inc_value("newscrawler/origin/requests")
        return scrapy.Request(
            item["origin_url"], callback=self.parse_origin, errback=self.origin_failed,
            meta={"allow_offsite": True, "origin_item": item}, dont_filter=True,
        )

    def parse_origin(self, response):
        item = response.meta["origin_item"]
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1") or None
        page = GenericParser(self.profile.timezone).parse(response.url, response.body, ctype, listed=True)
        if page.paragraphs and len(page.body) > len(item.get("body") or ""):
            item["body"] = page.body
            self.crawler.stats.inc_value("newscrawler/origin/followed")
        else:
            self.crawler.stats.inc_value("newscrawler/origin/no_body")
        yield item  # the outlet's links are never followed

    def origin_failed(self, failure):
        self.crawler.stats.inc_value("newscrawler/origin/failed")
        request = failure.request
        self.logger.info("origin page not fetched (%s): %s; keeping the snippet",
                         failure.value.__class__.__name__, request.url)
        yield request.meta["origin_item"]
