"""Many mention rows into the replay's database in one statement, at a fraction of the ORM's cost per row.

Why: a replay inserts every row once, tens of thousands per simulated week; SQLAlchemy's executemany builds
and converts each row's parameters through several generic layers (a tenth of a cached replay). Here the
INSERT is compiled once per column set by SQLAlchemy itself, each value is converted by the same bind
processor SQLAlchemy would apply (datetimes to SQLite's text, JSON to its text, ...), and the tuples go to
the driver's executemany: the stored bytes are the same. The replay's rows share a few timestamps per step
(ingested, scored, examined at the step's minute), so a timestamp is converted once per flush.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import DateTime, insert
from sqlalchemy.engine import Engine

Processor = Callable[[Any], Any] | None


class RowWriter:
    """Inserts rows (dicts with the same keys) into one table of one engine."""

    def __init__(self, engine: Engine, table: Any) -> None:
        self.engine, self.table = engine, table
        self._plans: dict[tuple[str, ...], tuple[str, list[tuple[str, Processor, bool]]]] = {}

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` in one transaction (nothing when empty)."""
        if not rows:
            return
        sql, plan = self._plan(tuple(rows[0]))
        with self.engine.begin() as connection:
            connection.exec_driver_sql(sql, _values(rows, plan))

    def _plan(self, keys: tuple[str, ...]) -> tuple[str, list[tuple[str, Processor, bool]]]:
        """The statement's text and, per placeholder in order, (column, bind processor, memoise?)."""
        if keys not in self._plans:
            compiled = insert(self.table).compile(dialect=self.engine.dialect, column_keys=list(keys))
            order = list(compiled.positiontup or ())
            if sorted(order) != sorted(keys):  # a default or an unknown key: not a plain one-to-one insert
                raise ValueError(f"cannot insert {sorted(set(keys) ^ set(order))} into {self.table.name} directly")
            processors = compiled._bind_processors
            self._plans[keys] = (str(compiled), [
                (key, processors.get(key), isinstance(self.table.c[key].type, DateTime)) for key in order])
        return self._plans[keys]


def _values(rows: Sequence[dict[str, Any]], plan: list[tuple[str, Processor, bool]]) -> list[tuple[Any, ...]]:
    """Each row's values in placeholder order, converted; timestamps through a per-call memo."""
    memo: dict[Any, Any] = {}

    def timestamp(process: Callable[[Any], Any], value: Any) -> Any:
        key = (value, value.utcoffset()) if value is not None else None  # equal instants, other zones: other text
        if key not in memo:
            memo[key] = process(value)
        return memo[key]

    out = []
    for row in rows:
        out.append(tuple(
            row[key] if process is None else timestamp(process, row[key]) if dated else process(row[key])
            for key, process, dated in plan))
    return out
