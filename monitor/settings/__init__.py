"""Settings: settings.toml < GROUNDSWELL_<SECTION>__<KEY> environment < CLI flags.

Kind-specific tables (``[[sources]]``, ``[[channels]]``) are checked against their plugin's
``Options`` in :func:`monitor.registry.validate_plugins`; every error becomes one ConfigError
line that names the full key, e.g. ``sources[2].subreddits: field required``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.errors import ConfigError
from monitor.registry import NOTIFIERS, PluginOptionsInvalid, plugin_class, validate_plugins
from monitor.secrets import MissingSecret
from monitor.settings.paths import anchor_paths
from monitor.settings.sections import (
    CONFIG_ENV,
    DEFAULT_CONFIG,
    START_HINT,
    AppSettings,
    BrandSettings,
    ChannelSettings,
    DatabaseSettings,
    DetectionSettings,
    DistributedSettings,
    EscalationSettings,
    ModelSettings,
    Section,
    ServiceSettings,
    SourceSettings,
    WebSettings,
)
from monitor.settings.wording import environment_problem, from_environment, plain

__all__ = ["CONFIG_ENV", "DEFAULT_CONFIG", "START_HINT", "AppSettings", "BrandSettings", "ChannelSettings",
           "DatabaseSettings", "DetectionSettings", "DistributedSettings", "EscalationSettings", "ModelSettings",
           "Section", "ServiceSettings", "Settings", "SourceSettings", "WebSettings", "load_settings",
           "resolve_config_path"]

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GROUNDSWELL_", env_nested_delimiter="__", extra="forbid")
    toml_path: ClassVar[Path | None] = None

    app: AppSettings = AppSettings()
    database: DatabaseSettings = DatabaseSettings()
    model: ModelSettings = ModelSettings()
    detection: DetectionSettings = DetectionSettings()
    service: ServiceSettings = ServiceSettings()
    escalation: EscalationSettings = EscalationSettings()
    distributed: DistributedSettings = DistributedSettings()
    web: WebSettings = WebSettings()
    brands: list[BrandSettings] = []
    sources: list[SourceSettings] = []
    channels: list[ChannelSettings] = []

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: Any,
                                   env_settings: Any, dotenv_settings: Any, file_secret_settings: Any,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls, cls.toml_path))

    def database_url(self) -> str:
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.app.data_dir / 'groundswell.db').resolve()}"

    def brand(self, brand_id: str) -> BrandSettings:
        for brand in self.brands:
            if brand.id == brand_id:
                return brand
        known = ", ".join(brand.id for brand in self.brands) or "none"
        raise ConfigError("brands", f"no brand with id {brand_id!r} (known: {known})")


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.data = anchor_paths(read_toml(path), path.resolve().parent) if path else {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("--config", f"no settings file at {path.resolve()} ({START_HINT})") from None
    except IsADirectoryError:
        raise ConfigError("--config", f"{path.resolve()} is a folder, not a settings file") from None
    except OSError as exc:
        raise ConfigError("--config", f"cannot read {path.resolve()}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path.resolve()), "not valid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        hint = " (a key is set twice, or a [table] repeated: keep one)" if "overwrite" in str(exc) else ""
        raise ConfigError(str(path.resolve()), f"not valid TOML: {exc}{hint}") from None


def key_of(location: tuple[int | str, ...], ids: dict[tuple[str, int], str] | None = None) -> str:
    """('sources', 2, 'subreddits') -> 'sources[2] (x-acme).subreddits' (the id, when known, says which)."""
    key, table = "", ""
    for part in location:
        if isinstance(part, int):
            entry_id = (ids or {}).get((table, part))
            key += f"[{part}] ({entry_id})" if entry_id else f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
            table = str(part)
    return key


def entry_ids(data: dict[str, Any]) -> dict[tuple[str, int], str]:
    """(table, index) -> id for every [[sources]], [[channels]] and [[brands]] entry that has one."""
    out = {}
    for table in ("sources", "channels", "brands"):
        for index, entry in enumerate(data.get(table) or []):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                out[(table, index)] = entry["id"]
    return out


def config_error(exc: ValidationError, prefix: tuple[int | str, ...] = (),
                 ids: dict[tuple[str, int], str] | None = None, model: type[BaseModel] | None = None) -> ConfigError:
    """The first validation problem as one line; ``model`` (a plugin's Options) tells optional keys apart."""
    first = exc.errors()[0]
    message = plain(first) or first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against settings.toml)"
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, MissingSecret):
        field = model.model_fields.get(str(first["loc"][0])) if model is not None and first["loc"] else None
        optional = field is not None and not field.is_required()
        hint = "export it, or remove this key" if optional else "export it"
        message = f"environment variable {cause.name} is not set ({hint})"
    if not prefix:
        message += from_environment(tuple(first["loc"]))
    return ConfigError(key_of(prefix + tuple(first["loc"]), ids), message)


