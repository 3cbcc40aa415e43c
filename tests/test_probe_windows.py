"""The windows ``probe train`` and ``probe evaluate`` cut from a continuous recording are those
``eegpt embed`` and ``probe predict`` cut: the recording resampled whole, then cut at the
model's rate (each window resampled on its own differed at its edges), read block by block
(not the whole recording at its own rate, copied into windows)."""

import tracemalloc
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pytest
import torch

from eegpt import probe_cli_evaluate, probe_cli_predict, streaming
from eegpt.channels import map_channels
from eegpt.errors import RecordingError
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.probe_cli import main as probe_main
from eegpt.probe_label_files import WindowLabelling, load_labelled_epochs

NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3",
         "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip
RTOL = 1e-5  # float32 embeddings (tests/test_short_attention.py's TOL)


def _recording(tmp_path, sfreq: float, seconds: float = 40.0):
    """A FIF file of the 19 channels at ``sfreq`` (volts: noise, electrode offsets, a drift),
    annotated ``A`` and ``B`` in turn every 4 s."""
    rng = np.random.default_rng(0)
    n = int(seconds * sfreq)
    x = rng.normal(0, 20e-6, (len(NAMES), n)) + rng.normal(0, 10e-6, (len(NAMES), 1))
    x += np.linspace(0, 10e-6, n)
    raw = mne.io.RawArray(x, mne.create_info(NAMES, sfreq, "eeg"), verbose=False)
    k = int(seconds // 4)
    raw.set_annotations(mne.Annotations(np.arange(k) * 4.0, 4.0, (["A", "B"] * k)[:k]))
    path = tmp_path / f"rec{sfreq:g}_raw.fif"
    raw.save(path, verbose=False)
    return path


@pytest.mark.parametrize("sfreq", [500.0, 250.0])
def test_training_windows_are_embeds(tmp_path, model, sfreq):
    """The windows probe train/evaluate read from a 500 Hz (or 250 Hz) recording give the
    embeddings model.embed gives those windows (they differed by ~1e-3 at the edges)."""
    path = _recording(tmp_path, sfreq)
    rec, y, _ = load_labelled_epochs([path], windows=WindowLabelling("A|B", 4.0), verbose=False)
    assert y.tolist() == ["A", "B"] * 5
    mapping = map_channels(rec.ch_names)
    windows = prepare(rec, mapping, PreprocessingConfig()).data  # as train_probe prepares them
    with torch.no_grad():
        z = model.target_encoder(torch.from_numpy(windows), torch.tensor(mapping.chan_ids))
    emb = model.embed(str(path), device="cpu")  # the module's model, on the CPU where z is
    k = np.searchsorted(emb.onsets, rec.onsets)
    np.testing.assert_allclose(emb.onsets[k], rec.onsets)
    expected = emb.data[k]
    got = z.numpy().reshape(expected.shape)
    assert np.abs(got - expected).max() <= RTOL * np.abs(expected).max()


def test_evaluate_predicts_as_predict(tmp_path, weights, monkeypatch, capsys):
    """probe evaluate's probabilities of a continuous recording's windows are probe
    predict's."""
    path = _recording(tmp_path, 500.0)
    out = tmp_path / "probe"
    args = ["--window-labels", "A", "--unlabelled", "B"]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", *args]) == 0  # fmt: skip
    seen = []
    probabilities = probe_cli_predict.probe_probabilities

    def kept(*a, **kw):
        seen.append(probabilities(*a, **kw))
        return seen[-1]

    monkeypatch.setattr(probe_cli_evaluate, "probe_probabilities", kept)
    monkeypatch.setattr(probe_cli_predict, "probe_probabilities", kept)
    assert probe_main(["evaluate", str(out), str(path), "-q", *args]) == 0
    csv = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(path), "-q", "-o", str(csv)]) == 0
    capsys.readouterr()
    evaluated, predicted = seen
    assert evaluated.shape == predicted.shape == (10, 2)
    np.testing.assert_allclose(evaluated, predicted, rtol=1e-6, atol=0)


