"""Secrets stay secret: not in any log record at DEBUG level, not in command output, not readable by others."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from alerts.slack_webhook import SlackWebhookNotifier, SlackWebhookOptions
from connectors import bluesky
from connectors.base import BrandTerms, ConnectorContext
from connectors.bluesky import BlueskyConnector, BlueskyOptions
from connectors.x import XConnector, XOptions
from monitor.cli.main import cli
from monitor.clock import ManualClock
from tests.fakes.alert_messages import sample_message
from tests.fakes.bluesky_api import FakeBluesky
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import free_port
from tests.fakes.x_api import FakeX

HOOK_SECRET = "T0000/B0000/XXXXsecretXXXXtoken"
BRAND = BrandTerms(id="acme", name="Acme", names=("Acme",))


def every_message(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def test_slack_webhook_url_never_reaches_a_debug_log(caplog: pytest.LogCaptureFixture,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeSlack().start()
    monkeypatch.setenv("GS_TEST_HOOK", f"{fake.base}/hooks/{HOOK_SECRET}")
    caplog.set_level(logging.DEBUG)
    try:
        notifier = SlackWebhookNotifier("hook", SlackWebhookOptions.model_validate({"url": {"env": "GS_TEST_HOOK"}}))
        notifier.send(sample_message(), idempotency_key="k1")
    finally:
        fake.stop()
    assert fake.calls_to("webhook"), "the message was not sent"
    logged = every_message(caplog)
    assert "Sending a request - url:" in logged  # slack_sdk did log the request at debug level...
    assert "XXXXsecretXXXX" not in logged and "hooks/***" in logged  # ...with the secret part cut out


def test_hooks_slack_com_urls_are_redacted_in_any_slack_sdk_webhook_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("slack_sdk.webhook.client").debug("Sending a request - url: %s, body: {}",
                                                         "https://hooks.slack.com/services/T1/B2/abcDEF123")
    assert "abcDEF123" not in every_message(caplog) and "https://hooks.slack.com/services/***" in every_message(caplog)


def test_channels_test_never_prints_the_webhook_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "s.toml"
    config.write_text(f'[app]\ndata_dir = "{tmp_path}"\n[[brands]]\nid = "acme"\nname = "Acme"\n'
                      '[[channels]]\nid = "hook"\nkind = "slack_webhook"\nurl = { env = "GS_TEST_HOOK" }\n')
    for url in (f"hooks.slack.com/services/{HOOK_SECRET}",  # pasted without its scheme
                f"http://127.0.0.1:{free_port()}/services/{HOOK_SECRET}"):  # nothing listening
        monkeypatch.setenv("GS_TEST_HOOK", url)
        result = CliRunner().invoke(cli, ["--config", str(config), "channels", "test", "hook"])
        output = result.output + str(result.exception or "")
        assert result.exit_code != 0 and "XXXXsecretXXXX" not in output, output
        assert "Traceback" not in output


def test_the_x_bearer_token_is_redacted_without_eating_the_quote(caplog: pytest.LogCaptureFixture) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    api = FakeX(token="AAAA%2Fsecret%3Dbearer", clock=clock).start()
    caplog.set_level(logging.DEBUG)
    try:
        api.add_tweet("Acme is down")
        options = XOptions(bearer_token=SecretStr(api.token), base_url=api.url, timeout_seconds=2)
        assert XConnector(options, ConnectorContext("x", BRAND, clock)).fetch(None, limit=20).mentions
    finally:
        api.stop()
    logged = every_message(caplog)
    assert "secret" not in logged
    assert "'Authorization': 'Bearer ***'" in logged  # the header dict still reads as one


def test_bluesky_session_folder_and_file_are_private(tmp_path: Path) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    api = FakeBluesky(clock=clock).start()
    folder = tmp_path / "sessions"
    options = BlueskyOptions(handle=api.handle, app_password=SecretStr(api.password), base_url=api.url,
                             session_dir=folder, queries=["Acme"], timeout_seconds=2)
    api.access_lifetime = timedelta(minutes=5)  # atproto refreshes it on use, which writes the file again
    try:
        api.add_post("Acme one")
        BlueskyConnector(options, ConnectorContext("b", BRAND, clock)).fetch(None, limit=10)
        (saved,) = folder.iterdir()
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(saved.stat().st_mode) == 0o600
        folder.chmod(0o755)  # restored from a backup, or made by hand
        saved.chmod(0o644)
        bluesky._SESSIONS.clear()  # a new process: the session comes from the file and is refreshed
        BlueskyConnector(options, ConnectorContext("b", BRAND, clock)).fetch(None, limit=10)
    finally:
        api.stop()
        bluesky._SESSIONS.clear()
    assert api.logins == 1 and api.refreshes >= 2  # the old file was written to, not replaced by a new login
    (saved,) = folder.iterdir()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600, oct(saved.stat().st_mode)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700, oct(folder.stat().st_mode)


def test_an_existing_0644_session_file_is_made_private_when_tokens_are_written(tmp_path: Path) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    api = FakeBluesky(clock=clock).start()
    folder = tmp_path / "private"
    folder.mkdir(mode=0o700)
    options = BlueskyOptions(handle=api.handle, app_password=SecretStr(api.password), base_url=api.url,
                             session_dir=folder, queries=["Acme"], timeout_seconds=2)
    api.access_lifetime = timedelta(minutes=5)
    try:
        BlueskyConnector(options, ConnectorContext("b", BRAND, clock)).fetch(None, limit=10)
        (saved,) = folder.iterdir()
        saved.chmod(0o644)
        bluesky._SESSIONS.clear()
        BlueskyConnector(options, ConnectorContext("b", BRAND, clock)).fetch(None, limit=10)
    finally:
        api.stop()
        bluesky._SESSIONS.clear()
    assert api.logins == 1 and api.refreshes >= 2
    (saved,) = folder.iterdir()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600, oct(saved.stat().st_mode)
