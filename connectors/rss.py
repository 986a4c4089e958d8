"""RSS/Atom feeds (Google Alerts, news searches, review and app-store feeds, status pages) via httpx + feedparser.

Feeds are fetched as bytes by httpx (timeouts, conditional GET with the ETag/Last-Modified kept in the
cursor) and only then parsed, so feedparser never does network I/O.  Entries are deduped on id/link with a
bounded recent-id set per feed; Google Alerts redirect links are unwrapped; HTML is reduced to plain text.
A poll that stops at ``limit`` forgets the validators so the next poll reads the feed again in full.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax import SAXParseException

import feedparser
import httpx
from pydantic import Field, field_validator

from connectors import sanitize
from connectors.base import Author, Batch, Connector, ConnectorContext, ConnectorOptions, Cursor, Mention
from connectors.paging import QueryState, RecentIds, query_key
from monitor.errors import SourceAuthError, SourceError, SourceUnavailable
from monitor.net_words import host_of, unreachable

USER_AGENT = "groundswell/0.1 (+self-hosted reputation monitor)"
_SKIP_TAGS = {"script", "style", "template", "noscript", "head", "title"}
_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}


class _TextOnly(HTMLParser):
    """Keeps character data only; script/style contents are dropped, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self.skipping:
            self.skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text from untrusted HTML: tags and script/style bodies dropped, entities decoded, whitespace
    collapsed.  The result is text, not markup: every renderer escapes it (``alerts/escape.py``)."""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return " ".join(html.unescape("".join(parser.parts)).split())


def unwrap_link(link: str) -> str:
    """Google Alerts (and Google News) wrap links as ``https://www.google.com/url?...&url=REAL``."""
    parts = urlsplit(link)
    if parts.hostname and re.fullmatch(r"(www\.)?google\.[a-z.]+", parts.hostname) and parts.path == "/url":
        target = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if target and target[0].startswith(("http://", "https://")):
            return target[0]
    return link


_HTML_PAGE = re.compile(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)


