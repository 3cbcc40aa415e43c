"""From a :class:`~eegpt.io.Recording` (volts) to model-ready windows (model units).

EEGPT was pretrained on 4 s windows sampled at 256 Hz (1024 samples) in **millivolts**.
:func:`prepare` picks and orders the channels of a :class:`~eegpt.channels.ChannelMapping`,
re-references them to their average (as pretraining did; optional), resamples, converts volts
to model units and cuts windows. Every step that would change the data silently is either
explicit in :class:`PreprocessingConfig` or announced by a warning.

The steps live in modules of their own: :mod:`eegpt.resampling` (the polyphase and nearest
resamplers), :mod:`eegpt.signal_stats` and :mod:`eegpt.signal_checks` (the checks of flat,
clipped and mis-scaled channels) and :mod:`eegpt.windowing` (windows, epochs cropped to one);
this module holds the settings, :func:`prepare` and the checks of the recording as a whole
(its rate, its channels, the average reference).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from eegpt._logging import Verbose, record_unshown
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._renamed import renamed_keywords
from eegpt.annotations import BadSpans
from eegpt.channel_picks import pick_indices, warn_not_scalp
from eegpt.channels import DEFAULT_RULES, ChannelMapping, ChannelRules, map_channels
from eegpt.config import EEGPTConfig, keywords_meant, strict_from_dict
from eegpt.errors import DuplicateChannelsError, NoChannelMappedError, RecordingError
from eegpt.io import as_recording
from eegpt.mne_inputs import left_out_channels
from eegpt.nearest_sites import with_positions_note
from eegpt.preprocessing_spec import (
    PRETRAINING_SCALE,
    SAMPLE_TOLERANCE,
    STORED_DEFAULTS,
    PreprocessingFields,
    on_a_sample,
    seconds_text,
)
from eegpt.preprocessing_spec import describe as describe_spec
from eegpt.preprocessing_spec import stored_defaults as stored_defaults  # re-exported
from eegpt.recording import Recording, check_unique
from eegpt.resampling import (
    fill_nonfinite,
    nearest_indices,
    nearest_source,
    polyphase_ratio,
    resample,
    resampled_length,
    taken_rate,
)
from eegpt.signal_checks import check_finite, check_signal
from eegpt.signal_stats import SignalStats, robust_amplitude
from eegpt.ssp_projectors import warn_unapplied_projectors
from eegpt.windowing import (
    DETREND,
    Windows,
    _continuous_windows,
    _epoch_windows,
    check_length,
    check_windows,
    crop_call,
    crop_epochs,
    cut_windows,
    detrend_windows,
    whole_patches,
    window_starts,
)

__all__ = [
    "PreprocessingConfig",
    "prepare",
    "check_reference_channels",
    # held here before eegpt.resampling, signal_stats, signal_checks and windowing had modules
    # of their own (2026-12-06): still importable from here, for code written before
    "SignalStats",
    "Windows",
    "check_finite",
    "check_signal",
    "cut_windows",
    "detrend_windows",
    "fill_nonfinite",
    "nearest_indices",
    "nearest_source",
    "polyphase_ratio",
    "resample",
    "robust_amplitude",
    "taken_rate",
    "window_starts",
]

MIN_SFREQ = 1.0  # Hz; lower sampling rates mean a corrupt header or the wrong time unit
LOW_SFREQ = 100.0  # Hz; below it a warning: EEG is rarely sampled so slowly (a wrong sfreq?)
#: Hz; a recording sampled below it and upsampled for the model holds nothing above its Nyquist
#: frequency (under 100 Hz), a band EEGPT's 256 Hz pretraining data filled: a warning
NARROW_SFREQ = 200.0
PRETRAINING_SFREQ = 256.0  # Hz, the rate EEGPT was pretrained at
_RATES_QUESTIONED: set[float] = set()  # model rates other than it, warned about already
_WINDOWS_QUESTIONED: set[tuple[int, float]] = set()  # (samples, rate) of windows warned about


#: The command line's options (their ``dest``) that set a field of :class:`PreprocessingConfig`
#: named otherwise (``--window``, ``--start``, ``--crop``, ``--rescale``,
#: ``--no-average-reference``), mapped to the field: ``PreprocessingConfig(window=4)`` is told
#: the field's name (:func:`eegpt.config.keywords_meant`).
CLI_NAMES: dict[str, str | tuple[str, str]] = {
    "window": "window_seconds",
    "start": "start_seconds",
    "crop": "crop_tmin",
    "rescale": ("scale", f"scale={PRETRAINING_SCALE:g} * rescale"),
    "no_average_reference": ("average_reference", "average_reference=False"),
}


@keywords_meant(CLI_NAMES)
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
        approximated where up or down would exceed
        :data:`~eegpt._rates.MAX_POLYPHASE_FACTOR`. ``"nearest"``: nearest-neighbour sample
        picking, identical to ``torch.nn.functional.interpolate(mode="nearest")`` on
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
        (``>= 0``); no window is made before it. Kept as given; windows are cut at ``sfreq``:
        a start between two of its samples is moved to the nearest one where a recording's
        windows are cut, with a warning (:func:`on_the_grid`), and that is the onset recorded
        (:attr:`grid_start_seconds`; :meth:`to_dict` records it). For
        30 s windows on a hypnogram whose scoring starts 17 s in, ``start_seconds=17`` puts
        each window on one scoring epoch (onsets stay in recording time: 17, 47, ... s).
        Epochs are one window each: it does not apply to them. Files from before it was
        recorded lack it: 0.
    detrend : ``"none"`` | ``"constant"`` | ``"linear"`` | None
        Per window and channel, after everything else, subtract nothing (``"none"``, the
        samples as recorded, the default; ``None`` is taken as ``"none"``, as in a grid search
        over ``[None, "linear"]``), the mean, or the least-squares straight line
        (:func:`~eegpt.windowing.detrend_windows`, as :func:`scipy.signal.detrend`; a zero-padded
        tail stays zero). For DC-coupled amplifiers and drifting recordings, whose offsets would
        otherwise dominate the windows; a high-pass filter (``raw.filter(0.5, None)``) is the
        alternative for data in MNE. Always recorded (:meth:`to_dict`); files from before lack it
        when ``"none"``.
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
            raise ValueError(
                f"window_seconds must be finite and more than 0, got {self.window_seconds}"
            )
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
        """The first window's start in samples at ``sfreq``: :attr:`start_seconds` at the
        nearest sample (4429 for 17.3 s at 256 Hz), where windows are cut."""
        return int(round(self.start_seconds * self.sfreq))

    @property
    def grid_start_seconds(self) -> float:
        """Where the first window of a continuous recording starts, in seconds from its first
        sample: :attr:`start_seconds` moved to the nearest sample at ``sfreq``
        (17.30078125 for 17.3 at 256 Hz; the same where it is on a sample), without a warning
        (:func:`on_the_grid` warns where windows are cut)."""
        return on_a_sample(self.start_seconds, self.sfreq)

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
        resumed corpus run's settings read old ones so. ``start_seconds`` is recorded where
        the windows start (:attr:`grid_start_seconds`: 17.30078125 for 17.3), as their onsets
        are."""
        d = asdict(self)
        d["start_seconds"] = self.grid_start_seconds
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
        return strict_from_dict(cls, {**STORED_DEFAULTS, **d}, "preprocessing", CLI_NAMES)


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


