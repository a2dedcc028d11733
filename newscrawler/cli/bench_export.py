"""``python -m newscrawler bench-export``: the export's speed and memory on 200,000
records made from the sample site's ground truth, against a one-pass baseline, with
cluster precision/recall and a threshold sweep (see ``newscrawler/bench/export.py``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from newscrawler.argtypes import bounded_int


def cmd_bench_export(args) -> int:
    from newscrawler.bench.export import run

    thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    records = 3000 if args.quick else args.records
    with tempfile.TemporaryDirectory(prefix="bench-export-") as work:
        return run(records, Path(work), thresholds, min(args.sweep_records, records), not args.no_peers,
                   report=lambda line: print(line, flush=True))


def add_parser(sub) -> None:
    p = sub.add_parser("bench-export", help="benchmark the export (rows/s, peak RSS, cluster precision/recall)")
    p.add_argument("--records", type=bounded_int(100, 5_000_000, "records"), default=200_000)
    p.add_argument("--sweep-records", type=bounded_int(100, 20_000, "sweep records"), default=20_000)
    p.add_argument("--thresholds", default="0.6,0.7,0.8,0.9", help="thresholds of the sweep (comma-separated)")
    p.add_argument("--no-peers", action="store_true", help="skip datasketch and lingua even when installed")
    p.add_argument("--quick", action="store_true", help="3,000 records: checks that it runs")
    p.set_defaults(func=cmd_bench_export)
