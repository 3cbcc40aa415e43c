"""Temporary files beside an output, for writes that are renamed into place when complete.

``tempfile.mkstemp`` creates files with mode 0600, which the rename would carry over to the
output and leave it unreadable to other users of a shared machine; these get the mode any new
file gets (0666 minus the process umask).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def current_umask() -> int:
    """The process umask: read from /proc where possible, since reading it with ``os.umask``
    means setting it, for a moment, for every thread of the process."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def temporary_beside(path: Path, suffix: str = ".tmp", tag: str = "") -> tuple[int, Path]:
    """A new hidden file ``.<name>.XXXX<suffix>`` in ``path``'s folder (``.<name>.<tag>.XXXX
    <suffix>`` with a ``tag``, e.g. who writes it): (descriptor, path)."""
    prefix = f".{path.name}.{tag}." if tag else f".{path.name}."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd, Path(tmp)
