"""LexiconSentiment: the simplest honest model, a word list.

It exists so Groundswell runs where torch is not installed (``model.sentiment = "lexicon"``)
and as a baseline the benchmarks beat.  It misses sarcasm; the bundled transformer does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from models.base import Score

NEGATIVE = frozenset(
    """
    down outage broken broke breaks terrible awful worst useless angry furious disgusting pathetic
    hate hopeless joke ridiculous unacceptable slow dropped drops dropping disconnected disconnects
    fail failed failing fails failure cancel cancelling canceling cancelled refund scam rip ripoff
    overcharged charged waiting wait ignored ignore ignoring rude nobody never again sucks shocking
    disappointed disappointing frustrated frustrating annoyed worse lost missing crash crashed error
    problem problems issue issues complaint complain complaining nightmare dead no-show switching
""".split()  # noqa: SIM905
)
POSITIVE = frozenset(
    """
    thanks thank great love loving loved awesome amazing excellent fast brilliant happy helpful fixed
    perfect best good nice wonderful fantastic superb quick solved resolved recommend impressed smooth
""".split()  # noqa: SIM905
)
NEGATORS = frozenset({"not", "no", "never", "dont", "don't", "isn't", "wasn't", "cant", "can't", "won't"})
_WORD = re.compile(r"[a-z][a-z'-]*")


class LexiconSentiment:
    name = "lexicon"
    version = "1"

    def score(self, texts: Sequence[str]) -> list[Score]:
        return [self._score_one(text) for text in texts]

    def _score_one(self, text: str) -> Score:
        words = _WORD.findall((text or "").lower()[:5000])
        balance = 0.0
        for index, word in enumerate(words):
            polarity = (word in POSITIVE) - (word in NEGATIVE)
            if polarity and index and words[index - 1] in NEGATORS:
                polarity = -polarity
            balance += polarity
        if balance == 0:
            return Score.from_probabilities((0.2, 0.6, 0.2))
        strength = min(0.9, 0.55 + 0.15 * abs(balance))
        rest = (1 - strength) / 2
        return Score.from_probabilities((strength, rest, rest) if balance < 0 else (rest, rest, strength))
