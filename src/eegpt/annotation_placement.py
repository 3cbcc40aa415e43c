"""Annotations given with a recording (a file, ``mne.Annotations``) placed on it.

:func:`placed_extra` reads the file given as ``annotations=`` (``--annotations``, a
manifest's ``annotations_file``) once per recording and places it in the recording's time
base (:func:`eegpt.annotation_time.in_recording_time`: by its clock, a paused recording's gaps
left out, BrainVision markers by their samples), warning of those that start before the
recording or in a gap; :func:`with_extra` joins them to the recording's own. Beside them: the
warnings of annotations that lie off the recording (after its end, or lasting far longer than
it: onsets in milliseconds or samples, :func:`outside_text`), and the texts that name what was
given (:func:`named`, :func:`where_text`).
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import mne
import numpy as np

from eegpt._logging import duration_text, few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.annotation_files import check_named, counts_samples, read_annotations, same_file
from eegpt.annotation_time import in_recording_time, near_unix_epoch


def named(source: Any) -> str:
    """A file as its path, ``mne.Annotations`` as such, for messages."""
    return "mne.Annotations" if isinstance(source, mne.Annotations) else str(source)


def where_text(annotations: mne.Annotations, onsets: np.ndarray, length_s: float) -> str:
    """``"They lie from -23:40:00 to -16:10:00, the windows from 0 s to 8:00:00 (from the
    first sample)."``: where annotations lie against the windows."""
    start = float(np.min(annotations.onset))
    end = float(np.max(np.asarray(annotations.onset) + np.asarray(annotations.duration)))
    last = float(np.max(onsets)) + length_s if len(onsets) else 0.0
    return (
        f"They lie from {duration_text(start)} to {duration_text(end)}, the windows from "
        f"{duration_text(float(np.min(onsets)))} to {duration_text(last)} (from the first "
        "sample)."
    )


def placed(extra: str | os.PathLike | mne.Annotations, recording: Any) -> mne.Annotations:
    """The annotations of ``extra`` (a file, or :class:`mne.Annotations`) in the time base of
    ``recording`` (:func:`in_recording_time`; a discontinuous EDF+D file: gaps left out).
    Those of a file without a start count from the recording file's first sample
    (:func:`file_offset_for`); ``mne.Annotations`` keep MNE's convention. A TUH label file
    naming another recording is warned of (:func:`check_named`), and so are those that start
    before the recording, or in a gap of a discontinuous one (:func:`_warn_off_samples`)."""
    check_named(extra, getattr(recording, "source", None))
    found = read_annotations(extra)
    on_clock = in_recording_time(
        found,
        getattr(recording, "meas_date", None),
        float(getattr(recording, "first_time", None) or 0.0),
        file_offset=file_offset_for(
            extra,
            found,
            getattr(recording, "file_offset", None),
            getattr(recording, "source", "recording"),
        ),
        date_clock=getattr(recording, "date_clock", None),
        given=named(extra),
    )
    clock = None if counts_samples(extra) else getattr(recording, "clock", None)
    dated = found.orig_time is not None and not near_unix_epoch(found.orig_time)
    _warn_off_samples(recording, extra, on_clock, dated, clock)
    return on_clock if clock is None else clock.to_sample_time(on_clock)


def start_of(recording: Any) -> datetime.datetime | None:
    """The moment of a recording's first sample on its clock (zone-less, as its header keeps
    it), or None where it has no measurement date."""
    meas_date = getattr(recording, "meas_date", None)
    if meas_date is None:
        return None
    if isinstance(meas_date, str):
        meas_date = datetime.datetime.fromisoformat(meas_date)
    first_time = float(getattr(recording, "first_time", None) or 0.0)
    return meas_date.replace(tzinfo=None) + datetime.timedelta(seconds=first_time)


def _moments(times: np.ndarray, start: datetime.datetime | None, dated: bool) -> list[str]:
    """Clock times (s from a recording's first sample's moment) for messages: as date-times
    (``2026-11-04 00:05:00``) for annotations given as date-times on a recording with a
    start ``start``, else in seconds (``"130 s"``)."""
    if dated and start is not None:
        return [_moment_text(start, float(t)) for t in times]
    return [f"{float(t):g} s" for t in times]


def _moment_text(start: datetime.datetime, seconds: float) -> str:
    """``"2026-11-04 00:00:52.5"``: the moment ``seconds`` after ``start``, for messages."""
    moment = start + datetime.timedelta(seconds=seconds)
    text = moment.replace(microsecond=0).isoformat(sep=" ")
    return text + (f"{moment.microsecond / 1e6:.6f}".rstrip("0")[1:] if moment.microsecond else "")


