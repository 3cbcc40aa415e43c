"""Label files and window labelling for ``eegpt probe``: the labelled epochs its commands read.

Input files (epochs files, ``.npz`` arrays, continuous recordings) are read as labelled epochs
by :func:`load_labelled_epochs` (each file by :func:`_read_one`); their labels come from the
epochs' events or metadata, from a ``--labels`` CSV file, or, for a continuous recording, from
its annotations. Also a recording's time base (:func:`time_base_of`). This module is the entry
to the rest, whose names stay importable from here:

* :mod:`eegpt.label_rows`: a ``--labels`` CSV's rows read and matched to the inputs they are
  for (its ``file`` column), and what a probe records of the file;
* :mod:`eegpt.label_row_alignment`: those rows matched to the inputs' epochs (in order, or by
  their epoch numbers);
* :mod:`eegpt.window_labelling`: ``--window-labels`` (:class:`WindowLabelling`, its options,
  ``--start``, ``--marker-spans``);
* :mod:`eegpt.continuous_windows`: a continuous recording cut into labelled windows, and which
  inputs are continuous recordings.

The command line itself is :mod:`eegpt.probe_cli`.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np

from eegpt._filenames import user_path
from eegpt.continuous_windows import is_continuous_input as _is_continuous_input
from eegpt.continuous_windows import labelled_windows as _labelled_windows
from eegpt.continuous_windows import open_for_windows as open_for_windows
from eegpt.continuous_windows import refuse_unmatched, warn_split_classes
from eegpt.errors import EEGPTUserWarning, MissingFileError, RecordingError
from eegpt.label_row_alignment import (
    align_beyond_dropped,
    align_label_rows,
    check_csv_labels,
    count_mismatch_text,
)
from eegpt.label_rows import LABEL_CSV_SEPARATORS as LABEL_CSV_SEPARATORS
from eegpt.label_rows import LABEL_NUMBER_COLUMNS as LABEL_NUMBER_COLUMNS
from eegpt.label_rows import MAX_IGNORED_NAMES as MAX_IGNORED_NAMES
from eegpt.label_rows import MISSING_LABELS as MISSING_LABELS
from eegpt.label_rows import (
    annotations_table_text,
    ignored_text,
    read_label_rows,
    refuse_inputs_without_rows,
    rows_of_inputs,
    warn_unread_numbers,
)
from eegpt.label_rows import labels_file_record as labels_file_record
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP as DEFAULT_MIN_OVERLAP
from eegpt.rename_tables import Rename
from eegpt.window_labelling import WindowLabelling as WindowLabelling
from eegpt.window_labelling import check_annotation_files as check_annotation_files
from eegpt.window_labelling import first_labelling_onset as first_labelling_onset
from eegpt.window_labelling import implied_labels as implied_labels
from eegpt.window_labelling import labelling_options as labelling_options
from eegpt.window_labelling import marker_spans_options as marker_spans_options
from eegpt.window_labelling import marker_spans_values as marker_spans_values
from eegpt.window_labelling import no_annotations_warning as no_annotations_warning
from eegpt.window_labelling import opened_key as opened_key
from eegpt.window_labelling import parse_marker_spans as parse_marker_spans
from eegpt.window_labelling import parse_window_labels as parse_window_labels
from eegpt.window_labelling import start_given as start_given
from eegpt.window_labelling import window_label_values as window_label_values

if TYPE_CHECKING:  # eegpt.io imports MNE: not on loading
    from eegpt.channels import ChannelRules
    from eegpt.io import Units
    from eegpt.recording import Recording


def _embeddings_given_text(path: Path) -> str:
    """The error for an embeddings file of ``eegpt embed`` given to a probe command: probes take
    recordings or epochs, on which they run the encoder; precomputed embeddings are for
    scikit-learn in Python."""
    return (
        f"{path} is an embeddings file written by eegpt embed, not epochs: probes train (and "
        "predict, evaluate) from recordings or epochs (-epo.fif, .set, .npz arrays X, ch_names, "
        "sfreq; continuous recordings with --window-labels or --annotations), running the "
        "encoder on them themselves. To train on precomputed embeddings use Python: a "
        f"scikit-learn classifier on eegpt.load_embeddings({str(path)!r}).pooled('mean') "
        "(docs/downstream.md)"
    )


#: Names an .npz's arrays are often saved under, by the names an .npz input needs: told in
#: the error for a missing one, never read in its place (another array might be meant).
_NPZ_OTHER_NAMES = {
    "X": ("x", "data", "x_train", "eeg", "epochs", "signals"),
    "ch_names": ("channels", "ch_name", "chan_names", "channel_names", "electrodes"),
    "sfreq": ("fs", "srate", "sampling_rate", "sample_rate", "freq"),
}

#: What each array of an .npz input holds, for the error on one saved as Python objects.
_NPZ_KINDS = {
    "X": "a numeric array, np.asarray(X, dtype=np.float32)",
    "ch_names": "a string array, np.array(names, dtype=str)",
    "sfreq": "a number, float(sfreq)",
    "units": "a string, 'V', 'mV' or 'uV'",
    "y": "an array of strings or numbers, np.asarray(y, dtype=str) for text labels",
}


def _npz_missing_text(path: Path, missing: Sequence[str], files: Sequence[str]) -> str:
    """The error for an .npz input without the arrays ``missing`` (of X, ch_names, sfreq),
    naming the arrays among its ``files`` that look like them (``data`` for ``X``): to be
    saved under the names read, which are not guessed."""
    text = (
        f"{path}: an .npz input needs arrays X [n_epochs, C, T], ch_names and sfreq; missing "
        f"{list(missing)} (has {list(files)})"
    )
    lower = {name.lower(): name for name in files}
    found = [
        (need, lower[other])
        for need in missing
        for other in _NPZ_OTHER_NAMES.get(need, ())
        if other in lower
    ]
    if found:
        names = ", ".join(f"{need}={have}" for need, have in found)
        text += (
            f". If {', '.join(repr(have) for _, have in found)} "
            f"{'is' if len(found) == 1 else 'are'} meant, save "
            f"{'it' if len(found) == 1 else 'them'} under the names eegpt reads: "
            f"np.savez(path, {names}, ...) (it reads no other names, lest it take the "
            "wrong array)"
        )
    return text


def _npz_array(f: Any, key: str, path: Path) -> np.ndarray:
    """The array ``key`` of the open .npz ``f`` (of ``path``); one saved as Python objects
    (a list of strings of mixed kinds, ``dtype=object``) is refused with how to save it, as
    loading it would unpickle (which can run code): :data:`_NPZ_KINDS`."""
    from eegpt.epochs_files import npz_entry

    try:
        return npz_entry(f, key, path)
    except ValueError as err:
        if "allow_pickle" not in str(err):
            raise
        raise ValueError(
            f"{path}: its {key!r} is an array of Python objects (dtype=object), which eegpt "
            f"does not load (loading one unpickles it, which can run code): save {key} as "
            f"{_NPZ_KINDS.get(key, 'a plain NumPy array')}"
        ) from None


def _check_npz_units(units: str, path: Path) -> None:
    """Raise where the ``units`` an .npz at ``path`` names is none that arrays take
    (:func:`eegpt.array_inputs.units_name`), naming the file and the entry: the array's own
    error named neither (``units must be one of [...], got 'nV'``), which in a folder of files
    left the file to be found."""
    from eegpt.array_inputs import UNITS, units_name

    try:
        units_name(units)
    except ValueError as err:
        hint = (
            " (nanovolts: store X * 1e-3 with units='uV')" if units.strip().lower() == "nv" else ""
        )
        raise type(err)(
            f"{path}: its 'units' entry {units!r} is none of {list(UNITS)} (any letter case; "
            f"'MV' is megavolts){hint}: store the unit X is in as one of them, or leave units "
            "out for volts"
        ) from err


def _npz_text(f: Any, key: str, path: Path) -> str:
    """The string ``key`` (``units``) of the open .npz ``f``: a str array of one value, or ASCII
    bytes (``np.bytes_(b'uV')``, as saved from MATLAB or h5py) decoded."""
    value = _npz_array(f, key, path)
    item = value.reshape(()).item() if value.size == 1 else None
    if isinstance(item, bytes):
        try:
            item = item.decode("ascii")
        except UnicodeDecodeError:
            item = None
    if not isinstance(item, str):
        raise ValueError(
            f"{path}: its {key!r} must be one string, got {value!r}: save {key} as "
            f"{_NPZ_KINDS.get(key, 'a string')}"
        )
    return item


def _npz_names(f: Any, path: Path) -> list[str]:
    """The ``ch_names`` of the open .npz ``f``: strings, ASCII bytes decoded (a ``dtype='S'``
    array, as saved from MATLAB or h5py)."""
    names = _npz_array(f, "ch_names", path).reshape(-1).tolist()
    try:
        return [c.decode("ascii") if isinstance(c, bytes) else str(c) for c in names]
    except UnicodeDecodeError:
        raise ValueError(
            f"{path}: its 'ch_names' are bytes that are not ASCII: save them as "
            f"{_NPZ_KINDS['ch_names']}"
        ) from None


def _read_one(
    path: Path,
    verbose: Any = None,
    label_column: str | None = None,
    column_optional: bool = False,
    windows: WindowLabelling | None = None,
    resample: Literal["polyphase", "nearest"] = "polyphase",
    keep: str | Sequence[str] | None = None,
    rename: Rename | None = None,
    picks: str | Sequence[str] = "eeg",
    preprocessing: Any = None,
) -> tuple[Any, np.ndarray | None]:
    """One file -> (epoched Recording in volts, labels or None): the event names, or the
    ``label_column`` of ``epochs.metadata``; with ``column_optional`` (the column a probe was
    trained on, not asked for), an ``.npz``'s own ``y`` and None for epochs without it. A
    continuous recording is cut and labelled as ``windows`` says (and refused without), its
    windows those ``eegpt embed`` cuts, resampled whole with ``resample``
    (:func:`_labelled_windows`). Every channel of the types ``picks`` names (MNE's ``picks``,
    ``--picks``: ``"eeg"``, ``["eeg", "misc"]``) is read; ``keep`` and ``rename`` (the
    channels the probe's mapping keeps and drops) decide which channels marked bad are
    warned of as left out (:func:`eegpt.channel_picks.pick_indices`). While the command cuts
    epochs around the annotations of continuous recordings (``--epochs-around``:
    :func:`eegpt.event_epochs.current_cut`), a continuous recording is read as those epochs,
    one window of ``preprocessing`` (its ``window_seconds``, from its ``crop_tmin``) each,
    labelled by their event names as an ``-epo.fif`` of them is."""
    from eegpt._epochs_header import note_epochs_read
    from eegpt._logging import log
    from eegpt.event_epochs import current_cut
    from eegpt.fif_kinds import refuse_not_recording_fif
    from eegpt.io import (
        Recording,
        array_summary,
        check_sfreq,
        epochs_labels,
        may_hold_epochs,
        read_epochs_file,
        refuse_brainvision_data_file,
        refuse_eeglab_data_file,
    )
    from eegpt.probe_inputs import as_epochs_recording

    if not path.exists():
        from eegpt.formats import broken_link_text

        raise MissingFileError(broken_link_text(path) or f"no such file: {path}")
    refuse_eeglab_data_file(path)  # the samples alone: its .set holds the epochs
    refuse_brainvision_data_file(path)  # likewise, of the .vhdr that names it
    refuse_not_recording_fif(path)  # an evoked (averaged), ICA, ... file of MNE's
    name = path.name
    if windows is not None and _is_continuous_input(path):
        return _labelled_windows(
            path, windows, resample, keep_channels=keep, rename=rename, picks=picks
        )
    if name.endswith((".npz",)):
        from eegpt.epochs_files import open_epochs_npz

        with open_epochs_npz(path) as f:
            missing = [k for k in ("X", "ch_names", "sfreq") if k not in f.files]
            if missing and "embeddings" in f.files:
                raise ValueError(_embeddings_given_text(path))
            if missing:
                raise ValueError(_npz_missing_text(path, missing, f.files))
            units = cast("Units", _npz_text(f, "units", path) if "units" in f.files else "V")
            _check_npz_units(units, path)
            try:
                rec = as_epochs_recording(
                    _npz_array(f, "X", path),
                    ch_names=_npz_names(f, path),
                    sfreq=check_sfreq(_npz_array(f, "sfreq", path), str(path)),
                    units=units,
                    verbose=False,  # its line names the file, not '<array>': below
                )
            except ValueError as err:  # an X or ch_names that do not fit: the file, not <array>
                if not str(err).startswith("<array>: "):
                    raise
                raise RecordingError(f"{path}: {str(err).removeprefix('<array>: ')}") from err
            log(array_summary(rec, str(path)), verbose)
            if label_column is not None and not column_optional:
                raise ValueError(
                    f"{path}: an .npz input has no epochs metadata to take --label-column "
                    f"{label_column!r} from; its labels are its y array, so leave --label-column "
                    "out (or save these epochs as -epo.fif with the column in epochs.metadata)"
                )
            labels = _npz_array(f, "y", path) if "y" in f.files else None
            n_epochs = int(np.shape(rec.data)[0])
            if labels is not None and (labels.ndim != 1 or len(labels) != n_epochs):
                raise ValueError(
                    f"{path}: its y has shape {labels.shape} for the {n_epochs} epochs of its X "
                    f"{tuple(np.shape(rec.data))}: y holds one label per epoch, [n_epochs]; save "
                    "the file again with the labels of its epochs"
                )
        rec = Recording(rec.data, rec.ch_names, rec.sfreq, source=str(path))
        return rec, labels
    cut = current_cut()
    cut_here = cut is not None and not may_hold_epochs(path)  # (an .npz is read above)
    if cut_here or may_hold_epochs(path):
        if cut is not None and cut_here:  # epochs around its annotations, as MNE cuts them
            from eegpt.preprocessing import PreprocessingConfig

            config = preprocessing or PreprocessingConfig()
            epochs = cut.read(path, config.window_seconds, config.crop_tmin, verbose or "error")
        else:
            epochs = read_epochs_file(path, verbose or "error")
        note_epochs_read(path, epochs)  # its metadata, for --val-group-column: not read again
        rec = as_epochs_recording(
            epochs, ch_names=None, sfreq=None, units="V", verbose=verbose, keep=keep,
            rename=rename, picks=picks,
        )  # fmt: skip
        if label_column is None:
            labels = epochs_labels(epochs)
        else:
            metadata = epochs.metadata
            if column_optional and (metadata is None or label_column not in metadata.columns):
                return dataclasses.replace(rec, source=str(path)), None
            if metadata is None or label_column not in metadata.columns:
                has = "no metadata" if metadata is None else f"columns {list(metadata.columns)}"
                raise ValueError(
                    f"{path}: --label-column {label_column!r} is not a column of the epochs' "
                    f"metadata ({has})"
                )
            labels = _column_labels(metadata[label_column])
        return dataclasses.replace(rec, source=str(path)), labels
    raise ValueError(
        f"{path}: not epochs; training and evaluating a probe take labelled epochs: MNE epochs "
        "(*-epo.fif), epoched EEGLAB (.set) or an .npz with X, ch_names, sfreq and y. Cut them "
        "from a continuous recording first (Python: mne.Epochs(raw, events, event_id, tmin=0, "
        "tmax=WINDOW - 1 / raw.info['sfreq'], baseline=None), or "
        "mne.make_fixed_length_epochs(raw, duration=WINDOW); WINDOW: the probe's "
        "window in seconds, --window). Or give the labels of its consecutive windows with "
        "--labels CSV (one row per window), or label the consecutive windows of a continuous "
        "recording by its annotations: --window-labels REGEX (e.g. 'seizure'), with "
        "--unlabelled LABEL for the windows no such annotation covers. `eegpt probe predict` "
        "takes a continuous recording as it is, cut into consecutive windows"
    )


def _column_labels(column: Any) -> np.ndarray:
    """A metadata column as labels; missing cells (NaN, None, pandas' NA) become None."""
    missing = column.isna().to_numpy()
    if not missing.any():
        return column.to_numpy()
    values = column.tolist()
    return np.array([None if m else v for v, m in zip(values, missing, strict=True)], dtype=object)


def _check_column_labels(
    y: np.ndarray,
    sources: list[str],
    selection: list[int],
    label_column: str,
    keep_missing: bool = False,
    classes: np.ndarray | None = None,
) -> None:
    """Refuse epochs without a value in ``label_column`` (unless ``keep_missing``), and a
    column of numbers with fractional parts (:func:`~eegpt.probe_labels.refuse_continuous_labels`;
    unless they are ``classes``, a trained probe's); warn when a column of names looks like identifiers (nearly one class per epoch)."""
    from eegpt._logging import few
    from eegpt.probe_labels import numeric_labels, refuse_continuous_labels

    missing = [i for i, v in enumerate(y.tolist()) if v is None]
    if missing and not keep_missing:
        shown = few([f"{sources[i]} epoch {selection[i]}" for i in missing], 5)
        raise ValueError(
            f"{len(missing)} of {len(y)} epochs have no value in --label-column "
            f"{label_column!r} ({shown}); give every epoch a label with --labels "
            "FILE.csv, or leave those epochs out of the file (in Python: "
            f"epochs = epochs[epochs.metadata[{label_column!r}].notna()]; epochs.save(...); "
            "probe evaluate: --skip-unknown leaves them out)"
        )
    values = [v for v in y.tolist() if v is not None]
    refuse_continuous_labels(values, f"--label-column {label_column!r}", classes=classes)
    if numeric_labels(values) is not None:  # whole numbers: the probe training warns
        return
    n, n_classes = len(values), len(set(values))
    if n_classes > 2 and (n_classes == n or n_classes > max(20, n // 2)):
        warnings.warn(
            f"--label-column {label_column!r} has {n_classes} distinct values in {n} "
            "epochs, and each is a class of the probe, learnt from "
            f"{n / n_classes:.3g} epochs on average: is it an identifier (a trial or "
            "stimulus name) rather than a class? Name a column of classes with --label-column",
            EEGPTUserWarning,
            stacklevel=3,
        )


def selected_epochs(recording: Recording, idx: np.ndarray) -> Recording:
    """The epochs ``idx`` (indices, in order) of the labelled epochs ``recording``
    (:func:`load_labelled_epochs`'s): its data, ``selection`` and ``onsets`` alike;
    ``recording`` itself where ``idx`` keeps every epoch."""
    if len(idx) == len(recording.data):
        return recording
    selection = None if recording.selection is None else [recording.selection[i] for i in idx]
    onsets = None if recording.onsets is None else recording.onsets[idx]
    return dataclasses.replace(
        recording, data=recording.data[idx], selection=selection, onsets=onsets
    )


def _without_bad_windows(
    recording: Any,
    y: np.ndarray,
    sources: list[str],
    lines: list[int],
    bad: Mapping[str, np.ndarray],
) -> tuple[Any, np.ndarray, list[str], list[int]]:
    """The epochs of ``recording`` (from ``sources``, numbered by its ``selection``) but the
    windows of continuous recordings over bad annotations (``bad``: path -> mask over its
    windows), with their labels, sources and label-file lines."""
    selection = list(recording.selection)
    drop = np.array(
        [s in bad and bool(bad[s][k]) for s, k in zip(sources, selection, strict=True)],
        dtype=bool,
    )
    if not drop.any():
        return recording, y, sources, lines
    idx = np.flatnonzero(~drop)
    kept = selected_epochs(recording, idx)  # the bad windows' labels, sources, lines out too
    return kept, y[idx], [sources[i] for i in idx], [lines[i] for i in idx]


def _few_names(paths: Sequence[Any]) -> str:
    """The first three of ``paths`` as given, then how many more: ``"a.edf, b.edf and 4 more"``."""
    from eegpt._logging import few

    return few([str(p) for p in paths], 3)


def load_labelled_epochs(
    paths: Sequence[str | Path],
    labels: str | Path | None = None,
    *,
    label_column: str | None = None,
    column_optional: bool = False,
    require_labels: bool = True,
    keep_missing: bool = False,
    rescale: float = 1.0,
    rename: Rename | None = None,
    resample: Literal["polyphase", "nearest"] = "polyphase",
    windows: WindowLabelling | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
    labels_option: str = "--labels",
    time_bases: dict[str, dict[str, Any]] | None = None,
    unlabelled_only: bool = False,
    preprocessing: Any = None,
    picks: str | Sequence[str] = "eeg",
    classes: np.ndarray | None = None,
    rules: ChannelRules | None = None,
) -> tuple[Any, np.ndarray | None, list[str]]:
    """Read and concatenate labelled epochs files (see the module docstring for the formats).

    Labels are the epochs' event names, or their ``label_column`` of ``epochs.metadata``
    (e.g. ``"condition"``), or the ``label`` column of the CSV file ``labels`` (one row per
    epoch of all files; a blank cell, ``n/a``, ``NA`` or ``nan`` is a missing label). Epochs
    without a label (a missing cell or metadata value) are an error, unless ``keep_missing``
    (their labels are then None) or ``require_labels`` is False; with ``column_optional``
    (the column a probe was trained on) files
    without it give no labels, ``.npz`` files their ``y``. ``rescale`` multiplies the samples
    (volts as read), for files in the wrong unit. Files
    with other channel names or rates are matched by electrode and resampled to 256 Hz with
    ``resample`` (:func:`eegpt.probe.merge_epochs`; ``rename`` applies where a name occurs,
    ``keep`` restricts the electrodes matched, as ``--keep-channels`` does).
    Continuous recordings are taken as ``windows`` says (:class:`WindowLabelling`): their
    consecutive windows labelled by their annotations. ``labels_option``: the option that
    gave ``labels``, as stderr names it (``--val-labels`` for ``--val-data``'s).
    ``time_bases``: a dict to fill with each file's time base (by its name as given,
    :func:`time_base_of`), for the clock of its onsets. ``unlabelled_only``: continuous
    recordings whose windows are all ``windows.unlabelled`` are taken, with a warning (for
    ``probe evaluate``'s false alarms on recordings without events), not refused.
    ``preprocessing``: a :class:`~eegpt.preprocessing.PreprocessingConfig` whose
    ``crop_tmin`` (``--crop``) crops each file's epochs to its window, before they are merged
    (their onsets then those of the cropped epochs); with ``--epochs-around``
    (:func:`eegpt.event_epochs.current_cut`), its window and crop are those of the epochs
    cut from continuous recordings. ``picks``: the channel types read from
    each file (MNE's ``picks``, ``--picks``: ``"eeg"`` by default; ``["eeg", "misc"]`` takes
    electrodes a file types misc too). ``classes``: the classes of the probe evaluated, which
    labels with fractional parts may be (``9.25`` in a CSV for the class ``'9.25'`` of a
    probe trained on MOABB's SSVEP ``y``): not refused as a continuous target. ``rules``: what
    the matching of files of other channel names does with channels outside the vocabulary
    and ``rename`` keys a file lacks (:class:`~eegpt.channels.ChannelRules`, as
    ``--strict-channels`` or the probe's; default: dropped, ignored).

    Returns
    -------
    recording : eegpt.io.Recording
        All epochs ``[n_epochs, C, T]`` in volts; ``selection`` holds each epoch's number in
        its own file (MNE's ``epochs.selection``), ``onsets`` its onset there in seconds (NaN
        for files without onsets, such as ``.npz``; None when no file has them).
    y : ndarray, shape (n_epochs,) | None
        Labels (``None`` only when ``require_labels`` is False and no file has any).
    sources : list of str
        The file each epoch came from.
    """
    from eegpt.io import Recording
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe_inputs import merge_epochs
    from eegpt.probe_labels import check_label_types, refuse_continuous_labels
    from eegpt.windowing import crop_epochs

    if not paths:
        raise ValueError("no input files given")
    recs, ys, sources = [], [], []
    if labels is not None and label_column is not None:
        raise ValueError("give labels either as a CSV (--labels) or as --label-column, not both")
    # a table of onsets and durations (or TUH's start and stop times) is refused first,
    # whatever its other columns: with a 'label' column and as many rows as windows it would
    # otherwise be read as one label per window, its onsets ignored
    table = None if labels is None else annotations_table_text(labels, labels_option)
    if table is not None:
        raise ValueError(f"{labels}: {table}")
    # the file read (its encoding checked) before any recording's line says it labels it
    label_rows = None if labels is None else read_label_rows(user_path(labels))
    for p in paths:
        rec, y = _read_one(
            Path(p), verbose, label_column, column_optional, windows, resample, keep, rename,
            picks, preprocessing,
        )  # fmt: skip
        recs.append(rec)
        ys.append(y)
        sources += [str(p)] * rec.data.shape[0]
        if time_bases is not None:
            time_bases[str(p)] = time_base_of(rec)
    refuse_unmatched(paths, ys, windows, unlabelled_only)
    warn_split_classes(ys, windows)  # '(?i)seizure': 'Seizure' and 'seizure' two classes
    config = PreprocessingConfig(resample=resample)
    if preprocessing is not None and preprocessing.crop_tmin is not None:  # --crop
        config = dataclasses.replace(preprocessing, resample=resample)
        recs = [crop_epochs(r, config) for r in recs]
    merged = merge_epochs(
        recs,
        rename=rename,
        preprocessing=config,
        verbose=verbose,
        keep=keep,
        rules=rules,
    )
    data = merged.data * rescale if rescale != 1.0 else merged.data
    # several files named (a few), for the messages of the merged epochs (which files)
    source = recs[0].source if len(recs) == 1 else f"{len(recs)} files ({_few_names(paths)})"
    # each epoch's number in its own file as MNE counts it (epochs.selection: the `window` of
    # `eegpt embed`) and its onset there, for joining predictions to the trials
    selection = [int(i) for r in recs for i in (r.selection or range(r.data.shape[0]))]
    onsets = None  # NaN for the epochs of files without onsets (.npz)
    if any(r.onsets is not None for r in recs):
        onsets = np.concatenate([
            np.full(r.data.shape[0], np.nan) if r.onsets is None
            else np.asarray(r.onsets, dtype=np.float64)
            for r in recs
        ])  # fmt: skip
    recording = Recording(
        data, merged.ch_names, merged.sfreq, source=source, selection=selection, onsets=onsets,
        projectors=merged.projectors, bads=merged.bads, baseline=merged.baseline,
        tmin=merged.tmin, baseline_recorded=merged.baseline_recorded, units=merged.units,
        detrend=merged.detrend, detrend_recorded=merged.detrend_recorded,
        merged_rates=merged.merged_rates, merged_baselines=merged.merged_baselines,
        rescaled=rescale,  # the amplitude advice counts it: the correction of the files' samples
    )  # fmt: skip
    n = data.shape[0]
    if labels is not None and label_rows is not None:
        inputs = [str(p) for p in paths]
        rows, ignored = rows_of_inputs(label_rows, Path(labels), inputs)
        refuse_inputs_without_rows(rows, Path(labels), inputs, ignored)
        if ignored:  # a master file of more recordings than given
            print(
                f"labels from {labels} ({labels_option}): ignored its "
                f"{ignored_text(ignored, inputs)}, "
                "not among the inputs",
                file=sys.stderr,
            )
        y = rows.labels
        warn_unread_numbers(rows, Path(labels), selection)
        beyond = align_beyond_dropped(rows, Path(labels), sources, selection)
        if len(y) != n and beyond is None:
            lines = rows.line_numbers()
            blank = [lines[k] for k, v in enumerate(y.tolist()) if v is None]  # file lines
            raise ValueError(
                f"{labels} has {len(y)} labels for {n} epochs in the inputs"
                + (
                    f"; {len(blank)} of them missing (a blank line or cell, n/a ...: lines "
                    f"{', '.join(map(str, blank[:5]))}{' ...' if len(blank) > 5 else ''}): "
                    "remove the lines that stand for no epoch"
                    if blank
                    else ""
                )
                + count_mismatch_text(rows, Path(labels), sources, selection)
            )
        y, lines = beyond or align_label_rows(rows, Path(labels), sources, selection)
        if windows is not None and windows.bad:  # matched to all windows: now the bad out
            recording, y, sources, lines = _without_bad_windows(
                recording, y, sources, lines, windows.bad
            )
            selection = cast(list[int], recording.selection)
        if require_labels and not keep_missing:
            check_csv_labels(y, Path(labels), sources, selection, lines)
        if require_labels:  # text as read: '21.9' is no class either
            refuse_continuous_labels(y.tolist(), f"the 'label' column of {labels}", classes=classes)
        counts = {c: int(sum(1 for v in y.tolist() if v == c)) for c in dict.fromkeys(y.tolist())}
        print(
            f"labels from {labels} ({labels_option}), {len(y)} epochs/windows: "
            + ", ".join(f"{'(no label)' if c is None else repr(c)} {k}" for c, k in counts.items()),
            file=sys.stderr,
        )
    elif all(v is not None for v in ys):
        check_label_types([v for part in ys for v in np.asarray(part).tolist()], " of the files")
        y = np.concatenate([np.asarray(v) for v in ys])
        if label_column is not None and require_labels:
            _check_column_labels(y, sources, selection, label_column, keep_missing, classes)
        elif require_labels:
            refuse_continuous_labels(  # typed: text is names ('9.25' Hz, an SSVEP class)
                y.tolist(), "the labels of the inputs (y of .npz files)", read_text=False,
                classes=classes,
            )  # fmt: skip
    elif require_labels:
        unlabelled = [str(p) for p, v in zip(paths, ys, strict=True) if v is None]
        arrays = [p for p in unlabelled if p.endswith(".npz")]
        if column_optional and len(arrays) < len(unlabelled):
            raise ValueError(
                f"no labels for {unlabelled}: the probe was trained on labels from the "
                f"epochs' metadata column {label_column!r}, which they lack; give their "
                "labels with --labels CSV, or name another column with --label-column"
                + (f" (and add y to {arrays})" if arrays else "")
            )
        raise ValueError(f"no labels for {unlabelled}; add y to the .npz or pass --labels")
    elif any(v is not None for v in ys):  # predictions: the labels there are, None elsewhere
        y = np.concatenate([
            np.full(r.data.shape[0], None, dtype=object) if v is None
            else np.asarray(v, dtype=object)
            for r, v in zip(recs, ys, strict=True)
        ])  # fmt: skip
    else:
        y = None
    return recording, y, sources


#: ``meas_date``, ``clock``, ``record_clock``): :func:`eegpt.outputs.window_clock`'s metadata.
TimeBase = dict[str, Any]


def time_base_of(rec: Any) -> TimeBase:
    """The time base of a recording (:class:`eegpt.io.Recording`), as ``eegpt embed`` records
    it in the embeddings' provenance."""
    base: TimeBase = {}
    for key in ("first_time", "meas_date"):
        value = getattr(rec, key, None)
        if value is not None:
            base[key] = value
    if base.get("meas_date") and getattr(rec, "date_clock", None):
        base["clock"] = rec.date_clock
    if getattr(rec, "clock", None) is not None:
        base["record_clock"] = rec.clock.to_dict()
    return base
