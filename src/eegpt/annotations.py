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

This module is the public entry: :class:`BadSpans` (the spans whose NaN/Inf samples are filled
when their windows are left out), :func:`annotations_per_window` (a recording's own
annotations and those given with it, window by window) and :func:`annotate_windows`
(``reject_by_annotation``). The rest lives in :mod:`eegpt.annotation_time` (the time base),
:mod:`eegpt.annotation_files` (reading files and tables), :mod:`eegpt.annotation_overlap` (the
overlap rule, bad windows), :mod:`eegpt.annotation_placement` (files given with a recording
placed on it) and :mod:`eegpt.annotation_labels` (labels from spans, spans from markers), and
is re-exported here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mne
import numpy as np

from eegpt._logging import ignored_warnings
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._rates import taken_rate
from eegpt.annotation_files import DESCRIPTION_COLUMNS as DESCRIPTION_COLUMNS
from eegpt.annotation_files import check_named as check_named
from eegpt.annotation_files import counts_samples as counts_samples
from eegpt.annotation_files import names_read_otherwise as names_read_otherwise
from eegpt.annotation_files import read_annotations as read_annotations
from eegpt.annotation_files import read_otherwise_text as read_otherwise_text
from eegpt.annotation_files import read_table_annotations as read_table_annotations
from eegpt.annotation_files import recording_named as recording_named
from eegpt.annotation_files import same_file as same_file
from eegpt.annotation_files import table_description_column as table_description_column
from eegpt.annotation_labels import MODEL_SFREQ as MODEL_SFREQ
from eegpt.annotation_labels import exact_seconds as exact_seconds
from eegpt.annotation_labels import label_rule as label_rule
from eegpt.annotation_labels import marker_spans_of as marker_spans_of
from eegpt.annotation_labels import markers_by_state as markers_by_state
from eegpt.annotation_labels import markers_text as markers_text
from eegpt.annotation_labels import markers_to_spans as markers_to_spans
from eegpt.annotation_labels import patterns_warned_once as patterns_warned_once
from eegpt.annotation_labels import select_holding as select_holding
from eegpt.annotation_labels import state_markers as state_markers
from eegpt.annotation_labels import states_of as states_of
from eegpt.annotation_labels import union_length as union_length
from eegpt.annotation_labels import window_labels as window_labels
from eegpt.annotation_overlap import (
    bad_windows,
    describe_bad,
    is_bad,
    is_cut,
    mentions_bad,
    window_annotations,
)
from eegpt.annotation_overlap import rename_to_bad as rename_to_bad
from eegpt.annotation_placement import file_offset_for as file_offset_for
from eegpt.annotation_placement import (
    given_placed,
    held_none_text,
    joined,
    named,
    outside_text,
    outside_warning,
    own_file,
    placed,
    recording_end,
    start_of,
    to_place,
    where_text,
)
from eegpt.annotation_placement import placed_extra as placed_extra
from eegpt.annotation_placement import with_extra as with_extra
from eegpt.annotation_time import annotations_of, file_offset, in_recording_time
from eegpt.annotation_time import in_first_sample_time as in_first_sample_time
from eegpt.errors import RecordingError
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP as DEFAULT_MIN_OVERLAP

__all__ = [
    "BadSpans",
    "WindowAnnotations",
    "annotate_windows",
    "annotations_of",
    "annotations_per_window",
    "bad_windows",
    "describe_bad",
    "file_offset",
    "in_recording_time",
    "is_bad",
    "markers_to_spans",
    "read_annotations",
    "window_annotations",
    "window_labels",
]


