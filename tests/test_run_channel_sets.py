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
