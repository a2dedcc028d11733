"""``python -m newscrawler serve``: the sample aggregator on 127.0.0.1 until interrupted."""

from __future__ import annotations

from newscrawler.argtypes import bounded_int, positive


def cmd_serve(args) -> int:
    from newscrawler.sample_site.__main__ import main as serve_main

    argv = ["--articles", str(args.articles), "--seed", str(args.seed), "--port", str(args.port)]
    return serve_main(argv, prog="newscrawler serve")


def add_parser(sub) -> None:
    s = sub.add_parser("serve", help="serve the sample aggregator on 127.0.0.1 until interrupted")
    s.add_argument("--articles", type=positive, default=300)
    s.add_argument("--seed", type=bounded_int(0, None, "--seed"), default=1)
    s.add_argument("--port", type=bounded_int(0, 65535, "--port"), default=8000)
    s.set_defaults(func=cmd_serve)
