"""The sections of settings.toml, one pydantic model each ([app], [database], ..., [[brands]], [[sources]]).

Validation lives with each field so a bad value is refused at load, naming its key."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from monitor.secrets import OptionalSecret

CONFIG_ENV = "GROUNDSWELL_CONFIG"
DEFAULT_CONFIG = Path("settings.toml")
START_HINT = "run `groundswell init` to write one for your company, or pass --config PATH"


MAX_NUMBER = 1_000_000_000
MAX_BY_UNIT = {"_days": 36_500, "_hours": 876_000}  # a century: dates this far back or ahead still exist


def sane_number(value: Any, info: ValidationInfo) -> Any:
    """Refuse numbers no setting can mean (inf, nan, 10**20 seconds): they pass `ge=1` and then break
    the scheduler or date arithmetic at run time."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a usable number")
    name = info.field_name or ""
    limit = next((cap for unit, cap in MAX_BY_UNIT.items() if name.endswith(unit)), MAX_NUMBER)
    if abs(value) > limit:
        raise ValueError(f"{value:,} is too large (at most {limit:,})")
    return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    _sane_numbers = field_validator("*")(sane_number)


class AppSettings(Section):
    data_dir: Path = Path("./data")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        """"INFO", the usual spelling elsewhere, was refused."""
        return value.strip().lower() if isinstance(value, str) else value

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
    partition_by_day: bool = False  # PostgreSQL, new database: mentions in a partition per day (retention drops)

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
    keyword_fallback: bool = True  # posts no model covers: complaint keywords make them negative (else unscored)
    # sentence vectors that join a new wording of a grievance to its story: "auto" (the bundled encoder unless
    # sentiment is "lexicon"), "bundled", a folder with an exported encoder, or "none" (stories join by words)
    embedding: str = "auto"
    # which posts get one: "stories" (every English post of three content words or more: a neutral or sarcastic
    # wording joins its story too) or "negative" (only those scored negative: ~19 % less CPU a mention on real
    # posts, but a story told partly in neutral wordings joins later; benchmarks/vector_share.py, issue #17)
    embedding_for: Literal["stories", "negative"] = "stories"

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
    # ...or saying the same thing in other words: mean sentence vectors at this cosine or more (1.01: off)
    join_similarity: float = Field(default=0.75, ge=0.0, le=1.01)
    pages_per_week: float = Field(default=2.0, ge=0)  # per brand, every trigger counted
    budget_exempt_severity: int = Field(default=4, ge=1, le=5)  # pages at least this severe ignore the budget
    budget_exempt_people: int = Field(default=8, ge=0)  # spike/story this big (2x usual+) ignores it; 0: off
    churn_page_followers: int = Field(default=10_000, ge=1)  # an influential customer's churn threat pages
    joined_fold_minutes: int = Field(default=10, ge=0)  # big customers joining within this of an update: one update
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
    secret_key: OptionalSecret = None  # signs session cookies; unset: a random key per start
    secure_cookies: bool = False  # cookies only over HTTPS (set when a TLS proxy is in front)
    tls_certfile: str = ""
    tls_keyfile: str = ""
    allow_actions: bool = True  # `groundswell run`: operators may ack, assign, note, resolve
    session_hours: int = Field(default=12, ge=1)
    login_attempts: int = Field(default=5, ge=1)  # failed logins per client per 15 minutes
    # sign-in by a reverse proxy that authenticated the user: its header names an existing user, honoured
    # only on connections from trusted_proxies (addresses or CIDR networks); "" turns it off
    trusted_proxy_header: str = Field(default="", pattern=r"^([A-Za-z0-9-]{1,64})?$")
    trusted_proxies: list[str] = []
    public_url: str = Field(default="", pattern=r"^$|^https?://[^\s/]+(/\S*)?$")  # links in alerts point here
    link_secret: OptionalSecret = None  # signs one-click email links (acknowledge, snooze, feedback)
    link_expiry_hours: int = Field(default=72, ge=1, le=24 * 90)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        from ipaddress import ip_network

        for entry in value:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an address or network (e.g. 127.0.0.1/32)") from None
        return value

    @model_validator(mode="after")
    def _proxies_for_header(self) -> WebSettings:
        if self.trusted_proxy_header and not self.trusted_proxies:
            raise ValueError("trusted_proxy_header needs trusted_proxies (the proxy's address, e.g. 127.0.0.1/32)")
        return self


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
    # this brand's own detection tuning (`groundswell tune` recommends them); unset: [detection]'s
    sensitivity: Literal["low", "default", "high"] | None = None
    story_min_people: float | None = Field(default=None, gt=0)  # weighted people in 6 h before a story pages

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from monitor.clock import timezone_problem

        problem = timezone_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class PluginTable(BaseModel):
    """A [[sources]] or [[channels]] entry: common keys here, the rest checked by the plugin."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    enabled: bool = True

    _sane_numbers = field_validator("*")(sane_number)

    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class SourceSettings(PluginTable):
    brand: str = ""  # the brand this source serves (for several, list them in ``brands``)
    brands: list[str] = []  # one query serving several brands; mentions are routed to each locally
    interval_seconds: int = Field(default=300, ge=1)
    limit: int = Field(default=500, ge=1)
    quiet_minutes: int = Field(default=24 * 60, ge=1)

    @model_validator(mode="after")
    def _some_brand(self) -> SourceSettings:
        if not self.brand and not self.brands:
            raise ValueError("give the brand it serves: brand = \"id\" (or brands = [\"id\", ...] for several)")
        self.brand = self.brand or self.brands[0]  # the home brand: its health and source-down incidents
        return self

    @property
    def served(self) -> list[str]:
        """Every brand this source's mentions may belong to, the home brand first."""
        return list(dict.fromkeys([self.brand, *self.brands]))


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
