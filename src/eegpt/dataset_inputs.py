"""The inputs of a corpus run: which recordings :func:`eegpt.dataset.embed_dataset` embeds.

:func:`resolve_inputs` turns a folder (walked for recordings, BIDS datasets with their
sidecars), a glob, a list of paths, a manifest (CSV/TSV/Parquet with ``path`` and optional
``recording_id``, ``rescale``, ``start_seconds``, ``annotations_file``, ``bads`` and metadata
columns) or a run's
report into :class:`DatasetInputs`: the files in a fixed order, each with its id and per-file
settings, and the manifest's other columns for the output rows. ``part=(K, N)`` takes the
K-th of N interleaved parts (a cluster job array). This module imports no torch.
"""

from __future__ import annotations

import glob
import hashlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from eegpt._file_identity import (
    SplitRecording,
    file_identity,
    listed_path,
    recording_files,
    split_recording,
)
from eegpt._filenames import os_path, path_text
from eegpt._logging import Verbose, check_verbose, few
from eegpt._logging import count as _count
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt.dataset_folders import (
    ERRORS_REPORT,
    FILES_REPORT,
    MANIFEST_SUFFIXES,
    SHORT_REPORT,
    read_run_manifest,
)
from eegpt.errors import MissingFileError
from eegpt.formats import (
    EEG_SUFFIXES,
    RECORDING_FOLDER_SUFFIXES,
    file_not_found,
    first_split_part,
    is_recording_folder,
)
from eegpt.optional_packages import require_pyarrow
from eegpt.preprocessing_spec import on_a_sample
from eegpt.text_tables import read_delimited_table
from eegpt.window_tables import RESERVED_COLUMNS

_BIDS = " (BIDS)"  # ends the source of a BIDS folder's inputs
BIDS_SOURCE = _BIDS


def pyarrow_for_writing():
    """``(pyarrow, pyarrow.parquet)`` for embed_dataset's shards, or the error that names the
    extra to install."""
    return require_pyarrow("embed_dataset (it writes Parquet)", writing=True)


#: The rate at which windows are cut (the model's): a ``start_seconds`` cell between two of
#: its samples is moved to the nearest, with a note, as
#: :attr:`~eegpt.preprocessing.PreprocessingConfig.start_seconds` is.
_MODEL_SFREQ = 256.0


@dataclass(frozen=True)
class InputFile:
    """One input file.

    Parameters
    ----------
    index : int
        Position in the dataset's file list (defines its shard: ``index // shard_size``).
    recording_id : str
        Unique name of the recording in the output: the path relative to the input folder (or
        glob root), or the manifest's ``recording_id`` column; as text, the real name
        (:func:`eegpt._filenames.path_text`).
    path : str
        Absolute path of the file, in the form file calls take (which may hold surrogate
        escapes where the locale cannot decode the name); records use :attr:`path_text`.
    rescale : float
        Multiplier for the samples as read (volts), from the manifest's ``rescale`` column: a
        file whose header gives the wrong unit (``1e-6``: microvolts labelled as volts), as
        ``--rescale`` does for a whole run.
    start_seconds : float | None
        The onset of this continuous recording's first window, in seconds from its first
        sample, from the manifest's ``start_seconds`` column: a night's first scored epoch
        (one between two samples at 256 Hz is moved to the nearest, with a warning:
        :func:`eegpt.preprocessing.start_on_grid`). None (an empty cell, no such column): the run's
        :attr:`~eegpt.preprocessing.PreprocessingConfig.start_seconds` (``--start``).
    annotations : str | None
        A file of more annotations of the recording (a hypnogram), from the manifest's
        ``annotations_file`` column (see :func:`eegpt.embed`'s ``annotations``).
    bads : tuple of str
        Channels to mark bad in this file (as its ``info["bads"]`` would), from the manifest's
        ``bads`` column (:func:`bads_of_cell`): labels, or the electrodes they map to after
        the run's rename (:func:`eegpt.io.mark_bad`).
    """

    index: int
    recording_id: str
    path: str
    rescale: float = 1.0
    annotations: str | None = None
    bads: tuple[str, ...] = ()
    start_seconds: float | None = None

    @property
    def path_text(self) -> str:
        """:attr:`path` as the run records it (the ``path`` columns of its Parquet shards and
        reports): the real name, whatever the locale (:func:`eegpt._filenames.path_text`)."""
        return path_text(self.path)


@dataclass
class DatasetInputs:
    """The files of a dataset and their per-file metadata.

    Parameters
    ----------
    files : list of InputFile
        In processing order (sorted ids for folders and globs, row order for manifests).
    metadata : pyarrow.Table | None
        One row per file with the manifest's extra columns (labels, subject, ...), or None.
    source : str
        What was given, for messages.
    manifest : bool
        Whether the files come from a manifest the user gave (a file or table), whose columns
        (``rescale``) can set a single file's settings; False for folders, globs, file lists,
        BIDS folders and a run's reports.
    """

    files: list[InputFile]
    metadata: Any = None
    source: str = ""
    manifest: bool = False

    def __len__(self) -> int:
        return len(self.files)

    @property
    def metadata_columns(self) -> list[str]:
        return [] if self.metadata is None else list(self.metadata.column_names)

    def part(self, k: int, n: int) -> DatasetInputs:
        """Part ``k`` of ``n`` (``0 <= k < n``): every ``n``-th file from the ``k``-th, so that
        parts of a corpus sorted by site or subject get alike mixes; ids, manifest columns
        and per-file settings stay as in the whole list, files are numbered anew. For one
        job of a cluster's job array per part (:func:`embed_dataset`'s ``part``)."""
        if not (isinstance(k, int) and isinstance(n, int) and n >= 1 and 0 <= k < n):
            raise ValueError(
                f"part {k}/{n}: give K/N with N >= 1 parts and 0 <= K < N (SLURM: "
                "--array=0-(N-1) and --part $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)"
            )
        rows = list(range(k, len(self.files), n))
        if not rows:
            raise EmptyPartError(
                f"part {k}/{n} of {self.source} holds no file: the corpus has "
                f"{_count(len(self.files), 'file')}, fewer than {n} parts, so parts "
                f"{len(self.files)} to {n - 1} have nothing to do (the parts read back do not "
                "count them as missing)"
            )
        files = [replace(self.files[r], index=i) for i, r in enumerate(rows)]
        metadata = None if self.metadata is None else self.metadata.take(rows)
        return DatasetInputs(files, metadata, f"{self.source} (part {k}/{n})", self.manifest)

    def fingerprint(self, sfreq: float = _MODEL_SFREQ, recorded: str | None = None) -> str:
        """SHA-256 of the recording ids, their order and the metadata values, a
        ``start_seconds`` cell taken where its windows start (at the nearest sample at
        ``sfreq``, the rate windows are cut at: 17.3 and 17.30078125 at 256 Hz make the same
        windows, so the same fingerprint). ``recorded``: the fingerprint a run of these inputs
        recorded; where it is of the cells as given (eegpt before 2026-12-07) and the cells
        are the same, that one is returned, so that the run still resumes."""
        rows = None if self.metadata is None else self.metadata.to_pylist()
        moved = rows is not None and any(
            isinstance(v := row.get("start_seconds"), float) and on_a_sample(v, sfreq) != v
            for row in rows
        )
        if moved and recorded is not None and recorded == _sha256(self.files, self.metadata, rows):
            return recorded
        if moved and rows is not None:
            rows = [
                {**row, "start_seconds": on_a_sample(v, sfreq)}
                if isinstance(v := row.get("start_seconds"), float)
                else row
                for row in rows
            ]
        return _sha256(self.files, self.metadata, rows)


def _sha256(files: Sequence[InputFile], metadata: Any, rows: list[dict[str, Any]] | None) -> str:
    """:meth:`DatasetInputs.fingerprint` of ``files`` and the ``rows`` of their ``metadata``."""
    h = hashlib.sha256()
    h.update(json.dumps([f.recording_id for f in files]).encode())
    if metadata is not None:
        h.update(json.dumps(metadata.schema.names).encode())
        h.update(json.dumps(rows, default=str, sort_keys=True).encode())
    return h.hexdigest()


class EmptyPartError(ValueError):
    """A ``--part K/N`` of a corpus of fewer than ``K + 1`` files: nothing to do (the
    command line exits 0)."""


def as_part(part: Any) -> tuple[int, int] | None:
    """``part`` as ``(k, n)``: from ``"K/N"`` (the command line's spelling, or SLURM's
    variables joined) or a pair of integers (or their text, as ``os.environ`` gives them)."""
    if part is None:
        return None
    pair = part.split("/") if isinstance(part, str) else part
    try:
        k, n = (int(str(v).strip()) for v in pair)
    except (TypeError, ValueError):
        raise ValueError(
            f"part={part!r}: give two whole numbers K and N, as (K, N) or 'K/N' (part K of N, "
            "0 <= K < N)"
        ) from None
    return k, n


