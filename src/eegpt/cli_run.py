"""How every ``eegpt`` command line runs: its words read (``@file`` argument files, negative
numbers joined to their option), the parsed command run with errors as one ``eegpt: error: ...``
line and its exit status (:data:`EXIT_SOME_FAILED`, :data:`EXIT_TEMPFAIL`), warnings as
``eegpt: warning: ...`` lines, MNE's log on stderr, and Ctrl-C and SIGTERM stopping it cleanly;
with ``--log-file``, what it says on stderr also appended to a file, stamped
(:mod:`eegpt._run_log`).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import re
import shlex
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from eegpt import _interrupts
from eegpt._interrupts import Terminated as _Terminated
from eegpt._interrupts import raise_on_sigterm as _raise_on_sigterm
from eegpt._logging import (
    help_blocks_kept,
    terminal_text,
)

EXIT_SOME_FAILED = 3  # the run finished, but some of its files failed (named on stderr)


#: Another process holds what the run needs (an embed-dataset output folder, a weights download
#: into the same cache): nothing is wrong, try again later. EX_TEMPFAIL of sysexits.h.
EXIT_TEMPFAIL = 75


def debug_traceback(args: argparse.Namespace, err: BaseException) -> None:
    """With ``--debug``, print the traceback of an error that a command reports for one file
    and goes on after (the next file), as :func:`run_command` shows those it stops on."""
    if getattr(args, "debug", False):
        traceback.print_exception(err, file=sys.stderr)


def _format_warning(message, category, filename, lineno, line=None) -> str:  # noqa: ANN001
    """Warnings on the command line as ``eegpt: warning: ...`` lines (``--debug``: Python's
    format, with the code location), control characters escaped (:func:`terminal_text`)."""
    return f"eegpt: warning: {terminal_text(message)}\n"


def error_text(err: object) -> str:
    """An error's text as the command line prints it: control characters escaped, line breaks
    included (:func:`eegpt._logging.terminal_text`: a file name or recording id in it cannot
    colour the terminal or forge a line), but for eegpt's own help texts of several lines
    (how to get the weights, how to give them a cache folder: every
    :func:`eegpt._logging.help_block`), which it prints as written."""
    import eegpt.hub  # noqa: F401 - registers its help texts

    return help_blocks_kept(str(err))


class _Stderr:
    """Writes to whatever ``sys.stderr`` is at the time (as MNE's own stdout wrapper does)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


#: Commands that never read EEG: they do not import MNE just to move its log messages.
_WITHOUT_MNE = ("info", "export", "anonymize", "convert", "fetch", "compare")


def _mne_logs_to_stderr(quiet: bool) -> Callable[[], None]:
    """Send MNE's log messages ("Extracting EDF parameters ...") to stderr, beside eegpt's own
    messages and progress bars, so that stdout carries only results, and with ``quiet`` keep
    only its warnings (unless MNE_LOGGING_LEVEL is configured); returns the undo."""
    import logging

    import mne  # sets up the "mne" logger and its handler

    logger = logging.getLogger("mne")
    level = logger.level
    if quiet and mne.get_config("MNE_LOGGING_LEVEL") is None:
        logger.setLevel(logging.WARNING)
    moved = []
    for handler in logger.handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(
            handler, logging.FileHandler
        ):
            moved.append((handler, handler.setStream(_Stderr())))

    def restore() -> None:
        logger.setLevel(level)
        for handler, stream in moved:
            handler.setStream(stream)

    return restore


def _handled_unless_ignored(signum: int, handler: Callable[[int, FrameType | None], Any]) -> Any:
    """Install ``handler`` for the signal ``signum``, unless this process was started with it
    ignored (``SIG_IGN``: ``trap "" INT`` in the script that runs eegpt, or a background job
    of a non-interactive shell, which is kept from the Ctrl-C meant for the foreground): a
    signal the parent chose to ignore stays ignored. Returns the handler replaced, or None
    where none was installed."""
    if signal.getsignal(signum) is signal.SIG_IGN:
        return None
    return signal.signal(signum, handler)


#: What a second Ctrl-C says as it quits at once (no clean-up runs), for any command; a
#: command whose run keeps more says so in its own (``quit_message``: ``eegpt embed``'s
#: :func:`eegpt.cli.embed_quit`, ``eegpt embed-dataset``'s
#: :data:`eegpt.dataset_cli.QUIT_AT_ONCE`).
QUIT_AT_ONCE = (
    "eegpt: quit at once; finished output files are complete, and an unfinished one is left "
    "as a hidden .tmp file beside it (embed and embed-dataset remove their own when run "
    "again)"
)


class _Interrupts:
    """Ctrl-C: the first stops the run cleanly after the batch being computed (which can take
    seconds on a CPU, and the run says so at once); a second one quits at once, saying
    ``quit_message()`` (default :data:`QUIT_AT_ONCE`: what survives)."""

    def __init__(self, quit_message: Callable[[], str] | None = None) -> None:
        self.count = 0
        self.quit_message = quit_message

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        if self.count == 1:
            print(
                "eegpt: stopping after the current batch (Ctrl-C again to quit at once)",
                file=sys.stderr,
                flush=True,
            )
            _interrupts.deliver(KeyboardInterrupt(), frame)
            return
        for child in multiprocessing.active_children():  # reader processes
            child.kill()
        print(self._quit_text(), file=sys.stderr, flush=True)
        os._exit(130)

    def _quit_text(self) -> str:
        """The command's own quit message, else :data:`QUIT_AT_ONCE` (also where the command's
        fails: the process must still quit)."""
        if self.quit_message is None:
            return QUIT_AT_ONCE
        try:
            return self.quit_message()
        except Exception:  # noqa: BLE001
            return QUIT_AT_ONCE


def _note_threads_over_cpus(args: argparse.Namespace) -> None:
    """A note (not an error: it runs as asked) where ``--threads`` asks for more threads than
    the CPUs this process may use: they then share CPUs, which is seldom faster."""
    from eegpt._runtime import usable_cpus

    threads, cpus = getattr(args, "threads", None), usable_cpus()
    if threads is not None and threads > cpus and not getattr(args, "quiet", False):
        print(
            f"eegpt: note: --threads {threads} is more than the {cpus} CPU"
            f"{'' if cpus == 1 else 's'} this process may use (its CPU affinity or quota): "
            "the threads share them, which is seldom faster",
            file=sys.stderr,
        )


def run_command(
    func: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    interrupted: str = "eegpt: interrupted",
    *,
    process: bool = False,
) -> int:
    """Run ``func(args)`` the way every ``eegpt`` command runs (:func:`_run_logged`), with what
    it says on stderr also appended to ``args.log_file`` where given (``--log-file``:
    :mod:`eegpt._run_log`), stamped, from a first line naming the command line and versions to
    a last one with the exit status. A log file that cannot be opened is an error (status 1)
    before anything runs."""
    from eegpt._logging import recorded_command
    from eegpt._run_log import LogFileError, refuse_folder, start_run_log, status_line

    path = getattr(args, "log_file", None)
    if path is None:
        return _run_logged(func, args, interrupted, process=process)
    try:
        refuse_folder(Path(path))
        _refuse_log_over_input(Path(path), args)
        _make_log_folder(Path(path), args)
        log = start_run_log(Path(path), recorded_command())
    except LogFileError as err:
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return 1
    status: int | None = None
    error: BaseException | None = None
    with log.installed():
        try:
            status = _run_logged(func, args, interrupted, process=process)
            return status
        except BaseException as err:  # --debug's traceback, SIGTERM's exit: said, passed on
            error = err
            raise
        finally:
            log.note(*status_line(status, error))


def _make_log_folder(path: Path, args: argparse.Namespace) -> None:
    """Make the missing folder of the log file ``path`` where the command would make it
    anyway for its outputs (:func:`_output_folders`: ``eegpt embed REC.edf -o new/
    --log-file new/run.log``, the log opened before the command made ``new``); a folder
    nothing makes is left missing, for the log to be refused as one that cannot be
    opened."""
    folder = path.parent
    if folder.exists():
        return
    mine = folder.resolve()
    if any(f.resolve().is_relative_to(mine) for f in _output_folders(args)):
        with contextlib.suppress(OSError):  # not made: said as the log is opened
            folder.mkdir(parents=True, exist_ok=True)


def _output_folders(args: argparse.Namespace) -> list[Path]:
    """The folders the command makes (with those above them) to write its outputs in: the
    folder of each file it writes (:func:`_planned_outputs`: ``eegpt embed``'s outputs, ``probe
    predict``'s table, ``probe evaluate``'s ``--json``, ``export``'s and ``anonymize``'s copy, a
    ``--plot`` figure, ...: every output is written by :func:`eegpt.output_files.atomic_write`
    or alike, which makes its folder) and ``eegpt embed-dataset``'s output folder."""
    folders = [p.parent for p in _planned_outputs(args) if str(p) != "-"]
    if getattr(args, "command", None) == "embed-dataset" and getattr(args, "output", None):
        folders.append(Path(args.output))
    return folders


#: The options (destinations) of the commands that name files they read: ``--log-file``
#: must not append to one of them.
INPUT_OPTIONS = (
    "recordings", "data", "input", "more_inputs", "source", "annotations", "labels",
    "val_data", "val_labels", "val_annotations", "rename", "weights", "probe",
)  # fmt: skip


#: The options (destinations) of ``eegpt embed-dataset`` that name a dataset folder: the
#: run reads only some of the files inside (:func:`eegpt.cli_options.dataset_may_read`).
DATASET_OPTIONS = ("input", "more_inputs")


def _refuse_log_over_input(path: Path, args: argparse.Namespace) -> None:
    """Refuse a ``--log-file`` that is one of the command's inputs (``eegpt embed REC.edf
    --log-file REC.edf`` appended the log to the recording), one of the files an input
    recording is read from (a BrainVision header's ``.eeg``/``.vmrk``, an EEGLAB ``.set``'s
    ``.fdt``: :func:`eegpt._file_identity.recording_files`), a file inside an input folder (a
    ``--weights`` folder's ``config.json``, an ``.mff``'s files), a file a corpus run reads by
    its listing (:func:`_listed_reads`: a manifest's or glob's recordings and their files) or
    would list from its dataset folder by the log's name, or one of the files the command
    writes (:func:`_planned_outputs`: the output would replace the log, or the log stop the
    run as an existing output), before anything runs."""
    from eegpt._file_identity import recording_files
    from eegpt._run_log import LogFileError
    from eegpt.cli_options import given_paths, refuse_input_path

    corpus = getattr(args, "command", None) == "embed-dataset"
    names = [n for n in INPUT_OPTIONS if not (corpus and n in DATASET_OPTIONS)]
    inputs = given_paths(args, names)
    companions = [f for p in inputs if p.is_file() for f in _files_read_with(p, recording_files)]
    datasets = given_paths(args, DATASET_OPTIONS) if corpus else []
    files = [p for p in datasets if not p.is_dir()]
    try:
        refuse_input_path(
            "--log-file",
            path,
            [*inputs, *companions, *files],
            datasets=[p for p in datasets if p.is_dir()],
            pattern=getattr(args, "pattern", None),
            outputs=_planned_outputs(args),
            output_folders=given_paths(args, ("output",)) if corpus else (),
            globs=[str(p) for p in datasets if not p.exists()],
            bids_recordings=[*inputs, *files],
        )
        if corpus:  # then the files its listing reads: a manifest's or a glob's recordings
            listed = _listed_reads(args, path)  # (its error said only where none of the above)
            refuse_input_path("--log-file", path, listed, bids_recordings=listed)
    except ValueError as err:
        raise LogFileError(str(err)) from None


def _files_read_with(path: Path, recording_files: Callable[[Path], list[Path]]) -> list[Path]:
    """The files the recording ``path`` is read from beside itself (``recording_files``:
    :func:`eegpt._file_identity.recording_files`); none where they cannot be looked up (a
    header's ``DataFile=`` in a folder without permission, or too long a name: the command
    says so as it reads the recording, as without ``--log-file``)."""
    try:
        return recording_files(path)[1:]
    except OSError:
        return []


def _listed_reads(args: argparse.Namespace, path: Path) -> list[Path]:
    """The files ``eegpt embed-dataset``'s listing reads that may be the log file ``path``
    (:func:`eegpt.dataset_cli.files_listed_as`), listed before the log is opened: a log
    appended to a recording a manifest or glob names broke it ("Expecting miMATRIX type").
    A listing that fails raises :class:`~eegpt._run_log.LogFileError` with its error: the
    run would stop on it, and which files it reads is not known, so the log is not opened."""
    from eegpt._run_log import LogFileError
    from eegpt.dataset_cli import files_listed_as

    try:
        return files_listed_as(args, path)
    except Exception as err:  # noqa: BLE001  # the listing's own error, said instead of run
        raise LogFileError(
            f"{error_text(err)} (the input was listed before --log-file {path} is appended "
            "to, to make sure the log is not one of the files the run reads)"
        ) from None


def _planned_outputs(args: argparse.Namespace) -> list[Path]:
    """The files the command will write that a ``--log-file`` could name: its ``-o`` file;
    its ``--plot`` figure, ``eegpt probe evaluate``'s ``--json`` file, ``eegpt probe
    predict``'s ``--events`` table with the JSON sidecar of each prediction table, and ``eegpt
    channels``' ``--write-rename`` table (a log made there stopped the run as an existing
    output, or with ``--overwrite`` was replaced);
    ``eegpt embed``'s output in a folder for each recording (named by the recording);
    ``eegpt convert``'s checkpoint files; ``eegpt probe train``'s probe files; ``eegpt
    demo``'s files."""
    output = getattr(args, "output", None)
    found = [Path(output)] if isinstance(output, str | os.PathLike) else []
    for name in ("plot", "json", "events", "write_rename"):  # (info's --json is a switch: True)
        value = getattr(args, name, None)
        if isinstance(value, str | os.PathLike) and str(value) != "-":
            found.append(Path(value))
    command = (getattr(args, "command", None), getattr(args, "probe_command", None))
    if command == ("probe", "predict"):  # a CSV or TSV table's provenance beside it
        from eegpt.probe_predictions import sidecar_of

        tables = [t for t in (output, getattr(args, "events", None)) if isinstance(t, str)]
        sidecars = [sidecar_of(Path(t)) for t in tables if t != "-"]
        found += [s for s in sidecars if s is not None]
    recordings = getattr(args, "recordings", None)
    if isinstance(output, str) and isinstance(recordings, list) and recordings:
        from eegpt.cli import _output_paths

        try:
            found += _output_paths(
                [Path(r) for r in recordings], output, getattr(args, "format", None)
            )
        except ValueError:  # a wrong -o: the command says so
            pass
    destination = getattr(args, "destination", None)
    if isinstance(destination, Path):  # eegpt convert's checkpoint folder
        found += [destination / "config.json", destination / "model.safetensors"]
    if isinstance(output, Path) and command == ("probe", "train"):  # the probe's folder
        from eegpt.probe_folder import PROBE_JSON, PROBE_WEIGHTS

        found += [output / PROBE_JSON, output / PROBE_WEIGHTS]
    if isinstance(output, Path) and command[0] == "demo":  # eegpt demo's folder
        found += [output / n for n in _DEMO_FILES]
    return found


#: The files ``eegpt demo -o FOLDER`` writes in FOLDER (:func:`eegpt.demo.run_demo`).
_DEMO_FILES = (
    "synthetic_tuh.edf", "synthetic_tuh.npz", "embeddings.png",
    "random-weights/config.json", "random-weights/model.safetensors",
)  # fmt: skip


def _run_logged(
    func: Callable[[argparse.Namespace], int],
    args: argparse.Namespace,
    interrupted: str = "eegpt: interrupted",
    *,
    process: bool = False,
) -> int:
    """Run ``func(args)`` the way every ``eegpt`` command runs: errors become one line.

    Problems with the input (:data:`eegpt.errors.USER_ERRORS`) print ``eegpt: error: ...`` and
    return 1, or the command's ``args.error_status`` (``eegpt compare``'s 2: its 1 says
    "different", as diff's) (:data:`EXIT_TEMPFAIL`, 75, for an output folder or cache another process holds:
    :class:`~eegpt.errors.OutputInUseError`); other exceptions are bugs and say so; Ctrl-C returns 130 and SIGTERM exits with
    143 after ``finally`` blocks (temporary files) have run; what is said then is
    ``args.interrupted_message`` (a text, or a function of ``args`` called then), else
    ``interrupted``; a second Ctrl-C quits at once saying ``args.quit_message(args)`` where
    the command has one (:class:`_Interrupts`). ``args.debug`` re-raises.
    ``process``: the command is the whole process (its entry point), so a Ctrl-C or SIGTERM
    after it ended (a second Ctrl-C while it stops, or one during the interpreter's shutdown)
    is ignored: the process exits with the command's status, instead of a traceback or death
    by the signal with its work done. Otherwise the caller's handlers are put back.
    A command with ``args.threads`` (``--threads``) runs with that many torch threads (as the
    process, with none given: no more than a CPU quota allows,
    :func:`eegpt._runtime.set_torch_threads`); a caller's count is put back after it. One
    that draws (``args.plot``, ``demo``) first makes sure matplotlib has a writable folder
    (:func:`eegpt._runtime.matplotlib_config_folder`).
    """
    from eegpt._runtime import matplotlib_config_folder, set_torch_threads
    from eegpt._viz_common import require_matplotlib
    from eegpt.errors import USER_ERRORS, OutputInUseError

    previous = previous_int = None
    said = getattr(args, "interrupted_message", interrupted)

    def stopped() -> str:
        """The command's own message, or one that depends on what it left (a function of
        its arguments, called once it stopped)."""
        return said if isinstance(said, str) else str(said(args))

    if process:
        _interrupts.watch_imports()
    try:
        previous = _handled_unless_ignored(signal.SIGTERM, _raise_on_sigterm)
        quit_said = getattr(args, "quit_message", None)  # a function of args, as said
        quit_message = None if quit_said is None else (lambda: str(quit_said(args)))
        previous_int = _handled_unless_ignored(signal.SIGINT, _Interrupts(quit_message))
    except ValueError:  # not in the main thread: leave signals alone
        pass
    formatter = warnings.formatwarning
    if not getattr(args, "debug", False):
        warnings.formatwarning = _format_warning
    restore_mne = threads_before = None
    try:
        if hasattr(args, "threads"):  # a command that runs the model: --threads, or a default
            # within a CPU quota for this process only (a caller's own setting left alone)
            threads_before = set_torch_threads(args.threads, default=process)
            _note_threads_over_cpus(args)
        if getattr(args, "plot", None) is not None or getattr(args, "command", None) == "demo":
            # matplotlib missing said before the work, not as an internal error after it
            require_matplotlib(
                "--plot" if getattr(args, "plot", None) is not None else "eegpt demo"
            )
            matplotlib_config_folder()  # without a writable home: quietly, or fail at once
        if getattr(args, "command", None) not in _WITHOUT_MNE:
            loud = getattr(args, "verbose", False) or getattr(args, "debug", False)
            restore_mne = _mne_logs_to_stderr(quiet=not loud)
        _interrupts.raise_postponed()  # one that landed in an import so far
        try:
            status = func(args)
        finally:
            # one that landed in an import and had no safe point since: the signal wins over
            # the status or error, as it would have, raised where it landed
            _interrupts.raise_postponed()
        return status
    except KeyboardInterrupt:
        print(stopped(), file=sys.stderr)
        return 130
    except _Terminated:
        print(f"{stopped()} (SIGTERM)", file=sys.stderr)
        raise
    except BrokenPipeError:  # output piped into a reader that quit (`eegpt info X | head`)
        with contextlib.suppress(OSError):  # no second error when Python flushes stdout
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a shell reports a command killed by SIGPIPE
    except OutputInUseError as err:  # busy, not broken: "try again later" to a scheduler
        if getattr(args, "debug", False):
            raise
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return EXIT_TEMPFAIL
    except USER_ERRORS as err:
        if getattr(args, "debug", False):
            raise
        print(f"eegpt: error: {error_text(err)}", file=sys.stderr)
        return getattr(args, "error_status", 1)
    except Exception as err:
        if getattr(args, "debug", False):
            raise
        if isinstance(err, MemoryError) or type(err).__name__ == "OutOfMemoryError":
            print(
                f"eegpt: error: out of memory ({type(err).__name__}); lower --batch-size, "
                "or use a smaller --precision on GPU",
                file=sys.stderr,
            )
            return getattr(args, "error_status", 1)
        print(
            f"eegpt: internal error: {error_text(f'{type(err).__name__}: {err}')}\n"
            "This is a bug in eegpt; please report it with the output of --debug.",
            file=sys.stderr,
        )
        return getattr(args, "error_status", 1)
    finally:
        warnings.formatwarning = formatter
        if restore_mne is not None:
            restore_mne()
        if threads_before is not None and not process:
            import torch

            torch.set_num_threads(threads_before)
        # SIG_IGN survives the interpreter's shutdown, which resets Python-level handlers
        if previous is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN if process else previous)
        if previous_int is not None:
            signal.signal(signal.SIGINT, signal.SIG_IGN if process else previous_int)