@dataclass(frozen=True, eq=False)
class BadSpans:
    """The time spans of a continuous recording under annotations marked bad (:func:`is_bad`),
    and whether the windows over them are left out: what decides about NaN/Inf samples.

    Every window that holds a sample inside such a span overlaps its annotation, so with
    ``reject`` (``reject_by_annotation=True``, ``--reject-by-annotation``) NaN/Inf samples that
    all lie inside the spans reach no kept window: they are filled and the run goes on
    (:func:`eegpt.resampling.fill_nonfinite`). Without ``reject`` they are refused, with the
    option named.

    Parameters
    ----------
    spans : ndarray of float64, shape (n_spans, 2)
        ``[start, end)`` in seconds from the recording's first sample (annotations with a
        duration; discontinuity marks and zero-length ones hold no sample).
    reject : bool
        Whether the windows over the spans are left out.
    misnamed : tuple of (float, float, str)
        ``(start, end, description)`` of the annotations with a duration that mention "bad"
        without marking bad data (:func:`mentions_bad`): not bad spans, but the error about
        NaN/Inf samples inside them says how to rename them.
    """

    spans: np.ndarray
    reject: bool = False
    misnamed: tuple[tuple[float, float, str], ...] = ()

    @classmethod
    def of(
        cls,
        recording: Any,
        extra: str | os.PathLike | mne.Annotations | None = None,
        *,
        reject: bool = False,
        added: mne.Annotations | None = None,
    ) -> BadSpans | None:
        """The bad spans of a continuous recording's own annotations and of ``extra`` (as
        :func:`annotations_per_window` takes it), and the misnamed ones; None for epochs and
        without either.
        A problem with ``extra`` is left to :func:`annotations_per_window` to report (only the
        recording's own annotations count here then); its warnings too.
        ``added``: ``extra`` as :func:`placed_extra` read and placed it already (``extra`` is
        then not read again); callers that also annotate the windows pass it, so that the
        file is read once per recording."""
        if getattr(recording, "is_epoched", False):
            return None
        if added is not None:
            annotations = joined(getattr(recording, "annotations", None), added)
        else:
            try:
                with ignored_warnings():  # given again when the windows are annotated
                    annotations = with_extra(recording, to_place(recording, extra))
            except (ValueError, OSError):
                annotations = getattr(recording, "annotations", None)
        if annotations is None:
            return None
        bad = [
            (float(onset), float(onset + duration))
            for onset, duration, desc in zip(
                annotations.onset, annotations.duration, annotations.description, strict=True
            )
            if duration > 0 and is_bad(desc) and not is_cut(desc)
        ]
        misnamed = tuple(
            (float(onset), float(onset + duration), str(desc))
            for onset, duration, desc in zip(
                annotations.onset, annotations.duration, annotations.description, strict=True
            )
            if duration > 0 and mentions_bad(desc)
        )
        if not bad and not misnamed:
            return None
        return cls(np.array(sorted(bad), dtype=np.float64).reshape(-1, 2), reject, misnamed)

    def inside(self, samples: np.ndarray, sfreq: float) -> np.ndarray:
        """Whether each sample (index from the first sample, at ``sfreq`` Hz) lies inside a
        span, ``start <= index / sfreq < end``: bool array shaped as ``samples``. A rate a
        header rounded (BrainVision's 3906 µs, 256.016 Hz) counts at its nominal rate
        (:func:`eegpt._rates.taken_rate`), the scale of the spans (:func:`annotations_of`)."""
        samples, sfreq = np.asarray(samples), taken_rate(sfreq)
        if not len(self.spans):
            return np.zeros(samples.shape, dtype=bool)
        # first and stop sample of each span (1e-9: a time that is a whole sample, rounded)
        first = np.ceil(self.spans[:, 0] * sfreq - 1e-9)
        stop = np.maximum.accumulate(np.ceil(self.spans[:, 1] * sfreq - 1e-9))  # sorted starts
        at = np.searchsorted(first, samples, side="right") - 1
        return (at >= 0) & (samples < stop[np.maximum(at, 0)])

    def inside_misnamed(self, samples: np.ndarray, sfreq: float) -> tuple[np.ndarray, list[str]]:
        """Whether each sample lies inside a misnamed span (as :meth:`inside`: bool array
        shaped as ``samples``), and the descriptions of the spans that hold any, in order."""
        samples, sfreq = np.asarray(samples), taken_rate(sfreq)
        hit, names = np.zeros(samples.shape, dtype=bool), []
        for start, end, desc in self.misnamed:
            here = (samples >= np.ceil(start * sfreq - 1e-9)) & (
                samples < np.ceil(end * sfreq - 1e-9)
            )
            if here.any():
                hit |= here
                names += [desc] if desc not in names else []
        return hit, names


