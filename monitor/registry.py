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
    """kind -> "available" or why it is not, for `groundswell sources`."""
    status = {}
    for kind in sorted(available(group)):
        try:
            plugin_class(group, kind)
            status[kind] = "available"
        except ConfigError as exc:
            status[kind] = exc.message
    return status


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
