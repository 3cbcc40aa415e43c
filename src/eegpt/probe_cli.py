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
it on its own (``python -m eegpt.probe_cli train ...``).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import csv
import dataclasses
import io
import json
import math
import os
import re
import shlex
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import numpy as np

from eegpt.cli import START_FROM_ANNOTATIONS, lower_choice, overlap_seconds, seconds
from eegpt.errors import EEGPTUserWarning

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
# Input files
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class WindowLabelling:
    """How ``--window-labels`` labels a continuous recording: consecutive windows of
    ``window_seconds`` from its first sample, each labelled by the annotation description
    matching ``match`` (a regular expression) that covers at least half of it, else
    ``unlabelled`` (None: such windows are left out). Windows over bad annotations
    (``BAD_...``) are left out either way. ``match`` is a regular expression (each matching
    description a class of its own) or classes ``{label: regex}`` that merge descriptions
    (:func:`eegpt.annotations.window_labels`)."""

    match: str | dict[str, str] | None
    window_seconds: float
    unlabelled: str | None = None
    #: (recording path, annotations file) pairs: annotations kept apart from a recording
    #: (``--annotations``, e.g. Sleep-EDF's hypnograms), joined to its own
    extra: tuple[tuple[str, str], ...] = ()
    #: the first window's onset in seconds from a recording's first sample (``--start``), or
    #: ``"annotations"``: each recording's first labelling annotation's (:meth:`start_of`)
    start_seconds: float | str = 0.0
    #: (recording path, start in s or ``"annotations"``) pairs: one ``--start`` per recording
    starts: tuple[tuple[str, float | str], ...] = ()
    #: the starts taken, recording path -> seconds (filled as the recordings are cut)
    taken: dict[str, float] = dataclasses.field(default_factory=dict, compare=False)
    #: labelling ``probe train``'s ``--val-data`` files (their files: ``--val-annotations``)
    validation: bool = False
    #: ``--labels FILE`` instead of annotations: every window of a recording is kept, its
    #: label the file's (one row per window of the recording, or by window number); only
    #: windows over bad annotations are left out, after the rows are matched to the windows
    labels_file: str | None = None
    #: each recording's windows over bad annotations (path -> mask over all its windows),
    #: filled as the recordings are cut with :attr:`labels_file`
    bad: dict[str, np.ndarray] = dataclasses.field(default_factory=dict, compare=False)

    def annotations(self, rec: Any) -> Any:
        """The recording's own annotations with those of its ``--annotations`` file."""
        from eegpt.annotations import with_extra
        from eegpt.dataset_inputs import file_identity

        mine = file_identity(rec.source)
        extra = next((a for r, a in self.extra if file_identity(r) == mine), None)
        return with_extra(rec, extra)

    @property
    def options(self) -> str:
        """The command-line options that give this labelling."""
        if self.match is None:
            return f"--labels {shlex.quote(str(self.labels_file))}"
        return labelling_options(self.match, self.unlabelled)

    @property
    def per_recording(self) -> bool:
        """Whether the start is a recording's own (``--start annotations``, one per file)."""
        return bool(self.starts) or self.start_seconds == START_FROM_ANNOTATIONS

    def start_of(self, source: Any, annotations: Any, sfreq: float | None = None) -> float:
        """The first window's onset (s from the first sample) in the recording ``source``
        (its path) whose annotations are ``annotations``: its own ``--start``, or with
        ``--start annotations`` the onset of its first annotation matching :attr:`match`
        (:func:`first_labelling_onset`), rounded to whole samples at ``sfreq`` (Hz), the rate
        the windows are cut at (None: the model's 256 Hz, as predict cuts them; train and
        evaluate cut them at the recording's own). Recorded in :attr:`taken`."""
        value = start_given(self.start_seconds, self.starts, source)
        if value == START_FROM_ANNOTATIONS:
            value = first_labelling_onset(annotations, self.match, str(source), sfreq)
        self.taken[str(source)] = float(value)
        return float(value)

    def label(
        self,
        annotations: Any,
        onsets: np.ndarray,
        length_s: float,
        source: Any = None,
        what: str = "windows",
    ) -> tuple[Any, Any]:
        """``(labels, over)`` of the windows at ``onsets`` (seconds from the first sample, of
        ``length_s``) of the recording ``source`` (named in warnings, which call the windows
        ``what``): each one's label (``unlabelled`` where no match covers half of it; object
        array) and the descriptions of the annotations over it (for the bad ones)."""
        from eegpt._logging import ignored_warnings
        from eegpt.annotations import window_annotations, window_labels
        from eegpt.dataset_inputs import file_identity

        # with --unlabelled, a recording without the events is all unlabelled: nothing to say
        quiet = self.unlabelled is not None
        if not quiet and source is not None and (annotations is None or not len(annotations)):
            mine = file_identity(str(source))
            if not any(file_identity(r) == mine for r, _ in self.extra):
                option = "--val-annotations" if self.validation else "--annotations"
                no_annotations_warning(source, option)
                quiet = True  # said plainly: not the window_labels warning too
        with ignored_warnings(message="window_labels: ") if quiet else contextlib.nullcontext():
            labels = window_labels(
                annotations, onsets, length_s, match=self.match,
                source=None if source is None else str(source), what=what,
            )  # fmt: skip
        y = np.array([self.unlabelled if v is None else v for v in labels], dtype=object)
        return y, window_annotations(annotations, onsets, length_s)


def start_given(
    start: float | str, starts: Sequence[tuple[str, float | str]], source: Any
) -> float | str:
    """The ``--start`` given for the recording ``source`` (a path): its own among ``starts``
    (``(path, value)`` pairs, one per recording, matched as the same file however named:
    :func:`eegpt.dataset_inputs.file_identity`), else ``start`` (seconds or
    ``"annotations"``)."""
    from eegpt.dataset_inputs import file_identity

    mine = file_identity(str(source))
    return next((v for r, v in starts if file_identity(r) == mine), start)


def no_annotations_warning(source: Any, option: str = "--annotations") -> None:
    """Warn that the recording ``source`` has no annotations and none were given with
    ``option``: no window of it gets a label (rather than window_labels' warning of an empty
    annotation file, which none was)."""
    from eegpt._logging import warn as _warn

    _warn(
        f"{source} has no annotations and none were given ({option} FILE for its hypnogram): "
        "none of its windows gets a label"
    )


def first_labelling_onset(annotations: Any, match: str | Mapping[str, str] | None,
                          source: str, sfreq: float | None = None) -> float:  # fmt: skip
    """``--start annotations``: the onset (s from the first sample, rounded to whole samples
    at ``sfreq``, the rate windows are cut at: None for the model's 256 Hz, where predict
    cuts them) of the first annotation of ``annotations`` that lasts and matches ``match``
    (:func:`eegpt.annotations.label_rule`) at or after the first sample: a recording's first
    scored epoch. An error naming ``source`` without one."""
    from eegpt.annotations import MODEL_SFREQ, label_rule

    rate = MODEL_SFREQ if sfreq is None else float(sfreq)
    label_of = label_rule(match)
    onsets = [] if annotations is None else [
        float(t) for t, d, desc in zip(annotations.onset, annotations.duration,
                                       annotations.description, strict=True)
        if d > 0 and t > -0.5 / MODEL_SFREQ and label_of(str(desc)) is not None
    ]  # fmt: skip
    if not onsets:
        raise ValueError(
            f"{source}: --start annotations starts the windows at the first annotation matching "
            f"{labelling_options(match) if match is not None else '--window-labels'}, and it "
            "has none in the recording (give its hypnogram with --annotations FILE, or a start "
            "in seconds)"
        )
    return max(0.0, round(min(onsets) * rate) / rate)


def window_label_values(match: str | Mapping[str, str]) -> list[str]:
    """The ``--window-labels`` values that give ``match`` (inverse of
    :func:`parse_window_labels`): the REGEX, or one LABEL=REGEX per class."""
    return [match] if isinstance(match, str) else [f"{k}={v}" for k, v in match.items()]


def labelling_options(match: str | Mapping[str, str], unlabelled: str | None = None) -> str:
    """``--window-labels ...`` (one per class) and ``--unlabelled ...``: how a labelling is
    given on the command line."""
    text = " ".join(f"--window-labels {shlex.quote(v)}" for v in window_label_values(match))
    return text + (f" --unlabelled {shlex.quote(unlabelled)}" if unlabelled is not None else "")


#: ``LABEL=REGEX``: a class of ``--window-labels`` (a label holds no regex syntax).
_CLASS_FORM = re.compile(r"([^=\\^$.|?*+()\[\]{}]+)=(.*)", re.DOTALL)


