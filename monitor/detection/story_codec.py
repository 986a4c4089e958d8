"""Stories as a few columns for a checkpoint: small to store and quick to pickle, exact to restore.

Why: a busy brand holds thousands of stories, most of them one post, and its checkpoint is written after
every pass.  Pickling each story's objects cost ~25 us a story, and MinHash signatures (random 32-bit
values) do not compress; so the columns hold the exemplars' *texts* (None: the story's example, its first
post) and the signatures are recomputed on load (``minhash_many``).  Numbers go column by column, as
bit patterns XORed with the story's first time where they usually equal it (a one-post story's last time
and its author's time), their bytes grouped by significance so what is constant compresses away.  Words go
through one vocabulary.  A story's recent authors that are its last authors' very entries are stored as a
count, and share those entries again when loaded.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import accumulate
from typing import Any

import numpy as np

from monitor.detection.story_state import Author, Story
from monitor.detection.story_text import clean_text, minhash_many

_U64 = np.uint64
_FIELDS = 8  # counts per story: texts, words, authors, recent, refs, vecs, posts, recent-is-last-authors


def _bits(values: list[float]) -> np.ndarray:
    return np.frombuffer(array("d", values), dtype=_U64)


def _shuffle(raw: np.ndarray) -> bytes:
    """Numbers as bytes, byte planes one after another (constant high bytes then compress away)."""
    return np.ascontiguousarray(raw.view(np.uint8).reshape(-1, raw.itemsize).T).tobytes()


def _unshuffle(blob: bytes, dtype: Any) -> np.ndarray:
    size = np.dtype(dtype).itemsize
    planes = np.frombuffer(blob, dtype=np.uint8).reshape(size, -1)
    values: np.ndarray = np.ascontiguousarray(planes.T).view(dtype).ravel()
    return values


def _ints(values: list[int]) -> bytes:
    return _shuffle(np.frombuffer(array("q", values), dtype=np.int64))


def _counts(values: list[int]) -> bytes:
    return _shuffle(np.frombuffer(array("i", values), dtype=np.int32))


def _recent_is_tail(story: Story) -> bool:
    """Is the recent list the last authors' entries? (Equal tuples may stand for each other: immutable.)"""
    k, n = len(story.recent), len(story.authors)
    return k == 0 or (k <= n and story.recent == list(story.authors.values())[n - k:])


def pack(stories: dict[str, Story], posts_of: Callable[[str], list[str]]) -> dict[str, Any]:
    """The stories (and the post ids that lead to each) as columns; ``unpack`` gives them back."""
    items = list(stories.values())
    posts = [posts_of(sid) for sid in stories]
    tails = [_recent_is_tail(s) for s in items]
    counts = [*map(len, (s.texts for s in items)), *map(len, (s.words for s in items)),
              *map(len, (s.authors for s in items)), *map(len, (s.recent for s in items)),
              *map(len, (s.refs for s in items)), *map(len, (s.vecs for s in items)), *map(len, posts), *tails]
    first = _bits([s.first_ts for s in items])
    numbers = np.concatenate([first, _bits([s.last_ts for s in items]) ^ first, _bits([s.reach for s in items]),
                              _bits([s.alerted for s in items])])
    own = np.repeat(first, [len(s.authors) for s in items])
    times = np.concatenate([_bits([e[0] for s in items for e in s.authors.values()]) ^ own,
                            _bits([e[1] for s in items for e in s.authors.values()]),
                            _bits([x for s, tail in zip(items, tails, strict=True) if not tail
                                   for e in s.recent for x in e])])
    words = [w for s in items for w in s.words]
    vocab = list(dict.fromkeys(words))
    return {"ids": list(stories), "examples": [s.example for s in items], "numbers": _shuffle(numbers),
            "ints": _ints([x for s in items for x in (s.mentions, s.total_authors)]), "counts": _counts(counts),
            "times": _shuffle(times), "names": [a for s in items for a in s.authors],
            "words": _counts(list(map({w: i for i, w in enumerate(vocab)}.__getitem__, words))),
            "vocab": vocab, "texts": [t for s in items for t in s.texts],
            "lost": _ints([(s.lost or {}).get(i, 0) for s in items for i in range(len(s.texts))]),
            "refs": [r for s in items for r in s.refs], "vecs": [v for s in items for v in s.vecs],
            "posts": [p for ids in posts for p in ids]}


