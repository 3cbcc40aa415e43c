"""The files a corpus run writes: shards, reports and their format marks.

:class:`ShardWriter` writes the file results of a run, in file order, into Parquet shards
(``shard-NNNNN.parquet``: one row per window, :func:`_schema`), each written beside its final
name and renamed into place when whole, with each file's status in its footer
(:func:`_file_status_record`); a long file's parts wait on disk (:class:`PartRows`) until its
last part arrives. :class:`WithKept` passes on the rows of shards kept from earlier runs.
Also the run's format marks (:data:`FORMAT`, the row :data:`LAYOUT`), the report files
(:func:`write_json`, :func:`write_report_csv`) and :func:`naming_full_disk`, which names the folder
and file of a full disk.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from eegpt._csv_text import csv_text
from eegpt._logging import count as _count
from eegpt._logging import warn as _warn
from eegpt._tempfiles import temporary_beside
from eegpt._window_flags import FLAG_KEYS, flagged_mask
from eegpt.annotation_files import table_description_column
from eegpt.annotation_overlap import bad_windows
from eegpt.channels import left_out_text
from eegpt.clock_times import window_clock
from eegpt.dataset_files import MAX_WARNINGS, FileResult, WindowInfo
from eegpt.dataset_folders import TOO_SHORT, partial_name, shard_files, shard_name
from eegpt.dataset_inputs import DatasetInputs, InputFile, pyarrow_for_writing
from eegpt.dataset_stamps import hashed_status, source_stamp, status_of
from eegpt.errors import OutputNotWritableError, disk_full, out_of_room, room_advice
from eegpt.output_files import atomic_write, parquet_writer
from eegpt.shard_checks import CHECKSUMS_KEY, read_shard_status

FORMAT = "eegpt-dataset/1"
#: Row layout of new runs: 2 added the ``annotations``, ``bad`` and ``event`` columns, 3 the
#: ``epochs_metadata`` column, 4 the ``padded`` column, 5 the ``clock_s`` and ``clock_time``
#: columns after ``onset_s``, 6 the ``flat_channels``, ``clipped_channels`` and ``flagged``
#: columns after ``padded`` (runs made before resume in their own layout).
LAYOUT = 6
_ROW_GROUP_BYTES = 64 << 20  # rows are buffered up to this size before a Parquet row group

#: The hidden temporary files of the shards this process's writers are writing now (from a
#: shard's first file until it is renamed into place or dropped): what a second Ctrl-C says
#: is left half-written (:func:`shards_being_written`).
_BEING_WRITTEN: set[Path] = set()


def shards_being_written() -> list[Path]:
    """The hidden temporary files of the shards being written in this process now (none
    before a run's first file has come to its writer, between shards, or once a first Ctrl-C's
    stop dropped or kept the shard in progress): read by a second Ctrl-C's message."""
    return sorted(_BEING_WRITTEN)


def _names_column(path: str) -> dict[str, Any]:
    """``{"annotations_column": column}``: the column the events' names of the annotations
    table ``path`` are read from (None: none, each 'event'), as an ``.npz`` output's metadata
    records it, for a later run to tell how they were read; empty for other files."""
    try:
        onsets, column = table_description_column(path)
    except Exception:  # noqa: BLE001 - its reading, if any, says what failed
        return {}
    return {"annotations_column": column} if onsets else {}


