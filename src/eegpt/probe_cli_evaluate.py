"""``eegpt probe evaluate``: a trained probe scored on labelled epochs or windows (balanced
accuracy, kappa, F1, AUROC, a confusion matrix), with the classes it lacks or the labels missing
left out on request (``--skip-unknown``) and files it was trained on warned of.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from eegpt.cli_options import (
    check_figure_path,
    check_inference_options,
    check_new_output,
    given_paths,
    save_figure_file,
)
from eegpt.continuous_windows import is_continuous_input
from eegpt.output_files import atomic_write
from eegpt.probe_cli_events import check_events_options, evaluated_events, event_classes
from eegpt.probe_cli_inputs import (
    clean_recording_paths,
    few_text,
    holds_verb,
    probe_epochs_cut,
    read_inputs,
    recording_sources,
    refuse_labels_without_files,
    say_crop,
)
from eegpt.probe_cli_options import applied_picks
from eegpt.probe_cli_predict import (
    check_window_overlap,
    load_cli_probe,
    probe_probabilities,
    window_labelling,
)
from eegpt.probe_label_files import selected_epochs
from eegpt.probe_predictions import (
    confusion_table,
    null_for_nan,
    prediction_provenance,
)


def cmd_probe_evaluate(args: argparse.Namespace) -> int:
    """``eegpt probe evaluate``; with ``--epochs-around`` (or the probe's), its continuous
    recordings read as epochs around their events, those over bad annotations left out
    (:func:`eegpt.event_epochs.cutting`)."""
    from eegpt.event_epochs import cutting

    with cutting(probe_epochs_cut(args, reject_by_annotation=True)):
        return _evaluate_command(args)


def _evaluate_command(args: argparse.Namespace) -> int:
    from eegpt.probe_metrics import (
        format_class_report,
        format_metrics,
        format_recording_scores,
        sklearn_metrics,
    )
    from eegpt.probe_provenance import overlap_names
    from eegpt.viz_hypnogram import labelled_as_sleep

    confusion_matrix = sklearn_metrics().confusion_matrix

    clean_recording_paths(args)
    check_inference_options(args)
    check_figure_path(args.plot, dpi=args.dpi)
    _check_outputs(args)
    if args.normalize is not None and args.plot is None:
        raise ValueError("--normalize applies to the figure: give --plot FILE too")
    check_events_options(args)
    _check_epoch_seconds(args)
    if args.event_scoring:
        refuse_epoched_for_events(args)
    probe = load_cli_probe(args)
    # the channels it was trained on: --keep-channels checked against them, else its own
    args.keep_channels = probe._checked_keep(args.keep_channels)
    applied_picks(args, probe)  # the channel types it was trained on, else --picks
    if args.event_scoring:
        args.event_class = event_classes(args, probe)
    classes = probe.classes_
    order = _class_order(args.class_order, classes, sleep=labelled_as_sleep(probe.training))
    check_window_overlap(args, probe.preprocessing.window_seconds)
    windows = window_labelling(args, probe.preprocessing.window_seconds)
    refuse_labels_without_files(args, windows)  # before the recordings' samples are read
    say_crop(args)  # the inputs accepted
    left_out = 0
    to_stdout = args.json is not None and str(args.json) == "-"  # --json -: the JSON alone
    shown = sys.stderr if to_stdout else sys.stdout  # the text report, --skip-unknown's line
    unscored = 0  # scored as no sleep stage ('Sleep stage ?'), not a class: left out
    if args.epoch_seconds is not None:  # scored per scoring epoch, as predict pools them
        y, proba, sources, scored, left_out, unscored = scoring_epoch_labels(args, probe, shown)
    else:
        recording, y, sources, scored, left_out, unscored, proba = labelled_windows(
            args, probe, windows, shown
        )
    metrics, report, pred = evaluation_metrics(y, proba, classes, order, scored, args.epoch_seconds)
    provenance = prediction_provenance(args, probe, sources) if args.json else None
    overlap = training_overlap_warnings(probe, provenance, args.data, metrics)
    if provenance is not None and overlap is not None:  # overlaps_training: [] too
        provenance.update({"overlaps_training": [], **overlap_names(overlap)})
    if args.skip_unknown:
        metrics["n_left_out"] = left_out
    if unscored:
        metrics["n_unscored"] = unscored
    if args.event_scoring:
        metrics["events"] = evaluated_events(
            args, probe, recording, scored, y, pred, proba, windows
        )
        attach_recording_events(metrics)
    per = "" if args.epoch_seconds is None else f"per {metrics['scored'].removesuffix('s')}: "
    print(per + format_metrics(metrics), file=shown)
    print(format_class_report(report, metrics["n_recordings"]), file=shown)
    if "per_recording" in metrics:
        print(format_recording_scores(metrics["per_recording"], len(order)), file=shown)
    if args.event_scoring:
        from eegpt.probe_events import event_scores_text

        events = metrics["events"]
        print(event_scores_text(events["scores"], events["hours"], events["threshold"]),
              file=shown)  # fmt: skip
        if events["unscored_annotations"]:
            print(
                f"  not scored: {events['unscored_annotations']} annotation(s) of the event "
                "classes in no window labelled their class (warned of above)",
                file=shown,
            )
        if "per_recording" in metrics:
            from eegpt.probe_events import recording_events_text

            each = {r["recording"]: r["events"] for r in metrics["per_recording"]}
            print(recording_events_text(each), file=shown)
        if not args.quiet:
            from eegpt.probe_events import operating_points_text

            print(operating_points_text(events["operating_points"]), file=shown)
    if not args.quiet:
        table = confusion_table(confusion_matrix(y, pred, labels=order), order.tolist())
        print(table, file=shown)
    if args.json:
        from eegpt.probe_provenance import EVALUATION_FORMAT

        # marked as what it is; the metrics at the top level, as before; beside them what
        # they were computed of
        record = {"format": EVALUATION_FORMAT, **metrics, "provenance": provenance}
        # undefined scores (kappa, AUROC of one class) as null: NaN is no JSON value
        text = json.dumps(null_for_nan(record), indent=2, allow_nan=False) + "\n"
        if to_stdout:
            sys.stdout.write(text)
        else:  # whole or not at all; a file made meanwhile is not replaced without --overwrite
            atomic_write(args.json, lambda fh: fh.write(text.encode()), overwrite=args.overwrite)
    if args.plot is not None:
        from eegpt.viz_training import plot_confusion_matrix

        unit = "epochs" if args.epoch_seconds is None else metrics["scored"]  # 3 s epochs
        title = (
            f"probe {args.probe.name} on {_scored_text(scored)}: {len(y)} {unit}, balanced "
            f"accuracy {100 * metrics['balanced_accuracy']:.1f}%"
        )
        ax = None
        if args.event_scoring:  # the operating points beside the matrix
            from eegpt._viz_common import pyplot_module
            from eegpt.viz_events import plot_operating_points

            fig, (ax, beside) = pyplot_module().subplots(1, 2, figsize=(11, 4.8),
                                                         layout="constrained")  # fmt: skip
            events = metrics["events"]
            plot_operating_points(events["operating_points"], threshold=events["threshold"],
                                  ax=beside)  # fmt: skip
        fig = plot_confusion_matrix(
            y, pred, labels=order, normalize=args.normalize, title=title,
            pretrained=probe.encoder.get("pretrained"), ax=ax,
        )  # fmt: skip
        save_figure_file(fig, args.plot, args.dpi)
    return 0


def refuse_epoched_for_events(args: argparse.Namespace) -> None:
    """``--event-scoring`` refused for epochs files (no time between their epochs)."""
    from eegpt._logging import few

    epoched = [str(p) for p in args.data if not is_continuous_input(p)]
    if epoched:
        raise ValueError(
            "--event-scoring merges the windows of continuous recordings into events; "
            f"{few(epoched, 3)} {holds_verb(epoched)} epochs, with no time between them: give continuous "
            "recordings (.edf, .fif, ...) labelled by --window-labels, or leave "
            "--event-scoring out"
        )


def labelled_windows(
    args: argparse.Namespace, probe: Any, windows: Any, shown: TextIO | None
) -> tuple[Any, np.ndarray, list[str], list[str], int, int, np.ndarray]:
    """``probe evaluate``'s labelled windows or epochs (not ``--epoch-seconds``) and the
    probe's probabilities of them: ``(recording, y, sources, scored, left_out, unscored,
    proba)``, the epochs scored, their labels ``(n,)`` as the probe's classes, the file of each
    epoch read and of each scored, how many ``--skip-unknown`` left out, how many windows
    labelled as no class (``'Sleep stage ?'``) were left out first, and the probabilities
    ``[n, n_classes]`` (``classes_`` order); ``windows``: the labelling of continuous
    recordings (:func:`eegpt.probe_cli_predict.window_labelling`; None: epochs). Notes on
    ``shown``. :meth:`eegpt.probe.EEGPTProbe.evaluate` with ``events=True`` calls it too."""
    classes = probe.classes_
    left_out = unscored = 0
    # a recording without seizures, all --unlabelled: its false alarms, with a warning
    recording, y, sources, rename = read_inputs(
        args, labels=args.labels, keep_missing=args.skip_unknown, windows=windows,
        unlabelled_only=True, classes=classes,  # the probe's: 9.25 of a class '9.25'
    )  # fmt: skip
    scored = sources  # the file of each epoch scored
    if windows is not None and windows.match is not None:  # labels from annotations
        kept, unscored = _unscored_left_out(y, probe, "windows", shown)
        recording, y = selected_epochs(recording, kept), y[kept]
        scored = [scored[i] for i in kept]
    if args.skip_unknown:  # before the encoder runs: only the epochs scored
        recording, y, left_out, kept = _skip_unknown(recording, y, classes, shown)
        scored = [scored[i] for i in kept]
    y = _as_class_labels(y, classes, _labels_taken(args), getattr(args, "unlabelled", None))
    proba = probe_probabilities(args, probe, recording, rename)
    return recording, y, sources, scored, left_out, unscored, proba


def attach_recording_events(metrics: dict[str, Any]) -> None:
    """Each recording's event scores (``metrics["events"]["per_recording"]``, taken out of
    it) as the ``events`` of its row of ``metrics["per_recording"]`` (several recordings:
    their window metrics); of one recording, the events' own scores are its."""
    each = metrics["events"].pop("per_recording")
    for row in metrics.get("per_recording", []):
        row["events"] = each[row["recording"]]


