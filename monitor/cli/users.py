"""`groundswell users`: who may sign in to the web workspace, and with which role."""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import click
from rich.console import Console

from monitor.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from monitor.settings import Settings

ROLES = ("viewer", "operator", "admin")  # monitor.web.accounts.ROLES, named here so --help stays light

console = Console(highlight=False)


class Context(Protocol):
    """monitor.cli.main.Context, as these commands see it (no import of main: no cycle)."""

    config: Path | None

    @property
    def settings(self) -> Settings: ...

    @property
    def read_settings(self) -> Settings: ...


pass_context = click.pass_obj


def database_url_of(database: str) -> str:
    """--database: a URL, or a SQLite file such as the one `groundswell demo` prints."""
    return database if "://" in database else f"sqlite:///{click.format_filename(database)}"


def database_url(ctx: Context, database: str | None) -> str:
    return database_url_of(database) if database else ctx.read_settings.database_url()


def settings_for(ctx: Context, database: str | None) -> Settings:
    """The settings file's (no source's or channel's secret needed: the workspace and its users use neither);
    with --database and no settings file, the defaults (a demo database needs none)."""
    from monitor.settings import Settings, resolve_config_path

    if database is None:
        return ctx.read_settings
    try:
        resolve_config_path(ctx.config)
    except ConfigError:
        defaults: Settings = type("DefaultSettings", (Settings,), {"toml_path": None})()
        return defaults
    return ctx.read_settings


@click.group()
@click.option("--database", help="Database URL or SQLite file (default: [database]).")
@click.pass_context
def users(click_ctx: click.Context, database: str | None) -> None:
    """Add, list, disable and enable the web workspace's users."""
    click_ctx.meta["groundswell.database"] = database


def _engine(ctx: Context) -> Engine:
    from monitor.storage.engine import open_database

    database = click.get_current_context().meta.get("groundswell.database")
    if database and "://" not in database:
        _check_file(Path(database))
    return open_database(database_url(ctx, database))


def _check_file(path: Path) -> None:
    """A mistyped --database made a new database in a new folder and added the user there; the workspace on the
    real one then refused every sign-in."""
    if path.is_dir():
        raise click.BadParameter(f"{path} is a folder: give the database file in it (the path `groundswell demo` "
                                 "printed)", param_hint="'--database'")
    if not path.parent.is_dir():
        raise click.BadParameter(f"no folder {path.parent}: give the path `groundswell demo` printed, or a "
                                 "database URL", param_hint="'--database'")
    if not path.exists():
        click.echo(f"note: no database at {path} yet: making a new one (a demo's database is the path "
                   "`groundswell demo` printed)", err=True)


def _password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:  # an empty pipe said "the password is too short"
            raise click.UsageError("no password on the first line of the input: run it in a terminal to be asked, "
                                   "or pipe the password in (printf '%s\\n' \"$PASSWORD\" | groundswell users add ...)")
        return line
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES, case_sensitive=False), default="viewer", show_default=True,
              help="viewer: read; operator: also acknowledge, assign, note, resolve, give feedback; admin: all.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--replace", is_flag=True, help="Set a new password and role for an existing user.")
@pass_context
def add_user(ctx: Context, name: str, role: str, password_stdin: bool, replace: bool) -> None:
    """Create user NAME (the password is prompted for, or read from stdin; only its hash is stored)."""
    engine = _engine(ctx)
    from monitor.web import accounts

    accounts.add_user(engine, name, _password(password_stdin), role, now=datetime.now(UTC), replace=replace)
    console.print(f"user {name} ({role}) {'updated' if replace else 'added'}")


@users.command("list")
@pass_context
def list_users(ctx: Context) -> None:
    """List users with their role and whether they may sign in."""
    from rich.table import Table

    table = Table()
    for column in ("name", "role", "created (UTC)", "enabled"):
        table.add_column(column)
    from monitor.web import accounts

    for user in accounts.list_users(_engine(ctx)):
        table.add_row(user.name, user.role, f"{user.created_at:%Y-%m-%d %H:%M}", "no" if user.disabled else "yes")
    if not table.row_count:  # an empty table said nothing about how to get the first user
        database = click.get_current_context().meta.get("groundswell.database")
        where = f"--database {shlex.quote(database)} " if database else ""
        console.print(f"No users yet: add one with groundswell users {where}add YOUR-NAME --role operator",
                      markup=False, soft_wrap=True)
        return
    console.print(table)


@users.command("disable")
@click.argument("name")
@pass_context
def disable_user(ctx: Context, name: str) -> None:
    """Stop NAME signing in (their open sessions end at their next request)."""
    from monitor.web import accounts

    accounts.set_disabled(_engine(ctx), name, True)
    console.print(f"user {name} disabled")


@users.command("enable")
@click.argument("name")
@pass_context
def enable_user(ctx: Context, name: str) -> None:
    """Let a disabled user sign in again."""
    from monitor.web import accounts

    accounts.set_disabled(_engine(ctx), name, False)
    console.print(f"user {name} enabled")
