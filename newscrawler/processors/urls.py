"""URL canonicalisation and stable article ids.

``canonical_url`` drops the fragment, session ids and tracking parameters,
lowercases scheme and host, drops the default port, then applies
``w3lib.url.canonicalize_url`` (sorted query, normalised percent-encoding). It
is idempotent and never raises: a string that is not an absolute URL (no scheme
or no host) or cannot be parsed comes back stripped. ``url_id`` is the SHA-1 hex
digest of the canonical url.
``join_url`` is ``urljoin`` that never raises: a link it cannot read (an
unclosed IPv6 bracket, ``https://[broken.example/x``) joins to ``""`` and is
counted (``unreadable_links()``).

Which parameters go (the one list, below): session ids (``sessionid``,
``phpsessid``, ``jsessionid`` and the like, in the query or as a ``;name=value``
path parameter; ``sid`` only when its value is not a number, since ``sid=123``
is a story id on some sites) and analytics parameters (``utm_*`` and the click
ids of the ad networks). w3lib keeps every parameter (``canonicalize_url`` only
sorts them; ``url_query_cleaner`` removes a list it is given). courlan's
``TRACKERS_RE`` is built for de-duplicating a web corpus and matches parts of
names anywhere (``cid``, ``source``, ``ref``, ``ga`` in ``gallery``), so it would
drop parameters that select content on news sites; only its exact, unambiguous
names are here. Parameters that can select content (``page``, ``p``, ``from``,
``start``, ``offset``, ``id``, ...: :data:`CONTENT_PARAMS`) are never in the list.
A site profile adds names (``drop_params``, ``prefix*`` for a prefix) or keeps
one (``keep_params``) through :class:`UrlRules`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

__all__ = ["canonical_url", "url_id", "is_http_url", "join_url", "unreadable_links", "UrlRules", "DEFAULT_RULES",
           "CONTENT_PARAMS"]

# Session ids: they name the visitor, never the page.
SESSION_PARAMS = frozenset({
    "sessionid", "session_id", "phpsessid", "jsessionid", "aspsessionid", "cfid", "cftoken",
    "zenid", "oscsid",
})
# Session ids only when the value is not a number (``sid=Sx81f0a9`` is a session, ``sid=123`` a story).
TOKEN_SESSION_PARAMS = frozenset({"sid", "s_id"})
# Analytics and ad click ids (exact names; from the lists courlan cites: AdGuard's TrackParamFilter,
# ClearURLs, Firefox query stripping).
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "ttclid", "yclid",
    "ysclid", "igshid", "igsh", "li_fat_id", "srsltid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
    "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "rb_clickid", "s_cid", "vero_conv", "vero_id", "wickedid", "_openstat", "fb_action_ids",
    "fb_action_types", "fb_ref", "fb_source", "action_object_map", "action_type_map", "action_ref_map",
    "pk_campaign", "pk_kwd", "pk_source", "pk_medium", "pk_content", "mtm_campaign", "mtm_kwd",
    "mtm_source", "mtm_medium", "mtm_content", "mtm_cid", "mtm_group", "mtm_placement",
})
TRACKING_PREFIXES = ("utm_",)
# Parameters that select content on many sites (pagination, identity, filters): never dropped by
# the list above, and a profile may not drop them either.
CONTENT_PARAMS = frozenset({
    "page", "p", "pg", "paged", "pagenum", "page_id", "from", "start", "offset", "limit", "size", "per_page",
    "id", "aid", "pid", "nid", "cid", "article_id", "articleid", "itemid", "postid", "post",
    "story", "q", "s", "query", "search", "cat", "category", "section", "tag", "date", "day", "month",
    "year", "lang", "language", "sort", "order",
})
_NAME = re.compile(r"^[^\s&=#;?/]+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host made of characters that can appear in a real host name (or IP literal).
_HOST_RE = re.compile(r"[^\s/\\?#@<>\"'`{}|^%]+")
# ``;name=value`` path parameters (``/a.jsp;jsessionid=0F3A?x=1``)
_PATH_PARAM = re.compile(r";([^/;=?#]+)=([^/;?#]*)")


@dataclass(frozen=True)
class UrlRules:
    """A site's own additions to the list: names to drop (``prefix*`` for a prefix) and names to keep."""

    drop: frozenset = frozenset()
    drop_prefixes: tuple = ()
    keep: frozenset = frozenset()

    @classmethod
    def from_lists(cls, drop=(), keep=()) -> "UrlRules":
        """From a profile's ``drop_params`` / ``keep_params``; ValueError (one line) when malformed."""
        names, prefixes, kept = set(), [], set()
        for what, values in (("drop_params", drop), ("keep_params", keep)):
            if not isinstance(values, (list, tuple)):
                raise ValueError(f"{what!r} must be a list of parameter names")
            for v in values:
                bare = v[:-1] if isinstance(v, str) and v.endswith("*") and what == "drop_params" else v
                if not isinstance(v, str) or not bare or not _NAME.match(bare):
                    raise ValueError(f"{what!r}: {v!r} is not a parameter name")
                key = bare.lower()
                if what == "keep_params":
                    kept.add(key)
                elif key in CONTENT_PARAMS:
                    raise ValueError(f"drop_params: {v!r} can select content (pagination, identity, a filter) "
                                     "and is never dropped")
                elif v.endswith("*"):
                    prefixes.append(key)
                else:
                    names.add(key)
        both = sorted(names & kept)
        if both:
            raise ValueError(f"{both[0]!r} is in both drop_params and keep_params")
        return cls(frozenset(names), tuple(sorted(prefixes)), frozenset(kept))

    def dropped(self, name: str, value: str) -> bool:
        """Is the parameter ``name=value`` left out of the canonical url? (``name`` lower-case)"""
        if name in self.keep:
            return False
        if name in self.drop or (self.drop_prefixes and name.startswith(self.drop_prefixes)):
            return True
        if name in SESSION_PARAMS or name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES):
            return True
        return name in TOKEN_SESSION_PARAMS and not value.isdigit()


