"""What an ERP researcher needs of epochs files: ``--crop`` on the command line (MNE's
inclusive tmax gives N+1 samples), baseline warnings that say what eegpt cannot know, the
padding of epochs said consistently, and labels files numbered by ``epochs.selection``."""

from __future__ import annotations

import json
import logging

import mne
import numpy as np
import pandas as pd
import pytest

from eegpt.checkpoints import load_model
from eegpt.cli import main
from eegpt.io import Recording, RecordingError
from eegpt.outputs import load_embeddings
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.probe import load_probe
from eegpt.probe_label_files import load_labelled_epochs
from eegpt.probe_predictions import _csv_cell
from eegpt.synthetic import synthetic_erp_epochs, synthetic_erp_raw

COMMON = ["--passes", "1", "--window", "1", "-q"]


@pytest.fixture(scope="module")
def erp():
    """Epochs of -0.2 to 0.8 s at 1000 Hz as mne.Epochs cuts them: 1001 samples."""
    epochs = synthetic_erp_epochs(24, sfreq=1000.0, tmin=-0.2, seconds=1.001, seed=3)
    assert len(epochs.times) == 1001 and epochs.tmax == pytest.approx(0.8)
    return epochs


def test_embed_crops_epochs_from_the_command_line_as_epochs_crop_does(erp, weights, tmp_path):
    path, out = tmp_path / "sub-01-epo.fif", tmp_path / "cropped.npz"
    erp.save(path, verbose=False)
    args = ["embed", str(path), "--weights", str(weights), "--window", "1", "-q"]
    assert main([*args, "-o", str(tmp_path / "whole.npz")]) == 1  # 1001 samples: no window
    assert main([*args, "--crop", "-0.2", "-o", str(out)]) == 0
    got = load_embeddings(out)
    assert got.metadata["preprocessing"]["crop_tmin"] == -0.2
    cropped = erp.copy().crop(-0.2, 0.8 - 1 / erp.info["sfreq"])
    assert len(cropped.times) == 1000
    want = load_model(weights, verbose=False).embed(cropped, window_seconds=1, verbose=False)
    np.testing.assert_allclose(got.data, want.data, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got.onsets, want.onsets)
    # the same from Python, by the preprocessing
    config = PreprocessingConfig(window_seconds=1, crop_tmin=-0.2)
    python = load_model(weights, verbose=False).embed(erp, preprocessing=config, verbose=False)
    np.testing.assert_allclose(python.data, want.data, rtol=1e-5, atol=1e-5)


def test_crop_takes_epochs_of_a_rate_a_header_rounded_at_its_nominal_rate(weights, tmp_path):
    """Epochs of a BrainVision recording from a 256 Hz amplifier (3906 µs, which MNE reads as
    256.016 Hz) were refused by --crop: a 1 s window was "256.016 samples at their 256.016 Hz,
    not a whole number". They count at 256 Hz, as their Raw's windows: 256 samples, cropped
    where epochs cut from that sample on hold the same ones."""
    sfreq = 1e6 / 3906
    info = mne.create_info(["Fz", "Cz", "Pz", "C3", "C4"], sfreq, "eeg")
    samples = np.random.default_rng(4).normal(0, 2e-5, (5, 256 * 60))
    raw = mne.io.RawArray(samples, info, verbose=False)
    events = np.array([[2560, 0, 1], [5120, 0, 1], [10240, 0, 2]])
    epochs = mne.Epochs(raw, events, tmin=-0.5, tmax=1.5, baseline=None, verbose=False)
    path, out = tmp_path / "bv-epo.fif", tmp_path / "cropped.npz"
    epochs.save(path, verbose=False)
    args = ["embed", str(path), "--weights", str(weights), "--window", "1", "--crop", "-0.25"]
    assert main([*args, "-q", "-o", str(out)]) == 0
    got = load_embeddings(out)
    np.testing.assert_array_equal(got.onsets, events[:, 0] / 256 - 0.25)  # from -64 samples
    # the same samples as epochs cut 64 samples before each event, 256 long
    want_epochs = mne.Epochs(
        raw, events, tmin=-64 / sfreq, tmax=191 / sfreq, baseline=None, verbose=False
    )
    assert len(want_epochs.times) == 256
    want = load_model(weights, verbose=False).embed(want_epochs, window_seconds=1, verbose=False)
    np.testing.assert_allclose(got.data, want.data, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got.onsets, want.onsets)


