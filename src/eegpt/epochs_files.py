"""Files of epochs: MNE's ``*-epo.fif``, epoched EEGLAB ``.set`` files and ``.npz`` archives of
epochs arrays.

:func:`is_epochs_file` and :func:`may_hold_epochs` tell them by name (and a ``.set`` file's
trial count), :func:`holds_epochs_instead` a file read as raw data that holds epochs,
:func:`reads_as_epochs` whether a path is read as epochs at all (by its name or contents);
:func:`read_epochs_file` reads one with MNE (with the errors of
:func:`eegpt.io.read_recording`), :func:`read_npz_epochs` an ``.npz`` as the probe commands
read it (:func:`open_epochs_npz` opens one, :func:`npz_entry` reads an array of it, both with
an error naming the file where it is damaged).
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import mne
import numpy as np

from eegpt._eeglab import (
    MNE_MULTIPLE_EVENTS,
    eeglab_read_path,
    eeglab_trials,
    label_by_time_locking_events,
)
from eegpt._logging import Verbose, mne_verbose
from eegpt.errors import RecordingError
from eegpt.formats import PathLike, file_not_found
from eegpt.recording import Recording
from eegpt.recording_files import mne_call

EPOCHS_SUFFIXES = ("-epo.fif", "_epo.fif", "-epo.fif.gz", "_epo.fif.gz")
"""Endings of MNE epochs files (MNE's naming convention); other files are read as raw data."""


def is_epochs_file(path: PathLike) -> bool:
    """Whether ``path`` names an MNE epochs file (``*-epo.fif`` ..., see ``EPOCHS_SUFFIXES``)."""
    return str(path).endswith(EPOCHS_SUFFIXES)


def may_hold_epochs(path: PathLike) -> bool:
    """Whether ``path`` may be read as epochs: an MNE epochs file (:func:`is_epochs_file`) or
    an EEGLAB ``.set`` file of more than one trial (``EEG.trials``, read from the file; one
    that cannot be read counts as epochs, for the epochs reader to say why)."""
    if is_epochs_file(path):
        return True
    if Path(path).suffix.lower() != ".set":
        return False
    trials = eeglab_trials(path)
    return trials is None or trials > 1


def holds_epochs_instead(err: RecordingError) -> bool:
    """Whether reading a file as raw data failed because it holds epochs: a FIF file of epochs
    not named ``*-epo.fif``, or an epoched EEGLAB ``.set`` file."""
    cause = str(err.__cause__)
    return "No raw data" in cause or "must be 1 for raw files" in cause


def reads_as_epochs(path: PathLike) -> bool:
    """Whether :func:`eegpt.io.as_recording` (and so ``model.embed``) reads the file at
    ``path`` as epochs: an ``.npz`` of epochs arrays (:func:`is_npz`), a file named or made as
    epochs (:func:`may_hold_epochs`: ``*-epo.fif``, an epoched EEGLAB ``.set``), or a FIF file
    of epochs under another name, which MNE refuses to read as raw data
    (:func:`holds_epochs_instead`; only its header is read here). Any other file is a
    continuous recording; one that cannot be opened counts as continuous, for its reader to
    say why."""
    if is_npz(path) or may_hold_epochs(path):
        return True
    name = Path(path).name.lower()
    if not (name.endswith(".fif") or name.endswith(".fif.gz")) or not Path(path).is_file():
        return False
    try:
        mne_call(Path(path), lambda: mne.io.read_raw_fif(path, preload=False, verbose="error"))
    except RecordingError as err:
        return holds_epochs_instead(err)
    return False


def read_epochs_file(path: Path, verbose: Verbose = None) -> mne.BaseEpochs:
    """``mne.read_epochs`` (``mne.read_epochs_eeglab`` for a ``.set`` file) with the errors of
    :func:`eegpt.io.read_recording` (file named, chained). Epochs of a ``.set`` file are named
    by their time-locking event (latency 0), not by all the events they hold as MNE names them
    (:func:`eegpt._eeglab.label_by_time_locking_events`). SSP projectors stored but not
    applied stay unapplied (``proj=False``; MNE applies them by default), as for a Raw file
    and for the same epochs passed in memory; those applied before saving stay applied."""
    if not path.exists():
        raise file_not_found(path)
    level = mne_verbose(verbose)
    if path.suffix.lower() == ".set":
        try:
            epochs = mne_call(
                path,
                lambda: mne.read_epochs_eeglab(eeglab_read_path(path), verbose=level),
                MNE_MULTIPLE_EVENTS,
            )
        except RecordingError as err:
            if "does not seem to contain epochs" not in str(err.__cause__):
                raise
            raise RecordingError(
                f"{path} is a continuous EEGLAB recording, not epochs: embed it with `eegpt "
                "embed` (eegpt.embed); for labelled epochs cut them first (mne.Epochs(raw, "
                "events, event_id) or mne.make_fixed_length_epochs) and save them as "
                "*-epo.fif, or label its windows by its annotations (`eegpt probe train "
                "--window-labels`)"
            ) from err.__cause__
        label_by_time_locking_events(epochs, path)
        return epochs
    from eegpt.unreadable_files import refuse_cut_fif

    refuse_cut_fif(path)  # cut short: said so, not as the NumPy error MNE meets (as for Raw)
    return mne_call(path, lambda: mne.read_epochs(path, proj=False, preload=True, verbose=level))


def is_npz(path: PathLike) -> bool:
    """Whether ``path`` names a NumPy ``.npz`` archive: epochs arrays (read by
    :func:`read_npz_epochs`) or embeddings written by ``eegpt embed``."""
    return Path(path).suffix.lower() == ".npz"


#: What an ``.npz`` of epochs arrays is, for the errors of a damaged one.
_NPZ_HOW = (
    "an .npz of epochs arrays is a zip archive np.savez writes (np.savez(path, X=X, "
    "ch_names=names, sfreq=sfreq, units='uV', y=y)): copy it again from a complete copy, or "
    "save it again"
)


def open_epochs_npz(path: Path) -> Any:
    """The ``np.load`` of ``path``, an ``.npz`` of epochs arrays (or eegpt's embeddings, which
    the callers refuse by their entries), to use in a ``with`` block; a file NumPy cannot open
    as an archive (empty, cut short, not a zip archive: NumPy took it for a pickle, or a
    single ``.npy`` array under an ``.npz`` name) raises a :class:`RecordingError` naming it
    and what is wrong, not NumPy's ``EOFError`` or ``BadZipFile``."""
    try:
        opened = np.load(path, allow_pickle=False)
    except (EOFError, ValueError, OSError, zipfile.BadZipFile) as err:
        try:
            size = path.stat().st_size
        except OSError:
            size = -1
        if size == 0:
            why = "it is empty (0 bytes)"
        elif isinstance(err, zipfile.BadZipFile):
            why = f"it is cut short or damaged (a zip archive whose end is missing: {err})"
        elif isinstance(err, ValueError) and "pickle" in str(err):
            why = "it is not a zip archive (NumPy would read it only as a pickle)"
        else:
            why = f"{type(err).__name__}: {err}"
        raise RecordingError(f"cannot read {path}: {why}; {_NPZ_HOW}") from err
    if not isinstance(opened, np.lib.npyio.NpzFile):  # a .npy file's one array
        raise RecordingError(
            f"cannot read {path}: it holds a single NumPy array (an .npy file named .npz), not "
            f"an archive of named arrays; {_NPZ_HOW}"
        )
    return opened


def npz_entry(archive: Any, key: str, path: Path) -> np.ndarray:
    """The array ``key`` of ``archive``, the open ``.npz`` at ``path``; one whose bytes do not
    read (a damaged archive: a wrong checksum, bad compressed data, cut short) raises a
    :class:`RecordingError` naming the file and the entry. NumPy's error for an array of
    Python objects (``allow_pickle``) is left to the caller."""
    try:
        return np.asarray(archive[key])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as err:
        raise RecordingError(
            f"cannot read {path}: its {key!r} array is damaged ({type(err).__name__}: {err}); "
            f"{_NPZ_HOW}"
        ) from err
    except ValueError as err:
        if "allow_pickle" in str(err):
            raise
        raise RecordingError(
            f"cannot read {path}: its {key!r} array is damaged or cut short ({err}); {_NPZ_HOW}"
        ) from err


def read_npz_epochs(path: Path, verbose: Verbose = None, bads: Sequence[str] = ()) -> Recording:
    """An ``.npz`` of epochs arrays as an epoched :class:`Recording` (volts), read as the probe
    commands read it (:func:`eegpt.probe_label_files._read_one`): ``X`` [n_epochs, C, T] in
    ``units`` (``"V"``, ``"mV"`` or ``"uV"``; volts when absent), ``ch_names`` [C], ``sfreq``
    (Hz) and, if present, ``y`` [n_epochs], kept as the epochs' ``labels``. An embeddings file
    of ``eegpt embed`` (an ``.npz`` too: an output, not a recording) is refused, saying how to
    load it; ``bads`` (channels to leave out) is refused too: an array's channels are its rows."""
    from eegpt.probe_label_files import _read_one

    with open_epochs_npz(path) as f:
        names = list(f.files)
    if "embeddings" in names and "X" not in names:
        raise RecordingError(
            f"{path} is an embeddings file written by eegpt embed (EEGPT embeddings, an output), "
            "not a recording to embed. Load it with eegpt.load_embeddings(path) (eegpt info "
            "describes it; eegpt export converts it). To embed epochs arrays, give an .npz with "
            "X [n_epochs, n_channels, n_times], ch_names, sfreq (and units, y), as the probe "
            "commands take, or in Python model.embed(X, ch_names=..., sfreq=..., units='uV')"
        )
    if bads:
        raise RecordingError(
            f"{path}: bads={list(bads)!r} applies to recording files; the channels of an .npz's "
            "X are its rows: leave the rows out (X[:, rows]) with their ch_names"
        )
    rec, y = _read_one(path, verbose)
    labels = None if y is None else [str(v) for v in np.asarray(y).tolist()]
    return replace(rec, labels=labels)
