"""The labelled data a linear probe (:func:`eegpt.probe.train_probe`) or a fine-tuning
(:func:`eegpt.finetune.finetune`) trains on, and what a probe records of them.

:func:`split_training_data` makes model-ready windows ``[n, C, T]`` (mV) and class indices
``[n]`` of labelled epochs and holds out validation data (a fraction, by groups, or separate
epochs); :func:`split_inputs` does it for both, with what else they keep of the inputs
(:class:`TrainingSplit`); :func:`check_training_data` refuses data given in the wrong place.
Of the training data a probe records their typical amplitude (:func:`typical_amplitude`, to
warn of data in another unit), their MNE baseline, the preprocessing (:func:`trained_on_epochs`)
and the warnings given while it trained (:func:`recording_training_warnings`).
"""

from __future__ import annotations

import functools
import numbers
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, ParamSpec

import mne
import numpy as np

from eegpt._epochs_header import read_epochs_header
from eegpt._filenames import subject_column
from eegpt._logging import honours_verbose, recorded_warnings, warning_texts
from eegpt._logging import warn as _warn
from eegpt.array_inputs import Units
from eegpt.channels import DEFAULT_RULES, ChannelRules, map_channels, normalize_channel_name
from eegpt.mne_inputs import events_sfreq, mne_source, placeholder_events
from eegpt.preprocessing import PreprocessingConfig, map_recording_channels, prepare
from eegpt.probe_inputs import (
    _projection_windows,
    as_epochs_recording,
    carried_source,
    is_epochs_list,
    refuse_embeddings,
    subset_mapping,
)
from eegpt.probe_labels import (
    _jsonable,
    _tagged_classes_warning,
    as_classes,
    labels_of,
    warn_quantity_labels,
)
from eegpt.probe_preparation import baseline_warning, event_tmin, tmin_warning
from eegpt.probe_provenance import _input_epochs, data_record, files_held, indices_record
from eegpt.recording import Recording
from eegpt.rename_tables import Rename
from eegpt.training import (
    _command_line,
    group_split,
    per_epoch_split_warning,
    realised_fraction_warning,
    stratified_split,
    thin_split_warning,
)

if TYPE_CHECKING:
    from eegpt.probe import EEGPTProbe, ProbeConfig


@dataclass
class _TrainingData:
    windows: np.ndarray  # [n, C, T] model units
    y: np.ndarray  # [n] class indices
    input_names: tuple[str, ...]
    encoder_names: tuple[str, ...]
    input_shape: tuple[int, int] = (0, 0)  # channels and samples per epoch of the data given
    # the interval MNE baseline-corrected the epochs over (epochs.baseline), None if it did not
    baseline: tuple[float | None, float | None] | None = None
    # the trend MNE removed from each epoch (epochs.detrend: 0, 1, None), where it is known
    detrend: int | None = None
    detrend_recorded: bool = False
    # input_names as the training data labelled them ('EEG C3-REF' for C3); None with a
    # projection (its input_names are the labels)
    input_labels: tuple[str, ...] | None = None
    # whether baseline is known (not for arrays and EEGLAB .set epochs: Recording's)
    baseline_recorded: bool = False
    # the epochs' first sample's time from their events (epochs.tmin, s), where known
    tmin: float | None = None
    # the epochs' sampling rate as given (Hz), for comparing their times within a sample
    sfreq: float | None = None


