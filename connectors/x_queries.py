"""X recent-search queries for a brand: names, @handles and terms OR-ed, with exclusions and languages,
split so each stays under X's 512-character limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.paging import quote_term, split_query
from monitor.brands import BrandTerms


def build_queries(brand: BrandTerms | Sequence[BrandTerms], languages: list[str],
                  include_retweets: bool) -> list[str]:
    """Brand names, @handles and terms OR-ed, with exclusions/languages, split under 512 characters.

    Several brands share the queries (one source serving many): their terms are OR-packed together and
    only the exclusions every brand has go into the query; the others are applied when routing mentions.
    """
    brands = [brand] if isinstance(brand, BrandTerms) else list(brand)
    terms = [quote_term(n) for b in brands for n in b.names or (b.name,)]
    terms += [f"@{h.lstrip('@')}" for b in brands for h in b.handles]
    terms += [quote_term(t) for b in brands for t in b.terms]
    shared = [e for e in brands[0].exclude if all(e in b.exclude for b in brands[1:])]
    suffix = [f"-{quote_term(e)}" for e in shared]
    if languages:
        langs = [f"lang:{code}" for code in languages]
        suffix.append(langs[0] if len(langs) == 1 else "(" + " OR ".join(langs) + ")")
    if not include_retweets:
        suffix.append("-is:retweet")
    return split_query(terms, " ".join(suffix))


def query_languages(brands: Sequence[BrandTerms]) -> list[str]:
    """The brands' languages for the query; none (all languages) when any brand wants every language."""
    if any(not b.languages for b in brands):
        return []
    return list(dict.fromkeys(code for b in brands for code in b.languages))


def brand_reply_queries(brand: BrandTerms | Sequence[BrandTerms]) -> list[str]:
    brands = [brand] if isinstance(brand, BrandTerms) else list(brand)
    return split_query([f"from:{h.lstrip('@')}" for b in brands for h in b.handles], "is:reply")


def describe_error(error: dict[str, Any]) -> str:
    """One of X's partial errors (a batch that is otherwise fine) as a problem line."""
    return f"X partial error: {error.get('title', 'error')}: {error.get('detail', '')}"[:300]
