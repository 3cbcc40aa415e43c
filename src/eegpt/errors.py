"""Exceptions for problems with the user's input, files or environment (not bugs in eegpt).

Every error a user can cause with a bad recording, checkpoint, download, device or output path
is an :class:`EEGPTError`, and also the standard exception of its kind: ``ValueError`` (bad
content), ``OSError`` (files; a download cut short; a file that is not there:
:class:`MissingFileError`, a ``FileNotFoundError``), ``RuntimeError`` (weights that cannot be
fetched, a device that is not there, an output folder in use) or ``ImportError`` (an optional
dependency missing), so ``except ValueError`` keeps working. Its message names the file (or
channel, or field) and the problem, and says how to fix it; the low-level exception, if any,
is chained as ``__cause__``. An argument of a wrong value (a window of 0 s, an unknown
precision) is a plain ``ValueError``, one of a wrong type a ``TypeError``, as in NumPy and
scikit-learn; :data:`USER_ERRORS` catches all of these but the ``TypeError``.

Anything else escaping from eegpt (``KeyError``, ``IndexError``, ...) is a bug: the command line
prints such errors as internal errors, and ``--debug`` shows their traceback.
"""

from __future__ import annotations

import errno

__all__ = [
    "USER_ERRORS",
    "AllChannelsBadError",
    "CheckpointError",
    "DeviceUnavailableError",
    "ChecksumError",
    "DownloadError",
    "DuplicateChannelsError",
    "EEGPTError",
    "EEGPTUserWarning",
    "EEGPTWarning",
    "EmbeddingError",
    "EncoderMismatchError",
    "InsufficientMemoryError",
    "MissingDependencyError",
    "MissingFileError",
    "NoChannelMappedError",
    "OutputExistsError",
    "OutputInUseError",
    "OutputNotWritableError",
    "RecordingError",
    "RecordingTooLargeError",
    "StartPastEndError",
    "TooShortError",
    "TrainingDivergedError",
    "UnguardedMainError",
    "UnreadableOutputError",
    "UnreadableShardError",
    "WeightsUnavailableError",
]


class EEGPTWarning(RuntimeWarning):
    """Every warning eegpt gives about a recording, checkpoint or setting (flat channels,
    channels left out, units, ...): a ``RuntimeWarning``, so that filters of those keep
    working, and a category of its own to filter on, e.g.
    ``warnings.filterwarnings("ignore", category=eegpt.EEGPTWarning)`` or, to see each one
    as an error while testing a pipeline, ``"error"``. (Warnings are attributed to the line
    that called eegpt, so ``filterwarnings(module="eegpt")`` matches none of them; per call,
    ``verbose="error"`` silences them.)"""


class EEGPTUserWarning(EEGPTWarning, UserWarning):
    """An :class:`EEGPTWarning` about how eegpt was called (a setting, an argument that may not
    be what was meant): also a ``UserWarning``."""


class EEGPTError(Exception):
    """Base class of the errors caused by input, files or environment rather than by eegpt."""


class RecordingError(EEGPTError, ValueError):
    """A recording (file, MNE object or array) that cannot be read or used as it is."""


class AllChannelsBadError(RecordingError):
    """Every channel of the type picked is marked bad (``info['bads']``); ``names`` lists them."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


class NoChannelMappedError(RecordingError):
    """None of a recording's channels maps to the EEGPT vocabulary; ``names`` lists them."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


class TooShortError(RecordingError):
    """A continuous recording shorter than one window, with ``tail="drop"``: nothing wrong with
    the file, but no window to embed (``tail="pad"`` zero-pads it into one)."""


