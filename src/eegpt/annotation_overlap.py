"""Which annotations each window overlaps, and which of them mark bad data.

A window ``[onset, onset + length)`` holds an annotation when the two overlap, as MNE decides
for epochs (:func:`window_annotations`). An annotation marks bad data when its description
starts with ``"bad"`` in any case, or marks a discontinuity: EEGLAB's ``boundary``, BrainVision's
``New Segment`` (:func:`is_bad`, :func:`is_cut`); one that only mentions "bad"
(``Comment/BAD_muscle``) does not (:func:`mentions_bad`, :func:`rename_to_bad`).
:func:`bad_windows` and :func:`describe_bad` turn the annotations of each window into its bad
flag and the count of windows each bad description touches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from eegpt.preprocessing_spec import FIELD_DEFAULTS

if TYPE_CHECKING:
    import mne

#: A cut mark this close to a sample of the windows (in samples) is taken as lying just before
#: it: MNE reads EEGLAB's ``1024.5`` as ``1023.500032`` samples, rounded onsets miss by less.
_CUT_TOLERANCE = 1e-3


def is_bad(description: str) -> bool:
    """Whether an annotation marks bad data. MNE's rule: its description starts with ``"bad"``,
    in any case; and the marks of a discontinuity, where a window joins two stretches of signal
    that were never adjacent: EEGLAB's ``boundary`` events (data were cut out; MNE reads them as
    ``"boundary"`` annotations) and BrainVision's ``New Segment`` markers (recording paused and
    resumed; MNE reads ``"New Segment/"``). The one at a file's first sample touches no window:
    a zero-duration annotation at a window's first sample does not count
    (:func:`window_annotations`)."""
    return str(description).lower().startswith("bad") or is_cut(description)


def mentions_bad(description: str) -> bool:
    """Whether a description mentions "bad" without marking bad data (:func:`is_bad`), as
    ``Comment/BAD_muscle``, a BrainVision marker of type Comment as MNE reads it."""
    return "bad" in str(description).lower() and not is_bad(description)


def rename_to_bad(descriptions: Sequence[str]) -> str:
    """How to rename descriptions that only mention "bad" (:func:`mentions_bad`) so that they
    mark bad data: each from its "bad" on, ``"raw.annotations.rename({'Comment/BAD_muscle':
    'BAD_muscle'})"``."""
    names = {str(d): str(d)[str(d).lower().index("bad") :] for d in descriptions}
    return f"raw.annotations.rename({names!r})"


def is_cut(description: str) -> bool:
    """An EEGLAB ``boundary`` or a BrainVision ``New Segment`` mark (see :func:`is_bad`)."""
    text = str(description).lower()
    return text == "boundary" or text.startswith("new segment")


def is_join(description: str) -> bool:
    """MNE's mark of a join of two stretches of signal, zero-length where it lies (a gap of
    an EDF+D file, :func:`eegpt.edf_files.mark_record_gaps`; ``mne.concatenate_raws``):
    ``BAD boundary``, in any case."""
    return str(description).lower() == "bad boundary"


