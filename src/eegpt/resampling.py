"""Resampling a signal to the model's rate, along its last axis (samples).

:func:`resample` takes arrays of shape (..., n_times) in any unit (volts in eegpt) from one
rate to another (Hz): polyphase (SciPy's ``resample_poly`` on each channel less its
least-squares straight line, the line added back) or nearest-neighbour (as PyTorch's
``interpolate``, :func:`nearest_indices`). Beside it: the ratio it uses
(:func:`polyphase_ratio`, :func:`taken_rate` for rates rounded by a header), the samples it
gives (:func:`resampled_length`), and the straight lines of its rows (:func:`fit_line`,
:func:`line_from_sums`), with which :func:`fill_nonfinite` fills NaN/Inf samples inside
rejected bad spans.
"""

from __future__ import annotations

import functools
from fractions import Fraction
from typing import Literal

import numpy as np
from scipy.signal import firwin, resample_poly

from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._rates import MAX_POLYPHASE_FACTOR, closest_ratio, nominal_rate

_RESAMPLE_ROWS = 8  # channels resampled at a time: at least, and in multiples of it
#: Samples per :func:`resample` call of scipy's ``resample_poly`` that short rows (epochs) are
#: gathered up to, in whole multiples of :data:`_RESAMPLE_ROWS` rows; rows of more samples than
#: this / 8 (2 s at 4096 Hz) go 8 at a time, which bounds scipy's temporaries.
_RESAMPLE_SAMPLES = 2**16


