"""De-duplicate: the same canonical url, or the same story.

The same story is the same outlet and the same normalised headline published
within ``NEWSCRAWLER_DUPLICATE_WINDOW`` seconds (default 600) of each other:
the aggregator ingests some stories twice, seconds apart.
"""

from __future__ import annotations

from datetime import datetime

from newscrawler.pipelines import Duplicate
from newscrawler.processors.text import normalize_for_match


def _epoch(published_at: str) -> float | None:
    try:
        return datetime.fromisoformat(published_at).timestamp()
    except (TypeError, ValueError):
        return None


WINDOW = 600.0  # seconds: NEWSCRAWLER_DUPLICATE_WINDOW's default


def later_copies(copies, window: float = WINDOW) -> list:
    """The ids to drop of ``copies`` (``(story, published, rank, id)`` tuples, in any order): of the
    records of one story published within ``window`` of each other, all but the one of the greatest
    ``rank`` (``merge`` and ``export``: the latest crawl)."""
    drop, cluster = [], []
    for c in sorted(copies, key=lambda c: (c[0], c[1])) + [None]:
        if cluster and (c is None or c[0] != cluster[-1][0] or c[1] - cluster[-1][1] > window):
            if len(cluster) > 1:
                keep = max(cluster, key=lambda x: x[2])
                drop.extend(x[3] for x in cluster if x is not keep)
            cluster = []
        if c is not None:
            cluster.append(c)
    return drop


def story_key(record) -> tuple[str, str]:
    """The outlet and the headline, normalised: two records with the same key published within the
    window are one story (``merge`` uses it across run files too)."""
    return normalize_for_match(record["source"]), normalize_for_match(record["title"])


class DedupePipeline:
    def __init__(self, window: float = WINDOW):
        self.window = window
        self.ids: set[bytes] = set()
        self.stories: dict[tuple[str, str], list[tuple[float, str]]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getfloat("NEWSCRAWLER_DUPLICATE_WINDOW", WINDOW))

    def process_item(self, item):
        key = bytes.fromhex(item["id"])
        if key in self.ids:
            raise Duplicate(f"duplicate url {item['url']}", "url")
        story = story_key(item)
        when = _epoch(item["published_at"])
        seen = self.stories.get(story)
        if seen and when is not None:
            for other_when, other_url in seen:
                if abs(other_when - when) <= self.window:
                    raise Duplicate(f"same story as {other_url}", "story")
        self.ids.add(key)
        if when is not None:
            self.stories.setdefault(story, []).append((when, item["url"]))
        return item
