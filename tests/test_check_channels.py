"""`groundswell check` verifies channels without sending; channels that would drop alerts are refused
(issue 15, items 2 and 3)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.errors import ConfigError
from monitor.settings import load_settings
from tests.fakes.cli_runner import groundswell
from tests.fakes.service_files import write_config
from tests.fakes.slack_api import FakeSlack
from tests.fakes.smtp import FakeSMTP, free_port


@pytest.fixture()
def smtp() -> Iterator[FakeSMTP]:
    server = FakeSMTP(auth=("alerts", "pw")).start()
    yield server
    server.stop()


def email(port: int, extra: str = "") -> str:
    return (f'[[channels]]\nid = "mail"\nkind = "email"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            f'username = "alerts"\npassword = {{ env = "GS_TEST_SMTP_PW" }}\nfrom_addr = "gs@acme.test"\n{extra}')


def channels(smtp_port: int, slack_url: str, hook_url: str) -> str:
    return (email(smtp_port, 'to = ["noc@acme.test"]\n')
            + f'[[channels]]\nid = "slack"\nkind = "slack"\ntoken = {{ env = "GS_TEST_SLACK" }}\n'
              f'channel = "C0ALERTS1"\nbase_url = "{slack_url}"\n'
            + f'[[channels]]\nid = "hook"\nkind = "webhook"\nurl = "{hook_url}"\n')


ENV = {"GS_TEST_SMTP_PW": "pw", "GS_TEST_SLACK": "xoxb-test-token"}


def test_check_verifies_every_channel_without_sending(tmp_path: Path, smtp: FakeSMTP, slack: FakeSlack,
                                                      httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook", method="HEAD").respond_with_data("")
    path = write_config(tmp_path, extra_sources=channels(smtp.port, slack.api_url, httpserver.url_for("/hook")))
    done = groundswell("check", "--config", str(path), cwd=tmp_path, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ok   channel mail (email): 127.0.0.1:{smtp.port} accepted EHLO, login" in done.stdout
    assert "ok   channel slack (slack): token valid" in done.stdout
    assert "ok   channel hook (webhook)" in done.stdout and "nothing was posted" in done.stdout
    assert "1 brand, 1 source, 3 channels" in done.stdout
    assert smtp.received == [] and slack.calls_to("chat.postMessage") == []
    assert [call.method for call in slack.calls] == ["auth.test"]


def test_check_names_each_failing_channel_and_exits_1(tmp_path: Path, slack: FakeSlack) -> None:
    closed = free_port()
    path = write_config(tmp_path, extra_sources=channels(closed, "http://127.0.0.1:1/api/", f"http://127.0.0.1:{closed}/h"))
    done = groundswell("check", "--config", str(path), cwd=tmp_path, env=ENV)
    assert done.returncode == 1
    for channel in ("mail (email)", "slack (slack)", "hook (webhook)"):
        assert f"fail channel {channel}" in done.stdout, done.stdout
    env = {**ENV, "GS_TEST_SLACK": "xoxb-wrong"}
    path = write_config(tmp_path, extra_sources=channels(closed, slack.api_url, f"http://127.0.0.1:{closed}/h"))
    assert "invalid_auth" in groundswell("check", "--config", str(path), cwd=tmp_path, env=env).stdout


def test_email_channel_that_would_drop_low_severities_is_a_configuration_error(tmp_path: Path, smtp: FakeSMTP,
                                                                                monkeypatch: pytest.MonkeyPatch,
                                                                                ) -> None:
    monkeypatch.setenv("GS_TEST_SMTP_PW", "pw")
    path = write_config(tmp_path, extra_sources=email(smtp.port, 'to_by_severity = { "3" = ["boss@acme.test"] }\n'))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.key == "channels[0] (mail).to_by_severity"
    assert "alerts of severity 1, 2 would reach nobody" in caught.value.message
    assert "min_severity = 3" in caught.value.message
    path.write_text(path.read_text().replace('kind = "email"', 'kind = "email"\nmin_severity = 3'))
    done = groundswell("channels", "test", "mail", "--config", str(path), cwd=tmp_path, env=ENV)
    assert done.returncode == 0 and "sent to mail" in done.stdout, done.stderr
    assert len(smtp.received) == 1 and smtp.received[0].rcpt_tos == ["boss@acme.test"]


def test_a_test_message_points_at_no_incident(tmp_path: Path, smtp: FakeSMTP, slack: FakeSlack,
                                              httpserver: HTTPServer) -> None:
    """`channels test` belongs to no incident: it used to end with "groundswell incidents show 0", which fails."""
    path = write_config(tmp_path, extra_sources=channels(smtp.port, slack.api_url, httpserver.url_for("/hook")))
    for channel in ("mail", "slack"):
        done = groundswell("channels", "test", channel, "--config", str(path), cwd=tmp_path, env=ENV)
        assert done.returncode == 0 and f"sent to {channel}" in done.stdout, done.stdout + done.stderr
    assert len(smtp.received) == 1
    parts = smtp.received[0].message.walk()
    bodies = [part.get_content() for part in parts if part.get_content_type().startswith("text/")]
    assert len(bodies) == 2 and all("Groundswell" in body for body in bodies), bodies
    assert not any("incidents show" in body or "incidents ack" in body for body in bodies)
    posts = [str(call.body) for call in slack.calls_to("chat.postMessage")]
    assert len(posts) == 1 and "incidents show" not in posts[0] and "Incident #0" not in posts[0]
