"""Annotations per window: MNE's overlap rule, time bases, flags and reject_by_annotation."""

from __future__ import annotations

import datetime
import json
import re
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest

import eegpt.api
import eegpt.dataset
import eegpt.streaming
from eegpt.annotations import (
    annotations_of,
    annotations_per_window,
    bad_windows,
    describe_bad,
    is_bad,
    window_annotations,
    window_labels,
)
from eegpt.cli import main
from eegpt.dataset import embed_dataset
from eegpt.demo import synthetic_raw, write_edf
from eegpt.edf_files import check_edf_header
from eegpt.errors import EEGPTWarning, RecordingError
from eegpt.io import as_recording
from eegpt.outputs import load_embeddings, metadata_frame
from eegpt.preprocessing import PreprocessingConfig

pytestmark = pytest.mark.filterwarnings("ignore:3 channel.s. do not match:RuntimeWarning")

# Leaving windows out changes which windows share a batch, and on the CPU the float32 GEMMs
# block their sums by the number of rows: the same window then differs by rounding only.
OTHER_BATCHES = {"rtol": 1e-5, "atol": 1e-5}


def annotated_raw(minutes: float = 1.0):
    """A synthetic recording with, for 4 s windows: a good annotation in window 0, a bad span
    over windows 2-3 (9-15 s), zero-duration bad annotations inside windows 6 and 10 and one at
    the first sample of window 12 (which does not count, as in MNE)."""
    raw, _ = synthetic_raw(minutes=minutes, seed=5)
    spans = [(1.0, 0.5, "eyes closed"), (9.0, 6.0, "BAD_muscle"), (26.0, 0.0, "BAD boundary"),
             (41.0, 0.0, "bad_late"), (48.0, 0.0, "bad_at_window_start")]  # fmt: skip
    spans = [s for s in spans if s[0] < raw.times[-1]]
    onset, duration, description = zip(*spans, strict=True)
    raw.set_annotations(
        mne.Annotations(onset, duration, description, orig_time=raw.info["meas_date"])
    )
    return raw


