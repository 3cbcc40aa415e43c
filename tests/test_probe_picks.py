"""``--picks`` of ``eegpt probe train/predict/evaluate``: a recording whose electrodes are
typed ``misc`` trains a probe with ``--picks misc``, which records the types it read, and
``probe predict``/``evaluate`` read them so again (``--picks`` there overrides them)."""

import json
import re

import mne
import numpy as np
import pytest

from eegpt.probe import load_probe
from eegpt.probe_cli import main as probe_main

NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz"]
LABELS = ["--window-labels", "A", "--unlabelled", "B"]


def _misc_raw(seconds: float = 40.0) -> mne.io.RawArray:
    """12 scalp electrodes typed ``misc`` (volts, noise), annotated ``A`` and ``B`` in turn
    every 4 s, at 256 Hz."""
    x = np.random.default_rng(0).normal(0, 20e-6, (len(NAMES), int(seconds * 256)))
    raw = mne.io.RawArray(x, mne.create_info(NAMES, 256.0, "eeg"), verbose=False)
    raw.set_channel_types({name: "misc" for name in NAMES})
    k = int(seconds // 4)
    raw.set_annotations(mne.Annotations(np.arange(k) * 4.0, 4.0, (["A", "B"] * k)[:k]))
    return raw


@pytest.fixture
def continuous(tmp_path):
    """A continuous FIF recording whose EEG is typed misc."""
    path = tmp_path / "misc_raw.fif"
    _misc_raw().save(path, verbose=False)
    return path


@pytest.fixture
def epochs(tmp_path):
    """An epochs FIF file (``-epo.fif``, events A and B) whose EEG is typed misc."""
    raw = _misc_raw()
    events, ids = mne.events_from_annotations(raw, verbose=False)
    cut = mne.Epochs(raw, events, ids, tmin=0, tmax=4 - 1 / 256, baseline=None,
                     picks="all", preload=True, verbose=False)  # fmt: skip
    path = tmp_path / "misc-epo.fif"
    cut.save(path, verbose=False)
    return path


def _train(path, weights, out, *more):
    return probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", *more])  # fmt: skip


def test_continuous_misc_recording_trains_predicts_and_evaluates(
    tmp_path, weights, continuous, capsys
):
    """--picks misc reads the electrodes typed misc; the probe records it, and predict and
    evaluate read them so without --picks (they found no EEG channel before)."""
    out = tmp_path / "probe"
    assert _train(continuous, weights, out, "--picks", "misc", *LABELS) == 0
    record = json.loads((out / "probe.json").read_text())
    assert record["channels"]["picks"] == ["misc"]
    assert load_probe(out).picks == ["misc"]
    csv = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(continuous), "-q", "-o", str(csv)]) == 0
    assert len(csv.read_text().splitlines()) == 1 + 10  # a header, a row per 4 s window
    report = tmp_path / "scores.json"
    assert probe_main(["evaluate", str(out), str(continuous), "-q", *LABELS,
                       "--json", str(report)]) == 0  # fmt: skip
    assert "accuracy" in json.loads(report.read_text())
    capsys.readouterr()


def test_epochs_of_misc_electrodes(tmp_path, weights, epochs, capsys):
    """An epochs file of misc-typed electrodes: --picks eeg --picks misc trains; predict and
    evaluate take the probe's picks; the Python API reads them so too, picks= overriding."""
    out = tmp_path / "probe"
    assert _train(epochs, weights, out, "--picks", "eeg", "--picks", "misc") == 0
    probe = load_probe(out)
    assert probe.picks == ["eeg", "misc"]
    csv = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(epochs), "-q", "-o", str(csv)]) == 0
    assert len(csv.read_text().splitlines()) == 1 + 10
    assert probe_main(["evaluate", str(out), str(epochs), "-q"]) == 0
    assert probe.predict(str(epochs), device="cpu").shape == (10,)
    with pytest.raises(Exception, match="--picks eeg --picks misc"):
        probe.predict(str(epochs), picks="eeg", device="cpu")
    capsys.readouterr()


