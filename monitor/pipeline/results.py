"""What each pipeline stage reports back: small typed records, so runners count and log without parsing text.

The service turns them into metrics, the worker into task results, the CLI and the demo into lines
for people.  ``line`` / ``changes`` are for logs only; nothing branches on their wording.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from alerts.outbox import DeliveryOutcome, DeliveryStatus


@dataclass
class PollResult:
    """One poll of one source; ``backing_off`` means the gate skipped it (the source is waiting out a failure)."""

    source_id: str
    fetched: int = 0
    new: int = 0
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    rate_limited: bool = False  # the source asked us to wait (429, a spent login budget...)
    retry_at: datetime | None = None  # the rate limit's reset (+ jitter): poll again right then
    backing_off: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.backing_off


@dataclass(frozen=True)
class ScoreResult:
    scored: int
    limit: int

    @property
    def more_pending(self) -> bool:
        """A full batch: there may be more waiting, so a runner should score again at once."""
        return self.scored >= self.limit


@dataclass(frozen=True)
class DetectionResult:
    """Incident changes of one detection run: alert events by kind (opened, escalated, resolved...)."""

    events: Counter[str] = field(default_factory=Counter)
    changes: tuple[str, ...] = ()  # one readable line per change, for logs

    @property
    def opened(self) -> int:
        return self.events["opened"]

    def __bool__(self) -> bool:
        return bool(self.changes) or any(self.events.values())


@dataclass(frozen=True)
class DeliveryResult:
    outcomes: tuple[DeliveryOutcome, ...] = ()

    def count(self, status: DeliveryStatus) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def sent(self) -> int:
        return self.count("sent")

    @property
    def failed(self) -> int:
        """Retried later or dead-lettered."""
        return self.count("retry") + self.count("dead")

    @property
    def rate_limited(self) -> int:
        return sum(o.rate_limited for o in self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)


@dataclass(frozen=True)
class DigestResult:
    brand_id: str
    day: date
    html: Path | None = None
    sent: tuple[str, ...] = ()  # channels it reached
    failed: tuple[str, ...] = ()  # "channel: why"