def _prepare_training_data(
    data: Any,
    y: Any,
    *,
    classes: np.ndarray | None,
    ch_names: Sequence[str] | None,
    sfreq: float | None,
    units: Units,
    rename: Rename | None,
    preprocessing: PreprocessingConfig,
    config: ProbeConfig,
    input_names: Sequence[str] | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
    picks: str | Sequence[str] = "eeg",
    rules: ChannelRules = DEFAULT_RULES,
) -> tuple[_TrainingData, np.ndarray]:
    """Windows and class indices; ``input_names`` fixes the channels (validation data),
    ``keep`` restricts them (:func:`~eegpt.channels.map_channels`; not with a projection);
    ``picks``: the channel types read from files and MNE objects, as the probe's
    predictions read them (:func:`~eegpt.probe_inputs.as_epochs_recording`); ``rules``:
    what the mapping does with unknown channels and ``rename`` keys the data lack
    (:class:`~eegpt.channels.ChannelRules`)."""
    rec = as_epochs_recording(
        data, ch_names=ch_names, sfreq=sfreq, units=units, verbose=verbose, rename=rename,
        preprocessing=preprocessing, keep=keep, picks=picks, rules=rules,
    )  # fmt: skip
    labels = labels_of(data, y, rec.data.shape[0])
    if classes is not None:
        labels = as_classes(labels, classes)
    else:
        classes = np.unique(labels)
        if len(classes) < 2:
            raise ValueError(f"a classifier needs at least 2 classes, got {classes.tolist()}")
    index = {c: k for k, c in enumerate(classes.tolist())}
    unknown = sorted({str(c) for c in labels.tolist() if c not in index})
    if unknown:
        raise ValueError(f"labels {unknown} do not occur in the training labels")
    y_idx = np.array([index[c] for c in labels.tolist()], dtype=np.int64)
    if config.chan_proj:
        names = tuple(input_names) if input_names is not None else tuple(rec.ch_names)
        windows = _projection_windows(rec, names, preprocessing)
        target = tuple(normalize_channel_name(n) for n in config.target_channels)
        shape = (rec.n_channels, rec.n_times)
        train = _TrainingData(
            windows, y_idx, names, target, shape, rec.baseline,  # type: ignore[arg-type]
            detrend=rec.detrend, detrend_recorded=rec.detrend_recorded,
            **_times_of(rec, preprocessing),
        )  # fmt: skip
        return train, classes
    rules = rules.for_inputs(data)
    options = {"rename": rename, "verbose": verbose, "left_out": rec.left_out, "keep": keep}
    if rec.source is None:
        mapping = map_channels(rec.ch_names, **options, **rules.keywords())
    else:  # its errors name the file(s), as eegpt embed's and the probe's predictions' do
        mapping = map_recording_channels(rec.ch_names, str(rec.source), rules=rules, **options)
    if input_names is not None:
        mapping = subset_mapping(mapping, input_names, rec.source, bads=rec.bads, rename=rename)
    windows = prepare(rec, mapping, preprocessing, verbose=verbose).data
    shape = (rec.n_channels, rec.n_times)
    train = _TrainingData(
        windows, y_idx, mapping.names, mapping.names, shape, rec.baseline,
        detrend=rec.detrend, detrend_recorded=rec.detrend_recorded,
        input_labels=tuple(mapping.input_names), **_times_of(rec, preprocessing),
    )  # fmt: skip
    return train, classes


def _times_of(rec: Recording, preprocessing: PreprocessingConfig) -> dict[str, Any]:
    """What :class:`_TrainingData` keeps of ``rec``'s times and baseline, to compare
    validation data with training data and for a probe's record (the tmin of trials around
    events: :func:`~eegpt.probe_preparation.event_tmin`). With ``preprocessing.crop_tmin``
    (``--crop``) the windows start there from the events, whatever the epochs' own tmin
    (:func:`~eegpt.preprocessing.prepare` crops them, as the probe's predictions crop the
    epochs they are given before comparing their tmin)."""
    tmin = event_tmin(rec)
    if tmin is not None and preprocessing.crop_tmin is not None:
        tmin = preprocessing.crop_tmin
    return {"baseline_recorded": rec.baseline_recorded, "tmin": tmin, "sfreq": rec.sfreq}


