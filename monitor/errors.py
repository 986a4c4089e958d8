"""The one exception tree every part of Groundswell raises from.

    GroundswellError
    ├── ConfigError(key, message)          bad settings: one readable line naming the key; exit code 2
    ├── StorageError                       the database stayed locked or unreachable after retries
    ├── ModelError                         the sentiment model is missing or corrupt; says how to fix it
    ├── SourceError(source)
    │   ├── SourceUnavailable(retry_after, reset_at)  network, 5xx, 429: back off, keep the cursor, others go on
    │   └── SourceAuthError                401/403: pause this source and tell ops once
    └── DeliveryError(channel, transient)  the outbox retries transient ones and dead-letters the rest

Connectors and notifiers raise these; they never return False.  The pipeline owns retry,
backoff and cursors; the outbox owns delivery retry.
"""

from __future__ import annotations

import re
from datetime import datetime

# C0 and C1 controls (ESC starts a terminal escape: clear screen, set title, fake hyperlink), DEL and bidi overrides.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(message: str) -> str:
    """A message that quotes a server's words (an API error, an SMTP reply) safe to print, log and store."""
    return _CONTROLS.sub("", message)


class GroundswellError(Exception):
    """Base class: catch this to handle anything Groundswell raises on purpose."""


class ConfigError(GroundswellError):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key
        self.message = message


class StorageError(GroundswellError):
    pass


class ModelError(GroundswellError):
    pass


class SourceError(GroundswellError):
    def __init__(self, source: str, message: str) -> None:
        super().__init__(printable(message))
        self.source = source


class SourceUnavailable(SourceError):
    """``reset_at``: when the server said its rate limit resets (a 429's reset header); the next poll goes then,
    not at a later backoff step.  ``retry_after`` alone is a wait that may be a guess (no header: 60 s)."""

    def __init__(self, source: str, message: str, *, retry_after: float | None = None,
                 reset_at: datetime | None = None) -> None:
        super().__init__(source, message)
        self.retry_after = retry_after
        self.reset_at = reset_at


class SourceAuthError(SourceError):
    pass


class DeliveryError(GroundswellError):
    def __init__(self, channel: str, message: str, *, transient: bool = True,
                 retry_after: float | None = None) -> None:
        super().__init__(printable(message))
        self.channel = channel
        self.transient = transient
        self.retry_after = retry_after
