"""One spider per site profile file: adding an aggregator is adding a profile.

The classes are made here so that ``scrapy list`` and ``scrapy crawl NAME``
find them; each is a ``ProfileSpider`` bound to its profile. A profile file
that is broken still gets its spider, so that ``scrapy crawl NAME`` can say
exactly what is wrong with the file.

Each entry of the profile's ``contracts`` object becomes a callback
``check_<name>`` (it parses the page like ``parse``) whose docstring is the
entry's contract lines: ``scrapy check NAME`` runs them (``newscrawler/contracts.py``).
"""

from newscrawler import profiles
from newscrawler.spiders.base import ProfileSpider
from newscrawler.spiders.incremental import IncrementalMixin
from newscrawler.spiders.js import JavaScriptMixin
from newscrawler.spiders.origin import OriginMixin


def _contract(name: str, lines: list[str]):
    def check(self, response):
        return self.parse(response)

    check.__name__ = check.__qualname__ = f"check_{name}"
    check.__doc__ = f"The profile's {name!r} contract: what ``parse`` must make of this page.\n\n" + "\n".join(lines)
    return check


def _contracts(name: str) -> dict:
    try:
        found = profiles.load(name).contracts
    except profiles.ProfileError:  # scrapy crawl NAME says what is wrong with the file
        return {}
    return {f"check_{k}": _contract(k, lines) for k, lines in found.items()}


def profile_spider_class(name: str) -> type:
    """The spider class of the profile ``name`` (also used by reparse for a profile file)."""
    return type(
        "".join(p.title() for p in name.split("_")) + "Spider",
        (OriginMixin, IncrementalMixin, JavaScriptMixin, ProfileSpider),
        {"name": name, "profile_name": name, "__module__": __name__, **_contracts(name)},
    )


for _name in profiles.available():
    _cls = profile_spider_class(_name)
    globals()[_cls.__name__] = _cls

del _name, _cls
