"""``python -m newscrawler bench``: the performance figures of issue 8.

Every figure is measured in this process tree: the sample site runs in its own
subprocess (``RunningSite``), each crawl in a fresh child process (a Twisted
reactor cannot be restarted, and a fresh process gives each crawl its own peak
RSS), the load generator in another child. Modules:

* ``load``   - requests/s the sample site serves (keep-alive clients, threads);
* ``bare``   - the bare Scrapy spider that only follows same-site links;
* ``child``  - one crawl in this process, its figures printed as one JSON line;
* ``parser`` - the page parser against trafilatura on stored sample pages;
* ``run``    - the orchestration and the printed lines.
"""