def test_the_error_for_epochs_of_one_sample_more_names_crop(erp, weights, tmp_path, capsys):
    path = tmp_path / "sub-01-epo.fif"
    erp.save(path, verbose=False)
    args = ["embed", str(path), "--weights", str(weights), "--window", "1", "-q"]
    assert main([*args, "-o", str(tmp_path / "x.npz")]) == 1
    err = capsys.readouterr().err
    assert "epochs have 1001 samples at 1000 Hz (1.0010 s; 257 samples at 256 Hz, resampled)" in err
    assert "--crop -0.2 crops each epoch to [-0.2, -0.2 + --window) s" in err


def test_crop_is_refused_for_continuous_recordings(weights, tmp_path, capsys):
    raw, _, _ = synthetic_erp_raw(3, sfreq=250.0, seed=5)
    path = tmp_path / "rec_raw.fif"
    raw.save(path, verbose=False)
    said = "crop_tmin=0 (--crop 0) crops epochs around their time-locking event, but this is a "
    said += "continuous recording"
    args = ["embed", str(path), "--weights", str(weights), "--crop", "0", "-q"]
    assert main([*args, "-o", str(tmp_path / "x.npz")]) == 1
    assert said in capsys.readouterr().err
    with pytest.raises(RecordingError, match=r"crop_tmin=0 .* continuous recording"):
        prepare(raw, preprocessing=PreprocessingConfig(crop_tmin=0.0))
    array = Recording(np.ones((2, 3, 300)) * 1e-5, ["Fz", "Cz", "Pz"], 256.0)
    with pytest.raises(RecordingError, match=r"epochs given as arrays .* do not carry"):
        prepare(array, preprocessing=PreprocessingConfig(window_seconds=1.0, crop_tmin=0.0))
    epochs = tmp_path / "e-epo.fif"
    synthetic_erp_epochs(8, sfreq=1000.0, tmin=-0.2, seconds=1.0, seed=1).save(epochs)
    probe = tmp_path / "probe"
    assert main(["probe", "train", str(epochs), "-o", str(probe), "--weights", str(weights),
                 *COMMON]) == 0  # fmt: skip
    assert main(["probe", "predict", str(probe), str(path), "--crop", "0"]) == 1
    assert said in capsys.readouterr().err


def test_probe_train_records_the_crop_and_predict_adopts_it(erp, weights, tmp_path, capsys):
    path, probe = tmp_path / "sub-01-epo.fif", tmp_path / "probe"
    erp.save(path, verbose=False)
    train = ["probe", "train", str(path), "-o", str(probe), "--weights", str(weights)]
    assert main([*train, *COMMON]) == 1  # 1001 samples: not one window
    assert "--crop -0.2 crops each epoch" in capsys.readouterr().err
    assert main([*train, "--crop", "-0.2", *COMMON]) == 0
    record = json.loads((probe / "probe.json").read_text())
    assert record["preprocessing"]["crop_tmin"] == -0.2
    assert main(["info", str(probe)]) == 0
    assert "crop_tmin -0.2" in capsys.readouterr().out
    cropped = tmp_path / "cropped-epo.fif"
    erp.copy().crop(-0.2, 0.8 - 1 / 1000).save(cropped, verbose=False)
    adopted, direct = tmp_path / "adopted.csv", tmp_path / "direct.csv"
    assert main(["probe", "predict", str(probe), str(path), "-o", str(adopted)]) == 0
    assert "as in training (--crop -0.2)" in capsys.readouterr().err
    sidecar = json.loads((tmp_path / "adopted.csv.json").read_text())
    assert sidecar["provenance"]["crop_tmin"] == -0.2
    assert main(["probe", "predict", str(probe), str(cropped), "-o", str(direct), "-q"]) == 0

    def probabilities(csv):
        lines = csv.read_text().splitlines()[1:]
        return np.array([[float(v) for v in line.split(",")[-2:]] for line in lines])

    np.testing.assert_allclose(probabilities(adopted), probabilities(direct), atol=1e-6)
    with pytest.warns(RuntimeWarning, match=r"--crop -0.2001 differs from the probe's training "
                      r"\(--crop -0.2\)"):  # fmt: skip
        main(["probe", "predict", str(probe), str(path), "--crop", "-0.2001", "-q"])
    assert main(["probe", "evaluate", str(probe), str(path), "-q"]) == 0
    # a probe of cropped epochs on a stream (no events to crop by), and on embeddings of
    # epochs cropped beforehand (preprocessing without crop_tmin)
    trained = load_probe(probe, weights)
    raw, _, _ = synthetic_erp_raw(3, sfreq=1000.0, seed=5)
    online = trained.online(raw.ch_names, 1000.0, warm_up=False)
    assert len(trained.predict_proba(online.push(raw.get_data()))) > 0
    model = load_model(weights, verbose=False)
    emb = model.embed(erp.copy().crop(-0.2, 0.8 - 1 / 1000), window_seconds=1, verbose=False)
    np.testing.assert_allclose(trained.predict_proba(emb), probabilities(direct), atol=1e-6)


