"""`groundswell db partition`: convert an existing PostgreSQL ``mentions`` table to day partitions."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from rich.console import Console

if TYPE_CHECKING:
    from monitor.settings import Settings


def partition_database(settings: Settings, console: Console, *, batch: int) -> None:
    """Take the instance lock (no service or beat may write meanwhile), convert with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from monitor.clock import command_now
    from monitor.service.lock import acquire
    from monitor.storage import partition_convert as convert
    from monitor.storage.engine import open_database

    now = command_now()  # a bad GROUNDSWELL_NOW stops here, before anything is touched
    url = settings.database_url()
    engine = open_database(url, busy_timeout=settings.database.busy_timeout_seconds)
    if convert.state(engine) == "partitioned":  # also refuses SQLite with one line
        console.print("mentions are already partitioned by day; nothing to do")
        _remind(settings, console)
        return
    lock = acquire(url)  # AlreadyRunning: `groundswell run` or a Celery beat leader is up; stop it first
    try:
        total = convert.remaining(engine)
        columns = (TextColumn("moving mentions"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=False) as bar:
            task = bar.add_task("move", total=total)
            done = convert.convert(engine, now=now, batch=batch,
                                   keep_days=settings.service.retention_mentions_days,
                                   progress=lambda moved: bar.advance(task, moved))
    finally:
        lock.release()
    skipped = f" ({done.skipped:,} already there, written while converting, kept as they were)" if done.skipped else ""
    console.print(f"mentions are now partitioned by day: {done.moved:,} rows moved{skipped}")
    _remind(settings, console)


def _remind(settings: Settings, console: Console) -> None:
    if not settings.database.partition_by_day:
        console.print("set [database] partition_by_day = true so retention drops whole days", markup=False)


@click.command("partition")
@click.option("--batch", type=click.IntRange(min=100), default=10_000, show_default=True,
              help="Rows moved per transaction.")
@click.pass_obj
def db_partition(ctx: object, batch: int) -> None:
    """Convert an existing PostgreSQL mentions table to day partitions (stop the service and workers first).

    Resumable: if it stops half-way, run it again to finish.  Retention then drops whole days.
    """
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    partition_database(ctx.settings, console, batch=batch)  # type: ignore[attr-defined]
