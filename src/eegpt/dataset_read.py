"""Reading :func:`eegpt.embed_dataset` output folders back: :func:`read_embeddings`, the rows of
one run folder or of several (``--part`` runs), or of many per-recording outputs, as a table
and their embeddings as one array, checked as they are read.

The checks and warnings it makes live beside it, and this module re-exports every name it
gave before they moved there: the files of a run folder (:mod:`eegpt.dataset_folders`), its
shards' footers and damage (:mod:`eegpt.shard_checks`), settings compared
(:mod:`eegpt.run_specs`), ``--part`` runs (:mod:`eegpt.dataset_parts`), filters
(:mod:`eegpt.read_filters`), the channel sets runs were embedded with
(:mod:`eegpt.run_channel_sets`), copies (:mod:`eegpt.recording_copies`), the tables read
(:mod:`eegpt.window_tables`) and ``.csv``/``.tsv`` tables (:mod:`eegpt.text_tables`).

Those names are re-exported for imports only (``from eegpt.dataset_read import
damaged_shards`` gives the same object as before the split). Patching one here
(``monkeypatch.setattr(eegpt.dataset_read, "read_shard_status", ...)``) changes nothing,
silently: the code that uses it reads the name of the module that defines it. To patch or
override one, patch that module (``read_shard_status`` in :mod:`eegpt.shard_checks`,
``require_pyarrow`` in :mod:`eegpt.optional_packages` ...; ``obj.__module__`` names a
function's or class's home). :data:`FLAG_COLUMNS` and :func:`read_embeddings` are defined here.

This module imports neither torch nor MNE nor SciPy (only NumPy, and pyarrow and pandas when
reading), so that analysing a corpus's embeddings does not pay for the model's stack.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from eegpt._filenames import subject_column, user_path
from eegpt._filenames import subject_of as subject_of
from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._renamed import renamed_keywords
from eegpt._window_flags import FLAG_KEYS
from eegpt.dataset_folders import CORPUS_LISTING as CORPUS_LISTING
from eegpt.dataset_folders import ERRORS_REPORT as ERRORS_REPORT
from eegpt.dataset_folders import FILES_REPORT as FILES_REPORT
from eegpt.dataset_folders import MANIFEST as MANIFEST
from eegpt.dataset_folders import MANIFEST_SUFFIXES as MANIFEST_SUFFIXES
from eegpt.dataset_folders import PARTIAL as PARTIAL
from eegpt.dataset_folders import RUN_MANIFEST as RUN_MANIFEST
from eegpt.dataset_folders import SHARD as SHARD
from eegpt.dataset_folders import SHORT_REPORT as SHORT_REPORT
from eegpt.dataset_folders import TOO_SHORT as TOO_SHORT
from eegpt.dataset_folders import changed_rows, files_reports_read_once, read_run_manifest
from eegpt.dataset_folders import expand_run_folders as expand_run_folders
from eegpt.dataset_folders import partial_name as partial_name
from eegpt.dataset_folders import run_folders as run_folders
from eegpt.dataset_folders import shard_files as shard_files
from eegpt.dataset_folders import shard_name as shard_name
from eegpt.dataset_parts import LIST_INPUTS as LIST_INPUTS
from eegpt.dataset_parts import _check_parts, _warn_missing_parts
from eegpt.dataset_parts import corpora_of_parts as corpora_of_parts
from eegpt.dataset_parts import listed_ids as listed_ids
from eegpt.dataset_parts import listed_paths as listed_paths
from eegpt.dataset_parts import listings_apart as listings_apart
from eegpt.dataset_parts import missing_parts as missing_parts
from eegpt.errors import MissingFileError
from eegpt.metadata_tables import clash_renames as clash_renames
from eegpt.optional_packages import require_pandas as require_pandas
from eegpt.optional_packages import require_pyarrow
from eegpt.preprocessing_spec import stored_defaults as stored_defaults
from eegpt.read_filters import NORMALISED_ID_COLUMNS as NORMALISED_ID_COLUMNS
from eegpt.read_filters import _check_text_filters, _flat_filters, _warn_other_normalisation
from eegpt.recording_copies import _warn_copies
from eegpt.recording_copies import copies_text as copies_text
from eegpt.recording_copies import recorded_copies as recorded_copies
from eegpt.run_channel_sets import _channel_sets_of as _channel_sets_of
from eegpt.run_channel_sets import _warn_channel_sets, _warn_differing_channel_sets
from eegpt.run_channel_sets import channel_set_apart as channel_set_apart
from eegpt.run_channel_sets import channel_sets_advice as channel_sets_advice
from eegpt.run_channel_sets import channel_sets_text as channel_sets_text
from eegpt.run_channel_sets import keep_of_runs as keep_of_runs
from eegpt.run_specs import settings_apart as settings_apart
from eegpt.run_specs import spec_differences as spec_differences
from eegpt.shard_checks import CHECKSUMS_KEY as CHECKSUMS_KEY
from eegpt.shard_checks import TIME_BASE_UNRECORDED as TIME_BASE_UNRECORDED
from eegpt.shard_checks import _damaged_shard_error, _warn_if_unfinished
from eegpt.shard_checks import cut_shards as cut_shards
from eegpt.shard_checks import cut_shards_line as cut_shards_line
from eegpt.shard_checks import damaged_list as damaged_list
from eegpt.shard_checks import damaged_shards as damaged_shards
from eegpt.shard_checks import has_checksums as has_checksums
from eegpt.shard_checks import read_shard_status as read_shard_status
from eegpt.shard_checks import recompute_advice as recompute_advice
from eegpt.shard_checks import time_base_decided as time_base_decided
from eegpt.shard_checks import time_base_unrecorded as time_base_unrecorded
from eegpt.shard_checks import verify_report as verify_report
from eegpt.text_tables import DelimitedTable as DelimitedTable
from eegpt.text_tables import csv_delimiter as csv_delimiter
from eegpt.text_tables import read_delimited as read_delimited
from eegpt.text_tables import read_delimited_table as read_delimited_table
from eegpt.text_tables import utf8_table_bytes as utf8_table_bytes
from eegpt.window_tables import RESERVED_COLUMNS as RESERVED_COLUMNS
from eegpt.window_tables import _common_schema, _nullable_frame, _retyped
from eegpt.window_tables import expand_metadata_column as expand_metadata_column

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["read_embeddings"]


#: The flag columns :func:`read_embeddings` gives a run's rows, in order
#: (:func:`_with_flag_columns`), as it gives per-recording outputs' rows.
FLAG_COLUMNS = (*FLAG_KEYS, "flagged", "flags_recorded")

#: The column :func:`read_embeddings` gives a run's rows after its flag columns: True for the
#: rows of recordings whose files a later run of their folder found changed since they were
#: embedded (the ``changed`` column of its ``_files.csv``; ``eegpt info`` says CHANGED):
#: rows of the earlier contents, stale until embedded again.
CHANGED_COLUMN = "source_changed"


@overload
def read_embeddings(
    path: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    columns: Sequence[str] | None = ...,
    filters: Any = ...,
    expand_metadata: bool = ...,
    embeddings: Literal[True] = ...,
    allow_mixed: bool = ...,
    recursive: bool = ...,
) -> tuple[pd.DataFrame, np.ndarray]: ...
@overload
def read_embeddings(
    path: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    columns: Sequence[str] | None = ...,
    filters: Any = ...,
    expand_metadata: bool = ...,
    embeddings: bool,
    allow_mixed: bool = ...,
    recursive: bool = ...,
) -> tuple[pd.DataFrame, np.ndarray | None]: ...


@renamed_keywords(output_dir="path")
def read_embeddings(
    path: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    columns: Sequence[str] | None = None,
    filters: Any = None,
    expand_metadata: bool = True,
    embeddings: bool = True,
    allow_mixed: bool = False,
    recursive: bool = False,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Read a dataset output, or many per-recording outputs: a table of the windows and their
    embeddings as one array.

    ``pandas.read_parquet(path)`` of a run folder gives the same rows with ``embedding`` as
    arrays of objects; this returns the embeddings as one contiguous float32 array instead.

    Parameters
    ----------
    path : path-like | sequence of path-like
        (Was ``output_dir``, still taken with a ``FutureWarning``: files are taken too.) A
        folder written by :func:`eegpt.embed_dataset`, or several: the parts of one corpus run
        on several hosts, one folder each, or a run and the files it skipped as too short
        embedded with ``--tail pad``. A folder of run folders (``-o out/part-K`` of ``--part``
        runs) stands for those, alone or in a sequence. Their settings (model, checkpoint,
        preprocessing but ``--rescale`` and ``--tail``, precision, pooling, the channel set of
        ``keep``/``--keep-channels``) must agree, no file may be in two and no recording id name
        two files; a column typed differently by the parts' manifests (all empty in one, numbers
        in one and text in another) is read as text.

        Or per-recording outputs (``.npz``/``.parquet`` of ``eegpt embed``,
        :meth:`eegpt.outputs.Embeddings.save`: one job per recording, e.g. in Snakemake): a list
        of such files, a folder holding them (right inside it, in name order; its whole tree
        with ``recursive``), or a list of such folders. Their rows come in the order given (a
        folder's files by name), each file's in window order, with the columns of a run's shards
        (``recording_id`` is the output file, as given or the folder joined with its name;
        ``path`` the recording it was embedded from) and the per-window flags of
        :attr:`eegpt.Embeddings.flagged` (``flat_channels``, ``clipped_channels``, ``flagged``,
        and ``flags_recorded``: False for a file without them, whose rows get empty lists and
        ``flagged`` False; a warning names such files read beside files with them; a run
        folder's rows have them too, from its shards' columns: none in runs started before the
        shards held them, flags_recorded False there and for epochs). They must have been
        embedded alike: the same encoder weights (``checkpoint.weights_sha256``, else the file's
        ``sha256``), model, preprocessing (but ``scale``, ``--rescale``, and ``tail``),
        precision, pooling and embedding shape, and resampled recordings the same polyphase
        resampler (an earlier eegpt's beside this one's refused); their channel sets may
        differ (a warning says so, as for a run), and their versions of eegpt, torch, NumPy,
        SciPy and MNE (a warning names each group of files).
    columns : sequence of str | None
        Columns of the table besides ``embedding`` (default all); with ``expand_metadata``
        also names of ``epochs.metadata`` columns (as returned, prefix included). Only these
        columns are read from the shards.
    filters : list of tuples | pyarrow.compute.Expression | None
        Rows to read, as for ``pandas.read_parquet``: ``[("subject", "in", ["s1", "s2"]),
        ("bad", "==", False)]`` (all must hold) or a pyarrow expression; applied while reading,
        so the other rows never reach memory. Columns of the shards only (not the
        ``epochs.metadata`` names).
    expand_metadata : bool
        Turn the ``epochs_metadata`` column (``epochs.metadata`` of ``*-epo.fif`` inputs, one
        JSON object per window) into one column per name, in the order first seen; a name
        a column of the shards has gets a ``metadata_`` prefix. Values are as JSON holds them:
        numbers (integers with missing values as nullable ``Int64``), text, booleans; dates
        and durations as ISO 8601 text. Rows of other inputs get missing values. With False
        the JSON text is kept.
    embeddings : bool
        False reads the table only (``None`` in place of the array): which recordings,
        windows and labels a large output holds, without reading its embeddings.
    allow_mixed : bool
        Per-recording outputs only: read files that were not embedded alike together (other
        weights, preprocessing ...), with a warning naming the files and the settings that
        differ, instead of refusing them. Their embeddings are not comparable; for
        inspecting, not for analysis. Files of different embedding shapes are refused even
        so (``embeddings=False`` reads their rows). Run folders are always checked.
    recursive : bool
        Per-recording outputs only: read a folder's tree, its sub-folders' files at any depth
        too (per-subject runs of ``eegpt embed`` into ``out/sub-01/ses-1/``), in the order of
        their paths below it; ``recording_id`` is the folder joined with each file's path
        below it, so ``sub-01/rest.npz`` and ``sub-02/rest.npz`` stay apart. Hidden folders,
        those starting with ``_`` and linked folders are left out. A tree holding an
        ``embed-dataset`` run folder is refused (read the two apart); run folders given are
        read as without it. Without it, a folder holding no outputs right inside it but in
        its sub-folders is refused, naming them and this parameter.

    Returns
    -------
    table : pandas.DataFrame
        One row per window, without the ``embedding`` column. A run folder's rows have a
        ``source_changed`` column too (bool): True for the rows of recordings whose files a
        later ``embed-dataset`` run of their folder found changed since they were embedded
        (``eegpt info`` says CHANGED): rows of the earlier contents, stale until embedded
        again (a warning names them and how).
    embeddings : ndarray of float32, shape (n_rows, *embedding_shape) | None
        ``embedding_shape`` is ``[N, S, D]``, or ``[D]`` for ``pooling="mean"``; None with
        ``embeddings=False``.

    Raises
    ------
    eegpt.errors.UnreadableShardError
        (an ``OSError``) A shard that cannot be read (truncated, or corrupt inside its data):
        the message names it and how to have it recomputed; pyarrow's error is chained.
    eegpt.errors.UnreadableOutputError
        (a ``ValueError``) A per-recording output that cannot be read (empty, truncated).
    eegpt.errors.InsufficientMemoryError
        (a ``MemoryError``) The embeddings of a run folder's rows to read (filters applied),
        or of per-recording outputs' together, would take more than half the memory
        available: refused before any is read, the message says how to read them part by
        part.
    eegpt.errors.MissingFileError
        (a ``FileNotFoundError``) A folder with no outputs right inside it whose sub-folders
        hold some, read without ``recursive`` (the message names them); with ``recursive``, a
        folder whose tree holds none.
    ValueError
        Per-recording outputs not embedded alike (without ``allow_mixed``): the message names
        the files of each group and the settings, with their recorded values, that differ.

    TypeError
        A filter comparing a text column (BIDS labels) with a number: ``('run', '==', 1)``;
        the message gives the filter to write (``('run', '==', '1')``).

    Warns
    -----
    RuntimeWarning
        Once when the recordings read were embedded with different channel sets (each
        folder's ``_files.csv``), naming the sets and how many recordings have each. And when
        an ``==``/``in`` filter on ``recording_id`` or ``path`` gives a value that no row has
        but a row has in another Unicode normalisation (``Müller.edf`` typed on Linux, NFC,
        against the NFD name a Mac wrote): the stored spelling is named. The filter is not
        widened to match it (the two may be two files); filter on the stored spelling, or
        list both with ``in``. And when an ``==``/``in`` filter on a BIDS entity column
        (``subject``, ``session``, ``task``, ``acquisition``, ``run``: text as the file names
        write it) gives a label no row has, naming the stored labels and the one it matches as
        ``--session``... would (``('session', '==', '1')`` against ``'01'``, ``sub-01``
        against ``'01'``); not widened either. And when several folders are read and the rows
        of one have no value in a column (BIDS entities, participants.tsv or manifest columns)
        that another's rows have: embedded from a manifest without them. And when rows of
        recordings whose files a later run of their folder found changed since they were
        embedded are read (``source_changed`` True): naming them, the shards to delete and
        the command to run again.
    """
    from eegpt.outputs_read import output_files

    files = output_files(path, recursive=recursive)
    if files is not None:
        return _read_output_files(files, columns, filters, expand_metadata, embeddings, allow_mixed)
    if allow_mixed:
        raise ValueError(
            "read_embeddings: allow_mixed applies to per-recording outputs (eegpt embed); "
            "embed-dataset folders of other settings cannot be read together"
        )
    try:
        with files_reports_read_once():  # each folder's _files.csv read once for all it tells
            return _read_embeddings(path, columns, filters, expand_metadata, embeddings)
    except (OSError, ValueError) as err:
        damaged = _damaged_shard_error(path, err)
        if damaged is None:
            raise
        raise damaged from err


