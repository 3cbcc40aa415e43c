"""Corpus-scale embedding: a folder, glob or manifest of EEG files in, sharded Parquet out.

:func:`embed_dataset` embeds every window of every file and writes one Parquet row per window.
It is resumable and loss-free: the files are split into *shards* (``shard_size`` consecutive
files of the sorted input list); each shard is written to a temporary file and renamed into
place only when complete, so a run killed at any point (``kill -9``) and started again computes
exactly the shards that are missing. A file that cannot be read or embedded is recorded, with
its reason, in the shard and in ``_errors.csv``, and the run goes on.

Two engines share everything except the scheduling: ``"inprocess"`` (default) reads and
preprocesses files in worker processes, overlapped with inference on one model replica per GPU
(or one on the CPU); ``"ray"`` (:mod:`eegpt.dataset_ray`) runs the same steps as Ray Data
stages on a local or remote Ray cluster. Both hand their results to the same shard writer in
the same order, so their outputs are identical.

Output directory
----------------
``shard-00000.parquet, shard-00001.parquet, ...``
    The embeddings, one row per window; ``pandas.read_parquet(output_dir)`` reads them all. The
    columns are ``recording_id``, ``path``, ``window`` (index in the recording), ``onset_s``,
    ``channels`` (vocabulary names, model order), ``input_channels`` (the same channels as
    named in the file), ``annotations`` (descriptions of the file's annotations over the
    window), ``bad`` (one of them is marked bad, see :mod:`eegpt.annotations`; with
    ``reject_by_annotation`` such windows are left out and ``window`` has gaps), ``event``
    (the event name of an epoch, for epochs files; null otherwise), ``epochs_metadata`` (the
    epoch's row of ``epochs.metadata`` as a JSON object, for epochs files that have it;
    :func:`read_embeddings` spreads it into columns), ``padded`` (the window holds zeros after
    the signal: a recording's last partial window, or an epoch shorter than the window, with
    ``tail="pad"``), any metadata/label columns of the input
    manifest, and ``embedding``: a
    fixed-size list of float32 (``N*S*D`` values of the ``[N, S, D]`` summary tokens in C
    order, or ``D`` with ``pool="mean"``). The schema metadata key ``eegpt`` holds the run's
    settings (model, checkpoint SHA-256, preprocessing, ``embedding_shape``); the file footer's
    ``eegpt_shard``
    holds the status of each file of the shard and the run that wrote it (``run``: its
    ``started`` time as the manifest's ``runs`` name it, eegpt and torch versions; shards
    written before have none), and ``eegpt_checksums`` says that every page header holds a
    CRC-32 checksum of the page (shards written before have none).
``_manifest.json``
    Settings, input fingerprint, shard table and the summary of the last run.
``_files.csv``, ``_errors.csv``, ``_too_short.csv``
    One line per input file (status, windows, hours, recorded rate ``sfreq_in``, error), the
    failed files only, and the files shorter than one window only (status ``too_short``, with
    ``tail="drop"``: not failures; a run of ``--tail pad`` on this report as input embeds
    them). The last two are written only where they list a file.
``.eegpt.lock``
    While a run is in progress: its lock on the folder (removed when it ends).
``_corpus.csv``
    Of a ``part`` run only: the listing of the whole corpus the part was split from
    (``path``, ``recording_id``), which the other parts' runs compare theirs with (none in a
    part begun by an eegpt from before it, whose listing is not known).

The files starting with ``_`` or ``.`` are skipped by pyarrow's (and so pandas') dataset
reader, and none of them ends in ``.parquet``: polars and DuckDB, which take the folder's
``.csv`` files for data, read the shards by a glob, ``f"{out}/**/*.parquet"`` (a run, or a
folder of ``--part`` runs).
"""

from __future__ import annotations

import ast
import contextlib
import contextvars
import copy
import csv
import glob
import hashlib
import io
import itertools
import json
import math
import multiprocessing
import os
import platform
import queue
import re
import signal
import sys
import threading
import time
import traceback
import warnings
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from types import FrameType
from typing import Any, Literal, cast

import numpy as np
import torch
from tqdm.auto import tqdm

from eegpt import __version__, _interrupts
from eegpt._file_identity import _name as _file_name
from eegpt._file_identity import (
    file_sha256,
    headers_read_once,
    part_of_unreadable_error,
    recording_files,
    recording_files_v2,
    unreadable_first_part,
)
from eegpt._filenames import path_text
from eegpt._logging import (
    caught_warnings,
    command_record,
    few,
    honours_verbose,
    progress_interval,
    progress_options,
    reader_text,
    recorded_command,
    terminal_text,
    warning_texts,
)
from eegpt._logging import count as _count
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._tempfiles import temporary_beside
from eegpt.annotations import (
    BadSpans,
    WindowAnnotations,
    annotate_windows,
    annotations_per_window,
    bad_windows,
    placed_extra,
)
from eegpt.api import (
    epoch_padding_record,
    non_finite_embeddings,
    software_versions,
    tail_record,
)
from eegpt.channels import (
    drops_by_electrode,
    kept_channels,
    map_channels,
    rename_table,
    table_provenance,
    unmatched_rename_warning,
)
from eegpt.checkpoints import modified_weights
from eegpt.config import EEGPTConfig
from eegpt.dataset_inputs import (
    DatasetInputs,
    InputFile,
    as_part,
    corpus_of,
    pyarrow_for_writing,
    resolve_inputs,
)
from eegpt.dataset_lock import LOCK, FolderLock
from eegpt.dataset_read import (
    CHECKSUMS_KEY,
    CORPUS_LISTING,
    ERRORS_REPORT,
    FILES_REPORT,
    LIST_INPUTS,
    MANIFEST,
    SHARD,
    SHORT_REPORT,
    TOO_SHORT,
    channel_sets_advice,
    listed_ids,
    listed_paths,
    read_embeddings,
    read_shard_status,
    shard_files,
    shard_name,
    spec_differences,
)
from eegpt.dataset_report import file_totals, too_short_note
from eegpt.engine import InferenceEngine, Precision, resolve_device
from eegpt.errors import (
    OutputNotWritableError,
    StartPastEndError,
    TooShortError,
    UnguardedMainError,
    disk_full,
    out_of_room,
    room_advice,
)
from eegpt.io import (
    EEG_SUFFIXES,
    Recording,
    as_recording,
)
from eegpt.model import EEGPT
from eegpt.outputs import (
    atomic_write,
    check_output_folder,
    metadata_record,
    parquet_writer,
    pool_embeddings,
)
from eegpt.preprocessing import PreprocessingConfig, corpus_file, prepare, start_past_end
from eegpt.streaming import WindowStream, block_size, open_stream_unless_epochs

__all__ = [
    "EEG_SUFFIXES",
    "DatasetInputs",
    "DatasetSummary",
    "InputFile",
    "embed_dataset",
    "read_embeddings",
    "resolve_inputs",
    "select_devices",
]


FORMAT = "eegpt-dataset/1"
#: Row layout of new runs: 2 added the ``annotations``, ``bad`` and ``event`` columns, 3 the
#: ``epochs_metadata`` column, 4 the ``padded`` column (runs made before resume in their own
#: layout).
LAYOUT = 4
_REPORT_EVERY_S = 30.0  # how often the report files are refreshed during a run
_ROW_GROUP_BYTES = 64 << 20  # rows are buffered up to this size before a Parquet row group
_MAX_WARNINGS = 5  # kept per file

Engine = Literal["inprocess", "ray"]
Pool = Literal["none", "mean"]


# --------------------------------------------------------------------------------------------
# the two stages: read + preprocess (CPU), encode (device)
# --------------------------------------------------------------------------------------------


