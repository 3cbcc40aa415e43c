"""Temporary files beside an output, for writes that are renamed into place when complete.

``tempfile.mkstemp`` creates files with mode 0600, which the rename would carry over to the
output and leave it unreadable to other users of a shared machine; these get the mode any new
file gets (0666 minus the process umask).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def temporary_beside(path: Path, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new hidden file ``.<name>.XXXX<suffix>`` in ``path``'s folder: (descriptor, path)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd, Path(tmp)
