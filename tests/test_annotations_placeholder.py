"""--annotations '-': no annotations file for that recording (its own annotations only), so
that recordings labelled in their own file mix with ones labelled by a side file."""

from __future__ import annotations

import re

import mne
import pytest

from eegpt.errors import EEGPTWarning
from eegpt.probe_cli import main as probe_main
from eegpt.synthetic import synthetic_erp_raw


def _recording(tmp_path, name, seed, annotated):
    raw, _, _ = synthetic_erp_raw(16, sfreq=250.0, seed=seed)
    if annotated:
        raw.set_annotations(mne.Annotations([2.0], [4.0], ["seizure"]))
    path = tmp_path / f"{name}_raw.fif"
    raw.save(path, verbose=False)
    return path


def test_a_dash_gives_no_annotations_file_for_its_recording(weights, tmp_path, capsys):
    own = _recording(tmp_path, "own", 1, annotated=True)
    side = _recording(tmp_path, "side", 2, annotated=False)
    table = tmp_path / "side.csv"
    table.write_text("onset,duration,description\n8,4,seizure\n")
    common = ["--window-labels", "seizure=(?i)seiz", "--unlabelled", "background", "--window",
              "2", "--weights", str(weights), "--passes", "1", "-q"]  # fmt: skip
    # one file for two recordings: the error says how to give none for one
    assert probe_main(["train", str(own), str(side), "--annotations", str(table),
                       "-o", str(tmp_path / "a"), *common]) == 1  # fmt: skip
    err = " ".join(capsys.readouterr().err.split())
    assert "in the same order ('-' for one whose annotations are all in its own file)" in err
    with pytest.warns(EEGPTWarning):  # (few epochs of a class)
        assert probe_main(["train", str(own), str(side), "--annotations", "-", str(table),
                           "-o", str(tmp_path / "b"), *common]) == 0  # fmt: skip
    said = capsys.readouterr().err
    # each recording's seizure labels its windows: 2-6 s in its own file, 8-12 s in the table
    for path in (own, side):
        assert re.search(rf"{re.escape(str(path))}: \d+ windows of 2 s: 'background' \d+, "
                         r"'seizure' 2\b", said), said  # fmt: skip
