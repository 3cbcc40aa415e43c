"""Files of epochs: MNE's ``*-epo.fif``, epoched EEGLAB ``.set`` files and ``.npz`` archives of
epochs arrays.

:func:`is_epochs_file` and :func:`may_hold_epochs` tell them by name (and a ``.set`` file's
trial count), :func:`holds_epochs_instead` a file read as raw data that holds epochs,
:func:`reads_as_epochs` whether a path is read as epochs at all (by its name or contents);
:func:`read_epochs_file` reads one with MNE (with the errors of
:func:`eegpt.io.read_recording`), :func:`read_npz_epochs` an ``.npz`` as the probe commands
read it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

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
    return mne_call(path, lambda: mne.read_epochs(path, proj=False, preload=True, verbose=level))


def is_npz(path: PathLike) -> bool:
    """Whether ``path`` names a NumPy ``.npz`` archive: epochs arrays (read by
    :func:`read_npz_epochs`) or embeddings written by ``eegpt embed``."""
    return Path(path).suffix.lower() == ".npz"


def read_npz_epochs(path: Path, verbose: Verbose = None, bads: Sequence[str] = ()) -> Recording:
    """An ``.npz`` of epochs arrays as an epoched :class:`Recording` (volts), read as the probe
    commands read it (:func:`eegpt.probe_label_files._read_one`): ``X`` [n_epochs, C, T] in
    ``units`` (``"V"``, ``"mV"`` or ``"uV"``; volts when absent), ``ch_names`` [C], ``sfreq``
    (Hz) and, if present, ``y`` [n_epochs], kept as the epochs' ``labels``. An embeddings file
    of ``eegpt embed`` (an ``.npz`` too: an output, not a recording) is refused, saying how to
    load it; ``bads`` (channels to leave out) is refused too: an array's channels are its rows."""
    from eegpt.probe_label_files import _read_one

    with np.load(path, allow_pickle=False) as f:
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
