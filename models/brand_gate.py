"""How much a post reads as aimed at a company: the weight of the brand head in the bundled blend.

The bundled model has two heads (``models/transformer.py``): a general one (TweetEval: tweets about anything) and a
brand-directed one (a calm "on hold, number 14 in the queue @Acme" is a complaint).  One fixed mix of the two has to
serve both kinds of post; this gate picks the mix per post instead, from a few cheap cues of a post addressed to a
company: it @-mentions a customer-service account (``@AppleSupport``, ``@comcastcares``, ``@AskPlayStation``: a
handle named for support, help, care, service or "ask"), names a complaint category (billing, delivery, ...), speaks
to "you", asks for help or a DM.  A bare @-reply is not a cue: people reply to friends far more than to companies.
A logistic score over those cues (fitted by ``models/train/head_gate.py``) maps the post to a brand weight between
``low`` and ``high``.  Only the text is used, so a score stays a pure function of its text (score caches hold).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from models.signals import classify_category
from models.textprep import normalize

FEATURES = ("service_handle", "category", "you", "service", "question", "first_person")
_PATTERNS = {
    "you": re.compile(r"\b(?:you|your|you're|youre|u|ur|y'all|yall)\b"),
    "service": re.compile(r"\b(?:dm|dms|dm'd|dmed|help|pls|please|customer|service|support|fix|fixed|order|account|"
                          r"refund|still|waiting|hold|reply|respond|cancel|booking|ticket|phone|app)\b"),
    "first_person": re.compile(r"\b(?:i|i'm|im|i've|my|me|we|our)\b"),
}
SERVICE_HANDLE = re.compile(r"@\w*(?:support|help|helps|helpers|care|cares|service|assist|desk)\b|@ask\w+",
                            re.IGNORECASE)


def features(text: str) -> list[float]:
    """The gate's cues for one raw post (0/1 each, category its confidence); handles are read before
    ``normalize`` turns them into ``@user``, the words after it (as the model reads them)."""
    clean = normalize(text)
    lowered = clean.lower().replace("’", "'")
    category = classify_category(clean)
    return [float(SERVICE_HANDLE.search(text[:2000]) is not None), category.confidence if category is not None else 0.0,
            *(float(_PATTERNS[name].search(lowered) is not None) for name in ("you", "service")),
            float("?" in lowered), float(_PATTERNS["first_person"].search(lowered) is not None)]


@dataclass(frozen=True)
class BrandGate:
    """brand weight = low + (high - low) * sigmoid(bias + coef . features)."""

    coef: tuple[float, ...]
    bias: float
    low: float
    high: float

    @classmethod
    def from_meta(cls, gate: Mapping[str, Any]) -> BrandGate:
        """From ``meta.json``'s ``gate`` object; raises ValueError/KeyError/TypeError when malformed."""
        if list(gate.get("features", FEATURES)) != list(FEATURES):
            raise ValueError(f"gate was fitted on features {gate['features']}, this code computes {list(FEATURES)}")
        coef = tuple(float(c) for c in gate["coef"])
        low, high = float(gate["low"]), float(gate["high"])
        if len(coef) != len(FEATURES) or not (0.0 <= low <= 1.0 and 0.0 <= high <= 1.0):
            raise ValueError(f"gate needs {len(FEATURES)} coefficients and low/high in 0..1")
        return cls(coef, float(gate["bias"]), low, high)

    def directed(self, text: str) -> float:
        """Probability-like score (0..1) that the raw post is addressed to a company."""
        z = self.bias + sum(c * f for c, f in zip(self.coef, features(text), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def weights(self, texts: Sequence[str]) -> list[float]:
        """The brand head's weight for each raw text."""
        return [self.low + (self.high - self.low) * self.directed(t) for t in texts]