def parse_window_labels(values: Sequence[str]) -> str | dict[str, str]:
    """``--window-labels`` values as :class:`WindowLabelling`'s ``match``: one REGEX, or
    ``LABEL=REGEX`` values, the classes (a label given twice takes either regex)."""
    classes: dict[str, list[str]] = {}
    for value in values:
        form = _CLASS_FORM.fullmatch(value)
        if form is None or not form[1].strip():
            if len(values) == 1:
                _compiled(value, value)
                return value
            raise ValueError(
                f"--window-labels {value!r}: given several times, each is a class, LABEL=REGEX "
                "(e.g. --window-labels 'seizure=fnsz|gnsz' --window-labels 'background=bckg')"
            )
        label, regex = form[1].strip(), form[2]
        if not regex:
            raise ValueError(f"--window-labels {value!r}: give the class's REGEX after '='")
        _compiled(regex, value)
        classes.setdefault(label, []).append(regex)
    return {k: v[0] if len(v) == 1 else "|".join(f"(?:{r})" for r in v) for k, v in classes.items()}


def _compiled(regex: str, value: str) -> None:
    try:
        re.compile(regex)
    except re.error as err:
        raise ValueError(f"--window-labels {value!r}: not a regular expression ({err})") from None


def _labelled_windows(path: Path, how: WindowLabelling) -> tuple[Any, np.ndarray]:
    """A continuous recording as epochs (the windows ``how`` keeps, in volts, numbered and
    timed in the recording) and their labels from its own annotations."""
    from eegpt._logging import few
    from eegpt.annotations import bad_windows, describe_bad, label_rule
    from eegpt.errors import RecordingError
    from eegpt.io import Recording, as_recording
    from eegpt.preprocessing import SAMPLE_TOLERANCE

    rec = cast(Recording, as_recording(path, verbose=False))  # a path: one recording
    length = int(round(how.window_seconds * rec.sfreq))
    if length < 1 or abs(length / rec.sfreq - how.window_seconds) > 0.5 / rec.sfreq:
        raise ValueError(
            f"{path}: windows of {how.window_seconds:g} s are no whole number of samples at "
            f"{rec.sfreq:g} Hz; choose a window that is"
        )
    annotations = how.annotations(rec)
    start = how.start_of(path, annotations, rec.sfreq)  # cut at the recording's rate
    first = int(round(start * rec.sfreq))
    if abs(first - start * rec.sfreq) > SAMPLE_TOLERANCE:
        raise ValueError(
            f"{path}: --start {start:.10g} s is {start * rec.sfreq:.10g} samples at the recording's "
            f"{rec.sfreq:g} Hz, where train and evaluate cut its windows (predict cuts them at "
            "the model's 256 Hz): give a start that is whole samples at both rates, such as "
            f"{first / rec.sfreq:.10g} s if it is"
        )
    n = max(0, rec.data.shape[-1] - first) // length
    if n == 0:
        raise RecordingError(
            f"{path}: the recording lasts {rec.data.shape[-1] / rec.sfreq:.3f} s, shorter than "
            f"one window ({how.window_seconds:g} s)"
            + (f" after --start {start:g}" if first else "")
        )
    onsets = (first + np.arange(n) * length) / rec.sfreq
    if how.match is None:  # --labels FILE: every window, labelled by the file
        return _windows_for_labels_file(path, how, rec, annotations, onsets, first, n, length,
                                        start)  # fmt: skip
    y, over = how.label(annotations, onsets, length / rec.sfreq, path)
    bad = bad_windows(over)
    unmatched = ~bad & np.array([v is None for v in y], dtype=bool)  # no --unlabelled class
    keep = ~bad & ~unmatched
    counts = {c: int((y[keep] == c).sum()) for c in dict.fromkeys(y[keep].tolist())}
    said = ", ".join(f"{c!r} {k}" for c, k in counts.items()) or "none labelled"
    left = []
    if bad.any():
        left.append(f"left out {int(bad.sum())} over bad annotations ({describe_bad(over)})")
    if unmatched.any():
        left.append(
            f"left out {int(unmatched.sum())} that no annotation matching "
            f"{labelling_options(how.match)} covers "
            "(--unlabelled LABEL keeps them as a class)"
        )
    found = [] if annotations is None else annotations.description
    descriptions = sorted({str(d) for d in found})
    label_of = label_rule(how.match)
    if not any(label_of(d) is not None for d in descriptions):
        left.append(
            f"no annotation matches {labelling_options(how.match)} (its descriptions: "
            f"{few([repr(d) for d in descriptions], 8) or 'none'})"
        )
    print(
        f"{path}: {n} windows of {how.window_seconds:g} s"
        + (f" from {start:g} s" if how.per_recording else "")
        + f": {said}"
        + (f"; {'; '.join(left)}" if left else ""),
        file=sys.stderr,
    )
    if not keep.any():
        hint = ""
        if how.validation and not how.extra:
            hint = (
                "; --annotations applies to the training files only: give the --val-data "
                "recordings' annotation files (hypnograms) with --val-annotations FILE, one "
                "per continuous --val-data recording"
            )
        raise ValueError(
            f"{path}: no window labelled by {how.options}"
            + ("" if how.unlabelled is not None else " (and no --unlabelled class given)")
            + hint
        )
    data = _consecutive_windows(rec.data, first, n, length)
    epochs = dataclasses.replace(
        rec, data=np.ascontiguousarray(data[keep]), onsets=onsets[keep],
        selection=np.flatnonzero(keep).tolist(), annotations=None, epoch_annotations=None,
        labels=None, source=str(path),
    )  # fmt: skip
    return epochs, y[keep]


def _consecutive_windows(data: np.ndarray, first: int, n: int, length: int) -> np.ndarray:
    """The ``n`` consecutive windows of ``length`` samples from sample ``first`` of a
    continuous recording's ``data`` ``[C, n_times]``, as ``[n, C, length]`` (a view)."""
    return data[:, first : first + n * length].reshape(data.shape[0], n, length).transpose(1, 0, 2)


def _windows_for_labels_file(
    path: Path,
    how: WindowLabelling,
    rec: Any,
    annotations: Any,
    onsets: np.ndarray,
    first: int,
    n: int,
    length: int,
    start: float,
) -> tuple[Any, np.ndarray]:
    """All ``n`` windows of a continuous recording for ``--labels FILE`` (no labels yet: the
    file's rows are matched to them by :func:`load_labelled_epochs`, which then leaves out
    those over bad annotations, kept in ``how.bad``)."""
    from eegpt.annotations import bad_windows, describe_bad, window_annotations

    over = window_annotations(annotations, onsets, length / rec.sfreq)
    bad = bad_windows(over)
    how.bad[str(path)] = bad
    print(
        f"{path}: {n} windows of {how.window_seconds:g} s"
        + (f" from {start:g} s" if how.per_recording or start else "")
        + f", labelled by the rows of {how.labels_file} (its annotations label none)"
        + (
            f"; {int(bad.sum())} over bad annotations ({describe_bad(over)}) left out after "
            "the rows are matched to the windows"
            if bad.any()
            else ""
        ),
        file=sys.stderr,
    )
    data = _consecutive_windows(rec.data, first, n, length)
    epochs = dataclasses.replace(
        rec, data=np.ascontiguousarray(data), onsets=onsets,
        selection=list(range(n)), annotations=None, epoch_annotations=None, labels=None,
        source=str(path),
    )  # fmt: skip
    return epochs, np.full(n, None, dtype=object)


def _refuse_unmatched(
    paths: Sequence[str | Path], ys: list[Any], windows: WindowLabelling | None
) -> None:
    """Refuse ``--window-labels`` that labelled no window of any continuous recording (all
    of them ``--unlabelled``): a regular expression that matches none of their annotations
    (each file's line above lists its descriptions)."""
    if windows is None or windows.unlabelled is None:
        return
    continuous = [y for p, y in zip(paths, ys, strict=True) if _is_continuous_input(Path(p))]
    if continuous and all(set(y.tolist()) <= {windows.unlabelled} for y in continuous):
        raise ValueError(
            f"{windows.options} labelled no window of the continuous recordings "
            f"(all of them {windows.unlabelled!r}): it matches none of their annotations "
            "that cover half a window (their descriptions are listed above; MNE names "
            "BrainVision markers 'Comment/seizure', EEGLAB events as written)"
        )


