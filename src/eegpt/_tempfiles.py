"""Temporary files beside an output, for writes that are renamed into place when complete.

``tempfile.mkstemp`` creates files with mode 0600, which the rename would carry over to the
output and leave it unreadable to other users of a shared machine; these get the mode any new
file gets (0666 minus the process umask).
"""

from __future__ import annotations

import glob
import logging
import os
import re
import socket
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

#: Seconds after which a temporary file nobody writes to any more is removed, whoever wrote it.
STALE_S = 24 * 3600


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


def host_tag() -> str:
    """This host as the names of temporary files give it: its name, in letters, digits and
    ``-`` only (no ``.``, which separates the fields), and on Linux its PID namespace, so that
    containers sharing the host's name but not its process ids are told apart."""
    host = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-")[:64] or "host"
    try:
        return f"{host}-ns{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:  # not Linux
        return host


def writer_tag() -> str:
    """The ``tag`` of :func:`temporary_beside` that names this process: ``<host>.<pid>``."""
    return f"{host_tag()}.{os.getpid()}"


def writer_gone(tmp: Path, dest: Path, suffix: str, host: str) -> bool:
    """Whether the temporary file ``tmp`` of ``dest`` (``.<name>.<host>.<pid>.XXXX<suffix>``)
    names a process of this host (``host``: :func:`host_tag`) that no longer runs. False for
    one of another host, one named otherwise (without its writer), and where processes cannot
    be probed harmlessly (Windows, where ``os.kill`` ends the process)."""
    fields = tmp.name[len(dest.name) + 2 : -len(suffix)].split(".")
    if os.name != "posix" or len(fields) != 3 or fields[0] != host:
        return False
    if not re.fullmatch(r"[0-9]+", fields[1]) or int(fields[1]) <= 0:
        return False
    try:
        os.kill(int(fields[1]), 0)  # signal 0: only whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # another user's process (EPERM): alive
        return False
    return False


def remove_stale(dest: Path, suffix: str = ".tmp", stale_s: float = STALE_S) -> list[Path]:
    """Remove the temporary files of ``dest`` (``.<name>.*<suffix>``) left by killed
    processes: those of this host whose process is gone, and any (another host's, one named
    before temporary files named their writer, one of a PID taken since by another process)
    untouched for ``stale_s`` seconds; one a live process writes is left alone. The files
    removed."""
    now, host, removed = time.time(), host_tag(), []
    for tmp in dest.parent.glob(f".{glob.escape(dest.name)}.*{suffix}"):
        try:
            if now - tmp.stat().st_mtime > stale_s or writer_gone(tmp, dest, suffix, host):
                tmp.unlink()
                removed.append(tmp)
                logger.debug("removed %s, a temporary file left by a killed process", tmp)
        except OSError:  # gone meanwhile, or not ours to remove
            pass
    return removed
