"""Reddit through praw, read-only: brand search across r/all plus new posts and comments in chosen subreddits.

Reddit allows 100 queries a minute per OAuth client, so every request (token included) takes a token from
a bucket shared by all Reddit sources with the same client id; an empty bucket ends the poll early with what
was read.  prawcore's own sleeps (rate-limit spreading, retry back-off) are replaced by versions that never
sleep: the pipeline owns waiting.  A source serving several brands searches for all of them in OR-packed
queries (``reddit_queries``); the runner routes each post to its brands.
Cursor: per-stream newest ``created_utc`` plus recent fullnames.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import praw
import prawcore
from prawcore.rate_limit import RateLimiter
from prawcore.sessions import FiniteRetryStrategy
from pydantic import Field

from connectors import sanitize
from connectors.base import (
    Author,
    Batch,
    Connector,
    ConnectorContext,
    ConnectorOptions,
    Cursor,
    Engagement,
    Mention,
    RequestPlan,
)
from connectors.paging import BudgetSpent, RecentIds, read_each, shared_bucket
from connectors.reddit_queries import build_queries
from monitor.errors import ConfigError, SourceAuthError, SourceUnavailable
from monitor.secrets import Secret

GONE = {"[deleted]", "[removed]"}


class RedditOptions(ConnectorOptions):
    client_id: Secret
    client_secret: Secret
    user_agent: str = Field(min_length=10)  # Reddit asks for "<platform>:<app id>:<version> (by /u/<name>)"
    subreddits: list[str] = []  # every new post and comment here is read (e.g. the company's own)
    search_all: bool = True  # search r/all (sort new) for the brand's names and terms
    brand_accounts: list[str] | None = None  # Reddit usernames of the brand; default: brand handles
    queries_per_minute: float = Field(default=90, gt=0, le=100)
    lookback_hours: float = Field(default=24, gt=0)
    overlap_minutes: float = Field(default=10, ge=0)  # re-read this far back: search indexing lags
    fetch_karma: bool = False  # one extra request per new author, for reach
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    timeout_seconds: float = Field(default=20.0, gt=0)


class _BudgetSpent(Exception):
    """The shared query bucket is empty: stop this poll and keep what was read."""


class _RateLimited(Exception):
    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class _NoRetry(FiniteRetryStrategy):
    """prawcore retries 5xx with 2-4 s sleeps; we fail fast and let the pipeline back off."""

    DEFAULT_RETRIES = 0

    def __init__(self, retries: int = 0) -> None:
        object.__setattr__(self, "retries", 0)


class _NoSleepLimiter(RateLimiter):
    """Keep prawcore's header bookkeeping but raise instead of sleeping when Reddit says stop."""

    def delay(self) -> None:
        if self.remaining is not None and self.remaining <= 0 and self.next_request_timestamp_ns:
            wait = (self.next_request_timestamp_ns - time.monotonic_ns()) / 1e9
            if wait > 0:
                raise _RateLimited(wait)


def _make_requestor(connector: RedditConnector) -> type[prawcore.Requestor]:
    class BudgetedRequestor(prawcore.Requestor):
        """Every HTTP call takes a token from the client id's shared bucket and is counted."""

        def request(self, *args: Any, **kwargs: Any) -> Any:
            if not connector.bucket.try_take(connector.context.clock()):
                raise _BudgetSpent()
            connector.requests_made += 1
            kwargs["timeout"] = connector.options.timeout_seconds  # praw's config rounds it to an int
            return super().request(*args, **kwargs)

    return BudgetedRequestor


def _reset_seconds(exc: Exception) -> float | None:
    """Seconds until Reddit's rate window resets, from ``x-ratelimit-reset`` (None when absent or unreadable)."""
    headers = getattr(getattr(exc, "response", None), "headers", {}) or {}
    try:
        value = headers.get("x-ratelimit-reset")
        return None if value is None else max(1.0, float(value))
    except ValueError:
        return None


@dataclass
class _Poll:
    limit: int
    recent: RecentIds
    newest: dict[str, float]  # per stream: the newest created_utc read, when it was drained
    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: int = 0

    def full(self) -> bool:
        return len(self.mentions) >= self.limit


