"""Replay: read mentions from a JSONL or CSV file, for demos, backtests and tests without network.

Fields (JSONL keys or CSV columns); only ``id``, ``text`` and ``posted_at`` are required:
``id, text, posted_at`` (ISO 8601; UTC if no offset), ``platform`` (default: the source's
``platform`` option), ``author_id``, ``author_handle``, ``author_name``, ``author_followers``,
``url``, ``lang``, ``reposts``, ``likes``, ``replies``, ``quotes``, ``conversation_id``,
``parent_id``, ``quoted_id``, ``reposted_id``, ``local_id``, ``is_brand_reply`` (true/false).

With ``follow_clock`` (the default) a row is only delivered once the clock reaches its
``posted_at``, so a simulated clock replays a week as if it were live; a row dated ahead of the
rows after it waits on its own (its place is kept in the cursor) instead of holding them back.
Malformed rows are skipped and reported with their line numbers; the good rows still go in.

The file is read as a stream from the byte offset in the cursor, so memory stays bounded whatever
its size; a file that grows is followed, and one that is replaced or truncated (log rotation) is
read again from the start (rows already stored are skipped by the usual dedupe).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors import sanitize
from connectors.base import Author, Batch, Connector, ConnectorOptions, Cursor, Engagement, Mention
from connectors.replay_file import HEAD_BYTES, Record, RecordReader, head_digest, open_regular

LOOKAHEAD = 32  # rows not yet due read past before a poll stops (a sorted file stops at the first)
MAX_WAITING = 200  # rows set aside in the cursor because they were not due yet


class ReplayOptions(ConnectorOptions):
    path: Path
    platform: str = "replay"
    follow_clock: bool = True


@dataclass
class _Poll:
    limit: int
    now: datetime
    mentions: list[Mention] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    waiting: list[list[int]] = field(default_factory=list)  # [offset, line] of rows not due yet


class ReplayConnector(Connector[ReplayOptions]):
    kind = "replay"
    platform = "replay"  # rows may name their own platform; this is the default
    Options = ReplayOptions

    def check(self) -> None:
        with open_regular(self._path, self.source_id) as handle:
            RecordReader(handle, is_csv=self._is_csv)

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        poll = _Poll(limit, self.context.clock())
        with open_regular(self._path, self.source_id) as handle:
            reader = RecordReader(handle, is_csv=self._is_csv)
            offset, line, waiting = self._resume(cursor or {}, reader, handle, poll)
            for spot in waiting:
                self._take_waiting(reader, spot, poll)
            offset, line = self._scan(reader, offset, line, poll)
            new_cursor: Cursor = {"offset": offset, "line": line}
            if offset:
                length = min(offset, HEAD_BYTES)
                new_cursor["head"] = [length, head_digest(handle, length)]
            if poll.waiting:
                new_cursor["waiting"] = poll.waiting
        return Batch(poll.mentions, new_cursor, poll.problems, requests_made=1)

    @property
    def _path(self) -> Path:
        return Path(self.options.path).expanduser()

    @property
    def _is_csv(self) -> bool:
        return self._path.suffix.lower() == ".csv"

    @property
    def _follow(self) -> bool:
        return bool(self.options.follow_clock)

    def _resume(self, cursor: Cursor, reader: RecordReader, handle: Any,
                poll: _Poll) -> tuple[int, int, list[list[int]]]:
        """Where to read on; the start again when the file was replaced, truncated or never read."""
        offset = cursor.get("offset")
        if not isinstance(offset, int) or offset < reader.start:
            if cursor:
                poll.problems.append(f"{self._path.name}: position from an older format; reading from the start "
                                     "(rows already stored are skipped)")
            return reader.start, reader.start_line, []
        length, digest = (cursor.get("head") or [0, ""])[:2]
        size = handle.seek(0, 2)
        if size < offset or (length and head_digest(handle, int(length)) != digest):
            poll.problems.append(f"{self._path.name} was replaced or truncated; reading it again from the start "
                                 "(rows already stored are skipped)")
            return reader.start, reader.start_line, []
        return offset, int(cursor.get("line", 1)), [list(s) for s in cursor.get("waiting", [])]

    def _take_waiting(self, reader: RecordReader, spot: list[int], poll: _Poll) -> None:
        record = reader.read(spot[0], spot[1]) if len(poll.mentions) < poll.limit else None
        if record is None:
            poll.waiting.append(spot)
            return
        mention, problem = self._parse(record)
        if mention is None:
            self._report(reader, record, problem, poll)
        elif self._due(mention, poll):
            poll.mentions.append(mention)
        else:
            poll.waiting.append(spot)

    def _scan(self, reader: RecordReader, offset: int, line: int, poll: _Poll) -> tuple[int, int]:
        """Read on from ``offset``; return where the next poll starts."""
        run: list[list[int]] = []  # consecutive rows not due yet
        while len(poll.mentions) < poll.limit:
            record = reader.read(offset, line)
            if record is None:
                break
            mention, problem = self._parse(record)
            if mention is not None and not self._due(mention, poll):
                run.append([record.offset, record.line])
                if len(run) >= LOOKAHEAD:
                    break
            elif len(poll.waiting) + len(run) > MAX_WAITING:
                break  # too many rows set aside: this one waits until the clock reaches them
            else:
                poll.waiting.extend(run)
                run = []
                if mention is None:
                    record = self._report(reader, record, problem, poll)
                else:
                    poll.mentions.append(mention)
            offset, line = record.end, record.next_line
        if run:  # nothing after them was taken: read them again next time
            offset, line = run[0]
        return offset, line

    def _due(self, mention: Mention, poll: _Poll) -> bool:
        return not self._follow or mention.posted_at <= poll.now

    def _parse(self, record: Record) -> tuple[Mention | None, str]:
        if record.problem is not None:
            return None, record.problem
        try:
            return _mention(record.value, str(self.options.platform)), ""
        except sanitize.RowError as exc:
            return None, str(exc)

    def _report(self, reader: RecordReader, record: Record, problem: str, poll: _Poll) -> Record:
        if record.next_line - record.line > 1:  # a bad multi-line CSV record: only its first line is lost
            record = reader.resync(record)
        poll.problems.append(f"{self._path.name} line {record.line}: {problem}")
        return record


def _mention(record: Any, platform: str) -> Mention:
    """One row as a Mention; raises RowError with the reason."""
    if not isinstance(record, dict):
        raise sanitize.RowError("expected an object with id, text and posted_at")
    for key in ("id", "text", "posted_at"):
        if record.get(key) is None:
            raise sanitize.RowError(f"missing field {key!r}")
    if not isinstance(record["text"], str):
        raise sanitize.RowError("text must be a string")
    author_id = sanitize.optional_ident(record.get("author_id") or record.get("author_handle")) or "unknown"
    lang = record.get("lang")
    return sanitize.mention(Mention(
        platform=str(record.get("platform") or platform), external_id=sanitize.ident(record["id"]),
        author=Author(id=author_id, handle=str(record.get("author_handle") or author_id),
                      name=str(record.get("author_name") or ""),
                      followers=sanitize.optional_count(record.get("author_followers"), "author_followers")),
        text=record["text"], posted_at=sanitize.when(record["posted_at"]), url=str(record.get("url") or ""),
        lang=str(lang) if lang else None,
        engagement=Engagement(*(sanitize.count(record.get(k), k) for k in ("reposts", "likes", "replies", "quotes"))),
        conversation_id=_optional(record, "conversation_id"), parent_id=_optional(record, "parent_id"),
        quoted_id=_optional(record, "quoted_id"), reposted_id=_optional(record, "reposted_id"),
        local_id=_optional(record, "local_id"),
        is_brand_reply=str(record.get("is_brand_reply", "")).lower() in ("true", "1", "yes")))


def _optional(record: dict[str, Any], key: str) -> str | None:
    return sanitize.optional_ident(record.get(key) or None)
