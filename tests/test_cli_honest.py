"""Issue 15: every command honest, every failure one clear line with the documented exit code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli.main import hoist_config
from monitor.errors import ConfigError
from monitor.settings import load_settings
from tests.fakes.cli_runner import ROOT, ROWS, config, groundswell, one_line_failure

BRAND = '[[brands]]\nid = "acme"\nname = "Acme"\n'


@pytest.mark.parametrize(("url", "code", "words"), [
    ("postgresql://postgres@127.0.0.1:1/test", 1, "database unreachable"),
    ("postgres://postgres@127.0.0.1:5432/no_such_database_gs", 2, 'database "no_such_database_gs" does not exist'),
    ("nosuchdialect://x@y/z", 2, "database.url: unsupported database"),
])
def test_database_failures_are_one_line(tmp_path: Path, postgres_url: str, url: str, code: int, words: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(BRAND + f'[database]\nurl = "{url}"\n')
    assert words in one_line_failure(groundswell("--config", str(path), "run", cwd=tmp_path), code)
    checked = groundswell("--config", str(path), "check", cwd=tmp_path)
    assert checked.returncode == code and "Traceback" not in checked.stdout + checked.stderr
    output = (checked.stdout + checked.stderr).splitlines()
    # a URL that can never work is refused when the settings load; one that fails to connect is check's finding
    [line] = [line for line in output if line.startswith(("fail database:", "configuration error database.url"))]
    assert words in line


def test_postgres_scheme_is_accepted(tmp_path: Path, postgres_url: str, pg_schema: str) -> None:
    """In a schema of its own: migrating the shared database's public schema would stamp it with whatever
    revision this checkout has, and break every other checkout that does not know that revision."""
    url = f"postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{pg_schema}"
    path = tmp_path / "s.toml"
    path.write_text(BRAND + f'[database]\nurl = "{url}"\n')
    assert load_settings(path).database_url() == url.replace("postgres://", "postgresql+psycopg://", 1)
    assert groundswell("db", "upgrade", "--config", str(path), cwd=tmp_path).returncode == 0


def test_missing_or_empty_configuration_says_how_to_start(tmp_path: Path) -> None:
    done = groundswell("check", cwd=tmp_path, env={"GROUNDSWELL_CONFIG": ""})
    line = one_line_failure(done, 2)
    assert str(tmp_path / "settings.toml") in line and "groundswell init" in line
    assert not (tmp_path / "data").exists()
    (tmp_path / "settings.toml").write_text("[app]\nlog_level = \"info\"\n")
    assert "no company: add a [[brands]] table" in one_line_failure(groundswell("check", cwd=tmp_path), 2)


def test_relative_paths_are_relative_to_the_settings_file(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "mentions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (folder / "s.toml").write_text(BRAND + '[app]\ndata_dir = "state"\n[model]\nsentiment = "lexicon"\n'
                                   '[[sources]]\nid = "file"\nkind = "replay"\nbrand = "acme"\n'
                                   'path = "mentions.jsonl"\n')
    settings = load_settings(folder / "s.toml")
    assert settings.app.data_dir == folder / "state"
    done = groundswell("poll", "file", "--config", "conf/s.toml", cwd=tmp_path)
    assert done.returncode == 0 and "fetched 3, new 3" in done.stdout, done.stderr
    assert (folder / "state" / "groundswell.db").exists()
    (folder / "mentions.jsonl").unlink()
    failed = groundswell("poll", "file", "--config", "conf/s.toml", cwd=tmp_path)
    assert failed.returncode == 1 and str(folder / "mentions.jsonl") in failed.stderr


def test_a_failed_manual_poll_pages_nobody(tmp_path: Path) -> None:
    path = config(tmp_path, ROWS)
    path.write_text(path.read_text().replace(str(tmp_path / "mentions.jsonl"), str(tmp_path / "missing.jsonl")))
    done = groundswell("--config", str(path), "poll", "file", cwd=tmp_path)
    assert done.returncode == 1 and "nobody was alerted" in done.stderr
    assert "polling file once" in done.stderr  # without --once it still polls once, and says so
    database = sqlite3.connect(tmp_path / "data" / "groundswell.db")
    assert database.execute("select count(*) from incidents").fetchone()[0] == 0
    assert database.execute("select count(*) from outbox").fetchone()[0] == 0
    assert database.execute("select consecutive_failures from sources").fetchone()[0] == 0


def test_config_option_works_after_the_command() -> None:
    assert hoist_config(["incidents", "ack", "3", "--config", "x.toml"]) == ["--config", "x.toml", "incidents",
                                                                              "ack", "3"]
    assert hoist_config(["run", "--config=x.toml"]) == ["--config=x.toml", "run"]
    assert hoist_config(["score", "--", "--config", "f"]) == ["score", "--", "--config", "f"]


def test_error_keys_name_the_entry_id_and_the_secret_hint_fits_the_key(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GS_TEST_UNSET", raising=False)
    path = tmp_path / "s.toml"
    path.write_text(BRAND + '[[sources]]\nid = "x-acme"\nkind = "x"\nbrand = "acme"\n'
                    'bearer_token = { env = "GS_TEST_UNSET" }\n')
    with pytest.raises(ConfigError) as required:
        load_settings(path)
    assert required.value.key == "sources[0] (x-acme).bearer_token"
    assert "GS_TEST_UNSET is not set (export it)" in str(required.value)
    path.write_text(BRAND + '[[channels]]\nid = "hook"\nkind = "webhook"\nurl = "http://127.0.0.1:9/x"\n'
                    'secret = { env = "GS_TEST_UNSET" }\n')
    with pytest.raises(ConfigError) as optional:
        load_settings(path)
    assert optional.value.key == "channels[0] (hook).secret" and "or remove this key" in str(optional.value)


def test_init_writes_a_settings_file_that_loads(tmp_path: Path) -> None:
    done = groundswell("init", "--yes", "--name", "Acme Broadband", "--handles", "@acme", "--timezone",
                       "Europe/Paris", "--email", "noc@acme.test", "--out", "conf/settings.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    settings = load_settings(tmp_path / "conf" / "settings.toml")
    assert settings.brands[0].id == "acme-broadband" and settings.brands[0].timezone == "Europe/Paris"
    assert {c.kind for c in settings.channels} == {"console", "email"}
    assert settings.app.data_dir == tmp_path / "conf" / "data"
    again = groundswell("init", "--yes", "--out", "conf/settings.toml", cwd=tmp_path)
    assert "exists; pass --force" in one_line_failure(again, 2)
    asked = subprocess.run([sys.executable, "-m", "monitor", "init", "--out", "p.toml"], cwd=tmp_path,
                           input="Bo Co\n\n\nEurope/London\n\n\n", capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert asked.returncode == 0 and load_settings(tmp_path / "p.toml").brands[0].name == "Bo Co"


def test_help_does_not_import_the_heavy_parts() -> None:
    """`--help` costs what click and rich cost (about 0.1 CPU-s): no database, settings or pydantic imports."""
    heavy = ('sqlmodel', 'sqlalchemy', 'monitor.runtime', 'monitor.settings', 'pydantic', 'pydantic_settings',
             'rich.progress', 'rich.table')
    probe = ("import sys\nfrom monitor.cli.main import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Usage:" in out.stdout and out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def test_check_imports_only_what_it_checks(tmp_path: Path) -> None:
    """`check` opens the database, the model, sources and channels: not the pipeline, detection or digest code
    (`sources` reads with those), which cost it a second of imports."""
    path = tmp_path / "s.toml"
    path.write_text(BRAND + f'[app]\ndata_dir = "{tmp_path}"\n[model]\nsentiment = "lexicon"\n[service]\n'
                    'metrics_address = "127.0.0.1:0"\n[[channels]]\nid = "ops"\nkind = "console"\n')
    unused = ('monitor.pipeline', 'monitor.detection', 'monitor.storage.digest_queries', 'alerts.outbox', 'numpy')
    probe = ("import sys\nfrom monitor.cli.main import cli\ntry:\n"
             f"    cli(['--config', {str(path)!r}, 'check'])\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
             f"print(sorted(m for m in {unused!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "ok   channel ops (console)" in out.stdout and "exit 0" in out.stdout, out.stdout + out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout


def test_sources_lists_the_kinds_without_importing_the_plugins() -> None:
    """`groundswell sources` says which kinds work from their metadata: importing atproto alone cost 1.6 CPU-s."""
    probe = ("import sys\nfrom monitor import registry\nstatus = registry.load_status(registry.CONNECTORS)\n"
             "print(sorted(set(status.values())))\n"
             "print(sorted(m for m in ('atproto', 'mastodon', 'praw', 'tweepy', 'feedparser', 'connectors.x') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.stdout.splitlines() == ["['available']", "[]"], out.stdout + out.stderr


@pytest.mark.slow  # plays six days of mentions through real HTTP and SMTP stand-ins (about 25 s)
def test_try_plays_an_outage_to_slack_and_email_stand_ins_on_fixed_ports(tmp_path: Path) -> None:
    import random
    import socket

    while True:  # fixed ports relative to a base; pick a base whose ports are free on this machine
        base = random.randrange(20_000, 60_000, 100)
        try:
            for offset in (1, 2, 3, 25):
                socket.create_server(("127.0.0.1", base + offset)).close()
            break
        except OSError:
            continue
    done = groundswell("try", "--no-wait", "--pace", "0", "--model", "lexicon", "--port-base", str(base),
                       cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr
    assert f"Slack :{base + 3}, SMTP :{base + 25}" in done.stdout
    assert "Slack #alerts (new headline): [MEDIUM] Brightwave Broadband: " in done.stdout
    assert "people complaining" in done.stdout  # the story in one line
    assert "Slack #alerts (headline edited): Escalated: [CRITICAL]" in done.stdout
    assert "Email to comms@brightwave.example: [Groundswell] Escalated: [CRITICAL]" in done.stdout
    path = tmp_path / "groundswell-try" / "settings.toml"
    settings = load_settings(path)  # the file it printed is a real one, secrets by reference
    assert {s.kind for s in settings.sources} == {"x", "reddit"} and f"127.0.0.1:{base + 1}" in path.read_text()
    database = sqlite3.connect(tmp_path / "groundswell-try" / "data" / "groundswell.db")
    platforms = dict(database.execute("select platform, count(*) from mentions group by platform").fetchall())
    assert platforms.get("reddit", 0) > 10 and platforms.get("x", 0) > 400
