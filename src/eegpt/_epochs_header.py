"""An epochs file's header read for its metadata and events, without its data: the one place
that reads it (:func:`read_epochs_header`, :func:`epochs_metadata`), for the labels of
:func:`eegpt.probe_labels.labels_of` and the metadata ``eegpt probe train`` groups and warns
by. Within :func:`epochs_read_once` (one command) each file is read once: a header read is
kept for the next, and the metadata of epochs read whole by the command
(:func:`note_epochs_read`) stand in for their header's. MNE is imported only when a file is
read.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import mne

# within epochs_read_once: ("header", path) -> epochs without data, ("metadata", path) -> metadata
_READ: contextvars.ContextVar[dict[tuple[str, Path], Any] | None] = contextvars.ContextVar(
    "eegpt_epochs_read", default=None
)


@contextlib.contextmanager
def epochs_read_once() -> Iterator[None]:
    """Within it (one command), each epochs file's header is read at most once: the headers
    and metadata read are kept by path, and dropped when it ends (a file changed afterwards
    is read again)."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def _key(path: str | Path) -> Path:
    return Path(path).resolve()


def note_epochs_read(path: str | Path, epochs: mne.BaseEpochs) -> None:
    """Keep the metadata of ``epochs`` read whole from ``path`` (within
    :func:`epochs_read_once`; not their data), so that :func:`epochs_metadata` does not read
    the file again; nothing outside it."""
    read = _READ.get()
    if read is not None:
        read["metadata", _key(path)] = epochs.metadata


def read_epochs_header(path: Path) -> mne.BaseEpochs:
    """The epochs of a file read for their metadata and labels, quietly (what reading them
    says was said when their data were read): a FIF file without its data, an EEGLAB ``.set``
    file whole, its epochs named as :func:`eegpt.io.read_epochs_file` names them. Within
    :func:`epochs_read_once`, those already read from ``path``."""
    read = _READ.get()
    key = ("header", _key(path))
    if read is not None and key in read:
        return read[key]
    if path.suffix.lower() != ".set":
        import mne

        epochs = mne.read_epochs(path, preload=False, proj=False, verbose="error")
    else:
        from eegpt._logging import ignored_warnings
        from eegpt.epochs_files import read_epochs_file

        with ignored_warnings():
            epochs = read_epochs_file(path, "error")
    if read is not None:
        read[key] = epochs
    return epochs


def epochs_metadata(path: str | Path) -> Any:
    """``epochs.metadata`` of an MNE epochs file (``-epo.fif``; its header and metadata read,
    not its data: :func:`read_epochs_header`), None for other files and epochs without
    metadata."""
    if not str(path).lower().endswith((".fif", ".fif.gz")) or not Path(path).is_file():
        return None
    read = _READ.get()
    if read is not None and ("metadata", _key(path)) in read:
        return read["metadata", _key(path)]
    try:
        return read_epochs_header(Path(path)).metadata
    except (ValueError, OSError):  # not epochs (a Raw .fif): no metadata to read
        return None
