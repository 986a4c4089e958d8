"""What every part needs to know about a monitored company: its names, handles and search terms.

Plain data at the root of the shared base, so connectors (queries) and models (signals) use it
without importing each other.
"""

from __future__ import annotations

import re
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


class BrandRouter:
    """Which of several brands a post is about, for a source whose one query serves them all.

    A brand owns a post that names it (a name, an alias, an @handle or a search term, on word boundaries,
    any case) and holds none of its exclusions, unless it @-mentions the brand outright; a brand's own reply
    belongs to that brand.  A post can belong to several brands (stored once for each).  One pattern of
    every brand's words finds the candidates, so routing costs the same for 1,000 brands as for 2.
    """

    def __init__(self, brands: Sequence[BrandTerms]) -> None:
        self.brands = tuple(brands)
        self._owners: dict[str, set[int]] = {}  # word (lower case) -> brands it names
        for i, b in enumerate(self.brands):
            for word in (*b.names, b.name, *b.terms, *(f"@{h.lstrip('@')}" for h in b.handles)):
                self._owners.setdefault(_clean(word).lower(), set()).add(i)
        self._owners.pop("", None)
        self._names = _pattern(list(self._owners))
        self._handles = [_pattern([f"@{h.lstrip('@')}" for h in b.handles]) for b in self.brands]
        self._exclude = [_pattern(list(b.exclude)) for b in self.brands]
        self._own = {h.lstrip("@").lower(): i for i, b in enumerate(self.brands) for h in b.handles}

    def owners(self, text: str, author_handle: str = "") -> list[str]:
        """The ids of the brands this post belongs to (empty: none of them)."""
        own = self._own.get(author_handle.lstrip("@").lower())
        if own is not None:
            return [self.brands[own].id]
        named = {i for hit in (self._names.finditer(text) if self._names else ())
                 for i in self._owners.get(hit.group(0).lower(), ())}
        found = []
        for i in sorted(named):
            exclude, handles = self._exclude[i], self._handles[i]
            if exclude is not None and exclude.search(text) and not (handles and handles.search(text)):
                continue
            found.append(self.brands[i].id)
        return found


def _clean(word: str) -> str:
    return word.strip().strip('"').strip()


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """Any of ``words`` as a whole word, any case (longest first, so "Acme Cloud" wins over "Acme")."""
    words = [w for w in dict.fromkeys(_clean(w) for w in words) if w]
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w$@])(?:{alternatives})(?![\w])", re.IGNORECASE)
