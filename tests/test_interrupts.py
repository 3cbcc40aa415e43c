"""Interrupts that land in locking code are deferred to a safe point (eegpt._interrupts)."""

from __future__ import annotations

import builtins
import contextlib
import csv
import os
import random
import signal
import sys
import threading
import time

import pytest

from eegpt import _interrupts
from eegpt.dataset import BackgroundSink


class Stop(Exception):
    pass


def _frame_in_threading_code():
    """A frame whose callers include threading.Thread.run, as a handler sees it when the
    main thread is interrupted inside a lock or a queue."""
    frames = []
    thread = threading.Thread(target=lambda: frames.append(sys._getframe()))
    thread.start()
    thread.join()
    return frames[0]


def test_raised_at_once_outside_a_deferred_block():
    with pytest.raises(Stop):
        _interrupts.deliver(Stop(), _frame_in_threading_code())


def test_raised_at_once_in_our_own_code_inside_a_block():
    called = []
    with pytest.raises(Stop), _interrupts.deferred(lambda: called.append(1)):
        _interrupts.deliver(Stop(), sys._getframe())
    assert not called


def test_deferred_in_locking_code_to_the_next_check():
    called = []
    with _interrupts.deferred(lambda: called.append(1)):
        _interrupts.deliver(Stop(), _frame_in_threading_code())  # does not raise
        assert called == [1]
        with pytest.raises(Stop):
            _interrupts.check()
        _interrupts.check()  # raised once only
    _interrupts.check()


def test_deferred_interrupt_is_raised_at_the_end_of_the_block_and_wins():
    with pytest.raises(Stop), _interrupts.deferred():
        _interrupts.deliver(Stop(), _frame_in_threading_code())
    with pytest.raises(Stop), _interrupts.deferred():
        _interrupts.deliver(Stop(), _frame_in_threading_code())
        raise RuntimeError("a broken pool that the interrupt caused")
    _interrupts.check()


def test_nested_blocks_call_every_callback_and_a_failing_one_is_reported(capsys):
    called = []

    def fails():
        raise OSError("no such process")

    with pytest.raises(Stop), _interrupts.deferred(lambda: called.append("outer")):
        with _interrupts.deferred(fails), _interrupts.deferred(lambda: called.append("inner")):
            _interrupts.deliver(Stop(), _frame_in_threading_code())
            assert called == ["outer", "inner"]
    assert "while stopping: OSError: no such process" in capsys.readouterr().err