@dataclass
class WindowInfo:
    """What a file's rows say besides the embeddings: which windows, their annotations and
    event names.

    Parameters
    ----------
    index : ndarray of int64, shape (n_windows,) | None
        Index of each window among all windows of the recording, when some were left out
        (``reject_by_annotation``); None when the windows are all of them, in order.
    annotations : list of list of str | None
        Descriptions of the annotations over each window, for recordings with annotations.
    labels : list of str | None
        Event names of epochs (``mne.Epochs``, ``*-epo.fif``), one per window.
    left_out : int
        Windows left out by ``reject_by_annotation``.
    metadata : list of str | None
        ``epochs.metadata`` of epochs files, one JSON object (column name -> value, as
        :func:`eegpt.outputs.metadata_record` writes values) per window.
    time_base : dict
        Where the onsets' time starts: ``first_time`` (s) and ``meas_date`` (ISO 8601) of a
        continuous recording, where known (kept in the shard's file status, so that
        annotations in clock time can be placed on the windows afterwards); and
        ``sfreq_in``, the rate the file was recorded at (Hz, before resampling).
    padding : dict
        The zero padding of the recording's windows, as single-file outputs record it
        (:func:`eegpt.api.tail_record`, :func:`eegpt.api.epoch_padding_record`):
        ``padded_tail`` (``onset_s``, ``recorded_s`` and ``window``, the last window's index
        among the recording's) or ``tail_left_out_s``, or ``padded_epochs``; kept in the
        shard's file status. Empty: no window is padded.
    """

    index: np.ndarray | None = None
    annotations: list[list[str]] | None = None
    labels: list[str] | None = None
    left_out: int = 0
    metadata: list[str] | None = None
    time_base: dict[str, Any] = field(default_factory=dict)
    padding: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        index = None if self.index is None else [int(i) for i in self.index]
        return json.dumps(
            [index, self.annotations, self.labels, self.left_out, self.metadata, self.time_base,
             self.padding]
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> WindowInfo:
        index, annotations, labels, left_out, *rest = json.loads(text)
        index = None if index is None else np.asarray(index, dtype=np.int64)
        metadata, time_base, padding = (rest + [None, None, None])[:3]
        return cls(
            index, annotations, labels, int(left_out), metadata, time_base or {}, padding or {}
        )

    def padded(self, n: int) -> np.ndarray:
        """Whether each of the ``n`` windows (those of :attr:`index`) holds zero padding:
        bool, shape (n,)."""
        if "padded_epochs" in self.padding:
            return np.ones(n, dtype=bool)
        index = np.arange(n) if self.index is None else np.asarray(self.index)
        tail = self.padding.get("padded_tail")
        return index == tail["window"] if tail else np.zeros(n, dtype=bool)


@dataclass(frozen=True)
class FilePart:
    """Windows ``first:stop`` of a long recording that is read and embedded in parts.

    A reader keeps one part's windows in memory instead of the whole file's (float32: about
    70 MB per hour of 19 channels, 5 GB for 24 h of 58 channels); the shard writer joins the
    parts' rows back into one file's.

    Parameters
    ----------
    first, stop : int
        The part's windows among all of the recording's (before ``reject_by_annotation``).
    n_windows : int
        All windows of the recording.
    line : tuple of ndarray
        :attr:`eegpt.streaming.WindowStream.line` of the first part's scan, so that the other
        parts do not read the whole file again.
    """

    first: int
    stop: int
    n_windows: int
    line: tuple[np.ndarray, np.ndarray] = field(repr=False, compare=False)

    @property
    def last(self) -> bool:
        return self.stop >= self.n_windows

    def __str__(self) -> str:
        """``"windows 0-1023 of 21600"``, as errors about a part name it."""
        return f"windows {self.first}-{self.stop - 1} of {self.n_windows}"


@dataclass
class LoadedFile:
    """A file after reading and preprocessing (the CPU stage).

    Parameters
    ----------
    index : int
        :attr:`InputFile.index`.
    data : ndarray of float32, shape (n_windows, n_channels, n_samples)
        Windows in model units (mV); shape (0, 0, 0) when ``error`` is set.
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds.
    mapping : dict
        :meth:`ChannelMapping.to_dict` of the channels used (empty on error).
    duration_s : float
        Length of the recording in seconds (all epochs together); for a failed file, as read
        (0 if it could not be read).
    error : str | None
        Why the file failed, or None.
    warnings : list of str
        Warnings raised while reading and preprocessing (at most 5, first ones).
    windows : WindowInfo
        Window indices, annotations and event names.
    read_s : float
        Wall-clock seconds spent reading and preprocessing the file (``read_s`` in
        ``_files.csv``: the slow files of a corpus, e.g. on slow storage).
    part : FilePart | None
        Which windows these are, for a recording read in parts; None: all of the file's.
    more : list of FilePart
        The parts still to read (set on a long recording's first part).
    """

    index: int
    data: np.ndarray
    onsets: np.ndarray
    mapping: dict[str, Any]
    duration_s: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    windows: WindowInfo = field(default_factory=WindowInfo)
    read_s: float = 0.0
    part: FilePart | None = None
    more: list[FilePart] = field(default_factory=list)

    @property
    def n_windows(self) -> int:
        return int(len(self.onsets))

    @classmethod
    def failed(
        cls, index: int, error: str, warnings_: list[str] | None = None, duration_s: float = 0.0
    ) -> LoadedFile:
        empty = np.zeros((0, 0, 0), np.float32)
        return cls(index, empty, np.zeros(0), {}, duration_s, error, list(warnings_ or []))


@dataclass
class FileResult:
    """A file after inference (the device stage): what the shard writer needs.

    ``embeddings`` is float32 of shape (n_windows, E), ``E`` being ``N*S*D`` (or ``D`` pooled);
    the other fields are those of :class:`LoadedFile`.
    """

    index: int
    embeddings: np.ndarray
    onsets: np.ndarray
    mapping: dict[str, Any]
    duration_s: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    windows: WindowInfo = field(default_factory=WindowInfo)
    read_s: float = 0.0
    part: FilePart | None = None
    # windows per forward pass its windows were embedded in (given, or the default for its
    # channel count and the device: InferenceEngine.batch_for); None where none were
    batch_size: int | None = None

    @property
    def n_windows(self) -> int:
        return int(len(self.onsets))


#: Set (``eegpt --debug embed-dataset ...`` sets it) to keep each failed file's traceback in
#: its ``error`` (``_errors.csv``); reader processes inherit it with the environment.
DEBUG_ENV = "EEGPT_DEBUG"
#: What separates a failure's reason from its traceback in ``error`` (with :data:`DEBUG_ENV`).
TRACEBACK_MARK = "\nTraceback (most recent call last):"


def _described_error(err: BaseException) -> str:
    """Why a file failed, for ``_errors.csv``: the exception's type and message (and, with
    :data:`DEBUG_ENV` set, its traceback on the lines after), the file names in it as their
    real text (:func:`eegpt._filenames.path_text`), which a UTF-8 report can hold; a message
    longer than :data:`~eegpt._logging.RECORDED_WARNING_WIDTH` characters (a reader's words
    can be unbounded) loses its middle (:func:`~eegpt._logging.reader_text`), in the
    traceback too."""
    text = reader_text(path_text(f"{type(err).__name__}: {err}"))
    if os.environ.get(DEBUG_ENV):
        text += "\n" + "".join(map(reader_text, traceback.format_exception(err))).rstrip()
    return text


def load_file(
    index: int,
    path: str,
    config: PreprocessingConfig,
    rename: Mapping[str, str | None] | str | os.PathLike | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    reject_by_annotation: bool = False,
    rescale: float = 1.0,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    annotations: str | None = None,
    part: FilePart | None = None,
    part_bytes: int | None = None,
    model_config: EEGPTConfig | None = None,
    bads: Sequence[str] = (),
    from_manifest: bool = False,
    start_seconds: float | None = None,
) -> LoadedFile:
    """Read one file and cut it into model windows; never raises for a bad file.

    Parameters
    ----------
    index : int
        The file's :attr:`InputFile.index`, passed through.
    path : str
        EEG file.
    config : PreprocessingConfig
        Resampling, reference, units and windows.
    rename, on_unknown
        Channel mapping options (see :func:`eegpt.channels.map_channels`); ``rename`` keys a
        file does not have are ignored (one ``rename`` serves the whole corpus).
    reject_by_annotation : bool
        Leave out the windows over annotations marked bad (see :func:`eegpt.embed`).
    rescale : float
        This file's correction of the samples as read (:attr:`InputFile.rescale`).
    keep : str | sequence of str | None
        The vocabulary channels used (see :func:`eegpt.channels.map_channels`).
    picks : str | list of str
        Channel types read (see :func:`eegpt.embed`).
    annotations : str | None
        A file of more annotations (:attr:`InputFile.annotations`).
    part : FilePart | None
        Read only these windows of the recording (one of the parts a first read listed in
        :attr:`LoadedFile.more`).
    part_bytes : int | None
        Read a continuous recording whose windows take more than this many bytes (float32) in
        parts: the result is the first part, with the others listed in
        :attr:`LoadedFile.more`. None: always the whole file.
    model_config : EEGPTConfig | None
        The encoder's patch geometry, for the patches of epochs zero-padded into the window
        (``padded_epochs``); None: the default one.
    bads : sequence of str
        Channels to mark bad in this file (:attr:`InputFile.bads`); one it lacks fails it.
    from_manifest : bool
        Whether the run's input is a manifest (:attr:`DatasetInputs.manifest`): a warning's
        advice then names its ``rescale`` column for a single file's correction.
    start_seconds : float | None
        This continuous recording's first window's onset in s from its first sample
        (:attr:`InputFile.start_seconds`), instead of ``config.start_seconds``; None: that.

    Returns
    -------
    LoadedFile
        With ``error`` set (and no windows) when reading or preprocessing failed.
    """
    start = time.perf_counter()
    given = part
    # what libraries say about their own future (pandas' and MNE's deprecations) is not about
    # the file
    with (
        caught_warnings(DeprecationWarning, PendingDeprecationWarning, FutureWarning) as caught,
        corpus_file(from_manifest),  # advice for one file of the run, not for all
    ):
        recording: Any = None
        mapping: Any = None  # the channel mapping, once computed
        more: list[FilePart] = []
        per_window: list[list[str]] | None = None
        added = None  # the annotations of the file ``annotations``, read once
        try:
            if rescale != 1.0:
                config = config.updated(scale=config.scale * rescale)
            if start_seconds is not None:  # this recording's own (the manifest's column)
                config = config.updated(start_seconds=start_seconds)
            # continuous data streamed (as eegpt embed reads it): the windows, not the whole
            # recording in float64 and its copies, are what a reader holds
            unreadable = unreadable_first_part(path)  # a later part of a damaged recording?
            if unreadable is not None:
                raise part_of_unreadable_error(path, *unreadable)
            recording = open_stream_unless_epochs(
                path, rename=rename, on_unknown=on_unknown, on_missing="ignore", picks=picks,
                keep=keep, verbose=False, bads=bads,
            )  # fmt: skip
            if recording is not None:
                mapping = recording.mapping
                added = placed_extra(recording, annotations)
                bad = BadSpans.of(recording, annotations, reject=reject_by_annotation, added=added)
                stream = WindowStream(recording, config, line=None if part is None else part.line,
                                      bad_spans=bad)  # fmt: skip
                if part is None and part_bytes is not None:
                    parts = _parts(stream, part_bytes)
                    part, more = (parts[0], parts[1:]) if len(parts) > 1 else (None, [])
                first, stop = (0, stream.n_windows) if part is None else (part.first, part.stop)
                shape = (stop - first, recording.n_channels, config.n_samples)
                data = np.empty(shape, np.float32)  # filled block by block: no second copy
                for w0, block in stream.blocks(_READ_BLOCK_WINDOWS, first, stop):
                    data[w0 - first : w0 - first + len(block)] = block
                onsets = np.asarray(stream.onsets, np.float64)
                padding = tail_record(recording, stream)
                if "padded_tail" in padding:  # the last of all the recording's windows
                    padding["padded_tail"]["window"] = stream.n_windows - 1
            elif part is not None:
                raise ValueError("only continuous recordings are read in parts, not epochs")
            else:  # epochs: read whole
                recording = as_recording(path, picks=picks, verbose=False, bads=bads)  # no logs
                mapping = map_channels(
                    recording.ch_names, rename=rename, on_unknown=on_unknown, on_missing="ignore",
                    keep=keep, left_out=recording.left_out,
                )  # fmt: skip
                windows = prepare(recording, mapping, config)
                data, onsets = windows.data, np.asarray(windows.onsets, np.float64)
                padding = epoch_padding_record(model_config or EEGPTConfig(), recording, windows)
            per_window = annotations_per_window(
                recording, onsets, config.window_seconds, extra=annotations, added=added
            )
            # over all of the file's windows (its warnings count them all), then the part's
            found = annotate_windows(per_window, path, reject=reject_by_annotation, all_bad="empty")
        except Exception as err:  # noqa: BLE001 - every reason is recorded, the run goes on
            texts = _warning_texts(caught)
            if isinstance(err, StartPastEndError) and start_seconds is not None:
                # the start came from the manifest's column, not from --start
                err = start_past_end(err.source, err.duration, err.start_seconds,
                                     "the manifest's start_seconds column")  # fmt: skip
            reason = _described_error(err)
            truncated = next((t for t in texts if "the file is truncated" in t), None)
            if truncated:  # the cause of what failed next (e.g. too short for a window)
                reason = f"{truncated} What is left cannot be used: {reason}"
            seconds = 0.0 if recording is None else _total_duration(recording)
            if given is not None:  # one of several parts: the writer fails the whole file
                reason = f"{given}: {reason}"
            failed = LoadedFile.failed(index, reason, texts, seconds)
            failed.read_s, failed.part = time.perf_counter() - start, given
            if mapping is not None and _too_short(reason):  # its channels, as of a file read
                failed.mapping = {
                    **mapping.to_dict(),
                    "left_out": mapping.left_out_with(recording.left_out),
                }
                failed.windows.time_base["sfreq_in"] = float(recording.sfreq)  # and its rate
            return failed
    if part is not None:
        onsets = onsets[part.first : part.stop]
        if found is not None:
            assert per_window is not None
            found = _part_annotations(per_window, found.keep, part)
    labels = getattr(recording, "labels", None)
    info = WindowInfo(
        annotations=None if found is None else found.per_window, labels=labels, padding=padding
    )
    for key in ("first_time", "meas_date"):  # as embed's provenance records them
        value = getattr(recording, key, None)
        if value is not None:
            info.time_base[key] = value
    if getattr(recording, "file_offset", None):  # as embed's provenance records it
        info.time_base["file_offset"] = float(recording.file_offset)
    if getattr(recording, "clock", None) is not None:
        info.time_base["record_clock"] = recording.clock.to_dict()
    info.time_base["sfreq_in"] = float(recording.sfreq)  # as embed's provenance records it
    if getattr(recording, "epochs_metadata", None) is not None:
        info.metadata = _metadata_rows(recording.epochs_metadata)
    if getattr(recording, "selection", None) is not None:  # epochs with dropped ones: indices
        info.index = np.asarray(recording.selection, dtype=np.int64)
    if part is not None:
        info.index = np.arange(part.first, part.stop, dtype=np.int64)
    if found is not None and found.keep is not None:
        kept = found.keep
        windows_index = np.arange(len(kept)) if info.index is None else info.index
        data, onsets, info.index, info.left_out = (
            data[kept],
            onsets[kept],
            windows_index[kept],
            found.left_out,
        )
        if labels is not None:
            info.labels = found.kept(labels)
        if info.metadata is not None:
            info.metadata = found.kept(info.metadata)
        if len(kept) and not kept[-1]:  # the zero-padded last window is not among those kept
            info.padding.pop("padded_tail", None)
    return LoadedFile(
        index=index,
        data=np.ascontiguousarray(data, dtype=np.float32),
        onsets=onsets,
        mapping={**mapping.to_dict(), "left_out": mapping.left_out_with(recording.left_out)},
        duration_s=_total_duration(recording),
        warnings=_warning_texts(caught),
        windows=info,
        read_s=time.perf_counter() - start,
        part=part,
        more=more,
    )


def _parts(stream: WindowStream, part_bytes: int) -> list[FilePart]:
    """Split a recording's windows into parts of at most ``part_bytes`` (float32), whole
    reading blocks where a part holds several."""
    window_bytes = 4 * stream.recording.n_channels * stream.config.n_samples
    size = max(1, part_bytes // window_bytes)
    if size >= _READ_BLOCK_WINDOWS:
        size -= size % _READ_BLOCK_WINDOWS
    n, line = stream.n_windows, stream.line
    return [FilePart(a, min(a + size, n), n, line) for a in range(0, n, size)]


def _part_annotations(
    per_window: list[list[str]], keep: np.ndarray | None, part: FilePart
) -> WindowAnnotations:
    """The annotations of a part's windows, from those of all the recording's windows."""
    own = per_window[part.first : part.stop]
    if keep is None:
        return WindowAnnotations(own)
    keep = keep[part.first : part.stop]
    return WindowAnnotations([d for d, k in zip(own, keep, strict=True) if k], keep)


def _total_duration(recording: Any) -> float:
    """Seconds of a recording (streamed, or in memory with all its epochs together)."""
    if not isinstance(recording, Recording):
        return recording.n_times / recording.sfreq
    n_epochs = recording.data.shape[0] if recording.is_epoched else 1
    return float(recording.duration) * n_epochs


#: Windows per block when a reader streams a file (as eegpt embed's blocks).
_READ_BLOCK_WINDOWS = 256

#: A longer recording is read in parts of at most this many bytes of float32 windows (at most
#: 2 * workers + 2 parts or files are read or waiting at a time): about 1000 windows of 58
#: channels, an hour of EEG.
PART_BYTES = 256 << 20


def _metadata_rows(frame: Any) -> list[str]:
    """``epochs.metadata`` as one JSON object per row (the shards' ``epochs_metadata``)."""
    record = metadata_record(frame)
    return [json.dumps(dict(zip(record["columns"], row, strict=True))) for row in record["data"]]


def _warning_texts(caught: list[warnings.WarningMessage]) -> list[str]:
    return warning_texts((str(w.message) for w in caught), _MAX_WARNINGS)


def pool_rows(z: np.ndarray, pool: Pool) -> np.ndarray:
    """Flatten ``[n, N, S, D]`` summary tokens to ``[n, N*S*D]``, or average them to ``[n, D]``."""
    if pool in ("none", "mean"):
        z = np.asarray(z, dtype=np.float32)
        return np.ascontiguousarray(pool_embeddings(z, "flatten" if pool == "none" else "mean"))
    raise ValueError(f"pool must be 'none' or 'mean', got {pool!r}")


def encode_files(
    engine: InferenceEngine,
    files: Sequence[LoadedFile],
    *,
    pool: Pool = "none",
    stop: threading.Event | None = None,
    on_windows: Callable[[int], None] | None = None,
) -> list[FileResult]:
    """Embed the windows of several files, batching across files with the same channels.

    Consecutive files whose channel mappings have identical ``chan_ids`` are encoded as one
    array (so small files fill whole batches). A failure during inference is retried file by
    file and then recorded on the file that fails; it does not stop the run.

    Parameters
    ----------
    engine : InferenceEngine
        Model, device, precision and batch size.
    files : sequence of LoadedFile
    pool : ``"none"`` | ``"mean"``
        See :func:`pool_rows`.
    stop : threading.Event | None
        Set by an interruption: encoding ends at the next chunk of windows (a few seconds
        on a CPU) with :class:`_EncodeStopped`, not after a long file's last window.
    on_windows : callable(int) | None
        Called with the number of windows of each chunk embedded (progress within files).

    Returns
    -------
    list of FileResult
        In the order of ``files``.
    """
    results: list[FileResult | None] = [None] * len(files)
    todo: list[int] = []
    for i, f in enumerate(files):
        if f.error is not None or f.n_windows == 0:
            results[i] = _result(f, np.zeros((0, 0), np.float32), f.error)
        else:
            todo.append(i)
    for run in _same_channel_runs(todo, files):
        try:
            _encode_run(engine, [files[i] for i in run], results, run, pool, stop, on_windows)
        except Exception as err:  # noqa: BLE001 - isolate the file that fails
            if len(run) == 1:
                results[run[0]] = _result(
                    files[run[0]], None, f"inference failed: {_described_error(err)}"
                )
                continue
            for i in run:
                try:
                    _encode_run(engine, [files[i]], results, [i], pool, stop)
                except Exception as err_i:  # noqa: BLE001
                    results[i] = _result(
                        files[i], None, f"inference failed: {_described_error(err_i)}"
                    )
    return results  # type: ignore[return-value]


def _result(
    f: LoadedFile,
    embeddings: np.ndarray | None,
    error: str | None,
    batch_size: int | None = None,
) -> FileResult:
    if error is not None:
        if f.part is not None and f.error is None:  # inference failed on one part
            error = f"{f.part}: {error}"
        empty = np.zeros((0, 0), np.float32)
        short = _too_short(error)  # a skipped file's channels and rate, as read
        mapping = f.mapping if short else {}
        windows = WindowInfo(time_base=dict(f.windows.time_base)) if short else WindowInfo()
        return FileResult(  # the length read, as the reports give it
            f.index, empty, np.zeros(0), mapping, f.duration_s, error, f.warnings, windows,
            read_s=f.read_s, part=f.part,
        )  # fmt: skip
    assert embeddings is not None
    return FileResult(
        f.index,
        embeddings,
        f.onsets,
        f.mapping,
        f.duration_s,
        None,
        f.warnings,
        f.windows,
        f.read_s,
        f.part,
        batch_size,
    )


def _same_channel_runs(todo: list[int], files: Sequence[LoadedFile]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in todo:
        if runs and files[runs[-1][-1]].mapping["chan_ids"] == files[i].mapping["chan_ids"]:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _encode_run(
    engine: InferenceEngine,
    run: list[LoadedFile],
    results: list[FileResult | None],
    positions: list[int],
    pool: Pool,
    stop: threading.Event | None = None,
    on_windows: Callable[[int], None] | None = None,
) -> None:
    data = run[0].data if len(run) == 1 else np.concatenate([f.data for f in run])
    chan_ids = run[0].mapping["chan_ids"]
    # whole batches per chunk: the same batches, so the same numbers, as one call
    device = cast(torch.device, engine.device)  # resolved in InferenceEngine.__post_init__
    target = _STOP_CHECK_WINDOWS["cpu" if device.type == "cpu" else "gpu"]
    batch = engine.batch_for(data.shape)  # recorded in each file's status
    step = block_size(batch, target)
    z: np.ndarray | None = None
    for first in range(0, len(data), step):
        if stop is not None and stop.is_set():
            raise _EncodeStopped
        part = pool_rows(engine.encode(data[first : first + step], chan_ids), pool)
        if z is None:
            z = np.empty((len(data), *part.shape[1:]), np.float32)
        z[first : first + len(part)] = part
        if on_windows is not None:
            on_windows(len(part))
    assert z is not None
    start = 0
    for pos, f in zip(positions, run, strict=True):
        z_f = z[start : start + f.n_windows]
        problem = non_finite_embeddings(z_f, 0, f.onsets)  # refused, as embed refuses them
        if problem is None:
            results[pos] = _result(f, z_f, None, batch)
        else:
            results[pos] = _result(f, None, f"inference failed: EmbeddingError: {problem}")
        start += f.n_windows


#: Windows encoded between two looks at an interruption (a few seconds of the large model).
_STOP_CHECK_WINDOWS = {"cpu": 256, "gpu": 8192}


class _EncodeStopped(BaseException):
    """Encoding ended early because the run was interrupted (a BaseException, so that the
    per-file retry of :func:`encode_files` lets it through)."""


# --------------------------------------------------------------------------------------------
# devices
# --------------------------------------------------------------------------------------------


def select_devices(
    device: str | torch.device | None = None, *, replicas: int | None = None
) -> list[torch.device]:
    """The devices that get one model replica each.

    Parameters
    ----------
    device : str | torch.device | None
        ``None``/``"auto"``: every visible CUDA GPU, else the CPU. ``"cuda"``: every visible
        GPU. ``"cuda:1"``: that GPU. ``"cuda:0,cuda:2"``: those GPUs. ``"cpu"``: the CPU.
    replicas : int | None
        Use at most this many of the GPUs (the first ones). The CPU always gets one replica.

    Returns
    -------
    list of torch.device

    Raises
    ------
    RuntimeError
        If CUDA is asked for but PyTorch sees no GPU, or a GPU index does not exist.
    ValueError
        If ``replicas`` is below 1, or above 1 for the CPU, or ``device`` is no device name.
    """
    if replicas is not None and replicas < 1:
        raise ValueError(f"replicas must be >= 1, got {replicas}")
    text = "auto" if device is None else str(device).strip()
    n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if text == "auto":
        text = "cuda" if n_gpus else "cpu"
    if text == "cpu":
        if replicas not in (None, 1):
            raise ValueError(
                "several model replicas on the CPU would only compete for the same cores; use "
                "one (and more --workers for reading), or --engine ray across machines"
            )
        return [torch.device("cpu")]
    parts = [part.strip() for part in text.split(",") if part.strip()]
    unknown = ValueError(
        f"unknown device {device!r}: use 'auto', 'cpu', 'cuda', 'cuda:N' or GPUs separated "
        "by commas ('cuda:0,cuda:2')"
    )
    if not parts:
        raise unknown
    for part in (p for p in parts if not re.fullmatch(r"cuda(:\d+)?", p)):
        if part not in ("cpu", "auto"):  # a device eegpt does not run on (mps ...) says so
            with contextlib.suppress(ValueError):
                resolve_device(part)
        raise unknown
    if text == "cuda":
        resolve_device(text)  # without a GPU: says so
        devices = [torch.device("cuda", i) for i in range(n_gpus)]
    else:  # the checks (and messages) of a single device, for each
        devices = [torch.device("cuda", resolve_device(part).index or 0) for part in parts]
        if len(set(devices)) != len(devices):
            raise ValueError(f"device {text!r} names a GPU twice")
    return devices[:replicas] if replicas else devices


def make_engines(
    model: EEGPT,
    devices: Sequence[torch.device],
    *,
    precision: Precision = "float32",
    batch_size: int | None = None,
    stream_precision: Precision = "float32",
) -> list[InferenceEngine]:
    """One :class:`InferenceEngine` per device, on ``model``'s encoder (embeddings describe the
    recordings' own channels: a fine-tuned model's channel projection is not applied); the
    encoder is copied for every extra device."""
    encoder = model.target_encoder if isinstance(model, EEGPT) else model
    engines = []
    for i, dev in enumerate(devices):
        replica = encoder if i == len(devices) - 1 else copy.deepcopy(encoder)
        engines.append(
            InferenceEngine(
                replica,
                device=dev,
                precision=precision,
                batch_size=batch_size,
                fused=replica.fused,  # as the model says (model.fused), as embed() does
                stream_precision=stream_precision,
            )
        )
    return engines


# --------------------------------------------------------------------------------------------
# output: run settings, shard files, reports
# --------------------------------------------------------------------------------------------


def _run_spec(
    model: EEGPT,
    inputs: DatasetInputs,
    config: PreprocessingConfig,
    *,
    rename: Mapping[str, str | None] | str | os.PathLike | None,
    on_unknown: str,
    precision: str,
    keep: str | Sequence[str] | None = None,
    pool: Pool,
    shard_size: int,
    stream_precision: str = "float32",
    reject_by_annotation: bool = False,
    picks: str | Sequence[str] = "eeg",
    part: tuple[int, int] | None = None,
    corpus_files: int | None = None,
    corpus_sha256: str | None = None,
    corpus: str | None = None,
    resumes: Path | None = None,
) -> dict[str, Any]:
    """Everything that determines the rows: stored in every shard, compared on resume. A
    ``part`` run also records the whole corpus it was split from: ``corpus``, what names it
    (:func:`_corpus_identity`), and its listing's ``corpus_files`` and ``corpus_sha256``
    (:meth:`DatasetInputs.fingerprint` of the unsplit inputs), for the parts to be checked
    as parts of one listing.

    Weights changed since they were loaded (:func:`~eegpt.checkpoints.modified_weights`) are
    recorded as an ``.npz`` output records them: ``sha256`` None, ``weights_modified`` True
    and ``weights_sha256`` their encoder fingerprint, so a corpus and the files embedded with
    the same weights can be matched. A run of such weights in ``resumes`` (the output folder)
    recorded before as ``state_dict:<hash>`` keeps that form, so that it still resumes."""
    encoder = model.target_encoder if isinstance(model, EEGPT) else model
    cfg = encoder.config
    shape = [cfg.n_patches(config.n_samples), cfg.embed_num, cfg.embed_dim]
    info = dict(getattr(model, "checkpoint_info", None) or {})
    fingerprint = modified_weights(model) if isinstance(model, EEGPT) else None
    checkpoint: dict[str, Any] = {
        "sha256": info.get("sha256"),
        "format": info.get("format"),
        "pretrained": (info.get("notes") or {}).get("pretrained"),
    }
    if fingerprint is not None and not _recorded_state_hash(resumes):
        # changed since loaded: the file's hash would name other weights
        checkpoint.update(sha256=None, weights_modified=True, weights_sha256=fingerprint)
    elif fingerprint is not None or not checkpoint["sha256"]:
        checkpoint["sha256"] = f"state_dict:{_state_hash(model)}"
    spec: dict[str, Any] = {
        "format": FORMAT,
        "model": cfg.to_dict(),
        "checkpoint": checkpoint,
        "preprocessing": config.to_dict(),
        "channels": {
            "rename": rename_table(rename),
            "on_unknown": on_unknown,
            # recorded only when given: runs from before the option compare equal to all
            **({} if keep is None else {"keep": list(kept_channels(keep) or ())}),
        },
        "precision": precision,
        "pool": pool,
        "embedding_shape": shape if pool == "none" else [cfg.embed_dim],
        "shard_size": shard_size,
        "inputs": {
            "n_files": len(inputs),
            "sha256": inputs.fingerprint(),
            "metadata_columns": inputs.metadata_columns,
        },
    }
    if stream_precision != "float32":  # absent for float32, as in runs from before the option
        spec["stream_precision"] = stream_precision
    if reject_by_annotation:  # absent when off, as in runs from before the option
        spec["reject_by_annotation"] = True
    if picks != "eeg":  # absent for the default, as in runs from before the option
        spec["channels"]["picks"] = [picks] if isinstance(picks, str) else list(picks)
    if part is not None:  # absent for a whole corpus, as in runs from before the option
        spec["inputs"]["part"] = list(part)
        spec["inputs"]["corpus_files"] = corpus_files
        spec["inputs"]["corpus_sha256"] = corpus_sha256
        spec["inputs"]["corpus"] = corpus
    spec["layout"] = LAYOUT  # see _keep_old_layout
    return spec


def _keep_old_layout(output_dir: Path, spec: dict[str, Any]) -> None:
    """Resume a run from an older row layout in its own layout: before the
    ``annotations``/``bad``/``event`` columns (layout 1, no ``layout`` key), before
    ``epochs_metadata`` (2) or before ``padded`` (3). Its finished shards lack those columns,
    and all shards of a run share one schema. A part run from before ``corpus_sha256`` or
    ``corpus`` resumes without them, and one with ``corpus`` keeps the one it recorded (the
    same corpus spelt otherwise, or moved: its listing's fingerprints tell a changed one)."""
    manifest = output_dir / MANIFEST
    if manifest.exists():
        with contextlib.suppress(ValueError, OSError, TypeError):
            old = json.loads(manifest.read_text()).get("spec", {})
            before = old.get("inputs") or {}
            if before.get("part") and spec["inputs"].get("part"):  # (a new dict: not shared)
                gone = {"corpus_sha256", "corpus"} - set(before)
                kept = {k: v for k, v in spec["inputs"].items() if k not in gone}
                spec["inputs"] = {
                    **kept,
                    **({"corpus": before["corpus"]} if "corpus" in before else {}),
                }
            if old and "layout" not in old:
                spec.pop("layout", None)
            elif old and int(old["layout"]) < LAYOUT:
                spec["layout"] = int(old["layout"])


def _recorded_state_hash(output_dir: Path | None) -> bool:
    """Whether the run in ``output_dir`` recorded its weights as ``state_dict:<hash>`` (a
    model built in Python, or weights changed after loading by eegpt before
    ``weights_sha256`` was recorded in runs)."""
    if output_dir is None:
        return False
    try:
        spec = json.loads((output_dir / MANIFEST).read_text()).get("spec") or {}
        return str((spec.get("checkpoint") or {}).get("sha256")).startswith("state_dict:")
    except (OSError, ValueError, AttributeError):
        return False


def _state_hash(model: torch.nn.Module) -> str:
    h = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def _schema(spec: Mapping[str, Any], inputs: DatasetInputs) -> Any:
    pa, _ = pyarrow_for_writing()
    width = math.prod(spec["embedding_shape"])
    fields_ = [
        pa.field("recording_id", pa.string()),
        pa.field("path", pa.string()),
        pa.field("window", pa.int32()),
        pa.field("onset_s", pa.float64()),
        pa.field("channels", pa.list_(pa.string())),
        pa.field("input_channels", pa.list_(pa.string())),
    ]
    if spec.get("layout", 1) >= 2:
        fields_ += [
            pa.field("annotations", pa.list_(pa.string())),
            pa.field("bad", pa.bool_()),
            pa.field("event", pa.string()),
        ]
    if spec.get("layout", 1) >= 3:
        fields_.append(pa.field("epochs_metadata", pa.string()))
    if spec.get("layout", 1) >= 4:
        fields_.append(pa.field("padded", pa.bool_()))
    if inputs.metadata is not None:
        fields_ += list(inputs.metadata.schema)
    fields_.append(pa.field("embedding", pa.list_(pa.float32(), width)))
    return pa.schema(fields_, metadata={"eegpt": json.dumps(spec, sort_keys=True)})


def _file_table(result: FileResult, file: InputFile, inputs: DatasetInputs, schema: Any) -> Any:
    pa, _ = pyarrow_for_writing()
    n = result.n_windows
    names = pa.scalar(result.mapping["names"], pa.list_(pa.string()))
    input_names = pa.scalar(result.mapping["input_names"], pa.list_(pa.string()))
    info = result.windows
    index = np.arange(n) if info.index is None else np.asarray(info.index)
    arrays = [
        pa.repeat(pa.scalar(file.recording_id, pa.string()), n),
        pa.repeat(pa.scalar(file.path_text, pa.string()), n),
        pa.array(index.astype(np.int32)),
        pa.array(np.asarray(result.onsets, dtype=np.float64)),
        pa.repeat(names, n),
        pa.repeat(input_names, n),
    ]
    if "annotations" in schema.names:
        per_window = info.annotations if info.annotations is not None else [[]] * n
        arrays += [
            pa.array(per_window, pa.list_(pa.string())),
            pa.array(bad_windows(per_window), pa.bool_()),
            pa.array(info.labels if info.labels is not None else [None] * n, pa.string()),
        ]
    if "epochs_metadata" in schema.names:
        rows = info.metadata if info.metadata is not None else [None] * n
        arrays.append(pa.array(rows, pa.string()))
    if "padded" in schema.names:
        arrays.append(pa.array(info.padded(n), pa.bool_()))
    if inputs.metadata is not None:
        arrays += [pa.repeat(col[file.index], n) for col in inputs.metadata.columns]
    width = schema.field("embedding").type.list_size
    flat = np.ascontiguousarray(result.embeddings, dtype=np.float32)
    if n == 0:  # e.g. every window left out by reject_by_annotation
        flat = flat.reshape(0, width)
    if flat.shape != (n, width):
        raise RuntimeError(
            f"embeddings of {file.recording_id} have shape {flat.shape}, not {(n, width)}"
        )
    values = pa.array(flat.reshape(-1), type=pa.float32())
    arrays.append(pa.FixedSizeListArray.from_arrays(values, width))
    return pa.Table.from_arrays(arrays, schema=schema)


_BESIDE = {".vhdr": (".eeg", ".vmrk"), ".set": (".fdt",)}  # the files of version 1 stamps

STAMP_VERSION = 3
"""Which files :func:`source_stamp` stamps as a recording's (``"stamp_version"`` of a file
status): 3, those :func:`eegpt._file_identity.recording_files` names, the files read (the
data and marker files a BrainVision header names, a split FIF recording's later parts as
its headers name them, of raw data or epochs, ``x.fif-1.gz`` ... after ``x.fif.gz``, the
files inside a recording folder), as ``eegpt embed`` records them; 2, the same but for a
split FIF recording, whose later parts were those ``mne.io.read_raw_fif`` read (none of
epochs; the parts there where one was missing) and only where a part named ``x-1.fif`` or
``x-1.fif.gz`` lay beside it (none of a ``.fif.gz`` recording MNE split):
:func:`eegpt._file_identity.recording_files_v2`; 1 (file statuses without the key, of
earlier versions), the files of the recording's name beside it (:data:`_BESIDE`) and a
recording folder itself. A resume stamps a recording by the version its status was
recorded with (its size, fingerprint and ``--hash-inputs`` SHA-256), so that a stamp of
another rule is no change."""


def source_stamp(
    file: InputFile, *, fingerprints: bool = True, version: int = STAMP_VERSION
) -> dict[str, int | str] | None:
    """Size (bytes) and latest modification time (ns) of a recording's files (the files read
    with it: :data:`STAMP_VERSION`), and of its annotations file apart (``annotations_*``);
    None when one cannot be read. With ``fingerprints``, also each group's content
    fingerprint (``source_fingerprint``, ``annotations_fingerprint``: :func:`_fingerprint`, a
    SHA-256 of each file's size and first and last MiB, not of the whole file; left out
    where it cannot be taken). Runs of earlier versions named it ``source_sha256``
    (``annotations_sha256``), which :func:`recorded_fingerprint` reads too. A resume compares them with those of the run that embedded the recording, to
    find recordings that changed since; ``version``: the rule of the stamp compared with
    (recorded under ``stamp_version``, from version 2 on)."""
    stamp: dict[str, int | str] = {"stamp_version": version} if version >= 2 else {}
    try:
        for name, paths in _stamped_files(file, version).items():
            stats = [os.stat(p) for p in paths]
            stamp[f"{name}_bytes"] = sum(st.st_size for st in stats)
            stamp[f"{name}_mtime_ns"] = max(st.st_mtime_ns for st in stats)
            digest = _fingerprint(paths) if fingerprints else None
            if digest is not None:
                stamp[f"{name}_fingerprint"] = digest
    except OSError:
        return None
    return stamp


def full_hashes(
    file: InputFile, version: int = STAMP_VERSION, errors: bool = False
) -> dict[str, Any]:
    """The SHA-256 of every byte of each of a recording's files (what ``sha256sum`` prints),
    by group as :func:`source_stamp` stamps them: ``{"source_file_sha256": {name: sha256},
    "annotations_file_sha256": {name: sha256}}``, each file named relative to the recording's
    folder (``"rec.vhdr"``, ``"rec.mff/signal1.bin"``; as ``metadata["source_files"]`` of
    ``eegpt embed`` names them). Recorded with ``hash_inputs=True`` (``embed-dataset
    --hash-inputs``), which reads every byte of each file once more. A group that cannot be
    read (an empty folder, a file gone or unreadable) has no hashes; with ``errors``, why is
    recorded instead, under ``hash_errors`` (``{"source": "PermissionError: ..."}``)."""
    root = Path(file.path).expanduser().absolute().parent
    out: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for name, paths in _stamped_files(file, version).items():
        try:
            out[f"{name}_file_sha256"] = {
                _file_name(Path(p).expanduser().absolute(), root): file_sha256(p) for p in paths
            }
        except OSError as err:
            failed[name] = f"{type(err).__name__}: {err}"
    if failed and errors:
        out["hash_errors"] = failed
    return out


def _hashed_status(file: InputFile) -> dict[str, Any]:
    """:func:`full_hashes` of a recording just embedded with ``hash_inputs``, for its status;
    a group that could not be hashed is recorded as such and warned of (it was asked for)."""
    hashes = full_hashes(file, errors=True)
    for name, error in (hashes.get("hash_errors") or {}).items():
        what = "annotations file" if name == "annotations" else "files"
        _warn(
            f"embed_dataset: --hash-inputs: the {what} of {path_text(file.path)} could not be "
            f"hashed ({error}); its status records why (hash_errors) instead of their SHA-256"
        )
    return hashes


def _marked_groups(mark: str) -> set[str]:
    """The stamp groups (``"source"``, ``"annotations"``) a ``changed`` mark of
    ``_files.csv`` names: ``"recording and annotations file: contents"`` names both."""
    files, _, _ = mark.partition(": ")
    names = {"recording": "source", "annotations file": "annotations"}
    return {names[f] for f in files.split(" and ") if f in names}


def _stamped_files(file: InputFile, version: int = STAMP_VERSION) -> dict[str, list[str]]:
    """The files of :func:`source_stamp`'s groups: ``"source"`` (the recording and the files
    read with it, by the rule of ``version``: :data:`STAMP_VERSION`) and ``"annotations"``
    where it has an annotations file."""
    if version >= 2:
        files_read = recording_files if version >= 3 else recording_files_v2
        read = [os.fspath(p) for p in files_read(file.path)]
        groups = {"source": read or [file.path]}  # an empty folder: the folder itself
    else:
        root, suffix = os.path.splitext(file.path)
        beside = [root + s for s in _BESIDE.get(suffix.lower(), ())]
        groups = {"source": [file.path, *(p for p in beside if os.path.exists(p))]}
    if file.annotations:
        groups["annotations"] = [file.annotations]
    return groups


_FINGERPRINT_BYTES = 1 << 20
"""Bytes read from each end of a file for its fingerprint (:func:`_fingerprint`)."""


def _fingerprint(paths: Sequence[str]) -> str | None:
    """A cheap content fingerprint of files: the SHA-256 (hex) of each one's size and its first
    and last :data:`_FINGERPRINT_BYTES` (1 MiB), in order. It tells a copy that only changed
    the modification times (``cp`` without ``-p``, a file system of coarser times) from an
    edit, short of an edit in the middle of a large file that keeps its size. None where one
    cannot be read as a file (a recording folder, EGI ``.mff``)."""
    h = hashlib.sha256()
    try:
        for path in paths:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                h.update(f"{size}\0".encode())
                h.update(fh.read(_FINGERPRINT_BYTES))
                if size > _FINGERPRINT_BYTES:
                    fh.seek(max(_FINGERPRINT_BYTES, size - _FINGERPRINT_BYTES))
                    h.update(fh.read(_FINGERPRINT_BYTES))
    except OSError:
        return None
    return h.hexdigest()


def _too_short(error: str | None) -> bool:
    """Whether a file's ``error`` (:func:`_described_error`'s text) is that of a recording shorter
    than one window with ``tail="drop"`` (:class:`~eegpt.errors.TooShortError`), which is
    skipped rather than failed."""
    return error is not None and error.startswith(f"{TooShortError.__name__}: ")


def _status_of(error: str | None) -> str:
    """A file's status from its ``error``: ``"ok"``, :data:`TOO_SHORT` or ``"failed"``."""
    return "ok" if error is None else TOO_SHORT if _too_short(error) else "failed"


def _file_status_record(
    result: FileResult, file: InputFile, shard: int, hash_inputs: bool = False
) -> dict[str, Any]:
    """A file's status as its shard's footer records it; ``hash_inputs``: with the full
    SHA-256 of its files (:func:`full_hashes`) where it was embedded."""
    embedded = hash_inputs and _status_of(result.error) == "ok"
    return {
        "index": file.index,
        "recording_id": file.recording_id,
        "path": file.path_text,
        "shard": shard,
        "status": _status_of(result.error),
        "n_windows": result.n_windows,
        "n_windows_left_out": result.windows.left_out,
        "duration_s": result.duration_s,
        "read_s": round(result.read_s, 3),
        # windows per forward pass (the last bits can change with it): absent where none
        # were embedded, and in the statuses of runs from before it was recorded
        **({"batch_size": result.batch_size} if result.batch_size is not None else {}),
        "error": result.error,
        "warnings": result.warnings,
        "dropped_channels": result.mapping.get("dropped", []),
        "channels": list(result.mapping.get("names", [])),
        **({"left_out": result.mapping["left_out"]} if result.mapping.get("left_out") else {}),
        **({"annotations_file": file.annotations} if file.annotations else {}),
        # its own first window's onset (the manifest's start_seconds), beside the run's --start
        **({"start_seconds": file.start_seconds} if file.start_seconds is not None else {}),
        **result.windows.time_base,
        **result.windows.padding,
        **(source_stamp(file) or {}),
        **(_hashed_status(file) if embedded else {}),
    }


def recorded_fingerprint(status: Mapping[str, Any], name: str) -> str | None:
    """The content fingerprint (:func:`_fingerprint`) a file status recorded of a group of a
    recording's files (``name``: ``"source"``, ``"annotations"``), or None: under
    ``{name}_fingerprint``, or ``{name}_sha256`` as earlier versions of eegpt named the same
    value (a SHA-256 of each file's size and first and last MiB, not the file's SHA-256)."""
    value = status.get(f"{name}_fingerprint", status.get(f"{name}_sha256"))
    return value if isinstance(value, str) else None


def _same_contents(file: InputFile, name: str, status: Mapping[str, Any]) -> bool | None:
    """Whether a group of a recording's files (``name``, as in :func:`source_stamp`) holds what
    it held when embedded, by the full SHA-256 of each file where the run recorded them
    (``hash_inputs``: every byte read again), else by the fingerprint the run recorded; None
    where that cannot be told: no fingerprint recorded (runs before fingerprints; a recording
    folder), or none taken now (a file that cannot be opened)."""
    version = status.get("stamp_version", 1)
    hashed = status.get(f"{name}_file_sha256")
    if isinstance(hashed, dict) and hashed:  # --hash-inputs: every byte compared
        now_hashed = full_hashes(file, version).get(f"{name}_file_sha256")
        if now_hashed is not None:
            return now_hashed == hashed
    recorded = recorded_fingerprint(status, name)
    paths = _stamped_files(file, version).get(name)
    now = None if recorded is None or paths is None else _fingerprint(paths)
    return None if now is None else now == recorded


def _warn_changed(
    inputs: DatasetInputs,
    statuses: Iterable[Mapping[str, Any]],
    read_only: bool = False,
    check_contents: bool = False,
    earlier_marks: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Warn about recordings whose rows (or failures, or skips as too short) an earlier run
    wrote, given by their file statuses, and whose files changed since. What is compared, as
    rsync does, is each file's size and modification time; the recorded fingerprint
    (:func:`_fingerprint`) is read only where the time is new and the size is not, to tell an
    edit (``contents``) from a copy without ``-p`` or a file system of coarser times (not a
    change). ``check_contents``: the fingerprint of every file is compared too (2 MiB read
    each), which finds an edit that kept the size and the time (a header de-identified in
    place with its times restored, ``touch -r``). A resume reads none of them again: that
    would rewrite finished shards, and a file that changed may still be changing (a copy in
    progress); the warnings say how. Returns the embedded ones (their rows are of the
    earlier contents), by recording id, each with what changed (the ``changed`` column of
    ``_files.csv``: ``size``, ``contents``, ``modification time``). ``read_only``: the
    output folder cannot be written, so the reports cannot mark them (the warning says so
    instead). ``earlier_marks``: the ``changed`` column an earlier run wrote, by recording id (from
    :func:`_earlier_marks`); a file marked for its ``contents`` then has its fingerprint
    compared again even without ``check_contents``, so a resume without the flag (a SLURM
    restart) keeps the mark unless the file holds what was embedded again."""
    files = {f.recording_id: f for f in inputs.files}
    changed: dict[str, dict[str, int]] = {"ok": {}, "failed": {}, TOO_SHORT: {}}
    stale: dict[str, str] = {}  # embedded recordings that changed: what changed
    touched = 0  # of those embedded: sizes as they were, times new, no fingerprint (a copy?)
    unchecked: list[str] = []  # check_contents: files whose contents could not be compared
    for status in statuses:
        file = files.get(status["recording_id"])
        if "source_bytes" not in status or file is None:  # older runs did not record it
            continue
        if status["status"] not in changed:
            continue
        now = source_stamp(file, fingerprints=False, version=status.get("stamp_version", 1))
        if now is None:
            continue
        groups = ("source", "annotations")  # the recording's files, its annotations file
        sized = {n: now.get(f"{n}_bytes") != status.get(f"{n}_bytes") for n in groups}
        timed = {n: now.get(f"{n}_mtime_ns") != status.get(f"{n}_mtime_ns") for n in groups}
        edited = dict.fromkeys(groups, False)  # the same size, other contents by fingerprint
        # marked for its contents before (by --check-contents): compared again, not forgotten
        earlier = (earlier_marks or {}).get(status["recording_id"], "")
        recheck = check_contents or "contents" in earlier
        for name in groups:  # a new time alone, the contents as fingerprinted: unchanged
            if sized[name] or not (timed[name] or recheck):
                continue
            same = _same_contents(file, name, status)
            edited[name] = same is False
            if same is None and check_contents and (name == "source" or file.annotations):
                unchecked.append(status["recording_id"])
            if same is None and "contents" in earlier:  # cannot be compared now: it stands
                edited[name] = name in _marked_groups(earlier)
            timed[name] = timed[name] and same is not True
        moved = {n: sized[n] or timed[n] or edited[n] for n in groups}
        if status["status"] == TOO_SHORT and not (
            int(now.get("source_bytes") or 0) > (status.get("source_bytes") or 0)
        ):  # only a recording that grew can be longer than a window now
            continue
        if any(moved.values()):
            only = moved["annotations"] and not moved["source"]
            shown = status["recording_id"] + (
                f" (its annotations file {file.annotations})" if only else ""
            )
            changed[status["status"]][shown] = int(status["shard"])
            names = [n for n in groups if moved[n]]
            same_size = not any(sized[n] for n in names)
            unknown = not any(edited[n] for n in names)  # no fingerprint told it
            touched += status["status"] == "ok" and same_size and unknown
            if status["status"] == "ok":
                what = " and ".join(
                    w
                    for w, by in (
                        ("size", sized),
                        ("contents", edited),
                        ("modification time", timed),
                    )
                    if any(by[n] for n in names)
                )
                files_of = " and ".join(
                    {"source": "recording", "annotations": "annotations file"}[n] for n in names
                )
                stale[status["recording_id"]] = f"{files_of}: {what}"
    if unchecked:
        unchecked = list(dict.fromkeys(unchecked))
        _warn(
            f"embed_dataset: --check-contents could not compare the contents of "
            f"{_count(len(unchecked), 'file')}: {few(unchecked, 5)}; their run recorded no "
            "fingerprint (a run of an eegpt before fingerprints, or a recording folder such as "
            ".mff), or the file cannot be read now. Only their sizes and modification times "
            "were compared; to be sure of them, delete their shards and run again"
        )
    ok, failed = changed["ok"], changed["failed"]
    if ok:
        shards = [shard_name(k) for k in sorted(set(ok.values()))]
        one = len(ok) == 1
        marked = (
            f"kept, but the output folder cannot be written, so nothing records that they are "
            f"stale ({FILES_REPORT} cannot mark them; embed-dataset exits with 3)"
            if read_only
            else f"kept, marked in the 'changed' column of {FILES_REPORT} (`eegpt info` names "
            f"{'it' if one else 'them'} and exits with 3, as embed-dataset does)"
        )
        _warn(
            f"embed_dataset: {_count(len(ok), 'recording')} changed (size, modification "
            f"time or contents) since {'it was' if one else 'they were'} embedded: "
            f"{few(list(ok), 5)}. "
            f"{'Its' if one else 'Their'} rows were computed from the earlier contents; they "
            f"are {marked}, until {'it is' if one else 'they are'}"
            f" embedded again. To do so, delete {few(shards, 5)} and run the same command again "
            f"(the other files of {'that shard' if len(shards) == 1 else 'those shards'} are "
            "embedded again too), or start over with --overwrite (overwrite=True); "
            "--retry-failed embeds only failed files again"
            + (
                f". {'All' if touched == len(ok) else touched} of them kept their size and have "
                "only a new modification time: a copy without -p (cp, or rsync without -t) "
                "leaves files so, but so does an edit that keeps the size, and eegpt cannot tell "
                "which (compare them with the originals)"
                if touched
                else ""
            )
        )
    if failed:
        _warn(
            f"embed_dataset: {_count(len(failed), 'recording')} that failed changed since: "
            f"{few(list(failed), 5)}; --retry-failed (retry_failed=True) embeds the failed "
            "files again"
        )
    short = changed[TOO_SHORT]
    if short:  # not read again unasked: a file still being copied may grow further
        shards = [shard_name(k) for k in sorted(set(short.values()))]
        _warn(
            f"embed_dataset: {_count(len(short), 'recording')} skipped as shorter than one "
            f"window changed since (grown, as a file still being copied?): "
            f"{few(list(short), 5)}. To read {'it' if len(short) == 1 else 'them'} as "
            f"{'it is' if len(short) == 1 else 'they are'} now, once complete, delete "
            f"{few(shards, 5)} and run again (the other files of "
            f"{'that shard' if len(shards) == 1 else 'those shards'} are embedded again too)"
        )
    return stale


def _warn_mixed_hashes(
    statuses: Iterable[Mapping[str, Any]], hash_inputs: bool, n_todo: int
) -> None:
    """Warn where a resume's ``hash_inputs`` differs from how the recordings embedded before
    (their file ``statuses``) were recorded: with it, those embedded without their full
    SHA-256 are not hashed now (their rows are kept, not embedded again); without it, the
    ``n_todo`` files this run embeds get no full SHA-256 where earlier runs recorded them."""
    embedded = [s for s in statuses if s.get("status") == "ok"]
    hashed = sum("source_file_sha256" in s for s in embedded)
    # asked for, but their files could not be read then: warned of when embedded
    tried = sum("source_file_sha256" not in s and "hash_errors" in s for s in embedded)
    if hash_inputs and hashed + tried < len(embedded):
        n = len(embedded) - hashed - tried
        _warn(
            f"embed_dataset: --hash-inputs (hash_inputs=True) records the full SHA-256 of the "
            f"files this run embeds; {_count(n, 'recording')} embedded by an earlier run of "
            "this folder without it keep only their size, modification time and fingerprint "
            "(their rows are kept, not read again). To hash them too, delete their shards and "
            "run again, or start over with --overwrite"
        )
    elif not hash_inputs and hashed and n_todo:
        _warn(
            f"embed_dataset: earlier runs of this folder recorded the full SHA-256 of the files "
            f"of {_count(hashed, 'recording')} (--hash-inputs); this run does not, so the "
            f"{_count(n_todo, 'file')} it embeds get only their size, modification time and "
            "fingerprint: pass --hash-inputs (hash_inputs=True) to hash them too"
        )


@contextlib.contextmanager
def _naming_full_disk(output_dir: Path, writing: Callable[[], str]) -> Iterator[None]:
    """Turn a full disk (or quota, or file-size limit: :func:`~eegpt.errors.disk_full`) met in
    the block into an :class:`OutputNotWritableError` (its errno, e.g. ``ENOSPC``) that names
    ``output_dir``, what was being written (``writing()``, e.g. a shard's name) and how to
    resume; one already turned passes as it is."""
    try:
        yield
    except OSError as err:
        code = disk_full(err)
        if isinstance(err, OutputNotWritableError) or code is None:
            raise
        try:
            n_kept: int | None = len(shard_files(output_dir))
        except OSError:
            n_kept = None
        kept = (
            f" before finishing a shard. {room_advice(code, 'choose a larger disk')} and run "
            "the same command again"
            if n_kept == 0
            else ", keeping its finished shards"
            + (f" ({_count(n_kept, 'shard')} in the folder)" if n_kept else "")
            + f". {room_advice(code, 'move the folder to a larger disk')} and run the same "
            "command again: it resumes with the shards not written yet"
        )
        full = OutputNotWritableError(
            f"{out_of_room(code, output_dir, writing(), err)}: the run stopped{kept}"
        )
        full.errno = code
        raise full from err


class ShardWriter:
    """Writes file results, arriving in file order, into atomically committed shard files.

    A shard's rows go to a temporary file beside the final one (one or more row groups); when
    its last file has arrived the per-file statuses are added to the footer (key
    ``eegpt_shard``), the file is flushed to disk and renamed to ``shard-NNNNN.parquet``. Until
    then no file of that name exists, so the shard counts as not done.

    Parameters
    ----------
    output_dir : Path
    inputs : DatasetInputs
    shards : list of list of int
        For every shard, the indices of its files (all shards of the dataset).
    spec : dict
        Run settings (schema metadata ``eegpt``).
    on_file : callable(FileResult, dict) | None
        Called with each result and its status after it was added.
    on_part : callable(FileResult, InputFile) | None
        Called with each part of a file read in parts but its last (whose file's result goes
        to ``on_file``), when it was added; not after a part of the file failed.
    on_commit : callable(int, list of dict) | None
        Called with the shard number and its file statuses after the rename.
    run : dict | None
        The run that writes the shards, recorded in each footer's ``eegpt_shard`` as ``run``
        (its ``started`` time as the manifest's ``runs`` name it, ``eegpt_version``,
        ``torch_version`` and ``software``, the versions of :func:`~eegpt.api.software_versions`):
        which run of a resumed corpus wrote a shard, and with which versions.
    """

    def __init__(
        self,
        output_dir: Path,
        inputs: DatasetInputs,
        shards: list[list[int]],
        spec: Mapping[str, Any],
        *,
        on_file: Callable[[FileResult, dict[str, Any]], None] | None = None,
        on_commit: Callable[[int, list[dict[str, Any]]], None] | None = None,
        on_part: Callable[[FileResult, InputFile], None] | None = None,
        run: Mapping[str, str] | None = None,
        hash_inputs: bool = False,
    ) -> None:
        self.output_dir = output_dir
        self.run = dict(run) if run else None
        self.hash_inputs = hash_inputs  # the full SHA-256 of each embedded file's files
        self.inputs = inputs
        self.shard_of = {i: k for k, files in enumerate(shards) for i in files}
        self.shards = shards
        self.schema = _schema(spec, inputs)
        self.on_file, self.on_commit, self.on_part = on_file, on_commit, on_part
        self._shard: int | None = None
        self._writer: Any = None
        self._tmp: Path | None = None
        self._statuses: list[dict[str, Any]] = []
        self._buffer: list[Any] = []
        self._buffered = 0
        self._parts: list[FileResult] = []  # of a file read in parts, until its last one
        self._part_rows: _PartRows | None = None  # their rows, on disk

    def add(self, result: FileResult) -> None:
        """Add the next file's result (files must come in order, shard by shard; the parts of a
        file read in parts one after the other, in order: its rows are written, and its status
        recorded, when the last one has come, none of them if one part failed)."""
        with _naming_full_disk(self.output_dir, self._writing):
            self._add(result)

    def _writing(self) -> str:
        """What this writer writes now, for messages: the shard in progress."""
        return "the shards" if self._shard is None else shard_name(self._shard)

    def _add(self, result: FileResult) -> None:
        shard = self._next(result.index)
        file = self.inputs.files[result.index]
        if result.part is not None or self._parts:
            joined = self._join(result, file)
            if joined is None:
                return
            result, tables = joined
        elif result.error is None and result.n_windows:
            tables = [_file_table(result, file, self.inputs, self.schema)]
        else:
            tables = []
        status = _file_status_record(result, file, shard, self.hash_inputs)
        self._append(tables, status)
        if self.on_file is not None:
            self.on_file(result, status)
        self._commit_if_complete()

    def add_kept(self, index: int, table: Any, status: dict[str, Any]) -> None:
        """Add a file's rows and status as an earlier run wrote them (a file that was not
        embedded again, its shard being retried for another one), in its place in the order."""
        with _naming_full_disk(self.output_dir, self._writing):
            self._add_kept(index, table, status)

    def _add_kept(self, index: int, table: Any, status: dict[str, Any]) -> None:
        if self._parts:
            raise RuntimeError(
                f"file {index} came before the last part of file {self._parts[0].index}"
            )
        self._next(index)
        pa, _ = pyarrow_for_writing()
        table = pa.Table.from_arrays(
            [table.column(n) for n in self.schema.names], schema=self.schema
        )
        self._append([table] if table.num_rows else [], status)
        self._commit_if_complete()

    def _next(self, index: int) -> int:
        """Check that file ``index`` is the next one (opening its shard); its shard."""
        shard = self.shard_of[index]
        if shard != self._shard:
            if self._shard is not None:
                raise RuntimeError(f"shard {self._shard} is incomplete but file {index} came")
            self._open(shard)
        expected = self.shards[shard][len(self._statuses)]
        if index != expected:
            raise RuntimeError(f"file {index} came before file {expected} in shard {shard}")
        return shard

    def _append(self, tables: Iterable[Any], status: dict[str, Any]) -> None:
        for table in tables:
            self._buffer.append(table)
            self._buffered += table.nbytes
            if self._buffered >= _ROW_GROUP_BYTES:
                self._flush()
        self._statuses.append(status)

    def _commit_if_complete(self) -> None:
        if self._shard is not None and len(self._statuses) == len(self.shards[self._shard]):
            self._commit()

    def _join(self, result: FileResult, file: InputFile) -> tuple[FileResult, Iterable[Any]] | None:
        """Keep a part's rows (on disk); after the last part, the file's result and rows (read
        back one part at a time)."""
        done = self._parts[-1].part.stop if self._parts else 0  # type: ignore[union-attr]
        if result.part is None or result.part.first != done:
            got = "all windows" if result.part is None else f"windows from {result.part.first}"
            raise RuntimeError(
                f"file {result.index}: {got} came after its windows up to {done}, not the next part"
            )
        if self._part_rows is None:
            self._part_rows = _PartRows(self.output_dir / shard_name(self._shard or 0))
        if result.error is not None:  # the file failed: none of its rows are written
            self._part_rows.drop()
        elif result.n_windows and not any(p.error for p in self._parts):
            self._part_rows.add(_file_table(result, file, self.inputs, self.schema))
        # the rest of the part's result is kept to join them; its embeddings are not
        self._parts.append(replace(result, embeddings=np.zeros((0, 0), np.float32)))
        if not result.part.last:
            if self.on_part is not None and not any(p.error for p in self._parts):
                self.on_part(result, file)
            return None
        parts, rows = self._parts, self._part_rows
        self._parts, self._part_rows = [], None
        return _joined(parts), rows.tables()

    def _open(self, shard: int) -> None:
        final = self.output_dir / shard_name(shard)
        fd, tmp = temporary_beside(final)
        os.close(fd)
        self._tmp, self._shard, self._statuses = tmp, shard, []
        self._writer = parquet_writer(tmp, self.schema)

    def _flush(self) -> None:
        pa, _ = pyarrow_for_writing()
        if self._buffer:
            self._writer.write_table(pa.concat_tables(self._buffer))
        self._buffer, self._buffered = [], 0

    def _commit(self) -> None:
        self._flush()
        shard, statuses = self._shard, self._statuses
        self._writer.add_key_value_metadata(
            {
                "eegpt_shard": json.dumps(
                    {"shard": shard, "files": statuses, **({"run": self.run} if self.run else {})}
                ),
                CHECKSUMS_KEY: "page crc32",  # what --verify checks besides the values
            }
        )
        self._writer.close()
        with open(self._tmp, "rb+") as fh:  # type: ignore[arg-type]
            os.fsync(fh.fileno())
        os.replace(self._tmp, self.output_dir / shard_name(shard))  # type: ignore[arg-type]
        _fsync_dir(self.output_dir)
        self._writer, self._tmp, self._shard, self._statuses = None, None, None, []
        if self.on_commit is not None:
            self.on_commit(shard, statuses)  # type: ignore[arg-type]

    def abort(self) -> None:
        """Drop the shard in progress (its temporary file)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
        self._writer, self._tmp, self._shard, self._statuses = None, None, None, []
        self._buffer, self._buffered = [], 0
        if self._part_rows is not None:
            self._part_rows.drop()
        self._parts, self._part_rows = [], None


class _PartRows:
    """The rows of a file read in parts, until its last part has come: in an Arrow file beside
    the shard (``.shard-NNNNN.parquet.XXXX.parts.tmp``, removed as the shard's own temporary
    file is), not in memory, where a day of 58 channels holds 2.8 GB of summary tokens.

    Parameters
    ----------
    shard : Path
        The shard file the rows are for.
    """

    def __init__(self, shard: Path) -> None:
        self.shard = shard
        self.path: Path | None = None
        self._writer: Any = None

    def add(self, table: Any) -> None:
        """Keep the rows of the next part."""
        if self._writer is None:
            pa, _ = pyarrow_for_writing()
            fd, path = temporary_beside(self.shard, suffix=".parts.tmp")
            os.close(fd)
            self.path = path
            self._writer = pa.ipc.new_file(str(path), table.schema)
        self._writer.write_table(table)

    def tables(self) -> Iterator[Any]:
        """The parts' rows, one part at a time (none after :meth:`drop`); the file is removed
        when they have been read."""
        if self._writer is None:
            return
        pa, _ = pyarrow_for_writing()
        self._writer.close()
        self._writer = None
        try:
            with pa.OSFile(str(self.path)) as source:  # read into memory, not mapped
                reader = pa.ipc.open_file(source)
                for k in range(reader.num_record_batches):
                    yield pa.Table.from_batches([reader.get_batch(k)])
        finally:
            self.drop()

    def drop(self) -> None:
        """Forget the rows kept (the file failed, or the run stops)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class _WithKept:
    """The shard writer's sink when shards are retried (``retry_failed``): the files of such a
    shard that an earlier run embedded are not embedded again; their rows are read from the
    shard being replaced and put back in their places around the files computed again.

    Parameters
    ----------
    add : callable(FileResult)
        :meth:`ShardWriter.add`.
    writer : ShardWriter
    kept : dict
        File index -> its status in the old shard (``"ok"`` ones of retried shards).
    """

    def __init__(
        self,
        add: Callable[[FileResult], None],
        writer: ShardWriter,
        kept: dict[int, dict[str, Any]],
    ) -> None:
        self.add, self.writer, self.kept = add, writer, kept
        self.placed: set[int] = set()

    def __call__(self, result: FileResult) -> None:
        files = self.writer.shards[self.writer.shard_of[result.index]]
        at = files.index(result.index)
        if result.part is None or result.part.first == 0:
            for i in files[:at]:  # kept files before it, not placed yet
                if i in self.kept and i not in self.placed:
                    self._place(i)
        self.add(result)
        if result.part is None or result.part.last:
            for i in files[at + 1 :]:  # and those right after it
                if i not in self.kept:
                    break
                self._place(i)

    def _place(self, index: int) -> None:
        pads = _pyarrow_dataset()
        status = self.kept[index]
        path = self.writer.output_dir / shard_name(int(status["shard"]))
        rows = pads.dataset(str(path), format="parquet").to_table(
            filter=pads.field("recording_id") == status["recording_id"]
        )
        self.writer.add_kept(index, rows, status)
        self.placed.add(index)


def _pyarrow_dataset() -> Any:
    pyarrow_for_writing()  # the error that names the extra, when pyarrow is missing
    import pyarrow.dataset as pads

    return pads


def _kept_files(
    output_dir: Path, n_shards: int, done: Mapping[int, Any], retry_failed: bool
) -> dict[int, dict[str, Any]]:
    """With ``retry_failed``: the files embedded ("ok", or skipped as too short) in the finished
    shards that are to be written again for their failed files (so not in ``done``), by
    index."""
    kept: dict[int, dict[str, Any]] = {}
    if not retry_failed:
        return kept
    for k in range(n_shards):
        path = output_dir / shard_name(k)
        if k in done or not path.is_file():
            continue
        try:
            _, status = read_shard_status(path)
        except Exception:  # noqa: BLE001 - unreadable: the whole shard is computed again
            continue
        kept.update(
            {int(f["index"]): f for f in status["files"] if f["status"] in ("ok", TOO_SHORT)}
        )
    return kept


def _joined(parts: list[FileResult]) -> FileResult:
    """One file's result from those of its parts (the rows are written from each part's; the
    embeddings here are an empty placeholder of one row per window)."""
    first = parts[0]
    texts = list(dict.fromkeys(t for p in parts for t in p.warnings))[:_MAX_WARNINGS]
    read_s = sum(p.read_s for p in parts)
    duration = max(p.duration_s for p in parts)
    error = next((p.error for p in parts if p.error is not None), None)
    if error is not None:
        empty = np.zeros((0, 0), np.float32)
        return FileResult(
            first.index, empty, np.zeros(0), {}, duration, error, texts, read_s=read_s
        )
    annotations = None
    if first.windows.annotations is not None:
        annotations = [a for p in parts for a in p.windows.annotations or []]
    info = WindowInfo(
        index=np.concatenate([np.asarray(p.windows.index, np.int64) for p in parts]),
        annotations=annotations,
        left_out=sum(p.windows.left_out for p in parts),
        time_base=first.windows.time_base,
        padding=parts[-1].windows.padding,  # the part that holds the recording's end
    )
    onsets = np.concatenate([p.onsets for p in parts])
    placeholder = np.zeros((len(onsets), 0), np.float32)
    batch = next((p.batch_size for p in parts if p.batch_size is not None), None)
    return FileResult(
        first.index, placeholder, onsets, first.mapping, duration, None, texts, info, read_s,
        batch_size=batch,
    )  # fmt: skip


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, obj: Any) -> None:
    text = json.dumps(obj, indent=1, default=str) + "\n"
    atomic_write(path, lambda fh: fh.write(text.encode()))


_REPORT_COLUMNS = [
    "index",
    "recording_id",
    "path",
    "shard",
    "status",
    "changed",
    "n_windows",
    "n_windows_left_out",
    "duration_s",
    "sfreq_in",
    "read_s",
    "error",
    "warnings",
    "dropped_channels",
    "channels",
]


def _write_csv(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, _REPORT_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        row = dict(row)
        for key in ("warnings", "dropped_channels", "channels"):
            if isinstance(row.get(key), list):
                row[key] = " | ".join(row[key])
        writer.writerow(row)
    atomic_write(path, lambda fh: fh.write(buf.getvalue().encode()))


def _write_csv_if_rows(path: Path, rows: list[Mapping[str, Any]]) -> None:
    """Write the report of some files (``_errors.csv``, ``_too_short.csv``) where it has
    rows; without any, remove one a previous run left (a failure retried since), so that the
    folder holds such a report only when it lists a file."""
    if rows:
        _write_csv(path, rows)
    else:
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# the in-process engine
# --------------------------------------------------------------------------------------------


class _ReadCancelled(BaseException):
    """Raised in a reader process that its parent told to stop (:meth:`_Readers.cancel`); a
    BaseException, so that :func:`load_file`, which records every error of a file, lets it
    through, and the pool sends it back as the file's result."""


#: Set in a reader process once it is told to stop: every file it still gets is given up.
_cancelled = False
#: True while a reader process runs its loader: only then does being told to stop raise.
_in_loader = False
# The cancellation request of the parent (SIGUSR1 where the platform has it).
_CANCEL_SIGNAL = getattr(signal, "SIGUSR1", None)


def _on_cancel(signum: int, frame: Any) -> None:
    global _cancelled
    _cancelled = True
    if _in_loader:  # not while the pool's own code runs (sending a result): only in a file
        raise _ReadCancelled


def _cancellable(loader: Callable[..., LoadedFile], *args: Any, **kwargs: Any) -> LoadedFile:
    """``loader(*args, **kwargs)`` in a reader process, given up when the parent cancels."""
    global _in_loader
    if _cancelled:
        raise _ReadCancelled
    _in_loader = True
    try:
        return loader(*args, **kwargs)
    finally:
        _in_loader = False


def _init_reader(parent: int) -> None:
    """Reader process set-up: one thread, and exit when the parent dies (even by ``kill -9``).

    A pool worker holds both ends of its task pipe, so it would otherwise wait forever once
    its parent is gone.
    """
    torch.set_num_threads(1)
    # Ctrl-C reaches the whole process group: the parent stops the readers (close(abort=True))
    # instead of every reader printing its own KeyboardInterrupt traceback. Both signals were
    # blocked from the start (_reader_signals_blocked): a Ctrl-C during the imports is then
    # discarded, and a cancellation is kept until its handler is in place.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _CANCEL_SIGNAL is not None:
        signal.signal(_CANCEL_SIGNAL, _on_cancel)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _READER_SIGNALS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="eegpt-parent-watch", daemon=True).start()


_READER_SIGNALS = {signal.SIGINT} | ({_CANCEL_SIGNAL} if _CANCEL_SIGNAL is not None else set())


@contextlib.contextmanager
def _reader_signals_blocked() -> Iterator[None]:
    """SIGINT and the cancellation signal blocked in this thread. Reader processes started
    inside inherit the mask, so a Ctrl-C while they import (before :func:`_init_reader`
    ignores it) cannot end one with a traceback, and a cancellation then waits for its
    handler instead of killing the reader. For this process no Ctrl-C is lost: another
    thread takes it (Python runs the handler in the main thread all the same), or it waits
    until the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _READER_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Readers:
    """Read files in worker processes, yielding results in input order.

    At most ``max_in_flight`` files, or parts of long ones (:class:`FilePart`), are being read
    or waiting, and of those at most one part per reader and one more (a part holds up to
    :data:`PART_BYTES` of windows), which bounds memory. If a worker process dies (a crash in a file reader, the OOM
    killer), the files that were in flight are read again one at a time, so the one that kills
    its reader is identified and recorded as failed while the others succeed.
    """

    def __init__(
        self,
        workers: int,
        kwargs: Mapping[str, Any],
        max_in_flight: int,
        loader: Callable[..., LoadedFile] | None = None,
    ) -> None:
        self.workers, self.kwargs = workers, dict(kwargs)
        self.loader = load_file if loader is None else loader
        self.max_in_flight = max(1, max_in_flight)
        self.pool: ProcessPoolExecutor | None = None
        self._pending: deque[_Read] = deque()  # of the read in progress

    def _start(self) -> None:
        self.close()
        ctx = multiprocessing.get_context("spawn")  # no fork: torch threads may be running
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_init_reader, initargs=(os.getpid(),)
        )

    def cancel(self) -> None:
        """Make the readers give up their files at once (a large file can take many seconds
        to read): each answers with :class:`_ReadCancelled`. It only sends signals, so it is
        safe in a signal handler. (Terminating them instead could cut a result short in the
        pool's pipe, and the pool would then wait for its end forever.)"""
        if self.pool is None:
            return
        processes = getattr(self.pool, "_processes", None) or {}  # pid -> Process
        for process in list(processes.values()):
            if _CANCEL_SIGNAL is None:  # pragma: no cover - Windows
                process.terminate()
                continue
            with contextlib.suppress(ProcessLookupError, TypeError):  # gone, or not started
                os.kill(process.pid, _CANCEL_SIGNAL)

    def close(self, *, abort: bool = False) -> None:
        """Stop the readers: after their current file, or at once (``abort``, on an error or
        an interruption)."""
        if self.pool is not None:
            if abort:
                self.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _submit(self, entry: _Read) -> Future:
        assert self.pool is not None
        f = entry.file
        kwargs = {"rescale": f.rescale, "annotations": f.annotations, "bads": f.bads,
                  "start_seconds": f.start_seconds, **self.kwargs}  # fmt: skip
        if entry.part is not None:
            kwargs["part"] = entry.part
        with _reader_signals_blocked():  # a submission may start a reader process
            return self.pool.submit(_cancellable, self.loader, f.index, f.path, **kwargs)

    def read(self, files: Iterable[InputFile]) -> Iterator[LoadedFile]:
        """Yield the files read, in order; a file read in parts (``part_bytes`` among the
        loader's arguments) as its parts, one after the other."""
        if self.workers == 0:
            for f in files:
                parts: deque[_Read] = deque([_Read(f)])
                while parts:
                    entry = parts.popleft()
                    part: dict[str, Any] = {} if entry.part is None else {"part": entry.part}
                    loaded = self.loader(
                        f.index, f.path, rescale=f.rescale, annotations=f.annotations,
                        bads=f.bads, start_seconds=f.start_seconds, **self.kwargs, **part,
                    )  # fmt: skip
                    parts.extend(_Read(f, p) for p in loaded.more)
                    yield _the_rest_failed(parts, loaded) if loaded.error else loaded
            return
        self._start()
        todo = iter(files)
        # in output order; the first ones submitted (at most max_in_flight at a time), the
        # others waiting: the later parts of a file go before the files behind it
        pending = self._pending = deque()
        while True:
            try:
                self._fill(pending, todo)
                if not pending:
                    break
                head = pending[0]
                assert head.future is not None
                loaded = head.future.result()
            except _ReadCancelled:
                _interrupts.check()  # the interrupt that cancelled the readers
                raise
            except BrokenProcessPool:  # a reader died (perhaps while the caller was busy)
                _interrupts.check()  # the readers were stopped by an interrupt
                self._start()
                head = pending[0]
                if head.alone and head.future is not None:  # this file killed its reader
                    pending.popleft()
                    yield _the_rest_failed(pending, self._died(head))
                    continue
                for entry in pending:  # find which one: each read alone, in turn
                    entry.future, entry.alone = None, True
                continue
            pending.popleft()
            pending.extendleft(
                reversed([_Read(head.file, p, alone=head.alone) for p in loaded.more])
            )
            yield _the_rest_failed(pending, loaded) if loaded.error else loaded

    def _fill(self, pending: deque[_Read], todo: Iterator[InputFile]) -> None:
        """Submit reads in order while fewer than ``max_in_flight`` are in flight; one read
        alone (after a reader died) is the only one in flight, and new files wait for them."""
        while True:
            in_flight = sum(e.future is not None for e in pending)
            waiting = next((e for e in pending if e.future is None), None)
            if waiting is None:
                if len(pending) >= self.max_in_flight or any(e.alone for e in pending):
                    return
                f = next(todo, None)
                if f is None:
                    return
                waiting = _Read(f)
                pending.append(waiting)
            alone_running = any(e.alone and e.future is not None for e in pending)
            if in_flight >= self.max_in_flight or alone_running or (waiting.alone and in_flight):
                return
            parts = sum(e.future is not None and e.part is not None for e in pending)
            if waiting.part is not None and parts > self.workers:
                return
            waiting.future = self._submit(waiting)

    def _died(self, entry: _Read) -> LoadedFile:
        where = ""
        if entry.part is not None:
            where = f"{entry.part}: "
        died = LoadedFile.failed(
            entry.file.index,
            f"{where}the reader process died while reading this file (crash or out of memory; if "
            "every file fails so, from a script: run embed_dataset under if __name__ == "
            "'__main__':, as reader processes start by importing the script)",
        )
        died.part = entry.part
        return died


def _the_rest_failed(pending: deque[_Read], failed: LoadedFile) -> LoadedFile:
    """A part of a file failed: its file's later parts are not read, and the failure stands
    for them (its part reaches the file's end, so that the writer ends the file)."""
    if failed.part is None:
        return failed
    for entry in [e for e in pending if e.file.index == failed.index and e.part is not None]:
        if entry.future is not None:
            entry.future.cancel()  # one already being read ends in the background, unused
        pending.remove(entry)
    failed.part = replace(failed.part, stop=failed.part.n_windows)
    return failed


@dataclass
class _Read:
    """A file, or one part of it, to read: submitted (``future``) or waiting."""

    file: InputFile
    part: FilePart | None = None
    future: Future | None = None
    alone: bool = False  # read while no other is (a reader died with it in flight)


class _BackgroundSink:
    """Call ``sink`` on a writer thread, so that writing Parquet overlaps reading and inference.

    Results are passed on in the order given, and at most ``depth`` wait. An error of the writer
    is raised in the caller at its next call or at :meth:`close`.
    """

    def __init__(self, sink: Callable[[FileResult], None], depth: int = 4) -> None:
        self.sink = sink
        self.queue: queue.Queue[FileResult | None] = queue.Queue(depth)
        self.error: BaseException | None = None
        # in the caller's context: its verbose level and warning records (eegpt's context
        # variables) hold for what the sink warns of too, not a new thread's empty context
        context = contextvars.copy_context()
        self.thread = threading.Thread(
            target=context.run, args=(self._work,), name="eegpt-writer", daemon=True
        )
        self.thread.start()

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:  # after an error, drain the queue without writing
                try:
                    self.sink(item)
                except BaseException as err:  # noqa: BLE001 - handed to the caller
                    self.error = err

    def __call__(self, result: FileResult) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(result)
        _interrupts.check()  # one deferred while waiting here or for this result

    def close(self, *, raise_error: bool = True) -> None:
        """Wait until everything queued is written."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if raise_error and self.error is not None:
            raise self.error


def run_inprocess(
    files: Sequence[InputFile],
    sink: Callable[[FileResult], None],
    *,
    engines: Sequence[InferenceEngine],
    load_kwargs: Mapping[str, Any],
    pool: Pool = "none",
    workers: int = 1,
    on_windows: Callable[[int], None] | None = None,
) -> None:
    """Read in worker processes, embed on every engine's device, hand results in order to ``sink``.

    Parameters
    ----------
    files : sequence of InputFile
        Files to process, in output order.
    sink : callable(FileResult)
        Receives the results in the order of ``files`` (the shard writer).
    engines : sequence of InferenceEngine
        One per device; each runs in its own thread (PyTorch releases the GIL in its kernels).
    load_kwargs : dict
        ``config``, ``rename``, ``on_unknown`` for :func:`load_file`; ``part_bytes`` defaults
        to 256 MiB (long recordings are read and embedded in parts, see :class:`FilePart`).
    pool : ``"none"`` | ``"mean"``
    workers : int
        Reader processes; 0 reads in this process (no overlap).
    """
    idle: queue.SimpleQueue[InferenceEngine] = queue.SimpleQueue()
    for engine in engines:
        idle.put(engine)

    stop = threading.Event()  # set by an interruption: device threads end at their next chunk

    def encode_group(group: list[LoadedFile]) -> list[FileResult]:
        engine = idle.get()
        try:
            return encode_files(engine, group, pool=pool, stop=stop, on_windows=on_windows)
        finally:
            idle.put(engine)

    def on_interrupt() -> None:
        stop.set()
        readers.cancel()

    kwargs = {"part_bytes": PART_BYTES, **load_kwargs}  # long recordings in parts
    readers = _Readers(workers, kwargs, max_in_flight=2 * max(1, workers) + 2)
    pending: deque[Future] = deque()
    max_pending = 2 * len(engines)
    with (
        _interrupts.deferred(on_interrupt=on_interrupt),
        ThreadPoolExecutor(len(engines), thread_name_prefix="eegpt-device") as devices,
    ):
        try:
            group: list[LoadedFile] = []
            n_group = 0
            for loaded in readers.read(files):
                _interrupts.check()
                group.append(loaded)
                n_group += loaded.n_windows
                full = loaded.n_windows and n_group >= engines[0].batch_for(loaded.data.shape)
                if full or len(group) >= 256:
                    pending.append(devices.submit(encode_group, group))
                    group, n_group = [], 0
                while pending and (pending[0].done() or len(pending) > max_pending):
                    for result in pending.popleft().result():
                        sink(result)
            if group:
                pending.append(devices.submit(encode_group, group))
            while pending:
                for result in pending.popleft().result():
                    sink(result)
        except BaseException:  # an error or an interruption: do not wait for readers or devices
            stop.set()
            for fut in pending:
                fut.cancel()
            readers.close(abort=True)
            raise
        finally:
            for fut in pending:
                fut.cancel()
            readers.close()


# --------------------------------------------------------------------------------------------
# progress and summary
# --------------------------------------------------------------------------------------------


class _Progress:
    """A bar over files with windows/s and hours of EEG in its postfix; while a long file is
    embedded in parts, the postfix counts its parts' windows and names the last one, and
    while files are embedded (an hour of EEG takes minutes on a CPU) it counts their windows
    done so far (and, ``step_s`` apart, their hours of EEG)."""

    def __init__(self, total: int, enabled: bool, desc: str, *, step_s: float = 0.0) -> None:
        self.bar = tqdm(
            total=total, unit="file", desc=terminal_text(desc), disable=not enabled, dynamic_ncols=True,
            **progress_options(),
        )  # fmt: skip
        self.t0 = time.perf_counter()
        self.first: float | None = None  # seconds until the first file was done
        self.windows, self.hours, self.ok, self.failed = 0, 0.0, 0, 0
        self.short = 0  # files shorter than one window (tail="drop"): skipped, not failed
        self.channels: dict[str, None] = {}  # names in the files embedded (rename typos?)
        self._part_windows, self._part_hours = 0, 0.0  # of the parts of the file in progress
        self._in_flight = 0  # windows embedded of files (or parts) not done yet
        self._step_h = step_s / 3600  # hours of EEG per window (onset to onset)
        self._lock = threading.Lock()  # embedded() is called from the device threads
        self._shown = time.perf_counter()
        self._interval = progress_interval()

    def embedded(self, n: int) -> None:
        """``n`` more windows were embedded (a chunk of a file's, or of several files')."""
        with self._lock:
            self._in_flight += n
            now = time.perf_counter()
            if now - self._shown < self._interval:
                return
            self._shown = now
            self._show(f", {self._in_flight} windows of files in progress", refresh=True)

    def part(self, result: FileResult, file: InputFile) -> None:
        """A part of a long file was embedded (not its last)."""
        part = result.part
        assert part is not None
        with self._lock:
            self._in_flight = max(0, self._in_flight - result.n_windows)
            self._part_windows += result.n_windows
            self._part_hours = result.duration_s / 3600 * part.stop / max(part.n_windows, 1)
            self._show(f", {file.recording_id}: {part}", refresh=True)

    def update(self, result: FileResult, status: Mapping[str, Any]) -> None:
        with self._lock:
            self._update(result)

    def _update(self, result: FileResult) -> None:
        # the file's windows leave the count of those in progress (its earlier parts' already)
        self._in_flight = max(0, self._in_flight - (result.n_windows - self._part_windows))
        self._part_windows, self._part_hours = 0, 0.0
        if _too_short(result.error):
            self.short += 1
        elif result.error:
            self.failed += 1
        else:
            self.ok += 1
            mapping = result.mapping
            names = [*mapping["input_names"], *mapping.get("dropped", [])]
            self.channels.update(dict.fromkeys([*names, *mapping.get("left_out", {})]))
            self.windows += result.n_windows
            self.hours += result.duration_s / 3600
        if self.first is None:
            self.first = self.elapsed
        self._show("", refresh=False)
        self.bar.update(1)

    def _show(self, tail: str, *, refresh: bool) -> None:
        elapsed = max(self.elapsed, 1e-9)
        windows = self.windows + self._part_windows + self._in_flight
        hours = self.hours + self._part_hours + self._in_flight * self._step_h
        short = f", {self.short} too short" if self.short else ""
        self.bar.set_postfix_str(
            f"{windows / elapsed:.1f} win/s, {_hours_text(hours)} h EEG "
            f"({hours * 3600 / elapsed:.0f}x real time), {self.failed} failed{short}{tail}",
            refresh=refresh,
        )

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def close(self) -> None:
        self.bar.close()


def _hours_text(hours: float) -> str:
    """Hours of EEG for the progress bar: to the 3.6 s below 10 h (a first window shows), to
    the 6 min above."""
    return f"{hours:.3f}" if hours < 10 else f"{hours:.1f}"


@dataclass
class DatasetSummary:
    """What a run of :func:`embed_dataset` did and what the output folder holds.

    The ``n_*``/``hours``/``windows`` totals describe the whole output (all finished shards,
    including ones written by earlier runs); ``run_*`` and the rates describe this run only.
    ``startup_s`` is the time until the first file was done (worker or Ray start-up, model
    transfer, first read), included in ``elapsed_s``.
    """

    output_dir: Path
    engine: str
    devices: list[str]
    n_files: int
    n_ok: int
    n_failed: int
    n_pending: int
    windows: int
    hours: float
    shards: int
    shards_written: int
    shards_skipped: int
    run_files: int
    run_windows: int
    run_hours: float
    elapsed_s: float
    startup_s: float = 0.0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warned: dict[str, int] = field(default_factory=dict)
    """Kind of warning (e.g. ``"amplitude check"``) -> number of files that had it."""
    n_warned: int = 0
    """Files with any warning (their texts: the ``warnings`` column of ``_files.csv``)."""
    n_too_short: int = 0
    """Recordings shorter than one window with ``tail="drop"``: skipped (no rows, status
    ``too_short``), not failed; listed in ``_too_short.csv``."""
    windows_left_out: int = 0
    """Windows left out over bad annotations (``reject_by_annotation``), all shards."""
    channel_sets: list[tuple[tuple[str, ...], list[str]]] = field(default_factory=list)
    """The sets of EEGPT channels the files embedded use, with their files, most files first
    (files of runs that did not record them left out). More than one: the features differ
    between files, e.g. a rename that one file's spelling missed."""
    n_changed: int = 0
    """Recordings embedded whose files changed since (size or modification time): their rows
    are of the earlier contents (``embed-dataset`` exits with 3)."""
    keep: bool = False
    """The run restricted every file to one set of channels (``keep``, ``--keep-channels``):
    files of other sets used fewer of them."""
    dropped: list[tuple[str, int]] = field(default_factory=list)
    """The input channels left out (outside the vocabulary, or dropped on purpose) with the
    number of embedded files that had them, most files first: an electrode among them that
    a cap's spelling hid needs a rename."""

    @property
    def complete(self) -> bool:
        """Every shard is written (failed files included, with their reasons)."""
        return self.n_pending == 0

    @property
    def windows_per_s(self) -> float:
        return self.run_windows / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def hours_per_s(self) -> float:
        """Hours of EEG embedded per second of this run."""
        return self.run_hours / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "errors"}
        out["output_dir"] = str(self.output_dir)
        out.update(
            complete=self.complete,
            windows_per_s=self.windows_per_s,
            hours_per_s=self.hours_per_s,
            n_errors=len(self.errors),
        )
        return out

    def __str__(self) -> str:
        where = f" on {', '.join(self.devices)}" if self.run_files else ""
        pending = f", {self.n_pending} not done" if self.n_pending else ""
        left_out = (
            f" ({self.windows_left_out} more left out over bad annotations)"
            if self.windows_left_out
            else ""
        )
        short = f", {self.n_too_short} too short" if self.n_too_short else ""
        lines = [
            f"embed-dataset ({self.engine}{where}): {_count(self.n_files, 'file')}, {self.n_ok} ok, "
            f"{self.n_failed} failed{short}{pending}; {self.windows} windows{left_out} from "
            f"{_hours_text(self.hours)} h of EEG in {_count(self.shards, 'shard')}"
        ]
        if self.run_files:
            lines.append(
                f"this run: {_count(self.run_files, 'file')} in {_count(self.shards_written, 'shard')} "
                f"({self.shards_skipped} already done), {self.run_windows} windows = "
                f"{self.run_hours:.3f} h of EEG in {self.elapsed_s:.1f} s: "
                f"{self.windows_per_s:.1f} windows/s, {self.hours_per_s:.4f} h of EEG/s "
                f"({self.hours_per_s * 3600:.0f}x real time)"
            )
        else:
            done = _count(self.shards_skipped, "shard")
            lines.append(f"this run: nothing to do ({done} already done)")
        if self.errors:
            lines.append(
                f"failed ({len(self.errors)}, all in {self.output_dir / ERRORS_REPORT}; files "
                "fixed on disk: run again with --retry-failed / retry_failed=True; failures that "
                "need another setting: embed those files into a new folder (eegpt "
                f"embed-dataset {self.output_dir / ERRORS_REPORT} -o NEW_FOLDER with that setting; it reads "
                "the paths and ids) and read both folders with read_embeddings([...])):"
            )
            lines += [  # ids and errors with control characters escaped, on a line each
                f"  {terminal_text(e['recording_id'])}: {terminal_text(_short(e['error']))}"
                for e in self.errors[:3]
            ]
            if len(self.errors) > 3:
                lines.append(f"  ... and {len(self.errors) - 3} more")
        if self.n_too_short:
            lines.append(too_short_note(self.n_too_short, self.output_dir))
        if len(self.channel_sets) > 1:
            lines.append(
                f"the files use {len(self.channel_sets)} different channel sets: their "
                "embeddings are not directly comparable (the model sees other electrodes, and "
                f"the average reference runs over other ones). {channel_sets_advice(self.keep)}:"
            )
            most = set(self.channel_sets[0][0])
            for k, (names, files) in enumerate(self.channel_sets[:4]):
                if k == 0:
                    which = f"({few(list(names), 8)})"
                else:  # what sets it apart from the most common set
                    without, extra = sorted(most - set(names)), sorted(set(names) - most)
                    which = ", ".join(
                        [
                            *([f"without {few(without, 8)}"] if without else []),
                            *([f"with {few(extra, 8)}"] if extra else []),
                        ]  # fmt: skip
                    )
                lines.append(
                    f"  {_count(len(files), 'file')} with {_count(len(names), 'channel')} "
                    f"{which}: {few(files, 3)}"
                )
            if len(self.channel_sets) > 4:
                lines.append(f"  ... and {len(self.channel_sets) - 4} more sets")
        if self.dropped:
            named = [f"{name} ({_count(n, 'file')})" for name, n in self.dropped]
            lines.append(
                f"channels not used: {few(named, 8)} (an EEG electrode among them: --rename "
                "'NAME=VOCAB'; column 'dropped_channels' of "
                f"{FILES_REPORT})"
            )
        if self.n_warned:
            kinds = ", ".join(f"{kind} {n}" for kind, n in self.warned.items())
            lines.append(
                f"warnings in {self.n_warned} of {self.n_files} files ({kinds}): see the "
                f"'warnings' column of {self.output_dir / FILES_REPORT}"
            )
        lines.append(f"read with: pandas.read_parquet({str(self.output_dir)!r})")
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------------------------


def _dropped_channels(
    rows: list[dict[str, Any]], rename: Mapping[str, str | None] | None = None
) -> list[tuple[str, int]]:
    """Each input channel left out of the embedded files and of those skipped as too short
    (whose channels were mapped before their length was checked, and whose warnings the run
    summary counts too), with how many files had it; not those the ``rename`` leaves out on
    purpose (``{name: None}``, ``--drop NAME``, a table's empty electrode)."""
    counts: Counter[str] = Counter()
    on_purpose = {name for name, target in (rename or {}).items() if target is None}
    for row in rows:
        names = row.get("dropped_channels") or []
        names = names.split(" | ") if isinstance(names, str) else names
        # --drop C1 beside a cap's table: the socket the table names C1
        by_electrode = set(drops_by_electrode(rename or {}, names).values())
        if row.get("status") in ("ok", TOO_SHORT):
            counts.update(
                dict.fromkeys([n for n in names if n not in on_purpose | by_electrode], 1)
            )
    return counts.most_common()


def _channel_sets(rows: list[dict[str, Any]]) -> list[tuple[tuple[str, ...], list[str]]]:
    """The channel sets of the embedded files with their recording ids, most files first."""
    sets: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        if row.get("status") == "ok" and row.get("channels"):
            sets.setdefault(tuple(sorted(row["channels"])), []).append(row["recording_id"])
    return sorted(sets.items(), key=lambda item: -len(item[1]))


def _warning_kinds(rows: list[dict[str, Any]]) -> tuple[dict[str, int], int]:
    """``({kind: number of files}, files with warnings)`` of the file rows, most common first.
    A kind is the check a warning names (``"amplitude check"``, ``"flat channel(s) check"``
    ...), or one of ``_WARNING_KINDS``, or "other"."""
    counts: Counter[str] = Counter()
    n = 0
    for row in rows:
        texts = row.get("warnings") or []
        texts = texts.split(" | ") if isinstance(texts, str) else texts
        kinds = {_warning_kind(text) for text in texts}
        counts.update(kinds)
        n += bool(kinds)
    return dict(counts.most_common()), n


_WARNING_KINDS = (  # (words in the text, kind) for warnings that name no check
    ("do not match the EEGPT vocabulary", "channels outside the vocabulary"),
    ("marked bad were left out", "bad channels left out"),
    ("embeddings are untrained", "untrained channel embeddings"),
    ("overlap annotations marked bad", "windows over bad annotations"),
    ("uses the ratio", "approximate resampling ratio"),
    ("SSP projector", "unapplied projectors"),
    ("the file is truncated", "truncated files"),
    ("the recording was not closed", "files not closed properly"),
    ("a discontinuous ", "discontinuous files (gaps)"),
    ("stored at different sampling rates", "channels at low rates"),
    ("so the samples cannot be scaled", "unscalable signals left out"),
    ("overlaps a window: another recording", "annotations given that fit no window"),
    ("hold none: not an annotation file", "annotations files holding none"),
    ("are the recording's own file", "annotations files that are the recording"),
    ("it was zero-padded into one window", "recordings shorter than a window, zero-padded"),
    ("MNE-BIDS: ", "from MNE-BIDS"),
    ("MNE: ", "from MNE's reader"),
)


def _warning_kind(text: str) -> str:
    """The check a warning names (``"amplitude check"`` ...), or a kind from its words."""
    check = re.search(r"([a-z()]+(?: [a-z()]+)* check):", text)
    if check:
        return check[1]
    return next((kind for words, kind in _WARNING_KINDS if words in text), "other")


def _short(text: str, limit: int = 200) -> str:
    """``text`` on one line (a traceback after it left out), cut to ``limit`` characters."""
    text = " ".join(str(text).split(TRACEBACK_MARK, 1)[0].split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_ours(name: str) -> bool:
    return bool(
        SHARD.match(name)
        or name in (MANIFEST, FILES_REPORT, ERRORS_REPORT, SHORT_REPORT, CORPUS_LISTING, LOCK)
        or (name.startswith(".") and name.endswith(".tmp"))
    )


def _prepare_output(
    output_dir: Path,
    spec: Mapping[str, Any],
    *,
    overwrite: bool,
    verbose: Any,
    ids: Sequence[str] = (),
    corpus_ids: Sequence[str] = (),
    read_only: bool = False,
    files: Sequence[InputFile] = (),
) -> None:
    """Check that the folder is new, resumable with ``spec``, or to be overwritten. ``files``:
    this run's input files, whose per-file settings a refusal compares with the shards'. ``ids``:
    the recording ids of this run's files; ``corpus_ids``: of the whole corpus a ``--part``
    run is split from; ``read_only``: a finished run in a folder that cannot be written, only
    read (a killed run's temporary files are left where they are)."""
    # hidden entries are the system's or an editor's (.DS_Store, .ipynb_checkpoints): left be
    foreign = sorted(
        p.name for p in output_dir.iterdir() if not (_is_ours(p.name) or p.name.startswith("."))
    )
    if foreign:
        raise FileExistsError(
            f"{output_dir} holds files that embed_dataset did not write ({foreign[:5]}); move "
            "them out, or choose a new or empty output folder"
        )
    manifest = output_dir / MANIFEST
    shards = shard_files(output_dir)
    if overwrite:  # the manifest last: a kill meanwhile still leaves a resumable folder
        for p in sorted(output_dir.iterdir(), key=lambda p: p.name == MANIFEST):
            if p.name != LOCK and _is_ours(p.name):
                p.unlink()
        return
    for p in [] if read_only else output_dir.iterdir():  # temporary files of a killed run
        if p.name.startswith(".") and p.name.endswith(".tmp"):
            p.unlink()
    if manifest.exists():
        old = json.loads(manifest.read_text())
        if old.get("anonymized"):  # eegpt anonymize's copy: its paths name no file
            raise ValueError(
                f"{output_dir} is an anonymized copy (eegpt anonymize), whose paths lead to no "
                "file: it cannot be resumed or added to. Embed into a new folder (and anonymize "
                "that), or give overwrite=True (--overwrite) to replace the copy"
            )
        diffs = spec_differences(old.get("spec", {}), spec)
        if diffs:
            hint = ""
            before = old.get("spec", {}).get("inputs") or {}
            was, now = before.get("part"), (spec.get("inputs") or {}).get("part")
            if was and was != now:
                hint = (
                    f" This folder holds part {was[0]}/{was[1]} of its corpus: resume it with "
                    f"the same input and --part {was[0]}/{was[1]} (part={tuple(was)}); another "
                    "split goes into other folders."
                )
            elif now and not was:
                hint = (
                    " This folder holds a run without --part (of the whole input): resume it "
                    "without --part; the parts of a split go into folders of their own "
                    "(-o OUT/part-K)."
                )
            elif was and any(d.startswith("inputs.") for d in diffs):
                hint = _part_listing_changed(output_dir, before, corpus_ids)
            elif any(d.startswith("inputs.") for d in diffs):
                settings = _per_file_changes(output_dir, files)
                hint = (
                    f"{_input_changes(output_dir, ids)}{settings} The list of input files (or "
                    "their ids or metadata) changed. To add new files, embed them into a new output folder "
                    "from a manifest of just them: a .csv with a 'path' column and a "
                    "'recording_id' column naming each as this run would (its path relative "
                    "to the input folder, e.g. site/sub-01.edf), so that ids compare across "
                    "the two; eegpt.read_embeddings([this folder, the new one]) reads both. "
                    + _resume_as_it_was(output_dir, old.get("spec", {}))
                )
            elif any(d.startswith("preprocessing.tail") for d in diffs) and _listed(
                output_dir / SHORT_REPORT
            ):  # the files it skipped as too short, with --tail pad?
                hint = (
                    f" To embed the files skipped here as shorter than one window, give "
                    f"{output_dir / SHORT_REPORT} as the input and a new output folder; "
                    "read_embeddings([...]) reads both folders."
                )
            elif _listed(output_dir / ERRORS_REPORT):  # retrying its failures another way?
                hint = (
                    f" To embed the files that failed here with the new settings, give "
                    f"{output_dir / ERRORS_REPORT} as the input and a new output folder; "
                    "read_embeddings([...]) reads both folders."
                )
            if "preprocessing.average_reference (False -> True)" in diffs:  # first: the cause
                hint = (
                    " This run was made without average referencing, which is now the default "
                    "(as in EEGPT's pretraining); to resume it as it was, pass "
                    "average_reference=False (--no-average-reference)." + hint
                )
            # fingerprints of the inputs (raw SHA-256 pairs) last, or left out where the hint
            # says in words what changed
            hashes = [d for d in diffs if d.startswith("inputs.") and "sha256" in d]
            shown = [d for d in diffs if d not in hashes] + ([] if hint else hashes)
            listed = "; ".join(_with_option(d) for d in shown[:6])
            raise ValueError(
                f"{output_dir} was made with other settings, so it cannot be resumed"
                + (f": {listed}." if listed else ".")
                + f"{hint} Pass overwrite=True (--overwrite) to start over, or choose a new "
                "output folder."
            )
        _log(f"resuming {output_dir}: {len(shards)} shard(s) already done", verbose)
    elif shards:
        raise FileExistsError(
            f"{output_dir} holds shard files but no {MANIFEST}; pass overwrite=True "
            "(--overwrite) to start over, or choose a new output folder"
        )


# what sets each part of a run's settings, for the refusal of a resume with other ones
_OPTION_OF_SETTING = {
    "preprocessing.scale": "--rescale (the scale is 1000 x the rescale factor)",
    "preprocessing.window_seconds": "--window",
    "preprocessing.overlap": "--overlap",
    "preprocessing.detrend": "--detrend",
    "preprocessing.resample": "--resample",
    "preprocessing.average_reference": "--average-reference / --no-average-reference",
    "preprocessing.tail": "--tail",
    "channels.rename": "--rename / --drop",
    "channels.keep": "--keep-channels",
    "channels.on_unknown": "--strict-channels",
    "channels.picks": "--picks",
    "checkpoint.sha256": "--weights",
    "precision": "--precision",
    "stream_precision": "--stream-precision",
    "pool": "--pool",
    "shard_size": "--shard-size",
    "reject_by_annotation": "--reject-by-annotation",
}


def _with_option(difference: str) -> str:
    """A setting that differs, with the command-line option that sets it."""
    name = difference.split(" (")[0]
    option = next((o for key, o in _OPTION_OF_SETTING.items() if name.startswith(key)), None)
    return f"{difference} [{option}]" if option else difference


def _resume_as_it_was(output_dir: Path, spec: Mapping[str, Any]) -> str:
    """How to finish a run (not a ``--part`` one: :func:`_part_listing_changed`) whose input
    list has changed since: its files report lists its files and ids, enough as the input
    where its manifest gave no more columns."""
    if (spec.get("inputs") or {}).get("metadata_columns"):
        return "To resume this run as it was, give its original manifest again."
    return (
        f"To resume this run as it was, give {output_dir / FILES_REPORT} as the input (its "
        "list of files and ids)."
    )


def _part_listing_changed(
    output_dir: Path, before: Mapping[str, Any], corpus_ids: Sequence[str]
) -> str:
    """How to resume the ``--part`` run in ``output_dir`` (its spec's inputs ``before``) now
    that its corpus lists the recording ids ``corpus_ids``: what changed in the whole listing
    (a part's own files shift with any file added or removed), and the listing to give."""
    k, n = before["part"]
    listed = listed_ids(output_dir)
    changes = "" if listed is None else _id_changes(listed, corpus_ids)
    then = before.get("corpus_files")
    counts = f"{then} files then, {len(corpus_ids)} now" + (f": {changes}" if changes else "")
    listing = output_dir / CORPUS_LISTING
    if listed is not None and not before.get("metadata_columns"):
        resume = (
            f"give it the listing it was split from: eegpt embed-dataset {listing} -o "
            f"{output_dir} --part {k}/{n} (with the run's other settings)"
        )
    else:
        resume = f"give it the corpus as it was when split (its manifest then) with --part {k}/{n}"
    return (
        f" The corpus changed since this part was split ({counts}). To resume this part, "
        f"{resume}; embed the files added since into a new output folder from a manifest of "
        "just them (a .csv with 'path' and 'recording_id' columns, the ids as this run gives "
        "them), and read both with eegpt.read_embeddings([...])."
    )


#: the per-file settings of a manifest that a shard's file records keep: column, record key
_PER_FILE_SETTINGS = (("start_seconds", "start_seconds"), ("annotations_file", "annotations_file"))


def _per_file_changes(output_dir: Path, files: Sequence[InputFile]) -> str:
    """`` The manifest's start_seconds column changed for 1 file: a.edf (2 -> 3).``: the
    per-file settings (:data:`_PER_FILE_SETTINGS`) of ``files`` that differ from what the
    folder's shards recorded for the same recording ids ("" where none differ, or none can
    be read)."""
    recorded: dict[str, Mapping[str, Any]] = {}
    for path in sorted(output_dir.glob("shard-*.parquet")):
        try:
            _, status = read_shard_status(path)
        except Exception:  # noqa: BLE001 - an unreadable shard tells nothing here
            continue
        recorded.update({f["recording_id"]: f for f in status.get("files", [])})
    said = []
    for column, key in _PER_FILE_SETTINGS:
        changed = []
        for f in files:
            then = recorded.get(f.recording_id)
            now = f.start_seconds if key == "start_seconds" else f.annotations
            if then is not None and then.get(key) != now:
                changed.append(f"{f.recording_id} ({then.get(key)} -> {now})")
        if changed:
            said.append(
                f"the manifest's {column} column changed for {_count(len(changed), 'file')}: "
                f"{few(changed, 5)}"
            )
    text = "; ".join(said)
    return f" {text[:1].upper()}{text[1:]}." if text else ""


def _earlier_marks(output_dir: Path) -> dict[str, str]:
    """The ``changed`` column of the folder's files report, by recording id (those marked
    only; none when there is no report or it cannot be read): what an earlier run found
    changed, which a resume must not forget (a ``contents`` mark that only
    ``--check-contents`` finds)."""
    try:
        with open(output_dir / FILES_REPORT, newline="", encoding="utf-8") as fh:
            return {
                row["recording_id"]: row["changed"]
                for row in csv.DictReader(fh)
                if row.get("changed") and row.get("recording_id")
            }
    except (OSError, ValueError, KeyError, csv.Error):
        return {}


def _input_changes(output_dir: Path, ids: Sequence[str]) -> str:
    """`` 3 files added (a.edf, ...); 1 gone (b.edf).``: the recording ids of this run against
    those of the folder's files report ("" when that cannot be read)."""
    try:
        import pandas as pd

        before = pd.read_csv(output_dir / FILES_REPORT, dtype=str)["recording_id"].tolist()
    except (OSError, ValueError, KeyError, ImportError):
        return ""
    changes = _id_changes(before, ids)
    return f" Against this folder's run: {changes}." if changes else ""


def _id_changes(before: Sequence[str], ids: Sequence[str]) -> str:
    """``3 files added (a.edf, ...); 1 gone (b.edf)``: the recording ids ``ids`` against
    ``before`` ("" when they hold the same ids)."""
    old, new = set(before), set(ids)
    added = [i for i in ids if i not in old]
    gone = [i for i in before if i not in new]
    parts = [f"{_count(len(added), 'file')} added ({few(added, 5)})"] if added else []
    parts += [f"{_count(len(gone), 'file')} gone ({few(gone, 5)})"] if gone else []
    return "; ".join(parts)


def _done_shards(
    output_dir: Path,
    spec: Mapping[str, Any],
    n_shards: int,
    retry_failed: bool,
    *,
    quiet: bool = False,
    stamps: dict[int, Any] | None = None,
) -> dict[int, list[dict[str, Any]]]:
    """Finished shards (by number) with their file statuses, from the shard footers; an
    unreadable one is left out (and said so unless ``quiet``). ``stamps``: filled with the
    ``run`` stamp of every footer read (shards to be retried too), read once for
    :func:`_warn_other_versions`."""
    done: dict[int, list[dict[str, Any]]] = {}
    for p in sorted(output_dir.iterdir()):
        m = SHARD.match(p.name)
        if not m:
            continue
        k = int(m.group(1))
        if k >= n_shards:
            raise ValueError(f"{p} is beyond the {n_shards} shards of this dataset")
        try:
            shard_spec, status = read_shard_status(p)
        except Exception as err:  # noqa: BLE001 - recompute an unreadable shard
            _log(
                f"{p.name} is unreadable ({_described_error(err)}); it will be recomputed",
                not quiet,
            )
            continue
        if spec_differences(shard_spec, spec):
            raise ValueError(
                f"{p} was written with other settings than {MANIFEST} records; pass "
                "overwrite=True (--overwrite) to start over"
            )
        if stamps is not None:
            stamps[k] = status.get("run")
        files = status["files"]
        if retry_failed and any(f["status"] == "failed" for f in files):
            continue
        done[k] = files
    return done


def _finished_already(
    output_dir: Path, spec: Mapping[str, Any], n_shards: int, retry_failed: bool
) -> bool:
    """Whether ``output_dir`` holds a finished run of ``spec`` with nothing left to do, so that
    a rerun needs no devices (the Ray engine then does not connect to a cluster). Read only;
    False whenever in doubt, and the run's own checks decide."""
    manifest = output_dir / MANIFEST
    try:
        if not manifest.is_file():
            return False
        spec = dict(spec)
        _keep_old_layout(output_dir, spec)
        if spec_differences(json.loads(manifest.read_text()).get("spec", {}), spec):
            return False
        done = _done_shards(output_dir, spec, n_shards, retry_failed, quiet=True)
        return len(done) == n_shards
    except Exception:  # noqa: BLE001 - any doubt: the run finds out what is wrong
        return False


@honours_verbose
@headers_read_once()  # each split FIF and .vhdr header read once in a run
def embed_dataset(
    inputs: Any,
    output_dir: str | os.PathLike,
    *,
    weights: str | os.PathLike | None = None,
    model: EEGPT | None = None,
    engine: Engine = "inprocess",
    pattern: str | None = None,
    part: tuple[int, int] | str | None = None,
    preprocessing: PreprocessingConfig | None = None,
    window_seconds: float | None = None,
    overlap: float | None = None,
    average_reference: bool | None = None,
    resample: str | None = None,
    tail: str | None = None,
    detrend: str | None = None,
    reject_by_annotation: bool = False,
    rename: Mapping[str, str | None] | str | os.PathLike | None = None,
    on_unknown: Literal["drop", "raise"] = "drop",
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    device: str | None = None,
    precision: Precision = "float32",
    stream_precision: Precision = "float32",
    batch_size: int | None = None,
    pool: Pool = "none",
    shard_size: int = 8,
    workers: int | None = None,
    replicas: int | None = None,
    ray_address: str | None = None,
    files_per_batch: int = 4,
    overwrite: bool = False,
    retry_failed: bool = False,
    check_contents: bool = False,
    hash_inputs: bool = False,
    progress: bool = True,
    verbose: bool | str | int | None = None,
) -> DatasetSummary:
    """Embed every window of every file of a corpus into sharded Parquet; resumable.

    Run it again with the same arguments after a crash or ``kill -9``: finished shards are kept
    (not rewritten) and the others are computed, so the output has every row exactly once.

    Parameters
    ----------
    inputs : path-like | str | list | pandas.DataFrame | pyarrow.Table
        Folder, glob, manifest (CSV/TSV/Parquet with ``path`` and optional ``recording_id``,
        per-file ``rescale``, ``start_seconds`` (a recording's own first window's onset,
        instead of ``preprocessing.start_seconds``), ``annotations_file`` and ``bads``, and
        metadata columns), file list or table; see :func:`resolve_inputs`.
    output_dir : path-like
        Output folder (created); see the module docstring for its layout.
    weights : path-like | str | None
        Checkpoint file/folder or pretrained name (see :func:`eegpt.load_model`). Give this or
        ``model``; the Ray engine ships the loaded model to its workers either way.
    model : EEGPT | None
        A loaded model instead of ``weights``.
    engine : ``"inprocess"`` | ``"ray"``
        ``"inprocess"``: reader processes + one model replica per GPU on this machine.
        ``"ray"``: Ray Data on ``ray_address`` (or a local Ray instance); needs ``ray[data]``.
    pattern : str | None
        Glob for folder input, e.g. ``"**/*.edf"``.
    part : (int, int) | str | None
        ``(k, n)`` (or ``"k/n"``): embed part ``k`` of ``n`` (``0 <= k < n``) of the inputs only, every
        ``n``-th file from the ``k``-th (:meth:`DatasetInputs.part`), with the ids of the
        whole list: one job of a cluster's job array per part, each into its own folder
        (e.g. ``out/part-03``); :func:`read_embeddings` of the folder above them reads the
        parts as one table, and says which are missing or unfinished. A part is refused when
        a part beside its folder was split from another listing of the same inputs (files
        added or removed between the tasks): give a corpus that may change as a manifest.
    preprocessing, window_seconds, overlap, average_reference, resample, tail, detrend
        Preprocessing (see :class:`~eegpt.preprocessing.PreprocessingConfig`); the keywords
        override single fields.
    reject_by_annotation : bool
        Leave out the windows that overlap an annotation marked bad (``BAD_...``, any case), as
        MNE does for epochs; the ``window`` column then has gaps. By default they are embedded,
        and the ``bad`` column marks them.
    rename : dict of str to (str or None) | str | path-like | None
        Channel mapping applied to every file (see :func:`~eegpt.channels.map_channels`): a
        dict of label -> vocabulary name (None drops), a cap's name (``"biosemi64"``,
        :func:`~eegpt.channels.cap_rename`), a table file's path
        (:func:`~eegpt.channels.read_rename_table`) or a :class:`~eegpt.channels.RenameTable`;
        a key applies to the files that have that channel (others ignore it), and a cap's
        table is not applied to files labelled with 10-10 names.
    on_unknown
        As in :func:`~eegpt.channels.map_channels`.
    keep : str | sequence of str | None
        Use only these vocabulary channels in every file (``"10-20"``, names, or both with
        ``-NAME`` removals: ``"10-20,-C3"``; see
        :func:`~eegpt.channels.map_channels`), so that files of different systems give
        embeddings of one channel set; recorded in the run's settings (``channels.keep``), so
        runs with another set are not read together.
    picks : str | list of str
        Channel types read from every file (see :func:`eegpt.embed`; ``"eeg"`` by default).
    device : str | None
        See :func:`select_devices`; for Ray, ``"cpu"`` or ``"cuda"`` (default: GPUs if the
        cluster has any).
    precision : ``"float32"`` | ``"bfloat16"`` | ``"float16"``
    stream_precision : ``"float32"`` | ``"float16"`` | ``"bfloat16"``
        With a reduced ``precision``: dtype of the residual stream between blocks (see
        :class:`~eegpt.engine.InferenceEngine`); float16 is a few percent faster on GPUs.
    batch_size : int | None
        Windows per forward pass; ``None``: the engine's default (64 on a GPU, a few windows
        on a CPU, see :func:`~eegpt.engine.default_batch_size`).
    pool : ``"none"`` | ``"mean"``
        ``"none"`` stores all ``N*S*D`` summary-token values per window (128 KiB per window for
        the large model); ``"mean"`` stores their mean over patches and tokens (``D`` values).
    shard_size : int
        Input files per shard (the unit of resumption and of output files).
    workers : int | None
        In-process: reader processes (default ``min(4, cores - 1)``, at least 1; 0 reads in
        the main process). Ray: concurrent read tasks (default: as many as Ray schedules).
    replicas : int | None
        In-process: GPUs to use (default all visible). Ray: inference actors (default one per
        cluster GPU, or 1 on CPU).
    ray_address : str | None
        Ray cluster address (``"auto"``, ``"ray://host:10001"``); None starts a local Ray
        instance unless one is already initialised in this process.
    files_per_batch : int
        Ray only: files per inference call of an actor (windows of consecutive files with the
        same channels share batches).
    overwrite : bool
        Delete a previous run's output in ``output_dir`` and start over.
    retry_failed : bool
        On resume, embed the failed files again; their shards are written anew, with the rows
        of their other files copied from the old shards (not embedded again).
    check_contents : bool
        On resume, compare the content fingerprint (size and first and last MiB) of every
        file already embedded with the one recorded, not only where its size or modification
        time changed: finds a file edited in place that kept both (a header de-identified
        with its times restored, ``cp -p`` or ``touch -r`` over it), at the cost of reading
        2 MiB of each such file. Without it, a resume compares sizes and modification times
        (as rsync does) and reads the fingerprint only of files whose time alone is new.
        Where the run recorded full hashes (``hash_inputs``), those are compared instead
        (every byte of the file read again), which also finds an edit in the middle of a file
        that kept its size, which the fingerprint misses.
    hash_inputs : bool
        Record the full SHA-256 of each embedded recording's files (what ``sha256sum``
        prints; its data and marker files, split FIF parts, annotations file) in its file
        status (``source_file_sha256``, ``annotations_file_sha256``: ``{name: sha256}``), as
        ``eegpt embed --hash-inputs`` does; the run records ``"hash_inputs": true`` in its
        entry of ``_manifest.json``'s ``runs``. That reads every byte of each file once more
        (minutes for a large corpus on network storage), so it is not the default. A resume
        then compares those hashes wherever it compares contents. It is no setting of the
        run's output: a resume with it over files embedded without it hashes only the files
        it embeds, and warns how many it did not (delete their shards, or ``overwrite``, to
        hash them); one without it over a run with it warns that the files it embeds are not
        hashed.
    progress : bool
        Show a progress bar (files; windows/s and hours of EEG in its postfix).
    verbose : bool | str | int | None
        Log settings, resume state and the summary to the ``"eegpt"`` logger.

    Returns
    -------
    DatasetSummary

    Raises
    ------
    ValueError
        On bad settings, or an output folder made with other settings (checkpoint SHA-256,
        preprocessing, inputs, ...) unless ``overwrite``, or a ``part`` beside parts split
        from another listing of the inputs.
    FileExistsError
        If ``output_dir`` holds files that this function did not write.
    OutputNotWritableError
        (an ``OSError``) If ``output_dir`` cannot be made or written to (a read-only file
        system, no permission, a file above it); checked before the model is loaded. Also
        (errno ``ENOSPC``, ``EDQUOT`` for a quota, ``EFBIG`` for a file-size limit) when the disk
        fills up during the run, or a shard grows past the limit, naming the shard being
        written: the finished shards are kept, and the same call resumes.

    Notes
    -----
    The reader processes are started with ``spawn``, which imports the calling script again:
    in a script, call this under ``if __name__ == "__main__":`` (or pass ``workers=0``).
    """
    if (weights is None) == (model is None):
        raise ValueError("give exactly one of weights= (a checkpoint) and model= (a loaded EEGPT)")
    if engine not in ("inprocess", "ray"):
        raise ValueError(f"engine must be 'inprocess' or 'ray', got {engine!r}")
    if pool not in ("none", "mean"):
        raise ValueError(f"pool must be 'none' or 'mean', got {pool!r}")
    counts = {"shard_size": shard_size, "batch_size": 1 if batch_size is None else batch_size}
    counts["files_per_batch"] = files_per_batch
    small = [f"{k}={v} (--{k.replace('_', '-')})" for k, v in counts.items() if v < 1]
    if small:
        raise ValueError(f"{', '.join(small)}: must be >= 1")
    if workers is not None and workers < 0:
        raise ValueError(f"workers must be >= 0, got {workers}")
    if on_unknown not in ("drop", "raise"):
        raise ValueError(f"on_unknown must be 'drop' or 'raise', got {on_unknown!r}")
    config = (preprocessing or PreprocessingConfig()).updated(
        window_seconds=window_seconds,
        overlap=overlap,
        average_reference=average_reference,
        resample=resample,
        tail=tail,
        detrend=detrend,
    )
    if stream_precision != "float32" and precision == "float32":
        raise ValueError(
            f"stream_precision={stream_precision!r} (--stream-precision) needs precision "
            "(--precision) 'bfloat16' or 'float16' (float32 stays exact)"
        )
    corpus = data = resolve_inputs(inputs, pattern=pattern, verbose=verbose)
    part = as_part(part)
    if part is not None:
        data = corpus.part(*part)
    output_dir = Path(output_dir).expanduser()
    identity = _corpus_identity(corpus.source, pattern)
    listing_sha: str | None = None  # the listing split
    if part is not None:
        listing_sha = corpus.fingerprint()
        # the other tasks of a job array split the same listing? (a resume of a part split
        # from an older listing is told by the resume check how to resume it from that listing)
        if overwrite or not _resumes_another_listing(output_dir, corpus, listing_sha):
            _check_sibling_parts(output_dir, corpus, listing_sha, part, identity)
    if output_dir.exists() and not output_dir.is_dir():
        raise FileExistsError(
            f"{output_dir} is a file; the output of embed_dataset is a folder of Parquet shards: "
            "choose a new folder (or one it wrote before, to resume)"
        )
    try:
        check_output_folder(output_dir)  # before the model is loaded
        unwritable = None
    except OutputNotWritableError as err:  # a finished run has nothing to write: seen below
        if overwrite or not (output_dir / MANIFEST).is_file():
            raise
        unwritable = err
    if model is None:
        from eegpt.checkpoints import load_model

        model = load_model(weights, device="cpu", verbose=verbose)  # type: ignore[arg-type]
    spec = _run_spec(
        model,
        data,
        config,
        rename=rename,
        on_unknown=on_unknown,
        keep=keep,
        precision=precision,
        pool=pool,
        shard_size=shard_size,
        stream_precision=stream_precision,
        reject_by_annotation=reject_by_annotation,
        picks=picks,
        part=part,
        corpus_files=len(corpus),
        corpus_sha256=listing_sha,
        corpus=identity,
        resumes=None if overwrite else output_dir,
    )
    shards = [
        list(range(start, min(start + shard_size, len(data))))
        for start in range(0, len(data), shard_size)
    ]
    if unwritable is not None and not _finished_already(
        output_dir, spec, len(shards), retry_failed
    ):
        raise unwritable
    if engine == "inprocess" and (_default_workers() if workers is None else workers) > 0:
        _check_main_guard()
    with contextlib.ExitStack() as session:
        # Devices are checked (for Ray: the cluster connected) before the output folder is
        # touched, so a wrong --device neither leaves a folder behind nor lets --overwrite
        # delete the previous output first.
        devices, plan = [], None
        if engine == "inprocess":
            devices = select_devices(device, replicas=replicas)
        elif overwrite or not _finished_already(output_dir, spec, len(shards), retry_failed):
            from eegpt.dataset_ray import ray_session

            plan = session.enter_context(ray_session(ray_address, device, replicas, verbose))
        made = _missing_folder_and_parents(output_dir)
        before = set(os.listdir(output_dir)) if output_dir.is_dir() else set()
        output_dir.mkdir(parents=True, exist_ok=True)
        # another run's lock (OutputInUseError) undoes nothing; a failure of this run is undone
        # while the lock is held, so no run that starts meanwhile loses its files. A finished
        # run in a folder this process cannot write to (read-only) is only read, without the
        # lock (whose file could not be made): the lock keeps two runs from writing at once,
        # and this one writes nothing (no shard, report or manifest), so it cannot spoil
        # another run's files; what it reads (files replaced whole) is at worst a moment old.
        with FolderLock(output_dir) if unwritable is None else contextlib.nullcontext():
            try:
                if not overwrite:
                    _keep_old_layout(output_dir, spec)
                _prepare_output(output_dir, spec, overwrite=overwrite, verbose=verbose,
                                ids=[f.recording_id for f in data.files],
                                corpus_ids=[f.recording_id for f in corpus.files],
                                read_only=unwritable is not None, files=data.files)  # fmt: skip
                if (
                    listing_sha
                    and spec["inputs"].get("corpus_sha256") == listing_sha
                    and unwritable is None
                ):
                    _write_listing(output_dir, corpus)  # a part from before it: listing unknown
                stamps: dict[int, Any] = {}  # the footers' run stamps, for the version check
                done = _done_shards(output_dir, spec, len(shards), retry_failed, stamps=stamps)
                kept = _kept_files(output_dir, len(shards), done, retry_failed)
                changed = _warn_changed(data, [*chain.from_iterable(done.values()), *kept.values()],
                                        read_only=unwritable is not None,
                                        check_contents=check_contents,
                                        earlier_marks=_earlier_marks(output_dir))  # fmt: skip
                run = _Run(output_dir, data, shards, spec, done, engine=engine)
                run.read_only = unwritable is not None  # nothing to do: the reports stay
                run.changed = changed  # rows of earlier contents: none is embedded again
                run.rename = table_provenance(rename_table(rename))
                run.batch_size = batch_size  # a resume may change it (the last bits with it)
                run.hash_inputs = hash_inputs
                run.write_reports(force=True)
                todo = [  # the files of a retried shard embedded before are not done again
                    data.files[i]
                    for k, files in enumerate(shards)
                    if k not in done
                    for i in files
                    if i not in kept
                ]
                if (done or kept) and todo:
                    present = sorted({*done, *(int(f["shard"]) for f in kept.values())})
                    _warn_other_versions(output_dir, present, run.previous_runs, stamps)
                _warn_mixed_hashes(
                    [*chain.from_iterable(done.values()), *kept.values()], hash_inputs, len(todo)
                )
                _log(
                    f"embed_dataset: {_count(len(data), 'file')} from {data.source} in "
                    f"{_count(len(shards), 'shard')} of "
                    f"{shard_size}; {len(done)} done, {len(shards) - len(done)} to do ({len(todo)} "
                    f"files); engine {engine}",
                    verbose,
                )
                load_kwargs = {
                    "config": config,
                    "model_config": (
                        model.target_encoder if isinstance(model, EEGPT) else model
                    ).config,
                    "rename": rename,
                    "on_unknown": on_unknown,
                    "keep": keep,
                    "reject_by_annotation": reject_by_annotation,
                    "picks": picks,
                    "from_manifest": data.manifest,
                }
                bar = _Progress(
                    len(todo),
                    progress and bool(todo),
                    "embed-dataset",
                    step_s=config.window_seconds - config.overlap,
                )
                writer = ShardWriter(
                    output_dir,
                    data,
                    shards,
                    spec,
                    on_file=bar.update,
                    on_commit=run.committed,
                    on_part=bar.part,
                    run=run.shard_stamp(),
                    hash_inputs=hash_inputs,
                )
                # Ctrl-C or SIGTERM inside a queue or a future would leave its lock held and
                # hang the clean-up below (see eegpt._interrupts)
                with run.recording_stop(), _interrupts.deferred():
                    add = _WithKept(writer.add, writer, kept) if kept else writer.add
                    sink = _BackgroundSink(add)
                    try:
                        if not todo:
                            run.devices = []
                        elif engine == "inprocess":
                            run.devices = [str(d) for d in devices]
                            engines = make_engines(
                                model,
                                devices,
                                precision=precision,
                                batch_size=batch_size,
                                stream_precision=stream_precision,
                            )
                            n_workers = _default_workers() if workers is None else workers
                            run.workers = n_workers
                            _log(
                                f"embed_dataset: {n_workers} reader process{'' if n_workers == 1 else 'es'}",
                                verbose,
                            )
                            run_inprocess(
                                todo,
                                sink,
                                engines=engines,
                                load_kwargs=load_kwargs,
                                pool=pool,
                                workers=n_workers,
                                on_windows=bar.embedded,
                            )
                        else:
                            from eegpt.dataset_ray import ray_session, run_ray

                            if plan is None:  # found finished before the lock, no longer now
                                plan = session.enter_context(
                                    ray_session(ray_address, device, replicas, verbose)
                                )
                            run.devices = run_ray(
                                todo,
                                sink,
                                plan=plan,
                                model=model,
                                load_kwargs=load_kwargs,
                                precision=precision,
                                stream_precision=stream_precision,
                                batch_size=batch_size,
                                pool=pool,
                                workers=workers,
                                files_per_batch=files_per_batch,
                            )
                        sink.close()
                    finally:
                        sink.close(raise_error=False)
                        writer.abort()
                        bar.close()
                        run.finish(bar)
                summary = run.summary(bar)
                unmatched = unmatched_rename_warning(rename, list(bar.channels), bar.ok)
                if unmatched:
                    _warn(unmatched)
            except BaseException:  # before a shard is written, leave the folders as they were
                _undo_failed_start(output_dir, before, made)
                raise
    _log(str(summary), verbose, lines=True)  # its ids are escaped: its own lines
    return summary


def _missing_folder_and_parents(folder: Path) -> list[Path]:
    """``folder`` and those of its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _undo_failed_start(output_dir: Path, before: set[str], made: list[Path]) -> None:
    """After a run failed before writing a shard, delete the bookkeeping files it made (lock,
    reports, manifest) and the folders it made, so the output is as it was; a run that wrote
    shards keeps everything for resuming."""
    try:
        now = set(os.listdir(output_dir))
        if any(SHARD.match(name) for name in now - before):
            return
        for name in now - before:
            if _is_ours(name):
                (output_dir / name).unlink()
        for folder in made:
            folder.rmdir()
    except OSError:  # best effort: what cannot be tidied (not empty, no permission) stays
        pass


def _check_main_guard() -> None:
    """Refuse a run that reader processes would start again: they are spawned, and a spawned
    process first runs the ``__main__`` script, so a call at its top level outside ``if
    __name__ == "__main__":`` would run in each of them (locked out of the output, every file
    failed). Checked in the script's process (from its source) and in a reader starting."""
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    if path and not os.path.isfile(path):  # python - < script.py: no file to run again
        raise UnguardedMainError(
            f"embed_dataset runs from a script read from {path}, which its reader processes "
            "cannot run again (they start by running the main script): pass workers=0 to read "
            "in this process, or run the script from a file, the call under `if __name__ == "
            "'__main__':`."
        )
    where = _unguarded_main_call()
    starting = getattr(multiprocessing.current_process(), "_inheriting", False)
    if where is None and not starting:
        return
    script = where or "the main script"
    raise UnguardedMainError(
        f"embed_dataset is called at the top level of {script}, outside `if __name__ == "
        "'__main__':`. Its reader processes start by running that script again, so each would "
        "start the run again. Put the call under `if __name__ == '__main__':`, or read in this "
        "process with workers=0."
    )


def _unguarded_main_call() -> str | None:
    """``"script.py, line N"`` when this runs from a statement at the top level of the
    ``__main__`` script outside an ``if __name__ == "__main__":`` block; None otherwise (a
    call under the guard, a notebook, ``python -c``, a script that cannot be read)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path or not str(path).endswith(".py"):
        return None
    line = None
    frame: FrameType | None = sys._getframe(1)
    try:
        while frame is not None:
            if frame.f_globals is vars(main) and frame.f_code.co_name == "<module>":
                line = frame.f_lineno
            frame = frame.f_back
    finally:
        del frame
    if line is None:
        return None
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and {"__name__", "'__main__'"} <= set(
            re.findall(r"__name__|'__main__'", ast.unparse(node.test))
        ):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                return None
    return f"{path}, line {line}"


def _default_workers() -> int:
    """``min(4, cores - 1)``, counting the cores this process may run on (a job scheduler's
    allocation), not the host's."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 2
    return max(1, min(4, cores - 1))


_RUNS_KEPT = 1000  # calls recorded in the manifest's "runs" (the oldest are let go)


def _previous_runs(output_dir: Path) -> list[dict[str, Any]]:
    """The calls recorded by the folder's manifest (a manifest from before the "runs" list:
    its last run), or none."""
    try:
        manifest = json.loads((output_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return []
    runs = manifest.get("runs")
    if isinstance(runs, list):
        return runs
    return [manifest["last_run"]] if isinstance(manifest.get("last_run"), dict) else []


class _Run:
    """Bookkeeping of one call: file statuses, report files, summary."""

    def __init__(
        self,
        output_dir: Path,
        inputs: DatasetInputs,
        shards: list[list[int]],
        spec: dict[str, Any],
        done: dict[int, list[dict[str, Any]]],
        *,
        engine: str,
    ) -> None:
        self.output_dir, self.inputs, self.shards, self.spec = output_dir, inputs, shards, spec
        self.engine = engine
        # windows per forward pass, recorded as the run's "batch_size": the value given, used
        # for every file; None where none was given: the default for each file's channel
        # count (64 on a GPU, on a CPU fewer the more channels; an .npz output records the
        # value used, one file having one channel count). Not in the spec: a resume may change it
        self.batch_size: int | None = None
        # embed-dataset --hash-inputs: the files it embeds have their full SHA-256 recorded
        self.hash_inputs = False
        self.command = recorded_command()  # the eegpt command's arguments; None from Python
        self.command_cwd = command_record().get("cwd")  # the folder they were given in
        self.devices: list[str] = []
        self.workers: int | None = None  # reader processes of the in-process engine
        self.skipped = len(done)
        self.written = 0
        self.status: dict[int, dict[str, Any]] = {}
        for files in done.values():
            for s in files:
                self.status[s["index"]] = s
        self.last_report = 0.0
        self.started = time.time()
        self.elapsed = 0.0
        self.ended = False  # recorded: a run killed before its end says False
        # how the run was stopped before its last file (recorded besides ``ended``):
        # "interrupted" (Ctrl-C), "terminated" (SIGTERM) or the class of the error; None
        # while it runs and for a run that finished
        self.stopped: str | None = None
        # where this call's rename table came from (table_provenance): recorded by the run,
        # not in the spec, so that a table moved or named by another path resumes the run
        self.rename: dict[str, str] = {}
        self.previous_runs = _previous_runs(output_dir)
        self.read_only = False  # a finished run in a folder it cannot write: no reports
        # embedded recordings whose files changed since (what changed, by recording id):
        # their rows are of the earlier contents (the "changed" column of the files report)
        self.changed: dict[str, str] = {}

    @property
    def started_at(self) -> str:
        """When the run started, local time in ISO 8601 with its UTC offset: how the
        manifest's ``runs`` and the footers of the shards it writes name the run."""
        return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(self.started))

    def shard_stamp(self) -> dict[str, Any]:
        """What each shard this run writes records of it in its footer (``eegpt_shard``'s
        ``run``): its start, as its entry in the manifest's ``runs`` says, and the versions
        that computed the rows (``eegpt_version``, ``torch_version`` and ``software``, all of
        :func:`~eegpt.api.software_versions`: scipy and MNE read, filter and resample), so
        that a corpus resumed after an upgrade can be told apart shard by shard."""
        return {
            "started": self.started_at,
            "eegpt_version": __version__,
            "torch_version": torch.__version__,
            "software": software_versions(),
        }

    @property
    def complete(self) -> bool:
        """Whether every file has its status in a shard written (by this run or before)."""
        return all(f.index in self.status for f in self.inputs.files)

    def committed(self, shard: int, statuses: list[dict[str, Any]]) -> None:
        self.written += 1
        for s in statuses:
            self.status[s["index"]] = s
        self.write_reports()

    def _file_rows(self) -> list[dict[str, Any]]:
        rows = []
        for f in self.inputs.files:
            s = self.status.get(f.index)
            if s is None:
                s = {
                    "index": f.index,
                    "recording_id": f.recording_id,
                    "path": f.path_text,
                    "shard": f.index // self.spec["shard_size"],
                    "status": "pending",
                    "n_windows": 0,
                    "duration_s": 0.0,
                }
            elif f.recording_id in self.changed:
                s = {**s, "changed": self.changed[f.recording_id]}
            rows.append(s)
        return rows

    def write_reports(self, *, force: bool = False) -> None:
        """Refresh ``_manifest.json``, ``_files.csv`` and, where they list a file,
        ``_errors.csv`` and ``_too_short.csv`` (throttled); none where ``read_only``."""
        if self.read_only:
            return
        with _naming_full_disk(self.output_dir, lambda: f"{FILES_REPORT} and {MANIFEST}"):
            self._write_reports(force=force)

    def _write_reports(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self.last_report < _REPORT_EVERY_S:
            return
        self.last_report = now
        rows = self._file_rows()
        done_shards = sorted({s["shard"] for s in self.status.values()})
        run = {
            "engine": self.engine,
            "devices": self.devices,
            **({"workers": self.workers} if self.workers is not None else {}),
            "started": self.started_at,
            "elapsed_s": self.elapsed,
            "shards_written": self.written,
            **self.rename,
            "ended": self.ended,
            "batch_size": self.batch_size,
            **({"hash_inputs": True} if self.hash_inputs else {}),
            **({"command": self.command} if self.command is not None else {}),
            **({"cwd": self.command_cwd} if self.command_cwd is not None else {}),
            "stopped": self.stopped,
            "eegpt_version": __version__,
            "torch_version": torch.__version__,  # as before "software" (which holds it too)
            "software": software_versions(),
            "host": platform.node(),
            **_slurm_ids(),
        }
        manifest = {
            "format": FORMAT,
            "eegpt_version": __version__,
            "spec": self.spec,
            "n_files": len(self.inputs),
            "n_shards": len(self.shards),
            "shards_done": done_shards,
            "source": "".join(corpus_of(self.inputs.source)),
            "last_run": run,
            "runs": [*self.previous_runs, run][-_RUNS_KEPT:],  # every call, oldest first
            "totals": file_totals(rows),
            "read_with": "pandas.read_parquet(output_dir)",
        }
        _write_csv(self.output_dir / FILES_REPORT, rows)
        for name, status in ((ERRORS_REPORT, "failed"), (SHORT_REPORT, TOO_SHORT)):
            _write_csv_if_rows(self.output_dir / name, [r for r in rows if r["status"] == status])
        _write_json(self.output_dir / MANIFEST, manifest)

    def finish(self, bar: _Progress) -> None:
        """Write the reports at the end of the run, or as it stops on an error (a full disk
        that stopped it, met again here, is not said twice: the first names the shard)."""
        stopping = sys.exc_info()[1]
        self.elapsed, self.ended = bar.elapsed, True
        if stopping is not None and not self.complete:
            self.stopped = _stop_cause(stopping)
        try:
            self.write_reports(force=True)
        except OutputNotWritableError as err:
            if not (stopping is not None and disk_full(stopping) and disk_full(err)):
                raise

    @contextlib.contextmanager
    def recording_stop(self) -> Iterator[None]:
        """Around the run's work: what stopped it recorded (:meth:`stopped_by`), and on the
        command line an interrupt that came once every file was written not raised (the
        command exits as its files say). Called from Python, that interrupt is raised all the
        same, once the run is recorded finished: a Ctrl-C stops the caller's script too."""
        try:
            yield
        except BaseException as err:
            if not self.stopped_by(err) or recorded_command() is None:
                raise

    def stopped_by(self, err: BaseException) -> bool:
        """Record ``err``, which stopped the run after :meth:`finish`, as how it ended (an
        interrupt deferred to the end of its block arrives only then), and say whether the run
        is finished all the same: an interrupt (Ctrl-C, SIGTERM) that came once every file was
        written has nothing left to stop, and is said, not raised."""
        finished = isinstance(err, (KeyboardInterrupt, SystemExit)) and self.complete
        if finished:
            self.stopped = None
            _warn(
                f"{'SIGTERM' if isinstance(err, SystemExit) else 'Ctrl-C'} came after the last "
                f"file was embedded: every file is done and the run in {self.output_dir} is "
                "finished (nothing was stopped)"
            )
        elif self.ended and self.stopped is None:
            self.stopped = _stop_cause(err)
        else:  # stopped before finish (nothing recorded of it), or recorded there already
            return False
        with contextlib.suppress(Exception):  # what stopped the run is raised, not this
            self.write_reports(force=True)
        return finished

    def summary(self, bar: _Progress) -> DatasetSummary:
        rows = self._file_rows()
        totals = file_totals(rows)
        warned, n_warned = _warning_kinds(rows)
        return DatasetSummary(
            output_dir=self.output_dir,
            engine=self.engine,
            devices=self.devices or ["-"],
            n_files=len(rows),
            n_ok=totals["ok"],
            n_failed=totals["failed"],
            n_too_short=totals[TOO_SHORT],
            n_pending=totals["pending"],
            windows=totals["windows"],
            windows_left_out=totals["windows_left_out"],
            hours=totals["hours"],
            shards=len(self.shards),
            shards_written=self.written,
            shards_skipped=self.skipped,
            run_files=bar.ok + bar.failed + bar.short,
            run_windows=bar.windows,
            run_hours=bar.hours,
            elapsed_s=self.elapsed,
            startup_s=bar.first or 0.0,
            errors=[
                {k: r[k] for k in ("recording_id", "path", "error")}
                for r in rows
                if r["status"] == "failed"
            ],
            warned=warned,
            n_warned=n_warned,
            channel_sets=_channel_sets(rows),
            keep=bool(self.spec["channels"].get("keep")),
            dropped=_dropped_channels(rows, self.spec["channels"].get("rename")),
            n_changed=len(self.changed),
        )


#: The versions a resume compares with those of the shards already written: those that
#: compute the numbers. Python's own version is left out: the numbers come from these
#: libraries, not from the interpreter, and a patch-level upgrade of Python would only warn.
_COMPARED_VERSIONS = ("eegpt", "torch", "numpy", "scipy", "mne")


def _run_versions(run: Mapping[str, Any]) -> dict[str, str]:
    """The compared versions a run entry of the manifest or a shard footer's ``run`` stamp
    records (those it lacks, from before they were recorded, are left out)."""
    software = run.get("software")
    if not isinstance(software, Mapping):
        software = {}
    versions = {"eegpt": run.get("eegpt_version"), "torch": run.get("torch_version")}
    versions.update({k: v for k, v in software.items() if k != "python"})
    return {k: str(versions[k]) for k in _COMPARED_VERSIONS if versions.get(k)}


def _shard_versions(
    shards: Iterable[int],
    previous_runs: Sequence[Mapping[str, Any]],
    stamps: Mapping[int, Any],
) -> list[dict[str, str]]:
    """The versions that computed the rows of ``shards``: from the ``run`` stamp of each
    footer (``stamps``, by shard, as :func:`_done_shards` read them), completed by the
    manifest's entry of the run it names (a stamp from before ``software`` was stamped names
    eegpt and torch alone); for a footer without a stamp (or unreadable), those of every
    earlier run that wrote a shard (``shards_written`` > 0): a run that died before its first
    shard made none of the rows."""
    by_start = {r.get("started"): r for r in previous_runs if r.get("started")}
    found: list[dict[str, str]] = []
    unknown = False
    for k in shards:
        stamp = stamps.get(k)
        if not isinstance(stamp, Mapping):
            unknown = True
            continue
        versions = _run_versions(by_start.get(stamp.get("started"), {}))
        versions.update(_run_versions(stamp))  # the footer's own say first
        found.append(versions)
    if unknown:
        found += [_run_versions(r) for r in previous_runs if r.get("shards_written", 1) != 0]
    return found


def _warn_other_versions(
    output_dir: Path,
    shards: Iterable[int],
    previous_runs: Sequence[Mapping[str, Any]],
    stamps: Mapping[int, Any],
) -> None:
    """Warn, once, when this run resumes a folder whose shards present (``shards``, by number)
    were computed with other versions of eegpt, torch, NumPy, SciPy or MNE than this run's
    (:func:`_shard_versions`): the corpus's rows then come from two versions. Not refused:
    the warning says how to tell their shards apart. Earlier runs that wrote none of the
    shards present (one that died before its first shard) are not counted."""
    now = {"eegpt": __version__, **software_versions()}
    seen = _shard_versions(shards, previous_runs, stamps)
    before = {name: sorted({v[name] for v in seen if name in v}) for name in _COMPARED_VERSIONS}
    changed = [name for name in _COMPARED_VERSIONS if any(v != now[name] for v in before[name])]
    if not changed:
        return
    was = ", ".join(f"{name} {' / '.join(before[name])}" for name in changed)
    is_ = ", ".join(f"{name} {now[name]}" for name in changed)
    _warn(
        f"{output_dir} is resumed with {is_}, but the shards written before come from {was}: "
        "the shards written from now on come from other versions than those before (the "
        "embeddings may differ slightly). They can be told apart: each shard's footer names "
        "the run that wrote it and its versions "
        "(eegpt.dataset.read_shard_status(shard)[1]['run']), and "
        f"`eegpt info {output_dir}` lists the versions of each run. To embed the whole corpus "
        "with one version, run it again with --overwrite (overwrite=True) or into a new folder."
    )


def _stop_cause(err: BaseException) -> str:
    """How a run stopped by ``err`` records it (``stopped`` in the manifest's ``runs``):
    ``"interrupted"`` for Ctrl-C, ``"terminated"`` for SIGTERM (the command line raises
    SystemExit then), else the class of the error (``"OutputNotWritableError"``)."""
    if isinstance(err, KeyboardInterrupt):
        return "interrupted"
    if isinstance(err, SystemExit):
        return "terminated"
    return type(err).__name__


#: The SLURM variables a run records (the job, and of a job array the array job and task).
_SLURM_VARIABLES = ("SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID")


def _slurm_ids() -> dict[str, str]:
    """The SLURM job ids of this process (``slurm_job_id``, ``slurm_array_job_id``,
    ``slurm_array_task_id``), those set."""
    return {name.lower(): os.environ[name] for name in _SLURM_VARIABLES if name in os.environ}


def _write_listing(output_dir: Path, corpus: DatasetInputs) -> None:
    """Write :data:`CORPUS_LISTING`: the ``path`` and ``recording_id`` of every file of the
    whole ``corpus`` a part run was split from, in order (a manifest of it)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["path", "recording_id"])
    writer.writerows([f.path_text, f.recording_id] for f in corpus.files)
    with _naming_full_disk(output_dir, lambda: CORPUS_LISTING):
        atomic_write(output_dir / CORPUS_LISTING, lambda fh: fh.write(buf.getvalue().encode()))


def _corpus_identity(source: str, pattern: str | None) -> str:
    """What names a corpus, for the parts of one split to find each other: the folder, glob
    or manifest of its inputs' ``source`` as an absolute path, with the ``pattern`` that picks
    its files (``--pattern``); :data:`LIST_INPUTS` for a list of files or a table, which
    name no place (their parts are told apart by the files their listings share)."""
    if source.startswith("<") and source.endswith(">"):  # "<12 files>", "<table>", "<df>"
        return LIST_INPUTS
    corpus = corpus_of(source)[0]
    if glob.has_magic(corpus):
        corpus = os.path.abspath(corpus)
    return f"{corpus} --pattern {pattern}" if pattern else corpus


_HISTORY = '\n "last_run": '  # starts a manifest's run history, as _write_json writes it


def _manifest_head(path: Path) -> dict[str, Any]:
    """A run's ``_manifest.json`` without its run history (``last_run``, ``runs``: up to
    :data:`_RUNS_KEPT` calls, the most of its bytes), read no further than where that starts:
    its settings (``spec``), counts and ``source``. Raises ``OSError`` or ``ValueError``
    where it cannot be read."""
    text = ""
    with open(path, encoding="utf-8") as fh:
        while chunk := fh.read(1 << 16):
            text += chunk
            end = text.find(_HISTORY)  # (a newline in a text value is written as \\n)
            if end >= 0:
                return json.loads(text[:end].rstrip().rstrip(",") + "\n}")
    return json.loads(text)


def _part_inputs(folder: Path) -> dict[str, Any] | None:
    """The spec's ``inputs`` of the ``--part`` run in ``folder``, with its manifest's
    ``source`` as ``"source"``; None when it is no part run or its manifest is unreadable
    (one being made)."""
    try:
        manifest = _manifest_head(folder / MANIFEST)
        inputs = dict(manifest["spec"]["inputs"])
        k, n = (int(v) for v in inputs["part"])
        inputs["corpus_files"] = int(inputs["corpus_files"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {**inputs, "part": [k, n], "source": str(manifest.get("source", ""))}


def _resumes_another_listing(output_dir: Path, corpus: DatasetInputs, sha: str) -> bool:
    """Whether ``output_dir`` holds a ``--part`` run split from another listing than
    ``corpus``'s as it is now (``sha``: its :meth:`~DatasetInputs.fingerprint`): a requeued
    task after the corpus changed, which the resume check tells how to resume from its own
    listing (its siblings, split from that listing too, are no conflict to report)."""
    own = _part_inputs(output_dir)
    if own is None:  # a new part (or no part run): its siblings decide
        return False
    return own["corpus_files"] != len(corpus) or own.get("corpus_sha256", sha) != sha


def _check_sibling_parts(
    output_dir: Path, corpus: DatasetInputs, sha: str, part: tuple[int, int], identity: str
) -> None:
    """Refuse part ``part`` of ``corpus`` (``sha``: its listing's
    :meth:`~DatasetInputs.fingerprint`) when a part of the same split beside ``output_dir``
    (a folder of ``output_dir.parent`` whose manifest records a part of N of the same corpus,
    :func:`_corpus_identity`: the layout ``-o out/part-$SLURM_ARRAY_TASK_ID``) was split from
    another listing of it. Files added to the corpus or removed from it between the tasks of
    a job array move files between parts, so that the parts hold some files twice and miss
    others. Siblings with the same listing pass, whenever they started; folders without a
    readable manifest (one being made) are passed over. A sibling of another corpus identity
    (the corpus copied to each node's own ``$TMPDIR``, a path per task) is of the same corpus
    when its listing shares a recording id with this one (ids are relative paths); two
    patterns of one folder share none. The first sibling split apart is named (the others
    are not looked for: each costs a manifest read)."""
    here = os.path.realpath(output_dir)
    n_now = len(corpus)
    ids: set[str] | None = None  # the corpus's recording ids, read once when needed
    try:
        siblings = sorted(p for p in output_dir.parent.iterdir() if os.path.realpath(p) != here)
    except OSError:  # no parent folder yet: no sibling
        return
    paths: set[str] | None = None  # of the corpus, for parts of lists of files
    for folder in siblings:
        inputs = _part_inputs(folder)
        if inputs is None or inputs["part"][1] != part[1]:
            continue
        if inputs["corpus_files"] == n_now and inputs.get("corpus_sha256", sha) == sha:
            continue  # the same listing (of this corpus or not)
        theirs = inputs.get("corpus")
        if theirs is None:  # a run from before the identity was recorded: its source
            theirs = _corpus_identity(inputs["source"], None)
            same = theirs == _corpus_identity(corpus.source, None)
        else:
            same = theirs == identity
        if same and identity == LIST_INPUTS:  # lists of files: one corpus if they overlap
            paths = paths if paths is not None else {f.path_text for f in corpus.files}
            same = not (listed_paths(folder) or set()).isdisjoint(paths)
        if not same:  # the corpus elsewhere (staged to each node's $TMPDIR): ids it shares
            ids = ids if ids is not None else {f.recording_id for f in corpus.files}
            same = not ids.isdisjoint(listed_ids(folder) or ())
        if same:
            raise _split_apart(output_dir, corpus, part, folder, inputs)


def _split_apart(
    output_dir: Path,
    corpus: DatasetInputs,
    part: tuple[int, int],
    sibling: Path,
    inputs: Mapping[str, Any],
) -> ValueError:
    """The refusal of part ``part`` of ``corpus``, whose ``sibling`` (its spec's ``inputs``)
    was split from another listing: what changed since, and the listing to freeze."""
    n_now, then = len(corpus), inputs["corpus_files"]
    listed = listed_ids(sibling)
    changes = "" if listed is None else _id_changes(listed, [f.recording_id for f in corpus.files])
    if listed is not None and not changes:
        changes = "the same files, in another order or with other manifest values"
    frozen = sibling / CORPUS_LISTING
    keep = (
        f"copy {frozen} to keep the one {sibling.name} was split from, or "
        if frozen.is_file()
        else ""
    )
    return ValueError(
        f"{output_dir}: part {part[0]}/{part[1]} would be split from the listing of "
        f"{corpus_of(corpus.source)[0]} as it is now, {_count(n_now, 'file')}, but {sibling} "
        f"(part {inputs['part'][0]}/{part[1]}) was split from a listing of "
        f"{_count(then, 'file')}" + (f" (since then: {changes})" if changes else "") + ". "
        "Parts of two listings of a corpus hold some files twice and miss others (other "
        "parts may have been split from either). Freeze one listing in a manifest (a .csv "
        f"with path and recording_id columns: {keep}write the current one, see "
        "docs/corpus-scale.md, 'Plan for 10,000 hours') and give it to every part; the parts "
        "already done on another listing must be run again on it (delete their folders first)"
    )


def _listed(report: Path) -> bool:
    """Whether a run's report (``_errors.csv``, ``_too_short.csv``) lists a file (more than its
    header line)."""
    try:
        with open(report, encoding="utf-8") as f:
            return sum(1 for _ in itertools.islice(f, 2)) > 1
    except OSError:
        return False
