"""What a newcomer trips over (round 3): a workspace before anything is collected, a backtest file whose rows do not
all name a brand, a secret's variable exported empty."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.settings import ConfigError, load_settings
from monitor.storage.engine import open_database, transaction
from monitor.storage.tables import Brand, Mention
from monitor.web.accounts import add_user
from tests.fakes.cli_runner import groundswell, one_line_failure
from tests.fakes.settings_files import service_settings_toml
from tests.fakes.web_client import signed_in
from tests.fakes.web_seed import NOW, PASSWORD, Seeded, seed, web_settings

NOTHING_YET = "Nothing has been collected yet. Start <code>groundswell run</code>"


def _workspace(tmp_path: Path, *, mentions: int = 0) -> Seeded:
    """A workspace on a new database (the state right after `groundswell init`), with ``mentions`` stored."""
    engine = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    with transaction(engine) as session:
        session.add(Brand(id="acme", name="Acme"))
        session.add_all([Mention(brand_id="acme", source_id="news", platform="rss", external_id=f"m{n}",
                                 author_id="a", author_handle="@a", text="Acme router thanks", lang="en",
                                 posted_at=NOW - timedelta(hours=n + 1), ingested_at=NOW, sentiment="positive")
                         for n in range(mentions)])
    add_user(engine, "otto", PASSWORD, "operator", now=NOW)
    return Seeded(engine, web_settings(), 0, 0)


def test_an_empty_workspace_says_nothing_is_collected_yet_and_how_to_start(tmp_path: Path) -> None:
    client = signed_in(_workspace(tmp_path))
    for path in ("/mentions", "/mentions?sentiment=negative&q=outage", "/incidents", "/trends"):
        page = client.get(path).text
        assert NOTHING_YET in page, path
        assert "match." not in page, path  # not "No mentions match.": no filter could have matched anything
    sources = client.get("/sources").text
    assert "No source has been polled yet. Start <code>groundswell run</code>" in sources


def test_a_filter_that_matches_nothing_still_says_so(database_url: str) -> None:
    client = signed_in(seed(database_url))
    for path, words in (("/mentions?q=zebra", "No mentions match."), ("/incidents?owner=nobody",
                                                                       "No incidents match.")):
        page = client.get(path).text
        assert words in page and "Nothing has been collected" not in page, path
    assert "Nothing has been collected" not in client.get("/trends").text


def test_mentions_without_incidents_say_none_has_opened_yet(tmp_path: Path) -> None:
    client = signed_in(_workspace(tmp_path, mentions=3))
    page = client.get("/incidents").text
    assert "No incidents so far: one opens when" in page and "Nothing has been collected" not in page
    assert "No incidents match." in client.get("/incidents?severity=4").text
    assert "No mentions match." in client.get("/mentions?sentiment=negative").text


def _rows(brands: list[str]) -> list[dict[str, str]]:
    return [{"id": str(i), "text": f"Acme outage {i}, terrible", "posted_at": f"2026-11-01T10:{i:02d}:00Z",
             "brand": brand} for i, brand in enumerate(brands)]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "text", "posted_at", "brand"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _backtest(tmp_path: Path, name: str, caplog: pytest.LogCaptureFixture) -> tuple[str, str, set[str]]:
    """`groundswell backtest` in this process (click's runner): a subprocess per case cost ~1.5 s of the fast tier.
    Returns what it printed, what it warned (the "skipped: ..." lines) and the brands the replay stored."""
    from click.testing import CliRunner

    from monitor.cli.main import cli

    with caplog.at_level("WARNING", logger="groundswell.backtest"):
        done = CliRunner().invoke(cli, ["backtest", str(tmp_path / name), "--out", str(tmp_path / "t.jsonl"),
                                        "--model", "lexicon", "--keep-db"])
    assert done.exit_code == 0, done.output
    kept = Path(done.stdout.rsplit("database kept: ", 1)[1].strip())
    try:
        with closing(sqlite3.connect(kept)) as db:
            brands = {str(row[0]) for row in db.execute("select distinct brand_id from mentions")}
    finally:
        shutil.rmtree(kept.parent, ignore_errors=True)
    return done.stdout, "\n".join(r.getMessage() for r in caplog.records), brands


def test_backtest_rows_without_a_brand_are_skipped_with_their_lines_when_the_file_names_several(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    _csv(tmp_path / "m.csv", _rows(["Acme", "Bright", "", "Acme", " ", "Bright"]))
    out, err, brands = _backtest(tmp_path, "m.csv", caplog)
    assert brands == {"acme", "bright"}  # no brand called "unknown"
    assert "4 mentions" in out and "(2 brands)" in out
    assert "skipped: 2 rows of m.csv without a brand (lines 4, 6): the file names 2 brands" in err, err


def test_backtest_rows_without_a_brand_join_the_only_brand_the_file_names(tmp_path: Path,
                                                                        caplog: pytest.LogCaptureFixture) -> None:
    _csv(tmp_path / "one.csv", _rows(["Acme", "", "Acme", "Acme"]))
    out, err, brands = _backtest(tmp_path, "one.csv", caplog)
    assert brands == {"brand"} and "4 mentions" in out and "brands)" not in out  # one brand, every row
    assert "1 row of one.csv without a brand (line 3): replayed as Acme, the file's only brand" in err, err


def test_a_bad_line_in_a_file_of_several_brands_is_skipped_not_fatal(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    """It used to become a brand of its own, "unknown", with no usable row: the whole backtest stopped."""
    lines = [json.dumps(row) for row in _rows(["Acme", "Bright", "Acme", "Bright"])]
    (tmp_path / "m.jsonl").write_text("\n".join([*lines[:2], "{broken", *lines[2:]]) + "\n")
    out, err, brands = _backtest(tmp_path, "m.jsonl", caplog)
    assert brands == {"acme", "bright"} and "4 mentions" in out
    assert "not valid JSON" in err and "no usable rows" not in err


MAIL = ('[[channels]]\nid = "mail"\nkind = "email"\nhost = "127.0.0.1"\nusername = "alerts"\n'
        'password = { env = "SMTP_PASSWORD" }\nfrom_addr = "a@acme.example"\nto = ["b@acme.example"]\n')
SLACK = ('[[channels]]\nid = "slack"\nkind = "slack"\ntoken = { env = "SLACK_BOT_TOKEN" }\n'
         'app_token = { env = "SLACK_APP_TOKEN" }\nchannel = "C0123ABCD"\n')
X = '[[sources]]\nid = "x"\nkind = "x"\nbrand = "acme"\nbearer_token = { env = "X_BEARER_TOKEN" }\n'


@pytest.mark.parametrize(("body", "variable", "key"), [
    (X, "X_BEARER_TOKEN", "sources[0] (x).bearer_token"),
    (SLACK, "SLACK_BOT_TOKEN", "channels[0] (slack).token"),
    (MAIL, "SMTP_PASSWORD", "channels[0] (mail).password"),
], ids=["x", "slack", "smtp"])
def test_check_refuses_a_required_secret_exported_empty(tmp_path: Path, body: str, variable: str, key: str) -> None:
    (tmp_path / "settings.toml").write_text(service_settings_toml(tmp_path / "data", body=body))
    env = {"X_BEARER_TOKEN": "t", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "", "SMTP_PASSWORD": "p",
           variable: ""}
    line = one_line_failure(groundswell("check", cwd=tmp_path, timeout=60, env=env), 2)
    assert f"{key}: environment variable {variable} is set but empty (export it with its value)" in line, line


def test_an_optional_secret_left_empty_is_off_and_an_empty_secret_file_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alerts.slack import SlackOptions

    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body='[web]\nlink_secret = { env = "LINKS" }\n' + SLACK))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "")  # compose's ${SLACK_APP_TOKEN:-}: no buttons, not an error
    monkeypatch.setenv("LINKS", "")
    settings = load_settings(path)
    assert SlackOptions.model_validate(settings.channels[0].options()).app_token is None
    assert settings.web.link_secret is None
    empty = tmp_path / "slack-token"
    empty.write_text("\n")  # a systemd credential written empty
    path.write_text(service_settings_toml(tmp_path / "data", body=SLACK.replace(
        '{ env = "SLACK_BOT_TOKEN" }', f'{{ file = "{empty}" }}')))
    with pytest.raises(ConfigError, match=f"secret file {empty} is empty"):
        load_settings(path)
