"""The hardened unit's system-call filter, applied for real (issue 13.3).

``systemd-analyze verify`` accepts a filter that kills the service: numpy's OpenBLAS calls
``mbind`` (in ``@resources``) at import.  Here the unit's own ``SystemCallFilter=`` lines are
loaded with libseccomp (tests/fakes/unit_seccomp.py) and the real service runs under them: the
bundled ONNX model scores, detection opens an incident, SIGTERM exits 0.

The database is PostgreSQL: as root (CI), SQLite chowns its journal files (``fchown``, in
``@privileged``), which it never does as the unit's DynamicUser.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.fakes.processes import free_port, readiness, wait_for

try:
    import pyseccomp  # noqa: F401 (ctypes over libseccomp2)
except (ImportError, OSError) as exc:  # required in CI, like PostgreSQL
    if os.environ.get("CI"):
        raise
    pytest.skip(f"pyseccomp/libseccomp2 missing ({exc}): pip install pyseccomp", allow_module_level=True)
ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "groundswell.service"


def under_unit_filter(*command: str) -> list[str]:
    return [sys.executable, "-m", "tests.fakes.unit_seccomp", str(UNIT), "--", *command]


def test_numpy_imports_under_the_units_filter() -> None:
    done = subprocess.run(under_unit_filter(sys.executable, "-c", "import numpy; print(numpy.ones(3).sum())"),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"killed by signal {-done.returncode}" if done.returncode < 0 else done.stderr
    assert done.stdout.strip() == "3.0"


@pytest.mark.slow  # the whole service with the bundled model, about 10 s
def test_the_real_service_runs_scores_and_alerts_under_the_units_filter(postgres_url: str, pg_schema: str,
                                                                         tmp_path: Path) -> None:
    now = datetime.now(UTC)
    rows = [{"id": f"h{i}", "author_id": f"famous{i}", "author_followers": 900_000,
             "text": "Acme internet has been down all day, terrible and useless service",
             "posted_at": (now - timedelta(minutes=10 - i)).isoformat()} for i in range(3)]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    url = f"{postgres_url}?options=-csearch_path%3D{pg_schema}"
    port = free_port()
    config = tmp_path / "settings.toml"
    config.write_text(f"""
[app]
data_dir = "{tmp_path / 'data'}"
[database]
url = "{url}"
[model]
sentiment = "bundled"
[service]
score_interval_seconds = 1
detect_interval_seconds = 1
metrics_address = "127.0.0.1:{port}"
[[brands]]
id = "acme"
name = "Acme"
[[sources]]
id = "file"
kind = "replay"
brand = "acme"
path = "{tmp_path / 'm.jsonl'}"
""")
    log = (tmp_path / "service.log").open("w")
    service = subprocess.Popen(under_unit_filter(sys.executable, "-m", "monitor", "--config", str(config), "run"),
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    engine = create_engine(url)

    def incidents() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("select count(*) from incidents")).scalar() or 0)

    try:
        assert wait_for(lambda: service.poll() is not None or readiness(port).get("status") == "ready", 120)
        assert service.poll() is None, f"exited {service.returncode}: {(tmp_path / 'service.log').read_text()}"
        assert wait_for(lambda: service.poll() is not None or incidents() == 3, 60)
        with engine.connect() as connection:
            models = connection.execute(text("select distinct sentiment_model from mentions")).scalars().all()
        assert service.poll() is None, f"exited {service.returncode}: {(tmp_path / 'service.log').read_text()}"
        assert len(models) == 1 and not models[0].startswith("lexicon")  # the ONNX model (numpy, OpenBLAS) ran
        service.send_signal(signal.SIGTERM)
        assert service.wait(60) == 0
    finally:
        if service.poll() is None:
            service.kill()
        engine.dispose()
