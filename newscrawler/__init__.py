"""newscrawler: a Scrapy crawler for Arabic news aggregator sites.

When the package is imported from a zip archive (the egg scrapyd runs a
deployed project from), its data files (site profiles, the record schema) are
not files on disk. The archive's ``newscrawler/`` folder is then extracted once
to a cache folder (keyed by the archive's content) and the package's submodules
are loaded from there, so that every module can read its data files normally.
"""

import os as _os


def _from_archive() -> None:
    here = _os.path.dirname(_os.path.abspath(__file__))
    if _os.path.isdir(here):
        return
    archive = here
    while archive and not _os.path.isfile(archive):
        parent = _os.path.dirname(archive)
        if parent == archive:
            return
        archive = parent
    import hashlib
    import shutil
    import tempfile
    import zipfile

    with open(archive, "rb") as fh:
        digest = hashlib.sha1(fh.read()).hexdigest()[:16]
    cache = _os.environ.get("NEWSCRAWLER_EGG_CACHE") or tempfile.gettempdir()
    target = _os.path.join(cache, f"newscrawler-egg-{_os.getuid()}-{digest}")
    if not _os.path.isdir(_os.path.join(target, __name__)):
        _os.makedirs(cache, exist_ok=True)
        work = tempfile.mkdtemp(prefix="newscrawler-egg-", dir=cache)
        with zipfile.ZipFile(archive) as z:
            z.extractall(work, [n for n in z.namelist() if n.startswith(__name__ + "/")])
        try:
            _os.rename(work, target)
        except OSError:  # another process extracted it first
            shutil.rmtree(work, ignore_errors=True)
    __path__[:] = [_os.path.join(target, __name__)]


_from_archive()
