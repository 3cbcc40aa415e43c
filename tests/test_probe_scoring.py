"""A probe scoring continuous recordings per scoring epoch: the probability columns of the
prediction tables in AASM order for sleep stages, and the Python API of ``probe predict`` and
``probe evaluate --epoch-seconds`` (:meth:`EEGPTProbe.predict_table`, :meth:`EEGPTProbe.evaluate`
with ``epoch_seconds``), compared with the command line's output on the same recording."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from eegpt.errors import EEGPTWarning
from eegpt.probe import load_probe, synthetic_erp_raw
from eegpt.probe_cli import main as probe_main

#: The night's 2 s epochs: sorted, the classes are 'Sleep stage 1', '2', 'W'; AASM: W, 1, 2.
STAGES = ["W", "1", "2", "2", "W", "1", "2", "W", "1", "2"]


@pytest.fixture(scope="module")
def night(weights, tmp_path_factory):
    """A 20 s night scored in 2 s epochs (:data:`STAGES`, its hypnogram a CSV table) and a probe
    of 2 s windows trained on it: ``(probe folder, recording, hypnogram)``."""
    folder = tmp_path_factory.mktemp("night")
    raw, _, _ = synthetic_erp_raw(6, sfreq=256.0, seed=20)
    raw.set_annotations(None).crop(tmax=20 - 1 / 256)
    path = folder / "night_raw.fif"
    raw.save(path, verbose=False)
    hyp = folder / "hyp.csv"
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{2 * i},2,Sleep stage {s}\n" for i, s in enumerate(STAGES)))  # fmt: skip
    out = folder / "probe"
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out), "--passes",
                       "1", "-q", "--window-labels", "^Sleep stage", "--window", "2",
                       "--annotations", str(hyp)]) == 0  # fmt: skip
    return out, path, hyp


AASM = ["p_Sleep stage W", "p_Sleep stage 1", "p_Sleep stage 2"]


def test_probability_columns_of_sleep_stages_are_in_aasm_order(night, tmp_path):
    """probe predict's p_<class> columns came in the probe's sorted order ('Sleep stage 1',
    '2', 'W'), not the AASM order W, N1, N2, N3, R in which evaluate's confusion matrix
    already lists sleep stages; both tables (windows and --epoch-seconds) now follow it, each
    column still the probability of the class it names."""
    out, path, hyp = night
    probe = load_probe(out)
    assert probe.classes_.tolist() == ["Sleep stage 1", "Sleep stage 2", "Sleep stage W"]
    windows, epochs = tmp_path / "windows.csv", tmp_path / "epochs.csv"
    common = [str(out), str(path), "-q", "--annotations", str(hyp)]
    assert probe_main(["predict", *common, "-o", str(windows)]) == 0
    assert probe_main(["predict", *common, "-o", str(epochs), "--epoch-seconds", "4"]) == 0
    w, e = pd.read_csv(windows), pd.read_csv(epochs)
    assert [c for c in w.columns if c.startswith("p_")] == AASM
    assert [c for c in e.columns if c.startswith("p_")] == AASM
    proba = probe.predict_proba(str(path), device="cpu")
    for k, name in enumerate(probe.classes_.tolist()):  # each column its class's
        np.testing.assert_allclose(w[f"p_{name}"], proba[:, k], atol=1e-6)
    assert w["prediction"].tolist() == probe.classes_[proba.argmax(axis=1)].tolist()


def test_probability_columns_of_other_classes_keep_the_probe_s_order():
    """Classes that are not sleep stages keep the probe's (sorted) order; bare W and R are
    stages only where the probe was trained on sleep stages' annotations."""
    from eegpt.probe_predictions import probability_order

    assert probability_order(["standard", "target"], None).tolist() == [0, 1]
    assert probability_order(["R", "W"], None).tolist() == [0, 1]
    sleep = {"window_labels": {"match": "^Sleep stage"}}
    assert probability_order(["N1", "N2", "N3", "R", "W"], sleep).tolist() == [4, 0, 1, 2, 3]
    assert probability_order(["R", "W"], sleep).tolist() == [1, 0]


