"""EEGLAB ``.set`` files: which hold epochs, and each epoch's time-locking event.

``mne.read_epochs_eeglab`` names an epoch holding several events by all of them joined with
``/`` (``'standard/target/response'``: the stimulus it was cut around, the next stimulus and a
response), so that epochs of one condition fall into many classes. In EEGLAB an epoch's
condition is its time-locking event: the one at latency 0 (``EEG.epoch(i).eventlatency``, in
milliseconds from it, and ``EEG.epoch(i).eventtype``). :func:`label_by_time_locking_events`
names the epochs so, reading the ``.set`` file's epoch structure itself (with pymatreader where
installed, as MNE does, which also reads MATLAB v7.3 files; else with ``scipy.io.loadmat``),
and times each by its time-locking point (MNE by its first event). It names the epochs of a
``.set`` path (:func:`eegpt.io.read_epochs_file`) and, in a copy, those a user read with
``mne.read_epochs_eeglab`` (:func:`time_locked`).
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._logging import few, mne_state_held
from eegpt._logging import warn as _warn

if TYPE_CHECKING:  # mne is imported where used: listings find a .set's data file without it
    import mne

#: Where an epoch holds several events at latency 0, their types are joined with this, in
#: EEGLAB's order (as MNE joins all of an epoch's events).
JOIN = "/"

#: All of an epoch's event types (and their latencies) are joined with this in the epochs'
#: metadata (columns ``eeglab_events``, ``eeglab_latencies_ms``): not ``/``, which MNE joins
#: them with and event types hold themselves (BrainVision markers, ``'Stimulus/S  1'``).
EVENTS_JOIN = " | "

#: MNE's warning for epochs of several events, which :func:`label_by_time_locking_events`
#: replaces with its own (MNE keeps the first event's latency; eegpt the time-locking one).
MNE_MULTIPLE_EVENTS = re.compile(r"At least one epoch has multiple events")

#: Set on epochs :func:`label_by_time_locking_events` has named, so that they are not named again.
_NAMED = "_eegpt_time_locked"


def _load(path: Path, names: Sequence[str]) -> dict[str, Any]:
    """The fields ``names`` of the ``EEG`` structure of a ``.set`` file (saved as one ``EEG``
    variable or as one variable per field), as ``{name: value}``; absent fields are left out.
    pymatreader gives MATLAB structures as dicts, scipy as objects with attributes."""
    try:
        from pymatreader import read_mat
    except ImportError:
        from scipy.io import loadmat

        mat = loadmat(path, squeeze_me=True, struct_as_record=False, variable_names=["EEG", *names])
    else:
        mat = read_mat(str(path), variable_names=["EEG", *names])
    eeg = mat.get("EEG", mat)
    fields = {name: _field(eeg, name) for name in names}
    return {name: value for name, value in fields.items() if value is not None}


def _field(struct: Any, name: str) -> Any:
    """A field of a MATLAB structure read by pymatreader (a dict) or scipy (attributes)."""
    return struct.get(name) if isinstance(struct, dict) else getattr(struct, name, None)


def _identity(path: Path) -> tuple[str, int, int]:
    """``path`` with its modification time and size: a file changed since is read again."""
    stat = path.stat()
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


def eeglab_read_path(path: Path) -> Path:
    """The path to give MNE's EEGLAB reader for the ``.set`` file ``path``: MNE reads the
    samples from a ``.fdt`` data file in the folder of the path it is given
    (:func:`_data_file_beside`: the file ``EEG.data`` names where it exists, else the one of
    the ``.set``'s own name). That is ``path`` itself, unless ``path`` is a symbolic link
    with no such file beside it while its target has one beside it (a corpus of links to
    ``.set`` files, ``corpus/rec.set -> /store/rec.set`` with ``/store/rec.fdt``): the
    target then. A link whose ``.fdt`` is linked beside it (git-annex, both files annexed),
    or a ``.set`` holding its samples, is read as given."""
    if not path.is_symlink() or _data_file_beside(path, path) is not None:
        return path
    target = Path(os.path.realpath(path))
    if _data_file_beside(target, path) is None:
        return path  # nothing to find there: MNE's error names the .fdt missing beside it
    return target


def eeglab_data_file(path: Path) -> Path | None:
    """The ``.fdt`` file MNE's EEGLAB reader reads the samples of the ``.set`` file ``path``
    from, given :func:`eeglab_read_path` (:func:`_data_file_beside`: the file ``EEG.data``
    names where it exists, else the ``.fdt`` of the ``.set``'s own name), for the files
    listed as a recording's (:func:`eegpt._file_identity.recording_files`); None for a
    ``.set`` holding its samples or one whose data file is missing (MNE's reader says so)."""
    return _data_file_beside(eeglab_read_path(path), path)


def _data_file_beside(read: Path, path: Path) -> Path | None:
    """The data file MNE's EEGLAB reader reads when given ``read`` (the ``.set`` file
    ``path`` or its link's target), as ``mne.io.eeglab.eeglab._check_eeglab_fname`` finds
    it: the file ``EEG.data`` names in ``read``'s folder where it exists, else the ``.fdt``
    of ``read``'s own name there; None where neither exists or the samples are in the
    ``.set``.

    ``EEG.data`` is read (:func:`data_file_name`) only where it can change the answer: where
    the folder holds a ``.fdt`` that is not the own-name ``.fdt`` of a ``.set`` there (one
    ``EEG.data`` may name: the ``.set`` was renamed), or where the ``.set``'s own ``.fdt``
    is missing and another lies there. A folder whose every ``.fdt`` is some ``.set``'s own
    (or holding none) costs no ``.set`` opened and one listing (:func:`_fdt_names`); there a
    ``.set`` naming another ``.set``'s ``.fdt`` while its own lies beside it (a pair of
    files copied under new names outside EEGLAB), or holding its samples while a ``.fdt``
    of its name lies beside it, is taken to read its own."""
    own = read.with_suffix(".fdt")
    fdts, orphans = _fdt_names(read.parent)
    has_own = own.name in fdts and own.is_file()
    if not orphans and (has_own or not fdts):
        return own if has_own else None
    named = data_file_name(path)
    if named is None:
        return None  # the samples in the .set (or it cannot be read: MNE's reader says why)
    data = read.parent / named
    if data.is_file() and os.path.realpath(data) != os.path.realpath(read):
        return data  # (EEG.data naming the .set itself: its samples are in it)
    return own if not data.exists() and own.is_file() else None


def _fdt_names(folder: Path) -> tuple[frozenset[str], frozenset[str]]:
    """The names of ``folder``'s ``.fdt`` files and, of those, the ones that are not the
    own-name ``.fdt`` of a ``.set`` there (``EEG.data`` may name them); empty where the
    folder cannot be read. Listed once while the folder is unchanged (its modification
    time), so that listing a folder of N ``.set`` files lists it once, not N times: a
    listing taken within :data:`_SETTLED_NS` of that time is not kept (a file system's
    clock ticks coarsely, so a change made in the same tick keeps the time)."""
    try:
        modified = folder.stat().st_mtime_ns
    except OSError:
        return frozenset(), frozenset()
    key = os.path.abspath(folder)  # not "." or "data": the same after a chdir
    kept = _LISTED.get(key)
    if kept is not None and kept[0] == modified:
        return kept[1]
    listed_at = time.time_ns()
    names = _fdts(folder)
    if listed_at - modified > _SETTLED_NS:
        if len(_LISTED) >= 256:
            _LISTED.clear()
        _LISTED[key] = (modified, names)
    return names


#: A folder's listing is kept once its modification time is this old (ns): 2 s, the
#: coarsest tick of a file system's times (FAT's; ext3, HFS+ and some network file systems
#: tick each second), so that a file added in the tick of the listing is not missed.
_SETTLED_NS = 2_000_000_000

#: :func:`_fdt_names`'s listings: ``{folder: (modification time in ns, names)}``.
_LISTED: dict[str, tuple[int, tuple[frozenset[str], frozenset[str]]]] = {}


def _fdts(folder: Path) -> tuple[frozenset[str], frozenset[str]]:
    """:func:`_fdt_names` of ``folder``, listed now."""
    try:
        names = set(os.listdir(folder))
    except OSError:
        return frozenset(), frozenset()
    fdts = frozenset(n for n in names if n.endswith(".fdt"))  # the only case MNE reads
    sets = {n[: -len(".set")] for n in names if n.lower().endswith(".set")}
    return fdts, frozenset(n for n in fdts if n[: -len(".fdt")] not in sets)


def data_file_name(path: Path) -> str | None:
    """The data file name ``EEG.data`` of the ``.set`` file ``path`` gives (read once while
    the file is unchanged); None where it holds the samples or cannot be read (MNE's reader
    then says why)."""
    try:
        return _data_name(_identity(path))
    except Exception:  # scipy and pymatreader raise their own errors (MatReadError ...)
        return None


@functools.lru_cache(maxsize=256)
def _data_name(identity: tuple[str, int, int]) -> str | None:
    path = Path(identity[0])
    kind = _data_variable_class(path)
    if kind is not None and kind != "char":
        return None  # the samples, in the .set: not loaded to learn so
    named = _load(path, ["data"]).get("data")
    return named if isinstance(named, str) else None


def _data_variable_class(path: Path) -> str | None:
    """The MATLAB class of ``EEG.data`` of the ``.set`` file ``path`` (``'char'`` for a data
    file's name; ``'single'``, ``'double'`` ... for the samples), read without loading the
    samples: from a MATLAB v5 file's variable headers where its ``EEG`` fields are variables
    of their own (as EEGLAB and eeglabio save them), else from a v7.3 (HDF5) file's
    attributes (with h5py); None for a v5 file of one ``EEG`` structure (read whole) or a
    file read neither way."""
    from scipy.io import whosmat

    try:
        variables = whosmat(path, appendmat=False)
    except NotImplementedError:  # MATLAB v7.3
        return _hdf5_data_class(path)
    except Exception:  # not a MATLAB file: the reader that opens it says why
        return None
    return next((str(kind) for name, _, kind in variables if name == "data"), None)


def _hdf5_data_class(path: Path) -> str | None:
    """The ``MATLAB_class`` attribute of ``data`` (or ``EEG/data``) in the MATLAB v7.3 file
    ``path``; None without h5py or where there is no such dataset."""
    try:
        import h5py
    except ImportError:
        return None
    try:
        with h5py.File(path, "r") as mat:
            for key in ("data", "EEG/data"):
                item = mat.get(key)
                if isinstance(item, h5py.Dataset):
                    kind = item.attrs.get("MATLAB_class")
                    return kind.decode() if isinstance(kind, bytes) else None
    except (OSError, ValueError):
        return None
    return None


def eeglab_trials(path: os.PathLike | str) -> int | None:
    """``EEG.trials`` of an EEGLAB ``.set`` file: 1 for a continuous recording, the number of
    epochs for an epoched one; None when the file cannot be read so (missing, not a MATLAB
    file): the reader that opens it then says why."""
    try:
        return _trials(_identity(Path(path)))
    except Exception:  # scipy and pymatreader raise their own errors (MatReadError ...)
        return None


@functools.lru_cache(maxsize=256)
def _trials(identity: tuple[str, int, int]) -> int:
    return int(_header(identity).get("trials", 1))


#: The fields of ``EEG`` eegpt reads itself (not the samples, which MNE reads).
_HEADER = ("trials", "epoch", "srate", "xmin", "pnts", "event")


@functools.lru_cache(maxsize=8)
def _header(identity: tuple[str, int, int]) -> dict[str, Any]:
    """:data:`_HEADER`'s fields of a ``.set`` file, read in one go (a file that holds its
    samples is loaded whole by scipy, so it is read once for both uses)."""
    return _load(Path(identity[0]), _HEADER)


def _as_list(value: Any) -> list[Any]:
    """A MATLAB scalar or cell array as a list (one item for a scalar or a text)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        return [value]
    return list(np.ravel(np.asarray(value, dtype=object)))


def _epoch_records(epochs: Any) -> list[Any]:
    """``EEG.epoch`` as one record per epoch (pymatreader gives a structure array as a dict of
    lists, one item per epoch; scipy an array of structures)."""
    if isinstance(epochs, dict):
        n = max((len(v) for v in epochs.values() if isinstance(v, list)), default=1)
        return [{k: v[i] if isinstance(v, list) else v for k, v in epochs.items()} for i in range(n)]  # fmt: skip
    return _as_list(epochs)


def _latency_ms(value: Any) -> float:
    """One ``eventlatency`` in ms; NaN for an empty cell or a text that is not a number."""
    try:
        return float(np.asarray(value, dtype=float).ravel()[0])
    except (ValueError, TypeError, IndexError):
        return float("nan")


def type_text(value: Any) -> str:
    """An EEGLAB event type as text; a whole number as an integer (``'1'``, where MNE writes
    ``'1.0'`` for EEGLAB's numeric types, MATLAB's numbers being doubles)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        return str(int(number)) if number.is_integer() else str(number)
    return str(value)


def _event_types(events: Any) -> list[Any]:
    """The ``type`` of each event of ``EEG.event`` (pymatreader gives a structure array as a
    dict of lists, or of values for one event; scipy an array of structures, or one)."""
    if events is None:
        return []
    if isinstance(events, dict):
        return _as_list(events.get("type"))
    return [_field(event, "type") for event in _as_list(events)]


def numeric_type_names(path: os.PathLike | str) -> dict[str, str]:
    """``{MNE's description: eegpt's}`` for the whole-number numeric event types of a
    continuous ``.set`` file: ``mne.io.read_raw_eeglab`` describes EEGLAB's numeric type 1
    (a MATLAB double) as ``'1.0'``, eegpt (as for epochs, :func:`type_text`) as ``'1'``. A
    description that is also a text type of the file (``'1.0'`` typed as text) is left as it
    is; none when the file cannot be read so (MNE's reader then says why)."""
    try:
        types = _event_types(_header(_identity(Path(path))).get("event"))
    except Exception:  # scipy and pymatreader raise their own errors (MatReadError ...)
        return {}
    texts = {t for t in types if isinstance(t, str)}
    out: dict[str, str] = {}
    for value in types:
        if isinstance(value, np.ndarray) and value.size == 1:
            value = value.item()
        if isinstance(value, (str, bytes, bool)) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            continue
        mne_text, plain = str(float(value)), type_text(value)
        if mne_text != plain and mne_text not in texts:
            out[mne_text] = plain
    return out


def plain_numeric_types(raw: mne.io.BaseRaw, path: os.PathLike | str) -> None:
    """Describe the annotations of the EEGLAB ``.set`` recording ``raw`` (read from ``path``)
    of its whole-number numeric event types as whole numbers, ``'1'`` not MNE's ``'1.0'``
    (in place), as epochs of the same events are named (:func:`numeric_type_names`)."""
    names = numeric_type_names(path)
    found = {old: new for old, new in names.items() if old in set(raw.annotations.description)}
    if found:
        raw.annotations.rename(found, verbose=False)


def _plain_epoch_name(name: str) -> str:
    """An epoch's name with its ``/``-joined parts that are whole numbers written as integers
    (``'1.0/2.0'``: ``'1/2'``): MNE's name and eegpt's of the same events compare equal."""
    parts = []
    for part in name.split(JOIN):
        try:
            number = float(part)
        except ValueError:
            parts.append(part)
        else:
            parts.append(str(int(number)) if number.is_integer() else part)
    return JOIN.join(parts)


def epoch_events(path: Path) -> tuple[list[list[tuple[str, float]]], float, float, int]:
    """The events of every epoch of an epoched EEGLAB ``.set`` file, ``[(type, latency in ms
    from the time-locking event), ...]`` in EEGLAB's order, with ``EEG.srate`` (Hz),
    ``EEG.xmin`` (s) and ``EEG.pnts`` (samples per epoch). Types are text
    (:func:`type_text`). Read once while the file is unchanged."""
    return _epoch_events(_identity(path))


@functools.lru_cache(maxsize=8)
def _epoch_events(
    identity: tuple[str, int, int],
) -> tuple[list[list[tuple[str, float]]], float, float, int]:
    eeg = _header(identity)
    out = []
    for record in _epoch_records(eeg["epoch"]):
        types = [type_text(t) for t in _as_list(_field(record, "eventtype"))]
        latencies = [_latency_ms(v) for v in _as_list(_field(record, "eventlatency"))]
        if len(latencies) != len(types):
            raise ValueError(f"{len(types)} event types but {len(latencies)} latencies")
        out.append(list(zip(types, latencies, strict=True)))
    return out, float(eeg["srate"]), float(eeg["xmin"]), int(eeg["pnts"])


def time_locking_label(events: Sequence[tuple[str, float]], sfreq: float) -> str | None:
    """The type of an epoch's time-locking event, the one at latency 0 (within half a sample):
    several such events' distinct types joined with ``/``; None when there is none."""
    half_sample_ms = 500.0 / sfreq
    at_zero = [kind for kind, latency in events if abs(latency) <= half_sample_ms]
    return JOIN.join(dict.fromkeys(at_zero)) if at_zero else None


def _all_events_name(events: Sequence[tuple[str, float]]) -> str:
    """An epoch's name as MNE makes it: all its events' types joined with ``/``."""
    return JOIN.join(kind for kind, _ in events)


def event_names(epochs: mne.BaseEpochs) -> list[str]:
    """Each epoch's event name (its code as text where ``event_id`` has none)."""
    names = {int(code): str(name) for name, code in epochs.event_id.items()}
    return [names.get(int(code), str(int(code))) for code in epochs.events[:, 2]]


def label_by_time_locking_events(
    epochs: mne.BaseEpochs, path: Path, *, quiet: bool = False
) -> None:
    """Name and time each epoch of ``epochs`` (read from the EEGLAB file ``path`` by
    ``mne.read_epochs_eeglab``) by its time-locking event, in place.

    ``events[:, 0]`` becomes every epoch's time-locking sample (its index in the file times
    ``EEG.pnts``, plus the samples before latency 0), so that its onset is its index times the
    epoch length, whatever events it holds (MNE takes the latency of its first event).
    Epochs still named as MNE names them (all their events joined with ``/``; not renamed by
    the user) are named by their event at latency 0 (:func:`time_locking_label`, codes 1,
    2, ... in order of appearance, whole numbers as integers: ``'1'`` not ``'1.0'``); one
    without such an event keeps the name of all its events. Every epoch's events go to
    ``epochs.metadata`` (columns ``eeglab_events``, their types joined with ``' | '``, and
    ``eeglab_latencies_ms``; pandas needed). A warning (none with ``quiet``) says so when
    epochs hold several events or none at latency 0, or when the file cannot be read."""
    try:
        per_epoch, srate, xmin, pnts = epoch_events(path)
        rows = [per_epoch[int(i)] for i in epochs.selection]
    except Exception as err:  # no EEG.epoch, fields of other shapes, an unreadable file
        if not quiet:
            _warn(
                f"{path}: could not read the epochs' events from the file ({type(err).__name__}"
                f": {err}), so the epochs are named by all the events each holds, joined with "
                "'/', and timed by the first of them, as mne.read_epochs_eeglab reads them, not "
                "by their time-locking event; label them yourself: y=... (command line: "
                "--labels CSV)"
            )
        return
    epochs.events = epochs.events.copy()  # not an array another object shares
    epochs.events[:, 0] = np.asarray(epochs.selection, dtype=int) * pnts + round(-xmin * srate)
    setattr(epochs, _NAMED, True)
    kept = _keep_all_events(epochs, rows)
    mne_names = event_names(epochs)
    if any(
        _plain_epoch_name(n) != _plain_epoch_name(_all_events_name(e))
        for n, e in zip(mne_names, rows, strict=True)
    ):
        return  # named otherwise (epochs.event_id set by the user): their names are kept
    locked = [time_locking_label(events, srate) for events in rows]
    names = [
        name if name is not None else _all_events_name(events)
        for name, events in zip(locked, rows, strict=True)
    ]
    event_id = {name: code for code, name in enumerate(dict.fromkeys(names), start=1)}
    epochs.event_id = event_id
    epochs.events[:, 2] = [event_id[name] for name in names]
    numbers = [int(i) + 1 for i in epochs.selection]
    text = _labelled_text(path, numbers, rows, names, locked, kept)
    if text is not None and not quiet:
        _warn(text)


def _keep_all_events(epochs: mne.BaseEpochs, rows: list[list[tuple[str, float]]]) -> bool:
    """Put each epoch's events (types and latencies in ms, each joined with ``' | '``) in
    ``epochs.metadata``, beside any columns it has; False when it has such columns already or
    pandas is not installed, or fails to import (built for another NumPy: a ValueError, as
    pandas 2.0.0-2.1.1 under NumPy 2)."""
    try:
        import pandas as pd
    except (ImportError, ValueError):
        return False
    table = epochs.metadata
    columns = ("eeglab_events", "eeglab_latencies_ms")
    if table is not None and any(column in table.columns for column in columns):
        return False
    table = pd.DataFrame(index=range(len(rows))) if table is None else table.copy()
    table["eeglab_events"] = [EVENTS_JOIN.join(kind for kind, _ in events) for events in rows]
    table["eeglab_latencies_ms"] = [
        EVENTS_JOIN.join(f"{latency:g}" for _, latency in events) for events in rows
    ]
    import mne

    with mne_state_held(), mne.utils.use_log_level("warning"):  # not "Adding metadata ..."
        epochs.metadata = table
    return True


def _labelled_text(
    path: Path,
    numbers: list[int],
    rows: list[list[tuple[str, float]]],
    names: list[str],
    locked: list[str | None],
    kept: bool,
) -> str | None:
    """What :func:`label_by_time_locking_events` did, for its warning (``numbers``: the
    epochs' numbers in EEGLAB, from 1); None when every epoch holds its time-locking event
    alone (named as MNE names it)."""
    said = []
    several = [EVENTS_JOIN.join(kind for kind, _ in events) for events in rows if len(events) > 1]
    if several:
        counts = ", ".join(f"{name!r} {n}" for name, n in Counter(names).items())
        said.append(
            f"{len(several)} of {len(rows)} epochs hold several events (e.g. "
            f"{few([repr(s) for s in dict.fromkeys(several)], 2)}); each epoch is named by its "
            "time-locking event, the one at latency 0 (EEGLAB's EEG.epoch(i).eventlatency == "
            "0; several there: their types joined with '/'), not by all its events as "
            f"mne.read_epochs_eeglab names them; epochs by name: {counts}"
        )
    unlocked = [k for k, name in enumerate(locked) if name is None]
    if unlocked:
        counts = ", ".join(f"{n!r} {c}" for n, c in Counter(names[k] for k in unlocked).items())
        said.append(
            f"{len(unlocked)} of {len(rows)} epochs have no event at latency 0 (e.g. "
            f"EEG.epoch({numbers[unlocked[0]]}): {_events_text(rows[unlocked[0]])}), so they "
            "are named by all the events each "
            f"holds, joined with '/', as mne.read_epochs_eeglab names them: {counts}; their "
            "onsets are their time-locking points all the same (index times epoch length); "
            "leave them out or label them yourself: y=... (command line: --labels CSV)"
        )
    if kept and several:
        said.append(
            "All of each epoch's events are in the epochs' metadata: column eeglab_events "
            f"(types joined with {EVENTS_JOIN!r}), eeglab_latencies_ms (ms from the "
            "time-locking event); to label the epochs by them: --label-column eeglab_events "
            "(Python: y=embeddings.epochs_metadata['eeglab_events'])"
        )
    return f"{path}: " + ". ".join(said) if said else None


def _events_text(events: Sequence[tuple[str, float]]) -> str:
    """``"'response' at 300 ms, 'target' at -100 ms"``; ``"no events"`` for none."""
    return ", ".join(f"{kind!r} at {latency:g} ms" for kind, latency in events) or "no events"


def _read_by_eeglab_reader(epochs: mne.BaseEpochs) -> bool:
    """Whether ``epochs`` were read by ``mne.read_epochs_eeglab`` (and named by MNE)."""
    try:
        from mne.io.eeglab.eeglab import EpochsEEGLAB
    except ImportError:  # moved in an MNE to come
        return type(epochs).__name__ == "EpochsEEGLAB"
    return isinstance(epochs, EpochsEEGLAB)


def time_locked(epochs: mne.BaseEpochs, *, quiet: bool = False) -> mne.BaseEpochs:
    """``epochs`` read by ``mne.read_epochs_eeglab``, named and timed by their time-locking
    events as eegpt names the epochs of a ``.set`` path (:func:`label_by_time_locking_events`,
    reading the file ``epochs.filename`` again), in a copy that shares their data: the
    caller's object is left as it is. Other epochs, and epochs named so already, are returned
    as given; so are those whose file is not there any more, with a warning that says to pass
    the ``.set`` path (none with ``quiet``)."""
    if not _read_by_eeglab_reader(epochs) or getattr(epochs, _NAMED, False):
        return epochs
    path = None if epochs.filename is None else Path(str(epochs.filename))
    if path is None or not path.is_file():
        if not quiet:
            _warn(
                f"{path or '<Epochs>'}: these epochs were read by mne.read_epochs_eeglab from "
                "a file that is not there any more, so they keep MNE's names (all the events each "
                "holds, joined with '/') and onsets (each epoch's first event), not their "
                "time-locking event (latency 0); pass the .set file's path instead "
                "(model.embed('x.set'); command line: eegpt embed x.set)"
            )
        return epochs
    copy = _shallow_copy(epochs)
    label_by_time_locking_events(copy, path, quiet=quiet)
    return copy


def _shallow_copy(epochs: mne.BaseEpochs) -> mne.BaseEpochs:
    """A copy of ``epochs`` sharing their data and info (as ``epochs.copy()`` copies them all,
    but for their events and event names, which :func:`label_by_time_locking_events` sets)."""
    cls: Any = type(epochs)  # (mypy takes type[Any].__new__ for type.__new__)
    copy = cls.__new__(cls)
    copy.__dict__.update(epochs.__dict__)
    copy.events = epochs.events.copy()
    copy.event_id = dict(epochs.event_id)
    return copy
