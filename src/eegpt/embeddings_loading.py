"""Outputs read back as :class:`~eegpt.outputs.Embeddings` (:func:`load_embeddings`): one
``.npz``/``.parquet`` file of ``eegpt embed``, with its checks and messages, or the same
without its embeddings (``_load_outline``, what ``eegpt info`` reads); one recording of an
``embed-dataset`` run's folder, or of the run folders of a ``--part`` run. Imports neither
torch nor MNE nor SciPy."""

from __future__ import annotations

import json
import math
import os
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._filenames import user_path
from eegpt._logging import ignored_warnings as _ignored_warnings
from eegpt._recording_provenance import RECORDING_PROVENANCE_KEYS
from eegpt._window_flags import FLAG_KEYS
from eegpt.clock_times import _TIME_BASE
from eegpt.dataset_folders import RUN_MANIFEST, files_reports_read_once
from eegpt.embeddings_writer import LATE_METADATA_KEY
from eegpt.errors import MissingFileError, UnreadableOutputError
from eegpt.memory_checks import check_embeddings_memory
from eegpt.optional_packages import require_pyarrow
from eegpt.output_files import FORMATS, output_format

if TYPE_CHECKING:
    from eegpt.outputs import Embeddings

__all__ = ["EmbeddingsFile", "load_embeddings"]


def load_embeddings(
    path: str | os.PathLike | Sequence[str | os.PathLike], recording_id: str | None = None
) -> Embeddings:
    """Read a file written by :meth:`eegpt.outputs.Embeddings.save`, or one recording of a folder written
    by :func:`eegpt.embed_dataset`, e.g. to plot it.

    Parameters
    ----------
    path : str | path-like | sequence of path-like
        An ``.npz`` or ``.parquet`` file of one recording (``eegpt embed``,
        :meth:`eegpt.outputs.Embeddings.save`, :func:`eegpt.embed_to_file`), or an ``embed-dataset``
        output folder: a run's, a folder of ``--part`` run folders, or (with
        ``recording_id``) several, as :func:`eegpt.read_embeddings` reads them together and
        with its checks (parts of one listing, no file in two).
    recording_id : str | None
        For a folder: the recording to read, by its id in the run (the ``recording_id``
        column; its path relative to the input folder, or the manifest's id).

    Returns
    -------
    Embeddings
        ``data`` of shape (n_windows, N, S, D); a run that stored mean-pooled vectors
        (``--pool mean``) gives (n_windows, 1, 1, D), with ``metadata["pool"] == "mean"``.

    Raises
    ------
    MissingFileError
        (a ``FileNotFoundError``) No file or folder at ``path``.
    KeyError
        A ``recording_id`` the run has no windows of (the message gives ids it has).
    ValueError
        A folder without ``recording_id``, or a ``recording_id`` with a file.
    eegpt.errors.InsufficientMemoryError
        (a ``MemoryError``) The embeddings to read would take more than half the memory
        available: refused before they are read, the message says what to do instead.
    """
    if not isinstance(path, (str, os.PathLike)):  # several run folders
        if recording_id is None:
            raise ValueError(
                "load_embeddings reads one recording of several embed-dataset output folders "
                "(load_embeddings([...], recording_id=...)); all their rows, or those of "
                "several .npz/.parquet files of eegpt embed, are read as one table with "
                "eegpt.read_embeddings([...])"
            )
        return _recording_of_runs(path, recording_id)
    path = user_path(path)
    if path.is_dir() and (path / RUN_MANIFEST).is_file() and recording_id is not None:
        return _recording_of_run(path, recording_id)
    if path.is_dir() and recording_id is not None:
        from eegpt.dataset_folders import run_folders

        if run_folders(path):  # the parts of a --part run
            return _recording_of_runs(path, recording_id)
    if path.is_dir():
        from eegpt.outputs_read import tree_hint

        raise ValueError(
            f"{path} is a folder; load_embeddings reads one .npz/.parquet file, or one recording "
            "of an embed-dataset output folder (load_embeddings(folder, recording_id=...)). "
            "eegpt.read_embeddings(folder) reads the whole folder as one table, whether it "
            "holds an embed-dataset run or the .npz/.parquet files of eegpt embed (checking "
            "that those were embedded alike)" + tree_hint(path)
        )
    if recording_id is not None:
        raise ValueError("recording_id applies to an embed-dataset output folder")
    return _load_file(path)


