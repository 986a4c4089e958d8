"""Settings for tests, written as a user would write them: in memory or as a settings.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from monitor.settings import Settings


def make_settings(**sections: Any) -> Settings:
    """Settings as a user would write them, without reading any settings.toml."""
    cls = type("TestSettings", (Settings,), {"toml_path": None})
    base: dict[str, Any] = {
        "brands": [{"id": "acme", "name": "Acme Broadband", "names": ["Acme"], "handles": ["@acme"]}],
        "channels": [],
        "sources": [],
        "model": {"sentiment": "lexicon"},
    }
    base.update(sections)
    return cls(**base)  # type: ignore[no-any-return]


def service_settings_toml(data_dir: Path, service_extra: str = "", body: str = "") -> str:
    """The settings.toml a fast local test service runs with: lexicon model, 1 s stages, brand acme.

    ``service_extra`` lands inside [service]; ``body`` (sources, channels, more sections) follows the brand.
    """
    return f"""
[app]
data_dir = "{data_dir}"
[model]
sentiment = "lexicon"
[service]
score_interval_seconds = 1
detect_interval_seconds = 1
deliver_interval_seconds = 1
{service_extra}
[[brands]]
id = "acme"
name = "Acme"
{body}
"""
