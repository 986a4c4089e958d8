"""Tweet text normalisation shared by training and inference.

The model must see text at scoring time the way it saw it in training, so both call
:func:`normalize`.  It mirrors TweetEval's own preprocessing (``@user``, links dropped),
decodes the literal ``\\u2019`` escapes TweetEval leaves in its files, strips control
characters (NUL included) and truncates very long input to ``MAX_CHARS`` characters
before tokenisation (the tokenizer then truncates to ``max_length`` tokens).
"""

from __future__ import annotations

import re

MAX_CHARS = 2000
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def _decode_escapes(text: str) -> str:
    if "\\u" not in text:
        return text
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    # Surrogate pairs (emoji written as two escapes) become one character; lone halves vanish.
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def normalize(text: str | None) -> str:
    """Return the model-ready form of one post; never raises."""
    if not text:
        return ""
    text = _decode_escapes(str(text)[: MAX_CHARS * 2])
    text = _CONTROL.sub(" ", text)
    words = []
    for word in _SPACES.split(text):
        if not word or word.lower().startswith(("http://", "https://", "www.")):
            continue
        words.append("@user" if word.lstrip('"').startswith("@") and len(word) > 1 else word)
    return " ".join(words)[:MAX_CHARS]
