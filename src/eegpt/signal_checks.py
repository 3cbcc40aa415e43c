"""The signal checks of a recording in volts, before its windows are made.

:func:`check_signal` judges the :class:`~eegpt.signal_stats.SignalStats` of the channels used:
it refuses NaN/Inf samples (:func:`check_finite`) and channels all flat, and warns of flat,
partly flat, clipped and mis-scaled channels (a typical deviation outside scalp EEG's 1e-5 to
1e-4 V, epochs in another unit), DC offsets, mains hum (:func:`line_noise`), units that are
no voltage and channels stored below 100 Hz, each warning saying what was found, why it matters and what to do. The
thresholds (``FLAT_STD``, ``TOO_LARGE``, ``TOO_SMALL``, ...) are in volts.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from eegpt._logging import clock_text, duration_text, few
from eegpt._logging import count as _count
from eegpt._logging import warn as _warn
from eegpt._rates import taken_rate
from eegpt._window_flags import FlaggedSpans
from eegpt.array_inputs import UNITS
from eegpt.edf_files import RecordClock, converted_scale, edf_unit_scale, unit_text
from eegpt.errors import RecordingError
from eegpt.nonfinite_advice import nonfinite_error
from eegpt.preprocessing_spec import FIELD_DEFAULTS, PRETRAINING_SCALE
from eegpt.rename_tables import (
    DROP_ADVICE_NAMES,
    egi_advice,
    egi_labels,
    file_argument,
    how_to_drop,
)
from eegpt.signal_stats import (
    FLAT_JITTER,
    FLAT_JITTER_SAMPLES,
    MAINS,
    NonfiniteGaps,
    SignalStats,
)
from eegpt.vocabulary import shortened_list

FLAT_STD = 1e-13  # V; a channel with a smaller standard deviation counts as flat
TOO_LARGE = 2e-3  # V; a larger robust amplitude looks like micro- or millivolts read as volts
TOO_SMALL = 1e-7  # V; robust amplitude below this (200x under scalp EEG's) is mis-scaled
#: V; up to this typical deviation, an amplitude too large under a unit the file's header
#: states (µV, mV) is taken for artefacts (MR gradient artefacts reach ~10 mV), above it for
#: a wrong unit all the same (no amplifier's artefact is volts: samples in µV read as volts)
ARTEFACT_LARGEST = 0.05
#: Epochs whose typical deviation is 1e3 or 1e6 times the median epoch's (or as many times
#: less), within this many powers of ten (10**0.3: a factor of 2 either way), look like
#: another unit; an artefact 400x larger (10**2.6) is not taken for one
EPOCH_UNIT_TOLERANCE = 0.3
CLIP_FRACTION = 0.01  # a channel with more of its samples at its minimum or maximum is clipped
CLIP_SAMPLES = 5  # ... and at least this many (a chunk of 10 samples has 10% at each extreme)


OFFSET_MIN = 1e-4  # V; an offset or drift beyond it, and beyond OFFSET_RATIO deviations, warns
OFFSET_RATIO = 10.0  # robust standard deviations (1.4826 x the median absolute deviation)


def _span_text(
    stats: SignalStats,
    sfreq: float | None,
    epoch_samples: int | None,
    names: Sequence[str],
    *,
    outside: bool = False,
) -> str:
    """Where the NaN/Inf samples of ``stats`` are (``outside``: those outside the bad spans
    only), in words ("" when unknown): the epochs holding them, or each gap of a continuous
    signal in seconds (:func:`_gaps_text`)."""
    span = stats.nonfinite_outside if outside else stats.nonfinite_span
    if span is None:
        return ""
    first, last = span
    if epoch_samples and stats.nonfinite_epochs is None:  # fed chunk by chunk: the span
        a, b = first // epoch_samples, last // epoch_samples
        return f"in epoch {a} (counting from 0)" if a == b else f"in epochs {a} to {b} (from 0)"
    if epoch_samples:
        hit = stats.nonfinite_epochs.tolist()  # type: ignore[union-attr]
        if len(hit) == 1:
            return f"in epoch {hit[0]} (counting from 0)"
        listed = ", ".join(map(str, hit[:20]))
        listed += f" and {len(hit) - 20} more" if len(hit) > 20 else ""
        return f"in {len(hit)} epochs: {listed} (counting from 0)"
    if not sfreq:
        return ""
    return _gaps_text(stats.outside_gaps if outside else stats.nonfinite_gaps, sfreq, names)


#: Gaps of NaN/Inf samples named one by one in a message; the others are counted
GAPS_SHOWN = 5


def _gap_seconds(gap: tuple[int, int, np.ndarray], sfreq: float) -> tuple[float, float]:
    """``(start, end)`` in seconds from the first sample of the samples ``gap[0]`` to
    ``gap[1]``: the end exclusive (the sample after the last), outward to the ms, so that a
    span of these bounds (an annotation of onset ``start`` and duration ``end - start``)
    holds every such sample. At the rate annotations are read at (:func:`taken_rate`: 256
    Hz for a BrainVision header's 3906 µs, MNE's 256.016 Hz), as :meth:`eegpt.annotations.
    BadSpans.inside` places them."""
    sfreq = taken_rate(sfreq)
    start = math.floor(round(gap[0] / sfreq * 1000, 6)) / 1000
    end = math.ceil(round((gap[1] + 1) / sfreq * 1000, 6)) / 1000
    return start, end


def _gaps_text(gaps: NonfiniteGaps, sfreq: float, names: Sequence[str]) -> str:
    """Each gap of NaN/Inf samples (:class:`~eegpt.signal_stats.NonfiniteGaps`, samples at
    ``sfreq`` Hz) in seconds from the first sample, its end exclusive: one as ``"from 20.000
    s to 25.000 s (end exclusive: 5.000 s) after the first sample"``, several as ``"in 3 gaps
    (seconds after the first sample, ends exclusive): 20.000 to 25.000 s (5.000 s), ..."``,
    the first :data:`GAPS_SHOWN` and the last, the others counted; a gap in some of the
    channels that hold such samples, not all of them, names its channels."""
    if not gaps.count or gaps.last is None:
        return ""
    if gaps.count == 1:
        first, last, _ = gaps.last
        if first == last:
            return f"at {first / taken_rate(sfreq):.3f} s from the first sample"
        start, end = _gap_seconds(gaps.last, sfreq)
        return (
            f"from {start:.3f} s to {end:.3f} s (end exclusive: {end - start:.3f} s) after the "
            "first sample"
        )
    shown = gaps.first[:GAPS_SHOWN]
    every = np.logical_or.reduce([channels for _, _, channels in [*gaps.first, gaps.last]])

    def one(gap: tuple[int, int, np.ndarray]) -> str:
        start, end = _gap_seconds(gap, sfreq)
        where = (
            "" if (gap[2] == every).all() else " in " + few([names[i] for i in _indices(gap[2])], 4)
        )
        return f"{start:.3f} to {end:.3f} s ({end - start:.3f} s){where}"

    listed, rest = [one(gap) for gap in shown], gaps.count - len(shown)
    if rest > 1:  # the last said too: where they end
        text = ", ".join(listed) + f" and {rest - 1} more, the last {one(gaps.last)}"
    else:
        listed += [one(gaps.last)] if rest else []
        text = ", ".join(listed[:-1]) + " and " + listed[-1]
    return f"in {gaps.count} gaps (seconds after the first sample, ends exclusive): {text}"


def _inner_gap(
    gaps: NonfiniteGaps, sfreq: float | None, n: int, clock: RecordClock | None = None
) -> tuple[float, float] | None:
    """``(onset, duration)`` in seconds of the first gap of NaN/Inf samples that neither
    starts at the first sample nor ends at the last (``n`` samples at ``sfreq`` Hz), which
    cropping cannot take out (``raw.crop`` trims the ends); None where every gap touches an
    end, or the times are unknown. From the first sample; on the recording's clock where it
    has one (``clock``: a recording paused and resumed), as annotations given with it are
    read (:meth:`~eegpt.edf_files.RecordClock.to_sample_time` places them back), outward
    to the ms."""
    if not sfreq:
        return None
    for gap in [*gaps.first, *([] if gaps.last is None else [gaps.last])]:
        if gap[0] > 0 and gap[1] < n - 1:
            start, end = _gap_seconds(gap, sfreq)
            if clock is not None:
                start = math.floor(round(float(clock.to_clock(start)) * 1000, 6)) / 1000
                end = math.ceil(round(float(clock.to_clock(end)) * 1000, 6)) / 1000
            return start, round(end - start, 3)
    return None


def _indices(mask: np.ndarray) -> list[int]:
    """The positions of the True values of ``mask``, as ints (to index a list of names)."""
    return np.flatnonzero(mask).tolist()


def check_signal(
    stats: SignalStats,
    names: Sequence[str],
    source: str,
    units: Sequence[str] | None = None,
    gain: float = 1.0,
    offsets: bool = True,
    array_units: str | None = None,
    sfreq: float | None = None,
    epoch_samples: int | None = None,
    rates: Sequence[float] | None = None,
    *,
    refuse_all_flat: bool = True,
    average_reference: bool = False,
    left_out: Sequence[str] = (),
    channels_needed: bool = False,
    rescaled: float = 1.0,
    clock: RecordClock | None = None,
    resample: str = "polyphase",
    new_sfreq: float = float(FIELD_DEFAULTS["sfreq"]),
    ranges: Sequence[tuple[float, float]] | None = None,
) -> FlaggedSpans | None:
    """Raise on NaN/Inf samples and on channels all flat; warn about flat, clipped and
    mis-scaled channels; return the stretches of a continuous recording those warnings name.

    Parameters
    ----------
    stats : SignalStats
        Of the channels that will be used, in volts.
    names : sequence of str
        Their names, for the messages.
    source : str
        The recording, for the messages.
    units : sequence of str | None
        Their units in the file, when known (EDF/BDF, BrainVision); non-voltage units are
        announced, and under a stated unit below a volt (:func:`stated_unit`) an amplitude
        too large is advised on as artefacts rather than a wrong unit.
    gain : float
        The correction the volts will get (:attr:`PreprocessingConfig.gain
        <eegpt.preprocessing.PreprocessingConfig.gain>`): the flat and amplitude checks judge
        ``gain`` x volts.
    rescaled : float
        The factor the volts in ``stats`` were already multiplied by after reading
        (:attr:`eegpt.io.Recording.rescaled`: ``eegpt probe``'s ``--rescale``): the amplitude
        advice gives the correction of the samples as read, ``rescaled`` x ``gain`` included.
    offsets : bool
        Warn about DC offsets far beyond the signal (not when each window is detrended).
    array_units : str | None
        The unit an array was given in, for the amplitude advice.
    sfreq, epoch_samples : float | None, int | None
        Sampling rate and, for epochs fed one after the other, samples per epoch: the NaN/Inf
        error then says when (seconds from the first sample) or in which epochs they are.
    rates : sequence of float | None
        The channels' rates as stored in the file (:attr:`eegpt.io.Recording.rates`): those
        stored below :data:`SLOW_CHANNEL_SFREQ` and upsampled to ``sfreq`` are announced.
    refuse_all_flat : bool
        Refuse channels all flat throughout (nothing usable is left); False warns instead (a
        live stream's first window, a prediction asked of one epoch).
    average_reference : bool
        Whether the channels will be average-referenced: a flat channel that is the
        recording's reference is then kept, not advised to be dropped (:func:`_warn_flat`).
    channels_needed : bool
        Whether every channel used is needed (a probe's, for ``probe.online``): a flat one is
        then not advised to be dropped, which would refuse the input, but to be fixed.
    left_out : sequence of str
        The recording's channels the mapping left out (:attr:`ChannelMapping.dropped`), which
        tell an EGI net (its E-numbered electrodes) whose 'Cz' is its reference, in the
        warning and in the refusal of all channels flat.
    clock : RecordClock | None
        Where a discontinuous EDF+D/BDF+D file's stretches lie on its clock
        (:attr:`eegpt.io.Recording.clock`): the flat and clipped stretches are named by their
        time into the data and, where it differs, on the recording's clock.
    resample, new_sfreq : str, float
        How and to which rate the recording is resampled, for :func:`check_finite`'s warning.
    ranges : sequence of (float, float) | None
        Each channel's range in its file, in volts as read (:attr:`eegpt.io.Recording.ranges`:
        an EDF/BDF header's physical minimum and maximum), where known (NaN: not): a value
        held :data:`CLIP_RANGE_MARGIN` of it or more inside it, in continuous data only where
        it has a calibration pulse's shape (held at once at the same value on most channels,
        in the first :data:`CALIBRATION_SECONDS`), is no rail (:func:`_inside_ranges`).

    Returns
    -------
    FlaggedSpans | None
        The stretches the partly-flat and clipping warnings name, per channel
        (:class:`~eegpt._window_flags.FlaggedSpans`: every one, not only the few a warning
        shows; empty where none is named), whose windows embed records as flagged
        (:attr:`eegpt.Embeddings.flagged`); None where stretches are not judged (epochs, or
        statistics without segments or a sampling rate). Channels flat throughout flag
        every window (:func:`_wholly_flat_flags`), but an EGI net's reference kept under the
        average reference.

    Raises
    ------
    RecordingError
        If any sample is NaN or infinite (see :func:`check_finite`), or if every channel is
        flat throughout (nothing usable is left) and ``refuse_all_flat``.

    Warns
    -----
    RuntimeWarning
        NaN/Inf samples ignored inside bad spans (:func:`check_finite`); flat channels (zero peak-to-peak or a standard deviation below ``FLAT_STD``); clipped
        channels (more than ``CLIP_FRACTION`` of the samples at the channel's minimum or
        maximum, or, in continuous data, ``CLIP_HELD_SECONDS`` of samples held at
        it: :func:`_held_rails`); a typical amplitude that looks mis-scaled, overall or for single channels
        (outside ``TOO_SMALL`` .. ``TOO_LARGE`` volts); file units that are not voltages;
        channels stored at too low a rate; channels of a continuous recording (or of epochs
        lasting a second or more) holding more than ``LINE_NOISE_SHARE`` of their power at the
        mains frequency, on average over the seconds measured (:func:`_check_line_noise`).
    """
    check_finite(
        stats, names, source, sfreq=sfreq, epoch_samples=epoch_samples, clock=clock,
        resample=resample, new_sfreq=new_sfreq,
    )  # fmt: skip
    if units is not None:
        _check_units(names, units, source)
        _check_rescaled_conversion(units, gain * rescaled, source)
    if rates is not None and sfreq is not None:
        _check_rates(names, rates, sfreq, source)
    # a channel without finite samples (all inside rejected bad spans) is measured by nothing
    measured = stats.count > 0
    # zero peak-to-peak over the samples of kept windows, where more than one is left of them
    # (rejected bad spans may leave a channel a sample: its extremes are equal, not flat)
    spread = (stats.judged_count > 1) | (stats.judged_count == stats.count)
    flat = measured & (
        (spread & (stats.maximum - stats.minimum == 0))
        | (stats.std * gain < FLAT_STD)
        | _jitter_throughout(stats)
    )
    if flat.all() and refuse_all_flat:
        raise RecordingError(_all_flat_message(names, left_out, source, bool(epoch_samples)))
    if flat.any():
        zero = measured & (stats.maximum == 0) & (stats.minimum == 0)
        _warn_flat(names, flat, zero, source, average_reference=average_reference,
                   left_out=left_out, needed=channels_needed)  # fmt: skip
    # the windows over the stretches named below (continuous recordings only)
    flags = FlaggedSpans() if stats.segment and sfreq else None
    if stats.segment and sfreq:
        _check_partly_flat(stats, flat, names, source, sfreq, clock)
        assert flags is not None
        _flat_flags(stats, flat, names, sfreq, flags)
        kept = _flat_references(names, flat, average_reference, left_out)
        _wholly_flat_flags(stats, flat, names, kept, sfreq, flags)
    if stats.epoch_flat is not None:
        _check_partly_flat_epochs(stats, flat, names, source, sfreq)
    # a rail: the value past which at most CLIP_OUTLIERS samples lie (the minimum or maximum
    # but for a spike past a clip), held by many samples (each side on its own),
    # of the samples in windows kept (those inside rejected bad spans left out)
    count = np.maximum(stats.judged_count, 1)
    n_low, n_high = stats.n_at_rail
    low = (n_low / count > CLIP_FRACTION) & (n_low >= CLIP_SAMPLES) & ~flat
    high = (n_high / count > CLIP_FRACTION) & (n_high >= CLIP_SAMPLES) & ~flat
    if stats.segment and sfreq:  # or held for long enough, whatever the recording's length
        low |= _held_rails(stats, 0, sfreq) & ~flat
        high |= _held_rails(stats, 1, sfreq) & ~flat
    if ranges is not None:  # a value held inside the file's range at the start is no rail
        inside = _inside_ranges(stats, ranges, rescaled, sfreq)
        low, high = low & ~inside[0], high & ~inside[1]
    clipped = low | high
    if flags is not None and sfreq:
        for i in _indices(clipped):
            _clipped_flags(stats, i, (bool(low[i]), bool(high[i])), names[i], sfreq, flags)
    if clipped.any():
        detail = few(
            [
                f"{names[i]} ("
                + " and ".join(
                    f"{n / count[i]:.1%} of samples at {value:.4g} V"
                    for railed, n, value in (
                        (low[i], n_low[i], stats.rail[0, i]),
                        (high[i], n_high[i], stats.rail[1, i]),
                    )
                    if railed
                )
                + _rail_text(stats, i, (low[i], high[i]), sfreq, clock)
                + ")"
                for i in _indices(clipped)
            ],
            DROP_ADVICE_NAMES,
        )
        _warn(
            f"{source}: clipping check: channel(s) {detail} look clipped (the amplifier or the "
            "file's physical range saturated), so their waveforms are distorted. Exclude them "
            f"({how_to_drop([names[i] for i in _indices(clipped)])}) or the saturated "
            "time spans (mark them bad: annotations whose description starts with 'BAD', then "
            "reject_by_annotation=True, --reject-by-annotation)."
            + ("" if flags is None else f" {FLAGGED_ADVICE}")
        )
    if sfreq:  # continuous, or epochs of a second or more (none measured in shorter ones)
        _check_line_noise(stats, flat, names, source)
    if not measured.any():
        return flags
    # the signal's own size, whatever offsets and drift add (they have their own check)
    m = np.flatnonzero(measured)
    local, kept = stats.local_deviation()[m] * gain, [names[i] for i in m.tolist()]
    # the advice is for the samples as read: the rescaling already applied counts in it
    each = None if stats.epoch_deviation is None else stats.epoch_deviation * gain
    profile = None if stats.epoch_channel_deviation is None else stats.epoch_channel_deviation[:, m]
    stated = None if units is None else stated_unit([units[i] for i in m.tolist()])
    _check_amplitude(local, flat[m], kept, source, gain * rescaled, array_units, epochs=each,
                     stated=stated, profile=profile)  # fmt: skip
    if offsets:
        median, deviation = stats.median()[m] * gain, stats.deviation()[m] * gain
        slow = np.maximum(np.abs(median), 1.4826 * deviation)
        _check_offsets(median, slow, local, flat[m], kept, source)
    return flags


#: share of a channel's range in its file (:attr:`eegpt.io.Recording.ranges`) that a value
#: held must lie inside the range's end for it to be no rail (:func:`_inside_ranges`): a
#: 100 µV calibration pulse in a file of ±3200 µV lies 48% inside; a clip at the file's
#: digital maximum, or a step short of it, lies at it
CLIP_RANGE_MARGIN = 0.01


def _inside_ranges(
    stats: SignalStats,
    ranges: Sequence[tuple[float, float]],
    rescaled: float = 1.0,
    sfreq: float | None = None,
) -> np.ndarray:
    """Bool of shape (2, n_channels): whether each channel's low and high rail
    (:attr:`SignalStats.rail <eegpt.signal_stats.SignalStats.rail>`) lies inside its range in
    its file (``ranges``: volts as read, times ``rescaled``, the factor the samples were
    multiplied by since) by :data:`CLIP_RANGE_MARGIN` of it or more: a value the file could
    go past, such as a calibration pulse (a square of 50 or 100 µV held for a second at the
    start of a clinical recording), which a file saturated at would not be. False where the
    range is not known (NaN).

    In a continuous recording (``sfreq``, Hz, with the rail's stretches tracked) the rail
    must also have the shape of a calibration pulse (:meth:`_EarlyStretches.calibration_shaped`): each
    stretch held at it (but for stretches of under :data:`CLIP_SAMPLES` samples) held at once,
    at the same value, on most channels, and only in the first :data:`CALIBRATION_SECONDS`.
    One channel or a few pinned at a value (an amplifier saturating inside a wider file
    range, an electrode pop), at the start or later on, are clipping still."""
    bounds = np.asarray(ranges, dtype=np.float64).reshape(-1, 2) * abs(rescaled)
    low, high = bounds.min(axis=1), bounds.max(axis=1)
    margin = CLIP_RANGE_MARGIN * (high - low)
    with np.errstate(invalid="ignore"):  # NaN: not known, compares False
        inside = np.stack([stats.rail[0] > low + margin, stats.rail[1] < high - margin])
    if not sfreq or not stats.segment:
        return inside
    early = {side: _EarlyStretches(stats, side, sfreq) for side in (0, 1)}
    for side, row in zip(*np.nonzero(inside), strict=True):
        inside[side, row] = early[int(side)].calibration_shaped(int(row))
    return inside


def _held_stretches(stats: SignalStats, side: int, row: int) -> np.ndarray:
    """The stretches of channel ``row`` held at its low (``side`` 0) or high (1) rail for
    :data:`CLIP_SAMPLES` samples or more (not a touch or two): ``[first, end)`` sample rows,
    shape (k, 2)."""
    spans = stats.rail_spans(side, row)
    return spans[stats.rail_held(side, row) >= CLIP_SAMPLES]


class _EarlyStretches:
    """The stretches every channel holds at its rail on one side (``side``: 0 low, 1 high;
    :func:`_held_stretches`) that end within the first :data:`CALIBRATION_SECONDS` (and
    :data:`CALIBRATION_SYNC_SECONDS`) of a recording at ``sfreq`` Hz, read once for all its
    channels, for :meth:`calibration_shaped`: each channel's rail asks which channels hold
    each of its stretches at once, which read per channel took every channel's stretches again
    (256 channels with a calibration pulse: seconds; counted here once per set of channels at
    one value, with a sorted search per channel)."""

    def __init__(self, stats: SignalStats, side: int, sfreq: float) -> None:
        self.stats, self.side, self.sfreq = stats, side, sfreq
        #: samples by which a pulse's stretches may start or end apart on its channels
        self.tolerance = max(CALIBRATION_SYNC_SECONDS * sfreq, 1.0)
        self._spans: list[np.ndarray] | None = None
        self._counts: dict[bytes, np.ndarray] = {}

    def spans(self) -> list[np.ndarray]:
        """Per channel, its stretches ``[first, end)`` (shape (k, 2), by their first sample)
        that end by the first :data:`CALIBRATION_SECONDS` plus the tolerance: the only ones
        that can be held at once with a stretch of the first minute."""
        if self._spans is None:
            limit = CALIBRATION_SECONDS * self.sfreq + self.tolerance
            self._spans = []
            for row in range(self.stats.n_channels):
                held = _held_stretches(self.stats, self.side, row)
                held = held[held[:, 1] <= limit]
                self._spans.append(held[np.argsort(held[:, 0], kind="stable")])
        return self._spans

    def _together(self, alike: np.ndarray) -> np.ndarray:
        """For every stretch of :meth:`spans` (all channels', in channel order), how many of
        the channels ``alike`` (bool, shape (n_channels,)) hold a stretch that starts and ends
        within the tolerance of it (each channel counted once; its own included)."""
        key = np.packbits(alike).tobytes()
        if key in self._counts:
            return self._counts[key]
        every = self.spans()
        whole = np.concatenate(every)
        first, end = whole[:, 0], whole[:, 1]
        counts = np.zeros(len(whole), np.int64)
        tol = self.tolerance
        for j in _indices(alike):
            theirs = every[j]
            if not len(theirs):
                continue
            starts, ends = theirs[:, 0], theirs[:, 1]
            lo = np.searchsorted(starts, first - tol, side="left")
            hi = np.searchsorted(starts, first + tol, side="right")
            if (np.diff(ends) >= 0).all():  # disjoint stretches: ends in order too
                at = np.maximum(lo, np.searchsorted(ends, end - tol, side="left"))
                found = at < hi
                found[found] = ends[at[found]] <= end[found] + tol
            else:  # not expected; each pair compared
                near = (np.abs(starts[None, :] - first[:, None]) <= tol) & (
                    np.abs(ends[None, :] - end[:, None]) <= tol
                )
                found = near.any(axis=1)
            counts += found
        self._counts[key] = counts
        return counts

    def calibration_shaped(self, row: int) -> bool:
        """Whether the rail of channel ``row`` has the shape of a calibration pulse, not of
        clipping: every stretch held at it ends within the recording's first
        :data:`CALIBRATION_SECONDS` and is held at once (its first and end samples within
        :data:`CALIBRATION_SYNC_SECONDS`) at the same value (within
        :data:`CALIBRATION_LEVEL_SHARE` of it) by at least half of the measured channels and
        at least two: a square of a fixed amplitude injected into every channel (one step, or
        a square wave, whose stretches at each side coincide alike). Clipping pins one channel
        or a few, each at its own value and time; a recording of one channel cannot tell the
        two apart, and its rail is clipping."""
        stats, side = self.stats, self.side
        mine = _held_stretches(stats, side, row)
        if not len(mine) or (mine[:, 1] > CALIBRATION_SECONDS * self.sfreq).any():
            return False  # held later on too: no calibration pulse alone
        value = float(stats.rail[side, row])
        alike = np.abs(stats.rail[side] - value) <= CALIBRATION_LEVEL_SHARE * abs(value)
        need = max(2, -(-int((stats.count > 0).sum()) // 2))
        if int(alike.sum()) < need:
            return False
        every = self.spans()
        at = sum(len(s) for s in every[:row])  # this channel's stretches among all
        return bool((self._together(alike)[at : at + len(every[row])] >= need).all())


#: seconds from a recording's start within which a value held inside its file's range
#: (:func:`_inside_ranges`) may be taken for a calibration pulse, not clipping
CALIBRATION_SECONDS = 60.0
#: seconds by which the stretches of one calibration pulse may start or end apart on its
#: channels (:meth:`_EarlyStretches.calibration_shaped`): it is injected into all of them at once
CALIBRATION_SYNC_SECONDS = 0.05
#: share of a calibration pulse's value by which its channels' values may differ (a digital
#: step or two of their own scales; :meth:`_EarlyStretches.calibration_shaped`)
CALIBRATION_LEVEL_SHARE = 0.05


#: share of a channel's power (variance) at the mains frequency, averaged over the seconds
#: measured (:func:`line_noise`), above which the line noise check names it: mains hum, not
#: EEG, is most of what it holds
LINE_NOISE_SHARE = 0.5


def line_noise(stats: SignalStats) -> tuple[float, np.ndarray] | None:
    """The mains frequency a continuous recording's channels (or epochs') hold more power at,
    50 or 60 Hz (:data:`~eegpt.signal_stats.MAINS`), and each channel's share of its power at
    it, averaged over the seconds measured (shape (n_channels,); NaN for a channel none of
    whose measured seconds is finite and not constant), from :attr:`SignalStats.line_share
    <eegpt.signal_stats.SignalStats.line_share>`: a minute of loud hum in an hour adds a
    sixtieth, not most of the power; None where not measured (epochs shorter than a second,
    which hold no whole second to measure the mains in as a recording's are measured, no
    rate, or a rate whose Nyquist frequency leaves neither)."""
    summed, count = stats.line_share, stats.line_measured
    if not (count > 0).any() or np.isnan(summed).all():
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(count > 0, summed / np.maximum(count, 1), np.nan)  # (mains, n_channels)
    which = int(np.argmax(np.where(np.isnan(summed[:, 0]), -1.0, np.nansum(share, axis=1))))
    return MAINS[which], share[which]


def _check_line_noise(
    stats: SignalStats, flat: np.ndarray, names: Sequence[str], source: str
) -> None:
    """Warn of the channels (not flat) that hold more than :data:`LINE_NOISE_SHARE` of their
    power, on average over the seconds measured, at the recording's mains frequency
    (:func:`line_noise`, 50 or 60 Hz): an electrode with poor contact, or an unshielded cable,
    picking up the mains, whose windows the model sees mostly as hum; naming the frequency, a
    notch filter and leaving them out. Epochs are measured in their whole seconds, where they
    last one or more (the notch filter is then advised for the recording they were cut from);
    shorter epochs are not measured."""
    found = line_noise(stats)
    if found is None:
        return
    hz, share = found
    with np.errstate(invalid="ignore"):
        hum = (share > LINE_NOISE_SHARE) & ~flat
    if not hum.any():
        return
    which = _indices(hum)
    listed = few([f"{names[i]} ({share[i]:.0%})" for i in which], DROP_ADVICE_NAMES)
    every = " (every channel)" if hum.all() and len(names) > 1 else ""
    other = MAINS[1 - MAINS.index(hz)]
    if np.isnan(stats.line_share[MAINS.index(other)]).all():  # too near the Nyquist frequency
        compared = f"{other:g} Hz lies too near the Nyquist frequency to be measured"
    else:
        compared = f"the recording's channels hold more at {hz:g} Hz than at {other:g} Hz"
    _warn(
        f"{source}: line noise check: channel(s) {listed}{every} hold most of their power at "
        f"the mains frequency, {hz:g} Hz (the share in brackets; {compared}): mains hum, from "
        "electrodes with poor contact or unshielded cables, which the model would see in place "
        + (
            f"of EEG. Notch-filter the recording before cutting the epochs (raw.notch_filter("
            f"{hz:g}) in MNE, then epoch it again)"
            if stats.epoch_segment
            else f"of EEG. Notch-filter the recording before embedding (raw.notch_filter({hz:g}) "
            "in MNE)"
        )
        + f" or exclude them ({how_to_drop([names[i] for i in which])})."
    )


def _jitter_throughout(stats: SignalStats) -> np.ndarray:
    """Bool of shape (n_channels,): the channels whose every whole segment (1 s of a
    continuous recording, :attr:`SignalStats.flat_segments`; of each epoch,
    :attr:`SignalStats.epoch_flat`) is flat though not of zero peak-to-peak: a dead
    electrode's quantisation jitter, a digital step either side of one value
    (:data:`~eegpt.signal_stats.FLAT_JITTER` at most over the whole recording)."""
    small = stats.maximum - stats.minimum <= FLAT_JITTER
    if (stats.epoch_segment or stats.segment) < FLAT_JITTER_SAMPLES:
        return np.zeros_like(small)  # a few samples hold three values whatever they are
    if stats.epoch_flat is not None and stats.epoch_segment:
        n_epochs = stats.epoch_flat.shape[0]
        segments = n_epochs * (stats.n // max(n_epochs, 1) // stats.epoch_segment)
        return small & (segments > 0) & (stats.epoch_flat.sum(axis=0) >= max(segments, 1))
    segments = stats.n // stats.segment if stats.segment else 0
    return small & (segments > 0) & (stats.flat_segments >= max(segments, 1))


def check_finite(
    stats: SignalStats,
    names: Sequence[str],
    source: str,
    *,
    sfreq: float | None = None,
    epoch_samples: int | None = None,
    clock: RecordClock | None = None,
    resample: str = "polyphase",
    new_sfreq: float = float(FIELD_DEFAULTS["sfreq"]),
) -> int:
    """Refuse NaN/Inf samples, except those that all lie inside bad spans whose windows are
    left out (``stats.bad_spans`` with ``reject``): those reach no kept window, so a warning
    says how many were ignored and their number is returned, for
    :func:`~eegpt.resampling.fill_nonfinite`.

    Parameters
    ----------
    stats, names, source, sfreq, epoch_samples
        As for :func:`check_signal`.
    clock : RecordClock | None
        Where the segments of a recording paused and resumed lie on its clock: the advised
        row of an annotations table that marks a gap bad is then in seconds on that clock,
        as such a table is read (the gaps named stay in seconds into the data).
    resample, new_sfreq : str, float
        How the recording is resampled (``"polyphase"`` or ``"nearest"``,
        :attr:`PreprocessingConfig.resample <eegpt.preprocessing.PreprocessingConfig.
        resample>`) and to which rate (Hz): the warning says where the filled samples go
        (:func:`_fill_text`).

    Returns
    -------
    int
        NaN/Inf samples to fill (0 when there are none).

    Raises
    ------
    RecordingError
        If any NaN/Inf sample lies outside the bad spans (the message counts those, names
        each gap of them in seconds (:func:`_gaps_text`), advises marking a gap inside a
        continuous recording bad, which cropping cannot take out, and says how to rename
        annotations that hold them but only mention "bad"), or if they all lie inside but the
        windows there are kept (the message names ``reject_by_annotation``).
    """
    if not stats.nonfinite.any():
        return 0
    names, epoched = list(names), bool(epoch_samples)
    inside = stats.nonfinite_in_bad
    outside = stats.nonfinite - inside
    if outside.any():
        where = _span_text(stats, sfreq, epoch_samples, names, outside=True)
        inner = None if epoched else _inner_gap(stats.outside_gaps, sfreq, stats.n, clock)
        raise nonfinite_error(
            outside, names, source, where, epoched=epoched, in_bad=int(inside.sum()),
            misnamed=stats.misnamed, in_misnamed=int(stats.nonfinite_misnamed.sum()),
            inner=inner, on_clock=clock is not None,
        )  # fmt: skip
    where = _span_text(stats, sfreq, epoch_samples, names)
    assert stats.bad_spans is not None  # every one inside a span
    if not stats.bad_spans.reject:
        inner = None if epoched else _inner_gap(stats.nonfinite_gaps, sfreq, stats.n, clock)
        raise nonfinite_error(
            inside, names, source, where, epoched=epoched, all_in_bad=True, inner=inner,
            on_clock=clock is not None,
        )  # fmt: skip
    n = int(inside.sum())
    hit = few([f"{names[i]} ({int(k)})" for i, k in enumerate(inside) if k], 12)
    _warn(
        f"{source}: {n} non-finite (NaN/Inf) samples in channel(s) {hit}, {where}, all inside "
        "annotations marked bad, whose windows are left out (reject_by_annotation): ignored. "
        f"They were filled with each channel's straight line; {_fill_text(sfreq, resample, new_sfreq)}"
    )
    return n


def _fill_text(sfreq: float | None, resample: str, new_sfreq: float) -> str:
    """Where the line that fills NaN/Inf samples in rejected bad spans goes (the end of
    :func:`check_finite`'s warning): a recording at ``new_sfreq`` (Hz, at its
    :func:`taken_rate`) is not resampled and nearest-neighbour resampling moves no value, so
    the fill stays in its samples; polyphase resampling spreads it over its filter."""
    if sfreq is not None and taken_rate(sfreq) == new_sfreq:
        return (
            f"the recording is at the model's {new_sfreq:g} Hz, not resampled, so the fill "
            "stays in those samples and no kept window holds any of it."
        )
    if resample == "nearest":
        return (
            "nearest-neighbour resampling (resample='nearest') takes each sample as it is, so "
            "the fill stays in those samples and no kept window holds any of it."
        )
    return (
        "polyphase resampling spreads that fill over its filter's half-length (10 samples at "
        "the lower of the two rates) around them, into a kept window only where one ends or "
        "starts that close."
    )


#: Names of an EGI net's reference electrode (VREF), stored as zeros beside its E-numbers.
_EGI_REFERENCE = ("CZ", "VREF")


def _egi_references(names: Sequence[str], beside: Sequence[str]) -> list[str]:
    """The channels of ``names`` that are an EGI net's reference electrode: 'Cz' or 'VREF'
    beside at least 8 E-numbered electrodes (among ``names`` and ``beside``)."""
    if len(egi_labels([*names, *beside])) < 8:
        return []
    return [name for name in names if name.strip().upper() in _EGI_REFERENCE]


def _warn_flat(
    names: Sequence[str],
    flat: np.ndarray,
    zero: np.ndarray,
    source: str,
    *,
    average_reference: bool,
    left_out: Sequence[str],
    needed: bool = False,
) -> None:
    """Warn about the channels ``flat`` throughout (``zero``: exactly zero throughout); all of
    them flat, that the input holds no signal. ``needed``: every channel is needed (a probe's
    under ``probe.online``), so the advice is to fix the electrode, not to drop it.

    Under the average reference, a recording's reference electrode stored as zeros is worth
    keeping: referencing gives it its signal back (the site against the average of the
    others), and dropping it would lose that site. An EGI net's 'Cz' (beside its E-numbered
    electrodes, used or ``left_out``) is such a reference for sure, and is said to be one with no advice
    to drop it; another channel exactly zero may be one, or an unrecorded channel, so that is
    said as a possibility beside the usual advice."""
    if flat.all():  # nothing to exclude or keep: the whole input is without signal
        _warn(
            f"{source}: flat channel(s) check: every channel used ({shortened_list(names)}) is "
            f"flat (zero peak-to-peak, a digital step's jitter about one value or a standard "
            f"deviation below {FLAT_STD:g} V): no signal "
            "in this input (disconnected amplifier?); what is computed from it means nothing."
        )
        return
    flat_idx = _indices(flat)
    reference = _flat_references(names, flat, average_reference, left_out)
    if reference:
        _warn(
            f"{source}: flat channel(s) check: {shortened_list(reference)} beside the E-numbered "
            "electrodes of an EGI net is the net's reference electrode (VREF), stored as zeros: "
            "keep it. The average reference (on) gives it back its signal, the vertex against "
            "the average of the other electrodes; dropping it would lose that site."
        )
    which = [names[i] for i in flat_idx if names[i] not in reference]
    if not which:
        return
    maybe = ""
    if average_reference and any(zero[i] for i in flat_idx if names[i] in which):
        maybe = (
            " A channel exactly zero throughout may also be the recording's reference "
            "electrode, stored as zeros: if so, keep it, as the average reference (on) gives "
            "it back its signal."
        )
    advice = (
        f"Exclude them ({how_to_drop(which)}) or interpolate them before embedding."
        if not needed
        else "The probe needs them (it was trained on them: a stream without one is refused, "
        "so they cannot be dropped): fix their electrodes (contact, cable, the amplifier's "
        "channel) and reset() the stream, or train a probe without them."
    )
    _warn(
        f"{source}: flat channel(s) check: {shortened_list(which)} have zero peak-to-peak, a "
        f"digital step's jitter about one value or a standard deviation below {FLAT_STD:g} V "
        f"(disconnected or unrecorded?). {advice}{maybe}"
    )


def _flat_references(
    names: Sequence[str], flat: np.ndarray, average_reference: bool, left_out: Sequence[str]
) -> list[str]:
    """The channels ``flat`` throughout (bool, shape (n_channels,)) that are for sure the
    reference electrode of an EGI net stored as zeros, kept under the average reference
    (:func:`_warn_flat`); empty without it."""
    if not average_reference:
        return []
    flat_names = {names[i] for i in _indices(flat)}
    return [name for name in _egi_references(names, left_out) if name in flat_names]


def _wholly_flat_flags(
    stats: SignalStats,
    flat: np.ndarray,
    names: Sequence[str],
    kept: Sequence[str],
    sfreq: float,
    flags: FlaggedSpans,
) -> None:
    """Flag each channel ``flat`` throughout (bool, shape (n_channels,)) as flat over the
    whole recording (``stats.n`` samples at ``sfreq`` Hz: every window), as a channel clipped
    throughout is; not the references ``kept`` (:func:`_flat_references`), which the average
    reference gives back their signal. A dead electrode thus flags every window it is in."""
    whole = np.array([[0.0, stats.n / taken_rate(sfreq)]])  # seconds the onsets count
    for i in _indices(flat):
        if names[i] not in kept:
            flags.add("flat", names[i], whole)


def _all_flat_message(
    names: Sequence[str], unused: Sequence[str], source: str, epoched: bool
) -> str:
    """The refusal of a recording whose used channels ``names`` are all flat throughout; an
    EGI net's 'Cz' beside its E-numbered electrodes (``unused``) is said to be its reference."""
    throughout = "in every epoch" if epoched else "over the whole recording"
    text = (
        f"{source}: nothing usable is left: every channel used ({shortened_list(list(names))}) is "
        f"flat {throughout} (zero peak-to-peak, a digital step's jitter about one value or a "
        f"standard deviation below {FLAT_STD:g} V), "
        "so the model would see no signal."
    )
    reference = _egi_references(names, unused)
    if reference:
        return text + (
            f" {shortened_list(reference)} beside the E-numbered electrodes of an EGI net is "
            "likely the net's reference (VREF), flat by construction; "
            f"{egi_advice(egi_labels(unused), source)}"
        )
    return text + (
        f" Map the channels that carry signal (eegpt channels {file_argument(source)} lists them)."
    )


#: What the partly-flat and clipping warnings say of the windows over the stretches they name
FLAGGED_ADVICE = (
    "Embeddings record those windows as flagged, with the channels (emb.flagged, "
    "emb.flat_channels, emb.clipped_channels; the flagged, flat_channels and clipped_channels "
    "columns of eegpt embed's .parquet): emb[~emb.flagged] leaves them out."
)

#: seconds; a channel flat (zero peak-to-peak) for at least this long in all, though not
#: throughout, is announced (one window of the model)
PARTLY_FLAT_SECONDS = 4.0


def _at_text(seconds: float, clock: RecordClock | None) -> str:
    """A time into the data (``seconds`` from the first sample) as h:mm:ss, with the time on
    the recording's clock where a discontinuous file's gaps (``clock``) make it differ."""
    at = clock_text(seconds)
    if clock is None:
        return at
    on_clock = float(clock.to_clock(seconds))
    if round(on_clock) == round(seconds):
        return at
    return f"{at} into the data ({clock_text(on_clock)} on the recording's clock)"


def _stretches_text(
    runs: Sequence[Sequence[int]], n_runs: int, seconds: float, clock: RecordClock | None
) -> str:
    """``"from 0:00:20"`` (one stretch), ``"3 stretches: from 0:00:20 for 20 s, ..."``: the
    stretches ``runs`` (``[first segment, segments]``, the first few of ``n_runs``) of
    segments of ``seconds`` each, and how many more there are."""
    if n_runs == 1:
        return f"from {_at_text(runs[0][0] * seconds, clock)}"
    shown = ", ".join(
        f"from {_at_text(first * seconds, clock)} for {duration_text(k * seconds)}"
        for first, k in runs
    )
    more = f" and {n_runs - len(runs)} more" if n_runs > len(runs) else ""
    return f"{n_runs} stretches: {shown}{more}"


def _runs_in_bad_spans(stats: SignalStats, runs: Sequence[Sequence[int]]) -> bool:
    """Whether every stretch ``runs`` (``[first segment, segments]``) lies inside the bad
    spans of ``stats`` (whose windows are kept: ``reject`` off)."""
    if stats.bad_spans is None or not runs:
        return False
    edges = np.array([[a * stats.segment, (a + k) * stats.segment - 1] for a, k in runs])
    return bool(stats.bad_spans.inside(edges, stats.sfreq).all())


def _rail_text(
    stats: SignalStats,
    row: int,
    railed: tuple[bool, bool],
    sfreq: float | None,
    clock: RecordClock | None,
) -> str:
    """``"; from 0:01:40 for 10 s"``, ``"; 3 stretches: from ..."``: where channel ``row``'s
    samples sit at the extremes it is clipped at (``railed``: at its minimum, its maximum;
    :attr:`SignalStats.rail_runs <eegpt.signal_stats.SignalStats.rail_runs>`), in time into
    the data (and on the clock where it differs); "" where not tracked."""
    if not sfreq or not stats.segment:
        return ""
    spans: list[list[int]] = []
    for a, b in sorted(
        run for side in (0, 1) if railed[side] for run in stats.rail_runs[side][row]
    ):  # a rail on each side in turn (a large oscillation clipped): one stretch
        if spans and a - spans[-1][1] < stats.segment:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    if not spans:
        return ""
    unkept = sum(
        int(stats.n_rail_runs[side, row]) - len(stats.rail_runs[side][row])
        for side in (0, 1)
        if railed[side]
    )
    n_runs = len(spans) + unkept
    shown = ", ".join(
        f"from {_at_text(a / sfreq, clock)} for {_rail_duration(max(b - a, 1) / sfreq)}"
        for a, b in spans[:FLAT_RUNS_SHOWN]
    )
    more = (
        f" and {n_runs - min(len(spans), FLAT_RUNS_SHOWN)} more"
        if n_runs > min(len(spans), FLAT_RUNS_SHOWN)
        else ""
    )
    return f"; {shown}{more}" if n_runs == 1 else f"; {n_runs} stretches: {shown}{more}"


def _rail_duration(seconds: float) -> str:
    """How long a clipped stretch lasts, in words: ``"0.3 s"``, to the tenth below 10 s where
    not whole (a short clip is not "0 s"; a touch of the rail under 0.05 s is "under 0.1 s"),
    else as :func:`duration_text` says it (``"5 s"``)."""
    if seconds < 0.05:
        return "under 0.1 s"
    if seconds < 10 and round(seconds, 1) != round(seconds):
        return f"{seconds:.1f} s"
    return duration_text(seconds)


#: Stretches of a channel's clipped samples the clipping warning names (then "and N more")
FLAT_RUNS_SHOWN = 3


def _partly_flat(
    stats: SignalStats, flat: np.ndarray, n_channels: int, seconds: float
) -> tuple[bool, list[int]]:
    """What :func:`_check_partly_flat` names: whether every channel is flat at once for
    long enough (:data:`PARTLY_FLAT_SECONDS`, with more than one channel, not all flat
    throughout), and the channels flat for long enough beside that (indices), for segments
    of ``seconds``."""
    together = stats.all_flat_segments if n_channels > 1 else 0
    at_once = together * seconds >= PARTLY_FLAT_SECONDS and not flat.all()
    alone = ~flat & ((stats.flat_segments - together) * seconds >= PARTLY_FLAT_SECONDS)
    return bool(at_once), _indices(alone)


def _segment_spans(segments: np.ndarray, size: int, sfreq: float) -> np.ndarray:
    """The stretches of consecutive segments among ``segments`` (indices, ascending) of
    ``size`` samples each as ``[start, end)`` rows in seconds at ``sfreq``, shape (k, 2)."""
    breaks = np.flatnonzero(np.diff(segments) > 1) + 1
    first = segments[np.r_[0, breaks]] if len(segments) else segments
    last = segments[np.r_[breaks - 1, len(segments) - 1]] + 1 if len(segments) else segments
    return np.stack([first, last], axis=1).astype(np.float64) * size / sfreq


def _flat_flags(
    stats: SignalStats,
    flat: np.ndarray,
    names: Sequence[str],
    sfreq: float,
    flags: FlaggedSpans,
) -> None:
    """Add the flat stretches :func:`_check_partly_flat` names to ``flags``: every flat
    segment of each channel it names, and where it names every channel flat at once, those
    segments for each channel not flat throughout."""
    at_once, which = _partly_flat(stats, flat, len(names), stats.segment / sfreq)
    rate = taken_rate(sfreq)  # the seconds the windows' onsets count (256 Hz for 256.016)
    for i in which:
        flags.add("flat", names[i], _segment_spans(stats.flat_segments_of(i), stats.segment,
                                                   rate))  # fmt: skip
    if at_once:
        every = _segment_spans(stats.flat_segments_of(len(names)), stats.segment, rate)
        for i in _indices(~flat):
            flags.add("flat", names[i], every)


def _held_rails(stats: SignalStats, side: int, sfreq: float) -> np.ndarray:
    """Whether each channel holds its minimum (``side`` 0) or maximum (1) long enough to be
    clipped whatever the recording's length, bool of shape (n_channels,): a rail stretch
    (:meth:`SignalStats.rail_spans <eegpt.signal_stats.SignalStats.rail_spans>`) with at
    least :data:`CLIP_HELD_SECONDS` of samples at the extreme (and :data:`CLIP_SAMPLES`),
    making up at least :data:`CLIP_HELD_FRACTION` of it: a rail held, even briefly (a 0.3 s
    electrode pop, a few flat tops of a 1 mV artefact over 2 s: under 1% of the samples),
    not a few isolated touches of the channel's largest value less than a second apart.
    A stretch under :data:`PARTLY_FLAT_SECONDS` counts where it sits at the rail throughout
    or its samples off the rail lie :data:`CLIP_REACH` of the channel's range away on average
    (:meth:`SignalStats.rail_reach <eegpt.signal_stats.SignalStats.rail_reach>`: the signal
    leaves the rail between flat tops), or the rail lies :data:`CLIP_FAR` median absolute
    deviations or more from the channel's median, beyond what its EEG reaches (an artefact
    clipped with the signal's noise dipping off the rail about the flat top): slow EEG
    quantised in 0.5 or 1 µV steps hovers about its largest value for a few tenths of a
    second, a step or two off it, at a peak well within that."""
    n_at = stats.n_at_rail[side]
    least = max(CLIP_SAMPLES, CLIP_HELD_SECONDS * sfreq)
    span = stats.maximum - stats.minimum
    extreme = stats.rail[side]
    deviation = stats.deviation()
    with np.errstate(invalid="ignore"):
        far = (deviation > 0) & (np.abs(extreme - stats.median()) >= CLIP_FAR * deviation)
    held = np.zeros(stats.n_channels, dtype=bool)
    for row in _indices(n_at >= CLIP_SAMPLES):
        spans = stats.rail_spans(side, row)
        at_rail = stats.rail_held(side, row)
        lengths = spans[:, 1] - spans[:, 0]
        rail = (at_rail >= least) & (at_rail >= CLIP_HELD_FRACTION * lengths)
        long = lengths >= PARTLY_FLAT_SECONDS * sfreq
        left = (at_rail == lengths) | (stats.rail_reach(side, row) >= CLIP_REACH * span[row])
        left |= bool(far[row])
        held[row] = bool((rail & (long | left)).any())
    return held


#: the share of a rail stretch's samples at the extreme for it to count as held
#: (:func:`_held_rails`): an amplifier saturated by a signal (a third of the samples at each
#: rail with noise 20 times the range), not a few touches of the channel's largest value
CLIP_HELD_FRACTION = 0.1
#: seconds of samples at a channel's extreme within one rail stretch for it to count as held
#: (:func:`_held_rails`): 26 samples at 256 Hz; a 0.3 s electrode pop holds 77. Slow EEG in
#: 1 µV steps may hold its largest value as long about a peak (:data:`CLIP_REACH` tells)
CLIP_HELD_SECONDS = 0.1
#: share of a channel's range (maximum less minimum) that the samples of a rail stretch under
#: :data:`PARTLY_FLAT_SECONDS` off the rail must lie from it on average, where it is not at the
#: rail throughout, for it to count as held (:func:`_held_rails`): between the flat tops of a
#: clipped 1 mV artefact the signal swings across the range (over half of it on average);
#: slow EEG hovering about its peak in 1 µV steps stays a few µV off it, a blink between
#: adding a tenth of the range
CLIP_REACH = 0.25
#: median absolute deviations of a channel from its median at or beyond which its rail lies
#: far from what its EEG reaches, so a stretch under :data:`PARTLY_FLAT_SECONDS` held there
#: counts (:func:`_held_rails`), its noise dipping off the rail or not: a 300 µV artefact
#: clipped at 200 µV on 10 µV EEG lies 29 away; slow EEG hovering about its peaks, 2 to 8
CLIP_FAR = 12.0


def _clipped_flags(
    stats: SignalStats,
    row: int,
    railed: tuple[bool, bool],
    name: str,
    sfreq: float,
    flags: FlaggedSpans,
) -> None:
    """Add the stretches of channel ``row`` at the extremes it is clipped at (``railed``: at
    its minimum, its maximum), as :func:`_rail_text` names them, to ``flags``."""
    spans = np.concatenate([stats.rail_spans(side, row) for side in (0, 1) if railed[side]])
    spans = spans[np.argsort(spans[:, 0], kind="stable")]
    joined: list[list[int]] = []
    for a, b in spans.tolist():  # a rail on each side in turn: one stretch, as named
        if joined and a - joined[-1][1] < stats.segment:
            joined[-1][1] = max(joined[-1][1], b)
        else:
            joined.append([a, b])
    # in the seconds the windows' onsets count (256 Hz for BrainVision's 256.016)
    spans = np.array(joined, dtype=np.float64).reshape(-1, 2) / taken_rate(sfreq)
    flags.add("clipped", name, spans)


def _check_partly_flat(
    stats: SignalStats,
    flat: np.ndarray,
    names: Sequence[str],
    source: str,
    sfreq: float,
    clock: RecordClock | None = None,
) -> None:
    """Warn about channels flat for part of the recording (whole seconds of zero
    peak-to-peak: an electrode off for a while, a dead stretch stored as zeros), which the
    whole-recording flat check cannot see, naming the first few stretches (times into the
    data, and on the clock of a discontinuous file's ``clock`` where they differ); all
    channels flat at once are named as such. Stretches that lie inside annotations marked
    bad already are advised to be left out by ``reject_by_annotation``."""
    seconds = stats.segment / sfreq

    def span(n_segments: int, row: int) -> str:
        share = n_segments * stats.segment / max(stats.n, 1)
        where = _stretches_text(stats.flat_runs[row], int(stats.n_flat_runs[row]), seconds,
                                clock)  # fmt: skip
        return f"{duration_text(n_segments * seconds)} in all ({share:.1%}), {where}"

    together = stats.all_flat_segments if len(names) > 1 else 0
    parts, shown = [], []
    at_once, which = _partly_flat(stats, flat, len(names), seconds)
    if at_once:
        parts.append(f"all {len(names)} channels at once for {span(together, len(names))}")
        shown += stats.flat_runs[len(names)]
    parts += [f"{names[i]} for {span(int(stats.flat_segments[i]), i)}" for i in which[:6]]
    shown += [run for i in which[:6] for run in stats.flat_runs[i]]
    if len(which) > 6:
        parts.append(f"and {len(which) - 6} more channels")
    if not parts:
        return
    channels = (
        f" or exclude the channels ({how_to_drop([names[i] for i in which])})" if len(which) else ""
    )
    advice = (
        "they lie inside annotations marked bad already: leave their windows out "
        "(reject_by_annotation=True, --reject-by-annotation)"
        if _runs_in_bad_spans(stats, shown)
        else "mark the stretches bad (annotations whose description starts with 'BAD', "
        "then reject_by_annotation=True, --reject-by-annotation)"
    )
    _warn(
        f"{source}: flat channel(s) check: part of the recording is flat (zero peak-to-peak, or a "
        f"digital step's jitter about one value, for whole seconds): {'; '.join(parts)}. The windows over those stretches see dead "
        f"channels: {advice}{channels}. {FLAGGED_ADVICE}"
    )


def _check_partly_flat_epochs(
    stats: SignalStats,
    flat: np.ndarray,
    names: Sequence[str],
    source: str,
    sfreq: float | None,
) -> None:
    """Warn about channels flat in some epochs though not throughout (whole seconds of zero
    peak-to-peak, or whole epochs where shorter: :attr:`SignalStats.epoch_flat
    <eegpt.signal_stats.SignalStats.epoch_flat>`), naming each channel's epochs: an epoch is
    embedded on its own, so one dead channel spoils its embedding, which the
    whole-input flat check cannot see. Epochs where every channel is flat are named as such."""
    assert stats.epoch_flat is not None
    hit = (stats.epoch_flat > 0) & ~flat
    if not hit.any():
        return
    seconds = stats.epoch_segment / sfreq if sfreq else None

    def how_long(n_segments: int) -> str:
        return f", {duration_text(n_segments * seconds)} in all" if seconds else ""

    parts = []
    live = ~flat  # the channels not flat throughout, those that can be flat together
    together = hit[:, live].all(axis=1) if live.sum() > 1 else np.zeros(len(hit), dtype=bool)
    if together.any():
        rest = "" if live.all() else " not flat throughout"
        parts.append(f"all {int(live.sum())} channels{rest} at once in {_epochs_text(together)}")
    alone = hit & ~together[:, None]
    which = _indices(alone.any(axis=0))
    parts += [
        f"{names[i]} in {_epochs_text(alone[:, i])}"
        f"{how_long(int(stats.epoch_flat[alone[:, i], i].sum()))}"
        for i in which[:6]
    ]
    if len(which) > 6:
        parts.append(f"and {len(which) - 6} more channels")
    channels = (
        f", exclude the channels ({how_to_drop([names[i] for i in which])}) or interpolate "
        "them in those epochs"
        if which
        else ""
    )
    _warn(
        f"{source}: flat channel(s) check: some epochs are partly flat (zero peak-to-peak, or "
        "a digital step's jitter about one value, for whole seconds, or whole epochs shorter "
        f"than a second): {'; '.join(parts)}. Each "
        "epoch is embedded on its own, so those epochs' embeddings see dead channels: leave "
        f"those epochs out (epochs.drop(indices), x[keep]){channels}."
    )


def _check_offsets(
    median: np.ndarray,
    slow: np.ndarray,
    local: np.ndarray,
    flat: np.ndarray,
    names: Sequence[str],
    source: str,
) -> None:
    """Warn about channels whose offset or drift (``slow``: the larger of the median's size and
    the overall robust spread, volts) dwarfs their signal (``local``: the median absolute
    deviation about the slow course): what a DC-coupled amplifier records and a high-pass
    filter removes; eegpt filters nothing."""
    odd = (slow > OFFSET_MIN) & (slow > OFFSET_RATIO * 1.4826 * local) & ~flat
    if not odd.any():
        return
    which = np.flatnonzero(odd)
    shown = ", ".join(
        f"{names[i]} (median {median[i] * 1e3:.3g} mV, spread {slow[i] * 1e3:.3g} mV)"
        if slow[i] > 2 * abs(median[i])
        else f"{names[i]} ({median[i] * 1e3:.3g} mV)"
        for i in which[:6]
    )
    more = f" and {len(which) - 6} more" if len(which) > 6 else ""
    _warn(
        f"{source}: offset check: {_count(len(which), 'channel')} "
        f"{'carries' if len(which) == 1 else 'carry'} offsets or drift far "
        f"beyond their signal: {shown}{more}, against a signal of about "
        f"{np.median(local[which]) * 1e6:.3g} uV (median absolute deviation). The recording "
        "looks DC-coupled (BioSemi and other active-electrode amplifiers record offsets of tens "
        "of mV) or unfiltered, and eegpt does not filter: the offsets would dominate what the "
        "model sees. Remove each window's offset and drift: detrend='linear' (eegpt.embed, "
        "model.embed and OnlineEmbedder take it; elsewhere "
        "preprocessing=PreprocessingConfig(detrend='linear'), e.g. for the scikit-learn "
        "estimators and probes; command line: "
        "--detrend linear, for embed, embed-dataset and probe train: a trained probe predicts "
        "and evaluates with the detrend it was trained with, so train it with --detrend linear), "
        "or high-pass filter the "
        "recording first (raw.filter(l_freq=0.5, h_freq=None) in MNE).",
        kind=f"{source}: offset check",  # one warning, whichever channels each subset flags
    )


#: Hz; a channel stored slower than this holds too little of EEG's band (LOW_SFREQ, the rate
#: below which a whole recording gets a warning).
SLOW_CHANNEL_SFREQ = 100.0


def _check_rates(names: Sequence[str], rates: Sequence[float], sfreq: float, source: str) -> None:
    """Warn about used channels that a file stored below :data:`SLOW_CHANNEL_SFREQ` beside
    faster ones: MNE upsampled them to ``sfreq``, and they hold nothing above their own Nyquist
    frequency. Channels at ordinary EEG rates need no warning: the model sees 256 Hz either
    way, as for a recording made at that rate."""
    slow = [
        (name, rate)
        for name, rate in zip(names, rates, strict=True)
        if rate < SLOW_CHANNEL_SFREQ and rate < sfreq
    ]
    if slow:
        listed = ", ".join(f"{name} ({rate:g} Hz)" for name, rate in slow)
        _warn(
            f"{source}: channels are stored at different sampling rates; {listed} are stored "
            f"below {SLOW_CHANNEL_SFREQ:g} Hz, so they hold nothing above "
            f"{min(rate for _, rate in slow) / 2:g} Hz (MNE upsampled them to the file's "
            f"{sfreq:g} Hz). Their windows are not like those of pretraining; leave them out "
            f"({how_to_drop([name for name, _ in slow])}) if other channels cover the same sites."
        )


def _check_units(names: Sequence[str], units: Sequence[str], source: str) -> None:
    pairs = zip(names, units, strict=True)
    odd = [
        f"{name} ({unit!r})"
        for name, unit in pairs
        if edf_unit_scale(unit) is None  # nV, uv ...: converted
    ]
    if odd:
        _warn(
            f"{source}: unit check: channel(s) {', '.join(odd)} do not have a voltage unit "
            "MNE understands (V, mV, uV, µV) in the file header, so their values "
            "were read as volts. Check the file; rescale them if they are EEG in other units, or "
            "exclude them."
        )


def _check_rescaled_conversion(units: Sequence[str], factor: float, source: str) -> None:
    """Warn where samples eegpt converted to volts itself (EDF's ``nV``,
    :data:`~eegpt.edf_files.EDF_CONVERTED_UNITS`) are rescaled besides (``factor``: the
    rescaling given, ``--rescale`` or a scale, 1 for none): both apply, one after the other,
    so a ``--rescale 1e-09`` given for the nanovolts (as eegpt advised before it converted
    them) makes them a billion times too small."""
    converted = sorted({unit for unit in units if converted_scale(unit) is not None})
    if not converted or math.isclose(factor, 1.0):
        return
    named = ", ".join(unit_text(unit) for unit in converted)
    _warn(
        f"{source}: the header states {named}, which eegpt converted to volts "
        f"itself (MNE reads it as volts), and a rescaling by {factor:g} (--rescale or a scale "
        "given) multiplies the samples so converted: both apply. If it was given for the "
        f"{named} (--rescale "
        f"{', '.join(dict.fromkeys(f'{converted_scale(u):g}' for u in converted))}), give none."
    )


def stated_unit(units: Sequence[str]) -> str | None:
    """The voltage unit(s) a file's header states for the channels (``units``, one per
    channel, as :attr:`eegpt.io.Recording.units` holds them), as text (``"µV"``,
    ``"µV, mV"``), where every one is a voltage below a volt MNE converted to volts; None
    where any is not (an empty field, ``"degC"``: read as volts, so a wrong unit may be why
    the amplitude is off; ``"V"``: what writers put for samples in µV too) or there are none;
    EDF's ``"nV"``, which eegpt converts itself (:func:`eegpt.edf_files.convert_unknown_volts`),
    is one. The amplitude checks take a large amplitude under a stated unit for an artefact
    rather than a wrong unit."""
    scales = [edf_unit_scale(unit) or 1.0 for unit in units]  # every µV spelling shown "µV"
    if not units or 1.0 in scales:  # an unknown unit (None) or volts
        return None
    shown = {1e-3: "mV", 1e-6: "µV", 1e-9: "nV"}
    return ", ".join(
        dict.fromkeys(shown.get(scale, unit) for unit, scale in zip(units, scales, strict=True))
    )


#: What makes EEG far larger than scalp EEG's range when the header's unit is right.
_ARTEFACTS = (
    "artefacts (MR gradient or ballistocardiogram artefacts, movement, a disconnected or "
    "saturated amplifier, a DC offset or drift not removed)"
)


def _artefact_advice(stated: str, drop: str) -> str:
    """What to do about channels far larger than scalp EEG whose unit the header states
    (``stated``): remove the artefacts, filter, or leave out the channels (``drop``, as
    :func:`~eegpt.rename_tables.how_to_drop` says it); rescaling only for a header known wrong."""
    return (
        "Remove the artefacts before embedding (e.g. MR gradient and ballistocardiogram "
        "artefact correction), high-pass filter the recording (raw.filter(0.5, None)) or "
        f"detrend each window (--detrend linear), or leave out bad channels ({drop}); rescale "
        f"the samples (--rescale) only if the header's unit ({stated}) is known to be wrong"
    )


def _unit_fix(amplitude: float) -> float:
    """The power of 1000 that brings a typical deviation of ``amplitude`` volts closest to
    scalp EEG's ~2e-5 V (1e-6 for microvolts read as volts)."""
    return 10.0 ** (3 * round(np.log10(2e-5 / amplitude) / 3))


#: Powers of 1000 of a volt: the ``units=`` name arrays take (None: none) and the word.
_VOLT_MULTIPLES = {
    1.0: ("V", "volts"),
    1e-3: ("mV", "millivolts"),
    1e-6: ("uV", "microvolts"),
    1e-9: (None, "nanovolts"),
}


def _volt_multiple(factor: float | None) -> tuple[str | None, str]:
    """``(units= name or None, word)`` of a power of 1000 of a volt; ``(None, "")`` else."""
    return next(
        (v for f, v in _VOLT_MULTIPLES.items() if factor and math.isclose(factor, f)), (None, "")
    )


#: While a file of a corpus run is read (:func:`corpus_file`): ``"manifest"`` where the run's
#: input is a manifest, ``"listing"`` for other inputs (a folder, a glob, files); ``""``
#: outside a corpus run. ``--rescale`` there changes every file of the run.
_CORPUS_FILE: contextvars.ContextVar[str] = contextvars.ContextVar("eegpt_corpus_file", default="")


@contextlib.contextmanager
def corpus_file(manifest: bool = True) -> Iterator[None]:
    """Inside the block, the checks advise corrections as for one file of a corpus run
    (:func:`eegpt.embed_dataset`), whose input is a manifest (``manifest``: its ``rescale``
    column rather than ``--rescale``) or not (``--rescale`` for every file, or a manifest)."""
    token = _CORPUS_FILE.set("manifest" if manifest else "listing")
    try:
        yield
    finally:
        _CORPUS_FILE.reset(token)


def _rescale_option(fix: float) -> str:
    """Where to give the factor ``fix`` that rescales a file's samples as read: ``--rescale``,
    or in a corpus run (:func:`corpus_file`) the file's row of its manifest, or where the run
    has none, ``--rescale`` for every file or a manifest that sets it for this one."""
    corpus = _CORPUS_FILE.get()
    if corpus == "manifest":
        return (
            f"{fix:g} in the manifest's rescale column for this file (or --rescale {fix:g} if "
            "every file of the run needs it)"
        )
    if corpus:
        return (
            f"--rescale {fix:g} if every file of the run needs it (it rescales them all), or "
            f"embed from a manifest (.csv with a path column) whose rescale column gives {fix:g} "
            "for this file"
        )
    return f"--rescale {fix:g} on the command line"


def _scale_advice(fix: float) -> str:
    """``PreprocessingConfig(scale=...)`` that rescales the samples by ``fix``, with how its
    number comes about (the default scale, volts to the model's millivolts, times ``fix``), so
    that it does not look at odds with ``--rescale {fix}``."""
    return (
        f"PreprocessingConfig(scale={fix * PRETRAINING_SCALE:g}) (the default scale "
        f"{PRETRAINING_SCALE:g}, volts to the model's millivolts, times {fix:g})"
    )


def _arrays_unit_advice(source: str, unit: str | None) -> str:
    """The end of the amplitude warning for samples that look like ``unit`` (``"uV"``,
    ``"mV"``) labelled as volts: NumPy arrays can be given their unit; an ``.npz`` of epochs
    arrays (``source``), which eegpt reads in the unit its ``units`` entry names, simplest by
    storing that entry."""
    arrays = f"give NumPy arrays their unit (model.embed(x, ..., units={unit!r}))"
    if source.lower().endswith(".npz"):
        return (
            f", or (simplest) store the unit in the .npz: np.savez({Path(source).name!r}, X=X, "
            f"ch_names=ch_names, sfreq=sfreq, units={unit!r}, ...), which eegpt embed and the "
            f"probe commands read; or {arrays}"
        )
    return f", or {arrays}"


def _stream_units_advice(unit: str) -> str:
    """What the amplitude warning of a live stream (an :class:`~eegpt.online.OnlineEmbedder`,
    whose first window alone is checked) adds to ``pass units=...``: to whom, and that every
    window of the embedder is scaled so until it is made again."""
    return (
        f" when making the embedder (OnlineEmbedder(model, ch_names, sfreq, units={unit!r}) or "
        f"probe.online(ch_names, sfreq, units={unit!r})): this one is not checked again, and "
        "scales every window so until it is made again"
    )


def _check_amplitude(
    deviation: np.ndarray,
    flat: np.ndarray,
    names: Sequence[str],
    source: str,
    gain: float,
    array_units: str | None = None,
    *,
    epochs: np.ndarray | None = None,
    stated: str | None = None,
    profile: np.ndarray | None = None,
) -> None:
    """Warn when the typical deviation (volts, after the ``gain`` correction) is outside scalp
    EEG's range, overall or for single channels, and say which correction would fit: for
    array input declared in ``array_units``, the ``units=`` that fits where one does. Where
    the file's header states the channels' unit (``stated``, :func:`stated_unit`), an
    amplitude too large is the signal's own (artefacts), not a wrong unit: the warning says so
    and advises artefact removal, filtering or leaving channels out instead of a rescaling
    (unless one was given: ``gain`` other than 1). For
    epochs, ``epochs`` (shape (n_epochs,), volts after ``gain``: each epoch's typical
    deviation) first: epochs in another unit than the others are warned of instead
    (:func:`_check_epoch_scales`) in place of the whole input's correction, as no one
    correction fits them all; the channels are checked all the same (``profile``: the epochs'
    deviations per channel, shape (n_epochs, n_channels), for :func:`_check_epoch_scales`).
    Where the median channel is in range, channels outside it and channels
    :data:`ODD_CHANNEL_RATIO` times above it (an electrode off, full of mains hum) are named."""
    mixed_epochs = epochs is not None and _check_epoch_scales(
        epochs, source, gain, array_units, stated=stated, profile=profile
    )
    amplitude = float(np.median(deviation))
    corrected = "" if gain == 1.0 else f" after rescaling by {gain:g}"
    artefact = TOO_LARGE < amplitude <= ARTEFACT_LARGEST
    if artefact and stated == "mV" and gain == 1.0 and not mixed_epochs:
        if _warn_microvolts_as_millivolts(deviation, flat, amplitude, source):
            return
    if artefact and stated and gain == 1.0 and not mixed_epochs:
        large = (deviation > TOO_LARGE) & ~flat
        fine = (deviation >= TOO_SMALL) & (deviation <= TOO_LARGE) & ~flat
        wrong = [names[i] for i in _indices(large)]
        right = [names[i] for i in _indices(fine)]
        also = (
            f" ({few(right, 5)} {'is' if len(right) == 1 else 'are'} in scalp EEG's range, "
            f"the other {len(wrong)} channel(s) far above it)"
            if right
            else ""
        )
        _warn(
            f"{source}: amplitude check: the typical deviation is {amplitude:.3g} V, but scalp "
            f"EEG is about 1e-5 to 1e-4 V{also}. The file header states the channels' unit "
            f"({stated}), which MNE converted to volts, so the signal itself is this large: "
            f"most likely {_ARTEFACTS}, not a wrong unit. "
            f"{_artefact_advice(stated, how_to_drop(wrong))}."
        )
        return
    if amplitude > TOO_LARGE or amplitude < TOO_SMALL:
        if mixed_epochs:  # said: no one correction for the whole input fits, and the median
            # channel is out of range through the epochs: channels are named by it instead
            with np.errstate(divide="ignore", invalid="ignore"):
                off = np.abs(np.log10(deviation / amplitude)) >= ODD_CHANNEL_POWERS
            _name_odd_channels(off & ~flat, deviation, names, source, corrected, amplitude)
            return
        fix = gain * _unit_fix(amplitude) if amplitude > 0 else None  # 0: mostly constant
        fine = (deviation >= TOO_SMALL) & (deviation <= TOO_LARGE) & ~flat
        if array_units and fix and gain == 1.0 and not fine.any():
            unit, word = _volt_multiple(UNITS[array_units] * fix)
            if unit:
                _warn(
                    f"{source}: amplitude check: the typical deviation is {amplitude:.3g} V "
                    f"(read with units={array_units!r}), but scalp EEG is about 1e-5 to 1e-4 V. "
                    f"The samples look like {word}: pass units={unit!r}"
                    f"{_stream_units_advice(unit) if source == '<stream>' else ''}."
                )
                return
        unit, word = _volt_multiple(fix) if fix and fix < 0.5 else (None, "")
        inst = "raw" if epochs is None else "epochs"  # the MNE object to rescale in Python
        what = (
            f"The rescaling by {gain:g} does not fit them"
            if fix and gain != 1.0 and np.isclose(fix, 1.0)
            else f"The data look like {word} labelled as volts"
            if amplitude > TOO_LARGE and word
            else f"The data look about {1 / fix:.0e} times too large"
            if amplitude > TOO_LARGE and fix
            else "The data may be scaled wrong (e.g. volts divided by 1e6 twice)"
        )
        how = (
            "check the file's scaling"
            if fix is None
            else "leave out the rescaling (--rescale / scale): the file's own unit fits"
            if np.isclose(fix, 1.0) and gain != 1.0
            else f"rescale the samples as read by {fix:g}: {_rescale_option(fix)}; in Python "
            f"{inst}.apply_function(lambda x: x * {fix:g}) before use, or {_scale_advice(fix)} "
            "for embeddings"
            if gain == 1.0
            else f"rescale the samples as read by {fix:g} in all, not {gain:g}: "
            f"{_rescale_option(fix)} (a manifest's rescale column multiplies with --rescale: "
            f"give one of the two); in Python {_scale_advice(fix)}"
        )
        # values in micro- or millivolts: arrays can say so instead
        arrays = _arrays_unit_advice(source, unit)
        mixed = ""
        if fix and fine.any():  # a header's unit wrong for some channels only
            right = [names[i] for i in _indices(fine)]
            wrong = [names[i] for i in _indices(~fine & ~flat)]
            mixed = (
                f" But {few(right, 5)} {'is' if len(right) == 1 else 'are'} in scalp EEG's range "
                f"already, and one factor for all would put {'it' if len(right) == 1 else 'them'} "
                "out of it: rescale only the "
                f"others (in Python {inst}.apply_function(lambda x: x * {fix:g}, "
                f"picks={wrong[:5]!r}"
                f"{' ...' if len(wrong) > 5 else ''})) or leave them out "
                f"({how_to_drop(wrong)})."
            )
        _warn(
            f"{source}: amplitude check: the typical deviation is {amplitude:.3g} V"
            f"{corrected}, but scalp EEG is about 1e-5 to 1e-4 V. {what}. If so, {how}"
            f"{arrays if unit in ('mV', 'uV') else ''}.{mixed}"
        )
        return
    outside = (deviation > TOO_LARGE) | (deviation < TOO_SMALL)
    far_above = deviation > ODD_CHANNEL_RATIO * amplitude  # an electrode off, full of mains hum
    odd = (outside | far_above) & ~flat
    _name_odd_channels(odd, deviation, names, source, corrected, amplitude,
                       in_range=bool(outside[odd].all()),
                       stated=stated if gain == 1.0 else None)  # fmt: skip


def _warn_microvolts_as_millivolts(
    deviation: np.ndarray, flat: np.ndarray, amplitude: float, source: str
) -> bool:
    """Under a header's mV, warn where most channels that are not flat (``flat``, shape
    (n_channels,)) have a typical deviation (``deviation``, shape (n_channels,), volts)
    about 1000x scalp EEG's, scalp EEG's range once divided by 1000: samples in µV labelled
    mV, a wrong unit in the header rather than artefacts, which seldom lift every channel by
    the same factor. Says so with ``--rescale 0.001``; returns whether it warned."""
    live = ~flat
    thousandfold = (
        live
        & (deviation > TOO_LARGE)
        & (deviation * 1e-3 >= TOO_SMALL)
        & (deviation * 1e-3 <= TOO_LARGE)
    )
    if not live.any() or thousandfold.sum() * 2 <= live.sum():
        return False
    fix = 1e-3
    _warn(
        f"{source}: amplitude check: the typical deviation is {amplitude:.3g} V, but scalp "
        f"EEG is about 1e-5 to 1e-4 V: {int(thousandfold.sum())} of {int(live.sum())} "
        "channels are about 1000 times above it. The file header states their unit (mV), "
        "and samples in µV labelled mV read exactly this large: the header's unit is likely "
        f"wrong. If so, rescale the samples as read by {fix:g}: {_rescale_option(fix)}; in "
        f"Python raw.apply_function(lambda x: x * {fix:g}) before use, or "
        f"{_scale_advice(fix)} for embeddings. If the header is right, the signal itself is "
        f"this large ({_ARTEFACTS}): remove the artefacts before embedding."
    )
    return True


#: Powers of ten by which a channel's typical deviation may differ from the median channel's
#: before it is named as scaled wrong when the epochs mix units (:func:`_check_amplitude`):
#: scalp EEG's range is then no measure, the whole input being off it.
ODD_CHANNEL_POWERS = 2.0
#: times the median channel's typical deviation above which a channel is named as odd though
#: in scalp EEG's range (:func:`_check_amplitude`): an electrode off, full of mains hum (300 µV
#: against 10 µV); channels of ordinary EEG differ by a few times at most
ODD_CHANNEL_RATIO = 20.0


def _name_odd_channels(
    odd: np.ndarray,
    deviation: np.ndarray,
    names: Sequence[str],
    source: str,
    corrected: str,
    amplitude: float,
    *,
    in_range: bool = False,
    stated: str | None = None,
) -> None:
    """Warn of the channels where ``odd`` (shape (n_channels,)) is True, whose typical
    deviation (``deviation``, shape (n_channels,), volts) is far from the median channel's
    ``amplitude`` (volts) and, where ``in_range``, from scalp EEG's range: probably scaled
    wrong, or where the header states their unit (``stated``) and they are all larger,
    artefacts. ``corrected``: how the amplitudes were rescaled, said after "deviation"."""
    if not odd.any():
        return
    detail = few([f"{names[i]} ({deviation[i]:.3g} V)" for i in _indices(odd)], DROP_ADVICE_NAMES)
    scalp = " and from the 1e-5 to 1e-4 V of scalp EEG" if in_range else ""
    if stated and ((deviation[odd] > amplitude) & (deviation[odd] <= ARTEFACT_LARGEST)).all():
        _warn(
            f"{source}: amplitude check: channel(s) {detail} have a typical deviation far "
            f"above the other channels' {amplitude:.3g} V{scalp}. The file "
            f"header states their unit ({stated}), so the signal itself is this large: most "
            f"likely {_ARTEFACTS} or not EEG. "
            f"{_artefact_advice(stated, how_to_drop([names[i] for i in _indices(odd)]))}."
        )
        return
    _warn(
        f"{source}: amplitude check: channel(s) {detail} have a typical deviation{corrected} "
        f"far from the other channels' {amplitude:.3g} V{scalp}. They are probably scaled "
        "wrong (a wrong unit in the file header?), disconnected (an electrode off picks up "
        f"mains hum) or not EEG; exclude them ({how_to_drop([names[i] for i in _indices(odd)])}) or fix "
        "their scaling."
    )


def _epochs_text(mask: np.ndarray, limit: int = 4) -> str:
    """``"epochs 18-20 (3 of 21)"``, ``"epoch 5"``: the epochs where ``mask`` (shape
    (n_epochs,)) is True, counting from 0, as runs of consecutive indices (the first
    ``limit`` runs, then how many epochs more)."""
    at = np.flatnonzero(mask)
    if len(at) == 1:
        return f"epoch {at[0]}"
    runs = np.split(at, np.flatnonzero(np.diff(at) > 1) + 1)
    shown = [f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs[:limit]]
    rest = sum(len(r) for r in runs[limit:])
    more = f" and {rest} more" if rest else ""
    return f"epochs {', '.join(shown)}{more} ({len(at)} of {len(mask)})"


#: Powers of ten between consecutive epochs' typical deviations (sorted) that part two groups
#: of epochs (:func:`_reference_epoch_deviation`): a unit apart is 3, an epoch's own
#: variability (artefacts, lead-off) mostly less than 1
EPOCH_GROUP_GAP = 1.5


def _reference_epoch_deviation(deviation: np.ndarray) -> float:
    """The typical deviation the epochs are compared with (volts), of ``deviation`` (shape
    (n_measured,), volts, all > 0): the epochs sorted by it and parted into groups wherever
    consecutive ones lie more than :data:`EPOCH_GROUP_GAP` powers of ten apart; the median of
    the largest group, and of equally large ones, of the one nearest scalp EEG's ~2e-5 V. The
    whole input's median lands between two groups of epochs about as large (subjects
    concatenated, half in another unit), where it is neither's."""
    ordered = np.sort(deviation)
    cuts = np.flatnonzero(np.diff(np.log10(ordered)) > EPOCH_GROUP_GAP) + 1
    groups = np.split(ordered, cuts)
    size = max(len(g) for g in groups)
    centers = [float(np.median(g)) for g in groups if len(g) == size]
    return min(centers, key=lambda c: abs(math.log10(c / 2e-5)))


#: Correlation over channels (of their log deviations, each less its median) from which odd
#: epochs keep the others' channel profile, and the spread of that profile (powers of ten,
#: standard deviation) below which channels alike give none to keep
PROFILE_CORRELATION, PROFILE_SPREAD = 0.8, 0.1


def _keeps_channel_profile(profile: np.ndarray, odd: np.ndarray, others: np.ndarray) -> bool:
    """Whether the epochs ``odd`` (bool, shape (n_epochs,)) keep the profile over channels
    of the epochs ``others``: the median over each group's epochs of each channel's log
    deviation (``profile``, shape (n_epochs, n_channels), volts), each less its median over
    channels, correlate (:data:`PROFILE_CORRELATION`), where the others' channels differ
    enough to tell (:data:`PROFILE_SPREAD`). Samples in another unit keep it (one factor on
    every channel); a disconnected amplifier's noise does not."""
    if not odd.any() or not others.any():
        return False
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(profile.astype(np.float64))
    logs[~np.isfinite(logs)] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN channels
        a, b = np.nanmedian(logs[odd], axis=0), np.nanmedian(logs[others], axis=0)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 4:
        return False
    a, b = a[ok] - np.median(a[ok]), b[ok] - np.median(b[ok])
    if np.std(b) < PROFILE_SPREAD or np.std(a) == 0:
        return False
    return float(np.corrcoef(a, b)[0, 1]) >= PROFILE_CORRELATION


def _check_epoch_scales(
    deviation: np.ndarray,
    source: str,
    gain: float,
    array_units: str | None,
    *,
    stated: str | None = None,
    profile: np.ndarray | None = None,
) -> bool:
    """Warn when some epochs are in another unit than the others (e.g. subjects concatenated,
    some in microvolts), which the whole input's median hides: their typical deviation
    (``deviation``: shape (n_epochs,), volts after the ``gain`` correction;
    :attr:`SignalStats.epoch_deviation <eegpt.signal_stats.SignalStats.epoch_deviation>`) is 1e3 or
    1e6 times the reference epochs' (:func:`_reference_epoch_deviation`: the largest group of
    epochs alike, not the whole input's median, which two groups about as large put between
    them), or as many times less (within :data:`EPOCH_UNIT_TOLERANCE` powers
    of ten), they land in scalp EEG's range (``TOO_SMALL`` .. ``TOO_LARGE`` volts) put on the
    others' scale or the others do on
    theirs, and both read as volt multiples of the declared unit (V, mV, µV; nV for epochs
    1000x larger than the others: no artefact is that exactly). Flat epochs and artefacts of
    other ratios (400x) are left out. Epochs a thousandth of the others below
    ``TOO_SMALL`` (1e-8 V among 1e-5 V) are either disconnected or millivolts among microvolts,
    which amplitude cannot tell apart: they are warned of as either, with the fix for each,
    unless they keep the others' profile over the channels (``profile``: each epoch's
    deviation per channel, shape (n_epochs, n_channels); :func:`_keeps_channel_profile`),
    which a unit does and a disconnected amplifier's noise does not: then another unit.
    Returns whether it warned of epochs in another unit for sure: one ``units=`` or rescaling
    for the whole input then fits none of it, and is not advised (it still is where the only
    odd epochs may be disconnected instead). Where the file's header states the channels' unit
    (``stated``, :func:`stated_unit`), epochs cannot be in another unit: the odd ones are
    warned of as artefacts (larger) or disconnected (smaller), and False is returned."""
    measured = np.isfinite(deviation) & (deviation > FLAT_STD)
    if measured.sum() < 2:
        return False
    typical = _reference_epoch_deviation(deviation[measured])
    base = UNITS[array_units] if array_units else 1.0  # volts per unit of the samples as read

    def unit(amplitude: float) -> str:  # the unit that puts it in scalp EEG's range
        factor = base * gain * _unit_fix(amplitude)
        name = "nV" if math.isclose(factor, 1e-9) else _volt_multiple(factor)[0]
        return {"uV": "µV"}.get(name or "", name or "")

    def in_range(amplitude: np.ndarray | float) -> np.ndarray:
        return (TOO_SMALL <= np.asarray(amplitude)) & (np.asarray(amplitude) <= TOO_LARGE)

    with np.errstate(divide="ignore", invalid="ignore"):
        power = np.log10(deviation / typical)  # NaN or -inf where not measured
    thousands = np.round(np.nan_to_num(power, nan=0.0, neginf=0.0) / 3)  # 0, ±1, ±2
    factor = 10.0 ** (3 * thousands)  # the odd epochs' scale over the others'
    unit_mix = (
        measured
        & (thousands != 0)
        & (np.abs(thousands) <= 2)
        & (np.abs(power - 3 * thousands) <= EPOCH_UNIT_TOLERANCE)
        & (in_range(deviation / factor) | in_range(deviation))
    )
    # V, mV, µV among V, mV, µV (and nanovolts among them: 1000x larger than the others, as
    # no artefact is exactly): no kV, and no nV read smaller still
    unit_mix &= np.array(
        [
            bool(m and unit(typical) and (unit(d) not in ("", "nV") or (unit(d) and k > 0)))
            for d, m, k in zip(deviation.tolist(), unit_mix.tolist(), thousands.tolist(),
                               strict=True)
        ],
        dtype=bool,
    )  # fmt: skip
    # a thousandth of the others below scalp EEG's range (30 nV among 20 µV): an amplifier
    # disconnected, or millivolts among microvolts (whichever unit is declared, which only
    # renames the units): amplitude cannot tell them apart, the warning names both
    either = unit_mix & (thousands == -1) & (deviation < TOO_SMALL)
    if either.any() and profile is not None:
        alike = measured & ~unit_mix
        if _keeps_channel_profile(profile, either, alike):
            either = np.zeros_like(either)  # a unit for sure: among the smaller ones
    larger = unit_mix & (thousands > 0)
    smaller = unit_mix & (thousands < 0) & ~either
    if not (larger.any() or smaller.any() or either.any()):
        return False
    if stated:  # one unit for the whole file: no epoch is in another
        odd_epochs = [
            f"{_epochs_text(mask)} {'is' if mask.sum() == 1 else 'are'} ~1e3 times or more "
            f"{word} than the others ({float(np.median(deviation[mask])):.3g} V against "
            f"{typical:.3g} V): {why}"
            for mask, word, why in (
                (larger, "larger", _ARTEFACTS),
                (smaller | either, "smaller", "an amplifier or electrodes disconnected"),
            )
            if mask.any()
        ]
        _warn(
            f"{source}: amplitude check: {'; '.join(odd_epochs)}. The file header states the "
            f"channels' unit ({stated}), so these are not in another unit: leave those epochs "
            "out or remove the artefacts before embedding."
        )
        return False
    others = measured & ~larger & ~smaller & ~either

    odd, fixes = [], []
    for mask, word in ((larger, "larger"), (smaller, "smaller")):
        if mask.any():
            amplitude = float(np.median(deviation[mask]))
            times = 3 * abs(round(math.log10(amplitude / typical) / 3))
            odd.append(
                f"{_epochs_text(mask)} {'is' if mask.sum() == 1 else 'are'} ~1e{times} "
                f"times {word} than the others ({amplitude:.3g} V against {typical:.3g} V"
                f"{'' if gain == 1.0 else f' after rescaling by {gain:g}'}): another unit "
                f"({unit(amplitude)} among {unit(typical)})"
            )
    for mask in (larger, smaller, others):
        amplitude = float(np.median(deviation[mask])) if mask.any() else typical
        if mask.any() and not TOO_SMALL <= amplitude <= TOO_LARGE:
            fixes.append(f"{_epochs_text(mask)} by {gain * _unit_fix(amplitude):g}")
    declared = f" (read with units={array_units!r})" if array_units else ""
    if either.any():
        amplitude = float(np.median(deviation[either]))
        they = "it is" if either.sum() == 1 else "they are"
        odd.append(
            f"{_epochs_text(either)} {'is' if either.sum() == 1 else 'are'} ~1e3 times smaller "
            f"than the others ({amplitude:.3g} V against {typical:.3g} V"
            f"{'' if gain == 1.0 else f' after rescaling by {gain:g}'}): disconnected "
            f"(amplifier or electrodes off), or another unit ({unit(amplitude)} among "
            f"{unit(typical)})?"
        )
        maybe = (
            f"if {they} in {unit(amplitude)}, multiply {_epochs_text(either)} by "
            f"{gain * 1e3 * _unit_fix(typical):g} (x[indices] *= factor); if "
            f"disconnected, leave {'it' if either.sum() == 1 else 'them'} out"
        )
        if not (larger.any() or smaller.any()):  # perhaps no unit mix: the whole input's
            # advice (units=, rescaling), which fits the others, is given all the same
            _warn(
                f"{source}: amplitude check: the epochs mix scales{declared}: {odd[0]} "
                f"{maybe[0].upper()}{maybe[1:]}."
            )
            return False
        odd[-1] += f" ({maybe})"
    how = (
        f"multiply {'; '.join(fixes)} (x[indices] *= factor) to bring every epoch into scalp "
        "EEG's range of about 1e-5 to 1e-4 V"
        if fixes
        else "check which of them are scaled right"
    )
    _warn(
        f"{source}: amplitude check: the epochs mix scales{declared}: {'; '.join(odd)}. One "
        "unit or rescaling for the whole input cannot fit them all: "
        f"{how}, or leave the odd epochs out."
    )
    return True
