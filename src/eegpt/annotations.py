"""Annotations of a continuous recording, window by window.

MNE keeps marked spans of a recording (artefacts, sleep stages, tasks) as ``raw.annotations``:
onset and duration in seconds and a description. A span whose description starts with
``"bad"`` in any case (``BAD_muscle``, ``bad blink``, MNE's ``BAD boundary`` where recordings
were concatenated) marks data that should not be used; MNE leaves such data out of epochs
(``reject_by_annotation=True``), and :func:`eegpt.embed` can leave such windows out too. So do
EEGLAB's ``boundary`` events (where data were cut out: a window over one splices two stretches
of signal), which MNE reads as plain ``boundary`` annotations, and BrainVision's ``New Segment``
markers after the first sample (the recording was paused there).

Here annotations are an ``mne.Annotations`` whose onsets are seconds from the recording's first
sample (``orig_time=None``), the time base of the window onsets of
:class:`~eegpt.outputs.Embeddings`. A window ``[onset, onset + length)`` carries an annotation
when the two overlap, as MNE decides for epochs: ``annotation onset < window end`` and
``annotation onset + duration > window onset``, so an annotation of zero duration counts
inside a window but not at its first sample.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mne
import numpy as np

from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.errors import RecordingError

__all__ = [
    "WindowAnnotations",
    "annotate_windows",
    "annotations_of",
    "annotations_per_window",
    "bad_windows",
    "describe_bad",
    "is_bad",
    "window_annotations",
]


def annotations_of(raw: mne.io.BaseRaw) -> mne.Annotations | None:
    """The annotations of ``raw`` with onsets in seconds from its first sample, or None if it
    has none.

    MNE stores annotation onsets from the start of the acquisition (``meas_date``, or time 0
    when there is none), so a cropped recording or a FIF file with ``first_samp > 0`` has its
    first sample at ``raw.first_time``; that is subtracted here.
    """
    ann = raw.annotations
    if len(ann) == 0:
        return None
    return mne.Annotations(
        onset=np.asarray(ann.onset, dtype=np.float64) - raw.first_time,
        duration=np.asarray(ann.duration, dtype=np.float64),
        description=list(ann.description),
    )


def is_bad(description: str) -> bool:
    """Whether an annotation marks bad data. MNE's rule: its description starts with ``"bad"``,
    in any case; and the marks of a discontinuity, where a window joins two stretches of signal
    that were never adjacent: EEGLAB's ``boundary`` events (data were cut out; MNE reads them as
    ``"boundary"`` annotations) and BrainVision's ``New Segment`` markers (recording paused and
    resumed; MNE reads ``"New Segment/"``). The one at a file's first sample touches no window:
    a zero-duration annotation at a window's first sample does not count
    (:func:`window_annotations`)."""
    return str(description).lower().startswith("bad") or _is_cut(description)


def _is_cut(description: str) -> bool:
    """An EEGLAB ``boundary`` or a BrainVision ``New Segment`` mark (see :func:`is_bad`)."""
    text = str(description).lower()
    return text == "boundary" or text.startswith("new segment")


def window_annotations(
    annotations: mne.Annotations | None, onsets: np.ndarray, length_s: float
) -> list[list[str]]:
    """The descriptions of the annotations that overlap each window.

    A window ``[onset, onset + length_s)`` holds an annotation that starts before its end and
    ends after its start (MNE's rule for epochs, so that bad windows are the epochs
    ``mne.Epochs(..., reject_by_annotation=True)`` drops). A zero-length event (a stimulus)
    at a window's first sample belongs to that window, as a half-open interval has it; a
    zero-length *bad* annotation there does not (MNE's rule again), nor does a discontinuity
    mark (EEGLAB ``boundary``): the window that starts at it holds contiguous samples.

    Parameters
    ----------
    annotations : mne.Annotations | None
        Onsets in seconds from the recording's first sample (:func:`annotations_of`).
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds, same time base.
    length_s : float
        Window length in seconds.

    Returns
    -------
    list of list of str
        One list per window: the distinct descriptions overlapping it, in annotation order
        (empty lists when ``annotations`` is None or empty).
    """
    onsets = np.asarray(onsets, dtype=np.float64)
    out: list[list[str]] = [[] for _ in range(len(onsets))]
    if annotations is None or len(annotations) == 0 or len(onsets) == 0:
        return out
    starts = np.asarray(annotations.onset, dtype=np.float64)
    durations = np.asarray(annotations.duration, dtype=np.float64)
    # a discontinuity lies between two samples: its mark counts as a point, whatever duration
    # the file gives it (MNE reads a BrainVision marker of size 1 as one sample long), so a
    # window that starts at it holds contiguous samples only
    points = np.array([_is_cut(d) for d in annotations.description], dtype=bool)
    ends = starts + np.where(points, 0.0, durations)
    # zero-length events (not bad, not cuts) also belong to the window that starts at them
    events = (ends == starts) & ~points & ~np.array([is_bad(d) for d in annotations.description])
    order = np.argsort(onsets, kind="stable")
    sorted_onsets = onsets[order]
    for start, end, event, desc in zip(starts, ends, events, annotations.description, strict=True):
        # windows with onset < end (onset <= end for an event) and onset + length > start
        first = np.searchsorted(sorted_onsets, start - length_s, side="right")
        last = np.searchsorted(sorted_onsets, end, side="right" if event else "left")
        for j in order[first:last]:
            if str(desc) not in out[j]:
                out[j].append(str(desc))
    return out


def bad_windows(per_window: Sequence[Sequence[str]]) -> np.ndarray:
    """Boolean mask ``(n_windows,)``: True where a window overlaps a bad annotation."""
    return np.array([any(is_bad(d) for d in descs) for descs in per_window], dtype=bool)


def describe_bad(per_window: Sequence[Sequence[str]], limit: int = 4) -> str:
    """``"BAD_muscle: 10, BAD_eye: 2"``: how many windows each bad description touches (the
    ``limit`` most frequent, then ``"..."``)."""
    counts = Counter(d for descs in per_window for d in descs if is_bad(d))
    parts = [f"{desc}: {n}" for desc, n in counts.most_common(limit)]
    if len(counts) > limit:
        parts.append("...")
    return ", ".join(parts)


def annotations_per_window(
    recording: Any, onsets: np.ndarray, length_s: float
) -> list[list[str]] | None:
    """The annotation descriptions over each window of a recording, or None if it has none.

    Continuous recordings (:class:`~eegpt.io.Recording` or a streamed one) carry
    ``annotations``: each window ``[onset, onset + length_s)`` gets those that overlap it
    (:func:`window_annotations`). Epoched ones may carry ``epoch_annotations``, one list per
    epoch (:func:`eegpt.io.epoch_annotations`: MNE's per-epoch annotations under the rule MNE
    uses when it cuts epochs).
    """
    per_epoch = getattr(recording, "epoch_annotations", None)
    if per_epoch is not None:
        return [list(descs) for descs in per_epoch]
    annotations = getattr(recording, "annotations", None)
    if annotations is None:
        return None
    return window_annotations(annotations, onsets, length_s)


@dataclass
class WindowAnnotations:
    """The annotations of the windows that are embedded, and which windows those are.

    Attributes
    ----------
    per_window : list of list of str
        Descriptions over each kept window (see :func:`window_annotations`).
    keep : ndarray of bool, shape (n_windows,) | None
        Which of all the windows are kept; None when all are.
    """

    per_window: list[list[str]]
    keep: np.ndarray | None = None

    @property
    def left_out(self) -> int:
        """How many windows were left out."""
        return 0 if self.keep is None else int((~self.keep).sum())

    def kept(self, values: Sequence[Any]) -> list[Any]:
        """The entries of a per-window list (e.g. epochs' labels) for the kept windows."""
        if self.keep is None:
            return list(values)
        return [v for v, k in zip(values, self.keep, strict=True) if k]


def annotate_windows(
    per_window: list[list[str]] | None,
    source: str,
    *,
    reject: bool = False,
    all_bad: str = "raise",
    verbose: Any = None,
) -> WindowAnnotations | None:
    """Apply ``reject_by_annotation`` to windows with these annotations (None: there are none).

    Without ``reject``, windows over bad annotations are kept and a warning says how many there
    are. With it, they are left out (logged). Descriptions that mention "bad" without starting
    with it (``Comment/BAD_muscle`` from a BrainVision file) are not bad, as in MNE: a warning
    names them.

    Parameters
    ----------
    per_window : list of list of str | None
        :func:`annotations_per_window`.
    source : str
        The recording, for messages.
    reject : bool
        Leave out the windows over bad annotations.
    all_bad : ``"raise"`` | ``"empty"``
        With ``reject``, when every window is bad: raise, or keep none (with a warning).

    Raises
    ------
    RecordingError
        With ``reject`` and ``all_bad="raise"``, when every window overlaps a bad annotation.
    """
    if per_window is None:
        return None
    bad = bad_windows(per_window)
    n, n_bad = len(bad), int(bad.sum())
    _warn_bad_elsewhere(per_window, source)
    if n_bad and not reject:
        _warn(
            f"{source}: {n_bad} of {n} windows overlap annotations marked bad "
            f"({describe_bad(per_window)}); they are embedded like the rest (Embeddings.bad, or "
            "the 'bad' column in Parquet, marks them). Pass reject_by_annotation=True "
            "(--reject-by-annotation) to leave them out."
        )
    if not (reject and n_bad):
        return WindowAnnotations(per_window)
    what = f"{source}: all {n} windows overlap annotations marked bad ({describe_bad(per_window)})"
    if n_bad == n and all_bad == "raise":
        raise RecordingError(f"{what}; nothing is left to embed")
    if n_bad == n:
        _warn(f"{what}; none was embedded")
    else:
        _log(
            f"{source}: left out {n_bad} of {n} windows that overlap annotations marked bad "
            f"({describe_bad(per_window)})",
            verbose,
        )
    kept = [d for d, b in zip(per_window, bad, strict=True) if not b]
    return WindowAnnotations(kept, ~bad)


def _warn_bad_elsewhere(per_window: Sequence[Sequence[str]], source: str) -> None:
    """Warn about descriptions that contain "bad" but do not start with it."""
    hidden = sorted(
        {d for descs in per_window for d in descs if "bad" in d.lower()}
        - {d for descs in per_window for d in descs if is_bad(d)}
    )
    if hidden:
        few = ", ".join(repr(d) for d in hidden[:3]) + (", ..." if len(hidden) > 3 else "")
        _warn(
            f"{source}: {len(hidden)} annotation description(s) mention 'bad' but do not start "
            f"with it ({few}), so they do not mark bad data (MNE's rule); rename them first if "
            "they should, e.g. raw.annotations.rename({'Comment/BAD_muscle': 'BAD_muscle'})"
        )
