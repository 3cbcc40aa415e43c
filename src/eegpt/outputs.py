"""Embedding results and their files (``.npz`` or Parquet), written atomically.

An :class:`Embeddings` holds the summary tokens of every window of one recording, the window
onsets in seconds, and the provenance needed to reproduce them: the channel mapping, the
preprocessing settings, the model configuration and the checkpoint's SHA-256.

File layouts
------------
``.npz``: arrays ``embeddings`` ``[n_windows, N, S, D]`` float32 and ``onsets`` ``[n_windows]``
(seconds), plus ``metadata``, a JSON string.

``.parquet``: one row per window with columns ``source``, ``window`` (index among all windows
of the recording, counting from 0; EEGLAB numbers epochs from 1: it has gaps where
``reject_by_annotation`` left windows out), ``onset_s`` (float64 seconds of recorded data
from the first sample, as :attr:`Embeddings.onsets`), ``clock_s`` (float64 seconds on the
recording's clock from its acquisition start, the moment of the measurement date: ``onset_s``
plus ``metadata["first_time"]`` (nonzero for a cropped Raw or a FIF file with
``first_samp > 0``; epochs' onsets already count from there) and the gaps before it in a
discontinuous EDF+D/BDF+D file, else equal to ``onset_s``; one base for a recording's Raw and
epochs outputs), ``clock_time`` (the window onset's moment,
a timestamp in µs without a zone: the recording's wall clock as its header states it, which
for EDF/BDF/BrainVision is the lab's local time that MNE labels UTC, for FIF and EGI ``.mff``
UTC, as ``metadata["clock"]`` records (``"local"``, ``"utc"``, ``"acq_time"``: UTC from a BIDS
``*_scans.tsv``, ``"unknown"``: other readers,
objects made in memory); null without a measurement date; both as
:meth:`Embeddings.clock_times` gives them; files written before eegpt had these columns lack
them, and :func:`load_embeddings` computes them from the provenance as before),
``embedding`` (a fixed-size list of N*S*D float32 in C order), ``label`` for epochs with
event names (``metadata["labels"]``), ``annotations`` (the descriptions of the annotations over
each window) and ``bad`` (:attr:`Embeddings.bad`), ``flat_channels`` and ``clipped_channels``
(lists of channel names) and ``flagged`` (:attr:`Embeddings.flagged`) where those flags were
recorded (absent from files written before, of epochs, or with the checks off), then for
epochs with ``epochs.metadata`` one
column per metadata column (named as in MNE; ``metadata_<name>`` where a name is one of the
columns before); the JSON metadata, including the
``shape`` to restore, lives in the schema metadata under the key ``eegpt``. Read it back with
:func:`load_embeddings`, or as a table with ``pandas.read_parquet(path)``.

Safety
------
Every file is written to a hidden temporary file beside its destination
(``.<name>.<host>.<pid>.<random>.tmp``), flushed to disk and only then renamed into place,
so a file under its final name is always complete: an interrupted run leaves the previous file
or none (after a hard kill, at most a ``.tmp`` file, which ``eegpt embed`` removes when it
writes that output again and its process is gone, never while it runs; another machine's
once a day old: :func:`eegpt._tempfiles.remove_stale`). Without ``overwrite`` the rename cannot replace a file that appeared meanwhile
(a hard link is made, which fails if the name exists). :class:`EmbeddingsWriter` writes the
embeddings of a long recording block by block in the same way, so they need not fit in memory.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import json
import math
import os
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np

from eegpt._dates import ANONYMIZED_CLOCK, parse_iso
from eegpt._filenames import user_path
from eegpt._logging import few
from eegpt._logging import ignored_warnings as _ignored_warnings
from eegpt._logging import warn as _warn
from eegpt._methods import function_method
from eegpt._recording_provenance import EPOCH_ONSETS_KEY, RECORDING_PROVENANCE_KEYS
from eegpt._tempfiles import temporary_beside, writer_tag
from eegpt._window_flags import FLAG_KEYS, flagged_mask, recorded_flags
from eegpt.errors import (
    MissingDependencyError,
    MissingFileError,
    OutputExistsError,
    OutputNotWritableError,
    UnreadableOutputError,
    install_hint,
)
from eegpt.preprocessing_spec import DEFAULT_MIN_OVERLAP

if TYPE_CHECKING:
    import eegpt.viz

__all__ = [
    "FORMATS",
    "POOLINGS",
    "Embeddings",
    "EmbeddingsFile",
    "EmbeddingsWriter",
    "atomic_write",
    "check_output_folder",
    "feature_names",
    "load_embeddings",
    "metadata_frame",
    "metadata_record",
    "output_format",
    "pool_embeddings",
]

FORMATS = (".npz", ".parquet")


def output_format(path: str | Path) -> str | None:
    """The embeddings format a file name asks for (``".npz"``, ``".parquet"``; any case, so
    ``X.NPZ`` too), or None for another suffix."""
    suffix = Path(path).suffix.lower()
    return suffix if suffix in FORMATS else None


def _rows(z: np.ndarray) -> np.ndarray:
    """``z`` as ``[n, features]``, also for no windows (where ``reshape(0, -1)`` fails)."""
    return z.reshape(len(z), math.prod(z.shape[1:]))


def _flatten(z: np.ndarray) -> np.ndarray:
    return _rows(z)


def _average(z: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    """Mean over ``axis``, summed in float64, in ``z``'s dtype, one row per window."""
    if not len(z):
        return _rows(z.sum(axis=axis))
    return _rows(z.mean(axis=axis, dtype=np.float64).astype(z.dtype))


def _mean(z: np.ndarray) -> np.ndarray:
    return _average(z, (1, 2))


def _mean_patches(z: np.ndarray) -> np.ndarray:
    return _average(z, 1)


def _mean_tokens(z: np.ndarray) -> np.ndarray:
    return _average(z, 2)


POOLINGS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "flatten": _flatten,
    "mean": _mean,
    "mean_patches": _mean_patches,
    "mean_tokens": _mean_tokens,
}
"""Named poolings of summary tokens ``[n, N, S, D]`` into one vector per epoch:

``"flatten"`` ``[n, N*S*D]`` (everything, what the linear probe sees); ``"mean"`` ``[n, D]`` (mean
over patches and summary tokens); ``"mean_patches"`` ``[n, S*D]`` (mean over time patches, the
summary tokens kept apart); ``"mean_tokens"`` ``[n, N*D]`` (mean over summary tokens, time kept).
"""


_FEATURE_PATTERNS = {
    "flatten": lambda n, s, d: [
        f"p{i}_s{j}_d{k}" for i in range(n) for j in range(s) for k in range(d)
    ],
    "mean": lambda n, s, d: [f"d{k}" for k in range(d)],
    "mean_patches": lambda n, s, d: [f"s{j}_d{k}" for j in range(s) for k in range(d)],
    "mean_tokens": lambda n, s, d: [f"p{i}_d{k}" for i in range(n) for k in range(d)],
}


def feature_names(pooling: str | Callable[[np.ndarray], np.ndarray], shape: tuple[int, ...],
                  n_features: int | None = None) -> list[str]:  # fmt: skip
    """Names of the columns of :func:`pool_embeddings` for embeddings ``(N, S, D)`` per window:
    ``eegpt_p{patch}_s{token}_d{dim}`` with the parts the pooling keeps (``eegpt_d{dim}`` for
    ``"mean"``); ``eegpt_{i}`` for a callable, which needs ``n_features``."""
    if callable(pooling):
        if n_features is None:
            raise ValueError("feature names of a pooling callable need n_features")
        return [f"eegpt_{i}" for i in range(n_features)]
    return [f"eegpt_{name}" for name in _FEATURE_PATTERNS[pooling](*shape)]


