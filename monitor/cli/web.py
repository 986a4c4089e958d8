"""`groundswell web`: the workspace alone, read-only unless --allow-actions (an analyst's box)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from monitor.cli.users import Context, console, database_url, pass_context, settings_for


@click.command()
@click.option("--address", help="host:port to listen on (default: [web] address, 127.0.0.1:8080).")
@click.option("--allow-actions", is_flag=True, help="Let operators acknowledge, assign, note, resolve and give "
              "feedback (off: read-only).")
@click.option("--database", help="Database URL or SQLite file to show (default: [database]; e.g. the path "
              "`groundswell demo` prints).")
@pass_context
def web(ctx: Context, address: str | None, allow_actions: bool, database: str | None) -> None:
    """Serve the web workspace: incidents, mentions, trends and sources (sign in as a `users add` user)."""
    from monitor.storage.engine import open_database
    from monitor.web import accounts
    from monitor.web.server import make_server, split_address

    if database and "://" not in database and not Path(database).is_file():
        # a typo would serve a new, empty workspace whose sign-in then fails for every user
        raise click.BadParameter(f"no database at {database} (give the path `groundswell demo` printed, or a "
                                 "database URL)", param_hint="'--database'")
    settings = settings_for(ctx, database)
    if address:
        split_address(address)
        settings = settings.model_copy(update={"web": settings.web.model_copy(update={"address": address})})
    url = database_url(ctx, database)
    engine = open_database(url)
    server = make_server(settings, engine, allow_actions=allow_actions)
    scheme = "https" if settings.web.tls_certfile else "http"
    console.print(f"Groundswell workspace on {scheme}://{settings.web.address} "
                  f"({'actions allowed' if allow_actions else 'read-only'}); Ctrl-C stops it")
    if not accounts.list_users(engine):
        # the sign-in page alone gives no way in: say how to make the first user
        where = f"--database {shlex.quote(database)} " if database else ""
        console.print(f"No one can sign in yet: add a user first, e.g. groundswell users {where}add YOUR-NAME "
                      "--role operator", markup=False, soft_wrap=True)
    server.run()
