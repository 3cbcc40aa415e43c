"""Command line for linear probes: ``eegpt probe train | predict | evaluate``.

Input files hold labelled epochs, one model window each:

``*-epo.fif`` (or ``*_epo.fif``, ``.fif.gz``)
    MNE epochs (``epochs.save("sub-01-epo.fif")``). Labels are the event names
    (``epochs.event_id``), unless ``--labels`` gives them.
``*.set``
    Epoched EEGLAB files; labels are each epoch's time-locking event (latency 0), not all the
    events it holds (``mne.read_epochs_eeglab``'s names); a ``.set`` of one trial is a
    continuous recording.
``*.npz``
    NumPy arrays ``X`` ``[n_epochs, n_channels, n_times]``, ``ch_names`` ``[n_channels]``,
    ``sfreq`` (Hz), optionally ``units`` (``"V"`` default, ``"mV"``, ``"uV"``) and ``y``
    ``[n_epochs]`` (labels).

``--labels FILE.csv`` overrides the labels: a CSV with a header row and a ``label`` column (any
case; commas, semicolons or tabs between columns), one row per epoch of all input files in the
order given; with an ``epoch`` (or ``window``) column the rows go to the epochs of those
numbers instead, counted from 0 (as eegpt and MNE count) or from 1 (as EEGLAB counts),
whichever numbers the inputs' epochs (several inputs: a ``file`` column says whose epoch each
row is, as in ``eegpt probe predict``'s output). A blank cell (or ``n/a``, ``NA``, ``nan``)
is a missing label, refused as ``train_probe`` refuses None in ``y`` (``evaluate
--skip-unknown`` leaves such epochs out, as it does epochs with labels the probe lacks).
With continuous recordings, ``--labels`` labels their consecutive windows (``--window``
seconds from ``--start``): one row per window of the recording (an ``epoch``/``window``
column numbers them in the recording); their annotations label none and leave none out, but
for windows over bad annotations (``BAD_...``), left out after the rows are matched to the
windows (``--window-labels``, labels from the annotations, is not taken with it).
Several input files are concatenated;
files of other sites (other channel names or sampling rates) are matched by electrode to the
first file's channels and resampled to 256 Hz (:func:`eegpt.probe.merge_epochs`).

To cut a continuous recording into labelled epochs, use MNE, e.g.
``mne.Epochs(raw, events, event_id, tmin=0, tmax=4 - 1 / raw.info["sfreq"], baseline=None)``.
``predict``, which needs no labels, also takes continuous recordings (``.edf``, ``.bdf``,
``.fif``, ``.set``, ...) as they are: each is cut into consecutive windows of the probe's length from its
first sample, one row each with its ``onset_s``.

:func:`add_probe_commands` adds the ``probe`` command to the ``eegpt`` parser; :func:`main` runs
it on its own (``python -m eegpt.probe_cli train ...``). This module holds the argument parser
and the commands; reading the inputs as labelled epochs (label files, window labelling) is
:mod:`eegpt.probe_label_files`, writing prediction tables :mod:`eegpt.probe_predictions`.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from eegpt._epochs_header import epochs_metadata, epochs_read_once
from eegpt._filenames import SUBJECT_PATTERNS_TEXT, subject_of
from eegpt.cli_inputs import (
    recording_paths,
    warn_marker_spans_of_epochs,
    warn_stim_events_of_epochs,
)
from eegpt.cli_options import (
    FIGURE_FORMATS,
    START_FROM_ANNOTATIONS,
    CommandParser,
    SubcommandParser,
    add_annotations_option,
    add_crop_option,
    add_dpi_option,
    add_events_from_stim_options,
    add_inference_options,
    add_input_options,
    add_marker_spans_option,
    add_reference_option,
    add_resample_option,
    add_start_option,
    check_figure_path,
    checked_rescale,
    given_once,
    lower_choice,
    overlap_seconds,
    parse_keep,
    parse_rename,
    save_figure_file,
    seconds,
    stim_setting,
)
from eegpt.cli_run import given_arguments, joined_negative_values, run_command_line
from eegpt.probe_label_files import LABEL_CSV_SEPARATORS as LABEL_CSV_SEPARATORS  # re-exported
from eegpt.probe_label_files import LABEL_NUMBER_COLUMNS as LABEL_NUMBER_COLUMNS  # re-exported
from eegpt.probe_label_files import MAX_IGNORED_NAMES as MAX_IGNORED_NAMES  # re-exported
from eegpt.probe_label_files import MISSING_LABELS as MISSING_LABELS  # re-exported
from eegpt.probe_label_files import (
    TimeBase,
    WindowLabelling,
    _is_continuous_input,
    check_annotation_files,
    implied_labels,
    labelling_options,
    labels_file_record,
    load_labelled_epochs,
    marker_spans_values,
    no_annotations_warning,
    parse_marker_spans,
    parse_window_labels,
    start_given,
    time_base_of,
    window_label_values,
)
from eegpt.probe_label_files import _labelled_windows as _labelled_windows  # re-exported
from eegpt.probe_label_files import _read_one as _read_one  # re-exported
from eegpt.probe_label_files import first_labelling_onset as first_labelling_onset  # re-exported
from eegpt.probe_predictions import PREDICTION_FORMATS as PREDICTION_FORMATS  # re-exported
from eegpt.probe_predictions import PREDICTIONS_KEY as PREDICTIONS_KEY  # re-exported
from eegpt.probe_predictions import (
    _check_prediction_output,
    _null_for_nan,
    _provenance,
    _sidecar_of,
    _write_predictions,
    confusion_table,
)

__all__ = ["add_probe_commands", "load_labelled_epochs", "main"]

INPUT_HELP = """\
Linear probes on a frozen EEGPT encoder (the EEGPT paper's recipe).

Inputs are labelled epochs, one model window each:
  *-epo.fif  MNE epochs; labels are the event names (epochs.event_id)
  *.set      epoched EEGLAB files; labels are each epoch's time-locking event
  *.npz      arrays X [n_epochs, n_channels, n_times], ch_names, sfreq,
             optionally units ("V" default, "mV", "uV") and y (labels)
--labels FILE.csv overrides the labels: a header row with a 'label' column (any case; commas,
semicolons or tabs between columns), one row per epoch of all inputs in order, or numbered by
an 'epoch' column (from 0, or from 1 as EEGLAB counts; with a 'file' column for several inputs)
(a blank cell, n/a, NA or nan is a missing label: an error). With continuous recordings,
--labels labels each consecutive window (one row per window of the recording, or numbered
by window); annotations then label none, but windows over bad annotations are left out.
Several inputs are concatenated; other channel names (EEG FP1-REF = Fp1) and sampling rates
are matched by electrode to the first input's. predict also takes continuous recordings
(.edf, .fif, .set, ...), cut into consecutive windows of the probe's length."""


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


class _OldPassesName(argparse.Action):
    """``--epochs N``, the name of ``--passes`` before: taken as ``--passes N``, with a note on
    stderr to use the new name (an epoch is one trial of the inputs, not a pass over them)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        print(
            f"{parser.prog}: --epochs is now --passes (passes over the training epochs); "
            f"training with --passes {values}. Write --passes {values}: --epochs will go",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def _add_label_column(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument(
        "--label-column",
        metavar="NAME",
        help="labels from this column of the epochs' metadata (e.g. condition) instead of the "
        f"event names{' ' + what if what else ''}",
    )


def _add_labels(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--labels",
        type=Path,
        help="CSV with a 'label' column (any case; commas, semicolons or tabs between columns), "
        "one row per epoch, in order or numbered by an 'epoch' (or 'window') column from 0 or "
        "from 1 (as EEGLAB counts), with a 'file' column for several inputs. Continuous "
        "recordings: labels every consecutive window (train: of --window s; evaluate: the "
        "probe's; from --start), one row "
        "per window of the recording or numbered by window; their annotations then label none "
        "and leave none out but windows over bad annotations (BAD_...), left out after the "
        "rows are matched (not with --window-labels)",
    )


def _add_labelled_data(p: argparse.ArgumentParser) -> None:
    """The input files of train and evaluate: labelled epochs, or continuous recordings."""
    p.add_argument(
        "data",
        nargs="+",
        type=Path,
        help="-epo.fif, .set or .npz files of epochs, or continuous recordings (.edf, .fif, "
        ".vhdr, ...) with --window-labels",
    )


def _add_window_labels(
    p: argparse.ArgumentParser, what: str, bad: str = "are left out", trained: bool = True
) -> None:
    """``--window-labels``, ``--annotations`` and ``--unlabelled``; ``trained``: for a command
    that takes a trained probe, whose labelling is the default."""
    g = p.add_argument_group("continuous recordings labelled by their annotations")
    command = p.prog.removeprefix("eegpt ") + (" PROBE" if trained else "")
    add_start_option(g, per_recording=True, command=command)  # its errors name the command
    g.add_argument(
        "--window-labels",
        metavar="REGEX | LABEL=REGEX",
        action="append",
        help=f"cut continuous recordings (.edf, .fif, .vhdr, ...) into consecutive windows {what}, "
        "each labelled by the annotation whose description matches REGEX (re.search, e.g. "
        "'(?i)seizure', '^Sleep stage') and covers at least half of it (--min-overlap): each "
        "matching "
        "description is a class of its own. Or classes that merge descriptions, one "
        "LABEL=REGEX each (repeat the option): --window-labels 'seizure=fnsz|gnsz|cpsz' "
        "--window-labels 'background=bckg' (a description takes the first class it matches; "
        "the annotations of one class add up over a window, time under two of them counted once; "
        "a REGEX matches every description containing it: 769 also matches 17690 (warned of), "
        "'left=^769$' matches 769 only; a lone REGEX holding '=' is read "
        f"so unless '\\=' is written). Windows over bad annotations {bad}."
        + (" Default: the labelling the probe was trained with, if any" if trained else ""),
    )
    add_annotations_option(
        g,
        "with --window-labels: annotations kept in another file (a hypnogram such as "
        "Sleep-EDF's *-Hypnogram.edf, a .csv/.tsv of onset, duration, description in seconds, "
        "a TUH .csv_bi/.tse), "
        "joined to the recording's own: one file per continuous recording, in their order",
    )
    add_marker_spans_option(
        g,
        " Without --window-labels, each state is a class (--window-labels NAME=^NAME$ implied); "
        "with it, --window-labels NAME=^NAME$ labels the windows by the spans"
        + (
            ". Default: the probe's training --marker-spans, if any (a recording with none of "
            "its markers then: predict leaves its windows unlabelled, evaluate refuses it)"
            if trained
            else ""
        ),
    )
    add_events_from_stim_options(
        g,
        " Its events have no duration, so they label no window by themselves: for states, "
        "make spans of them with --marker-spans NAME=REGEX over their names (--event-names "
        "1=EC --event-names 2=EO --marker-spans EC=^EC$ --marker-spans EO=^EO$); for trials "
        "time-locked to stimuli, cut epochs around them and train on the epochs (README: "
        "Downstream tasks, ERP epochs); recorded in the probe"
        + (
            ". Default: the probe's training --events-from-stim, if any (a recording without "
            "such a stim channel is then labelled without them, with a warning)"
            if trained
            else ""
        ),
    )
    g.add_argument(
        "--unlabelled",
        metavar="LABEL",
        help="with --window-labels: the class of the windows no matching annotation covers "
        "(e.g. background); default: leave them out",
    )
    g.add_argument(
        "--min-overlap",
        metavar="FRACTION",
        type=_overlap_fraction,
        help="with --window-labels: the fraction of a window (0 < FRACTION <= 1) a class's "
        "annotations must cover to label it (the class covering most of a window still wins); "
        "1 labels only windows wholly inside one. 1e-6 labels every window a seizure touches "
        "when the seizure class is the only one matched, the rest --unlabelled background "
        "(with a background class matched too, the larger cover wins) (default: 0.5"
        + (", or the one the probe was trained with)" if trained else ")"),
    )


def _overlap_fraction(text: str) -> float:
    """``--min-overlap``'s value: a fraction in ``(0, 1]``."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is no fraction of a window in (0, 1]: e.g. 0.5 (half of it), 1e-6 (any "
            "overlap) or 1 (all of it)"
        )
    return value


def _add_window_overlap(p: argparse.ArgumentParser, what: str) -> None:
    """``--overlap`` of ``probe train`` and ``evaluate``: overlapping windows of the continuous
    recordings that ``--window-labels`` labels; ``what``: what it is for."""
    p.add_argument(
        "--overlap",
        type=overlap_seconds,
        default=0.0,
        metavar="SECONDS",
        help="continuous recordings with --window-labels: seconds each window overlaps the "
        "previous one (--overlap 3 of 4 s windows: one every 1 s; the hop whole samples at "
        "256 Hz; default 0: consecutive windows), each labelled as a "
        f"consecutive one is: {what}. Not for epochs files (one window each) nor --labels "
        "FILE (rows of consecutive windows)",
    )


def _check_window_overlap(args: argparse.Namespace, window_seconds: float) -> None:
    """``--overlap`` of ``probe train``/``evaluate`` refused, before any file is read,
    where it cuts nothing: less than the window, for continuous recordings labelled by
    ``--window-labels``."""
    from eegpt._logging import few

    overlap = getattr(args, "overlap", 0.0)
    if not overlap or getattr(args, "func", None) is cmd_probe_predict:
        return
    if not 0 < overlap < window_seconds:
        raise ValueError(
            f"--overlap {overlap:g}: give 0 <= overlap < the {window_seconds:g} s windows"
        )
    continuous = [str(p) for p in args.data if _is_continuous_input(p)]
    if not continuous:
        raise ValueError(
            f"--overlap {overlap:g} cuts continuous recordings into overlapping windows; "
            f"{few([str(p) for p in args.data], 3)} {_holds(args.data)} epochs, one window each: leave "
            "--overlap out"
        )
    if getattr(args, "labels", None) is not None:
        raise ValueError(
            f"--overlap {overlap:g}: --labels {args.labels} labels consecutive windows, one "
            "row each; label the windows by their annotations (--window-labels) to overlap them"
        )