def test_the_baseline_of_an_array_input_is_said_unknown_not_absent(weights, tmp_path):
    """Trained on baseline-corrected -epo.fif epochs, `probe predict probe/ data.npz` said the
    array's epochs "are not" corrected, which eegpt cannot know: arrays record no baseline."""
    epochs = synthetic_erp_epochs(40, sfreq=250.0, tmin=-0.2, seconds=1.0, seed=2)
    corrected, probe = tmp_path / "bl-epo.fif", tmp_path / "probe"
    epochs.copy().apply_baseline((None, 0), verbose=False).save(corrected, verbose=False)
    assert main(["probe", "train", str(corrected), "-o", str(probe), "--weights", str(weights),
                 *COMMON]) == 0  # fmt: skip
    array, plain = tmp_path / "data.npz", tmp_path / "plain-epo.fif"
    np.savez(array, X=epochs.get_data(), ch_names=np.array(epochs.ch_names), sfreq=250.0)
    epochs.save(plain, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"whether .*data.npz's epochs were baseline-corrected "
                      r"is not recorded in them") as said:  # fmt: skip
        assert main(["probe", "predict", str(probe), str(array), "-q"]) == 0
    assert not any("are not, so" in str(w.message) for w in said)
    with pytest.warns(RuntimeWarning, match=r"plain-epo.fif's epochs are not, so their channels"):
        assert main(["probe", "predict", str(probe), str(plain), "-q"]) == 0
    model = load_model(weights, verbose=False)
    emb = model.embed(epochs.get_data(), ch_names=epochs.ch_names, sfreq=250.0,
                      window_seconds=1.0, verbose=False)  # fmt: skip
    trained = load_probe(probe, weights)
    with pytest.warns(RuntimeWarning, match=r"whether these embeddings were baseline-corrected"):
        trained.predict_proba(emb)
    with pytest.warns(RuntimeWarning, match=r"but these embeddings are not, so"):
        trained.predict_proba(model.embed(epochs, window_seconds=1.0, verbose=False))


def test_merged_inputs_are_checked_each_against_the_probe_s_baseline(weights, tmp_path):
    """`probe evaluate probe/ sub-04-epo.fif sub-01_epo.set` warned that whether "2 files
    (sub-04-epo.fif, sub-01_epo.set)'s epochs" were baseline-corrected is not recorded, though
    the -epo.fif records its correction (the probe's): the merged epochs were taken as one
    input recording none. Each input is checked: the .set named alone as not recorded, an
    -epo.fif corrected as in training said nothing of, one not corrected said so by name."""
    import warnings

    pytest.importorskip("eeglabio")
    epochs = synthetic_erp_epochs(40, sfreq=250.0, tmin=-0.2, seconds=1.0, seed=2)
    corrected, probe = tmp_path / "sub-04-epo.fif", tmp_path / "probe"
    epochs.copy().apply_baseline((None, 0), verbose=False).save(corrected, verbose=False)
    assert main(["probe", "train", str(corrected), "-o", str(probe), "--weights", str(weights),
                 *COMMON]) == 0  # fmt: skip
    eeglab, plain = tmp_path / "sub-01_epo.set", tmp_path / "sub-02-epo.fif"
    epochs.export(eeglab, verbose="error")
    epochs.save(plain, verbose=False)
    trained = "this probe was trained on epochs that MNE"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["probe", "evaluate", str(probe), str(corrected), str(eeglab), "-q"]) == 0
    said = [str(w.message) for w in caught if trained in str(w.message)]
    assert len(said) == 1 and f"whether {eeglab}'s epochs were baseline-corrected" in said[0]
    assert str(corrected) not in said[0]
    merged = [str(w.message) for w in caught if "those that record it" in str(w.message)]
    assert len(merged) == 1 and f"of 1 of them ({eeglab}) were is not recorded" in merged[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["probe", "evaluate", str(probe), str(corrected), str(eeglab), str(plain),
                     "-q"]) == 0  # fmt: skip
    said = [str(w.message) for w in caught if trained in str(w.message)]
    assert len(said) == 2 and f"whether {eeglab}'s epochs were" in said[0]
    assert f"but {plain}'s epochs are not, so their channels' offsets differ" in said[1]
    assert not any(str(corrected) in t for t in said)


