"""Complaint signals per mention: churn threat, category, aimed at the brand, language.

Minimal first version (the sentiment issue refines it); the interface is stable:
``extract_signals(text, brand, categories) -> Signals`` and ``Signals.to_json()``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import BrandTerms

DEFAULT_CATEGORIES: dict[str, str] = {
    "outage": "outage down not working no service offline connection dropped",
    "billing": "bill billing charged overcharged price pricing refund fee invoice",
    "support": "support customer service agent hold waiting call nobody reply ignored",
    "delivery": "delivery shipping parcel package courier late arrived",
    "quality": "broken faulty defective quality slow crash bug",
    "safety": "unsafe danger fire injury hazard",
    "account": "account password login hacked locked security",
}
_CHURN = re.compile(
    r"\b(switch(ing|ed)? (to|provider)|cancel+(ing|ed)? (my|our|the)|never again|done with (you|them)|"
    r"taking my business|leaving (you|for)|new provider|port(ing)? my number)\b", re.I)


@dataclass(frozen=True)
class Signal:
    value: str
    confidence: float
    reason: str


@dataclass(frozen=True)
class Signals:
    churn_threat: Signal | None
    category: Signal | None
    aimed_at_brand: bool
    language: str
    non_english: bool

    def to_json(self) -> dict[str, Any]:
        def pack(signal: Signal | None) -> dict[str, Any] | None:
            return None if signal is None else {"value": signal.value, "confidence": signal.confidence,
                                                "reason": signal.reason}
        return {"churn_threat": pack(self.churn_threat), "category": pack(self.category),
                "aimed_at_brand": self.aimed_at_brand, "language": self.language,
                "non_english": self.non_english}


def extract_signals(text: str, brand: BrandTerms | None = None,
                    categories: Mapping[str, str] | None = None) -> Signals:
    lowered = (text or "").lower()
    churn = None
    if match := _CHURN.search(lowered):
        churn = Signal("churn_threat", 0.8, f'says "{match.group(0)}"')
    best, hits = None, 0
    for name, description in (categories or DEFAULT_CATEGORIES).items():
        count = sum(1 for word in description.split() if re.search(rf"\b{re.escape(word)}", lowered))
        if count > hits:
            best, hits = name, count
    category = Signal(best, min(0.9, 0.4 + 0.2 * hits), "matches its words") if best else None
    names = [n.lower() for n in (brand.names + brand.handles + (brand.name,))] if brand else []
    aimed = any(name in lowered for name in names) if names else True
    ascii_share = sum(ch.isascii() for ch in lowered) / max(1, len(lowered))
    language = "en" if ascii_share > 0.9 else "und"
    return Signals(churn, category, aimed, language, language != "en")
