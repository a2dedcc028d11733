"""``python -m newscrawler merge DATA... --out FILE.jsonl``: the run files of one
or many crawls (distributed workers' included) as one records file with one
record per id (the latest crawl wins) and one rejects file with one line per
url + reason."""

from __future__ import annotations

from pathlib import Path

from newscrawler.cli import CliError


def rejects_path(out: Path) -> Path:
    return out.with_name(out.name[: -len(".jsonl")] + ".rejects.jsonl")


def cmd_merge(args) -> int:
    from newscrawler import merging
    from newscrawler.output import JsonLinesFile, check_writable

    out = Path(args.out)
    if not out.name.endswith(".jsonl") or merging.kind_of(out) != merging.RECORDS:
        raise CliError(f"merge: --out {out}: must name a .jsonl file (not .rejects.jsonl)")
    try:  # before reading: a wrong --out is a wrong argument
        check_writable(out.parent, "folder")
    except OSError as e:
        raise CliError(f"merge: --out {out}: {e}") from None
    out_rejects = rejects_path(out)
    ours = [out, out_rejects, out.with_name(out.name + ".part"), out_rejects.with_name(out_rejects.name + ".part")]
    try:
        records = merging.run_files(args.data, merging.RECORDS, exclude=ours)
        rejects = merging.run_files(args.data, merging.REJECTS, exclude=ours)
    except FileNotFoundError as e:
        raise CliError(f"merge: {e}") from None
    if not records and not rejects:
        raise CliError(f"merge: no run files (*.jsonl) in {', '.join(map(str, args.data))}")
    problems = merging.Problems()
    try:
        kept = merging.latest(merging.read_lines(records, problems, ("id",)), merging.record_key)
        stories = merging.same_stories(kept)
        kept_rejects = merging.latest(merging.read_lines(rejects, problems, ("url", "reason")), merging.reject_key)
    except OSError as e:
        raise CliError(f"merge: cannot read {e.filename}: {e.strerror or e}") from None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for target, merged in ((out, kept), (out_rejects, kept_rejects)):
            target.with_name(target.name + ".part").unlink(missing_ok=True)  # a stale one of an earlier merge
            f = JsonLinesFile(target)
            try:
                for line in merged.entries.values():
                    f.write(line)
            finally:
                f.close()
    except OSError as e:
        raise CliError(f"merge: cannot write {e.filename or out}: {e.strerror or e}", code=1) from None
    print(f"records: {kept.read} lines in {len(records)} files -> {kept.kept} records "
          f"({kept.replaced} repeated ids merged, {stories} more copies of a story dropped (its outlet and headline "
          f"within 10 minutes), "
          f"the latest crawl kept): {out}")
    print(f"rejects: {kept_rejects.read} lines in {len(rejects)} files -> {kept_rejects.kept} rejects "
          f"({kept_rejects.replaced} repeated url+reason merged): {out_rejects}")
    if problems.count:
        print(f"unreadable lines: {problems.count} (not in the output), e.g. {'; '.join(problems.examples)}")
        return 1
    return 0


def add_parser(sub) -> None:
    m = sub.add_parser("merge", help="run files -> one record per id (latest crawl wins), one reject per url+reason")
    m.add_argument("data", nargs="+", help="run folders or .jsonl files (.jsonl.part included)")
    m.add_argument("--out", required=True, help="the merged records file, FILE.jsonl; rejects go to "
                                                "FILE.rejects.jsonl")
    m.set_defaults(func=cmd_merge)