DEFAULT_RULES = UrlRules()


def _drop_pair(pair: str, rules: UrlRules) -> bool:
    key, _, value = pair.partition("=")
    return rules.dropped(unquote_plus(key).strip().lower(), unquote_plus(value).strip())


def _path(path: str, rules: UrlRules) -> str:
    if ";" not in path:
        return path
    return _PATH_PARAM.sub(
        lambda m: "" if rules.dropped(unquote_plus(m.group(1)).strip().lower(), unquote_plus(m.group(2))) else m.group(0),
        path)


def _netloc(parts) -> str:
    """Lowercased host, userinfo kept as is, default port dropped."""
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    port = parts.port  # ValueError when it is not a valid port
    netloc = f"{userinfo}@{host}" if userinfo else host
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        netloc += f":{port}"
    return netloc


def canonical_url(url: str, rules: UrlRules | None = None) -> str:
    """Return the canonical form of ``url`` (idempotent, never raises); ``rules``: a profile's additions."""
    rules = rules or DEFAULT_RULES
    if type(url) is str:  # noqa: E721 - exact str: the cache key must hash and compare as str
        return _canonical_cached(url, rules)
    if not isinstance(url, str):
        return ""
    return _canonical(url, rules)


@lru_cache(maxsize=16384)
def _canonical_cached(url: str, rules: UrlRules) -> str:
    # Bounded cache (a few MB at most): a crawl canonicalises every link of
    # every page, and the same navigation and article links recur on each one.
    return _canonical(url, rules)


def _canonical(url: str, rules: UrlRules) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        if not (parts.scheme and parts.netloc):  # not an absolute URL: leave it
            return url
        query = "&".join(
            p for p in parts.query.split("&") if p and not _drop_pair(p, rules)
        )
        rebuilt = urlunsplit((parts.scheme.lower(), _netloc(parts), _path(parts.path, rules), query, ""))
        return canonicalize_url(rebuilt)
    except Exception:  # noqa: BLE001 - any unparseable string comes back as is
        return url


def url_id(url: str, rules: UrlRules | None = None) -> str:
    """SHA-1 hex digest (40 characters) of ``canonical_url(url, rules)``."""
    return hashlib.sha1(canonical_url(url, rules).encode("utf-8", "surrogatepass")).hexdigest()


def is_http_url(url: str | None) -> bool:
    """True only for an http(s) URL with a plausible host and a valid port."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    host = parts.hostname
    return (
        parts.scheme.lower() in _DEFAULT_PORTS
        and bool(host)
        and _HOST_RE.fullmatch(host) is not None
    )


_unreadable = 0


def join_url(base: str, href: str) -> str:
    """``urljoin(base, href)``; ``""`` (a link that leads nowhere) when either
    cannot be read as a URL, e.g. ``https://[broken.example/x`` (``ValueError:
    Invalid IPv6 URL``). Each such link is counted: ``unreadable_links()``."""
    global _unreadable
    try:
        return urljoin(base, href)
    except ValueError:
        _unreadable += 1
        return ""


def page_base(url: str, base_href: str | None) -> str:
    """The URL a page's relative links are read against: its ``<base href>``
    joined to the page's ``url``, or the page's ``url`` itself when there is
    no such href, it is empty, or it cannot be read (then the page's links are
    still found, against the page's own address; the unreadable href is
    counted by ``join_url``)."""
    return (join_url(url, base_href) or url) if base_href else url


def unreadable_links() -> int:
    """How many links ``join_url`` could not read in this process so far (a
    crawl takes the difference around one page's parse)."""
    return _unreadable
