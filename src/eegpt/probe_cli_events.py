"""Events from a probe's window predictions: ``probe predict --events`` (consecutive windows of a
class merged into events, written as a table), ``probe evaluate --event-scoring`` (those events
scored against the labels' own), and the hypnograms ``probe predict --plot`` draws of scoring
epochs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from eegpt.cli_options import (
    save_figure_file,
)
from eegpt.optional_packages import require_pandas
from eegpt.probe_predictions import (
    write_predictions,
)


def _events_switch(args: argparse.Namespace) -> tuple[str, bool]:
    """The option that asks for events (``--events`` of predict, ``--event-scoring`` of
    evaluate) and whether it was given."""
    if hasattr(args, "event_scoring"):
        return "--event-scoring", bool(args.event_scoring)
    return "--events", args.events is not None


def check_events_options(args: argparse.Namespace) -> None:
    """The options of ``--events`` (``--event-scoring``) refused, before anything is read,
    without it, with ``--epoch-seconds``, or naming ``--output``'s file."""
    switch, wanted = _events_switch(args)
    given = [
        name for name, value in (
            ("--event-class", args.event_class),
            ("--min-event-seconds", args.min_event_seconds),
            ("--merge-gap-seconds", args.merge_gap_seconds),
            ("--threshold", getattr(args, "threshold", None)),
        ) if value
    ]  # fmt: skip
    if not wanted:
        if given:
            said = {"--events": "which events --events writes: give --events FILE too",
                    "--event-scoring": "which events --event-scoring scores: give "
                    "--event-scoring too"}  # fmt: skip
            raise ValueError(f"{given[0]} says {said[switch]}")
        return
    # the events are tables (pandas): said before any recording is read, not after the work
    require_pandas(f"{switch} (events merged from the window predictions)")
    if args.min_event_seconds < 0 or args.merge_gap_seconds < 0:
        raise ValueError("--min-event-seconds and --merge-gap-seconds are seconds (>= 0)")
    args.threshold = parsed_thresholds(getattr(args, "threshold", None))
    if getattr(args, "epoch_seconds", None) is not None:
        raise ValueError(
            f"{switch} merges the windows predicted as a class into events; --epoch-seconds "
            + ("predicts" if switch == "--events" else "scores")
            + " scoring epochs instead: give one of them"
        )
    output = getattr(args, "output", None)
    if switch == "--events" and output is not None and args.events.resolve() == output.resolve():
        raise ValueError(f"--events {args.events} is the --output file: give another name")


def parsed_thresholds(words: Sequence[str] | None) -> float | dict[str, float] | None:
    """``--threshold``'s words: one probability ``P``, or ``{class: P}`` of ``CLASS=P`` words
    (None: not given); refused where a P is no number from 0 to 1, or one P comes with
    others."""
    if not words:
        return None
    if len(words) == 1 and "=" not in words[0]:
        return _probability(words[0], words[0])
    cuts: dict[str, float] = {}
    for word in words:
        name, sep, value = word.rpartition("=")
        if not sep or not name:
            raise ValueError(
                f"--threshold {' '.join(words)}: give one probability (--threshold 0.3) for "
                "one event class, or CLASS=P for each (--threshold seizure=0.3 spike=0.5)"
            )
        cuts[name] = _probability(value, word)
    return cuts


