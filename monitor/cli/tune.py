"""`groundswell tune`: recommend a brand's sensitivity and story threshold from the feedback on its alerts."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from monitor.cli.guard import Day

if TYPE_CHECKING:
    from monitor.replay.tune import Progress, TuneReport
    from monitor.settings import Settings

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


@click.command()
@click.option("--brand", "brand_id", help="The brand to tune (its id in settings.toml); needed when there are several.")
@click.option("--days", type=click.IntRange(1, 365), default=28, show_default=True,
              help="How many days of stored history to replay, ending --until.")
@click.option("--until", type=Day(), default=None,
              help="The end of the replayed span (a UTC date; default: now).")
@click.option("--apply", "apply", is_flag=True,
              help="Also write the recommended lines into the brand's table in settings.toml (kept as .bak).")
@click.pass_obj
def tune(ctx: object, brand_id: str | None, days: int, until: datetime | None, apply: bool) -> None:
    """Find the detection settings that would have kept the alerts people found useful and dropped the noise.

    Replays the brand's stored mentions through detection (the backtest's pipeline; stored sentiment is
    reused, nothing is scored again) once per candidate: each sensitivity (low, default, high) and a range
    of story thresholds. Each replayed incident is matched to the alerts people marked "useful" or "noise"
    in the workspace (same trigger, opened within detection.join_minutes). It prints what each setting
    would have done (alerts, pages, useful kept, noise dropped) and the lines to paste under the
    brand's [[brands]] table in settings.toml. It changes nothing unless --apply, which edits only that
    table, keeps comments, checks the result and keeps the old file as settings.toml.bak. Needs feedback.
    """
    from monitor.replay.tune import tune as run_tune

    settings = ctx.settings  # type: ignore[attr-defined]
    if brand_id is None:
        if len(settings.brands) != 1:
            raise click.UsageError("there are several brands; name one with --brand "
                                   f"({', '.join(b.id for b in settings.brands)})")
        brand_id = settings.brands[0].id
    end = until.replace(tzinfo=UTC) + timedelta(days=1) if until else datetime.now(UTC)
    from monitor.runtime import Runtime

    engine = Runtime(settings).engine
    work = Path(tempfile.mkdtemp(prefix="groundswell-tune-"))
    logging.disable(logging.INFO)  # each replay's incident log lines would bury the answer
    try:
        since = end - timedelta(days=days)
        report = _with_progress(lambda progress: run_tune(engine, settings, brand_id, since=since, until=end,
                                                          work=work, progress=progress))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        logging.disable(logging.NOTSET)
        shutil.rmtree(work, ignore_errors=True)
    show(report)
    if apply and report.best is not report.current:
        _apply(settings, report)


def _apply(settings: Settings, report: TuneReport) -> None:
    from monitor.cli.tune_apply import apply_tuning
    from monitor.errors import GroundswellError

    path = type(settings).toml_path
    if path is None:
        raise GroundswellError("--apply needs a settings file (--config PATH)")
    best = report.best.candidate
    apply_tuning(Path(path), report.brand_id, {"sensitivity": best.sensitivity,
                                               "story_min_people": best.story_min_people})
    console.print(f"Written to {path} (the old file is {path}.bak); `kill -HUP` the service to use it.",
                  markup=False)


def _with_progress(work: Callable[[Progress], TuneReport]) -> TuneReport:
    """A progress bar on stderr while the candidates replay (none when stderr is not a terminal)."""
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Bar(*columns, transient=True, disable=not sys.stderr.isatty(), console=Console(stderr=True)) as bar:
        task = bar.add_task("Exporting history", total=None)
        return work(lambda what, done, of: bar.update(task, description=what, completed=done, total=of))


def show(report: TuneReport) -> None:
    from rich.table import Table

    from monitor.logs import plural

    table = Table(title=f"{report.brand_id}: {plural(report.mentions, 'stored mention')} replayed; people "
                        f"judged {plural(report.useful, 'incident')} useful and {report.noise} noise")
    for column in ("sensitivity", "story threshold (people)", "alerts", "pages", "useful kept",
                   "noise dropped", ""):
        table.add_column(column)
    best = report.best
    for outcome in report.outcomes:
        c = outcome.candidate
        note = ("now" if outcome is report.current else "") + (" recommended" if outcome is best else "")
        table.add_row(c.sensitivity, f"{c.story_min_people:g}", str(outcome.incidents), str(outcome.pages),
                      f"{outcome.useful_kept}/{report.useful}", f"{outcome.noise_dropped}/{report.noise}",
                      note.strip())
    console.print(table)
    now, after = report.current, best
    console.print(f"Before: {plural(now.pages, 'page')}, {now.useful_kept} of {report.useful} useful kept, "
                  f"{now.noise_dropped} of {report.noise} noise dropped. After: {plural(after.pages, 'page')}, "
                  f"{after.useful_kept} useful kept, {after.noise_dropped} noise dropped.", markup=False)
    if best is report.current:
        console.print("Keep the current settings: no candidate did better on this history.")
        return
    console.print(f"Paste under the [[brands]] table with id = \"{escape(report.brand_id)}\" in settings.toml "
                  "(then `kill -HUP` the service, or restart it):", markup=False)
    console.print(best.candidate.lines, markup=False)
    console.print("(Measured on the same history the choice was made on: expect a little less on new data.)")
