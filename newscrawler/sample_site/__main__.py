"""``python -m newscrawler.sample_site --articles N --seed S --port 0``

Prints the base URL (e.g. ``http://127.0.0.1:54321/``) on the first stdout line, flushes,
then serves until interrupted.  Bad arguments: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import sys

from newscrawler.argtypes import bounded_int, time_zone

from .server import SiteServer
from .site import MAX_ARTICLES, SampleSite


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line instead of usage + error
        self.exit(2, f"{self.prog}: error: {message}\n")


_port = bounded_int(0, 65535, "port")
_count = bounded_int(0, MAX_ARTICLES, "count")
_positive = bounded_int(1, MAX_ARTICLES, "number")
_seed = bounded_int(0, None, "seed")


def main(argv: list[str] | None = None, prog: str = "python -m newscrawler.sample_site") -> int:
    p = _Parser(prog=prog,
                description="Serve the deterministic Kashaf-format sample aggregator site.")
    p.add_argument("--articles", type=_positive, default=300, help="number of articles (default 300)")
    p.add_argument("--seed", type=_seed, default=1, help="content seed (default 1)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=0, help="port, 0 = any free port (default 0)")
    p.add_argument("--tz", type=time_zone, default="Asia/Riyadh", help="site time zone (default Asia/Riyadh)")
    p.add_argument("--js-articles", type=_count, default=0,
                   help="articles of the JavaScript section under /js/ (default 0: no section)")
    p.add_argument("--faults", default=None,
                   help="fault mode: KIND=RATE,... or 'default' (see newscrawler/sample_site/faults.py)")
    p.add_argument("--fault-seed", type=_seed, default=0, help="fault seed (default 0)")
    p.add_argument("--traps", default=None,
                   help="trap mode: all, or some of pagination,calendar,sessions (see newscrawler/sample_site/traps.py)")
    p.add_argument("--layouts", choices=("all", "classic"), default="all",
                   help="article layouts: all of them (default) or the seed's order only (layouts.py)")
    args = p.parse_args(argv)
    try:
        site = SampleSite(args.articles, args.seed, args.tz, js_articles=args.js_articles, layouts=args.layouts)
    except ValueError as e:
        p.error(str(e))
    if args.traps:
        from .traps import TrapSite, parse_traps

        try:
            site = TrapSite(site, parse_traps(args.traps))
        except ValueError as e:
            p.error(str(e))
    try:
        if args.faults:
            from .faults import FaultPlan, make_server

            server = make_server(site, FaultPlan.parse(args.faults, args.fault_seed), args.host, args.port)
        else:
            server = SiteServer(site, (args.host, args.port))
    except ValueError as e:  # a malformed --faults
        p.error(str(e))
    except OSError as e:
        print(f"{p.prog}: error: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return 1
    print(server.url, flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