def _read_output_files(
    files: Sequence[tuple[str, Path]],
    columns: Sequence[str] | None,
    filters: Any,
    expand_metadata: bool,
    embeddings: bool,
    allow_mixed: bool,
    outlines: Sequence[Any] | None = None,
    each_file: Callable[[], object] | None = None,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`read_embeddings` of per-recording outputs ``files`` (each with the text naming it:
    :func:`eegpt.outputs_read.output_files`); ``outlines``: the files already read without
    their embeddings (:func:`eegpt.outputs_read.read_outputs`), or None; ``each_file``: called
    once each file's rows are taken (:func:`eegpt.outputs_read.read_outputs`)."""
    from eegpt.outputs_read import read_outputs

    # sets: per file
    table, emb, sets = read_outputs(files, filters, embeddings, allow_mixed, outlines, each_file)
    names = table.column_names
    frame = _selected_frame(table, columns, expand_metadata, names, "the files read")
    ids = set(frame["recording_id"]) if "recording_id" in frame.columns else None
    _warn_differing_channel_sets(sets, ids, keep=False)
    return frame, emb


def _selected_frame(
    table: Any, columns: Sequence[str] | None, expand_metadata: bool, names: Sequence[str],
    where: str,
) -> Any:  # fmt: skip
    """The pandas frame of ``table`` (:func:`_nullable_frame`) with the columns ``columns``
    (None: all but ``embedding``), ``epochs_metadata`` spread into columns with
    ``expand_metadata``. ``names``: the columns of the data read (``where``, for messages)."""
    wanted = [c for c in (columns or names) if c != "embedding"]
    expand = expand_metadata and "epochs_metadata" in names
    frame = _nullable_frame(table)
    if expand and "epochs_metadata" in frame.columns:
        frame = expand_metadata_column(frame, names)
        if "epochs_metadata" not in wanted:  # only the metadata columns named
            frame = frame[[c for c in wanted if c in frame.columns]]
    elif columns is not None:
        frame = frame[[c for c in wanted if c in frame.columns]]
    missing = [c for c in wanted if c not in frame.columns and c != "epochs_metadata"]
    if missing:
        raise KeyError(
            f"read_embeddings: no column(s) {missing} in {where}; it has {list(names)}"
            + (", and the epochs.metadata columns of epochs_metadata" if expand else "")
        )
    return frame


def _read_embeddings(
    output_dir: str | os.PathLike | Sequence[str | os.PathLike],
    columns: Sequence[str] | None,
    filters: Any,
    expand_metadata: bool,
    embeddings: bool,
):
    """:func:`read_embeddings`, without naming the shards that cannot be read."""
    folders = expand_run_folders(output_dir)  # e.g. the folders of --part runs
    several = not isinstance(output_dir, (str, os.PathLike)) or folders != [user_path(output_dir)]
    real = [os.path.realpath(f) for f in folders]
    twice = sorted({str(f) for f, r in zip(folders, real, strict=True) if real.count(r) > 1})
    if twice:
        raise ValueError(f"read_embeddings: {few(twice, 5)} given twice: its rows would be doubled")
    if not folders:
        raise ValueError("read_embeddings: no folder given")
    for folder in folders:  # a wrong path is said first, even without pyarrow
        if folder.is_file():
            raise ValueError(
                f"{folder} is a file; read_embeddings reads embed-dataset output folders, and "
                "the .npz/.parquet outputs of eegpt embed (files, or folders of them)"
            )
        if not folder.is_dir():
            raise MissingFileError(f"read_embeddings: no folder {folder}")
    pa, pq = require_pyarrow("read_embeddings")
    import pyarrow.dataset as pads

    shards: list[Path] = []
    specs = []
    empty: list[Path] = []
    shards_of: dict[Path, list[Path]] = {}  # each folder's shards
    footers: dict[Path, Any] = {}  # each shard's footer (FileMetaData), read once

    def footer(shard: Path) -> Any:
        if shard not in footers:
            footers[shard] = pq.read_metadata(shard)
        return footers[shard]

    for folder in folders:
        found = shard_files(folder)
        if not found and several and (folder / MANIFEST).is_file():
            empty.append(folder)  # a part whose job has not written its first shard yet
            continue
        if not found and (folder / MANIFEST).is_file():
            raise MissingFileError(
                f"{folder} holds no shard yet: its run is still running, or stopped before its "
                "first shard (run the same embed-dataset command again to finish it)"
            )
        if not found:
            raise MissingFileError(f"no shard files in {folder}; was embed_dataset run there?")
        _warn_if_unfinished(folder, len(found))
        specs.append(read_shard_status(found[0], footer(found[0]))[0])
        shards += found
        shards_of[folder] = found
    if empty:
        if not specs:
            raise MissingFileError(
                f"none of {few([str(f) for f in empty], 5)} holds a shard yet: their runs are "
                "still running, or stopped before their first shard"
            )
        _warn(
            f"{few([str(f) for f in empty], 5)} hold no shard yet (still running, or stopped "
            "before a first shard): read without them"
        )
        folders = [f for f in folders if f not in empty]
    spec = specs[0]
    schema = None
    if several:
        apart = listings_apart(
            [(f, s.get("inputs") or {}) for f, s in zip(folders, specs, strict=True)]
        )
        if apart:
            raise ValueError(f"read_embeddings: {apart}")
        _warn_missing_parts(folders, specs)
    if several:  # each shard's footer once: its file statuses and its schema
        by_shard = {p: footer(p) for p in shards}
        _check_parts(folders, specs, by_shard)
        schemas = [f.schema.to_arrow_schema() for f in by_shard.values()]
        schema = _common_schema(schemas)
    output_dir = ", ".join(map(str, folders))  # for messages
    # page checksums compared (shards that have them): ~15% more read time, no damaged data
    checked = pads.ParquetFragmentScanOptions(page_checksum_verification=True)
    parquet = pads.ParquetFileFormat(default_fragment_scan_options=checked)
    dataset = pads.dataset([str(p) for p in shards], format=parquet, schema=schema)
    names = dataset.schema.names
    wanted = [c for c in (columns or names) if c != "embedding"]
    expand = expand_metadata and "epochs_metadata" in names
    read = [c for c in wanted if c in names]
    flag_wanted = [c for c in FLAG_COLUMNS if c in wanted or columns is None]
    if flag_wanted and "flagged" in names and "flagged" not in read:
        read.append("flagged")  # which rows recorded their flags (flags_recorded)
    if expand and "epochs_metadata" not in read and len(read) < len(wanted):
        read.append("epochs_metadata")  # the other names may be epochs.metadata columns
    # the ids of the rows a filter selects, for the copies warning, and of the rows of a run
    # with epochs, for the flags' warning (epochs never have flags): read with them, not in a
    # second scan of the shards (left out of the table returned)
    epochs = (
        _epochs_ids([(footer(p), read_shard_status(p, footer(p))[1]) for p in shards])
        if flag_wanted and "flagged" in names
        else set()
    )
    flags_by_id = bool(epochs)
    # recordings whose files changed since they were embedded (the folders' files reports)
    changed = {row["recording_id"]: (f, row) for f in folders for row in changed_rows(f)}
    ids_only = (
        (filters is not None or flags_by_id or bool(changed))
        and "recording_id" in names
        and "recording_id" not in read
    )
    if ids_only:
        read.append("recording_id")
    asked: list[Any] | None = None  # the filters given as tuples, for the id check after
    if filters is not None and not isinstance(filters, pads.Expression):
        unknown = [f[0] for f in _flat_filters(filters) if f[0] not in names]
        if unknown:
            raise ValueError(
                f"read_embeddings: the filters name column(s) {unknown} that {output_dir} does "
                f"not have; it has {names} (epochs.metadata columns cannot be filtered while "
                "reading: filter the table after)"
            )
        listed = [
            f[0]
            for f in _flat_filters(filters)
            if pa.types.is_list(dataset.schema.field(f[0]).type)
        ]
        if listed:
            raise ValueError(
                f"read_embeddings: column {listed[0]!r} holds a list per window, which the "
                "filters cannot compare with a value; read, then select: "
                f"df[df[{listed[0]!r}].map(lambda values: 'Sleep stage W' in values)]"
            )
        asked = _flat_filters(filters)
        _check_text_filters(dataset, asked)
        filters = pq.filters_to_expression(filters)
    try:
        if embeddings:
            table, emb = _rows_and_embeddings(
                dataset, read, filters, spec["embedding_shape"], output_dir, len(shards)
            )
        else:
            table, emb = dataset.to_table(columns=read, filter=filters), None
    except pa.ArrowInvalid as err:  # a pyarrow expression naming a column not there
        if "No match for FieldRef" not in str(err):
            raise
        raise ValueError(
            f"read_embeddings: the filters name a column {output_dir} does not have; it has "
            f"{names} ({str(err).splitlines()[0]})"
        ) from err
    except NotImplementedError as err:  # pyarrow's ArrowNotImplementedError
        if schema is None:
            raise
        retyped = sorted(_retyped(schema, schemas))
        raise ValueError(
            f"read_embeddings: the filters compare a column the parts typed apart (read as "
            f"text: {', '.join(retyped)}), which pyarrow cannot filter while reading; filter "
            "the table after reading, or give the parts' manifests one type per column"
        ) from err
    if asked is not None:
        _warn_other_normalisation(dataset, asked, table)
    table = _with_flag_columns(table, flag_wanted, str(output_dir), epochs)
    table = _with_changed_column(table, changed, columns is None or CHANGED_COLUMN in columns)
    names = [*names, *(c for c in (*FLAG_COLUMNS, CHANGED_COLUMN) if c not in names)]
    frame = _selected_frame(table, columns, expand_metadata, names, str(output_dir))
    if ids_only and "recording_id" in frame.columns:  # (kept by the epochs_metadata columns)
        frame = frame.drop(columns="recording_id")
    ids = set(frame["recording_id"]) if "recording_id" in frame.columns else None
    _warn_channel_sets(folders, ids, bool((spec.get("channels") or {}).get("keep")))
    if ids_only and filters is not None:  # the rows read, without their ids in the table
        ids = set(table["recording_id"].to_pylist())
    _warn_copies([read_shard_status(p, footer(p))[1] for p in shards], ids, frame)
    if several:
        folder_ids = {
            folder: {
                status.get("recording_id")
                for p in shards_of[folder]
                for status in read_shard_status(p, footer(p))[1].get("files") or []
            }
            for folder in folders
        }
        row_ids = (
            frame["recording_id"].tolist()
            if "recording_id" in frame.columns
            else table["recording_id"].to_pylist()
            if "recording_id" in table.column_names
            else None
        )
        _warn_columns_missing_in_folders(frame, row_ids, folder_ids, specs)
    return frame, emb


def _with_changed_column(
    table: Any,
    changed: Mapping[str, tuple[Path, Mapping[str, str]]],
    wanted: bool,
) -> Any:
    """The pyarrow ``table`` of a run's rows with :data:`CHANGED_COLUMN` (where ``wanted``):
    True for the rows of the recordings ``changed`` (recording id -> its folder and its row of
    the folder's files report, :func:`~eegpt.dataset_folders.changed_rows`), False for the
    others. Where rows of such recordings are read, one warning names them (what changed), the
    shards to delete and the command that embeds them again: their rows are of the earlier
    contents of their files."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    stale = np.zeros(n, dtype=bool)
    if changed and "recording_id" in table.column_names:
        values = pa.array(list(changed), pa.string())
        ids = pc.cast(table["recording_id"], pa.string())
        stale = np.asarray(
            pc.fill_null(pc.is_in(ids, value_set=values), False).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
    if stale.any():
        read = dict.fromkeys(str(i) for i in np.asarray(table["recording_id"].to_pylist())[stale])
        _warn_changed({i: changed[i] for i in read})
    if wanted:  # in place of a manifest's column of the name (of a run before it was ours)
        column = pa.array(stale, pa.bool_())
        at = (
            table.column_names.index(CHANGED_COLUMN)
            if CHANGED_COLUMN in table.column_names
            else None
        )
        table = (
            table.append_column(CHANGED_COLUMN, column)
            if at is None
            else table.set_column(at, CHANGED_COLUMN, column)
        )
    return table


def _warn_changed(changed: Mapping[str, tuple[Path, Mapping[str, str]]]) -> None:
    """Warn once of the rows read of the recordings ``changed`` (recording id -> its folder and
    its row of the folder's files report): rows of the earlier contents of their files,
    naming them, what changed, the shards whose deletion has them embedded again and the
    command to run again (each folder's last run's)."""
    import shlex

    by_folder: dict[Path, list[str]] = {}
    for recording, (folder, _) in changed.items():
        by_folder.setdefault(folder, []).append(recording)
    again = []
    for folder, ids in by_folder.items():
        shards = sorted(
            {
                shard_name(int(changed[i][1]["shard"]))
                for i in ids
                if str(changed[i][1].get("shard") or "").isdigit()
            }
        )
        try:
            runs = read_run_manifest(folder).get("runs") or []
        except (OSError, ValueError):
            runs = []
        made = [r for r in runs if isinstance(r, Mapping) and isinstance(r.get("command"), list)]
        last: Mapping[str, Any] = made[-1] if made else {}
        command = (
            f"eegpt {shlex.join(map(str, last['command']))}"
            if last
            else "the same embed-dataset command (or embed_dataset call)"
        )
        where = f" in {last['cwd']}" if last.get("cwd") else ""
        again.append(
            f"delete {few([str(folder / s) for s in shards], 5) or 'their shards'} and run "
            f"{command} again{where}"
        )
    n = len(changed)
    named = few([f"{i} ({row.get('changed')})" for i, (_, row) in changed.items()], 5)
    _warn(
        f"read_embeddings: {_count(n, 'recording')} read changed since "
        f"{'it was' if n == 1 else 'they were'} embedded (found by a later embed-dataset run "
        f"into {few([str(f) for f in by_folder], 5)}; eegpt info says CHANGED): {named}. {'Its' if n == 1 else 'Their'} rows are of the "
        f"earlier contents of {'its file' if n == 1 else 'their files'}, stale: True in the "
        f"{CHANGED_COLUMN} column (table[~table.{CHANGED_COLUMN}] leaves them out). To embed "
        f"{'it' if n == 1 else 'them'} again, {'; '.join(again)} (the other files of those "
        "shards are embedded again too)"
    )


def _epochs_ids(shards: Sequence[tuple[Any, Mapping[str, Any]]]) -> set[str]:
    """The recording ids of a run's epochs, from its shards' (footer, file status) pairs:
    recordings whose status says how their epochs' onsets count (``epoch_onsets``) or records
    their padded epochs, and, in shards with the flag columns (layout 6 on), embedded
    recordings without a flagged-window count (which only epochs lack there). Epochs have no
    per-window flat/clipped flags by design (the signal checks judge continuous stretches)."""
    from eegpt._recording_provenance import EPOCH_ONSETS_KEY

    ids: set[str] = set()
    for meta, status in shards:
        flagged = "flagged" in meta.schema.to_arrow_schema().names
        for file in status.get("files") or []:
            epoched = EPOCH_ONSETS_KEY in file or "padded_epochs" in file
            uncounted = flagged and "n_windows_flagged" not in file
            if file.get("status") == "ok" and (epoched or uncounted):
                ids.add(str(file.get("recording_id")))
    return ids


def _with_flag_columns(
    table: Any, wanted: Sequence[str], where: str, epochs: set[str] | frozenset[str] = frozenset()
) -> Any:
    """The pyarrow ``table`` of a run's rows with the flag columns ``wanted`` (of
    :data:`FLAG_COLUMNS`) as :func:`read_embeddings` gives per-recording outputs' rows:
    ``flat_channels``/``clipped_channels`` (lists of channel names), ``flagged`` (bool) and
    ``flags_recorded`` (bool). Rows without the flags (shards of layout 5 or before, epochs:
    nulls) get empty lists, ``flagged`` False and ``flags_recorded`` False; continuous
    recordings' rows without them read beside rows with them are warned about (``where``: the
    folders, for it); the rows of ``epochs`` (recording ids, :func:`_epochs_ids`) are not,
    since epochs never have them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    has = "flagged" in table.column_names
    recorded = table["flagged"].is_valid() if has else pa.array(np.zeros(n, dtype=bool))
    if has and "flagged" not in wanted:
        table = table.drop_columns(["flagged"])  # read for flags_recorded only
    if wanted:
        _warn_flags_unknown(table, recorded, where, epochs)
    empty = pa.array([[]] * n, pa.list_(pa.string()))
    for name in wanted:
        if name == "flags_recorded":
            column = recorded
        elif name == "flagged":
            column = pc.fill_null(table[name], False) if has else pa.array(np.zeros(n, bool))
        else:
            column = pc.if_else(recorded, table[name], empty) if has else empty
        at = table.column_names.index(name) if name in table.column_names else None
        table = (
            table.append_column(name, column) if at is None else table.set_column(at, name, column)
        )
    return table


