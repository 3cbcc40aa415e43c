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
:mod:`eegpt.probe_label_files` (and the modules it names), writing prediction tables
:mod:`eegpt.probe_predictions`.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eegpt._epochs_header import epochs_metadata, epochs_read_once
from eegpt._filenames import SUBJECT_PATTERNS_TEXT, subject_of
from eegpt.cli_options import (
    CROP_AROUND_NOTE,
    CROP_HELP,
    FIGURE_FORMATS,
    START_FROM_ANNOTATIONS,
    WEIGHTS_FORMS,
    CommandParser,
    LaidOutHelpFormatter,
    SubcommandParser,
    add_crop_option,
    add_dpi_option,
    add_log_file_options,
    add_reference_option,
    add_resample_option,
    add_strict_channels_option,
    add_window_option,
    check_figure_path,
    check_inference_options,
    checked_rescale,
    describe_commands,
    lower_choice,
    on_unknown_of,
    overlap_seconds,
    parse_keep,
    picks_of,
    positive_count,
    save_figure_file,
)
from eegpt.cli_run import given_arguments, joined_negative_values, run_command_line
from eegpt.continuous_windows import is_continuous_input
from eegpt.label_rows import LABEL_CSV_SEPARATORS as LABEL_CSV_SEPARATORS  # re-exported
from eegpt.label_rows import LABEL_NUMBER_COLUMNS as LABEL_NUMBER_COLUMNS  # re-exported
from eegpt.label_rows import MAX_IGNORED_NAMES as MAX_IGNORED_NAMES  # re-exported
from eegpt.label_rows import MISSING_LABELS as MISSING_LABELS  # re-exported
from eegpt.label_rows import labels_file_record
from eegpt.probe_cli_evaluate import cmd_probe_evaluate
from eegpt.probe_cli_inputs import (
    clean_recording_paths,
    probe_epochs_cut,
    read_inputs,
    recording_sources,
    val_labelling,
    warn_min_overlap_classes,
)
from eegpt.probe_cli_options import (
    INPUT_HELP,
    PROBE_PICKS,
    OldPassesName,
    add_applied_crop,
    add_applied_keep,
    add_epochs_around,
    add_events_options,
    add_label_column,
    add_labelled_data,
    add_labels,
    add_run_options,
    add_window_labels,
    add_window_overlap,
    epoch_seconds,
    metrics_json_file,
)
from eegpt.probe_cli_predict import check_window_overlap, cmd_probe_predict, window_labelling
from eegpt.probe_label_files import _labelled_windows as _labelled_windows  # re-exported
from eegpt.probe_label_files import _read_one as _read_one  # re-exported
from eegpt.probe_label_files import load_labelled_epochs
from eegpt.probe_predictions import PREDICTION_FORMATS as PREDICTION_FORMATS  # re-exported
from eegpt.probe_predictions import PREDICTIONS_KEY as PREDICTIONS_KEY  # re-exported
from eegpt.window_labelling import first_labelling_onset as first_labelling_onset  # re-exported

__all__ = ["add_probe_commands", "load_labelled_epochs", "main"]


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


