"""What a newcomer trips over after `groundswell init` (round 2): editing sources and channels, unreachable servers,
a feed that is a web page, incidents in the wrong state, previews without every secret, hostile server words."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest

from monitor.errors import DeliveryError, SourceUnavailable
from monitor.net_words import unreachable
from tests.fakes.cli_runner import groundswell, one_line_failure
from tests.fakes.feeds import FakeFeeds
from tests.fakes.settings_files import service_settings_toml
from tests.fakes.smtp import free_port

JARGON = ("ConnectError", "gaierror", "Errno", "ConnectionRefusedError", "UnsupportedProtocol", "Traceback")
PAGE = b"<!DOCTYPE html>\n<html><head><title>Acme news</title></head><body><p>Latest</p></body></html>"


def settings(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body=body))
    return path


@pytest.fixture
def feeds() -> FakeFeeds:
    server = FakeFeeds().start()
    yield server  # type: ignore[misc]
    server.stop()


def test_check_says_which_server_cannot_be_reached_in_plain_words(tmp_path: Path, feeds: FakeFeeds) -> None:
    closed = free_port()
    feeds.raw["page"] = PAGE
    settings(tmp_path, f"""
[[sources]]
id = "news"
kind = "rss"
brand = "acme"
feeds = ["http://127.0.0.1:{closed}/feed.xml"]
[[sources]]
id = "homepage"
kind = "rss"
brand = "acme"
feeds = ["{feeds.url}/rss/page"]
[[sources]]
id = "hn"
kind = "hackernews"
brand = "acme"
base_url = "http://127.0.0.1:{closed}"
[[channels]]
id = "mail"
kind = "email"
host = "127.0.0.1"
port = {closed}
from_addr = "alerts@acme.example"
to = ["ops@acme.example"]
[[channels]]
id = "hook"
kind = "webhook"
url = "http://127.0.0.1:{closed}/hook"
[[channels]]
id = "slack"
kind = "slack"
token = {{ env = "SLACK_BOT_TOKEN" }}
channel = "C0123ABCD"
base_url = "http://127.0.0.1:{closed}/api/"
""")
    done = groundswell("check", cwd=tmp_path, timeout=60, env={"SLACK_BOT_TOKEN": "xoxb-test-token"})
    assert done.returncode == 1, done.stderr
    lines = {line.split(":", 1)[0]: line for line in done.stdout.splitlines() if line.startswith("fail")}
    where = f"127.0.0.1:{closed} refused the connection"
    assert lines.keys() == {"fail source news (rss)", "fail source homepage (rss)", "fail source hn (hackernews)",
                            "fail channel mail (email)", "fail channel hook (webhook)", "fail channel slack (slack)"}
    for name in ("news", "hn", "mail", "hook", "slack"):
        line = next(v for k, v in lines.items() if f" {name} (" in k)
        assert where in line, line
    assert f"http://127.0.0.1:{closed}/feed.xml: " in lines["fail source news (rss)"]  # which feed
    assert "is a web page, not a feed" in lines["fail source homepage (rss)"]
    assert not [word for word in JARGON if word in done.stdout + done.stderr], done.stdout + done.stderr
    assert "Failed to send a request to Slack" not in done.stderr  # slack_sdk's own copy of the same failure


@pytest.mark.parametrize(("exc", "words"), [
    (socket.gaierror(-2, "Name or service not known"), "cannot find the server smtp.acme.example: check the spelling"),
    (httpx.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol."), "is not a web address"),
    (ssl.SSLCertVerificationError("certificate verify failed: self-signed certificate"), "does not trust"),
    (ssl.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number"), "465 with \"tls\""),
    (TimeoutError("timed out"), "no answer from smtp.acme.example in time"),
])
def test_network_failures_read_as_what_to_look_at(exc: Exception, words: str) -> None:
    line = unreachable(exc, "smtp.acme.example")
    assert words in line and "Errno" not in line


def test_server_words_in_errors_lose_their_terminal_escapes() -> None:
    said = "bad token \x1b]0;pwned\x07\x1b[2J\u202etxt"
    for error in (SourceUnavailable("x", said), DeliveryError("slack", said)):
        assert str(error) == "bad token ]0;pwned[2Jtxt"


@pytest.mark.parametrize(("table", "words"), [
    ('[[sources]]\nid = "news"\nkind = "rss"\nbrand = "acme"\nfeeds = ["www.acme.example/feed"]',
     "sources[0] (news).feeds: 'www.acme.example/feed' is not a web address: give the whole feed address, "
     "starting with https://"),
    ('[[channels]]\nid = "mail"\nkind = "email"\nhost = "smtp.gmail.com:587"\nfrom_addr = "a@acme.example"\n'
     'to = ["b@acme.example"]', 'channels[0] (mail).host: give the server\'s name alone: host = "smtp.gmail.com" '
                                'and port = 587'),
    ('[[channels]]\nid = "sl"\nkind = "slack"\ntoken = { env = \"SLACK_BOT_TOKEN\" }\n'
     'channel = "https://acme.slack.com/archives/C0123ABCD"',
     'channels[0] (sl).channel: give the channel ID, not a link: channel = "C0123ABCD"'),
])
def test_a_mistyped_address_is_a_configuration_error_naming_the_fix(tmp_path: Path, table: str, words: str) -> None:
    settings(tmp_path, table)
    line = one_line_failure(groundswell("check", cwd=tmp_path, timeout=60, env={"SLACK_BOT_TOKEN": "xoxb-1"}), 2)
    assert words in line


def test_init_asks_again_after_a_typo_and_keeps_the_other_answers(tmp_path: Path) -> None:
    answers = ["Acme Broadband", "Acme", "@acme", "Europe/Londn", "Europe/London", "alerts", "alerts@acme.example",
               "smtp.acme.example:587", "smtp.acme.example", "https://acme.slack.com/archives/C0123ABCD", "C0123ABCD"]
    done = groundswell("init", cwd=tmp_path, input_text="\n".join(answers) + "\n")
    assert done.returncode == 0, done.stderr
    assert "unknown timezone 'Europe/Londn'" in done.stdout
    assert "'alerts' is not an email address" in done.stdout
    assert "is not a channel ID: use C0123ABCD" in done.stdout
    assert "'smtp.acme.example:587' is not a server name" in done.stdout
    written = (tmp_path / "settings.toml").read_text()
    for line in ('timezone = "Europe/London"', 'channel = "C0123ABCD"', 'host = "smtp.acme.example"'):
        assert line in written
    (tmp_path / "x").mkdir()
    flagged = groundswell("init", "--yes", "--name", "Acme", "--timezone", "Mars/Base", cwd=tmp_path / "x")
    assert flagged.returncode == 2 and "invalid value for '--timezone': unknown timezone" in flagged.stderr


def _demo_like(tmp_path: Path) -> Path:
    """One resolved and one open incident, through the real pipeline's tables (no service needed)."""
    from datetime import UTC, datetime

    from monitor.storage.engine import open_database, transaction
    from monitor.storage.tables import Brand, Incident

    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme", timezone="UTC"))
        for status in ("resolved", "open"):
            done = status == "resolved"
            session.add(Incident(brand_id="acme", key=f"spike-{status}", trigger="spike", severity=2, status=status,
                                 opened_at=now, updated_at=now, last_activity_at=now, title="spike",
                                 resolved_at=now if done else None, resolved_by="auto (quiet)" if done else None))
    engine.dispose()
    return settings(tmp_path, '[[channels]]\nid = "console"\nkind = "console"')


