"""KeywordSentiment: complaint cues read a post no sentiment model covers, so an outage wave in Spanish pages.

Without it a post in a language no model scores stays ``"unscored"``, and detection (which counts
``sentiment == "negative"``) never hears a wave of Spanish or Japanese complaints.  This reads the short cue
lists of ``models.complaint_cues`` instead: a post with a cue (not negated; two different cues when it also
thanks or praises) is ``negative`` with a modest probability (0.65 to 0.8) and a reason that says so:
``negative by keywords (Spanish): "no funciona"``.  A post with no cue gets no score at all (the router keeps
it ``unscored``): absence of a complaint word is not evidence of a neutral post.  Precision comes first:
``benchmarks/multilingual_negatives.py`` measures it per language on held-out posts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from models.base import Score
from models.complaint_cues import CUES, SAME_CUES, SUBSTRING_LANGUAGES
from models.language import language_name

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+")
_CLAUSE = re.compile(r"([.,;:!?¿¡()\n。、！？،؟]+)")
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")  # tatweel and harakat: optional in writing
NEGATION_WINDOW = 3  # words before a cue (in its clause) in which a negator cancels it


@dataclass(frozen=True)
class Phrase:
    words: tuple[tuple[str, bool], ...]  # (folded word, matches as a prefix)


@dataclass(frozen=True)
class Phrases:
    """Phrases indexed by their first word, so each word of a post is tried only against those it can start."""

    by_first: dict[str, tuple[Phrase, ...]]
    by_prefix: tuple[Phrase, ...]  # phrases whose first word is a prefix ("awari*")

    @classmethod
    def of(cls, phrases: list[Phrase]) -> Phrases:
        by_first: dict[str, list[Phrase]] = {}
        for phrase in phrases:
            if not phrase.words[0][1]:
                by_first.setdefault(phrase.words[0][0], []).append(phrase)
        return cls({w: tuple(ps) for w, ps in by_first.items()}, tuple(p for p in phrases if p.words[0][1]))

    def starting(self, word: str) -> tuple[Phrase, ...]:
        return self.by_first.get(word, ()) + self.by_prefix


@dataclass(frozen=True)
class Lexicon:
    language: str
    negative: Phrases | tuple[str, ...]  # phrases, or substrings for SUBSTRING_LANGUAGES
    positive: Phrases | tuple[str, ...]
    negators: frozenset[str]
    after: frozenset[str]
    substring: bool


@dataclass(frozen=True)
class Reading:
    """What the cues found in one post: its score and the words that made it."""

    score: Score
    cues: tuple[str, ...]
    language: str

    @property
    def reason(self) -> str:
        quoted = ", ".join(f'"{cue}"' for cue in self.cues[:3])
        return f"negative by keywords ({language_name(self.language)}): {quoted}"


def fold(text: str) -> str:
    """Lower case without accents ("Pésimo" -> "pesimo", "İptal" -> "iptal"): people drop them in posts."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _plain(text: str, language: str) -> str:
    """Substring languages: compatibility forms folded (full-width letters), no accents to drop."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _ARABIC_MARKS.sub("", text) if language == "ar" else text


def _pieces(spec: str) -> list[str]:
    return [p.strip() for p in spec.split(",") if p.strip()]


def _phrase(piece: str) -> Phrase:
    words = [w for w in piece.split() if w]
    return Phrase(tuple((fold(w.rstrip("*")), w.endswith("*")) for w in words))


@lru_cache(maxsize=32)
def lexicon(language: str) -> Lexicon | None:
    """The compiled cue lists for ``language`` (or the language whose words it shares), None when there are none."""
    code = SAME_CUES.get(language, language)
    spec = CUES.get(code)
    if spec is None:
        return None
    substring = code in SUBSTRING_LANGUAGES
    negative: Phrases | tuple[str, ...]
    positive: Phrases | tuple[str, ...]
    if substring:
        negative = tuple(_plain(p, code) for p in _pieces(spec["negative"]))
        positive = tuple(_plain(p, code) for p in _pieces(spec.get("positive", "")))
    else:
        negative = Phrases.of([_phrase(p) for p in _pieces(spec["negative"])])
        positive = Phrases.of([_phrase(p) for p in _pieces(spec.get("positive", ""))])
    return Lexicon(code, negative, positive, frozenset(fold(w) for w in _pieces(spec.get("negators", ""))),
                   frozenset(fold(w) for w in _pieces(spec.get("after", ""))), substring)


Span = tuple[int, int, str]  # (start, end, the post's own words): word or character offsets in the post


def _word_matches(words: list[str], phrase: Phrase, at: int) -> bool:
    if at + len(phrase.words) > len(words):
        return False
    return all(words[at + k].startswith(w) if prefix else words[at + k] == w
               for k, (w, prefix) in enumerate(phrase.words))


def _word_spans(clause: str, phrases: Phrases, lex: Lexicon) -> Iterator[Span]:
    """Matches of ``phrases`` in one clause that no negator cancels (word offsets in the clause).  A negator
    inside another match ("no funciona y nadie responde") negates nothing else."""
    raw = [w.lower() for w in _WORD.findall(clause)]
    words = [fold(w) for w in raw]
    found = [(at, at + len(phrase.words), phrase) for at in range(len(words))
             for phrase in phrases.starting(words[at]) if _word_matches(words, phrase, at)]
    inside = {i for start, end, _ in found for i in range(start, end)}
    for start, end, phrase in found:
        before = [words[i] for i in range(max(0, start - NEGATION_WINDOW), start) if i not in inside]
        if phrase.words[0][0] not in lex.negators and lex.negators.intersection(before):
            continue
        if end < len(words) and words[end] in lex.after:
            continue
        yield start, end, " ".join(raw[start:end])


def _substring_spans(clause: str, needles: tuple[str, ...], lex: Lexicon) -> Iterator[Span]:
    """Every place a needle occurs in one clause (character offsets in the clause)."""
    text = _plain(clause, lex.language)
    for needle in needles:
        start = text.find(needle)
        while start >= 0:
            yield start, start + len(needle), needle
            start = text.find(needle, start + 1)


def spans(text: str, phrases: Phrases | tuple[str, ...], lex: Lexicon) -> tuple[list[Span], list[Span]]:
    """(matches in statements, matches in questions), clause by clause: a negator never reaches across a
    comma, and a clause that ends in a question mark ("¿mi vuelo está retrasado?") only asks."""
    said: list[Span] = []
    asked: list[Span] = []
    offset = 0
    parts = _CLAUSE.split(text)
    for clause, stop in zip(parts[::2], [*parts[1::2], ""], strict=True):
        found = (_word_spans(clause, phrases, lex) if isinstance(phrases, Phrases)
                 else _substring_spans(clause, phrases, lex))
        into = asked if "?" in stop or "？" in stop or "؟" in stop else said
        into += [(offset + s, offset + e, shown) for s, e, shown in found]
        offset += len(clause) + 1  # clauses never join: a gap between their offsets
    return said, asked


def _distinct(found: list[Span]) -> list[str]:
    """The longest matches that do not overlap ("ne marche pas" counts once, not also as "marche pas")."""
    taken: list[Span] = []
    for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    return list(dict.fromkeys(shown for _, _, shown in sorted(taken)))


class KeywordSentiment:
    """Reads complaint cues in the languages ``models.complaint_cues`` lists; never raises on odd text."""

    name = "keywords"
    version = "1"

    def covers(self, language: str) -> bool:
        return lexicon(language) is not None

    def read(self, text: str, language: str) -> Reading | None:
        """A negative Reading when the post carries a complaint cue, else None (the post stays unscored)."""
        lex = lexicon(language)
        if lex is None:
            return None
        clean = _NOISE.sub(" ", (text or "")[:2000].replace("\x00", " "))
        said, asked = spans(clean, lex.negative, lex)
        if not said:
            return None  # a cue only in a question asks about a problem, it does not report one
        cues = _distinct(said + asked)
        if len(cues) < 2 and spans(clean, lex.positive, lex)[0]:  # thanks or praise (not in a question)
            return None
        p_negative = min(0.8, 0.55 + 0.1 * len(cues))
        p_neutral = round(0.7 * (1.0 - p_negative), 2)
        return Reading(Score("negative", round(p_negative, 2), p_neutral, round(1.0 - p_negative - p_neutral, 2)),
                       tuple(cues), lex.language)
