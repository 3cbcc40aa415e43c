"""The in-process engine of a corpus run: reader processes, device threads, a writer thread.

:func:`run_inprocess` reads files in reader processes (:class:`Readers`: spawned, one thread
each, results in input order, a reader that dies identified by reading its files again one at a
time), embeds them on one engine per device and hands the results in order to a sink, which
:class:`BackgroundSink` runs on a writer thread. A reader process is told to give up its file
by a signal (:data:`_CANCEL_SIGNAL`, SIGUSR1 where there is one: :class:`ReadCancelled`), and
ignores Ctrl-C, which its parent handles (:func:`init_reader`, :func:`reader_signals_blocked`).
The parts of a long recording embedded so far are kept for a run stopped inside it
(:class:`KeptWindows`), whose resume runs the model only on the other parts.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch

from eegpt import _interrupts, _reader_start
from eegpt._logging import Verbose
from eegpt._partial_embeddings import CPU_NUMERICS, PartialRows, remove_partial, run_fingerprint
from eegpt._reader_start import die_with_parent as _die_with_parent
from eegpt.dataset_files import (
    PART_BYTES,
    FilePart,
    FileResult,
    LoadedFile,
    Pool,
    encode_files,
    file_result,
    load_file,
)
from eegpt.dataset_folders import KEPT_WINDOWS, kept_windows_name
from eegpt.dataset_inputs import InputFile
from eegpt.dataset_stamps import STAMP_VERSION, full_hashes, source_stamp
from eegpt.engine import InferenceEngine
from eegpt.preprocessing import PRETRAINING_SFREQ
from eegpt.preprocessing_spec import on_a_sample


class KeptWindows:
    """The windows embedded so far of the recordings read in parts (:class:`FilePart`), kept
    in the run's folder (:class:`~eegpt._partial_embeddings.PartialRows` under
    :func:`~eegpt.dataset_folders.kept_windows_name`) so that a run stopped inside one
    (Ctrl-C, SIGTERM) resumes there: the parts whose rows were kept are read and checked
    as before, but the model does not run on them again.

    A part's rows are kept when its result is handed to the shard writer; a recording's are
    removed when its last part (or an error) is, and every kept file when the run ends
    unstopped. Kept rows are taken only where their fingerprint is the recording's: the
    run's settings (``settings``: its manifest's spec, the batch size, the devices and, on
    GPUs, their models, on a CPU its instruction set: :func:`eegpt.dataset.engine_numerics`), the
    recording's files as ``eegpt embed``'s kept windows tell them (size, modification time
    and a fingerprint of the first and last MiB of each: :func:`~eegpt.dataset_stamps.source_stamp`;
    with ``hash_inputs``, each file's full SHA-256 too: :func:`~eegpt.dataset_stamps.full_hashes`),
    the recording's start where its windows start (:func:`_where_windows_start`) and the
    parts' bounds.

    Parameters
    ----------
    output_dir : Path
        The run's folder.
    settings : dict
        What determines the embeddings besides the recording (JSON-serialisable).
    files : sequence of InputFile
        The files this run embeds, by :attr:`InputFile.index`.
    verbose : bool | str | int | None
        As in MNE: whether resumed recordings, and kept rows of other settings, are said.
    hash_inputs : bool
        Tell a changed recording by its files' full SHA-256 too (``--hash-inputs``: every
        byte read once more when a recording read in parts is opened).
    """

    def __init__(
        self,
        output_dir: Path,
        settings: Mapping[str, Any],
        files: Sequence[InputFile],
        verbose: Verbose = None,
        *,
        hash_inputs: bool = False,
    ) -> None:
        self.output_dir = output_dir
        self.hash_inputs = hash_inputs
        self.settings = dict(settings)
        self.files = {f.index: f for f in files}
        self.verbose = verbose
        self._open: dict[int, PartialRows] = {}
        self._read: dict[int, int] = {}  # rows of a recording read so far (parts in order)
        self._written: dict[int, int] = {}  # rows of a recording kept so far

    def _path(self, index: int) -> Path:
        return self.output_dir / kept_windows_name(self.files[index].recording_id)

    def _rows(self, loaded: LoadedFile, part: FilePart) -> PartialRows:
        """The kept rows of ``loaded``'s recording, opened at its first part."""
        rows = self._open.get(loaded.index)
        if rows is None or part.first == 0:
            if rows is not None:
                rows.close()
            file = self.files[loaded.index]
            metadata = {
                "settings": self.settings,
                "file": {
                    **_where_windows_start(file, self.settings),
                    "index": None,
                    "stamp": source_stamp(file),  # first and last MiB too, as eegpt embed's
                    **(full_hashes(file) if self.hash_inputs else {}),
                },
                "parts": [part.stop - part.first, part.n_windows],
            }
            rows = PartialRows(
                self._path(loaded.index),
                run_fingerprint(metadata, np.zeros(0), ""),
                part.n_windows,
                resume=True,
                verbose=self.verbose,
                label=file.recording_id,
                earlier=partial(_earlier_fingerprints, metadata, file),
                taken_earlier=partial(_fingerprints_without_the_cpu, metadata, file),
            )
            self._open[loaded.index] = rows
            self._read[loaded.index] = self._written[loaded.index] = 0
        return rows

    def stored(self, loaded: LoadedFile) -> np.ndarray | None:
        """The embeddings of ``loaded`` (a part of a recording; float32 ``[n, ...]`` as
        its result holds them) kept by a stopped run, or None to run the model on it."""
        part = loaded.part
        if part is None or loaded.error is not None or loaded.index not in self.files:
            return None
        rows = self._rows(loaded, part)
        start = self._read[loaded.index]
        self._read[loaded.index] = start + loaded.n_windows
        return rows.stored_rows(start, loaded.n_windows) if loaded.n_windows else None

    def add(self, result: FileResult) -> None:
        """Keep the rows of ``result`` (handed to the writer); remove its recording's kept
        rows once its last part, or an error, has come."""
        rows = self._open.get(result.index)
        if result.part is None or rows is None:
            return
        if result.error is not None or result.part.last:
            rows.close()
            remove_partial(rows.output)
            del self._open[result.index]
            return
        start = self._written[result.index]
        n = len(result.embeddings)
        if n:
            rows.append(start, result.embeddings)
        self._written[result.index] = start + n

    def close(self, *, stopped: bool) -> None:
        """Stopped: record the rows of the recordings in progress for a resume, and remove
        the kept rows of recordings this run does not embed; else remove them all."""
        for rows in self._open.values():
            if stopped:
                rows.commit()
            rows.close()
        self._open.clear()
        keep = {self._path(i).name for i in self.files} if stopped else set()
        remove_kept_windows(self.output_dir, keep)


