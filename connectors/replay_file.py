"""Reading a replay file one record at a time, from a byte offset, in bounded memory.

A replay file may be huge, sparse, still being written, saved by Excel (UTF-8 BOM), or broken in
the middle (an unclosed CSV quote).  The reader never holds more than one record (at most
``MAX_RECORD`` bytes), skips over-long lines in chunks, leaves a last line without its newline for
the next poll (the writer may not be done), and resynchronises after a CSV quote that never closes
so the good rows after it still go in.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from monitor.errors import SourceUnavailable

MAX_RECORD = 4 * 1024 * 1024  # bytes in one row; longer lines are skipped and reported
MAX_RECORD_LINES = 200  # a quoted CSV field may span this many lines before it counts as unclosed
HEAD_BYTES = 1024  # how much of the file's start identifies it (to notice a replaced file)
_BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20

csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD))


def open_regular(path: Path, source: str) -> BinaryIO:
    """Open ``path`` for reading, refusing FIFOs, devices and folders (reading those would hang or never end)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise SourceUnavailable(source, f"cannot read {path}: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "folder" if stat.S_ISDIR(mode) else "FIFO" if stat.S_ISFIFO(mode) else "special file"
        raise SourceUnavailable(source, f"{path} is a {kind}, not a regular file: point `path` at a JSONL or CSV file")
    return os.fdopen(fd, "rb")


def head_digest(handle: BinaryIO, length: int) -> str:
    """A fingerprint of the file's first ``length`` bytes (a rotated or rewritten file has another)."""
    handle.seek(0)
    return hashlib.sha1(handle.read(length)).hexdigest()[:16]


@dataclass(frozen=True)
class Record:
    offset: int  # where the record starts
    line: int  # its first line number (1-based)
    end: int  # where the next record starts
    next_line: int
    value: Any = None  # a parsed JSON value or a {column: text} dict
    problem: str | None = None


class RecordReader:
    """JSONL or CSV records from a binary file handle; ``read`` is random access by offset."""

    def __init__(self, handle: BinaryIO, *, is_csv: bool) -> None:
        self.handle = handle
        self.is_csv = is_csv
        self.header: list[str] = []
        self.start, self.start_line = self._skip_bom(), 1
        if is_csv:
            first = self._physical(self.start)
            if first is not None and first[1].endswith("\n"):
                self.header = [name.strip() for name in next(csv.reader([first[1]]), [])]
                self.start, self.start_line = first[0], 2

    def _skip_bom(self) -> int:
        self.handle.seek(0)
        return len(_BOM) if self.handle.read(len(_BOM)) == _BOM else 0

    def _physical(self, offset: int) -> tuple[int, str] | None:
        """The line at ``offset`` as (end offset, text); None at end of file. Over-long lines come back as "\0"."""
        self.handle.seek(offset)
        raw = self.handle.readline(MAX_RECORD + 1)
        if not raw:
            return None
        if len(raw) > MAX_RECORD and not raw.endswith(b"\n"):
            return self._skip_line(), "\0"
        return offset + len(raw), raw.decode("utf-8", errors="replace")

    def _skip_line(self) -> int:
        """Read on to the end of an over-long line, a chunk at a time; return where the next line starts."""
        while chunk := self.handle.read(_CHUNK):
            newline = chunk.find(b"\n")
            if newline >= 0:
                return self.handle.tell() - len(chunk) + newline + 1
        return self.handle.tell()

    def read(self, offset: int, line: int) -> Record | None:
        """The record at ``offset``; None at end of file or when its last line is still being written."""
        while True:
            got = self._physical(offset)
            if got is None:
                return None
            end, text = got
            if text == "\0":
                return Record(offset, line, end, line + 1, problem=f"longer than {MAX_RECORD // 2**20} MB")
            if text.strip():
                break
            offset, line = end, line + 1  # blank lines are not rows
        return self._csv(offset, line, end, text) if self.is_csv else self._json(offset, line, end, text)

    def _json(self, offset: int, line: int, end: int, text: str) -> Record | None:
        try:
            return Record(offset, line, end, line + 1, value=json.loads(text))
        except ValueError as exc:
            if not text.endswith("\n"):
                return None  # a last line without its newline: the writer may not be done
            return Record(offset, line, end, line + 1, problem=f"not valid JSON ({getattr(exc, 'msg', exc)})")
        except RecursionError:
            return Record(offset, line, end, line + 1, problem="JSON nested too deeply")

    def _csv(self, offset: int, line: int, end: int, text: str) -> Record | None:
        lines = [text]
        first_end = end
        while True:
            try:
                fields = next(csv.reader(lines, strict=True), [])
                break
            except csv.Error as exc:
                if "unexpected end of data" not in str(exc):
                    problem = "a quoted field is never closed" if len(lines) > 1 else f"not valid CSV ({exc})"
                    return Record(offset, line, first_end, line + 1, problem=problem)
            got = self._physical(end) if len(lines) < MAX_RECORD_LINES else None
            if got is None and not lines[-1].endswith("\n"):
                return None  # still being written
            if got is None or got[1] == "\0" or end - offset + len(got[1]) > MAX_RECORD:
                return Record(offset, line, first_end, line + 1, problem="a quoted field is never closed")
            end, more = got
            lines.append(more)
        if not lines[-1].endswith("\n") and len(fields) < len(self.header):
            return None  # a last line cut short: wait for the rest
        record = Record(offset, line, end, line + len(lines), value=dict(zip(self.header, fields, strict=False)))
        if len(lines) > 1 and len(fields) != len(self.header):  # a stray quote swallowed the lines after it
            return Record(offset, line, first_end, line + 1, problem="a quoted field is never closed")
        return record

    def resync(self, record: Record) -> Record:
        """For a multi-line CSV record that turned out bad: report its first line only, read on after it."""
        got = self._physical(record.offset)
        end = got[0] if got is not None else record.end
        return Record(record.offset, record.line, end, record.line + 1, problem=record.problem)
