"""Syndicated stories of the sample aggregator: one wire text carried by several outlets.

An aggregator lists the same agency story (AFP, Reuters, a national agency) from many
outlets, each under its own headline and with small edits of its own. In every block of
100 article numbers ``b*100 + r`` the articles ``r = 50 .. 50 + size - 1`` (``size`` 2 to 5,
drawn per block) are the copies of one wire story:

* the wire text: 8 to 11 paragraphs of 2 to 4 sentences drawn from every category's
  pool, so it resembles no single ordinary article;
* copy 0 carries it as it is; every other copy makes at least one of these edits: its
  first sentence rewritten (another sentence in its place), one paragraph (not the first)
  dropped, the outlet's own byline before the first sentence (``بيروت (النهار) - ``);
* every copy keeps its own headline, category, scores and publication time (the
  copies of a block are published within a few hours) and has an outlet of its own
  (no two copies of one story share an outlet).

``SampleSite`` asks this module for the outlet and the body of an article (``outlet``,
``body``) and adds ``syndicated_groups`` (the urls of each story's copies) to its ground
truth. A block whose copies would pass the last article has none.
"""

from __future__ import annotations

import random

from . import corpus as C

FIRST = 50  # residue of copy 0 in each block of 100
MIN_COPIES, MAX_COPIES = 2, 5
_POOL = tuple(s for slug in sorted(C.SENTENCES) for s in C.SENTENCES[slug])
_CITIES = C.SLOTS["city"]


class Syndication:
    """Which articles of a site are copies of a wire story, and what they say."""

    def __init__(self, seed: int, n: int):
        self.seed = seed
        self.n = n
        self._sizes: dict[int, int] = {}

    def size(self, block: int) -> int:
        size = self._sizes.get(block)
        if size is None:
            size = random.Random(f"kashaf-wire-size:{self.seed}:{block}").randint(MIN_COPIES, MAX_COPIES)
            if block * 100 + FIRST + size - 1 > self.n:
                size = 0
            self._sizes[block] = size
        return size

    def member(self, i: int) -> tuple[int, int] | None:
        """``(block, copy number)`` of article ``i``, or None when it is no copy."""
        if i <= 0:
            return None
        block, k = divmod(i, 100)
        k -= FIRST
        if not 0 <= k < MAX_COPIES:
            return None
        return (block, k) if k < self.size(block) else None

    def outlet(self, i: int, drawn: int) -> int:
        """The outlet index of article ``i`` (``drawn`` when it is no copy)."""
        m = self.member(i)
        if m is None:
            return drawn
        base = random.Random(f"kashaf-wire-outlet:{self.seed}:{m[0]}").randrange(len(C.OUTLETS))
        return (base + 3 * m[1]) % len(C.OUTLETS)  # 3k mod 15: five different outlets

    def wire(self, block: int) -> list[list[str]]:
        rng = random.Random(f"kashaf-wire:{self.seed}:{block}")
        sizes = [rng.randint(2, 4) for _ in range(rng.randint(8, 11))]
        picks = rng.sample(_POOL, sum(sizes))
        out, pos = [], 0
        for size in sizes:
            out.append(picks[pos:pos + size])
            pos += size
        return out

    def body(self, i: int, drawn: list[list[str]]) -> list[list[str]]:
        """The paragraphs of article ``i`` (``drawn`` when it is no copy)."""
        m = self.member(i)
        if m is None:
            return drawn
        block, k = m
        paras = [list(p) for p in self.wire(block)]
        if k == 0:
            return paras
        rng = random.Random(f"kashaf-wire-copy:{self.seed}:{block}:{k}")
        edits = [e for e in ("lede", "drop", "byline") if rng.random() < 0.5] or [rng.choice(("lede", "drop"))]
        if "drop" in edits:
            del paras[rng.randrange(1, len(paras))]
        if "lede" in edits:
            used = {s for p in paras for s in p}
            paras[0][0] = rng.choice([s for s in _POOL if s not in used])
        if "byline" in edits:
            name = C.OUTLETS[self.outlet(i, 0)][0]
            paras[0][0] = f"{rng.choice(_CITIES)} ({name}) - {paras[0][0]}"
        return paras

    def groups(self, url_of) -> list[list[str]]:
        """The urls (``url_of(i)``) of the copies of each wire story."""
        out = []
        for block in range((self.n - FIRST) // 100 + 1):
            size = self.size(block)
            if size:
                out.append([url_of(block * 100 + FIRST + k) for k in range(size)])
        return out
