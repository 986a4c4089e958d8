"""Detector checkpoints: each brand's detector state as of its last committed detection pass.

The row is written in the pass's own transaction, so the state moves only with the incidents and the
``detected_at`` marks it belongs to: a failed commit leaves the previous checkpoint, and whichever worker
runs the brand next starts from exactly what was committed.  ``generation`` counts the committed passes;
a worker whose in-memory detector has the stored generation skips reading the state back.  The state is
opaque bytes here; the detection layer encodes it (``monitor.detection.checkpoint``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, LargeBinary, String, insert, select, update
from sqlmodel import Field, Session, SQLModel


class DetectorCheckpoint(SQLModel, table=True):
    __tablename__ = "detector_checkpoints"
    brand_id: str = Field(sa_column=Column(String, primary_key=True))
    generation: int = Field(sa_column=Column(Integer, nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))  # the state's format
    settings_hash: str = Field(sa_column=Column(String, nullable=False))  # the detector settings it was built with
    state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    saved_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CheckpointMoved(RuntimeError):
    """Another worker committed a pass for this brand since this one read the checkpoint: roll back."""


@dataclass(frozen=True)
class Head:
    """What a worker checks before trusting the detector it holds: a few bytes, not the state."""

    generation: int
    version: int
    settings_hash: str


def head(session: Session, brand_id: str) -> Head | None:
    row = session.execute(select(DetectorCheckpoint.generation, DetectorCheckpoint.version,  # type: ignore[call-overload]
                                 DetectorCheckpoint.settings_hash).where(
        DetectorCheckpoint.brand_id == brand_id)).first()
    return Head(*row) if row else None


def state(session: Session, brand_id: str) -> bytes | None:
    return session.execute(select(DetectorCheckpoint.state).where(  # type: ignore[call-overload]
        DetectorCheckpoint.brand_id == brand_id)).scalar()


def save(session: Session, brand_id: str, *, after: int, version: int, settings_hash: str, blob: bytes,
         now: datetime) -> int:
    """Write generation ``after + 1`` over generation ``after`` (0: none yet); returns the new generation.

    The update names the generation it replaces, so two workers that somehow ran the same pass cannot both
    commit: the second finds no row to update and its whole pass rolls back (``CheckpointMoved``).
    """
    values = {"generation": after + 1, "version": version, "settings_hash": settings_hash, "state": blob,
              "saved_at": now}
    table = DetectorCheckpoint.__table__  # type: ignore[attr-defined]
    if after == 0:
        session.execute(insert(table).values(brand_id=brand_id, **values))
        return after + 1
    done = session.execute(update(table).where(table.c.brand_id == brand_id, table.c.generation == after)
                           .values(**values))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise CheckpointMoved(f"brand {brand_id}: the detector checkpoint moved past generation {after}")
    return after + 1