def test_predict_table_is_the_command_s_table_of_scoring_epochs(night, tmp_path):
    """There was no Python way to score a night per 30 s epoch as ``probe predict
    --epoch-seconds`` does: EEGPTProbe.predict_table gives the command's rows (the same
    code) as a DataFrame, equal to the table it writes for the same recording, options
    (start, reject_by_annotation) read as the command reads them."""
    out, path, hyp = night
    probe = load_probe(out)
    table = probe.predict_table(path, epoch_seconds=4, annotations=hyp, device="cpu")
    csv = tmp_path / "epochs.csv"
    assert probe_main(["predict", str(out), str(path), "-q", "--annotations", str(hyp),
                       "--epoch-seconds", "4", "-o", str(csv)]) == 0  # fmt: skip
    written = pd.read_csv(csv)
    assert table.columns.tolist() == written.columns.tolist()
    assert [c for c in table.columns if c.startswith("p_")] == AASM
    assert len(table) == 5 and table["onset_s"].tolist() == [0, 4, 8, 12, 16]
    for name in ("file", "epoch", "prediction", "label", "bad"):
        assert table[name].astype(str).tolist() == written[name].astype(str).tolist(), name
    for name in ("onset_s", "duration_s", "covered_s", *AASM):
        np.testing.assert_allclose(table[name], written[name], atol=1e-6)
    assert table["label"].tolist() == [f"Sleep stage {s}" for s in ("W", "2", "W", "2", "1")]
    # --start and --reject-by-annotation as keywords: a start of 1 s, and a bad span whose
    # window counts in no epoch
    bad = tmp_path / "hyp_bad.csv"
    bad.write_text(hyp.read_text() + "8.5,0.3,BAD_movement\n")
    table = probe.predict_table(
        str(path), 4, annotations=[bad], start=1, reject_by_annotation=True, device="cpu"
    )
    csv2 = tmp_path / "epochs2.csv"
    assert probe_main(["predict", str(out), str(path), "-q", "--annotations", str(bad),
                       "--epoch-seconds", "4", "--start", "1", "--reject-by-annotation",
                       "-o", str(csv2)]) == 0  # fmt: skip
    written = pd.read_csv(csv2)
    assert table["onset_s"].tolist() == written["onset_s"].tolist() == [1, 5, 9, 13, 17]
    assert table["bad"].tolist() == written["bad"].tolist() and table["bad"].any()
    np.testing.assert_allclose(table["covered_s"], written["covered_s"], atol=1e-6)
    np.testing.assert_allclose(table[AASM], written[AASM], atol=1e-6)
    # a Raw in memory is refused, saying how to give it
    import mne

    with pytest.raises(TypeError, match=r"got Raw: save it first"):
        probe.predict_table(mne.io.read_raw_fif(path, verbose=False))


def test_python_evaluate_per_scoring_epoch_returns_the_command_s_metrics(night, tmp_path):
    """EEGPTProbe.evaluate refused a continuous recording; with epoch_seconds it scores its
    scoring epochs as ``probe evaluate --epoch-seconds`` does (the same code) and returns the
    metrics its --json records: kappa, per-class precision/recall/F1, the confusion matrix in
    AASM order. start and skip_unknown go with epoch_seconds only."""
    out, path, hyp = night
    probe = load_probe(out)
    with pytest.warns(EEGPTWarning, match="not a held-out estimate"):  # its training file
        metrics = probe.evaluate(path, epoch_seconds=4, annotations=hyp, device="cpu")
    scores = tmp_path / "scores.json"
    assert probe_main(["evaluate", str(out), str(path), "--annotations", str(hyp), "-q",
                       "--epoch-seconds", "4", "--json", str(scores)]) == 0  # fmt: skip
    record = json.loads(scores.read_text())
    assert metrics["scored"] == record["scored"] == "4 s epochs" and metrics["n"] == 5
    for key in ("balanced_accuracy", "cohen_kappa", "weighted_f1", "accuracy"):
        assert metrics[key] == pytest.approx(record[key], nan_ok=True), key
    assert metrics["confusion_matrix"] == record["confusion_matrix"]
    assert metrics["confusion_matrix"]["labels"] == [c[2:] for c in AASM]
    assert [c["class"] for c in metrics["per_class"]] == [c[2:] for c in AASM]
    for ours, theirs in zip(metrics["per_class"], record["per_class"], strict=True):
        assert ours["f1"] == pytest.approx(theirs["f1"], nan_ok=True)
    assert metrics["overlaps_training"] == [path.name]
    # the metrics of the Python table, by hand: the epochs with a scored stage
    from sklearn.metrics import cohen_kappa_score

    table = probe.predict_table(path, 4, annotations=hyp, reject_by_annotation=True, device="cpu")
    kappa = cohen_kappa_score(table["label"], table["prediction"])
    assert metrics["cohen_kappa"] == pytest.approx(kappa, nan_ok=True)
    with warnings.catch_warnings():  # verbose="error" silences the warnings, as MNE's
        warnings.simplefilter("error")
        quiet = probe.evaluate(path, epoch_seconds=4, annotations=hyp, verbose="error")
    assert quiet["confusion_matrix"] == metrics["confusion_matrix"]
    with pytest.raises(TypeError, match=r"\['overlap'\] apply to epochs and windows"):
        probe.evaluate(path, epoch_seconds=4, overlap=1.0)
    with pytest.raises(TypeError, match=r"evaluate\(start=\.\.\.\) goes with epoch_seconds"):
        probe.evaluate(path, start=1)


