"""Long recordings in bounded memory: files are read, checked and windowed block by block.

:func:`open_stream` opens a file without loading its samples (``preload=False``) and maps its
channels. :class:`WindowStream` then makes the same model windows as
:func:`eegpt.preprocessing.prepare` would from the whole file, in two passes over the file:

1. a scan, chunk by chunk, that accumulates the per-channel statistics of
   :func:`~eegpt.signal_checks.check_signal` (NaN/Inf, flat, clipped and mis-scaled channels)
   and each channel's mean, which polyphase resampling needs;
2. for each block of windows, a read of just the samples it needs plus enough context for the
   resampling filter, average referencing, resampling, scaling and cutting.

Polyphase resampling is a FIR filter, so a block read with the filter's length of context on
both sides, started on a sample where the polyphase phase is the same as in the whole signal,
gives bit for bit the samples the whole-signal resampling gives, except for the channel means
(accumulated in chunks here, summed pairwise by NumPy there), which differ in the last bits:
windows agree to about 1e-15 relative. Nearest-neighbour resampling picks the same samples.

Memory is set by the reads, not by the recording's length: the scan reads :data:`SCAN_BYTES`
of float64 samples at a time, and a block of windows is read in parts of at most
:data:`READ_BYTES` of float64 input samples (all used channels at the file's rate: a 64 MB part
is 66 s of 62 channels at 2048 Hz, or 29 min of 19 at 256 Hz), each held a few times over
while it is re-referenced and resampled; the block's windows (``block_windows`` x ``C x T``
float32 samples at the model's rate) are then encoded in batches. One exception: when a
used channel of an EDF/BDF file is stored at a lower rate than the others, MNE upsamples it over
whatever span is read (FFT resampling, each sample of which depends on the whole span), so
block reads would differ from a whole read at every block edge; such channels are read alone
at their own rate, upsampled over the whole file as MNE's whole read does (bit for bit), and
held from the first read on: 8 bytes per sample at the file's rate each (59 MB per channel for
8 h at 256 Hz), after a memory check, with a warning above :data:`LARGE_HOLD_BYTES`. The other
channels are read in blocks. (A Raw given already opened, or a BIDS dataset's file, has its
used channels read whole instead.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import mne
import numpy as np
from scipy.signal import resample_poly

from eegpt._file_identity import files_bytes, size_text
from eegpt._logging import Verbose, check_verbose, duration_text, few, ignored_warnings
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._rates import at_taken_rate
from eegpt._window_flags import FlaggedSpans
from eegpt.annotation_time import annotations_of
from eegpt.annotation_time import file_offset as raw_file_offset
from eegpt.annotations import BadSpans
from eegpt.brainvision_files import brainvision_clock, brainvision_truncated, warn_paused_raw
from eegpt.channel_picks import pick_indices
from eegpt.channels import DEFAULT_RULES, ChannelMapping, ChannelRules
from eegpt.edf_files import RecordClock, warn_discontinuous_raw
from eegpt.epochs_files import holds_epochs_instead, is_epochs_file, is_npz
from eegpt.errors import RecordingError
from eegpt.formats import PathLike
from eegpt.memory_checks import check_memory
from eegpt.mixed_rates import channel_rates, check_whole_reads
from eegpt.mne_inputs import (
    custom_reference,
    date_clock,
    file_ranges_of,
    file_units_of,
    left_out_channels,
    mark_bad,
    measurement_date,
    mne_source,
    recorded_filters,
)
from eegpt.preprocessing import (
    PreprocessingConfig,
    check_rate,
    check_reference_channels,
    map_info_channels,
    note_custom_reference,
    on_the_grid,
)
from eegpt.recording import check_unique
from eegpt.recording_files import mne_call, open_recording
from eegpt.resampling import (
    add_line,
    line_at,
    line_from_sums,
    nearest_source,
    polyphase_filter,
    polyphase_ratio,
    taken_rate,
)
from eegpt.signal_checks import check_finite, check_signal
from eegpt.signal_stats import SignalStats
from eegpt.ssp_projectors import stored_projections, unapplied_projectors, warn_unapplied_projectors
from eegpt.windowing import check_length, check_windows, cut_windows, window_starts

__all__ = [
    "LARGE_HOLD_BYTES",
    "READ_BYTES",
    "SCAN_BYTES",
    "StreamedRecording",
    "WindowStream",
    "block_size",
    "open_stream",
    "open_stream_unless_epochs",
]

#: Bytes of used channels held whole (stored at a lower rate than the file's, see the module
#: docstring) above which a warning says so: the memory grows with the recording's length.
LARGE_HOLD_BYTES = 256 * 2**20
#: Bytes of float64 samples read at a time by the scan (all used channels together).
SCAN_BYTES = 16 * 2**20
#: Most bytes of float64 input samples (all used channels, at the file's rate) that
#: :meth:`WindowStream.blocks` reads at a time, besides the resampling filter's context: a
#: block of windows is made in several reads when its span at the input rate holds more.
READ_BYTES = 64 * 2**20


@dataclass(eq=False)
class StreamedRecording:
    """A continuous recording on disk whose used channels are read on demand.

    Attributes
    ----------
    raw : mne.io.BaseRaw
        Opened with ``preload=False``.
    picks : list of int
        Indices in ``raw`` of the used channels, in ``mapping`` order (with no ``mapping``,
        every channel picked, in recording order).
    mapping : ChannelMapping | None
        The channels and their vocabulary rows; None for a recording opened ``unmapped``
        (:func:`open_stream`), whose channels are matched to a model's later.
    source : str
        The file, for messages and provenance.
    units : list of str | None
        File units of the used channels (EDF/BDF), else None.
    rates : list of float | None
        Their sampling rates as stored (EDF/BDF/GDF), else None (see
        :attr:`eegpt.io.Recording.rates`).
    clock : RecordClock | None
        See :attr:`eegpt.io.Recording.clock`.
    start_offset : float
        For an EDF+/BDF+ file, seconds from its header's start time to its first sample
        (part of :attr:`first_time`).
    left_out : dict of str to str | None
        See :attr:`eegpt.io.Recording.left_out`.
    truncated : dict | None
        See :attr:`eegpt.io.Recording.truncated`.
    ranges : list of (float, float) | None
        See :attr:`eegpt.io.Recording.ranges` (of the used channels).
    made_annotations : mne.Annotations | None
        Annotations made of the recording's stim channel (``--events-from-stim``,
        :func:`eegpt.stim_events.add_stim_events`), onsets in seconds from its first sample:
        part of :attr:`annotations`.
    cache : ndarray | None
        Used channels read whole (float64 volts, shape (len(cached) or C, n_times)), when
        they cannot be read in blocks (stored at a lower rate, see the module docstring);
        reads slice it.
    cached : list of int | None
        Which used channels (positions in ``picks``) ``cache`` holds, the others being read
        from the file; None: all of them.
    load_cache : callable | None
        Makes ``cache`` on the first read (then None).
    """

    raw: mne.io.BaseRaw
    picks: list[int]
    mapping: ChannelMapping | None
    source: str
    units: list[str] | None = None
    rates: list[float] | None = None
    cache: np.ndarray | None = field(default=None, repr=False)
    cached: list[int] | None = field(default=None, repr=False)
    load_cache: Callable[[], np.ndarray] | None = field(default=None, repr=False)
    clock: RecordClock | None = field(default=None, repr=False)
    start_offset: float = 0.0
    left_out: dict[str, str] | None = field(default=None, repr=False)
    truncated: dict[str, float] | None = field(default=None, repr=False)
    made_annotations: mne.Annotations | None = field(default=None, repr=False)
    ranges: list[tuple[float, float]] | None = field(default=None, repr=False)

    @property
    def sfreq(self) -> float:
        return float(self.raw.info["sfreq"])

    @property
    def bads(self) -> list[str]:
        """The channels of ``raw.info["bads"]`` left out (as :attr:`eegpt.io.Recording.bads`)."""
        used = {self.raw.ch_names[i] for i in self.picks}
        return [name for name in self.raw.info["bads"] if name not in used]

    @property
    def n_times(self) -> int:
        return int(self.raw.n_times)

    @property
    def custom_ref(self) -> bool:
        """See :attr:`eegpt.io.Recording.custom_ref`."""
        return custom_reference(self.raw.info)

    @property
    def filters(self) -> dict[str, float]:
        """See :attr:`eegpt.io.Recording.filters`."""
        return recorded_filters(self.raw.info)

    @property
    def projections(self) -> list[dict[str, Any]] | None:
        """See :attr:`eegpt.io.Recording.projections`."""
        return stored_projections(self.raw.info)

    @property
    def n_channels(self) -> int:
        return len(self.picks)

    @property
    def annotations(self) -> mne.Annotations | None:
        """The file's annotations, with :attr:`made_annotations`, onsets in seconds from its
        first sample (or None)."""
        own = annotations_of(self.raw)
        if self.made_annotations is None:
            return own
        from eegpt.stim_events import joined

        return joined(own, self.made_annotations)

    @cached_property
    def file_offset(self) -> float:
        """Seconds from the first sample of the raw's file to its first sample (nonzero for a
        Raw cropped after reading; see :attr:`eegpt.io.Recording.file_offset`); taken once
        (a FIF file's may need its header read)."""
        return at_taken_rate(raw_file_offset(self.raw), self.sfreq)

    @property
    def first_time(self) -> float:
        """Seconds from the acquisition start to the first sample (``raw.first_time``, and
        for an EDF+ file its first record's time after the header's start), at the rate the
        samples are taken at (:func:`eegpt._rates.at_taken_rate`)."""
        return at_taken_rate(float(self.raw.first_time), self.sfreq) + self.start_offset

    @property
    def meas_date(self) -> str | None:
        """The acquisition start as ISO 8601 text, or None."""
        return measurement_date(self.raw.info)

    @property
    def date_clock(self) -> str | None:
        """Which clock :attr:`meas_date` is on (:attr:`eegpt.io.Recording.date_clock`)."""
        return None if self.raw.info.get("meas_date") is None else date_clock(self.raw)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples ``start:stop`` of the used channels, float64 volts of shape (C, stop - start)."""
        if self.load_cache is not None:
            self.cache, self.load_cache = self.load_cache(), None
        if self.cache is not None and self.cached is None:
            return self.cache[:, start:stop].copy()
        if self.cache is None or self.cached is None:
            return self._read_file(self.picks, start, stop)
        held = set(self.cached)
        rest = [k for k in range(len(self.picks)) if k not in held]
        data = np.empty((len(self.picks), stop - start))
        data[self.cached] = self.cache[:, start:stop]
        if rest:
            data[rest] = self._read_file([self.picks[k] for k in rest], start, stop)
        return data

    def _read_file(self, picks: list[int], start: int, stop: int) -> np.ndarray:
        """Samples ``start:stop`` of channels ``picks`` of ``raw``, float64 volts."""
        path = Path(self.source)
        data = mne_call(
            path,
            lambda: self.raw.get_data(picks=picks, start=start, stop=stop),
            sets_level=False,  # no verbose=: MNE's level stays as it is
        )
        if data.shape != (len(picks), stop - start):
            raise RecordingError(
                f"could not read EEG file {path}: asked for samples {start}:{stop} of "
                f"{len(picks)} channels, got shape {data.shape}; the file is corrupt"
            )
        return data


def open_stream(
    path: PathLike | mne.io.BaseRaw,
    *,
    rename: Mapping[str, str | None] | PathLike | None = None,
    on_unknown: str = "drop",
    on_missing: str = "raise",
    picks: str | Sequence[str] | Sequence[int] | None = "eeg",
    keep: str | Sequence[str] | None = None,
    verbose: Verbose = None,
    bads: Sequence[str] = (),
    unmapped: bool = False,
) -> StreamedRecording:
    """Open a recording file for streaming and map its channels.

    Parameters
    ----------
    path : str | path-like | mne.io.Raw
        Any file :func:`eegpt.io.read_recording` reads, or a Raw opened with ``preload=False``
        (named in messages by its file).
    rename, on_unknown, on_missing, keep
        Passed to :func:`~eegpt.channels.map_channels`.
    picks : str | list | None
        Channels considered, as in :func:`eegpt.io.as_recording`.
    verbose : bool | str | int | None
        Passed to MNE and the channel mapping.
    bads : sequence of str
        Channels to mark bad besides those the file marks, as in
        :func:`eegpt.io.as_recording`: labels, or the electrodes channels map to after
        ``rename`` (:func:`eegpt.io.mark_bad`).
    unmapped : bool
        Read every channel ``picks`` selects, in recording order, mapped or not, and map none
        (``mapping`` None; ``on_unknown`` and ``on_missing`` unused, ``rename`` and ``keep``
        only deciding which channels marked bad are warned of as left out): the
        channels :func:`eegpt.io.as_recording` reads, for a probe's training windows, matched
        to its channels (or by name, to a channel projection) after they are cut.

    Returns
    -------
    StreamedRecording

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    RecordingError
        If the file cannot be read, or its channels are unusable (duplicates, none mapped).
    """
    return open_mapped_stream(
        path, ChannelRules.of_one(on_unknown, on_missing), rename=rename, picks=picks,
        keep=keep, verbose=verbose, bads=bads, unmapped=unmapped,
    )  # fmt: skip


def open_mapped_stream(
    path: PathLike | mne.io.BaseRaw,
    rules: ChannelRules,
    *,
    rename: Mapping[str, str | None] | PathLike | None = None,
    picks: str | Sequence[str] | Sequence[int] | None = "eeg",
    keep: str | Sequence[str] | None = None,
    verbose: Verbose = None,
    bads: Sequence[str] = (),
    unmapped: bool = False,
) -> StreamedRecording:
    """:func:`open_stream` under channel rules made and checked once by its caller
    (:class:`~eegpt.channels.ChannelRules`: :func:`eegpt.embed`'s, a corpus file's, or
    :func:`open_stream`'s own ``on_unknown`` and ``on_missing``), passed down as they are."""
    check_verbose(verbose)  # a wrong type: a TypeError, before the file is opened
    opened = not isinstance(path, mne.io.BaseRaw)  # read here from a file
    raw: mne.io.BaseRaw
    if not opened:
        if bads:
            raise RecordingError("bads= applies to a file path only; mark them in info['bads']")
        raw, header = path, None
        source = mne_source(raw)
        warn_discontinuous_raw(raw, source)
        warn_paused_raw(raw, source)
    else:
        path = Path(path).expanduser()
        if is_epochs_file(path):
            raise RecordingError(
                f"{path}: an epochs file is read whole (eegpt.io.as_recording), not streamed"
            )
        raw, header = open_recording(path, preload=False, verbose=verbose)
        source = str(path)
        mark_bad(raw, bads, source, rename)
    path = Path(source)
    if raw.n_times < 1:
        raise RecordingError(f"{source}: the recording has no samples")
    mapping: ChannelMapping | None = None
    if unmapped:
        used = idx = pick_indices(
            raw.info, picks, source, keep=keep, rename=rename, verbose=verbose
        )
        check_unique([raw.ch_names[i] for i in idx], source)
    else:
        idx, mapping = map_info_channels(
            raw.info, source, picks=picks, rename=rename, rules=rules, keep=keep,
            verbose=verbose,
        )  # fmt: skip
        used = [idx[i] for i in mapping.picks]
    left_out = left_out_channels(raw.info, [raw.ch_names[i] for i in idx])
    if header is not None and mapping is not None:
        raw, used, mapping = _without_faster_unused(raw, used, mapping, idx, path, verbose)
    check_whole_reads(raw, used, source)
    file_units = file_units_of(raw, header)
    units = None
    if file_units is not None and all(raw.ch_names[i] in file_units for i in used):
        units = [file_units[raw.ch_names[i]] for i in used]
    rates = channel_rates(raw)
    used_rates = None if rates is None else [float(rates[i]) for i in used]
    recording = StreamedRecording(raw, used, mapping, source, units, used_rates, left_out=left_out)
    if header is not None:
        recording.clock, recording.start_offset = header.clock, header.start_offset
        recording.truncated = header.truncated
        recording.ranges = file_ranges_of([raw.ch_names[i] for i in used], header)
    elif opened:  # a BrainVision data file cut short, or paused (said while reading)
        recording.truncated = brainvision_truncated(path, raw)
        recording.clock = brainvision_clock(path, raw)
    if used_rates is not None and min(used_rates) < recording.sfreq:
        # MNE upsamples slower channels over the span it reads (FFT resampling, which each
        # sample of depends on the whole span), so reading them in blocks would change them
        # at every block edge: they are upsampled over the whole file, as a whole read does,
        # and held; the channels stored at the file's rate are still read in blocks.
        slow = [k for k, rate in enumerate(used_rates) if rate < recording.sfreq]
        named = [f"{raw.ch_names[used[k]]} ({used_rates[k]:g} Hz)" for k in slow]
        held = len(slow) * recording.n_times * 8
        _log(
            f"{source}: used channel(s) stored at lower sampling rates: {few(named, 6)}; MNE "
            f"upsamples them to {recording.sfreq:g} Hz (they hold nothing above half their own "
            f"rate) over the whole recording, so they are held in memory "
            f"({size_text(held, 'MB')})",
            verbose,
        )
        if header is not None:  # a file eegpt opened (not a Raw given), read per rate
            check_memory(raw, path, needed=held + 4 * recording.n_times * 8, what=(
                f"holding {len(slow)} channel(s) stored at lower rates, upsampled to "
                f"{recording.sfreq:g} Hz over the whole recording"
            ))  # fmt: skip
            labels = [*raw.ch_names, *header.labels]  # the file's, some perhaps left out

            def load() -> np.ndarray:  # on the first read: `eegpt channels` reads none
                rows = _upsampled_whole(raw, [used[k] for k in slow], path, labels, verbose)
                if rows is not None:
                    return rows
                check_memory(raw, path, len(used))  # read otherwise: all used channels whole
                recording.cached = None
                return recording._read_file(used, 0, recording.n_times)

            recording.cached, recording.load_cache = slow, load
        else:  # a Raw given: its used channels read whole, all together
            held = len(used) * recording.n_times * 8
            check_memory(raw, path, len(used))
            recording.cache = recording.read(0, recording.n_times)
        if held > LARGE_HOLD_BYTES:
            _warn(
                f"{source}: {few(named, 6)} are stored at a lower sampling rate than the "
                f"file's {recording.sfreq:g} Hz; MNE upsamples such channels over the whole "
                f"recording, so eegpt holds them in memory whole: {size_text(held, 'MB')}, "
                "growing with the recording's length. Leave them out (--drop) to stream the "
                "file in bounded memory"
            )
    return recording


def _upsampled_whole(
    raw: mne.io.BaseRaw,
    slow: list[int],
    path: Path,
    labels: Sequence[str],
    verbose: bool | str | int | None,
) -> np.ndarray | None:
    """The channels ``slow`` of an EDF/BDF ``raw`` (stored at lower rates than
    ``raw.info["sfreq"]``) as MNE's whole read gives them, bit for bit: each read at its own
    rate (the file opened again with only the channels of that rate) and upsampled over the
    whole recording as MNE does (:func:`mne.filter.resample`, ``npad=0``), one channel at a
    time, without MNE's read of every channel of the file whole at the top rate. ``labels``
    names the file's signals (all others are left out of each reading).

    Returns
    -------
    ndarray of float64, shape (len(slow), raw.n_times) | None
        Volts, in the order of ``slow``; None where the file cannot be read so (a BIDS
        dataset's, or one MNE reads otherwise than asked): read whole instead.
    """
    from mne.filter import resample as mne_resample

    from eegpt.bids import bids_root

    rates = channel_rates(raw)
    if rates is None or bids_root(path) is not None:
        return None
    out = np.empty((len(slow), raw.n_times))
    for rate in sorted({float(rates[i]) for i in slow}):
        rows = [k for k, i in enumerate(slow) if float(rates[i]) == rate]
        names = [raw.ch_names[slow[k]] for k in rows]
        try:
            with ignored_warnings():  # given when the file was first opened
                alone, _ = open_recording(
                    path, preload=False, verbose=verbose,
                    exclude=[n for n in dict.fromkeys(labels) if n not in set(names)
                             and not n.endswith(" Annotations")],
                )  # fmt: skip
        except ValueError:  # a RecordingError, or MNE's own on this reading
            return None
        n = int(alone.n_times)
        if (
            alone.ch_names != names
            or float(alone.info["sfreq"]) != rate
            or n * float(raw.info["sfreq"]) != raw.n_times * rate
        ):
            return None  # MNE read other channels, or another span: read whole instead
        data = mne_call(path, alone.get_data, sets_level=False)
        for row, k in enumerate(rows):  # as MNE's EDF reader upsamples a whole read
            out[k] = mne_resample(data[row], raw.n_times, n, npad=0, axis=-1, verbose=False)
        del data
    return out


def _without_faster_unused(
    raw: mne.io.BaseRaw,
    used: list[int],
    mapping: ChannelMapping,
    picked: list[int],
    path: Path,
    verbose: Verbose,
) -> tuple[mne.io.BaseRaw, list[int], ChannelMapping]:
    """An EDF/BDF file read again without the unused channels stored at a higher rate than
    every used one (a photic or EMG channel at 512 Hz beside EEG at 256 Hz). MNE reads a file
    at its fastest channel's rate, upsampling the others; the EEG would then be resampled
    back down, changing its samples slightly, where read at its own rate it is used as stored.
    Returns ``raw``, ``used`` (indices into it) and ``mapping`` (``picks`` into the channels
    ``picked`` of it), unchanged when nothing is to be left out, for files of a BIDS dataset
    (MNE-BIDS matches the channels to its sidecar) or if MNE reads other channels than asked."""
    from eegpt.bids import bids_root

    rates = channel_rates(raw)
    if rates is None or not used:
        return raw, used, mapping
    top = max(float(rates[i]) for i in used)
    keep = set(used)
    faster = [n for i, n in enumerate(raw.ch_names) if rates[i] > top and i not in keep]
    # MNE reads every channel at the fastest one's rate, but takes info["sfreq"] from the
    # channels not typed stim: a trigger channel faster than the EEG leaves info["sfreq"] at
    # the EEG's rate while the samples come at the trigger's (the EEG stretched), so the
    # channels' own rates are compared, not info["sfreq"].
    if not faster or top >= float(max(rates)) or bids_root(path) is not None:
        return raw, used, mapping
    try:
        with ignored_warnings():  # given when the file was first opened
            again, _ = open_recording(path, preload=False, verbose=verbose, exclude=faster)
    except ValueError:  # a RecordingError, or MNE's own on this reading: keep the first
        return raw, used, mapping
    left = [n for n in raw.ch_names if n not in set(faster)]
    if again.ch_names != left or float(again.info["sfreq"]) != top:
        return raw, used, mapping  # MNE matched the names otherwise: keep the first reading
    _log(
        f"{path}: read without {few(faster)} (unused, stored at a higher rate than the EEG), "
        f"so the EEG is read at its own {top:g} Hz",
        verbose,
    )
    position = {n: i for i, n in enumerate(again.ch_names)}
    picked_names = [raw.ch_names[i] for i in picked if raw.ch_names[i] in position]
    order = {n: k for k, n in enumerate(picked_names)}
    mapping = replace(mapping, picks=tuple(order[n] for n in mapping.input_names))
    return again, [position[raw.ch_names[i]] for i in used], mapping


def faster_unused_channels(
    path: PathLike,
    *,
    picks: str | Sequence[str] | Sequence[int] | None = "eeg",
    rename: Mapping[str, str | None] | None = None,
    rules: ChannelRules = DEFAULT_RULES,
    keep: str | Sequence[str] | None = None,
) -> list[str]:
    """The channels :func:`open_stream` reads an EDF/BDF file without (unused ones stored
    faster than every used one), for reading it whole alike (``eegpt.io.as_recording(...,
    exclude=)``); empty for other files, and when the file or its channels have a problem
    (reading it whole then says what). ``picks``, ``rename`` and ``keep`` as for
    :func:`open_stream`; ``rules``: one :class:`~eegpt.channels.ChannelRules` made and
    checked by the caller (``ChannelRules.of_one(on_unknown, on_missing)``): it takes no
    ``on_unknown`` or ``on_missing`` keyword of its own (since 2026-12-07)."""
    path = Path(path).expanduser()
    if path.suffix.lower() not in (".edf", ".bdf"):
        return []
    try:
        with ignored_warnings():  # said again when the file is read
            raw, _ = open_recording(path, preload=False, verbose="error")
            idx, mapping = map_info_channels(
                raw.info, str(path), picks=picks, rename=rename, rules=rules, keep=keep,
                verbose=False,
            )  # fmt: skip
            used = [idx[i] for i in mapping.picks]
            again, _, _ = _without_faster_unused(raw, used, mapping, idx, path, verbose=False)
    except (RecordingError, ValueError, OSError):
        return []
    kept = set(again.ch_names)
    return [name for name in raw.ch_names if name not in kept]


def open_stream_unless_epochs(
    path: PathLike, rules: ChannelRules = DEFAULT_RULES, **kwargs: Any
) -> StreamedRecording | None:
    """:func:`open_mapped_stream` (``rules``: one :class:`~eegpt.channels.ChannelRules` made
    and checked by the caller, ``ChannelRules.of_one(on_unknown, on_missing)``: no
    ``on_unknown`` or ``on_missing`` keyword of its own since 2026-12-07; ``kwargs``: its
    other keywords) for a file of continuous data; None for a file of epochs, which is read
    whole (:func:`eegpt.io.read_epochs_file`): one named ``*-epo.fif``, or one whose raw reading
    finds epochs (a ``.fif`` of epochs under another name, an epoched EEGLAB ``.set``), and
    for an ``.npz`` (epochs arrays, :func:`eegpt.io.read_npz_epochs`)."""
    if is_epochs_file(path) or is_npz(path):
        return None
    try:
        return open_mapped_stream(path, rules, **kwargs)
    except RecordingError as err:
        if holds_epochs_instead(err):
            return None
        raise


class WindowStream:
    """The model windows of a :class:`StreamedRecording`, made block by block.

    Creating it scans the file once (statistics and checks); :meth:`blocks` then yields the
    windows that :func:`eegpt.preprocessing.prepare` would make from the whole file.

    Parameters
    ----------
    recording : StreamedRecording
    config : PreprocessingConfig | None
        Defaults to ``PreprocessingConfig()``.
    verbose : bool | str | int | None
        Log a summary to the ``"eegpt"`` logger.
    line : tuple of ndarray | None
        :attr:`line` of a stream over the same recording and configuration, made before: the
        scan (a read of the whole file) and its checks are skipped. A file read in parts by
        several processes scans once.
    bad_spans : BadSpans | None
        As for :func:`eegpt.preprocessing.prepare`: NaN/Inf samples that all lie inside these
        spans, whose windows the caller leaves out (``reject``), are filled as
        :func:`~eegpt.resampling.fill_nonfinite` fills them in a whole recording (each
        channel's line over its finite samples, found by the scan), block by block.
    checks : bool
        Run the signal checks of :func:`~eegpt.signal_checks.check_signal` on the scan and
        warn of unapplied projectors (as ``prepare``'s ``checks``). False where the windows are
        checked later as a whole (a probe's training windows, prepared as epochs); the scan
        still finds each channel's line and runs :func:`~eegpt.signal_checks.check_finite`
        (NaN/Inf samples refused, those ``bad_spans`` lets through filled and warned of, with
        the words of the whole recording's times rather than of the windows').

    Attributes
    ----------
    n_windows : int
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds.
    n_valid_samples : ndarray of int64, shape (n_windows,)
        Real (not zero-padded) samples per window.
    line : tuple of ndarray
        Each channel's least-squares line over its finite samples (level and slope, in the
        recording's units, before average referencing), which resampling takes out and puts
        back (re-referenced as the channels are) and which fills NaN/Inf samples in bad spans.

    Raises
    ------
    RecordingError
        NaN/Inf samples (but those ``bad_spans`` lets through), a sampling rate below 1 Hz, a
        recording shorter than one window with ``tail="drop"``, average referencing of a
        single channel.

    Warns
    -----
    RuntimeWarning
        As :func:`eegpt.preprocessing.prepare`: flat, clipped, mis-scaled channels, ...
    """

    def __init__(
        self,
        recording: StreamedRecording,
        config: PreprocessingConfig | None = None,
        *,
        verbose: Verbose = None,
        line: tuple[np.ndarray, np.ndarray] | None = None,
        bad_spans: BadSpans | None = None,
        checks: bool = True,
    ) -> None:
        self.recording = recording
        # its windows start on a sample at config.sfreq (a start given between two: moved)
        given = PreprocessingConfig() if config is None else config  # quoted: check_length
        self.config = on_the_grid(given)
        self._bad_spans = bad_spans
        self._fill = bad_spans is not None and bad_spans.reject
        self._checks = checks
        #: the flat and clipped stretches the checks of the scan named (None: not scanned
        #: or checked here), as :attr:`eegpt.windowing.Windows.flags`
        self.flags: FlaggedSpans | None = None
        config, source = self.config, recording.source
        check_rate(recording.sfreq, source, config.sfreq)
        if checks:
            warn_unapplied_projectors(
                unapplied_projectors(recording.raw.info),
                [recording.raw.ch_names[i] for i in recording.picks],
                source,
                average_reference=config.average_reference,
            )
        n_in, sfreq = recording.n_times, taken_rate(recording.sfreq, source, note=True)
        self._sfreq = sfreq  # 256 Hz for a BrainVision header's 3906 µs (256.016 Hz)
        self._up = self._down = 1
        if sfreq == config.sfreq:
            self.n_out = n_in
        elif config.resample == "nearest":
            self.n_out = int(round(n_in * config.sfreq / sfreq))
        else:
            try:
                self._up, self._down = polyphase_ratio(sfreq, config.sfreq, source)
            except ValueError as err:
                raise RecordingError(f"{source}: {err}") from err
            self.n_out = -(-n_in * self._up // self._down)
        # before the signal checks: a recording of a few samples is too short, not flat
        check_length(self.n_out, n_in / sfreq, source, given)
        # the signal checks, and the line polyphase resampling takes out (as resample())
        if line is None:
            # a read of the whole file before the first window (a minute for a day on a
            # slow disk): said, so that a progress bar still at 0 is not taken for a hang
            _log(
                f"scanning {source}{_files_size_text(recording.raw)}: {duration_text(n_in / sfreq)} "
                f"of {recording.n_channels} channel(s) read once for the signal checks before "
                "embedding",
                verbose,
            )
            line = self._scan()
        elif any(np.shape(a) != (recording.n_channels,) for a in line):
            raise ValueError(
                f"line must be two arrays of {recording.n_channels} values (this recording's "
                f"channels), got shapes {[np.shape(a) for a in line]}"
            )
        check_reference_channels(config, recording.n_channels, source)  # after, as prepare()
        note_custom_reference(recording, config, source, verbose)
        level, slope = (np.asarray(a, dtype=np.float64) for a in line)
        self._line = (level, slope)
        self._level, self._slope = self._line
        if config.average_reference:  # the line of a re-referenced channel
            self._level, self._slope = (a - a.mean() for a in self._line)
        self._starts = window_starts(
            self.n_out, config.n_samples, config.step_samples, config.tail, config.start_samples
        )
        self.onsets = self._starts / config.sfreq
        self.n_valid_samples = np.minimum(self.n_out - self._starts, config.n_samples)
        _log(
            f"streaming {source}: {self.n_windows} window(s) of {recording.n_channels} "
            f"channel(s) x {config.n_samples} samples at {config.sfreq:g} Hz (from {sfreq:g} Hz, "
            f"resample={config.resample!r}, average_reference={config.average_reference}, "
            f"scale={config.scale:g}, detrend={config.detrend!r})",
            verbose,
        )

    @property
    def n_windows(self) -> int:
        return len(self._starts)

    @property
    def mapping(self) -> ChannelMapping:
        if self.recording.mapping is None:
            raise ValueError(
                f"{self.recording.source}: opened unmapped; its channels have no mapping"
            )
        return self.recording.mapping

    @property
    def line(self) -> tuple[np.ndarray, np.ndarray]:
        return self._line[0].copy(), self._line[1].copy()

    def _scan(self) -> tuple[np.ndarray, np.ndarray]:
        """Check the whole signal chunk by chunk; each channel's least-squares line
        (:func:`~eegpt.resampling.fit_line`) over its finite samples."""
        rec = self.recording
        n = rec.n_times
        # unchecked: NaN/Inf samples only are counted (none filled but in bad spans)
        stats = SignalStats(rec.n_channels, n, segment=round(rec.sfreq) if self._checks else 0,
                            bad_spans=self._bad_spans, sfreq=rec.sfreq)  # fmt: skip
        chunk = max(1, SCAN_BYTES // (8 * rec.n_channels))
        total, moment = np.zeros(rec.n_channels), np.zeros(rec.n_channels)
        missing = np.zeros((3, rec.n_channels))  # NaN/Inf samples: count, sums of t and t**2
        for start in range(0, n, chunk):
            x = rec.read(start, min(n, start + chunk))
            bad = ~np.isfinite(x)  # one pass, for the statistics and the line
            if self._checks:
                stats.update(x, bad)
            else:
                stats.update_nonfinite(bad)
            t = np.arange(start, start + x.shape[-1]) - (n - 1) / 2
            if bad.any():
                x = np.where(bad, 0.0, x)
                missing += [bad.sum(axis=-1), bad @ t, bad @ (t * t)]
            total += x.sum(axis=-1)
            moment += x @ t
        spread = n * (n * n - 1) / 12  # sum of the squared centred sample times
        if missing[0].any():  # the line over the finite samples, as fill_nonfinite's
            count, t_sum, t2_sum = n - missing[0], -missing[1], spread - missing[2]
            level, slope = line_from_sums(count, t_sum, t2_sum, total, moment)
        else:
            level = total / n
            slope = moment / spread if n > 1 else np.zeros(rec.n_channels)
        names = [rec.raw.ch_names[i] for i in rec.picks]
        if not self._checks:  # the windows are checked later, but never hold NaN/Inf
            check_finite(
                stats, names, rec.source, sfreq=rec.sfreq, clock=rec.clock,
                resample=self.config.resample, new_sfreq=self.config.sfreq,
            )  # fmt: skip
            return level, slope
        self.flags = check_signal(
            stats,
            names,
            rec.source,
            rec.units,
            gain=self.config.gain,
            ranges=rec.ranges,
            offsets=self.config.detrend == "none",
            sfreq=rec.sfreq,
            rates=rec.rates,
            average_reference=self.config.average_reference,
            left_out=() if rec.mapping is None else rec.mapping.dropped,
            clock=rec.clock,
            resample=self.config.resample,
            new_sfreq=self.config.sfreq,
        )
        return level, slope

    def blocks(
        self,
        block_windows: int = 64,
        first: int = 0,
        stop: int | None = None,
        dtype: type[np.floating[Any]] = np.float32,
    ) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(first window index, windows)`` with windows ``dtype`` (float32, the
        model's input; float64 for windows preprocessed further, such as a probe's training
        windows in volts) of shape (b, C, T).

        Parameters
        ----------
        block_windows : int
            Windows per block (the last block may be shorter). A block spanning more than
            :data:`READ_BYTES` of input samples is read in parts, so the memory a block needs
            beyond its float32 windows does not grow with it; the windows do not depend on it.
        first, stop : int
            Make windows ``first:stop`` only (default: all), the same numbers as when all are
            made.
        dtype : float32 | float64
            The windows' type (:func:`~eegpt.windowing.cut_windows`).
        """
        if block_windows < 1:
            raise ValueError(f"block_windows must be >= 1, got {block_windows}")
        stop = self.n_windows if stop is None else stop
        if not 0 <= first <= stop <= self.n_windows:
            raise ValueError(
                f"windows {first}:{stop} are not within the {self.n_windows} of this recording"
            )
        window = self.config.n_samples
        # model-rate samples one read may span: READ_BYTES of float64 input samples of all used
        # channels at the input rate (a block of 64 windows of 62 channels at 2048 Hz would
        # otherwise read 260 MB at once, and a block of 256 windows 1 GB)
        per_sample = 8 * self.recording.n_channels * self._sfreq / self.config.sfreq
        span = max(window, int(READ_BYTES / per_sample))
        for w0 in range(first, stop, block_windows):
            starts = self._starts[w0 : min(w0 + block_windows, stop)]
            out = np.empty((len(starts), self.recording.n_channels, window), dtype)
            i = 0
            while i < len(starts):  # reads of at most `span` samples, each of whole windows
                j = i + max(1, int(np.searchsorted(starts[i:], starts[i] + span - window, "right")))
                lo, hi = int(starts[i]), min(int(starts[j - 1]) + window, self.n_out)
                y = self._output(lo, hi)  # hi is n_out for the windows with the padded tail
                out[i:j], _ = cut_windows(
                    y, starts[i:j] - lo, window, self.config.detrend, dtype=dtype
                )
                del y
                i = j
            check_windows(out, self.recording.source, self.config)
            yield w0, out

    def _output(self, j0: int, j1: int) -> np.ndarray:
        """Model-rate samples ``j0:j1`` in model units, float64 of shape (C, j1 - j0)."""
        rec, config = self.recording, self.config
        if self._sfreq == config.sfreq or (config.resample != "nearest" and self._up == self._down):
            x = self._read(j0, j1)  # (a polyphase ratio of 1/1: rates taken as equal)
        elif config.resample == "nearest":
            idx = nearest_source(np.arange(j0, j1, dtype=np.int64), rec.n_times, self.n_out)
            lo = int(idx[0])
            x = self._read(lo, int(idx[-1]) + 1)[:, idx - lo]
        else:
            x = self._polyphase(j0, j1)
        x *= config.scale
        return x

    def _read(self, start: int, stop: int) -> np.ndarray:
        x = self.recording.read(start, stop)
        if self._fill:  # NaN/Inf samples in bad spans (the scan refused any others)
            bad = ~np.isfinite(x)
            if bad.any():
                times = np.arange(start, stop)
                x[bad] = line_at(*self._line, self.recording.n_times, times)[bad]
        if self.config.average_reference:
            x -= x.mean(axis=-2, keepdims=True)
        return x

    def _polyphase(self, j0: int, j1: int) -> np.ndarray:
        up, down, n_in = self._up, self._down, self.recording.n_times
        # scipy's filter has 2 * 10 * max(up, down) + 1 taps (plus < down zeros of padding) at the
        # up-sampled rate; this many input samples on each side cover it.
        context = (20 * max(up, down) + 2 * down + 2) // up + 4
        start = max(0, (j0 * down // up - context) // down * down)  # same polyphase phase
        stop = min(n_in, -(-j1 * down // up) + context)
        x = self._read(start, stop)  # as resample() does for the whole recording
        add_line(x, self._level, self._slope, n_in, np.arange(start, stop), subtract=True)
        y = resample_poly(x, up, down, axis=-1, window=polyphase_filter(up, down), padtype="edge")
        offset = start * up // down
        out = y[:, j0 - offset : j1 - offset]
        add_line(out, self._level, self._slope, n_in, np.arange(j0, j1) * (down / up))
        return out


def _files_size_text(raw: mne.io.BaseRaw) -> str:
    """``" (1,234 MB)"``, ``" (0.13 MB)"``: the size on disk of the files ``raw`` reads its
    samples from (an EDF file, a BrainVision ``.eeg`` file, the parts of a split FIF file:
    :func:`~eegpt._file_identity.files_bytes`); ``""`` where unknown."""
    n_bytes = files_bytes(getattr(raw, "filenames", ()) or ())
    return "" if n_bytes is None else f" ({size_text(n_bytes, 'MB')})"


def block_size(batch_size: int, target: int = 64) -> int:
    """Windows per block: a multiple of ``batch_size`` near ``target``.

    Whole batches per block keep the batches, and so the embeddings, the same as when all
    windows are encoded at once.
    """
    return batch_size * max(1, math.ceil(target / batch_size))
