"""``python -m newscrawler run SPIDER [-a k=v ...] [-s K=V ...]``: the cron wrapper.

Runs ``scrapy crawl SPIDER`` as a child process and judges the run by its
``.summary.json`` (``scrapy crawl`` itself exits 0 even when everything failed):

* a lock per spider and site (``<state dir>/<spider>-<site>.lock``, ``flock``,
  the seen-store's name): a second run started while one is going exits at
  once with a message (exit code 3);
* the crawl's log goes to ``<NEWSCRAWLER_LOG_DIR>/<spider>.log`` (default
  ``logs/``), rotated at ``NEWSCRAWLER_LOG_MAX_BYTES`` (10 MB) keeping
  ``NEWSCRAWLER_LOG_BACKUPS`` (5) old files;
* one verdict line on stdout, exit code 0 when the run worked and 1 when it
  failed: a finish reason other than ``finished``, no page fetched, an error
  ratio above the profile's ``max_error_ratio``, failed monitors, or no record
  while the profile expects records. On an incremental run over an unchanged
  site "no new record" is fine: articles skipped because an earlier run wrote
  them count as records here. Exit code 2: a wrong argument. The line also
  gives the crawl budget: pages per record, the chains a limit stopped and
  why, and the warning-level monitors that fired (a warning never fails a run);
* SIGTERM and SIGINT are passed on to the crawl, which stops cleanly; the
  wrapper keeps the lock until the crawl has exited (the crawl also holds the
  lock's descriptor, so not even a SIGKILLed wrapper frees it early) and says
  ``FAILED: stopped by SIGTERM (... finish reason shutdown)``, exit code 1.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import logging.handlers
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from newscrawler.argtypes import name_value, unknown_name
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
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").split() or ["?"]
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                pids = f"pid {holder[0]}" + (f", crawl pid {holder[1]}" if len(holder) > 1 else "")
                raise CliError(f"run: another run of this spider is going ({pids}, lock {self.path}); "
                               "not starting a second one", code=EXIT_LOCKED) from None
            raise CliError(f"run: cannot lock {self.path}: {e.strerror or e}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd

    def note_child(self, pid: int) -> None:
        """Write ``<wrapper pid> <crawl pid>`` into the lock file (what a refused run names)."""
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()} {pid}\n".encode(), 0)

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None


@contextlib.contextmanager
def forwarded_signals(proc: subprocess.Popen):
    """While the crawl runs, SIGTERM and SIGINT to the wrapper (systemd, ``timeout``,
    Kubernetes, Ctrl-C) are passed on to it, so that it stops cleanly (Scrapy's
    graceful shutdown; a second one forces it) while the wrapper keeps the lock
    and waits for it. Yields the list of signals received."""
    received: list[int] = []

    def forward(signum, frame):
        received.append(signum)
        try:
            proc.send_signal(signum)
        except ProcessLookupError:  # already gone
            pass

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield received
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def stopped(received: list[int], code: int, summary: dict | None) -> str:
    """Why the run stopped early, in words: the signal(s) and the crawl's finish reason."""
    names = ", ".join(dict.fromkeys(signal.Signals(s).name for s in received))
    reason = (summary or {}).get("finish_reason")
    if code < 0:  # the crawl itself died of a signal (a second SIGINT, SIGKILL)
        return (f"{names} forwarded; " if names else "") + f"the crawl was killed by {signal.Signals(-code).name}"
    return f"stopped by {names} (forwarded to the crawl, which closed with finish reason {reason or 'unknown'})"


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


def budget_note(summary: dict) -> str:
    """The crawl budget in words: pages per record, the chains stopped and why, and the warnings."""
    from newscrawler.report import STOP_WORDS

    budget = summary.get("budget") or {}
    parts = []
    if budget.get("pages_per_record") is not None:
        parts.append(f"{budget['pages_per_record']} pages per record")
    stopped = [f"{n} {STOP_WORDS.get(r, r)}" for r, n in (budget.get("chains_stopped") or {}).items() if n]
    if stopped:
        parts.append("chains stopped: " + ", ".join(stopped))
    for w in summary.get("monitor_warnings") or []:
        if isinstance(w, dict):
            parts.append(f"WARNING: {w.get('monitor')}: {w.get('reason')}")
    return "".join("; " + p for p in parts)


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
    nothing = " (nothing new: no .jsonl written)" if summary.get("nothing_written") else ""
    facts = (f"{records} records{nothing}, {known} already known, {summary.get('rejects', 0)} rejects, "
             f"{pages} pages, error ratio {ratio if ratio is not None else '?'}")
    earlier = summary.get("earlier_state") or {}
    if earlier.get("skipped"):
        facts += (f"; {earlier['skipped']} articles skipped because of earlier runs' state "
                  f"({earlier.get('not_fetched', 0)} not fetched, {earlier.get('dropped_as_written', 0)} dropped as "
                  f"already written) in {earlier.get('state_file') or 'the seen-store'}")
    if problems:
        return False, "FAILED: " + "; ".join(problems) + f" ({facts})" + budget_note(summary)
    return True, f"OK: {facts}" + budget_note(summary)


def cmd_run(args) -> int:
    from newscrawler import profiles
    from newscrawler.state import state_dir, state_name

    spargs, sets = args.a, args.s
    overrides = dict(sets)
    spider = args.spider
    from newscrawler.setting_values import check_values

    try:
        settings = _settings(overrides)
        check_values(settings, overrides)
    except ValueError as e:
        raise CliError(f"run: {e}") from None
    from scrapy.spiderloader import get_spider_loader

    loader = get_spider_loader(settings)
    if spider not in loader.list():
        raise CliError(f"run: {unknown_name('spider', spider, loader.list())}")
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

    given = dict(spargs).get("start_url")
    starts = given.split(",") if given else profile.start_urls
    lock = SpiderLock(state_dir(settings) / f"{state_name(spider, starts)}.lock")
    lock.acquire()
    try:
        log_file = log_dir / f"{safe_part(spider)}.log"
        log = _logger(log_file, settings.getint("NEWSCRAWLER_LOG_MAX_BYTES"), settings.getint("NEWSCRAWLER_LOG_BACKUPS"))
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
        # The crawl gets a session of its own (a terminal's Ctrl-C reaches the wrapper only, which passes
        # it on once) and inherits the lock's descriptor: the lock is held while the crawl lives, even if
        # the wrapper itself is killed.
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env, text=True, encoding="utf-8", errors="replace", start_new_session=True,
                                pass_fds=(lock.fd,))
        lock.note_child(proc.pid)
        log.info("==== crawl pid %d", proc.pid)
        with forwarded_signals(proc) as received:
            for line in proc.stdout:
                line = line.rstrip("\n")
                log.info("%s", line)
                if line.strip():
                    last = line
            code = proc.wait()
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
        if received or code < 0:
            ok, exit_code = False, EXIT_FAILED
            line = f"FAILED: {stopped(received, code, summary)}; " + line.split(": ", 1)[1]
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