def resolve_inputs(
    inputs: Any,
    *,
    pattern: str | None = None,
    verbose: Verbose = None,
    bids_filters: Mapping[str, Any] | None = None,
) -> DatasetInputs:
    """List the files to embed.

    Parameters
    ----------
    inputs : path-like | str | sequence of path-like | pandas.DataFrame | pyarrow.Table
        A folder (searched recursively for :data:`EEG_SUFFIXES` and recordings that are folders,
        EGI ``.mff``; or for ``pattern``), a glob such
        as ``"/data/tuh/**/*.edf"``, a manifest (``.csv``, ``.tsv`` or ``.parquet``) with a
        ``path`` column, relative paths being relative to the manifest's folder, an optional
        unique ``recording_id`` column, optional per-file settings (``rescale``: a correction
        of the samples as read, :attr:`InputFile.rescale`; ``start_seconds``: where the first
        window of a continuous recording starts, :attr:`InputFile.start_seconds`;
        ``annotations_file``: more
        annotations, :attr:`InputFile.annotations`; ``bads``: channels to mark bad,
        :attr:`InputFile.bads`) and any other columns, copied to every row of the file's
        windows and otherwise ignored; a table of the same form; a single EEG file; or a list
        of EEG files (the BrainVision ``.eeg``/``.vmrk`` and EEGLAB ``.fdt`` of a recording
        in it left out, read with it, with one warning that counts them).
    pattern : str | None
        For a folder: a glob relative to it, e.g. ``"**/*.edf"``.
    verbose : bool | str | int | None
        For a folder: log the linked folders followed outside it (see :func:`embed_dataset`).
    bids_filters : dict of str to (str or sequence of str) | None
        For a BIDS dataset (or a folder inside one), without ``pattern`` (with it in a BIDS
        derivative dataset, whose recordings ``pattern`` picks among): only the recordings
        whose entities (``subject``, ``session``, ``task``, ``acquisition``, ``run``,
        ``processing``, ``description``) have one of the values given, e.g. ``{"task":
        "rest", "subject": ["01", "02"]}`` (:func:`eegpt.bids.bids_manifest`).

    Returns
    -------
    DatasetInputs

    Raises
    ------
    FileNotFoundError
        If the folder, manifest or files do not exist, or nothing matches.
    ValueError
        On ``bids_filters`` for inputs that are not a BIDS dataset, or with a value no
        recording has.
        On a manifest without ``path`` column, empty or duplicate ids, metadata columns that
        clash with the output columns, or a row of a later part of a split FIF recording
        whose first part it does not list (rows of later parts and of BrainVision/EEGLAB
        companion files whose recording is listed too are left out with a warning, as a
        folder leaves them out).
    """
    check_verbose(verbose)  # a wrong type: a TypeError, before the file is opened
    pa, pq = pyarrow_for_writing()
    if bids_filters and not (isinstance(inputs, (str, os.PathLike)) and _is_folder(inputs)):
        given = (
            repr(os.fspath(inputs)[:80])
            if isinstance(inputs, (str, os.PathLike))
            else f"a {type(inputs).__name__}"
        )
        holder = _dataset_holding(inputs)
        raise ValueError(
            f"{_filters_text(bids_filters)} select recordings of a BIDS dataset; give its "
            "folder (or a folder inside it"
            + (f"; here {holder}, which holds these files" if holder is not None else "")
            + f") as the input, not {given}"
        )
    if isinstance(inputs, pa.Table):
        return replace(_from_table(inputs, Path.cwd(), "<table>"), manifest=True)
    if hasattr(inputs, "columns") and hasattr(inputs, "to_dict"):  # a pandas DataFrame
        table = pa.Table.from_pandas(inputs, preserve_index=False)
        return replace(_from_table(table, Path.cwd(), "<df>"), manifest=True)
    if isinstance(inputs, (str, os.PathLike)):
        text = os.fspath(inputs)
        path = Path(text).expanduser()
        if is_recording_folder(path):  # an EGI .mff or CTF .ds recording: one input
            return _from_paths([path], text)
        if path.is_dir():
            return _from_folder(path, pattern, verbose, bids_filters)
        if path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES:
            return _from_manifest(path)
        if path.is_file():
            return _from_paths([path], text)
        if glob.has_magic(text):
            return _from_glob(text)
        if _dangling(path):
            raise file_not_found(path)
        raise MissingFileError(
            f"input {text!r} is not an existing folder, manifest ({', '.join(MANIFEST_SUFFIXES)})"
            ", EEG file or a glob that matches files"
        )
    if isinstance(inputs, Sequence) and inputs:
        paths = [Path(os.fspath(p)).expanduser() for p in inputs]
        missing = [p for p in paths if not (p.is_file() or is_recording_folder(p))]
        if missing:
            broken = [str(p) for p in missing if _dangling(p)]
            links = (
                "is a symbolic link to a file that does not exist"
                if len(broken) == 1
                else "are symbolic links to files that do not exist"
            )
            raise MissingFileError(
                f"{len(missing)} input file(s) not found: {[str(p) for p in missing[:5]]}"
                + (f"; {few(broken)} {links}" if broken else "")
            )
        return _from_paths(paths, f"<{len(paths)} files>")
    raise TypeError(
        f"inputs must be a folder, glob, manifest, file list or table, got {type(inputs).__name__}"
    )


def _dataset_holding(inputs: Any) -> Path | None:
    """The BIDS dataset (or derivative dataset: :func:`_is_bids_dataset`) nearest above all
    the files of ``inputs`` (a file, a glob's folder, or a sequence of paths), for a message
    that says which folder to give; None for other inputs or files in no one dataset."""
    if isinstance(inputs, (str, os.PathLike)):
        text = os.fspath(inputs)
        paths = [_glob_split(text)[0] / "x" if glob.has_magic(text) else Path(text)]
    elif (
        isinstance(inputs, Sequence)
        and inputs
        and all(isinstance(p, (str, os.PathLike)) for p in inputs)
    ):
        paths = [Path(os.fspath(p)) for p in inputs]
    else:
        return None
    try:
        common = Path(os.path.commonpath([os.path.abspath(p.expanduser().parent) for p in paths]))
    except ValueError:  # paths on different drives
        return None
    for folder in [common, *list(common.parents)[:4]]:  # <root>/sub-x/ses-y/eeg/file
        if folder.is_dir() and _is_bids_dataset(folder):
            return folder
    return None


def _is_folder(inputs: str | os.PathLike) -> bool:
    path = Path(os.fspath(inputs)).expanduser()
    return path.is_dir() and not is_recording_folder(path)


def _relative_ids(paths: list[Path], root: Path) -> list[str]:
    """Each path's name under ``root`` as listed, links not followed: a folder of symbolic
    links names each recording by its link, while the file read is the link's target."""
    return [Path(os.path.abspath(p)).relative_to(os.path.abspath(root)).as_posix() for p in paths]


def _without_continuations(paths: list[Path], ids: list[str]) -> tuple[list[Path], list[str]]:
    """Leave out the later parts of split FIF recordings whose first part is listed (MNE reads
    all parts from the first), with a warning that names them (:func:`listed_split_parts`).

    Raises
    ------
    ValueError
        If a later part is listed without its first part (:func:`orphan_parts_error`).
    """
    later, orphans, _ = listed_split_parts(paths)  # an unreadable one's part fails, named
    if orphans:
        raise orphan_parts_error([f"{ids[r]} (list {first} instead)" for r, first in orphans])
    if not later:
        return paths, ids
    skipped = set(later)
    _warn_continuations([ids[r] for r in later])
    kept = [r for r in range(len(paths)) if r not in skipped]
    return [paths[r] for r in kept], [ids[r] for r in kept]


class ListedSplitParts(NamedTuple):
    """The files of a listing named as later parts of split FIF recordings
    (:func:`listed_split_parts`), by their index in it."""

    #: Later parts whose first part is listed too (under any spelling of its path), as its
    #: header confirms: MNE reads them with it, so they are left out.
    later: list[int]
    #: ``(index, first part)`` of later parts whose first part lies beside them, not listed.
    orphans: list[tuple[int, Path]]
    #: ``(index, first part, MNE's message, missing part, damaged part)`` of files named as
    #: later parts whose first part lies beside them but whose parts cannot be told (a later
    #: part missing, or one whose header cannot be read: its name, else None; both None: the
    #: first part's header cannot be read), listed or not:
    #: whether they continue it cannot be told
    #: (:func:`eegpt._file_identity.unreadable_first_part`).
    unreadable: list[tuple[int, Path, str, str | None, str | None]]


def listed_split_parts(paths: Sequence[str | os.PathLike]) -> ListedSplitParts:
    """The ``paths`` that are later parts of a split FIF recording, known by MNE's names for
    them (``x-1.fif`` after ``x.fif``, BIDS ``_split-02``:
    :func:`eegpt.formats.first_split_part`) and confirmed by the first part's header
    (:func:`eegpt._file_identity.split_recording`, read once per first part): those whose
    first part is listed too (``later``, to leave out, as MNE reads them with it), and those
    whose first part is beside them but not listed (``orphans``, which read alone would be
    embedded as a recording starting at 0 s). A file only named like a later part
    (``rec-1.fif`` beside ``rec.fif``, a recording of its own) is in neither. One whose first
    part lies beside it but cannot be read (a damaged header, a later part missing) is in
    ``unreadable``, never left out: that first part fails with MNE's message, and the file
    fails too, naming it (:func:`eegpt._file_identity.part_of_unreadable_error`), rather than
    be lost silently (were it a recording of its own) or embedded from 0 s (were it a later
    part)."""
    identities: set[Any] = set()
    # by the first part's identity: what MNE reads, and its later parts' identities
    parts_of: dict[Any, tuple[SplitRecording, set[Any]]] = {}

    def listed(path: Path) -> bool:  # the files' identities taken once, where one is asked
        if not identities:
            identities.update(file_identity(p) for p in paths)
        return file_identity(path) in identities

    found = ListedSplitParts([], [], [])
    for row, p in enumerate(paths):
        first = first_split_part(p)
        if first is None or not first.is_file():
            continue
        key = file_identity(first)
        if key not in parts_of:
            read = split_recording(first)
            later = {file_identity(f) for f in read.files[1:]} if read.files else set()
            parts_of[key] = (read, later)
        read, later = parts_of[key]
        if read.files is None:
            found.unreadable.append((row, first, read.error or "", read.missing, read.damaged))
            continue
        if file_identity(p) not in later:
            continue  # a recording of its own
        if listed(first):
            found.later.append(row)
        else:
            found.orphans.append((row, first))
    return found


