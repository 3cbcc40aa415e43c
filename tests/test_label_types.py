"""The type of class labels by route: a labels CSV's column is read as pandas reads it, so
that the same labels from a CSV (``--labels``), an ``.npz``'s ``y`` or Python give a probe
the same classes; probes saved with text classes (a CSV read by an earlier eegpt) still
predict them and are still evaluated against labels of either type."""

from __future__ import annotations

import json

import mne
import numpy as np
import pandas as pd
import pytest

from eegpt.label_rows import read_label_rows
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import ProbeConfig, load_probe, train_probe
from eegpt.probe_cli import main as probe_main
from eegpt.probe_cli_evaluate import _as_class_labels
from eegpt.probe_labels import as_classes

CHANNELS = ["Fz", "Cz", "Pz", "Oz"]
CODES = np.array([1, 2] * 6)
COMMON = ["--window", "1", "--passes", "1", "-q"]
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)


def _epochs(n: int = len(CODES)) -> mne.EpochsArray:
    """``n`` one-second epochs of noise (4 channels, 256 Hz, volts)."""
    info = mne.create_info(CHANNELS, 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 1e-5, (n, len(CHANNELS), 256))
    events = np.c_[np.arange(n) * 512 + 100, np.zeros(n, int), np.ones(n, int)]
    return mne.EpochsArray(data, info, events, verbose=False)


def _csv(path, cells) -> str:
    path.write_text("label\n" + "".join(f"{v}\n" for v in cells))
    return str(path)


@pytest.mark.parametrize(
    ("cells", "want"),
    [
        (["1", "2", " 3"], [1, 2, 3]),
        (["-1", "+2"], [-1, 2]),
        (["True", "false", "TRUE"], [True, False, True]),
        (["1.0", "2", "1e1"], [1.0, 2.0, 10.0]),
        (["left", "right"], ["left", "right"]),
        (["1", "left"], ["1", "left"]),  # several kinds: text
        (["0.5", "1"], ["0.5", "1"]),  # fractional: text, refused as a continuous target
        (["1", "n/a", "2"], [1, None, 2]),
        # beyond int64: text, each its own class (as float64 the first two were one)
        (
            ["12345678901234567890", "12345678901234567891", "2"],
            ["12345678901234567890", "12345678901234567891", "2"],
        ),
        (
            ["9223372036854775807", "-9223372036854775808"],
            [9223372036854775807, -9223372036854775808],
        ),  # the ends of int64: ints
        (["\u0661", "2"], ["\u0661", "2"]),  # Arabic-Indic one: text, as pandas reads it
        (["\u0661.0", "2"], ["\u0661.0", "2"]),
    ],
)
def test_a_labels_csv_column_is_read_as_pandas_reads_it(tmp_path, cells, want):
    """Integers (ASCII digits, within int64) as ints, bools as bools, whole numbers written as
    decimals as floats, other columns as the text written (fractions too: as text they are
    refused as continuous); no two labels written apart become one."""
    path = tmp_path / "labels.csv"
    _csv(path, cells)
    y = read_label_rows(path).labels
    assert y.tolist() == want
    assert [type(v) for v in y.tolist()] == [type(v) for v in want]
    if all(isinstance(v, (bool, int, float)) for v in want):  # as pandas reads the column
        read = pd.read_csv(path, skipinitialspace=True)["label"]
        assert [type(v) for v in read.tolist()] == [type(v) for v in want]


def test_csv_and_npz_give_a_probe_the_same_integer_classes(tmp_path, weights):
    """`probe train` on integer labels from a CSV and from an .npz's y: equal classes_, of
    the same type, and predictions of it, which compare equal to the integer labels."""
    epochs = _epochs()
    epo = tmp_path / "x-epo.fif"
    epochs.save(epo, verbose=False)
    npz = tmp_path / "x.npz"
    np.savez(npz, X=epochs.get_data(), ch_names=np.array(CHANNELS), sfreq=256.0, y=CODES)
    labels = _csv(tmp_path / "labels.csv", CODES)
    by_csv, by_npz = tmp_path / "by_csv", tmp_path / "by_npz"
    assert probe_main(["train", str(epo), "--labels", labels, "--weights", str(weights),
                       "-o", str(by_csv), *COMMON]) == 0  # fmt: skip
    assert probe_main(["train", str(npz), "--weights", str(weights), "-o", str(by_npz),
                       *COMMON]) == 0  # fmt: skip
    csv_probe, npz_probe = load_probe(by_csv), load_probe(by_npz)
    assert csv_probe.classes_.tolist() == npz_probe.classes_.tolist() == [1, 2]
    assert all(type(c) is int for c in csv_probe.classes_.tolist())
    pred = csv_probe.predict(epochs)
    assert all(isinstance(v, (int, np.integer)) for v in pred.tolist())
    assert pred.dtype == npz_probe.predict(epochs).dtype
    assert (pred == CODES).sum() == (pred.astype(str) == CODES.astype(str)).sum() > 0


def test_probes_of_text_classes_still_predict_them_and_take_labels_of_either_type(
    tmp_path, model, weights
):
    """A probe whose classes are text ('1', '2'; '1.0', '2.0'), as an earlier eegpt saved a
    probe trained on a labels CSV, loads and predicts that text unchanged; `probe evaluate`
    matches the labels of a CSV to them, now read as numbers, as the Python API does."""
    epochs = _epochs()
    epo = tmp_path / "x-epo.fif"
    epochs.save(epo, verbose=False)
    config = ProbeConfig(epochs=1)
    for written in (["1", "2"], ["1.0", "2.0"]):
        y = np.array([written[c - 1] for c in CODES])
        out = tmp_path / f"old_{written[0]}"
        probe = train_probe(model, epochs, y, config=config, preprocessing=ONE_SECOND)
        probe.save(out)
        loaded = load_probe(out)
        assert loaded.classes_.tolist() == written
        assert set(loaded.predict(epochs).tolist()) <= set(written)
        labels = _csv(tmp_path / f"labels_{written[0]}.csv", y)  # read as 1, 2 or 1.0, 2.0
        report = tmp_path / f"eval_{written[0]}.json"
        assert probe_main(["evaluate", str(out), str(epo), "--labels", labels, "-q",
                           "--json", str(report)]) == 0  # fmt: skip
        assert json.loads(report.read_text())["n"] == len(CODES)
        assert loaded.evaluate(epochs, CODES)["n"] == len(CODES)


def test_numbers_match_classes_written_as_decimals_and_text_matches_text():
    """as_classes maps numbers to text classes that read as the same numbers (1 for '1.0');
    text labels are matched as text only: '1.0' is no class '1'."""
    assert as_classes(np.array([1, 2, 1]), np.array(["1.0", "2.0"])).tolist() == [
        "1.0",
        "2.0",
        "1.0",
    ]
    assert as_classes(np.array([1.0, 2.0]), np.array(["1", "2"])).tolist() == ["1", "2"]
    assert as_classes(np.array(["1", "2"]), np.array([1, 2])).tolist() == [1, 2]
    assert as_classes(np.array(["1.0"]), np.array(["1", "2"])).tolist() == ["1.0"]
    assert as_classes(np.array([3]), np.array(["1.0", "2.0"])).tolist() == [3]
    got = _as_class_labels(np.array([2, 1]), np.array(["1.0", "2.0"]), "the 'label' column")
    assert got.tolist() == ["2.0", "1.0"]