def _starts(n: int) -> str:
    """``"starts"`` for 1, ``"start"`` for more."""
    return "starts" if n == 1 else "start"


def _warn_off_samples(
    recording: Any, extra: Any, on_clock: mne.Annotations, dated: bool, clock: Any
) -> None:
    """Warn of the annotations given (``on_clock``: onsets on the recording's clock, in
    seconds from its first sample's moment) that start before the recording's first sample
    (those that end before it too fall on no window), and of those that start in a gap of a
    recording paused and resumed (``clock``, the :class:`eegpt.edf_files.RecordClock` they
    are placed by; None for annotations that count its samples: :func:`counts_samples`),
    which are placed at the start of the stretch after it. ``dated``: given as date-times,
    named so."""
    onsets = np.asarray(on_clock.onset, dtype=np.float64)
    ends = onsets + np.asarray(on_clock.duration, dtype=np.float64)
    source = getattr(recording, "source", None) or "recording"
    given = f"of the {len(onsets)} annotations given (annotations={named(extra)})"
    start = start_of(recording)
    before = np.flatnonzero(onsets < -1e-9)
    if len(before):
        gone = int(np.sum(ends[before] <= 0))
        at = f" (at {start.isoformat(sep=' ', timespec='auto')})" if start is not None else ""
        _warn(
            f"{source}: {given}, {len(before)} {_starts(len(before))} before the recording's "
            f"first sample{at}: "
            f"{few(_moments(onsets[before], start, dated))}; "
            + (
                f"{gone} of them end{'s' if gone == 1 else ''} before it too and fall"
                f"{'s' if gone == 1 else ''} on no window"
                if gone
                else "they count from its first sample on"
            )
        )
    if clock is None:
        return
    in_gap = np.flatnonzero(clock.in_gaps(onsets))
    if not len(in_gap):
        return
    spans = in_gap[ends[in_gap] > onsets[in_gap]]  # events of no duration stay moments
    wholly = spans[clock.to_samples(ends[spans]) <= clock.to_samples(onsets[spans]) + 1e-9]
    _warn(
        f"{source}: {given}, {len(in_gap)} {_starts(len(in_gap))} in a gap of the recording, "
        "where it was "
        f"paused and nothing was recorded: {few(_moments(onsets[in_gap], start, dated))} "
        "(times on its clock); they are placed at the start of the stretch after the gap"
        + (
            f"; {len(wholly)} of them span{'s' if len(wholly) == 1 else ''} nothing but the "
            "gap, so there they last no time: placed at the join as events of no duration "
            f"({few(_moments(onsets[wholly], start, dated))})"
            if len(wholly)
            else ""
        )
    )


def file_offset_for(
    extra: str | os.PathLike | mne.Annotations,
    found: mne.Annotations,
    offset: float | None,
    source: Any,
) -> float:
    """The ``file_offset`` :func:`in_recording_time` gets for the annotations ``found`` in
    ``extra``: ``offset`` (seconds from the recording file's first sample to the recording's
    first sample) for a file of annotations without a start, logged when it is not 0; 0 for
    ``mne.Annotations`` (MNE's convention: onsets from the first sample) and dated ones (not
    those MNE's ``Annotations.save`` dated 1970-01-01 for want of a start: a CSV it wrote is
    read as one without a start, as a hand-written one is)."""
    dated = found.orig_time is not None and not near_unix_epoch(found.orig_time)
    if not offset or isinstance(extra, mne.Annotations) or dated:
        return 0.0
    _log(
        f"{source}: the onsets of {extra} (no start time) are read as seconds from the "
        f"recording file's first sample; the recording starts {offset:g} s into it (cropped), "
        "so they are moved back by that (give mne.Annotations for onsets from its first sample)"
    )
    return float(offset)


def to_place(recording: Any, extra: Any) -> str | os.PathLike | mne.Annotations | None:
    """``extra`` where it adds annotations to place on the continuous ``recording``; None
    where it adds none: none given, not a file or ``mne.Annotations`` (refused by the caller),
    or the recording's own file."""
    if not isinstance(extra, (str, os.PathLike, mne.Annotations)) or own_file(recording, extra):
        return None
    return extra