def split_training_data(
    data: Any,
    y: Any,
    validation: Any,
    seed: int,
    groups: Any = None,
    *,
    command_line: bool = True,
    **common: Any,
) -> tuple[_TrainingData, tuple[np.ndarray, np.ndarray] | None, np.ndarray, dict[str, Any]]:
    """Training windows, validation ``(windows, y)`` or None, the class labels, and how the
    validation data were chosen (the training record's ``validation``: for a fraction, the
    epochs held out, :func:`~eegpt.probe_provenance.indices_record`; for held-out data, what
    they were, :func:`~eegpt.probe_provenance.data_record`).

    ``validation`` is a fraction of ``data`` held out (stratified, seeded; with ``groups``,
    one value per epoch, whole groups: :func:`~eegpt.training.group_split`), a ``(data, y)``
    pair prepared like the training data, or None. ``command_line``: the warnings also name the command
    line's options (the probe's; fine-tuning has none).
    """
    pair = isinstance(validation, tuple) and len(validation) == 2
    args = _array_args_for(data, validation[0] if pair else None, common)
    train, classes = _prepare_training_data(data, y, classes=None, **args)
    tagged = _tagged_classes_warning(classes, command_line)
    if tagged:
        _warn(tagged)
    warn_quantity_labels(classes[train.y].tolist(), _label_groups(data, groups, len(train.y)))
    is_fraction = isinstance(validation, numbers.Real) and not isinstance(validation, bool)
    if groups is not None and not is_fraction:
        raise ValueError(
            "groups= choose the epochs a validation fraction holds out; give validation=FRACTION "
            f"with them (got validation={validation!r})"
        )
    if is_fraction:
        record: dict[str, Any] = {"kind": "fraction", "fraction": float(validation)}
        if groups is None:
            tr, va = stratified_split(train.y, float(validation), seed)
            n_recordings = _recording_count(data)
            if n_recordings > 1:
                _warn(per_epoch_split_warning(float(validation), n_recordings, command_line))
            else:  # one Epochs of several subjects, as a metadata column says
                mixed = subjects_split_warning(data, float(validation), command_line)
                if mixed:
                    _warn(mixed)
            overlapping = overlap_split_warning(data, tr, va, float(validation), command_line)
            if overlapping:
                _warn(overlapping)
        else:
            tr, va, held_out, n_groups = group_split(train.y, groups, float(validation), seed)
            record["groups"] = {"count": n_groups, "held_out": [_jsonable(g) for g in held_out]}
            record["realised_fraction"] = round(len(va) / len(train.y), 4)
            off = realised_fraction_warning(
                float(validation), len(va), len(train.y), len(held_out), n_groups, command_line,
                y=train.y, groups=groups, classes=classes,
            )  # fmt: skip
            if off:
                _warn(off)
        record.update(indices_record(va))  # which epochs: the seed draws them again too
        val = (train.windows[va], train.y[va])
        fraction = float(validation)
        thin = thin_split_warning(train.y[tr], train.y[va], classes, fraction, command_line)
        if thin:
            _warn(thin)
        train = replace(train, windows=train.windows[tr], y=train.y[tr])
        return train, val, classes, record
    if validation is None:
        return train, None, classes, {"kind": "none"}
    if not (isinstance(validation, tuple) and len(validation) == 2):
        raise TypeError("validation must be a fraction, a (data, y) pair or None")
    held = files_held(validation[0])  # before preparing them may load them (data_record)
    vdata, _ = _prepare_training_data(
        validation[0], validation[1], classes=classes, input_names=train.input_names,
        **_array_args_for(validation[0], data, common),
    )  # fmt: skip
    thin = thin_split_warning(train.y, vdata.y, classes, None, command_line)
    if thin:
        _warn(thin)
    window = common["preprocessing"].window_seconds
    for unlike in validation_unlike(train, vdata, window):
        _warn(unlike)
    given: dict[str, Any] = {"kind": "held-out data", "inputs": data_record(validation[0], held)}
    return train, (vdata.windows, vdata.y), classes, given


