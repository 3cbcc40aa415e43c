"""``--epochs-around``: event-locked epochs cut from a continuous recording on the command
line, taken as an ``-epo.fif`` of the same epochs cut in MNE is (embed, probe train, predict
and evaluate)."""

from __future__ import annotations

import json
import warnings

import mne
import numpy as np
import pandas as pd
import pytest

from eegpt.cli import main
from eegpt.errors import EEGPTWarning
from eegpt.outputs import load_embeddings
from eegpt.synthetic import synthetic_erp_raw

SFREQ = 500.0
STIMULI = {1: "Stimulus/S  1", 2: "Stimulus/S  2"}
PATTERN = "Stimulus/S  [12]"
COMMON = ["--passes", "1", "--window", "1", "-q"]


def _recording(path, seed=1, n=12, bad=False, stim=False, early=False):
    """A continuous FIF recording of ``n`` stimuli kept as BrainVision-like annotations
    (``Stimulus/S  1``, ``Stimulus/S  2``), one annotation that matches no pattern, with
    ``early`` one more ``Stimulus/S  1`` 0.1 s after the start (too close for an epoch from
    -0.2 s), and with
    ``bad`` a ``BAD_muscle`` span over the third stimulus. With ``stim``, the events are a
    stim channel's codes instead (``STI 014``), with no annotations."""
    raw, events, _ = synthetic_erp_raw(n, sfreq=SFREQ, seed=seed)
    if stim:
        codes = np.zeros((1, raw.n_times))
        codes[0, events[:, 0]] = events[:, 2]
        info = mne.create_info(["STI 014"], SFREQ, "stim")
        raw.add_channels([mne.io.RawArray(codes, info, verbose=False)], force_update_info=True)
    else:
        ann = mne.annotations_from_events(events, SFREQ, STIMULI, orig_time=None)
        ann.append(2.0, 0.0, "Comment/hello")
        if early:
            ann.append(0.1, 0.0, "Stimulus/S  1")
        if bad:
            ann.append(events[2, 0] / SFREQ - 0.1, 0.5, "BAD_muscle")
        raw.set_annotations(ann)
    raw.save(path, overwrite=True, verbose=False)
    return path


def _mne_epochs(path, baseline=None, reject_by_annotation=True):
    """The epochs an ERP user cuts in MNE: events from the annotations matching PATTERN,
    [-0.2, 0.8) s around them."""
    raw = mne.io.read_raw_fif(path, preload=True, verbose=False)
    events, event_id = mne.events_from_annotations(raw, regexp=PATTERN, verbose=False)
    return mne.Epochs(
        raw, events, event_id, tmin=-0.2, tmax=0.8 - 1 / SFREQ, baseline=baseline,
        preload=True, reject_by_annotation=reject_by_annotation, verbose=False,
    )  # fmt: skip


def test_embed_epochs_around_equals_the_epochs_cut_in_mne(weights, tmp_path, capsys):
    rec = _recording(tmp_path / "rec_raw.fif", early=True)
    epo = tmp_path / "rec-epo.fif"
    epochs = _mne_epochs(rec)
    epochs.save(epo, verbose=False)
    assert len(epochs) == 12  # the one 0.1 s after the start dropped by MNE
    run = ["--weights", str(weights), "--window", "1", "-q"]
    cut, saved = tmp_path / "cut.npz", tmp_path / "saved.npz"
    close = r"1 of 13 events matching --epochs-around 'Stimulus/S  \[12\]' lie too close"
    with pytest.warns(EEGPTWarning, match=close):
        assert main(["embed", str(rec), "--epochs-around", PATTERN, "--crop", "-0.2", *run,
                     "-o", str(cut)]) == 0  # fmt: skip
    assert main(["embed", str(epo), "--crop", "-0.2", *run, "-o", str(saved)]) == 0
    got, want = load_embeddings(cut), load_embeddings(saved)
    assert got.data.shape == want.data.shape == (12, *want.data.shape[1:])
    np.testing.assert_allclose(got.data, want.data, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got.onsets, want.onsets)
    assert got.metadata["labels"] == want.metadata["labels"]
    assert set(got.metadata["labels"]) == set(STIMULI.values())
    assert got.metadata["epochs_around"] == {
        "patterns": [[None, PATTERN]], "tmin": -0.2, "baseline": None,
    }  # fmt: skip
    assert got.metadata["preprocessing"]["crop_tmin"] == -0.2
    assert main(["info", str(cut)]) == 0
    said = "cut into epochs around its annotations (--epochs-around 'Stimulus/S  [12]' --crop -0.2)"
    assert said in capsys.readouterr().out