def own_file(recording: Any, extra: Any) -> bool:
    """Whether ``extra`` (annotations given for ``recording``) is a file the recording's own
    annotations were read from: the recording's file itself, or the ``*_events.tsv`` that
    MNE-BIDS read with a BIDS recording (:func:`eegpt._file_identity.bids_sidecars`)."""
    source = getattr(recording, "source", None)
    if same_file(extra, source):
        return True
    if not (
        isinstance(extra, (str, os.PathLike))
        and os.fspath(extra).endswith("_events.tsv")
        and isinstance(source, (str, os.PathLike))
    ):
        return False
    from eegpt._file_identity import bids_sidecars

    events = [p for p in bids_sidecars(source) if p.name.endswith("_events.tsv")]
    return any(same_file(extra, p) for p in events)


def placed_extra(recording: Any, extra: Any) -> mne.Annotations | None:
    """The annotations ``extra`` adds to ``recording`` (``annotations=``, a manifest's
    ``annotations_file``), read and placed in its time base (:func:`in_recording_time`), for
    both :meth:`BadSpans.of` and :func:`annotations_per_window` (their ``added``), so that a
    recording's file of annotations is read and placed once; None for epochs and where
    ``extra`` adds none (:func:`annotations_per_window` warns or raises for those).

    Raises
    ------
    RecordingError, ValueError, OSError
        If the file cannot be read, or its annotations carry a start and the recording has
        no measurement date to place them against.
    """
    if getattr(recording, "is_epoched", False):
        return None
    extra = to_place(recording, extra)
    return None if extra is None else placed(extra, recording)


def with_extra(
    recording: Any,
    extra: str | os.PathLike | mne.Annotations | None,
    *,
    added: mne.Annotations | None = None,
) -> mne.Annotations | None:
    """A continuous recording's own annotations (first-sample time base) and those of the
    file ``extra`` (a hypnogram), placed in that time base (:func:`in_recording_time`):
    one :class:`mne.Annotations` for :func:`window_labels`, or None with neither. Those of
    ``extra`` that start after the recording's end or last far longer than it (onsets in
    another time base: :func:`outside_text`) are warned of. ``extra`` naming the
    recording's own file is warned of and not read again (its annotations are ``own``,
    read with it: a BIDS recording's file would be opened again with its sidecars).
    ``added``: ``extra`` read and placed already (:func:`placed_extra`), not read again."""
    own = getattr(recording, "annotations", None)
    added = given_placed(recording, extra, added)
    if added is None:
        return own
    outside = outside_text(
        added,
        recording_end(recording, np.zeros(0), 0.0),
        clock=getattr(recording, "clock", None),
        start=start_of(recording),
    )
    if outside:  # onsets in milliseconds label every window alike, else none
        _warn(outside_warning(recording, added, extra, outside))
    return joined(own, added)


def given_placed(
    recording: Any, extra: Any, added: mne.Annotations | None = None
) -> mne.Annotations | None:
    """The annotations ``extra`` adds to a continuous ``recording``, placed in its time base
    (:func:`placed`; ``added`` where :func:`placed_extra` placed them already); None where
    none is given, and where ``extra`` is the recording's own file, whose annotations are read
    with it: warned of (:func:`own_file_text`) and not read again. What :func:`with_extra`
    and :func:`eegpt.annotations.annotations_per_window` join to the recording's own."""
    if extra is not None and own_file(recording, extra):
        _warn(own_file_text(recording, extra))
        return None
    if extra is None:
        return None
    return placed(extra, recording) if added is None else added


def own_file_text(recording: Any, extra: str | os.PathLike) -> str:
    """The warning for annotations given (``extra``) that are the file of ``recording``
    itself (or the ``*_events.tsv`` MNE-BIDS read with it), whose annotations were read with
    it: they are not read again."""
    if not same_file(extra, getattr(recording, "source", None)):  # a BIDS *_events.tsv
        return (
            f"{recording.source}: the annotations given (annotations={named(extra)}) are the "
            "recording's own *_events.tsv, which MNE-BIDS read with it: its events are the "
            "recording's annotations already, and are not added again; give annotations= only "
            "for others"
        )
    return (
        f"{recording.source}: the annotations given (annotations={named(extra)}) are the "
        "recording's own file, whose annotations are read with it anyway; give the file of "
        "its other annotations (its hypnogram, e.g. *-Hypnogram.edf)"
    )


def held_none_text(recording: Any, extra: Any) -> str:
    """The warning for annotations given (``extra``) that hold none."""
    return (
        f"{recording.source}: the annotations given (annotations={named(extra)}) hold "
        "none: not an annotation file, or an empty one?"
    )


