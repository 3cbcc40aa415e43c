"""Warnings and MNE's verbosity with recordings embedded from several threads (a web service).

``warnings.catch_warnings`` and MNE's ``verbose=`` change process-wide state, so the tests
interleave two threads deterministically (events) where that state would be swapped.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import mne
import numpy as np
import pytest

import eegpt
from eegpt import _logging
from eegpt._logging import ignored_warnings, recorded_warnings, warn, warnings_once
from eegpt.errors import EEGPTWarning
from eegpt.io import read_recording
from eegpt.model import EEGPT

_WAIT_S = 5.0  # for an event that comes; the waits for one that must not come are shorter


def _edf(path: Path) -> Path:
    """A 20 s EDF of noise at 256 Hz with five vocabulary channels."""
    names = ["Fz", "Cz", "Pz", "C3", "C4"]
    data = np.random.default_rng(0).standard_normal((len(names), 256 * 20)) * 20e-6
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    mne.export.export_raw(path, raw, verbose="error")
    return path


def _run(*targets: Callable[[], None]) -> None:
    """Run ``targets`` each in a thread of its own and wait for them; their errors are raised."""
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as err:  # noqa: BLE001 - raised in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(4 * _WAIT_S)
    if errors:
        raise errors[0]


def _pausing_read_raw(monkeypatch, pause: Callable[[], None]) -> None:
    """Make ``mne.io.read_raw`` call ``pause`` inside MNE's verbosity for the call (as its
    ``verbose`` decorator sets it), before it reads."""
    read_raw = mne.io.read_raw

    def paused(*args, verbose=None, **kwargs):
        with mne.utils.use_log_level(verbose):
            pause()
            return read_raw(*args, verbose=verbose, **kwargs)

    monkeypatch.setattr(mne.io, "read_raw", paused)


def test_warnings_of_another_thread_are_not_recorded_for_a_recording(tmp_path, monkeypatch):
    """A warning given in one thread while another reads its file is recorded (and shown) for
    the first alone: not in the file's ``metadata["warnings"]`` as if MNE had said it of it."""
    path = _edf(tmp_path / "clean.edf")
    model = EEGPT("tiny2")
    reading, warned = threading.Event(), threading.Event()

    def pause() -> None:
        if threading.current_thread().name == "reader":
            reading.set()
            warned.wait(_WAIT_S)

    _pausing_read_raw(monkeypatch, pause)
    results: dict[str, list[str]] = {}

    def embed() -> None:
        threading.current_thread().name = "reader"
        results["clean"] = model.embed(path).metadata["warnings"]

    def other() -> None:
        assert reading.wait(_WAIT_S)
        with recorded_warnings() as said:
            warn("other.edf: 2 channel(s) do not match the EEGPT vocabulary")
        results["other"] = said
        warned.set()

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        _run(embed, other)
    assert results["clean"] == []
    assert results["other"] == ["other.edf: 2 channel(s) do not match the EEGPT vocabulary"]
    assert [str(w.message) for w in shown] == results["other"]  # shown as given, once


