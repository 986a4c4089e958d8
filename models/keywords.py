"""KeywordSentiment: complaint cues read a post no sentiment model covers, so an outage wave in Spanish pages.

Without it a post in a language no model scores stays ``"unscored"``, and detection (which counts
``sentiment == "negative"``) never hears a wave of Spanish or Japanese complaints.  This reads the short cue
lists of ``models.cues`` instead: a post with a cue (not negated; two different cues when it also thanks or
praises, three when it cites a news source and addresses no one) is ``negative`` with a modest probability
(0.65 to 0.8) and a reason that says so: ``negative by keywords (Spanish): "no funciona"``.  A cue in a question,
or in a sentence that only supposes ("if you raise the price again I switch"), reports nothing; a short post
(where language detection often errs) or one in a language without lists is also read in the languages it may
really be in.  A post with no cue gets no score at all (the router keeps it ``unscored``): absence of a
complaint word is not evidence of a neutral post.  Precision comes first: ``benchmarks/multilingual_negatives.py``
measures it per language on held-out posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from models.base import Score
from models.cues import SAME_CUES
from models.keyword_lexicon import Lexicon, Phrase, Phrases, fold, lexicon, plain
from models.language import language_name, language_scores

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+")
_CLAUSE = re.compile(r"([.,;:!?¿¡()\n。、！？،؟]+)")
_SENTENCE = re.compile(r"(?<=[.!?\n。！？؟])(?![.!?\n。！？؟])")  # split after the last of a run of stops
_WORD = re.compile(r"(?:[^\W\d_]|[\u0900-\u0963\u0971-\u097f])+")  # Devanagari vowel signs are not \w
_HANDLE = re.compile(r"(?<![\w@])@\w")
_ZERO = re.compile(r"(?<![\d.,])\b0\b(?![.,]?\d)")  # "3 mails 0 retour": a lone 0 is the word zero
_SARCASM = frozenset("🙃🙄🤡😒🤦👏")  # beside one of them, praise is not praise ("Super, 2h de retard 🙃")
NEGATION_WINDOW = 3  # words before a cue (in its clause) in which a negator cancels it
GLUED_WINDOW = 4  # characters before a cue in which an unspaced negator ("~不") cancels it


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


Span = tuple[int, int, str]  # (start, end, the post's own words): word or character offsets in the post


def _word_match(words: list[str], phrase: Phrase, at: int, lex: Lexicon) -> int:
    """Where a match of ``phrase`` at ``at`` ends, or -1.  After a leading negator up to two clitics may come
    between ("no me ha llegado" matches "no ha llegado", "non mi funziona" "non funziona")."""
    i = at
    for k, (w, prefix) in enumerate(phrase.words):
        if k == 1 and phrase.words[0][0] in lex.negators:
            for _ in range(2):
                if i < len(words) and words[i] in lex.clitics and words[i] != w:
                    i += 1
        if i >= len(words) or not (words[i].startswith(w) if prefix else words[i] == w):
            return -1
        i += 1
    return i


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
    words = [fold(w, lex.language) for w in raw]
    found = [(at, end, phrase) for at in range(len(words)) for phrase in phrases.starting(words[at])
             if (end := _word_match(words, phrase, at, lex)) > 0]
    inside = {i for start, end, _ in found for i in range(start, end)}
    for start, end, phrase in found:
        if phrase.words[0][0] not in lex.negators and _negated(words, start, inside, lex):
            continue
        if end < len(words) and words[end] in lex.after:
            continue
        yield start, end, " ".join(raw[start:end])


def _negated_around(text: str, start: int, end: int, lex: Lexicon) -> bool:
    """Substring languages: a negator word right before the match (Arabic "مو سيء"), a glued one just before it
    (Chinese "不再闪退"), or a negation right after it (Japanese "不満はない", Korean "불만 없어요")."""
    before = text[:start].split()
    after = text[end:].lstrip()
    near = text[max(0, start - GLUED_WINDOW):start]  # Chinese: a negator up to 4 characters before ("我不是要销户")
    glued = any(n[0] == "~" and n[1:] in near for n in lex.negators)
    return glued or bool(before and before[-1] in lex.negators) or any(after.startswith(a) for a in lex.after)


def _substring_spans(clause: str, needles: tuple[str, ...], lex: Lexicon) -> Iterator[Span]:
    """Every place a needle occurs in one clause, unless negated (character offsets in the clause)."""
    text = plain(clause, lex.language)
    for needle in needles:
        start = text.find(needle)
        while start >= 0:
            if not _negated_around(text, start, start + len(needle), lex):
                yield start, start + len(needle), lex.shown.get(needle, needle)
            start = text.find(needle, start + 1)


def _hypothetical(sentence: str, lex: Lexicon) -> bool:
    """A sentence that starts with "if" and denies nothing ("Si la próxima factura sube, me cambio de compañía")
    states a condition, not a failure; "si no me lo arreglan, me voy" does report one."""
    text = plain(sentence, lex.language) if lex.substring else sentence
    words = text.split() if lex.substring else [fold(w, lex.language) for w in _WORD.findall(sentence.lower())]
    words = [w.strip("،,.!?") for w in words]
    found = any((h[1:] in text) if h[0] == "~" else
                any(w.endswith(h[1:]) and len(w) > len(h) for w in words) if h[0] == "*" else
                (h in words if lex.substring else words[:1] == [h]) for h in lex.hypothetical)
    return found and not (lex.negators.intersection(words)
                          or any(u[1:] in words if u[0] == "=" else u in text for u in lex.unless))


def _rhetorical(sentence: str, lex: Lexicon) -> bool:
    """A question that asks "why" ("¿por qué me cobráis un servicio que nunca contraté?", "なんで…取られてるの？")
    complains about what it names: it does not ask whether it happened."""
    if lex.substring:
        return any(r in plain(sentence, lex.language) for r in lex.rhetorical)
    words = " " + " ".join(fold(w, lex.language) for w in _WORD.findall(sentence.lower())) + " "
    return any(f" {r} " in words for r in lex.rhetorical)


def _sentence_spans(sentence: str, phrases: Phrases | tuple[str, ...], lex: Lexicon,
                    offset: int) -> tuple[list[Span], list[Span]]:
    said: list[Span] = []
    asked: list[Span] = []
    why = _rhetorical(sentence, lex)
    parts = _CLAUSE.split(sentence)
    clauses = list(zip(parts[::2], [*parts[1::2], ""], strict=True))
    for clause, stop in clauses:
        found = (_word_spans(clause, phrases, lex) if isinstance(phrases, Phrases)
                 else _substring_spans(clause, phrases, lex))
        asks = ("?" in stop or "？" in stop or "؟" in stop) and "!" not in stop and not why  # "?!" is indignation
        into = asked if asks else said
        into += [(offset + s, offset + e, shown) for s, e, shown in found]
        offset += len(clause) + 1  # clauses never join: a gap between their offsets
    last = next((w for w in ([fold(x, lex.language) for x in _WORD.findall(c.lower())] for c, _ in reversed(clauses))
                 if w), [])
    if "?" in sentence and last[:1] and last[0] in lex.conditionals:  # "how long does a refund take, if I ...?"
        return [], said + asked
    if said and lex.hypothetical and _hypothetical(sentence, lex):
        return [], said + asked
    return said, asked


def spans(text: str, phrases: Phrases | tuple[str, ...], lex: Lexicon) -> tuple[list[Span], list[Span]]:
    """(matches in statements, matches in questions and conditions), clause by clause: a negator never reaches
    across a comma, a clause that ends in a question mark ("¿mi vuelo está retrasado?") only asks, and a
    sentence that starts with "if" and denies nothing only supposes."""
    said: list[Span] = []
    asked: list[Span] = []
    offset = 0
    for sentence in _SENTENCE.split(text):
        s, a = _sentence_spans(sentence, phrases, lex, offset)
        said += s
        asked += a
        offset += len(sentence) + 1
    return said, asked


def _distinct(found: list[Span]) -> list[str]:
    """The longest matches that do not overlap ("ne marche pas" counts once, not also as "marche pas")."""
    taken: list[Span] = []
    for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
            taken.append(span)
    return list(dict.fromkeys(shown for _, _, shown in sorted(taken)))


def _needed(text: str, cues: list[Span], lex: Lexicon, *, addressed: bool) -> int:
    """How many different cues make a complaint: one, two beside thanks or praise, three in news (a post that
    cites a source and addresses no one: "Laut Tagesschau gab es eine Störung, der Strom fiel aus").  Praise
    inside a cue ("gracias por nada"), beside a sarcastic emoji or an ironic trope does not count; a cited source
    in a post to a brand is the customer's evidence ("volgens de track en trace is het bezorgd, maar niks ontvangen
    @ParcelPro")."""
    praise = [p for p in spans(text, lex.positive, lex)[0] if all(p[1] <= c[0] or p[0] >= c[1] for c in cues)]
    ironic = bool(spans(text, lex.ironic, lex)[0])  # "Merci pour la nuit gratuite sur les sièges d'Orly"
    needed = 2 if praise and not ironic and not _SARCASM.intersection(text) else 1
    return 3 if not addressed and spans(text, lex.reports, lex)[0] else needed