def _where_windows_start(file: InputFile, settings: Mapping[str, Any]) -> dict[str, Any]:
    """``file``'s fields as its kept windows' fingerprint records them: its manifest's
    ``start_seconds`` where its windows start, at the nearest sample at the run's rate
    (``settings["spec"]["preprocessing"]["sfreq"]``, 256 Hz where none is recorded;
    :func:`~eegpt.preprocessing_spec.on_a_sample`), as the run's listing and its
    preprocessing record it: a cell moved onto the same sample (3 -> 3.001 at 256 Hz) cuts
    the same windows, so the windows kept are taken; one on another sample cuts others."""
    fields = asdict(file)
    if file.start_seconds is not None:
        preprocessing = (settings.get("spec") or {}).get("preprocessing") or {}
        sfreq = float(preprocessing.get("sfreq", PRETRAINING_SFREQ))
        fields["start_seconds"] = on_a_sample(file.start_seconds, sfreq)
    return fields


def _earlier_fingerprints(metadata: Mapping[str, Any], file: InputFile) -> list[str]:
    """The fingerprints of a recording's kept windows (``metadata`` as :class:`KeptWindows`
    makes it) as eegpt made them before 2026-12-07, its files stamped by size and
    modification time alone (stamp versions 5 and 6): windows kept so cannot be checked
    against the files' contents, so they are embedded again, with a note saying why."""
    found = []
    for version in (5, STAMP_VERSION):
        stamp = source_stamp(file, fingerprints=False, version=version)
        old = {**metadata, "file": {**asdict(file), "index": None, "stamp": stamp}}
        found.append(run_fingerprint(old, np.zeros(0), ""))
    return found