def orphan_parts_error(orphans: list[str], where: str = "", rows: bool = False) -> ValueError:
    """The error for later parts of split FIF recordings given without their first part
    (``orphans``: each named with the first part to give instead); ``where``: what lists
    them (``"manifest x.csv"``), ``rows``: they are named by manifest rows."""
    return ValueError(
        f"{where + ' lists' if where else 'given:'} {_count(len(orphans), 'later part')} of "
        f"split FIF recordings without their first part: {few(orphans, 5)}"
        + (" (rows counted from 0 after the header line)" if rows else "")
        + ". MNE reads every part of a split recording from its first part; a later part read "
        "alone would be embedded as a recording of its own whose onsets start at 0 s, where "
        "the first part ends. Give the first part instead (it reads all parts)"
    )


def _warn_continuations(skipped: list[str]) -> None:
    """The warning that names the later parts of split FIF recordings left out."""
    _warn(
        f"left out {_count(len(skipped), 'file')} that "
        f"{'continues' if len(skipped) == 1 else 'continue'} a split FIF recording whose first "
        f"part is listed too (MNE reads every part from the first): {few(sorted(skipped), 5)}"
    )


def _make_inputs(
    paths: list[Path],
    ids: list[str],
    source: str,
    metadata: Any = None,
    rescale: list[float] | None = None,
    annotations: list[str | None] | None = None,
    bads: list[tuple[str, ...]] | None = None,
    starts: list[float | None] | None = None,
) -> DatasetInputs:
    recorded = [path_text(rid) if rid else rid for rid in ids]  # None, "": refused below
    _check_ids(recorded, source)  # as recorded: two names may record as one (\xNN escapes)
    factors = rescale or [1.0] * len(paths)
    extra = annotations or [None] * len(paths)
    marked = bads or [()] * len(paths)
    onsets = starts or [None] * len(paths)
    files = [
        InputFile(
            i,
            rid,
            str(listed_path(p)),  # links kept: a BIDS file's sidecars lie by its link
            factor,
            more,
            bad,
            onset,
        )
        for i, (p, rid, factor, more, bad, onset) in enumerate(
            zip(paths, recorded, factors, extra, marked, onsets, strict=True)
        )
    ]
    return DatasetInputs(files, metadata, source)


def _annotations_column(table: Any, base: Path) -> list[str | None] | None:
    """The manifest's per-file ``annotations_file`` paths (relative ones from the manifest's
    folder; empty cells: none), or None without that column."""
    if "annotations_file" not in table.column_names:
        return None
    return [
        None if v is None or not str(v).strip() else str((base / str(v).strip()).resolve())
        for v in table.column("annotations_file").to_pylist()
    ]


def bads_of_cell(value: Any) -> tuple[str, ...]:
    """The channel names of a manifest's ``bads`` cell: separated by ``;`` where the cell holds
    one (so labels with commas can be given), else by ``,``; each trimmed of spaces. A list
    cell (a list, tuple or array: what a Parquet list column gives) holds one label per
    element, taken whole. An empty or missing cell (None, NaN): none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ()
    if isinstance(value, list | tuple | np.ndarray):
        names = (str(name).strip() for name in value if name is not None)
    else:
        text = str(value)
        names = (name.strip() for name in text.split(";" if ";" in text else ","))
    return tuple(dict.fromkeys(name for name in names if name))


def _bads_column(table: Any) -> list[tuple[str, ...]] | None:
    """The manifest's per-file ``bads`` (channels to mark bad), or None without that column."""
    if "bads" not in table.column_names:
        return None
    return [bads_of_cell(value) for value in table.column("bads").to_pylist()]


#: Manifest columns that look meant to mark bad channels but that eegpt does not read (it
#: reads ``bads``); compared in lower case.
_BADS_LOOKALIKES = ("bad_channels", "bad", "badchannels", "exclude", "drop")


def _lookalike_bads(columns: Sequence[str]) -> list[str]:
    """The columns of ``columns`` named like an attempt at ``bads`` (:data:`_BADS_LOOKALIKES`)."""
    return [c for c in columns if c != "bads" and c.strip().lower() in _BADS_LOOKALIKES]


#: Manifest columns named as a run-wide preprocessing setting (a PreprocessingConfig field, or
#: its option), with the option that sets it: eegpt copies them as metadata, applies none.
_RUN_SETTING_COLUMNS = {
    "crop_tmin": "--crop",
    "crop": "--crop",
    "window_seconds": "--window",
    "overlap": "--overlap",
    "detrend": "--detrend",
    "tail": "--tail",
    "resample": "--resample",
    "average_reference": "--average-reference / --no-average-reference",
}


def _warn_run_setting_columns(columns: Sequence[str], source: str) -> None:
    """Warn of manifest ``columns`` named like a run-wide preprocessing setting
    (:data:`_RUN_SETTING_COLUMNS`: ``crop_tmin`` ...), which are copied to the rows as
    metadata and not applied to their files."""
    found = [c for c in columns if c.strip().lower() in _RUN_SETTING_COLUMNS]
    if not found:
        return
    options = ", ".join(dict.fromkeys(_RUN_SETTING_COLUMNS[c.strip().lower()] for c in found))
    _warn(
        f"manifest {source}: eegpt does not read the column(s) {found}, only copies them to "
        "each row as metadata, so no file is preprocessed by them: they are settings of the "
        f"whole run, given by {options} (PreprocessingConfig(...) of preprocessing= in "
        "Python). Files that need other settings go in a run of their own",
        UserWarning,
    )


def _rescale_column(
    table: Any, source: str, numbers: Sequence[int] | None = None
) -> list[float] | None:
    """The manifest's per-file ``rescale`` factors (empty cells: 1), checked, or None.
    ``numbers``: each row's number in the manifest, which errors name (where rows were left
    out of ``table``); None: counted from 0."""
    if "rescale" not in table.column_names:
        return None
    factors, bad = [], []
    cells = table.column("rescale").to_pylist()
    for row, value in zip(numbers or range(len(cells)), cells, strict=True):
        factor = _number_or_none(value)
        factor = 1.0 if factor is None and _is_empty(value) else factor
        if factor is None or not (math.isfinite(factor) and factor > 0):
            comma = isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip())
            hint = f" (decimal comma? write {value.strip().replace(',', '.')})" if comma else ""
            bad.append(f"row {row}: {value!r}{hint}")
        factors.append(math.nan if factor is None else factor)
    if bad:
        raise ValueError(
            f"manifest {source}: the 'rescale' column needs positive numbers (the multiplier "
            f"for the samples as read, e.g. 1e-6 for microvolts labelled as volts): "
            f"{', '.join(bad[:5])} (rows counted from 0 after the header line)"
        )
    return factors


def _start_column(
    table: Any, source: str, numbers: Sequence[int] | None = None
) -> list[float | None] | None:
    """The manifest's per-file ``start_seconds`` (empty cells: None, the run's ``--start``),
    checked: 0 or more seconds (one between samples at the model's 256 Hz is moved to the
    nearest where the windows are made); or None without that column."""
    if "start_seconds" not in table.column_names:
        return None
    starts: list[float | None] = []
    bad = []
    cells = table.column("start_seconds").to_pylist()
    for row, value in zip(numbers or range(len(cells)), cells, strict=True):
        start = _number_or_none(value)
        if start is None and _is_empty(value):
            starts.append(None)
            continue
        n = math.nan if start is None else start * _MODEL_SFREQ
        if start is None or not (math.isfinite(n) and n >= 0):
            comma = isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip())
            hint = f" (decimal comma? write {value.strip().replace(',', '.')})" if comma else ""
            bad.append(f"row {row}: {value!r} is not 0 or more seconds{hint}")
        starts.append(start)
    if bad:
        raise ValueError(
            f"manifest {source}: the 'start_seconds' column needs the onset of each recording's "
            "first window in seconds from its first sample, 0 or more (an empty cell takes "
            f"--start): {', '.join(bad[:5])} (rows counted from 0 after the header line)"
        )
    return starts


#: A number written with a decimal comma (``0,5``, ``-1,25e-6``), as Excel writes numbers in
#: Germany and much of Europe.
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?")


def _decimal_commas_read(table: Any, name: str) -> Any:
    """``table`` with the numbers of its text column ``name`` written with a decimal comma
    (``0,5``) as numbers (0.5): the ``rescale`` and ``start_seconds`` of a ``;``-separated
    manifest, in which Excel writes decimal commas. Other cells are kept as written, for
    :func:`_rescale_column` and :func:`_start_column` to refuse."""
    pa, _ = pyarrow_for_writing()
    column = table.column(name)
    if not pa.types.is_string(column.type):
        return table  # numbers already (no cell had a comma)
    cells = [
        v.strip().replace(",", ".") if v is not None and _DECIMAL_COMMA.fullmatch(v.strip()) else v
        for v in column.to_pylist()
    ]
    return table.set_column(table.column_names.index(name), name, pa.array(cells, pa.string()))