def _schema(spec: Mapping[str, Any], inputs: DatasetInputs) -> Any:
    pa, _ = pyarrow_for_writing()
    width = math.prod(spec["embedding_shape"])
    fields_ = [
        pa.field("recording_id", pa.string()),
        pa.field("path", pa.string()),
        pa.field("window", pa.int32()),
        pa.field("onset_s", pa.float64()),
    ]
    if spec.get("layout", 1) >= 5:  # the onsets on the recording's clock, and their moments
        fields_ += [pa.field("clock_s", pa.float64()), pa.field("clock_time", pa.timestamp("us"))]
    fields_ += [
        pa.field("channels", pa.list_(pa.string())),
        pa.field("input_channels", pa.list_(pa.string())),
    ]
    if spec.get("layout", 1) >= 2:
        fields_ += [
            pa.field("annotations", pa.list_(pa.string())),
            pa.field("bad", pa.bool_()),
            pa.field("event", pa.string()),
        ]
    if spec.get("layout", 1) >= 3:
        fields_.append(pa.field("epochs_metadata", pa.string()))
    if spec.get("layout", 1) >= 4:
        fields_.append(pa.field("padded", pa.bool_()))
    if spec.get("layout", 1) >= 6:  # the per-window flags, as eegpt embed's Parquet has them
        fields_ += [
            pa.field("flat_channels", pa.list_(pa.string())),
            pa.field("clipped_channels", pa.list_(pa.string())),
            pa.field("flagged", pa.bool_()),
        ]
    if inputs.metadata is not None:
        fields_ += list(inputs.metadata.schema)
    fields_.append(pa.field("embedding", pa.list_(pa.float32(), width)))
    return pa.schema(fields_, metadata={"eegpt": json.dumps(spec, sort_keys=True)})


def _file_table(result: FileResult, file: InputFile, inputs: DatasetInputs, schema: Any) -> Any:
    pa, _ = pyarrow_for_writing()
    n = result.n_windows
    names = pa.scalar(result.mapping["names"], pa.list_(pa.string()))
    input_names = pa.scalar(result.mapping["input_names"], pa.list_(pa.string()))
    info = result.windows
    index = np.arange(n) if info.index is None else np.asarray(info.index)
    arrays = [
        pa.repeat(pa.scalar(file.recording_id, pa.string()), n),
        pa.repeat(pa.scalar(file.path_text, pa.string()), n),
        pa.array(index.astype(np.int32)),
        pa.array(np.asarray(result.onsets, dtype=np.float64)),
    ]
    if "clock_s" in schema.names:  # as Embeddings.clock_times gives them (window_clock)
        clock_s, moments = window_clock(info.time_base, np.asarray(result.onsets)[:n])
        arrays += [
            pa.array(np.asarray(clock_s, dtype=np.float64), pa.float64()),
            pa.nulls(n, pa.timestamp("us"))
            if moments is None
            else pa.array(moments, pa.timestamp("us")),
        ]
    arrays += [
        pa.repeat(names, n),
        pa.repeat(input_names, n),
    ]
    if "annotations" in schema.names:
        per_window = info.annotations if info.annotations is not None else [[]] * n
        arrays += [
            pa.array(per_window, pa.list_(pa.string())),
            pa.array(bad_windows(per_window), pa.bool_()),
            pa.array(info.labels if info.labels is not None else [None] * n, pa.string()),
        ]
    if "epochs_metadata" in schema.names:
        rows = info.metadata if info.metadata is not None else [None] * n
        arrays.append(pa.array(rows, pa.string()))
    if "padded" in schema.names:
        arrays.append(pa.array(info.padded(n), pa.bool_()))
    if "flagged" in schema.names:
        arrays += _flag_arrays(info.flags, n)
    if inputs.metadata is not None:
        arrays += [pa.repeat(col[file.index], n) for col in inputs.metadata.columns]
    width = schema.field("embedding").type.list_size
    flat = np.ascontiguousarray(result.embeddings, dtype=np.float32)
    if n == 0:  # e.g. every window left out by reject_by_annotation
        flat = flat.reshape(0, width)
    if flat.shape != (n, width):
        raise RuntimeError(
            f"embeddings of {file.recording_id} have shape {flat.shape}, not {(n, width)}"
        )
    values = pa.array(flat.reshape(-1), type=pa.float32())
    arrays.append(pa.FixedSizeListArray.from_arrays(values, width))
    return pa.Table.from_arrays(arrays, schema=schema)


