"""``probe evaluate`` refuses a set with a failing recording, naming it."""

import mne
import numpy as np
import pytest

from eegpt.probe_cli import main as probe_main

NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3",
         "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip
SFREQ = 256.0


def _recording(folder, name, names=NAMES, nan=False, seconds=40.0):
    """A FIF file of ``names`` at 256 Hz (volts: noise), annotated ``A`` and ``B`` in turn
    every 4 s; with ``nan``, NaN over 19.5-20.3 s (under no bad annotation)."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 20e-6, (len(names), int(seconds * SFREQ)))
    if nan:
        x[:, 5000:5200] = np.nan
    raw = mne.io.RawArray(x, mne.create_info(list(names), SFREQ, "eeg"), verbose=False)
    k = int(seconds // 4)
    raw.set_annotations(mne.Annotations(np.arange(k) * 4.0, 4.0, (["A", "B"] * k)[:k]))
    path = folder / f"{name}_raw.fif"
    raw.save(path, verbose=False)
    return path


@pytest.fixture(scope="module")
def probe(tmp_path_factory, weights):
    """A probe trained on 4 s windows of one recording (classes A, B; B unlabelled)."""
    folder = tmp_path_factory.mktemp("probe")
    out = folder / "probe"
    assert probe_main(["train", str(_recording(folder, "train")), "--weights", str(weights),
                       "-o", str(out), "--passes", "1", "-q", "--window-labels", "A",
                       "--unlabelled", "B"]) == 0  # fmt: skip
    return out


def _three(tmp_path, kind):
    """Three recordings, the middle one failing: no channel maps, or NaN outside bad spans."""
    bad = (
        _recording(tmp_path, "b", names=[f"X{i}" for i in range(19)])
        if kind == "channels"
        else _recording(tmp_path, "b", nan=True)
    )
    return [_recording(tmp_path, "a"), bad, _recording(tmp_path, "c")]


def test_evaluate_names_the_recording_that_fails(tmp_path, probe, capsys):
    """probe evaluate needs every recording for its metrics: it stops (exit 1, no scores of
    a smaller set), naming the recording whose channels do not map (the merged inputs'
    error named none)."""
    a, b, c = _three(tmp_path, "channels")
    assert probe_main(["evaluate", str(probe), str(a), str(b), str(c), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"eegpt: error: {b}: none of the 19 channel names maps" in err
    assert "balanced accuracy" not in err
