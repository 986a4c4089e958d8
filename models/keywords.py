"""KeywordSentiment: complaint cues read a post no sentiment model covers, so an outage wave in Spanish pages.

Without it a post in a language no model scores stays ``"unscored"``, and detection (which counts
``sentiment == "negative"``) never hears a wave of Spanish or Japanese complaints.  This reads the short cue
lists of ``models.cues`` instead: a post with a cue (not negated; two different cues when it also thanks,
praises or cites a news source) is ``negative`` with a modest probability (0.65 to 0.8) and a reason that says
so: ``negative by keywords (Spanish): "no funciona"``.  A post with no cue gets no score at all (the router keeps
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
from models.cues import CUES, SAME_CUES, SUBSTRING_LANGUAGES
from models.language import language_name

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+")
_CLAUSE = re.compile(r"([.,;:!?¿¡()\n。、！？،؟]+)")
_WORD = re.compile(r"[^\W\d_]+")
_ARABIC_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")  # tatweel and harakat: optional in writing
_ARABIC_LETTERS = str.maketrans("أإآىة", "ااايه")  # hamza on alef, alef maqsura, ta marbuta: typed either way
_UNDECOMPOSED = str.maketrans("łı", "li")  # Polish ł, Turkish dotless ı: no accent to strip, typed as l, i
_HANDLE = re.compile(r"(?<![\w@])@\w")
_SARCASM = frozenset("🙃🙄🤡😒🤦")  # beside one of them, praise is not praise ("Super, 2h de retard 🙃")
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
    reports: Phrases | tuple[str, ...]  # "according to": like thanks, two cues are needed beside one
    negators: frozenset[str]
    after: frozenset[str]
    conditionals: frozenset[str]  # "if": a negator after one states a condition ("se non risolvete disdico")
    substring: bool
    shown: dict[str, str]  # substring languages: a cue as matched -> as written in the list ("سيئه" -> "سيئة")


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
    """Lower case without accents ("Pésimo" -> "pesimo", "İptal" -> "iptal", "działa" -> "dziala"): people drop
    them in posts."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lower().translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _plain(text: str, language: str) -> str:
    """Substring languages: compatibility forms folded (full-width letters), no accents to drop."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS) if language == "ar" else text


def _pieces(spec: str) -> list[str]:
    return [p.strip() for p in spec.split(",") if p.strip()]


def _phrase(piece: str) -> Phrase:
    words = [w for w in piece.split() if w]
    return Phrase(tuple((fold(w.rstrip("*")), w.endswith("*")) for w in words))


@lru_cache(maxsize=32)
def lexicon(language: str) -> Lexicon | None:
    """The compiled cue lists for ``language`` (or the language whose words it shares), None when there are none."""
    code = SAME_CUES.get(language, language)
    if code not in CUES:
        return None
    spec, substring = CUES[code], code in SUBSTRING_LANGUAGES

    def compiled(key: str) -> Phrases | tuple[str, ...]:
        pieces = _pieces(spec.get(key, ""))
        return tuple(_plain(p, code) for p in pieces) if substring else Phrases.of([_phrase(p) for p in pieces])

    def words(key: str) -> frozenset[str]:
        return frozenset(_plain(w, code) if substring else fold(w) for w in _pieces(spec.get(key, "")))

    return Lexicon(code, compiled("negative"), compiled("positive"), compiled("reports"), words("negators"),
                   words("after"), words("conditionals"), substring,
                   {_plain(p, code): p for p in _pieces(spec["negative"])} if substring else {})


Span = tuple[int, int, str]  # (start, end, the post's own words): word or character offsets in the post


def _word_matches(words: list[str], phrase: Phrase, at: int) -> bool:
    if at + len(phrase.words) > len(words):
        return False
    return all(words[at + k].startswith(w) if prefix else words[at + k] == w
               for k, (w, prefix) in enumerate(phrase.words))


def _negated(words: list[str], start: int, inside: set[int], lex: Lexicon) -> bool:
    """A negator in the words just before a cue cancels it, unless an "if" comes before the negator in the
    clause: "se entro lunedì non risolvete disdico" threatens to cancel, it does not deny it."""
    for i in range(max(0, start - NEGATION_WINDOW), start):
        if i not in inside and words[i] in lex.negators and not lex.conditionals.intersection(words[:i]):
            return True
    return False


def _word_spans(clause: str, phrases: Phrases, lex: Lexicon) -> Iterator[Span]:
    """Matches of ``phrases`` in one clause that no negator cancels (word offsets in the clause).  A negator
    inside another match ("no funciona y nadie responde") negates nothing else."""
    raw = [w.lower() for w in _WORD.findall(clause)]
    words = [fold(w) for w in raw]
    found = [(at, at + len(phrase.words), phrase) for at in range(len(words))
             for phrase in phrases.starting(words[at]) if _word_matches(words, phrase, at)]
    inside = {i for start, end, _ in found for i in range(start, end)}
    for start, end, phrase in found:
        if phrase.words[0][0] not in lex.negators and _negated(words, start, inside, lex):
            continue
        if end < len(words) and words[end] in lex.after:
            continue
        yield start, end, " ".join(raw[start:end])


def _negated_around(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """Substring languages: a negator word right before the match (Arabic "مو سيء") or a negation right after
    it (Japanese "不満はない", Korean "불만 없어요")."""
    before = text[:start].split()
    after = text[end:].lstrip()
    return bool(before and before[-1] in lex.negators) or any(after.startswith(a) for a in lex.after)


def _substring_spans(clause: str, needles: tuple[str, ...], lex: Lexicon) -> Iterator[Span]:
    """Every place a needle occurs in one clause, unless negated (character offsets in the clause)."""
    text = _plain(clause, lex.language)
    for needle in needles:
        start = text.find(needle)
        while start >= 0:
            if not _negated_around(text, start, start + len(needle), lex):
                yield start, start + len(needle), lex.shown.get(needle, needle)
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


def _hedged(text: str, cues: list[Span], lex: Lexicon, *, addressed: bool) -> bool:
    """Thanks or praise, or a post that cites a source and addresses no one (news: "Laut Tagesschau gab es
    eine Störung"): one cue beside them is not enough to call the post a complaint.  Praise inside a cue
    ("gracias por nada") or beside a sarcastic emoji does not count; a cited source in a post to a brand is
    the customer's evidence ("volgens de track en trace is het bezorgd, maar niks ontvangen @ParcelPro")."""
    praise = [p for p in spans(text, lex.positive, lex)[0] if all(p[1] <= c[0] or p[0] >= c[1] for c in cues)]
    if praise and not _SARCASM.intersection(text):
        return True
    return not addressed and bool(spans(text, lex.reports, lex)[0])


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
        raw = (text or "")[:2000].replace("\x00", " ")
        clean = _NOISE.sub(" ", raw)
        said, asked = spans(clean, lex.negative, lex)
        if not said:
            return None  # a cue only in a question asks about a problem, it does not report one
        cues = _distinct(said + asked)
        if len(cues) < 2 and _hedged(clean, said + asked, lex, addressed=bool(_HANDLE.search(raw))):
            return None
        p_negative = min(0.8, 0.55 + 0.1 * len(cues))
        p_neutral = round(0.7 * (1.0 - p_negative), 2)
        return Reading(Score("negative", round(p_negative, 2), p_neutral, round(1.0 - p_negative - p_neutral, 2)),
                       tuple(cues), lex.language)