def test_epochs_around_starts_at_the_event_without_crop(weights, tmp_path):
    rec = _recording(tmp_path / "rec_raw.fif")
    out = tmp_path / "cut.npz"
    assert main(["embed", str(rec), "--weights", str(weights), "--window", "1", "-q",
                 "--epochs-around", "S  2$", "-o", str(out)]) == 0  # fmt: skip
    raw = mne.io.read_raw_fif(rec, preload=True, verbose=False)
    # (MNE matches its regexp at the start of a description, --epochs-around anywhere)
    events, _ = mne.events_from_annotations(raw, regexp=".*S  2$", verbose=False)
    got = load_embeddings(out)
    np.testing.assert_allclose(got.onsets, events[:, 0] / SFREQ)
    assert set(got.metadata["labels"]) == {"Stimulus/S  2"}


def test_baseline_is_applied_recorded_and_checked_by_the_probe(weights, tmp_path, capsys):
    rec = _recording(tmp_path / "rec_raw.fif")
    epo = tmp_path / "rec-epo.fif"
    _mne_epochs(rec, baseline=(-0.2, 0.0)).save(epo, verbose=False)
    run = ["--weights", str(weights), "--window", "1", "-q", "--crop", "-0.2"]
    cut, saved = tmp_path / "cut.npz", tmp_path / "saved.npz"
    assert main(["embed", str(rec), "--epochs-around", PATTERN, "--baseline", "-0.2", "0",
                 *run, "-o", str(cut)]) == 0  # fmt: skip
    assert main(["embed", str(epo), *run, "-o", str(saved)]) == 0
    got, want = load_embeddings(cut), load_embeddings(saved)
    np.testing.assert_allclose(got.data, want.data, rtol=1e-6, atol=1e-6)
    assert got.metadata["epochs_baseline"] == [-0.2, 0.0]
    assert want.metadata["epochs_baseline"] == pytest.approx([-0.2, 0.0])  # float32 in FIF
    # a probe trained on them records the baseline, and predict checks the epochs' own
    probe = tmp_path / "probe"
    assert main(["probe", "train", str(rec), "--weights", str(weights), "--epochs-around",
                 PATTERN, "--crop", "-0.2", "--baseline", "-0.2", "0", "-o", str(probe),
                 *COMMON]) == 0  # fmt: skip
    training = json.loads((probe / "probe.json").read_text())["training"]
    assert training["epochs_baseline"] == [-0.2, 0.0]
    assert training["epochs_around"]["baseline"] == [-0.2, 0.0]
    other = _recording(tmp_path / "other_raw.fif", seed=2)
    out = tmp_path / "p.csv"
    with pytest.warns(EEGPTWarning, match="were corrected over -0.1 s to 0 s"):
        assert main(["probe", "predict", str(probe), str(other), "--baseline", "-0.1", "0",
                     "-o", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["embed", str(rec), "--baseline", "-0.2", "0", *run,
                 "-o", str(tmp_path / "x.npz")]) == 1  # fmt: skip
    assert "--baseline corrects the epochs --epochs-around cuts" in capsys.readouterr().err


def test_probe_learns_the_labels_from_the_descriptions(weights, tmp_path, capsys):
    rec = _recording(tmp_path / "rec_raw.fif", n=16)
    probe = tmp_path / "probe"
    assert main(["probe", "train", str(rec), "--weights", str(weights), "--epochs-around",
                 "standard=S  1$", "--epochs-around", "target=S  2$", "--crop", "-0.2",
                 "-o", str(probe), *COMMON]) == 0  # fmt: skip
    record = json.loads((probe / "probe.json").read_text())
    assert record["classes"] == ["standard", "target"]
    assert record["training"]["epochs_around"]["patterns"] == [
        ["standard", "S  1$"], ["target", "S  2$"],
    ]  # fmt: skip
    # predict adopts the cut: the same as the -epo.fif of those epochs, labelled alike
    other = _recording(tmp_path / "other_raw.fif", seed=2)
    epo = tmp_path / "other-epo.fif"
    epochs = _mne_epochs(other)
    epochs.event_id = {"standard": epochs.event_id["Stimulus/S  1"],
                       "target": epochs.event_id["Stimulus/S  2"]}  # fmt: skip
    epochs.save(epo, verbose=False)
    cut, saved = tmp_path / "cut.csv", tmp_path / "saved.csv"
    capsys.readouterr()
    assert main(["probe", "predict", str(probe), str(other), "-o", str(cut)]) == 0
    assert "as in training: --epochs-around 'standard=S  1$'" in capsys.readouterr().err
    assert main(["probe", "predict", str(probe), str(epo), "-o", str(saved), "-q"]) == 0
    a, b = pd.read_csv(cut), pd.read_csv(saved)
    assert len(a) == 12 and list(a["label"]) == list(b["label"])
    np.testing.assert_allclose(a["onset_s"], b["onset_s"], atol=1e-6)
    np.testing.assert_allclose(a[["p_standard", "p_target"]], b[["p_standard", "p_target"]],
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    # evaluate scores the labels from the descriptions
    assert main(["probe", "evaluate", str(probe), str(other), "-q"]) == 0
    assert "n=12 epochs" in capsys.readouterr().out


def test_plain_patterns_label_by_the_descriptions_and_bad_epochs(weights, tmp_path, capsys):
    rec = _recording(tmp_path / "rec_raw.fif", n=12, bad=True)
    probe = tmp_path / "probe"
    assert main(["probe", "train", str(rec), "--weights", str(weights), "--epochs-around",
                 "S  1$", "--epochs-around", "S  2$", "--crop", "-0.2", "-o", str(probe),
                 *COMMON]) == 0  # fmt: skip
    record = json.loads((probe / "probe.json").read_text())
    assert record["classes"] == ["Stimulus/S  1", "Stimulus/S  2"]
    # the epoch over the BAD_ span: left out by train (as MNE), embedded by embed unless
    # --reject-by-annotation
    run = ["--weights", str(weights), "--window", "1", "-q", "--crop", "-0.2",
           "--epochs-around", PATTERN]  # fmt: skip
    kept, left = tmp_path / "kept.npz", tmp_path / "left.npz"
    assert main(["embed", str(rec), *run, "-o", str(kept)]) == 0
    assert main(["embed", str(rec), *run, "--reject-by-annotation", "-o", str(left)]) == 0
    assert len(load_embeddings(kept)) == 12
    assert len(load_embeddings(left)) == 11
    assert len(_mne_epochs(rec)) == 11


def test_events_from_stim_are_cut_around(weights, tmp_path):
    rec = _recording(tmp_path / "stim_raw.fif", stim=True)
    out = tmp_path / "cut.npz"
    assert main(["embed", str(rec), "--weights", str(weights), "--window", "1", "-q",
                 "--events-from-stim", "--event-names", "2=target", "--epochs-around",
                 "^target$", "--crop", "-0.2", "-o", str(out)]) == 0  # fmt: skip
    raw = mne.io.read_raw_fif(rec, preload=True, verbose=False)
    events = mne.find_events(raw, shortest_event=1, verbose=False)
    events = events[events[:, 2] == 2]
    got = load_embeddings(out)
    np.testing.assert_allclose(got.onsets, events[:, 0] / SFREQ - 0.2, atol=1e-9)
    assert set(got.metadata["labels"]) == {"target"}
    epochs = mne.Epochs(raw, events, {"target": 2}, tmin=-0.2, tmax=0.8 - 1 / SFREQ,
                        baseline=None, preload=True, verbose=False)  # fmt: skip
    epo = tmp_path / "stim-epo.fif"
    epochs.save(epo, verbose=False)
    want = tmp_path / "want.npz"
    assert main(["embed", str(epo), "--weights", str(weights), "--window", "1", "-q",
                 "-o", str(want)]) == 0  # fmt: skip
    np.testing.assert_allclose(got.data, load_embeddings(want).data, rtol=1e-6, atol=1e-6)


def test_what_epochs_around_refuses(weights, tmp_path, capsys):
    rec = _recording(tmp_path / "rec_raw.fif")
    run = ["--weights", str(weights), "--window", "1", "-q"]
    assert main(["embed", str(rec), *run, "--epochs-around", "^nothing$",
                 "-o", str(tmp_path / "a.npz")]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "no annotation matches --epochs-around '^nothing$'" in err
    assert "Comment/hello" in err  # the descriptions there are
    assert main(["embed", str(rec), *run, "--epochs-around", PATTERN, "--marker-spans",
                 "EC=S  1$", "-o", str(tmp_path / "b.npz")]) == 1  # fmt: skip
    assert "give one of them" in capsys.readouterr().err
    epo = tmp_path / "rec-epo.fif"
    _mne_epochs(rec).save(epo, verbose=False)
    assert main(["embed", str(epo), *run, "--epochs-around", PATTERN, "--crop", "-0.2",
                 "-o", str(tmp_path / "c.npz")]) == 1  # fmt: skip
    assert "these are epochs already" in capsys.readouterr().err
    probe = tmp_path / "probe"
    assert main(["probe", "train", str(rec), "--weights", str(weights), "--epochs-around",
                 PATTERN, "--window-labels", "S", "-o", str(probe), *COMMON]) == 1  # fmt: skip
    assert "--window-labels label(s) or group(s) consecutive windows" in capsys.readouterr().err


def test_overlapping_epochs_are_kept_as_mne_keeps_them():
    """Events closer than an epoch's length give overlapping epochs, as mne.Epochs cuts them;
    two matching annotations on one sample are refused, naming the time."""
    from eegpt.errors import RecordingError
    from eegpt.event_epochs import EpochsAround, cut_epochs

    info = mne.create_info(["Fz", "Cz", "Pz"], SFREQ, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 5000)), info, verbose=False)
    raw.set_annotations(mne.Annotations([2.0, 2.3, 6.0], [0, 0, 0], ["a", "b", "a"]))
    epochs = cut_epochs(raw, EpochsAround(((None, "^[ab]$"),), tmin=-0.2), 1.0)
    assert len(epochs) == 3 and epochs.events[1, 0] - epochs.events[0, 0] == 150
    np.testing.assert_array_equal(epochs.get_data()[1, :, :350], raw.get_data()[:, 1050:1400])
    raw.set_annotations(mne.Annotations([2.0, 2.0], [0, 0], ["a", "b"]))
    with pytest.raises(RecordingError, match=r"1 sample\(s\) hold two annotations .* at 2 s"):
        cut_epochs(raw, EpochsAround(((None, "^[ab]$"),)), 1.0)


def test_python_epochs_around_of_another_type_is_refused_saying_what_to_give(weights, tmp_path):
    """eegpt.embed(..., epochs_around="REGEX") failed with AttributeError ('str' object has no
    attribute 'label_of') after reading the recording: a TypeError names the EpochsAround to
    give."""
    from eegpt import embed, load_model

    rec = _recording(tmp_path / "rec_raw.fif")
    model = load_model(weights)
    for given in (PATTERN, [PATTERN]):
        with pytest.raises(TypeError, match=r"takes an eegpt.event_epochs.EpochsAround, not a"):
            embed(model, rec, window_seconds=1.0, epochs_around=given)


def test_a_loose_pattern_taking_a_later_class_s_events_is_warned_of():
    """--epochs-around standard=1 --epochs-around target=11 labelled every '11' event
    'standard' (a description takes the first pattern it contains), silently, where
    --window-labels and --marker-spans warn of such a pattern: it is warned of, naming the
    anchored one."""
    from eegpt.event_epochs import EpochsAround, cut_epochs, parse_epochs_around

    info = mne.create_info(["Fz", "Cz", "Pz"], SFREQ, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 5000)), info, verbose=False)
    raw.set_annotations(mne.Annotations([2.0, 4.0, 6.0], [0, 0, 0], ["1", "11", "1"]))
    around = EpochsAround(parse_epochs_around(["standard=1", "target=11"]))
    with pytest.warns(EEGPTWarning, match=r"The pattern '1' of the class 'standard'") as said:
        epochs = cut_epochs(raw, around, 1.0)
    assert list(epochs.event_id) == ["standard"]  # still the first pattern's, as documented
    text = " ".join(str(w.message) for w in said)
    assert "--epochs-around 'standard=^1$'" in text
    assert "EpochsAround((('standard', '^1$'),))" in text
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # anchored: nothing to say
        cut_epochs(raw, EpochsAround(parse_epochs_around(["standard=^1$", "target=11"])), 1.0)