#: How deep argument files may name argument files (``@a.txt`` holding ``@b.txt`` ...).
MAX_ARGUMENT_FILE_DEPTH = 10


class ArgumentFileError(ValueError):
    """An ``@file`` of the command line that cannot be read (a usage error: status 2)."""


def argument_file_words(line: str) -> list[str]:
    """The arguments one line of an ``@file`` gives: split as a POSIX shell splits them
    (:func:`shlex.split`: quotes group, backslashes escape); none for a blank line or one
    whose first non-blank character is ``#`` (a ``#`` inside an argument, ``sub#1.edf``, is
    kept)."""
    text = line.strip()
    if not text or text.startswith("#"):
        return []
    return shlex.split(text)


def expand_argument_files(words: Sequence[str], _depth: int = 0) -> list[str]:
    """``words`` with each ``@file`` (an argument longer than ``@`` starting with it) replaced
    by the arguments its lines give (:func:`argument_file_words`), read as argparse's
    ``fromfile_prefix_chars="@"`` reads them but several to a line, and before parsing, so
    that outputs record the arguments that ran (:func:`eegpt._logging.command_recorded`)
    rather than the file's name. ``@file`` inside are read too, up to
    :data:`MAX_ARGUMENT_FILE_DEPTH` deep. Raises :class:`ArgumentFileError`."""
    out: list[str] = []
    for word in words:
        if len(word) < 2 or not word.startswith("@"):
            out.append(word)
            continue
        if _depth >= MAX_ARGUMENT_FILE_DEPTH:
            raise ArgumentFileError(
                f"{word}: argument files name argument files over {MAX_ARGUMENT_FILE_DEPTH} "
                "deep (one names itself?)"
            )
        out.extend(expand_argument_files(_read_argument_file(word), _depth + 1))
    return out


