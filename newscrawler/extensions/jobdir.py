"""Make ``-s JOBDIR=DIR`` safe after a SIGKILL.

Scrapy saves its request queue's index (``requests.queue/active.json``) only
when a crawl shuts down cleanly, and its seen-requests file is written through
a buffer. After a SIGKILL the queue cannot be trusted, yet the seen-requests
file would still filter the start pages: the resumed crawl would do nothing.

This extension keeps a marker file ``newscrawler.running`` in the job folder,
locked (``flock``) for as long as a crawl runs and removed when it ends. When
a crawl starts and finds the marker unlocked, the previous crawl was killed:
Scrapy's queue and seen-requests file are cleared (with a warning) before the
scheduler reads them, and the run starts again from its start pages. The
seen-store (``newscrawler.state``) then skips every article already written
(the killed run's records included) and the previous run is known not to have
finished, so every listing page is read again ("catch-up" mode). A crawl that
was stopped cleanly (Ctrl-C once, SIGTERM) resumes from Scrapy's own queue.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)
MARKER = "newscrawler.running"


class JobDirGuard:
    def __init__(self, crawler, jobdir: str):
        self.crawler = crawler
        self.folder = Path(jobdir)
        self.fd = None
        self.folder.mkdir(parents=True, exist_ok=True)
        marker = self.folder / MARKER
        fd = os.open(marker, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                logger.error("JOBDIR %s is in use by another running crawl", self.folder)
                crawler.stats.set_value("newscrawler/jobdir_in_use", True)
                return
            raise
        if os.fstat(fd).st_size > 0:  # a crawl wrote its pid here and never removed the file
            previous = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            self._discard(previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        return cls(crawler, jobdir)

    def _discard(self, previous_pid: str) -> None:
        removed = []
        for name in ("requests.queue", "requests.seen"):
            path = self.folder / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(name)
            elif path.exists():
                path.unlink(missing_ok=True)
                removed.append(name)
        logger.warning(
            "JOBDIR %s: the crawl that used it (pid %s) was killed; its request queue cannot be trusted, "
            "so this run starts again from the start pages and skips the articles already written (%s cleared)",
            self.folder, previous_pid or "?", ", ".join(removed) or "nothing",
        )
        self.crawler.stats.set_value("newscrawler/jobdir_recovered", True)

    def engine_stopped(self):
        if self.fd is None:
            return
        try:
            (self.folder / MARKER).unlink(missing_ok=True)
        finally:
            os.close(self.fd)
            self.fd = None
