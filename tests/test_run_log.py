"""``--log-file PATH``: every command that does work appends what it says on stderr to a file,
each line stamped with its time and level, progress bars as a line at most every 30 s (not
their redraws); the terminal is unchanged."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import threading
import warnings
from pathlib import Path

import pytest

from eegpt._logging import progress_options
from eegpt._run_log import line_level
from eegpt.cli import main
from eegpt.cli_run import run_command
from eegpt.errors import EEGPTError

#: A line of the log file: ISO 8601 time to the millisecond with its UTC offset, the process
#: id, then the level (padded to 7 characters) and a space.
STAMPED = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d \[pid (\d+)\] "
    r"(INFO    |WARNING |ERROR   )"
)


def _lines(path: Path) -> list[tuple[str, str]]:
    """The (level, text) of each line of the log file ``path``; every line must be stamped."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = STAMPED.match(line)
        assert m, f"not stamped: {line!r}"
        assert int(m.group(1)) == os.getpid()  # this process's runs
        out.append((m.group(2).strip(), line[m.end() :]))
    return out


def _shown_on_stderr(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001
    """``warnings.showwarning`` as Python's own (pytest's records them instead)."""
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def test_log_file_holds_the_warnings_and_the_error_of_a_failed_run(tmp_path, capsys, monkeypatch):
    """A warning and the final error line each reach the terminal as before and the file once,
    stamped with their levels, between the command line and the exit status; a progress bar
    of a moment reaches the terminal only."""
    from tqdm import tqdm

    monkeypatch.setattr(warnings, "showwarning", _shown_on_stderr)
    log = tmp_path / "run.log"

    def work(args: argparse.Namespace) -> int:
        warnings.warn("3 channels are flat", RuntimeWarning, stacklevel=1)
        print("embedded a.edf", file=sys.stderr)
        print("eegpt: error: c.edf: bad header\n  (the next file is read)", file=sys.stderr)
        for _ in tqdm(range(3), desc="embedding", **progress_options()):
            pass
        raise EEGPTError("b.edf is not an EDF file")

    args = argparse.Namespace(log_file=log, command="export")
    assert run_command(work, args) == 1
    err = capsys.readouterr().err
    assert "eegpt: warning: 3 channels are flat" in err and "embedding" in err
    assert "eegpt: error: b.edf is not an EDF file" in err
    lines = _lines(log)
    assert lines[0][0] == "INFO" and lines[0][1].startswith("started: eegpt")
    assert "python " in lines[0][1] and "torch " in lines[0][1] and "host " in lines[0][1]
    assert lines[1:] == [
        ("WARNING", "eegpt: warning: 3 channels are flat"),
        ("INFO", "embedded a.edf"),
        ("ERROR", "eegpt: error: c.edf: bad header"),
        ("ERROR", "  (the next file is read)"),  # the message's next line keeps its level
        ("ERROR", "eegpt: error: b.edf is not an EDF file"),
        ("ERROR", "finished: exit status 1"),
    ]


def test_runs_append_to_the_log_file_and_record_their_command_line(tmp_path, capsys):
    """Two runs of ``eegpt embed`` given ``--log-file`` after the command or before it (a
    global option) append to one file: each its command line, error and exit status."""
    log = tmp_path / "run.log"
    missing = tmp_path / "missing.edf"
    out = tmp_path / "out"
    assert (
        main(["embed", str(missing), "--weights", "w", "-o", str(out), "--log-file", str(log)]) == 1
    )
    assert (
        main(["--log-file", str(log), "embed", str(missing), "--weights", "w", "-o", str(out)]) == 1
    )
    err = capsys.readouterr().err
    lines = _lines(log)
    started = [text for level, text in lines if text.startswith("started: ")]
    assert len(started) == 2 and all("eegpt " in s and "embed " in s for s in started)
    assert started[0].startswith(f"started: eegpt embed {missing}")
    assert started[1].startswith(f"started: eegpt --log-file {log} embed")
    errors = [text for level, text in lines if level == "ERROR" and "eegpt: error:" in text]
    assert len(errors) == 2 and all(str(missing) in e for e in errors)
    assert errors[0] in err  # the terminal's line, as it is
    assert [t for _, t in lines].count("finished: exit status 1") == 2


@pytest.mark.parametrize("where", ["no folder", "a folder"])
def test_a_log_file_that_cannot_be_opened_is_refused_before_any_work(where, tmp_path, capsys):
    path = tmp_path / "gone" / "run.log" if where == "no folder" else tmp_path
    ran = []
    args = argparse.Namespace(log_file=path, command="export")
    assert run_command(lambda a: ran.append(a) or 0, args) == 1
    assert not ran
    err = capsys.readouterr().err
    assert err.startswith(f"eegpt: error: --log-file {path} ")
    assert ("cannot be opened" if where == "no folder" else "is a folder") in err
    out = tmp_path / "out"  # the command line too: nothing made
    assert main(["embed", "x.edf", "--weights", "w", "-o", str(out), "--log-file", str(path)]) == 1
    assert not out.exists()


def test_nothing_of_a_logged_run_is_left_behind(tmp_path, capsys, monkeypatch):
    """After ``main()`` returns, stderr, the loggers' handlers and ``warnings.showwarning`` are
    as they were and the file is closed: a later run without ``--log-file`` adds nothing to
    it, and one with it writes each line once (no handler or stream piled up)."""
    monkeypatch.setattr(warnings, "showwarning", _shown_on_stderr)
    log = tmp_path / "run.log"
    stderr = sys.stderr
    handlers = {n: list(logging.getLogger(n).handlers) for n in ("", "eegpt", "mne")}
    run = ["embed", str(tmp_path / "x.edf"), "--weights", "w", "-o", str(tmp_path / "o")]
    for _ in range(2):
        assert main([*run, "--log-file", str(log)]) == 1
        assert sys.stderr is stderr and warnings.showwarning is _shown_on_stderr
        assert {n: list(logging.getLogger(n).handlers) for n in handlers} == handlers
    size = log.stat().st_size
    assert main(run) == 1
    assert log.stat().st_size == size
    errors = [t for level, t in _lines(log) if t.startswith("eegpt: error:")]
    assert len(errors) == 2  # once per run
    capsys.readouterr()


def test_log_file_is_taken_after_every_command(tmp_path, capsys):
    """After the command by embed, embed-dataset, probe train/predict/evaluate, fetch, convert,
    info and channels, as before it by every one."""
    from eegpt.cli import build_parser

    parser = build_parser()
    for words in (["embed", "a.edf", "-o", "o"], ["embed-dataset", "d", "-o", "o"],
                  ["probe", "train", "a.fif", "--weights", "w", "-o", "p"], ["probe", "predict", "p", "a.edf"],
                  ["probe", "evaluate", "p", "a.fif"], ["fetch"], ["convert", "a", "b"],
                  ["info", "a"], ["channels", "a.edf"]):  # fmt: skip
        assert parser.parse_args([*words, "--log-file", "x.log"]).log_file == Path("x.log")
        assert parser.parse_args(["--log-file", "y.log", *words]).log_file == Path("y.log")
        assert parser.parse_args(words).log_file is None
    capsys.readouterr()


def test_info_and_channels_take_log_file_after_the_command(tmp_path, weights, capsys):
    """eegpt info/channels ... --log-file X (refused before: only eegpt --log-file X info ...
    was taken) logs the run, with the same checks as before the command (an input refused)."""
    from eegpt.demo import synthetic_raw, write_edf

    edf = write_edf(synthetic_raw(0.2)[0], tmp_path / "rec.edf")
    log = tmp_path / "run.log"
    assert main(["info", str(weights), "--log-file", str(log)]) == 0
    assert main(["channels", str(edf), "--log-file", str(log)]) == 0
    texts = [t for _, t in _lines(log)]
    assert [t.split(" (")[0] for t in texts if t.startswith("started:")] == [
        f"started: eegpt info {weights} --log-file {log}",
        f"started: eegpt channels {edf} --log-file {log}",
    ]
    assert texts.count("finished: exit status 0") == 2
    capsys.readouterr()
    size = edf.stat().st_size
    assert main(["channels", str(edf), "--log-file", str(edf)]) == 1
    assert "one of the command's inputs" in capsys.readouterr().err
    assert edf.stat().st_size == size
    table = tmp_path / "rename.tsv"  # the table it writes: the log made first stopped it
    nearest = ["channels", str(edf), "--nearest", "standard_1005", "--write-rename", str(table)]
    assert main([*nearest, "--log-file", str(table)]) == 1
    assert "one of the files the command writes" in capsys.readouterr().err
    assert not table.exists()


def test_line_levels():
    assert line_level("eegpt: internal error: KeyError: 'x'") == "ERROR"
    assert line_level("/a/b.py:3: RuntimeWarning: overflow") == "WARNING"
    assert line_level("  a.edf: not an EDF file", "ERROR") == "ERROR"
    assert line_level("embed-dataset: 2 files, 2 ok", "ERROR") == "INFO"
    assert line_level("eegpt embed-dataset: error: one input, got 2") == "ERROR"


def test_a_failure_summary_and_a_traceback_are_logged_as_errors():
    """embed-dataset's failed files (exit 3) and a --debug traceback, chained, to its last
    line: ERROR; an exception-like line outside a traceback stays INFO."""
    lines = [
        "embed-dataset (threads on cpu): 2 files, 1 ok, 1 failed; 7 windows",
        "failed (1, all in out/_errors.csv; files fixed on disk: run again with --retry-failed):",
        "  b.edf: not an EDF file",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "KeyError: 'x'",
        "",
        "During handling of the above exception, another exception occurred:",
        "",
        "Traceback (most recent call last):",
        "eegpt.errors.RecordingError: b.edf: not an EDF file",
        "done.",
        "ValueError: said outside a traceback",
    ]
    levels, level = [], "INFO"
    for line in lines:
        level = line_level(line, level)
        levels.append(level)
    assert levels == ["INFO"] + ["ERROR"] * 10 + ["INFO", "INFO"]


def test_a_stopped_run_logs_why_and_its_exit_status(tmp_path, capsys):
    """Ctrl-C (status 130) and SIGTERM (143, passed on as SystemExit) end the file with the
    stop message and the status."""
    from eegpt._interrupts import Terminated

    log = tmp_path / "run.log"

    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    def terminated(args: argparse.Namespace) -> int:
        raise Terminated(143)

    args = argparse.Namespace(log_file=log, command="export")
    assert run_command(interrupted, args) == 130
    with pytest.raises(SystemExit) as stop:
        run_command(terminated, args)
    assert stop.value.code == 143
    texts = [(level, text) for level, text in _lines(log) if not text.startswith("started: ")]
    assert texts == [
        ("WARNING", "eegpt: interrupted"),
        ("ERROR", "finished: exit status 130"),
        ("WARNING", "eegpt: interrupted (SIGTERM)"),
        ("ERROR", "finished: exit status 143"),
    ]
    capsys.readouterr()


@pytest.mark.parametrize("terminal", ["none", "closed"])
def test_a_run_without_a_terminal_still_logs(terminal, tmp_path, monkeypatch):
    """stderr None (``2>&-`` before Python starts, ``pythonw``) or closed: the run goes on
    and its lines reach the log file alone."""
    import io

    stream = None
    if terminal == "closed":
        stream = io.StringIO()
        stream.close()
    monkeypatch.setattr(sys, "stderr", stream)
    log = tmp_path / "run.log"

    def work(args: argparse.Namespace) -> int:
        print("exported a.npz", file=sys.stderr)
        sys.stderr.flush()
        return 0

    assert run_command(work, argparse.Namespace(log_file=log, command="export")) == 0
    assert sys.stderr is stream
    assert [t for _, t in _lines(log)][1:] == ["exported a.npz", "finished: exit status 0"]


def test_a_run_without_a_terminal_logs_its_progress_bars(tmp_path, monkeypatch):
    """stderr None (``2>&-``, ``nohup ... 2>&-``) with --log-file: a progress bar was drawn
    on None (the stream beneath the run log), so the command stopped with an internal error
    (AttributeError) at its first bar. Its bars are drawn nowhere and leave their lines in
    the log (LOG_PROGRESS_S here 0: each redraw)."""
    from tqdm import tqdm

    import eegpt._logging as logging_module

    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(logging_module, "LOG_PROGRESS_S", 0.0)
    log = tmp_path / "run.log"

    def work(args: argparse.Namespace) -> int:
        with tqdm(total=3, desc="rec", **progress_options()) as bar:
            bar.update(3)
        return 0

    assert run_command(work, argparse.Namespace(log_file=log, command="embed")) == 0
    assert sys.stderr is None
    texts = [t for _, t in _lines(log)]
    assert any(t.startswith("rec: 100%") and "3/3" in t for t in texts), texts
    assert texts[-1] == "finished: exit status 0"


def test_log_file_before_the_command_may_be_abbreviated(tmp_path, capsys):
    """``eegpt --log PATH embed ...`` as argparse takes ``--log`` for ``--log-file``: PATH is
    its value, not the command."""
    log = tmp_path / "run.log"
    missing = tmp_path / "missing.edf"
    for name in ("--log", "--log-f"):
        words = [name, str(log), "embed", str(missing), "--weights", "w", "-o", str(tmp_path / "o")]
        assert main(words) == 1
    assert "unknown command" not in capsys.readouterr().err
    started = [t for _, t in _lines(log) if t.startswith("started: ")]
    assert len(started) == 2


def test_an_ambiguous_abbreviation_before_the_command_is_refused_as_such(capsys):
    """An abbreviation of two options before the command: argparse's "ambiguous option", not
    its value taken for an unknown command."""
    from eegpt.cli_options import CommandParser

    parser = CommandParser(prog="tool")
    parser.add_argument("--log-file")
    parser.add_argument("--log-level")
    parser.add_subparsers(dest="command").add_parser("run")
    assert parser.parse_args(["--log-f", "a.log", "run"]).log_file == "a.log"
    with pytest.raises(SystemExit):
        parser.parse_args(["--log", "a.log", "run"])
    err = capsys.readouterr().err
    assert "ambiguous option: --log could match --log-file, --log-level" in err


def _six_epochs(path: Path) -> Path:
    """Six 4 s epochs of 19 channels at 256 Hz, events A and B in turn (for probe train)."""
    import mne
    import numpy as np

    names = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7",
             "P3", "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip
    info = mne.create_info(names, 256.0, "eeg")
    events = np.c_[np.arange(6) * 1024, np.zeros(6, int), [1, 2] * 3]
    data = np.random.default_rng(0).normal(0, 20e-6, (6, 19, 1024))
    epochs = mne.EpochsArray(data, info, events=events, event_id={"A": 1, "B": 2}, verbose=False)
    epochs.save(path, verbose=False)
    return path


def test_log_file_in_the_output_folder_the_command_makes(tmp_path, weights, capsys):
    """A log in the output folder that embed, embed-dataset or probe train makes, or the folder
    of an output file that another command makes (export, probe predict, probe evaluate's
    --json), or one above it, is opened once that folder is made (it was refused, as in a
    missing folder); one in a folder that nothing makes is still refused, and nothing is made
    for it."""
    from eegpt.demo import synthetic_raw, write_edf

    data = tmp_path / "data"
    data.mkdir()
    edf = write_edf(synthetic_raw(0.2)[0], data / "rec.edf")
    epochs = _six_epochs(tmp_path / "train-epo.fif")
    w = ["--weights", str(weights), "-q"]
    runs = {
        "embed": ["embed", str(edf), *w, "-o", f"{tmp_path / 'a'}/"],
        "embed file": ["embed", str(edf), *w, "-o", str(tmp_path / "b" / "sub" / "x.npz")],
        "embed-dataset": ["embed-dataset", str(data), *w, "-o", str(tmp_path / "c" / "emb")],
        "probe train": [
            "probe",
            "train",
            str(epochs),
            *w,
            "-o",
            str(tmp_path / "d"),
            "--passes",
            "1",
        ],  # fmt: skip
    }
    # the folder of an output file of a command run later on those outputs (it made it: the
    # log there was refused)
    runs["export"] = ["export", str(tmp_path / "a" / "rec.npz"), "-o", str(tmp_path / "g/x.csv")]
    runs["probe predict"] = ["probe", "predict", str(tmp_path / "d"), str(epochs), "-q", "-o",
                             str(tmp_path / "h" / "pred.csv")]  # fmt: skip
    runs["probe evaluate"] = ["probe", "evaluate", str(tmp_path / "d"), str(epochs), "-q",
                              "--json", str(tmp_path / "i" / "sub" / "metrics.json")]  # fmt: skip
    logs = {"embed": "a", "embed file": "b", "embed-dataset": "c", "probe train": "d",
            "export": "g", "probe predict": "h", "probe evaluate": "i"}  # fmt: skip
    for name, words in runs.items():
        log = tmp_path / logs[name] / "run.log"
        assert main([*words, "--log-file", str(log)]) == 0, name
        assert _lines(log)[-1] == ("INFO", "finished: exit status 0")
    assert (tmp_path / "a" / "rec.npz").is_file() and (tmp_path / "b/sub/x.npz").is_file()
    assert (tmp_path / "g/x.csv").is_file() and (tmp_path / "h/pred.csv").is_file()
    assert (tmp_path / "i/sub/metrics.json").is_file()
    capsys.readouterr()
    elsewhere = tmp_path / "e" / "run.log"  # a folder no command makes
    assert main([*runs["embed"][:-1], f"{tmp_path / 'f'}/", "--log-file", str(elsewhere)]) == 1
    assert f"--log-file {elsewhere} cannot be opened" in capsys.readouterr().err
    assert not (tmp_path / "e").exists() and not (tmp_path / "f").exists()


def test_a_corpus_run_leaves_its_progress_in_the_log_file(tmp_path, weights, capsys, monkeypatch):
    """embed-dataset --log-file left its progress out of the log (the bars went to the
    terminal only): a day-long run's log said nothing between its start and its summary. The
    log gets the bar's state at most every LOG_PROGRESS_S (30 s; here 0, every redraw) and its
    last one; a bar of a few seconds at 30 s leaves nothing there."""
    import eegpt._logging as logging_module
    from eegpt.demo import synthetic_raw, write_edf

    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b"):
        write_edf(synthetic_raw(0.1, seed=1 if name == "a" else 2)[0], data / f"{name}.edf")
    monkeypatch.setattr(logging_module, "LOG_PROGRESS_S", 0.0)
    log = tmp_path / "run.log"
    words = ["embed-dataset", str(data), "--weights", str(weights), "--device", "cpu"]
    assert main([*words, "-o", str(tmp_path / "emb"), "--log-file", str(log)]) == 0
    capsys.readouterr()
    lines = [text for level, text in _lines(log) if level == "INFO"]
    bars = [text for text in lines if text.startswith("embed-dataset: ")]
    assert bars and "2/2 files" in bars[-1] and "100%" in bars[-1], lines
    assert lines.index(bars[-1]) < lines.index("finished: exit status 0")
    monkeypatch.setattr(logging_module, "LOG_PROGRESS_S", 30.0)
    quiet = tmp_path / "quiet.log"
    assert main([*words, "-o", str(tmp_path / "emb2"), "--log-file", str(quiet)]) == 0
    assert not [t for _, t in _lines(quiet) if t.startswith("embed-dataset: ") and "%|" in t]


def test_a_corpus_run_on_a_terminal_beats_into_its_log_file(tmp_path, monkeypatch):
    """On a terminal (bars redrawn in place, no heartbeat) a run with --log-file left nothing
    in the log while a long file was read: the heartbeat runs where a run log is on, so
    the log gets the bar while nothing moves."""
    import io

    import eegpt._logging as logging_module
    from eegpt._run_log import start_run_log
    from eegpt.dataset_summary import DatasetProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    import tqdm.std

    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setattr(logging_module, "LOG_PROGRESS_S", 0.05)
    monkeypatch.setattr(tqdm.std.tqdm, "monitor_interval", 0)  # its own redraws (10 s): none
    path = tmp_path / "run.log"
    seen = ""  # the log's bar line while the bar is open (its close draws it too)
    with start_run_log(path, ["embed-dataset"]).installed():
        bar = DatasetProgress(3, True, "embed-dataset")
        try:
            for _ in range(200):  # the heartbeat's line, however slow the machine
                seen = path.read_text(encoding="utf-8")
                if "embed-dataset:   0%" in seen:
                    break
                threading.Event().wait(0.05)
        finally:
            bar.close()
    assert "embed-dataset:   0%" in seen


def test_a_bar_below_another_leaves_its_state_not_cursor_moves_in_the_log(tmp_path, monkeypatch):
    """A bar drawn below another (tqdm's position 1) moves the cursor down ("\\n") and back
    up ("\\x1b[A") around each redraw: the log got a line of the escape code, then one at
    every redraw (the "\\n" taken for the bar's end), and a bar's last state twice (its last
    update, then its close). The log gets the bar's states LOG_PROGRESS_S apart, each once
    (the clock here is the test's: 20 s a step)."""
    import io
    import types

    from tqdm import tqdm

    import eegpt._logging as logging_module
    from eegpt._run_log import start_run_log

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = [0.0]
    monkeypatch.setattr(logging_module, "time", types.SimpleNamespace(monotonic=lambda: clock[0]))
    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setenv("TQDM_MININTERVAL", "0")  # tqdm draws every update
    monkeypatch.setattr(logging_module, "LOG_PROGRESS_S", 30.0)
    path = tmp_path / "run.log"
    with start_run_log(path, ["embed"]).installed():
        outer = tqdm(total=1, desc="outer", **progress_options())
        inner = tqdm(total=6, desc="inner", **progress_options())  # below outer
        for _ in range(6):
            clock[0] += 20.0
            inner.update()
        inner.close()
        outer.close()
    texts = [t for _, t in _lines(path)]
    assert not [t for t in texts if "\x1b" in t], texts
    counts = [t.split(" [", 1)[0].rsplit(" ", 1)[-1] for t in texts if t.startswith("inner:")]
    assert counts == ["2/6", "4/6", "6/6"], texts