def _take(items: list[Any], counts: list[int]) -> list[list[Any]]:
    ends = list(accumulate(counts))
    return [items[end - n:end] for n, end in zip(counts, ends, strict=True)]


def _floats(bits: np.ndarray) -> list[float]:
    floats: list[float] = bits.view(np.float64).tolist()
    return floats


def unpack(cols: dict[str, Any], num_perm: int, shingle: int) -> tuple[dict[str, Story], dict[str, list[str]]]:
    """Stories and the post ids per story, as ``pack`` was given them (signatures recomputed)."""
    ids, n = cols["ids"], len(cols["ids"])
    counts = _unshuffle(cols["counts"], np.int32).reshape(_FIELDS, n)
    numbers = _unshuffle(cols["numbers"], _U64).reshape(4, n)
    first = numbers[0]
    starts, lasts, reach, alerted = (_floats(first), _floats(numbers[1] ^ first), _floats(numbers[2]),
                                     _floats(numbers[3]))
    ints = _unshuffle(cols["ints"], np.int64).reshape(n, 2).tolist()
    times, held = _unshuffle(cols["times"], _U64), int(counts[2].sum())
    entries = list(zip(_floats(times[:held] ^ np.repeat(first, counts[2])), _floats(times[held:2 * held]),
                       strict=True))
    own = iter(_floats(times[2 * held:]))
    vocab = cols["vocab"]
    words = _take([vocab[i] for i in _unshuffle(cols["words"], np.int32).tolist()], counts[1].tolist())
    by_story, names = _take(entries, counts[2].tolist()), _take(cols["names"], counts[2].tolist())
    texts, refs = _take(cols["texts"], counts[0].tolist()), _take(cols["refs"], counts[4].tolist())
    lost = _take(_unshuffle(cols["lost"], np.int64).tolist(), counts[0].tolist())
    vecs, recents, tails = _take(cols["vecs"], counts[5].tolist()), counts[3].tolist(), counts[7].tolist()
    empty = np.empty((0, num_perm), dtype=np.uint32)
    stories: dict[str, Story] = {}
    for i, sid in enumerate(ids):
        mine, k = by_story[i], recents[i]
        recent: list[Author] = mine[len(mine) - k:] if tails[i] else [(next(own), next(own)) for _ in range(k)]
        stories[sid] = Story.restored({
            "sigs": empty, "texts": texts[i], "first_ts": starts[i], "last_ts": lasts[i], "mentions": ints[i][0],
            "authors": dict(zip(names[i], mine, strict=True)), "recent": recent, "total_authors": ints[i][1],
            "refs": refs[i], "example": cols["examples"][i], "reach": reach[i], "alerted": alerted[i],
            "words": words[i], "vecs": vecs[i], "lost": {j: m for j, m in enumerate(lost[i]) if m} or None})
    _signatures(stories, num_perm, shingle)
    return stories, dict(zip(ids, _take(cols["posts"], counts[6].tolist()), strict=True))


def _signatures(stories: dict[str, Story], num_perm: int, shingle: int) -> None:
    """Recompute every exemplar signature from its text, all in one go."""
    cleans = [clean_text(s.example) if t is None else t for s in stories.values() for t in s.texts]
    sigs = minhash_many(cleans, num_perm, shingle) if cleans else np.zeros((0, num_perm), dtype=np.uint32)
    start = 0
    for story in stories.values():
        if story.texts:
            story.sigs = sigs[start:start + len(story.texts)].copy()
            start += len(story.texts)
