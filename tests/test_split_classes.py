"""A lone --window-labels REGEX whose matches differ only in case or spelling ('Seizure' in
one recording, 'seizure' in another) makes a class of each: probe train warns, giving the
LABEL=REGEX form that merges them; the docs' example uses that form."""

from __future__ import annotations

import warnings
from pathlib import Path

import mne
import pytest

from eegpt.errors import EEGPTWarning
from eegpt.probe_cli import main as probe_main
from eegpt.synthetic import synthetic_erp_raw

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _recording(tmp_path, name, seed):
    raw, _, _ = synthetic_erp_raw(12, sfreq=250.0, seed=seed)
    raw.set_annotations(mne.Annotations([2.0], [4.0], [name]))
    path = tmp_path / f"rec{seed}_raw.fif"
    raw.save(path, verbose=False)
    return path


def test_a_regex_making_classes_of_one_name_in_two_spellings_is_warned_of(
    weights, tmp_path, capsys
):
    paths = [_recording(tmp_path, "Seizure", 1), _recording(tmp_path, "seizure", 2)]
    common = ["--weights", str(weights), "--passes", "1", "-q", "--unlabelled", "background",
              "--window", "2"]  # fmt: skip
    with pytest.warns(EEGPTWarning, match="differ only in case or spelling") as got:
        assert probe_main(["train", *map(str, paths), "-o", str(tmp_path / "a"),
                           "--window-labels", "(?i)seizure", *common]) == 0  # fmt: skip
    (text,) = [str(w.message) for w in got if "differ only in case" in str(w.message)]
    text = " ".join(text.split())
    assert "'Seizure', 'seizure' differ only in case or spelling" in text, text
    assert "the probe would learn 2 classes of events ('Seizure', 'seizure'), not one" in text
    assert "name it: --window-labels 'seizure=(?i)seizure'" in text
    # so given: one class, no such warning
    with pytest.warns(EEGPTWarning) as got:
        assert probe_main(["train", *map(str, paths), "-o", str(tmp_path / "b"),
                           "--window-labels", "seizure=(?i)seizure", *common]) == 0  # fmt: skip
    assert not [w for w in got if "differ only in case" in str(w.message)]
    capsys.readouterr()
    # names that differ otherwise (sleep stages, markers by number) are not alike
    from eegpt.continuous_windows import _alike_names

    assert _alike_names(["SEIZ", "seizure", "sz"]) == [["SEIZ", "seizure"]]
    assert _alike_names(["Sleep stage 1", "Sleep stage 2", "Sleep stage W"]) == []
    assert _alike_names(["Stimulus/S  1", "Stimulus/S 11", "EC", "EO"]) == []
    # the docs' example merges the spellings
    assert "--window-labels '(?i)seizure'" not in (DOCS / "downstream.md").read_text()


def test_sleep_stages_beside_the_unscored_stage_are_not_spellings_of_one_name():
    """'^Sleep stage' over a Sleep-EDF hypnogram gives 'Sleep stage W', 'Sleep stage R' and the
    unscored 'Sleep stage ?': with the '?' dropped as punctuation, 'Sleep stage' began the
    others, which were warned of as one name in several spellings and merged into one class
    by the advice. Only names differing in case, separators or a letter suffix are alike."""
    import numpy as np

    from eegpt.continuous_windows import _alike_names, warn_split_classes
    from eegpt.window_labelling import WindowLabelling

    stages = ["Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage R", "Sleep stage ?"]
    assert _alike_names(stages) == []
    assert _alike_names(["T+", "T-"]) == []
    assert _alike_names(["spike-wave", "Spike wave", "SEIZ", "seizure"]) == [
        ["spike-wave", "Spike wave"],
        ["SEIZ", "seizure"],
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_split_classes([np.array(stages, dtype=object)], WindowLabelling("^Sleep stage", 30.0))
