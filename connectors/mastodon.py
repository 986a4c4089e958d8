"""Mastodon hashtag timelines and status search on a list of instances, through Mastodon.py.

Each (instance, hashtag or search query) keeps its own ``since`` id and, when a poll stops at ``limit``,
an ``until`` id to resume the backlog.  The same status seen through several instances has several local
ids but one ActivityPub ``uri``: that is the external id, and a recent-uri set drops the repeats.
Mastodon.py runs with ``ratelimit_method="throw"`` so it never sleeps; when an instance's
``X-RateLimit-Remaining`` reaches the reserve the poll leaves it alone until ``X-RateLimit-Reset``.
Full-text status search needs an access token and only finds opted-in posts that reached that instance.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import mastodon
from pydantic import BaseModel, ConfigDict, Field

from connectors import sanitize
from connectors.base import Author, Batch, Connector, ConnectorContext, ConnectorOptions, Cursor, Engagement, Mention
from connectors.paging import QueryState, RecentIds, query_key, quote_term
from connectors.rss import USER_AGENT, html_to_text
from monitor.errors import SourceAuthError, SourceUnavailable
from monitor.secrets import Secret


class MastodonInstance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    access_token: Secret | None = None  # needed for status search (and hashtags on locked-down instances)


class MastodonOptions(ConnectorOptions):
    instances: list[MastodonInstance] = Field(min_length=1)
    hashtags: list[str] | None = None  # default: brand names, handles and terms as tags
    search_queries: list[str] | None = None  # default: brand names; only on instances with a token
    lookback_hours: float = Field(default=24.0, gt=0)
    page_size: int = Field(default=40, ge=1, le=40)
    requests_per_poll: int = Field(default=30, ge=1)
    ratelimit_reserve: int = Field(default=5, ge=0)  # leave this many calls per window for other tools
    timeout_seconds: float = Field(default=20.0, gt=0)


@dataclass
class _Poll:
    limit: int
    recent: RecentIds
    batch: Batch = field(default_factory=lambda: Batch([], None))
    resting: dict[str, float] = field(default_factory=dict)  # instance host -> seconds until its reset


def _tag(term: str) -> str:
    return re.sub(r"[^\w]", "", term.lstrip("@#$"), flags=re.UNICODE).lower()


def _order(local_id: str) -> tuple[int, str]:
    """Mastodon ids are numeric snowflakes, Pleroma's fixed-width flakes: both sort by (length, text)."""
    return len(local_id), local_id


