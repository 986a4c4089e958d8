"""Complaint cues per language: the word lists ``models.keywords`` reads posts with when no sentiment model
covers their language.

Written as ``models.signals.OTHER_LANGUAGES`` is (comma-separated short phrases a person can read and extend),
for the languages the category keywords cover, one module per language group.  Only strong cues: an outage
("no funciona"), a double charge, hours on hold, a parcel that never came, a cancelled flight, a churn threat,
an insult ("pésimo").  Words a neutral question also uses ("cancelar", "reembolso", "Kündigung") are left out
on purpose: precision first.

- ``negative``: the cues.  A word ending in ``*`` matches any word it starts (``awari*``: "awaria",
  "awarie"); other words match whole words; a phrase matches consecutive words (digits are not words:
  "2 fois" reads as "fois").  Accents are ignored, and so are Polish "ł" and Turkish "ı" (people type "l", "i").
- ``positive``: thanks and praise.  A post with one of them needs two different cues to be read as negative
  ("Super Service" after an hour on hold is still a complaint; "thanks, problem solved" is not).  Thanks
  inside a cue do not count ("gracias por nada", "Danke für nix" are cues).
- ``reports``: "according to" words ("según", "laut", "によると").  Like thanks, they ask for two cues: a news
  item about an outage ("Laut Tagesschau gab es gestern eine Störung") reports, it does not complain.
- ``negators``: a cue one to three words after one of them does not count ("no es una estafa"); cues that
  start with a negator ("no funciona") are exempt.  ``after``: negators that follow the cue (Turkish "değil").
- ``clitics``: pronouns and auxiliaries that may stand between a leading negator and the rest of a cue ("no me
  ha llegado" reads as "no ha llegado").
- ``hypothetical``: "if" words that make a sentence a supposition when it denies nothing ("Si la próxima factura
  sube, me cambio de compañía": no cue in it counts; "si no lo arregláis, me voy" reports a failure).  Plain
  words must open the sentence (default: ``conditionals``); ``*rsa`` is a word ending (Turkish "yaparsanız"),
  ``~なら`` anywhere (Japanese).  ``unless``: what makes such a sentence a failure after all ("直らないなら";
  ``=ما`` a whole word).
- Japanese, Korean and Arabic cues match anywhere in the text (no spaces between words, or prefixes and
  particles glued to them), so they are written as the stems people type.  There ``negators`` is the word
  right before the cue (Arabic "مو سيء") and ``after`` what follows it (Japanese "不満はない", Korean "불만 없어요");
  Arabic hamza forms of alef, "ى" and "ة" are read as "ا", "ي" and "ه" (people type them either way).
"""

from __future__ import annotations

from models.cues import germanic, indic, romance, slavic, turkish_indonesian, unspaced

SUBSTRING_LANGUAGES = frozenset({"ja", "ko", "ar", "zh"})
SAME_CUES = {"ms": "id"}  # fastText often names Indonesian posts Malay: the words are the same

CUES: dict[str, dict[str, str]] = {
    **romance.CUES, **germanic.CUES, **slavic.CUES, **turkish_indonesian.CUES, **unspaced.CUES,
    **indic.CUES,
}

__all__ = ["CUES", "SAME_CUES", "SUBSTRING_LANGUAGES"]