@dataclass(frozen=True, eq=False)
class EmbeddingsFile:
    """Embeddings written to disk by :func:`eegpt.api.embed_to_file` (not held in memory).

    Attributes
    ----------
    path : Path
        The ``.npz`` or ``.parquet`` file.
    shape : tuple of int
        ``(n_windows, N, S, D)``.
    onsets : ndarray, shape (n_windows,)
        Window onsets in seconds.
    metadata : dict
        The provenance stored in the file.
    """

    path: Path
    shape: tuple[int, ...]
    onsets: np.ndarray = field(repr=False)
    metadata: dict[str, Any] = field(repr=False)

    def __len__(self) -> int:
        return self.shape[0]

    def __fspath__(self) -> str:
        return str(self.path)

    def load(self) -> Embeddings:
        """Read the embeddings into memory."""
        return load_embeddings(self.path)


def _load_outline(path: str | os.PathLike) -> Embeddings:
    """An embeddings file as :func:`load_embeddings` reads it, with its checks and messages,
    but without its embeddings (a 24 h recording's are gigabytes): its onsets and provenance
    (per-window annotations included, so :attr:`eegpt.outputs.Embeddings.bad` holds), and ``data`` a
    read-only array of zeros of the stored shape that takes no memory
    (``np.broadcast_to``). What ``eegpt info`` reads."""
    return _load_file(Path(path), with_data=False)


def _load_file(path: Path, *, with_data: bool = True) -> Embeddings:
    """One ``.npz``/``.parquet`` file of :func:`load_embeddings`; ``with_data=False``: as
    :func:`_load_outline` reads it."""
    if not path.exists():
        raise MissingFileError(f"no embeddings file {path}")
    if output_format(path) == ".npz":
        try:
            archive = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            # numpy takes any file that is not a zip archive for a pickle, and says so; an
            # empty file leaves it nothing to read (EOFError)
            why = _unreadable_reason(path, err, "not a zip archive" if "pickle" in str(err) else "")
            raise UnreadableOutputError(
                f"{path} is not an .npz archive eegpt wrote ({why})"
            ) from err
        if not isinstance(archive, np.lib.npyio.NpzFile):  # an .npy file's one array
            raise UnreadableOutputError(
                f"{path} is not an .npz archive eegpt wrote (it holds a single NumPy array: "
                "an .npy file named .npz)"
            )
        with archive as f:
            if not {"embeddings", "onsets", "metadata"} <= set(f.files):
                raise ValueError(
                    f"{path} holds {sorted(f.files)}, not eegpt embeddings (embeddings, onsets, "
                    "metadata); was it written by eegpt?"
                )
            try:  # a small file's whole array is read (and its checksum checked) here
                shape = _npz_shape(f)
            except _DAMAGED_MEMBER as err:
                raise _damaged_member(path, "embeddings", err) from err
            if with_data:  # refused before a read the out-of-memory killer would end
                check_embeddings_memory(path, shape)
            data = _npz_member(f, "embeddings", path) if with_data else _without_data(shape)
            onsets = _npz_member(f, "onsets", path)
            meta = stored_metadata(str(_npz_member(f, "metadata", path)[()]), path)
            return _embeddings(path, data, onsets, meta)
    if output_format(path) == ".parquet":
        pa, pq = require_pyarrow(f"reading the .parquet embeddings file {path}")
        try:
            schema = pq.read_schema(path)  # no data read
            if with_data:  # the table and its array: refused before a read that cannot fit
                stored = json.loads((schema.metadata or {}).get(b"eegpt", b"{}")).get("shape")
                if stored:
                    check_embeddings_memory(path, stored, copies=2)
            table = pq.read_table(path) if with_data else None
        except pa.ArrowInvalid as err:  # empty, truncated, or not Parquet at all
            why = _unreadable_reason(path, err, str(err))
            raise UnreadableOutputError(
                f"{path} is not a Parquet file eegpt wrote ({why})"
            ) from err
        raw = (schema.metadata or {}).get(b"eegpt")
        if raw is None:
            if {"embedding", "onset_s", "window"} <= set(schema.names):
                raise ValueError(
                    f"{path} looks like an embeddings table of eegpt (its columns: window, "
                    "onset_s, embedding ...), but its eegpt metadata (the schema's 'eegpt' key: "
                    "the embeddings' shape, channels, model, preprocessing) is gone, probably "
                    "lost when it was written again (pandas' read_parquet(...).to_parquet(...) "
                    "drops it). Read it as a table (pandas.read_parquet), or select windows "
                    "with eegpt from the original file, which still has it: "
                    "emb = eegpt.load_embeddings(original); emb[~emb.bad].save(new_path)"
                    + (
                        " (a shard of an embed-dataset run: read the run's folder with "
                        "eegpt.read_embeddings(folder, filters=...))"
                        if "recording_id" in schema.names
                        else ""
                    )
                )
            raise ValueError(f"{path} has no eegpt metadata; was it written by eegpt?")
        meta = {**stored_metadata(raw, path), **_late_metadata(pq, path)}
        if str(meta.get("format", "")).startswith("eegpt-dataset"):
            raise ValueError(
                f"{path} is a shard of an embed-dataset run (one row per window of many "
                "recordings); read the run's folder with pandas.read_parquet(folder) or "
                "eegpt.read_embeddings(folder)"
            )
        shape = tuple(meta.pop("shape"))
        if table is None:
            onsets = pq.read_table(path, columns=["onset_s"]).column("onset_s").to_numpy()
            return _embeddings(path, _without_data(shape), onsets, meta)
        flat = table.column("embedding").combine_chunks().flatten().to_numpy()
        data = flat.reshape(shape).astype(np.float32, copy=False)
        return _embeddings(path, data, table.column("onset_s").to_numpy(), meta)
    raise ValueError(f"unsupported embeddings file {path.name!r}: use one of {FORMATS}")


