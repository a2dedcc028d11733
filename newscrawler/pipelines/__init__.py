"""Item pipelines, in order: normalise -> validate -> de-duplicate -> write.

Each does one thing. A record that fails validation is dropped with
``Rejected`` (its reason goes to the rejects file); a duplicate is dropped
with ``Duplicate`` (counted, not written).
"""

from scrapy.exceptions import DropItem


class Rejected(DropItem):
    """The record is invalid; ``reason`` says why, ``field`` names the culprit."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason, log_level="INFO")
        self.reason = reason
        self.field = field


class Duplicate(DropItem):
    def __init__(self, reason: str, kind: str):
        super().__init__(reason, log_level="DEBUG")
        self.kind = kind
