"""Find connectors and notifiers through entry points; built-ins are declared the same way.

Groups: ``groundswell.connectors`` and ``groundswell.notifiers`` (see pyproject.toml).  Discovery and
option checks only: building the objects from settings is ``monitor.runtime``'s job, so this module
imports nothing but the errors (settings imports it, never the other way round).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Protocol

from pydantic import ValidationError

from monitor.errors import ConfigError

CONNECTORS = "groundswell.connectors"
NOTIFIERS = "groundswell.notifiers"
GROUPS = {"sources": CONNECTORS, "channels": NOTIFIERS}


@cache
def available(group: str) -> dict[str, Any]:
    """kind -> entry point (not loaded: a plugin with a missing optional dependency fails only when used)."""
    return {point.name: point for point in entry_points(group=group)}


@cache
def plugin_class(group: str, kind: str) -> Any:
    points = available(group)
    if kind not in points:
        known = ", ".join(sorted(points)) or "none"
        raise ConfigError("kind", f"unknown kind {kind!r} (known: {known})")
    try:
        return points[kind].load()
    except ImportError as exc:
        raise ConfigError("kind", f"{kind!r} needs an optional dependency: {exc} "
                          f"(pip install 'groundswell[sources]' or the package named)") from None


def load_status(group: str) -> dict[str, str]:
    """kind -> "available" or why it is not, for `groundswell sources`, without importing any plugin.

    A plugin is available when its module and every package it imports at its top level are installed;
    importing them all to find out cost `groundswell sources` about 2 CPU-s (atproto alone 1.6 s).
    """
    status = {}
    for kind, point in sorted(available(group).items()):
        missing = _missing_import(point.module)
        status[kind] = "available" if missing is None else (
            f"{kind!r} needs an optional dependency: No module named {missing!r} "
            f"(pip install 'groundswell[sources]' or the package named)")
    return status


def _missing_import(module: str) -> str | None:
    """The first package the module (or its top-level imports) needs that is not installed; None if none."""
    import ast
    import importlib.util
    from pathlib import Path

    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError as exc:  # its parent package is missing
        return exc.name or module
    if spec is None or spec.origin is None:
        return module
    if not spec.origin.endswith(".py"):
        return None  # compiled: nothing to read, and it is there
    for node in ast.parse(Path(spec.origin).read_text(encoding="utf-8")).body:  # try/except imports are optional
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            if importlib.util.find_spec(name.split(".")[0]) is None:
                return name.split(".")[0]
    return None


class PluginOptionsInvalid(Exception):
    """A [[sources]]/[[channels]] table its plugin's Options refused; settings turns it into a ConfigError."""

    def __init__(self, table: str, index: int, error: ValidationError, entry_id: str = "",
                 options_model: Any = None) -> None:
        super().__init__(str(error))
        self.table, self.index, self.error = table, index, error
        self.entry_id, self.options_model = entry_id, options_model  # the id names it; the model tells optional keys


class PluginTableLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    def options(self) -> dict[str, Any]: ...


def validate_plugins(tables: Mapping[str, Sequence[PluginTableLike]]) -> None:
    """Check every [[sources]] / [[channels]] table against its plugin's Options; name the key."""
    for table, entries in tables.items():
        group = GROUPS[table]
        for index, entry in enumerate(entries):
            try:
                cls = plugin_class(group, entry.kind)
            except ConfigError as exc:
                raise ConfigError(f"{table}[{index}] ({entry.id}).kind", exc.message) from None
            try:
                cls.Options.model_validate(entry.options())
            except ValidationError as exc:
                raise PluginOptionsInvalid(table, index, exc, entry.id, cls.Options) from None