def validation_unlike(
    train: _TrainingData, held_out: _TrainingData, window: float = 4.0
) -> list[str]:
    """What to say where the validation data ``held_out`` (epochs given apart:
    ``validation=(data, y)``, ``--val-data``) were prepared otherwise than the training data
    ``train``, as a probe warns of the data it predicts on
    (:func:`~eegpt.probe_preparation.baseline_warning`, ``epochs.baseline``;
    :func:`~eegpt.probe_preparation.tmin_warning`, ``epochs.tmin``): their scores, and early
    stopping by them, mean less. ``window``: the window length (s), for the crop advised."""
    what = "the validation epochs"
    common = {"trained_on": "the training data are epochs", "effect": VALIDATION_EFFECT}
    said = [
        baseline_warning(
            train.baseline if train.baseline_recorded else None,
            held_out.baseline,
            what,
            recorded=held_out.baseline_recorded,
            sfreq=held_out.sfreq,
            **common,
        ),  # fmt: skip
        tmin_warning(
            train.tmin,
            held_out.tmin,
            what,
            sfreq=held_out.sfreq,
            window=window,
            **common,
        ),  # fmt: skip
    ]
    return [text for text in said if text]


#: What validation data prepared otherwise than the training data spoil.
VALIDATION_EFFECT = "the validation scores on them, and early stopping by them, mean less"


class TrainingSplit(NamedTuple):
    """The labelled data of a training run split as :func:`split_inputs` splits them."""

    #: the training windows ``[n_train, C, T]`` (mV) and class indices ``[n_train]``
    train: _TrainingData
    #: the validation windows ``[n_val, C, T]`` (mV) and class indices ``[n_val]``, or None
    val: tuple[np.ndarray, np.ndarray] | None
    #: the class labels, ``[n_classes]``, in the order of the class indices
    classes: np.ndarray
    #: how the validation data were chosen: the training record's ``validation``
    validation: dict[str, Any]
    #: the preprocessing the probe records (:func:`trained_on_epochs`)
    preprocessing: PreprocessingConfig
    #: the inputs as the probe records them (``training["inputs"]``: :func:`inputs_record`)
    inputs: list[dict[str, Any]]


def split_inputs(
    data: Any,
    y: Any,
    validation: Any,
    groups: Any,
    *,
    config: ProbeConfig,
    preprocessing: PreprocessingConfig,
    ch_names: Sequence[str] | None,
    sfreq: float | None,
    units: Units,
    rename: Rename | None,
    verbose: Any,
    keep: str | Sequence[str] | None = None,
    command_line: bool = True,
    picks: str | Sequence[str] = "eeg",
    rules: ChannelRules = DEFAULT_RULES,
) -> TrainingSplit:
    """The data :func:`eegpt.probe.train_probe` and :func:`eegpt.finetune.finetune` train on, prepared and
    split (:func:`split_training_data`, seeded by ``config.seed``), with the inputs as the probe
    records them (:func:`inputs_record`; the files the data in memory were read from taken
    first: preparing them may load epochs cut from a Raw, which lets go of the Raw that names
    their file, :func:`~eegpt.probe_provenance.files_held`).
    ``keep`` restricts the channels; ``command_line``: the warnings also name the command
    line's options (the probe's; fine-tuning has none); ``picks``: the channel types read from
    files and MNE objects, training and validation data alike; ``rules``: what their channel
    mappings do with unknown channels and missing ``rename`` keys
    (:class:`~eegpt.channels.ChannelRules`), training and validation data alike."""
    held = files_held(data)
    train, val, classes, chosen = split_training_data(
        data, y, validation, config.seed, groups, command_line=command_line, ch_names=ch_names,
        sfreq=sfreq, units=units, rename=rename, preprocessing=preprocessing, config=config,
        verbose=verbose, keep=keep, picks=picks, rules=rules,
    )  # fmt: skip
    # the epochs of data: with held-out data (validation=(data, y)) only those trained on
    n_epochs = len(train.y) + (
        len(val[1]) if val is not None and chosen["kind"] == "fraction" else 0
    )
    inputs = inputs_record(data, held, n_epochs)
    # a start and an overlap did not apply to epochs
    return TrainingSplit(train, val, classes, chosen, trained_on_epochs(preprocessing), inputs)


