"""Per-channel statistics of a signal in volts, accumulated chunk by chunk.

:class:`SignalStats` summarises a continuous signal of shape (n_channels, n_times), fed whole
or in consecutive chunks of shape (n_channels, n_samples), or epochs of shape (n_epochs,
n_channels, n_times): each channel's extremes and the samples at them, mean and standard
deviation, NaN/Inf samples (those inside bad spans apart) and their gaps (:class:`NonfiniteGaps`), flat
segments (in samples), and a subsample (at most 100 000 samples a channel) for robust amplitudes in volts (median, median
absolute deviation, :func:`robust_amplitude`). What :mod:`eegpt.signal_checks` judges. Its
rows' detrending in place (``_detrend_rows``, float64 of shape (..., n_samples)) also detrends
each window (:func:`eegpt.windowing.detrend_windows`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eegpt.annotations import BadSpans
from eegpt.resampling import line_over_finite

_MAX_CHECK_SAMPLES = 100_000  # per channel, for the robust amplitude estimate
#: Samples (all channels) of the epochs :meth:`SignalStats.of` takes at a time: bounds the
#: copies its statistics make of epochs held whole (a probe's windows at the recording's rate).
_STATS_BLOCK_SAMPLES = 2**22
_LOCAL_RUN = 256  # subsample points per run of SignalStats.local_deviation
#: Bytes of a chunk's rows :class:`SignalStats` reads at a time for the statistics of each
#: row (a block that stays in the processor's cache while they are computed)
_STATS_CACHE_BYTES = 2**19


def _detrend_rows(seg: np.ndarray, how: str) -> None:
    """Detrend each row (last axis) of ``seg`` (float64, C-ordered, shape (..., n)) in place:
    less its mean (``"constant"``) or least-squares line (``"linear"``). The lines are taken
    off a block of rows at a time (:data:`_STATS_CACHE_BYTES`), without an array of their
    values the size of ``seg``."""
    seg -= seg.mean(axis=-1, keepdims=True)
    n = seg.shape[-1]
    if how == "linear" and n > 1:
        t = np.arange(n, dtype=np.float64) - (n - 1) / 2
        slope = (seg @ t / (t @ t)).reshape(-1, 1)
        if not seg.flags.c_contiguous:  # no view of its rows to change in place
            seg -= slope.reshape(seg.shape[:-1] + (1,)) * t
            return
        rows, step = seg.reshape(-1, n), max(1, _STATS_CACHE_BYTES // (8 * n))
        for at in range(0, len(rows), step):
            rows[at : at + step] -= slope[at : at + step] * t


#: Gaps (runs of NaN/Inf samples) :class:`NonfiniteGaps` keeps with their channels, besides
#: the last: the messages name a few and count the others
GAPS_KEPT = 8


@dataclass(eq=False)
class NonfiniteGaps:
    """The gaps of a signal fed in time order: runs of consecutive samples each of which is
    NaN or infinite in at least one channel. The first :data:`GAPS_KEPT` and the last are
    kept, as ``(first sample, last sample, channels)`` (samples from the first one, the last
    inclusive; channels: bool of shape (n_channels,), those holding such a sample in the
    run), and all are counted: memory stays bounded however many there are."""

    #: the first gaps (at most GAPS_KEPT), in time order
    first: list[tuple[int, int, np.ndarray]] = field(default_factory=list)
    #: the last gap so far, the one the next chunk may continue (None: none yet)
    last: tuple[int, int, np.ndarray] | None = None
    #: gaps in all
    count: int = 0

    def add(self, at: np.ndarray, hit: np.ndarray) -> None:
        """Add the samples ``at`` (ascending sample numbers, shape (k,), after those added
        before) that are NaN/Inf in the channels ``hit`` (bool, shape (n_channels, k)): a run
        that continues the last gap is part of it."""
        if not len(at):
            return
        breaks = np.flatnonzero(np.diff(at) > 1) + 1
        starts, stops = np.r_[0, breaks], np.r_[breaks, len(at)]
        n = len(starts)
        picked = [*range(min(n, GAPS_KEPT)), *([n - 1] if n > GAPS_KEPT else [])]
        runs = [
            (int(at[a]), int(at[b - 1]), np.asarray(hit[:, a:b].any(axis=1)))
            for a, b in zip(starts[picked], stops[picked], strict=True)
        ]
        if self.last is not None and self.last[1] + 1 == runs[0][0]:  # the same gap goes on
            a, _, channels = self.last
            runs[0] = (a, runs[0][1], channels | runs[0][2])
            if self.first and self.first[-1][0] == a:
                self.first[-1] = runs[0]
            self.count -= 1
        self.count += n
        for run in runs:
            if len(self.first) < GAPS_KEPT and (not self.first or run[0] > self.first[-1][0]):
                self.first.append(run)
        self.last = runs[-1]


@dataclass(eq=False)
class SignalStats:
    """Per-channel summary of a signal in volts, accumulated time chunk by time chunk.

    Feeding a whole signal at once or in consecutive chunks gives the same extremes, counts and
    amplitude subsample (means and deviations agree to rounding), so a streamed file is checked
    exactly like one loaded whole. NaN/Inf samples are counted (:attr:`nonfinite`) and take no
    part in anything else: extremes, means, deviations and the amplitude subsample are those of
    the finite samples, and a segment holding one is not judged flat.

    Parameters
    ----------
    n_channels : int
    n_total : int
        Samples per channel that will be fed in all (sets the subsampling stride of the
        amplitude estimate: at most 100 000 samples per channel are kept).
    segment : int
        Samples per segment of the partly-flat check (1 s of the recording; 0: none): each
        channel's whole segments with zero peak-to-peak are counted (:attr:`flat_segments`).
    bad_spans, sfreq : BadSpans | None, float
        Spans under annotations marked bad and the sampling rate (Hz) that places the samples
        in them: NaN/Inf samples inside them are counted apart (:attr:`nonfinite_in_bad`).
        When their windows are left out (``bad_spans.reject``), a segment with a sample inside
        them is not judged flat either, and its samples take no part in the extremes and the
        counts at them (the clipping check) nor in the amplitude subsample (medians and
        deviations: the amplitude and offset checks): every window that holds them is left
        out.
    """

    n_channels: int
    n_total: int
    n: int = 0
    segment: int = field(default=0, kw_only=True)
    bad_spans: BadSpans | None = field(default=None, kw_only=True, repr=False)
    sfreq: float = field(default=0.0, kw_only=True)
    mean: np.ndarray = field(init=False)
    m2: np.ndarray = field(init=False)
    minimum: np.ndarray = field(init=False)
    maximum: np.ndarray = field(init=False)
    n_at_min: np.ndarray = field(init=False)
    n_at_max: np.ndarray = field(init=False)
    #: per side (0: low, 1: high) and channel, shape (2, n_channels): the rail, the most
    #: extreme value that at most :data:`CLIP_OUTLIERS` samples lie beyond (the minimum or
    #: maximum, but where a spike or two passes the samples held at a clipped value), and how
    #: many samples sit at it; of the samples :attr:`judged_count` counts (-inf/inf: fewer)
    rail: np.ndarray = field(init=False)
    n_at_rail: np.ndarray = field(init=False)
    #: per side and channel, shape (2, n_channels, CLIP_OUTLIERS + 1): the most extreme
    #: samples so far (of the high side; of the low side negated), the rail the least of them
    _top: np.ndarray = field(init=False, repr=False)
    nonfinite: np.ndarray = field(init=False)
    #: per channel: finite samples, those the means and deviations are of
    count: np.ndarray = field(init=False)
    #: per channel: finite samples the extremes (and their counts) are of: those outside the
    #: bad spans whose windows are left out (``bad_spans.reject``), all of them without
    judged_count: np.ndarray = field(init=False)
    #: first and last sample (any channel) that is NaN or infinite, counted as fed in
    nonfinite_span: tuple[int, int] | None = field(init=False, default=None)
    #: epochs holding such samples, when the statistics are of epochs (:meth:`of`)
    nonfinite_epochs: np.ndarray | None = field(init=False, default=None)
    #: per epoch, when the statistics are of epochs (:meth:`of`): its typical deviation
    #: (volts; the median over channels of :func:`_epoch_channel_deviation`),
    #: which tells epochs in another unit among the others; None for other statistics and for
    #: epochs with NaN/Inf samples (refused by the checks)
    epoch_deviation: np.ndarray | None = field(init=False, default=None)
    #: per epoch and channel, when the statistics are of epochs (:meth:`of`): whole segments of
    #: zero peak-to-peak (:attr:`epoch_segment` samples each), shape (n_epochs, n_channels);
    #: None for other statistics
    epoch_flat: np.ndarray | None = field(init=False, default=None)
    #: samples per segment of :attr:`epoch_flat`: 1 s at ``sfreq``, the whole epoch where it
    #: is shorter or the rate unknown (0: no epochs)
    epoch_segment: int = field(init=False, default=0)
    #: per epoch and channel, where :attr:`epoch_deviation` is set: the deviations it is the
    #: median of (volts, float32, shape (n_epochs, n_channels)): the channels' profile, which
    #: epochs in another unit keep and a disconnected amplifier's noise does not
    epoch_channel_deviation: np.ndarray | None = field(init=False, default=None, repr=False)
    #: per channel: how many of them lie inside ``bad_spans``
    nonfinite_in_bad: np.ndarray = field(init=False)
    #: first and last such sample outside ``bad_spans`` (all of them without spans)
    nonfinite_outside: tuple[int, int] | None = field(init=False, default=None)
    #: the runs of samples NaN/Inf in any channel (:class:`NonfiniteGaps`): all of them, and
    #: those outside ``bad_spans`` (all of them without spans), counted as fed
    nonfinite_gaps: NonfiniteGaps = field(init=False, default_factory=NonfiniteGaps)
    outside_gaps: NonfiniteGaps = field(init=False, default_factory=NonfiniteGaps)
    #: per channel: how many of those outside lie inside annotations that only mention "bad"
    #: (``bad_spans.misnamed``), and those annotations' descriptions
    nonfinite_misnamed: np.ndarray = field(init=False)
    misnamed: list[str] = field(init=False, default_factory=list)
    #: per channel: whole segments of zero peak-to-peak, and the first one (-1: none)
    flat_segments: np.ndarray = field(init=False)
    first_flat: np.ndarray = field(init=False)
    #: segments in which every channel is flat at once, and the first one (-1: none)
    all_flat_segments: int = field(init=False, default=0)
    first_all_flat: int = field(init=False, default=-1)
    #: per channel, then of every channel at once (the last entry): the first
    #: :data:`FLAT_RUNS_KEPT` stretches of consecutive flat segments, ``[first segment,
    #: segments]`` each, and how many stretches there are in all
    flat_runs: list[list[list[int]]] = field(init=False, repr=False)
    n_flat_runs: np.ndarray = field(init=False, repr=False)
    #: per stretch list: the segment after the last stretch's end (-1: none yet)
    _run_end: np.ndarray = field(init=False, repr=False)
    #: per side (0: minimum, 1: maximum) and channel, where ``segment`` is set: the first
    #: :data:`FLAT_RUNS_KEPT` stretches of samples at the channel's rail (:attr:`rail`, or
    #: past it: samples at it less than a segment apart join), ``[first sample, end sample)`` each, and how
    #: many there are; tracked where at least 2 samples sit at it
    rail_runs: list[list[list[list[int]]]] = field(init=False, repr=False)
    n_rail_runs: np.ndarray = field(init=False, repr=False)
    _rail_end: np.ndarray = field(init=False, repr=False)
    #: every stretch of :attr:`rail_runs` (not only the first few), per side and channel:
    #: arrays of ``[first sample, end sample, samples at the extreme]`` rows, shape (k, 3)
    #: each (:meth:`rail_spans`, :meth:`rail_held`)
    _rail_all: list[list[list[np.ndarray]]] = field(init=False, repr=False)
    #: beside each array of :attr:`_rail_all`, the stretches' samples' summed distance from
    #: the rail (volts) and how many of them are finite, shape (k, 2), and per side and channel
    #: the same of those after the last stretch's last sample at the extreme (:meth:`rail_reach`)
    _rail_far: list[list[list[np.ndarray]]] = field(init=False, repr=False)
    _rail_since: np.ndarray = field(init=False, repr=False)
    #: the flat segments of every channel (:meth:`flat_segments_of`): ``(first segment,
    #: flat)`` of each update that found any, ``flat`` bool of shape (n_channels, k)
    _flat_blocks: list[tuple[int, np.ndarray]] = field(init=False, repr=False)
    #: per mains frequency (:data:`MAINS`: 50, 60 Hz) and channel, shape (2, n_channels), where
    #: ``segment`` and ``sfreq`` are set (of epochs, :meth:`of`, where they last a second or
    #: more: their whole seconds, one after the other): each measured segment's share of its power at that
    #: frequency (1 for a pure sinusoid at it), summed over the segments measured (every
    #: :attr:`line_stride`-th, of finite samples that are not constant: :meth:`_measure_line`),
    #: whose count per channel is :attr:`line_measured`, so a second of loud hum weighs as
    #: much as any other second; NaN where the frequency lies too near the Nyquist frequency
    #: to be measured
    line_share: np.ndarray = field(init=False, repr=False)
    line_measured: np.ndarray = field(init=False, repr=False)
    #: the amplitude subsample: a float64 array of room for n_total samples' worth, filled
    #: from the left (``_n_kept`` of them), and any chunks kept beyond it or of another type
    _kept: np.ndarray | None = field(init=False, repr=False, default=None)
    _n_kept: int = field(init=False, repr=False, default=0)
    #: whether samples inside bad spans whose windows are left out are in the subsample's
    #: reach (NaN there: they take no part in the amplitudes and offsets)
    _sample_gaps: bool = field(init=False, repr=False, default=False)
    _sample: list[np.ndarray] = field(init=False, repr=False)
    #: float64 room for a copy of the subsample, reused by its statistics (one allocation)
    _work: np.ndarray | None = field(init=False, repr=False, default=None)
    #: the samples of the segment the last chunk left open (shape (n_channels, k < segment))
    _segment_rest: np.ndarray | None = field(init=False, repr=False)
    #: the median and deviation (:meth:`_center`), and the samples fed when computed (-1: not)
    _center_value: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False)
    _center_of: int = field(init=False, repr=False, default=-1)

    def __post_init__(self) -> None:
        c = self.n_channels
        self.mean, self.m2 = np.zeros(c), np.zeros(c)
        self.minimum, self.maximum = np.full(c, np.inf), np.full(c, -np.inf)
        self.n_at_min, self.n_at_max = np.zeros(c, np.int64), np.zeros(c, np.int64)
        self.rail = np.stack([np.full(c, np.inf), np.full(c, -np.inf)])
        self.n_at_rail = np.zeros((2, c), np.int64)
        self._top = np.full((2, c, CLIP_OUTLIERS + 1), -np.inf)
        self.nonfinite, self.nonfinite_in_bad = np.zeros(c, np.int64), np.zeros(c, np.int64)
        self.count, self.nonfinite_misnamed = np.zeros(c, np.int64), np.zeros(c, np.int64)
        self.judged_count = np.zeros(c, np.int64)
        self.flat_segments, self.first_flat = np.zeros(c, np.int64), np.full(c, -1, np.int64)
        self.flat_runs = [[] for _ in range(c + 1)]
        self.rail_runs = [[[] for _ in range(c)] for _ in range(2)]
        self._rail_all = [[[] for _ in range(c)] for _ in range(2)]
        self._rail_far = [[[] for _ in range(c)] for _ in range(2)]
        self._rail_since = np.zeros((2, c, 2))
        self._flat_blocks = []
        self.line_share, self.line_measured = np.zeros((len(MAINS), c)), np.zeros(c, np.int64)
        self._line_kernel: np.ndarray | None = None
        self.n_rail_runs, self._rail_end = np.zeros((2, c), np.int64), np.full((2, c), -1)
        self.n_flat_runs, self._run_end = np.zeros(c + 1, np.int64), np.full(c + 1, -1, np.int64)
        self._sample, self._segment_rest = [], None

    @classmethod
    def of(
        cls,
        x: np.ndarray,
        segment: int = 0,
        *,
        bad_spans: BadSpans | None = None,
        sfreq: float = 0.0,
        bad: np.ndarray | None = None,
    ) -> SignalStats:
        """Statistics of ``x``, shape (n_channels, n_times) or (n_epochs, n_channels, n_times)
        (``segment``, ``bad_spans`` and ``sfreq``: see the class; for a continuous ``x``).
        ``bad``: ``~np.isfinite(x)`` of a continuous ``x``, where the caller has it already."""
        if x.ndim == 3:
            return cls._of_epochs(x, sfreq)
        stats = cls(x.shape[0], x.shape[1], segment=segment, bad_spans=bad_spans, sfreq=sfreq)
        stats.update(x, bad)
        return stats

    @classmethod
    def _of_epochs(cls, x: np.ndarray, sfreq: float = 0.0) -> SignalStats:
        """Statistics of epochs ``x`` (n_epochs, n_channels, n_times): each channel's epochs one
        after the other, as robust_amplitude always took them, fed a block of epochs at a time
        (at most :data:`_STATS_BLOCK_SAMPLES` samples): the extremes, counts and amplitude
        subsample of the whole at once, means and deviations to rounding, without a copy of
        all epochs (and its temporaries) beside ``x``."""
        n_epochs, n_channels, n_times = x.shape
        stats = cls(n_channels, n_epochs * n_times, sfreq=sfreq)
        step = max(1, _STATS_BLOCK_SAMPLES // max(1, n_channels * n_times))
        nonfinite = []
        segment = min(round(sfreq), n_times) if sfreq >= 1 else n_times
        stats.epoch_segment = segment
        stats.epoch_flat = np.zeros((n_epochs, n_channels), np.int64)
        # the mains hum of epochs of a second or more, in their whole seconds (as of a
        # continuous recording's); shorter epochs hold no second to measure
        per_epoch = n_times // segment if sfreq >= 1 and segment == round(sfreq) else 0
        for at in range(0, n_epochs, step):
            stats.epoch_flat[at : at + step] = _flat_segments(x[at : at + step], segment)
            if per_epoch:  # the seconds measured (every line_stride-th) alone, copied
                count = len(x[at : at + step]) * per_epoch
                picked = [g for g in range(at * per_epoch, at * per_epoch + count)
                          if g % stats.line_stride == 0]  # fmt: skip
                seconds = [x[g // per_epoch, :, (g % per_epoch) * segment :][:, :segment]
                           for g in picked]  # fmt: skip
                if seconds:
                    stats._measure_line(np.stack(seconds, axis=1), 0, stride=1)
            bad = ~np.isfinite(x[at : at + step])
            nonfinite.append(at + np.flatnonzero(bad.any(axis=(1, 2))))
            chunk = np.moveaxis(x[at : at + step], -2, 0).reshape(n_channels, -1)  # a copy
            stats.update(chunk, np.moveaxis(bad, -2, 0).reshape(n_channels, -1))
        epochs = np.concatenate(nonfinite) if nonfinite else np.empty(0, dtype=np.intp)
        stats.nonfinite_epochs = epochs
        if not len(epochs):
            each = _epoch_channel_deviation(x)
            stats.epoch_deviation = np.median(each, axis=-1)
            stats.epoch_channel_deviation = each.astype(np.float32)
        return stats

    @property
    def stride(self) -> int:
        return max(1, self.n_total // _MAX_CHECK_SAMPLES)

    @property
    def std(self) -> np.ndarray:
        """Standard deviation of each channel's finite samples (ddof=0; 0 without any)."""
        return np.sqrt(self.m2 / np.maximum(self.count, 1))

    def update(self, chunk: np.ndarray, bad: np.ndarray | None = None) -> None:
        """Add the next ``chunk`` of shape (n_channels, n_samples), in time order (``bad``:
        ``~np.isfinite(chunk)``, where the caller has it already). Integer samples (a 16-bit
        converter's counts) are taken as float64: the low side's rail is found negated, and
        the most negative integer negated wraps round to itself."""
        if not np.issubdtype(chunk.dtype, np.floating):
            chunk = chunk.astype(np.float64)
        bad = ~np.isfinite(chunk) if bad is None else bad
        gaps = bad if bad.any() else None  # one pass finds them; clean chunks take the fast way
        if gaps is not None:
            self._count_nonfinite(bad)
            chunk = np.where(bad, np.nan, chunk)  # the NaNs the statistics below leave out
        t = chunk.shape[-1]
        if t == 0:
            return
        judged = self._judged(chunk)
        if self.segment and judged is chunk and gaps is None and chunk.flags.c_contiguous:
            self._update_clean_segments(chunk)  # every statistic from one set of extremes
            return
        if self.segment:
            self._update_segments(judged)
        # the amplitude subsample of the samples in kept windows (NaN: left out)
        kept = judged[:, -self.n % self.stride :: self.stride]
        if judged is not chunk and not self._sample_gaps:
            self._sample_gaps = bool(np.isnan(kept).any())
        self._keep(kept)
        before = self.rail.copy()
        self._update_rails(judged, gaps is not None or judged is not chunk)
        if judged is not chunk:  # the extremes of the samples in kept windows only
            left_out = np.isnan(judged)
            self._update_extremes(judged, left_out)
            self.judged_count += (~left_out).sum(axis=-1)
            self._update_moments(chunk, gaps)
        elif gaps is None and chunk.flags.c_contiguous:  # a few channels at a time
            self._update_clean(chunk)
            self.judged_count += t
        else:
            self._update_extremes(chunk, gaps)
            self._update_moments(chunk, gaps)
            self.judged_count += t if gaps is None else (~gaps).sum(axis=-1)
        if self.segment:
            self._track_rails(judged, before)
        self.n += t

    def update_nonfinite(self, bad: np.ndarray) -> None:
        """Count the NaN/Inf samples of the next chunk (``bad``: ``~np.isfinite(chunk)``,
        shape (n_channels, n_samples)), in time order, and nothing else: the statistics of
        :func:`~eegpt.signal_checks.check_finite` alone (a scan whose other checks are left
        to its windows)."""
        if bad.any():
            self._count_nonfinite(bad)
        self.n += bad.shape[-1]

    def _update_rails(self, judged: np.ndarray, gaps: bool) -> None:
        """Fold ``judged`` (the chunk from sample ``self.n``, shape (n_channels, t); NaN where
        left out, where ``gaps``) into :attr:`rail` and :attr:`n_at_rail`: each row's
        ``CLIP_OUTLIERS + 1`` most extreme samples on each side (:func:`_rail_candidates`)
        join those kept so far. A rail only moves outward; the samples that lay beyond the one
        before are among those kept, so the count at a new rail is exact."""
        k = CLIP_OUTLIERS + 1
        if not judged.shape[-1]:
            return
        for side in (0, 1):
            for row in range(self.n_channels):
                self._fold_rail(side, row, _rail_candidates(judged[row], k, bool(side), gaps))

    def _fold_rail(self, side: int, row: int, here: np.ndarray) -> None:
        """Fold ``here`` (shape (m,): samples of channel ``row``'s chunk as values of the high
        side, the low side's negated, among which its ``CLIP_OUTLIERS + 1`` most extreme lie
        with every sample equal to the last of them: :func:`_rail_candidates`) into
        :attr:`rail` and :attr:`n_at_rail` of ``side``."""
        k = CLIP_OUTLIERS + 1
        sign = 1.0 if side else -1.0
        kept = self._top[side, row]
        merged = np.concatenate([kept, here])
        merged.partition(len(merged) - k)
        top = merged[-k:]
        rail = top.min()  # signed: the high side's value, the low side's negated
        if not np.isfinite(rail):
            self._top[side, row] = top
            return
        before = (
            self.n_at_rail[side, row]
            if rail == sign * self.rail[side, row]
            else int((kept == rail).sum())
        )
        self._top[side, row], self.rail[side, row] = top, sign * rail
        self.n_at_rail[side, row] = before + int((here == rail).sum())

    def _track_rails(self, judged: np.ndarray, before: np.ndarray) -> None:
        """Add the stretches of samples at each channel's rails (:attr:`rail`) in ``judged``
        (the chunk from sample ``self.n``, NaN where left out) to :attr:`rail_runs`; a
        channel whose rail moved past ``before`` (shape (2, n_channels): those before the
        chunk) starts afresh."""
        sides = ((self.rail[0], before[0], self.n_at_rail[0]),
                 (self.rail[1], before[1], self.n_at_rail[1]))  # fmt: skip
        for side, (value, old, n_at) in enumerate(sides):
            for row in _indices_of((value != old) & (self._rail_end[side] >= 0)):
                self.rail_runs[side][row], self._rail_all[side][row] = [], []
                self._rail_far[side][row], self._rail_since[side, row] = [], 0.0
                self.n_rail_runs[side, row], self._rail_end[side, row] = 0, -1
            for row in _indices_of(n_at >= 2):
                # how far inside the rail (NaN where left out; 0 at it, or past it: a spike)
                off = np.maximum(value[row] - judged[row] if side else judged[row] - value[row], 0)
                at = np.flatnonzero(off == 0)
                if len(at):
                    self._add_rail(side, row, self.n + at, off)
                elif self._rail_end[side, row] >= 0:
                    self._rail_since[side, row] += _distance_sum(off)

    def _add_rail(self, side: int, row: int, samples: np.ndarray, off: np.ndarray) -> None:
        """Fold ``samples`` (ascending, after those folded before) at a channel's extreme
        into its stretches: samples less than a segment apart join one (``off``: how far
        each sample of the chunk lies from the extreme, volts, NaN where left out)."""
        runs, gap, every = self.rail_runs[side][row], self.segment, self._rail_all[side][row]
        far_all = self._rail_far[side][row]
        breaks = np.flatnonzero(np.diff(samples) > gap) + 1
        spans = np.stack(
            [
                samples[np.r_[0, breaks]],
                samples[np.r_[breaks - 1, len(samples) - 1]] + 1,
                np.diff(np.r_[0, breaks, len(samples)]),
            ],
            axis=1,
        ).astype(np.int64)
        local = spans[:, :2] - self.n
        far = np.array([_distance_sum(off[a:b]) for a, b in local.tolist()]).reshape(-1, 2)
        since = _distance_sum(off[local[-1, 1] :])
        last = int(self._rail_end[side, row])
        if last >= 0 and spans[0, 0] - last < gap:  # the last stretch goes on
            between = self._rail_since[side, row] + _distance_sum(off[: local[0, 0]])
            far_all[-1][-1] += between + far[0]
            far = far[1:]
            every[-1][-1, 1] = spans[0, 1]
            every[-1][-1, 2] += spans[0, 2]
            if self.n_rail_runs[side, row] <= FLAT_RUNS_KEPT:
                runs[-1][1] = int(spans[0, 1])
            spans = spans[1:]
        self._rail_since[side, row] = since
        if len(spans):
            every.append(spans)
            far_all.append(far)
            self.n_rail_runs[side, row] += len(spans)
            room = FLAT_RUNS_KEPT - len(runs)
            runs += [[int(a), int(b)] for a, b in spans[: max(room, 0), :2]]
            self._rail_end[side, row] = spans[-1, 1]
        else:
            self._rail_end[side, row] = every[-1][-1, 1]

    def _count_nonfinite(self, bad: np.ndarray) -> None:
        """Count the NaN/Inf samples (``bad``: where they are in the chunk that starts at
        sample ``self.n``), those inside the bad spans apart."""
        self.nonfinite += bad.sum(axis=-1)
        at = self.n + np.flatnonzero(bad.any(axis=0))
        first = at[0] if self.nonfinite_span is None else self.nonfinite_span[0]
        self.nonfinite_span = (int(first), int(at[-1]))
        self.nonfinite_gaps.add(at, bad[:, at - self.n])
        if self.bad_spans is not None:
            inside = self.bad_spans.inside(at, self.sfreq)
            self.nonfinite_in_bad += bad[:, at[inside] - self.n].sum(axis=-1)
            at = at[~inside]
            if len(at) and self.bad_spans.misnamed:
                hit, names = self.bad_spans.inside_misnamed(at, self.sfreq)
                self.nonfinite_misnamed += bad[:, at[hit] - self.n].sum(axis=-1)
                self.misnamed += [d for d in names if d not in self.misnamed]
        if len(at):
            first = at[0] if self.nonfinite_outside is None else self.nonfinite_outside[0]
            self.nonfinite_outside = (int(first), int(at[-1]))
            self.outside_gaps.add(at, bad[:, at - self.n])

    def _judged(self, chunk: np.ndarray) -> np.ndarray:
        """``chunk`` for the partly-flat and clipping checks: NaN (a segment not judged, a
        sample left out of the extremes) over the samples inside bad spans whose windows are
        left out, where neither a flat stretch nor a rail reaches a window; ``chunk`` itself
        where there are none."""
        if self.bad_spans is None or not self.bad_spans.reject:
            return chunk
        inside = self.bad_spans.inside(np.arange(self.n, self.n + chunk.shape[-1]), self.sfreq)
        return np.where(inside, np.nan, chunk) if inside.any() else chunk

    def _update_extremes(self, chunk: np.ndarray, gaps: np.ndarray | None) -> None:
        """Each channel's minimum and maximum over the finite samples, and how many samples
        sit at them (``chunk``: NaN where a sample was not finite, ``gaps``: there, or None
        when every sample is)."""
        if gaps is not None:
            low = np.where(gaps, np.inf, chunk).min(axis=-1)  # inf: no finite sample
            high = np.where(gaps, -np.inf, chunk).max(axis=-1)
            self._merge_extremes(*_extremes(chunk, low, high))
        else:
            self._merge_extremes(*_extremes(chunk))

    def _update_clean(self, chunk: np.ndarray) -> None:
        """:meth:`_update_extremes` and :meth:`_update_moments` of a C-ordered ``chunk`` of
        finite samples, the same numbers (each is of one channel's row), computed over
        blocks of rows of about :data:`_STATS_CACHE_BYTES`: each block is read from memory
        once, not once per statistic, and its deviations need no array of the chunk's size."""
        self._update_clean_moments(chunk, extremes=True)

    def _update_clean_moments(self, chunk: np.ndarray, *, extremes: bool = False) -> None:
        """:meth:`_update_moments` (and, where ``extremes``, :meth:`_update_extremes`) of a
        C-ordered ``chunk`` of finite samples, shape (n_channels, t): see
        :meth:`_update_clean`."""
        n_channels, t = chunk.shape
        rows = max(1, _STATS_CACHE_BYTES // (chunk.itemsize * t))
        found, moments = [], []
        for at in range(0, n_channels, rows):
            block = chunk[at : at + rows]
            if extremes:
                found.append(_extremes(block))
            mean = block.mean(axis=-1)
            deviations = block - mean[:, None]
            moments.append((mean, np.square(deviations, out=deviations).sum(axis=-1)))
        if extremes:
            self._merge_extremes(*(np.concatenate(a) for a in zip(*found, strict=True)))
        mean, m2 = (np.concatenate(a) for a in zip(*moments, strict=True))
        self._merge_moments(np.full(n_channels, t, np.int64), mean, m2)

    def _update_clean_segments(self, chunk: np.ndarray) -> None:
        """All of :meth:`update` for a C-ordered ``chunk`` (shape (n_channels, t), t > 0) of
        finite samples outside any bad span left out, where :attr:`segment` is set: the same
        numbers, to the bit, as the general way, in which each check read the whole chunk for
        extremes of its own. Here each channel's minimum and maximum over each piece of the
        chunk (the samples that close the segment the last chunk left open, each whole
        segment, the tail) are computed once and serve every check: the flat segments
        (:func:`_flat_rows`), the extremes (the samples at them counted only in the pieces
        that reach them: :func:`_count_at`) and the rails (:meth:`_fold_rail`, of the
        channels whose pieces reach their rail so far: the samples of the pieces whose
        extreme reaches the ``CLIP_OUTLIERS + 1``-th most extreme piece's, as
        :func:`_rail_candidates` takes blocks)."""
        size, (n_channels, t) = self.segment, chunk.shape
        at = 0
        if self._segment_rest is not None:  # the segment the last chunk left open
            at = min(size - self.n % size, t)
            rest = np.concatenate([self._segment_rest, chunk[:, :at]], axis=-1)
            if (self.n + at) % size:
                self._segment_rest = rest
            else:
                self._count_flat(_flat_rows(rest[:, None, :]), self.n // size)
                self._measure_line(rest[:, None, :], self.n // size)
                self._segment_rest = None
        k = (t - at) // size
        end = at + k * size
        whole = chunk[:, at:end].reshape(n_channels, k, size)
        low, high = whole.min(axis=-1), whole.max(axis=-1)  # (n_channels, k)
        if k:
            self._count_flat(_flat_rows(whole, low, high), (self.n + at) // size)
            self._measure_line(whole, (self.n + at) // size)
        if end < t:
            self._segment_rest = chunk[:, end:].copy()
        # the pieces of the chunk, [bounds[j], bounds[j + 1]), and each row's extremes in each
        ends = [*([0] if at else []), *range(at, end + 1, size), *([t] if end < t else [])]
        bounds = np.array(ends, dtype=np.int64)
        head, tail = ([chunk[:, :at]] if at else []), ([chunk[:, end:]] if end < t else [])
        low = np.column_stack([*(p.min(axis=-1) for p in head), low,
                               *(p.min(axis=-1) for p in tail)])  # fmt: skip
        high = np.column_stack([*(p.max(axis=-1) for p in head), high,
                                *(p.max(axis=-1) for p in tail)])  # fmt: skip
        self._keep(chunk[:, -self.n % self.stride :: self.stride])  # the amplitude subsample
        before = self.rail.copy()
        for side, marks in ((0, -low), (1, high)):  # signed: the low side's negated
            # a channel whose samples here all lie inside its rail so far keeps its rail, the
            # most extreme samples and the count at the rail as they are: not read again
            reach = marks.max(axis=-1) >= self._top[side].min(axis=-1)
            for row, pieces in zip(
                _indices_of(reach), _top_pieces(marks[reach], CLIP_OUTLIERS + 1), strict=True
            ):
                # consecutive pieces read as one slice (a flat channel's: the whole row)
                runs = np.split(pieces, np.flatnonzero(np.diff(pieces) > 1) + 1)
                here = np.concatenate(
                    [chunk[row, bounds[run[0]] : bounds[run[-1] + 1]] for run in runs]
                )
                self._fold_rail(side, row, here if side else -here)
        row_low, row_high = low.min(axis=-1), high.max(axis=-1)
        self._merge_extremes(
            row_low,
            row_high,
            _count_at(chunk, bounds, low, row_low),
            _count_at(chunk, bounds, high, row_high),
        )
        self._update_clean_moments(chunk)
        self.judged_count += t
        self._track_rails(chunk, before)
        self.n += t

    def _merge_extremes(
        self, low: np.ndarray, high: np.ndarray, at_low: np.ndarray, at_high: np.ndarray
    ) -> None:
        """Fold a chunk's minimum and maximum of each channel, and how many of its samples
        sit at each, into the statistics so far."""
        self.n_at_min = np.where(
            low < self.minimum, at_low, self.n_at_min + np.where(low == self.minimum, at_low, 0)
        )
        self.n_at_max = np.where(
            high > self.maximum, at_high, self.n_at_max + np.where(high == self.maximum, at_high, 0)
        )
        self.minimum, self.maximum = np.minimum(low, self.minimum), np.maximum(high, self.maximum)

    def _update_moments(self, chunk: np.ndarray, gaps: np.ndarray | None) -> None:
        """Each channel's mean and sum of squared deviations over the finite samples (Chan et
        al.'s pairwise update; ``chunk``, ``gaps``: as for :meth:`_update_extremes`)."""
        if gaps is not None:
            t = (~gaps).sum(axis=-1)
            mean = np.where(gaps, 0.0, chunk).sum(axis=-1) / np.maximum(t, 1)
            m2 = np.square(np.where(gaps, 0.0, chunk - mean[:, None])).sum(axis=-1)
        else:
            t = np.full(chunk.shape[0], chunk.shape[-1], np.int64)
            mean = chunk.mean(axis=-1)
            m2 = np.square(chunk - mean[:, None]).sum(axis=-1)
        self._merge_moments(t, mean, m2)

    def _merge_moments(self, t: np.ndarray, mean: np.ndarray, m2: np.ndarray) -> None:
        """Fold a chunk's ``t`` finite samples per channel, their ``mean`` and sum of squared
        deviations ``m2`` into the statistics so far (Chan et al.'s pairwise update)."""
        n = self.count + t
        share = t / np.maximum(n, 1)
        delta = mean - self.mean
        self.m2 = self.m2 + m2 + delta**2 * self.count * share
        self.mean = self.mean + delta * share
        self.count = n

    def _update_segments(self, chunk: np.ndarray) -> None:
        """Count the flat segments (:func:`_flat_rows`) that ``chunk`` (the samples from
        ``self.n`` on) completes; keep the samples of the segment it leaves open."""
        size, t, at = self.segment, chunk.shape[-1], 0
        if self._segment_rest is not None:  # the segment the last chunk left open
            at = min(size - self.n % size, t)
            rest = np.concatenate([self._segment_rest, chunk[:, :at]], axis=-1)
            if (self.n + at) % size:
                self._segment_rest = rest
                return
            self._count_flat(_flat_rows(rest[:, None, :]), self.n // size)
            self._measure_line(rest[:, None, :], self.n // size)
            self._segment_rest = None
        k = (t - at) // size
        if k:
            whole = chunk[:, at : at + k * size].reshape(chunk.shape[0], k, size)
            self._count_flat(_flat_rows(whole), (self.n + at) // size)
            self._measure_line(whole, (self.n + at) // size)
        if at + k * size < t:
            self._segment_rest = chunk[:, at + k * size :].copy()

    @property
    def line_stride(self) -> int:
        """Every how many segments :meth:`_measure_line` measures one: at most
        :data:`LINE_SEGMENTS` of the recording's, spread over it."""
        size = self.segment or self.epoch_segment
        return max(1, self.n_total // max(size, 1) // LINE_SEGMENTS)

    def _measure_line(self, whole: np.ndarray, first: int, stride: int | None = None) -> None:
        """Add the share of their power at the mains frequencies (:data:`MAINS`) of the
        segments ``whole`` (shape (n_channels, k, segment): segments ``first, first + 1, ...``;
        NaN where left out) that are measured (every :attr:`line_stride`-th, of finite samples
        not all equal) to :attr:`line_share`, and count them in :attr:`line_measured`: each
        segment less its mean, its discrete Fourier transform at each frequency (``X``),
        ``2 |X|² / segment`` over its sum of squares. ``stride``: every how many to measure
        (default :attr:`line_stride`; 1: all of ``whole``, picked already)."""
        size = self.segment or self.epoch_segment  # 1 s (epochs: of those a second or more)
        if not self.sfreq or not size:
            return
        stride = self.line_stride if stride is None else stride
        picked = [j for j in range(whole.shape[1]) if (first + j) % stride == 0]
        if not picked:
            return
        if self._line_kernel is None:
            t = np.arange(size) / self.sfreq
            waves = [f(2 * np.pi * hz * t) for hz in MAINS for f in (np.cos, np.sin)]
            self._line_kernel = np.stack(waves, axis=-1)  # (segment, 2 * len(MAINS))
        # one array the size of the segments measured beside them (a block of epochs' or a
        # recording's): their copy less its mean, zeroed in place where not finite
        seg = whole if len(picked) == whole.shape[1] else whole[:, picked, :]
        seg = seg - seg.mean(axis=-1, keepdims=True)
        finite = np.isfinite(seg).all(axis=-1)  # (n_channels, k)
        seg[~finite] = 0.0
        parts = (seg @ self._line_kernel).reshape(*seg.shape[:2], len(MAINS), 2)
        power = 2 * np.square(parts).sum(axis=-1) / size  # (n_channels, k, mains)
        total = np.einsum("ckt,ckt->ck", seg, seg)  # (n_channels, k): sums of squares
        used = finite & (total > 0)
        share = power / np.where(used, total, 1.0)[..., None]
        self.line_share += np.where(used[..., None], share, 0.0).sum(axis=1).T
        self.line_measured += used.sum(axis=1)
        near = np.array(MAINS) > self.sfreq / 2 - 2  # too near the Nyquist frequency
        self.line_share[near] = np.nan

    def _count_flat(self, flat: np.ndarray, first: int) -> None:
        """Add segments ``first, first + 1, ...`` with ``flat`` of shape (n_channels, k)."""
        hit = flat.any(axis=1)
        new = hit & (self.first_flat < 0)
        self.first_flat[new] = first + flat[new].argmax(axis=1)
        self.flat_segments += flat.sum(axis=1)
        every = flat.all(axis=0)
        if every.any() and self.first_all_flat < 0:
            self.first_all_flat = first + int(every.argmax())
        self.all_flat_segments += int(every.sum())
        if hit.any():
            self._flat_blocks.append((first, np.array(flat, dtype=bool)))
        for row in _indices_of(np.asarray(hit)):
            self._add_runs(row, first + np.flatnonzero(flat[row]))
        if every.any():
            self._add_runs(self.n_channels, first + np.flatnonzero(every))

    def _add_runs(self, row: int, segments: np.ndarray) -> None:
        """Fold flat ``segments`` (indices, ascending, after those folded before) into the
        stretches of ``row`` (a channel, or ``n_channels``: every channel at once): one that
        starts where the last ended continues it."""
        runs, kept = self.flat_runs[row], FLAT_RUNS_KEPT
        for run in np.split(segments, np.flatnonzero(np.diff(segments) > 1) + 1):
            start, length = int(run[0]), len(run)
            if start == self._run_end[row]:  # the last stretch goes on
                if self.n_flat_runs[row] <= kept:
                    runs[-1][1] += length
            else:
                self.n_flat_runs[row] += 1
                if len(runs) < kept:
                    runs.append([start, length])
            self._run_end[row] = start + length

    def flat_segments_of(self, row: int) -> np.ndarray:
        """Every flat segment (indices, ascending, of :attr:`segment` samples each) of channel
        ``row``, or of every channel at once (``row == n_channels``): all of those
        :attr:`flat_runs` keeps the first few stretches of."""
        found = [
            first + np.flatnonzero(flat.all(axis=0) if row == self.n_channels else flat[row])
            for first, flat in self._flat_blocks
        ]
        return np.concatenate(found) if found else np.empty(0, np.int64)

    def rail_spans(self, side: int, row: int) -> np.ndarray:
        """Every stretch of channel ``row``'s samples at its low (``side`` 0) or high (1) rail
        (:attr:`rail`: the minimum or maximum, but for a spike past it), ``[first sample,
        end sample)`` rows of shape (k, 2): all of those :attr:`rail_runs` keeps the first
        few of (none where not tracked)."""
        return self._rails(side, row)[:, :2]

    def rail_held(self, side: int, row: int) -> np.ndarray:
        """How many samples of each stretch of :meth:`rail_spans` sit at the rail (or past
        it), shape (k,): the rest of the stretch lies between them (off the rail)."""
        return self._rails(side, row)[:, 2]

    def rail_reach(self, side: int, row: int) -> np.ndarray:
        """How far the samples of each stretch of :meth:`rail_spans` that are off the rail
        lie from it on average, volts, shape (k,): 0 where the stretch sits at the extreme
        throughout; far where the signal swings away between flat tops (a clipped artefact),
        little where it hovers about its largest value (ordinary EEG at a slow peak, though a
        blink pass between)."""
        far = self._rail_far[side][row]
        if not far:
            return np.empty(0)
        total, finite = np.concatenate(far).T
        return total / np.maximum(finite - self.rail_held(side, row), 1)

    def _rails(self, side: int, row: int) -> np.ndarray:
        """Every rail stretch of channel ``row`` on ``side``: ``[first sample, end sample,
        samples at the extreme]`` rows, shape (k, 3)."""
        every = self._rail_all[side][row]
        return np.concatenate(every) if every else np.empty((0, 3), np.int64)

    def median(self) -> np.ndarray:
        """Median of each channel, from the subsample of its finite samples (those of kept
        windows where ``bad_spans`` reject some; volts; NaN without any)."""
        return self._center()[0].copy()

    def deviation(self) -> np.ndarray:
        """Median absolute deviation of each channel, from the subsample of its finite samples
        (volts; NaN without any)."""
        return self._center()[1].copy()

    def local_deviation(self) -> np.ndarray:
        """The median absolute deviation of each channel about its own slow course (volts):
        the subsample cut into runs of ``_LOCAL_RUN`` points (about 1 s of a short recording,
        longer spans of a long one), each less its least-squares line; the median over runs.
        Offsets and drift, which inflate :meth:`deviation`, leave it at the signal's size."""
        sample = self._sample_array()
        n = sample.shape[-1]
        if min(n, _LOCAL_RUN) < 3:
            return self.deviation()
        # a copy detrended (NaN in the sample only where samples were not finite or were
        # left out inside rejected bad spans)
        room, finite = self._room(sample.size), not self._has_gaps()
        local = _local_mad(sample, _LOCAL_RUN, room, finite=finite)
        unmeasured = np.isnan(local)  # no run mostly finite
        if unmeasured.any():
            local[unmeasured] = self.deviation()[unmeasured]
        return local

    def _has_gaps(self) -> bool:
        """Whether the amplitude subsample may hold NaN: samples not finite, or left out
        inside bad spans whose windows are left out."""
        return self._sample_gaps or bool(self.nonfinite.any())

    def _keep(self, part: np.ndarray) -> None:
        """Add ``part`` (shape (n_channels, k): the next samples of the subsample) to the
        subsample: into its array while float64 samples fit (allocated once, for the
        ``n_total`` samples announced), else as a chunk of its own."""
        room = -(-self.n_total // self.stride) if self._kept is None else self._kept.shape[-1]
        end = self._n_kept + part.shape[-1]
        if self._sample or part.dtype != np.float64 or end > room:
            self._sample.append(part.copy())
            return
        if self._kept is None:
            self._kept = np.empty((self.n_channels, room))
        self._kept[:, self._n_kept : end] = part
        self._n_kept = end

    def _room(self, size: int) -> np.ndarray:
        """Float64 room for ``size`` values (shape (at least size,)), the same array each
        time: the statistics of the subsample fill it in turn, without a new allocation
        (and the page faults of one) each."""
        if self._work is None or self._work.size < size:
            self._work = np.empty(size)
        return self._work

    def _sample_array(self) -> np.ndarray:
        """The amplitude subsample, a C-ordered array of shape (n_channels, n_kept), its
        chunks joined once (and kept joined: each statistic of it reads the same array)."""
        if self._kept is not None and self._n_kept < self._kept.shape[-1]:
            self._kept = self._kept[:, : self._n_kept].copy()  # fewer samples than announced
        if self._kept is not None and not self._sample:
            return self._kept
        if self._kept is not None or len(self._sample) != 1:
            head = [] if self._kept is None else [self._kept]
            self._sample = [np.concatenate([*head, *self._sample], axis=-1)]
            self._kept, self._n_kept = None, 0
        return self._sample[0]

    def _center(self) -> tuple[np.ndarray, np.ndarray]:
        """Each channel's median and median absolute deviation (volts, shape (n_channels,)),
        from the subsample, computed together once for the samples fed so far."""
        if self._center_of != self.n:
            sample = self._sample_array()
            if self._has_gaps() or not sample.shape[-1]:  # NaN in it, or nothing
                median = _row_median(sample)
                deviation = _row_median(np.abs(sample - median[:, None]))
            elif sample.dtype == np.float64:  # finite: medians by partitioning a copy
                copy = self._room(sample.size)[: sample.size].reshape(sample.shape)
                np.copyto(copy, sample)
                median, deviation = _median_and_deviation(copy)
            else:  # (samples fed as float32: their medians are float32)
                median, deviation = _median_and_deviation(sample.copy())
            self._center_value, self._center_of = (median, deviation), self.n
        return self._center_value


#: Flat stretches of each channel kept for the messages (:attr:`SignalStats.flat_runs`)
FLAT_RUNS_KEPT = 4
#: Hz; the mains frequencies whose power :meth:`SignalStats._measure_line` measures
MAINS = (50.0, 60.0)
#: segments (1 s each) of a recording :meth:`SignalStats._measure_line` measures at most
LINE_SEGMENTS = 256
#: Samples that may lie past a channel's rail (:attr:`SignalStats.rail`) without moving it:
#: a spike a sample or two beyond the value a clipped channel holds does not hide the clip
CLIP_OUTLIERS = 2


def _indices_of(mask: np.ndarray) -> list[int]:
    """The positions of the True values of ``mask``, as ints."""
    return np.flatnonzero(mask).tolist()


#: V; the largest peak-to-peak of a segment whose samples hover a digital step either side of
#: one value (a dead electrode's quantisation jitter, :func:`_flat_rows`): two steps of 1 µV
FLAT_JITTER = 2.5e-6
#: the fewest samples of a segment for a digital step's jitter to make it flat
#: (:func:`_flat_rows`): a row of a few samples holds at most three values whatever it is (an
#: epoch of 1 to 5 samples, as scikit-learn's estimator checks give), a dead electrode's
#: second of 128 samples or more does so only where nothing but the last bits change
FLAT_JITTER_SAMPLES = 16


def _flat_rows(
    whole: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> np.ndarray:
    """Whether each row of ``whole`` (shape (..., size); NaN: not flat) is flat, shape
    ``whole.shape[:-1]``: zero peak-to-peak, or a dead electrode's quantisation jitter: a
    peak-to-peak of at most :data:`FLAT_JITTER` with every sample at the lowest value, the
    highest or the one halfway (one step either side of a value, or two values a step
    apart), which no live EEG keeps for a whole segment (of :data:`FLAT_JITTER_SAMPLES` or
    more samples: fewer hold three values whatever they are). ``low``, ``high``: each row's
    minimum and maximum (shape ``whole.shape[:-1]``), where the caller has them already."""
    low = whole.min(axis=-1) if low is None else low
    high = whole.max(axis=-1) if high is None else high
    flat = low == high
    maybe = (high - low <= FLAT_JITTER) & ~flat  # NaN compares False
    if whole.shape[-1] < FLAT_JITTER_SAMPLES:
        return flat
    if maybe.any():
        rows = whole[maybe]
        lo, hi = low[maybe][..., None], high[maybe][..., None]
        near = (hi - lo) / 8  # the three levels as stored, to rounding of their scaling
        mid = (lo + hi) / 2
        levels = (rows - lo <= near) | (np.abs(rows - mid) <= near) | (hi - rows <= near)
        flat[maybe] = levels.all(axis=-1)
    return flat


def _flat_segments(x: np.ndarray, segment: int) -> np.ndarray:
    """Whole segments of ``segment`` samples in each row of ``x`` (shape (..., n_times); NaN:
    not flat) that are flat (:func:`_flat_rows`: zero peak-to-peak, or a digital step's
    jitter), shape ``x.shape[:-1]``; a tail shorter than a segment is not judged."""
    k = x.shape[-1] // max(segment, 1)
    if not k:
        return np.zeros(x.shape[:-1], np.int64)
    whole = x[..., : k * segment].reshape(*x.shape[:-1], k, segment)
    return _flat_rows(whole).sum(axis=-1)


#: Samples per block whose extreme :func:`_rail_candidates` reads first
_RAIL_BLOCK = 64


def _rail_candidates(row: np.ndarray, k: int, high: bool, gaps: bool) -> np.ndarray:
    """The samples of ``row`` (shape (t,); NaN where left out, where ``gaps``) among which
    its ``k`` highest (``high``) or lowest lie, and every sample equal to the ``k``-th of
    them, as values of the high side (the low side's negated; -inf for NaN), shape (m,):
    the samples of the blocks of :data:`_RAIL_BLOCK` whose extreme reaches the ``k``-th
    largest block extreme. The ``k`` blocks' extremes are ``k`` samples at least that
    extreme, so no sample beyond it lies elsewhere; one pass over ``row`` (the blocks'
    extremes), the rest over a few blocks."""
    n = len(row)
    m = n // _RAIL_BLOCK
    reduce = (np.fmax if high else np.fmin) if gaps else (np.maximum if high else np.minimum)
    blocks = row[: m * _RAIL_BLOCK].reshape(m, _RAIL_BLOCK)
    marks = reduce.reduce(blocks, axis=1) if m else np.empty(0)
    if n > m * _RAIL_BLOCK:
        marks = np.append(marks, reduce.reduce(row[m * _RAIL_BLOCK :]))
    signed = marks if high else -marks
    if gaps:
        signed = np.where(np.isnan(signed), -np.inf, signed)
    if len(signed) > k:
        least = np.partition(signed, len(signed) - k)[len(signed) - k]
        picked = np.flatnonzero(signed >= least)
    else:
        picked = np.arange(len(signed))
    parts = [blocks[picked[picked < m]].ravel()]
    if len(picked) and picked[-1] == m:  # the tail, a block of its own
        parts.append(row[m * _RAIL_BLOCK :])
    here = np.concatenate(parts) if high else -np.concatenate(parts)
    return np.where(np.isnan(here), -np.inf, here) if gaps else here


def _top_pieces(marks: np.ndarray, k: int) -> list[np.ndarray]:
    """Per row of ``marks`` (shape (n_rows, n_pieces): each piece's extreme, signed so that
    larger is more extreme), the pieces (indices, ascending) whose extreme reaches the
    ``k``-th largest of the row: ``k`` pieces at least, among which every sample at least as
    extreme as the row's ``k``-th most extreme sample lies (:func:`_rail_candidates`)."""
    n = marks.shape[-1]
    if n <= k:
        return [np.arange(n)] * len(marks)
    least = np.partition(marks, n - k, axis=-1)[:, n - k]
    picked = marks >= least[:, None]
    return [np.flatnonzero(row) for row in picked]


#: Pieces of a row at its extreme beyond which :func:`_count_at` counts the whole row at once
_COUNT_PIECES = 8


def _count_at(
    chunk: np.ndarray, bounds: np.ndarray, marks: np.ndarray, value: np.ndarray
) -> np.ndarray:
    """How many samples of each row of ``chunk`` (shape (n_rows, t), finite) equal ``value``
    (its minimum or maximum, shape (n_rows,)), shape (n_rows,): counted only in the pieces
    ``[bounds[j], bounds[j + 1])`` whose extreme (``marks``, shape (n_rows, n_pieces)) is
    that value, the only pieces that hold it; a row where more than :data:`_COUNT_PIECES`
    do (a flat or clipped channel) is counted whole."""
    count = np.zeros(len(chunk), np.int64)
    hit = marks == value[:, None]
    whole = hit.sum(axis=-1) > _COUNT_PIECES
    for row in np.flatnonzero(whole).tolist():
        count[row] = np.count_nonzero(chunk[row] == value[row])
    rows, pieces = np.nonzero(hit & ~whole[:, None])
    for row, j in zip(rows.tolist(), pieces.tolist(), strict=True):
        count[row] += int(np.count_nonzero(chunk[row, bounds[j] : bounds[j + 1]] == value[row]))
    return count


def _median_inplace(a: np.ndarray) -> np.ndarray:
    """:func:`numpy.median` along the last axis of ``a`` (finite, at least one value per row),
    to the bit, shape ``a.shape[:-1]``, without its copy: ``a`` is partitioned in place (each
    row keeps its values, in another order)."""
    n = a.shape[-1]
    k = n // 2
    a.partition(k, axis=-1)
    # numpy.median: the mean of the middle value or two (the lower one: the largest below k),
    # by numpy.mean itself, whose sum starts at +0.0 (a median of -0.0 is 0.0)
    middle = [a[..., k]] if n % 2 else [a[..., :k].max(axis=-1), a[..., k]]
    return np.mean(np.stack(middle, axis=-1), axis=-1)


def _median_and_deviation(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The median of each row of ``a`` (shape (..., n), finite, n >= 1) and the median of
    each row's absolute deviations from it, both as :func:`numpy.median` gives them, shape
    ``a.shape[:-1]``. ``a`` is used up (partitioned and overwritten): a median does not
    depend on the order of a row's values, so the deviations are taken of the partitioned
    row in place."""
    median = _median_inplace(a)
    np.subtract(a, median[..., None], out=a)
    np.abs(a, out=a)
    return median, _median_inplace(a)


def _extremes(
    chunk: np.ndarray, low: np.ndarray | None = None, high: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each row's minimum and maximum (``low``, ``high``: given, where the rows hold NaN
    that they leave out) and how many of its values equal each, of ``chunk`` (shape
    (n_rows, n)): four arrays of shape (n_rows,)."""
    low = chunk.min(axis=-1) if low is None else low
    high = chunk.max(axis=-1) if high is None else high
    at_low = (chunk == low[:, None]).sum(axis=-1)  # NaN equals nothing
    at_high = (chunk == high[:, None]).sum(axis=-1)
    return low, high, at_low, at_high


def _local_mad(
    sample: np.ndarray, run: int, room: np.ndarray | None = None, *, finite: bool = False
) -> np.ndarray:
    """The median absolute deviation of each row of ``sample`` (shape (..., n), at least 3
    points; NaN: not finite) about its own slow course, shape ``sample.shape[:-1]``: the row
    cut into runs of ``min(n, run)`` points, each less its least-squares line; the median over
    runs (NaN where no run is mostly finite). ``sample`` is left as it is; ``room`` (float64,
    at least ``sample.size`` values), where given, holds the copy that is detrended;
    ``finite``: ``sample`` is known to hold no NaN (not searched for)."""
    n = sample.shape[-1]
    run = min(n, run)
    runs = sample[..., : n - n % run].reshape(-1, n // run, run)  # a view where it can be
    gaps = None if finite else np.isnan(runs)
    if gaps is not None and gaps.any():  # NaN: not finite in the signal
        runs = _detrend_finite(runs, gaps)
        mad = _row_median(np.abs(runs - _row_median(runs)[..., None]))
    else:  # one C-ordered copy, detrended and partitioned in place
        if room is None:
            copy = np.array(runs, dtype=np.float64, order="C")
        else:
            copy = room[: runs.size].reshape(runs.shape)
            np.copyto(copy, runs)
        _detrend_rows(copy, "linear")
        mad = _median_and_deviation(copy)[1]
    return _row_median(mad).reshape(sample.shape[:-1])  # over the runs measured


#: Points of each epoch (at most) measured for :attr:`SignalStats.epoch_deviation`, and
#: epochs measured at a time (what that holds in memory at once)
_EPOCH_POINTS, _EPOCH_BLOCK = 64, 1024


def _epoch_channel_deviation(x: np.ndarray) -> np.ndarray:
    """Each epoch's and channel's deviation, shape (n_epochs, n_channels): :func:`_local_mad` of
    every ``max(1, n_times // _EPOCH_POINTS)``-th sample of the epoch (one run): all of them
    for epochs shorter than ``2 * _EPOCH_POINTS`` (127 at most), else from
    :data:`_EPOCH_POINTS` (64) up to ``64 + ceil(63 / stride)`` (68 at most from 1024 samples
    on), in the unit of ``x`` (shape (n_epochs, n_channels, n_times), finite); its median
    over channels is the epoch's typical deviation (:attr:`SignalStats.epoch_deviation`). It reads only those samples, a few blocks of epochs at a time: no second pass
    over the data."""
    n_times = x.shape[-1]
    stride = max(1, n_times // _EPOCH_POINTS)
    if -(-n_times // stride) < 3:  # too short to measure
        return np.full(x.shape[:2], np.nan)
    out = np.empty(x.shape[:2])
    for at in range(0, len(x), _EPOCH_BLOCK):
        block = x[at : at + _EPOCH_BLOCK, :, ::stride].astype(np.float64)  # a copy
        out[at : at + len(block)] = _local_mad(block, block.shape[-1])
    return out


def _row_median(a: np.ndarray) -> np.ndarray:
    """Median along the last axis over the values that are not NaN (NaN where all are), shape
    ``a.shape[:-1]``; :func:`numpy.median` itself when ``a`` holds no NaN."""
    gaps = np.isnan(a)
    if not gaps.any():
        return np.median(a, axis=-1)
    out = np.full(a.shape[:-1], np.nan)
    some = ~gaps.all(axis=-1)
    out[some] = np.nanmedian(a[some], axis=-1)
    return out


def _detrend_finite(runs: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """``runs`` (shape (..., run)) less each row's least-squares line over the values that are
    not NaN (``~gaps``); rows with fewer than half of them left are all NaN (not measured)."""
    size = runs.shape[-1]
    t = np.arange(size, dtype=np.float64) - (size - 1) / 2
    level, slope = line_over_finite(runs, gaps)
    out = runs - (level[..., None] + slope[..., None] * t)
    out[(~gaps).sum(-1) < size / 2] = np.nan
    return out


def robust_amplitude(x: np.ndarray) -> float:
    """Median over channels of each channel's median absolute deviation (same unit as ``x``).

    Insensitive to DC offsets and to a few flat or noisy channels. Long signals are
    subsampled evenly (at most 100 000 samples per channel).
    """
    return float(np.median(SignalStats.of(x).deviation()))


def _distance_sum(off: np.ndarray) -> np.ndarray:
    """``[summed distance, finite samples]`` of ``off`` (distances from a rail, volts, NaN
    where left out), shape (2,)."""
    finite = ~np.isnan(off)
    return np.array([float(off[finite].sum()), float(finite.sum())])