#: What to do about an embeddings file whose contents are damaged.
_DAMAGED_ADVICE = "copy it again from a complete copy, or embed that recording again"


def _npz_member(archive: Any, key: str, path: Path) -> np.ndarray:
    """The array ``key`` of ``archive``, the open embeddings ``.npz`` at ``path``; one whose
    bytes do not read (a wrong checksum, bad compressed data, cut short, an array of Python
    objects) raises an :class:`~eegpt.errors.UnreadableOutputError` naming the file and the
    array."""
    try:
        return np.asarray(archive[key])
    except _DAMAGED_MEMBER as err:
        raise _damaged_member(path, key, err) from err


#: What reading a damaged member of an ``.npz`` archive raises.
_DAMAGED_MEMBER = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError)


def _damaged_member(path: Path, key: str, err: BaseException) -> UnreadableOutputError:
    """The error for the array ``key`` of the ``.npz`` at ``path`` whose read raised ``err``."""
    return UnreadableOutputError(
        f"{path}: its {key!r} array cannot be read ({type(err).__name__}: {err}): the file is "
        f"damaged; {_DAMAGED_ADVICE}"
    )


def stored_metadata(text: str | bytes, path: Path) -> dict[str, Any]:
    """The metadata (a JSON object) stored in the embeddings file ``path``, parsed; text that
    is not JSON, or JSON of another kind than an object, raises an
    :class:`~eegpt.errors.UnreadableOutputError` naming the file (not json's bare message, nor
    an ``AttributeError`` later)."""
    try:
        meta = json.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        raise UnreadableOutputError(
            f"{path}: its metadata (the JSON eegpt stores with the embeddings) is not valid JSON "
            f"({err}): the file is damaged or was not written by eegpt; {_DAMAGED_ADVICE}"
        ) from err
    if not isinstance(meta, dict):
        raise UnreadableOutputError(
            f"{path}: its metadata is a JSON {type(meta).__name__}, not the JSON object eegpt "
            f"stores with the embeddings: the file was not written by eegpt, or is damaged; "
            f"{_DAMAGED_ADVICE}"
        )
    return meta


