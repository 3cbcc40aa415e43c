"""The optional packages eegpt's tables need, pandas and pyarrow (the ``parquet`` extra):
imported when needed (:func:`require_pandas`, :func:`require_pyarrow`), or an error that says
what needs them and how to install them; :func:`require_output_dependencies` checks, before
any recording is read, that an output file's format can be written. Imports neither torch
nor MNE nor SciPy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eegpt.errors import MissingDependencyError, install_hint

__all__ = ["MIN_PYARROW", "require_output_dependencies", "require_pandas", "require_pyarrow"]


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


def require_output_dependencies(path: str | Path) -> None:
    """Raise :class:`~eegpt.errors.MissingDependencyError` when writing ``path`` (by its
    suffix) needs optional packages that are missing (pyarrow for ``.parquet``), so that it is
    said before any recording is read."""
    from eegpt.output_files import output_format  # (it imports this module)

    if output_format(path) == ".parquet":
        require_pyarrow(writing=True)


def _major_version(version: str) -> int | None:
    """The major number of a version text (``"16.1.0"`` -> 16); None where it has none."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None
