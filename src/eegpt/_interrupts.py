"""Interrupts (Ctrl-C, SIGTERM) that stop a threaded run without hanging it.

A Python signal handler runs in the main thread between two bytecodes, wherever that thread
happens to be. An exception raised there from inside ``queue.Queue.put`` or
``Future.result`` can leave the lock it had just taken held for good; the clean-up that
follows (closing the writer's queue, joining the device threads, shutting the reader pool
down) then waits on that lock forever. Measured with a bare ``queue.Queue`` and a timer
signal, about 2 interruptions in 100 leave its lock held.

Inside :func:`deferred`, an interrupt that lands in such code is therefore not raised there:
the handler calls the block's ``on_interrupt`` at once (to cut long waits short, such as
stopping reader processes) and the exception is raised at the next :func:`check` or when the
block ends. Anywhere else (our own code, a file reader, a torch kernel's return) it is raised
at once, as usual. The command line's handlers go through :func:`deliver`; from Python (a
script, a notebook) Ctrl-C reaches Python's default handler, which the block replaces with one
that does the same while it runs.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

# modules whose Python code takes locks that other threads wait on; and the weak-reference
# callbacks the garbage collector runs anywhere, whose exceptions Python ignores (an interrupt
# raised there was lost, and a run that waited for it went on for ever)
_SYNC_MODULES = (
    "threading", "queue", "concurrent.futures", "multiprocessing", "logging", "tqdm",
    "_weakrefset", "weakref",
)  # fmt: skip

_callbacks: list[Callable[[], None]] = []
_pending: BaseException | None = None


# callbacks whose exceptions Python prints and ignores (weak-reference callbacks)
_IGNORING_MODULES = ("_weakrefset", "weakref")

# the import machinery: a frame below one of these runs a module's top-level code
_IMPORT_MODULES = ("importlib._bootstrap", "importlib._bootstrap_external")


def _runs_in(frame: FrameType | None, modules: tuple[str, ...]) -> bool:
    """Whether ``frame`` or one of its callers runs in one of ``modules`` (or a submodule)."""
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if any(name == m or name.startswith(m + ".") for m in modules):
            return True
        frame = frame.f_back
    return False


def _in_sync_code(frame: FrameType | None) -> bool:
    """Whether ``frame`` or one of its callers runs in a module of :data:`_SYNC_MODULES`."""
    return _runs_in(frame, _SYNC_MODULES)


def _in_import(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs inside an ``import`` (a module's top-level code)."""
    return _runs_in(frame, _IMPORT_MODULES)


_retry: BaseException | None = None
_RETRY_SECONDS = 0.05


def _retry_delivery(signum: int, frame: FrameType | None) -> None:
    global _retry
    exc, _retry = _retry, None
    if exc is not None:
        deliver(exc, frame)


def _later(exc: BaseException) -> bool:
    """Deliver ``exc`` again in a moment (a timer signal), if the timer is free; False if not."""
    global _retry
    if not hasattr(signal, "setitimer") or signal.getsignal(signal.SIGALRM) not in (
        signal.SIG_DFL,
        _retry_delivery,
    ):
        return False
    _retry = exc
    signal.signal(signal.SIGALRM, _retry_delivery)
    signal.setitimer(signal.ITIMER_REAL, _RETRY_SECONDS)
    return True


def deliver(exc: BaseException, frame: FrameType | None) -> None:
    """Raise ``exc`` from a signal handler now, or defer it (see the module's docstring).

    ``frame`` is the frame the handler interrupted (its second argument). Inside an import it
    is delivered again a moment later: imports of compiled libraries (torch, Triton) run
    Python code from C++, where an exception aborts the process (``terminate called ...``).
    So is one that lands in a weak-reference callback outside a deferred block, where Python
    would ignore it.
    """
    global _pending
    if _in_import(frame) and _later(exc):
        return
    if not _callbacks and _runs_in(frame, _IGNORING_MODULES) and _later(exc):
        return  # raised there it would be lost; outside a deferred block, a moment later
    if not _callbacks or not _in_sync_code(frame):
        raise exc
    if _pending is None:
        _pending = exc
    for callback in list(_callbacks):
        try:
            callback()
        except Exception as err:  # noqa: BLE001 - a handler must not fail half-way
            print(f"eegpt: while stopping: {type(err).__name__}: {err}", file=sys.stderr)


def check() -> None:
    """Raise the interrupt deferred so far, if any."""
    global _pending
    exc, _pending = _pending, None
    if exc is not None:
        raise exc


def _keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    """Python's default Ctrl-C handler, through :func:`deliver`."""
    deliver(KeyboardInterrupt(), frame)


@contextlib.contextmanager
def deferred(on_interrupt: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Defer interrupts that land in locking code to :func:`check` calls inside the block, or
    to its end. Blocks nest; ``on_interrupt`` runs (in the main thread, from the signal
    handler) when an interrupt is deferred and must only do what is safe there: send signals,
    set flags. Python's default SIGINT handler is replaced by one that defers, in the block."""
    swap = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )
    if swap:
        signal.signal(signal.SIGINT, _keyboard_interrupt)
    _callbacks.append(on_interrupt)
    try:
        yield
    except BaseException:
        # unregistered first: an interrupt from here on is raised at once, not left pending
        _callbacks.remove(on_interrupt)
        check()  # the interrupt, not what it caused (a broken pool, a cancelled future)
        raise
    finally:
        if swap:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    _callbacks.remove(on_interrupt)
    check()
