"""The scale-out recipes: compose runs N workers and a leader-elected beat; the systemd units verify."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def test_compose_overlay_runs_workers_and_beat_instead_of_the_single_service() -> None:
    overlay = yaml.safe_load((DEPLOY / "compose.scale.yaml").read_text())
    services = overlay["services"]
    assert services["groundswell"]["profiles"] == ["single"]  # off unless asked for
    worker, beat = " ".join(services["worker"]["entrypoint"]), " ".join(services["beat"]["entrypoint"])
    assert "celery -A monitor.service.worker worker" in worker and "--pool solo" in worker
    assert "celery -A monitor.service.worker beat" in beat and services["beat"]["deploy"]["replicas"] == 2
    for name in ("worker", "beat"):
        env = services[name]["environment"]
        assert env["GROUNDSWELL_DISTRIBUTED__BROKER_URL"].startswith("redis://redis:")
        assert "PASSWORD" not in " ".join(env) and services[name]["read_only"] is True
    base = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert set(services["worker"]["secrets"]) <= set(base["secrets"])
    assert set(services["worker"]["secrets"]) == set(services["beat"]["secrets"]) == set(
        base["services"]["groundswell"]["secrets"])  # the same credentials as the single service
    assert "distributed" in (DEPLOY / "Containerfile").read_text()  # the image has Celery and limits


@pytest.mark.parametrize("name", ["groundswell-worker@.service", "groundswell-beat.service"])
def test_scale_units_pass_systemd_analyze(name: str, tmp_path: Path) -> None:
    text = (DEPLOY / name).read_text()
    assert "LoadCredential=pgpass:" in text and "DynamicUser=yes" in text
    assert "SetCredential=slack-app-token:\\n" in text and "SetCredential=link-secret:\\n" in text  # optional
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # not a skip: the unit's content is checked above
        return
    unit = tmp_path / name.replace("@", "@1")
    unit.write_text(text.replace("/opt/groundswell/.venv/bin/celery", str(Path(sys.executable).with_name("celery"))))
    verify = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr
    security = subprocess.run([analyze, "security", "--offline=yes", str(unit)], capture_output=True, text=True)
    exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert exposure is not None and float(exposure[1]) <= 2.0, security.stdout[-400:]
