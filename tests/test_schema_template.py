"""A replay's database comes from a migrated template; a database at the newest revision runs no migration."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import alembic.command
import pytest
from sqlalchemy import text

from monitor.replay.backtest import backtest_settings, run_backtest
from monitor.replay.demo_data import DEMO_FILE
from monitor.replay.schema_template import new_database, template_path
from monitor.storage.engine import open_database, schema_heads


def _no_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("alembic ran")

    monkeypatch.setattr(alembic.command, "upgrade", refuse)


def _schema(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("select type, name, tbl_name, sql from sqlite_master order by name").fetchall()


def test_a_database_at_the_newest_revision_is_opened_without_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'gs.db'}"
    open_database(url).dispose()  # new: migrated
    _no_migrations(monkeypatch)
    engine = open_database(url)
    with engine.connect() as connection:
        assert {r[0] for r in connection.execute(text("select version_num from alembic_version"))} == schema_heads()
    engine.dispose()
    with pytest.raises(AssertionError, match="alembic ran"):  # a new one still is migrated
        open_database(f"sqlite:///{tmp_path / 'new.db'}")


def test_the_template_is_an_empty_database_migrated_to_the_newest_revision(tmp_path: Path) -> None:
    reference = tmp_path / "reference.db"
    open_database(f"sqlite:///{reference}").dispose()
    assert new_database(tmp_path / "copy.db", tmp_path)
    template = template_path(tmp_path)
    assert template is not None and template.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["reference.db", "copy.db", template.name])  # no -wal
    open_database(f"sqlite:///{tmp_path / 'copy.db'}").dispose()  # as the replay opens it (statistics)
    assert _schema(tmp_path / "copy.db") == _schema(reference)
    with sqlite3.connect(tmp_path / "copy.db") as connection:
        assert connection.execute("select count(*) from mentions").fetchone() == (0,)


def test_a_replay_after_the_first_runs_no_migration_and_replays_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    mentions = Path(shutil.copy(DEMO_FILE, data / DEMO_FILE.name))
    timelines = []
    for name in ("first", "second"):
        work = tmp_path / name
        work.mkdir()
        settings = backtest_settings(work, mentions, "lexicon", "default", "adaptive")
        run_backtest(settings, work / "timeline.jsonl", input_file=mentions)
        timelines.append((work / "timeline.jsonl").read_text())
        _no_migrations(monkeypatch)  # the first made the template beside the input
    assert timelines[0] == timelines[1] and timelines[0].count("\n") > 0
    template = template_path(data)
    assert template is not None and template.exists()