class RedditConnector(Connector[RedditOptions]):
    kind = "reddit"
    platform = "reddit"
    Options = RedditOptions

    def __init__(self, options: RedditOptions, context: ConnectorContext) -> None:
        super().__init__(options, context)
        client_id = options.client_id.get_secret_value()
        self.bucket = shared_bucket(client_id, options.queries_per_minute)
        handles = [h for b in context.brands for h in b.handles]
        accounts = options.brand_accounts if options.brand_accounts is not None else handles
        self.accounts = {a.lstrip("@").removeprefix("u/").lower() for a in accounts}
        try:
            self.queries = build_queries(context.brands)
        except ValueError as exc:
            raise ConfigError(f"sources.{context.source_id}", str(exc)) from None
        self.requests_made = 0
        self.karma: dict[str, int | None] = {}
        self.reddit = praw.Reddit(
            client_id=client_id, client_secret=options.client_secret.get_secret_value(),
            user_agent=options.user_agent, oauth_url=options.oauth_url, reddit_url=options.reddit_url,
            check_for_updates=False, requestor_class=_make_requestor(self))
        self.reddit.read_only = True
        core = self.reddit._read_only_core
        assert core is not None
        core._retry_strategy_class = _NoRetry
        core._rate_limiter = _NoSleepLimiter(window_size=core._rate_limiter.window_size)

    def _streams(self) -> list[tuple[str, Callable[[int], Iterable[Any]]]]:
        """(name, listing factory) pairs; each name keeps its own newest time in the cursor."""
        streams: list[tuple[str, Callable[[int], Iterable[Any]]]] = []
        if self.options.search_all:
            streams += [(f"search:{query}", partial(self._search, query)) for query in self.queries]
        for name in self.options.subreddits:
            sub = name.removeprefix("r/")
            streams.append((f"new:{sub}", partial(self._listing, sub, "new")))
            streams.append((f"comments:{sub}", partial(self._listing, sub, "comments")))
        return streams

    def _search(self, query: str, limit: int) -> Iterable[Any]:
        listing: Iterable[Any] = self.reddit.subreddit("all").search(query, sort="new", time_filter="week",
                                                                     limit=limit)
        return listing

    def _listing(self, subreddit: str, kind: str, limit: int) -> Iterable[Any]:
        listing: Iterable[Any] = getattr(self.reddit.subreddit(subreddit), kind)(limit=limit)
        return listing

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        cursor = cursor or {}
        self.requests_made = 0
        start = (self.context.clock() - timedelta(hours=self.options.lookback_hours)).timestamp()
        poll = _Poll(limit, RecentIds(cursor.get("recent", []), size=1000), dict(cursor.get("newest", {})))
        read_each(self._streams(), lambda stream: self._drain(*stream, poll, start),
                  kept=lambda: len(poll.mentions), problems=poll.problems, full=poll.full)
        if poll.skipped:
            poll.problems.append(f"skipped {poll.skipped} deleted or removed items")
        return Batch(poll.mentions, {"newest": poll.newest, "recent": poll.recent.to_list()}, poll.problems,
                     self.requests_made)

    def _drain(self, name: str, listing: Callable[[int], Iterable[Any]], poll: _Poll, start: float) -> None:
        """Newest first down to the stream's last newest time (less the overlap); it moves only when drained."""
        overlap = self.options.overlap_minutes * 60
        floor = poll.newest.get(name, start + overlap) - overlap
        top = poll.newest.get(name, start)
        try:
            for item in listing(1000):
                data = vars(item)
                try:
                    created = sanitize.from_timestamp(data.get("created_utc", 0), "created_utc").timestamp()
                except sanitize.RowError as exc:
                    poll.problems.append(f"skipped item {str(data.get('name', '?'))[:40]}: {exc}")
                    continue
                if created < floor:
                    break
                top = max(top, created)
                if not poll.recent.add(data.get("name", "")):
                    continue
                try:
                    mention = self._mention(data)
                except sanitize.RowError as exc:
                    poll.problems.append(f"skipped item {str(data.get('name', '?'))[:40]}: {exc}")
                    continue
                if mention is None:
                    poll.skipped += 1
                else:
                    poll.mentions.append(mention)
                if poll.full():
                    return  # older items of this stream wait for the next poll
        except _BudgetSpent:
            raise BudgetSpent(f"Reddit query budget ({self.options.queries_per_minute:g}/min per client id) spent; "
                              "the rest waits for the next poll") from None
        except Exception as exc:  # noqa: BLE001 - mapped to the project's errors, or re-raised
            raise self._map(exc) from None
        poll.newest[name] = top

    def _map(self, exc: Exception) -> Exception:
        source = self.source_id
        limited = isinstance(exc, prawcore.ResponseException) and exc.response.status_code == 429
        if isinstance(exc, _RateLimited) or limited:
            told = exc.seconds if isinstance(exc, _RateLimited) else _reset_seconds(exc)
            reset_at = None if told is None else self.context.clock() + timedelta(seconds=told)
            return SourceUnavailable(source, "Reddit rate limit reached", retry_after=60.0 if told is None else told,
                                     reset_at=reset_at)
        if isinstance(exc, prawcore.OAuthException | prawcore.InvalidToken | prawcore.Forbidden):
            return SourceAuthError(source, "Reddit refused the credentials: check REDDIT_CLIENT_ID/SECRET "
                                           "and that the app is a 'script' app approved for API access")
        if isinstance(exc, prawcore.ResponseException) and exc.response.status_code in (401, 403):
            return SourceAuthError(source, f"Reddit refused the credentials ({exc.response.status_code})")
        if isinstance(exc, prawcore.ResponseException):
            status = exc.response.status_code
            return SourceUnavailable(source, f"Reddit answered {status} ({type(exc).__name__})")
        if isinstance(exc, prawcore.RequestException):
            original = type(exc.original_exception).__name__
            return SourceUnavailable(source, f"Reddit could not be reached ({original})")
        if isinstance(exc, ValueError | KeyError | TypeError):
            return SourceUnavailable(source, f"Reddit sent something unreadable ({type(exc).__name__})")
        raise exc

    def _mention(self, data: dict[str, Any]) -> Mention | None:
        """A t3 (submission) or t1 (comment) as a Mention; None for deleted/removed items."""
        fullname = data.get("name", "")
        is_comment = fullname.startswith("t1_")
        text = data.get("body", "") if is_comment else "\n\n".join(
            p for p in (data.get("title", ""), data.get("selftext", "")) if p)
        author = data.get("author")
        handle = str(author) if author is not None else "[deleted]"
        if handle in GONE or text.strip() in GONE or data.get("removed_by_category"):
            return None
        return sanitize.mention(Mention(
            platform="reddit", external_id=sanitize.ident(fullname, "name"),
            author=Author(id=str(data.get("author_fullname", "")), handle=handle,
                          followers=self._karma(handle)),
            text=text, posted_at=sanitize.from_timestamp(data["created_utc"], "created_utc"),
            url=f"https://www.reddit.com{data.get('permalink', '')}",
            engagement=Engagement(likes=sanitize.count(data.get("score"), "score"),
                                  replies=sanitize.count(data.get("num_comments"), "num_comments")),
            conversation_id=data.get("link_id") if is_comment else fullname,
            parent_id=data.get("parent_id") if is_comment else None,
            is_brand_reply=handle.lower() in self.accounts,
            raw={"subreddit": str(data.get("subreddit", "")), "over_18": bool(data.get("over_18", False)),
                 "kind": "comment" if is_comment else "submission", "score": data.get("score")}))

    def _karma(self, handle: str) -> int | None:
        """Link + comment karma as reach; only when enabled, cached per author, spends budget."""
        if not self.options.fetch_karma:
            return None
        if handle not in self.karma:
            try:
                about = self.reddit.get(f"user/{handle}/about/")
                self.karma[handle] = int(getattr(about, "link_karma", 0) + getattr(about, "comment_karma", 0))
            except (prawcore.NotFound, prawcore.Forbidden, prawcore.Redirect):
                self.karma[handle] = None  # suspended or shadow-banned accounts have no public profile
        return self.karma[handle]

    def request_plan(self) -> RequestPlan:
        """Reddit allows 100 queries a minute per client id, shared by every source and worker using it."""
        pool = "Reddit client " + hashlib.sha256(self.options.client_id.get_secret_value().encode()).hexdigest()[:8]
        return RequestPlan(pool=pool, per_poll=len(self._streams()), limit=100, window_s=60)

    def check(self) -> None:
        """One cheap authenticated read proves the credentials and the network."""
        try:
            next(iter(self.reddit.subreddit("all").new(limit=1)), None)
        except Exception as exc:  # noqa: BLE001
            raise self._map(exc) from None
