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
                                 reason="why it opened", facets={trigger: {"since": NOW.isoformat(), "reason": "r"}}))
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


def _backtest(tmp_path: Path, name: str, data: bytes) -> tuple[int, str]:
    from monitor.cli.backtest_cmd import backtest

    path = tmp_path / name
    path.write_bytes(data)
    done = CliRunner().invoke(backtest, [str(path), "--out", str(tmp_path / "out.jsonl"), "--model", "lexicon"])
    assert "Traceback" not in done.output and not isinstance(done.exception, (UnicodeError, KeyError, TypeError))
    return done.exit_code, done.output


ROWS = "".join(f"{n},Acme outage {n} terrible,2026-11-01T10:{n:02d}:00Z,@c{n}\n" for n in range(5))


@pytest.mark.parametrize(("name", "data", "words"), [
    ("latin1.csv", "id,text,posted_at\n1,café Acme down,2026-11-01T10:00:00Z\n".encode("latin-1"),
     "latin1.csv line 2 is not UTF-8 text (byte 0xe9): save it as UTF-8"),
    ("excel.csv", "id,text,posted_at\n1,Acme down,2026-11-01T10:00:00Z\n".encode("utf-16"),
     "excel.csv is UTF-16 text, not UTF-8"),
    ("posts.tsv", b"id\ttext\tposted_at\n1\tAcme down\t2026-11-01T10:00:00Z\n", "posts.tsv is tab-separated"),
    ("tabs.csv", b"id\ttext\tposted_at\n1\tAcme down\t2026-11-01T10:00:00Z\n", "tabs.csv is tab-separated"),
    ("export.csv", b"id,body,time\n1,Acme down,2026-11-01T10:00:00Z\n",
     "export.csv has no text or posted_at column (its columns: id, body, time); every row needs id, text and "
     "posted_at: rename body to text; rename time to posted_at"),
])
def test_a_backtest_file_the_replay_cannot_read_as_it_is_says_the_fix(tmp_path: Path, name: str, data: bytes,
                                                                      words: str) -> None:
    code, output = _backtest(tmp_path, name, data)
    assert code == 1 and words in output, output
    assert len(output.strip().splitlines()) == 1, output


def test_a_backtest_column_under_another_name_is_noted_with_the_one_meant(tmp_path: Path) -> None:
    """A column called `author` was dropped without a word: every post from one unknown person, nothing alerted."""
    code, output = _backtest(tmp_path, "export.csv", ("id,text,posted_at,author,sentiment_guess\n" + ROWS).encode())
    assert code == 0, output
    assert "note: columns not read: author (did you mean author_handle?), sentiment_guess" in output
    assert "no author_handle or author_id column: every post counts as one unknown person" in output
    code, output = _backtest(tmp_path, "good.csv", ("id,text,posted_at,author_handle\n" + ROWS).encode())
    assert code == 0 and "note:" not in output, output


