"""What MNE did to epochs before eegpt (baseline, detrend), as a probe compares data it is
given with its training data.

:class:`~eegpt.probe.EEGPTProbe` records its training epochs' baseline interval and detrend
and checks that the data it predicts on were prepared alike: :func:`same_baseline` compares
two baseline intervals within half a sample period; :func:`baseline_known` and
:func:`detrend_known` tell whether embeddings' metadata record them; :func:`detrend_said` puts
MNE's detrend in words, and :data:`DETREND_ORDER` gives the order of
``PreprocessingConfig.detrend``'s words (MNE's numbers). :func:`baseline_warning` and
:func:`tmin_warning` say where data (to predict on, or validation epochs in training) were
baseline-corrected otherwise, or cut at another time from their events (``epochs.tmin``),
than the training epochs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eegpt._recording_provenance import EPOCH_ONSETS_KEY, epoch_onsets_kind
from eegpt.recording import detrend_text


def same_baseline(
    given: Sequence[float | None] | None,
    trained: Sequence[float | None] | None,
    sfreq: float | None,
) -> bool:
    """Whether two baseline intervals (``[start, end]`` s, None for none; an end None: the
    epochs' edge) are the same: each end equal within half a sample period of the data's
    rate ``sfreq`` (a probe does not record its training data's rate), as MNE rounds them
    to samples (``tmin=-0.2`` is -0.199219 s at 256 Hz); exactly equal where
    the rate is not known."""
    if given is None or trained is None:
        return given is None and trained is None
    if len(given) != len(trained):
        return False
    tolerance = 0.5 / float(sfreq) if sfreq else 0.0
    for a, b in zip(given, trained, strict=True):
        if a is None or b is None:
            if a is not b:
                return False
        elif abs(float(a) - float(b)) > tolerance + 1e-12:
            return False
    return True


def baseline_known(metadata: Mapping[str, Any]) -> bool:
    """Whether embeddings' ``metadata`` tell whether their epochs were baseline-corrected:
    they hold ``epochs_baseline`` (written for MNE epochs and for windows of continuous
    recordings, None for none), or, written before it was, they are of what MNE read (a
    recording or ``-epo.fif`` file, ``<Raw>``, ``<Epochs>``), whose interval was recorded
    wherever a baseline was applied, so that its absence means none. Arrays (``.npz``,
    ``<array>``) and EEGLAB ``.set`` files record no baseline: unknown."""
    if "epochs_baseline" in metadata:
        return True
    source = str(metadata.get("source", ""))
    if source in ("<Raw>", "<Epochs>"):
        return True
    return (
        bool(source)
        and not source.startswith("<")
        and not source.lower().endswith((".npz", ".npy", ".set"))
    )


def detrend_known(metadata: Mapping[str, Any]) -> bool:
    """Whether embeddings' ``metadata`` tell the trend MNE removed from their epochs: they
    hold ``epochs_detrend`` (epochs made in memory), or they are windows of a continuous
    recording (an ``epochs_baseline`` record without epochs' onsets), which nothing
    detrended. Epochs read from a file (``-epo.fif`` stores no detrend), arrays and
    EEGLAB ``.set`` epochs do not."""
    if "epochs_detrend" in metadata:
        return True
    return "epochs_baseline" in metadata and EPOCH_ONSETS_KEY not in metadata


DETREND_ORDER = {"none": -1, "constant": 0, "linear": 1}  # PreprocessingConfig.detrend


def detrend_said(order: int | None) -> str:
    """MNE's ``detrend`` of epochs in words: ``"detrended by MNE (the mean (DC offset) of
    each epoch's channels subtracted: detrend=0)"``, or not detrended (None)."""
    if order is None:
        return "not detrended by MNE (detrend=None)"
    return (
        f"detrended by MNE ({detrend_text(order)} of each epoch's channels subtracted: "
        f"detrend={order})"
    )


def baseline_warning(
    trained: Sequence[float | None] | None,
    given: Sequence[float | None] | None,
    what: str,
    *,
    recorded: bool = True,
    sfreq: float | None = None,
    trained_on: str = "this probe was trained on epochs",
    effect: str = "the probe's predictions on them mean less",
) -> str | None:
    """What to say where training epochs MNE baseline-corrected over ``trained`` (``[start,
    end]`` s; None: not corrected, or not known, and nothing is said) meet data ``what``
    corrected over ``given`` (None for none) that differ, or may (``recorded`` False: arrays,
    EEGLAB .set epochs, embeddings without the record, which record no correction): each
    channel's offset differs from the training data's. ``sfreq``: the data's rate (Hz), for
    :func:`same_baseline`. ``trained_on`` and ``effect`` name the training data and what the
    difference spoils (the probe's predictions; the validation scores of a training run).
    None where they are alike."""
    from eegpt._logging import baseline_text

    if trained is None or same_baseline(given, trained, sfreq):
        return None
    corrected = (
        f"{trained_on} that MNE baseline-corrected over {baseline_text(trained)} (each "
        "channel's mean over that interval subtracted: mne.Epochs' default baseline)"
    )
    alike = (
        "train the probe on epochs made with baseline=None (mne.Epochs(..., baseline=None)), "
        "or with detrend='constant' (--detrend constant: each window's mean taken out alike "
        "in training, epochs, recordings and streams)"
    )
    if given is None and not recorded:  # arrays, .set files: not recorded in them
        return (
            f"{corrected}, but whether {what} were baseline-corrected is not recorded in them "
            "(arrays, EEGLAB .set files and embeddings of them carry no such record), so "
            "eegpt cannot check it: if they were not, or over another interval, their "
            f"channels' offsets differ from those of the training data and {effect}. Give "
            f"epochs baseline-corrected over {baseline_text(trained)} as in training, or " + alike
        )
    done = "are not" if given is None else f"were corrected over {baseline_text(given)}"
    return (
        f"{corrected}, but {what} {done}, so their channels' offsets differ from those of the "
        f"training data and {effect}. " + alike[0].upper() + alike[1:]
    )


def input_name(source: str, k: int, n: int) -> str:
    """How messages name the ``k``-th (from 0) of ``n`` merged inputs whose source is
    ``source``: the file, or for epochs made in memory (``"<Epochs>"``), ``"input 2 of 3"``."""
    return f"input {k + 1} of {n}" if source.startswith("<") else source


def merged_baseline_warnings(
    trained: Sequence[float | None] | None,
    inputs: Sequence[tuple[str, Sequence[float | None] | None, bool]],
    sfreq: float | None = None,
) -> list[str]:
    """:func:`baseline_warning` of epochs of several inputs merged (``inputs``: each one's
    ``(source, baseline, recorded)``, :attr:`eegpt.recording.Recording.merged_baselines`)
    whose corrections differ or are not all recorded: the inputs that record none (EEGLAB
    .set files) named as not known, those corrected otherwise than ``trained`` named with
    their interval, each group in one warning; those that match the training say nothing."""
    from eegpt._logging import few

    groups: dict[tuple[Any, bool], list[str]] = {}
    for k, (source, baseline, recorded) in enumerate(inputs):
        known = recorded or baseline is not None
        key = (None if baseline is None else tuple(baseline), known)
        groups.setdefault(key, []).append(input_name(str(source), k, len(inputs)))
    texts = []
    for (baseline, known), names in groups.items():
        if len(names) == 1:
            what = f"{names[0]}'s epochs"
        else:
            what = f"the epochs of {len(names)} of the {len(inputs)} inputs ({few(names, 3)})"
        text = baseline_warning(trained, baseline, what, recorded=known, sfreq=sfreq)
        if text:
            texts.append(text)
    return texts


def same_tmin(given: float, trained: float, sfreq: float | None) -> bool:
    """Whether two epochs' ``tmin`` (s) are the same within half a sample period of the
    data's rate ``sfreq`` (exactly where it is not known), as MNE rounds them to samples."""
    tolerance = 0.5 / float(sfreq) if sfreq else 0.0
    return abs(float(given) - float(trained)) <= tolerance + 1e-9


def tmin_warning(
    trained: float | None,
    given: float | None,
    what: str,
    *,
    sfreq: float | None = None,
    window: float = 4.0,
    trained_on: str = "this probe was trained on epochs",
    effect: str = "the probe's predictions on them mean less",
) -> str | None:
    """What to say where training epochs starting ``trained`` s from their events
    (``epochs.tmin``) meet data ``what`` starting at ``given``: each window holds another
    stretch of the trials (a motor-imagery cue at 0 s seen 1 s later). None where they are
    alike or either is not known (arrays; probes saved before the training epochs' tmin was
    recorded). ``sfreq``: the data's rate (Hz), for :func:`same_tmin`; ``window``: the
    window length (s), for the crop advised; ``trained_on`` and ``effect`` as for
    :func:`baseline_warning`."""
    if trained is None or given is None or same_tmin(given, trained, sfreq):
        return None
    return (
        f"{trained_on} starting {float(trained):g} s from their events (epochs.tmin), but "
        f"{what} start at {float(given):g} s: each window holds another stretch of the trials "
        f"(shifted by {float(given) - float(trained):+g} s), so {effect}. Cut them as in "
        f"training (epochs.copy().crop(tmin={float(trained):g}, tmax={float(trained):g} + "
        f"{window:g} - 1 / epochs.info['sfreq'])), or crop every epoch to its window from one "
        "time in training and predictions alike (PreprocessingConfig(crop_tmin=...), --crop)"
    )


def event_tmin(rec: Any) -> float | None:
    """The time from their events at which the epochs of ``rec`` (a
    :class:`~eegpt.recording.Recording`) start (``epochs.tmin``, s), as a probe records and
    compares it (:func:`tmin_warning`); None where it is not known (arrays, continuous
    recordings) or the epochs are windows of a continuous recording rather than trials
    around events: cut at 0 s (``mne.make_fixed_length_epochs``, contiguous or overlapping,
    whose tmin places no event), their onsets on the events' clock a whole number of one
    step apart, that step at most an epoch's length and the step between most of them
    (also where windows overlapping ``BAD`` annotations were dropped, as MNE does by
    default). Trials cut at another time are trials whatever their spacing (a fixed trial
    rate, some rejected), and a step between few of them is no window's (two events a
    sample apart, a double trigger: every onset is a whole number of samples apart)."""
    tmin = getattr(rec, "tmin", None)
    if tmin is None or not getattr(rec, "is_epoched", False):
        return None
    onsets = getattr(rec, "onsets", None)
    half = 0.5 / float(rec.sfreq)
    # (epochs numbered end to end, EEGLAB .set files and arrays: their onsets place nothing)
    events = onsets is not None and len(onsets) > 1 and epoch_onsets_kind(rec) == "events"
    if events and abs(float(tmin)) <= half:
        steps = np.diff(np.asarray(onsets, dtype=np.float64))
        length = rec.n_times / float(rec.sfreq)
        if np.all(np.isfinite(steps)) and steps.min() > 0 and steps.min() <= length + half:
            # each a whole number of the smallest step: the windows' step, some left out
            step = steps.min()
            most = 2 * np.count_nonzero(steps - step <= half) >= len(steps)
            if most and np.all(np.abs(steps - np.round(steps / step) * step) <= half):
                return None
    return float(tmin)