def _labelling(args: argparse.Namespace, window_seconds: float) -> WindowLabelling | None:
    """``--window-labels`` / ``--unlabelled`` as a :class:`WindowLabelling` (or None)."""
    from eegpt._logging import few

    labels_file = getattr(args, "labels", None)
    continuous = [str(p) for p in args.data if _is_continuous_input(p)]
    if labels_file is not None and continuous:
        if args.window_labels is not None:
            raise ValueError(
                f"--labels {labels_file} gives the labels of the windows of the continuous "
                f"recordings ({few(continuous, 3)}), --window-labels takes them from their "
                "annotations: give one of them (with --labels, one row per window of a "
                "recording, in order or numbered by a 'window' column)"
            )
        if (
            args.unlabelled is not None or args.annotations or _min_overlap(args) is not None
            or getattr(args, "marker_spans", None) or getattr(args, "events_from_stim", None)
        ):  # fmt: skip
            raise ValueError(
                "--unlabelled, --min-overlap, --annotations, --marker-spans and "
                "--events-from-stim go with "
                f"--window-labels (labels from annotations); --labels {labels_file} gives "
                "every window's label"
            )
        start, starts = _start_option(args, continuous)
        return WindowLabelling(
            None, window_seconds, start_seconds=start, starts=starts,
            labels_file=str(labels_file),
        )  # fmt: skip
    states = parse_marker_spans(args.marker_spans) if getattr(args, "marker_spans", None) else None
    stim = stim_setting(args)
    if args.window_labels is None and states is not None:  # each state a class of its own
        args.window_labels = window_label_values(implied_labels(states))
    if args.window_labels is None:
        if args.annotations and getattr(args, "epoch_seconds", None) is None:
            raise ValueError("--annotations gives the labels of --window-labels: give "
                             "--window-labels REGEX too")  # fmt: skip
        if args.unlabelled is not None:
            raise ValueError("--unlabelled names the class of windows --window-labels leaves "
                             "unlabelled: give --window-labels REGEX too")  # fmt: skip
        if _min_overlap(args) is not None:
            raise ValueError("--min-overlap is how much of a window the annotations of "
                             "--window-labels must cover: give --window-labels REGEX too")  # fmt: skip
        if stim is not None:
            raise ValueError(
                "--events-from-stim makes annotations of no duration, which label no window "
                "by themselves: for states, make spans of them with --marker-spans NAME=REGEX "
                "over their names (--event-names 1=EC --event-names 2=EO --marker-spans "
                "EC=^EC$ --marker-spans EO=^EO$: each state a class); for trials time-locked to "
                "stimuli, cut epochs around the events (mne.Epochs(raw, events, tmin, tmax)) "
                "and train on the epochs (README: Downstream tasks, ERP epochs)"
            )
        return None
    from eegpt.annotations import DEFAULT_MIN_OVERLAP

    match = parse_window_labels(args.window_labels)
    files = [str(a) for a in args.annotations or []]
    if files and len(files) != len(continuous):
        held = [p for p in getattr(args, "val_data", None) or [] if _is_continuous_input(p)]
        also = ""
        if held and len(files) == len(continuous) + len(held):
            also = (
                "; --annotations applies to the training files only: give those of the "
                "--val-data recordings with --val-annotations FILE"
            )
        raise ValueError(
            f"{len(files)} --annotations file(s) for {len(continuous)} continuous recording(s) "
            f"({few(continuous, 3)}): give one per continuous recording, in the same order" + also
        )
    if files:
        # a swap with the --val-data recordings too (theirs are checked against these)
        held = [str(p) for p in getattr(args, "val_data", None) or [] if _is_continuous_input(p)]
        check_annotation_files(list(zip(continuous, files, strict=True)), others=held)
    start, starts = _start_option(args, continuous)
    overlap = (
        0.0 if getattr(args, "func", None) is cmd_probe_predict else getattr(args, "overlap", 0.0)
    )
    return WindowLabelling(
        match,
        window_seconds,
        args.unlabelled,
        tuple(zip(continuous, files, strict=True)) if files else (),
        start_seconds=start,
        starts=starts,
        min_overlap=_min_overlap(args) or DEFAULT_MIN_OVERLAP,
        overlap=overlap or 0.0,
        marker_spans=states,
        spans_adopted=_spans_adopted(args),
        stim_events=stim,
        stim_adopted=bool(getattr(args, "stim_adopted", False)),
    )


def _spans_adopted(args: argparse.Namespace) -> Literal["", "predict", "evaluate"]:
    """How the probe's training ``--marker-spans``, adopted by :func:`_adopt_marker_spans`,
    treat a recording without state markers (:attr:`WindowLabelling.spans_adopted`): ""
    where ``--marker-spans`` was given (then such a recording is an error)."""
    if not getattr(args, "marker_spans_adopted", False):
        return ""
    return "predict" if getattr(args, "func", None) is cmd_probe_predict else "evaluate"


def _min_overlap(args: argparse.Namespace) -> float | None:
    """``--min-overlap`` as given (or adopted from the probe), None where it is not."""
    value = getattr(args, "min_overlap", None)
    return None if value is None else float(value)


def _start_option(
    args: argparse.Namespace, continuous: Sequence[str]
) -> tuple[float | str, tuple[tuple[str, float | str], ...]]:
    """The probe commands' ``--start`` as ``(start, per recording)``: one value for all
    (seconds or ``"annotations"``, no pairs), or one per continuous recording (``continuous``
    then those of ``--val-data``, in their order: ``(path, value)`` pairs, start 0)."""
    from eegpt._logging import few

    values = getattr(args, "start", None)
    if values is None or not isinstance(values, list):
        return float(values or 0.0), ()
    if len(values) == 1:
        return values[0], ()
    held = [str(p) for p in getattr(args, "val_data", None) or [] if _is_continuous_input(p)]
    files = [*continuous, *held]
    if len(values) != len(files):
        raise ValueError(
            f"--start: {len(values)} values for {len(files)} continuous recording(s) "
            f"({few(files, 3)}): give one for all, one per continuous recording in the order "
            "given (--val-data ones last), or --start annotations"
        )
    return 0.0, tuple(zip(files, values, strict=True))


def _val_labelling(
    args: argparse.Namespace, windows: WindowLabelling | None
) -> WindowLabelling | None:
    """The labelling of ``probe train``'s ``--val-data`` recordings: ``windows`` with their
    ``--val-annotations`` files (one per continuous one) instead of ``--annotations``."""
    from eegpt._logging import few

    files = [str(a) for a in args.val_annotations or []]
    held = [str(p) for p in args.val_data if _is_continuous_input(p)]
    if args.labels is not None:  # the training files' labels CSV: the --val-data files' own
        if files:
            raise ValueError(
                f"--val-annotations gives the labels of --window-labels; with --labels "
                f"{args.labels} give the --val-data files' labels CSV with --val-labels FILE"
            )
        if held and args.val_labels is None:
            raise ValueError(
                f"--labels {args.labels} labels the training files only: give the labels of "
                f"the continuous --val-data recording(s) ({few(held, 3)}) with --val-labels "
                "FILE, a CSV laid out as --labels is (one row per window of the recording, in "
                "order or numbered by a 'window' column; a 'file' column for several)"
            )
        if not held:
            return None
        start, starts = _start_option(args, [str(p) for p in args.data if _is_continuous_input(p)])
        return WindowLabelling(
            None, args.window, start_seconds=start, starts=starts,
            labels_file=str(args.val_labels), validation=True,
        )  # fmt: skip
    if args.val_labels is not None:
        raise ValueError(
            "--val-labels is the --val-data files' labels CSV beside --labels FILE (the "
            "training files'): give --labels too, or label the --val-data files as the "
            "training ones are"
        )
    if windows is None:
        if files:
            raise ValueError("--val-annotations gives the labels of --window-labels: give "
                             "--window-labels REGEX too")  # fmt: skip
        return None
    if files and len(files) != len(held):
        raise ValueError(
            f"{len(files)} --val-annotations file(s) for {len(held)} continuous --val-data "
            f"recording(s) ({few(held, 3)}): give one per continuous --val-data recording, in "
            "the same order"
        )
    pairs = tuple(zip(held, files, strict=True)) if files else ()
    trained = [str(p) for p in args.data if _is_continuous_input(p)]  # a swap with these too
    check_annotation_files(pairs, "--val-annotations", others=trained)
    return dataclasses.replace(windows, extra=pairs, validation=True)


def _add_events_options(p: argparse.ArgumentParser, scoring: bool = False) -> None:
    """``probe predict``'s ``--events`` and the options of its events; ``scoring``: ``probe
    evaluate``'s ``--event-scoring`` instead, with the same options of its events."""
    g = p.add_argument_group("events (continuous recordings: e.g. seizures)")
    if scoring:
        g.add_argument(
            "--event-scoring",
            action="store_true",
            help="continuous recordings (not epochs files): also score events as seizure "
            "detection is scored (TUH Seizure Corpus, NEDC): the consecutive windows predicted "
            "as an event class merged into events as probe predict --events merges them, and "
            "the scored events made of the window labels (neither --min-event-seconds nor "
            "--merge-gap-seconds applies to them; the label spans as the "
            "windows see them: the windows --window-labels labels as the class, not the "
            "annotations' own onsets and ends). Per event class: OVLP (any overlap: a scored "
            "event overlapped by a predicted one is found, a predicted one overlapping none "
            "a false alarm) and TAES (time-aligned: the fraction of each scored event "
            "covered, of each predicted event outside every scored one) sensitivity, "
            "precision, F1 and false alarms per 24 h over the hours of windows scored "
            "(eegpt.probe_events.event_scores); printed, and in --json under 'events'",
        )
    else:
        g.add_argument(
            "--events",
            metavar="FILE",
            help="also write the events: the consecutive windows predicted as an event class "
            "merged into one row per event (eegpt.probe_events.windows_to_events): file, "
            "class, onset_s, offset_s, duration_s (s of recorded data from the first "
            "sample), clock_s, clock_end_s (onset and end on the recording's clock), "
            "clock_time, clock_end_time (their moments, where the recording is dated), "
            "n_windows, p_mean, "
            "p_max (the class's mean and largest probability over its windows). An event "
            "spans the stretch one hop long around each window's centre: from the first "
            "window's onset + (window - hop)/2 to the last's onset + (window + hop)/2, so "
            "n_windows x hop seconds (without --overlap, the windows' own span). Windows "
            "marked bad belong to no event and break one, as does a recording gap (EDF+D) "
            "between two windows. A .csv, .tsv or .parquet file, with "
            "its provenance as --output's. Where the windows are labelled (--window-labels), "
            "the scored events (the runs of the window labels, with neither --min-event-seconds "
            "nor --merge-gap-seconds: those shape predicted events only) are compared on "
            "stderr: OVLP "
            "and TAES sensitivity, precision, F1 and false alarms per 24 h, as probe evaluate "
            "--event-scoring gives them",
        )
    switch = "--event-scoring" if scoring else "--events"
    g.add_argument(
        "--event-class",
        nargs="+",
        metavar="CLASS",
        help=f"with {switch}: the classes whose windows make events (default: every class but "
        "the background: the probe's --unlabelled class, else its most frequent training "
        "class)",
    )
    g.add_argument(
        "--min-event-seconds",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help=f"with {switch}: leave out events shorter than this (default 0: none)"
        + (SHAPES_PREDICTED_ONLY if scoring else ""),
    )
    g.add_argument(
        "--merge-gap-seconds",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help=f"with {switch}: join the events of a class less than this apart (offset to next "
        "onset, in seconds of recorded data, bad windows between included), before "
        "--min-event-seconds (default 0: none); never across a recording gap (the pause of "
        "an EDF+D file), which ends an event wherever it falls"
        + (SHAPES_PREDICTED_ONLY if scoring else ""),
    )


SHAPES_PREDICTED_ONLY = (
    ", of the predicted events only (the scored events are the runs of the window labels as "
    "they are)"
)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    add_input_options(p.add_argument_group("input corrections"))
    add_inference_options(p)
    p.add_argument("-q", "--quiet", action="store_true", help="less output")


def _read_inputs(
    args: argparse.Namespace, files: list[Path] | None = None, **kwargs: Any
) -> tuple[Any, Any, list[str], Any]:
    """``(recording, labels, sources, rename)`` of the command's input files (or ``files``,
    read alike) and corrections."""
    from eegpt.channels import present_keys
    from eegpt.preprocessing import probe_crop

    files, _ = given_once(args.data if files is None else files)  # read twice, counted twice
    rename = parse_rename(args.rename, args.drop)
    rescale = checked_rescale(args.rescale)
    # predict, evaluate: the probe's window, fixed (a crop overshooting it: another crop)
    with probe_crop(getattr(args, "crop_window_fixed", False)):
        recording, y, sources = load_labelled_epochs(
            files,
            rescale=rescale,
            rename=rename,
            resample=getattr(args, "resample", "polyphase"),  # train has --resample
            label_column=args.label_column,
            column_optional=getattr(args, "label_column_adopted", False),
            verbose=False,
            keep=getattr(args, "keep_channels", None),
            preprocessing=getattr(args, "crop_preprocessing", None),  # --crop
            **kwargs,
        )
    if rename and len(files) > 1:  # merged: the keys of the channels that remain
        rename = present_keys(rename, recording.ch_names)
    return recording, y, sources, rename


def _add_applied_keep(p: argparse.ArgumentParser) -> None:
    """``--keep-channels`` of ``probe predict``/``evaluate``: optional, checked against the
    channels the probe was trained on."""
    p.add_argument(
        "--keep-channels",
        type=parse_keep,
        default=None,
        metavar="NAMES",
        help="optional: the probe always takes the channels it was trained on (with the "
        "--keep-channels it was trained with, recorded in it); one given here (as to train, "
        "e.g. from a shared script) must keep all of them, else it is an error",
    )


def _add_applied_crop(p: argparse.ArgumentParser) -> None:
    """``--crop TMIN`` of ``probe predict``/``evaluate``: the probe's by default
    (:func:`_adopt_crop`)."""
    add_crop_option(
        p,
        help="epochs: crop each epoch to one window of the probe, [TMIN, TMIN + its window) s "
        "relative to its time-locking event, as probe train --crop does. By default the "
        "probe's own (its training's --crop, recorded in probe.json, said on stderr); one "
        "given that differs from it is used, with a warning. The probe's is left out for "
        "continuous recordings and .npz arrays (which must be cut as in training), and "
        "refused beside epochs files in one run; one given here is refused for them",
    )


def _holds(paths: Sequence[Any]) -> str:
    """The verb for :func:`~eegpt._logging.few`'s list of ``paths``: one file "holds"."""
    return "holds" if len(paths) == 1 else "hold"


def _is_array_input(path: Path) -> bool:
    """An ``.npz`` of epochs arrays: epochs without times relative to their event."""
    return Path(path).name.endswith(".npz")


def _crop_left_out(
    args: argparse.Namespace,
    probe: Any,
    continuous: list[str],
    arrays: list[str],
    epochs: list[str],
) -> list[str]:
    """The probe's crop (``preprocessing.crop_tmin``) left out for continuous recordings,
    whose windows have no time-locking event to crop by, and for ``.npz`` arrays, which
    carry no times (as :meth:`eegpt.probe.EEGPTProbe.predict_proba` leaves it out for
    them): the notes to say. Refused where ``epochs`` files are given beside them, which it
    would crop."""
    from dataclasses import replace

    from eegpt.preprocessing import crop_left_out_for_arrays

    trained = probe.preprocessing.crop_tmin
    if epochs:
        others = "continuous recordings" if continuous else ".npz arrays"
        if continuous and arrays:
            others = "continuous recordings and .npz arrays"
        raise ValueError(
            f"the probe was trained on epochs cropped by --crop {trained:g}, which crops epochs "
            f"files such as {epochs[0]} but not {others} such as {(continuous or arrays)[0]}: "
            f"give the {others} and the epochs files in separate runs"
        )
    notes = []
    if continuous:
        notes.append(
            f"the probe's --crop {trained:g} does not apply to continuous recordings: their "
            "windows have no time-locking event to crop by, so they are used as cut"
        )
    if arrays:
        notes.append(crop_left_out_for_arrays(trained, probe.preprocessing.window_seconds))
    probe.preprocessing = replace(probe.preprocessing, crop_tmin=None)
    args.crop_preprocessing = probe.preprocessing
    return notes


