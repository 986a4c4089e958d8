"""Detector checkpoints: any worker can run a brand next, a restart resumes, a failed commit changes nothing.

Real databases (SQLite and PostgreSQL) and, for the hand-over between workers, two real worker processes
that take turns on one brand: their incidents, alerts and final detector state equal one process's.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from monitor.clock import ManualClock
from monitor.detection import checkpoint
from monitor.detection.warmup import forget_detectors, shared_detectors
from monitor.errors import StorageError
from monitor.pipeline import poll_source, run_detection, score_pending
from monitor.pipeline.detecting import run_brand_detection
from monitor.runtime import Runtime
from monitor.storage import checkpoints
from monitor.storage.engine import make_engine
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem
from tests.fakes.settings_files import make_settings

WORDS = ["router", "bill", "wifi", "app", "support", "speed", "install", "modem", "fibre", "tv", "price"]
START = datetime(2026, 11, 1, tzinfo=UTC)
SPIKE = START + timedelta(days=2, hours=18)  # 40 people in 30 min: a story, then a spike facet, one incident
PASSES = [START + timedelta(hours=h) for h in range(2, 66, 4)] + [SPIKE + timedelta(minutes=m)
                                                                  for m in range(10, 70, 10)]


def _rows() -> list[dict[str, Any]]:
    """Two and a half quiet days (a mention every 10 min, a few negative), then 40 people in 30 min."""
    rows = []
    for i in range(int((SPIKE - START) / timedelta(minutes=10))):
        mood = " awful, hate it" if i % 9 == 0 else " fine, thanks"
        text = f"Acme {WORDS[i % 11]} {WORDS[(i * 7) % 11]} {i}{mood}"
        rows.append({"id": f"b{i}", "author_id": f"u{i % 90}", "text": text,
                     "posted_at": (START + timedelta(minutes=10 * i)).isoformat()})
    for i in range(40):
        rows.append({"id": f"s{i}", "author_id": f"angry{i}", "text": "Acme outage again, terrible service",
                     "posted_at": (SPIKE + timedelta(seconds=45 * i)).isoformat()})
    return rows


def _sections(database_url: str, path: Path) -> dict[str, Any]:
    return {"database": {"url": database_url}, "detection": {"engine": "adaptive"},
            "sources": [{"id": "f", "kind": "replay", "brand": "acme", "path": str(path)}],
            "channels": [{"id": "console", "kind": "console"}]}


def _prepared(database_url: str, tmp_path: Path) -> tuple[dict[str, Any], Runtime]:
    forget_detectors()
    path = tmp_path / "m.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _rows()))
    sections = _sections(database_url, path)
    runtime = Runtime(make_settings(**sections), clock=ManualClock(PASSES[-1]))
    poll_source(runtime.engine, runtime.settings, runtime.connector("f"), now=PASSES[-1])
    while score_pending(runtime.engine, runtime.settings, runtime.model, now=PASSES[-1]).scored:
        pass
    return sections, runtime


def _outcome(runtime: Runtime) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[str, Any]]:
    with Session(runtime.engine) as session:
        incidents = sorted((i.key, i.trigger, i.severity, i.status, i.mention_count, i.author_count)
                           for i in session.exec(select(Incident)))
        keys = {i.id: i.key for i in session.exec(select(Incident))}
        alerts = sorted((keys[a.incident_id], a.event, a.severity) for a in session.exec(select(Alert)))
        blob = checkpoints.state(session, "acme")
    assert blob is not None
    return incidents, alerts, checkpoint.decode(blob).to_dict()


def _numberless(passes: list[tuple[str, ...]]) -> list[list[str]]:
    return [[re.sub(r"#\d+", "#", line) for line in changes] for changes in passes]


def _start_over(runtime: Runtime) -> None:
    """The same stored mentions, nothing detected yet, and no process remembering anything."""
    forget_detectors()
    with Session(runtime.engine) as session:
        for table in (OutboxItem, Alert, Incident, checkpoints.DetectorCheckpoint):
            session.exec(delete(table))  # type: ignore[call-overload]
        session.exec(update(Mention).values(detected_at=None))  # type: ignore[call-overload]
        session.commit()


def _worker(sections: dict[str, Any], inbox: Connection) -> None:
    """A worker process: runs the brand's pass at each time it is sent, replies with the changes."""
    settings = make_settings(**sections)
    engine = make_engine(settings.database_url())
    while (now := inbox.recv()) is not None:
        result = run_brand_detection(engine, settings, "acme", now=now)
        inbox.send(None if result is None else list(result.changes))