def window_annotations(
    annotations: mne.Annotations | None,
    onsets: np.ndarray,
    length_s: float,
    *,
    sfreq: float = float(FIELD_DEFAULTS["sfreq"]),
    reach_s: float = 0.0,
) -> list[list[str]]:
    """The descriptions of the annotations that overlap each window.

    A window ``[onset, onset + length_s)`` holds an annotation that starts before its end and
    ends after its start (MNE's rule for epochs, so that bad windows are the epochs
    ``mne.Epochs(..., reject_by_annotation=True)`` drops). A zero-length event (a stimulus)
    at a window's first sample belongs to that window, as a half-open interval has it; a
    zero-length *bad* annotation there does not (MNE's rule again), so that window does not
    list it, nor, windows abutting, the one ending there (windows that overlap and hold it
    inside list it): the bad annotations a window lists are what flag it
    (:func:`bad_windows`, and ``Embeddings.bad`` of a saved output, which keeps the lists
    alone).

    A discontinuity mark (EEGLAB ``boundary``, BrainVision ``New Segment``) lies between two
    samples, whatever duration the file gives it: it belongs to the windows that hold samples
    on both sides of it, those whose first sample comes before it and whose last sample
    (``onset + length_s - 1 / sfreq``) does not. EEGLAB writes a cut between samples ``k - 1``
    and ``k`` half a sample before ``k`` (latency ``k + 0.5``, 1-based), BrainVision at ``k``:
    either way the windows that end at sample ``k - 1`` or start at ``k`` hold contiguous
    samples and do not get it.

    Parameters
    ----------
    annotations : mne.Annotations | None
        Onsets in seconds from the recording's first sample (:func:`annotations_of`).
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds, same time base.
    length_s : float
        Window length in seconds.
    sfreq : float
        The sampling rate (Hz) of the samples the windows are cut from: the recording's own,
        whose last sample in each window decides for discontinuity marks (a window of a
        1000 Hz recording holds samples up to 1 ms before its end, after a cut 2.5 ms before
        it; the model's 256 Hz by default).
    reach_s : float
        Seconds the resampling filter reaches across a discontinuity
        (:func:`eegpt.resampling.filter_reach`; 0: not resampled): a discontinuity mark, or
        MNE's zero-length ``BAD boundary`` at a join (an EDF+D file's gap), also belongs to
        the windows within that reach of it, whose resampled samples mix both sides (a join
        where one window ends and the next begins flags both).

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
    points = np.array([is_cut(d) for d in annotations.description], dtype=bool)
    ends = starts + np.where(points, 0.0, durations)
    # zero-length events (not bad, not cuts) also belong to the window that starts at them
    events = (ends == starts) & ~points & ~np.array([is_bad(d) for d in annotations.description])
    # joins (MNE's zero-length 'BAD boundary'), which the resampling filter reaches across
    joins = (ends == starts) & np.array([is_join(d) for d in annotations.description])
    order = np.argsort(onsets, kind="stable")
    sorted_onsets = onsets[order]
    for start, end, event, point, join, desc in zip(
        starts, ends, events, points, joins, annotations.description, strict=True
    ):
        if point:
            first, last = _windows_across(sorted_onsets, float(start), length_s, sfreq, reach_s)
        else:  # windows with onset < end (onset <= end for an event) and onset + length > start
            reach = reach_s if join else 0.0  # a join: windows within the filter's reach too
            first = np.searchsorted(sorted_onsets, start - length_s - reach, side="right")
            last = np.searchsorted(sorted_onsets, end + reach, side="right" if event else "left")
        for j in order[first:last]:
            if str(desc) not in out[j]:
                out[j].append(str(desc))
    return out


def resampled_window_annotations(
    annotations: mne.Annotations | None,
    onsets: np.ndarray,
    length_s: float,
    *,
    sfreq: float,
    new_sfreq: float = float(FIELD_DEFAULTS["sfreq"]),
    resample: Literal["polyphase", "nearest"] = "polyphase",
) -> list[list[str]]:
    """:func:`window_annotations` of the windows cut at ``new_sfreq`` (Hz, the model's) from a
    recording at ``sfreq`` (Hz, its own) resampled with ``resample``: discontinuity marks and
    joins (an EDF+D file's gaps) also belong to the windows within the resampling filter's
    reach of them (:func:`eegpt.resampling.filter_reach`), as ``eegpt embed`` flags them; the
    one rule of ``probe train``, ``evaluate`` and ``predict``'s windows of a continuous
    recording, so that they leave out and flag the windows embed flags."""
    from eegpt.resampling import filter_reach

    reach = filter_reach(sfreq, new_sfreq, resample)
    return window_annotations(annotations, onsets, length_s, sfreq=sfreq, reach_s=reach)


def _windows_across(
    sorted_onsets: np.ndarray, at: float, length_s: float, sfreq: float, reach_s: float = 0.0
) -> tuple[int, int]:
    """The range ``[first, last)`` of ``sorted_onsets`` (s) whose windows hold samples on both
    sides of a discontinuity mark at ``at`` s: a first sample before it and a last sample
    (``length_s - 1 / sfreq`` after the first) at or after it; with ``reach_s``, those whose
    samples widened by it on both sides (the resampling filter's reach) do. A mark within
    :data:`_CUT_TOLERANCE` of a sample lies just before that sample."""
    cut = at - _CUT_TOLERANCE / sfreq  # samples at or after it come after the cut
    first = np.searchsorted(sorted_onsets, cut - (length_s - 1 / sfreq) - reach_s, side="left")
    last = np.searchsorted(sorted_onsets, cut + reach_s, side="left")
    return int(first), int(max(first, last))


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
