"""``--log-file PATH``: a timestamped copy of what a command says on stderr, for unattended runs.

A cluster job or a nightly cron run leaves no record but what the scheduler captured of stderr,
whose lines carry no time. With ``--log-file``, everything the command writes to stderr while
it runs (eegpt's messages, warnings, MNE's log, the final error of a failed run) is also
appended to the file, each line as ``TIME [pid N] LEVEL text`` (``TIME`` in ISO 8601 with the
local UTC offset; the process id, which tells apart the lines of runs appending to one file at
once; ``LEVEL`` read from the line: ``ERROR`` for ``eegpt: error:`` lines, a run's failed files
and a traceback, ``WARNING`` for warnings, ``INFO`` else; an indented line continues the message
above it and keeps its level).
The first line names the command line, the versions of eegpt, torch and Python and the host; the
last one the exit status. Progress bars are drawn on the terminal only; the log file gets a line
of a bar's state at most every 30 s and its last state (a bar of a few seconds none:
:func:`eegpt._logging.progress_options`), so that a long run's log shows it alive and how far it
got, never a redraw each. The terminal's output is unchanged.

It works as a tee of ``sys.stderr`` (:class:`RunLogStream`), installed for the command's run and
taken away after it, so that nothing is written twice (no handler is added to the ``eegpt``
logger, whose messages reach the terminal through stderr too) and nothing is left behind when
``eegpt.cli.main`` returns. Not captured: what child processes write to the file descriptor
directly (not through Python's ``sys.stderr``) and usage errors of the command line (found
before the file is opened).
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import platform
import re
import shlex
import sys
import threading
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from eegpt._logging import PROGRESS_LOG_ATTRIBUTE, PROGRESS_STREAM_ATTRIBUTE

#: The levels a line is given, by how it starts (the first that matches).
_LEVELS = (
    ("eegpt: error:", "ERROR"),
    ("eegpt: internal error:", "ERROR"),
    # a run's summary: the files that failed (eegpt embed-dataset)
    ("failed (", "ERROR"),
    # a traceback (--debug), its chained exceptions
    ("Traceback (most recent call last):", "ERROR"),
    ("During handling of the above exception", "ERROR"),
    ("The above exception was the direct cause", "ERROR"),
    ("eegpt: warning:", "WARNING"),
    ("eegpt: interrupted", "WARNING"),  # Ctrl-C or SIGTERM stopped the run
    ("eegpt: SIGTERM", "WARNING"),
    ("eegpt: stopping", "WARNING"),
    ("eegpt: quit at once", "WARNING"),
)


class LogFileError(ValueError):
    """``--log-file PATH`` names a file that cannot be opened for appending."""


def timestamp() -> str:
    """Now, in ISO 8601 to the millisecond with the local UTC offset:
    ``2026-12-06T14:05:09.123+01:00``."""
    return datetime.datetime.now().astimezone().isoformat(timespec="milliseconds")


def line_level(line: str, previous: str = "INFO") -> str:
    """The level of a line of stderr: ``ERROR`` for ``eegpt: error:`` lines (and internal
    errors), a run summary's failed files (``failed (3, all in ...):``) and a traceback
    (``--debug``; its last line, ``ValueError: ...``, after ``previous`` ``ERROR`` lines),
    ``WARNING`` for warnings (eegpt's ``eegpt: warning:``, Python's ``file:line:
    SomeWarning: text``) and a run stopped (Ctrl-C,
    SIGTERM), ``previous`` for an indented or empty line (it continues the message above: a
    list of failed files, a table, a chained traceback), else ``INFO``."""
    if line[:1] in (" ", "\t") or not line:  # a message's next line, or a blank one in it
        return previous
    for start, level in _LEVELS:
        if line.startswith(start):
            return level
    head = line.split(" ", 1)[0]
    if "Warning:" in line and (head.endswith("Warning:") or ":" in head):
        return "WARNING"
    if _EXCEPTION_LINE.match(line) and previous == "ERROR":  # a traceback's last line
        return "ERROR"
    if _COMMAND_ERROR.match(line):  # a usage error argparse found after the file was opened
        return "ERROR"
    return "INFO"


#: ``eegpt embed-dataset: error: ...``: a command's own parser's error.
_COMMAND_ERROR = re.compile(r"^eegpt( [\w-]+)+: error:")

#: The last line of a traceback: ``ValueError: ...``, ``eegpt.errors.RecordingError: ...``.
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit|Terminated)(:|$)")


def _version(package: str) -> str:
    """The installed version of ``package`` (without importing it), or ``"not installed"``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def header_line(words: Sequence[str] | None) -> str:
    """The first line a run writes: its command line (``words``, the arguments after
    ``eegpt``), the versions of eegpt, torch and Python, the host and the process id."""
    from eegpt import __version__

    command = shlex.join(["eegpt", *(words or [])])
    try:
        folder = os.getcwd()
    except OSError:  # the working folder was removed
        folder = "a working folder removed"
    return (
        f"started: {command} (eegpt {__version__}, torch {_version('torch')}, python "
        f"{platform.python_version()}, host {platform.node() or 'unknown'}, pid {os.getpid()}, "
        f"in {folder})"
    )


