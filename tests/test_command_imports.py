"""Issue 17: the everyday read commands answer at once (a cold `incidents list` ~0.45 CPU-s, was ~0.67).

Each command runs in a fresh interpreter, then the probe prints which of the modules it has no use for
were imported: no migration run (alembic), no plugin (connectors, notifiers, their HTTP clients), no
scoring, detection or scheduler code, and structlog only when something is logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from monitor.storage.engine import make_engine, open_database, open_for_reading, schema_heads, stored_revisions, upgrade
from monitor.storage.engine import transaction as write
from monitor.storage.tables import Alert, Brand, Incident, Mention
from tests.fakes.cli_runner import ROOT, groundswell

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
NEVER_FOR_READING = ("alembic", "apscheduler", "numpy", "onnxruntime", "tokenizers", "transformers", "jinja2",
                     "httpx", "structlog", "monitor.runtime", "monitor.pipeline", "monitor.pipeline.scoring",
                     "monitor.detection", "monitor.service", "connectors.replay", "alerts.webhook", "alerts.routing",
                     "models.base")


def settings_file(tmp_path: Path, url: str) -> Path:
    """A replay source and a webhook channel: plugins that a listing must not import."""
    path = tmp_path / "settings.toml"
    path.write_text(f"""[app]
data_dir = "{tmp_path / 'data'}"
[database]
url = "{url}"
[[brands]]
id = "acme"
name = "Acme"
timezone = "Europe/Paris"
[[sources]]
id = "file"
kind = "replay"
brand = "acme"
path = "{tmp_path / 'posts.jsonl'}"
[[channels]]
id = "hook"
kind = "webhook"
url = "http://127.0.0.1:9/hook"
""")
    return path


def filled(url: str) -> int:
    """A migrated database with one incident, one example mention and one alert; the incident's id."""
    engine = open_database(url)
    with write(engine) as session:
        session.add(Brand(id="acme", name="Acme", timezone="Europe/Paris"))
        mention = Mention(brand_id="acme", source_id="file", external_id="1", platform="x", url="https://x.test/1",
                          author_id="u1", author_handle="@ann", text="Acme outage again", posted_at=NOW,
                          ingested_at=NOW)
        session.add(mention)
        session.flush()
        incident = Incident(brand_id="acme", key="spike:t", trigger="spike", severity=3, title="Outage talk",
                            reason="negative mentions spiking", opened_at=NOW, updated_at=NOW, last_activity_at=NOW,
                            example_mention_ids=[mention.id or 0])
        session.add(incident)
        session.flush()
        session.add(Alert(incident_id=incident.id or 0, event="opened", severity=3, created_at=NOW))
        number = incident.id or 0
    engine.dispose()
    return number


def command_and_modules(config: Path, *args: str) -> tuple[str, list[str]]:
    """Run `groundswell --config CONFIG ARGS` in a fresh interpreter; its output, and the unneeded modules it had."""
    probe = ("import sys\nfrom monitor.cli.main import cli\ntry:\n"
             f"    cli({['--config', str(config), *args]!r})\nexcept SystemExit as exc:\n"
             "    assert not exc.code, exc.code\n"
             f"print('IMPORTED', sorted(m for m in {NEVER_FOR_READING!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=config.parent,
                          env={**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0 and "IMPORTED" in done.stdout, done.stdout + done.stderr
    output, _, imported = done.stdout.rpartition("IMPORTED ")
    return output, json.loads(imported.replace("'", '"'))


def test_incidents_list_and_show_import_only_what_they_read(tmp_path: Path, database_url: str) -> None:
    number = filled(database_url)
    config = settings_file(tmp_path, database_url)
    listing, imported = command_and_modules(config, "incidents", "list")
    assert f"│ {number} " in listing and "negative mentions spiking" in listing and "2026-11-20 13:00 CET" in listing
    assert imported == []
    shown, imported = command_and_modules(config, "incidents", "show", str(number))
    assert "#1 Outage talk" in shown and "@ann" in shown and "opened, high (paged)" in shown
    assert imported == []


def test_sources_imports_no_scoring_or_detection(tmp_path: Path, database_url: str) -> None:
    """`sources` builds the configured sources' connectors (their budget lines), so their plugins load; the
    scoring backlog and quiet checks come without scoring, detection, numpy or a migration run."""
    filled(database_url)
    config = settings_file(tmp_path, database_url)
    table, imported = command_and_modules(config, "sources")
    assert "never polled" in table and "│ rss        │ available │" in table
    assert set(imported) <= {"connectors.replay", "alerts.webhook", "httpx", "models.base", "monitor.runtime",
                             "monitor.pipeline"}, imported
    assert "connectors.replay" in imported  # the probe sees what the command imports


def test_read_open_migrates_a_database_that_is_new_or_behind(tmp_path: Path, database_url: str) -> None:
    """At the newest revision nothing runs (the import tests: no alembic); new or older: migrated as a start does."""
    upgrade(database_url, "0012_mention_local_id")
    before = make_engine(database_url)
    assert stored_revisions(before) == {"0012_mention_local_id"} != schema_heads()
    before.dispose()
    behind = open_for_reading(database_url)
    assert stored_revisions(behind) == schema_heads()
    behind.dispose()
    new = open_for_reading(f"sqlite:///{tmp_path / 'new' / 'fresh.db'}")
    assert stored_revisions(new) == schema_heads()


def test_schema_heads_match_alembic() -> None:
    """The version files read without alembic name the head alembic itself computes."""
    from alembic.script import ScriptDirectory

    from monitor.storage.engine import alembic_config

    assert schema_heads() == set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_deferred_logging_imports_structlog_at_the_first_record_and_still_redacts() -> None:
    probe = ("import logging, sys\nfrom monitor.logs import configure_logging\n"
             "configure_logging('info', 'json', defer=True)\nlogging.getLogger('quiet').debug('not shown')\n"
             "print('structlog' in sys.modules)\n"
             "logging.getLogger('httpx.lib').warning('GET https://bot:hunter2@hooks.example/x')\n"
             "print('structlog' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.stdout.split() == ["False", "True"], done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    record = json.loads(line)
    assert record["event"] == "GET https://bot:***@hooks.example/x" and record["level"] == "warning"


def test_reading_needs_no_plugin_secrets_but_check_still_names_them(tmp_path: Path) -> None:
    """An on-call shell without the service's secrets can list incidents; `check` still names the missing one."""
    url = f"sqlite:///{tmp_path / 'gs.db'}"
    filled(url)
    config = settings_file(tmp_path, url)
    config.write_text(config.read_text() + '[[sources]]\nid = "x-acme"\nkind = "x"\nbrand = "acme"\n'
                      'bearer_token = { env = "GS_TEST_UNSET_TOKEN" }\n')
    assert "GS_TEST_UNSET_TOKEN" not in os.environ
    listed = groundswell("--config", str(config), "incidents", "list", cwd=tmp_path)
    assert listed.returncode == 0 and "negative mentions spiking" in listed.stdout, listed.stderr
    checked = groundswell("--config", str(config), "check", cwd=tmp_path)
    assert checked.returncode == 2 and "sources[1] (x-acme).bearer_token" in checked.stderr, checked.stderr
