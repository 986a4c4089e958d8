"""Turn HTTP answers into DeliveryError: which failures the outbox should retry, and after how long."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from monitor.errors import DeliveryError

# Statuses worth another try later: rate limits, timeouts, "too early", and every server error.
TRANSIENT_4XX = frozenset({408, 425, 429})


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup for plain dicts (urllib and slack_sdk give those)."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date; ``None`` if absent or unreadable."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def status_error(channel: str, status: int, headers: Mapping[str, str],
                 detail: str = "") -> DeliveryError | None:
    """``None`` for 2xx; otherwise a DeliveryError, transient for 408/425/429/5xx, permanent for the rest."""
    if 200 <= status < 300:
        return None
    retry_after = parse_retry_after(header(headers, "Retry-After")) if status in (429, 503) else None
    transient = status in TRANSIENT_4XX or status >= 500
    what = f"HTTP {status}" + (f": {detail[:200]}" if detail else "")
    if 300 <= status < 400:
        what += " (redirect not followed: configure the final URL)"
    return DeliveryError(channel, what, transient=transient, retry_after=retry_after)