def test_probe_info_shows_the_training_baseline(weights, tmp_path, capsys):
    epochs = synthetic_erp_epochs(16, sfreq=250.0, tmin=-0.2, seconds=1.0, seed=2)
    path, probe = tmp_path / "bl-epo.fif", tmp_path / "probe"
    epochs.copy().apply_baseline((None, 0), verbose=False).save(path, verbose=False)
    assert main(["probe", "train", str(path), "-o", str(probe), "--weights", str(weights),
                 *COMMON]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["info", str(probe)]) == 0
    assert "training epochs baseline-corrected by MNE (-0.2 s to 0 s" in capsys.readouterr().out
    assert load_probe(probe, weights).training["epochs_baseline"] == pytest.approx([-0.2, 0.0])


def test_epochs_padded_by_less_than_a_patch_are_said_partly_padded(
    weights, tmp_path, caplog, capsys
):
    """2.001 s epochs at 1000 Hz (513 samples at 256 Hz) padded into 2.25 s windows (9
    patches) were said to have "the last 0 of 9 patches" padding, beside a note that their
    last patch holds 1 sample and 63 zeros."""
    epochs = synthetic_erp_epochs(4, sfreq=1000.0, tmin=-0.2, seconds=2.001, seed=1)
    model = load_model(weights, verbose=False)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        emb = model.embed(epochs, window_seconds=2.25, tail="pad")
    padded = emb.metadata["padded_epochs"]
    assert (padded["padding_patches"], padded["partly_padded_patches"]) == (0, 1)
    said = (
        "none of each window's 9 patches is wholly padding, but patch 9 is partly padded: 1 of "
        "the epochs' samples and 63 zeros"
    )
    assert said in caplog.text and "last 0 of" not in caplog.text
    emb.save(tmp_path / "e.npz")
    assert main(["info", str(tmp_path / "e.npz")]) == 0
    out = capsys.readouterr().out
    assert said in out and "last 0 of" not in out