def _warn_flags_unknown(
    table: Any, recorded: Any, where: str, epochs: set[str] | frozenset[str] = frozenset()
) -> None:
    """Warn once where some rows of ``table`` recorded their per-window flags and rows of
    continuous recordings (``recorded`` False, recording id not in ``epochs``: shards of an
    older layout) did not, naming the latter's recordings: their ``flagged`` False is unknown,
    not clean, unlike the others'. Epochs' rows never have the flags (a run of epochs and
    continuous recordings is whole as it is): they are not warned about. Without a
    ``recording_id`` column (read for this where the run has epochs), the rows without flags are
    counted."""
    known = np.asarray(recorded.to_numpy(zero_copy_only=False), dtype=bool)
    if known.all() or not known.any():
        return
    if "recording_id" in table.column_names:
        ids = np.asarray([str(i) for i in table["recording_id"].to_pylist()], dtype=object)
        unknown = ~known & ~np.isin(ids, sorted(epochs))
        if not unknown.any():
            return  # only epochs' rows lack the flags: as they should
        which = few(list(dict.fromkeys(ids[unknown])), 5)
    else:
        unknown = ~known
        which = _count(int(unknown.sum()), "row")
    _warn(
        f"read_embeddings: {which} (of {where}) recorded no per-window flat/clipped flags "
        "(shards written before embed-dataset recorded them, or a run resumed in its older "
        "layout), unlike the other rows read: their rows have flagged False and empty "
        "flat_channels/clipped_channels, which is unknown, not clean. The flags_recorded "
        "column tells them apart; embed those recordings again into a new folder with this "
        "version of eegpt to record their flags"
    )


