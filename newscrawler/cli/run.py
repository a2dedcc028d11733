"""``python -m newscrawler run SPIDER [-a k=v ...] [-s K=V ...]``: the cron wrapper.

Runs ``scrapy crawl SPIDER`` as a child process and judges the run by its
``.summary.json`` (``scrapy crawl`` itself exits 0 even when everything failed):

* a lock per spider (``<state dir>/<spider>.lock``, ``flock``): a second run
  started while one is going exits at once with a message (exit code 3);
* the crawl's log goes to ``<NEWSCRAWLER_LOG_DIR>/<spider>.log`` (default
  ``logs/``), rotated at ``NEWSCRAWLER_LOG_MAX_BYTES`` (10 MB) keeping
  ``NEWSCRAWLER_LOG_BACKUPS`` (5) old files;
* one verdict line on stdout, exit code 0 when the run worked and 1 when it
  failed: a finish reason other than ``finished``, no page fetched, an error
  ratio above the profile's ``max_error_ratio``, failed monitors, or no record
  while the profile expects records. On an incremental run over an unchanged
  site "no new record" is fine: articles skipped because an earlier run wrote
  them count as records here. Exit code 2: a wrong argument.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import logging.handlers
import os
import secrets
import subprocess
import sys
from pathlib import Path

from newscrawler.argtypes import name_value
from newscrawler.cli import CliError

ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def _settings(overrides: dict):
    from newscrawler.runner import project_settings

    return project_settings(overrides)


class SpiderLock:
    """An exclusive ``flock`` on ``<folder>/<spider>.lock`` held for the whole run."""

    def __init__(self, path: Path):
        self.path = path
        self.fd = None

    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise CliError(f"run: cannot create the lock file {self.path}: {e.strerror or e}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise CliError(f"run: another run of this spider is going (pid {holder}, lock {self.path}); "
                               "not starting a second one", code=EXIT_LOCKED) from None
            raise CliError(f"run: cannot lock {self.path}: {e.strerror or e}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None


def _logger(log_file: Path, max_bytes: int, backups: int) -> logging.Logger:
    log = logging.getLogger(f"newscrawler.run.{log_file}")
    log.propagate = False
    log.setLevel(logging.INFO)
    for h in list(log.handlers):
        log.removeHandler(h)
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=max_bytes, backupCount=backups,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    return log


def verdict(summary: dict | None, expect_records: bool, max_error_ratio: float) -> tuple[bool, str]:
    """(ok, one line) for a run summary."""
    if not summary:
        return False, "no run summary was written (the crawl did not start; see the log)"
    problems = []
    if summary.get("output_error"):  # e.g. a full disk: say so first, in the user's words
        problems.append(f"cannot write the output ({summary['output_error']}); lines already written are kept")
    reason = summary.get("finish_reason")
    if reason != "finished":
        problems.append(f"finish reason {reason}")
    pages = summary.get("pages_fetched", 0) or 0
    bad = sum((summary.get("http_errors") or {}).values())
    if pages - bad <= 0:
        problems.append("no page could be fetched")
    ratio = summary.get("error_ratio")
    if ratio is not None and ratio > max_error_ratio:
        problems.append(f"error ratio {ratio:.2f} above {max_error_ratio:.2f}")
    monitors = summary.get("monitors")
    if isinstance(monitors, dict) and (monitors.get("failed") or 0) > 0:
        names = ", ".join(str(f.get("monitor")) for f in monitors.get("failures") or [] if isinstance(f, dict))
        problems.append(f"{monitors['failed']} monitor(s) failed" + (f" ({names})" if names else ""))
    records = summary.get("records", 0) or 0
    known = (summary.get("incremental") or {}).get("skipped", 0) or 0
    if expect_records and records == 0 and known == 0:
        problems.append(f"no records ({summary.get('rejects', 0)} rejected)")
    facts = (f"{records} records, {known} already known, {summary.get('rejects', 0)} rejects, "
             f"{pages} pages, error ratio {ratio if ratio is not None else '?'}")
    if problems:
        return False, "FAILED: " + "; ".join(problems) + f" ({facts})"
    return True, f"OK: {facts}"


def cmd_run(args) -> int:
    from newscrawler import profiles
    from newscrawler.state import state_dir

    spargs, sets = args.a, args.s
    overrides = dict(sets)
    spider = args.spider
    settings = _settings(overrides)
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    if spider not in loader.list():
        raise CliError(f"run: unknown spider {spider!r}; known: {', '.join(sorted(loader.list()))}")
    # The verdict's thresholds: the run's profile; a spider without one (generic) takes the defaults.
    ref = dict(spargs).get("profile") or getattr(loader.load(spider), "profile_name", "") or ""
    try:
        if not ref:
            profile = profiles.Profile(name=spider, path=Path("."))
        elif ref.endswith(".json") or "/" in ref:
            profile = profiles.load_file(ref)
        else:
            profile = profiles.load(ref)
    except profiles.ProfileError as e:
        raise CliError(f"run: {e}") from None
    run_id = overrides.get("NEWSCRAWLER_RUN_ID") or secrets.token_hex(4)
    out_dir = Path(settings.get("NEWSCRAWLER_OUTPUT_DIR") or "data")
    log_dir = Path(settings.get("NEWSCRAWLER_LOG_DIR") or "logs")
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"run: cannot create the log folder {log_dir}: {e.strerror or e}") from None
    from newscrawler.output import safe_part

    lock = SpiderLock(state_dir(settings) / f"{safe_part(spider)}.lock")
    lock.acquire()
    try:
        log_file = log_dir / f"{safe_part(spider)}.log"
        log = _logger(log_file, settings.getint("NEWSCRAWLER_LOG_MAX_BYTES", 10 * 1024 * 1024),
                      settings.getint("NEWSCRAWLER_LOG_BACKUPS", 5))
        cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
        for k, v in spargs:
            cmd += ["-a", f"{k}={v}"]
        for k, v in sets:
            cmd += ["-s", f"{k}={v}"]
        if "NEWSCRAWLER_RUN_ID" not in overrides:
            cmd += ["-s", f"NEWSCRAWLER_RUN_ID={run_id}"]
        env = dict(os.environ)
        env.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawler.settings")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        log.info("==== newscrawler run %s (run id %s, pid %d): %s", spider, run_id, os.getpid(), " ".join(cmd))
        last = ""
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, text=True, encoding="utf-8", errors="replace")
        try:
            for line in proc.stdout:
                line = line.rstrip("\n")
                log.info("%s", line)
                if line.strip():
                    last = line
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait()
            raise
        found = sorted(out_dir.glob(f"{safe_part(spider)}-*-{safe_part(run_id)}.summary.json"))
        summary = None
        if found:
            try:
                summary = json.loads(found[-1].read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                log.info("cannot read %s: %s", found[-1], e)
        if code == 2 and summary is None:
            ok, line = False, f"FAILED: {last.strip()}"
            exit_code = EXIT_USAGE
        else:
            ok, line = verdict(summary, profile.expect_records, profile.max_error_ratio)
            if ok and code != 0:
                ok, line = False, f"FAILED: scrapy exited with code {code}; " + line.split(": ", 1)[1]
            exit_code = EXIT_OK if ok else EXIT_FAILED
        where = f"summary {found[-1]}" if found else "no summary"
        message = f"newscrawler run {spider}: {line} [{where}; log {log_file}]"
        log.info("==== %s", message)
        print(message, flush=True)
        return exit_code
    finally:
        lock.release()


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="cron wrapper: one locked, logged crawl with a verdict and an exit code")
    p.add_argument("spider")
    p.add_argument("-a", action="append", default=[], type=name_value, metavar="NAME=VALUE", help="spider argument")
    p.add_argument("-s", action="append", default=[], type=name_value, metavar="NAME=VALUE", help="Scrapy setting")
    p.set_defaults(func=cmd_run)
