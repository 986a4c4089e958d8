"""The connector boundary: every Mention is clamped or refused here before it reaches the database.

Posts are written by strangers and APIs send odd data: follower counts of 1e30, 23-digit like counts,
dates in year 1 or 9999 with an offset, NUL characters (PostgreSQL refuses them), ids of 20,000
characters (too big for a unique index).  One bad row must never stop a source, so every connector
builds its Mention through :func:`mention` and turns a :class:`RowError` into a reported, skipped row.

Numbers are clamped to PostgreSQL's ``integer`` range; strings lose NUL and lone surrogates and are
capped; over-long ids become a stable digest (so dedupe still works); unusable dates and missing ids
are refused with a readable reason.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from connectors.base import Author, Engagement, Mention

INT_MAX = 2**31 - 1  # PostgreSQL ``integer``: what the count columns hold
MAX_ID_BYTES = 256  # longer ids are replaced by "sha256:<hex>": a unique index row must stay small
MAX_TEXT = 20_000
MAX_NAME = 200
MAX_URL = 2048
MAX_LANG = 16
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


class RowError(ValueError):
    """This row cannot be stored: skip it and report the reason (the rest of the batch goes on)."""


def count(value: Any, name: str = "count") -> int:
    """A non-negative count clamped to the integer column; blank is 0; text that is no number is refused."""
    number = optional_count(value, name)
    return 0 if number is None else number


def optional_count(value: Any, name: str = "count") -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return max(0, min(value, INT_MAX))
    try:
        number: float = float(value) if not isinstance(value, str) else _number(value.strip())
    except (TypeError, ValueError):
        raise RowError(f"{name} is not a number: {_show(value)}") from None
    if math.isnan(number):
        raise RowError(f"{name} is not a number: {_show(value)}")
    return int(max(0, min(number, INT_MAX)))


def _number(value: str) -> float:
    try:
        return int(value)
    except ValueError:  # "1e30", "12.0", or more digits than int() accepts from text
        return float(value)


def when(value: Any, name: str = "posted_at") -> datetime:
    """An aware UTC datetime from ISO 8601 text, a datetime, or Unix seconds; naive means UTC."""
    try:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            return from_timestamp(value, name)
        else:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError, TypeError):
        raise RowError(f"{name} is not a usable ISO 8601 date: {_show(value)} (write it like "
                       "2026-11-02T09:30:00Z)") from None
    if not EARLIEST <= moment < LATEST:
        raise RowError(f"{name} {moment:%Y-%m-%d} is outside {EARLIEST:%Y}..{LATEST:%Y}")
    return moment


def from_timestamp(seconds: Any, name: str = "posted_at") -> datetime:
    try:
        moment = datetime.fromtimestamp(float(seconds), UTC)
    except (OverflowError, OSError, ValueError, TypeError):
        raise RowError(f"{name} is not a usable Unix time: {_show(seconds)}") from None
    if not EARLIEST <= moment < LATEST:
        raise RowError(f"{name} {moment:%Y-%m-%d} is outside {EARLIEST:%Y}..{LATEST:%Y}")
    return moment


def text(value: Any, limit: int = MAX_TEXT) -> str:
    """Storable text: no NUL (PostgreSQL refuses it), no lone surrogates (not UTF-8), at most ``limit``."""
    out = "" if value is None else str(value)
    if "\x00" in out:
        out = out.replace("\x00", "")
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:
        out = out.encode("utf-8", "replace").decode("utf-8")
    return out[:limit]


def ident(value: Any, name: str = "id") -> str:
    """A required identifier: cleaned, non-empty; a huge one becomes a stable digest."""
    out = optional_ident(value)
    if not out:
        raise RowError(f"{name} is missing or empty")
    return out


def optional_ident(value: Any) -> str | None:
    if value is None:
        return None
    out = text(value, limit=len(str(value))).strip()
    if len(out.encode("utf-8")) > MAX_ID_BYTES:
        out = "sha256:" + hashlib.sha256(out.encode("utf-8")).hexdigest()
    return out or None


def url(value: Any) -> str:
    """A URL to store, or "" when it is absurdly long (renderers still check the scheme)."""
    out = text(value, limit=MAX_URL + 1).strip()
    return "" if len(out) > MAX_URL else out


def mention(item: Mention) -> Mention:
    """``item`` with every field storable; raises RowError when it cannot be stored at all."""
    if not isinstance(item.text, str):
        raise RowError("text is not a string")
    if not isinstance(item.posted_at, datetime):
        raise RowError("posted_at is not a date")
    author = item.author
    lang = text(item.lang, MAX_LANG).strip() if item.lang else None
    return replace(
        item, platform=ident(item.platform, "platform")[:64], external_id=ident(item.external_id),
        author=Author(id=optional_ident(author.id) or "", handle=text(author.handle, MAX_NAME),
                      name=text(author.name, MAX_NAME), followers=optional_count(author.followers, "followers")),
        text=text(item.text), posted_at=when(item.posted_at), url=url(item.url), lang=lang or None,
        engagement=Engagement(reposts=count(item.engagement.reposts, "reposts"),
                              likes=count(item.engagement.likes, "likes"),
                              replies=count(item.engagement.replies, "replies"),
                              quotes=count(item.engagement.quotes, "quotes")),
        conversation_id=optional_ident(item.conversation_id), parent_id=optional_ident(item.parent_id),
        quoted_id=optional_ident(item.quoted_id), reposted_id=optional_ident(item.reposted_id),
        local_id=optional_ident(item.local_id), is_brand_reply=bool(item.is_brand_reply))


def mentions(items: list[Mention]) -> tuple[list[Mention], list[str]]:
    """Every storable mention, and a readable line for each one refused."""
    kept: list[Mention] = []
    problems: list[str] = []
    for item in items:
        try:
            kept.append(mention(item))
        except RowError as exc:
            problems.append(f"skipped post {_show(item.external_id)}: {exc}")
    return kept, problems


def _show(value: Any) -> str:
    """A short, printable rendering of a bad value for a problem line."""
    shown = repr(value[:80] if isinstance(value, str) else value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
