"""Class labels of probe training and evaluation: read from the epochs' events or given as
``y`` (:func:`labels_of`), checked (:func:`check_label_types`; continuous targets refused,
:func:`refuse_continuous_labels`, whole numbers that look like a quantity warned of,
:func:`warn_quantity_labels`), matched to a probe's classes
(:func:`as_classes`), and the hints given when they do not match (event codes against event
names, MNE's ``/``-separated tags: :func:`unknown_labels_hint`, :func:`event_names_hint`).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import mne
import numpy as np

from eegpt._epochs_header import read_epochs_header
from eegpt.epochs_files import is_npz, reads_as_epochs
from eegpt.io import epochs_labels, read_epochs_file
from eegpt.probe_inputs import _read_if_path, is_epochs_list


def npz_labels(path: Path) -> np.ndarray:
    """The labels of an ``.npz`` of epochs arrays: its ``y`` array [n_epochs], as ``eegpt
    probe train`` reads it (a ``y`` of Python objects refused); a ValueError saying to pass
    ``y`` where the file holds none (MNE's reader said only that it was no FIF file)."""
    from eegpt.epochs_files import open_epochs_npz
    from eegpt.probe_label_files import _npz_array

    with open_epochs_npz(path) as f:
        if "y" not in f.files:
            raise ValueError(
                f"{path} holds no y array (an .npz of epochs arrays keeps its labels under "
                f"'y'; it holds {sorted(f.files)}): pass y, one label per epoch, or save the "
                "file with y"
            )
        return _npz_array(f, "y", path)


def labels_of(data: Any, y: Any, n: int, classes: np.ndarray | None = None) -> np.ndarray:
    """The labels of the ``n`` epochs of ``data``: ``y`` checked (``(n,)``, none missing, not
    a continuous target: :func:`refuse_continuous_labels`), or where ``y`` is None the event
    names of the epochs ``data`` (an ``mne.Epochs``, an epochs file or a list of them) or an
    ``.npz``'s ``y``. ``classes``: a trained probe's, evaluated on ``data``: labels that are
    its classes are not refused as a continuous target (one trial of each of Wang2016's 40
    SSVEP frequencies, ``'8.2'`` ..., though nearly each label is a value of its own)."""
    if y is None:
        if isinstance(data, mne.BaseEpochs):
            return epochs_labels(data)
        if isinstance(data, (str, os.PathLike)) and is_npz(data):
            return npz_labels(Path(data))
        if isinstance(data, (str, os.PathLike)):
            return epochs_labels(read_epochs_header(Path(data)))
        if is_epochs_list(data):
            return np.concatenate([epochs_labels(_read_if_path(d, False)) for d in data])
        raise ValueError("labels y are needed (they come from the events only for mne.Epochs)")
    if isinstance(y, (list, tuple)):  # np.asarray would quietly turn 0 into '0'
        check_label_types(y)
    y = np.asarray(y)
    refuse_labels_per_recording(data, y, n)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(
            f"y must be 1-D with one label per epoch ({n}), got shape {y.shape}"
            + dropped_epochs_hint(data, y, n)
        )
    missing = [
        i for i, v in enumerate(y.tolist()) if v is None or (isinstance(v, float) and v != v)
    ]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (", ..." if len(missing) > 10 else "")
        raise ValueError(
            f"y has {len(missing)} missing label(s) (None/NaN) at epoch(s) {shown}; leave those "
            "epochs out first, e.g. epochs[~mask] and y[~mask]"
        )
    if y.dtype == object:
        check_label_types(y.tolist())
    refuse_continuous_labels(  # text: names, as given
        y.tolist(), "y", read_text=False, classes=classes
    )
    return y


def refuse_labels_per_recording(data: Any, y: Any, n: int) -> None:
    """Refuse labels ``y`` that are one per recording of a list ``data`` (of ``mne.Epochs`` or
    epochs files) holding ``n`` epochs, not one per epoch: what scikit-learn's
    cross-validation passes, since it counts a list's items as its samples (``[ep1, ep2,
    ep3]`` with a ``y`` of the epochs is refused by scikit-learn itself, "inconsistent numbers
    of samples: [3, ...]"). Says how to concatenate the recordings, with labels and groups
    of their epochs; nothing for other ``data`` or ``y``."""
    labels = np.asarray(y) if y is not None else None
    if labels is None or labels.ndim != 1 or not is_epochs_list(data):
        return
    if len(labels) != len(data) or len(data) == n:
        return
    read = (
        ""
        if all(isinstance(d, mne.BaseEpochs) for d in data)
        else "X = [mne.read_epochs(p) for p in X]; "
    )
    raise ValueError(
        f"y has {len(labels)} labels, one per item of the list X ({len(data)} recordings "
        f"holding {n} epochs), but each epoch needs its own: scikit-learn counts a list's "
        "items as its samples, so its cross-validation splits, counts and labels recordings, "
        f"not epochs. Concatenate them ({read}epochs, groups = "
        "eegpt.probe.concatenate_epochs(X): channels matched by electrode and rates resampled "
        "as for the list) and pass a label per epoch (epochs_labels(epochs), or each "
        "recording's label repeated, np.repeat(y, [len(e) for e in X])) with groups=groups "
        "and cv=GroupKFold(...), which keep each recording's epochs on "
        "one side. One value per recording (an age): embed each recording and average its "
        "epochs' embeddings (EEGPTEmbedder(pooling='mean'))"
    )


def dropped_epochs_hint(data: Any, y: np.ndarray, n: int) -> str:
    """Why labels ``y`` outnumber the ``n`` epochs of ``data`` where MNE dropped the others
    when it read their data (``mne.Epochs(..., preload=False)`` with ``reject=`` or over bad
    annotations: ``y = epochs.events[:, 2]`` taken before holds a label per event), and how to
    take the labels of the epochs kept; ``""`` for anything else."""
    if not isinstance(data, mne.BaseEpochs) or y.ndim != 1 or len(y) <= n:
        return ""
    dropped = [why for why in data.drop_log if why and tuple(why) != ("IGNORED",)]
    if len(y) != n + len(dropped):
        return ""
    reasons = list(dict.fromkeys(str(r) for why in dropped for r in why))
    shown = ", ".join(reasons[:3]) + (", ..." if len(reasons) > 3 else "")
    return (
        f": MNE dropped {len(dropped)} of the {len(y)} epochs when it read their data "
        f"({shown}: epochs.drop_log), after y was taken, so y has a label for each of them. "
        "Take the labels of the epochs kept, once they are read (epochs.drop_bad(), or "
        "preload=True): eegpt.probe.epochs_labels(epochs) or epochs.events[:, 2]"
    )


REGRESSION_ROUTE = (
    "A probe classifies: each distinct value is a class of its own, their order and distances "
    "lost. For a continuous target (an age, a clinical score, a reaction time) embed the epochs "
    "and fit a regressor: make_pipeline(EEGPTEmbedder(model=..., pooling='mean'), "
    "StandardScaler(), Ridge()) (docs/downstream.md, 'Regression (age, clinical scores, reaction times)'); "
    "bin it into a few classes (np.digitize) only if classes are what you want"
)
"""What to do with a continuous target: the end of :func:`continuous_labels_text` and
:func:`quantity_labels_text`."""

#: Numeric labels with more distinct values than this look like a quantity (an age, a score),
#: not class codes (event codes such as 1..4 or 769..772, sleep stages 0..4).
MAX_CODE_LEVELS = 10

#: Numeric labels with at least this many distinct values, each recording (or subject)
#: carrying a single one, look like a subject-level quantity (an age), not class codes.
MIN_GROUP_LEVELS = 5


def _number(label: Any, read_text: bool = True) -> float | None:
    """``label`` as a finite number: a number, or text that reads as one (``'21.9'``, from a
    labels CSV) unless ``read_text`` is False; None for anything else (names, bools, NaN)."""
    if isinstance(label, (bool, np.bool_)):
        return None
    if isinstance(label, (int, float, np.integer, np.floating)):
        value = float(label)
    elif isinstance(label, str) and read_text:
        try:
            value = float(label.strip())
        except ValueError:
            return None
    else:
        return None
    return value if np.isfinite(value) else None


def numeric_labels(labels: Sequence[Any], read_text: bool = True) -> list[float] | None:
    """The labels (missing ones, None, left out) as numbers, where every one is a number or
    text that reads as one (:func:`_number`; with ``read_text`` False, text is no number);
    None where any is not, or none are given."""
    numbers = [_number(v, read_text) for v in labels if v is not None]
    if not numbers or any(x is None for x in numbers):
        return None
    return cast(list[float], numbers)


def continuous_labels_text(
    labels: Sequence[Any], where: str = "y", read_text: bool = True
) -> str | None:
    """Why ``labels`` are refused as classes where all are numbers (or text reading as
    numbers, as a labels CSV gives them) and some have fractional parts (ages of 21.9 years,
    reaction times of 0.4226 s): a continuous target, which a probe would learn as one class
    per distinct value; None for anything else. ``where``: what holds them, for the
    message (``"y"``, ``"the 'label' column of labels.csv"``). ``read_text`` False: labels
    given with their types (``y``, an ``.npz``'s ``y``), where text is a name the caller
    chose, not a number: ``'9.25'`` names the stimulation frequency of an SSVEP class, as
    MOABB's SSVEP datasets name their classes (``y`` of ``paradigm.get_data``), except where
    nearly each label is a value of its own (:func:`_one_class_per_label`: reaction times read
    from a CSV as text), refused as numbers are."""
    numbers = numeric_labels(labels, read_text)
    as_text = numbers is None and not read_text
    if as_text:  # text names classes, unless nearly every label is a value of its own
        numbers = numeric_labels(labels)
        if numbers is None or not _one_class_per_label(numbers):
            return None
    if numbers is None:
        return None
    fractional = [x for x in numbers if not x.is_integer()]
    if not fractional:
        return None
    kind = (
        "text reading as numbers with fractional parts"
        if as_text
        else ("numbers with fractional parts")
    )
    return (
        f"{where}: {kind} ({len(set(numbers))} distinct values in "
        f"{len(numbers)} labels, e.g. {fractional[0]:g}), as a continuous target has. "
        + REGRESSION_ROUTE
        + " (class names that are decimals: write them as names, e.g. 'dose 0.5')"
    )


def _one_class_per_label(numbers: Sequence[float]) -> bool:
    """Whether ``numbers`` (labels given as text that reads as numbers) have more distinct
    values than :data:`MAX_CODE_LEVELS` and than half the labels: nearly a class per epoch,
    as reaction times or ages read from a CSV as text are, which no probe learns as classes.
    A few stimulation frequencies naming many trials each (MOABB's SSVEP ``y``: ``'9.25'``,
    up to 40 of them) are class names."""
    levels = len(set(numbers))
    return levels > MAX_CODE_LEVELS and 2 * levels > len(numbers)


def refuse_continuous_labels(
    labels: Sequence[Any],
    where: str = "y",
    read_text: bool = True,
    classes: np.ndarray | None = None,
) -> None:
    """Raise :func:`continuous_labels_text`'s ``ValueError`` where it has one: the one check
    of continuous labels, whatever gives them (``y``, a labels CSV, a metadata column);
    ``read_text`` as there (False where the labels come with their types). ``classes``: a
    trained probe's (``probe evaluate``), whose classes the labels are where each matches
    one (:func:`as_classes`): not refused, as ``9.25`` read from a CSV for the class
    ``'9.25'`` of a probe trained on MOABB's SSVEP ``y``."""
    if classes is not None:
        values = [v for v in labels if v is not None]
        matched = as_classes(np.array(values, dtype=object), np.asarray(classes)).tolist()
        if values and set(matched) <= set(np.asarray(classes).tolist()):
            return
    text = continuous_labels_text(labels, where, read_text)
    if text is not None:
        raise ValueError(text)


def quantity_labels_text(
    labels: Sequence[Any], groups: Sequence[Any] | None = None, where: str = "the labels"
) -> str | None:
    """What to warn of where whole-number ``labels`` look like a quantity (an age in years,
    a depression score, a reaction time in ms) rather than class codes: more than
    :data:`MAX_CODE_LEVELS` distinct values, or at least :data:`MIN_GROUP_LEVELS` distinct
    values with each of ``groups`` (one per label: the recording or subject of each epoch)
    carrying a single one, mostly its own (a subject-level target). None otherwise: event
    codes (1..4, 769..772) and sleep stages (0..4) vary within a recording and are few, and
    codes numbered 0 or 1 up without a gap (1..12, one condition per file 1..6) are codes."""
    numbers = numeric_labels(labels)
    if numbers is None or any(not x.is_integer() for x in numbers):
        return None
    levels = sorted(set(numbers))
    if _counted_codes(levels):
        return None
    found = None
    if len(levels) > MAX_CODE_LEVELS:
        found = (
            f"{where} are {len(levels)} distinct whole numbers ({levels[0]:g} to {levels[-1]:g})"
        )
    elif groups is not None and len(levels) >= MIN_GROUP_LEVELS:
        per_group: dict[Any, set[Any]] = {}
        for g, v in zip(groups, labels, strict=True):
            if v is not None:
                per_group.setdefault(g, set()).add(v)
        constant = all(len(values) == 1 for values in per_group.values())
        if constant and 2 * len(levels) > len(per_group):
            found = (
                f"{where} are {len(levels)} distinct whole numbers, each of the "
                f"{len(per_group)} recordings or subjects carrying a single one, as a value "
                "per subject (an age, a score) does"
            )
    if found is None:
        return None
    return (
        f"{found}: a quantity rather than class codes? "
        + REGRESSION_ROUTE
        + ". If they are class codes, nothing is wrong"
    )


def _counted_codes(levels: Sequence[float]) -> bool:
    """Whether the sorted distinct ``levels`` are every whole number from 0 or 1 up: how
    class codes are numbered (the 12 row/column flashes of a P300 speller 1..12, six
    conditions of a block design, one per file, 1..6), not what a quantity measured on
    people (ages, scores, milliseconds) gives."""
    return levels[0] in (0, 1) and levels[-1] - levels[0] + 1 == len(levels)


@contextlib.contextmanager
def quantity_warning_given() -> Iterator[None]:
    """Inside the block, :func:`warn_quantity_labels` says nothing: the caller (the command
    line, which knows each epoch's file and subject) warned already."""
    token = _QUANTITY_WARNED.set(True)
    try:
        yield
    finally:
        _QUANTITY_WARNED.reset(token)


_QUANTITY_WARNED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "eegpt_quantity_warned", default=False
)


