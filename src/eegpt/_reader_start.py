"""The first code a reader process of a corpus run runs (its pool initializer, :func:`start`).

Kept light (the standard library only): a spawned reader imports this module before it can
run anything, so the kernel is told to kill the reader with its parent (even by ``kill -9``)
before the heavy imports (torch, MNE: seconds) that :mod:`eegpt.dataset_pipeline` makes; only
the interpreter's start and the parent's main module (the ``eegpt`` command's: a tenth of a
second) come before it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(parent: int) -> None:
    """On Linux, have the kernel kill this reader process when its parent dies (even by
    ``kill -9``): at once, whatever the reader is doing. The watch thread of
    :func:`eegpt.dataset_pipeline.init_reader` needs the GIL, which a file reader's C code
    can hold for seconds. The signal comes when the parent's thread that started the reader
    ends: readers are started by the thread that runs the corpus run, and stopped before it
    returns. A parent that died before this was set is noticed right after. Elsewhere: the
    watch thread only."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # died before: no signal will come
        os._exit(1)


def start(parent: int) -> None:
    """A reader process's initializer: tied to its parent first, then set up
    (:func:`eegpt.dataset_pipeline.init_reader`, which imports torch)."""
    die_with_parent(parent)
    from eegpt.dataset_pipeline import init_reader

    init_reader(parent)
