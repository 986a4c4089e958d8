"""Untrusted text in every output: spreadsheet cells never start a formula, and terminals, Slack and email
subjects never receive escape sequences or bidi controls (one helper module: alerts/escape.py)."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import Session

from alerts import escape
from alerts.console import ConsoleNotifier, ConsoleOptions
from alerts.digest import BrandDigest, negatives_csv
from alerts.render import alert_view, subject_line
from monitor.cli.main import cli
from monitor.runtime import Runtime
from monitor.settings import BrandSettings
from monitor.storage.tables import Alert, Incident, Mention, OutboxItem
from tests.fakes.alert_messages import sample_message
from tests.fakes.settings_files import make_settings

# colour, window title (OSC 0), a hyperlink (OSC 8) that hides its target, a screen clear, a right-to-left override
NASTY = ("\x1b[31mRED\x1b[0m \x1b]0;pwned\x07title \x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ "
         "\x1b[2J\x1bcreset evil\u202etxt.exe \u200eleft\u200fright \u2066iso\u2069")
EXPECTED = "RED title click reset eviltxt.exe leftright iso"
FORBIDDEN = ("\x1b", "\x07", "\u202e", "\u200e", "\u200f", "\u2066", "\u2069", "\x9b")


def assert_clean(output: str) -> None:
    found = [repr(ch) for ch in FORBIDDEN if ch in output]
    assert not found, f"{found} reached the output: {output!r}"
    assert "pwned" not in output and "evil.example" not in output  # the payloads, not just the ESC bytes


def test_escape_sequences_are_removed_whole_with_bidi_marks() -> None:
    assert escape.strip_controls(NASTY) == EXPECTED


def test_csv_cells_never_start_a_formula() -> None:
    for hostile in ("=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "  =1"):
        assert escape.csv_cell(hostile).startswith("'"), hostile
    assert escape.csv_cell("plain words, =inside is fine") == "plain words, =inside is fine"
    assert escape.csv_cell(NASTY) == EXPECTED


def test_the_digest_csv_neutralises_formulas_and_escapes() -> None:
    posted = datetime(2026, 11, 7, 9, tzinfo=UTC)
    hostile = Mention(id=1, brand_id="acme", source_id="s", platform="=cmd", external_id="1",
                      url="-2+3+cmd|' /C calc'!A0", author_handle="@SUM(1+1)*cmd|' /C calc'!A0",
                      text="=HYPERLINK(\"http://attacker.test\",\"Click\") " + NASTY, posted_at=posted,
                      ingested_at=posted, sentiment="negative", p_negative=0.9,
                      signals={"category": {"value": "+billing"}})
    digest = BrandDigest(brand=BrandSettings(id="acme", name="Acme"), day=date(2026, 11, 7), hourly=[], total=1,
                         negative=1, week_daily_mean=0, week_negative_share=0, categories=[], top_negative=[],
                         churn_threats=[], repeat_complainers=[], incidents=[], coverage=[], negatives=[hostile])
    header, row = list(csv.reader(io.StringIO(negatives_csv(digest))))
    cells = dict(zip(header, row, strict=True))
    for column in ("platform", "author", "category", "url", "text"):
        assert cells[column].startswith("'"), (column, cells[column])
    assert_clean(cells["text"])


def hostile_incident(database: str) -> None:
    now = datetime(2026, 11, 7, 9, tzinfo=UTC)
    settings = make_settings(database={"url": database})
    with Session(Runtime(settings).engine) as session:
        mention = Mention(brand_id="acme", source_id="s", platform="x", external_id="1", url="https://x.com/1",
                          author_handle="[red]mallory[/red]\x1b]0;pwned\x07", text=NASTY, posted_at=now,
                          ingested_at=now)
        session.add(mention)
        session.flush()
        incident = Incident(brand_id="acme", key="k", trigger="high_reach", title="[bold red]FAKE[/] " + NASTY,
                            reason=NASTY, opened_at=now, updated_at=now, last_activity_at=now,
                            example_mention_ids=[mention.id])
        session.add(incident)
        session.flush()
        alert = Alert(incident_id=incident.id or 0, event="opened", severity=2, created_at=now)
        session.add(alert)
        session.flush()
        session.add(OutboxItem(alert_id=alert.id or 0, channel_id="hook", idempotency_key="gs-1-hook",
                               next_attempt_at=now, last_error="HTTP 500: " + NASTY))
        session.commit()


def test_incident_commands_print_no_terminal_escapes(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'g.db'}"
    hostile_incident(database)
    config = tmp_path / "s.toml"
    config.write_text(f'[database]\nurl = "{database}"\n[[brands]]\nid = "acme"\nname = "Acme"\n')
    runner = CliRunner()
    for args in (["incidents", "show", "1"], ["incidents", "list"]):
        result = runner.invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 0, result.output
        assert_clean(result.output)
        assert "RED" in result.output
    shown = runner.invoke(cli, ["--config", str(config), "incidents", "show", "1"]).output
    assert "[bold red]FAKE[/]" in shown and "[red]mallory[/red]" in shown  # shown as typed, not as markup


def test_console_channel_prints_no_terminal_escapes() -> None:
    stream = io.StringIO()
    message = sample_message(title=NASTY, reason=NASTY, brand_name="Acme\x1b[8m")
    message = dataclasses.replace(message, examples=tuple(dataclasses.replace(e, text=NASTY, author="m\u202eallory")
                                                          for e in message.examples))
    ConsoleNotifier("console", ConsoleOptions(), stream=stream).send(message, idempotency_key="k")
    assert_clean(stream.getvalue())
    assert "RED title click" in stream.getvalue()


def test_slack_text_and_email_subject_drop_escapes() -> None:
    view = alert_view(sample_message(title=NASTY))
    assert_clean(subject_line(view, "[Groundswell]"))
    assert_clean(escape.slack_text(NASTY))
