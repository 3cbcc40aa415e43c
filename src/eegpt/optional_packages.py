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
    ``what`` needs it and how to install it (the ``parquet`` extra), or to upgrade a pandas
    that is installed but fails to import (:func:`_pandas_import_error`)."""
    try:
        import pandas as pd
    except (ImportError, ValueError) as err:
        raise _pandas_import_error(what, err) from err
    return pd


#: The oldest pandas eegpt's extras take (pyproject's bound): older ones do not cap NumPy
#: below 2, with which they fail to import.
_MIN_PANDAS = "2.1.2"


def _pandas_import_error(what: str, err: Exception) -> MissingDependencyError:
    """The error of ``what`` needing pandas where ``import pandas`` raised ``err``: not
    installed (an ``ImportError``: how to install it), or installed but built for another
    NumPy (a ``ValueError``, ``numpy.dtype size changed``: pandas 2.0.0-2.1.1, which pip paired
    with NumPy 2 where they were installed before eegpt; how to upgrade it)."""
    if not isinstance(err, ValueError):
        return MissingDependencyError(f"{what} needs pandas: {install_hint('parquet')}")
    import numpy as np

    try:
        from importlib.metadata import version

        found = f"pandas {version('pandas')}"
    except Exception:  # noqa: BLE001 - metadata missing or unreadable: say pandas alone
        found = "pandas"
    return MissingDependencyError(
        f"{what} needs pandas, but {found} is installed and fails to import with NumPy "
        f"{np.__version__} ({err}): it was built for another NumPy, as pandas older than "
        f"{_MIN_PANDAS} are under NumPy 2: pip install --upgrade 'pandas>={_MIN_PANDAS}'"
    )


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