def test_a_labels_file_numbered_by_position_names_the_files_whose_numbers_fail(tmp_path):
    """Two files whose epochs.selection has gaps, labelled by a file,epoch,label table
    numbered 0.. by position: the error listed the union of both files' numbers; it names
    each file that fails, with its own numbers, and says eegpt counts by epochs.selection."""
    paths = []
    for k, drop in enumerate(([2, 3], [])):
        epochs = synthetic_erp_epochs(10, sfreq=250.0, tmin=-0.2, seconds=1.0, seed=k)
        epochs.drop(drop, verbose=False)
        path = tmp_path / f"sub-0{k + 1}-epo.fif"
        epochs.save(path, verbose=False)
        paths.append(path)
    assert mne.read_epochs(paths[0], verbose=False).selection.tolist() == [0, 1, 4, 5, 6, 7, 8, 9]
    labels = tmp_path / "labels.csv"
    rows = [f"{paths[0].name},{i},a" for i in range(8)] + [
        f"{paths[1].name},{i},b" for i in range(10)
    ]
    labels.write_text("file,epoch,label\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValueError) as err:
        load_labelled_epochs(paths, labels)
    text = str(err.value)
    assert "matches the epochs of 1 of the 2 inputs neither counted from 0 nor from 1" in text
    assert (
        "sub-01-epo.fif: its rows are numbered 0 to 7, its epochs 0, 1, 4, 5, 6 and 3 more "
        "(2, 3 not among them)" in text
    )
    assert "sub-02-epo.fif" not in text
    assert "epochs.selection" in text


def test_clock_s_is_written_with_six_decimals_as_onset_s():
    assert _csv_cell("clock_s", 3.9000000000000004) == "3.900000"
    assert _csv_cell("onset_s", 3.9000000000000004) == "3.900000"


def test_a_probe_of_cropped_epochs_evaluates_continuous_recordings(erp, weights, tmp_path, capsys):
    """The crop of the epochs trained on (--crop) crops only inputs read as epochs: a
    continuous recording's windows have no event to crop by (as probe.predict_proba drops
    it), said on stderr, not refused as though they were arrays without times."""
    path, probe = tmp_path / "sub-01-epo.fif", tmp_path / "probe"
    erp.save(path, verbose=False)
    assert main(["probe", "train", str(path), "-o", str(probe), "--weights", str(weights),
                 "--crop", "-0.2", *COMMON]) == 0  # fmt: skip
    raw, events, ids = synthetic_erp_raw(4, sfreq=1000.0, seed=5)
    classes = sorted(ids)
    names = {v: k for k, v in ids.items()}
    onsets = events[:, 0] / raw.info["sfreq"]
    raw.set_annotations(mne.Annotations(onsets, [1.0] * len(onsets),
                                        [names[e] for e in events[:, 2]]))  # fmt: skip
    recording = tmp_path / "c_raw.fif"
    raw.save(recording, verbose=False)
    capsys.readouterr()
    labelled = [a for c in classes for a in ("--window-labels", f"{c}=^{c}$")]
    assert main(["probe", "evaluate", str(probe), str(recording), *labelled]) == 0
    err = capsys.readouterr().err
    assert "the probe's --crop -0.2 does not apply to continuous recordings" in err
    out = tmp_path / "c.csv"
    assert main(["probe", "predict", str(probe), str(recording), "-o", str(out), *labelled]) == 0
    err = capsys.readouterr().err
    assert "the probe's --crop -0.2 does not apply to continuous recordings" in err
    assert "epochs cropped to" not in err
    assert len(pd.read_csv(out)) == 19  # 19 windows of 1 s, none cropped


def test_a_probe_of_cropped_epochs_takes_arrays_cut_as_in_training(erp, weights, tmp_path, capsys):
    """A probe trained with --crop refused every .npz array and NumPy epochs, even ones cut
    to its window already: arrays carry no times to crop by. Its crop is left out for them
    with a note that they must be cut as in training (their length still checked); a --crop
    given for them, and arrays beside epochs files, stay refused."""
    path, probe = tmp_path / "sub-01-epo.fif", tmp_path / "probe"
    erp.save(path, verbose=False)
    assert main(["probe", "train", str(path), "-o", str(probe), "--weights", str(weights),
                 "--crop", "-0.2", *COMMON]) == 0  # fmt: skip
    x = erp.get_data()[..., :1000]
    array = tmp_path / "arr.npz"
    np.savez(array, X=x, ch_names=np.array(erp.ch_names), sfreq=1000.0)
    capsys.readouterr()
    out, direct = tmp_path / "q1.csv", tmp_path / "direct.csv"
    assert main(["probe", "predict", str(probe), str(array), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "left out for epochs given as arrays" in err and "cut as in training" in err
    assert "epochs cropped to" not in err
    assert main(["probe", "predict", str(probe), str(path), "-o", str(direct), "-q"]) == 0

    def probabilities(csv):
        return pd.read_csv(csv).iloc[:, -2:].to_numpy()

    np.testing.assert_allclose(probabilities(out), probabilities(direct), atol=1e-5)
    assert main(["probe", "predict", str(probe), str(array), "--crop", "-0.2", "-q"]) == 1
    assert "epochs given as arrays (.npz files, NumPy arrays) do not" in capsys.readouterr().err
    assert main(["probe", "predict", str(probe), str(array), str(path), "-q"]) == 1
    assert "in separate runs" in capsys.readouterr().err
    # --crop -0.2s: seconds with their unit, not taken by argparse for an option
    assert main(["probe", "predict", str(probe), str(path), "--crop", "-0.2s", "-q"]) == 0
    # the crop said once the run is accepted, not before a refusal of it
    events = ["--events", str(tmp_path / "ev.csv")]
    assert main(["probe", "predict", str(probe), str(path), *events]) == 1
    err = capsys.readouterr().err
    assert "sub-01-epo.fif holds epochs" in err and "epochs cropped to" not in err
    trained = load_probe(probe, weights)
    with pytest.warns(RuntimeWarning, match="must already be cut as in training"):
        got = trained.predict_proba(x, ch_names=erp.ch_names, sfreq=1000.0)
    np.testing.assert_allclose(got, probabilities(direct), atol=1e-5)
    with pytest.raises(RecordingError, match=r"epochs last 1.0010 s"):  # not cut: refused
        trained.predict_proba(erp.get_data(), ch_names=erp.ch_names, sfreq=1000.0)


def test_crop_takes_negative_seconds_with_their_unit(erp, weights, tmp_path):
    """`--crop -0.2s` failed with "unrecognized arguments: -0.2s" (argparse read it as an
    option); --crop=-0.2s worked."""
    path, out = tmp_path / "sub-01-epo.fif", tmp_path / "cropped.npz"
    erp.save(path, verbose=False)
    args = ["embed", str(path), "--weights", str(weights), "--window", "1", "-q"]
    assert main([*args, "--crop", "-0.2s", "-o", str(out)]) == 0
    assert load_embeddings(out).metadata["preprocessing"]["crop_tmin"] == -0.2


def test_the_padding_advice_keeps_the_crop_and_whole_patches(erp, weights, caplog):
    """Epochs cropped by --crop and padded into a longer window: the advice cropped from the
    epochs' start (epochs.tmin, not the crop's) and suggested windows of the epochs' length,
    not whole patches (--window 0.8046875), which are warned of themselves; "the last 1 of
    ... patches are" wholly padding."""
    model = load_model(weights, verbose=False)
    config = PreprocessingConfig(window_seconds=1, crop_tmin=0.0, tail="pad")
    with caplog.at_level(logging.INFO, logger="eegpt"):
        model.embed(erp, preprocessing=config)  # 0 to 0.8 s: 3 patches and 14 samples
    assert "--crop 0 --window 0.75 on the command line" in caplog.text
    assert "epochs.crop(0, 0 + 0.75 - 1 / epochs.info['sfreq']) and window_seconds=0.75" in (
        caplog.text
    )
    assert "epochs.tmin" not in caplog.text and "0.8046875 (" not in caplog.text
    caplog.clear()
    config = PreprocessingConfig(window_seconds=1.5, crop_tmin=-0.2, tail="pad")
    with caplog.at_level(logging.INFO, logger="eegpt"):
        model.embed(erp, preprocessing=config)  # 1.001 s: 4 patches and 1 sample, of 6
    assert "the last of each window's 6 patches is wholly padding" in caplog.text
    assert "window_seconds=1.25 (--window 1.25) embeds the epochs' 5 patches" in caplog.text
    assert "--crop -0.2 --window 1 on the command line" in caplog.text


def test_a_crop_overshooting_a_probes_window_advises_another_crop(erp, weights, tmp_path, capsys):
    """--crop overshooting the epochs for a probe's window advised "a shorter --window",
    which a probe (its window fixed) cannot take: predict and evaluate advise another crop,
    while embed keeps its advice."""
    path, probe = tmp_path / "sub-01-epo.fif", tmp_path / "probe"
    erp.save(path, verbose=False)
    assert main(["probe", "train", str(path), "-o", str(probe), "--weights", str(weights),
                 "--crop", "-0.2", *COMMON]) == 0  # fmt: skip
    capsys.readouterr()
    for action in ("predict", "evaluate"):
        with pytest.warns(RuntimeWarning, match="differs from the probe's training"):
            assert main(["probe", action, str(probe), str(path), "--crop", "0", "-q"]) == 1
        err = capsys.readouterr().err
        assert "give an earlier --crop, -0.199 s at the latest (the probe's window is fixed)" in err
        assert "shorter --window" not in err
    trained = load_probe(probe, weights)
    trained.preprocessing = PreprocessingConfig(window_seconds=1, crop_tmin=0.0)
    with pytest.raises(RecordingError, match=r"the probe's window is fixed"):
        trained.predict_proba(erp)
    args = ["embed", str(path), "--weights", str(weights), "--window", "1", "--crop", "0", "-q"]
    assert main([*args, "-o", str(tmp_path / "x.npz")]) == 1
    assert "a shorter --window" in capsys.readouterr().err