def _read_one(
    path: Path,
    verbose: Any = None,
    label_column: str | None = None,
    column_optional: bool = False,
    windows: WindowLabelling | None = None,
) -> tuple[Any, np.ndarray | None]:
    """One file -> (epoched Recording in volts, labels or None): the event names, or the
    ``label_column`` of ``epochs.metadata``; with ``column_optional`` (the column a probe was
    trained on, not asked for), an ``.npz``'s own ``y`` and None for epochs without it. A
    continuous recording is cut and labelled as ``windows`` says (and refused without)."""
    from eegpt.io import (
        Recording,
        epochs_labels,
        may_hold_epochs,
        read_epochs_file,
        refuse_brainvision_data_file,
        refuse_eeglab_data_file,
    )
    from eegpt.probe_inputs import as_epochs_recording

    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    refuse_eeglab_data_file(path)  # the samples alone: its .set holds the epochs
    refuse_brainvision_data_file(path)  # likewise, of the .vhdr that names it
    name = path.name
    if windows is not None and _is_continuous_input(path):
        return _labelled_windows(path, windows)
    if name.endswith((".npz",)):
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in ("X", "ch_names", "sfreq") if k not in f.files]
            if missing:
                raise ValueError(
                    f"{path}: an .npz input needs arrays X [n_epochs, C, T], ch_names and sfreq; "
                    f"missing {missing} (has {f.files})"
                )
            # (as_recording checks the unit the file names)
            units = cast(
                'Literal["V", "mV", "uV", "µV"]', str(f["units"]) if "units" in f.files else "V"
            )
            rec = as_epochs_recording(
                f["X"],
                ch_names=[str(c) for c in f["ch_names"].tolist()],
                sfreq=float(f["sfreq"]),
                units=units,
                verbose=verbose,
            )
            if label_column is not None and not column_optional:
                raise ValueError(
                    f"{path}: an .npz input has no epochs metadata to take --label-column "
                    f"{label_column!r} from; its labels are its y array, so leave --label-column "
                    "out (or save these epochs as -epo.fif with the column in epochs.metadata)"
                )
            labels = f["y"] if "y" in f.files else None
        rec = Recording(rec.data, rec.ch_names, rec.sfreq, source=str(path))
        return rec, labels
    if may_hold_epochs(path):
        epochs = read_epochs_file(path, verbose or "error")
        rec = as_epochs_recording(epochs, ch_names=None, sfreq=None, units="V", verbose=verbose)
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
) -> None:
    """Refuse epochs without a value in ``label_column`` (unless ``keep_missing``); warn when
    the column looks continuous (nearly one class per epoch)."""
    from eegpt._logging import few

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
    n, n_classes = len(values), len(set(values))
    fractional = all(isinstance(v, float) for v in values) and any(v != int(v) for v in values)
    if n_classes > 2 and (
        n_classes == n
        or n_classes > max(20, n // 2)
        or (fractional and n_classes > max(5, n // 10))
    ):
        warnings.warn(
            f"--label-column {label_column!r} has {n_classes} distinct values in {n} "
            "epochs, and each value is a class of the probe; is it a continuous measure "
            "(reaction time, amplitude)? A probe classifies: bin it into a few classes first.",
            EEGPTUserWarning,
            stacklevel=3,
        )


MISSING_LABELS = frozenset({"", "n/a", "na", "nan"})
"""Cells of a labels CSV that mean "no label" (compared stripped and in lower case): blank,
``n/a``, ``NA``, ``nan`` (values pandas also reads as missing)."""


#: Separators of a labels CSV: commas, semicolons (Excel's CSV where the decimal mark is a
#: comma, as in much of Europe) and tabs.
LABEL_CSV_SEPARATORS = (",", ";", "\t")


def _label_csv_layout(path: Path, text: str) -> tuple[str, int]:
    """``(separator, column)`` of the labels CSV ``text`` (of ``path``): the separator of
    :data:`LABEL_CSV_SEPARATORS` whose header row has a ``label`` column, in any case
    (``Label``, ``LABEL``; an exact ``label`` first), and that column's index."""
    first = text.splitlines()[0] if text.strip() else ""
    for sep in LABEL_CSV_SEPARATORS:
        header = [c.strip() for c in next(csv.reader(io.StringIO(text), delimiter=sep), [])]
        named = [i for i, cell in enumerate(header) if cell.lower() == "label"]
        if named:
            return sep, header.index("label") if "label" in header else named[0]
    sep = max(LABEL_CSV_SEPARATORS, key=first.count)  # the likeliest, for the message
    header = next(csv.reader([first], delimiter=sep), [])
    said = {",": "commas", ";": "semicolons", "\t": "tabs"}
    found = (
        "it is empty"
        if not first.strip()
        else f"its first line {first!r} reads as the columns {header}"
        + (f" (separated by {said[sep]})" if sep in first else " (no separator)")
    )
    raise ValueError(
        f"{path}: a labels CSV (--labels) needs a header row with a 'label' column (any case), "
        f"the columns separated by commas, semicolons or tabs; {found}. Add the header 'label' "
        "above the labels, one row per epoch"
    )


#: Header names (any case) of a labels CSV's column of epoch numbers: ``epoch``, as ``eegpt
#: probe predict`` writes it, and ``window``, as ``eegpt export`` and Parquet outputs do.
LABEL_NUMBER_COLUMNS = ("epoch", "window")


@dataclasses.dataclass(frozen=True)
class _LabelRows:
    """The rows of a labels CSV: ``labels`` (None where missing), and where the header names
    them, each row's epoch number as written (``numbers``, of the column ``number_column``) and
    input file (``files``, of a ``file`` column), and each row's line in the file (``lines``;
    None: the rows are the file's from line 2 on, none left out: :func:`_rows_of_inputs`)."""

    labels: np.ndarray
    numbers: list[str] | None = None
    number_column: str | None = None
    files: list[str] | None = None
    lines: list[int] | None = None

    def line_numbers(self) -> list[int]:
        """Each row's line in the file (the header is line 1)."""
        return list(range(2, len(self.labels) + 2)) if self.lines is None else list(self.lines)


def _header_column(header: list[str], names: Sequence[str]) -> int | None:
    """The index of the first of ``names`` among ``header``'s cells (any case), or None."""
    lowered = [cell.strip().lower() for cell in header]
    return next((lowered.index(name) for name in names if name in lowered), None)


def _read_label_rows(path: Path) -> _LabelRows:
    """The ``label`` column of a CSV, one row per epoch; a missing label (a cell of
    :data:`MISSING_LABELS`: blank, ``n/a``, ``NA``, ``nan``) is None. The column's name is
    read in any case, the separator is a comma, semicolon or tab (:func:`_label_csv_layout`),
    and a byte-order mark (Excel's "CSV UTF-8") is no part of the header. An ``epoch`` (or
    ``window``) column and a ``file`` column are kept to align the rows to the epochs."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        text = fh.read()
    sep, column = _label_csv_layout(path, text)
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    while rows and not rows[-1]:  # blank lines at the end are no rows
        rows.pop()

    def cells(k: int | None) -> list[str] | None:
        # a short row has no such cell: '' (no label, no number)
        return None if k is None else [row[k] if k < len(row) else "" for row in rows]

    # a blank line inside is a row with a blank label (csv.DictReader would skip it, and every
    # later label would belong to the epoch before its own); a short row has no label either
    labels = [row[column] if column < len(row) else None for row in rows]
    missing = [v is None or v.strip().lower() in MISSING_LABELS for v in labels]
    if not any(missing):
        y = np.array(labels)
    else:
        y = np.array([None if m else v for v, m in zip(labels, missing, strict=True)], dtype=object)
    number = _header_column(header, LABEL_NUMBER_COLUMNS)
    return _LabelRows(
        y,
        numbers=cells(number),
        number_column=None if number is None else header[number].strip(),
        files=cells(_header_column(header, ("file",))) if number is not None else None,
    )


def _numbers_text(numbers: Sequence[int]) -> str:
    """``"1 to 8"`` for consecutive numbers, else the first few of them."""
    from eegpt._logging import few

    values = sorted(set(numbers))
    if len(values) > 2 and values[-1] - values[0] == len(values) - 1:
        return f"{values[0]} to {values[-1]}"
    return few([str(v) for v in values], 5)


def _row_numbers(rows: _LabelRows, path: Path) -> list[int]:
    """The epoch numbers of a labels CSV's rows as integers; refused where one is not."""
    numbers = []
    for line, cell in zip(rows.line_numbers(), rows.numbers or [], strict=True):
        try:
            numbers.append(int(cell.strip()))
        except ValueError:
            raise ValueError(
                f"{path}, line {line}: {cell!r} in the {rows.number_column!r} column is no epoch "
                "number; that column numbers the epochs the labels belong to (whole numbers, "
                f"from 0 or from 1). Fix the cell, or leave the {rows.number_column!r} column "
                "out to take the rows in the order of the epochs"
            ) from None
    return numbers


def _cell_parts(cell: str) -> tuple[str, ...]:
    """The components of a path as a labels table's ``file`` cell writes it (separated by
    ``/`` or ``\\``, as a table written on Windows has them), without ``.`` components."""
    return tuple(part for part in re.split(r"[/\\]+", cell) if part not in ("", "."))


def _input_tails(given: str) -> list[tuple[str, ...]]:
    """The components of an input's path whose tails a ``file`` cell may be: as given made
    absolute (a link's own folders) and resolved (the folders it is in)."""
    forms = [Path(os.path.abspath(given)).parts]
    try:
        forms.append(Path(given).resolve().parts)
    except (OSError, RuntimeError):
        pass
    return forms


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _match_row_files(rows: _LabelRows, path: Path, inputs: Sequence[str]) -> list[str | None]:
    """The input each row's ``file`` cell of the labels CSV ``path`` names, None for a row
    of a file not given (a master table of more recordings, :func:`_rows_of_inputs`): the
    one matching of ``--labels``, ``--val-labels`` and predict/evaluate's ``--labels``.

    A cell names an input that is it as given; or the same file, the cell taken relative to
    the labels file's folder or the current one (or absolute); or, a relative path, a tail of
    the input's path (``sub-01/ses-1/eeg-epo.fif`` names ``/data/sub-01/ses-1/eeg-epo.fif``,
    not ``/data/sub-02/ses-1/eeg-epo.fif``). A bare file name names the input of that name
    where one input has it and no other cell of the table names a file of that name in a
    folder. Refused where a cell could be several inputs, or a bare name could be several of
    the table's files: the message asks for paths in the table."""
    from eegpt._logging import few

    if rows.files is None:
        return []
    given = list(dict.fromkeys(str(p) for p in inputs))
    cells = [cell.strip() for cell in rows.files]
    distinct = list(dict.fromkeys(cells))
    line_of: dict[str, int] = {}
    for line, cell in zip(rows.line_numbers(), cells, strict=True):
        line_of.setdefault(cell, line)
    tails = {g: _input_tails(g) for g in given}
    resolved = {g: _resolved(Path(g)) for g in given}
    folders = [path.parent, Path.cwd()]
    named: dict[str, str | None] = {}
    for cell in distinct:
        parts = _cell_parts(cell)
        if not parts:
            named[cell] = None
            continue
        if cell in given:
            named[cell] = cell
            continue
        places = [Path(cell)] if os.path.isabs(cell) else [f / cell for f in folders]
        same = [g for g in given for place in places
                if resolved[g] is not None and _resolved(place) == resolved[g]]  # fmt: skip
        if same:
            named[cell] = same[0]
            continue
        if os.path.isabs(cell) or ".." in parts:  # no tail: the file it is, or none given
            named[cell] = None
            continue
        hits = [g for g in given if any(t[-len(parts) :] == parts for t in tails[g])]
        if len(hits) > 1:
            what = "file name" if len(parts) == 1 else "path"
            raise ValueError(
                f"{path}, line {line_of[cell]}: the file {cell!r} in its 'file' column is "
                f"ambiguous: {len(hits)} of the inputs have that {what} ({few(hits, 5)}), so "
                "the rows cannot be told apart by input. Name each row's input in the 'file' "
                "column by as much of its path as tells it from the others (sub-01/ses-1/"
                "eeg-epo.fif), or by its path as given (as `eegpt probe predict` writes it)"
            )
        if hits and len(parts) == 1:
            others = [c for c in distinct if c != cell and _cell_parts(c)[-1:] == parts]
            if others:
                raise ValueError(
                    f"{path}, line {line_of[cell]}: the bare file name {cell!r} in its 'file' "
                    f"column is ambiguous: the table also names {few(others, 3)} (line "
                    f"{line_of[others[0]]}), a file of that name, so it may stand for "
                    f"another file than the input {hits[0]}. Give that input's rows its path "
                    "(as much of it as tells the files apart: sub-01/ses-1/eeg-epo.fif)"
                )
        named[cell] = hits[0] if hits else None
    return [named[cell] for cell in cells]


def _row_files(rows: _LabelRows, path: Path, sources: list[str]) -> list[str]:
    """The input each row's ``file`` cell names (:func:`_match_row_files`); refused where
    one names none of the inputs."""
    from eegpt._logging import few

    inputs = list(dict.fromkeys(sources))
    out = []
    matched = _match_row_files(rows, path, inputs)
    for line, cell, named in zip(rows.line_numbers(), rows.files or [], matched, strict=True):
        if named is None:
            raise ValueError(
                f"{path}, line {line}: the file {cell.strip()!r} is none of the inputs "
                f"({few(inputs, 5)}); its 'file' column says which input each row's epoch "
                "is of: give the inputs' paths there (as `eegpt probe predict` writes them)"
            )
        out.append(named)
    return out


def _rows_of_inputs(
    rows: _LabelRows, path: Path, inputs: Sequence[str]
) -> tuple[_LabelRows, dict[str, int]]:
    """The rows of the labels CSV ``path`` for ``inputs`` (the files given), and the number
    of rows left out for each other file its ``file`` column names (as written): a master
    file of all recordings, of which the command line gives some (leave-subjects-out). A row
    is for the input its ``file`` cell names (:func:`_match_row_files`: the input's path, a
    tail of it such as ``sub-01/ses-1/eeg-epo.fif``, or its file name where that is no
    other's). A file without a ``file`` column is returned whole."""
    if rows.files is None:
        return rows, {}
    cells = [cell.strip() for cell in rows.files]
    keep = [named is not None for named in _match_row_files(rows, path, inputs)]
    if all(keep):
        return rows, {}
    ignored: dict[str, int] = {}
    for cell, kept in zip(cells, keep, strict=True):
        if not kept:
            ignored[cell] = ignored.get(cell, 0) + 1
    idx = [k for k, kept in enumerate(keep) if kept]
    lines = rows.line_numbers()
    return dataclasses.replace(
        rows,
        labels=rows.labels[idx],
        numbers=None if rows.numbers is None else [rows.numbers[k] for k in idx],
        files=[rows.files[k] for k in idx],
        lines=[lines[k] for k in idx],
    ), ignored


def _ignored_text(ignored: Mapping[str, int], inputs: Sequence[str] = ()) -> str:
    """``"80 rows for 2 other files (sub-3-epo.fif, sub-4-epo.fif)"``: the rows of a labels
    CSV :func:`_rows_of_inputs` left out, with the files they were for (a few, each by its
    file name, or by as much of its path as tells it from the others and the ``inputs``:
    ``sub-02/ses-1/eeg-epo.fif``)."""
    from eegpt._logging import few
    from eegpt.probe_provenance import distinct_names

    n = sum(ignored.values())
    files = len(ignored)
    named = distinct_names([*ignored, *(str(p) for p in inputs if str(p) not in ignored)])
    return (
        f"{n} row{'' if n == 1 else 's'} for {files} other file{'' if files == 1 else 's'} "
        f"({few([named[c] for c in ignored], 5)})"
    )


def _refuse_inputs_without_rows(
    rows: _LabelRows, path: Path, inputs: Sequence[str], ignored: Mapping[str, int]
) -> None:
    """Refuse inputs of which a labels CSV whose ``file`` column named other files
    (``ignored``, left out by :func:`_rows_of_inputs`; ``rows``: those kept) has no row: a
    file name mistyped on one side or the other, which would otherwise leave its rows
    ignored. The message names the ignored files closest to each such input's name
    (:func:`difflib.get_close_matches`), by their cells."""
    import difflib

    if not ignored or rows.files is None:
        return
    named = set(_match_row_files(rows, path, inputs))
    missing = [p for p in dict.fromkeys(str(q) for q in inputs) if p not in named]
    if not missing:
        return
    by_name: dict[str, list[str]] = {}
    for cell in ignored:
        by_name.setdefault(Path(cell).name, []).append(cell)
    said = []
    for p in missing:
        close = difflib.get_close_matches(Path(p).name, list(by_name), n=3, cutoff=0.6)
        cells = [c for name in close for c in by_name[name]][:3]
        said.append(p + (f" (closest names there: {', '.join(cells)})" if cells else ""))
    raise ValueError(
        f"{path}: its 'file' column gives no row for {len(missing)} of the inputs: "
        f"{'; '.join(said)}; its {_ignored_text(ignored, inputs)} were ignored, as rows for "
        "files not given are. Check the file names: the 'file' column names each row's input "
        "by its path as given, by the end of its path (sub-01/ses-1/eeg-epo.fif: the folders "
        "a relative path names must be the input's), or by its file name alone"
    )


def labels_file_record(path: str | Path, inputs: Sequence[str | Path]) -> dict[str, Any]:
    """A ``--labels`` file as a probe or its output records it
    (:func:`eegpt.probe_provenance.file_record`), with ``rows_ignored`` where its ``file``
    column names files other than ``inputs`` (the files it labelled), whose rows were left
    out (:func:`_rows_of_inputs`): ``{"rows": 80, "files": 2, "names": [...]}``, the names
    of the first few of those files (their file names: no folder is recorded)."""
    from eegpt.probe_provenance import file_record

    record = file_record(path)
    _, ignored = _rows_of_inputs(_read_label_rows(Path(path)), Path(path), [str(p) for p in inputs])
    if ignored:
        names = list(dict.fromkeys(Path(c).name for c in ignored))
        record["rows_ignored"] = {
            "rows": sum(ignored.values()), "files": len(ignored),
            "names": names[:MAX_IGNORED_NAMES],
        }  # fmt: skip
    return record


#: How many of the files whose rows of a labels file were ignored its record names.
MAX_IGNORED_NAMES = 5


def _extra_rows_text(
    rows: _LabelRows, files: list[str], numbers: list[int], keys: list[tuple[str, int]]
) -> str:
    """``"; its rows for .../x.fif (named 'x.fif' there) number 40 to 79 besides ..."``: the
    rows of a labels CSV, more than the inputs have epochs, that number no epoch of the input
    their ``file`` cell names, or one another row numbers too (counted from 0 or from 1,
    whichever leaves fewer): as rows of several files of one name named by it alone are;
    "" where there are none."""
    from collections import Counter

    known = set(keys)
    best: dict[str, list[int]] | None = None
    for base in (0, 1):
        seen: Counter[tuple[str, int]] = Counter()
        extra: dict[str, list[int]] = {}
        for f, k in zip(files, numbers, strict=True):
            seen[(f, k - base)] += 1
            if (f, k - base) not in known or seen[(f, k - base)] > 1:
                extra.setdefault(f, []).append(k)
        if best is None or sum(map(len, extra.values())) < sum(map(len, best.values())):
            best = extra
    if not best:
        return ""
    cells: dict[str, set[str]] = {}
    for f, cell in zip(files, rows.files or [], strict=True):
        cells.setdefault(f, set()).add(cell.strip())
    said = "; ".join(
        f"{f} (named {', '.join(repr(c) for c in sorted(cells[f]))} there): {_numbers_text(ks)}"
        for f, ks in best.items()
    )
    bare = any(len(_cell_parts(c)) == 1 for f in best for c in cells[f])
    return (
        f"; its {rows.number_column!r} column numbers {sum(map(len, best.values()))} rows "
        f"beyond the epochs of the input their 'file' cell names ({said})"
        + (
            ": rows of several files of one name, named by the file name alone? Name each "
            "row's file by its path (as much of it as tells the files apart: "
            "sub-01/ses-1/eeg-epo.fif)"
            if bare
            else ""
        )
    )


def _count_mismatch_text(
    rows: _LabelRows, path: Path, sources: list[str], selection: list[int]
) -> str:
    """Why a labels CSV has another number of rows than the inputs have epochs, where its
    columns tell: rows numbering no epoch of the input they name, or one another row numbers
    too (where a ``file`` cell names it by its file name alone: rows of another file of that
    name, whose path the table should give), or the epochs (windows) its numbers leave without a row, counted from 0 or from 1
    (whichever leaves fewer); "" where they tell nothing. ``rows``: those of the inputs
    (rows for other files left out: :func:`_rows_of_inputs`)."""
    files = None
    if rows.files is not None:
        cells = [cell.strip() for cell in rows.files]
        matched = _match_row_files(rows, path, sources)
        files = [c if m is None else m for c, m in zip(cells, matched, strict=True)]
    if rows.numbers is None:
        return ""
    try:
        numbers = [int(cell.strip()) for cell in rows.numbers]
    except ValueError:
        return ""
    named = files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    if len(set(keys)) < len(keys):
        return ""
    row_files = files if files is not None else [""] * len(numbers)
    if rows.files is not None and len(numbers) > len(keys):
        extra = _extra_rows_text(rows, row_files, numbers, keys)
        if extra:
            return extra
    best: list[tuple[str, int]] | None = None
    base_of_best = 0
    for base in (0, 1):
        given = {(f, k - base) for f, k in zip(row_files, numbers, strict=True)}
        missing = [key for key in keys if key not in given]
        if best is None or len(missing) < len(best):
            best, base_of_best = missing, base
    if not best:
        return ""
    scheme = "from 0, as eegpt counts" if base_of_best == 0 else "from 1, as EEGLAB counts"
    by_file: dict[str, list[int]] = {}
    for f, k in best:
        by_file.setdefault(f, []).append(k + base_of_best)
    listed = "; ".join(
        (f"{Path(f).name}: " if f else "") + _numbers_text(ks) for f, ks in by_file.items()
    )
    return (
        f"; its {rows.number_column!r} column gives no row for {len(best)} epoch(s)/window(s) "
        f"of the inputs (numbered {scheme}): {listed}. Give every epoch a row"
    )


def _align_label_rows(
    rows: _LabelRows, path: Path, sources: list[str], selection: list[int]
) -> tuple[np.ndarray, list[int]]:
    """The labels of a labels CSV in the order of the epochs, and each epoch's line in the
    file. Rows are taken in order unless the file numbers them (an ``epoch`` or ``window``
    column, :func:`_read_label_rows`): then each row goes to the epoch of its number, counted
    from 0 (as eegpt counts: MNE's epoch numbers, the ``epoch`` of ``eegpt probe predict``) or
    from 1 (as EEGLAB and MATLAB count), whichever numbers the epochs of the inputs (in the
    input its ``file`` column names), with a warning that the rows are in another order.
    Numbers that match neither are refused, saying why."""
    from eegpt._logging import warn as _warn

    labels, lines = rows.labels, rows.line_numbers()
    if rows.numbers is None:
        return labels, lines
    numbers = _row_numbers(rows, path)
    files = _row_files(rows, path, sources) if rows.files is not None else [""] * len(numbers)
    named = rows.files is not None
    keys = [(src if named else "", int(i)) for src, i in zip(sources, selection, strict=True)]
    for base in (0, 1):
        ordered = [(f, k - base) for f, k in zip(files, numbers, strict=True)]
        if ordered == keys:  # the rows in the order of the epochs
            return labels, lines
        if len(set(keys)) == len(keys) and sorted(ordered) == sorted(keys):
            row_of = {key: j for j, key in enumerate(ordered)}
            order = [row_of[key] for key in keys]
            counted = "from 0, as eegpt counts" if base == 0 else "from 1, as EEGLAB counts"
            _warn(
                f"{path}: its rows are not in the order of the epochs; the labels go to the "
                f"epochs by its {rows.number_column!r} column (numbered {counted})"
            )
            return labels[order], [lines[j] for j in order]
    raise ValueError(_unaligned_text(rows, path, numbers, files, keys))


def _unaligned_text(
    rows: _LabelRows,
    path: Path,
    numbers: list[int],
    files: list[str],
    keys: list[tuple[str, int]],
) -> str:
    """Why the epoch numbers of a labels CSV match the epochs of the inputs neither counted
    from 0 nor from 1."""
    from collections import Counter

    column = rows.number_column
    if len(set(keys)) < len(keys):  # several inputs, each numbering its epochs
        return (
            f"{path}: its {column!r} column numbers the epochs, but the inputs each number "
            "their own epochs and the file has no 'file' column to say whose epoch each row is "
            "(nor are its rows in the order of the inputs' epochs); "
            "add a 'file' column with each row's input (as `eegpt probe predict` writes), or "
            f"leave the {column!r} column out and put the rows in the order of the epochs of "
            "the inputs"
        )
    selection = [k for _, k in keys]
    reasons = []
    for base, counted in ((0, "from 0, as eegpt counts"), (1, "from 1, as EEGLAB counts")):
        given = Counter((f, k - base) for f, k in zip(files, numbers, strict=True))
        doubled = [k + base for (_, k), times in given.items() if times > 1]
        unknown = [k + base for _, k in set(given) - set(keys)]
        why = (
            f"{_numbers_text(doubled)} twice"
            if doubled
            else f"{_numbers_text(unknown)} not among them"
        )
        reasons.append(f"{_numbers_text([k + base for k in selection])} counted {counted} ({why})")
    return (
        f"{path}: its {column!r} column numbers the rows {_numbers_text(numbers)}, which "
        f"matches the epochs of the inputs neither as {reasons[0]} nor as {reasons[1]}, so the "
        "labels cannot be told apart by epoch. Give one row per epoch of the inputs, numbered "
        f"as one of these, or leave the {column!r} column out to take the rows in the order "
        "of the epochs"
    )


def _check_csv_labels(
    y: np.ndarray, path: Path, sources: list[str], selection: list[int], lines: list[int]
) -> None:
    """Refuse rows of a labels CSV without a label (None, see :func:`_read_label_rows`), as
    ``train_probe`` refuses ``y`` with None: a blank cell is no class. ``lines``: each epoch's
    line in the file."""
    from eegpt._logging import few

    missing = [i for i, v in enumerate(y.tolist()) if v is None]
    if missing:
        shown = few(
            [f"line {lines[i]}: {Path(sources[i]).name} epoch {selection[i]}" for i in missing],
            5,
        )
        raise ValueError(
            f"{len(missing)} of {len(y)} epochs have no label in the 'label' column of {path} "
            f"({shown}; a blank cell, n/a, NA or nan is a missing label); give every epoch a "
            "label there, or leave those epochs out of the inputs and their rows out of the "
            "file (in Python: epochs[keep].save(...)) first (probe evaluate: --skip-unknown "
            "leaves them out)"
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
    onsets = None if recording.onsets is None else recording.onsets[idx]
    kept = dataclasses.replace(
        recording, data=recording.data[idx], selection=[selection[i] for i in idx], onsets=onsets
    )
    return kept, y[idx], [sources[i] for i in idx], [lines[i] for i in idx]


def load_labelled_epochs(
    paths: Sequence[str | Path],
    labels: str | Path | None = None,
    *,
    label_column: str | None = None,
    column_optional: bool = False,
    require_labels: bool = True,
    keep_missing: bool = False,
    rescale: float = 1.0,
    rename: dict[str, str | None] | None = None,
    resample: Literal["polyphase", "nearest"] = "polyphase",
    windows: WindowLabelling | None = None,
    verbose: Any = None,
    keep: str | Sequence[str] | None = None,
    labels_option: str = "--labels",
    time_bases: dict[str, dict[str, Any]] | None = None,
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
    :func:`time_base_of`), for the clock of its onsets.

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
    from eegpt.probe_labels import check_label_types

    if not paths:
        raise ValueError("no input files given")
    recs, ys, sources = [], [], []
    if labels is not None and label_column is not None:
        raise ValueError("give labels either as a CSV (--labels) or as --label-column, not both")
    for p in paths:
        rec, y = _read_one(Path(p), verbose, label_column, column_optional, windows)
        recs.append(rec)
        ys.append(y)
        sources += [str(p)] * rec.data.shape[0]
        if time_bases is not None:
            time_bases[str(p)] = time_base_of(rec)
    _refuse_unmatched(paths, ys, windows)
    merged = merge_epochs(
        recs,
        rename=rename,
        preprocessing=PreprocessingConfig(resample=resample),
        verbose=verbose,
        keep=keep,
    )
    data = merged.data * rescale if rescale != 1.0 else merged.data
    source = recs[0].source if len(recs) == 1 else f"{len(recs)} files"
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
        rescaled=rescale,  # the amplitude advice counts it: the correction of the files' samples
    )  # fmt: skip
    n = data.shape[0]
    if labels is not None:
        inputs = [str(p) for p in paths]
        rows, ignored = _rows_of_inputs(_read_label_rows(Path(labels)), Path(labels), inputs)
        _refuse_inputs_without_rows(rows, Path(labels), inputs, ignored)
        if ignored:  # a master file of more recordings than given
            print(
                f"labels from {labels} ({labels_option}): ignored its "
                f"{_ignored_text(ignored, inputs)}, "
                "not among the inputs",
                file=sys.stderr,
            )
        y = rows.labels
        if len(y) != n:
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
                + _count_mismatch_text(rows, Path(labels), sources, selection)
            )
        y, lines = _align_label_rows(rows, Path(labels), sources, selection)
        if windows is not None and windows.bad:  # matched to all windows: now the bad out
            recording, y, sources, lines = _without_bad_windows(
                recording, y, sources, lines, windows.bad
            )
            selection = cast(list[int], recording.selection)
        if require_labels and not keep_missing:
            _check_csv_labels(y, Path(labels), sources, selection, lines)
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
            _check_column_labels(y, sources, selection, label_column, keep_missing)
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
    from eegpt.cli import add_annotations_option, add_start_option

    g = p.add_argument_group("continuous recordings labelled by their annotations")
    command = p.prog.removeprefix("eegpt ") + (" PROBE" if trained else "")
    add_start_option(g, per_recording=True, command=command)  # its errors name the command
    g.add_argument(
        "--window-labels",
        metavar="REGEX | LABEL=REGEX",
        action="append",
        help=f"cut continuous recordings (.edf, .fif, .vhdr, ...) into consecutive windows {what}, "
        "each labelled by the annotation whose description matches REGEX (re.search, e.g. "
        "'(?i)seizure', '^Sleep stage') and covers at least half of it: each matching "
        "description is a class of its own. Or classes that merge descriptions, one "
        "LABEL=REGEX each (repeat the option): --window-labels 'seizure=fnsz|gnsz|cpsz' "
        "--window-labels 'background=bckg' (a description takes the first class it matches; "
        "the annotations of one class add up over a window; a lone REGEX holding '=' is read "
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
    g.add_argument(
        "--unlabelled",
        metavar="LABEL",
        help="with --window-labels: the class of the windows no matching annotation covers "
        "(e.g. background); default: leave them out",
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
        if args.unlabelled is not None or args.annotations:
            raise ValueError(
                "--unlabelled and --annotations go with --window-labels (labels from "
                f"annotations); --labels {labels_file} gives every window's label"
            )
        start, starts = _start_option(args, continuous)
        return WindowLabelling(
            None, window_seconds, start_seconds=start, starts=starts,
            labels_file=str(labels_file),
        )  # fmt: skip
    if args.window_labels is None:
        if args.annotations and getattr(args, "epoch_seconds", None) is None:
            raise ValueError("--annotations gives the labels of --window-labels: give "
                             "--window-labels REGEX too")  # fmt: skip
        if args.unlabelled is not None:
            raise ValueError("--unlabelled names the class of windows --window-labels leaves "
                             "unlabelled: give --window-labels REGEX too")  # fmt: skip
        return None
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
    start, starts = _start_option(args, continuous)
    return WindowLabelling(
        match,
        window_seconds,
        args.unlabelled,
        tuple(zip(continuous, files, strict=True)) if files else (),
        start_seconds=start,
        starts=starts,
    )


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
    return dataclasses.replace(windows, extra=pairs, validation=True)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    from eegpt.cli import add_inference_options, add_input_options

    add_input_options(p.add_argument_group("input corrections"))
    add_inference_options(p)
    p.add_argument("-q", "--quiet", action="store_true", help="less output")


def _read_inputs(
    args: argparse.Namespace, files: list[Path] | None = None, **kwargs: Any
) -> tuple[Any, Any, list[str], Any]:
    """``(recording, labels, sources, rename)`` of the command's input files (or ``files``,
    read alike) and corrections."""
    from eegpt.channels import present_keys
    from eegpt.cli import checked_rescale, given_once, parse_rename

    files, _ = given_once(args.data if files is None else files)  # read twice, counted twice
    rename = parse_rename(args.rename, args.drop)
    rescale = checked_rescale(args.rescale)
    recording, y, sources = load_labelled_epochs(
        files,
        rescale=rescale,
        rename=rename,
        resample=getattr(args, "resample", "polyphase"),  # train has --resample
        label_column=args.label_column,
        column_optional=getattr(args, "label_column_adopted", False),
        verbose=False,
        keep=getattr(args, "keep_channels", None),
        **kwargs,
    )
    if rename and len(files) > 1:  # merged: the keys of the channels that remain
        rename = present_keys(rename, recording.ch_names)
    return recording, y, sources, rename


def _add_applied_keep(p: argparse.ArgumentParser) -> None:
    """``--keep-channels`` of ``probe predict``/``evaluate``: optional, checked against the
    channels the probe was trained on."""
    from eegpt.cli import parse_keep  # eegpt.cli imports this module

    p.add_argument(
        "--keep-channels",
        type=parse_keep,
        default=None,
        metavar="NAMES",
        help="optional: the probe always takes the channels it was trained on (with the "
        "--keep-channels it was trained with, recorded in it); one given here (as to train, "
        "e.g. from a shared script) must keep all of them, else it is an error",
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
    from eegpt.cli import (
        FIGURE_FORMATS,
        add_dpi_option,
        add_reference_option,
        add_resample_option,
        parse_keep,
    )

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
        choices=["epoch", "recording"],
        default="epoch",
        help="what --val FRACTION holds out: epochs (windows) drawn at random per class "
        "(default), or whole recordings, one per input file (as near that fraction of each "
        "class's epochs as whole files allow, keeping every class in training; --seed chooses "
        "among groupings about as near; the fraction realised is printed, and warned of when "
        "more than 0.1 off; needs 2 input files or more; Python: "
        "train_probe(..., groups=...)); recorded in probe.json's training.validation and shown "
        "by eegpt info PROBE",
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
        "number in its file, counting from 0 as MNE does, where EEGLAB counts from 1; for a "
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
        help="replace an existing --output file (and its sidecar .json)",
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
        "window each; evaluate keeps consecutive windows",
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
    _add_window_labels(
        p, "(as without it) and put each window's label beside its prediction", "get no label"
    )
    _add_run_options(p)
    p.set_defaults(func=cmd_probe_predict)

    p = actions.add_parser("evaluate", help="score a probe on labelled epochs")
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
    p.add_argument("--weights", help="encoder checkpoint (default: the one recorded in the probe)")
    _add_window_labels(p, "of the probe's length")
    _add_run_options(p)
    p.set_defaults(func=cmd_probe_evaluate)
    return probe


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def cmd_probe_train(args: argparse.Namespace) -> int:
    from eegpt._logging import recorded_warnings
    from eegpt._logging import warn as _warn
    from eegpt.checkpoints import load_model
    from eegpt.cli import check_figure_path, checked_rescale, save_figure_file
    from eegpt.embedding_cache import EmbeddingCache
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe import ProbeConfig, train_probe
    from eegpt.probe_provenance import distinct_names, files_record
    from eegpt.training import per_epoch_split_warning
    from eegpt.training_data import add_training_warnings

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
    by_recording = args.val_by == "recording"
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
    windows = _labelling(args, args.window)
    # checked before any file is read: a --val-data labelling that cannot be is refused first
    held_windows = _val_labelling(args, windows) if args.val_data else None
    continuous = windows is not None and any(_is_continuous_input(p) for p in args.data)
    with recorded_warnings() as said:  # about the files read: kept with the probe
        if args.val and continuous and not by_recording:
            _warn(
                f"--val {args.val:g} holds out windows drawn at random, so neighbouring windows "
                "of one recording (of one seizure, one sleep stage) land on both sides and the "
                "validation scores come out better than on new recordings: hold out whole "
                f"recordings with --val {args.val:g} --val-by recording, or validate on other "
                "recordings with --val-data FILE"
            )
        n_files = len({Path(p).resolve() for p in args.data})
        if args.val and not continuous and n_files > 1 and not by_recording:
            _warn(per_epoch_split_warning(args.val, n_files))
        recording, y, sources, rename = _read_inputs(args, labels=args.labels, windows=windows)
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
        groups=recording_sources(sources) if by_recording else None,  # one identity per file
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
            }  # fmt: skip
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
        f"trained {probe!r} on {training['n_train']} epochs ({runs} passes, "
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
            f"balanced accuracy (BAC) {100 * row['val_balanced_accuracy']:.2f}%;"
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


def _realised_text(training: Mapping[str, Any]) -> str:
    """``", 50.0% of the epochs held out for --val 0.3 by recording"``: a split by groups'
    realised share, where recorded; else ""."""
    val = training.get("validation") or {}
    if val.get("realised_fraction") is None:
        return ""
    by = " by recording" if val.get("by") == "recording" else " by groups"
    return (
        f", {100 * val['realised_fraction']:.1f}% of the epochs held out for "
        f"--val {val.get('fraction'):g}{by}"
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
    match, args.unlabelled = trained["match"], trained.get("unlabelled")
    args.window_labels = window_label_values(match)
    if not args.quiet:
        print(
            "continuous recordings labelled as in training: "
            + labelling_options(match, args.unlabelled),
            file=sys.stderr,
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
    _adopt_window_labels(args, probe)
    _say_trained_start(args, probe)
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


def _is_continuous_input(path: Path) -> bool:
    """A file ``predict`` cuts into windows: neither epochs (``-epo.fif``, a ``.set`` of
    several trials) nor an ``.npz`` of epochs arrays."""
    from eegpt.io import may_hold_epochs

    return not (may_hold_epochs(path) or path.name.endswith(".npz"))


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
    from eegpt.cli import checked_rescale
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


#: A recording's time base as embeddings' provenance records it (``first_time``,
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


def cmd_probe_predict(args: argparse.Namespace) -> int:
    from eegpt._logging import few
    from eegpt.cli import check_figure_path, given_once, parse_rename

    args.output = _check_prediction_output(args.output)
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
    if args.output is not None and not args.overwrite:
        for path in (args.output, _sidecar_of(args.output)):
            if path is not None and path.exists():
                raise FileExistsError(f"{path} exists; pass --overwrite to replace it")
    probe = _load(args)
    # the channels it was trained on: --keep-channels checked against them, else its own
    args.keep_channels = probe._checked_keep(args.keep_channels)
    args.data, _ = given_once(args.data)  # one file's rows once
    continuous = [p for p in args.data if _is_continuous_input(p)]
    epoched = [p for p in args.data if not _is_continuous_input(p)]
    if args.epoch_seconds is not None and epoched:
        raise ValueError(
            f"--epoch-seconds groups the windows of continuous recordings into scoring epochs; "
            f"{few([str(p) for p in epoched], 3)} hold epochs, one prediction each: predict "
            "them without --epoch-seconds"
        )
    if args.overlap and not continuous:
        raise ValueError(
            f"--overlap {args.overlap:g} cuts continuous recordings into overlapping windows; "
            f"{few([str(p) for p in epoched], 3)} hold epochs, one prediction each: predict "
            "them without --overlap"
        )
    if args.overlap:  # refused before any file is read where it does not fit the windows
        probe._with_overlap(args.overlap)
    if continuous and args.label_column is not None and not args.label_column_adopted:
        raise ValueError(
            f"--label-column {args.label_column!r}: continuous recordings have no epochs "
            f"metadata to take labels from ({few([str(p) for p in continuous], 3)}); leave "
            "--label-column out, or cut the recordings into epochs with their labels first "
            "(mne.Epochs, with the column in epochs.metadata)"
        )
    # per input file: [(index in the file, onset or None, label or None, probabilities,
    # clock_s or None, clock_time or None)]
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
    provenance = _provenance(args, probe, sources) if args.output is not None else None
    if args.epoch_seconds is not None:
        header, rows = _epoch_rows(args, probe, scored)
        _write_predictions(args.output, header, rows, probe.classes_.tolist(), provenance)
        if args.output is not None and not args.quiet:
            print(f"wrote {len(rows)} scoring epochs to {args.output}")
        if args.plot is not None:
            _plot_hypnograms(args, probe, header, rows)
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
    return 0


def _plot_hypnograms(
    args: argparse.Namespace, probe: Any, header: list[str], rows: list[list[Any]]
) -> None:
    """``--plot FILE`` of ``--epoch-seconds``: the hypnogram of each recording of ``rows``
    (:func:`eegpt.viz.plot_hypnogram`), one panel each, written to ``args.plot``."""
    import pandas as pd

    from eegpt.cli import save_figure_file
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
                       probabilities=args.plot_probabilities)  # fmt: skip
        ax.set_title(f"{Path(name).name}: {ax.get_title()}", fontsize="medium", wrap=True)
    if probe.encoder.get("pretrained") is False:
        from eegpt.viz import NOT_PRETRAINED_TITLE

        fig.suptitle(NOT_PRETRAINED_TITLE, color="tab:red")
    save_figure_file(fig, args.plot, args.dpi)


def _epoch_seconds(text: str) -> float:
    """``--epoch-seconds``: a positive number of seconds (:func:`eegpt.cli.seconds`)."""
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
    from eegpt.probe import scoring_epochs

    classes = probe.classes_.tolist()
    window = float(probe.preprocessing.window_seconds)
    dated = any(s[3].get("meas_date") for s in scored.values())
    labelled = args.window_labels is not None or bool(args.annotations)
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
    from eegpt._logging import ignored_warnings
    from eegpt.annotations import is_bad, window_labels

    length = float(args.epoch_seconds)
    how = _labelling(args, length)
    if how is not None:  # as the windows are labelled, --unlabelled included
        labels, _ = how.label(annotations, epoch_onsets, length, path, what="scoring epochs")
        return list(labels)
    if (annotations is None or not len(annotations)) and _annotations_file(args, path) is None:
        no_annotations_warning(path)
        with ignored_warnings(message="window_labels: "):
            return window_labels(None, epoch_onsets, length)
    if annotations is not None and len(annotations):  # the annotations of whole epochs
        whole = [
            not is_bad(str(d)) and dur > 0 and abs(dur / length - round(dur / length)) < 1e-6
            for d, dur in zip(annotations.description, annotations.duration, strict=True)
        ]
        annotations = annotations[np.flatnonzero(whole)] if any(whole) else None
    return window_labels(annotations, epoch_onsets, length, source=str(path), what="scoring epochs")


#: The files ``probe predict --output`` writes, by suffix: CSV and TSV (their separator), Parquet;
#: ``.txt`` and a name without a suffix are CSV, as all outputs were before the others.
PREDICTION_FORMATS: dict[str, str | None] = {
    ".csv": ",", ".tsv": "\t", ".parquet": None, ".txt": ",", "": ",",
}  # fmt: skip


def _check_prediction_output(given: str | None) -> Path | None:
    """``--output`` as a path; refused, before anything is read or computed, where ``predict``
    cannot write it: a folder, a suffix it does not write, Parquet without pyarrow."""
    if given is None:
        return None
    path = Path(given)
    if path.is_dir() or given.endswith(("/", os.sep)):
        raise ValueError(
            f"--output {given}: names a folder; predictions are written to one file: give its "
            f"name, e.g. -o {path / 'predictions.csv'}"
        )
    suffix = path.suffix.lower()
    if suffix not in PREDICTION_FORMATS:
        raise ValueError(
            f"--output {path}: predictions are written as .csv, .tsv or .parquet (chosen by the "
            f"suffix; .txt or none is CSV), not {suffix}"
        )
    if suffix == ".parquet":
        from eegpt.outputs import require_pyarrow

        require_pyarrow("writing predictions as Parquet (or use a .csv output)")
    return path


def _csv_cell(column: str, value: Any) -> Any:
    """A prediction table's value as CSV text: blank for none, onsets with 6 decimals,
    probabilities with 9 significant digits (a float32 exactly, as predict_proba gives it)."""
    if value is None:
        return ""
    if column in ("onset_s", "duration_s", "covered_s"):
        return f"{value:.6f}"
    if column.startswith("p_"):
        return f"{value:.9g}"
    return value


def _null_for_nan(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, numbers, text) with each NaN or infinite float
    replaced by None, so that it is written as JSON (``null``) rather than as ``NaN``, which
    no strict JSON reader (jq, JavaScript, Go, ...) takes."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _null_for_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_null_for_nan(v) for v in value]
    return value


#: The key of a Parquet prediction table's schema metadata that holds its provenance (JSON).
PREDICTIONS_KEY = "eegpt_predictions"


def _predictions_json(
    provenance: dict[str, Any],
    indent: int | None = None,
    table: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> str:
    """What a prediction table records of itself (Parquet metadata, a CSV's sidecar):
    ``{"format": "eegpt-probe-predictions", "provenance": {...}}``, and in a sidecar
    ``"table"``: the table's name, size and SHA-256
    (:func:`eegpt.probe_provenance.table_record`); in Parquet metadata ``"data"``: its rows
    and the SHA-256 of its data (:func:`eegpt.probe_provenance.table_data_record`)."""
    from eegpt.probe_provenance import PREDICTIONS_FORMAT

    record: dict[str, Any] = {"format": PREDICTIONS_FORMAT, "provenance": provenance}
    if table is not None:
        record["table"] = table
    if data is not None:
        record["data"] = data
    return json.dumps(record, indent=indent)


def _sidecar_of(path: Path | None) -> Path | None:
    """The JSON sidecar ``predict`` writes beside a CSV or TSV output (None for Parquet, which
    holds its provenance itself, and for stdout)."""
    from eegpt.probe_provenance import sidecar_path

    if path is None or path.suffix.lower() == ".parquet":
        return None
    return sidecar_path(path)


def _provenance(args: argparse.Namespace, probe: Any, sources: Sequence[str]) -> dict[str, Any]:
    """What an output of ``predict`` or ``evaluate`` records of how it was made: the probe
    (``args.probe``), the input files (``args.data``; the number of epochs of each epochs file
    from ``sources``), a ``--labels`` file, eegpt's version and the time
    (:func:`eegpt.probe_provenance.output_provenance`)."""
    from eegpt.cli import checked_rescale
    from eegpt.probe_provenance import files_record, output_provenance

    counts: dict[str, int] = {}
    for source in sources:
        counts[source] = counts.get(source, 0) + 1
    inputs = files_record([str(p) for p in args.data])
    for record, path in zip(inputs, dict.fromkeys(str(p) for p in args.data), strict=True):
        if path in counts:
            record["n_epochs"] = counts[path]
    labels = getattr(args, "labels", None)
    more: dict[str, Any] = {}
    if labels is not None:
        more["labels_file"] = labels_file_record(labels, args.data)
    rescale = checked_rescale(args.rescale)
    if rescale != 1.0:  # --rescale: the input files' samples as read were multiplied by it
        more["rescale"] = rescale
    return output_provenance(args.probe, probe, inputs, **more)


def _write_predictions(
    path: Path | None,
    header: list[str],
    rows: list[list[Any]],
    classes: list[Any],
    provenance: dict[str, Any] | None = None,
) -> None:
    """Write the rows of ``probe predict`` (typed values, None where there is none) to ``path``:
    CSV, TSV or Parquet by its suffix (:data:`PREDICTION_FORMATS`); CSV to stdout without a
    path. Parquet columns have their types with no rows too: text for ``file``, int64 for
    ``epoch``, float64 for ``onset_s``, ``clock_s`` and the probabilities, bool for ``bad``, the type of
    the probe's ``classes`` for ``prediction`` and ``label``, ISO 8601 text for
    ``clock_time``. ``provenance`` (:func:`_provenance`) goes into a Parquet file's schema
    metadata under the key :data:`PREDICTIONS_KEY` (JSON), as ``eegpt embed``'s Parquet files
    hold theirs under ``eegpt``, and into the sidecar JSON of a CSV or TSV file
    (:func:`_sidecar_of`: ``predictions.csv`` -> ``predictions.csv.json``)."""
    if path is not None and path.suffix.lower() == ".parquet":
        from eegpt.outputs import atomic_write, require_pyarrow

        pa, pq = require_pyarrow("writing predictions as Parquet (or use a .csv output)")
        types = {"file": pa.string(), "epoch": pa.int64(), "onset_s": pa.float64(),
                 "clock_s": pa.float64(),
                 "duration_s": pa.float64(), "covered_s": pa.float64(),
                 "clock_time": pa.string(), "bad": pa.bool_(),
                 "prediction": pa.array(classes).type}  # fmt: skip
        types["label"] = types["prediction"]
        columns = {}
        for j, name in enumerate(header):
            values = [row[j] for row in rows]
            kind = pa.float64() if name.startswith("p_") else types.get(name)
            try:
                columns[name] = pa.array(values, type=kind)
            except (pa.ArrowInvalid, pa.ArrowTypeError):  # labels of other types: as text
                columns[name] = pa.array(
                    [None if v is None else str(v) for v in values], type=pa.string()
                )
        table = pa.table(columns)
        if provenance is not None:  # not under "eegpt", which names an embeddings file
            from eegpt.probe_provenance import table_data_record

            # with the digest of its data, by which eegpt info tells rows edited since
            recorded = _predictions_json(provenance, data=table_data_record(table))
            table = table.replace_schema_metadata(
                {**(table.schema.metadata or {}), PREDICTIONS_KEY: recorded}
            )
        atomic_write(path, lambda fh: pq.write_table(table, fh))
        return
    text = [[_csv_cell(name, v) for name, v in zip(header, row, strict=True)] for row in rows]
    if path is None:
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(text)
        return
    from eegpt.outputs import atomic_write
    from eegpt.probe_provenance import table_record

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=PREDICTION_FORMATS[path.suffix.lower()] or ",")
    writer.writerow(header)
    writer.writerows(text)
    table = buffer.getvalue().encode("utf-8")
    sidecar = _sidecar_of(path)
    if sidecar is not None and (sidecar.is_file() or sidecar.is_symlink()):
        sidecar.unlink()  # never the new table beside its predecessor's sidecar
    atomic_write(path, lambda fh: fh.write(table))
    if provenance is not None and sidecar is not None:
        made = table_record(path.name, table)
        data = (_predictions_json(provenance, indent=2, table=made) + "\n").encode()
        atomic_write(sidecar, lambda fh: fh.write(data))


def confusion_table(counts: np.ndarray, classes: Sequence[Any]) -> str:
    """The confusion matrix as ``eegpt probe evaluate`` prints it: ``counts`` ``[n_classes,
    n_classes]`` (rows: true class, columns: predicted, in the order of ``classes``), right-aligned
    columns wide enough for the class names and the counts."""
    width = max(*(len(str(c)) for c in classes), len(str(counts.max(initial=0)))) + 2
    lines = ["confusion matrix (rows: true, columns: predicted)"]
    lines.append(" " * width + "".join(f"{str(c):>{width}}" for c in classes))
    for c, row in zip(classes, counts, strict=True):
        lines.append(f"{str(c):>{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def cmd_probe_evaluate(args: argparse.Namespace) -> int:
    from eegpt._logging import warn as _warn
    from eegpt.cli import check_figure_path, save_figure_file
    from eegpt.probe_metrics import (
        checked_metrics,
        class_report,
        format_class_report,
        format_metrics,
        probe_metrics,
        sklearn_metrics,
    )
    from eegpt.probe_provenance import overlap_text

    confusion_matrix = sklearn_metrics().confusion_matrix

    check_figure_path(args.plot)
    if args.normalize is not None and args.plot is None:
        raise ValueError("--normalize applies to the figure: give --plot FILE too")
    probe = _load(args)
    # the channels it was trained on: --keep-channels checked against them, else its own
    args.keep_channels = probe._checked_keep(args.keep_channels)
    classes = probe.classes_
    order = _class_order(args.class_order, classes)  # of the matrix printed and drawn
    windows = _labelling(args, probe.preprocessing.window_seconds)
    recording, y, sources, rename = _read_inputs(
        args, labels=args.labels, keep_missing=args.skip_unknown, windows=windows
    )
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
    report = class_report(y, pred, order)
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
    if provenance is not None and overlap is not None:
        provenance["overlaps_training"] = [o.name for o in overlap if not o.same_file_only]
        shared = [o.name for o in overlap if o.same_file_only]  # a training input in memory
        if shared:
            provenance["shares_file_with_training"] = shared
    if args.skip_unknown:
        metrics["n_left_out"] = left_out
    to_stdout = args.json is not None and str(args.json) == "-"  # --json -: the JSON alone
    shown = sys.stderr if to_stdout else sys.stdout
    print(format_metrics(metrics), file=shown)
    print(format_class_report(report, metrics["n_recordings"]), file=shown)
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
    from eegpt.probe_labels import event_names_hint, unknown_labels_hint

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
                f"{said}: the labels are {taken}; write them as the probe's classes there "
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

PREDICT_EPILOG = """\
examples:
  eegpt probe predict probe/ sub-02-epo.fif -o predictions.csv
  eegpt probe predict seizures/ rec3.edf -o rec3.csv   (one row per window of a recording)
  eegpt probe predict mi/ session.edf --overlap 3.5 -o mi.csv   (4 s windows every 0.5 s)
  eegpt probe predict stages/ night.edf --epoch-seconds 30 -o hypnogram.csv   (per 30 s epoch)"""


def build_parser() -> argparse.ArgumentParser:
    """A stand-alone ``eegpt`` parser holding only the ``probe`` command."""
    from eegpt.cli import CommandParser, SubcommandParser

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
    from eegpt.cli import joined_negative_values, run_command_line

    process = argv is None
    given = list(sys.argv[1:] if argv is None else argv)
    argv = joined_negative_values(given)
    debug = bool(argv) and argv[0] == "--debug"
    words = (["--debug"] if debug else []) + ["probe"] + argv[debug:]
    with command_recorded(["probe", *given]):  # as `eegpt probe ...`
        return run_command_line(lambda: build_parser().parse_args(words), process=process)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
