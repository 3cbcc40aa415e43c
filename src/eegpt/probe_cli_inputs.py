"""What the ``eegpt probe`` commands read: their input files as labelled epochs or windows
(:func:`read_inputs`), the recordings among them, the labels that need annotation files, and
the settings of a trained probe that ``predict`` and ``evaluate`` adopt (crop, stim events,
marker spans, the start of each recording's windows).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eegpt.cli_inputs import (
    recording_paths,
    warn_marker_spans_of_epochs,
    warn_stim_events_of_epochs,
)
from eegpt.cli_options import (
    START_FROM_ANNOTATIONS,
    checked_rescale,
    given_once,
    parse_rename,
    picks_of,
)
from eegpt.continuous_windows import is_continuous_input
from eegpt.probe_label_files import load_labelled_epochs
from eegpt.window_labelling import (
    WindowLabelling,
    check_annotation_files,
    labelling_options,
    marker_spans_values,
    parse_window_labels,
    window_label_values,
)


def min_overlap_option(args: argparse.Namespace) -> float | None:
    """``--min-overlap`` as given (or adopted from the probe), None where it is not."""
    value = getattr(args, "min_overlap", None)
    return None if value is None else float(value)


def start_option(
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
    held = [str(p) for p in getattr(args, "val_data", None) or [] if is_continuous_input(p)]
    files = [*continuous, *held]
    if len(values) != len(files):
        raise ValueError(
            f"--start: {len(values)} values for {len(files)} continuous recording(s) "
            f"({few(files, 3)}): give one for all, one per continuous recording in the order "
            "given (--val-data ones last), or --start annotations"
        )
    return 0.0, tuple(zip(files, values, strict=True))


#: An ``--annotations`` (``--val-annotations``) "file" that gives none: the recording in its
#: place has its annotations in its own file only (an EDF+ beside TUH recordings and their
#: ``.csv_bi`` files)
NO_ANNOTATIONS_FILE = "-"


def annotation_pairs(
    recordings: Sequence[Any], files: Sequence[Any]
) -> tuple[tuple[str, str], ...]:
    """``(recording, annotations file)`` pairs of ``--annotations`` (``files``, one per
    continuous recording of ``recordings``, in their order; checked to be as many), leaving
    out the recordings given :data:`NO_ANNOTATIONS_FILE` (``-``): their own annotations only;
    none without ``files``."""
    if not files:
        return ()
    return tuple(
        (str(r), str(f))
        for r, f in zip(recordings, files, strict=True)
        if str(f) != NO_ANNOTATIONS_FILE
    )


def val_labelling(
    args: argparse.Namespace, windows: WindowLabelling | None
) -> WindowLabelling | None:
    """The labelling of ``probe train``'s ``--val-data`` recordings: ``windows`` with their
    ``--val-annotations`` files (one per continuous one) instead of ``--annotations``."""
    from eegpt._logging import few

    files = [str(a) for a in args.val_annotations or []]
    held = [str(p) for p in args.val_data if is_continuous_input(p)]
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
        start, starts = start_option(args, [str(p) for p in args.data if is_continuous_input(p)])
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
            "the same order ('-' for one whose annotations are all in its own file)"
        )
    pairs = annotation_pairs(held, files)  # '-': none for that recording
    trained = [str(p) for p in args.data if is_continuous_input(p)]  # a swap with these too
    check_annotation_files(pairs, "--val-annotations", others=trained)
    return dataclasses.replace(windows, extra=pairs, validation=True)


def read_inputs(
    args: argparse.Namespace, files: list[Path] | None = None, **kwargs: Any
) -> tuple[Any, Any, list[str], Any]:
    """``(recording, labels, sources, rename)`` of the command's input files (or ``files``,
    read alike) and corrections."""
    from eegpt.channels import ChannelRules, present_keys
    from eegpt.cli_options import on_unknown_of
    from eegpt.windowing import probe_crop

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
            picks=picks_of(args),  # predict, evaluate: the probe's own by default
            preprocessing=getattr(args, "crop_preprocessing", None),  # --crop
            # train's --strict-channels (predict, evaluate: the probe's, args.channel_rules)
            rules=getattr(args, "channel_rules", None) or ChannelRules(on_unknown_of(args)),
            **kwargs,
        )
    if rename and len(files) > 1:  # merged: the keys of the channels that remain
        rename = present_keys(rename, recording.ch_names)
    return recording, y, sources, rename


def holds_verb(paths: Sequence[Any]) -> str:
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

    from eegpt.windowing import crop_left_out_for_arrays

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


def adopt_crop(args: argparse.Namespace, probe: Any) -> None:
    """The crop of the epochs predicted or evaluated (``--crop``): the probe's training crop
    (its ``preprocessing.crop_tmin``) unless another is given, which is used with a warning
    that it differs (epochs cropped elsewhere around their event than those trained on); a
    ``--crop`` given for a continuous recording or ``.npz`` arrays is refused, and the
    probe's own left out for them (:func:`_crop_left_out`). The probe's preprocessing then
    holds the crop applied, which the output's provenance records. What is said of it is
    kept in ``args.crop_notes`` for :func:`say_crop`, once the inputs are accepted."""
    from dataclasses import replace

    from eegpt._logging import warn as _warn
    from eegpt.windowing import crop_refused_for_arrays, crop_refused_for_continuous

    trained = probe.preprocessing.crop_tmin
    given = getattr(args, "crop", None)
    args.crop_preprocessing = probe.preprocessing  # the epochs files cropped as it says
    args.crop_notes = []
    args.crop_window_fixed = True  # the probe's window: a crop overshooting it, another crop
    continuous = [str(p) for p in args.data if is_continuous_input(p)]
    arrays = [str(p) for p in args.data if not is_continuous_input(p) and _is_array_input(p)]
    epochs = [str(p) for p in args.data if not is_continuous_input(p) and not _is_array_input(p)]
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


def say_crop(args: argparse.Namespace) -> None:
    """Say on stderr how the probe's crop applies (:func:`adopt_crop`'s notes), once the
    run's inputs and options are accepted."""
    if not args.quiet:
        for note in getattr(args, "crop_notes", []):
            print(note, file=sys.stderr)