def _flag_arrays(flags: Mapping[str, list[list[str]]] | None, n: int) -> list[Any]:
    """The ``flat_channels``, ``clipped_channels`` (lists of channel names) and ``flagged``
    (bool) columns of a file's ``n`` rows from its per-window ``flags``
    (:attr:`~eegpt.dataset_files.WindowInfo.flags`); nulls where they were not recorded
    (epochs): unknown, not clean."""
    pa, _ = pyarrow_for_writing()
    names = pa.list_(pa.string())
    if flags is None:
        return [pa.nulls(n, names), pa.nulls(n, names), pa.nulls(n, pa.bool_())]
    return [
        *(pa.array(flags[key], names) for key in FLAG_KEYS),
        pa.array(flagged_mask(flags, n), pa.bool_()),
    ]


def _flagged_record(flags: Mapping[str, list[list[str]]] | None, n: int) -> dict[str, Any]:
    """``{"n_windows_flagged": k}``: a file's windows with a flat or clipped channel, as its
    status records it (``eegpt info --json``'s ``flagged_windows``); empty where its flags were
    not recorded (epochs, failed files)."""
    if flags is None:
        return {}
    return {"n_windows_flagged": int(flagged_mask(flags, n).sum())}


def _file_status_record(
    result: FileResult, file: InputFile, shard: int, hash_inputs: bool = False, flags: bool = False
) -> dict[str, Any]:
    """A file's status as its shard's footer records it; ``hash_inputs``: with the full
    SHA-256 of its files (:func:`full_hashes`) where it was embedded; ``flags``: with its
    flagged windows' count where recorded (shards of layout 6 on, which hold the flags)."""
    embedded = hash_inputs and status_of(result.error) == "ok"
    return {
        "index": file.index,
        "recording_id": file.recording_id,
        "path": file.path_text,
        "shard": shard,
        "status": status_of(result.error),
        "n_windows": result.n_windows,
        "n_windows_left_out": result.windows.left_out,
        **(_flagged_record(result.windows.flags, result.n_windows) if flags else {}),
        "duration_s": result.duration_s,
        "read_s": round(result.read_s, 3),
        # windows per forward pass (the last bits can change with it): absent where none
        # were embedded, and in the statuses of runs from before it was recorded
        **({"batch_size": result.batch_size} if result.batch_size is not None else {}),
        "error": result.error,
        "warnings": result.warnings,
        "dropped_channels": result.mapping.get("dropped", []),
        "channels": list(result.mapping.get("names", [])),
        **({"left_out": result.mapping["left_out"]} if result.mapping.get("left_out") else {}),
        **({"annotations_file": file.annotations} if file.annotations else {}),
        **(_names_column(file.annotations) if file.annotations else {}),
        # its own first window's onset (the manifest's start_seconds), beside the run's --start
        **({"start_seconds": file.start_seconds} if file.start_seconds is not None else {}),
        **result.windows.time_base,
        **result.windows.padding,
        # what was done to it before eegpt (filters, baseline, reference), as embed records it
        **result.windows.provenance,
        **(source_stamp(file) or {}),
        **(hashed_status(file) if embedded else {}),
    }


@contextlib.contextmanager
def naming_full_disk(output_dir: Path, writing: Callable[[], str]) -> Iterator[None]:
    """Turn a full disk (or quota, or file-size limit: :func:`~eegpt.errors.disk_full`) met in
    the block into an :class:`OutputNotWritableError` (its errno, e.g. ``ENOSPC``) that names
    ``output_dir``, what was being written (``writing()``, e.g. a shard's name) and how to
    resume; one already turned passes as it is."""
    try:
        yield
    except OSError as err:
        code = disk_full(err)
        if isinstance(err, OutputNotWritableError) or code is None:
            raise
        try:
            n_kept: int | None = len(shard_files(output_dir))
        except OSError:
            n_kept = None
        kept = (
            f" before finishing a shard. {room_advice(code, 'choose a larger disk')} and run "
            "the same command again"
            if n_kept == 0
            else ", keeping its finished shards"
            + (f" ({_count(n_kept, 'shard')} in the folder)" if n_kept else "")
            + f". {room_advice(code, 'move the folder to a larger disk')} and run the same "
            "command again: it resumes with the shards not written yet"
        )
        full = OutputNotWritableError(
            f"{out_of_room(code, output_dir, writing(), err)}: the run stopped{kept}"
        )
        full.errno = code
        raise full from err