def annotations_per_window(
    recording: Any,
    onsets: np.ndarray,
    length_s: float,
    *,
    extra: str | os.PathLike | mne.Annotations | None = None,
    added: mne.Annotations | None = None,
    states: Mapping[str, str] | None = None,
    sfreq: float = MODEL_SFREQ,
    reach_s: float = 0.0,
) -> list[list[str]] | None:
    """The annotation descriptions over each window of a recording, or None if it has none.

    Continuous recordings (:class:`~eegpt.io.Recording` or a streamed one) carry
    ``annotations``: each window ``[onset, onset + length_s)`` gets those that overlap it
    (:func:`window_annotations`). Epoched ones may carry ``epoch_annotations``, one list per
    epoch (:func:`eegpt.io.epoch_annotations`: MNE's per-epoch annotations under the rule MNE
    uses when it cuts epochs).

    ``extra``: annotations kept apart from a continuous recording (a file, such as a
    hypnogram, or ``mne.Annotations``), placed in its time base (:func:`in_recording_time`)
    and listed after its own. ``added``: ``extra`` as :func:`placed_extra` read and placed it
    already (not read again then). ``states``: the state markers of a continuous recording's
    annotations (its own and ``extra``'s) made spans first (:func:`marker_spans_of`,
    ``--marker-spans``), each window getting the spans over it. ``sfreq``: the recording's own
    rate (Hz), where the windows' last samples lie for discontinuity marks; ``reach_s``: how
    far the resampling filter reaches across a discontinuity or join, whose windows within it
    get its mark too (:func:`window_annotations`; 0: not resampled).
    """
    if states and not getattr(recording, "is_epoched", False):
        if extra is not None and not own_file(recording, extra):
            added = placed(extra, recording) if added is None else added
            if not len(added):
                _warn(held_none_text(recording, extra))
        # warned of as without states: the recording's own file given, onsets past its end
        spans = marker_spans_of(recording, with_extra(recording, extra, added=added), states)
        return window_annotations(spans, onsets, length_s, sfreq=sfreq, reach_s=reach_s)
    per_epoch = getattr(recording, "epoch_annotations", None)
    if per_epoch is not None and extra is None:
        return [list(descs) for descs in per_epoch]
    if getattr(recording, "is_epoched", False) and extra is not None:
        raise ValueError(
            "annotations= applies to continuous recordings; for epochs, add them to the Raw "
            "before cutting the epochs (raw.set_annotations(...))"
        )
    annotations = getattr(recording, "annotations", None)
    own = (
        None
        if annotations is None
        else window_annotations(annotations, onsets, length_s, sfreq=sfreq, reach_s=reach_s)
    )
    added = given_placed(recording, extra, added)
    if added is None:
        return own
    more = window_annotations(added, onsets, length_s, sfreq=sfreq, reach_s=reach_s)
    if not len(added):
        _warn(held_none_text(recording, extra))
    else:
        end_s = recording_end(recording, onsets, length_s)
        outside = outside_text(
            added, end_s, clock=getattr(recording, "clock", None), start=start_of(recording)
        )
        if not any(more):
            _warn(
                f"{recording.source}: none of the {len(added)} annotations given (annotations="
                f"{named(extra)}) overlaps a window: another recording's, or onsets in another "
                f"time base? {where_text(added, onsets, length_s)}"
                + (f" {outside[0].upper()}{outside[1:]}." if outside else "")
            )
        elif outside:  # some over the windows, the others where no recording of it reaches
            _warn(outside_warning(recording, added, extra, outside))
    if own is None or annotations is None:  # (both None or neither)
        return more
    shared = sorted(
        {str(d) for d in annotations.description}
        & {str(d) for d in added.description if not str(d).lower().startswith("bad")}
    )
    if shared:  # e.g. a hypnogram given for a recording that holds its own
        _warn(
            f"{recording.source}: the recording has annotations of its own named like some "
            f"of those given (annotations={named(extra)}): {shared[:5]}; both are kept, so a "
            "window may list both (two hypnograms?). Give annotations= only for those the "
            "recording lacks."
        )
    return [a + [d for d in b if d not in a] for a, b in zip(own, more, strict=True)]


@dataclass(eq=False)
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
    hidden = sorted({d for descs in per_window for d in descs if mentions_bad(d)})
    if hidden:
        few = ", ".join(repr(d) for d in hidden[:3]) + (", ..." if len(hidden) > 3 else "")
        _warn(
            f"{source}: {len(hidden)} annotation description(s) mention 'bad' but do not start "
            f"with it ({few}), so they do not mark bad data (MNE's rule); rename them first if "
            "they should, e.g. raw.annotations.rename({'Comment/BAD_muscle': 'BAD_muscle'})"
        )
