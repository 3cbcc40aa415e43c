"""A continuous recording as ``eegpt probe``'s labelled windows.

:func:`labelled_windows` cuts a continuous recording into the windows ``eegpt embed`` cuts
(resampled whole to the model's rate, read block by block) and labels them as a
:class:`~eegpt.window_labelling.WindowLabelling` says (by its annotations, or left for the rows
of a ``--labels`` file); :func:`refuse_unmatched` refuses ``--window-labels`` that labelled no
window, saying why; :func:`is_continuous_input` tells which inputs are continuous recordings.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP, seconds_text
from eegpt.window_labelling import (
    WindowLabelling,
    labelling_options,
    marker_spans_options,
    opened_key,
)


def labelled_windows(
    path: Path,
    how: WindowLabelling,
    resample: Literal["polyphase", "nearest"] = "polyphase",
    *,
    keep_channels: str | Sequence[str] | None = None,
    rename: Any = None,
    picks: str | Sequence[str] = "eeg",
) -> tuple[Any, np.ndarray]:
    """A continuous recording as epochs (the windows ``how`` keeps, in volts at the model's
    rate, numbered and timed in the recording) and their labels from its own annotations.

    The windows are those ``eegpt embed`` and ``probe predict`` cut (:func:`_window_stream`):
    the recording resampled whole with ``resample`` and cut at the model's rate, read block
    by block, not re-referenced, scaled or detrended (the probe's preprocessing does that to
    them as to epochs, with the same result). Every channel of the types ``picks`` names
    (``--picks``; EEG by default) is read; ``keep_channels``
    and ``rename`` (the channels the probe's mapping keeps and drops) decide which channels
    marked bad are warned of as left out (:func:`eegpt.streaming.open_stream`)."""
    from eegpt.annotations import bad_windows, describe_bad, label_rule, markers_text

    streamed, stream, annotations, start = _window_stream(
        path, how, resample, keep_channels, rename, picks
    )
    onsets, n = stream.onsets, stream.n_windows
    if how.match is None:  # --labels FILE: every window, labelled by the file
        return _windows_for_labels_file(path, how, streamed, stream, annotations, start)
    # bad: also those the resampling filter reaches across a join or cut from, as embed's
    y, over = how.label(
        annotations, onsets, how.window_seconds, path, sfreq=streamed.sfreq, resample=resample
    )
    bad = bad_windows(over)
    unmatched = ~bad & np.array([v is None for v in y], dtype=bool)  # no --unlabelled class
    keep = ~bad & ~unmatched
    counts = {c: int((y[keep] == c).sum()) for c in dict.fromkeys(y[keep].tolist())}
    said = ", ".join(f"{c!r} {k}" for c, k in counts.items()) or "none labelled"
    left = []
    label_of = label_rule(how.match)
    if bad.any():
        left.append(f"left out {int(bad.sum())} over bad annotations ({describe_bad(over)})")
    if unmatched.any():
        under = unmatched_under(over, unmatched, label_of)
        left.append(
            f"left out {int(unmatched.sum())} that no annotation matching "
            f"{labelling_options(how.match)} covers "
            "(--unlabelled LABEL keeps them as a class)"
            + (f", under annotations it does not match: {under}" if under else "")
        )
    found = [] if annotations is None else annotations.description
    descriptions = sorted({str(d) for d in found})
    how.matched[str(path)] = (
        []
        if annotations is None
        else [
            (str(d), float(t), float(o))
            for d, t, o in zip(found, annotations.duration, annotations.onset, strict=True)
            if label_of(str(d)) is not None
        ]
    )
    length = streamed.n_times / streamed.sfreq
    unscored = unscored_annotations(
        annotations, onsets, how.window_seconds, y, keep, bad, label_of, length
    )
    how.unscored[str(path)] = unscored
    if unscored:
        from eegpt._logging import warn

        warn(unscored_text(path, unscored, how, length, onsets))
    if not any(label_of(d) is not None for d in descriptions):
        from eegpt._logging import few

        left.append(
            f"no annotation matches {labelling_options(how.match)} (its descriptions: "
            f"{few([repr(d) for d in descriptions], 8) or 'none'})"
        )
    hop = stream.config.step_samples / stream.config.sfreq
    marked = markers_text(how.marked.get(opened_key(path), {}))
    print(
        f"{path}: {n} windows of {how.window_seconds:g} s"
        + (f" every {hop:g} s (--overlap {how.overlap:g})" if how.overlap else "")
        + (f" from {seconds_text(start)} s" if how.per_recording else "")
        + f": {said}"
        + (f" ({marked})" if marked else "")
        + (f"; {'; '.join(left)}" if left else ""),
        file=sys.stderr,
    )
    if not keep.any():
        hint = ""
        if how.validation and not how.extra:
            hint = (
                "; --annotations applies to the training files only: give the --val-data "
                "recordings' annotation files (hypnograms) with --val-annotations FILE, one "
                "per continuous --val-data recording"
            )
        raise ValueError(
            f"{path}: no window labelled by {how.options}"
            + ("" if how.unlabelled is not None else " (and no --unlabelled class given)")
            + hint
        )
    return _windows_recording(path, streamed, stream, keep), y[keep]


def unscored_annotations(
    annotations: Any,
    onsets: np.ndarray,
    length_s: float,
    y: np.ndarray,
    keep: np.ndarray,
    bad: np.ndarray,
    label_of: Any,
    duration_s: float | None = None,
) -> list[tuple[str, float, str, str]]:
    """The annotations (onsets in s from the first sample, as the windows') that the labelling
    ``label_of`` (:func:`eegpt.annotations.label_rule`) gives a class and that last, yet that
    no window kept with that class overlaps (windows at ``onsets``, s, of ``length_s``; their
    labels ``y`` and the masks ``keep`` and ``bad``, each ``(n_windows,)``): neither a window's
    label nor a scored event holds them. Each as ``(description, onset, class, why)``, why
    ``"tail"`` (after the last whole window: the end shorter than a window is not cut; or
    running into that end, the part in windows too little to label one), ``"start"`` (before
    the first window, ``--start``; or running into it) or ``"bad"`` (its windows are over bad
    annotations, left out). Those inside the windows kept that cover too little of them to
    label one (``--min-overlap``), and markers (of no duration, or a sample as MNE reads a
    BrainVision marker: :data:`eegpt.annotation_labels.MARKER_S`), are not listed: the warnings of
    :func:`eegpt.annotations.window_labels` tell of them; nor are those off the recording
    (``duration_s`` s long from its first sample: starting at or after its end, or ending at
    or before its start, as a hypnogram's last stages that run past the night's end), which no
    window could hold and no ``--start`` takes in (an ``--annotations`` file's that start
    after the end are warned of where it is read)."""
    from eegpt.annotation_labels import MARKER_S

    if annotations is None or not len(annotations) or not len(onsets):
        return []
    onsets = np.asarray(onsets, dtype=np.float64)
    first, end = float(onsets.min()), float(onsets.max()) + length_s
    found = []
    for start, duration, desc in zip(
        annotations.onset, annotations.duration, annotations.description, strict=True
    ):
        label = label_of(str(desc))
        if label is None or duration <= MARKER_S:  # markers: one sample long at most
            continue
        stop = float(start) + float(duration)
        if duration_s is not None and (float(start) >= duration_s or stop <= 0.0):
            continue  # off the recording: no sample of it to label
        hit = (onsets < stop) & (onsets + length_s > float(start))
        if (hit & keep & (y == label)).any():
            continue
        if hit.any():  # in windows: over bad spans only, or too short to label (not listed)
            if bad[hit].all():
                found.append((str(desc), float(start), str(label), "bad"))
            elif stop > end or start < first:  # partly in the dropped tail (before --start)
                found.append(
                    (str(desc), float(start), str(label), "tail" if stop > end else "start")
                )
        elif start >= end or stop <= first:
            found.append((str(desc), float(start), str(label), "tail" if start >= end else "start"))
    return found


#: Why an annotation lies in no window labelled its class (:func:`unscored_annotations`)
_UNSCORED_WHY = {
    "tail": "after the last whole window (or running past its end)",
    "start": "before the first window (--start)",
    "bad": "inside bad spans, whose windows are left out",
}


def unscored_text(
    path: str | Path,
    unscored: Sequence[tuple[str, float, str, str]],
    how: WindowLabelling,
    duration: float,
    onsets: np.ndarray,
) -> str:
    """The warning that ``unscored`` annotations (:func:`unscored_annotations`) of the
    recording ``path`` (``duration`` s long, its windows at ``onsets``, s) label no window,
    so neither the windows' labels nor ``--event-scoring``'s scored events hold them: how
    many, the first few onsets, and why."""
    from eegpt._logging import few

    reasons = Counter(why for *_, why in unscored)
    shown = few([f"{d!r} at {t:.6g} s" for d, t, *_ in unscored], 4)
    whys = "; ".join(f"{k} {_UNSCORED_WHY[w]}" for w, k in reasons.items())
    text = (
        f"{path}: {len(unscored)} annotation{'s' if len(unscored) != 1 else ''} matching "
        f"{labelling_options(how.match or '')} fall{'s' if len(unscored) == 1 else ''} in no window "
        f"labelled {'its' if len(unscored) == 1 else 'their'} class ({shown}): {whys}. No "
        "window's label, and no event that --event-scoring scores, holds "
        + (
            "it, so the scores leave it out"
            if len(unscored) == 1
            else "them, so the scores leave them out"
        )
    )
    if "tail" in reasons and len(onsets):
        text += ". " + tail_text(onsets, how.window_seconds, duration)
    return text


def tail_text(onsets: np.ndarray, window: float, duration: float) -> str:
    """What happens to the end of a recording ``duration`` s long after its last whole window
    (windows of ``window`` s at ``onsets``, s), and how to take it in: windows that end at
    the recording's end (``--start``)."""
    ends = float(np.max(onsets)) + window
    tail = duration - ends
    return (
        f"The last whole {window:g} s window ends at {ends:.6g} s of {duration:.6g} s: the "
        f"last {tail:.3g} s, shorter than a window, are dropped (windows are cut whole, as "
        f"embed cuts them); --start {float(np.min(onsets)) + tail:.6g} moves the windows so "
        "that the last one ends at the recording's end"
    )


def unmatched_under(
    over: Sequence[Sequence[str]], unmatched: np.ndarray, label_of: Any, limit: int = 6
) -> str:
    """``"'Sleep stage N2' 9, 'Sleep stage ?' 2"``: the descriptions of the annotations over
    the windows left out as matching no pattern (``unmatched``, shape ``(n_windows,)``; ``over``
    the descriptions over each window), that the labelling ``label_of``
    (:func:`eegpt.annotations.label_rule`) does not match, each with the number of those
    windows under it, most first (``limit`` of them named); "" where they lie under none (past
    the last scored epoch). Says what was left out: stages a pattern misses (AASM's
    ``Sleep stage N2`` under a pattern written for R&K's ``Sleep stage 2``) as well as
    unscored epochs."""
    from collections import Counter

    from eegpt._logging import few

    counts: Counter[str] = Counter()
    for window in np.flatnonzero(unmatched):
        counts.update({str(d) for d in over[int(window)] if label_of(str(d)) is None})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return few([f"{d!r} {k}" for d, k in ranked], limit)


def open_for_windows(path: str | os.PathLike, how: WindowLabelling) -> Any:
    """The continuous recording ``path`` opened for streaming as :func:`_window_stream` opens
    it (:func:`eegpt.streaming.open_stream`, unmapped), kept in ``how.opened`` for it: a
    recording whose annotations are looked at before the windows are cut (a BIDS recording,
    read with its sidecars by MNE-BIDS) is then opened once."""
    from eegpt.streaming import open_stream

    streamed = open_stream(Path(path), unmapped=True, verbose=False)
    how.opened[opened_key(path)] = streamed
    return streamed


def _window_stream(
    path: Path,
    how: WindowLabelling,
    resample: Literal["polyphase", "nearest"],
    keep: str | Sequence[str] | None = None,
    rename: Any = None,
    picks: str | Sequence[str] = "eeg",
) -> tuple[Any, Any, Any, float]:
    """``(streamed, stream, annotations, start)``: the continuous recording ``path`` opened
    for streaming with every channel :func:`eegpt.io.as_recording` reads (of the types
    ``picks`` names: EEG by default)
    (:func:`eegpt.streaming.open_stream`, unmapped), its windows as ``eegpt embed`` cuts them
    (:class:`eegpt.streaming.WindowStream`: resampled whole to the model's rate with
    ``resample``, then cut into windows of ``how.window_seconds`` a hop apart (``how.overlap``)
    from ``start``), in volts, neither re-referenced nor detrended, the signal checks left to
    the probe's preprocessing of the windows; its annotations with those of its
    ``--annotations`` file; and the first window's onset in seconds (``--start``)."""
    from eegpt.errors import RecordingError
    from eegpt.preprocessing import PreprocessingConfig, start_on_grid
    from eegpt.resampling import resampled_length
    from eegpt.streaming import WindowStream, open_stream
    from eegpt.windowing import start_text

    key = opened_key(path)
    streamed = how.opened.pop(key, None)  # opened already for a check (EEG channels)
    if streamed is not None and picks != "eeg":  # other types: opened again, reading them
        streamed = None
    made = key in how.annotated and streamed is not None  # its annotations too
    annotations = how.annotated.pop(key, None)
    if streamed is None:
        streamed = open_stream(
            path, unmapped=True, keep=keep, rename=rename, picks=picks, verbose=False
        )
    sfreq = float(PreprocessingConfig().sfreq)  # the model's rate, where windows are cut
    length = int(round(how.window_seconds * sfreq))
    if length < 1 or abs(length / sfreq - how.window_seconds) > 0.5 / sfreq:
        raise ValueError(
            f"{path}: windows of {how.window_seconds:g} s are no whole number of samples at "
            f"the model's {sfreq:g} Hz; choose a window that is"
        )
    if not made:
        annotations = how.annotations(streamed)
    start = start_on_grid(how.start_of(path, annotations, sfreq), sfreq)
    given, option = how.given.get(str(path), (start, "--start"))  # as the messages quote it
    first = int(round(start * sfreq))
    hop = _hop_samples(path, how, sfreq, length)
    n_out = resampled_length(streamed.n_times, streamed.sfreq, sfreq, resample, warn=False)
    if max(0, (n_out - first - length) // hop + 1) == 0:
        raise RecordingError(
            f"{path}: the recording lasts {streamed.n_times / streamed.sfreq:.3f} s, shorter "
            f"than one window ({how.window_seconds:g} s)"
            + (f" after the first window's start ({start_text(given, sfreq, option)})"
               if first else "")
        )  # fmt: skip
    config = PreprocessingConfig(
        window_seconds=how.window_seconds, overlap=how.overlap, start_seconds=first / sfreq,
        resample=resample, average_reference=False, scale=1.0, detrend="none", tail="drop",
    )  # fmt: skip
    # the windows over bad annotations are left out (train, evaluate): NaN/Inf samples all
    # inside them are filled as embed --reject-by-annotation fills them, others refused
    stream = WindowStream(streamed, config, checks=False, bad_spans=_rejected_spans(annotations))
    return streamed, stream, annotations, start


def _rejected_spans(annotations: Any) -> Any:
    """The :class:`eegpt.annotations.BadSpans` of ``annotations`` (a continuous recording's
    own with those of its ``--annotations`` file, onsets in seconds from its first sample;
    or None) with ``reject``: the probe's windows over bad annotations are left out, as
    ``eegpt embed --reject-by-annotation`` leaves them out. None without bad spans."""
    from types import SimpleNamespace

    from eegpt.annotations import BadSpans

    if annotations is None:
        return None
    return BadSpans.of(SimpleNamespace(annotations=annotations), reject=True)


#: Windows per block read from a recording for a probe's training windows (float64 volts)
_BLOCK_WINDOWS = 16


def _windows_recording(path: Path, streamed: Any, stream: Any, keep: np.ndarray) -> Any:
    """The windows of ``stream`` (a :class:`eegpt.streaming.WindowStream` of ``streamed``)
    where ``keep`` (bool, one per window) as an epoched :class:`eegpt.io.Recording`:
    ``[n_kept, C, T]`` float64 volts at the model's rate, numbered (``selection``) and timed
    (``onsets``, s from the first sample) in the recording, with its channels' facts. Only
    the kept windows are held, read block by block."""
    from eegpt.io import Recording, left_out_channels, stored_projections, unapplied_projectors

    raw = streamed.raw
    names = [raw.ch_names[i] for i in streamed.picks]
    kept = np.flatnonzero(keep)
    data = np.empty((len(kept), streamed.n_channels, stream.config.n_samples))
    if len(kept):
        k = 0
        blocks = stream.blocks(_BLOCK_WINDOWS, int(kept[0]), int(kept[-1]) + 1, dtype=np.float64)
        for w0, block in blocks:
            rows = keep[w0 : w0 + len(block)]
            m = int(rows.sum())
            data[k : k + m] = block[rows]
            k += m
    types = raw.get_channel_types()
    return Recording(
        data, names, float(stream.config.sfreq), source=str(path),
        ch_types=[types[i] for i in streamed.picks], onsets=stream.onsets[kept],
        units=streamed.units, first_time=streamed.first_time, file_offset=streamed.file_offset,
        meas_date=streamed.meas_date, date_clock=streamed.date_clock, clock=streamed.clock,
        selection=kept.tolist(), projectors=unapplied_projectors(raw.info) or None,
        rates=streamed.rates, projections=stored_projections(raw.info),
        bads=streamed.bads or None, left_out=left_out_channels(raw.info, names),
        filters=streamed.filters, truncated=streamed.truncated,
    )  # fmt: skip


def _hop_samples(path: Path, how: WindowLabelling, sfreq: float, length: int) -> int:
    """The samples between window onsets of the recording ``path`` at ``sfreq`` (Hz, the
    model's): ``length`` (consecutive windows), or with ``how.overlap`` (``--overlap``) the
    window less the overlap, refused where that is no whole number of samples."""
    from eegpt.preprocessing import SAMPLE_TOLERANCE

    if not how.overlap:
        return length
    step = (how.window_seconds - how.overlap) * sfreq
    hop = int(round(step))
    if hop < 1 or abs(hop - step) > SAMPLE_TOLERANCE:
        fits = how.window_seconds - max(hop, 1) / sfreq
        raise ValueError(
            f"{path}: --overlap {how.overlap:g} s leaves a hop of {step:.10g} samples between "
            f"the {how.window_seconds:g} s windows at the model's {sfreq:g} Hz, where train, "
            f"evaluate and predict cut them: give an overlap whose hop is whole samples, such "
            f"as --overlap {fits:.10g}"
        )
    return hop


def _windows_for_labels_file(
    path: Path, how: WindowLabelling, streamed: Any, stream: Any, annotations: Any, start: float
) -> tuple[Any, np.ndarray]:
    """All windows of a continuous recording (``stream`` of ``streamed``, from ``start`` s)
    for ``--labels FILE`` (no labels yet: the file's rows are matched to them by
    :func:`~eegpt.probe_label_files.load_labelled_epochs`, which then leaves out those over bad
    annotations, kept in ``how.bad``)."""
    from eegpt.annotation_overlap import resampled_window_annotations
    from eegpt.annotations import bad_windows, describe_bad

    n = stream.n_windows
    over = resampled_window_annotations(
        annotations, stream.onsets, how.window_seconds, sfreq=streamed.sfreq,
        new_sfreq=stream.config.sfreq, resample=stream.config.resample,
    )  # fmt: skip
    bad = bad_windows(over)
    how.bad[str(path)] = bad
    print(
        f"{path}: {n} windows of {how.window_seconds:g} s"
        + (f" from {seconds_text(start)} s" if how.per_recording or start else "")
        + f", labelled by the rows of {how.labels_file} (its annotations label none)"
        + (
            f"; {int(bad.sum())} over bad annotations ({describe_bad(over)}) left out after "
            "the rows are matched to the windows"
            if bad.any()
            else ""
        ),
        file=sys.stderr,
    )
    epochs = _windows_recording(path, streamed, stream, np.ones(n, dtype=bool))
    return epochs, np.full(n, None, dtype=object)


def refuse_unmatched(
    paths: Sequence[str | Path],
    ys: list[Any],
    windows: WindowLabelling | None,
    unlabelled_only: bool = False,
) -> None:
    """Refuse ``--window-labels`` that labelled no window of any continuous recording (all
    of them ``--unlabelled``): a regular expression that matches none of their annotations
    (each file's line above lists its descriptions), or only markers too short to cover a
    window's ``--min-overlap`` (:func:`_unmatched_text`). With ``unlabelled_only`` (``probe
    evaluate``: false alarms on recordings without events) warn instead."""
    if windows is None or windows.unlabelled is None:
        return
    continuous = [(p, y) for p, y in zip(paths, ys, strict=True) if is_continuous_input(Path(p))]
    if not continuous or not all(set(y.tolist()) <= {windows.unlabelled} for _, y in continuous):
        return
    why = _unmatched_text(windows, [p for p, _ in continuous])
    if unlabelled_only:
        from eegpt._logging import warn

        warn(
            f"{windows.options} labelled every window of the continuous recordings "
            f"{windows.unlabelled!r}, so only that class is present, as in recordings without "
            "events; the scores of the other classes are their false positives. " + why
        )
        return
    raise ValueError(
        f"{windows.options} labelled every window of the continuous recordings "
        f"{windows.unlabelled!r}: only one class ({windows.unlabelled!r}) is present, and a "
        "classifier needs at least 2. " + why
    )


def warn_split_classes(ys: Sequence[np.ndarray | None], windows: WindowLabelling | None) -> None:
    """Warn where a lone ``--window-labels REGEX`` of training (each description it matches a
    class of its own) gave classes whose names differ only in case or spelling
    (:func:`_alike_names`: ``'Seizure'`` and ``'seizure'``, ``'SEIZ'`` and ``'seizure'``),
    labels ``ys`` (one array per input; None: an input without labels): the probe would learn them as separate classes. Says
    the ``LABEL=REGEX`` form that merges them."""
    import shlex

    if windows is None or not isinstance(windows.match, str) or windows.classes is not None:
        return
    classes = sorted(
        {
            str(v)
            for y in ys
            if y is not None
            for v in np.asarray(y, dtype=object).tolist()
            if v is not None
        }  # fmt: skip
        - {str(windows.unlabelled)}
    )
    groups = _alike_names(classes)
    if not groups:
        return
    from eegpt._logging import few, warn

    group = groups[0]
    name = max(group, key=len).casefold()
    merged = shlex.quote(f"{name}={windows.match}")
    warn(
        f"--window-labels {shlex.quote(windows.match)} makes each description it matches a "
        f"class of its own, and {few([repr(c) for c in group], 4)} differ only in case or "
        f"spelling: the probe would learn {len(classes)} classes of events "
        f"({few([repr(c) for c in classes], 6)}), not one. To merge the descriptions into one "
        f"class, name it: --window-labels {merged} (one LABEL=REGEX option per class for "
        "several)"
    )


def _alike_names(names: Sequence[str]) -> list[list[str]]:
    """The groups (two or more each, in ``names``' order) of ``names`` that are one name up to
    case, spaces and separators (``'Seizure'``, ``'seizure'``, ``'SEIZURE '``, ``'spike-wave'``,
    ``'spike_wave'``), or of which one of at least 3 letters begins another and the rest is
    letters (``'SEIZ'``, ``'seizure'``); not ``'S 1'`` and ``'S 11'``, which differ by a
    number, nor names that differ by a symbol other than a separator (Sleep-EDF's unscored
    ``'Sleep stage ?'`` is no spelling of ``'Sleep stage W'``; ``'T+'``, ``'T-'``)."""

    def key(name: str) -> str:
        return re.sub(r"[\s_\-./:,;]+", "", name.casefold())

    def alike(a: str, b: str) -> bool:
        short, long = sorted((key(a), key(b)), key=len)
        rest = long[len(short) :]
        return short == long or (len(short) >= 3 and long.startswith(short) and rest.isalpha())

    groups: list[list[str]] = []
    for name in names:
        group = next((g for g in groups if any(alike(name, other) for other in g)), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    return [g for g in groups if len(g) > 1]


def _unmatched_text(windows: WindowLabelling, paths: Sequence[str | Path]) -> str:
    """Why the ``--window-labels`` of ``windows`` labelled no window of the continuous
    recordings ``paths``: no annotation matches (each recording's line above lists its
    descriptions), or those that match are markers (of zero or little duration, as
    BrainVision's stimuli are) that cover less of a window than ``--min-overlap`` asks; and
    what to do instead."""
    from eegpt._logging import few
    from eegpt.annotation_labels import (
        MARKER_S,
        MarkerCode,
        brainvision_events,
        event_markers_text,
        marker_spans_shown,
    )
    from eegpt.annotations import states_of

    found = [m for p in paths for m in windows.matched.get(str(Path(p)), [])]
    if not found:
        return (
            "The pattern matches none of their annotations (each recording's line above lists "
            "its descriptions; MNE names BrainVision markers 'Stimulus/S  1', 'Comment/seizure', "
            "EEGLAB events as written): give recordings that hold events too, or check the pattern"
        )
    # outside every window kept (after the last, before the first, over bad spans)
    placed = [u for p in paths for u in windows.unscored.get(str(Path(p)), [])]
    if placed and len(placed) == len(found):
        whys = "; ".join(
            f"{k} {_UNSCORED_WHY[w]}" for w, k in Counter(u[3] for u in placed).items()
        )
        text = (
            f"{len(found)} of their annotations match the pattern "
            f"({few([f'{d!r} at {t:.6g} s' for d, t, *_ in placed], 3)}), but none lies in a "
            f"window kept: {whys}"
        )
        if any(u[3] == "tail" for u in placed):
            text += (
                ": the windows are cut whole, so the end of a recording shorter than a window "
                "is dropped; --start SECONDS moves them to end at the recording's end (the "
                "warning above gives the start)"
            )
        return text
    names = list(dict.fromkeys(d for d, _, _ in found))
    code = MarkerCode(tuple(str(d) for d in names), windows.match)  # whole, of many too
    longest = max(t for _, t, _ in found)
    lasts = "all last 0 s" if longest <= 0 else f"last at most {longest:.3g} s"
    need = windows.min_overlap * windows.window_seconds
    text = (
        f"{len(found)} of their annotations match the pattern "
        f"({few([repr(d) for d in names], 3)}), but they {lasts}, less than a label needs "
        f"({_cover_text(windows.min_overlap)}: {need:g} s of each {windows.window_seconds:g} s "
        "window, --min-overlap): markers of moments (stimuli, responses), not spans of time. "
    )
    if longest > 0:
        text += (
            "--min-overlap 1e-6 labels a window by any overlap: each window a marker falls in "
            "takes its class, the others the --unlabelled one. "
        )
    else:
        text += "--min-overlap cannot help: an annotation of no duration covers no window. "
    events = [  # each recording's markers of events (many close together: an ERP's)
        event_markers_text([d for d, _, _ in marks], [o for _, t, o in marks if t <= MARKER_S])
        for marks in (windows.matched.get(str(Path(p)), []) for p in paths)
    ]
    if any(events) or brainvision_events(names):
        why = next((e for e in events if e), "BrainVision's stimulus and response markers")
        text += (
            f"These look like events ({why}): cut epochs around them (here -0.2 .. 0.8 s; set "
            "tmin and tmax for your design), each labelled by its marker: in Python "
            f"{code.setup}{code.cut(1.0)}; epochs.save('rec-epo.fif'), then train on that file "
            "(--window 1; docs/downstream.md)."
        )
        if any(events):  # close together: no state lasts so briefly
            return text + (
                " Spans from markers (--marker-spans) are for markers of states (sleep "
                "stages, eyes closed/open blocks) only: made spans, these would label each "
                "window by whichever marker came last before it"
            )
        return text + (
            " If they mark states instead (blocks of eyes closed and eyes open marked by "
            "stimulus codes), each state lasting from its marker to the next: "
            f"{marker_spans_shown(states_of(names))} (the windows then labelled by state name; "
            f"or in Python, {code.setup}"
            f"raw.set_annotations(eegpt.annotations.markers_to_spans(raw, {code.states})); "
            "raw.save('rec_spans_raw.fif'), then train on that file)"
        )
    found_pair = _start_and_end_states(names, windows.unlabelled, windows.match)
    if found_pair is not None:  # 'Seizure onset', 'Seizure end': each end's state is no event
        paired, start, end = found_pair
        rest = list(paired)[1]
        return text + (
            f"They look like the start and end of events ({start!r}, {end!r}): make each "
            "event a span from its start marker to its end marker, the time from an end to the "
            f"next start {rest!r}: {marker_spans_options(paired)} (or in Python, "
            f"raw.set_annotations(eegpt.annotations.markers_to_spans(raw, {paired!r})); "
            "raw.save('rec_spans_raw.fif'), then train on that file). A state named after the "
            f"end marker ({end!r}) would match the pattern too, labelling the time after each "
            "event as the event"
        )
    return text + (
        "Markers of states (eyes closed, eyes open) label the time between them once turned "
        "into spans, each state from its marker to the next: "
        f"{marker_spans_shown(states_of(names))} (the windows then labelled by state name; "
        f"or in Python, {code.setup}"
        f"raw.set_annotations(eegpt.annotations.markers_to_spans(raw, {code.states})); "
        "raw.save('rec_spans_raw.fif'), then train on that file). For responses to the "
        "markers, cut epochs around them (mne.Epochs, docs/downstream.md), save them "
        "(epochs.save('rec-epo.fif')) and train on those, labelled by their events"
    )


_START_WORDS = re.compile(r"(?i)(?:^|[\s_/-])(onset|start|begin|beginning)(?:$|[\s_/-])")
_END_WORDS = re.compile(r"(?i)(?:^|[\s_/-])(end|offset|stop|termination)(?:$|[\s_/-])")


def _start_and_end_states(
    names: Sequence[str], unlabelled: str | None, match: str | dict[str, str] | None = None
) -> tuple[dict[str, str], str, str] | None:
    """``--marker-spans`` states for markers of no duration that name the start and the end
    of events (``'Seizure onset'`` and ``'Seizure end'``: one of each kind among ``names``):
    ``{event: start regex, rest: end regex}``, the event named by the start marker without
    its start word (``'Seizure'``) where ``match`` (``--window-labels``' pattern or
    ``{label: regex}``, which match the spans' names) finds that, else by the start marker's
    name, the rest by ``unlabelled`` (else ``'background'``), then
    the start and end markers' names; None for other markers."""
    starts = [n for n in names if _START_WORDS.search(n)]
    ends = [n for n in names if _END_WORDS.search(n) and n not in starts]
    if len(starts) != 1 or len(ends) != 1:
        return None
    patterns = list(match.values()) if isinstance(match, dict) else [match] if match else []
    stripped = _START_WORDS.sub(" ", starts[0]).strip(" _/-")
    # the span's name, which --window-labels must match as it matched the marker
    event = next(
        (n for n in (stripped, starts[0]) if n and any(re.search(p, n) for p in patterns)),
        starts[0],
    )
    rest = unlabelled if unlabelled and unlabelled != event else "background"
    states = {event: f"^{re.escape(starts[0])}$", rest: f"^{re.escape(ends[0])}$"}
    return states, starts[0], ends[0]


def _cover_text(min_overlap: float) -> str:
    """How much of a window a class must cover (``--min-overlap``), in words."""
    if float(min_overlap) == DEFAULT_MIN_OVERLAP:
        return "half a window"
    return f"{float(min_overlap):g} of a window"


def is_continuous_input(path: Path) -> bool:
    """A file ``predict`` cuts into windows: neither epochs (``-epo.fif``, a ``.set`` of
    several trials) nor an ``.npz`` of epochs arrays. None is while a probe command cuts
    epochs around the annotations of continuous recordings (``--epochs-around``:
    :func:`eegpt.event_epochs.current_cut`): they are inputs of epochs then."""
    from eegpt.event_epochs import current_cut
    from eegpt.io import may_hold_epochs

    if current_cut() is not None:
        return False
    return not (may_hold_epochs(path) or Path(path).name.endswith(".npz"))
