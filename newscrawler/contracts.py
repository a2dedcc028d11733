"""Scrapy contracts for ``scrapy check``, against the sample aggregators.

A profile's ``contracts`` object names sample pages and what the spider must
make of them; ``spiders/profiles.py`` turns each entry into a callback
``check_<name>`` whose docstring holds the lines, and ``scrapy check`` runs
them. Next to Scrapy's own (``@url``, ``@returns``, ...):

* ``@sample_site SITE PATH`` / ``@sample_site SITE article N``: the request
  goes to the sample aggregator SITE (``kashaf``: ``newscrawler.sample_site``;
  ``akhbar``: its second site), served on 127.0.0.1 by this process for the
  check (started on first use, stopped at exit), at PATH or at the page of
  its article N. A profile for a real site uses ``@url`` instead.
* ``@scrapes FIELD ...`` (replacing Scrapy's): every item has each field *with
  a value*. Scrapy's only checks that the key is there, and every record has
  every key (``null`` when the page lacks it), so it could not fail.
"""

from __future__ import annotations

import atexit
import threading

from itemadapter import ItemAdapter, is_item
from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail

_SITES: dict = {}
_LOCK = threading.Lock()


def _start(name: str):
    """(base url, article path of N) of the sample aggregator ``name``, served by this process."""
    if name == "kashaf":
        from newscrawler.sample_site import SampleSite, serve

        site = SampleSite(60, 1)
        served = serve(site)
        return served, site.article_path
    if name == "akhbar":
        from newscrawler.sample_site.second_site import SecondSite, ServedSecondSite

        site = SecondSite(40, 1)
        served = ServedSecondSite(site)
        return served, site.path
    raise ValueError(f"@sample_site: no sample aggregator {name!r} (kashaf or akhbar)")


def sample_site(name: str):
    with _LOCK:
        if name not in _SITES:
            served, article_path = _start(name)
            atexit.register(served.close)
            _SITES[name] = (served.url, article_path)
        return _SITES[name]


class SampleSiteContract(Contract):
    """``@sample_site SITE PATH`` or ``@sample_site SITE article N``."""

    name = "sample_site"

    def adjust_request_args(self, args: dict) -> dict:
        if len(self.args) not in (2, 3) or (len(self.args) == 3 and self.args[1] != "article"):
            raise ValueError("@sample_site takes SITE PATH or SITE article N")
        base, article_path = sample_site(self.args[0])
        path = article_path(int(self.args[2])) if len(self.args) == 3 else self.args[1]
        args["url"] = base.rstrip("/") + "/" + path.lstrip("/")
        return args


class ScrapesContract(Contract):
    """``@scrapes FIELD ...``: every item returned has a value (not null, not empty) for each field."""

    name = "scrapes"

    def post_process(self, output: list) -> None:
        for x in output:
            if is_item(x):
                item = ItemAdapter(x)
                empty = [f for f in self.args if item.get(f) in (None, "", [], {})]
                if empty:
                    raise ContractFail(f"No value for: {', '.join(empty)} ({item.get('url')})")
