"""X (Twitter) recent search through tweepy's API v2 client, bounded by a per-poll and monthly read budget.

Reads are paid per post, so every poll spends at most ``reads_per_poll`` posts and the month's usage
travels in the cursor (stored atomically with the batch).  Each query keeps its own position: its newest
post read, and the gaps a poll that stopped early (limit or budget) left below it (``connectors/x_gaps.py``).
Each poll reads every query's newest posts first, then the gaps, newest first, so after a long outage new
complaints are not queued behind the backlog and nothing between two polls is skipped.  Errors are raised,
never slept on: ``wait_on_rate_limit`` stays False.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from pydantic import Field

from connectors.base import (
    Batch,
    Connector,
    ConnectorContext,
    ConnectorOptions,
    Cursor,
    Mention,
    RequestPlan,
)
from connectors.paging import (
    BudgetSpent,
    MonthlyReads,
    RecentIds,
    query_key,
    query_states,
    read_each,
    rotated,
    shared_bucket,
)
from connectors.x_gaps import QueryState, ReadRange, lower_bound, newer_id, normalised, with_gaps
from connectors.x_http import X_HOST, HostSession, RedactBearer
from connectors.x_posts import mention_of
from connectors.x_queries import brand_reply_queries, build_queries, describe_error, query_languages
from monitor.errors import ConfigError, SourceAuthError, SourceUnavailable
from monitor.net_words import host_of, unreachable
from monitor.secrets import Secret

MIN_PAGE = 10  # recent search refuses max_results below 10
SEARCH_PER_15_MIN = 450  # recent search requests per app (bearer token)
OUTSIDE_WINDOW = ("X refused the saved position (older than 7 days?); resumed from the oldest searchable time, "
                  "so posts from the outage may be missing")
BUDGET_SPENT = (f"X request budget ({SEARCH_PER_15_MIN} searches per 15 min per app, shared by every source "
                "and worker) spent; the rest waits for the next poll")
EXPANSIONS = ["author_id", "referenced_tweets.id"]
TWEET_FIELDS = ["created_at", "public_metrics", "lang", "conversation_id", "referenced_tweets",
                "in_reply_to_user_id", "author_id"]
USER_FIELDS = ["username", "name", "public_metrics"]
log = logging.getLogger(__name__)


logging.getLogger("tweepy.client").addFilter(RedactBearer())


class XOptions(ConnectorOptions):
    bearer_token: Secret
    base_url: str = X_HOST  # tests and proxies: the host tweepy's hard-coded URL is rewritten to
    include_retweets: bool = False
    include_brand_replies: bool = True  # also read the brand's own replies (from:handle is:reply)
    languages: list[str] | None = None  # default: the brand's languages; [] for all
    lookback_hours: float = Field(default=6.0, gt=0, le=167)  # first run only; recent search keeps 7 days
    reads_per_poll: int = Field(default=300, ge=MIN_PAGE)
    monthly_read_budget: int | None = Field(default=None, ge=MIN_PAGE)  # None: no monthly cap
    timeout_seconds: float = Field(default=20.0, gt=0)


class _Rejected(SourceUnavailable):
    """A 400: the query or the saved position is not acceptable to X."""


@dataclass
class _Poll:
    """What one fetch may still spend and what it has gathered."""

    limit_left: int
    reads_left: int
    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    reads: int = 0
    spent: bool = False  # the app's shared request budget ran out


def _room(poll: _Poll) -> bool:
    return poll.limit_left > 0 and poll.reads_left >= MIN_PAGE


class XConnector(Connector[XOptions]):
    kind = "x"
    platform = "x"
    Options = XOptions

    def __init__(self, options: XOptions, context: ConnectorContext) -> None:
        super().__init__(options, context)
        languages = query_languages(context.brands) if options.languages is None else options.languages
        self.handles = {h.lstrip("@").lower() for b in context.brands for h in b.handles}
        try:
            queries = build_queries(context.brands, languages, options.include_retweets)
            if options.include_brand_replies and self.handles:
                queries += brand_reply_queries(context.brands)
        except ValueError as exc:
            raise ConfigError(f"sources.{context.source_id}", str(exc)) from None
        self.queries = queries
        token = options.bearer_token.get_secret_value()
        # X allows 450 recent-search requests per 15 minutes per app: one budget for every source and worker
        self.bucket = shared_bucket(f"x-search:{token}", SEARCH_PER_15_MIN / 15, window_minutes=15)
        self.client = tweepy.Client(bearer_token=token,
                                    return_type=dict, wait_on_rate_limit=False)
        self.client.session = HostSession(options.base_url, options.timeout_seconds)

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        cursor = cursor or {}
        now = self.context.clock()
        usage = MonthlyReads.from_cursor(cursor, now)
        poll = _Poll(limit_left=limit, reads_left=min(self.options.reads_per_poll,
                                                      usage.left(self.options.monthly_read_budget)))
        recent = RecentIds(cursor.get("recent", []), size=500)
        start = (now - timedelta(hours=self.options.lookback_hours)).isoformat()
        states = {key: normalised(state, start) for key, state in query_states(self.queries, cursor).items()}
        turn, heads_read = int(cursor.get("turn", 0)), []

        def step(read: Callable[[str, QueryState, _Poll, RecentIds, datetime], QueryState]) -> Callable[[str], None]:
            def drain(query: str) -> None:
                if poll.spent:
                    raise BudgetSpent(BUDGET_SPENT)
                states[query_key(query)] = read(query, states[query_key(query)], poll, recent, now)
                heads_read.append(query)
            return drain

        # every query's newest posts first, then the gaps older polls left (newest gap first)
        read_each(rotated(self.queries, turn), step(self._read_head), kept=lambda: len(poll.mentions),
                  problems=poll.problems)
        if len(heads_read) == len(self.queries) and not poll.spent and _room(poll):
            read_each(rotated(self.queries, turn), step(self._read_gaps), kept=lambda: len(poll.mentions),
                      problems=poll.problems)
        if poll.spent and BUDGET_SPENT not in poll.problems:
            poll.problems.append(BUDGET_SPENT)
        if poll.reads_left < MIN_PAGE:
            poll.problems.append(f"read budget reached ({usage.used + poll.reads} posts this month, "
                                 f"{poll.reads} this poll); remaining posts wait for the next poll")
        new_cursor = {"month": usage.month, "reads_this_month": usage.used + poll.reads,
                      "turn": turn + 1, "queries": states, "recent": recent.to_list()}
        return Batch(poll.mentions, new_cursor, poll.problems, poll.requests)

    def _read_head(self, query: str, state: QueryState, poll: _Poll, recent: RecentIds, now: datetime) -> QueryState:
        """Everything newer than the head, newest first; stopping early leaves a gap below what was read."""
        gaps = list(state.get("gaps", []))
        got = self._read(query, lower_bound(state), None, poll, recent, now)
        if got.rejected:  # the head is older than X's window: so is every gap below it
            gaps = []
        if not got.done and got.oldest is None:  # nothing read (budget): the head stays
            return with_gaps(got.lower, gaps)
        if not got.done:
            gaps.insert(0, {**got.lower, "until_id": got.oldest})
        head = newer_id(got.newest, got.lower.get("since_id") if got.done else None)
        if head:
            return with_gaps({"since_id": head}, gaps)
        floor = (now - timedelta(days=6)).isoformat()  # X refuses start_time older than 7 days
        return with_gaps({"start_time": max(got.lower["start_time"], floor)}, gaps)

    def _read_gaps(self, query: str, state: QueryState, poll: _Poll, recent: RecentIds, now: datetime) -> QueryState:
        """The gaps below the head, newest gap first, each newest post first, while the poll's budget lasts."""
        head, gaps, left = lower_bound(state), list(state.get("gaps", [])), []
        while gaps and _room(poll) and not poll.spent:
            gap = gaps.pop(0)
            got = self._read(query, lower_bound(gap), gap["until_id"], poll, recent, now)
            if got.done:
                continue
            left.append({**got.lower, "until_id": got.oldest or gap["until_id"]})
            if got.oldest is None:  # nothing read: the budget ran out
                break
        return with_gaps(head, left + gaps)

    def _read(self, query: str, lower: QueryState, until: str | None, poll: _Poll, recent: RecentIds,
              now: datetime) -> ReadRange:
        """Read (lower, until) newest first until done, the limit or the budget."""
        got = ReadRange(lower=dict(lower))
        token: str | None = None
        while _room(poll):
            if not self.bucket.try_take(now):
                poll.spent = True
                break
            page = max(MIN_PAGE, min(100, poll.limit_left, poll.reads_left))
            try:
                body = self._search(query, {**got.lower, **({"until_id": until} if until else {})}, page, token)
            except _Rejected:
                if token or not (got.lower.get("since_id") or until):
                    raise
                if got.rejected:  # even the window's edge is refused: this gap lies wholly before it
                    got.done = True
                    break
                # X refuses ids older than its 7-day window (a long outage): go on from the window's edge
                poll.problems.append(OUTSIDE_WINDOW)
                got.lower, got.rejected = {"start_time": (now - timedelta(hours=167)).isoformat()}, True
                continue
            poll.requests += 1
            self._keep(body, poll, recent, got)
            token = (body.get("meta") or {}).get("next_token")
            if got.truncated:
                break
            if not token:
                got.done = True
                break
        return got

    def _keep(self, body: dict[str, Any], poll: _Poll, recent: RecentIds, got: ReadRange) -> None:
        """One page's posts into the batch (up to the limit), and where the read now stands."""
        tweets = body.get("data") or []
        includes = body.get("includes") or {}
        charged = len(tweets) + len(includes.get("tweets") or [])
        poll.reads += charged
        poll.reads_left -= charged
        poll.problems += [describe_error(e) for e in body.get("errors") or []]
        kept = tweets[:poll.limit_left]
        users = {u["id"]: u for u in includes.get("users") or []}
        for tweet in kept:
            mention = self._mention(tweet, users, poll)
            if mention and recent.add(mention.external_id):
                poll.mentions.append(mention)
                poll.limit_left -= 1
        got.newest = newer_id(got.newest, (body.get("meta") or {}).get("newest_id") or (kept and kept[0]["id"]) or None)
        got.oldest = kept[-1]["id"] if kept else got.oldest
        got.truncated = len(kept) < len(tweets)

    def _search(self, query: str, state: QueryState, page: int, token: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"max_results": page, "expansions": EXPANSIONS,
                                  "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS}
        if state.get("since_id"):
            params["since_id"] = state["since_id"]
        elif state.get("start_time"):
            params["start_time"] = datetime.fromisoformat(state["start_time"])
        if state.get("until_id"):
            params["until_id"] = state["until_id"]
        if token:
            params["next_token"] = token
        return self._call(lambda: self.client.search_recent_tweets(query, **params))

    def _call(self, request: Callable[[], Any]) -> dict[str, Any]:
        """Run one tweepy call and turn every failure into the project's error tree."""
        source = self.source_id
        try:
            body = request()
        except tweepy.TooManyRequests as exc:  # tweepy reads x-rate-limit-reset into reset_time
            reset, now = getattr(exc, "reset_time", None), self.context.clock()
            reset_at = datetime.fromtimestamp(reset, UTC) if reset else None
            wait = max(1.0, (reset_at - now).total_seconds()) if reset_at else 60.0
            raise SourceUnavailable(source, "X rate limit reached", retry_after=wait, reset_at=reset_at) from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as exc:
            raise SourceAuthError(source, f"X refused the bearer token ({exc.response.status_code}): "
                                          "check X_BEARER_TOKEN and the app's access level") from None
        except tweepy.TwitterServerError as exc:
            raise SourceUnavailable(source, f"X server error {exc.response.status_code}") from None
        except tweepy.BadRequest as exc:
            raise _Rejected(source, f"X rejected the request: {'; '.join(exc.api_messages)[:200]}") from None
        except tweepy.HTTPException as exc:
            raise SourceUnavailable(source, f"X answered {exc.response.status_code}: "
                                            f"{'; '.join(exc.api_messages)[:200]}") from None
        except requests.Timeout:
            wait = self.options.timeout_seconds
            raise SourceUnavailable(source, f"X did not answer within {wait} s") from None
        except (requests.RequestException, ValueError, RecursionError) as exc:
            raise SourceUnavailable(source, "X: " + unreachable(exc, host_of(self.options.base_url))) from None
        if not isinstance(body, dict):
            raise SourceUnavailable(source, "X answered with something that is not a JSON object")
        return body

    def _mention(self, tweet: dict[str, Any], users: dict[str, dict[str, Any]], poll: _Poll) -> Mention | None:
        try:
            return mention_of(tweet, users, self.handles)
        except (KeyError, TypeError, ValueError) as exc:
            poll.problems.append(f"skipped malformed post {tweet.get('id', '?')}: {type(exc).__name__} {exc}")
            return None

    def usage(self, cursor: Cursor | None) -> str:
        """One line for `groundswell sources` and the digest: posts read this month against the budget."""
        month = MonthlyReads.from_cursor(cursor, self.context.clock())
        budget = self.options.monthly_read_budget
        cap = f" of {budget:,}" if budget else " (no monthly cap)"
        return f"{month.used:,}{cap} posts read in {month.month}; at most {self.options.reads_per_poll:,} per poll"

    def request_plan(self) -> RequestPlan:
        pool = "X app " + hashlib.sha256(self.options.bearer_token.get_secret_value().encode()).hexdigest()[:8]
        return RequestPlan(pool=pool, per_poll=len(self.queries), limit=SEARCH_PER_15_MIN, window_s=15 * 60)

    def check(self) -> None:
        """Usage endpoint: proves the token and shows the project's cap without spending reads."""
        self._call(lambda: self.client.request("GET", "/2/usage/tweets").json())
