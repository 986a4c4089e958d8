"""Bluesky post search (``app.bsky.feed.searchPosts``, sort=latest) through the atproto client.

Search needs a logged-in account: the handle and an app password (from the environment) create a
session once, and the exported session string is reused (kept in memory and, with ``session_dir``, in a
0600 file) because logins are limited to 30 per 5 minutes; a local login budget refuses to go past
``max_logins`` per 5 minutes.  Each query keeps a time window on the posts' sort time (min of
``createdAt``/``indexedAt``): ``since`` (inclusive, with a small overlap) and, after a poll cut short by
``limit``, ``until`` to resume the backlog; a recent-URI set drops the overlap's repeats.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import atproto_client.exceptions as atx
import httpx
from atproto import Client, Request, SessionEvent
from pydantic import Field

from connectors import sanitize
from connectors.base import Batch, Connector, ConnectorContext, ConnectorOptions, Cursor, Mention
from connectors.bluesky_posts import post_mention, sort_time
from connectors.paging import QueryState, RecentIds, query_key, query_states, quote_term, read_each
from connectors.private_file import write_private
from monitor.errors import SourceAuthError, SourceUnavailable
from monitor.net_words import host_of, unreachable
from monitor.secrets import Secret

LOGIN_WINDOW = timedelta(minutes=5)
_SESSIONS: dict[str, str] = {}  # account key -> exported session string, shared by the process
_LOGINS: dict[str, deque[datetime]] = {}
_LOCK = threading.Lock()
_STALE = {"ExpiredToken", "InvalidToken", "AuthenticationRequired"}


class BlueskyOptions(ConnectorOptions):
    handle: str
    app_password: Secret
    base_url: str = "https://bsky.social"  # the account's PDS; it proxies search to the Bluesky AppView
    session_dir: Path | None = None  # keep the session across restarts (file mode 0600)
    queries: list[str] | None = None  # default: brand names and handles
    lang: str | None = None
    lookback_hours: float = Field(default=24.0, gt=0)
    overlap_seconds: float = Field(default=60.0, ge=0)  # posts indexed late still reach a moving window
    page_size: int = Field(default=100, ge=1, le=100)
    requests_per_poll: int = Field(default=20, ge=1)
    fetch_followers: bool = True  # one getProfiles call per 25 new authors
    max_logins: int = Field(default=10, ge=1, le=30)  # per 5 minutes, for this account in this process
    timeout_seconds: float = Field(default=20.0, gt=0)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _when(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _error_name(exc: atx.RequestErrorBase) -> str:
    content = exc.response.content if exc.response is not None else None
    name = getattr(content, "error", None) or (content.get("error") if isinstance(content, dict) else None)
    return str(name or "")


class BlueskyConnector(Connector[BlueskyOptions]):
    kind = "bluesky"
    platform = "bluesky"
    Options = BlueskyOptions

    def __init__(self, options: BlueskyOptions, context: ConnectorContext) -> None:
        super().__init__(options, context)
        brand = context.brand
        terms = options.queries if options.queries is not None else [
            *(quote_term(n) for n in brand.names or (brand.name,)),
            *(f"mentions:{h.lstrip('@')}" for h in brand.handles if "." in h)]  # Bluesky handles are domains
        self.queries = list(dict.fromkeys(q for q in terms if q.strip()))
        self.account = hashlib.sha1(f"{options.base_url}|{options.handle.lower()}".encode()).hexdigest()[:16]
        self.client = Client(options.base_url, request=Request(timeout=options.timeout_seconds))
        self.client.on_session_change(self._saved)
        self.followers: dict[str, int] = {}
        self.brand_accounts = {h.lstrip("@").lower() for h in brand.handles if "." in h}
        self._ready = False

    # ---- session ----------------------------------------------------------------------------
    @property
    def _session_file(self) -> Path | None:
        folder = self.options.session_dir
        return Path(folder).expanduser() / f"bluesky-{self.account}.session" if folder else None

    def _saved(self, event: SessionEvent, session: Any) -> None:
        if event not in (SessionEvent.CREATE, SessionEvent.REFRESH):
            return
        text = self.client.export_session_string()
        with _LOCK:
            _SESSIONS[self.account] = text
        path = self._session_file
        if path:
            write_private(path, text)

    def _stored_session(self) -> str | None:
        with _LOCK:
            if self.account in _SESSIONS:
                return _SESSIONS[self.account]
        path = self._session_file
        if path and path.is_file():
            return path.read_text(encoding="utf-8").strip() or None
        return None

    def _forget_session(self) -> None:
        with _LOCK:
            _SESSIONS.pop(self.account, None)
        path = self._session_file
        if path and path.exists():
            path.unlink()

    def _login(self) -> None:
        stored = self._stored_session()
        if stored:
            try:
                self.client.login(session_string=stored, fetch_bsky_profile=False)
                self._ready = True
                return
            except (ValueError, atx.AtProtocolError):
                self._forget_session()
        self._spend_login()
        self._call(lambda: self.client.login(self.options.handle, self.options.app_password.get_secret_value(),
                                             fetch_bsky_profile=False), relogin=False)
        self._ready = True

    def _spend_login(self) -> None:
        now = self.context.clock()
        with _LOCK:
            stamps = _LOGINS.setdefault(self.account, deque())
            while stamps and now - stamps[0] >= LOGIN_WINDOW:
                stamps.popleft()
            if len(stamps) >= self.options.max_logins:
                wait = max(1.0, (stamps[0] + LOGIN_WINDOW - now).total_seconds())
                raise SourceUnavailable(self.source_id, f"Bluesky login budget spent ({self.options.max_logins} per "
                                        f"5 minutes); retry in {wait:.0f} s", retry_after=wait)
            stamps.append(now)

    def _call(self, request: Any, *, relogin: bool = True) -> Any:
        """Run one atproto call; map failures to the project's errors, re-login once on a stale session."""
        source = self.source_id
        try:
            return request()
        except (atx.UnauthorizedError, atx.BadRequestError) as exc:
            stale = _error_name(exc) in _STALE or isinstance(exc, atx.UnauthorizedError)
            if relogin and stale and exc.response is not None and exc.response.status_code != 403:
                self._forget_session()
                self._ready = False
                self._login()
                return self._call(request, relogin=False)
            if isinstance(exc, atx.UnauthorizedError) or _error_name(exc) in _STALE:
                code = exc.response.status_code if exc.response is not None else "?"
                raise SourceAuthError(source, f"Bluesky refused {self.options.handle} ({code} {_error_name(exc)}): "
                                              "check the handle and app password") from None
            raise SourceUnavailable(source, f"Bluesky rejected the request: {_error_name(exc) or 400}") from None
        except atx.RateLimitExceededError as exc:
            headers = exc.response.headers if exc.response is not None else {}
            reset = headers.get("ratelimit-reset")
            wait = max(1.0, float(reset) - self.context.clock().timestamp()) if reset else 60.0
            raise SourceUnavailable(source, f"Bluesky rate limit reached; retry in {wait:.0f} s",
                                    retry_after=wait) from None
        except atx.InvokeTimeoutError:
            raise SourceUnavailable(source, f"Bluesky did not answer within {self.options.timeout_seconds} s") from None
        except atx.RequestErrorBase as exc:
            code = exc.response.status_code if exc.response is not None else "network error"
            raise SourceUnavailable(source, f"Bluesky request failed ({code})") from None
        except httpx.HTTPError as exc:  # atproto passes some transport errors through unwrapped
            raise SourceUnavailable(source, "Bluesky: " + unreachable(exc, host_of(self.options.base_url))) from None
        except (atx.AtProtocolError, ValueError, TypeError, RecursionError) as exc:
            raise SourceUnavailable(source, f"Bluesky answered with malformed data ({type(exc).__name__})") from None

    # ---- fetch ------------------------------------------------------------------------------
    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        cursor = cursor or {}
        if not self._ready:
            self._login()
        batch = Batch([], None)
        recent = RecentIds(cursor.get("recent", []), size=2000)
        states = query_states(self.queries, cursor)

        def drain(query: str) -> None:
            states[query_key(query)] = self._drain(query, states[query_key(query)], batch, recent, limit)

        read_each(self.queries, drain, kept=lambda: len(batch.mentions), problems=batch.problems)
        self._add_followers(batch)
        batch.cursor = {"queries": states, "recent": recent.to_list()}
        return batch

    def _drain(self, query: str, state: QueryState, batch: Batch, recent: RecentIds, limit: int) -> QueryState:
        now = self.context.clock()
        since = state.get("since") or _iso(now - timedelta(hours=self.options.lookback_hours))
        until, newest, token = state.get("until"), state.get("newest"), None
        oldest: datetime | None = None
        while len(batch.mentions) < limit and batch.requests_made < self.options.requests_per_poll:
            page = self._search(query, since, until, token, batch)
            for post in page.posts:
                mention = self._mention(post, batch)
                if mention is None or mention.external_id in recent:
                    continue
                if len(batch.mentions) >= limit:
                    break
                recent.add(mention.external_id)
                batch.mentions.append(mention)
                sort_at = sort_time(post, mention)
                newest = _iso(sort_at) if newest is None or sort_at > _when(newest) else newest
                oldest = sort_at
            else:
                token = page.cursor
                if token and page.posts:
                    continue
                top = _when(newest) - timedelta(seconds=self.options.overlap_seconds) if newest else None
                return {"since": max(_iso(top), since) if top else since}
            break
        if oldest is not None:
            until = _iso(oldest + timedelta(milliseconds=1))  # ``until`` is exclusive; keep same-instant posts
        return {k: v for k, v in (("since", since), ("until", until), ("newest", newest)) if v}

    def _search(self, query: str, since: str, until: str | None, token: str | None, batch: Batch) -> Any:
        params: dict[str, Any] = {"q": query, "sort": "latest", "since": since, "limit": self.options.page_size}
        if until:
            params["until"] = until
        if token:
            params["cursor"] = token
        if self.options.lang:
            params["lang"] = self.options.lang
        batch.requests_made += 1
        return self._call(lambda: self.client.app.bsky.feed.search_posts(params=params))

    def _mention(self, post: Any, batch: Batch) -> Mention | None:
        try:
            return post_mention(post, self.followers.get(post.author.did), self.brand_accounts)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            batch.problems.append(f"skipped malformed post {getattr(post, 'uri', '?')}: {type(exc).__name__}")
            return None

    def _add_followers(self, batch: Batch) -> None:
        """Reach: follower counts from getProfiles (searchPosts' author view has none)."""
        if not self.options.fetch_followers:
            return
        missing = list(dict.fromkeys(m.author.id for m in batch.mentions if m.author.id not in self.followers))
        for start in range(0, len(missing), 25):
            batch.requests_made += 1
            try:
                found = self._call(lambda c=missing[start:start + 25]: self.client.get_profiles(c))
            except SourceAuthError:
                raise
            except SourceUnavailable as exc:
                batch.problems.append(f"follower counts unavailable: {exc}")
                break
            if len(self.followers) > 50_000:  # a long-running service: keep the cache bounded
                self.followers.clear()
            for profile in found.profiles:
                self.followers[profile.did] = sanitize.count(profile.followers_count)
        batch.mentions[:] = [m if m.author.followers is not None or m.author.id not in self.followers else
                             _with_followers(m, self.followers[m.author.id]) for m in batch.mentions]

    def check(self) -> None:
        if not self._ready:
            self._login()
        self._search(self.queries[0] if self.queries else "bluesky", _iso(self.context.clock()), None, None,
                     Batch([], None))


def _with_followers(mention: Mention, followers: int) -> Mention:
    return replace(mention, author=replace(mention.author, followers=followers))
