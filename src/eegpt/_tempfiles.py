"""Temporary files beside an output, for writes that are renamed into place when complete.

``tempfile.mkstemp`` creates files with mode 0600, which the rename would carry over to the
output and leave it unreadable to other users of a shared machine; these get the mode any new
file gets (0666 minus the process umask).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import tempfile
import time
from pathlib import Path

logger = logging.getLogger(__name__)

#: Seconds after which a temporary file whose writer cannot be checked (another machine's) is
#: removed once nobody writes to it.
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


#: Where the identity of this machine's running system is read, best first: the boot's id
#: (Linux: new at every boot, so that after a reboot, when every PID of before is gone, no
#: file of before passes for this boot's), else the machine's (systemd, D-Bus).
_MACHINE_ID_FILES = (
    "/proc/sys/kernel/random/boot_id",
    "/etc/machine-id",
    "/var/lib/dbus/machine-id",
)


def _machine_id() -> str | None:
    """What tells this machine's running system from others (:data:`_MACHINE_ID_FILES`), with
    the PID namespace on Linux (containers of one kernel, each with its own process ids):
    None where none of it can be read (not Linux, nor a system with a machine id)."""
    for name in _MACHINE_ID_FILES:
        try:
            with open(name) as fh:
                found = fh.read().strip()
        except OSError:
            continue
        if found:
            break
    else:
        return None
    try:
        found += f":{os.stat('/proc/self/ns/pid').st_ino}"
    except OSError:
        pass
    return found


def host_tag() -> str:
    """This machine as the names of temporary files give it: its name, in letters, digits and
    ``-`` only (no ``.``, which separates the fields), then ``-id`` and a hash of its boot id
    and PID namespace (:func:`_machine_id`), so that machines with one name (``vm``,
    ``localhost``) sharing a network folder, containers of one host with their own process
    ids, and this machine before a reboot are told apart. Where that cannot be read, the name
    alone, whose files :func:`remove_stale` never takes for this machine's."""
    host = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-")[:64] or "host"
    found = _machine_id()
    if found is None:
        return host
    import hashlib  # here, not at every eegpt start (outputs imports this module)

    return f"{host}-id{hashlib.sha256(found.encode()).hexdigest()[:12]}"


#: The end of a :func:`host_tag` that has a machine id.
_IDENTIFIED = re.compile(r"-id[0-9a-f]{12}$")


def writer_tag() -> str:
    """The ``tag`` of :func:`temporary_beside` that names this process: ``<host>.<pid>``."""
    return f"{host_tag()}.{os.getpid()}"


def writer_alive(tmp: Path, dest: Path, suffix: str, host: str) -> bool | None:
    """Whether the process that writes the temporary file ``tmp`` of ``dest``
    (``.<name>.<host>.<pid>.XXXX<suffix>``) still runs: True or False for one that names
    this machine (``host``: :func:`host_tag`, with its machine id), None where that cannot be
    told: a file of another machine (or another boot, or of an older naming: ``<name>-ns
    <number>`` told only the host's name, the same on many machines), one not naming its
    writer, a ``host`` without a machine id, and where processes cannot be probed harmlessly
    (Windows, where ``os.kill`` ends the process)."""
    fields = tmp.name[len(dest.name) + 2 : -len(suffix)].split(".")
    if os.name != "posix" or len(fields) != 3 or fields[0] != host or not _IDENTIFIED.search(host):
        return None
    if not re.fullmatch(r"[0-9]+", fields[1]) or int(fields[1]) <= 0:
        return None
    try:
        os.kill(int(fields[1]), 0)  # signal 0: only whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # another user's process (EPERM): alive
        return True
    return True


def remove_stale(dest: Path, suffix: str = ".tmp", stale_s: float = STALE_S) -> list[Path]:
    """Remove the temporary files of ``dest`` (``.<name>.*<suffix>``) left by killed
    processes. One that names a process of this machine (:func:`writer_alive`) is removed
    when that process is gone, and kept while it runs, however old; any other (another
    machine's or another boot's, one of an older naming, one not naming its writer), whose
    writer cannot be checked, once untouched for ``stale_s`` seconds. The files removed."""
    import glob  # here, not at every eegpt start (outputs imports this module)

    now, host, removed = time.time(), host_tag(), []
    for tmp in dest.parent.glob(f".{glob.escape(dest.name)}.*{suffix}"):
        try:
            alive = writer_alive(tmp, dest, suffix, host)
            if alive is False or (alive is None and now - tmp.stat().st_mtime > stale_s):
                tmp.unlink()
                removed.append(tmp)
                logger.debug("removed %s, a temporary file left by a killed process", tmp)
        except OSError:  # gone meanwhile, or not ours to remove
            pass
    return removed
