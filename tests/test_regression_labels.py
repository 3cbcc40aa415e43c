"""Continuous targets given to the probe, which classifies: numbers with fractional parts are
refused from every label source (``y``, a labels CSV, a metadata column, an .npz's ``y``;
text in ``y`` and an .npz's ``y`` is a class name, such as MOABB's SSVEP frequencies),
whole numbers that look like a quantity (many levels, one value per subject) are warned of
once, and the usual class codes are taken silently."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pandas as pd
import pytest

from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import ProbeConfig, train_probe
from eegpt.probe_cli import _label_groups
from eegpt.probe_cli import main as probe_main
from eegpt.probe_label_files import load_labelled_epochs
from eegpt.probe_labels import continuous_labels_text, quantity_labels_text

CHANNELS = ["Fz", "Cz", "Pz", "Oz"]
QUICK = ProbeConfig(epochs=1)
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)


def _epochs(n: int, metadata: dict | None = None, seed: int = 0) -> mne.EpochsArray:
    """``n`` one-second epochs of noise (4 channels, 256 Hz, volts), events coded 1."""
    info = mne.create_info(CHANNELS, 256.0, "eeg")
    data = np.random.default_rng(seed).normal(0, 1e-5, (n, len(CHANNELS), 256))
    events = np.c_[np.arange(n) * 512 + 100, np.zeros(n, int), np.ones(n, int)]
    meta = None if metadata is None else pd.DataFrame(metadata)
    return mne.EpochsArray(data, info, events, metadata=meta, verbose=False)


def _labels_csv(path, labels) -> None:
    path.write_text("label\n" + "".join(f"{v}\n" for v in labels))


def test_continuous_labels_text_reads_numbers_written_as_text():
    assert continuous_labels_text(["21.9", "70.1", "21.9"], "the file") is not None
    assert "3 labels, e.g. 0.5" in continuous_labels_text([0.5, 1.0, 2.0])
    assert continuous_labels_text(["1.0", "2.0", None]) is None  # whole numbers as decimals
    assert continuous_labels_text(["left", "right"]) is None
    assert continuous_labels_text(["0.5", "rest"]) is None  # not all numbers: names
    assert continuous_labels_text([True, False]) is None


def test_labels_file_with_decimals_is_refused_as_float_y_is(tmp_path):
    path = tmp_path / "rt-epo.fif"
    _epochs(8).save(path, verbose=False)
    labels = tmp_path / "rt.csv"
    _labels_csv(labels, [0.4226, 0.4936, 0.51, 0.3, 0.61, 0.7, 0.45, 0.55])
    with pytest.raises(ValueError, match=r"the 'label' column of .*rt\.csv: numbers with "
                       r"fractional parts \(8 distinct values in 8 labels, e\.g\. 0\.4226\).*"
                       r"A probe classifies.*StandardScaler\(\), Ridge\(\)"):  # fmt: skip
        load_labelled_epochs([path], labels=labels)
    # predictions do not need the labels: they are not checked
    load_labelled_epochs([path], labels=labels, require_labels=False)
    # whole numbers written as decimals ('1.0', as pandas writes a float column) are codes,
    # read as the floats pandas reads (equal to the ints 1 and 2)
    _labels_csv(labels, ["1.0", "2.0"] * 4)
    y = load_labelled_epochs([path], labels=labels)[1]
    assert y.tolist() == [1.0, 2.0] * 4 and y.dtype == np.float64


def test_npz_y_with_decimals_is_refused_before_training(tmp_path):
    npz = tmp_path / "rt.npz"
    y = np.linspace(0.25, 0.9, 6)
    np.savez(npz, X=np.zeros((6, 4, 256)), ch_names=np.array(CHANNELS), sfreq=256.0, y=y)
    with pytest.raises(ValueError, match=r"y of \.npz files\): numbers with fractional parts"):
        load_labelled_epochs([npz])


def test_text_labels_given_typed_are_class_names_even_where_they_read_as_decimals(model, tmp_path):
    """MOABB's SSVEP datasets name their classes by stimulation frequency, text such as
    '9.25' (Nakanishi2015) or '6.66' (MAMEM): y of paradigm.get_data, a probe's classes. Text
    in y (or an .npz's y) is what the caller chose; the same values as numbers are refused."""
    epochs = _epochs(12)
    frequencies = np.array(["9.25", "11.25", "13.25"] * 4)  # as MOABB's y gives them
    probe = train_probe(model, epochs, frequencies, config=QUICK, preprocessing=ONE_SECOND)
    assert probe.classes_.tolist() == ["11.25", "13.25", "9.25"]
    with pytest.raises(ValueError, match=r"y: numbers with fractional parts \(3 distinct"):
        train_probe(model, epochs, frequencies.astype(float), config=QUICK,
                    preprocessing=ONE_SECOND)  # fmt: skip
    npz = tmp_path / "ssvep.npz"
    data = epochs.get_data()
    np.savez(npz, X=data, ch_names=np.array(CHANNELS), sfreq=256.0, y=frequencies)
    assert load_labelled_epochs([npz])[1].tolist() == frequencies.tolist()
    # text of a labels CSV, where every cell is text, still reads as numbers: refused
    assert continuous_labels_text(frequencies.tolist(), "the file") is not None


def test_a_probe_of_decimal_classes_is_evaluated_on_a_labels_csv_of_them(model, tmp_path, capsys):
    """A probe trained on MOABB's SSVEP y (classes '9.25', '7.50') was refused by probe
    evaluate --labels: pandas reads the CSV's 9.25 as a number with a fractional part, a
    continuous target, though it is the probe's class; labels that are the probe's classes
    are scored, others still refused."""
    epochs = _epochs(12)
    frequencies = np.array(["9.25", "7.50", "13.25"] * 4)
    probe = train_probe(model, epochs, frequencies, config=QUICK, preprocessing=ONE_SECOND)
    probe.save(tmp_path / "probe")
    epochs.save(tmp_path / "ssvep-epo.fif", verbose=False)
    _labels_csv(tmp_path / "labels.csv", frequencies.tolist())
    run = ["evaluate", str(tmp_path / "probe"), str(tmp_path / "ssvep-epo.fif"), "--labels"]
    assert probe_main([*run, str(tmp_path / "labels.csv")]) == 0
    out = capsys.readouterr().out
    assert "n=12 epochs/windows" in out and "  7.50 " in out  # 7.5 read, scored as '7.50'
    _labels_csv(tmp_path / "other.csv", ["9.25", "7.75", "13.25"] * 4)  # 7.75: no class
    assert probe_main([*run, str(tmp_path / "other.csv")]) == 1
    assert "numbers with fractional parts (3 distinct values" in capsys.readouterr().err


def test_text_decimals_given_typed_are_refused_where_nearly_each_is_its_own_value(model):
    """Reaction times read from a CSV as text (np.loadtxt(dtype=str), pandas dtype=str) are
    a continuous target, not class names, though text in y names classes: nearly a class per
    epoch, refused as the same numbers are; SSVEP frequencies naming many trials are not."""
    rts = np.array([f"{0.3 + 0.037 * k:.3f}" for k in range(12)])
    with pytest.raises(ValueError, match=r"y: text reading as numbers with fractional parts "
                       r"\(12 distinct values in 12 labels, e\.g\. 0\.3\).*Ridge\(\)"):  # fmt: skip
        train_probe(model, _epochs(12), rts, config=QUICK, preprocessing=ONE_SECOND)
    frequencies = [f"{8 + 0.2 * k:.1f}" for k in range(40)] * 3  # Wang2016: 40 classes
    assert continuous_labels_text(frequencies, "y", read_text=False) is None
    assert continuous_labels_text(rts.tolist()[:10], "y", read_text=False) is None  # few


@pytest.mark.parametrize(
    "labels",
    [
        [1, 2, 3, 4] * 5,  # motor imagery codes
        [769, 770, 771, 772] * 5,  # BCI IV 2a event codes
        [0, 1, 2, 3, 4] * 4,  # sleep stages
        ["20", "22", "31"] * 4,  # three levels from a file: few
    ],
)
def test_class_codes_are_not_taken_for_a_quantity(labels):
    assert quantity_labels_text(labels) is None
    recordings = [k // 4 for k in range(len(labels))]  # codes that vary within recordings
    assert quantity_labels_text(labels, recordings) is None


def test_quantity_labels_text_many_levels_or_one_value_per_subject():
    rts = [268 + 17 * k for k in range(40)]  # reaction times in ms
    assert "40 distinct whole numbers (268 to 931)" in quantity_labels_text(rts)
    ages = [22, 20, 32, 39, 40, 42, 56, 70, 20]  # nine subjects, two of the same age
    per_epoch = [a for a in ages for _ in range(5)]
    subjects = [s for s in range(9) for _ in range(5)]
    assert quantity_labels_text(per_epoch) is None  # 8 levels alone: could be codes
    text = quantity_labels_text(per_epoch, subjects, "the ages")
    assert text.startswith("the ages are 8 distinct whole numbers, each of the 9 recordings")
    assert "fit a regressor" in text and "If they are class codes, nothing is wrong" in text
    # one class per recording, few recordings each of its own condition: codes
    assert quantity_labels_text([1] * 5 + [2] * 5, [0] * 5 + [1] * 5) is None


def test_codes_numbered_without_a_gap_are_not_a_quantity():
    """Codes numbered from 0 or 1 without a gap are codes, however many (the 12 flashes of a
    P300 speller) and even one per recording (a block design, a condition per file)."""
    assert quantity_labels_text(list(range(1, 13)) * 3) is None
    per_file = [c for c in range(1, 7) for _ in range(5)]
    assert quantity_labels_text(per_file, [c for c in range(6) for _ in range(5)]) is None
    # a quantity that happens to start at 1 but has gaps still warns
    assert quantity_labels_text([1, 3, 4, 7, 9, 12, 15, 18, 20, 22, 25] * 2) is not None


def test_train_probe_warns_of_integer_quantity_and_not_of_codes(model):
    epochs = _epochs(24)
    rts = np.arange(24) * 13 + 300  # one class per epoch: reaction times in ms
    with pytest.warns(UserWarning, match=r"the labels are 24 distinct whole numbers \(300 to "):
        train_probe(model, epochs, rts, config=QUICK, preprocessing=ONE_SECOND)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        codes = np.tile([769, 770, 771, 772], 6)
        train_probe(model, epochs, codes, config=QUICK, preprocessing=ONE_SECOND)
    assert not [w for w in said if "whole numbers" in str(w.message)]


def test_label_groups_are_the_subjects_of_the_metadata(tmp_path):
    path = tmp_path / "rest-epo.fif"
    _epochs(4, {"subject": ["a", "a", "b", "b"]}).save(path, verbose=False)
    other = str(tmp_path / "x.npz")
    groups = _label_groups([str(path)] * 4 + [other] * 2)
    assert groups == [(str(path), "a")] * 2 + [(str(path), "b")] * 2 + [other] * 2


def test_cli_warns_once_of_a_subject_level_column(tmp_path, weights, capsys):
    ages = [22, 20, 32, 39, 40, 42, 56, 70, 20]
    metadata = {
        "subject": [f"sub-{s:02d}" for s in range(9) for _ in range(3)],
        "age": [a for a in ages for _ in range(3)],
        "rt": np.linspace(0.3, 0.9, 27).round(4),
    }
    path = tmp_path / "rest_all-epo.fif"
    _epochs(27, metadata).save(path, verbose=False)
    common = [str(path), "--weights", str(weights), "--window", "1", "--passes", "1"]
    out = tmp_path / "probe"
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert probe_main(["train", *common, "-o", str(out), "--label-column", "age"]) == 0
    quantity = [str(w.message) for w in said if "rather than class codes" in str(w.message)]
    assert len(quantity) == 1, quantity  # the command line's, not train_probe's again
    assert (
        "--label-column 'age' are 8 distinct whole numbers, each of the 9 recordings"
        in (quantity[0])
    )
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        run = ["train", *common, "-o", str(out), "--overwrite", "--label-column", "rt"]
        assert probe_main(run) == 1
    assert "--label-column 'rt': numbers with fractional parts" in capsys.readouterr().err
    assert not [
        w for w in said if issubclass(w.category, UserWarning)
    ]  # one message: the refusal, no warning of classes before it


def test_embedder_refuses_a_list_of_continuous_recordings_as_one_recording(tmp_path, model):
    from eegpt.sklearn import EEGPTClassifier, EEGPTEmbedder

    raw = mne.io.RawArray(
        np.zeros((len(CHANNELS), 256 * 10)), mne.create_info(CHANNELS, 256.0, "eeg")
    )
    path = tmp_path / "sub-01_raw.fif"
    raw.save(path, verbose=False)
    for X in ([str(path), str(path)], [raw]):
        with pytest.raises(ValueError, match=r"got a list of \d recordings?, \d continuous \(.*"
                           r"EEGPTEmbedder transforms epochs.*for several recordings: epochs = "
                           r"\[mne\.make_fixed_length_epochs\(mne\.io\.read_raw\(p\), "
                           r"duration=4"):  # fmt: skip
            EEGPTEmbedder(model=model, pooling="mean").fit_transform(X)
    with pytest.raises(ValueError, match=r"continuous .*EEGPTClassifier classifies epochs"):
        EEGPTClassifier(model).fit([raw, raw], [1, 2])


def test_probe_train_help_says_it_classifies_only(capsys):
    with pytest.raises(SystemExit):
        probe_main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "It classifies only" in out
    assert "docs/downstream.md, 'Regression (age, clinical scores, reaction times)'" in out


def test_concatenating_two_recordings_names_read_embeddings(tmp_path, model):
    import eegpt
    from eegpt.outputs import Embeddings

    parts = []
    for name in ("sub-01_raw.fif", "sub-02_raw.fif"):
        x = np.random.default_rng(0).normal(0, 1e-5, (len(CHANNELS), 256 * 4))
        mne.io.RawArray(x, mne.create_info(CHANNELS, 256.0, "eeg")).save(tmp_path / name)
        parts.append(eegpt.embed(model, tmp_path / name))
    with pytest.raises(ValueError, match=r"differs from part 0 in source.*several recordings.*"
                       r"eegpt\.read_embeddings\(files\)"):  # fmt: skip
        Embeddings.concatenate(parts)


def test_one_trial_of_each_of_a_probe_s_decimal_classes_is_evaluated(model, tmp_path):
    """One block of Wang2016 (one trial of each of its 40 SSVEP frequencies, '8.2' ...) holds
    nearly a value per label, as reaction times read as text do, but the labels are the
    probe's classes: probe.evaluate and probe evaluate of an .npz score them."""
    frequencies = np.array([f"{8 + 0.2 * k:.1f}" for k in range(40)])
    probe = train_probe(model, _epochs(80), np.tile(frequencies, 2), config=QUICK,
                        preprocessing=ONE_SECOND)  # fmt: skip
    block = _epochs(40, seed=1)
    assert probe.evaluate(block, frequencies)["n"] == 40
    probe.save(tmp_path / "probe")
    npz = tmp_path / "block.npz"
    np.savez(npz, X=block.get_data(), ch_names=np.array(CHANNELS), sfreq=256.0, y=frequencies)
    assert probe_main(["evaluate", str(tmp_path / "probe"), str(npz)]) == 0
    rts = np.array([f"{0.3 + 0.037 * k:.3f}" for k in range(40)])  # no class: still refused
    with pytest.raises(ValueError, match=r"y: text reading as numbers with fractional parts"):
        probe.evaluate(block, rts)