def test_incident_commands_refuse_the_wrong_state_and_a_bad_duration(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _demo_like(tmp_path)
    line = one_line_failure(groundswell("incidents", "ack", "1", cwd=tmp_path), 1)
    assert "incident #1 is already resolved by auto (quiet)" in line and "nothing to acknowledge" in line
    done = groundswell("incidents", "ack", "2", cwd=tmp_path)
    assert done.returncode == 0 and "incident #2 acknowledged" in done.stdout
    snooze = groundswell("incidents", "snooze", "2", "--for", "4x", cwd=tmp_path)
    assert snooze.returncode == 2 and "invalid value for '--for': '4x' is not a duration" in snooze.stderr


X_SOURCE = '[[sources]]\nid = "x"\nkind = "x"\nbrand = "acme"\nbearer_token = { env = "X_BEARER_TOKEN" }\n'


def test_a_digest_preview_and_source_health_need_no_source_secret(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (click's runner): a subprocess paid the interpreter, matplotlib and the CLI's imports
    again (~4 s of the fast tier on a loaded machine); the secret is unset here all the same."""
    from click.testing import CliRunner

    from monitor.cli.main import cli

    config = settings(tmp_path, X_SOURCE + '[[channels]]\nid = "console"\nkind = "console"')
    monkeypatch.delenv("X_BEARER_TOKEN", raising=False)  # an on-call shell without the sources' secrets
    preview = CliRunner().invoke(cli, ["--config", str(config), "digest", "--date", "2026-11-01", "--out",
                                       str(tmp_path / "d.html")])
    assert preview.exit_code == 0, preview.output
    assert (tmp_path / "d.html").exists() and preview.exception is None
    health = CliRunner().invoke(cli, ["--config", str(config), "sources"], env={"COLUMNS": "200"})
    assert health.exit_code == 0 and "never polled" in health.output, health.output


def test_a_sources_last_error_is_printed_as_text(tmp_path: Path) -> None:
    """A source's last error quotes the server (an API's error message): rich markup and escapes stay inert."""
    from monitor.storage.engine import open_database, transaction
    from monitor.storage.tables import SourceState

    settings(tmp_path, '[[sources]]\nid = "news"\nkind = "rss"\nbrand = "acme"\nfeeds = ["http://127.0.0.1:9/f"]')
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    with transaction(engine) as session:
        session.add(SourceState(id="news", brand_id="acme", kind="rss", status="failing", consecutive_failures=1,
                                last_error="evil [bold]X[/bold] \x1b]0;pwned\x07\x1b[2J end"))
    engine.dispose()
    done = groundswell("sources", cwd=tmp_path, env={"COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    assert "evil [bold]X[/bold]" in done.stdout and "\x1b" not in done.stdout and "\x07" not in done.stdout


def test_a_failing_channel_is_logged_with_a_readable_time(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from datetime import UTC, datetime

    from alerts import channel_health
    from monitor.storage.engine import open_database, transaction

    engine = open_database(f"sqlite:///{tmp_path / 'gs.db'}")
    now = datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)
    with caplog.at_level("WARNING"), transaction(engine) as session:
        channel_health.record_failure(session, "mail", "smtp: mail.acme.example:587 refused the connection", now, 30)
    engine.dispose()
    line = next(r.getMessage() for r in caplog.records if "is failing" in r.getMessage())
    assert line.endswith("probing it again at 2026-11-02 09:00:30 UTC"), line  # no microseconds, no +00:00


def test_implicit_tls_against_a_plain_mail_server_says_which_port_goes_with_which_setting(tmp_path: Path) -> None:
    """The usual SMTP mix-up: security = "tls" (port 465's) on a server that starts in plain text."""
    from tests.fakes.smtp import FakeSMTP

    smtp = FakeSMTP().start()
    try:
        settings(tmp_path, f'[[channels]]\nid = "mail"\nkind = "email"\nhost = "127.0.0.1"\nport = {smtp.port}\n'
                           'security = "tls"\nfrom_addr = "a@acme.example"\nto = ["b@acme.example"]\n')
        done = groundswell("check", cwd=tmp_path, timeout=60)
    finally:
        smtp.stop()
    assert done.returncode == 1
    line = next(line for line in done.stdout.splitlines() if line.startswith("fail channel mail"))
    assert f'TLS with 127.0.0.1:{smtp.port} failed: does that port speak TLS?' in line, line
    assert not [word for word in JARGON if word in line], line


def test_library_lines_that_repeat_ours_stay_out_of_the_log_at_info() -> None:
    """apprise says "Notifying 1 service(s)." on every send; slack_sdk logs each failed request at ERROR right
    before our channel reports the same failure in plain words.  Both stay out at info, and come back at debug."""
    import logging

    from monitor.logs import configure_logging

    configure_logging("info", "console", defer=True)
    assert not logging.getLogger("apprise").isEnabledFor(logging.INFO)
    assert logging.getLogger("apprise").isEnabledFor(logging.WARNING)  # its reasons for a failed send stay
    assert not logging.getLogger("slack_sdk.web.base_client").isEnabledFor(logging.ERROR)
    configure_logging("debug", "console", defer=True)
    assert logging.getLogger("slack_sdk.web.base_client").isEnabledFor(logging.DEBUG)
