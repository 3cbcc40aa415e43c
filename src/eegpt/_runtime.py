"""The process's surroundings: torch's import-time cache folder, the CPUs and memory it may use.

For locked-down containers (read-only root, /tmp and working folder; no home) and shared
machines (a CPU quota smaller than the host).
"""

from __future__ import annotations

import os
import re
import sys


def device_name(text: str) -> str:
    """A device as given (``--device``, ``device=``), in lower case, with ``gpu`` for ``cuda``
    (``"GPU"``, ``"gpu:1"``): the name PyTorch takes, for the command line and the Python API
    alike (here, so that the command line parses it without importing torch)."""
    return re.sub(r"\bgpu\b", "cuda", text.strip().lower())


def import_dynamo_without_cache_folder() -> None:
    """Import ``torch._dynamo`` without it creating torch's compile cache folder.

    Every ``torch.optim`` optimizer imports ``torch._dynamo`` when it is built
    (``Optimizer.add_param_group`` is wrapped in ``torch._disable_dynamo``, which imports it on
    its first call), whatever ``foreach``/``fused`` say, and that import (torch 2.13, and
    earlier releases with ``torch._dynamo.package``) creates Inductor's cache folder:
    ``$TORCHINDUCTOR_CACHE_DIR``, else ``torchinductor_<user>`` in :func:`tempfile.gettempdir`. Training a probe then failed
    where no temporary folder is writable ("No usable temporary directory found"), and left an
    empty ``torchinductor_<user>`` folder in /tmp (or the working folder) where one is.

    Nothing is compiled in training, so for the import alone the cache folder is set to torch's
    own package folder (which exists, so nothing is created), then unset again: a later
    ``torch.compile`` in this process finds its usual default. A ``TORCHINDUCTOR_CACHE_DIR``
    the user set is left as it is, and so is a ``torch._dynamo`` already imported.
    """
    if "torch._dynamo" in sys.modules or "TORCHINDUCTOR_CACHE_DIR" in os.environ:
        return
    import torch

    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.dirname(os.path.abspath(torch.__file__))
    try:
        import torch._dynamo  # noqa: F401
    finally:
        os.environ.pop("TORCHINDUCTOR_CACHE_DIR", None)


def compile_cache_problem() -> str | None:
    """Why ``torch.compile`` could not keep its cache here, or None where it can: the folder
    Inductor (and Triton under it) writes compiled kernels to, ``$TORCHINDUCTOR_CACHE_DIR``,
    else ``torchinductor_<user>`` in :func:`tempfile.gettempdir`, must exist or be made, and be
    writable. Checked without setting anything (torch's own lookup sets the variable)."""
    import getpass
    import tempfile

    folder = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if folder is None:
        try:
            user = getpass.getuser()
        except (KeyError, ImportError, OSError):
            user = f"uid_{os.getuid()}" if hasattr(os, "getuid") else "unknown_user"
        try:
            folder = os.path.join(tempfile.gettempdir(), "torchinductor_" + user)
        except OSError as err:  # no usable temporary folder at all
            return f"no temporary folder can be written ({err.strerror or err})"
    if not _writable_folder(folder):
        return f"its cache folder {folder} cannot be made or written"
    return None


def cgroup_folders(
    root: str | os.PathLike[str] = "/sys/fs/cgroup",
    own: str | os.PathLike[str] = "/proc/self/cgroup",
    controller: str | None = None,
) -> list[str]:
    """The folders of this process's cgroup and those above it, from the top: cgroup v2
    (``controller`` None) from ``own``'s ``0::/path`` line, under ``root``; cgroup v1 from the
    line naming ``controller`` (``4:memory:/slurm/uid_1/job_2``), under ``root/controller``.
    The top folder comes first even where ``own`` cannot be read or names no such cgroup:
    inside a container it is the container's own."""
    top = os.fspath(root) if controller is None else os.path.join(root, controller)
    folders = [top]
    try:
        with open(own) as fh:
            lines = [line.strip() for line in fh]
    except OSError:
        lines = []
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3 or not fields[2].startswith("/"):
            continue
        if controller is None and fields[0] == "0" and fields[1] == "":
            pass
        elif controller is None or controller not in fields[1].split(","):
            continue
        parts = [p for p in fields[2].split("/") if p and p not in (".", "..")]
        folders += [os.path.join(top, *parts[:i]) for i in range(1, len(parts) + 1)]
    return folders


