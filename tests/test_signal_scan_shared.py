"""The scan's statistics of clean chunks, where each piece's minimum and maximum (the samples
closing the segment left open, each whole segment of a second, the tail) are computed once and
serve the flat, extremes and clipping (rail) checks alike
(:meth:`~eegpt.signal_stats.SignalStats._update_clean_segments`), equal to the bit those of
each check reading the chunk itself, as :meth:`~eegpt.signal_stats.SignalStats.update` took
them before (kept below as :class:`_EachOwnStats`); :func:`~eegpt.signal_checks.check_signal`
warns, refuses and flags the same windows with either."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eegpt import signal_stats
from eegpt._window_flags import FlaggedSpans
from eegpt.errors import RecordingError
from eegpt.signal_checks import check_signal
from eegpt.signal_stats import SignalStats


class _EachOwnStats(SignalStats):
    """:class:`SignalStats` whose clean chunks are read by each statistic on its own: the
    flat segments' extremes (``_update_segments``), the rails' blocks of 64 samples per
    channel and side (``_update_rails``), the extremes and the samples at them
    (``_update_clean``): :meth:`SignalStats.update` as it was."""

    def update(self, chunk: np.ndarray, bad: np.ndarray | None = None) -> None:
        t = chunk.shape[-1]
        clean = t and np.isfinite(chunk).all() and chunk.flags.c_contiguous
        if not (self.segment and clean and self._judged(chunk) is chunk):
            super().update(chunk, bad)
            return
        self._update_segments(chunk)
        self._keep(chunk[:, -self.n % self.stride :: self.stride])
        before = self.rail.copy()
        self._update_rails(chunk, False)
        self._update_clean(chunk)
        self.judged_count += t
        self._track_rails(chunk, before)
        self.n += t


_NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz"]
_RANGE = 4e-4  # V; each channel's range in its file: +-400 µV


def _recording(rng: np.random.Generator, sfreq: float, dirty: bool) -> np.ndarray:
    """Three minutes of EEG-like noise in volts, shape (12, n_times): a clean channel, then
    channels clipped (both sides), flat throughout, flat for ten seconds, held at their
    maximum for two seconds twice, quantised to 1 µV, a dead electrode's jitter, a
    calibration pulse (100 µV for two seconds) on all but the flat channel, and where
    ``dirty`` NaN and inf samples."""
    n = int(180 * sfreq)
    x = rng.normal(0, 2e-5, (len(_NAMES), n))
    s = int(sfreq)
    x[1] = np.clip(x[1], np.quantile(x[1], 0.03), np.quantile(x[1], 0.98))
    x[2] = 3e-5
    x[3, 70 * s : 80 * s] = 0.0
    for start in (90, 130):
        x[4, start * s : (start + 2) * s] = x[4].max()
    x[5] = np.round(x[5], 6)
    x[6, 100 * s : 110 * s] = np.where(np.arange(10 * s) % 3, 1e-6, 0.0)
    x[[0, 1, *range(3, len(_NAMES))], 2 * s : 4 * s] = 1e-4  # the calibration pulse
    if dirty:
        x[7, 150 * s : 150 * s + 40] = np.nan
        x[8, 40 * s] = np.inf
    return x


def _fed(cls: type[SignalStats], x: np.ndarray, sizes: list[int], sfreq: float) -> SignalStats:
    """Statistics of ``x`` fed in chunks of these sizes (the last: the rest), as a scan
    takes them (a second's segments)."""
    stats = cls(x.shape[0], x.shape[1], segment=round(sfreq), sfreq=sfreq)
    at = 0
    for size in [*sizes, x.shape[1]]:
        stats.update(np.ascontiguousarray(x[:, at : at + size]))
        at += size
        if at >= x.shape[1]:
            break
    return stats


def _bits(a: object) -> tuple[tuple[int, ...], str, bytes]:
    """An array's shape, type and bytes: equal for arrays equal to the bit."""
    a = np.asarray(a)
    return a.shape, a.dtype.str, a.tobytes()


_FIELDS = ("mean", "m2", "minimum", "maximum", "n_at_min", "n_at_max", "count", "nonfinite")
_FIELDS += ("judged_count", "rail", "n_at_rail", "n_rail_runs", "flat_segments", "first_flat")
_FIELDS += ("n_flat_runs", "line_share", "line_measured")


def _assert_same_statistics(new: SignalStats, old: SignalStats) -> None:
    for name in _FIELDS:
        assert _bits(getattr(new, name)) == _bits(getattr(old, name)), name
    for name in ("n", "all_flat_segments", "first_all_flat", "flat_runs", "rail_runs"):
        assert getattr(new, name) == getattr(old, name), name
    assert new.nonfinite_span == old.nonfinite_span
    # the most extreme samples kept per side and channel, in whatever order
    assert _bits(np.sort(new._top, axis=-1)) == _bits(np.sort(old._top, axis=-1))
    for side in (0, 1):
        for row in range(new.n_channels):
            for name in ("rail_spans", "rail_held", "rail_reach"):
                got, want = getattr(new, name)(side, row), getattr(old, name)(side, row)
                assert _bits(got) == _bits(want), (name, side, row)
    for row in range(new.n_channels + 1):
        assert _bits(new.flat_segments_of(row)) == _bits(old.flat_segments_of(row)), row
    assert _bits(new._sample_array()) == _bits(old._sample_array())
    for name in ("median", "deviation", "local_deviation"):
        assert _bits(getattr(new, name)()) == _bits(getattr(old, name)()), name


def _outcome(stats: SignalStats, sfreq: float) -> tuple[list[str], object]:
    """check_signal's warnings (texts) and its refusal, or the stretches it flags (each
    channel's, bit for bit) and the windows of four seconds it flags."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            flags = check_signal(
                stats, _NAMES, "<rec>", sfreq=sfreq, ranges=[(-_RANGE, _RANGE)] * len(_NAMES)
            )
        except RecordingError as err:
            return [str(w.message) for w in caught], f"refused: {err}"
    said = [str(w.message) for w in caught]
    assert isinstance(flags, FlaggedSpans)
    spans = {kind: {name: _bits(a) for name, a in getattr(flags, kind).items()}
             for kind in ("flat", "clipped")}  # fmt: skip
    return said, (spans, flags.per_window(np.arange(0, 176, 2.0), 4.0))


@pytest.mark.parametrize("sfreq", [256.0, 250.0, 100.0])
@pytest.mark.parametrize("dirty", [False, True])
def test_shared_extremes_give_the_same_checks(sfreq, dirty, monkeypatch):
    """Chunks of random sizes (shorter than a second, not on the seconds' boundaries, a
    million samples), with flat, clipped, quantised, jittering and calibration-pulse channels,
    NaN and inf samples: every statistic, warning, refusal and flagged window the same."""
    rng = np.random.default_rng(int(sfreq) + dirty)
    x = _recording(rng, sfreq, dirty)
    sizes = [*rng.integers(1, 3 * int(sfreq), 20).tolist(), 7, 1, int(sfreq), 3000, 10_007]
    shared = []
    fast = SignalStats._update_clean_segments
    monkeypatch.setattr(
        SignalStats,
        "_update_clean_segments",
        lambda self, chunk: (shared.append(chunk.shape[-1]), fast(self, chunk))[1],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        new = _fed(SignalStats, x, sizes, sfreq)
        old = _fed(_EachOwnStats, x, sizes, sfreq)
    assert len(shared) > 20  # the clean chunks took the shared extremes
    _assert_same_statistics(new, old)
    said, flagged = _outcome(new, sfreq)
    assert (said, flagged) == _outcome(old, sfreq)
    if dirty:  # the NaN/Inf samples refused, in the same words
        assert isinstance(flagged, str) and "NaN" in flagged
    else:  # the crafted channels warned of and their windows flagged
        assert any("clipping check" in text for text in said)
        assert any("flat" in text for text in said)
        assert any(any(names) for names in flagged[1]["clipped_channels"])


def test_clean_chunks_are_read_once_for_the_extremes(monkeypatch):
    """A clean chunk's rails and extremes come from its pieces' extremes: neither each
    channel's blocks of samples read per side (``_rail_candidates``) nor each channel's
    samples compared with its minimum and maximum (``_extremes``) is asked of it; a chunk
    with NaN still is (its statistics leave them out)."""
    x = _recording(np.random.default_rng(3), 256.0, dirty=False)

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("read again")

    monkeypatch.setattr(signal_stats, "_rail_candidates", refused)
    monkeypatch.setattr(signal_stats, "_extremes", refused)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        stats = _fed(SignalStats, x, [1000, 25_000, 300], 256.0)
    assert stats.n == x.shape[1]
    x[0, 5] = np.nan
    with pytest.raises(AssertionError, match="read again"):
        _fed(SignalStats, x, [1000], 256.0)
