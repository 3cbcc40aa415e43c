"""Model windows cut from a signal already in model units at the model's rate.

:class:`Windows` holds them: float32 of shape (n_windows, n_channels, n_samples), onsets in
seconds. A continuous signal of shape (n_channels, n_times) is cut at the starts
:func:`window_starts` gives (samples) by :func:`cut_windows`; epochs of shape (n_epochs,
n_channels, n_times) are one window each, cropped beforehand to one window by
:func:`crop_epochs` (``crop_tmin``, seconds relative to their event). Also each window's
detrending (:func:`detrend_windows`), the refusals of recordings shorter than a window
(:func:`check_length`) and of windows that overflowed float32 (:func:`check_windows`), and
the advice on fitting epochs to a window of whole patches (64 samples; its texts, which
``eegpt info`` prints too, are in :mod:`eegpt.patch_padding`).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from eegpt._logging import warn as _warn
from eegpt._rates import taken_rate
from eegpt.channels import ChannelMapping
from eegpt.config import EEGPTConfig
from eegpt.errors import RecordingError, StartPastEndError, TooShortError
from eegpt.patch_padding import (  # noqa: F401 - windowing names too
    crop_advice,
    crop_call,
    padded_patches_seconds,
    padded_patches_text,
    partial_patch_note,
    whole_patches,
)
from eegpt.preprocessing_spec import SAMPLE_TOLERANCE, on_a_sample, seconds_text
from eegpt.recording import Recording
from eegpt.resampling import resampled_length
from eegpt.signal_stats import _detrend_rows

if TYPE_CHECKING:  # annotations only: eegpt.preprocessing imports this module
    from eegpt._window_flags import FlaggedSpans
    from eegpt.preprocessing import PreprocessingConfig


DETREND = ("none", "constant", "linear")  # PreprocessingConfig.detrend


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
    flags : FlaggedSpans | None
        The flat and clipped stretches the signal checks named
        (:func:`~eegpt.signal_checks.check_signal`), whose windows embed flags; None where
        not judged (epochs, checks off).
    """

    data: np.ndarray
    onsets: np.ndarray
    mapping: ChannelMapping
    sfreq: float
    config: PreprocessingConfig
    n_valid_samples: np.ndarray
    source: str = "<array>"
    flags: FlaggedSpans | None = None

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


def check_windows(data: np.ndarray, source: str, config: PreprocessingConfig) -> None:
    """Refuse windows that overflowed float32 (finite input of absurd amplitude)."""
    if not np.isfinite(data).all():
        raise RecordingError(
            f"{source}: samples overflow float32 after scaling to model units (x{config.scale:g}) "
            "and resampling: the amplitudes are absurdly large (a corrupt file or wrong units)"
        )


