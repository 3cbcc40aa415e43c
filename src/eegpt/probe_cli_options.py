"""The options of ``eegpt probe train | predict | evaluate`` that
:func:`eegpt.probe_cli.add_probe_commands` adds to several of them: what labels the inputs
(``--labels``, ``--label-column``, ``--window-labels``, ``--window-overlap``), ``--events`` and
its settings, the run options, and the ``--keep`` and ``--crop`` that ``predict`` and
``evaluate`` take from the probe.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from eegpt.cli_options import (
    add_annotations_option,
    add_crop_option,
    add_epochs_around_options,
    add_events_from_stim_options,
    add_inference_options,
    add_input_options,
    add_marker_spans_option,
    add_picks_option,
    add_start_option,
    overlap_seconds,
    parse_keep,
    seconds,
)

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
(a blank cell, n/a, NA or nan is a missing label: an error; evaluate --skip-unknown leaves
it out). With continuous recordings, --labels labels each consecutive window (one row per
window of the recording, or numbered by window); annotations then label none, but windows
over bad annotations are left out. Several inputs are concatenated; other channel names
(EEG FP1-REF = Fp1) and sampling rates are matched by electrode to the first input's.
Continuous recordings (.edf, .fif, .set, ...) are cut into consecutive windows (of the
probe's length; train: of --window), which train and evaluate label by their annotations
(--window-labels) or by --labels, and predict predicts labelled or not; or, with
--epochs-around REGEX, into epochs around their matching annotations (an ERP's stimuli),
labelled by their descriptions as an -epo.fif of the same epochs is."""


