"""Item pipelines, in order: normalise -> validate -> de-duplicate -> write.

Each does one thing. A record that fails validation is dropped with
``Rejected`` (its reason goes to the rejects file); a duplicate is dropped
with ``Duplicate`` (counted, not written).
"""

from scrapy.exceptions import DropItem


class Rejected(DropItem):
    """The record is invalid; ``reason`` says why, ``field`` names the culprit."""

    def __init__(self, reason: str, field: str | None = None, code: str = "invalid"):
        super().__init__(reason, log_level="INFO")
        self.reason = reason
        self.field = field
        self.code = code

    @property
    def key(self) -> str:
        """Stable name of the reason, e.g. ``credibility:out_of_range``."""
        return f"{self.field}:{self.code}"


class Duplicate(DropItem):
    def __init__(self, reason: str, kind: str):
        super().__init__(reason, log_level="DEBUG")
        self.kind = kind
