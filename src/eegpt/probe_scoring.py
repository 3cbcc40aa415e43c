"""A probe scoring continuous recordings per scoring epoch (a hypnogram's 30 s), from Python.

:func:`predict_table` and :func:`evaluate_epochs` (:meth:`eegpt.probe.EEGPTProbe.predict_table`,
:meth:`~eegpt.probe.EEGPTProbe.evaluate` with ``epoch_seconds``) run the code of ``eegpt probe
predict --epoch-seconds`` and ``eegpt probe evaluate --epoch-seconds``, not a copy of it: the
keywords are read as that command line's options (:func:`_scoring_args`), the probe in memory
adopts its training's settings as the commands adopt those of a probe folder
(:func:`eegpt.probe_cli_predict.adopt_probe_options`), and the rows and metrics come from the
functions the commands call (:func:`eegpt.probe_cli_predict.scoring_epoch_table`,
:func:`eegpt.probe_cli_evaluate.scoring_epoch_labels` and
:func:`~eegpt.probe_cli_evaluate.evaluation_metrics`). The windows are pooled into epochs by
:func:`eegpt.scoring_epochs.scoring_epochs`.
"""

from __future__ import annotations

import argparse
import copy
import numbers
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eegpt._logging import honours_verbose

if TYPE_CHECKING:
    import pandas as pd
    import torch

    from eegpt.probe import EEGPTProbe

#: What a recording given in memory is told to do instead (the epoch tables read files).
_FILES_ONLY = (
    "scores continuous recordings given as files (a path, or a list of paths: .edf, .fif, "
    "...), as eegpt probe {command} --epoch-seconds reads them; got {kind}: save it first "
    "(raw.save('night_raw.fif')) and give the file"
)


#: What annotations given in memory are told to do instead (``--annotations`` reads files).
_ANNOTATION_FILES_ONLY = (
    "annotations= takes annotation files (a path, or a list of paths: one hypnogram per "
    "recording), as eegpt probe {command} --annotations reads them; got {kind}: save them "
    "first (mne.Annotations: annotations.save('hyp.csv'); a table of onset (seconds from the "
    "recording's first sample), duration and description columns: "
    "table.to_csv('hyp.csv', index=False)) and give the file, or leave annotations out to "
    "label by the recordings' own annotations"
)


def _as_word(path: str | os.PathLike) -> str:
    """The file ``path`` as a command-line word: one starting with ``-`` (a relative path) as
    ``./-name``, which the parser does not take for an option."""
    text = os.fspath(path)
    return f".{os.sep}{text}" if text.startswith("-") else text


def _recording_paths(data: Any, command: str) -> list[str]:
    """The recordings of ``data`` (a path or a list of paths) as command-line words; other
    inputs (an ``mne.io.Raw``, arrays) refused, saying how to give them."""
    given = [data] if isinstance(data, (str, os.PathLike)) else data
    if not isinstance(given, (list, tuple)) or not given:
        raise TypeError(_FILES_ONLY.format(command=command, kind=type(data).__name__))
    words = []
    for path in given:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(_FILES_ONLY.format(command=command, kind=type(path).__name__))
        words.append(_as_word(path))
    return words


def _annotation_paths(annotations: Any, command: str) -> list[str]:
    """The annotation files of ``annotations`` (a path or a list of paths, one per
    recording; None: none) as command-line words (:func:`_as_word`); annotations in memory
    (``mne.Annotations``, a DataFrame) refused, saying how to give them."""
    if annotations is None:
        return []
    given = [annotations] if isinstance(annotations, (str, os.PathLike)) else annotations
    if not isinstance(given, (list, tuple)):
        raise TypeError(
            _ANNOTATION_FILES_ONLY.format(command=command, kind=type(annotations).__name__)
        )
    for path in given:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                _ANNOTATION_FILES_ONLY.format(command=command, kind=type(path).__name__)
            )
    return [_as_word(path) for path in given]


