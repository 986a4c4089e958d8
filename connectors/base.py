"""The connector contract: fetch mentions since a cursor, return them normalised with the new cursor.

A new source is one module in this package with one class like this, declared under the
``groundswell.connectors`` entry point in ``pyproject.toml``:

    class MySource(Connector[MySourceOptions]):
        kind = "mysource"                  # the `kind` used in settings.toml [[sources]]
        Options = MySourceOptions          # pydantic model; secrets typed as monitor.secrets.Secret

        def fetch(self, cursor, *, limit): ...   # bounded; no sleeping, no database, no endless streams
        def check(self): ...                      # credentials + reachability

``self.options`` is the validated options (typed as the class's OptionsT), ``self.context`` the source id,
the brand's terms and the clock.  Several queries with a position each: see ``connectors.paging``.

Rules: raise ``SourceUnavailable`` (network, 5xx, 429 with ``retry_after``) or ``SourceAuthError``
(401/403); never return False.  The pipeline stores the batch and only then saves ``batch.cursor``,
so a crash between fetch and commit re-fetches, and (brand, platform, external_id) dedupes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from monitor.brands import BrandTerms
from monitor.clock import Clock, system_clock

Cursor = dict[str, Any]
__all__ = ["AnyConnector", "Author", "Batch", "BrandTerms", "Connector", "ConnectorContext", "ConnectorOptions",
           "Cursor", "Engagement", "Mention", "OptionsT", "RequestPlan"]


@dataclass(frozen=True)
class Author:
    id: str
    handle: str
    name: str = ""
    followers: int | None = None


@dataclass(frozen=True)
class Engagement:
    reposts: int = 0
    likes: int = 0
    replies: int = 0
    quotes: int = 0


@dataclass(frozen=True)
class Mention:
    """One public post, normalised; ``platform`` + ``external_id`` identify it everywhere."""

    platform: str
    external_id: str
    author: Author
    text: str
    posted_at: datetime
    url: str = ""
    lang: str | None = None
    engagement: Engagement = field(default_factory=Engagement)
    conversation_id: str | None = None
    parent_id: str | None = None
    quoted_id: str | None = None
    reposted_id: str | None = None
    is_brand_reply: bool = False
    raw: dict[str, Any] | None = None
    local_id: str | None = None  # how replies and quotes name this post, when not external_id (Mastodon)


@dataclass
class Batch:
    mentions: list[Mention]
    cursor: Cursor | None
    problems: list[str] = field(default_factory=list)  # readable notes on skipped input
    requests_made: int = 0  # API calls spent, for read budgets


@dataclass(frozen=True)
class ConnectorContext:
    source_id: str
    brand: BrandTerms
    clock: Clock = system_clock
    also: tuple[BrandTerms, ...] = ()  # more brands one query serves (``brands = [...]``); routed by the runner

    @property
    def brands(self) -> tuple[BrandTerms, ...]:
        """Every brand the source serves, the home brand first."""
        return (self.brand, *self.also)


@dataclass(frozen=True)
class RequestPlan:
    """What one poll costs against a platform's request quota, for the deployment-wide budget."""

    pool: str  # who shares the quota (e.g. "x app 3f2a...", "reddit client abcd...")
    per_poll: int  # requests one poll makes at least (one per query)
    limit: int  # requests the platform allows per window, for the whole pool
    window_s: int


class ConnectorOptions(BaseModel):
    """Base for every connector's options: unknown keys are errors, so typos are caught at load."""

    model_config = ConfigDict(extra="forbid")


OptionsT = TypeVar("OptionsT", bound=ConnectorOptions)


class Connector(Generic[OptionsT]):
    """One configured source; ``Connector[MyOptions]`` types ``self.options`` as ``MyOptions``."""

    kind: ClassVar[str]
    Options: ClassVar[type[ConnectorOptions]] = ConnectorOptions
    platform: ClassVar[str] = ""

    def __init__(self, options: OptionsT, context: ConnectorContext) -> None:
        self.options: OptionsT = options
        self.context = context

    @property
    def source_id(self) -> str:
        return self.context.source_id

    def fetch(self, cursor: Cursor | None, *, limit: int) -> Batch:
        """Return at most ``limit`` mentions newer than ``cursor`` plus the cursor to resume from, in a bounded
        number of requests without sleeping, or raise SourceUnavailable / SourceAuthError."""
        raise NotImplementedError

    def check(self) -> None:
        """Raise SourceAuthError / SourceUnavailable if the source cannot be read."""

    def usage(self, cursor: Cursor | None) -> str:
        """Paid or limited sources: one line on the budget used (shown by `sources` and the digest)."""
        return ""

    def request_plan(self) -> RequestPlan | None:
        """Sources with a request quota: what a poll costs against it (``groundswell sources`` sums these)."""
        return None


AnyConnector = Connector[Any]  # what runners hold: a connector of any kind
