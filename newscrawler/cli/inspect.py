"""``python -m newscrawler inspect URL_OR_FILE [--spider NAME | --profile FILE] [--html OUT.html] [--suggest ...]``.

Shows what the page parser saw on one page and why (``newscrawler/inspection.py``);
``--html`` writes the page back with what was found outlined; ``--suggest
ARTICLE LISTING`` proposes a profile for a new aggregator (``newscrawler/suggest.py``).
A URL is fetched once, with the crawler's User-Agent, after its robots.txt allows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from newscrawler.cli import CliError


def fetch(url: str, timeout: float = 30.0) -> tuple[str, bytes, str | None]:
    """(final url, body, content type) of one GET, robots.txt obeyed; CliError (one line) otherwise."""
    import http.client
    import urllib.error
    import urllib.request

    from protego import Protego

    from newscrawler.runner import project_settings

    agent = project_settings({}).get("USER_AGENT")
    parts = urlsplit(url)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"

    def get(u: str):
        req = urllib.request.Request(u, headers={"User-Agent": agent, "Accept-Language": "ar"})
        return urllib.request.urlopen(req, timeout=timeout)  # noqa: S310 (http(s) only, checked by the caller)

    try:
        with get(robots_url) as r:
            robots = Protego.parse(r.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError:
        robots = None  # no robots.txt: everything is allowed
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        raise CliError(f"inspect: cannot reach {parts.netloc}: {_why(e)}") from None
    if robots is not None and not robots.can_fetch(url, agent):
        raise CliError(f"inspect: robots.txt of {parts.netloc} disallows {url}")
    try:
        with get(url) as r:
            return r.geturl(), r.read(), r.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        raise CliError(f"inspect: {url}: HTTP {e.code}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        raise CliError(f"inspect: cannot fetch {url}: {_why(e)}") from None


def _why(e: Exception) -> str:
    """A failed fetch in a few words (a reply that is no HTTP: ``not an HTTP reply: 'NOT HTTP AT ALL'``)."""
    import http.client

    if isinstance(e, http.client.BadStatusLine) and not isinstance(e, ConnectionError):
        return f"not an HTTP reply: {str(e)[:80]!r}"
    return str(getattr(e, "reason", None) or e or type(e).__name__)


def load_target(target: str, url: str | None) -> tuple[str, bytes, str | None]:
    from newscrawler.processors.urls import is_http_url

    if is_http_url(target):
        return fetch(target)
    path = Path(target)
    try:
        body = path.read_bytes()
    except OSError as e:
        raise CliError(f"inspect: cannot read {target}: {e.strerror or e}") from None
    return url or path.resolve().as_uri(), body, None


def _profile(args):
    from newscrawler import profiles

    try:
        if args.profile:
            return profiles.load_file(args.profile)
        return profiles.load(args.spider or "kashaf")
    except profiles.ProfileError as e:
        raise CliError(f"inspect: {e}") from None


def _check_suggested(text: str) -> None:
    """The crawler must take the suggested profile as it is: read it back as a crawl would."""
    import tempfile

    from newscrawler import profiles

    with tempfile.TemporaryDirectory(prefix="nc-suggest-") as tmp:
        path = Path(tmp) / "suggested.json"
        path.write_text(text, encoding="utf-8")
        try:
            profiles.load_file(path)
        except profiles.ProfileError as e:
            raise CliError(f"inspect --suggest: the profile would not load: {str(e).removeprefix(f'{path}: ')}") \
                from None


def cmd_inspect(args) -> int:
    from newscrawler.inspection import annotate, format_report, inspect_page

    profile = _profile(args)
    if args.name is not None and not args.suggest:
        raise CliError("inspect: --name goes with --suggest")
    if args.suggest:
        from newscrawler.suggest import suggest

        if len(args.targets) != 2:
            raise CliError("inspect --suggest: give two pages: an ARTICLE page and a LISTING page")
        article = load_target(args.targets[0], args.url)
        listing = load_target(args.targets[1], None)
        found, notes = suggest(article, listing, base=dict(profile.raw), name=args.name)
        text = json.dumps(found, ensure_ascii=False, indent=2)
        _check_suggested(text)
        for note in notes:
            print(f"# {note}")
        if args.out:
            try:
                Path(args.out).write_text(text + "\n", encoding="utf-8")
            except OSError as e:
                raise CliError(f"inspect: cannot write {args.out}: {e.strerror or e}") from None
            print(f"# profile written to {args.out}: scrapy crawl kashaf -a profile={args.out} -a start_url=...")
        else:
            print(text)
        return 0
    if len(args.targets) != 1:
        raise CliError("inspect: give one page (two only with --suggest)")
    url, body, ctype = load_target(args.targets[0], args.url)
    report = inspect_page(url, body, ctype, profile)
    print(format_report(report))
    if args.html:
        try:
            Path(args.html).write_text(annotate(body, ctype, report), encoding="utf-8")
        except OSError as e:
            raise CliError(f"inspect: cannot write {args.html}: {e.strerror or e}") from None
        print(f"\nannotated page: {args.html}")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("inspect", help="show what the parser saw on one page and why; --suggest a profile")
    p.add_argument("targets", nargs="+", metavar="URL_OR_FILE",
                   help="a page URL (fetched once, robots.txt obeyed) or a stored HTML file")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--spider", default=None, help="the spider whose profile reads the page (default kashaf)")
    who.add_argument("--profile", default=None, help="a profile JSON file instead")
    p.add_argument("--url", default=None, help="the page's URL, for a stored file (resolves its links)")
    p.add_argument("--html", default=None, metavar="OUT.html", help="write the page with what was found outlined")
    p.add_argument("--suggest", action="store_true",
                   help="from an ARTICLE page and a LISTING page, propose a profile (labels, sidebar, boilerplate)")
    p.add_argument("--name", default=None, help="with --suggest: the new profile's name")
    p.add_argument("--out", default=None, help="with --suggest: write the profile to this file")
    p.set_defaults(func=cmd_inspect)
