"""The channel sets of corpus runs read together (:mod:`eegpt.run_channel_sets`)."""

from __future__ import annotations

import csv
from pathlib import Path

from eegpt.dataset_folders import FILES_REPORT
from eegpt.dataset_report import channel_sets_lines

FULL = ["C3", "C4", "CZ", "F3", "F4"]


def _run_folder(folder: Path, channels: list[str], ids: list[str]) -> Path:
    """A run folder whose FILES_REPORT lists ``ids`` embedded with ``channels``."""
    folder.mkdir()
    with open(folder / FILES_REPORT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["recording_id", "status", "channels"])
        writer.writeheader()
        for recording_id in ids:
            writer.writerow(
                {"recording_id": recording_id, "status": "ok", "channels": " | ".join(channels)}
            )
    return folder


def test_runs_of_the_same_files_count_each_runs_recordings(tmp_path):
    """Two runs of the same two files, with 10-20 and with 10-20,-C3, use two channel sets of 2
    recordings each: the sets were keyed by recording id across folders, so the later run's
    set stood for both and eegpt info said nothing of them."""
    folders = [
        _run_folder(tmp_path / "a_full", FULL, ["rec0", "rec1"]),
        _run_folder(tmp_path / "b_noC3", [c for c in FULL if c != "C3"], ["rec0", "rec1"]),
        _run_folder(tmp_path / "c_noC4", [c for c in FULL if c != "C4"], ["rec0"]),
    ]
    lines = channel_sets_lines(folders, [{}, {}, {}])
    assert len(lines) == 1
    assert "3 different channel sets: 2 recordings with 5 channels" in lines[0]
    assert "2 recordings with 4 channels (without C3)" in lines[0]
    assert "1 recording with 4 channels (without C4)" in lines[0]


TEN_TWENTY = ["FP1", "FP2", "F7", "F3", "FZ", "F4", "F8", "T7", "C3", "CZ"]
TEN_TWENTY += ["C4", "T8", "P7", "P3", "PZ", "P4", "P8", "O1", "O2"]
FEW = ["FP1", "FP2", "T7", "C3", "C4", "T8", "O1", "O2"]  # a 10-channel file's 8 electrodes


def test_the_advice_of_keep_channels_names_the_files_it_leaves_apart(tmp_path):
    """A corpus of 19-electrode files and one of 8 (a TUH 10-channel file): the advice was
    'To give every file the same set: --keep-channels 10-20', but that leaves the 8-channel
    file on its 8 (missing electrodes cannot be added). It now says so, names the file, and
    gives the channels every file has as a --keep-channels that does give one set."""
    from eegpt.run_channel_sets import channel_sets_advice

    folders = [
        _run_folder(tmp_path / "a", TEN_TWENTY, ["r0", "r1"]),
        _run_folder(tmp_path / "b", FEW, ["ten"]),
    ]
    (line,) = channel_sets_lines(folders, [{}, {}])  # eegpt info, as read_embeddings warns
    assert "To give every file the same set" not in line
    assert "except 1 file lacking some of its 19 electrodes" in line and ": ten; " in line
    sets = [(tuple(TEN_TWENTY + ["A1"]), ["a.edf", "b.edf"]), (tuple(FEW), ["ten.edf"])]
    advice = channel_sets_advice(False, sets)  # the run summary's
    assert "except 1 file lacking some of its 19 electrodes, which would still differ" in advice
    assert advice.endswith(": ten.edf; the 8 channels every file has "
                           "(--keep-channels FP1,FP2,T7,C3,C4,T8,O1,O2)")  # fmt: skip


def test_the_advice_of_keep_channels_stands_where_it_gives_one_set():
    """Files that differ only outside the 10-20 electrodes (an extra A1, a misspelt one
    elsewhere) get one set with --keep-channels 10-20: the advice says so plainly."""
    from eegpt.run_channel_sets import channel_sets_advice

    sets = [(tuple(TEN_TWENTY + ["A1"]), ["a.edf"]), (tuple(TEN_TWENTY), ["b.edf"])]
    advice = channel_sets_advice(False, sets)
    assert advice.endswith("To give every file the same set: --keep-channels 10-20 "
                           "(or NAMES; keep= in Python)")  # fmt: skip
    assert "still" not in advice