def scoring_epoch_labels(
    args: argparse.Namespace, probe: Any, shown: TextIO | None = None
) -> tuple[np.ndarray, np.ndarray, list[str], list[str], int, int]:
    """``evaluate --epoch-seconds``'s scored epochs (:func:`_scoring_epochs`), those whose
    stage is not among the probe's classes left out with ``--skip-unknown`` (said on
    ``shown``: :func:`_known_labels`): ``(y, proba, sources, scored, left_out, unscored)``,
    the stages ``(n,)`` as the probe's classes, the probabilities ``[n, n_classes]`` (``classes_``
    order), the recording of each scoring epoch before and after ``--skip-unknown`` and how
    many it left out, and how many epochs scored as no sleep stage (``'Sleep stage ?'``, not a
    class of the probe) were left out first (:func:`_unscored_left_out`).
    :meth:`eegpt.probe.EEGPTProbe.evaluate` with ``epoch_seconds`` calls
    it too."""
    classes = probe.classes_
    y, proba, sources = _scoring_epochs(args, probe)
    scored = sources  # the recording of each scoring epoch scored
    kept, unscored = _unscored_left_out(y, probe, "scoring epochs", shown)
    y, proba, scored = y[kept], proba[kept], [scored[i] for i in kept]
    left_out = 0
    if args.skip_unknown:
        kept, left_out = _known_labels(y, classes, "scoring epochs", shown)
        y, proba, scored = y[kept], proba[kept], [scored[i] for i in kept]
    y = _as_class_labels(y, classes, _labels_taken(args), getattr(args, "unlabelled", None))
    return y, proba, sources, scored, left_out, unscored


