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
from monitor.registry import NOTIFIERS, PluginOptionsInvalid, plugin_class, validate_plugins
from monitor.secrets import MissingSecret, Secret
from monitor.settings_paths import anchor_paths

CONFIG_ENV = "GROUNDSWELL_CONFIG"
DEFAULT_CONFIG = Path("settings.toml")
START_HINT = "run `groundswell init` to write one for your company, or pass --config PATH"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppSettings(Section):
    data_dir: Path = Path("./data")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"

    @field_validator("data_dir")
    @classmethod
    def _a_folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is a file, not a folder (point data_dir at a folder; it is created if missing)")
        return value


class DatabaseSettings(Section):
    url: str = ""  # empty: SQLite file in app.data_dir
    busy_timeout_seconds: float = 30.0
    retries: int = Field(default=5, ge=0)

    @field_validator("url")
    @classmethod
    def _psycopg_driver(cls, value: str) -> str:
        """postgres:// (Heroku, most hosting panels) and postgresql:// both mean psycopg 3 here."""
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value.removeprefix(prefix)
        if value and not value.startswith(("sqlite:///", "postgresql+psycopg://")):
            scheme = value.split(":", 1)[0] if ":" in value else value[:20]
            raise ValueError(f"unsupported database {scheme!r}: use postgresql://user@host/db or sqlite:///path "
                             "(or leave it empty for SQLite in app.data_dir)")
        return value


class ModelSettings(Section):
    sentiment: str = "bundled"  # "bundled", "lexicon", a Hugging Face model id, or a local folder
    threads: int = Field(default=2, ge=1)
    batch_size: int = Field(default=64, ge=1)
    max_length: int = Field(default=128, ge=8)
    sentiment_languages: list[str] = ["en"]  # what `sentiment` scores; ["*"]: every language
    sentiment_by_language: dict[str, str] = {}  # ISO 639-1 code -> model spec (folder or Hugging Face id)

    @field_validator("sentiment_languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return [_language_code(code, allow_any=True) for code in value]

    @field_validator("sentiment_by_language")
    @classmethod
    def _by_language(cls, value: dict[str, str]) -> dict[str, str]:
        out = {_language_code(code): spec.strip() for code, spec in value.items()}
        if empty := [code for code, spec in out.items() if not spec]:
            raise ValueError(f"no model named for {', '.join(empty)}: give a folder or a Hugging Face id")
        return out


def _language_code(code: str, *, allow_any: bool = False) -> str:
    """A lower-case ISO 639-1 code ("*" too where allowed), or a ValueError saying what is expected."""
    clean = code.strip().lower()
    if (allow_any and clean == "*") or (len(clean) == 2 and clean.isalpha() and clean.isascii()):
        return clean
    raise ValueError(f"{code!r} is not a two-letter ISO 639-1 language code (e.g. \"en\", \"de\")")


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

    @field_validator("metrics_address")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        host, _, port = value.rpartition(":")
        if not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError(f"{value!r} is not host:port (e.g. 127.0.0.1:9108, or [::1]:9108)")
        return value


class EscalationSettings(Section):
    unacknowledged_minutes: int = Field(default=30, ge=1)
    min_severity: int = Field(default=3, ge=1, le=4)
    quiet_hours_max_severity: int = Field(default=2, ge=0, le=4)


class DistributedSettings(Section):
    broker_url: str = "redis://127.0.0.1:6379/0"
    result_backend: str = "redis://127.0.0.1:6379/1"
    rate_limit_url: str | None = None  # Redis for request budgets shared by workers; default: the broker if Redis


class WebSettings(Section):
    enabled: bool = False  # `groundswell run` also serves the workspace
    address: str = Field(default="127.0.0.1:8080", pattern=r"^[^:\s]+:\d{1,5}$")
    secret_key: Secret | None = None  # signs session cookies; unset: a random key per start
    secure_cookies: bool = False  # cookies only over HTTPS (set when a TLS proxy is in front)
    tls_certfile: str = ""
    tls_keyfile: str = ""
    allow_actions: bool = True  # `groundswell run`: operators may ack, assign, note, resolve
    session_hours: int = Field(default=12, ge=1)
    login_attempts: int = Field(default=5, ge=1)  # failed logins per client per 15 minutes

    @field_validator("secret_key", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value


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

    @field_validator("quiet_hours")
    @classmethod
    def _real_times(cls, value: str) -> str:
        """``25:00-99:99`` matches the pattern but would raise in detection and lose the alert: refuse it here."""
        from datetime import time

        for part in filter(None, value.split("-")):
            try:
                time.fromisoformat(part)
            except ValueError:
                raise ValueError(f"{part!r} is not a time of day (use HH:MM-HH:MM, e.g. 22:00-07:00)") from None
        return value


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
        raise ConfigError("brands", f"no brand with id {brand_id!r}")


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
        raise ConfigError(str(path.resolve()), f"not valid TOML: {exc}") from None


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
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown key (check the spelling against settings.toml)"
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, MissingSecret):
        field = model.model_fields.get(str(first["loc"][0])) if model is not None and first["loc"] else None
        optional = field is not None and not field.is_required()
        hint = "export it, or remove this key" if optional else "export it"
        message = f"environment variable {cause.name} is not set ({hint})"
    return ConfigError(key_of(prefix + tuple(first["loc"]), ids), message)


def resolve_config_path(path: Path | None) -> Path:
    """--config, else $GROUNDSWELL_CONFIG, else ./settings.toml; a missing file is an error, not defaults."""
    if path is None:
        path = Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else DEFAULT_CONFIG
    if not path.exists():
        raise ConfigError("--config", f"no settings file at {path.resolve()} ({START_HINT})")
    return path


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Load and validate everything, plugins included; raise ConfigError on the first problem."""
    toml_path = resolve_config_path(path)
    source_cls = type("LoadedSettings", (Settings,), {"toml_path": toml_path})
    try:
        settings: Settings = source_cls(**overrides)
    except ValidationError as exc:
        raise config_error(exc, ids=entry_ids(read_toml(toml_path))) from None
    if not settings.brands:
        raise ConfigError("brands", f"{toml_path.resolve()} describes no company: add a [[brands]] table "
                          f"({START_HINT})")
    _check_references(settings)
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
        if source.brand not in brand_ids:
            raise ConfigError(f"{entry_label('sources', index, source.id)}.brand",
                              f"no brand with id {source.brand!r} in [[brands]] (known: {', '.join(brand_ids)})")
    for table in ("sources", "channels"):
        seen: set[str] = set()
        for index, entry in enumerate(getattr(settings, table)):
            if entry.id in seen:
                raise ConfigError(f"{entry_label(table, index, entry.id)}.id", f"duplicate id {entry.id!r}")
            seen.add(entry.id)