class ShardWriter:
    """Writes file results, arriving in file order, into atomically committed shard files.

    A shard's rows go to a temporary file beside the final one (one or more row groups); when
    its last file has arrived the per-file statuses are added to the footer (key
    ``eegpt_shard``), the file is flushed to disk and renamed to ``shard-NNNNN.parquet``. Until
    then no file of that name exists, so the shard counts as not done.

    Parameters
    ----------
    output_dir : Path
    inputs : DatasetInputs
    shards : list of list of int
        For every shard, the indices of its files (all shards of the dataset).
    spec : dict
        Run settings (schema metadata ``eegpt``).
    on_file : callable(FileResult, dict) | None
        Called with each result and its status after it was added.
    on_part : callable(FileResult, InputFile) | None
        Called with each part of a file read in parts but its last (whose file's result goes
        to ``on_file``), when it was added; not after a part of the file failed.
    on_commit : callable(int, list of dict) | None
        Called with the shard number and its file statuses after the rename.
    run : dict | None
        The run that writes the shards, recorded in each footer's ``eegpt_shard`` as ``run``
        (its ``started`` time as the manifest's ``runs`` name it, ``eegpt_version``,
        ``torch_version`` and ``software``, the versions of :func:`~eegpt.api.software_versions`):
        which run of a resumed corpus wrote a shard, and with which versions.
    """

    def __init__(
        self,
        output_dir: Path,
        inputs: DatasetInputs,
        shards: list[list[int]],
        spec: Mapping[str, Any],
        *,
        on_file: Callable[[FileResult, dict[str, Any]], None] | None = None,
        on_commit: Callable[[int, list[dict[str, Any]]], None] | None = None,
        on_part: Callable[[FileResult, InputFile], None] | None = None,
        run: Mapping[str, str] | None = None,
        hash_inputs: bool = False,
    ) -> None:
        self.output_dir = output_dir
        self.run = dict(run) if run else None
        self.hash_inputs = hash_inputs  # the full SHA-256 of each embedded file's files
        self.inputs = inputs
        self.shard_of = {i: k for k, files in enumerate(shards) for i in files}
        self.shards = shards
        self.schema = _schema(spec, inputs)
        self.on_file, self.on_commit, self.on_part = on_file, on_commit, on_part
        self._shard: int | None = None
        self._writer: Any = None
        self._tmp: Path | None = None
        self._statuses: list[dict[str, Any]] = []
        self._buffer: list[Any] = []
        self._buffered = 0
        self._parts: list[FileResult] = []  # of a file read in parts, until its last one
        self._part_rows: PartRows | None = None  # their rows, on disk

    def add(self, result: FileResult) -> None:
        """Add the next file's result (files must come in order, shard by shard; the parts of a
        file read in parts one after the other, in order: its rows are written, and its status
        recorded, when the last one has come, none of them if one part failed)."""
        with naming_full_disk(self.output_dir, self._writing):
            self._add(result)

    def _writing(self) -> str:
        """What this writer writes now, for messages: the shard in progress."""
        return "the shards" if self._shard is None else shard_name(self._shard)

    def _add(self, result: FileResult) -> None:
        shard = self._next(result.index)
        file = self.inputs.files[result.index]
        if result.part is not None or self._parts:
            joined = self._join(result, file)
            if joined is None:
                return
            result, tables = joined
        elif result.error is None and result.n_windows:
            tables = [_file_table(result, file, self.inputs, self.schema)]
        else:
            tables = []
        status = _file_status_record(
            result, file, shard, self.hash_inputs, flags="flagged" in self.schema.names
        )
        self._append(tables, status)
        if self.on_file is not None:
            self.on_file(result, status)
        self._commit_if_complete()

    def add_kept(self, index: int, table: Any, status: dict[str, Any]) -> None:
        """Add a file's rows and status as an earlier run wrote them (a file that was not
        embedded again, its shard being retried for another one), in its place in the order."""
        with naming_full_disk(self.output_dir, self._writing):
            self._add_kept(index, table, status)

    def _add_kept(self, index: int, table: Any, status: dict[str, Any]) -> None:
        if self._parts:
            raise RuntimeError(
                f"file {index} came before the last part of file {self._parts[0].index}"
            )
        self._next(index)
        pa, _ = pyarrow_for_writing()
        table = pa.Table.from_arrays(
            [table.column(n) for n in self.schema.names], schema=self.schema
        )
        self._append([table] if table.num_rows else [], status)
        self._commit_if_complete()

    def _next(self, index: int) -> int:
        """Check that file ``index`` is the next one (opening its shard); its shard."""
        shard = self.shard_of[index]
        if shard != self._shard:
            if self._shard is not None:
                raise RuntimeError(f"shard {self._shard} is incomplete but file {index} came")
            self._open(shard)
        expected = self.shards[shard][len(self._statuses)]
        if index != expected:
            raise RuntimeError(f"file {index} came before file {expected} in shard {shard}")
        return shard

    def _append(self, tables: Iterable[Any], status: dict[str, Any]) -> None:
        for table in tables:
            self._buffer.append(table)
            self._buffered += table.nbytes
            if self._buffered >= _ROW_GROUP_BYTES:
                self._flush()
        self._statuses.append(status)

    def _commit_if_complete(self) -> None:
        if self._shard is not None and len(self._statuses) == len(self.shards[self._shard]):
            self._commit()

    def _join(self, result: FileResult, file: InputFile) -> tuple[FileResult, Iterable[Any]] | None:
        """Keep a part's rows (on disk); after the last part, the file's result and rows (read
        back one part at a time)."""
        done = self._parts[-1].part.stop if self._parts else 0  # type: ignore[union-attr]
        if result.part is None or result.part.first != done:
            got = "all windows" if result.part is None else f"windows from {result.part.first}"
            raise RuntimeError(
                f"file {result.index}: {got} came after its windows up to {done}, not the next part"
            )
        if self._part_rows is None:
            self._part_rows = PartRows(self.output_dir / shard_name(self._shard or 0))
        if result.error is not None:  # the file failed: none of its rows are written
            self._part_rows.drop()
        elif result.n_windows and not any(p.error for p in self._parts):
            self._part_rows.add(_file_table(result, file, self.inputs, self.schema))
        # the rest of the part's result is kept to join them; its embeddings are not
        self._parts.append(replace(result, embeddings=np.zeros((0, 0), np.float32)))
        if not result.part.last:
            if self.on_part is not None and not any(p.error for p in self._parts):
                self.on_part(result, file)
            return None
        parts, rows = self._parts, self._part_rows
        self._parts, self._part_rows = [], None
        return _joined(parts), rows.tables()

    def _open(self, shard: int) -> None:
        final = self.output_dir / shard_name(shard)
        fd, tmp = temporary_beside(final)
        os.close(fd)
        self._tmp, self._shard, self._statuses = tmp, shard, []
        _BEING_WRITTEN.add(tmp)
        self._writer = parquet_writer(tmp, self.schema)

    def _flush(self) -> None:
        pa, _ = pyarrow_for_writing()
        if self._buffer:
            self._writer.write_table(pa.concat_tables(self._buffer))
        self._buffer, self._buffered = [], 0

    def _commit(self) -> None:
        shard, statuses = self._shard, self._statuses
        assert shard is not None
        self._seal(self.output_dir / shard_name(shard), {})
        # the finished files an earlier stop kept (read back into this shard by now)
        (self.output_dir / partial_name(shard)).unlink(missing_ok=True)
        if self.on_commit is not None:
            self.on_commit(shard, statuses)

    def _seal(self, final: Path, mark: Mapping[str, Any]) -> None:
        """Close the shard in progress into ``final``: its rows so far, its statuses (and
        ``mark``) in the footer's ``eegpt_shard``, flushed to disk and renamed into place."""
        self._flush()
        footer = {
            "shard": self._shard,
            "files": self._statuses,
            **({"run": self.run} if self.run else {}),
            **mark,
        }
        self._writer.add_key_value_metadata(
            {
                "eegpt_shard": json.dumps(footer),
                CHECKSUMS_KEY: "page crc32",  # what --verify checks besides the values
            }
        )
        self._writer.close()
        with open(self._tmp, "rb+") as fh:  # type: ignore[arg-type]
            os.fsync(fh.fileno())
        os.replace(self._tmp, final)  # type: ignore[arg-type]
        _BEING_WRITTEN.discard(self._tmp)
        _fsync_dir(self.output_dir)
        self._writer, self._tmp, self._shard, self._statuses = None, None, None, []

    def abort(self, *, keep: bool = False) -> tuple[int, int] | None:
        """Drop the shard in progress (its temporary file), or with ``keep`` (a run stopped
        gracefully, every result handed to the writer added) keep its finished files (whose
        results are whole: ok, failed or too short; a file read in parts whose last part has
        not come is dropped) in ``.shard-NNNNN.parquet.partial``
        (:func:`~eegpt.dataset_folders.partial_name`), which a resume reads back
        (:func:`eegpt.dataset_resume.partial_files`) instead of embedding them again. Its footer is a shard's,
        with ``"partial": true`` and the indices of the files it holds (``"kept"``).

        Returns
        -------
        (shard, files) | None
            The shard and the number of its files kept; None where none was (no shard in
            progress, none of its files finished, not ``keep``, or the file could not be
            written: the run's files are dropped as without ``keep``, and an earlier stop's
            partial file of the shard is left as it was).
        """
        kept = None
        shard, statuses = self._shard, self._statuses
        if keep and shard is not None and self._writer is not None and statuses:
            try:
                self._seal(
                    self.output_dir / partial_name(shard),
                    {"partial": True, "kept": [int(s["index"]) for s in statuses]},
                )
                kept = (shard, len(statuses))
            except Exception as err:  # noqa: BLE001 - a full disk: the files are redone
                _warn(
                    f"the {_count(len(statuses), 'finished file')} of {shard_name(shard)} (a "
                    f"shard stopped part-way) could not be kept ({err}): the next run embeds "
                    "them again"
                )
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            _BEING_WRITTEN.discard(self._tmp)
        self._writer, self._tmp, self._shard, self._statuses = None, None, None, []
        self._buffer, self._buffered = [], 0
        if self._part_rows is not None:
            self._part_rows.drop()
        self._parts, self._part_rows = [], None
        return kept