class OldPassesName(argparse.Action):
    """``--epochs N``, the name of ``--passes`` before: taken as ``--passes N``, with a note on
    stderr to use the new name (an epoch is one trial of the inputs, not a pass over them)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        print(
            f"{parser.prog}: --epochs is now --passes (passes over the training epochs); "
            f"training with --passes {values}. Write --passes {values}: --epochs will go",
            file=sys.stderr,
        )
        setattr(namespace, self.dest, values)


def add_label_column(p: argparse.ArgumentParser, what: str = "") -> None:
    """``--label-column NAME`` on ``p``: labels from a column of the epochs' metadata; ``what``
    ends its help (e.g. which labels it replaces)."""
    p.add_argument(
        "--label-column",
        metavar="NAME",
        help="labels from this column of the epochs' metadata (e.g. condition) instead of the "
        f"event names{' ' + what if what else ''}",
    )


def add_labels(p: argparse.ArgumentParser, windows: str = "of --window s") -> None:
    """``--labels FILE`` on ``p``: a CSV of one label per epoch or window; ``windows``: how
    long a continuous recording's windows are (train: ``--window``; evaluate: the probe's)."""
    p.add_argument(
        "--labels",
        type=Path,
        metavar="FILE",
        help="CSV with a 'label' column (any case; commas, semicolons or tabs between columns), "
        "one row per epoch, in order or numbered by an 'epoch' (or 'window') column from 0 or "
        "from 1 (as EEGLAB counts), with a 'file' column for several inputs. Continuous "
        f"recordings: labels every consecutive window ({windows}, from --start), one row "
        "per window of the recording or numbered by window; their annotations then label none "
        "and leave none out but windows over bad annotations (BAD_...), left out after the "
        "rows are matched (not with --window-labels)",
    )


def add_labelled_data(p: argparse.ArgumentParser) -> None:
    """The input files of train and evaluate: labelled epochs, or continuous recordings."""
    p.add_argument(
        "data",
        nargs="+",
        type=Path,
        help="-epo.fif, .set or .npz files of epochs, or continuous recordings (.edf, .fif, "
        ".vhdr, ...) with --window-labels",
    )


def add_window_labels(
    p: argparse.ArgumentParser, what: str, bad: str = "are left out", trained: bool = True
) -> None:
    """``--window-labels``, ``--annotations`` and ``--unlabelled``; ``trained``: for a command
    that takes a trained probe, whose labelling is the default."""
    g = p.add_argument_group("continuous recordings labelled by their annotations")
    command = p.prog.removeprefix("eegpt ") + (" PROBE" if trained else "")
    add_start_option(g, per_recording=True, command=command, trained=trained)  # errors name it
    g.add_argument(
        "--window-labels",
        metavar="REGEX | LABEL=REGEX",
        action="append",
        help=f"cut continuous recordings (.edf, .fif, .vhdr, ...) into consecutive windows {what}, "
        "each labelled by the annotation whose description matches REGEX (re.search, e.g. "
        "'^Sleep stage') and covers at least half of it (--min-overlap): each "
        "matching "
        "description is a class of its own ('Seizure' and 'seizure' two: warned of). Or "
        "classes that merge descriptions, one LABEL=REGEX each (repeat the option): "
        "--window-labels 'seizure=(?i)seizure', --window-labels 'seizure=fnsz|gnsz|cpsz' "
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
        "joined to the recording's own: one file per continuous recording, in their order "
        "('-' for one whose annotations are all in its own file, such as an EDF+ among TUH "
        "recordings labelled by their .csv_bi files)",
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
        "time-locked to stimuli, cut epochs around them and train on the epochs "
        "(docs/downstream.md, ERP epochs); recorded in the probe"
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
        "(e.g. background); default: leave them out"
        # the probe's labelling adopted (no --window-labels given) brings its --unlabelled
        + (
            ", or the probe's training --unlabelled where its labelling is taken (no "
            "--window-labels given; an --unlabelled given then applies to that labelling)"
            if trained
            else ""
        ),
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


def add_epochs_around(p: argparse.ArgumentParser, trained: bool = True) -> None:
    """``--epochs-around`` and ``--baseline`` (:func:`eegpt.cli_options.add_epochs_around_options`)
    of train, predict and evaluate; ``trained``: for a command that takes a trained probe,
    whose setting is the default."""
    g = p.add_argument_group("continuous recordings cut into epochs around their events")
    command = p.prog.removeprefix("eegpt ")
    reject = (
        ". Epochs over bad annotations (BAD_...) are predicted (their 'bad' column empty, as "
        "for epochs files), or left out with --reject-by-annotation"
        if command.endswith("predict")
        else ". Epochs over bad annotations (BAD_...) are left out, as mne.Epochs leaves them"
    )
    more = (
        ". Default: the probe's training --epochs-around (and --baseline, --events-from-stim), "
        "if any, for continuous recordings given (said on stderr); its --crop, as for epochs "
        "files"
        if trained
        else ". Recorded in the probe: predict and evaluate cut continuous recordings so by "
        "default. Not with --window-labels, --marker-spans and the other options of "
        "consecutive windows"
    )
    window = "the probe's window" if trained else "--window"
    add_epochs_around_options(g, more, reject=reject, window=window)


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


def metrics_json_file(text: str) -> Path:
    """``probe evaluate --json [FILE]``'s value: ``-`` (standard output) or a ``.json`` file
    (any case). Refused as it is parsed, where it is another kind of file: a recording or
    the probe folder that ``--json`` took for its FILE when given before them (``evaluate
    PROBE --json a-epo.fif``), which argparse would otherwise report as missing data."""
    path = Path(text)
    if text != "-" and path.suffix.lower() != ".json":
        raise argparse.ArgumentTypeError(
            f"took {text!r} for its FILE: give a .json file (a file of another kind is not "
            "written over by mistake); to print the metrics to standard output, put --json "
            "after the data files, or give --json -"
        )
    return path


def add_window_overlap(p: argparse.ArgumentParser, what: str) -> None:
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


def add_events_options(p: argparse.ArgumentParser, scoring: bool = False) -> None:
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
            "(eegpt.probe_events.event_scores); printed, and in --json under 'events'; with "
            "the operating point (OVLP sensitivity, false alarms per 24 h) of each decision "
            "threshold (see --threshold), under 'events' 'operating_points'; "
            "of several recordings, each one's events (false alarms per 24 h and per hour of "
            "a seizure-free one too) in its row of 'per_recording'",
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
        "--threshold",
        nargs="+",
        metavar="P|CLASS=P",
        help=f"with {switch}: a decision threshold for the events: a window is in an event of "
        "a class where its probability of the class is at least P (0 to 1), not where that "
        "class has the largest probability (the default). Probabilities that are not "
        "calibrated (seizure windows at 0.46, background at 0.45) make no event by the "
        "largest probability; a threshold below them does. One P for one event class (a "
        "two-class probe's), or CLASS=P per event class (which are then the event classes "
        "unless --event-class names them)"
        + (
            "; recorded in --json under 'events'. probe evaluate --event-scoring --json "
            "gives the sensitivity and false alarms per 24 h of each threshold 0.05 to 0.95, "
            "and of those 50%%, 20%%, 10%% ... 0.1%% of the windows reach, "
            "under 'events' 'operating_points', to choose one from"
            if scoring
            else "; recorded in the events' provenance"
        ),
    )
    g.add_argument(
        "--min-event-seconds",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help=f"with {switch}: leave out events shorter than this many seconds (default 0: none)"
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


#: The default of ``probe predict``/``evaluate``'s ``--picks``, as their help says it.
PROBE_PICKS = (
    "the types the probe was trained with (--picks of probe train, recorded in it), else eeg"
)


def applied_picks(args: argparse.Namespace, probe: Any) -> None:
    """Set ``args.picks`` of ``probe predict``/``evaluate`` to the probe's own
    (:attr:`eegpt.probe.EEGPTProbe.picks`) where ``--picks`` is not given: the channel types
    it was trained on are read from the data it scores, as at training."""
    if args.picks is None and getattr(probe, "picks", None):
        args.picks = list(probe.picks)


def add_run_options(p: argparse.ArgumentParser, quiet: str, picks: str = "eeg") -> None:
    """The input corrections, ``--picks``, inference options and ``-q`` that every ``probe``
    command takes; ``quiet``: what ``-q`` leaves out in this command (its help); ``picks``:
    the default of ``--picks``, as its help says it."""
    group = p.add_argument_group("input corrections")
    add_input_options(group)
    add_picks_option(group, picks)
    add_inference_options(p)
    p.add_argument("-q", "--quiet", action="store_true", help=quiet)


def add_applied_keep(p: argparse.ArgumentParser) -> None:
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


def add_applied_crop(p: argparse.ArgumentParser) -> None:
    """``--crop TMIN`` of ``probe predict``/``evaluate``: the probe's by default
    (:func:`~eegpt.probe_cli_inputs.adopt_crop`)."""
    add_crop_option(
        p,
        help="epochs: crop each epoch to one window of the probe, [TMIN, TMIN + its window) s "
        "relative to its time-locking event, as probe train --crop does. By default the "
        "probe's own (its training's --crop, recorded in probe.json, said on stderr); one "
        "given that differs from it is used, with a warning. The probe's is left out for "
        "continuous recordings and .npz arrays (which must be cut as in training), and "
        "refused beside epochs files in one run; one given here is refused for them. With "
        "--epochs-around (or the probe's), continuous recordings are epochs, cut from TMIN",
    )


def epoch_seconds(text: str) -> float:
    """``--epoch-seconds``: a positive number of seconds (:func:`eegpt.cli_options.seconds`)."""
    value = seconds(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a scoring epoch lasts more than 0 s")
    return value
