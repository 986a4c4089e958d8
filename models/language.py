"""Offline language guess for a post: script first, then stopword counts for Latin-script text.

Good enough to flag "this is not English, the English sentiment model may be wrong" on
tweet-length text; not a general language identifier.  Returns an ISO 639-1 code or
``"und"`` (undetermined: empty, emoji-only, link-only, too little evidence).
"""

from __future__ import annotations

import re
import unicodedata


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and is are was to of in it you my i for on with this that not have just "
                 "be me your at but so what they we no can do don't i'm it's again why how"),
    "es": _words("el la los las que de y en es por para con una un no mi lo se del muy pero "
                 "esta está como más ya hay todo porque son nos"),
    "fr": _words("le la les des est et je ne pas que une un du de pour sur avec mon vous ce "
                 "qui il elle nous mais très c'est j'ai plus au"),
    "de": _words("der die das und ist nicht ich mit ein eine zu den von es auf für sich dem "
                 "wir sie auch noch schon mein kein ihr aber wieder"),
    "it": _words("il lo la gli le che di e è non per una un sono con mi del della ma più "
                 "questo ho anche ancora perché"),
    "pt": _words("o a os as que de e é não para com um uma do da em meu minha mas muito "
                 "isso está são já pelo ainda"),
    "nl": _words("de het een en is niet ik van dat op te met voor zijn maar ook nog je "
                 "wij geen weer mijn"),
}
_SCRIPTS = (("CYRILLIC", "ru"), ("ARABIC", "ar"), ("HEBREW", "he"), ("GREEK", "el"),
            ("DEVANAGARI", "hi"), ("THAI", "th"), ("HANGUL", "ko"), ("HIRAGANA", "ja"),
            ("KATAKANA", "ja"), ("CJK", "zh"))
_WORD = re.compile(r"[^\W\d_][\w'’]*", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#]\w+")


def _script_language(letters: str) -> str | None:
    """Language implied by a non-Latin script holding most of the letters, if any."""
    counts: dict[str, int] = {}
    for ch in letters[:500]:
        name = unicodedata.name(ch, "")
        for prefix, code in _SCRIPTS:
            if name.startswith(prefix):
                counts[code] = counts.get(code, 0) + 1
                break
    if not counts:
        return None
    code, hits = max(counts.items(), key=lambda kv: kv[1])
    if "ja" in counts and code == "zh":
        code = "ja"  # Japanese mixes kanji with kana
    return code if hits * 2 >= len(letters[:500]) else None


def detect_language(text: str) -> str:
    """ISO code of the post's language, or "und" when there is too little to tell."""
    clean = _NOISE.sub(" ", (text or "")[:2000]).replace("\\u2019", "'")
    letters = "".join(ch for ch in clean if ch.isalpha())
    if not letters:
        return "und"
    if script := _script_language(letters):
        return script
    words = [w.replace("’", "'") for w in _WORD.findall(clean.lower())]
    if not words:
        return "und"
    hits = {code: sum(1 for w in words if w in stops) for code, stops in _STOPWORDS.items()}
    best = max(hits, key=lambda code: (hits[code], code == "en"))
    if hits[best] == 0 or hits[best] <= hits["en"]:
        # No stopword evidence against English: ASCII Latin text is taken as English.
        ascii_share = sum(ch.isascii() for ch in letters) / len(letters)
        return "en" if ascii_share > 0.9 else "und"
    return best
