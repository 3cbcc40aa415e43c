"""Memory of a probe's training data: epochs held at the recording's rate are preprocessed
without further copies of all of them (a long continuous recording cut into windows for
``probe train`` held 4-5 copies of itself), and with the same windows as before."""

import tracemalloc

import numpy as np
import pytest

from eegpt import signal_stats
from eegpt.io import Recording
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.probe_inputs import merge_epochs
from eegpt.signal_stats import SignalStats

NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3",
         "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip


def _epochs(n_epochs: int = 24, sfreq: float = 1024.0) -> Recording:
    """``n_epochs`` 4 s epochs of the 19 channels at ``sfreq`` (volts, with small offsets and a drift),
    ``[n_epochs, 19, 4 * sfreq]`` float64."""
    rng = np.random.default_rng(3)
    n_times = int(4 * sfreq)
    data = rng.normal(0, 20e-6, (n_epochs, len(NAMES), n_times))
    data += rng.normal(0, 5e-6, (1, len(NAMES), 1))  # electrode offsets
    data += np.linspace(0, 5e-6, n_times)  # a drift
    return Recording(data, list(NAMES), sfreq, source="<epochs>")


def test_epochs_windows_are_those_of_each_epoch_alone():
    """Each epoch is prepared as it was alone (the per-epoch reference and resampling as
    before): the windows of all epochs at once are those of each epoch, bit for bit."""
    rec = _epochs(6)
    whole = prepare(rec, checks=False).data
    alone = [
        prepare(Recording(rec.data[k : k + 1], rec.ch_names, rec.sfreq), checks=False).data
        for k in range(len(rec.data))
    ]
    np.testing.assert_array_equal(whole, np.concatenate(alone))


def test_epochs_statistics_are_those_of_all_samples_at_once(monkeypatch):
    """Epochs' statistics fed a few epochs at a time: the extremes, counts and amplitude
    subsample of all samples at once (each channel's epochs one after the other), the means
    and deviations to rounding; non-finite epochs found in every block."""
    monkeypatch.setattr(signal_stats, "_STATS_BLOCK_SAMPLES", 3 * 19 * 4096)
    x = _epochs(10).data
    x[7, 2, 5] = np.nan
    stats = SignalStats.of(x)
    flat = np.moveaxis(x, -2, 0).reshape(x.shape[1], -1)
    whole = SignalStats(flat.shape[0], flat.shape[1])
    whole.update(flat)
    assert stats.nonfinite_epochs.tolist() == [7]
    assert stats.n == whole.n and np.array_equal(stats.count, whole.count)
    for name in ("low", "high", "nonfinite"):
        if hasattr(whole, name):
            np.testing.assert_array_equal(getattr(stats, name), getattr(whole, name))
    np.testing.assert_array_equal(stats._sample_array(), whole._sample_array())
    np.testing.assert_allclose(stats.mean, whole.mean, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(stats.std, whole.std, rtol=1e-10)


def test_one_recordings_epochs_are_merged_without_a_copy():
    rec = _epochs(2)
    assert merge_epochs([rec]).data is rec.data


@pytest.mark.parametrize("checks", [True, False])
def test_preparing_epochs_holds_one_copy_of_them(monkeypatch, checks):
    """prepare() of epochs at the recording's rate allocates about one copy of the used
    channels (the one it re-references in place) beside the epochs given, not the 3-4 copies
    (a reshaped copy for the statistics and its temporaries, a non-contiguous pick copied again
    to resample) that made a probe's memory grow with the recording's length."""
    monkeypatch.setattr(signal_stats, "_STATS_BLOCK_SAMPLES", 2**18)
    # the amplitude subsample bounded as in a long recording's (100,000 samples a channel)
    monkeypatch.setattr(signal_stats, "_MAX_CHECK_SAMPLES", 2_000)
    rec = _epochs(24)
    config = PreprocessingConfig()
    prepare(_epochs(1), preprocessing=config, checks=checks)  # imports, filter caches
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        windows = prepare(rec, preprocessing=config, checks=checks)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert windows.data.shape == (24, 19, 1024)
    assert peak < 1.5 * rec.data.nbytes, f"{peak / rec.data.nbytes:.2f} copies of the epochs"
