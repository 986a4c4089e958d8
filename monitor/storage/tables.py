"""The database tables (SQLModel).  Times are UTC; SQLite hands them back naive (see clock.as_utc)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, LargeBinary, String, Text, UniqueConstraint, text, true
from sqlmodel import Field, SQLModel


def _when(index: bool = False, nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), index=index, nullable=nullable))


def _json() -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=True))


def _due_at_opening(context: Any) -> datetime | None:
    """A new incident is due at once (the pass that checks it sets its real time); a resolved one never."""
    row = context.get_current_parameters()
    return None if row.get("status") == "resolved" else row.get("opened_at")


class Brand(SQLModel, table=True):
    __tablename__ = "brands"
    id: str = Field(primary_key=True)
    name: str
    timezone: str = "UTC"


class SourceState(SQLModel, table=True):
    """A source's cursor and health: written in the same transaction as the mentions it fetched."""

    __tablename__ = "sources"
    id: str = Field(primary_key=True)
    brand_id: str = Field(index=True)
    kind: str
    cursor: dict[str, Any] | None = _json()
    last_attempt_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    last_item_at: datetime | None = _when()
    next_poll_at: datetime | None = _when()
    consecutive_failures: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = "new"  # new | ok | failing | auth_failed | quiet
    items_last_poll: int = 0
    items_total: int = 0
    requests_total: int = 0


class Author(SQLModel, table=True):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_author_platform_id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str
    external_id: str
    handle: str = ""
    name: str = ""
    followers: int | None = None
    updated_at: datetime | None = _when()


REACTION_COLUMNS = ("parent_id", "quoted_id", "reposted_id")


def _reaction_index(column: str) -> Index:
    """The posts that answer, quote or repost a post, by its id: partial, as most posts do none of these."""
    where = text(f"{column} IS NOT NULL")
    return Index(f"ix_mentions_{column}", column, sqlite_where=where, postgresql_where=where)


class Mention(SQLModel, table=True):
    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("brand_id", "platform", "external_id", name="uq_mention_brand_platform_id"),
        Index("ix_mentions_brand_posted", "brand_id", "posted_at"),
        Index("ix_mentions_brand_posted_sentiment", "brand_id", "posted_at", "sentiment"),  # web trends: covering
        Index("ix_mentions_brand_reply_posted", "brand_id", "is_brand_reply", "posted_at"),  # "are replies collected?"
        *(_reaction_index(column) for column in REACTION_COLUMNS),  # a watched post's reactions, every pass: 0014
    )
    id: int | None = Field(default=None, primary_key=True)
    brand_id: str
    source_id: str = Field(index=True)
    platform: str
    external_id: str
    url: str = ""
    author_id: str = ""
    author_handle: str = ""
    author_followers: int | None = None
    text: str = Field(sa_column=Column(Text, nullable=False))
    lang: str | None = None
    posted_at: datetime = _when(nullable=False)
    ingested_at: datetime = _when(nullable=False)
    reposts: int = 0
    likes: int = 0
    replies: int = 0
    quotes: int = 0
    conversation_id: str | None = None
    parent_id: str | None = None
    quoted_id: str | None = None
    reposted_id: str | None = None
    # the post's id as replies and quotes on its platform name it, when not external_id (Mastodon: instance/id)
    local_id: str | None = None
    is_brand_reply: bool = False
    sentiment: str | None = Field(default=None, index=True)
    p_negative: float | None = None
    p_neutral: float | None = None
    p_positive: float | None = None
    sentiment_model: str | None = None
    scored_at: datetime | None = _when()
    signals: dict[str, Any] | None = _json()
    detected_at: datetime | None = _when(index=True)  # when detection last looked at it
    # sentence vector (384 int8, models/embedding.py): a new wording of a grievance joins its story
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class Incident(SQLModel, table=True):
    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_brand_status", "brand_id", "status"),  # every pass's checks: 0012
                      Index("ix_incidents_next_check_at", "next_check_at"))  # the pass's due incidents: 0015
    id: int | None = Field(default=None, primary_key=True)
    brand_id: str = Field(index=True)
    key: str = Field(unique=True)  # what makes it "the same" incident: trigger + subject
    trigger: str  # the first facet: spike | story | churn_threat | high_reach | repeat_complainer | source_down
    status: str = "open"  # open | growing | escalated | resolved | watch (stored and shown, never paged)
    severity: int = 1
    title: str = ""
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    opened_at: datetime = _when(nullable=False)
    updated_at: datetime = _when(nullable=False)
    last_activity_at: datetime = _when(nullable=False)
    resolved_at: datetime | None = _when()
    mention_count: int = 0
    author_count: int = 0
    example_mention_ids: list[int] | None = _json()
    details: dict[str, Any] | None = _json()
    facets: dict[str, Any] | None = _json()  # every trigger that joined this event: {trigger: {since, reason}}
    acked_by: str | None = None
    acked_at: datetime | None = _when()
    resolved_by: str | None = None
    owner: str | None = None  # who is on it (assigned in the web workspace)
    snoozed_until: datetime | None = _when()  # quiet until then: no reminders or escalation pages
    # when the pass's timed checks may next act on it (monitor/detection/due.py); None: never (resolved)
    next_check_at: datetime | None = Field(default=None, sa_column=Column(
        DateTime(timezone=True), nullable=True, default=_due_at_opening))