def test_python_evaluate_of_a_night_names_the_per_epoch_call(night):
    """EEGPTProbe.evaluate(night) of a probe trained on a night's windows named only the
    command line's way to score it; it names the Python call too (epoch_seconds)."""
    out, path, _ = night
    with pytest.raises(ValueError, match=r"in Python: probe\.evaluate\(path, epoch_seconds=30, "
                       r"annotations=FILE\)"):  # fmt: skip
        load_probe(out).evaluate(path)


def test_scoring_epochs_pool_as_docs_downstream_says():
    """docs/downstream.md's account of the pooling, held to the code: 4 s windows into 30 s
    epochs, each epoch the mean of its windows' probabilities weighted by their seconds in it
    (the window over [28, 32) s half in epoch 0, half in epoch 1), the last epoch partial
    (covered_s less than 30), a window left out (bad) weighing 0, an epoch without any NaN."""
    from eegpt.scoring_epochs import scoring_epochs

    onsets = np.arange(0.0, 92.0, 4.0)  # 23 windows: [0, 4) .. [88, 92), a 92 s recording
    proba = np.random.default_rng(0).dirichlet([1.0, 1.0, 1.0], len(onsets))
    starts, covered, pooled = scoring_epochs(proba, onsets, 4.0, 30.0)
    assert starts.tolist() == [0, 30, 60, 90] and covered.tolist() == [30, 30, 30, 2]
    weights = np.r_[np.ones(7), 0.5]  # [0, 28) whole, [28, 32) by 2 of its 4 s
    np.testing.assert_allclose(pooled[0], weights @ proba[:8] / weights.sum())
    weights = np.r_[0.5, np.ones(7)]  # [28, 32) by 2 s, [32, 60) whole
    np.testing.assert_allclose(pooled[1], weights @ proba[7:15] / weights.sum())
    np.testing.assert_allclose(pooled[3], proba[22])  # [88, 92): 2 s of the last epoch
    use = np.ones(len(onsets), bool)
    use[22] = False  # the last window over a bad span: the last epoch has none
    _, covered, pooled = scoring_epochs(proba, onsets, 4.0, 30.0, use=use)
    assert covered[3] == 0 and np.isnan(pooled[3]).all()


def test_annotation_files_named_like_options_and_annotations_in_memory(
    night, tmp_path, monkeypatch
):
    """predict_table and evaluate(epoch_seconds=...) gave annotations= to the command line as
    they came: a hypnogram whose relative path starts with '-' was taken for an option and the
    call refused (the recording beside it was given as ./-name), and annotations in memory
    (mne.Annotations, a DataFrame) failed with os.fspath's TypeError or pandas' 'truth value
    of a DataFrame is ambiguous'. The file is read as any other; those in memory are refused,
    saying how to save them as a file."""
    import shutil

    import mne

    out, path, hyp = night
    probe = load_probe(out)
    monkeypatch.chdir(tmp_path)
    shutil.copy(hyp, tmp_path / "-hyp.csv")
    table = probe.predict_table(path, 4, annotations="-hyp.csv", device="cpu")
    assert table["label"].tolist() == [f"Sleep stage {s}" for s in ("W", "2", "W", "2", "1")]
    with pytest.warns(EEGPTWarning, match="not a held-out estimate"):  # its training file
        metrics = probe.evaluate(path, epoch_seconds=4, annotations=["-hyp.csv"], device="cpu")
    assert metrics["n"] == 5
    scored = pd.read_csv(hyp)
    given = mne.Annotations(scored["onset"], scored["duration"], scored["description"])
    for kind, in_memory in (("Annotations", given), ("DataFrame", scored)):
        with pytest.raises(TypeError, match=rf"got {kind}: save them first"):
            probe.predict_table(path, 4, annotations=in_memory)
        with pytest.raises(TypeError, match=rf"got {kind}: save them first"):
            probe.evaluate(path, epoch_seconds=4, annotations=[in_memory])