_SCRIPTS = {"ko": re.compile(r"[\uac00-\ud7a3]"), "ja": re.compile(r"[\u3040-\u30ff]"),
            "ar": re.compile(r"[\u0600-\u06ff]"), "zh": re.compile(r"[\u4e00-\u9fff]"),
            "hi": re.compile(r"[\u0900-\u097f]")}
RUNNER_UP = 0.25  # a runner-up language counts when the detector gives it at least this share of the top score
SHORT_POST = 8  # words: below this, language detection is often wrong ("@iliad rete ko da stamattina" -> Tagalog)


def _candidates(text: str, language: str) -> list[str]:
    """Other languages a short or unlisted post may be in: its script first (Hangul, kana), then the detector's
    close runners-up that have cue lists (Japanese, Korean and Arabic only in their own script)."""
    own = [code for code in ("ko", "ja") if _SCRIPTS[code].search(text)]
    scores = language_scores(text)
    close = max(scores.values(), default=0.0) * RUNNER_UP  # "mahal" is dear in Tagalog, expensive in Indonesian
    ranked = [code for code in sorted(scores, key=lambda c: -scores[c]) if scores[code] >= close
              and lexicon(code) is not None and (code not in _SCRIPTS or _SCRIPTS[code].search(text))]
    codes = [c for c in dict.fromkeys(own + ranked) if SAME_CUES.get(c, c) != SAME_CUES.get(language, language)]
    return codes[:3]