def test_training_windows_do_not_hold_the_recording(tmp_path, monkeypatch):
    """A continuous recording's training windows are read block by block at the model's rate:
    no float64 copy of the whole recording at its own rate (2 kHz here) is held, nor its
    windows at that rate."""
    monkeypatch.setattr(streaming, "READ_BYTES", 2**20)
    monkeypatch.setattr(streaming, "SCAN_BYTES", 2**20)
    path = _recording(tmp_path, 2000.0, seconds=60.0)
    native = len(NAMES) * 60 * 2000 * 8  # bytes: the recording as float64 at its rate
    how = WindowLabelling("A|B", 4.0)
    (tmp_path / "short").mkdir()  # imports and caches, before the count
    load_labelled_epochs([_recording(tmp_path / "short", 2000.0, 8.0)], windows=how, verbose=False)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        rec, _, _ = load_labelled_epochs([path], windows=how, verbose=False)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert len(rec.data) == 15
    # the windows (19 x 60 s at 256 Hz, float64: 2.3 MB) and a block of them beside reads of 1 MB
    assert peak < native / 2, f"{peak / native:.2f} copies of the recording at its rate"


def _with_nan(path, tmp_path, spans, bad=None):
    """The recording ``path`` with NaN over ``spans`` (seconds ``(start, stop)``) of every
    channel and, if given, the annotation ``bad`` ``(onset, duration, description)``."""
    raw = mne.io.read_raw_fif(path, preload=True, verbose=False)
    x = raw.get_data()
    for a, b in spans:
        x[:, int(a * raw.info["sfreq"]) : int(b * raw.info["sfreq"])] = np.nan
    out = mne.io.RawArray(x, raw.info, verbose=False)
    annotations = raw.annotations
    if bad is not None:
        annotations = annotations + mne.Annotations([bad[0]], [bad[1]], [bad[2]])
    out.set_annotations(annotations)
    name = tmp_path / f"nan{len(spans)}{'_bad' if bad else ''}_raw.fif"
    out.save(name, verbose=False)
    return name


def test_nan_inside_bad_annotations_never_reaches_the_windows(tmp_path):
    """NaN lying only inside a BAD annotation, whose windows probe train and evaluate leave
    out, is filled as embed --reject-by-annotation fills it (resampling spread it, unfilled,
    into the windows read beside it: a crash about float32 overflow); NaN outside refused
    with embed's words, the times in the recording."""
    path = _recording(tmp_path, 500.0)
    how = WindowLabelling("A|B", 4.0)
    bad = _with_nan(path, tmp_path, [(9.0, 15.0)], (9.0, 6.0, "BAD_dropout"))
    with pytest.warns(RuntimeWarning, match=r"non-finite .*from 9\.000 s to 15\.000 s .*all "
                      r"inside annotations marked bad, whose windows are left out"):  # fmt: skip
        rec, y, _ = load_labelled_epochs([bad], windows=how, verbose=False)
    assert rec.onsets.tolist() == [0.0, 4.0, 16.0, 20.0, 24.0, 28.0, 32.0, 36.0]
    assert np.isfinite(rec.data).all() and len(y) == 8
    outside = _with_nan(path, tmp_path, [(21.0, 22.0)])
    with pytest.raises(RecordingError, match=r"non-finite \(NaN/Inf\) samples in all 19 "
                       r"channels .*21\.000 s"):  # fmt: skip
        load_labelled_epochs([outside], windows=how, verbose=False)


@pytest.mark.parametrize("chan_proj", [False, True])
def test_predictions_fill_nan_inside_rejected_bad_annotations(model, chan_proj):
    """probe predict --reject-by-annotation refused NaN lying only inside a BAD annotation
    with the plain NaN error (the bad spans were not passed on): with reject_by_annotation
    (the recording's own annotations or annotations=) they are filled as embed fills them,
    one row per window still; without it the error names the option."""
    from eegpt.probe import synthetic_erp_epochs, synthetic_erp_raw, train_probe

    epochs = synthetic_erp_epochs(40, seed=1, seconds=1.0, tmin=-0.2)
    one_second = PreprocessingConfig(window_seconds=1.0)
    probe = train_probe(model, epochs[:32], preprocessing=one_second, epochs=1,
                        chan_proj=chan_proj)  # fmt: skip
    raw, _, _ = synthetic_erp_raw(4, sfreq=256.0, seed=3)
    n = len(probe.predict_proba(raw))
    raw._data[:, 512:700] = np.nan  # 2.000 to 2.734 s
    marked = mne.Annotations([2.0], [1.0], ["BAD_gap"])
    with pytest.raises(RecordingError, match=r"all inside annotations marked bad\. EEGPT needs "
                       r"finite data: leave the windows over those annotations out "
                       r"\(reject_by_annotation=True"):  # fmt: skip
        probe.predict_proba(raw, annotations=marked)
    with pytest.warns(RuntimeWarning, match=r"all inside annotations marked bad, whose windows "
                      r"are left out \(reject_by_annotation\): ignored"):  # fmt: skip
        proba = probe.predict_proba(raw, annotations=marked, reject_by_annotation=True)
    assert proba.shape == (n, 2) and np.isfinite(proba).all()
    raw.set_annotations(marked)  # its own
    with pytest.raises(RecordingError, match=r"all inside annotations marked bad\. "):
        probe.predict_proba(raw)
    own = probe.predict_proba(raw, reject_by_annotation=True, verbose="error")
    np.testing.assert_allclose(own, proba, atol=1e-6)