def evaluation_metrics(
    y: np.ndarray,
    proba: np.ndarray,
    classes: np.ndarray,
    order: np.ndarray,
    scored: Sequence[str],
    epoch_seconds: float | None,
) -> tuple[dict[str, Any], dict[str, Any], np.ndarray]:
    """What ``probe evaluate`` prints and writes (``--json``) of the labels ``y`` ``(n,)``
    and probabilities ``proba`` ``[n, n_classes]`` (columns in ``classes`` order) of the
    windows or scoring epochs scored, each of the recording ``scored`` names: ``(metrics,
    report, pred)``, the paper's metrics (:func:`eegpt.probe_metrics.probe_metrics`) with the
    per-class report and confusion matrix in ``order``
    (:func:`~eegpt.probe_metrics.class_report`, also returned alone), ``n_recordings``
    (and, where over 1, ``per_recording``: each recording's metrics alone,
    :func:`~eegpt.probe_metrics.recording_scores`), ``scored`` (``"windows"`` or
    ``"30 s epochs"``), ``epoch_seconds`` and a warning of classes missing from the labels;
    and the predicted classes ``(n,)``. :meth:`eegpt.probe.EEGPTProbe.evaluate` with
    ``epoch_seconds`` returns the same ``metrics``."""
    from eegpt.probe_metrics import (
        checked_metrics,
        class_report,
        probe_metrics,
        recording_scores,
    )

    pred = classes[proba.argmax(axis=1)]
    metrics: dict[str, Any] = probe_metrics(y, pred, proba, classes)
    # beside the paper's metrics (their keys unchanged): per class, the matrix, baselines, and
    # how many recordings the epochs came from (windows of one are not independent)
    report = class_report(y, pred, order, proba, classes)
    metrics.update(report)
    # the files with an epoch scored: those --skip-unknown left nothing of do not count
    files = recording_sources(scored)
    metrics["n_recordings"] = len(dict.fromkeys(files))
    if metrics["n_recordings"] > 1:  # each alone: the pooled n overstates the evidence
        given: dict[str, str] = {}  # each file as the first of its epochs names it
        for file, name in zip(files, scored, strict=True):
            given.setdefault(file, name)
        names = [given[file] for file in files]
        metrics["per_recording"] = recording_scores(y, pred, proba, classes, names)
    # what n counts: windows (epochs files: one window each), or scoring epochs
    metrics["scored"] = scored_unit(epoch_seconds)
    metrics["epoch_seconds"] = epoch_seconds
    checked_metrics(metrics, y, classes)  # a warning on stderr, and in --json's file
    missing = [c for c in classes.tolist() if not np.any(y == c)]
    if len(classes) > 2 and missing and not np.isnan(metrics["auroc"]):
        metrics["auroc_note"] = (
            f"AUROC is one-vs-rest over the {len(classes) - len(missing)} classes present in the "
            f"labels (not {few_text(missing)}), each from the probe's own probability of it"
        )
    return metrics, report, pred


