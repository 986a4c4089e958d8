"""The compiled form of the cue lists in ``models.cues`` that ``models.keywords`` reads posts with: phrases
indexed by their first word, words folded the way people type them (no accents, Polish "ł" as "l")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from models.cues import CUES, SAME_CUES, SUBSTRING_LANGUAGES

_ARABIC_MARKS = re.compile(r"[\u0640\u064b-\u065f\u0670]")  # tatweel and harakat: optional in writing
_ARABIC_LETTERS = str.maketrans("أإآىة", "ااايه")  # hamza on alef, alef maqsura, ta marbuta: typed either way
_UNDECOMPOSED = str.maketrans("łı", "li")  # Polish ł, Turkish dotless ı: no accent to strip, typed as l, i
_GERMAN_SPELLED = re.compile(r"(?<=[aou])e")  # "erhoeht", "Begruendung": umlauts typed as ae/oe/ue

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
    clitics: frozenset[str]  # pronouns and auxiliaries that may stand between a negator and its verb
    conditionals: frozenset[str]  # "if": a negator after one states a condition ("se non risolvete disdico")
    hypothetical: tuple[str, ...]  # "if" that makes a sentence hypothetical ("*rsa": a word ending, "~なら": anywhere)
    unless: tuple[str, ...]  # a negation that makes that "if" a failure ("直らないなら"; "=ما": a whole word)
    rhetorical: tuple[str, ...]  # "why": a question with one of them complains ("¿por qué me cobráis...?")
    ironic: Phrases | tuple[str, ...]  # sarcastic tropes ("a free night on the airport chairs"): praise beside is irony
    substring: bool
    shown: dict[str, str]  # substring languages: a cue as matched -> as written in the list ("سيئه" -> "سيئة")


def fold(text: str, language: str = "") -> str:
    """Lower case without accents ("Pésimo" -> "pesimo", "İptal" -> "iptal", "działa" -> "dziala"): people drop
    them in posts.  German also without the e of a typed-out umlaut and with ß as ss ("erhoeht" = "erhöht")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").lower().translate(_UNDECOMPOSED))
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _GERMAN_SPELLED.sub("", folded.replace("ß", "ss")) if language == "de" else folded


def plain(text: str, language: str) -> str:
    """Substring languages: compatibility forms folded (full-width letters), no accents to drop."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS) if language == "ar" else text


def _pieces(spec: str) -> list[str]:
    return [p.strip() for p in spec.split(",") if p.strip()]


def _phrase(piece: str, language: str) -> Phrase:
    words = [w for w in piece.split() if w]
    return Phrase(tuple((fold(w.rstrip("*"), language), w.endswith("*")) for w in words))


@lru_cache(maxsize=32)
def lexicon(language: str) -> Lexicon | None:
    """The compiled cue lists for ``language`` (or the language whose words it shares), None when there are none."""
    code = SAME_CUES.get(language, language)
    if code not in CUES:
        return None
    spec, substring = CUES[code], code in SUBSTRING_LANGUAGES

    def compiled(key: str) -> Phrases | tuple[str, ...]:
        pieces = _pieces(spec.get(key, ""))
        if key == "negative":  # the ironic tropes are cues too
            pieces += _pieces(spec.get("ironic", ""))
        return tuple(plain(p, code) for p in pieces) if substring else Phrases.of([_phrase(p, code) for p in pieces])

    def words(key: str) -> frozenset[str]:
        return frozenset(plain(w, code) if substring else fold(w, code) for w in _pieces(spec.get(key, "")))

    hypothetical = _pieces(spec.get("hypothetical", spec.get("conditionals", "")))
    return Lexicon(code, compiled("negative"), compiled("positive"), compiled("reports"), words("negators"),
                   words("after"), words("clitics"), words("conditionals"),
                   tuple(plain(w, code) if substring else fold(w, code) for w in hypothetical),
                   tuple(plain(w, code) for w in _pieces(spec.get("unless", ""))),
                   tuple(plain(w, code) if substring else fold(w, code) for w in _pieces(spec.get("rhetorical", ""))),
                   compiled("ironic"), substring,
                   {plain(p, code): p for p in _pieces(spec["negative"])} if substring else {})
