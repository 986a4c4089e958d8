"""Every command's failures as one line that says what failed and what to do, with the documented exit code.

Exit codes: 0 success; 1 a runtime failure (database or server unreachable, a source or channel
failed, incident not found); 2 a configuration error (bad or missing settings, a database URL that
cannot work); 130 interrupted.  ``GROUNDSWELL_DEBUG=1`` shows the traceback of unexpected errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, NoReturn

import click

from monitor.errors import ConfigError, GroundswellError, ModelError

CONFIG_EXIT, RUNTIME_EXIT, INTERRUPTED_EXIT = 2, 1, 130
# psycopg / sqlite messages that mean the URL itself is wrong, not that the server is down.
_URL_PROBLEMS = ("does not exist", "authentication failed", "password", "no such host", "unable to open",
                 "could not translate host name", "name or service not known", "invalid dsn")


def one_line(text: str) -> str:
    """The first line of a message, credentials masked."""
    from monitor.logs import redact

    return redact(" ".join(str(text).strip().splitlines()[:1]).strip()) or "no details"


def whole_line(text: str) -> str:
    """All of a message on one line, credentials masked: for messages whose advice follows a library's lines."""
    from monitor.logs import redact

    return redact(" ".join(str(text).split())) or "no details"


def database_problem(exc: BaseException) -> tuple[int, str] | None:
    """A SQLAlchemy/driver failure as (exit code, line), or None when it is not one."""
    from sqlalchemy.exc import ArgumentError, DBAPIError

    if isinstance(exc, ArgumentError):  # includes NoSuchModuleError: an unknown scheme or driver
        return CONFIG_EXIT, (f"database.url: cannot use it ({one_line(str(exc))}); write sqlite:///PATH or "
                             "postgresql://USER@HOST:5432/NAME")
    if isinstance(exc, DBAPIError):
        detail = one_line(str(exc.orig) if exc.orig is not None else str(exc))
        if "file is not a database" in detail.lower():  # SQLite: the URL names some other kind of file
            return CONFIG_EXIT, ("database.url: that file is not a SQLite database (point database.url, or "
                                 "--database, at a Groundswell database or at a new file name)")
        if any(marker in detail.lower() for marker in _URL_PROBLEMS):
            return CONFIG_EXIT, f"database.url: {detail} (check the host, database name and user in database.url)"
        return RUNTIME_EXIT, (f"database unreachable: {detail} (is the server running? check database.url, "
                              "or leave it empty for a local SQLite file)")
    return None


def explain(exc: BaseException) -> tuple[int, str]:
    """(exit code, one line) for anything a command can raise."""
    if isinstance(exc, ConfigError):
        return CONFIG_EXIT, f"configuration error {one_line(str(exc))}"
    if isinstance(exc, ModelError):  # its hint ("Check the model id or path ...") comes after the library's lines
        return RUNTIME_EXIT, f"error: {whole_line(str(exc))}"
    if isinstance(exc, GroundswellError):
        cause = exc.__cause__
        known = database_problem(cause) if cause is not None else None
        return known or (RUNTIME_EXIT, f"error: {one_line(str(exc))}")
    known = database_problem(exc)
    if known:
        return known
    if isinstance(exc, ImportError):
        return RUNTIME_EXIT, f"error: a Python package is missing: {one_line(str(exc))} (pip install it)"
    if isinstance(exc, OSError):
        return RUNTIME_EXIT, f"error: {_file_problem(exc)}"
    return RUNTIME_EXIT, (f"unexpected error {type(exc).__name__}: {one_line(str(exc))} "
                          "(set GROUNDSWELL_DEBUG=1 to see where; please report it)")


def _file_problem(exc: OSError) -> str:
    """A file error that says what to do: a path into a folder that does not exist names that folder."""
    from pathlib import Path

    if isinstance(exc, FileNotFoundError) and exc.filename and not Path(exc.filename).parent.exists():
        folder = Path(exc.filename).parent
        return f"cannot use {exc.filename}: the folder {folder} does not exist (create it, or choose another path)"
    if isinstance(exc, IsADirectoryError) and exc.filename:  # was "Is a directory (out)"
        return f"{exc.filename} is a folder, not a file: give a file's name (one inside that folder, for example)"
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or one_line(str(exc))}{where}"


def fail(code: int, line: str) -> NoReturn:
    click.echo(line, err=True)
    sys.exit(code)


def run_guarded(entry: Callable[[], object], root: click.Command) -> None:
    """Run the click entry point (``root``: its command tree); turn every failure into one line on stderr and an
    exit code."""
    try:
        entry()
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        if isinstance(exc.__context__, EOFError):  # a prompt read the end of piped input: no Ctrl-C was pressed
            from monitor.cli.usage import typed_command

            fail(CONFIG_EXIT, "error: the input ended before every question was answered (answer them in a terminal, "
                              f"or give the answers as options: see {typed_command(root)} --help)")
        fail(INTERRUPTED_EXIT, "interrupted (Ctrl-C): stopped before finishing")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:  # `groundswell` alone: the help, as click prints it
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        from monitor.cli.usage import usage_line

        fail(exc.exit_code, usage_line(exc, root))
    except click.ClickException as exc:  # click printed "Error: ..." (capitalised, on as many lines as it had)
        fail(exc.exit_code, f"error: {whole_line(exc.format_message())}")
    except Exception as exc:
        if os.environ.get("GROUNDSWELL_DEBUG") and not isinstance(exc, GroundswellError):
            raise
        fail(*explain(exc))


class Day(click.DateTime):
    """A --date/--until day: shown and explained as YYYY-MM-DD (click's own says "[%Y-%m-%d]", a format code)."""

    name = "day"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{str(value)!r} is not a day: write it as YYYY-MM-DD, e.g. 2026-11-07", param, ctx)


class IncidentNumber(click.ParamType):  # type: ignore[type-arg]  # not subscriptable in click 8.1
    """An incident's number: "abc" or one past SQLite's integers (which stopped as "unexpected error OverflowError")
    says where the numbers are."""

    name = "incident number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lstrip("#")
        if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
            from alerts.escape import terminal

            self.fail(f"{terminal(str(value), 30)!r} is not an incident number (the # column of "
                      "`groundswell incidents list`)", param, ctx)
        return int(text)


def person(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--by: a name as it is recorded and shown; an escape sequence in it reached the terminal, Slack and email
    ("acknowledged by ^[[31m...")."""
    if value is None:
        return None
    from alerts.escape import terminal

    name = " ".join(terminal(value, 200).split())
    if not name:
        raise click.BadParameter("give the name of the person (or leave --by out: your user name)")
    return name