def _continuous_windows(
    x: np.ndarray,
    recording: Recording,
    config: PreprocessingConfig,
    given: PreprocessingConfig | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The windows of ``x`` (channels x samples at ``config.sfreq``), their onsets (s) and
    recorded samples each; ``given``: ``config`` before its start was moved onto a sample
    (:func:`~eegpt.preprocessing.on_the_grid`), whose start the length check quotes."""
    n_times = x.shape[-1]
    starts = window_starts(
        n_times, config.n_samples, config.step_samples, config.tail, config.start_samples
    )
    check_length(n_times, recording.duration, recording.source, given or config)
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


#: ``given_by`` of :func:`start_text` for the preprocessing's own start: ``start_seconds=``
#: in Python (:class:`~eegpt.preprocessing.PreprocessingConfig`), ``--start`` on the command
#: line; the message names both, as the user gave one or the other.
START_OPTION = "--start"


def start_text(start_seconds: float, sfreq: float, given_by: str = START_OPTION) -> str:
    """A first window's start as the messages quote it: as given (``start_seconds=17.3``),
    and, where it was moved to the nearest sample at ``sfreq`` (Hz), where the windows start,
    that too; then where it came from (``given_by``): :data:`START_OPTION` (the default) for
    the preprocessing's start, named as the command line gives it too (``start_seconds=17.3,
    moved to the nearest 256 Hz sample, 17.30078125 s; command line: --start 17.3``), another
    source by its words (``, from the manifest's start_seconds column``), or none where ""."""
    given = seconds_text(start_seconds)  # as given, every digit (3600.30078125, on a sample)
    text = f"start_seconds={given}"
    if given_by and given_by != START_OPTION:
        text += f", from {given_by}"
    at = on_a_sample(start_seconds, sfreq)
    if at != start_seconds:
        text += f", moved to the nearest {sfreq:g} Hz sample, {seconds_text(at)} s"
    if given_by == START_OPTION:
        text += f"; command line: {START_OPTION} {given}"
    return text


def start_past_end(
    source: str,
    duration: float,
    start_seconds: float,
    given_by: str = START_OPTION,
    sfreq: float = 256.0,
) -> StartPastEndError:
    """The error of a recording of ``duration`` s that ends at or before its first window's
    start ``start_seconds`` (as given), which came from ``given_by`` (:data:`START_OPTION`:
    the preprocessing's, ``start_seconds=`` in Python or ``--start``; or a manifest's
    ``start_seconds`` column); windows are cut at ``sfreq`` (Hz), where a start
    between two samples moves to the nearest (:func:`start_text` says both)."""
    return StartPastEndError(
        f"{source}: the recording lasts {duration:.3f} s, which ends at or before the first "
        f"window's start ({start_text(start_seconds, sfreq, given_by)}); give a start "
        "inside the recording, in seconds from its first sample",
        source=source,
        duration=duration,
        start_seconds=start_seconds,
        sfreq=sfreq,
    )


def check_length(n_times: int, duration: float, source: str, config: PreprocessingConfig) -> None:
    """Refuse (``tail="drop"``: :class:`~eegpt.errors.TooShortError`) or announce (``"pad"``)
    a recording shorter than one window; one that ends at or before the first window's start
    is refused either way (:class:`~eegpt.errors.StartPastEndError`). With ``"pad"``, a
    zero-padded last window after full ones that holds less than half a window of recorded
    samples is warned of (:func:`_warn_short_padded_tail`).

    ``n_times`` counts samples at ``config.sfreq``; ``duration`` is in seconds. ``config`` is
    the preprocessing as given, before :func:`~eegpt.preprocessing.on_the_grid` moved its
    start (the windows are the same): a start between two samples is quoted as given and
    where the windows start (:func:`start_text`), not as moved alone.
    """
    window = config.n_samples
    if n_times - config.start_samples >= window:
        _warn_short_padded_tail(n_times, source, config)
        return
    message = (
        f"{source}: the recording lasts {duration:.3f} s ({n_times} samples at the model's "
        f"{config.sfreq:g} Hz), shorter than one window of {config.window_seconds:g} s "
        f"({window} samples)"
    )
    if config.start_samples:
        start = start_text(config.start_seconds, config.sfreq)
        message += f" after the first window's start ({start})"
    if n_times <= config.start_samples:  # nothing after the start: nothing to pad either
        raise start_past_end(source, duration, config.start_seconds, sfreq=config.sfreq)
    if config.tail == "drop":
        raise TooShortError(
            message + "; use a longer recording, a shorter window_seconds (--window), or "
            "tail='pad' (--tail pad) to zero-pad it into one window"
        )
    _warn(message + "; it was zero-padded into one window (tail='pad').")


#: Fraction of a window below which the recorded samples of a zero-padded last window
#: (``tail="pad"``) are warned of: its embedding is then mostly of the zeros
PADDED_TAIL_WARN = 0.5


def _warn_short_padded_tail(n_times: int, source: str, config: PreprocessingConfig) -> None:
    """Warn, once per recording, where ``tail="pad"`` adds a last window to the full ones of
    ``n_times`` samples (at ``config.sfreq``) that holds less than :data:`PADDED_TAIL_WARN`
    of a window of recorded samples, the rest zeros (one recorded sample and 1023 zeros for a
    recording one sample longer than 4 windows), saying how to leave it out."""
    if config.tail != "pad":
        return
    window = config.n_samples
    starts = window_starts(n_times, window, config.step_samples, "pad", config.start_samples)
    recorded = n_times - int(starts[-1])
    if len(starts) < 2 or recorded >= window or recorded >= PADDED_TAIL_WARN * window:
        return
    rate = config.sfreq
    _warn(
        f"{source}: the last window (onset {starts[-1] / rate:.3f} s) holds only "
        f"{recorded / rate:.3f} s of recorded samples ({recorded} of {window}) and "
        f"{(window - recorded) / rate:.3f} s of zeros (tail='pad'): its embedding is mostly "
        "of the padding, not of the signal. Leave it out with tail='drop' (--tail drop), or "
        "drop the last window afterwards (emb[:-1]; metadata['padded_tail'] names it)."
    )


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
    for 4 s at 256 Hz), or where none gives it exactly, the fewest that give more
    (:func:`just_over_window`: 403 at 100.7 Hz)."""
    n, rate = _array_cut_samples(seconds, recording, config), recording.sfreq
    return f"X[..., :{n}], the first {n} of their {recording.n_times} samples at {rate:g} Hz"


def _array_cut_samples(seconds: float, recording: Recording, config: PreprocessingConfig) -> int:
    """The samples :func:`_array_cut` keeps of each epoch of ``recording`` (an array)."""
    target, rate = int(round(seconds * config.sfreq)), recording.sfreq

    def length(n: int) -> int:
        return resampled_length(n, rate, config.sfreq, config.resample, warn=False)

    n = max(1, int(round(target * rate / config.sfreq)))
    while n > 1 and length(n) > target:
        n -= 1
    while n < recording.n_times and length(n + 1) <= target:
        n += 1
    if length(n) < target and n < recording.n_times and length(n + 1) > target:
        n += 1  # none gives the window exactly (100.7 Hz): the one just over it, cropped
    return n


def _pipeline_crop_note(recording: Recording, config: PreprocessingConfig) -> str:
    """For epochs given as an array (``recording``) longer than the window: how to crop them
    where the caller does not hold the array, in a scikit-learn pipeline that gets X as it is
    made, as MOABB's evaluations give the paradigm's epochs (one sample over whole seconds,
    MNE's ``tmax`` being inclusive: 1001 samples for 4 s at 250 Hz)."""
    n = _array_cut_samples(config.window_seconds, recording, config)
    return (
        " In a scikit-learn pipeline, which gets X as it is made (in a MOABB evaluation, as the "
        "paradigm cuts the epochs), crop them in a first step: make_pipeline(FunctionTransformer"
        f"(eegpt.sklearn.first_samples, kw_args={{'n_times': {n}}}), EEGPTEmbedder(...), ...) "
        "(a named function: a lambda's pipeline cannot be pickled)"
    )


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
    epochs' own rate (:attr:`PreprocessingConfig.crop_tmin
    <eegpt.preprocessing.PreprocessingConfig.crop_tmin>`; a rate a header rounded at its
    nominal rate, :func:`eegpt._rates.taken_rate`); unchanged without one. Epochs
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
    # a rate a header rounded counts at its nominal rate (256 Hz for BrainVision's 3906 µs,
    # which MNE reads as 256.016 Hz), as the epochs' tmin and onsets do
    sfreq, n_times = taken_rate(recording.sfreq), recording.n_times
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


#: DEAP's preprocessed trials: 63 s, of which the first 3 s are a pre-trial baseline that
#: docs/downstream.md's recipe leaves out (``X[..., 3 * 128:]``) before cutting the 60 s of stimulus.
DEAP_TRIAL_SECONDS, DEAP_BASELINE_SECONDS = 63.0, 3.0


def _consecutive_windows_advice(recording: Recording, config: PreprocessingConfig) -> str:
    """For epochs (``recording``, ``[n, C, T]``) at least two windows of ``config`` long, the
    usual practice, said after the other fixes: cut each into consecutive windows, as a
    continuous ``[C, T]`` array each or by a reshape (shown with this recording's numbers where
    a window is whole samples at its rate); "" otherwise. Trials of DEAP's 63 s are cut after
    their first 3 s, DEAP's pre-trial baseline (:data:`DEAP_BASELINE_SECONDS`), as the recipe
    of docs/downstream.md does."""
    per = config.window_seconds * recording.sfreq  # window samples at the epochs' own rate
    n, c, t = recording.data.shape
    skip = DEAP_BASELINE_SECONDS * recording.sfreq
    deap = t == DEAP_TRIAL_SECONDS * recording.sfreq and float(skip).is_integer()
    start = int(skip) if deap else 0
    k = int((t - start) // per) if per > 0 else 0
    if k < 2:
        return ""
    seconds = f"{config.window_seconds:g} s"
    trial = f"X[i, :, {start}:]" if deap else "X[i]"
    text = (
        ". Or, as usual for long trials, cut each trial into "
        f"{k} consecutive {seconds} windows"
        + (
            f" after its first {DEAP_BASELINE_SECONDS:g} s (DEAP's 63 s trials begin with "
            f"{DEAP_BASELINE_SECONDS:g} s of pre-trial baseline: X[..., {start}:] leaves it "
            "out)"
            if deap
            else ""
        )
        + f": embed each trial as a continuous [C, T] array (model.embed({trial}, ch_names=..., "
        "sfreq=..., units=...) for each trial i)"
    )
    if float(per).is_integer():
        w = int(per)
        text += (
            f", or reshape them into epochs: X[..., {start or ''}:{start + k * w}]"
            f".reshape({n}, {c}, {k}, {w}).transpose(0, 2, 1, 3).reshape(-1, {c}, {w}) (trial "
            f"ids np.repeat(trials, {k}) for grouped cross-validation)"
        )
        if recording.tmin is not None and not deap:  # mne.Epochs: X would lose their info
            length = f"{config.window_seconds:g}"
            text += (
                "; for mne.Epochs, as epochs that keep their bad channels, channel types and "
                f"event times (X = epochs.get_data() has none of them), the j-th {seconds} of "
                f"each: [model.embed(epochs.copy().crop(epochs.tmin + {length} * j, "
                f"epochs.tmin + {length} * (j + 1) - 1 / epochs.info['sfreq'])) for j in "
                f"range({k})]"
            )
    return text


def just_over_window(n_times: int, sfreq: float, config: PreprocessingConfig) -> bool:
    """Whether epochs of ``n_times`` samples at ``sfreq`` Hz resample to more samples than a
    window of ``config`` only because no length resamples to exactly its ``n_samples``: one
    sample fewer gives fewer (4 s at 100.7 Hz: 402 samples give 1022 at 256 Hz, 403 give
    1025). Such epochs cover the window and are cropped to it after resampling, as the
    windows of :class:`eegpt.online.OnlineEmbedder` are at such rates."""
    if n_times < 2:
        return False

    def length(n: int) -> int:
        return resampled_length(n, sfreq, config.sfreq, config.resample, warn=False)

    return length(n_times - 1) < config.n_samples < length(n_times)


def _epoch_windows(
    x: np.ndarray, recording: Recording, config: PreprocessingConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_epochs, n_channels, n_times = x.shape
    window = config.n_samples
    if n_times > window and just_over_window(recording.n_times, recording.sfreq, config):
        x, n_times = x[..., :window], window  # the resampled samples past the window go
    if n_times > window or (n_times < window and config.tail == "drop"):
        array = recording if recording.tmin is None else None  # no times: no epochs.crop
        resampled = (
            f"; {n_times} samples at {config.sfreq:g} Hz, resampled"
            if recording.sfreq != config.sfreq
            else ""
        )
        note = crop_option_note(recording, config) if n_times > window and array is None else ""
        if n_times > window and array is not None:
            note = _pipeline_crop_note(recording, config)
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
