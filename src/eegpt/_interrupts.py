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

An interrupt that lands inside an ``import`` is postponed (kept in a flag, see
:func:`deliver`) and raised at the next safe point; it is never dropped: a command that ends
with one still postponed ends as the signal demands (:func:`raise_postponed`).
"""

from __future__ import annotations

import builtins
import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType, ModuleType

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


# an interrupt that landed where it cannot be raised (an import, or a weak-reference callback
# outside a deferred block): kept here, never on a timer, and raised at the next safe point
_postponed: BaseException | None = None


def _postpone(exc: BaseException) -> None:
    global _postponed
    if _postponed is None:  # the first one stands (a second Ctrl-C has its own handler)
        _postponed = exc


def _take_postponed() -> BaseException | None:
    global _postponed
    exc, _postponed = _postponed, None
    return exc


def postponed() -> BaseException | None:
    """The interrupt postponed so far and not raised yet (see :func:`deliver`), if any."""
    return _postponed


def raise_postponed() -> None:
    """Raise the postponed interrupt, if any: the command line calls this when a command
    ends, so that one that landed in its last import ends it as the signal demands (status
    130 or 143) instead of being lost."""
    exc = _take_postponed()
    if exc is not None:
        raise exc


_builtin_import = builtins.__import__


def _import_then_deliver(
    name: str,
    globals: Mapping[str, object] | None = None,
    locals: Mapping[str, object] | None = None,
    fromlist: Sequence[str] | None = (),
    level: int = 0,
) -> ModuleType:
    """``import``, then the interrupt postponed during it, once the outermost import is over
    (the first moment it can be raised): an import statement's end is a safe point."""
    module = _builtin_import(name, globals, locals, fromlist, level)
    if _postponed is not None:
        frame = sys._getframe(1)
        if not _in_import(frame):
            exc = _take_postponed()
            if exc is not None:
                deliver(exc, frame)
    return module


def watch_imports() -> None:
    """Raise an interrupt postponed during an import as soon as the import statement that
    started it is over (``builtins.__import__`` wrapped; the command line's entry point does
    this for its process). Without it, such an interrupt waits for the next :func:`check`,
    the end of a :func:`deferred` block, or :func:`raise_postponed`."""
    if builtins.__import__ is _builtin_import:
        builtins.__import__ = _import_then_deliver


def deliver(exc: BaseException, frame: FrameType | None) -> None:
    """Raise ``exc`` from a signal handler now, or defer it (see the module's docstring).

    ``frame`` is the frame the handler interrupted (its second argument). Inside an import it
    is postponed: imports of compiled libraries (torch, Triton) run Python code from C++,
    where an exception aborts the process (``terminate called ...``). So is one that lands in
    a weak-reference callback outside a deferred block, where Python would ignore it. A
    postponed interrupt is raised at the next safe point: the end of the import statement
    (:func:`watch_imports`), a :func:`check`, a :func:`deferred` block's start or end, or the
    command's end (:func:`raise_postponed`). No timer or other signal is involved, so none
    can outlive the run (a timer's SIGALRM at exit killed a finished run: status 142).
    """
    global _pending
    if _in_import(frame):
        _postpone(exc)
        return
    if not _callbacks and _runs_in(frame, _IGNORING_MODULES):
        _postpone(exc)  # raised there it would be lost
        return
    if not _callbacks or not _in_sync_code(frame):
        raise exc
    if _pending is None:
        _pending = exc
    for callback in list(_callbacks):
        try:
            callback()
        except Exception as err:  # noqa: BLE001 - a handler must not fail half-way
            # stderr directly, not logging, whose locks a signal handler may deadlock on
            print(f"eegpt: while stopping: {type(err).__name__}: {err}", file=sys.stderr)


def check() -> None:
    """Raise the interrupt deferred so far, if any."""
    global _pending
    exc, _pending = _pending, None
    if exc is None:
        exc = _take_postponed()  # one that landed in an import, raised here at the latest
    if exc is not None:
        raise exc


def _keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    """Python's default Ctrl-C handler, through :func:`deliver`."""
    deliver(KeyboardInterrupt(), frame)


class Terminated(SystemExit):
    """SIGTERM arrived: unwind (``finally`` blocks run) and exit with 128 + 15."""


def raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """The SIGTERM handler of the command line (and of :func:`sigterm_stops`): raises
    :class:`Terminated`, through :func:`deliver`."""
    # Written to stderr directly, as the command line's other messages are, not logged: a
    # signal handler runs between two bytecodes of the main thread, and logging takes its
    # handlers' locks (Python's logging documentation warns that handlers of signals may
    # deadlock on them: another thread holding one may wait for the main thread).
    print("eegpt: SIGTERM: stopping after the current batch", file=sys.stderr, flush=True)
    deliver(Terminated(128 + signum), frame)


@contextlib.contextmanager
def sigterm_stops() -> Iterator[None]:
    """In the block, SIGTERM stops the run as the command line's does (:func:`raise_on_sigterm`:
    ``finally`` blocks run, so that a corpus run keeps what it finished; the process exits
    with 143 unless the caller catches :class:`SystemExit`), where it would otherwise kill the
    process at once: a script or notebook calling the Python API under a scheduler (SLURM's
    preemption and time limit send SIGTERM). Only in the main thread, and only where SIGTERM
    has its default disposition: a handler of the caller's (or the command line's, which
    installs this same one) or SIG_IGN is left as it is. Restored when the block ends."""
    swap = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    )
    if swap:
        signal.signal(signal.SIGTERM, raise_on_sigterm)
    try:
        yield
    finally:
        if swap:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


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
    try:
        raise_postponed()  # one postponed before the block: not carried into its work
    except BaseException:
        if swap:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        raise
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