def test_overlap_rule_matches_mne():
    onsets = np.arange(5) * 4.0  # windows [0, 4), [4, 8), ...
    ann = mne.Annotations(  # MNE keeps annotations sorted by onset
        onset=[4.0, 9.0, 3.0, 16.0, 13.0, 8.0, 0.0, 20.0],
        duration=[0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        description=["BAD_at_start", "bad_inside", "BAD_across", "Bad_last_start", "EDGE",
                     "stim_at_start", "stim_at_0", "stim_after_the_end"],
    )  # fmt: skip
    per_window = window_annotations(ann, onsets, 4.0)
    # MNE's rule for epochs: onset < window end and onset + duration > window start, so a
    # zero-duration bad annotation at a window's first sample (4.0, 16.0) belongs to no window
    # (mne.Epochs keeps that epoch); a zero-duration event there (a stimulus) is in it
    assert per_window == [["stim_at_0", "BAD_across"], ["BAD_across"],
                          ["stim_at_start", "bad_inside"], ["EDGE"], []]  # fmt: skip
    assert bad_windows(per_window).tolist() == [True, True, True, False, False]
    assert window_annotations(None, onsets, 4.0) == [[]] * 5
    # overlapping windows: a span can touch several, unsorted onsets are handled
    over = window_annotations(ann, np.array([8.0, 0.0, 2.0]), 4.0)
    assert over == [["stim_at_start", "bad_inside"], ["stim_at_0", "BAD_across"],
                    ["BAD_across", "BAD_at_start"]]  # fmt: skip


def test_is_bad_and_summary():
    assert is_bad("BAD_muscle") and is_bad("bad blink") and is_bad("Bad") and is_bad("BAD boundary")
    assert not is_bad("EDGE boundary") and not is_bad("eyes closed") and not is_bad("not bad")
    assert is_bad("boundary") and is_bad("Boundary")  # EEGLAB: data were cut out here
    assert not is_bad("boundary shift") and not is_bad("no boundary")
    assert is_bad("New Segment/") and not is_bad("Comment/New Segment")  # BrainVision pause
    per_window = [["BAD_a"], ["BAD_a", "x"], ["BAD_b"], [], ["BAD_a"]]
    assert describe_bad(per_window) == "BAD_a: 3, BAD_b: 1"
    assert describe_bad([[f"BAD_{i}"] for i in range(6)], limit=2).endswith(", ...")


@pytest.mark.parametrize("meas_date", [None, 1_000_000_000])
def test_annotation_onsets_count_from_the_first_sample(meas_date):
    """MNE counts onsets from the acquisition start; cropped data start later."""
    info = mne.create_info(["Fz", "Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 6000)), info, first_samp=500, verbose=False)
    raw.set_meas_date(meas_date)
    raw.set_annotations(mne.Annotations([20.0], [1.0], ["BAD_x"], orig_time=raw.info["meas_date"]))
    first = annotations_of(raw)
    cropped = annotations_of(raw.copy().crop(tmin=10.0))
    assert first.orig_time is None and cropped.orig_time is None
    assert cropped.onset[0] == pytest.approx(first.onset[0] - 10.0)
    # the same instant, read from the data: MNE's own sample of the annotation
    starts, _ = mne.annotations._annotations_starts_stops(raw, "bad")
    assert first.onset[0] == pytest.approx(starts[0] / 100.0)
    assert annotations_of(mne.io.RawArray(np.zeros((2, 10)), info, verbose=False)) is None


def test_bad_windows_are_flagged_by_default_and_can_be_left_out(model, tmp_path, capsys):
    raw = annotated_raw()
    with pytest.warns(RuntimeWarning, match=r"4 of 15 windows overlap annotations marked bad"):
        full = model.embed(raw, device="cpu")
    assert len(full) == 15
    expected_bad = np.zeros(15, bool)
    expected_bad[[2, 3, 6, 10]] = True  # 9-15 s; 26 s (boundary); 41 s; not 48 s (window 12)
    np.testing.assert_array_equal(full.bad, expected_bad)
    assert full.annotations[0] == ["eyes closed"] and full.annotations[6] == ["BAD boundary"]
    assert full.annotations[11] == [] and full.annotations[12] == []

    kept = model.embed(raw, device="cpu", reject_by_annotation=True)
    assert len(kept) == 11
    np.testing.assert_array_equal(kept.onsets, full.onsets[~expected_bad])
    np.testing.assert_allclose(kept.data, full.data[~expected_bad], **OTHER_BATCHES)
    assert not kept.bad.any() and kept.annotations[0] == ["eyes closed"]
    assert kept.metadata["rejected_by_annotation"] == [8.0, 12.0, 24.0, 40.0]
    kept_index = [i for i in range(15) if not expected_bad[i]]
    assert kept.metadata["window_index"] == kept_index

    # Parquet carries the annotations and the flag as columns; both formats round-trip
    pd = pytest.importorskip("pandas")
    frame = pd.read_parquet(full.save(tmp_path / "full.parquet"))
    assert frame["bad"].tolist() == expected_bad.tolist()
    assert list(frame["annotations"][2]) == ["BAD_muscle"]
    for suffix in (".npz", ".parquet"):
        back = load_embeddings(full.save(tmp_path / f"f{suffix}", overwrite=True))
        np.testing.assert_array_equal(back.bad, expected_bad)
    # the window column is the index among all windows: gaps where windows were left out
    frame = pd.read_parquet(kept.save(tmp_path / "kept.parquet"))
    assert frame["window"].tolist() == kept_index and not frame["bad"].any()
    # eegpt info says how many were left out, not only "bad windows: 0"
    from eegpt.cli import main as eegpt_main

    capsys.readouterr()
    assert eegpt_main(["info", str(tmp_path / "kept.parquet")]) == 0
    text = capsys.readouterr().out
    assert "bad windows: 0" in text
    assert (
        "4 windows left out (--reject-by-annotation: overlapping BAD_ annotations; onsets " in text
    )


def test_streamed_file_gives_the_same_windows(model, tmp_path, monkeypatch):
    """A FIF file is streamed block by block; with small blocks, rejection cuts inside them."""
    raw = annotated_raw()
    path = tmp_path / "annotated_raw.fif"
    raw.save(path, verbose=False)
    with pytest.warns(RuntimeWarning, match="overlap annotations marked bad"):
        in_memory = model.embed(raw, device="cpu", batch_size=2)
    monkeypatch.setattr(eegpt.api, "BLOCK_WINDOWS", 4)  # blocks of 4 windows: 2 of them cut
    streamed = model.embed(path, device="cpu", batch_size=2, reject_by_annotation=True)
    keep = ~in_memory.bad
    np.testing.assert_array_equal(streamed.onsets, in_memory.onsets[keep])
    np.testing.assert_allclose(streamed.data, in_memory.data[keep], **OTHER_BATCHES)
    assert streamed.annotations == [
        a for a, k in zip(in_memory.annotations, keep, strict=True) if k
    ]


def test_edf_annotations_are_read(model, tmp_path):
    raw = annotated_raw(minutes=0.5)
    path = write_edf(raw, tmp_path / "annotated.edf")
    emb = model.embed(path, device="cpu", reject_by_annotation=True)
    assert len(emb) == 7 - 3  # windows 2, 3 and 6 of 7 are bad
    assert emb.metadata["rejected_by_annotation"] == [8.0, 12.0, 24.0]


def test_a_recordings_own_edf_gives_only_its_annotation_signal(model, tmp_path):
    """``mne.read_annotations`` on an EDF recording scans the sample bytes for annotation
    text: samples that are not UTF-8 made it fail, and samples that look like annotations
    became spans. The recording's annotations come from its annotation signal only."""
    from eegpt.annotations import read_annotations

    raw, _ = synthetic_raw(minutes=1.0)
    raw.set_meas_date(datetime.datetime(2024, 3, 1, 9, 30, tzinfo=datetime.timezone.utc))
    raw.set_annotations(mne.Annotations([8.0, 32.0], [16.0, 16.0], ["stage W", "stage 2"]))
    clean = write_edf(raw, tmp_path / "clean.edf")
    header = check_edf_header(clean)
    body = bytearray(clean.read_bytes())
    look_alike = b"+7\x1420\x14JUNK\x14\x00\x00\xff\xfe+9\x14\xe9\x14\x00\x00"
    body[header.header_bytes + 100 : header.header_bytes + 100 + len(look_alike)] = look_alike
    noisy = tmp_path / "noisy.edf"
    noisy.write_bytes(bytes(body))
    with pytest.raises(UnicodeDecodeError):  # MNE's reading, the cause
        mne.read_annotations(noisy)
    for path in (clean, noisy):
        found = read_annotations(path)
        assert list(found.description) == ["stage W", "stage 2"]
        assert found.onset.tolist() == [8.0, 32.0] and found.duration.tolist() == [16.0, 16.0]
        assert found.orig_time == raw.info["meas_date"]
    emb = model.embed(clean)
    labels = emb.window_labels(noisy, match="^stage")
    assert labels.tolist() == emb.window_labels(raw, match="^stage").tolist()
    assert labels[2] == "stage W" and labels[9] == "stage 2" and labels[14] is None


def test_all_windows_bad_is_an_error(model):
    raw, _ = synthetic_raw(minutes=0.2, seed=1)
    raw.set_annotations(mne.Annotations([0.0], [raw.times[-1]], ["BAD_all"]))
    with pytest.raises(RecordingError, match="all 3 windows overlap annotations marked bad"):
        model.embed(raw, device="cpu", reject_by_annotation=True)


def test_no_annotations_means_no_flags_but_the_same_columns(model, tmp_path):
    pd = pytest.importorskip("pandas")
    raw, _ = synthetic_raw(minutes=0.2, seed=1)
    emb = model.embed(raw, device="cpu")
    assert "annotations" not in emb.metadata
    assert emb.annotations == [[], [], []] and not emb.bad.any()
    frame = pd.read_parquet(emb.save(tmp_path / "e.parquet"))  # concatenates with annotated ones
    assert frame["bad"].dtype == bool and not frame["bad"].any()
    assert all(len(a) == 0 for a in frame["annotations"])


def test_epochs_carry_their_annotations(model):
    """Epochs cut without rejection keep the raw's annotations: flagged, or left out."""
    raw = annotated_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    events[1::2, 2] = 2
    epochs = mne.Epochs(raw, events, {"rest": 1, "task": 2}, tmin=0.0, tmax=4.0 - 1 / 250,
                        baseline=None, reject_by_annotation=False, preload=True,
                        verbose=False)  # fmt: skip
    with pytest.warns(RuntimeWarning, match="windows overlap annotations marked bad"):
        flagged = model.embed(epochs, device="cpu")
    bad = flagged.bad
    assert bad.tolist() == [i in (2, 3, 6, 10) for i in range(15)]  # as for the raw's windows
    assert flagged.annotations[0] == ["eyes closed"] and flagged.annotations[12] == []
    kept = model.embed(epochs, device="cpu", reject_by_annotation=True)
    assert len(kept) == (~bad).sum()
    assert kept.metadata["labels"] == [
        label for label, b in zip(flagged.metadata["labels"], bad, strict=True) if not b
    ]
    np.testing.assert_allclose(kept.data, flagged.data[~bad], **OTHER_BATCHES)
    fig = flagged.plot()  # the epochs' scatter rings the bad ones
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "over bad annotations (4)" in legend
    import matplotlib.pyplot as plt

    plt.close(fig)
    # epochs cut with MNE's default rejection have no bad epochs left, nothing to flag
    clean = mne.Epochs(raw, events, tmin=0.0, tmax=4.0 - 1 / 250, baseline=None, preload=True,
                       verbose=False)  # fmt: skip
    assert not model.embed(clean, device="cpu").bad.any()


def test_descriptions_that_only_mention_bad_are_named(model):
    """BrainVision readers prefix descriptions ('Comment/BAD_muscle'): not bad, as in MNE."""
    raw, _ = synthetic_raw(minutes=0.2, seed=1)
    raw.set_annotations(mne.Annotations([1.0], [2.0], ["Comment/BAD_muscle"]))
    with pytest.warns(RuntimeWarning, match=r"mention 'bad' but do not start with it"):
        emb = model.embed(raw, device="cpu", reject_by_annotation=True)
    assert len(emb) == 3 and not emb.bad.any()


def test_time_base_of_the_onsets_is_recorded(model):
    raw = annotated_raw()
    raw.set_meas_date(1_700_000_000)
    cropped = raw.copy().crop(tmin=20.0)
    emb = model.embed(cropped, device="cpu")
    assert emb.onsets[0] == 0.0 and emb.metadata["first_time"] == pytest.approx(20.0)
    assert emb.metadata["meas_date"].startswith("2023-11-14T22:13:20")
    # the annotations follow the data: the boundary at 26 s is 6 s into the cropped data
    assert emb.annotations[1] == ["BAD boundary"]


def test_cli_reject_by_annotation(weights, tmp_path, capsys):
    path = tmp_path / "annotated_raw.fif"
    annotated_raw().save(path, verbose=False)
    out = tmp_path / "e.npz"
    args = ["embed", str(path), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    assert main([*args, "--reject-by-annotation"]) == 0
    assert "11 windows (4 over bad annotations left out)" in capsys.readouterr().out
    assert len(load_embeddings(out)) == 11


def test_window_labels_take_the_stage_covering_most_of_a_window():
    from eegpt.annotations import window_labels

    stages = mne.Annotations([0, 30, 60], [30, 30, 30], ["Sleep stage W", "Sleep stage 1", "x"])
    onsets = np.arange(0, 80, 4.0)  # windows at 28-32 and 56-60 straddle stage changes
    labels = window_labels(stages, onsets, 4.0, match="^Sleep stage")
    assert labels[:7] == ["Sleep stage W"] * 7 and labels[7] == "Sleep stage W"  # 28-32: 2 s
    assert labels[8:15] == ["Sleep stage 1"] * 7 and labels[15:] == [None] * 5  # 'x' no match
    strict = window_labels(stages, onsets, 4.0, match="^Sleep", min_overlap=1.0)
    assert strict[7] is None and strict[6] == "Sleep stage W"
    assert window_labels(stages, onsets, 4.0)[16] == "x"  # every lasting annotation by default
    with pytest.raises(ValueError, match=r"min_overlap must be in \(0, 1\]"):
        window_labels(stages, onsets, 4.0, min_overlap=0)
    with pytest.warns(RuntimeWarning, match="the annotations given hold none, so no window"):
        assert window_labels(mne.Annotations([], [], []), onsets, 4.0) == [None] * 20


def test_unscored_epochs_labelled_as_a_class_beside_stages_are_warned_of():
    """Sleep-EDF's 'Sleep stage ?' (an epoch left unscored) and 'Movement time' became classes
    in silence under --window-labels '^Sleep stage' (or a class of stages holding them), so
    windows nobody scored were trained and scored as a stage; they are warned of, naming the
    pattern that leaves them out. Patterns that leave them out, a class or pattern of them
    alone (taken as meant), and no pattern (every annotation, as asked) are quiet."""
    from eegpt.annotations import window_labels

    names = ["Sleep stage W", "Sleep stage ?", "Sleep stage 2", "Movement time", "Sleep stage 2"]
    night = mne.Annotations([0, 30, 60, 90, 120], [30] * 5, names)
    onsets = np.arange(0, 150, 30.0)
    with pytest.warns(RuntimeWarning, match=r"'Sleep stage \?' is labelled as a class of its "
                      r"own by --window-labels '\^Sleep stage', though no sleep stage.*"
                      r"--window-labels '\^Sleep stage \[W1234R\]\$'"):  # fmt: skip
        assert window_labels(night, onsets, 30.0, match="^Sleep stage")[1] == "Sleep stage ?"
    with pytest.warns(RuntimeWarning, match=r"'Sleep stage \?' is labelled as the class 'N2' "
                      r"\(--window-labels 'N2=stage \[2\?\]\$'\), beside sleep stages"):  # fmt: skip
        assert window_labels(night, onsets, 30.0, match={"W": "W$", "N2": "stage [2?]$"})[1] == "N2"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert window_labels(night, onsets, 30.0, match="^Sleep stage [W1234R]$")[1] is None
        # no pattern: every annotation its own label, as asked (probe predict's scored stages
        # of a probe trained on epochs files)
        assert window_labels(night, onsets, 30.0)[3] == "Movement time"
        assert window_labels(night, onsets, 30.0, match=r"\?")[1] == "Sleep stage ?"
        labels = window_labels(night, onsets, 30.0, match={"W": "W$", "MT": "^Movement time$"})
        assert labels[3] == "MT"


def test_bad_windows_get_no_window_label_as_the_command_line_leaves_them_out():
    """A BAD_muscle span at 30-35 s inside eyes closed: the windows over it (28-32, 32-36 s,
    as emb.bad and probe train --window-labels have them) get no label, so ``labels == "EC"``
    selects no artefact window; label_bad=True labels them; the recording's own bad
    annotations (Embeddings.bad) count where the labels come from another file."""
    from eegpt.annotations import window_labels
    from eegpt.outputs import Embeddings

    states = mne.Annotations([0, 30, 60], [60, 5, 20], ["EC", "BAD_muscle", "EO"])
    onsets = np.arange(0, 80, 4.0)
    labels = window_labels(states, onsets, 4.0)
    bad = bad_windows(window_annotations(states, onsets, 4.0))  # the command line's rule
    assert np.flatnonzero(bad).tolist() == [7, 8]
    assert labels[7] is None and labels[8] is None
    assert labels[:7] == ["EC"] * 7 and labels[9:15] == ["EC"] * 6 and labels[15:] == ["EO"] * 5
    kept = window_labels(states, onsets, 4.0, label_bad=True)
    assert kept[7] == kept[8] == "EC"
    # the labels from a file without the bad span; the windows' own annotations hold it
    meta = {"preprocessing": {"window_seconds": 4.0}, "annotations": window_annotations(
        states, onsets, 4.0)}  # fmt: skip
    emb = Embeddings(np.zeros((20, 1, 4, 8), np.float32), onsets, meta)
    only = mne.Annotations([0, 60], [60, 20], ["EC", "EO"])
    labels = emb.window_labels(only)
    assert labels.tolist() == [v for v in window_labels(states, onsets, 4.0)]
    assert not emb[labels == "EC"].bad.any() and len(emb[labels == "EC"]) == 13
    assert emb.window_labels(only, label_bad=True)[[7, 8]].tolist() == ["EC", "EC"]
    with pytest.warns(RuntimeWarning, match=r"all overlap an annotation marked bad \(BAD_m"):
        none = window_labels(states, onsets[7:9], 4.0)
    assert none == [None, None]


def test_markers_of_states_become_spans_to_the_next_state_marker():
    """Eyes closed/open markers of no duration (a clinical system's): each state spans from its
    marker to the next state marker or the recording's end, so the windows between them are
    labelled and those across a change of state are not; other annotations stay."""
    from eegpt.annotations import markers_to_spans, window_labels

    info = mne.create_info(["Fz", "Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 8000)), info, first_samp=200, verbose=False)
    raw.set_meas_date(1e9)  # onsets count from sample 0, first_samp's 2 s included
    marks = mne.Annotations([6, 34, 46, 50, 62], [0, 0, 2, 0, 0], ["EC", "EO", "BAD_eye", "EC",
                            "Stimulus/S  1"], orig_time=raw.info["meas_date"])  # fmt: skip
    raw.set_annotations(marks)
    with pytest.warns(RuntimeWarning, match="markers_to_spans"):
        assert window_labels(raw.annotations, np.arange(2, 82, 4.0), 4.0, match="^E") == [
            None] * 20  # fmt: skip
    spans = markers_to_spans(raw, {"EC": "^EC$", "EO": "^EO$"})
    assert spans.orig_time == raw.annotations.orig_time
    got = sorted(zip(spans.onset, spans.duration, spans.description, strict=True))
    assert got == [(6, 28, "EC"), (34, 16, "EO"), (46, 2, "BAD_eye"), (50, 32, "EC"),
                   (62, 0, "Stimulus/S  1")]  # fmt: skip  # the last EC to the end, 82 s
    raw.set_annotations(spans)  # MNE takes them: within the recording
    labels = window_labels(spans, np.arange(2, 82, 4.0), 4.0, match={"EC": "EC", "EO": "EO"})
    assert labels[:1] == [None] and labels[1:8] == ["EC"] * 7  # 6-34 s; none before 6 s
    assert labels[8:11] == ["EO"] * 3 and labels[11] is None  # 46-50 s: BAD_eye
    assert labels[12:] == ["EC"] * 8
    same = markers_to_spans(marks, {"EC": "^EC$", "EO": "^EO$"}, end=82.0)
    assert same.duration.tolist() == spans.duration.tolist()
    with pytest.raises(ValueError, match="give end="):
        markers_to_spans(marks, {"EC": "^EC$"})
    with pytest.raises(ValueError, match=r"no annotation matches the states .*'BAD_eye'"):
        markers_to_spans(raw, {"closed": "eyes closed"})
    with pytest.raises(ValueError, match="already span time"):
        markers_to_spans(spans, {"EC": "^EC$"}, end=82.0)
    # no measurement date, first_samp > 0: MNE reports onsets from sample 0 but sets them from
    # the first sample; the spans come back in the latter, so set_annotations keeps them
    undated = mne.io.RawArray(np.zeros((2, 8000)), info, first_samp=200, verbose=False)
    undated.set_annotations(mne.Annotations([8, 36, 52], [0, 0, 0], ["EC", "EO", "EC"]))
    undated.set_annotations(markers_to_spans(undated, {"EC": "^EC$", "EO": "^EO$"}))
    assert undated.annotations.onset.tolist() == [10, 38, 54]  # as the markers were
    assert undated.annotations.duration.tolist() == [28, 16, 28]  # the last to the end, 82 s


def test_window_label_classes_merge_descriptions_and_add_up_over_a_window():
    """match={label: regex}: descriptions of one class share its label and their coverage adds
    up (1.5 s of fnsz + 1 s of gnsz hold 2.5 s of a 4 s window: seizure); the first class a
    description matches takes it."""
    from eegpt.annotations import window_labels

    spans = mne.Annotations(
        [0.0, 1.5, 4.0, 5.0, 8.0, 12.0], [1.5, 1.0, 1.0, 1.5, 4.0, 4.0],
        ["fnsz", "gnsz", "fnsz", "cpsz", "bckg", "BAD_x"],
    )  # fmt: skip
    onsets = np.array([0.0, 4.0, 8.0, 12.0])
    classes = {"seizure": "fnsz|gnsz|cpsz", "background": "bckg|sz"}
    assert window_labels(spans, onsets, 4.0, match=classes) == [
        "seizure", "seizure", "background", None,
    ]  # fmt: skip
    # per description, none of them covers half of the first two windows
    with pytest.warns(RuntimeWarning, match="cover no window"):
        assert window_labels(spans, onsets, 4.0, match="sz") == [None, None, None, None]
    # the first class matched: 'sz' of background also matches fnsz, but seizure comes first
    flipped = {"background": "bckg|sz", "seizure": "fnsz|gnsz|cpsz"}
    assert window_labels(spans, onsets, 4.0, match=flipped)[:3] == ["background"] * 3
    with pytest.warns(RuntimeWarning, match=r"matches match=\{'x': 'nothing'\}"):
        assert window_labels(spans, onsets, 4.0, match={"x": "nothing"}) == [None] * 4
    with pytest.raises(ValueError, match="at least one"):
        window_labels(spans, onsets, 4.0, match={})


def test_window_label_ties_go_to_the_earlier_span_and_a_tiny_min_overlap_takes_any():
    """As documented: an exact tie goes to the label whose annotation over the window starts
    first in time (not the first name alphabetically); a tiny min_overlap labels every window
    a matching annotation touches."""
    from eegpt.annotations import window_labels

    onsets = np.array([0.0, 4.0, 8.0, 12.0, 16.0])  # 8-12 s: 2 s of each span
    spans = mne.Annotations([10.0, 0.0, 17.0], [7.0, 10.0, 3.0], ["seiz", "bckg", "bckg"])
    assert window_labels(spans, onsets, 4.0)[2] == "bckg"
    later_first = mne.Annotations([0.0, 10.0], [10.0, 10.0], ["zz", "aa"])
    assert window_labels(later_first, onsets[:4], 4.0)[2] == "zz"
    any_overlap = window_labels(spans, onsets, 4.0, match={"seizure": "seiz|sz$"}, min_overlap=1e-6)
    assert any_overlap == [None, None, "seizure", "seizure", "seizure"]  # 16-20 s: 1 s of seiz


def test_overlapping_spans_of_one_class_cover_a_window_once():
    """A class covers a window by the union of its spans: the same seizure given twice (the
    EDF+ annotation and the .csv_bi) or on two channels with slightly different ends covers
    a window no more than the time it lasts there; different descriptions of one class still
    add up where they do not overlap."""
    from eegpt.annotations import union_length, window_labels

    onsets = np.arange(296.0, 316.0, 4.0)  # 308-312 holds 1 s of a seizure ending at 309 s
    twice = mne.Annotations([300.0, 300.0], [9.0, 9.0], ["seiz", "seiz"])
    assert window_labels(twice, onsets, 4.0, match="seiz") == [
        None, "seiz", "seiz", None, None
    ]  # fmt: skip
    channels = mne.Annotations([300.0, 300.2], [9.0, 9.0], ["seiz", "seiz"])  # 1.2 s of 308-312
    assert window_labels(channels, onsets, 4.0, match="seiz")[3] is None
    types = mne.Annotations([308.0, 309.0], [1.0, 1.5], ["fnsz", "gnsz"])  # 2.5 s: seizure
    assert window_labels(types, onsets, 4.0, match={"seizure": "sz$"})[3] == "seizure"
    assert union_length([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0), (5.5, 5.7)]) == 4.0


def test_no_window_label_warning_when_unlabelled_windows_are_labelled():
    """unlabelled_ok (--unlabelled background): no warning, not even a recorded one (probe.json
    keeps recorded ones), that no window got a label; annotations that match nothing (an
    all-bckg .csv_bi) say so accurately."""
    from eegpt._logging import recorded_warnings
    from eegpt.annotations import window_labels

    onsets = np.arange(0, 40, 4.0)
    bckg = mne.Annotations([0.0], [40.0], ["bckg"])
    with recorded_warnings() as texts, warnings.catch_warnings():
        warnings.simplefilter("error")
        assert window_labels(None, onsets, 4.0, unlabelled_ok=True) == [None] * 10
        assert window_labels(bckg, onsets, 4.0, match="seiz", unlabelled_ok=True) == [None] * 10
    assert texts == []
    with pytest.warns(RuntimeWarning, match=r"none of the 1 annotations lasts and matches "
                      r"match='seiz' \(descriptions: bckg\): right for a recording without "
                      r"such events"):  # fmt: skip
        window_labels(bckg, onsets, 4.0, match="seiz")


def test_annotations_saved_by_mne_without_a_start_count_from_the_first_sample(tmp_path):
    """MNE writes annotations without a start to CSV as times of 1970-01-01 and reads them
    back with a start that day: they are seconds from the first sample, not 56 years early."""
    from eegpt.annotations import in_recording_time

    mne.Annotations([10.5, 30.0], [5.0, 2.0], ["seiz", "x"]).save(tmp_path / "a.csv")
    read = mne.read_annotations(tmp_path / "a.csv")
    assert read.orig_time.year == 1970
    placed = in_recording_time(read, "2020-03-04T05:06:07+00:00", first_time=2.0)
    np.testing.assert_allclose(placed.onset, [10.5, 30.0])
    np.testing.assert_allclose(placed.duration, [5.0, 2.0])
    placed = in_recording_time(read, None, first_time=0.0)  # no measurement date: the same
    np.testing.assert_allclose(placed.onset, [10.5, 30.0])
    # a recording of that day itself places them by their times, as any dated annotations
    placed = in_recording_time(read, "1970-01-01T00:00:04+00:00", first_time=0.0)
    np.testing.assert_allclose(placed.onset, [6.5, 26.0])
    # a mark before the first sample and one 30 h in: written as 1969-12-31 and 1970-01-02
    mne.Annotations([-2.0, 108000.0], [1.0, 1.0], ["pre", "late"]).save(tmp_path / "b.csv")
    placed = in_recording_time(mne.read_annotations(tmp_path / "b.csv"), "2020-03-04", 0.0)
    np.testing.assert_allclose(placed.onset, [-2.0, 108000.0])
    # a date without a time zone is UTC, as MNE keeps dates
    utc = datetime.timezone.utc
    dated = mne.Annotations([1.0], [1.0], ["x"], orig_time=datetime.datetime(2020, 3, 4, 5, 6, 10, tzinfo=utc))  # fmt: skip
    np.testing.assert_allclose(in_recording_time(dated, "2020-03-04T05:06:07", 0.0).onset, [4.0])


def test_bids_events_and_tuh_label_files_are_read_as_annotations(tmp_path):
    """Tables MNE does not read: a BIDS *_events.tsv and a TUH EEG label file, onsets in
    seconds from the first sample; the same span of several channels is one annotation."""
    from eegpt.annotations import read_annotations

    events = tmp_path / "sub-01_task-rest_events.tsv"
    events.write_text(
        "onset\tduration\ttrial_type\tvalue\n"
        "1.5\t2.0\tseizure\t7\n"
        "10\tn/a\tspike\t3\n"
        "n/a\t1\tlost\t1\n"
    )
    found = read_annotations(events)
    assert found.orig_time is None
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (1.5, 2.0, "seizure"), (10.0, 0.0, "spike")
    ]  # fmt: skip
    labels = tmp_path / "aaaaaaac_s001_t000.csv_bi"
    labels.write_text(
        "# version = csv_v1.0.0\n# bname = aaaaaaac_s001_t000\n# duration = 301.00 secs\n#\n"
        "channel,start_time,stop_time,label,confidence\n"
        "FP1-F7,36.8868,183.3055,seiz,1.0000\n"
        "F7-T3,36.8868,183.3055,seiz,1.0000\n"
        "TERM,200.0000,210.5000,bckg,1.0000\n"
    )
    found = read_annotations(labels)
    np.testing.assert_allclose(found.onset, [36.8868, 200.0])
    np.testing.assert_allclose(found.duration, [183.3055 - 36.8868, 10.5])
    assert list(found.description) == ["seiz", "bckg"]
    other = tmp_path / "notes.tsv"
    other.write_text("a\tb\n1\t2\n")
    with pytest.raises(RecordingError, match="could not read annotations from"):
        read_annotations(other)


def _per_channel_csv(path, events, channels=("FP1-F7", "F7-T3", "T3-T5", "C3-P3")):
    """A TUSZ per-channel .csv of a 600 s recording: ``events`` maps a channel to its
    ``(start, stop, label)`` events, every channel's rest ``bckg``."""
    lines = ["# version = csv_v1.0.0", f"# bname = {path.stem}", "# duration = 600.00 secs", "#"]
    lines.append("channel,start_time,stop_time,label,confidence")
    for channel in channels:
        t = 0.0
        for start, stop, label in events.get(channel, []):
            lines += [f"{channel},{t:.4f},{start:.4f},bckg,1.0000"]
            lines += [f"{channel},{start:.4f},{stop:.4f},{label},1.0000"]
            t = stop
        lines.append(f"{channel},{t:.4f},600.0000,bckg,1.0000")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_tuh_per_channel_labels_are_read_as_the_recordings_events(tmp_path):
    """TUSZ's per-channel .csv: an event on any channel is an event of the recording (one
    label's spans merged across channels) and bckg holds only where no channel has an event,
    so windows inside a seizure on 2 of 4 channels are seizure, not background."""
    from eegpt.annotations import read_annotations, window_labels

    seiz = {"FP1-F7": [(300.0, 309.0, "seiz")], "F7-T3": [(300.2, 309.2, "seiz")]}
    found = read_annotations(_per_channel_csv(tmp_path / "perchan2.csv", seiz))
    assert list(found.description) == ["bckg", "seiz", "bckg"]
    np.testing.assert_allclose(found.onset, [0.0, 300.0, 309.2])
    np.testing.assert_allclose(found.duration, [300.0, 9.2, 290.8])
    onsets = np.arange(0, 600, 4.0)
    labels = window_labels(found, onsets, 4.0, match={"seizure": "^seiz$", "background": "^bckg$"})
    picked = {o: v for o, v in zip(onsets, labels, strict=True) if 296 <= o <= 312}
    assert picked == {296.0: "background", 300.0: "seizure", 304.0: "seizure",
                      308.0: "background", 312.0: "background"}  # fmt: skip
    types = {"FP1-F7": [(300.0, 309.0, "gnsz")], "C3-P3": [(302.0, 310.0, "fnsz")]}
    found = read_annotations(_per_channel_csv(tmp_path / "types.csv", types))
    assert list(found.description) == ["bckg", "gnsz", "fnsz", "bckg"]
    np.testing.assert_allclose(found.onset, [0.0, 300.0, 302.0, 310.0])
    np.testing.assert_allclose(found.duration, [300.0, 9.0, 8.0, 290.0])


def test_tuh_tse_label_files_are_read_as_annotations(model, tmp_path):
    """Older TUSZ releases label recordings in .tse/.tse_bi files (a version line, then
    'start stop label confidence' in seconds): one annotation per line, the confidence left
    out; embed(annotations=...) and window_labels take the file as they take a .csv_bi."""
    from eegpt.annotations import read_annotations

    tse = tmp_path / "00000258_s002_t000.tse"
    tse.write_text(
        "version = tse_v1.0.0\n\n"
        "0.0000 10.0000 bckg 1.0000\n"
        "10.0000 17.0000 fnsz 0.9000\n"
        "17.0000 60.0000 bckg 1.0000\n"
    )
    found = read_annotations(tse)
    assert found.orig_time is None
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (0.0, 10.0, "bckg"), (10.0, 7.0, "fnsz"), (17.0, 43.0, "bckg")
    ]  # fmt: skip
    binary = tmp_path / "00000258_s002_t000.tse_bi"
    binary.write_text("version = tse_v1.0.0\n\n0.0000 10.0000 bckg 1.0000\n10 17 seiz 1\n")
    assert list(read_annotations(binary).description) == ["bckg", "seiz"]
    emb = model.embed(annotated_raw(), annotations=tse)
    assert emb.annotations[2][-2:] == ["bckg", "fnsz"]  # the window from 8 s to 12 s
    assert emb.bad[3] and emb.window_labels(tse, match="sz")[3] is None  # over BAD_muscle
    assert emb.window_labels(tse, match="sz", label_bad=True)[3] == "fnsz"  # 12 s to 16 s


def test_an_annotation_file_that_is_not_there_is_said_to_be_missing(tmp_path, monkeypatch):
    """A missing file is named as missing, with the folder a relative path was looked for in
    and the close names there, not refused as a kind eegpt does not read (MNE's reader saying
    "fname does not exist" after the list of every kind read)."""
    from eegpt.annotations import read_annotations
    from eegpt.errors import MissingFileError

    (tmp_path / "labels.csv").write_text("onset,duration,description\n0,1,a\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingFileError) as err:
        read_annotations("label.csv")
    text = str(err.value)
    assert text.startswith(f"annotations file not found: label.csv (looked for in the working "
                           f"folder {Path.cwd()}); did you mean labels.csv?")  # fmt: skip
    assert "kinds eegpt reads" not in text and "MNE's reader" not in text
    with pytest.raises(FileNotFoundError, match=r"^annotations file not found: /no/x.csv$"):
        read_annotations("/no/x.csv")


def test_an_annotation_file_of_unknown_kind_is_refused_listing_the_kinds_read(tmp_path):
    """A file no reader takes says which kinds are read; TUH's montage-based .lbl says to use
    the recording's term-based .tse or .csv_bi."""
    from eegpt.annotations import read_annotations

    lbl = tmp_path / "00000258_s002_t000.lbl"
    lbl.write_text("version = lbl_v1.0.0\n\nmontage = 0, FP1-F7: EEG FP1-REF -- EEG F7-REF\n")
    with pytest.raises(RecordingError) as err:
        read_annotations(lbl)
    text = str(err.value)
    assert f"could not read annotations from {lbl}: it is none of the kinds eegpt reads" in text
    assert ".csv_bi, .csv, .tse, .tse_bi" in text and "BIDS *_events.tsv" in text
    assert "mne.read_annotations" in text
    assert "give the .tse or .csv_bi file of the same recording" in text
    other = tmp_path / "labels.xyz"
    other.write_text("something\n")
    with pytest.raises(RecordingError, match=r"labels.xyz: it is none of the kinds") as err:
        read_annotations(other)
    assert ".lbl" not in str(err.value)
    assert "Unknown annotation file format" not in str(err.value)


def test_a_hypnogram_in_another_file_labels_the_windows(model, weights, tmp_path, capsys):
    """Sleep-EDF keeps its stages in a separate file: embed(annotations=...) joins them to the
    recording's own (in the recording's time base, whatever the file's start), and
    Embeddings.window_labels makes one label per window; the command line takes the file too."""
    import datetime

    raw = annotated_raw()  # own annotations as in the tests above
    raw.set_meas_date(datetime.datetime(2024, 1, 1, 22, 0, tzinfo=datetime.timezone.utc))
    raw.crop(tmin=2.0)  # first sample 2 s after the measurement start
    start = raw.info["meas_date"]
    hypnogram = mne.Annotations([0.0, 30.0], [30.0, 30.0], ["Sleep stage W", "Sleep stage 2"],
                                orig_time=start)  # fmt: skip
    path = tmp_path / "hyp-annot.fif"
    hypnogram.save(path, verbose=False)
    emb = model.embed(raw, annotations=path)
    # window k spans 2 + 4k .. 6 + 4k s after the measurement start: stage 2 from window 7
    assert emb.annotations[0] == ["Sleep stage W"]  # 'eyes closed' at 1 s was cropped away
    assert emb.annotations[2] == ["BAD_muscle", "Sleep stage W"]  # own first, then added
    assert emb.annotations[7] == ["Sleep stage 2"]
    assert emb.bad.tolist() == model.embed(raw).bad.tolist()  # the recording's own still count
    labels = emb.window_labels(path, match="^Sleep stage")
    # the windows the recording's own bad annotations overlap (emb.bad) get no label
    assert labels[:7].tolist() == [None if b else "Sleep stage W" for b in emb.bad[:7]]
    assert labels[7] == "Sleep stage 2" and emb.bad[:7].any() and not emb.bad[7]
    every = emb.window_labels(path, match="^Sleep stage", label_bad=True)
    assert every[:7].tolist() == ["Sleep stage W"] * 7
    assert emb.window_labels(hypnogram, match="Sleep")[7] == "Sleep stage 2"  # Annotations
    relative = mne.Annotations([28.0], [30.0], ["Sleep stage 2"])  # from the first sample
    assert model.embed(raw, annotations=relative).annotations[7][-1] == "Sleep stage 2"
    with pytest.warns(RuntimeWarning, match="none of the 1 annotations given .* overlaps"):
        model.embed(raw, annotations=mne.Annotations([500.0], [30.0], ["Sleep stage 3"]))
    with pytest.raises(ValueError, match="annotations= applies to continuous recordings"):
        model.embed(mne.make_fixed_length_epochs(raw, 4.0, preload=True), annotations=path)
    staged = raw.copy().set_annotations(raw.annotations + mne.Annotations(
        [0.0], [30.0], ["Sleep stage W"], orig_time=raw.annotations.orig_time))  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"annotations of its own named like some of those "
                      r"given .*\['Sleep stage W'\]; both are kept"):  # fmt: skip
        model.embed(staged, annotations=path)
    with warnings.catch_warnings(record=True) as caught:  # none when the recording lacks them
        warnings.simplefilter("always")
        model.embed(raw, annotations=path)
    assert caught and not [w for w in caught if "named like" in str(w.message)]
    # the command line: one file per recording
    fif = tmp_path / "night_raw.fif"
    raw.save(fif, verbose=False)
    out = tmp_path / "night.parquet"
    args = ["embed", str(fif), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    assert main([*args, "--annotations", str(path)]) == 0
    written = load_embeddings(out)
    assert written.annotations[7] == ["Sleep stage 2"]
    assert written.metadata["annotations_file"] == str(path)  # which file was paired, kept
    assert f"{fif} (with the annotations of {path}) -> {out}" in capsys.readouterr().out
    assert main(["info", str(out)]) == 0
    assert f"night_raw.fif, with the annotations of {path}" in capsys.readouterr().out
    with pytest.raises(TypeError, match="annotations= takes one file"):
        model.embed(raw, annotations=[path, path])
    assert main([*args, "--annotations", str(path), "--annotations", str(path)]) == 1
    assert "2 --annotations files for 1 recording:" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the option first takes the recording too: explained
        main(["embed", "--annotations", str(path), str(fif), "--weights", str(weights)])
    assert "put it after the recordings" in capsys.readouterr().err


# ------------------------------------------------------------------------------ corpus runs


@pytest.fixture(scope="module")
def annotated_corpus(tmp_path_factory):
    """An annotated FIF file (15 windows, 4 bad) and an EDF file without annotations."""
    folder = tmp_path_factory.mktemp("annotated_corpus")
    annotated_raw().save(folder / "a_raw.fif", verbose=False)
    write_edf(synthetic_raw(minutes=0.5, seed=2)[0], folder / "b.edf")
    return folder


BAD = [2, 3, 6, 10]


def test_an_edf_hypnogram_is_placed_by_its_start_time(model, tmp_path):
    """Sleep-EDF's hypnograms are EDF+ files whose header gives their start; MNE reads their
    annotations without it (orig_time None), so a hypnogram starting 75 s after its recording,
    a cropped recording, or another night's file were placed at the first sample. eegpt reads
    the start from the header and places them by clock time."""
    import datetime

    edfio = pytest.importorskip("edfio")
    from eegpt.annotations import read_annotations

    night = datetime.datetime(2024, 1, 1, 22, 0, 0, tzinfo=datetime.timezone.utc)
    raw, _ = synthetic_raw(minutes=3.0, seed=7)
    raw.set_meas_date(night)
    psg = write_edf(raw, tmp_path / "SC4001E0-PSG.edf")

    def hypnogram(path, start):
        stages = [edfio.EdfAnnotation(0, 30, "Sleep stage W"),
                  edfio.EdfAnnotation(30, 30, "Sleep stage 2")]  # fmt: skip
        edfio.Edf([], starttime=start.time(), recording=edfio.Recording(startdate=start.date()),
                  annotations=stages).write(path)  # fmt: skip
        return path

    later = hypnogram(tmp_path / "SC4001EC-Hypnogram.edf", night + datetime.timedelta(seconds=75))
    assert mne.read_annotations(later).orig_time is None  # MNE's reading, the cause
    assert read_annotations(later).orig_time == night + datetime.timedelta(seconds=75)
    emb = model.embed(psg, annotations=later)  # W over 75-105 s, stage 2 over 105-135 s
    assert emb.annotations[17] == [] and emb.annotations[19] == ["Sleep stage W"]
    assert emb.annotations[26] == ["Sleep stage W", "Sleep stage 2"]  # 104-108 s
    labels = emb.window_labels(later, match="^Sleep stage")
    assert labels[18] is None and labels[19] == "Sleep stage W"  # 72-76 s: 1 s of W
    assert labels[26] == "Sleep stage 2" and labels[34] is None  # 3 s of stage 2; after: none
    cropped = mne.io.read_raw_edf(psg, preload=True, verbose=False).crop(40.0)
    emb = model.embed(cropped, annotations=later)  # window k: 40 + 4k s
    assert emb.window_labels(later, match="^Sleep")[9] == "Sleep stage W"  # 76-80 s
    assert emb.annotations[9] == ["Sleep stage W"]
    other = hypnogram(tmp_path / "SC4099E0-Hypnogram.edf", night + datetime.timedelta(days=7))
    with pytest.warns(RuntimeWarning, match="none of the 2 annotations given .* overlaps"):
        model.embed(psg, annotations=other)
    with pytest.warns(RuntimeWarning, match=r"window_labels: no window got a label: the 2 that "):
        emb.window_labels(other)
    with pytest.warns(RuntimeWarning, match=r"no window got a label: none of the 2 .* match='\^N'"):
        emb.window_labels(later, match="^N")
    with pytest.warns(RuntimeWarning, match=r"annotations given .* are the recording's own file"):
        itself = model.embed(psg, annotations=psg)  # the recording itself by mistake
    assert "annotations_file" not in itself.metadata  # it was not used as one
    # a damaged hypnogram is an error, as a missing one is, not "no annotations"
    damaged = tmp_path / "damaged-Hypnogram.edf"
    damaged.write_bytes(later.read_bytes()[:300] + b"\xff" * 400)
    truncated = tmp_path / "truncated-Hypnogram.edf"
    truncated.write_bytes(later.read_bytes()[:500])
    stages = [edfio.EdfAnnotation(30 * k, 30, f"Sleep stage {'W123'[k % 4]}") for k in range(40)]
    long_hyp = tmp_path / "long-Hypnogram.edf"
    edfio.Edf([], starttime=night.time(), recording=edfio.Recording(startdate=night.date()),
              annotations=stages).write(long_hyp)  # fmt: skip
    assert len(read_annotations(long_hyp)) == 40
    cut = tmp_path / "cut-Hypnogram.edf"  # cut in its data records: annotations lost
    cut.write_bytes(long_hyp.read_bytes()[: long_hyp.stat().st_size // 2])
    with pytest.raises(RecordingError, match=r"cut-Hypnogram.edf: the file is truncated: it holds "
                       r"\d+ complete data records of the \d+ its header announces"):  # fmt: skip
        read_annotations(cut)
    for broken in (damaged, truncated, cut):
        with pytest.raises(
            RecordingError, match=rf"could not read annotations from .*{broken.name}"
        ):
            model.embed(psg, annotations=broken)
        with pytest.raises(RecordingError, match="could not read annotations"):
            emb.window_labels(broken)
    # a day off (a night past midnight whose date was not advanced): where they lie is said
    day_off = hypnogram(tmp_path / "dayoff-Hypnogram.edf", night - datetime.timedelta(days=1))
    with pytest.warns(RuntimeWarning, match=r"overlaps a window: .*They lie from -24:00:00 to "
                      r"-23:59:00, the windows from 0 s to 0:03:00"):  # fmt: skip
        model.embed(psg, annotations=day_off)
    with pytest.raises(RecordingError, match="the file has no signals, only annotations.*"
                       "--annotations FILE"):  # fmt: skip
        model.embed(later)
    # a corpus run keeps each recording's time base: labels afterwards are the same
    manifest = tmp_path / "nights.csv"
    manifest.write_text(f"path,annotations_file\n{psg.name},{later.name}\n")
    embed_dataset(manifest, tmp_path / "out", model=model, workers=0, progress=False)
    again = load_embeddings(tmp_path / "out", recording_id=psg.name)
    assert again.metadata["meas_date"] == night.isoformat()
    assert again.annotations == model.embed(psg, annotations=later).annotations
    assert again.window_labels(later, match="^Sleep stage").tolist() == labels.tolist()


def test_a_corpus_manifest_pairs_recordings_with_annotation_files(
    annotated_corpus, model, tmp_path
):
    """A manifest's annotations_file column (Sleep-EDF: each PSG with its hypnogram): the rows
    carry those annotations too, and flag and leave out windows as the recording's own do."""
    pd = pytest.importorskip("pandas")
    hypnogram = mne.Annotations([0.0, 8.0], [8.0, 4.0], ["Sleep stage W", "BAD_arousal"])
    hypnogram.save(tmp_path / "b-annot.fif", verbose=False)
    manifest = tmp_path / "night.csv"
    manifest.write_text(
        f"path,annotations_file\n{annotated_corpus / 'b.edf'},b-annot.fif\n"
        f"{annotated_corpus / 'a_raw.fif'},\n"
    )
    out = tmp_path / "out"
    embed_dataset(manifest, out, model=model, workers=0, progress=False, reject_by_annotation=True)
    df = pd.read_parquet(out)
    b = df[df.recording_id.str.endswith("b.edf")]
    assert [list(a) for a in b.annotations[:2]] == [["Sleep stage W"], ["Sleep stage W"]]
    assert 2 not in b.window.tolist()  # 8-12 s: BAD_arousal, left out
    direct = model.embed(annotated_corpus / "b.edf", annotations=tmp_path / "b-annot.fif",
                         reject_by_annotation=True, device="cpu")  # fmt: skip
    assert b.window.tolist() == direct.metadata["window_index"]
    a = df[df.recording_id.str.endswith("a_raw.fif")]
    assert not any("Sleep stage W" in list(x) for x in a.annotations)  # its cell was empty
    rid = b.recording_id.iloc[0]  # one recording read back names its annotations file
    one = load_embeddings(out, recording_id=rid)
    assert one.metadata["annotations_file"] == str(tmp_path / "b-annot.fif")
    assert (
        "annotations_file" not in load_embeddings(out, recording_id=a.recording_id.iloc[0]).metadata
    )
    # a path that is not there is said before the run; that recording fails with the reason
    manifest.write_text(f"path,annotations_file\n{annotated_corpus / 'b.edf'},nope.fif\n")
    with pytest.warns(RuntimeWarning, match=r"1 annotations_file not found \(.*nope.fif\)"):
        summary = embed_dataset(manifest, tmp_path / "o2", model=model, workers=0, progress=False)
    assert summary.n_failed == 1


def test_corpus_rows_flag_bad_windows(annotated_corpus, model, tmp_path):
    pd = pytest.importorskip("pandas")
    summary = embed_dataset(annotated_corpus, tmp_path / "out", model=model, workers=0,
                            progress=False)  # fmt: skip
    assert summary.warned.get("windows over bad annotations") == 1
    df = pd.read_parquet(tmp_path / "out")
    fif, edf = df[df.recording_id == "a_raw.fif"], df[df.recording_id == "b.edf"]
    assert fif.window.tolist() == list(range(15)) and fif.bad.tolist() == [
        i in BAD for i in range(15)
    ]
    assert list(fif.annotations.iloc[2]) == ["BAD_muscle"] and len(edf) == 7
    assert not edf.bad.any() and all(len(a) == 0 for a in edf.annotations)


def test_corpus_reject_by_annotation(annotated_corpus, model, weights, tmp_path):
    pd = pytest.importorskip("pandas")
    pq = pytest.importorskip("pyarrow.parquet")  # here, not at the top: test_io imports helpers
    out = tmp_path / "out"
    code = main(["embed-dataset", str(annotated_corpus), "-o", str(out), "--weights", str(weights),
                 "--workers", "0", "--reject-by-annotation", "-q"])  # fmt: skip
    assert code == 0
    df = pd.read_parquet(out)
    fif = df[df.recording_id == "a_raw.fif"]
    kept = [i for i in range(15) if i not in BAD]
    assert fif.window.tolist() == kept and not fif.bad.any()
    one = model.embed(annotated_corpus / "a_raw.fif", device="cpu", reject_by_annotation=True)
    np.testing.assert_array_equal(fif.onset_s.to_numpy(), one.onsets)
    np.testing.assert_allclose(np.stack(fif.embedding.to_numpy()),
                               one.data.reshape(len(one), -1), **OTHER_BATCHES)  # fmt: skip
    settings = json.loads(pq.read_schema(out / "shard-00000.parquet").metadata[b"eegpt"])
    assert settings["reject_by_annotation"] is True
    with pytest.raises(ValueError, match=r"reject_by_annotation \(True -> False\)"):
        embed_dataset(annotated_corpus, out, model=model, workers=0, progress=False)
    with pytest.raises(ValueError, match="is a shard of an embed-dataset run"):
        load_embeddings(out / "shard-00000.parquet")
    with pytest.raises(ValueError, match=r"is a folder.*read_embeddings\(folder\)"):
        load_embeddings(out)
    files = pd.read_csv(out / "_files.csv")
    assert files.set_index("recording_id").loc["a_raw.fif", "n_windows_left_out"] == 4


def test_runs_from_before_layout_2_resume_in_their_layout(
    annotated_corpus, model, tmp_path, monkeypatch
):
    pd = pytest.importorskip("pandas")
    out = tmp_path / "out"
    new_spec = eegpt.dataset._run_spec

    def old_spec(*args, **kwargs):
        spec = new_spec(*args, **kwargs)
        del spec["layout"]
        return spec

    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", old_spec)
        embed_dataset(annotated_corpus, out, model=model, workers=0, shard_size=1,
                      progress=False)  # fmt: skip
    (out / "shard-00001.parquet").unlink()
    again = embed_dataset(annotated_corpus, out, model=model, workers=0, shard_size=1,
                          progress=False)  # fmt: skip
    assert (again.shards_written, again.shards_skipped) == (1, 1)
    df = pd.read_parquet(out)  # one schema for all shards
    assert "bad" not in df.columns and "event" not in df.columns and len(df) == 15 + 7


def test_corpus_epochs_files_keep_event_names_and_their_length(model, tmp_path):
    pd = pytest.importorskip("pandas")
    raw = annotated_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    events[1::2, 2] = 2
    epochs = mne.Epochs(raw, events, {"rest": 1, "task": 2}, tmin=0.0, tmax=4.0 - 1 / 250,
                        baseline=None, reject_by_annotation=False, verbose=False)  # fmt: skip
    folder = tmp_path / "in"
    folder.mkdir()
    epochs.save(folder / "s01-epo.fif", verbose=False)
    summary = embed_dataset(folder, tmp_path / "out", model=model, workers=0,
                            reject_by_annotation=True, progress=False)  # fmt: skip
    assert summary.hours == pytest.approx(15 * 4.0 / 3600)  # all epochs, not one
    assert summary.windows == 11 and summary.windows_left_out == 4
    assert "(4 more left out over bad annotations)" in str(summary)
    df = pd.read_parquet(tmp_path / "out")
    expected = ["rest", "task"] * 7 + ["rest"]
    assert df["event"].tolist() == [e for i, e in enumerate(expected) if i not in BAD]


def test_corpus_epochs_files_keep_their_metadata(model, tmp_path, monkeypatch):
    """The shards' epochs_metadata column holds each epoch's epochs.metadata row (after
    rejection, in both engines' path through WindowInfo); read_embeddings spreads it into
    columns; a raw file in the same corpus gets missing values; a layout-2 run resumes
    without the column."""
    pd = pytest.importorskip("pandas")
    raw = annotated_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    n = len(events)
    metadata = pd.DataFrame({
        "trial": np.arange(100, 100 + n),
        "rt": np.linspace(0.25, 0.75, n),
        "condition": ["a", "b", "c"] * (n // 3),
        "event": ["x"] * n,  # clashes with the shards' own event column
        "embedding": [0.5] * n,  # ... and embedding, which read_embeddings does not return
    })  # fmt: skip
    epochs = mne.Epochs(raw, events, tmin=0.0, tmax=4.0 - 1 / 250, baseline=None,
                        reject_by_annotation=False, metadata=metadata, verbose=False)  # fmt: skip
    folder = tmp_path / "in"
    folder.mkdir()
    epochs.save(folder / "s01-epo.fif", verbose=False)
    # as MNE reads it back (it stores metadata as JSON with 10 significant digits)
    metadata = mne.read_epochs(folder / "s01-epo.fif", verbose=False).metadata
    write_edf(synthetic_raw(minutes=0.2, seed=2)[0], folder / "s02.edf")
    out = tmp_path / "out"
    embed_dataset(folder, out, model=model, workers=0, reject_by_annotation=True,
                  shard_size=1, progress=False)  # fmt: skip
    kept = [i for i in range(n) if i not in BAD]
    df = pd.read_parquet(out)
    epo = df[df.recording_id == "s01-epo.fif"]
    rows = [json.loads(t) for t in epo["epochs_metadata"]]
    assert [r["trial"] for r in rows] == [100 + i for i in kept]
    assert [r["rt"] for r in rows] == metadata["rt"][kept].tolist()  # every digit
    assert df[df.recording_id == "s02.edf"]["epochs_metadata"].isna().all()
    table, emb = eegpt.dataset.read_embeddings(out)
    assert "epochs_metadata" not in table and len(emb) == len(table)
    part = table[table.recording_id == "s01-epo.fif"]
    assert part["trial"].tolist() == [100 + i for i in kept]
    assert part["condition"].tolist() == metadata["condition"][kept].tolist()
    assert part["metadata_event"].tolist() == ["x"] * len(kept)
    assert part["event"].tolist() == ["1"] * len(kept)  # the event name stays as it was
    assert part["metadata_embedding"].tolist() == [0.5] * len(kept)
    assert table["trial"].dtype == "Int64"  # integers, missing for the EDF file's rows
    assert table[table.recording_id == "s02.edf"]["trial"].isna().all()
    # names do not depend on the selection: event and embedding are the shards' own names
    some, _ = eegpt.dataset.read_embeddings(out, columns=["recording_id", "epochs_metadata"])
    assert {"metadata_event", "metadata_embedding", "trial"} <= set(some.columns)
    assert "event" not in some and "embedding" not in some
    # metadata names can be selected like any column; unknown names say what there is
    picked, _ = eegpt.dataset.read_embeddings(out, columns=["trial", "window"])
    assert list(picked.columns) == ["trial", "window"] and picked["trial"].dtype == "Int64"
    with pytest.raises(KeyError, match=r"no column\(s\) \['tiral'\].*epochs.metadata columns"):
        eegpt.dataset.read_embeddings(out, columns=["tiral"])
    raw_json, _ = eegpt.dataset.read_embeddings(out, expand_metadata=False)
    assert raw_json["epochs_metadata"].tolist() == df["epochs_metadata"].tolist()
    # a run of the layout before the column resumes in that layout
    old = tmp_path / "old"
    new_spec = eegpt.dataset._run_spec

    def layout_2(*args, **kwargs):
        return dict(new_spec(*args, **kwargs), layout=2)

    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", layout_2)
        embed_dataset(folder, old, model=model, workers=0, shard_size=1, progress=False)
    (old / "shard-00001.parquet").unlink()
    again = embed_dataset(folder, old, model=model, workers=0, shard_size=1, progress=False)
    assert (again.shards_written, again.shards_skipped) == (1, 1)
    assert "epochs_metadata" not in pd.read_parquet(old).columns
    assert "event" in pd.read_parquet(old).columns


def test_corpus_file_with_every_window_bad_is_ok_and_empty(model, tmp_path):
    pd = pytest.importorskip("pandas")
    raw, _ = synthetic_raw(minutes=0.2, seed=1)
    raw.set_annotations(mne.Annotations([0.0], [raw.times[-1]], ["BAD_all"]))
    folder = tmp_path / "in"
    folder.mkdir()
    raw.save(folder / "all_bad_raw.fif", verbose=False)
    write_edf(synthetic_raw(minutes=0.2, seed=2)[0], folder / "fine.edf")
    summary = embed_dataset(folder, tmp_path / "out", model=model, workers=0,
                            reject_by_annotation=True, progress=False)  # fmt: skip
    assert (summary.n_ok, summary.n_failed, summary.windows) == (2, 0, 3)
    files = pd.read_csv(tmp_path / "out" / "_files.csv").set_index("recording_id")
    assert files.loc["all_bad_raw.fif", "n_windows"] == 0
    assert files.loc["all_bad_raw.fif", "n_windows_left_out"] == 3
    assert "none was embedded" in files.loc["all_bad_raw.fif", "warnings"]


def test_dropped_epochs_keep_their_trial_index(model, tmp_path):
    """After epochs.drop(...), the window index is epochs.selection (each epoch's index among
    its events), through rejection too, in the API, the saved file and corpus runs."""
    pd = pytest.importorskip("pandas")
    raw = annotated_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    epochs = mne.Epochs(raw, events, tmin=-0.5, tmax=3.5 - 1 / 250, baseline=None,
                        reject_by_annotation=False, preload=True, verbose=False)  # fmt: skip
    epochs.drop([0, 5], verbose=False)
    selection = epochs.selection.tolist()
    with pytest.warns(RuntimeWarning, match="marked bad"):
        emb = model.embed(epochs, device="cpu")
    assert emb.metadata["window_index"] == selection
    # onsets are the epochs' starts: event time + tmin
    np.testing.assert_allclose(emb.onsets, events[selection, 0] / 250 - 0.5)
    emb.save(tmp_path / "e.parquet")
    assert pd.read_parquet(tmp_path / "e.parquet")["window"].tolist() == selection
    kept = model.embed(epochs, device="cpu", reject_by_annotation=True)
    bad = emb.bad
    assert kept.metadata["window_index"] == [
        s for s, b in zip(selection, bad, strict=True) if not b
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    epochs.save(folder / "s01-epo.fif", verbose=False)
    embed_dataset(folder, tmp_path / "out", model=model, workers=0, progress=False)
    assert pd.read_parquet(tmp_path / "out")["window"].tolist() == selection


def test_epochs_metadata_follows_the_windows_into_files(model, tmp_path):
    """epochs.metadata comes out as Embeddings.epochs_metadata, one row per window (after
    epochs.drop and reject_by_annotation too), and as Parquet columns; npz and Parquet both
    give it back."""
    pd = pytest.importorskip("pandas")
    raw = annotated_raw()
    events = mne.make_fixed_length_events(raw, duration=4.0)
    n = len(events)
    metadata = pd.DataFrame(
        {
            "condition": ["a", "b", "c"] * (n // 3),
            "rt": np.linspace(0.3, 0.9, n),
            "trial": np.arange(100, 100 + n),
            "label": ["x"] * n,  # clashes with a column eegpt writes
            "metadata_label": ["y"] * n,  # ... and with the name that clash would take
            "mixed": [1, "two"] * (n // 2) + [3.5] * (n % 2),
            "amplitude": 1.23456789e-6 * np.arange(n) + 1e-12,  # volts: every digit counts
            "stimulus": pd.Categorical(["tone", "flash", "tone"] * (n // 3)),
            "level": pd.Categorical(  # ordered, categories not sorted, one unused
                ["low", "high", "mid"] * (n // 3), ["low", "mid", "high", "max"], ordered=True
            ),
            "time": pd.date_range("2024-05-01 10:00", periods=n, freq="4s", tz="UTC"),
            "score": pd.array([1, None] * (n // 2) + [3] * (n % 2), dtype="Int64"),
            "eegpt_d0": np.zeros(n),  # named like a pooled feature of to_data_frame
        },
        index=np.arange(10, 10 + n),  # MNE keeps any index; rows follow positions
    )
    epochs = mne.Epochs(raw, events, tmin=0.0, tmax=4.0 - 1 / 250, baseline=None,
                        reject_by_annotation=False, preload=True, metadata=metadata,
                        verbose=False)  # fmt: skip
    epochs.drop([0, 5], verbose=False)
    expected = epochs.metadata  # MNE's own index (its labels survive drop)
    pd.testing.assert_frame_equal(
        expected.reset_index(drop=True), metadata.iloc[epochs.selection].reset_index(drop=True)
    )
    assert expected.index.tolist() == epochs.selection.tolist()
    with pytest.warns(RuntimeWarning, match="marked bad"):
        emb = model.embed(epochs, device="cpu")
    got = emb.epochs_metadata
    pd.testing.assert_frame_equal(got, expected)  # values, dtypes and index, every digit
    record = emb.metadata["epochs_metadata"]
    older = {k: v for k, v in record.items() if k != "index"}  # files from before the index
    assert metadata_frame(older).index.equals(pd.RangeIndex(len(expected)))
    for name in ("e.npz", "e.parquet"):
        back = load_embeddings(emb.save(tmp_path / name)).epochs_metadata
        pd.testing.assert_frame_equal(back, got)
    frame = pd.read_parquet(tmp_path / "e.parquet")
    assert frame["condition"].tolist() == expected["condition"].tolist()
    assert frame["trial"].dtype == np.int64 and frame["rt"].dtype == np.float64
    assert frame["metadata_label_2"].tolist() == ["x"] * len(expected)
    assert frame["metadata_label"].tolist() == ["y"] * len(expected)
    assert frame["amplitude"].tolist() == expected["amplitude"].tolist()
    assert frame["stimulus"].dtype == "category" and str(frame["time"].dt.tz) == "UTC"
    assert frame["score"].dtype == "Int64"  # pandas' own record of dtypes is in the file
    assert frame["score"].isna().tolist() == expected["score"].isna().tolist()
    assert frame["level"].dtype == expected["level"].dtype  # order and categories
    assert frame["mixed"].tolist() == [str(v) for v in expected["mixed"]]  # mixed: as text
    table = emb.to_data_frame()  # the same table in memory
    assert table.drop(columns="embedding").equals(frame.drop(columns="embedding"))
    np.testing.assert_array_equal(np.stack(table["embedding"]), np.stack(frame["embedding"]))
    wide = emb.to_data_frame(pooling="mean")
    assert wide.columns[-1] == f"eegpt_d{emb.data.shape[-1] - 1}" and "embedding" not in wide
    features = [f"eegpt_d{k}" for k in range(emb.data.shape[-1])]
    np.testing.assert_array_equal(wide[features].to_numpy(), emb.pooled("mean"))
    assert wide["condition"].tolist() == expected["condition"].tolist()
    assert wide.columns.is_unique and (wide["metadata_eegpt_d0"] == 0).all()
    # rejection leaves out the rows of the windows it leaves out
    kept = model.embed(epochs, device="cpu", reject_by_annotation=True)
    assert kept.epochs_metadata["trial"].tolist() == expected["trial"][~emb.bad].tolist()
    assert pd.read_parquet(kept.save(tmp_path / "k.parquet"))["trial"].tolist() == (
        expected["trial"][~emb.bad].tolist()
    )
    # selecting afterwards (emb[mask]) gives the same windows, metadata rows and indices
    clean = emb[~emb.bad]
    np.testing.assert_array_equal(clean.data, kept.data)
    np.testing.assert_array_equal(clean.onsets, kept.onsets)
    for key in ("labels", "annotations", "window_index"):
        assert clean.metadata[key] == kept.metadata[key], key
    pd.testing.assert_frame_equal(clean.epochs_metadata, kept.epochs_metadata)
    assert emb[:2].metadata["window_index"] == emb.metadata["window_index"][:2]
    last = emb[-1]
    assert len(last) == 1 and last.onsets[0] == emb.onsets[-1]
    assert last.epochs_metadata.index.tolist() == [expected.index[-1]]
    assert len(emb[emb.metadata["labels"][0]]) == len(emb)  # by event name
    with pytest.raises(KeyError, match="'nope' is not a label of these windows"):
        emb["nope"]
    with pytest.raises(IndexError):
        emb[np.ones(3, dtype=bool)]
    # inputs without metadata: none
    plain = model.embed(raw, device="cpu", verbose="error")
    assert plain.epochs_metadata is None and "epochs_metadata" not in plain.metadata


def test_embeddings_are_selected_by_event_tags_as_mne_epochs_are():
    from eegpt.outputs import Embeddings

    labels = ["aud/left", "aud/right", "vis/left", "vis/right"]
    emb = Embeddings(np.zeros((4, 2, 2, 3), np.float32), np.arange(4.0), {"labels": labels})
    assert emb["aud"].metadata["labels"] == ["aud/left", "aud/right"]
    assert emb["left"].onsets.tolist() == [0.0, 2.0]
    assert emb["vis/right"].metadata["window_index"] == [3]
    assert emb[["aud/left", "vis"]].metadata["labels"] == ["aud/left", "vis/left", "vis/right"]
    assert len(emb[[0, 2]]) == 2 and len(emb[[]]) == 0
    with pytest.raises(KeyError, match="'touch' is not a label of these windows"):
        emb["touch"]
    with pytest.raises(KeyError, match="no labels"):
        Embeddings(emb.data, emb.onsets, {})["aud"]


def test_an_unknown_label_among_hundreds_names_the_closest_few_and_the_count():
    """emb["trail/007"] among 300 event names listed every one of them (4 kB of labels): the
    refusal names how many there are and the closest few (a label or a tag of one), or the
    first few where none is close; emb["Stimulus"] on windows of 300 annotation descriptions
    gives their count and the first 8."""
    from eegpt.outputs import Embeddings

    labels = [f"trial/{k:03d}" for k in range(300)] + ["Stimulus/S  1"]
    emb = Embeddings(np.zeros((301, 2, 2, 3), np.float32), np.arange(301.0), {"labels": labels})
    with pytest.raises(KeyError) as err:
        emb["trail/007"]
    text = str(err.value)
    assert "'trail/007' is not a label of these windows (301 different labels; the closest: " \
        "'trial/007', " in text and "'trial/299'" not in text and len(text) < 300  # fmt: skip
    with pytest.raises(KeyError, match=r"the closest: 'Stimulus/S  1', 'Stimulus'\)"):
        emb["Stimulus/S 1"]
    with pytest.raises(KeyError, match=r"none close to it; the first: 'Stimulus/S  1', "
                       r"'trial/000', .* and 296 more\)"):  # fmt: skip
        emb["xyz"]
    marked = {"annotations": [[f"mark {k}"] for k in range(300)]}
    bare = Embeddings(np.zeros((300, 2, 2, 3), np.float32), np.arange(300.0), marked)
    with pytest.raises(KeyError) as err:
        bare["Stimulus"]
    text = str(err.value)
    assert "(emb.annotations hold 300 different description(s): 'mark 0', " in text
    assert "'mark 7' and 292 more)" in text and "'mark 8'" not in text


def test_verbose_error_silences_eegpt_warnings(model):
    """As in MNE: verbose='error' keeps a call's warnings quiet; the default shows them."""
    raw = annotated_raw()
    with pytest.warns(RuntimeWarning, match="marked bad"):
        model.embed(raw, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning would fail the test
        quiet = model.embed(raw, device="cpu", verbose="error")
    assert quiet.bad.any()  # flagged all the same
    with pytest.warns(RuntimeWarning, match="marked bad"):  # and only inside that call
        model.embed(raw, device="cpu", verbose="warning")


def test_a_brainvision_pause_marks_the_window_over_it(tmp_path):
    """BrainVision's "New Segment" marker opens a file and marks every resumed recording: the one
    at the first sample flags nothing, one inside a window flags it (its samples on either side
    were never adjacent)."""
    info = mne.create_info(["Fp1", "Cz", "O1"], 256.0, "eeg")
    raw = mne.io.RawArray(
        np.random.default_rng(1).normal(0, 1e-5, (3, 256 * 20)), info, verbose=False
    )
    # MNE reads a marker of size 1 as one sample long: a mark at a window's start still
    # leaves that window contiguous (12 s), one inside a window does not (10 s)
    marks = mne.Annotations([0.0, 10.0, 12.0], [1 / 256] * 3, ["New Segment/"] * 3)
    raw.set_annotations(marks)
    per_window = annotations_per_window(as_recording(raw), np.arange(0.0, 16.1, 4.0), 4.0)
    assert per_window == [[], [], ["New Segment/"], [], []]
    assert bad_windows(per_window).tolist() == [False, False, True, False, False]


def test_an_eeglab_cut_on_a_window_edge_flags_only_windows_across_it(model, tmp_path):
    """EEGLAB writes a cut between samples k - 1 and k half a sample before k (latency k + 0.5,
    1-based; MNE reads 1023.500032 samples for 1024.5): the windows that end at sample k - 1 or
    start at k hold contiguous samples, and only a window with samples on both sides is bad."""
    sfreq = 256.0
    info = mne.create_info(["Fp1", "Cz", "O1"], sfreq, "eeg")
    raw = mne.io.RawArray(
        np.random.default_rng(2).normal(0, 1e-5, (3, 256 * 20)), info, verbose=False
    )
    # cuts 1023|1024 and 2047|2048 (window edges), 3000|3001 (inside window 2: 2048..3071)
    cuts = np.array([1023.500032, 2047.500032, 3000.500032]) / sfreq
    raw.set_annotations(mne.Annotations(cuts, [0.0] * 3, ["boundary"] * 3))
    onsets = np.arange(0.0, 16.1, 4.0)
    per_window = annotations_per_window(as_recording(raw), onsets, 4.0)
    assert bad_windows(per_window).tolist() == [False, False, True, False, False]
    # windows 2 s apart: [2, 6) holds 1023|1024, [6, 10) holds 2047|2048
    halves = window_annotations(raw.annotations, np.arange(0.0, 14.1, 2.0), 4.0)
    assert bad_windows(halves).tolist() == [False, True, False, True, True, True, False, False]
    # a cut at a sample (as BrainVision places one) lies just before it, the same way
    at_sample = mne.Annotations([1024 / sfreq, 3001 / sfreq], [0.0, 0.0], ["boundary"] * 2)
    assert bad_windows(window_annotations(at_sample, onsets, 4.0)).tolist() == [
        False, False, True, False, False,
    ]  # fmt: skip
    emb = model.embed(raw, device="cpu", reject_by_annotation=True, verbose="error")
    assert emb.onsets.tolist() == [0.0, 4.0, 12.0, 16.0]
    assert emb.metadata["rejected_by_annotation"] == [8.0]
    # windows at another rate end their last sample a sample of theirs before the next start
    slow = mne.io.RawArray(raw.get_data()[:, ::2], mne.create_info(raw.ch_names, 128.0, "eeg"))
    slow.set_annotations(mne.Annotations([511.5 / 128], [0.0], ["boundary"]))  # 511|512
    with pytest.warns(UserWarning, match="EEGPT was pretrained at 256 Hz"):
        config = PreprocessingConfig(sfreq=128.0)
    at_128 = model.embed(slow, device="cpu", preprocessing=config, verbose="error")
    assert not at_128.bad.any()
    # a cut 2.5 ms before a window's end at 1000 Hz: the window holds samples after it (its
    # last at 1 ms before its end), though not at the model's 256 Hz (3.9 ms before); the
    # next window, 2.5 ms after it, is within the 1000 -> 256 Hz resampling filter's reach
    # (39 ms) of it, its first samples mixed from both sides: flagged too
    noise = np.random.default_rng(3).normal(0, 1e-5, (3, 1000 * 20))
    fast = mne.io.RawArray(noise, mne.create_info(raw.ch_names, 1000.0, "eeg"), verbose=False)
    fast.set_annotations(mne.Annotations([7.9975], [0.0], ["boundary"]))
    at_1000 = model.embed(fast, device="cpu", verbose="error")
    assert at_1000.bad.tolist() == [False, True, True, False, False]
    fast.set_annotations(mne.Annotations([7.9], [0.0], ["boundary"]))  # 100 ms: beyond reach
    assert model.embed(fast, device="cpu", verbose="error").bad.tolist() == [
        False, True, False, False, False,
    ]  # fmt: skip
    # a corpus run judges the cut at the windows' rate too
    from eegpt import embed_dataset, read_embeddings

    slow.save(tmp_path / "slow_raw.fif", verbose="error")
    out = tmp_path / "run"
    embed_dataset([tmp_path / "slow_raw.fif"], out, model=model, preprocessing=config,
                  progress=False, verbose="error")  # fmt: skip
    table, _ = read_embeddings(out)
    assert len(table) == 5 and not table["bad"].any()


@pytest.mark.parametrize("marker_s", [0.0, 1 / 256])  # in memory; as MNE reads a .vmrk
def test_brainvision_markers_select_the_windows_they_fall_in(model, marker_s):
    """Stimulus markers last no time (or one sample, as MNE reads a BrainVision marker of size
    1), so they label no window; the windows they fall in list them among their annotations.
    Selecting by a marker's name says how to select those windows, and the code it gives works;
    window_labels says plainly that markers do not span time, and gives the same code."""
    info = mne.create_info(["Fz", "Cz", "Pz"], 256.0, "eeg")
    x = np.random.default_rng(3).normal(0, 1e-5, (3, 256 * 20))
    raw = mne.io.RawArray(x, info, verbose=False)
    names = ["New Segment/", "Stimulus/S  1", "Response/R  1", "Stimulus/S  1", "Stimulus/S  2"]
    raw.set_annotations(mne.Annotations([0.0, 1.0, 5.5, 6.0, 13.0], [marker_s] * 5, names))
    emb = model.embed(raw, device="cpu", verbose="error")  # windows of 0-4, 4-8 ... 16-20 s
    assert emb.annotations == [["Stimulus/S  1"], ["Response/R  1", "Stimulus/S  1"], [],
                               ["Stimulus/S  2"], []]  # fmt: skip
    for key, windows in (("Stimulus/S  1", [0, 1]), ("Stimulus", [0, 1, 3])):
        with pytest.raises(KeyError, match="no labels") as err:
            emb[key]
        code = re.search(r"(emb\[\[.*? for a in emb\.annotations\]\])", str(err.value))[1]
        assert eval(code).metadata["window_index"] == windows  # the code the message gives
        assert "annotations that span time" in str(err.value)
    with pytest.raises(KeyError, match=r"No annotation over the windows is named 'seizure'"):
        emb["seizure"]
    with pytest.raises(KeyError, match=r"named 'Stimulus/S 1' .* Did you mean 'Stimulus/S  1'"):
        emb["Stimulus/S 1"]  # one space short
    with pytest.warns(RuntimeWarning, match="no window got a label") as said:
        labels = emb.window_labels(raw, match="Stimulus/S  1")
    assert labels.tolist() == [None] * 5
    text = str(said[0].message)
    assert ("have zero duration" if marker_s == 0 else "last at most 0.00390625 s") in text
    assert "mark moments rather than span time" in text and "mne.Epochs(raw, events" in text
    # BrainVision's stimuli are events: the epochs to cut lead, an ERP's -0.2 .. 0.8 s
    assert text.index("mne.Epochs(raw, events") < text.index("markers_to_spans")
    recipe = re.search(r"events, event_id = .*?window_seconds=1\)", text)[0]  # runs as given
    assert "event_id={'Stimulus/S  1': 1}" in recipe and "tmin=-0.2, tmax=0.8 - 1" in recipe
    scope = {"mne": mne, "raw": raw, "model": model}
    exec(recipe.replace("; ", "\n"), scope)
    assert len(scope["epochs"]) == 2  # the two 'Stimulus/S  1' markers, -0.2 .. 0.8 s
    code = re.search(r"(emb\[\[.*? for a in emb\.annotations\]\])", text)[1]
    assert eval(code).metadata["window_index"] == [0, 1]  # the code the message gives
    # state markers: the message's markers_to_spans code runs and labels the time between
    code = re.search(r"(eegpt\.annotations\.markers_to_spans\(raw, \{.*?\}\))", text)[1]
    spans = eval(code, {"eegpt": eegpt, "raw": raw})
    assert emb.window_labels(spans, match="Stimulus/S  1").tolist() == ["Stimulus/S  1"] * 5


def test_epochs_hint_runs_where_two_codes_share_a_sample():
    """BCI-IV-2a marks a trial start (768) and its rejection (1023) at one sample, which stops
    mne.Epochs of every event; the hint's code takes the events of the matched markers alone,
    with epochs of the windows' length (4 s from the cue, not an ERP's -0.2 to 0.8 s)."""
    info = mne.create_info(["Fp1", "Cz", "Pz"], 250.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 250 * 30)), info,
                          verbose=False)  # fmt: skip
    raw.set_annotations(mne.Annotations([1.0, 1.0, 3.0, 11.0, 13.0], [0.0] * 5,
                                        ["768", "1023", "769", "768", "770"]))  # fmt: skip
    with pytest.warns(RuntimeWarning, match="no window got a label") as said:
        window_labels(raw.annotations, np.arange(0.0, 26.0, 4.0), 4.0,
                      match={"left": "^769$", "right": "^770$"})  # fmt: skip
    text = str(said[0].message)
    recipe = re.search(r"events, event_id = .*?window_seconds=4\)", text)[0]
    assert "event_id={'769': 1, '770': 2}" in recipe
    with pytest.raises(RuntimeError, match="not unique"):  # the epochs of every code
        events, event_id = mne.events_from_annotations(raw, verbose=False)
        mne.Epochs(raw, events, event_id, verbose=False)
    scope = {"mne": mne, "raw": raw}
    exec(recipe.split("; model.embed")[0].replace("; ", "\n"), scope)  # runs as given
    epochs = scope["epochs"].drop_bad(verbose=False)
    assert len(epochs) == 2 and epochs.times[-1] == pytest.approx(4 - 1 / 250)
    assert epochs.baseline is None


def _write_brainvision(folder, seizure_s=(10.0, 10.0)):
    """A BrainVision recording written by hand (pybv is not a dependency): 30 s of 3 channels
    at 256 Hz in microvolts, and a ``Comment/seizure`` marker over ``seizure_s`` (onset,
    duration)."""
    sfreq, names = 256, ["Fp1", "Cz", "O1"]
    data = np.random.default_rng(2).normal(0, 20, (30 * sfreq, len(names)))  # uV, multiplexed
    data.astype("<f4").tofile(folder / "rec.eeg")
    channels = "".join(f"Ch{k}={name},,1,\N{MICRO SIGN}V\n" for k, name in enumerate(names, 1))
    (folder / "rec.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\nCodepage=UTF-8\n"
        "DataFile=rec.eeg\nMarkerFile=rec.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels={len(names)}\n"
        f"SamplingInterval={1e6 / sfreq}\n\n[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n\n"
        f"[Channel Infos]\n{channels}",
        encoding="utf-8",
    )
    onset, duration = (round(t * sfreq) for t in seizure_s)
    (folder / "rec.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        "Codepage=UTF-8\nDataFile=rec.eeg\n\n[Marker Infos]\nMk1=New Segment,,1,1,0\n"
        f"Mk2=Comment,seizure,{onset + 1},{duration},0\n",
        encoding="utf-8",
    )
    return folder / "rec.vhdr"


@pytest.mark.parametrize("stream", [True, False])
def test_brainvision_markers_land_in_their_samples_window_after_an_hour(tmp_path, stream):
    """A 256 Hz amplifier's BrainVision file (``SamplingInterval=3906``: MNE reads 256.016 Hz
    and places a marker at sample k at k / 256.016 s): its samples are taken as 256 Hz
    (resampled 1/1, window onsets k / 256 s), so the marker's onset is placed at k / 256 s
    too. It was not: a marker at the first sample of the last window of an hour (3596 s)
    landed 0.23 s early, in the window before, in memory and streamed, and for
    window_labels."""
    from eegpt.annotations import annotations_of, annotations_per_window, read_annotations
    from eegpt.io import as_recording
    from eegpt.preprocessing import prepare
    from eegpt.streaming import WindowStream, open_stream

    names, n = ["Fp1", "Cz", "O1"], 3600 * 256
    np.random.default_rng(2).normal(0, 20, (n, 3)).astype("<f4").tofile(tmp_path / "rec.eeg")
    channels = "".join(f"Ch{k}={name},,1,\N{MICRO SIGN}V\n" for k, name in enumerate(names, 1))
    (tmp_path / "rec.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\nCodepage=UTF-8\n"
        "DataFile=rec.eeg\nMarkerFile=rec.vmrk\nDataFormat=BINARY\n"
        "DataOrientation=MULTIPLEXED\nNumberOfChannels=3\nSamplingInterval=3906\n\n"
        f"[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n\n[Channel Infos]\n{channels}",
        encoding="utf-8",
    )
    k = 899 * 1024  # the first sample of the last 4 s window (3596 s at 256 Hz)
    (tmp_path / "rec.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        "Codepage=UTF-8\nDataFile=rec.eeg\n\n[Marker Infos]\nMk1=New Segment,,1,1,0\n"
        f"Mk2=Stimulus,S  1,{k + 1},1,0\nMk3=Comment,seizure,{k - 1024 + 1},1024,0\n",
        encoding="utf-8",
    )
    vhdr = tmp_path / "rec.vhdr"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 3 channels
        if stream:
            recording = open_stream(vhdr, verbose="error")
            onsets = WindowStream(recording).onsets
        else:
            recording = as_recording(vhdr, verbose="error")
            onsets = prepare(recording).onsets
    assert len(onsets) == 900 and onsets[-1] == 3596.0
    per_window = annotations_per_window(recording, onsets, 4.0)
    assert [i for i, a in enumerate(per_window) if "Stimulus/S  1" in a] == [899]
    assert [i for i, a in enumerate(per_window) if "Comment/seizure" in a] == [898]
    spans = read_annotations(vhdr)  # as window_labels reads a recording's path
    raw = mne.io.read_raw_brainvision(vhdr, verbose="error")  # and its Raw
    for found in (spans, annotations_of(raw)):
        assert sorted(found.onset.tolist()) == [3592.0, 3596.0]
        assert 4.0 in found.duration.tolist()


def test_a_recordings_path_gives_its_annotations_for_window_labels(model, tmp_path):
    """``window_labels("rec.vhdr")`` labels windows by the recording's own annotations (MNE
    reads a .vhdr's markers only with the recording), as its .vmrk and its Raw do."""
    from eegpt.annotations import read_annotations

    vhdr = _write_brainvision(tmp_path)
    emb = model.embed(vhdr, device="cpu")
    labels = emb.window_labels(vhdr, match="seizure")
    assert labels.tolist() == [None, None, "Comment/seizure", "Comment/seizure", "Comment/seizure",
                               None, None]  # fmt: skip
    raw = mne.io.read_raw_brainvision(vhdr, verbose=False)
    assert labels.tolist() == emb.window_labels(raw, match="seizure").tolist()
    assert labels.tolist() == emb.window_labels(tmp_path / "rec.vmrk", match="seizure").tolist()
    found = read_annotations(str(vhdr))
    assert found.orig_time is None and "Comment/seizure" in found.description
    annot = tmp_path / "notes-annot.fif"  # a FIF annotation file is no recording: MNE reads it
    mne.Annotations([4.0], [2.0], ["x"]).save(annot)
    assert list(read_annotations(annot).description) == ["x"]


def test_window_labels_of_epochs_place_their_raws_annotations_by_first_time(model, tmp_path):
    """Epochs' onsets are event times, from the acquisition start; a Raw's annotations as
    eegpt reads them count from its first sample. ``window_labels`` of epochs cut from a FIF
    file with ``first_samp > 0`` (here 10 s) given that Raw, or its path, labelled the epoch
    10 s before the annotation; a Raw embedding given the whole Raw it was cropped from, the
    window 10 s after it. Each now labels the epoch or window over the annotation, as
    ``mne.Annotations`` with their start did. The Epochs themselves are refused, saying to
    give ``epochs.annotations`` (which place alike) or the Raw, not with os.path's TypeError."""
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    rng = np.random.default_rng(0)
    whole = mne.io.RawArray(
        rng.standard_normal((6, 60 * 256)) * 2e-5, mne.create_info(names, 256.0, "eeg"),
        verbose=False,
    )  # fmt: skip
    whole.set_meas_date(1_700_000_000.0)
    whole.set_annotations(mne.Annotations([22.0], [4.0], ["X"]))  # 12 s after the crop's start
    path = tmp_path / "cropped_raw.fif"
    whole.copy().crop(tmin=10.0).save(path, verbose=False)
    raw = mne.io.read_raw_fif(path, preload=True, verbose=False)
    assert raw.first_samp == 2560
    epochs = mne.make_fixed_length_epochs(raw, duration=4.0, preload=True, verbose=False)
    emb = model.embed(epochs, device="cpu")
    assert emb.onsets[:4].tolist() == [10.0, 14.0, 18.0, 22.0]
    assert emb.annotations[3] == ["X"]
    expected = [None, None, None, "X", None, None]
    for given in (raw, path, str(path), raw.annotations):
        assert emb.window_labels(given, match="X")[:6].tolist() == expected, given
    cont = model.embed(raw, device="cpu")  # onsets from its first sample: X at 12-16 s
    for given in (raw, path, whole):
        assert cont.window_labels(given, match="X")[:5].tolist() == [None] * 3 + ["X", None]
    with pytest.raises(TypeError, match=r"not mne\.Epochs: .*give epochs\.annotations or the Raw"):
        emb.window_labels(epochs, match="X")  # was: expected str ... not Epochs (os.path)
    assert emb.window_labels(epochs.annotations, match="X")[:6].tolist() == expected


def test_a_table_of_onsets_in_seconds_is_read_in_seconds(tmp_path):
    """A hypnogram written by hand as ``onset,duration,description`` with onsets in seconds
    (MNE's own reader takes such numbers for milliseconds and squeezes a night into its first
    minute) is read in seconds from the first sample; MNE's .csv (date-times) as before."""
    from eegpt.annotations import read_annotations

    rows = "".join(f"{30 * k},30,Sleep stage {'W12'[k % 3]}\n" for k in range(720))
    table = tmp_path / "hypnogram.csv"
    table.write_text("onset,duration,description\n" + rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # MNE's "interpreted as MILLISECONDS" warning: none
        found = read_annotations(table)
    assert found.orig_time is None and len(found) == 720
    np.testing.assert_allclose(found.onset[[0, 1, -1]], [0.0, 30.0, 21570.0])
    assert list(found.description[:3]) == ["Sleep stage W", "Sleep stage 1", "Sleep stage 2"]
    tsv = tmp_path / "stages.tsv"
    tsv.write_text("onset\tduration\tdescription\n60\t30\tN2\n")
    assert read_annotations(tsv).onset.tolist() == [60.0]
    mne.Annotations([10.5], [5.0], ["seiz"]).save(tmp_path / "mne.csv")  # date-times: MNE's
    semi = tmp_path / "semi.csv"  # semicolons (a spreadsheet in a comma-decimal locale)
    semi.write_text("onset;duration;description\n30;30;N1\n")
    assert read_annotations(semi).onset.tolist() == [30.0]
    empty = tmp_path / "empty.csv"
    empty.write_text("onset,duration,description\n")
    assert len(read_annotations(empty)) == 0
    clock = tmp_path / "clock.csv"
    clock.write_text("onset,duration,description\n23:10:30,30,W\n")
    with pytest.raises(RecordingError, match=r"clock times \('23:10:30'\) without a date"):
        read_annotations(clock)
    by_mne = read_annotations(tmp_path / "mne.csv")  # MNE's: a start on 1970-01-01 (see above)
    assert by_mne.orig_time.year == 1970 and by_mne.orig_time.second == 10


# ------------------------------------------------------------- NaN/Inf inside bad annotations

NAN_SPAN = (19.53, 19.92)  # s: a disconnection in Cz, inside BAD_disconnect (19-21 s)


def nan_files(folder, sfreq: float) -> tuple:
    """A 40 s recording of 8 channels (a 20 mV offset and a drift) with Cz NaN over
    ``NAN_SPAN``, inside a bad annotation that windows 4 and 5 (16-24 s) overlap, saved as
    FIF; and the same file without the NaNs."""
    raw, _ = synthetic_raw(minutes=40 / 60, sfreq=sfreq, seed=1)
    raw.pick([*raw.ch_names[:7], "EEG CZ-REF"])
    raw._data += 0.02 + np.linspace(0, 2e-3, raw.n_times)
    raw.set_annotations(mne.Annotations([19.0], [2.0], ["BAD_disconnect"]))
    clean = folder / f"clean_{sfreq:g}_raw.fif"
    raw.save(clean, verbose=False)
    raw._data[-1, round(NAN_SPAN[0] * sfreq) : round(NAN_SPAN[1] * sfreq)] = np.nan
    path = folder / f"nan_bad_{sfreq:g}_raw.fif"
    raw.save(path, verbose=False)
    return path, clean


@pytest.mark.parametrize("sfreq", [256.0, 250.0])
def test_nan_inside_bad_annotations_is_ignored_when_their_windows_are_left_out(
    model, tmp_path, monkeypatch, sfreq
):
    """NaN samples that all lie inside bad annotations stop no run that leaves those windows
    out: they are filled, a warning counts them, and the kept windows are those of the file
    without NaNs, read whole or streamed (chunks and blocks that cut the NaN run)."""
    path, clean = nan_files(tmp_path, sfreq)
    monkeypatch.setattr(eegpt.api, "BLOCK_WINDOWS", 2)
    # the scan's first chunk ends at 19.7 s, inside the NaN run
    monkeypatch.setattr(eegpt.streaming, "SCAN_BYTES", 8 * 8 * round(19.7 * sfreq))
    kwargs = {"device": "cpu", "batch_size": 2, "reject_by_annotation": True}
    for stream in (None, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the offset check
            want = model.embed(clean, stream=stream, **kwargs)
            got = model.embed(path, stream=stream, **kwargs)
        assert len(got) == 8 and got.metadata["rejected_by_annotation"] == [16.0, 20.0]
        np.testing.assert_array_equal(got.onsets, want.onsets)
        said = [t for t in got.metadata["warnings"] if "non-finite" in t]
        assert len(said) == 1 and re.search(
            r"\d+ non-finite \(NaN/Inf\) samples in channel\(s\) EEG CZ-REF \(\d+\), from "
            r"19\.5\d\d s to 19\.9\d\d s .*all inside annotations marked bad, whose windows are "
            r"left out \(reject_by_annotation\): ignored",
            said[0],
        ), said
        # where the fill goes: nowhere at 256 Hz, over the filter's half-length at 250 Hz
        spread = "polyphase resampling spreads that fill over its filter's half-length"
        if sfreq == 256.0:
            assert "at the model's 256 Hz, not resampled, so the fill stays" in said[0]
            assert spread not in said[0]
        else:
            assert spread in said[0]
        if sfreq == 256.0:  # nothing resampled: the kept windows hold the same samples
            np.testing.assert_array_equal(got.data, want.data)
        else:
            # the line that resampling takes out is fit to the finite samples, 1% fewer than
            # the clean file's: it moves by about 1e-4 of the signal's size, and the filter
            # passes a line exactly but for rounding, so the windows differ by float32's
            # rounding of the 20 mV offset (2e-6 mV) and the embeddings by about 1e-6
            np.testing.assert_allclose(got.data, want.data, rtol=1e-5, atol=1e-5)


def test_nan_in_bad_spans_resampled_by_nearest_neighbour_is_said_to_stay_put(model):
    """resample='nearest' moves no sample's value into another's: the warning of NaN filled
    in rejected bad spans said a polyphase filter spread the fill, which it does not."""
    sfreq = 250.0
    info = mne.create_info(["Fp1", "Cz", "O1"], sfreq, "eeg")
    samples = np.random.default_rng(6).normal(0, 1e-5, (3, int(sfreq * 20)))
    samples[1, int(10.2 * sfreq) : int(10.8 * sfreq)] = np.nan
    raw = mne.io.RawArray(samples, info, verbose=False)
    raw.set_annotations(mne.Annotations([10.0], [1.0], ["BAD_nan"]))
    got = model.embed(raw, device="cpu", reject_by_annotation=True, resample="nearest",
                      verbose="error")  # fmt: skip
    said = [t for t in got.metadata["warnings"] if "non-finite" in t]
    assert len(said) == 1 and "nearest-neighbour resampling (resample='nearest') takes" in said[0]
    assert "polyphase" not in said[0]
    # a channel projection's windows (probe_inputs) say the same
    from eegpt.annotations import BadSpans
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe_inputs import _projection_windows

    recording = as_recording(raw, verbose="error")
    spans = BadSpans.of(recording, reject=True)
    with pytest.warns(RuntimeWarning, match="non-finite") as caught:
        _projection_windows(recording, ["Fp1", "Cz", "O1"],
                            PreprocessingConfig(resample="nearest"), bad_spans=spans)  # fmt: skip
    said = [str(w.message) for w in caught if "non-finite" in str(w.message)]
    assert "resample='nearest'" in said[0] and "polyphase" not in said[0], said


@pytest.mark.parametrize("average_reference", [False, True])
def test_nan_in_bad_spans_is_filled_alike_whole_and_streamed(tmp_path, average_reference):
    """A streamed file is filled block by block as a whole one is (each channel's line over
    its finite samples): every window agrees, those over the NaNs too."""
    from eegpt.annotations import BadSpans
    from eegpt.preprocessing import PreprocessingConfig, prepare
    from eegpt.streaming import WindowStream, open_stream

    path, _ = nan_files(tmp_path, 250.0)
    config = PreprocessingConfig(average_reference=average_reference)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recording = as_recording(path, verbose="error")
        spans = BadSpans.of(recording, reject=True)
        whole = prepare(recording, preprocessing=config, bad_spans=spans).data
        stream = WindowStream(open_stream(path, verbose="error"), config, bad_spans=spans)
    streamed = np.concatenate([b for _, b in stream.blocks(3)])
    assert np.isfinite(whole).all() and whole.shape == streamed.shape == (10, 8, 1024)
    np.testing.assert_allclose(streamed, whole, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(spans.spans, [[19.0, 21.0]])
    inside = spans.inside(np.array([4749, 4750, 5249, 5250]), 250.0)
    assert inside.tolist() == [False, True, True, False]


def test_nan_in_bad_spans_without_reject_by_annotation_names_the_option(model, tmp_path):
    """Without reject_by_annotation the NaNs are refused, the error saying that they all lie
    in bad annotations and how to leave their windows out; NaNs outside them are refused
    with reject_by_annotation too."""
    path, _ = nan_files(tmp_path, 256.0)
    for stream in (None, False):
        with pytest.raises(RecordingError, match=r"100 non-finite \(NaN/Inf\) samples in "
                           r"channel\(s\) EEG CZ-REF \(100 samples\), from 19\.531 s to 19\.922 s "
                           r"\(end exclusive: 0\.391 s\) after the first sample, all inside annotations marked bad\. EEGPT "
                           r"needs finite data: leave the windows over those annotations out "
                           r"\(reject_by_annotation=True, --reject-by-annotation on the command "
                           r"line\)"):  # fmt: skip
            model.embed(path, device="cpu", stream=stream, verbose="error")
    raw = mne.io.read_raw_fif(path, preload=True, verbose=False)
    raw._data[0, 30 * 256] = np.inf  # outside the bad span
    outside = tmp_path / "nan_outside_raw.fif"
    raw.save(outside, verbose=False)
    for stream in (None, False):
        with pytest.raises(RecordingError, match=r": 1 non-finite \(NaN/Inf\) samples in "
                           r"channel\(s\) EEG FP1-REF \(1 samples\), at 30\.000 s from the first "
                           r"sample, besides 100 inside annotations marked bad"):  # fmt: skip
            model.embed(outside, device="cpu", stream=stream, reject_by_annotation=True,
                        verbose="error")  # fmt: skip


def test_nan_in_bad_spans_on_the_command_line_and_in_corpus_runs(weights, tmp_path, capsys):
    path, _ = nan_files(tmp_path, 256.0)
    out = tmp_path / "x.npz"
    args = ["embed", str(path), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    assert main(args) != 0
    assert "--reject-by-annotation" in capsys.readouterr().err
    assert main([*args, "--reject-by-annotation"]) == 0
    assert len(load_embeddings(out)) == 8
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path.rename(corpus / path.name)
    common = ["--weights", str(weights), "--workers", "0", "--device", "cpu", "-q"]
    assert main(["embed-dataset", str(corpus), "-o", str(tmp_path / "o1"), *common]) != 0
    reason = (tmp_path / "o1" / "_errors.csv").read_text()
    assert "all inside annotations marked bad" in reason and "--reject-by-annotation" in reason
    code = main(["embed-dataset", str(corpus), "-o", str(tmp_path / "o2"), *common,
                 "--reject-by-annotation"])  # fmt: skip
    assert code == 0
    pd = pytest.importorskip("pandas")
    rows = pd.read_parquet(tmp_path / "o2")
    assert rows.window.tolist() == [0, 1, 2, 3, 6, 7, 8, 9]


def nan_in_bad_file(folder, name: str, offset: float, nan_channels: slice, span: tuple) -> tuple:
    """A 120 s recording of 8 channels at 256 Hz (noise of 20 uV plus ``offset`` volts) with
    ``nan_channels`` NaN over ``span`` (seconds), inside a ``BAD_x`` annotation over the same
    span, saved as FIF."""
    names = ["Fp1", "Fp2", "C3", "C4", "P3", "P4", "O1", "O2"]
    x = np.random.default_rng(0).normal(0, 20e-6, (8, 120 * 256)) + offset
    x[nan_channels, round(span[0] * 256) : round(span[1] * 256)] = np.nan
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.set_annotations(mne.Annotations([span[0]], [span[1] - span[0]], ["BAD_x"]))
    path = folder / f"{name}_raw.fif"
    raw.save(path, verbose=False)
    return path


@pytest.mark.parametrize(
    ("offset", "nan_channels", "span"),
    [(1e-3, slice(0, 2), (10.5, 15.5)), (0.0, slice(None), (10.0, 100.0))],
    ids=["two-channels-offset", "all-channels-most-of-it"],
)
def test_nan_in_rejected_bad_spans_takes_no_part_in_the_signal_checks(
    model, tmp_path, offset, nan_channels, span
):
    """NaN samples left out with their windows are not zeros to the checks: no flat stretch,
    no clipping at 0 V, no amplitude of 0 V, whether the file is read whole or streamed."""
    path = nan_in_bad_file(tmp_path, "nan", offset, nan_channels, span)
    for stream in (None, False):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = model.embed(path, device="cpu", stream=stream, reject_by_annotation=True)
        said = [str(w.message) for w in caught]
        assert len(got) and any("non-finite (NaN/Inf) samples" in t for t in said), said
        for check in ("flat channel(s) check", "clipping check", "amplitude check"):
            assert not any(check in t for t in said), (check, said)
        offsets = [t for t in said if "offset check" in t]
        assert len(offsets) == (1 if offset else 0), said
        if offset:  # the channels with NaNs, like the others, at their offset
            assert "Fp1 (1 mV), Fp2 (1 mV)" in offsets[0], offsets


def test_flat_stretch_in_rejected_bad_span_is_not_announced(model, tmp_path):
    """A stretch stored as zeros under a bad annotation reaches no window when those windows
    are left out: the partly-flat check, which advises to mark such stretches bad and leave
    them out, says nothing; it still names one outside, and the same one kept."""
    names = ["Fp1", "Fp2", "C3", "C4"]
    x = np.random.default_rng(0).normal(0, 20e-6, (4, 60 * 256))
    x[:2, 10 * 256 : 20 * 256] = 0.0
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.set_annotations(mne.Annotations([10.0], [10.0], ["BAD_pause"]))
    path = tmp_path / "zeros_raw.fif"
    raw.save(path, verbose=False)
    outside = tmp_path / "zeros_outside_raw.fif"
    raw._data[2, 40 * 256 : 46 * 256] = 0.0
    raw.save(outside, verbose=False)

    def flat_warnings(file, reject, stream):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.embed(file, device="cpu", stream=stream, reject_by_annotation=reject)
        return [str(w.message) for w in caught if "flat channel(s) check" in str(w.message)]

    for stream in (None, False):
        assert flat_warnings(path, True, stream) == []
        kept = flat_warnings(path, False, stream)
        assert len(kept) == 1 and "Fp1 for 10 s in all" in kept[0], kept
        said = flat_warnings(outside, True, stream)
        assert len(said) == 1 and "C3 for 6 s in all" in said[0] and "Fp1" not in said[0], said


def test_a_rejected_padded_last_window_is_no_padded_tail(model, tmp_path):
    """tail="pad" with the zero-padded last window over a bad annotation and
    reject_by_annotation: that window is left out, so the provenance records no padded tail;
    with the bad annotation elsewhere it does."""
    x = np.random.default_rng(0).normal(0, 20e-6, (4, 121 * 256))
    raw = mne.io.RawArray(
        x, mne.create_info(["Fp1", "Fp2", "C3", "C4"], 256.0, "eeg"), verbose=False
    )
    for onset, padded in ((118.0, None), (50.0, {"onset_s": 120.0, "recorded_s": 1.0})):
        raw.set_annotations(mne.Annotations([onset], [3.0], ["BAD_x"]))
        path = tmp_path / f"tail_{onset:g}_raw.fif"
        raw.save(path, verbose=False)
        for stream in (None, False):
            got = model.embed(path, device="cpu", stream=stream, tail="pad",
                              reject_by_annotation=True, verbose="error")  # fmt: skip
            assert got.metadata.get("padded_tail") == padded, (onset, stream)
            assert (got.onsets[-1] == 112.0) == (padded is None)


def test_nan_in_annotations_that_only_mention_bad_says_how_to_rename_them(
    model, weights, tmp_path, capsys
):
    """NaN samples inside annotations that mention 'bad' without marking bad data (as MNE
    reads a BrainVision marker of type Comment) are refused, the error naming those
    annotations and how to rename them; the annotations file it advises on the command line
    lets the run go on."""
    x = np.random.default_rng(0).normal(0, 20e-6, (4, 60 * 256))
    x[0, 20 * 256 : 22 * 256] = np.nan
    raw = mne.io.RawArray(x, mne.create_info(["Fp1", "Fp2", "C3", "C4"], 256.0, "eeg"),
                          verbose=False)  # fmt: skip
    raw.set_annotations(mne.Annotations([19.5], [3.0], ["Comment/BAD_movement"]))
    path = tmp_path / "comment_raw.fif"
    raw.save(path, verbose=False)
    raw._data[1, 40 * 256] = np.nan  # one outside any annotation
    partly = tmp_path / "partly_raw.fif"
    raw.save(partly, verbose=False)
    misnamed = (
        r"inside annotations that mention 'bad' but do not start with it "
        r"\('Comment/BAD_movement'\), so they do not mark bad data \(MNE's rule\)\. EEGPT needs "
        r"finite data: .*rename those annotations so that they start with 'BAD' \(in Python "
        r"raw\.annotations\.rename\(\{'Comment/BAD_movement': 'BAD_movement'\}\) before "
        r"embedding the Raw; on the command line, list those spans under such names in an "
        r"annotations file, --annotations FILE\) and leave their windows out "
        r"\(reject_by_annotation=True, --reject-by-annotation\)"
    )
    for stream, reject in ((None, True), (False, True), (None, False)):
        with pytest.raises(RecordingError, match=r"512 non-finite .*after the first sample, all "
                           r"of them " + misnamed + r": the samples are then ignored; or "
                           r"interpolate"):  # fmt: skip
            model.embed(path, device="cpu", stream=stream, reject_by_annotation=reject,
                        verbose="error")  # fmt: skip
        with pytest.raises(RecordingError, match=r"513 non-finite .*in 2 gaps .*20\.000 to "
                           r"22\.000 s \(2\.000 s\) in Fp1 and 40\.000 to 40\.004 s \(0\.004 s\) in "
                           r"Fp2, 512 of them (?s:.*)mark each gap bad and leave its windows out "
                           r".*; for those inside the annotations, rename those annotations"):  # fmt: skip
            model.embed(partly, device="cpu", stream=stream, reject_by_annotation=reject,
                        verbose="error")  # fmt: skip
    fix = tmp_path / "fix.txt"
    fix.write_text("# onset, duration, description\n19.5, 3.0, BAD_movement\n")
    args = ["embed", str(path), "--weights", str(weights), "-o", str(tmp_path / "x.npz"),
            "--device", "cpu", "--reject-by-annotation"]  # fmt: skip
    assert main(args) != 0
    assert "'Comment/BAD_movement'), so they do not mark bad data" in capsys.readouterr().err
    assert main([*args, "--annotations", str(fix)]) == 0
    assert len(load_embeddings(tmp_path / "x.npz")) == 13


def test_a_file_of_annotations_is_read_once_per_recording(model, tmp_path, monkeypatch):
    """The file given with a recording (annotations=, --annotations, a manifest's
    annotations_file) is read and placed once per recording, for both the bad spans (which
    decide about NaN samples) and the windows' annotations, streamed or in memory and in a
    corpus run's reader; the windows' annotations are as before."""
    import eegpt.annotation_placement
    from eegpt.preprocessing import PreprocessingConfig

    raw = annotated_raw()
    start = raw.info["meas_date"]
    path = tmp_path / "more-annot.fif"
    mne.Annotations([0.0, 30.0, 20.0], [30.0, 30.0, 4.0],
                    ["Sleep stage W", "Sleep stage 2", "BAD_added"],
                    orig_time=start).save(path, verbose=False)  # fmt: skip
    fif = tmp_path / "rec_raw.fif"
    raw.save(fif, verbose=False)
    reads, real = [], eegpt.annotation_placement.read_annotations
    monkeypatch.setattr(eegpt.annotation_placement, "read_annotations",
                        lambda source: reads.append(source) or real(source))  # fmt: skip
    expected = {0: ["eyes closed", "Sleep stage W"], 2: ["BAD_muscle", "Sleep stage W"],
                5: ["Sleep stage W", "BAD_added"], 7: ["Sleep stage W", "Sleep stage 2"],
                8: ["Sleep stage 2"]}  # fmt: skip
    streamed = model.embed(fif, annotations=path)
    assert len(reads) == 1
    assert {k: streamed.annotations[k] for k in expected} == expected
    assert np.flatnonzero(streamed.bad).tolist() == [2, 3, 5, 6, 10]
    gap = raw.copy().load_data()
    gap._data[:, int(21.0 * gap.info["sfreq"])] = np.nan  # inside BAD_added only
    with pytest.warns(RuntimeWarning, match="NaN"):  # filled: the added span's windows go
        kept = model.embed(gap, annotations=path, reject_by_annotation=True)
    assert len(reads) == 2
    assert kept.metadata["window_index"] == [0, 1, 4, 7, 8, 9, 11, 12, 13, 14]
    loaded = eegpt.dataset.load_file(0, str(fif), PreprocessingConfig(), annotations=str(path))
    assert loaded.error is None and len(reads) == 3
    assert {k: loaded.windows.annotations[k] for k in expected} == expected


@pytest.mark.parametrize("checks", [True, False])
def test_prepare_finds_the_nan_samples_to_fill_in_one_pass(tmp_path, monkeypatch, checks):
    """prepare looks for the NaN/Inf samples of a recording once (np.isfinite over the whole
    signal), for both the signal checks and the filling inside rejected bad spans."""
    import types

    import eegpt.preprocessing
    import eegpt.resampling
    import eegpt.signal_stats
    from eegpt.annotations import BadSpans
    from eegpt.preprocessing import PreprocessingConfig, prepare

    path, _ = nan_files(tmp_path, 250.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recording = as_recording(path, verbose="error")
        spans = BadSpans.of(recording, reject=True)
        expected = prepare(recording, preprocessing=PreprocessingConfig(), bad_spans=spans).data
        whole = recording.data.shape  # (channels, samples): a pass over all of the signal
        passes = []

        def isfinite(x, *args, **kwargs):
            passes.append(np.shape(x) == whole)
            return np.isfinite(x, *args, **kwargs)

        counted = types.SimpleNamespace(**{n: getattr(np, n) for n in dir(np) if n[0] != "_"})
        counted.isfinite = isfinite
        for module in (eegpt.preprocessing, eegpt.signal_stats, eegpt.resampling):
            monkeypatch.setattr(module, "np", counted)  # where prepare's steps look NaN/Inf up
        got = prepare(
            recording, preprocessing=PreprocessingConfig(), bad_spans=spans, checks=checks
        )
    assert sum(passes) == 1
    np.testing.assert_array_equal(got.data, expected)


def _scored_night(tmp_path, start_s: float = 17.0, stages: str = "W12321RW"):
    """A RawArray (2 EEG channels at 128 Hz) scored in 30 s epochs from ``start_s`` on, and
    its hypnogram as a CSV table (onsets in seconds from the file's start)."""
    sfreq = 128.0
    data = np.random.default_rng(3).standard_normal(
        (2, int(sfreq * (start_s + 30 * len(stages) + 5)))
    )
    raw = mne.io.RawArray(data * 20e-6, mne.create_info(["Fpz", "Pz"], sfreq, "eeg"), verbose=False)
    csv = tmp_path / "hyp.csv"
    rows = [f"{start_s + 30 * k:g},30,Sleep stage {s}" for k, s in enumerate(stages)]
    csv.write_text("onset,duration,description\n" + "\n".join(rows) + "\n")
    return raw, csv, [f"Sleep stage {s}" for s in stages]


def test_a_csv_hypnogram_counts_from_the_file_start_on_a_cropped_raw(model, tmp_path, caplog):
    """A CSV hypnogram's onsets are seconds from the recording file's start; on a Raw cropped
    to its first scored epoch (first_samp > 0) they were taken from the crop, so every 30 s
    window got the previous epoch's stage. Given as mne.Annotations, MNE's convention stays:
    onsets from the Raw's first sample."""
    from eegpt.annotations import file_offset, read_annotations
    from eegpt.preprocessing import PreprocessingConfig

    raw, csv, truth = _scored_night(tmp_path)
    raw.crop(tmin=17.0)
    assert raw.first_samp > 0 and file_offset(raw) == pytest.approx(17.0)
    config = PreprocessingConfig(window_seconds=30)
    with caplog.at_level("INFO", logger="eegpt"):
        emb = model.embed(raw, annotations=csv, preprocessing=config, device="cpu")
    assert "seconds from the recording file's first sample" in caplog.text
    assert emb.metadata["file_offset"] == pytest.approx(17.0)
    assert [a for a in emb.annotations] == [[t] for t in truth]  # embed(annotations=...)
    assert list(emb.window_labels(csv, match="^Sleep stage")) == truth  # and window_labels
    # mne.Annotations keep MNE's meaning: onsets from the Raw's first sample
    own = read_annotations(csv)
    shifted = mne.Annotations(own.onset - 17.0, own.duration, own.description)
    assert list(emb.window_labels(shifted, match="^Sleep stage")) == truth
    emb = model.embed(raw, annotations=shifted, preprocessing=config, device="cpu")
    assert [a for a in emb.annotations] == [[t] for t in truth]


def test_a_csv_hypnogram_on_a_cropped_raw_read_lazily_counts_from_the_file_start(model, tmp_path):
    """The same for a Raw not preloaded (mne.io.read_raw's default), which embed streams: the
    streamed recording knew no file_offset, so the hypnogram stayed shifted by the crop."""
    from eegpt.preprocessing import PreprocessingConfig

    raw, csv, truth = _scored_night(tmp_path)
    raw.save(tmp_path / "night_raw.fif", verbose=False)
    lazy = mne.io.read_raw_fif(tmp_path / "night_raw.fif", preload=False, verbose=False)
    lazy.crop(tmin=17.0)
    config = PreprocessingConfig(window_seconds=30)
    emb = model.embed(lazy, annotations=csv, preprocessing=config, device="cpu")
    assert emb.metadata["file_offset"] == pytest.approx(17.0)
    assert [a for a in emb.annotations] == [[t] for t in truth]
    assert list(emb.window_labels(csv, match="^Sleep stage")) == truth


def test_a_streamed_fif_takes_its_file_offset_once_without_reading_its_header(
    model, tmp_path, monkeypatch
):
    """Every FIF Raw had its header read again (mne.io.read_info) for where its file starts,
    twice per embed with a CSV hypnogram (the streamed recording's offset was taken anew at
    each use): a Raw whose data are not loaded was not resampled (MNE's resample loads them),
    so its rate is the file's and no header is read; the offset is taken once, and stays
    right for a Raw cropped lazily."""
    import eegpt.streaming
    from eegpt.annotations import file_offset
    from eegpt.preprocessing import PreprocessingConfig

    raw, csv, truth = _scored_night(tmp_path)
    raw.save(tmp_path / "night_raw.fif", verbose=False)
    headers: list[object] = []
    read_info = mne.io.read_info
    monkeypatch.setattr(
        mne.io, "read_info", lambda *a, **k: headers.append(a) or read_info(*a, **k)
    )
    offsets: list[float] = []
    taken = eegpt.streaming.raw_file_offset
    monkeypatch.setattr(
        eegpt.streaming, "raw_file_offset", lambda r: offsets.append(taken(r)) or offsets[-1]
    )
    config = PreprocessingConfig(window_seconds=30, start_seconds=17.0)
    emb = model.embed(tmp_path / "night_raw.fif", annotations=csv, preprocessing=config,
                      device="cpu")  # fmt: skip
    assert headers == [] and offsets == [0.0]
    assert [a for a in emb.annotations] == [[t] for t in truth]
    lazy = mne.io.read_raw_fif(tmp_path / "night_raw.fif", preload=False, verbose=False)
    assert file_offset(lazy.crop(tmin=17.0)) == pytest.approx(17.0) and headers == []
    loaded = mne.io.read_raw_fif(tmp_path / "night_raw.fif", preload=True, verbose=False)
    assert file_offset(loaded.crop(tmin=17.0)) == pytest.approx(17.0)
    assert len(headers) == 1  # loaded: perhaps resampled, its file's rate read


@pytest.mark.parametrize("seconds", [10.0, 17.0])  # shorter than the start, or as long
@pytest.mark.parametrize("stream", [True, False])
def test_a_recording_ending_before_the_start_is_too_short_even_padded(
    model, tmp_path, seconds, stream
):
    """A recording that ends before start_seconds has nothing to zero-pad: refused as too
    short with tail='pad' too (it was warned of as padded into a window, then gave 0 windows
    in memory and an AssertionError streamed); a start past the end is a failure of its own
    (StartPastEndError: a corpus run counts it failed, not too short)."""
    from eegpt.errors import StartPastEndError
    from eegpt.preprocessing import PreprocessingConfig

    data = np.random.default_rng(0).standard_normal((3, int(256 * seconds))) * 1e-5
    raw = mne.io.RawArray(data, mne.create_info(["Cz", "Pz", "Fz"], 256.0, "eeg"), verbose=False)
    raw.save(tmp_path / "short_raw.fif", verbose=False)
    config = PreprocessingConfig(window_seconds=4, start_seconds=17, tail="pad")
    with pytest.raises(StartPastEndError, match=r"ends at or before the first window's start"):
        model.embed(tmp_path / "short_raw.fif", preprocessing=config, stream=stream)


@pytest.mark.parametrize("sfreq_in", [256.0, 200.0])  # as the model's, and resampled
def test_windows_start_at_start_seconds_in_memory_and_streamed_alike(tmp_path, sfreq_in):
    """start_seconds puts the first window there (windows before it are not made), onsets
    in recording time, in prepare() and in the streamed path alike."""
    from eegpt.preprocessing import PreprocessingConfig, prepare
    from eegpt.streaming import WindowStream, open_stream

    raw, _ = synthetic_raw(minutes=2.0, seed=4)
    raw.resample(sfreq_in, verbose=False)
    path = write_edf(raw, tmp_path / "night.edf")
    config = PreprocessingConfig(window_seconds=30, start_seconds=17, average_reference=False)
    memory = prepare(as_recording(path, verbose=False), preprocessing=config)
    np.testing.assert_allclose(memory.onsets, [17.0, 47.0, 77.0])
    stream = WindowStream(open_stream(path, verbose="error"), config)
    np.testing.assert_array_equal(stream.onsets, memory.onsets)
    streamed = np.concatenate([b for _, b in stream.blocks(2)])
    np.testing.assert_allclose(streamed, memory.data, rtol=1e-5, atol=1e-6)
    whole = prepare(as_recording(path, verbose=False), preprocessing=PreprocessingConfig(
        window_seconds=1, average_reference=False))  # fmt: skip
    np.testing.assert_array_equal(memory.data[0][:, :256], whole.data[17])  # from 17 s on
    with pytest.raises(ValueError, match="start_seconds"):
        PreprocessingConfig(start_seconds=-1)
    old = config.to_dict()
    del old["start_seconds"]  # a file written before the field
    assert PreprocessingConfig.from_dict(old).start_seconds == 0.0


def test_scoring_epochs_off_the_windows_grid_are_warned_of(model, tmp_path):
    """30 s windows from the first sample on a hypnogram from 17 s straddle two scoring epochs
    each, silently labelled by the majority; the warning names --start, with which every
    window is one epoch and labelled exactly."""
    from eegpt.preprocessing import PreprocessingConfig

    raw, csv, truth = _scored_night(tmp_path)
    config = PreprocessingConfig(window_seconds=30, average_reference=False)
    emb = model.embed(raw, preprocessing=config, device="cpu")
    with pytest.warns(RuntimeWarning, match=r"straddles two epochs, 17 s .* start_seconds=17 "):
        emb.window_labels(csv, match="^Sleep stage")
    start = PreprocessingConfig(window_seconds=30, average_reference=False, start_seconds=17)
    emb = model.embed(raw, annotations=csv, preprocessing=start, device="cpu")
    np.testing.assert_allclose(emb.onsets, 17 + 30 * np.arange(len(truth)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(emb.window_labels(csv, match="^Sleep stage")) == truth
    assert emb.metadata["preprocessing"]["start_seconds"] == 17


def test_one_or_two_events_or_events_apart_are_no_scoring_grid():
    """A seizure 50-90 s given twice (an EDF+ and its .csv_bi), two events, or three apart
    from one another last whole 4 s windows from 50 s but are no hypnogram: no advice to move
    the windows' start; three abutting epochs (a hypnogram's, one stage left out) are."""
    from eegpt.annotation_labels import _warn_off_grid

    onsets = np.arange(30) * 4.0 + 1.0  # windows from 1 s: off the grid of 50 s

    def warned(starts, durations, names):
        annotations = mne.Annotations(starts, durations, names)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _warn_off_grid(annotations, lambda d: None if d == "?" else d, onsets, 4.0, "A.edf")
        return [str(w.message) for w in caught if "straddles" in str(w.message)]

    assert warned([50.0, 50.0], [40.0, 40.0], ["seizure", "seizure"]) == []
    assert warned([50.0, 70.0], [8.0, 12.0], ["seizure", "seizure"]) == []
    assert warned([10.0, 50.0, 90.0], [8.0, 12.0, 4.0], ["sz", "sz", "sz"]) == []
    said = warned([10.0, 18.0, 30.0, 38.0], [8.0, 12.0, 8.0, 4.0], ["W", "N1", "?", "N2"])
    assert len(said) == 1 and "the 3 labelling annotations last whole multiples of 4 s" in said[0]


def test_a_scoring_epoch_sharing_its_span_with_another_annotation_still_counts():
    """Three stage epochs from 17 s with an "Arousal" on the third's exact span (the arousal
    read after the stage): the span still labels, and the grid off the windows is warned of;
    a whole night of 2880 epochs too."""
    from eegpt.annotation_labels import _warn_off_grid

    def label_of(d):
        return d if d.startswith("Sleep stage") else None

    def warned(starts, durations, names, onsets):
        annotations = mne.Annotations(starts, durations, names)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _warn_off_grid(annotations, label_of, onsets, 30.0, "A.edf")
        return [str(w.message) for w in caught if "straddles" in str(w.message)]

    onsets = np.arange(10) * 30.0
    stages = ["Sleep stage W", "Sleep stage 1", "Sleep stage 2"]
    said = warned([17.0, 47.0, 77.0, 77.0], [30.0] * 4, [*stages, "Arousal"], onsets)
    assert len(said) == 1 and "the 3 labelling annotations" in said[0]
    night = 17.0 + 30.0 * np.arange(2880)
    said = warned(night, [30.0] * 2880, ["Sleep stage 2"] * 2880, np.arange(2880) * 30.0)
    assert len(said) == 1 and "the 2880 labelling annotations" in said[0]


def test_a_grid_less_than_a_sample_off_is_not_warned_of_and_a_start_is_one_windows_take(
    model, tmp_path
):
    """Scoring from 17.003 s (a 500 Hz file's sample) against windows at 17.00390625 s (the
    256 Hz sample nearest): no warning for less than a sample; from 17.3 s, the start
    suggested is one the windows can take (17.3 s rounded to 1/256 s: 17.30078125)."""
    from eegpt.preprocessing import PreprocessingConfig

    raw, _, _ = _scored_night(tmp_path, start_s=17.0)
    for first, warned in ((17.003, False), (17.3, True)):
        csv = tmp_path / f"hyp{first}.csv"
        rows = [f"{first + 30 * k:g},30,Sleep stage W" for k in range(6)]
        csv.write_text("onset,duration,description\n" + "\n".join(rows) + "\n")
        config = PreprocessingConfig(window_seconds=30, average_reference=False,
                                     start_seconds=17.00390625)  # fmt: skip
        emb = model.embed(raw, preprocessing=config, device="cpu")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            emb.window_labels(csv, match="^Sleep stage")
        said = [str(w.message) for w in caught if "straddles" in str(w.message)]
        assert bool(said) == warned, said
        if warned:
            assert "start_seconds=17.30078125 " in said[0]
            PreprocessingConfig(start_seconds=round(17.3 * 256) / 256)  # a start it takes


@pytest.mark.parametrize(
    ("name", "text"),
    [("SC4001-stages.txt", "W\nW\nN1\nN2\nN2\n"), ("stages.csv", "epoch,stage\n1,W\n2,N1\n")],
)
def test_a_list_of_stages_per_epoch_is_refused_saying_how_to_convert_it(tmp_path, name, text):
    """One stage per scoring epoch (a lab's export) holds no times: MNE's reader failed on
    it with "Invalid value for the 'text header' parameter"; now the error lists the formats
    read and how to write the list as onset/duration/description."""
    from eegpt.annotations import read_annotations

    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RecordingError, match=r"none of the kinds eegpt reads: .*one per "
                       r"scoring epoch.*'onset': FIRST \+ 30\.0 \* np\.arange") as err:  # fmt: skip
        read_annotations(path)
    assert "text header" not in str(err.value)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("stages.txt", "W\nW\nN1\nN2\n"),
        ("stages.txt", "Stage\nW\nW\nN1\nN2\n"),
        ("stages.txt", "# scored by AB\nW\nW\nN1\nN2\n"),
        ("stages.txt", "Hypno\n0\n0\n1\n2\n"),  # numbers under a word
        ("stages.txt", "?\n0\n1\n2\n"),  # an unscored first epoch is no header
        ("stages.csv", "epoch,stage\n1,W\n2,W\n3,N1\n4,N2\n"),
        ("stages.csv", "Epoch;Stage\n1;W\n2;W\n3;N1\n4;N2\n"),
        ("stages.tsv", "Stage\tEpoch\nW\t1\nW\t2\nN1\t3\nN2\t4\n"),
    ],
)
def test_the_advice_for_a_list_of_stages_puts_each_stage_on_its_epoch(tmp_path, name, text):
    """The refusal of a list of stages advised reading it with pd.read_csv(path,
    header=None).iloc[:, -1] whatever its layout: a header line ('epoch,stage', 'Stage') became
    the first epoch's stage, so every stage landed one epoch (30 s) late, silently; a
    ;-separated or tab-separated table was read as one column of whole lines. The call
    advised now reads each file as it is laid out: run as given, it gives the stages in order
    from FIRST."""
    import pandas as pd

    from eegpt.annotations import read_annotations

    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(RecordingError) as err:
        read_annotations(path)
    code = re.search(r"stages = (.*?); (pd\.DataFrame\(.*?\))\.to_csv", str(err.value))
    assert code is not None, str(err.value)
    scope = {"pd": pd, "np": np, "path": path, "FIRST": 17.0}
    stages = eval(code.group(1), scope)  # noqa: S307 - the advice's own code
    table = eval(code.group(2), {**scope, "stages": stages})  # noqa: S307
    stages = {"Hypno\n": [0, 0, 1, 2], "?\n": ["?", "0", "1", "2"]}
    first = next((k for k in stages if text.startswith(k)), None)
    assert table["description"].tolist() == stages.get(first, ["W", "W", "N1", "N2"])
    assert table["onset"].tolist() == [17.0, 47.0, 77.0, 107.0]


def test_file_offset_of_a_cropped_fif_without_the_readers_record(tmp_path, monkeypatch):
    """Where in its FIF file a cropped Raw starts came from MNE's private
    ``raw._raw_extras[0]["bounds"]`` alone: should MNE change it, the file's header is read
    again; where that cannot be read either, a warning says that onsets are counted from the
    Raw's first sample (an offset of 0), rather than a wrong offset in silence."""
    from eegpt.annotations import file_offset

    raw, _, _ = _scored_night(tmp_path)
    raw.crop(tmin=5.0).save(tmp_path / "night_raw.fif", verbose=False)  # file's first_samp > 0
    read = mne.io.read_raw_fif(tmp_path / "night_raw.fif", preload=False, verbose=False)
    read.crop(tmin=12.0)
    assert read.first_time == pytest.approx(17.0) and file_offset(read) == pytest.approx(12.0)
    monkeypatch.setattr(read, "_raw_extras", [{"changed": True}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert file_offset(read) == pytest.approx(12.0)  # from the header read again
    (tmp_path / "night_raw.fif").unlink()  # nor can the file be read again
    with pytest.warns(RuntimeWarning, match="counted from the Raw's first sample"):
        assert file_offset(read) == 0.0


def test_file_offset_of_a_fif_resampled_after_reading(tmp_path):
    """MNE's record of where a FIF file starts counts the file's samples; a Raw resampled after
    reading (first_samp rescaled, the record not) got a negative offset (-9 s for a file
    starting 1 s in, resampled from 1000 to 100 Hz), moving a CSV hypnogram 9 s late."""
    from eegpt.annotations import file_offset

    info = mne.create_info(["Fpz", "Pz"], 1000.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 60_000)), info, first_samp=1000, verbose=False)
    raw.save(tmp_path / "r_raw.fif", verbose=False)
    read = mne.io.read_raw_fif(tmp_path / "r_raw.fif", preload=True, verbose=False)
    read.resample(100.0, verbose=False)
    assert file_offset(read) == pytest.approx(0.0)
    read.crop(tmin=5.0)
    assert file_offset(read) == pytest.approx(5.0)
    cropped_first = mne.io.read_raw_fif(tmp_path / "r_raw.fif", preload=True, verbose=False)
    cropped_first.crop(tmin=5.0).resample(100.0, verbose=False)
    assert file_offset(cropped_first) == pytest.approx(5.0)


def test_an_mne_written_csv_counts_from_the_file_start_as_a_plain_one(model, tmp_path):
    """A CSV that MNE's Annotations.save wrote for annotations without a start (times from
    1970-01-01) was taken as counting from a cropped Raw's first sample, while the same onsets
    in a plain onset,duration,description CSV counted from the file's: two hypnograms with the
    same onsets landed 17 s apart."""
    from eegpt.preprocessing import PreprocessingConfig

    raw, csv, truth = _scored_night(tmp_path)
    raw.set_meas_date(None)
    onsets = 17.0 + 30.0 * np.arange(len(truth))
    mne.Annotations(onsets, 30.0, truth).save(tmp_path / "mne_hyp.csv", verbose=False)
    assert "1970-01-01 00:00:17" in (tmp_path / "mne_hyp.csv").read_text()
    raw.crop(tmin=17.0)
    config = PreprocessingConfig(window_seconds=30)
    by_plain = model.embed(raw, annotations=csv, preprocessing=config, device="cpu")
    by_mne = model.embed(
        raw, annotations=tmp_path / "mne_hyp.csv", preprocessing=config, device="cpu"
    )
    assert [a for a in by_plain.annotations] == [[t] for t in truth]
    assert [a for a in by_mne.annotations] == [[t] for t in truth]


def test_an_events_table_is_read_as_manifests_are_utf16_read_cp1252_named(tmp_path):
    """An annotation table goes through eegpt's text reader: Excel's "Unicode Text" (UTF-16
    with a BOM, tabs, CRLF) is read; a cp1252 table is refused naming it and how to convert."""
    from eegpt.annotations import read_annotations

    table = tmp_path / "events.tsv"
    table.write_bytes("onset\tduration\tdescription\r\n1.5\t2\tMüde\r\n".encode("utf-16"))
    found = read_annotations(table)
    assert list(found.onset) == [1.5] and list(found.description) == ["Müde"]
    table.write_bytes("onset\tduration\tdescription\n1.5\t2\tMüde\n".encode("cp1252"))
    with pytest.raises(RecordingError, match=r"events\.tsv is not UTF-8 text.*iconv -f cp1252"):
        read_annotations(table)


def test_a_tuh_label_file_naming_another_recording_is_warned_of_wherever_joined(
    model, weights, tmp_path
):
    """A TUH label file whose '# bname' names another recording than the one it is joined to
    (another patient's labels, or a renamed copy's true ones) is warned of by embed
    (annotations=, --annotations, a manifest's annotations_file) and by
    Embeddings.window_labels; one naming its own recording is taken silently."""
    fif = tmp_path / "A_raw.fif"
    annotated_raw().save(fif, verbose=False)

    def tuh(name, bname):
        path = tmp_path / name
        path.write_text(f"# version = csv_v1.0.0\n# bname = {bname}\n#\n"
                        "channel,start_time,stop_time,label,confidence\n"
                        "TERM,0.0,10.0,bckg,1.0\nTERM,10.0,17.0,seiz,1.0\n")  # fmt: skip
        return path

    other, own = tuh("B.csv_bi", "B"), tuh("labels.csv_bi", "A_raw")
    said = r"B\.csv_bi names the recording 'B' \(its '# bname' line\), but it is joined to .*A_raw"
    with pytest.warns(EEGPTWarning, match=said):
        emb = model.embed(str(fif), annotations=other)
    with pytest.warns(EEGPTWarning, match=said):
        emb.window_labels(other, match="seiz")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.embed(str(fif), annotations=own).window_labels(own, match="seiz")
    assert caught and not [w for w in caught if "bname" in str(w.message)]
    out = tmp_path / "a.npz"
    args = ["embed", str(fif), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    with pytest.warns(EEGPTWarning, match=said):
        assert main([*args, "--annotations", str(other)]) == 0
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,annotations_file\n{fif},{other}\n")
    embed_dataset(manifest, tmp_path / "out", weights=str(weights), device="cpu")
    kept = load_embeddings(tmp_path / "out", recording_id=str(fif)).metadata["warnings"]
    assert any("names the recording 'B'" in w for w in kept)


def test_a_sleep_edf_hypnogram_of_another_night_is_warned_of(model, tmp_path):
    """A Sleep-EDF hypnogram named for another night (SC4021EH-Hypnogram.edf) joined to a
    Sleep-EDF recording (SC4001E0-PSG.edf) is warned of, naming both: its start date-time may
    be the recording's, so nothing else tells. Its own night's, or names that are not
    Sleep-EDF's, are taken silently (nothing is guessed of other names)."""
    from eegpt.annotation_files import check_named, sleep_edf_night

    raw = annotated_raw()
    psg = write_edf(raw, tmp_path / "SC4001E0-PSG.edf")
    other = write_edf(raw, tmp_path / "SC4021EH-Hypnogram.edf")
    own = write_edf(raw, tmp_path / "SC4001EC-Hypnogram.edf")
    said = r"SC4021EH-Hypnogram\.edf is the Sleep-EDF hypnogram of SC4021 .* joined to .*SC4001E0"
    with pytest.warns(EEGPTWarning, match=said):
        model.embed(str(psg), annotations=str(other))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.embed(str(psg), annotations=str(own))
        check_named(str(other), str(tmp_path / "night1.edf"))  # not Sleep-EDF's names
        check_named(str(tmp_path / "SC4021EH-hyp.edf"), str(psg))
    assert not [w for w in caught if "Sleep-EDF" in str(w.message)]
    assert sleep_edf_night("x/ST7011JP-Hypnogram.edf", "Hypnogram") == "ST7011"
    assert sleep_edf_night("x/ST7011JP-Hypnogram.edf", "PSG") is None


def test_a_tuh_label_file_joined_to_an_in_memory_recording_is_not_warned_of(tmp_path):
    """An in-memory recording ("<Raw>", "<Epochs>", "<array>") has no file name to compare
    with a label file's '# bname' line: no warning; a file recording naming another still
    warns. _same_recording (eegpt._filenames.same_recording) is one function in both modules."""
    from eegpt import window_labelling
    from eegpt.annotation_files import _same_recording, check_named

    labels = tmp_path / "aaaaaajy_s001_t000.csv_bi"
    labels.write_text("# version = csv_v1.0.0\n# bname = aaaaaajy_s001_t000\n#\n"
                      "channel,start_time,stop_time,label,confidence\n"
                      "TERM,0.0,10.0,bckg,1.0\n")  # fmt: skip
    for source in ("<Raw>", "<Epochs>", "<array>"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            check_named(str(labels), source)
    with pytest.warns(EEGPTWarning, match="names the recording 'aaaaaajy_s001_t000'"):
        check_named(str(labels), str(tmp_path / "other.edf"))
    assert window_labelling._same_recording is _same_recording


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_tuh_label_file_s_bname_is_read_from_its_header_alone(tmp_path, encoding):
    """recording_named reads a label file's header, not the whole file (a label file may be
    megabytes, and it is asked 2-3 times a recording): a body after the header that is not
    text at all (zero bytes, bytes neither UTF-8 nor UTF-16) still gives the name."""
    from eegpt.annotations import recording_named

    header = "# version = csv_v1.0.0\n# bname = aaaaaajy_s001_t000\n#\n"
    body = "channel,start_time,stop_time,label,confidence\n" * 200
    garbage = b"\x00\xdc\x00\xff" * 8192  # zero bytes; in UTF-16 (LE) a lone surrogate
    path = tmp_path / "aaaaaajy_s001_t000.csv_bi"
    path.write_bytes((header + body).encode(encoding) + garbage)
    assert recording_named(path) == "aaaaaajy_s001_t000"
    path.write_bytes((body + header).encode(encoding) + garbage)  # the header over: none
    assert recording_named(path) is None


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1252"])
def test_table_head_gives_the_whole_lines_of_a_file_s_first_bytes(tmp_path, encoding):
    """table_head decodes the whole lines among a file's first bytes as table_text decodes
    the file, at any size: never half a line or half a character."""
    from eegpt.text_tables import table_head, table_text

    text = "".join(f"Müller {i} \u0a00\u0a0a\u0a00 Ĭ\r\n" for i in range(40))
    if encoding == "cp1252":
        text = text.replace("\u0a00\u0a0a\u0a00 Ĭ", "é")
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    path = tmp_path / "t.tsv"
    path.write_bytes(bom + text.encode(encoding))
    legacy = "cp1252" if encoding == "cp1252" else None
    whole = table_text(path, legacy=legacy)
    assert whole == text
    for size in range(1, len(path.read_bytes()) + 2):
        head, complete = table_head(path, size, legacy=legacy)
        assert whole.startswith(head) and head.count("\n") == head.count("\r")
        assert head.endswith("\n") or not head or complete
        assert complete == (size >= len(path.read_bytes()))
        assert complete == (head == whole)


@pytest.mark.parametrize("column", ["label", "Event", "condition", "annotation", "type"])
def test_a_home_made_table_names_its_events_by_a_label_column(tmp_path, column):
    """A table of onsets whose names are in a column called ``label`` (or event, condition,
    ...; any case) is read by it, not as one 'event' for every row; BIDS's trial_type still
    comes first."""
    from eegpt.annotations import read_annotations

    table = tmp_path / "ev.csv"
    table.write_text(f"onset,duration,{column}\n0,30,eyes_open\n30,30,eyes_closed\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(read_annotations(table).description) == ["eyes_open", "eyes_closed"]
    both = tmp_path / "both.tsv"
    both.write_text("onset\tduration\tlabel\ttrial_type\n0\t1\tx\tgo\n")
    assert list(read_annotations(both).description) == ["go"]


def test_numeric_codes_are_read_only_from_bidss_columns_and_the_column_is_recorded(model, tmp_path):
    """A column of numeric codes alone under a name eegpt looks for beside BIDS's (``type``
    = 5, a ``stage`` of 0-5) is not read (each event 'event', as before eegpt looked for
    them), with a warning that says to rename it 'value'; text in it is read; BIDS's ``value`` reads its codes as ever. The column read is
    recorded in the embeddings' metadata (annotations_column; None for none)."""
    from eegpt.annotations import read_annotations, table_description_column

    cases = (
        ("type", ["5", "7"], ["event", "event"], None),
        ("stage", ["0", "2"], ["event", "event"], None),
        ("stage", ["W", "N2"], ["W", "N2"], "stage"),
        ("Value", ["5", "7"], ["5", "7"], "Value"),
    )
    for column, cells, names, read in cases:
        table = tmp_path / f"{column}.csv"
        table.write_text(f"onset,duration,{column}\n0,30,{cells[0]}\n30,30,{cells[1]}\n")
        if read is None:  # numbers in an unread column: said, with the way to read them
            with pytest.warns(EEGPTWarning, match=r"rename the column to 'value'"):
                assert list(read_annotations(table).description) == names, column
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert list(read_annotations(table).description) == names, column
        assert table_description_column(table) == (True, read), column
    tuh = tmp_path / "rec.csv_bi"
    tuh.write_text("# version = csv_v1.0.0\nchannel,start_time,stop_time,label,confidence\n"
                   "TERM,0.0,10.0,seiz,1.0\n")  # fmt: skip
    assert table_description_column(tuh) == (False, None)
    names = ["Fp1", "Fp2", "C3", "C4", "P3", "P4", "O1", "O2"]
    x = np.random.default_rng(0).normal(0, 20e-6, (8, 60 * 256))
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    emb = model.embed(raw, annotations=tmp_path / "stage.csv", verbose=False)
    assert emb.metadata["annotations_column"] == "stage"
    emb = model.embed(raw, annotations=tmp_path / "type.csv", verbose=False)
    assert emb.metadata["annotations_column"] is None
    assert "annotations_column" not in model.embed(raw, annotations=tuh, verbose=False).metadata


def _noise_fif(path: Path, seconds: int) -> Path:
    """A FIF file at ``path`` of ``seconds`` s of 8 channels of noise (20 uV) at 256 Hz."""
    names = ["Fp1", "Fp2", "C3", "C4", "P3", "P4", "O1", "O2"]
    x = np.random.default_rng(0).normal(0, 20e-6, (8, seconds * 256))
    mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False).save(path)
    return path


def test_skip_existing_warns_of_outputs_whose_table_an_earlier_eegpt_read_otherwise(
    weights, tmp_path
):
    """An output embedded with an annotations table by an eegpt that called each event
    'event' (no annotations_column recorded) where this one reads names from its 'label'
    column: --skip-existing keeps it, with a warning naming it and --overwrite; one this
    eegpt wrote (annotations_column recorded), or of a BIDS trial_type table, quietly."""
    from eegpt.outputs import load_embeddings

    rec = _noise_fif(tmp_path / "rec_raw.fif", 60)
    out = tmp_path / "rec.npz"
    for column, warned in (("label", True), ("trial_type", False)):
        table = tmp_path / f"{column}.csv"
        table.write_text(f"onset,duration,{column}\n0,30,seiz\n30,30,bckg\n")
        args = ["embed", str(rec), "--annotations", str(table), "-o", str(out), "--weights",
                str(weights), "-q"]  # fmt: skip
        assert main([*args, "--overwrite"]) == 0
        with warnings.catch_warnings():  # written by this eegpt: kept quietly
            warnings.simplefilter("error")
            assert main([*args, "--skip-existing"]) == 0
        old = load_embeddings(out)  # as an earlier eegpt wrote it: no annotations_column
        del old.metadata["annotations_column"]
        old.save(out, overwrite=True)
        if not warned:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert main([*args, "--skip-existing"]) == 0
            continue
        with pytest.warns(EEGPTWarning, match=rf"--skip-existing keeps 1 output\(s\) embedded "
                          rf"by an earlier eegpt that read the events' names .*{out} "
                          r"\('label', each event 'event' before\).* embed them again with "
                          r"--overwrite"):  # fmt: skip
            assert main([*args, "--skip-existing"]) == 0


def test_a_corpus_resume_warns_where_an_earlier_eegpt_read_the_tables_otherwise(model, tmp_path):
    """A corpus run of a manifest's annotations_file tables (names in a 'label' column)
    resumed where its shards were written by an eegpt that called every event 'event' (no
    annotations_column in their file records): warned once, naming the files and
    --overwrite; a resume of this eegpt's own shards is quiet."""
    pq = pytest.importorskip("pyarrow.parquet")  # the shards are Parquet
    from eegpt.dataset import MANIFEST, shard_files

    names = ["Fp1", "Fp2", "C3", "C4", "P3", "P4", "O1", "O2"]
    rows = ["path,annotations_file"]
    for k in range(3):
        x = np.random.default_rng(k).normal(0, 20e-6, (8, 30 * 256))
        raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
        raw.save(tmp_path / f"r{k}_raw.fif", verbose=False)
        (tmp_path / f"r{k}.csv").write_text("onset,duration,label\n0,10,seiz\n10,20,bckg\n")
        rows.append(f"r{k}_raw.fif,r{k}.csv")
    listing = tmp_path / "manifest.csv"
    listing.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}

    def stopped_after_one(old_rule: bool) -> None:
        embed_dataset(listing, out, overwrite=True, **run)
        for p in shard_files(out)[1:]:
            p.unlink()
        manifest = json.loads((out / MANIFEST).read_text())
        manifest["shards_done"] = [0]
        manifest["runs"][-1]["shards_written"] = 1
        (out / MANIFEST).write_text(json.dumps(manifest))
        shard = shard_files(out)[0]
        table, meta = pq.read_table(shard), dict(pq.read_metadata(shard).metadata)
        status = json.loads(meta[b"eegpt_shard"])
        assert [f["annotations_column"] for f in status["files"]] == ["label"]
        if old_rule:  # as an eegpt from before the column was recorded wrote it
            for f in status["files"]:
                del f["annotations_column"]
        meta[b"eegpt_shard"] = json.dumps(status).encode()
        pq.write_table(table.replace_schema_metadata(meta), shard, write_page_checksum=True)

    for old_rule in (False, True):
        stopped_after_one(old_rule)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            embed_dataset(listing, out, **run)
        said = [str(w.message) for w in caught if "from another column" in str(w.message)]
        assert len(said) == int(old_rule), said
    assert f"{out} is resumed, but an earlier eegpt embedded 1 file in it and read" in said[0]
    assert "r0_raw.fif ('label', each event 'event' before)" in said[0]
    assert "--overwrite" in said[0]


def test_annotations_off_the_recording_are_warned_of_where_unlabelled_windows_are_fine():
    """unlabelled_ok (--unlabelled background) and no window labelled: the annotations that
    start after the recording ends are still warned of, once."""
    from eegpt.annotations import window_labels

    late = mne.Annotations([30000.0, 60000.0], [30000.0, 30000.0], ["a", "b"])
    onsets = np.arange(0.0, 60.0, 4.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = window_labels(late, onsets, 4.0, unlabelled_ok=True, end_s=60.0, source="r")
    assert labels == [None] * len(onsets)
    said = [str(w.message) for w in caught]
    assert len(said) == 1 and "start after the recording ends" in said[0], said


def test_a_table_naming_its_events_in_an_unknown_column_is_warned_of(tmp_path):
    """Text in a column of no known name: each row is still an 'event', but a warning names
    the column and how to make it read; a BIDS table of onsets, durations and BIDS's other
    columns alone calls its rows 'event' quietly, as BIDS allows."""
    from eegpt.annotations import read_annotations

    table = tmp_path / "ev.csv"
    table.write_text("onset,duration,stage_name,score\n0,30,W,1\n30,30,N1,2\n")
    with pytest.warns(EEGPTWarning, match=r"ev.csv: no column names its events \(looked for: "
                      r"trial_type, description, value, label, .*its column of text "
                      r"'stage_name' is not read: rename .* to 'description'"):  # fmt: skip
        found = read_annotations(table)
    assert list(found.description) == ["event", "event"]
    bids = tmp_path / "sub-01_task-rest_events.tsv"
    bids.write_text(
        "onset\tduration\tsample\tresponse_time\tstim_file\n0\t1\t0\tn/a\tface.png\n"
        "2\t1\t512\t0.43\tn/a\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(read_annotations(bids).description) == ["event", "event"]


@pytest.mark.parametrize("column", ["trigger", "type", "code"])
def test_a_table_of_trigger_codes_under_another_name_is_warned_of(tmp_path, column):
    """mne.find_events' codes written as a numeric 'trigger' (or 'type', 'code') column were
    read as 'event' rows without a word: the warning says to rename the column 'value'."""
    from eegpt.annotations import read_annotations

    table = tmp_path / "ev.csv"
    table.write_text(f"onset,duration,{column}\n0.5,0,255\n1.5,0,11\n3.0,0,12\n")
    with pytest.warns(EEGPTWarning, match=rf"ev.csv: no column names its events, so each is "
                      rf"called 'event': its column of numbers '{column}' is not read .*rename "
                      r"the column to 'value'"):  # fmt: skip
        found = read_annotations(table)
    assert list(found.description) == ["event"] * 3
    table.write_text("onset,duration,value\n0.5,0,255\n1.5,0,11\n3.0,0,12\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(read_annotations(table).description) == ["255", "11", "12"]


def test_onsets_in_milliseconds_past_the_recordings_end_are_warned_of(model, tmp_path):
    """A table in milliseconds on a 60 s recording: its first span covers every window and
    the second starts far past the end; one warning says so and asks about the time base.
    Where none overlaps a window, the one warning there says it too."""
    raw, _ = synthetic_raw(minutes=1.0, seed=5)
    table = tmp_path / "ms.csv"
    table.write_text("onset,duration,description\n0,30000,eyes_open\n30000,30000,eyes_closed\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emb = model.embed(raw, annotations=table)
    assert all(a == ["eyes_open"] for a in emb.annotations)
    said = [str(w.message) for w in caught if "ms.csv" in str(w.message)]
    assert len(said) == 1, said
    assert re.search(
        r"of the 2 annotations given \(annotations=.*ms.csv\), 1 starts after the recording "
        r"ends \(the last at 8:20:00, the recording 60 s long; seconds from the recording's "
        r"first sample\); 1 lasts more than 10 times "
        r"the recording \(up to 8:20:00\): another recording's, or onsets in milliseconds or "
        r"samples\?",
        said[0],
    )
    from eegpt.annotations import with_extra  # probe train/predict --annotations: alike

    with pytest.warns(EEGPTWarning, match=r"of the 2 annotations given .*, 1 starts after the "
                      r"recording ends .*: another recording's, or onsets in milliseconds"):  # fmt: skip
        labels = with_extra(as_recording(raw), table)
    assert list(labels.description) == ["eyes_open", "eyes_closed"]
    late = tmp_path / "late.csv"
    late.write_text("onset,duration,description\n30000,30000,a\n60000,30000,b\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.embed(raw, annotations=late)
    said = [str(w.message) for w in caught if "late.csv" in str(w.message)]
    assert len(said) == 1 and "none of the 2 annotations given" in said[0], said
    assert "2 start after the recording ends (the last at 16:40:00" in said[0]
    fine = tmp_path / "fine.csv"  # in seconds, the last span running past the end: no warning
    fine.write_text("onset,duration,description\n0,30,eyes_open\n30,40,eyes_closed\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.embed(raw, annotations=fine)
    assert not [w for w in caught if "fine.csv" in str(w.message)]


def test_window_labels_warns_of_onsets_in_milliseconds_as_embed_does(model, tmp_path):
    """``Embeddings.window_labels`` of a table in milliseconds labelled every window alike
    without a word; it gives the one warning ``embed(..., annotations=)`` gives, and adds it
    to the one that no window got a label where none did."""
    raw, _ = synthetic_raw(minutes=1.0, seed=5)
    emb = model.embed(raw)
    table = tmp_path / "ms.csv"
    table.write_text("onset,duration,description\n0,8000,rest\n8000,8000,task\n16000,8000,rest\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        labels = emb.window_labels(table)
    assert set(labels.tolist()) == {"rest"}
    said = [str(w.message) for w in caught if "ms.csv" in str(w.message)]
    assert len(said) == 1, said
    assert re.search(
        r"of the 3 annotations given \(annotations=.*ms.csv\), 2 start after the recording "
        r"ends \(the last at 4:26:40, the windows ending at 60 s; seconds from the "
        r"recording's first sample\); 1 lasts more than 10 "
        r"times the recording .*: another recording's, or onsets in milliseconds or samples\?",
        said[0],
    )
    late = tmp_path / "late.csv"
    late.write_text("onset,duration,description\n30000,30000,a\n60000,30000,b\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not any(emb.window_labels(late))
    said = [str(w.message) for w in caught]
    assert len(said) == 1 and "no window got a label" in said[0], said
    assert "Of the 2 annotations, 2 start after the recording ends" in said[0]
    fine = tmp_path / "fine.csv"  # seconds, the last span running past the end: no warning
    fine.write_text("onset,duration,description\n0,30,rest\n30,40,task\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert emb.window_labels(fine)[-1] == "task"
    assert not caught


def test_a_bids_trial_type_all_na_gives_way_to_a_filled_column(tmp_path, caplog):
    """A BIDS events.tsv whose trial_type is n/a in every row (BIDS's missing value) names
    its events by the next column of the order that holds values (value, or a column of
    text such as condition), said at INFO and recorded as the column read; a trial_type with
    one name, or no filled column after it, is read as before."""
    from eegpt.annotations import read_annotations, table_description_column

    cases = (
        ("trial_type\tvalue", [("n/a", "1"), ("n/a", "2")], ["1", "2"], "value"),
        ("trial_type\tcondition", [("n/a", "left"), ("", "right")], ["left", "right"],
         "condition"),
        ("trial_type\tvalue", [("n/a", "n/a"), ("n/a", "")], [], "trial_type"),
        ("trial_type\tvalue", [("go", "1"), ("n/a", "2")], ["go"], "trial_type"),
    )  # fmt: skip
    for k, (columns, cells, names, read) in enumerate(cases):
        table = tmp_path / f"t{k}_events.tsv"
        table.write_text(
            f"onset\tduration\t{columns}\n"
            + "".join(f"{10 * j}\t5\t{a}\t{b}\n" for j, (a, b) in enumerate(cells))
        )
        caplog.clear()
        with caplog.at_level("INFO", logger="eegpt"):
            assert list(read_annotations(table).description) == names, columns
        said = "its column 'trial_type' is n/a (or blank) in every row; the events are named by"
        assert (said in caplog.text) == (read != "trial_type"), caplog.text
        if read != "trial_type":
            assert f"named by {read!r}" in caplog.text
        assert table_description_column(table) == (True, read)


def test_numeric_codes_beside_a_column_of_names_are_read_with_a_warning(tmp_path):
    """``value`` = 1, 2 beside ``condition`` = left, right: BIDS's value is read (as ever),
    with one warning naming the column of text and how to read it; none where the codes
    stand alone or the column read holds text."""
    from eegpt.annotations import read_annotations, table_description_column

    table = tmp_path / "coded.csv"
    table.write_text("onset,duration,value,condition\n0,5,1,left\n10,5,2,right\n20,5,1,left\n")
    with pytest.warns(EEGPTWarning) as caught:
        assert list(read_annotations(table).description) == ["1", "2", "1"]
    said = [str(w.message) for w in caught if "also names them" in str(w.message)]
    assert said == [
        f"{table}: the events are named by 'value' (codes 1, 2); 'condition' also names them "
        "(left, right): rename it to trial_type to use it"
    ]
    swap = tmp_path / "swap.csv"
    swap.write_text("onset,duration,trial_type,label\n0,5,1,left\n10,5,2,right\n")
    with pytest.warns(EEGPTWarning, match="rename 'trial_type' to value and 'label' to trial_type"):
        assert list(read_annotations(swap).description) == ["1", "2"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the provenance's reading says nothing
        assert table_description_column(table) == (True, "value")
    for text in ("onset,duration,value\n0,5,1\n", "onset,duration,value,condition\n0,5,go,left\n"):
        quiet = tmp_path / "quiet.csv"
        quiet.write_text(text)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            read_annotations(quiet)


def test_an_na_trial_type_is_followed_by_a_column_of_text_before_one_of_codes(tmp_path, caplog):
    """trial_type n/a, value = 1, 2, label = left, right: the events are named by label (text),
    not value's codes, without the codes' warning; where codes are read beside an n/a
    trial_type, the advice is to replace it (a second trial_type column would not be read)."""
    from eegpt.annotation_files import _warn_coded_names, read_annotations

    table = tmp_path / "sub-1_events.tsv"
    table.write_text(
        "onset\tduration\ttrial_type\tvalue\tlabel\n0\t5\tn/a\t1\tleft\n10\t5\tn/a\t2\tright\n"
    )
    with warnings.catch_warnings(), caplog.at_level("INFO", logger="eegpt"):
        warnings.simplefilter("error")
        assert list(read_annotations(table).description) == ["left", "right"]
    assert "named by 'label'" in caplog.text
    header = {"onset": "onset", "duration": "duration", "trial_type": "Trial_Type",
              "value": "value", "label": "label"}  # fmt: skip
    rows = [{"Trial_Type": "n/a", "value": "1", "label": "left"}]
    with pytest.warns(EEGPTWarning, match="replace the n/a 'Trial_Type' column by 'label'"):
        _warn_coded_names(table, "value", header, rows)


def test_names_read_otherwise_tells_an_na_trial_type_read_from_another_column(tmp_path):
    """An output of an n/a trial_type table embedded by an eegpt that read trial_type (each
    event 'n/a'), whether it recorded the column (trial_type) or not (no annotations_column),
    is told apart from one this eegpt embeds (the column read now: value); an output that
    recorded value, or of a table read alike, is not."""
    from eegpt.annotations import names_read_otherwise, read_otherwise_text

    table = tmp_path / "sub-1_events.tsv"
    table.write_text("onset\tduration\ttrial_type\tvalue\n0\t5\tn/a\t1\n10\t5\tn/a\t2\n")
    meta = {"annotations_file": str(table)}
    assert names_read_otherwise(meta) == ("trial_type", "value")
    assert names_read_otherwise({**meta, "annotations_column": "trial_type"}) == (
        "trial_type",
        "value",
    )
    assert names_read_otherwise({**meta, "annotations_column": "value"}) is None
    assert names_read_otherwise(meta, table) == ("trial_type", "value")
    other = tmp_path / "other.csv"  # given now, another file than the recorded one
    other.write_text("onset,duration,label\n0,5,seiz\n")
    recorded = {"annotations_file": str(table), "annotations_column": "trial_type"}
    assert names_read_otherwise(recorded, other) is None
    assert names_read_otherwise({"annotations_column": "trial_type"}, other) is None
    assert read_otherwise_text("trial_type", "value") == "'value', 'trial_type' before"
    plain = tmp_path / "plain.csv"
    plain.write_text("onset,duration,trial_type,value\n0,5,go,1\n")
    assert names_read_otherwise({"annotations_file": str(plain)}) is None
    labelled = tmp_path / "label.csv"
    labelled.write_text("onset,duration,label\n0,5,seiz\n")
    assert names_read_otherwise({"annotations_file": str(labelled)}) == (None, "label")
    assert read_otherwise_text(None, "label") == "'label', each event 'event' before"
    assert (
        names_read_otherwise({"annotations_file": str(labelled), "annotations_column": "label"})
        is None
    )


def test_embed_warns_once_of_codes_beside_a_column_of_names(weights, tmp_path):
    """eegpt embed --annotations of a table of value codes beside a condition column: the
    warning is given once, however often the table is read (its provenance recorded too), and
    the codes' column is recorded as annotations_column."""
    from eegpt.outputs import load_embeddings

    rec = _noise_fif(tmp_path / "rec_raw.fif", 60)
    table = tmp_path / "coded.csv"
    table.write_text("onset,duration,value,condition\n0,30,1,left\n30,30,2,right\n")
    out = tmp_path / "rec.npz"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(rec), "--annotations", str(table), "-o", str(out),
                     "--weights", str(weights), "-q"]) == 0  # fmt: skip
    said = [str(w.message) for w in caught if "also names them" in str(w.message)]
    assert len(said) == 1, said
    assert load_embeddings(out).metadata["annotations_column"] == "value"


def test_bad_spans_count_samples_at_the_nominal_rate_of_a_rounded_header_interval():
    """The spans are on the scale of :func:`annotations_of` (sample ``k`` of a BrainVision
    file with ``SamplingInterval=3906`` at ``k / 256`` s), so the samples judged inside a bad
    span count at 256 Hz too, not at MNE's 256.016385 Hz: a span from 1 h on holds sample
    921600 (it was judged outside for 59 samples, so NaNs there were refused)."""
    from eegpt.annotations import BadSpans

    spans = BadSpans(np.array([[3600.0, 3601.0]]), misnamed=((3600.0, 3601.0, "bad?"),))
    samples = np.array([921599, 921600, 921855, 921856])
    for sfreq in (1e6 / 3906, 256.0):
        assert spans.inside(samples, sfreq).tolist() == [False, True, True, False]
        assert spans.inside_misnamed(samples, sfreq)[0].tolist() == [False, True, True, False]


def test_a_table_of_onsets_without_durations_is_read_as_markers(weights, tmp_path):
    """An events table of onset and description alone (a list of stimuli) failed with
    MNE's bare KeyError "'duration'" (its reader took the .csv), a .tsv as of no known
    kind. Its events are read as of zero duration, said once in a warning naming the file;
    tables with durations are read as before, quietly."""
    from eegpt.annotations import read_annotations
    from eegpt.outputs import load_embeddings

    rec = _noise_fif(tmp_path / "rec_raw.fif", 20)
    table = tmp_path / "ev.csv"
    table.write_text("onset,description\n1.5,stim\n6.25,resp\n")
    out = tmp_path / "rec.npz"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(rec), "--annotations", str(table), "-o", str(out),
                     "--weights", str(weights), "-q"]) == 0  # fmt: skip
    said = [str(w.message) for w in caught if "no 'duration' column" in str(w.message)]
    assert len(said) == 1, said
    assert said[0].startswith(f"{table}: the table has an 'onset' column but no 'duration'")
    assert "read as of zero duration" in said[0]
    assert load_embeddings(out).annotations[:2] == [["stim"], ["resp"]]  # 4 s windows
    tsv = tmp_path / "ev.tsv"
    tsv.write_text("onset\ttrial_type\n2\tgo\n")
    with pytest.warns(EEGPTWarning, match=r"ev.tsv: the table has an 'onset' column but no"):
        found = read_annotations(tsv)
    assert (found.onset.tolist(), found.duration.tolist(), list(found.description)) == (
        [2.0],
        [0.0],
        ["go"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        timed = tmp_path / "timed.csv"
        timed.write_text("onset,duration,description\n2,0.5,go\n")
        assert read_annotations(timed).duration.tolist() == [0.5]


@pytest.mark.parametrize("name", ["run-eve.fif", "run.eve", "run_eve.txt"])
def test_an_mne_events_file_is_refused_saying_how_to_use_it(weights, tmp_path, capsys, name):
    """An MNE events file (mne.write_events) given as --annotations was refused as of no
    known kind, or (-eve.fif) as an EEG file MNE could not read. It is named as an events
    file, with the calls that make its events annotations."""
    from eegpt.annotations import read_annotations

    rec = _noise_fif(tmp_path / "rec_raw.fif", 10)
    events = tmp_path / name
    mne.write_events(events, np.array([[256, 0, 1], [1024, 0, 2]]), verbose=False)
    said = (
        rf"{re.escape(str(events))} is an MNE events file \(as mne.write_events writes it.*"
        r"mne.read_events\(PATH\).*mne.annotations_from_events\(events, raw.info\['sfreq'\], "
        r"orig_time=raw.info\['meas_date'\]\)\) \(with orig_time given, pass no first_samp"
    )
    with pytest.raises(RecordingError, match=said):
        read_annotations(events)
    out = tmp_path / "rec.npz"
    assert main(["embed", str(rec), "--annotations", str(events), "-o", str(out),
                 "--weights", str(weights), "-q"]) == 1  # fmt: skip
    assert "is an MNE events file" in capsys.readouterr().err
    assert not out.exists()


def test_a_semicolon_table_reads_decimal_commas(tmp_path):
    """A ``;``-separated table (Excel's CSV where the decimal separator is a comma) reads
    ``2,5`` as 2.5, in onsets and durations alike, whether some cells or all have one; a
    ``,``-separated table is read as before."""
    from eegpt.annotations import read_annotations

    mixed = tmp_path / "mixed.csv"
    mixed.write_text("onset;duration;trial_type\n1;0;a\n2,5;0;b\n4;1,5;c\n")
    found = read_annotations(mixed)
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (1.0, 0.0, "a"), (2.5, 0.0, "b"), (4.0, 1.5, "c")
    ]  # fmt: skip
    every = tmp_path / "every.csv"
    every.write_text("onset;duration;description\n0,5;30,0;W\n30,5;30,0;N1\n")
    found = read_annotations(every)
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (0.5, 30.0, "W"), (30.5, 30.0, "N1")
    ]  # fmt: skip
    points = tmp_path / "points.csv"
    points.write_text("onset,duration,description\n0.5,30,W\n")
    assert list(read_annotations(points).onset) == [0.5]


def test_a_comma_in_a_semicolon_table_whose_numbers_use_a_point_is_refused(tmp_path):
    """``12.5;30;W`` beside ``1,234;30;N1`` read 1,234 as 1.234 s (a thousands separator,
    maybe: 1234 s), and a duration ``1,000`` as 1 s, silently. Where the other numbers use
    a decimal point the comma is ambiguous: refused, naming the file, row and cell."""
    from eegpt.annotations import read_annotations

    for rows, cell, what in (
        ("12.5;30;W\n1,234;30;N1\n", "'1,234'", "onset"),
        ("0;1,000;W\n3600;30.5;N1\n", "'1,000'", "duration"),
    ):
        table = tmp_path / "mixed.csv"
        table.write_text(f"onset;duration;trial_type\n{rows}")
        said = f"the {what} {cell} of its row \\d after the header .*{cell} is ambiguous"
        with pytest.raises(RecordingError, match=said + ".*thousands separator") as err:
            read_annotations(table)
        assert str(table) in str(err.value)


def test_an_onset_or_duration_that_is_no_number_is_refused(tmp_path):
    """A row whose onset or duration cell is neither a number nor n/a (or blank) is refused,
    naming the file, the row and the cell, rather than left out or given duration 0; n/a
    cells are read as before (the row left out, the duration 0)."""
    from eegpt.annotations import read_annotations

    for header, row, cell, what in (
        ("onset,duration,description", "2s,1,b", "'2s'", "onset"),
        ("onset,duration,description", "2,1 s,b", "'1 s'", "duration"),
        ("onset\tduration\tdescription", "2\tinf\tb", "'inf'", "duration"),
        ("onset;duration;description", "2;1.000,5;b", "'1.000,5'", "duration"),
    ):
        table = tmp_path / "t.tsv" if "\t" in header else tmp_path / "t.csv"
        sep = "\t" if "\t" in header else ";" if ";" in header else ","
        table.write_text(f"{header}\n1{sep}0{sep}a\n{row}\n")
        with pytest.raises(RecordingError, match=f"the {what} {cell} of its row 2 after") as err:
            read_annotations(table)
        assert str(table) in str(err.value)
    tabs = tmp_path / "comma.tsv"
    tabs.write_text("onset\tduration\tdescription\n1\t0\ta\n2\t1,5\tb\n")
    with pytest.raises(RecordingError, match=r"'1,5' has a decimal comma, .* write 1\.5\)"):
        read_annotations(tabs)
    table = tmp_path / "na.csv"
    table.write_text("onset,duration,description\n1,n/a,a\nn/a,1,b\n,1,c\n3,,d\n")
    found = read_annotations(table)
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (1.0, 0.0, "a"), (3.0, 0.0, "d")
    ]  # fmt: skip


def test_a_row_that_ends_early_reads_its_missing_cells_as_na(tmp_path):
    """A row with fewer cells than the header (``5.0<TAB>1.0`` under ``onset duration
    trial_type``) reads the missing ones as n/a: its description is ``n/a`` (not ``None``),
    its duration 0; in a BIDS events.tsv a missing trial_type leaves the row out, as n/a."""
    from eegpt.annotations import read_annotations

    text = "onset\tduration\ttrial_type\n1.0\t2.0\tgo\n5.0\t1.0\n9.0\n"
    table = tmp_path / "short.tsv"
    table.write_text(text)
    found = read_annotations(table)
    assert list(zip(found.onset, found.duration, found.description, strict=True)) == [
        (1.0, 2.0, "go"), (5.0, 1.0, "n/a"), (9.0, 0.0, "n/a")
    ]  # fmt: skip
    bids = tmp_path / "sub-01_task-x_events.tsv"
    bids.write_text(text)
    assert list(read_annotations(bids).description) == ["go"]


def test_a_bids_events_file_given_alone_leaves_out_na_rows_as_mne_bids_does(tmp_path):
    """A BIDS events.tsv given as a file is read as MNE-BIDS reads it as the recording's
    sidecar: a row whose trial_type is n/a is left out (its value does not name it), as is
    one whose value is n/a where value names the events; another table keeps such rows."""
    import mne_bids

    from eegpt.annotations import read_annotations

    text = (
        "onset\tduration\ttrial_type\tvalue\n"
        "1.5\t0.0\tT0\t3\n6.0\t3.0\tgo\t2\n17.0\tn/a\tn/a\t7\n27.5\t0.5\tstop\t4\n"
    )
    bids = tmp_path / "sub-01_task-x_events.tsv"
    bids.write_text(text)
    found = read_annotations(bids)
    assert list(zip(found.onset, found.description, strict=True)) == [
        (1.5, "T0"), (6.0, "go"), (27.5, "stop")
    ]  # fmt: skip
    info = mne.create_info(["Cz"], 100.0, "eeg")
    raw = mne.io.RawArray(np.zeros((1, 4000)), info, verbose=False)
    raw, _ = mne_bids.read._handle_events_reading(bids, raw)  # read_raw_bids's own reading
    assert list(raw.annotations.description) == list(found.description)
    coded = tmp_path / "sub-01_task-z_events.tsv"
    coded.write_text(
        "onset\tduration\ttrial_type\tvalue\n"
        "1\t0\tgo\t1\n2\t0\tgo\t2\n3\t0\tstop\t3\n4\t0\tstop\t3\n5\t0\tgo\tn/a\n"
    )
    found = read_annotations(coded)
    assert list(found.description) == ["go/1", "go/2", "stop", "stop", "go/na"]
    raw, _ = mne_bids.read._handle_events_reading(coded, raw)
    assert list(raw.annotations.description) == list(found.description)
    # a row MNE-BIDS drops first (an n/a onset) does not give stop a second value
    timeless = tmp_path / "sub-01_task-w_events.tsv"
    timeless.write_text(
        "onset\tduration\ttrial_type\tvalue\n"
        "1.0\t0.5\tgo\t1\n2.0\t0.5\tgo\t2\n3.0\t0.5\tstop\tn/a\n4.0\t0.5\tn/a\t3\n"
        "5.0\t0.5\tgo\tn/a\nn/a\t0.5\tstop\t9\n"
    )
    found = read_annotations(timeless)
    assert list(found.description) == ["go/1", "go/2", "stop", "go/na"]
    raw, _ = mne_bids.read._handle_events_reading(timeless, raw)
    assert list(zip(raw.annotations.onset, raw.annotations.description, strict=True)) == list(
        zip(found.onset, found.description, strict=True)
    )
    # nor a trial_type: n/a wherever there is an onset, the events are named by value
    untyped = tmp_path / "sub-01_task-v_events.tsv"
    untyped.write_text("onset\tduration\ttrial_type\tvalue\nn/a\t0\tgo\t1\n2\t0\tn/a\t3\n")
    found = read_annotations(untyped)
    assert list(zip(found.onset, found.description, strict=True)) == [(2.0, "3")]
    raw, _ = mne_bids.read._handle_events_reading(untyped, raw)
    assert list(raw.annotations.description) == ["3"]
    values = tmp_path / "sub-01_task-y_events.tsv"
    values.write_text("onset\tduration\tvalue\n1\t0\t3\n2\t0\tn/a\n")
    assert list(read_annotations(values).description) == ["3"]
    other = tmp_path / "events.tsv"
    other.write_text(text)
    assert list(read_annotations(other).description) == ["T0", "go", "n/a", "stop"]


_CHBMIT_SUMMARY = """Data Sampling Rate: 256 Hz
*************************

Channels in EDF Files:
**********************
Channel 1: FP1-F7
Channel 2: F7-T7

File Name: chb01_03.edf
File Start Time: 13:43:04
File End Time: 14:43:04
Number of Seizures in File: 1
Seizure Start Time: 2996 seconds
Seizure End Time: 3036 seconds

File Name: chb01_05.edf
File Start Time: 15:43:12
File End Time: 16:43:12
Number of Seizures in File: 0

File Name: chb01_18.edf
File Start Time: 04:45:06
File End Time: 05:45:06
Number of Seizures in File: 2
Seizure 1 Start Time: 1720 seconds
Seizure 1 End Time: 1810 seconds
Seizure 2 Start Time: 3500.5 seconds
Seizure 2 End Time: 3512 seconds
"""


def test_a_chbmit_summary_is_named_and_its_seizures_read_per_recording(tmp_path, monkeypatch):
    """A CHB-MIT summary (chb01-summary.txt) given as annotations was refused as 'a list of
    stages, one per scoring epoch', advising 30 s epochs from each line; the error names it a
    CHB-MIT summary of several recordings, and read_chbmit_summary gives each recording's
    seizures (numbered 'Seizure 1 Start Time' too), which the advice's code writes as a table
    per recording that reads back with the same onsets and durations."""
    import pandas as pd

    from eegpt.annotation_files import read_chbmit_summary
    from eegpt.annotations import read_annotations

    path = tmp_path / "chb01-summary.txt"
    path.write_text(_CHBMIT_SUMMARY)
    with pytest.raises(RecordingError) as err:
        read_annotations(path)
    text = str(err.value)
    assert "list of stages" not in text
    assert "it is a CHB-MIT summary, which lists the seizures of 3 recordings" in text
    assert "--annotations chb01_03.edf-seizures.csv" in text
    seizures = read_chbmit_summary(path)
    assert list(seizures) == ["chb01_03.edf", "chb01_05.edf", "chb01_18.edf"]
    assert seizures["chb01_03.edf"].onset.tolist() == [2996.0]
    assert seizures["chb01_03.edf"].duration.tolist() == [40.0]
    assert len(seizures["chb01_05.edf"]) == 0
    assert seizures["chb01_18.edf"].onset.tolist() == [1720.0, 3500.5]
    assert seizures["chb01_18.edf"].duration.tolist() == [90.0, 11.5]
    assert set(seizures["chb01_18.edf"].description) == {"seizure"}
    code = re.search(r"(for name, ann in .*?index=False\))", text)
    assert code is not None, text
    loop, body = code.group(1).split(": ", 1)
    monkeypatch.chdir(tmp_path)
    scope = {"pd": pd, "read_chbmit_summary": read_chbmit_summary}
    exec(f"{loop}:\n    {body}", scope)  # noqa: S102 - the advice's own code
    back = read_annotations(tmp_path / "chb01_18.edf-seizures.csv")
    assert back.onset.tolist() == [1720.0, 3500.5] and back.duration.tolist() == [90.0, 11.5]
    assert len(read_annotations(tmp_path / "chb01_05.edf-seizures.csv")) == 0
    with pytest.raises(RecordingError, match="a seizure start without its end time"):
        (tmp_path / "bad.txt").write_text("File Name: a.edf\nSeizure Start Time: 5 seconds\n")
        read_chbmit_summary(tmp_path / "bad.txt")


def test_window_labels_of_the_embeddings_own_annotations_say_what_to_give(model, tmp_path):
    """``emb.window_labels(emb.annotations)``, the embeddings' own annotations passed back,
    failed with os.path's "expected str, bytes or os.PathLike object, not list". Those list
    the descriptions over each window, not how much of it each covers: refused, naming the
    recording's path to give instead (which labels the windows) and how to select windows
    by the descriptions over them."""
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    rng = np.random.default_rng(0)
    raw = mne.io.RawArray(
        rng.standard_normal((6, 16 * 256)) * 2e-5, mne.create_info(names, 256.0, "eeg"),
        verbose=False,
    )  # fmt: skip
    raw.set_annotations(mne.Annotations([0.0, 8.0], [8.0, 8.0], ["Sleep stage W", "Sleep stage 2"]))
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    emb = model.embed(path, device="cpu")
    assert emb.annotations[0] == ["Sleep stage W"]
    with pytest.raises(TypeError) as err:
        emb.window_labels(emb.annotations)
    said = str(err.value)
    assert "not Embeddings.annotations: those list the descriptions over each window" in said
    assert f"Give emb.window_labels({str(emb.metadata['source'])!r}, ...)" in said
    assert "emb[['Sleep stage W' in a for a in emb.annotations]]" in said
    with pytest.raises(TypeError, match=r"not a list: give emb\.window_labels\("):
        emb.window_labels([mne.Annotations([0.0], [8.0], ["W"])])
    labels = emb.window_labels(emb.metadata["source"]).tolist()  # as the error says
    assert labels == ["Sleep stage W"] * 2 + ["Sleep stage 2"] * 2


@pytest.mark.parametrize("command", [None, "train"])
def test_messages_of_many_markers_keep_their_code_whole_and_short(command):
    """The window_labels warning of markers that label no window wrote every matched
    description into each piece of code (states, event ids, the --marker-spans), 4.3k
    characters for 40 stimulus codes and about 20k for BrainVision's 255: past the 4,000 a
    recorded warning keeps, which cut it in the middle of the code. Over 12 descriptions the
    code takes them from raw by the pattern (whole, and it runs), the prose lists a few and
    how many; the recorded text is the whole warning. (Markers 1 s apart are events: the
    code is the epochs to cut around them, no spans of states.)"""
    from eegpt._logging import RECORDED_WARNING_WIDTH, warning_texts
    from eegpt.annotation_labels import CommandLabelling, labelled_by_command

    info = mne.create_info(["Fz", "Cz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 256 * 300)), info, verbose=False)
    names = [f"Stimulus/S{k:3d}" for k in range(1, 256)]
    raw.set_annotations(mne.Annotations(np.arange(255) + 1.0, 0.0, names))
    how = None if command is None else CommandLabelling(command, "--window-labels '^Stimulus'")
    with labelled_by_command(how), pytest.warns(RuntimeWarning, match="no window got") as said:
        eegpt.annotations.window_labels(raw.annotations, np.arange(0.0, 296, 4), 4.0,
                                        match="^Stimulus")  # fmt: skip
    text = str(said[0].message)
    assert len(text) < RECORDED_WARNING_WIDTH
    assert warning_texts([text], 1) == [" ".join(text.split())]  # on one line, not cut
    setup = re.search(r"import re; names = \[.*?\]; ", text)[0]
    assert "re.search('^Stimulus', d)" in setup
    scope = {"eegpt": eegpt, "raw": raw, "mne": mne}
    recipe = re.search(r"events, event_id = .*?tmax=0\.8 - 1 / raw\.info\['sfreq'\]\)", text)[0]
    exec(setup + recipe, scope)
    assert len(scope["epochs"].events) == 255 and "event_id={d: k + 1" in recipe
    assert "markers_to_spans(raw" not in text and "--marker-spans '" not in text
    # 255 codes of states (20 s apart, not BrainVision's stimuli): the spans' code, whole
    raw = mne.io.RawArray(np.zeros((2, 64 * 5200)), mne.create_info(["Fz", "Cz"], 64.0, "eeg"),
                          verbose=False)  # fmt: skip
    codes = [f"state{k:3d}" for k in range(1, 256)]
    raw.set_annotations(mne.Annotations(20.0 * np.arange(255) + 1.0, 0.0, codes))
    how = None if command is None else CommandLabelling(command, "--window-labels '^state'")
    with labelled_by_command(how), pytest.warns(RuntimeWarning, match="no window got") as said:
        eegpt.annotations.window_labels(raw.annotations, np.arange(0.0, 5196, 4), 4.0,
                                        match="^state")  # fmt: skip
    text = str(said[0].message)
    assert len(text) < RECORDED_WARNING_WIDTH
    setup = re.search(r"import re; names = \[.*?\]; ", text)[0]
    code = re.search(r"(eegpt\.annotations\.markers_to_spans\(raw, \{.*?\}\))", text)[1]
    scope = {"eegpt": eegpt, "raw": raw, "mne": mne}
    exec(setup + f"spans = {code}", scope)
    assert sorted(set(scope["spans"].description)) == codes
    if command is not None:
        assert "one --marker-spans NAME=REGEX per state (255 here), e.g. --marker-spans" in text


def test_info_names_the_recording_annotations_and_checkpoint_alike(weights, tmp_path,
                                                                  monkeypatch, capsys):  # fmt: skip
    """`eegpt embed psg.edf --annotations hyp.csv --weights W` run in the files' folder: eegpt
    info showed the recording as given (psg.edf) but the annotations file and the checkpoint
    by their absolute paths. Each is shown relative to the folder the command ran in where it
    lies there, as the command line named them (the records unchanged: the annotations file
    and checkpoint absolute, for the checks that compare them; anonymize strips them all)."""
    import shutil

    from eegpt.cli_info import run_path

    monkeypatch.chdir(tmp_path)
    write_edf(synthetic_raw(minutes=0.5)[0], tmp_path / "psg.edf")
    (tmp_path / "hyp.csv").write_text("onset,duration,description\n0,20,Sleep stage W\n")
    shutil.copytree(weights, tmp_path / "small")
    args = ["embed", "psg.edf", "--annotations", "hyp.csv", "--weights", "small", "-q"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the channels outside the vocabulary)
        assert main([*args, "-o", "out.parquet"]) == 0
    meta = load_embeddings(tmp_path / "out.parquet").metadata
    assert meta["annotations_file"] == str(tmp_path / "hyp.csv")
    assert meta["checkpoint"]["path"] == str(tmp_path / "small") and meta["source"] == "psg.edf"
    capsys.readouterr()
    assert main(["info", "out.parquet"]) == 0
    text = capsys.readouterr().out
    assert "out.parquet: EEGPT embeddings of psg.edf, with the annotations of hyp.csv" in text
    assert "  checkpoint: small (sha256 " in text and str(tmp_path) not in text
    # outside the folder the command ran in, and without one (Python): as recorded
    assert run_path("/elsewhere/hyp.csv", meta) == "/elsewhere/hyp.csv"
    assert run_path(str(tmp_path / "hyp.csv"), {}) == str(tmp_path / "hyp.csv")
    assert main(["anonymize", "out.parquet", "-o", "anon.parquet", "-q"]) == 0
    capsys.readouterr()
    assert main(["info", "anon.parquet"]) == 0
    text = capsys.readouterr().out
    assert "of psg.edf, with the annotations of hyp.csv" in text and str(tmp_path) not in text
