"""Writing one recording's embeddings to ``.npz`` or Parquet block by block, atomically
(:class:`EmbeddingsWriter`; :mod:`eegpt.output_files`), and the per-window columns of its
tables (``_WindowColumns``: Parquet files and :meth:`eegpt.outputs.Embeddings.to_data_frame`).
The file layouts are described in :mod:`eegpt.outputs`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from eegpt import output_files  # its _temporary, _finish, _commit looked up there
from eegpt._filenames import user_path
from eegpt._window_flags import flagged_mask, recorded_flags
from eegpt.clock_times import window_clock
from eegpt.metadata_tables import metadata_frame, unique_column_name
from eegpt.optional_packages import require_pyarrow
from eegpt.output_files import FORMATS, output_format, parquet_writer
from eegpt.pooling import _rows

__all__ = ["LATE_METADATA_KEY", "EmbeddingsWriter"]

_PARQUET_COLUMNS = ("source", "window", "onset_s", "clock_s", "clock_time", "embedding", "label",
                    "annotations", "bad")  # fmt: skip


def _metadata_columns(record: dict[str, Any]) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """Parquet columns ``(name, pyarrow array)`` of a :func:`eegpt.metadata_tables.metadata_record`, and the schema
    metadata ``{"pandas": ...}`` that lets ``pandas.read_parquet`` restore their dtypes
    (pyarrow's own record; without it nullable integers come back as float64).

    Columns keep the restored dtypes as pyarrow stores them; a column pyarrow cannot type
    (mixed values) is stored as text and left out of the dtype record. Names taken by eegpt's
    columns (or by an earlier column) get a ``metadata_`` prefix."""
    pa, _ = require_pyarrow()
    frame = metadata_frame(record)
    out: list[tuple[str, Any]] = []
    pandas_record, entries = None, []
    taken = set(_PARQUET_COLUMNS) | set(record["columns"])
    used = set(_PARQUET_COLUMNS)
    for j, name in enumerate(record["columns"]):
        if name in used:  # a name of eegpt's, or a duplicate: a name no column has
            name = unique_column_name(name, used | taken)
        used.add(name)
        column = frame.iloc[:, [j]].set_axis([name], axis=1)
        try:
            array = pa.Array.from_pandas(column.iloc[:, 0])
            pandas_record = json.loads(
                pa.Schema.from_pandas(column, preserve_index=False).metadata[b"pandas"]
            )
            entries += pandas_record["columns"]
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            values = [row[j] for row in record["data"]]
            array = pa.array([None if v is None else str(v) for v in values], pa.string())
        if pa.types.is_null(array.type):  # all missing: keep a type pandas reads as NaN
            array = array.cast(pa.float64())
        out.append((name, array))
    if pandas_record is None:
        return out, {}
    return out, {"pandas": json.dumps(dict(pandas_record, columns=entries))}


def _embedding_array(block: np.ndarray) -> Any:
    """``[b, N, S, D]`` as a pyarrow fixed-size list array of ``N*S*D`` float32 (C order)."""
    pa, _ = require_pyarrow()
    flat = _rows(np.ascontiguousarray(block, dtype=np.float32))
    values = pa.array(flat.reshape(-1), type=pa.float32())
    return pa.FixedSizeListArray.from_arrays(values, flat.shape[1])


#: The footer key of a Parquet file's provenance known only after its schema was written
#: (:meth:`EmbeddingsWriter.update_metadata`); it replaces the schema's ``eegpt`` entries.
LATE_METADATA_KEY = "eegpt_late"


class _WindowColumns:
    """The per-window columns of a table of embeddings (Parquet files,
    :meth:`eegpt.outputs.Embeddings.to_data_frame`), read and checked from the provenance: ``source``,
    ``window``, ``onset_s``, ``clock_s``, ``clock_time`` (:func:`window_clock`),
    [``embedding``], ``label`` (epochs' event names), ``annotations``, ``bad`` and the columns
    of ``epochs.metadata``."""

    def __init__(self, metadata: dict[str, Any], onsets: np.ndarray) -> None:
        n = len(onsets)
        self.source = str(metadata.get("source", ""))
        self.onsets = np.asarray(onsets, dtype=np.float64)
        self.clock_s, self.clock_time = window_clock(metadata, self.onsets)
        labels = metadata.get("labels")
        self.labels = None if labels is None else np.asarray(labels, dtype=object)
        if self.labels is not None and self.labels.shape != (n,):
            raise ValueError(f"metadata['labels'] needs one label per window ({n})")
        self.annotations = metadata.get("annotations") or [[]] * n
        if len(self.annotations) != n:
            raise ValueError(f"metadata['annotations'] needs one list per window ({n})")
        # index of each window among all windows of the recording (gaps where windows were
        # left out by reject_by_annotation, or epochs.selection)
        self.index = np.asarray(metadata.get("window_index", np.arange(n)), dtype=np.int32)
        if self.index.shape != (n,):
            raise ValueError(f"metadata['window_index'] needs one index per window ({n})")
        self.flags = recorded_flags(metadata, n)  # None: not recorded (no columns)
        table = metadata.get("epochs_metadata")
        if table is not None and len(table["data"]) != n:
            raise ValueError(f"metadata['epochs_metadata'] needs one row per window ({n})")
        self.table = table
        self._metadata_cache: tuple[list[tuple[str, Any]], dict[str, str]] | None = None

    def _metadata(self) -> tuple[list[tuple[str, Any]], dict[str, str]]:
        if self._metadata_cache is None:
            self._metadata_cache = ([], {}) if self.table is None else _metadata_columns(self.table)
        return self._metadata_cache

    def schema_metadata(self) -> dict[str, str]:
        """``{"pandas": ...}``: the pandas dtypes of the ``epochs.metadata`` columns, for the
        table's schema (see :func:`_metadata_columns`); empty without such columns."""
        return self._metadata()[1]

    def _clock_time(self, rows: slice, n: int) -> Any:
        """``clock_time`` of ``rows``: naive timestamps (µs), null without a measurement date."""
        pa, _ = require_pyarrow()
        if self.clock_time is None:
            return pa.nulls(n, pa.timestamp("us"))
        return pa.array(self.clock_time[rows], pa.timestamp("us"))

    def arrays(self, start: int, n: int, embedding: Any = None) -> list[tuple[str, Any]]:
        """``(name, pyarrow array)`` of rows ``start:start + n``; ``embedding`` (an array of
        those rows) goes after ``onset_s`` when given."""
        from eegpt.annotation_overlap import bad_windows  # (no MNE: info reads it)

        pa, _ = require_pyarrow()
        rows = slice(start, start + n)
        per_window = [list(a) for a in self.annotations[rows]]
        return [
            ("source", pa.array([self.source] * n, pa.string())),
            ("window", pa.array(self.index[rows], pa.int32())),
            ("onset_s", pa.array(self.onsets[rows], pa.float64())),
            ("clock_s", pa.array(self.clock_s[rows], pa.float64())),
            ("clock_time", self._clock_time(rows, n)),
            *([("embedding", embedding)] if embedding is not None else []),
            *(
                [("label", pa.array(self.labels[rows], pa.string()))]
                if self.labels is not None
                else []
            ),
            ("annotations", pa.array(per_window, pa.list_(pa.string()))),
            ("bad", pa.array(bad_windows(per_window), pa.bool_())),
            *self._flag_arrays(rows, n),
            *[(name, array.slice(start, n)) for name, array in self._metadata()[0]],
        ]

    def _flag_arrays(self, rows: slice, n: int) -> list[tuple[str, Any]]:
        """``flat_channels``, ``clipped_channels`` (lists of channel names) and ``flagged``
        of ``rows`` (``n`` of them); none where the flags were not recorded."""
        if self.flags is None:
            return []
        pa, _ = require_pyarrow()
        part = {key: per_window[rows] for key, per_window in self.flags.items()}
        return [
            *[
                (key, pa.array(per_window, pa.list_(pa.string())))
                for key, per_window in part.items()
            ],
            ("flagged", pa.array(flagged_mask(part, n), pa.bool_())),
        ]


class EmbeddingsWriter:
    """Write the embeddings of one recording block by block into ``.npz`` or ``.parquet``.

    Rows go to a temporary file beside ``path``; leaving the ``with`` block normally checks that
    every row was written and renames the file into place, leaving it through an exception
    (``KeyboardInterrupt`` included) deletes the temporary file, so ``path`` never holds a
    partial result.

    Parameters
    ----------
    path : str | Path
        Destination, ``.npz`` or ``.parquet``.
    shape : tuple of int
        ``(n_windows, N, S, D)`` of all the embeddings.
    onsets : ndarray, shape (n_windows,)
        Window onsets in seconds.
    metadata : dict
        JSON-serialisable provenance (see :class:`eegpt.outputs.Embeddings`).
    overwrite : bool
        Replace an existing file.

    Raises
    ------
    OutputExistsError
        (a ``FileExistsError``) If ``path`` exists and ``overwrite`` is False, checked both when
        the writer is created and when the file is renamed into place.

    Examples
    --------
    >>> with EmbeddingsWriter("out.npz", (n, 16, 4, 512), onsets, meta) as w:  # doctest: +SKIP
    ...     for block in blocks:
    ...         w.write(block)
    """

    def __init__(
        self,
        path: str | Path,
        shape: tuple[int, ...],
        onsets: np.ndarray,
        metadata: dict[str, Any],
        *,
        overwrite: bool = False,
    ) -> None:
        self.path = user_path(path)
        self.shape = tuple(int(n) for n in shape)
        self.onsets = np.asarray(onsets, dtype=np.float64)
        self.metadata = dict(metadata)
        self.overwrite = overwrite
        self.format = output_format(self.path)
        if self.format is None:
            raise ValueError(f"unsupported output {self.path.name!r}: use one of {FORMATS}")
        if len(self.shape) != 4 or self.onsets.shape != (self.shape[0],):
            raise ValueError(
                f"embeddings must be [n_windows, N, S, D] with one onset per window, got "
                f"{self.shape} and {self.onsets.shape[0]} onsets"
            )
        self._columns = _WindowColumns(self.metadata, self.onsets)  # checks them too
        self._late: dict[str, Any] = {}  # Parquet: provenance known after the schema was written
        if self.path.exists() and not overwrite:
            raise output_files._exists(self.path)
        self._rows = 0
        self._tmp, fh = output_files._temporary(self.path)
        self._fh = fh
        try:
            if self.format == ".npz":
                self._open_npz()
            else:
                self._open_parquet()
        except BaseException:
            self._discard()
            raise

    # -- npz --------------------------------------------------------------------------------

    def _open_npz(self) -> None:
        self._zip = zipfile.ZipFile(self._fh, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._entry = self._zip.open("embeddings.npy", "w", force_zip64=True)
        header = {"descr": "<f4", "fortran_order": False, "shape": self.shape}
        np.lib.format.write_array_header_1_0(self._entry, header)

    def _close_npz(self) -> None:
        self._entry.close()
        extras = {
            "onsets.npy": self.onsets,
            "metadata.npy": np.array(json.dumps(self.metadata)),
        }
        for name, array in extras.items():
            with self._zip.open(name, "w", force_zip64=True) as entry:
                np.lib.format.write_array(entry, array, allow_pickle=False)
        self._zip.close()

    # -- parquet ----------------------------------------------------------------------------

    def _open_parquet(self) -> None:
        pa, _ = require_pyarrow()
        width = int(np.prod(self.shape[1:]))
        empty = pa.FixedSizeListArray.from_arrays(pa.array([], pa.float32()), width)
        meta = dict(self.metadata, shape=list(self.shape))
        self._schema = pa.schema(
            [(name, array.type) for name, array in self._columns.arrays(0, 0, empty)],
            metadata={"eegpt": json.dumps(meta), **self._columns.schema_metadata()},
        )
        self._parquet = parquet_writer(self._fh, self._schema)

    def _write_parquet(self, block: np.ndarray) -> None:
        pa, _ = require_pyarrow()
        columns = self._columns.arrays(self._rows, len(block), _embedding_array(block))
        table = pa.Table.from_arrays([a for _, a in columns], schema=self._schema)
        self._parquet.write_table(table)

    # -- common -----------------------------------------------------------------------------

    def update_metadata(self, **entries: Any) -> None:
        """Change provenance entries that are not per window (e.g. ``warnings`` given while
        embedding) before the file is closed. A Parquet file keeps them in its footer
        (:data:`LATE_METADATA_KEY`), which :func:`eegpt.embeddings_loading.load_embeddings` applies over the schema's."""
        self.metadata.update(entries)
        if self.format == ".parquet":
            self._late.update(entries)

    def write(self, block: np.ndarray) -> None:
        """Append the next rows, float32-compatible of shape ``(b, N, S, D)``."""
        block = np.ascontiguousarray(block, dtype="<f4")
        if block.ndim != 4 or block.shape[1:] != self.shape[1:]:
            raise ValueError(f"a block must have shape (b, *{self.shape[1:]}), got {block.shape}")
        if self._rows + len(block) > self.shape[0]:
            raise ValueError(
                f"{self.path}: {self._rows + len(block)} rows written, more than the "
                f"{self.shape[0]} announced"
            )
        if self.format == ".npz":
            self._entry.write(block.reshape(-1).view(np.uint8).data)
        else:
            self._write_parquet(block)
        self._rows += len(block)

    def close(self) -> Path:
        """Finish the file and rename it into place; returns the final path."""
        if self._rows != self.shape[0]:
            self._discard()
            raise ValueError(
                f"{self.path}: only {self._rows} of {self.shape[0]} rows were written; the "
                "output was discarded"
            )
        try:
            if self.format == ".npz":
                self._close_npz()
            else:
                if self._late:
                    self._parquet.add_key_value_metadata(
                        {LATE_METADATA_KEY: json.dumps(self._late)}
                    )
                self._parquet.close()
            output_files._finish(self._fh)
            output_files._commit(self._tmp, self.path, self.overwrite)
        except BaseException:
            self._discard()
            raise
        return self.path

    def _discard(self) -> None:
        for close in (
            getattr(getattr(self, "_entry", None), "close", None),
            getattr(getattr(self, "_zip", None), "close", None),
            getattr(getattr(self, "_parquet", None), "close", None),
            self._fh.close,
        ):
            if close is not None:
                try:
                    close()
                except Exception:  # the file is being thrown away anyway
                    pass
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> EmbeddingsWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()
