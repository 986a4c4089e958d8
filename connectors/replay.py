"""Replay: read mentions from a JSONL or CSV file, for demos, backtests and tests without network.

Fields (JSONL keys or CSV columns); only ``id``, ``text`` and ``posted_at`` are required:
``id, text, posted_at`` (ISO 8601; UTC if no offset), ``platform`` (default: the source's
``platform`` option), ``author_id``, ``author_handle``, ``author_name``, ``author_followers``,
``url``, ``lang``, ``reposts``, ``likes``, ``replies``, ``quotes``, ``conversation_id``,
``parent_id``, ``quoted_id``, ``reposted_id``, ``is_brand_reply`` (true/false).

With ``follow_clock`` (the default) a row is only delivered once the clock reaches its
``posted_at``, so a simulated clock replays a week as if it were live.  Malformed rows are
skipped and reported with their line numbers; the good rows still go in.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.base import Author, Batch, Connector, ConnectorOptions, Cursor, Engagement, Mention
from monitor.errors import SourceUnavailable


class ReplayOptions(ConnectorOptions):
    path: Path
    platform: str = "replay"
    follow_clock: bool = True


Row = tuple[int, Mention | None, str | None]  # line number, mention, problem


class ReplayConnector(Connector[ReplayOptions]):
    kind = "replay"
    platform = "replay"  # rows may name their own platform; this is the default
    Options = ReplayOptions

    _rows: list[Row] | None = None
    _stamp: tuple[float, int] | None = None

    def check(self) -> None:
        self._load()

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        rows = self._load()
        position = int((cursor or {}).get("position", 0))
        now = self.context.clock()
        mentions: list[Mention] = []
        problems: list[str] = []
        while position < len(rows) and len(mentions) < limit:
            line, mention, problem = rows[position]
            if mention is not None and self._follow and mention.posted_at > now:
                break
            position += 1
            if mention is None:
                problems.append(f"{self._path.name} line {line}: {problem}")
            else:
                mentions.append(mention)
        return Batch(mentions, {"position": position}, problems, requests_made=1)

    @property
    def _path(self) -> Path:
        return Path(self.options.path).expanduser()

    @property
    def _follow(self) -> bool:
        return bool(self.options.follow_clock)

    def _load(self) -> list[Row]:
        """Parse the file once, and again only when it changed (a file that grows is followed)."""
        try:
            stat = self._path.stat()
            stamp = (stat.st_mtime, stat.st_size)
            if self._rows is None or stamp != self._stamp:
                text = self._path.read_text(encoding="utf-8", errors="replace")
                self._rows, self._stamp = None, stamp
        except OSError as exc:
            raise SourceUnavailable(self.source_id, f"cannot read {self._path}: {exc.strerror}") from None
        if self._rows is None:
            records = _csv_records(text) if self._path.suffix.lower() == ".csv" else _jsonl_records(text)
            platform = str(self.options.platform)
            self._rows = [_parse(line, record, platform) for line, record in records]
        return self._rows


def _jsonl_records(text: str) -> list[tuple[int, Any]]:
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                records.append((number, f"not valid JSON ({exc.msg})"))
    return records


def _csv_records(text: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    return [(reader.line_num, record) for record in reader]


def _parse(line: int, record: Any, platform: str) -> Row:
    if isinstance(record, str):
        return line, None, record
    if not isinstance(record, dict):
        return line, None, "expected an object with id, text and posted_at"
    try:
        return line, _mention(record, platform), None
    except (KeyError, ValueError, TypeError) as exc:
        problem = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
        return line, None, problem


def _when(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _int(record: dict[str, Any], key: str) -> int:
    value = record.get(key)
    return int(value) if value not in (None, "") else 0


def _mention(record: dict[str, Any], platform: str) -> Mention:
    text, external_id = record["text"], str(record["id"]).strip()
    if not isinstance(text, str) or not external_id:
        raise ValueError("id and text must be non-empty")
    followers = record.get("author_followers")
    author_id = str(record.get("author_id") or record.get("author_handle") or "unknown")
    return Mention(
        platform=str(record.get("platform") or platform), external_id=external_id,
        author=Author(id=author_id, handle=str(record.get("author_handle") or author_id),
                      name=str(record.get("author_name") or ""),
                      followers=int(followers) if followers not in (None, "") else None),
        text=text, posted_at=_when(record["posted_at"]), url=str(record.get("url") or ""),
        lang=record.get("lang") or None,
        engagement=Engagement(_int(record, "reposts"), _int(record, "likes"), _int(record, "replies"),
                              _int(record, "quotes")),
        conversation_id=record.get("conversation_id") or None, parent_id=record.get("parent_id") or None,
        quoted_id=record.get("quoted_id") or None, reposted_id=record.get("reposted_id") or None,
        is_brand_reply=str(record.get("is_brand_reply", "")).lower() in ("true", "1", "yes"))