class PartRows:
    """The rows of a file read in parts, until its last part has come: in an Arrow file beside
    the shard (``.shard-NNNNN.parquet.XXXX.parts.tmp``, removed as the shard's own temporary
    file is), not in memory, where a day of 58 channels holds 2.8 GB of summary tokens.

    Parameters
    ----------
    shard : Path
        The shard file the rows are for.
    """

    def __init__(self, shard: Path) -> None:
        self.shard = shard
        self.path: Path | None = None
        self._writer: Any = None

    def add(self, table: Any) -> None:
        """Keep the rows of the next part."""
        if self._writer is None:
            pa, _ = pyarrow_for_writing()
            fd, path = temporary_beside(self.shard, suffix=".parts.tmp")
            os.close(fd)
            self.path = path
            self._writer = pa.ipc.new_file(str(path), table.schema)
        self._writer.write_table(table)

    def tables(self) -> Iterator[Any]:
        """The parts' rows, one part at a time (none after :meth:`drop`); the file is removed
        when they have been read."""
        if self._writer is None:
            return
        pa, _ = pyarrow_for_writing()
        self._writer.close()
        self._writer = None
        try:
            with pa.OSFile(str(self.path)) as source:  # read into memory, not mapped
                reader = pa.ipc.open_file(source)
                for k in range(reader.num_record_batches):
                    yield pa.Table.from_batches([reader.get_batch(k)])
        finally:
            self.drop()

    def drop(self) -> None:
        """Forget the rows kept (the file failed, or the run stops)."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class WithKept:
    """The shard writer's sink when shards are retried (``retry_failed``) or finished after a
    stop part-way (a partial file): the files of such a shard that an earlier run embedded
    are not embedded again; their rows are read from the shard being replaced (or the partial
    file) and put back in their places around the files computed again.

    Parameters
    ----------
    add : callable(FileResult)
        :meth:`ShardWriter.add`.
    writer : ShardWriter
    kept : dict
        File index -> its status in the old shard (``"ok"`` ones of retried shards), or in
        the partial file of a shard a stopped run left part-way.
    sources : dict | None
        File index -> the file its rows are read from where that is not the shard its status
        names (a shard's partial file, :func:`eegpt.dataset_resume.partial_files`).
    """

    def __init__(
        self,
        add: Callable[[FileResult], None],
        writer: ShardWriter,
        kept: dict[int, dict[str, Any]],
        sources: Mapping[int, Path] | None = None,
    ) -> None:
        self.add, self.writer, self.kept = add, writer, kept
        self.sources = dict(sources or {})
        self.placed: set[int] = set()

    def __call__(self, result: FileResult) -> None:
        files = self.writer.shards[self.writer.shard_of[result.index]]
        at = files.index(result.index)
        if result.part is None or result.part.first == 0:
            for i in files[:at]:  # kept files before it, not placed yet
                if i in self.kept and i not in self.placed:
                    self._place(i)
        self.add(result)
        if result.part is None or result.part.last:
            for i in files[at + 1 :]:  # and those right after it
                if i not in self.kept:
                    break
                self._place(i)

    def _place(self, index: int) -> None:
        pads = _pyarrow_dataset()
        status = self.kept[index]
        path = self.sources.get(index) or self.writer.output_dir / shard_name(int(status["shard"]))
        rows = pads.dataset(str(path), format="parquet").to_table(
            filter=pads.field("recording_id") == status["recording_id"]
        )
        self.writer.add_kept(index, rows, status)
        self.placed.add(index)


def _pyarrow_dataset() -> Any:
    pyarrow_for_writing()  # the error that names the extra, when pyarrow is missing
    import pyarrow.dataset as pads

    return pads


def kept_files(
    output_dir: Path, n_shards: int, done: Mapping[int, Any], retry_failed: bool
) -> dict[int, dict[str, Any]]:
    """With ``retry_failed``: the files embedded ("ok", or skipped as too short) in the finished
    shards that are to be written again for their failed files (so not in ``done``), by
    index."""
    kept: dict[int, dict[str, Any]] = {}
    if not retry_failed:
        return kept
    for k in range(n_shards):
        path = output_dir / shard_name(k)
        if k in done or not path.is_file():
            continue
        try:
            _, status = read_shard_status(path)
        except Exception:  # noqa: BLE001 - unreadable: the whole shard is computed again
            continue
        kept.update(
            {int(f["index"]): f for f in status["files"] if f["status"] in ("ok", TOO_SHORT)}
        )
    return kept


def _joined(parts: list[FileResult]) -> FileResult:
    """One file's result from those of its parts (the rows are written from each part's; the
    embeddings here are an empty placeholder of one row per window)."""
    first = parts[0]
    texts = list(dict.fromkeys(t for p in parts for t in p.warnings))[:MAX_WARNINGS]
    read_s = sum(p.read_s for p in parts)
    # the length read (a part that could not be read knows none); None where none was
    duration = max((p.duration_s for p in parts if p.duration_s is not None), default=None)
    error = next((p.error for p in parts if p.error is not None), None)
    if error is not None:
        empty = np.zeros((0, 0), np.float32)
        return FileResult(
            first.index, empty, np.zeros(0), {}, duration, error, texts, read_s=read_s
        )
    annotations = None
    if first.windows.annotations is not None:
        annotations = [a for p in parts for a in p.windows.annotations or []]
    flags = None
    if all(p.windows.flags is not None for p in parts):
        flags = {key: [v for p in parts for v in p.windows.flags[key]] for key in FLAG_KEYS}  # type: ignore[index]
    info = WindowInfo(
        index=np.concatenate([np.asarray(p.windows.index, np.int64) for p in parts]),
        annotations=annotations,
        left_out=sum(p.windows.left_out for p in parts),
        time_base=first.windows.time_base,
        padding=parts[-1].windows.padding,  # the part that holds the recording's end
        flags=flags,
        provenance=first.windows.provenance,
    )
    onsets = np.concatenate([p.onsets for p in parts])
    placeholder = np.zeros((len(onsets), 0), np.float32)
    batch = next((p.batch_size for p in parts if p.batch_size is not None), None)
    return FileResult(
        first.index, placeholder, onsets, first.mapping, duration, None, texts, info, read_s,
        batch_size=batch,
    )  # fmt: skip


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` to ``path`` as indented JSON (what JSON cannot hold as its ``str``), atomically:
    a reader sees the old file or the whole new one."""
    text = json.dumps(obj, indent=1, default=str) + "\n"
    atomic_write(path, lambda fh: fh.write(text.encode()))