#: The texts of :func:`start_on_grid`'s notes given inside :func:`starts_moved_once` (None
#: outside: each call warns).
_MOVES_SAID: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "eegpt_moves_said", default=None
)


@contextlib.contextmanager
def starts_moved_once(said: set[str]) -> Iterator[None]:
    """Inside the block, :func:`start_on_grid` shows each of its notes once: one whose text
    is in ``said`` is not shown again, only recorded for the recording (its output's
    ``metadata["warnings"]``: :func:`~eegpt._logging.record_unshown`), and ``said`` gets
    those given (a command's recordings, each cut from the same start moved alike). Inside
    another such block the outer one's set is kept, not ``said``: a command's block around its
    recordings wins over one made for each (a probe's labelling, made per recording by ``probe
    predict``: :meth:`eegpt.window_labelling.WindowLabelling.start_of`)."""
    outer = _MOVES_SAID.get()
    token = _MOVES_SAID.set(said if outer is None else outer)
    try:
        yield
    finally:
        _MOVES_SAID.reset(token)


def start_on_grid(seconds: float, sfreq: float, what: str = "start_seconds") -> float:
    """A first window's onset of ``seconds`` (from the first sample) moved to the nearest
    sample at ``sfreq`` (Hz), the rate windows are cut at, with a warning where it moves
    (more than :data:`SAMPLE_TOLERANCE` of a sample): the one rule for every way a start is
    given (``start_seconds=``, ``--start SECONDS``, ``--start annotations``, a manifest's
    ``start_seconds``). A start whole at the recording's own rate need not be whole at
    ``sfreq`` (17.3 s at 100 Hz is 4428.8 samples at 256 Hz): windows cut from the resampled
    signal start on its samples, so the onsets record where they really start. Inside
    :func:`starts_moved_once`, a note already given is recorded, not shown again."""
    n = seconds * sfreq
    rounded = round(n)
    if abs(n - rounded) <= SAMPLE_TOLERANCE:
        return seconds
    moved = rounded / sfreq
    later = "later" if moved > seconds else "earlier"
    note = (
        f"{what} = {seconds:.10g} s is {n:.10g} samples at {sfreq:g} Hz, where windows are cut "
        f"(after resampling): the first window starts at the nearest sample, {seconds_text(moved)} s "
        f"({abs(moved - seconds) * 1e3:.3g} ms {later}), and the windows' onsets record "
        f"that. To join them to events at {seconds:.10g} s, match onsets to within half a "
        f"sample (1/{2 * sfreq:g} s), or give a start that is a multiple of 1/{sfreq:g} s"
    )
    said = _MOVES_SAID.get()
    if said is not None and note in said:  # shown for an earlier recording: recorded alone
        record_unshown(note)
    else:
        _warn(note)
    if said is not None:
        said.add(note)
    return moved


