"""The frozen encoder's summary tokens of model-ready windows, cached.

:func:`embed_windows` runs the encoder (:class:`~eegpt.engine.InferenceEngine`) on windows
``[n, C, T]`` (mV) and returns ``[n, N, S, D]`` float32, through an :class:`EmbeddingCache`
(memory, optionally a folder of ``.npy`` files) holding one entry per WINDOW, keyed by the
encoder's weights, the window's samples, channels, precision and preprocessing;
:func:`default_cache` is the process-wide one. Linear probes without a channel projection and
the scikit-learn estimators train on these, so a second training on the same data skips the
encoder, and any subset or reordering of windows embedded before (a cross-validation fold, a
grid-search candidate) runs the encoder on the new windows only.

Shapes: n = windows, C = channels, T = samples, N = time patches, S = summary tokens,
D = embedding width.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch

from eegpt._file_identity import size_text
from eegpt._logging import log as _log
from eegpt._tempfiles import temporary_beside, writer_tag
from eegpt.engine import InferenceEngine, Precision, precision_name, resolve_device
from eegpt.fast_path import fast_cache, validate_cache
from eegpt.fingerprints import encoder_of, note_weights, noted_fingerprint, weights_fingerprint
from eegpt.model import EEGPT, EEGPTEncoder
from eegpt.preprocessing import PreprocessingConfig


class DiskUsage(NamedTuple):
    """What an :class:`EmbeddingCache`'s folder holds: complete entries (``<key>.npy`` files;
    temporary files of writes in progress are not counted) and their size in bytes."""

    entries: int
    nbytes: int


class EmbeddingCache:
    """Summary tokens of frozen-encoder inputs, kept so that repeated training skips the encoder.

    :func:`embed_windows` keeps one entry per window, keyed by :meth:`window_keys`: the
    encoder's weights (:func:`~eegpt.checkpoints.encoder_fingerprint`), the exact model-ready window (its float32
    samples, which fold in the data and every preprocessing step), the channel ids, the numeric
    precision and the preprocessing settings. A cache hit is therefore always the embedding the
    encoder would compute now, to float32 rounding: the encoder embeds each window independently
    of the others in its batch, but matrix kernels are chosen by shape, so a window embedded in
    another batch may differ in its last bits (up to ~1e-6 relative on a CPU, as RELIABILITY.md
    says of batch sizes). :meth:`key`, :meth:`get` and :meth:`put` also take whole arrays under
    a key of their own. The cache may be shared between threads.

    Parameters
    ----------
    directory : str | Path | None
        Also keep entries as ``<key>.npy`` files in this folder (created when needed), so they
        survive the process. ``None``: memory only.
    max_bytes : int
        Memory budget; the least recently used entries are evicted beyond it (files stay,
        unless ``max_disk_bytes`` removes them).
    max_disk_bytes : int | None
        Budget of the folder's entries, in bytes (each window's entry is ``N * S * D * 4``
        bytes plus a 128-byte ``.npy`` header: 128 KiB for the large model's 4 s windows).
        When a write takes the folder beyond it, the least recently USED files are removed,
        down to 90 % of it (so that the next writes do not list the folder again): use is
        recorded in the files' modification times, which :meth:`get` renews (at most once a
        minute per entry held in memory), so it counts across the processes sharing the
        folder. Only complete ``.npy`` entries are removed, never the temporary file of a write
        in progress; an entry another process removed is a miss of :meth:`get`, computed
        again. The folder is listed at the first write, then a running total is kept and the
        folder listed again when the total exceeds the budget, or at a write five minutes
        after the last listing: several processes writing to one folder may take it beyond
        the budget by what the others wrote since then. ``None`` (default): unbounded.
        :attr:`disk_usage` counts the folder; :meth:`trim` and :meth:`clear` trim it
        explicitly.

    Attributes
    ----------
    hits, misses : int
        Look-ups answered from the cache, and look-ups that were not (through
        :func:`embed_windows`: windows, one look-up each).
    """

    #: Seconds after the last listing of the folder at which a write lists it again.
    RESCAN_S = 300.0
    #: Seconds between renewals of the modification time of an entry found in memory.
    TOUCH_S = 60.0
    #: Fraction of ``max_disk_bytes`` a write beyond it trims the folder down to.
    TRIM_TO = 0.9

    def __init__(
        self,
        directory: str | os.PathLike | None = None,
        max_bytes: int = 1 << 30,
        max_disk_bytes: int | None = None,
    ):
        self.directory = None if directory is None else Path(directory).expanduser()
        self.max_bytes = int(max_bytes)
        if max_disk_bytes is not None:
            if self.directory is None:
                raise ValueError(
                    "max_disk_bytes bounds a folder's entries, but directory is None: pass a "
                    "folder, or leave max_disk_bytes None"
                )
            max_disk_bytes = _check_budget(max_disk_bytes)
        self.max_disk_bytes = max_disk_bytes
        self.hits = 0
        self.misses = 0
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._nbytes = 0
        self._touched: dict[str, float] = {}  # key in memory -> when its file was touched
        self._disk_bytes: int | None = None  # running total of the folder; None: not measured
        self._disk_entries = 0
        self._listed_at = 0.0  # time.time() of the last listing (comparable across processes)
        self._lock = threading.RLock()
        self._disk_lock = threading.RLock()  # accounting and trimming of the folder

    def __repr__(self) -> str:
        where = ""
        if self.directory:
            where = f", directory={str(self.directory)!r}"
            if self._disk_bytes is not None:
                where += (
                    f" ({self._disk_entries} files, {size_text(self._disk_bytes)} when last "
                    "counted)"
                )
            disk = "None" if self.max_disk_bytes is None else size_text(self.max_disk_bytes)
            where += f", max_disk_bytes={disk}"
        return (
            f"EmbeddingCache({len(self._memory)} in memory, {size_text(self.nbytes)}, "
            f"max_bytes={size_text(self.max_bytes)}{where}, hits={self.hits}, "
            f"misses={self.misses})"
        )

    @property
    def nbytes(self) -> int:
        """Bytes held in memory."""
        return self._nbytes

    @property
    def disk_usage(self) -> DiskUsage:
        """The complete entries in ``directory`` and their bytes, counted now (a listing of
        the folder, which also renews the running total the budget is checked against);
        ``DiskUsage(0, 0)`` without a folder or where it is not made yet."""
        if self.directory is None:
            return DiskUsage(0, 0)
        with self._disk_lock:
            return DiskUsage(*self._measure())

    def __copy__(self) -> EmbeddingCache:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> EmbeddingCache:
        """The cache itself, not a copy (``copy.copy`` too): a store shared by whoever holds
        it, as a folder is. :func:`sklearn.base.clone` deep-copies an estimator's parameters,
        so each fold of ``cross_val_score`` and each ``GridSearchCV`` candidate was given a
        copy of ``cache=EmbeddingCache(...)`` and embedded every window again, leaving the
        cache passed empty (and copying the entries held in memory, up to ``max_bytes``, into
        each clone). A pickle (joblib's process workers) is still a copy."""
        return self

    def __getstate__(self) -> dict:
        """Pickled (joblib's process workers) without the locks, which cannot be."""
        state = self.__dict__.copy()
        del state["_lock"], state["_disk_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._disk_lock = threading.RLock()

    @staticmethod
    def key(
        *,
        fingerprint: str,
        windows: np.ndarray,
        chan_ids: Sequence[int],
        precision: str,
        preprocessing: PreprocessingConfig | None = None,
        fused: bool | None = None,
        device_type: str | None = None,
    ) -> str:
        """Hex SHA-256 naming one (encoder, windows, channels, precision, preprocessing, fast
        path or reference path, device type): the whole array ``windows`` as one entry. Kept
        for compatibility (callers that :meth:`get`/:meth:`put` whole arrays themselves):
        :func:`embed_windows` no longer uses it; it keys each window (:meth:`window_keys`). ``fused`` and ``device_type`` (``"cpu"``,
        ``"cuda"``): the path and device that computed it, whose embeddings differ in the last
        bits; None leaves them out of the key."""
        h = hashlib.sha256(b"eegpt-embeddings-v1|")
        h.update(
            _settings_bytes(fingerprint, chan_ids, precision, preprocessing, fused, device_type)
        )
        w = np.ascontiguousarray(windows, dtype=np.float32)
        h.update(f"|{w.shape}|".encode())
        h.update(w.data.cast("B"))
        return h.hexdigest()

    @staticmethod
    def window_keys(
        *,
        fingerprint: str,
        windows: np.ndarray,
        chan_ids: Sequence[int],
        precision: str,
        preprocessing: PreprocessingConfig | None = None,
        fused: bool | None = None,
        device_type: str | None = None,
    ) -> list[str]:
        """One hex key per window of ``windows`` ``[n, C, T]``: SHA-256 of the
        settings (as :meth:`key`), the window's shape ``(C, T)`` and its float32 samples (what
        the encoder runs on), so equal windows under equal settings share a key wherever they
        stand in whichever array."""
        if np.ndim(windows) != 3:
            raise ValueError(f"windows must be [n_windows, C, T], got shape {np.shape(windows)}")
        head = hashlib.sha256(b"eegpt-window-embeddings-v1|")
        head.update(
            _settings_bytes(fingerprint, chan_ids, precision, preprocessing, fused, device_type)
        )
        head.update(f"|{tuple(np.shape(windows)[1:])}|".encode())
        keys = []
        for window in windows:  # one float32 window at a time: no copy of the whole array
            h = head.copy()
            h.update(np.ascontiguousarray(window, dtype=np.float32).data.cast("B"))
            keys.append(h.hexdigest())
        return keys

    def get(self, key: str, shape: tuple[int, ...] | None = None) -> np.ndarray | None:
        """The stored array (read-only), or ``None``; counts a hit or a miss. A file that
        cannot be read (cut short, damaged, removed meanwhile by another process's trim) or,
        given ``shape``, holds another shape is a miss (the caller computes the entry again and
        :meth:`put` overwrites it). An entry found renews its file's modification time (read
        from disk: always; found in memory: at most every :attr:`TOUCH_S` seconds), which
        trimming takes for its last use."""
        touch = False
        with self._lock:
            found = self._memory.get(key)
            if found is not None and (shape is None or found.shape == tuple(shape)):
                self._memory.move_to_end(key)
                self.hits += 1
                now = time.time()
                touch = now - self._touched.get(key, 0.0) > self.TOUCH_S
                if touch:
                    self._touched[key] = now
            else:
                found = None
        if found is not None:
            if touch and self.directory is not None:  # used: kept longest by any trim
                _touch(self.directory / f"{key}.npy")
            return found
        array = None
        if self.directory is not None:
            path = self.directory / f"{key}.npy"
            try:  # removed meanwhile (another process's trim): FileNotFoundError, a miss
                loaded = np.load(path, allow_pickle=False)
            except (OSError, ValueError, EOFError):  # cut short or damaged: computed again
                loaded = None
            if loaded is not None and (shape is None or loaded.shape == tuple(shape)):
                _touch(path)
                array = self._remember(key, loaded)
                with self._lock:
                    if key in self._memory:
                        self._touched[key] = time.time()
        with self._lock:
            if array is None:
                self.misses += 1
            else:
                self.hits += 1
        return array

    def put(self, key: str, array: np.ndarray) -> None:
        """Store ``array`` (kept read-only) under ``key``; also as a file with ``directory``."""
        self.put_many([key], [array])

    def put_many(self, keys: Sequence[str], arrays: Sequence[np.ndarray]) -> None:
        """Store each of ``arrays`` (kept read-only) under its key of ``keys``; also as files
        with ``directory`` (the folder made once). Each file is written to a temporary file
        beside it and renamed into place, so a reader never finds a partial file under its
        name; it is not synced to disk (a file cut short by a crash is a miss of :meth:`get`,
        computed again). With ``max_disk_bytes``, the folder is trimmed after the writes when
        they take it beyond the budget."""
        if len(keys) != len(arrays):
            raise ValueError(f"{len(keys)} keys for {len(arrays)} arrays")
        if self.directory is not None and len(keys):
            self.directory.mkdir(parents=True, exist_ok=True)
            bounded = self.max_disk_bytes is not None
            added, new = 0, 0
            for key, array in zip(keys, arrays, strict=True):
                path = self.directory / f"{key}.npy"
                replaced = _size_of(path) if bounded else None
                added += _write_npy(path, array) - (replaced or 0)
                new += replaced is None
            if bounded:
                self._account(added, new)
        for key, array in zip(keys, arrays, strict=True):
            self._remember(key, array)

    def _remember(self, key: str, array: np.ndarray) -> np.ndarray:
        """Keep ``array`` in memory (least recently used first out beyond ``max_bytes``);
        returns it read-only."""
        array = np.asarray(array)
        array.setflags(write=False)
        if array.nbytes > self.max_bytes:
            return array
        with self._lock:
            old = self._memory.pop(key, None)
            if old is not None:
                self._nbytes -= old.nbytes
            self._memory[key] = array
            self._nbytes += array.nbytes
            while self._nbytes > self.max_bytes:
                gone, evicted = self._memory.popitem(last=False)
                self._nbytes -= evicted.nbytes
                self._touched.pop(gone, None)
        return array

    def clear(self, disk: bool = False) -> None:
        """Forget the entries in memory; with ``disk=True`` also remove every complete entry
        of ``directory`` (those of all processes sharing it; temporary files of writes in
        progress are left alone)."""
        with self._lock:
            self._memory.clear()
            self._touched.clear()
            self._nbytes = 0
        if disk and self.directory is not None:
            self.trim(0)

    def trim(self, max_disk_bytes: int | None = None) -> DiskUsage:
        """Remove the least recently used entries of ``directory`` (oldest modification time
        first: see ``max_disk_bytes`` of the class) until the rest take at most
        ``max_disk_bytes`` bytes (default: the cache's own budget). Lists the folder; entries
        removed meanwhile by another process are skipped. Returns what was removed
        (:class:`DiskUsage`: entries, bytes); entries in memory stay there."""
        if self.directory is None:
            raise ValueError("trim() needs a folder: this EmbeddingCache has directory=None")
        if max_disk_bytes is None:
            if self.max_disk_bytes is None:
                raise ValueError(
                    "trim() needs a budget: pass max_disk_bytes, or make the cache with "
                    "EmbeddingCache(directory, max_disk_bytes=...)"
                )
            max_disk_bytes = self.max_disk_bytes
        return self._trim(_check_budget(max_disk_bytes))

    def _list(self) -> list[tuple[int, int, Path]]:
        """The complete entries of ``directory``: (modification time in ns, bytes, path)
        each. Temporary files (``.<key>.npy.<writer>.XXXX.tmp``, hidden) are not entries."""
        assert self.directory is not None
        found = []
        try:
            with os.scandir(self.directory) as it:
                for entry in it:
                    if entry.name.startswith(".") or not entry.name.endswith(".npy"):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except OSError:  # removed meanwhile
                        continue
                    if entry.is_file(follow_symlinks=False):
                        found.append((st.st_mtime_ns, st.st_size, Path(entry.path)))
        except FileNotFoundError:  # not made yet, or removed
            pass
        return found

    def _measure(self) -> tuple[int, int]:
        """List the folder and renew the running total: (entries, bytes)."""
        listed = self._list()
        self._set_total(len(listed), sum(size for _, size, _ in listed))
        return self._disk_entries, int(self._disk_bytes or 0)

    def _set_total(self, entries: int, nbytes: int) -> None:
        self._disk_entries, self._disk_bytes = entries, nbytes
        self._listed_at = time.time()

    def _account(self, added: int, new: int) -> None:
        """Add a write's ``added`` bytes and ``new`` entries to the running total; trim the
        folder when the total passes ``max_disk_bytes`` (after listing it again, which counts
        other processes' writes and removals). The folder is listed at the first write (never
        listed before: the entries already there count) and when the last listing is old."""
        assert self.max_disk_bytes is not None
        with self._disk_lock:
            self._disk_bytes = (self._disk_bytes or 0) + added
            self._disk_entries += new
            stale = time.time() - self._listed_at > self.RESCAN_S
            if self._disk_bytes > self.max_disk_bytes or stale:
                if self._measure()[1] > self.max_disk_bytes:
                    self._trim(int(self.max_disk_bytes * self.TRIM_TO))

    def _trim(self, budget: int) -> DiskUsage:
        """Remove the oldest entries until at most ``budget`` bytes remain; what was removed."""
        with self._disk_lock:
            listed = sorted(self._list(), key=lambda e: e[0])  # least recently used first
            total = sum(size for _, size, _ in listed)
            removed, freed, kept = 0, 0, len(listed)
            for _, size, path in listed:
                if total <= budget:
                    break
                try:
                    path.unlink()
                    removed += 1
                    freed += size
                except FileNotFoundError:  # another process trimmed it: gone all the same
                    pass
                total -= size
                kept -= 1
            self._set_total(kept, total)
        return DiskUsage(removed, freed)


def _write_npy(path: Path, array: np.ndarray) -> int:
    """Save ``array`` as ``path`` through a uniquely named temporary file in its folder renamed
    into place (atomic for concurrent readers; no fsync: see :meth:`EmbeddingCache.put_many`).
    Returns the file's size in bytes."""
    fd, tmp = temporary_beside(path, tag=writer_tag())
    try:
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, array)
            size = fh.tell()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return size


def _size_of(path: Path) -> int | None:
    """Bytes of the file ``path``, or None where there is none."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def _touch(path: Path) -> None:
    """Renew ``path``'s modification time (its last use, which trimming reads); nothing where
    it is gone (trimmed by another process) or cannot be changed (another user's file)."""
    try:
        os.utime(path)
    except OSError:
        pass


def _check_budget(max_disk_bytes: object) -> int:
    """``max_disk_bytes`` (a whole number of bytes, e.g. ``5e9``) as an int >= 0, or an
    informative error."""
    if isinstance(max_disk_bytes, bool) or not isinstance(max_disk_bytes, (int, float, np.number)):
        raise TypeError(f"max_disk_bytes must be a number of bytes or None, got {max_disk_bytes!r}")
    if not np.isfinite(max_disk_bytes) or max_disk_bytes < 0:
        raise ValueError(f"max_disk_bytes must be a finite number >= 0 bytes, got {max_disk_bytes}")
    return int(max_disk_bytes)


def _settings_bytes(
    fingerprint: str,
    chan_ids: Sequence[int],
    precision: str,
    preprocessing: PreprocessingConfig | None,
    fused: bool | None = None,
    device_type: str | None = None,
) -> bytes:
    """The part of a cache key that is not samples: encoder weights, precision, channel ids,
    the fast path or the reference path (``fused``) and the device type (``"cpu"``,
    ``"cuda"``: a disk cache may be shared by machines), and preprocessing settings."""
    out = fingerprint.encode() + f"|{precision}|{list(map(int, chan_ids))}|".encode()
    if fused is not None:
        out += f"fused={bool(fused)}|".encode()
    if device_type is not None:
        out += f"device={device_type}|".encode()
    if preprocessing is not None:  # without detrend "none", as keys from before it was
        settings = preprocessing.to_dict()  # recorded always: cached entries stay found
        if settings["detrend"] == "none":
            del settings["detrend"]
        if not settings["start_seconds"]:  # likewise (the windows' samples are hashed)
            del settings["start_seconds"]
        out += json.dumps(settings, sort_keys=True).encode()
    return out


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
    fingerprint: str | None = None,
) -> np.ndarray:
    """Frozen-encoder summary tokens of model-ready windows, through the cache.

    Each window is looked up on its own (:meth:`EmbeddingCache.window_keys`); the encoder runs
    once, on the windows not found (each distinct one once), and every window's embedding is
    stored, so a subset or reordering of windows embedded before encodes nothing.

    Parameters
    ----------
    model : EEGPT | EEGPTEncoder
        Only the encoder is used (no channel projection, no head).
    windows : ndarray, shape (n, C, T)
        Model units (mV), as :func:`eegpt.preprocessing.prepare` makes them.
    chan_ids : sequence of int, length C
        Vocabulary rows of the channels.
    device, precision, batch_size
        The settings of the :class:`~eegpt.engine.InferenceEngine` that encodes the windows
        not found (``None``: a CUDA GPU where PyTorch sees one, and the engine's default batch
        size); the device's type and the precision are part of each window's key.
    cache : EmbeddingCache | str | Path | bool | None
        ``True``: the process-wide :func:`default_cache`; a folder: an on-disk cache there
        (one ``.npy`` file per window, never trimmed: ``EmbeddingCache(folder,
        max_disk_bytes=...)`` bounds it); ``False``/``None``: always run the encoder.
    preprocessing : PreprocessingConfig | None
        The settings that made ``windows``, recorded in each window's key, so that windows
        of other settings are never taken for them; ``None`` keys them by samples alone.
    progress : bool
        Show a progress bar over the windows encoded.
    stream_precision : {"float32", "float16", "bfloat16"}
        The engine's residual-stream dtype (:class:`~eegpt.engine.InferenceEngine`), with a
        reduced ``precision``; it changes the embeddings' last bits, so the cache keeps them
        apart.
    fingerprint : str | None
        The :func:`~eegpt.fingerprints.encoder_fingerprint` of the weights ``model`` holds
        now, where the caller hashed them anyway (:func:`~eegpt.probe.train_probe`, for the
        probe's record): the cache is keyed by it, and weights edited through ``p.data``
        since the encoder's last call are caught (:func:`align_fingerprint`). ``None``: the
        fingerprint noted without hashing, which such an edit leaves stale until
        :meth:`~eegpt.model.EEGPT.clear_fast_cache`.

    Returns
    -------
    ndarray of float32, shape (n, N, S, D)
        In the order of ``windows``.
    """
    encoder = encoder_of(model)
    # full names in the key: "bf16" finds what "bfloat16" cached
    precision = precision_name(precision)
    stream_precision = precision_name(stream_precision, "stream_precision")
    store = _resolve_cache(cache)

    def encode(x: np.ndarray) -> np.ndarray:
        engine = InferenceEngine(
            encoder, device=device, precision=precision, batch_size=batch_size,
            fused=encoder.fused, stream_precision=stream_precision,
        )  # fmt: skip
        return engine.encode(x, chan_ids, progress=progress)

    if store is None or len(windows) == 0:
        return encode(windows)
    if fingerprint is None:
        fingerprint = _running_fingerprint(model, encoder)
    else:
        fingerprint = align_fingerprint(model, fingerprint)
    keys = EmbeddingCache.window_keys(
        fingerprint=fingerprint,
        windows=windows,
        chan_ids=chan_ids,
        # a float32 stream needs no mark (as in key())
        precision=precision
        if stream_precision == "float32"
        else f"{precision}/stream {stream_precision}",
        preprocessing=preprocessing,
        fused=encoder.fused,  # the fast path and the reference path differ in the last bits
        device_type=resolve_device(device).type,  # as CPU and GPU do
    )
    cfg = encoder.config  # each window's [N, S, D]: an entry of another shape is a miss
    shape = (cfg.n_patches(np.shape(windows)[-1]), cfg.embed_num, cfg.embed_dim)
    found = _look_up(store, keys, shape)
    first: dict[str, int] = {}  # each key's first window, in input order
    for i, k in enumerate(keys):
        first.setdefault(k, i)
    rows = [i for k, i in first.items() if k not in found]
    z = encode(windows if len(rows) == len(windows) else windows[rows]) if rows else None
    out = np.empty((len(keys), *shape), dtype=np.float32)
    if z is not None:
        new_keys = [keys[i] for i in rows]
        for k, row in zip(new_keys, z, strict=True):
            found[k] = row.copy()  # its own memory: the cache's budget counts it alone
        store.put_many(new_keys, [found[k] for k in new_keys])
    for i, k in enumerate(keys):
        out[i] = found[k]
    return out


def _running_fingerprint(model: EEGPT | EEGPTEncoder, encoder: EEGPTEncoder) -> str:
    """The fingerprint of the weights ``encoder`` computes with: for the fast path of an
    encoder in eval mode, those its cached derived weights were made from, which an edit
    through ``p.data`` leaves in place until :meth:`~eegpt.model.EEGPT.clear_fast_cache`.
    :func:`~eegpt.checkpoints.weights_fingerprint` of the weights held now would file the
    stale embeddings of such an edit under the key of the new weights, where a call after
    ``clear_fast_cache()`` finds them. So the fingerprint is noted in the fast path's cache,
    dropped and renewed with it; derived weights of unknown age (made by a call outside this
    function) are dropped first, to be derived again from the weights hashed. The reference
    path and training mode compute with the weights held now: hashed every time (only where
    they may have changed, as ``weights_fingerprint`` does)."""
    if not encoder.fused or encoder.training:
        return weights_fingerprint(model)
    cache = fast_cache(encoder)
    validate_cache(encoder, cache)
    noted = cache.get("fingerprint")
    if noted is None:
        # the model's own clear_fast_cache: a loaded model's also makes weights_fingerprint
        # hash the weights once more rather than give the fingerprint noted when loaded
        model.clear_fast_cache()
        cache = fast_cache(encoder)
        validate_cache(encoder, cache)
        noted = cache["fingerprint"] = weights_fingerprint(model)
    return str(noted)


def align_fingerprint(model: EEGPT | EEGPTEncoder, hashed: str) -> str:
    """Make ``model`` compute with, and the embedding cache key by, the weights whose
    :func:`~eegpt.fingerprints.encoder_fingerprint` the caller just computed (``hashed``);
    returns ``hashed``. No hashing of its own: where weights are hashed anyway (a probe's
    record of its encoder), this checks the fingerprints noted without hashing, which an edit
    through ``p.data`` leaves stale (:func:`_running_fingerprint`): the fast path's (the
    weights its derived weights were made from) and a loaded model's
    (:func:`~eegpt.fingerprints.noted_fingerprint`). A stale one is logged and replaced: the
    derived weights are dropped, to be derived again from the weights held now, and the
    loaded model notes the new fingerprint; embeddings of the weights held now are then
    found in the cache, or computed, never those of the weights before the edit. Derived
    weights of unknown age (made by a call outside :func:`embed_windows`) are dropped too."""
    encoder = encoder_of(model)
    fast = not encoder.training and encoder.fused
    noted = [noted_fingerprint(model)]
    if fast:
        cache = fast_cache(encoder)
        validate_cache(encoder, cache)
        noted.append(cache.get("fingerprint"))
    stale = sorted({f for f in noted if f is not None and f != hashed})
    if stale:
        _log(
            f"the encoder's weights hash to {hashed[:12]}..., not to {stale[0][:12]}... as "
            "noted when they were last used: they were changed without a trace (through "
            "p.data, which nothing sees); the embeddings of the weights held now are used "
            "(computed where not cached), and the fast path's derived weights derived again"
        )
        if isinstance(model, EEGPT):
            model.clear_fast_cache()  # also forgets the stale loaded fingerprint
            note_weights(model, hashed)
        else:
            encoder.clear_fast_cache()
    elif fast and noted[-1] is None:  # derived weights of unknown age
        encoder.clear_fast_cache()
    if fast:
        cache = fast_cache(encoder)
        validate_cache(encoder, cache)
        cache["fingerprint"] = hashed
    return hashed


def _look_up(
    store: EmbeddingCache, keys: Sequence[str], shape: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """The entries ``store`` holds for ``keys`` (each distinct key looked up once) of the
    ``shape`` each window's embedding has (another is no entry of these windows)."""
    found: dict[str, np.ndarray] = {}
    for k in dict.fromkeys(keys):
        entry = store.get(k, shape)
        if entry is not None:
            found[k] = entry
    return found
