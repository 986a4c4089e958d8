"""Churn threat: is the customer saying they are leaving?  A small trained classifier with reasons.

Logistic regression (``models/train/train_churn.py``, weights in ``models/artifacts/churn``)
over words, word pairs and named cues (:mod:`models.churn_features`): cancelling a subscription,
switching to a competitor, "never again", "you lost a customer", porting a number, not renewing,
looking for alternatives, in 15 languages.  Negated cues ("I'm not cancelling"), hedges
("thinking about switching": reported with 0.75x the confidence), conditions, cancelling something else (an order,
a flight) and moves *towards* the brand ("switched to you") are features too, and three guards
make sure that a post with no un-negated leaving cue that talks about joining or coming back,
or a happy past-tense switching story, is never a threat.  The reason names the cue that decided,
quoting the post; without one it quotes the words that weighed most.  Pure Python, ~6k posts/s.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.churn_features import REASONS, Cue, features, find_cues, prepare
from monitor.brands import BrandTerms
from monitor.errors import ModelError

ARTIFACT = Path(__file__).parent / "artifacts" / "churn" / "churn-lr.json"
_JOINING = frozenset(("switch_to_brand", "come_back"))
_SWITCH_ONLY = frozenset(("switch_away", "switch_generic"))
_CANCEL_ONLY = frozenset(("cancel_rel", "cancel_bare"))
_NOT_LEAVING = frozenset(("cancel_part", "charged_after"))
_HANDLE = re.compile(r"@\w+")
_HEDGED = 0.75  # "thinking about switching", "if this isn't fixed I'll leave": still a threat, less firm
_PAST_SWITCH = re.compile(r"\b(?:switched|moved|ported|joined|changed)\b")


@dataclass(frozen=True)
class ChurnModel:
    bias: float
    threshold: float
    cue_scale: float
    weights: dict[str, float]
    version: str

    def value(self, feature: str) -> float:
        return self.weights.get(feature, 0.0) * (self.cue_scale if feature.startswith("cue:") else 1.0)


@lru_cache(maxsize=4)
def load_churn_model(path: Path = ARTIFACT) -> ChurnModel:
    """The trained weights; a clear ModelError when the artifact is missing or broken."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ChurnModel(float(raw["bias"]), float(raw["threshold"]), float(raw.get("cue_scale", 1.0)),
                          {str(k): float(v) for k, v in raw["weights"].items()}, str(raw.get("version", "0")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(f"churn model at {path} is missing or corrupt ({exc}). Reinstall Groundswell so "
                         "models/artifacts/churn is complete, or retrain: python -m models.train.train_churn") from exc


@dataclass(frozen=True)
class Evidence:
    probability: float  # before the threshold and the guards
    prepared: str
    cues: list[Cue]
    features: list[str]


def churn_evidence(text: str, brand: BrandTerms | None = None, model: ChurnModel | None = None) -> Evidence:
    """The classifier's probability for one post, with what it saw (``model``: another artifact, to compare)."""
    model = model or load_churn_model()
    prepared = prepare(text, brand)
    cues = find_cues(prepared)
    feats = features(prepared, cues)
    z = model.bias + sum(model.value(f) for f in feats)
    return Evidence(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), prepared, cues, feats)


def guarded(cues: list[Cue], prepared_text: str) -> bool:
    """True when the post must not be a threat whatever the weights say."""
    names = {c.name for c in cues}
    leaving = names & REASONS.keys()
    if not leaving and (names & _JOINING or any(n.startswith("neg_") for n in names)):
        return True  # joining, coming back, or only negated leaving ("I'm not cancelling")
    if leaving <= _CANCEL_ONLY and names & _NOT_LEAVING:
        return True  # a second/old/duplicate account closed, or billed after a past cancellation
    return "happy" in names and leaving <= _SWITCH_ONLY and bool(_PAST_SWITCH.search(prepared_text))


def _display(quote: str, brand: BrandTerms | None, text: str) -> str:
    """A quote from the prepared text with the brand's name back in place of its placeholder."""
    handle = _HANDLE.search(text or "")
    shown = brand.name if brand is not None else (handle.group(0) if handle else "the brand")
    return quote.replace("brandx", shown).replace("otherx", "@…")


def _reason(model: ChurnModel, cues: list[Cue], feats: list[str], brand: BrandTerms | None, text: str) -> str:
    deciding = [c for c in cues if c.name in REASONS]
    if deciding:
        best = max(deciding, key=lambda c: model.value("cue:" + c.name))
        return f'{REASONS[best.name]}: "{_display(best.quote, brand, text)}"'
    words = sorted((f for f in feats if not f.startswith("cue:") and model.value(f) > 0),
                   key=model.value, reverse=True)[:2]
    quoted = ", ".join(f'"{_display(f[2:].replace("_", " "), brand, text)}"' for f in words)
    return f"sounds like they are leaving: {quoted}" if quoted else "sounds like they are leaving"


def find_churn(text: str, brand: BrandTerms | None = None,
               model: ChurnModel | None = None) -> tuple[float, str] | None:
    """(confidence, reason) when the post is a churn threat against ``brand``, else None."""
    model = model or load_churn_model()
    seen = churn_evidence(text, brand, model)
    if seen.probability < model.threshold or guarded(seen.cues, seen.prepared):
        return None
    firmness = _HEDGED if {c.name for c in seen.cues} & {"hedge", "conditional"} else 1.0
    return round(seen.probability * firmness, 2), _reason(model, seen.cues, seen.features, brand, text)
