"""The tables of windows read back: one pyarrow schema for shards whose parts typed a column
apart (:func:`_common_schema`), pandas frames with nullable integer and boolean columns
(:func:`_nullable_frame`), ``epochs.metadata`` spread into columns
(:func:`expand_metadata_column`), and the column names the rows reserve
(:data:`RESERVED_COLUMNS`).

pyarrow and pandas are imported where a table is made, never at import.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eegpt.metadata_tables import clash_renames
from eegpt.optional_packages import require_pandas

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
    "source_changed",  # read_embeddings' (a run's rows of recordings changed since embedded)
    "epochs_metadata",
    "embedding",
)


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


def _exact_integers(values: list[int | None], index: Any) -> Any:
    """JSON integers with gaps (None) as a nullable ``Int64`` column, ``UInt64`` where one is
    beyond int64's range, else (beyond both) an object column of the integers as written:
    never floats, which round those beyond 2**53."""
    pd = require_pandas("read_embeddings")

    for dtype in ("Int64", "UInt64"):
        try:
            return pd.array(values, dtype=dtype)
        except (OverflowError, TypeError, ValueError):
            continue
    return pd.Series(values, index=index, dtype=object)


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
            wide[name] = _exact_integers([r.get(name) for r in records], wide.index)
    rest = frame.drop(columns="epochs_metadata")
    own = set(schema_names) | set(RESERVED_COLUMNS)
    renames = clash_renames(wide.columns, own, own | set(rest.columns) | set(wide.columns))
    return pd.concat([rest, wide.rename(columns=renames)], axis=1)