def _dataset_of_folder(folder: Path) -> Path | None:
    """The BIDS dataset (the folder with ``dataset_description.json``, or a derivative
    dataset ``<raw>/derivatives/NAME`` without one: :func:`_is_bids_dataset`) that ``folder``
    is a subject's folder or a folder inside one of (``ds/sub-01``, ``ds/sub-01/ses-1``,
    ``ds/sub-01/ses-1/eeg``); None for a dataset's own folder or any other folder. A linked
    folder (``ds/sub-02 -> /store/sub-02``) is placed where it is listed, not where it leads."""
    folder = listed_path(folder)
    for parent in list(folder.parents)[:3]:
        if _is_bids_dataset(parent):
            first = folder.relative_to(parent).parts[0]
            return parent if first.startswith("sub-") else None
    return None


def _is_bids_dataset(folder: Path) -> bool:
    """Whether ``folder`` is a BIDS dataset: it has a ``dataset_description.json``, or is a
    derivative dataset in the ``derivatives/`` of one (:func:`eegpt.bids.derivative_source`),
    which BIDS lets go without."""
    from eegpt.bids import derivative_source

    return (folder / "dataset_description.json").is_file() or (
        derivative_source(folder) is not None
    )


def _from_folder(
    folder: Path,
    pattern: str | None,
    verbose: Verbose = None,
    bids_filters: Mapping[str, Any] | None = None,
) -> DatasetInputs:
    """The recordings of ``folder``: a BIDS dataset's (or, for a folder inside one, those of
    that part of it) with their entities and participants' columns, unless ``pattern``
    picks files; ``bids_filters`` select among a BIDS dataset's (see :func:`resolve_inputs`).
    In a BIDS derivative dataset (:func:`eegpt.bids.is_derivative`) ``pattern`` picks among
    its recordings, which keep their entities and participants' columns, and
    ``bids_filters`` apply with it."""
    from eegpt.bids import is_derivative

    root = listed_path(folder)  # a linked subject folder is placed in its dataset
    dataset: Path | None = root
    under: Path | None = None
    if not _is_bids_dataset(root):
        dataset, under = _dataset_of_folder(root), root
    derivative = dataset is not None and is_derivative(dataset)
    if dataset is not None and (pattern is None or derivative):
        from eegpt.bids import bids_manifest

        only = None
        if pattern is not None:  # a derivative's files the pattern matches, as listed
            _, ids = _listed_under(folder, pattern, verbose)
            base = root.relative_to(dataset)
            only = [(base / rid).as_posix() for rid in ids]
        table = bids_manifest(dataset, filters=bids_filters, under=under, only=only)
        return _from_table(table, dataset, f"{folder}{_BIDS}")
    if bids_filters:
        why = (
            f"with pattern={pattern!r} (--pattern), which picks files alone; leave the pattern "
            "out" + _derivative_advice(pattern, dataset)
            if dataset is not None
            else f"and {folder} is not a BIDS dataset (no dataset_description.json in it or "
            "in the folders above a sub-* folder)"
        )
        raise ValueError(
            f"{_filters_text(bids_filters)} select recordings of a BIDS dataset by their "
            f"entities, {why}"
        )
    paths, ids = _listed_under(folder, pattern, verbose)
    if dataset is not None:
        _warn_outside_raw_data(paths, ids, dataset, pattern)
    elif pattern is None:
        _warn_datasets_inside(folder, ids)
    return _make_inputs(paths, ids, str(folder))


def _datasets_inside(root: Path, ids: Sequence[str]) -> dict[str, int]:
    """The BIDS datasets below the folder ``root`` (folders with a
    ``dataset_description.json``, the outermost of nested ones) that hold recordings listed
    as ``ids`` (paths relative to ``root``), each with how many of them it holds."""
    described: dict[str, bool] = {}
    held: dict[str, int] = {}
    for rid in ids:
        parts = rid.split("/")[:-1]
        for k in range(1, len(parts) + 1):
            folder = "/".join(parts[:k])
            if folder not in described:
                described[folder] = (root / folder / "dataset_description.json").is_file()
            if described[folder]:
                held[folder] = held.get(folder, 0) + 1
                break
    return held


def _warn_datasets_inside(folder: Path, ids: Sequence[str]) -> None:
    """Warn where the folder ``folder``, no BIDS dataset, holds BIDS datasets whose files it
    lists (``parent/ds1/sub-01/...``): they are read as files alone, without their entities
    and participants' columns, and their ``derivatives/`` and ``sourcedata/`` copies are
    listed beside the raw recordings."""
    held = _datasets_inside(folder, ids)
    if not held:
        return
    names = [f"{name}/ ({_count(n, 'file')})" for name, n in sorted(held.items())]
    _warn(
        f"{folder} holds {_count(len(held), 'BIDS dataset')} ({few(names, 5)}; each a folder "
        "with dataset_description.json) whose files are listed as files alone: without "
        "subject, session, task or participants.tsv columns, and with the copies under their "
        "derivatives/ and sourcedata/ folders as recordings of their own. Give each dataset's "
        "folder as the input (one run each, or a manifest), or a --pattern that picks the "
        "files meant"
    )


def _derivative_advice(pattern: str | None, dataset: Path) -> str:
    """For a ``pattern`` into the ``derivatives/`` of the BIDS dataset ``dataset``
    (``derivatives/NAME/**/*_epo.fif``): how to select among those files by their entities,
    giving the derivative's folder as the input; "" for other patterns."""
    parts = Path(pattern or "").parts
    if len(parts) < 2 or parts[0] != "derivatives":
        return ""
    name = parts[1] if not glob.has_magic(parts[1]) else "NAME"
    return (
        f"; or, for files of its derivatives, give the derivative's folder "
        f"({dataset / 'derivatives' / name}) as the input, a BIDS derivative dataset whose "
        "recordings the filters select (with a pattern relative to it, if any)"
    )


def _warn_outside_raw_data(
    paths: Sequence[Path], ids: Sequence[str], dataset: Path, pattern: str | None
) -> None:
    """Warn where ``pattern`` picked files of the BIDS dataset ``dataset`` under its
    ``derivatives/``, ``sourcedata/``, ``code/`` or ``stimuli/`` folders: processed or source
    copies of its recordings, embedded beside them as recordings of their own, which the
    dataset's own listing (no pattern) leaves out. Where the files are, as listed: links
    (a DataLad/git-annex dataset's files point into ``.git/annex``) are not followed."""
    from eegpt.bids import NOT_RAW_FOLDERS

    def first_folder(path: Path) -> str | None:
        where = Path(os.path.abspath(path))
        return where.relative_to(dataset).parts[0] if where.is_relative_to(dataset) else None

    outside = [
        rid for path, rid in zip(paths, ids, strict=True) if first_folder(path) in NOT_RAW_FOLDERS
    ]
    if not outside:
        return
    folders = f"{'/, '.join(NOT_RAW_FOLDERS)}/ folders of the BIDS dataset {dataset}"
    if len(outside) == len(ids):
        folder = _derivative_folder(paths, dataset)
        _warn(
            f"pattern {pattern!r} (--pattern) picks files under the {folders} alone "
            f"({few(outside, 3)}), read as files alone, without subject, session, task or "
            "participants.tsv columns: a derivative dataset of its own. Give its folder "
            f"({folder}) as the input to read it as a BIDS derivative dataset, with those "
            "columns and --subject/--session/--task/--processing selecting among its "
            "recordings (a pattern there is relative to it, e.g. '**/*_proc-clean_epo.fif')"
        )
        return
    _warn(
        f"pattern {pattern!r} (--pattern) picks {_count(len(outside), 'file')} under the "
        f"{folders} ({few(outside, 3)}): processed or source copies, embedded as recordings of "
        "their own beside the dataset's recordings. Leave the pattern out to embed the "
        "dataset's recordings alone (as BIDS lists them), or narrow it (e.g. "
        "'sub-*/**/*_eeg.edf')"
    )


def _derivative_folder(paths: Sequence[Path], dataset: Path) -> str:
    """The one derivative dataset (``dataset/derivatives/NAME``) that holds all of ``paths``
    (files of the BIDS dataset ``dataset``, as listed), or ``derivatives/NAME`` where they lie
    in several or elsewhere."""
    tops = {Path(os.path.abspath(p)).relative_to(dataset).parent.parts[:2] for p in paths}
    if len(tops) == 1:
        (top,) = tops
        if len(top) == 2 and top[0] == "derivatives":
            return str(dataset.joinpath(*top))
    return "derivatives/NAME"


def _filters_text(filters: Mapping[str, Any]) -> str:
    """``filters`` (``bids_filters``) in Python's words and the command line's, as other
    messages give both: ``bids_filters={'task': ['rest']} (--task rest)``."""
    from eegpt.bids import filter_options

    return f"bids_filters={dict(filters)!r} ({filter_options(filters)})"


def recordings_under(folder: str | os.PathLike) -> list[Path]:
    """The recordings in ``folder`` and its subfolders as :func:`embed_dataset` lists them
    (:data:`EEG_SUFFIXES` and recording folders; the later parts of split FIF recordings and
    second paths to one file left out, with a warning), in the order of their relative paths,
    each as ``folder / relative path``.

    Raises
    ------
    FileNotFoundError
        If there are none.
    """
    paths, ids = _listed_under(Path(folder), None)
    return [Path(folder) / rid for rid in ids]  # as the folder was given, through its links


