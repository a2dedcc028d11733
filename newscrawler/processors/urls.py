"""URL canonicalisation and stable article ids.

``canonical_url`` drops the fragment and tracking parameters, lowercases scheme
and host, drops the default port, then applies ``w3lib.url.canonicalize_url``
(sorted query, normalised percent-encoding). It is idempotent and never raises:
a string that is not an absolute URL (no scheme or no host) or cannot be parsed
comes back stripped. ``url_id`` is the SHA-1 hex digest of the canonical url.
``join_url`` is ``urljoin`` that never raises: a link it cannot read (an
unclosed IPv6 bracket, ``https://[broken.example/x``) joins to ``""`` and is
counted (``unreadable_links()``).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

__all__ = ["canonical_url", "url_id", "is_http_url", "join_url", "unreadable_links"]

_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "_ga"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host made of characters that can appear in a real host name (or IP literal).
_HOST_RE = re.compile(r"[^\s/\\?#@<>\"'`{}|^%]+")


def _is_tracking(pair: str) -> bool:
    key = unquote_plus(pair.split("=", 1)[0]).strip().lower()
    return key.startswith("utm_") or key in _TRACKING


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


def canonical_url(url: str) -> str:
    """Return the canonical form of ``url`` (idempotent, never raises)."""
    if type(url) is str:  # noqa: E721 - exact str: the cache key must hash and compare as str
        return _canonical_cached(url)
    if not isinstance(url, str):
        return ""
    return _canonical(url)


@lru_cache(maxsize=16384)
def _canonical_cached(url: str) -> str:
    # Bounded cache (a few MB at most): a crawl canonicalises every link of
    # every page, and the same navigation and article links recur on each one.
    return _canonical(url)


def _canonical(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        if not (parts.scheme and parts.netloc):  # not an absolute URL: leave it
            return url
        query = "&".join(
            p for p in parts.query.split("&") if p and not _is_tracking(p)
        )
        rebuilt = urlunsplit((parts.scheme.lower(), _netloc(parts), parts.path, query, ""))
        return canonicalize_url(rebuilt)
    except Exception:  # noqa: BLE001 - any unparseable string comes back as is
        return url


def url_id(url: str) -> str:
    """SHA-1 hex digest (40 characters) of ``canonical_url(url)``."""
    return hashlib.sha1(canonical_url(url).encode("utf-8", "surrogatepass")).hexdigest()


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


def unreadable_links() -> int:
    """How many links ``join_url`` could not read in this process so far (a
    crawl takes the difference around one page's parse)."""
    return _unreadable
