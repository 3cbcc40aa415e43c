"""EEGLAB ``.set`` files: which hold epochs, and each epoch's time-locking event.

``mne.read_epochs_eeglab`` names an epoch holding several events by all of them joined with
``/`` (``'standard/target/response'``: the stimulus it was cut around, the next stimulus and a
response), so that epochs of one condition fall into many classes. In EEGLAB an epoch's
condition is its time-locking event: the one at latency 0 (``EEG.epoch(i).eventlatency``, in
milliseconds from it, and ``EEG.epoch(i).eventtype``). :func:`label_by_time_locking_events`
names the epochs so, reading the ``.set`` file's epoch structure itself (with pymatreader where
installed, as MNE does, which also reads MATLAB v7.3 files; else with ``scipy.io.loadmat``).
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mne
import numpy as np

from eegpt._logging import few
from eegpt._logging import warn as _warn

#: Where an epoch holds several events at latency 0, their types are joined with this, in
#: EEGLAB's order (as MNE joins all of an epoch's events).
JOIN = "/"

#: MNE's warning for epochs of several events, which :func:`label_by_time_locking_events`
#: replaces with its own (MNE keeps the first event's latency; eegpt the time-locking one).
MNE_MULTIPLE_EVENTS = re.compile(r"At least one epoch has multiple events")


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
    return {name: _field(eeg, name) for name in names if _field(eeg, name) is not None}


def _field(struct: Any, name: str) -> Any:
    """A field of a MATLAB structure read by pymatreader (a dict) or scipy (attributes)."""
    return struct.get(name) if isinstance(struct, dict) else getattr(struct, name, None)


def _identity(path: Path) -> tuple[str, int, int]:
    """``path`` with its modification time and size: a file changed since is read again."""
    stat = path.stat()
    return str(path.resolve()), stat.st_mtime_ns, stat.st_size


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
    return int(_load(Path(identity[0]), ["trials"]).get("trials", 1))


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


def epoch_events(path: Path) -> tuple[list[list[tuple[str, float]]], float, float, int]:
    """The events of every epoch of an epoched EEGLAB ``.set`` file, ``[(type, latency in ms
    from the time-locking event), ...]`` in EEGLAB's order, with ``EEG.srate`` (Hz),
    ``EEG.xmin`` (s) and ``EEG.pnts`` (samples per epoch). Types are text as MNE makes them
    (``str`` of a number)."""
    eeg = _load(path, ["epoch", "srate", "xmin", "pnts"])
    out = []
    for record in _epoch_records(eeg["epoch"]):
        types = [str(t) for t in _as_list(_field(record, "eventtype"))]
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


def label_by_time_locking_events(epochs: mne.BaseEpochs, path: Path) -> None:
    """Name each epoch of ``epochs`` (read from the EEGLAB file ``path`` by
    ``mne.read_epochs_eeglab``) by its time-locking event, in place: ``events[:, 2]`` and
    ``event_id`` (codes 1, 2, ... in order of appearance), ``events[:, 0]`` the time-locking
    sample; all of each epoch's events go to ``epochs.metadata`` (columns ``eeglab_events``,
    their types joined with ``/``, and ``eeglab_latencies_ms``; pandas needed), unless it has
    metadata. Nothing changes when no epoch holds several events; a warning says what was done
    when one does. An epoch without an event at latency 0 keeps MNE's name (all its events)."""
    if not any(JOIN in name for name in epochs.event_id):
        return  # one event per epoch: MNE named each by it
    try:
        per_epoch, srate, xmin, pnts = epoch_events(path)
    except Exception as err:  # no EEG.epoch, fields of other shapes, an unreadable file
        _warn(
            f"{path}: could not read the epochs' events from the file ({type(err).__name__}: "
            f"{err}), so the epochs are named by all the events each holds, joined with '/', "
            "as MNE reads them, not by the time-locking event alone; label them yourself: y=... "
            "(command line: --labels CSV)"
        )
        return
    rows = [per_epoch[int(i)] for i in epochs.selection]
    mne_names = {code: name for name, code in epochs.event_id.items()}
    locked = [time_locking_label(events, srate) for events in rows]
    names = [
        name if name is not None else mne_names[int(code)]
        for name, code in zip(locked, epochs.events[:, 2], strict=True)
    ]
    event_id = {name: code for code, name in enumerate(dict.fromkeys(names), start=1)}
    epochs.event_id = event_id
    epochs.events[:, 2] = [event_id[name] for name in names]
    zero = int(round(-xmin * srate))
    for k, (i, name) in enumerate(zip(epochs.selection, locked, strict=True)):
        if name is not None:
            epochs.events[k, 0] = int(i) * pnts + zero
    kept = _keep_all_events(epochs, rows)
    _warn(_labelled_text(path, rows, names, locked, kept))


def _keep_all_events(epochs: mne.BaseEpochs, rows: list[list[tuple[str, float]]]) -> bool:
    """Put each epoch's events (types and latencies in ms, each joined with ``/``) in
    ``epochs.metadata``; False when it has metadata already or pandas is not installed."""
    if epochs.metadata is not None:
        return False
    try:
        import pandas as pd
    except ImportError:
        return False
    with mne.utils.use_log_level("warning"):  # not MNE's "Adding metadata with 2 columns"
        epochs.metadata = pd.DataFrame(
            {
                "eeglab_events": [JOIN.join(kind for kind, _ in events) for events in rows],
                "eeglab_latencies_ms": [
                    JOIN.join(f"{lat:g}" for _, lat in events) for events in rows
                ],
            }
        )
    return True


def _labelled_text(
    path: Path,
    rows: list[list[tuple[str, float]]],
    names: list[str],
    locked: list[str | None],
    kept: bool,
) -> str:
    """What :func:`label_by_time_locking_events` did, for its warning."""
    several = [JOIN.join(kind for kind, _ in events) for events in rows if len(events) > 1]
    counts = ", ".join(f"{name!r} {n}" for name, n in Counter(names).items())
    text = (
        f"{path}: {len(several)} of {len(rows)} epochs hold several events (e.g. "
        f"{few([repr(s) for s in dict.fromkeys(several)], 2)}); each epoch is named by its "
        "time-locking event, the one at latency 0 (EEGLAB's EEG.epoch(i).eventlatency == 0; "
        f"several there: their types joined with '/'), not by all its events as "
        f"mne.read_epochs_eeglab names them: {counts}"
    )
    unlocked = sum(name is None for name in locked)
    if unlocked:
        text += (
            f". {unlocked} epoch(s) have no event at latency 0 and are named by all their "
            "events, joined with '/'"
        )
    if kept:
        text += (
            ". All of each epoch's events are in the epochs' metadata: column eeglab_events "
            "(types joined with '/'), eeglab_latencies_ms (ms from the time-locking event); "
            "to label the epochs by them: --label-column eeglab_events (Python: "
            "y=embeddings.epochs_metadata['eeglab_events'])"
        )
    return text