def _probability(text: str, word: str) -> float:
    """The probability ``text`` of the ``--threshold`` word ``word``; refused unless 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 1:
        raise ValueError(f"--threshold {word}: give a probability from 0 to 1 (e.g. 0.3)")
    return value


def event_classes(args: argparse.Namespace, probe: Any) -> list[Any]:
    """The classes of ``--events``: ``--event-class`` (each among the probe's classes, as
    text), else the classes ``--threshold CLASS=P`` names, else every class but the
    background: the ``--unlabelled`` class the probe was trained with, else its most
    frequent training class. ``--threshold`` checked against them: a class of its each, one
    P for one event class only."""
    classes = event_class_list(args, probe)
    threshold = getattr(args, "threshold", None)
    names = [str(c) for c in classes]
    if isinstance(threshold, dict):
        known = {str(c) for c in probe.classes_.tolist()}
        unknown = [c for c in threshold if c not in known]
        if unknown:
            raise ValueError(
                f"--threshold {unknown[0]}=...: not a class of the probe {args.probe} "
                f"({', '.join(sorted(known))})"
            )
        missing = [c for c in names if c not in threshold]
        if missing:
            raise ValueError(
                f"--threshold gives no threshold of the event class {', '.join(missing)}: "
                "give CLASS=P for each event class, or name the classes with --event-class"
            )
    elif threshold is not None and len(names) != 1:
        raise ValueError(
            f"--threshold {threshold:g} is one probability, for one event class (a two-class "
            f"probe's); the event classes are {', '.join(names)}: give CLASS=P for each "
            f"(--threshold {names[0]}={threshold:g} ...), or name one with --event-class"
        )
    return classes


def event_class_list(args: argparse.Namespace, probe: Any) -> list[Any]:
    """The event classes of :func:`event_classes`, before ``--threshold`` is checked."""
    classes = probe.classes_.tolist()
    by_text = {str(c): c for c in classes}
    threshold = getattr(args, "threshold", None)
    if not args.event_class and isinstance(threshold, dict):
        return [by_text[c] for c in threshold if c in by_text]  # unknown: refused after
    if args.event_class:
        unknown = [c for c in args.event_class if c not in by_text]
        if unknown:
            raise ValueError(
                f"--event-class {' '.join(unknown)}: not a class of the probe {args.probe} "
                f"({', '.join(by_text)})"
            )
        return [by_text[c] for c in dict.fromkeys(args.event_class)]
    training = probe.training or {}
    background = (training.get("window_labels") or {}).get("unlabelled")
    if background is None or str(background) not in by_text:
        counts = (training.get("class_counts") or {}).get("train") or {}
        most = [k for k, n in counts.items() if n == max(counts.values())]
        if len(most) != 1:
            raise ValueError(
                f"{_events_switch(args)[0]}: the probe {args.probe} records no background "
                "class (no --unlabelled, no single most frequent training class): name the event "
                f"classes with --event-class CLASS (of {', '.join(by_text)})"
            )
        background = most[0]
    return [c for c in classes if str(c) != str(background)]


def write_events(
    args: argparse.Namespace,
    probe: Any,
    header: list[str],
    rows: list[list[Any]],
    provenance: dict[str, Any] | None,
) -> None:
    """``--events``: the events of the window ``rows`` (``header``'s columns) of the
    continuous recordings (:func:`eegpt.probe_events.windows_to_events`), written as
    ``--output`` is, their provenance with the events' settings; where the windows are
    labelled, the scored events compared on stderr."""
    from eegpt.probe_events import event_scores_text, windows_to_events

    pd = require_pandas("--events (events merged from the window predictions)")

    table = pd.DataFrame(rows, columns=header)
    window, hop, how, settings = _event_settings(args, probe)
    events = windows_to_events(table, window, **settings)
    made = None if provenance is None else {**provenance, "events": how}
    write_predictions(
        args.events, list(events.columns), events.astype(object).where(pd.notna(events), None)
        .values.tolist(), probe.classes_.tolist(), made,
    )  # fmt: skip
    if not args.quiet:
        print(f"wrote {len(events)} events to {args.events}")
    if "label" in table and table["label"].notna().any():
        scores, hours, _ = _scored_events(args, table, events, window, hop, settings)
        print(event_scores_text(scores, hours, how["threshold"]), file=sys.stderr)


def _event_settings(
    args: argparse.Namespace, probe: Any
) -> tuple[float, float, dict[str, Any], dict[str, Any]]:
    """``(window, hop, how, settings)`` of the events of ``probe predict --events`` and
    ``probe evaluate --event-scoring``: the windows' length and hop in s (the window less
    ``--overlap``), the settings as provenance records them, and those
    :func:`eegpt.probe_events.windows_to_events` takes."""
    window = float(probe.preprocessing.window_seconds)
    hop = window - float(getattr(args, "overlap", 0.0) or 0.0)
    threshold = getattr(args, "threshold", None)
    if threshold is not None and not isinstance(threshold, dict):  # one class: {class: P}
        threshold = {str(args.event_class[0]): threshold}
    how = {
        "classes": [str(c) for c in args.event_class], "window_seconds": window,
        "hop_seconds": hop, "min_event_seconds": args.min_event_seconds,
        "merge_gap_seconds": args.merge_gap_seconds, "span": "centred",
        # None: each window's class is its largest probability's
        "threshold": threshold,
    }  # fmt: skip
    settings = dict(
        hop_seconds=hop, classes=args.event_class, min_event_seconds=args.min_event_seconds,
        merge_gap_seconds=args.merge_gap_seconds, threshold=threshold,
    )  # fmt: skip
    return window, hop, how, settings


def _scored_events(
    args: argparse.Namespace,
    table: Any,
    events: Any,
    window: float,
    hop: float,
    settings: dict[str, Any],
) -> tuple[dict[str, dict[str, Any]], float, Any]:
    """``(scores, hours, scored)``: the predicted ``events`` scored (OVLP and TAES,
    :func:`eegpt.probe_events.event_scores`) against the events of the window labels of
    ``table`` (``scored``: its ``label`` column's runs, with the predictions' hop, classes and
    span but neither ``--min-event-seconds`` nor ``--merge-gap-seconds``, which shape
    predicted events only), over the hours of its windows not marked bad (each a hop)."""
    from eegpt.probe_events import event_scores, windows_to_events

    # the scored (reference) events are the window labels' runs as they are: the options
    # that shape predicted events (--min-event-seconds, --merge-gap-seconds) would drop
    # short true events from the denominator and join separate ones
    # (nor --threshold, which makes predicted events of probabilities)
    reference = {**settings, "min_event_seconds": 0.0, "merge_gap_seconds": 0.0}
    reference["threshold"] = None
    scored = windows_to_events(table, window, column="label", **reference)
    good = ~table["bad"].fillna(False).astype(bool) if "bad" in table else table["file"].notna()
    hours = float(good.sum()) * hop / 3600
    return event_scores(events, scored, hours, classes=args.event_class), hours, scored


def plot_hypnograms(
    args: argparse.Namespace,
    probe: Any,
    header: list[str],
    rows: list[list[Any]],
    clocks: Mapping[str, Any] | None = None,
) -> None:
    """``--plot FILE`` of ``--epoch-seconds``: the hypnogram of each recording of ``rows``
    (:func:`eegpt.viz.plot_hypnogram`), one panel each on one time scale, written to ``args.plot``; ``clocks``:
    each file's ``record_clock`` (an EDF+D file's), by which epochs over a gap are drawn in
    pieces where their data lie on the clock."""
    from eegpt._viz_common import pyplot_module
    from eegpt.viz_hypnogram import (
        hypnogram_width,
        is_sleep_staging,
        labelled_as_sleep,
        plot_hypnogram,
    )

    pd = require_pandas("--plot (the hypnogram of --epoch-seconds)")
    table = pd.DataFrame(rows, columns=header)
    files = list(dict.fromkeys(table["file"].tolist()))
    plt = pyplot_module()
    by_file = table["file"]  # the longest recording sets the width
    spans = (table["onset_s"] + table["duration_s"]).groupby(by_file).max()
    spans -= table["onset_s"].groupby(by_file).min()
    fig, axes = plt.subplots(
        len(files), 1,
        figsize=(hypnogram_width(float(spans.max()) / 3600),
                 (1.5 + 0.45 * len(probe.classes_)) * len(files)),
        layout="constrained", squeeze=False,
    )  # fmt: skip
    # stages where the probe's classes name them, or it was trained on stages' annotations:
    # a night predicted W alone is drawn as a hypnogram still
    sleep = is_sleep_staging(probe.classes_.tolist()) or labelled_as_sleep(
        getattr(probe, "training", None)
    )
    for ax, name in zip(axes[:, 0], files, strict=True):
        # bad epochs (an annotation marked bad overlaps them) shaded; titled by the file, by
        # its folders too where another recording has its name
        plot_hypnogram(table, file=name, ax=ax, title=None, bad=None,
                       probabilities=args.plot_probabilities,
                       record_clock=(clocks or {}).get(name),
                       sleep=sleep)  # fmt: skip
    _one_time_scale(axes[:, 0])
    if probe.encoder.get("pretrained") is False:
        from eegpt._viz_common import NOT_PRETRAINED_TITLE

        fig.suptitle(NOT_PRETRAINED_TITLE, color="tab:red")
    save_figure_file(fig, args.plot, args.dpi)


def _one_time_scale(axes: Sequence[Any]) -> None:
    """The hypnograms of several recordings (``axes``, one each) on one time scale: each
    panel's x axis from its own start as long as the widest panel's, so that an inch is as
    many minutes in every panel (a shorter night ends short of the right edge; each panel
    filling the width drew a 15 min recording as long as a 20 min one). Panels on a clock
    (matplotlib's days) and in hours ("hours from the first epoch") compared in days."""
    limits = [ax.get_xlim() for ax in axes]
    days = [1 / 24 if ax.get_xlabel().startswith("hours") else 1.0 for ax in axes]
    widest = max((hi - lo) * d for (lo, hi), d in zip(limits, days, strict=True))
    for ax, (lo, _), d in zip(axes, limits, days, strict=True):
        ax.set_xlim(lo, lo + widest / d)


def evaluated_events(
    args: argparse.Namespace,
    probe: Any,
    recording: Any,
    sources: Sequence[str],
    y: np.ndarray,
    pred: np.ndarray,
    proba: np.ndarray,
    windows: Any = None,
) -> dict[str, Any]:
    """``evaluate --event-scoring``: the events of the windows evaluated (of continuous
    recordings, ``sources`` their files, at ``recording.onsets``) predicted as the event
    classes, scored against those of their labels ``y`` (:func:`_scored_events`: OVLP and
    TAES per class), with the settings and the hours of windows scored, each threshold's
    ``operating_points`` and ``per_recording``: each recording's event scores alone
    (:func:`eegpt.probe_events.recording_event_scores`, by the name probe evaluate's
    ``per_recording`` gives it). Windows left out
    (over bad annotations, unlabelled without --unlabelled, --skip-unknown) break events.
    ``unscored_annotations``: how many annotations of the event classes lie in no window
    labelled their class (``windows.unscored``, the
    :class:`~eegpt.window_labelling.WindowLabelling`'s, each warned of), so in no scored
    event: a seizure in the dropped tail is missing from the sensitivity's count."""
    from eegpt.probe_cli_inputs import recording_sources
    from eegpt.probe_events import operating_points, recording_event_scores, windows_to_events

    pd = require_pandas("--event-scoring (events merged from the window predictions)")

    table = pd.DataFrame({
        "file": list(sources), "onset_s": np.asarray(recording.onsets, dtype=np.float64),
        "prediction": pred.tolist(), "label": y.tolist(),
        **{f"p_{c}": proba[:, k] for k, c in enumerate(probe.classes_.tolist())},
    })  # fmt: skip
    # each recording named as probe evaluate's per_recording names it (the first name of
    # each file)
    files = recording_sources(sources)
    given: dict[str, str] = {}
    for file, name in zip(files, sources, strict=True):
        given.setdefault(file, name)
    table["file"] = [given[file] for file in files]
    window, hop, how, settings = _event_settings(args, probe)
    events = windows_to_events(table, window, **settings)
    scores, hours, scored = _scored_events(args, table, events, window, hop, settings)
    classes = {str(c) for c in args.event_class}
    lost = [u for found in getattr(windows, "unscored", {}).values() for u in found]
    unscored = sum(1 for _, _, label, _ in lost if label in classes)
    # each recording alone, the seizure-free ones too (their false alarms), against the
    # scored events of all
    each = table.groupby("file", sort=False).size() * hop / 3600
    per_recording = recording_event_scores(events, scored, dict(each.items()), args.event_class)
    # each threshold's sensitivity and false alarms, to choose --threshold from
    shape = {k: settings[k] for k in ("hop_seconds", "min_event_seconds", "merge_gap_seconds")}
    points = operating_points(table, window, hours, args.event_class, **shape,
                              also=how["threshold"])  # fmt: skip
    return {**how, "hours": hours, "scores": scores, "unscored_annotations": unscored,
            "operating_points": points, "per_recording": per_recording}  # fmt: skip


def plot_event_probabilities_file(
    args: argparse.Namespace,
    probe: Any,
    header: list[str],
    rows: list[list[Any]],
    annotations: Mapping[str, Any],
) -> None:
    """``probe predict --plot FILE`` without ``--epoch-seconds``: each continuous recording's
    event classes' probabilities over time (:func:`eegpt.viz_events.plot_event_probabilities`),
    one panel each, the annotated spans of those classes shaded (``annotations``: each file's
    ``mne.Annotations``, onsets in s from its first sample; a description is a class as the
    probe's window labels make it, :func:`eegpt.annotation_labels.label_rule`) and
    ``--threshold`` drawn, written to ``args.plot``. The classes: ``--events``' (else every
    class but the background; all where the probe names none)."""
    from eegpt._viz_common import pyplot_module
    from eegpt.annotation_labels import label_rule
    from eegpt.annotation_overlap import is_bad
    from eegpt.probe_cli_predict import window_labelling
    from eegpt.viz_events import plot_event_probabilities

    pd = require_pandas("--plot (the probabilities of continuous recordings)")
    table = pd.DataFrame(rows, columns=header)
    table = table[pd.notna(table["onset_s"])]
    files = list(dict.fromkeys(table["file"].tolist()))
    if args.events is not None:
        classes = list(args.event_class)
    else:
        try:
            classes = event_classes(args, probe)
        except ValueError:  # no background recorded: every class
            classes = probe.classes_.tolist()
    window = float(probe.preprocessing.window_seconds)
    how = window_labelling(args, window)
    rule = label_rule(how.match) if how is not None and how.match is not None else None
    threshold = getattr(args, "threshold", None)
    if threshold is not None and not isinstance(threshold, dict):
        threshold = {str(classes[0]): threshold}
    plt = pyplot_module()
    fig, axes = plt.subplots(len(files), 1, figsize=(10, 2.8 * len(files)),
                             layout="constrained", squeeze=False)  # fmt: skip
    wanted = {str(c) for c in classes}
    for ax, name in zip(axes[:, 0], files, strict=True):
        spans = []
        given = annotations.get(name)
        if rule is not None and given is not None:
            for onset, duration, desc in zip(given.onset, given.duration, given.description,
                                             strict=True):  # fmt: skip
                label = None if is_bad(desc) else rule(desc)
                if label is not None and label in wanted and duration > 0:
                    spans.append((float(onset), float(onset + duration), label))
        plot_event_probabilities(table, window, classes=classes, spans=spans,
                                 threshold=threshold, file=name, ax=ax)  # fmt: skip
    if probe.encoder.get("pretrained") is False:
        from eegpt._viz_common import NOT_PRETRAINED_TITLE

        fig.suptitle(NOT_PRETRAINED_TITLE, color="tab:red")
    save_figure_file(fig, args.plot, args.dpi)