def test_python_evaluate_refusals_name_the_keywords(night, tmp_path):
    """evaluate(epoch_seconds=...) refused a night holding a stage the probe lacks, or one
    without a hypnogram, naming only the command line's --skip-unknown and --annotations
    FILE; the refusals name the keywords that do it in Python too (skip_unknown=True,
    annotations=FILE), and skip_unknown=True does as said."""
    out, path, hyp = night
    probe = load_probe(out)
    other = tmp_path / "hyp_n3.csv"
    other.write_text(hyp.read_text().replace("18,2,Sleep stage 2", "18,2,Sleep stage 3"))
    with pytest.raises(ValueError, match=r"--skip-unknown \(skip_unknown=True in Python\)"):
        probe.evaluate(path, epoch_seconds=2, annotations=other, verbose="error")
    metrics = probe.evaluate(
        path, epoch_seconds=2, annotations=other, skip_unknown=True, verbose="error"
    )
    assert metrics["n_left_out"] == 1 and metrics["n"] == 9
    with pytest.raises(ValueError, match=r"one per recording; annotations=FILE in Python\)"):
        probe.evaluate(path, epoch_seconds=4, verbose="error")


def test_predict_table_takes_a_numpy_number_as_one_start(night):
    """start= of one NumPy number (np.float32, np.int64: no Python float or int) was taken
    for a list of starts, one per recording, and failed with "'numpy.float32' object is not
    iterable"; it is one start, as start=1 is."""
    out, path, hyp = night
    probe = load_probe(out)
    for start in (np.float32(1.0), np.int64(1), [1.0]):
        table = probe.predict_table(path, 4, annotations=hyp, start=start, verbose="error")
        assert table["onset_s"].tolist() == [1, 5, 9, 13, 17], type(start).__name__


def test_python_labelling_warnings_say_what_python_takes(night, weights, tmp_path):
    """predict_table / evaluate(epoch_seconds=) run the command's labelling, whose warnings
    for stage markers of no duration and for a probe with a 'Sleep stage ?' class advised
    --marker-spans and --window-labels, which Python has no keyword for: they say what a
    Python user does instead (markers_to_spans saved as the annotations= file; leaving the
    rows out of the table), and name no option to give."""
    out, path, hyp = night
    probe = load_probe(out)
    markers = tmp_path / "markers.csv"
    markers.write_text(hyp.read_text().replace(",2,Sleep", ",0,Sleep"))
    with pytest.warns(EEGPTWarning) as said:
        probe.predict_table(path, 2, annotations=markers)
    text = " ".join(str(w.message) for w in said if "zero duration" in str(w.message))
    assert ".save('spans.csv')" in text and "probe.predict_table(..., annotations=" in text
    assert "give --marker-spans" not in text
    assert "eegpt.annotations.markers_to_spans(raw, {'Sleep stage W':" in text
    # a probe with a class of 'Sleep stage ?' (trained with '^Sleep stage')
    unscored = tmp_path / "hyp_unscored.csv"
    unscored.write_text(hyp.read_text().replace("6,2,Sleep stage 2", "6,2,Sleep stage ?"))
    folder = tmp_path / "probe"
    with pytest.warns(EEGPTWarning):
        assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(folder),
                           "--passes", "1", "-q", "--window-labels", "^Sleep stage", "--window",
                           "2", "--annotations", str(unscored)]) == 0  # fmt: skip
    probe = load_probe(folder)
    assert "Sleep stage ?" in probe.classes_.tolist()
    for call in (probe.predict_table, probe.evaluate):
        with pytest.warns(EEGPTWarning) as said:
            call(path, epoch_seconds=2, annotations=unscored)
        text = " ".join(str(w.message) for w in said if "no sleep stage" in str(w.message))
        assert "the probe's labelling (--window-labels '^Sleep stage', from its training)" in text
        assert "table[~table['label'].isin(['Sleep stage ?'])]" in text
        assert "with a pattern that does not match them" not in text