def refuse_folder(path: Path) -> None:
    """Raise :class:`LogFileError` where the ``--log-file`` ``path`` is a folder: said so
    first, before it is compared with the command's inputs and outputs (an output folder
    given as the log was said to be "one of the files the command writes")."""
    if path.is_dir():
        raise LogFileError(
            f"--log-file {path} is a folder; give the path of a file to append the run's "
            "messages to (such as run.log inside it)"
        )


def open_log_file(path: Path) -> IO[str]:
    """``path`` opened for appending text (line by line, UTF-8); raises :class:`LogFileError`
    saying why it cannot be, and what to do."""
    refuse_folder(path)
    try:
        return open(path, "a", encoding="utf-8", errors="backslashreplace", buffering=1)  # noqa: SIM115
    except OSError as err:
        why = err.strerror or str(err)
        raise LogFileError(
            f"--log-file {path} cannot be opened to append to ({why}); give a file in a folder "
            "that exists and that you may write to"
        ) from None


class _NoTerminal(io.TextIOBase):
    """The terminal of a run whose ``sys.stderr`` is None (``2>&-``, ``pythonw``): takes
    what is written and drops it (the log file still gets each line)."""

    def write(self, text: str) -> int:
        return len(text)


class RunLogStream:
    """``sys.stderr`` while a command runs with ``--log-file``: writes go to the terminal's
    stream as they are, and each complete line also to the log file with its time and level
    (:func:`line_level`). Carriage returns (a progress bar redrawn in place) are not logged.
    Safe for the threads of a run (a lock, reentrant: a signal handler's message may arrive
    while the main thread writes). Anything else (``isatty``, ``fileno``, ``encoding``) is
    the terminal stream's. Where there is no terminal (``terminal`` None: stderr closed
    before Python started, or ``pythonw``) or it has been closed, the file alone gets the
    lines."""

    def __init__(self, terminal: Any, log: IO[str]) -> None:
        self.terminal = terminal if terminal is not None else _NoTerminal()
        # progress bars drawn there (without a terminal on none: on None they raised)
        setattr(self, PROGRESS_STREAM_ATTRIBUTE, self.terminal)
        setattr(self, PROGRESS_LOG_ATTRIBUTE, self.note)  # and a line of theirs every 30 s
        self._log = log
        self._pending = ""
        self._level = "INFO"
        self._lock = threading.RLock()

    def write(self, text: str) -> int:
        try:
            written = self.terminal.write(text)
        except (OSError, ValueError):  # the terminal closed (ValueError) or gone (EBADF)
            written = len(text)
        with self._lock:
            self._pending += text
            *lines, self._pending = self._pending.split("\n")
            for line in lines:
                self._write_line(line)
        return written if isinstance(written, int) else len(text)

    def _write_line(self, line: str) -> None:
        if "\r" in line:  # a line redrawn in place: a progress bar's
            line = line.rsplit("\r", 1)[-1]
            if not line.strip():
                return
        self._level = line_level(line, self._level)
        self.note(line, self._level)

    def note(self, text: str, level: str = "INFO") -> None:
        """Write ``text`` (one line) to the log file only, stamped, at ``level``."""
        with self._lock, contextlib.suppress(OSError, ValueError):  # full disk, closed
            self._log.write(f"{timestamp()} [pid {os.getpid()}] {level:<7} {text}\n")

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a terminal closed
            self.terminal.flush()
        with contextlib.suppress(OSError, ValueError):
            self._log.flush()

    def finish(self) -> None:
        """Log a last line written without its line break, and close the file."""
        with self._lock:
            if self._pending.strip():
                self._write_line(self._pending)
            self._pending = ""
            with contextlib.suppress(OSError, ValueError):
                self._log.close()

    @contextlib.contextmanager
    def installed(self) -> Iterator[RunLogStream]:
        """Inside the block, this is ``sys.stderr``; after it, the stream it replaced is put
        back and the log file closed, however the block ends."""
        previous, sys.stderr = sys.stderr, self
        try:
            yield self
        finally:
            if sys.stderr is self:
                sys.stderr = previous
            self.finish()

    def __getattr__(self, name: str) -> Any:
        if name == "terminal":  # not set yet (a copy being made): no endless recursion
            raise AttributeError(name)
        return getattr(self.terminal, name)


def status_line(status: int | None, error: BaseException | None) -> tuple[str, str]:
    """The last line of a run's log and its level: ``exit status N`` (INFO for 0, ERROR
    else), or, for a run ended by an exception passed on (``--debug``, SIGTERM), what ended
    it."""
    if status is not None:
        return f"finished: exit status {status}", "INFO" if status == 0 else "ERROR"
    if isinstance(error, SystemExit):
        code = error.code if isinstance(error.code, int) else 1
        return f"finished: exit status {code}", "INFO" if code == 0 else "ERROR"
    name = type(error).__name__ if error is not None else "an unknown cause"
    return f"finished: stopped by {name}: {error} (exit status 1)", "ERROR"


def start_run_log(path: Path, words: Sequence[str] | None) -> RunLogStream:
    """The tee of ``sys.stderr`` into the log file ``path``, opened (:class:`LogFileError`
    where it cannot be: before anything else runs) and its first line written (``words``: the
    command line); :meth:`RunLogStream.installed` puts it in place."""
    stream = RunLogStream(sys.stderr, open_log_file(path))
    stream.note(header_line(words))
    return stream