def clean_recording_paths(args: argparse.Namespace) -> None:
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


def probe_epochs_cut(args: argparse.Namespace, reject_by_annotation: bool) -> Any:
    """The command's ``--epochs-around`` (with ``--baseline`` and ``--events-from-stim``) as
    an :class:`eegpt.event_epochs.EpochsCut` for :func:`eegpt.event_epochs.cutting`, kept in
    ``args.epochs_cut`` for :func:`adopt_epochs_around`; its ``around`` None without the
    option. ``reject_by_annotation``: whether epochs over bad annotations are left out (train
    and evaluate; predict's ``--reject-by-annotation``)."""
    from eegpt.cli_options import epochs_around_setting, stim_setting
    from eegpt.event_epochs import EpochsCut

    trained = getattr(args, "probe", None) is not None  # predict, evaluate: the probe's
    if trained and not getattr(args, "epochs_around", None):
        around = None  # --baseline alone: checked once the probe's setting is known
    else:
        around = epochs_around_setting(args)  # its tmin: the crop, taken as each file is read
    stim = stim_setting(args) if around is not None else None
    args.epochs_cut = EpochsCut(around, reject_by_annotation, stim)
    return args.epochs_cut


def adopt_epochs_around(args: argparse.Namespace, probe: Any) -> None:
    """Without ``--epochs-around``, the continuous recordings given are cut into epochs
    around their annotations as the probe's training recordings were (``probe train
    --epochs-around``, recorded in ``training["epochs_around"]``: its patterns, baseline
    and stim events; ``--baseline`` given applies instead of its baseline), if so; said on
    stderr. ``--baseline`` without either is refused."""
    from eegpt.event_epochs import EpochsAround, baseline_of
    from eegpt.stim_events import StimEvents

    cut = getattr(args, "epochs_cut", None)
    if cut is None or cut.around is not None:
        return
    trained = (probe.training or {}).get("epochs_around")
    if not trained:
        if getattr(args, "baseline", None) is not None:
            raise ValueError(
                "--baseline corrects the epochs --epochs-around cuts, and the probe was not "
                "trained on such epochs: give --epochs-around REGEX too (an -epo.fif file "
                "holds its own baseline correction)"
            )
        return
    if not any(is_continuous_input(p) for p in args.data):
        return  # epochs files only: cut already
    around = EpochsAround.from_record(trained)
    if getattr(args, "baseline", None) is not None:
        around = dataclasses.replace(around, baseline=baseline_of(args.baseline))
    cut.around, cut.adopted = around, True
    stim = trained.get("events_from_stim")
    if stim and getattr(args, "events_from_stim", None) is None:
        cut.stim = StimEvents.from_record(stim)
    if not args.quiet:
        print(
            "continuous recordings cut into epochs around their annotations as in training: "
            + around.options()
            + ("" if cut.stim is None else f" {cut.stim.options}"),
            file=sys.stderr,
        )


