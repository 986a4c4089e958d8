"""Mentions from a source that serves several brands, routed to each brand they name.

A source with ``brands = [...]`` runs one OR-packed query for all of them (quotas grow with queries, not
brands); here each fetched post goes to the brands whose names, handles or terms it holds and whose
exclusions it avoids (``monitor.brands.BrandRouter``), and is stored once per brand.  A single-brand source
is unchanged: everything it fetches is its brand's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from connectors.base import Mention
from monitor.brands import BrandRouter, BrandTerms
from monitor.settings import Settings, SourceSettings


@lru_cache(maxsize=64)
def _router(brands: tuple[BrandTerms, ...]) -> BrandRouter:
    return BrandRouter(brands)


def route(settings: Settings, source: SourceSettings,
          mentions: Sequence[Mention]) -> tuple[list[tuple[str, Mention]], list[str]]:
    """(brand id, mention) pairs to store, and a problem line for posts that named none of the brands."""
    if len(source.served) == 1:
        return [(source.brand, m) for m in mentions], []
    router = _router(tuple(BrandTerms.of(settings.brand(b)) for b in source.served))
    pairs: list[tuple[str, Mention]] = []
    unmatched = 0
    for mention in mentions:
        owners = router.owners(mention.text, mention.author.handle)
        pairs += [(brand, mention) for brand in owners]
        unmatched += not owners
    problems = [f"{unmatched} posts named none of this source's brands (or only with an exclusion); "
                "not stored"] if unmatched else []
    return pairs, problems