def test_an_interrupt_in_a_weakref_callback_is_deferred_not_lost():
    """The garbage collector runs weak-reference callbacks (WeakSet._remove) at any moment, and
    Python ignores their exceptions: an interrupt raised there was lost, and the queue-traffic
    test below looped for ever (a CI run hung 40 min). It is deferred there instead."""
    frames = []
    code = compile("frames.append(sys._getframe())", "_weakrefset.py", "exec")
    exec(code, {"__name__": "_weakrefset", "frames": frames, "sys": sys})  # noqa: S102
    with pytest.raises(Stop), _interrupts.deferred():
        _interrupts.deliver(Stop(), frames[0])  # deferred: not raised into the callback
        _interrupts.check()
        pytest.fail("not raised at the check")
    # outside a deferred block (a script between two runs): postponed to the next safe point
    _interrupts.deliver(Stop(), frames[0])
    assert isinstance(_interrupts.postponed(), Stop)
    with pytest.raises(Stop):
        _interrupts.check()
    assert _interrupts.postponed() is None


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_signals_during_queue_traffic_never_hang_the_writer_clean_up():
    """The hang behind a rare CI failure: a signal handler that raised inside
    ``queue.Queue.put`` left the queue's lock held about 2 times in 100, and closing the
    writer then waited forever. With the handler going through ``deliver`` inside a
    deferred block, none of many interruptions at random moments hangs."""

    def handler(signum, frame):
        _interrupts.deliver(Stop(), frame)

    previous = signal.signal(signal.SIGALRM, handler)
    try:
        _interrupt_queue_traffic(Stop, seed=0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _interrupt_queue_traffic(expected: type[BaseException], seed: int, trials: int = 200):
    """Hand results to the writer's queue until a timer signal (its handler set by the
    caller) stops it with ``expected``, at a random moment; then the writer must close."""
    rng = random.Random(seed)
    for _ in range(trials):
        sink = BackgroundSink(lambda item: None, depth=4)
        with pytest.raises(expected), _interrupts.deferred():
            # the timer starts inside the block: before it, an interrupt that lands in a
            # weak-reference callback is lost (Python ignores exceptions there)
            signal.setitimer(signal.ITIMER_REAL, rng.uniform(0.0005, 0.004))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # the timer fires within 4 ms
                sink(object())
            pytest.fail("the interrupt was lost: the run would have gone on for ever")
        closer = threading.Thread(target=sink.close, daemon=True)
        closer.start()
        closer.join(5)
        assert not closer.is_alive(), "the writer's queue lock was left held"


def test_the_writer_queue_raises_a_deferred_interrupt_after_handing_on_the_result():
    """Ray's row iterator waits in queue code too: the next result handed to the writer is
    the point where a deferred interrupt stops such a run."""
    written = []
    sink = BackgroundSink(written.append)
    with pytest.raises(Stop), _interrupts.deferred():
        sink("first")
        _interrupts.deliver(Stop(), _frame_in_threading_code())
        sink("second")
        pytest.fail("not stopped")
    sink.close()
    assert written == ["first", "second"]


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs signal.setitimer")
def test_ctrl_c_from_python_is_deferred_too():
    """A script or notebook (Python's default SIGINT handler, not the command line's): the
    block defers Ctrl-C the same way while it runs and puts the default handler back."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with _interrupts.deferred():
            assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        # SIGINT sent from a timer signal's handler: it is handled at a moment in the main
        # thread as random as a key press, and as often inside the queue's code
        alarm = signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
        _interrupt_queue_traffic(KeyboardInterrupt, seed=1)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGINT, previous)
        with contextlib.suppress(NameError):
            signal.signal(signal.SIGALRM, alarm)


def test_a_signal_after_the_command_ended_is_ignored():
    """The entry point (process=True) ignores Ctrl-C and SIGTERM once the command ended, so a
    late one (a second Ctrl-C while stopping, one during the interpreter's shutdown) is no
    traceback or death by the signal: the process exits with the command's status. A command
    run in-process gives the caller's handlers back."""
    import argparse
    import subprocess

    from eegpt import cli_run

    int_before, term_before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        assert cli_run.run_command(lambda args: 0, argparse.Namespace(command="info")) == 0
        assert signal.getsignal(signal.SIGINT) is int_before
        assert signal.getsignal(signal.SIGTERM) is term_before
        assert (
            cli_run.run_command(lambda a: 0, argparse.Namespace(command="info"), process=True) == 0
        )
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, int_before)
        signal.signal(signal.SIGTERM, term_before)
    # in a real process: late signals change nothing, the command's status stands
    code = (
        "import os, signal, sys, time\n"
        "from eegpt import cli\n"
        "sys.argv = ['eegpt', 'fetch', '--list']\n"
        "status = cli.main()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "time.sleep(0.2)\n"
        "print('still here', flush=True)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "still here" in done.stdout and done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def _module_signalled_while_imported(tmp_path, monkeypatch, name: str) -> None:
    """A module ``name`` whose top-level code is interrupted (``deliver`` called with its
    frame, as a signal handler is while it is imported) and which records that its import
    went on to the end (``DONE``)."""
    (tmp_path / f"{name}.py").write_text(
        "import sys\n"
        "from eegpt import _interrupts\n"
        "_interrupts.deliver(_interrupts_test_stop(), sys._getframe())\n"
        "DONE = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(builtins, "_interrupts_test_stop", Stop, raising=False)
    monkeypatch.delitem(sys.modules, name, raising=False)


def test_an_interrupt_inside_an_import_is_raised_at_the_next_safe_point(tmp_path, monkeypatch):
    """Imports of compiled libraries run Python code from C++, where an exception aborts the
    process ('terminate called ...'): an interrupt that lands in an import is postponed, with
    no timer (a timer's SIGALRM outlived a run and killed it: status 142), and raised at the
    next check, or as a deferred block starts."""
    import importlib

    alarm = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    (tmp_path / "eegpt_test_module_importing.py").write_text(
        "import sys\nFRAME = sys._getframe()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    frame = importlib.import_module("eegpt_test_module_importing").FRAME
    assert _interrupts._in_import(frame) and not _interrupts._in_import(sys._getframe())

    _module_signalled_while_imported(tmp_path, monkeypatch, "eegpt_test_signalled_a")
    module = importlib.import_module("eegpt_test_signalled_a")  # not raised inside it
    assert module.DONE and isinstance(_interrupts.postponed(), Stop)
    if alarm is not None:  # no timer armed, no SIGALRM handler taken
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is alarm
    with pytest.raises(Stop):
        _interrupts.check()
    _interrupts.check()  # raised once only

    _module_signalled_while_imported(tmp_path, monkeypatch, "eegpt_test_signalled_b")
    importlib.import_module("eegpt_test_signalled_b")
    with pytest.raises(Stop), _interrupts.deferred():
        pytest.fail("the block's work started with an interrupt postponed")
    assert _interrupts.postponed() is None


def test_an_interrupt_inside_an_import_is_raised_as_the_import_statement_ends(
    tmp_path, monkeypatch
):
    """With the command line's import watch, the postponed interrupt is raised right after
    the outermost import statement: in the importing code, not in the module's."""
    monkeypatch.setattr(builtins, "__import__", builtins.__import__)  # put back afterwards
    _interrupts.watch_imports()
    _module_signalled_while_imported(tmp_path, monkeypatch, "eegpt_test_signalled_c")
    after = []
    with pytest.raises(Stop):
        import eegpt_test_signalled_c  # noqa: F401

        after.append("went on")
    assert not after and sys.modules["eegpt_test_signalled_c"].DONE
    assert _interrupts.postponed() is None


def test_a_command_that_ends_with_an_interrupt_postponed_exits_as_the_signal_demands(tmp_path):
    """A SIGTERM that lands in an import the command makes last (no safe point after it) is
    not lost: the command ends with 143 (not 0 as if never signalled, nor 142: killed by a
    retry timer's SIGALRM after Python's shutdown reset its handler); Ctrl-C: 130."""
    import subprocess

    code = (
        "import argparse, faulthandler, importlib, signal, sys\n"
        "faulthandler.enable()\n"
        "from eegpt import cli_run\n"
        "def command(args):\n"
        "    importlib.import_module('signals_itself')  # no import statement: no watch\n"
        "    print('returned', flush=True)\n"
        "    return 0\n"
        "status = cli_run.run_command(command, argparse.Namespace(command='info'), process=True)\n"
        "assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    for name, status in (("SIGTERM", 143), ("SIGINT", 130)):
        (tmp_path / "signals_itself.py").write_text(
            "import os, signal, time\n"
            f"os.kill(os.getpid(), signal.{name})\n"
            "for _ in range(100):  # handled here, inside the import\n"
            "    time.sleep(0.001)\n"
        )
        sys.modules.pop("signals_itself", None)
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
        )
        assert done.returncode == status, (done.returncode, done.stderr)
        assert "returned" in done.stdout  # the import ended, and the command with it
        assert "interrupted" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_ctrl_c_while_the_command_line_is_parsed_is_one_line(capsys):
    """The entry points install eegpt's handlers before building the parser (which imports
    eegpt's modules): a Ctrl-C then is 'eegpt: interrupted' (status 130), not a traceback."""
    from eegpt import cli_run

    int_before, term_before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def parse():
        assert isinstance(signal.getsignal(signal.SIGINT), cli_run._Interrupts)
        assert signal.getsignal(signal.SIGTERM) is cli_run._raise_on_sigterm
        raise KeyboardInterrupt

    try:
        assert cli_run.parse_command_line(parse, process=True) is None
        assert capsys.readouterr().err == "eegpt: interrupted\n"
    finally:
        signal.signal(signal.SIGINT, int_before)
        signal.signal(signal.SIGTERM, term_before)

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # in-process callers keep their own handling
        cli_run.parse_command_line(interrupted, process=False)


def test_sigterm_while_the_command_line_is_parsed_says_nothing_was_done(capsys):
    """A SIGTERM (a SLURM time limit or scancel) that lands while the command line is parsed
    ends the process with 143 and a last line saying the command stopped before it started,
    not with the handler's 'stopping after the current batch' alone."""
    from eegpt import cli_run

    int_before, term_before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def parse():
        cli_run._raise_on_sigterm(signal.SIGTERM, None)

    try:
        with pytest.raises(SystemExit) as stopped:
            cli_run.parse_command_line(parse, process=True)
        assert stopped.value.code == 143
        assert capsys.readouterr().err.splitlines()[-1] == (
            "eegpt: interrupted before the command started: nothing done (SIGTERM)"
        )
    finally:
        signal.signal(signal.SIGINT, int_before)
        signal.signal(signal.SIGTERM, term_before)


def test_signals_the_parent_ignored_stay_ignored_by_the_command_line():
    """A Ctrl-C or SIGTERM that the process was started with set to SIG_IGN (``trap "" INT``,
    a background job of a script) stays ignored: eegpt installs its handlers only over the
    default ones, and the command runs to its end (status 0, not 130 or 143)."""
    import subprocess

    code = (
        "import argparse, os, signal, sys\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "from eegpt import cli_run\n"
        "def command(args):\n"
        "    kept = [signal.getsignal(s) is signal.SIG_IGN for s in (signal.SIGINT, signal.SIGTERM)]\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    print('ran to the end', kept, flush=True)\n"
        "    return 0\n"
        "parse = lambda: argparse.Namespace(command='info')\n"
        "sys.exit(cli_run.run_command_line(parse, process=True, func=command))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "ran to the end [True, True]" in done.stdout


def test_a_second_ctrl_c_says_what_survives(monkeypatch, capsys):
    """A second Ctrl-C quits at once saying what survives for any command (finished outputs
    whole, an unfinished one a hidden .tmp file; nothing of embedding, which most commands
    do not do); a command's own message that fails gives way to that one, so that the
    process still quits."""
    from eegpt import cli_run

    exits: list[int] = []
    monkeypatch.setattr(cli_run.os, "_exit", exits.append)
    monkeypatch.setattr(cli_run.multiprocessing, "active_children", list)
    for said in (None, lambda: 1 / 0):
        handler = cli_run._Interrupts(said)
        handler.count = 1  # a first one came already
        handler(signal.SIGINT, None)
        err = capsys.readouterr().err
        assert err.strip() == cli_run.QUIT_AT_ONCE
        assert "finished output files are complete" in err
        assert "window" not in err and "resume" not in err and "skip-existing" not in err
    assert exits == [130, 130]


def test_a_second_ctrl_c_of_embed_dataset_says_what_its_run_keeps(monkeypatch, capsys, tmp_path):
    """embed-dataset's second Ctrl-C names what its run keeps (the shards written, the kept
    windows of a recording read in parts) and that running it again resumes; other
    commands but embed keep the general message."""
    from eegpt import cli_run
    from eegpt.cli import build_parser

    exits: list[int] = []
    monkeypatch.setattr(cli_run.os, "_exit", exits.append)
    monkeypatch.setattr(cli_run.multiprocessing, "active_children", list)
    out = tmp_path / "o"
    out.mkdir()
    (out / "_manifest.json").write_text("{}")  # a run there to resume
    args = build_parser().parse_args(["embed-dataset", "d", "-o", str(out)])
    handler = cli_run._Interrupts(lambda: str(args.quit_message(args)))
    handler.count = 1
    handler(signal.SIGINT, None)
    err = " ".join(capsys.readouterr().err.split())
    assert "the shards written so far are complete" in err
    assert "of a recording read in parts it takes the windows recorded as kept" in err
    assert "Run the same command again to resume" in err and exits == [130]
    assert getattr(build_parser().parse_args(["export", "d", "-o", "o.csv"]), "quit_message",
                   None) is None  # fmt: skip


def test_a_second_ctrl_c_of_embed_dataset_before_its_manifest_says_nothing_is_to_resume(
    tmp_path, weights
):
    """A second Ctrl-C before the run wrote its manifest (here as it writes it, its reports
    written) said that the shards written were complete and to run again to resume, where
    the first Ctrl-C says there is nothing to resume: it says so too, and what it left (the
    lock file and the reports) does not keep the same command from starting the run."""
    import subprocess

    from eegpt import dataset_cli
    from eegpt.demo import synthetic_raw, write_edf

    data = tmp_path / "data"
    data.mkdir()
    write_edf(synthetic_raw(0.2)[0], data / "a.edf")
    out = tmp_path / "out"
    words = [str(data), "-o", str(out), "--weights", str(weights), "--workers", "0", "-q"]
    code = (  # the second Ctrl-C as the manifest is about to be written (no clean-up runs)
        "import signal, sys\n"
        "from eegpt import dataset_cli, dataset_runs\n"
        "def quit_now(*args, **kwargs):\n"
        "    handler = signal.getsignal(signal.SIGINT)\n"
        "    handler.count = 1\n"
        "    handler(signal.SIGINT, None)\n"
        "dataset_runs.write_json = quit_now\n"
        f"sys.exit(dataset_cli.main({words!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 130, done.stderr
    said = " ".join(done.stderr.split())
    assert said == dataset_cli.QUIT_AT_ONCE_AT_START
    assert "nothing to resume" in said and "complete" not in said
    assert sorted(p.name for p in out.iterdir()) == [".eegpt.lock", "_files.csv"]
    with open(out / "_files.csv", encoding="utf-8") as fh:  # the file not read yet
        rows = list(csv.DictReader(fh))
    assert [(r["status"], r["duration_s"]) for r in rows] == [("pending", "")]  # unknown, not 0
    assert dataset_cli.main(words) == 0  # the same command starts the run there
    assert (out / "_manifest.json").is_file() and (out / "shard-00000.parquet").is_file()


def test_an_interrupted_overwrite_run_says_to_resume_without_overwrite(
    tmp_path, weights, monkeypatch, capsys
):
    """An --overwrite run stopped by Ctrl-C said to run the same command again to resume, which
    (with --overwrite) removes what it wrote and starts over; and where it had removed the run
    the folder held, that its start was undone and the folder was as it was. It says to
    resume without --overwrite, and that the run the folder held was removed."""
    from eegpt import dataset_cli, dataset_runs
    from eegpt.demo import synthetic_raw, write_edf

    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b"):
        write_edf(synthetic_raw(0.2)[0], data / f"{name}.edf")
    out = tmp_path / "out"
    words = [str(data), "-o", str(out), "--weights", str(weights), "--workers", "0", "-q",
             "--shard-size", "1"]  # fmt: skip
    assert dataset_cli.main(words) == 0
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:  # before its own manifest: the run there removed
        patched.setattr(dataset_runs, "write_json", interrupted)
        assert dataset_cli.main([*words, "--overwrite"]) == 130
    said = capsys.readouterr().err.strip()
    assert said == dataset_cli.INTERRUPTED_OVERWRITING and "as it was" not in said
    assert not list(out.glob("shard-*"))
    # a second Ctrl-C there (no clean-up) says so too, not that the folder holds the run's own
    args = dataset_cli.build_parser().parse_args([*words, "--overwrite"])
    args.held_a_run = True  # as main notes it before the run there is removed
    assert args.quit_message(args) == dataset_cli.QUIT_AT_ONCE_OVERWRITING
    committed = dataset_runs.DatasetRun.committed

    def committed_then_interrupted(self, *args, **kwargs):
        committed(self, *args, **kwargs)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:  # a shard written: resumed without --overwrite
        patched.setattr(dataset_runs.DatasetRun, "committed", committed_then_interrupted)
        assert dataset_cli.main([*words, "--overwrite"]) == 130
    said = capsys.readouterr().err
    assert "run it again without --overwrite to resume" in said, said
    assert "run the same command again to resume" not in said
    args = dataset_cli.build_parser().parse_args([*words, "--overwrite"])
    assert "Run it again without --overwrite to resume" in args.quit_message(args)
    assert dataset_cli.main(words) == 0  # resumed: the shard written kept
    assert "1 already done" in capsys.readouterr().err


def test_second_ctrl_c_of_embed_dataset_says_whether_a_shard_is_half_written(
    tmp_path, weights, monkeypatch
):
    """What a second Ctrl-C of eegpt embed-dataset would say (the quit message of the SIGINT
    handler main() installs), read before a shard's temporary file is made, while it is
    written, and between shards: a hidden temporary file is said to be left only while one
    is (it was said before the first file reached the writer too)."""
    from eegpt import dataset_cli, shard_writer
    from eegpt.demo import synthetic_raw, write_edf

    data = tmp_path / "data"
    data.mkdir()
    for name in ("a", "b"):
        write_edf(synthetic_raw(0.2)[0], data / f"{name}.edf")
    monkeypatch.setattr(shard_writer, "_BEING_WRITTEN", set(), raising=False)  # its own
    said: list[tuple[str, bool]] = []

    def quit_text() -> str:
        return signal.getsignal(signal.SIGINT).quit_message()  # type: ignore[union-attr]

    def note(where: str) -> None:
        text = quit_text()
        said.append((where, "one in progress is left as a hidden temporary file" in text))
        if not said[-1][1]:
            assert text == dataset_cli.QUIT_AT_ONCE_NO_SHARD

    opened, committed = shard_writer.ShardWriter._open, shard_writer.ShardWriter._commit

    def open_noted(self, shard):  # noqa: ANN001, ANN202
        note(f"before shard {shard}")
        opened(self, shard)
        note(f"writing shard {shard}")

    def commit_noted(self):  # noqa: ANN001, ANN202
        committed(self)
        note("committed")

    monkeypatch.setattr(shard_writer.ShardWriter, "_open", open_noted)
    monkeypatch.setattr(shard_writer.ShardWriter, "_commit", commit_noted)
    out = tmp_path / "out"
    words = [str(data), "-o", str(out), "--weights", str(weights), "--shard-size", "1", "-q"]
    assert dataset_cli.main(words) == 0
    assert said == [
        ("before shard 0", False), ("writing shard 0", True), ("committed", False),
        ("before shard 1", False), ("writing shard 1", True), ("committed", False),
    ]  # fmt: skip
    assert not shard_writer._BEING_WRITTEN
