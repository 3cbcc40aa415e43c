"""Sampling rates as headers write them, and the polyphase ratio between two rates (no NumPy,
SciPy or MNE: imported by :mod:`eegpt.annotations`, :mod:`eegpt.resampling` and, for
``eegpt info``, :mod:`eegpt.preprocessing_spec`)."""

from __future__ import annotations

import math
from fractions import Fraction

#: Divisible by every rate of 2**a * 5**b Hz up to 2**20 Hz: the "roundest" candidate rate of
#: a rounded interval is the one with the largest common divisor with it (:func:`nominal_rate`).
_ROUND = 2**20 * 10**6

#: Intervals (µs) shorter than this are not taken as rounded from a nominal rate: too many
#: rates round to each.
_MIN_INTERVAL_US = 20

#: The common divisor with :data:`_ROUND` a nominal rate needs (120, 128, 300 Hz have 40, 128,
#: 100): 983 µs, which 1017 Hz rounds to, is not taken for 1017 Hz (1017.25 Hz amplifiers).
_MIN_ROUNDNESS = 20


def nominal_rate(sfreq: float) -> float | None:
    """The amplifier's rate (Hz) whose sampling interval a header of whole microseconds
    rounded to give ``sfreq`` Hz (as MNE reads it: ``1e6 / interval``); None where ``sfreq``
    is no such rate.

    BrainVision headers write ``SamplingInterval`` in whole µs: 3906 for a 256 Hz amplifier
    (3906.25 µs), which MNE reads as 256.016385 Hz; 977 for 1024 Hz (976.5625 µs), 1953 for
    512 Hz, 488 for 2048 Hz, 7813 (or 7812) for 128 Hz, 333 for 3000 Hz. The nominal rate is the whole
    number of Hz whose interval rounds (half either way) to the header's, is not itself a
    whole number of µs, and is the roundest of those (the largest common divisor with
    ``2**20 * 10**6``: 2048 Hz, not 2050 Hz, for 488 µs) if that divisor is 20 or more
    (983 µs is not taken for 1017 Hz); none for intervals under 20 µs, and none for an
    interval of a whole rate (40 µs: 25000 Hz), which is exact.
    """
    if not (sfreq > 0 and math.isfinite(sfreq)):
        return None
    interval = 1e6 / sfreq
    whole = round(interval)
    if whole < _MIN_INTERVAL_US or abs(interval - whole) >= 1e-6 * whole or 10**6 % whole == 0:
        return None  # no whole µs, or one of a whole rate (40 µs: 25000 Hz), exact as it is
    lo, hi = math.ceil(1e6 / (whole + 0.5)), math.floor(1e6 / (whole - 0.5))
    candidates = [r for r in range(lo, hi + 1) if 10**6 % r]  # a whole interval is exact
    if not candidates:
        return None
    best = max(candidates, key=lambda r: (math.gcd(r, _ROUND), -abs(r - sfreq)))
    return float(best) if math.gcd(best, _ROUND) >= _MIN_ROUNDNESS else None


def taken_rate(sfreq: float) -> float:
    """The rate ``sfreq`` is taken as: its :func:`nominal_rate` where it has one (256 Hz for
    BrainVision's 3906 µs, MNE's 256.016385 Hz), else ``sfreq`` itself."""
    nominal = nominal_rate(sfreq)
    return sfreq if nominal is None else nominal


def at_taken_rate(seconds: float, sfreq: float) -> float:
    """``seconds`` that MNE counts at ``sfreq`` Hz (a time of a sample: ``first_time``,
    ``tmin``) on the scale of :func:`taken_rate`: the same number of samples, whole ones kept
    whole (within 1e-6 of a sample), at the nominal rate where ``sfreq`` has one (sample
    122880 at 480 s, not MNE's 479.969 s, for BrainVision's 3906 µs); else ``seconds``."""
    nominal = nominal_rate(sfreq)
    if nominal is None:
        return seconds
    samples = seconds * sfreq
    whole = round(samples)
    return (whole if abs(samples - whole) < 1e-6 else samples) / nominal


#: Largest up or down factor of a polyphase ratio (:func:`eegpt.resampling.polyphase_ratio`). The filter has
#: 20 x max(up, down) + 1 taps, but per output sample ~20 x max(1, down / up) of them act, so
#: the time to resample a recording is that of any ratio between the same rates (1 h x 64
#: channels at 1017.25 Hz: 7.6 s with 1024/4069, 8.2 s with the 38/151 of a bound of 1000, peak
#: memory alike); what grows is the filter (1.6 MB at 10000) and a stream's context per block
#: (at most ``down`` input samples more). Exact for the rates of common amplifiers
#: (1017.25, 2034.5, 4069, 512.5, 25000, 30000 Hz) where a bound of 1000 drifted by 47 to
#: 384 ms per hour.
MAX_POLYPHASE_FACTOR = 10_000


def closest_ratio(ratio: Fraction, bound: int) -> Fraction:
    """The fraction closest to ``ratio`` whose numerator (up) and denominator (down) are at
    most about ``bound``: the denominator is bounded to ``bound / ratio`` when upsampling."""
    limit = bound if ratio <= 1 else max(1, int(bound / ratio))
    return ratio.limit_denominator(limit)
