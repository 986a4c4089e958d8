"""What a newcomer trips over (round 4): on-call commands in a shell without the channels' secrets, backtest files
with a column under another name, not UTF-8 or tab-separated, internal words in the incident list, a digest date."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli.main import cli
from tests.fakes.settings_files import service_settings_toml

SLACK = '[[channels]]\nid = "slack"\nkind = "slack"\ntoken = { env = "SLACK_BOT_TOKEN" }\nchannel = "C0123ABCD"\n'
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _settings(tmp_path: Path, body: str = SLACK) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body=body))
    return path


def _incidents(tmp_path: Path, *triggers: str) -> None:
    """Open incidents in the settings' database, as detection stores them."""
    from monitor.storage.engine import open_database, transaction
    from monitor.storage.tables import Brand, Incident

    (tmp_path / "data").mkdir(exist_ok=True)
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme", timezone="UTC"))
        for number, trigger in enumerate(triggers):
            session.add(Incident(brand_id="acme", key=f"{trigger}-{number}", trigger=trigger, severity=2 + number % 3,
                                 status="open", opened_at=NOW, updated_at=NOW, last_activity_at=NOW, title=trigger,
                                 reason=f"why {trigger}", facets={trigger: {"since": NOW.isoformat(), "reason": "r"}}))
    engine.dispose()


def _invoke(config: Path, *args: str, monkeypatch: pytest.MonkeyPatch, stdin: str | None = None):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)  # an on-call shell: the service holds the secrets
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=stdin, env={"COLUMNS": "200"})


def test_on_call_commands_need_no_channel_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ack, resolve, snooze, wake and the workspace's users read the database and the channels' routing only."""
    config = _settings(tmp_path)
    _incidents(tmp_path, "spike", "churn_threat")
    for args, words in ((("incidents", "ack", "1", "--by", "dana"), "incident #1 acknowledged by dana"),
                        (("incidents", "snooze", "1", "--for", "2h"), "snoozed"),
                        (("incidents", "wake", "1"), "is awake again"),
                        (("incidents", "resolve", "2", "--by", "dana"), "incident #2 resolved by dana"),
                        (("users", "add", "ana", "--password-stdin"), "user ana (viewer) added")):
        done = _invoke(config, *args, monkeypatch=monkeypatch, stdin="a long enough password\n")
        assert done.exit_code == 0, (args, done.output)
        assert words in done.output and "SLACK_BOT_TOKEN" not in done.output, done.output