def adopt_events_from_stim(args: argparse.Namespace, probe: Any) -> None:
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
    if not any(is_continuous_input(p) for p in args.data):
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


def adopt_marker_spans(args: argparse.Namespace, probe: Any) -> None:
    """Without ``--marker-spans``, the state markers of continuous recordings are made spans
    as the probe's training recordings' were (``probe train --marker-spans``, recorded in
    ``training["window_labels"]["marker_spans"]``), if so; said on stderr."""
    from eegpt.window_labelling import marker_spans_options

    trained = ((probe.training or {}).get("window_labels") or {}).get("marker_spans")
    if not trained or getattr(args, "marker_spans", "absent") is not None:
        return
    if getattr(args, "labels", None) is not None:  # the file labels the windows
        return
    if not any(is_continuous_input(p) for p in args.data):
        return
    args.marker_spans = marker_spans_values(trained)
    args.marker_spans_adopted = True  # best-effort in predict (WindowLabelling.spans_adopted)
    if not args.quiet:
        print(
            "continuous recordings' state markers made spans as in training: "
            + marker_spans_options(trained),
            file=sys.stderr,
        )


def adopt_start(args: argparse.Namespace, probe: Any) -> None:
    """Without ``--start``, the windows of continuous recordings start where the probe's
    training windows did, as its marker spans and labelling are adopted; said on stderr.
    ``--start`` given wins. A start in seconds (``probe train --start SECONDS``, recorded in
    ``training["window_labels"]["start_seconds"]``) is adopted as it is; the rule ``--start
    annotations`` (recorded as ``start``) is adopted as a rule: each recording predicted
    starts at its own first annotation matching the labelling (``args.start_adopted``: one
    without such an annotation starts at 0 s in ``predict`` and ``evaluate``, said, rather
    than an error: :attr:`~eegpt.window_labelling.WindowLabelling.start_adopted`).
    One value per training recording (``starts`` without ``start``) belongs to those
    recordings: none is adopted (:func:`~eegpt.probe_cli_predict._say_trained_start` says
    what to give), nor is one from a probe without the keys (trained from 0, or before they
    were recorded)."""
    from eegpt.annotation_labels import exact_seconds

    how = (probe.training or {}).get("window_labels") or {}
    if getattr(args, "start", "absent") is not None:
        return
    if not any(is_continuous_input(p) for p in args.data):
        return
    if how.get("start") == START_FROM_ANNOTATIONS:
        if getattr(args, "window_labels", None) is None or getattr(args, "labels", None):
            return  # no labelling to find the first annotation by (the note says what to give)
        args.start = [START_FROM_ANNOTATIONS]
        args.start_adopted = True
        if not args.quiet:
            trained = how.get("match")
            # a --window-labels of one's own finds the first annotation by its own pattern
            matching = (
                "the training's classes, as in training"
                if trained is None or list(args.window_labels) == window_label_values(trained)
                else f"the --window-labels given (the training's: {labelling_options(trained)}), "
                "as training did with its own"
            )
            print(
                f"continuous recordings' windows start at each one's first annotation matching "
                f"{matching} (--start annotations); pass --start 0 to start them at the first "
                "sample",
                file=sys.stderr,
            )
        return
    trained = how.get("start_seconds")
    if not trained or how.get("starts"):
        return
    args.start = [float(trained)]
    if not args.quiet:
        shown = exact_seconds(float(trained))
        print(
            f"continuous recordings' windows start at {shown} s, as in training "
            f"(--start {shown}); pass --start 0 to start them at the first sample",
            file=sys.stderr,
        )


