"""Whether a recording fits in memory, checked before it is loaded.

:func:`available_memory` is the memory available to new allocations (bytes: the smaller of the
system's and the process's cgroup limit), :func:`whole_read_bytes` what MNE holds to read a Raw
whole, and :func:`check_memory` refuses a read that would take more than
:data:`MEMORY_FRACTION` of what is available; :func:`check_embeddings_memory` refuses so to
read an embeddings file (a long recording's, every summary token kept, is gigabytes),
:func:`check_folder_embeddings_memory` and :func:`check_files_embeddings_memory` the rows of
run folders and of per-recording outputs read as one array, and
:func:`check_output_memory` to hold in memory the embeddings :func:`eegpt.embed` returns. Imports
neither MNE nor torch (embeddings are read without them).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from eegpt.errors import InsufficientMemoryError, RecordingTooLargeError

if TYPE_CHECKING:
    import mne

#: Share of the available memory a recording may take when loaded whole (``preload=True``).
MEMORY_FRACTION = 0.5


def available_memory() -> int | None:
    """Bytes of memory available to new allocations, or None if unknown.

    The smaller of the system's ``MemAvailable`` and what the memory limits of the process's
    cgroup and those above it leave (a SLURM job's or container's; cgroup v2 or v1:
    :func:`eegpt._runtime.cgroup_memory_available`).
    """
    from eegpt._runtime import cgroup_memory_available

    limits = []
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    limits.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    cgroup = cgroup_memory_available()
    if cgroup is not None:
        limits.append(cgroup)
    if not limits:
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, OSError, ValueError):
            return None
    return max(0, min(limits))


def whole_read_bytes(raw: mne.io.BaseRaw, n_channels: int | None = None) -> int:
    """Bytes MNE holds to read ``n_channels`` (default: all) channels of ``raw`` whole: its
    float64 samples, and for an EDF/BDF/GDF file with channels at different rates, the
    float64 copy of every channel of the file at the top rate that MNE reads them into first
    (to upsample the slower ones). A lower bound of what a whole read needs: preprocessing
    copies the samples again (re-referenced, resampled, windows)."""
    from eegpt.mixed_rates import channel_rates  # (imports MNE)

    n_channels = len(raw.ch_names) if n_channels is None else n_channels
    needed = n_channels * raw.n_times * 8
    rates = None if raw.preload else channel_rates(raw)
    if rates is not None and rates.min() < raw.info["sfreq"]:
        needed += len(raw.ch_names) * raw.n_times * 8
    return needed


def _beyond_memory(needed: int) -> str | None:
    """Where ``needed`` bytes are more than :data:`MEMORY_FRACTION` of the memory available,
    the words that say so for a refusal ("more than 50% of the 3.2 GiB of memory available
    (...)"); None where they fit or what is available is unknown (nothing refused)."""
    available = available_memory()
    if available is None or needed <= MEMORY_FRACTION * available:
        return None
    return (
        f"more than {MEMORY_FRACTION:.0%} of the {available / 2**30:.1f} GiB of memory "
        "available (the smaller of the system's and this process's cgroup limit: a SLURM "
        "job's --mem)"
    )


def check_memory(
    raw: mne.io.BaseRaw,
    path: Path,
    n_channels: int | None = None,
    *,
    needed: int | None = None,
    what: str | None = None,
) -> None:
    """Refuse to read what would not fit in memory: ``n_channels`` (default: all) channels of
    ``raw`` whole (:func:`whole_read_bytes`), or ``needed`` bytes for ``what`` (words that
    follow the file's name, ending where "needs at least N GiB" follows). Raises
    :class:`~eegpt.errors.RecordingTooLargeError` (a ``ValueError`` and a ``MemoryError``)."""
    n_channels = len(raw.ch_names) if n_channels is None else n_channels
    if needed is None:
        needed = whole_read_bytes(raw, n_channels)
    if what is None:
        what = (
            f"loading {n_channels} channels x {raw.n_times} samples "
            f"({raw.n_times / raw.info['sfreq']:g} s at {raw.info['sfreq']:g} Hz, as the "
            "file's header claims)"
        )
    beyond = _beyond_memory(needed)
    if beyond is not None:
        raise RecordingTooLargeError(
            f"{path}: {what} needs at least {needed / 2**30:.1f} GiB, {beyond}. If the "
            "recording is not that long, its header is corrupt: check it; otherwise crop the "
            "recording or pick fewer channels."
        )


def _times_smaller(window_shape: Sequence[int]) -> int:
    """How many times smaller mean pooling makes one window's embeddings of ``window_shape``
    (``[N, S, D]``: N x S tokens become one vector; 1 for an already pooled ``[D]``)."""
    return math.prod(int(n) for n in window_shape[:-1]) if len(window_shape) > 1 else 1


def _rows_beyond_memory(n_rows: int, window_shape: Sequence[int]) -> tuple[int, str, str] | None:
    """The bytes of ``n_rows`` windows' float32 embeddings of ``window_shape``, the words
    :func:`_beyond_memory` gives for them and the pooling's "(K times smaller)" aside (empty
    where pooling makes them no smaller), or None where they fit."""
    needed = int(n_rows) * math.prod(int(n) for n in window_shape) * 4
    beyond = _beyond_memory(needed)
    if beyond is None:
        return None
    per_window = _times_smaller(window_shape)
    return needed, beyond, f" ({per_window} times smaller)" if per_window > 1 else ""


def check_embeddings_memory(path: Path, shape: Sequence[int], copies: int = 1) -> None:
    """Refuse to read the float32 embeddings of ``shape`` (``[n_windows, N, S, D]``) stored in
    ``path`` where they would take more than :data:`MEMORY_FRACTION` of the memory available:
    their bytes ``copies`` times over (held that many times while read: 2 for a Parquet
    file's table and the array made of it). Raises :class:`~eegpt.errors.InsufficientMemoryError`
    (a ``MemoryError``) saying what to do, before anything is read, rather than letting the
    system's out-of-memory killer end the process."""
    size = math.prod(int(n) for n in shape) * 4
    needed = size * copies
    beyond = _beyond_memory(needed)
    if beyond is None:
        return
    per_window = _times_smaller(shape[1:])
    smaller = f" ({per_window} times smaller)" if per_window > 1 else ""
    raise InsufficientMemoryError(
        f"{path}: reading its embeddings, {list(shape)} float32 ({size / 2**30:.1f} GiB), "
        f"needs at least {needed / 2**30:.1f} GiB, {beyond}. Read them on a machine with "
        "more memory, or embed the recording again with --pool mean (Python: pooling='mean'; one "
        f"vector per window{smaller}); a Parquet file's windows can also be read in batches "
        "(pyarrow.parquet.ParquetFile(path).iter_batches(columns=['embedding'])). "
        "`eegpt info` describes the file without reading its embeddings."
    )


def check_folder_embeddings_memory(
    where: str, n_rows: int, shape: Sequence[int], n_shards: int
) -> None:
    """Refuse to read the float32 embeddings of ``n_rows`` windows of ``shape`` (one window's,
    ``[N, S, D]`` or ``[D]``) from ``n_shards`` shards of ``embed-dataset`` output folders
    (``where``, for the message) where they would take more than :data:`MEMORY_FRACTION` of
    the memory available: checked once the rows to read are counted (filters applied), before
    any embedding is read. Raises :class:`~eegpt.errors.InsufficientMemoryError` saying how to
    read the folder part by part."""
    found = _rows_beyond_memory(n_rows, shape)
    if found is None:
        return
    needed, beyond, smaller = found
    raise InsufficientMemoryError(
        f"{where}: reading the embeddings of {n_rows} windows from {n_shards} shard(s), "
        f"{[int(n_rows), *map(int, shape)]} float32, needs at least {needed / 2**30:.1f} GiB, "
        f"{beyond}. Read it part by part: read_embeddings(folder, embeddings=False) reads "
        "the table alone (which recordings, how many windows), then read_embeddings(folder, "
        "filters=[('recording_id', 'in', [...])]) (or ('subject', 'in', [...])) reads some "
        "recordings' embeddings at a time, eegpt.load_embeddings(folder, recording_id=...) one "
        "recording's; or read them on a machine with more memory, or embed again with --pool "
        f"mean (one vector per window{smaller})."
    )


def check_files_embeddings_memory(where: str, n_rows: int, shape: Sequence[int]) -> None:
    """Refuse to read the float32 embeddings of ``n_rows`` windows of ``shape`` (one
    window's, ``[N, S, D]`` or ``[D]``) from per-recording outputs of ``eegpt embed``
    (``where``: the files or folder given, for the message) into one array where they would
    take more than :data:`MEMORY_FRACTION` of the memory available: checked once the rows to
    read are counted (filters applied), before any embedding is read (each file alone may
    fit). Raises :class:`~eegpt.errors.InsufficientMemoryError` saying how to read them part
    by part."""
    found = _rows_beyond_memory(n_rows, shape)
    if found is None:
        return
    needed, beyond, smaller = found
    raise InsufficientMemoryError(
        f"{where}: reading the embeddings of {n_rows} windows, "
        f"{[int(n_rows), *map(int, shape)]} float32, needs at least {needed / 2**30:.1f} GiB, "
        f"{beyond}. Read them part by part: read_embeddings(files, embeddings=False) reads "
        "the table alone (which recordings, how many windows), then read_embeddings(files, "
        "filters=[('recording_id', 'in', [...])]) reads some recordings' embeddings at a "
        "time, eegpt.load_embeddings(file) one recording's; or read them on a machine with "
        f"more memory, or embed again with --pool mean (one vector per window{smaller})."
    )


def check_output_memory(source: str, shape: Sequence[int]) -> None:
    """Refuse to hold in memory the float32 embeddings of ``shape`` (``[n_windows, N, S, D]``)
    of ``source`` (the recording's description) that :func:`eegpt.embed` would return, where
    they would take more than :data:`MEMORY_FRACTION` of the memory available: checked once
    the first block is embedded, rather than letting the out-of-memory killer end a run of
    hours when the array fills. Raises :class:`~eegpt.errors.InsufficientMemoryError`."""
    needed = math.prod(int(n) for n in shape) * 4
    beyond = _beyond_memory(needed)
    if beyond is None:
        return
    per_window = _times_smaller(shape[1:])
    raise InsufficientMemoryError(
        f"{source}: its embeddings, {list(shape)} float32 (every summary token of "
        f"{int(shape[0])} windows), need {needed / 2**30:.1f} GiB, {beyond}, which embed would hold all at once. Write them to a file block by block instead: "
        "eegpt.embed_to_file(model, data, 'out.parquet'), which keeps memory bounded "
        f"(pooling='mean': one vector per window, {per_window} times smaller; command line: "
        "eegpt embed), or embed a part of the recording (raw.crop)."
    )
