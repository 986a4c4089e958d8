"""A brand's detector, kept in the database after every pass so any worker can run the brand next.

Each worker holds the detectors it used last (``warmup._BANKS``).  Before a pass it reads the brand's
checkpoint head (generation, format, settings hash; a few bytes): when the generation is the one it wrote
or read last, its own copy is current; when another worker has moved the brand on since, it loads the
stored state; only with no checkpoint, or one of another format or other detector settings, does it warm
up from 28 days of raw mentions.  After the pass the new state is written in the pass's own transaction,
so the state moves only with the incidents and ``detected_at`` marks it belongs to.

The state is the detector pickled and zstd-compressed: exact (a resumed detector behaves as if it had
never stopped, which the to_dict/JSON route does not promise for every float and tuple).  Its stories
pickle as columns (``story_codec``): a busy brand of 10,000 mentions a day is about 150 KB and 15 ms to
encode.  It is read back only from our own database, which a worker must trust anyway.

Format 2 (stories as columns, exemplar texts instead of signatures, zstd) replaced format 1 (pickled
story objects, zlib); a format-1 checkpoint is not read but warmed up anew.  Format 3: the dedupe keys as
``SeenKeys`` (ids older than an hour or two in numpy arrays) instead of a dict (issue #17).  Format 4: the detector
holds a ``WaveThread`` (``wave_thread``); a format-3 checkpoint is still read, and its detector given an empty one
(no paged wave open: the next wave that pages starts one), so an upgrade costs no warm-up. The thread's wave words,
tellers and story news (``thread_home``) came later within format 4: a thread pickled without them loads with none.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import pickle
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import zstandard
from sqlmodel import Session

from monitor.detection.brand_detector import BrandConfig, BrandDetector
from monitor.detection.wave_thread import WaveThread
from monitor.storage import checkpoints

_MAX_STATE = 1 << 30  # a frame without its size written still decompresses, up to this
FORMAT = 4  # bump when BrandDetector's attributes change shape: old checkpoints are then warmed up anew ...
READABLE = (3, 4)  # ... unless ``decode`` can bring them up to date
log = logging.getLogger("groundswell.checkpoint")
_GENERATION: weakref.WeakKeyDictionary[BrandDetector, int] = weakref.WeakKeyDictionary()


def settings_hash(cfg: BrandConfig, version: int = FORMAT) -> str:
    """Detector settings as a short hash (as format ``version`` wrote it): a checkpoint built with other settings is
    not reused."""
    return hashlib.sha256(f"{version}:{cfg!r}".encode()).hexdigest()[:16]


@contextmanager
def _no_gc() -> Iterator[None]:
    """Cyclic garbage collection paused: building thousands of small objects would run it many times over
    (10-15% of a checkpoint's encode); it runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def encode(detector: BrandDetector) -> bytes:
    with _no_gc():
        return zstandard.ZstdCompressor(level=1).compress(pickle.dumps(detector, protocol=pickle.HIGHEST_PROTOCOL))


def decode(blob: bytes) -> BrandDetector:
    with _no_gc():
        raw = zstandard.ZstdDecompressor().decompress(blob, max_output_size=_MAX_STATE)
        detector = pickle.loads(raw)  # noqa: S301 (written by our own workers, see module doc)
    if not isinstance(detector, BrandDetector):
        raise TypeError(f"checkpoint holds a {type(detector).__name__}, not a BrandDetector")
    if "thread" not in vars(detector):  # format 3: no wave thread yet
        detector.thread = WaveThread()
    return detector


def resume(session: Session, brand_id: str, cfg: BrandConfig, held: BrandDetector | None) -> BrandDetector | None:
    """The brand's detector as last committed: ``held`` when it is current, else the stored one;
    None when there is no usable checkpoint (the caller warms a new detector up from raw mentions)."""
    top = checkpoints.head(session, brand_id)
    if top is None:
        return held if held is not None and held not in _GENERATION else None
    if held is not None and _GENERATION.get(held) == top.generation:
        return held
    if top.version not in READABLE or top.settings_hash != settings_hash(cfg, top.version):
        log.info("brand %s: detector checkpoint is from other settings; warming up from stored mentions", brand_id)
        return None
    blob = checkpoints.state(session, brand_id)
    try:
        detector = decode(blob or b"")
    except Exception as exc:  # noqa: BLE001 - a bad checkpoint costs a warm-up, never the pass
        log.warning("brand %s: detector checkpoint unreadable (%s); warming up from stored mentions",
                    brand_id, type(exc).__name__)
        return None
    _GENERATION[detector] = top.generation
    return detector


def save(session: Session, brand_id: str, detector: BrandDetector, now: datetime) -> None:
    """Write the detector after its pass, in the pass's transaction (call just before it commits)."""
    after = _GENERATION.get(detector)
    if after is None:  # a warmed-up detector: it replaces whatever checkpoint there is (none, or a stale one)
        top = checkpoints.head(session, brand_id)
        after = top.generation if top else 0
    _GENERATION[detector] = checkpoints.save(session, brand_id, after=after, version=FORMAT,
                                             settings_hash=settings_hash(detector.cfg), blob=encode(detector),
                                             now=now)
