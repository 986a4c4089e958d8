"""What every part needs to know about a monitored company: its names, handles and search terms.

Plain data at the root of the shared base, so connectors (queries) and models (signals) use it
without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class BrandLike(Protocol):
    """The brand fields of ``monitor.settings.BrandSettings`` (a Protocol keeps this module import-free)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def names(self) -> Sequence[str]: ...
    @property
    def handles(self) -> Sequence[str]: ...
    @property
    def terms(self) -> Sequence[str]: ...
    @property
    def exclude(self) -> Sequence[str]: ...
    @property
    def languages(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class BrandTerms:
    """What a connector needs to know about the monitored company to build its queries."""

    id: str
    name: str
    names: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    @classmethod
    def of(cls, brand: BrandLike) -> BrandTerms:
        return cls(id=brand.id, name=brand.name, names=tuple(brand.names), handles=tuple(brand.handles),
                   terms=tuple(brand.terms), exclude=tuple(brand.exclude), languages=tuple(brand.languages))
