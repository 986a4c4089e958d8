"""Configuration that used to pass `check` and then fail `run` with a traceback (issue 13.10).

Each case runs the real command in a subprocess: one line naming the key and the fix, exit code 2
(1 for a database that is unreachable right now), and never a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a dozen real processes, about 60 s

ROOT = Path(__file__).resolve().parents[1]


def groundswell(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "80"})


def settings(tmp_path: Path, *, service: str = "", app: str = "", extra: str = "", brand: str = "acme") -> Path:
    path = tmp_path / "settings.toml"
    app = app or f'data_dir = "{tmp_path / "data"}"'
    path.write_text(f'[app]\n{app}\n[model]\nsentiment = "lexicon"\n'
                    f'[service]\n{service}\n{extra}\n[[brands]]\nid = "{brand}"\nname = "Acme"\n')
    return path


def error_line(done: subprocess.CompletedProcess[str], code: int = 2, prefix: str = "configuration error") -> str:
    """The command failed with ``code`` and one error line (log lines before it are fine), no traceback."""
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith((prefix, "error"))]
    assert len(errors) == 1, done.stderr
    return errors[0]


@pytest.mark.parametrize(("service", "expected"), [
    ('metrics_address = "localhost"', "configuration error service.metrics_address: 'localhost' is not host:port"),
    ('metrics_address = "127.0.0.1:99999"', "configuration error service.metrics_address: '127.0.0.1:99999' is "
                                            "not host:port"),
])
def test_a_metrics_address_without_a_port_fails_check(tmp_path: Path, service: str, expected: str) -> None:
    assert error_line(groundswell(settings(tmp_path, service=service), "check")).startswith(expected)


def test_an_unresolvable_metrics_host_fails_check_and_run_with_one_line(tmp_path: Path) -> None:
    config = settings(tmp_path, service='metrics_address = "no-such-host.invalid:9108"')
    check = groundswell(config, "check")
    assert check.returncode == 1 and "fail service.metrics_address: cannot resolve no-such-host.invalid" in check.stdout
    assert error_line(groundswell(config, "run")).startswith(
        "configuration error service.metrics_address: cannot listen on no-such-host.invalid:9108")


def test_a_metrics_port_in_use_stops_run_with_one_line(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        config = settings(tmp_path, service=f'metrics_address = "127.0.0.1:{port}"')
        assert "warn service.metrics_address" in groundswell(config, "check").stdout
        line = error_line(groundswell(config, "run"))
    assert line == (f"configuration error service.metrics_address: cannot listen on 127.0.0.1:{port}: Address "
                    "already in use (choose a free port on an address of this machine)")


def test_a_mysql_url_is_refused_at_load(tmp_path: Path) -> None:
    config = settings(tmp_path, extra='[database]\nurl = "mysql://root@localhost/gs"')
    assert error_line(groundswell(config, "check")).startswith(
        "configuration error database.url: unsupported database 'mysql': use postgresql://")


def test_an_unresolvable_database_host_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    config = settings(tmp_path, extra='[database]\nurl = "postgresql://gs@no-such-host.invalid/gs"')
    check = groundswell(config, "check")
    assert check.returncode == 2 and "Traceback" not in check.stdout + check.stderr
    assert "fail database: database.url: failed to resolve host 'no-such-host.invalid'" in check.stdout
    assert error_line(groundswell(config, "run"), prefix="database.url").startswith(
        "database.url: failed to resolve host 'no-such-host.invalid'")


def test_a_data_dir_that_is_a_file_is_refused_at_load(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    config = settings(tmp_path, app=f'data_dir = "{tmp_path / "afile"}"')
    assert error_line(groundswell(config, "run")).startswith(
        f"configuration error app.data_dir: {tmp_path / 'afile'} is a file, not a folder")


def test_a_config_path_that_is_a_folder(tmp_path: Path) -> None:
    assert error_line(groundswell(tmp_path, "run")) == (
        f"configuration error --config: {tmp_path} is a folder, not a settings file")


def test_brackets_in_messages_are_printed_not_eaten_as_markup(tmp_path: Path) -> None:
    bad_id = error_line(groundswell(settings(tmp_path, brand="Acne"), "check"))
    assert bad_id.startswith("configuration error brands[0] (Acne).id: use lowercase letters, digits")  # plain words
    config = settings(tmp_path, extra='[[sources]]\nid = "s"\nkind = "replay"\nbrand = "acne"\npath = "x.jsonl"')
    assert error_line(groundswell(config, "check")) == (
        "configuration error sources[0] (s).brand: no brand with id 'acne' in [[brands]] (known: acme)")


def test_a_model_folder_that_does_not_exist_fails_check_not_only_run(tmp_path: Path) -> None:
    """Found by benchmarks/faults.py: `check` said nothing about the model, then `run` refused to start."""
    config = tmp_path / "settings.toml"
    config.write_text(f'[app]\ndata_dir = "{tmp_path / "data"}"\n[model]\nsentiment = "./no-such-model"\n'
                      '[[brands]]\nid = "acme"\nname = "Acme"\n')
    check = groundswell(config, "check")
    fails = [line for line in check.stdout.splitlines() if line.startswith("fail")]
    assert check.returncode == 1 and "Traceback" not in check.stdout + check.stderr
    assert fails == [f"fail model.sentiment: no model folder at {tmp_path / 'no-such-model'} (use \"bundled\", "
                     "\"lexicon\", a Hugging Face model id or a folder with an exported model and its meta.json)"]
    assert error_line(groundswell(config, "run"), code=1).startswith("error: no model folder at")
