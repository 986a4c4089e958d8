"""`groundswell init`: a few questions, then a commented settings file for one company that loads as written."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass
class Answers:
    name: str
    names: list[str]
    handles: list[str]
    timezone: str
    email: str = ""
    smtp_host: str = ""
    slack_channel: str = ""

    @property
    def brand_id(self) -> str:
        return _SLUG.sub("-", self.name.lower()).strip("-") or "brand"


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list of strings is valid TOML


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _check_timezone(value: str) -> str:
    from monitor.clock import timezone_problem

    problem = timezone_problem(value)
    if problem:
        raise click.BadParameter(problem, param_hint="'--timezone'")
    return value


def _check_name(value: str) -> str:
    """A company name, asked with no default: pressing Enter asks again, a blank flag stops."""
    value = value.strip()
    if not value:
        raise click.BadParameter("the company name is empty: give the name people use for it, e.g. Acme Broadband "
                                 "(its mentions are what Groundswell listens for)", param_hint="'--name'")
    return value


def _check_email(value: str) -> str:
    value = value.strip()
    if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise click.BadParameter(f"{value!r} is not an email address (name@example.com)", param_hint="'--email'")
    return value


def _check_smtp_host(value: str) -> str:
    value = value.strip()
    if not value or any(c in value for c in ":/@ "):
        raise click.BadParameter(f"{value!r} is not a server name: give the name alone, e.g. smtp.example.com "
                                 "(the port is 587; change it in the file if yours differs)",
                                 param_hint="'--smtp-host'")
    return value


def _check_slack_channel(value: str) -> str:
    """The channel ID (C0123ABCD) or #name; a pasted link gives its ID back in the message."""
    value = value.strip()
    found = re.search(r"/archives/([CGD][A-Z0-9]{6,})", value)
    if found or any(c in value for c in "/ .@:"):  # a link, an address or a server name (an answer one line off)
        hint = f": use {found.group(1)}" if found else " (channel details, at the bottom: C0123ABCD)"
        raise click.BadParameter(f"{value!r} is not a channel ID{hint}", param_hint="'--slack-channel'")
    return value


def render(a: Answers) -> str:
    """The settings file text: every section a newcomer needs, with what each key does."""
    bid = a.brand_id
    parts = [f"""# Groundswell settings for {a.name}, written by `groundswell init`.
# Every key and its default: settings.toml in the repository.  Relative paths are relative to this file.
# Next: `groundswell check` (tests sources and channels), then `groundswell run`.

[app]
# SQLite database and digests go here.
data_dir = "./data"
log_level = "info"

[database]
# Empty: SQLite in data_dir.  PostgreSQL: "postgresql://user@host:5432/groundswell".
url = ""

[[brands]]
id = {_toml(bid)}
name = {_toml(a.name)}
# The names sources search for (they replace `name` in searches: keep the full name in the list).
names = {_toml(a.names)}
# The company's own accounts: their posts count as replies, not complaints.
handles = {_toml(a.handles)}
# Timezone of the daily digest and quiet hours.
timezone = {_toml(a.timezone)}

# Sources: Hacker News needs no account.  Uncomment others once their credentials are exported.
[[sources]]
id = "hn-{bid}"
kind = "hackernews"
brand = {_toml(bid)}

# [[sources]]
# id = "x-{bid}"
# kind = "x"                       # X API v2 recent search; reads are paid
# brand = {_toml(bid)}
# bearer_token = {{ env = "X_BEARER_TOKEN" }}
#
# [[sources]]
# id = "reddit-{bid}"
# kind = "reddit"                  # a read-only Reddit "script" app
# brand = {_toml(bid)}
# client_id = {{ env = "REDDIT_CLIENT_ID" }}
# client_secret = {{ env = "REDDIT_CLIENT_SECRET" }}
# user_agent = "linux:groundswell:0.1 (by u/your_account)"

# Channels: where alerts go.  The console prints them where `groundswell run` runs.
[[channels]]
id = "console"
kind = "console"
"""]
    if a.slack_channel:
        parts.append(f"""
# Slack bot: export SLACK_BOT_TOKEN (scope chat:write) and invite the bot to the channel.
[[channels]]
id = "slack"
kind = "slack"
token = {{ env = "SLACK_BOT_TOKEN" }}
channel = {_toml(a.slack_channel)}
""")
    if a.email:
        parts.append(f"""
# Email: every severity to these people, and the daily digest.
[[channels]]
id = "email"
kind = "email"
host = {_toml(a.smtp_host or "localhost")}
port = 587
security = "starttls"            # "starttls", "tls" (port 465) or "none" (a local relay)
# username = "alerts@example.com"
# password = {{ env = "SMTP_PASSWORD" }}
from_addr = {_toml(a.email)}
to = {_toml([a.email])}
digest = true
""")
    return "".join(parts)