def on_the_grid(config: PreprocessingConfig, what: str = "start_seconds") -> PreprocessingConfig:
    """``config`` as windows are cut with from a continuous recording: its ``start_seconds``
    (kept as given) moved to the nearest sample at ``config.sfreq``, with
    :func:`start_on_grid`'s warning where it moves (``what`` names the start in it); the
    config itself where the start is on a sample already (so a config moved once is not
    warned of again). The one helper of every route that cuts a recording's windows from a
    start (:func:`prepare`, :class:`~eegpt.streaming.WindowStream`, a probe's windows); epochs
    take none (one window each)."""
    start = start_on_grid(config.start_seconds, config.sfreq, what)
    return config if start == config.start_seconds else replace(config, start_seconds=start)


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
    ``sfreq`` makes them (:func:`~eegpt.resampling.resample`: polyphase gives
    ``ceil(n * up / down)`` samples, nearest ``round``), when it is not the nearest (``rounded``
    samples); else ""."""
    fitted = math.ceil(seconds * sfreq) if resample == "polyphase" else rounded
    if fitted == rounded:
        return ""
    return (
        f"for epochs of {seconds:.10g} s at another rate, which resampling to {sfreq:g} Hz "
        f"makes {fitted} samples (it rounds up): {fitted / sfreq:.10g} s; otherwise "
    )


@renamed_keywords(config="preprocessing")
def prepare(
    recording: Recording | Any,
    mapping: ChannelMapping | None = None,
    preprocessing: PreprocessingConfig | None = None,
    *,
    checks: bool = True,
    bad_spans: BadSpans | None = None,
    refuse_flat: bool = True,
    channels_needed: bool = False,
    warn_reference: bool = True,
    warn_ratio: bool = True,
    warn_rate: bool = True,
    verbose: Verbose = None,
) -> Windows:
    """Turn a recording into model-ready windows.

    Steps: pick and order the mapped channels; check them (warnings only); average-reference
    (``preprocessing.average_reference``, the default); resample to ``preprocessing.sfreq``;
    multiply by ``preprocessing.scale`` (volts -> millivolts); cut windows of
    ``preprocessing.n_samples`` every ``preprocessing.step_samples`` (continuous data) or use
    each epoch as one window (epoched data).

    Parameters
    ----------
    recording : Recording
        Data in volts; anything :func:`~eegpt.io.as_recording` accepts without extra arguments
        (path, ``Raw``, ``Epochs``) is converted first.
    mapping : ChannelMapping | None
        Channels to use; default ``map_channels(recording.ch_names)``. A given mapping is applied
        by input name, so one made for another file with the same names in another order works.
    preprocessing : PreprocessingConfig | None
        Defaults to ``PreprocessingConfig()`` (256 Hz, 4 s windows, average reference,
        millivolts); ``preprocessing=`` as in :func:`eegpt.embed`. (Was ``config``, still
        taken with a ``FutureWarning``.)
    checks : bool
        Run the signal checks of :func:`~eegpt.signal_checks.check_signal` (flat, clipped,
        mis-scaled channels, offsets; warnings) and the projector warning. False skips them, for
        repeated calls on data already checked (:class:`eegpt.online.OnlineEmbedder` after its first
        window), and the warning about average referencing of 2 channels
        (:func:`check_reference_channels`); NaN/Inf samples are refused either way
        (:class:`~eegpt.io.Recording`).
    bad_spans : BadSpans | None
        The spans of a continuous recording under annotations marked bad
        (:meth:`BadSpans.of <eegpt.annotations.BadSpans.of>`). NaN/Inf samples that all lie
        inside them are filled (:func:`~eegpt.resampling.fill_nonfinite`, with a warning) when
        their windows are left out (``reject``), refused with that option named otherwise
        (:func:`~eegpt.signal_checks.check_finite`). The windows are not left out here: the caller
        leaves out those over the spans.
    refuse_flat : bool
        Refuse a recording whose used channels are all flat throughout
        (:func:`~eegpt.signal_checks.check_signal`); False only warns. The rule: what is embedded or
        trained on as a whole refuses (embed, embed-dataset, streaming, a probe's or a fine-tuning's
        training and validation data, where a set of epochs all flat in every channel holds nothing
        to learn from); data that stand for a part of more to come only warn (the first window of a
        live stream, scikit-learn's transform and predict, a probe's predictions and evaluations: a
        loop that predicts epoch by epoch goes on past one from a disconnected amplifier).
    channels_needed : bool
        Every used channel is needed (a probe's, for ``probe.online``): a flat one is advised
        to be fixed, not dropped (:func:`~eegpt.signal_checks.check_signal`).
    warn_reference : bool
        Warn of average referencing of exactly 2 channels (:func:`check_reference_channels`).
        False where the preprocessing is not the caller's to change (a trained probe's
        predictions, a fitted embedder's transform) or was warned of already (a stream).
    warn_ratio : bool
        Warn of a resampling ratio that had to be approximated
        (:func:`~eegpt.resampling.resample`). False where that was warned of already (a stream warns
        once, when it starts).
    warn_rate : bool
        Check the sampling rate (:func:`check_rate`: refuse one too low to be EEG, warn of
        one below 200 Hz). False where that was done already (a stream checks once, when it
        starts).
    verbose : bool | str | int | None
        If True, log what was done to the ``"eegpt"`` logger.

    Returns
    -------
    Windows
        ``data`` float32 of shape (n_windows, n_channels, preprocessing.n_samples).

    Raises
    ------
    ValueError
        If a continuous recording is shorter than one window with ``tail="drop"``, if epochs do
        not have the window length after resampling (shorter ones are accepted with
        ``tail="pad"``; those just over it at a rate where no length resamples to it exactly,
        :func:`~eegpt.windowing.just_over_window`, are cropped to it), if ``mapping`` names channels the recording lacks, or if average
        referencing (the default) is asked for a single channel.

    Warns
    -----
    RuntimeWarning
        Flat channels; an amplitude that looks mis-scaled (microvolts labelled as volts, or far
        too small); average referencing of exactly 2 channels (each the other's negative);
        a recording shorter than one window that was zero-padded; see also
        :func:`~eegpt.channels.map_channels` and :func:`~eegpt.resampling.resample`.
    """
    if isinstance(mapping, PreprocessingConfig):
        raise TypeError(
            "prepare(recording, mapping, preprocessing): the second argument is the channel "
            "mapping; pass the preprocessing as preprocessing=..."
        )
    config = PreprocessingConfig() if preprocessing is None else preprocessing
    if not isinstance(config, PreprocessingConfig):
        raise TypeError(f"preprocessing must be a PreprocessingConfig, got {type(config).__name__}")
    if not isinstance(recording, Recording):
        recording = as_recording(recording, verbose=verbose)
        if isinstance(recording, list):
            raise TypeError("prepare takes one recording; call it once per recording")
    recording = crop_epochs(recording, config)
    given = config  # its start as given, which the length checks quote
    if not recording.is_epoched:  # its windows start on a sample at config.sfreq
        config = on_the_grid(config)
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
                     epoch_samples=epoch_samples,
                     clock=getattr(recording, "clock", None),
                     resample=config.resample, new_sfreq=config.sfreq)  # fmt: skip
    # before the signal checks: a few samples are too short, not flat; refused here only (a
    # recording zero-padded with tail="pad" is said so once, where its windows are cut)
    if not recording.is_epoched and config.tail == "drop":
        try:
            n_out = resampled_length(recording.n_times, recording.sfreq, config.sfreq,
                                     config.resample, warn=False)  # fmt: skip
        except ValueError:  # no polyphase ratio: refused by resample() below
            n_out = config.n_samples
        check_length(n_out, recording.duration, source, given)
    flags = None
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
        flags = check_signal(
            SignalStats.of(
                x, segment=segment, bad=nonfinite, bad_spans=bad_spans, sfreq=recording.sfreq
            ),
            mapping.input_names,
            source,
            units,
            gain=config.gain,
            rescaled=getattr(recording, "rescaled", 1.0),  # one pickled before it: 1
            ranges=_picked(getattr(recording, "ranges", None), picks),  # pickled before: None
            offsets=config.detrend == "none",
            array_units=recording.array_units,
            sfreq=recording.sfreq,
            epoch_samples=epoch_samples,
            rates=None if recording.rates is None else [recording.rates[i] for i in picks],
            refuse_all_flat=refuse_flat,
            average_reference=config.average_reference,
            left_out=mapping.dropped,
            channels_needed=channels_needed,
            clock=getattr(recording, "clock", None),  # one pickled before it: None
            resample=config.resample,
            new_sfreq=config.sfreq,
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
                f"{source}: start_seconds={config.start_seconds:.10g} s (the first "
                "window's onset in a continuous recording) does not apply to epochs, which "
                "give one window each; ignored for them"
            )
            config = replace(config, start_seconds=0.0)
        data, onsets, n_valid = _epoch_windows(x, recording, config)
    else:
        data, onsets, n_valid = _continuous_windows(x, recording, config, given)
    check_windows(data, source, config)
    windows = Windows(
        data=data,
        onsets=onsets,
        mapping=mapping,
        sfreq=config.sfreq,
        config=config,
        n_valid_samples=n_valid,
        source=recording.source,
        flags=flags,
    )
    _log(
        f"prepared {recording.source}: {len(windows)} window(s) of {len(mapping)} channel(s) x "
        f"{config.n_samples} samples at {config.sfreq:g} Hz (from {_rates_text(recording)}, "
        f"resample={config.resample!r}, average_reference={config.average_reference}, "
        f"scale={config.scale:g}, detrend={config.detrend!r})",
        verbose,
    )
    return windows


def _rates_text(recording: Any) -> str:
    """The rate(s) ``recording``'s samples came at, for :func:`prepare`'s log line: its own
    (``"1000 Hz"``), or, for inputs merged at another rate, theirs
    (``"1000 Hz and 500 Hz, merged at 256 Hz"``: :attr:`Recording.merged_rates`)."""
    rates = getattr(recording, "merged_rates", None)
    if not rates:
        return f"{recording.sfreq:g} Hz"
    listed = [f"{rate:g} Hz" for rate in rates]
    said = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
    return f"{said}, merged at {recording.sfreq:g} Hz"


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
    names: Sequence[str],
    source: str,
    *,
    info: Any = None,
    rules: ChannelRules = DEFAULT_RULES,
    **kwargs: Any,
) -> ChannelMapping:
    """:func:`~eegpt.channels.map_channels` under ``rules`` (their ``on_unknown``,
    ``on_missing`` and ``unknown_rule``; :class:`~eegpt.channels.ChannelRules`), with errors
    that name the recording; ``kwargs``: its other keywords (``rename``, ``keep`` ...).
    ``info``: the ``mne.Info`` of an MNE recording given in Python, whose channel positions,
    where ``names`` (``E1``..) map to no site, the refusal tells how to use (as for a file:
    :func:`~eegpt.nearest_sites.with_positions_note`); None for other data. ``on_unknown``,
    ``on_missing`` and ``unknown_rule`` given as keywords, as before ``rules`` was taken,
    stand in for those of ``rules``."""
    given = {k: kwargs.pop(k) for k in ("on_unknown", "on_missing", "unknown_rule") if k in kwargs}
    try:
        if given:  # checked here: a wrong one is said naming the recording, as before
            rules = ChannelRules.of_one(**(rules.keywords() | given))
        return map_channels(names, source=source, **rules.keywords(), **kwargs)
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
    channels ``picks`` selects (bads left out of a type pick, with a warning, or a log line
    for those ``keep`` or ``rename`` leave out anyway; see :func:`eegpt.io.as_recording`), mapped by :func:`map_recording_channels` knowing which
    channels were left out and why (``kwargs``: ``rules``, ``rename``, ``keep`` ...).

    Returns the picked channels' indices into ``info["ch_names"]`` and the mapping, whose
    ``picks`` index the picked channels."""
    choice = {k: kwargs.get(k) for k in ("keep", "rename", "verbose")}  # bads to warn of
    idx = pick_indices(info, picks, source, **choice)
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


def _picked(values: Sequence[Any] | None, picks: Sequence[int]) -> list[Any] | None:
    """``values`` (one per channel of a recording) of the channels ``picks``; None for None."""
    return None if values is None else [values[i] for i in picks]


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
