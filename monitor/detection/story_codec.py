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
from collections.abc import Iterable
from itertools import accumulate, chain
from operator import attrgetter, eq
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


def _pairs(values: list[complex]) -> np.ndarray:
    """Author entries as bit patterns, (first time, weight) one after another (a complex's own layout)."""
    return np.array(values, dtype=np.complex128).view(_U64)


def _entries(times: np.ndarray, weights: np.ndarray) -> list[Author]:
    """Author entries (complex: first time, weight) from the bit patterns of their two halves."""
    joined = np.empty(len(times), dtype=np.complex128)
    joined.real, joined.imag = times.view(np.float64), weights.view(np.float64)
    entries: list[Author] = joined.tolist()
    return entries


def _ints(values: list[int]) -> bytes:
    return _shuffle(np.frombuffer(array("q", values), dtype=np.int64))


def _counts(values: list[int]) -> bytes:
    return _shuffle(np.frombuffer(array("i", values), dtype=np.int32))


def _recent_is_tail(story: Story) -> bool:
    """Is the recent list the last authors' entries? (Equal tuples may stand for each other: immutable.)"""
    k, n = len(story.recent), len(story.authors)
    return k == 0 or (k <= n and story.recent == list(story.authors.values())[n - k:])


def _column(items: list[Story], name: str) -> list[Any]:
    """One attribute of every story."""
    return list(map(attrgetter(name), items))


def _flat(lists: Iterable[Any]) -> list[Any]:
    return list(chain.from_iterable(lists))


def pack(stories: dict[str, Story], posts: dict[str, list[str]]) -> dict[str, Any]:
    """The stories (and ``posts``: the post ids that lead to each, where any) as columns; see ``unpack``."""
    items = list(stories.values())
    leads = [posts.get(sid, []) for sid in stories] if posts else [[]] * len(items)
    authors, recent = _column(items, "authors"), _column(items, "recent")
    tails = list(map(eq, recent, map(list, map(dict.values, authors))))  # mostly: every author is recent
    tails = [tail or _recent_is_tail(s) for s, tail in zip(items, tails, strict=True)]
    columns = {name: _column(items, name) for name in ("texts", "words", "refs", "vecs")}
    counts = [*map(len, columns["texts"]), *map(len, columns["words"]), *map(len, authors), *map(len, recent),
              *map(len, columns["refs"]), *map(len, columns["vecs"]), *map(len, leads), *tails]
    first = _bits(_column(items, "first_ts"))
    numbers = np.concatenate([first, _bits(_column(items, "last_ts")) ^ first, _bits(_column(items, "reach")),
                              _bits(_column(items, "alerted"))])
    entries = _pairs(_flat(map(dict.values, authors)))
    own = _pairs(_flat(r for r, tail in zip(recent, tails, strict=True) if not tail))
    times = np.concatenate([entries[0::2] ^ np.repeat(first, list(map(len, authors))), entries[1::2], own])
    words = _flat(columns["words"])
    vocab = list(dict.fromkeys(words))
    lost = [(i, j, m) for i, s in enumerate(items) if s.lost for j, m in s.lost.items()]
    return {"ids": list(stories), "examples": _column(items, "example"), "numbers": _shuffle(numbers),
            "ints": _ints(_flat(zip(_column(items, "mentions"), _column(items, "total_authors"), strict=True))),
            "counts": _counts(counts), "times": _shuffle(times), "names": _flat(authors),
            "words": _counts(list(map({w: i for i, w in enumerate(vocab)}.__getitem__, words))), "vocab": vocab,
            "texts": _flat(columns["texts"]), "lost": _ints(_flat(lost)), "refs": _flat(columns["refs"]),
            "vecs": _flat(columns["vecs"]), "posts": _flat(leads)}


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
    entries = _entries(times[:held] ^ np.repeat(first, counts[2]), times[held:2 * held])
    own = iter(_floats(times[2 * held:]))
    vocab = cols["vocab"]
    words = _take([vocab[i] for i in _unshuffle(cols["words"], np.int32).tolist()], counts[1].tolist())
    by_story, names = _take(entries, counts[2].tolist()), _take(cols["names"], counts[2].tolist())
    texts, refs = _take(cols["texts"], counts[0].tolist()), _take(cols["refs"], counts[4].tolist())
    lost: dict[int, dict[int, int]] = {}
    for i, j, mask in _unshuffle(cols["lost"], np.int64).reshape(-1, 3).tolist():
        lost.setdefault(i, {})[j] = mask
    vecs, recents, tails = _take(cols["vecs"], counts[5].tolist()), counts[3].tolist(), counts[7].tolist()
    empty = np.empty((0, num_perm), dtype=np.uint32)
    stories: dict[str, Story] = {}
    for i, sid in enumerate(ids):
        mine, k = by_story[i], recents[i]
        recent: list[Author] = mine[len(mine) - k:] if tails[i] else [complex(next(own), next(own)) for _ in range(k)]
        stories[sid] = Story.restored({
            "sigs": empty, "texts": texts[i], "first_ts": starts[i], "last_ts": lasts[i], "mentions": ints[i][0],
            "authors": dict(zip(names[i], mine, strict=True)), "recent": recent, "total_authors": ints[i][1],
            "refs": refs[i], "example": cols["examples"][i], "reach": reach[i], "alerted": alerted[i],
            "words": words[i], "vecs": vecs[i], "lost": lost.get(i)})
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
