"""Reading :func:`eegpt.embed_dataset` output folders back: :func:`read_embeddings`, the
shard footers and the checks that several run folders (``--part`` runs) belong together.

This module imports neither torch nor MNE nor SciPy (only NumPy, and pyarrow and pandas when
reading), so that analysing a corpus's embeddings does not pay for the model's stack;
:mod:`eegpt.dataset`, which writes the folders, imports its names from here.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

import numpy as np

from eegpt._filenames import subject_column, subject_of, user_path
from eegpt._logging import count as _count
from eegpt._logging import few
from eegpt._logging import log as _log
from eegpt._logging import warn as _warn
from eegpt._window_flags import FLAG_KEYS
from eegpt.errors import MissingFileError
from eegpt.outputs import RUN_MANIFEST, clash_renames, require_pandas, require_pyarrow
from eegpt.preprocessing_spec import stored_defaults
from eegpt.text_tables import utf8_table_bytes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_embeddings"]

MANIFEST = RUN_MANIFEST
FILES_REPORT = "_files.csv"
ERRORS_REPORT = "_errors.csv"
CORPUS_LISTING = "_corpus.csv"  # of a --part run: the whole listing it was split from
SHORT_REPORT = "_too_short.csv"
TOO_SHORT = "too_short"  # the status of a file shorter than one window (skipped, not failed)
#: The name of a shard file of a run folder (its group: the shard number).
SHARD = re.compile(r"^shard-(\d+)\.parquet$")
#: The finished files of a shard whose run was stopped part-way (:func:`partial_name`): hidden,
#: so that no reader (pyarrow's dataset, a ``*.parquet`` glob, :func:`shard_files`) takes it
#: for a shard; a resume reuses its files' rows.
PARTIAL = re.compile(r"^\.shard-(\d+)\.parquet\.partial$")
#: The footer key of a shard whose page headers hold CRC-32 checksums (older shards have none).
CHECKSUMS_KEY = "eegpt_checksums"
#: The suffixes of a manifest (a table of recordings) given as the input of a corpus run.
MANIFEST_SUFFIXES = (".csv", ".tsv", ".parquet")


RESERVED_COLUMNS = (
    "recording_id",
    "path",
    "window",
    "onset_s",
    "clock_s",
    "clock_time",
    "channels",
    "input_channels",
    "annotations",
    "bad",
    "event",
    "padded",
    "flat_channels",
    "clipped_channels",
    "flagged",
    "flags_recorded",  # read_embeddings' (the shards have the other three, layout 6 on)
    "epochs_metadata",
    "embedding",
)
#: The flag columns :func:`read_embeddings` gives a run's rows, in order
#: (:func:`_with_flag_columns`), as it gives per-recording outputs' rows.
FLAG_COLUMNS = (*FLAG_KEYS, "flagged", "flags_recorded")


def shard_name(shard: int) -> str:
    return f"shard-{shard:05d}.parquet"


def partial_name(shard: int) -> str:
    """``.shard-NNNNN.parquet.partial``: the file holding the finished files of ``shard`` kept
    by a run stopped part-way through it (:data:`PARTIAL`)."""
    return f".{shard_name(shard)}.partial"


def shard_files(output_dir: Path) -> list[Path]:
    """The shard files of a run folder, in shard order."""
    return sorted(p for p in Path(output_dir).iterdir() if SHARD.match(p.name))


def read_shard_status(path: Path, footer: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run settings (``eegpt``) and file statuses (``eegpt_shard``) of a shard's footer
    (``footer``: its ``pyarrow.parquet.FileMetaData`` where already read, else read here)."""
    if footer is None:
        _, pq = require_pyarrow("reading embed-dataset shards")
        footer = pq.read_metadata(path)
    meta = footer.metadata or {}
    if b"eegpt" not in meta or b"eegpt_shard" not in meta:
        raise ValueError(f"{path} lacks eegpt metadata; it was not written by embed_dataset")
    return json.loads(meta[b"eegpt"]), json.loads(meta[b"eegpt_shard"])


#: What ``eegpt info`` and ``eegpt export`` say of a run whose file statuses record no time
#: base (:func:`time_base_unrecorded`).
TIME_BASE_UNRECORDED = (
    "the recordings' measurement dates (and first-sample times) were not recorded by the "
    "eegpt that wrote this run"
)


def time_base_unrecorded(shards: Sequence[Path]) -> bool:
    """Whether a run's ``shards`` (of layout 3 or before) were written by an eegpt that
    recorded no time base in the file statuses (``first_time``, ``meas_date``: recorded
    since 2026-12-03): its clock_s can only be the onsets, and it has no clock_time, which
    no reading of it (``clock_times(absolute=True)``, ``eegpt export``) can give."""
    read = []
    for shard in shards:
        try:
            read.append(read_shard_status(shard))
        except (OSError, ValueError):
            continue
        if time_base_decided(read[-1:]) is not None:
            break
    return bool(time_base_decided(read))