def _adopt_crop(args: argparse.Namespace, probe: Any) -> None:
    """The crop of the epochs predicted or evaluated (``--crop``): the probe's training crop
    (its ``preprocessing.crop_tmin``) unless another is given, which is used with a warning
    that it differs (epochs cropped elsewhere around their event than those trained on); a
    ``--crop`` given for a continuous recording or ``.npz`` arrays is refused, and the
    probe's own left out for them (:func:`_crop_left_out`). The probe's preprocessing then
    holds the crop applied, which the output's provenance records. What is said of it is
    kept in ``args.crop_notes`` for :func:`_say_crop`, once the inputs are accepted."""
    from dataclasses import replace

    from eegpt._logging import warn as _warn
    from eegpt.preprocessing import crop_refused_for_arrays, crop_refused_for_continuous

    trained = probe.preprocessing.crop_tmin
    given = getattr(args, "crop", None)
    args.crop_preprocessing = probe.preprocessing  # the epochs files cropped as it says
    args.crop_notes = []
    args.crop_window_fixed = True  # the probe's window: a crop overshooting it, another crop
    continuous = [str(p) for p in args.data if _is_continuous_input(p)]
    arrays = [str(p) for p in args.data if not _is_continuous_input(p) and _is_array_input(p)]
    epochs = [str(p) for p in args.data if not _is_continuous_input(p) and not _is_array_input(p)]
    if given is None:
        if trained is None:
            return
        if continuous or arrays:
            args.crop_notes = _crop_left_out(args, probe, continuous, arrays, epochs)
        else:
            args.crop_notes = [
                f"epochs cropped to [{trained:g}, {trained:g} + "
                f"{probe.preprocessing.window_seconds:g}) s around their event, as in training "
                f"(--crop {trained:g})"
            ]
        return
    if continuous:
        raise ValueError(f"{continuous[0]}: {crop_refused_for_continuous(given)}")
    if arrays:
        raise ValueError(f"{arrays[0]}: {crop_refused_for_arrays(given)}")
    if trained is None or float(given) != float(trained):
        was = "no --crop" if trained is None else f"--crop {trained:g}"
        _warn(
            f"--crop {given:g} differs from the probe's training ({was}): these epochs are "
            "cropped elsewhere around their event than those it was trained on, so the probe "
            f"sees other latencies (used as given; leave --crop out to use the probe's)"
        )
    probe.preprocessing = replace(probe.preprocessing, crop_tmin=float(given))
    args.crop_preprocessing = probe.preprocessing


def _say_crop(args: argparse.Namespace) -> None:
    """Say on stderr how the probe's crop applies (:func:`_adopt_crop`'s notes), once the
    run's inputs and options are accepted."""
    if not args.quiet:
        for note in getattr(args, "crop_notes", []):
            print(note, file=sys.stderr)


