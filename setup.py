# Used by scrapyd-deploy to build the egg it uploads to scrapyd (see README, "Deploying to scrapyd").
# The site profiles and the record schema are data files the spiders read at run time: they must be
# in the egg.
from setuptools import find_packages, setup

setup(
    name="newscrawler",
    version="0.1",
    packages=find_packages(include=["newscrawler", "newscrawler.*"]),
    package_data={"newscrawler": ["schema/*.json", "profiles/*.json"]},
    include_package_data=True,
    entry_points={"scrapy": ["settings = newscrawler.settings"]},
    zip_safe=False,
)