def test_score_reads_and_writes_tab_separated_files_and_refuses_what_is_not_utf8(tmp_path: Path) -> None:
    from monitor.cli.score import score

    source = tmp_path / "posts.tsv"
    source.write_text("id\ttext\n1\tAcme is down again, terrible\n", encoding="utf-8")
    done = CliRunner().invoke(score, [str(source), "-o", str(tmp_path / "scored.tsv"), "--model", "lexicon"])
    assert done.exit_code == 0, done.output
    assert f"scored 1 row with lexicon (version 1) -> {tmp_path / 'scored.tsv'}" in done.output, done.output
    header, row = (tmp_path / "scored.tsv").read_text(encoding="utf-8").splitlines()
    assert header.split("\t")[:4] == ["id", "text", "sentiment", "p_negative"]
    assert row.split("\t")[:3] == ["1", "Acme is down again, terrible", "negative"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,text\n1,très mauvais service Acme\n".encode("latin-1"))
    done = CliRunner().invoke(score, [str(latin), "-o", str(tmp_path / "s.csv"), "--model", "lexicon"])
    assert done.exit_code == 1 and "latin.csv line 2 is not UTF-8 text (byte 0xe8)" in done.output, done.output
    tabs = tmp_path / "tabs.csv"
    tabs.write_text("id\ttext\n1\tAcme down\n", encoding="utf-8")
    done = CliRunner().invoke(score, [str(tabs), "-o", str(tmp_path / "t.csv"), "--model", "lexicon"])
    assert done.exit_code == 1 and "tab-separated: name it .tsv" in done.output, done.output


def test_the_incident_list_and_page_speak_a_persons_words_in_the_brands_time(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "churn_threat", "sev 2", "facet spike since 2026-11-02T09:00:00+00:00" or "1 attempt(s)"."""
    config = _settings(tmp_path, '[[channels]]\nid = "console"\nkind = "console"\n')
    config.write_text(config.read_text().replace('name = "Acme"', 'name = "Acme"\ntimezone = "America/New_York"'))
    _incidents(tmp_path, "churn_threat", "repeat_complainer")
    listed = _invoke(config, "incidents", "list", monkeypatch=monkeypatch)
    assert listed.exit_code == 0, listed.output
    for words in ("Churn threat", "Repeat complainer", "medium", "high", "severity", "2026-11-02 04:00 EST"):
        assert words in listed.output, (words, listed.output)
    assert "churn_threat" not in listed.output and "repeat_complainer" not in listed.output
    shown = _invoke(config, "incidents", "show", "1", monkeypatch=monkeypatch)
    assert shown.exit_code == 0, shown.output
    assert "(acme, Churn threat, medium, open)" in shown.output, shown.output
    assert "  Churn threat since 2026-11-02 04:00 EST: r" in shown.output, shown.output
    assert "+00:00" not in shown.output and "facet" not in shown.output and "severity 2" not in shown.output


def test_the_demo_table_names_triggers_and_severities_in_words_in_the_brands_time() -> None:
    from rich.console import Console

    from monitor.cli.main import _incident_table
    from monitor.storage.tables import Incident

    rows = [Incident(id=1, brand_id="b", key="k", trigger="high_reach", severity=4, status="open", opened_at=NOW,
                     updated_at=NOW, last_activity_at=NOW, reason="quoted [bold]post[/bold]")]
    console = Console(width=200, record=True)
    console.print(_incident_table(rows, "Europe/Paris"))
    text = console.export_text()
    assert "Mon 02 Nov 10:00 CET" in text and "High-reach complaint" in text and "critical" in text
    assert "high_reach" not in text and "(UTC)" not in text
    assert "quoted [bold]post[/bold]" in text  # a post quoted in the reason is text, not markup


def test_the_web_workspace_without_users_says_how_to_add_the_first(tmp_path: Path) -> None:
    import subprocess
    import sys
    import threading
    import time

    from monitor.storage.engine import open_database
    from tests.fakes.cli_runner import ROOT
    from tests.fakes.smtp import free_port

    database = tmp_path / "demo.db"
    open_database(f"sqlite:///{database}").dispose()
    process = subprocess.Popen([sys.executable, "-m", "monitor", "web", "--database", str(database), "--address",
                                f"127.0.0.1:{free_port()}"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "250"})
    try:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(process.stdout or []), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("Ctrl-C stops it" in line for line in lines):
            time.sleep(0.1)
        time.sleep(1)  # the line after the address, if there is one
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert any(f"No one can sign in yet: add a user first, e.g. groundswell users --database {database} add "
               "YOUR-NAME --role operator" in line for line in lines), lines


def test_init_asks_for_the_mail_server_next_to_the_email_and_refuses_a_server_as_a_slack_channel(
        tmp_path: Path) -> None:
    """The SMTP question came after the Slack one: answers typed in the order of the form swapped them."""
    answers = ["Acme", "Acme", "@acme", "Europe/London", "ops@acme.example", "smtp.acme.example", "smtp.acme.example",
               "C0123ABCD"]
    done = CliRunner().invoke(cli, ["init", "--out", str(tmp_path / "s.toml")], input="\n".join(answers) + "\n")
    assert done.exit_code == 0, done.output
    assert done.output.index("SMTP server for that email") < done.output.index("Slack channel ID")
    assert "'smtp.acme.example' is not a channel ID" in done.output, done.output
    written = (tmp_path / "s.toml").read_text()
    assert 'host = "smtp.acme.example"' in written and 'channel = "C0123ABCD"' in written


def test_a_day_option_says_the_form_it_wants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _settings(tmp_path, '[[channels]]\nid = "console"\nkind = "console"\n')
    done = _invoke(config, "digest", "--date", "11/07/2026", "--out", str(tmp_path / "d.html"), monkeypatch=monkeypatch)
    assert done.exit_code == 2
    assert "'11/07/2026' is not a day: write it as YYYY-MM-DD, e.g. 2026-11-07" in done.output, done.output
    helped = _invoke(config, "digest", "--help", monkeypatch=monkeypatch)
    assert "--date YYYY-MM-DD" in helped.output and "%Y" not in helped.output


def test_an_acknowledgement_says_when_in_the_brands_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The line and what Slack and email are told ("Acknowledged by dana at ...") were in UTC beside alerts in
    the brand's time ("since Sat 7 Nov 18:30 GMT")."""
    from sqlmodel import Session

    from monitor.storage.engine import open_database
    from monitor.storage.tables import Incident

    config = _settings(tmp_path, '[[channels]]\nid = "console"\nkind = "console"\n')
    config.write_text(config.read_text().replace('name = "Acme"', 'name = "Acme"\ntimezone = "Asia/Tokyo"'))
    _incidents(tmp_path, "spike")
    done = _invoke(config, "incidents", "ack", "1", "--by", "dana", monkeypatch=monkeypatch)
    assert done.exit_code == 0 and " JST" in done.output and " UTC" not in done.output, done.output
    again = _invoke(config, "incidents", "ack", "1", "--by", "sam", monkeypatch=monkeypatch)
    refused = str(again.exception)  # the guard around `main` prints it as one line
    assert again.exit_code == 1 and "already acknowledged by dana at " in refused and refused.count(" JST") == 1
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    with Session(engine) as session:
        told = (session.get(Incident, 1).details or {})["acknowledged"]  # type: ignore[union-attr]
    engine.dispose()
    assert told.startswith("by dana at ") and told.endswith(" JST"), told


def test_channels_list_says_what_reaches_each_in_words_without_its_secret(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    config = _settings(tmp_path, SLACK + 'min_severity = 3\ntriggers = ["churn_threat", "spike"]\n'
                                         'quiet_hours = "22:00-07:00"\n')
    done = _invoke(config, "channels", "list", monkeypatch=monkeypatch)
    assert done.exit_code == 0, done.output
    assert ("slack (slack): first responders; severity high and up; brands all; triggers Churn threat, Spike; "
            "quiet hours 22:00-07:00 (brand time)") in done.output, done.output


def test_source_health_times_are_in_the_brands_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.storage.engine import open_database, transaction
    from monitor.storage.tables import SourceState

    config = _settings(tmp_path, '[[sources]]\nid = "news"\nkind = "rss"\nbrand = "acme"\n'
                                 'feeds = ["https://127.0.0.1:9/f"]\n')
    config.write_text(config.read_text().replace('name = "Acme"', 'name = "Acme"\ntimezone = "Asia/Tokyo"'))
    (tmp_path / "data").mkdir()
    engine = open_database(f"sqlite:///{tmp_path / 'data' / 'groundswell.db'}")
    with transaction(engine) as session:
        session.add(SourceState(id="news", brand_id="acme", kind="rss", status="ok", last_success_at=NOW,
                                next_poll_at=NOW))
    engine.dispose()
    done = _invoke(config, "sources", monkeypatch=monkeypatch)
    assert done.exit_code == 0, done.output
    assert done.output.count("2026-11-02 18:00 JST") == 2 and "09:00 UTC" not in done.output, done.output


def test_column_names_in_a_note_are_printed_as_text(tmp_path: Path) -> None:
    """A file's header is a stranger's words: escape sequences dropped, square brackets not read as markup."""
    header = "id,text,posted_at,author_handle,\x1b[31mred\x1b[0m,[bold]x[/bold]\n"
    code, output = _backtest(tmp_path, "ansi.csv", (header + ROWS.replace("\n", ",a,b\n")).encode())
    assert code == 0, output
    assert "note: columns not read: red, [bold]x[/bold]" in output and "\x1b" not in output, output


def test_a_failed_manual_poll_and_the_incident_help_use_no_internal_words(tmp_path: Path) -> None:
    from tests.fakes.cli_runner import ROWS, config

    path = config(tmp_path, ROWS)
    path.write_text(path.read_text().replace(str(tmp_path / "mentions.jsonl"), str(tmp_path / "missing.jsonl")))
    done = CliRunner().invoke(cli, ["--config", str(path), "poll", "file", "--once"])
    assert done.exit_code == 1, done.output
    assert "nothing was lost: the next poll starts where the last good one ended" in done.output, done.output
    assert "cursor" not in done.output
    helped = CliRunner().invoke(cli, ["incidents", "show", "--help"])
    assert "what it is (spike, story, ...)" in helped.output and "facets" not in helped.output, helped.output


def test_an_empty_user_list_says_how_to_add_the_first(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    done = CliRunner().invoke(cli, ["users", "--database", str(database), "list"])
    assert done.exit_code == 0, done.output
    assert f"No users yet: add one with groundswell users --database {database} add YOUR-NAME --role operator" \
        in done.output, done.output


def test_an_output_path_in_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    from tests.fakes.cli_runner import groundswell, one_line_failure

    (tmp_path / "posts.csv").write_text("id,text\n1,Acme down\n")
    missing = tmp_path / "no-such-folder" / "scored.csv"
    line = one_line_failure(groundswell("score", "posts.csv", "-o", str(missing), "--model", "lexicon",
                                        cwd=tmp_path), 1)
    assert f"cannot use {missing}: the folder {missing.parent} does not exist (create it" in line, line


def test_a_backtest_into_a_missing_folder_stops_before_replaying(tmp_path: Path) -> None:
    from monitor.cli.backtest_cmd import backtest

    (tmp_path / "m.csv").write_text("id,text,posted_at,author_handle\n" + ROWS)
    out = tmp_path / "nowhere" / "t.jsonl"
    done = CliRunner().invoke(backtest, [str(tmp_path / "m.csv"), "--out", str(out), "--model", "lexicon"])
    assert done.exit_code == 2 and f"the folder {out.parent} does not exist" in done.output, done.output
    assert not list(tmp_path.glob("m.csv.scores-*"))  # nothing was scored or replayed first
