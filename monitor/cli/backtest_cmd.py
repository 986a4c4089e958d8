"""``groundswell backtest``: replay a mentions file (or a volume series) through detection on a simulated clock."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
from rich.console import Console

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


class OneLineUsage(click.ClickException):
    """A bad option value said in one line (no usage block), with the usage error's exit status."""

    exit_code = 2


@click.command()
@click.argument("input_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Mentions mode: the incident timeline (JSONL). Series mode: the scored CSV.",
)
@click.option(
    "--series", is_flag=True, help="INPUT_FILE is a volume series (timestamp,value; the NAB format): score every row."
)
@click.option(
    "--sensitivity",
    type=click.Choice(["low", "default", "high"]),
    default="default",
    show_default=True,
    help="How readily a spike alerts: low (fewest alerts), default or high (most).",
)
@click.option(
    "--highs-only",
    is_flag=True,
    help="Series mode: no record lows (series mode reports them; the live spike channel pages on highs).",
)
@click.option(
    "--engine",
    type=click.Choice(["adaptive", "simple"]),
    default="adaptive",
    show_default=True,
    help="adaptive: learns each brand's usual volume; simple: the fixed ratio rule ([detection] in settings.toml).",
)
@click.option("--model", default="bundled", show_default=True, help="Sentiment model for mentions mode.")
@click.option(
    "--step-minutes",
    type=click.IntRange(1, 1440),
    default=5,
    show_default=True,
    help="Simulated clock step, in minutes.",
)
@click.option(
    "--reminders/--no-reminders",
    default=False,
    show_default=True,
    help="Include 'unacknowledged' reminders (nobody acknowledges in a replay).",
)
@click.option(
    "--history-hours",
    type=float,
    default=0,
    show_default=True,
    help="Mentions mode: treat the file's first N hours as what the brand already had when monitoring began (as a live "
    "brand's first check reads the last 6-24 hours): they are learnt as its usual level (only a rise in their "
    "last hour can alert, as live), and alerts start N hours into the file. 0: the replay starts cold at the "
    "first post.",
)
@click.option("--keep-db", is_flag=True, help="Keep the replay's SQLite database and print its path.")
def backtest(
    input_file: Path,
    out: Path,
    series: bool,
    sensitivity: str,
    highs_only: bool,
    engine: str,
    model: str,
    step_minutes: int,
    reminders: bool,
    history_hours: float,
    keep_db: bool,
) -> None:
    """Replay history through detection with a simulated clock, to see what would have alerted.

    Mentions mode: INPUT_FILE in the replay format (JSONL or CSV with id, text and
    posted_at; a brand column replays each brand: a row with an empty brand joins the file's
    brand if it names only one, and is skipped, with its line number said, if it names several)
    is polled, scored and detected step by step; OUT gets one JSON line per alert event, with the ids of
    each incident's example mentions.  Sentiment is scored once and cached beside INPUT_FILE, so the
    next replay of the same file runs detection only.  Series mode (--series): OUT gets
    timestamp,value,anomaly_score,alert per row, from the same spike logic, plus record lows (a volume
    that collapses; the live channel pages on highs only, as --highs-only shows).
    """
    import shutil
    import tempfile

    if not history_hours >= 0:  # also NaN
        raise OneLineUsage(f"--history-hours must be 0 or more hours, not {history_hours:g}")
    if series and history_hours:
        raise OneLineUsage("--history-hours is for mentions files, not --series")
    _check_out_name(out, series)
    if not out.resolve().parent.is_dir():  # found before the replay, not after minutes of it
        raise OneLineUsage(f"--out {out}: the folder {out.resolve().parent} does not exist (create it, or choose "
                           "another path)")
    if out.resolve() == input_file.resolve():
        raise click.BadParameter(
            f"{out} is INPUT_FILE itself: writing it would erase the mentions; choose another file",
            param_hint="'--out'",
        )

    from rich.progress import Progress

    if series:
        from monitor.replay.series import backtest_file

        try:
            result = backtest_file(input_file, out, sensitivity, lows=not highs_only)
        except ValueError as exc:  # not a timestamp,value file: one line, not a traceback
            raise click.ClickException(str(exc)) from None
        console.print(f"{result['rows']} rows scored, {result['alerts']} alerts: {out}")
        return
    from monitor.replay.backtest import HistoryTooLong, backtest_settings, run_backtest

    notes = _check_input(input_file)
    work = Path(tempfile.mkdtemp(prefix="groundswell-backtest-"))
    try:
        settings = backtest_settings(work, input_file, model, sensitivity, engine, reminders=reminders)
        with Progress(transient=True, disable=not sys.stderr.isatty()) as progress:
            task = progress.add_task("Scoring", total=None)
            run = run_backtest(
                settings,
                out,
                step=timedelta(minutes=step_minutes),
                input_file=input_file,
                keep_search=keep_db,
                history=timedelta(hours=history_hours) if history_hours < 10**6 else timedelta.max,
                on_step=lambda n, total: progress.update(task, description="Replaying", completed=n, total=total),
            )
    except HistoryTooLong as exc:
        raise OneLineUsage(
            f"--history-hours {history_hours:g} is longer than the file, which spans {exc.span_hours:.1f} hours "
            "from its first post to its last"
        ) from None
    except ValueError as exc:  # no usable rows: one line, not a traceback
        raise click.ClickException(str(exc)) from None
    finally:
        if not keep_db:
            shutil.rmtree(work, ignore_errors=True)
    brands = f" ({len(run.brands)} brands)" if len(run.brands) > 1 else ""
    console.print(
        f"{run.events} alert events written to {out}{brands}; {_mentions(run.mentions)}, "
        f"{run.scored} scored now, {run.mentions - run.scored} read from the cache {run.cache or ''}",
        soft_wrap=True,
    )
    if history_hours:
        console.print(
            f"{run.history} of them were history (the first {history_hours:g} hours, learnt as the past; "
            "alerts start after them)",
            soft_wrap=True,
        )
    if keep_db:
        console.print(f"database kept: {work / 'backtest.db'}", soft_wrap=True)
    for note in notes:
        Console(stderr=True, highlight=False).print(note, markup=False, soft_wrap=True)


