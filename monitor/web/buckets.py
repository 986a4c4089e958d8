"""Time buckets computed in SQL, the same on SQLite and PostgreSQL (UTC)."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement

Size = Literal["day", "hour"]
_SQLITE = {"day": "%Y-%m-%d", "hour": "%Y-%m-%d %H:00"}
_POSTGRES = {"day": "YYYY-MM-DD", "hour": "YYYY-MM-DD HH24:00"}


def bucket(dialect: str, column: Any, size: Size) -> ColumnElement[str]:
    """A text label per day or hour ("2026-11-20", "2026-11-20 18:00") that sorts in time order."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), _POSTGRES[size])
    return func.strftime(_SQLITE[size], column)