def _embeddings(path: Path, data: np.ndarray, onsets: np.ndarray, meta: dict) -> Embeddings:
    """:class:`~eegpt.outputs.Embeddings` of the arrays read from ``path``; arrays of shapes
    that do not fit (not [n_windows, N, S, D] with one onset per window) raise an
    :class:`~eegpt.errors.UnreadableOutputError` naming the file."""
    from eegpt.outputs import Embeddings  # (it imports this module)

    try:
        return Embeddings(data, onsets, meta)
    except ValueError as err:
        raise UnreadableOutputError(
            f"{path}: {err}: the file is damaged or was not written by eegpt; {_DAMAGED_ADVICE}"
        ) from err


def _unreadable_reason(path: Path, err: BaseException, why: str) -> str:
    """Why the embeddings file ``path`` could not be opened (``err``, the reader's error), for
    :class:`~eegpt.errors.UnreadableOutputError`: ``why`` when given, else the reader's text;
    an empty file says so and what to do (a job stopped before writing it)."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        empty = False
    if empty:
        return (
            "an empty file, 0 bytes: eegpt writes its outputs whole, never empty; a copy cut "
            "short, or another program made it? Delete it and embed that recording again"
        )
    return why or str(err) or type(err).__name__


def _without_data(shape: Sequence[int]) -> np.ndarray:
    """Read-only float32 zeros of ``shape`` that take no memory: :func:`_load_outline`'s
    stand-in for embeddings not read."""
    return np.broadcast_to(np.float32(0), tuple(int(n) for n in shape))


def read_data_into(path: Path, out: np.ndarray) -> bool:
    """Read the embeddings of the ``.npz``/``.parquet`` output ``path`` straight into ``out``
    (a C-contiguous float32 array of as many values as the file's embeddings, any shape), not
    into an array of their own first: a large output is held once while read, not twice.
    False where the file's embeddings cannot be read so (a ``.npz`` member stored in another
    dtype or in Fortran order, a ``.parquet`` file whose embedding column is not float32, or
    whose values are not as many as ``out`` holds): read them with :func:`_load_file` then.
    The file is read as :func:`_load_file` reads it (the ``.npz`` member's checksum checked);
    a damaged one raises an :class:`~eegpt.errors.UnreadableOutputError` naming it."""
    if not (out.flags.c_contiguous and out.dtype == np.float32):
        return False
    if output_format(path) == ".npz":
        return _read_npz_into(path, out)
    if output_format(path) == ".parquet":
        return _read_parquet_into(path, out)
    return False


#: Bytes of an ``.npz`` member read at a time into the array made for them.
_CHUNK_BYTES = 1 << 20


def _read_npz_into(path: Path, out: np.ndarray) -> bool:
    """:func:`read_data_into` of an ``.npz`` output."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open("embeddings.npy") as entry:
            version = np.lib.format.read_magic(entry)
            if version not in ((1, 0), (2, 0)):
                return False
            header = (
                np.lib.format.read_array_header_1_0(entry)
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0(entry)
            )
            shape, fortran, dtype = header
            if fortran or dtype != np.dtype("<f4") or math.prod(shape) != out.size:
                return False
            view = out.reshape(-1).view(np.uint8)
            at = 0
            while at < len(view):  # a chunk at a time: zipfile reads what is asked as bytes
                chunk = entry.read(min(_CHUNK_BYTES, len(view) - at))
                if not chunk:
                    raise EOFError(f"embeddings.npy ends after {at} of {len(view)} bytes")
                view[at : at + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
                at += len(chunk)
            if entry.read(1):  # (reading to its end checks the member's CRC)
                raise ValueError("embeddings.npy holds more bytes than its header says")
    except _DAMAGED_MEMBER as err:
        raise _damaged_member(path, "embeddings", err) from err
    return True


def _read_parquet_into(path: Path, out: np.ndarray) -> bool:
    """:func:`read_data_into` of a ``.parquet`` output: its ``embedding`` column a batch at a
    time."""
    pa, pq = require_pyarrow(f"reading the .parquet embeddings file {path}")
    flat = out.reshape(-1)
    try:
        parquet = pq.ParquetFile(path)
        field = parquet.schema_arrow.field("embedding")
        if not pa.types.is_list(field.type) and not pa.types.is_fixed_size_list(field.type):
            return False
        if field.type.value_type != pa.float32():
            return False
        at = 0
        for batch in parquet.iter_batches(columns=["embedding"]):
            values = batch.column(0).flatten()
            if values.null_count or at + len(values) > flat.size:
                return False
            flat[at : at + len(values)] = values.to_numpy(zero_copy_only=False)
            at += len(values)
    except pa.ArrowInvalid as err:
        why = _unreadable_reason(path, err, str(err))
        raise UnreadableOutputError(f"{path} is not a Parquet file eegpt wrote ({why})") from err
    return at == flat.size


def _npz_shape(archive: Any) -> tuple[int, ...]:
    """The shape of an ``.npz`` archive's ``embeddings`` from its header, without reading it
    (numpy reads a later header version, and the array, itself)."""
    with archive.zip.open("embeddings.npy") as entry:
        version = np.lib.format.read_magic(entry)
        if version == (1, 0):
            return tuple(np.lib.format.read_array_header_1_0(entry)[0])
        if version == (2, 0):
            return tuple(np.lib.format.read_array_header_2_0(entry)[0])
    return tuple(archive["embeddings"].shape)


def _late_metadata(pq: Any, path: Path) -> dict[str, Any]:
    """The provenance entries a Parquet file's writer updated after writing its schema."""
    raw = (pq.read_metadata(path).metadata or {}).get(LATE_METADATA_KEY.encode())
    return {} if raw is None else stored_metadata(raw, path)


#: How its windows were zero-padded, or its end left out (as :func:`eegpt.api.tail_record`
#: and :func:`eegpt.api.epoch_padding_record` give them; a corpus run's file statuses).
_PADDING = ("padded_tail", "tail_left_out_s", "padded_epochs")


#: The start of read_embeddings' warning of an id filter that matches only in another Unicode
#: normalisation, which load_embeddings says in its KeyError instead (:func:`_why_no_rows`).
_OTHER_NORMALISATION = "read_embeddings: no row has recording_id"


@files_reports_read_once()  # its _files.csv read once, by read_embeddings and this
def _recording_of_run(folder: Path, recording_id: str) -> Embeddings:
    """The windows of one recording of an embed-dataset folder, as :class:`eegpt.outputs.Embeddings`."""
    from eegpt.dataset_folders import shard_files
    from eegpt.dataset_read import read_embeddings
    from eegpt.outputs import Embeddings  # (it imports this module)
    from eegpt.shard_checks import read_shard_status
    from eegpt.vocabulary import CHANNEL_INDEX

    with _ignored_warnings(message=_OTHER_NORMALISATION):  # said by the KeyError below
        table, data = read_embeddings(folder, filters=[("recording_id", "==", recording_id)])
    if not len(table):
        raise KeyError(
            f"no windows of {recording_id!r} in {folder}: {_why_no_rows(folder, recording_id)}"
        )
    spec, _ = read_shard_status(shard_files(folder)[0])
    first = table.iloc[0]
    names, inputs = list(first["channels"]), list(first["input_channels"])
    metadata: dict[str, Any] = {
        "source": str(first["path"]),
        "recording_id": recording_id,
        "channels": {  # the recording's other channels are not in the shards
            "input_names": inputs,
            "names": names,
            "picks": list(range(len(names))),
            "chan_ids": [CHANNEL_INDEX[name] for name in names],
            "dropped": [],
        },
        "preprocessing": spec.get("preprocessing"),
        "model": spec.get("model"),
        "checkpoint": spec.get("checkpoint"),
        "precision": spec.get("precision"),
        "window_index": table["window"].astype(int).tolist(),
        "annotations": [list(a) for a in table["annotations"]],
    }
    if table["event"].notna().any():
        metadata["labels"] = table["event"].tolist()
    if table["flags_recorded"].all():  # shards of layout 6 on: the per-window flags
        metadata.update({key: [list(v) for v in table[key]] for key in FLAG_KEYS})
    status = _stored_file_status(folder, recording_id)
    # the versions that computed its rows, as an output of embed records them: the stamp of
    # its shard's run (shards written before the stamps: not recorded, absent)
    stamp = status.pop(_RUN_STAMP, None) or {}
    metadata.update({k: stamp[k] for k in _RUN_VERSIONS if stamp.get(k) is not None})
    metadata.update({k: status[k] for k in _TIME_BASE + _PADDING if status.get(k) is not None})
    metadata["sfreq_in"] = status.get("sfreq_in")  # Hz; None from runs before it was recorded
    # what was done to it before eegpt, as embed records it (runs from before: absent)
    metadata.update({k: status[k] for k in RECORDING_PROVENANCE_KEYS if k in status})
    if status.get("batch_size") is not None:  # windows per forward pass, as embed records it
        metadata["batch_size"] = status["batch_size"]
    if spec.get("resample_revision") is not None:  # its resampler's numbers, as embed records
        metadata["resample_revision"] = spec["resample_revision"]
    metadata["channels"]["dropped"] = list(status.get("dropped_channels") or [])
    metadata["warnings"] = list(status.get("warnings") or [])  # the first few, as the run kept them
    if status.get("left_out"):
        metadata["left_out"] = dict(status["left_out"])
    if status.get("annotations_file"):  # the manifest's hypnogram (or such) of the recording
        metadata["annotations_file"] = status["annotations_file"]
    named = (spec.get("inputs") or {}).get("metadata_columns") or []
    if named:  # the manifest's other columns, a BIDS file's entities and participants' columns
        metadata["recording_columns"] = {
            name: _plain_cell(first[name]) for name in named if name in table.columns
        }
    if spec.get("pool", "none") != "none":  # one vector per window: as 1 patch x 1 token
        metadata["pool"] = spec["pool"]
        data = data.reshape(len(data), 1, 1, -1)
    return Embeddings(data, table["onset_s"].to_numpy(), metadata)


def _plain_cell(value: Any) -> Any:
    """A table cell as plain Python for an output's JSON metadata: None where missing, a
    moment as ISO 8601 text, a NumPy scalar as its Python value."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, np.ndarray):
        return [_plain_cell(v) for v in value.tolist()]
    return value.item() if isinstance(value, np.generic) else value


@files_reports_read_once()  # its _files.csv read once, by read_embeddings and this
def _recording_of_runs(
    given: str | os.PathLike | Sequence[str | os.PathLike], recording_id: str
) -> Embeddings:
    """:func:`_recording_of_run` of the run folder that holds ``recording_id`` among those
    ``given`` names (a folder of ``--part`` run folders, or a sequence of folders), once
    :func:`eegpt.read_embeddings` would read them together (its refusals, its warnings)."""
    from eegpt.dataset_folders import expand_run_folders
    from eegpt.dataset_read import read_embeddings

    only = [("recording_id", "==", recording_id)]
    try:
        with _ignored_warnings(message=_OTHER_NORMALISATION):  # said by _recording_of_run
            read_embeddings(given, columns=["recording_id"], filters=only, embeddings=False)
    except (ValueError, FileNotFoundError) as err:  # its refusals, named as this call's
        prefix = "read_embeddings: "
        if not str(err).startswith(prefix):
            raise
        kind = MissingFileError if isinstance(err, FileNotFoundError) else ValueError
        raise kind("load_embeddings: " + str(err).removeprefix(prefix)) from err
    return _recording_of_run(_part_holding(given, expand_run_folders(given), recording_id),
                             recording_id)  # fmt: skip


def _part_holding(given: Any, parts: list[Path], recording_id: str) -> Path:
    """The run folder among ``parts`` (the run folders ``given`` names) whose files report
    lists ``recording_id`` as embedded; else one that lists it (skipped as too short, or
    failed: the error then says why it has no windows)."""
    listed = [
        (part, row.get("status"))
        for part in parts
        for row in _files_report(part) or []
        if row.get("recording_id") == recording_id
    ]
    if listed:
        return min(listed, key=lambda hit: hit[1] != "ok")[0]
    names = f"{', '.join(p.name for p in parts[:5])}{' ...' if len(parts) > 5 else ''}"
    where = (
        f"no part of {given} ({len(parts)} run folders: {names})"
        if isinstance(given, (str, os.PathLike))
        else f"none of the {len(parts)} run folders given ({names})"
    )
    raise KeyError(f"{where} lists the recording {recording_id!r}")


def _files_report(folder: Path) -> list[dict[str, str]] | None:
    """The rows of a run folder's ``_files.csv``, or None where it cannot be read (read once
    per :func:`load_embeddings` call: :func:`eegpt.dataset_folders.files_report_rows`)."""
    from eegpt.dataset_folders import files_report_rows

    return files_report_rows(folder)


#: The key under which :func:`_stored_file_status` gives the ``run`` stamp of the recording's
#: shard (:meth:`eegpt.dataset_runs.DatasetRun.shard_stamp`), and the versions of it an output
#: of ``eegpt embed`` records in its metadata too.
_RUN_STAMP = "_shard_run"
_RUN_VERSIONS = ("eegpt_version", "eegpt_changes", "software")


def _stored_file_status(folder: Path, recording_id: str) -> dict[str, Any]:
    """A recording's file status in its shard's footer (the shard named by ``_files.csv``):
    its time base (``first_time``, ``meas_date``, ``record_clock``), ``dropped_channels`` ...,
    and under :data:`_RUN_STAMP` the shard's ``run`` stamp (the versions that computed its
    rows; absent in shards written before it was recorded); empty where not recorded."""
    from eegpt.dataset_folders import shard_name
    from eegpt.shard_checks import read_shard_status

    try:
        rows = _files_report(folder) or []
        shard = next(int(r["shard"]) for r in rows if r["recording_id"] == recording_id)
        _, status = read_shard_status(folder / shard_name(shard))
    except (OSError, StopIteration, ValueError, KeyError):
        return {}
    found: dict[str, Any] = next(
        (f for f in status.get("files", []) if f.get("recording_id") == recording_id), {}
    )
    if found and isinstance(status.get("run"), dict):
        found = {**found, _RUN_STAMP: status["run"]}
    return found


def _why_no_rows(folder: Path, recording_id: str) -> str:
    """What the run's file report says about a recording without rows."""
    from eegpt.dataset_folders import shard_name

    rows = _files_report(folder)
    if rows is None:
        return "ids are the 'recording_id' column"
    row = next((r for r in rows if r.get("recording_id") == recording_id), None)
    if row is None:
        nfc = unicodedata.normalize("NFC", recording_id)
        same = [
            r["recording_id"]
            for r in rows
            if unicodedata.normalize("NFC", r.get("recording_id") or "") == nfc
        ]
        if len(same) == 1:  # not taken in its place: which one is meant is the caller's to say
            return (
                f"the run's id {ascii(same[0])} differs from the one given, "
                f"{ascii(recording_id)}, only in Unicode normalisation (the two look the same; "
                "names copied from a Mac are NFD); give the id as the run stores it, or "
                "normalise both to NFC (unicodedata.normalize('NFC', id)) before comparing"
            )
        with_windows = [r["recording_id"] for r in rows if _windows_of(r) > 0]
        shown = ", ".join(repr(i) for i in with_windows[:3]) or "none: no file has windows"
        return f"the run has no such file (its ids are like {shown})"
    status = row.get("status")
    if status == "failed":
        return f"the file failed: {row.get('error')}"
    if status == "too_short":
        return f"the recording is shorter than one window and was skipped: {row.get('error')}"
    if status == "pending" or not (folder / shard_name(int(row["shard"]))).exists():
        return (
            "its shard is not written yet: the run stopped or is still running (run the same "
            "command again to finish it)"
        )
    return "every window of the file was left out (see its warnings in _files.csv)"


def _windows_of(row: Mapping[str, Any]) -> int:
    """The number of windows a row of ``_files.csv`` gives its file (0 where not a number)."""
    try:
        return int(row.get("n_windows") or 0)
    except ValueError:
        return 0