def inputs_record(data: Any, held: dict[int, list[str]], n_epochs: int) -> list[dict[str, Any]]:
    """The training inputs ``data`` as a probe records them (``training["inputs"]``:
    :func:`~eegpt.probe_provenance.data_record`; ``held``: the files of the data in memory,
    :func:`~eegpt.probe_provenance.files_held`), each file given as a path with the number of
    epochs it holds (its ``n_epochs``), as ``eegpt probe train`` records its files: the file
    a validation fraction held out whole is then told from those trained on
    (:func:`~eegpt.probe_provenance.input_roles`), as epochs in memory are by their shape.
    ``n_epochs``: how many epochs ``data`` gave, all inputs together; the files' counts are
    recorded only where the inputs' add up to it (else none: which epochs came from which
    file is not known)."""
    records = data_record(data, held)
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    if len(items) != len(records) or not any(_is_path(item) for item in items):
        return records
    counts = [
        (n_epochs if len(items) == 1 else _file_epochs(item))
        if _is_path(item)
        else _input_epochs(record)
        for item, record in zip(items, records, strict=True)
    ]
    if any(n is None for n in counts) or sum(n or 0 for n in counts) != n_epochs:
        return records
    return [
        {"name": record["name"], "n_epochs": n, **record} if _is_path(item) else record
        for item, record, n in zip(items, records, counts, strict=True)
    ]


def _is_path(item: Any) -> bool:
    """Whether ``item`` (an input of :func:`inputs_record`) is a file given by its path."""
    return isinstance(item, (str, os.PathLike))


def _file_epochs(path: str | os.PathLike[str]) -> int | None:
    """How many epochs the epochs file ``path`` holds (its header read, not its data:
    :func:`~eegpt._epochs_header.read_epochs_header`); None where it cannot be read."""
    try:
        return len(read_epochs_header(Path(path)))
    except (OSError, ValueError, RuntimeError):
        return None


#: The ``epochs.metadata`` column that names each epoch's recording, where no column names
#: its subject (:data:`eegpt._filenames.SUBJECT_COLUMNS`): :func:`eegpt.probe.concatenate_epochs`
#: records it (the ``groups`` it returns), so that the merged epochs say where each came from.
RECORDING_COLUMN = "recording"


def group_column(columns: Any) -> Any:
    """The column of ``columns`` (an ``epochs.metadata``'s) that tells which epochs belong
    together for a split: the first naming subjects (:func:`eegpt._filenames.subject_column`),
    else :data:`RECORDING_COLUMN` (in any case); None where there is neither."""
    column = subject_column(columns)
    if column is not None:
        return column
    return next((c for c in columns if str(c).lower() == RECORDING_COLUMN), None)


