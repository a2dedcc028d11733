"""Deterministic sample aggregator site in the Kashaf page format (demo, tests, benchmarks).

>>> from newscrawler.sample_site import SampleSite, serve, RunningSite
>>> site = SampleSite(articles=300, seed=1)
>>> status, headers, body = site.handle("/", {})
>>> truth = site.ground_truth("http://127.0.0.1:8000/")
"""

from .server import RunningSite, serve
from .site import SampleSite

__all__ = ["SampleSite", "serve", "RunningSite"]