class KeywordSentiment:
    """Reads complaint cues in the languages ``models.complaint_cues`` lists; never raises on odd text."""

    name = "keywords"
    version = "3"

    def covers(self, language: str) -> bool:
        return lexicon(language) is not None

    def read(self, text: str, language: str) -> Reading | None:
        """A negative Reading when the post carries a complaint cue, else None (the post stays unscored).  A short
        post, or one in a language with no lists, is also read in the languages it may really be in."""
        raw = (text or "")[:2000].replace("\x00", " ")
        clean = _ZERO.sub("zero", _NOISE.sub(" ", raw))
        reading = self._read(raw, clean, lexicon(language))
        if reading is None and (lexicon(language) is None or len(_WORD.findall(clean)) <= SHORT_POST):
            for other in _candidates(clean, language):
                if (reading := self._read(raw, clean, lexicon(other))) is not None:
                    break
        return reading

    @staticmethod
    def _read(raw: str, clean: str, lex: Lexicon | None) -> Reading | None:
        if lex is None:
            return None
        said, asked = spans(clean, lex.negative, lex)
        if not said:
            return None  # a cue only in a question asks about a problem, it does not report one
        cues = _distinct(said + asked)
        if len(cues) < _needed(clean, said + asked, lex, addressed=bool(_HANDLE.search(raw))):
            return None
        p_negative = min(0.8, 0.55 + 0.1 * len(cues))
        p_neutral = round(0.7 * (1.0 - p_negative), 2)
        return Reading(Score("negative", round(p_negative, 2), p_neutral, round(1.0 - p_negative - p_neutral, 2)),
                       tuple(cues), lex.language)