def time_base_decided(statuses: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> bool | None:
    """:func:`time_base_unrecorded` of shards' statuses already read (``(settings, file
    statuses)`` of :func:`read_shard_status`, in the run's order): True or False as the first
    shard that tells says, None where none tells (no shard with a file embedded)."""
    for spec, status in statuses:
        if int(spec.get("layout") or 1) > 3:
            return False
        files = [f for f in status.get("files", []) if f.get("status") == "ok"]
        if any("first_time" in f or "meas_date" in f for f in files):
            return False
        if files:
            return True
    return None


def damaged_shards(shards: Sequence[Path], *, first: bool = False) -> list[tuple[Path, str]]:
    """The shards among ``shards`` whose data cannot be read, each with pyarrow's reason:
    every page of every column is read and decompressed (batch by batch, nothing kept), its
    checksum compared where the shard has them, and every embedding value checked finite, so
    damage inside the data is found too, not only a missing footer. ``first``: stop at the
    first damaged one (the others are not read)."""
    pa, pq = require_pyarrow("reading embed-dataset shards")
    import pyarrow.compute as pc

    damaged: list[tuple[Path, str]] = []
    for path in shards:
        if first and damaged:
            break
        try:
            with pq.ParquetFile(path, page_checksum_verification=True) as f:
                row = 0
                for batch in f.iter_batches(batch_size=1024):
                    names = batch.schema.names
                    values = batch.column("embedding").flatten() if "embedding" in names else None
                    if values is not None and not pc.all(pc.is_finite(values)).as_py():
                        raise ValueError(
                            f"NaN/Inf embedding values in the rows from {row} to "
                            f"{row + batch.num_rows - 1}"
                        )
                    row += batch.num_rows
        except (OSError, ValueError, pa.ArrowException) as err:
            damaged.append((path, str(err).splitlines()[0] if str(err) else type(err).__name__))
    return damaged


_MAGIC = b"PAR1"  # a Parquet file's first and last four bytes


def cut_shards(shards: Sequence[Path]) -> list[tuple[Path, str]]:
    """The shards among ``shards`` that are not whole Parquet files, each with the reason:
    shorter than a Parquet file can be, without the magic ``PAR1`` at its start or its end,
    or with a footer longer than the file. Cheap (a few bytes read at each end, no data, no
    footer parsed: what plain ``eegpt info`` checks of every shard), so it finds a shard cut
    short (a full disk, a copy stopped half-way) but not damage inside its data
    (:func:`damaged_shards` reads that through)."""
    cut: list[tuple[Path, str]] = []
    for path in shards:
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < 12:  # magic, footer length, magic
                    cut.append((path, f"{size} bytes: truncated"))
                    continue
                head = fh.read(4)
                fh.seek(size - 8)
                tail = fh.read(8)
        except OSError as err:
            cut.append((path, err.strerror or type(err).__name__))
            continue
        footer = int.from_bytes(tail[:4], "little")
        if head != _MAGIC:
            cut.append((path, "no Parquet magic bytes at its start: not a Parquet file"))
        elif tail[4:] != _MAGIC:
            cut.append((path, f"no Parquet magic bytes at its end: truncated ({size} bytes)"))
        elif footer + 12 > size:
            cut.append((path, f"its footer ({footer} bytes) is longer than the file: corrupt"))
    return cut


def cut_shards_line(shards: Sequence[Path]) -> str:
    """``eegpt info``'s line on the shards among ``shards`` that are not whole Parquet files
    (:func:`cut_shards`) and what to do; ``""`` where each one is whole at its ends."""
    cut = cut_shards(shards)
    if not cut:
        return ""
    n = len(cut)
    return (
        f"  DAMAGED: {n} of {_count(len(shards), 'shard')} {'is' if n == 1 else 'are'} no whole "
        f"Parquet file (truncated or corrupt; read_embeddings fails on "
        f"{'it' if n == 1 else 'them'}): {damaged_list(cut, 20)}. To recompute "
        f"{'it' if n == 1 else 'them'}, {recompute_advice(n)}; `eegpt info --verify` reads "
        "every shard through, for damage inside the data too"
    )


def has_checksums(shard: Path) -> bool:
    """Whether the page headers of ``shard`` hold checksums (its footer says so), or False
    where its footer cannot be read."""
    _, pq = require_pyarrow("reading embed-dataset shards")
    try:
        return CHECKSUMS_KEY.encode() in (pq.read_metadata(shard).metadata or {})
    except Exception:  # noqa: BLE001 - a damaged footer: damaged_shards names it
        return False


def recompute_advice(n: int) -> str:
    """How to have ``n`` damaged shards, named before, embedded again: a resumed run
    recomputes the shards that are missing."""
    them, shards = ("it", "that shard") if n == 1 else ("them", "those shards")
    return (
        f"delete {them} and run the same embed-dataset command again: it embeds the files of "
        f"{shards} again and keeps the other shards"
    )


def verify_report(folder: Path) -> tuple[str, bool]:
    """What ``eegpt info --verify`` adds for a run folder (or a folder of ``--part`` run
    folders): the shards whose data cannot be read, and how to have them recomputed; and
    whether every shard reads (else ``eegpt info`` exits 3)."""
    shards = [p for f in expand_run_folders(folder) for p in shard_files(f)]
    damaged = damaged_shards(shards)
    if not damaged:
        old = sum(not has_checksums(p) for p in shards)
        checked = (
            "checksums and values checked"
            if not old
            else "values checked, no checksums"
            if old == len(shards)
            else f"checksums and values checked; values only, no checksums, in {old} written "
            "before eegpt wrote checksums"
        )
        return (
            f"  verified: all {_count(len(shards), 'shard')} read through (every page): {checked}",
            True,
        )
    n = len(damaged)
    return (
        f"  DAMAGED: {n} of {_count(len(shards), 'shard')} cannot be read (truncated or "
        f"corrupt): {damaged_list(damaged, 20)}. To recompute {'it' if n == 1 else 'them'}, "
        f"{recompute_advice(n)}"
    ), False


#: What pyarrow's errors say of data it cannot read (a shard truncated or corrupt), as
#: opposed to a read asked wrongly (a filter on a column the shards lack).
_DAMAGE_WORDS = re.compile(
    r"magic bytes|corrupt|decompress|deserializ|thrift|truncat|end of (?:file|stream)|"
    r"page header|could not open parquet|is this a 'parquet' file|out of bounds|"
    r"snappy|zstd|lz4|gzip|brotli|checksum|crc",
    re.IGNORECASE,
)


def _damaged_shard_error(output_dir: Any, err: BaseException) -> Exception | None:
    """The error for a read of ``output_dir`` (as :func:`read_embeddings` takes it) that
    pyarrow failed with ``err``: naming a shard that cannot be read and how to have it
    recomputed; None when ``err`` does not say the data are unreadable (:data:`_DAMAGE_WORDS`)
    or every shard reads. The shards are read through only then, each folder's up to the
    first damaged one (a shard the error names first)."""
    from eegpt.errors import EEGPTError, UnreadableShardError

    pa = sys.modules.get("pyarrow")  # imported where pyarrow raised it
    ours = isinstance(err, EEGPTError) or (isinstance(err, OSError) and type(err) is not OSError)
    if ours or pa is None or not isinstance(err, (OSError, pa.ArrowException)):
        return None
    if not _DAMAGE_WORDS.search(str(err)):
        return None
    damaged: list[tuple[Path, str]] = []
    unchecked: list[Path] = []  # folders with shards left unread after a damaged one
    for folder in (f for f in expand_run_folders(output_dir) if f.is_dir()):
        shards = shard_files(folder)
        shards.sort(key=lambda p: str(p) not in str(err))  # the one the error names first
        found = damaged_shards(shards, first=True)
        damaged += found
        if found and found[0][0] != shards[-1]:
            unchecked.append(folder)
    if not damaged:
        return None
    them = "it" if len(damaged) == 1 else "them"
    others = (
        f"; the shards of {few([str(f) for f in unchecked], 3)} after the first damaged one "
        f"were not read: `eegpt info --verify FOLDER` reads every shard"
        if unchecked
        else ""
    )
    return UnreadableShardError(
        f"read_embeddings: {_count(len(damaged), 'shard')} cannot be read (truncated or "
        f"corrupt): {damaged_list(damaged)}. To recompute {them}, "
        f"{recompute_advice(len(damaged))}{others}",
        [str(p) for p, _ in damaged],
    )


def damaged_list(damaged: Sequence[tuple[Path, str]], limit: int = 5) -> str:
    """``"PATH (reason); PATH (reason) and 3 more"``: damaged shards for messages."""
    return few([f"{p} ({why.rstrip('.')})" for p, why in damaged], limit)


def _warn_if_unfinished(output_dir: Path, n_written: int) -> None:
    """Warn when a run folder holds fewer shards than its run planned (stopped, failed or
    still running): the rows of the files of the missing shards are not there."""
    try:
        planned = int(json.loads((output_dir / MANIFEST).read_text())["n_shards"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    if n_written < planned:
        _warn(
            f"{output_dir} holds {n_written} of the {planned} shards its run planned (stopped, "
            "or still running): the windows of the files in the other shards are missing. "
            "Run the same embed-dataset command again to finish it; `eegpt info "
            f"{output_dir}` lists the files pending."
        )


class _Absent:
    """A key one of two specs lacks."""

    def __repr__(self) -> str:
        return "not given"


_ABSENT = _Absent()


#: Entries of a run spec that record provenance only, left out of :func:`spec_differences`:
#: ``checkpoint.stored_dtype`` (the dtype the weights file stores, e.g. ``"float16"``, upcast
#: when loaded) changes with the file, so ``checkpoint.sha256`` already tells such weights
#: apart; runs from before it was recorded lack it and still resume.
_PROVENANCE_ONLY = frozenset({"checkpoint.stored_dtype"})


def spec_differences(old: Mapping[str, Any], new: Mapping[str, Any], path: str = "") -> list[str]:
    """The settings that differ between two run specs ``old`` and ``new``, each as its dotted
    key (with both values, ``"key (a -> b)"``, when they are short); [] when they describe the
    same run. ``path`` is where the two sit in a whole spec (e.g. ``"preprocessing."``).
    Entries of :data:`_PROVENANCE_ONLY` are not compared."""
    # A key absent from one spec counts as None (keys added by later versions), except in the
    # channel renames, where {"T3": None} (drop T3) is not {}, and in the preprocessing, whose
    # fields recorded only when set (detrend) take the values a stored spec means by their
    # absence.
    absent = _ABSENT if path == "channels.rename." else None
    one_sided = set(old) ^ set(new)
    defaults = stored_defaults() if path == "preprocessing." and one_sided else {}
    out = []
    for key in sorted(set(old) | set(new)):
        if f"{path}{key}" in _PROVENANCE_ONLY:
            continue
        a, b = old.get(key, defaults.get(key, absent)), new.get(key, defaults.get(key, absent))
        if isinstance(a, dict) and isinstance(b, dict):
            out += [f"{key}.{d}" for d in spec_differences(a, b, f"{path}{key}.")]
        elif a != b:
            if isinstance(a, bool) and b is None:  # options recorded only when on
                b = False
            elif isinstance(b, bool) and a is None:
                a = False
            out.append(f"{key} ({a!r} -> {b!r})" if len(repr(a)) + len(repr(b)) < 200 else key)
    return out


def _flat_filters(filters: Any) -> list[Any]:
    """The (column, op, value) tuples of pandas-style filters (a list of them, or a list of
    such lists, any of which may hold)."""
    flat: list[Any] = []
    for item in filters:
        if isinstance(item, (list, tuple)) and item and isinstance(item[0], (list, tuple)):
            flat.extend(item)
        elif isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
            flat.append(item)
    return flat


@overload
def read_embeddings(
    output_dir: str | os.PathLike | Sequence[str | os.PathLike],
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
    output_dir: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    columns: Sequence[str] | None = ...,
    filters: Any = ...,
    expand_metadata: bool = ...,
    embeddings: bool,
    allow_mixed: bool = ...,
    recursive: bool = ...,
) -> tuple[pd.DataFrame, np.ndarray | None]: ...


def read_embeddings(
    output_dir: str | os.PathLike | Sequence[str | os.PathLike],
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

    ``pandas.read_parquet(output_dir)`` gives the same rows with ``embedding`` as arrays of
    objects; this returns the embeddings as one contiguous float32 array instead.

    Parameters
    ----------
    output_dir : path-like | sequence of path-like
        A folder written by :func:`embed_dataset`, or several: the parts of one corpus run on
        several hosts, one folder each, or a run and the files it skipped as too short embedded
        with ``--tail pad``. A folder of run folders (``-o out/part-K`` of ``--part`` runs)
        stands for those, alone or in a sequence. Their settings (model, checkpoint, preprocessing but ``--rescale``
        and ``--tail``, precision, pooling, the channel set of ``keep``/``--keep-channels``) must
        agree, no file may be in two and no recording
        id name two files; a column
        typed differently by the parts' manifests (all empty in one, numbers in one and text
        in another) is read as text.

        Or per-recording outputs (``.npz``/``.parquet`` of ``eegpt embed``,
        :meth:`Embeddings.save`: one job per recording, e.g. in Snakemake): a list of such
        files, a folder holding them (right inside it, in name order; its whole tree with
        ``recursive``), or a list of such folders. Their rows come in the order given (a folder's files by name), each file's
        in window order, with the columns of a run's shards (``recording_id`` is the output
        file, as given or the folder joined with its name; ``path`` the recording it was
        embedded from) and the per-window flags of :attr:`eegpt.Embeddings.flagged`
        (``flat_channels``, ``clipped_channels``, ``flagged``, and ``flags_recorded``: False
        for a file without them, whose rows get empty lists and ``flagged`` False; a
        warning names such files read beside files with them; a run folder's rows have
        them too, from its shards' columns: none in runs started before the shards held
        them, flags_recorded False there and for epochs). They must have been embedded
        alike: the same encoder weights (``checkpoint.weights_sha256``, else the file's
        ``sha256``), model, preprocessing (but ``scale``, ``--rescale``, and ``tail``),
        precision, pooling and embedding shape; their channel sets may differ (a warning says
        so, as for a run).
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
        One row per window, without the ``embedding`` column.
    embeddings : ndarray of float32, shape (n_rows, *embedding_shape) | None
        ``embedding_shape`` is ``[N, S, D]``, or ``[D]`` for ``pool="mean"``; None with
        ``embeddings=False``.

    Raises
    ------
    eegpt.errors.UnreadableShardError
        (an ``OSError``) A shard that cannot be read (truncated, or corrupt inside its data):
        the message names it and how to have it recomputed; pyarrow's error is chained.
    eegpt.errors.UnreadableOutputError
        (a ``ValueError``) A per-recording output that cannot be read (empty, truncated).
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
        that another's rows have: embedded from a manifest without them.
    """
    from eegpt.outputs_read import output_files

    files = output_files(output_dir, recursive=recursive)
    if files is not None:
        return _read_output_files(files, columns, filters, expand_metadata, embeddings, allow_mixed)
    if allow_mixed:
        raise ValueError(
            "read_embeddings: allow_mixed applies to per-recording outputs (eegpt embed); "
            "embed-dataset folders of other settings cannot be read together"
        )
    try:
        return _read_embeddings(output_dir, columns, filters, expand_metadata, embeddings)
    except (OSError, ValueError) as err:
        damaged = _damaged_shard_error(output_dir, err)
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
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """:func:`read_embeddings` of per-recording outputs ``files`` (each with the text naming it:
    :func:`eegpt.outputs_read.output_files`)."""
    from eegpt.outputs_read import read_outputs

    table, emb, sets = read_outputs(files, filters, embeddings, allow_mixed)  # sets: per file
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
    ids_only = (
        (filters is not None or flags_by_id)
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
            table, emb = _rows_and_embeddings(dataset, read, filters, spec["embedding_shape"])
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
    names = [*names, *(c for c in FLAG_COLUMNS if c not in names)]
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
        source = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["source"]
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


def recorded_copies(statuses: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """The embedded recordings (file statuses ``ok``, as shard footers and ``_files.csv``
    hold them) that are copies of one another by what their statuses record: the same total
    size of their files (``source_bytes``) and content fingerprint (``source_fingerprint``,
    ``source_sha256`` of earlier runs: a SHA-256 of each file's size and first and last MiB,
    :func:`eegpt.dataset_stamps._fingerprint`), of the same stamp version. Nothing is read
    again. Each group lists the statuses in the order given, the first one first; recordings
    without a fingerprint (a recording folder such as EGI ``.mff``) are not compared."""
    groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
    for status in statuses:
        digest = status.get("source_fingerprint") or status.get("source_sha256")
        if status.get("status") != "ok" or not digest or status.get("source_bytes") is None:
            continue
        key = (status.get("stamp_version"), int(status["source_bytes"]), digest)
        groups.setdefault(key, []).append(status)
    return [group for group in groups.values() if len(group) > 1]


def copies_text(
    groups: Sequence[Sequence[Mapping[str, Any]]], subjects: Mapping[str, Any] | None = None
) -> str:
    """The recordings of :func:`recorded_copies`' groups, for a warning: each copy's
    ``recording_id`` (its path, and its subject: ``subjects[recording_id]``, a manifest's
    subject column, else where the path names one, BIDS ``sub-LABEL``,
    :func:`eegpt._filenames.subject_of`) after that of the recording it copies."""

    def subject(status: Mapping[str, Any]) -> Any:
        given = (subjects or {}).get(str(status.get("recording_id")))
        return given if given is not None else subject_of(str(status.get("path", "")))

    def named(status: Mapping[str, Any]) -> str:
        path, who = str(status.get("path", "")), subject(status)
        where = f"{path}, subject {who}" if who is not None else path
        return f"{status.get('recording_id')!r} ({where})"

    pairs = [f"{named(copy)} = {named(group[0])}" for group in groups for copy in group[1:]]
    apart = any(len({str(subject(s)) for s in group} - {"None"}) > 1 for group in groups)
    return (
        f"{_count(len(pairs), 'recording')} {'is a copy' if len(pairs) == 1 else 'are copies'} "
        "of another (the same size and content fingerprint of their files: a SHA-256 of each "
        f"one's size and first and last MiB): {few(pairs, 5)}; their windows are the same rows "
        "under two recording ids"
        + (
            ", and two subjects: a leak between training and test data split by subject"
            if apart
            else ", which a split by recording puts apart (a leak between training and test data)"
        )
        + ". Leave out all but one of each (filters=[('recording_id', 'not in', [...])]), or "
        "find out which subject the recording is of"
    )


def _warn_copies(
    shard_statuses: Sequence[Mapping[str, Any]], ids: set[str] | None, frame: Any
) -> None:
    """Warn of the recordings read (``ids``; None: all) that are copies of one another by
    their file statuses in the shards' footers (``shard_statuses``: each shard's
    ``eegpt_shard``, :func:`read_shard_status`; :func:`recorded_copies`), each with its
    subject where the rows read (``frame``) have a subject column (a manifest's)."""
    statuses = [
        status
        for shard_status in shard_statuses
        for status in shard_status.get("files") or []
        if ids is None or status.get("recording_id") in ids
    ]
    groups = recorded_copies(statuses)
    if not groups:
        return
    column = subject_column(frame.columns)
    subjects = None
    if column is not None and "recording_id" in frame.columns:
        pairs = frame[["recording_id", column]].dropna().drop_duplicates("recording_id")
        subjects = dict(zip(pairs["recording_id"], pairs[column], strict=True))
    _warn(f"read_embeddings: {copies_text(groups, subjects)}")


#: String id columns whose ``==``/``in`` filters say when a value is stored in another Unicode
#: normalisation (:func:`_warn_other_normalisation`).
NORMALISED_ID_COLUMNS = ("recording_id", "path")


def _label_key(column: str, value: str) -> str:
    """A BIDS entity label (of the entity ``column``: ``subject``, ``session`` ...) as the
    command line's ``--subject``/``--session``/``--run`` compare it: without the file name's
    key (``sub-01`` is ``01``) and a number without its leading zeros (``01`` is ``1``)."""
    from eegpt.bids import _KEYS

    text = value.strip().removeprefix(f"{_KEYS[column]}-")
    return str(int(text)) if text.isascii() and text.isdigit() else text


def _stored_labels(dataset: Any, column: str) -> list[str]:
    """The distinct non-null values of the text column ``column`` of ``dataset`` (reading that
    column alone), numbers first in numeric order, then the rest as text."""
    values = dataset.to_table(columns=[column]).column(column).unique().to_pylist()
    texts = {str(v) for v in values if v is not None}
    return sorted(texts, key=lambda t: (not (t.isascii() and t.isdigit()), len(t), t))


def _meant_labels(column: str, value: str, stored: Sequence[str]) -> list[str]:
    """The ``stored`` labels of the BIDS entity ``column`` that ``value`` names as the command
    line reads a label (:func:`_label_key`: ``sub-01`` is ``01``, ``1`` is ``01``)."""
    key = _label_key(column, value)
    return [label for label in stored if _label_key(column, label) == key]


def _check_text_filters(dataset: Any, flat: Sequence[Any]) -> None:
    """Refuse a filter that compares a text column with a number (``("run", "==", 1)``), which
    pyarrow cannot compare (``ArrowNotImplementedError``), saying the value to give instead
    for ``==``, ``!=``, ``in``, ``not in``; for ``<``, ``<=``, ``>``, ``>=`` no text value
    would do (text orders '9' after '30'): the message says to convert in pandas instead.

    Raises
    ------
    TypeError
        If a filter value (or one of an ``in`` list) is a number or boolean and its column
        holds text; the message names the stored labels of a BIDS entity column.
    """
    import numbers

    import pyarrow as pa

    from eegpt.bids import BIDS_FILTERS

    for item in flat:
        if len(item) != 3 or item[0] not in dataset.schema.names:
            continue
        kind = dataset.schema.field(item[0]).type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        column, op, given = item
        values = list(given) if op in ("in", "not in") and not isinstance(given, str) else [given]
        numbers_given = [v for v in values if isinstance(v, numbers.Number)]
        if not numbers_given:
            continue
        entity = column in BIDS_FILTERS
        stored = _stored_labels(dataset, column)
        texts = []
        for v in values:
            text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)  # 1.0
            meant = _meant_labels(column, text, stored) if entity else []
            texts.append(v if isinstance(v, str) else meant[0] if meant else text)
        shown = texts if op in ("in", "not in") else texts[0]
        what = (
            f"BIDS labels are stored as text: {', '.join(map(repr, stored[:4]))}"
            + (f" and {len(stored) - 4} more" if len(stored) > 4 else "")
            if entity
            else f"e.g. {', '.join(map(repr, stored[:3]))}"
        )
        said = (
            f"read_embeddings: column {column!r} holds text ({what}), which a filter cannot "
            f"compare with the number {numbers_given[0]!r}"
        )
        if op in ("<", "<=", ">", ">="):  # a text value would order as text: '9' > '30'
            raise TypeError(
                f"{said}; ordering compares text ('9' > '30', '100' < '30'), so read without "
                f"that filter and compare numbers in pandas, e.g. "
                f"table[pd.to_numeric(table[{column!r}], errors='coerce') {op} {given!r}]"
            )
        raise TypeError(f"{said}; filter with ({column!r}, {op!r}, {shown!r})")


def _warn_other_normalisation(dataset: Any, flat: Sequence[Any], found: Any) -> None:
    """Warn for each ``==``/``in`` filter value that selects no row but names one in another
    spelling, which the filter silently misses: of an id column (:data:`NORMALISED_ID_COLUMNS`)
    stored in another Unicode normalisation (NFD, as macOS writes file names, against NFC as
    typed on Linux), and of a BIDS entity column (``subject``, ``session``, ``task``,
    ``acquisition``, ``run``: :data:`eegpt.bids.BIDS_FILTERS`) any value no row has, naming the
    labels stored and the one the command line's ``--session``... would take it for
    (:func:`_meant_labels`: ``sub-01`` is ``01``, ``1`` is ``01``). The filter is not widened.
    Only values that the rows read (``found``, a table) lack are looked up (reading that
    column alone), of an id column only those with non-ASCII characters."""
    import unicodedata

    from eegpt.bids import BIDS_FILTERS

    names = dataset.schema.names
    asked: dict[str, list[str]] = {}
    for item in flat:
        if (
            len(item) != 3
            or item[0] not in (*NORMALISED_ID_COLUMNS, *BIDS_FILTERS)
            or item[0] not in names
            or item[1] not in ("==", "=", "in")
        ):
            continue
        values = [item[2]] if item[1] != "in" else list(item[2])
        entity = item[0] in BIDS_FILTERS
        odd = [v for v in values if isinstance(v, str) and (entity or not v.isascii())]
        if odd and item[0] in found.column_names:  # values the rows read have were stored
            read = set(found.column(item[0]).unique().to_pylist())
            odd = [v for v in odd if v not in read]
        asked.setdefault(item[0], []).extend(odd)
    for column, values in asked.items():
        if not values:
            continue
        if column in BIDS_FILTERS:
            _warn_entity_labels(column, list(dict.fromkeys(values)), dataset)
            continue
        stored = set(dataset.to_table(columns=[column]).column(column).unique().to_pylist())
        by_nfc: dict[str, list[str]] = {}
        for value in stored:
            if isinstance(value, str):
                by_nfc.setdefault(unicodedata.normalize("NFC", value), []).append(value)
        for value in dict.fromkeys(values):
            if value in stored:
                continue
            same = sorted(by_nfc.get(unicodedata.normalize("NFC", value), []))
            if same:
                _warn(
                    f"read_embeddings: no row has {column} {ascii(value)}, but "
                    f"{' and '.join(ascii(v) for v in same)} differ{'s' if len(same) == 1 else ''} "
                    "from it only in Unicode normalisation (they look the same; names from a Mac "
                    f"are NFD), so the filter selects none of its rows. Filter on the stored "
                    f"spelling: filters=[({column!r}, '==', {ascii(same[0])})] (or list both "
                    f"spellings with 'in'), or read the {column} column and compare "
                    "unicodedata.normalize('NFC', ...) of both"
                )


def _warn_entity_labels(column: str, values: Sequence[str], dataset: Any) -> None:
    """Warn for each of ``values`` (filter values of the BIDS entity ``column``) that no row of
    ``dataset`` has, naming the labels stored and the one it was likely meant as."""
    from eegpt.bids import _KEYS

    stored = _stored_labels(dataset, column)
    for value in values:
        if value in stored:
            continue
        meant = _meant_labels(column, value, stored)
        listed = few([repr(s) for s in stored], 8) if stored else "none (all missing)"
        guess = f"; did you mean {' or '.join(map(repr, meant))}?" if meant else "."
        _warn(
            f"read_embeddings: {column} {value!r} matches no row, so the filter selects none "
            f"for it; the stored {column} labels are {listed} (BIDS labels as the file names "
            f"write them, as text, without '{_KEYS[column]}-'){guess} The filter compares the "
            "text as given (unlike --subject/--session/--run of embed-dataset)"
        )


def _channel_sets_of(folders: Sequence[Path]) -> dict[str, tuple[str, ...]]:
    """Each embedded recording's channels (vocabulary names, sorted), by recording id, as the
    folders' :data:`FILES_REPORT` lists them; the recordings of a folder without a readable
    one are absent."""
    sets: dict[str, tuple[str, ...]] = {}
    for folder in folders:
        try:
            with open(folder / FILES_REPORT, newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("status") == "ok" and row.get("channels"):
                        sets[row["recording_id"]] = tuple(sorted(row["channels"].split(" | ")))
        except (OSError, KeyError, csv.Error, UnicodeDecodeError):
            continue
    return sets


def keep_of_runs(specs: Iterable[Mapping[str, Any]]) -> bool | None:
    """Whether the runs of ``specs`` (their ``channels.keep``) restricted the channels to one
    set (``--keep-channels``): True or False where all did alike, None where some did and
    some did not (for :func:`channel_sets_advice`)."""
    keeps = {bool((spec.get("channels") or {}).get("keep")) for spec in specs}
    return None if len(keeps) > 1 else bool(keeps and keeps.pop())


def channel_sets_advice(keep: bool | None) -> str:
    """Why files embedded together may use different channel sets, and what to do: without
    ``keep`` (``--keep-channels``), a rename that missed a file's spelling, and the option;
    with it, the channels to keep that a file left out or lacks (the option is in use);
    ``None`` (runs with and without it, :func:`keep_of_runs`): both, each for its runs."""
    if keep is None:
        without, kept = channel_sets_advice(False), channel_sets_advice(True)
        return (
            "The runs differ in --keep-channels. Of those without it: "
            f"{without[0].lower()}{without[1:]}. Of those with it: {kept[0].lower()}{kept[1:]}"
        )
    if not keep:
        return (
            "A --rename that missed a file's spelling? To give every file the same set: "
            "--keep-channels 10-20 (or NAMES; keep= in Python)"
        )
    return (
        "The channels to keep were one set (--keep-channels, keep=): a file uses fewer where "
        "some of them are marked bad (info['bads'], the manifest's bads column, a BIDS "
        "channels.tsv), dropped (--drop), or absent from it; each file's warnings (column "
        f"'warnings' of {FILES_REPORT}) say which"
    )


def channel_set_apart(names: Sequence[str], most: set[str]) -> str:
    """What sets the channel set ``names`` apart from the most common set ``most``:
    ``"without T7, with X1"``."""
    without, extra = sorted(most - set(names)), sorted(set(names) - most)
    return ", ".join(
        [
            *([f"without {few(without, 8)}"] if without else []),
            *([f"with {few(extra, 8)}"] if extra else []),
        ]  # fmt: skip
    )


def _warn_channel_sets(folders: Sequence[Path], ids: set[str] | None, keep: bool) -> None:
    """Warn once when the recordings read (``ids``; None: all of the folders') were embedded
    with different channel sets, naming each set and how many recordings have it: their
    embeddings are not directly comparable. ``keep``: the runs restricted the channels to one
    set (``channels.keep``), so the advice is about files that used fewer of them."""
    _warn_differing_channel_sets(_channel_sets_of(folders), ids, keep)


def _warn_differing_channel_sets(
    sets: Mapping[str, tuple[str, ...]], ids: set[str] | None, keep: bool
) -> None:
    """:func:`_warn_channel_sets` of the channel sets ``sets`` (each recording's, sorted, by
    recording id)."""
    listed = channel_sets_text(sets, ids)
    if listed:
        _warn(
            f"read_embeddings: the recordings read were embedded with {listed}. "
            + channel_sets_advice(keep)
            + "."
        )


def channel_sets_text(sets: Mapping[str, tuple[str, ...]], ids: set[str] | None = None) -> str:
    """``"2 different channel sets: 9 recordings with 28 channels (C3, ...); 7 recordings with
    19 channels (without CP1, ...). Embeddings of different channel sets are not directly
    comparable (...)"``: the channel sets of the recordings ``ids`` (None: all) of ``sets``
    (each recording's channels, sorted, by recording id: :func:`_channel_sets_of`), most
    recordings first, each after the first by what sets it apart from it; "" for one set."""
    counts: dict[tuple[str, ...], int] = {}
    for recording_id, names in sets.items():
        if ids is None or recording_id in ids:
            counts[names] = counts.get(names, 0) + 1
    if len(counts) < 2:
        return ""
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    most = set(ranked[0][0])  # the others said by what sets them apart from it
    listed = "; ".join(
        f"{_count(n, 'recording')} with {_count(len(names), 'channel')} ("
        + (few(list(names), 6) if k == 0 else channel_set_apart(names, most))
        + ")"
        for k, (names, n) in enumerate(ranked[:4])
    ) + (f"; and {len(ranked) - 4} more sets" if len(ranked) > 4 else "")
    return (
        f"{len(counts)} different channel sets: {listed}. Embeddings of different channel sets "
        "are not directly comparable (the model sees other electrodes, and the average "
        "reference runs over other ones)"
    )


def _rows_and_embeddings(
    dataset: Any, read: list[str], filters: Any, shape: Sequence[int]
) -> tuple[Any, np.ndarray]:
    """The columns ``read`` of the rows ``filters`` selects (a pyarrow Table) and their
    embeddings ``[n_rows, *shape]`` (float32), copied batch by batch into one array made to
    size: the embeddings are held once, not also as an Arrow table and its combined copy."""
    import pyarrow as pa

    n = dataset.count_rows(filter=filters)
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


def expand_run_folders(
    output_dir: str | os.PathLike | Sequence[str | os.PathLike],
) -> list[Path]:
    """The run folders ``output_dir`` names: a folder, or each of a sequence of them, with a
    folder of run folders (the parents of ``--part`` runs) replaced by those, in name order."""
    given = [output_dir] if isinstance(output_dir, (str, os.PathLike)) else list(output_dir)
    return [p for g in given for p in (run_folders(user_path(g)) or [user_path(g)])]


def run_folders(folder: Path) -> list[Path]:
    """The embed-dataset output folders right inside ``folder`` (the parts of a corpus run
    as one job per part, ``--part``), in name order; none when ``folder`` is one itself."""
    if not folder.is_dir() or (folder / MANIFEST).is_file() or shard_files(folder):
        return []
    return sorted(p for p in folder.iterdir() if (p / MANIFEST).is_file())


def missing_parts(inputs: Sequence[Mapping[str, Any]]) -> tuple[int, list[int]]:
    """``(parts with files, the missing ones among them)`` of ``--part K/N`` runs, from their
    specs' ``inputs`` (one N): parts ``K >= `` the corpus's files hold none and are not
    missing."""
    parts = [i["part"] for i in inputs if i.get("part")]
    n = int(parts[0][1])
    totals = [int(i["corpus_files"]) for i in inputs if i.get("corpus_files") is not None]
    with_files = min([*totals, n])
    return with_files, sorted(set(range(with_files)) - {int(k) for k, _ in parts})


def _warn_missing_parts(folders: Sequence[Path], specs: Sequence[dict[str, Any]]) -> None:
    """Warn when the folders read are ``--part K/N`` runs and some of the N parts of a
    corpus are not among them (a job that never started, or a folder elsewhere)."""
    parts = [(f, spec.get("inputs") or {}) for f, spec in zip(folders, specs, strict=True)]
    for group in corpora_of_parts(parts):
        _warn_missing_parts_of([{"inputs": i} for _, i in group])


def _warn_missing_parts_of(specs: Sequence[dict[str, Any]]) -> None:
    """:func:`_warn_missing_parts` of the parts of one corpus."""
    parts = [(spec.get("inputs") or {}).get("part") for spec in specs]
    counts = {n for _, n in filter(None, parts)}
    if not counts:
        return
    if len(counts) > 1:
        _warn(f"the folders read are parts of runs split into {sorted(counts)} parts: one run's?")
        return
    with_files, missing = missing_parts([spec.get("inputs") or {} for spec in specs])
    if missing:
        which = "part" if len(missing) == 1 else "parts"
        _warn(
            f"the folders read hold {with_files - len(missing)} of the {with_files} parts of a "
            f"--part run that have files: {which} {few([str(k) for k in missing], 10)} "
            f"{'is' if len(missing) == 1 else 'are'} missing (their files' rows are not in the "
            "table); run their jobs, or give their folders too"
        )


class DelimitedTable(NamedTuple):
    """What :func:`read_delimited_table` read of a ``.csv``/``.tsv`` table."""

    #: The table (pyarrow), with values as written (:func:`read_delimited`).
    table: Any
    #: The delimiter it was read with (:func:`csv_delimiter` of the bytes read): ``","``,
    #: ``";"`` or a tab.
    delimiter: str
    #: The columns of numbers kept as text since a cell has a leading zero (``007``), each
    #: with its first such cell: ``{name: (row after the header line from 0, cell)}``.
    kept_as_text: dict[str, tuple[int, str]]


def read_delimited(path: Path) -> Any:
    """:func:`read_delimited_table`'s table."""
    return read_delimited_table(path).table


def read_delimited_table(path: Path) -> DelimitedTable:
    """A ``.csv`` (or tab-separated ``.tsv``) table as pyarrow reads it, with values as written:
    empty cells (and ``n/a``, ``NA`` ...) missing in text columns too, and numbers with leading
    zeros (subject ``001``) kept as text. A ``.csv`` whose header line has ``;`` and no ``,``
    is read as ``;``-separated (:func:`csv_delimiter`: German Excel's CSV), its cells as
    written (a decimal comma such as ``72,5`` stays text; the manifest's ``rescale`` column
    reads it as a number).

    Raises
    ------
    ValueError
        If the file is not UTF-8 text (with or without a BOM) nor UTF-16 with a BOM (Excel's
        "Unicode Text", decoded: :func:`eegpt.text_tables.table_text`), naming its first line
        that is not and how to convert it, or if it
        cannot be parsed as a table (naming the file and the delimiter it was read with).
    """
    pa, _ = require_pyarrow("reading a .csv/.tsv table (a manifest, participants.tsv)")
    from pyarrow import csv as pacsv

    # a table of files: small beside the recordings it lists; UTF-16 decoded, not UTF-8 refused
    data = utf8_table_bytes(path, path.read_bytes())
    delimiter = csv_delimiter(path, data)
    if delimiter == ";":
        _log(f"{path}: read as ';'-separated (its header line has ';' and no ',')")
    parse = pacsv.ParseOptions(delimiter=delimiter)

    def read(convert: Any) -> Any:
        try:
            return pacsv.read_csv(pa.BufferReader(data), parse_options=parse,
                                  convert_options=convert)  # fmt: skip
        except pa.ArrowInvalid as err:
            raise ValueError(
                f"{path} cannot be read as a table of {_DELIMITER_NAMES[delimiter]}-separated "
                f"cells: {err}. Give every row as many cells as the header line (quote cells "
                'that hold the delimiter: "a,b")'
            ) from err

    typed = read(pacsv.ConvertOptions(strings_can_be_null=True))
    text = read(pacsv.ConvertOptions(
        strings_can_be_null=True, column_types=dict.fromkeys(typed.column_names, pa.string())
    ))  # fmt: skip
    columns: dict[str, Any] = {}
    kept_as_text: dict[str, tuple[int, str]] = {}
    for name in typed.column_names:
        columns[name], zero = _as_written(typed.column(name), text.column(name))
        if zero is not None:
            kept_as_text[name] = zero
    return DelimitedTable(pa.table(columns), delimiter, kept_as_text)


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def csv_delimiter(path: Path, data: bytes) -> str:
    """The delimiter :func:`read_delimited` reads ``path`` with: a tab for ``.tsv``; for a
    ``.csv``, ``;`` when its header line has ``;`` and no ``,`` (as Excel writes CSV where the
    decimal separator is a comma, in Germany and much of Europe), a tab when it has tabs and
    neither (Excel's "Unicode Text" saved as ``.csv``), else ``,``. ``data``: the file's
    text as UTF-8 bytes (:func:`eegpt.text_tables.utf8_table_bytes`), as read; the delimiter
    chosen is :attr:`DelimitedTable.delimiter`, for readers of the table."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    header = data.split(b"\n", 1)[0]
    if b"," in header:
        return ","
    return ";" if b";" in header else "\t" if b"\t" in header else ","


_LEADING_ZERO = re.compile(r"^[+-]?0\d")


def _as_written(typed: Any, text: Any) -> tuple[Any, tuple[int, str] | None]:
    """A CSV column as pyarrow typed it, unless that would change values as written: numbers
    with leading zeros (subject ``001``, BIDS-style ids) stay text; with the first such cell
    (its row from 0, and the cell) where they do, else None."""
    import pyarrow.types as pat

    if pat.is_integer(typed.type) or pat.is_floating(typed.type):
        for i, v in enumerate(text.to_pylist()):
            if v is not None and _LEADING_ZERO.match(v):
                return text, (i, v)
    return typed, None


def listed_ids(folder: Path) -> list[str] | None:
    """The recording ids of a part run's :data:`CORPUS_LISTING`; None without a readable one
    (a run from before it, or one being made)."""
    try:
        with open(folder / CORPUS_LISTING, newline="", encoding="utf-8") as fh:
            return [row["recording_id"] for row in csv.DictReader(fh)]
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return None


LIST_INPUTS = "<list>"  # the corpus identity of a list of files or a table given as inputs


def listed_paths(folder: Path) -> set[str] | None:
    """The paths of a part run's :data:`CORPUS_LISTING`; None without a readable one."""
    try:
        with open(folder / CORPUS_LISTING, newline="", encoding="utf-8") as fh:
            return {row["path"] for row in csv.DictReader(fh)}
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return None


def corpora_of_parts(
    parts: Sequence[tuple[Path, Mapping[str, Any]]],
) -> list[list[tuple[Path, Mapping[str, Any]]]]:
    """The ``--part`` runs among ``parts`` (each a run folder and its spec's ``inputs``), by
    corpus: runs of one corpus (:func:`_corpus_identity`; runs from before it was recorded
    count as one), of lists of files whose listings share a file, whose listings share a
    recording id (one corpus staged to another path per task), or split from one listing
    (a listing frozen in a manifest, given to the parts run again) are of one."""
    split = [(folder, i) for folder, i in parts if i.get("part")]
    if len({(i.get("corpus_sha256"), i.get("corpus_files")) for _, i in split}) < 2:
        return [split] if split else []  # one listing: one corpus, whatever its name
    if any(i.get("corpus") is None for _, i in split):  # a run from before it: as then, one
        return [split]
    groups: list[tuple[set[Any], list[int]]] = []  # what names each corpus, and its parts
    for n, (folder, inputs) in enumerate(split):
        corpus = inputs.get("corpus")
        if corpus == LIST_INPUTS:
            keys: set[Any] = {("path", p) for p in listed_paths(folder) or ()}
        else:
            keys = {("corpus", corpus)}
        keys |= {("id", i) for i in listed_ids(folder) or ()}  # the corpus at another path
        if inputs.get("corpus_sha256"):
            keys.add(("listing", inputs["corpus_sha256"]))
        members = [n]
        for other in [g for g in groups if not g[0].isdisjoint(keys)]:  # join those it names
            groups.remove(other)
            keys, members = keys | other[0], other[1] + members
        groups.append((keys, members))
    return [[split[n] for n in sorted(members)] for _, members in groups]


def listings_apart(parts: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    """ "" when the ``--part`` runs among ``parts`` (each a run folder and its spec's
    ``inputs``) were split from one listing of their corpus, each corpus apart (the parts of
    several corpora read together are no conflict); else which were split from which listing
    (by its count of files) and which to run again."""
    return "; ".join(filter(None, (_one_corpus_apart(group) for group in corpora_of_parts(parts))))


def _one_corpus_apart(split: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    """:func:`listings_apart` of the parts of one corpus."""
    by_sha = all(i.get("corpus_sha256") for _, i in split)  # runs from before it: the counts
    groups: dict[tuple[Any, Any], list[Path]] = {}
    for folder, i in split:
        key = (i.get("corpus_sha256") if by_sha else None, i.get("corpus_files"))
        groups.setdefault(key, []).append(folder)
    if len(groups) < 2:
        return ""
    folders = [f for f, _ in split]
    unique = len({f.name for f in folders}) == len(folders)

    def named(group: Sequence[Path]) -> str:
        return few([f.name if unique else str(f) for f in group], 10)

    listings = "; ".join(
        f"{named(group)} from one of {_count(n, 'file')}" for (_, n), group in groups.items()
    )
    kept, *others = sorted(groups.values(), key=len, reverse=True)
    frozen = kept[0] / CORPUS_LISTING
    on = f"{frozen} (a manifest of it)" if frozen.is_file() else "a manifest of that listing"
    return (
        f"the parts were split from different listings of their corpus (files added or "
        f"removed between their runs): {listings}. Such parts hold some files twice and miss "
        f"others. To keep the listing of {named(kept)}, delete "
        f"{named([f for group in others for f in group])} and run those parts again on {on} "
        "with the same --part (docs/corpus-scale.md, 'Plan for 10,000 hours')"
    )


#: Settings that may differ between the parts of one corpus: each part's own inputs, and the
#: channel corrections its files needed (every row records its channels).
_PART_SETTINGS = ("inputs", "shard_size", "format", "channels")


#: Settings (in :func:`spec_differences`' terms) that may differ too, as their rows compare:
#: a per-file ``--rescale`` correction, whether a last partial window is kept zero-padded
#: (``--tail``: the files a run skipped as too short, embedded into another folder), the
#: row layout (columns a folder of an older layout lacks are missing in its rows), and the
#: state markers made spans (``--marker-spans``) and the stim channels' events made
#: annotations (``--events-from-stim``): only the rows' annotations differ, not their
#: embeddings. A resumed run still refuses another of them (its own consistency).
_COMPARABLE_SETTINGS = (
    "preprocessing.scale",
    "preprocessing.tail",
    "layout",
    "marker_spans",
    "events_from_stim",
    "resample_revision",  # absent from runs of before it, whatever their resampler
)


def _compared_settings(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a run's ``spec`` that folders read together must share: all but
    :data:`_PART_SETTINGS`, and of the channel settings the set every file was restricted to
    (``channels.keep``, ``--keep-channels``; None without one), which the rows' channels
    do not tell apart from a file that happens to have those channels."""
    out = {k: v for k, v in spec.items() if k not in _PART_SETTINGS}
    out["channels"] = {"keep": (spec.get("channels") or {}).get("keep")}
    return out


def settings_apart(
    folders: Sequence[Path], specs: Sequence[Mapping[str, Any]]
) -> tuple[Path, list[str]] | None:
    """The first of run ``folders`` made with other settings than ``folders[0]`` (their
    ``specs``, in order: the settings :func:`_compared_settings` keeps, but those of
    :data:`_COMPARABLE_SETTINGS`), and the settings that differ (:func:`spec_differences`'
    entries: ``["channels.keep (['FP1', 'CZ'] -> None)"]`` for a run without
    ``--keep-channels`` beside one with it), or
    None where all agree: ``read_embeddings`` refuses to read such folders together
    (:func:`_check_parts`), and ``eegpt info`` of their folder says so."""
    first = _compared_settings(specs[0])
    for folder, spec in zip(folders[1:], specs[1:], strict=True):
        other = _compared_settings(spec)
        differ = [
            d for d in spec_differences(first, other) if not d.startswith(_COMPARABLE_SETTINGS)
        ]
        if differ:
            return folder, differ
    return None


def _check_parts(
    folders: Sequence[Path], specs: Sequence[dict[str, Any]], footers: Mapping[Path, Any]
) -> None:
    """Refuse run folders that are not parts of one corpus run: other settings (but those of
    ``_COMPARABLE_SETTINGS``: ``--rescale``, ``--tail``), a file embedded in two of them (under any id), or one id
    naming two embedded files. A file that failed (no rows) is no overlap: a part may hold the
    failed files of another embedded again with other settings. ``footers``: each shard's
    ``pyarrow.parquet.FileMetaData``."""
    apart = settings_apart(folders, specs)
    if apart is not None:
        folder, differ = apart
        raise ValueError(
            f"read_embeddings: {folder} was made with other settings than {folders[0]} "
            f"({', '.join(differ)}): its rows are not comparable; read them apart"
        )
    by_id: dict[str, tuple[Path, str]] = {}
    by_path: dict[str, Path] = {}
    for shard, footer in footers.items():  # file statuses: every file of a part, failed or not
        folder = shard.parent
        statuses = json.loads((footer.metadata or {}).get(b"eegpt_shard", b"{}"))
        for f in statuses.get("files", []):
            if f.get("status") != "ok":  # no rows of it here
                continue
            rid, path = f["recording_id"], f["path"]
            if path in by_path:
                raise ValueError(
                    f"read_embeddings: {by_path[path]} and {folder} both hold {path}: the "
                    "parts of one corpus must not overlap (the same files in two manifests, "
                    "or a folder and one of its subfolders?)"
                )
            if rid in by_id:
                raise ValueError(
                    f"read_embeddings: recording id {rid!r} names {by_id[rid][1]} in "
                    f"{by_id[rid][0]} and {path} in {folder}; ids must be unique across "
                    "the parts: run them from a common folder (--pattern selects a part), "
                    "or give the manifests a recording_id column"
                )
            by_path[path], by_id[rid] = folder, (folder, path)


def _common_schema(schemas: Sequence[Any]) -> Any:
    """One schema for shards whose manifest columns were typed apart: a column all empty in
    one part (null) takes the others' type; one typed differently elsewhere becomes text."""
    import pyarrow as pa

    fields: dict[str, list[Any]] = {}
    for schema in schemas:
        for f in schema:
            fields.setdefault(f.name, []).append(f.type)
    out = []
    for name, types in fields.items():
        kinds = {t for t in types if not pa.types.is_null(t)}
        kind = kinds.pop() if len(kinds) == 1 else pa.null() if not kinds else pa.string()
        out.append(pa.field(name, kind))
    return pa.schema(out, metadata=schemas[0].metadata)


def _retyped(schema: Any, schemas: Sequence[Any]) -> set[str]:
    """Columns of the common ``schema`` some part's schema types otherwise (not as null)."""
    import pyarrow as pa

    return {
        f.name
        for s in schemas
        for f in s
        if not pa.types.is_null(f.type) and f.type != schema.field(f.name).type
    }


def _nullable_frame(table: Any) -> Any:
    """``table.to_pandas()``, with integer and boolean columns that have missing values as
    pandas' nullable ``Int64`` / ``boolean`` (manifest columns with gaps; pandas would make
    floats and objects of them)."""
    import pyarrow as pa

    pd = require_pandas("read_embeddings")

    frame = table.to_pandas()
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if column.null_count and (pa.types.is_integer(kind) or pa.types.is_boolean(kind)):
            nullable = pd.BooleanDtype() if pa.types.is_boolean(kind) else pd.Int64Dtype()
            frame[name] = column.to_pandas(types_mapper={kind: nullable}.get).to_numpy()
            frame[name] = frame[name].astype(nullable)
    return frame


def expand_metadata_column(frame: Any, schema_names: Sequence[str]) -> Any:
    """``frame`` with its ``epochs_metadata`` JSON column as one column per name; a name of a
    column of the shards (``schema_names``, selected or not) gets a ``metadata_`` prefix, so a
    column's name means the same whatever is selected. A name whose values are all JSON
    integers becomes a nullable ``Int64`` column (rows without it are missing)."""
    pd = require_pandas("read_embeddings")

    records = [json.loads(t) if isinstance(t, str) else {} for t in frame["epochs_metadata"]]
    wide = pd.DataFrame.from_records(records, index=frame.index)
    for name in wide.columns:
        values = [r[name] for r in records if r.get(name) is not None]
        ints = values and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        if ints and wide[name].dtype.kind == "f":  # integers with gaps: pandas made floats
            wide[name] = pd.array([r.get(name) for r in records], dtype="Int64")
    rest = frame.drop(columns="epochs_metadata")
    own = set(schema_names) | set(RESERVED_COLUMNS)
    renames = clash_renames(wide.columns, own, own | set(rest.columns) | set(wide.columns))
    return pd.concat([rest, wide.rename(columns=renames)], axis=1)
