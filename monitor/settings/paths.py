"""Relative paths in a settings file are relative to that file: the same file works from any folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _anchor(value: Any, base: Path) -> Any:
    if isinstance(value, str) and value and not value.startswith(("~", "$")) and not Path(value).is_absolute():
        return str(base / value)
    return value


def anchor_paths(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative paths in the file mean relative to the file, not to wherever the command runs.

    app.data_dir, a local model folder ("./..." or "../..."), every ``path``/``*_file``/``*_dir`` key
    of a source or channel, and ``{ file = ... }`` secrets.
    """
    app = data.get("app")
    if isinstance(app, dict) and "data_dir" in app:
        app["data_dir"] = _anchor(app["data_dir"], base)
    model = data.get("model")
    if isinstance(model, dict) and str(model.get("sentiment", "")).startswith(("./", "../")):
        model["sentiment"] = _anchor(model["sentiment"], base)
    for table in ("sources", "channels"):
        for entry in data.get(table) or []:
            if not isinstance(entry, dict):
                continue
            for key, value in entry.items():
                if key == "path" or key.endswith(("_file", "_dir")):
                    entry[key] = _anchor(value, base)
                elif isinstance(value, dict) and set(value) == {"file"}:
                    value["file"] = _anchor(value["file"], base)
    if "app" not in data:
        data["app"] = {"data_dir": str(base / "data")}
    elif isinstance(app, dict) and "data_dir" not in app:
        app["data_dir"] = str(base / "data")
    return data
