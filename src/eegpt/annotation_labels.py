"""One label per window from annotations that span time, and spans from state markers.

:func:`window_labels` gives each window the description (or class) covering most of it, at
least ``min_overlap`` of it, bad windows none, and says why no window got a label (markers
that last no time, patterns that match nothing, annotations in another time base); it warns
when scoring epochs lie on a grid the windows are not on (:func:`_warn_off_grid`).
:func:`markers_to_spans` turns markers of states (eyes closed, eyes open) into spans, each to
the next state marker (:func:`marker_spans_of`: the command line's ``--marker-spans``). Both
take their patterns by :func:`label_rule` and warn of patterns that match loosely
(:func:`warn_loose_patterns`, once per command inside :func:`patterns_warned_once`), and
window_labels of unscored epochs made a class beside stages (:func:`warn_unscored_classes`). Beside
them: the Python suggested in those messages (:func:`epochs_code`, :func:`states_of`,
:func:`select_holding`, :func:`exact_seconds`).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os
import re
import shlex
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import mne
import numpy as np

from eegpt._logging import few
from eegpt._logging import warn as _warn
from eegpt.annotation_overlap import bad_windows, describe_bad, is_bad, window_annotations
from eegpt.annotation_placement import outside_text, outside_warning, recording_end, where_text
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP, FIELD_DEFAULTS

MARKER_S = 0.01
"""Seconds an annotation may last and still be a marker of a moment (a stimulus, a response)
rather than a span: one sample at 100 Hz (MNE reads a BrainVision marker of size 1 as one
sample long)."""


def window_labels(
    annotations: mne.Annotations | None,
    onsets: np.ndarray,
    length_s: float,
    *,
    match: str | Mapping[str, str] | None = None,
    min_overlap: float = DEFAULT_MIN_OVERLAP,
    source: str | None = None,
    what: str = "windows",
    unlabelled_ok: bool = False,
    given: Any = None,
    end_s: float | None = None,
    slack_s: float = 0.0,
    bad: Sequence[bool] | np.ndarray | None = None,
    label_bad: bool = False,
) -> list[str | None]:
    """One label per window from annotations that span time (sleep stages, task blocks).

    Each window ``[onset, onset + length_s)`` takes the description (or, with a ``match``
    mapping, the class) whose annotations cover most of it, if they cover at least
    ``min_overlap`` of it; otherwise None. A window across a stage change takes the stage it
    holds more of (with ``min_overlap=0.5`` a 4 s window needs 2 s of it); with
    ``min_overlap=1`` only windows wholly inside one stage get a label.

    Ties: where two labels cover a window exactly alike, the one whose annotation over the
    window starts first in time wins (annotations are kept sorted by onset, then duration),
    whatever the labels' names or how rare they are. With a TUH ``.csv_bi`` of ``bckg`` over
    0-10 s and ``seiz`` over 10-17 s, the window from 8 to 12 s holds 2 s of each and is
    ``bckg``.

    A label on any overlap (seizure detection, where a window that touches a seizure counts
    as one): match that class only and give a tiny ``min_overlap``. Any value above 0 is
    taken, and one far below a sample's share of the window, such as ``1e-6``, asks for no
    more than some overlap: ``match={"seizure": "seiz|sz$"}, min_overlap=1e-6`` labels
    ``"seizure"`` every window a seizure annotation overlaps and leaves the others None.

    Bad windows get no label: a window that overlaps an annotation marked bad (:func:`is_bad`:
    ``BAD_muscle``, EEGLAB's ``boundary`` ..., by :func:`window_annotations`' rule, so those
    ``embed(..., reject_by_annotation=True)`` leaves out) is None, whatever covers it, as
    ``eegpt probe train --window-labels`` leaves such windows out of training; so
    ``emb[labels == "EC"]`` holds no artefact window. ``label_bad=True`` labels them too.

    Markers (stimuli, responses: annotations of no duration, or one sample as MNE reads a
    BrainVision marker) cover too little of a window to label it (one of no duration covers
    none; one a sample long labels the window it falls in only with a tiny ``min_overlap``,
    such as ``1e-6``, as any short event does); each window lists those that
    fall in it among its annotations (:func:`window_annotations`), which select the windows
    (the warning when no window got a label gives the code). Markers of states (eyes closed,
    eyes open) become spans, each to the next state marker, with :func:`markers_to_spans`.

    Parameters
    ----------
    annotations : mne.Annotations | None
        Onsets in seconds from the recording's first sample, as the windows'
        (:func:`in_recording_time`, :func:`annotations_of`).
    onsets : ndarray of float64, shape (n_windows,)
        Window starts in seconds.
    length_s : float
        Window length in seconds.
    match : str | Mapping[str, str] | None
        A regular expression a description must contain (``re.search``), e.g.
        ``"^Sleep stage"``: each matching description is a label of its own; or classes,
        ``{label: regex}``, e.g. ``{"seizure": "fnsz|gnsz|cpsz", "background": "bckg"}``:
        a description takes the label of the first regex it contains, and the annotations of
        one class add up over a window (1.5 s of ``fnsz`` and 1 s of ``gnsz`` are 2.5 s of
        ``seizure``); None takes every annotation that lasts and is not bad (:func:`is_bad`).
        A code such as ``"769"`` also matches ``"17690"``, which contains it; such patterns,
        and a class's plain text that matches different descriptions, are warned of
        (:func:`warn_loose_patterns`): anchor them, ``{"left": "^769$"}``.
        A class covers a window by the union of its spans there: time under several of them
        (the same seizure in a recording's EDF+ annotations and in its ``.csv_bi``, or on two
        channels) counts once, so no class covers more than the window.
    min_overlap : float
        Fraction of a window, in ``(0, 1]``, the winning description must cover; a tiny one
        (``1e-6``) takes any overlap.
    source : str | None
        The recording, named at the start of the warning when the labelling annotations lie on
        a grid off the windows'.
    what : str
        What the windows are, in that warning (``"scoring epochs"``).
    unlabelled_ok : bool
        The caller labels the windows left None (``--unlabelled background``), or has said
        why none gets one: no warning (not even a recorded one) that no window got a label.
    given : Any
        What the annotations were given as (a path), named in the warning below.
    end_s, slack_s : float | None, float
        Where given, the recording's end in seconds from its first sample (and how far past
        it the recording may go on, where ``end_s`` is the end of its last window): annotations
        starting after it or lasting far longer than it (onsets in milliseconds or samples,
        which label every window alike: :func:`outside_text`) are warned of, in the one
        warning ``embed(..., annotations=)`` gives (or in the one that no window got a label).
    bad : sequence of bool, shape (n_windows,) | None
        Windows known to be bad besides those over a bad one of ``annotations``
        (:attr:`eegpt.Embeddings.bad`: the recording's own bad annotations when the labels
        come from another file); they get no label either.
    label_bad : bool
        Label the bad windows as the others (False, the default: None, as the command line
        leaves them out).

    Returns
    -------
    list of str | None
        One per window.
    """
    if not 0 < min_overlap <= 1:
        raise ValueError(f"min_overlap must be in (0, 1], got {min_overlap!r}")
    onsets = np.asarray(onsets, dtype=np.float64)
    if isinstance(match, Mapping):
        match = dict(match)  # said as a dict in the warnings
    pieces: list[dict[str, list[tuple[float, float]]]] = [{} for _ in range(len(onsets))]
    matching: dict[str, float] = {}  # description -> longest duration, of those that match
    matched = 0  # matching annotations that last
    instants: dict[str, list[float]] = {}  # description -> onsets of its matching markers
    if annotations is not None and len(annotations) and len(onsets):
        label_of = label_rule(match)
        warn_loose_patterns([str(d) for d in annotations.description], match, "--window-labels")
        warn_unscored_classes([str(d) for d in annotations.description], match)
        order = np.argsort(onsets, kind="stable")
        sorted_onsets = onsets[order]
        for start, duration, desc in zip(
            annotations.onset, annotations.duration, annotations.description, strict=True
        ):
            label = label_of(str(desc))
            if label is None:
                continue
            matching[str(desc)] = max(float(duration), matching.get(str(desc), 0.0))
            if duration <= 0:
                instants.setdefault(str(desc), []).append(float(start))
                continue
            matched += 1
            end = start + duration
            first = np.searchsorted(sorted_onsets, start - length_s, side="right")
            last = np.searchsorted(sorted_onsets, end, side="left")
            for j in order[first:last]:
                lo, hi = max(start, onsets[j]), min(end, onsets[j] + length_s)
                if hi > lo:
                    pieces[j].setdefault(label, []).append((lo, hi))
    if annotations is not None and len(annotations) and len(onsets):
        _warn_off_grid(annotations, label_rule(match), onsets, length_s, source, what)
        _warn_durations_missing(instants, matching, min_overlap * length_s, source)
    need = min_overlap * length_s - 1e-9  # a sample's rounding is not a shortfall
    labels: list[str | None] = []
    for parts in pieces:
        cover = {label: union_length(spans) for label, spans in parts.items()}
        best = max(cover.items(), key=lambda item: item[1], default=(None, 0.0))
        labels.append(best[0] if best[1] >= need else None)
    over = window_annotations(annotations, onsets, length_s)
    flagged = bad_windows(over) if len(onsets) else np.zeros(0, dtype=bool)
    if bad is not None:
        flagged = flagged | np.asarray(bad, dtype=bool)
    unbad = labels  # the labels bad windows would have had, for the warning below
    if not label_bad and flagged.any():
        labels = [None if b else v for v, b in zip(labels, flagged, strict=True)]
    outside = ""
    if annotations is not None and len(annotations) and end_s is not None:
        outside = outside_text(annotations, end_s, slack_s)
    # (where no window got a label, the warning of that says it, unless that is fine)
    told_below = not unlabelled_ok and len(onsets) and not any(labels)
    if outside and not told_below:
        _warn(outside_warning(source or "", annotations, given, outside))
    if unlabelled_ok:
        return labels
    if any(unbad) and not any(labels):
        which = describe_bad(over) or "Embeddings.bad: the recording's own annotations"
        _warn(
            f"window_labels: no window got a label: the {sum(v is not None for v in unbad)} "
            f"that annotations label all overlap an annotation marked bad "
            f"({which}); bad windows get no label, as "
            "probe train --window-labels leaves them out (label_bad=True labels them)"
            + (f". Of the annotations, {outside}." if outside else "")
        )
    elif annotations is not None and len(annotations) and len(onsets) and not any(labels):
        said = "match=" + repr(match) if match else "as a label (not bad)"
        if matching and max(matching.values()) <= MARKER_S:  # markers, not spans of time
            rule = label_rule(match)
            each = zip(annotations.onset, annotations.description, strict=True)
            times = [float(o) for o, d in each if rule(str(d)) is not None]
            why = _markers_text(matching, said, min_overlap, length_s, match, times)
        elif not matched:
            kinds = sorted({str(d) for d in annotations.description})
            why = (
                f"none of the {len(annotations)} annotations lasts and matches {said} "
                f"(descriptions: {', '.join(kinds[:8])}{', ...' if len(kinds) > 8 else ''}): "
                "right for a recording without such events (a seizure-free one), else check "
                "the pattern"
            )
        else:
            why = (
                f"the {matched} that match cover no window's {min_overlap:g} (another "
                f"recording's, or another time base?). {where_text(annotations, onsets, length_s)}"
            )
        if outside:
            why += f" Of the {len(annotations)} annotations, {outside}."
        _warn(f"window_labels: no window got a label: {why}")
    elif (annotations is None or not len(annotations)) and len(onsets):
        _warn(f"window_labels: {_none_given_text(given)}")
    return labels


def _none_given_text(given: Any) -> str:
    """Why no window got a label where the annotations ``given`` hold none: for a recording's
    path, where they were looked for (the file's own annotations, and for a data file of a
    BIDS dataset its ``*_events.tsv`` sidecar, as :func:`read_annotations` reads them)."""
    from eegpt.formats import EEG_SUFFIXES, is_recording_folder

    if not isinstance(given, str | os.PathLike):
        path = None
    else:
        path = Path(given).expanduser()
    if path is None or not (
        path.suffix.lower() in EEG_SUFFIXES and path.is_file() or is_recording_folder(path)
    ):
        return (
            "the annotations given hold none, so no window got a label (an empty file, or not "
            "an annotation file?)"
        )
    from eegpt.bids import bids_root

    root = bids_root(path)
    where = (
        f"its own annotations and its BIDS *_events.tsv sidecar (of the dataset {root}: none "
        "found, or one without rows)"
        if root is not None
        else "its own annotations; it is in no BIDS dataset (no dataset_description.json "
        "above it, or not named like sub-01_task-rest_eeg.edf), so no *_events.tsv sidecar "
        "is read"
    )
    return (
        f"the recording {given} holds no annotations, so no window got a label (looked in "
        f"{where}); give its annotation file instead (a hypnogram, .vmrk, .csv, .tsv)"
    )


def markers_to_spans(
    annotations: mne.Annotations | mne.io.BaseRaw,
    states: Mapping[str, str],
    *,
    end: float | None = None,
    ends: str | Mapping[str, str] | None = None,
    source: str | None = None,
) -> mne.Annotations:
    """Spans of time from markers of states, such as eyes-closed and eyes-open markers.

    Clinical systems often mark the moment a state begins (``EC`` when the eyes close, ``EO``
    when they open) with an annotation of no duration, which labels no window
    (:func:`window_labels` needs annotations that span time). Each state marker here becomes a
    span of its state from its onset to the next state marker (of any state) or end marker
    (below) or, after the last one, to the recording's end; the time before the first marker
    is in no span. The other annotations (``BAD_`` spans, stimuli) are kept as they are, so
    bad windows stay bad.

    End markers end the span before them and start none: an annotation of no state whose
    description marks a scoring epoch as no sleep stage (:data:`UNSCORED`: ``'Sleep stage
    ?'``, ``'Movement time'``), or that ``ends`` matches. Sleep scorings exported as one
    marker per 30 s epoch (``'Sleep stage 2'`` at its start) thus leave their unscored epochs
    in no span (unlabelled), not in the stage before them; a scoring that stops before the
    recording's end ends its last stage only with such a marker (else the last stage spans
    to the end). State markers at or past the recording's end (a scoring a few epochs longer
    than its recording) are left out, warned of, naming the first; none before the end is an
    error. Markers that look like events rather than states (many close together, as an ERP
    paradigm's stimuli: :func:`event_markers_text`) are warned of, with the Python that cuts
    epochs around them instead: spans would label each window by whichever came last.
    Markers need not lie on a grid: each span runs from its marker to the next
    marker, whatever their times. Several state or end markers at one moment: the last of
    them in the annotations' order holds (the others make no span), and markers of
    different states there are warned of (the scoring is ambiguous there).

    Parameters
    ----------
    annotations : mne.Annotations | mne.io.Raw
        The markers, or a Raw whose annotations they are (``raw.annotations``; its end, in
        the same time base, is then ``end``).
    states : Mapping[str, str]
        ``{state: regex}``: a description that contains the regex (``re.search``) is a
        marker of that state (the first that matches), e.g. ``{"EC": "^EC$", "EO": "^EO$"}``
        or ``{"closed": "(?i)eyes closed", "open": "(?i)eyes open"}``. The spans are
        described by the state's name. A regex matches every description that contains it:
        a code such as ``"276"`` also matches ``"32766"``; such patterns, and plain text that
        matches several different descriptions, are warned of (:func:`warn_loose_patterns`):
        anchor them, ``"^276$"``.
    end : float | None
        The recording's end in seconds, in the time base of the annotations' onsets
        (``raw.first_time + raw.n_times / raw.info["sfreq"]`` for ``raw.annotations``);
        needed for ``mne.Annotations``, taken from the Raw for a Raw.
    ends : str | Mapping[str, str] | None
        Besides :data:`UNSCORED`, the annotations that end a span where they match no state:
        a regular expression a description contains (``re.search``), or ``{label: regex}``
        as :func:`window_labels`' ``match``: named deliberately (a stage left out of
        ``states``, ``"^Sleep stage 4$"``), not a labelling pattern, which a marker within a
        state may contain (``"EC|EO"`` matches ``'ECG artifact'``). The command line gives
        none (``--window-labels`` matches the spans' names).
    source : str | None
        The recording, named at the start of the warning of markers of different states at
        one moment (else ``markers_to_spans``).

    Returns
    -------
    mne.Annotations
        The spans (durations in seconds) and the other annotations, with the input's
        ``orig_time``: ``raw.set_annotations(markers_to_spans(raw, states))``, then
        ``emb.window_labels(raw, match=...)``. From a Raw without a measurement date
        (``orig_time`` None), onsets count from its first sample, as ``set_annotations`` and
        :func:`window_labels` take them (``raw.annotations`` reports them from sample 0, which
        differs where ``first_samp > 0``).
    """
    shift = 0.0  # seconds taken off the onsets, for raw.set_annotations (below)
    files = [source] if source else []  # the recording's file(s): is it a GDF file?
    if isinstance(annotations, mne.io.BaseRaw):
        raw = annotations
        files += [str(f) for f in (raw.filenames or ()) if f is not None]
        annotations = raw.annotations
        if annotations.orig_time is None:  # MNE reports these from sample 0 but sets them
            shift = raw.first_samp / raw.info["sfreq"]  # from the first sample
        if end is None:  # raw.annotations count from sample 0 (first_samp included)
            end = (raw.first_samp + raw.n_times) / raw.info["sfreq"]
    if end is None:
        raise ValueError(
            "markers_to_spans: give end=, the recording's end in seconds in the time base of "
            "the annotations (raw.first_time + raw.n_times / raw.info['sfreq'] for "
            "raw.annotations), or pass the Raw itself"
        )
    label_of = label_rule(states)
    marks = state_markers(annotations, states)
    warn_loose_patterns([str(d) for d in annotations.description], states, "--marker-spans")
    cued = _warn_trial_codes(
        [str(annotations.description[i]) for i in marks],
        [str(d) for d in annotations.description],
        files,
        label_of,
    )
    if not cued:
        _warn_event_markers(annotations, marks, states)
    if not marks:
        names = sorted({str(d) for d in annotations.description})
        raise ValueError(
            f"markers_to_spans: no annotation matches the states {dict(states)!r} (the "
            f"descriptions: {few([repr(d) for d in names], 8) or 'none'})"
        )
    lasting = [i for i in marks if annotations.duration[i] > MARKER_S]
    if lasting:
        i = lasting[0]
        raise ValueError(
            f"markers_to_spans: {len(lasting)} annotation(s) matching the states already span "
            f"time ({annotations.description[i]!r} at {annotations.onset[i]:g} s lasts "
            f"{annotations.duration[i]:g} s): window_labels takes such annotations as they are"
        )
    late = [i for i in marks if float(annotations.onset[i]) >= end]
    if len(late) == len(marks):
        first = min(float(annotations.onset[i]) for i in marks)
        raise ValueError(
            f"markers_to_spans: no state marker lies before the recording's end ({end:g} s; "
            f"the first of {len(marks)} at {first:g} s): give end= in the annotations' time base"
        )
    if late:
        _warn_late_markers(annotations, late, end, source)
    stopping = end_markers(annotations, states, ends)
    within = [i for i in marks if i not in set(late)]
    events = sorted(within + stopping)  # annotation order: by onset, then as given
    onsets = np.asarray(annotations.onset, dtype=np.float64)[events]
    order = np.argsort(onsets, kind="stable")
    events, onsets = [events[k] for k in order], onsets[order]
    # an end marker's label is None: it ends the span before it and starts none
    labels = [label_of(str(annotations.description[i])) for i in events]
    _warn_states_at_one_moment(onsets, labels, source)
    stops = np.minimum(np.append(onsets[1:], end), end)  # an end marker past the end: there
    keep = (stops > onsets) & np.array([v is not None for v in labels])  # at one moment:
    taken = set(marks)  # the later one holds
    spans = annotations[[i for i in range(len(annotations)) if i not in taken]]
    described = [str(v) for v, k in zip(labels, keep, strict=True) if k]
    spans.append(onsets[keep], (stops - onsets)[keep], described)
    if shift:
        spans = mne.Annotations(
            spans.onset - shift, spans.duration, spans.description, ch_names=spans.ch_names
        )
    return spans


#: GDF's event codes of a trial's moments (BioSig's event table; MNE describes a GDF file's
#: events by the code, ``'769'``): 768 (0x300) a trial's start, 769 .. 780 (0x301 .. 0x30C)
#: the cue of class 1 .. 12 (BCI Competition IV 2a and 2b: 769 left hand, 770 right hand, 771
#: feet, 772 tongue) and 783 (0x30F) a cue of an unknown class. They mark moments of cued
#: trials, not states (unlike 276 and 277, eyes open and closed): made spans by
#: :func:`markers_to_spans`, each would run to the next trial's cue, its break included.
GDF_TRIAL_CODES = frozenset({"768", *(str(code) for code in range(769, 781)), "783"})


def _warn_trial_codes(
    descriptions: Sequence[str],
    every: Sequence[str],
    files: Sequence[str],
    label_of: Callable[[str], str | None],
) -> bool:
    """Warn (once per command) where state markers (``descriptions``, those the patterns
    selected, each the state ``label_of`` gives it) are GDF's codes of a cued trial's start or
    cue (:data:`GDF_TRIAL_CODES`) in a recording of GDF's cued trials: one whose annotations
    (``every``, all their descriptions) hold a trial start (``'768'``, which starts each
    trial of BCI Competition IV 2a and 2b), or a GDF file (``files``, the recording's). A
    state's span would run from a cue to the next trial's, the break and the next trial's
    start labelled as the class; epochs cut at the cues are what such trials need. The same
    numbers as a recording's own codes of states (``'770'`` in an EDF without trial starts)
    are not warned of. Returns whether it warned (or would have, but for once per command)."""
    cues = [d for d in dict.fromkeys(descriptions) if d.strip() in GDF_TRIAL_CODES]
    trials = any(d.strip() == "768" for d in every)
    gdf = any(Path(f).suffix.lower() == ".gdf" for f in files)
    if not cues or not (trials or gdf):
        return False
    states = list(dict.fromkeys(str(label_of(d)) for d in cues))
    timed = [d for d in cues if d.strip() != "768"] or cues  # (a trial's start: no cue)
    classes: dict[str, list[str]] = {}  # each state its cues, for --epochs-around NAME=REGEX
    for d in timed:
        classes.setdefault(str(label_of(d)), []).append(f"^{re.escape(d)}$")
    imagery_s = 4.0  # BCI Competition IV 2a: 4 s of motor imagery from the cue
    code = epochs_code(timed, imagery_s)
    _warn_once_per_command(
        f"the markers of the state(s) {few([repr(v) for v in states], 4)} are GDF's event "
        f"codes of cued trials ({few([repr(d) for d in cues], 4)}: 768 a trial's start, "
        "769 .. 772 the cue of class 1 .. 4, left hand, right hand, feet, tongue in BCI "
        "Competition IV 2a), which mark a moment of each trial, not a state: as spans (by "
        "--marker-spans, markers_to_spans) each runs from its marker to the next trial's, so "
        "the break between trials and the next trial's start are labelled as the class. Cut "
        f"the trials as epochs at the cues instead, over the imagery (e.g. {imagery_s:g} s "
        "from the cue; check your dataset's timing): on the command line eegpt probe train "
        f"REC {epochs_around_shown(timed, {k: '|'.join(v) for k, v in classes.items()})} "
        f"--window {imagery_s:g} "
        f"(embed takes the same; docs/command-line.md); in Python {code}"
    )
    return True


def _warn_event_markers(
    annotations: mne.Annotations,
    marks: Sequence[int],
    states: Mapping[str, str],
) -> None:
    """Warn (once per command) where the state markers ``marks`` (indices into
    ``annotations``, matched by ``states``, ``{state: regex}``) look like events (stimuli,
    responses: :func:`event_markers_text`, many markers close together, as an ERP
    paradigm's) rather than markers of states: a span from each to the next labels the
    windows by whichever event came last, which says nothing of the response to it. Epochs
    cut around the events are what such markers need."""
    descriptions = [str(annotations.description[i]) for i in marks]
    onsets = [float(annotations.onset[i]) for i in marks]
    if not event_markers_text(descriptions, onsets):
        return
    names = list(dict.fromkeys(descriptions))
    label_of = label_rule(states)
    labels = list(dict.fromkeys(str(label_of(d)) for d in names))
    code = MarkerCode(tuple(names), dict(states))
    _warn_once_per_command(
        f"the markers of the state(s) {few([repr(v) for v in labels], 4)} "
        f"({few([repr(d) for d in names], 4)}) look like events (stimuli, responses), not "
        f"markers of states ({EVENT_MARKERS} or more, a median under {EVENT_SPACING_S:g} s "
        f"apart; {2 * EVENT_SPACING_S:g} s for BrainVision's Stimulus/ and Response/ markers). "
        "As spans (by --marker-spans, markers_to_spans) each runs from its marker to the "
        "next, so every window is labelled by whichever of them came last before it, not by "
        "a response to one (meaningless for ERPs): --marker-spans is for markers of states "
        "(sleep stages, eyes closed/open blocks). Cut epochs around the events instead "
        "(here -0.2 .. 0.8 s; set tmin and tmax for your design), each labelled by its "
        f"marker: on the command line eegpt probe train REC {epochs_around_shown(names, states)} "
        "--crop -0.2 --window 1 (embed takes the same; docs/command-line.md); in Python "
        f"{code.setup}{code.cut(1.0)}; model.embed(epochs, window_seconds=1)"
    )


def state_markers(annotations: mne.Annotations | None, states: Mapping[str, str]) -> list[int]:
    """The indices of the annotations (``annotations``; None: none) whose description matches
    one of the states of ``states`` (``{state: regex}``, ``re.search``, as
    :func:`markers_to_spans` takes them): [] where the recording holds no state marker."""
    if annotations is None:
        return []
    label_of = label_rule(states)
    return [i for i, d in enumerate(annotations.description) if label_of(str(d)) is not None]


def end_markers(
    annotations: mne.Annotations | None,
    states: Mapping[str, str],
    ends: str | Mapping[str, str] | None = None,
) -> list[int]:
    """The indices of the annotations that end the span of the state marker before them in
    :func:`markers_to_spans` (and start none): those matching no state of ``states`` whose
    description marks a scoring epoch as no sleep stage (:data:`UNSCORED`: ``'Sleep stage
    ?'``, ``'Movement time'``) or that ``ends`` (a regex, or ``{label: regex}``, as
    :func:`label_rule` takes it) matches."""
    if annotations is None:
        return []
    state_of = label_rule(states)
    matched = label_rule(ends) if ends else lambda desc: None
    return [
        i
        for i, d in enumerate(map(str, annotations.description))
        if state_of(d) is None and (UNSCORED.search(d.strip()) or matched(d) is not None)
    ]


def _warn_late_markers(
    annotations: mne.Annotations, late: Sequence[int], end: float, source: str | None = None
) -> None:
    """Warn that the state markers ``late`` (indices into ``annotations``, onsets at or past
    the recording's ``end``, seconds) are left out of :func:`markers_to_spans`' spans (a
    scoring a few epochs longer than its recording); the warning names the first and starts
    with ``source`` (the recording) where given."""
    first = min(late, key=lambda i: float(annotations.onset[i]))
    _warn(
        ("markers_to_spans" if source is None else source)
        + f": {len(late)} state marker(s) at or past the recording's end ({end:g} s) left out "
        f"(the first {str(annotations.description[first])!r} at "
        f"{float(annotations.onset[first]):g} s); the spans of the markers before the end "
        "are made. A scoring longer than its recording, or the markers another recording's?"
    )


def _warn_states_at_one_moment(
    onsets: np.ndarray, labels: Sequence[str | None], source: str | None = None
) -> None:
    """Warn where markers of different states (or a state and an end marker, label None) lie
    at one moment (``onsets`` sorted, seconds): :func:`markers_to_spans` takes the last. The
    warning starts with ``source`` (the recording) where given."""
    clashes: dict[float, list[str | None]] = {}
    for k in range(1, len(onsets)):
        if onsets[k] - onsets[k - 1] <= 0 and labels[k] != labels[k - 1]:
            at = clashes.setdefault(float(onsets[k]), [labels[k - 1]])
            at.append(labels[k])
    if not clashes:
        return
    first, said = next(iter(clashes.items()))
    named = " then ".join("no state (an end marker)" if v is None else repr(v) for v in said)
    _warn(
        ("markers_to_spans" if source is None else source)
        + f": markers of different states at one moment, at {len(clashes)} "
        f"onset(s) (first at {first:g} s: {named}); the last of them in the annotations' order "
        "holds from there. Check the scoring there (exported twice, or two scorers?)"
    )


def markers_by_state(
    annotations: mne.Annotations | None, states: Mapping[str, str]
) -> dict[str, list[str]]:
    """The descriptions of the state markers of ``annotations`` by state (``{state: regex}``
    as :func:`markers_to_spans` takes them): ``{"EO": ["276", "32766"], "EC": ["277"]}``,
    each state's distinct descriptions sorted, a state without markers left out."""
    found: dict[str, set[str]] = {}
    label_of = label_rule(states)
    for i in state_markers(annotations, states):
        desc = str(cast(mne.Annotations, annotations).description[i])
        found.setdefault(str(label_of(desc)), set()).add(desc)
    return {state: sorted(found[state]) for state in states if state in found}


def markers_text(by_state: Mapping[str, Sequence[str]]) -> str:
    """``"state markers: 'EO' from '276', '32766'; 'EC' from '277'"``: which descriptions
    made each state's spans (:func:`markers_by_state`), for the line a labelling prints; ""
    where each state's markers are described by its name alone (``EC`` markers of ``EC``)."""
    if all(list(found) == [state] for state, found in by_state.items()):
        return ""
    return "state markers: " + "; ".join(
        f"{state!r} from {few([repr(d) for d in found], 5)}" for state, found in by_state.items()
    )


def marker_spans_of(
    recording: Any,
    annotations: mne.Annotations | None,
    states: Mapping[str, str],
    ends: str | Mapping[str, str] | None = None,
) -> mne.Annotations:
    """The command line's ``--marker-spans``: :func:`markers_to_spans` of a continuous
    recording's annotations (``annotations``: its own with those of its ``--annotations`` file,
    onsets in seconds from its first sample, :func:`with_extra`), each state to the next state
    or end marker (``'Sleep stage ?'``; ``ends``: others, as :func:`markers_to_spans` takes
    them; the command line gives none) or the recording's end (its samples over its rate).
    The one place the probe commands and embed turn markers into spans. Its errors (no marker
    matches, markers that already last, no marker before the end) name the recording and
    the option.

    Raises
    ------
    ValueError
        ``"rec.vhdr: --marker-spans 'EC=S  1$': no annotation matches ..."``.
    """
    if annotations is None:
        annotations = mne.Annotations([], [], [])
    end = recording_end(recording, np.zeros(0), 0.0)
    try:
        return markers_to_spans(
            annotations, states, end=end, ends=ends, source=str(recording.source)
        )
    except ValueError as err:
        text = str(err).removeprefix("markers_to_spans: ")
        text = text.replace(
            "window_labels takes such annotations as they are",
            "--window-labels takes such annotations as they are: leave --marker-spans out",
        ).replace(
            "give end= in the annotations' time base",
            "the markers are another recording's, or their onsets in another time base?",
        )
        from eegpt.window_labelling import marker_spans_options

        raise ValueError(f"{recording.source}: {marker_spans_options(states)}: {text}") from None


def union_length(spans: Sequence[tuple[float, float]]) -> float:
    """Seconds covered by the union of ``(start, end)`` spans (seconds, ``start < end``):
    time covered by several of them counts once."""
    total, reach = 0.0, -np.inf
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return float(total)


#: The windows' sampling rate (the pretrained model's, PreprocessingConfig's default): a start
#: of windows is a whole number of its samples.
MODEL_SFREQ: float = float(FIELD_DEFAULTS["sfreq"])

GRID_TOLERANCE_S = 1e-4
"""Seconds by which onsets may miss a grid and still lie on it (below a sample at 5 kHz)."""

GRID_MIN_SPANS = 3
"""The fewest distinct labelling annotations, abutting one another, taken for a scoring grid
(a hypnogram's epochs) by the off-grid warning: one or two events are not one."""


def _phase(times: np.ndarray, length_s: float) -> float | None:
    """The one offset in ``[0, length_s)`` of all ``times`` (seconds) on a grid of
    ``length_s``, or None when they lie on no common grid."""
    phases = np.mod(np.asarray(times, dtype=np.float64), length_s)
    first = float(phases[0])
    gap = np.abs(phases - first)
    if np.all(np.minimum(gap, length_s - gap) <= GRID_TOLERANCE_S):
        return first if length_s - first > GRID_TOLERANCE_S else 0.0
    return None


def _warn_off_grid(
    annotations: mne.Annotations,
    label_of: Callable[[str], str | None],
    onsets: np.ndarray,
    length_s: float,
    source: str | None = None,
    what: str = "windows",
) -> None:
    """Warn when the annotations that label windows are scoring epochs of the windows'
    length on a grid (each lasting whole epochs but the last, which may end at the
    recording's end as :func:`markers_to_spans`' last span does; onsets ``phase + k *
    length_s``) that the windows are not on: then each window straddles two epochs (30 s
    windows from the first sample, a hypnogram from 17 s), and says the window start that
    puts them on it; the warning starts with ``source`` (the recording) where given and
    calls the windows ``what``. Only where they look like a scoring of the whole time (a
    hypnogram): at least :data:`GRID_MIN_SPANS` distinct spans (the same span from two
    sources, an EDF+ and its ``.csv_bi``, counted once), each starting or ending where
    another epoch-long annotation ends or starts; one or two events (a seizure lasting 40 s)
    are not a grid."""
    # span -> whether some description on it is a label (a stage epoch and an "Arousal" on
    # the same span: the span labels)
    every: dict[tuple[float, float], bool] = {}
    for start, duration, desc in zip(
        annotations.onset, annotations.duration, annotations.description, strict=True
    ):
        if duration > 0:
            span = (round(float(start), 6), round(float(duration), 6))
            every[span] = every.get(span, False) or label_of(str(desc)) is not None
    spans = sorted(span for span, labels in every.items() if labels)
    # the last span may end anywhere: at the recording's end (markers_to_spans' last state)
    last = max(spans, key=sum, default=(0.0, 0.0))
    inner = np.array([d for s, d in spans if (s, d) != last])
    if len(spans) < GRID_MIN_SPANS or _phase(inner, length_s) != 0.0:
        return  # not all whole epochs of the windows' length (Sleep-EDF: a stage's run)
    # where epochs of the grid start and end (those of labels left out too: "Sleep stage ?")
    whole = [(s, d) for s, d in every if _phase(np.array([d]), length_s) == 0.0]
    starts = np.sort(np.array([s for s, _ in whole], dtype=float))
    ends = np.sort(np.array([s + d for s, d in whole], dtype=float))

    def touches(at: np.ndarray, edges: np.ndarray) -> np.ndarray:
        """Whether each of ``at`` is within GRID_TOLERANCE_S of one of the sorted ``edges``."""
        if not len(edges):
            return np.zeros(len(at), dtype=bool)
        i = np.searchsorted(edges, at)
        near = np.minimum(
            np.abs(at - edges[np.clip(i - 1, 0, len(edges) - 1)]),
            np.abs(at - edges[np.clip(i, 0, len(edges) - 1)]),
        )
        return near <= GRID_TOLERANCE_S

    onset_of = np.array([s for s, _ in spans], dtype=float)
    end_of = np.array([s + d for s, d in spans], dtype=float)
    if not np.all(touches(onset_of, ends) | touches(end_of, starts)):
        return  # events apart from one another, not epochs scoring the time
    scored = _phase(np.array([s for s, _ in spans]), length_s)
    windows = _phase(onsets, length_s)
    if scored is None or windows is None:
        return
    off = (scored - windows) % length_s
    if min(off, length_s - off) < 1 / MODEL_SFREQ:  # within a sample of the windows' rate
        return
    start = min(s for s, _ in spans)
    start = start if start >= 0 else scored  # the first scored epoch in the recording
    start = round(start * MODEL_SFREQ) / MODEL_SFREQ  # a start the windows can take
    one = what[:-1] if what.endswith("s") else what
    _warn(
        ("" if source is None else f"{source}: ")
        + f"the {len(spans)} labelling annotations last whole multiples of {length_s:g} s"
        + ("" if _phase(np.array([last[1]]), length_s) == 0.0 else " (but the last)")
        + ", on a "
        f"grid of {length_s:g} s epochs from {min(s for s, _ in spans):g} s on (seconds from "
        f"the first sample), but the {what} "
        f"start at {float(np.min(onsets)):g} s: each {one} straddles two epochs, "
        f"{off:g} s of one and {length_s - off:g} s of the next, and takes the label it holds "
        f"more of. Start the {what} on the epochs: start_seconds={exact_seconds(start)} "
        f"(PreprocessingConfig; command line --start {exact_seconds(start)})"
    )


def _warn_durations_missing(
    instants: Mapping[str, Sequence[float]],
    longest: Mapping[str, float],
    need_s: float,
    source: str | None = None,
) -> None:
    """Warn where labelling annotations of one description are partly of no duration while
    others of it last long enough to label a window (``longest``: seconds, by description;
    ``instants``: the onsets, in seconds, of those of no duration; ``need_s``: the seconds a
    label needs): a scoring exported with some durations missing (an EDF+ stage annotation
    whose duration is empty reads as 0 s), whose epochs would be left unlabelled without a
    word, among labelled ones. Descriptions all of no duration are markers, said elsewhere
    (no window gets their label; ``markers_to_spans``)."""
    mixed = {d: at for d, at in instants.items() if at and longest.get(d, 0.0) >= need_s}
    if not mixed:
        return
    first = min(mixed, key=lambda d: min(mixed[d]))
    n = sum(len(at) for at in mixed.values())
    _warn(
        ("" if source is None else f"{source}: ")
        + f"{n} labelling annotation(s) of no duration ({first!r} at {min(mixed[first]):g} s) "
        f"among others of the same description that last ({longest[first]:g} s): an annotation "
        "of no duration labels no window, so the windows of those epochs are left unlabelled "
        "(a scoring exported with some durations missing?). Give them their duration before "
        "labelling (annotations.duration[i] = 30.0 for a 30 s epoch)"
    )


def exact_seconds(value: float) -> str:
    """``value`` written so that reading it back gives it exactly (``1.30078125``, not
    ``1.30078``, which falls between two 256 Hz samples, so that ``--start`` would move it to
    the nearest one with a warning; ``3``, not ``3.0``)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


#: The most marker descriptions whose code a message writes out one by one (states, event
#: ids): more (40 stimulus codes, BrainVision's 255) are named in the code by the pattern that
#: matched them (:func:`MarkerCode`), so that a recorded warning
#: (:data:`eegpt._logging.RECORDED_WARNING_WIDTH` characters) keeps its code whole.
LISTED_MARKERS = 12


@dataclasses.dataclass(frozen=True)
class MarkerCode:
    """The Python that messages about the markers ``names`` (of ``raw``, matched by
    ``match`` as :func:`label_rule` takes it) suggest: up to :data:`LISTED_MARKERS` of them
    written out, more taken from ``raw.annotations`` by the pattern (``names = [...]``
    first), each piece whole either way."""

    names: tuple[str, ...]
    match: str | Mapping[str, str] | None = None

    @property
    def listed(self) -> bool:
        """Whether the code writes the names out (few enough)."""
        return len(self.names) <= LISTED_MARKERS

    @property
    def setup(self) -> str:
        """``"import re; names = [...]; "``, the names from ``raw``: "" where listed."""
        if self.listed:
            return ""
        if self.match is None:
            cond = "not d.upper().startswith('BAD')"
        elif isinstance(self.match, str):
            cond = f"re.search({self.match!r}, d)"
        else:
            regex = "|".join(f"(?:{v})" for v in self.match.values())
            cond = f"re.search({regex!r}, d)"
        return f"import re; names = [d for d in dict.fromkeys(raw.annotations.description) if {cond}]; "

    @property
    def states(self) -> str:
        """The ``states`` of :func:`markers_to_spans`: each name a state (:func:`states_of`)."""
        if self.listed:
            return repr(states_of(self.names))
        return "{d: '^' + re.escape(d) + '$' for d in names}"

    def select(self) -> str:
        """:func:`select_holding` of the names."""
        if self.listed:
            return select_holding(self.names)
        return "emb[[any(d in a for d in names) for a in emb.annotations]]"

    def cut(self, length_s: float) -> str:
        """:func:`cut_code` of the names."""
        return self._named(cut_code(self.names, length_s))

    def epochs(self, length_s: float) -> str:
        """:func:`epochs_code` of the names."""
        return self._named(epochs_code(self.names, length_s))

    def _named(self, code: str) -> str:
        """``code`` of the names' ``event_id``, taken from ``names`` where not listed."""
        if self.listed:
            return code
        event_id = repr({str(d): k + 1 for k, d in enumerate(dict.fromkeys(self.names))})
        return code.replace(event_id, "{d: k + 1 for k, d in enumerate(names)}", 1)


def marker_spans_shown(states: Mapping[str, str]) -> str:
    """The ``--marker-spans`` options of ``states`` (:func:`eegpt.window_labelling.
    marker_spans_options`), all up to :data:`LISTED_MARKERS`; of more, the first as an
    example and how many there are."""
    from eegpt.window_labelling import marker_spans_options

    if len(states) <= LISTED_MARKERS:
        return marker_spans_options(states)
    first = dict(list(states.items())[:1])
    return (
        f"one --marker-spans NAME=REGEX per state ({len(states)} here), e.g. "
        f"{marker_spans_options(first)}"
    )


def epochs_around_shown(names: Sequence[str], match: str | Mapping[str, str] | None) -> str:
    """The ``--epochs-around`` options that cut epochs around the markers ``names`` (matched
    by ``match`` as :func:`label_rule` takes it: ``{class: regex}`` as ``NAME=REGEX``, one
    regex as itself, None: each name's own ``^name$``, the epochs named by it), all up to
    :data:`LISTED_MARKERS`; of more, the first as an example and how many there are."""
    if isinstance(match, Mapping):
        values = [f"{k}={v}" for k, v in match.items()]
    elif isinstance(match, str):
        values = [match]
    else:
        values = [f"^{re.escape(d)}$" for d in states_of(names)]
    shown = " ".join(f"--epochs-around {shlex.quote(v)}" for v in values[:LISTED_MARKERS])
    if len(values) <= LISTED_MARKERS:
        return shown
    return (
        f"one --epochs-around [NAME=]REGEX per kind of marker ({len(values)} here), e.g. "
        f"--epochs-around {shlex.quote(values[0])}"
    )


def _command_of(command: str) -> str:
    """``eegpt probe train REC`` / ``eegpt probe COMMAND PROBE REC`` for a
    :class:`CommandLabelling`'s ``command``: how a message names its command line."""
    if command == "train":
        return "eegpt probe train REC"
    return f"eegpt probe {command} PROBE REC"


def _markers_text(
    matching: Mapping[str, float],
    said: str,
    min_overlap: float,
    length_s: float,
    match: str | Mapping[str, str] | None = None,
    onsets: Sequence[float] = (),
) -> str:
    """Why markers (annotations of no or little duration, ``matching``: description -> its
    longest duration in seconds, matched by ``match``; ``onsets``: each marker's, seconds)
    label no window, and how to use them instead: on the command line
    (:func:`labelled_by_command`) the ``--marker-spans`` to give (and the command's
    ``--window-labels`` for ``said``), else the Python (:class:`MarkerCode`: whole, of many
    markers by their pattern). Markers of events (BrainVision's stimuli and responses, or
    many close together: :func:`event_markers_text`) are told to be cut into epochs first
    (:func:`_events_text`), ``--marker-spans`` being for states only."""
    longest = max(matching.values())
    names = list(matching)
    code = MarkerCode(tuple(str(d) for d in names), match)
    lasts = "have zero duration" if longest <= 0 else f"last at most {longest:g} s"
    use = _COMMAND_LABELLING.get()
    events = event_markers_text(names, onsets)
    if events or brainvision_events(names):
        return _events_text(names, code, events, said, lasts, min_overlap, length_s)
    if use is not None and use.python:  # a probe's predict_table / evaluate: no such options
        method = "predict_table" if use.command == "predict" else "evaluate"
        then = f"probe.{'predict' if use.command == 'predict' else 'evaluate'}(epochs)"
        return (
            f"the annotations that match the probe's labelling ({use.options or said}, from "
            f"its training) ({few([repr(d) for d in names], 5)}) {lasts}, less than a label "
            f"needs ({min_overlap:g} of a {length_s:g} s window): markers such as stimuli and "
            "responses mark moments rather than span time. Markers of states (sleep stages "
            "scored as one marker per epoch, eyes closed, eyes open) label the time between "
            "them once turned into spans, each state from its marker to the next state "
            "marker, unscored one ('Sleep stage ?': its epochs in no state) or the "
            "recording's end: save those spans and give them as annotations=, e.g. "
            f"{code.setup}eegpt.annotations.markers_to_spans(raw, {code.states})"
            ".save('spans.csv') (raw "
            "holding the markers: raw.set_annotations(eegpt.annotations.read_annotations("
            f"'hyp.csv')) for those of a file), then probe.{method}(..., "
            "annotations='spans.csv') (the command line's --marker-spans does that; a probe "
            "trained with it does it by itself). For responses to the markers, cut epochs "
            f"around them (mne.Epochs, docs/downstream.md) and {then}, labelled by their events"
        )
    if use is not None:  # the command line: its --marker-spans, Python after it
        spans = marker_spans_shown(states_of(names))
        then = "train on" if use.command == "train" else use.command
        return (
            f"the annotations that match {use.options or said} "
            f"({few([repr(d) for d in names], 5)}) {lasts}, less than a label needs "
            f"({min_overlap:g} of a {length_s:g} s window): markers such as stimuli and "
            "responses mark moments rather than span time. Markers of states (sleep stages "
            "scored as one marker per epoch, eyes closed, eyes open) label the time between "
            "them once turned into spans, each state from its marker to the next state "
            "marker, unscored one ('Sleep stage ?': its "
            f"epochs in no state) or the recording's end: give {spans} (the windows then "
            f"labelled by state name; in Python, {code.setup}raw.set_annotations("
            f"eegpt.annotations.markers_to_spans(raw, {code.states}))). For responses to the "
            f"markers, cut epochs around them and {then} those, labelled by their events: "
            f"{_command_of(use.command)} {epochs_around_shown(names, match)} --crop -0.2"
            f"{' --window 1' if use.command == 'train' else ''} (docs/command-line.md; in "
            "Python, mne.Epochs, docs/downstream.md)"
        )
    return (
        f"the annotations that match {said} ({', '.join(map(repr, names[:5]))}"
        f"{', ...' if len(names) > 5 else ''}) {lasts}, less than a label needs "
        f"({min_overlap:g} of a {length_s:g} s window): markers such as stimuli and responses "
        "mark moments rather than span time. Markers of states (eyes closed, eyes open) label "
        "the time between them once turned into spans, each state from its marker to the next "
        "state marker, unscored one ('Sleep stage ?': its epochs in no state) or the "
        "recording's end: "
        f"{code.setup}raw.set_annotations(eegpt.annotations.markers_to_spans(raw, "
        f"{code.states})), "
        "then emb.window_labels(raw, ...) (the windows a marker falls in straddle a change of "
        "state). "
        "Each window lists the markers that fall in it among its annotations "
        f"(Embeddings.annotations), so {code.select()} keeps the windows of stimuli. "
        f"For epochs around the markers, cut them from the Raw and embed the epochs: "
        f"{code.epochs(length_s)} (events of these descriptions only: others at the "
        f"same sample would stop MNE; MNE's tmax is inclusive: {length_s:g} s epochs)"
    )


def _events_text(
    names: Sequence[str],
    code: MarkerCode,
    events: str,
    said: str,
    lasts: str,
    min_overlap: float,
    length_s: float,
) -> str:
    """:func:`_markers_text` for markers of events (``names``; ``events``: why they look like
    events, :func:`event_markers_text`, "" for BrainVision's stimulus and response markers
    spaced wider): cut epochs around them (the Python, ``code``'s), save them and give the
    ``-epo.fif`` file to the command (or, in Python, embed or score the epochs); spans
    (``--marker-spans``) only for markers of states."""
    use = _COMMAND_LABELLING.get()
    why = events or "BrainVision's stimulus and response markers"
    given = (use.options or said) if use is not None else said
    if use is not None and use.python:
        given = f"the probe's labelling ({given}, from its training)"
    head = (
        f"the annotations that match {given} ({few([repr(d) for d in names], 5)}) {lasts}, "
        f"less than a label needs ({min_overlap:g} of a {length_s:g} s window): markers such "
        "as stimuli and responses "
        f"mark moments rather than span time, and these look like events ({why}). Cut epochs "
        "around them (here -0.2 .. 0.8 s; set tmin and tmax for your design), each labelled by "
        "its marker: "
    )
    python = f"in Python {code.setup}{code.cut(1.0)}"
    if use is not None and use.python:  # a probe's predict_table / evaluate
        then = f"probe.{'predict' if use.command == 'predict' else 'evaluate'}(epochs)"
        tail = f"{python}, then {then}"
    elif use is not None:  # the command line
        window = " --window 1" if use.command == "train" else ""
        tail = (
            f"{_command_of(use.command)} {epochs_around_shown(names, code.match)} --crop -0.2"
            f"{window} (docs/command-line.md); {python}"
        )
    else:
        tail = (
            f"{python}; model.embed(epochs, window_seconds=1) (or epochs.save('rec-epo.fif'); each "
            f"window lists the markers that fall in it among its annotations, so "
            f"{code.select()} keeps the windows of these markers)"
        )
    if events:  # close together: no state lasts so briefly
        return (
            head
            + tail
            + (
                ". Spans from markers (--marker-spans, eegpt.annotations.markers_to_spans) are "
                "for markers of states (sleep stages, eyes closed/open blocks) only: made "
                "spans, these would label each window by whichever marker came last before it"
            )
        )
    if use is not None and use.python:
        method = "predict_table" if use.command == "predict" else "evaluate"
        states = (
            "save the spans and give them as annotations=, e.g. "
            f"{code.setup}eegpt.annotations.markers_to_spans(raw, {code.states})"
            f".save('spans.csv'), then probe.{method}(..., annotations='spans.csv')"
        )
    elif use is not None:
        states = (
            f"give {marker_spans_shown(states_of(names))} (in Python, {code.setup}"
            f"raw.set_annotations(eegpt.annotations.markers_to_spans(raw, {code.states})))"
        )
    else:
        states = (
            f"{code.setup}raw.set_annotations(eegpt.annotations.markers_to_spans(raw, "
            f"{code.states})), then emb.window_labels(raw, ...)"
        )
    return (
        head
        + tail
        + (
            ". If they mark states instead (blocks of eyes closed and eyes open marked by "
            "stimulus codes), each state lasting from its marker to the next state marker or "
            f"the recording's end: {states}"
        )
    )


def cut_code(descriptions: Sequence[str], length_s: float) -> str:
    """The Python that cuts epochs of ``length_s`` seconds at the markers ``descriptions`` of
    ``raw`` (events of those alone, so other markers at the same sample, such as BCI-IV-2a's
    trial start ``768`` and rejection ``1023``, do not make MNE refuse the events as not
    unique), each labelled by its marker's description (``epochs.event_id``): windows of 1 s
    or less start 0.2 s before the marker (an ERP's baseline, MNE's default), longer ones at
    it (a trial's), unbaselined."""
    event_id = {str(d): k + 1 for k, d in enumerate(dict.fromkeys(descriptions))}
    tmin = -0.2 if length_s <= 1 else 0.0
    baseline = "" if tmin < 0 else ", baseline=None"
    return (
        f"events, event_id = mne.events_from_annotations(raw, event_id={event_id!r}); "
        f"epochs = mne.Epochs(raw, events, event_id, tmin={tmin:g}, "
        f"tmax={tmin + length_s:g} - 1 / raw.info['sfreq']{baseline})"
    )


def epochs_code(descriptions: Sequence[str], length_s: float) -> str:
    """:func:`cut_code`, then the embedding of the epochs with ``model``."""
    return f"{cut_code(descriptions, length_s)}; model.embed(epochs, window_seconds={length_s:g})"


#: Markers taken for events (stimuli, responses: each a moment of its own, as an ERP
#: paradigm's), not markers of states (sleep stages, eyes closed/open, each lasting to the
#: next): at least this many of them, their median spacing under :data:`EVENT_SPACING_S`.
EVENT_MARKERS = 10

#: The median spacing in seconds under which :data:`EVENT_MARKERS` or more markers are
#: events: half of EEGPT's 4 s window (an oddball's stimuli come about every second; a state
#: lasts tens of seconds, a sleep stage's marker every 30 s). BrainVision's stimulus and
#: response markers (MNE's ``'Stimulus/S  1'``, ``'Response/R  1'``, :data:`BRAINVISION_EVENTS`)
#: are events under a whole window (4 s); spaced wider, they may mark states (eyes closed/open
#: blocks marked by stimulus codes).
EVENT_SPACING_S = 2.0

#: The prefixes MNE gives BrainVision's stimulus and response markers.
BRAINVISION_EVENTS = ("Stimulus/", "Response/")


def event_markers_text(descriptions: Sequence[str], onsets: Sequence[float]) -> str:
    """Why markers (of no duration: ``descriptions``, one per marker, and their ``onsets`` in
    seconds) look like events (stimuli, responses) rather than markers of states, "" where
    they do not: :data:`EVENT_MARKERS` or more, a median of under :data:`EVENT_SPACING_S`
    apart (BrainVision's stimulus and response markers, :data:`BRAINVISION_EVENTS`: under
    twice that). Markers of states (a sleep stage every 30 s, eyes closed/open blocks) are
    spaced wider."""
    times = np.unique(np.asarray(onsets, dtype=np.float64))
    if len(times) < EVENT_MARKERS:
        return ""
    spacing = float(np.median(np.diff(times)))
    limit = 2 * EVENT_SPACING_S if brainvision_events(descriptions) else EVENT_SPACING_S
    if spacing >= limit:
        return ""
    return f"{len(times)} markers, a median {spacing:.2g} s apart"


def brainvision_events(descriptions: Sequence[str]) -> bool:
    """Whether any of ``descriptions`` is a BrainVision stimulus or response marker as MNE
    names them (:data:`BRAINVISION_EVENTS`: ``'Stimulus/S  1'``, ``'Response/R  1'``)."""
    return any(str(d).startswith(BRAINVISION_EVENTS) for d in descriptions)


def states_of(descriptions: Sequence[str], limit: int | None = None) -> dict[str, str]:
    """``{description: "^description$"}`` for each of ``descriptions`` (the first ``limit``
    where given; None: all, so that code suggested with them leaves no state out): the
    ``states`` of :func:`markers_to_spans` that takes each as a state of its own. Those that
    mark an epoch as no sleep stage (:data:`UNSCORED`: ``'Sleep stage ?'``) are left out,
    unless all are: :func:`markers_to_spans` ends a span at them by itself, their epochs
    in none."""
    names = list(dict.fromkeys(str(d) for d in descriptions))
    states = [d for d in names if not UNSCORED.search(d.strip())] or names
    return {d: f"^{re.escape(d)}$" for d in states[:limit]}


def select_holding(descriptions: Sequence[str], limit: int | None = None) -> str:
    """The Python that selects the windows of embeddings ``emb`` whose annotations hold any of
    ``descriptions`` (the first ``limit`` where given; None: all), with a boolean mask from
    ``emb.annotations``: ``"emb[['Stimulus/S  1' in a for a in emb.annotations]]"``."""
    names = [str(d) for d in descriptions][:limit]
    held = f"{names[0]!r} in a" if len(names) == 1 else f"any(d in a for d in {tuple(names)!r})"
    return f"emb[[{held} for a in emb.annotations]]"


def label_rule(match: str | Mapping[str, str] | None) -> Callable[[str], str | None]:
    """The label :func:`window_labels` gives an annotation by its description, None for none:
    the description itself where it contains the regular expression ``match`` (every
    description that is not bad for None); with ``{label: regex}``, the label of the first
    regex it contains."""
    if match is None:
        return lambda desc: None if is_bad(desc) else desc
    if isinstance(match, str):
        pattern = re.compile(match)
        return lambda desc: desc if pattern.search(desc) else None
    if not match:
        raise ValueError("match: give at least one {label: regex}")
    rules = [(str(label), re.compile(regex)) for label, regex in match.items()]
    return lambda desc: next((label for label, rx in rules if rx.search(desc)), None)


#: The texts of :func:`warn_loose_patterns`' warnings given inside
#: :func:`patterns_warned_once` (None outside: each call warns).
_PATTERNS_SAID: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "eegpt_patterns_said", default=None
)


@contextlib.contextmanager
def patterns_warned_once(said: set[str]) -> Iterator[None]:
    """Inside the block, :func:`warn_loose_patterns` gives each of its warnings once: one whose
    text is in ``said`` is not given again, and ``said`` gets those given (a command's
    recordings, each checked against the same patterns)."""
    token = _PATTERNS_SAID.set(said)
    try:
        yield
    finally:
        _PATTERNS_SAID.reset(token)


@dataclasses.dataclass(frozen=True)
class CommandLabelling:
    """Which ``eegpt probe`` command labels windows by :func:`window_labels`, so that its
    warnings name what that command line takes (:func:`labelled_by_command`): the
    ``--marker-spans`` of markers that label no window, and for ``'Sleep stage ?'`` made a
    class what it does in that command (:func:`warn_unscored_classes`)."""

    #: ``"train"``, ``"predict"`` or ``"evaluate"``
    command: str
    #: the ``--window-labels`` options of the labelling (given, or the probe's); "" for none
    options: str = ""
    #: the probe's classes (as text) for ``predict`` and ``evaluate``; None in training,
    #: where the labels make the classes
    classes: frozenset[str] | None = None
    #: the command's code run for Python (``EEGPTProbe.predict_table``,
    #: ``evaluate(epoch_seconds=)``), which takes none of its labelling options: the warnings
    #: say what Python does instead
    python: bool = False


_COMMAND_LABELLING: contextvars.ContextVar[CommandLabelling | None] = contextvars.ContextVar(
    "eegpt_command_labelling", default=None
)


@contextlib.contextmanager
def labelled_by_command(how: CommandLabelling | None) -> Iterator[None]:
    """Inside the block, :func:`window_labels` words its warnings for the command line ``how``
    describes (None: for Python, as outside any block)."""
    token = _COMMAND_LABELLING.set(how)
    try:
        yield
    finally:
        _COMMAND_LABELLING.reset(token)


#: Characters of regular-expression syntax: a pattern without any is plain text.
_REGEX_SYNTAX = frozenset("\\^$.|?*+()[]{}")


def loose_matches(regex: str, descriptions: Sequence[str], *, classes: bool = True) -> list[str]:
    """The descriptions among ``descriptions`` that the regular expression ``regex`` matches
    (``re.search``: contains) where that looks unmeant, else []: a pattern of digits alone
    (an event code, ``276``) that matches a description other than that number (``32766``,
    which contains it), or, for a class or state (``classes``: one label for all it matches), a
    pattern of plain text (no regex syntax) that matches descriptions differing from each other
    (``EC`` matching ``EC`` and ``ECG``). A pattern that holds regex syntax (``fnsz|gnsz``,
    ``^EC$``) is taken as meant."""
    if not regex or _REGEX_SYNTAX & set(regex):
        return []
    rx = re.compile(regex)
    matched = sorted({str(d) for d in descriptions if rx.search(str(d))})
    if regex.isdigit() and any(d != regex for d in matched):
        return matched
    return matched if classes and len(matched) > 1 else []


def warn_loose_patterns(
    descriptions: Sequence[str], patterns: str | Mapping[str, str] | None, what: str
) -> None:
    """Warn of each pattern of ``patterns`` (``{label: regex}``, or one regex, as
    :func:`label_rule` takes them) that matches ``descriptions`` loosely
    (:func:`loose_matches`), naming the descriptions it matched and the anchored pattern that
    matches the description it is written as only. ``what`` is ``"--marker-spans"``,
    ``"--window-labels"`` or ``"--epochs-around"``, for the command-line form of the
    suggestion (the Python one is given too). The one check of patterns that
    :func:`markers_to_spans`, :func:`window_labels` and
    :func:`eegpt.event_epochs.cut_epochs` share."""
    if patterns is None:
        return
    classes = isinstance(patterns, Mapping)
    rules = dict(patterns) if isinstance(patterns, Mapping) else {"": patterns}
    for label, regex in rules.items():
        matched = loose_matches(regex, descriptions, classes=classes)
        if not matched:
            continue
        anchored = f"^{regex}$"
        if classes:
            kind = "state" if what == "--marker-spans" else "class"
            given, fixed = f"{label}={regex}", f"{label}={anchored}"
            python = f"{{{label!r}: {anchored!r}}}"
            whose = f"of the {kind} {label!r} ({what} {shlex.quote(given)})"
            taken = f"all of them are {'markers of' if kind == 'state' else 'labelled'} {label!r}"
        else:
            given, fixed, python = regex, anchored, repr(anchored)
            whose = f"({what} {shlex.quote(given)})"
            taken = "each is a label of its own"
        if what == "--epochs-around":  # EpochsAround's patterns: (NAME or None, REGEX)
            python = f"EpochsAround((({label if classes else None!r}, {anchored!r}),))"
        text = (
            f"The pattern {regex!r} {whose} matches {_descriptions_text(matched)}. A pattern "
            f"matches every description that contains it (re.search), so {taken}. If only "
            f"{regex!r} is meant, anchor the pattern: {what} {shlex.quote(fixed)} ({python} in "
            "Python)"
        )
        _warn_once_per_command(text)


#: Descriptions of scoring epochs that are no sleep stage (:func:`warn_unscored_classes`;
#: markers that end a stage span in :func:`markers_to_spans`): Sleep-EDF's (R&K's) epochs left
#: unscored and movement time (``'Sleep stage ?'``, ``'Movement time'``), the CAP Sleep
#: Database's and Embla RemLogic's (``'SLEEP-UNSCORED'``, ``'SLEEP-MT'``) and ``'Stage - No
#: Stage'``.
UNSCORED = re.compile(
    r"^(sleep[\s_-]*)?stage[\s_-]*(\?|unscored|unknown|no[\s_-]*stage)$"
    r"|^sleep[\s_-]*(unscored|mt)$|^(movement[\s_]*time|unscored)$",
    re.IGNORECASE,
)


def warn_unscored_classes(
    descriptions: Sequence[str], match: str | Mapping[str, str] | None
) -> None:
    """Warn where ``match`` (as :func:`label_rule` takes it) labels annotations that mark
    scoring epochs as no sleep stage (:data:`UNSCORED`: ``'Sleep stage ?'``, left unscored;
    ``'Movement time'``) as a class beside the stages: a pattern that makes each description
    its own class (``'^Sleep stage'``) and labels stages too, or a class that holds stages
    too. Windows nobody scored as a stage would be trained and scored as one. A class of such
    descriptions alone (``{"MT": "^Movement time$"}``, ``--unlabelled``) is taken as meant,
    and so is no pattern (``match=None``: every annotation its own label, as asked). Once per
    command inside :func:`patterns_warned_once`, as :func:`warn_loose_patterns`."""
    if match is None:
        return
    label_of = label_rule(match)
    found = sorted({d for d in descriptions if UNSCORED.search(d.strip())})
    taken = {d: label_of(d) for d in found if label_of(d) is not None}
    others = {label_of(d) for d in set(descriptions) - set(found)} - {None}
    if not taken or not others:
        return
    use = _COMMAND_LABELLING.get()
    if use is not None and use.classes is not None:  # probe predict, evaluate
        # labels the probe has no class of: predict's agreement and evaluate leave them out
        taken = {d: label for d, label in taken.items() if str(label) in use.classes}
        if not taken:
            return
    if isinstance(match, Mapping):
        taken = {d: label for d, label in taken.items() if label in others}
        if not taken:
            return
        classes = sorted({str(label) for label in taken.values()})
        how = ", ".join(
            f"{c!r} (--window-labels {shlex.quote(f'{c}={match[c]}')})" for c in classes
        )
        said = f"the class{'es' if len(classes) > 1 else ''} {how}, beside sleep stages"
    else:
        given = f"--window-labels {shlex.quote(match)}"
        if use is not None and use.python:  # the probe's, from probe train
            given = f"the probe's labelling ({given}, from its training)"
        said = f"{'a class of its' if len(taken) == 1 else 'classes of their'} own by {given}"
    what = "; ".join(
        f"{d!r}: {'movement time' if 'movement' in d.lower() else 'an epoch left unscored'}"
        for d in taken
    )
    head = (
        f"{' and '.join(repr(d) for d in taken)} {'is' if len(taken) == 1 else 'are'} "
        f"labelled as {said}, though no sleep stage ({what})"
    )
    if use is None or use.classes is None:  # training (or Python): the labels make classes
        text = head + (
            ": windows nobody scored as a stage are then trained and scored as if they were "
            "one. Leave them out with a pattern that does not match them, e.g. "
            "--window-labels '^Sleep stage [W1234R]$' (match='^Sleep stage [W1234R]$' in "
            "Python), or keep them on purpose as a class of their own alone, e.g. "
            "--window-labels 'MT=^Movement time$'"
        )
    elif use.python:  # predict_table, evaluate(epoch_seconds=): no labelling to give
        labels = sorted({str(label) for label in taken.values()})
        has = f"the probe has {few([repr(c) for c in labels], 3)} among its classes"
        kept = f"table[~table['label'].isin({labels!r})]"
        if use.command == "predict":
            did = (
                "their rows' label column holds them as if scored as a stage; leave those rows "
                f"out of any comparison with the scored stages: {kept}"
            )
        else:
            did = (
                "those epochs are scored as if they were a stage in these metrics, and "
                "evaluate takes no labelling to change that: score the rows of "
                f"probe.predict_table(...) without them ({kept}) instead"
            )
        text = (
            f"{head}, and {has}: {did}; a probe trained on the stages alone (probe train "
            "--window-labels '^Sleep stage [W1234R]$') has no such class"
        )
    else:  # a trained probe's classes hold them
        labels = sorted({str(label) for label in taken.values()})
        has = f"the probe has {few([repr(c) for c in labels], 3)} among its classes"
        if use.command == "predict":
            did = (
                "those windows are compared with its predictions as if scored as a stage "
                "(the label column, the agreement with the scored stages). Leave them out of "
                "the comparison (their label left empty)"
            )
        else:
            did = (
                "those windows are scored as if they were a stage in these metrics. Leave "
                "them out of the scores"
            )
        text = (
            f"{head}, and {has}: {did} with a pattern that does not match them, e.g. "
            "--window-labels '^Sleep stage [W1234R]$'; a probe trained with such a pattern "
            "(probe train --window-labels '^Sleep stage [W1234R]$') learns the stages alone"
        )
    _warn_once_per_command(text)


def _warn_once_per_command(text: str) -> None:
    """Warn ``text``, but once per command inside :func:`patterns_warned_once` (a text said
    there before is not said again)."""
    said = _PATTERNS_SAID.get()
    if said is not None:
        if text in said:
            return
        said.add(text)
    _warn(text)


def _descriptions_text(matched: Sequence[str]) -> str:
    """``"2 different annotation descriptions: '276', '32766'"``, or for one, ``"the
    annotation description '32766'"``."""
    if len(matched) == 1:
        return f"the annotation description {matched[0]!r}"
    shown = few([repr(d) for d in matched], 8)
    return f"{len(matched)} different annotation descriptions: {shown}"