def _scoring_args(
    probe: EEGPTProbe,
    command: str,
    data: Any,
    epoch_seconds: float | None,
    *,
    annotations: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    start: float | str | Sequence[float] | None = None,
    options: Sequence[str] = (),
    device: str | torch.device | None = None,
    precision: str = "float32",
    batch_size: int | None = None,
    verbose: bool | str | int | None = None,
) -> tuple[argparse.Namespace, EEGPTProbe]:
    """The command line ``eegpt probe COMMAND PROBE DATA --epoch-seconds EPOCH_SECONDS ...``
    (without ``--epoch-seconds`` where ``epoch_seconds`` is None) that the keywords stand for, parsed by the command line's own parser, and a copy of
    ``probe`` that has adopted its training's settings (window labels, start, crop) into it
    as the command adopts those of a probe folder; ``-q`` unless ``verbose`` asks for INFO
    (:func:`eegpt._logging.is_verbose`: the command's notes on stderr). ``options``: more words (``--skip-unknown``)."""
    from eegpt._logging import is_verbose
    from eegpt.cli_inputs import check_recordings_given
    from eegpt.cli_options import check_inference_options, given_once
    from eegpt.probe_cli import build_parser
    from eegpt.probe_cli_inputs import clean_recording_paths
    from eegpt.probe_cli_options import applied_picks
    from eegpt.probe_cli_predict import adopt_probe_options

    files = _annotation_paths(annotations, command)
    # one value (NumPy's numbers too: np.float32 is no float), else one per recording
    starts: list[Any] = []
    if isinstance(start, (str, int, float, numbers.Real)):
        starts = [start]
    elif start is not None:
        starts = list(start)
    words = ["probe", command, "PROBE", *_recording_paths(data, command)]
    if epoch_seconds is not None:
        words += ["--epoch-seconds", repr(float(epoch_seconds))]
    words += ["--annotations", *files] if files else []
    words += ["--start", *(str(s) for s in starts)] if starts else []
    words += ["--device", str(device)] if device is not None else []
    words += ["--precision", str(precision)]
    words += ["--batch-size", str(batch_size)] if batch_size is not None else []
    words += [*options, *([] if is_verbose(verbose) else ["-q"])]
    try:
        args = build_parser().parse_args(words)
    except SystemExit as err:  # the parser's message is on stderr
        raise ValueError(
            f"the keywords make no valid eegpt {' '.join(words[:2])} command line "
            f"({' '.join(words[3:])}): see the message above"
        ) from err
    args.python = True  # the labelling's warnings name what Python takes (CommandLabelling)
    clean_recording_paths(args)
    check_inference_options(args)
    check_recordings_given(list(args.data))
    probe = copy.copy(probe)  # adopting marks it; the caller's is left as it is
    probe.preprocessing = copy.copy(probe.preprocessing)
    adopt_probe_options(args, probe)
    # the channels it was trained on, and the channel types
    args.keep_channels = probe._checked_keep(args.keep_channels)
    applied_picks(args, probe)
    args.data, _ = given_once(args.data)  # one file's rows once
    return args, probe


@honours_verbose
def predict_table(
    probe: EEGPTProbe,
    data: str | os.PathLike | Sequence[str | os.PathLike],
    epoch_seconds: float = 30.0,
    *,
    annotations: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    start: float | str | Sequence[float] | None = None,
    reject_by_annotation: bool = False,
    device: str | torch.device | None = None,
    precision: str = "float32",
    batch_size: int | None = None,
    verbose: bool | str | int | None = None,
) -> pd.DataFrame:
    """The table of ``eegpt probe predict PROBE DATA --epoch-seconds EPOCH_SECONDS`` (its
    rows, as ``-o table.csv`` writes them), as a pandas DataFrame; see
    :meth:`eegpt.probe.EEGPTProbe.predict_table`."""
    from eegpt.cli_options import parse_rename
    from eegpt.optional_packages import require_pandas
    from eegpt.probe_cli_predict import scoring_epoch_table

    pd = require_pandas("EEGPTProbe.predict_table (a table of scoring epochs)")
    args, probe = _scoring_args(
        probe, "predict", data, epoch_seconds, annotations=annotations, start=start,
        options=["--reject-by-annotation"] if reject_by_annotation else [], device=device,
        precision=precision, batch_size=batch_size, verbose=verbose,
    )  # fmt: skip
    paths = [Path(p) for p in args.data]
    header, rows = scoring_epoch_table(args, probe, paths, parse_rename(args.rename, args.drop))
    table = pd.DataFrame(rows, columns=header)
    for name in header:  # no value: NaN in the numbers, None in the text (NaN: pandas 3)
        if name.startswith("p_") or name in ("onset_s", "clock_s", "duration_s", "covered_s"):
            table[name] = table[name].astype("float64")
    return table


@honours_verbose
def evaluate_epochs(
    probe: EEGPTProbe,
    data: str | os.PathLike | Sequence[str | os.PathLike],
    epoch_seconds: float = 30.0,
    *,
    annotations: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    start: float | str | Sequence[float] | None = None,
    skip_unknown: bool = False,
    device: str | torch.device | None = None,
    precision: str = "float32",
    batch_size: int | None = None,
    verbose: bool | str | int | None = None,
) -> dict[str, Any]:
    """The metrics of ``eegpt probe evaluate PROBE DATA --epoch-seconds EPOCH_SECONDS`` (what
    its ``--json`` records, less the provenance); see :meth:`eegpt.probe.EEGPTProbe.evaluate`."""
    from eegpt.probe_cli_evaluate import (
        _class_order,
        evaluation_metrics,
        scoring_epoch_labels,
        training_overlap_warnings,
    )
    from eegpt.probe_provenance import overlap_names
    from eegpt.viz_hypnogram import labelled_as_sleep

    args, probe = _scoring_args(
        probe, "evaluate", data, epoch_seconds, annotations=annotations, start=start,
        options=["--skip-unknown"] if skip_unknown else [], device=device,
        precision=precision, batch_size=batch_size, verbose=verbose,
    )  # fmt: skip
    classes = probe.classes_
    order = _class_order(None, classes, sleep=labelled_as_sleep(probe.training))
    y, proba, _, scored, left_out, unscored = scoring_epoch_labels(args, probe, sys.stderr)
    metrics, _, _ = evaluation_metrics(y, proba, classes, order, scored, args.epoch_seconds)
    if unscored:
        metrics["n_unscored"] = unscored
    overlap = training_overlap_warnings(probe, None, args.data, metrics)
    # as EEGPTProbe.evaluate names them (the command: in its provenance)
    metrics.update(overlap_names(overlap))
    if skip_unknown:
        metrics["n_left_out"] = left_out
    return metrics