def _listed_under(
    folder: Path, pattern: str | None, verbose: Verbose = None
) -> tuple[list[Path], list[str]]:
    """The paths of a folder's recordings (or of those matching ``pattern``) and their ids,
    each path under ``folder`` as it was given (made absolute, a link not followed: ``data ->
    /mnt/disk/eeg`` names its files ``data/...``), as links below it are."""
    root = listed_path(folder)
    suffixes = EEG_SUFFIXES + RECORDING_FOLDER_SUFFIXES
    if pattern:
        paths = _without_sidecars(
            _without_companions(_matching(root, pattern, verbose), root), root
        )
    else:
        paths = [p for p in _files_under(root, verbose=verbose) if _listed_name(p, suffixes)]
    paths = _without_not_recording_fifs(paths, root)
    if not paths:
        what = f"matching {pattern!r}" if pattern else f"ending in {', '.join(suffixes)}"
        raise MissingFileError(
            f"no files {what} under {folder}; pass pattern='**/*.ext' (--pattern '**/*.ext')"
        )
    return _in_id_order(paths, root)


def _listed_name(path: Path, suffixes: Sequence[str]) -> bool:
    """Whether a folder's file ``path`` is listed as a recording: named with one of
    ``suffixes``, or a gzipped FIF file (``.fif.gz``, read as FIF)."""
    return path.suffix.lower() in suffixes or path.name.lower().endswith(".fif.gz")


#: Files that hold part of a recording read from another file beside them, of the same name:
#: BrainVision's samples and markers (of its .vhdr), EEGLAB's samples (of its .set).
_COMPANIONS = {".eeg": ".vhdr", ".vmrk": ".vhdr", ".fdt": ".set"}


def _without_companions(paths: list[Path], root: Path) -> list[Path]:
    """``paths`` (a pattern's matches) without the files read as part of a recording beside
    them (``rec.eeg`` and ``rec.vmrk`` of ``rec.vhdr``, ``rec.fdt`` of ``rec.set``) or named
    by a header matched too (its ``DataFile=``/``MarkerFile=``), which would fail as
    recordings of their own, with a warning that counts them. A Nihon Kohden ``.eeg`` file
    (no ``.vhdr`` beside it nor naming it) stays."""
    listed = {os.path.normcase(str(p)) for p in paths}
    named = _named_by_headers(paths)
    kept, left = [], []
    for p in paths:
        main = _COMPANIONS.get(p.suffix.lower())
        beside = main and [p.with_suffix(s) for s in (main, main.upper())]
        if beside and any(os.path.normcase(str(b)) in listed or b.is_file() for b in beside):
            left.append(p)
        elif named and p.suffix.lower() not in _HEADERS and file_identity(p) in named:
            left.append(p)
        else:
            kept.append(p)
    if left:
        _warn(
            f"left out {_count(len(left), 'file')} matched by the pattern that belong to a "
            "recording beside them (BrainVision .eeg/.vmrk of its .vhdr, EEGLAB .fdt of its "
            f".set): {few(sorted(_relative_ids(left, root)), 5)}"
        )
    return kept


def _without_not_recording_fifs(paths: list[Path], root: Path) -> list[Path]:
    """``paths`` (a folder's files, or a pattern's or glob's matches, under ``root``) without
    MNE's FIF files that hold no recording (evoked, ICA, forward, inverse, covariance, trans,
    projectors, BEM, source spaces, fiducials, digitizations: :func:`eegpt.fif_kinds.fif_kind`, by their
    first tags or names), which an
    MNE-BIDS-Pipeline writes beside its recordings and epochs and which would each fail, with
    one warning that counts them by kind."""
    from eegpt.fif_kinds import not_recording_kinds, not_recording_note

    kinds = not_recording_kinds(paths)
    if kinds:
        _warn(not_recording_note(kinds, _relative_ids(list(kinds), root)))
    return [p for p in paths if p not in kinds]


#: The file types of a BIDS dataset's sidecars and tables (``*_eeg.json``, ``*_events.tsv``),
#: which hold no samples.
_SIDECAR_SUFFIXES = (".json", ".tsv")


def _without_sidecars(paths: list[Path], root: Path) -> list[Path]:
    """``paths`` (a pattern's matches under ``root``) without a BIDS dataset's sidecars and
    tables (``.json``, ``.tsv``, ``.tsv.gz``), which would fail as recordings, with a warning
    that counts them; all of them where ``root`` is not in a BIDS dataset."""
    if not (root / "dataset_description.json").is_file() and _dataset_of_folder(root) is None:
        return paths
    left = [
        p
        for p in paths
        if p.suffix.lower() in _SIDECAR_SUFFIXES or p.name.lower().endswith(".tsv.gz")
    ]
    if left:
        _warn(
            f"left out {_count(len(left), 'file')} matched by the pattern that are sidecars or "
            f"tables of the BIDS dataset (.json, .tsv), not recordings: "
            f"{few(sorted(_relative_ids(left, root)), 5)}"
        )
    kept = [p for p in paths if p not in left]
    readable = _readable_endings()
    in_subject = _dataset_of_folder(root) is not None  # root is a sub-* folder or inside one

    def no_recording(path: Path) -> bool:
        name = path.name.lower()
        if name.endswith(".txt") and not in_subject:
            # BOXY's .txt recordings lie in sub-* folders; a .txt above them is a note
            try:
                folders = path.relative_to(root).parts[:-1]
            except ValueError:
                folders = ()
            if not any(d.startswith("sub-") for d in folders):
                return True
        if readable is None:  # MNE's list unknown: only the files known to be no recordings
            return (
                name.split(".")[0] in _NOT_RECORDINGS
                or name == ".bidsignore"
                or name.endswith(".md")
            )
        return not name.endswith(readable)

    other = [p for p in kept if no_recording(p)]
    if other:
        _warn(
            f"left out {_count(len(other), 'file')} matched by the pattern that are no "
            "recordings of the BIDS dataset (of no file type eegpt reads, e.g. README, "
            "CHANGES, .bidsignore, a .txt outside the sub-* folders): "
            f"{few(sorted(_relative_ids(other, root)), 5)}"
        )
    return [p for p in kept if p not in other]


#: Names (lower case, before their first dot) of a BIDS dataset's files that are no
#: recordings, left out of a pattern's matches where MNE's list of readable types is unknown
#: (with ``.bidsignore`` and ``*.md``).
_NOT_RECORDINGS = frozenset({"readme", "changes", "license"})


def _readable_endings() -> tuple[str, ...] | None:
    """The file endings (lower case) of the recordings eegpt reads: MNE's readers' (``.eeg``
    of Nihon Kohden, ``.txt`` of BOXY ...), with :data:`EEG_SUFFIXES` and
    :data:`RECORDING_FOLDER_SUFFIXES`; None where MNE's list cannot be had (it is private:
    another MNE version), so that no recording MNE reads is left out."""
    try:
        from mne.io._read_raw import _get_supported  # private

        mne_endings = tuple(k.lower() for k in _get_supported())
    except Exception:  # noqa: BLE001 - another MNE version
        return None
    return tuple(dict.fromkeys((*EEG_SUFFIXES, *RECORDING_FOLDER_SUFFIXES, *mne_endings)))


def _in_id_order(paths: list[Path], root: Path) -> tuple[list[Path], list[str]]:
    """Found ``paths`` and their ids under ``root``, in id order, without split FIF
    continuations and second paths to one file (each with a warning)."""
    paths, ids = _without_continuations(paths, _relative_ids(paths, root))
    # by the NFC form: a name written as NFD (macOS) or NFC sorts alike on every machine
    order = sorted(range(len(paths)), key=lambda i: (unicodedata.normalize("NFC", ids[i]), ids[i]))
    return _without_repeats([paths[i] for i in order], [ids[i] for i in order])


def _dangling(path: Path) -> bool:
    return path.is_symlink() and not path.exists()


