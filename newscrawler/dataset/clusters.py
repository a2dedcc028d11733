"""Syndicated copies: near-identical bodies grouped with MinHash LSH (rensa).

Each body becomes the set of its word 7-shingles (``\\w+`` words, so punctuation and
spacing do not count); rensa's ``RMinHash`` turns the set into a signature of
``num_perm`` values and its ``RMinHashLSH`` finds the earlier rows whose signatures
share a band. A candidate joins the row's cluster when the signatures' Jaccard
estimate reaches the threshold; clusters are the connected components (union-find), so
two copies that each differ from the wire text in another way still meet through it.

Rows are added in publication order and the root of a cluster is always its earliest
row: ``root(k) == k`` means row ``k`` is the first of its cluster (or alone).

A copy is looked for among the rows published in the ``window`` before it (7 days by
default: outlets carry a wire story within hours or days): older rows leave the LSH index
and their signatures are freed, so memory follows the rows of one window, not of the
whole dataset. What stays per row is its union-find parent (4 bytes).
"""

from __future__ import annotations

import re
from array import array
from collections import deque

from rensa import RMinHash, RMinHashLSH

DEFAULT_THRESHOLD = 0.7  # measured: README "Building a dataset"
SHINGLE_WORDS = 7
NUM_PERM = 256
WINDOW_DAYS = 7
SEED = 17  # any fixed value: the same body always gets the same signature
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> list[str]:
    """The word ``size``-shingles of ``text`` (a short text is one shingle)."""
    words = _WORD.findall(text)
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + size]) for i in range(len(words) - size + 1)]


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> int:
    """The fewest LSH bands whose S-curve midpoint ``(1/b) ** (1/r)`` is at most the
    threshold (within 0.01): 32 bands of 8 rows for 0.7 and 0.8 with 256 permutations.
    Pairs below the midpoint are rarely candidates; the Jaccard estimate of every
    candidate then decides."""
    for bands in (b for b in range(1, num_perm + 1) if num_perm % b == 0):
        if (1 / bands) ** (bands / num_perm) <= threshold + 0.01:
            return bands
    return num_perm


class Clusterer:
    """Add bodies in publication order; ``root(k)`` is the earliest row of ``k``'s cluster."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, num_perm: int = NUM_PERM,
                 shingle_words: int = SHINGLE_WORDS, bands: int | None = None,
                 window_days: float | None = WINDOW_DAYS):
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_words = shingle_words
        self.bands = bands or bands_for(threshold, num_perm)
        self.window = None if not window_days else window_days * 86400.0
        self._lsh = RMinHashLSH(threshold, num_perm, self.bands)
        self._sigs: dict[int, array] = {}  # the rows of the window
        self._recent: deque = deque()  # (publication instant, row) of the window, oldest first
        self._parent = array("I")
        self.candidates = 0  # LSH candidates checked
        self.peak_window = 0  # the most rows the index held at once

    def add(self, body: str, when: float = 0.0) -> int:
        """Add the next row (``when``: its publication instant, seconds); returns its number."""
        if self.window is not None:
            recent = self._recent
            while recent and recent[0][0] < when - self.window:
                old = recent.popleft()[1]
                self._lsh.remove(old)
                del self._sigs[old]
        row = len(self._parent)
        self._parent.append(row)
        m = RMinHash(self.num_perm, SEED)
        m.update(shingles(body, self.shingle_words))
        sig = array("I", m.digest())
        need = self.threshold * self.num_perm
        for other in self._lsh.query(m):
            self.candidates += 1
            if self._agree(other, sig) >= need:
                self._union(other, row)
        self._lsh.insert(row, m)
        self._sigs[row] = sig
        if self.window is not None:  # without a window nothing is ever removed: no need to remember when
            self._recent.append((when, row))
        self.peak_window = max(self.peak_window, len(self._sigs))
        return row

    def _agree(self, other: int, sig: array) -> int:
        return sum(1 for a, b in zip(self._sigs[other], sig) if a == b)

    def root(self, row: int) -> int:
        parent = self._parent
        r = row
        while parent[r] != r:
            r = parent[r]
        while parent[row] != r:  # path compression
            parent[row], row = r, parent[row]
        return r

    def _union(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:  # the earlier row stays the root
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self._parent[hi] = lo

    def roots(self) -> array:
        """``roots()[k]`` is the earliest row of row ``k``'s cluster."""
        return array("I", (self.root(k) for k in range(len(self._parent))))