def _read_argument_file(word: str) -> list[str]:
    """The arguments of the argument file ``word`` (``@path``) names."""
    path = Path(word[1:]).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ArgumentFileError(
            f"{word}: no argument file {path} (an argument starting with @ names a file of "
            "arguments; give a file whose name starts with @ as ./@name)"
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ArgumentFileError(f"{word}: cannot read the argument file {path}: {err}") from None
    words: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            words.extend(argument_file_words(line))
        except ValueError as err:  # shlex: an unclosed quote
            raise ArgumentFileError(f"{path}, line {number}: {err}: {line.strip()}") from None
    return words


def given_arguments(argv: Sequence[str] | None, command: str = "") -> list[str] | None:
    """The arguments of an ``eegpt`` entry point (``argv``, or this process's command line),
    argument files read (:func:`expand_argument_files`); None after saying on stderr why one
    cannot be read (the entry point then exits with 2, a usage error)."""
    given = list(sys.argv[1:] if argv is None else argv)
    try:
        return expand_argument_files(given)
    except ArgumentFileError as err:
        prog = f"eegpt {command}".rstrip()
        print(terminal_text(f"{prog}: error: {err}"), file=sys.stderr)
        return None


# negative numbers that argparse does not recognise as values: with an exponent, inf and nan
_NEGATIVE_NUMBER = re.compile(
    r"-((\d+\.?\d*|\.\d+)[eE][-+]?\d+|inf|infinity|nan"
    # seconds with their unit (--crop -0.2s), which argparse takes for an option too
    r"|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(s|sec|secs|seconds?))",
    re.IGNORECASE,
)


def joined_negative_values(argv: list[str]) -> list[str]:
    """``--opt -1e-6`` as ``--opt=-1e-6``: argparse takes a negative number written with an
    exponent (or ``-inf``, ``-nan``) or followed by a unit of seconds (``-0.2s``) for an
    option (plain ones such as ``-0.5`` it already reads as values), so ``--rescale -1e-6``
    would fail with "expected one argument" instead of a message about the value, and
    ``--crop -0.2s`` with "unrecognized arguments"."""
    out: list[str] = []
    for token in argv:
        previous = out[-1] if out else ""
        if _NEGATIVE_NUMBER.fullmatch(token) and previous.startswith("--") and "=" not in previous:
            out[-1] = f"{previous}={token}"
        else:
            out.append(token)
    return named_stim_channels(out)


#: The hidden option ``--events-from-stim=CHANNEL`` is given as (:func:`named_stim_channels`).
NAMED_STIM_OPTION = "--events-from-stim-channel"


def named_stim_channels(argv: list[str]) -> list[str]:
    """``--events-from-stim=CHANNEL`` as the hidden ``--events-from-stim-channel CHANNEL``:
    the ``=`` form always names a channel, even one that is also a path (a file or folder
    ``Status`` in the working directory), while ``--events-from-stim WORD`` is refused where
    WORD is a recording (:func:`eegpt.cli_options._stim_channel_arg`), taken for the channel's
    name by mistake."""
    out: list[str] = []
    for token in argv:
        option, sep, value = token.partition("=")
        if sep and option == "--events-from-stim" and "--" not in out:
            out += [NAMED_STIM_OPTION, value]
        else:
            out.append(token)
    return out


def escape_unencodable_output() -> None:
    """Make stdout write what its encoding cannot hold as backslash escapes, as Python's
    stderr already does (``errors="backslashreplace"``), and stderr too where it was set up
    otherwise: a file name with ``ü`` printed to an ASCII terminal (``LC_ALL=C``,
    ``PYTHONIOENCODING=ascii``) then shows as ``\\xfc`` instead of stopping the run with a
    UnicodeEncodeError after its first file. The encodings stay as they are; streams that
    cannot be reconfigured (a caller's own stream object without ``reconfigure``) are left
    alone."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # closed, or not a text stream
                reconfigure(errors="backslashreplace")


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (False for pipes, files and streams without
    ``isatty``)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class EscapingStdout:
    """The command's stdout, writing control characters (but line breaks and tabs) as escapes
    (:func:`eegpt._logging.terminal_text`): a file name, recording id or a value from a file
    someone else made (a checkpoint's ``config.json``, a probe's ``probe.json``) printed by
    ``eegpt channels``/``info``/``fetch`` can then neither colour, clear or retitle the
    terminal. Only for a terminal: output piped or redirected is written as it is. Everything else (``buffer``, ``isatty``, ``flush`` ...) is the stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        shown = "\r\n".join(terminal_text(part, newlines=True) for part in text.split("\r\n"))
        self._stream.write(shown)  # a CSV's \r\n line ends kept as they are
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def parse_command_line(
    parse: Callable[[], argparse.Namespace], *, process: bool
) -> argparse.Namespace | None:
    """``parse()`` (building the parser imports eegpt's modules, which takes a moment), with
    eegpt's Ctrl-C and SIGTERM handlers already in place when ``process`` (the entry point of
    this process): an interruption then is one line, and None is returned (status 130). The
    entry point also owns the process's output streams: :func:`escape_unencodable_output`."""
    if not process:
        return _parsed(parse)
    escape_unencodable_output()
    if _is_terminal(sys.stdout) and not isinstance(sys.stdout, EscapingStdout):
        sys.stdout = EscapingStdout(sys.stdout)  # a pipe or file gets the bytes as they are
    _interrupts.watch_imports()  # an interrupt in an import is raised once it is over
    _handled_unless_ignored(signal.SIGTERM, _raise_on_sigterm)
    _handled_unless_ignored(signal.SIGINT, _Interrupts())
    try:
        return _parsed(parse)
    except KeyboardInterrupt:
        print("eegpt: interrupted", file=sys.stderr)
        return None
    except _Terminated:  # exits 143, saying so as a command stopped later does
        print(
            "eegpt: interrupted before the command started: nothing done (SIGTERM)", file=sys.stderr
        )
        raise


def _parsed(parse: Callable[[], argparse.Namespace]) -> argparse.Namespace:
    """``parse()`` with a warning given while parsing (an option's check,
    ``--keep-channels 10-20,-Oz``) as an ``eegpt: warning: ...`` line, as a command's."""
    formatter = warnings.formatwarning
    warnings.formatwarning = _format_warning
    try:
        return parse()
    finally:
        warnings.formatwarning = formatter


def run_command_line(
    parse: Callable[[], argparse.Namespace],
    *,
    process: bool,
    func: Callable[[argparse.Namespace], int] | None = None,
    interrupted: str = "eegpt: interrupted",
) -> int:
    """An entry point's whole run: :func:`parse_command_line`, then :func:`run_command` of
    ``func`` (default: the ``func`` the parsed command set); the exit status."""
    args = parse_command_line(parse, process=process)
    if args is None:
        return 130
    return run_command(func or args.func, args, interrupted, process=process)