def _check_out_name(out: Path, series: bool) -> None:
    """--out t.csv got JSON lines (a spreadsheet showed one column of JSON); a series' CSV went into .jsonl."""
    suffix = out.suffix.lower()
    if not series and suffix in (".csv", ".tsv", ".xlsx", ".xls"):
        raise OneLineUsage(f"--out {out}: the timeline is JSON Lines (one alert event a line): name it "
                           f"{out.with_suffix('.jsonl').name} (--series writes CSV)")
    if series and suffix in (".jsonl", ".ndjson", ".json"):
        raise OneLineUsage(f"--out {out}: --series writes CSV (timestamp,value,anomaly_score,alert): name it "
                           f"{out.with_suffix('.csv').name}")


def _mentions(count: int) -> str:
    return "1 mention" if count == 1 else f"{count:,} mentions"


def _check_input(input_file: Path) -> list[str]:
    """A file that is not UTF-8, tab-separated or without a needed column stops in one line; the notes on columns
    the replay ignores are returned, for stderr after the summary (a column called ``author`` was silently
    dropped: nothing alerted)."""
    from monitor.replay import input_check

    problem = input_check.spreadsheet(input_file) or input_check.encoding_problem(input_file)
    columns = input_check.header(input_file) if problem is None else []
    problem = (problem or input_check.json_array(input_file) or input_check.tab_separated(input_file, columns)
               or input_check.missing_columns(input_file, columns))
    if problem:
        raise click.ClickException(problem)
    naive = input_check.naive_times(input_file)
    return input_check.notes(columns) + ([naive] if naive else [])
