"""The lock that keeps two :func:`eegpt.dataset.embed_dataset` runs out of one output folder.

A run holds an exclusive ``flock`` on the folder's :data:`LOCK` file for as long as it runs;
the OS lets it go when the process dies, so a killed run never leaves a folder locked.
``eegpt info`` asks :meth:`FolderLock.held` whether a run is in progress. This module imports
neither torch nor MNE.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Any, NoReturn

from eegpt.errors import OutputInUseError

LOCK = ".eegpt.lock"
"""The lock file's name in a run folder (removed when the run ends)."""


def is_run_temporary(name: str) -> bool:
    """Whether ``name`` is that of a temporary file an embed-dataset run writes in its folder
    (a hidden ``.*.tmp``: a report or a shard's rows being written), which its clean-up
    removes."""
    return name.startswith(".") and name.endswith(".tmp")


_LOCK_TRIES = 50
"""Times :class:`FolderLock` opens and locks the lock file again after finding it replaced."""


class FolderLock:
    """An exclusive lock on the output folder, released by the OS when the process dies."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK
        self.fh: Any = None
        self.locked = False  # flock taken (not where the system has none)

    def __enter__(self) -> FolderLock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no locking
            self.fh = open(self.path, "a+")  # noqa: SIM115
            return self
        try:
            return self._lock(fcntl)
        except BaseException:  # stopped (SIGTERM) half-way: no lock kept open till GC
            if self.fh is not None:
                self.fh.close()
            self.locked = False
            raise

    def _lock(self, fcntl: Any) -> FolderLock:
        for _ in range(_LOCK_TRIES):
            self.fh = open(self.path, "a+")  # noqa: SIM115
            try:
                fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as err:
                self.fh.close()
                self._refuse(err)
            if self._still_named():
                self.locked = True
                return self
            # a run ending removed the file between our open and our lock: the lock is on a
            # file no longer in the folder, which the next run would not see; lock the new one
            self.fh.close()
        # not "busy, try again later" (OutputInUseError, exit status 75): a scheduler would
        # retry a folder that no run holds, on a file system that will never let it be locked
        raise OSError(
            errno.ENOLCK,
            f"cannot lock {self.path}: in {_LOCK_TRIES} tries the file locked was never the one "
            "the folder names by the time it was locked: something keeps removing or replacing "
            "it (another program, or a run that starts and ends over and over), or the file "
            "system gives one file different identities (inode numbers) by name and when open "
            "(some FUSE mounts). Stop what touches the folder, or write to a local disk",
        )

    def _still_named(self) -> bool:
        """Whether the file locked is still the one the folder names :data:`LOCK`."""
        try:
            named = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(self.fh.fileno())
        return (named.st_dev, named.st_ino) == (mine.st_dev, mine.st_ino)

    def _refuse(self, err: OSError) -> NoReturn:
        """Raise for a lock not taken: another run holds it, or the filesystem has none."""
        if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise OSError(
                err.errno,
                f"cannot lock {self.path} ({err.strerror}): this filesystem does not "
                "support file locks (flock), which keep two runs out of one folder; write "
                "to a local disk, or mount the network filesystem with locking (Lustre: "
                "-o flock)",
            ) from err
        raise OutputInUseError(
            f"{self.path.parent} is in use by another embed_dataset run; wait for it or "
            "choose another output folder. In a cluster job array each task needs its own "
            "part and folder: --part $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT -o "
            "out/part-$SLURM_ARRAY_TASK_ID"
        ) from err

    def __exit__(self, *exc: Any) -> None:
        """Remove the lock file, then let the lock go (closing it).

        Removing a lock file is safe only because __enter__ checks, once it holds a lock,
        that the folder still names the file it locked: a run that opened this file just
        before it was removed, and locks it once it is closed here, sees it gone and locks a
        new file instead, so two runs never both hold the folder. An eegpt from before that
        check, starting on the same folder at that very moment, would not see it and could
        run beside a newer run that took a new file: the one case the removal is unsafe for
        (two versions racing for one folder), accepted so that a finished folder holds no
        stray lock file. Where the file was removed already (a failed start undone) the name
        is not removed again: it may be another run's lock by now. Without locks (Windows)
        the file is removed after closing, as an open file cannot be removed there."""
        if not self.locked:  # pragma: no cover - Windows: no locking, no race
            self.fh.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
            return
        if self._still_named():
            with contextlib.suppress(OSError):  # a read-only folder: the file stays
                self.path.unlink()
        self.fh.close()

    @staticmethod
    def held(folder: Path) -> bool:
        """Whether a run holds ``folder`` now (False where locks are not supported)."""
        try:
            import fcntl

            with open(folder / LOCK, "rb") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - Windows
            return False
        except OSError as err:
            return err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
        return False
