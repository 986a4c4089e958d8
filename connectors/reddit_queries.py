"""Reddit search queries for one brand or many: names and terms OR-packed under Reddit's 512-character ``q``.

Reddit's search endpoint takes ``q`` of at most 512 characters, and a client id gets 100 queries a minute,
so a source serving many brands (``brands = [...]``) packs all their words into as few queries as fit; the
runner routes each post to the brands it names (``monitor.brands.BrandRouter``).
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.paging import quote_term, split_query
from monitor.brands import BrandTerms

MAX_QUERY = 512  # Reddit API docs, GET /search: "q: a string no longer than 512 characters"


def build_queries(brands: Sequence[BrandTerms]) -> list[str]:
    """Every brand's names and terms OR-ed, ``NOT`` the exclusions all of them share, each under 512 characters.

    An exclusion only some brands have cannot go into a shared query (it would hide the others' posts);
    the router applies it instead.
    """
    terms = [quote_term(t) for b in brands for t in (*(b.names or (b.name,)), *b.terms)]
    shared = [e for e in brands[0].exclude if all(e in b.exclude for b in brands[1:])]
    return split_query(terms, " ".join(f"NOT {quote_term(e)}" for e in shared), max_len=MAX_QUERY)
