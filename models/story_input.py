"""The text a story vector could be made from: the grievance, without the frame around it (measured, not on).

Why: complaint posts wrap their grievance in formulaic frames ("wow, love it: ...", "great job @brand 👏 ...",
"... thanks a lot", "hi, ...", emoji, handles, links).  A sentence encoder reads the frame as much as the
grievance, so two *different* grievances told in the same sarcastic frame land close together (issue #12: 5 of
the 7 wrong merges at cosine 0.5-0.55 in background_story's tune split shared only a sarcasm frame), while the
sarcastic and the plain telling of one grievance land further apart.  ``story_input`` drops links, handles,
emoji and emoticons, and peels frames off both ends: interjections, greetings, thanks and sarcastic praise, and
any clause made only of such words (a clause ends at . , ! ? : ; or a dash).  A frame inside the text stays, and
a post that is all frame keeps its cleaned text.  ~50 us a text.  On six grievances in five frames (all-MiniLM):
pairs of different grievances 0.29-0.42 mean cosine in one frame, 0.22 without; a sarcastic telling 0.80-0.85 and
0.46-0.54 from two plain paraphrases with its frame, 0.92 and 0.56 without.

Not the pipeline's default: the scoring stage, backtests and benchmarks embed the whole post.  Measured on the
tune splits with ``GROUNDSWELL_BENCH_STORY_INPUT=frames`` (benchmarks/spread_text.embeddings) against main,
StoryConfig defaults (embed_merge 0.5) unless named:
- ``story_merge.py --split tune --no-words --show``: different grievances paged as one 2 -> 1 of 66 (0.5) and
  1 of 66 (``--knobs '{"embed_merge": 0.45}'``; 2 at 0.42); one grievance paged once 9 -> 8 of 12 (0.5), 9 (0.45).
- ``synthetic_spreads.py --split tune --wordings paraphrases --vectors --links none``: 36/36 all; extra story
  pages 7 -> 9 (0.5), 3 (``--embed-merge 0.45``, and at 0.42; embed_similarity 0.68-0.75 changed nothing);
  median delay from the first post 16.1 -> 18.6 (0.5), 16.1 (0.45).  With links, and ``--wordings families``:
  the same as main at 0.45 (0 extra story pages, 12.8 / 13.2 min).
- ``background_story.py --split tune --seeds 3``: extra pages 45 -> 65 (0.5), 47 (``--knobs '{"embed_merge":
  0.45}'``), 50 (0.47); exactly one page 248 -> 238 / 246 / 244 of 288; outages told 288 -> 285 / 286 / 286
  (one fast outage paged under the background's name at every setting); background alone 3 pages all.
- ``incident_join.py --split tune --similarity 0.75`` (detector ``--embed-merge 0.45``): 12/12 one incident and 5
  false joins both.
- ``GROUNDSWELL_BENCH_STORY_INPUT=blend`` (the mean of the whole post's and the frame-less vector; two encoder
  passes): story_merge 1 of 66 and 9 of 12 at 0.5 and 0.47 (3 of 66 at 0.45); synthetic paraphrases ``--links
  none`` extra story pages 5 (0.5), 4 (0.47), delays as main; with links and families as main; background_story
  extra pages 51 (0.5) / 43 (0.47), exactly one page 244 / 248, outages told 284 / 284 (4 under the background's
  name).
So the frame is also what joins a story's own sarcastic wordings in these benchmarks: without it the merge must
drop to 0.45 to keep them, and then background_story is 2 pages and 2 outages worse; the blend tells 4 outages
fewer.  Not adopted.  Read once on the report split (``story_merge.py --split report --no-words --show``,
frames): 0 of 66 different grievances as one at 0.5 and 0.45 (main: 1, "the gym charged my card after I
cancelled" with "the bank app locked everyone out on payday"), one grievance as one 10 of 12 both.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

RULE = "frames1"  # names the rule in cached vectors' identity: a changed rule must not read old vectors
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_RETWEET = re.compile(r"^\s*RT\s+@\w+\s*:?\s*", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@\w+")
_EMOTICON = re.compile(r"(?<!\S)(?:[:;=8xX][-']?[)(\]\[DPpOo3/\\|*]+|<3+|\^_?\^|[)(]+[-']?[:;=])(?!\S)")
_TOKEN = re.compile(r"[\w'’]+|[^\w\s]")
_CLAUSE_END = frozenset(".,!?:;…—–-")
# Frames that never carry a grievance, peeled off an end of the post even with no punctuation after them.
_INTERJECTIONS = frozenset("""
wow woah whoa omg omfg lol lmao lmfao rofl haha hahaha hehe smh ugh argh urgh yay yikes sigh fml wtf meh oops
hi hey hello hiya thanks thx ty tysm cheers bravo kudos pls plz
""".split())  # noqa: SIM905
_PHRASES = tuple(tuple(p.split()) for p in """
great job|good job|nice job|great work|nice work|good work|well done|way to go|nice one|good one|keep it up
love it|love this|loving it|love that|just great|just perfect|just brilliant|oh great|oh good|oh joy|how nice
how lovely|thanks a lot|thanks so much|thanks very much|thank you|thank you so much|thank you very much
thanks for nothing|thanks again|thanks in advance|many thanks|good morning|good afternoon|good evening
best service ever|best customer service ever|great service|great customer service|worst service ever
worst customer service ever|as usual|as always|yet again|once again|epic fail|not impressed|so annoying
what a joke|you guys rock|you rock|customer service at its finest|at its finest|seriously guys
""".replace("\n", "|").split("|") if p.strip())
# Words a whole frame clause may consist of ("so happy right now", "this is so bad", "not again").
_FRAME_WORDS = _INTERJECTIONS | frozenset("""
great good nice awesome amazing brilliant fantastic wonderful perfect excellent lovely cool superb stellar best
worst terrible awful horrible ridiculous unbelievable incredible pathetic useless typical classic seriously
really truly totally absolutely literally so very just too such love loving loved hate job work done well ever
again usual always yet another once lot much nothing fail epic happy impressed annoyed frustrated frustrating
disappointed disappointing joke sad thrilled shocker surprise surprised wonder guess i i'm im me my we us our
you your it it's its this that is are was be a an the for of to as at and oh ah yes no not ok okay sure right
yeah yep nope guys team folks dear why what how now here we go again
""".split())  # noqa: SIM905


def story_input(text: str) -> str:
    """The grievance of one post for its story vector (the cleaned post when it is all frame; never raises)."""
    return _story_input(text or "")


@lru_cache(maxsize=1024)  # reposts repeat a text
def _story_input(text: str) -> str:
    cleaned = _clean(text)
    tokens = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(cleaned)]
    words = [_word(t) for t, _, _ in tokens]
    first, last = _peel(words), len(words) - _peel(words[::-1], reverse=True)
    kept = [w for w in words[first:last] if w]
    if not kept:
        return cleaned or text
    return cleaned[tokens[first][1]:tokens[last - 1][2]]


def _clean(text: str) -> str:
    """Without a retweet's prefix, links, handles, emoji and emoticons; '#' dropped from hashtags."""
    text = _HANDLE.sub(" ", _URL.sub(" ", _RETWEET.sub("", text)))
    text = "".join(" " if unicodedata.category(c) in ("So", "Sk", "Cs", "Co", "Cf") or c == "\ufe0f" else c
                   for c in text)
    text = _EMOTICON.sub(" ", text).replace("#", " ")
    return " ".join(text.split())