@pytest.mark.slow  # two spawned worker processes (about 25 s)
def test_two_workers_taking_turns_equal_one_process(pg_url: str, tmp_path: Path) -> None:
    sections, runtime = _prepared(pg_url, tmp_path)
    with shared_detectors():  # one process, checkpointing as a worker does
        single = [run_detection(runtime.engine, runtime.settings, now=now).changes for now in PASSES]
    lines = [line for changes in single for line in changes]
    assert [line.split(" [")[0] for line in lines if line.startswith("opened")] == ["opened #11"], lines
    assert any("negative mentions spiking" in line for line in lines), lines
    expected = _outcome(runtime)
    _start_over(runtime)
    spawn = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    for _ in range(2):
        mine, theirs = spawn.Pipe()
        workers.append(spawn.Process(target=_worker, args=(sections, theirs), daemon=True))
        workers[-1].start()
        pipes.append(mine)
    try:
        turns = []
        for index, now in enumerate(PASSES):
            pipes[index % 2].send(now)
            turns.append(tuple(pipes[index % 2].recv()))
    finally:
        for pipe, worker in zip(pipes, workers, strict=True):
            pipe.send(None)
            worker.join(timeout=30)
    assert _numberless(turns) == _numberless(single)  # incident numbers differ: the first run used 1-11
    assert _outcome(runtime) == expected


def test_a_checkpoint_survives_a_restart_without_the_raw_mentions(database_url: str, tmp_path: Path) -> None:
    """After a restart the detector resumes from its checkpoint, even with every raw mention gone."""
    _, runtime = _prepared(database_url, tmp_path)
    with shared_detectors():  # as a scale-out worker runs it (run_brand_detection)
        for now in PASSES[:8]:
            run_detection(runtime.engine, runtime.settings, now=now)
    _, _, before = _outcome(runtime)
    assert before["series"]["n"] > 0  # a baseline was learned
    forget_detectors()  # the process's memory is gone, as after a restart
    with Session(runtime.engine) as session:
        session.exec(delete(Mention))  # type: ignore[call-overload]
        session.commit()
        cfg = checkpoint.BrandConfig.for_sensitivity(runtime.settings.detection.sensitivity)
        resumed = checkpoint.resume(session, "acme", cfg, None)
    assert resumed is not None and resumed.to_dict() == before
    other = checkpoint.BrandConfig.for_sensitivity("high")
    with Session(runtime.engine) as session:  # other detector settings: not reused, warmed up instead
        assert checkpoint.resume(session, "acme", other, None) is None


def test_a_failed_commit_leaves_the_old_checkpoint(database_url: str, tmp_path: Path) -> None:
    _, runtime = _prepared(database_url, tmp_path)
    with shared_detectors():  # as a scale-out worker runs it (run_brand_detection)
        for now in PASSES[:-6]:
            run_detection(runtime.engine, runtime.settings, now=now)
    with Session(runtime.engine) as session:
        head, blob = checkpoints.head(session, "acme"), checkpoints.state(session, "acme")
    failures: list[int] = []

    def refuse(_session: OrmSession) -> None:
        failures.append(1)
        raise OperationalError("COMMIT", None, Exception("server closed the connection unexpectedly"))

    event.listen(OrmSession, "before_commit", refuse)
    try:
        with pytest.raises(StorageError), shared_detectors():
            run_detection(runtime.engine, runtime.settings, now=PASSES[-6])
    finally:
        event.remove(OrmSession, "before_commit", refuse)
    assert len(failures) == 6  # the pass and its five retries all failed
    with Session(runtime.engine) as session:
        assert checkpoints.head(session, "acme") == head and checkpoints.state(session, "acme") == blob
        assert session.exec(select(Mention).where(col(Mention.detected_at).is_(None))).first() is not None
    forget_detectors()  # and a fresh worker picks up from that old checkpoint: the spike still opens once
    with shared_detectors():
        changes = [line for now in PASSES[-6:] for line in run_detection(runtime.engine, runtime.settings,
                                                                         now=now).changes]
    assert len([line for line in changes if line.startswith("opened") and "40 people" in line]) == 1, changes
    with Session(runtime.engine) as session:
        top = checkpoints.head(session, "acme")
    assert head is not None and top is not None and top.generation == head.generation + 6


def test_a_checkpoint_of_the_previous_format_is_not_read_but_rebuilt_from_the_stored_mentions(
        database_url: str, tmp_path: Path) -> None:
    """Format 1 pickled stories with their signatures, format 2 kept texts and its dedupe keys as a dict (format 3:
    ``SeenKeys``): a worker must not load an older blob as if it were new, but warm up from the stored mentions and
    write a current checkpoint."""
    _, runtime = _prepared(database_url, tmp_path)
    with shared_detectors():
        for now in PASSES[:6]:
            run_detection(runtime.engine, runtime.settings, now=now)
    cfg = checkpoint.BrandConfig.for_sensitivity(runtime.settings.detection.sensitivity)
    old_hash = hashlib.sha256(f"2:{cfg!r}".encode()).hexdigest()[:16]  # as format 2 wrote it
    with Session(runtime.engine) as session:
        session.exec(update(checkpoints.DetectorCheckpoint)  # type: ignore[call-overload]
                     .values(version=2, settings_hash=old_hash))
        session.commit()
    forget_detectors()
    with Session(runtime.engine) as session:
        assert checkpoint.FORMAT == 4 and checkpoint.resume(session, "acme", cfg, None) is None
    with shared_detectors():
        run_detection(runtime.engine, runtime.settings, now=PASSES[6])
    with Session(runtime.engine) as session:
        top, blob = checkpoints.head(session, "acme"), checkpoints.state(session, "acme")
    assert top is not None and top.version == checkpoint.FORMAT and blob is not None
    assert checkpoint.decode(blob).stories.stories  # warmed up from the stored mentions, stories included