class StartPastEndError(RecordingError):
    """A continuous recording that ends at or before its first window's start
    (``start_seconds``): a start that does not fit the recording (given in milliseconds
    rather than seconds, or for another file), which no ``tail="pad"`` can embed: a failure,
    not a recording skipped as too short. ``source``, ``duration`` (s), ``start_seconds`` (as
    given) and ``sfreq`` (Hz, where the windows are cut) say which, for a message that names
    where the start came from."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        duration: float = 0.0,
        start_seconds: float = 0.0,
        sfreq: float = 256.0,
    ) -> None:
        super().__init__(message)
        self.source, self.duration, self.start_seconds = source, duration, start_seconds
        self.sfreq = sfreq


class DuplicateChannelsError(RecordingError):
    """Several channels of a recording map to one EEGPT electrode; ``later`` lists all but the
    first of each such group (the ones to drop to keep the first)."""

    def __init__(self, message: str, later: list[str]) -> None:
        super().__init__(message)
        self.later = later


class CheckpointError(EEGPTError, ValueError):
    """A weights file that cannot be read or does not fit the EEGPT architecture."""


class EmbeddingError(EEGPTError, ValueError):
    """The model produced non-finite embeddings (absurd input amplitudes or corrupt weights)."""


class EncoderMismatchError(EEGPTError, ValueError):
    """The encoder offered to a saved probe is not the one it was trained on."""


class TrainingDivergedError(EEGPTError, FloatingPointError):
    """Training gave a non-finite loss (weights diverged: a learning rate far too high; or
    inputs that overflow, where the loss was not finite before any step) or,
    under float16, took no optimizer step at all; nothing was kept. Also a
    ``FloatingPointError``, as it was before it had a class of its own."""


class ChecksumError(EEGPTError, ValueError):
    """A downloaded or cached file does not have the expected SHA-256."""


class MissingFileError(EEGPTError, FileNotFoundError):
    """A file or folder the user named (a recording, weights, labels, an output folder to
    read) is not there: also a ``FileNotFoundError``, so ``except FileNotFoundError`` (or
    ``OSError``) keeps catching it."""


class DownloadError(EEGPTError, OSError):
    """The server closed the connection before sending the whole file."""


class DeviceUnavailableError(EEGPTError, RuntimeError):
    """The requested device (e.g. ``cuda``) is not available to this PyTorch installation."""


class WeightsUnavailableError(EEGPTError, RuntimeError):
    """The weights could not be downloaded (offline, DNS failure, HTTP error ...)."""


class MissingDependencyError(EEGPTError, ImportError):
    """An optional dependency (of one of eegpt's extras, such as ``parquet``) is not installed;
    the message says what to install (:func:`install_hint`)."""


#: The packages of each of eegpt's extras (pyproject.toml), as ``pip install`` takes them.
_EXTRAS = {
    "parquet": "pyarrow pandas",
    "sklearn": "scikit-learn",
    "ray": "'ray[data]'",
    "bids": "mne-bids",
}


def install_hint(extra: str) -> str:
    """How to install the packages of eegpt's extra ``extra``, by their own names first:
    ``"pip install pyarrow pandas (from a clone of eegpt: pip install '.[parquet]')"``.
    eegpt is not on PyPI, so ``pip install 'eegpt[parquet]'`` would fetch whatever project
    takes that name there."""
    return f"pip install {_EXTRAS[extra]} (from a clone of eegpt: pip install '.[{extra}]')"


class InsufficientMemoryError(EEGPTError, MemoryError):
    """A read refused before it starts because it would not fit in the memory available
    (embeddings of a long recording: :func:`eegpt.memory_checks.check_embeddings_memory`);
    also a ``MemoryError``. The message says how much it needs and what to do instead."""


class RecordingTooLargeError(RecordingError, InsufficientMemoryError):
    """A recording whose samples (as its header claims them) would not fit in the memory
    available if read whole, refused before the read
    (:func:`eegpt.memory_checks.check_memory`), or whose read ran out of memory: both a
    :class:`RecordingError` (a ``ValueError``: a corrupt header claims too much) and an
    :class:`InsufficientMemoryError` (a ``MemoryError``), so either ``except`` catches it."""


class OutputExistsError(EEGPTError, FileExistsError):
    """An output file exists and overwriting was not asked for."""


class OutputNotWritableError(EEGPTError, OSError):
    """An output cannot be written where it was asked for: a read-only file system, no
    permission, or a file where its folder would be."""


USER_ERRORS: tuple[type[BaseException], ...] = (EEGPTError, ValueError, OSError, Warning)
"""Exceptions that report a problem with the input rather than a bug (one-line CLI errors);
``Warning``: a warning turned into an error by the caller's filter (``PYTHONWARNINGS=error``,
``warnings.simplefilter("error", EEGPTWarning)``), a failure of that file, not a bug."""


#: What a full disk, a used-up quota (clusters' Lustre/NFS quotas: ``EDQUOT``) or a file-size
#: limit (``EFBIG``: ``ulimit -f``, a batch job's limit, or the file system's maximum file size)
#: says: its errno, and the text pyarrow's errors carry instead ("... Detail: [errno 27] File
#: too large").
_FULL = {
    errno.ENOSPC: "No space left",
    errno.EDQUOT: "Disk quota exceeded",
    errno.EFBIG: "File too large",
}


def disk_full(err: BaseException) -> int | None:
    """``ENOSPC``, ``EDQUOT`` or ``EFBIG`` where ``err`` says that the disk is full, the quota
    used up or a file-size limit reached, as Python and pyarrow raise it (an ``OSError``;
    pyarrow's names it in its text); else None.

    Notes
    -----
    A file-size limit (``ulimit -f``) sends ``SIGXFSZ``, which would kill the process, before
    the write fails with ``EFBIG``; Python ignores that signal from the start (as does every
    process started by Python's ``multiprocessing``), so the write fails instead.
    """
    if not isinstance(err, OSError):
        return None
    for code, text in _FULL.items():
        if err.errno == code or text in str(err):
            return code
    return None


def out_of_room(code: int, folder: object, writing: object, err: BaseException) -> str:
    """The start of the message of a write in ``folder`` stopped by :func:`disk_full`'s
    ``code``: what happened, naming ``folder``, what was being written and ``err``."""
    if code == errno.EFBIG:
        return (
            f"file-size limit reached in {folder} while writing {writing} ({err}): no file may "
            "grow larger there, by a limit on this process (`ulimit -f`, or the job's limits "
            "in a batch system) or the file system's maximum file size"
        )
    said = "no space left" if code == errno.ENOSPC else "disk quota exceeded"
    return f"{said} on the device of {folder} while writing {writing} ({err})"


def room_advice(code: int, elsewhere: str) -> str:
    """What to do about :func:`disk_full`'s ``code`` before running again: free some space
    (``elsewhere`` completes its "or ...", e.g. "choose a larger disk"), or raise the file-size
    limit."""
    if code == errno.EFBIG:
        return (
            "Raise the limit (`ulimit -f unlimited`, or the job's file-size limit; if it is the "
            "file system's maximum, use another file system)"
        )
    return f"Free some space there (or {elsewhere})"


class UnguardedMainError(EEGPTError, RuntimeError):
    """A corpus run started where its reader processes would start it again: at the top level
    of a script, outside ``if __name__ == "__main__":`` (or from a script read from stdin)."""


class UnreadableOutputError(EEGPTError, ValueError):
    """An embeddings file of one recording (``eegpt embed``, ``Embeddings.save``) that cannot
    be read as one: empty (0 bytes), truncated, or no ``.npz`` archive / Parquet file at all;
    the message names it and what it is instead, the reader's error chained."""


class UnreadableShardError(EEGPTError, OSError):
    """Shards of an ``embed-dataset`` output folder whose data cannot be read (truncated or
    corrupt); ``shards`` lists their paths, and the message says how to have them recomputed."""

    def __init__(self, message: str, shards: list[str]) -> None:
        super().__init__(message)
        self.shards = shards


class OutputInUseError(EEGPTError, RuntimeError):
    """Another process is writing to the same output (a corpus run's folder lock is held)."""
