"""Build the running parts from settings once: database, model, connectors, notifiers.

The composition root: the one module of the shared base that knows the plugin contracts
(connectors, notifiers, models) and the storage, so runners get everything from here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from alerts.base import AnyNotifier
from connectors.base import AnyConnector, ConnectorContext
from models.base import SentimentModel
from monitor import registry
from monitor.brands import BrandTerms
from monitor.clock import Clock, system_clock
from monitor.errors import ConfigError
from monitor.links import ActionLinks
from monitor.settings import Settings, config_error
from monitor.storage.engine import open_database, with_retries
from monitor.storage.partitions import partition_by_day
from monitor.storage.tables import Brand

log = logging.getLogger("groundswell")


def load_model(settings: Settings) -> SentimentModel:
    spec = settings.model.sentiment
    if spec == "lexicon":
        from models.lexicon import LexiconSentiment

        return LexiconSentiment()
    from models.loader import load_sentiment_model
    from monitor.pipeline.scoring import model_threads

    return load_sentiment_model(spec, threads=model_threads(settings.model)[0], batch_size=settings.model.batch_size,
                                max_length=settings.model.max_length)


def build_connector(settings: Settings, source_id: str, clock: Clock = system_clock) -> AnyConnector:
    source = next((s for s in settings.sources if s.id == source_id), None)
    if source is None:
        known = ", ".join(s.id for s in settings.sources) or "none configured"
        raise ConfigError("sources", f"no source with id {source_id!r} (known: {known})")
    cls = registry.plugin_class(registry.CONNECTORS, source.kind)
    served = [BrandTerms.of(settings.brand(b)) for b in source.served]
    context = ConnectorContext(source_id=source.id, brand=served[0], clock=clock, also=tuple(served[1:]))
    options = _plugin_options(cls.Options, source.options(), ("sources", settings.sources.index(source)), source.id)
    connector: AnyConnector = cls(options, context)
    return connector


def _plugin_options(model: type[BaseModel], raw: dict[str, Any], where: tuple[str, int], entry_id: str) -> Any:
    """Options validated here too: settings loaded for reading only (`digest`, `incidents`) skipped them, and a
    missing secret or bad key must still be the one line naming it, never a ValidationError traceback."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise config_error(exc, where, {where: entry_id}, model) from None


def build_notifiers(settings: Settings) -> dict[str, AnyNotifier]:
    notifiers: dict[str, AnyNotifier] = {}
    links = ActionLinks.from_settings(settings) if settings.web.public_url else None
    for channel in settings.channels:
        if channel.enabled:
            cls = registry.plugin_class(registry.NOTIFIERS, channel.kind)
            where = ("channels", settings.channels.index(channel))
            notifiers[channel.id] = cls(channel.id, _plugin_options(cls.Options, channel.options(), where, channel.id))
            notifiers[channel.id].links = links
    return notifiers


@dataclass
class Runtime:
    settings: Settings
    clock: Clock = system_clock
    _connectors: dict[str, AnyConnector] = field(default_factory=dict)

    @cached_property
    def engine(self) -> Engine:
        engine = open_database(self.settings.database_url(), busy_timeout=self.settings.database.busy_timeout_seconds)
        with_retries(lambda: sync_brands(engine, self.settings))
        if self.settings.database.partition_by_day:
            partition_by_day(engine, self.clock())
        return engine

    @cached_property
    def model(self) -> SentimentModel:
        return load_model(self.settings)

    @cached_property
    def notifiers(self) -> dict[str, AnyNotifier]:
        return build_notifiers(self.settings)

    def connector(self, source_id: str) -> AnyConnector:
        if source_id not in self._connectors:
            self._connectors[source_id] = build_connector(self.settings, source_id, self.clock)
        return self._connectors[source_id]


def sync_brands(engine: Engine, settings: Settings) -> None:
    """The configured brands into the brands table.  Workers starting together race to insert them: the
    loser's insert fails on the key, and its second try finds the rows and updates them instead."""
    for attempt in range(3):
        try:
            with Session(engine) as session:
                for brand in settings.brands:
                    session.merge(Brand(id=brand.id, name=brand.name, timezone=brand.timezone))
                session.commit()
            return
        except IntegrityError:
            if attempt == 2:
                raise