class MastodonConnector(Connector[MastodonOptions]):
    kind = "mastodon"
    platform = "mastodon"
    Options = MastodonOptions

    def __init__(self, options: MastodonOptions, context: ConnectorContext) -> None:
        super().__init__(options, context)
        brand = context.brand
        names = list(brand.names or (brand.name,))
        tags = options.hashtags if options.hashtags is not None else [*names, *brand.handles, *brand.terms]
        self.hashtags = list(dict.fromkeys(t for t in map(_tag, tags) if t))
        queries = options.search_queries if options.search_queries is not None else [quote_term(n) for n in names]
        self.queries = list(dict.fromkeys(q for q in queries if q.strip()))
        self.clients = {self._host(i.url): self._client(i) for i in options.instances}
        self.tokens = {self._host(i.url) for i in options.instances if i.access_token}
        self.brand_accounts = {h.lstrip("@").lower() for h in brand.handles if "@" in h.lstrip("@")}

    @staticmethod
    def _host(url: str) -> str:
        return urlsplit(url if "://" in url else f"https://{url}").netloc.lower()

    def _client(self, instance: MastodonInstance) -> mastodon.Mastodon:
        token = instance.access_token.get_secret_value() if instance.access_token else None
        url = instance.url if "://" in instance.url else f"https://{instance.url}"
        return mastodon.Mastodon(access_token=token, api_base_url=url.rstrip("/"), ratelimit_method="throw",
                                 request_timeout=self.options.timeout_seconds, version_check_mode="none",
                                 user_agent=USER_AGENT)

    def streams(self) -> list[tuple[str, str, str]]:
        """(instance host, "tag" | "search", query) in a stable order."""
        out = [(host, "tag", tag) for host in self.clients for tag in self.hashtags]
        return out + [(host, "search", q) for host in self.clients if host in self.tokens for q in self.queries]

    @staticmethod
    def stream_key(stream: tuple[str, str, str]) -> str:
        return query_key("|".join(stream))

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        cursor = cursor or {}
        poll = _Poll(limit, RecentIds(cursor.get("recent", []), size=2000))
        old = cursor.get("streams", {})
        streams = self.streams()
        states = {self.stream_key(s): old.get(self.stream_key(s), {}) for s in streams}
        turn = int(cursor.get("turn", 0)) % max(1, len(streams))
        failures: list[SourceUnavailable] = []
        for stream in streams[turn:] + streams[:turn]:
            if len(poll.batch.mentions) >= limit or poll.batch.requests_made >= self.options.requests_per_poll:
                break
            if stream[0] in poll.resting:
                continue
            key = self.stream_key(stream)
            try:
                states[key] = self._drain(stream, states[key], poll)
            except SourceUnavailable as exc:  # includes SourceAuthError
                failures.append(exc)
                poll.batch.problems.append(f"{stream[0]} {stream[1]} {stream[2]!r}: {exc}")
        if not poll.batch.mentions and (failures or poll.resting) and not self._any_success(failures, poll):
            raise self._worst(failures, poll)
        poll.batch.cursor = {"streams": states, "recent": poll.recent.to_list(), "turn": turn + 1}
        return poll.batch

    @staticmethod
    def _any_success(failures: list[SourceUnavailable], poll: _Poll) -> bool:
        return poll.batch.requests_made > len(failures)

    def _worst(self, failures: list[SourceUnavailable], poll: _Poll) -> SourceUnavailable:
        auth = [f for f in failures if isinstance(f, SourceAuthError)]
        if auth:
            return auth[0]
        waits = [f.retry_after for f in failures if f.retry_after] + list(poll.resting.values())
        if failures and not waits:
            return failures[0]
        wait = min(waits) if waits else 60.0
        told = [f.reset_at for f in failures if f.reset_at] + [
            self.context.clock() + timedelta(seconds=rest) for rest in poll.resting.values()]
        return SourceUnavailable(self.source_id, f"Mastodon rate limit reached; retry in {wait:.0f} s",
                                 retry_after=wait, reset_at=min(told) if told else None)

    def _drain(self, stream: tuple[str, str, str], state: QueryState, poll: _Poll) -> QueryState:
        """Newest first down to ``since``; returns the stream's new state."""
        host = stream[0]
        since, until, newest = state.get("since"), state.get("until"), state.get("newest")
        floor = self.context.clock() - timedelta(hours=self.options.lookback_hours)
        done = False
        while len(poll.batch.mentions) < poll.limit and poll.batch.requests_made < self.options.requests_per_poll:
            if self._exhausted(host, poll):
                break
            statuses = self._page(stream, since, until, poll)
            if not statuses:
                done = True
                break
            for status in statuses:
                local = str(status.get("id") or "") if isinstance(status, dict) else ""
                mention = self._mention(status, host, poll)
                if local:
                    newest = local if newest is None or _order(local) > _order(newest) else newest
                    until = local
                if mention is None:
                    continue
                if since is None and mention.posted_at < floor:
                    done = True
                    break
                if poll.recent.add(mention.external_id):
                    poll.batch.mentions.append(mention)
                if len(poll.batch.mentions) >= poll.limit:
                    break
            else:
                done = len(statuses) < self.options.page_size
            if done:
                break
        if done:
            top = newest or since
            return {"since": top} if top else {}
        return {k: v for k, v in (("since", since), ("until", until), ("newest", newest)) if v}

    def _exhausted(self, host: str, poll: _Poll) -> bool:
        client = self.clients[host]
        reset = client.ratelimit_reset
        if client.ratelimit_remaining <= self.options.ratelimit_reserve and reset and reset > time.time():
            poll.resting[host] = max(1.0, reset - time.time())
            return True
        return False

    def _page(self, stream: tuple[str, str, str], since: str | None, until: str | None, poll: _Poll) -> list[Any]:
        host, kind, query = stream
        client = self.clients[host]
        size = self.options.page_size
        poll.batch.requests_made += 1
        try:
            if kind == "tag":
                result = client.timeline_hashtag(query, since_id=since, max_id=until, limit=size)
            else:
                # exclude_unreviewed=False: True makes Mastodon.py probe the server version first
                found = client.search_v2(query, resolve=False, result_type="statuses", min_id=since,
                                         max_id=until, limit=size, exclude_unreviewed=False)
                result = found.get("statuses") if isinstance(found, dict) else None
        except mastodon.MastodonRatelimitError:  # Mastodon.py reads X-RateLimit-Reset into ratelimit_reset
            told = client.ratelimit_reset
            wait = max(1.0, (told or time.time() + 300) - time.time())
            poll.resting[host] = wait
            reset_at = self.context.clock() + timedelta(seconds=wait) if told else None
            raise SourceUnavailable(self.source_id, f"{host} rate limit reached; retry in {wait:.0f} s",
                                    retry_after=wait, reset_at=reset_at) from None
        except mastodon.MastodonUnauthorizedError:
            raise SourceAuthError(self.source_id, f"{host} refused the request (401): the access token is invalid, "
                                                  "or this instance only serves logged-in users") from None
        except mastodon.MastodonNetworkError as exc:
            timed_out = "timed out" in str(exc).lower() or "timeout" in str(exc).lower()
            raise SourceUnavailable(self.source_id, f"{host} did not answer" + (
                f" within {self.options.timeout_seconds} s" if timed_out else "")) from None
        except RecursionError:
            raise SourceUnavailable(self.source_id, f"{host} answered with JSON nested too deeply") from None
        except mastodon.MastodonAPIError as exc:
            status = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
            if status == 403:
                raise SourceAuthError(self.source_id, f"{host} refused access (403)") from None
            raise SourceUnavailable(self.source_id, f"{host} answered {status or 'malformed data'}") from None
        if not isinstance(result, list):
            raise SourceUnavailable(self.source_id, f"{host} answered with something that is not a status list")
        return result

    def _mention(self, status: Any, host: str, poll: _Poll) -> Mention | None:
        try:
            account = status["account"]
            acct = str(account["acct"])
            home = urlsplit(str(account.get("url") or "")).netloc or host  # local accts lack their domain
            handle = acct if "@" in acct else f"{acct}@{home}"
            posted = sanitize.when(status["created_at"], "created_at")
            spoiler = html_to_text(status.get("spoiler_text") or "")
            text = html_to_text(status.get("content") or "")
            uri = str(status["uri"])
            return sanitize.mention(Mention(
                platform="mastodon", external_id=uri,
                author=Author(id=str(account.get("url") or handle), handle=handle,
                              name=html_to_text(account.get("display_name") or ""),
                              followers=sanitize.optional_count(account.get("followers_count"), "followers_count")),
                text=f"{spoiler}\n{text}" if spoiler else text, posted_at=posted,
                url=str(status.get("url") or uri), lang=status.get("language"),
                engagement=Engagement(reposts=sanitize.count(status.get("reblogs_count"), "reblogs_count"),
                                      likes=sanitize.count(status.get("favourites_count"), "favourites_count"),
                                      replies=sanitize.count(status.get("replies_count"), "replies_count")),
                parent_id=f"{host}/{status['in_reply_to_id']}" if status.get("in_reply_to_id") else None,
                quoted_id=_quoted(host, status), local_id=f"{host}/{status['id']}",
                is_brand_reply=handle.lower() in self.brand_accounts, raw={"instance": host, "id": str(status["id"])}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            poll.batch.problems.append(f"{host}: skipped malformed status: {type(exc).__name__} {exc}")
            return None

    def check(self) -> None:
        poll = _Poll(1, RecentIds())
        for host in self.clients:
            stream = (host, "tag", self.hashtags[0] if self.hashtags else "news")
            self._page(stream, None, None, poll)


def _quoted(host: str, status: Any) -> str | None:
    """The instance's id of the status this one quotes (Mastodon 4.5 quotes: ``quote.quoted_status`` in full, or
    ``quote.quoted_status_id``), named as replies name their parent, so a quote joins what it quotes."""
    quote = status.get("quote") or {}
    quoted = quote.get("quoted_status") or {}
    ident = quoted.get("id") or quote.get("quoted_status_id")
    return f"{host}/{ident}" if ident else None