def warn_quantity_labels(
    labels: Sequence[Any], groups: Sequence[Any] | None = None, where: str = "the labels"
) -> None:
    """Warn with :func:`quantity_labels_text` where it has something to say (not inside
    :func:`quantity_warning_given`)."""
    from eegpt._logging import warn

    if _QUANTITY_WARNED.get():
        return
    text = quantity_labels_text(labels, groups, where)
    if text is not None:
        warn(text, UserWarning)


def check_label_types(labels: Sequence[Any], where: str = "") -> None:
    """Refuse ``labels`` that mix text with other types (``'1'`` and ``1`` would be two
    classes that print alike, and NumPy cannot sort or join them); missing labels (None) are
    left to the caller. ``where`` says where the labels come from, for the message."""
    text = next((v for v in labels if isinstance(v, str)), None)
    other = next((v for v in labels if v is not None and not isinstance(v, str)), None)
    if text is None or other is None:
        return
    kind = type(other).__name__
    raise ValueError(
        f"labels mix types{where}: str and {kind} (e.g. {text!r} and {other!r}); give all as "
        f"str or all as {kind}, e.g. [str(v) for v in y]"
    )


def as_classes(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """``labels`` in the type of ``classes`` when they differ only in it, else unchanged: by
    their text (``"1"`` for ``1``: event codes against the text classes of a probe, or the
    reverse), or numbers by their value against classes written as decimals (``1`` for
    ``"1.0"``: a probe trained by an earlier eegpt on a labels CSV of floats, which kept them
    as text, given the ints such a CSV now reads as)."""
    known = classes.tolist()
    values = labels.tolist()
    if set(values) <= set(known):
        return labels
    keys: list[Callable[[Any], Any]] = [str]
    if all(isinstance(c, str) for c in known) and all(
        not isinstance(v, str) and _number(v) is not None for v in values
    ):
        keys.append(_number)  # numbers (not text) against text classes: compared as numbers
    for key in keys:
        by_key = {key(c): c for c in known}
        if (
            None not in by_key
            and len(by_key) == len(known)
            and all(key(v) in by_key for v in values)
        ):
            return np.array([by_key[key(v)] for v in values], dtype=classes.dtype)
    return labels


def _event_codes(data: Any) -> np.ndarray | None:
    """The event codes of the epochs ``data`` (an ``mne.Epochs``, an epochs file or a list of
    them); None for other data."""
    if isinstance(data, (str, os.PathLike)) and not is_npz(data) and reads_as_epochs(data):
        data = read_epochs_file(Path(data), "error")
    if isinstance(data, mne.BaseEpochs):
        return data.events[:, 2]
    if is_epochs_list(data):
        return np.concatenate([_read_if_path(d, "error").events[:, 2] for d in data])
    return None


def decimals_hint(unknown: Sequence[Any], classes: np.ndarray) -> str:
    """``" (they are the classes written as decimals, '1.0' for '1': write them as whole
    numbers, as the classes are)"``, where every label of ``unknown`` is a whole number
    written with a fraction (``1.0``, as pandas and MATLAB write a column of floats) whose
    whole-number spelling is a class; else ``""``."""
    spelled = {str(c) for c in classes.tolist()}
    pairs = {}
    for label in unknown:
        try:
            number = float(str(label))
        except ValueError:
            return ""
        whole = str(int(number)) if number.is_integer() and "." in str(label) else None
        if whole is None or whole not in spelled:
            return ""
        pairs[str(label)] = whole
    if not pairs:
        return ""
    first, spelling = next(iter(pairs.items()))
    return (
        f" (they are the classes written as decimals, {first!r} for {spelling!r}: write them "
        "as whole numbers, as the classes are)"
    )


def unknown_labels_hint(unknown: list[Any], classes: np.ndarray, data: Any = None) -> str:
    """A hint when epochs' event names (the default ``y``) meet a probe trained on the event
    codes of epochs ``data`` (codes that are among its classes), or names that differ from its
    classes only by MNE's ``/``-separated tags (BrainVision markers are read as
    ``Comment/left``)."""
    if decimals := decimals_hint(unknown, classes):
        return decimals
    known = classes.tolist()
    if all(isinstance(c, (int, np.integer)) for c in known) and any(
        isinstance(v, str) for v in unknown
    ):
        codes = _event_codes(data)
        if codes is not None and set(codes.tolist()) <= set(known):
            return " (the probe's classes are event codes: pass y=epochs.events[:, 2])"
        return ""
    pairs = {}
    for label in unknown:
        alike = [c for c in known if _differ_by_tags(label, c)]
        if len(alike) != 1:
            return ""
        pairs[str(label)] = str(alike[0])
    return f" ({_tags_advice(pairs, 'they differ from the classes')})"


def _tags(label: Any) -> set[str]:
    """The ``/``-separated tags of a label, as MNE joins event names (``Comment/left``)."""
    return set(str(label).split("/"))


def _differ_by_tags(a: Any, b: Any) -> bool:
    """Whether labels ``a`` and ``b`` differ only by MNE's ``/``-separated tags (the tags of
    one are among the other's: ``'Comment/left'`` and ``'left'``, ``'seizure/seizure'`` and
    ``'seizure'``)."""
    return _tags(a) <= _tags(b) or _tags(b) <= _tags(a)


def _tags_advice(pairs: Mapping[str, str], subject: str, command_line: bool = True) -> str:
    """``"<subject> only by MNE's '/'-separated tags ...: name the events alike ..."``, with
    ``pairs`` (a label: the one it stands for) as examples of the names to give.
    ``command_line``: also name the probe's command-line options for the labels."""
    shown = ", ".join(f"{a!r} as {b!r}" for a, b in list(pairs.items())[:3])
    return (
        f"{subject} only by MNE's '/'-separated tags, as BrainVision markers read as "
        "'Comment/left' and epochs read with mne.read_epochs_eeglab, named by all their "
        "events ('left/artifact'; eegpt names the epochs of a .set file by their time-locking "
        "event where it can read the file: pass its path, or the epochs "
        "mne.read_epochs_eeglab returns), do: name the events alike when cutting the epochs "
        f"({shown}: mne.Epochs(..., event_id={{name: code}})), or give the labels: y=..."
        + (", on the command line --labels CSV or --label-column" if command_line else "")
    )


def _tagged_classes_warning(classes: np.ndarray, command_line: bool = True) -> str | None:
    """What to say when training classes differ from one another only by MNE's
    ``/``-separated tags (each tagged class named with the plainest such class); None when
    none do. ``command_line``: with the probe's command-line options."""
    known = classes.tolist()
    pairs = {}
    for label in known:
        plainer = [
            c
            for c in known
            if _tags(c) <= _tags(label) and str(c).count("/") < str(label).count("/")
        ]
        if plainer:
            pairs[str(label)] = str(min(plainer, key=lambda c: str(c).count("/")))
    if not pairs:
        return None
    listed = ", ".join(f"{a!r} and {b!r}" for a, b in pairs.items())
    return (
        f"the training labels {listed} are classes of their own, each learnt apart; "
        + _tags_advice(pairs, "they differ", command_line)
    )


def event_names_hint(classes: np.ndarray) -> str:
    """How to name epochs' events as the classes, ``epochs.event_id = {'left': CODE, ...}``
    (empty unless the classes are text, as event names are)."""
    known = classes.tolist()
    if not all(isinstance(c, str) for c in known):
        return ""
    shown = ", ".join(f"{c!r}: CODE" for c in known[:4]) + (", ..." if len(known) > 4 else "")
    return f"epochs.event_id = {{{shown}}}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.generic,)):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"class labels must be str, int, float or bool to be saved, got {value!r}")
