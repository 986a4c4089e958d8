"""Find connectors and notifiers through entry points; built-ins are declared the same way.

Groups: ``groundswell.connectors`` and ``groundswell.notifiers`` (see pyproject.toml).
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from monitor.errors import ConfigError

if TYPE_CHECKING:
    from alerts.base import Notifier
    from connectors.base import Connector
    from monitor.settings import Settings

CONNECTORS = "groundswell.connectors"
NOTIFIERS = "groundswell.notifiers"


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


def validate_plugins(settings: Settings) -> None:
    """Check every [[sources]] / [[channels]] table against its plugin's Options; name the key."""
    from monitor.settings import config_error, entry_label

    for table, group in (("sources", CONNECTORS), ("channels", NOTIFIERS)):
        for index, entry in enumerate(getattr(settings, table)):
            try:
                cls = plugin_class(group, entry.kind)
            except ConfigError as exc:
                raise ConfigError(f"{entry_label(table, index, entry.id)}.kind", exc.message) from None
            try:
                options = cls.Options.model_validate(entry.options())
            except ValidationError as exc:
                raise config_error(exc, (table, index), {(table, index): entry.id}, cls.Options) from None
            if table == "channels":
                _check_recipients(entry_label(table, index, entry.id), options, entry.min_severity)


def _check_recipients(label: str, options: Any, min_severity: int) -> None:
    """A channel with per-severity recipients must reach someone for every severity it accepts,
    or its alerts of the other severities vanish while `channels test` and the outbox say "sent"."""
    recipients = getattr(options, "recipients", None)
    if not callable(recipients):
        return
    nobody = [severity for severity in range(min_severity, 5) if not recipients(severity)]
    if nobody:
        first = max(nobody) + 1
        raise ConfigError(f"{label}.to_by_severity",
                          f"alerts of severity {', '.join(map(str, nobody))} would reach nobody: add `to`, "
                          f"a \"{nobody[0]}\" list, or set min_severity = {first}")


def build_connector(settings: Settings, source_id: str, clock: Any = None) -> Connector:
    from connectors.base import BrandTerms, ConnectorContext
    from monitor.clock import system_clock

    source = next((s for s in settings.sources if s.id == source_id), None)
    if source is None:
        known = ", ".join(s.id for s in settings.sources) or "none configured"
        raise ConfigError("sources", f"no source with id {source_id!r} (known: {known})")
    brand = settings.brand(source.brand)
    terms = BrandTerms(id=brand.id, name=brand.name, names=tuple(brand.names), handles=tuple(brand.handles),
                       terms=tuple(brand.terms), exclude=tuple(brand.exclude), languages=tuple(brand.languages))
    cls = plugin_class(CONNECTORS, source.kind)
    context = ConnectorContext(source_id=source.id, brand=terms, clock=clock or system_clock)
    connector: Connector = cls(cls.Options.model_validate(source.options()), context)
    return connector


def build_notifiers(settings: Settings) -> dict[str, Notifier]:
    notifiers = {}
    for channel in settings.channels:
        if channel.enabled:
            cls = plugin_class(NOTIFIERS, channel.kind)
            notifiers[channel.id] = cls(channel.id, cls.Options.model_validate(channel.options()))
    return notifiers
