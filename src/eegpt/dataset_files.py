"""One file's way through a corpus run: read and preprocessed, then encoded.

:func:`load_file` (a reader process's work, CPU) reads a recording, or one part of a long one
(:class:`FilePart`: its windows up to :data:`PART_BYTES` of float32 data), maps its channels and
cuts it into windows (:class:`LoadedFile`: ``data`` of shape ``[n_windows, C, T]``, volts scaled
as the model takes them); :func:`encode_files` embeds the windows of several files on one
engine's device (:class:`FileResult`: ``z`` of shape ``[n_windows, N, S, D]``, or
``[n_windows, D]`` with ``pool="mean"``). :class:`WindowInfo` holds what a file's windows record
beside their embeddings (onsets in seconds, annotations, bad spans, epochs metadata). A file's
error is recorded as text (:func:`described_error`), never raised.
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np
import torch

from eegpt._file_identity import part_of_unreadable_error, unreadable_first_part
from eegpt._filenames import path_text
from eegpt._logging import caught_warnings, first_error, reader_text, warning_texts
from eegpt._recording_provenance import recording_provenance
from eegpt._window_flags import FlaggedSpans
from eegpt.annotation_placement import placed_extra
from eegpt.annotations import (
    BadSpans,
    WindowAnnotations,
    annotate_windows,
    annotations_per_window,
)
from eegpt.api import epoch_padding_record, non_finite_embeddings, tail_record
from eegpt.channels import ChannelRules, map_channels
from eegpt.config import EEGPTConfig
from eegpt.dataset_stamps import _too_short
from eegpt.engine import InferenceEngine
from eegpt.errors import RecordingError, StartPastEndError
from eegpt.io import as_recording
from eegpt.metadata_tables import metadata_record
from eegpt.pooling import pool_embeddings
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.recording import Recording
from eegpt.rename_tables import Rename
from eegpt.resampling import filter_reach
from eegpt.signal_checks import corpus_file
from eegpt.stim_events import StimEvents, add_stim_events
from eegpt.streaming import WindowStream, block_size, open_stream_unless_epochs
from eegpt.windowing import crop_refused_for_continuous, start_past_end

MAX_WARNINGS = 5  # kept per file
Pool = Literal["none", "mean"]


@dataclass(eq=False)
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
    flags : dict of str to list of list of str | None
        The per-window flags (:data:`eegpt._window_flags.FLAG_KEYS`): ``{"flat_channels":
        [[names], ...], "clipped_channels": [...]}``, one list of channel names per window (of
        :attr:`index`), as :meth:`eegpt._window_flags.FlaggedSpans.per_window` gives them;
        None where the signal checks judged no stretches (epochs): unknown, written as nulls.
    provenance : dict
        What was done to the recording before eegpt, as single-file outputs record it
        (:func:`eegpt._recording_provenance.recording_provenance`: ``recording_filters``,
        ``epochs_baseline``, ``custom_ref_applied`` ...); kept in the shard's file status.
    """

    index: np.ndarray | None = None
    annotations: list[list[str]] | None = None
    labels: list[str] | None = None
    left_out: int = 0
    metadata: list[str] | None = None
    time_base: dict[str, Any] = field(default_factory=dict)
    padding: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, list[list[str]]] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        index = None if self.index is None else [int(i) for i in self.index]
        return json.dumps(
            [index, self.annotations, self.labels, self.left_out, self.metadata, self.time_base,
             self.padding, self.flags, self.provenance]
        )  # fmt: skip

    @classmethod
    def from_json(cls, text: str) -> WindowInfo:
        """The :meth:`to_json` text read back; that of an eegpt from before a field was
        added (metadata, time base, padding, flags, provenance) gives it its default."""
        index, annotations, labels, left_out, *rest = json.loads(text)
        index = None if index is None else np.asarray(index, dtype=np.int64)
        metadata, time_base, padding, flags, provenance = (rest + [None] * 5)[:5]
        return cls(
            index, annotations, labels, int(left_out), metadata, time_base or {}, padding or {},
            flags, provenance or {},
        )  # fmt: skip

    def kept_flags(self, keep: np.ndarray) -> None:
        """Keep the flags of the windows ``keep`` selects (bool of shape (n_windows,): one
        per window of :attr:`flags`)."""
        if self.flags is not None:
            self.flags = {
                key: [v for v, k in zip(per_window, keep, strict=True) if k]
                for key, per_window in self.flags.items()
            }

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
    flags : FlaggedSpans | None
        :attr:`eegpt.streaming.WindowStream.flags` of that scan: the flat and clipped
        stretches of the whole recording (seconds from its first sample), from which each
        part flags its own windows; None where the scan judged none.
    """

    first: int
    stop: int
    n_windows: int
    line: tuple[np.ndarray, np.ndarray] = field(repr=False, compare=False)
    flags: FlaggedSpans | None = field(default=None, repr=False, compare=False)

    @property
    def last(self) -> bool:
        return self.stop >= self.n_windows

    def __str__(self) -> str:
        """``"windows 0-1023 of 21600"``, as errors about a part name it."""
        return f"windows {self.first}-{self.stop - 1} of {self.n_windows}"


@dataclass(eq=False)
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
    duration_s : float | None
        Length of the recording in seconds (all epochs together); for a failed file, as read
        (None, unknown, if it could not be read: empty in ``_files.csv``, as ``sfreq_in``).
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
    duration_s: float | None = 0.0
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
        cls,
        index: int,
        error: str,
        warnings_: list[str] | None = None,
        duration_s: float | None = None,
    ) -> LoadedFile:
        empty = np.zeros((0, 0, 0), np.float32)
        return cls(index, empty, np.zeros(0), {}, duration_s, error, list(warnings_ or []))


@dataclass(eq=False)
class FileResult:
    """A file after inference (the device stage): what the shard writer needs.

    ``embeddings`` is float32 of shape (n_windows, E), ``E`` being ``N*S*D`` (or ``D`` pooled);
    the other fields are those of :class:`LoadedFile`.
    """

    index: int
    embeddings: np.ndarray
    onsets: np.ndarray
    mapping: dict[str, Any]
    duration_s: float | None = 0.0
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


def described_error(err: BaseException) -> str:
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
    rename: Rename | None = None,
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
    marker_spans: Mapping[str, str] | None = None,
    events_from_stim: Mapping[str, Any] | None = None,
    warning_filters: Sequence[tuple[Any, ...]] | None = None,
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
    marker_spans : Mapping[str, str] | None
        ``{state: regex}``: the state markers of a continuous recording's annotations made
        spans before the windows get them (``--marker-spans``, see :func:`eegpt.embed`).
    events_from_stim : Mapping[str, Any] | None
        The events of a continuous recording's stim channel made annotations of it, as
        :meth:`eegpt.stim_events.StimEvents.record` records the setting
        (``--events-from-stim``); None: none.
    warning_filters : sequence of tuple | None
        The caller's warnings filters (:func:`eegpt._logging.warning_filters`, taken when the
        run started; a reader process has only those of ``-W`` and ``PYTHONWARNINGS``): a
        warning about the file that they turn into an error (``simplefilter("error",
        EEGPTWarning)``) fails it, with the warning as the reason. None: this process's.

    Returns
    -------
    LoadedFile
        With ``error`` set (and no windows) when reading or preprocessing failed, or gave a
        warning that the caller's filters make an error.
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
        spans: FlaggedSpans | None = None  # the flat and clipped stretches the checks named
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
            # one rename serves the whole corpus: the keys a file lacks are ignored
            rules = ChannelRules(on_unknown, on_missing="ignore")
            recording = open_stream_unless_epochs(
                path, rules, rename=rename, picks=picks, keep=keep, verbose=False, bads=bads
            )
            if recording is not None:
                if config.crop_tmin is not None:  # as eegpt embed refuses it: no events to crop
                    raise RecordingError(crop_refused_for_continuous(config.crop_tmin))
                mapping = recording.mapping
                if events_from_stim is not None:
                    add_stim_events(recording, StimEvents.from_record(events_from_stim),
                                    verbose=False)  # fmt: skip
                added = placed_extra(recording, annotations)
                bad = BadSpans.of(recording, annotations, reject=reject_by_annotation, added=added)
                stream = WindowStream(recording, config, line=None if part is None else part.line,
                                      bad_spans=bad)  # fmt: skip
                # the first read's scan judges the stretches; a later part has them from it
                spans = stream.flags if part is None else part.flags
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
                    recording.ch_names, rename=rename, keep=keep, left_out=recording.left_out,
                    **rules.keywords(),
                )  # fmt: skip
                windows = prepare(recording, mapping, config)
                data, onsets = windows.data, np.asarray(windows.onsets, np.float64)
                padding = epoch_padding_record(model_config or EEGPTConfig(), recording, windows)
                spans = windows.flags
            per_window = annotations_per_window(
                recording, onsets, config.window_seconds, extra=annotations, added=added,
                states=marker_spans, sfreq=recording.sfreq,
                reach_s=filter_reach(recording.sfreq, config.sfreq, config.resample),
            )  # fmt: skip
            # over all of the file's windows (its warnings count them all), then the part's
            found = annotate_windows(per_window, path, reject=reject_by_annotation, all_bad="empty")
        except Exception as raised_err:  # noqa: BLE001 - every reason is recorded, the run goes on
            texts = caught_warning_texts(caught)
            raised = first_error(caught, warning_filters)
            # a warning the caller's filters make an error would have been raised before this
            err = raised_err if raised is None else cast("Exception", raised.message)
            if isinstance(err, StartPastEndError) and start_seconds is not None:
                # the start came from the manifest's column, not from --start
                err = start_past_end(err.source, err.duration, err.start_seconds,
                                     "the manifest's start_seconds column", err.sfreq)  # fmt: skip
            reason = described_error(err)
            truncated = next((t for t in texts if "the file is truncated" in t), None)
            if truncated:  # the cause of what failed next (e.g. too short for a window)
                reason = f"{truncated} What is left cannot be used: {reason}"
            seconds = None if recording is None else _total_duration(recording)  # None: unknown
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
    raised = first_error(caught, warning_filters)
    if raised is not None:  # a warning the caller's filters make an error fails the file
        reason = described_error(cast("Exception", raised.message))
        failed = LoadedFile.failed(
            index, reason if given is None else f"{given}: {reason}", caught_warning_texts(caught),
            _total_duration(recording),
        )  # fmt: skip
        failed.read_s, failed.part = time.perf_counter() - start, given
        return failed
    # each window's flat and clipped channels, as eegpt embed records them (all the windows')
    flags = None if spans is None else spans.per_window(onsets, config.window_seconds)
    if part is not None:
        onsets = onsets[part.first : part.stop]
        if flags is not None:
            flags = {key: v[part.first : part.stop] for key, v in flags.items()}
        if found is not None:
            assert per_window is not None
            found = _part_annotations(per_window, found.keep, part)
    labels = getattr(recording, "labels", None)
    info = WindowInfo(
        annotations=None if found is None else found.per_window, labels=labels, padding=padding,
        flags=flags,
    )  # fmt: skip
    for key in ("first_time", "meas_date"):  # as embed's provenance records them
        value = getattr(recording, key, None)
        if value is not None:
            info.time_base[key] = value
    if info.time_base.get("meas_date") and getattr(recording, "date_clock", None):
        info.time_base["clock"] = recording.date_clock  # as embed's provenance records it
    if getattr(recording, "file_offset", None):  # as embed's provenance records it
        info.time_base["file_offset"] = float(recording.file_offset)
    if getattr(recording, "clock", None) is not None:
        info.time_base["record_clock"] = recording.clock.to_dict()
    info.time_base["sfreq_in"] = float(recording.sfreq)  # as embed's provenance records it
    info.provenance = recording_provenance(recording)  # as embed's metadata records it
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
        info.kept_flags(kept)
        if len(kept) and not kept[-1]:  # the zero-padded last window is not among those kept
            info.padding.pop("padded_tail", None)
    return LoadedFile(
        index=index,
        data=np.ascontiguousarray(data, dtype=np.float32),
        onsets=onsets,
        mapping={**mapping.to_dict(), "left_out": mapping.left_out_with(recording.left_out)},
        duration_s=_total_duration(recording),
        warnings=caught_warning_texts(caught),
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
    n, line, flags = stream.n_windows, stream.line, stream.flags
    return [FilePart(a, min(a + size, n), n, line, flags) for a in range(0, n, size)]


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


def caught_warning_texts(caught: list[warnings.WarningMessage]) -> list[str]:
    """The texts of the warnings ``caught`` while a file was read and embedded, as a file status
    keeps them: the first :data:`MAX_WARNINGS` distinct ones, each on one line
    (:func:`eegpt._logging.warning_texts`)."""
    return warning_texts((str(w.message) for w in caught), MAX_WARNINGS)


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
        on a CPU) with :class:`EncodeStopped`, not after a long file's last window.
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
            results[i] = file_result(f, np.zeros((0, 0), np.float32), f.error)
        else:
            todo.append(i)
    for run in _same_channel_runs(todo, files):
        try:
            _encode_run(engine, [files[i] for i in run], results, run, pool, stop, on_windows)
        except Exception as err:  # noqa: BLE001 - isolate the file that fails
            if len(run) == 1:
                results[run[0]] = file_result(
                    files[run[0]], None, f"inference failed: {described_error(err)}"
                )
                continue
            for i in run:
                try:
                    _encode_run(engine, [files[i]], results, [i], pool, stop)
                except Exception as err_i:  # noqa: BLE001
                    results[i] = file_result(
                        files[i], None, f"inference failed: {described_error(err_i)}"
                    )
    return results  # type: ignore[return-value]


def file_result(
    f: LoadedFile,
    embeddings: np.ndarray | None,
    error: str | None,
    batch_size: int | None = None,
) -> FileResult:
    """The :class:`FileResult` of a read file ``f`` (or one part of it) after inference.

    Parameters
    ----------
    f : LoadedFile
        The file as read; its onsets (seconds, shape (n_windows,)), channel mapping, duration
        (seconds), warnings, window info, read time (seconds) and part are carried over.
    embeddings : ndarray of float32, shape (n_windows, E) | None
        Its windows' embeddings, one row per onset of ``f`` (``E`` = ``N*S*D``, or ``D``
        pooled); ignored (may be None) when ``error`` is set.
    error : str | None
        Why the file (or part) failed, or None. A part's inference failure is prefixed with
        the part; a failed result holds no windows (embeddings of shape (0, 0), no onsets),
        and keeps the channels and rate read only for a file too short for one window.
    batch_size : int | None
        Windows per forward pass they were embedded in; None where none were.
    """
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
            raise EncodeStopped
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
            results[pos] = file_result(f, z_f, None, batch)
        else:
            results[pos] = file_result(f, None, f"inference failed: EmbeddingError: {problem}")
        start += f.n_windows


#: Windows encoded between two looks at an interruption (a few seconds of the large model).
_STOP_CHECK_WINDOWS = {"cpu": 256, "gpu": 8192}


class EncodeStopped(BaseException):
    """Encoding ended early because the run was interrupted (a BaseException, so that the
    per-file retry of :func:`encode_files` lets it through)."""
