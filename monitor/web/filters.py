"""URL query parameters -> typed filters, and back (every view is a shareable link)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

_RELATIVE = re.compile(r"^(\d{1,4})([hd])$")
SENTIMENTS = ("negative", "neutral", "positive")
INCIDENT_STATUSES = ("all", "active", "resolved")


def _text(params: Mapping[str, str], key: str, limit: int = 200) -> str:
    return (params.get(key) or "").strip()[:limit]


def _int(params: Mapping[str, str], key: str, low: int, high: int) -> int | None:
    raw = _text(params, key)
    return max(low, min(high, int(raw))) if raw.isdigit() else None


def parse_time(raw: str, now: datetime) -> datetime | None:
    """"24h", "7d", "2026-11-20" or "2026-11-20T18:00" (UTC); anything else is ignored."""
    match = _RELATIVE.match(raw)
    if match:
        amount = int(match.group(1))
        return now - (timedelta(hours=amount) if match.group(2) == "h" else timedelta(days=amount))
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Query:
    """Shared by the filter dataclasses: the non-empty fields as a query string."""

    def query_string(self, **changes: object) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


@dataclass(frozen=True)
class IncidentFilter(Query):
    status: str = "all"  # open ones are listed first either way
    brand: str = ""
    trigger: str = ""
    severity: int | None = None  # at least
    owner: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> IncidentFilter:
        status = _text(params, "status")
        return cls(status=status if status in INCIDENT_STATUSES else "all", brand=_text(params, "brand"),
                   trigger=_text(params, "trigger"), severity=_int(params, "severity", 1, 4),
                   owner=_text(params, "owner"))


@dataclass(frozen=True)
class MentionFilter(Query):
    brand: str = ""
    platform: str = ""
    sentiment: str = ""
    category: str = ""
    lang: str = ""
    author: str = ""
    since: str = ""
    until: str = ""
    q: str = ""
    before: int | None = None  # keyset paging: mentions with a smaller id

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> MentionFilter:
        sentiment = _text(params, "sentiment")
        return cls(brand=_text(params, "brand"), platform=_text(params, "platform"),
                   sentiment=sentiment if sentiment in SENTIMENTS else "", category=_text(params, "category"),
                   lang=_text(params, "lang", 8), author=_text(params, "author").lstrip("@"),
                   since=_text(params, "since", 32), until=_text(params, "until", 32), q=_text(params, "q"),
                   before=_int(params, "before", 1, 2**62))

    def unread_times(self, now: datetime) -> list[tuple[str, str]]:
        """("Since", "last week"): a time the stream could not read, and so did not filter by (said on the page)."""
        return [(label, raw) for label, raw in (("Since", self.since), ("Until", self.until))
                if raw and parse_time(raw, now) is None]


@dataclass(frozen=True)
class TrendFilter(Query):
    brand: str = ""
    days: int = 7
    end: str = ""  # the last day shown (YYYY-MM-DD); empty: the day of the newest mention

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> TrendFilter:
        end = _text(params, "end", 10)
        return cls(brand=_text(params, "brand"), days=_int(params, "days", 1, 31) or 7,
                   end=end if re.match(r"^\d{4}-\d\d-\d\d$", end) else "")
