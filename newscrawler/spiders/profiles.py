"""One spider per site profile file: adding an aggregator is adding a profile.

The classes are made here so that ``scrapy list`` and ``scrapy crawl NAME``
find them; each is a ``ProfileSpider`` bound to its profile. A profile file
that is broken still gets its spider, so that ``scrapy crawl NAME`` can say
exactly what is wrong with the file.
"""

from newscrawler import profiles
from newscrawler.spiders.base import ProfileSpider
from newscrawler.spiders.incremental import IncrementalMixin
from newscrawler.spiders.js import JavaScriptMixin
from newscrawler.spiders.origin import OriginMixin


def profile_spider_class(name: str) -> type:
    """The spider class of the profile ``name`` (also used by reparse for a profile file)."""
    return type(
        "".join(p.title() for p in name.split("_")) + "Spider",
        (OriginMixin, IncrementalMixin, JavaScriptMixin, ProfileSpider),
        {"name": name, "profile_name": name, "__module__": __name__},
    )


for _name in profiles.available():
    _cls = profile_spider_class(_name)
    globals()[_cls.__name__] = _cls

del _name, _cls
