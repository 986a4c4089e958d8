"""Many mention rows into the replay's database in one statement, at a fraction of the ORM's cost per row.

Why: a replay (always SQLite; other drivers go through SQLAlchemy's executemany here) inserts every row
once, tens of thousands per simulated week; SQLAlchemy's executemany builds and converts each row's
parameters through several generic layers (a tenth of a cached replay). Here the INSERT is compiled once
per column set by SQLAlchemy itself, each value is converted by the same bind
processor SQLAlchemy would apply (datetimes to SQLite's text, JSON to its text, ...), and the tuples go to
the driver's executemany: the stored bytes are the same. The replay's rows share a few timestamps per step
(ingested, scored, examined at the step's minute), so a timestamp is converted once per flush, and so is a
sentence vector's bytes object (the rows of one text share it: the replay's vector cache); rows that share one
JSON object (the replay's rows of one text share their signals) serialise it once per replay.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, DateTime, LargeBinary, insert
from sqlalchemy.engine import Engine

Processor = Callable[[Any], Any] | None
MAX_SERIALISED = 100_000  # JSON texts remembered (by object) before the memo starts again
Plan = list[tuple[str, Processor, str]]  # per placeholder: column, bind processor, memo ("once", "json" or "")


class RowWriter:
    """Inserts rows (dicts with the same keys) into one table of one engine."""

    def __init__(self, engine: Engine, table: Any) -> None:
        self.engine, self.table = engine, table
        self._plans: dict[tuple[str, ...], tuple[str, Plan]] = {}
        self._serialised: dict[int, tuple[Any, Any]] = {}  # id(JSON object) -> (it, its text): see ``write``

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` in one transaction (nothing when empty).

        A JSON value (dict, list) is serialised the first time this writer sees that object and its text reused
        for the same object later: the caller never changes a JSON object once written (the replay's signals are
        one read-only dict per text)."""
        if not rows:
            return
        planned = self._plan(tuple(rows[0]))
        with self.engine.begin() as connection:
            if planned is None:  # named placeholders (PostgreSQL): SQLAlchemy's own executemany
                connection.execute(insert(self.table), list(rows))
            else:
                connection.exec_driver_sql(planned[0], _values(rows, planned[1], self._serialised))
        if len(self._serialised) > MAX_SERIALISED:
            self._serialised.clear()

    def _plan(self, keys: tuple[str, ...]) -> tuple[str, Plan] | None:
        """The statement's text and, per placeholder in order, (column, bind processor, memo); None when the
        driver takes named placeholders."""
        if keys not in self._plans:
            compiled = insert(self.table).compile(dialect=self.engine.dialect, column_keys=list(keys))
            if compiled.positiontup is None:
                return None
            order = list(compiled.positiontup)
            if sorted(order) != sorted(keys):  # a default or an unknown key: not a plain one-to-one insert
                raise ValueError(f"cannot insert {sorted(set(keys) ^ set(order))} into {self.table.name} directly")
            processors: dict[str, Any] = dict(compiled._bind_processors)
            self._plans[keys] = (str(compiled), [
                (key, processors.get(key), _memo(self.table.c[key].type)) for key in order])
        return self._plans[keys]


def _memo(kind: Any) -> str:
    return "once" if isinstance(kind, DateTime | LargeBinary) else "json" if isinstance(kind, JSON) else ""


def _values(rows: Sequence[dict[str, Any]], plan: Plan,
            serialised: dict[int, tuple[Any, Any]]) -> list[tuple[Any, ...]]:
    """Each row's values in placeholder order, converted column by column (timestamps and JSON objects once)."""
    columns = []
    for key, process, memo in plan:
        values = list(map(itemgetter(key), rows))
        if process is not None:
            values = _once(values, process) if memo == "once" else _objects(values, process, serialised) \
                if memo == "json" else list(map(process, values))
        columns.append(values)
    return list(zip(*columns, strict=True))


def _once(values: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    """Each timestamp or bytes object converted once (a step's rows share its ingested, scored and examined times;
    a text's rows its vector), by identity: the same immutable object always gives the same value, and the values
    outlive this call."""
    done: dict[int, Any] = {}
    out = []
    for value in values:
        if (text := done.get(id(value))) is None:
            text = done[id(value)] = process(value)
        out.append(text)
    return out


def _objects(values: list[Any], process: Callable[[Any], Any], done: dict[int, tuple[Any, Any]]) -> list[Any]:
    """Each distinct JSON object serialised once, by identity; ``done`` holds the object with its text, so its
    id is not reused while remembered."""
    out = []
    for value in values:
        if (known := done.get(id(value))) is None:
            known = done[id(value)] = (value, process(value))
        out.append(known[1])
    return out