def _word(token: str) -> str | None:
    """The lower-case word of a token; None for punctuation ending a clause (other marks are ''). """
    if token in _CLAUSE_END:
        return None
    return token.lower().replace("’", "'") if token[0].isalnum() or token[0] in "'’_" else ""


def _peel(words: list[str | None], reverse: bool = False) -> int:
    """How many tokens at the start of ``words`` are frame (interjections, frame phrases, whole frame clauses)."""
    i = 0
    while i < len(words):
        if not words[i]:  # punctuation
            i += 1
            continue
        step = _phrase_at(words, i, reverse) or (1 if words[i] in _INTERJECTIONS else 0)
        if not step:
            end = next((j for j in range(i, len(words)) if words[j] is None), len(words))
            step = end - i if end < len(words) and _all_frame(words[i:end], reverse) else 0
        if not step:
            return i
        i += step
    return i


def _phrase_at(words: list[str | None], i: int, reverse: bool) -> int:
    """Length of the longest frame phrase starting at ``i`` (``words`` reversed: ending there), else 0."""
    best = 0
    for phrase in _PHRASES:
        want = phrase[::-1] if reverse else phrase
        if len(want) > best and tuple(words[i:i + len(want)]) == want:
            best = len(want)
    return best


def _all_frame(words: list[str | None], reverse: bool) -> bool:
    """Whether a clause is made only of frame phrases and frame words."""
    i = 0
    while i < len(words):
        step = _phrase_at(words, i, reverse) or (1 if not words[i] or words[i] in _FRAME_WORDS else 0)
        if not step:
            return False
        i += step
    return True
