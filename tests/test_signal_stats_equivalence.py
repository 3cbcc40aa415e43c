"""The signal checks' statistics (:class:`eegpt.signal_stats.SignalStats`) equal, to the bit,
those of their plain formulation (kept below as :class:`_PlainStats`, written from the code
before the statistics were computed without copies and a few channels at a time), and
:func:`~eegpt.signal_checks.check_signal` warns and refuses alike with either."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

from eegpt.errors import RecordingError
from eegpt.signal_checks import check_signal
from eegpt.signal_stats import CLIP_OUTLIERS, SignalStats


def _plain_row_median(a: np.ndarray) -> np.ndarray:
    """numpy's median along the last axis over the values that are not NaN (NaN where all
    are)."""
    gaps = np.isnan(a)
    if not gaps.any():
        return np.median(a, axis=-1)
    out = np.full(a.shape[:-1], np.nan)
    some = ~gaps.all(axis=-1)
    out[some] = np.nanmedian(a[some], axis=-1)
    return out


def _plain_local_mad(sample: np.ndarray, run: int) -> np.ndarray:
    """Each row's median over runs of ``run`` points of the median absolute deviation about
    the run's least-squares line (finite samples only)."""
    n = sample.shape[-1]
    run = min(n, run)
    runs = sample[..., : n - n % run].reshape(-1, n // run, run).astype(np.float64)
    t = np.arange(run, dtype=np.float64) - (run - 1) / 2
    gaps = np.isnan(runs)
    if gaps.any():
        from eegpt.resampling import line_over_finite

        level, slope = line_over_finite(runs, gaps)
        runs = runs - (level[..., None] + slope[..., None] * t)
        runs[(~gaps).sum(-1) < run / 2] = np.nan
    else:
        runs = runs - runs.mean(axis=-1, keepdims=True)
        runs = runs - (runs @ t / (t @ t))[..., None] * t
    mad = _plain_row_median(np.abs(runs - _plain_row_median(runs)[..., None]))
    return _plain_row_median(mad).reshape(sample.shape[:-1])


class _PlainStats(SignalStats):
    """:class:`SignalStats` with the extremes, moments and robust statistics computed as they
    were: whole-chunk temporaries, a concatenated subsample per statistic, ``np.median``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.plain_sample: list[np.ndarray] = []
        self.plain_all: list[np.ndarray] = []

    def update(self, chunk: np.ndarray, bad: np.ndarray | None = None) -> None:
        bad = ~np.isfinite(chunk) if bad is None else bad
        gaps = bad if bad.any() else None
        if gaps is not None:
            self._count_nonfinite(bad)
            chunk = np.where(bad, np.nan, chunk)
        t = chunk.shape[-1]
        if t == 0:
            return
        if self.segment:
            self._update_segments(self._judged(chunk))
        self.plain_sample.append(chunk[:, -self.n % self.stride :: self.stride].copy())
        if gaps is not None:
            low = np.where(gaps, np.inf, chunk).min(axis=-1)
            high = np.where(gaps, -np.inf, chunk).max(axis=-1)
            count = (~gaps).sum(axis=-1)
            mean = np.where(gaps, 0.0, chunk).sum(axis=-1) / np.maximum(count, 1)
            m2 = np.square(np.where(gaps, 0.0, chunk - mean[:, None])).sum(axis=-1)
        else:
            low, high = chunk.min(axis=-1), chunk.max(axis=-1)
            count = np.full(chunk.shape[0], t, np.int64)
            mean = chunk.mean(axis=-1)
            m2 = np.square(chunk - mean[:, None]).sum(axis=-1)
        before = self.rail.copy()
        self._plain_rails(chunk)
        at_low = (chunk == low[:, None]).sum(axis=-1)
        at_high = (chunk == high[:, None]).sum(axis=-1)
        self.n_at_min = np.where(
            low < self.minimum, at_low, self.n_at_min + np.where(low == self.minimum, at_low, 0)
        )
        self.n_at_max = np.where(
            high > self.maximum, at_high, self.n_at_max + np.where(high == self.maximum, at_high, 0)
        )
        self.minimum, self.maximum = np.minimum(low, self.minimum), np.maximum(high, self.maximum)
        n = self.count + count
        share = count / np.maximum(n, 1)
        delta = mean - self.mean
        self.m2 = self.m2 + m2 + delta**2 * self.count * share
        self.mean = self.mean + delta * share
        self.count = n
        self.judged_count = n  # no samples left out of the extremes (no rejected spans)
        if self.segment:  # where the samples at the extremes lie (for the clipping message)
            self._track_rails(chunk, before)
        self.n += t

    def _plain_rails(self, chunk: np.ndarray) -> None:
        """The rails of every sample so far, sorted: the (CLIP_OUTLIERS + 1)-th lowest and
        highest finite sample of each channel, and how many samples equal each."""
        self.plain_all.append(chunk.copy())
        every = np.concatenate(self.plain_all, axis=-1)
        k = CLIP_OUTLIERS + 1
        for row, values in enumerate(every):
            ordered = np.sort(values[np.isfinite(values)])
            if len(ordered) < k:
                continue
            self.rail[:, row] = ordered[k - 1], ordered[-k]
            self.n_at_rail[:, row] = (values == ordered[k - 1]).sum(), (values == ordered[-k]).sum()

    def median(self) -> np.ndarray:
        return _plain_row_median(np.concatenate(self.plain_sample, axis=-1))

    def deviation(self) -> np.ndarray:
        sample = np.concatenate(self.plain_sample, axis=-1)
        return _plain_row_median(np.abs(sample - _plain_row_median(sample)[:, None]))

    def local_deviation(self) -> np.ndarray:
        sample = np.concatenate(self.plain_sample, axis=-1)
        if min(sample.shape[-1], 256) < 3:
            return self.deviation()
        local = _plain_local_mad(sample, 256)
        unmeasured = np.isnan(local)
        local[unmeasured] = self.deviation()[unmeasured]
        return local


_FIELDS = ("mean", "m2", "minimum", "maximum", "n_at_min", "n_at_max", "count", "nonfinite")
_FIELDS += ("judged_count", "rail", "n_at_rail")
_FIELDS += ("flat_segments", "first_flat", "all_flat_segments", "first_all_flat")


def _bits(a: np.ndarray | float) -> tuple[tuple[int, ...], str, bytes]:
    """An array's shape, type and bytes: equal for arrays equal to the bit (0.0 and -0.0,
    NaN payloads told apart)."""
    a = np.asarray(a)
    return a.shape, a.dtype.str, a.tobytes()


def _fed(
    cls: type[SignalStats], x: np.ndarray, chunks: list[int], segment: int, announced: int = 0
) -> SignalStats:
    """Statistics of ``x`` (n_channels, n_times) fed in consecutive chunks of these sizes
    (``announced``: the samples said to come, default all of ``x``)."""
    stats = cls(x.shape[0], announced or x.shape[1], segment=segment)
    at = 0
    for size in [*chunks, x.shape[1]]:
        stats.update(np.ascontiguousarray(x[:, at : at + size]))
        at += size
        if at >= x.shape[1]:
            break
    return stats


def _assert_same_statistics(new: SignalStats, plain: SignalStats) -> None:
    for name in _FIELDS:
        assert _bits(getattr(new, name)) == _bits(getattr(plain, name)), name
    for name in ("median", "deviation", "local_deviation"):
        assert _bits(getattr(new, name)()) == _bits(getattr(plain, name)()), name


def _random(rng: np.random.Generator, n_channels: int, n_times: int) -> np.ndarray:
    """Random-walk EEG-like signal in volts (a drift, tens of microvolts of noise)."""
    return np.cumsum(rng.normal(0, 5e-6, (n_channels, n_times)), axis=1)


def _flat(x: np.ndarray) -> np.ndarray:
    x[0] = 0.0  # exactly zero throughout
    x[1] = 3e-5  # a constant offset
    return x


def _clipped(x: np.ndarray) -> np.ndarray:
    x[0] = np.clip(x[0], np.quantile(x[0], 0.05), np.quantile(x[0], 0.9))
    return x


def _nonfinite(x: np.ndarray) -> np.ndarray:
    x[0, 10:40] = np.nan
    x[-1, -5:] = np.inf
    x[1, :] = np.nan  # a channel without a finite sample
    return x


def _mixed_units(x: np.ndarray) -> np.ndarray:
    x[0] *= 1e6  # microvolts read as volts
    x[1] *= 1e3  # millivolts
    x[2] += 0.05  # a DC offset of 50 mV
    return x


def _artefact(x: np.ndarray) -> np.ndarray:
    x[1, x.shape[1] // 3] = 1e3  # one huge sample
    x[2, : x.shape[1] // 2] = -0.0  # negative zeros: a median of -0.0 is 0.0 for numpy
    return x


def _quantised(x: np.ndarray) -> np.ndarray:
    return np.round(x, 6)  # many ties at the median


_CRAFTED: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "random": lambda x: x,
    "flat": _flat,
    "clipped": _clipped,
    "nonfinite": _nonfinite,
    "mixed_units": _mixed_units,
    "artefact": _artefact,
    "quantised": _quantised,
}


@pytest.mark.parametrize("kind", list(_CRAFTED))
@pytest.mark.parametrize(
    ("n_channels", "n_times", "chunks"),
    [
        (4, 1, []),
        (3, 2, []),
        (5, 255, []),
        (4, 256, []),
        (4, 1001, [17, 300]),
        (19, 5120, [1024, 999, 1]),
        (8, 250_001, [65_536, 65_536]),  # subsampled (every 2nd sample), odd and even rows
    ],
)
def test_statistics_equal_the_plain_formulation(kind, n_channels, n_times, chunks):
    rng = np.random.default_rng(n_channels * 1000 + n_times)
    x = _random(rng, n_channels, n_times)
    if n_channels >= 3:
        x = _CRAFTED[kind](x)
    # all samples announced, then more fed; more announced than fed; half announced
    for segment, announced in [(0, 0), (256, 0), (256, 2 * n_times), (0, max(1, n_times // 2))]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # medians of nothing (NaN)
            new = _fed(SignalStats, x, chunks, segment, announced)
            plain = _fed(_PlainStats, x, chunks, segment, announced)
            _assert_same_statistics(new, plain)
            # asked again (the new statistics are kept), and after more samples
            _assert_same_statistics(new, plain)
            more = _random(rng, n_channels, 300)
            new.update(more)
            plain.update(more)
            _assert_same_statistics(new, plain)


def test_float32_chunks_keep_their_type():
    """Chunks not float64 are kept as they come: medians of float32 samples are float32."""
    x = _random(np.random.default_rng(5), 4, 3000).astype(np.float32)
    new, plain = _fed(SignalStats, x, [1000], 0), _fed(_PlainStats, x, [1000], 0)
    _assert_same_statistics(new, plain)
    assert new.median().dtype == np.float32


@pytest.mark.parametrize("chunks", [[], [100, 1, 700]])
def test_integer_samples_at_the_lowest_integer_are_a_rail(chunks):
    """Integer samples (a 16-bit converter's counts, fed as they are) give the statistics of
    the same values in float64: a channel held at -32768, the negative rail of int16, whose
    negation wrapped round to itself, is that channel's rail, with every sample at it."""
    rng = np.random.default_rng(3)
    x = rng.integers(-3000, 3000, (3, 2560)).astype(np.int16)
    x[0, 100:400] = np.iinfo(np.int16).min
    x[1, 50:60] = np.iinfo(np.int16).max
    for segment in (0, 256):
        counts = _fed(SignalStats, x, chunks, segment)
        volts = _fed(SignalStats, x.astype(np.float64), chunks, segment)
        assert counts.rail[0, 0] == -32768 and counts.n_at_rail[0, 0] == 300
        _assert_same_statistics(counts, volts)


@pytest.mark.parametrize("n_times", [2, 3, 64, 127, 128, 500, 1024, 1536])
def test_epoch_statistics_equal_the_plain_formulation(n_times):
    """Epochs (n_epochs, n_channels, n_times): the whole-set statistics and each epoch's
    typical deviation (``epoch_deviation``, a median over channels of a local deviation)."""
    rng = np.random.default_rng(n_times)
    x = np.stack([_random(rng, 5, n_times) for _ in range(7)])
    x[2] *= 1e6  # one epoch in microvolts
    x[4, 1] = 0.0
    new = SignalStats.of(x)
    plain = _PlainStats.of(x)
    _assert_same_statistics(new, plain)
    expected = np.empty(len(x))
    stride = max(1, n_times // 64)
    points = x[..., ::stride]
    if points.shape[-1] < 3:
        expected[:] = np.nan
    else:
        for i, epoch in enumerate(points):
            expected[i] = np.median(_plain_local_mad(epoch, epoch.shape[-1]))
    assert _bits(new.epoch_deviation) == _bits(expected)


def _outcome(stats: SignalStats, names: list[str], **kwargs: object) -> list[str]:
    """What check_signal says of ``stats``: its warnings' texts, then its refusal's, if any."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            check_signal(stats, names, "<rec>", **kwargs)  # type: ignore[arg-type]
        except RecordingError as err:
            return [str(w.message) for w in caught] + [f"refused: {err}"]
    return [str(w.message) for w in caught]


_NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz"]


@pytest.mark.parametrize(
    "kind", ["random", "flat", "clipped", "mixed_units", "artefact", "quantised", "all_flat"]
)
@pytest.mark.parametrize("offsets", [True, False])
def test_check_signal_says_the_same(kind, offsets):
    """The warnings and refusals, numbers and all, are those of the plain statistics: flat,
    partly flat, clipped, mis-scaled channels and offsets (and nothing for clean EEG)."""
    rng = np.random.default_rng(len(kind))
    sfreq, n_times = 256.0, 256 * 600  # ten minutes: subsampled
    x = _random(rng, len(_NAMES), n_times)
    x -= x.mean(axis=-1, keepdims=True)
    if kind == "all_flat":
        x[:] = 0.0
    else:
        x = _CRAFTED[kind](x)
        x[3, 256 * 10 : 256 * 20] = 0.0  # ten seconds flat in one channel
    chunks = [40_000, 40_000]
    new = _fed(SignalStats, x, chunks, round(sfreq))
    plain = _fed(_PlainStats, x, chunks, round(sfreq))
    said = _outcome(new, _NAMES, sfreq=sfreq, offsets=offsets)
    assert said == _outcome(plain, _NAMES, sfreq=sfreq, offsets=offsets)
    if kind != "random":
        assert said  # the crafted input is warned of or refused
