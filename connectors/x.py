"""X (Twitter) recent search through tweepy's API v2 client, bounded by a per-poll and monthly read budget.

Reads are paid per post, so every poll spends at most ``reads_per_poll`` posts and the month's usage
travels in the cursor (stored atomically with the batch).  Each query keeps its own ``since_id``; a poll
that stops early (limit or budget) remembers ``until_id`` and resumes the backlog next time, so nothing
between two polls is skipped.  Errors are raised, never slept on: ``wait_on_rate_limit`` stays False.
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
from connectors.paging import (
    BudgetSpent,
    MonthlyReads,
    QueryState,
    RecentIds,
    query_key,
    query_states,
    read_each,
    rotated,
    shared_bucket,
)
from connectors.x_http import X_HOST, HostSession, RedactBearer
from connectors.x_queries import brand_reply_queries, build_queries, describe_error, query_languages
from monitor.errors import ConfigError, SourceAuthError, SourceUnavailable
from monitor.secrets import Secret

MIN_PAGE = 10  # recent search refuses max_results below 10
SEARCH_PER_15_MIN = 450  # recent search requests per app (bearer token)
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


def _newer(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        return a or b
    return a if int(a) >= int(b) else b


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
        states = query_states(self.queries, cursor)
        turn = int(cursor.get("turn", 0))

        def drain(query: str) -> None:
            if poll.spent:
                raise BudgetSpent(BUDGET_SPENT)
            states[query_key(query)] = self._drain(query, states[query_key(query)], poll, recent, now)

        read_each(rotated(self.queries, turn), drain, kept=lambda: len(poll.mentions), problems=poll.problems)
        if poll.spent and BUDGET_SPENT not in poll.problems:
            poll.problems.append(BUDGET_SPENT)
        if poll.reads_left < MIN_PAGE:
            poll.problems.append(f"read budget reached ({usage.used + poll.reads} posts this month, "
                                 f"{poll.reads} this poll); remaining posts wait for the next poll")
        new_cursor = {"month": usage.month, "reads_this_month": usage.used + poll.reads,
                      "turn": turn + 1, "queries": states, "recent": recent.to_list()}
        return Batch(poll.mentions, new_cursor, poll.problems, poll.requests)

    def _drain(self, query: str, state: QueryState, poll: _Poll, recent: RecentIds, now: datetime) -> QueryState:
        """Read one query newest-first until done, the limit or the budget; return its new state."""
        if not state.get("since_id") and not state.get("start_time"):
            state = {"start_time": (now - timedelta(hours=self.options.lookback_hours)).isoformat()}
        newest, oldest, token, done = state.get("newest"), None, None, False
        while poll.limit_left > 0 and poll.reads_left >= MIN_PAGE:
            if not self.bucket.try_take(now):
                poll.spent = True
                break
            page = max(MIN_PAGE, min(100, poll.limit_left, poll.reads_left))
            try:
                body = self._search(query, state, page, token)
            except _Rejected:
                if not (state.get("since_id") or state.get("until_id")) or token:
                    raise
                # X refuses ids older than its 7-day window (a long outage): restart from the window's edge
                poll.problems.append("X refused the saved position (older than 7 days?); resumed from the "
                                     "oldest searchable time, so posts from the outage may be missing")
                state = {"start_time": (now - timedelta(hours=167)).isoformat()}
                newest = None
                continue
            poll.requests += 1
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
            newest = _newer(newest, (body.get("meta") or {}).get("newest_id"))
            oldest = kept[-1]["id"] if kept else oldest
            token = (body.get("meta") or {}).get("next_token")
            if len(kept) < len(tweets):
                break
            if not token:
                done = True
                break
        if done:
            since = _newer(newest, state.get("since_id"))
            if since:
                return {"since_id": since}
            floor = (now - timedelta(days=6)).isoformat()  # X refuses start_time older than 7 days
            return {"start_time": max(state["start_time"], floor)}
        if oldest is None:
            return state
        return {**state, "until_id": oldest, "newest": newest}

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
            raise SourceUnavailable(source, f"X request failed: {type(exc).__name__}") from None
        if not isinstance(body, dict):
            raise SourceUnavailable(source, "X answered with something that is not a JSON object")
        return body

    def _mention(self, tweet: dict[str, Any], users: dict[str, dict[str, Any]], poll: _Poll) -> Mention | None:
        try:
            posted = sanitize.when(tweet["created_at"], "created_at")
            user = users.get(tweet.get("author_id", ""), {})
            handle = user.get("username", "")
            refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or []}
            metrics = tweet.get("public_metrics") or {}
            return sanitize.mention(Mention(
                platform="x", external_id=sanitize.ident(tweet["id"]),
                author=Author(id=str(tweet.get("author_id", "")), handle=handle, name=user.get("name", ""),
                              followers=sanitize.optional_count((user.get("public_metrics") or {})
                                                                .get("followers_count"), "followers_count")),
                text=tweet.get("text", ""), posted_at=posted,
                url=f"https://x.com/{handle or 'i/web'}/status/{tweet['id']}", lang=tweet.get("lang"),
                engagement=Engagement(*(sanitize.count(metrics.get(k), k) for k in
                                        ("retweet_count", "like_count", "reply_count", "quote_count"))),
                conversation_id=tweet.get("conversation_id"), parent_id=refs.get("replied_to"),
                quoted_id=refs.get("quoted"), reposted_id=refs.get("retweeted"),
                is_brand_reply=str(handle).lower() in self.handles, raw=tweet))
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