def test_overlapping_blocks_of_two_threads_leave_the_filters_as_they_were():
    """Two threads whose blocks that catch warnings overlap (the first leaves before the second)
    leave the process's warnings filters and ``showwarning`` as they were, and each passes on
    its own warning."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with warnings_once():
            first_in.set()
            assert second_in.wait(_WAIT_S)
            warnings.warn("said in the first thread", RuntimeWarning, stacklevel=1)
        first_out.set()

    def second() -> None:
        assert first_in.wait(_WAIT_S)
        with warnings_once():
            second_in.set()
            assert first_out.wait(_WAIT_S)
            warnings.warn("said in the second thread", RuntimeWarning, stacklevel=1)

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always", RuntimeWarning)  # not the blocks' own filter
        filters, showwarning = list(warnings.filters), warnings.showwarning
        _run(first, second)
        assert warnings.filters == filters
        assert warnings.showwarning is showwarning
    assert sorted(str(w.message) for w in shown) == [
        "said in the first thread",
        "said in the second thread",
    ]


def test_files_read_from_two_threads_keep_mne_quiet_and_its_level(tmp_path, monkeypatch, capfd):
    """Reading files from two threads prints none of MNE's INFO messages ("Creating raw.info
    structure...": eegpt reads quietly) and leaves MNE's log level as it was (MNE sets it for
    the whole process for each call given ``verbose=``)."""
    paths = [_edf(tmp_path / "a.edf"), _edf(tmp_path / "b.edf")]
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def pause() -> None:
        if threading.current_thread().name == "first":
            first_in.set()
            second_in.wait(1.0)  # comes only if the reads overlap
        else:
            second_in.set()
            first_out.wait(_WAIT_S)

    def read(name: str, path: Path) -> Callable[[], None]:
        def target() -> None:
            threading.current_thread().name = name
            if name == "second":
                assert first_in.wait(_WAIT_S)
            read_recording(path, preload=False)
            if name == "first":
                first_out.set()

        return target

    _pausing_read_raw(monkeypatch, pause)
    level = mne.utils.logger.level
    with mne.utils.use_log_level("info"):
        _run(read("first", paths[0]), read("second", paths[1]))
        assert mne.utils.logger.level == 20
    assert mne.utils.logger.level == level
    assert "Creating raw.info structure" not in capfd.readouterr().out


def test_recordings_embedded_from_threads_record_their_own_warnings(tmp_path):
    """Files embedded concurrently (some with channels outside the vocabulary) have the
    warnings of a serial run in their metadata, and the process's filters are unchanged."""
    names, n_threads = ["Fz", "Cz", "Pz", "C3", "C4"], 4
    files = []
    for i in range(n_threads):
        extra = ["XX1", "XX2"] if i % 2 else []
        data = np.random.default_rng(i).standard_normal((len(names) + len(extra), 256 * 8)) * 2e-5
        raw = mne.io.RawArray(data, mne.create_info(names + extra, 256.0, "eeg"), verbose=False)
        files.append(tmp_path / f"{i}.edf")
        mne.export.export_raw(files[-1], raw, verbose="error")
    model = EEGPT("tiny2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        serial = {f: model.embed(f).metadata["warnings"] for f in files}
        filters = list(warnings.filters)
        results: list[tuple[Path, list[str]]] = []

        def embed(f: Path) -> Callable[[], None]:
            return lambda: results.extend((f, model.embed(f).metadata["warnings"]) for _ in "abc")

        _run(*(embed(f) for f in files))
        assert warnings.filters == filters
    assert all(serial[f] == said for f, said in results)
    assert [len(serial[f]) for f in files] == [0, 1] * (n_threads // 2)


def test_eegpt_warnings_have_a_category_of_their_own(monkeypatch):
    """eegpt's warnings are EEGPTWarning (a RuntimeWarning), so a service filters them by
    category; they are attributed to the caller's line, where module="eegpt" matches nothing."""
    import eegpt

    x = np.random.default_rng(0).standard_normal((3, 256 * 8)) * 20e-6
    model = EEGPT("tiny2")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.embed(x, ch_names=["Fz", "Cz", "X9"], sfreq=256.0)  # X9: not in the vocabulary
    assert caught and all(issubclass(w.category, eegpt.EEGPTWarning) for w in caught)
    assert issubclass(eegpt.EEGPTWarning, RuntimeWarning)
    # those about how eegpt was called are UserWarnings too, and EEGPTWarnings all the same
    from eegpt import preprocessing
    from eegpt.errors import EEGPTUserWarning
    from eegpt.preprocessing import PreprocessingConfig

    # said once a process for each rate: as if no earlier test had asked for 200 Hz
    monkeypatch.setattr(preprocessing, "_RATES_QUESTIONED", set())
    with pytest.warns(EEGPTUserWarning, match="pretrained at 256 Hz"):
        PreprocessingConfig(sfreq=200)
    assert issubclass(EEGPTUserWarning, UserWarning) and issubclass(
        EEGPTUserWarning, eegpt.EEGPTWarning
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=eegpt.EEGPTWarning)
        model.embed(x, ch_names=["Fz", "Cz", "X9"], sfreq=256.0)  # silenced by category


def test_verbose_true_prints_once_under_a_root_logger_at_warning(capsys):
    """verbose=True shows eegpt's messages through a handler of its own when the logging set-up
    would not; with logging.basicConfig() at WARNING the root's handler printed each again."""
    import logging

    from eegpt._logging import log

    root = logging.getLogger()
    handler = logging.StreamHandler()  # what basicConfig() adds: stderr, level NOTSET
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        log("a message for the user", verbose=True)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert capsys.readouterr().err.count("a message for the user") == 1


def test_a_warning_made_an_error_fails_its_file_on_the_command_line(tmp_path, capsys):
    """With eegpt's warnings turned into errors (warnings.simplefilter("error", EEGPTWarning),
    PYTHONWARNINGS=error), the command line fails the file that warned, as any problem with
    its input, and embeds the others; it was reported as an internal error (a bug) and the
    whole run stopped. In Python the warning itself is raised."""
    import eegpt
    from eegpt.checkpoints import save_checkpoint
    from eegpt.cli import main

    weights = tmp_path / "tiny"
    save_checkpoint(EEGPT("tiny2"), weights)
    x = np.random.default_rng(0).standard_normal((3, 256 * 8)) * 20e-6
    paths = []
    for name, chans in (("odd", ["Fz", "Cz", "X9"]), ("clean", ["Fz", "Cz", "Pz"])):
        raw = mne.io.RawArray(x, mne.create_info(chans, 256.0, "eeg"), verbose=False)
        paths.append(tmp_path / f"{name}_raw.fif")
        raw.save(paths[-1], verbose=False)
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error", eegpt.EEGPTWarning)
        code = main(["embed", *map(str, paths), "--weights", str(weights), "-o", str(out)])
        with pytest.raises(eegpt.EEGPTWarning, match="do not match the EEGPT vocabulary"):
            EEGPT("tiny2").embed(paths[0])
    err = capsys.readouterr().err
    assert code == 3 and "internal error" not in err and "bug in eegpt" not in err
    assert "do not match the EEGPT vocabulary" in err
    assert [p.name for p in out.iterdir()] == ["clean_raw.npz"]  # the odd one failed


def test_global_hook_warning_is_given_once_by_threads_checking_at_once(monkeypatch):
    """Threads that find a global module hook at the same moment warn once between them: the
    check of the kinds already warned about and their addition are one step. (The set's
    membership test answers, then waits, with a timeout, until every thread has had its
    answer, so that without the lock they would all find the kind new.)"""
    from torch.nn.modules.module import register_module_forward_hook

    from eegpt import fast_path

    n = 4
    barrier = threading.Barrier(n)

    class _Waiting(set):
        def __contains__(self, item: object) -> bool:
            found = super().__contains__(item)
            try:
                barrier.wait(1.0)  # all threads in the check at once, if they can be
            except threading.BrokenBarrierError:
                pass  # one at a time (the lock): the others wait on it, not here
            return found

    said: list[str] = []
    monkeypatch.setattr(fast_path, "_WARNED_GLOBAL_KINDS", _Waiting())
    monkeypatch.setattr(fast_path, "warn", lambda message, *a, **k: said.append(message))
    handle = register_module_forward_hook(lambda m, a, o: None)
    try:
        _run(*[fast_path._warn_global_hooks for _ in range(n)])
    finally:
        handle.remove()
    assert len(said) == 1, said
    assert "global module hook" in said[0]


def test_a_package_named_like_eegpt_with_a_suffix_is_not_eegpt():
    """A downstream package beside eegpt whose name starts with eegpt's (``eegpt_tools``) is not
    eegpt: its warnings are attributed to its own lines, not to its caller's."""
    import os

    import eegpt._logging as logging_module

    package = logging_module._PACKAGE_DIR
    assert logging_module._is_internal(os.path.join(package, "io.py"))
    tools = os.path.join(package + "_tools", "helpers.py")
    assert not logging_module._is_internal(tools)
    code = compile("def helper():\n    warn('from eegpt_tools')\n", tools, "exec")
    namespace: dict = {"warn": warn}
    exec(code, namespace)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        namespace["helper"]()
    assert [w.filename for w in caught] == [tools]


def test_standard_montage_leaves_other_threads_warnings_alone(monkeypatch):
    """Making a standard montage silences MNE's FutureWarning for its own thread only: a
    FutureWarning another thread gives meanwhile is still shown (``catch_warnings`` would
    have ignored it for the whole process)."""
    import mne

    from eegpt import nearest_sites

    real = mne.channels.make_standard_montage

    def montage_while_another_thread_warns(name):
        def other():
            warnings.warn("another thread's warning", FutureWarning, stacklevel=1)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        warnings.warn("MNE's renamed montage", FutureWarning, stacklevel=1)
        return real(name)

    monkeypatch.setattr(mne.channels, "make_standard_montage", montage_while_another_thread_warns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nearest_sites._standard_montage("standard_1020")
    assert [str(w.message) for w in caught] == ["another thread's warning"]


def _flat_raw() -> mne.io.RawArray:
    """16 s of 7 scalp channels at 256 Hz, Pz flat (warned of at every embedding)."""
    names = ["Fz", "Cz", "Pz", "O1", "O2", "C3", "C4"]
    x = 20e-6 * np.random.default_rng(0).standard_normal((len(names), 256 * 16))
    x[2] = 0.0
    return mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose="error")


@pytest.mark.parametrize(("action", "shown"), [("default", 1), ("always", 3)])
def test_a_repeated_warning_from_one_line_is_shown_as_the_filters_say(model, action, shown):
    """Under Python's default filter a warning repeated from one line is shown once, as
    ``warnings.warn`` shows it, though eegpt's warning blocks change the filters in between
    (which clears Python's own record of it); "always" shows each, "error" raises."""
    raw = _flat_raw()
    model.embed(raw)  # the modules it imports the first time add filters of their own
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        for _ in range(3):
            model.embed(raw)
    flat = [w for w in caught if "flat channel(s) check" in str(w.message)]
    assert len(flat) == shown
    assert all(w.filename == __file__ for w in flat)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(Warning, match="flat channel"):
            model.embed(raw)


def test_warnings_given_again_after_a_block_follow_the_once_per_location_rule():
    """A warning caught by a block and given again at its end (:func:`warnings_once`) is
    shown once from one line under the default filter, each time under "always"."""
    for action, shown in (("default", 1), ("always", 3)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter(action)
            for _ in range(3):
                with warnings_once():
                    warn("the same thing again")
        assert [str(w.message) for w in caught] == ["the same thing again"] * shown
        assert caught[0].filename == __file__


def _warn_from_one_line(text: str) -> None:
    warn(text)


def test_a_warning_hidden_by_an_ignore_block_is_shown_when_given_again_outside_it():
    """A warning that eegpt's own :func:`ignored_warnings` hid was not shown: given again
    from the same line outside the block, under the default filter, it is shown (once)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        with ignored_warnings():
            _warn_from_one_line("hidden here, shown later")
        assert caught == []
        for _ in range(2):
            _warn_from_one_line("hidden here, shown later")
    assert [str(w.message) for w in caught] == ["hidden here, shown later"]


def test_channels_dropped_from_a_file_embedded_whole_are_warned_of(model, tmp_path):
    """Embedding a file whole (``stream=False``) maps its channels quietly first to find the
    unused ones: the warning of the channels it drops is still shown once, at the caller."""
    names = ["Fp1", "Fp2", "C3", "C4", "P3", "P4", "O1", "O2", "P08", "FOO"]
    data = np.random.default_rng(0).standard_normal((len(names), 256 * 20)) * 20e-6
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    path = tmp_path / "unknown_channels.edf"
    mne.export.export_raw(path, raw, verbose="error")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        eegpt.embed(model, path, stream=False, verbose=False)
    dropped = [w for w in caught if "do not match the EEGPT vocabulary" in str(w.message)]
    assert len(dropped) == 1
    assert "2 channel(s)" in str(dropped[0].message)
    assert dropped[0].filename == __file__


def test_the_memory_of_warnings_shown_once_is_bounded():
    """A service warning about ever new files (each text names its file) keeps at most
    :data:`SHOWN_LIMIT` of them in mind for the once-per-line rule; the most recent stay."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for i in range(_logging.SHOWN_LIMIT + 1000):
            _warn_from_one_line(f"/data/rec{i}.edf: something about this file")
        assert len(_logging._SHOWN) == _logging.SHOWN_LIMIT
        _warn_from_one_line(f"/data/rec{_logging.SHOWN_LIMIT + 999}.edf: something about this file")
    assert len(caught) == _logging.SHOWN_LIMIT + 1000  # the last one, given again, not shown


def test_a_recorded_warning_is_matched_by_module_as_warnings_warn_matches_it():
    """The filters of the caller (sent to reader processes) match a warning recorded by a
    block by its module's name, as ``warnings.warn`` and :func:`reissue` do, not by its file
    name: a filter naming this module makes the recorded warning an error."""
    with _logging.caught_warnings() as caught:
        _warn_from_one_line("about a file")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", category=EEGPTWarning, module=re.escape(__name__))
        filters = _logging.warning_filters()
    assert _logging.first_error(caught, filters) is caught[0]
    assert _logging.filter_action(caught[0], filters) == "error"
