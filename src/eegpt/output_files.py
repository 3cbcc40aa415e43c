"""Output files: the embeddings formats a file name asks for (:data:`FORMATS`,
:func:`output_format`), files written atomically (:func:`atomic_write`: a hidden temporary file
beside the destination, flushed to disk, then renamed into place, so a file under its final
name is always complete), the check that a folder can take outputs
(:func:`check_output_folder`), and the Parquet writer of eegpt's tables (:func:`parquet_writer`).
It re-exports :func:`eegpt.optional_packages.require_output_dependencies` (defined there).

Imports neither torch nor MNE nor SciPy: ``eegpt info`` and ``eegpt anonymize`` use it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eegpt._filenames import user_path
from eegpt._tempfiles import temporary_beside, writer_tag
from eegpt.errors import OutputExistsError, OutputNotWritableError, disk_full
from eegpt.optional_packages import require_output_dependencies as require_output_dependencies
from eegpt.optional_packages import require_pyarrow

__all__ = [
    "FORMATS",
    "atomic_write",
    "check_output_folder",
    "make_output_folder",
    "output_format",
    "parquet_writer",
]

FORMATS = (".npz", ".parquet")


def output_format(path: str | Path) -> str | None:
    """The embeddings format a file name asks for (``".npz"``, ``".parquet"``; any case, so
    ``X.NPZ`` too), or None for another suffix."""
    suffix = Path(path).suffix.lower()
    return suffix if suffix in FORMATS else None


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


def make_output_folder(folder: str | os.PathLike, output: str | os.PathLike | None = None) -> None:
    """Make the folder ``folder`` of an output (and the folders above it), where it is not
    there. One that cannot be made (a file in its place or above it, a read-only file system,
    no permission) raises an :class:`~eegpt.errors.OutputNotWritableError` naming ``output``
    (the output as the user named it; ``folder`` when None) and why, as
    :func:`check_output_folder` says it, not ``[Errno 17] File exists``."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _not_writable(folder, output, err, f"the folder {folder} cannot be made") from err


def _not_writable(
    folder: Path, output: str | os.PathLike | None, err: OSError, what: str
) -> OutputNotWritableError:
    """The error for an output (``output``, in ``folder``) that could not be written: ``err``
    raised where ``what`` happened. :func:`check_output_folder`'s words where it finds why (a
    file on the way, no permission, a read-only file system), else ``what`` and ``err``."""
    try:
        check_output_folder(folder, output)
    except OutputNotWritableError as said:
        return said
    reason = err.strerror or type(err).__name__
    return OutputNotWritableError(
        f"cannot write the output to {output if output is not None else folder}: {what} "
        f"({reason[:1].lower()}{reason[1:]}); choose another output folder"
    )


def _temporary(path: Path) -> tuple[Path, Any]:
    """A new hidden temporary file beside ``path`` and its binary handle (its folder made
    where it is not there: :func:`make_output_folder`); one that cannot be made raises an
    :class:`~eegpt.errors.OutputNotWritableError` naming ``path``."""
    make_output_folder(path.parent, path)
    try:
        fd, tmp = temporary_beside(path, tag=writer_tag())  # its writer named: remove_stale
    except OSError as err:
        if disk_full(err) is not None:  # said by the callers that know the output's size
            raise
        raise _not_writable(path.parent, path, err, "no file can be made there") from err
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