def cgroup_cpu_limit(
    root: str | os.PathLike[str] = "/sys/fs/cgroup",
    own: str | os.PathLike[str] = "/proc/self/cgroup",
) -> int | None:
    """The CPUs a cgroup v2 CPU quota lets this process use (Docker ``--cpus``, Kubernetes CPU
    limits, systemd ``CPUQuota``), rounded up; None without one.

    ``cpu.max`` holds ``QUOTA PERIOD`` in microseconds (``200000 100000``: 2 CPUs;
    ``150000 100000``: 2) or ``max PERIOD`` (no quota). The process's own cgroup (from ``own``,
    its ``0::/path`` line) and those above it up to ``root`` are read, and the smallest quota
    counts; where ``own`` cannot be read (or names no cgroup v2 path), ``root/cpu.max`` alone,
    which is the container's own inside one.
    """
    limits = []
    for folder in cgroup_folders(root, own):
        try:
            with open(os.path.join(folder, "cpu.max")) as fh:
                fields = fh.read().split()
            quota, period = int(fields[0]), int(fields[1]) if len(fields) > 1 else 100_000
        except (OSError, ValueError, IndexError):  # "max", missing, not cgroup v2
            continue
        if quota > 0 and period > 0:
            limits.append(max(1, -(-quota // period)))
    return min(limits, default=None)


#: A cgroup v1 ``memory.limit_in_bytes`` at or above this is "no limit" (the kernel writes
#: 9223372036854771712, the largest page multiple of a signed 64-bit integer).
_NO_V1_LIMIT = 2**60


def cgroup_memory_available(
    root: str | os.PathLike[str] = "/sys/fs/cgroup",
    own: str | os.PathLike[str] = "/proc/self/cgroup",
) -> int | None:
    """Bytes this process's cgroup memory limits leave it (a SLURM job's ``--mem``, Docker
    ``--memory``, a Kubernetes limit); None without a limit.

    For its own cgroup and each above it (:func:`cgroup_folders`) with a limit: the limit
    less what the cgroup uses, less the page cache it could drop (``inactive_file`` and
    ``active_file`` of ``memory.stat``: the kernel reclaims both before it kills, and the
    system's ``MemAvailable`` counts both; files read twice, as eegpt reads a header and
    then the samples, are active); the smallest counts. cgroup v2: ``memory.max`` (``max``:
    none) and ``memory.current``; cgroup v1 (under ``root/memory``):
    ``memory.limit_in_bytes`` and ``memory.usage_in_bytes`` (``total_inactive_file``,
    ``total_active_file``).
    """
    left = []
    for folders, names in (
        (cgroup_folders(root, own), ("memory.max", "memory.current", "")),
        (
            cgroup_folders(root, own, "memory"),
            ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_"),
        ),
    ):
        limit_name, usage_name, prefix = names
        for folder in folders:
            try:
                with open(os.path.join(folder, limit_name)) as fh:
                    limit = int(fh.read().strip())  # "max": ValueError, no limit
                with open(os.path.join(folder, usage_name)) as fh:
                    usage = int(fh.read().strip())
            except (OSError, ValueError):
                continue
            if limit >= _NO_V1_LIMIT:
                continue
            try:
                with open(os.path.join(folder, "memory.stat")) as fh:
                    stat = dict(line.split()[:2] for line in fh if len(line.split()) >= 2)
                cache = sum(
                    int(stat.get(f"{prefix}{lru}_file", 0)) for lru in ("inactive", "active")
                )
                usage -= min(usage, cache)
            except (OSError, ValueError):
                pass
            left.append(max(0, limit - usage))
    return min(left, default=None)


def usable_cpus() -> int:
    """The CPUs this process may use: those it may run on (``sched_getaffinity``: taskset, a
    job scheduler's cpuset), fewer where a cgroup v2 quota allows less
    (:func:`cgroup_cpu_limit`)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - macOS, Windows
        cores = os.cpu_count() or 2
    limit = cgroup_cpu_limit()
    return max(1, cores if limit is None else min(cores, limit))


#: Environment variables through which a user sets the threads torch computes with.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")


def set_torch_threads(threads: int | None, *, default: bool) -> int | None:
    """Set torch's intra-op threads for a command: ``threads`` (``--threads``) where given;
    else, with ``default``, :func:`usable_cpus` where torch's own default is more (it counts
    the host's cores, not a container's CPU quota) and the user set neither
    ``OMP_NUM_THREADS`` nor ``MKL_NUM_THREADS``. Returns the count before, for putting it back
    (None: left as it was)."""
    import torch

    before = torch.get_num_threads()
    if threads is None:
        if not default or any(os.environ.get(name) for name in THREAD_VARIABLES):
            return None
        threads = min(before, usable_cpus())
    if threads == before:
        return None
    torch.set_num_threads(threads)
    return before


def _writable_folder(path: str) -> bool:
    """Whether ``path`` is a folder this process can write in, made first where missing (as
    matplotlib makes its own)."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return False
    return os.path.isdir(path) and os.access(path, os.W_OK)


def matplotlib_config_folder() -> None:
    """Before a command draws (``--plot``, ``eegpt demo``): where matplotlib's default folders
    for its settings and font cache (``$XDG_CONFIG_HOME`` or ``~/.config``, and
    ``$XDG_CACHE_HOME`` or ``~/.cache``, each ``/matplotlib``) cannot be written (no home, a
    read-only one), set ``MPLCONFIGDIR`` to a private temporary folder removed at exit, as
    matplotlib itself does, but without the two warning lines it prints for each command; and
    where no temporary folder is usable either, raise an OSError saying to set
    ``MPLCONFIGDIR``, before the command does its work (matplotlib's own error came at the
    end, after the run). Nothing is done where ``MPLCONFIGDIR`` is set, matplotlib is already
    imported, or off Linux and BSD (other defaults there).
    """
    if os.environ.get("MPLCONFIGDIR") or "matplotlib" in sys.modules:
        return
    if not sys.platform.startswith(("linux", "freebsd")):  # pragma: no cover
        return
    from pathlib import Path

    try:
        defaults = [
            os.path.join(os.environ.get(name) or str(Path.home() / sub), "matplotlib")
            for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"))
        ]
    except RuntimeError:  # no home directory
        defaults = []
    unwritable = [path for path in defaults if not _writable_folder(path)]
    if defaults and not unwritable:
        return
    import atexit
    import shutil
    import tempfile

    try:
        folder = tempfile.mkdtemp(prefix="matplotlib-")
    except OSError as err:
        where = unwritable[0] if unwritable else "a home directory"
        raise OSError(
            f"drawing needs a writable folder for matplotlib's settings and font cache, and "
            f"neither {where} nor a temporary folder is usable: set MPLCONFIGDIR to a "
            "writable folder"
        ) from err
    os.environ["MPLCONFIGDIR"] = folder
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