def _scored_text(scored: Sequence[str]) -> str:
    """What the epochs evaluated came from (``scored``: the file of each), for the title of
    ``--plot``'s figure: the recording's file name, or how many recordings."""
    files = list(dict.fromkeys(recording_sources(scored)))
    if len(files) == 1:
        return Path(files[0]).name
    return f"{len(files)} recordings"


#: The options of ``probe evaluate`` that name files it reads: no output may be one of them
#: (nor a file inside the probe folder, or a --weights folder).
EVALUATE_INPUTS = ("probe", "data", "labels", "annotations", "weights")


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse, before the probe is loaded, a ``--json`` file (``-``, or ``--json`` alone:
    standard output) that is not ``.json`` (refused as parsed: ``--json a-epo.fif b-epo.fif``,
    --json taken for a switch before the data, would replace a recording), and a ``--json``
    or ``--plot`` file that is one of the inputs or exists without ``--overwrite``."""
    inputs = given_paths(args, EVALUATE_INPUTS)
    if args.json is not None and str(args.json) != "-":  # a .json FILE: metrics_json_file
        check_new_output("--json", args.json, inputs, args.overwrite, (".json",))
    if args.plot is not None:
        check_new_output("--plot", args.plot, inputs, args.overwrite)


def training_overlap_warnings(
    probe: Any, provenance: dict[str, Any] | None, data: Sequence[Any], metrics: dict[str, Any]
) -> list[Any] | None:
    """Warn of the test files ``data`` that hold a training input of ``probe``
    (:func:`_training_overlap`) and of those of a subject it was trained on, in other files
    (:func:`eegpt.probe_provenance.subject_overlap_text`), each warning kept in
    ``metrics["warnings"]``; the overlap found (None for a probe that does not record its
    training inputs)."""
    from eegpt._logging import warn as _warn
    from eegpt.probe_provenance import overlap_warnings

    overlap = _training_overlap(probe, provenance, data)
    training = getattr(probe, "training", None)
    tested = [str(p) for p in data]  # the same subject in other files than those trained on
    early_stopping = getattr(getattr(probe, "config", None), "patience", None) is not None
    for said in overlap_warnings(training, overlap, tested, early_stopping):
        _warn(said)
        metrics.setdefault("warnings", []).append(said)
    return overlap


def _training_overlap(
    probe: Any, provenance: dict[str, Any] | None, data: Sequence[Any]
) -> list[Any] | None:
    """The test files that hold a training (or validation) input of ``probe``, by the
    identity of each (:func:`eegpt.probe_provenance.training_overlap`): that of
    ``provenance["inputs"]`` where it was taken, else taken here. None for a probe that does
    not record its training inputs."""
    from eegpt.probe_provenance import files_record, training_overlap

    training = getattr(probe, "training", None)
    if not isinstance(training, dict) or not isinstance(training.get("inputs"), list):
        return None
    inputs = provenance["inputs"] if provenance else files_record([str(p) for p in data])
    config = getattr(probe, "config", None)
    early_stopping = None if config is None else getattr(config, "patience", None) is not None
    return training_overlap(training, inputs, early_stopping=early_stopping)


def _skip_unknown(
    recording: Any, y: np.ndarray, classes: np.ndarray, file: TextIO | None = None
) -> tuple[Any, np.ndarray, int, np.ndarray]:
    """``evaluate --skip-unknown``: the epochs whose labels are among the probe's
    ``classes`` (as the classes or their text) and their labels, how many were left out
    (missing labels too), said on ``file`` (stdout; stderr with ``--json -``) with the labels
    left out and their counts (:func:`_known_labels`), and the indices of the epochs kept."""
    idx, n_out = _known_labels(y, classes, file=file)
    if not n_out:
        return recording, y, 0, idx
    return selected_epochs(recording, idx), y[idx], n_out, idx


def _unscored_left_out(
    y: np.ndarray, probe: Any, what: str, file: TextIO | None
) -> tuple[np.ndarray, int]:
    """The indices of the labels ``y`` (from the recordings' annotations) to score and how
    many were left out: those of epochs scored as no sleep stage
    (:data:`eegpt.annotation_labels.UNSCORED`: ``'Sleep stage ?'``, ``'Movement time'``) that are
    not among the ``probe``'s classes, as ``probe predict``'s agreement leaves them out (not
    refused as labels the probe lacks); said on ``file`` (the text report's stream) with their
    counts, as ``what`` (``"windows"``, ``"scoring epochs"``) counts them, and why the probe
    has no class of them (:func:`_why_no_unscored_class`)."""
    import collections

    from eegpt.annotation_labels import UNSCORED

    known = {str(c) for c in probe.classes_.tolist()}
    out = np.array(
        [v is not None and str(v) not in known and bool(UNSCORED.search(str(v).strip()))
         for v in y.tolist()],
        dtype=bool,
    ).reshape(len(y))  # fmt: skip
    n_out = int(out.sum())
    if n_out:
        counted = collections.Counter(str(v) for v in y[out].tolist())
        said = ", ".join(f"{name!r} ({n})" for name, n in sorted(counted.items()))
        why = _why_no_unscored_class(probe, sorted(counted))
        print(
            f"left out {n_out} of {len(y)} {what} scored as no sleep stage (not among the "
            f"probe's classes: {why}; probe predict's agreement leaves them out too): {said}",
            file=file,
        )
    return np.flatnonzero(~out), n_out


def _why_no_unscored_class(probe: Any, names: list[str]) -> str:
    """Why the ``probe`` has no class of the descriptions ``names`` that score epochs as no
    sleep stage: its training's labelling (``window_labels.match`` of its training record,
    as ``probe train --window-labels`` gave it) left them out, or took them as a class
    (``'^Sleep stage'``, with a warning) while its training data held none; "its training
    labelled none of them" where no labelling is recorded (epochs, labels given)."""
    from eegpt.annotation_labels import label_rule
    from eegpt.window_labelling import labelling_options

    match = ((getattr(probe, "training", None) or {}).get("window_labels") or {}).get("match")
    if not match:
        return "its training labelled none of them"
    given = labelling_options(match)
    if any(label_rule(match)(name) is not None for name in names):
        return (
            f"its training's labelling ({given}) takes them as a class, but its training "
            "data held none"
        )
    return f"its training's labelling ({given}) leaves them out"


def _known_labels(
    y: np.ndarray, classes: np.ndarray, what: str = "epochs", file: TextIO | None = None
) -> tuple[np.ndarray, int]:
    """``evaluate --skip-unknown``: the indices of the labels ``y`` that are among the
    probe's ``classes`` (as the classes or their text) and how many others were left out
    (missing labels too), said on ``file`` (default stdout; the text report's stream: stderr
    with ``--json -``, whose stdout is the JSON alone) with the labels left out and their
    counts, as ``what`` (``"epochs"``, ``"scoring epochs"``) counts them; refused where none
    is."""
    import collections

    known = set(classes.tolist()) | {str(c) for c in classes.tolist()}
    keep = np.array([v is not None and (v in known or str(v) in known) for v in y.tolist()])
    n_out = int((~keep).sum())
    if not n_out:
        return np.arange(len(y)), 0
    counted = collections.Counter("(no label)" if v is None else repr(v) for v in y[~keep].tolist())
    said = ", ".join(f"{name} ({n})" for name, n in sorted(counted.items()))
    if not keep.any():
        raise ValueError(
            f"no {what.split()[-1].removesuffix('s')} has a label among the probe's classes "
            f"{classes.tolist()} (labels: {said}); nothing to evaluate"
        )
    print(
        f"left out {n_out} of {len(y)} {what} with labels not among the probe's classes "
        f"(--skip-unknown): {said}",
        file=sys.stdout if file is None else file,
    )
    return np.flatnonzero(keep), n_out


def scored_unit(epoch_seconds: float | None) -> str:
    """What ``probe evaluate`` scored, as its ``--json`` says it (key ``scored``):
    ``"windows"`` (each epoch of an epochs file is one window), or ``"30 s epochs"`` with
    ``--epoch-seconds 30`` (scoring epochs, as a hypnogram scores them)."""
    if epoch_seconds is None:
        return "windows"
    from eegpt.preprocessing_spec import seconds_text

    return f"{seconds_text(epoch_seconds)} s epochs"


def _check_epoch_seconds(args: argparse.Namespace) -> None:
    """``evaluate --epoch-seconds`` refused, before the probe is loaded, for what it does
    not score: epochs files (one window each, no time between them), labels not from the
    recordings' annotations (``--labels``, ``--label-column``); ``--event-scoring`` is
    refused with it by :func:`eegpt.probe_cli_events.check_events_options`."""
    from eegpt._logging import few

    if args.epoch_seconds is None:
        return
    epoched = [str(p) for p in args.data if not is_continuous_input(p)]
    if epoched:
        raise ValueError(
            f"--epoch-seconds {args.epoch_seconds:g} scores the windows of continuous "
            f"recordings pooled into scoring epochs; {few(epoched, 3)} {holds_verb(epoched)} "
            "epochs, one window each, with no time between them: evaluate them without "
            "--epoch-seconds"
        )
    for option, given in (
        ("--labels", args.labels is not None),
        ("--label-column", args.label_column is not None),
    ):
        if given:
            raise ValueError(
                f"--epoch-seconds {args.epoch_seconds:g} scores the scoring epochs by the "
                f"stages the recordings' annotations give (--window-labels, the probe's by "
                f"default; a hypnogram by --annotations FILE); {option} labels windows or "
                f"epochs: leave {option} out, or --epoch-seconds"
            )


def _scoring_epochs(
    args: argparse.Namespace, probe: Any
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``evaluate --epoch-seconds``: the labels ``(n,)`` (as the annotations give them),
    probabilities ``[n, n_classes]`` and recordings of the scoring epochs of the continuous
    recordings given that have a prediction and a scored stage, pooled from their windows
    as ``probe predict --epoch-seconds --reject-by-annotation`` pools them
    (:func:`eegpt.probe_cli_predict.scoring_epoch_table`: windows over bad annotations count
    in none, as evaluate scores none); bad epochs and those no scored stage covers left
    out, said on stderr with their count."""
    from eegpt.cli_options import parse_rename
    from eegpt.probe_cli_predict import labelled_epochs, scoring_epoch_table

    args.reject_by_annotation = True
    # said so on stderr, not as predict's --reject-by-annotation, which evaluate has not
    args.rejected_by = "evaluate counts them in no scoring epoch"
    rename = parse_rename(args.rename, args.drop)
    header, rows = scoring_epoch_table(args, probe, list(args.data), rename)
    labels, proba, files = labelled_epochs(header, rows, probe.classes_)
    if not labels:
        raise ValueError(
            f"none of the {len(rows)} scoring epochs of {args.epoch_seconds:g} s has a scored "
            "stage and a prediction (bad ones and those no labelling annotation covers half "
            "of have none): give the hypnograms (--annotations FILE, one per recording; "
            "annotations=FILE in Python) and the --window-labels that match their stages"
        )
    # those no labelling annotation covers: --unlabelled's class (the probe's, adopted), if any
    uncovered = (
        "those no labelling annotation covers half of, left out"
        if args.unlabelled is None
        else f"those no labelling annotation covers half of labelled {args.unlabelled!r} "
        "(--unlabelled)"
    )
    # as the line of the windows each recording gives, -q too (it drops the matrix only)
    print(
        f"{len(labels)} of the {len(rows)} scoring epochs of {args.epoch_seconds:g} s have a "
        f"scored stage and a prediction (bad ones left out; {uncovered}; windows over bad "
        "annotations count in none)",
        file=sys.stderr,
    )
    return np.array(labels, dtype=object), proba, files


def _class_order(
    given: list[str] | None, classes: np.ndarray, *, sleep: bool = False
) -> np.ndarray:
    """The probe's ``classes`` in the order ``given`` (``--class-order``, names as text),
    else as they are (sorted), sleep stages in the AASM order W, N1, N2, N3, R
    (:func:`eegpt.viz_hypnogram.stage_order`; bare ``W`` and ``R`` alone with ``sleep``: the
    probe trained on sleep stages' annotations); every class exactly once."""
    if not given:
        from eegpt.viz_hypnogram import stage_order

        order = stage_order(classes.tolist(), aasm=True, sleep=sleep)
        return np.array(order, dtype=classes.dtype)
    by_text = {str(c): c for c in classes.tolist()}
    unknown = [name for name in given if name not in by_text]
    missing = [name for name in by_text if name not in given]
    repeated = sorted({name for name in given if given.count(name) > 1})
    if unknown or missing or repeated:
        problems = [
            *([f"{unknown} are not classes of the probe"] if unknown else []),
            *([f"{missing} are missing"] if missing else []),
            *([f"{repeated} are given twice"] if repeated else []),
        ]
        raise ValueError(
            f"--class-order must name each of the probe's classes {list(by_text)} once; "
            + "; ".join(problems)
        )
    return np.array([by_text[name] for name in given], dtype=classes.dtype)


#: :func:`_labels_taken` of windows labelled by ``--window-labels`` (given, or the probe's)
WINDOW_LABELS_TAKEN = "the windows' classes --window-labels gives them from the annotations"
#: :func:`_labels_taken` of the scoring epochs of ``--epoch-seconds`` (labelled alike)
EPOCH_LABELS_TAKEN = "the scoring epochs' stages from the recordings' annotations"


def _labels_taken(args: argparse.Namespace) -> str:
    """Where ``evaluate`` took the labels from, for an error about labels the probe lacks."""
    if args.labels is not None:
        return f"the 'label' column of {args.labels}"
    if getattr(args, "epoch_seconds", None) is not None:
        return EPOCH_LABELS_TAKEN
    if args.label_column is not None:
        how = "as in training" if getattr(args, "label_column_adopted", False) else "--label-column"
        return f"the epochs' metadata column {args.label_column!r} ({how})"
    if getattr(args, "window_labels", None) is not None:  # continuous recordings' windows
        return WINDOW_LABELS_TAKEN
    return "the epochs' event names (epochs.event_id; an .npz's y)"


def _as_class_labels(
    y: np.ndarray,
    classes: np.ndarray,
    taken: str = "the inputs' labels",
    unlabelled: str | None = None,
) -> np.ndarray:
    """Labels in the classes' type (labels from a CSV are text; classes may be numbers);
    ``taken`` says where they came from, for the error about labels outside the classes;
    ``unlabelled``: the class ``--unlabelled`` gives windows no annotation covers, if any."""
    from eegpt.probe_labels import as_classes, decimals_hint, event_names_hint, unknown_labels_hint

    y = as_classes(y, classes)  # numbers against a probe's classes written as decimals too
    known = set(classes.tolist())
    if set(y.tolist()) <= known:
        return y
    by_text = {str(c): c for c in classes.tolist()}
    unknown = sorted({str(v) for v in y.tolist()} - set(by_text))
    if unknown:
        said = f"labels {unknown} are not among the probe's classes {classes.tolist()}"
        skip = (
            "; or leave the epochs with other labels out of the evaluation with --skip-unknown "
            + ("(skip_unknown=True in Python) " if taken == EPOCH_LABELS_TAKEN else "")
            + "(they are counted and named)"
        )
        if taken.startswith("the 'label' column of "):  # --labels FILE: the file is to fix
            raise ValueError(
                f"{said}{decimals_hint(unknown, classes)}: the labels are {taken}; write them "
                "as the probe's classes there "
                "(one row per epoch of all inputs, in order)" + skip
            )
        # continuous recordings labelled by annotations: the options are to change (not
        # --labels, --label-column or event names, which --epoch-seconds refuses)
        if taken in (WINDOW_LABELS_TAKEN, EPOCH_LABELS_TAKEN):
            advice = (
                f"--unlabelled {unlabelled} names a class the probe was not trained on: leave "
                "--unlabelled out (the windows no annotation covers are then left out) or give "
                "one of the probe's classes"
                if unlabelled is not None and unlabelled in unknown
                else "give --window-labels a pattern whose classes are the probe's"
            )
            raise ValueError(f"{said}: the labels are {taken}; {advice}{skip}")
        rename = event_names_hint(classes)
        raise ValueError(
            said
            + unknown_labels_hint(unknown, classes)
            + f": the labels are {taken}; give labels in the probe's classes with --labels "
            "FILE.csv (a 'label' column, one row per epoch of all inputs) or --label-column "
            "NAME (a column of the epochs' metadata)"
            + (
                f", or name the events as the classes in the files (in Python: {rename}; "
                "epochs.save(...))"
                if rename
                else ""
            )
            + skip
        )
    return np.array([by_text[str(v)] for v in y.tolist()], dtype=classes.dtype)