def test_without_picks_the_advice_names_them_and_holds(tmp_path, weights, continuous, capsys):
    """Without --picks, training on EEG typed misc fails, advising --picks eeg --picks misc;
    the advice holds for the probe commands: the same command with those options trains."""
    out = tmp_path / "probe"
    assert _train(continuous, weights, out, *LABELS) != 0
    err = " ".join(capsys.readouterr().err.split())
    advised = re.search(r"\(command line: ((?:--picks \w+ ?)+)\)", err)
    assert advised is not None and advised.group(1).split() == ["--picks", "eeg", "--picks", "misc"]
    assert _train(continuous, weights, out, *advised.group(1).split(), *LABELS) == 0
    capsys.readouterr()


def test_predict_picks_override_the_probes(tmp_path, weights, continuous, capsys):
    """--picks given to predict/evaluate replaces the probe's: --picks eeg reads no EEG
    channel of this recording, and says which types to pick."""
    out = tmp_path / "probe"
    assert _train(continuous, weights, out, "--picks", "misc", *LABELS) == 0
    capsys.readouterr()
    assert probe_main(["predict", str(out), str(continuous), "-q", "--picks", "eeg"]) != 0
    assert "--picks eeg --picks misc" in " ".join(capsys.readouterr().err.split())
    assert probe_main(["evaluate", str(out), str(continuous), "-q", "--picks", "eeg",
                       *LABELS]) != 0  # fmt: skip
    assert "--picks eeg --picks misc" in " ".join(capsys.readouterr().err.split())


def test_a_probe_without_recorded_picks_reads_eeg(tmp_path, weights, continuous, capsys):
    """A probe saved before picks were recorded (no "picks" key) reads EEG alone, as then;
    probes trained on EEG record none (null)."""
    from eegpt.probe import recorded_picks

    out = tmp_path / "probe"
    assert _train(continuous, weights, out, "--picks", "misc", *LABELS) == 0
    meta = json.loads((out / "probe.json").read_text())
    del meta["channels"]["picks"]
    (out / "probe.json").write_text(json.dumps(meta))
    assert load_probe(out).picks is None
    capsys.readouterr()
    assert probe_main(["predict", str(out), str(continuous), "-q"]) != 0
    assert "--picks eeg --picks misc" in " ".join(capsys.readouterr().err.split())
    assert recorded_picks("eeg") is None and recorded_picks(["eeg"]) is None
    assert recorded_picks(("misc", "eeg", "misc")) == ["misc", "eeg"]


def test_train_probe_picks_as_the_command_line(tmp_path, weights, epochs, capsys):
    """train_probe(picks=...) reads and records the types as probe train --picks does: the two
    probes record the same picks and predict alike; picks the file lacks fail with the
    command line's error, arrays refuse picks, and picks must be strings."""
    from eegpt.checkpoints import load_model
    from eegpt.errors import RecordingError
    from eegpt.probe import train_probe

    out = tmp_path / "probe"
    # both trained on the CPU: a GPU's training differs in the last digits
    assert _train(epochs, weights, out, "--picks", "eeg", "--picks", "misc", "--device", "cpu") == 0
    cli = load_probe(out)
    model = load_model(weights)
    py = train_probe(model, str(epochs), picks=["eeg", "misc"], epochs=1, device="cpu")
    assert py.picks == cli.picks == ["eeg", "misc"]
    np.testing.assert_allclose(
        py.predict_proba(str(epochs), device="cpu"),
        cli.predict_proba(str(epochs), device="cpu"),
        rtol=1e-5,
        atol=1e-6,
    )
    assert train_probe(model, str(epochs), picks="misc", epochs=1, device="cpu").picks == ["misc"]
    capsys.readouterr()
    assert _train(epochs, weights, tmp_path / "bad", "--picks", "ecog") != 0
    said = " ".join(capsys.readouterr().err.split())
    with pytest.raises(RecordingError) as err:
        train_probe(model, str(epochs), picks="ecog", epochs=1, device="cpu")
    assert str(err.value) in said and "ecog" in str(err.value)
    x = np.zeros((4, len(NAMES), 1024))
    with pytest.raises(RecordingError, match=r"picks='misc' applies to files and MNE objects"):
        train_probe(model, x, ["A", "B"] * 2, ch_names=NAMES, sfreq=256.0, picks="misc")
    with pytest.raises(TypeError, match=r"picks=\[0, 1\]: give channel types .* as a string"):
        train_probe(model, str(epochs), picks=[0, 1])
