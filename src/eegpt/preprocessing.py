"""From a :class:`~eegpt.io.Recording` (volts) to model-ready windows (model units).

EEGPT was pretrained on 4 s windows sampled at 256 Hz (1024 samples) in **millivolts**.
:func:`prepare` picks and orders the channels of a :class:`~eegpt.channels.ChannelMapping`,
re-references them to their average (as pretraining did; optional), resamples, converts volts
to model units and cuts windows. Every step that would change the data silently is either
explicit in :class:`PreprocessingConfig` or announced by a warning.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import firwin, resample_poly

from eegpt._logging import Verbose, clock_text, duration_text, few
from eegpt._logging import count as _count
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._rates import nominal_rate
from eegpt.annotations import BadSpans
from eegpt.channel_picks import pick_indices, warn_not_scalp
from eegpt.channels import ChannelMapping, map_channels
from eegpt.config import EEGPTConfig, strict_from_dict
from eegpt.edf_files import EDF_VOLT_UNITS
from eegpt.errors import (
    DuplicateChannelsError,
    NoChannelMappedError,
    RecordingError,
    StartPastEndError,
    TooShortError,
)
from eegpt.io import (
    UNITS,
    Recording,
    as_recording,
    check_unique,
    left_out_channels,
    nonfinite_error,
    warn_unapplied_projectors,
)
from eegpt.nearest_sites import with_positions_note
from eegpt.preprocessing_spec import (
    PRETRAINING_SCALE,
    SAMPLE_TOLERANCE,
    STORED_DEFAULTS,
    PreprocessingFields,
)
from eegpt.preprocessing_spec import describe as describe_spec
from eegpt.preprocessing_spec import stored_defaults as stored_defaults  # re-exported
from eegpt.rename_tables import (
    DROP_ADVICE_NAMES,
    egi_advice,
    egi_labels,
    file_argument,
    how_to_drop,
)
from eegpt.vocabulary import shortened_list

__all__ = [
    "PreprocessingConfig",
    "Windows",
    "cut_windows",
    "detrend_windows",
    "nearest_indices",
    "prepare",
    "resample",
    "SignalStats",
    "check_finite",
    "check_reference_channels",
    "check_signal",
    "fill_nonfinite",
    "nearest_source",
    "polyphase_ratio",
    "robust_amplitude",
    "taken_rate",
    "window_starts",
]

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
DETREND = ("none", "constant", "linear")  # PreprocessingConfig.detrend
OFFSET_MIN = 1e-4  # V; an offset or drift beyond it, and beyond OFFSET_RATIO deviations, warns
OFFSET_RATIO = 10.0  # robust standard deviations (1.4826 x the median absolute deviation)
MIN_SFREQ = 1.0  # Hz; lower sampling rates mean a corrupt header or the wrong time unit
LOW_SFREQ = 100.0  # Hz; below it a warning: EEG is rarely sampled so slowly (a wrong sfreq?)
#: Hz; a recording sampled below it and upsampled for the model holds nothing above its Nyquist
#: frequency (under 100 Hz), a band EEGPT's 256 Hz pretraining data filled: a warning
NARROW_SFREQ = 200.0
_MAX_CHECK_SAMPLES = 100_000  # per channel, for the robust amplitude estimate
#: Samples (all channels) of the epochs :meth:`SignalStats.of` takes at a time: bounds the
#: copies its statistics make of epochs held whole (a probe's windows at the recording's rate).
_STATS_BLOCK_SAMPLES = 2**22
_LOCAL_RUN = 256  # subsample points per run of SignalStats.local_deviation
#: Bytes of a chunk's rows :class:`SignalStats` reads at a time for the statistics of each
#: row (a block that stays in the processor's cache while they are computed)
_STATS_CACHE_BYTES = 2**19
_RESAMPLE_ROWS = 8  # channels resampled at a time: at least, and in multiples of it
#: Samples per :func:`resample` call of scipy's ``resample_poly`` that short rows (epochs) are
#: gathered up to, in whole multiples of :data:`_RESAMPLE_ROWS` rows; rows of more samples than
#: this / 8 (2 s at 4096 Hz) go 8 at a time, which bounds scipy's temporaries.
_RESAMPLE_SAMPLES = 2**16
#: Largest up or down factor of a polyphase ratio (:func:`polyphase_ratio`). The filter has
#: 20 x max(up, down) + 1 taps, but per output sample ~20 x max(1, down / up) of them act, so
#: the time to resample a recording is that of any ratio between the same rates (1 h x 64
#: channels at 1017.25 Hz: 7.6 s with 1024/4069, 8.2 s with the 38/151 of a bound of 1000, peak
#: memory alike); what grows is the filter (1.6 MB at 10000) and a stream's context per block
#: (at most ``down`` input samples more). Exact for the rates of common amplifiers
#: (1017.25, 2034.5, 4069, 512.5, 25000, 30000 Hz) where a bound of 1000 drifted by 47 to
#: 384 ms per hour.
MAX_POLYPHASE_FACTOR = 10_000
PRETRAINING_SFREQ = 256.0  # Hz, the rate EEGPT was pretrained at
_RATES_QUESTIONED: set[float] = set()  # model rates other than it, warned about already
_WINDOWS_QUESTIONED: set[tuple[int, float]] = set()  # (samples, rate) of windows warned about


@dataclass(frozen=True)
class PreprocessingConfig(PreprocessingFields):
    """How a recording becomes model windows.

    Parameters
    ----------
    sfreq : float
        Model sampling rate in Hz.
    window_seconds : float
        Window length in seconds; ``window_seconds * sfreq`` must be a whole number of samples.
        This, ``overlap`` and ``start_seconds`` also take the command line's text (``"4s"``,
        ``"0.5 s"``), read as ``--window`` reads it.
        Best whole patches of the model (64 samples, 0.25 s at 256 Hz): the model zero-pads a
        window's samples past its last whole patch into one more patch, and a warning says so
        when that patch holds more zeros than signal.
    overlap : float
        Overlap of consecutive windows in seconds, ``0 <= overlap < window_seconds``; the hop is
        ``window_seconds - overlap`` and must be a whole number of samples.
    resample : ``"polyphase"`` | ``"nearest"``
        ``"polyphase"``: :func:`scipy.signal.resample_poly` (anti-aliased) with the rate ratio
        approximated where up or down would exceed :data:`MAX_POLYPHASE_FACTOR`. ``"nearest"``: nearest-neighbour
        sample picking, identical to ``torch.nn.functional.interpolate(mode="nearest")`` on
        float32 tensors as in the original EEGPT downstream scripts (no anti-aliasing filter).
    average_reference : bool
        Subtract, at each sample, the mean over the channels the model gets (after channel
        mapping; dropped, bad and non-EEG channels left out). On by default: EEGPT's
        pretraining did the same to every sample (it picked its channels, then subtracted
        their mean), as did most of its downstream recipes. Input already average-referenced
        over the same channels is left as it is (their mean is zero). Turn it off for a
        single channel (there is no average of one) and for data whose reference you mean to
        keep, such as a recipe that did not re-reference (TUAB's, TUEV's).
    scale : float
        Multiplier from volts to model units (``1e3``: millivolts, as in pretraining). Another
        value also corrects recordings read in the wrong unit: ``1e3 * 1e-6`` for a file whose
        header says volts over samples in microvolts (``eegpt embed --rescale 1e-6``); the
        signal checks then judge the corrected amplitudes. A trained probe keeps its
        preprocessing and applies it to whatever it predicts on, so fix the units of a probe's
        training data in the data instead (``raw.apply_function(lambda x: x * 1e-6)``).
    tail : ``"drop"`` | ``"pad"``
        A final partial window (or a recording/epoch shorter than one window) is dropped, or
        zero-padded to full length.
    start_seconds : float
        Onset of the first window of a continuous recording, in seconds from its first sample
        (``>= 0``, a whole number of samples at ``sfreq``); no window is made before it. For
        30 s windows on a hypnogram whose scoring starts 17 s in, ``start_seconds=17`` puts
        each window on one scoring epoch (onsets stay in recording time: 17, 47, ... s).
        Epochs are one window each: it does not apply to them. Files from before it was
        recorded lack it: 0.
    detrend : ``"none"`` | ``"constant"`` | ``"linear"`` | None
        Per window and channel, after everything else, subtract nothing (``"none"``, the
        samples as recorded, the default; ``None`` is taken as ``"none"``, as in a grid search
        over ``[None, "linear"]``), the mean, or the least-squares straight line
        (:func:`detrend_windows`, as :func:`scipy.signal.detrend`; a zero-padded tail stays
        zero). For DC-coupled amplifiers and drifting recordings, whose offsets would otherwise
        dominate the windows; a high-pass filter (``raw.filter(0.5, None)``) is the alternative
        for data in MNE. Always recorded (:meth:`to_dict`); files from before lack it when
        ``"none"``.
    crop_tmin : float | None
        Epochs only: crop each epoch to one window, ``[crop_tmin, crop_tmin + window_seconds)``
        seconds relative to its time-locking event (MNE's times, ``epochs.times``), before
        anything else (at the epochs' own rate; the window must be whole samples there). The
        end is exclusive, so the result is exactly one window: 1001-sample epochs of -0.2 to
        0.8 s at 1000 Hz with ``crop_tmin=-0.2, window_seconds=1`` keep their first 1000
        samples, as ``epochs.crop(-0.2, 0.8 - 1 / epochs.info['sfreq'])`` does (MNE's ``tmax``
        is inclusive). Epochs that end before ``crop_tmin + window_seconds`` keep what they
        have (zero-padded with ``tail="pad"``, refused with ``"drop"``). ``None`` (the
        default): epochs are used as they are. Refused for continuous recordings (give
        ``start_seconds``) and for arrays, which carry no times relative to an event
        (``--crop`` on the command line). Files from before lack it: None.
    """

    # The fields (the Parameters above, in order) are declared once, with their defaults, by
    # eegpt.preprocessing_spec.PreprocessingFields (which `eegpt info` reads without SciPy or
    # MNE); @dataclass makes this class's __init__, repr, eq and hash of them all the same.

    def __post_init__(self) -> None:
        if self.detrend is None:  # scikit-learn's way of saying "nothing"
            object.__setattr__(self, "detrend", "none")
        for name in ("sfreq", "window_seconds", "overlap", "scale", "start_seconds"):
            value = getattr(self, name)
            if isinstance(value, str) and name in _SECONDS_FIELDS:
                value = _seconds_text(name, value)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise TypeError(f"{name} must be a number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if not (np.isfinite(self.sfreq) and self.sfreq > 0):
            raise ValueError(f"sfreq must be a positive number of Hz, got {self.sfreq}")
        if not (np.isfinite(self.window_seconds) and self.window_seconds > 0):
            raise ValueError(f"window_seconds must be positive, got {self.window_seconds}")
        if not (0 <= self.overlap < self.window_seconds):
            raise ValueError(
                f"overlap must satisfy 0 <= overlap < window_seconds={self.window_seconds} s, "
                f"got {self.overlap} s"
            )
        if not (np.isfinite(self.start_seconds) and self.start_seconds >= 0):
            raise ValueError(
                "start_seconds (the first window's onset, seconds from the first sample) must "
                f"be 0 or more, got {self.start_seconds}"
            )
        if self.start_seconds:
            whole_samples(self.start_seconds, self.sfreq, "start_seconds", minimum=0)
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive multiplier, got {self.scale}")
        if self.resample not in ("polyphase", "nearest"):
            raise ValueError(f"resample must be 'polyphase' or 'nearest', got {self.resample!r}")
        if self.tail not in ("pad", "drop"):
            raise ValueError(f"tail must be 'pad' or 'drop', got {self.tail!r}")
        if self.detrend not in DETREND:
            raise ValueError(f"detrend must be one of {DETREND}, got {self.detrend!r}")
        if self.crop_tmin is not None:
            value = self.crop_tmin
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise TypeError(f"crop_tmin must be a number of seconds or None, got {value!r}")
            if not np.isfinite(value):
                raise ValueError(f"crop_tmin must be a finite number of seconds, got {value}")
            object.__setattr__(self, "crop_tmin", float(value))
        if not isinstance(self.average_reference, (bool, np.bool_)):
            raise TypeError(f"average_reference must be a bool, got {self.average_reference!r}")
        whole_samples(self.window_seconds, self.sfreq, "window_seconds", resample=self.resample)
        hop = self.window_seconds - self.overlap
        whole_samples(hop, self.sfreq, "window_seconds - overlap", window=self.window_seconds)
        self._question_last_patch()
        if self.sfreq != PRETRAINING_SFREQ and self.sfreq not in _RATES_QUESTIONED:
            _RATES_QUESTIONED.add(self.sfreq)  # once a process: copies (updated()) keep quiet
            _warn(
                f"PreprocessingConfig(sfreq={self.sfreq:g}): sfreq is the rate the windows are "
                "resampled to for the model, not the rate of your data (eegpt reads that from "
                f"the data and resamples it). EEGPT was pretrained at {PRETRAINING_SFREQ:g} Hz: "
                "at another rate its weights see the EEG slowed down or sped up. Leave sfreq at "
                f"{PRETRAINING_SFREQ:g} unless the model was trained at {self.sfreq:g} Hz.",
                UserWarning,
            )

    def _question_last_patch(self) -> None:
        """Warn (once a process for each window length) when a window is not whole patches and
        its last patch, zero-padded by the model, holds less signal than zeros."""
        whole, rest = whole_patches(self.n_samples)
        patch, key = EEGPTConfig.patch_size, (self.n_samples, self.sfreq)
        if not (whole and 0 < 2 * rest < patch) or key in _WINDOWS_QUESTIONED:
            return
        _WINDOWS_QUESTIONED.add(key)  # copies (updated()) and later calls keep quiet
        down, up = whole * patch / self.sfreq, (whole + 1) * patch / self.sfreq
        _warn(
            f"window_seconds={self.window_seconds:.10g} is {self.n_samples} samples at "
            f"{self.sfreq:g} Hz: {whole} patches of {patch} samples and {rest} more, which the "
            f"model zero-pads into a last patch of {rest} sample(s) of signal and {patch - rest} "
            "zeros, embedded like the others (pooled('mean') averages it in). A window of whole "
            f"patches has none: window_seconds={down:.10g} (epochs of {self.window_seconds:.10g} "
            f"s cropped to it; MNE's tmax is inclusive: {crop_call(down)}) or {up:.10g} (epochs "
            "zero-padded into it with tail='pad')",
            UserWarning,
        )

    @property
    def n_samples(self) -> int:
        """Samples per window."""
        return whole_samples(self.window_seconds, self.sfreq, "window_seconds")

    @property
    def start_samples(self) -> int:
        """The first window's start in samples at ``sfreq`` (:attr:`start_seconds`)."""
        return int(round(self.start_seconds * self.sfreq))

    @property
    def step_samples(self) -> int:
        """Hop between consecutive window starts, in samples."""
        return whole_samples(self.window_seconds - self.overlap, self.sfreq, "hop")

    @property
    def gain(self) -> float:
        """``scale`` over the pretraining's volts -> millivolts: the correction applied to the
        recording's volts (1.0 unless a wrong unit is being corrected)."""
        return self.scale / PRETRAINING_SCALE

    def updated(self, **changes: Any) -> PreprocessingConfig:
        """A checked copy with the given fields changed; ``None`` leaves a field as it is."""
        if changes.get("sfreq") is None:  # the rate was questioned when this one was made
            _RATES_QUESTIONED.add(self.sfreq)
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form, every field included but ``crop_tmin`` when it is None
        (so that an eegpt from before the field, whose :meth:`from_dict` refuses unknown
        keys, still reads what is written without a crop); inverse of :meth:`from_dict`. A
        stored dict that lacks a field (``detrend``, ``"none"``, before the option was
        recorded always; ``average_reference``; ``crop_tmin``) means its value in
        :data:`STORED_DEFAULTS`, else its default: :meth:`from_dict` and the comparison of a
        resumed corpus run's settings read old ones so."""
        d = asdict(self)
        if d["crop_tmin"] is None:
            del d["crop_tmin"]
        return d

    @staticmethod
    def describe(d: Mapping[str, Any]) -> str:
        """The ``eegpt info`` line of a stored :meth:`to_dict` (of an embeddings file, a corpus
        folder or a probe): every setting as ``name value``. ``average_reference`` is always
        shown: a dict without it (written before it was recorded) reads as off
        (:data:`STORED_DEFAULTS`), which keeps the recorded reference, unlike today's default.
        :func:`eegpt.preprocessing_spec.describe`, which imports neither SciPy nor MNE."""
        return describe_spec(d)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PreprocessingConfig:
        """Build from :meth:`to_dict` output; unknown keys are an error (no silent changes).
        A field the dict lacks takes its value in :data:`STORED_DEFAULTS`, else its default."""
        return strict_from_dict(cls, {**STORED_DEFAULTS, **d}, "preprocessing")


#: How to turn average referencing off, in the words every API that embeds understands (embed,
#: embed_dataset, OnlineEmbedder, train_probe, finetune, the scikit-learn estimators).
REFERENCE_OFF = (
    "preprocessing=PreprocessingConfig(average_reference=False) (embed and embed_dataset also "
    "take average_reference=False); command line: --no-average-reference"
)


def check_reference_channels(
    config: PreprocessingConfig, n_channels: int, source: str, *, warn: bool = True
) -> None:
    """Refuse average referencing of fewer than 2 used channels (the mean of one channel is
    itself: nothing would be left), saying how to turn it off; with ``warn``, warn when it is
    applied to exactly 2 (each becomes minus the other).

    Three channels or more are left alone: referencing takes out their common signal (one
    dimension of n, as in pretraining), but each channel keeps a signal of its own; only with
    two is one channel the exact negative of the other, so the model sees a single signal."""
    if not config.average_reference:
        return
    if n_channels < 2:
        raise RecordingError(
            f"{source}: average referencing (on by default, as in EEGPT's pretraining) "
            f"subtracts the mean over the channels used and needs at least 2; got "
            f"{n_channels}. To embed a single channel as recorded, turn it off: {REFERENCE_OFF}"
        )
    if n_channels == 2 and warn:
        _warn(
            f"{source}: average referencing (on by default) of 2 channels makes each the "
            "exact negative of the other: only their difference is left, one channel's worth "
            "of signal. EEGPT's pretraining averaged over many channels (up to 58; the "
            "authors' Sleep-EDF recipe did reference its two). To keep both as recorded, turn "
            f"it off: {REFERENCE_OFF}"
        )


def whole_samples(
    seconds: float,
    sfreq: float,
    what: str,
    window: float | None = None,
    resample: str = "polyphase",
    minimum: int = 1,
) -> int:
    """``seconds * sfreq`` as a whole number of samples, at least ``minimum`` (0 for a start),
    or an error that suggests a valid length (for a hop, given ``window``: also the overlap
    that gives it; for a window, also the one that fits epochs of ``seconds`` resampled to
    ``sfreq`` with ``resample``)."""
    n = seconds * sfreq
    rounded = int(round(n))
    if rounded < minimum or abs(n - rounded) > SAMPLE_TOLERANCE:
        nearest = max(minimum, rounded) / sfreq
        patch = EEGPTConfig.patch_size / sfreq  # one patch: no model takes shorter windows
        also = "" if window is None else f", i.e. overlap {window - nearest:.10g} s"
        hint = "the nearest"
        if what == "window_seconds" and nearest < patch:
            hint = f"the nearest that holds one patch of {EEGPTConfig.patch_size} samples"
            nearest = patch
        elif what == "window_seconds":
            hint = _epochs_window_hint(seconds, sfreq, rounded, resample) + hint
            below = max(1, math.floor(seconds / patch)) * patch
            wholes = " or ".join(f"{w:g} s" for w in dict.fromkeys([below, below + patch]))
            also += (
                f"; a window need not be whole patches of {EEGPTConfig.patch_size} samples (the "
                f"model zero-pads the last one), but in whole patches ({patch:g} s) none is "
                f"padded: {wholes}"
            )
        raise ValueError(
            f"{what} = {seconds:.10g} s at {sfreq:g} Hz is {n:.10g} samples; it must be a whole "
            f"number >= {minimum}, i.e. a multiple of 1/{sfreq:g} s ({hint}: {nearest:.10g} s"
            f"{also})"
        )
    return rounded


def _epochs_window_hint(seconds: float, sfreq: float, rounded: int, resample: str) -> str:
    """For a window of ``seconds`` that is no whole number of samples at ``sfreq`` (Hz): the
    window that fits epochs of that length recorded at another rate, as resampling to
    ``sfreq`` makes them (:func:`resample`: polyphase gives ``ceil(n * up / down)`` samples,
    nearest ``round``), when it is not the nearest (``rounded`` samples); else ""."""
    fitted = math.ceil(seconds * sfreq) if resample == "polyphase" else rounded
    if fitted == rounded:
        return ""
    return (
        f"for epochs of {seconds:.10g} s at another rate, which resampling to {sfreq:g} Hz "
        f"makes {fitted} samples (it rounds up): {fitted / sfreq:.10g} s; otherwise "
    )


@dataclass(eq=False)
class Windows:
    """Model-ready windows of one recording.

    Parameters
    ----------
    data : ndarray of float32, shape (n_windows, n_channels, n_samples)
        Samples in model units (``config.scale`` x volts; millivolts by default), channels in
        ``mapping`` order.
    onsets : ndarray of float64, shape (n_windows,)
        Start time of each window in seconds from the recording start (for epoched input: the
        epoch onsets).
    mapping : ChannelMapping
        The channels, with their vocabulary rows in ``mapping.chan_ids``.
    sfreq : float
        Sampling rate of ``data`` in Hz.
    config : PreprocessingConfig
        The settings that produced the windows.
    n_valid_samples : ndarray of int64, shape (n_windows,)
        Real (not zero-padded) samples per window; below ``n_samples`` only for padded windows.
    source : str
        Where the recording came from.
    """

    data: np.ndarray
    onsets: np.ndarray
    mapping: ChannelMapping
    sfreq: float
    config: PreprocessingConfig
    n_valid_samples: np.ndarray
    source: str = "<array>"

    def __len__(self) -> int:
        return self.data.shape[0]

    @property
    def n_windows(self) -> int:
        return self.data.shape[0]

    @property
    def ch_names(self) -> tuple[str, ...]:
        """Vocabulary names of the channels (axis 1 of ``data``)."""
        return self.mapping.names

    @property
    def chan_ids(self) -> np.ndarray:
        """Channel-embedding rows, int64 of shape (n_channels,)."""
        return np.asarray(self.mapping.chan_ids, dtype=np.int64)


def window_starts(
    n_times: int, window: int, step: int, tail: Literal["pad", "drop"] = "drop", start: int = 0
) -> np.ndarray:
    """Start indices of the windows cut from ``n_times`` samples.

    Parameters
    ----------
    n_times : int
        Samples available.
    window : int
        Samples per window.
    step : int
        Hop between starts in samples (``window - overlap``).
    tail : ``"drop"`` | ``"pad"``
        With ``"pad"``, one more start is added when samples after the last full window would
        otherwise be lost (that window runs past the end and is to be zero-padded); a signal
        shorter than one window then gives the single start 0.
    start : int
        The first window's start in samples (``PreprocessingConfig.start_samples``); the
        samples before it are in no window.

    Returns
    -------
    ndarray of int64, shape (n_windows,)
        Window starts in samples, ascending; empty when no window fits and ``tail="drop"``.
    """
    if window < 1 or step < 1 or n_times < 0:
        raise ValueError(
            f"need window >= 1, step >= 1, n_times >= 0; got {window}, {step}, {n_times}"
        )
    if tail not in ("pad", "drop"):
        raise ValueError(f"tail must be 'pad' or 'drop', got {tail!r}")
    if start < 0:
        raise ValueError(f"start must be >= 0 samples, got {start}")
    if n_times - start < window:
        one = tail == "pad" and n_times > start
        return np.full(1 if one else 0, start, dtype=np.int64)
    starts = np.arange(start, n_times - window + 1, step, dtype=np.int64)
    if tail == "pad" and starts[-1] + window < n_times:
        starts = np.append(starts, starts[-1] + step)
    return starts


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
    approx = _closest_ratio(ratio, MAX_POLYPHASE_FACTOR)
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


def _closest_ratio(ratio: Fraction, bound: int) -> Fraction:
    """The fraction closest to ``ratio`` whose numerator (up) and denominator (down) are at
    most about ``bound``: the denominator is bounded to ``bound / ratio`` when upsampling."""
    limit = bound if ratio <= 1 else max(1, int(bound / ratio))
    return ratio.limit_denominator(limit)


@functools.lru_cache(maxsize=32)
def polyphase_filter(up: int, down: int) -> np.ndarray:
    """The low-pass FIR filter :func:`scipy.signal.resample_poly` designs for ``up/down`` by
    default (Kaiser window, beta 5), designed once per ratio: passed as its ``window``, it
    gives the same samples without designing it again for every call (read-only)."""
    rate = max(up, down)
    h = firwin(2 * 10 * rate + 1, 1.0 / rate, window=("kaiser", 5.0))
    h.setflags(write=False)
    return h


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
        See :class:`PreprocessingConfig`. Polyphase filters each channel with its
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
        line = line_at(level, slope, n, t_in)
        np.subtract(block, line, out=line)  # the signal less its line, in place of the line
        y = resample_poly(line, up, down, axis=-1, window=h, padtype="edge")
        y += line_at(level, slope, n, t_out)
        out[start : start + len(block)] = y
    return out.reshape(*x.shape[:-1], n_out)


def prepare(
    recording: Recording | Any,
    mapping: ChannelMapping | None = None,
    config: PreprocessingConfig | None = None,
    *,
    checks: bool = True,
    bad_spans: BadSpans | None = None,
    refuse_flat: bool = True,
    warn_reference: bool = True,
    warn_ratio: bool = True,
    warn_rate: bool = True,
    verbose: Verbose = None,
) -> Windows:
    """Turn a recording into model-ready windows.

    Steps: pick and order the mapped channels; check them (warnings only); average-reference
    (``config.average_reference``, the default); resample to ``config.sfreq``; multiply by
    ``config.scale`` (volts -> millivolts); cut windows of ``config.n_samples`` every
    ``config.step_samples`` (continuous data) or use each epoch as one window (epoched data).

    Parameters
    ----------
    recording : Recording
        Data in volts; anything :func:`~eegpt.io.as_recording` accepts without extra arguments
        (path, ``Raw``, ``Epochs``) is converted first.
    mapping : ChannelMapping | None
        Channels to use; default ``map_channels(recording.ch_names)``. A given mapping is applied
        by input name, so one made for another file with the same names in another order works.
    config : PreprocessingConfig | None
        Defaults to ``PreprocessingConfig()`` (256 Hz, 4 s windows, average reference,
        millivolts).
    checks : bool
        Run the signal checks of :func:`check_signal` (flat, clipped, mis-scaled channels,
        offsets; warnings) and the projector warning. False skips them, for repeated calls on
        data already checked (:class:`eegpt.online.OnlineEmbedder` after its first window),
        and the warning about average referencing of 2 channels
        (:func:`check_reference_channels`); NaN/Inf samples are refused either way
        (:class:`~eegpt.io.Recording`).
    bad_spans : BadSpans | None
        The spans of a continuous recording under annotations marked bad
        (:meth:`BadSpans.of <eegpt.annotations.BadSpans.of>`). NaN/Inf samples that all lie
        inside them are filled (:func:`fill_nonfinite`, with a warning) when their windows
        are left out (``reject``), refused with that option named otherwise
        (:func:`check_finite`). The windows are not left out here: the caller leaves out
        those over the spans.
    refuse_flat : bool
        Refuse a recording whose used channels are all flat throughout (:func:`check_signal`);
        False only warns. The rule: what is embedded or trained on as a whole refuses (embed,
        embed-dataset, streaming, a probe's or a fine-tuning's training and validation data,
        where a set of epochs all flat in every channel holds nothing to learn from); data
        that stand for a part of more to come only warn (the first window of a live stream,
        scikit-learn's transform and predict, a probe's predictions and evaluations: a loop
        that predicts epoch by epoch goes on past one from a disconnected amplifier).
    warn_reference : bool
        Warn of average referencing of exactly 2 channels (:func:`check_reference_channels`).
        False where the preprocessing is not the caller's to change (a trained probe's
        predictions, a fitted embedder's transform) or was warned of already (a stream).
    warn_ratio : bool
        Warn of a resampling ratio that had to be approximated (:func:`resample`). False where
        that was warned of already (a stream warns once, when it starts).
    warn_rate : bool
        Check the sampling rate (:func:`check_rate`: refuse one too low to be EEG, warn of
        one below 200 Hz). False where that was done already (a stream checks once, when it
        starts).
    verbose : bool | str | int | None
        If True, log what was done to the ``"eegpt"`` logger.

    Returns
    -------
    Windows
        ``data`` float32 of shape (n_windows, n_channels, config.n_samples).

    Raises
    ------
    ValueError
        If a continuous recording is shorter than one window with ``tail="drop"``, if epochs do
        not have the window length after resampling (shorter ones are accepted with
        ``tail="pad"``), if ``mapping`` names channels the recording lacks, or if average
        referencing (the default) is asked for a single channel.

    Warns
    -----
    RuntimeWarning
        Flat channels; an amplitude that looks mis-scaled (microvolts labelled as volts, or far
        too small); average referencing of exactly 2 channels (each the other's negative);
        a recording shorter than one window that was zero-padded; see also
        :func:`~eegpt.channels.map_channels` and :func:`resample`.
    """
    if isinstance(mapping, PreprocessingConfig):
        raise TypeError(
            "prepare(recording, mapping, config): the second argument is the channel mapping; "
            "pass the preprocessing as config=..."
        )
    config = PreprocessingConfig() if config is None else config
    if not isinstance(config, PreprocessingConfig):
        raise TypeError(f"config must be a PreprocessingConfig, got {type(config).__name__}")
    if not isinstance(recording, Recording):
        recording = as_recording(recording, verbose=verbose)
        if isinstance(recording, list):
            raise TypeError("prepare takes one recording; call it once per recording")
    recording = crop_epochs(recording, config)
    source = recording.source
    if mapping is None:
        mapping = map_recording_channels(recording.ch_names, source, verbose=verbose)
    picks = _resolve_picks(mapping, recording)
    if warn_rate:
        check_rate(recording.sfreq, source, config.sfreq)

    # a float64 copy we may modify in place, C-contiguous (epochs' x[..., picks, :] is not,
    # and resample's rows of it would be a second copy of all epochs)
    x = np.take(recording.data, picks, axis=-2)
    epoch_samples = recording.n_times if recording.is_epoched else None
    fill = bad_spans is not None and bad_spans.reject and x.ndim == 2
    # the NaN/Inf samples found once, for the checks and the filling; None: by the checks
    nonfinite = ~np.isfinite(x) if fill else None
    if not checks and (  # never skipped: the model needs finite data
        not np.isfinite(x).all() if nonfinite is None else nonfinite.any()
    ):
        stats = SignalStats.of(x, bad=nonfinite, bad_spans=bad_spans, sfreq=recording.sfreq)
        check_finite(stats, mapping.input_names, source, sfreq=recording.sfreq,
                     epoch_samples=epoch_samples)  # fmt: skip
    # before the signal checks: a few samples are too short, not flat; refused here only (a
    # recording zero-padded with tail="pad" is said so once, where its windows are cut)
    if not recording.is_epoched and config.tail == "drop":
        try:
            n_out = resampled_length(recording.n_times, recording.sfreq, config.sfreq,
                                     config.resample, warn=False)  # fmt: skip
        except ValueError:  # no polyphase ratio: refused by resample() below
            n_out = config.n_samples
        check_length(n_out, recording.duration, source, config)
    if checks:
        used = [recording.ch_names[i] for i in picks]
        if recording.ch_types is not None:
            warn_not_scalp(used, [recording.ch_types[i] for i in picks], source)
        warn_unapplied_projectors(
            recording.projectors, used, source, average_reference=config.average_reference,
            epoched=recording.is_epoched,
        )  # fmt: skip
        units = None if recording.units is None else [recording.units[i] for i in picks]
        segment = 0 if recording.is_epoched else round(recording.sfreq)
        check_signal(
            SignalStats.of(
                x, segment=segment, bad=nonfinite, bad_spans=bad_spans, sfreq=recording.sfreq
            ),
            mapping.input_names,
            source,
            units,
            gain=config.gain,
            rescaled=getattr(recording, "rescaled", 1.0),  # one pickled before it: 1
            offsets=config.detrend == "none",
            array_units=recording.array_units,
            sfreq=recording.sfreq,
            epoch_samples=epoch_samples,
            rates=None if recording.rates is None else [recording.rates[i] for i in picks],
            refuse_all_flat=refuse_flat,
            average_reference=config.average_reference,
            left_out=mapping.dropped,
        )
    if fill:
        fill_nonfinite(x, nonfinite)  # any NaN/Inf sample left lies in a bad span whose windows go
    check_reference_channels(config, x.shape[-2], source, warn=checks and warn_reference)
    if checks:
        note_custom_reference(recording, config, source, verbose)
    if config.average_reference:
        x -= x.mean(axis=-2, keepdims=True)
    try:
        x = resample(x, recording.sfreq, config.sfreq, method=config.resample, source=source,
                     warn_ratio=warn_ratio)  # fmt: skip
    except ValueError as err:
        raise RecordingError(f"{source}: {err}") from err
    x *= config.scale  # a float64 array owned here (copy or resampled)

    if recording.is_epoched:
        if config.overlap:
            _warn(
                f"{source}: overlap={config.overlap:g} s does not apply to epochs, which give one "
                "window each; ignored for them"
            )
            config = replace(config, overlap=0.0)
        if config.start_seconds:
            _warn(
                f"{source}: start_seconds={config.start_seconds:g} s (the first window's onset "
                "in a continuous recording) does not apply to epochs, which give one window "
                "each; ignored for them"
            )
            config = replace(config, start_seconds=0.0)
        data, onsets, n_valid = _epoch_windows(x, recording, config)
    else:
        data, onsets, n_valid = _continuous_windows(x, recording, config)
    check_windows(data, source, config)
    windows = Windows(
        data=data,
        onsets=onsets,
        mapping=mapping,
        sfreq=config.sfreq,
        config=config,
        n_valid_samples=n_valid,
        source=recording.source,
    )
    _log(
        f"prepared {recording.source}: {len(windows)} window(s) of {len(mapping)} channel(s) x "
        f"{config.n_samples} samples at {config.sfreq:g} Hz (from {recording.sfreq:g} Hz, "
        f"resample={config.resample!r}, average_reference={config.average_reference}, "
        f"scale={config.scale:g}, detrend={config.detrend!r})",
        verbose,
    )
    return windows


def detrend_windows(windows: np.ndarray, n_valid: np.ndarray | int, how: str) -> None:
    """Detrend each window and channel in place over its first ``n_valid`` samples.

    Parameters
    ----------
    windows : ndarray, shape (n_windows, n_channels, n_samples)
        Model-unit windows (float64, before the cast to float32, for offsets far beyond the
        signal); the samples past ``n_valid`` (a zero-padded tail) are left as they are.
    n_valid : ndarray of int, shape (n_windows,), or int
        Recorded samples at the start of each window.
    how : ``"none"`` | ``"constant"`` | ``"linear"``
        Nothing; subtract the mean; subtract the least-squares line (both computed in float64,
        as :func:`scipy.signal.detrend` does).
    """
    if how == "none":
        return
    if how not in DETREND:
        raise ValueError(f"detrend must be one of {DETREND}, got {how!r}")
    n_valid = np.broadcast_to(np.asarray(n_valid, dtype=np.int64), (len(windows),))
    for n in np.unique(n_valid):
        rows = np.flatnonzero(n_valid == n)
        seg = windows[rows, :, :n].astype(np.float64)  # a copy (fancy index)
        _detrend_rows(seg, how)
        windows[rows, :, :n] = seg


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


def note_custom_reference(
    recording: Any, config: PreprocessingConfig, source: str, verbose: Verbose
) -> None:
    """Log (INFO) that the average reference of ``config`` replaces the reference MNE applied
    to ``recording`` (``Recording.custom_ref``: ``set_eeg_reference(['TP9', 'TP10'])`` ...),
    with how to keep it; nothing for data without one or without the average reference."""
    if not config.average_reference or not getattr(recording, "custom_ref", False):
        return
    _log(
        f"{source}: the recording was re-referenced in MNE (info['custom_ref_applied']: "
        "set_eeg_reference); eegpt's average reference (the "
        "default, as EEGPT was pretrained) replaces it, over the channels eegpt uses. To keep "
        f"your reference instead: {REFERENCE_OFF}",
        verbose,
    )


def map_recording_channels(
    names: Sequence[str], source: str, *, info: Any = None, **kwargs: Any
) -> ChannelMapping:
    """:func:`~eegpt.channels.map_channels`, with errors that name the recording. ``info``: the
    ``mne.Info`` of an MNE recording given in Python, whose channel positions, where ``names``
    (``E1``..) map to no site, the refusal tells how to use (as for a file:
    :func:`~eegpt.nearest_sites.with_positions_note`); None for other data."""
    try:
        return map_channels(names, source=source, **kwargs)
    except NoChannelMappedError as err:
        message = f"{source}: {err}"
        if info is not None:  # E1.. with a montage: name them by their positions
            message = with_positions_note(message, info, names, source)
        raise NoChannelMappedError(message, names=err.names) from err
    except DuplicateChannelsError as err:
        raise DuplicateChannelsError(f"{source}: {err}", later=err.later) from err
    except ValueError as err:
        raise RecordingError(f"{source}: {err}") from err


def map_info_channels(
    info: Any, source: str, *, picks: Any = "eeg", **kwargs: Any
) -> tuple[list[int], ChannelMapping]:
    """The channel mapping of an MNE recording (its ``mne.Info``) as embedding makes it: the
    channels ``picks`` selects (bads left out of a type pick, with a warning; see
    :func:`eegpt.io.as_recording`), mapped by :func:`map_recording_channels` knowing which
    channels were left out and why (``kwargs``: ``rename``, ``on_unknown`` ...).

    Returns the picked channels' indices into ``info["ch_names"]`` and the mapping, whose
    ``picks`` index the picked channels."""
    idx = pick_indices(info, picks, source)
    names = [info["ch_names"][i] for i in idx]
    check_unique(names, source)
    left_out = left_out_channels(info, names)
    try:
        mapping = map_recording_channels(names, source, left_out=left_out, **kwargs)
    except NoChannelMappedError as err:  # EEG001.. with positions: say how to use them
        err.args = (with_positions_note(str(err), info, names, source),)
        raise
    types = info.get_channel_types()
    warn_not_scalp(mapping.input_names, [types[idx[i]] for i in mapping.picks], source)
    return idx, mapping


#: The fields in seconds that also take the command line's text (``"4s"``, ``"0.5 s"``)
_SECONDS_FIELDS = ("window_seconds", "overlap", "start_seconds")


def _seconds_text(name: str, text: str) -> float:
    """``text`` given for the field ``name`` (one of :data:`_SECONDS_FIELDS`) in seconds, read
    as the command line reads ``--window``, ``--overlap`` and ``--start``
    (:mod:`eegpt._seconds`: ``"4"``, ``"4s"``, ``"4 s"``; an overlap refuses a percentage); a
    ValueError, naming the field, for text that is no seconds."""
    from eegpt._seconds import parse_overlap, parse_seconds

    parse = parse_overlap if name == "overlap" else parse_seconds
    try:
        return parse(text)
    except ValueError as err:
        raise ValueError(f"{name}={text!r}: {err}") from None


def check_rate(sfreq: float, source: str, target: float = PRETRAINING_SFREQ) -> None:
    """Refuse sampling rates too low to be EEG (a corrupt header, or not Hz); warn about low
    ones (below :data:`LOW_SFREQ`), which are more often a wrong ``sfreq`` than real, and about
    rates below :data:`NARROW_SFREQ` upsampled to ``target`` Hz (the model's rate), whose
    empty upper band the model never saw in pretraining. Called once per recording."""
    if not sfreq >= MIN_SFREQ:
        raise RecordingError(
            f"{source}: the sampling rate is {sfreq:g} Hz, below {MIN_SFREQ:g} Hz: the header is "
            "corrupt or the rate is not given in Hz (EEGPT works at 256 Hz)"
        )
    if sfreq < LOW_SFREQ:
        _warn(
            f"{source}: the sampling rate is {sfreq:g} Hz, so the data hold nothing above "
            f"{sfreq / 2:g} Hz; they are upsampled to {target:g} Hz for EEGPT. If the data were "
            "recorded faster, the given sfreq is wrong (and so is every window's timing)."
            + _narrow_band_note(sfreq, target)
        )
    elif sfreq < min(NARROW_SFREQ, target):
        _warn(
            f"{source}: the sampling rate is {sfreq:g} Hz, so after upsampling to {target:g} Hz "
            f"the band from {sfreq / 2:g} to {target / 2:g} Hz is empty."
            + _narrow_band_note(sfreq, target)
        )


def _narrow_band_note(sfreq: float, target: float) -> str:
    """Why an empty band above ``sfreq / 2`` Hz matters, for :func:`check_rate`'s warnings."""
    return (
        f" EEGPT was pretrained at {PRETRAINING_SFREQ:g} Hz on data with content up to "
        f"{PRETRAINING_SFREQ / 2:g} Hz, so these data are outside its training distribution and "
        f"their embeddings may differ from those of recordings sampled at {target:g} Hz; nothing "
        "to do if that is intended (e.g. comparing only recordings at this rate)."
    )


def check_windows(data: np.ndarray, source: str, config: PreprocessingConfig) -> None:
    """Refuse windows that overflowed float32 (finite input of absurd amplitude)."""
    if not np.isfinite(data).all():
        raise RecordingError(
            f"{source}: samples overflow float32 after scaling to model units (x{config.scale:g}) "
            "and resampling: the amplitudes are absurdly large (a corrupt file or wrong units)"
        )


def _resolve_picks(mapping: ChannelMapping, recording: Recording) -> list[int]:
    position = {name: i for i, name in enumerate(recording.ch_names)}
    missing = [name for name in mapping.input_names if name not in position]
    if missing:
        raise RecordingError(
            f"{recording.source}: the channel mapping uses channel(s) {missing} that the "
            f"recording lacks (it has {recording.ch_names}); build the mapping with "
            "map_channels(recording.ch_names)"
        )
    return [position[name] for name in mapping.input_names]


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
        them is not judged flat either: every window that holds it is left out.
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
    nonfinite: np.ndarray = field(init=False)
    #: per channel: finite samples, those the extremes, means and deviations are of
    count: np.ndarray = field(init=False)
    #: first and last sample (any channel) that is NaN or infinite, counted as fed in
    nonfinite_span: tuple[int, int] | None = field(init=False, default=None)
    #: epochs holding such samples, when the statistics are of epochs (:meth:`of`)
    nonfinite_epochs: np.ndarray | None = field(init=False, default=None)
    #: per epoch, when the statistics are of epochs (:meth:`of`): its typical deviation
    #: (volts; the median over channels of :func:`_local_mad` of a subsample of the epoch),
    #: which tells epochs in another unit among the others; None for other statistics and for
    #: epochs with NaN/Inf samples (refused by the checks)
    epoch_deviation: np.ndarray | None = field(init=False, default=None)
    #: per channel: how many of them lie inside ``bad_spans``
    nonfinite_in_bad: np.ndarray = field(init=False)
    #: first and last such sample outside ``bad_spans`` (all of them without spans)
    nonfinite_outside: tuple[int, int] | None = field(init=False, default=None)
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
    #: the amplitude subsample: a float64 array of room for n_total samples' worth, filled
    #: from the left (``_n_kept`` of them), and any chunks kept beyond it or of another type
    _kept: np.ndarray | None = field(init=False, repr=False, default=None)
    _n_kept: int = field(init=False, repr=False, default=0)
    _sample: list[np.ndarray] = field(init=False, repr=False)
    #: float64 room for a copy of the subsample, reused by its statistics (one allocation)
    _work: np.ndarray | None = field(init=False, repr=False, default=None)
    _segment_range: tuple[np.ndarray, np.ndarray] | None = field(init=False, repr=False)
    #: the median and deviation (:meth:`_center`), and the samples fed when computed (-1: not)
    _center_value: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False)
    _center_of: int = field(init=False, repr=False, default=-1)

    def __post_init__(self) -> None:
        c = self.n_channels
        self.mean, self.m2 = np.zeros(c), np.zeros(c)
        self.minimum, self.maximum = np.full(c, np.inf), np.full(c, -np.inf)
        self.n_at_min, self.n_at_max = np.zeros(c, np.int64), np.zeros(c, np.int64)
        self.nonfinite, self.nonfinite_in_bad = np.zeros(c, np.int64), np.zeros(c, np.int64)
        self.count, self.nonfinite_misnamed = np.zeros(c, np.int64), np.zeros(c, np.int64)
        self.flat_segments, self.first_flat = np.zeros(c, np.int64), np.full(c, -1, np.int64)
        self._sample, self._segment_range = [], None

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
        for at in range(0, n_epochs, step):
            bad = ~np.isfinite(x[at : at + step])
            nonfinite.append(at + np.flatnonzero(bad.any(axis=(1, 2))))
            chunk = np.moveaxis(x[at : at + step], -2, 0).reshape(n_channels, -1)  # a copy
            stats.update(chunk, np.moveaxis(bad, -2, 0).reshape(n_channels, -1))
        epochs = np.concatenate(nonfinite) if nonfinite else np.empty(0, dtype=np.intp)
        stats.nonfinite_epochs = epochs
        stats.epoch_deviation = None if len(epochs) else _epoch_deviation(x)
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
        ``~np.isfinite(chunk)``, where the caller has it already)."""
        bad = ~np.isfinite(chunk) if bad is None else bad
        gaps = bad if bad.any() else None  # one pass finds them; clean chunks take the fast way
        if gaps is not None:
            self._count_nonfinite(bad)
            chunk = np.where(bad, np.nan, chunk)  # the NaNs the statistics below leave out
        t = chunk.shape[-1]
        if t == 0:
            return
        if self.segment:
            self._update_segments(self._judged(chunk))
        self._keep(chunk[:, -self.n % self.stride :: self.stride])
        if gaps is None and chunk.flags.c_contiguous:  # a few channels at a time
            self._update_clean(chunk)
        else:
            self._update_extremes(chunk, gaps)
            self._update_moments(chunk, gaps)
        self.n += t

    def _count_nonfinite(self, bad: np.ndarray) -> None:
        """Count the NaN/Inf samples (``bad``: where they are in the chunk that starts at
        sample ``self.n``), those inside the bad spans apart."""
        self.nonfinite += bad.sum(axis=-1)
        at = self.n + np.flatnonzero(bad.any(axis=0))
        first = at[0] if self.nonfinite_span is None else self.nonfinite_span[0]
        self.nonfinite_span = (int(first), int(at[-1]))
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

    def _judged(self, chunk: np.ndarray) -> np.ndarray:
        """``chunk`` for the partly-flat check: NaN (a segment not judged) over the samples
        inside bad spans whose windows are left out, where a flat stretch reaches no window."""
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
        n_channels, t = chunk.shape
        rows = max(1, _STATS_CACHE_BYTES // (chunk.itemsize * t))
        extremes, moments = [], []
        for at in range(0, n_channels, rows):
            block = chunk[at : at + rows]
            extremes.append(_extremes(block))
            mean = block.mean(axis=-1)
            deviations = block - mean[:, None]
            moments.append((mean, np.square(deviations, out=deviations).sum(axis=-1)))
        self._merge_extremes(*(np.concatenate(a) for a in zip(*extremes, strict=True)))
        mean, m2 = (np.concatenate(a) for a in zip(*moments, strict=True))
        self._merge_moments(np.full(n_channels, t, np.int64), mean, m2)

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
        """Count the flat segments that ``chunk`` (the samples from ``self.n`` on) completes;
        keep the range of the segment it leaves open."""
        size, t, at = self.segment, chunk.shape[-1], 0
        if self._segment_range is not None:  # the segment the last chunk left open
            at = min(size - self.n % size, t)
            low, high = self._segment_range
            low, high = (
                np.minimum(low, chunk[:, :at].min(-1)),
                np.maximum(high, chunk[:, :at].max(-1)),
            )
            self._segment_range = (low, high)
            if (self.n + at) % size:
                return
            self._count_flat((low == high)[:, None], self.n // size)
            self._segment_range = None
        k = (t - at) // size
        if k:
            whole = chunk[:, at : at + k * size].reshape(chunk.shape[0], k, size)
            self._count_flat(whole.min(-1) == whole.max(-1), (self.n + at) // size)
        if at + k * size < t:
            rest = chunk[:, at + k * size :]
            self._segment_range = (rest.min(-1), rest.max(-1))

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

    def median(self) -> np.ndarray:
        """Median of each channel, from the subsample of its finite samples (volts; NaN
        without any)."""
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
        # a copy detrended (NaN in the sample only where samples were not finite)
        room, finite = self._room(sample.size), not self.nonfinite.any()
        local = _local_mad(sample, _LOCAL_RUN, room, finite=finite)
        unmeasured = np.isnan(local)  # no run mostly finite
        if unmeasured.any():
            local[unmeasured] = self.deviation()[unmeasured]
        return local

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
            if self.nonfinite.any() or not sample.shape[-1]:  # NaN in it, or nothing
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


def _epoch_deviation(x: np.ndarray) -> np.ndarray:
    """Each epoch's typical deviation: the median over channels of :func:`_local_mad` of
    every ``max(1, n_times // _EPOCH_POINTS)``-th sample of the epoch (one run): all of them
    for epochs shorter than ``2 * _EPOCH_POINTS`` (127 at most), else from
    :data:`_EPOCH_POINTS` (64) up to ``64 + ceil(63 / stride)`` (68 at most from 1024 samples
    on), shape (n_epochs,), in the unit of ``x`` (shape (n_epochs, n_channels, n_times),
    finite). It reads only those samples, a few blocks of epochs at a time: no second pass
    over the data."""
    n_times = x.shape[-1]
    stride = max(1, n_times // _EPOCH_POINTS)
    if -(-n_times // stride) < 3:  # too short to measure
        return np.full(len(x), np.nan)
    out = np.empty(len(x))
    for at in range(0, len(x), _EPOCH_BLOCK):
        block = x[at : at + _EPOCH_BLOCK, :, ::stride].astype(np.float64)  # a copy
        out[at : at + len(block)] = np.median(_local_mad(block, block.shape[-1]), axis=-1)
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


def _span_text(
    stats: SignalStats,
    sfreq: float | None,
    epoch_samples: int | None,
    span: tuple[int, int] | None = None,
) -> str:
    """Where the NaN/Inf samples of ``stats`` are (those from sample ``span[0]`` to
    ``span[1]``, default all), in words ("" when unknown)."""
    span = stats.nonfinite_span if span is None else span
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
    if first == last:
        return f"at {first / sfreq:.3f} s from the first sample"
    # the end exclusive (the sample after the last), outward to the ms: a span of these bounds
    # (an annotation of onset start and duration end - start) holds every such sample
    start = math.floor(round(first / sfreq * 1000, 6)) / 1000
    end = math.ceil(round((last + 1) / sfreq * 1000, 6)) / 1000
    return (
        f"from {start:.3f} s to {end:.3f} s (end exclusive: {end - start:.3f} s) after the "
        "first sample"
    )


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
    rescaled: float = 1.0,
) -> None:
    """Raise on NaN/Inf samples and on channels all flat; warn about flat, clipped and
    mis-scaled channels.

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
        The correction the volts will get (:attr:`PreprocessingConfig.gain`): the flat and
        amplitude checks judge ``gain`` x volts.
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
    left_out : sequence of str
        The recording's channels the mapping left out (:attr:`ChannelMapping.dropped`), which
        tell an EGI net (its E-numbered electrodes) whose 'Cz' is its reference, in the
        warning and in the refusal of all channels flat.

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
        maximum); a typical amplitude that looks mis-scaled, overall or for single channels
        (outside ``TOO_SMALL`` .. ``TOO_LARGE`` volts); file units that are not voltages;
        channels stored at too low a rate.
    """
    check_finite(stats, names, source, sfreq=sfreq, epoch_samples=epoch_samples)
    if units is not None:
        _check_units(names, units, source)
    if rates is not None and sfreq is not None:
        _check_rates(names, rates, sfreq, source)
    # a channel without finite samples (all inside rejected bad spans) is measured by nothing
    measured = stats.count > 0
    flat = measured & ((stats.maximum - stats.minimum == 0) | (stats.std * gain < FLAT_STD))
    if flat.all() and refuse_all_flat:
        raise RecordingError(_all_flat_message(names, left_out, source, bool(epoch_samples)))
    if flat.any():
        zero = measured & (stats.maximum == 0) & (stats.minimum == 0)
        _warn_flat(names, flat, zero, source, average_reference=average_reference,
                   left_out=left_out)  # fmt: skip
    if stats.segment and sfreq:
        _check_partly_flat(stats, flat, names, source, sfreq)
    # a rail: the channel's minimum or maximum held by many samples (each side on its own)
    count = np.maximum(stats.count, 1)
    low = (stats.n_at_min / count > CLIP_FRACTION) & (stats.n_at_min >= CLIP_SAMPLES) & ~flat
    high = (stats.n_at_max / count > CLIP_FRACTION) & (stats.n_at_max >= CLIP_SAMPLES) & ~flat
    clipped = low | high
    if clipped.any():
        detail = few(
            [
                f"{names[i]} ("
                + " and ".join(
                    f"{n / count[i]:.1%} of samples at {value:.4g} V"
                    for railed, n, value in (
                        (low[i], stats.n_at_min[i], stats.minimum[i]),
                        (high[i], stats.n_at_max[i], stats.maximum[i]),
                    )
                    if railed
                )
                + ")"
                for i in _indices(clipped)
            ],
            DROP_ADVICE_NAMES,
        )
        _warn(
            f"{source}: clipping check: channel(s) {detail} look clipped (the amplifier or the "
            "file's physical range saturated), so their waveforms are distorted. Exclude them "
            f"({how_to_drop([names[i] for i in _indices(clipped)])}) or the saturated "
            "time spans."
        )
    if not measured.any():
        return
    # the signal's own size, whatever offsets and drift add (they have their own check)
    m = np.flatnonzero(measured)
    local, kept = stats.local_deviation()[m] * gain, [names[i] for i in m.tolist()]
    # the advice is for the samples as read: the rescaling already applied counts in it
    each = None if stats.epoch_deviation is None else stats.epoch_deviation * gain
    stated = None if units is None else stated_unit([units[i] for i in m.tolist()])
    _check_amplitude(local, flat[m], kept, source, gain * rescaled, array_units, epochs=each,
                     stated=stated)  # fmt: skip
    if offsets:
        median, deviation = stats.median()[m] * gain, stats.deviation()[m] * gain
        slow = np.maximum(np.abs(median), 1.4826 * deviation)
        _check_offsets(median, slow, local, flat[m], kept, source)


def check_finite(
    stats: SignalStats,
    names: Sequence[str],
    source: str,
    *,
    sfreq: float | None = None,
    epoch_samples: int | None = None,
) -> int:
    """Refuse NaN/Inf samples, except those that all lie inside bad spans whose windows are
    left out (``stats.bad_spans`` with ``reject``): those reach no kept window, so a warning
    says how many were ignored and their number is returned, for :func:`fill_nonfinite`.

    Parameters
    ----------
    stats, names, source, sfreq, epoch_samples
        As for :func:`check_signal`.

    Returns
    -------
    int
        NaN/Inf samples to fill (0 when there are none).

    Raises
    ------
    RecordingError
        If any NaN/Inf sample lies outside the bad spans (the message counts those, and says
        how to rename annotations that hold them but only mention "bad"), or if they all lie
        inside but the windows there are kept (the message names ``reject_by_annotation``).
    """
    if not stats.nonfinite.any():
        return 0
    names, epoched = list(names), bool(epoch_samples)
    inside = stats.nonfinite_in_bad
    outside = stats.nonfinite - inside
    if outside.any():
        where = _span_text(stats, sfreq, epoch_samples, stats.nonfinite_outside)
        raise nonfinite_error(
            outside, names, source, where, epoched=epoched, in_bad=int(inside.sum()),
            misnamed=stats.misnamed, in_misnamed=int(stats.nonfinite_misnamed.sum()),
        )  # fmt: skip
    where = _span_text(stats, sfreq, epoch_samples)
    assert stats.bad_spans is not None  # every one inside a span
    if not stats.bad_spans.reject:
        raise nonfinite_error(inside, names, source, where, epoched=epoched, all_in_bad=True)
    n = int(inside.sum())
    hit = few([f"{names[i]} ({int(k)})" for i, k in enumerate(inside) if k], 12)
    _warn(
        f"{source}: {n} non-finite (NaN/Inf) samples in channel(s) {hit}, {where}, all inside "
        "annotations marked bad, whose windows are left out (reject_by_annotation): ignored. "
        "They were filled with each channel's straight line; polyphase resampling spreads "
        "that fill over its filter's half-length (10 samples at the lower of the two rates) "
        "around them, into a kept window only where one ends or starts that close."
    )
    return n


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
) -> None:
    """Warn about the channels ``flat`` throughout (``zero``: exactly zero throughout); all of
    them flat, that the input holds no signal.

    Under the average reference, a recording's reference electrode stored as zeros is worth
    keeping: referencing gives it its signal back (the site against the average of the
    others), and dropping it would lose that site. An EGI net's 'Cz' (beside its E-numbered
    electrodes, used or ``left_out``) is such a reference for sure, and is said to be one with no advice
    to drop it; another channel exactly zero may be one, or an unrecorded channel, so that is
    said as a possibility beside the usual advice."""
    if flat.all():  # nothing to exclude or keep: the whole input is without signal
        _warn(
            f"{source}: flat channel(s) check: every channel used ({shortened_list(names)}) is "
            f"flat (zero peak-to-peak or a standard deviation below {FLAT_STD:g} V): no signal "
            "in this input (disconnected amplifier?); what is computed from it means nothing."
        )
        return
    flat_idx = _indices(flat)
    flat_names = {names[i] for i in flat_idx}
    references = _egi_references(names, left_out) if average_reference else []
    reference = [name for name in references if name in flat_names]
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
    _warn(
        f"{source}: flat channel(s) check: {shortened_list(which)} have zero peak-to-peak or a "
        f"standard deviation below {FLAT_STD:g} V (disconnected or unrecorded?). Exclude them "
        f"({how_to_drop(which)}) or interpolate them before embedding.{maybe}"
    )


def _all_flat_message(
    names: Sequence[str], unused: Sequence[str], source: str, epoched: bool
) -> str:
    """The refusal of a recording whose used channels ``names`` are all flat throughout; an
    EGI net's 'Cz' beside its E-numbered electrodes (``unused``) is said to be its reference."""
    throughout = "in every epoch" if epoched else "over the whole recording"
    text = (
        f"{source}: nothing usable is left: every channel used ({shortened_list(list(names))}) is "
        f"flat {throughout} (zero peak-to-peak or a standard deviation below {FLAT_STD:g} V), "
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


#: seconds; a channel flat (zero peak-to-peak) for at least this long in all, though not
#: throughout, is announced (one window of the model)
PARTLY_FLAT_SECONDS = 4.0


def _check_partly_flat(
    stats: SignalStats, flat: np.ndarray, names: Sequence[str], source: str, sfreq: float
) -> None:
    """Warn about channels flat for part of the recording (whole seconds of zero
    peak-to-peak: an electrode off for a while, a dead stretch stored as zeros), which the
    whole-recording flat check cannot see; all channels flat at once are named as such."""
    seconds = stats.segment / sfreq

    def span(n_segments: int, first: int) -> str:
        return (
            f"{duration_text(n_segments * seconds)} in all ({n_segments * stats.segment / max(stats.n, 1):.1%}),"
            f" the first at {clock_text(first * seconds)}"
        )

    together = stats.all_flat_segments if len(names) > 1 else 0
    parts = []
    if together * seconds >= PARTLY_FLAT_SECONDS and not flat.all():
        parts.append(
            f"all {len(names)} channels at once for {span(together, stats.first_all_flat)}"
        )
    alone = ~flat & ((stats.flat_segments - together) * seconds >= PARTLY_FLAT_SECONDS)
    which = _indices(alone)
    parts += [
        f"{names[i]} for {span(int(stats.flat_segments[i]), int(stats.first_flat[i]))}"
        for i in which[:6]
    ]
    if len(which) > 6:
        parts.append(f"and {len(which) - 6} more channels")
    if not parts:
        return
    channels = (
        f" or exclude the channels ({how_to_drop([names[i] for i in which])})" if len(which) else ""
    )
    _warn(
        f"{source}: flat channel(s) check: part of the recording is flat (zero peak-to-peak for "
        f"whole seconds): {'; '.join(parts)}. The windows over those stretches see dead "
        "channels: mark the stretches bad (annotations whose description starts with 'BAD', "
        f"then reject_by_annotation=True, --reject-by-annotation){channels}."
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
        "--detrend linear, for embed, embed-dataset and probe train), or high-pass filter the "
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
    odd = [f"{name} ({unit!r})" for name, unit in pairs if unit not in EDF_VOLT_UNITS]
    if odd:
        _warn(
            f"{source}: unit check: channel(s) {', '.join(odd)} do not have a voltage unit "
            "MNE understands (V, mV, uV, µV) in the file header, so their values "
            "were read as volts. Check the file; rescale them if they are EEG in other units, or "
            "exclude them."
        )


def stated_unit(units: Sequence[str]) -> str | None:
    """The voltage unit(s) a file's header states for the channels (``units``, one per
    channel, as :attr:`eegpt.io.Recording.units` holds them), as text (``"µV"``,
    ``"µV, mV"``), where every one is a voltage below a volt MNE converted to volts; None
    where any is not (an empty field, ``"nV"`` in EDF, ``"degC"``: read as volts, so a wrong
    unit may be why the amplitude is off; ``"V"``: what writers put for samples in µV too) or
    there are none. The amplitude checks take a large amplitude under a stated unit for an
    artefact rather than a wrong unit."""
    if not units or any(unit not in EDF_VOLT_UNITS or unit == "V" for unit in units):
        return None
    shown = {"uV": "µV", "\u03bcV": "µV", "\x83\xcaV": "µV"}
    return ", ".join(dict.fromkeys(shown.get(unit, unit) for unit in units))


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


def robust_amplitude(x: np.ndarray) -> float:
    """Median over channels of each channel's median absolute deviation (same unit as ``x``).

    Insensitive to DC offsets and to a few flat or noisy channels. Long signals are
    subsampled evenly (at most 100 000 samples per channel).
    """
    return float(np.median(SignalStats.of(x).deviation()))


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
    correction fits them all; the channels are checked all the same."""
    mixed_epochs = epochs is not None and _check_epoch_scales(
        epochs, source, gain, array_units, stated=stated
    )
    amplitude = float(np.median(deviation))
    corrected = "" if gain == 1.0 else f" after rescaling by {gain:g}"
    artefact = TOO_LARGE < amplitude <= ARTEFACT_LARGEST
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
                    f"The samples look like {word}: pass units={unit!r}."
                )
                return
        unit, word = _volt_multiple(fix) if fix and fix < 0.5 else (None, "")
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
            f"raw.apply_function(lambda x: x * {fix:g}) before use, or {_scale_advice(fix)} for "
            "embeddings"
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
                f"others (in Python raw.apply_function(lambda x: x * {fix:g}, picks={wrong[:5]!r}"
                f"{' ...' if len(wrong) > 5 else ''})) or leave them out "
                f"({how_to_drop(wrong)})."
            )
        _warn(
            f"{source}: amplitude check: the typical deviation is {amplitude:.3g} V"
            f"{corrected}, but scalp EEG is about 1e-5 to 1e-4 V. {what}. If so, {how}"
            f"{arrays if unit in ('mV', 'uV') else ''}.{mixed}"
        )
        return
    odd = ((deviation > TOO_LARGE) | (deviation < TOO_SMALL)) & ~flat
    _name_odd_channels(odd, deviation, names, source, corrected, amplitude, in_range=True,
                       stated=stated if gain == 1.0 else None)  # fmt: skip


#: Powers of ten by which a channel's typical deviation may differ from the median channel's
#: before it is named as scaled wrong when the epochs mix units (:func:`_check_amplitude`):
#: scalp EEG's range is then no measure, the whole input being off it.
ODD_CHANNEL_POWERS = 2.0


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
        "wrong (a wrong unit in the file header?) or not "
        f"EEG; exclude them ({how_to_drop([names[i] for i in _indices(odd)])}) or fix "
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


def _check_epoch_scales(
    deviation: np.ndarray,
    source: str,
    gain: float,
    array_units: str | None,
    *,
    stated: str | None = None,
) -> bool:
    """Warn when some epochs are in another unit than the others (e.g. subjects concatenated,
    some in microvolts), which the whole input's median hides: their typical deviation
    (``deviation``: shape (n_epochs,), volts after the ``gain`` correction;
    :attr:`SignalStats.epoch_deviation`) is 1e3 or 1e6 times the median epoch's, or as many
    times less (within :data:`EPOCH_UNIT_TOLERANCE` powers of ten), they land in scalp EEG's
    range (``TOO_SMALL`` .. ``TOO_LARGE`` volts) put on the others' scale or the others do on
    theirs, and both read as volt multiples of the declared unit (V, mV, µV). Flat epochs and
    those far below ``TOO_SMALL`` (an amplifier disconnected, electrodes off: nanovolts of
    noise) are left out, but for those a millionth of the others (volts in a microvolt array),
    and so are artefacts of other ratios (400x). Epochs a thousandth of the others below
    ``TOO_SMALL`` (1e-8 V among 1e-5 V) are either disconnected or millivolts among microvolts,
    which amplitude cannot tell apart: they are warned of as either, with the fix for each.
    Returns whether it warned of epochs in another unit for sure: one ``units=`` or rescaling
    for the whole input then fits none of it, and is not advised (it still is where the only
    odd epochs may be disconnected instead). Where the file's header states the channels' unit
    (``stated``, :func:`stated_unit`), epochs cannot be in another unit: the odd ones are
    warned of as artefacts (larger) or disconnected (smaller), and False is returned."""
    measured = np.isfinite(deviation) & (deviation > FLAT_STD)
    if measured.sum() < 2:
        return False
    typical = float(np.median(deviation[measured]))
    base = UNITS[array_units] if array_units else 1.0  # volts per unit of the samples as read

    def unit(amplitude: float) -> str:  # the unit that puts it in scalp EEG's range
        name = _volt_multiple(base * gain * _unit_fix(amplitude))[0]
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
        # not flat or disconnected (nanovolts of noise), unless a millionth of the others:
        # no amplifier's noise is that low (volts among microvolts read ~1e-11 V)
        & ((deviation >= TOO_SMALL / 10) | (thousands <= -2))
    )
    # V, mV, µV among V, mV, µV: no kV or nV
    unit_mix &= np.array(
        [
            bool(m and unit(typical) and unit(d))
            for d, m in zip(deviation.tolist(), unit_mix.tolist(), strict=True)
        ],
        dtype=bool,
    )
    # a thousandth of the others below scalp EEG's range (30 nV among 20 µV): an amplifier
    # disconnected, or millivolts among microvolts (whichever unit is declared, which only
    # renames the units): amplitude cannot tell them apart, the warning names both
    either = unit_mix & (thousands == -1) & (deviation < TOO_SMALL)
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


def _continuous_windows(
    x: np.ndarray, recording: Recording, config: PreprocessingConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_times = x.shape[-1]
    starts = window_starts(
        n_times, config.n_samples, config.step_samples, config.tail, config.start_samples
    )
    check_length(n_times, recording.duration, recording.source, config)
    out, n_valid = cut_windows(x, starts, config.n_samples, config.detrend)
    return out, starts / config.sfreq, n_valid


def cut_windows(
    x: np.ndarray,
    starts: np.ndarray,
    window: int,
    detrend: str = "none",
    *,
    dtype: type[np.floating[Any]] = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Windows of a continuous signal, detrended in float64 and stored as float32 (or
    ``dtype``: float64 for windows preprocessed further, such as a probe's training windows).

    Parameters
    ----------
    x : ndarray of float64, shape (n_channels, n_times)
        The signal in model units at the model's rate.
    starts : ndarray of int, shape (n_windows,)
        Ascending window starts (samples); a window that runs past the end is zero-padded.
    window : int
        Samples per window.
    detrend : ``"none"`` | ``"constant"`` | ``"linear"``
        :func:`detrend_windows`, applied before the cast to float32 (a DC offset of tens of
        millivolts would otherwise cost the signal float32's rounding at the offset's size).

    Returns
    -------
    windows : ndarray of float32 (``dtype``), shape (n_windows, n_channels, window)
        A sample beyond float32's range becomes inf, silently: :func:`check_windows` refuses
        such windows, saying why.
    n_valid : ndarray of int64, shape (n_windows,)
        Recorded samples at the start of each window (``window`` except in a padded tail).
    """
    starts = np.asarray(starts, dtype=np.int64)
    n_times = x.shape[-1]
    n_valid = np.minimum(n_times - starts, window).astype(np.int64)
    out = np.zeros((len(starts), x.shape[0], window), dtype=dtype)
    n_full = int(np.sum(n_valid == window))
    with quiet_float32_overflow():
        if n_full:
            view = sliding_window_view(x, window, axis=-1)
            chunk = n_full if detrend == "none" else 256  # bounded float64 copies (detrending)
            for i in range(0, n_full, chunk):
                w = np.moveaxis(view[:, starts[i : min(n_full, i + chunk)]], 1, 0)  # a copy
                detrend_windows(w, window, detrend)
                out[i : i + len(w)] = w
        for k in range(n_full, len(starts)):  # the zero-padded tail
            w = x[None, :, starts[k] :].copy()
            detrend_windows(w, n_valid[k], detrend)
            out[k, :, : n_valid[k]] = w[0]
    return out, n_valid


def quiet_float32_overflow() -> Any:
    """Cast to float32 without NumPy's "overflow encountered in cast" warning: samples beyond
    float32's range become inf, which :func:`check_windows` refuses saying what is wrong."""
    return np.errstate(over="ignore")


def start_past_end(
    source: str, duration: float, start_seconds: float, given_by: str = "--start"
) -> StartPastEndError:
    """The error of a recording of ``duration`` s that ends at or before its first window's
    start ``start_seconds``, which came from ``given_by`` (``--start``, or a manifest's
    ``start_seconds`` column)."""
    return StartPastEndError(
        f"{source}: the recording lasts {duration:.3f} s, which ends at or before the first "
        f"window's start (start_seconds={start_seconds:g}, from {given_by}); give a start "
        "inside the recording, in seconds from its first sample",
        source=source,
        duration=duration,
        start_seconds=start_seconds,
    )


def check_length(n_times: int, duration: float, source: str, config: PreprocessingConfig) -> None:
    """Refuse (``tail="drop"``: :class:`~eegpt.errors.TooShortError`) or announce (``"pad"``)
    a recording shorter than one window; one that ends at or before the first window's start
    is refused either way (:class:`~eegpt.errors.StartPastEndError`).

    ``n_times`` counts samples at ``config.sfreq``; ``duration`` is in seconds.
    """
    window = config.n_samples
    if n_times - config.start_samples >= window:
        return
    message = (
        f"{source}: the recording lasts {duration:.3f} s ({n_times} samples at the model's "
        f"{config.sfreq:g} Hz), shorter than one window of {config.window_seconds:g} s "
        f"({window} samples)"
    )
    if config.start_samples:
        message += f" after the first window's start (start_seconds={config.start_seconds:g})"
    if n_times <= config.start_samples:  # nothing after the start: nothing to pad either
        raise start_past_end(source, duration, config.start_seconds)
    if config.tail == "drop":
        raise TooShortError(
            message + "; use a longer recording, a shorter window_seconds (--window), or "
            "tail='pad' (--tail pad) to zero-pad it into one window"
        )
    _warn(message + "; it was zero-padded into one window (tail='pad').")


def whole_patches(n_samples: int) -> tuple[int, int]:
    """``(whole, rest)``: a window of ``n_samples`` as whole patches of the pretrained model
    (``EEGPTConfig.patch_size`` samples, not overlapping) and the samples left over, which the
    model zero-pads into one patch more (:meth:`EEGPTConfig.padded_length
    <eegpt.config.EEGPTConfig.padded_length>`); ``rest`` is 0 for whole patches."""
    return divmod(n_samples, EEGPTConfig.patch_size)


def crop_call(seconds: float, start: float | None = None) -> str:
    """The ``epochs.crop`` that keeps ``seconds`` of each epoch from ``start`` (s relative to
    the event; None: the epochs' start), MNE's tmax inclusive, so one sample less."""
    at = "epochs.tmin" if start is None else f"{start:.10g}"
    return f"epochs.crop({at}, {at} + {seconds:.10g} - 1 / epochs.info['sfreq'])"


def _epochs_fit(n_times: int, config: PreprocessingConfig, array: Recording | None = None) -> str:
    """How to make epochs of ``n_times`` samples (at ``config.sfreq``, as resampled) and the
    window of ``config`` one length: crop them to the window, or a window of their length; for
    epochs a little over whole patches (a last one mostly of zeros: :func:`whole_patches`),
    crop them to the whole patches or zero-pad them into one patch more. ``array``: the epochs
    given as an array (no times, no ``epochs.crop``), cut by slicing at their own rate
    (:func:`_array_cut`) instead."""
    window, patch = config.n_samples, EEGPTConfig.patch_size
    whole, signal = whole_patches(n_times)

    def cut(seconds: float) -> str:
        return crop_call(seconds) if array is None else _array_cut(seconds, array, config)

    inclusive = "MNE's tmax is inclusive" if array is None else "cut the array"
    if not (whole and 0 < 2 * signal < patch):  # whole patches, or a last one mostly signal
        # their length as resampled: not always the length at their own rate, rounded
        fits = f"{n_times / config.sfreq:.10g} s, their {n_times} samples at {config.sfreq:g} Hz"
        if n_times > window:
            return (
                f"Crop the epochs to the window length ({inclusive}: use "
                f"{cut(config.window_seconds)}), or make the window as long as the epochs "
                f"({fits})"
            )
        return (
            "Zero-pad them into the window with tail='pad' (--tail pad), or make the window as "
            f"short as the epochs ({fits})"
        )
    down, up = whole * patch / config.sfreq, (whole + 1) * patch / config.sfreq
    same = window == whole * patch  # the window holds their whole patches already
    options = [
        f"crop them to the {whole} patches{'' if same else ' and make the window as long'} "
        f"({cut(down)}{'' if same else f', window_seconds={down:.10g}'})",
        f"zero-pad them into a window of {whole + 1} patches (window_seconds={up:.10g} with "
        "tail='pad', --tail pad)",
    ]
    if n_times > window and not same:
        options.insert(0, f"crop them to the window length ({cut(config.window_seconds)})")
    return (
        f"The epochs are {whole} patches of {patch} samples and {signal} sample(s) more: in a "
        "window as long, the model zero-pads those into a last patch of "
        f"{patch - signal} zeros and {signal} of their samples. {inclusive[0].upper()}"
        f"{inclusive[1:]}: {'; or '.join(options)}"
    )


def _array_cut(seconds: float, recording: Recording, config: PreprocessingConfig) -> str:
    """How to cut epochs given as an array (``recording``, at its own rate) to ``seconds`` of
    the window's rate (``config.sfreq``): ``X[..., :n]``, with ``n`` at the array's rate, the
    most samples that resample to no more than ``seconds`` (1000 of 1001 samples at 250 Hz
    for 4 s at 256 Hz)."""
    target, rate = int(round(seconds * config.sfreq)), recording.sfreq

    def length(n: int) -> int:
        return resampled_length(n, rate, config.sfreq, config.resample, warn=False)

    n = max(1, int(round(target * rate / config.sfreq)))
    while n > 1 and length(n) > target:
        n -= 1
    while n < recording.n_times and length(n + 1) <= target:
        n += 1
    return f"X[..., :{n}], the first {n} of their {recording.n_times} samples at {rate:g} Hz"


#: While epochs are cropped for a probe (:func:`probe_crop`): its window is fixed, so a crop
#: that overshoots the epochs is fixed by another crop, not by a shorter window.
_PROBE_CROP: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "eegpt_probe_crop", default=False
)


@contextlib.contextmanager
def probe_crop(fixed: bool = True) -> Iterator[None]:
    """Inside the block (with ``fixed``), :func:`crop_epochs` crops epochs for a probe's
    predictions, whose window (and tail) are the probe's: its errors advise another crop."""
    token = _PROBE_CROP.set(fixed)
    try:
        yield
    finally:
        _PROBE_CROP.reset(token)


def crop_epochs(recording: Recording, config: PreprocessingConfig) -> Recording:
    """``recording`` with each epoch cropped to one window by ``config.crop_tmin``:
    ``[crop_tmin, crop_tmin + window_seconds)`` s relative to the time-locking event, at the
    epochs' own rate (:attr:`PreprocessingConfig.crop_tmin`); unchanged without one. Epochs
    cropped so already are left alone, so cropping twice is cropping once. Refused for a
    continuous recording and for epochs without times (arrays)."""
    start = config.crop_tmin
    if start is None:
        return recording
    source = recording.source
    if not recording.is_epoched:
        raise RecordingError(f"{source}: {crop_refused_for_continuous(start)}")
    tmin = recording.tmin
    if tmin is None:
        raise RecordingError(f"{source}: {crop_refused_for_arrays(start)}")
    sfreq, n_times = recording.sfreq, recording.n_times
    n = config.window_seconds * sfreq
    if abs(n - round(n)) > SAMPLE_TOLERANCE:
        raise RecordingError(
            f"{source}: crop_tmin={start:g} (--crop) crops the epochs to one window, "
            f"{config.window_seconds:g} s, which is {n:.6g} samples at their {sfreq:g} Hz, not "
            "a whole number: choose a window of whole samples at that rate"
        )
    first, n = int(round((start - tmin) * sfreq)), int(round(n))
    end = tmin + (n_times - 1) / sfreq  # MNE's tmax: the time of the last sample
    if first < 0 or first >= n_times:
        raise RecordingError(
            f"{source}: crop_tmin={start:g} (--crop {start:g}) lies outside the epochs, which "
            f"run from {tmin:g} to {end:g} s relative to their event (MNE's tmin and tmax): "
            "give a start within them"
        )
    if first == 0 and n_times == n:
        return recording
    if first + n > n_times and config.tail == "drop":
        latest = tmin + (n_times - n) / sfreq  # the last start of a whole window
        how = (
            f"give an earlier --crop, {latest:g} s at the latest (the probe's window is fixed), "
            "or leave --crop out to use the probe's own"
            if _PROBE_CROP.get()
            else "give an earlier --crop, a shorter --window, or tail='pad' (--tail pad) to "
            "zero-pad them"
        )
        if _PROBE_CROP.get() and n > n_times:
            how = (
                f"the epochs ({n_times} samples) are shorter than the probe's window, which is "
                "fixed: give longer epochs"
            )
        raise RecordingError(
            f"{source}: crop_tmin={start:g} (--crop {start:g}) and the window of "
            f"{config.window_seconds:g} s need the epochs to run to {start + (n - 1) / sfreq:g} "
            f"s, but they end at {end:g} s (MNE's tmax): {how}"
        )
    data = recording.data[..., first : first + n]
    onsets = None if recording.onsets is None else np.asarray(recording.onsets) + first / sfreq
    return replace(recording, data=data, onsets=onsets, tmin=tmin + first / sfreq)


def crop_option_note(recording: Recording, config: PreprocessingConfig) -> str:
    """For epochs longer than the window: how the command line crops them (``--crop``)."""
    tmin = recording.tmin
    start = f"{tmin:g}" if tmin is not None else "TMIN"
    return (
        f" On the command line, --crop {start} crops each epoch to [{start}, {start} + "
        f"--window) s around its event (crop_tmin={start} in Python), exactly one window"
    )


def crop_refused_for_arrays(start: float) -> str:
    """Why ``crop_tmin`` (``--crop``) is refused for epochs given as arrays."""
    return (
        f"crop_tmin={start:g} (--crop {start:g}) crops epochs by their times relative to the "
        "time-locking event, which epochs given as arrays (.npz files, NumPy arrays) do not "
        "carry: crop the array itself (x[..., first:first + n_samples]), or give the epochs "
        "as an -epo.fif or epoched .set file"
    )


def crop_left_out_for_arrays(start: float, window_seconds: float) -> str:
    """Why a probe's training crop (``crop_tmin``, ``--crop``) is left out for epochs given
    as arrays, and what they must be."""
    return (
        f"the probe's crop_tmin={start:g} (trained with --crop {start:g}) is left out for "
        "epochs given as arrays (.npz files, NumPy arrays), which carry no times relative to "
        "their event to crop by: they are used as given, so they must already be cut as in "
        f"training, each epoch [{start:g}, {start:g} + {window_seconds:g}) s around its event"
    )


def crop_refused_for_continuous(start: float) -> str:
    """Why ``crop_tmin`` (``--crop``) is refused for a continuous recording."""
    return (
        f"crop_tmin={start:g} (--crop {start:g}) crops epochs around their time-locking "
        "event, but this is a continuous recording, which has no events to crop around: leave "
        "--crop out (start_seconds, --start, sets where its first window starts), or cut "
        "epochs from it first (mne.Epochs(raw, events, tmin=..., tmax=..., baseline=None))"
    )


def _consecutive_windows_advice(recording: Recording, config: PreprocessingConfig) -> str:
    """For epochs (``recording``, ``[n, C, T]``) at least two windows of ``config`` long (e.g.
    DEAP's 63 s trials), the usual practice, said after the other fixes: cut each into
    consecutive windows, as a continuous ``[C, T]`` array each or by a reshape (shown with this
    recording's numbers where a window is whole samples at its rate); "" otherwise."""
    per = config.window_seconds * recording.sfreq  # window samples at the epochs' own rate
    n, c, t = recording.data.shape
    k = int(t // per) if per > 0 else 0
    if k < 2:
        return ""
    seconds = f"{config.window_seconds:g} s"
    text = (
        f". Or, as usual for long trials (e.g. DEAP's 63 s), cut each trial into {k} "
        f"consecutive {seconds} windows: embed each trial as a continuous [C, T] array "
        "(model.embed(X[i], ch_names=..., sfreq=..., units=...) for each trial i)"
    )
    if float(per).is_integer():
        w = int(per)
        text += (
            f", or reshape them into epochs: X[..., :{k * w}].reshape({n}, {c}, {k}, {w})"
            f".transpose(0, 2, 1, 3).reshape(-1, {c}, {w}) (trial ids np.repeat(trials, {k}) "
            "for grouped cross-validation)"
        )
    return text


def _epoch_windows(
    x: np.ndarray, recording: Recording, config: PreprocessingConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_epochs, n_channels, n_times = x.shape
    window = config.n_samples
    if n_times > window or (n_times < window and config.tail == "drop"):
        array = recording if recording.tmin is None else None  # no times: no epochs.crop
        resampled = (
            f"; {n_times} samples at {config.sfreq:g} Hz, resampled"
            if recording.sfreq != config.sfreq
            else ""
        )
        note = crop_option_note(recording, config) if n_times > window and array is None else ""
        raise RecordingError(
            f"{recording.source}: each epoch becomes one window, but epochs have "
            f"{recording.n_times} samples at {recording.sfreq:g} Hz ({recording.duration:.4f} s"
            f"{resampled}) and a window has {window} at {config.sfreq:g} Hz "
            f"({config.window_seconds:g} s). {_epochs_fit(n_times, config, array)}: "
            "window_seconds (embed(..., window_seconds=...); preprocessing="
            "PreprocessingConfig(window_seconds=...) for probes; --window on the command "
            f"line){_consecutive_windows_advice(recording, config)}.{note}"
        )
    detrend_windows(x, n_times, config.detrend)  # x: a float64 array owned by prepare
    with quiet_float32_overflow():
        if n_times == window:
            out = x.astype(np.float32)
        else:
            out = np.zeros((n_epochs, n_channels, window), dtype=np.float32)
            out[..., :n_times] = x
    if recording.onsets is not None:
        onsets = recording.onsets.astype(np.float64, copy=True)
    else:
        onsets = np.arange(n_epochs, dtype=np.float64) * recording.duration
    return out, onsets, np.full(n_epochs, n_times, dtype=np.int64)


def padded_patches_seconds(padded: dict[str, Any], patches: int) -> float:
    """The seconds of ``patches`` whole patches at the rate of the window into which epochs
    were zero-padded (``padded``: :func:`~eegpt.api.epoch_padding_record`'s entry)."""
    sfreq = padded["window_samples"] / (padded["recorded_s"] + padded["padded_s"])
    return patches * EEGPTConfig.patch_size / sfreq


def crop_advice(seconds: float, crop_tmin: float | None = None) -> str:
    """How to crop epochs to ``seconds`` from ``crop_tmin`` (the ``--crop`` they were cropped
    by; None: from their start): on the command line and in Python."""
    start = "TMIN" if crop_tmin is None else f"{crop_tmin:g}"
    where = ", TMIN the epochs' start (MNE's tmin)" if crop_tmin is None else ""
    return (
        f"--crop {start} --window {seconds:.10g} on the command line{where}; "
        f"{crop_call(seconds, crop_tmin)} and window_seconds={seconds:.10g} in Python"
    )


def partial_patch_note(padded: dict[str, Any], crop_tmin: float | None = None) -> str:
    """For epochs whose last patch is mostly zeros (``padded``: :func:`epoch_padding_record`'s
    entry; ``crop_tmin``: the ``--crop`` they were cropped by, if any), how to crop them to
    whole patches; "" otherwise."""
    whole, rest = whole_patches(int(padded["recorded_samples"]))
    patch = EEGPTConfig.patch_size
    if not (whole and 0 < 2 * rest < patch):
        return ""
    down = padded_patches_seconds(padded, whole)
    return (
        f"; patch {whole + 1}, with {rest} of their samples, is mostly zeros: cropped to {whole} "
        f"whole patches, they have no zeros ({crop_advice(down, crop_tmin)})"
    )


def padded_patches_text(padded: dict[str, Any]) -> str:
    """How the patches of a window into which epochs were zero-padded (``padded``:
    :func:`~eegpt.api.epoch_padding_record`'s entry) hold zeros: those wholly padding
    (``padding_patches``) and the one the epochs end inside, partly padded."""
    patches, zeros = int(padded["patches"]), int(padded["padding_patches"])
    whole, rest = whole_patches(int(padded["recorded_samples"]))
    if zeros == 1:
        text = f"the last of each window's {patches} patches is wholly padding (zeros)"
    elif zeros:
        text = f"the last {zeros} of each window's {patches} patches are wholly padding (zeros)"
    else:
        text = f"none of each window's {patches} patches is wholly padding"
    if rest and whole < patches:
        patch = EEGPTConfig.patch_size
        text += (
            f"{' and' if zeros else ', but'} patch {whole + 1} is partly padded: {rest} of the "
            f"epochs' samples and {patch - rest} zeros"
        )
    return text
