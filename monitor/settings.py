"""Settings: settings.toml < GROUNDSWELL_<SECTION>__<KEY> environment < CLI flags.

Kind-specific tables (``[[sources]]``, ``[[channels]]``) are checked against their plugin's
``Options`` in :func:`monitor.registry.validate_plugins`; every error becomes one ConfigError
line that names the full key, e.g. ``sources[2].subreddits: field required``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor.errors import ConfigError

CONFIG_ENV = "GROUNDSWELL_CONFIG"
DEFAULT_CONFIG = Path("settings.toml")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppSettings(Section):
    data_dir: Path = Path("./data")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"


class DatabaseSettings(Section):
    url: str = ""  # empty: SQLite file in app.data_dir
    busy_timeout_seconds: float = 30.0
    retries: int = Field(default=5, ge=0)


class ModelSettings(Section):
    sentiment: str = "bundled"  # "bundled", "lexicon", a Hugging Face model id, or a local folder
    threads: int = Field(default=2, ge=1)
    batch_size: int = Field(default=64, ge=1)
    max_length: int = Field(default=128, ge=8)


class DetectionSettings(Section):
    engine: Literal["adaptive", "simple"] = "adaptive"
    sensitivity: Literal["low", "default", "high"] = "default"
    window_minutes: int = Field(default=60, ge=5)
    baseline_days: int = Field(default=7, ge=1)
    min_negative: int = Field(default=8, ge=1)
    ratio: float = Field(default=3.0, gt=1.0)
    high_reach_followers: int = Field(default=50_000, ge=1)
    repeat_complaints: int = Field(default=3, ge=2)
    repeat_days: int = Field(default=7, ge=1)
    quiet_minutes: int = Field(default=180, ge=10)
    response_target_minutes: int = Field(default=60, ge=0)  # 0: never check brand replies
    join_minutes: int = Field(default=120, ge=5)  # findings overlapping an incident this recent join it
    pages_per_week: float = Field(default=2.0, ge=0)  # per brand, every trigger counted
    budget_exempt_severity: int = Field(default=4, ge=1, le=5)  # pages at least this severe ignore the budget
    churn_page_followers: int = Field(default=10_000, ge=1)  # an influential customer's churn threat pages
    reach_page_reactions: int = Field(default=20, ge=1)  # a high-reach complaint pages once people react


class ServiceSettings(Section):
    score_interval_seconds: int = Field(default=30, ge=1)
    detect_interval_seconds: int = Field(default=60, ge=1)
    deliver_interval_seconds: int = Field(default=15, ge=1)
    metrics_address: str = "127.0.0.1:9108"
    retention_mentions_days: int = Field(default=90, ge=1)
    retention_incidents_days: int = Field(default=365, ge=1)
    shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    digest_hour: int = Field(default=8, ge=-1, le=23)  # -1: no scheduled digest


class EscalationSettings(Section):
    unacknowledged_minutes: int = Field(default=30, ge=1)
    min_severity: int = Field(default=3, ge=1, le=4)
    quiet_hours_max_severity: int = Field(default=2, ge=0, le=4)


class DistributedSettings(Section):
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"


class BrandSettings(Section):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str
    names: list[str] = []
    handles: list[str] = []
    terms: list[str] = []
    exclude: list[str] = []
    languages: list[str] = []
    timezone: str = "UTC"
    key_accounts: list[str] = []  # handles of valuable customers: their churn threats page

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (use an IANA name like Europe/London)") from None
        return value


class PluginTable(BaseModel):
    """A [[sources]] or [[channels]] entry: common keys here, the rest checked by the plugin."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    enabled: bool = True

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class SourceSettings(PluginTable):
    brand: str
    interval_seconds: int = Field(default=300, ge=1)
    limit: int = Field(default=500, ge=1)
    quiet_minutes: int = Field(default=24 * 60, ge=1)


class ChannelSettings(PluginTable):
    min_severity: int = Field(default=1, ge=1, le=4)  # route alerts of at least this severity here
    brands: list[str] = []  # only these brands (empty: all)
    triggers: list[str] = []  # only these triggers: spike, story, churn_threat, high_reach, ... (empty: all)
    tier: int = Field(default=1, ge=1, le=3)  # 1: first responders; 2+: escalation (managers)
    digest: bool = False  # also receives the daily digest
    quiet_hours: str = Field(default="", pattern=r"^$|^\d\d:\d\d-\d\d:\d\d$")  # "22:00-07:00", brand's time


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
        raise ConfigError("brands", f"no brand with id {brand_id!r}")


class _TomlSource(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.data = read_toml(path) if path else {}

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError("--config", f"file {path} not found (copy settings.toml from the repository)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), f"not valid TOML: {exc}") from None


def key_of(location: tuple[int | str, ...]) -> str:
    """('sources', 2, 'subreddits') -> 'sources[2].subreddits'."""
    key = ""
    for part in location:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def config_error(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> ConfigError:
    first = exc.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against settings.toml)"
    return ConfigError(key_of(prefix + tuple(first["loc"])), message)


def resolve_config_path(path: Path | None) -> Path | None:
    if path is not None:
        return path
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate everything, plugins included; raise ConfigError on the first problem."""
    from monitor.registry import validate_plugins

    source_cls = type("LoadedSettings", (Settings,), {"toml_path": resolve_config_path(path)})
    try:
        settings: Settings = source_cls(**overrides)
    except ValidationError as exc:
        raise config_error(exc) from None
    _check_references(settings)
    validate_plugins(settings)
    return settings


def _check_references(settings: Settings) -> None:
    brand_ids = {brand.id for brand in settings.brands}
    for index, source in enumerate(settings.sources):
        if source.brand not in brand_ids:
            raise ConfigError(f"sources[{index}].brand", f"no brand with id {source.brand!r} in [[brands]]")
    for table in ("sources", "channels"):
        seen: set[str] = set()
        for index, entry in enumerate(getattr(settings, table)):
            if entry.id in seen:
                raise ConfigError(f"{table}[{index}].id", f"duplicate id {entry.id!r}")
            seen.add(entry.id)