def nearest_indices(
    n_in: int, n_out: int, *, dtype: Literal["float32", "float64"] = "float32"
) -> np.ndarray:
    """Source index of each output sample of nearest-neighbour resampling.

    Reproduces ``torch.nn.functional.interpolate(x, size=n_out, mode="nearest")`` on CPU
    exactly: the index is ``floor(i * n_in / n_out)``, clipped to ``n_in - 1``, computed with
    PyTorch's rounding, which depends on the tensor's dtype. For ``float32`` tensors (PyTorch's
    default, as in the original EEGPT scripts) the scale and product are rounded to float32; for
    ``float64`` tensors the product is taken in double and then rounded to float32. For long
    signals either can differ by one sample from exact integer arithmetic; for 4 s epochs
    (e.g. 1000 -> 1024 samples) all three agree.

    Parameters
    ----------
    n_in, n_out : int
        Input and output lengths in samples.
    dtype : ``"float32"`` | ``"float64"``
        Dtype of the torch tensor whose behaviour is reproduced.

    Returns
    -------
    ndarray of int64, shape (n_out,)
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f"lengths must be positive, got n_in={n_in}, n_out={n_out}")
    return nearest_source(np.arange(n_out, dtype=np.int64), n_in, n_out, dtype=dtype)


def nearest_source(
    i: np.ndarray, n_in: int, n_out: int, *, dtype: Literal["float32", "float64"] = "float32"
) -> np.ndarray:
    """Source index of the output samples ``i`` (int64) of :func:`nearest_indices`.

    Element by element, so a block of outputs (a streamed chunk) gets exactly the indices the
    whole signal would.
    """
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    if n_out == n_in:
        return i.copy()
    if n_out == 2 * n_in:
        return i >> 1
    if dtype == "float32":
        scaled = i.astype(np.float32) * (np.float32(n_in) / np.float32(n_out))
    else:
        scaled = (i * (n_in / n_out)).astype(np.float32)
    return np.minimum(np.floor(scaled).astype(np.int64), n_in - 1)


def resampled_length(
    n_times: int, sfreq: float, new_sfreq: float, method: str = "polyphase", *, warn: bool = True
) -> int:
    """The samples :func:`resample` gives ``n_times`` samples at ``sfreq`` Hz at ``new_sfreq``
    Hz: ``ceil(n_times * up / down)`` (polyphase), ``round(n_times * new_sfreq / sfreq)``
    (nearest); ``n_times`` when the rates match (``sfreq`` taken as its nominal rate where a
    header rounded it: :func:`taken_rate`). ``warn``: of an approximated polyphase ratio
    (:func:`polyphase_ratio`)."""
    sfreq = taken_rate(sfreq)
    if sfreq == new_sfreq:
        return n_times
    if method == "nearest":
        return int(round(n_times * new_sfreq / sfreq))
    up, down = polyphase_ratio(sfreq, new_sfreq, warn=warn)
    return -(-n_times * up // down)


def polyphase_ratio(
    sfreq: float, new_sfreq: float, source: str | None = None, *, warn: bool = True
) -> tuple[int, int]:
    """``(up, down)`` of polyphase resampling from ``sfreq`` to ``new_sfreq`` Hz.

    The exact ratio where up and down are at most :data:`MAX_POLYPHASE_FACTOR`, else the
    closest fraction within that bound. A rate that is a sampling interval of whole
    microseconds rounded from a nominal rate's (BrainVision's 3906 µs for 256 Hz: 256.016 Hz)
    is taken as that rate (:func:`taken_rate`; 1/1 for 256.016 Hz to 256 Hz), with no warning.
    An approximation that shifts the time scale by more than 1e-9 is warned of (naming
    ``source``, the recording, if given), with the drift in ms per hour of recording;
    ``warn=False`` leaves the warning out (a caller that gave it already).

    Raises
    ------
    ValueError
        If the rates are not positive, or the ratio is beyond the bound (downsampling by more
        than about twice :data:`MAX_POLYPHASE_FACTOR`).
    """
    if not (sfreq > 0 and new_sfreq > 0):
        raise ValueError(f"sampling rates must be positive, got {sfreq} -> {new_sfreq}")
    given, sfreq = sfreq, taken_rate(sfreq)
    ratio = Fraction(new_sfreq) / Fraction(sfreq)
    approx = closest_ratio(ratio, MAX_POLYPHASE_FACTOR)
    if approx.numerator == 0:
        raise ValueError(
            f"cannot resample {given:g} Hz to {new_sfreq:g} Hz: downsampling by more than "
            f"{MAX_POLYPHASE_FACTOR} is not supported; downsample the recording first (e.g. "
            "raw.resample)"
        )
    if approx != ratio:
        effective = sfreq * approx.numerator / approx.denominator
        error = abs(effective - new_sfreq) / new_sfreq
        if warn and error > 1e-9:
            where = f"{source}: " if source else ""
            _warn(
                f"{where}resampling {sfreq:.10g} Hz -> {new_sfreq:.10g} Hz uses the ratio "
                f"{approx.numerator}/{approx.denominator}, i.e. {effective:.10g} Hz treated as "
                f"{new_sfreq:g} Hz: the embeddings' time scale drifts by {error * 3.6e6:.3g} ms "
                "per hour of recording (window onsets that far off after an hour); resample "
                "the recording to a rate with a simpler ratio first (e.g. raw.resample) if that "
                "matters."
            )
    return approx.numerator, approx.denominator


def taken_rate(sfreq: float, source: str | None = None, *, note: bool = False) -> float:
    """The rate (Hz) a recording at ``sfreq`` Hz is resampled from: its nominal rate where
    ``sfreq`` is a sampling interval of whole microseconds rounded from it
    (:func:`eegpt._rates.nominal_rate`: BrainVision's 3906 µs, which MNE reads as 256.016385
    Hz, is a 256 Hz amplifier's), else ``sfreq``. Sample ``k`` is then at ``k / nominal`` s,
    the window onsets count on that scale, and so do the annotations eegpt reads from the
    recording (:func:`eegpt.annotations.annotations_of`), which MNE places at
    ``k / sfreq`` s. ``note``: log that at INFO (naming ``source``)."""
    nominal = nominal_rate(sfreq)
    if nominal is None:
        return sfreq
    if note:
        where = f"{source}: " if source else ""
        _log(
            f"{where}the header's sampling interval of {round(1e6 / sfreq)} µs ({sfreq:.10g} "
            f"Hz as MNE reads it) is taken as the nominal {nominal:g} Hz ({1e6 / nominal:g} µs, "
            "which the header rounds): window onsets and the recording's annotations count "
            f"samples at {nominal:g} Hz",
            None,
        )
    return nominal


@functools.lru_cache(maxsize=32)
def polyphase_filter(up: int, down: int) -> np.ndarray:
    """The low-pass FIR filter :func:`scipy.signal.resample_poly` designs for ``up/down`` by
    default (Kaiser window, beta 5), designed once per ratio: passed as its ``window``, it
    gives the same samples without designing it again for every call (read-only)."""
    rate = max(up, down)
    h = firwin(2 * 10 * rate + 1, 1.0 / rate, window=("kaiser", 5.0))
    h.setflags(write=False)
    return h


def filter_reach(
    sfreq: float, new_sfreq: float, method: Literal["polyphase", "nearest"] = "polyphase"
) -> float:
    """Seconds on either side of a sample of :func:`resample`'s output from whose input
    samples it is made: half the polyphase filter's length (:func:`polyphase_filter`: 10
    samples at the lower of the two rates, 39 ms from 512 Hz to 256 Hz, 78 ms from 128 Hz);
    0 where nothing is filtered (the rates match, or ``method`` ``"nearest"``). A window
    within it of a discontinuity (an EDF+D join) holds samples mixed from both sides."""
    sfreq = taken_rate(sfreq)
    if method != "polyphase" or sfreq == new_sfreq:
        return 0.0
    up, down = polyphase_ratio(sfreq, new_sfreq, warn=False)
    return 10 * max(up, down) / (sfreq * up)


def fit_line(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's least-squares straight line over its samples: ``(level, slope)``, the line's
    value at the middle sample (the row's mean) and its change per sample, float64."""
    n = rows.shape[-1]
    level = rows.mean(axis=-1, dtype=np.float64)
    t = np.arange(n, dtype=np.float64) - (n - 1) / 2
    slope = rows @ t / (t @ t) if n > 1 else np.zeros(rows.shape[0])
    return level, slope


