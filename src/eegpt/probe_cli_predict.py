"""``eegpt probe predict``: a trained probe's class probabilities for each epoch or window, written
as a table (:mod:`eegpt.probe_predictions`); with how a trained probe is loaded and how its
windows and their labels are laid over continuous recordings (``--window-labels``,
``--marker-spans``, ``--start``), which ``probe train`` and ``probe evaluate`` share.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from eegpt.cli_options import (
    START_FROM_ANNOTATIONS,
    check_figure_path,
    check_inference_options,
    checked_rescale,
    given_once,
    parse_rename,
    picks_of,
    stim_setting,
)
from eegpt.cli_run import EXIT_SOME_FAILED
from eegpt.continuous_windows import is_continuous_input
from eegpt.errors import USER_ERRORS
from eegpt.optional_packages import require_pandas
from eegpt.probe_cli_events import (
    check_events_options,
    event_classes,
    plot_event_probabilities_file,
    plot_hypnograms,
    write_events,
)
from eegpt.probe_cli_inputs import (
    adopt_crop,
    adopt_epochs_around,
    adopt_events_from_stim,
    adopt_marker_spans,
    adopt_start,
    annotation_pairs,
    clean_recording_paths,
    holds_verb,
    min_overlap_option,
    no_labels_without_files,
    probe_epochs_cut,
    read_inputs,
    say_crop,
    start_option,
    trained_starts_option,
    warn_min_overlap_classes,
)
from eegpt.probe_cli_options import applied_picks
from eegpt.probe_label_files import TimeBase, time_base_of
from eegpt.probe_predictions import (
    check_prediction_output,
    prediction_provenance,
    probability_order,
    sidecar_of,
    write_predictions,
)
from eegpt.window_labelling import (
    WindowLabelling,
    check_annotation_files,
    implied_labels,
    labelling_options,
    no_annotations_warning,
    parse_marker_spans,
    parse_window_labels,
    start_given,
    window_label_values,
)


def check_window_overlap(args: argparse.Namespace, window_seconds: float) -> None:
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
    continuous = [str(p) for p in args.data if is_continuous_input(p)]
    if not continuous:
        raise ValueError(
            f"--overlap {overlap:g} cuts continuous recordings into overlapping windows; "
            f"{few([str(p) for p in args.data], 3)} {holds_verb(args.data)} epochs, one window each: leave "
            "--overlap out"
        )
    if getattr(args, "labels", None) is not None:
        raise ValueError(
            f"--overlap {overlap:g}: --labels {args.labels} labels consecutive windows, one "
            "row each; label the windows by their annotations (--window-labels) to overlap them"
        )


def window_labelling(args: argparse.Namespace, window_seconds: float) -> WindowLabelling | None:
    """``--window-labels`` / ``--unlabelled`` as a :class:`WindowLabelling` (or None; None
    while continuous recordings are cut into epochs, ``--epochs-around``, whose labels are
    their event names: the options of consecutive windows refused with it)."""
    from eegpt._logging import few
    from eegpt.event_epochs import current_cut

    if current_cut() is not None:
        refuse_window_options_with_epochs(args)
        return None

    labels_file = getattr(args, "labels", None)
    continuous = [str(p) for p in args.data if is_continuous_input(p)]
    if labels_file is not None and continuous:
        if args.window_labels is not None:
            raise ValueError(
                f"--labels {labels_file} gives the labels of the windows of the continuous "
                f"recordings ({few(continuous, 3)}), --window-labels takes them from their "
                "annotations: give one of them (with --labels, one row per window of a "
                "recording, in order or numbered by a 'window' column)"
            )
        if (
            args.unlabelled is not None or args.annotations or min_overlap_option(args) is not None
            or getattr(args, "marker_spans", None) or getattr(args, "events_from_stim", None)
        ):  # fmt: skip
            raise ValueError(
                "--unlabelled, --min-overlap, --annotations, --marker-spans and "
                "--events-from-stim go with "
                f"--window-labels (labels from annotations); --labels {labels_file} gives "
                "every window's label"
            )
        start, starts = start_option(args, continuous)
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
        if min_overlap_option(args) is not None:
            raise ValueError("--min-overlap is how much of a window the annotations of "
                             "--window-labels must cover: give --window-labels REGEX too")  # fmt: skip
        if stim is not None:
            raise ValueError(
                "--events-from-stim makes annotations of no duration, which label no window "
                "by themselves: for states, make spans of them with --marker-spans NAME=REGEX "
                "over their names (--event-names 1=EC --event-names 2=EO --marker-spans "
                "EC=^EC$ --marker-spans EO=^EO$: each state a class); for trials time-locked to "
                "stimuli, cut epochs around the events (mne.Epochs(raw, events, tmin, tmax)) "
                "and train on the epochs (docs/downstream.md, ERP epochs)"
            )
        return None
    from eegpt.annotations import DEFAULT_MIN_OVERLAP

    match = parse_window_labels(args.window_labels)
    files = [str(a) for a in args.annotations or []]
    if files and len(files) != len(continuous):
        held = [p for p in getattr(args, "val_data", None) or [] if is_continuous_input(p)]
        also = ""
        if held and len(files) == len(continuous) + len(held):
            also = (
                "; --annotations applies to the training files only: give those of the "
                "--val-data recordings with --val-annotations FILE"
            )
        raise ValueError(
            f"{len(files)} --annotations file(s) for {len(continuous)} continuous recording(s) "
            f"({few(continuous, 3)}): give one per continuous recording, in the same order ('-' "
            "for one whose annotations are all in its own file)" + also
        )
    pairs = annotation_pairs(continuous, files)  # '-': none for that recording
    if pairs:
        # a swap with the --val-data recordings too (theirs are checked against these)
        held = [str(p) for p in getattr(args, "val_data", None) or [] if is_continuous_input(p)]
        check_annotation_files(list(pairs), others=held)
    start, starts = start_option(args, continuous)
    overlap = (
        0.0 if getattr(args, "func", None) is cmd_probe_predict else getattr(args, "overlap", 0.0)
    )
    return WindowLabelling(
        match,
        window_seconds,
        args.unlabelled,
        pairs,
        start_seconds=start,
        starts=starts,
        min_overlap=min_overlap_option(args) or DEFAULT_MIN_OVERLAP,
        overlap=overlap or 0.0,
        marker_spans=states,
        spans_adopted=_spans_adopted(args),
        command=_labelling_command(args),
        classes=getattr(args, "probe_classes", None),
        python=bool(getattr(args, "python", False)),
        stim_events=stim,
        stim_adopted=bool(getattr(args, "stim_adopted", False)),
        start_adopted=bool(getattr(args, "start_adopted", False)),
        quiet=bool(getattr(args, "quiet", False)),
    )


def refuse_window_options_with_epochs(args: argparse.Namespace) -> None:
    """Refuse the options that label consecutive windows of continuous recordings where
    ``--epochs-around`` cuts epochs of them instead."""
    given = [
        option
        for option, key in (
            ("--window-labels", "window_labels"), ("--marker-spans", "marker_spans"),
            ("--unlabelled", "unlabelled"), ("--annotations", "annotations"),
            ("--min-overlap", "min_overlap"), ("--epoch-seconds", "epoch_seconds"),
            ("--events", "events"),
        )
        if getattr(args, key, None) not in (None, [], False)
        and not getattr(args, f"{key}_adopted", False)
    ]  # fmt: skip
    if given:
        cut = current_cut_text(args)
        raise ValueError(
            f"{cut} cuts the continuous recordings into epochs around their events, labelled by "
            f"their event names; {', '.join(given)} label(s) or group(s) consecutive windows of "
            "them instead: give one or the other"
        )


def current_cut_text(args: argparse.Namespace) -> str:
    """How the command line gave the epochs cut (``--epochs-around ...``), or the probe's."""
    cut = getattr(args, "epochs_cut", None)
    if cut is not None and cut.adopted:
        return "the probe's training --epochs-around (adopted)"
    return "--epochs-around"