TRAIN_DESCRIPTION = (
    "Train a linear probe (a classifier) on labelled epochs, the encoder frozen\n"
    "(the paper's recipe). It classifies only: each distinct label is a class. For\n"
    "a continuous target (an age, a clinical score, a reaction time) embed the\n"
    "recordings (eegpt embed) and fit a regressor on the embeddings: docs/downstream.md,\n"
    "'Regression (age, clinical scores, reaction times)'."
)


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
        formatter_class=LaidOutHelpFormatter,
    )
    actions = probe.add_subparsers(dest="probe_command", required=True, metavar="ACTION")

    p = actions.add_parser(
        "train",
        help="train a probe on labelled epochs, or on the labelled windows of continuous "
        "recordings (paper recipe)",
        description=TRAIN_DESCRIPTION,
        epilog=TRAIN_EPILOG,
        formatter_class=LaidOutHelpFormatter,
    )
    add_labelled_data(p)
    p.add_argument("--weights", required=True, help=f"encoder checkpoint: {WEIGHTS_FORMS}")
    p.add_argument("-o", "--output", type=Path, required=True, help="probe folder to write")
    add_labels(p)
    add_label_column(p)
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
        help="what --val FRACTION holds out: epoch (default): epochs (windows) drawn at random "
        "per class; recording: whole recordings, one per input file; subject: whole subjects, "
        "the subject "
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
        "continuous --val-data recording, in their order ('-' for one whose annotations are "
        "all in its own file)",
    )  # fmt: skip
    g = p.add_argument_group("recipe (defaults: the original EEGPT linear-probe scripts)")
    g.add_argument(
        "--passes",
        type=positive_count,
        default=100,
        metavar="N",
        help="passes over the training epochs (100; what the paper and ProbeConfig(epochs=...) "
        "call training epochs)",
    )
    # the name before --passes, where "epochs" meant passes: old commands still run, noted
    g.add_argument("--epochs", type=positive_count, dest="passes", default=argparse.SUPPRESS,
                   action=OldPassesName, metavar="N", help=argparse.SUPPRESS)  # fmt: skip
    g.add_argument(
        "--train-batch-size",
        type=positive_count,
        default=64,
        metavar="N",
        help="training batch (64)",
    )
    g.add_argument("--lr", type=float, default=4e-4, help="one-cycle peak learning rate (4e-4)")
    g.add_argument("--weight-decay", type=float, default=0.01, help="AdamW weight decay (0.01)")
    g.add_argument(
        "--chan-proj",
        action="store_true",
        help="learn a 1x1 projection of the input channels onto the 19 10-20 channels",
    )
    g.add_argument(
        "--patience",
        type=positive_count,
        default=None,
        metavar="N",
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
        "--cache-dir",
        type=Path,
        default=None,
        help="keep the frozen encoder's embeddings of the training epochs here, to train "
        "again without running the encoder (default: none kept). Not where weights are looked "
        "for: pretrained weights are kept in $EEGPT_CACHE (default $XDG_CACHE_HOME/eegpt or "
        "~/.cache/eegpt), eegpt fetch --cache-dir's folder",
    )
    g = p.add_argument_group("preprocessing")
    add_window_option(g)
    add_crop_option(g, CROP_HELP + CROP_AROUND_NOTE)
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
    add_strict_channels_option(
        g,
        ", as embed's option (Python: train_probe(..., on_unknown='raise')), in every input "
        "file and --val-data file. The probe records it, and predict and evaluate apply it. "
        "Not with --chan-proj and one input file, whose channels are all projected whatever "
        "their names (files of other channels are merged by electrode: there it applies)",
    )
    add_reference_option(g)
    add_resample_option(g)
    g.add_argument(
        "--tail",
        type=lower_choice(),
        choices=["drop", "pad"],
        default="drop",
        help="epochs shorter than the window: drop (default) stops with an error that says "
        "so; pad fills each one up to the window with zeros (a flat end). Recorded in the "
        "probe: probe predict then leaves out (drop) or zero-pads into one more window (pad) "
        "the end of a continuous recording too short to fill a window",
    )
    g.add_argument(
        "--detrend",
        type=lower_choice(),
        choices=["none", "constant", "linear"],
        default="none",
        help="per epoch and channel, subtract none (default): nothing; constant: the mean; "
        "linear: the straight line",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing probe")
    add_window_labels(p, "of --window seconds", trained=False)
    add_epochs_around(p, trained=False)
    add_window_overlap(
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
    add_run_options(
        p,
        "no progress bars (the encoder's, training's); the result lines (trained ..., wrote "
        "...) are still printed on stdout, warnings and errors on stderr",
    )
    p.set_defaults(func=cmd_probe_train)

    p = actions.add_parser(
        "predict",
        help="predict labels of epochs, or of consecutive windows of continuous recordings, "
        "with a trained probe",
        epilog=PREDICT_EPILOG,
        formatter_class=LaidOutHelpFormatter,
        absent_options=PROBE_RULES_FROM_PROBE,
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
        help="file to write: .csv, .tsv or .parquet (.txt or no suffix: CSV; default, or -o -: CSV to "
        "stdout, the notes to stderr), one row per "
        "epoch or window: file, epoch (its "
        "number in its file, counting from 0 as MNE does: epochs.selection, its index in the "
        "events array it was cut from, dropped epochs and events of other ids counted too; "
        "for a continuous recording, the window's), position (only where some file's epoch "
        "numbers are not their places: the epoch's place among its file's epochs, from 0; "
        "for .set files and epochs none of which were dropped that is the epoch number, and "
        "epoch + 1 EEGLAB's and MATLAB's number, eegpt export's window_number), onset_s, "
        "clock_s (seconds on the recording's clock from its acquisition start, as eegpt "
        "embed's tables), prediction, label (if "
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
    p.add_argument(
        "--fail-fast",
        action="store_true",
        help="stop at the first input that cannot be predicted (exit status 1, no table "
        "written). By default, of several inputs, one that cannot be read or predicted (its "
        "channels, NaN, too short, a damaged file) is named on stderr with the reason and "
        "left out, the others' rows are written, the table's provenance lists it under "
        "'failed' (eegpt info shows it), and the exit status is 3, as eegpt embed's",
    )
    p.add_argument("--weights", help=RECORDED_WEIGHTS_HELP)
    add_label_column(p, "beside the predictions")
    p.add_argument(
        "--reject-by-annotation",
        action="store_true",
        help="continuous recordings: leave out the windows that overlap an annotation marked "
        "bad (BAD_..., any case, as in MNE; EEGLAB's boundary events, where data were cut out), "
        "as embed --reject-by-annotation does; by default they are predicted and marked True "
        "in the 'bad' column (the last; empty for epochs), and counted on stderr",
    )
    add_applied_keep(p)
    add_applied_crop(p)
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
        type=epoch_seconds,
        default=None,
        metavar="SECONDS",
        help="continuous recordings: one row per scoring epoch of this length (a hypnogram's "
        "30 s), not per window: consecutive epochs from where the windows start on (--start; "
        "without it the probe's training start, said on stderr, else 0), each predicted from "
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
        "beneath where --annotations give them, bad epochs shaded; one panel per recording, "
        "all on one time scale). Without it, of continuous recordings: each event class's "
        "probability over time (eegpt.viz.plot_event_probabilities; the classes of --events, "
        "else all but the background), the annotations the probe's window labels make that "
        "class shaded, --threshold as a dashed line, bad windows a gap; one panel per "
        f"recording. A {FIGURE_FORMATS} file",
    )
    add_dpi_option(p)
    p.add_argument(
        "--plot-probabilities",
        action="store_true",
        help="with --plot: also draw each stage's probability as a ribbon around its row "
        "(plot_hypnogram(probabilities=True))",
    )
    add_events_options(p)
    add_window_labels(
        p, "(as without it) and put each window's label beside its prediction", "get no label"
    )
    add_epochs_around(p)
    add_run_options(
        p,
        "no notes (where labels come from, how windows are labelled, wrote N predictions); "
        "the table (without -o) is still printed on stdout, warnings and errors on stderr",
        PROBE_PICKS,
    )
    p.set_defaults(func=cmd_probe_predict)

    p = actions.add_parser(
        "evaluate",
        help="score a probe on labelled epochs, or on the labelled windows of continuous "
        "recordings",
        absent_options=PROBE_RULES_FROM_PROBE,
    )
    p.add_argument("probe", type=Path, help="probe folder")
    add_labelled_data(p)
    add_labels(p, "of the probe's length")
    add_label_column(p)
    p.add_argument(
        "--json",
        type=metrics_json_file,
        nargs="?",
        const=Path("-"),
        metavar="FILE",
        help="also write the metrics to this JSON file (--json alone or --json -: print them "
        "to standard output, as channels and info --json do, the text report then going to "
        'standard error), marked "format": '
        '"eegpt-probe-evaluation/1", with their provenance beside them '
        "(key provenance: the probe folder and the SHA-256 of its probe.safetensors, the "
        "input files' names, sizes and fingerprints, eegpt's version, the time); a .json "
        "file, not one of the inputs, and not an existing one without --overwrite",
    )
    p.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help="also draw the confusion matrix (with --event-scoring, beside it each event "
        "class's sensitivity against false alarms per 24 h over the thresholds: "
        f"eegpt.viz.plot_operating_points): a {FIGURE_FORMATS} file (not an existing one "
        "without --overwrite)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an existing --json or --plot file (an input file never is)",
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
        "N2 N3 R; each class once (default: the probe's, sorted; sleep stages W, N1, N2, N3, R)",
    )
    p.add_argument(
        "--skip-unknown",
        action="store_true",
        help="leave out epochs whose labels are not among the probe's classes (e.g. "
        "'Movement time', 'Sleep stage ?' in a --labels file; R&K's 'Sleep stage 4') or "
        "missing, and say how many of each; by default they are an error (epochs scored as "
        "no sleep stage by the recordings' annotations, 'Sleep stage ?', 'Movement time', "
        "are left out and counted without it)",
    )
    add_applied_keep(p)
    add_applied_crop(p)
    p.add_argument("--weights", help=RECORDED_WEIGHTS_HELP)
    add_window_labels(p, "of the probe's length")
    add_epochs_around(p)
    add_window_overlap(
        p,
        "score sliding windows, as probe predict --overlap gives them (without it each moment "
        "is scored once, whatever overlap the probe was trained with); the scores then count "
        "each stretch in several windows (with --epoch-seconds each scoring epoch pools more "
        "windows, as with predict's, and is scored once)",
    )
    p.add_argument(
        "--epoch-seconds",
        type=epoch_seconds,
        default=None,
        metavar="SECONDS",
        help="continuous recordings labelled by their annotations (--window-labels, the "
        "probe's by default; a hypnogram by --annotations FILE): score scoring epochs of this "
        "length (a hypnogram's 30 s, as sleep staging is scored), not windows. Epochs run "
        "from where the windows start on (--start; without it the probe's training start, "
        "said on stderr, else 0); each is predicted from its windows' probabilities, pooled "
        "as probe predict --epoch-seconds pools them, as with predict --reject-by-annotation "
        "(a window weighted by the seconds it overlaps the epoch; windows over bad "
        "annotations count in none), and labelled by the stage covering at least half of it; bad epochs and "
        "those no labelling annotation covers (past the hypnogram; an unscored stage the "
        "pattern does not match) are left out and counted on stderr (unscored ones it "
        "matches, not among the probe's classes, too) (those labelled "
        "--unlabelled's class instead where it is given, or the probe's taken), a stage not "
        "among the "
        "probe's classes refused as for windows, or left out with --skip-unknown. The metrics, the per-class report and the confusion matrix count "
        'scoring epochs (--json: "scored": "30 s epochs", "epoch_seconds": 30; '
        '"scored": "windows" without it). Not for epochs files, --labels, '
        "--label-column or --event-scoring",
    )
    add_events_options(p, scoring=True)
    add_run_options(
        p,
        "no confusion matrix printed; the metrics and the per-class report are still printed "
        "(stdout, or stderr with --json -), warnings and errors on stderr",
        PROBE_PICKS,
    )
    p.set_defaults(func=cmd_probe_evaluate)
    describe_commands(actions)
    return probe


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def cmd_probe_train(args: argparse.Namespace) -> int:
    """``eegpt probe train``: each epochs file's header (metadata) read once, or taken from
    its epochs read whole (:func:`~eegpt._epochs_header.epochs_read_once`)."""
    from eegpt.event_epochs import cutting

    clean_recording_paths(args)
    check_inference_options(args)
    # --epochs-around: continuous recordings read as epochs around their events
    with epochs_read_once(), cutting(probe_epochs_cut(args, reject_by_annotation=True)):
        return _train(args)


def _train(args: argparse.Namespace) -> int:
    from eegpt._logging import recorded_warnings
    from eegpt._logging import warn as _warn
    from eegpt.checkpoints import load_model
    from eegpt.embedding_cache import EmbeddingCache
    from eegpt.event_epochs import current_cut
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe import ProbeConfig, train_probe
    from eegpt.probe_labels import quantity_warning_given, warn_quantity_labels
    from eegpt.probe_provenance import distinct_names, files_record
    from eegpt.probe_training import strict_projection_refusal
    from eegpt.training import per_epoch_split_warning
    from eegpt.training_data import add_training_warnings, subjects_split_warning

    out = args.output
    if (out / "probe.json").exists() and not args.overwrite:
        raise FileExistsError(f"{out} already holds a probe; pass --overwrite to replace it")
    from eegpt.output_files import check_output_folder

    check_output_folder(out, out)  # below a file, read-only: said before training, not after
    if args.patience is not None and not (args.val or args.val_data):
        raise ValueError(
            "--patience (early stopping) needs --val FRACTION or --val-data FILE (held-out epochs)"
        )
    if args.val and args.val_data:
        raise ValueError("give --val FRACTION or --val-data FILE, not both")
    if args.val_annotations and not args.val_data:
        raise ValueError("--val-annotations labels the --val-data recordings: give --val-data too")
    if args.chan_proj and on_unknown_of(args) == "raise":
        # one file's channels are all projected: none is unknown (several are merged by
        # electrode, their channels mapped to the vocabulary, where the rule applies)
        several = [
            len({Path(p).resolve() for p in f or ()}) > 1 for f in (args.data, args.val_data)
        ]
        if not any(several):
            raise ValueError(strict_projection_refusal(command_line=True))
    # the recipe checked before any recording is read (--lr inf, --weight-decay nan)
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
    check_figure_path(args.plot, dpi=args.dpi)
    verbose = not args.quiet
    check_window_overlap(args, args.window)
    if args.overlap and args.val and not grouped:
        raise ValueError(
            f"--val {args.val:g} holds out windows drawn at random, and with --overlap "
            f"{args.overlap:g} windows sharing samples would land on both sides (validation "
            f"on data trained on): hold out whole recordings with --val {args.val:g} --val-by "
            "recording, or validate on other recordings with --val-data FILE"
        )
    windows = window_labelling(args, args.window)
    # checked before any file is read: a --val-data labelling that cannot be is refused first
    held_windows = val_labelling(args, windows) if args.val_data else None
    continuous = windows is not None and any(is_continuous_input(p) for p in args.data)
    cut = current_cut()  # --epochs-around: continuous recordings read as epochs of --window s
    if cut is not None:
        args.crop_preprocessing = PreprocessingConfig(
            window_seconds=args.window, tail=args.tail, crop_tmin=args.crop
        )
    if args.crop is not None:  # epochs only: a continuous recording has no events to crop by
        from eegpt.windowing import crop_refused_for_continuous

        refused = [str(p) for p in [*args.data, *(args.val_data or [])] if is_continuous_input(p)]
        if refused:
            raise ValueError(f"{refused[0]}: {crop_refused_for_continuous(args.crop)}")
        args.crop_preprocessing = PreprocessingConfig(
            window_seconds=args.window, tail=args.tail, crop_tmin=args.crop
        )  # each epochs file cropped as it is read
    with recorded_warnings() as said:  # about the files read: kept with the probe
        warn_min_overlap_classes(args)
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
        recording, y, sources, rename = read_inputs(args, labels=args.labels, windows=windows)
        warn_quantity_labels(y.tolist(), _label_groups(sources), _labels_where(args))
        if args.val and not continuous and n_files == 1 and not grouped:
            # after the read: the metadata read with the epochs (not the file's header again)
            mixed = subjects_split_warning(epochs_metadata(args.data[0]), args.val)
            if mixed:  # one file of several subjects, as its epochs' metadata says
                _warn(mixed)
        validation: Any = args.val
        held_sources: list[str] = []
        if args.val_data:
            _refuse_shared_files(args.data, args.val_data)
            held, held_y, held_sources, _ = read_inputs(
                args, files=args.val_data, windows=held_windows, labels=args.val_labels,
                labels_option="--val-labels",
            )  # fmt: skip
            validation = (held, held_y)
    model = load_model(args.weights, device="cpu", verbose=verbose)
    preprocessing = PreprocessingConfig(
        window_seconds=args.window,
        average_reference=args.average_reference,
        resample=args.resample,
        tail=args.tail,
        detrend=args.detrend,
        crop_tmin=args.crop,
    )
    with quantity_warning_given():  # warned above, knowing each epoch's file and subject
        probe = train_probe(
            model,
            recording,
            y,
            rename=rename,
            keep=args.keep_channels,
            picks=picks_of(args),  # recorded: read so again by predict, evaluate
            on_unknown=on_unknown_of(args),  # --strict-channels, recorded likewise
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
    if cut is not None:  # predict and evaluate cut continuous recordings so by default
        probe.training["epochs_around"] = cut.record(args.crop)
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
        elif windows.start_seconds:  # --start: adopted by predict/evaluate (adopt_start)
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
            f"{_validation_counts_text(training, probe.classes_.tolist())};"
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


def _label_groups(sources: Sequence[str]) -> list[Any]:
    """The subject (or recording) of each training epoch, for the warning of labels that look
    like a quantity per subject (:func:`~eegpt.probe_labels.warn_quantity_labels`): its value
    in the subject column of its file's ``epochs.metadata`` where the file has one (one row
    per epoch read), else its file (``sources``: the file of each epoch, in their order)."""
    from eegpt._filenames import subject_column

    counts: dict[str, int] = {}
    for source in sources:
        counts[source] = counts.get(source, 0) + 1
    subjects: dict[str, list[Any]] = {}
    for source, n in counts.items():
        metadata = epochs_metadata(source)
        column = None if metadata is None else subject_column(metadata.columns)
        if metadata is not None and column is not None and len(metadata) == n:
            subjects[source] = [(source, v) for v in metadata[column].tolist()]
    taken = dict.fromkeys(counts, 0)
    groups: list[Any] = []
    for source in sources:
        if source in subjects:
            groups.append(subjects[source][taken[source]])
            taken[source] += 1
        else:
            groups.append(source)
    return groups


def _labels_where(args: argparse.Namespace) -> str:
    """What gave the training labels, for messages: ``"the labels of --labels FILE"``."""
    if args.labels is not None:
        return f"the labels of --labels {args.labels}"
    if args.label_column is not None:
        return f"the values of --label-column {args.label_column!r}"
    return "the labels"


def _epoch_groups(sources: Sequence[str], file_groups: dict[str, str] | None) -> list[str]:
    """Each epoch's group for a validation split by groups: its file's (``file_groups``),
    else the file itself (``--val-by recording``)."""
    files = recording_sources(sources)
    return files if file_groups is None else [file_groups[f] for f in files]


def _validation_counts_text(training: Mapping[str, Any], classes: Sequence[Any]) -> str:
    """``" (validation epochs per class: 'background' 147, 'seizure' 3)"``: what the
    validation BAC averages, as training recorded it (a BAC of 100% may rest on 3 epochs);
    "" where not recorded. Each class as its type reads (``classes``, the probe's: text
    quoted, numbers ``1`` as they are), where training recorded its counts under its text."""
    counts = (training.get("class_counts") or {}).get("validation")
    if not isinstance(counts, Mapping) or not counts:
        return ""
    shown = {str(c): repr(c) for c in classes}
    listed = ", ".join(f"{shown.get(c, repr(c))} {n}" for c, n in counts.items())
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


TRAIN_EPILOG = """\
examples:
  eegpt probe train sub-01-epo.fif --weights eegpt-large -o probe/
  eegpt probe train rec1.edf rec2.edf --window-labels 'seizure=(?i)seizure' \\
      --unlabelled background --weights eegpt-large -o seizures/"""

#: ``--weights`` of ``probe predict`` and ``probe evaluate``: the probe records its encoder's.
RECORDED_WEIGHTS_HELP = (
    f"encoder checkpoint (default: the one recorded in the probe): {WEIGHTS_FORMS}"
)

#: What ``probe predict`` and ``probe evaluate`` say of ``--window`` (an option of ``embed`` and
#: ``probe train``), refused as an abbreviation of ``--window-labels``.
WINDOW_FROM_PROBE = {
    "--window": "the window length comes from the probe (the one it was trained on: eegpt "
    "info PROBE shows it); --overlap SECONDS sets how far apart windows start"
}

PROBE_RULES_FROM_PROBE = {
    **WINDOW_FROM_PROBE,
    "--strict-channels": "channels outside the EEGPT vocabulary are handled as the probe was "
    "trained: refused where it was trained with probe train --strict-channels (on_unknown "
    "'raise': eegpt info PROBE says so), else dropped with a warning naming them; --drop NAME "
    "leaves one out",
}
"""The options probe predict and evaluate take from the probe, each with why (the window
and the channel rules of training, :attr:`~eegpt.probe.EEGPTProbe.on_unknown`)."""

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
    add_log_file_options(parser)
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