def _files_under(root: Path, pattern: str | None = None, verbose: Verbose = None) -> list[Path]:
    """The files below ``root`` (hidden ones, hidden folders and ``lost+found`` left out),
    following links to folders, each folder once (a link loop ends), only into folders that can hold a match of
    the glob ``pattern`` (all without one); a dangling link, or one that cannot be followed (a
    link loop), counts as a file, so that it is reported as unreadable rather than silently
    left out or ending the listing. A recording that is a folder (EGI ``.mff``) is listed as
    one file, not entered; another folder named as a recording (``x.edf``) is entered, and
    listed too (to fail as a folder, not be silently left out) where it holds no recording.
    Folders are walked in the order of their names, so that of two paths to one folder (a
    linked folder) the first by name is kept, whatever the file system's order; the others
    are named in a warning. A linked folder that leads to ``root`` itself or to a folder
    holding it (``up -> ..``) is left out, named in a warning: it would list files from
    outside ``root``; one that leads elsewhere outside ``root`` (a corpus assembled from
    links) is followed, and named in the log (``-v``).

    Raises
    ------
    OSError
        If a folder to search cannot be listed (no permission): the listing would miss its
        files without a word.
    """
    enter = _folder_filter(pattern)
    files, stack = [], [root]
    seen: dict[str, Path] = {}  # real folder -> the path it was walked under
    again: list[str] = []  # linked folders left out: "link (= folder)"
    root_real = os.path.realpath(root)
    around: list[str] = []  # links to root or a folder holding it: "link (-> target)"
    outside: list[str] = []  # links followed out of root: "link -> target"
    unreadable: list[tuple[Path, OSError]] = []
    named: list[Path] = []  # folders named as a recording (x.edf/), not a folder format
    while stack:
        folder = stack.pop()
        real = os.path.realpath(folder)
        if real in seen:
            first = seen[real]
            if not str(folder).startswith(str(first) + os.sep):  # a loop into itself: quiet
                link, target = _relative_ids([folder, first], root)
                again.append(f"{link} (= {target})")
            continue
        seen[real] = folder
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as err:
            unreadable.append((folder, err))
            continue
        for entry in entries:  # folders pushed last-name first: popped in name order
            if entry.name.startswith(".") or entry.name == _LOST_FOUND:
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()  # follows links
            except OSError:  # a link loop, or a target that cannot be looked at
                files.append(path)
                continue
            if is_dir and is_recording_folder(path):
                files.append(path)
            elif is_dir:
                if entry.is_symlink():
                    target = os.path.realpath(path)
                    link = path.relative_to(root).as_posix()
                    if (root_real + os.sep).startswith(target.rstrip(os.sep) + os.sep):
                        around.append(f"{link} (-> {target})")
                        continue
                    if not (target + os.sep).startswith(root_real + os.sep):
                        outside.append(f"{link} -> {target}")
                if path.suffix.lower() in EEG_SUFFIXES:  # named as a recording: see below
                    named.append(path)
                if enter(path.relative_to(root).as_posix()):
                    stack.append(path)
            elif entry.is_file() or _dangling(path):
                files.append(path)
    if unreadable:
        raise _unreadable_folders(unreadable, root, pattern)
    for folder in named:  # one holding recordings is a folder; one holding none fails as one
        inside = str(folder) + os.sep
        if not any(str(f).startswith(inside) and f.suffix.lower() in EEG_SUFFIXES for f in files):
            files.append(folder)
    if again:
        _warn(
            f"left out {_count(len(again), 'linked folder')} that lead to a folder listed "
            f"before, so as not to embed its files twice: {few(again, 5)}"
        )
    if around:
        _warn(
            f"left out {_count(len(around), 'linked folder')} that lead to the input folder "
            f"{root} or to a folder holding it, so as not to embed files from outside it: "
            f"{few(sorted(around), 5)}"
        )
    if outside:
        _log(
            f"{root}: followed {_count(len(outside), 'linked folder')} that lead outside it: "
            f"{few(sorted(outside), 20)}",
            verbose,
        )
    return files


def _unreadable_folders(
    unreadable: list[tuple[Path, OSError]], root: Path, pattern: str | None
) -> OSError:
    """The error for folders of a corpus that cannot be listed: each hides an unknown number of
    recordings, so a run without them would be silently incomplete. Its advice names a pattern
    that leaves them out (:func:`_avoiding_pattern`) where the corpus has a folder for one."""
    named = [f"{folder} ({err.strerror or err})" for folder, err in unreadable]
    them = "it" if len(unreadable) == 1 else "them"
    example = _avoiding_pattern([f for f, _ in unreadable], root, pattern)
    lists = (
        f"lists the recordings under {example.split('/')[0]} alone (as a glob input: "
        f"'{root / example}')"
        if example
        else ""
    )
    return OSError(
        f"cannot list {_count(len(unreadable), 'folder')} to search under {root}, so the "
        f"recordings in {them} would be left out without a word: {few(named, 5)}; let the user "
        f"running eegpt read {them}, or leave {them} out: with a pattern (--pattern) whose "
        f"folder parts do not match {them}, and no '**' above {them} (a '**' enters every "
        "folder below it)"
        + (f": pattern={example!r} {lists}" if example else ", e.g. pattern='sub-01/*.edf'")
        + ", or with a manifest (.csv with a path column) of the recordings to embed"
    )


_LOST_FOUND = "lost+found"
"""The folder where fsck puts recovered pieces, at the root of ext file systems: readable by
root alone, and holding no recordings, so a corpus listing skips it."""


def _avoiding_pattern(unreadable: list[Path], root: Path, pattern: str | None) -> str | None:
    """A pattern for a folder listing that enters none of the ``unreadable`` folders (paths
    below ``root``): the recordings under the first folder of ``root`` (by name) that holds
    none of them, matched by ``pattern``'s file part (``*.edf`` without a pattern); None where
    every folder of ``root`` holds one."""
    if root in unreadable:
        return None
    above = {folder.relative_to(root).parts[0] for folder in unreadable}
    try:
        names = sorted(
            e.name
            for e in os.scandir(root)
            if not e.name.startswith(".") and e.name != _LOST_FOUND and e.is_dir()
        )
    except OSError:
        return None
    readable = [n for n in names if n not in above and "/" not in n and not glob.has_magic(n)]
    if not readable:
        return None
    last = pattern.strip("/").split("/")[-1] if pattern else "*.edf"
    return f"{readable[0]}/**/{last}"


def _folder_filter(pattern: str | None) -> Callable[[str], bool]:
    """Whether a folder (its path relative to the listed folder, POSIX) can hold a file that
    the glob ``pattern`` matches: each of its parts matches the pattern's part at that depth,
    up to a ``**`` (which matches any folders below); every folder without a pattern."""
    if pattern is None:
        return lambda rel: True
    parts = pattern.strip("/").split("/")[:-1]  # the parts that name folders

    def enter(rel: str) -> bool:
        for i, name in enumerate(rel.split("/")):
            if i >= len(parts):
                return False
            if parts[i] == "**":
                return True
            if not _glob_regex(parts[i]).fullmatch(name):
                return False
        return True

    return enter


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A regular expression for relative POSIX paths that ``pattern`` matches as
    ``glob.glob(recursive=True)`` does: ``**`` as a whole part spans any number of folders
    (none too), ``*`` and ``?`` stay within a part, ``[...]`` is a character class."""
    out, parts = [], pattern.strip("/").split("/")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        j = 0
        while j < len(part):
            c = part[j]
            end = part.find("]", j + 2) if c == "[" else -1
            if c == "*":
                out.append("[^/]*")
            elif c == "?":
                out.append("[^/]")
            elif end > 0:
                body = part[j + 1 : end]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                j = end
            else:
                out.append(re.escape(c))
            j += 1
        out.append("" if last else "/")
    return re.compile("".join(out))


def _matching(root: Path, pattern: str, verbose: Verbose = None) -> list[Path]:
    """The files below ``root`` (:func:`_files_under`: links followed, each folder once)
    whose path relative to ``root`` matches the glob ``pattern``."""
    regex = _glob_regex(pattern)
    files = _files_under(root, pattern, verbose)  # no walk into folders that cannot hold one
    return [p for p in files if regex.fullmatch(p.relative_to(root).as_posix())]


def _glob_split(text: str) -> tuple[Path, str]:
    """A glob as (the folder before its first wildcard part, the pattern below it)."""
    parts = Path(text).expanduser().parts
    static: list[str] = []
    for part in parts:
        if glob.has_magic(part):
            break
        static.append(part)
    root = Path(os.path.abspath(Path(*static))) if static else Path.cwd()
    return root, "/".join(parts[len(static) :])


def _from_glob(text: str) -> DatasetInputs:
    root, pattern = _glob_split(text)
    paths = (
        _without_sidecars(_without_companions(_matching(root, pattern), root), root)
        if root.is_dir()
        else []
    )
    paths = _without_not_recording_fifs(paths, root)
    if not paths:
        raise MissingFileError(f"the glob {text!r} matches no files")
    return _make_inputs(*_in_id_order(paths, root), text)


def _from_paths(paths: list[Path], source: str) -> DatasetInputs:
    listed = [Path(os.path.abspath(p)) for p in paths]
    root = Path(os.path.commonpath([str(p.parent) for p in listed]))
    paths, ids = _without_continuations(listed, _relative_ids(listed, root))
    return _make_inputs(*_without_repeats(*_without_listed_companions(paths, ids)), source)


def recording_key(path: str | os.PathLike, annotations: Any = None) -> Any:
    """What names one recording to embed: its file (:func:`file_identity`) and that of its
    annotations file, if any; the same file with another scorer's annotations is another."""
    return file_identity(path), annotations and file_identity(annotations)


def _without_repeats(paths: list[Path], ids: list[str]) -> tuple[list[Path], list[str]]:
    """Leave out the paths that lead to a file listed before them (a symbolic or hard link to
    it, a linked folder, a file given twice), with a warning that names them: embedding one file
    twice duplicates its windows (and leaks between train and test splits)."""
    first: dict[Any, str] = {}
    kept: list[tuple[Path, str]] = []
    repeats: list[str] = []
    for p, rid in zip(paths, ids, strict=True):
        real = file_identity(p)
        if real in first:
            repeats.append(f"{rid} (= {first[real]})")
        else:
            first[real] = rid
            kept.append((p, rid))
    if repeats:
        _warn(
            f"left out {_count(len(repeats), 'input')} that led to a file listed before "
            f"under another name (symbolic links, or given twice), so as not to embed it "
            f"twice: {few(repeats, 5)}"
        )
    return [p for p, _ in kept], [rid for _, rid in kept]