def add_probe_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``probe`` with the actions ``train``, ``predict`` and ``evaluate`` to a parser.

    Parameters
    ----------
    subparsers
        What ``parser.add_subparsers()`` returned (the ``eegpt`` command list).

    Returns
    -------
    argparse.ArgumentParser
        The ``probe`` parser. Each action sets ``func`` to a ``f(args) -> exit status``.
    """
    probe = subparsers.add_parser(
        "probe",
        help="linear probes on a frozen EEGPT encoder: train, predict, evaluate",
        description=INPUT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = probe.add_subparsers(dest="probe_command", required=True, metavar="ACTION")

    p = actions.add_parser(
        "train",
        help="train a probe on labelled epochs (paper recipe)",
        epilog=TRAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_labelled_data(p)
    p.add_argument("--weights", required=True, help="encoder checkpoint (path or pretrained name)")
    p.add_argument("-o", "--output", type=Path, required=True, help="probe folder to write")
    _add_labels(p)
    _add_label_column(p)
    p.add_argument(
        "--val",
        type=float,
        default=None,
        metavar="FRACTION",
        help="hold out this fraction per class and report it after every pass (default: "
        "none, train on all); drawn per epoch (window), so with several files each file's "
        "epochs fall on both sides: --val-by recording holds out whole input files, "
        "--val-data other recordings",
    )
    p.add_argument(
        "--val-by",
        type=lower_choice(),
        choices=["epoch", "recording", "subject"],
        default="epoch",
        help="what --val FRACTION holds out: epochs (windows) drawn at random per class "
        "(default), whole recordings, one per input file, or whole subjects, the subject "
        "taken from each input's path (BIDS: its sub-LABEL folder or entity; TUH: "
        "PATIENT_sNNN_tNNN file names, the part before _sNNN; a path without one is an "
        "error; --val-group REGEX for other names) (as near that fraction of each "
        "class's epochs as whole files allow, keeping every class in training; --seed chooses "
        "among groupings about as near; the fraction realised is printed, and warned of when "
        "more than 0.1 off; needs 2 input files or more; Python: "
        "train_probe(..., groups=...)); recorded in probe.json's training.validation and shown "
        "by eegpt info PROBE",
    )
    p.add_argument(
        "--val-group",
        default=None,
        metavar="REGEX",
        help="with --val FRACTION: hold out whole groups of input files, each file's group "
        "the first capture group (else the whole match) of this regular expression searched "
        "in its path as given, e.g. '(sub-[^/_]+)' or '/(\\w+)_s\\d+_' (a path it does not "
        "match is an error); recorded in probe.json (training.validation: by group, the "
        "pattern and the groups held out) and shown by eegpt info PROBE",
    )
    p.add_argument(
        "--val-group-column",
        default=None,
        metavar="NAME",
        help="with --val FRACTION: hold out whole groups of epochs, each epoch's group its "
        "value in this column of the epochs' metadata (-epo.fif inputs), e.g. subject: one "
        "file of many subjects' epochs (as --label-column names a column; an input without "
        "it, or an epoch without a value, is an error); recorded in probe.json "
        "(training.validation: by column, group_column and the groups held out)",
    )
    p.add_argument(
        "--val-data",
        action="append",
        type=Path,
        default=None,
        metavar="FILE",
        help="validate on these epochs instead (repeatable), e.g. another subject's or "
        "session's, so that validation says how the probe carries over; labelled as the "
        "training data are (event names, --label-column, --window-labels with "
        "--val-annotations), but with --labels by their own CSV, --val-labels FILE",
    )
    p.add_argument(
        "--val-labels",
        type=Path,
        default=None,
        metavar="FILE",
        help="with --labels and --val-data: the --val-data files' labels CSV, laid out as "
        "--labels is (one row per epoch, or per window of a continuous recording, of the "
        "--val-data files; a 'file' column for several); needed for continuous --val-data "
        "recordings with --labels, whose labels file covers the training files only",
    )
    p.add_argument(
        "--val-annotations", action="extend", nargs="+", type=Path, default=None,
        metavar="FILE",
        help="with --window-labels and --val-data: the --val-data recordings' annotations kept "
        "in other files (hypnograms), as --annotations gives the training files': one per "
        "continuous --val-data recording, in their order",
    )  # fmt: skip
    g = p.add_argument_group("recipe (defaults: the original EEGPT linear-probe scripts)")
    g.add_argument(
        "--passes",
        type=int,
        default=100,
        metavar="N",
        help="passes over the training epochs (100; what the paper and ProbeConfig(epochs=...) "
        "call training epochs)",
    )
    # the name before --passes, where "epochs" meant passes: old commands still run, noted
    g.add_argument("--epochs", type=int, dest="passes", default=argparse.SUPPRESS,
                   action=_OldPassesName, help=argparse.SUPPRESS)  # fmt: skip
    g.add_argument("--train-batch-size", type=int, default=64, help="training batch (64)")
    g.add_argument("--lr", type=float, default=4e-4, help="one-cycle peak learning rate (4e-4)")
    g.add_argument("--weight-decay", type=float, default=0.01, help="AdamW weight decay (0.01)")
    g.add_argument(
        "--chan-proj",
        action="store_true",
        help="learn a 1x1 projection of the input channels onto the 19 10-20 channels",
    )
    g.add_argument(
        "--patience",
        type=int,
        default=None,
        help="stop after this many passes without a better validation loss, counted from the "
        "pass where the one-cycle learning rate peaks (never during its warm-up), and keep the "
        "best pass's weights (needs --val or --val-data; default: no early stopping)",
    )
    g.add_argument("--seed", type=int, default=0, help="seed of the split and training (0)")
    g.add_argument(
        "--class-weight",
        type=lower_choice(),
        choices=["balanced"],
        default=None,
        help="weight each class's loss by its inverse frequency (for imbalanced classes)",
    )
    g.add_argument(
        "--cache-dir", type=Path, default=None, help="keep frozen-encoder embeddings here"
    )
    g = p.add_argument_group("preprocessing")
    g.add_argument("--window", type=seconds, default=4.0, help="epoch/window length in s (4)")
    add_crop_option(g)
    g.add_argument(
        "--keep-channels",
        type=parse_keep,
        default=None,
        metavar="NAMES",
        help="train on these EEGPT channels only (after --rename), as embed's option: 10-20 (the "
        "19 electrodes of the 10-20 system), comma-separated names, or both, -NAME removing "
        "one (10-20,-C3); files of several systems are matched on them and the average "
        "reference runs over them. The probe records it, and predict and evaluate apply it: "
        "a 64-channel recording then gives the channels it was trained on. Not with "
        "--chan-proj",
    )
    add_reference_option(g)
    add_resample_option(g)
    g.add_argument(
        "--tail",
        type=lower_choice(),
        choices=["drop", "pad"],
        default="drop",
        help="epochs shorter than the window: drop (default) stops with an error that says "
        "so; pad fills each one up to the window with zeros (a flat end)",
    )
    g.add_argument(
        "--detrend",
        type=lower_choice(),
        choices=["none", "constant", "linear"],
        default="none",
        help="per epoch and channel, subtract nothing (default), the mean, or the straight line",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing probe")
    _add_window_labels(p, "of --window seconds", trained=False)
    _add_window_overlap(
        p,
        "more windows, and more of a rare class's, from the same recordings. Overlapping "
        "windows share samples, so they are not independent examples: --val FRACTION, which "
        "would put windows sharing samples on both sides, is refused with it (hold out whole "
        "recordings with --val-by recording, or give --val-data FILE, cut likewise). Recorded "
        "in probe.json (training.window_labels.overlap); evaluate and predict do not adopt it "
        "(each moment scored once by default): give their --overlap to score sliding windows",
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help=f"also draw the learning curves (loss and accuracy per pass): a {FIGURE_FORMATS} file",
    )
    add_dpi_option(p)
    _add_run_options(p)
    p.set_defaults(func=cmd_probe_train)

    p = actions.add_parser(
        "predict",
        help="predict labels of epochs, or of consecutive windows of continuous recordings, "
        "with a trained probe",
        epilog=PREDICT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        absent_options=WINDOW_FROM_PROBE,
    )
    p.add_argument("probe", type=Path, help="probe folder")
    p.add_argument(
        "data",
        nargs="+",
        type=Path,
        help="epochs (-epo.fif, .set or .npz files: one row each) or continuous recordings "
        "(.edf, .bdf, .fif, .vhdr, ...: cut into consecutive windows of the probe's length, "
        "or overlapping ones with --overlap, one row each with its onset_s from the first "
        "sample)",
    )
    p.add_argument(
        "-o",
        "--output",
        help="file to write: .csv, .tsv or .parquet (.txt or no suffix: CSV; default: CSV to "
        "stdout), one row per "
        "epoch or window: file, epoch (its "
        "number in its file, counting from 0 as MNE does, where EEGLAB counts from 1; "
        "epoch + 1 is EEGLAB's and MATLAB's number, eegpt export's window_number; for a "
        "continuous recording, the window's), onset_s, clock_s (seconds on the recording's "
        "clock from its acquisition start, as eegpt embed's tables), prediction, label (if "
        "any), p_CLASS "
        "(each class's probability), bad (continuous recordings: True over bad annotations); "
        "clock_time after clock_s where a recording has a measurement date (ISO 8601 "
        "without a zone: the header's local time for EDF/BDF/BrainVision, UTC for FIF/.mff); with --epoch-seconds, one row per scoring epoch (see there). Its "
        "provenance (the probe folder and the SHA-256 of its probe.safetensors, the input "
        "files' names, sizes and fingerprints, eegpt's version, the time) goes into a "
        "sidecar JSON named as the output with .json added (predictions.csv -> "
        "predictions.csv.json), or for .parquet into the file's schema metadata (key "
        "eegpt_predictions)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --output or --events file (and its sidecar .json); a sidecar "
        "whose table is gone (a workflow rerun deletes only the table) is replaced without it",
    )
    p.add_argument("--weights", help="encoder checkpoint (default: the one recorded in the probe)")
    _add_label_column(p, "beside the predictions")
    p.add_argument(
        "--reject-by-annotation",
        action="store_true",
        help="continuous recordings: leave out the windows that overlap an annotation marked "
        "bad (BAD_..., any case, as in MNE; EEGLAB's boundary events, where data were cut out), "
        "as embed --reject-by-annotation does; by default they are predicted and marked True "
        "in the 'bad' column (the last; empty for epochs), and counted on stderr",
    )
    _add_applied_keep(p)
    _add_applied_crop(p)
    p.add_argument(
        "--overlap",
        type=overlap_seconds,
        default=0.0,
        metavar="SECONDS",
        help="continuous recordings: seconds each window overlaps the previous one, as embed "
        "--overlap: sliding windows of the probe's length, a row every window minus overlap "
        "seconds (--overlap 3.5 of 4 s windows: one every 0.5 s, as probe.online(..., "
        "overlap=3.5) gives them live); less than the window, its hop whole samples at 256 Hz "
        "(default 0: consecutive windows). onset_s, clock_time, labels and bad flags are each "
        "window's; with --epoch-seconds each epoch then averages more windows. Epochs are one "
        "window each; evaluate keeps consecutive windows unless given its own --overlap",
    )
    p.add_argument(
        "--epoch-seconds",
        type=_epoch_seconds,
        default=None,
        metavar="SECONDS",
        help="continuous recordings: one row per scoring epoch of this length (a hypnogram's "
        "30 s), not per window: consecutive epochs from --start (or 0) on, each predicted from "
        "the mean of its windows' probabilities, a window weighted by the seconds it overlaps "
        "the epoch (one that straddles two counts in both by its share). Rows: file, epoch, "
        "onset_s, clock_s, duration_s, covered_s (seconds its windows cover: less at the end), "
        "clock_time (with a measurement date), prediction, label (the epoch's scored stage "
        "from the annotations given, --annotations FILE: those matching --window-labels, the "
        "probe's by default, else any lasting whole epochs; empty where none covers half of "
        "it, and for a bad epoch, as for a bad window), p_CLASS, bad (True where an annotation marked bad, BAD_... or a boundary, "
        "overlaps the epoch itself: a bad window straddling into the next epoch does not make "
        "that epoch bad; --reject-by-annotation leaves bad windows out of every epoch they "
        "overlap). A scoring on a grid off the epochs' is warned of",
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="with --epoch-seconds: also draw the hypnogram (eegpt.viz.plot_hypnogram: the "
        "predicted stage per epoch, W, REM, N1, N2, N3 top to bottom, the scored stages "
        "beneath where --annotations give them, bad epochs shaded; one panel per recording): "
        f"a {FIGURE_FORMATS} file",
    )
    add_dpi_option(p)
    p.add_argument(
        "--plot-probabilities",
        action="store_true",
        help="with --plot: also draw each stage's probability as a ribbon around its row "
        "(plot_hypnogram(probabilities=True))",
    )
    _add_events_options(p)
    _add_window_labels(
        p, "(as without it) and put each window's label beside its prediction", "get no label"
    )
    _add_run_options(p)
    p.set_defaults(func=cmd_probe_predict)

    p = actions.add_parser(
        "evaluate", help="score a probe on labelled epochs", absent_options=WINDOW_FROM_PROBE
    )
    p.add_argument("probe", type=Path, help="probe folder")
    _add_labelled_data(p)
    _add_labels(p)
    _add_label_column(p)
    p.add_argument(
        "--json",
        type=Path,
        help="also write the metrics to this JSON file ('-': to standard output, the text "
        'report then going to standard error), marked "format": '
        '"eegpt-probe-evaluation/1", with their provenance beside them '
        "(key provenance: the probe folder and the SHA-256 of its probe.safetensors, the "
        "input files' names, sizes and fingerprints, eegpt's version, the time)",
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help=f"also draw the confusion matrix: a {FIGURE_FORMATS} file",
    )
    add_dpi_option(p)
    p.add_argument(
        "--normalize",
        type=lower_choice(),
        choices=["true", "pred", "all"],
        default=None,
        help="with --plot: fractions of each true class (true: rows sum to 1), each predicted "
        "class or all epochs instead of counts",
    )
    p.add_argument(
        "--class-order",
        nargs="+",
        metavar="CLASS",
        help="the order of the classes in the confusion matrix (printed and --plot), e.g. W N1 "
        "N2 N3 R; each class once (default: the probe's, sorted)",
    )
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="leave out epochs whose labels are not among the probe's classes (e.g. "
        "'Movement time', 'Sleep stage ?') or missing, and say how many of each; by default "
        "they are an error",
    )
    _add_applied_keep(p)
    _add_applied_crop(p)
    p.add_argument("--weights", help="encoder checkpoint (default: the one recorded in the probe)")
    _add_window_labels(p, "of the probe's length")
    _add_window_overlap(
        p,
        "score sliding windows, as probe predict --overlap gives them (default 0: consecutive "
        "windows, each moment scored once, whatever overlap the probe was trained with); the "
        "scores then count each stretch in several windows",
    )
    _add_events_options(p, scoring=True)
    _add_run_options(p)
    p.set_defaults(func=cmd_probe_evaluate)
    return probe


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def _recording_paths(args: argparse.Namespace) -> None:
    """The recordings given (``args.data``, and train's ``--val-data``) cleaned up as
    ``eegpt embed`` cleans its own (:func:`eegpt.cli_inputs.recording_paths`: a BrainVision folder's
    ``.eeg`` and ``.vmrk`` given beside their ``.vhdr`` left out, with a note unless ``-q``),
    before anything counts them; epochs among them with ``--marker-spans`` or
    ``--events-from-stim`` given are said to be left as they are
    (:func:`eegpt.cli_inputs.warn_marker_spans_of_epochs`, :func:`eegpt.cli_inputs.warn_stim_events_of_epochs`)."""
    args.data = recording_paths(list(args.data), args.quiet)
    if getattr(args, "val_data", None):
        args.val_data = recording_paths(list(args.val_data), args.quiet)
    given = [*args.data, *(getattr(args, "val_data", None) or [])]
    warn_marker_spans_of_epochs(args, given)
    warn_stim_events_of_epochs(args, given)


def cmd_probe_train(args: argparse.Namespace) -> int:
    """``eegpt probe train``: each epochs file's header (metadata) read once, or taken from
    its epochs read whole (:func:`~eegpt._epochs_header.epochs_read_once`)."""
    _recording_paths(args)
    with epochs_read_once():
        return _train(args)


def _train(args: argparse.Namespace) -> int:
    from eegpt._logging import recorded_warnings
    from eegpt._logging import warn as _warn
    from eegpt.checkpoints import load_model
    from eegpt.embedding_cache import EmbeddingCache
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe import ProbeConfig, train_probe
    from eegpt.probe_provenance import distinct_names, files_record
    from eegpt.training import per_epoch_split_warning
    from eegpt.training_data import add_training_warnings, subjects_split_warning

    out = args.output
    if (out / "probe.json").exists() and not args.overwrite:
        raise FileExistsError(f"{out} already holds a probe; pass --overwrite to replace it")
    if args.patience is not None and not (args.val or args.val_data):
        raise ValueError(
            "--patience (early stopping) needs --val FRACTION or --val-data FILE (held-out epochs)"
        )
    if args.val and args.val_data:
        raise ValueError("give --val FRACTION or --val-data FILE, not both")
    if args.val_annotations and not args.val_data:
        raise ValueError("--val-annotations labels the --val-data recordings: give --val-data too")
    file_groups = _file_groups(args)  # --val-by subject, --val-group: file -> group
    by_recording = args.val_by == "recording"
    by_column = args.val_group_column is not None
    if by_column and (args.val_by != "epoch" or args.val_group is not None):
        raise ValueError(
            f"give --val-group-column {args.val_group_column}, --val-by {args.val_by} or "
            "--val-group REGEX, not several: each says what --val FRACTION holds out"
        )
    if by_column and not args.val:
        raise ValueError(
            f"--val-group-column {args.val_group_column} says what --val FRACTION holds out: "
            "give --val FRACTION too"
        )
    grouped = by_recording or file_groups is not None or by_column  # whole groups held out
    if by_recording:
        if not args.val:
            raise ValueError(
                "--val-by recording says what --val FRACTION holds out: give --val FRACTION "
                "too (--val-data FILE holds out recordings of your choice instead)"
            )
        files = set(recording_sources([str(p) for p in args.data]))  # as the groups count them
        if len(files) < 2:
            raise ValueError(
                f"--val-by recording holds out whole recordings (input files) and needs at "
                f"least 2; got {len(files)} ({args.data[0]}): give more recordings, hold out "
                "windows with --val FRACTION alone (leaky: neighbouring windows on both "
                "sides), or validate on another recording with --val-data FILE"
            )
    if args.val_labels is not None and not args.val_data:
        raise ValueError("--val-labels labels the --val-data files: give --val-data FILE too")
    check_figure_path(args.plot)
    verbose = not args.quiet
    _check_window_overlap(args, args.window)
    if args.overlap and args.val and not grouped:
        raise ValueError(
            f"--val {args.val:g} holds out windows drawn at random, and with --overlap "
            f"{args.overlap:g} windows sharing samples would land on both sides (validation "
            f"on data trained on): hold out whole recordings with --val {args.val:g} --val-by "
            "recording, or validate on other recordings with --val-data FILE"
        )
    windows = _labelling(args, args.window)
    # checked before any file is read: a --val-data labelling that cannot be is refused first
    held_windows = _val_labelling(args, windows) if args.val_data else None
    continuous = windows is not None and any(_is_continuous_input(p) for p in args.data)
    if args.crop is not None:  # epochs only: a continuous recording has no events to crop by
        from eegpt.preprocessing import crop_refused_for_continuous

        refused = [str(p) for p in [*args.data, *(args.val_data or [])] if _is_continuous_input(p)]
        if refused:
            raise ValueError(f"{refused[0]}: {crop_refused_for_continuous(args.crop)}")
        args.crop_preprocessing = PreprocessingConfig(
            window_seconds=args.window, tail=args.tail, crop_tmin=args.crop
        )  # each epochs file cropped as it is read
    with recorded_warnings() as said:  # about the files read: kept with the probe
        _warn_min_overlap_classes(args)
        if args.overlap:
            _warn(
                f"--overlap {args.overlap:g}: windows of {args.window:g} s every "
                f"{args.window - args.overlap:g} s share samples, so they are not independent "
                "examples: the training counts (and class counts) count each stretch up to "
                f"{math.ceil(args.window / (args.window - args.overlap))} times"
            )
        if args.val and continuous and not grouped:
            _warn(
                f"--val {args.val:g} holds out windows drawn at random, so neighbouring windows "
                "of one recording (of one seizure, one sleep stage) land on both sides and the "
                "validation scores come out better than on new recordings: hold out whole "
                f"recordings with --val {args.val:g} --val-by recording, or validate on other "
                "recordings with --val-data FILE"
            )
        n_files = len({Path(p).resolve() for p in args.data})
        if args.val and not continuous and n_files > 1 and not grouped:
            _warn(per_epoch_split_warning(args.val, n_files))
        recording, y, sources, rename = _read_inputs(args, labels=args.labels, windows=windows)
        if args.val and not continuous and n_files == 1 and not grouped:
            # after the read: the metadata read with the epochs (not the file's header again)
            mixed = subjects_split_warning(epochs_metadata(args.data[0]), args.val)
            if mixed:  # one file of several subjects, as its epochs' metadata says
                _warn(mixed)
        validation: Any = args.val
        held_sources: list[str] = []
        if args.val_data:
            _refuse_shared_files(args.data, args.val_data)
            held, held_y, held_sources, _ = _read_inputs(
                args, files=args.val_data, windows=held_windows, labels=args.val_labels,
                labels_option="--val-labels",
            )  # fmt: skip
            validation = (held, held_y)
    model = load_model(args.weights, device="cpu", verbose=verbose)
    config = ProbeConfig(
        chan_proj=args.chan_proj,
        epochs=args.passes,
        batch_size=args.train_batch_size,
        max_lr=args.lr,
        weight_decay=args.weight_decay,
        patience=args.patience,
        class_weight=args.class_weight,
        seed=args.seed,
    )
    preprocessing = PreprocessingConfig(
        window_seconds=args.window,
        average_reference=args.average_reference,
        resample=args.resample,
        tail=args.tail,
        detrend=args.detrend,
        crop_tmin=args.crop,
    )
    probe = train_probe(
        model,
        recording,
        y,
        rename=rename,
        keep=args.keep_channels,
        preprocessing=preprocessing,
        config=config,
        validation=validation,
        groups=(
            _column_groups(args.val_group_column, sources)
            if by_column
            else _epoch_groups(sources, file_groups)
            if grouped
            else None
        ),
        device=args.device,
        precision=args.precision,
        stream_precision=args.stream_precision,
        cache=EmbeddingCache(args.cache_dir) if args.cache_dir else True,
        progress=verbose,
        verbose=False,
    )
    add_training_warnings(probe, said)  # those of reading the files too
    # the files read, not the epochs in memory they were merged into
    probe.training["inputs"] = files_record([str(p) for p in args.data], sources)
    if args.labels is not None:
        probe.training["labels_file"] = labels_file_record(args.labels, args.data)
    if by_recording:  # the groups are the input files: by their shortest distinct tails
        probe.training["validation"]["by"] = "recording"
        groups = probe.training["validation"].get("groups")
        if isinstance(groups, dict) and isinstance(groups.get("held_out"), list):
            # sub-01/ses-1/eeg.edf and sub-02/ses-1/eeg.edf: not both eeg.edf; no folder
            # above what tells the files apart, no absolute path (file_record's rule)
            named = distinct_names(recording_sources([str(p) for p in args.data]))
            groups["held_out"] = [named.get(str(g), Path(str(g)).name) for g in groups["held_out"]]
    if file_groups is not None:  # the groups by their names: subjects, --val-group's
        probe.training["validation"]["by"] = "subject" if args.val_group is None else "group"
        probe.training["validation"]["group_pattern"] = args.val_group or SUBJECT_PATTERNS_TEXT
    if by_column:  # the groups by their values in the epochs' metadata
        probe.training["validation"]["by"] = "column"
        probe.training["validation"]["group_column"] = args.val_group_column
    if args.val_data:
        probe.training["validation"]["inputs"] = files_record(
            [str(p) for p in args.val_data], held_sources
        )
        if args.val_labels is not None:
            probe.training["validation"]["labels_file"] = labels_file_record(
                args.val_labels, args.val_data
            )
    rescale = checked_rescale(args.rescale)
    if rescale != 1.0:  # the training (and validation) files' samples as read times it: a
        # correction of those files, not the preprocessing's scale, which is for new data
        probe.training["rescale"] = rescale
    if args.label_column is not None:  # predict and evaluate read labels from it too
        probe.training["label_column"] = args.label_column
    if windows is not None:  # likewise for continuous recordings
        if windows.match is None:  # --labels FILE: every window of --window s from --start
            probe.training["window_labels"] = {
                "match": None, "labels": "file", "window_seconds": windows.window_seconds,
            }  # fmt: skip
        else:
            probe.training["window_labels"] = {
                "match": windows.match, "unlabelled": windows.unlabelled,
                "min_overlap": windows.min_overlap,
            }  # fmt: skip
            # labelled from --annotations files (predict needs them too), or not: recorded
            # either way, so that a probe without its command line still tells
            probe.training["window_labels"]["annotation_files"] = bool(windows.extra)
            if windows.marker_spans:  # predict and evaluate make the same spans by default
                probe.training["window_labels"]["marker_spans"] = dict(windows.marker_spans)
            if windows.stim_events is not None:  # recorded as embed records it
                record = windows.stim_events.record()
                probe.training["window_labels"]["events_from_stim"] = record
        if windows.overlap:  # how the training windows were cut; evaluate does not adopt it
            probe.training["window_labels"]["overlap"] = windows.overlap
        if windows.per_recording:  # each recording's own: the starts taken, by file
            probe.training["window_labels"]["starts"] = dict(windows.taken)
            if windows.start_seconds == START_FROM_ANNOTATIONS:
                probe.training["window_labels"]["start"] = START_FROM_ANNOTATIONS
        elif windows.start_seconds:  # --start: said at predict/evaluate, given again there
            probe.training["window_labels"]["start_seconds"] = windows.start_seconds
    probe.save(out, overwrite=args.overwrite)
    print(_training_summary(probe))
    print(f"wrote {out}")
    if args.plot is not None:
        save_figure_file(probe.plot_training(), args.plot, args.dpi)
    return 0


def _training_summary(probe: Any) -> str:
    """What ``probe train`` says of the run: the scores of the pass whose weights the probe
    holds (``kept_epoch``: with ``--patience`` the one of lowest validation loss, not the
    last), the last pass's only beside them when it is another."""
    training = probe.training
    runs = training["epochs_run"]
    kept = training.get("kept_epoch") or runs
    row = probe.history[kept - 1]
    head = (
        f"trained {probe!r} on {training['n_train']} epochs ({runs} pass{'' if runs == 1 else 'es'}, "
        f"{training['seconds']:.1f} s)"
    )
    if kept != runs:
        which = f"pass {kept} of {runs} kept (lowest validation loss)"
    else:
        which = f"pass {kept} of {runs} kept (the last)"
    text = f"{head}: {which}:"
    if "val_loss" in row:
        text += (
            f" validation ({training['n_validation']} epochs{_realised_text(training)}) loss "
            f"{row['val_loss']:.4f}, "
            f"balanced accuracy (BAC) {100 * row['val_balanced_accuracy']:.2f}%"
            f"{_validation_counts_text(training)};"
        )
    bac = "BAC" if "val_loss" in row else "balanced accuracy (BAC)"
    text += (
        f" training loss {row['train_loss']:.4f}, {bac} on the training epochs during that pass "
        f"{100 * row['train_balanced_accuracy']:.2f}% (plain accuracy "
        f"{100 * row['train_accuracy']:.2f}%; dropout on)"
    )
    if kept != runs and "val_loss" in probe.history[-1]:
        last = probe.history[-1]
        text += (
            f"\n(the last pass, {runs}, whose weights are not kept: validation loss "
            f"{last['val_loss']:.4f}, BAC {100 * last['val_balanced_accuracy']:.2f}%)"
        )
    return text


def _file_groups(args: argparse.Namespace) -> dict[str, str] | None:
    """Each training input's group (by :func:`recording_sources`' name of it) for ``--val-by
    subject`` (:func:`subject_of`) or ``--val-group REGEX`` (its first capture group, else
    the whole match, searched in the path as given); None for neither. Refuses a path
    without one, and fewer than 2 groups."""
    import re

    if args.val_group is None and args.val_by != "subject":
        return None
    option = "--val-by subject" if args.val_group is None else f"--val-group {args.val_group!r}"
    if args.val_group is not None and args.val_by != "epoch":
        raise ValueError(f"give --val-by {args.val_by} or --val-group REGEX, not both")
    if not args.val:
        raise ValueError(
            f"{option} says what --val FRACTION holds out: give --val FRACTION too "
            "(--val-data FILE holds out recordings of your choice instead)"
        )
    if args.val_group is not None:
        try:
            pattern = re.compile(args.val_group)
        except re.error as err:
            raise ValueError(
                f"--val-group {args.val_group!r}: not a regular expression ({err})"
            ) from err
    groups: dict[str, str] = {}
    for path in args.data:
        if args.val_group is None:
            group = subject_of(path)
        else:
            found = pattern.search(str(path))
            group = (
                None if found is None else (found.group(1) if pattern.groups else found.group(0))
            )
        if not group:
            raise ValueError(
                f"{path}: {option} finds no group in its path"
                + (
                    " (neither a BIDS sub-LABEL folder or entity nor a TUH PATIENT_sNNN_tNNN "
                    "file name): give --val-group REGEX, whose first capture group names each "
                    "file's subject"
                    if args.val_group is None
                    else ": give a pattern that matches every input's path"
                )
            )
        groups[recording_sources([str(path)])[0]] = group
    if len(set(groups.values())) < 2:
        raise ValueError(
            f"{option} holds out whole groups and needs at least 2; the {len(groups)} input "
            f"file(s) are all of {next(iter(groups.values()))!r}: give files of more "
            "subjects, or validate on another recording with --val-data FILE"
        )
    return groups


def _column_groups(column: str, sources: Sequence[str]) -> list[Any]:
    """``--val-group-column``: each training epoch's value in ``column`` of its file's
    ``epochs.metadata`` (``sources``: the file of each epoch, as read, each file's epochs in
    their order). Refuses a file without the column, with another number of epochs than
    were read from it, and an epoch without a value."""
    counts: dict[str, int] = {}
    for source in sources:
        counts[source] = counts.get(source, 0) + 1
    values: dict[str, list[Any]] = {}
    for source, n in counts.items():
        metadata = epochs_metadata(source)
        if metadata is None or column not in metadata.columns:
            has = "no metadata" if metadata is None else f"columns {list(metadata.columns)}"
            raise ValueError(
                f"{source}: --val-group-column {column!r} is not a column of the epochs' "
                f"metadata ({has}); it takes MNE epochs (-epo.fif) whose metadata names each "
                "epoch's group (--val-by recording or subject for other inputs)"
            )
        if len(metadata) != n:
            raise ValueError(
                f"{source}: --val-group-column {column!r}: the file's metadata has "
                f"{len(metadata)} rows but {n} epochs were read from it; groups cannot be told"
            )
        empty = int(metadata[column].isna().sum())
        if empty:
            raise ValueError(
                f"{source}: --val-group-column {column!r} is empty for {empty} epoch(s): "
                "every epoch needs its group"
            )
        values[source] = metadata[column].tolist()
    taken = dict.fromkeys(counts, 0)
    groups = []
    for source in sources:  # each file's values in its epochs' order
        groups.append(values[source][taken[source]])
        taken[source] += 1
    return groups


def _epoch_groups(sources: Sequence[str], file_groups: dict[str, str] | None) -> list[str]:
    """Each epoch's group for a validation split by groups: its file's (``file_groups``),
    else the file itself (``--val-by recording``)."""
    files = recording_sources(sources)
    return files if file_groups is None else [file_groups[f] for f in files]


def _validation_counts_text(training: Mapping[str, Any]) -> str:
    """``" (validation epochs per class: 'background' 147, 'seizure' 3)"``: what the
    validation BAC averages, as training recorded it (a BAC of 100% may rest on 3 epochs);
    "" where not recorded."""
    counts = (training.get("class_counts") or {}).get("validation")
    if not isinstance(counts, Mapping) or not counts:
        return ""
    listed = ", ".join(f"{c!r} {n}" for c, n in counts.items())
    return f" (validation epochs per class: {listed})"


def _realised_text(training: Mapping[str, Any]) -> str:
    """``", 50.0% of the epochs held out for --val 0.3 by recording"``: a split by groups'
    realised share, where recorded; else ""."""
    val = training.get("validation") or {}
    if val.get("realised_fraction") is None:
        return ""
    by = {
        "recording": " by recording",
        "subject": " by subject",
        "group": " by --val-group",
        "column": f" by --val-group-column {val.get('group_column')}",
    }.get(str(val.get("by")), " by groups")
    return (
        f", {100 * val['realised_fraction']:.1f}% of the epochs held out for "
        f"--val {val.get('fraction'):g}{by}"
    )


def _adopt_events_from_stim(args: argparse.Namespace, probe: Any) -> None:
    """Without ``--events-from-stim``, the events of continuous recordings' stim channels are
    made annotations as the probe's training recordings' were (``probe train
    --events-from-stim``, recorded in ``training["window_labels"]["events_from_stim"]``), if
    so; said on stderr. Adopted, a recording without such a stim channel is labelled without
    them, with a warning (:attr:`WindowLabelling.stim_adopted`)."""
    from eegpt.stim_events import StimEvents

    trained = ((probe.training or {}).get("window_labels") or {}).get("events_from_stim")
    if not trained or getattr(args, "events_from_stim", "absent") is not None:
        return
    if getattr(args, "stim_mask", None) is not None or getattr(args, "event_names", None):
        return  # refused as given without --events-from-stim (stim_setting)
    if getattr(args, "labels", None) is not None:  # the file labels the windows
        return
    if not any(_is_continuous_input(p) for p in args.data):
        return
    setting = StimEvents.from_record(trained)
    args.events_from_stim = setting.channel or True
    args.stim_mask = None if setting.mask is None else hex(setting.mask)
    args.event_names = [f"{code}={name}" for code, name in sorted(setting.names.items())] or None
    args.stim_adopted = True
    if not args.quiet:
        print(
            "continuous recordings' stim channel events made annotations as in training: "
            + setting.options,
            file=sys.stderr,
        )


def _adopt_marker_spans(args: argparse.Namespace, probe: Any) -> None:
    """Without ``--marker-spans``, the state markers of continuous recordings are made spans
    as the probe's training recordings' were (``probe train --marker-spans``, recorded in
    ``training["window_labels"]["marker_spans"]``), if so; said on stderr."""
    from eegpt.probe_label_files import marker_spans_options

    trained = ((probe.training or {}).get("window_labels") or {}).get("marker_spans")
    if not trained or getattr(args, "marker_spans", "absent") is not None:
        return
    if getattr(args, "labels", None) is not None:  # the file labels the windows
        return
    if not any(_is_continuous_input(p) for p in args.data):
        return
    args.marker_spans = marker_spans_values(trained)
    args.marker_spans_adopted = True  # best-effort in predict (WindowLabelling.spans_adopted)
    if not args.quiet:
        print(
            "continuous recordings' state markers made spans as in training: "
            + marker_spans_options(trained),
            file=sys.stderr,
        )


def _adopt_window_labels(args: argparse.Namespace, probe: Any) -> None:
    """Without ``--window-labels``, continuous recordings are labelled as the probe's training
    recordings were (``probe train --window-labels``), if so; said on stderr."""
    trained = (probe.training or {}).get("window_labels")
    if not trained or getattr(args, "window_labels", "absent") is not None:
        return
    if trained.get("match") is None:  # trained on --labels FILE: no labelling to adopt
        return
    if getattr(args, "labels", None) is not None:  # the file labels the windows
        return
    if getattr(args, "unlabelled", None) is not None:
        return  # refused by _labelling: --unlabelled without --window-labels
    if not any(_is_continuous_input(p) for p in args.data):
        return
    from eegpt.probe_label_files import DEFAULT_MIN_OVERLAP

    match, args.unlabelled = trained["match"], trained.get("unlabelled")
    args.window_labels = window_label_values(match)
    trained_overlap = float(trained.get("min_overlap") or DEFAULT_MIN_OVERLAP)
    given = _min_overlap(args)
    if given is None:  # one given applies to the probe's labelling
        args.min_overlap = trained.get("min_overlap")
    # trained on annotations kept in files of their own: without them, only a recording's
    # own annotations can label its windows (else every window would be --unlabelled's)
    args.labels_need_annotations = not getattr(args, "annotations", None) and (
        _trained_on_annotation_files(args, trained)
    )
    if args.quiet:
        return
    if args.labels_need_annotations:
        print(
            "continuous recordings labelled by the training's classes ("
            + labelling_options(match, args.unlabelled, _min_overlap(args))
            + ") from their own annotations only: the probe was trained on windows labelled "
            "from --annotations files, and none are given",
            file=sys.stderr,
        )
    elif given is not None and given != trained_overlap:  # the labelling is not training's
        print(
            "continuous recordings labelled by the training's classes, "
            + labelling_options(match, args.unlabelled)
            + f", but with --min-overlap {given:g} (training's: {trained_overlap:g}): "
            "the labels differ from training's",
            file=sys.stderr,
        )
    else:
        print(
            "continuous recordings labelled as in training: "
            + labelling_options(match, args.unlabelled, _min_overlap(args)),
            file=sys.stderr,
        )


def _trained_on_annotation_files(args: argparse.Namespace, trained: Mapping[str, Any]) -> bool:
    """Whether the probe ``args.probe`` labelled its training windows from annotations given in
    files of their own (``probe train --annotations``): recorded in ``trained`` (its
    ``training["window_labels"]``) as ``annotation_files``, or, for a probe saved before that
    was, in the command line its ``probe.json`` keeps (:func:`_names_train_option`). A probe
    that keeps neither (a copy made by ``eegpt anonymize``) and was trained with
    ``--unlabelled``: warned that it cannot tell, and taken as trained without files."""
    from eegpt._logging import warn as _warn
    from eegpt.probe_folder import _read_probe_json

    if "annotation_files" in trained:
        return bool(trained["annotation_files"])
    try:
        meta = _read_probe_json(Path(args.probe))
    except (OSError, ValueError, TypeError):
        meta = None
    command = meta.get("command") if isinstance(meta, dict) else None
    if isinstance(command, list):
        return _names_train_option([str(w) for w in command], "--annotations")
    if trained.get("unlabelled") is not None:
        _warn(
            f"{args.probe}: cannot tell whether the probe's training windows were labelled "
            "from --annotations files (it records neither that nor its command line: saved "
            "before eegpt recorded it, or anonymized); taken as labelled from each "
            "recording's own annotations. If it was trained with --annotations FILE, give "
            "them again, else every window no annotation labels is scored as --unlabelled "
            f"{trained['unlabelled']!r}"
        )
    return False


def _names_train_option(command: Sequence[str], option: str) -> bool:
    """Whether the recorded ``command`` (``["probe", "train", ...]``, as
    :func:`eegpt._logging.recorded_command` keeps it) gives the ``probe train`` option
    ``option``: as itself, as ``option=VALUE``, or as a long option's abbreviation argparse
    takes (a prefix of ``option`` that no other option of ``probe train`` starts with, such
    as ``--annot``). Words after ``--`` are values."""
    options = _train_option_strings()
    for word in command[: command.index("--")] if "--" in command else command:
        if not word.startswith("--"):
            continue
        name = word.split("=", 1)[0]
        if name == option:
            return True
        if name in options:  # another option, given in full
            continue
        if len(name) > 2 and [o for o in options if o.startswith(name)] == [option]:
            return True
    return False


def _train_option_strings() -> list[str]:
    """The option strings of the ``eegpt probe train`` parser (``--annotations``, ``-o`` ...)."""
    parser = build_parser()
    for level in ("probe", "train"):
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = commands.choices[level]
    return list(parser._option_string_actions)


def _labels_need_files(args: argparse.Namespace, annotations: Any) -> bool:
    """Whether a continuous recording whose own annotations are ``annotations``
    (``mne.Annotations`` or None) cannot be labelled: the probe's labelling needs its
    ``--annotations`` files (:func:`_trained_on_annotation_files`), none are given, and none
    of ``annotations`` matches the training's classes, so every window would be
    ``--unlabelled``'s class."""
    from eegpt.annotations import label_rule

    if not getattr(args, "labels_need_annotations", False) or args.unlabelled is None:
        return False  # without --unlabelled, windows no annotation labels have no label anyway
    label_of = label_rule(parse_window_labels(args.window_labels))
    own = [] if annotations is None else [str(d) for d in annotations.description]
    return not any(label_of(d) is not None for d in own)


def _no_labels_without_files(args: argparse.Namespace, path: Path, annotations: Any) -> bool:
    """Whether ``probe predict`` leaves out the labels of the windows of the continuous
    recording ``path``, whose own annotations are ``annotations``: those
    :func:`_labels_need_files` says cannot be labelled. Said once on stderr."""
    if not _labels_need_files(args, annotations):
        return False
    match = parse_window_labels(args.window_labels)
    if not getattr(args, "said_no_labels", False):
        from eegpt._logging import warn as _warn

        args.said_no_labels = True
        _warn(
            f"{path}: no labels (label left empty; no label column where no recording has "
            "one): the probe was trained on windows labelled from --annotations files, none "
            "are given, and the recording has no annotation of its own matching the training's "
            f"classes ({labelling_options(match)}), so every window would be --unlabelled "
            f"{args.unlabelled!r}; give each continuous recording's annotation file with "
            "--annotations FILE, in the order of the recordings"
        )
    return True


def _own_annotations(path: Path, windows: WindowLabelling | None) -> Any:
    """The own annotations of the continuous recording ``path`` (``mne.Annotations`` or None),
    for :func:`_refuse_labels_without_files`: a BIDS recording, whose annotations come from
    its sidecars as MNE-BIDS opens it, is opened for streaming as its windows are cut and
    kept for them in ``windows`` (:func:`~eegpt.probe_label_files.open_for_windows`: opened
    once, not once for the check and again for its windows); another file's annotations are
    read alone (:func:`eegpt.annotations.read_annotations`: an EDF's annotation signals)."""
    from eegpt.annotations import read_annotations
    from eegpt.bids import bids_root
    from eegpt.probe_label_files import open_for_windows, opened_key

    if windows is not None and windows.stim_events is not None:  # its events made annotations
        streamed = open_for_windows(path, windows)
        made = windows.annotations(streamed)
        windows.annotated[opened_key(path)] = made  # taken with the recording for its windows
        return made
    if windows is None or bids_root(Path(path).expanduser()) is None:
        return read_annotations(path)
    return open_for_windows(path, windows).annotations


def _refuse_labels_without_files(
    args: argparse.Namespace, windows: WindowLabelling | None = None
) -> None:
    """Refuse ``probe evaluate`` on continuous recordings :func:`_labels_need_files` says
    cannot be labelled (checked on their own annotations, before any data are read): every
    window would be scored against the ``--unlabelled`` class, which says nothing of the
    probe. ``probe predict`` leaves such labels out instead. BIDS recordings opened for the
    check are kept in ``windows`` (the labelling of the recordings) for their windows."""
    from eegpt._logging import few

    if not getattr(args, "labels_need_annotations", False) or args.unlabelled is None:
        return
    continuous = [p for p in args.data if _is_continuous_input(p)]
    unlabellable = [
        str(p) for p in continuous if _labels_need_files(args, _own_annotations(p, windows))
    ]
    if not unlabellable:
        return
    match = parse_window_labels(args.window_labels)
    raise ValueError(
        f"{few(unlabellable, 3)}: no labels to evaluate against. The probe was trained on "
        "windows labelled from --annotations files, none are given, and "
        + ("it has" if len(unlabellable) == 1 else "they have")
        + " no annotation of its own matching the training's classes "
        + f"({labelling_options(match)}), "
        f"so every window would be scored as --unlabelled {args.unlabelled!r}: give each "
        "continuous recording's annotation file with --annotations FILE, in the order of the "
        "recordings (probe predict leaves the labels out instead)"
    )


def _warn_min_overlap_classes(args: argparse.Namespace) -> None:
    """Warn where ``--min-overlap`` below half a window meets two or more matched classes:
    a window still takes the class covering more of it, so a small fraction does not label
    every window a seizure touches as one when background is a class too."""
    from eegpt._logging import warn as _warn
    from eegpt.probe_label_files import DEFAULT_MIN_OVERLAP

    value = _min_overlap(args)
    labels = getattr(args, "window_labels", None)
    if labels is None or value is None or value >= DEFAULT_MIN_OVERLAP:
        return
    if not any(_is_continuous_input(p) for p in getattr(args, "data", None) or []):
        return
    match = parse_window_labels(labels)
    if not isinstance(match, Mapping) or len(match) < 2:
        return
    _warn(
        f"--min-overlap {value:g} with {len(match)} classes ({few_text(list(match))}): a window "
        "takes the class covering more of it (ties: the earlier annotation), so one a seizure "
        "touches for less than the background around it is still 'background'; --min-overlap "
        "only labels windows no class covers half of. To label every window a seizure "
        "touches, match only the seizure class and give --unlabelled background"
    )


def _say_trained_start(args: argparse.Namespace, probe: Any) -> None:
    """One stderr note when a probe trained on windows of continuous recordings predicts or
    evaluates continuous recordings with windows from another start than its training's:
    none given (0) or one given that differs (not when the trained start is given). The
    start belongs to a recording (its hypnogram's grid, its labels file's rows), not to the
    probe, so another one may be right; the note says which is used. A probe trained on
    each recording's own start (several values, or ``--start annotations``): noted when no
    ``--start`` is given."""
    how = (probe.training or {}).get("window_labels") or {}
    if not how or args.quiet or not any(_is_continuous_input(p) for p in args.data):
        return
    from eegpt.annotations import exact_seconds

    trained = float(how.get("start_seconds") or 0)
    values = getattr(args, "start", None)
    if how.get("starts"):
        if values is not None:
            return
        said = f"each recording's own start ({trained_starts_option(how)})"
    else:
        used_starts = [0.0] if values is None else values
        if any(isinstance(v, str) for v in used_starts) or all(
            float(v) == trained for v in used_starts
        ):
            return
        said = f"{exact_seconds(trained)} s (--start {exact_seconds(trained)})"  # exact: the value --start takes
    if values is not None:  # given (a probe of per-recording starts noted only without)
        shown = " ".join(exact_seconds(float(v)) for v in values)
        used = f"start as given (--start {shown})"
        where = "fine where a recording's windows are meant to start there"
    else:
        used = "start at 0 s"
        if how.get("match") is not None:
            where = (
                "pass --start SECONDS (or --start annotations) if a recording's scoring epochs "
                "(its hypnogram's grid) start elsewhere"
            )
        elif getattr(args, "func", None) is cmd_probe_predict:
            where = "pass --start SECONDS if a recording's windows should start elsewhere"
        else:
            where = (
                "pass --start SECONDS if the rows of a recording's --labels file label windows "
                "from elsewhere"
            )
    print(
        f"note: the probe was trained on windows starting at {said}; these recordings' "
        f"windows {used}: {where} (this note comes whenever the start differs from the "
        "probe's training start)",
        file=sys.stderr,
    )


def trained_starts_option(how: Mapping[str, Any]) -> str:
    """How a probe trained on each recording's own start got them, from its
    ``training["window_labels"]`` ``how`` (which has ``starts``): ``--start annotations``
    (recorded as ``start``) or one ``--start`` value per recording."""
    return "--start annotations" if how.get("start") else "one --start per recording"


def _load(args: argparse.Namespace):
    """The probe; without ``--label-column`` or ``--labels``, the labels come from the
    metadata column the probe was trained on (``probe train --label-column``), if any."""
    from eegpt.probe import load_probe

    probe = load_probe(args.probe, args.weights, device="cpu", verbose=False)
    column = (probe.training or {}).get("label_column")
    _adopt_marker_spans(args, probe)
    _adopt_events_from_stim(args, probe)
    _adopt_window_labels(args, probe)
    _warn_min_overlap_classes(args)
    _say_trained_start(args, probe)
    _adopt_crop(args, probe)
    args.label_column_adopted = False
    if column and args.label_column is None and getattr(args, "labels", None) is None:
        args.label_column, args.label_column_adopted = column, True
        if not args.quiet:
            print(
                f"labels from the epochs' metadata column {column!r}, as in training "
                "(--label-column)",
                file=sys.stderr,
            )
    return probe


def _refuse_shared_files(train: list[Path], held_out: list[Path]) -> None:
    """Refuse ``--val-data`` files that are training inputs too (the same file, perhaps under
    another name or through a link): scores on epochs trained on say nothing of new ones."""
    from eegpt.dataset_inputs import file_identity

    trained = {file_identity(p) for p in train}
    shared = [str(p) for p in held_out if file_identity(p) in trained]
    if shared:
        raise ValueError(
            f"--val-data {', '.join(shared)}: also given as training data; validation needs "
            "epochs the probe is not trained on (give other files, or --val FRACTION to hold out "
            "a part of the training epochs)"
        )


def _predict_continuous(
    args: argparse.Namespace, probe: Any, path: Path, rename: Any
) -> tuple[np.ndarray, np.ndarray, list[Any] | None, np.ndarray, TimeBase, Any, float]:
    """``(probabilities, onsets, labels, bad, time_base, annotations, start)`` of the consecutive
    windows of the probe's length that the continuous recording ``path`` is cut into
    (overlapping by ``--overlap`` seconds, if given: onsets a hop apart); onsets in
    seconds from its first sample; labels from its annotations with ``--window-labels`` (else
    None; None with ``--epoch-seconds`` too, whose epochs are labelled instead); ``bad``
    ``(n_windows,)`` True where a window overlaps an annotation marked bad
    (:func:`eegpt.annotations.bad_windows`: ``BAD_...``, EEGLAB's ``boundary``), said on
    stderr with their count; ``time_base`` the recording's, for the clock of times in it
    (:func:`_clock_times`); ``annotations`` its own with those
    of its ``--annotations`` file (``mne.Annotations`` or None); ``start`` the first window's
    onset in s (``--start``: this recording's, :func:`_start_for`)."""
    from eegpt.annotations import bad_windows, window_annotations, with_extra
    from eegpt.channels import present_keys
    from eegpt.io import Recording, as_recording, file_not_found

    if not path.exists():
        raise file_not_found(path)
    rec = cast(Recording, as_recording(path, verbose=False))  # a path: one recording
    rescale = checked_rescale(args.rescale)
    if rescale != 1.0:
        rec = dataclasses.replace(rec, data=rec.data * rescale, rescaled=rescale)
    if rename and len(args.data) > 1:  # the keys for the channels of this file
        rename = present_keys(rename, rec.ch_names) or None
    length = probe.preprocessing.window_seconds
    how = _labelling(args, length)
    if how is not None:
        annotations = how.annotations(rec)
    elif args.epoch_seconds is not None and args.annotations:  # the scoring, for the labels
        annotations = with_extra(rec, _annotations_file(args, path))
    else:
        annotations = rec.annotations
    start = _start_for(args, path, how, annotations)
    if start is not None:  # --start: the windows of this recording start there
        probe = copy.copy(probe)
        probe.preprocessing = dataclasses.replace(probe.preprocessing, start_seconds=start)
    start = float(probe.preprocessing.start_seconds)
    overlap = getattr(args, "overlap", 0.0) or None  # none: the probe warns of its own
    proba = _probabilities(args, probe, rec, rename, overlap=overlap)
    onsets = probe.window_onsets(len(proba), overlap=overlap)
    over: list[list[str]] = [[] for _ in onsets]
    if annotations is not None:
        over = window_annotations(annotations, onsets, length)
    bad = bad_windows(over)
    _say_bad_windows(path, bad, over, args.reject_by_annotation)
    time_base = time_base_of(rec)
    if how is None or args.epoch_seconds is not None:
        return proba, onsets, None, bad, time_base, annotations, start
    if _no_labels_without_files(args, path, annotations) or str(rec.source) in how.unmarked:
        return proba, onsets, None, bad, time_base, annotations, start
    labels, _ = how.label(annotations, onsets, length, path)
    labels = [None if b else v for v, b in zip(labels, bad, strict=True)]
    return proba, onsets, labels, bad, time_base, annotations, start


def _start_for(
    args: argparse.Namespace, path: Path, how: WindowLabelling | None, annotations: Any
) -> float | None:
    """``--start`` for the continuous recording ``path`` of ``probe predict``: seconds, its
    first labelling annotation's onset (``--start annotations``, by ``how``'s match), or
    None where ``--start`` was not given."""
    if getattr(args, "start", None) is None:
        return None
    if how is not None:
        return how.start_of(path, annotations)
    continuous = [str(p) for p in args.data if _is_continuous_input(p)]
    value = start_given(*_start_option(args, continuous), path)
    if value == START_FROM_ANNOTATIONS:
        raise ValueError(
            "--start annotations starts each recording's windows at its first annotation "
            "matching --window-labels, and the probe records no --window-labels: give "
            "--window-labels REGEX, or a start in seconds"
        )
    return float(value)


def _annotations_file(args: argparse.Namespace, path: Path) -> str | None:
    """The ``--annotations`` file given for the continuous recording ``path`` (one per
    continuous recording, in their order), or None."""
    from eegpt.dataset_inputs import file_identity

    files = [str(a) for a in args.annotations or []]
    continuous = [p for p in args.data if _is_continuous_input(p)]
    if files and len(files) != len(continuous):
        raise ValueError(
            f"{len(files)} --annotations file(s) for {len(continuous)} continuous "
            "recording(s): give one per continuous recording, in the same order"
        )
    mine = file_identity(str(path))
    return next(
        (a for p, a in zip(continuous, files, strict=False) if file_identity(str(p)) == mine),
        None,
    )


def _clock_times(time_base: TimeBase, onsets: np.ndarray) -> tuple[np.ndarray, list[str] | None]:
    """``(clock_s, clock_time)`` of ``onsets`` (``(n,)`` seconds, as the recording's onsets
    count: from a Raw's first sample, from an epochs file's acquisition start), as the columns
    of ``eegpt embed``'s tables (:func:`eegpt.outputs.window_clock`): seconds on the
    recording's clock from its acquisition start, and the moments as ISO 8601 text without an
    offset (``"2026-01-01T23:59:50"``): the recording's wall clock as its header states it
    (the header's local time for EDF/BDF/BrainVision, UTC for FIF/.mff, as ``clock`` says);
    None for a recording without a measurement date."""
    from eegpt.outputs import iso_moments, window_clock

    seconds, moments = window_clock(time_base, np.asarray(onsets, dtype=np.float64))
    return seconds, None if moments is None else iso_moments(moments, utc=False)


def _say_bad_windows(path: Path, bad: np.ndarray, over: list[list[str]], reject: bool) -> None:
    """One stderr line counting the windows of ``path`` that overlap bad annotations (``bad``,
    ``over``: the descriptions over each window), predicted and flagged or, with ``reject``
    (``--reject-by-annotation``), left out; nothing when there are none."""
    from eegpt.annotations import describe_bad

    n_bad, n = int(bad.sum()), len(bad)
    if not n_bad:
        return
    windows, marked = f"{n_bad} of {n} windows", f"annotations marked bad ({describe_bad(over)})"
    if reject:
        said = f"{path}: left out {windows} that overlap {marked} (--reject-by-annotation)"
    else:
        said = (
            f"{path}: {windows} overlap {marked}, where data are unusable or were cut out; "
            "they are predicted like the rest and marked True in the 'bad' column; "
            "--reject-by-annotation leaves them out"
        )
    print(said, file=sys.stderr)


def _probabilities(
    args: argparse.Namespace, probe: Any, data: Any, rename: Any, overlap: float | None = None
) -> np.ndarray:
    """The probe's class probabilities ``[n, n_classes]`` of ``data``, on the command line's
    device, precision, stream precision and batch size; a continuous recording's windows
    ``overlap`` s apart less than their length (``--overlap``)."""
    return probe.predict_proba(
        data, rename=rename, device=args.device, precision=args.precision,
        stream_precision=args.stream_precision, batch_size=args.batch_size,
        keep=args.keep_channels, overlap=overlap,
    )  # fmt: skip


def _check_prediction_outputs_free(*tables: Path | None) -> None:
    """Without --overwrite, refuse a prediction table (``-o``, ``--events``) that exists, and a
    sidecar beside it that is not an orphan (:func:`_orphan_sidecar`). An orphan (its table is
    gone: a workflow manager deletes only the declared output before a rerun) is replaced,
    with a note on stderr."""
    from eegpt._logging import terminal_text

    for table in tables:
        if table is None:
            continue
        if table.exists():
            raise FileExistsError(f"{table} exists; pass --overwrite to replace it")
        sidecar = _sidecar_of(table)
        if sidecar is None or not sidecar.exists():
            continue
        if not _orphan_sidecar(sidecar):
            raise FileExistsError(
                f"{sidecar} exists and is not a sidecar eegpt wrote for a prediction table; "
                "pass --overwrite to replace it"
            )
        print(
            terminal_text(
                f"eegpt: note: {sidecar} is the sidecar of a table no longer there ({table}): "
                "replacing it with the new table's"
            ),
            file=sys.stderr,
        )


def _orphan_sidecar(sidecar: Path) -> bool:
    """Whether ``sidecar`` (its table known to be gone) is a prediction table's sidecar eegpt
    wrote (JSON whose ``format`` is :data:`eegpt.probe_provenance.PREDICTIONS_FORMAT`), safe to
    replace without --overwrite; not a folder, or any other file that took its name
    (:func:`eegpt.probe_provenance.predictions_record` reads it)."""
    from eegpt.probe_provenance import predictions_record

    try:
        return predictions_record(sidecar) is not None
    except (OSError, ValueError):  # a folder, unreadable, not JSON, not eegpt's format
        return False


def cmd_probe_predict(args: argparse.Namespace) -> int:
    from eegpt._logging import few

    _recording_paths(args)
    args.output = _check_prediction_output(args.output)
    args.events = _check_prediction_output(args.events, "--events")
    _check_events_options(args)
    check_figure_path(args.plot)
    if args.plot_probabilities and args.plot is None:
        raise ValueError("--plot-probabilities draws into the hypnogram: give --plot FILE too")
    if args.plot is not None and args.epoch_seconds is None:
        raise ValueError("--plot draws the hypnogram of --epoch-seconds: give --epoch-seconds "
                         "SECONDS too (30 for sleep scoring)")  # fmt: skip
    for path in (args.output, _sidecar_of(args.output)):
        if path is not None and path.is_dir():
            raise IsADirectoryError(
                f"{path} is a folder; predict writes "
                + ("its table's sidecar there" if path != args.output else "its table there")
                + ": give -o another name, or move the folder"
            )
    if not args.overwrite:
        _check_prediction_outputs_free(args.output, args.events)
    probe = _load(args)
    # the channels it was trained on: --keep-channels checked against them, else its own
    args.keep_channels = probe._checked_keep(args.keep_channels)
    args.data, _ = given_once(args.data)  # one file's rows once
    continuous = [p for p in args.data if _is_continuous_input(p)]
    epoched = [p for p in args.data if not _is_continuous_input(p)]
    if args.epoch_seconds is not None and epoched:
        raise ValueError(
            f"--epoch-seconds groups the windows of continuous recordings into scoring epochs; "
            f"{few([str(p) for p in epoched], 3)} {_holds(epoched)} epochs, one prediction each: predict "
            "them without --epoch-seconds"
        )
    if args.overlap and not continuous:
        raise ValueError(
            f"--overlap {args.overlap:g} cuts continuous recordings into overlapping windows; "
            f"{few([str(p) for p in epoched], 3)} {_holds(epoched)} epochs, one prediction each: predict "
            "them without --overlap"
        )
    if args.overlap:  # refused before any file is read where it does not fit the windows
        probe._with_overlap(args.overlap)
    if args.events is not None:
        if not continuous:
            raise ValueError(
                f"--events merges the windows of continuous recordings into events; "
                f"{few([str(p) for p in epoched], 3)} {_holds(epoched)} epochs: give continuous recordings "
                "(.edf, .fif, ...), or leave --events out"
            )
        args.event_class = _event_classes(args, probe)
    if continuous and args.label_column is not None and not args.label_column_adopted:
        raise ValueError(
            f"--label-column {args.label_column!r}: continuous recordings have no epochs "
            f"metadata to take labels from ({few([str(p) for p in continuous], 3)}); leave "
            "--label-column out, or cut the recordings into epochs with their labels first "
            "(mne.Epochs, with the column in epochs.metadata)"
        )
    # per input file: [(index in the file, onset or None, label or None, probabilities,
    # clock_s or None, clock_time or None)]
    _say_crop(args)  # the inputs accepted
    found: dict[Path, list[tuple[int, float | None, Any, np.ndarray, Any, Any]]] = {}
    labelled = False
    sources: list[str] = []  # the file of each epoch predicted (continuous recordings: none)
    if epoched:
        bases: dict[str, TimeBase] = {}  # each file's time base, for its clock columns
        recording, y, sources, rename = _read_inputs(
            args, files=epoched, require_labels=False, time_bases=bases
        )
        proba = _probabilities(args, probe, recording, rename)
        labelled = y is not None
        labels = [None] * len(proba) if y is None else y.tolist()
        onsets = recording.onsets
        on_clock: list[Any] = [None] * len(proba)
        moments: list[Any] = [None] * len(proba)
        if onsets is not None:  # as embed's tables of each file give them
            names = np.asarray(sources)
            for name in dict.fromkeys(sources):
                rows_of = np.flatnonzero((names == name) & ~np.isnan(onsets))
                file_s, file_times = _clock_times(bases.get(name, {}), onsets[rows_of])
                for j, k in enumerate(rows_of):
                    on_clock[k] = float(file_s[j])
                    moments[k] = None if file_times is None else file_times[j]
        by_name = {str(p): p for p in epoched}
        for i, (src, label, p) in enumerate(zip(sources, labels, proba, strict=True)):
            at = None if onsets is None or np.isnan(onsets[i]) else float(onsets[i])
            found.setdefault(by_name[src], []).append(
                (recording.selection[i], at, label, p, on_clock[i], moments[i])
            )
    rename = parse_rename(args.rename, args.drop)
    scored: dict[Path, tuple[np.ndarray, np.ndarray, np.ndarray, TimeBase, Any, float]] = {}
    bad: dict[Path, np.ndarray] = {}  # per continuous recording: its windows over bad spans
    for path in continuous:
        proba, onsets, window_y, bad[path], when, spans, first = _predict_continuous(
            args, probe, path, rename
        )
        if args.epoch_seconds is not None:  # one row per scoring epoch, written below
            scored[path] = (proba, onsets, bad[path], when, spans, first)
            continue
        seconds, when_text = _clock_times(when, onsets)
        dates: list[str | None] = [None] * len(proba) if when_text is None else [*when_text]
        labelled |= window_y is not None
        window_y = window_y or [None] * len(proba)
        found[path] = [
            (k, float(at), label, p, float(seconds[k]), dates[k])
            for k, (at, label, p) in enumerate(zip(onsets, window_y, proba, strict=True))
            if not (args.reject_by_annotation and bad[path][k])
        ]
    made = args.output is not None or args.events is not None
    provenance = _provenance(args, probe, sources) if made else None
    if args.epoch_seconds is not None:
        header, rows = _epoch_rows(args, probe, scored)
        _write_predictions(args.output, header, rows, probe.classes_.tolist(), provenance)
        if args.output is not None and not args.quiet:
            print(f"wrote {len(rows)} scoring epochs to {args.output}")
        if args.plot is not None:
            clocks = {str(p): s[3].get("record_clock") for p, s in scored.items()}
            _plot_hypnograms(args, probe, header, rows, clocks)
        return 0
    with_onsets = any(row[1] is not None for rows in found.values() for row in rows)
    dated = any(row[5] is not None for rows in found.values() for row in rows)
    # the inputs' own labels (event names, y of an .npz, --labels) beside the predictions;
    # continuous recordings' windows over bad annotations flagged last ('' for epochs);
    # clock_s with onset_s, clock_time where a recording has a measurement date ('' for the
    # others), as eegpt embed's tables
    header = ["file", "epoch", *(["onset_s", "clock_s"] if with_onsets else [])]
    header += [*(["clock_time"] if dated else []), "prediction"]
    header += [*(["label"] if labelled else []), *(f"p_{c}" for c in probe.classes_.tolist())]
    header += ["bad"] if continuous else []
    classes = probe.classes_.tolist()
    rows = []  # typed values (None: no value), formatted by the writer
    for path in dict.fromkeys(args.data):  # in the order given
        for index, at, label, p, on_clock_s, moment in found.get(path, []):
            rows.append(
                [str(path), int(index)]
                + ([] if not with_onsets else [at, on_clock_s])
                + ([] if not dated else [moment])
                + [classes[int(np.argmax(p))]]
                + ([] if not labelled else [label])
                + [float(v) for v in p]
                + ([] if not continuous else [bool(bad[path][index]) if path in bad else None])
            )
    _write_predictions(args.output, header, rows, classes, provenance)
    if args.output is not None and not args.quiet:
        print(f"wrote {len(rows)} predictions to {args.output}")
    if args.events is not None:
        _write_events(args, probe, header, [r for r in rows if r[-1] is not None], provenance)
    return 0


def _events_switch(args: argparse.Namespace) -> tuple[str, bool]:
    """The option that asks for events (``--events`` of predict, ``--event-scoring`` of
    evaluate) and whether it was given."""
    if hasattr(args, "event_scoring"):
        return "--event-scoring", bool(args.event_scoring)
    return "--events", args.events is not None


def _check_events_options(args: argparse.Namespace) -> None:
    """The options of ``--events`` (``--event-scoring``) refused, before anything is read,
    without it, with ``--epoch-seconds``, or naming ``--output``'s file."""
    switch, wanted = _events_switch(args)
    given = [
        name for name, value in (
            ("--event-class", args.event_class),
            ("--min-event-seconds", args.min_event_seconds),
            ("--merge-gap-seconds", args.merge_gap_seconds),
        ) if value
    ]  # fmt: skip
    if not wanted:
        if given:
            said = {"--events": "which events --events writes: give --events FILE too",
                    "--event-scoring": "which events --event-scoring scores: give "
                    "--event-scoring too"}  # fmt: skip
            raise ValueError(f"{given[0]} says {said[switch]}")
        return
    if args.min_event_seconds < 0 or args.merge_gap_seconds < 0:
        raise ValueError("--min-event-seconds and --merge-gap-seconds are seconds (>= 0)")
    if getattr(args, "epoch_seconds", None) is not None:
        raise ValueError(
            "--events merges the windows predicted as a class into events; --epoch-seconds "
            "predicts scoring epochs instead: give one of them"
        )
    output = getattr(args, "output", None)
    if switch == "--events" and output is not None and args.events.resolve() == output.resolve():
        raise ValueError(f"--events {args.events} is the --output file: give another name")


def _event_classes(args: argparse.Namespace, probe: Any) -> list[Any]:
    """The classes of ``--events``: ``--event-class`` (each among the probe's classes, as
    text), else every class but the background: the ``--unlabelled`` class the probe was
    trained with, else its most frequent training class."""
    classes = probe.classes_.tolist()
    by_text = {str(c): c for c in classes}
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


def _write_events(
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
    import pandas as pd

    from eegpt.probe_events import event_scores_text, windows_to_events

    table = pd.DataFrame(rows, columns=header)
    window, hop, how, settings = _event_settings(args, probe)
    events = windows_to_events(table, window, **settings)
    made = None if provenance is None else {**provenance, "events": how}
    _write_predictions(
        args.events, list(events.columns), events.astype(object).where(pd.notna(events), None)
        .values.tolist(), probe.classes_.tolist(), made,
    )  # fmt: skip
    if not args.quiet:
        print(f"wrote {len(events)} events to {args.events}")
    if "label" in table and table["label"].notna().any():
        scores, hours = _scored_events(args, table, events, window, hop, settings)
        print(event_scores_text(scores, hours), file=sys.stderr)


def _event_settings(
    args: argparse.Namespace, probe: Any
) -> tuple[float, float, dict[str, Any], dict[str, Any]]:
    """``(window, hop, how, settings)`` of the events of ``probe predict --events`` and
    ``probe evaluate --event-scoring``: the windows' length and hop in s (the window less
    ``--overlap``), the settings as provenance records them, and those
    :func:`eegpt.probe_events.windows_to_events` takes."""
    window = float(probe.preprocessing.window_seconds)
    hop = window - float(getattr(args, "overlap", 0.0) or 0.0)
    how = {
        "classes": [str(c) for c in args.event_class], "window_seconds": window,
        "hop_seconds": hop, "min_event_seconds": args.min_event_seconds,
        "merge_gap_seconds": args.merge_gap_seconds, "span": "centred",
    }  # fmt: skip
    settings = dict(
        hop_seconds=hop, classes=args.event_class, min_event_seconds=args.min_event_seconds,
        merge_gap_seconds=args.merge_gap_seconds,
    )  # fmt: skip
    return window, hop, how, settings


def _scored_events(
    args: argparse.Namespace,
    table: Any,
    events: Any,
    window: float,
    hop: float,
    settings: dict[str, Any],
) -> tuple[dict[str, dict[str, Any]], float]:
    """``(scores, hours)``: the predicted ``events`` scored (OVLP and TAES,
    :func:`eegpt.probe_events.event_scores`) against the events of the window labels of
    ``table`` (its ``label`` column, with the predictions' hop, classes and span but neither
    ``--min-event-seconds`` nor ``--merge-gap-seconds``, which shape predicted events only),
    over the hours of its windows not marked bad (each a hop)."""
    from eegpt.probe_events import event_scores, windows_to_events

    # the scored (reference) events are the window labels' runs as they are: the options
    # that shape predicted events (--min-event-seconds, --merge-gap-seconds) would drop
    # short true events from the denominator and join separate ones
    reference = {**settings, "min_event_seconds": 0.0, "merge_gap_seconds": 0.0}
    scored = windows_to_events(table, window, column="label", **reference)
    good = ~table["bad"].fillna(False).astype(bool) if "bad" in table else table["file"].notna()
    hours = float(good.sum()) * hop / 3600
    return event_scores(events, scored, hours, classes=args.event_class), hours


def _plot_hypnograms(
    args: argparse.Namespace,
    probe: Any,
    header: list[str],
    rows: list[list[Any]],
    clocks: Mapping[str, Any] | None = None,
) -> None:
    """``--plot FILE`` of ``--epoch-seconds``: the hypnogram of each recording of ``rows``
    (:func:`eegpt.viz.plot_hypnogram`), one panel each, written to ``args.plot``; ``clocks``:
    each file's ``record_clock`` (an EDF+D file's), by which epochs over a gap are drawn in
    pieces where their data lie on the clock."""
    import pandas as pd

    from eegpt.viz import _pyplot, hypnogram_width, plot_hypnogram

    table = pd.DataFrame(rows, columns=header)
    files = list(dict.fromkeys(table["file"].tolist()))
    plt = _pyplot()
    by_file = table["file"]  # the longest recording sets the width
    spans = (table["onset_s"] + table["duration_s"]).groupby(by_file).max()
    spans -= table["onset_s"].groupby(by_file).min()
    fig, axes = plt.subplots(
        len(files), 1,
        figsize=(hypnogram_width(float(spans.max()) / 3600),
                 (1.5 + 0.45 * len(probe.classes_)) * len(files)),
        layout="constrained", squeeze=False,
    )  # fmt: skip
    for ax, name in zip(axes[:, 0], files, strict=True):
        one = table[table["file"] == name]
        # bad epochs (an annotation marked bad overlaps them) shaded
        plot_hypnogram(one, ax=ax, title=None, bad=one["bad"].to_numpy(),
                       probabilities=args.plot_probabilities,
                       record_clock=(clocks or {}).get(name))  # fmt: skip
        ax.set_title(f"{Path(name).name}: {ax.get_title()}", fontsize="medium", wrap=True)
    if probe.encoder.get("pretrained") is False:
        from eegpt.viz import NOT_PRETRAINED_TITLE

        fig.suptitle(NOT_PRETRAINED_TITLE, color="tab:red")
    save_figure_file(fig, args.plot, args.dpi)


def _epoch_seconds(text: str) -> float:
    """``--epoch-seconds``: a positive number of seconds (:func:`eegpt.cli_options.seconds`)."""
    value = seconds(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a scoring epoch lasts more than 0 s")
    return value


def _epoch_rows(
    args: argparse.Namespace,
    probe: Any,
    scored: Mapping[Path, tuple[np.ndarray, np.ndarray, np.ndarray, TimeBase, Any, float]],
) -> tuple[list[str], list[list[Any]]]:
    """``probe predict --epoch-seconds``'s header and rows: per continuous recording of
    ``scored`` (path -> its windows' probabilities ``[n, n_classes]``, onsets ``(n,)`` s, bad
    flags ``(n,)``, time base, annotations and start in s), one row per scoring epoch of
    ``args.epoch_seconds`` from its start on (:func:`eegpt.probe.scoring_epochs`): file,
    epoch, onset_s, clock_s, duration_s, covered_s (the seconds its windows cover), clock_time (dated
    recordings), prediction, label (the scored stage: :func:`_epoch_labels`; with a labelling
    or ``--annotations``; None for a bad epoch, as for a bad window), p_CLASS, bad (an annotation marked bad overlaps the epoch itself:
    :func:`eegpt.annotations.bad_windows` of the epochs). With ``--reject-by-annotation``
    windows over bad annotations count in none; an epoch left without any has no
    prediction."""
    from eegpt.annotations import bad_windows, window_annotations
    from eegpt.outputs import has_clock_time
    from eegpt.probe import scoring_epochs

    classes = probe.classes_.tolist()
    window = float(probe.preprocessing.window_seconds)
    # a clock_time column where a recording has a clock (not EDF's anonymized 1985 start)
    dated = any(has_clock_time(s[3]) for s in scored.values())
    labelled = args.window_labels is not None or bool(args.annotations)
    # recordings whose labels would need the training's --annotations files: none
    unlabellable = {p for p, s in scored.items() if _no_labels_without_files(args, p, s[4])}
    labelled = labelled and len(unlabellable) < len(scored)
    header = ["file", "epoch", "onset_s", "clock_s", "duration_s", "covered_s"]
    header += [*(["clock_time"] if dated else []), "prediction"]
    header += [*(["label"] if labelled else []), *(f"p_{c}" for c in classes), "bad"]
    rows: list[list[Any]] = []
    for path in dict.fromkeys(args.data):  # in the order given
        if path not in scored:
            continue
        proba, onsets, bad, when, spans, start = scored[path]
        use = ~bad if args.reject_by_annotation else None
        epoch_onsets, covered, epoch_proba = scoring_epochs(
            proba, onsets, window, args.epoch_seconds, start, use=use
        )
        # bad: a bad annotation overlaps the epoch itself (not only a window straddling it)
        flagged = np.zeros(len(epoch_onsets), dtype=bool)
        if spans is not None and len(spans):
            flagged = bad_windows(window_annotations(spans, epoch_onsets, args.epoch_seconds))
        on_clock, moments = _clock_times(when, epoch_onsets)
        scores = _epoch_labels(args, spans, epoch_onsets, path) if labelled else None
        if scores is not None and path in unlabellable:
            scores = [None] * len(epoch_onsets)
        for k, (at, p) in enumerate(zip(epoch_onsets, epoch_proba, strict=True)):
            known = bool(covered[k] > 0)
            rows.append(
                [str(path), k, float(at), float(on_clock[k])]
                + [float(args.epoch_seconds), float(covered[k])]
                + ([] if not dated else [None if moments is None else moments[k]])
                + [classes[int(np.argmax(p))] if known else None]
                # a bad epoch has no label, as a bad window has none
                + ([] if scores is None else [None if flagged[k] else scores[k]])
                + [float(v) if known else None for v in p]
                + [bool(flagged[k])]
            )
    return header, rows


def _epoch_labels(
    args: argparse.Namespace, annotations: Any, epoch_onsets: np.ndarray, path: Path
) -> list[str | None]:
    """The scored stage of each scoring epoch at ``epoch_onsets`` (``(n,)`` s from the
    first sample, of ``args.epoch_seconds``) from ``annotations``, by the window mode's rule
    (:func:`eegpt.annotations.window_labels`: the label covering most of the epoch, at least
    half of it): the labelling annotations are those matching ``--window-labels`` (the
    probe's by default; :meth:`WindowLabelling.label`: ``--unlabelled``'s class where none
    covers half, None without one), else any that are not bad and last whole epochs (None
    where none covers half). Warns, naming ``path``, when they lie on a grid off the
    epochs'."""
    from eegpt.annotations import is_bad, window_labels

    length = float(args.epoch_seconds)
    how = _labelling(args, length)
    if how is not None:  # as the windows are labelled, --unlabelled included
        labels, _ = how.label(annotations, epoch_onsets, length, path, what="scoring epochs")
        return list(labels)
    if (annotations is None or not len(annotations)) and _annotations_file(args, path) is None:
        no_annotations_warning(path)
        return window_labels(None, epoch_onsets, length, unlabelled_ok=True)
    if annotations is not None and len(annotations):  # the annotations of whole epochs
        whole = [
            not is_bad(str(d)) and dur > 0 and abs(dur / length - round(dur / length)) < 1e-6
            for d, dur in zip(annotations.description, annotations.duration, strict=True)
        ]
        annotations = annotations[np.flatnonzero(whole)] if any(whole) else None
    return window_labels(annotations, epoch_onsets, length, source=str(path), what="scoring epochs")


def cmd_probe_evaluate(args: argparse.Namespace) -> int:
    from eegpt._logging import warn as _warn
    from eegpt.probe_metrics import (
        checked_metrics,
        class_report,
        format_class_report,
        format_metrics,
        probe_metrics,
        sklearn_metrics,
    )
    from eegpt.probe_provenance import overlap_text, subject_overlap_text

    confusion_matrix = sklearn_metrics().confusion_matrix

    _recording_paths(args)
    check_figure_path(args.plot)
    if args.normalize is not None and args.plot is None:
        raise ValueError("--normalize applies to the figure: give --plot FILE too")
    _check_events_options(args)
    if args.event_scoring:
        from eegpt._logging import few

        epoched = [str(p) for p in args.data if not _is_continuous_input(p)]
        if epoched:
            raise ValueError(
                "--event-scoring merges the windows of continuous recordings into events; "
                f"{few(epoched, 3)} {_holds(epoched)} epochs, with no time between them: give continuous "
                "recordings (.edf, .fif, ...) labelled by --window-labels, or leave "
                "--event-scoring out"
            )
    probe = _load(args)
    # the channels it was trained on: --keep-channels checked against them, else its own
    args.keep_channels = probe._checked_keep(args.keep_channels)
    if args.event_scoring:
        args.event_class = _event_classes(args, probe)
    classes = probe.classes_
    order = _class_order(args.class_order, classes)  # of the matrix printed and drawn
    _check_window_overlap(args, probe.preprocessing.window_seconds)
    windows = _labelling(args, probe.preprocessing.window_seconds)
    _refuse_labels_without_files(args, windows)  # before the recordings' samples are read
    _say_crop(args)  # the inputs accepted
    # a recording without seizures, all --unlabelled: its false alarms, with a warning
    recording, y, sources, rename = _read_inputs(
        args, labels=args.labels, keep_missing=args.skip_unknown, windows=windows,
        unlabelled_only=True,
    )  # fmt: skip
    left_out = 0
    scored = sources  # the file of each epoch scored
    if args.skip_unknown:  # before the encoder runs: only the epochs scored
        recording, y, left_out, kept = _skip_unknown(recording, y, classes)
        scored = [sources[i] for i in kept]
    y = _as_class_labels(y, classes, _labels_taken(args))
    proba = _probabilities(args, probe, recording, rename)
    pred = classes[proba.argmax(axis=1)]
    metrics: dict[str, Any] = probe_metrics(y, pred, proba, classes)
    # beside the paper's metrics (their keys unchanged): per class, the matrix, baselines, and
    # how many recordings the epochs came from (windows of one are not independent)
    report = class_report(y, pred, order, proba, classes)
    metrics.update(report)
    # the files with an epoch scored: those --skip-unknown left nothing of do not count
    metrics["n_recordings"] = len(dict.fromkeys(recording_sources(scored)))
    checked_metrics(metrics, y, classes)  # a warning on stderr, and in --json's file
    missing = [c for c in classes.tolist() if not np.any(y == c)]
    if len(classes) > 2 and missing and not np.isnan(metrics["auroc"]):
        metrics["auroc_note"] = (
            f"AUROC is one-vs-rest over the {len(classes) - len(missing)} classes present in the "
            f"labels (not {few_text(missing)}), each from the probe's own probability of it"
        )
    provenance = _provenance(args, probe, sources) if args.json else None
    overlap = _training_overlap(probe, provenance, args.data)
    for found in overlap or []:
        said = overlap_text(*found)
        _warn(said)
        metrics.setdefault("warnings", []).append(said)
    subjects = subject_overlap_text(  # the same subject in other files than those trained on
        getattr(probe, "training", None),
        [str(p) for p in args.data],
        [o.name for o in overlap or []],
    )
    if subjects is not None:
        _warn(subjects)
        metrics.setdefault("warnings", []).append(subjects)
    if provenance is not None and overlap is not None:
        provenance["overlaps_training"] = [o.name for o in overlap if not o.same_file_only]
        shared = [o.name for o in overlap if o.same_file_only]  # a training input in memory
        if shared:
            provenance["shares_file_with_training"] = shared
    if args.skip_unknown:
        metrics["n_left_out"] = left_out
    if args.event_scoring:
        metrics["events"] = _evaluated_events(args, probe, recording, scored, y, pred, proba)
    to_stdout = args.json is not None and str(args.json) == "-"  # --json -: the JSON alone
    shown = sys.stderr if to_stdout else sys.stdout
    print(format_metrics(metrics), file=shown)
    print(format_class_report(report, metrics["n_recordings"]), file=shown)
    if args.event_scoring:
        from eegpt.probe_events import event_scores_text

        events = metrics["events"]
        print(event_scores_text(events["scores"], events["hours"]), file=shown)
    if not args.quiet:
        table = confusion_table(confusion_matrix(y, pred, labels=order), order.tolist())
        print(table, file=shown)
    if args.json:
        from eegpt.probe_provenance import EVALUATION_FORMAT

        # marked as what it is; the metrics at the top level, as before; beside them what
        # they were computed of
        record = {"format": EVALUATION_FORMAT, **metrics, "provenance": provenance}
        # undefined scores (kappa, AUROC of one class) as null: NaN is no JSON value
        text = json.dumps(_null_for_nan(record), indent=2, allow_nan=False) + "\n"
        if to_stdout:
            sys.stdout.write(text)
        else:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(text)
    if args.plot is not None:
        from eegpt.viz import plot_confusion_matrix

        title = (
            f"probe {args.probe.name}: {len(y)} epochs, balanced accuracy "
            f"{100 * metrics['balanced_accuracy']:.1f}%"
        )
        fig = plot_confusion_matrix(
            y, pred, labels=order, normalize=args.normalize, title=title,
            pretrained=probe.encoder.get("pretrained"),
        )  # fmt: skip
        save_figure_file(fig, args.plot, args.dpi)
    return 0


def _evaluated_events(
    args: argparse.Namespace,
    probe: Any,
    recording: Any,
    sources: Sequence[str],
    y: np.ndarray,
    pred: np.ndarray,
    proba: np.ndarray,
) -> dict[str, Any]:
    """``evaluate --event-scoring``: the events of the windows evaluated (of continuous
    recordings, ``sources`` their files, at ``recording.onsets``) predicted as the event
    classes, scored against those of their labels ``y`` (:func:`_scored_events`: OVLP and
    TAES per class), with the settings and the hours of windows scored. Windows left out
    (over bad annotations, unlabelled without --unlabelled, --skip-unknown) break events."""
    import pandas as pd

    from eegpt.probe_events import windows_to_events

    table = pd.DataFrame({
        "file": list(sources), "onset_s": np.asarray(recording.onsets, dtype=np.float64),
        "prediction": pred.tolist(), "label": y.tolist(),
        **{f"p_{c}": proba[:, k] for k, c in enumerate(probe.classes_.tolist())},
    })  # fmt: skip
    window, hop, how, settings = _event_settings(args, probe)
    events = windows_to_events(table, window, **settings)
    scores, hours = _scored_events(args, table, events, window, hop, settings)
    return {**how, "hours": hours, "scores": scores}


def few_text(values: Sequence[Any]) -> str:
    from eegpt._logging import few

    return few([repr(v) for v in values], 4)


def recording_sources(sources: Sequence[str]) -> list[str]:
    """The file each epoch came from, as one name per file however it was written."""
    return [str(Path(s).resolve()) for s in sources]


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
    recording: Any, y: np.ndarray, classes: np.ndarray
) -> tuple[Any, np.ndarray, int, np.ndarray]:
    """``evaluate --skip-unknown``: the epochs whose labels are among the probe's
    ``classes`` (as the classes or their text) and their labels, how many were left out
    (missing labels too), said on stdout with the labels left out and their counts, and the
    indices of the epochs kept."""
    import collections

    known = set(classes.tolist()) | {str(c) for c in classes.tolist()}
    keep = np.array([v is not None and (v in known or str(v) in known) for v in y.tolist()])
    n_out = int((~keep).sum())
    if not n_out:
        return recording, y, 0, np.arange(len(y))
    counted = collections.Counter("(no label)" if v is None else repr(v) for v in y[~keep].tolist())
    said = ", ".join(f"{name} ({n})" for name, n in sorted(counted.items()))
    if not keep.any():
        raise ValueError(
            f"no epoch has a label among the probe's classes {classes.tolist()} (labels: {said}); "
            "nothing to evaluate"
        )
    print(
        f"left out {n_out} of {len(y)} epochs with labels not among the probe's classes "
        f"(--skip-unknown): {said}"
    )
    idx = np.flatnonzero(keep)
    selection = None if recording.selection is None else [recording.selection[i] for i in idx]
    onsets = None if recording.onsets is None else recording.onsets[idx]
    kept = dataclasses.replace(
        recording, data=recording.data[idx], selection=selection, onsets=onsets
    )
    return kept, y[idx], n_out, idx


def _class_order(given: list[str] | None, classes: np.ndarray) -> np.ndarray:
    """The probe's ``classes`` in the order ``given`` (``--class-order``, names as text),
    else as they are (sorted); every class exactly once."""
    if not given:
        return classes
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


def _labels_taken(args: argparse.Namespace) -> str:
    """Where ``evaluate`` took the labels from, for an error about labels the probe lacks."""
    if args.labels is not None:
        return f"the 'label' column of {args.labels}"
    if args.label_column is not None:
        how = "as in training" if getattr(args, "label_column_adopted", False) else "--label-column"
        return f"the epochs' metadata column {args.label_column!r} ({how})"
    return "the epochs' event names (epochs.event_id; an .npz's y)"


def _as_class_labels(
    y: np.ndarray, classes: np.ndarray, taken: str = "the inputs' labels"
) -> np.ndarray:
    """Labels in the classes' type (labels from a CSV are text; classes may be numbers);
    ``taken`` says where they came from, for the error about labels outside the classes."""
    from eegpt.probe_labels import decimals_hint, event_names_hint, unknown_labels_hint

    known = set(classes.tolist())
    if set(y.tolist()) <= known:
        return y
    by_text = {str(c): c for c in classes.tolist()}
    unknown = sorted({str(v) for v in y.tolist()} - set(by_text))
    if unknown:
        said = f"labels {unknown} are not among the probe's classes {classes.tolist()}"
        skip = (
            "; or leave the epochs with other labels out of the evaluation with --skip-unknown "
            "(they are counted and named)"
        )
        if taken.startswith("the 'label' column of "):  # --labels FILE: the file is to fix
            raise ValueError(
                f"{said}{decimals_hint(unknown, classes)}: the labels are {taken}; write them "
                "as the probe's classes there "
                "(one row per epoch of all inputs, in order)" + skip
            )
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


TRAIN_EPILOG = """\
examples:
  eegpt probe train sub-01-epo.fif --weights eegpt-large -o probe/
  eegpt probe train rec1.edf rec2.edf --window-labels '(?i)seizure' --unlabelled background \\
      --weights eegpt-large -o seizures/"""

#: What ``probe predict`` and ``probe evaluate`` say of ``--window`` (an option of ``embed`` and
#: ``probe train``), refused as an abbreviation of ``--window-labels``.
WINDOW_FROM_PROBE = {
    "--window": "the window length comes from the probe (the one it was trained on: eegpt "
    "info PROBE shows it); --overlap SECONDS sets how far apart windows start"
}

PREDICT_EPILOG = """\
examples:
  eegpt probe predict probe/ sub-02-epo.fif -o predictions.csv
  eegpt probe predict seizures/ rec3.edf -o rec3.csv   (one row per window of a recording)
  eegpt probe predict mi/ session.edf --overlap 3.5 -o mi.csv   (4 s windows every 0.5 s)
  eegpt probe predict stages/ night.edf --epoch-seconds 30 -o hypnogram.csv   (per 30 s epoch)"""


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone ``eegpt`` parser holding only the ``probe`` command."""
    parser = CommandParser(prog="eegpt")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=SubcommandParser
    )
    add_probe_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``eegpt probe ...``; ``argv`` excludes the program name and ``probe``.

    Returns the exit status: 0 on success, 1 on an error (printed as one ``eegpt: error:`` line
    unless ``--debug`` comes first), 2 on a usage error (argparse exits).
    """
    from eegpt._logging import command_recorded

    process = argv is None
    given = given_arguments(argv, "probe")  # @files read
    if given is None:
        return 2
    argv = joined_negative_values(given)
    debug = bool(argv) and argv[0] == "--debug"
    words = (["--debug"] if debug else []) + ["probe"] + argv[debug:]
    with command_recorded(["probe", *given]):  # as `eegpt probe ...`
        return run_command_line(lambda: build_parser().parse_args(words), process=process)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
