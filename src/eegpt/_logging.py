"""Messages for users: INFO logging controlled by ``verbose``, and warnings that point at the caller.

All of eegpt logs to the ``"eegpt"`` logger. Functions take MNE-style ``verbose`` arguments:
``True``/``"info"``/``"debug"`` or a logging level up to 20 show INFO messages (on stderr, even
with logging not configured); ``None`` (the default) logs them at INFO for the logging
configuration to decide (``logging.basicConfig(level="INFO")`` or
``logging.getLogger("eegpt").setLevel("INFO")`` with a handler shows them; unconfigured Python
logging does not); ``False``, ``0`` (quiet, as in scikit-learn) and higher levels
(``"warning"`` ...) keep them at DEBUG; ``"error"`` and ``"critical"`` also silence eegpt's
warnings in the public functions and methods that take ``verbose`` (:func:`honours_verbose`),
as MNE's do. Anything else is an error.

Thread safety: ``warnings.catch_warnings`` swaps process-wide state (before Python 3.14), so
eegpt catches warnings with :func:`caught_warnings` instead, whose filters and recording apply
to the calling thread (context) alone, and calls MNE, whose ``verbose=`` sets its logger's
level for the whole process, under :data:`MNE_STATE` (:func:`mne_state_held`).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import inspect
import logging
import numbers
import os
import pickle
import re
import sys
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple, ParamSpec, TypeVar, cast

from eegpt._filenames import path_text

logger = logging.getLogger("eegpt")
#: Set while a function called with ``verbose="error"`` (or "critical", or a level >= 40)
#: runs: :func:`warn` then stays silent, as MNE's warnings do at those levels.
_SILENT: contextvars.ContextVar[bool] = contextvars.ContextVar("eegpt_silent", default=False)
#: The lists that :func:`warn` adds each warning's text to (:func:`recorded_warnings`).
_RECORDS: contextvars.ContextVar[tuple[list[str], ...]] = contextvars.ContextVar(
    "eegpt_records", default=()
)

#: Set inside :func:`held_messages`: :func:`warn` and :func:`log` then add their arguments
#: to this list instead of giving them, for :func:`give_messages` to give later.
_HELD: contextvars.ContextVar[list[tuple[Any, ...]] | None] = contextvars.ContextVar(
    "eegpt_held_messages", default=None
)

#: Held briefly while eegpt changes warnings' filters and ``warnings.showwarning``
#: (:func:`caught_warnings`).
GLOBAL_STATE = threading.RLock()
#: Held for a whole call into MNE given ``verbose=``, whose logger level MNE sets for the
#: process (:func:`mne_state_held`); apart from :data:`GLOBAL_STATE`, so that a long read does
#: not hold up other threads' warning blocks.
MNE_STATE = threading.RLock()
#: The :func:`caught_warnings` blocks the current context (thread) is in, innermost last.
_SECTIONS: contextvars.ContextVar[tuple[_Section, ...]] = contextvars.ContextVar(
    "eegpt_warning_sections", default=()
)

_PACKAGE_DIR = str(Path(__file__).resolve().parent)
# torch's decorators, and nn.Module.__call__ (a warning from an encoder's forward names the
# line that called the model)
_TORCH_WRAPPERS = (
    str(Path("torch", "utils", "_contextlib.py")),
    str(Path("torch", "nn", "modules", "module.py")),
)


#: Libraries whose frames lie between a user's call and eegpt's code (a Pipeline's fit, a
#: cross-validation loop): a warning is attributed to the user's line beyond them.
_CALLING_LIBRARIES = ("sklearn", "joblib")


#: The standard library's contextlib, whose frames lie between a function decorated with a
#: context manager (``@headers_read_once()``) and its caller.
_CONTEXTLIB = str(Path(contextlib.__file__).resolve())


def _is_internal(filename: str) -> bool:
    """A frame of eegpt itself, of the torch decorator that wraps its methods (or of
    ``nn.Module.__call__``, which calls its modules' ``forward``), or of the standard
    library's contextlib (a context manager used as a decorator of eegpt's functions)."""
    # the folder and a separator: a package named eegpt_tools beside eegpt is not eegpt
    resolved = str(Path(filename).resolve())
    inside = resolved.startswith(os.path.join(_PACKAGE_DIR, ""))
    return inside or resolved == _CONTEXTLIB or filename.endswith(_TORCH_WRAPPERS)


def _is_caller_library(frame: Any) -> bool:
    """A frame of scikit-learn or joblib (which call eegpt's estimators for the user)."""
    return str(frame.f_globals.get("__name__", "")).split(".")[0] in _CALLING_LIBRARIES


_LEVEL_NAMES = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL")


def is_verbose(verbose: Verbose) -> bool:
    """Whether ``verbose`` asks for INFO messages (True, ``"info"``, ``"debug"`` or a level
    1..20); 0 is quiet, as in scikit-learn."""
    if verbose is None or isinstance(verbose, bool):
        return bool(verbose)
    if isinstance(verbose, str):
        name = verbose.strip().upper()
        if name not in _LEVEL_NAMES:
            raise ValueError(
                f"verbose must be a bool, None, a level name ({', '.join(_LEVEL_NAMES)}, any "
                f"case) or an int, got {verbose!r}"
            )
        return name in ("INFO", "DEBUG")
    if isinstance(verbose, int):
        return 0 < verbose <= logging.INFO
    raise TypeError(f"verbose must be a bool, a level name, an int or None, got {verbose!r}")


def check_verbose(verbose: Verbose) -> None:
    """Refuse a ``verbose`` of a wrong type (``TypeError``: ``2.5``) or an unknown level name
    (``ValueError``), as :func:`is_verbose` does: for a function to call first, so that the
    error is not raised later, wrapped in another (a file's ``RecordingError``)."""
    if verbose is not None:
        is_verbose(verbose)


def silences_warnings(verbose: Verbose) -> bool:
    """Whether ``verbose`` is a level above WARNING (``"error"``, ``"critical"``, >= 40), at
    which MNE keeps its warnings quiet too."""
    if isinstance(verbose, str):
        return verbose.strip().upper() in ("ERROR", "CRITICAL")
    return isinstance(verbose, int) and not isinstance(verbose, bool) and verbose > logging.WARNING


#: The type of every ``verbose`` parameter, as MNE's: ``True``/``False``, a level name
#: (``"info"``, ``"warning"``, ``"error"`` ...; any letter case), a :mod:`logging` level number
#: (or a small count of scikit-learn's), or ``None`` (the logging configuration decides).
Verbose = bool | str | int | None

_P = ParamSpec("_P")
_R = TypeVar("_R")


def honours_verbose(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with eegpt's warnings silenced when its ``verbose`` argument (or, for a
    method, ``self.verbose``) is ``"error"`` or higher, as in MNE. The wrapper has ``func``'s
    signature, for type checkers too."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            arguments = signature.bind_partial(*args, **kwargs).arguments
        except TypeError:  # Python's own words name the function: "embed_dataset() takes 2
            arguments = None  # positional arguments but 3 were given"
        if arguments is None:  # called outside the except: its error is not chained to ours
            return func(*args, **kwargs)
        verbose = arguments.get("verbose", arguments.get("kwargs", {}).get("verbose"))
        if "verbose" not in arguments and "self" in arguments:
            verbose = getattr(arguments["self"], "verbose", verbose)
        check_verbose(verbose)  # the same error from every call, before any file is opened
        if not silences_warnings(verbose):
            return func(*args, **kwargs)
        token = _SILENT.set(True)
        try:
            return func(*args, **kwargs)
        finally:
            _SILENT.reset(token)

    return wrapper


def mne_verbose(verbose: Verbose) -> bool | str | int | None:
    """``verbose`` for an MNE call: quiet eegpt (``None``, the default, or ``False``) keeps MNE to
    its warnings, so reading a file prints no "Extracting EDF parameters..." lines; ``True``
    and scikit-learn's small counts (1 to 9: eegpt's own messages on) leave MNE at its
    configured level (``mne.set_log_level``); 0 is quiet for everything; level names and
    logging levels (10 DEBUG, 20 INFO, ...) are passed on."""
    if verbose is True:
        return None
    if verbose is None or verbose is False:
        return "WARNING"
    if isinstance(verbose, int) and 0 < verbose < logging.DEBUG:  # scikit-learn's 1, 2: "some"
        return None
    return False if verbose == 0 else verbose


def count(n: int, noun: str) -> str:
    """``"1 shard"``, ``"3 shards"``: a number and a noun that agrees with it."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def number_text(value: Any, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals, ``"n/a"`` for NaN or no number (a score undefined,
    null in JSON), for messages."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        return "n/a"
    return f"{value:.{digits}f}"


def percent_text(value: Any) -> str:
    """``"66.7%"`` for the fraction 0.667, ``"n/a"`` for NaN or no number, for messages."""
    shown = number_text(value)
    return shown if shown == "n/a" else f"{100 * value:.1f}%"


def clock_text(seconds: float) -> str:
    """``"1:02:05"``, ``"-23:40:00"``: a time in seconds as h:mm:ss, for messages."""
    sign = "-" if seconds < 0 else ""
    h, rest = divmod(round(abs(seconds)), 3600)
    return f"{sign}{h}:{rest // 60:02d}:{rest % 60:02d}"


def duration_text(seconds: float) -> str:
    """``"95 s"``, ``"0:02:05"``, ``"-427.1 days"``: seconds below 2 minutes, days from 2
    days on, else :func:`clock_text`."""
    if abs(seconds) >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    return f"{seconds:.0f} s" if abs(seconds) < 120 else clock_text(seconds)


def software_text(versions: Mapping[str, str] | None) -> str:
    """The recorded versions of the software under eegpt (an output's ``metadata["software"]``,
    a probe's, :func:`eegpt.api.software_versions`) for an ``eegpt info`` line:
    ``" (python 3.12.3, torch 2.5.1, ...)"``; empty for files written before they were
    recorded."""
    if not versions:
        return ""
    return " (" + ", ".join(f"{name} {v}" for name, v in versions.items()) + ")"


def baseline_text(baseline: Sequence[float | None]) -> str:
    """``"-0.5 s to 0 s"`` for an epochs' baseline interval (``epochs.baseline``; an open end,
    None, is the epoch's start or end)."""
    start, end = baseline
    return (
        f"{'the epoch start' if start is None else f'{start:g} s'} to "
        f"{'the epoch end' if end is None else f'{end:g} s'}"
    )


def few(names: Sequence[str], limit: int = 3, *, as_list: bool = False) -> str:
    """``"A, B, C and 4 more"``: the first ``limit`` of ``names`` and how many are left, for
    messages. ``as_list``: the names shown as a Python list, ``"['E1', 'E2'] and 126 more"``
    (labels quoted as they are, spaces and all, to copy into code: a ``rename`` dict)."""
    shown = str(list(names[:limit])) if as_list else ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def names_count_text(names: Sequence[str], n_rows: int) -> str:
    """What ``names`` given for ``n_rows`` rows (channels) of an array lack or have too many,
    for the refusal of a wrong count: the names past the last row, or how many rows have none
    (names go to rows in order, so the extra or missing ones are at the end)."""
    if len(names) > n_rows:
        extra = list(names[n_rows:])
        return (
            f"{n_rows} expected, one per row; {len(extra)} extra, past the last row: "
            f"{few(extra, 5, as_list=True)}"
        )
    missing = n_rows - len(names)
    return (
        f"{n_rows} expected, one per row; {missing} missing: the last {missing} rows have no name"
    )


def progress_interval() -> float:
    """Seconds between progress-bar updates: tqdm's 0.1 on a terminal and in a Jupyter kernel
    (where tqdm.auto draws a widget, and stderr is no terminal), 30 when stderr goes to a file
    or a pipe (a log of a long run gets at most a line every 30 s, not ten a second). A bar is
    drawn as it moves, so a log line comes at the first move 30 s after the last line;
    embed-dataset's bar, whose moves can be minutes apart (a block of windows of a slow model),
    also draws one where nothing was drawn for 30 s, so that its log shows the run alive
    (:meth:`eegpt.dataset_summary.DatasetProgress.beat`)."""
    if _in_notebook_kernel():
        return 0.1
    try:
        return 0.1 if sys.stderr.isatty() else 30.0
    except (AttributeError, ValueError):  # replaced or closed stderr
        return 30.0


def progress_options(*, disable: bool = False) -> dict[str, Any]:
    """tqdm keywords for eegpt's progress bars: :func:`progress_interval`, and where stderr is
    a file or a pipe (a log), a line of its own at most once per interval and one at the end
    (:class:`_LineWriter`) instead of carriage returns that pile every update of a long run
    onto one line. ``disable``: eegpt's own word (``-q``, ``progress=False``), which wins; else
    ``TQDM_DISABLE`` (set, and not ``0``/``false``/``no``/``off``) turns the bars off, and
    ``TQDM_MININTERVAL`` (seconds) sets their interval, as they do for tqdm's own defaults
    (which keywords given override)."""
    interval = progress_interval()
    options: dict[str, Any] = {
        "disable": disable or _tqdm_disabled(),
        "mininterval": _tqdm_interval(interval),
    }
    stream = progress_stream()
    if interval > 1:
        options["file"] = _LineWriter(stream, options["mininterval"])
    elif stream is not sys.stderr:
        options["file"] = stream
    note = getattr(sys.stderr, PROGRESS_LOG_ATTRIBUTE, None)
    if callable(note):  # a run's --log-file: a line of the bar every LOG_PROGRESS_S
        options["file"] = _LoggedProgress(options.get("file", stream), note, LOG_PROGRESS_S)
    return options


#: The attribute of a stream standing in for ``sys.stderr`` that names the stream progress
#: bars go to instead: a run's ``--log-file`` (:class:`eegpt._run_log.RunLogStream`) gets
#: every message of stderr but the bars.
PROGRESS_STREAM_ATTRIBUTE = "eegpt_progress_stream"

#: The attribute of a stream standing in for ``sys.stderr`` that names a function writing a
#: line to a run's ``--log-file`` alone (:meth:`eegpt._run_log.RunLogStream.note`): progress
#: bars leave their lines there at most every :data:`LOG_PROGRESS_S` (:class:`_LoggedProgress`).
PROGRESS_LOG_ATTRIBUTE = "eegpt_progress_log"

#: Seconds between the lines a progress bar leaves in a run's ``--log-file`` (as in a log that
#: stderr goes to, :func:`progress_interval`), whatever the terminal shows.
LOG_PROGRESS_S = 30.0


def log_progress_interval() -> float:
    """Seconds between the lines progress bars leave in a run's ``--log-file``
    (:data:`LOG_PROGRESS_S`) where a command copying stderr into one is running; 0 where
    none is."""
    return LOG_PROGRESS_S if callable(getattr(sys.stderr, PROGRESS_LOG_ATTRIBUTE, None)) else 0.0


def progress_stream() -> Any:
    """Where progress bars are drawn: ``sys.stderr``, or the terminal beneath it while a
    command copies stderr into its ``--log-file``."""
    return getattr(sys.stderr, PROGRESS_STREAM_ATTRIBUTE, sys.stderr)


def _tqdm_disabled() -> bool:
    """Whether ``TQDM_DISABLE`` asks for no progress bars."""
    value = os.environ.get("TQDM_DISABLE")
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def _tqdm_interval(default: float) -> float:
    """``TQDM_MININTERVAL`` in seconds where it is set to a number >= 0, else ``default``."""
    try:
        value = float(os.environ.get("TQDM_MININTERVAL", ""))
    except ValueError:
        return default
    return value if value >= 0 else default


#: A redraw sooner than this fraction of the interval after a log's last progress line is held
#: back (:class:`_LineWriter`): tqdm's own redraws come at least a whole interval apart by its
#: clock, which is read a moment before the writer's.
_EARLY = 0.9


class _LineWriter:
    """A stream for tqdm where stderr is a log: each redraw (``"\r" + bar``) as one line, at
    most one line per ``interval`` seconds, and one line at the bar's end.

    tqdm draws a bar more often than its ``mininterval``: its monitor thread redraws a bar not
    drawn for its ``maxinterval`` (10 s) where updates slowed down, which gave a log a line
    every 10 to 20 s, and ``close()`` draws the bar once more after its last update was drawn
    (a second 100% line). So a redraw sooner than :data:`_EARLY` x ``interval`` after the last
    line written is held back, and at the bar's end (the ``"\n"`` tqdm writes after its last
    redraw) the last one held back is written, unless it shows the count that the last line
    written showed (:func:`_bar_count`)."""

    def __init__(self, stream: Any, interval: float) -> None:
        self.stream = stream
        self.interval = interval  # seconds
        self._written_at: float | None = None  # time.monotonic() of the last line written
        self._last = ""  # the last line written
        self._held = ""  # the latest redraw held back, "" if none

    def write(self, text: str) -> None:
        line = text.replace("\r", "").rstrip()
        if line:
            self._redraw(line)
        elif "\n" in text:  # the bar's end (close() after its last redraw)
            self._end()

    def _redraw(self, line: str) -> None:
        now = time.monotonic()
        since = None if self._written_at is None else now - self._written_at
        if since is not None and since < _EARLY * self.interval:
            self._held = line
        else:
            self._write(line, now)

    def _end(self) -> None:
        held = self._held
        if held and _bar_count(held) != _bar_count(self._last):
            self._write(held, time.monotonic())
        self._held = ""

    def _write(self, line: str, now: float) -> None:
        self.stream.write(line + "\n")
        self._last, self._held, self._written_at = line, "", now

    def flush(self) -> None:
        self.stream.flush()


#: tqdm's cursor moves around the redraw of a bar below another (``"\x1b[A"``: up a line).
_CURSOR_MOVES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _LoggedProgress:
    """tqdm's stream while a command copies stderr into its ``--log-file``: every write goes
    to the terminal's stream (``stream``; None: none) as it is, and the bar's state also to
    the log file (``note``, a line each) at most every ``interval`` seconds, the first an
    interval after the bar started, and at the bar's end its last state where it logged a
    line before (and not that count already: :func:`_bar_count`): a long run's log shows it
    alive and how far it got, one line per interval, never a redraw each (nor the cursor
    moves around a bar drawn below another); a bar of a few seconds leaves nothing there.
    Anything else
    (``encoding``, ``fileno``, which tqdm reads for the terminal's width and characters) is
    the terminal stream's."""

    def __init__(self, stream: Any, note: Callable[[str], None], interval: float) -> None:
        self.stream = stream
        self.interval = interval  # seconds
        self._note = note
        self._logged_at = time.monotonic()  # the bar's start: its first line an interval on
        self._logged = False  # whether a line was logged
        self._held = ""  # the latest redraw not logged, "" if none
        self._last = ""  # the last line logged
        self._drawn = False  # whether the last write was a redraw (not a cursor move)
        self._lock = threading.Lock()  # tqdm's monitor thread and a heartbeat's draw too

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
        # a bar below another is redrawn between cursor moves ("\n" down, "\x1b[A" up):
        # those are no state of it, and only a "\n" right after a redraw is the bar's end
        line = _CURSOR_MOVES.sub("", text.replace("\r", "")).rstrip()
        with self._lock:
            now = time.monotonic()
            drawn, self._drawn = self._drawn, bool(line)
            if line and now - self._logged_at >= _EARLY * self.interval:
                self._log(line, now)
            elif line:
                self._held = line
            elif "\n" in text and drawn and self._logged and self._held:  # the bar's end
                if _bar_count(self._held) != _bar_count(self._last):  # close() redraws it
                    self._log(self._held, now)
                self._held = ""

    def _log(self, line: str, now: float) -> None:
        self._note(line)
        self._logged, self._logged_at, self._last, self._held = True, now, line, ""

    def flush(self) -> None:
        if self.stream is not None:
            self.stream.flush()

    def __getattr__(self, name: str) -> Any:
        stream = self.__dict__.get("stream")
        if stream is None:
            raise AttributeError(name)
        return getattr(stream, name)


def _bar_count(line: str) -> str:
    """A progress line without tqdm's bracketed times and rate: ``"rec: 100%|###| 450/450"``
    of ``"rec: 100%|###| 450/450 [00:30<00:00, 14.83win/s]"``, the progress it shows."""
    return line.rsplit(" [", 1)[0]


def _in_notebook_kernel() -> bool:
    """Whether this runs in an IPython kernel (Jupyter, VS Code notebooks), not a terminal."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


#: Characters a terminal acts on instead of showing: the C0 and C1 controls (ESC starts
#: colour, cursor, erase and window-title sequences; BEL, CR, backspace ...), DEL, and the
#: Unicode line and paragraph separators; tab is shown as is.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def terminal_text(text: object, *, newlines: bool = False) -> str:
    """``text`` as eegpt shows it on a terminal: its control characters written as escapes,
    as ``repr`` writes them (``\\x1b``, ``\\n``, ``\\r``, ``\\x07``), so that a file name or
    recording id holding them (``evil\\x1b[31m.edf``, ``id\\x1b]0;TITLE\\x07``) can neither
    colour, erase or retitle the terminal nor forge a line of output. ``newlines``: keep
    line breaks (a message of several lines that eegpt built), escaping the rest. What eegpt
    stores (ids, names, recorded warnings) is not changed by this: only what it prints."""
    text = str(text)
    pattern = _CONTROL_BUT_NEWLINE if newlines else _CONTROL
    return pattern.sub(lambda m: _ESCAPES.get(m[0]) or repr(m[0])[1:-1], text)


#: eegpt's own help texts of several lines (:func:`help_block`)
_HELP_BLOCKS: set[str] = set()


def help_block(text: str) -> str:
    """``text``, registered as one of eegpt's own help texts of several lines (how to get the
    weights, how to give them a cache folder): an error message that includes it on lines of
    its own prints it with its line breaks (:func:`help_blocks_kept`), while the rest of the
    message (file names, a server's reason) has its control characters escaped."""
    _HELP_BLOCKS.add(text)
    return text


def help_blocks_kept(text: str) -> str:
    """``text`` as :func:`terminal_text` shows it, but for the line breaks that start a
    :func:`help_block` of eegpt's own, and those inside it, which are kept."""
    if not _HELP_BLOCKS:
        return terminal_text(text)
    blocks = sorted(_HELP_BLOCKS, key=len, reverse=True)
    kept = "|".join(re.escape(block) for block in blocks)
    pieces = re.split(f"(\n+(?:{kept}))", text)
    return "".join(p if i % 2 else terminal_text(p) for i, p in enumerate(pieces))


def log(message: str, verbose: Verbose = None, *, lines: bool = False) -> None:
    """Log ``message`` to the ``"eegpt"`` logger: at INFO when ``verbose`` asks or is ``None``
    (the logging configuration decides), else at DEBUG.

    When ``verbose`` asks for INFO but nothing would show it (no handler or a higher level), the
    message is written to stderr through a temporary handler, so ``verbose=True`` always shows.
    Control characters (in a file name, a recording id) are shown escaped
    (:func:`terminal_text`), line breaks too, but for those that start an indented row (a
    table's, such as a channel mapping's, whose names are escaped already) and, with
    ``lines``, every line break: a message whose parts from outside (ids, names) its maker
    escaped (a corpus run's summary).
    """
    held = _HELD.get()
    if held is not None:
        held.append(("log", message, verbose, lines))
        return
    if lines:
        message = terminal_text(message, newlines=True)
    else:
        message = "\n  ".join(terminal_text(part) for part in message.split("\n  "))
    level = _caller_stacklevel()  # records name the eegpt code that logged, not this line
    if verbose is None:
        logger.info(message, stacklevel=level)
        return
    if not is_verbose(verbose):
        logger.debug(message, stacklevel=level)
        return
    if logger.hasHandlers() and logger.isEnabledFor(logging.INFO):
        logger.info(message, stacklevel=level)
        return
    # Handed to a handler of this call's own: the shared logger's level, handlers and
    # propagation stay as they are (other threads log through it meanwhile), and the root's
    # handlers do not print the message a second time (under logging.basicConfig() at WARNING).
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    path, line, function, _ = logger.findCaller(stacklevel=level)
    record = logger.makeRecord(
        logger.name, logging.INFO, path, line, message, (), None, func=function
    )
    if logger.filter(record):  # the logger's own filters still apply (OncePerCorpus)
        handler.handle(record)


def _caller_stacklevel() -> int:
    """The ``stacklevel`` for a call of the ``"eegpt"`` logger made in this module: that of
    the first frame outside it (the eegpt code that called :func:`log`), so that a record's
    ``module``, ``funcName`` and ``lineno`` say where the message came from."""
    level = 1
    frame: FrameType | None = sys._getframe(1)  # the function of this module calling the logger
    try:
        while frame is not None and frame.f_code.co_filename == __file__:
            level += 1
            frame = frame.f_back
    finally:
        del frame
    return level


def log_warning(message: str) -> None:
    """Log ``message``, of several lines whose parts from outside (ids, names) its maker
    escaped, to the ``"eegpt"`` logger at WARNING: shown with logging not configured (on
    stderr, by Python's last-resort handler, as in a notebook) and by a service logging at
    WARNING, unlike :func:`log`'s INFO."""
    logger.warning(terminal_text(message, newlines=True), stacklevel=_caller_stacklevel())


def info_shown(verbose: Verbose) -> bool:
    """Whether :func:`log` given ``verbose`` shows its message: ``verbose`` asks for INFO, or
    is None and the logging configuration shows the ``"eegpt"`` logger's INFO."""
    if verbose is None:
        return logger.isEnabledFor(logging.INFO) and logger.hasHandlers()
    return is_verbose(verbose)


class _Place(NamedTuple):
    """Where a warning is attributed: the line of a frame, and its module's name."""

    filename: str
    lineno: int
    module: str

    @classmethod
    def of(cls, frame: Any) -> _Place:
        return cls(frame.f_code.co_filename, frame.f_lineno, str(frame.f_globals.get("__name__")))


#: The warnings shown under the "default" or "module" action, by module, text, category and
#: line (0 for "module"), while the user's filters are :data:`_SHOWN_UNDER`:
#: :func:`_shown_before`. The most recently given :data:`SHOWN_LIMIT` only, oldest left out
#: first, so that a long-running service warning about many files (each text naming its
#: file) does not grow it without bound: a warning forgotten is shown again.
_SHOWN: OrderedDict[tuple[str, str, type[Warning], int], None] = OrderedDict()
#: How many warnings :data:`_SHOWN` remembers.
SHOWN_LIMIT = 4096
_SHOWN_UNDER: list[Any] = []
_SHOWN_LOCK = threading.Lock()


def _recording() -> bool:
    """Whether this context is in a :func:`caught_warnings` block that records (which must see
    every warning, repeated or not)."""
    return any(section.caught is not None for section in _SECTIONS.get())


def _shown_before(message: str | Warning, category: type[Warning], place: _Place) -> bool:
    """Whether a warning given at ``place`` is a repeat that the user's filters show once
    (their "default" action: once per module and line, as ``warnings.warn`` does; "module":
    once per module), shown already; records it otherwise. Python keeps that memory in each
    module's ``__warningregistry__``, which every change of the filters clears, and
    :func:`caught_warnings` changes them on entering and leaving (so that what it records is
    not held back as a repeat): eegpt keeps its own, cleared when the user's filters change.
    Never a repeat inside a recording block (every warning about a file is recorded); one
    that an :func:`ignored_warnings` block hides is not recorded as shown (the same warning
    given later outside it is shown)."""
    if _recording():
        return False
    text = str(message)
    every = list(warnings.filters)
    # eegpt's filters come first and only ignore (or, recording, show always): where one
    # matches, this warning is not shown under the user's "default" or "module"
    action = _action_of(text, category, place.module, place.lineno, every)
    if action not in ("default", "module"):
        return False
    user = [entry for entry in every if not isinstance(entry, _Filter)]
    key = (place.module, text, category, place.lineno if action == "default" else 0)
    global _SHOWN_UNDER
    with _SHOWN_LOCK:
        if user != _SHOWN_UNDER:
            _SHOWN.clear()
            _SHOWN_UNDER = user
        if key in _SHOWN:
            _SHOWN.move_to_end(key)  # given again: kept the longest
            return True
        _SHOWN[key] = None
        while len(_SHOWN) > SHOWN_LIMIT:
            _SHOWN.popitem(last=False)
    return False


def warn(message: str, category: type[Warning] | None = None, *, kind: str | None = None) -> None:
    """``warnings.warn`` attributed to the first caller outside the eegpt package (and outside
    torch's decorator wrappers such as ``torch.inference_mode()``, and scikit-learn's or
    joblib's code that called eegpt's estimators); nothing inside a call made with
    ``verbose="error"`` (:func:`honours_verbose`). Inside :func:`recorded_warnings` the text
    is recorded too, shown or not.

    ``kind`` names what the warning is about when its text varies with the data beyond
    measured values (which channels of each cross-validation fold's subset, and how many):
    :func:`each_warning_once` then tells repeats apart by it (:func:`kind_of`) instead of by
    the text. It is kept on the warning object as ``eegpt_kind``."""
    if _held_else_recorded(("warn", message, category, kind)):
        return
    if _SILENT.get():
        return
    stacklevel = 1
    frame = inspect.currentframe()
    boundary = target = None
    place: _Place | None = None
    try:
        frame = frame.f_back if frame is not None else None
        while frame is not None and _is_internal(frame.f_code.co_filename):
            stacklevel += 1
            frame = frame.f_back
        boundary = frame
        passed = stacklevel  # beyond a library that called eegpt, if the stack goes on
        while frame is not None and _is_caller_library(frame):
            passed += 1
            frame = frame.f_back
        if frame is not None:
            stacklevel = passed
        target = boundary if frame is None else frame
        if target is not None:
            place = _Place.of(target)
    finally:
        del frame, boundary, target
    if category in (None, RuntimeWarning, UserWarning):  # eegpt's own, filterable as such
        from eegpt.errors import EEGPTUserWarning, EEGPTWarning

        category = EEGPTUserWarning if category is UserWarning else EEGPTWarning
    if place is not None and _shown_before(message, category, place):
        return
    if kind is None:
        warnings.warn(message, category, stacklevel=stacklevel + 1)
        return
    given = category(message)
    given.eegpt_kind = kind  # type: ignore[attr-defined]
    warnings.warn(given, stacklevel=stacklevel + 1)


@contextlib.contextmanager
def held_messages() -> Iterator[list[tuple[Any, ...]]]:
    """Inside the block, :func:`warn` and :func:`log` give nothing: their arguments are added
    to the list yielded, in order, for :func:`give_messages` to give them as they would have
    been given (a result computed once and reused gives its messages at every use)."""
    held: list[tuple[Any, ...]] = []
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


def give_messages(held: Iterable[tuple[Any, ...]]) -> None:
    """Give the warnings and log messages that :func:`held_messages` held, in order."""
    for what, message, first, second in held:
        if what == "warn":
            warn(message, first, kind=second)
        elif what == "record":
            record_unshown(message)
        else:
            log(message, first, lines=second)


def record_unshown(message: str) -> None:
    """Add the text of a warning to the enclosing :func:`recorded_warnings` blocks, as
    :func:`warn` does, without showing it: a note shown once for a command's recordings
    (:func:`eegpt.preprocessing.starts_moved_once`) that each recording's output records all
    the same."""
    _held_else_recorded(("record", message, None, None))


def _held_else_recorded(entry: tuple[Any, ...]) -> bool:
    """Hold ``entry`` (``(what, message, ...)``, as :func:`give_messages` reads it) inside
    :func:`held_messages` and say so (True); else add its message to the enclosing
    :func:`recorded_warnings` blocks (False): the first step of :func:`warn` and of
    :func:`record_unshown`."""
    held = _HELD.get()
    if held is not None:
        held.append(entry)
        return True
    for texts in _RECORDS.get():
        texts.append(entry[1])
    return False


@contextlib.contextmanager
def recorded_warnings() -> Iterator[list[str]]:
    """Inside the block, the text of each warning eegpt gives (:func:`warn`) is added to the
    list yielded, in order, while the warning is shown as usual (also those that warnings
    filters, ``verbose="error"`` or :class:`OncePerCorpus` keep off the terminal): what was
    said about one recording, for its output's provenance. Blocks may nest."""
    texts: list[str] = []
    token = _RECORDS.set((*_RECORDS.get(), texts))
    try:
        yield texts
    finally:
        _RECORDS.reset(token)


#: The ``eegpt`` command's arguments (``sys.argv[1:]``) while the command line runs, for the
#: outputs it writes (``metadata["command"]``, a corpus run's entry); None from the Python API.
_COMMAND: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "eegpt_command", default=None
)


#: A URL in an argument (alone, or after ``--option=``) or a text: its scheme, credentials
#: (userinfo, up to the last ``@`` of the authority), the rest (host and path), and a query
#: string or fragment.
_URL_PARTS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*@)?(?P<rest>[^?#\s]*)"
    r"(?P<query>[?#]\S*)?"
)


def without_secrets(word: str) -> str:
    """``word`` with any URL in it stripped of what may be a secret: its credentials
    (``https://user:token@host/...``) and its query string and fragment (a signed URL's
    ``?X-Amz-Signature=...``), so that a recorded command gives none away."""
    return _URL_PARTS.sub(lambda m: m["scheme"] + m["rest"], word)


def secrets_hidden(text: str) -> str:
    """``text`` with every URL in it shown without what may be a secret, for a message: its
    credentials as ``***@`` and its query string (a signed URL's ``?X-Amz-Signature=...``,
    a ``?token=``) or fragment as ``?...`` (``#...``), keeping scheme, host and path
    (``http://***@host/a/model.safetensors?...``). What :func:`without_secrets` leaves out of
    a recorded command, marked as left out."""

    def hide(m: re.Match[str]) -> str:
        userinfo = "***@" if m["userinfo"] else ""
        query = f"{m['query'][0]}..." if m["query"] else ""
        return m["scheme"] + userinfo + m["rest"] + query

    return _URL_PARTS.sub(hide, text)


@contextlib.contextmanager
def command_recorded(words: Sequence[str]) -> Iterator[None]:
    """Inside the block, :func:`recorded_command` gives ``words``: the arguments of the
    ``eegpt`` command running (its entry points wrap the command in this), every URL among
    them without credentials, query string or fragment (:func:`without_secrets`)."""
    token = _COMMAND.set(tuple(without_secrets(str(w)) for w in words))
    try:
        yield
    finally:
        _COMMAND.reset(token)


def recorded_command() -> list[str] | None:
    """The ``eegpt`` command's arguments when the command line is running, to record how an
    output was made (a reader can run them again); None when called from Python."""
    words = _COMMAND.get()
    return None if words is None else list(words)


def command_record() -> dict[str, Any]:
    """``{"command": [...], "cwd": "..."}`` while the ``eegpt`` command line runs (its
    arguments and the folder they were given in, against which its relative paths are read,
    so that a reader can run it again); ``{}`` when called from Python. ``eegpt anonymize``
    drops both."""
    command = recorded_command()
    return {} if command is None else {"command": command, "cwd": path_text(os.getcwd())}


class _InSection:
    """The message pattern of a warnings filter (``warnings`` calls its ``match``) that matches
    only warnings given in a context inside ``section`` (and, with ``pattern``, whose text
    matches it): the filter acts on that thread's warnings alone, others pass it by."""

    def __init__(self, section: _Section, pattern: str | None = None) -> None:
        self.section = section
        self.pattern = None if pattern is None else re.compile(pattern, re.IGNORECASE)

    def match(self, text: str) -> bool:
        if self.section not in _SECTIONS.get():
            return False
        return self.pattern is None or self.pattern.match(text) is not None

    def __repr__(self) -> str:
        matching = "" if self.pattern is None else f" matching {self.pattern.pattern!r}"
        return f"<eegpt: warnings of one thread{matching}>"


class _Filter(NamedTuple):
    """An entry of ``warnings.filters``."""

    action: str
    message: _InSection
    category: type[Warning]
    module: None = None
    lineno: int = 0


class _Section:
    """One :func:`caught_warnings` block: its filters, and the warnings it records (None: it
    records none)."""

    def __init__(self, ignore: Sequence[type[Warning]], message: str | None, record: bool):
        self.caught: list[warnings.WarningMessage] | None = [] if record else None
        self.filters = [_Filter("ignore", _InSection(self, message), c) for c in ignore]
        if record:
            self.filters.append(_Filter("always", _InSection(self), Warning))


def _module_at(filename: str) -> str:
    """The module a warning given at a line of ``filename`` is attributed to, as
    ``warnings.warn`` takes it for its filters: the ``__name__`` of the innermost frame of
    that file on the stack (``"__main__"`` for the script run); else (a line no longer on the
    stack, given by ``warnings.warn_explicit``) the file name without ``.py``, as
    ``warn_explicit`` takes it when given none."""
    frame: FrameType | None = sys._getframe(1)
    try:
        while frame is not None and frame.f_code.co_filename != filename:
            frame = frame.f_back
        if frame is not None:
            return str(frame.f_globals.get("__name__"))
    finally:
        del frame
    return filename[:-3] if filename.lower().endswith(".py") else filename


class _ShowwarningHook:
    """``warnings.showwarning`` while some thread records warnings: a warning given in a
    recording :func:`caught_warnings` block goes to that block's list, any other to the
    ``showwarning`` that was in place (Python's, pytest's, IPython's)."""

    def __init__(self) -> None:
        self.users = 0
        self.previous: Any = None
        self.passing = threading.local()  # .on: passing a warning to previous in this thread

    def __call__(self, message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        for section in reversed(_SECTIONS.get()):
            if section.caught is not None:
                caught = warnings.WarningMessage(message, category, filename, lineno, file, line)
                caught.eegpt_module = _module_at(filename)  # type: ignore[attr-defined]
                section.caught.append(caught)
                return
        if getattr(self.passing, "on", False):  # previous calls the hook it replaced: print
            (file or sys.stderr).write(
                warnings.formatwarning(message, category, filename, lineno, line)
            )
            return
        self.passing.on = True
        try:
            self.previous(message, category, filename, lineno, file, line)
        finally:
            self.passing.on = False

    def add_user(self) -> None:
        """Install the hook (if another showwarning replaced it, over that one)."""
        if warnings.showwarning is not self:
            self.previous, warnings.showwarning = warnings.showwarning, self
        self.users += 1

    def remove_user(self) -> None:
        """Put the previous showwarning back when no block records any more (unless another
        replaced the hook meanwhile: that one puts it back)."""
        self.users -= 1
        if self.users == 0 and warnings.showwarning is self:
            warnings.showwarning = self.previous


_HOOK = _ShowwarningHook()


def _filters_changed() -> None:
    """Tell ``warnings`` that its filters changed, as ``filterwarnings`` does: the records of
    warnings already shown once are cleared, so that a filter added shows them again."""
    mutated = getattr(warnings, "_filters_mutated", None)  # Python < 3.14
    if mutated is not None:
        mutated()
        return
    with warnings._lock:  # type: ignore[attr-defined]  # Python 3.14
        warnings._filters_mutated_lock_held()  # type: ignore[attr-defined]


def _remove_filter(entry: _Filter) -> None:
    """Take ``entry`` out of ``warnings.filters`` (where it is still there: a
    ``catch_warnings`` of other code may have swapped the list; the entry left in the other
    list matches nothing once its block has ended)."""
    filters = cast("list[Any]", warnings.filters)  # a list (typeshed says Sequence)
    for i, item in enumerate(filters):
        if item is entry:
            del filters[i]
            return


@contextlib.contextmanager
def caught_warnings(
    *ignore: type[Warning], message: str | None = None, record: bool = True
) -> Iterator[list[warnings.WarningMessage]]:
    """``warnings.catch_warnings(record=True)`` with ``simplefilter("always")`` (and
    ``simplefilter("ignore", category)`` for each of ``ignore``, only for warnings whose text
    matches ``message`` if given), but safe with threads: the filters act on, and the list
    yielded records, only the warnings given in this context (thread); other threads' warnings
    meanwhile go through the process's filters and are shown as usual. ``record=False``: only
    ignore. Blocks may nest; on leaving, the process's filters and ``warnings.showwarning``
    are as before (``catch_warnings`` swaps them for the whole process, so that concurrent
    blocks record each other's warnings and may leave their filters behind)."""
    section = _Section(ignore, message, record)
    token = _SECTIONS.set((*_SECTIONS.get(), section))
    try:
        with GLOBAL_STATE:
            cast("list[Any]", warnings.filters)[0:0] = section.filters
            _filters_changed()
            if record:
                _HOOK.add_user()
        try:
            yield [] if section.caught is None else section.caught
        finally:
            with GLOBAL_STATE:
                for entry in section.filters:
                    _remove_filter(entry)
                _filters_changed()
                if record:
                    _HOOK.remove_user()
    finally:
        _SECTIONS.reset(token)


def warning_filters() -> list[tuple[Any, ...]]:
    """The process's warnings filters as its user set them (``-W``, ``PYTHONWARNINGS``,
    ``warnings.simplefilter``), first match first: those of eegpt's :func:`caught_warnings`
    blocks left out, and any that cannot be pickled (a category class defined inside a
    function), so that the list can be sent to a reader process (whose own filters are those
    of ``-W`` and ``PYTHONWARNINGS`` only: ``simplefilter`` calls do not reach it)."""
    kept: list[tuple[Any, ...]] = []
    for entry in list(warnings.filters):
        if isinstance(entry, _Filter):
            continue
        try:
            pickle.dumps(entry)
        except Exception:  # noqa: BLE001 - any reason: that filter stays in this process
            continue
        kept.append(tuple(entry))
    return kept


def filter_action(w: warnings.WarningMessage, filters: Sequence[tuple[Any, ...]]) -> str:
    """What ``filters`` (entries as in ``warnings.filters``) do with the warning ``w``:
    ``"error"``, ``"ignore"``, ``"always"``..., as ``warnings.warn_explicit`` decides (the
    first entry matching its text, category, module and line; else
    ``warnings.defaultaction``). Its module is the one :func:`caught_warnings` found when it
    recorded it (the ``__name__`` of the code at its line, as :func:`reissue` and
    ``warnings.warn`` take it), else the one its file name gives, as ``warn_explicit`` takes
    it when given none. A reader process attributes eegpt's warnings to its own code (the
    caller's script is not on its stack): there a filter that names a module
    (``error::eegpt.EEGPTWarning:__main__``) does not match them; one naming the category
    alone does."""
    module = getattr(w, "eegpt_module", None)
    if module is None:
        module = w.filename[:-3] if w.filename.lower().endswith(".py") else w.filename
    return _action_of(str(w.message), w.category, module, w.lineno, filters)


def _action_of(
    text: str, category: type[Warning], module: str, lineno: int, filters: Sequence[Any]
) -> str:
    """The action of the first of ``filters`` that matches a warning, as ``warnings`` finds
    it; ``warnings.defaultaction`` where none does."""
    for action, message, category_of, module_re, line in filters:
        if (
            (message is None or message.match(text))
            and issubclass(category, category_of)
            and (module_re is None or module_re.match(module))
            and (line == 0 or lineno == line)
        ):
            return str(action)
    return str(getattr(warnings, "defaultaction", "default"))


def first_error(
    caught: Iterable[warnings.WarningMessage], filters: Sequence[tuple[Any, ...]] | None
) -> warnings.WarningMessage | None:
    """The first of the warnings ``caught`` (by :func:`caught_warnings`, which records them
    all) that ``filters`` (:func:`warning_filters`; None: this process's now) turn into an
    error: the one a call outside the block would have raised."""
    filters = warning_filters() if filters is None else filters
    return next((w for w in caught if filter_action(w, filters) == "error"), None)


def ignored_warnings(
    *categories: type[Warning], message: str | None = None
) -> contextlib.AbstractContextManager[list[warnings.WarningMessage]]:
    """Inside the block, this thread's warnings of ``categories`` (all by default) whose text
    matches ``message`` (if given) are not shown: :func:`caught_warnings` without recording."""
    return caught_warnings(*(categories or (Warning,)), message=message, record=False)


@contextlib.contextmanager
def mne_state_held() -> Iterator[None]:
    """Hold :data:`MNE_STATE` around a call into MNE given ``verbose=``: MNE sets its
    logger's level for the whole process for the call, so calls from several threads would
    print each other's messages ("Creating raw.info structure...") and leave the level
    changed."""
    with MNE_STATE:
        yield


def shortened(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters (ending in "..." where cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def cut_in_the_middle(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters: where longer, its middle is left out
    (marked " ... "), so that what it is about (its start) and what to do (its end) both
    stay."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    mark = " ... "
    head = (limit - len(mark)) // 2
    tail = limit - len(mark) - head
    return text[:head] + mark + text[len(text) - tail :]


RECORDED_WARNING_WIDTH = 4000
"""Characters of a warning text that a record keeps (a corpus run's ``_files.csv``, an
embedding's ``metadata["warnings"]``, a probe's ``training["warnings"]``): it holds eegpt's
longest fixed texts (about 1,000 characters with a path) whole; lists of many channel names
can go past it, and lose their middle."""


def reader_text(text: object, width: int = RECORDED_WARNING_WIDTH) -> str:
    """``text`` (an exception a reader such as MNE raised, or its message) as an eegpt error
    passes it on, in its message and in ``_errors.csv``: as it is up to ``width`` characters
    (:data:`RECORDED_WARNING_WIDTH` unless given), else on one line with its middle left out
    (:func:`cut_in_the_middle`). A reader's words can be unbounded: MNE listed every missing
    channel index of a corrupt BrainVision header, a gigabyte of text for a 260-byte file."""
    text = str(text)
    return text if len(text) <= width else cut_in_the_middle(text, width)


def warning_texts(
    texts: Iterable[str], limit: int, width: int = RECORDED_WARNING_WIDTH
) -> list[str]:
    """The first ``limit`` distinct warning texts of ``texts``, each on one line and at most
    ``width`` characters (:data:`RECORDED_WARNING_WIDTH` unless given; a longer one loses its
    middle, :func:`cut_in_the_middle`): what a record keeps of the warnings about a file,
    the file names in them as their real text (:func:`eegpt._filenames.path_text`)."""
    kept: list[str] = []
    for text in texts:
        short = cut_in_the_middle(path_text(text), width)
        if short not in kept:
            kept.append(short)
    return kept[:limit]


#: Warnings about code, not data: not passed on as a reader's word about a file.
_NOT_ABOUT_DATA = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def pass_on_warnings(
    caught: list[warnings.WarningMessage],
    path: Path,
    skip: re.Pattern[str] | None = None,
    reader: str = "MNE",
) -> None:
    """Pass on warnings caught while a library (``reader``) read ``path`` as warnings about
    that file, saying whose they are (several files are read in one run: "The data contains
    'boundary' events" alone does not say which): ``"PATH: MNE: text"``. Those ``skip``
    matches are left out. Deprecations and the like, from the reader or from a library it uses
    (pyparsing's is a ``UserWarning`` too), say nothing about the data: they are shown as
    given, keeping their category and text (and so their filters); so are eegpt's own
    (:class:`~eegpt.errors.EEGPTWarning`, such as :mod:`eegpt.bids`'s about a BIDS file read
    without mne-bids), not MNE's, whose text was recorded when they were given."""
    from eegpt.errors import EEGPTWarning

    for w in caught:
        text = str(w.message)
        if skip is not None and skip.match(text):
            continue
        if issubclass(w.category, (RuntimeWarning, UserWarning)) and not issubclass(
            w.category, (*_NOT_ABOUT_DATA, EEGPTWarning)
        ):
            named = str(path) in text or path.name in text
            warn(f"{reader}: {text}" if named else f"{path}: {reader}: {text}")
        else:
            # at the line it names: the library's own (so that its author, MNE or pandas, is
            # the one named), or the caller's for eegpt's
            reissue(w)


def reissue(w: warnings.WarningMessage) -> None:
    """Give again a warning that :func:`caught_warnings` recorded, through the filters in
    place now, at the line it names: as ``warnings.warn`` gives it, with the module and the
    ``__warningregistry__`` of the frame of that line (found on the stack: the caller's), so
    that the default action shows a warning once per location (the same file embedded three
    times from one line warns once: :func:`_shown_before`) while ``"always"`` and
    ``"error"`` act as usual. A line no longer on the stack (a library's own, such as MNE's)
    is given without a registry."""
    frame = inspect.currentframe()
    try:
        while frame is not None and frame.f_code.co_filename != w.filename:
            frame = frame.f_back
        if frame is None:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            return
        given = frame.f_globals
        registry = given.setdefault("__warningregistry__", {})
        module = str(given.get("__name__"))
    finally:
        del frame
    if _shown_before(w.message, w.category, _Place(w.filename, w.lineno, module)):
        return
    warnings.warn_explicit(
        w.message, w.category, w.filename, w.lineno, module=module, registry=registry,
        module_globals=given,
    )  # fmt: skip


@contextlib.contextmanager
def warnings_once():
    """Inside the block each distinct warning is shown once, when the block ends: for loops
    over many small inputs (the one-epoch Epochs that scikit-learn's indexing makes) that would
    otherwise repeat the same warning for every item."""
    with caught_warnings() as caught:
        yield
    seen: set[tuple[type[Warning], str]] = set()
    for w in caught:
        key = (w.category, str(w.message))
        if key not in seen:
            seen.add(key)
            reissue(w)


# what may differ between repeats of one warning: a measured value (a number with decimals
# standing alone and numbers of volts: not the digits of a name, a path, a date or a suggested
# factor such as 1e-06) or the count of inputs; quoted names are kept whole
_MEASURED = re.compile(
    r"""(?P<quoted>'[^']*'|"[^"]*")"""
    r"|(?<![\w./\\-])[-+]?\d+\.\d+(?:e[-+]?\d+)?(?![\w/\\]|\.\d)"
    r"|(?<![\w./\\-])[-+]?\d+(?:e[-+]?\d+)?(?= V\b)"  # a whole number of volts: "17 V", "4e-07 V"
    r"|^\d+ inputs: "
)


def warning_kind(text: str) -> str:
    """A warning's text with its measured values left out: the amplitude check of each
    fold's data (\"the typical deviation is 5.29 V\", \"5.27 V\" ...) is one warning, while
    warnings about other channels (['C2'], ['C4']), other files (/d/2/s-epo.fif,
    /d/3/s-epo.fif) or with another suggested factor (1e-03, 1e-06) are not."""
    return _MEASURED.sub(lambda m: m["quoted"] or "#", text)


def kind_of(message: Warning | str) -> str:
    """What tells repeats of a warning apart: the ``kind`` it was given (:func:`warn`), else
    its text without measured values (:func:`warning_kind`)."""
    given = getattr(message, "eegpt_kind", None)
    if isinstance(given, str):  # a count of inputs in it ("12 inputs: ") is left out too
        return "\0" + warning_kind(given)
    return warning_kind(str(message))


@contextlib.contextmanager
def each_warning_once(seen: dict[str, set[str]], call: str = "call"):
    """Inside the block, pass on each RuntimeWarning unless its kind (:func:`kind_of`: the
    ``kind`` it was given, else :func:`warning_kind`) is held back in ``seen``; other warnings
    pass as they are.

    A kind is held back while it repeats: from the block that gives it until a block of one
    of the calls that gave it (``call``, such as ``"fit"`` or ``"predict"``) ends without it,
    which forgets it, so that the next block giving it shows it again. Cross-validation's fits
    and predictions on data that all give a warning show it once (a warning only fits give is
    not forgotten by the predictions between them), while a call whose data do not give it
    (correctly scaled data after microvolts passed as volts) means the next call that gives it
    says it again. ``seen`` maps each kind held back to the calls that gave it, and lives as
    long as repeats should be held back (a process, an estimator).

    A block that raises shows its warnings too (they may say why it failed), but they are held
    back only until a call completes: another failed call on the same data does not repeat
    them, while the call that completes (the error fixed) gives them again (microvolts passed
    as volts, warned of by a fit that failed for the epochs' length, are warned of by the fit
    that succeeds). A failed call forgets nothing."""
    caught: list[warnings.WarningMessage] = []
    completed = False
    try:
        with caught_warnings() as caught:
            yield
        completed = True
    finally:  # also when the call failed: its warnings may say why
        _pass_on_unseen(caught, seen, call, completed)


#: In :func:`each_warning_once`'s ``seen``: a kind given by a call that raised, held back from
#: other failed calls only.
_FAILED_CALL = "\0failed"


def _pass_on_unseen(
    caught: list[warnings.WarningMessage], seen: dict[str, set[str]], call: str, completed: bool
) -> None:
    """Show the warnings of one :func:`each_warning_once` block (through the caller's filters
    again) but the RuntimeWarnings whose kind ``seen`` holds back, each kind once, and update
    ``seen``. A ``completed`` block records its kinds as given by ``call``, forgets those
    ``call`` gave before but not now, and ends the hold of those only failed calls gave; a
    block that raised records its kinds as given by a failed call."""
    given: set[str] = set()
    for w in caught:
        if issubclass(w.category, RuntimeWarning):
            kind = kind_of(w.message)
            calls = seen.get(kind, set())
            held = bool(calls - {_FAILED_CALL}) if completed else bool(calls)
            repeat = held or kind in given
            given.add(kind)
            seen.setdefault(kind, set()).add(call if completed else _FAILED_CALL)
            if repeat:
                continue
        reissue(w)
    if not completed:  # a failed call says nothing of what its data would have given
        return
    for kind in list(seen):
        calls = seen[kind]
        calls.discard(_FAILED_CALL)
        if not calls or (call in calls and kind not in given):
            del seen[kind]


class OncePerCorpus:
    """For a command that works through many files: a warning, or a channel table, that says of
    one file only what was said of an earlier one (the same text with the other file's name) is
    held back, and :meth:`summary` names the files it was held back for.

    Use as a context manager around the loop and set :attr:`current` to the file being worked
    on; warnings that do not name it, and everything said of the first file, pass unchanged.
    """

    _TABLE = "ChannelMapping:"  # the start of a mapping table (ChannelMapping.summary())

    def __init__(self) -> None:
        self.current: Path | None = None
        self.first: dict[str, str] = {}  # kind -> the file it was first said of
        self.again: dict[str, list[str]] = {}  # kind -> the files it was held back for
        self.texts: dict[str, str] = {}  # kind -> the warning as shown
        self._show: Any = None

    def _kind(self, text: str) -> str | None:
        if self.current is None:
            return None
        named = text
        for name in sorted({str(self.current), self.current.name}, key=len, reverse=True):
            named = named.replace(name, "\0")
        return named if "\0" in named or text.startswith(self._TABLE) else None

    def _showwarning(self, message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
        kind = self._kind(str(message)) if issubclass(category, RuntimeWarning) else None
        if kind is not None and kind in self.first:
            self.again.setdefault(kind, []).append(str(self.current))
            return
        if kind is not None:
            self.first[kind] = str(self.current)
            self.texts[kind] = str(message)
        self._show(message, category, filename, lineno, file, line)

    def seen_table(self, text: str) -> str | None:
        """For a channel table (``ChannelMapping.summary()``) already shown for an earlier
        file, ``"channels as for FIRST (N channel(s) kept, M dropped)"``; None the first time
        (then it is remembered for the current file)."""
        kind = self._kind(text) if text.startswith(self._TABLE) else None
        if kind is None:
            return None
        first = self.first.setdefault(kind, str(self.current))
        if first == str(self.current):
            return None
        head = text.splitlines()[0].removeprefix(self._TABLE).strip()
        return f"channels as for {first} ({head})"

    def filter(self, record: logging.LogRecord) -> bool:
        """A logging filter: a channel table already shown becomes one line naming the file it
        was shown for."""
        line = self.seen_table(record.getMessage())
        if line is not None:
            record.msg, record.args = f"{self.current}: {line}", ()
        return True

    def summary(self) -> list[str]:
        """One line per warning held back: which file it was shown for, and the others."""
        lines = []
        for kind, names in self.again.items():
            first = self.first[kind]
            text = self.texts[kind].removeprefix(f"{first}: ")
            if len(text) > 80:
                text = text[:80].rsplit(" ", 1)[0] + " ..."
            lines.append(
                f"the warning given for {first} ({text!r}) holds for "
                f"{count(len(names), 'later file')} too: {few(names, 5)}"
            )
        return lines

    def __enter__(self) -> OncePerCorpus:
        self._show = warnings.showwarning
        warnings.showwarning = self._showwarning
        logger.addFilter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        warnings.showwarning = self._show
        logger.removeFilter(self)