def subjects_split_warning(data: Any, fraction: float, command_line: bool = True) -> str | None:
    """What to say of a validation ``fraction`` drawn at random (no groups) from ``data``
    (epochs, or their metadata: a pandas DataFrame) whose ``epochs.metadata`` names several
    subjects (a column of :data:`eegpt._filenames.SUBJECT_COLUMNS`, in any case, with 2 or
    more values) or, without such a column, several recordings (:data:`RECORDING_COLUMN`,
    which :func:`eegpt.probe.concatenate_epochs` records): epochs of one subject on both
    sides of the split, so its scores, and early stopping by them, flatter the model. None
    for anything else (one subject, no such
    column, arrays): nothing says the data hold several subjects, and a single subject's
    epochs split at random is the usual within-subject design."""
    metadata = getattr(data, "metadata", data)  # Epochs, or their metadata
    if metadata is None or not hasattr(metadata, "columns"):
        return None
    column = group_column(metadata.columns)
    if column is None:
        return None
    subjects = metadata[column].dropna().unique()
    if len(subjects) < 2:
        return None
    kind = "subject" if subject_column([column]) is not None else "recording"
    made = "" if kind == "subject" else " (eegpt.probe.concatenate_epochs records it)"
    return (
        f"validation={fraction:g}{_command_line(f'--val {fraction:g}', command_line)} holds out "
        f"epochs drawn at random, and the epochs' metadata column {column!r} names "
        f"{len(subjects)} {kind}s{made}: epochs of one {kind} fall on both sides of the "
        "split, so the validation scores, and early stopping by them, come out better than "
        f"on new {kind}s. Hold out whole {kind}s with groups=epochs.metadata[{column!r}]"
        + _command_line(f"--val {fraction:g} --val-group-column {column}", command_line)
        + " (EEGPTClassifier in scikit-learn cross-validation: groups reach fit only with "
        "metadata routing, sklearn.set_config(enable_metadata_routing=True) and "
        "clf.set_fit_request(groups=True))"
    )


def epoch_spans(data: Any) -> list[tuple[int, float, float, float]] | None:
    """Each epoch of ``data`` as ``(recording, onset, length, sample)``: the recording's place
    among the inputs, the epoch's onset and length and one sample's duration, in seconds (the
    onset on the events' clock, :func:`~eegpt.mne_inputs.events_sfreq`, tmin left out: the
    same for every epoch of a recording). For an ``mne.Epochs``, an epochs file, a list of
    them, or an epoched :class:`~eegpt.recording.Recording` with onsets (as ``eegpt probe
    train`` reads a file), in the order :func:`split_training_data` numbers the epochs; None
    where no times are known (arrays, ``mne.EpochsArray`` without events) or a file cannot
    be read."""
    if isinstance(data, Recording):
        if not data.is_epoched or data.onsets is None:
            return None
        length, sample = data.n_times / data.sfreq, 1 / data.sfreq
        return [(0, float(t), length, sample) for t in np.asarray(data.onsets).tolist()]
    items = list(data) if is_epochs_list(data) else [data]
    spans: list[tuple[int, float, float, float]] = []
    for k, item in enumerate(items):
        epochs = item
        if isinstance(item, (str, os.PathLike)):
            try:
                epochs = read_epochs_header(Path(item))
            except (OSError, ValueError, RuntimeError):
                return None
        if not isinstance(epochs, mne.BaseEpochs) or placeholder_events(epochs):
            return None
        sfreq = float(epochs.info["sfreq"])
        length, clock = len(epochs.times) / sfreq, events_sfreq(epochs)
        spans += [(k, s / clock, length, 1 / sfreq) for s in epochs.events[:, 0].tolist()]
    return spans


def overlapping_held_out(
    spans: Sequence[tuple[int, float, float, float]], train: Any, held: Any
) -> int:
    """How many of the ``held`` epochs (indices into ``spans``, :func:`epoch_spans`: epochs
    of one recording all of one length) share samples with a ``train`` epoch of the same
    recording: onsets closer than an epoch's length, by more than half a sample (onsets
    rounded at odd rates)."""
    table = np.asarray(spans, dtype=np.float64).reshape(-1, 4)
    train_rows = table[np.asarray(train, dtype=np.int64)]
    held_rows = table[np.asarray(held, dtype=np.int64)]
    count = 0
    for rec in np.unique(held_rows[:, 0]).tolist():
        starts = np.sort(train_rows[train_rows[:, 0] == rec, 1])
        mine = held_rows[held_rows[:, 0] == rec]
        if not len(starts):
            continue
        at = np.searchsorted(starts, mine[:, 1])
        before = starts[np.clip(at - 1, 0, len(starts) - 1)]
        after = starts[np.clip(at, 0, len(starts) - 1)]
        near = np.minimum(np.abs(mine[:, 1] - before), np.abs(after - mine[:, 1]))
        count += int(np.sum(near < mine[:, 2] - mine[:, 3] / 2))
    return count


