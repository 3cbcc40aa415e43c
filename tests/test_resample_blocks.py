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