def joined(own: mne.Annotations | None, added: mne.Annotations) -> mne.Annotations:
    """A recording's own annotations and those placed beside them (:func:`placed`), the
    recording's first: one :class:`mne.Annotations` (onsets in seconds from its first
    sample)."""
    if own is None or not len(own):
        return added
    return mne.Annotations(
        np.concatenate([own.onset, added.onset]),
        np.concatenate([own.duration, added.duration]),
        np.concatenate([own.description, added.description]),
    )


#: How many times the recording's length a span given must last to be taken for one in
#: another time base (milliseconds, samples) when it starts inside the recording.
LONG_SPAN_FACTOR = 10.0


def recording_end(recording: Any, onsets: np.ndarray, length_s: float) -> float:
    """Seconds from a continuous recording's first sample to its end: its samples over its
    rate, else the end of its last window."""
    n_times, sfreq = getattr(recording, "n_times", None), getattr(recording, "sfreq", None)
    if n_times and sfreq:
        return float(n_times) / float(sfreq)
    return float(np.max(onsets)) + length_s if len(onsets) else 0.0


def outside_text(
    added: mne.Annotations,
    end_s: float,
    slack_s: float = 0.0,
    *,
    clock: Any = None,
    start: datetime.datetime | None = None,
) -> str:
    """Where annotations given for a recording ``end_s`` seconds long (from its first sample)
    lie off it as onsets in another time base put them: ``"3 start after the recording ends
    (the last at 0:50:00, the recording 0:03:00 long); 1 lasts more than 10 times the
    recording (8:20:00)"``; empty where none does. ``slack_s``: how far past ``end_s`` the
    recording may go on where ``end_s`` is only the end of its last window (embeddings, whose
    metadata keep no length; a tail shorter than a window is not embedded), said so then.

    Like is compared with like: with the ``clock`` of a discontinuous EDF+D/BDF+D recording
    (:class:`eegpt.edf_files.RecordClock`), the last onset and the recording's end are given on its
    clock (gaps included), where the annotations were placed; otherwise in seconds from its
    first sample. ``start``: the moment of the first sample, to give both as date-times too."""
    if end_s <= 0:
        return ""
    onset = np.asarray(added.onset, dtype=np.float64)
    duration = np.asarray(added.duration, dtype=np.float64)
    after = onset > end_s + slack_s + 1e-6
    long = ~after & (duration > LONG_SPAN_FACTOR * (end_s + slack_s))
    parts = []
    if after.any():
        last, end = float(onset.max()), end_s
        if clock is not None:  # an onset past the last stretch: its offset into that one
            last, end = (float(t) for t in clock.to_clock([last, end]))
        when = (lambda t: f" ({_moment_text(start, t)})") if start is not None else (lambda t: "")
        length = (
            f"the windows ending at {duration_text(end)}{when(end)}"
            if slack_s
            else f"the recording {duration_text(end)} long{when(end)}"
            if clock is None
            else f"the recording ending at {duration_text(end)}{when(end)}"
        )
        base = (
            "times on the recording's clock from its start, gaps included"
            if clock is not None
            else "seconds from the recording's first sample"
        )
        parts.append(
            f"{int(after.sum())} start{'s' if after.sum() == 1 else ''} after the recording "
            f"ends (the last at {duration_text(last)}{when(last)}, {length}; {base})"
        )
    if long.any():
        parts.append(
            f"{int(long.sum())} last{'s' if long.sum() == 1 else ''} more than "
            f"{LONG_SPAN_FACTOR:g} times the recording (up to "
            f"{duration_text(float(duration[long].max()))})"
        )
    return "; ".join(parts)


def outside_warning(recording: Any, added: mne.Annotations, extra: Any, outside: str) -> str:
    """The warning that annotations ``added`` from ``extra`` lie off ``recording`` (or the
    recording named so, a string) as :func:`outside_text` says (``outside``)."""
    source = recording if isinstance(recording, str) else getattr(recording, "source", None)
    read = (
        "Onsets in seconds are read as seconds on the recording's clock from its start (gaps "
        "included), date-times as times on that clock."
        if getattr(recording, "clock", None) is not None
        else "Onsets in seconds are read as seconds from the recording's first sample, "
        "date-times as times on its clock."
    )
    return (
        f"{source or 'recording'}: of the {len(added)} annotations given "
        f"(annotations={named(extra)}), {outside}: another recording's, or onsets in "
        f"milliseconds or samples? {read}"
    )