def _from_manifest(path: Path) -> DatasetInputs:
    _, pq = pyarrow_for_writing()
    if path.suffix.lower() == ".parquet":
        table, delimiter = pq.read_table(path), None
    else:
        read = read_delimited_table(path)
        table, delimiter = read.table, read.delimiter  # the one it chose, not read again
    _refuse_misspelled_columns(table.column_names, str(path))  # not a BIDS participants.tsv's
    if delimiter == ";":
        for name in ("rescale", "start_seconds"):  # German Excel's CSV: 0,5 is 0.5
            if name in table.column_names:
                table = _decimal_commas_read(table, name)
    if path.name in (ERRORS_REPORT, SHORT_REPORT, FILES_REPORT) and {"path", "recording_id"} <= set(
        table.column_names
    ):  # a run's report (its failed files, to embed again with other settings)
        return _from_report(path, table)
    return replace(_from_table(table, path.parent.resolve(), str(path)), manifest=True)


def _from_report(report: Path, table: Any) -> DatasetInputs:
    """The files a run's report (``_errors.csv``, ``_too_short.csv``, ``_files.csv``) lists, in
    its order, to embed again with other settings. The report holds their ``path`` and
    ``recording_id`` but none of the inputs' manifest columns, so where the run beside it
    (its ``_manifest.json``) had such columns (labels, subject, the per-file ``rescale`` and
    ``annotations_file``), each file's row comes from the run's own inputs, listed again.

    Raises
    ------
    ValueError
        If the run had manifest columns and its inputs cannot be listed again (a table given
        in Python, a manifest moved or deleted) or no longer hold some of the report's files.
    """
    ids = [str(v) for v in table.column("recording_id").to_pylist()]
    try:
        run = read_run_manifest(report.parent)
        inputs = run["spec"]["inputs"]
        columns = list(inputs.get("metadata_columns") or [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        columns = []  # no run beside it (a report copied away): its files as listed
    if not columns or not ids:  # nothing per file beyond the path
        bare = table.select(["path", "recording_id"])
        return _from_table(bare, report.parent.resolve(), str(report))
    source = corpus_of(str(run.get("source", "")))[0]
    original = _listed_again(source)
    missing = (
        [] if original is None else sorted(set(ids) - {f.recording_id for f in original.files})
    )
    if original is None or missing:
        why = (
            f"{source} no longer holds {len(missing)} of them ({few(missing, 5)})"
            if original is not None
            else f"its inputs ({source}) cannot be read again"
        )
        raise ValueError(
            f"{report} lists files of a run whose inputs had the manifest columns "
            f"{few(columns, 10)} (per-file settings such as rescale and annotations_file, and "
            f"metadata), which the report does not hold, and {why}. Give a manifest of these "
            "files with those columns instead (the rows of the run's manifest whose "
            "recording_id the report lists)"
        )
    expected = inputs.get("corpus_sha256" if inputs.get("part") else "sha256")  # as listed then
    # of all its rows' ids and values, its starts where its windows start at the run's rate
    # (a run that recorded its starts as given: as it did)
    pre = run["spec"].get("preprocessing") or {}
    sfreq = float(pre.get("sfreq", _MODEL_SFREQ)) if isinstance(pre, dict) else _MODEL_SFREQ
    if expected and original.fingerprint(sfreq, recorded=expected) != expected:
        _warn(
            f"{source} has changed since the run of {report.parent} (its recorded fingerprint "
            f"of the ids and values of the manifest's rows differs): the files of {report.name} "
            f"({_count(len(ids), 'file')}) are embedded with their rows ({few(columns, 10)}) as they are "
            f"now, which may differ from the run's; read together with the rows of "
            f"{report.parent}, they would mix two versions of {source}. Restore it as it was "
            "for the run, or embed the whole manifest again into a new folder"
        )
    where = {f.recording_id: f.index for f in original.files}
    rows = [where[i] for i in ids]
    files = [replace(original.files[r], index=i) for i, r in enumerate(rows)]
    metadata = None if original.metadata is None else original.metadata.take(rows)
    return DatasetInputs(files, metadata, str(report))


def _listed_again(source: str) -> DatasetInputs | None:
    """The inputs of a run as its manifest's ``source`` names them, listed as they are now:
    a manifest (or a run's report) or a BIDS folder; None for other sources (a table given
    in Python) and ones no longer there."""
    path = Path(source.removesuffix(_BIDS))
    if source.endswith(_BIDS) and path.is_dir():
        return resolve_inputs(path)
    if path.is_file() and path.suffix.lower() in MANIFEST_SUFFIXES:
        return _from_manifest(path)
    return None


def _rows_of_recordings(paths: list[Path], ids: list[str], source: str) -> list[int]:
    """The rows of a manifest's ``paths`` to embed, as a folder lists its files: without the
    later parts of split FIF recordings whose first part is listed too
    (:func:`_without_continuations`'s warning) and without the files read as part of a
    recording listed too (BrainVision ``.eeg``/``.vmrk`` of its ``.vhdr``, EEGLAB ``.fdt``
    of its ``.set``: :func:`_without_companions`'s warning); either would embed a recording
    twice, or fail as one of its own. A companion file listed without its recording stays,
    to fail naming the file to list instead (:func:`eegpt.io.open_recording`).

    Raises
    ------
    ValueError
        If a later part of a split FIF recording is listed without its first part (which is
        beside it): read alone, it would be embedded as a recording that starts where the
        first part ends. List the first part instead, which reads every part.
    """
    later, split_orphans, _ = listed_split_parts(paths)
    parts = set(later)
    orphans = [f"row {row} ({ids[row]}: list {first} instead)" for row, first in split_orphans]
    companions = _listed_companions(paths, parts)
    if orphans:
        raise orphan_parts_error(orphans, f"manifest {source}", rows=True)
    if parts:
        _warn_continuations([ids[r] for r in later])
    if companions:
        _warn(
            f"left out {_count(len(companions), 'file')} listed in manifest {source} that "
            "belong to a recording listed too (BrainVision .eeg/.vmrk of its .vhdr, EEGLAB "
            f".fdt of its .set), read with it: {few(sorted(ids[r] for r in companions), 5)}"
        )
    skipped = set(parts) | set(companions)
    return [row for row in range(len(paths)) if row not in skipped]


def _listed_companions(paths: Sequence[Path], skipped: Collection[int] = ()) -> list[int]:
    """The indices in ``paths`` (but ``skipped``) of the files read as part of a recording
    listed too: BrainVision ``.eeg``/``.vmrk`` of a listed ``.vhdr`` (of the same name beside
    it, or those its ``DataFile=``/``MarkerFile=`` lines name), EEGLAB ``.fdt`` of a listed
    ``.set`` (of the same name). A companion listed without its recording is not among them
    (it fails naming the file to list instead)."""
    identities: set[Any] = set()

    def listed(path: Path) -> bool:  # the files' identities taken once, where one is asked
        if not identities:
            identities.update(file_identity(p) for p in paths)
        return file_identity(path) in identities

    named = _named_by_headers(paths)
    companions = []
    for row, p in enumerate(paths):
        if row in skipped or p.suffix.lower() in _HEADERS:
            continue
        main = _COMPANIONS.get(p.suffix.lower())
        beside = [p.with_suffix(main), p.with_suffix(main.upper())] if main else []
        if any(b.is_file() and listed(b) for b in beside) or (named and file_identity(p) in named):
            companions.append(row)
    return companions


#: The files that name companions of theirs (:data:`_COMPANIONS`' recordings).
_HEADERS = frozenset(_COMPANIONS.values())


def _named_by_headers(paths: Sequence[Path]) -> set[Any]:
    """The identities (:func:`~eegpt._file_identity.file_identity`) of the files read
    through the headers among ``paths`` besides them
    (:func:`~eegpt._file_identity.recording_files`: a ``.vhdr``'s ``DataFile=`` and
    ``MarkerFile=``, else those of its name; a ``.set``'s ``.fdt``)."""
    return {
        file_identity(f)
        for p in paths
        if p.suffix.lower() in _HEADERS
        for f in recording_files(p)[1:]
    }


def _without_listed_companions(paths: list[Path], ids: list[str]) -> tuple[list[Path], list[str]]:
    """``paths`` given as files (a shell's expansion of ``data/*``) without those read as part
    of a recording given too (:func:`_listed_companions`), with one warning that counts and
    names them, as a quoted glob or ``--pattern`` leaves them out: given as recordings of
    their own, each failed in the run."""
    left = set(_listed_companions(paths))
    if not left:
        return paths, ids
    _warn(
        f"left out {_count(len(left), 'file')} given that belong to a recording given too "
        "(BrainVision .eeg/.vmrk of its .vhdr, EEGLAB .fdt of its .set), read with it: "
        f"{few(sorted(ids[r] for r in left), 5)}"
    )
    kept = [r for r in range(len(paths)) if r not in left]
    return [paths[r] for r in kept], [ids[r] for r in kept]


def _from_table(table: Any, base: Path, source: str) -> DatasetInputs:
    if "path" not in table.column_names:
        raise ValueError(
            f"manifest {source} needs a 'path' column (one EEG file per row); it has "
            f"{table.column_names}"
        )
    if table.num_rows == 0:
        raise ValueError(f"manifest {source} lists no files")
    raw_paths = table.column("path").to_pylist()
    empty = [i for i, p in enumerate(raw_paths) if p is None or not str(p).strip()]
    if empty:
        raise ValueError(f"manifest {source}: empty 'path' in row(s) {empty[:10]}")
    # joined first: a name recorded with \xNN escapes is looked up where it lies
    paths = [Path(os_path(str(base / Path(str(p)).expanduser()))) for p in raw_paths]
    _refuse_padded_paths(raw_paths, paths, base, source)
    if "recording_id" in table.column_names:
        ids = [None if v is None else str(v) for v in table.column("recording_id").to_pylist()]
    else:
        ids = [Path(str(p)).as_posix() for p in raw_paths]
    named = [rid or str(p) for rid, p in zip(ids, raw_paths, strict=True)]  # for messages
    rows = _rows_of_recordings(paths, named, source)
    numbers = None  # the rows' numbers in the manifest, for errors, where some are left out
    if len(rows) < len(paths):  # the later parts and companion files of listed recordings
        table, numbers = table.take(rows), rows
        paths, ids = [paths[r] for r in rows], [ids[r] for r in rows]
    extra = [c for c in table.column_names if c not in ("path", "recording_id")]
    lookalike = _lookalike_bads(extra)
    to_mark = (
        "; to mark channels bad in a file, name the column 'bads' (channel names as in the "
        "file, or the electrodes they map to, separated by ';' or ',')"
    )
    clash = [c for c in extra if c in RESERVED_COLUMNS]
    if clash:
        hint = to_mark if set(clash) & set(lookalike) else ""
        raise ValueError(
            f"manifest {source}: column(s) {clash} clash with output columns "
            f"{list(RESERVED_COLUMNS)}; rename them{hint}"
        )
    if lookalike:
        _warn(
            f"manifest {source}: eegpt does not read the column(s) {lookalike}, only copies "
            f"them to each row as metadata, so no channel is left out by them{to_mark}",
            UserWarning,
        )
    _warn_run_setting_columns(extra, source)
    metadata = _typed_for_shards(table.select(extra).combine_chunks()) if extra else None
    rescale = _rescale_column(table, source, numbers)  # also kept as a column: the rows say it
    starts = _start_column(table, source, numbers)  # likewise
    annotations = _annotations_column(table, base)  # likewise
    bads = _bads_column(table)  # likewise
    absent = [a for a in annotations or [] if a is not None and not Path(a).is_file()]
    if absent:  # said before the run, not only when each file's turn comes
        _warn(
            f"manifest {source}: {_count(len(absent), 'annotations_file')} not found "
            f"({few(absent)}): those recordings will fail; fix the paths (relative ones count "
            "from the manifest's folder) and rerun with --retry-failed"
        )
    _refuse_repeated_files(paths, ids, annotations, source)  # type: ignore[arg-type]
    return _make_inputs(paths, ids, source, metadata, rescale, annotations, bads, starts)  # type: ignore[arg-type]


def _refuse_misspelled_columns(columns: Sequence[str], source: str) -> None:
    """Refuse manifest ``columns`` that are a column eegpt reads (``path``, ``recording_id``,
    ``rescale``, ``bads``, ``start_seconds``, ``annotations_file``) but for capitals or spaces
    around the name (``Path``, ``' rescale'`` after ``path, rescale`` in a header): read as
    written, they would be copied as metadata and their settings not applied."""
    read = ("path", "recording_id", *sorted(INPUT_SETTING_COLUMNS))
    misspelled = {
        c: str(c).strip().lower()
        for c in columns
        if str(c).strip().lower() in read and c != str(c).strip().lower()
    }
    if not misspelled:
        return
    renames = ", ".join(f"{c!r} as {name!r}" for c, name in misspelled.items())
    spaced = any(c != c.strip() for c in misspelled)
    hint = " (a CSV header with ', ' between names keeps the spaces)" if spaced else ""
    raise ValueError(
        f"manifest {source}: column(s) {list(misspelled)} are not read as written (eegpt reads "
        f"the columns {list(read)} by their exact names, in lower case without spaces, and "
        f"would copy these as metadata, their settings not applied): name {renames} in the "
        f"header line{hint}"
    )


def _refuse_padded_paths(
    raw: Sequence[Any], paths: Sequence[Path], base: Path, source: str
) -> None:
    """Refuse manifest ``path`` cells with spaces around the name where the name without them
    is a file or folder (``'a.edf '`` for ``a.edf``): the spaces are kept, as they may belong
    to a name, so the file would be reported missing later, its name's spaces unseen."""
    padded = [
        f"row {row}: {str(cell)!r}"
        for row, (cell, path) in enumerate(zip(raw, paths, strict=True))
        if str(cell) != str(cell).strip()
        and not os.path.lexists(path)
        and os.path.lexists(os_path(str(base / Path(str(cell).strip()).expanduser())))
    ]
    if padded:
        raise ValueError(
            f"manifest {source}: the 'path' cell(s) {', '.join(padded[:5])} have spaces around "
            "the name, which are read as part of it: no such file, but there is one without "
            "them; remove the spaces (rows counted from 0 after the header line)"
        )


#: Manifest columns eegpt reads, with the type every shard writes them in, whatever one
#: manifest's cells make of them (a ``rescale`` column left empty would be text, ``bads`` of
#: numbered labels integers): parts of one corpus, or runs of several sites, join in one read.
_READ_COLUMN_TYPES = {
    "rescale": "float64",
    "start_seconds": "float64",
    "annotations_file": "string",
    "bads": "string",
}
#: Manifest columns that are settings eegpt reads for each file (its channels to mark bad,
#: rescaling, first window's start, annotations file), kept with its rows but no metadata to
#: group them by: a run whose manifest lacked them is not short of them.
INPUT_SETTING_COLUMNS = frozenset(_READ_COLUMN_TYPES)


def _typed_for_shards(table: Any) -> Any:
    """The manifest's metadata columns with the types every shard of the run writes them in:
    the columns eegpt reads in their own types (:data:`_READ_COLUMN_TYPES`: ``rescale`` as
    numbers, an empty cell null; ``bads`` given as lists written as text joined by ``"; "``),
    each other column's type as the whole manifest gives it,
    and text for a column with no value at all (typed null, which Parquet readers such as
    polars do not join with the text another shard or run holds there)."""
    pa, _ = pyarrow_for_writing()
    columns, fields = [], []
    for f, column in zip(table.schema, table.columns, strict=True):
        kind = _READ_COLUMN_TYPES.get(f.name)
        if kind == "float64":
            column = pa.array([_number_or_none(v) for v in column.to_pylist()], pa.float64())
        elif kind == "string" and pa.types.is_list(f.type):  # bads as lists: "Fp1; Cz" text
            cells = column.to_pylist()
            column = pa.array([None if v is None else "; ".join(map(str, v)) for v in cells],
                              pa.string())  # fmt: skip
        elif kind == "string" or pa.types.is_null(f.type):
            column = column.cast(pa.string())
        columns.append(column)
        fields.append(pa.field(f.name, column.type, f.nullable, f.metadata))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=table.schema.metadata))