_REPORT_COLUMNS = [
    "index",
    "recording_id",
    "path",
    "shard",
    "status",
    "changed",
    "n_windows",
    "n_windows_left_out",
    "duration_s",
    "sfreq_in",
    "read_s",
    "error",
    "warnings",
    "dropped_channels",
    "channels",
    # appended, so that readers by position keep theirs: the windows per forward pass the file
    # was embedded in (empty where none was recorded: failed, pending, older runs)
    "batch_size",
    # the channels left out before mapping, each with why (left_out_text): marked bad, of a
    # type other than EEG (eog, ecg ...), not picked, not kept; dropped_channels names those
    # whose names map to no vocabulary electrode
    "left_out_channels",
    # appended: the file's row in the whole listing (0-based; a --part K/N run's files are
    # rows K, K+N ... of its _corpus.csv, while index counts within the part); empty in the
    # reports of runs from before it
    "corpus_row",
]


def write_report_csv(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write a report of file statuses ``rows`` (``_files.csv``, ``_errors.csv``,
    ``_too_short.csv``: the columns :data:`_REPORT_COLUMNS`) to ``path`` atomically, the cells
    that hold lists joined by ``" | "``."""
    table = []
    for row in rows:
        row = dict(row)
        row["left_out_channels"] = left_out_text(row.get("left_out"))
        for key in ("warnings", "dropped_channels", "channels", "left_out_channels"):
            if isinstance(row.get(key), list):
                row[key] = " | ".join(row[key])
        table.append(row)
    text = csv_text(_REPORT_COLUMNS, table).encode()
    atomic_write(path, lambda fh: fh.write(text))


def write_csv_if_rows(path: Path, rows: list[Mapping[str, Any]]) -> None:
    """Write the report of some files (``_errors.csv``, ``_too_short.csv``) where it has
    rows; without any, remove one a previous run left (a failure retried since), so that the
    folder holds such a report only when it lists a file."""
    if rows:
        write_report_csv(path, rows)
    else:
        path.unlink(missing_ok=True)
