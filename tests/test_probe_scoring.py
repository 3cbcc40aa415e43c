"""A probe scoring continuous recordings per scoring epoch: the probability columns of the
prediction tables in AASM order for sleep stages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
