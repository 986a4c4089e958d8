"""X recent-search queries for a brand: names, @handles and terms OR-ed, with exclusions and languages,
split so each stays under X's 512-character limit."""

from __future__ import annotations

from typing import Any

from connectors.paging import quote_term, split_query
from monitor.brands import BrandTerms


def build_queries(brand: BrandTerms, languages: list[str], include_retweets: bool) -> list[str]:
    """Brand names, @handles and terms OR-ed, with exclusions/languages, split under 512 characters."""
    terms = [quote_term(n) for n in brand.names or (brand.name,)]
    terms += [f"@{h.lstrip('@')}" for h in brand.handles] + [quote_term(t) for t in brand.terms]
    suffix = [f"-{quote_term(e)}" for e in brand.exclude]
    if languages:
        langs = [f"lang:{code}" for code in languages]
        suffix.append(langs[0] if len(langs) == 1 else "(" + " OR ".join(langs) + ")")
    if not include_retweets:
        suffix.append("-is:retweet")
    return split_query(terms, " ".join(suffix))


def brand_reply_queries(brand: BrandTerms) -> list[str]:
    return split_query([f"from:{h.lstrip('@')}" for h in brand.handles], "is:reply")


def describe_error(error: dict[str, Any]) -> str:
    """One of X's partial errors (a batch that is otherwise fine) as a problem line."""
    return f"X partial error: {error.get('title', 'error')}: {error.get('detail', '')}"[:300]