class RssOptions(ConnectorOptions):
    feeds: list[str] = Field(min_length=1)
    match_brand: bool = False  # keep only entries naming the brand (for broad news/review feeds)
    timeout_seconds: float = Field(default=20.0, gt=0)
    max_bytes: int = Field(default=5_000_000, gt=0)
    remember: int = Field(default=1000, ge=10)  # recent entry ids kept per feed

    @field_validator("feeds")
    @classmethod
    def _web_addresses(cls, feeds: list[str]) -> list[str]:
        for url in feeds:
            parts = urlsplit(url.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{url!r} is not a web address: give the whole feed address, starting with https://")
        return [url.strip() for url in feeds]


class RssConnector(Connector[RssOptions]):
    kind = "rss"
    platform = "rss"
    Options = RssOptions

    def __init__(self, options: RssOptions, context: ConnectorContext) -> None:
        super().__init__(options, context)
        words = [*(context.brand.names or (context.brand.name,)), *context.brand.terms]
        self.pattern = re.compile("|".join(r"(?<!\w)" + re.escape(w) + r"(?!\w)" for w in words if w), re.I)
        self.http = httpx.Client(timeout=options.timeout_seconds, follow_redirects=True,
                                 headers={"user-agent": USER_AGENT})

    @staticmethod
    def feed_key(url: str) -> str:
        return query_key(url)

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        old = (cursor or {}).get("feeds", {})
        states: dict[str, QueryState] = {self.feed_key(u): old.get(self.feed_key(u), {}) for u in self.options.feeds}
        batch = Batch([], None)
        failures: list[SourceError] = []
        for url in self.options.feeds:
            if len(batch.mentions) >= limit:
                break
            key = self.feed_key(url)
            try:
                states[key] = self._read(url, states[key], batch, limit)
            except SourceError as exc:
                failures.append(_naming(exc, url))
                batch.problems.append(str(exc))
        if failures and len(failures) == batch.requests_made:  # every feed read failed
            raise next((f for f in failures if isinstance(f, SourceAuthError)), failures[0])
        batch.cursor = {"feeds": states}
        return batch

    def _read(self, url: str, state: QueryState, batch: Batch, limit: int) -> QueryState:
        """Read one feed into ``batch``; return its new state (validators only once fully read)."""
        got = self._get(url, state, batch)
        if got is None:  # 304 Not Modified
            return state
        body, validators = got
        title, entries = self._parse(body)
        recent = RecentIds(state.get("recent", []), size=self.options.remember)
        feed_title = html_to_text(title) or _display(url)
        complete = True
        for entry in reversed(entries):  # feeds list newest first; deliver oldest first
            mention = self._mention(entry, feed_title, url, batch)
            if mention is None or mention.external_id in recent:
                continue
            if len(batch.mentions) >= limit:
                complete = False
                break
            recent.add(mention.external_id)
            if not self.options.match_brand or self.pattern.search(mention.text):
                batch.mentions.append(mention)
        new_state: dict[str, Any] = {"recent": recent.to_list()}
        if complete:
            new_state.update({k: v for k, v in validators.items() if v})
        return new_state

    def _parse(self, body: bytes) -> tuple[str, list[Any]]:
        """Feed title and entries from RSS/Atom (feedparser) or JSON Feed (jsonfeed.org) bytes."""
        if body.lstrip()[:1] == b"{":
            return _json_feed(body, self.source_id)
        parsed = feedparser.parse(body)
        if not parsed.entries and _HTML_PAGE.match(body[:512]):
            raise SourceUnavailable(self.source_id, "this address is a web page, not a feed: open it in a browser "
                                                    "and copy the address of its RSS or Atom link")
        if parsed.bozo and not parsed.entries:
            raise SourceUnavailable(self.source_id, f"not a readable feed ({type(parsed.bozo_exception).__name__})")
        if parsed.bozo and isinstance(parsed.bozo_exception, SAXParseException):
            raise SourceUnavailable(self.source_id, "feed is not well-formed XML (truncated?); nothing kept")
        return str(parsed.feed.get("title", "")), list(parsed.entries)

    def _get(self, url: str, state: QueryState, batch: Batch) -> tuple[bytes, dict[str, str | None]] | None:
        """Conditional GET, read at most ``max_bytes``; None on 304."""
        headers = {}
        if state.get("etag"):
            headers["if-none-match"] = state["etag"]
        if state.get("modified"):
            headers["if-modified-since"] = state["modified"]
        batch.requests_made += 1
        try:
            with self.http.stream("GET", url, headers=headers) as response:
                self._raise_for_status(response)
                if response.status_code == 304:
                    return None
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.options.max_bytes:
                        raise SourceUnavailable(self.source_id, f"feed larger than {self.options.max_bytes} bytes")
        except httpx.TimeoutException:
            raise SourceUnavailable(self.source_id, f"no answer within {self.options.timeout_seconds} s") from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(self.source_id, unreachable(exc, host_of(url))) from None
        return bytes(body), {"etag": response.headers.get("etag"), "modified": response.headers.get("last-modified")}

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            raise SourceAuthError(self.source_id, f"feed refused access ({status}); private feeds need a token URL")
        if status in (429, 503):
            raise told_to_wait(self.source_id, f"feed answered {status}", response.headers.get("retry-after"),
                               self.context.clock())
        if status >= 400:
            raise SourceUnavailable(self.source_id, f"feed answered {status}")

    def _mention(self, entry: Any, feed_title: str, feed_url: str, batch: Batch) -> Mention | None:
        try:
            return self._entry(entry, feed_title, feed_url, batch)
        except (ValueError, TypeError, OverflowError) as exc:  # sanitize.RowError is a ValueError
            batch.problems.append(f"{_display(feed_url)}: skipped an entry: {exc}")
            return None

    def _entry(self, entry: Any, feed_title: str, feed_url: str, batch: Batch) -> Mention | None:
        link = unwrap_link(str(entry.get("link") or ""))
        title = html_to_text(str(entry.get("title") or ""))
        summary = html_to_text(str(entry.get("summary") or ""))
        ident = str(entry.get("id") or link or hashlib.sha1(f"{title}|{summary}".encode()).hexdigest())
        if not (title or summary):
            batch.problems.append(f"{_display(feed_url)}: skipped an entry without title or text")
            return None
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        posted = sanitize.from_timestamp(calendar.timegm(when)) if when else self.context.clock()
        author = html_to_text(str(entry.get("author") or "")) or feed_title
        text = f"{title}\n{summary}" if title and summary and summary != title else title or summary
        return sanitize.mention(Mention(platform="rss", external_id=sanitize.ident(unwrap_link(ident)),
                       author=Author(id=author[:200], handle=author[:200], name=feed_title[:200]),
                       text=text, posted_at=posted, url=link if link.startswith(("http://", "https://")) else "",
                       lang=(entry.get("language") or None)))

    def check(self) -> None:
        """Read and parse every feed: a web page or a broken feed fails here, not at the first poll."""
        for url in self.options.feeds:
            try:
                got = self._get(url, {}, Batch([], None))
                if got is not None:
                    self._parse(got[0])
            except SourceError as exc:
                raise _naming(exc, url) from None


def _naming(exc: SourceError, url: str) -> SourceError:
    """The same error, its message led by the feed's address: with several feeds the reader must know which."""
    exc.args = (f"{_display(url)}: {exc}",)
    return exc


def _json_feed(body: bytes, source: str) -> tuple[str, list[dict[str, Any]]]:
    """JSON Feed 1.0/1.1 items as feedparser-like entries (id, link, title, summary, author, published)."""
    try:
        doc = json.loads(body)
        items = doc["items"]
        if not isinstance(items, list):
            raise TypeError("items is not a list")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise SourceUnavailable(source, f"not a readable JSON feed ({type(exc).__name__})") from None
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        stamp = item.get("date_published") or item.get("date_modified")
        try:
            when = sanitize.when(stamp) if stamp else None
        except sanitize.RowError:
            when = None
        entries.append({"id": item.get("id"), "link": item.get("url") or item.get("external_url"),
                        "title": item.get("title"), "summary": item.get("content_html") or item.get("content_text")
                        or item.get("summary"), "author": (authors[0] or {}).get("name") if authors else None,
                        "published_parsed": when.utctimetuple() if when else None, "language": item.get("language")})
    return str(doc.get("title") or ""), entries


def _server_wait(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header (seconds or HTTP date); None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return max(1.0, float(value))
    try:
        return max(1.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def told_to_wait(source: str, message: str, header: str | None, now: datetime) -> SourceUnavailable:
    """A 429 (or 503): with a readable Retry-After the next poll goes right then (``reset_at``), else in 60 s."""
    wait = _server_wait(header, now)
    return SourceUnavailable(source, message, retry_after=60.0 if wait is None else wait,
                             reset_at=None if wait is None else now + timedelta(seconds=wait))


def _display(url: str) -> str:
    """Feed URL without its query (Google Alerts/private feed tokens live there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