def ask(yes: bool, name: str | None, names: str | None, handles: str | None, timezone: str | None,
        email: str | None, smtp_host: str | None, slack_channel: str | None) -> Answers:
    """Flags win; otherwise ask (or, with --yes, take the default)."""

    def value(given: str | None, prompt: str, default: str, check: Callable[[str], str] = str) -> str:
        """A flag's bad value stops (exit 2); a typed one is asked again, so no answer already given is lost."""
        if given is not None or yes:
            return check(default if given is None else given)
        return str(click.prompt(prompt, default=default, show_default=bool(default), value_proc=check))

    if yes and name is None:  # a default name ("Acme") set up the monitoring of a made-up company
        raise click.BadParameter('--yes asks nothing, so give the company\'s name too: --name "Your Company"',
                                 param_hint="'--name'")
    company = value(name, "Company name (as people write it)", "", _check_name)
    answers = Answers(
        name=company,
        names=_split(value(names, "Names to search for, comma-separated (e.g. a short form too)", company)),
        handles=_split(value(handles, "Your own accounts, e.g. @acme (comma-separated)", "")),
        timezone=value(timezone, "Timezone (IANA name)", "UTC", _check_timezone),
        email=value(email, "Email for alerts (empty: none)", "", _check_email),
    )
    if answers.email:  # asked next to the address it sends to, not after the Slack question
        answers.smtp_host = value(smtp_host, "SMTP server for that email", "localhost", _check_smtp_host)
    answers.slack_channel = value(slack_channel, "Slack channel ID for alerts, e.g. C0123ABCD (empty: none)", "",
                                  _check_slack_channel)
    return answers


def write_settings(path: Path, answers: Answers, *, force: bool) -> Path:
    if path.exists() and not force:
        from monitor.errors import ConfigError

        raise ConfigError("--out", f"{path.resolve()} exists; pass --force to replace it, or choose --out")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(answers), encoding="utf-8")
    return path.resolve()


@click.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the settings file (default: --config's file, else settings.toml).")
@click.option("--yes", "-y", is_flag=True, help="Ask nothing: take the flags given and defaults for the rest.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--name", help="Company name.")
@click.option("--names", help="Names to search for, comma-separated (default: the company name).")
@click.option("--handles", help="The company's own accounts, comma-separated.")
@click.option("--timezone", help="IANA timezone, e.g. Europe/London.")
@click.option("--email", help="Address that receives alerts and the daily digest.")
@click.option("--smtp-host", help="SMTP server for --email.")
@click.option("--slack-channel", help="Slack channel ID for alerts (token from $SLACK_BOT_TOKEN).")
@click.pass_context
def init(ctx: click.Context, out: Path | None, yes: bool, force: bool, name: str | None, names: str | None,
         handles: str | None, timezone: str | None, email: str | None, smtp_host: str | None,
         slack_channel: str | None) -> None:
    """Write a commented settings file for your company after a few questions.

    Example without questions: groundswell init --yes --name "Acme Broadband" --timezone Europe/London
    """
    # `groundswell --config my.toml init` wrote ./settings.toml (or refused: it existed), not the file it named
    out = out or getattr(ctx.obj, "config", None) or Path("settings.toml")
    if out.exists() and not force:  # said before the questions, not after them
        write_settings(out, Answers("", [], [], ""), force=False)
    answers = ask(yes, name, names, handles, timezone, email, smtp_host, slack_channel)
    written = write_settings(out, answers, force=force)
    click.echo(f"wrote {written}")
    flag = "" if out == Path("settings.toml") else f" --config {out}"
    secrets = [env for env, used in (("SLACK_BOT_TOKEN", answers.slack_channel),) if used]
    if secrets:
        click.echo(f"export {' '.join(f'{s}=...' for s in secrets)} first, then:")
    click.echo(f"next: groundswell{flag} check, then groundswell{flag} run")
