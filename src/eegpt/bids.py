"""BIDS datasets (https://bids-specification.readthedocs.io), read with MNE-BIDS.

An EEG data file of a BIDS dataset (``sub-01/ses-a/eeg/sub-01_ses-a_task-rest_eeg.edf`` under a
folder with ``dataset_description.json``) is read with :func:`mne_bids.read_raw_bids`, so its
sidecars apply: channel types and bad channels from ``*_channels.tsv``, events from
``*_events.tsv`` as annotations. :func:`bids_manifest` lists a dataset's EEG recordings with
their entities (subject, session, task, acquisition, run) and the columns of
``participants.tsv``, the input :func:`eegpt.dataset.embed_dataset` takes for a BIDS folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import mne

from eegpt._logging import caught_warnings, mne_state_held, pass_on_warnings
from eegpt._logging import warn as _warn
from eegpt.errors import MissingDependencyError, install_hint

__all__ = ["BIDS_EEG_EXTENSIONS", "bids_manifest", "bids_root", "read_raw_bids"]

#: Data file formats of BIDS EEG (the BrainVision header stands for its three files).
BIDS_EEG_EXTENSIONS = (".edf", ".bdf", ".vhdr", ".set")
_EEG_FILE = re.compile(
    rf"^sub-[A-Za-z0-9]+(_[a-z]+-[A-Za-z0-9]+)*_eeg\.({'|'.join(e[1:] for e in BIDS_EEG_EXTENSIONS)})$"
)
#: Top-level folders that hold no raw recordings of the dataset.
_NOT_RAW = ("derivatives", "sourcedata", "code", "stimuli")
_INSTALL = install_hint("bids")
_warned_missing = False


def _mne_bids() -> Any:
    try:
        import mne_bids
    except ImportError as err:
        raise MissingDependencyError(f"reading BIDS datasets needs mne-bids: {_INSTALL}") from err
    return mne_bids


def bids_root(path: Path) -> Path | None:
    """The dataset folder (the one with ``dataset_description.json``) of a BIDS EEG data file
    ``path``, or None when ``path`` is not named and placed like one."""
    if not _EEG_FILE.match(path.name):
        return None
    for parent in list(path.resolve().parents)[:4]:  # <root>/sub-x[/ses-y]/eeg/file
        if (parent / "dataset_description.json").is_file():
            return parent
    return None


# MNE-BIDS's notice that participants.tsv has columns info["subject_info"] has no field for:
# eegpt keeps them as columns of a corpus run instead, so it is noise here.
_NOISE = re.compile(r"^Unable to map the following column\(s\) to MNE")


def read_raw_bids(path: Path, root: Path, verbose: Any = None) -> mne.io.BaseRaw | None:
    """``path`` (in the BIDS dataset ``root``) read by MNE-BIDS with its sidecars applied,
    without loading the samples; None (with a warning, once) when mne-bids is not installed,
    so that the caller reads the file alone.

    MNE-BIDS's warnings (a missing ``*_channels.tsv``, channel types it does not know ...) are
    passed on as warnings about ``path``, whatever ``verbose`` says, since they say what was
    not applied; its INFO lines follow ``verbose``.

    Raises
    ------
    ValueError
        If MNE-BIDS cannot read the file with its sidecars (a corrupt ``*_events.tsv``,
        channel names that differ between ``*_channels.tsv`` and the data, ...).
    """
    try:
        mne_bids = _mne_bids()
    except MissingDependencyError:
        global _warned_missing
        if not _warned_missing:
            _warned_missing = True
            _warn(
                f"{path} belongs to the BIDS dataset {root}; its sidecars (bad channels and "
                f"channel types in *_channels.tsv, events in *_events.tsv) are not applied "
                f"without mne-bids: {_INSTALL}"
            )
        return None
    bids_path = mne_bids.get_bids_path_from_fname(path)
    bids_path.update(root=root)
    above_warnings = (isinstance(verbose, str) and verbose.upper() in ("ERROR", "CRITICAL")) or (
        isinstance(verbose, int) and not isinstance(verbose, bool) and verbose > 30
    )
    with caught_warnings() as caught, mne_state_held():
        try:
            raw = mne_bids.read_raw_bids(
                bids_path,
                extra_params={"preload": False},
                verbose="WARNING" if above_warnings else verbose,
            )
        except Exception as err:  # MNE-BIDS raises anything; the sidecars are the suspects
            sidecar = _sidecar_being_read(err)
            which = (
                f"the sidecar {sidecar} could not be read"
                if sidecar
                else "reading it with its BIDS sidecars (*_channels.tsv, *_events.tsv, "
                "*_eeg.json, participants.tsv) failed"
            )
            raise ValueError(f"{which}: {type(err).__name__}: {err}") from err
    pass_on_warnings(caught, path, skip=_NOISE, reader="MNE-BIDS")
    return raw


def _sidecar_being_read(err: BaseException) -> str | None:
    """The ``.tsv``/``.json`` file MNE-BIDS was reading when ``err`` was raised, found in the
    local variables of the innermost frames of its traceback that name one; None if none
    does (MNE-BIDS's own messages often leave the file out)."""
    tb, found = err.__traceback__, None
    while tb is not None:
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, (str, Path)) and str(value).endswith((".tsv", ".json")):
                found = str(value)
        tb = tb.tb_next
    return found


