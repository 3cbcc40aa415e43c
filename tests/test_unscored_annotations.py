"""Annotations of a class that lie in no window labelled that class (in the dropped tail of a
continuous recording, before ``--start``, over bad spans): warned of with their onsets and
why, counted in ``probe evaluate --event-scoring``'s JSON, and named as the reason where no
window is labelled at all."""

from __future__ import annotations

import json
import warnings

import mne
import numpy as np
import pytest

from eegpt.continuous_windows import labelled_windows, refuse_unmatched
from eegpt.errors import EEGPTWarning
from eegpt.probe_cli import main as probe_main
from eegpt.synthetic import synthetic_erp_raw
from eegpt.window_labelling import WindowLabelling

SEIZURE = {"seizure": "(?i)seiz"}


def _recording(tmp_path, onsets, durations, seconds=23.0, name="tail_raw.fif"):
    """A continuous recording ``seconds`` long (EEG at 250 Hz) with seizure annotations."""
    raw, _, _ = synthetic_erp_raw(int(seconds) + 1, sfreq=250.0, seed=2)
    raw.crop(0, seconds, include_tmax=False)
    raw.set_annotations(mne.Annotations(onsets, durations, ["seizure"] * len(onsets)))
    path = tmp_path / name
    raw.save(path, verbose=False)
    return path


def test_an_annotation_in_the_dropped_tail_is_warned_of_with_its_onset(tmp_path, capsys):
    """A 23 s recording cut into 4 s windows ends its last whole window at 20 s: the seizure
    at 21-22.5 s labels no window. It is warned of (its onset, 'after the last whole window',
    the 3 s dropped and the --start that ends the windows at the recording's end) and kept in
    the labelling's ``unscored``; the seizure inside the windows labels its windows as ever.
    One before --start and one inside a bad span are told apart."""
    path = _recording(tmp_path, [5.0, 21.0], [3.0, 1.5])
    how = WindowLabelling(SEIZURE, 4.0, unlabelled="background", min_overlap=1e-6)
    with pytest.warns(EEGPTWarning) as got:
        _, y = labelled_windows(path, how)
    said = " ".join(" ".join(str(w.message) for w in got).split())
    assert y.tolist().count("seizure") == 1  # 5-8 s, in the window of 4-8 s
    assert "1 annotation matching --window-labels" in said, said
    assert "'seizure' at 21 s): 1 after the last whole window" in said
    assert "ends at 20 s of 23 s: the last 3 s, shorter than a window, are dropped" in said
    assert "--start 3 moves the windows" in said
    assert how.unscored[str(path)] == [("seizure", 21.0, "seizure", "tail")]
    # before --start, and over a bad span (its windows left out)
    raw = mne.io.read_raw_fif(path, verbose=False)
    raw.set_annotations(
        mne.Annotations([0.5, 9.0, 9.0], [1.0, 2.0, 3.0], ["seizure", "seizure", "BAD_muscle"])
    )
    other = tmp_path / "start_raw.fif"
    raw.save(other, verbose=False)
    how = WindowLabelling(SEIZURE, 4.0, unlabelled="background", min_overlap=1e-6,
                          start_seconds=2.0)  # fmt: skip
    with pytest.warns(EEGPTWarning) as got:
        labelled_windows(other, how)
    said = " ".join(" ".join(str(w.message) for w in got).split())
    assert "2 annotations matching" in said and "'seizure' at 0.5 s, 'seizure' at 9 s" in said
    assert "1 before the first window (--start); 1 inside bad spans" in said, said
    assert [u[3] for u in how.unscored[str(other)]] == ["start", "bad"]
    # every seizure in a window: no warning of the kind
    inside = _recording(tmp_path, [5.0], [3.0], name="inside_raw.fif")
    how = WindowLabelling(SEIZURE, 4.0, unlabelled="background", min_overlap=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labelled_windows(inside, how)
    assert how.unscored[str(inside)] == []
    capsys.readouterr()


def test_no_window_labelled_says_the_annotation_lies_in_the_dropped_tail(tmp_path):
    """The one seizure of a recording lies after its last whole window: the message that no
    window is labelled says so (and how to take it in), not that the annotation is shorter
    than a label needs (nor --min-overlap, --marker-spans advice)."""
    path = _recording(tmp_path, [20.2], [2.5])
    how = WindowLabelling(SEIZURE, 4.0, unlabelled="background", min_overlap=1e-6)
    with pytest.warns(EEGPTWarning, match="after the last whole window"):
        _, y = labelled_windows(path, how)
    assert set(y.tolist()) == {"background"}
    with pytest.raises(ValueError) as err:
        refuse_unmatched([path], [y], how)
    text = " ".join(str(err.value).split())
    assert "'seizure' at 20.2 s), but none lies in a window kept: 1 after the last whole" in text
    assert "--start SECONDS moves them to end at the recording's end" in text
    assert "less than a label needs" not in text and "--marker-spans" not in text


def test_event_scoring_counts_the_annotations_it_cannot_score(weights, tmp_path, capsys):
    """probe evaluate --event-scoring on a recording whose second seizure lies in the dropped
    tail: the warning, a line under the event scores, and events.unscored_annotations 1 in
    the JSON (0 where every seizure is in a window)."""
    train = _recording(tmp_path, [2.0, 12.0], [4.0, 4.0], seconds=24.0, name="train_raw.fif")
    out = tmp_path / "probe"
    assert probe_main(["train", str(train), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", "--window-labels", "seizure=(?i)seiz",
                       "--unlabelled", "background", "--window", "2"]) == 0  # fmt: skip
    test = _recording(tmp_path, [4.0, 20.6], [4.0, 0.6], seconds=21.5, name="test_raw.fif")
    scores = tmp_path / "scores.json"
    with pytest.warns(EEGPTWarning, match="after the last whole window"):
        assert probe_main(["evaluate", str(out), str(test), "--event-scoring", "--json",
                           str(scores)]) == 0  # fmt: skip
    assert "not scored: 1 annotation(s) of the event classes" in capsys.readouterr().out
    events = json.loads(scores.read_text())["events"]
    assert events["unscored_annotations"] == 1
    assert events["scores"]["seizure"]["scored_events"] == 1
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(out), str(train), "--event-scoring", "--json",
                           str(scores), "--overwrite", "-q"]) == 0  # fmt: skip
    assert json.loads(scores.read_text())["events"]["unscored_annotations"] == 0
    assert np.isfinite(json.loads(scores.read_text())["n"])