def _bids_dataset_of_run(folder: Path) -> str | None:
    """The BIDS dataset (its folder, as text) whose recordings the run in ``folder`` embedded,
    read from the run's manifest (``_manifest.json``: its ``source`` ends `` (BIDS)``; a
    subject's folder ``ds/sub-01`` given is ``ds``); None for a run of other inputs (a
    manifest, a plain folder) or without a readable run manifest."""
    from eegpt.dataset_inputs import BIDS_SOURCE, _dataset_of_folder, corpus_of

    try:
        source = read_run_manifest(folder)["source"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    corpus = corpus_of(str(source))[0] if isinstance(source, str) else ""
    if not corpus.endswith(BIDS_SOURCE):
        return None
    given = Path(corpus.removesuffix(BIDS_SOURCE))
    return os.path.normpath(_dataset_of_folder(given) or given)


def _warn_columns_missing_in_folders(
    frame: Any,
    row_ids: Sequence[Any] | None,
    folder_ids: Mapping[Path, set[Any]],
    specs: Sequence[Mapping[str, Any]],
) -> None:
    """Warn when the rows read (``frame``, whose rows have the recording ids ``row_ids``)
    of one folder (``folder_ids``: each folder's recording ids) have no value in a column that
    names subjects or their entities (BIDS ``subject``, ``session``, ``task``, ``acquisition``,
    ``run``, a subject column, and the manifest and participants.tsv columns recorded by the
    folders' runs, ``specs``' ``inputs.metadata_columns``) that rows of another folder have: a
    folder embedded from a manifest without them (a BIDS run's new files given as a .csv),
    whose rows a ``groupby`` on such a column silently drops.

    A folder of a BIDS dataset's run (:func:`_bids_dataset_of_run`) is no such folder: its
    entity columns are empty where its dataset has no such entity (no sessions), and its
    participants.tsv columns are its dataset's. It is warned about only for a column that a
    run of the same dataset has and its own run did not record (participants.tsv changed
    between the runs); a column only other inputs have is logged at INFO."""
    from eegpt.bids import BIDS_FILTERS
    from eegpt.dataset_inputs import INPUT_SETTING_COLUMNS

    if row_ids is None or not len(frame):
        return
    named = [*BIDS_FILTERS, subject_column(frame.columns)]
    for spec in specs:  # but the input settings (bads, rescale ...): none to group rows by
        recorded = (spec.get("inputs") or {}).get("metadata_columns") or []
        named += [c for c in recorded if c not in INPUT_SETTING_COLUMNS]
    columns = [c for c in dict.fromkeys(named) if c is not None and c in frame.columns]
    if not columns:
        return
    ids = np.asarray(row_ids, dtype=object)
    entities = {*BIDS_FILTERS, subject_column(frame.columns)}
    empty: dict[Path, list[str]] = {}
    held: dict[str, set[Path]] = {}  # column -> the folders whose rows have values in it
    dataset = {folder: _bids_dataset_of_run(folder) for folder in folder_ids}
    for (folder, its_ids), spec in zip(folder_ids.items(), specs, strict=True):
        rows = np.isin(ids, list(its_ids))
        if not rows.any():
            continue
        recorded = (spec.get("inputs") or {}).get("metadata_columns")
        part = frame.loc[rows, columns]
        for column in columns:
            if not part[column].isna().all():
                held.setdefault(column, set()).add(folder)
            # an entity column all empty, or a column the run's input did not have (not a
            # participants.tsv column that happens to be empty for these subjects)
            if part[column].isna().all() and (
                (column in entities and dataset[folder] is None)
                or (recorded is not None and column not in recorded)
            ):
                empty.setdefault(folder, []).append(column)
    for folder, missing in empty.items():
        n = int(np.isin(ids, list(folder_ids[folder])).sum())
        if dataset[folder] is not None:  # a BIDS run: of its own dataset's columns only
            same = {f for f in folder_ids if f != folder and dataset[f] == dataset[folder]}
            changed = [c for c in missing if c not in entities and held.get(c, set()) & same]
            others = [c for c in missing if c not in changed and c in held]
            if others:
                _log(
                    f"read_embeddings: rows of {folder} ({n} read, of the BIDS dataset "
                    f"{dataset[folder]}) have no {few(others, 6)}, which its dataset has not "
                    "and other folders' rows have; a groupby on them drops those rows"
                )
            if changed:
                _warn(
                    f"read_embeddings: rows of {folder} ({n} read) have no {few(changed, 6)}, "
                    f"which rows of another run of the same BIDS dataset {dataset[folder]} "
                    "have: its participants.tsv had no such column when this folder was "
                    "embedded? A groupby on them drops those rows (pandas leaves out missing "
                    "keys). Embed it again from the dataset (with the same selection options), "
                    "or fill the columns in after reading"
                )
            continue
        missing = [c for c in missing if c in held]
        if not missing:
            continue
        _warn(
            f"read_embeddings: rows of {folder} ({n} read) have no {few(missing, 6)}, "
            "which the other folders' rows have: embedded from a manifest without those "
            "columns (new recordings of a BIDS dataset given as a .csv, say)? A groupby on "
            "them drops those rows (pandas leaves out missing keys). Embed them again from a "
            "manifest with those columns (of a BIDS dataset: from the dataset with its "
            "selection options, eegpt embed-dataset BIDS_ROOT -o NEW/ --subject ... --session "
            "...; of its derivatives, e.g. MNE-BIDS-Pipeline's *_epo.fif: from the derivative's "
            "folder, eegpt embed-dataset BIDS_ROOT/derivatives/NAME -o NEW/ --subject ... "
            "--processing ..., which keep every column), or fill the columns in after reading"
        )


def _rows_and_embeddings(
    dataset: Any, read: list[str], filters: Any, shape: Sequence[int], where: str,
    n_shards: int,
) -> tuple[Any, np.ndarray]:  # fmt: skip
    """The columns ``read`` of the rows ``filters`` selects (a pyarrow Table) and their
    embeddings ``[n_rows, *shape]`` (float32), copied batch by batch into one array made to
    size: the embeddings are held once, not also as an Arrow table and its combined copy.
    Refused before any is read where they do not fit in memory
    (:func:`~eegpt.memory_checks.check_folder_embeddings_memory`; ``where``: the folders, and
    ``n_shards`` their shards, for its message)."""
    import pyarrow as pa

    from eegpt.memory_checks import check_folder_embeddings_memory

    n = dataset.count_rows(filter=filters)
    check_folder_embeddings_memory(where, n, shape, n_shards)
    width = math.prod(shape)
    emb = np.empty((n, width), dtype=np.float32)
    pieces, at = [], 0
    batches = dataset.to_batches(
        columns=[*read, "embedding"], filter=filters, batch_readahead=2, fragment_readahead=2
    )
    for batch in batches:  # read ahead by two, not 4 files x 16 batches: less held at once
        k = batch.num_rows
        if not k:
            continue
        values = batch.column(batch.schema.get_field_index("embedding")).flatten()
        emb[at : at + k] = values.to_numpy(zero_copy_only=False).reshape(k, width)
        pieces.append(pa.Table.from_batches([batch]).select(read))
        at += k
    if at != n:
        raise RuntimeError(
            f"read_embeddings: {at} rows read where {n} were counted; did a run write to the "
            "folder meanwhile? Read it again"
        )
    if pieces:
        return pa.concat_tables(pieces), emb.reshape(n, *shape)
    fields = [dataset.schema.field(c) for c in read]
    return pa.schema(fields).empty_table(), emb.reshape(n, *shape)
