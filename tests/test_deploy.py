"""The deployment recipes: the systemd unit verifies and is hardened, the production settings
load with secrets from a credentials directory, and compose wires PostgreSQL and secrets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitor.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def unit_lines() -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for line in (DEPLOY / "groundswell.service").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            keys.setdefault(key, []).append(value)
    return keys


def test_unit_is_hardened_and_gets_secrets_only_through_credentials() -> None:
    keys = unit_lines()
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "DynamicUser": "yes",
                       "PrivateTmp": "yes", "CapabilityBoundingSet": "", "ExecReload": "/bin/kill -HUP $MAINPID"
                       }.items():
        assert keys[key] == [value], key
    assert {c.split(":")[0] for c in keys["LoadCredential"]} == {"slack-token", "x-bearer-token", "pgpass",
                                                                 "slack-app-token", "link-secret"}
    # the optional ones fall back to an empty credential instead of failing the start
    assert keys["SetCredential"] == ["slack-app-token:\\n", "link-secret:\\n"]
    environment = " ".join(keys["Environment"])
    assert "TOKEN" not in environment and "PASSWORD" not in environment


def test_unit_passes_systemd_analyze(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # not a skip: the unit is still checked by the test above
        return
    unit = tmp_path / "groundswell.service"
    executable = Path(sys.executable).with_name("groundswell")
    unit.write_text((DEPLOY / "groundswell.service").read_text().replace(
        "/opt/groundswell/.venv/bin/groundswell", str(executable)))
    verify = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr
    security = subprocess.run([analyze, "security", "--offline=yes", str(unit)], capture_output=True, text=True)
    exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert exposure is not None and float(exposure[1]) <= 2.0, security.stdout[-400:]


def credentials(folder: Path, app_token: str = "", link_secret: str = "") -> None:
    """What LoadCredential= (or compose's secrets) put in the credentials directory; optional ones empty."""
    (folder / "slack-token").write_text("xoxb-from-credential\n")
    (folder / "x-bearer-token").write_text("bearer-from-credential")
    (folder / "slack-app-token").write_text(app_token)
    (folder / "link-secret").write_text(link_secret)


def test_production_settings_read_secrets_from_the_credentials_directory(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    credentials(tmp_path)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    settings = load_settings(DEPLOY / "settings.toml")
    assert settings.web.link_secret is None  # empty optional credentials are unset
    assert settings.channels[0].options()["token"] == {"file": "${CREDENTIALS_DIRECTORY}/slack-token"}
    from monitor.runtime import build_notifiers

    notifier = build_notifiers(settings)["slack-ops"]
    assert notifier.options.token.get_secret_value() == "xoxb-from-credential"  # type: ignore[attr-defined]
    assert "xoxb" not in repr(notifier.options)
    assert notifier.options.app_token is None  # type: ignore[attr-defined]


def test_optional_credentials_reach_the_settings_when_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials(tmp_path, app_token="xapp-1-from-credential\n", link_secret="0123456789abcdef" * 4)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    settings = load_settings(DEPLOY / "settings.toml")
    secret = settings.web.link_secret
    assert secret is not None and secret.get_secret_value() == "0123456789abcdef" * 4
    from monitor.runtime import build_notifiers

    options = build_notifiers(settings)["slack-ops"].options
    assert options.app_token.get_secret_value() == "xapp-1-from-credential"  # type: ignore[attr-defined]


def test_compose_runs_postgres_and_passes_secrets_as_files() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    db, app = compose["services"]["db"], compose["services"]["groundswell"]
    assert db["image"].endswith("postgres:16") and db["environment"]["POSTGRES_PASSWORD_FILE"]
    assert app["build"]["dockerfile"] == "deploy/Containerfile" and (DEPLOY / "Containerfile").exists()
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["CREDENTIALS_DIRECTORY"] == "/run/secrets"
    assert set(app["secrets"]) == set(compose["secrets"]) and app["ports"] == ["127.0.0.1:9108:9108"]
    assert {"slack-app-token", "link-secret"} <= set(app["secrets"])
    assert not any("TOKEN" in str(v) or "PASSWORD=" in str(v) for v in app["environment"].values())