#: The entities of a file name that become columns (MNE-BIDS's names for them).
_ENTITIES = ("subject", "session", "task", "acquisition", "run")


def bids_manifest(root: Path) -> Any:
    """The EEG recordings of the BIDS dataset ``root`` as a manifest table (pyarrow): ``path``
    (relative to ``root``), ``recording_id`` (the same), the entities the file names carry
    (``subject``, ``session``, ``task``, ``acquisition``, ``run``: text, as written) and the
    columns of ``participants.tsv`` for each subject (``participant_<name>`` where a name is
    taken). Files under ``derivatives/``, ``sourcedata/``, ``code/`` and ``stimuli/`` are not
    recordings of the dataset and are left out."""
    import pyarrow as pa

    try:
        mne_bids = _mne_bids()
    except MissingDependencyError as err:
        raise MissingDependencyError(
            f"{root} is a BIDS dataset (it has dataset_description.json); listing its "
            f"recordings and reading them with their sidecars needs mne-bids: {_INSTALL}. "
            "Or pass pattern='**/*_eeg.edf' (--pattern) to embed the data files alone"
        ) from err
    root = root.resolve()
    paths = sorted(
        p
        for p in root.rglob("sub-*_eeg.*")
        if _EEG_FILE.match(p.name)
        and p.is_file()
        and p.relative_to(root).parts[0] not in _NOT_RAW
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
    if not paths:
        raise FileNotFoundError(
            f"the BIDS dataset {root} has no EEG data files (sub-*_eeg with "
            f"{', '.join(BIDS_EEG_EXTENSIONS)}) outside {', '.join(_NOT_RAW)}"
        )
    rel = [p.relative_to(root).as_posix() for p in paths]
    entities = [mne_bids.get_entities_from_fname(p.name) for p in paths]
    columns: dict[str, list[Any]] = {"path": rel, "recording_id": rel}
    for name in _ENTITIES:
        values = [e.get(name) for e in entities]
        if any(v is not None for v in values):
            columns[name] = values
    from eegpt.dataset_read import RESERVED_COLUMNS
    from eegpt.outputs import clash_renames

    participants = _participants(root, [e["subject"] for e in entities])
    taken = set(columns) | set(RESERVED_COLUMNS)  # participant_<name>, _2 ... where taken
    renames = clash_renames(participants, taken, taken | set(participants), "participant")
    for name, values in participants.items():
        columns[renames.get(name, name)] = values
    return pa.table(
        {
            name: pa.array(values, pa.string()) if name in ("path", "recording_id") else values
            for name, values in columns.items()
        }
    )


def _participants(root: Path, subjects: list[str]) -> dict[str, Any]:
    """The columns of ``participants.tsv`` (pyarrow arrays, ``n/a`` missing), one row per entry
    of ``subjects``; empty without the file."""
    import pyarrow as pa

    from eegpt.dataset_read import read_delimited

    path = root / "participants.tsv"
    if not path.is_file():
        return {}
    table = read_delimited(path)
    if "participant_id" not in table.column_names:
        return {}
    ids = [str(v).removeprefix("sub-") for v in table.column("participant_id").to_pylist()]
    row_of: dict[str, int] = {}
    for i, sid in enumerate(ids):
        if sid in row_of:
            _warn(f"{path} lists sub-{sid} more than once; its first row is used")
        row_of.setdefault(sid, i)
    rows = pa.array([row_of.get(s) for s in subjects], pa.int64())
    return {
        name: table.column(name).combine_chunks().take(rows)
        for name in table.column_names
        if name != "participant_id"
    }