def test_probe_predict_rejects_nan_inside_bad_annotations_as_embed_does(tmp_path, weights, capsys):
    """`probe predict --reject-by-annotation` refused a recording whose NaN lies only inside
    a BAD annotation with the plain NaN error (the command passed no bad spans on): it
    predicts every window, the rejected ones left out of the table; without the option the
    error names it."""
    import pandas as pd

    path = _recording(tmp_path, 500.0)
    out = tmp_path / "probe"
    labels = ["--window-labels", "A", "--unlabelled", "B"]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", *labels]) == 0  # fmt: skip
    bad = _with_nan(path, tmp_path, [(9.0, 15.0)], (9.0, 6.0, "BAD_dropout"))
    csv = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(bad), "-q", "-o", str(csv)]) != 0
    assert "--reject-by-annotation" in capsys.readouterr().err
    with pytest.warns(RuntimeWarning, match="all inside annotations marked bad"):
        assert probe_main(["predict", str(out), str(bad), "-q", "-o", str(csv),
                           "--reject-by-annotation"]) == 0  # fmt: skip
    table = pd.read_csv(csv)
    assert table["onset_s"].tolist() == [0.0, 4.0, 16.0, 20.0, 24.0, 28.0, 32.0, 36.0]


def _bipolar_recording(path: Path) -> mne.io.RawArray:
    """A 40 s recording of CHB-MIT's bipolar derivations only ('FP1-F7', ...: none maps to
    an electrode), annotated A/B every 4 s, saved at ``path``."""
    names = ["FP1-F7", "F7-T7", "T7-P7", "P7-O1", "FP1-F3", "F3-C3", "C3-P3", "P3-O1"]
    x = np.random.default_rng(0).normal(0, 20e-6, (len(names), 40 * 256))
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.set_annotations(mne.Annotations(np.arange(10) * 4.0, 4.0, ["A", "B"] * 5))
    raw.save(path, verbose=False)
    return raw


def test_train_names_the_file_none_of_whose_channels_maps(tmp_path, weights, capsys):
    """probe train of a recording whose channels are all bipolar derivations (CHB-MIT's
    'FP1-F7', ...) names the file in its error, as eegpt embed's does."""
    path = tmp_path / "chb01_01_raw.fif"
    raw = _bipolar_recording(path)
    code = probe_main(["train", str(path), "--weights", str(weights), "-o",
                       str(tmp_path / "probe"), "--passes", "1", "-q",
                       "--window-labels", "A|B"])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0
    assert f"{path}: none of the 8 channel names maps" in err, err
    other = tmp_path / "chb01_02_raw.fif"  # two files of the same channels: both named
    raw.save(other, verbose=False)
    assert probe_main(["train", str(path), str(other), "--weights", str(weights), "-o",
                       str(tmp_path / "probe"), "--passes", "1", "-q",
                       "--window-labels", "A|B"]) != 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"2 files ({path}, {other}): none of the 8 channel names maps" in err, err
    # the mapping's other errors (a rename key not there, two channels on one site) too
    train = ["train", str(_recording(tmp_path, 256.0)), "--weights", str(weights), "-o",
             str(tmp_path / "probe"), "--passes", "1", "-q", "--window-labels", "A|B"]  # fmt: skip
    assert probe_main([*train, "--rename", "XX=Cz"]) != 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'rec256_raw.fif'}: channel(s) to rename or drop ['XX']" in err, err
    assert probe_main([*train, "--rename", "Fp2=Fp1"]) != 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'rec256_raw.fif'}: several input channels map" in err, err