def test_a_hypnogram_s_stages_past_the_recording_s_end_are_not_warned_of_as_tail(tmp_path):
    """A hypnogram (an --annotations file) whose 6 s stages run past the recording's end (one
    starting at its end, one after), as a night's scoring often does: every window is
    labelled, and those stages are off the recording, not 'after the last whole window' with
    a '--start 0' that would take them in (the one after the end is warned of as such)."""
    raw, _, _ = synthetic_erp_raw(25, sfreq=250.0, seed=2)
    raw.crop(0, 24.0, include_tmax=False)
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    hypnogram = tmp_path / "hypnogram.csv"
    stages = ["Sleep stage W", "Sleep stage 2", "Sleep stage 2", "Sleep stage W"] + [
        "Sleep stage W"
    ] * 2
    mne.Annotations(np.arange(0.0, 36.0, 6.0), [6.0] * 6, stages).save(hypnogram)
    how = WindowLabelling({"W": "stage W", "N2": "stage 2"}, 4.0, extra=((path, str(hypnogram)),))
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        _, y = labelled_windows(path, how)
    said = " ".join(" ".join(str(w.message) for w in got).split())
    assert y.tolist().count("N2") == 3 and len(y) == 6
    assert "1 starts after the recording ends" in said, said
    assert "after the last whole window" not in said and "--start 0" not in said, said
    assert how.unscored[str(path)] == []


def test_an_annotation_running_past_the_last_whole_window_is_warned_of(tmp_path):
    """A 23 s recording in 4 s windows ends its last whole window at 20 s: a seizure at
    19-22 s has 1 s in it (less than the half a label needs) and 2 s in the dropped tail. It
    labels no window and was neither warned of nor counted; it is, as in the tail."""
    path = _recording(tmp_path, [5.0, 19.0], [3.0, 3.0])
    how = WindowLabelling(SEIZURE, 4.0, unlabelled="background")
    with pytest.warns(EEGPTWarning) as got:
        _, y = labelled_windows(path, how)
    said = " ".join(" ".join(str(w.message) for w in got).split())
    assert y.tolist()[4] == "background"  # 16-20 s: 1 s of the seizure
    assert "'seizure' at 19 s): 1 after the last whole window (or running past its end)" in said
    assert "--start 3 moves the windows" in said
    assert how.unscored[str(path)] == [("seizure", 19.0, "seizure", "tail")]


def test_markers_one_sample_long_over_bad_spans_are_not_listed(tmp_path):
    """BrainVision markers as MNE reads them (one sample long), some inside a bad span: like
    every marker they label no window (too short), so none is listed as left out by the bad
    span, as markers of no duration are not."""
    raw, _, _ = synthetic_erp_raw(25, sfreq=250.0, seed=2)
    onsets = np.arange(1.0, 23.0, 1.5).tolist()
    raw.set_annotations(
        mne.Annotations(
            onsets + [8.0],
            [1 / 250.0] * len(onsets) + [6.0],
            ["Stimulus/S  1"] * len(onsets) + ["BAD_muscle"],
        )
    )
    path = tmp_path / "markers_raw.fif"
    raw.save(path, verbose=False)
    how = WindowLabelling({"S1": "S  1"}, 4.0, unlabelled="rest")
    with warnings.catch_warnings():
        warnings.simplefilter("error", EEGPTWarning)
        _, y = labelled_windows(path, how)
    assert set(y.tolist()) == {"rest"}
    assert how.unscored[str(path)] == []
