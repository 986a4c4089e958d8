"""A replay source and its settings file for service tests: quiet posts with a big, reacting account every 10th."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.fakes.settings_files import service_settings_toml

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


def rows(count: int, start: datetime = T0 - timedelta(minutes=30)) -> list[dict[str, object]]:
    """Every 10th row: a very negative post from an author with a big audience that is reacting (reposts):
    a page each (a big account nobody reacts to is only watched)."""
    out: list[dict[str, object]] = []
    for i in range(count):
        big = i % 10 == 0
        out.append({"id": str(i), "text": f"Acme outage again, terrible service #{i}" if big else f"Acme is fine {i}",
                    "posted_at": (start + timedelta(seconds=i)).isoformat(), "author_id": f"u{i}",
                    "author_followers": 200_000 if big else 10, "reposts": 50 if big else 0})
    return out


def write_config(tmp_path: Path, body: str = "", *, count: int = 30, extra_sources: str = "") -> Path:
    data = tmp_path / "mentions.jsonl"
    if not data.exists():
        data.write_text("".join(json.dumps(row) + "\n" for row in rows(count)))
    path = tmp_path / "settings.toml"
    path.write_text(service_settings_toml(tmp_path / "data", body, f"""
[[sources]]
id = "file"
kind = "replay"
brand = "acme"
interval_seconds = 1
path = "{data}"
{extra_sources}
"""))
    return path