def _fingerprints_without_the_cpu(metadata: Mapping[str, Any], file: InputFile) -> list[str]:
    """The fingerprints of a recording's kept windows (``metadata`` as :class:`KeptWindows`
    makes it) as eegpt made them before 2026-12-07 on a CPU: its settings without the CPU's
    instruction set (:data:`~eegpt._partial_embeddings.CPU_NUMERICS`; no ``engine`` where
    nothing else is in it), ``file``'s ``start_seconds`` as given or where its windows start
    (:func:`_where_windows_start`: the same windows). Windows kept so are taken, on the same
    machine most often (:class:`~eegpt._partial_embeddings.PartialRows`'
    ``taken_earlier``); none where the settings name no CPU's."""
    settings = metadata["settings"]
    engine = dict(settings.get("engine") or {})
    if engine.pop(CPU_NUMERICS, None) is None:
        return []
    before = {k: v for k, v in settings.items() if k != "engine"}
    if engine:
        before["engine"] = engine
    as_given = {**metadata["file"], "start_seconds": file.start_seconds}
    return [
        run_fingerprint({**metadata, "settings": before, "file": fields}, np.zeros(0), "")
        for fields in (metadata["file"], as_given)
    ]


def remove_kept_windows(output_dir: Path, keep: Iterable[str] = ()) -> None:
    """Remove the kept windows (:class:`KeptWindows`) in ``output_dir`` but those of the
    names ``keep`` (:func:`~eegpt.dataset_folders.kept_windows_name`)."""
    try:
        found = [p for p in output_dir.iterdir() if KEPT_WINDOWS.match(p.name)]
    except OSError:
        return
    for path in found:
        if path.name.split(".")[1] not in keep:
            path.unlink(missing_ok=True)


def _done(results: list[FileResult]) -> Future:
    """A future already holding ``results``."""
    fut: Future = Future()
    fut.set_result(results)
    return fut


def _kept_result(loaded: LoadedFile, z: np.ndarray, engine: InferenceEngine) -> FileResult:
    """The result of ``loaded`` with the embeddings ``z`` a stopped run kept: as the model's
    would be (:func:`~eegpt.dataset_files.encode_files`), batch size recorded included."""
    return file_result(loaded, z, None, engine.batch_for(loaded.data.shape))


class ReadCancelled(BaseException):
    """Raised in a reader process that its parent told to stop (:meth:`Readers.cancel`); a
    BaseException, so that :func:`load_file`, which records every error of a file, lets it
    through, and the pool sends it back as the file's result."""


#: Set in a reader process once it is told to stop: every file it still gets is given up.
_cancelled = False
#: True while a reader process runs its loader: only then does being told to stop raise.
_in_loader = False
# The cancellation request of the parent (SIGUSR1 where the platform has it).
_CANCEL_SIGNAL = getattr(signal, "SIGUSR1", None)


def _on_cancel(signum: int, frame: Any) -> None:
    global _cancelled
    _cancelled = True
    if _in_loader:  # not while the pool's own code runs (sending a result): only in a file
        raise ReadCancelled


def _cancellable(loader: Callable[..., LoadedFile], *args: Any, **kwargs: Any) -> LoadedFile:
    """``loader(*args, **kwargs)`` in a reader process, given up when the parent cancels."""
    global _in_loader
    if _cancelled:
        raise ReadCancelled
    _in_loader = True
    try:
        return loader(*args, **kwargs)
    finally:
        _in_loader = False


def _leave_at_once() -> None:
    """Exit a reader process that was told to stop without the interpreter's teardown.

    Run first at the reader's exit (registered last, by :func:`init_reader`): the other exit
    handlers then run as at any exit, and the process ends. The teardown of a process that
    imported torch takes a second of CPU, several on a busy machine, and its parent waits for
    it (:meth:`Readers.close`); a cancelled reader holds nothing that needs it (its file was
    given up, its results sent). A reader that was not cancelled ends as usual."""
    if not _cancelled:
        return
    atexit.unregister(_leave_at_once)  # else the next call would run it again
    atexit._run_exitfuncs()  # the others (logging's flush, finalizers), in their order
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()
    os._exit(0)


