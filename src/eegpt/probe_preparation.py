"""What MNE did to epochs before eegpt (baseline, detrend), as a probe compares data it is
given with its training data.

:class:`~eegpt.probe.EEGPTProbe` records its training epochs' baseline interval and detrend
and checks that the data it predicts on were prepared alike: :func:`same_baseline` compares
two baseline intervals within half a sample period; :func:`baseline_known` and
:func:`detrend_known` tell whether embeddings' metadata record them; :func:`detrend_said` puts
MNE's detrend in words, and :data:`DETREND_ORDER` gives the order of
``PreprocessingConfig.detrend``'s words (MNE's numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eegpt._recording_provenance import EPOCH_ONSETS_KEY
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