def overlap_split_warning(
    data: Any, train: Any, held: Any, fraction: float, command_line: bool = True
) -> str | None:
    """What to say where a validation ``fraction`` drawn at random held out epochs (indices
    ``held``; ``train``: those trained on) whose time spans overlap training epochs (windows
    of a continuous recording cut with an overlap, ``mne.make_fixed_length_epochs(...,
    overlap=)``): the model is scored on samples it trained on. None where none overlap or
    no times are known (arrays)."""
    spans = epoch_spans(data)
    if spans is None or len(spans) != len(train) + len(held):
        return None
    n = overlapping_held_out(spans, train, held)
    if not n:
        return None
    return (
        f"validation={fraction:g}{_command_line(f'--val {fraction:g}', command_line)} holds "
        f"out epochs drawn at random, and {n} of the {len(held)} held out overlap training "
        "epochs in time (windows of a continuous recording cut with an overlap): the "
        "validation scores them on samples the model trained on, so they, and early "
        "stopping by them, come out better than on new data. Hold out a contiguous block "
        "(groups= with one id per stretch of the recording"
        f"{_command_line('--val-group-column naming a metadata column of such ids, or --val-by recording for several files', command_line, inside=True)}), validate on separate "
        f"data (validation=(held_out_data, held_out_labels)"
        f"{_command_line('--val-data FILE', command_line, inside=True)}), or cut epochs that "
        "do not overlap."
    )


def _array_args_for(data: Any, other: Any, common: dict[str, Any]) -> dict[str, Any]:
    """``common`` for preparing ``data``: without ``ch_names``, ``sfreq`` and ``units`` where
    ``data`` carries its own (epochs, files) and ``other`` (the validation data of training data,
    or the reverse) is the array they describe; otherwise as given, so that inputs carrying their
    own refuse them (:func:`~eegpt.probe_inputs.as_epochs_recording`)."""
    if other is None or carried_source(data) is None or carried_source(other) is not None:
        return common
    return {**common, "ch_names": None, "sfreq": None, "units": "V"}


def _label_groups(data: Any, groups: Any, n: int) -> list[Any] | None:
    """The recording or subject of each of the ``n`` training epochs, for
    :func:`~eegpt.probe_labels.warn_quantity_labels`: ``groups`` where given, else the
    subject (or recording) column of the epochs' metadata (:func:`group_column`), else each
    Epochs of a list; None where none is known (one array, one Epochs without subjects, files)."""
    if groups is not None:
        found = list(np.asarray(groups).tolist())
        return found if len(found) == n else None
    metadata = getattr(data, "metadata", None)
    if metadata is not None and hasattr(metadata, "columns"):
        column = group_column(metadata.columns)
        if column is not None and len(metadata) == n:
            return metadata[column].tolist()
    in_memory = is_epochs_list(data) and not any(isinstance(d, (str, os.PathLike)) for d in data)
    if in_memory:  # files are not read again for their epoch counts
        found = [k for k, d in enumerate(data) for _ in range(len(d))]
        return found if len(found) == n else None
    return None


def _recording_count(data: Any) -> int:
    """How many recordings a list of Epochs or epochs files holds (1 for anything else): its
    distinct files, each Epochs made in memory counted as one, except single epochs (the
    pieces scikit-learn's indexing makes of one Epochs), counted together."""
    if not is_epochs_list(data):
        return 1
    keys: set[Any] = set()
    for d in data:
        source = str(d) if isinstance(d, (str, os.PathLike)) else mne_source(d)
        if source != "<Epochs>":  # a file
            keys.add(str(Path(source).expanduser().resolve()))
        else:
            keys.add(id(d) if len(d) > 1 else "<Epochs>")
    return len(keys)


