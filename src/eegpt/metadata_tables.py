"""``epochs.metadata`` (a pandas DataFrame) kept in an output's JSON provenance
(:func:`metadata_record`) and restored with its dtypes (:func:`metadata_frame`); new names for
columns whose names clash with others (:func:`unique_column_name`, :func:`clash_renames`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from eegpt.optional_packages import require_pandas

__all__ = ["clash_renames", "metadata_frame", "metadata_record", "unique_column_name"]


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
        if str(column.dtype) == dtype:
            continue
        if column.dtype.kind == "f" and pd.api.types.is_integer_dtype(dtype):
            # integers with gaps, which pandas read as floats (rounding those beyond 2**53,
            # 9007199254740993 to ...992): from the values as written, every digit kept
            written = pd.Series([row[j] for row in record["data"]], index=frame.index, dtype=object)
            exact = _restored(written, dtype)
            if exact is not written:
                frame.isetitem(j, exact)
                continue
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