def _event_words(
    threshold: float | Mapping[Any, float] | None,
    event_class: Sequence[Any] | None,
    min_event_seconds: float,
    merge_gap_seconds: float,
    overlap: float | None,
    skip_unknown: bool,
) -> list[str]:
    """The options of ``probe evaluate --event-scoring`` that the keywords of
    :func:`evaluate_events` stand for."""
    words = ["--event-scoring"]
    if isinstance(threshold, Mapping):
        words += ["--threshold", *(f"{c}={float(p)!r}" for c, p in threshold.items())]
    elif threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
            raise TypeError(
                f"threshold={threshold!r}: give a probability (0.3) for one event class, or "
                "{class: P}"
            )
        words += ["--threshold", repr(float(threshold))]
    if event_class is not None:
        classes = [event_class] if isinstance(event_class, str) else list(event_class)
        words += ["--event-class", *(str(c) for c in classes)]
    words += ["--min-event-seconds", repr(float(min_event_seconds))]
    words += ["--merge-gap-seconds", repr(float(merge_gap_seconds))]
    words += ["--overlap", repr(float(overlap))] if overlap is not None else []
    return words + (["--skip-unknown"] if skip_unknown else [])


@honours_verbose
def evaluate_events(
    probe: EEGPTProbe,
    data: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    annotations: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
    threshold: float | Mapping[Any, float] | None = None,
    event_class: Sequence[Any] | None = None,
    min_event_seconds: float = 0.0,
    merge_gap_seconds: float = 0.0,
    overlap: float | None = None,
    skip_unknown: bool = False,
    device: str | torch.device | None = None,
    precision: str = "float32",
    batch_size: int | None = None,
    verbose: bool | str | int | None = None,
) -> dict[str, Any]:
    """The metrics of ``eegpt probe evaluate PROBE DATA --event-scoring`` (what its ``--json``
    records, less the provenance: the window metrics, ``events`` with the event scores,
    ``operating_points`` and threshold, each recording's events in ``per_recording``); see
    :meth:`eegpt.probe.EEGPTProbe.evaluate` with ``events=True``."""
    from eegpt.probe_cli_evaluate import (
        _class_order,
        attach_recording_events,
        evaluation_metrics,
        labelled_windows,
        refuse_epoched_for_events,
        training_overlap_warnings,
    )
    from eegpt.probe_cli_events import check_events_options, evaluated_events, event_classes
    from eegpt.probe_cli_inputs import refuse_labels_without_files
    from eegpt.probe_cli_predict import check_window_overlap, window_labelling
    from eegpt.probe_provenance import overlap_names
    from eegpt.viz_hypnogram import labelled_as_sleep

    options = _event_words(threshold, event_class, min_event_seconds, merge_gap_seconds,
                           overlap, skip_unknown)  # fmt: skip
    args, probe = _scoring_args(
        probe, "evaluate", data, None, annotations=annotations, options=options,
        device=device, precision=precision, batch_size=batch_size, verbose=verbose,
    )  # fmt: skip
    check_events_options(args)
    refuse_epoched_for_events(args)
    args.event_class = event_classes(args, probe)
    classes = probe.classes_
    order = _class_order(None, classes, sleep=labelled_as_sleep(probe.training))
    check_window_overlap(args, probe.preprocessing.window_seconds)
    windows = window_labelling(args, probe.preprocessing.window_seconds)
    refuse_labels_without_files(args, windows)
    recording, y, _, scored, left_out, unscored, proba = labelled_windows(
        args, probe, windows, sys.stderr
    )
    metrics, _, pred = evaluation_metrics(y, proba, classes, order, scored, None)
    if unscored:
        metrics["n_unscored"] = unscored
    overlap_found = training_overlap_warnings(probe, None, args.data, metrics)
    metrics.update(overlap_names(overlap_found))  # as EEGPTProbe.evaluate names them
    if skip_unknown:
        metrics["n_left_out"] = left_out
    metrics["events"] = evaluated_events(args, probe, recording, scored, y, pred, proba, windows)
    attach_recording_events(metrics)
    return metrics