def resolve_config_path(path: Path | None) -> Path:
    """--config, else $GROUNDSWELL_CONFIG, else ./settings.toml; a missing file is an error, not defaults."""
    if path is None:
        path = Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else DEFAULT_CONFIG
    if not path.exists():
        raise ConfigError("--config", f"no settings file at {path.resolve()} ({START_HINT})")
    return path


def load_settings(path: Path | None = None, *, plugins: bool = True, **overrides: Any) -> Settings:
    """Load and validate everything, plugins included; raise ConfigError on the first problem.

    ``plugins=False`` (commands that only read the database) leaves the kind-specific keys of
    ``[[sources]]``/``[[channels]]`` unchecked, so no plugin module (atproto's alone ~0.5 CPU-s) is imported.
    """
    toml_path = resolve_config_path(path)
    bad_variable = environment_problem(list(Settings.model_fields))
    if bad_variable:
        raise ConfigError(*bad_variable)
    source_cls = type("LoadedSettings", (Settings,), {"toml_path": toml_path})
    try:
        settings: Settings = source_cls(**overrides)
    except ValidationError as exc:
        raise config_error(exc, ids=entry_ids(read_toml(toml_path))) from None
    if not settings.brands:
        raise ConfigError("brands", f"{toml_path.resolve()} describes no company: add a [[brands]] table "
                          f"({START_HINT})")
    _check_references(settings)
    if not plugins:
        return settings
    try:
        validate_plugins({"sources": settings.sources, "channels": settings.channels})
    except PluginOptionsInvalid as exc:
        raise config_error(exc.error, (exc.table, exc.index), {(exc.table, exc.index): exc.entry_id},
                           exc.options_model) from None
    _check_recipients(settings)
    return settings


def _check_recipients(settings: Settings) -> None:
    """A channel with per-severity recipients must reach someone for every severity it accepts,
    or its alerts of the other severities vanish while `channels test` and the outbox say "sent"."""
    for index, channel in enumerate(settings.channels):
        options = plugin_class(NOTIFIERS, channel.kind).Options.model_validate(channel.options())
        recipients = getattr(options, "recipients", None)
        if not callable(recipients):
            continue
        nobody = [severity for severity in range(channel.min_severity, 5) if not recipients(severity)]
        if nobody:
            raise ConfigError(f"{entry_label('channels', index, channel.id)}.to_by_severity",
                              f"alerts of severity {', '.join(map(str, nobody))} would reach nobody: add `to`, "
                              f"a \"{nobody[0]}\" list, or set min_severity = {max(nobody) + 1}")


def entry_label(table: str, index: int, entry_id: str) -> str:
    return key_of((table, index), {(table, index): entry_id})


def _check_references(settings: Settings) -> None:
    brand_ids = {brand.id for brand in settings.brands}
    for index, source in enumerate(settings.sources):
        for brand in source.served:
            if brand not in brand_ids:
                key = "brand" if brand == source.brand else "brands"
                raise ConfigError(f"{entry_label('sources', index, source.id)}.{key}",
                                  f"no brand with id {brand!r} in [[brands]] (known: {', '.join(brand_ids)})")
    for table in ("brands", "sources", "channels"):
        seen: set[str] = set()
        for index, entry in enumerate(getattr(settings, table)):
            if entry.id in seen:
                raise ConfigError(f"{entry_label(table, index, entry.id)}.id", f"duplicate id {entry.id!r}")
            seen.add(entry.id)
