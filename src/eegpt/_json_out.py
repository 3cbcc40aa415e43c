"""JSON for ``eegpt info --json`` and ``eegpt channels --json``: the metadata the text is made
from, made JSON-safe, one object per line (JSON Lines). Imports neither torch nor MNE nor
SciPy: ``eegpt info`` stays light."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON values: NumPy scalars and arrays as numbers and lists, paths as
    strings, dates and times in ISO 8601, tuples and sets as lists, named tuples and dataclasses
    as objects, mapping keys as strings, bytes as hex; NaN and infinities as ``null`` (no
    JSON value). Anything else as its ``str``."""
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if hasattr(value, "_asdict"):  # a named tuple: an object, as a dataclass
        return json_safe(value._asdict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return json_safe(dataclasses.asdict(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [json_safe(v) for v in items]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    numpy = sys.modules.get("numpy")  # not imported for it: a value of NumPy's imported it
    if numpy is not None and isinstance(value, (numpy.generic, numpy.ndarray)):
        return json_safe(value.tolist())
    return str(value)


def print_json(record: Mapping[str, Any], file: TextIO | None = None) -> None:
    """Write ``record`` (:func:`json_safe`) as one line of JSON (a line of JSON Lines), in
    ASCII: characters beyond it (a label ``Ä1``) and DEL as ``\\uXXXX`` escapes, so that the
    line parses whatever the stream's encoding (an ASCII one writes what it cannot encode as
    ``\\xNN``, no JSON) and the terminal's escaping of control characters leaves it alone."""
    text = json.dumps(json_safe(record), allow_nan=False, ensure_ascii=True)
    text = text.replace("\x7f", "\\u007f")
    print(text, file=file if file is not None else sys.stdout, flush=True)