def clock_moments(
    seconds: np.ndarray,
    meas_date: str | datetime.datetime,
    first_time: float | None = None,
    clock: Any = None,
) -> np.ndarray:
    """The moments of times in a recording, naive ``datetime64[us]``, shape of ``seconds``:
    the recording's wall clock as its header states it. MNE labels a measurement date UTC,
    but an EDF/BDF/BrainVision header holds the lab's local time (FIF and EGI ``.mff`` do
    store UTC: embeddings' ``metadata["clock"]`` says which), so no zone is claimed; a date
    with a zone is brought to UTC first, as MNE keeps dates.

    Parameters
    ----------
    seconds : ndarray of float, shape (n,)
        Times in seconds from the recording's first sample (window onsets).
    meas_date : str | datetime.datetime
        The acquisition's start (ISO 8601; one without a zone is UTC, as MNE keeps dates).
    first_time : float | None
        Seconds from the acquisition's start to the first sample (``raw.first_time``).
    clock : eegpt.edf_files.RecordClock | None
        For a discontinuous EDF+D/BDF+D file, where its records lie on the clock: each time
        is moved by the gaps before it.

    Returns
    -------
    ndarray of datetime64[us], shape (n,)
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if clock is not None:
        seconds = clock.to_clock(seconds)
    date = meas_date
    if not isinstance(date, datetime.datetime):
        date = datetime.datetime.fromisoformat(str(meas_date))
    if date.tzinfo is not None:  # a date without a zone is UTC, as MNE keeps dates
        date = date.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    start = np.datetime64(date, "us")
    offset = seconds + float(first_time or 0.0)
    return start + np.round(offset * 1e6).astype("timedelta64[us]")


def iso_moments(moments: np.ndarray, *, utc: bool = True) -> list[str]:
    """``datetime64`` moments as ISO 8601 text: to the second where all are whole seconds,
    else to the microsecond (one format for a column: give all its moments at once, or pass a
    table of several recordings' texts through :func:`uniform_iso`). ``utc``: with the offset MNE's label
    gives them, ``"2026-01-01T23:59:50+00:00"`` (earlier ``probe predict`` tables); False:
    without one, ``"2026-01-01T23:59:50"``, the recording's wall clock as its header states it
    (an EDF/BDF header holds local time, which MNE labels UTC). ``NaT`` gives ``""``."""
    moments = np.asarray(moments, dtype="datetime64[us]")
    known = ~np.isnat(moments)
    whole = bool(np.all(moments[known].astype(np.int64) % 1_000_000 == 0))
    spec = "seconds" if whole else "microseconds"
    zone = datetime.timezone.utc if utc else None
    return [
        m.item().replace(tzinfo=zone).isoformat(timespec=spec) if ok else ""
        for m, ok in zip(moments, known, strict=True)
    ]


def uniform_iso(texts: Iterable[Any]) -> list[str | None]:
    """ISO 8601 texts (a table's ``clock_time`` column: ``"2026-01-01T23:59:50"``, perhaps
    with microseconds or an offset; None or ``""`` where there is none) rewritten in one
    format, the finest any needs: to the microsecond where one is not a whole second, else to
    the second (offsets kept). What :func:`iso_moments` does for one recording's moments, for
    a table of several recordings, whose rows were each formatted for their own recording:
    ``pandas.read_csv(parse_dates=...)`` and ``pandas.to_datetime`` need one format per
    column. Returns a list as long as ``texts``, None where there is no moment."""
    moments = [
        None if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == ""
        else parse_iso(str(v))
        for v in texts
    ]  # fmt: skip
    whole = all(m.microsecond == 0 for m in moments if m is not None)
    spec = "seconds" if whole else "microseconds"
    return [None if m is None else m.isoformat(timespec=spec) for m in moments]


def window_clock(
    metadata: Mapping[str, Any], onsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """``(clock_s, clock_time)`` of windows at ``onsets`` of a recording whose provenance is
    ``metadata`` (its time base: ``record_clock``, ``meas_date``, ``first_time``).

    ``clock_s``: float64 seconds on the recording's clock from its acquisition start (the
    moment of ``meas_date``, MNE's time base), one base for Raw and epochs: a Raw's onsets
    count from its first sample, so ``first_time`` is added (nonzero for a cropped Raw or a
    FIF file with ``first_samp > 0``), and the gaps of a discontinuous EDF+D/BDF+D file before
    each; epochs' onsets already count from the acquisition start. A window of a Raw and an
    epoch of it at the same moment get the same ``clock_s`` (both at the nominal rate of a
    rate a header rounded, :func:`eegpt.preprocessing.taken_rate`: a BrainVision recording's
    256 Hz for MNE's 256.016 Hz); ``clock_time`` is the measurement
    date plus ``clock_s``.
    ``clock_time``: the moments of the onsets, naive ``datetime64[us]``
    (:func:`clock_moments`, as ``probe predict``'s ``clock_time``): the recording's wall clock
    as its header states it (for EDF/BDF local time, which MNE labels UTC); None without a
    measurement date, or with EDF's placeholder for an anonymized one (``metadata["clock"]``
    ``"anonymized"``: :func:`eegpt._dates.is_anonymized_start`)."""
    seconds = np.asarray(onsets, dtype=np.float64)
    clock = None
    if metadata.get("record_clock"):  # a discontinuous EDF+D file
        from eegpt.edf_files import RecordClock

        clock = RecordClock.from_dict(metadata["record_clock"])
    # from the acquisition start, as epochs' onsets already count (MNE's time base): a Raw's
    # onsets count from its first sample, first_time after that start
    first = float(metadata.get("first_time") or 0.0)
    on_clock = (seconds if clock is None else clock.to_clock(seconds)) + first
    if not has_clock_time(metadata):
        return on_clock, None
    return on_clock, clock_moments(on_clock, metadata["meas_date"])


def has_clock_time(metadata: Mapping[str, Any]) -> bool:
    """Whether the windows of a recording whose provenance (or time base) is ``metadata``
    have a ``clock_time`` (:func:`window_clock`): it has a measurement date that is not EDF's
    placeholder for an anonymized one (``metadata["clock"]`` ``"anonymized"``)."""
    return bool(metadata.get("meas_date")) and metadata.get("clock") != ANONYMIZED_CLOCK


def pool_embeddings(
    z: np.ndarray, pooling: str | Callable[[np.ndarray], np.ndarray] = "flatten"
) -> np.ndarray:
    """Pool summary tokens ``[n, N, S, D]`` into ``[n, n_features]`` (see :data:`POOLINGS`).

    A callable gets the 4-D array and must return a 2-D one with one row per epoch.
    """
    if z.ndim != 4:
        raise ValueError(f"embeddings must be [n, N, S, D], got shape {z.shape}")
    if callable(pooling):
        out = np.asarray(pooling(z))
        if out.ndim != 2 or len(out) != len(z):
            raise ValueError(
                f"a pooling callable must return [n_epochs, n_features], got shape {out.shape} "
                f"for {len(z)} epochs"
            )
        return out
    try:
        return POOLINGS[pooling](z)
    except KeyError:
        raise ValueError(
            f"unknown pooling {pooling!r}; use one of {sorted(POOLINGS)} or a callable"
        ) from None


_PARQUET_COLUMNS = ("source", "window", "onset_s", "clock_s", "clock_time", "embedding", "label",
                    "annotations", "bad")  # fmt: skip


def metadata_record(frame: Any) -> dict[str, Any]:
    """``epochs.metadata`` (a pandas DataFrame) as JSON-ready ``{"columns": [...], "dtypes":
    [...], "data": [[...], ...], "index": [...]}``, one row per epoch.

    Numbers keep every digit (JSON floats are written exactly), missing values are null, dates
    and durations ISO 8601 text, other objects their ``str``; :func:`metadata_frame` restores
    the dtypes (categories with their order, dates, nullable integers, float32 ...).
    """
    record = {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "data": [[_json_value(v) for v in row] for row in frame.itertuples(index=False, name=None)],
        "index": [_json_value(v) for v in frame.index],  # MNE keeps an epoch's label on drop
    }
    categories = [
        {"values": [_json_value(v) for v in t.categories], "ordered": bool(t.ordered)}
        if str(t) == "category"
        else None
        for t in frame.dtypes
    ]
    if any(categories):  # their order and unused ones, which the values alone do not give
        record["categories"] = categories
    return record


def _json_value(value: Any) -> Any:
    pd = require_pandas("epochs metadata")

    if value is None:
        return None
    try:
        if pd.isna(value) is True:  # NaN, NaT, pd.NA (arrays give arrays, not True)
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "isoformat"):  # Timestamp, datetime, date, Timedelta
        return value.isoformat()
    return str(value)


def metadata_frame(record: dict[str, Any]) -> Any:
    """The pandas DataFrame of a :func:`metadata_record`, with its dtypes restored where the
    values allow it (a column that does not convert stays as read)."""
    pd = require_pandas("epochs metadata")

    frame = pd.DataFrame(record["data"], columns=record["columns"])
    if "index" in record:  # not in files written before it was kept
        frame.index = pd.Index(record["index"])
    categories = record.get("categories") or [None] * len(record["columns"])
    for j, dtype in enumerate(record.get("dtypes") or []):
        column = frame.iloc[:, j]
        if str(column.dtype) != dtype:
            frame.isetitem(j, _restored(column, dtype, categories[j]))
    return frame


def _restored(column: Any, dtype: str, categories: dict[str, Any] | None = None) -> Any:
    pd = require_pandas("epochs metadata")

    try:
        if categories is not None:
            values = pd.Index(categories["values"])
            return column.astype(pd.CategoricalDtype(values, ordered=categories["ordered"]))
        if dtype.startswith("datetime64"):
            tz = dtype[dtype.index(",") + 1 : -1].strip() if "," in dtype else None
            dates = pd.to_datetime(column, format="ISO8601", utc=tz is not None)
            return dates.dt.tz_convert(tz) if tz else dates
        if dtype.startswith("timedelta64"):
            return pd.to_timedelta(column)
        return column.astype(dtype)
    except (ValueError, TypeError, OverflowError):
        return column


def unique_column_name(name: str, taken: set[str], prefix: str = "metadata") -> str:
    """``<prefix>_<name>`` (``<prefix>_<name>_2`` ... if that is taken too) for a metadata
    column whose own name belongs to another column."""
    free, k = f"{prefix}_{name}", 1
    while free in taken:
        k += 1
        free = f"{prefix}_{name}_{k}"
    return free


def clash_renames(
    names: Iterable[str], clash_with: set[str], taken: set[str], prefix: str = "metadata"
) -> dict[str, str]:
    """New names (:func:`unique_column_name`) for those of ``names`` in ``clash_with``, in
    order, none of them in ``taken`` or given twice."""
    taken, renames = set(taken), {}
    for name in names:
        if name in clash_with:
            renames[name] = unique_column_name(name, taken, prefix)
            taken.add(renames[name])
    return renames


def _metadata_columns(record: dict[str, Any]) -> tuple[list[tuple[str, Any]], dict[str, str]]:
    """Parquet columns ``(name, pyarrow array)`` of a :func:`metadata_record`, and the schema
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


def select_window_metadata(metadata: dict[str, Any], rows: Any, n: int) -> dict[str, Any]:
    """``metadata`` of ``n`` windows for the windows ``rows`` (indices): the per-window entries
    (``labels``, ``annotations``, ``epochs_metadata`` rows) follow, and ``window_index`` keeps
    each window's index among all windows of the recording.

    The result is a deep copy: nothing in it (the ``channels`` mapping, the per-window lists
    ...) is shared with ``metadata``, so changing one leaves the other as it was. Metadata is
    small (JSON-serialisable provenance, a few entries per window), so the copy costs little
    beside the embeddings themselves."""
    meta = dict(metadata)
    meta["window_index"] = np.asarray(meta.get("window_index", np.arange(n)))[rows].tolist()
    for name in ("labels", "annotations", *FLAG_KEYS):
        if meta.get(name) is not None:
            meta[name] = [meta[name][i] for i in rows]
    table = meta.get("epochs_metadata")
    if table is not None:
        table = dict(table, data=[table["data"][i] for i in rows])
        if "index" in table:
            table["index"] = [table["index"][i] for i in rows]
        meta["epochs_metadata"] = table
    return copy.deepcopy(meta)


class _WindowColumns:
    """The per-window columns of a table of embeddings (Parquet files,
    :meth:`Embeddings.to_data_frame`), read and checked from the provenance: ``source``,
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


def _embeddings_parts(parts: Any) -> list[Embeddings]:
    """``parts`` of :meth:`Embeddings.concatenate` as a list, refused with a TypeError where
    it is one Embeddings (iterating it gives its own windows) or holds anything else."""
    usage = "call Embeddings.concatenate([a, b]) with a list of the parts, in order"
    if isinstance(parts, Embeddings):
        raise TypeError(
            "concatenate got one Embeddings, not a sequence of them: a.concatenate(b) would "
            f"give b's windows alone (it is a class method, a is not a part); {usage}"
        )
    if isinstance(parts, (str, bytes)) or not isinstance(parts, Iterable):
        raise TypeError(
            f"concatenate needs a sequence of Embeddings, got {type(parts).__name__}; {usage}"
        )
    parts = list(parts)
    others = [
        f"part {k} is {type(p).__name__}"
        for k, p in enumerate(parts)
        if not isinstance(p, Embeddings)
    ]
    if others:
        raise TypeError(f"concatenate joins Embeddings only: {', '.join(others[:3])}; {usage}")
    return parts


def _same_checkpoint(a: Any, b: Any) -> bool:
    """Whether two checkpoint records (``metadata["checkpoint"]``) are equal, ``weights_sha256``
    aside where one lacks it (embeddings of weights as loaded record it since it is compared by
    probes; those written before do not)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if ("weights_sha256" in a) != ("weights_sha256" in b):
            a, b = (
                {k: v for k, v in a.items() if k != "weights_sha256"},
                {k: v for k, v in b.items() if k != "weights_sha256"},
            )
    return bool(a == b)


def _same_preprocessing(a: Any, b: Any) -> bool:
    """Whether two stored preprocessing records (``metadata["preprocessing"]``) mean the same
    settings: a field one lacks (``detrend``, recorded always only since it was added) takes
    the value a stored record means by its absence, as a resumed corpus run's settings are
    compared (:func:`eegpt.dataset_read.spec_differences`)."""
    if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
        return a == b
    from eegpt.dataset_read import spec_differences  # it imports this module

    return not spec_differences(a, b, "preprocessing.")


@dataclass(eq=False)
class Embeddings:
    """Per-window EEGPT embeddings of one recording.

    Attributes
    ----------
    data : ndarray, shape (n_windows, N, S, D), float32
        Normalised summary tokens: N time patches (a window's samples at the model's rate in
        patches of the model's ``patch_size``, 64; the last one zero-padded where they are not
        whole patches), S summary tokens, width D. Stored pooled (``embed-dataset --pool mean``,
        ``metadata["pool"]``): shape (n_windows, 1, 1, D).
    onsets : ndarray, shape (n_windows,), float64
        Window start times in seconds. For a continuous recording (a Raw, a file, an array):
        from its first sample, as ``raw.times`` (``metadata["first_time"]``: where that sample
        lies after the acquisition start; :meth:`clock_times` for the recording's clock). For
        epochs: each epoch's start, its event time plus ``tmin``, in MNE's time base (seconds
        from the acquisition start, ``epochs.events[:, 0]`` over the rate of the Raw they were
        cut from, plus ``tmin``, decimated or resampled epochs alike; a rate a header rounded at
        its nominal rate, as a Raw's onsets count, :func:`eegpt.preprocessing.taken_rate`; for an epoched EEGLAB ``.set`` file, whose epochs lie end to end, the epoch's index times its length;
        so for arrays ``[n_epochs, C, T]`` and ``mne.EpochsArray`` without events, which have
        no event times either). Epochs are separate whatever their onsets:
        ``metadata["epoch_onsets"]`` says how they count, ``"events"`` or ``"end_to_end"``.
    metadata : dict
        JSON-serialisable provenance: ``source``, ``channels`` (mapping), ``preprocessing``
        (:class:`~eegpt.preprocessing.PreprocessingConfig` as a dict, ``window_seconds``
        included), ``model`` (config), ``checkpoint`` (path, format, sha256, pretrained flag),
        ``precision``, ``device``, ``batch_size`` (windows per forward pass),
        ``stream_precision`` (only when not float32), ``picks`` (the channel types read from a
        file or MNE object), ``eegpt_version``, ``software`` (the versions of python, torch,
        numpy, scipy and mne), ``command`` (the ``eegpt`` command's arguments, for outputs of
        the command line), ``warnings`` (the warnings eegpt gave about the recording while
        embedding it: its amplitude, flat-channel and offset checks, channels dropped ...;
        empty if none). Per window, where they apply: ``window_index`` (each window's index
        among all windows of the recording or, for epochs, ``epochs.selection``; gaps where
        windows were left out), ``labels`` (epochs' event names, one str per window; selected
        by ``emb["name"]``), ``annotations`` (:attr:`annotations`), ``flat_channels`` and
        ``clipped_channels`` (:attr:`flagged`) and ``epochs_metadata``
        (:attr:`epochs_metadata`). Also, where they apply: ``meas_date`` and ``first_time`` (the
        time base of the onsets), ``epoch_onsets`` (epochs: how their onsets count, see
        ``onsets``), ``rejected_by_annotation`` (onsets in seconds of the windows
        ``reject_by_annotation`` left out), ``padded_tail`` / ``tail_left_out_s`` (a
        continuous recording's end shorter than a window), ``padded_epochs`` (epochs
        zero-padded into longer windows), ``pool``.
    annotations : list of list of str, one list per window
        The descriptions of the annotations over each window (``metadata["annotations"]``),
        markers of no duration included, in the window they fall in; empty lists without
        annotations. ``emb[["Stimulus/S  1" in a for a in emb.annotations]]`` selects by them.
    bad : ndarray of bool, shape (n_windows,)
        The windows over an annotation marked bad: ``emb[~emb.bad]`` keeps the others.
    flagged : ndarray of bool, shape (n_windows,)
        The windows over a flat or clipped stretch that the signal checks warned of:
        ``emb[~emb.flagged]`` keeps the others. ``flat_channels`` and ``clipped_channels``
        (``metadata["flat_channels"]``, ``metadata["clipped_channels"]``): the channels of
        each window, one list per window. Recorded for continuous recordings embedded with
        the checks on (:attr:`flags_recorded`); otherwise unknown: all False (empty lists),
        with a warning.
    epochs_metadata : pandas.DataFrame | None
        ``epochs.metadata`` of embedded epochs, one row per window; None for other inputs.
    sources : tuple of str
        Every file the recording was read from: ``(metadata["source"],)`` for one file, each
        file of a Raw read from several (``mne.concatenate_raws``), whose
        ``metadata["source"]`` names the first only; empty for data made in memory.

    Methods
    -------
    emb[key], len(emb)
        The windows selected by an index, a slice, a boolean mask or event names (as MNE
        takes them), as Embeddings sharing no array or metadata with ``emb`` (copies); the
        number of windows.
    emb == other
        Identity (``emb is other``): the arrays are not compared element-wise; compare
        ``np.array_equal(a.data, b.data)`` and ``a.metadata == b.metadata`` for that.
    window_labels(annotations, match=..., min_overlap=0.5)
        One label per window (ndarray of object, shape (n_windows,), None where none and
        for bad windows) from annotations that span time, such as a hypnogram's sleep stages.
    clock_times(absolute=False)
        The onsets on the recording's clock, shape (n_windows,): seconds (float64), or its
        moments (naive ``datetime64[us]``, the recording's wall clock as its header states
        it) with ``absolute=True``; the ``clock_s`` and ``clock_time`` columns of its tables.
    pooled(how="mean")
        One vector per window, ``[n_windows, n_features]`` (``"mean"``: ``[n_windows, D]``).
    to_data_frame(pooling=None)
        One row per window as a pandas DataFrame (the columns of a Parquet file).
    save(path), concatenate(parts), plot(...), plot_channels(...)
        Write to ``.npz``/``.parquet`` (read back with :func:`load_embeddings`); join windows
        of one recording; the figures of :mod:`eegpt.viz`.
    """

    data: np.ndarray
    onsets: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.data.ndim != 4 or len(self.onsets) != len(self.data):
            raise ValueError(
                f"embeddings must be [n_windows, N, S, D] with one onset per window, got "
                f"{self.data.shape} and {len(self.onsets)} onsets"
            )

    def __len__(self) -> int:
        return len(self.data)

    @classmethod
    def concatenate(cls, parts: Sequence[Embeddings]) -> Embeddings:
        """The windows of several Embeddings of one recording as one, in the order given: the
        pushes of an :class:`~eegpt.OnlineEmbedder`, or selections of one recording. The
        per-window metadata (``window_index``, labels, annotations, ``epochs_metadata`` rows)
        follow; the rest is the first part's (a deep copy, shared with no part).

        Each part keeps its own ``window_index`` (``0 .. n-1`` for a part that records none,
        as a freshly embedded recording; a batch given in memory that records none, an array
        or epochs numbered end to end, is numbered on from the parts before it, as if
        embedded at once, and its epochs' onsets continue from theirs, epoch ``k`` of the
        whole at ``k`` times the epoch length; other parts' onsets stay their own), and the
        parts share one time base: onsets of all parts count from the same start
        (``first_time``, ``meas_date``, the record clock ...), so ``clock_times`` stay right.
        ``epochs_metadata`` rows are joined by column name (the column order of part 0);
        parts whose epochs metadata has other columns are refused.

        Raises
        ------
        TypeError
            If ``parts`` is not a sequence of Embeddings (``a.concatenate(b)``, which would
            return ``b``'s windows alone).
        ValueError
            If ``parts`` is empty, the parts differ in shape, recording (source or time base:
            another file, or crops of one file, whose onsets count from other starts),
            channels, model or ``epochs_metadata`` columns, or a window is in two parts (its
            ``window_index`` twice: overlapping selections).
        """
        parts = _embeddings_parts(parts)
        if not parts:
            raise ValueError("concatenate needs at least one Embeddings")
        first = parts[0]
        for k, part in enumerate(parts[1:], 1):
            shape = part.data.shape[1:]
            if shape != first.data.shape[1:]:
                raise ValueError(
                    f"part {k} has windows of shape {shape}, part 0 {first.data.shape[1:]}"
                )
            differ = [key for key in ("source", "channels", "model")
                      if part.metadata.get(key) != first.metadata.get(key)]  # fmt: skip
            if not _same_checkpoint(
                part.metadata.get("checkpoint"), first.metadata.get("checkpoint")
            ):
                differ.append("checkpoint")
            if not _same_preprocessing(
                part.metadata.get("preprocessing"), first.metadata.get("preprocessing")
            ):
                differ.append("preprocessing")
            if differ:
                raise ValueError(
                    f"part {k} differs from part 0 in {', '.join(differ)}: concatenate joins "
                    "the windows of one recording embedded alike; for several recordings, save "
                    "each and read them as one table: eegpt.read_embeddings(files)"
                )
            _check_same_time_base(first.metadata, part.metadata, k)
        meta = dict(first.metadata)
        meta["window_index"] = _joined_window_index(parts)
        for name in ("labels", "annotations", *FLAG_KEYS):
            if all(part.metadata.get(name) is not None for part in parts):
                meta[name] = [v for part in parts for v in part.metadata[name]]
            else:
                meta.pop(name, None)
        tables = [t for part in parts if (t := part.metadata.get("epochs_metadata")) is not None]
        if len(tables) == len(parts):
            meta["epochs_metadata"] = _joined_epochs_metadata(tables)
        else:
            meta.pop("epochs_metadata", None)
        data = np.concatenate([part.data for part in parts])
        meta = copy.deepcopy(meta)  # shares no list or dict with the parts' metadata
        return cls(data, _joined_onsets(parts), meta)

    def __repr__(self) -> str:
        src = self.metadata.get("source", "?")
        more = len(self.sources) - 1  # a Raw of several files: not only the first named
        src = f"{src} and {more} more file{'s' if more > 1 else ''}" if more > 0 else src
        return f"<Embeddings {len(self)} windows x {self.data.shape[1:]} from {src}>"

    def __getitem__(self, key: Any) -> Embeddings:
        """The windows selected by ``key``, as Embeddings (like ``epochs[...]`` in MNE): an
        integer, a slice, integer indices, a boolean mask (``emb[~emb.bad]``), or event names
        as MNE takes them (``emb["target"]``; ``emb["aud"]`` for ``"aud/left"`` and
        ``"aud/right"``; a list for any of several; the windows of a continuous recording have
        no names: ``emb[["Stimulus/S  1" in a for a in emb.annotations]]`` selects those a
        marker falls in). Onsets and the per-window
        metadata (labels, annotations, ``epochs_metadata`` rows) follow; ``window_index`` keeps
        each window's index in the whole recording, so a saved selection still says which
        windows it holds.

        The selection shares nothing with ``self``: ``data`` and ``onsets`` are copies of the
        selected rows (NumPy indexing by an index array copies, a slice too here), and the
        metadata is a deep copy, so changing either object leaves the other as it was."""
        names = [key] if isinstance(key, str) else key
        if isinstance(names, (list, tuple)) and names and all(isinstance(k, str) for k in names):
            rows = self._rows_labelled(names)
        else:
            rows = np.atleast_1d(np.arange(len(self))[key])  # numpy's rules and errors
        meta = select_window_metadata(self.metadata, rows, len(self))
        return Embeddings(self.data[rows], self.onsets[rows], meta)

    def _rows_labelled(self, keys: Sequence[str]) -> np.ndarray:
        """Windows whose label has every ``/``-separated tag of any of ``keys``, as MNE selects
        epochs by event name (``"aud"`` takes ``"aud/left"`` and ``"aud/right"``)."""
        labels = self.metadata.get("labels")
        if labels is None:
            raise KeyError(
                f"{keys[0]!r}: these embeddings have no labels (epochs' event names), so windows "
                f"cannot be selected by name. {self._annotated_advice(keys)}"
            )
        tags = [set(str(label).split("/")) for label in labels]
        for key in keys:
            if not any(set(key.split("/")) <= t for t in tags):
                raise KeyError(f"{key!r} is not a label of these windows: {sorted(set(labels))}")
        wanted = [set(key.split("/")) for key in keys]
        return np.array([i for i, t in enumerate(tags) if any(w <= t for w in wanted)], int)

    def _annotated_advice(self, keys: Sequence[str]) -> str:
        """How to select the windows of a continuous recording named by ``keys``: by the
        annotations over them that the keys name (MNE's rule, as for labels), or by
        :meth:`window_labels` for annotations that span time."""
        from eegpt.annotation_labels import select_holding  # it imports MNE: not on loading

        held = list(dict.fromkeys(d for descs in self.annotations for d in descs))
        wanted = [set(key.split("/")) for key in keys]
        named = [d for d in held if any(w <= set(d.split("/")) for w in wanted)]
        spans = (
            "For annotations that span time (sleep stages, task blocks; not markers), label "
            "each window by the one that covers most of it and select with a boolean mask: "
            f"labels = emb.window_labels(raw_or_path, match={keys[0]!r}); emb[labels != None]"
        )
        if named:
            return (
                f"The annotations over the windows (emb.annotations) hold {named[:5]}: "
                f"{select_holding(named)} keeps the windows that hold them (a marker of no "
                "duration, such as a BrainVision stimulus, is listed for the window it falls "
                "in; for epochs around markers, cut mne.Epochs from the Raw and embed those). "
                f"{spans}"
            )
        if held:
            close = difflib.get_close_matches(keys[0], held, n=3, cutoff=0.8)
            meant = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            return (
                f"No annotation over the windows is named {keys[0]!r} (emb.annotations hold "
                f"{held[:8]}{' ...' if len(held) > 8 else ''}).{meant} {spans}"
            )
        return spans

    @property
    def sources(self) -> tuple[str, ...]:
        """Every file the recording was read from, in order: one for a file (its path as
        given, ``metadata["source"]``) or an MNE object read from one file; each file of an
        MNE object read from several (``mne.concatenate_raws``, a split FIF's parts:
        ``metadata["input"]["read_from_all"]``); empty for data made in memory (arrays,
        ``mne.io.RawArray``, a stream). ``metadata["source"]`` (the ``source`` column of a
        Parquet file, the name ``eegpt info`` and figures give) stays the first of them, so
        it is one path as before; ``sources`` needs nothing new in the saved files (those of
        earlier versions give it too) and, after ``eegpt anonymize``, gives the files'
        names."""
        record = self.metadata.get("input")
        every = record.get("read_from_all") if isinstance(record, dict) else None
        if isinstance(every, list) and every:
            return tuple(str(p) for p in every)
        source = str(self.metadata.get("source") or "")
        if not source or (source.startswith("<") and source.endswith(">")):
            return ()
        return (source,)

    @property
    def annotations(self) -> list[list[str]]:
        """The descriptions of the annotations over each window (``metadata["annotations"]``;
        empty lists when the recording had none, e.g. arrays and epochs)."""
        per_window = self.metadata.get("annotations")
        return [[] for _ in range(len(self))] if per_window is None else per_window

    @property
    def epochs_metadata(self) -> Any:
        """``epochs.metadata`` of embedded ``mne.Epochs``, one row per window in the order of
        ``data`` (rows of epochs left out by ``reject_by_annotation`` removed), as a pandas
        DataFrame with the index of ``epochs.metadata`` (which MNE keeps through
        ``epochs.drop``, so rows align with it by label); None for other inputs. Values and
        dtypes come back as they were (numbers to the last digit, categories, dates, nullable
        integers); objects JSON cannot hold (bytes, intervals ...) come back as text.
        ``emb[(md.condition == "a").to_numpy()]`` selects by it;
        ``metadata["window_index"]`` links rows back to the events."""
        record = self.metadata.get("epochs_metadata")
        if record is None:
            return None
        require_pandas("Embeddings.epochs_metadata")
        return metadata_frame(record)

    @property
    def bad(self) -> np.ndarray:
        """Boolean mask ``(n_windows,)``: windows that overlap an annotation marked bad
        (description starting with ``"bad"``, any case, as in MNE). ``emb[~emb.bad]``
        keeps the clean ones; ``embed(..., reject_by_annotation=True)`` leaves them out."""
        from eegpt.annotation_overlap import bad_windows  # (no MNE: info reads it)

        return bad_windows(self.annotations)

    @property
    def flags_recorded(self) -> bool:
        """Whether the windows' flat and clipped channels were recorded
        (``metadata["flat_channels"]`` and ``metadata["clipped_channels"]``): so for a
        continuous recording embedded with the signal checks by this version of eegpt; not
        for files written before, for epochs, or with the checks off."""
        return recorded_flags(self.metadata, len(self)) is not None

    @property
    def flat_channels(self) -> list[list[str]]:
        """The channels flat (zero peak-to-peak for whole seconds) in each window, one list
        per window (empty where none): those the partly-flat warning named, over the
        stretches it named. Not recorded (:attr:`flags_recorded` False): empty lists, with a
        warning that this is unknown, not clean."""
        return self._flags("flat_channels")

    @property
    def clipped_channels(self) -> list[list[str]]:
        """The channels clipped in each window (samples at the extremes the clipping warning
        named them clipped at, over the stretches it named), one list per window; as
        :attr:`flat_channels` where not recorded."""
        return self._flags("clipped_channels")

    @property
    def flagged(self) -> np.ndarray:
        """Boolean mask ``(n_windows,)``: windows over a flat or clipped stretch that the
        signal checks warned of (:attr:`flat_channels`, :attr:`clipped_channels`).
        ``emb[~emb.flagged]`` keeps the others, as ``emb[~emb.bad]`` those outside bad
        annotations. Where the flags were not recorded (:attr:`flags_recorded` False: a file
        written before eegpt recorded them, epochs, the checks off) all False, with a warning
        that this is unknown, not clean. Channels flat throughout (warned of on their own:
        drop them) flag no window."""
        flags = recorded_flags(self.metadata, len(self))
        if flags is None:
            self._warn_flags_unknown()
            return np.zeros(len(self), dtype=bool)
        return flagged_mask(flags, len(self))

    def _flags(self, key: str) -> list[list[str]]:
        flags = recorded_flags(self.metadata, len(self))
        if flags is None:
            self._warn_flags_unknown()
            return [[] for _ in range(len(self))]
        return flags[key]

    def _warn_flags_unknown(self) -> None:
        _warn(
            f"{self.metadata.get('source', 'these embeddings')}: no per-window flat/clipped "
            "flags were recorded (a file written before eegpt recorded them, a recording of an "
            "embed-dataset run started before its shards held them, epochs, or the signal "
            "checks turned off), so no window counts as flagged: that is unknown, not clean. "
            "Embed the recording again with this version of eegpt to record them; the "
            "flat and clipped stretches are named in metadata['warnings'] where checked."
        )

    def window_labels(
        self,
        annotations: Any,
        *,
        match: str | Mapping[str, str] | None = None,
        min_overlap: float = DEFAULT_MIN_OVERLAP,
        label_bad: bool = False,
    ) -> np.ndarray:
        """One label per window from annotations that span time, e.g. the sleep stages of a
        hypnogram (see :func:`eegpt.annotations.window_labels`: the description covering most
        of a window, if it covers ``min_overlap`` of it; else None). Bad windows get no label
        (None): those :attr:`bad` marks and those over a bad annotation of ``annotations``,
        as ``eegpt probe train --window-labels`` leaves them out; so ``emb[labels == "EC"]``
        holds no window over a ``BAD_muscle`` span. An exact tie goes to the
        label whose annotation over the window starts first in time: a 4 s window with 2 s of
        ``bckg`` and then 2 s of ``seiz`` is ``bckg``. To label a window by any overlap, match
        that class only with a tiny ``min_overlap``: ``match={"seizure": "seiz|sz$"},
        min_overlap=1e-6`` makes every window a seizure annotation touches ``"seizure"``.
        Markers that span no time (BrainVision's stimuli) label no window: the windows they
        fall in list them in :attr:`annotations`, so
        ``emb[["Stimulus/S  1" in a for a in emb.annotations]]`` selects those.

        Parameters
        ----------
        annotations : mne.io.Raw | mne.Annotations | str | path-like
            The recording as a Raw or its path (``.vhdr``, ``.set``, ``.fif``, ``.edf`` ...:
            its annotations), an ``mne.Annotations``, or a file ``mne.read_annotations`` reads
            (a Sleep-EDF ``*-Hypnogram.edf``, a BrainVision ``.vmrk``), a BIDS
            ``*_events.tsv`` or a TUH ``.csv_bi``/``.tse``. Annotations with
            a start time (``orig_time``) are placed against the recording's measurement date
            (``metadata["meas_date"]``), others count from its first sample.
        match : str | Mapping[str, str] | None
            Regular expression a description must contain, e.g. ``"^Sleep stage"`` (each
            matching description its own label), or classes ``{label: regex}`` that merge
            descriptions, e.g. ``{"seizure": "fnsz|gnsz|cpsz"}`` (a description takes the
            label of the first regex it contains).
        min_overlap : float
            Fraction of a window the label must cover, in ``(0, 1]``; a tiny one (``1e-6``)
            takes any overlap.
        label_bad : bool
            Label bad windows as the others (False, the default: None).

        Returns
        -------
        ndarray of object, shape (n_windows,)
            Labels, None where no description covers enough or the window is bad:
            ``emb[labels != None]`` (or
            ``pandas.notna``) keeps the labelled windows.
        """
        import mne

        from eegpt.annotation_files import check_named, counts_samples, read_annotations
        from eegpt.annotation_labels import window_labels
        from eegpt.annotation_placement import file_offset_for
        from eegpt.annotation_time import annotations_of, in_recording_time

        clock = None
        if self.metadata.get("record_clock"):  # a discontinuous EDF+D file
            from eegpt.edf_files import RecordClock

            clock = RecordClock.from_dict(self.metadata["record_clock"])
        if isinstance(annotations, mne.io.BaseRaw):
            spans = annotations_of(annotations)
            if clock is not None and not any(
                d == "BAD boundary" for d in annotations.annotations.description
            ):
                _warn(
                    "window_labels: these embeddings are of a discontinuous EDF+D/BDF+D file, "
                    "whose annotations MNE places late after each gap; this Raw's were not "
                    "placed by eegpt (eegpt.io.read_recording does): give the annotation "
                    "file or the recording's path instead"
                )
        else:
            check_named(annotations, self.metadata.get("source"))  # another recording's file?
            found = read_annotations(annotations)
            spans = in_recording_time(
                found,
                self.metadata.get("meas_date"),
                float(self.metadata.get("first_time") or 0.0),
                None if counts_samples(annotations) else clock,  # BrainVision markers: samples
                file_offset=file_offset_for(
                    annotations, found, self.metadata.get("file_offset"), "window_labels"
                ),
            )
        length = float((self.metadata.get("preprocessing") or {}).get("window_seconds", 4.0))
        # the windows' end, rejected ones too; the recording may go on for less than a window
        starts = [*np.asarray(self.onsets, dtype=float).tolist()]
        starts += [float(t) for t in self.metadata.get("rejected_by_annotation") or []]
        labels = window_labels(
            spans,
            self.onsets,
            length,
            match=match,
            min_overlap=min_overlap,
            source=self.metadata.get("source"),
            given=annotations,
            end_s=max(starts) + length if starts else None,
            slack_s=length,
            bad=self.bad,
            label_bad=label_bad,
        )
        return np.array(labels, dtype=object)

    def clock_times(self, absolute: bool = False) -> np.ndarray:
        """Window onsets on the recording's clock.

        They count from the acquisition start, the moment of the measurement date, for a Raw
        and for epochs alike: a Raw's :attr:`onsets` count from its first sample, so
        ``metadata["first_time"]`` is added (nonzero for a cropped Raw or a FIF file with
        ``first_samp > 0``; else they equal :attr:`onsets`), and in a discontinuous
        EDF+D/BDF+D file, whose stretches MNE reads back to back, each window is moved by the
        gaps before it (a window over a gap, flagged bad, is placed by its start).

        Parameters
        ----------
        absolute : bool
            False: seconds on the clock from the acquisition start (the measurement date's
            moment; :attr:`onsets` plus ``metadata["first_time"]`` for a Raw, whose onsets
            count from its first sample), float64 (the ``clock_s`` column of the saved
            tables), the same for a Raw's windows and its epochs at the same moment. True: the moments themselves, naive ``datetime64[us]``,
            from the recording's measurement date (``metadata["meas_date"]``) and its first
            sample (``metadata["first_time"]``): the recording's wall clock as its header
            states it (an EDF/BDF/BrainVision header holds local time, which MNE labels
            UTC; FIF and EGI ``.mff`` store UTC: ``metadata["clock"]`` says which; the
            ``clock_time`` column of the saved tables).

        Returns
        -------
        ndarray, shape (n_windows,)
        """
        seconds, moments = window_clock(self.metadata, self.onsets)
        if not absolute:
            return seconds
        if moments is None and self.metadata.get("clock") == ANONYMIZED_CLOCK:
            raise ValueError(
                "clock_times(absolute=True): the recording's start date is EDF's placeholder "
                "for an unknown or anonymized start (1985-01-01 00:00:00; metadata['clock'] "
                "is 'anonymized'), so its clock is unknown: seconds only (absolute=False); "
                "for a BIDS recording give its start as acq_time in its *_scans.tsv"
            )
        if moments is None:
            raise ValueError(
                "clock_times(absolute=True): the recording has no measurement date "
                "(metadata['meas_date']); arrays, anonymised files and Raw objects without one give "
                "seconds only (absolute=False)"
            )
        return moments

    def pooled(self, how: str | Callable[[np.ndarray], np.ndarray] = "mean") -> np.ndarray:
        """One vector per window, ``[n, n_features]``: a name of :data:`POOLINGS` or a callable,
        as in :func:`pool_embeddings`. With ``data`` ``[n, N, S, D]`` (N patches, S summary
        tokens, width D): ``"mean"`` over patches and tokens ``[n, D]``; ``"flatten"``
        ``[n, N*S*D]``; ``"mean_patches"`` (over patches) ``[n, S*D]``; ``"mean_tokens"`` (over
        summary tokens) ``[n, N*D]``. Embeddings stored mean-pooled (``embed-dataset --pool
        mean``: ``metadata["pool"] == "mean"``) give ``"mean"`` only: the other poolings need
        the summary tokens, which such a run did not keep."""
        stored = self.metadata.get("pool")
        if stored not in (None, "none") and isinstance(how, str) and how != stored:
            raise ValueError(
                f"pooled({how!r}): these embeddings were stored pooled ({stored!r}, one vector "
                f"per window: --pool {stored}), so {how!r} cannot be computed from them; use "
                f"pooled({stored!r}), or embed again with --pool none to keep every summary token"
            )
        return pool_embeddings(self.data, how)

    def to_data_frame(self, pooling: str | Callable[[np.ndarray], np.ndarray] | None = None) -> Any:
        """One row per window as a pandas DataFrame, as MNE's ``to_data_frame``.

        Columns as in a saved Parquet file: ``source``, ``window``, ``onset_s`` (float64
        seconds of recorded data from the first sample), ``clock_s`` (float64 seconds on the
        recording's clock from its acquisition start: ``onset_s`` plus ``first_time`` and,
        after each gap of an EDF+D file, the gaps before it), ``clock_time`` (naive ``datetime64``: the recording's wall clock as its header
        states it, local for EDF/BDF/BrainVision, UTC for FIF/.mff, as ``metadata["clock"]``
        records; NaT without a measurement date; the key to join clinical timelines on),
        ``label`` (epochs with event names), ``annotations``, ``bad``, ``flat_channels``,
        ``clipped_channels`` and ``flagged`` (where recorded: :attr:`flagged`), the columns of
        ``epochs.metadata``, and the embeddings: with ``pooling=None`` one ``embedding`` column
        (arrays of N*S*D float32, as ``pandas.read_parquet`` gives them), with a pooling (see
        :meth:`pooled`) one float32 column per feature (``eegpt_d0`` ... for ``"mean"``, see
        :func:`feature_names`), ready for statistics or plotting. Needs pandas and pyarrow.
        """
        pa, _ = require_pyarrow("Embeddings.to_data_frame")
        pd = require_pandas("Embeddings.to_data_frame")
        columns = _WindowColumns(self.metadata, self.onsets)
        pandas_dtypes = columns.schema_metadata()
        if pooling is None:
            arrays = columns.arrays(0, len(self), _embedding_array(self.data))
            return pa.table(dict(arrays), metadata=pandas_dtypes).to_pandas()
        frame = pa.table(dict(columns.arrays(0, len(self))), metadata=pandas_dtypes).to_pandas()
        features = self.pooled(pooling)
        names = feature_names(pooling, self.data.shape[1:], features.shape[1])
        # metadata columns named like features
        clashes = clash_renames(frame.columns, set(names), set(frame.columns) | set(names))
        frame = frame.rename(columns=clashes)
        return pd.concat([frame, pd.DataFrame(features, columns=names)], axis=1)

    # the figures of eegpt.viz, bound to these embeddings (their keywords in the signature)
    if TYPE_CHECKING:  # what type checkers see (eegpt._methods)
        plot = eegpt.viz.plot_embeddings
        plot_channels = eegpt.viz.plot_channel_mapping
    else:
        plot = function_method("eegpt.viz", "plot_embeddings")
        plot_channels = function_method("eegpt.viz", "plot_channel_mapping")

    def save(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Write to ``.npz`` or ``.parquet`` (by suffix), atomically; never overwrite unless asked.

        Raises
        ------
        OutputExistsError
            (a ``FileExistsError``) If ``path`` exists and ``overwrite`` is False.
        ValueError
            For another suffix.
        """
        with EmbeddingsWriter(
            path, self.data.shape, self.onsets, self.metadata, overwrite=overwrite
        ) as writer:
            writer.write(self.data)
        return writer.path


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
        JSON-serialisable provenance (see :class:`Embeddings`).
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
            raise _exists(self.path)
        self._rows = 0
        self._tmp, fh = _temporary(self.path)
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
        (:data:`LATE_METADATA_KEY`), which :func:`load_embeddings` applies over the schema's."""
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
            _finish(self._fh)
            _commit(self._tmp, self.path, self.overwrite)
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


RUN_MANIFEST = "_manifest.json"
"""The file that marks a folder written by :func:`eegpt.embed_dataset` (its settings and
reports; ``eegpt.dataset.MANIFEST``)."""


def load_embeddings(
    path: str | os.PathLike | Sequence[str | os.PathLike], recording_id: str | None = None
) -> Embeddings:
    """Read a file written by :meth:`Embeddings.save`, or one recording of a folder written
    by :func:`eegpt.embed_dataset`, e.g. to plot it.

    Parameters
    ----------
    path : str | path-like | sequence of path-like
        An ``.npz`` or ``.parquet`` file of one recording (``eegpt embed``,
        :meth:`Embeddings.save`, :func:`eegpt.embed_to_file`), or an ``embed-dataset``
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
        from eegpt.dataset_read import run_folders

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


def _load_outline(path: str | os.PathLike) -> Embeddings:
    """An embeddings file as :func:`load_embeddings` reads it, with its checks and messages,
    but without its embeddings (a 24 h recording's are gigabytes): its onsets and provenance
    (per-window annotations included, so :attr:`Embeddings.bad` holds), and ``data`` a
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
        with archive as f:
            if not {"embeddings", "onsets", "metadata"} <= set(f.files):
                raise ValueError(
                    f"{path} holds {sorted(f.files)}, not eegpt embeddings (embeddings, onsets, "
                    "metadata); was it written by eegpt?"
                )
            data = f["embeddings"] if with_data else _without_data(_npz_shape(f))
            return Embeddings(data, f["onsets"], json.loads(str(f["metadata"][()])))
    if output_format(path) == ".parquet":
        pa, pq = require_pyarrow()
        try:
            table = pq.read_table(path) if with_data else None
            schema = pq.read_schema(path) if table is None else table.schema  # no data read
        except pa.ArrowInvalid as err:  # empty, truncated, or not Parquet at all
            why = _unreadable_reason(path, err, str(err))
            raise UnreadableOutputError(
                f"{path} is not a Parquet file eegpt wrote ({why})"
            ) from err
        raw = (schema.metadata or {}).get(b"eegpt")
        if raw is None:
            raise ValueError(f"{path} has no eegpt metadata; was it written by eegpt?")
        meta = {**json.loads(raw), **_late_metadata(pq, path)}
        if str(meta.get("format", "")).startswith("eegpt-dataset"):
            raise ValueError(
                f"{path} is a shard of an embed-dataset run (one row per window of many "
                "recordings); read the run's folder with pandas.read_parquet(folder) or "
                "eegpt.read_embeddings(folder)"
            )
        shape = tuple(meta.pop("shape"))
        if table is None:
            onsets = pq.read_table(path, columns=["onset_s"]).column("onset_s").to_numpy()
            return Embeddings(_without_data(shape), onsets, meta)
        flat = table.column("embedding").combine_chunks().flatten().to_numpy()
        data = flat.reshape(shape).astype(np.float32, copy=False)
        return Embeddings(data, table.column("onset_s").to_numpy(), meta)
    raise ValueError(f"unsupported embeddings file {path.name!r}: use one of {FORMATS}")


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


#: The footer key of a Parquet file's provenance known only after its schema was written
#: (:meth:`EmbeddingsWriter.update_metadata`); it replaces the schema's ``eegpt`` entries.
LATE_METADATA_KEY = "eegpt_late"


def _late_metadata(pq: Any, path: Path) -> dict[str, Any]:
    """The provenance entries a Parquet file's writer updated after writing its schema."""
    raw = (pq.read_metadata(path).metadata or {}).get(LATE_METADATA_KEY.encode())
    return {} if raw is None else json.loads(raw)


#: Where a recording's onsets count from (provenance keys; a corpus run's file statuses).
_TIME_BASE = ("first_time", "meas_date", "clock", "record_clock", "file_offset")
#: How its windows were zero-padded, or its end left out (as :func:`eegpt.api.tail_record`
#: and :func:`eegpt.api.epoch_padding_record` give them; a corpus run's file statuses).
_PADDING = ("padded_tail", "tail_left_out_s", "padded_epochs")


#: The start of read_embeddings' warning of an id filter that matches only in another Unicode
#: normalisation, which load_embeddings says in its KeyError instead (:func:`_why_no_rows`).
_OTHER_NORMALISATION = "read_embeddings: no row has recording_id"


def _recording_of_run(folder: Path, recording_id: str) -> Embeddings:
    """The windows of one recording of an embed-dataset folder, as :class:`Embeddings`."""
    from eegpt.dataset_read import read_embeddings, read_shard_status, shard_files
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
    if spec.get("pool", "none") != "none":  # one vector per window: as 1 patch x 1 token
        metadata["pool"] = spec["pool"]
        data = data.reshape(len(data), 1, 1, -1)
    return Embeddings(data, table["onset_s"].to_numpy(), metadata)


def _recording_of_runs(
    given: str | os.PathLike | Sequence[str | os.PathLike], recording_id: str
) -> Embeddings:
    """:func:`_recording_of_run` of the run folder that holds ``recording_id`` among those
    ``given`` names (a folder of ``--part`` run folders, or a sequence of folders), once
    :func:`eegpt.read_embeddings` would read them together (its refusals, its warnings)."""
    from eegpt.dataset_read import expand_run_folders, read_embeddings

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
    """The rows of a run folder's ``_files.csv``, or None where it cannot be read."""
    import csv

    from eegpt.dataset_read import FILES_REPORT

    try:
        with open(folder / FILES_REPORT, newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except OSError:
        return None


def _stored_file_status(folder: Path, recording_id: str) -> dict[str, Any]:
    """A recording's file status in its shard's footer (the shard named by ``_files.csv``):
    its time base (``first_time``, ``meas_date``, ``record_clock``), ``dropped_channels`` ...;
    empty where not recorded."""
    from eegpt.dataset_read import read_shard_status, shard_name

    try:
        rows = _files_report(folder) or []
        shard = next(int(r["shard"]) for r in rows if r["recording_id"] == recording_id)
        _, status = read_shard_status(folder / shard_name(shard))
    except (OSError, StopIteration, ValueError, KeyError):
        return {}
    return next((f for f in status.get("files", []) if f.get("recording_id") == recording_id), {})


def _why_no_rows(folder: Path, recording_id: str) -> str:
    """What the run's file report says about a recording without rows."""
    from eegpt.dataset_read import shard_name

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


def atomic_write(path: Path, write: Callable[[Any], None], *, overwrite: bool = True) -> None:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it into place.

    A crash at any point leaves either the previous file or the complete new one, never a
    partial file under the final name (after a hard kill, a hidden ``.<name>.*.tmp`` file may
    remain).

    Parameters
    ----------
    path : Path
        Destination; parent folders are created.
    write : callable
        Writes the content to the binary file object it is given.
    overwrite : bool
        Replace an existing ``path`` (default). With False, an existing file, even one created
        while ``write`` ran, raises :class:`~eegpt.errors.OutputExistsError`.
    """
    path = user_path(path)
    tmp, fh = _temporary(path)
    try:
        with fh:
            write(fh)
            _finish(fh)
        _commit(tmp, path, overwrite)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_output_folder(folder: str | os.PathLike, output: str | os.PathLike | None = None) -> None:
    """Refuse, before any work, a folder that outputs cannot be written to: one below a file,
    or where no file can be made (a read-only file system, no permission). The folder itself,
    or the nearest one above it that exists (where it would be made), is tried with a nameless
    temporary file; nothing is created. ``output``: the output as the user named it (a file
    in ``folder``), for the message.

    Raises
    ------
    OutputNotWritableError
        (an ``OSError``) Naming the output and why it cannot be written.
    """
    folder = Path(folder)
    shown = Path(output) if output is not None else folder
    existing = folder
    while not existing.exists() and existing != existing.parent:  # a relative one ends at "."
        existing = existing.parent
    if not existing.is_dir():
        raise OutputNotWritableError(
            f"cannot write the output to {shown}: {existing} is a file, not a folder; choose "
            "another output path"
        )
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        reason = err.strerror or type(err).__name__
        where = "" if existing == folder else f" (in {existing}, where its folder would be made)"
        raise OutputNotWritableError(
            f"cannot write the output to {shown}: {reason[:1].lower()}{reason[1:]}{where}; "
            "choose another output folder"
        ) from err


def _temporary(path: Path) -> tuple[Path, Any]:
    """A new hidden temporary file beside ``path`` and its binary handle."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temporary_beside(path, tag=writer_tag())  # its writer named: see remove_stale
    return tmp, os.fdopen(fd, "wb")


def _finish(fh: Any) -> None:
    """Flush ``fh`` to disk and close it."""
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


def _exists(path: Path) -> OutputExistsError:
    return OutputExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")


def _commit(tmp: Path, path: Path, overwrite: bool) -> None:
    """Rename the finished ``tmp`` to ``path``; without ``overwrite`` never replace a file."""
    if overwrite:
        os.replace(tmp, path)
    else:
        try:
            os.link(tmp, path)  # atomic, and fails if ``path`` exists (no check-then-act race)
        except FileExistsError:
            raise _exists(path) from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise _exists(path) from None
            os.replace(tmp, path)
        else:
            tmp.unlink()
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort; not possible on every platform)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def parquet_writer(where: Any, schema: Any) -> Any:
    """A ``pyarrow.parquet.ParquetWriter`` for embeddings: the ``embedding`` column without
    dictionary encoding (unique floats: a dictionary made the files 1.2-1.5x larger and the
    writer several times slower), zstd compression (readable by pandas, polars, DuckDB, Spark),
    and a CRC-32 checksum in every page header (damage inside the data is found when read with
    ``page_checksum_verification=True``, as ``eegpt info --verify`` reads).
    """
    _, pq = require_pyarrow(writing=True)
    others = [name for name in schema.names if name != "embedding"]
    return pq.ParquetWriter(
        where, schema, compression="zstd", use_dictionary=others, write_page_checksum=True
    )


def require_output_dependencies(path: str | Path) -> None:
    """Raise :class:`~eegpt.errors.MissingDependencyError` when writing ``path`` (by its
    suffix) needs optional packages that are missing (pyarrow for ``.parquet``), so that it is
    said before any recording is read."""
    if output_format(path) == ".parquet":
        require_pyarrow(writing=True)


def require_pandas(what: str) -> Any:
    """The ``pandas`` module, or a :class:`~eegpt.errors.MissingDependencyError` that says
    ``what`` needs it and how to install it (the ``parquet`` extra)."""
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(f"{what} needs pandas: {install_hint('parquet')}") from err
    return pd


def require_pyarrow(what: str = "writing Parquet (or use a .npz output)", *, writing: bool = False):
    """``(pyarrow, pyarrow.parquet)``, or an ImportError that says how to install them;
    ``writing``: also refuse a pyarrow older than :data:`MIN_PYARROW`, whose Parquet writer
    lacks what eegpt's writers use (reading works with older ones)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(f"{what} needs pyarrow: {install_hint('parquet')}") from err
    found = _major_version(pa.__version__)
    if writing and found is not None and found < MIN_PYARROW:
        raise MissingDependencyError(
            f"{what} needs pyarrow {MIN_PYARROW} or later (its ParquetWriter's "
            f"add_key_value_metadata and write_page_checksum); pyarrow {pa.__version__} is "
            f"installed: pip install --upgrade 'pyarrow>={MIN_PYARROW}'"
        )
    return pa, pq


#: The oldest pyarrow whose Parquet writer eegpt's outputs use (pyproject's bound)
MIN_PYARROW = 17


def _major_version(version: str) -> int | None:
    """The major number of a version text (``"16.1.0"`` -> 16); None where it has none."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def windows_text(n: int, metadata: Mapping[str, Any]) -> str:
    """``"3 windows"``, or for epochs whose onsets number them end to end (``metadata``'s
    :data:`EPOCH_ONSETS_KEY`), ``"3 epochs (separate, onsets numbered end to end)"``, whose
    onsets would otherwise read as those of contiguous windows."""
    if metadata.get(EPOCH_ONSETS_KEY) == "end_to_end":
        return f"{n} epoch{'' if n == 1 else 's'} (separate, onsets numbered end to end)"
    return f"{n} window{'' if n == 1 else 's'}"


#: Key of the record of an input given as an object in memory (an MNE Raw or Epochs, an
#: array) in an output's metadata: :func:`eegpt.api.input_record`.
INPUT_KEY = "input"


def input_text(record: Any) -> str | None:
    """What ``eegpt info`` says of an output's input given in memory (:func:`eegpt.api.input_record`),
    or None for a recording given as a path (or an output of an earlier version)."""
    if not isinstance(record, dict) or not record.get("object"):
        return None
    read = f" read from {record['read_from']}" if record.get("read_from") else ""
    every = record.get("read_from_all")
    if isinstance(every, list) and len(every) > 1:
        names = [Path(str(p)).name or str(p) for p in every]
        read = f" read from {len(every)} files ({few(names, 4)})"
    return (
        f"an in-memory {record['object']}{read} (changes made to it in memory are not "
        "recorded; no file hashes)"
    )


def _check_same_time_base(first: dict[str, Any], part: dict[str, Any], k: int) -> None:
    """Raise if part ``k``'s onsets (s) count from another start than part 0's: the
    ``_TIME_BASE`` entries both record differ (another recording, or another crop of one
    file). An entry one part lacks (written before it was recorded) is not compared."""
    differ = [
        f"{key} {part[key]!r} (part 0: {first[key]!r})"
        for key in _TIME_BASE
        if key in first and key in part and part[key] != first[key]
    ]
    if differ:
        raise ValueError(
            f"part {k} has another time base than part 0: {', '.join(differ)}. Its onsets "
            "count from another start (another recording, or another crop of one file), so "
            "joined they would give wrong clock times. Embed the whole recording once and "
            "select its windows (emb[mask]), or keep the parts apart: save each and read them "
            "as one table with eegpt.read_embeddings(files)"
        )


def _numbered_on(metadata: Mapping[str, Any]) -> bool:
    """Whether an output that records no ``window_index`` is a batch of windows given in
    memory (an array, or epochs numbered end to end): not of one recording's file, so its
    windows are other windows than those of the parts before it, numbered on from them."""
    record = metadata.get(INPUT_KEY)
    in_memory = isinstance(record, Mapping) and bool(record.get("in_memory"))
    return in_memory or metadata.get(EPOCH_ONSETS_KEY) == "end_to_end"


def _part_window_index(part: Embeddings, offset: int) -> list[int]:
    """A part's ``window_index``: its own; where it records none, ``offset .. offset+n-1``
    for a batch given in memory (:func:`_numbered_on`, ``offset`` the rows of the parts
    before it), else ``0 .. n-1`` (a freshly embedded recording)."""
    if "window_index" in part.metadata:
        return [int(i) for i in part.metadata["window_index"]]
    start = offset if _numbered_on(part.metadata) else 0
    return list(range(start, start + len(part)))


def _joined_window_index(parts: Sequence[Embeddings]) -> list[int]:
    """The ``window_index`` of the parts joined (:func:`_part_window_index`: batches of an
    array numbered on, as embedded at once); raises if a window is in two parts (it would be
    a row twice)."""
    index: list[int] = []
    seen: dict[int, int] = {}
    for k, part in enumerate(parts):
        own = _part_window_index(part, len(index))
        twice = sorted({i for i in own if i in seen})
        if twice:
            shown = ", ".join(str(i) for i in twice[:5]) + (" ..." if len(twice) > 5 else "")
            raise ValueError(
                f"part {k} holds windows that part {seen[twice[0]]} holds too (window_index "
                f"{shown}): joined, those windows would be rows twice. Join disjoint "
                "selections (emb[:5], emb[5:]), or select the windows once (emb[mask])"
            )
        seen.update(dict.fromkeys(own, k))
        index += own
    return index


def _continued(part: Embeddings) -> bool:
    """Whether a part's onsets are continued from the parts before it when joined: a batch
    given in memory that is numbered on (:func:`_numbered_on`, no ``window_index``) whose
    epochs' onsets number them end to end (``metadata["epoch_onsets"] == "end_to_end"``:
    epoch ``k`` at ``k`` times the epoch length, counted from the batch's first epoch)."""
    meta = part.metadata
    return (
        "window_index" not in meta
        and _numbered_on(meta)
        and meta.get(EPOCH_ONSETS_KEY) == "end_to_end"
    )


def _epoch_seconds(part: Embeddings, parts: Sequence[Embeddings]) -> float | None:
    """The length in seconds of the epochs of a part whose onsets number them end to end: the
    step between its first two onsets (``k`` times it for epoch ``k``, as embedded). A part of
    one epoch has no step: that of another part of ``parts`` with epochs as long (end to end,
    the same input rate, preprocessing and ``padded_epochs``: batches of one array), else its
    epochs' samples at the model's rate (``padded_epochs``' ``recorded_samples``, else a
    window's) over the input's rate where the two rates are one (exact), else over the
    model's rate (to the resampler's rounding: up to a sample at the model's rate); None
    where the metadata records no window length either."""
    alike = [p for p in parts if len(p) > 1 and _same_epochs(p.metadata, part.metadata)]
    if len(part) > 1 or alike:
        steps = (part if len(part) > 1 else alike[0]).onsets
        return float(steps[1] - steps[0])
    meta = part.metadata
    spec = meta.get("preprocessing") or {}
    if "window_seconds" not in spec:
        return None
    rate = float(spec.get("sfreq", 256.0))
    padded = meta.get("padded_epochs") or {}
    samples = padded.get("recorded_samples") or round(float(spec["window_seconds"]) * rate)
    sfreq_in = float(meta.get("sfreq_in", rate))
    return samples / (sfreq_in if sfreq_in == rate else rate)


def _same_epochs(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two outputs' metadata describe epochs end to end of one length: the same input
    rate, preprocessing and zero-padding (``padded_epochs``)."""
    keys = (EPOCH_ONSETS_KEY, "sfreq_in", "preprocessing", "padded_epochs")
    return a.get(EPOCH_ONSETS_KEY) == "end_to_end" and all(a.get(k) == b.get(k) for k in keys)


def _joined_onsets(parts: Sequence[Embeddings]) -> np.ndarray:
    """The onsets (s, float64, shape (n_windows,)) of the parts joined: each part's own, but
    for batches whose epochs lie end to end (:func:`_continued`), continued from the parts
    before, as the whole array embedded at once gives them: the window ``start + j`` (``start``
    the rows before it, as its ``window_index`` counts) at ``(start + j)`` times the epoch
    length, plus the batch's own offset from its grid (0 for an array or an EpochsArray);
    its own where its epoch length is unknown (:func:`_epoch_seconds`)."""
    joined: list[np.ndarray] = []
    start = 0
    for part in parts:
        own = np.asarray(part.onsets, dtype=np.float64)
        step = _epoch_seconds(part, parts) if start and _continued(part) else None
        if step is not None:
            grid = np.arange(len(own), dtype=np.float64) * step
            own = np.arange(start, start + len(own), dtype=np.float64) * step + (own - grid)
        joined.append(own)
        start += len(own)
    return np.concatenate(joined)


def _joined_epochs_metadata(tables: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``epochs_metadata`` records of the parts (:func:`metadata_record`) as one, rows in
    part 0's column order (joined by column name); raises if a part has other columns."""
    columns = list(tables[0]["columns"])
    rows: list[list[Any]] = []
    for k, table in enumerate(tables):
        own = list(table["columns"])
        if sorted(own) != sorted(columns):
            raise ValueError(
                f"part {k}'s epochs metadata has columns {own}, part 0's {columns}: joined, "
                "its rows would have no value for some columns. Give the epochs the same "
                "metadata columns before embedding, or keep the parts apart"
            )
        where = [own.index(c) for c in columns]
        rows += [[row[i] for i in where] for row in table["data"]]
    joined = dict(tables[0], data=rows)
    if "index" in tables[0]:
        joined["index"] = [i for t in tables for i in t.get("index", [])]
    return joined
