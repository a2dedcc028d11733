"""The Akhbar sample aggregator (and its outlets on 127.0.0.2), served from
threads of the test process for the whole module."""

import pytest

from newscrawler.sample_site.second_site import SecondSite, ServedSecondSite


@pytest.fixture(scope="package")
def akhbar():
    with ServedSecondSite(SecondSite(articles=48, seed=3)) as served:
        yield served
