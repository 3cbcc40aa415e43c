"""resample() gathers short rows (epochs) into fewer resample_poly calls, with outputs equal
to the bit to those of 8 rows at a time."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from eegpt import resampling
from eegpt.resampling import fit_line, line_at, polyphase_filter, polyphase_ratio, resample


def _eight_at_a_time(x, sfreq, new_sfreq):
    """resample() as it was: 8 rows per resample_poly call."""
    n = x.shape[-1]
    up, down = polyphase_ratio(sfreq, new_sfreq, None, warn=False)
    rows = x.reshape(-1, n)
    n_out = -(-n * up // down)
    out = np.empty((rows.shape[0], n_out), dtype=np.float64)
    h = polyphase_filter(up, down)
    t_in, t_out = np.arange(n, dtype=np.float64), np.arange(n_out) * (down / up)
    for start in range(0, rows.shape[0], 8):
        block = rows[start : start + 8]
        level, slope = fit_line(block)
        line = line_at(level, slope, n, t_in)
        np.subtract(block, line, out=line)
        y = resample_poly(line, up, down, axis=-1, window=h, padtype="edge")
        y += line_at(level, slope, n, t_out)
        out[start : start + len(block)] = y
    return out.reshape(*x.shape[:-1], n_out)


@pytest.mark.parametrize("shape", [(1, 3, 500), (9, 7, 250), (40, 61, 500), (3, 257, 2000),
                                   (5, 4097), (17, 1001)])  # fmt: skip
@pytest.mark.parametrize(("sfreq", "new_sfreq"), [(500.0, 256.0), (250.0, 256.0), (512.5, 256.0)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_resampled_rows_equal_those_of_eight_at_a_time(shape, sfreq, new_sfreq, dtype):
    rng = np.random.default_rng(sum(shape))
    n = shape[-1]
    x = (
        rng.standard_normal(shape) * 1e-5
        + rng.standard_normal((*shape[:-1], 1)) * 1e-2
        + np.arange(n) * rng.standard_normal((*shape[:-1], 1)) * 1e-7
    ).astype(dtype)
    got = resample(x, sfreq, new_sfreq, warn_ratio=False)
    assert np.array_equal(got, _eight_at_a_time(x, sfreq, new_sfreq))


def _calls(monkeypatch, x):
    rows = []
    real = resampling.resample_poly
    monkeypatch.setattr(
        resampling, "resample_poly", lambda y, *a, **k: rows.append(len(y)) or real(y, *a, **k)
    )
    resample(x, 500.0, 256.0)
    return rows


def test_short_rows_are_resampled_many_at_a_time(monkeypatch):
    rows = _calls(monkeypatch, np.zeros((100, 60, 500)))  # 6000 rows of 1 s
    assert sum(rows) == 6000
    assert len(rows) < 6000 // 8 // 10
    assert all(r % 8 == 0 for r in rows)


def test_long_rows_are_still_resampled_eight_at_a_time(monkeypatch):
    rows = _calls(monkeypatch, np.zeros((19, 20_000)))
    assert rows == [8, 8, 3]


@pytest.mark.parametrize("subtract", [False, True])
@pytest.mark.parametrize(("rows", "n"), [(1, 1), (3, 17), (62, 5000), (19, 70_000), (7, 0)])
def test_lines_added_in_blocks_equal_line_at_to_the_bit(rows, n, subtract):
    rng = np.random.default_rng(rows * 1000 + n)
    x = rng.standard_normal((rows, n)) * 10.0 ** rng.integers(-6, 2, (rows, 1))
    level, slope = rng.standard_normal(rows) * 1e-2, rng.standard_normal(rows) * 1e-7
    n_times = n * 20 + 3
    times = (np.arange(n) + rng.integers(0, n_times)) * (250 / 256)  # fractional, as polyphase's
    expected = (
        x - line_at(level, slope, n_times, times)
        if subtract
        else x + line_at(level, slope, n_times, times)
    )
    got = x.copy()
    resampling.add_line(got, level, slope, n_times, times, subtract=subtract)
    assert np.array_equal(got, expected)
    view = np.zeros((rows, n + 5))[:, 2 : n + 2]  # rows of a wider array (a window of y)
    view[:] = x
    resampling.add_line(view, level, slope, n_times, times, subtract=subtract)
    assert np.array_equal(view, expected)


def test_lines_are_added_without_an_array_of_the_signals_size():
    import tracemalloc

    x = np.zeros((64, 131_072))  # 64 MiB: a streamed block of 64 channels at 512 Hz
    level, slope = np.ones(64), np.full(64, 1e-6)
    times = np.arange(x.shape[-1])
    tracemalloc.start()
    try:
        resampling.add_line(x, level, slope, 10**6, times, subtract=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes / 16  # line_at's values took two arrays of x's size
    assert x[5, 7] == -(1 + 1e-6 * (7 - (10**6 - 1) / 2))


def _polyphase_as_it_was(self, j0, j1):
    """WindowStream._polyphase with the lines as arrays of the block's size (line_at)."""
    up, down, n_in = self._up, self._down, self.recording.n_times
    context = (20 * max(up, down) + 2 * down + 2) // up + 4
    start = max(0, (j0 * down // up - context) // down * down)
    stop = min(n_in, -(-j1 * down // up) + context)
    x = self._read(start, stop)
    x -= line_at(self._level, self._slope, n_in, np.arange(start, stop))
    y = resample_poly(x, up, down, axis=-1, window=polyphase_filter(up, down), padtype="edge")
    offset = start * up // down
    out = y[:, j0 - offset : j1 - offset]
    out += line_at(self._level, self._slope, n_in, np.arange(j0, j1) * (down / up))
    return out


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("sfreq", [500.0, 512.0, 250.0])
@pytest.mark.parametrize("average_reference", [True, False])
def test_streamed_resampling_gives_the_windows_it_gave_to_the_bit(
    sfreq, average_reference, monkeypatch
):
    import mne

    from eegpt.channels import map_channels
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.streaming import StreamedRecording, WindowStream

    names = ["Fp1", "Cz", "O2", "T7", "P8"]
    rng = np.random.default_rng(int(sfreq))
    n = int(37.3 * sfreq)
    x = rng.standard_normal((5, n)) * 2e-5 + rng.standard_normal((5, 1)) * 2e-2
    x += np.arange(n) * rng.standard_normal((5, 1)) * 1e-8  # electrode drift
    raw = mne.io.RawArray(x, mne.create_info(names, sfreq, "eeg"), verbose="error")
    mapping = map_channels(names)
    config = PreprocessingConfig(average_reference=average_reference)

    def windows():
        rec = StreamedRecording(raw, list(mapping.picks), mapping, "<memory>")
        return np.concatenate([b for _, b in WindowStream(rec, config).blocks(3)])

    got = windows()
    monkeypatch.setattr(WindowStream, "_polyphase", _polyphase_as_it_was)
    assert np.array_equal(got, windows())
