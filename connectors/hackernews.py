"""Hacker News stories and comments through the Algolia HN search API (``search_by_date``), via httpx.

No credentials.  Each brand term is its own query (Algolia ANDs the words of one query) with its own moving
``created_at_i`` window: newest first down to the last poll's newest second; a poll cut short by ``limit``
keeps ``until`` and resumes the backlog next time.  Bounds are inclusive and a recent-id set drops repeats,
so posts sharing a second are neither lost nor doubled.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from pydantic import Field

from connectors import sanitize
from connectors.base import Author, Batch, Connector, ConnectorContext, ConnectorOptions, Cursor, Engagement, Mention
from connectors.paging import QueryState, RecentIds, query_key, query_states, read_each
from connectors.rss import USER_AGENT, html_to_text, told_to_wait
from monitor.errors import SourceAuthError, SourceUnavailable
from monitor.net_words import host_of, unreachable

HN_API = "https://hn.algolia.com"
ALGOLIA_MAX_HITS = 1000  # Algolia stops paging after this many hits for one query


class HackerNewsOptions(ConnectorOptions):
    base_url: str = HN_API
    queries: list[str] | None = None  # default: the brand's names and terms
    tags: str = "(story,comment)"
    lookback_hours: float = Field(default=24.0, gt=0)
    hits_per_page: int = Field(default=100, ge=1, le=1000)
    requests_per_poll: int = Field(default=20, ge=1)
    timeout_seconds: float = Field(default=15.0, gt=0)


class HackerNewsConnector(Connector[HackerNewsOptions]):
    kind = "hackernews"
    platform = "hackernews"
    Options = HackerNewsOptions

    def __init__(self, options: HackerNewsOptions, context: ConnectorContext) -> None:
        super().__init__(options, context)
        brand = context.brand
        terms = options.queries if options.queries is not None else [*(brand.names or (brand.name,)), *brand.terms]
        self.queries = list(dict.fromkeys(t.strip() for t in terms if t.strip()))
        self.http = httpx.Client(base_url=options.base_url.rstrip("/"), timeout=options.timeout_seconds,
                                 headers={"user-agent": USER_AGENT})

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        cursor = cursor or {}
        recent = RecentIds(cursor.get("recent", []), size=2000)
        states = query_states(self.queries, cursor)
        batch = Batch([], None)

        def drain(query: str) -> None:
            states[query_key(query)] = self._drain(query, states[query_key(query)], batch, recent, limit)

        read_each(self.queries, drain, kept=lambda: len(batch.mentions), problems=batch.problems)
        batch.cursor = {"queries": states, "recent": recent.to_list()}
        return batch

    def _drain(self, query: str, state: QueryState, batch: Batch, recent: RecentIds, limit: int) -> QueryState:
        """Newest first within [since, until]; return the query's new state."""
        since = state.get("since")
        if since is None:
            since = int((self.context.clock() - timedelta(hours=self.options.lookback_hours)).timestamp())
        until, newest, page = state.get("until"), state.get("newest"), 0
        oldest_kept: int | None = None
        while len(batch.mentions) < limit and batch.requests_made < self.options.requests_per_poll:
            body = self._search(query, since, until, page, batch)
            hits = body["hits"]
            for hit in hits:
                mention = self._mention(hit, batch)
                if mention is None or mention.external_id in recent:
                    continue
                if len(batch.mentions) >= limit:
                    break
                recent.add(mention.external_id)
                batch.mentions.append(mention)
                stamp = int(mention.posted_at.timestamp())
                newest = stamp if newest is None else max(newest, stamp)
                oldest_kept = stamp
            else:
                page += 1
                if page < int(body.get("nbPages") or 0) and page * self.options.hits_per_page < ALGOLIA_MAX_HITS:
                    continue
                return {"since": max(newest or since, since)}  # drained: next poll starts at the newest second
            break
        resume = oldest_kept if oldest_kept is not None else until
        return {"since": since, "until": resume, "newest": newest} if resume is not None else {"since": since}

    def _search(self, query: str, since: int, until: int | None, page: int, batch: Batch) -> dict[str, Any]:
        filters = f"created_at_i>={since}" + (f",created_at_i<={until}" if until is not None else "")
        params: dict[str, str | int] = {"query": query, "tags": self.options.tags, "numericFilters": filters,
                  "hitsPerPage": self.options.hits_per_page, "page": page}
        batch.requests_made += 1
        source = self.source_id
        try:
            response = self.http.get("/api/v1/search_by_date", params=params)
        except httpx.TimeoutException:
            seconds = self.options.timeout_seconds
            raise SourceUnavailable(source, f"HN search did not answer within {seconds} s") from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(source, "HN search: " + unreachable(exc, host_of(self.options.base_url))) from None
        status = response.status_code
        if status in (401, 403):
            raise SourceAuthError(source, f"HN search refused the request ({status}); is this IP blocked?")
        if status == 429:
            raise told_to_wait(source, "HN search answered 429", response.headers.get("retry-after"),
                               self.context.clock())
        if status >= 400:
            raise SourceUnavailable(source, f"HN search answered {status}")
        try:
            body = response.json()
        except (ValueError, RecursionError):
            raise SourceUnavailable(source, "HN search answered with malformed JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
            raise SourceUnavailable(source, "HN search answer has no hits list")
        return body

    def _mention(self, hit: Any, batch: Batch) -> Mention | None:
        try:
            ident = sanitize.ident(hit["objectID"], "objectID")
            posted = sanitize.from_timestamp(hit["created_at_i"], "created_at_i")
            title = html_to_text(hit.get("title") or hit.get("story_title") or "")
            body = html_to_text(hit.get("comment_text") or hit.get("story_text") or "")
            is_comment = hit.get("comment_text") is not None
            text = body if is_comment else (f"{title}\n{body}" if body else title)
            author = str(hit.get("author") or "")
            parent = hit.get("parent_id")
            story = hit.get("story_id") or (None if is_comment else ident)
            return sanitize.mention(Mention(
                platform="hackernews", external_id=ident,
                author=Author(id=author, handle=author, name=author),
                text=text, posted_at=posted, url=f"https://news.ycombinator.com/item?id={ident}", lang=None,
                engagement=Engagement(likes=sanitize.count(hit.get("points"), "points"),
                                      replies=sanitize.count(hit.get("num_comments"), "num_comments")),
                conversation_id=str(story) if story is not None else None,
                parent_id=str(parent) if parent is not None else None, raw=hit))
        except (KeyError, TypeError, ValueError) as exc:
            batch.problems.append(f"skipped malformed hit: {type(exc).__name__} {exc}")
            return None

    def check(self) -> None:
        self._search(self.queries[0] if self.queries else "", 0, None, 0, Batch([], None))