def _labelling_command(args: argparse.Namespace) -> str:
    """The ``eegpt probe`` command that labels windows (:attr:`WindowLabelling.command`):
    ``"train"``, or with a probe loaded (:func:`load_cli_probe`) ``"predict"`` or
    ``"evaluate"``."""
    if getattr(args, "probe_classes", None) is None:
        return "train"
    return "predict" if getattr(args, "func", None) is cmd_probe_predict else "evaluate"


def _spans_adopted(args: argparse.Namespace) -> Literal["", "predict", "evaluate"]:
    """How the probe's training ``--marker-spans``, adopted by :func:`adopt_marker_spans`,
    treat a recording without state markers (:attr:`WindowLabelling.spans_adopted`): ""
    where ``--marker-spans`` was given (then such a recording is an error)."""
    if not getattr(args, "marker_spans_adopted", False):
        return ""
    return "predict" if getattr(args, "func", None) is cmd_probe_predict else "evaluate"


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
    if not any(is_continuous_input(p) for p in args.data):
        return
    from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP

    # an --unlabelled given applies to the probe's labelling, as --min-overlap and
    # --annotations do (a probe trained without one: its uncovered windows kept as a class)
    trained_unlabelled = trained.get("unlabelled")
    given_unlabelled = getattr(args, "unlabelled", None)
    match = trained["match"]
    args.unlabelled = trained_unlabelled if given_unlabelled is None else given_unlabelled
    args.window_labels = window_label_values(match)
    trained_overlap = float(trained.get("min_overlap") or DEFAULT_MIN_OVERLAP)
    given = min_overlap_option(args)
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
            + labelling_options(match, args.unlabelled, min_overlap_option(args))
            + ") from their own annotations only: the probe was trained on windows labelled "
            "from --annotations files, and none are given",
            file=sys.stderr,
        )
        return
    differs = []  # what makes the labelling not training's
    if given is not None and given != trained_overlap:
        differs.append(f"--min-overlap {given:g} (training's: {trained_overlap:g})")
    if given_unlabelled is not None and given_unlabelled != trained_unlabelled:
        was = "none: its windows left out" if trained_unlabelled is None else trained_unlabelled
        differs.append(f"--unlabelled {given_unlabelled} (training's: {was})")
    if differs:
        print(
            "continuous recordings labelled by the training's classes, "
            + labelling_options(match, trained_unlabelled)  # training's; what differs after
            + f", but with {' and '.join(differs)}: the labels differ from training's",
            file=sys.stderr,
        )
    else:
        print(
            "continuous recordings labelled as in training: "
            + labelling_options(match, args.unlabelled, min_overlap_option(args)),
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
    from eegpt.probe_cli import build_parser  # which imports this module

    parser = build_parser()
    for level in ("probe", "train"):
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = commands.choices[level]
    return list(parser._option_string_actions)


def _say_trained_start(args: argparse.Namespace, probe: Any) -> None:
    """One stderr note when a probe trained on windows of continuous recordings predicts or
    evaluates continuous recordings with windows from another start than its training's: one
    given that differs (without ``--start``, the trained one is adopted: :func:`adopt_start`;
    a probe without it recorded was trained from 0). Another start may be right (a
    recording's hypnogram's grid, its labels file's rows); the note says which is used. A
    probe trained on each recording's own start (several values, or ``--start
    annotations``): noted when no ``--start`` is given."""
    how = (probe.training or {}).get("window_labels") or {}
    if not how or args.quiet or not any(is_continuous_input(p) for p in args.data):
        return
    from eegpt.annotation_labels import exact_seconds

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
        if how.get("starts") and how.get("start") != START_FROM_ANNOTATIONS:
            where = (  # the training's values are its recordings': none is guessed for these
                "give --start with one value for all the recordings predicted, or one per "
                "continuous recording in the order given (the training's values were its "
                "own recordings': eegpt info PROBE_FOLDER lists them)"
                + (
                    ", or --start annotations to start each at its first scored epoch"
                    if how.get("match") is not None
                    else ""
                )
            )
        elif how.get("match") is not None:
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


def load_cli_probe(args: argparse.Namespace):
    """The probe; without ``--label-column`` or ``--labels``, the labels come from the
    metadata column the probe was trained on (``probe train --label-column``), if any."""
    from eegpt.probe import load_probe

    probe = load_probe(args.probe, args.weights, device="cpu", verbose=False)
    adopt_probe_options(args, probe)
    return probe


def adopt_probe_options(args: argparse.Namespace, probe: Any) -> None:
    """What ``probe predict`` and ``probe evaluate`` take from the probe ``probe`` where the
    command line leaves it out: its marker spans, stim events, ``--window-labels``,
    ``--start``, ``--crop``, channel rules and label column, each said on stderr
    (:func:`load_cli_probe`; :mod:`eegpt.probe_scoring` for a probe in memory). Marks
    ``probe`` as having said its start (``_start_said``)."""
    probe._start_said = True  # adopt_start and _say_trained_start below say the start used
    adopt_epochs_around(args, probe)  # first: its epochs are no continuous recordings
    # what the windows' labels are scored against: the warnings of window_labelling name them
    args.probe_classes = tuple(str(c) for c in probe.classes_.tolist())
    column = (probe.training or {}).get("label_column")
    adopt_marker_spans(args, probe)
    adopt_events_from_stim(args, probe)
    _adopt_window_labels(args, probe)
    adopt_start(args, probe)
    warn_min_overlap_classes(args)
    _say_trained_start(args, probe)
    adopt_crop(args, probe)
    # its channel rules (probe train --strict-channels) for each file of several, merged
    args.channel_rules = probe.rules
    args.label_column_adopted = False
    if column and args.label_column is None and getattr(args, "labels", None) is None:
        args.label_column, args.label_column_adopted = column, True
        if not args.quiet:
            print(
                f"labels from the epochs' metadata column {column!r}, as in training "
                "(--label-column)",
                file=sys.stderr,
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
    from eegpt.annotation_overlap import bad_windows, resampled_window_annotations
    from eegpt.annotation_placement import with_extra
    from eegpt.channels import present_keys
    from eegpt.io import Recording, as_recording, file_not_found

    if not path.exists():
        raise file_not_found(path)
    # a path: one recording, of the channel types --picks (else the probe's) names
    rec = cast(Recording, as_recording(path, picks=picks_of(args), verbose=False))
    rescale = checked_rescale(args.rescale)
    if rescale != 1.0:
        rec = dataclasses.replace(rec, data=rec.data * rescale, rescaled=rescale)
    if rename and len(args.data) > 1:  # the keys for the channels of this file
        rename = present_keys(rename, rec.ch_names) or None
    length = probe.preprocessing.window_seconds
    how = window_labelling(args, length)
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
    start = probe.preprocessing.grid_start_seconds  # where its windows start
    overlap = getattr(args, "overlap", 0.0) or None  # none: the probe warns of its own
    proba = probe_probabilities(
        args, probe, rec, rename, overlap=overlap, annotations=_annotations_file(args, path),
        reject_by_annotation=args.reject_by_annotation,
    )  # fmt: skip
    onsets = probe.window_onsets(len(proba), overlap=overlap)
    over: list[list[str]] = [[] for _ in onsets]
    if annotations is not None:  # and those the resampling filter reaches a join from, as embed
        over = resampled_window_annotations(
            annotations, onsets, length, sfreq=rec.sfreq, new_sfreq=probe.preprocessing.sfreq,
            resample=probe.preprocessing.resample,
        )  # fmt: skip
    bad = bad_windows(over)
    _say_bad_windows(path, bad, over, args.reject_by_annotation, getattr(args, "rejected_by", None))
    _say_tail(path, float(rec.duration), onsets, length, probe.preprocessing)
    time_base = time_base_of(rec)
    if how is None or args.epoch_seconds is not None:
        return proba, onsets, None, bad, time_base, annotations, start
    if no_labels_without_files(args, path, annotations) or str(rec.source) in how.unmarked:
        return proba, onsets, None, bad, time_base, annotations, start
    labels, _ = how.label(annotations, onsets, length, path)
    labels = [None if b else v for v, b in zip(labels, bad, strict=True)]
    return proba, onsets, labels, bad, time_base, annotations, start


def _say_own_start(
    args: argparse.Namespace, path: Path, start: float, how: WindowLabelling
) -> None:
    """Say on stderr where ``--start annotations`` starts the windows of the continuous
    recording ``path`` (``start``, s from its first sample), as train and evaluate say it in
    their windows' line: a night whose first stages no class matches (AASM's ``Sleep stage
    N2`` under R&K's ``stage 2$``) starts late, its first epochs left unpredicted."""
    from eegpt.preprocessing_spec import seconds_text

    if not args.quiet:
        print(
            f"{path}: windows from {seconds_text(start)} s (--start annotations: its first "
            f"annotation matching {how.options})",
            file=sys.stderr,
        )


def _start_for(
    args: argparse.Namespace, path: Path, how: WindowLabelling | None, annotations: Any
) -> float | None:
    """``--start`` for the continuous recording ``path`` of ``probe predict``: seconds, its
    first labelling annotation's onset (``--start annotations``, by ``how``'s match, where
    the windows start: on the nearest 256 Hz sample), or None where ``--start`` was not
    given. Seconds are as given (17.3, not the 17.30078125 the windows start at), as the
    messages quote them (:func:`eegpt.windowing.start_text`). Where the start is found,
    so it is said (:func:`_say_own_start`); an unscored night predicted with the training's
    rule adopted is said to start at 0 s instead (by :meth:`WindowLabelling.start_of`, as
    ``probe evaluate``'s windows are: :attr:`WindowLabelling.start_adopted`)."""
    if getattr(args, "start", None) is None:
        return None
    if how is not None:
        given = start_given(how.start_seconds, how.starts, path)
        start = how.start_of(path, annotations)  # noted where it moves, or where none is
        if given != START_FROM_ANNOTATIONS:
            return float(given)
        if str(path) not in how.unstarted:  # not of a night started at 0 s for want of one
            _say_own_start(args, path, start, how)
        return start
    continuous = [str(p) for p in args.data if is_continuous_input(p)]
    value = start_given(*start_option(args, continuous), path)
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
    continuous = [p for p in args.data if is_continuous_input(p)]
    if files and len(files) != len(continuous):
        raise ValueError(
            f"{len(files)} --annotations file(s) for {len(continuous)} continuous "
            "recording(s): give one per continuous recording, in the same order ('-' for "
            "one whose annotations are all in its own file)"
        )
    mine = file_identity(str(path))
    return next(
        (a for p, a in annotation_pairs(continuous, files) if file_identity(str(p)) == mine),
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
    from eegpt.clock_times import iso_moments, window_clock

    seconds, moments = window_clock(time_base, np.asarray(onsets, dtype=np.float64))
    return seconds, None if moments is None else iso_moments(moments, utc=False)


def _say_bad_windows(
    path: Path, bad: np.ndarray, over: list[list[str]], reject: bool, why: str | None = None
) -> None:
    """One stderr line counting the windows of ``path`` that overlap bad annotations (``bad``,
    ``over``: the descriptions over each window), predicted and flagged or, with ``reject``,
    left out, by ``why`` (default ``--reject-by-annotation``; ``probe evaluate
    --epoch-seconds``, which has no such option, says its own rule); nothing when there are
    none."""
    from eegpt.annotation_overlap import describe_bad

    n_bad, n = int(bad.sum()), len(bad)
    if not n_bad:
        return
    windows, marked = f"{n_bad} of {n} windows", f"annotations marked bad ({describe_bad(over)})"
    if reject:
        said = (
            f"{path}: left out {windows} that overlap {marked} ({why or '--reject-by-annotation'})"
        )
    else:
        said = (
            f"{path}: {windows} overlap {marked}, where data are unusable or were cut out; "
            "they are predicted like the rest and marked True in the 'bad' column; "
            "--reject-by-annotation leaves them out"
        )
    print(said, file=sys.stderr)


def _say_tail(path: Path, duration: float, onsets: np.ndarray, length: float, config: Any) -> None:
    """One stderr line where the windows of ``path`` (``onsets`` ``(n,)`` s from its first
    sample, each ``length`` s) end before the recording does (``duration`` s): how many
    seconds at its end no prediction covers, why (shorter than a window: the probe's
    ``config.tail`` drops them), and how a probe keeps them (``--tail pad``); nothing where
    they reach its end (a tail of less than half a sample at ``config.sfreq``, or padded)."""
    end = float(onsets[-1]) + length if len(onsets) else float(config.grid_start_seconds)
    left = duration - end
    if left <= 0.5 / float(config.sfreq):
        return
    print(
        f"{path}: the predictions end at {end:.6g} s, the recording at {duration:.6g} s: its "
        f"last {left:.6g} s are in no window and no row of the table predicts them (shorter "
        f"than the probe's {length:g} s windows, they are left out: the probe was trained "
        f"with --tail {config.tail}); a probe trained with --tail pad predicts such a tail "
        "from a last window zero-padded to full length",
        file=sys.stderr,
    )


def probe_probabilities(
    args: argparse.Namespace,
    probe: Any,
    data: Any,
    rename: Any,
    overlap: float | None = None,
    **bad: Any,
) -> np.ndarray:
    """The probe's class probabilities ``[n, n_classes]`` of ``data``, on the command line's
    device, precision, stream precision and batch size; a continuous recording's windows
    ``overlap`` s apart less than their length (``--overlap``); ``bad``: its ``annotations``
    file and ``reject_by_annotation``, so NaN inside bad spans is treated as embed treats it."""
    return probe.predict_proba(
        data, rename=rename, device=args.device, precision=args.precision,
        stream_precision=args.stream_precision, batch_size=args.batch_size,
        keep=args.keep_channels, picks=picks_of(args), overlap=overlap, **bad,
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
        sidecar = sidecar_of(table)
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
    """``eegpt probe predict``; with ``--epochs-around`` (or the probe's), its continuous
    recordings read as epochs around their events (:func:`eegpt.event_epochs.cutting`)."""
    from eegpt.event_epochs import cutting

    cut = probe_epochs_cut(args, reject_by_annotation=args.reject_by_annotation)
    with cutting(cut):
        return _predict_command(args)


def _predict_command(args: argparse.Namespace) -> int:
    from eegpt._logging import few
    from eegpt.cli_inputs import check_recordings_given
    from eegpt.preprocessing import starts_moved_once  # imports mne: not for other commands

    clean_recording_paths(args)
    check_inference_options(args)
    args.output = check_prediction_output(args.output)
    args.events = check_prediction_output(args.events, "--events")
    check_events_options(args)
    check_figure_path(args.plot, dpi=args.dpi)
    if args.plot_probabilities and args.plot is None:
        raise ValueError("--plot-probabilities draws into the hypnogram: give --plot FILE too")
    if args.plot_probabilities and args.epoch_seconds is None:
        raise ValueError(
            "--plot-probabilities draws ribbons into the hypnogram of --epoch-seconds; --plot "
            "without --epoch-seconds draws the probabilities themselves: leave "
            "--plot-probabilities out, or give --epoch-seconds SECONDS"
        )
    if args.plot is not None:  # the figure is drawn from a table: said before the work
        require_pandas("--plot (the hypnogram of --epoch-seconds)" if args.epoch_seconds
                       else "--plot (the probabilities of continuous recordings)")  # fmt: skip
    for path in (args.output, sidecar_of(args.output)):
        if path is not None and path.is_dir():
            raise IsADirectoryError(
                f"{path} is a folder; predict writes "
                + ("its table's sidecar there" if path != args.output else "its table there")
                + ": give -o another name, or move the folder"
            )
    if not args.overwrite:
        _check_prediction_outputs_free(args.output, args.events)
    # as embed: a path the shell split at its spaces stops the run (not a failure per word)
    check_recordings_given(list(args.data))
    probe = load_cli_probe(args)
    # the channels it was trained on: --keep-channels checked against them, else its own
    args.keep_channels = probe._checked_keep(args.keep_channels)
    applied_picks(args, probe)  # the channel types it was trained on, else --picks
    args.data, _ = given_once(args.data)  # one file's rows once
    continuous = [p for p in args.data if is_continuous_input(p)]
    epoched = [p for p in args.data if not is_continuous_input(p)]
    if args.epoch_seconds is not None and epoched:
        raise ValueError(
            f"--epoch-seconds groups the windows of continuous recordings into scoring epochs; "
            f"{few([str(p) for p in epoched], 3)} {holds_verb(epoched)} epochs, one prediction each: predict "
            "them without --epoch-seconds"
        )
    if args.overlap and not continuous:
        raise ValueError(
            f"--overlap {args.overlap:g} cuts continuous recordings into overlapping windows; "
            f"{few([str(p) for p in epoched], 3)} {holds_verb(epoched)} epochs, one prediction each: predict "
            "them without --overlap"
        )
    if args.overlap:  # refused before any file is read where it does not fit the windows
        probe._with_overlap(args.overlap)
    if args.plot is not None and args.epoch_seconds is None and not continuous:
        raise ValueError(
            "--plot draws the class probabilities of continuous recordings over time (with "
            "--epoch-seconds: their hypnogram); "
            f"{few([str(p) for p in epoched], 3)} {holds_verb(epoched)} epochs: give continuous "
            "recordings (.edf, .fif, ...), or leave --plot out"
        )
    if args.events is not None:
        if not continuous:
            raise ValueError(
                f"--events merges the windows of continuous recordings into events; "
                f"{few([str(p) for p in epoched], 3)} {holds_verb(epoched)} epochs: give continuous recordings "
                "(.edf, .fif, ...), or leave --events out"
            )
        args.event_class = event_classes(args, probe)
    if continuous and args.label_column is not None and not args.label_column_adopted:
        raise ValueError(
            f"--label-column {args.label_column!r}: continuous recordings have no epochs "
            f"metadata to take labels from ({few([str(p) for p in continuous], 3)}); leave "
            "--label-column out, or cut the recordings into epochs with their labels first "
            "(mne.Epochs, with the column in epochs.metadata)"
        )
    # per input file: [(index in the file, onset or None, label or None, probabilities,
    # clock_s or None, clock_time or None)]
    say_crop(args)  # the inputs accepted
    if continuous:  # refused at once, not recording by recording
        _check_recording_options(args, probe, continuous)
    found: dict[Path, list[tuple[int, float | None, Any, np.ndarray, Any, Any]]] = {}
    labelled = False
    sources: list[str] = []  # the file of each epoch predicted (continuous recordings: none)
    failed: dict[str, str] = {}  # inputs that could not be predicted -> why (not with one)
    date_clocks: dict[str, str] = {}  # input as given -> its date's clock (local, utc ...)
    if epoched:
        found, labelled, sources = _predict_epoch_files(args, probe, epoched, failed, date_clocks)
    rename = parse_rename(args.rename, args.drop)
    scored: dict[Path, tuple[np.ndarray, np.ndarray, np.ndarray, TimeBase, Any, float]] = {}
    bad: dict[Path, np.ndarray] = {}  # per continuous recording: its windows over bad spans
    moves: set[str] = set()  # a start moved onto a 256 Hz sample: said once, not per recording
    annotated: dict[str, Any] = {}  # each recording's annotations, for --plot
    for path in continuous:
        try:
            with starts_moved_once(moves):
                proba, onsets, window_y, bad[path], when, spans, first = _predict_continuous(
                    args, probe, path, rename
                )
            annotated[str(path)] = spans
        except USER_ERRORS + (RuntimeError,) as err:
            _recording_failed(args, path, err, failed)  # raised again with --fail-fast
            bad.pop(path, None)
            continue
        if when.get("clock"):  # recorded per file: a header's local clock takes no tz
            date_clocks[str(path)] = when["clock"]
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
    if failed and len(failed) == len(args.data):  # nothing predicted: no table
        _say_failed(args, failed)
        return 1
    made = args.output is not None or args.events is not None
    provenance = prediction_provenance(args, probe, sources, failed, date_clocks) if made else None
    done = EXIT_SOME_FAILED if failed else 0
    if args.epoch_seconds is not None:
        header, rows = _epoch_rows(args, probe, scored)
        write_predictions(args.output, header, rows, probe.classes_.tolist(), provenance)
        if args.output is not None and not args.quiet:
            print(f"wrote {len(rows)} scoring epochs to {args.output}")
        scores = None if args.quiet else epoch_scores_text(header, rows, probe.classes_)
        if scores is not None:
            print(scores, file=sys.stderr)
        if args.plot is not None:
            clocks = {str(p): s[3].get("record_clock") for p, s in scored.items()}
            plot_hypnograms(args, probe, header, rows, clocks)
        _say_failed(args, failed)
        return done
    with_onsets = any(row[1] is not None for rows in found.values() for row in rows)
    dated = any(row[5] is not None for rows in found.values() for row in rows)
    # the inputs' own labels (event names, y of an .npz, --labels) beside the predictions;
    # continuous recordings' windows over bad annotations flagged last ('' for epochs);
    # clock_s with onset_s, clock_time where a recording has a measurement date ('' for the
    # others), as eegpt embed's tables
    # each epoch's place among its file's epochs as read (epochs[position]), where some
    # file's epoch numbers (MNE's epochs.selection) are not that: epochs dropped, or cut at
    # some of the events only
    windowed = set(continuous)  # their windows are numbered by place: no position column
    placed = any(
        [int(row[0]) for row in rows] != list(range(len(rows)))
        for path, rows in found.items()
        if path not in windowed
    )
    header = ["file", "epoch", *(["position"] if placed else [])]
    header += [*(["onset_s", "clock_s"] if with_onsets else [])]
    header += [*(["clock_time"] if dated else []), "prediction"]
    classes = probe.classes_.tolist()
    columns = probability_order(classes, probe.training)  # sleep stages: AASM's order
    header += [*(["label"] if labelled else []), *(f"p_{classes[i]}" for i in columns)]
    header += ["bad"] if continuous else []
    rows = []  # typed values (None: no value), formatted by the writer
    for path in dict.fromkeys(args.data):  # in the order given
        for position, (index, at, label, p, on_clock_s, moment) in enumerate(found.get(path, [])):
            rows.append(
                [str(path), int(index)]
                + ([] if not placed else [None if path in windowed else position])
                + ([] if not with_onsets else [at, on_clock_s])
                + ([] if not dated else [moment])
                + [classes[int(np.argmax(p))]]
                + ([] if not labelled else [label])
                + [float(p[i]) for i in columns]
                + ([] if not continuous else [bool(bad[path][index]) if path in bad else None])
            )
    write_predictions(args.output, header, rows, classes, provenance)
    if args.output is not None and not args.quiet:
        print(f"wrote {len(rows)} predictions to {args.output}")
    continuous_rows = [r for r in rows if r[-1] is not None]  # not epochs files' rows
    if args.events is not None:
        write_events(args, probe, header, continuous_rows, provenance)
    if args.plot is not None and continuous_rows:
        plot_event_probabilities_file(args, probe, header, continuous_rows, annotated)
    _say_failed(args, failed)
    return done


def _check_recording_options(args: argparse.Namespace, probe: Any, continuous: list[Path]) -> None:
    """Refuse, before any recording is read, the options that :func:`_predict_continuous`
    would refuse for each continuous recording of ``continuous`` alike (``--annotations``
    without ``--window-labels``, as many ``--annotations`` files as recordings, ``--start
    annotations`` without a labelling): an error of the command line stops the run at once,
    where an error of one recording's data is named and the others go on."""
    how = window_labelling(args, probe.preprocessing.window_seconds)
    _annotations_file(args, continuous[0])
    if how is None:
        for path in continuous:
            _start_for(args, path, None, None)


def _predict_epoch_files(
    args: argparse.Namespace,
    probe: Any,
    epoched: list[Path],
    failed: dict[str, str],
    clocks: dict[str, str] | None = None,
) -> tuple[dict[Path, list[Any]], bool, list[str]]:
    """:func:`_epoch_file_rows` of the epochs files ``epoched``, read and predicted together
    (merged, as before). Where that fails and several were given, each is read and predicted
    alone to find those that fail by themselves: they are named (:func:`_recording_failed`,
    kept in ``failed``) and the others predicted together; an error no file makes alone (of
    the files together) stops the run, as does any with ``--fail-fast``. ``clocks``: filled
    with the clock of each predicted file's date (:func:`_epoch_file_rows`)."""
    try:
        return _epoch_file_rows(args, probe, epoched, clocks)
    except USER_ERRORS + (RuntimeError,) as err:
        if len(epoched) == 1:
            _recording_failed(args, epoched[0], err, failed)  # raised again if it is all
            return {}, False, []
        if getattr(args, "fail_fast", False):
            raise
        alone = _failing_alone(args, probe, epoched)
        if not alone:  # the files together, not one of them
            raise
    for path, its in alone.items():
        _recording_failed(args, path, its, failed)
    rest = [p for p in epoched if p not in alone]
    return _epoch_file_rows(args, probe, rest, clocks) if rest else ({}, False, [])


def _failing_alone(
    args: argparse.Namespace, probe: Any, epoched: list[Path]
) -> dict[Path, BaseException]:
    """Those of the epochs files ``epoched`` that fail read and predicted alone
    (:func:`_epoch_file_rows`), with their errors."""
    alone: dict[Path, BaseException] = {}
    for path in epoched:
        try:
            _epoch_file_rows(args, probe, [path])
        except USER_ERRORS + (RuntimeError,) as its:
            alone[path] = its
    return alone


def _epoch_file_rows(
    args: argparse.Namespace,
    probe: Any,
    epoched: list[Path],
    clocks: dict[str, str] | None = None,
) -> tuple[dict[Path, list[Any]], bool, list[str]]:
    """``(found, labelled, sources)`` of the epochs files ``epoched``, read together
    (:func:`eegpt.probe_cli_inputs.read_inputs`): per file its rows ``[(index in the file,
    onset s or None, label or None, probabilities (n_classes,), clock_s or None, clock_time
    or None)]``; whether they hold labels; the file of each epoch, in order. ``clocks``
    (where given): filled with each dated file's clock (its time base's ``clock``, by the
    file as given), for the table's provenance."""
    found: dict[Path, list[Any]] = {}
    bases: dict[str, TimeBase] = {}  # each file's time base, for its clock columns
    recording, y, sources, rename = read_inputs(
        args, files=epoched, require_labels=False, time_bases=bases
    )
    proba = probe_probabilities(args, probe, recording, rename)
    if clocks is not None:
        clocks.update({name: base["clock"] for name, base in bases.items() if base.get("clock")})
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
    return found, labelled, sources


def _recording_failed(
    args: argparse.Namespace, path: Path, err: BaseException, failed: dict[str, str]
) -> None:
    """An input of ``probe predict`` that could not be predicted (``err``: an error of its
    data, such as an unreadable file, channels that do not map, NaN, too short), named on
    stderr with the reason as ``eegpt embed`` names a file it goes on past, and kept in
    ``failed`` (the input as given -> the error's text) for the end of the run and the
    table's provenance. Raised again, stopping the run with nothing written, where it is
    the only input, with ``--fail-fast`` (said first where the error does not name it),
    and on a full disk."""
    from eegpt.cli_run import debug_traceback, error_text
    from eegpt.errors import disk_full

    text = str(err)
    where = "" if str(path) in text or path.name in text else f"{path}: "
    if len(args.data) == 1 or disk_full(err) is not None:
        raise err
    if getattr(args, "fail_fast", False):
        print(
            f"eegpt: {path} could not be predicted; stopping there (--fail-fast): no table written",
            file=sys.stderr,
        )
        raise err
    debug_traceback(args, err)
    failed[str(path)] = where + text
    print(f"eegpt: error: {error_text(where + text)}", file=sys.stderr)


def _say_failed(args: argparse.Namespace, failed: Mapping[str, str]) -> None:
    """The end of a ``probe predict`` run where inputs failed: how many, each with its
    reason (the first line of its error), and that the table lacks them; said with ``-q``
    too, as ``eegpt embed``'s ``done:`` line is. Nothing where none failed."""
    from eegpt.cli_run import error_text

    if not failed:
        return
    n = len(dict.fromkeys(str(p) for p in args.data))
    kept = "" if args.output is None else " (its provenance lists them under 'failed')"
    lines = [
        f"done: {n - len(failed)} ok, {len(failed)} failed: the table has no rows of the "
        f"inputs that failed{kept}; predict them again once fixed, or with the others:"
    ]
    for path, why in failed.items():
        first = error_text(why).splitlines()[0] if why else "?"
        lines.append(f"  {first if first.startswith(path) else f'{path}: {first}'}")
    print("\n".join(lines), file=sys.stderr)


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
    or ``--annotations``; None for a bad epoch, as for a bad window), p_CLASS (sleep stages in AASM order: :func:`eegpt.probe_predictions.probability_order`), bad (an annotation marked bad overlaps the epoch itself:
    :func:`eegpt.annotations.bad_windows` of the epochs). With ``--reject-by-annotation``
    windows over bad annotations count in none; an epoch left without any has no
    prediction."""
    from eegpt.annotation_overlap import bad_windows, window_annotations
    from eegpt.clock_times import has_clock_time
    from eegpt.probe import scoring_epochs

    classes = probe.classes_.tolist()
    columns = probability_order(classes, probe.training)  # sleep stages: AASM's order
    window = float(probe.preprocessing.window_seconds)
    # a clock_time column where a recording has a clock (not EDF's anonymized 1985 start)
    dated = any(has_clock_time(s[3]) for s in scored.values())
    labelled = args.window_labels is not None or bool(args.annotations)
    # recordings whose labels would need the training's --annotations files: none
    unlabellable = {p for p, s in scored.items() if no_labels_without_files(args, p, s[4])}
    labelled = labelled and len(unlabellable) < len(scored)
    header = ["file", "epoch", "onset_s", "clock_s", "duration_s", "covered_s"]
    header += [*(["clock_time"] if dated else []), "prediction"]
    header += [*(["label"] if labelled else []), *(f"p_{classes[i]}" for i in columns), "bad"]
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
                + [float(p[i]) if known else None for i in columns]
                + [bool(flagged[k])]
            )
    return header, rows


def epoch_scores_text(
    header: Sequence[str], rows: Sequence[Sequence[Any]], classes: Any
) -> str | None:
    """How the scoring epochs of ``probe predict --epoch-seconds`` (``header`` and ``rows``
    of :func:`_epoch_rows`) agree with their scored stages, in evaluate's words
    (:func:`eegpt.probe_metrics.format_metrics`: balanced accuracy, Cohen's kappa ... per
    epoch, as sleep staging is scored), over the epochs with a prediction and a scored stage
    among the probe's ``classes`` (bad and unscored epochs have none); None without a label
    column, without such an epoch, or without scikit-learn."""
    from eegpt.errors import MissingDependencyError
    from eegpt.probe_metrics import format_metrics, probe_metrics

    if "label" not in header:
        return None
    names = [str(c) for c in classes]
    labels, proba, _ = labelled_epochs(header, rows, classes)
    among = np.array([str(v) in names for v in labels], dtype=bool)
    if not among.any():
        return None
    y = np.array([str(v) for v in labels])[among]
    proba = proba[among]
    pred = np.array(names)[proba.argmax(axis=1)]  # the rows' predictions
    try:
        metrics = probe_metrics(y, pred, proba, np.array(names))
    except MissingDependencyError:
        return None
    return (
        f"{int(among.sum())} of the {len(rows)} scoring epochs have a scored stage among the "
        f"probe's classes (bad and unscored ones left out); per epoch: {format_metrics(metrics)}"
    )


def labelled_epochs(
    header: Sequence[str], rows: Sequence[Sequence[Any]], classes: Any
) -> tuple[list[Any], np.ndarray, list[str]]:
    """The scoring epochs of :func:`_epoch_rows` (``header`` and ``rows``) that have a
    prediction (a window counted in them) and a scored stage (a label that is not None: bad
    epochs, unscored ones and those no labelling annotation covers have none), as
    ``probe predict --epoch-seconds`` and ``probe evaluate --epoch-seconds`` score them:
    ``(labels, proba, files)``, their scored stages (as labelled, perhaps not among the
    probe's ``classes``), their probabilities ``[n, n_classes]`` (of ``classes``, in order)
    and the recording of each. None of them without a label column."""
    if "label" not in header:
        return [], np.zeros((0, len(classes))), []
    label, prediction, file = header.index("label"), header.index("prediction"), 0
    columns = [header.index(f"p_{c}") for c in classes]
    kept = [r for r in rows if r[prediction] is not None and r[label] is not None]
    proba = np.array([[float(r[i]) for i in columns] for r in kept]).reshape(-1, len(columns))
    return [r[label] for r in kept], proba, [str(r[file]) for r in kept]


def scoring_epoch_table(
    args: argparse.Namespace, probe: Any, paths: Sequence[Path], rename: Any
) -> tuple[list[str], list[list[Any]]]:
    """``probe predict --epoch-seconds``'s header and rows (:func:`_epoch_rows`) of the
    continuous recordings ``paths``, each predicted by :func:`_predict_continuous`; an error
    of any of them stops the run (``probe evaluate --epoch-seconds``, whose metrics need
    them all)."""
    from eegpt.preprocessing import starts_moved_once

    scored: dict[Path, tuple[np.ndarray, np.ndarray, np.ndarray, TimeBase, Any, float]] = {}
    moves: set[str] = set()  # a start moved onto a 256 Hz sample: said once
    for path in paths:
        with starts_moved_once(moves):
            proba, onsets, _, bad, when, spans, first = _predict_continuous(
                args, probe, path, rename
            )
        scored[path] = (proba, onsets, bad, when, spans, first)
    return _epoch_rows(args, probe, scored)


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
    from eegpt.annotation_labels import window_labels
    from eegpt.annotation_overlap import is_bad

    length = float(args.epoch_seconds)
    how = window_labelling(args, length)
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