def _labels_need_files(args: argparse.Namespace, annotations: Any) -> bool:
    """Whether a continuous recording whose own annotations are ``annotations``
    (``mne.Annotations`` or None) cannot be labelled: the probe's labelling needs its
    ``--annotations`` files (:func:`~eegpt.probe_cli_predict._trained_on_annotation_files`),
    none are given, and none of ``annotations`` matches the training's classes, so every window
    would be ``--unlabelled``'s class."""
    from eegpt.annotation_labels import label_rule

    if not getattr(args, "labels_need_annotations", False) or args.unlabelled is None:
        return False  # without --unlabelled, windows no annotation labels have no label anyway
    label_of = label_rule(parse_window_labels(args.window_labels))
    own = [] if annotations is None else [str(d) for d in annotations.description]
    return not any(label_of(d) is not None for d in own)


def no_labels_without_files(args: argparse.Namespace, path: Path, annotations: Any) -> bool:
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
    for :func:`refuse_labels_without_files`: a BIDS recording, whose annotations come from
    its sidecars as MNE-BIDS opens it, is opened for streaming as its windows are cut and
    kept for them in ``windows`` (:func:`~eegpt.continuous_windows.open_for_windows`: opened
    once, not once for the check and again for its windows); another file's annotations are
    read alone (:func:`eegpt.annotations.read_annotations`: an EDF's annotation signals)."""
    from eegpt.annotation_files import read_annotations
    from eegpt.bids import bids_root
    from eegpt.continuous_windows import open_for_windows
    from eegpt.window_labelling import opened_key

    if windows is not None and windows.stim_events is not None:  # its events made annotations
        streamed = open_for_windows(path, windows)
        made = windows.annotations(streamed)
        windows.annotated[opened_key(path)] = made  # taken with the recording for its windows
        return made
    if windows is None or bids_root(Path(path).expanduser()) is None:
        return read_annotations(path)
    return open_for_windows(path, windows).annotations


def refuse_labels_without_files(
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
    continuous = [p for p in args.data if is_continuous_input(p)]
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


def warn_min_overlap_classes(args: argparse.Namespace) -> None:
    """Warn where ``--min-overlap`` below half a window meets two or more matched classes:
    a window still takes the class covering more of it, so a small fraction does not label
    every window a seizure touches as one when background is a class too."""
    from eegpt._logging import warn as _warn
    from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP

    value = min_overlap_option(args)
    labels = getattr(args, "window_labels", None)
    if labels is None or value is None or value >= DEFAULT_MIN_OVERLAP:
        return
    if not any(is_continuous_input(p) for p in getattr(args, "data", None) or []):
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


def trained_starts_option(how: Mapping[str, Any]) -> str:
    """How a probe trained on each recording's own start got them, from its
    ``training["window_labels"]`` ``how`` (which has ``starts``): ``--start annotations``
    (recorded as ``start``) or one ``--start`` value per recording."""
    return "--start annotations" if how.get("start") else "one --start per recording"


def few_text(values: Sequence[Any]) -> str:
    from eegpt._logging import few

    return few([repr(v) for v in values], 4)


def recording_sources(sources: Sequence[str]) -> list[str]:
    """The file each epoch came from, as one name per file however it was written."""
    return [str(Path(s).resolve()) for s in sources]