def test_unlabelled_alone_applies_to_the_probe_s_labelling(tmp_path, weights, capsys):
    """probe predict/evaluate with --unlabelled and no --window-labels label the windows by
    the probe's own --window-labels (its default), those no annotation covers by the class
    given, saying it differs from training's (it was refused: "give --window-labels too")."""
    x = np.random.default_rng(0).normal(0, 20e-6, (len(NAMES), 40 * 256))
    raw = mne.io.RawArray(x, mne.create_info(NAMES, 256.0, "eeg"), verbose=False)
    raw.set_annotations(mne.Annotations([0, 8, 16, 24, 32], 4.0, ["A", "B", "A", "B", "A"]))
    path = tmp_path / "gaps_raw.fif"  # every other 4 s window annotated
    raw.save(path, verbose=False)
    out = tmp_path / "probe"
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", "--window-labels", "A|B"])  == 0  # fmt: skip
    capsys.readouterr()
    csv = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(path), "--unlabelled", "B", "-o", str(csv)]) == 0
    err = capsys.readouterr().err
    assert "but with --unlabelled B (training's: none" in err, err
    assert err.count("--unlabelled B") == 1, err  # said once, as what differs from training
    labels = pd.read_csv(csv)["label"].tolist()
    assert labels == ["A", "B", "B", "B", "A", "B", "B", "B", "A", "B"]
    assert probe_main(["evaluate", str(out), str(path), "--unlabelled", "B", "-q"]) == 0
    # a class the probe lacks: the error is of the windows' labelling, not of epochs' events
    assert probe_main(["evaluate", str(out), str(path), "--unlabelled", "rest", "-q"]) != 0
    err = capsys.readouterr().err
    assert "the labels are the windows' classes --window-labels gives them" in err, err
    assert "--unlabelled rest names a class the probe was not trained on" in err, err
    assert "event names" not in err, err


def test_predict_and_evaluate_name_the_file_none_of_whose_channels_maps(tmp_path, weights, capsys):
    """probe predict / evaluate of one recording whose channels are all bipolar derivations
    name the file in their error, as eegpt embed's does (the probe's mapping did not)."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(_recording(tmp_path, 256.0)), "--weights", str(weights),
                       "-o", str(out), "--passes", "1", "-q", "--window-labels", "A|B"]) == 0  # fmt: skip
    path = tmp_path / "chb01_01_raw.fif"
    _bipolar_recording(path)
    capsys.readouterr()
    assert probe_main(["predict", str(out), str(path), "-q"]) != 0
    assert f"{path}: none of the 8 channel names maps" in capsys.readouterr().err
    assert probe_main(["evaluate", str(out), str(path), "-q"]) != 0
    assert f"{path}: none of the 8 channel names maps" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:.*gap:RuntimeWarning", "ignore:training epochs per class")
def test_windows_the_resampling_filter_reaches_across_a_join_are_flagged_in_probe(
    tmp_path, weights, capsys
):
    """A join of a 512 Hz EDF+D file where one 4 s window ends and the next starts: embed
    flags both (the polyphase filter mixes samples of both sides into them, 64ab88f0), but
    probe train kept them and probe predict's 'bad' column flagged neither. The probe's
    windows are flagged as embed's are: train leaves them out, predict marks them bad."""
    from test_io import _edf_plus

    from eegpt.cli import main

    starts = [float(k) for k in range(8)] + [float(k + 25) for k in range(8, 16)]
    gapped = _edf_plus(tmp_path / "gapped.edf", "EDF", starts, sfreq=512, events=[(0, 4, "A")])
    out = tmp_path / "gapped.parquet"
    assert main(["embed", str(gapped), "--weights", str(weights), "-o", str(out), "-q",
                 "--window", "4"]) == 0  # fmt: skip
    embedded = pd.read_parquet(out, columns=["onset_s", "bad"])
    assert embedded["bad"].tolist() == [False, True, True, False]
    how = WindowLabelling("A", 4.0, unlabelled="B")
    rec, y, _ = load_labelled_epochs([gapped], windows=how, verbose=False)
    assert rec.onsets.tolist() == [0.0, 12.0] and y.tolist() == ["A", "B"]
    assert "left out 2 over bad annotations (BAD boundary: 2)" in capsys.readouterr().err
    whole = _edf_plus(tmp_path / "whole.edf", "EDF", [float(k) for k in range(16)], sfreq=512,
                      events=[(0, 8, "A")])  # fmt: skip
    probe = tmp_path / "probe"
    assert probe_main(["train", str(whole), "--weights", str(weights), "-o", str(probe),
                       "--passes", "1", "-q", "--window", "4", "--window-labels", "A",
                       "--unlabelled", "B"]) == 0  # fmt: skip
    csv = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), str(gapped), "-q", "-o", str(csv)]) == 0
    predicted = pd.read_csv(csv)
    assert predicted["onset_s"].tolist() == embedded["onset_s"].tolist()
    assert predicted["bad"].tolist() == embedded["bad"].tolist()
