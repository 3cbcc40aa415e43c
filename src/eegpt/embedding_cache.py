"""The frozen encoder's summary tokens of model-ready windows, cached.

:func:`embed_windows` runs the encoder (:class:`~eegpt.engine.InferenceEngine`) on windows
``[n, C, T]`` (mV) and returns ``[n, N, S, D]`` float32, through an :class:`EmbeddingCache`
(memory, optionally a folder of ``.npy`` files) keyed by the encoder's weights, the windows,
channels, precision and preprocessing; :func:`default_cache` is the process-wide one. Linear
probes without a channel projection and the scikit-learn estimators train on these, so a
second training on the same data skips the encoder.

Shapes: n = windows, C = channels, T = samples, N = time patches, S = summary tokens,
D = embedding width.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from eegpt.checkpoints import encoder_fingerprint, encoder_of
from eegpt.engine import InferenceEngine, Precision
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.outputs import atomic_write
from eegpt.preprocessing import PreprocessingConfig


class EmbeddingCache:
    """Summary tokens of frozen-encoder inputs, kept so that repeated training skips the encoder.

    Entries are keyed by :meth:`key`: the encoder's weights (:func:`encoder_fingerprint`), the
    exact model-ready windows (which fold in the data and every preprocessing step), the channel
    ids, the numeric precision and the preprocessing settings. A cache hit is therefore always the
    embedding the encoder would compute now.

    Parameters
    ----------
    directory : str | Path | None
        Also keep entries as ``<key>.npy`` files in this folder (created when needed), so they
        survive the process. ``None``: memory only.
    max_bytes : int
        Memory budget; the least recently used entries are evicted beyond it (files stay).

    Attributes
    ----------
    hits, misses : int
        Look-ups answered from the cache, and look-ups that ran the encoder.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_bytes: int = 1 << 30):
        self.directory = None if directory is None else Path(directory).expanduser()
        self.max_bytes = int(max_bytes)
        self.hits = 0
        self.misses = 0
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()

    def __repr__(self) -> str:
        where = f", directory={str(self.directory)!r}" if self.directory else ""
        return (
            f"EmbeddingCache({len(self._memory)} in memory, {self.nbytes / 2**20:.1f} MiB"
            f"{where}, hits={self.hits}, misses={self.misses})"
        )

    @property
    def nbytes(self) -> int:
        """Bytes held in memory."""
        return sum(a.nbytes for a in self._memory.values())

    @staticmethod
    def key(
        *,
        fingerprint: str,
        windows: np.ndarray,
        chan_ids: Sequence[int],
        precision: str,
        preprocessing: PreprocessingConfig | None = None,
    ) -> str:
        """Hex SHA-256 naming one (encoder, windows, channels, precision, preprocessing)."""
        h = hashlib.sha256(b"eegpt-embeddings-v1|")
        h.update(fingerprint.encode())
        h.update(f"|{precision}|{list(map(int, chan_ids))}|".encode())
        if preprocessing is not None:  # without detrend "none", as keys from before it was
            settings = preprocessing.to_dict()  # recorded always: cached entries stay found
            if settings["detrend"] == "none":
                del settings["detrend"]
            if not settings["start_seconds"]:  # likewise (the windows' samples are hashed)
                del settings["start_seconds"]
            h.update(json.dumps(settings, sort_keys=True).encode())
        w = np.ascontiguousarray(windows, dtype=np.float32)
        h.update(f"|{w.shape}|".encode())
        h.update(w.data.cast("B"))
        return h.hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        """The stored array (read-only), or ``None``; counts a hit or a miss."""
        if key in self._memory:
            self._memory.move_to_end(key)
            self.hits += 1
            return self._memory[key]
        if self.directory is not None:
            path = self.directory / f"{key}.npy"
            if path.exists():
                array = np.load(path, allow_pickle=False)
                self._remember(key, array)
                self.hits += 1
                return self._memory.get(key, array)
        self.misses += 1
        return None

    def put(self, key: str, array: np.ndarray) -> None:
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self.directory / f"{key}.npy", lambda fh: np.save(fh, array))
        self._remember(key, array)

    def _remember(self, key: str, array: np.ndarray) -> None:
        array = np.asarray(array)
        array.setflags(write=False)
        if array.nbytes > self.max_bytes:
            return
        self._memory[key] = array
        self._memory.move_to_end(key)
        while self.nbytes > self.max_bytes:
            self._memory.popitem(last=False)

    def clear(self) -> None:
        """Forget the entries in memory (files in ``directory`` are left alone)."""
        self._memory.clear()


_DEFAULT_CACHE = EmbeddingCache()


def default_cache() -> EmbeddingCache:
    """The process-wide in-memory cache used when ``cache=True`` (1 GiB, least recently used)."""
    return _DEFAULT_CACHE


def _resolve_cache(
    cache: EmbeddingCache | str | os.PathLike | bool | None,
) -> EmbeddingCache | None:
    if cache is True:
        return _DEFAULT_CACHE
    if cache is None or cache is False:
        return None
    if isinstance(cache, EmbeddingCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return EmbeddingCache(cache)
    raise TypeError(f"cache must be a bool, a folder or an EmbeddingCache, got {cache!r}")


def embed_windows(
    model: EEGPT | EEGPTEncoder,
    windows: np.ndarray,
    chan_ids: Sequence[int],
    *,
    device: str | torch.device | None = None,
    precision: Precision = "float32",
    batch_size: int | None = None,
    cache: EmbeddingCache | str | os.PathLike | bool | None = True,
    preprocessing: PreprocessingConfig | None = None,
    progress: bool = False,
    stream_precision: Precision = "float32",
) -> np.ndarray:
    """Frozen-encoder summary tokens of model-ready windows, through the cache.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        Only the encoder is used (no channel projection, no head).
    windows : ndarray, shape (n, C, T)
        Model units (mV), as :func:`eegpt.preprocessing.prepare` makes them.
    chan_ids : sequence of int, length C
        Vocabulary rows of the channels.
    cache : EmbeddingCache | str | Path | bool | None
        ``True``: the process-wide :func:`default_cache`; a folder: an on-disk cache there;
        ``False``/``None``: always run the encoder.
    stream_precision : {"float32", "float16", "bfloat16"}
        The engine's residual-stream dtype (:class:`~eegpt.engine.InferenceEngine`), with a
        reduced ``precision``; it changes the embeddings' last bits, so the cache keeps them
        apart.

    Returns
    -------
    ndarray of float32, shape (n, N, S, D)
        Read-only when it comes from the cache.
    """
    encoder = encoder_of(model)
    store = _resolve_cache(cache)
    key = None
    if store is not None:
        key = EmbeddingCache.key(
            fingerprint=encoder_fingerprint(encoder),
            windows=windows,
            chan_ids=chan_ids,
            # as before the option for a float32 stream: entries cached then stay found
            precision=precision
            if stream_precision == "float32"
            else f"{precision}/stream {stream_precision}",
            preprocessing=preprocessing,
        )
        found = store.get(key)
        if found is not None:
            return found
    engine = InferenceEngine(
        encoder, device=device, precision=precision, batch_size=batch_size,
        fused=encoder.fused, stream_precision=stream_precision,
    )  # fmt: skip
    z = engine.encode(windows, chan_ids, progress=progress)
    if store is not None and key is not None:
        store.put(key, z)
    return z
