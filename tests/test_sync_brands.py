"""Workers starting together all write the brands table: none of them may fail on it (a scale-out start)."""

from __future__ import annotations

import threading

from sqlmodel import Session, func, select

from monitor.runtime import sync_brands
from monitor.storage.engine import open_database
from monitor.storage.tables import Brand
from tests.fakes.settings_files import make_settings


def test_workers_starting_at_once_all_sync_the_brands(pg_url: str) -> None:
    settings = make_settings(database={"url": pg_url},
                             brands=[{"id": f"b{i:03d}", "name": f"Brand {i}"} for i in range(300)])
    engine = open_database(pg_url)
    start, errors = threading.Barrier(6), []

    def worker() -> None:
        start.wait()
        try:
            sync_brands(engine, settings)
        except Exception as exc:  # noqa: BLE001 - the test reports what a worker would have died of
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Brand)).one() == 300