def _number_or_none(value: Any) -> float | None:
    """A ``rescale`` or ``start_seconds`` cell as a number; None for an empty cell (and for one
    that is no number, which :func:`_rescale_column` and :func:`_start_column` refuse): the
    one parser of those cells."""
    if _is_empty(value):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _is_empty(value: Any) -> bool:
    """Whether a manifest cell is empty (missing, or blank text)."""
    return value is None or str(value).strip() == ""


def _refuse_repeated_files(
    paths: list[Path], ids: list[str], annotations: list[str | None] | None, source: str
) -> None:
    """Refuse a manifest that lists one file twice (under two ids, two spellings of its path
    or through a link), which would embed its windows twice: manifests joined from
    overlapping lists. The same recording with another ``annotations_file`` (a second
    scorer's hypnogram) is not a repeat."""
    extra = annotations or [None] * len(paths)
    first: dict[Any, int] = {}
    repeats = []
    for row, (path, more) in enumerate(zip(paths, extra, strict=True)):
        key = recording_key(path, more)
        if key in first:
            repeats.append(f"rows {first[key]} and {row} ({ids[first[key]]!r}, {ids[row]!r})")
        first.setdefault(key, row)
    if repeats:
        raise ValueError(
            f"manifest {source} lists {_count(len(repeats), 'file')} again (the same file, "
            f"perhaps under another name or through a link): {few(repeats, 5)} (rows counted "
            "from 0 after the header line); its windows would be embedded twice: keep one row "
            "per file"
        )


def _check_ids(ids: Sequence[str | None], source: str) -> None:
    empty = [i for i, rid in enumerate(ids) if rid is None or not rid.strip()]
    if empty:
        raise ValueError(f"{source}: empty recording_id in row(s) {empty[:10]}")
    seen: dict[str, int] = {}
    dupes = []
    for i, rid in enumerate(ids):
        if rid in seen:
            dupes.append(f"{rid!r} (rows {seen[rid]} and {i})")
        seen.setdefault(rid, i)  # type: ignore[arg-type]
    if dupes:
        raise ValueError(
            f"{source}: recording ids must be unique, found {len(dupes)} duplicate(s): "
            f"{', '.join(dupes[:5])}; give a unique 'recording_id' column"
        )


_PART_OF = re.compile(r"(.*)( \(part \d+/\d+\))")  # the source of a --part run's inputs


def corpus_of(source: str) -> tuple[str, str]:
    """``(corpus, suffix)``: the inputs' ``source`` with its path made absolute (where it is
    one), and a ``--part`` run's `` (part K/N)`` apart (else "")."""
    m = _PART_OF.fullmatch(source)
    base, suffix = (m.group(1), m.group(2)) if m else (source, "")
    folder = base.removesuffix(_BIDS)  # a BIDS folder's, marked
    if os.path.exists(folder):
        base = os.path.abspath(folder) + base[len(folder) :]
    return base, suffix