class Alert(SQLModel, table=True):
    """One thing worth telling people about an incident; the outbox fans it out to channels."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("incident_id", "event", "severity", "about", name="uq_alert_event"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(index=True, foreign_key="incidents.id")
    event: str  # opened | escalated | updated | joined | unacknowledged | resolved
    severity: int
    created_at: datetime = _when(nullable=False)
    summary: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # what changed, plain words
    paged: bool = Field(default=True, sa_column=Column(Boolean, nullable=False, server_default=true()))
    # who the news is about ("platform:author_id" of a big customer who joined; "" for the whole incident)
    about: str = Field(default="", sa_column=Column(String, nullable=False, server_default=""))


class OutboxItem(SQLModel, table=True):
    """One (alert, channel) delivery; the idempotency key makes a restart neither lose nor repeat it."""

    __tablename__ = "outbox"
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(index=True, foreign_key="alerts.id")
    channel_id: str
    idempotency_key: str = Field(unique=True)
    status: str = Field(default="pending", index=True)  # pending | sending | sent | dead
    attempts: int = 0
    next_attempt_at: datetime = _when(nullable=False)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = _when()
    receipt: dict[str, Any] | None = _json()


class ChannelHealth(SQLModel, table=True):
    """A delivery channel that is failing: one backoff for the channel, so its rows all go when it is back.

    No row means the channel is working.  While ``next_probe_at`` is ahead, none of its outbox rows is tried;
    then one row is (the probe), and its first success deletes this row and releases the rest."""

    __tablename__ = "channel_health"
    channel_id: str = Field(primary_key=True)
    failures: int = 0
    down_since: datetime = _when(nullable=False)
    next_probe_at: datetime = _when(nullable=False)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class User(SQLModel, table=True):
    """A person who may sign in to the web workspace; the password is an Argon2 hash, never the password."""

    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    password_hash: str
    role: str = "viewer"  # viewer | operator | admin
    created_at: datetime = _when(nullable=False)
    disabled: bool = False


class DigestArchive(SQLModel, table=True):
    """A daily digest as it was sent (HTML with its chart inline, and the plain text), for the Digests view.

    One row per brand and day: sending the day again replaces it.
    """

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("brand_id", "day", name="uq_digest_brand_day"),)
    id: int | None = Field(default=None, primary_key=True)
    brand_id: str
    day: str  # the brand's local day, YYYY-MM-DD
    html: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    sent_to: list[str] | None = _json()  # channel ids reached
    created_at: datetime = _when(nullable=False)


class IncidentAction(SQLModel, table=True):
    """One thing a person did to an incident (ack, assign, note, resolve): who, when, from where.

    ``request_id`` is the form's one-time id: a double submit or a retried request is recorded once.
    """

    __tablename__ = "incident_actions"
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(index=True, foreign_key="incidents.id")
    kind: str  # ack | assign | note | resolve | snooze | wake
    value: str = Field(default="", sa_column=Column(Text, nullable=False))
    actor: str
    origin: str  # "web 127.0.0.1", "cli", ...
    at: datetime = _when(nullable=False)
    request_id: str = Field(unique=True)


class AlertFeedback(SQLModel, table=True):
    """A person's verdict on one alert; one row per (alert, person): giving it again updates it."""

    __tablename__ = "alert_feedback"
    __table_args__ = (UniqueConstraint("alert_id", "actor", name="uq_feedback_alert_actor"),)
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(index=True, foreign_key="alerts.id")
    verdict: str  # useful | noise
    actor: str
    origin: str
    at: datetime = _when(nullable=False)


class MissedMention(SQLModel, table=True):
    """"Missed one": a post the detector should have paged on (for ``groundswell tune``); once per person.

    ``link`` is what the person gave (a post's address or a stored mention's number); ``mention_id`` is the
    stored mention it names, when there is one (no foreign key: retention may delete the mention).
    """

    __tablename__ = "missed_mentions"
    __table_args__ = (UniqueConstraint("brand_id", "link", "actor", name="uq_missed_brand_link_actor"),)
    id: int | None = Field(default=None, primary_key=True)
    brand_id: str = Field(index=True)
    link: str
    mention_id: int | None = None
    alert_id: int | None = None  # the alert it was reported on, if any
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    actor: str
    origin: str
    at: datetime = _when(nullable=False)
