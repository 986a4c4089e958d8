"""The `groundswell` command: thin wrappers over monitor.pipeline and friends."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape

from monitor.cli.argv import hoist_config
from monitor.cli.guard import run_guarded

if TYPE_CHECKING:
    from rich.table import Table

    from monitor.settings import Settings
    from monitor.storage.tables import Incident

console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)


class Context:
    def __init__(self, config: Path | None) -> None:
        self.config = config
        self._settings: Settings | None = None
        self._plugins_checked = False

    @property
    def settings(self) -> Settings:
        return self._load(plugins=True)

    @property
    def read_settings(self) -> Settings:
        """For commands that read the database only: the plugins' own options unchecked, none imported."""
        return self._load(plugins=False)

    def _load(self, *, plugins: bool) -> Settings:
        if self._settings is None or (plugins and not self._plugins_checked):
            from monitor.logs import configure_logging
            from monitor.settings import load_settings

            self._settings = load_settings(self.config, plugins=plugins)
            self._plugins_checked = plugins
            configure_logging(self._settings.app.log_level, self._settings.app.log_format, defer=True)
        return self._settings


pass_context = click.make_pass_decorator(Context)
class GroundswellGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_config(args))


@click.group(cls=GroundswellGroup,  # 120: the command list's summaries were cut at 80 columns on wide terminals
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
@click.option("--config", "-c", type=click.Path(path_type=Path), envvar="GROUNDSWELL_CONFIG",
              help="Settings file (default: ./settings.toml, or $GROUNDSWELL_CONFIG).")
@click.version_option(package_name="groundswell")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Groundswell hears complaints about your company early and tells the right people.

    Start with `groundswell demo` (no setup: a bundled week of mentions of a fictional
    broadband provider), then `groundswell init` (a few questions about your company: it writes
    settings.toml), `groundswell check` and `groundswell run`.  `groundswell COMMAND --help`
    explains each command.
    """
    ctx.obj = Context(config)


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the demo database goes (default: a new temporary folder).")
@click.option("--model", default="bundled", show_default=True,
              help='Sentiment model: "bundled", "lexicon", a Hugging Face id or a local folder.')
def demo(data_dir: Path | None, model: str) -> None:
    """Run the bundled demo week through the whole pipeline on a simulated clock.

    Polls, scores, detects and alerts exactly as the service does, 15 simulated minutes per
    step; alerts print here.  Day 6 brings an evening outage that spreads.
    """
    import shlex
    import tempfile

    from rich.progress import Progress

    from monitor.logs import configure_logging
    from monitor.replay.demo import demo_settings, run_demo

    configure_logging("warning", "console")
    folder = data_dir or Path(tempfile.mkdtemp(prefix="groundswell-demo-"))
    settings = demo_settings(folder, model)
    started = datetime.now(UTC)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Replaying a week of mentions", total=None)
        result = run_demo(settings, on_step=lambda step, total: progress.update(task, completed=step,
                                                                                 total=total))
    seconds = (datetime.now(UTC) - started).total_seconds()
    console.print(_incident_table(result.incidents, settings.brands[0].timezone))
    console.print(f"{result.mentions} mentions ingested and scored, {result.delivered} alerts delivered, "
                  f"{result.pending} waiting, in {seconds:.1f}s.")
    console.print(f"Database: {result.database}  (open it with any SQLite tool, or point database.url at it)",
                  soft_wrap=True)
    quoted = shlex.quote(str(result.database))
    console.print(f"See it in the web workspace: groundswell users --database {quoted} add YOUR-NAME --role operator,"
                  f" then groundswell web --database {quoted}", soft_wrap=True, markup=False)


def _incident_table(incidents: list[Incident], zone: str) -> Table:
    """The demo's incidents in the brand's time and a person's words (not "churn_threat", "sev 2")."""
    from zoneinfo import ZoneInfo

    from rich.table import Table
    from rich.text import Text

    from alerts.escape import terminal
    from monitor.clock import as_utc
    from monitor.labels import SEVERITY_NAMES, trigger_label

    table = Table(title=f"Incidents ({len(incidents)})")
    for column in ("#", "opened", "what", "severity", "status", "reason"):
        table.add_column(column)
    for incident in incidents:
        opened = as_utc(incident.opened_at).astimezone(ZoneInfo(zone))
        table.add_row(str(incident.id), f"{opened:%a %d %b %H:%M %Z}", trigger_label(incident.trigger),
                      SEVERITY_NAMES.get(incident.severity, str(incident.severity)), incident.status,
                      Text(terminal(incident.reason, 500)))
    return table


@cli.command()
@pass_context
def run(ctx: Context) -> None:
    """Run the monitor as a service: poll every source, score, detect and alert on schedule.

    It runs until stopped: Ctrl-C or SIGTERM lets the running jobs finish and exits 0; SIGHUP reloads the
    settings file (a bad one keeps the old settings).  Run `groundswell check` first.
    """
    from monitor.service.process import serve

    serve(ctx.settings)


@cli.command()
@click.argument("source")
@click.option("--once", is_flag=True, help="Poll one time and exit (also the default: `run` polls on schedule).")
@pass_context
def poll(ctx: Context, source: str, once: bool) -> None:
    """Poll one SOURCE (its id in settings.toml) once and store what it returns.

    A trial: a failure is reported here and pages nobody (no source-down incident, no backoff).
    """
    from monitor.pipeline import poll_source
    from monitor.runtime import Runtime

    runtime = Runtime(ctx.settings)
    connector = runtime.connector(source)  # an unknown id stops here, before it is echoed (it may hold escapes)
    if not once:
        err.print(f"polling {source} once (`groundswell run` polls every source on its schedule)")
    result = poll_source(runtime.engine, ctx.settings, connector, now=datetime.now(UTC), page=False)
    for problem in result.problems:
        err.print(f"[yellow]skipped[/]: {escape(problem)}", markup=True, soft_wrap=True)
    if result.error:
        err.print(f"{source} failed: {result.error} (nothing was lost: the next poll starts where the last good one "
                  "ended; nobody was alerted: this was a manual poll)", markup=False, soft_wrap=True)
        sys.exit(1)
    console.print(f"{source}: fetched {result.fetched}, new {result.new}, skipped {len(result.problems)}")


@cli.command()
@pass_context
def check(ctx: Context) -> None:
    """Check the configuration, the database, every source and every channel (nothing is sent; exit 1 if any fail)."""
    from monitor.cli.checks import run_checks

    sys.exit(run_checks(ctx.settings, console))


@cli.command()
@pass_context
def sources(ctx: Context) -> None:
    """List configured sources with their health, and every source kind this install knows."""
    from monitor.cli.checks import print_sources

    print_sources(ctx.read_settings, console)  # health is in the database: no source's secret is needed to read it


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Apply database migrations (also done automatically on every start)."""
    from monitor.storage.engine import upgrade

    upgrade(ctx.settings.database_url())
    console.print("database is up to date")


@cli.command("help", hidden=True, context_settings={"ignore_unknown_options": True})
@click.argument("words", nargs=-1)
def help_command(words: tuple[str, ...]) -> None:
    """`groundswell help score` is `groundswell score --help` (`help` alone said "no such command")."""
    cli.main([*(w for w in words if not w.startswith("-")), "--help"], prog_name="groundswell",
             standalone_mode=False)


# -- commands from other modules: registered here so `groundswell --help` lists them all --
from monitor.cli.backtest_cmd import backtest  # noqa: E402
from monitor.cli.db_partition import db_partition  # noqa: E402
from monitor.cli.init import init  # noqa: E402
from monitor.cli.ops import channels, digest, incidents  # noqa: E402
from monitor.cli.quiet import report_missed_post, snooze_incident, wake_incident  # noqa: E402
from monitor.cli.score import score  # noqa: E402
from monitor.cli.try_cmd import try_command  # noqa: E402
from monitor.cli.tune import tune  # noqa: E402
from monitor.cli.users import users  # noqa: E402
from monitor.cli.web import web  # noqa: E402

db.add_command(db_partition)
cli.add_command(init)
cli.add_command(try_command)

cli.add_command(incidents)
for command in (snooze_incident, wake_incident, report_missed_post):
    incidents.add_command(command)
cli.add_command(channels)
cli.add_command(digest)
cli.add_command(backtest)
cli.add_command(score)
cli.add_command(tune)
cli.add_command(users)
cli.add_command(web)


def main() -> None:
    """Entry point: one line per failure, exit 2 for configuration, 1 at run time (monitor/cli/guard.py)."""
    from monitor.cli.interrupt import keep_interrupts

    keep_interrupts()
    run_guarded(_entry, cli)


def _entry() -> None:
    from monitor.cli.interrupt import pending

    cli.main(prog_name="groundswell", standalone_mode=False)
    if pending():  # a Ctrl-C that a finalizer swallowed as the command ended: still not a success
        raise KeyboardInterrupt