def line_from_sums(
    count: np.ndarray,
    t_sum: np.ndarray,
    t2_sum: np.ndarray,
    x_sum: np.ndarray,
    xt_sum: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's least-squares straight line over some of its samples, as :func:`fit_line`
    gives it (``(level, slope)``: the value at the middle sample of the row, and the change per
    sample), from sums over those samples (each of shape (rows,)): their number, their times
    ``t`` centred on the middle sample (``(n_times - 1) / 2``), ``t**2``,
    their values ``x`` and ``x * t``. A row with one sample or none gets a flat line (at 0 for
    none)."""
    det = count * t2_sum - t_sum * t_sum
    safe = det > 1e-9 * np.maximum(count * t2_sum, 1.0)
    slope = np.where(safe, (count * xt_sum - t_sum * x_sum) / np.where(safe, det, 1.0), 0.0)
    level = np.where(count > 0, (x_sum - slope * t_sum) / np.maximum(count, 1), 0.0)
    return level, slope


def line_over_finite(x: np.ndarray, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's least-squares line (``(level, slope)``, as :func:`line_from_sums` gives it)
    over its samples that are not ``gaps`` (``x`` shape (..., n_times), any value there)."""
    n = x.shape[-1]
    t = np.arange(n, dtype=np.float64) - (n - 1) / 2
    finite, values = ~gaps, np.where(gaps, 0.0, x)
    return line_from_sums(finite.sum(-1), finite @ t, finite @ (t * t), values.sum(-1), values @ t)


def fill_nonfinite(x: np.ndarray, bad: np.ndarray | None = None) -> int:
    """Replace the NaN/Inf samples of ``x`` in place by each channel's least-squares straight
    line over its finite samples (:func:`line_from_sums`); returns how many were replaced.

    For samples inside bad spans whose windows are left out (:class:`~eegpt.annotations.
    BadSpans`): the line continues the channel's offset and drift, so that the filled samples
    do not change the line :func:`resample` takes out (the line of the filled channel is that
    same line) and leave no step of the electrode offset for its filter to spread. Polyphase
    resampling still spreads the fill over its filter's half-length, 10 samples at the lower
    of the two rates (39 ms at 256 Hz), around the filled samples; nearest-neighbour and no
    resampling keep it where it is.

    Parameters
    ----------
    x : ndarray of float64, shape (n_channels, n_times)
        A continuous signal (any unit), modified in place.
    bad : ndarray of bool, shape (n_channels, n_times) | None
        ``~np.isfinite(x)``, where the caller has it already; None: found here.
    """
    bad = ~np.isfinite(x) if bad is None else bad
    rows = np.flatnonzero(bad.any(axis=-1))
    if not len(rows):
        return 0
    n = x.shape[-1]
    level, slope = line_over_finite(x[rows], bad[rows])
    filled = np.where(bad[rows], line_at(level, slope, n, np.arange(n)), x[rows])
    x[rows] = filled
    return int(bad.sum())


def line_at(level: np.ndarray, slope: np.ndarray, n_times: int, times: np.ndarray) -> np.ndarray:
    """Values of the lines of :func:`fit_line` (over ``n_times`` samples) at ``times`` (in
    input samples, float): shape (rows, len(times))."""
    centred = np.asarray(times, dtype=np.float64) - (n_times - 1) / 2
    return level[:, None] + slope[:, None] * centred[None, :]


#: Bytes of the lines :func:`add_line` computes at a time (a block of rows that stays in the
#: processor's cache while it is added)
_LINE_BYTES = 2**19


def add_line(
    x: np.ndarray,
    level: np.ndarray,
    slope: np.ndarray,
    n_times: int,
    times: np.ndarray,
    *,
    subtract: bool = False,
) -> None:
    """Add to ``x`` (float64, shape (rows, len(times))) in place, or subtract from it, the
    values of the lines of :func:`fit_line` at ``times`` (:func:`line_at`): the same numbers
    to the bit as ``x += line_at(...)`` (``x -= line_at(...)``), computed a block of rows at
    a time (:data:`_LINE_BYTES`) instead of in two arrays of the size of ``x`` (allocated,
    written and read back once each)."""
    centred = np.asarray(times, dtype=np.float64) - (n_times - 1) / 2
    step = max(1, _LINE_BYTES // (8 * max(len(centred), 1)))
    room = np.empty((min(step, len(x)), len(centred)))
    combine = np.subtract if subtract else np.add
    for at in range(0, len(x), step):
        rows = x[at : at + step]
        line = room[: len(rows)]
        np.multiply(slope[at : at + step, None], centred[None, :], out=line)
        np.add(level[at : at + step, None], line, out=line)  # level + slope * centred
        combine(rows, line, out=rows)


def _resample_blocks(n_rows: int, n_times: int) -> list[tuple[int, int]]:
    """The ``(start, stop)`` rows :func:`resample` takes at a time: a multiple of
    :data:`_RESAMPLE_ROWS` rows up to about :data:`_RESAMPLE_SAMPLES` samples, and the last
    ``n_rows % _RESAMPLE_ROWS`` rows on their own, as they were when every block was
    :data:`_RESAMPLE_ROWS` rows: each row's fitted line (a matrix-vector product, whose BLAS
    kernel can round a lone row otherwise than rows in a block) and so its output stay the
    same to the bit whatever the rows per block."""
    step = _RESAMPLE_ROWS * max(1, _RESAMPLE_SAMPLES // (_RESAMPLE_ROWS * max(n_times, 1)))
    whole = n_rows - n_rows % _RESAMPLE_ROWS
    blocks = [(start, min(start + step, whole)) for start in range(0, whole, step)]
    if whole < n_rows:
        blocks.append((whole, n_rows))
    return blocks


def resample(
    x: np.ndarray,
    sfreq: float,
    new_sfreq: float,
    *,
    method: Literal["polyphase", "nearest"] = "polyphase",
    source: str | None = None,
    warn_ratio: bool = True,
) -> np.ndarray:
    """Resample along the last axis.

    Parameters
    ----------
    x : ndarray, shape (..., n_times)
        Signal (any unit).
    sfreq, new_sfreq : float
        Current and wanted sampling rates in Hz.
    method : ``"polyphase"`` | ``"nearest"``
        See :class:`~eegpt.preprocessing.PreprocessingConfig`.
        Polyphase filters each channel with its
        least-squares straight line taken out (:func:`fit_line`), the edges extended by their
        own values (``padtype="edge"``), and adds the line back at the new sample times:
        electrode DC offsets (tens of mV in unreferenced recordings) and linear drifts pass
        exactly, instead of leaving a ripple from the filter branches' slightly different DC
        gains, and the edges of a drifting channel leave no transient that later detrending
        cannot remove; a wild first or last sample stays local (it does not set the line). Its
        output has ``ceil(n_times * up / down)`` samples. Nearest gives
        ``round(n_times * new_sfreq / sfreq)`` samples, picked as :func:`nearest_indices`
        (float32 tensors) does.
    source : str | None
        The recording, named in the warning about an approximated ratio.
    warn_ratio : bool
        Warn of an approximated polyphase ratio (:func:`polyphase_ratio`); False where the
        caller warned of it already (:class:`eegpt.online.OnlineEmbedder`, at its start).

    Returns
    -------
    ndarray of float64, shape (..., n_new)
        A new array (``x`` itself is never modified; it is returned as is when the rates match).

    Warns
    -----
    RuntimeWarning
        If the polyphase ratio ``new_sfreq / sfreq`` had to be approximated, which shifts the
        effective rate slightly.
    """
    if sfreq <= 0 or new_sfreq <= 0:
        raise ValueError(f"sampling rates must be positive, got {sfreq} -> {new_sfreq}")
    sfreq = taken_rate(sfreq, source, note=warn_ratio)  # 256.016 Hz (3906 µs): 256 Hz
    if sfreq == new_sfreq:
        return x
    n = x.shape[-1]
    if method == "nearest":
        n_out = int(round(n * new_sfreq / sfreq))
        if n_out < 1:
            raise ValueError(f"{n} samples at {sfreq} Hz give no sample at {new_sfreq} Hz")
        return np.take(x, nearest_indices(n, n_out), axis=-1)
    if method != "polyphase":
        raise ValueError(f"method must be 'polyphase' or 'nearest', got {method!r}")
    up, down = polyphase_ratio(sfreq, new_sfreq, source, warn=warn_ratio)
    rows = x.reshape(-1, n)  # a view for contiguous input
    n_out = -(-n * up // down)
    out = np.empty((rows.shape[0], n_out), dtype=np.float64)
    h = polyphase_filter(up, down)
    t_in, t_out = np.arange(n, dtype=np.float64), np.arange(n_out) * (down / up)
    for start, stop in _resample_blocks(rows.shape[0], n):  # bounds scipy's temporaries
        block = rows[start:stop]
        level, slope = fit_line(block)
        flat = np.array(block, dtype=np.float64)  # the signal less its line
        add_line(flat, level, slope, n, t_in, subtract=True)
        y = resample_poly(flat, up, down, axis=-1, window=h, padtype="edge")
        add_line(y, level, slope, n, t_out)
        out[start : start + len(block)] = y
    return out.reshape(*x.shape[:-1], n_out)