@honours_verbose
def check_training_data(data: Any, epochs: Any, function: str) -> None:
    """Refuse labelled data given as ``epochs=``, which counts training passes (an easy slip
    in MNE, where "epochs" are the data): say where each goes."""
    is_count = isinstance(epochs, (int, np.integer)) and not isinstance(epochs, bool)
    if data is None or not is_count:
        given = "no data" if is_count else f"epochs={type(epochs).__name__}"
        raise TypeError(
            f"{function}(model, data, ...) takes the labelled epochs (mne.Epochs, a -epo.fif "
            f"path or an array) as its second argument, data; its epochs= keyword is the number "
            f"of training passes (got {given}). Call {function}(model, my_epochs, epochs=100)."
        )
    refuse_embeddings(data, function)


#: Data whose typical amplitude (:func:`typical_amplitude`) is this many times that of a probe's
#: training data, or this many times smaller, are warned about: another unit, most likely.
AMPLITUDE_RATIO = 100.0


def typical_amplitude(windows: np.ndarray) -> float:
    """The median over windows and channels of each one's standard deviation over time, in the
    model's units (millivolts after the scale): a probe's training data's, to tell data in
    another unit apart. Up to 256 windows, spread evenly, are looked at."""
    if not len(windows):
        return 0.0
    step = -(-len(windows) // 256)  # ceil: at most 256
    return float(np.median(np.asarray(windows[::step], dtype=np.float64).std(axis=-1)))


_P = ParamSpec("_P")


def recording_training_warnings(train: Callable[_P, EEGPTProbe]) -> Callable[_P, EEGPTProbe]:
    """Keep the texts of the warnings given while ``train`` ran (the first few, each once) in
    the probe's ``training["warnings"]``, saved in ``probe.json`` and shown by ``eegpt info``:
    a probe trained on microvolts as volts says so wherever it goes. The wrapper has
    ``train``'s signature, for type checkers too."""

    @functools.wraps(train)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> EEGPTProbe:
        with recorded_warnings() as said:
            probe = train(*args, **kwargs)
        add_training_warnings(probe, said)
        return probe

    return wrapper


def add_training_warnings(probe: EEGPTProbe, said: Sequence[str]) -> None:
    """Put ``said`` (warnings given before the training, such as those of reading its files)
    ahead of the warnings the probe's training recorded (``training["warnings"]``, each text
    once, the first :data:`~eegpt.api.MAX_RECORDED_WARNINGS`)."""
    from eegpt.api import MAX_RECORDED_WARNINGS

    kept = [*said, *probe.training.get("warnings", [])]
    probe.training["warnings"] = warning_texts(kept, MAX_RECORDED_WARNINGS)


def _baseline_record(
    baseline: Sequence[float | None] | None,
) -> list[float | None] | None:
    """An epochs' MNE baseline interval as a probe's ``training["epochs_baseline"]`` and
    embeddings' ``metadata["epochs_baseline"]`` record it: ``[start, end]`` (s), or None."""
    if baseline is None:
        return None
    return [None if end is None else float(end) for end in baseline]


def trained_on_epochs(preprocessing: PreprocessingConfig) -> PreprocessingConfig:
    """The preprocessing a probe trained on epochs records: ``preprocessing`` with
    ``start_seconds`` and ``overlap`` 0. A start applies to continuous recordings only (the
    epochs were read with a warning that it is ignored), so a probe kept it as if trained on
    windows from there and cut recordings from it at predict with no note; a start belongs to
    a recording (its hypnogram's grid): set it on :attr:`EEGPTProbe.preprocessing` (command
    line ``--start``) for a recording to predict. An overlap did not apply either (one window
    per epoch), and predictions take theirs when asked (:meth:`EEGPTProbe.predict_proba`'s
    ``overlap``, ``--overlap``): kept, it would be warned of at each prediction."""
    if not preprocessing.start_seconds and not preprocessing.overlap:
        return preprocessing
    return replace(preprocessing, start_seconds=0.0, overlap=0.0)