def init_reader(parent: int) -> None:
    """Reader process set-up: one thread, and exit when the parent dies (even by ``kill -9``).

    A pool worker holds both ends of its task pipe, so it would otherwise wait forever once
    its parent is gone. Run by :func:`eegpt._reader_start.start`, the pool's initializer,
    which has the kernel kill the reader with its parent before this module's imports.
    """
    _die_with_parent(parent)  # again: cheap, and the guard where this is called directly
    torch.set_num_threads(1)
    # Ctrl-C reaches the whole process group: the parent stops the readers (close(abort=True))
    # instead of every reader printing its own KeyboardInterrupt traceback. Both signals were
    # blocked from the start (reader_signals_blocked): a Ctrl-C during the imports is then
    # discarded, and a cancellation is kept until its handler is in place.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _CANCEL_SIGNAL is not None:
        signal.signal(_CANCEL_SIGNAL, _on_cancel)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _READER_SIGNALS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="eegpt-parent-watch", daemon=True).start()
    atexit.register(_leave_at_once)  # last, after the imports' handlers: run first


_READER_SIGNALS = {signal.SIGINT} | ({_CANCEL_SIGNAL} if _CANCEL_SIGNAL is not None else set())


@contextlib.contextmanager
def reader_signals_blocked() -> Iterator[None]:
    """SIGINT and the cancellation signal blocked in this thread. Reader processes started
    inside inherit the mask, so a Ctrl-C while they import (before :func:`init_reader`
    ignores it) cannot end one with a traceback, and a cancellation then waits for its
    handler instead of killing the reader. For this process no Ctrl-C is lost: another
    thread takes it (Python runs the handler in the main thread all the same), or it waits
    until the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _READER_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Readers:
    """Read files in worker processes, yielding results in input order.

    At most ``max_in_flight`` files, or parts of long ones (:class:`FilePart`), are being read
    or waiting, and of those at most one part per reader and one more (a part holds up to
    :data:`PART_BYTES` of windows), which bounds memory. If a worker process dies (a crash in a file reader, the OOM
    killer), the files that were in flight are read again one at a time, so the one that kills
    its reader is identified and recorded as failed while the others succeed.
    """

    def __init__(
        self,
        workers: int,
        kwargs: Mapping[str, Any],
        max_in_flight: int,
        loader: Callable[..., LoadedFile] | None = None,
    ) -> None:
        self.workers, self.kwargs = workers, dict(kwargs)
        self.loader = load_file if loader is None else loader
        self.max_in_flight = max(1, max_in_flight)
        self.pool: ProcessPoolExecutor | None = None
        self._pending: deque[_Read] = deque()  # of the read in progress

    def _start(self) -> None:
        self.close()
        ctx = multiprocessing.get_context("spawn")  # no fork: torch threads may be running
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_reader_start.start, initargs=(os.getpid(),)
        )

    def cancel(self) -> None:
        """Make the readers give up their files at once (a large file can take many seconds
        to read): each answers with :class:`ReadCancelled`. It only sends signals, so it is
        safe in a signal handler. (Terminating them instead could cut a result short in the
        pool's pipe, and the pool would then wait for its end forever.)"""
        if self.pool is None:
            return
        processes = getattr(self.pool, "_processes", None) or {}  # pid -> Process
        for process in list(processes.values()):
            if _CANCEL_SIGNAL is None:  # pragma: no cover - Windows
                process.terminate()
                continue
            with contextlib.suppress(ProcessLookupError, TypeError):  # gone, or not started
                os.kill(process.pid, _CANCEL_SIGNAL)

    def close(self, *, abort: bool = False) -> None:
        """Stop the readers: after their current file, or at once (``abort``, on an error or
        an interruption)."""
        if self.pool is not None:
            if abort:
                self.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _submit(self, entry: _Read) -> Future:
        assert self.pool is not None
        f = entry.file
        kwargs = {"rescale": f.rescale, "annotations": f.annotations, "bads": f.bads,
                  "start_seconds": f.start_seconds, **self.kwargs}  # fmt: skip
        if entry.part is not None:
            kwargs["part"] = entry.part
        with reader_signals_blocked():  # a submission may start a reader process
            return self.pool.submit(_cancellable, self.loader, f.index, f.path, **kwargs)

    def read(self, files: Iterable[InputFile]) -> Iterator[LoadedFile]:
        """Yield the files read, in order; a file read in parts (``part_bytes`` among the
        loader's arguments) as its parts, one after the other."""
        if self.workers == 0:
            for f in files:
                parts: deque[_Read] = deque([_Read(f)])
                while parts:
                    entry = parts.popleft()
                    part: dict[str, Any] = {} if entry.part is None else {"part": entry.part}
                    loaded = self.loader(
                        f.index, f.path, rescale=f.rescale, annotations=f.annotations,
                        bads=f.bads, start_seconds=f.start_seconds, **self.kwargs, **part,
                    )  # fmt: skip
                    parts.extend(_Read(f, p) for p in loaded.more)
                    yield _the_rest_failed(parts, loaded) if loaded.error else loaded
            return
        self._start()
        todo = iter(files)
        # in output order; the first ones submitted (at most max_in_flight at a time), the
        # others waiting: the later parts of a file go before the files behind it
        pending = self._pending = deque()
        while True:
            try:
                self._fill(pending, todo)
                if not pending:
                    break
                head = pending[0]
                assert head.future is not None
                loaded = head.future.result()
            except ReadCancelled:
                _interrupts.check()  # the interrupt that cancelled the readers
                raise
            except BrokenProcessPool:  # a reader died (perhaps while the caller was busy)
                _interrupts.check()  # the readers were stopped by an interrupt
                self._start()
                head = pending[0]
                if head.alone and head.future is not None:  # this file killed its reader
                    pending.popleft()
                    yield _the_rest_failed(pending, self._died(head))
                    continue
                for entry in pending:  # find which one: each read alone, in turn
                    entry.future, entry.alone = None, True
                continue
            pending.popleft()
            pending.extendleft(
                reversed([_Read(head.file, p, alone=head.alone) for p in loaded.more])
            )
            yield _the_rest_failed(pending, loaded) if loaded.error else loaded

    def _fill(self, pending: deque[_Read], todo: Iterator[InputFile]) -> None:
        """Submit reads in order while fewer than ``max_in_flight`` are in flight; one read
        alone (after a reader died) is the only one in flight, and new files wait for them."""
        while True:
            in_flight = sum(e.future is not None for e in pending)
            waiting = next((e for e in pending if e.future is None), None)
            if waiting is None:
                if len(pending) >= self.max_in_flight or any(e.alone for e in pending):
                    return
                f = next(todo, None)
                if f is None:
                    return
                waiting = _Read(f)
                pending.append(waiting)
            alone_running = any(e.alone and e.future is not None for e in pending)
            if in_flight >= self.max_in_flight or alone_running or (waiting.alone and in_flight):
                return
            parts = sum(e.future is not None and e.part is not None for e in pending)
            if waiting.part is not None and parts > self.workers:
                return
            waiting.future = self._submit(waiting)

    def _died(self, entry: _Read) -> LoadedFile:
        where = ""
        if entry.part is not None:
            where = f"{entry.part}: "
        died = LoadedFile.failed(
            entry.file.index,
            f"{where}the reader process died while reading this file (crash or out of memory; if "
            "every file fails so, from a script: run embed_dataset under if __name__ == "
            "'__main__':, as reader processes start by importing the script)",
        )
        died.part = entry.part
        return died


def _the_rest_failed(pending: deque[_Read], failed: LoadedFile) -> LoadedFile:
    """A part of a file failed: its file's later parts are not read, and the failure stands
    for them (its part reaches the file's end, so that the writer ends the file)."""
    if failed.part is None:
        return failed
    for entry in [e for e in pending if e.file.index == failed.index and e.part is not None]:
        if entry.future is not None:
            entry.future.cancel()  # one already being read ends in the background, unused
        pending.remove(entry)
    failed.part = replace(failed.part, stop=failed.part.n_windows)
    return failed


@dataclass
class _Read:
    """A file, or one part of it, to read: submitted (``future``) or waiting."""

    file: InputFile
    part: FilePart | None = None
    future: Future | None = None
    alone: bool = False  # read while no other is (a reader died with it in flight)


class BackgroundSink:
    """Call ``sink`` on a writer thread, so that writing Parquet overlaps reading and inference.

    Results are passed on in the order given, and at most ``depth`` wait. An error of the writer
    is raised in the caller at its next call or at :meth:`close`.
    """

    def __init__(self, sink: Callable[[FileResult], None], depth: int = 4) -> None:
        self.sink = sink
        self.queue: queue.Queue[FileResult | None] = queue.Queue(depth)
        self.error: BaseException | None = None
        # in the caller's context: its verbose level and warning records (eegpt's context
        # variables) hold for what the sink warns of too, not a new thread's empty context
        context = contextvars.copy_context()
        self.thread = threading.Thread(
            target=context.run, args=(self._work,), name="eegpt-writer", daemon=True
        )
        self.thread.start()

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is None:  # after an error, drain the queue without writing
                try:
                    self.sink(item)
                except BaseException as err:  # noqa: BLE001 - handed to the caller
                    self.error = err

    def __call__(self, result: FileResult) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(result)
        _interrupts.check()  # one deferred while waiting here or for this result

    def close(self, *, raise_error: bool = True) -> None:
        """Wait until everything queued is written."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        if raise_error and self.error is not None:
            raise self.error


def run_inprocess(
    files: Sequence[InputFile],
    sink: Callable[[FileResult], None],
    *,
    engines: Sequence[InferenceEngine],
    load_kwargs: Mapping[str, Any],
    pool: Pool = "none",
    workers: int = 1,
    on_windows: Callable[[int], None] | None = None,
    kept: KeptWindows | None = None,
) -> None:
    """Read in worker processes, embed on every engine's device, hand results in order to ``sink``.

    Parameters
    ----------
    files : sequence of InputFile
        Files to process, in output order.
    sink : callable(FileResult)
        Receives the results in the order of ``files`` (the shard writer).
    engines : sequence of InferenceEngine
        One per device; each runs in its own thread (PyTorch releases the GIL in its kernels).
    load_kwargs : dict
        ``config``, ``rename``, ``on_unknown`` for :func:`load_file`; ``part_bytes`` defaults
        to 256 MiB (long recordings are read and embedded in parts, see :class:`FilePart`).
    pool : ``"none"`` | ``"mean"``
    workers : int
        Reader processes; 0 reads in this process (no overlap).
    on_windows : callable(int) | None
        Called with the number of windows of each chunk embedded (or taken from ``kept``).
    kept : KeptWindows | None
        The windows of recordings read in parts kept as they are embedded, and taken instead
        of the model's where a stopped run kept them; closed here (kept on a stop).
    """
    idle: queue.SimpleQueue[InferenceEngine] = queue.SimpleQueue()
    for engine in engines:
        idle.put(engine)

    stop = threading.Event()  # set by an interruption: device threads end at their next chunk

    def encode_group(group: list[LoadedFile]) -> list[FileResult]:
        engine = idle.get()
        try:
            return encode_files(engine, group, pool=pool, stop=stop, on_windows=on_windows)
        finally:
            idle.put(engine)

    def hand_on(result: FileResult) -> None:
        if kept is not None:
            kept.add(result)
        sink(result)

    def on_interrupt() -> None:
        stop.set()
        readers.cancel()

    kwargs = {"part_bytes": PART_BYTES, **load_kwargs}  # long recordings in parts
    readers = Readers(workers, kwargs, max_in_flight=2 * max(1, workers) + 2)
    pending: deque[Future] = deque()
    max_pending = 2 * len(engines)
    with (
        _interrupts.deferred(on_interrupt=on_interrupt),
        ThreadPoolExecutor(len(engines), thread_name_prefix="eegpt-device") as devices,
    ):
        try:
            group: list[LoadedFile] = []
            n_group = 0
            for loaded in readers.read(files):
                _interrupts.check()
                stored = None if kept is None else kept.stored(loaded)
                if stored is not None:  # embedded by a stopped run: in order, after the group
                    if group:
                        pending.append(devices.submit(encode_group, group))
                        group, n_group = [], 0
                    pending.append(_done([_kept_result(loaded, stored, engines[0])]))
                    if on_windows is not None:
                        on_windows(len(stored))
                    continue
                group.append(loaded)
                n_group += loaded.n_windows
                full = loaded.n_windows and n_group >= engines[0].batch_for(loaded.data.shape)
                if full or len(group) >= 256:
                    pending.append(devices.submit(encode_group, group))
                    group, n_group = [], 0
                while pending and (pending[0].done() or len(pending) > max_pending):
                    for result in pending.popleft().result():
                        hand_on(result)
            if group:
                pending.append(devices.submit(encode_group, group))
            while pending:
                for result in pending.popleft().result():
                    hand_on(result)
            if kept is not None:
                kept.close(stopped=False)
        except BaseException as err:
            # an error or an interruption: do not wait for readers or devices
            stop.set()
            if kept is not None:  # a failure to keep them does not hide why the run ended
                with contextlib.suppress(OSError):
                    kept.close(stopped=not isinstance(err, Exception))
            for fut in pending:
                fut.cancel()
            readers.close(abort=True)
            raise
        finally:
            for fut in pending:
                fut.cancel()
            readers.close()
