"""Warnings of reading several epochs files for the probe commands, said once: bad channels
that --keep-channels/--drop leave out anyway are not warned of, and a warning each file
gives alike ("2 of the 16 channels to keep are not in this recording") is left to the one
line mapping the merged epochs gives ("3 files: ...")."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest

from eegpt._logging import recorded_warnings
from eegpt.probe_label_files import load_labelled_epochs

#: The 10-20 sites without P7 and P8 (the keep set "10-20" names them).
NAMES = "Fp1 Fp2 F7 F3 Fz F4 F8 T7 C3 Cz C4 T8 P3 Pz P4 O1 O2".split()
KEEP = "10-20,-Fp1,-T7,-T8"


def _epochs_file(folder, name: str, bads: list[str], seed: int):
    """Four labelled 1 s epochs of the 17 channels at 128 Hz, ``bads`` marked bad."""
    rng = np.random.default_rng(seed)
    info = mne.create_info(NAMES, 128.0, "eeg")
    info["bads"] = bads
    events = np.array([[i * 200, 0, 1 + i % 2] for i in range(4)])
    epochs = mne.EpochsArray(
        rng.standard_normal((4, len(NAMES), 128)) * 1e-5,
        info,
        events=events,
        event_id={"a": 1, "b": 2},
        verbose="error",
    )
    path = folder / f"{name}-epo.fif"
    epochs.save(path, verbose="error")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Three subjects' epochs, with bad channels that KEEP leaves out (sub-03: none)."""
    folder = tmp_path_factory.mktemp("epochs")
    bads = [["T8"], ["Fp1", "T7"], []]
    return [_epochs_file(folder, f"sub-0{i + 1}", b, i) for i, b in enumerate(bads)]


def _read(files, **kwargs):
    """load_labelled_epochs' warnings: (those shown, those recorded for a probe)."""
    with warnings.catch_warnings(record=True) as shown, recorded_warnings() as recorded:
        warnings.simplefilter("always")
        load_labelled_epochs(files, verbose=False, **kwargs)
    return [str(w.message) for w in shown], recorded


def test_bad_channels_left_out_anyway_are_not_warned_of(files):
    """T8, Fp1 and T7 are bad and KEEP leaves them out: no warning, shown or recorded."""
    shown, recorded = _read(files, keep=KEEP)
    assert not [t for t in shown + recorded if "marked bad were left out" in t]
    # without KEEP, or a bad channel KEEP keeps: warned of as before
    shown, recorded = _read(files[:1], keep="10-20,-Fp1,-T7")
    assert [t for t in shown if "marked bad were left out: ['T8']" in t]
    shown, _ = _read(files[1:2], rename={"Fp1": None}, keep=None)  # named: T7 alone
    assert [t for t in shown if "marked bad were left out: ['T7']" in t]
    shown, _ = _read(files[1:2], rename={"Fp1": None, "T7": None}, keep=None)
    assert not [t for t in shown if "marked bad were left out" in t]


def test_a_warning_every_file_gives_is_not_repeated_for_each(files):
    """Each file lacks P7 and P8 of the channels to keep: no line per file (the merged
    epochs' mapping says it once, for all of them), on screen or in the record."""
    shown, recorded = _read(files, keep=KEEP)
    per_file = [t for t in shown + recorded if "channels to keep are not in this recording" in t]
    assert per_file == []


def test_a_warning_some_files_give_is_still_given(files, tmp_path):
    """A file that lacks a kept channel the others have (O2) is still named: its warning
    differs from the others', which the merged epochs' mapping would not say for it."""
    names = [n for n in NAMES if n != "O2"]
    info = mne.create_info(names, 128.0, "eeg")
    events = np.array([[i * 200, 0, 1 + i % 2] for i in range(4)])
    other = tmp_path / "sub-09-epo.fif"
    mne.EpochsArray(
        np.random.default_rng(9).standard_normal((4, len(names), 128)) * 1e-5,
        info,
        events=events,
        event_id={"a": 1, "b": 2},
        verbose="error",
    ).save(other, verbose="error")
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        load_labelled_epochs([other, *files], verbose=False, keep=KEEP)
    texts = [str(w.message) for w in shown]
    assert [t for t in texts if t.startswith(f"{other}: ") and "O2" in t]


def test_embed_does_not_warn_of_bad_channels_left_out_anyway(model, files, tmp_path):
    """``embed`` with ``keep`` (``--keep-channels``) of epochs and of a continuous recording
    (streamed): a bad channel outside it is logged, not warned of; one inside it is."""
    from eegpt import PreprocessingConfig

    info = mne.create_info(NAMES, 128.0, "eeg")
    info["bads"] = ["T8"]
    raw = tmp_path / "sub-01_raw.fif"
    data = np.random.default_rng(5).standard_normal((len(NAMES), 128 * 8)) * 1e-5
    mne.io.RawArray(data, info, verbose="error").save(raw, verbose="error")
    one = PreprocessingConfig(window_seconds=1)
    for path in (files[0], raw):
        with recorded_warnings() as recorded:
            model.embed(path, keep=KEEP, preprocessing=one, verbose="warning")
        assert not [t for t in recorded if "marked bad were left out" in t], path
        with recorded_warnings() as recorded:
            model.embed(path, keep="10-20", preprocessing=one, verbose="warning")
        assert [t for t in recorded if "marked bad were left out: ['T8']" in t], path


def test_labelled_windows_of_a_continuous_recording_know_the_channels_to_keep(tmp_path):
    """--window-labels on a continuous recording (its windows cut as embed cuts them): a bad
    channel outside --keep-channels is not warned of; one inside it is, alone."""
    from eegpt.probe_label_files import WindowLabelling

    info = mne.create_info(NAMES, 128.0, "eeg")
    info["bads"] = ["Fp1", "T8"]
    raw = mne.io.RawArray(
        np.random.default_rng(3).standard_normal((len(NAMES), 128 * 8)) * 1e-5,
        info,
        verbose="error",
    )
    raw.set_annotations(mne.Annotations([0.0, 4.0], [4.0, 4.0], ["rest", "task"]))
    path = tmp_path / "sub-05_raw.fif"
    raw.save(path, verbose="error")
    for keep, expected in ((KEEP, None), ("10-20,-T8", "marked bad were left out: ['Fp1']")):
        how = WindowLabelling("rest|task", 1.0)
        shown, recorded = _read([path], keep=keep, windows=how)
        said = [t for t in shown + recorded if "marked bad were left out" in t]
        if expected is None:
            assert said == []
        else:
            assert said and all(expected in t for t in said), said
