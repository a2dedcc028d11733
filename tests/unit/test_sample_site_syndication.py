"""The sample site's syndicated wire stories (sample_site/syndication.py): copies of one
text from other outlets, under other headlines, with small edits, in the ground truth
and on the pages."""

import itertools

from newscrawler.parsing.page import PageParser
from newscrawler.sample_site import SampleSite
from newscrawler.sample_site.syndication import FIRST, Syndication


def test_every_block_has_one_wire_story_with_two_to_five_copies():
    site = SampleSite(1000, seed=2)
    truth = site.ground_truth("http://x")
    groups = truth["syndicated_groups"]
    assert len(groups) == 10 and {len(g) for g in groups} <= {2, 3, 4, 5} and len({len(g) for g in groups}) > 1
    by_url = {r["url"]: r for r in truth["records"]}
    for g in groups:
        recs = [by_url[u] for u in g]
        assert len({r["source"] for r in recs}) == len(g)  # other outlets
        assert len({r["title"] for r in recs}) == len(g)  # other headlines
        assert len({r["body"] for r in recs}) == len(g)  # every copy edited its own way
        first = set(recs[0]["body"].split("\n\n"))
        for r in recs[1:]:  # most of the wire text is there, paragraph for paragraph
            paras = r["body"].split("\n\n")
            assert len(set(paras) & first) >= len(paras) - 2
    members = {u for g in groups for u in g}
    assert all(site.article_path(b * 100 + FIRST) in {u[len("http://x"):] for u in members} for b in range(10))


def test_the_edits_are_a_new_lede_a_dropped_paragraph_and_the_outlets_byline():
    site = SampleSite(5000, seed=1)
    truth = site.ground_truth("http://x")
    by_url = {r["url"]: r for r in truth["records"]}
    seen = set()
    for g in truth["syndicated_groups"]:
        wire = by_url[g[0]]["body"].split("\n\n")
        for u in g[1:]:
            r = by_url[u]
            paras = r["body"].split("\n\n")
            if len(paras) == len(wire) - 1:
                seen.add("drop")
            if f"({r['source']}) - " in paras[0]:
                seen.add("byline")
            if paras[0].split(" - ", 1)[-1].split(".")[0] not in wire[0]:
                seen.add("lede")
    assert seen == {"drop", "byline", "lede"}


def test_no_other_article_changed_and_the_copies_are_never_special():
    site = SampleSite(500, seed=9)
    truth = site.ground_truth("http://x")
    groups = truth["syndicated_groups"]
    members = {u for g in groups for u in g}
    site.wire = Syndication(9, 0)  # the same site without wire stories
    before = {r["url"]: r for r in site.ground_truth("http://x")["records"]}
    for r in truth["records"]:  # only the copies, and the sidebar teasers of copies, differ
        if r["url"] in members:
            continue
        old = before[r["url"]]
        assert {k: v for k, v in r.items() if k != "related"} == {k: v for k, v in old.items() if k != "related"}
        for new_t, old_t in zip(r["related"], old["related"], strict=True):
            assert new_t == old_t or new_t["url"] in members
    numbers = {int(u.rsplit("/", 1)[-1].split(".")[0].split("=")[-1].split("-")[0]) for g in groups for u in g}
    assert all(FIRST <= i % 100 < FIRST + 5 for i in numbers)
    assert not any(site._invalid(i) or site._withdrawn(i) or site._is_dup(i) or site._is_orig(i) for i in numbers)
    assert site.wire.member(-3) is None and site.wire.member(17) is None


def test_a_copy_page_reads_as_its_ground_truth():
    site = SampleSite(300, seed=6)
    truth = site.ground_truth("http://127.0.0.1:1")
    by_url = {r["url"]: r for r in truth["records"]}
    for u in itertools.chain.from_iterable(truth["syndicated_groups"]):
        status, headers, body = site.handle(u[len("http://127.0.0.1:1"):], {})
        page = PageParser().parse(u, body, dict(headers)["Content-Type"])
        assert page.title == by_url[u]["title"]
        assert "\n\n".join(page.paragraphs) == by_url[u]["body"], u
