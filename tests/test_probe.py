"""Linear probing: learning a labelled task, caching, metrics, save/load and the CLI.

The task is SYNTHETIC (no EEG recording with labelled events ships inside an installed wheel):
:func:`eegpt.probe.synthetic_erp_epochs` makes a P300-like oddball where "target" epochs carry
a parietal positive deflection. The encoder has random weights, so the test shows that the
training machinery learns a separable task from frozen-encoder features, not what pretraining
learned. Every learning test is paired with a shuffled-label control that must stay near chance.
"""

from __future__ import annotations

import argparse
import copy
import csv
import dataclasses
import io
import json
import os
import re
import warnings
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pytest
import torch

from eegpt import EEGPT, EEGPTConfig
from eegpt.checkpoints import load_model, save_checkpoint
from eegpt.errors import EEGPTWarning, RecordingError, StartPastEndError
from eegpt.io import as_recording
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import (
    SYNTHETIC_CHANNELS,
    EEGPTProbe,
    EmbeddingCache,
    EncoderMismatchError,
    ProbeConfig,
    describe_probe,
    encoder_fingerprint,
    epochs_labels,
    format_metrics,
    load_probe,
    merge_epochs,
    probe_metrics,
    synthetic_erp_epochs,
    synthetic_erp_raw,
    train_probe,
)
from eegpt.probe_cli import _labelled_windows, load_labelled_epochs
from eegpt.probe_cli import main as probe_main
from eegpt.probe_label_files import WindowLabelling
from eegpt.resampling import resample
from eegpt.training import balanced_class_weights, stratified_split

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
FAST = dict(epochs=50, max_lr=5e-3)  # the paper's 100 epochs at 4e-4 need more data than this
# where what the probe learns is not checked: the same steps, fewer passes
BRIEF = dict(FAST, epochs=3)
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)
# The synthetic task as recorded: the small random-weight encoders here learn it from the
# average-referenced ERP (the default) less well within these few passes; the learning tests
# are about the probe, not the reference.
AS_RECORDED = PreprocessingConfig(average_reference=False)


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("weights") / "small"
    save_checkpoint(EEGPT(SMALL).eval(), folder)
    return folder


@pytest.fixture(scope="module")
def model(weights):
    return load_model(weights, verbose=False)


@pytest.fixture(scope="module")
def task():
    epochs = synthetic_erp_epochs(240, seed=0)
    return epochs[:160], epochs[160:]


@pytest.fixture(scope="module")
def short_task():
    """1 s epochs (4 patches) for the paths that run the encoder at every step."""
    epochs = synthetic_erp_epochs(200, seed=1, seconds=1.0, tmin=-0.2)
    return epochs[:140], epochs[140:]


@pytest.fixture(scope="module")
def cache():
    return EmbeddingCache()


@pytest.fixture(scope="module")
def probe(model, task, cache):
    return train_probe(
        model, task[0], validation=0.2, cache=cache, preprocessing=AS_RECORDED, **FAST
    )


def count_encoder_calls(monkeypatch) -> list[int]:
    """Count the windows the frozen encoder embeds (through the engine's public encode)."""
    from eegpt.engine import InferenceEngine

    calls = [0]
    original = InferenceEngine.encode

    def counting(self, windows, *args, **kwargs):
        calls[0] += len(windows)
        return original(self, windows, *args, **kwargs)

    monkeypatch.setattr(InferenceEngine, "encode", counting)
    return calls


# ------------------------------------------------------------------------------------ learning


def test_probe_learns_the_synthetic_task(probe, task, cache):
    train, test = task
    metrics = probe.evaluate(test, cache=cache)
    assert metrics["n"] == 80
    assert metrics["balanced_accuracy"] >= 0.8, format_metrics(metrics)
    assert metrics["auroc"] >= 0.85
    assert metrics["cohen_kappa"] >= 0.6
    assert probe.history[-1]["train_loss"] < probe.history[0]["train_loss"]
    assert {"val_loss", "val_balanced_accuracy"} <= set(probe.history[-1])
    assert probe.training["n_train"] == 128 and probe.training["n_validation"] == 32
    assert list(probe.classes_) == ["standard", "target"]
    assert set(probe.predict(test, cache=cache)) <= {"standard", "target"}


def test_shuffled_labels_stay_near_chance(model, task, cache):
    train, test = task
    shuffled = np.random.default_rng(1).permutation(epochs_labels(train))
    metrics = train_probe(model, train, shuffled, cache=cache, **FAST).evaluate(test, cache=cache)
    assert metrics["balanced_accuracy"] <= 0.65, format_metrics(metrics)
    assert abs(metrics["cohen_kappa"]) <= 0.3


def test_array_input_matches_epochs_input(model, task, cache, probe):
    train, test = task
    x = test.get_data() * 1e6  # microvolts
    from_array = probe.predict_proba(x, ch_names=test.ch_names, sfreq=250.0, units="uV")
    np.testing.assert_allclose(from_array, probe.predict_proba(test), rtol=1e-4, atol=1e-6)


def test_channel_projection_probe(model, short_task):
    """The 1x1 projection (any channel names) is trained; the encoder stays untouched."""
    train, test = (e.copy() for e in short_task)
    names = {n: f"EEG-{i}" for i, n in enumerate(train.ch_names)}  # not vocabulary names
    for e in (train, test):
        e.rename_channels(names)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    probe = train_probe(
        model, train[:96], preprocessing=ONE_SECOND, chan_proj=True, epochs=20, max_lr=1e-2
    )
    weight = probe.model.state_dict()["chan_proj.proj.weight"]
    assert weight.shape == (19, 19, 1)
    assert float(weight.norm(dim=(1, 2)).max()) <= 1.0 + 1e-5  # max-norm filters
    assert probe.input_names == tuple(names.values())
    assert probe.encoder_names == tuple(n.upper() for n in SYNTHETIC_CHANNELS)  # 10-20 targets
    losses = [row["train_loss"] for row in probe.history]
    assert np.mean(losses[-5:]) < np.mean(losses[:5])  # it learns (accuracy: see above)
    for k, v in model.state_dict().items():  # training leaves it where it was, too
        assert v.device == before[k].device and torch.equal(v, before[k]), k
    assert probe.predict_proba(test).shape == (len(test), 2)
    for k, v in model.state_dict().items():  # the probe runs it on its device: values count
        assert torch.equal(v.cpu(), before[k].cpu()), k
    assert all(p.requires_grad for p in model.parameters())  # flags restored
    with pytest.raises(ValueError, match="missing"):
        probe.predict(short_task[1])  # the original names are not the projection's inputs
    cased = test.copy().rename_channels({n: f" {n.lower()} " for n in test.ch_names})
    np.testing.assert_array_equal(probe.predict_proba(cased), probe.predict_proba(test))


def test_channel_projection_probe_takes_the_same_electrodes_under_other_names(model, short_task):
    """A projection trained on 'Fp1', 'C3', ... takes 'EEG FP1-REF', 'EEG C3-REF', ... (the
    same electrodes, as every other input of eegpt does), with the same numbers."""
    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, chan_proj=True, epochs=1)
    tuh = test.copy().rename_channels({n: f"EEG {n.upper()}-REF" for n in test.ch_names})
    np.testing.assert_array_equal(probe.predict_proba(tuh), probe.predict_proba(test))
    twice = tuh.copy().pick([tuh.ch_names[0]]).rename_channels({tuh.ch_names[0]: "Fp1-LE"})
    twice = tuh.copy().add_channels([twice])  # two channels of one electrode: which is meant?
    with pytest.raises(ValueError, match=r"'Fp1' could be any of \['EEG FP1-REF', 'Fp1-LE'\]"):
        probe.predict_proba(twice)


def test_same_seed_same_probe(model, short_task, cache):
    kwargs = dict(preprocessing=ONE_SECOND, epochs=5, cache=cache)
    a = train_probe(model, short_task[0], seed=3, **kwargs)
    b = train_probe(model, short_task[0], seed=3, **kwargs)
    c = train_probe(model, short_task[0], seed=4, **kwargs)
    sa, sb, sc = (p.model.final_layer.state_dict() for p in (a, b, c))
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)


def test_early_stopping_restores_best(model, short_task):
    train, test = short_task
    probe = train_probe(
        model,
        train,
        preprocessing=ONE_SECOND,
        validation=(test, None),
        epochs=40,
        max_lr=5e-2,
        patience=2,
    )
    losses = [row["val_loss"] for row in probe.history]
    assert probe.training["best_epoch"] == int(np.argmin(losses)) + 1
    assert probe.training["kept_epoch"] == probe.training["best_epoch"]
    logits = torch.from_numpy(probe.decision_function(test))
    y = torch.as_tensor([list(probe.classes_).index(c) for c in epochs_labels(test)])
    loss = float(torch.nn.functional.cross_entropy(logits, y))
    assert loss == pytest.approx(min(losses), rel=1e-4)
    with pytest.raises(ValueError, match="needs validation data"):
        train_probe(model, train, preprocessing=ONE_SECOND, patience=2)


def test_early_stopping_waits_for_the_learning_rate_peak(model, short_task):
    """Patience counts from the pass where the one-cycle rate peaks: a validation loss that
    does not fall during the warm-up (here a rate too small to move it) does not stop
    training before the warm-up is over, and the best pass is still tracked from the first."""
    from eegpt.training import one_cycle_peak_pass

    train, test = short_task
    probe = train_probe(model, train, preprocessing=ONE_SECOND, validation=(test, None),
                        epochs=10, pct_start=0.5, max_lr=1e-12, patience=1)  # fmt: skip
    steps = -(-probe.training["n_train"] // 64)  # batches of 64 a pass
    assert one_cycle_peak_pass(0.5, 10, steps) == 5
    assert probe.training["stopped_early"] and probe.training["epochs_run"] == 5
    assert probe.training["best_epoch"] == 1  # the first pass's loss was never beaten


def test_a_probe_of_an_encoder_built_in_python_records_that_it_is_not_pretrained(short_task):
    """A probe on an ``EEGPT(...)`` built in Python and never loaded or trained records its
    encoder as not pretrained (False: the figures mark it so), and so does one that loaded
    its state dict (which carries the mark); one whose weights were loaded from a plain dict
    (no notes to go by) is unknown (None)."""
    from eegpt.probe import encoder_reference

    train, _ = short_task
    torch.manual_seed(0)
    random = EEGPT(SMALL).eval()
    probe = train_probe(random, train, preprocessing=ONE_SECOND, epochs=1)
    assert probe.encoder["pretrained"] is False
    loaded = EEGPT(SMALL).eval()
    loaded.load_state_dict(random.state_dict())
    assert encoder_reference(loaded)["pretrained"] is False
    loaded.load_state_dict(dict(random.state_dict()))
    assert encoder_reference(loaded)["pretrained"] is None


def test_epochs_beyond_float32_are_refused_for_a_channel_projection():
    """Epochs whose samples overflow float32 once scaled are refused on the channel
    projection's path as on the others, without NumPy's own overflow warning."""
    from eegpt.probe import _projection_windows

    data = np.random.default_rng(0).normal(0, 2e-5, (2, 3, 1024))  # (epochs, channels, 4 s)
    data[1, 2, 10] = 1e38  # V: beyond float32 once in mV
    info = mne.create_info(["Fp1", "Cz", "O1"], 256.0, "eeg")
    rec = as_recording(mne.EpochsArray(data, info, verbose="error"), verbose="error")
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        with pytest.raises(RecordingError, match="samples overflow float32"):
            _projection_windows(rec, ["Fp1", "Cz", "O1"], PreprocessingConfig())
    assert not [str(w.message) for w in said]


@pytest.mark.parametrize(
    ("epochs", "steps", "pct"),
    [
        (7, 2, 0.3),
        (10, 3, 0.5),
        (5, 7, 0.25),
        (4, 3, 0.33),
        (3, 5, 0.2),
        (9, 1, 0.3),
        (6, 4, 0.1),
        (2, 2, 0.5),
        (20, 3, 0.11),
        (5, 5, 0.79),
    ],  # fmt: skip
)
def test_the_peak_pass_holds_the_one_cycle_schedules_highest_rate(epochs, steps, pct):
    """:func:`one_cycle_peak_pass` names the pass whose batches get the highest rate of a real
    OneCycleLR, as the probe's training builds it."""
    from eegpt.training import one_cycle_peak_pass

    warm_up = max(pct, 2 / (epochs * steps))  # as the training keeps >= 2 warm-up steps
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=1e-3, epochs=epochs, steps_per_epoch=steps, pct_start=warm_up
    )
    rates = []
    for _ in range(epochs * steps):  # the rate each batch trains at, then the step after it
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert one_cycle_peak_pass(warm_up, epochs, steps) == int(np.argmax(rates)) // steps + 1


# ------------------------------------------------------------------------------------ caching


def test_second_training_does_not_run_the_encoder(weights, short_task, tmp_path, monkeypatch):
    model = load_model(weights, verbose=False)
    calls = count_encoder_calls(monkeypatch)
    cache = EmbeddingCache()
    kwargs = dict(preprocessing=ONE_SECOND, epochs=2, validation=0.25)
    train_probe(model, short_task[0], cache=cache, **kwargs)
    assert calls[0] == 140 and cache.misses == 140  # train and validation windows
    calls[0] = 0
    train_probe(model, short_task[0], cache=cache, max_lr=1e-3, **kwargs)
    assert calls[0] == 0 and cache.hits == 140

    # other data or other preprocessing: computed again
    train_probe(model, short_task[1], cache=cache, **kwargs)
    assert calls[0] > 0

    # on disk: a new cache object (a new process) finds the files
    disk = tmp_path / "cache"
    train_probe(model, short_task[0], cache=disk, **kwargs)
    assert len(list(disk.glob("*.npy"))) == 140  # one file per window
    calls[0] = 0
    fresh = EmbeddingCache(disk)
    train_probe(model, short_task[0], cache=fresh, **kwargs)
    assert calls[0] == 0 and fresh.hits == 140 and fresh.misses == 0

    # changed encoder weights: a different key
    with torch.no_grad():
        model.target_encoder.norm.bias.add_(0.1)
    train_probe(model, short_task[0], cache=fresh, **kwargs)
    assert calls[0] > 0


@pytest.mark.parametrize(("fused", "chan_proj"), [(True, False), (False, False), (True, True)])
def test_weights_edited_through_data_are_not_trained_on_from_the_cache(
    weights, short_task, monkeypatch, caplog, fused, chan_proj
):
    """Weights edited through ``p.data`` (no change counter sees it) after a cached training:
    the next cached training fits on the new weights' embeddings, as an uncached one does, and
    records their fingerprint; each training hashes the weights once (the probe's record),
    none more. With a channel projection (no cache), the fast path's derived weights of the
    old weights are dropped all the same, so the probe predicts with the new weights."""
    import eegpt.fingerprints as fingerprints
    from eegpt.probe_encoder import encoder_fingerprint as hash_encoder

    model = load_model(weights, verbose=False)
    model.fused = fused
    train = short_task[0][:40]
    # on the CPU, where the model stays: moved to a GPU its weights are new tensors, whose
    # derived weights are made again anyway (nothing stale to log)
    kwargs = dict(preprocessing=ONE_SECOND, epochs=2, chan_proj=chan_proj, device="cpu")
    cache = EmbeddingCache()
    before = train_probe(model, train, cache=cache, **kwargs)
    test = short_task[1][:8]
    before.predict_proba(test, device="cpu")  # the fast path's derived weights, of those before
    with torch.no_grad():
        for p in model.target_encoder.parameters():
            p.data.mul_(1.7)
    hashed = [0]

    def counting(m):
        hashed[0] += 1
        return hash_encoder(m)

    monkeypatch.setattr("eegpt.probe_encoder.encoder_fingerprint", counting)
    monkeypatch.setattr(fingerprints, "encoder_fingerprint", counting)
    with caplog.at_level("INFO", logger="eegpt"):
        after = train_probe(model, train, cache=cache, **kwargs)
    assert hashed[0] == 1
    assert "they were changed without a trace (through p.data" in caplog.text
    uncached = train_probe(model, train, cache=False, **kwargs)
    assert (
        after.encoder["weights_sha256"] == hash_encoder(model) != before.encoder["weights_sha256"]
    )
    head = [p.detach() for p in after.model.final_layer.parameters()]
    uncached_head = list(uncached.model.final_layer.parameters())
    assert all(torch.equal(a, b) for a, b in zip(head, uncached_head, strict=True))
    predicted = after.predict_proba(test, device="cpu")
    model.clear_fast_cache()  # derived again from the weights held now
    assert np.array_equal(predicted, after.predict_proba(test, device="cpu"))


def test_cache_is_bounded():
    cache = EmbeddingCache(max_bytes=1000)
    cache.put("a", np.zeros(200, np.float32))
    cache.put("b", np.zeros(200, np.float32))
    assert cache.get("a") is None and cache.get("b") is not None
    assert cache.nbytes == 800


# ------------------------------------------------------------------------------------ metrics


def test_metrics_binary_and_multiclass():
    m = probe_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], np.array(
        [[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]]
    ), ["a", "b"])  # fmt: skip
    assert m["accuracy"] == 0.75
    assert m["balanced_accuracy"] == 0.75
    assert m["cohen_kappa"] == pytest.approx(0.5)
    assert m["auroc"] == 1.0
    assert m["weighted_f1"] == pytest.approx((2 / 3 + 0.8) / 2)

    y = np.array([0, 1, 2, 2])
    proba = np.eye(3)[[0, 1, 2, 1]] * 0.8 + 0.2 / 3
    m = probe_metrics(y, proba.argmax(1), proba, [0, 1, 2])
    assert m["balanced_accuracy"] == pytest.approx((1 + 1 + 0.5) / 3)
    assert 0 < m["auroc"] <= 1
    with warnings.catch_warnings():  # scikit-learn notes that y_true has a single class
        warnings.simplefilter("ignore", UserWarning)
        assert np.isnan(probe_metrics([1, 1], [1, 0], np.full((2, 2), 0.5), [0, 1])["auroc"])
    assert "BAC 75.00%" in format_metrics(probe_metrics([0, 0, 1, 1], [0, 1, 1, 1]))


# ------------------------------------------------------------------------------------ save/load


def test_class_weight_none_means_unweighted_as_in_finetune(model, short_task):
    """ProbeConfig and train_probe take class_weight="none", finetune's word for weighting
    every epoch alike, as None (stored so); other values are refused naming both."""
    assert ProbeConfig(class_weight="none") == ProbeConfig() == ProbeConfig(class_weight=None)
    assert ProbeConfig(class_weight="none").class_weight is None
    with pytest.raises(ValueError, match=r"class_weight must be 'balanced', or None or 'none'"):
        ProbeConfig(class_weight="unweighted")
    probe = train_probe(model, short_task[0][:20], epochs=1, class_weight="none",
                        preprocessing=ONE_SECOND, verbose="error")  # fmt: skip
    assert probe.config.class_weight is None


def test_load_probe_resolves_the_device_as_embed(probe, model, tmp_path, monkeypatch):
    """load_probe's device goes through embed's resolve_device: DeviceUnavailableError (not
    torch's AssertionError) for a GPU PyTorch does not see, "auto", and "gpu" for "cuda"."""
    from eegpt.errors import DeviceUnavailableError

    folder = probe.save(tmp_path / "probe")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for device in ("cuda", "gpu"):
        with pytest.raises(DeviceUnavailableError, match="PyTorch sees no CUDA GPU"):
            load_probe(folder, model, device=device)
    loaded = load_probe(folder, model, device="auto")
    assert next(loaded.model.parameters()).device.type == "cpu"


def test_save_and_load(probe, task, weights, tmp_path, cache, monkeypatch):
    test = task[1]
    folder = probe.save(tmp_path / "probe")
    assert sorted(p.name for p in folder.iterdir()) == ["probe.json", "probe.safetensors"]
    meta = json.loads((folder / "probe.json").read_text())
    assert meta["encoder"]["path"] == str(weights)
    assert len(meta["encoder"]["sha256"]) == 64
    assert meta["encoder"]["weights_sha256"] == encoder_fingerprint(probe.model)
    assert meta["classes"] == ["standard", "target"]
    assert meta["preprocessing"]["window_seconds"] == 4.0
    assert len(meta["channels"]["encoder_names"]) == 19

    expected = probe.predict_proba(test, cache=cache)
    again = load_probe(folder)  # the encoder comes from the recorded checkpoint path
    np.testing.assert_allclose(again.predict_proba(test), expected, rtol=1e-5, atol=1e-6)
    assert isinstance(EEGPTProbe.load(folder, probe.model), EEGPTProbe)

    with pytest.raises(FileExistsError, match="overwrite"):
        probe.save(folder)
    probe.save(folder, overwrite=True)

    torch.manual_seed(1)
    other = EEGPT(SMALL).eval()
    with pytest.raises(EncoderMismatchError, match="trained on the encoder"):
        load_probe(folder, other)

    # The recorded encoder is gone (moved, another machine): the error says how to give it.
    meta["encoder"]["path"] = str(tmp_path / "moved" / "small")
    (folder / "probe.json").write_text(json.dumps(meta))
    with pytest.raises(FileNotFoundError, match=r"moved/small, which is not there.*--weights"):
        load_probe(folder)
    assert isinstance(load_probe(folder, weights), EEGPTProbe)
    # an anonymized copy names it by its last component: never looked up in the current
    # folder, where another file may have that name (it was, and failed reading it)
    meta["encoder"]["path"], meta["anonymized"] = "small", {"by": "eegpt"}
    (folder / "probe.json").write_text(json.dumps(meta))
    (tmp_path / "small").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        FileNotFoundError, match=r"anonymized copy.*\(small, weights SHA-256 .*--weights"
    ):
        load_probe(folder)
    import eegpt.checkpoints as checkpoints

    # fetched by a pretrained name, the encoder is found by that name on any machine
    meta["encoder"]["pretrained_name"] = "eegpt-large"
    (folder / "probe.json").write_text(json.dumps(meta))
    asked = []
    monkeypatch.setattr(checkpoints, "load_model", lambda p, **kw: asked.append(p) or probe.model)
    assert isinstance(load_probe(folder), EEGPTProbe) and asked == ["eegpt-large"]
    monkeypatch.undo()
    del meta["anonymized"], meta["encoder"]["pretrained_name"]
    meta["encoder"]["path"] = str(weights)
    (folder / "probe.json").write_text(json.dumps(meta))
    # a probe.json without average_reference, off by default when such files were written,
    # loads with it off (the default now is on)
    assert meta["preprocessing"]["average_reference"] is False
    del meta["preprocessing"]["average_reference"]
    (folder / "probe.json").write_text(json.dumps(meta))
    assert load_probe(folder, weights).preprocessing.average_reference is False


def test_a_single_channel_probe_needs_average_referencing_off(model):
    """Average referencing, the default, has no average of one channel: training refuses
    it (with or without a channel projection), saying how to turn it off; off, it trains."""
    x = np.random.default_rng(0).normal(0, 20, (8, 1, 256))
    y = [0, 1] * 4
    array = {"ch_names": ["Cz"], "sfreq": 256.0, "units": "uV"}
    advice = r"needs at least 2; got 1\..*PreprocessingConfig\(average_reference=False\)"
    for chan_proj in (False, True):
        with pytest.raises(RecordingError, match=advice):
            train_probe(model, x, y, preprocessing=ONE_SECOND, epochs=1, chan_proj=chan_proj,
                        **array)  # fmt: skip
    off = ONE_SECOND.updated(average_reference=False)
    probe = train_probe(model, x, y, preprocessing=off, epochs=1, **array)
    assert probe.predict_proba(x, **array).shape == (8, 2)


def test_training_and_predicting_refuse_a_masked_array_with_masked_samples(model):
    """train_probe and predict of a NumPy masked array of epochs dropped its mask without a
    word (np.asarray): the values under it were trained on. One with masked samples is
    refused as embed refuses one; one with none masked is taken as its values."""
    x = np.random.default_rng(0).normal(0, 20, (8, 2, 256))
    y = [0, 1] * 4
    array = {"ch_names": ["Cz", "Pz"], "sfreq": 256.0, "units": "uV"}
    masked = np.ma.masked_array(x.copy(), mask=np.zeros(x.shape, bool))
    masked[0, 1, 10:20] = np.ma.masked
    with pytest.raises(RecordingError, match=r"masked array with 10 of 4096 samples masked"):
        train_probe(model, masked, y, preprocessing=ONE_SECOND, epochs=1, **array)
    probe = train_probe(model, np.ma.masked_array(x), y, preprocessing=ONE_SECOND, epochs=1,
                        **array)  # fmt: skip
    with pytest.raises(RecordingError, match=r"masked array with 10 of 4096 samples masked"):
        probe.predict_proba(masked, **array)
    np.testing.assert_array_equal(
        probe.predict_proba(np.ma.masked_array(x, mask=False), **array),
        probe.predict_proba(x, **array),
    )


def test_checkpoint_provenance_is_an_absolute_path(weights, monkeypatch):
    """A probe (or an embedding file) records where its encoder came from; a path typed
    relative to the working folder is recorded absolute so that it holds from anywhere."""
    monkeypatch.chdir(weights.parent)
    info = load_model(weights.name, verbose=False).checkpoint_info
    assert info["path"] == str(weights) and Path(info["path"]).is_absolute()


def test_input_errors(model, task):
    train, _ = task
    with pytest.raises(ValueError, match=r"continuous.*tmax=4 - 1 / raw.info\['sfreq'\]"):
        train_probe(model, _raw(train), ["a"])
    with pytest.raises(ValueError, match=r"continuous.*tmax=2 - 1 / raw.info"):  # the window's
        train_probe(model, _raw(train), ["a"], preprocessing=PreprocessingConfig(window_seconds=2))
    with pytest.raises(ValueError, match="at least 2 classes"):
        train_probe(model, train, np.zeros(len(train)))
    with pytest.raises(ValueError, match="one label per epoch"):
        train_probe(model, train, np.zeros(3))
    # shorter epochs: padding or a shorter window, never cropping to the window; longer ones:
    # cropping (these 2 s epochs, tmax inclusive, are 8 patches and 2 samples: crop to 8 patches)
    with pytest.raises(ValueError, match=r"crop them to the 8 patches .* zero-pad them into a "
                       r"window of 9 patches.*window_seconds \(embed\(.*"
                       r"PreprocessingConfig\(window_seconds=\.\.\.\) for probes"):  # fmt: skip
        train_probe(model, train.copy().crop(0, 2))
    with pytest.raises(ValueError, match=r"Crop the epochs.*as long as the epochs"):
        train_probe(model, train, preprocessing=PreprocessingConfig(window_seconds=2))
    with pytest.raises(ValueError, match="unknown probe settings"):
        train_probe(model, train, learning_rate=1)
    with pytest.raises(TypeError, match=r"window_seconds is a preprocessing setting.*"
                       r"preprocessing=PreprocessingConfig\(window_seconds=30\)"):  # fmt: skip
        train_probe(model, train, window_seconds=30)
    with pytest.raises(ValueError, match="vocabulary"):
        ProbeConfig(target_channels=("XYZ",))
    one_each = train[[int(np.flatnonzero(epochs_labels(train) == c)[0]) for c in ("standard",
                                                                                   "target")]]  # fmt: skip
    with pytest.raises(ValueError, match=r"fraction of 0.2 holds out no epochs: each class has "
                       r"a single epoch \(2 in all\); train without validation"):  # fmt: skip
        train_probe(model, one_each, validation=0.2)


def test_array_arguments_are_refused_for_inputs_that_carry_their_own(model, probe, task, tmp_path):
    """ch_names, sfreq and units describe an array; given for epochs, a file or a Raw, which
    carry their own, train_probe, finetune and a probe's predictions refuse them as embed
    does (they were ignored), while arrays of validation data beside epochs still take them."""
    from eegpt.finetune import finetune

    train, test = task
    names = list(train.ch_names)
    refused = r"<Epochs>: ch_names and sfreq apply to array input only"
    with pytest.raises(RecordingError, match=refused):
        train_probe(model, train, epochs=1, sfreq=500, ch_names=names)
    with pytest.raises(RecordingError, match=r"<Epochs>: units='uV' applies to array input"):
        train_probe(model, train, epochs=1, units="uV")
    with pytest.raises(RecordingError, match=r"<Epochs>: sfreq applies to array input only"):
        finetune(model, train, epochs=1, sfreq=256)
    with pytest.raises(RecordingError, match=r"<Epochs>: units='mV' applies to array input"):
        probe.predict_proba(test, units="mV")
    with pytest.raises(RecordingError, match=r"<Epochs>: ch_names applies to array input"):
        probe.predict(test, ch_names=names)
    with pytest.raises(RecordingError, match=r"<Raw>: sfreq applies to array input only"):
        probe.windows(_raw(test), sfreq=256)
    path = tmp_path / "test-epo.fif"
    test.save(path, verbose=False)
    with pytest.raises(RecordingError, match=r"test-epo.fif: sfreq applies to array input"):
        probe.predict(path, sfreq=256)
    with pytest.raises(RecordingError, match=r"list of 2 epochs inputs: sfreq applies to"):
        probe.predict([test[:5], test[5:]], sfreq=256)
    # epochs to train on, an array to validate on: the array's names and rate
    x_val, y_val = test.get_data(), epochs_labels(test)
    trained = train_probe(model, train[:40], epochs=1, validation=(x_val, y_val),
                          ch_names=names, sfreq=test.info["sfreq"], verbose="error")  # fmt: skip
    assert trained.training["validation"]["kind"] == "held-out data"


def test_a_probe_takes_epochs_of_its_window_as_resampled(model):
    """0.7 s epochs at 250 Hz (175 samples) become 180 samples at 256 Hz: a probe trained
    on them with 0.703125 s (180/256 s) windows predicts on them too; other lengths are
    refused as before."""
    epochs = synthetic_erp_epochs(20, seconds=0.7, tmin=-0.1, seed=2)
    assert len(epochs.times) == 175
    probe = train_probe(model, epochs, preprocessing=PreprocessingConfig(window_seconds=0.703125),
                        epochs=1)  # fmt: skip
    assert len(probe.predict(epochs)) == 20
    with pytest.raises(RecordingError, match=r"epochs last 0\.6960 s, but this probe takes "
                       r"0\.703125 s epochs .* cut longer ones"):  # fmt: skip
        probe.predict(epochs.copy().crop(tmax=epochs.tmax - 1 / 250))


def test_a_probe_takes_epochs_just_over_its_window_where_none_resample_to_it(model):
    """4 s epochs resampled to 100.7 Hz have 403 samples, 1025 at 256 Hz (402 give 1022):
    no length gives the window's 1024, so the epochs are cropped to it after resampling,
    as a stream's windows are at that rate; a probe trained on them predicts on them (it
    refused them as too long, advising a crop back to 403 samples)."""
    epochs = synthetic_erp_epochs(20, seconds=4.0, tmin=0.0, seed=2).resample(100.7)
    assert len(epochs.times) == 403
    probe = train_probe(model, epochs, epochs=1, verbose="error")
    assert len(probe.predict(epochs)) == 20
    with pytest.raises(RecordingError, match=r"epochs last 3\.9921 s, but this probe takes 4 s"):
        probe.predict(epochs.copy().crop(tmax=epochs.tmax - 1 / 100.7))  # 402: short


def test_stratified_split_holds_out_and_trains_on_every_class_it_can():
    y = np.array([0] * 10 + [1] * 2 + [2])
    tr, va = stratified_split(y, 0.2, seed=0)
    assert sorted(y[va].tolist()) == [0, 0, 1]  # 2 of 10, 1 of 2, none of the single one
    assert sorted(y[tr].tolist()) == [0] * 8 + [1, 2]
    _, va = stratified_split(y, 0.9, seed=0)
    assert sorted(y[va].tolist()) == [0] * 9 + [1]  # one of each class stays in training
    with pytest.raises(ValueError, match="holds out no epochs"):
        stratified_split(np.array([0, 1, 2]), 0.6, seed=0)


def test_group_split_the_seed_chooses_among_close_groupings_keeping_classes_in_training():
    """group_split's seed chooses among groupings about as close to the fraction as the
    groups allow (not just ties): uneven groups, different seeds hold out different groups,
    the same seed the same; every class keeps training epochs, and a group holding a class's
    only epochs stays in training."""
    from eegpt.training import GROUP_SPLIT_TOLERANCE, group_split

    groups = np.repeat([f"s{k}" for k in range(5)], [10, 12, 14, 16, 18])
    y = np.arange(len(groups)) % 2
    held = {s: group_split(y, groups, 0.3, seed=s) for s in range(10)}
    assert len({tuple(h[2]) for h in held.values()}) >= 2
    for s, (tr, va, held_out, n) in held.items():
        assert group_split(y, groups, 0.3, seed=s)[2] == held_out and n == 5
        assert set(y[tr]) == {0, 1} and set(y[va]) == {0, 1}
        assert abs(len(va) / len(y) - 0.3) <= 0.015 + GROUP_SPLIT_TOLERANCE  # best: 22/70
    three = np.repeat(["r1", "r2", "r3"], 15)  # the review's case: 3 like recordings
    assert len({tuple(group_split(np.arange(45) % 3, three, 0.3, s)[2]) for s in range(6)}) > 1
    y = np.zeros(len(groups), dtype=np.int64)
    y[groups == "s4"] = 1  # class 1 only in s4: it is never held out
    for s in range(10):
        tr, va, held_out, _ = group_split(y, groups, 0.3, seed=s)
        assert "s4" not in held_out and set(y[tr]) == {0, 1}


def test_a_probe_keeps_the_renames_it_was_trained_with(model, short_task, tmp_path):
    """Channels named by hand in training (a bipolar label kept as Pz) are named the same way
    in prediction and evaluation, after saving too, unless the caller gives renames."""
    train, test = short_task
    labels = {"Pz": "EEG Pz-Oz", "Cz": "EEG Fpz-Cz"}  # labels that do not map on their own
    rename = {new: old for old, new in labels.items()}
    train, test = train.copy().rename_channels(labels), test.copy().rename_channels(labels)
    config = dict(epochs=2, preprocessing=ONE_SECOND)
    probe = train_probe(model, train, rename=rename, **config)
    assert probe.rename == rename
    direct = probe.predict_proba(test, rename=rename)
    np.testing.assert_array_equal(probe.predict_proba(test), direct)
    probe.save(tmp_path / "probe")
    back = load_probe(tmp_path / "probe", model)
    assert back.rename == rename
    np.testing.assert_allclose(back.predict_proba(test), direct, rtol=1e-6)
    assert back.evaluate(test)["accuracy"] == probe.evaluate(test, rename=rename)["accuracy"]
    # data without those channels' odd labels: the stored renames name nothing there, quietly
    plain = test.copy().rename_channels(rename)
    np.testing.assert_allclose(back.predict_proba(plain), direct, rtol=1e-6)
    with pytest.raises(ValueError, match="missing here"):  # the caller's renames win
        back.predict_proba(test, rename={"EEG Fpz-Cz": "Cz"})
    # a table file: its entries are kept, so the probe predicts after the file is gone
    table = tmp_path / "lab.tsv"
    table.write_text("".join(f"{old}\t{new}\n" for old, new in rename.items()))
    from_file = train_probe(model, train, rename=str(table), **config)
    table.unlink()
    assert from_file.rename == rename
    np.testing.assert_allclose(from_file.predict_proba(test), direct, rtol=1e-6)


def _with_extra_channels(epochs: mne.BaseEpochs, names: list[str], seed: int) -> mne.EpochsArray:
    """``epochs`` with more EEG channels of noise after its own (a 64-channel cap's others)."""
    rng = np.random.default_rng(seed)
    data = epochs.get_data()
    noise = rng.normal(0, 10e-6, (len(data), len(names), data.shape[-1]))
    info = mne.create_info([*epochs.ch_names, *names], epochs.info["sfreq"], "eeg")
    return mne.EpochsArray(np.concatenate([data, noise], axis=1), info, epochs.events,
                           epochs.tmin, epochs.event_id, verbose=False)  # fmt: skip


def test_a_probe_trained_with_keep_predicts_on_the_channels_it_was_trained_on(
    model, short_task, tmp_path
):
    """keep= restricts the probe's channels in training (the 19 of 10-20 out of a wider cap)
    and is recorded: saved and loaded, prediction on the wide data uses those 19 channels
    (with the average reference over them) without a warning for the others, and so equals
    the probe trained and predicting on the 19 channels alone. A keep given to predict must
    keep them all; a channel projection takes no keep."""
    train, test = short_task
    extra = ["Oz", "FC1", "CP2"]
    wide_train, wide_test = (
        _with_extra_channels(train, extra, 0),
        _with_extra_channels(test, extra, 1),
    )
    config = dict(epochs=2, preprocessing=ONE_SECOND)
    probe = train_probe(model, wide_train, keep="10-20", **config)
    assert probe.keep == ["10-20"] and len(probe.input_names) == 19
    assert not set(probe.input_names) & {"OZ", "FC1", "CP2"}
    narrow = train_probe(model, train, **config)
    expected = narrow.predict_proba(test)
    np.testing.assert_allclose(probe.predict_proba(wide_test), expected, rtol=1e-5, atol=1e-7)
    probe.save(tmp_path / "probe")
    back = load_probe(tmp_path / "probe", model)
    assert back.keep == ["10-20"]
    assert "(kept: --keep-channels 10-20" in describe_probe(tmp_path / "probe")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*are not used")
        got = back.predict_proba(wide_test)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    with pytest.warns(RuntimeWarning, match=r"\['Oz'\] are not used"):  # kept, but not trained on
        wider = back.predict_proba(wide_test, keep="10-20,Oz")
    np.testing.assert_allclose(wider, got, rtol=1e-6)
    with pytest.raises(
        ValueError, match=r"keep=\['C3', 'C4'\] \(--keep-channels\) leaves out FP1, FP2"
    ):
        back.predict_proba(wide_test, keep=["C3", "C4"])
    with pytest.raises(ValueError, match="channel projection"):
        train_probe(model, wide_train, keep="10-20", chan_proj=True, **config)


def test_probe_commands_take_keep_channels(weights, short_task, tmp_path, capsys):
    """probe train --keep-channels records it; predict applies it (no warning for the other
    channels) and refuses a --keep-channels that leaves out a channel it was trained on."""
    path = tmp_path / "wide-epo.fif"
    _with_extra_channels(short_task[1], ["Oz", "FC1"], 2).save(path, verbose=False)
    out = tmp_path / "probe"
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out), "-q",
                       "--passes", "2", "--window", "1", "--keep-channels", "10-20"]) == 0  # fmt: skip
    assert json.loads((out / "probe.json").read_text())["channels"]["keep"] == ["10-20"]
    capsys.readouterr()
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(path), "-o", str(pred), "-q"]) == 0
    assert "are not used" not in capsys.readouterr().err
    assert probe_main(["predict", str(out), str(path), "-o", str(pred), "--overwrite",
                       "--keep-channels", "C3,C4"]) == 1  # fmt: skip
    assert "leaves out" in capsys.readouterr().err
    assert probe_main(["evaluate", str(out), str(path), "-q", "--keep-channels", "10-20"]) == 0


def test_a_missing_channel_is_added_or_left_out_and_a_misspelt_one_renamed(model, short_task):
    """A channel the data lack: add it (interpolated) or train the probe without it, not a
    rename that cannot help; a rename only when a channel of the data was dropped as unknown
    (a misspelling), which is named; a long list of missing channels shortened."""
    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    with pytest.raises(ValueError, match=r"\['C3'\] are missing here") as err:
        probe.predict(test.copy().drop_channels(["C3"]))
    text = str(err.value)
    assert ": add it to the data" in text and "inst.interpolate_bads()" in text
    assert "train the probe without it (rename={'C3': None}; command line: --drop C3" in text
    assert "rename={...}" not in text and "--rename" not in text
    with pytest.warns(RuntimeWarning, match="Cx3"):  # dropped as unknown
        with pytest.raises(ValueError, match=r"\['C3'\] are missing here") as err:
            probe.predict(test.copy().rename_channels({"C3": "Cx3"}))
    text = str(err.value)
    assert "channel Cx3 matches no EEGPT channel name and was dropped" in text
    assert "rename={'Cx3': 'C3'} (command line: --rename Cx3=C3); otherwise: add it to the" in text
    # channels dropped that are other signals (TUH's EKG1, PHOTIC-REF) are no rename candidates
    other = test.copy().drop_channels(["C3"]).add_channels(
        [test.copy().pick(["C4"]).rename_channels({"C4": "EKG1"}),
         test.copy().pick(["Cz"]).rename_channels({"Cz": "PHOTIC-REF"})]
    )  # fmt: skip
    with pytest.warns(RuntimeWarning, match="EKG1"):
        with pytest.raises(ValueError, match=r"\['C3'\] are missing here") as err:
            probe.predict(other)
    text = str(err.value)
    assert "EKG1 is" not in text and "--rename" not in text and ": add it to the data" in text
    with pytest.raises(ValueError, match="16 of them are missing here") as err:
        probe.predict(test.copy().pick(["Fp1", "Fp2", "Cz"]))
    text = str(err.value)
    # named as the training data name them (Fz, not the vocabulary's FZ), as --drop takes them
    assert "(F7, F3, Fz, F4, F8, T7, C3, C4 and 8 more; found 3 channels: Fp1, Fp2, Cz)" in text
    assert "O2" not in text and "FZ" not in text
    assert "rename={'F7': None, 'F3': None, 'Fz': None, 'F4': None, 'F8': None, ...}" in text
    assert "command line: --drop F7 --drop F3 --drop Fz --drop F4 --drop F8 and 11 more" in text


def test_event_names_that_are_not_the_classes_say_where_labels_come_from(model, short_task):
    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    other = test.copy()
    other.event_id = {"T1": 1, "T2": 2}
    with pytest.raises(ValueError, match=r"without y, the labels are the epochs' event names"):
        probe.evaluate(other)
    with pytest.raises(ValueError, match=r"epochs.event_id = \{'standard': CODE, 'target': CODE"):
        probe.evaluate(other)
    with pytest.raises(ValueError, match=r"classes \['standard', 'target'\]$"):  # y given
        probe.evaluate(other, ["x"] * len(other))


@pytest.mark.parametrize("chan_proj", [False, True])
def test_two_channels_warn_of_the_reference_in_training_only(model, short_task, chan_proj):
    """Average referencing of 2 channels is warned of when the probe is trained, where it can
    be turned off; not at every prediction, where the trained preprocessing is fixed."""
    two = short_task[0][:16].copy().pick(short_task[0].ch_names[:2])
    with pytest.warns(RuntimeWarning, match="of 2 channels"):
        probe = train_probe(
            model, two, preprocessing=ONE_SECOND, chan_proj=chan_proj, epochs=1, cache=False
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe.predict(two)
    assert not any("of 2 channels" in str(w.message) for w in caught)


def test_predict_input_problems_are_named(probe, task):
    _, test = task
    with pytest.raises(ValueError, match=r"this probe takes 4 s epochs.*cut longer ones.*"
                       r"tmax=4 - 1 / raw\.info\['sfreq'\]"):  # fmt: skip
        probe.predict(test.copy().crop(0, 2))
    x = test.get_data()
    longer = mne.EpochsArray(np.concatenate([x, x[..., : x.shape[-1] // 4]], -1), test.info)
    with pytest.raises(ValueError, match=r"this probe takes 4 s epochs.*crop them, e.g. "
                       r"epochs.crop\(epochs.tmin, epochs.tmin \+ 4 - 1 / epochs.info\['sfreq'\]\)"):  # fmt: skip
        probe.predict(longer)
    extra = test.copy().add_channels([_constant_channel(test, "Oz")], force_update_info=True)
    with pytest.warns(RuntimeWarning, match=r"\['Oz'\] are not used: the probe was trained"):
        probe.predict(extra)
    # an array of the wrong rank: a RecordingError, as embed's
    x2 = test.get_data()[0]
    with pytest.raises(RecordingError, match=r"<array>: epochs arrays must be \[n_epochs, "
                       r"n_channels, n_times\], got shape .*mne\.io\.RawArray"):  # fmt: skip
        probe.predict(x2, ch_names=test.ch_names, sfreq=test.info["sfreq"])
    with pytest.raises(RecordingError, match="needs its channel names and sampling rate"):
        probe.predict(x2[None])


def test_embeddings_given_for_epochs_name_the_scikit_learn_recipe(model, probe):
    """train_probe runs the encoder on EEG epochs: precomputed embeddings (an Embeddings or
    its data [n, N, S, D]) are refused with the recipe for them, not numpy's or a shape error."""
    from eegpt.outputs import Embeddings

    emb = Embeddings(np.zeros((6, 1, 4, 64), np.float32), np.arange(6.0))
    y = ["a", "b"] * 3
    recipe = r"LogisticRegression\(max_iter=1000\)\.fit\(emb\.pooled\(\), y\)"
    with pytest.raises(TypeError, match=r"train_probe takes EEG epochs .* but got Embeddings "
                       r"\(EEGPT embeddings, computed already\)\. .*" + recipe):  # fmt: skip
        train_probe(model, emb, y)
    with pytest.raises(TypeError, match=r"got a 4-D array of shape \(6, 1, 4, 64\): EEGPT "
                       r"embeddings \[n, N, S, D\].*load_embeddings\(path\)\.pooled\(\)"):  # fmt: skip
        train_probe(model, emb.data, y, ch_names=["Cz"], sfreq=256.0)
    # a probe's predictions take embeddings made as its training data were: not these
    with pytest.raises(ValueError, match=r"the embeddings are \(6, 1, 4, 64\), but this probe "
                       r"takes \[n, 16, 4, 64\] .*probe.online"):  # fmt: skip
        probe.predict(emb)


def test_predictions_of_a_continuous_recording_are_per_consecutive_window(
    model, short_task, tmp_path, capsys
):
    """predict takes a recording as it is (no labels needed): consecutive windows of the
    probe's length, as mne.make_fixed_length_epochs cuts them, each with its onset."""
    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    raw, _, _ = synthetic_erp_raw(4, sfreq=256.0, seed=3)  # the model's rate: no resampling
    n = int(raw.times[-1] + 1 / 256.0)  # whole seconds; the rest is left out
    cut = mne.make_fixed_length_epochs(raw, duration=1.0, preload=True, verbose=False)
    assert len(cut) == n
    proba = probe.predict_proba(raw)
    np.testing.assert_allclose(proba, probe.predict_proba(cut), atol=1e-5)
    assert probe.predict(raw).tolist() == probe.predict(cut).tolist()
    np.testing.assert_allclose(probe.window_onsets(n), np.arange(n) * 1.0)
    short = raw.copy().crop(tmax=0.5)  # shorter than the probe's window, which is its own
    with pytest.raises(RecordingError, match=r"shorter than one window of the probe \(1 s, "
                       r"the length it was trained on"):  # fmt: skip
        probe.predict(short)
    projected = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1, chan_proj=True)
    np.testing.assert_allclose(
        projected.predict_proba(raw), projected.predict_proba(cut), atol=1e-5
    )
    described = describe_probe(projected.save(tmp_path / "projected"))
    assert (
        f"channel projection: the {len(train.ch_names)} input channels mixed into the "
        f"encoder's {len(projected.encoder_names)}: " in described
    )
    # evaluation needs labelled epochs: the message names the one-liner with the window
    with pytest.raises(ValueError, match=r"training and evaluating a probe need epochs.*"
                       r"mne.make_fixed_length_epochs\(raw, duration=1, preload=True\)"):  # fmt: skip
        probe.evaluate(raw, ["standard"] * n)
    with pytest.raises(ValueError, match=r"mne.make_fixed_length_epochs\(raw, duration=4"):
        train_probe(model, raw, ["standard"] * n)

    # the command line: one row per window, with its onset, beside the rows of epochs files
    folder = probe.save(tmp_path / "probe")
    recording, epochs_file = tmp_path / "night_raw.fif", tmp_path / "test-epo.fif"
    raw.save(recording, verbose=False)
    test[:3].save(epochs_file, verbose=False)
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(folder), str(recording), str(epochs_file), "-o", str(out),
                       "-q"]) == 0  # fmt: skip
    rows = list(csv.DictReader(out.open()))
    # test[:3]'s epoch numbers (epochs.selection) are not 0, 1, 2: a position column follows
    assert list(rows[0]) == ["file", "epoch", "position", "onset_s", "clock_s", "prediction",
                             "label", "p_standard", "p_target", "bad"]  # fmt: skip
    assert [r["position"] for r in rows] == [""] * n + ["0", "1", "2"]
    assert [r["file"] for r in rows] == [str(recording)] * n + [str(epochs_file)] * 3
    assert [r["bad"] for r in rows] == ["False"] * n + [""] * 3  # no bad annotation; epochs
    assert [int(r["epoch"]) for r in rows[:n]] == list(range(n))
    np.testing.assert_allclose([float(r["onset_s"]) for r in rows[:n]], np.arange(n))
    assert [r["prediction"] for r in rows[:n]] == probe.predict(raw).tolist()
    assert {r["label"] for r in rows[:n]} == {""}
    assert [r["label"] for r in rows[n:]] == list(epochs_labels(test[:3]))
    # a file given twice (here once through a link) gives its rows once, with a warning
    link = tmp_path / "again-epo.fif"
    link.symlink_to(epochs_file)
    with pytest.warns(RuntimeWarning, match=r"given more than once.*read once"):
        assert probe_main(["predict", str(folder), str(epochs_file), str(link), str(recording),
                           str(recording), "-o", str(out), "-q", "--overwrite"]) == 0  # fmt: skip
    again = list(csv.DictReader(out.open()))
    assert [r["file"] for r in again] == [str(epochs_file)] * 3 + [str(recording)] * n
    # --label-column names a column of epochs' metadata, which a continuous recording lacks:
    # refused, not left blank without a word
    capsys.readouterr()
    assert probe_main(["predict", str(folder), str(recording), "--label-column", "condition",
                       "-q"]) == 1  # fmt: skip
    assert "--label-column 'condition': continuous recordings have no epochs metadata" in (
        capsys.readouterr().err
    )
    assert probe_main(["evaluate", str(folder), str(recording), "-q"]) == 1
    err = capsys.readouterr().err
    assert "not epochs; training and evaluating a probe take labelled epochs" in err
    assert "make_fixed_length_epochs(raw, duration=WINDOW)" in err


def _cut_by_hand(raw: mne.io.BaseRaw, onsets: np.ndarray, seconds: float) -> mne.Epochs:
    """Epochs of ``seconds`` starting at ``onsets`` (s from the first sample) of ``raw``."""
    sfreq = raw.info["sfreq"]
    starts = raw.first_samp + np.round(np.asarray(onsets) * sfreq).astype(int)
    events = np.column_stack([starts, np.zeros_like(starts), np.ones_like(starts)])
    return mne.Epochs(raw, events, tmin=0, tmax=(round(seconds * sfreq) - 1) / sfreq,
                      baseline=None, preload=True, reject_by_annotation=False,
                      verbose=False)  # fmt: skip


def test_predictions_of_overlapping_windows_of_a_recording(model, short_task):
    """predict_proba(raw, overlap=...) cuts sliding windows a hop apart, the probabilities of
    the same stretches cut by hand as epochs; window_onsets steps by the hop. Without it the
    windows stay consecutive, also where the probe's preprocessing holds an overlap (which
    was silently ignored: now said); an overlap that does not fit the windows is refused."""
    train, _ = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    raw, _, _ = synthetic_erp_raw(4, sfreq=256.0, seed=3)  # 20.04 s at the model's rate
    consecutive = probe.predict_proba(raw)
    assert len(consecutive) == 20
    proba = probe.predict_proba(raw, overlap=0.75)  # 1 s windows every 0.25 s
    assert proba.shape == (77, 2)
    onsets = probe.window_onsets(len(proba), overlap=0.75)
    np.testing.assert_allclose(onsets, np.arange(77) * 0.25)
    np.testing.assert_allclose(probe.window_onsets(3), [0.0, 1.0, 2.0])  # default: no overlap
    np.testing.assert_allclose(proba, probe.predict_proba(_cut_by_hand(raw, onsets, 1.0)),
                               atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(proba[::4], consecutive, atol=1e-6)
    assert probe.predict(raw, overlap=0.75).tolist() == probe.classes_[proba.argmax(1)].tolist()
    # from a start: onsets start + k * hop
    started = copy.copy(probe)
    started.preprocessing = dataclasses.replace(probe.preprocessing, start_seconds=0.5)
    later = started.predict_proba(raw, overlap=0.5)
    np.testing.assert_allclose(started.window_onsets(len(later), overlap=0.5),
                               0.5 + np.arange(len(later)) * 0.5)  # fmt: skip
    np.testing.assert_allclose(later, proba[2::2][: len(later)], atol=1e-6)
    # a start past the end (or less than a window before it): quoted as given, and where the
    # windows would start, not as moved alone (start_seconds=20.3008)
    for at, tail, error in [(20.3, "pad", StartPastEndError), (19.3, "drop", RecordingError)]:
        late = copy.copy(probe)
        late.preprocessing = dataclasses.replace(probe.preprocessing, start_seconds=at, tail=tail)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the note of the move
            with pytest.raises(error) as caught:
                late.predict_proba(raw)
        assert (
            f"(start_seconds={at:g}, moved to the nearest 256 Hz sample, "
            f"{at + 0.00078125:.10g} s; command line: --start {at:g})" in str(caught.value)
        )
    # an overlap in the probe's preprocessing is not applied: said, the windows consecutive
    recorded = copy.copy(probe)
    recorded.preprocessing = dataclasses.replace(probe.preprocessing, overlap=0.75)
    with pytest.warns(RuntimeWarning, match=r"preprocessing has overlap=0.75 s, which "
                      r"predictions do not apply.*Pass overlap=0.75"):  # fmt: skip
        assert len(recorded.predict_proba(raw)) == 20
    with pytest.raises(ValueError, match=r"overlap=0.3 \(--overlap\) does not fit the probe's "
                       r"1 s windows: .*overlap 0.30078125 s"):  # fmt: skip
        probe.predict_proba(raw, overlap=0.3)
    with pytest.raises(ValueError, match=r"overlap=1.0 \(--overlap\) does not fit"):
        probe.window_onsets(3, overlap=1.0)


def test_probe_predict_overlap_gives_sliding_window_rows(model, short_task, tmp_path, capsys):
    """probe predict --overlap: a row per sliding window of a continuous recording (256 Hz:
    no resampling), its probabilities those of predict_proba on the same stretches cut by
    hand, onset_s and clock_time a hop apart, bad flags and --reject-by-annotation per
    window; --epoch-seconds weighs the overlapping windows by their seconds in each epoch;
    an --overlap that does not fit the windows, or given for epochs only, is refused."""
    import datetime

    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    folder = probe.save(tmp_path / "probe")
    raw, _, _ = synthetic_erp_raw(4, sfreq=256.0, seed=3)  # 20.04 s: 77 windows 0.25 s apart
    raw.set_meas_date(datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc))
    raw.set_annotations(mne.Annotations([5.1], [0.2], ["BAD_muscle"]))
    recording = tmp_path / "session_raw.fif"
    raw.save(recording, verbose=False)
    out = tmp_path / "sliding.csv"
    assert probe_main(["predict", str(folder), str(recording), "--overlap", "0.75", "-o",
                       str(out), "-q"]) == 0  # fmt: skip
    rows = pd.read_csv(out)
    assert len(rows) == 77 and rows["epoch"].tolist() == list(range(77))
    onsets = np.arange(77) * 0.25
    np.testing.assert_allclose(rows["onset_s"], onsets)
    assert rows["clock_time"].tolist()[:3] == ["2026-03-01T12:00:00.000000",
                                               "2026-03-01T12:00:00.250000",
                                               "2026-03-01T12:00:00.500000"]  # fmt: skip
    by_hand = probe.predict_proba(_cut_by_hand(raw, onsets, 1.0))
    np.testing.assert_allclose(rows[["p_standard", "p_target"]], by_hand, atol=1e-6)
    # the windows over [5.1, 5.3) s: those from 4.25 s to 5.25 s
    bad = np.flatnonzero(rows["bad"].to_numpy())
    np.testing.assert_allclose(onsets[bad], [4.25, 4.5, 4.75, 5.0, 5.25])
    assert f"{recording}: 5 of 77 windows overlap annotations marked bad" in capsys.readouterr().err
    kept = tmp_path / "kept.csv"
    assert probe_main(["predict", str(folder), str(recording), "--overlap", "0.75", "-o",
                       str(kept), "-q", "--reject-by-annotation"]) == 0  # fmt: skip
    assert pd.read_csv(kept)["epoch"].tolist() == [k for k in range(77) if k not in bad]
    # scoring epochs of 2 s from overlapping windows: each window weighted by its seconds
    # in the epoch (a window from 1.25 s counts 0.75 s in [0, 2), 0.25 s in [2, 4))
    scored = tmp_path / "scored.csv"
    assert probe_main(["predict", str(folder), str(recording), "--overlap", "0.75", "-o",
                       str(scored), "-q", "--epoch-seconds", "2"]) == 0  # fmt: skip
    e = pd.read_csv(scored)
    assert len(e) == 10 and e["covered_s"].tolist() == [2.0] * 10
    p = rows[["p_standard", "p_target"]].to_numpy()
    weights = []
    for k in range(10):
        weight = np.clip(np.minimum(onsets + 1, 2 * k + 2) - np.maximum(onsets, 2 * k), 0, None)
        expected = (weight[:, None] * p).sum(0) / weight.sum()
        np.testing.assert_allclose(e.loc[k, ["p_standard", "p_target"]], expected, atol=1e-6)
        weights.append(weight.sum())
    # each moment of an epoch lies in 4 windows: 8 window-seconds in 2 s (the last epoch ends
    # with the last window, from 19 s: fewer), where consecutive windows gave 2
    assert weights[1:9] == [8.0] * 8 and weights[9] == 6.5
    # refused: an overlap no hop of whole samples at 256 Hz fits, one of the whole window,
    # and one for epochs alone (one window each)
    epochs_file = tmp_path / "few-epo.fif"
    test[:3].save(epochs_file, verbose=False)
    for args, said in (
        (["--overlap", "0.3", str(recording)], "overlap=0.3 (--overlap) does not fit the probe's 1 s"),
        (["--overlap", "1", str(recording)], "overlap must satisfy 0 <= overlap < window_seconds"),
        (["--overlap", "0.5", str(epochs_file)], "--overlap 0.5 cuts continuous recordings into "
         f"overlapping windows; {epochs_file} holds epochs"),
    ):  # fmt: skip
        assert probe_main(["predict", str(folder), *args, "-q"]) == 1
        assert said in capsys.readouterr().err


def test_probe_predict_events_merge_windows_of_a_class(model, short_task, tmp_path, capsys):
    """probe predict --events: the windows predicted as the event classes (default: all but
    the most frequent training class) merged into events, as windows_to_events gives them
    from the window table (--overlap: each window the hop around its centre), with their
    provenance; --event-class, --min-event-seconds; refused for epochs and without --events."""
    import json

    from eegpt.probe_events import windows_to_events

    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    folder = probe.save(tmp_path / "probe")
    raw, _, _ = synthetic_erp_raw(4, sfreq=256.0, seed=3)
    raw.set_annotations(mne.Annotations([5.1], [0.2], ["BAD_muscle"]))
    recording = tmp_path / "session_raw.fif"
    raw.save(recording, verbose=False)
    out, events = tmp_path / "windows.csv", tmp_path / "events.csv"
    assert probe_main(["predict", str(folder), str(recording), "--overlap", "0.75", "-o",
                       str(out), "--events", str(events), "-q"]) == 0  # fmt: skip
    counts = probe.training["class_counts"]["train"]
    background = max(counts, key=counts.__getitem__)
    (wanted,) = [c for c in probe.classes_.tolist() if c != background]
    windows, got = pd.read_csv(out), pd.read_csv(events)
    expected = windows_to_events(windows, 1.0, hop_seconds=0.25, classes=[wanted])
    assert len(got) == len(expected) and set(got["class"]) <= {wanted}
    sidecar = json.loads((tmp_path / "events.csv.json").read_text())
    assert sidecar["provenance"]["events"]["classes"] == [wanted]
    assert sidecar["provenance"]["events"]["hop_seconds"] == 0.25
    # both classes: every window not bad in one event (this probe may predict one class)
    assert probe_main(["predict", str(folder), str(recording), "--overlap", "0.75", "--events",
                       str(events), "--event-class", *probe.classes_.tolist(), "-q",
                       "--overwrite"]) == 0  # fmt: skip
    got = pd.read_csv(events)
    expected = windows_to_events(windows, 1.0, hop_seconds=0.25)
    assert got["n_windows"].sum() == (~windows["bad"]).sum() == 72
    assert got["class"].tolist() == expected["class"].tolist()
    np.testing.assert_allclose(got[["onset_s", "offset_s", "duration_s"]],
                               expected[["onset_s", "offset_s", "duration_s"]], atol=1e-6)  # fmt: skip
    assert got["n_windows"].tolist() == expected["n_windows"].tolist()
    np.testing.assert_allclose(got["duration_s"], got["n_windows"] * 0.25, atol=1e-6)
    # an event's windows all predicted as its class, none bad; onset the hop around a centre
    for _, e in got.iterrows():
        first = e["onset_s"] - 0.375
        inside = windows[(windows["onset_s"] >= first - 1e-6)
                         & (windows["onset_s"] < first + e["duration_s"] - 1e-6)]  # fmt: skip
        assert len(inside) == e["n_windows"]
        assert not inside["bad"].any() and (inside["prediction"] == e["class"]).all()
    # --min-event-seconds drops the shorter ones; --event-class names the classes
    longer = tmp_path / "longer.csv"
    assert probe_main(["predict", str(folder), str(recording), "--overlap", "0.75", "--events",
                       str(longer), "--min-event-seconds", "1", "--event-class", wanted,
                       background, "-q"]) == 0  # fmt: skip
    kept = pd.read_csv(longer)
    assert (kept["duration_s"] >= 1 - 1e-6).all() and set(kept["class"]) <= {wanted, background}
    assert len(kept) == (got["duration_s"] >= 1 - 1e-6).sum()
    # labelled windows: the scored events compared on stderr
    capsys.readouterr()
    raw.set_annotations(mne.Annotations([5.1, 10.0], [0.2, 4.0], ["BAD_muscle", "standard"]))
    scored = tmp_path / "scored_raw.fif"
    raw.save(scored, verbose=False)
    assert probe_main(["predict", str(folder), str(scored), "--overlap", "0.75", "--events",
                       str(tmp_path / "s.csv"), "--window-labels", "standard", "--event-class",
                       "standard", "-q"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "events against the scored labels (0.01 h of windows):" in err
    assert "  standard: 1 scored event, " in err
    assert "    OVLP: sensitivity " in err and "    TAES: sensitivity " in err
    assert " false alarm" in err and " per 24 h)" in err
    epochs_file = tmp_path / "few-epo.fif"
    test[:3].save(epochs_file, verbose=False)
    for args, said in (
        ([str(epochs_file), "--events", str(tmp_path / "e.csv")], "--events merges the windows "
         f"of continuous recordings into events; {epochs_file} holds epochs"),
        ([str(recording), "--min-event-seconds", "2"], "--min-event-seconds says which events "
         "--events writes: give --events FILE too"),
        ([str(recording), "--events", str(events)], f"{events} exists; pass --overwrite"),
        ([str(recording), "--events", str(tmp_path / "e.csv"), "--event-class", "seizure"],
         "--event-class seizure: not a class of the probe"),
        ([str(recording), "--events", str(tmp_path / "e.npz")], "--events "),
    ):  # fmt: skip
        assert probe_main(["predict", str(folder), *args, "-q"]) == 1
        assert said in capsys.readouterr().err


def test_predictions_flag_the_windows_over_bad_annotations(model, short_task, tmp_path, capsys):
    """predict marks the windows of a continuous recording that overlap bad annotations
    (BAD_..., EEGLAB's boundary events) in a 'bad' column, as embed flags them, and counts
    them on stderr; --reject-by-annotation leaves them out."""
    train, _ = short_task
    folder = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1).save(
        tmp_path / "probe"
    )
    raw, _, _ = synthetic_erp_raw(2, sfreq=256.0, seed=3)
    n = int(raw.times[-1] + 1 / 256.0)
    raw.set_annotations(mne.Annotations(
        onset=[2.5, 5.0, 7.2, 0.0], duration=[0.0, 1.5, 0.0, 0.0],
        description=["boundary", "BAD_muscle", "stimulus", "boundary"],
    ))  # fmt: skip
    recording = tmp_path / "rec_raw.fif"
    raw.save(recording, verbose=False)
    out = tmp_path / "p.csv"
    assert probe_main(["predict", str(folder), str(recording), "-o", str(out), "-q"]) == 0
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["file", "epoch", "onset_s", "clock_s", "prediction", "p_standard",
                             "p_target", "bad"]  # fmt: skip
    bad = [2, 5, 6]  # the cut at 2.5 s, 5-6.5 s; not the cut at the first sample, nor the event
    assert [r["bad"] for r in rows] == [str(k in bad) for k in range(n)]
    assert all(r["prediction"] for r in rows)
    err = capsys.readouterr().err
    assert f"{recording}: 3 of {n} windows overlap annotations marked bad (BAD_muscle: 2, " \
           "boundary: 1), where data are unusable or were cut out; they are predicted like " \
           "the rest and marked True in the 'bad' column; --reject-by-annotation leaves them " \
           "out\n" in err  # fmt: skip
    assert probe_main(["predict", str(folder), str(recording), "-o", str(out), "--overwrite",
                       "-q", "--reject-by-annotation"]) == 0  # fmt: skip
    kept = list(csv.DictReader(out.open()))
    assert [int(r["epoch"]) for r in kept] == [k for k in range(n) if k not in bad]
    assert {r["bad"] for r in kept} == {"False"}
    assert [r["p_target"] for r in kept] == [r["p_target"] for r in rows if r["bad"] == "False"]
    assert f"{recording}: left out 3 of {n} windows that overlap annotations marked bad " \
           "(BAD_muscle: 2, boundary: 1) (--reject-by-annotation)\n" in capsys.readouterr().err  # fmt: skip


def test_predictions_are_written_as_the_output_suffix_says(model, short_task, tmp_path, capsys):
    """predict writes Parquet to a .parquet output (the CSV's columns, typed) and TSV to .tsv;
    another suffix is refused before anything is read, not written as CSV under that name."""
    train, test = short_task
    folder = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1).save(
        tmp_path / "probe"
    )
    epochs_file = tmp_path / "test-epo.fif"
    test[:4].save(epochs_file, verbose=False)
    outputs = {s: tmp_path / f"pred.{s}" for s in ("csv", "tsv", "parquet", "txt")}
    outputs[""] = tmp_path / "pred"  # no suffix: CSV, as before other formats were written
    for out in outputs.values():
        assert probe_main(["predict", str(folder), str(epochs_file), "-o", str(out), "-q"]) == 0
    assert outputs["parquet"].read_bytes()[:4] == b"PAR1"
    written = pd.read_csv(outputs["csv"])
    assert pd.read_csv(outputs["tsv"], sep="\t").equals(written)
    assert outputs["txt"].read_bytes() == outputs[""].read_bytes() == outputs["csv"].read_bytes()
    table = pd.read_parquet(outputs["parquet"])
    assert list(table.columns) == list(written.columns)
    for name in written.columns:
        if name.startswith("p_") or name in ("onset_s", "clock_s"):  # 6 decimals in CSV
            np.testing.assert_allclose(table[name], written[name], atol=1e-6)
        else:
            assert table[name].tolist() == written[name].tolist(), name
    assert table["epoch"].dtype == np.int64 and table["file"].tolist() == [str(epochs_file)] * 4
    capsys.readouterr()
    npz = tmp_path / "pred.npz"
    assert probe_main(["predict", str(folder), str(tmp_path / "missing-epo.fif"), "-o",
                       str(npz)]) == 1  # fmt: skip
    assert (
        "predictions are written as .csv, .tsv or .parquet (chosen by the suffix; .txt or none is CSV), not .npz"
        in (capsys.readouterr().err)
    )
    assert not npz.exists()
    for folder_output in (str(tmp_path), str(tmp_path / "results") + "/"):  # no suffix: not CSV
        assert probe_main(["predict", str(folder), str(epochs_file), "-o", folder_output]) == 1
        assert "names a folder; predictions are written to one file" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()


def test_predictions_without_rows_keep_their_column_types_in_parquet(tmp_path):
    """No rows (every window left out): each Parquet column still has its type, not null."""
    import pyarrow.parquet as pq

    from eegpt.probe_predictions import write_predictions

    header = ["file", "epoch", "onset_s", "prediction", "label", "p_a", "p_b", "bad"]
    write_predictions(tmp_path / "none.parquet", header, [], ["a", "b"])
    schema = pq.read_schema(tmp_path / "none.parquet")
    assert [str(schema.field(name).type) for name in header] == [
        "string", "int64", "double", "string", "string", "double", "double", "bool",
    ]  # fmt: skip
    write_predictions(tmp_path / "ints.parquet", ["prediction"], [], [1, 2])
    assert str(pq.read_schema(tmp_path / "ints.parquet").field("prediction").type) == "int64"


def test_continuous_recordings_labelled_by_their_annotations(weights, tmp_path, capsys):
    """--window-labels REGEX: the consecutive windows of a continuous recording, each labelled
    by the matching annotation that covers half of it, --unlabelled the class of the others,
    windows over bad annotations left out; the same windows as epochs cut by hand."""
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)  # 37 s: 37 windows of 1 s
    raw.set_annotations(mne.Annotations(
        onset=[2.0, 10.4, 20.0, 30.0], duration=[3.0, 0.4, 4.0, 2.5],
        description=["seizure", "seizure", "BAD_muscle", "Seizure onset"],
    ))  # fmt: skip
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    args = ["--window-labels", "(?i)seizure", "--unlabelled", "background", "--window", "1"]
    out = tmp_path / "probe"
    with pytest.warns(RuntimeWarning, match=r"--val 0.3 holds out windows drawn at random, so "
                      r"neighbouring windows .* validate on other recordings with --val-data"):  # fmt: skip
        assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                           "--passes", "2", "-q", "--val", "0.3", *args]) == 0  # fmt: skip
    err = capsys.readouterr().err
    # 2-4 s and 30-32 s: seizure (32-32.5 s is half of a window: also); 10.4-10.8 s is too
    # short; 20-24 s overlaps the bad span (four windows), 19 s window does not
    assert f"{path}: 37 windows of 1 s: 'background' 27, 'seizure' 3, 'Seizure onset' 3; left " \
           "out 4 over bad annotations (BAD_muscle: 4)\n" in err  # fmt: skip
    probe = load_probe(out)
    assert probe.classes_.tolist() == ["Seizure onset", "background", "seizure"]
    # the same windows cut by hand give the same epochs
    windows, y = _labelled_windows(path, WindowLabelling("(?i)seizure", 1.0, "background"))
    assert windows.selection == [k for k in range(37) if k not in (20, 21, 22, 23)]
    saved = mne.io.read_raw_fif(path, verbose=False)  # float32 samples as stored
    # embed's windows: the recording resampled whole to 256 Hz, then cut
    whole = resample(saved.get_data(), 250.0, 256.0)
    np.testing.assert_allclose(windows.data[5], whole[:, 5 * 256 : 6 * 256], rtol=0, atol=1e-15)
    assert windows.sfreq == 256.0
    assert y[1] == "background" and y[2:5].tolist() == ["seizure"] * 3 and y[5] == "background"
    # without --unlabelled the others are left out, said so
    only, y = _labelled_windows(path, WindowLabelling("seizure", 1.0))
    assert y.tolist() == ["seizure"] * 3 and only.selection == [2, 3, 4]
    assert "30 that no annotation matching --window-labels seizure covers (--unlabelled LABEL" in (
        capsys.readouterr().err
    )
    # evaluate and predict take them alike; predict puts each window's label beside it
    assert probe_main(["evaluate", str(out), str(path), "-q", *args[:4]]) == 0
    assert "BAC" in capsys.readouterr().out
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(path), "-o", str(pred), "-q", *args[:4]]) == 0
    rows = list(csv.DictReader(pred.open()))
    assert len(rows) == 37 and rows[2]["label"] == "seizure" and rows[0]["label"] == "background"
    assert rows[20]["label"] == "" and rows[20]["prediction"]  # predicted, not labelled: bad
    # the probe keeps how its windows were labelled: evaluate and predict take it by default
    assert load_probe(out).training["window_labels"] == {
        "match": "(?i)seizure",
        "unlabelled": "background",
        "min_overlap": 0.5,
        "annotation_files": False,
    }
    assert probe_main(["predict", str(out), str(path), "-o", str(pred), "--overwrite"]) == 0
    assert "labelled as in training: --window-labels '(?i)seizure' --unlabelled background" in (
        capsys.readouterr().err
    )
    assert [r["label"] for r in csv.DictReader(pred.open())] == [r["label"] for r in rows]
    # a pattern that matches none of the annotations: each file says which there are, and
    # training refuses a single class made of --unlabelled
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "y"),
                       "--window-labels", "ictal", "--unlabelled", "background", "--window",
                       "1"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "no annotation matches --window-labels ictal (its descriptions: 'BAD_muscle', " \
           "'Seizure onset', " \
           "'seizure')" in err  # fmt: skip
    assert "--window-labels ictal --unlabelled background labelled every window of the " \
           "continuous recordings 'background': only one class" in err  # fmt: skip
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       "--unlabelled", "background"]) == 1  # fmt: skip
    assert "give --window-labels REGEX too" in capsys.readouterr().err
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       "--window-labels", "("]) == 1  # fmt: skip
    assert "--window-labels '(': not a regular expression" in capsys.readouterr().err


def test_evaluate_takes_a_recording_without_events(weights, tmp_path, capsys):
    """A seizure-free recording (every window --unlabelled): evaluate gives the scores of one
    class (accuracy, its recall, the other classes' false positives, the matrix; kappa, AUROC
    and AP null) with warnings, where train refuses it."""
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    raw.set_annotations(mne.Annotations([2.0, 20.0], [6.0, 5.0], ["seizure", "seizure"]))
    train = tmp_path / "train_raw.fif"
    raw.save(train, verbose=False)
    quiet, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=5)
    quiet.set_annotations(mne.Annotations([3.0], [1.0], ["BAD_muscle"]))
    free = tmp_path / "free_raw.fif"
    quiet.save(free, verbose=False)
    args = ["--window-labels", "(?i)seiz", "--unlabelled", "background", "--window", "1"]
    out = tmp_path / "probe"
    assert probe_main(["train", str(train), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", *args]) == 0  # fmt: skip
    scores = tmp_path / "scores.json"
    with pytest.warns(EEGPTWarning) as caught:
        assert probe_main(["evaluate", str(out), str(free), "--json", str(scores), "-q"]) == 0
    said = " ".join(str(w.message) for w in caught)
    assert "--window-labels '(?i)seiz' --unlabelled background labelled every window of the " \
           "continuous recordings 'background'" in said  # fmt: skip
    assert (
        "with one class present, Cohen's kappa, AUROC and average precision are undefined" in said
    )
    got = json.loads(scores.read_text())
    rows = {r["class"]: r for r in got["per_class"]}
    assert rows["background"]["support"] == got["n"] == 36  # 37 windows, 1 over BAD_muscle
    assert rows["background"]["recall"] == pytest.approx(got["accuracy"])
    matrix = np.array(got["confusion_matrix"]["matrix"])  # labels in the probe's order
    k = got["confusion_matrix"]["labels"].index("seizure")
    assert rows["seizure"]["false_positives"] == matrix[:, k].sum()
    assert rows["seizure"]["recall"] is None and rows["seizure"]["support"] == 0
    assert got["cohen_kappa"] is None and got["auroc"] is None
    assert rows["background"]["average_precision"] is None
    assert rows["seizure"]["average_precision"] is None
    printed = capsys.readouterr().out
    assert "BAC " in printed  # AP n/a for 'background' at 100%: the legend says why
    assert "AP also where only one class is in the labels" in printed
    # training on it alone is still refused: no seizure to learn
    assert probe_main(["train", str(free), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       *args]) == 1  # fmt: skip
    said = capsys.readouterr().err
    assert "only one class ('background') is present, and a classifier needs at least 2" in said
    assert "The pattern matches none of their annotations (each recording's line above " \
           "lists its descriptions" in said  # fmt: skip
    assert (
        "no annotation matches --window-labels '(?i)seiz' (its descriptions: 'BAD_muscle')" in said
    )  # fmt: skip (the line above does list them)


def test_train_refusal_of_markers_says_they_match_but_last_too_little(weights, tmp_path, capsys):
    """--window-labels matching BrainVision-like stimulus markers only (zero duration, or one
    sample): the refusal says how many match and how long they last (not that none match, nor
    descriptions 'listed above' that no line lists), and the ways out: --min-overlap 1e-6 for
    markers that last (not for zero-duration ones), markers_to_spans, epochs around them."""
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    raw.set_annotations(mne.Annotations([2.0, 9.0, 20.0], [0.0] * 3, ["Stimulus/S 11"] * 3))
    path = tmp_path / "stim_raw.fif"
    raw.save(path, verbose=False)
    args = ["--window-labels", "stim=S 11", "--unlabelled", "other", "--window", "1"]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       *args]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "listed above" not in err and "matches none" not in err
    assert "3 of their annotations match the pattern ('Stimulus/S 11'), but they all last 0 s, " \
           "less than a label needs (half a window: 0.5 s of each 1 s window" in err  # fmt: skip
    assert "--min-overlap cannot help: an annotation of no duration covers no window" in err
    assert (
        "eegpt.annotations.markers_to_spans(raw, {'Stimulus/S 11': '^Stimulus/S\\\\ 11$'})" in err
    )
    assert "mne.Epochs" in err
    raw.set_annotations(mne.Annotations([2.0, 9.0, 20.0], [0.004] * 3, ["Stimulus/S 11"] * 3))
    raw.save(path, verbose=False, overwrite=True)  # one sample long, as MNE reads a .vmrk
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       *args]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "but they last at most 0.004 s" in err
    assert "--min-overlap 1e-6 labels a window by any overlap: each window a marker falls in " \
           "takes its class" in err  # fmt: skip


def test_seizure_onset_and_end_markers_are_advised_as_one_span_each(weights, tmp_path, capsys):
    """Clinical EDFs mark seizures by an onset and an end marker of no duration. Refused, the
    advice made each marker a state of its own (--marker-spans 'Seizure end=...'), a span
    from each end to the next onset that --window-labels '(?i)seizure' matches too: the time
    after every seizure labelled seizure. It advises a span from each onset to its end (the
    class --window-labels names) and the rest as the --unlabelled class; so given, the
    windows between the markers are the seizure's, those after its end background."""
    raw, _, _ = synthetic_erp_raw(40, sfreq=250.0, seed=4)
    onsets = [10.0, 20.0, 50.0, 60.0]
    names = ["Seizure onset", "Seizure end"] * 2
    raw.set_annotations(mne.Annotations(onsets, [0.0] * 4, names))
    path = tmp_path / "sz_raw.fif"
    raw.save(path, verbose=False)
    args = ["--window-labels", "sz=(?i)seizure", "--unlabelled", "background", "--window", "2"]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       *args]) == 1  # fmt: skip
    err = " ".join(capsys.readouterr().err.split())
    assert "They look like the start and end of events ('Seizure onset', 'Seizure end')" in err
    spans = "--marker-spans 'Seizure=^Seizure\\ onset$' --marker-spans 'background=^Seizure\\ end$'"
    assert spans in err, err
    assert "--marker-spans 'Seizure end=" not in err
    given = [
        "--marker-spans",
        "Seizure=^Seizure\\ onset$",
        "--marker-spans",
        "background=^Seizure\\ end$",
    ]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "y"),
                       *args, *given, "--passes", "1"]) == 0  # fmt: skip
    said = capsys.readouterr().err
    assert re.search(r"'background' \d+, 'sz' 10\b", said), said  # 10-20 s and 50-60 s


def test_evaluate_event_scoring_gives_ovlp_and_taes_of_a_recording(weights, tmp_path, capsys):
    """evaluate --event-scoring: the windows predicted as the event classes (default: all but
    the --unlabelled background) merged into events as predict --events merges them, scored
    against the events of the window labels (OVLP and TAES per class), printed and in --json
    under 'events' with the hours of windows scored; the same numbers as event_scores gives
    of predict's window table; refused for epochs files and its options without it."""
    from eegpt.probe_events import event_scores, windows_to_events

    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    raw.set_annotations(mne.Annotations([2.0, 20.0], [6.0, 5.0], ["seizure", "seizure"]))
    path = tmp_path / "train_raw.fif"
    raw.save(path, verbose=False)
    out = tmp_path / "probe"
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", "--window-labels", "(?i)seiz", "--unlabelled",
                       "background", "--window", "1"]) == 0  # fmt: skip
    scores = tmp_path / "scores.json"
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(out), str(path), "--event-scoring", "--json",
                           str(scores), "-q"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "  seizure: 2 scored events, " in printed and "    TAES: sensitivity " in printed
    got = json.loads(scores.read_text())["events"]
    assert got["classes"] == ["seizure"] and got["hop_seconds"] == got["window_seconds"] == 1
    n = json.loads(scores.read_text())["n"]
    assert got["hours"] == pytest.approx(n / 3600)
    assert list(got["scores"]) == ["seizure"]
    # the seizures as the windows see them: 2-8 s and 20-25 s, 2 events
    assert got["scores"]["seizure"]["scored_events"] == 2
    windows = tmp_path / "windows.csv"
    assert probe_main(["predict", str(out), str(path), "-o", str(windows), "-q"]) == 0
    table = pd.read_csv(windows)
    assert len(table) == n
    scored = windows_to_events(table, 1.0, column="label", classes=["seizure"])
    assert scored[["onset_s", "offset_s"]].values.tolist() == [[2, 8], [20, 25]]
    # both classes (the background's events too, whatever this probe predicts): the numbers
    # of event_scores over predict's windows
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(out), str(path), "--event-scoring", "--json",
                           str(scores), "-q", "--overwrite", "--event-class", "background", "seizure",
                           "--merge-gap-seconds", "1.5"]) == 0  # fmt: skip
    got = json.loads(scores.read_text())["events"]
    both = dict(classes=["background", "seizure"], merge_gap_seconds=1.5)
    # the scored events: the labels' runs as they are (the merge gap shapes predictions only)
    expected = event_scores(windows_to_events(table, 1.0, **both),
                            windows_to_events(table, 1.0, column="label",
                                              classes=["background", "seizure"]),
                            n / 3600, classes=["background", "seizure"])  # fmt: skip
    assert list(got["scores"]) == ["background", "seizure"]
    assert expected["background"]["scored_events"] == 3
    for name, mine in expected.items():
        for key in ("ovlp", "taes"):
            for k, value in mine[key].items():
                assert got["scores"][name][key][k] == (
                    None if np.isnan(value) else pytest.approx(value)
                ), (name, key, k)
        assert got["scores"][name]["predicted_events"] == mine["predicted_events"]
    # --min-event-seconds and --merge-gap-seconds shape the predicted events only: the true
    # seizures (6 s and 5 s, 12 s apart) stay 2 scored events, neither dropped nor joined
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(out), str(path), "--event-scoring", "--json",
                           str(scores), "-q", "--overwrite", "--min-event-seconds", "10",
                           "--merge-gap-seconds", "15"]) == 0  # fmt: skip
    got = json.loads(scores.read_text())["events"]
    assert got["min_event_seconds"] == 10 and got["merge_gap_seconds"] == 15
    assert got["scores"]["seizure"]["scored_events"] == 2
    for args, said in (
        ([str(tmp_path / "x-epo.fif"), "--event-scoring"], "--event-scoring merges the windows "
         f"of continuous recordings into events; {tmp_path / 'x-epo.fif'} holds epochs"),
        ([str(path), "--min-event-seconds", "2"], "--min-event-seconds says which events "
         "--event-scoring scores: give --event-scoring too"),
        ([str(path), "--event-scoring", "--event-class", "spike"], "--event-class spike: not a "
         "class of the probe"),
    ):  # fmt: skip
        assert probe_main(["evaluate", str(out), *args, "-q"]) == 1
        assert said in capsys.readouterr().err


def test_min_overlap_is_an_option_recorded_in_the_probe(weights, tmp_path, capsys):
    """--min-overlap FRACTION: how much of a window a class must cover (1e-6: any overlap),
    recorded in probe.json, shown by info and taken by predict from the probe by default."""
    from eegpt.cli import main as eegpt_main

    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)  # 37 s: 37 windows of 1 s
    raw.set_annotations(mne.Annotations([2.0, 10.4], [3.0, 0.4], ["seizure", "seizure"]))
    path = tmp_path / "rec_raw.fif"
    raw.save(path, verbose=False)
    out = tmp_path / "probe"
    args = ["--window-labels", "seizure", "--unlabelled", "background", "--window", "1"]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", *args, "--min-overlap", "1e-6"]) == 0  # fmt: skip
    capsys.readouterr()
    how = load_probe(out).training["window_labels"]
    assert how["min_overlap"] == 1e-6
    assert eegpt_main(["info", str(out)]) == 0
    assert "--unlabelled background --min-overlap 1e-06" in capsys.readouterr().out
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(path), "-o", str(pred)]) == 0
    assert "--min-overlap 1e-06" in capsys.readouterr().err
    labels = [r["label"] for r in csv.DictReader(pred.open())]
    assert labels[10] == "seizure" and labels[2:5] == ["seizure"] * 3  # 0.4 s of 10-11 s
    assert probe_main(["predict", str(out), str(path), "-o", str(pred), "--overwrite",
                       "--min-overlap", "0.5"]) == 0  # fmt: skip
    assert [r["label"] for r in csv.DictReader(pred.open())][10] == "background"
    said = capsys.readouterr().err  # a labelling other than training's, both values named
    assert "labelled as in training" not in said
    assert "but with --min-overlap 0.5 (training's: 1e-06): the labels differ" in said
    # below half a window with two classes matched, the larger cover still wins: warned of
    with pytest.warns(EEGPTWarning, match=r"--min-overlap 1e-06 with 2 classes .*match only "
                      r"the seizure class and give --unlabelled background"):  # fmt: skip
        probe_main(["predict", str(out), str(path), "-o", str(pred), "--overwrite", "-q",
                    "--window-labels", "seizure=seiz", "--window-labels", "background=bckg",
                    "--min-overlap", "1e-6"])  # fmt: skip
    with pytest.raises(SystemExit):
        probe_main(["predict", str(out), str(path), "--min-overlap", "0"])
    assert "no fraction of a window in (0, 1]" in capsys.readouterr().err
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       "--min-overlap", "0.3"]) == 1  # fmt: skip
    assert "--min-overlap is how much of a window" in capsys.readouterr().err


def test_annotation_files_of_other_recordings_are_refused(weights, tmp_path, capsys):
    """--annotations go with the recordings by position: a TUH label file whose '# bname'
    names another recording is refused, and one that is another given recording's is said
    to look swapped; files named as their recordings, or not TUH's, are taken."""
    from eegpt.probe_label_files import check_annotation_files

    def tuh(name, bname):
        path = tmp_path / name
        path.write_text(f"# version = csv_v1.0.0\n# bname = {bname}\n#\n"
                        "channel,start_time,stop_time,label,confidence\n"
                        "TERM,0.0,10.0,bckg,1.0\n")  # fmt: skip
        return str(path)

    a, b = str(tmp_path / "A_noann.edf"), str(tmp_path / "B.edf")
    check_annotation_files([(a, tuh("A_noann.csv_bi", "A_noann")), (b, tuh("B.csv_bi", "B"))])
    check_annotation_files([(b, tuh("labels.csv_bi", "B"))])  # bname says whose
    check_annotation_files([(b, tuh("B.csv", "B_raw"))])  # the stems agree
    check_annotation_files([(a, "SC4001EC-Hypnogram.edf"), (b, "SC4011EH-Hypnogram.edf")])
    # Sleep-EDF's names give subject and night: another given recording's night is a swap
    psg1, psg2 = str(tmp_path / "SC4001E0-PSG.edf"), str(tmp_path / "SC4021E0-PSG.edf")
    check_annotation_files([(psg1, "SC4001EC-Hypnogram.edf"), (psg2, "SC4021EH-Hypnogram.edf")])
    check_annotation_files([(psg1, "SC4031EH-Hypnogram.edf")])  # no night given: warned of
    with pytest.raises(ValueError, match=r"SC4021EH-Hypnogram\.edf is the Sleep-EDF hypnogram "
                       r"of SC4021 .* given for .*SC4001E0-PSG\.edf, the recording of SC4001 "
                       r".* it is .*SC4021E0-PSG\.edf's: swapped\?"):  # fmt: skip
        check_annotation_files([(psg1, "SC4021EH-Hypnogram.edf"), (psg2, "SC4001EC-Hypnogram.edf")])
    with pytest.raises(ValueError, match=r"B\.csv_bi names the recording 'B' \(its '# bname' "
                       r"line\), but it is given for .*A_noann\.edf .* it looks like .*B\.edf's: "
                       r"swapped\?"):  # fmt: skip
        check_annotation_files([(a, tuh("B.csv_bi", "B")), (b, tuh("A_noann.csv_bi", "A_noann"))])
    # a bname that names no given recording: a renamed (de-identified) copy given its true
    # label file is taken (warned of when read); one naming another given recording is a swap
    check_annotation_files([(b, tuh("other.csv_bi", "C"))])
    with pytest.raises(ValueError, match=r"given for .*B\.edf \(by position: .*\); it looks "
                       r"like .*A_noann\.edf's: swapped\? Give each"):  # fmt: skip
        check_annotation_files([(b, tuh("other.csv_bi", "A_noann")), (a, tuh("A2.csv", "A_noann"))])
    with pytest.raises(ValueError, match=r"--val-annotations .*it looks like .*A_noann\.edf's: "
                       r"swapped\?"):  # fmt: skip
        check_annotation_files([(b, tuh("o.csv_bi", "A_noann"))], "--val-annotations", others=[a])
    with pytest.raises(ValueError, match=r"--annotations .*B\.tsv is named as .*B\.edf"):
        check_annotation_files([(a, str(tmp_path / "B.tsv")), (b, str(tmp_path / "A_noann.tsv"))])
    # a stem that is another given recording's exactly wins over a prefix match of its own
    rec, rec_1 = str(tmp_path / "rec.edf"), str(tmp_path / "rec_1.edf")
    check_annotation_files([(rec, str(tmp_path / "rec.csv")), (rec_1, str(tmp_path / "rec_1.csv"))])
    check_annotation_files([(rec, str(tmp_path / "rec_raw.csv"))])  # no other: its own
    with pytest.raises(ValueError, match=r"rec_1\.csv is named as .*rec_1\.edf, but it is given "
                       r"for .*rec\.edf .*swapped\?"):  # fmt: skip
        check_annotation_files(
            [(rec, str(tmp_path / "rec_1.csv")), (rec_1, str(tmp_path / "rec.csv"))]
        )
    # on the command line, before anything is read
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    recs = [str(tmp_path / "A_raw.fif"), str(tmp_path / "B_raw.fif")]
    for rec in recs:
        raw.save(rec, verbose=False)
    assert probe_main(["train", *recs, "--weights", str(weights), "-o", str(tmp_path / "p"),
                       "--window-labels", "seiz", "--annotations", tuh("B_raw.csv_bi", "B_raw"),
                       tuh("A_raw.csv_bi", "A_raw")]) == 1  # fmt: skip
    assert "it looks like" in capsys.readouterr().err
    # a training file's label file that is the --val-data recording's: swapped too
    held = str(tmp_path / "C_raw.fif")
    raw.save(held, verbose=False)
    assert probe_main(["train", recs[0], "--weights", str(weights), "-o", str(tmp_path / "p2"),
                       "--window-labels", "seiz", "--annotations", tuh("C_raw.csv_bi", "C_raw"),
                       "--val-data", held, "--val-annotations",
                       tuh("A_raw.csv_bi", "A_raw")]) == 1  # fmt: skip
    assert re.search(r"--annotations .*C_raw\.csv_bi .*it looks like .*C_raw\.fif's: swapped",
                     capsys.readouterr().err)  # fmt: skip


def test_train_and_evaluate_overlap_cut_sliding_labelled_windows(weights, tmp_path, capsys):
    """probe train/evaluate --overlap: the windows --window-labels labels a hop apart (the same
    samples as cut by hand), each labelled as a consecutive one is; train warns that they are
    not independent, refuses a window-level --val, records the overlap (which evaluate does
    not adopt); refused for epochs files, --labels FILE and hops of no whole samples."""
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)  # 37 s at 250 Hz
    raw.set_annotations(mne.Annotations(
        onset=[2.0, 20.0], duration=[3.0, 4.0], description=["seizure", "BAD_muscle"],
    ))  # fmt: skip
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    # 1 s windows every 0.5 s: 74 (37.5 s and more); seizure 2-5 s covers half of those from 1.5 to 4.5 s (7);
    # those over 20-24 s (from 19.5 to 23.5 s: 9) left out
    windows, y = _labelled_windows(path, WindowLabelling("seizure", 1.0, "background", overlap=0.5))
    assert windows.selection == [k for k in range(74) if not 39 <= k <= 47]
    np.testing.assert_allclose(windows.onsets, np.array(windows.selection) * 0.5)
    saved = mne.io.read_raw_fif(path, verbose=False)  # embed's windows: resampled whole
    whole = resample(saved.get_data(), 250.0, 256.0)
    np.testing.assert_allclose(windows.data[3], whole[:, 384:640], rtol=0, atol=1e-15)
    assert y[3:10].tolist() == ["seizure"] * 7 and y[2] == y[10] == "background"
    assert "74 windows of 1 s every 0.5 s (--overlap 0.5): 'background' 58, 'seizure' 7" in (
        capsys.readouterr().err
    )
    args = ["--window-labels", "seizure", "--unlabelled", "background"]
    out = tmp_path / "probe"
    with pytest.warns(RuntimeWarning, match=r"--overlap 0.5: windows of 1 s every 0.5 s share "
                      r"samples, so they are not independent"):  # fmt: skip
        assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                           "--passes", "1", "-q", "--window", "1", "--overlap", "0.5",
                           *args]) == 0  # fmt: skip
    probe = load_probe(out)
    assert probe.training["window_labels"]["overlap"] == 0.5
    assert probe.training["class_counts"]["train"] == {"background": 58, "seizure": 7}
    capsys.readouterr()
    assert probe_main(["evaluate", str(out), str(path), "-q", "--overlap", "0.5", *args]) == 0
    assert "74 windows of 1 s every 0.5 s (--overlap 0.5)" in capsys.readouterr().err
    # evaluate without --overlap: consecutive windows, whatever the training's
    assert probe_main(["evaluate", str(out), str(path), "--json", str(tmp_path / "e.json")]) == 0
    assert "37 windows of 1 s: " in capsys.readouterr().err
    epochs_file = tmp_path / "few-epo.fif"
    synthetic_erp_epochs(4, seed=1, seconds=1.0, tmin=-0.2).save(epochs_file, verbose=False)
    train = ["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
             "--window", "1", *args]  # fmt: skip
    for words, said in (
        ([*train, "--overlap", "0.5", "--val", "0.2"], "--val 0.2 holds out windows drawn at "
         "random, and with --overlap 0.5 windows sharing samples would land on both sides"),
        ([*train, "--overlap", "1"], "--overlap 1: give 0 <= overlap < the 1 s windows"),
        ([*train, "--overlap", "0.33"], f"{path}: --overlap 0.33 s leaves a hop of 171.52 samples"),
        ([*train, "--overlap", "0.5001"], "such as --overlap 0.5"),
        (["evaluate", str(out), str(epochs_file), "--overlap", "0.5"], "--overlap 0.5 cuts "
         f"continuous recordings into overlapping windows; {epochs_file} holds epochs"),
        ([*train[:6], "--labels", str(tmp_path / "l.csv"), "--overlap", "0.5"],
         "labels consecutive windows, one row each; label the windows by their annotations"),
    ):  # fmt: skip
        assert probe_main([*words, "-q"]) == 1, words
        assert said in capsys.readouterr().err


def test_window_label_classes_merge_descriptions(weights, tmp_path, capsys):
    """--window-labels LABEL=REGEX, repeated: classes that merge descriptions (TUH's seizure
    types as one 'seizure'), kept by the probe for evaluate and predict and shown by info."""
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    raw.set_annotations(mne.Annotations(
        onset=[2.0, 2.5, 10.0, 20.0], duration=[0.5, 0.6, 2.0, 3.0],
        description=["fnsz", "gnsz", "cpsz", "bckg"],
    ))  # fmt: skip
    path = tmp_path / "eeg_raw.fif"
    raw.save(path, verbose=False)
    classes = ["--window-labels", "seizure=fnsz|gnsz", "--window-labels", "seizure=cpsz",
               "--window-labels", "background=bckg", "--window", "1"]  # fmt: skip
    out = tmp_path / "probe"
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", *classes]) == 0  # fmt: skip
    err = capsys.readouterr().err
    # 2-3 s: 0.5 s fnsz + 0.5 s gnsz make half of it (neither alone would); 10-12 s; 20-23 s
    assert f"{path}: 37 windows of 1 s: 'seizure' 3, 'background' 3; left out 31 that no " \
           "annotation matching --window-labels 'seizure=(?:fnsz|gnsz)|(?:cpsz)' " \
           "--window-labels background=bckg covers" in err  # fmt: skip
    probe = load_probe(out)
    assert probe.classes_.tolist() == ["background", "seizure"]
    assert probe.training["window_labels"]["match"] == {
        "seizure": "(?:fnsz|gnsz)|(?:cpsz)",
        "background": "bckg",
    }
    # the same labelling by default in predict, said as options that give it
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(path), "-o", str(pred)]) == 0
    assert "labelled as in training: --window-labels 'seizure=(?:fnsz|gnsz)|(?:cpsz)' " \
           "--window-labels background=bckg\n" in capsys.readouterr().err  # fmt: skip
    labels = [r["label"] for r in csv.DictReader(pred.open())]
    assert labels[2] == "seizure" and labels[10:12] == ["seizure"] * 2 and labels[3] == ""
    assert labels[20:23] == ["background"] * 3
    assert "labels: continuous recordings' windows by their annotations, --window-labels " \
           "'seizure=(?:fnsz|gnsz)|(?:cpsz)'" in describe_probe(out)  # fmt: skip
    # a lone REGEX among classes is refused, saying the form
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       "--window-labels", "sz", "--window-labels", "background=bckg"]) == 1  # fmt: skip
    assert "--window-labels 'sz': given several times, each is a class, LABEL=REGEX" in (
        capsys.readouterr().err
    )


def test_window_labels_from_hypnograms_kept_in_other_files(weights, tmp_path, capsys):
    """--annotations FILE per continuous recording (Sleep-EDF's hypnograms): joined to the
    recording's own annotations for --window-labels, in train, evaluate and predict."""
    paths, hypnograms = [], []
    for k in range(2):
        raw, _, _ = synthetic_erp_raw(6, sfreq=250.0, seed=10 + k)
        raw.set_annotations(None).crop(tmax=28 - 1 / 250)  # 7000 samples: 28 windows either way
        path = tmp_path / f"night{k}_raw.fif"
        raw.save(path, verbose=False)
        hyp = tmp_path / f"night{k}_hypnogram.csv"
        hyp.write_text("onset,duration,description\n0,10,Sleep stage W\n10,18,Sleep stage 2\n")
        paths.append(str(path))
        hypnograms.append(str(hyp))
    out = tmp_path / "stages"
    labelling = ["--window-labels", "^Sleep stage", "--window", "1"]
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--epochs",
                       "2", "-q", *labelling, "--annotations", *hypnograms]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"{paths[0]}: 28 windows of 1 s: 'Sleep stage W' 10, 'Sleep stage 2' 18" in err
    assert load_probe(out).classes_.tolist() == ["Sleep stage 2", "Sleep stage W"]
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "-q", "--annotations",
                       hypnograms[1]]) == 0  # fmt: skip
    rows = list(csv.DictReader(pred.open()))
    assert [r["label"] for r in rows] == ["Sleep stage W"] * 10 + ["Sleep stage 2"] * 18
    assert probe_main(["evaluate", str(out), paths[1], "-q", "--annotations", hypnograms[1]]) == 0
    # one hypnogram for two recordings, or without --window-labels: refused
    capsys.readouterr()
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(tmp_path / "x"),
                       *labelling, "--annotations", hypnograms[0]]) == 1  # fmt: skip
    assert "1 --annotations file(s) for 2 continuous recording(s)" in capsys.readouterr().err
    assert probe_main(["train", paths[0], "--weights", str(weights), "-o", str(tmp_path / "x"),
                       "--annotations", hypnograms[0]]) == 1  # fmt: skip
    assert "give --window-labels REGEX too" in capsys.readouterr().err


def test_windows_left_out_name_the_stages_the_pattern_missed(tmp_path, capsys):
    """AASM's names ('Sleep stage N2') under the R&K pattern of the docs ('^Sleep stage
    [W1234R]') left most of a night out said only as a count ('left out 16 that no
    annotation matching ... covers'); the line now names the annotations over the windows left
    out that the pattern does not match, most windows first, so the missed stages show."""
    raw, _, _ = synthetic_erp_raw(6, sfreq=250.0, seed=3)
    raw.crop(tmax=24 - 1 / 250).set_annotations(mne.Annotations(
        [0, 4, 16, 20], [4, 12, 4, 4],
        ["Sleep stage W", "Sleep stage N2", "Sleep stage ?", "Sleep stage R"]))  # fmt: skip
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    _, y = _labelled_windows(path, WindowLabelling("^Sleep stage [W1234R]", 1.0))
    assert y.tolist() == ["Sleep stage W"] * 4 + ["Sleep stage R"] * 4
    assert (
        "left out 16 that no annotation matching --window-labels '^Sleep stage [W1234R]' covers "
        "(--unlabelled LABEL keeps them as a class), under annotations it does not match: "
        "'Sleep stage N2' 12, 'Sleep stage ?' 4\n"
    ) in capsys.readouterr().err


#: ``probe train`` window labelling of :func:`_diary_probe`'s probe.
DIARY_LABELLING = ["--window-labels", "event=dizzy|headache", "--unlabelled", "baseline"]


def _diary_probe(weights, tmp_path, seed: int) -> tuple[list[str], list[str], Path]:
    """Two 24 s recordings without annotations of their own, a diary CSV for each, and a
    probe trained on them with ``--annotations`` (the diaries) and :data:`DIARY_LABELLING`:
    (recording paths, diary paths, probe folder)."""
    paths, diaries = [], []
    for k in range(2):
        raw, _, _ = synthetic_erp_raw(6, sfreq=250.0, seed=seed + k)
        raw.set_annotations(None).crop(tmax=24 - 1 / 250)
        path = tmp_path / f"day{k}_raw.fif"
        raw.save(path, verbose=False)
        diary = tmp_path / f"day{k}_diary.csv"
        diary.write_text("onset,duration,description\n4,6,felt dizzy\n16,4,headache\n")
        paths.append(str(path))
        diaries.append(str(diary))
    out = tmp_path / "diary_probe"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--epochs",
                       "2", "-q", *DIARY_LABELLING, "--window", "2", "--annotations", *diaries]) == 0  # fmt: skip
    return paths, diaries, out


def test_predict_without_the_training_annotation_files_leaves_labels_out(weights, tmp_path, capsys):
    """A probe trained with --annotations (a diary) and --unlabelled: predicting without the
    diary would label every window --unlabelled's class, and --events would score 0 events.
    The label is left out instead, said once, naming --annotations; a recording whose own
    annotations match is still labelled from them, and with the diary as before."""
    paths, diaries, out = _diary_probe(weights, tmp_path, 30)
    labelling = DIARY_LABELLING
    assert load_probe(out).training["window_labels"]["annotation_files"] is True
    capsys.readouterr()
    pred, events = tmp_path / "pred.csv", tmp_path / "events.csv"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["predict", str(out), *paths, "-o", str(pred),
                           "--events", str(events)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "labelled as in training" not in err and "scored events" not in err
    assert "from their own annotations only" in err
    said = [str(w.message) for w in caught if "no labels" in str(w.message)]
    assert len(said) == 1, said  # once for the two recordings
    assert said[0].startswith(f"{paths[0]}: no labels (label left empty; no label column where")
    assert "--annotations FILE" in said[0] and "would be --unlabelled 'baseline'" in said[0]
    rows = list(csv.DictReader(pred.open()))
    assert len(rows) == 24 and "label" not in rows[0]
    # the same with --epoch-seconds, and with -q
    with pytest.warns(RuntimeWarning, match="no labels"):
        assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "--overwrite", "-q",
                           "--epoch-seconds", "4"]) == 0  # fmt: skip
    assert "label" not in next(csv.DictReader(pred.open()))
    # with the diary: labelled as in training
    assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "--overwrite",
                       "--annotations", diaries[1]]) == 0  # fmt: skip
    assert "labelled as in training" in capsys.readouterr().err
    labels = [r["label"] for r in csv.DictReader(pred.open())]
    assert labels[2:5] == ["event"] * 3 and labels[0] == "baseline"
    # a recording with matching annotations of its own: labelled from them
    own = mne.io.read_raw_fif(paths[1], verbose=False)
    own.set_annotations(mne.Annotations([4.0], [6.0], ["felt dizzy"]))
    own_path = tmp_path / "own_raw.fif"
    own.save(own_path, verbose=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["predict", str(out), str(own_path), "-o", str(pred),
                           "--overwrite"]) == 0  # fmt: skip
    assert not [w for w in caught if "no labels" in str(w.message)]
    assert "from their own annotations only" in capsys.readouterr().err
    labels = [r["label"] for r in csv.DictReader(pred.open())]
    assert labels[2:5] == ["event"] * 3 and labels[8] == "baseline"
    # a probe saved before annotation_files was recorded: found in its command line
    meta = json.loads((out / "probe.json").read_text())
    del meta["training"]["window_labels"]["annotation_files"]
    meta["command"] = ["probe", "train", *paths, "--annotations", *diaries, *labelling]
    (out / "probe.json").write_text(json.dumps(meta))
    with pytest.warns(RuntimeWarning, match="no labels"):
        assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "--overwrite"]) == 0
    assert "label" not in next(csv.DictReader(pred.open()))


def test_evaluate_without_the_training_annotation_files_refuses(weights, tmp_path, capsys):
    """A probe trained with --annotations (a diary) and --unlabelled: evaluate without the
    diary would score every window against --unlabelled's class. It refuses, naming the
    recording and --annotations FILE, before reading it; with the diary it scores."""
    paths, diaries, out = _diary_probe(weights, tmp_path, 40)
    labelling = DIARY_LABELLING
    capsys.readouterr()
    assert probe_main(["evaluate", str(out), paths[1], "-q"]) == 1
    said = capsys.readouterr().err
    assert f"{paths[1]}: no labels to evaluate against" in said and "--annotations FILE" in said
    assert "scored as --unlabelled 'baseline'" in said
    # with the diary: evaluated
    assert probe_main(["evaluate", str(out), paths[1], "-q", "--annotations", diaries[1]]) == 0
    assert "BAC " in capsys.readouterr().out  # its windows labelled by the diary
    # a probe saved before annotation_files was recorded, trained with --annotations=FILE
    # or an abbreviation argparse takes: found in its command line all the same
    meta = json.loads((out / "probe.json").read_text())
    del meta["training"]["window_labels"]["annotation_files"]
    for given in ([f"--annotations={diaries[0]}", f"--annotations={diaries[1]}"],
                  ["--annot", *diaries], [f"--annotation={diaries[0]}"]):  # fmt: skip
        meta["command"] = ["probe", "train", *paths, *given, *labelling]
        (out / "probe.json").write_text(json.dumps(meta))
        assert probe_main(["evaluate", str(out), paths[1], "-q"]) == 1, given
        assert "no labels to evaluate against" in capsys.readouterr().err
    # neither recorded (an anonymized copy): it cannot tell, and says so
    del meta["command"]
    (out / "probe.json").write_text(json.dumps(meta))
    with pytest.warns(RuntimeWarning, match=r"cannot tell whether .* --annotations files"):
        assert probe_main(["evaluate", str(out), paths[1], "-q"]) == 0
    capsys.readouterr()


def test_metrics_of_one_class_say_n_a_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # scikit-learn's own warnings stay inside
        m = probe_metrics(["a", "a", "a"], ["a", "a", "a"], classes=["a", "b"])
    line = format_metrics(m)
    assert "Cohen's kappa n/a" in line and "nan" not in line and "one class" in line


def _constant_channel(epochs, name):
    info = mne.create_info([name], epochs.info["sfreq"], "eeg")
    data = np.full((len(epochs), 1, len(epochs.times)), 1e-6)
    return mne.EpochsArray(data, info, events=epochs.events, tmin=epochs.tmin, verbose=False)


def _raw(epochs):
    import mne

    return mne.io.RawArray(epochs.get_data()[0], epochs.info, verbose=False)


# ------------------------------------------------------------------------------------ CLI


def _tiny_epochs(n: int, metadata: dict | None = None) -> mne.EpochsArray:
    info = mne.create_info(["Fp1", "Cz", "Pz"], 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 1e-5, (n, 3, 256))
    events = np.c_[np.arange(n) * 512 + 100, np.zeros(n, int), np.ones(n, int)]
    meta = None if metadata is None else pd.DataFrame(metadata)
    return mne.EpochsArray(data, info, events, metadata=meta, verbose=False)


def test_label_column_missing_values_continuous_columns_and_mixed_inputs(tmp_path):
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(6, {"condition": ["x", None, "y", "x", np.nan, "y"]}).save(path, verbose=False)
    with pytest.raises(ValueError, match=r"2 of 6 epochs have no value in --label-column "
                       r"'condition' \(.*a-epo.fif epoch 1, .*a-epo.fif epoch 4\); give every "
                       r"epoch a label with --labels"):  # fmt: skip
        load_labelled_epochs([path], label_column="condition")
    # predictions leave those labels empty
    _, y, _ = load_labelled_epochs([path], label_column="condition", require_labels=False)
    assert y.tolist() == ["x", None, "y", "x", None, "y"]

    rt = tmp_path / "rt-epo.fif"
    _tiny_epochs(40, {"rt": np.linspace(0.3, 0.9, 40)}).save(rt, verbose=False)
    with warnings.catch_warnings():  # refused, with no warning that it is a class before
        warnings.simplefilter("error", UserWarning)
        with pytest.raises(ValueError, match=r"--label-column 'rt': numbers with fractional "
                           r"parts \(40 distinct values in 40 labels, e\.g\. 0\.3\).*A probe "
                           r"classifies.*fit a regressor.*Ridge\(\)"):  # fmt: skip
            load_labelled_epochs([rt], label_column="rt")
    few = tmp_path / "few-epo.fif"
    trial = [f"t{k}" for k in range(8)]
    metadata = {"rt": np.linspace(0.3, 0.9, 8), "level": [1.0, 2.0] * 4, "trial": trial}
    _tiny_epochs(8, metadata).save(few)
    with pytest.raises(ValueError, match=r"'rt': numbers with fractional parts \(8 distinct"):
        load_labelled_epochs([few], label_column="rt")
    with pytest.warns(UserWarning, match=r"'trial' has 8 distinct values in 8 epochs.*an "
                      r"identifier"):  # fmt: skip
        load_labelled_epochs([few], label_column="trial")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # two classes that happen to be floats
        assert load_labelled_epochs([few], label_column="level")[1].tolist() == [1.0, 2.0] * 4

    # an .npz beside -epo.fif files: its epochs have no onset (NaN), the others keep theirs
    npz = tmp_path / "b.npz"
    np.savez(npz, X=np.zeros((2, 3, 256)), ch_names=np.array(["Fp1", "Cz", "Pz"]), sfreq=256.0,
             y=np.array(["x", "y"]))  # fmt: skip
    rec, _, _ = load_labelled_epochs([rt, npz])
    assert np.isnan(rec.onsets[40:]).all()
    bare = tmp_path / "bare.npz"  # no y: its labels are empty beside the others' predictions
    np.savez(bare, X=np.zeros((2, 3, 256)), ch_names=np.array(["Fp1", "Cz", "Pz"]), sfreq=256.0)
    _, y, _ = load_labelled_epochs([npz, bare], require_labels=False)
    assert y.tolist() == ["x", "y", None, None]
    np.testing.assert_allclose(rec.onsets[:2], [100 / 256, 612 / 256])
    with pytest.raises(ValueError, match=r"no epochs metadata to take --label-column 'rt' "
                       r"from; its labels are its y array, so leave --label-column out"):  # fmt: skip
        load_labelled_epochs([rt, npz], label_column="rt")


def test_blank_cells_of_a_labels_csv_are_missing_labels_not_a_class(
    weights, short_task, tmp_path, capsys
):
    """A blank cell (or n/a, NA, nan) of --labels is an unknown label, refused as None in y
    is, not a class named ''."""
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(6).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    labels.write_text("label\nW\n\nN2\n n/a \nNA\nnan\n")
    with pytest.raises(ValueError, match=r"4 of 6 epochs have no label in the 'label' column "
                       r"of .*labels.csv \(line 3: a-epo.fif epoch 1, line 5: a-epo.fif epoch "
                       r"3, .*; a blank cell, n/a, NA or nan is a missing label\)"):  # fmt: skip
        load_labelled_epochs([path], labels)
    _, y, _ = load_labelled_epochs([path], labels, keep_missing=True)
    assert y.tolist() == ["W", None, "N2", None, None, None]
    labels.write_text("epoch,label\n0,W\n1,\n2,N2\n3,R\n4,W\n5,N2\n\n")  # blank cell
    with pytest.raises(ValueError, match=r"1 of 6 epochs have no label .*\(line 3: a-epo"):
        load_labelled_epochs([path], labels)
    labels.write_text("label\nW\nN1\n\nN2\nR\nW\nN2\n")  # a stray blank line: 7 rows
    with pytest.raises(ValueError, match=r"has 7 labels for 6 epochs in the inputs; 1 of them "
                       r"missing \(a blank line or cell, n/a ...: lines 4\): remove the lines"):  # fmt: skip
        load_labelled_epochs([path], labels)
    train, test = short_task
    train_file, test_file = tmp_path / "train-epo.fif", tmp_path / "test-epo.fif"
    train.save(train_file, verbose=False)
    test.save(test_file, verbose=False)
    names = list(epochs_labels(train))
    names[4] = ""
    labels.write_text("label\n" + "\n".join(names) + "\n")
    out = tmp_path / "probe"
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o", str(out),
                       "--labels", str(labels), "--window", "1", "--passes", "1", "-q"]) == 1  # fmt: skip
    assert "1 of 140 epochs have no label in the 'label' column" in capsys.readouterr().err
    assert not out.exists()
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o", str(out),
                       "--window", "1", "--passes", "1", "-q"]) == 0  # fmt: skip
    names = list(epochs_labels(test))
    names[0] = "nan"
    labels.write_text("label\n" + "\n".join(names) + "\n")
    capsys.readouterr()
    assert probe_main(["evaluate", str(out), str(test_file), "--labels", str(labels), "-q"]) == 1
    assert "1 of 60 epochs have no label in the 'label' column" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    [
        "Label\nW\nN1\nN2\n",
        "epoch;LABEL\n0;W\n1;N1\n2;N2\n",  # Excel's CSV where the decimal mark is a comma
        "\ufeffepoch\tlabel\n0\tW\n1\tN1\n2\tN2\n",  # a byte-order mark, tabs
        "trial,Label,label\n0,x,W\n1,x,N1\n2,x,N2\n",  # 'label' itself before another case
    ],
)
def test_a_labels_csv_names_its_column_in_any_case_and_separates_by_semicolons_or_tabs(
    tmp_path, text
):
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(3).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    labels.write_text(text, encoding="utf-8")
    _, y, _ = load_labelled_epochs([path], labels)
    assert y.tolist() == ["W", "N1", "N2"]


def test_a_labels_csv_is_read_as_manifests_are_utf16_decoded_cp1252_refused(tmp_path):
    """A labels file goes through the text reader of manifests: Excel's "Unicode Text"
    (UTF-16 with a BOM, tabs) is read; a cp1252 file is refused naming the file and iconv."""
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(3).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    labels.write_bytes("epoch\tlabel\r\n0\tW\r\n1\tN1\r\n2\tN2\r\n".encode("utf-16"))
    _, y, _ = load_labelled_epochs([path], labels)
    assert y.tolist() == ["W", "N1", "N2"]
    labels.write_bytes("label\nWach\nN1\nMüde\n".encode("cp1252"))
    with pytest.raises(
        ValueError, match=r"labels\.csv is not UTF-8 text: line 4 .*iconv -f cp1252"
    ):
        load_labelled_epochs([path], labels)


def test_a_labels_csv_with_epoch_numbers_goes_to_the_epochs_by_number(tmp_path):
    """An 'epoch' (or 'window') column aligns the labels to the epochs whatever the rows'
    order, numbered from 1 (as EEGLAB counts) or from 0 (as eegpt counts); numbers that match
    neither are refused, not taken in the order of the rows."""
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(8).save(path, verbose=False)
    want = [f"c{k}" for k in range(8)]
    labels = tmp_path / "labels.csv"
    for first in (1, 0):  # rows 8..1 (EEGLAB's numbers), 7..0 (eegpt's), in reverse order
        rows = [f"{k + first},{want[k]}" for k in reversed(range(8))]
        labels.write_text("epoch,label\n" + "\n".join(rows) + "\n")
        with pytest.warns(RuntimeWarning, match=r"labels.csv: its rows are not in the order"):
            _, y, _ = load_labelled_epochs([path], labels)
        assert y.tolist() == want, first
    labels.write_text("Window;label\n" + "\n".join(f"{k};{want[k]}" for k in range(8)) + "\n")
    assert load_labelled_epochs([path], labels)[1].tolist() == want
    labels.write_text("epoch,label\n" + "\n".join(f"{k + 2},{want[k]}" for k in range(8)))
    with pytest.raises(ValueError, match=r"labels.csv: its 'epoch' column numbers the rows 2 to 9, "
                       r"which matches the epochs of the inputs neither as 0 to 7 counted from 0, "
                       r"as eegpt counts \(8, 9 not among them\) nor as 1 to 8 counted from 1, as "
                       r"EEGLAB counts \(9 not among them\)"):  # fmt: skip
        load_labelled_epochs([path], labels)
    labels.write_text("epoch,label\n1,a\n1,b\n2,a\n3,a\n4,a\n5,a\n6,a\n7,a\n")
    with pytest.raises(ValueError, match=r"counted from 1, as EEGLAB counts \(1 twice\)"):
        load_labelled_epochs([path], labels)
    labels.write_text("epoch,label\nfirst,a\n" + "\n".join(f"{k},a" for k in range(1, 8)))
    with pytest.raises(ValueError, match=r"labels.csv, line 2: 'first' in the 'epoch' column is "
                       r"no epoch number"):  # fmt: skip
        load_labelled_epochs([path], labels)
    # several inputs, each numbering its own epochs: in order, or by their 'file' column
    other = tmp_path / "b-epo.fif"
    _tiny_epochs(8).save(other, verbose=False)
    in_order = [f"{k + 1},{f}{k}" for f in "ab" for k in range(8)]
    labels.write_text("epoch,label\n" + "\n".join(in_order) + "\n")
    _, y, _ = load_labelled_epochs([path, other], labels)
    assert y.tolist() == [f"{f}{k}" for f in "ab" for k in range(8)]
    labels.write_text("epoch,label\n" + "\n".join(reversed(in_order)) + "\n")
    with pytest.raises(ValueError, match=r"the inputs each number their own epochs and the file "
                       r"has no 'file' column"):  # fmt: skip
        load_labelled_epochs([path, other], labels)
    by_file = [f"{name}-epo.fif,{k},{name}{k}" for name in "ab" for k in range(8)]
    labels.write_text("file,epoch,label\n" + "\n".join(reversed(by_file)) + "\n")
    with pytest.warns(RuntimeWarning, match=r"'epoch' column \(numbered from 0, as eegpt counts"):
        _, y, _ = load_labelled_epochs([path, other], labels)
    assert y.tolist() == [f"{f}{k}" for f in "ab" for k in range(8)]


def test_numbered_rows_of_dropped_epochs_are_left_out(tmp_path):
    """A labels CSV of one row per trial, numbered by 'epoch', against epochs one was dropped
    from (epochs.selection lacks 5): that row is left out with a warning naming it, counted
    from 0 or from 1, with or without a 'file' column. A row past the last epoch kept stays
    an error, which names the rows the epochs lack."""
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(8).drop([5], verbose=False).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    want = [f"c{k}" for k in range(8) if k != 5]
    for first in (0, 1):
        labels.write_text("epoch,label\n" + "".join(f"{k + first},c{k}\n" for k in range(8)))
        with pytest.warns(RuntimeWarning, match=rf"labels.csv: 1 of its 8 rows number epochs the "
                          rf"inputs do not have \(its 'epoch' column, counted from {first}, .*: "
                          rf"{5 + first}\), left out"):  # fmt: skip
            _, y, _ = load_labelled_epochs([path], labels)
        assert y.tolist() == want
    labels.write_text("file,epoch,label\n" + "".join(f"a-epo.fif,{k},c{k}\n" for k in range(8)))
    with pytest.warns(RuntimeWarning, match=r"counted from 0, as eegpt counts: a-epo.fif: 5\)"):
        _, y, _ = load_labelled_epochs([path], labels)
    assert y.tolist() == want
    last = tmp_path / "b-epo.fif"
    _tiny_epochs(8).drop([7], verbose=False).save(last, verbose=False)
    labels.write_text("epoch,label\n" + "".join(f"{k},c{k}\n" for k in range(8)))
    with pytest.raises(ValueError, match=r"has 8 labels for 7 epochs in the inputs; its 'epoch' "
                       r"column numbers 1 row\(s\) for epochs the inputs do not have \(counted "
                       r"from 0, as eegpt counts\): 7\."):  # fmt: skip
        load_labelled_epochs([last], labels)


def test_a_labels_csv_with_shuffled_trial_numbers_is_warned_of(tmp_path):
    """A 'trial' column (as BCI files number trials, from 1) is not read: rows out of its
    order are warned of as taken in file order, saying to name the column 'epoch' and that
    its numbers are the epochs' counted from 1; numbers in order, or no numbers, say nothing."""
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(8).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    order = [3, 0, 7, 1, 6, 2, 5, 4]
    labels.write_text("trial,label\n" + "".join(f"{k + 1},c{k}\n" for k in order))
    with pytest.warns(RuntimeWarning, match=r"labels.csv: its 'trial' column numbers the rows 1 "
                      r"to 8 out of order \(line 2: 4, line 3: 1, line 4: 8 \.\.\.\), but is not "
                      r"read: the labels go to the epochs in the order of the file's rows\. If "
                      r"that column numbers the epochs, name it 'epoch' \(its numbers are those of "
                      r"the inputs' epochs counted from 1"):  # fmt: skip
        _, y, _ = load_labelled_epochs([path], labels)
    assert y.tolist() == [f"c{k}" for k in order]  # read in file order, as before
    for header, cells in (("Trial_Number", [k + 1 for k in range(8)]), ("trial", order)):
        labels.write_text(f"{header},label\n" + "".join(f"{c},x{c}\n" for c in cells))
        if header == "trial":  # codes, not row numbers: a label-like column is no number
            labels.write_text("trial,label\n" + "".join(f"t{c},x{c}\n" for c in cells))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            load_labelled_epochs([path], labels)
    labels.write_text("idx,label\n" + "".join(f"{k + 10},c{k}\n" for k in order))
    with pytest.warns(RuntimeWarning, match=r"'idx' column numbers the rows .* name it 'epoch': "):
        load_labelled_epochs([path], labels)  # not the epochs' numbers: not said they are


def test_labels_csv_train_takes_eeglab_epoch_numbers(weights, tmp_path):
    """eegpt probe train --labels with rows numbered 8..1 trains on the labels of their
    epochs, and says it went by the numbers."""
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(8).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    want = ["x"] * 5 + ["y"] * 3
    labels.write_text("epoch,label\n" + "\n".join(f"{k + 1},{want[k]}" for k in range(7, -1, -1)))
    out = tmp_path / "probe"
    with pytest.warns(RuntimeWarning, match=r"labels.csv: its rows are not in the order of the "
                      r"epochs; the labels go to the epochs by its 'epoch' column \(numbered "
                      r"from 1, as EEGLAB counts\)"):  # fmt: skip
        assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                           "--labels", str(labels), "--window", "1", "--passes", "1",
                           "-q"]) == 0  # fmt: skip


def test_a_labels_csv_without_a_label_column_says_what_it_found(tmp_path):
    path = tmp_path / "a-epo.fif"
    _tiny_epochs(3).save(path, verbose=False)
    labels = tmp_path / "labels.csv"
    labels.write_text("epoch;stage\n0;W\n1;N1\n2;N2\n")
    with pytest.raises(ValueError, match=r"labels.csv: a labels CSV \(--labels\) needs a header "
                       r"row with a 'label' column \(any case\), the columns separated by commas, "
                       r"semicolons or tabs; its first line 'epoch;stage' reads as the columns "
                       r"\['epoch', 'stage'\] \(separated by semicolons\)"):  # fmt: skip
        load_labelled_epochs([path], labels)
    labels.write_text("W\nN1\nN2\n")
    with pytest.raises(ValueError, match=r"first line 'W' reads as the columns \['W'\] \(no "
                       r"separator\)\. Add the header 'label' above the labels"):  # fmt: skip
        load_labelled_epochs([path], labels)
    labels.write_text("")
    with pytest.raises(ValueError, match=r"or tabs; it is empty"):
        load_labelled_epochs([path], labels)


def test_evaluate_skip_unknown_leaves_out_and_counts_other_labels(
    model, short_task, tmp_path, capsys
):
    """Epochs labelled with what the probe was not trained on ('Movement time', a blank
    cell) are an error that names --skip-unknown, which leaves them out and says so."""
    train, test = short_task
    folder = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1).save(
        tmp_path / "probe"
    )
    test_file = tmp_path / "test-epo.fif"
    test.save(test_file, verbose=False)
    names = list(epochs_labels(test))
    names[1], names[5], names[7], names[9] = "Movement time", "Sleep stage ?", "", "Movement time"
    labels = tmp_path / "labels.csv"
    labels.write_text("label\n" + "\n".join(names) + "\n")
    run = ["evaluate", str(folder), str(test_file), "--labels", str(labels)]
    assert probe_main([*run, "-q"]) == 1
    assert "probe evaluate: --skip-unknown leaves them out" in capsys.readouterr().err
    names[7] = "standard"
    labels.write_text("label\n" + "\n".join(names) + "\n")
    assert probe_main([*run, "-q"]) == 1
    err = capsys.readouterr().err
    assert "['Movement time', 'Sleep stage ?'] are not among the probe's classes" in err
    assert "or leave the epochs with other labels out of the evaluation with --skip-unknown" in err
    names[7] = "nan"
    labels.write_text("label\n" + "\n".join(names) + "\n")
    metrics_path = tmp_path / "m.json"
    assert probe_main([*run, "--skip-unknown", "-q", "--json", str(metrics_path)]) == 0
    out = capsys.readouterr().out
    assert (
        f"left out 4 of {len(test)} epochs with labels not among the probe's classes "
        "(--skip-unknown): "
        "'Movement time' (2), 'Sleep stage ?' (1), (no label) (1)" in out
    )
    keep = [i for i in range(len(test)) if i not in (1, 5, 7, 9)]
    want = load_probe(folder).evaluate(test[keep], np.array(names)[keep])
    got = json.loads(metrics_path.read_text())
    assert got["n"] == len(test) - 4 and got["n_left_out"] == 4
    assert got["balanced_accuracy"] == pytest.approx(want["balanced_accuracy"])
    # the confusion matrix in the order asked, printed and drawn
    import eegpt.viz_training

    seen: dict = {}
    real = eegpt.viz_training.plot_confusion_matrix

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    figure = tmp_path / "cm.png"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(eegpt.viz_training, "plot_confusion_matrix", spy)
        assert probe_main([*run, "--skip-unknown", "--class-order", "target", "standard",
                           "--plot", str(figure)]) == 0  # fmt: skip
    assert seen["labels"].tolist() == ["target", "standard"]
    printed = capsys.readouterr().out.splitlines()
    header = printed[printed.index("confusion matrix (rows: true, columns: predicted)") + 1]
    assert header.split() == ["target", "standard"]
    assert probe_main([*run, "--class-order", "target", "odd", "-q"]) == 1
    assert (
        "--class-order must name each of the probe's classes ['standard', 'target'] once; "
        "['odd'] are not classes of the probe; ['standard'] are missing"
    ) in capsys.readouterr().err
    only_other = tmp_path / "other.csv"
    only_other.write_text("label\n" + "Movement time\n" * len(test))
    run = ["evaluate", str(folder), str(test_file), "--labels", str(only_other)]
    assert probe_main([*run, "--skip-unknown", "-q"]) == 1
    assert "no epoch has a label among the probe's classes" in capsys.readouterr().err


def test_train_passes_are_not_eeg_epochs(capsys):
    """--passes N: passes over the training epochs; --epochs N, its old name (where "epochs"
    meant passes, not EEG epochs), still runs but is no longer shown."""
    from eegpt.probe_cli import build_parser

    base = ["probe", "train", "a-epo.fif", "--weights", "w", "-o", "out"]
    parser = build_parser()
    assert parser.parse_args(base).passes == 100
    assert parser.parse_args([*base, "--passes", "3"]).passes == 3
    assert parser.parse_args([*base, "--epochs", "4"]).passes == 4
    assert "eegpt probe train: --epochs is now --passes" in capsys.readouterr().err
    assert parser.parse_args([*base, "--passes", "4"]).passes == 4
    assert capsys.readouterr().err == ""  # the new name: no note
    train = parser._subparsers._group_actions[0].choices["probe"]._subparsers._group_actions[0]
    shown = " ".join(train.choices["train"].format_help().split())
    assert "--passes N passes over the training epochs (100;" in shown
    # --epochs-around (epochs cut around markers) is another option; --epochs N is not shown
    assert not re.search(r"--epochs(?!-around)", shown) and "after every pass" in shown


def test_training_progress_counts_batches(model, short_task, monkeypatch):
    """The progress bar of training counts batches (the pass is shown beside it), not EEG
    epochs."""
    import tqdm.auto

    units = []

    def recording_tqdm(*args, **kwargs):
        units.append(kwargs.get("unit"))
        return real(*args, **{**kwargs, "disable": True})

    real = tqdm.auto.tqdm
    monkeypatch.setattr(tqdm.auto, "tqdm", recording_tqdm)
    train_probe(model, short_task[0][:16], preprocessing=ONE_SECOND, epochs=1, progress=True)
    assert "batch" in units and "epoch" not in units


def test_help_counts_from_0_and_says_defaults_plainly():
    """The index columns count from 0 (EEGLAB numbers epochs from 1); --window-labels'
    default and --tail read as sentences."""
    from eegpt.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    probe = commands["probe"]._subparsers._group_actions[0].choices

    def shown(parser):
        return " ".join(parser.format_help().split())

    predict, evaluate, train = (shown(probe[k]) for k in ("predict", "evaluate", "train"))
    assert "epoch (its number in its file, counting from 0 as MNE does: epochs.selection, its " \
           "index in the events array it was cut from, dropped epochs and events of other ids " \
           "counted too;" in predict  # fmt: skip
    assert "epoch + 1 EEGLAB's and MATLAB's number, eegpt export's window_number" in predict
    assert "its column window the window's number counting from 0 (for epochs, MNE's epoch " \
           "number; EEGLAB counts epochs from 1)" in shown(commands["embed"])  # fmt: skip
    for text in (predict, evaluate):
        assert "Default: the labelling the probe was trained with, if any" in text
    assert "trained so" not in predict + evaluate + train
    assert "Default: the labelling" not in train  # no probe yet
    assert "epochs shorter than the window: drop (default) stops with an error" in train
    assert "refused (drop" not in train
    assert "the end of a recording too short to fill a window: drop (default) leaves it out" \
           in shown(commands["embed"])  # fmt: skip


def test_cli_train_predict_evaluate(weights, short_task, tmp_path, capsys, monkeypatch):
    from eegpt import probe_cli_predict

    train, test = short_task
    train_file, test_file = tmp_path / "train-epo.fif", tmp_path / "test-epo.fif"
    train.save(train_file, verbose=False)
    test.save(test_file, verbose=False)
    out = tmp_path / "probe"
    common = ["--window", "1", "--passes", "50", "--lr", "5e-3", "-q", "--no-average-reference"]
    brief = [*common[:3], "3", *common[4:]]  # for the probes whose learning is not checked
    curves = tmp_path / "figs" / "training.png"
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o", str(out),
                       "--val", "0.2", "--plot", str(curves), *common]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "validation (28 epochs)" in printed and f"drew {curves}" in printed
    assert curves.read_bytes().startswith(b"\x89PNG")
    # eegpt info describes the probe folder from its probe.json
    from eegpt.cli import main as eegpt_main

    assert eegpt_main(["info", str(out)]) == 0
    described = capsys.readouterr().out
    assert "EEGPT linear probe (frozen encoder), 2 classes ['standard', 'target']" in described
    assert "windows of 1.0 s at 256.0 Hz (256 samples)" in described
    assert "preprocessing: sfreq 256.0, window_seconds 1.0, overlap 0.0, resample polyphase" in (
        described
    )
    assert "channel projection" not in described and "labels: " not in described
    assert f"checkpoint {weights}" in described and "validation balanced accuracy" in described
    # a figure name matplotlib cannot write is refused before any training
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o",
                       str(tmp_path / "p3"), "--plot", str(tmp_path / "curves.docx")]) == 1  # fmt: skip
    assert "--plot" in capsys.readouterr().err and not (tmp_path / "p3").exists()
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o",
                       str(tmp_path / "p2"), "--patience", "3"]) == 1  # fmt: skip
    assert "--patience (early stopping) needs --val FRACTION" in capsys.readouterr().err
    # validation on other epochs (another session's), with early stopping on them
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o",
                       str(tmp_path / "p4"), "--val-data", str(test_file), "--patience", "2",
                       *brief]) == 0  # fmt: skip
    assert f"validation ({len(test)} epochs)" in capsys.readouterr().out
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o",
                       str(tmp_path / "p5"), "--val", "0.2", "--val-data", str(test_file)]) == 1  # fmt: skip
    assert "give --val FRACTION or --val-data FILE, not both" in capsys.readouterr().err
    # validation on the training file itself (here under another name) is no validation
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o",
                       str(tmp_path / "p6"), "--val-data", str(tmp_path / "." / train_file.name)]) == 1  # fmt: skip
    assert "also given as training data; validation needs epochs the probe is not trained on" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "p6").exists()

    csv_path = tmp_path / "pred.csv"
    computed = []  # the probabilities as computed, to compare the written ones with
    probabilities = probe_cli_predict.probe_probabilities

    def keeping(*args, **kwargs):
        computed.append(probabilities(*args, **kwargs))
        return computed[-1]

    monkeypatch.setattr(probe_cli_predict, "probe_probabilities", keeping)
    assert probe_main(["predict", str(out), str(test_file), "-o", str(csv_path), "-q"]) == 0
    rows = list(csv.DictReader(csv_path.open()))
    # written exactly (6 decimals were off by up to 5e-7, and made ties for an AUROC)
    written = [[float(r["p_standard"]), float(r["p_target"])] for r in rows]
    np.testing.assert_array_equal(np.float32(written), computed[0])
    assert len(rows) == len(test)
    # test = epochs[140:]: numbered 140 ... (epochs.selection), so each one's place follows
    assert list(rows[0]) == ["file", "epoch", "position", "onset_s", "clock_s", "prediction",
                             "label", "p_standard", "p_target"]  # fmt: skip
    assert [int(r["position"]) for r in rows] == list(range(len(test)))
    assert [r["label"] for r in rows] == list(epochs_labels(test))  # the files' event names
    onsets = test.events[:, 0] / test.info["sfreq"] + test.tmin
    np.testing.assert_allclose([float(r["onset_s"]) for r in rows], onsets, atol=1e-6)

    # epochs numbered as MNE numbers them in their file (epochs.selection), as `eegpt embed`
    # numbers its windows: predictions join back to the trials after epochs were dropped
    kept = test.copy().drop([0, 2], verbose=False)
    kept_file = tmp_path / "kept-epo.fif"
    kept.save(kept_file, verbose=False)
    assert probe_main(["predict", str(out), str(kept_file), "-o", str(csv_path), "-q"]) == 1
    assert "pred.csv exists; pass --overwrite to replace it" in capsys.readouterr().err
    assert probe_main(["predict", str(out), str(kept_file), str(test_file), "-o", str(csv_path),
                       "-q", "--overwrite"]) == 0  # fmt: skip
    rows2 = list(csv.DictReader(csv_path.open()))
    epochs_of = [int(r["epoch"]) for r in rows2]
    assert epochs_of == [*kept.selection.tolist(), *test.selection.tolist()]
    assert epochs_of[:3] == [141, 143, 144]  # test = epochs[140:]; its first and third dropped
    # each epoch's place among its file's epochs (kept.get_data()[position]), per file
    places = [int(r["position"]) for r in rows2]
    assert places == [*range(len(kept)), *range(len(test))]
    assert [r["prediction"] for r in rows2[len(kept) :]] == [r["prediction"] for r in rows]

    # labels from a metadata column (the usual ERP case) instead of the event names
    test.metadata = pd.DataFrame(
        {"condition": np.where(epochs_labels(test) == "target", "odd", "std")}
    )
    test.save(test_file, overwrite=True, verbose=False)
    args = ["predict", str(out), str(test_file), "-o", str(csv_path), "-q", "--overwrite"]
    assert probe_main([*args, "--label-column", "condition"]) == 0
    assert {r["label"] for r in csv.DictReader(csv_path.open())} == {"odd", "std"}
    assert probe_main([*args, "--label-column", "rt"]) == 1
    assert (
        "--label-column 'rt' is not a column of the epochs' metadata (columns ['condition'])"
        in (capsys.readouterr().err)
    )
    # a probe trained on a column reads its labels from that column by default
    train.metadata = pd.DataFrame(
        {"condition": np.where(epochs_labels(train) == "target", "odd", "std")}
    )
    train.save(train_file, overwrite=True, verbose=False)
    by_column = tmp_path / "by-column"
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o",
                       str(by_column), "--label-column", "condition", *brief]) == 0  # fmt: skip
    capsys.readouterr()
    assert eegpt_main(["info", str(by_column)]) == 0
    assert "labels: the epochs' metadata column 'condition'" in capsys.readouterr().out
    assert probe_main(["evaluate", str(by_column), str(test_file)]) == 0
    captured = capsys.readouterr()
    assert "BAC" in captured.out and "metadata column 'condition', as in training" in captured.err
    assert probe_main(["predict", str(by_column), str(kept_file), "-q"]) == 0  # no such column
    assert "label" not in capsys.readouterr().out.splitlines()[0].split(",")
    # with one file that has the column and one that lacks it: labels where there are some
    assert probe_main(["predict", str(by_column), str(test_file), str(kept_file), "-q"]) == 0
    mixed = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert {r["label"] for r in mixed[: len(test)]} == {"odd", "std"}
    assert {r["label"] for r in mixed[len(test) :]} == {""}
    assert probe_main(["evaluate", str(by_column), str(kept_file), "-q"]) == 1
    assert (
        "trained on labels from the epochs' metadata column 'condition'" in capsys.readouterr().err
    )
    # an .npz brings its own y, whatever column the probe was trained on
    tagged = tmp_path / "tagged.npz"
    np.savez(tagged, X=test.get_data(), ch_names=np.array(test.ch_names), sfreq=250.0,
             y=test.metadata["condition"].to_numpy().astype(str))  # fmt: skip
    assert probe_main(["evaluate", str(by_column), str(tagged), "-q"]) == 0
    untagged = tmp_path / "untagged.npz"  # ... or is told to add one
    np.savez(untagged, X=test.get_data(), ch_names=np.array(test.ch_names), sfreq=250.0)
    assert probe_main(["evaluate", str(by_column), str(untagged), "-q"]) == 1
    assert "add y to the .npz or pass --labels" in capsys.readouterr().err

    # a channel marked bad in the new file: said so (the CLI merges its inputs)
    marked = test.copy()
    marked.info["bads"] = [marked.ch_names[3]]
    marked_file = tmp_path / "marked-epo.fif"
    marked.save(marked_file, verbose=False)
    assert probe_main(["evaluate", str(out), str(marked_file), str(test_file), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"['{marked.ch_names[3]}'] are marked bad here" in err and "rename" not in err

    metrics_path = tmp_path / "metrics.json"
    figure = tmp_path / "confusion.svg"
    assert probe_main(["evaluate", str(out), str(test_file), "--json", str(metrics_path),
                       "--plot", str(figure), "--normalize", "true"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "BAC" in printed and "confusion matrix" in printed and f"drew {figure}" in printed
    assert figure.read_bytes().startswith(b"<?xml")
    import eegpt.viz_training

    seen: dict = {}
    real = eegpt.viz_training.plot_confusion_matrix

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:  # a random encoder's probe is marked as such
        mp.setattr(eegpt.viz_training, "plot_confusion_matrix", spy)
        assert probe_main(["evaluate", str(out), str(test_file), "--plot", str(figure),
                           "--overwrite"]) == 0  # fmt: skip
    assert "pretrained" in seen and seen["pretrained"] == load_probe(out).encoder.get("pretrained")
    assert probe_main(["evaluate", str(out), str(test_file), "--normalize", "true"]) == 1
    assert "--normalize applies to the figure: give --plot FILE" in capsys.readouterr().err
    metrics = json.loads(metrics_path.read_text())
    assert metrics["balanced_accuracy"] >= 0.75
    predicted = [r["prediction"] for r in rows]
    assert metrics["accuracy"] == pytest.approx(np.mean(np.array(predicted) == epochs_labels(test)))

    # .npz input with a labels CSV, and a readable error for a missing file
    npz = tmp_path / "test.npz"
    np.savez(npz, X=test.get_data() * 1e6, ch_names=np.array(test.ch_names), sfreq=250.0,
             units="uV")  # fmt: skip
    labels = tmp_path / "labels.csv"
    labels.write_text("label\n" + "\n".join(epochs_labels(test)) + "\n")
    assert probe_main(["evaluate", str(out), str(npz), "--labels", str(labels), "-q"]) == 0
    assert f"(n={len(test)})" in capsys.readouterr().out

    # A file in microvolts without its unit and with a channel named otherwise: --rescale and
    # --rename correct it to the same metrics, without the amplitude warning.
    names = list(test.ch_names)
    orig, names[0] = names[0], "EEG 14"
    odd = tmp_path / "odd.npz"
    np.savez(odd, X=test.get_data() * 1e6, ch_names=np.array(names), sfreq=250.0)
    ref_json, odd_json = tmp_path / "ref.json", tmp_path / "odd.json"
    run = ["evaluate", str(out), "--labels", str(labels), "-q", "--overwrite", "--json"]
    assert probe_main([*run, str(ref_json), str(npz)]) == 0
    fix = ["--rescale", "1e-6", "--rename", f"EEG 14={orig}"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main([*run, str(odd_json), str(odd), *fix]) == 0
    assert not [w for w in caught if "amplitude check" in str(w.message)]
    ref, got = json.loads(ref_json.read_text()), json.loads(odd_json.read_text())
    # marked as evaluate --json's; the metrics at the top level, their provenance beside
    # them (of other files)
    assert ref.pop("format") == got.pop("format") == "eegpt-probe-evaluation/1"
    ref_from, got_from = ref.pop("provenance"), got.pop("provenance")
    assert [r["name"] for r in (ref_from["inputs"][0], got_from["inputs"][0])] == [
        "test.npz",
        "odd.npz",
    ]
    # nested, or no number (the unit scored): the same predictions, exactly
    for key in ("per_class", "confusion_matrix", "scored", "epoch_seconds"):
        assert got.pop(key) == ref.pop(key)
    assert got == pytest.approx(ref, rel=1e-6)
    assert probe_main(["predict", str(out), str(odd), *fix, "-q"]) == 0
    with pytest.warns(RuntimeWarning, match=r"amplitude check.*--rescale 1e-06"):
        assert probe_main([*run, str(odd_json), str(odd), "--rename", f"EEG 14={orig}"]) == 0
    assert probe_main([*run, str(odd_json), str(odd), "--rescale", "1e-6"]) == 1
    assert (
        f"map it with rename={{'EEG 14': {orig!r}}} (command line: --rename 'EEG 14={orig}')"
        in (capsys.readouterr().err)
    )

    # event names that are not the probe's classes: where labels come from, how to give others
    other = test.copy()
    other.event_id = {"T1": 1, "T2": 2}
    other_file = tmp_path / "other-epo.fif"
    other.save(other_file, verbose=False)
    assert probe_main(["evaluate", str(out), str(other_file), "-q"]) == 1
    err = capsys.readouterr().err
    said = "['T1', 'T2'] are not among the probe's classes ['standard', 'target']: the labels"
    assert f"{said} are the epochs' event names" in err
    assert "--labels FILE.csv" in err and "--label-column NAME" in err
    assert "epochs.event_id = {'standard': CODE, 'target': CODE}" in err
    assert "y=" not in err  # no Python keyword where none can be given
    wrong = tmp_path / "wrong.csv"  # labels from a file: the file is what to fix
    wrong.write_text("label\n" + "left\n" * len(other))
    assert probe_main(["evaluate", str(out), str(other_file), "--labels", str(wrong), "-q"]) == 1
    err = capsys.readouterr().err
    assert (
        f"['left'] are not among the probe's classes ['standard', 'target']: the labels "
        f"are the 'label' column of {wrong}; write them as the probe's classes there" in err
    )
    assert "--labels FILE.csv" not in err and "epochs.event_id" not in err

    assert probe_main(["evaluate", str(out), str(tmp_path / "missing-epo.fif")]) == 1
    assert "eegpt: error: no such file" in capsys.readouterr().err
    assert probe_main(["train", str(npz), "--weights", str(weights), "-o", str(out)]) == 1
    assert "already holds a probe" in capsys.readouterr().err


@pytest.mark.parametrize("epochs", [1, 3, 5])
def test_few_training_steps(model, short_task, cache, epochs):
    """One batch per epoch: a warm-up of 1 step (5 x 0.2) once divided by zero in OneCycleLR."""
    train = short_task[0][:40]
    probe = train_probe(model, train, preprocessing=ONE_SECOND, epochs=epochs, cache=cache)
    assert len(probe.history) == epochs
    assert all(np.isfinite(row["train_loss"]) for row in probe.history)


def test_missing_scikit_learn_is_a_user_error(monkeypatch):
    import sys

    from eegpt.errors import USER_ERRORS, MissingDependencyError
    from eegpt.probe import sklearn_metrics

    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now raises ImportError
    with pytest.raises(
        MissingDependencyError, match=r"pip install scikit-learn \(from a clone"
    ) as info:
        sklearn_metrics()
    assert isinstance(info.value, USER_ERRORS) and isinstance(info.value, ImportError)


def test_label_problems_are_named(model, task, cache):
    train, test = task
    y = np.array(epochs_labels(train), dtype=object)
    y[[3, 7]] = None
    with pytest.raises(ValueError, match=r"2 missing label\(s\) \(None/NaN\) at epoch\(s\) 3, 7"):
        train_probe(model, train, y)
    codes = train.events[:, 2].astype(float)
    codes[0] = np.nan
    with pytest.raises(ValueError, match=r"missing label.*at epoch\(s\) 0"):
        train_probe(model, train, codes)
    # labels read as text (a CSV file) for a probe of event codes, and the reverse
    by_code = train_probe(model, train, train.events[:, 2], cache=cache, **BRIEF)
    text = [str(c) for c in test.events[:, 2]]
    assert by_code.evaluate(test, text, cache=cache) == by_code.evaluate(
        test, test.events[:, 2], cache=cache
    )
    with pytest.raises(ValueError, match=r"event codes: pass y=epochs.events\[:, 2\]"):
        by_code.evaluate(test, cache=cache)  # y from the event names
    # BrainVision markers come as 'Comment/target': the hint names MNE's tags and the fixes
    tagged = test.copy()
    tagged.event_id = {f"Comment/{name}": code for name, code in test.event_id.items()}
    by_name = train_probe(model, train, cache=cache, **BRIEF)
    with pytest.raises(ValueError, match="only by MNE's '/'-separated tags") as err:
        by_name.evaluate(tagged, cache=cache)
    assert "'Comment/target' as 'target'" in str(err.value)


def _other_site(epochs, sfreq=500.0):
    """The same epochs as another site records them: other channel names, another rate."""
    other = epochs.copy().load_data().resample(sfreq, verbose=False)
    other.rename_channels({n: f"EEG {n.upper()}-REF" for n in other.ch_names})
    return other


def test_epochs_of_several_sites_merge_by_electrode(short_task):
    train, _ = short_task
    a, b = train[:30], train[30:60]
    rec_a, rec_b = as_recording(a), as_recording(b)
    stacked = merge_epochs([rec_a, rec_b])  # same names and rate: stacked as they are
    np.testing.assert_array_equal(stacked.data, np.concatenate([rec_a.data, rec_b.data]))
    assert rec_a.source == rec_b.source == stacked.source  # pieces of one Epochs: its name
    files = [dataclasses.replace(rec_a, source="a-epo.fif"), dataclasses.replace(rec_b, source="b")]
    assert merge_epochs(files).source == "2 inputs"
    merged = merge_epochs([rec_a, as_recording(_other_site(b))], preprocessing=ONE_SECOND)
    assert merged.ch_names == rec_a.ch_names and merged.sfreq == 256.0
    np.testing.assert_allclose(merged.data[:30], resample(rec_a.data, 250.0, 256.0))
    assert merged.data.shape == (60, len(rec_a.ch_names), 256)
    fewer = as_recording(_other_site(b).drop_channels(["EEG CZ-REF"]))
    with pytest.raises(ValueError, match=r"the first input has .*\['Cz'\] are missing"):
        merge_epochs([rec_a, fewer])
    # channels marked bad in one input: repaired, or left out of every input as the error says
    marked = b.copy()
    marked.info["bads"] = ["Cz", "F3"]
    with pytest.warns(RuntimeWarning, match="marked bad were left out"):
        bad = as_recording(marked)
    with pytest.raises(ValueError, match=r"\['F3', 'Cz'\] are marked bad here") as err:
        merge_epochs([rec_a, bad])
    assert "interpolate_bads(reset_bads=True)" in str(err.value)
    leave_out = "rename={'F3': None, 'Cz': None}; command line: --drop F3 --drop Cz"
    assert (
        f"train on the channels all inputs share, leaving these out of every input ({leave_out})"
        in (str(err.value))
    )
    shared = merge_epochs([rec_a, bad], rename={"F3": None, "Cz": None})
    assert len(shared.ch_names) == len(rec_a.ch_names) - 2
    # a rename key neither input has is ignored by each, so it is named once for all
    sites = [rec_a, as_recording(_other_site(b))]
    with pytest.warns(RuntimeWarning, match=r"\['eeg cz-ref'\] matched no channel of the 2"):
        merge_epochs(sites, rename={"eeg cz-ref": None}, preprocessing=ONE_SECOND)
    with pytest.warns(RuntimeWarning, match=r"Did you mean: 'eeg cz-ref' -> 'EEG CZ-REF'\?"):
        merge_epochs(sites, rename={"eeg cz-ref": None}, preprocessing=ONE_SECOND)


def test_probe_trains_on_sites_with_other_names_and_rates(model, weights, short_task, tmp_path):
    train, test = short_task
    both = [train[:70], _other_site(train[70:])]
    y = np.concatenate([epochs_labels(e) for e in both])
    probe = train_probe(model, both, y, preprocessing=ONE_SECOND, cache=False, **FAST)
    assert probe.evaluate([test[:30], _other_site(test[30:])], cache=False)["n"] == len(test)
    # the command line: two files of two sites, one --rename for a channel of one of them
    files = [tmp_path / "site1-epo.fif", tmp_path / "site2-epo.fif"]
    both[0].save(files[0], verbose=False)
    both[1].rename_channels({"EEG FZ-REF": "Fz_site2"}).save(files[1], verbose=False)
    assert probe_main(["train", *map(str, files), "--weights", str(weights), "-o",
                       str(tmp_path / "probe"), "--window", "1", "--passes", "3", "-q",
                       "--rename", "Fz_site2=Fz"]) == 0  # fmt: skip


def test_balanced_class_weights(model, short_task, cache):
    np.testing.assert_allclose(
        balanced_class_weights(np.array([0, 0, 0, 1]), 3), [4 / 9, 4 / 3, 4 / 3], rtol=1e-6
    )
    train, _ = short_task
    common = dict(preprocessing=ONE_SECOND, cache=cache, epochs=3, max_lr=5e-3)
    plain = train_probe(model, train, **common)
    balanced = train_probe(model, train, class_weight="balanced", **common)
    assert balanced.config.class_weight == "balanced"
    assert ProbeConfig.from_dict(balanced.config.to_dict()) == balanced.config
    losses = [[row["train_loss"] for row in p.history] for p in (plain, balanced)]
    assert losses[0] != losses[1]  # the oddball task: its rare targets weigh more
    with pytest.raises(ValueError, match="class_weight"):
        ProbeConfig(class_weight="inverse")


def test_an_epochs_array_without_names_says_what_to_pass(probe, task):
    with pytest.raises(ValueError, match=r"needs its channel names and sampling rate.*ch_names="):
        probe.predict(task[1].get_data())


def test_probe_figures(probe, task, cache):
    """The probe's own figures: learning curves of its history, and the confusion matrix of its
    predictions in the order of classes_ (labels from the epochs' events)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, test = task
    try:
        fig = probe.plot_training()
        assert len(fig.axes) == 2 and len(fig.axes[0].lines) >= 2
        assert probe.training["kept_epoch"] == len(probe.history)  # no early stopping
        fig = probe.plot_confusion_matrix(test, cache=cache)
        counts = fig.axes[0].images[0].get_array()
        assert counts.sum() == len(test)
        pred = probe.predict(test, cache=cache)
        truth = epochs_labels(test)
        assert counts[1, 1] == np.sum((truth == "target") & (pred == "target"))
        bac = probe.evaluate(test, cache=cache)["balanced_accuracy"]
        assert fig.axes[0].get_title().endswith(f"balanced accuracy {100 * bac:.1f}%")
        with pytest.raises(ValueError, match="not among the probe's classes"):
            probe.plot_confusion_matrix(test, ["x"] * len(test), cache=cache)
        # the classes in another order, as in eegpt.viz.plot_confusion_matrix
        order = probe.classes_.tolist()[::-1]
        ax = probe.plot_confusion_matrix(test, labels=order, cache=cache).axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == order
        np.testing.assert_array_equal(ax.images[0].get_array(), counts[::-1, ::-1])
    finally:
        plt.close("all")


def test_probe_config_repr_names_what_differs_from_the_recipe():
    assert repr(ProbeConfig()) == "ProbeConfig()"
    config = ProbeConfig(max_lr=5e-3, patience=3)
    assert repr(config) == "ProbeConfig(max_lr=0.005, patience=3)"
    assert eval(repr(config)) == config  # noqa: S307 - a repr that rebuilds the value


@pytest.mark.parametrize(
    ("keyword", "field", "option"),
    [("passes", "epochs", "--passes"), ("lr", "max_lr", "--lr"),
     ("train_batch_size", "batch_size", "--train-batch-size")],
)  # fmt: skip
def test_probe_config_names_the_field_of_a_command_line_name(keyword, field, option):
    """probe train's --passes, --lr and --train-batch-size are ProbeConfig's epochs, max_lr
    and batch_size: ProbeConfig(passes=1) failed with Python's bare "unexpected keyword
    argument 'passes'"; the TypeError names the field and the option, and train_probe's
    keywords (ProbeConfig.replace) say it too. A misspelt field is named as before."""
    with pytest.raises(TypeError, match=rf"ProbeConfig\(\) got an unexpected keyword argument "
                       rf"'{keyword}': did you mean '{field}' \(the command line's {option}\)"):  # fmt: skip
        ProbeConfig(**{keyword: 1})
    with pytest.raises(ValueError, match=rf"'{keyword}': did you mean '{field}' \(.*{option}\)"):
        ProbeConfig().replace(**{keyword: 1})
    with pytest.raises(TypeError, match=r"'epoch': did you mean 'epochs'\? Its settings: "):
        ProbeConfig(epoch=1)  # type: ignore[call-arg]
    assert ProbeConfig(**{field: 2}) == ProbeConfig().replace(**{field: 2})  # fields still taken


@pytest.mark.parametrize(
    ("option", "value", "said"),
    [("--lr", "inf", "max_lr must be a finite number above 0, got inf (command line: --lr)"),
     ("--weight-decay", "nan", "weight_decay must be a finite number, 0 or more, got nan "
      "(command line: --weight-decay)")],
)  # fmt: skip
def test_a_recipe_value_not_finite_is_refused_before_any_recording_is_read(
    option, value, said, tmp_path
):
    """probe train --lr inf trained to NaN weights (an error after every pass), and
    --weight-decay nan failed in torch's AdamW ("Invalid weight_decay value: nan") after the
    recordings were read and embedded: ProbeConfig refuses them, naming the option, and train
    checks its recipe before reading anything (the recording here does not exist)."""
    missing = tmp_path / "never-read_raw.fif"
    with pytest.raises(ValueError) as caught:
        probe_main(["--debug", "train", str(missing), "--weights", str(tmp_path / "w"),
                    "-o", str(tmp_path / "p"), option, value])  # fmt: skip
    assert said in str(caught.value)
    with pytest.raises(ValueError, match="max_lr must be a finite number above 0"):
        ProbeConfig(max_lr=float("inf"))


def test_an_infinite_max_norm_is_no_constraint_and_its_probes_load(model, short_task, tmp_path):
    """A max norm of inf (no constraint: torch's renorm leaves every row as it is) was
    accepted, and probes trained and saved with it loaded; the check of the non-finite
    --lr refused it too, so such a probe.json no longer loaded. It is accepted again; NaN
    and 0 are still refused."""
    inf = float("inf")
    probe = train_probe(model, short_task[0][:20], epochs=1, max_norm1=inf, max_norm2=inf,
                        preprocessing=ONE_SECOND, verbose="error")  # fmt: skip
    loaded = load_probe(probe.save(tmp_path / "probe"), model)
    assert loaded.config.max_norm1 == loaded.config.max_norm2 == inf
    assert ProbeConfig(chan_proj_max_norm=inf).chan_proj_max_norm == inf
    for bad in (float("nan"), 0.0):
        with pytest.raises(ValueError, match=r"max_norm1 must be a number above 0 \(inf: no"):
            ProbeConfig(max_norm1=bad)


def test_a_cap_rename_with_a_bad_socket_trains_and_predicts(model):
    """rename="biosemi64" on epochs with a bad socket and an EOG channel (the usual BioSemi
    recording): the bad socket is skipped, not taken for a wrong cap, in training, prediction
    and the scikit-learn classifier."""
    from eegpt.sklearn import EEGPTClassifier

    sockets = [f"A{i}" for i in range(1, 33)] + [f"B{i}" for i in range(1, 33)]
    info = mne.create_info([*sockets, "EXG1"], 256.0, ["eeg"] * 64 + ["eog"])
    info["bads"] = ["A10"]
    y = np.repeat([0, 1], 6)
    x = np.random.default_rng(0).normal(0, 2e-5, (12, 65, 256))
    events = np.c_[np.arange(12) * 300, np.zeros(12, int), y + 1]
    epochs = mne.EpochsArray(x, info, events=events, event_id={"l": 1, "r": 2}, verbose=False)
    one_second = PreprocessingConfig(window_seconds=1.0)
    with pytest.warns(RuntimeWarning, match="marked bad were left out"):
        probe = train_probe(model, epochs, rename="biosemi64", preprocessing=one_second,
                            config=ProbeConfig(epochs=2))  # fmt: skip
        assert len(probe.predict(epochs, rename="biosemi64")) == 12
        clf = EEGPTClassifier(model=model, rename="biosemi64", preprocessing=one_second,
                              config=ProbeConfig(epochs=2)).fit(epochs, y)  # fmt: skip
        assert len(clf.predict(epochs)) == 12
    assert "A10" not in probe.input_names and len(probe.input_names) > 55


def test_a_probe_warns_once_about_the_same_data(model):
    """predict, evaluate and the confusion matrix on the same epochs: one warning about a
    channel left out, not one per call (a notebook's wall of repeats)."""
    names = ["FP1", "FP2", "C3", "CZ", "C4", "O1"]
    info = mne.create_info(names, 256.0, "eeg")
    y = np.repeat([0, 1], 6)
    x = np.random.default_rng(0).normal(0, 2e-5, (12, 6, 256))
    events = np.c_[np.arange(12) * 300, np.zeros(12, int), y + 1]
    epochs = mne.EpochsArray(x, info, events=events, event_id={"l": 1, "r": 2}, verbose=False)
    probe = train_probe(model, epochs, preprocessing=PreprocessingConfig(window_seconds=1.0),
                        config=ProbeConfig(epochs=1))  # fmt: skip
    marked = epochs.copy()
    marked.info["bads"] = ["O1"]
    with pytest.warns(RuntimeWarning) as caught:
        with pytest.raises(ValueError, match="marked bad"):  # the probe needs O1
            probe.predict(marked)
        with pytest.raises(ValueError, match="marked bad"):
            probe.evaluate(marked)
    assert sum("marked bad were left out" in str(w.message) for w in caught) == 1


def test_labels_of_lazy_epochs_with_rejection_are_those_of_the_epochs_embedded():
    """Epochs read lazily with ``reject=``: MNE drops the bad ones when their data is first
    read, so the labels come after that check, one per epoch embedded."""
    import mne

    raw, events, event_id = synthetic_erp_raw(30)
    for i in (3, 10, 11):
        raw._data[:, events[i, 0] + 100 : events[i, 0] + 120] += 500e-6
    sfreq = raw.info["sfreq"]
    epochs = mne.Epochs(raw, events, event_id, tmin=-0.5, tmax=3.5 - 1 / sfreq, baseline=None,
                        preload=False, reject=dict(eeg=200e-6), verbose=False)  # fmt: skip
    labels = epochs_labels(epochs)
    assert len(labels) == len(epochs) == 27
    kept = np.setdiff1d(np.arange(30), [3, 10, 11])
    names = {code: name for name, code in event_id.items()}
    assert list(labels) == [names[c] for c in events[kept, 2]]


def test_a_checkpoint_given_as_a_probe_is_told_apart(tmp_path, capsys):
    """`eegpt probe predict CHECKPOINT ...` says probes are folders and where a checkpoint's
    head is used instead."""
    ckpt = tmp_path / "bcic2a.ckpt"
    ckpt.write_bytes(b"not read")
    epochs = tmp_path / "x-epo.fif"
    _tiny_epochs(2).save(epochs, verbose=False)
    assert probe_main(["predict", str(ckpt), str(epochs)]) == 1
    err = capsys.readouterr().err
    assert f"no probe at {ckpt} ({ckpt} is a file): probes are the folders" in err
    assert "eegpt.load_model(path), and model(x) gives its logits" in err


def test_the_training_functions_state_the_class_balance_thresholds():
    """train_probe, finetune and EEGPTClassifier.fit say when they warn of the classes'
    balance, with the values of the constants the warning uses."""
    from eegpt.finetune import finetune
    from eegpt.sklearn import EEGPTClassifier
    from eegpt.training import FEW_EPOCHS, IMBALANCE_RATIO

    for function in (train_probe, finetune, EEGPTClassifier.fit):
        text = " ".join(function.__doc__.split())
        assert f"FEW_EPOCHS` ({FEW_EPOCHS}) training epochs" in text, function
        assert f"IMBALANCE_RATIO` ({IMBALANCE_RATIO:g}) times the epochs" in text, function


def test_imbalanced_classes_and_thin_validation_splits_are_said(
    model, weights, short_task, cache, tmp_path, capsys
):
    """33 'standard' and 2 'target' epochs: a probe that always says 'standard' is 94%
    accurate. Training names the rare class and the imbalance (and class_weight='balanced'),
    a validation half that leaves 1 'target' epoch on each side, and its summary gives the
    balanced accuracy beside the plain one."""
    train, _ = short_task
    skewed = mne.concatenate_epochs([train["standard"][:33], train["target"][:2]], verbose=False)
    common = dict(preprocessing=ONE_SECOND, cache=cache, epochs=3, max_lr=5e-3)
    with pytest.warns(RuntimeWarning) as caught:
        probe = train_probe(model, skewed, **common)
    said = [str(w.message) for w in caught if "training epochs per class" in str(w.message)]
    assert len(said) == 1, said
    assert (
        "training epochs per class: 'standard' 33, 'target' 2. 'target' has fewer than 5"
        in (said[0])
    )
    assert "always predicts 'standard' is 94.3% accurate" in said[0]
    assert "class_weight='balanced' (command line: --class-weight balanced)" in said[0]
    assert {"train_accuracy", "train_balanced_accuracy"} <= set(probe.history[-1])
    with pytest.warns(RuntimeWarning) as caught:  # weighted: the rare class only
        train_probe(model, skewed, class_weight="balanced", **common)
    said = [str(w.message) for w in caught if "training epochs per class" in str(w.message)]
    assert len(said) == 1 and "fewer than 5" in said[0] and "imbalanced" not in said[0]
    with pytest.warns(RuntimeWarning, match=r"leaves 'target' 1 for training and 1 for valid"):
        train_probe(model, skewed, validation=0.5, class_weight="balanced", **common)
    # the command line: each said once, and the summary's BAC
    path = tmp_path / "skewed-epo.fif"
    skewed.save(path, verbose=False)
    run = ["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "probe"),
           "--window", "1", "--passes", "3", "--val", "0.5", "-q"]  # fmt: skip
    with pytest.warns(RuntimeWarning) as caught:
        assert probe_main(run) == 0
    said = [str(w.message) for w in caught]
    assert sum("--class-weight balanced" in m for m in said) == 1, said
    assert sum("(validation=0.5, command line: --val 0.5)" in m for m in said) == 1, said
    printed = capsys.readouterr().out  # the kept pass: validation, then training scores
    assert "balanced accuracy (BAC)" in printed
    assert "BAC on the training epochs during that pass" in printed


def test_training_classes_that_differ_only_by_tags_are_said(model, weights, short_task, tmp_path):
    """Epochs read with mne.read_epochs_eeglab are named by all the events each holds, joined
    with '/': 'standard/artifact' and 'target/target' would be classes of their own.
    Training says so as evaluation does, in Python and on the command line (once)."""
    train, _ = short_task
    events = train[:40].events.copy()
    events[np.flatnonzero(events[:, 2] == 1)[0], 2] = 3  # one epoch of each tagged further
    events[np.flatnonzero(events[:, 2] == 2)[0], 2] = 4
    event_id = {"standard": 1, "target": 2, "standard/artifact": 3, "target/target": 4}
    tagged = mne.EpochsArray(train[:40].get_data(), train.info, events, event_id=event_id,
                             verbose=False)  # fmt: skip
    common = dict(preprocessing=ONE_SECOND, cache=False, epochs=1)
    with pytest.warns(RuntimeWarning) as caught:
        train_probe(model, tagged, **common)
    said = [str(w.message) for w in caught if "'/'-separated tags" in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in caught]
    assert "'standard/artifact' and 'standard', 'target/target' and 'target'" in said[0]
    assert "'standard/artifact' as 'standard'" in said[0]  # the evaluation's advice
    assert "are classes of their own" in said[0] and "--labels CSV or --label-column" in said[0]
    path = tmp_path / "tagged-epo.fif"
    tagged.save(path, verbose=False)
    run = ["train", str(path), "--weights", str(weights), "-o", str(tmp_path / "probe"),
           "--window", "1", "--passes", "1", "-q"]  # fmt: skip
    with pytest.warns(RuntimeWarning) as caught:
        assert probe_main(run) == 0
    assert sum("'/'-separated tags" in str(w.message) for w in caught) == 1


def test_probe_commands_name_the_set_file_of_an_eeglab_data_file(weights, probe, tmp_path, capsys):
    """train and evaluate given EEGLAB's .fdt (the samples alone) say to give its .set, as
    embed and predict do, not that the file holds no epochs."""
    fdt = tmp_path / "sub-02.fdt"
    fdt.write_bytes(b"\0" * 64)
    (tmp_path / "sub-02.set").write_bytes(b"")
    folder = probe.save(tmp_path / "probe")
    runs = [
        ["train", str(fdt), "--weights", str(weights), "-o", str(tmp_path / "out"), "-q"],
        ["evaluate", str(folder), str(fdt), "-q"],
    ]
    for run in runs:
        assert probe_main(run) == 1
        err = capsys.readouterr().err
        assert f"{fdt} is the data file of an EEGLAB recording" in err, run
        assert f"give {tmp_path / 'sub-02.set'} instead" in err and "not epochs" not in err


def test_probe_train_takes_a_rename_table_for_epochs_of_some_of_its_channels(weights, tmp_path):
    """`eegpt probe train motor-epo.fif --rename TABLE`: epochs of five of BCI Competition IV
    2a's 22 channels picked; the table's other labels are ignored (a file or the built-in)."""
    names = ["EEG-C3", "EEG-Cz", "EEG-C4", "EEG-5", "EEG-8"]
    x = np.random.default_rng(0).normal(0, 2e-5, (12, len(names), 256))
    events = np.c_[np.arange(12) * 300, np.zeros(12, int), np.arange(12) % 2 + 1]
    motor = mne.EpochsArray(x, mne.create_info(names, 256.0, "eeg"), events=events,
                            event_id={"left": 1, "right": 2}, verbose=False)  # fmt: skip
    path = tmp_path / "motor-epo.fif"
    motor.save(path, verbose=False)
    table = Path(__file__).parents[1] / "examples" / "bcic2a_channels.tsv"
    for i, rename in enumerate((str(table), "bci-iv-2a")):
        out = tmp_path / f"probe{i}"
        assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                           "--passes", "1", "--window", "1", "-q", "--rename", rename]) == 0  # fmt: skip
        assert load_probe(out).input_names == ("C3", "CZ", "C4", "C5", "C6")


def test_a_probe_keeps_its_training_warnings_and_the_training_data_s_amplitude(model, tmp_path):
    """Trained on microvolts passed as volts: the amplitude warning is kept in probe.json and
    shown by `eegpt info`; predictions on volts, a millionth of the training data's amplitude,
    are warned about."""
    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    x, y = epochs.get_data(), epochs_labels(epochs)
    kwargs = dict(ch_names=epochs.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    with pytest.warns(RuntimeWarning, match="amplitude check"):
        probe = train_probe(model, x * 1e6, y, config=ProbeConfig(epochs=1), **kwargs)
    assert any("amplitude check" in text for text in probe.training["warnings"])
    probe.save(tmp_path / "p")
    shown = describe_probe(tmp_path / "p")
    assert "WARNINGS when trained (" in shown and "amplitude check" in shown
    with pytest.warns(RuntimeWarning, match=r"typical amplitude is 1.00e-06 times that of"):
        load_probe(tmp_path / "p", model).predict(x, ch_names=epochs.ch_names, sfreq=250.0)
    chance = "the probe stayed at chance"  # random weights: whether it says so varies by device
    with warnings.catch_warnings():  # data like the training data's: nothing to say
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=chance)
        clean = train_probe(model, x, y, config=ProbeConfig(epochs=1), **kwargs)
        assert [text for text in clean.training["warnings"] if chance not in text] == []
        clean.predict(x * 1.5, ch_names=epochs.ch_names, sfreq=250.0)


def test_eegpt_info_shows_a_linear_probe_s_training_settings(model, tmp_path):
    """`eegpt info PROBE` lists the settings a paper reports of a linear probe's training, as
    it does for a fine-tuning (they were in probe.json only)."""
    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    config = ProbeConfig(epochs=1, batch_size=8, max_lr=1e-3, seed=3, class_weight="balanced")
    probe = train_probe(model, epochs, config=config, preprocessing=ONE_SECOND)
    shown = describe_probe(probe.save(tmp_path / "p"))
    assert (
        "  training: max_lr 0.001, weight_decay 0.01, pct_start 0.2, batch size 8, "
        "class_weight balanced, seed 3, precision float32; no validation; 1 pass (of at most "
        "1) run\n"
    ) in shown, shown


def test_eegpt_info_shows_a_linear_probe_s_validation_and_early_stop(model, tmp_path, capsys):
    """`eegpt info PROBE` says how a linear probe was validated and whether it stopped early,
    as it does for a fine-tuning (the record was there; only fine-tunings showed it)."""
    from eegpt.cli import main

    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    config = ProbeConfig(epochs=3, batch_size=8, patience=1)
    probe = train_probe(model, epochs, config=config, preprocessing=ONE_SECOND, validation=0.25)
    probe.training.update(epochs_run=2, stopped_early=True)  # as an early stop leaves it
    assert main(["info", str(probe.save(tmp_path / "p"))]) == 0
    shown = capsys.readouterr().out
    assert (
        "precision float32; validation fraction 0.25 (epochs at random); 2 passes (of at most "
        "3) run, stopped early at pass 2\n"
    ) in shown, shown


def test_probe_train_on_microvolts_keeps_the_warning_for_eegpt_info(weights, tmp_path, capsys):
    """`eegpt probe train` on a file of microvolts (no --rescale), then `eegpt info PROBE` and
    `eegpt probe evaluate` on a file in volts: the warning is shown again, and the scales
    said to differ."""
    from eegpt.cli import main

    epochs = synthetic_erp_epochs(16, seed=6, seconds=1.0, tmin=-0.2)
    volts, micro = tmp_path / "v-epo.fif", tmp_path / "uv-epo.fif"
    epochs.save(volts, verbose=False)
    epochs.copy().apply_function(lambda x: x * 1e6).save(micro, verbose=False)
    out = tmp_path / "probe"
    with pytest.warns(RuntimeWarning, match="amplitude check"):
        assert probe_main(["train", str(micro), "--weights", str(weights), "-o", str(out),
                           "--passes", "1", "--window", "1", "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    assert "WARNINGS when trained" in capsys.readouterr().out
    with pytest.warns(RuntimeWarning, match="typical amplitude is 1.00e-06 times that of"):
        assert probe_main(["evaluate", str(out), str(volts), "-q"]) == 0


def test_probe_rescale_is_recorded_and_counted_in_the_amplitude_advice(weights, tmp_path, capsys):
    """`--rescale` of `eegpt probe train`/`predict`/`evaluate`: the amplitude advice gives the
    correction of the samples as read, the factor already given counted in (as `eegpt embed`'s
    does: "by 100 in all, not 0.0001", not a further 1e+06 on top of 1e-4); train records the
    factor in training.rescale, shown by `eegpt info`, the preprocessing's scale staying that of
    new data; predict's and evaluate's provenance record theirs. Old probes (no key) show none."""
    from eegpt.cli import main

    epochs = synthetic_erp_epochs(16, seed=6, seconds=1.0, tmin=-0.2)
    volts = tmp_path / "v-epo.fif"
    epochs.save(volts, verbose=False)
    out = tmp_path / "probe"
    advice = r"after rescaling by 0.0001.*by 100 in all, not 0.0001: --rescale 100 "
    train = ["train", str(volts), "--weights", str(weights), "-o", str(out), "--passes", "1",
             "--window", "1", "-q"]  # fmt: skip
    with pytest.warns(RuntimeWarning, match=advice) as caught:
        assert probe_main([*train, "--rescale", "1e-4"]) == 0
    assert not [w for w in caught if "1e+06" in str(w.message)]
    meta = json.loads((out / "probe.json").read_text())
    assert meta["training"]["rescale"] == pytest.approx(1e-4)
    assert meta["preprocessing"]["scale"] == pytest.approx(1000.0)  # new data's, unchanged
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    assert "training data rescaled by 0.0001 as read (--rescale 0.0001)" in capsys.readouterr().out
    table, metrics = tmp_path / "q.csv", tmp_path / "m.json"
    with pytest.warns(RuntimeWarning, match=advice):
        assert probe_main(["predict", str(out), str(volts), "--rescale", "1e-4", "-o",
                           str(table), "-q"]) == 0  # fmt: skip
    assert json.loads((tmp_path / "q.csv.json").read_text())["provenance"]["rescale"] == 1e-4
    with pytest.warns(RuntimeWarning, match=advice):
        assert probe_main(["evaluate", str(out), str(volts), "--rescale", "1e-4", "--json",
                           str(metrics), "-q"]) == 0  # fmt: skip
    assert json.loads(metrics.read_text())["provenance"]["rescale"] == 1e-4
    # without --rescale: none recorded, none shown (a probe.json of before the key alike)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main([*train, "--overwrite"]) == 0
        assert probe_main(["evaluate", str(out), str(volts), "--json", str(metrics), "-q",
                               "--overwrite"]) == 0  # fmt: skip
    assert "rescale" not in json.loads((out / "probe.json").read_text())["training"]
    assert "rescale" not in json.loads(metrics.read_text())["provenance"]
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    assert "rescaled" not in capsys.readouterr().out


def test_a_validation_fraction_of_several_recordings_is_said_to_be_per_epoch(
    model, weights, short_task, cache, tmp_path
):
    """validation=0.2 draws epochs from every recording, so each recording is on both sides of
    the split: said once and kept with the probe where the data are several recordings (files
    or Epochs, in Python and on the command line); not for one recording, held-out recordings
    as validation, or the single-epoch pieces scikit-learn's indexing makes of one Epochs."""
    train, _ = short_task
    files = [tmp_path / "a-epo.fif", tmp_path / "b-epo.fif"]
    train[:40].save(files[0], verbose=False)
    train[40:80].save(files[1], verbose=False)
    common = dict(preprocessing=ONE_SECOND, cache=cache, epochs=1)
    said = r"validation=0.2 .* from all 2 recordings.*validation=\(held_out_data, held_out_labels"
    for data in (files, [train[:40], train[40:80]]):
        with pytest.warns(RuntimeWarning, match=said):
            probe = train_probe(model, data, validation=0.2, **common)
        kept = probe.training["warnings"]
        assert sum("holds out epochs drawn at random" in text for text in kept) == 1, kept
    for data, validation in [
        (train[:80], 0.2),
        ([train[i] for i in range(40)], 0.2),
        (files, (train[80:100], None)),
    ]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            train_probe(model, data, validation=validation, **common)
        assert not [w for w in caught if "drawn at random" in str(w.message)]
    out = tmp_path / "probe"
    run = ["train", *map(str, files), "--weights", str(weights), "-o", str(out), "--window",
           "1", "--passes", "1", "-q", "--val", "0.2"]  # fmt: skip
    with pytest.warns(RuntimeWarning, match=said.replace("=0.2", "=0.2 \\(command line: --val")):
        assert probe_main(run) == 0
    kept = json.loads((out / "probe.json").read_text())["training"]["warnings"]
    assert sum("holds out epochs drawn at random" in text for text in kept) == 1, kept


def test_labels_that_mix_types_are_refused_in_words(model, weights, short_task, tmp_path, capsys):
    """'1' and 2 are two types (NumPy cannot order or join them; as a list they would become
    text unseen): refused in words by the probe and fine-tuning alike, and where the files of
    one command line give labels of both types."""
    from eegpt.finetune import finetune

    part = short_task[0][:20]
    codes = part.events[:, 2].tolist()
    mixed = [str(c) if c == 1 else int(c) for c in codes]  # '1' for 'standard', 2 for 'target'
    said = r"labels mix types: str and int \(e\.g\. '1' and 2\); give all as str or all as int"
    for y in (mixed, np.array(mixed, dtype=object)):
        for train in (train_probe, finetune):
            with pytest.raises(ValueError, match=said):
                train(model, part, y, preprocessing=ONE_SECOND, epochs=1, device="cpu")
    fif, npz = tmp_path / "names-epo.fif", tmp_path / "codes.npz"
    part.save(fif, verbose=False)
    np.savez(npz, X=part.get_data(), ch_names=np.array(part.ch_names), sfreq=250.0,
             y=np.array(codes))  # fmt: skip
    run = ["train", str(fif), str(npz), "--weights", str(weights), "-o", str(tmp_path / "p"),
           "--window", "1", "--passes", "1", "-q"]  # fmt: skip
    assert probe_main(run) == 1
    assert "labels mix types of the files: str and int (e.g. 'standard' and 1)" in (
        capsys.readouterr().err
    )


def test_evaluating_on_one_class_is_warned_of(model, short_task, tmp_path):
    """Test epochs all of one class: a probe that always predicts it scores a balanced
    accuracy of 1.0. evaluate warns and keeps the warning in its result, as the command
    line does on stderr and in its --json file; test data of every class get no warning."""
    train, test = short_task
    probe = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1)
    one_class = test["target"][:8]
    with pytest.warns(RuntimeWarning, match=r"evaluation data hold no epochs of 'standard'"):
        metrics = probe.evaluate(one_class)
    assert len(metrics["warnings"]) == 1 and "always predicts" in metrics["warnings"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "warnings" not in probe.evaluate(test)
    folder = probe.save(tmp_path / "probe")
    test_file = tmp_path / "one-epo.fif"
    one_class.save(test_file, verbose=False)
    metrics_path = tmp_path / "m.json"
    run = ["evaluate", str(folder), str(test_file), "-q", "--json", str(metrics_path)]
    with pytest.warns(RuntimeWarning, match=r"evaluation data hold no epochs of 'standard'"):
        assert probe_main(run) == 0
    got = json.loads(metrics_path.read_text())
    assert "hold no epochs of 'standard'" in got["warnings"][0]


def test_a_probe_records_its_stream_precision_and_software(weights, tmp_path, capsys):
    """probe train --stream-precision reaches the frozen encoder and probe.json records it
    (absent for float32, as before the option) with the software versions; `eegpt info`
    shows it. A channel projection, trained under autocast, refuses it."""
    import sys
    import warnings

    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    raw.set_annotations(mne.Annotations(onset=[2.0, 30.0], duration=[3.0, 2.0],
                                        description=["seizure", "seizure"]))  # fmt: skip
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    common = ["--weights", str(weights), "--window-labels", "seizure", "--unlabelled",
              "background", "--window", "1", "--passes", "1", "-q", "--device", "cpu"]  # fmt: skip
    plain, streamed = tmp_path / "plain", tmp_path / "streamed"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU; few classes
        assert probe_main(["train", str(path), "-o", str(plain), *common]) == 0
        assert probe_main(["train", str(path), "-o", str(streamed), *common, "--precision",
                           "bfloat16", "--stream-precision", "float16"]) == 0  # fmt: skip
    before = json.loads((plain / "probe.json").read_text())
    after = json.loads((streamed / "probe.json").read_text())
    assert "stream_precision" not in before["training"]
    assert after["training"]["stream_precision"] == "float16"
    assert set(after["software"]) == {"python", "torch", "numpy", "scipy", "mne"}
    assert after["command"][:3] == ["probe", "train", str(path)]  # as typed after `eegpt`
    assert after["cwd"] == os.getcwd()
    assert "made by: eegpt probe train" in describe_probe(streamed)
    assert "precision bfloat16, stream float16" in describe_probe(streamed)
    assert f"(python {sys.version.split()[0]}, torch {torch.__version__}" in (
        describe_probe(streamed)
    )
    with pytest.raises(ValueError, match=r"--stream-precision\) applies to the frozen encoder"):
        train_probe(load_model(weights), synthetic_erp_epochs(20, seed=0, seconds=1.0),
                    chan_proj=True, precision="bfloat16", stream_precision="float16")  # fmt: skip


def test_predictions_honour_the_stream_precision(weights, tmp_path):
    """probe predict/evaluate's --stream-precision (and predict_proba's stream_precision)
    reaches the frozen encoder: a float16 stream under bfloat16 gives other probabilities than
    a float32 stream, close to them; a probe that runs its encoder under autocast refuses it."""
    import warnings

    epochs = synthetic_erp_epochs(24, seed=0, seconds=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU
        probe = train_probe(
            load_model(weights), epochs, epochs=1, device="cpu", preprocessing=ONE_SECOND
        )
        run = {"device": "cpu", "precision": "bfloat16"}
        plain = probe.predict_proba(epochs, **run)
        streamed = probe.predict_proba(epochs, **run, stream_precision="float16")
    assert not np.array_equal(plain, streamed)
    np.testing.assert_allclose(streamed, plain, atol=0.05)
    probe.config = probe.config.replace(chan_proj=True)  # as a probe with a projection
    with pytest.raises(ValueError, match=r"--stream-precision\) applies to a frozen encoder"):
        probe.predict_proba(epochs, **run, stream_precision="float16")


def test_the_printed_confusion_matrix_keeps_counts_of_three_digits_apart():
    from eegpt.probe_predictions import confusion_table

    lines = confusion_table(np.array([[0, 80], [0, 160]]), ["a", "b"]).splitlines()
    assert lines[0] == "confusion matrix (rows: true, columns: predicted)"
    assert [line.split() for line in lines[1:]] == [["a", "b"], ["a", "0", "80"], ["b", "0", "160"]]
    assert len({len(line) for line in lines[1:]}) == 1  # right-aligned columns


def _scored_nights(tmp_path, n: int = 3, start: float = 3.0):
    """``n`` continuous recordings (FIF) scored in 2 s epochs from ``start`` s on (W for the
    first 4 epochs, then stage 2), with their hypnograms as CSV tables."""
    paths, hypnograms = [], []
    for k in range(n):
        raw, _, _ = synthetic_erp_raw(6, sfreq=256.0, seed=20 + k)
        raw.set_annotations(None).crop(tmax=start + 16 - 1 / 256)
        path = tmp_path / f"night{k}_raw.fif"
        raw.save(path, verbose=False)
        hyp = tmp_path / f"night{k}_hyp.csv"
        rows = [f"{start + 2 * i:g},2,Sleep stage {'W' if i < 4 else '2'}" for i in range(8)]
        hyp.write_text("onset,duration,description\n" + "\n".join(rows) + "\n")
        paths.append(str(path))
        hypnograms.append(str(hyp))
    return paths, hypnograms


def test_probe_windows_start_at_start_on_the_scoring_epochs(weights, tmp_path, capsys):
    """--start puts the windows of train and predict on the scoring epochs: every window is
    one epoch (no straddling), and predict's rows are timed on the scoring grid."""
    paths, hyps = _scored_nights(tmp_path, n=2)
    out = tmp_path / "stages"
    labelling = ["--window-labels", "^Sleep stage", "--window", "2"]
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--epochs",
                       "2", "-q", *labelling, "--start", "3s", "--annotations", *hyps]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"{paths[0]}: 8 windows of 2 s: 'Sleep stage W' 4, 'Sleep stage 2' 4" in err
    assert "straddles" not in err
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "-q", "--start", "3",
                       "--annotations", hyps[1]]) == 0  # fmt: skip
    rows = list(csv.DictReader(pred.open()))
    assert [float(r["onset_s"]) for r in rows] == [3.0 + 2 * i for i in range(8)]
    assert [r["label"] for r in rows] == ["Sleep stage W"] * 4 + ["Sleep stage 2"] * 4
    # without --start: the training's is adopted, the same windows
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "-q", "--overwrite",
                           "--annotations", hyps[1]]) == 0  # fmt: skip
    assert [float(r["onset_s"]) for r in csv.DictReader(pred.open())] == [
        3.0 + 2 * i for i in range(8)
    ]
    # from 0: each window straddles two epochs, and the warning says so
    with pytest.warns(RuntimeWarning, match=r"straddles two epochs.*--start 3\)"):
        assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "-q", "--overwrite",
                           "--annotations", hyps[1], "--start", "0"]) == 0  # fmt: skip


def test_val_data_takes_its_own_hypnograms(weights, tmp_path, capsys):
    """--val-annotations gives the --val-data recordings' hypnograms; without them the
    error said only 'no window labelled', and a third --annotations file was refused as
    one too many for the training files, neither naming the way to give them."""
    paths, hyps = _scored_nights(tmp_path, n=3, start=0.0)
    out = tmp_path / "stages"
    common = ["--weights", str(weights), "--epochs", "2", "-q", "--window-labels",
              "^Sleep stage", "--window", "2", "--val-data", paths[2]]  # fmt: skip
    assert probe_main(["train", *paths[:2], "-o", str(out), *common, "--annotations",
                       *hyps[:2], "--val-annotations", hyps[2]]) == 0  # fmt: skip
    assert load_probe(out).training["n_validation"] == 8
    capsys.readouterr()
    assert probe_main(["train", *paths[:2], "-o", str(tmp_path / "x"), *common,
                       "--annotations", *hyps[:2]]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "no window labelled" in err and "applies to the training files only" in err
    assert "--val-annotations" in err
    assert probe_main(["train", *paths[:2], "-o", str(tmp_path / "x"), *common,
                       "--annotations", *hyps]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "3 --annotations file(s) for 2" in err and "--val-annotations" in err
    assert probe_main(["train", *paths[:2], "-o", str(tmp_path / "x"), *common, "--annotations",
                       *hyps[:2], "--val-annotations", *hyps]) == 1  # fmt: skip
    assert "3 --val-annotations file(s) for 1" in capsys.readouterr().err


def _stage_probe(weights, tmp_path, start: float = 0.0):
    """A probe of 2 s windows trained on one of :func:`_scored_nights` (scored from ``start``
    s on, windows from there: ``--start``)."""
    paths, hyps = _scored_nights(tmp_path, n=1, start=start)
    out = tmp_path / "stages"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--passes",
                       "1", "-q", "--window-labels", "^Sleep stage", "--window", "2",
                       "--annotations", *hyps, *(["--start", f"{start:g}"] if start else [])]) == 0  # fmt: skip
    return out, paths, hyps


def test_predictions_carry_clock_times_across_midnight(weights, tmp_path):
    """probe predict's rows had onset_s only; a recording with a measurement date now gives
    each window's moment (ISO 8601 with the offset), from its first sample (a cropped FIF's
    first_time counts), across midnight; a recording without a date leaves it empty."""
    import datetime

    out, paths, _ = _stage_probe(weights, tmp_path)
    raw = mne.io.read_raw_fif(paths[0], preload=True, verbose=False)
    undated = tmp_path / "undated_raw.fif"
    raw.copy().set_meas_date(None).save(undated, verbose=False)
    start = datetime.datetime(2026, 3, 1, 23, 59, 48, tzinfo=datetime.timezone.utc)
    dated = tmp_path / "dated_raw.fif"
    raw.set_meas_date(start).crop(tmin=2.0).save(dated, verbose=False)  # first_time 2 s
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(dated), str(undated), "-o", str(pred), "-q"]) == 0
    rows = list(csv.DictReader(pred.open()))
    times = [r["clock_time"] for r in rows if r["file"] == str(dated)]
    assert times[:3] == ["2026-03-01T23:59:50", "2026-03-01T23:59:52",
                         "2026-03-01T23:59:54"]  # fmt: skip
    assert times[5] == "2026-03-02T00:00:00" and len(times) == 7
    assert {r["clock_time"] for r in rows if r["file"] == str(undated)} == {""}
    parquet = tmp_path / "pred.parquet"
    assert probe_main(["predict", str(out), str(dated), "-o", str(parquet), "-q"]) == 0
    assert pd.read_parquet(parquet)["clock_time"].tolist() == times
    assert probe_main(["predict", str(out), str(undated), "-o", str(pred), "-q",
                       "--overwrite"]) == 0  # fmt: skip
    assert "clock_time" not in next(csv.reader(pred.open()))
    # scoring epochs of 6 s (--epoch-seconds): dated by their onsets
    assert probe_main(["predict", str(out), str(dated), "-o", str(pred), "-q", "--overwrite",
                       "--epoch-seconds", "6"]) == 0  # fmt: skip
    assert [r["clock_time"] for r in csv.DictReader(pred.open())] == [
        "2026-03-01T23:59:50", "2026-03-01T23:59:56", "2026-03-02T00:00:02"
    ]  # fmt: skip


def test_prediction_tables_record_each_file_s_clock(weights, tmp_path):
    """A prediction table recorded no clock for its files, so plot_hypnogram(table, tz=)
    converted an EDF header's local wall-clock times as if UTC. probe predict now records
    each input's clock (as embeddings' metadata["clock"]) in the table's record (sidecar,
    Parquet metadata): "local" for the EDF, "utc" for a FIF file and an -epo.fif; none for a
    file without a date. tz= is refused for the EDF's rows, taken for the FIF's."""
    import datetime

    from eegpt.probe_provenance import predictions_record
    from eegpt.viz import plot_hypnogram

    out, paths, _ = _stage_probe(weights, tmp_path)
    raw = mne.io.read_raw_fif(paths[0], preload=True, verbose=False)
    raw.set_meas_date(datetime.datetime(2026, 3, 1, 23, 0, tzinfo=datetime.timezone.utc))
    edf, fif = tmp_path / "night.edf", tmp_path / "dated_raw.fif"
    mne.export.export_raw(edf, raw, verbose=False)
    raw.save(fif, verbose=False)
    undated = tmp_path / "undated_raw.fif"
    raw.copy().set_meas_date(None).save(undated, verbose=False)
    epo = tmp_path / "dated-epo.fif"
    mne.make_fixed_length_epochs(raw, duration=2.0, verbose=False).save(epo, verbose=False)
    for suffix in (".csv", ".parquet"):
        pred = tmp_path / f"epochs{suffix}"
        assert probe_main(["predict", str(out), str(edf), str(fif), str(undated), "-o",
                           str(pred), "-q", "--epoch-seconds", "4"]) == 0  # fmt: skip
        inputs = predictions_record(pred)[0]["provenance"]["inputs"]
        assert [i.get("clock") for i in inputs] == ["local", "utc", None]
        with pytest.raises(ValueError, match="night.edf's clock_time is its header's local"):
            plot_hypnogram(pred, file=str(edf), tz="Europe/Berlin")
        ax = plot_hypnogram(pred, file=str(fif), tz="Europe/Berlin").axes[0]
        assert ax.get_xlabel() == "clock time (Europe/Berlin), from 2026-03-02 00:00"
    windows = tmp_path / "windows.csv"  # epochs files and windows alike
    assert probe_main(["predict", str(out), str(epo), str(edf), "-o", str(windows), "-q"]) == 0
    inputs = predictions_record(windows)[0]["provenance"]["inputs"]
    assert [i.get("clock") for i in inputs] == ["utc", "local"]


def test_predictions_of_an_anonymized_start_have_no_clock_time_column(weights, tmp_path):
    """A recording whose start is EDF's 1985-01-01 placeholder, as an EDF file (--epoch-seconds
    gave an empty clock_time column for it) or a FIF file saved from one (clock_time 1985
    times): no clock_time column, as eegpt embed and export give none."""
    out, paths, _ = _stage_probe(weights, tmp_path)
    raw = mne.io.read_raw_fif(paths[0], preload=True, verbose=False).set_meas_date(None)
    edf = tmp_path / "anon.edf"
    mne.export.export_raw(edf, raw, verbose=False)
    fif = tmp_path / "anon_raw.fif"
    mne.io.read_raw_edf(edf, preload=True, verbose=False).save(fif, verbose=False)
    pred = tmp_path / "pred.csv"
    for inputs in ([edf], [fif], [edf, fif]):
        for more in ([], ["--epoch-seconds", "4"]):
            assert probe_main(["predict", str(out), *map(str, inputs), "-o", str(pred), "-q",
                               "--overwrite", *more]) == 0  # fmt: skip
            header = next(csv.reader(pred.open()))
            assert "clock_time" not in header and "clock_s" in header, (inputs, more)


def test_predictions_carry_clock_s_and_the_clock_time_of_epochs_files(weights, tmp_path):
    """probe predict gives clock_s after onset_s (as eegpt embed's tables: seconds from the
    acquisition start), and clock_time for a dated -epo.fif file too: an epoch and the window
    of the continuous recording at the same moment have the same clock_s and clock_time. A
    Parquet table with the new column verifies (eegpt info: its digest covers its columns)."""
    import datetime

    from eegpt.cli import main

    out, paths, _ = _stage_probe(weights, tmp_path)
    raw = mne.io.read_raw_fif(paths[0], preload=True, verbose=False)
    start = datetime.datetime(2026, 3, 1, 23, 59, 48, tzinfo=datetime.timezone.utc)
    dated = tmp_path / "dated_raw.fif"
    raw.set_meas_date(start).crop(tmin=2.0).save(dated, verbose=False)  # first_time 2 s
    length = 2.0  # the probe's windows
    cropped = mne.io.read_raw_fif(dated, preload=True, verbose=False)
    epochs = mne.make_fixed_length_epochs(cropped, duration=length, preload=True, verbose=False)
    epo = tmp_path / "dated-epo.fif"
    epochs.save(epo, verbose=False)
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(dated), str(epo), "-o", str(pred), "-q"]) == 0
    table = pd.read_csv(pred)
    assert table.columns.tolist()[2:5] == ["onset_s", "clock_s", "clock_time"]
    windows, cut = table[table.file == str(dated)], table[table.file == str(epo)]
    assert windows.onset_s.tolist()[:2] == [0.0, 2.0] and windows.clock_s.tolist()[:2] == [2.0, 4.0]
    assert cut.onset_s.tolist()[:2] == [2.0, 4.0] and cut.clock_s.tolist()[:2] == [2.0, 4.0]
    assert cut.clock_time.tolist()[:2] == ["2026-03-01T23:59:50", "2026-03-01T23:59:52"]
    joined = windows.merge(cut, on="clock_time", suffixes=("_w", "_e"))
    assert len(joined) == len(cut) and (joined.clock_s_w == joined.clock_s_e).all()
    parquet = tmp_path / "pred.parquet"
    assert probe_main(["predict", str(out), str(dated), str(epo), "-o", str(parquet), "-q"]) == 0
    assert pd.read_parquet(parquet).clock_s.tolist() == table.clock_s.tolist()
    assert main(["info", str(parquet)]) == 0


def test_scoring_epochs_weigh_each_window_by_its_overlap():
    """Windows grouped into scoring epochs: each epoch the mean of the probabilities of the
    windows over it, weighted by their seconds in it (a window straddling two counts in both);
    epochs from the start on, the last one partly covered; windows not used count in none."""
    from eegpt.probe import scoring_epochs

    proba = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    onsets = np.array([1.0, 5.0, 9.0, 13.0])  # 4 s windows from 1 s on; epochs of 6 s from 1 s
    epoch_onsets, covered, p = scoring_epochs(proba, onsets, 4.0, 6.0, start_seconds=1.0)
    np.testing.assert_allclose(epoch_onsets, [1.0, 7.0, 13.0])
    np.testing.assert_allclose(covered, [6.0, 6.0, 4.0])
    # [1, 7): window 0 whole (4 s), window 1's first 2 s; [7, 13): window 1's last 2 s, window 2
    np.testing.assert_allclose(p, [[4 / 6, 2 / 6], [4 / 6, 2 / 6], [0.5, 0.5]])
    _, covered, p = scoring_epochs(proba, onsets, 4.0, 6.0, 1.0, use=[True, False, True, False])
    np.testing.assert_allclose(covered, [4.0, 4.0, 0.0])
    np.testing.assert_allclose(p[:2], [[1.0, 0.0], [1.0, 0.0]])
    assert np.isnan(p[2]).all()  # no window left in it
    # overlapping windows (2 s apart): weights add up, the covered seconds do not
    _, covered, p = scoring_epochs(proba, [0.0, 2.0, 4.0, 6.0], 4.0, 5.0)
    np.testing.assert_allclose(covered, [5.0, 5.0])
    np.testing.assert_allclose(p, [[5 / 8, 3 / 8], [5 / 8, 3 / 8]])
    # windows of the epoch's length on its grid: the epochs are the windows
    _, _, same = scoring_epochs(proba, [0.0, 30.0, 60.0, 90.0], 30.0, 30.0)
    np.testing.assert_allclose(same, proba)
    with pytest.raises(ValueError, match="epoch_seconds must be a positive"):
        scoring_epochs(proba, onsets, 4.0, 0.0)


def test_probe_predict_gives_a_hypnogram_of_scoring_epochs(weights, tmp_path, capsys):
    """probe predict --epoch-seconds: one row per scoring epoch from --start on, its
    probabilities the overlap-weighted mean of the windows' (straddling windows shared),
    dated by the recording's clock; epochs inputs are refused with it."""
    out, paths, hyps = _stage_probe(weights, tmp_path)
    windows, epochs = tmp_path / "windows.csv", tmp_path / "epochs.csv"
    common = [str(out), paths[0], "-q", "--start", "1", "--annotations", hyps[0]]
    assert probe_main(["predict", *common, "-o", str(windows)]) == 0
    assert probe_main(["predict", *common, "-o", str(epochs), "--epoch-seconds", "3"]) == 0
    w = pd.read_csv(windows)  # 2 s windows from 1 s: 1, 3, ..., 13 (the recording lasts 16 s)
    e = pd.read_csv(epochs)  # sleep stages' probabilities in AASM order: W first
    assert e.columns.tolist() == ["file", "epoch", "onset_s", "clock_s", "duration_s", "covered_s",
                                  "prediction", "label", "p_Sleep stage W", "p_Sleep stage 2",
                                  "bad"]  # fmt: skip
    assert e["epoch"].tolist() == [0, 1, 2, 3, 4] and e["onset_s"].tolist() == [1, 4, 7, 10, 13]
    assert e["covered_s"].tolist() == [3, 3, 3, 3, 2] and set(e["duration_s"]) == {3.0}
    pw = w[["p_Sleep stage 2", "p_Sleep stage W"]].to_numpy()
    pe = e[["p_Sleep stage 2", "p_Sleep stage W"]].to_numpy()
    np.testing.assert_allclose(pe[0], (2 * pw[0] + pw[1]) / 3, rtol=1e-6)  # [1, 4): 2 s + 1 s
    np.testing.assert_allclose(pe[1], (pw[1] + 2 * pw[2]) / 3, rtol=1e-6)  # [4, 7): 1 s + 2 s
    np.testing.assert_allclose(pe[4], pw[6], rtol=1e-6)  # [13, 16): the last window only
    assert e["prediction"].tolist() == [_stage_of(p) for p in pe]
    epo = tmp_path / "x-epo.fif"
    synthetic_erp_epochs(4, seed=0, seconds=2.0).save(epo, verbose=False)
    assert probe_main(["predict", str(out), str(epo), "--epoch-seconds", "30", "-q"]) == 1
    assert "--epoch-seconds groups the windows of continuous recordings" in capsys.readouterr().err


def _stage_of(p: np.ndarray) -> str:
    """The class of the larger of two probabilities (Sleep stage 2, Sleep stage W)."""
    return ["Sleep stage 2", "Sleep stage W"][int(np.argmax(p))]


def test_a_probe_trained_with_start_says_so(weights, tmp_path, capsys):
    """probe train --start 3 is recorded in probe.json (window_labels' start_seconds) and shown
    by eegpt info; predict without --start adopts it, saying so, as it adopts the probe's
    --marker-spans (it read windows from 0 with only a note); a --start given wins, with the
    note that it differs from the training's."""
    from eegpt.cli import main as cli_main

    out, paths, hyps = _stage_probe(weights, tmp_path, start=3.0)
    meta = json.loads((out / "probe.json").read_text())
    assert meta["training"]["window_labels"]["start_seconds"] == 3.0
    capsys.readouterr()
    assert cli_main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "trained on windows starting at 3 s (--start 3): predict/evaluate adopt it" in info
    # one statement of the start: the preprocessing line's start_seconds 0.0 contradicted it
    assert "start_seconds" not in info
    pred = tmp_path / "pred.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no annotations given: no labels
        assert probe_main(["predict", str(out), paths[0], "-o", str(pred)]) == 0
    err = capsys.readouterr().err  # adopted, as the probe's --marker-spans are: said so
    assert "continuous recordings' windows start at 3 s, as in training (--start 3)" in err
    assert "trained on windows starting" not in err
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 3
    # --start given wins, with the note that it differs from the training's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # windows straddling the scoring epochs from 0
        assert probe_main(["predict", str(out), paths[0], "-o", str(pred), "--overwrite",
                           "--start", "0"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("note: the probe was trained on windows starting at 3 s") == 1
    assert "windows start as given (--start 0)" in err and "as in training" not in err
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 0
    # a probe.json written before the start was recorded: windows from 0, as before
    del meta["training"]["window_labels"]["start_seconds"]
    (out / "probe.json").write_text(json.dumps(meta))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["predict", str(out), paths[0], "-o", str(pred), "--overwrite"]) == 0
    assert "as in training (--start" not in capsys.readouterr().err
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 0


def test_epoch_mode_labels_the_epochs_and_warns_off_the_scoring_grid(weights, tmp_path):
    """probe predict --epoch-seconds ignored the annotations given: no label column, and no
    warning when the scoring epochs lay on a grid off the predicted epochs' (3 s epochs from
    0 s, a hypnogram of 3 s epochs from 1 s). It now warns, naming the recording and the
    --start to give, and labels each epoch by the scoring (empty where none covers half)."""
    out, paths, _ = _stage_probe(weights, tmp_path)
    hyp = tmp_path / "hyp3.csv"
    stages = ["W", "W", "2", "2"]
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{1 + 3 * i},3,Sleep stage {s}\n" for i, s in enumerate(stages)))  # fmt: skip
    pred = tmp_path / "epochs.csv"
    common = [str(out), paths[0], "-q", "--annotations", str(hyp), "--epoch-seconds", "3"]
    with pytest.warns(RuntimeWarning, match=rf"{paths[0]}: .*scoring epochs.*--start 1\)"):
        assert probe_main(["predict", *common, "-o", str(pred)]) == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # on the grid: no warning
        assert probe_main(["predict", *common, "-o", str(pred), "--overwrite", "--start", "1"]) == 0
    e = pd.read_csv(pred, keep_default_na=False)
    assert e["onset_s"].tolist() == [1, 4, 7, 10, 13]
    assert e["label"].tolist() == [f"Sleep stage {s}" for s in stages] + [""]


def test_predict_scoring_epochs_says_how_they_agree_with_the_hypnogram(weights, tmp_path, capsys):
    """probe predict --epoch-seconds with a hypnogram gave the table (prediction and label per
    epoch) but no score of it, and evaluate scores windows only, so the per-epoch agreement
    sleep staging is judged by (Cohen's kappa over 30 s epochs) had to be computed by hand; it
    is said on stderr, in evaluate's words, over the epochs with a scored stage among the
    probe's classes (the unscored one and the epoch past the hypnogram left out)."""
    from sklearn.metrics import balanced_accuracy_score, cohen_kappa_score

    out, paths, _ = _stage_probe(weights, tmp_path)
    hyp = tmp_path / "hyp.csv"
    stages = ["W", "W", "?", "2", "2", "W"]
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{2 * i},2,Sleep stage {s}\n" for i, s in enumerate(stages)))  # fmt: skip
    pred = tmp_path / "epochs.csv"
    capsys.readouterr()
    assert probe_main(["predict", str(out), paths[0], "--annotations", str(hyp),
                       "--epoch-seconds", "2", "-o", str(pred)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    table = pd.read_csv(pred, keep_default_na=False)
    scored = table[table["label"].isin(["Sleep stage W", "Sleep stage 2"])]
    assert len(table) == 8 and len(scored) == 5
    kappa = cohen_kappa_score(scored["label"], scored["prediction"],
                              labels=["Sleep stage 2", "Sleep stage W"])  # fmt: skip
    bac = balanced_accuracy_score(scored["label"], scored["prediction"])
    assert (
        "5 of the 8 scoring epochs have a scored stage among the probe's classes (bad and "
        f"unscored ones left out); per epoch: BAC {100 * bac:.2f}% | Cohen's kappa "
        f"{100 * kappa:.2f}%" in err
    )


def test_python_evaluate_of_a_night_names_the_command_that_labels_its_windows(weights, tmp_path):
    """EEGPTProbe.evaluate(night) of a probe trained on a night's windows labelled by its
    hypnogram (probe train --window-labels) said only to cut labelled epochs by hand; it
    names the labelling the probe was trained with and the evaluate command that labels the
    night's windows so."""
    out, paths, _ = _stage_probe(weights, tmp_path, start=3.0)
    probe = load_probe(out)
    raw = mne.io.read_raw_fif(paths[0], verbose=False)
    for data, named in ((paths[0], paths[0]), (raw, "RECORDING")):
        with pytest.raises(ValueError) as err:
            probe.evaluate(data)
        assert (
            "; this probe was trained on windows labelled by annotations (--window-labels "
            f"'^Sleep stage'): eegpt probe evaluate PROBE_FOLDER {named} --annotations FILE "
            "labels and scores them as in training (FILE: the annotations kept in another "
            "file, a hypnogram)"
        ) in str(err.value)


def test_predict_says_where_start_annotations_starts_each_night(weights, tmp_path, capsys):
    """probe predict --start annotations started each night at its first annotation matching
    the probe's classes without a word (train and evaluate say it in their windows' line), so
    a night whose first epochs no class matched (AASM's N2 under R&K's pattern; here movement
    time) lost them from the table unnoticed; predict now says where each night's windows
    start and why."""
    out, paths, _ = _stage_probe(weights, tmp_path)
    hyp = tmp_path / "hyp.csv"
    hyp.write_text("onset,duration,description\n0,4,Movement time\n4,4,Sleep stage W\n"
                   "8,8,Sleep stage 2\n")  # fmt: skip
    pred = tmp_path / "pred.csv"
    capsys.readouterr()
    assert probe_main(["predict", str(out), paths[0], "--annotations", str(hyp), "--start",
                       "annotations", "-o", str(pred)]) == 0  # fmt: skip
    assert (
        f"{paths[0]}: windows from 4 s (--start annotations: its first annotation matching "
        "--window-labels '^Sleep stage')\n"
    ) in capsys.readouterr().err
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 4.0
    assert probe_main(["predict", str(out), paths[0], "--annotations", str(hyp), "--start",
                       "annotations", "-o", str(pred), "--overwrite", "-q"]) == 0  # fmt: skip
    assert "windows from" not in capsys.readouterr().err


def test_evaluate_scores_scoring_epochs_as_predict_pools_them(weights, tmp_path, capsys):
    """probe evaluate scored windows only: a sleep researcher scoring per 30 s epoch (AASM)
    had to use predict --epoch-seconds. evaluate --epoch-seconds scores the scoring epochs
    pooled as predict --epoch-seconds --reject-by-annotation pools them (one function): its
    metrics equal those computed by hand from predict's per-epoch table (bad, unscored and
    unpredicted epochs left out), the JSON says which unit was scored; epochs files are
    refused."""
    from sklearn.metrics import balanced_accuracy_score, cohen_kappa_score, roc_auc_score

    out, paths, _ = _stage_probe(weights, tmp_path)
    hyp = tmp_path / "hyp.csv"
    # 3 s epochs over 2 s windows of a 16 s night: they straddle; epoch 2 bad, and its window
    # [8, 10) left out of epoch 3 too
    # (R&K's stage 4: a stage the probe lacks, refused or left out with --skip-unknown)
    stages = ["W", "4", "2", "2", "W", "W"]
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{3 * i},3,Sleep stage {s}\n" for i, s in enumerate(stages))
                   + "8.5,0.3,BAD_movement\n")  # fmt: skip
    pred = tmp_path / "epochs.csv"
    assert probe_main(["predict", str(out), paths[0], "--annotations", str(hyp), "-q",
                       "--epoch-seconds", "3", "--reject-by-annotation", "-o", str(pred)]) == 0  # fmt: skip
    table = pd.read_csv(pred, keep_default_na=False)
    scored = table[table["label"].isin(["Sleep stage W", "Sleep stage 2"])]
    assert len(scored) == 4 and table["bad"].tolist()[2]
    scores = tmp_path / "scores.json"
    capsys.readouterr()
    assert probe_main(["evaluate", str(out), paths[0], "--annotations", str(hyp),
                       "--epoch-seconds", "3", "--skip-unknown", "--json", str(scores)]) == 0  # fmt: skip
    said = capsys.readouterr()
    record = json.loads(scores.read_text())
    assert record["scored"] == "3 s epochs" and record["epoch_seconds"] == 3
    assert record["n"] == len(scored) == sum(map(sum, record["confusion_matrix"]["matrix"]))
    bac = balanced_accuracy_score(scored["label"], scored["prediction"])
    kappa = cohen_kappa_score(scored["label"], scored["prediction"])
    assert record["balanced_accuracy"] == pytest.approx(bac)
    assert record["cohen_kappa"] == pytest.approx(kappa, nan_ok=True)
    truth = scored["label"] == "Sleep stage W"  # the second class, sorted
    assert record["auroc"] == pytest.approx(roc_auc_score(truth, scored["p_Sleep stage W"]))
    assert f"per 3 s epoch: BAC {100 * bac:.2f}%" in said.out
    assert "5 of the 6 scoring epochs of 3 s have a scored stage" in said.err
    # its window over the bad span is said left out by evaluate's rule: evaluate has no
    # --reject-by-annotation, which the line named
    assert (
        "left out 1 of 8 windows that overlap annotations marked bad (BAD_movement: 1) "
        "(evaluate counts them in no scoring epoch)"
        in said.err
        and "(--reject-by" not in said.err
    )
    assert "left out 1 of 5 scoring epochs" in said.out and "'Sleep stage 4' (1)" in said.out
    from eegpt.cli import main as cli_main

    assert cli_main(["info", str(scores)]) == 0
    assert "% | per 3 s epoch | from 1 recording(s)" in capsys.readouterr().out
    # without --skip-unknown the stage not among the classes is named, with advice that
    # names only options --epoch-seconds takes (it refuses --labels and --label-column, and
    # continuous recordings have no event names to rename)
    with pytest.raises(ValueError, match=r"'Sleep stage 4'.*--skip-unknown") as err:
        probe_main(["--debug", "evaluate", str(out), paths[0], "--annotations", str(hyp),
                    "--epoch-seconds", "3"])  # fmt: skip
    assert (
        "the labels are the scoring epochs' stages from the recordings' annotations; give "
        "--window-labels a pattern whose classes are the probe's; or leave the epochs"
    ) in str(err.value)
    assert not any(o in str(err.value) for o in ("--labels", "--label-column", "event_id"))
    # windows, as before, say so
    assert probe_main(["evaluate", str(out), paths[0], "--annotations", str(hyp), "-q",
                       "--skip-unknown", "--json", str(scores), "--overwrite"]) == 0  # fmt: skip
    record = json.loads(scores.read_text())
    assert record["scored"] == "windows" and record["epoch_seconds"] is None
    epochs = tmp_path / "x-epo.fif"
    with pytest.raises(ValueError, match="one window each.*without --epoch-seconds"):
        probe_main(["--debug", "evaluate", str(out), str(epochs), "--epoch-seconds", "30"])


def test_scoring_epochs_start_where_the_probes_training_windows_did(weights, tmp_path, capsys):
    """predict and evaluate --epoch-seconds said their epochs run "from --start (or 0)", but
    without --start a probe trained with --start 3 starts the windows, and so the epochs, at
    3 s (its training start, said on stderr): the help says so, and both commands agree.
    evaluate -q drops the matrix only: its count of the epochs scored stays, as the windows'."""
    out, paths, hyps = _stage_probe(weights, tmp_path, start=3)
    pred = tmp_path / "epochs.csv"
    assert probe_main(["predict", str(out), paths[0], "--annotations", hyps[0], "-o", str(pred),
                       "--epoch-seconds", "4"]) == 0  # fmt: skip
    assert "windows start at 3 s, as in training" in capsys.readouterr().err
    table = pd.read_csv(pred, keep_default_na=False)
    assert table["onset_s"].tolist() == [3.0, 7.0, 11.0, 15.0]
    scores = tmp_path / "scores.json"
    assert probe_main(["evaluate", str(out), paths[0], "--annotations", hyps[0], "-q",
                       "--epoch-seconds", "4", "--json", str(scores)]) == 0  # fmt: skip
    assert json.loads(scores.read_text())["n"] == 4  # the same 4 epochs, from 3 s
    # the epochs left out are counted under -q too, as the windows' line is (-q: no matrix)
    assert "4 of the 4 scoring epochs of 4 s have a scored stage" in capsys.readouterr().err
    from eegpt.cli import build_parser

    def subcommands(parser):
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return action.choices

    for name in ("predict", "evaluate"):
        parser = subcommands(subcommands(build_parser())["probe"])[name]
        (action,) = [a for a in parser._actions if "--epoch-seconds" in a.option_strings]
        said = " ".join(action.help.split())
        assert "(or 0)" not in said and "without it the probe's training start" in said, name


def test_evaluate_epoch_seconds_says_unlabelled_epochs_take_the_unlabelled_class(
    weights, tmp_path, capsys
):
    """evaluate --epoch-seconds said the epochs no labelling annotation covers were left out;
    with --unlabelled (here the probe's, taken with its labelling) they are labelled its class
    and scored: the line on stderr says so, and n counts them."""
    paths, hyps = _scored_nights(tmp_path, n=1, start=4)  # scored from 4 s: epoch [0, 4) not
    out = tmp_path / "wake"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--passes",
                       "1", "-q", "--window-labels", "W=Sleep stage W", "--unlabelled", "other",
                       "--window", "2", "--annotations", *hyps]) == 0  # fmt: skip
    scores = tmp_path / "scores.json"
    capsys.readouterr()
    assert probe_main(["evaluate", str(out), paths[0], "--annotations", hyps[0], "-q",
                       "--epoch-seconds", "4", "--json", str(scores)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "5 of the 5 scoring epochs of 4 s have a scored stage and a prediction (bad ones " \
        "left out; those no labelling annotation covers half of labelled 'other' " \
        "(--unlabelled)" in err  # fmt: skip
    record = json.loads(scores.read_text())
    assert record["n"] == 5 and record["confusion_matrix"]["labels"] == ["W", "other"]


def test_evaluate_overlap_with_epoch_seconds_scores_each_epoch_once(weights, tmp_path):
    """evaluate --overlap's help said the scores then count each stretch in several windows;
    with --epoch-seconds the sliding windows are pooled into the scoring epochs, each scored
    once (the same n as without --overlap), as the help now says."""
    out, paths, hyps = _stage_probe(weights, tmp_path)
    n = []
    for overlap in ([], ["--overlap", "1"]):
        scores = tmp_path / f"scores{len(overlap)}.json"
        assert probe_main(["evaluate", str(out), paths[0], "--annotations", hyps[0], "-q",
                           "--epoch-seconds", "4", "--json", str(scores), *overlap]) == 0  # fmt: skip
        n.append(json.loads(scores.read_text())["n"])
    assert n == [4, 4]
    from eegpt.cli import build_parser

    def subcommands(parser):
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return action.choices

    evaluate = subcommands(subcommands(build_parser())["probe"])["evaluate"]
    (action,) = [a for a in evaluate._actions if "--overlap" in a.option_strings]
    said = " ".join(action.help.split())
    assert "with --epoch-seconds each scoring epoch pools more windows" in said
    assert "and is scored once" in said


@pytest.mark.parametrize(
    ("given", "said"),
    [(["--labels", "labels.csv"], "--labels labels windows or epochs: leave --labels out"),
     (["--label-column", "stage"], "leave --label-column out, or --epoch-seconds"),
     (["--event-scoring"], "--event-scoring merges the windows predicted as a class into "
      "events; --epoch-seconds scores scoring epochs instead")],
)  # fmt: skip
def test_evaluate_epoch_seconds_refuses_labels_not_from_annotations(given, said, tmp_path):
    """evaluate --epoch-seconds labels its scoring epochs by the recordings' annotations: a
    labels file, a metadata column (which label windows or epochs) and --event-scoring (which
    merges windows) are refused with it, before the probe is read (the branches f4dad699
    added without a test)."""
    with pytest.raises(ValueError, match=re.escape(said)):
        probe_main(["--debug", "evaluate", str(tmp_path / "probe"), str(tmp_path / "night.edf"),
                    "--epoch-seconds", "30", *given])  # fmt: skip


def test_evaluate_leaves_out_unscored_epochs_as_predict_does(weights, tmp_path, capsys):
    """probe evaluate refused a night holding 'Sleep stage ?' epochs, matched by the probe's
    --window-labels '^Sleep stage' but not among its classes, where probe predict leaves them
    out of its agreement (unlabelled) and train out of its classes: evaluate leaves them out
    too, with their count on the report's stream, in --json (n_unscored) and eegpt info, for
    scoring epochs and windows alike; the other epochs are scored. The line said 'probe
    predict and train leave them out too', untrue of a probe trained with '^Sleep stage'
    (which makes them a class, with a warning): it says why this probe has none."""
    from eegpt.cli import main as cli_main

    out, paths, _ = _stage_probe(weights, tmp_path)
    hyp = tmp_path / "hyp.csv"
    stages = ["W", "?", "W", "2", "2", "?", "2", "W"]  # 2 s windows, or 2 s epochs
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{2 * i},2,Sleep stage {s}\n" for i, s in enumerate(stages)))  # fmt: skip
    scores = tmp_path / "scores.json"
    for scoring, what in (([], "windows"), (["--epoch-seconds", "2"], "scoring epochs")):
        capsys.readouterr()
        assert probe_main(["evaluate", str(out), paths[0], "--annotations", str(hyp), "-q",
                           "--json", str(scores), "--overwrite", *scoring]) == 0  # fmt: skip
        said = capsys.readouterr()
        assert (
            f"left out 2 of 8 {what} scored as no sleep stage (not among the probe's classes: "
            "its training's labelling (--window-labels '^Sleep stage') takes them as a class, "
            "but its training data held none; probe predict's agreement leaves them out too): "
            "'Sleep stage ?' (2)"
        ) in said.out
        record = json.loads(scores.read_text())
        assert (record["n"], record["n_unscored"]) == (6, 2) and "n_left_out" not in record
        assert record["confusion_matrix"]["labels"] == ["Sleep stage W", "Sleep stage 2"]
        assert cli_main(["info", str(scores)]) == 0
        assert "of 6 epochs (2 left out: scored as no sleep stage)" in capsys.readouterr().out


def test_unscored_class_warning_fits_the_command_it_is_given_in(weights, tmp_path):
    """'Sleep stage ?' matched by --window-labels '^Sleep stage' was warned of at predict and
    evaluate in training's words ("trained and scored as if they were one", "Leave them
    out"). A probe without the class: predict and evaluate leave those epochs out, so no
    warning; a probe trained with it as a class: predict says its label column and
    agreement compare them as a stage, evaluate that its metrics score them, each naming the
    pattern that leaves them out and retraining; train keeps its own words."""
    import warnings

    paths, _ = _scored_nights(tmp_path, n=1, start=0.0)
    hyp = tmp_path / "hyp.csv"
    stages = ["W", "?", "W", "2", "2", "?", "2", "W"]  # 2 s windows
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{2 * i},2,Sleep stage {s}\n" for i, s in enumerate(stages)))  # fmt: skip
    given = [paths[0], "--annotations", str(hyp), "-q"]

    def said(*argv: str) -> str:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert probe_main(list(argv)) == 0
        return " ".join(str(w.message) for w in caught if "'Sleep stage ?' is" in str(w.message))

    trained = "are then trained and scored as if they were one"
    (tmp_path / "a").mkdir()
    unknown, _, _ = _stage_probe(weights, tmp_path / "a")  # classes W, 2
    pred = str(tmp_path / "pred.csv")
    assert said("predict", str(unknown), *given, "-o", pred) == ""
    assert said("evaluate", str(unknown), *given) == ""
    known = tmp_path / "with_unscored"
    text = said("train", *given, "--weights", str(weights), "-o", str(known), "--passes", "1",
                "--window-labels", "^Sleep stage", "--window", "2")  # fmt: skip
    assert trained in text
    text = said("predict", str(known), *given, "-o", pred, "--overwrite")
    assert trained not in text
    assert (
        "and the probe has 'Sleep stage ?' among its classes: those windows are compared with "
        "its predictions as if scored as a stage (the label column, the agreement with the "
        "scored stages). Leave them out of the comparison (their label left empty) with a "
        "pattern that does not match them, e.g. --window-labels '^Sleep stage [W1234R]$'; a "
        "probe trained with such a pattern (probe train --window-labels '^Sleep stage "
        "[W1234R]$') learns the stages alone"
    ) in text
    text = said("evaluate", str(known), *given, "--epoch-seconds", "2")
    assert trained not in text
    assert (
        "those windows are scored as if they were a stage in these metrics. Leave them out of "
        "the scores with a pattern that does not match them"
    ) in text


def test_stage_markers_warning_names_marker_spans_on_the_command_line(weights, tmp_path):
    """Sleep stages scored as markers of no duration label no window: the warning of it
    named only Python (markers_to_spans, emb.window_labels, Embeddings.annotations) to
    command-line users. Train, predict and evaluate name --marker-spans with the stages'
    states (the options given, the probe's pattern at predict and evaluate), the command's
    way with epochs; Python's own call keeps the Python."""
    import warnings

    from eegpt.annotations import window_labels

    paths, _ = _scored_nights(tmp_path, n=1, start=0.0)
    hyp = tmp_path / "hyp.csv"
    stages = ["W", "W", "2", "2", "?", "2", "W", "W"]  # one marker per 2 s epoch
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{2 * i},0,Sleep stage {s}\n" for i, s in enumerate(stages)))  # fmt: skip
    given = [paths[0], "--annotations", str(hyp), "-q"]

    def said(code: int, *argv: str) -> str:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert probe_main(list(argv)) == code
        return " ".join(str(w.message) for w in caught if "no window got a label" in str(w.message))

    spans = ("--marker-spans 'Sleep stage W=^Sleep\\ stage\\ W$' --marker-spans "
             "'Sleep stage 2=^Sleep\\ stage\\ 2$' (the windows then labelled by state name; "
             "in Python, raw.set_annotations(eegpt.annotations.markers_to_spans(raw, ")  # fmt: skip
    text = said(1, "train", *given, "--weights", str(weights), "-o", str(tmp_path / "m"),
                "--window-labels", "^Sleep stage [W1234R]$", "--window", "2")  # fmt: skip
    assert "the annotations that match --window-labels '^Sleep stage [W1234R]$' (" in text
    assert f"or the recording's end: give {spans}" in text
    assert "and train on those, labelled by their events: eegpt probe train REC " in text
    assert "--epochs-around '^Sleep stage [W1234R]$' --crop -0.2 --window 1 (" in text
    assert "emb.window_labels(raw" not in text and "Embeddings.annotations" not in text
    (tmp_path / "a").mkdir()
    probe, _, _ = _stage_probe(weights, tmp_path / "a")  # --window-labels '^Sleep stage'
    text = said(0, "predict", str(probe), *given, "-o", str(tmp_path / "p.csv"))
    assert "the annotations that match --window-labels '^Sleep stage' (" in text
    assert f"give {spans}" in text and "and predict those" in text
    assert "eegpt probe predict PROBE REC --epochs-around '^Sleep stage' --crop -0.2 (" in text
    text = said(1, "evaluate", str(probe), *given, "--epoch-seconds", "2")
    assert f"give {spans}" in text and "and evaluate those" in text
    with pytest.warns(RuntimeWarning, match="no window got a label") as caught:  # Python
        annotations = mne.Annotations([0.0, 2.0], [0.0, 0.0], ["Sleep stage W", "Sleep stage 2"])
        window_labels(annotations, 2.0 * np.arange(2), 2.0, match="^Sleep stage")
    text = " ".join(str(w.message) for w in caught)
    assert "then emb.window_labels(raw, ...)" in text and "--marker-spans" not in text


def test_skip_unknown_line_leaves_json_on_stdout_alone(weights, tmp_path, capsys):
    """evaluate --json - prints the JSON alone on stdout, the text report on stderr; the line
    of --skip-unknown (the epochs left out) went to stdout before the JSON, so that
    `evaluate ... --skip-unknown --json - > scores.json` wrote no JSON. It goes with the
    report, for windows and scoring epochs alike."""
    out, paths, _ = _stage_probe(weights, tmp_path)
    hyp = tmp_path / "hyp.csv"
    stages = ["W", "W", "4", "4", "2", "2", "W", "W"]  # 2 s windows, or 4 s epochs
    hyp.write_text("onset,duration,description\n"
                   + "".join(f"{2 * i},2,Sleep stage {s}\n" for i, s in enumerate(stages)))  # fmt: skip
    for scoring in ([], ["--epoch-seconds", "4"]):
        capsys.readouterr()
        assert probe_main(["evaluate", str(out), paths[0], "--annotations", str(hyp),
                           "--skip-unknown", "--json", "-", *scoring]) == 0  # fmt: skip
        said = capsys.readouterr()
        record = json.loads(said.out)  # the JSON alone
        assert (record["n_left_out"], record["n"]) == ((2, 6) if not scoring else (1, 3))
        assert "with labels not among the probe's classes (--skip-unknown)" in said.err


def test_start_from_annotations_or_one_per_recording(weights, tmp_path, capsys):
    """Lights-off differs per night: one --start for all recordings put some nights off their
    scoring grid (--start 3 4 was a usage error). --start annotations starts each recording
    at its first labelling annotation, recorded per file; one value per recording works too;
    the off-grid warning names the recording."""
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    night3, hyps3 = _scored_nights(tmp_path / "a", n=1, start=3.0)
    night4, hyps4 = _scored_nights(tmp_path / "b", n=1, start=4.0)
    paths, hyps = [*night3, *night4], [*hyps3, *hyps4]
    out = tmp_path / "stages"
    common = ["--weights", str(weights), "--passes", "1", "-q", "--window-labels",
              "^Sleep stage", "--window", "2", "--annotations", *hyps]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # each night on its own grid
        assert probe_main(["train", *paths, "-o", str(out), *common, "--start",
                           "annotations"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"{paths[0]}: 8 windows of 2 s from 3 s:" in err
    assert f"{paths[1]}: 8 windows of 2 s from 4 s:" in err
    how = load_probe(out).training["window_labels"]
    assert how["start"] == "annotations" and how["starts"] == {paths[0]: 3.0, paths[1]: 4.0}
    from eegpt.cli import main as cli_main

    assert cli_main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "each recording's own start (--start annotations): night0_raw.fif 3 s, " in info
    assert "start_seconds" not in info
    assert probe_main(["train", *paths, "-o", str(tmp_path / "s2"), *common,
                       "--start", "3", "4"]) == 0  # fmt: skip
    assert f"{paths[1]}: 8 windows of 2 s from 4 s:" in capsys.readouterr().err
    assert probe_main(["train", *paths, "-o", str(tmp_path / "s3"), *common,
                       "--start", "3", "4", "7"]) == 1  # fmt: skip
    assert "--start: 3 values for 2 continuous recording(s)" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # before the recordings, --start took them as its values
        probe_main(["train", "--start", "3", *paths, "-o", str(tmp_path / "s4"), *common])
    assert (
        "is a file, not a start in seconds: --start takes one value per recording, so "
        "give it after the recordings" in capsys.readouterr().err
    )
    # predict: each night's windows (and scoring epochs) from its own first scored epoch
    pred = tmp_path / "pred.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert probe_main(["predict", str(out), *paths, "-o", str(pred), "-q", "--annotations",
                           *hyps, "--start", "annotations", "--epoch-seconds", "2"]) == 0  # fmt: skip
    rows = pd.read_csv(pred)
    assert rows.groupby("file")["onset_s"].min().to_dict() == {paths[0]: 3.0, paths[1]: 4.0}
    # one start for both: the warning names the night it is about
    with pytest.warns(RuntimeWarning) as said:
        assert probe_main(["predict", str(out), *paths, "-o", str(pred), "-q", "--overwrite",
                           "--annotations", *hyps, "--start", "3"]) == 0  # fmt: skip
    grid = [str(w.message) for w in said if "straddles" in str(w.message)]
    assert len(grid) == 1 and grid[0].startswith(f"{paths[1]}: ")


def test_every_command_checks_start_alike(weights, tmp_path, capsys):
    """probe train took --start 17.01 (whole samples at a 100 Hz file) that predict, evaluate
    and embed refused (not a multiple of 1/256 s), while --start annotations moved a scoring
    onset between two 256 Hz samples (17.3 s of a 100 Hz file) to the nearest without a word:
    every command, and --start annotations, now take a start between two samples at the
    model's 256 Hz (where windows are cut) alike: moved to the nearest (3.01 s -> 3.01171875 s)
    with one note saying so, and the onsets record where the windows really start."""
    from eegpt.cli import main as cli_main

    out, paths, hyps = _stage_probe(weights, tmp_path)
    pred = tmp_path / "pred.csv"
    said = []
    for argv in (["probe", "train", *paths, "--weights", str(weights), "-o", str(tmp_path / "x"),
                  "--window-labels", "^Sleep stage", "--window", "2", "--passes", "1",
                  "--annotations", *hyps, "--start", "3.01"],
                 ["probe", "predict", str(out), *paths, "-o", str(pred), "--start", "3.01"],
                 ["probe", "evaluate", str(out), *paths, "--annotations", *hyps,
                  "--start", "3.01"],
                 ["embed", paths[0], "--weights", str(weights), "--start", "3.01", "-o",
                  str(tmp_path / "e.npz")]):  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert cli_main([*argv, "-q"]) == 0, argv
        said += [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
    assert len(set(said)) == 1 and len(said) >= 4, said
    assert said[0].startswith(
        "start_seconds = 3.01 s is 770.56 samples at 256 Hz, where windows are cut (after "
        "resampling): the first window starts at the nearest sample, 3.01171875 s"
    )
    assert float(next(csv.DictReader(pred.open()))["onset_s"]) == pytest.approx(
        3.01171875, abs=1e-6
    )
    # --start annotations: a scoring onset of 3.01 s is moved the same way, with the same note
    other = tmp_path / "other"
    other.mkdir()
    _, late = _scored_nights(other, n=1, start=3.01)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["predict", str(out), paths[0], "--annotations", late[0], "-o",
                           str(pred), "--overwrite", "-q", "--start", "annotations"]) == 0  # fmt: skip
    # named with its recording (several nights each start where their scoring does)
    notes = [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
    assert notes == [
        f"{paths[0]}: its first scored epoch's onset (--start annotations)"
        + said[0].removeprefix("start_seconds")
    ]
    assert float(next(csv.DictReader(pred.open()))["onset_s"]) == pytest.approx(
        3.01171875, abs=1e-6
    )
    raw = mne.io.read_raw_fif(paths[0], preload=True, verbose=False).resample(100.0)
    slow = tmp_path / "slow_raw.fif"
    raw.save(slow, verbose=False)
    # train cuts a 100 Hz file's windows at 256 Hz, as predict does: a start of whole samples
    # there (769) is taken, not refused as 300.390625 samples at the file's rate
    assert probe_main(["train", str(slow), "--weights", str(weights), "-o", str(tmp_path / "y"),
                       "-q", "--window-labels", "^Sleep stage", "--window", "2", "--annotations",
                       hyps[0], "--start", "3.00390625"]) == 0  # fmt: skip
    assert "at the recording's 100 Hz" not in capsys.readouterr().err


def test_a_trained_start_between_two_samples_round_trips_with_one_note(weights, tmp_path):
    """probe train --start 3.01 (770.56 samples at 256 Hz) records the start as given in
    probe.json; predict and evaluate adopt it and cut the windows where training did
    (3.01171875 s, the nearest sample), each with one note that it moved, not one where the
    probe's preprocessing takes the start and another where the windows are cut."""
    out, paths, hyps = _stage_probe(weights, tmp_path, start=3.01)
    trained = json.loads((out / "probe.json").read_text())["training"]["window_labels"]
    assert trained["start_seconds"] == 3.01
    pred = tmp_path / "pred.csv"
    for argv in (["predict", str(out), *paths, "-o", str(pred)],
                 ["evaluate", str(out), *paths, "--annotations", *hyps]):  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert probe_main([*argv, "-q"]) == 0, argv
        notes = [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
        assert len(notes) == 1 and notes[0].startswith("start_seconds = 3.01 s is 770.56"), notes
    onsets = [float(row["onset_s"]) for row in csv.DictReader(pred.open())]
    np.testing.assert_allclose(onsets, 3.01171875 + 2 * np.arange(len(onsets)), atol=1e-6)
    assert len(onsets) == 8  # 16 s scored from 3.01: the windows of training


def test_predict_says_a_moved_start_once_for_all_recordings(weights, tmp_path):
    """probe predict of two recordings with a trained start of 3.01 s (770.56 samples at
    256 Hz) said the same note that it moved, naming no recording, once per recording; it is
    said once for the command, as eegpt embed says it."""
    paths, hyps = _scored_nights(tmp_path, n=2, start=3.01)
    out = tmp_path / "stages"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--passes",
                       "1", "-q", "--window-labels", "^Sleep stage", "--window", "2",
                       "--annotations", *hyps, "--start", "3.01"]) == 0  # fmt: skip
    pred = tmp_path / "pred.csv"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["predict", str(out), *paths, "-o", str(pred), "-q"]) == 0
    notes = [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
    assert len(notes) == 1 and notes[0].startswith("start_seconds = 3.01 s is 770.56"), notes
    onsets = [float(row["onset_s"]) for row in csv.DictReader(pred.open())]
    assert len(onsets) == 16 and onsets[0] == onsets[8] == pytest.approx(3.01171875, abs=1e-6)


def test_train_and_evaluate_say_a_moved_start_once_for_all_recordings(weights, tmp_path):
    """probe train and probe evaluate of two recordings with --start 3.01 (770.56 samples at
    256 Hz) said the same note that it moved once per recording, as predict did before it was
    said once for the command: each says it once."""
    paths, hyps = _scored_nights(tmp_path, n=2, start=3.01)
    out = tmp_path / "stages"
    labelling = ["--window-labels", "^Sleep stage", "--window", "2", "--annotations", *hyps]
    runs = {
        "train": ["train", *paths, "--weights", str(weights), "-o", str(out), "--passes", "1",
                  "-q", *labelling, "--start", "3.01"],
        "evaluate": ["evaluate", str(out), *paths, "-q", "--annotations", *hyps],
    }  # fmt: skip
    for name, words in runs.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert probe_main(words) == 0, name
        notes = [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
        assert len(notes) == 1 and notes[0].startswith("start_seconds = 3.01 s is 770.56"), (
            name,
            notes,
        )


def test_no_annotations_given_is_said_plainly(weights, tmp_path):
    """A recording without annotations, none given (probe predict with a probe trained with
    --window-labels, in window and epoch mode; --val-data without --val-annotations), was
    warned of as 'the annotations given hold none ... (an empty file, or not an annotation
    file?)', though none were given: it is said plainly, naming the recording and option."""
    out, paths, hyps = _stage_probe(weights, tmp_path)
    pred = tmp_path / "pred.csv"
    for more in ([], ["--epoch-seconds", "4"]):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            assert probe_main(["predict", str(out), paths[0], "-o", str(pred), "-q",
                               "--overwrite", *more]) == 0  # fmt: skip
        texts = [str(w.message) for w in said]
        assert not [t for t in texts if "hold none" in t], texts
        plain = f"{paths[0]} has no annotations and none were given (--annotations FILE"
        assert sum(t.startswith(plain) for t in texts) == 1, texts
    (tmp_path / "v").mkdir()
    night, _ = _scored_nights(tmp_path / "v", n=1)  # its own hypnogram not given
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert probe_main(["train", paths[0], "--weights", str(weights), "--passes", "1", "-q",
                           "-o", str(tmp_path / "v2"), "--window-labels", "^Sleep stage",
                           "--window", "2", "--annotations", hyps[0], "--val-data",
                           night[0]]) == 1  # fmt: skip
    texts = [str(w.message) for w in said]
    assert not [t for t in texts if "hold none" in t], texts
    assert any(t.startswith(f"{night[0]} has no annotations and none were given "
                            "(--val-annotations FILE") for t in texts), texts  # fmt: skip


def test_an_epoch_is_bad_only_where_a_bad_annotation_overlaps_it(weights, tmp_path):
    """--epoch-seconds marked an epoch bad when any window over it was bad, so a bad
    annotation inside one epoch marked the next bad too through a window straddling both
    (BAD at 3-4 s, 2 s windows, 3 s epochs: the window 2-4 s made the epoch 0-3 s bad). An
    epoch is bad where a bad annotation overlaps the epoch itself."""
    out, paths, hyps = _stage_probe(weights, tmp_path)
    scoring = tmp_path / "with_bad.csv"
    scoring.write_text(Path(hyps[0]).read_text() + "3,1,BAD_electrode\n")
    pred = tmp_path / "epochs.csv"
    assert probe_main(["predict", str(out), paths[0], "-o", str(pred), "-q", "--annotations",
                       str(scoring), "--epoch-seconds", "3"]) == 0  # fmt: skip
    e = pd.read_csv(pred)
    assert e["onset_s"].tolist()[:3] == [0, 3, 6]
    assert e["bad"].tolist() == [False, True, False, False, False, False]


def test_probe_predict_hypnogram_shades_the_bad_epochs(weights, tmp_path, monkeypatch):
    """probe predict --epoch-seconds --plot drew the epochs marked bad (a BAD_ annotation)
    like any other: they are shaded, hatched, with a legend entry."""
    import eegpt.probe_cli_events

    out, paths, hyps = _stage_probe(weights, tmp_path)
    scoring = tmp_path / "with_bad.csv"
    scoring.write_text(Path(hyps[0]).read_text() + "3,1,BAD_electrode\n")
    drawn = []
    monkeypatch.setattr(
        eegpt.probe_cli_events, "save_figure_file", lambda fig, *a, **kw: drawn.append(fig)
    )
    assert probe_main(["predict", str(out), paths[0], "-q", "--annotations", str(scoring),
                       "--epoch-seconds", "3", "--plot", str(tmp_path / "h.png")]) == 0  # fmt: skip
    (ax,) = drawn[0].axes
    (span,) = [p for p in ax.patches if p.get_hatch()]  # epoch 1 (3-6 s) alone
    np.testing.assert_allclose([span.get_x(), span.get_width()], [3 / 3600, 3 / 3600])
    assert "bad (annotation)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_probe_predict_plot_options_dpi_formats_and_probabilities(weights, tmp_path, monkeypatch):
    """--plot wrote at a fixed 150 dpi, only .png/.pdf/.svg, and the probability ribbons of
    plot_hypnogram could not be asked for: --dpi, .jpg/.tif/.eps, --plot-probabilities."""
    from PIL import Image

    import eegpt.probe_cli_events

    out, paths, hyps = _stage_probe(weights, tmp_path)
    common = ["predict", str(out), paths[0], "-q", "--epoch-seconds", "2"]
    figure = tmp_path / "hypnogram.jpg"
    assert probe_main([*common, "--plot", str(figure), "--dpi", "40"]) == 0
    with Image.open(figure) as im:
        assert im.format == "JPEG" and im.info["dpi"] == pytest.approx((40, 40), abs=0.5)
        assert im.size[0] == pytest.approx(10 * 40, abs=2)  # 10 inches wide
    for suffix in (".tif", ".eps"):
        assert probe_main([*common, "--plot", str(tmp_path / f"h{suffix}")]) == 0
    assert (tmp_path / "h.eps").read_bytes().startswith(b"%!PS")
    drawn = []
    monkeypatch.setattr(
        eegpt.probe_cli_events, "save_figure_file", lambda fig, *a, **kw: drawn.append(fig)
    )
    assert probe_main([*common, "--plot", str(figure)]) == 0
    assert probe_main([*common, "--plot", str(figure), "--plot-probabilities"]) == 0
    plain, ribbons = (fig.axes[0] for fig in drawn)
    assert len(plain.collections) == 0 and len(ribbons.collections) >= 2  # one per class
    assert probe_main([*common, "--plot-probabilities"]) == 1
    with pytest.raises(SystemExit):
        probe_main([*common, "--plot", str(figure), "--dpi", "0"])


def test_probe_predict_plots_the_hypnogram(weights, tmp_path, capsys):
    """probe predict --epoch-seconds --plot FILE draws the hypnogram (one panel per
    recording, the scored stages where --annotations give them); without --epoch-seconds,
    the probabilities (--plot-probabilities needs --epoch-seconds)."""
    out, paths, hyps = _stage_probe(weights, tmp_path)
    figure = tmp_path / "hypnogram.png"
    assert probe_main(["predict", str(out), paths[0], "-q", "--annotations", hyps[0],
                       "--epoch-seconds", "2", "--plot", str(figure)]) == 0  # fmt: skip
    assert f"drew {figure}" in capsys.readouterr().out
    assert figure.read_bytes().startswith(b"\x89PNG")
    assert probe_main(["predict", str(out), paths[0], "-q", "--plot", str(figure),
                       "--plot-probabilities"]) == 1  # fmt: skip
    assert "--plot-probabilities draws ribbons into the hypnogram of --epoch-seconds" in (
        capsys.readouterr().err
    )


def test_hypnograms_of_several_recordings_share_one_time_scale(monkeypatch):
    """probe predict --plot of a 15 min and a 20 min night: each panel filled the width, so
    the shorter night looked as long; now an inch is as many minutes in both, on a clock
    or in hours (a recording without a date beside a dated one)."""
    import types

    import matplotlib.pyplot as plt
    from matplotlib.dates import date2num

    import eegpt.probe_cli_events

    drawn = []
    monkeypatch.setattr(
        eegpt.probe_cli_events, "save_figure_file", lambda fig, *a, **kw: drawn.append(fig)
    )
    header = ["file", "onset_s", "duration_s", "clock_time", "prediction", "bad"]
    start = np.datetime64("2024-03-01T22:30:00", "s")

    def night(name, minutes, dated=True):
        return [[name, 30.0 * k, 30.0, str(start + np.timedelta64(30 * k, "s")) if dated
                 else None, "W", False] for k in range(2 * minutes)]  # fmt: skip

    args = types.SimpleNamespace(plot=Path("h.png"), dpi=None, plot_probabilities=False)
    probe = types.SimpleNamespace(classes_=np.array(["W", "N1"]), encoder={})
    for dated in (True, False):
        rows = night("long.edf", 20) + night("short.edf", 15, dated)
        eegpt.probe_cli_events.plot_hypnograms(args, probe, header, rows)
        long_ax, short_ax = drawn.pop().axes
        assert short_ax.get_title().startswith("short.edf: hypnogram: 30 epochs")
        assert short_ax.get_title().count("short.edf") == 1  # named once
        seconds = []
        for ax in (long_ax, short_ax):
            lo, hi = ax.get_xlim()
            seconds.append((hi - lo) * (3600 if ax.get_xlabel().startswith("hours") else 86400))
        assert seconds[0] == pytest.approx(seconds[1])
        lo, hi = long_ax.get_xlim()  # the widest panel keeps its own limits
        assert lo < date2num(start) and date2num(start + np.timedelta64(1200, "s")) < hi
        plt.close(long_ax.figure)


def test_epoch_mode_of_a_probe_trained_on_epochs_takes_whole_epoch_annotations(weights, tmp_path):
    """A probe trained on epochs (no window labelling recorded) predicting a night with
    --epoch-seconds: each scoring epoch's probabilities are its windows' weighted by the
    seconds they overlap it (a window straddling two epochs shared), the prediction their
    argmax, and the label the annotation lasting whole epochs over it (an arousal over most
    of an unscored epoch, is no scored stage; an epoch a bad span overlaps has none)."""
    probe = train_probe(load_model(weights), synthetic_erp_epochs(24, seed=0, seconds=2.0),
                        epochs=1, device="cpu",
                        preprocessing=PreprocessingConfig(window_seconds=2.0))  # fmt: skip
    out = tmp_path / "erp"
    probe.save(out)
    assert "window_labels" not in json.loads((out / "probe.json").read_text())["training"]
    paths, _ = _scored_nights(tmp_path, n=1, start=3.0)  # 19 s
    hyp = tmp_path / "hyp3.csv"
    stages = ["W", "W", "2", None, "2"]  # 3 s epochs from 3 s: [3, 6), ..., [15, 18)
    # [12, 15) unscored, but for an arousal over 2 s of it: no stage of a whole epoch
    hyp.write_text("onset,duration,description\n12.5,2,arousal\n9.5,0.5,BAD_muscle\n"
                   + "".join(f"{3 + 3 * i},3,Sleep stage {s}\n"
                             for i, s in enumerate(stages) if s))  # fmt: skip
    windows, epochs = tmp_path / "windows.csv", tmp_path / "epochs.csv"
    common = [str(out), paths[0], "-q", "--start", "3"]
    assert probe_main(["predict", *common, "-o", str(windows)]) == 0
    assert probe_main(["predict", *common, "-o", str(epochs), "--epoch-seconds", "3",
                       "--annotations", str(hyp)]) == 0  # fmt: skip
    w = pd.read_csv(windows, keep_default_na=False)
    e = pd.read_csv(epochs, keep_default_na=False)
    classes = probe.classes_.tolist()
    p_columns = [f"p_{c}" for c in classes]
    assert w["onset_s"].tolist() == [3, 5, 7, 9, 11, 13, 15, 17]  # 2 s windows to 19 s
    assert e["onset_s"].tolist() == [3, 6, 9, 12, 15, 18]
    assert e["covered_s"].tolist() == [3, 3, 3, 3, 3, 1]
    pw, pe = w[p_columns].to_numpy(), e[p_columns].to_numpy()
    expected = [
        (2 * pw[0] + pw[1]) / 3,  # [3, 6): 3-5 whole, 5-7 by 1 s
        (pw[1] + 2 * pw[2]) / 3,  # [6, 9)
        (2 * pw[3] + pw[4]) / 3,  # [9, 12)
        (pw[4] + 2 * pw[5]) / 3,  # [12, 15)
        (2 * pw[6] + pw[7]) / 3,  # [15, 18)
        pw[7],  # [18, 19): the last window's last second
    ]
    np.testing.assert_allclose(pe, np.array(expected), rtol=1e-5)
    np.testing.assert_allclose(pe.sum(axis=1), 1.0, rtol=1e-6)
    assert e["prediction"].tolist() == [classes[int(np.argmax(p))] for p in pe]
    # a bad epoch's label is left empty, as a bad window's is ([9, 12) holds the BAD_muscle)
    labels = [f"Sleep stage {s}" if s else "" for s in stages] + [""]
    assert e["label"].tolist() == labels[:2] + [""] + labels[3:]
    assert e["bad"].tolist() == [False, False, True, False, False, False]
    # the Python function gives the same numbers from the window rows
    from eegpt.probe import scoring_epochs

    onsets_py, covered, proba_py = scoring_epochs(pw, w["onset_s"].to_numpy(), 2.0, 3.0, 3.0)
    np.testing.assert_array_equal(onsets_py, e["onset_s"].to_numpy())
    np.testing.assert_array_equal(covered, e["covered_s"].to_numpy())
    np.testing.assert_allclose(proba_py, pe, rtol=1e-5)


def test_epoch_mode_labels_the_unlabelled_class_as_window_mode(weights, tmp_path):
    """A probe trained with --unlabelled rest labelled the windows no matching annotation
    covers 'rest' in window mode but left the same spans' scoring epochs empty with
    --epoch-seconds: both modes now label them with the --unlabelled class."""
    paths, hyps = _scored_nights(tmp_path, n=1, start=3.0)
    out = tmp_path / "wake"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--passes",
                       "1", "-q", "--window-labels", "^Sleep stage W", "--unlabelled", "rest",
                       "--window", "2", "--annotations", *hyps, "--start", "3"]) == 0  # fmt: skip
    windows, epochs = tmp_path / "windows.csv", tmp_path / "epochs.csv"
    common = [str(out), paths[0], "-q", "--start", "3", "--annotations", hyps[0]]
    assert probe_main(["predict", *common, "-o", str(windows)]) == 0
    assert probe_main(["predict", *common, "-o", str(epochs), "--epoch-seconds", "2"]) == 0
    w = pd.read_csv(windows, keep_default_na=False)
    e = pd.read_csv(epochs, keep_default_na=False)
    assert w["onset_s"].tolist() == e["onset_s"].tolist() == [3.0 + 2 * i for i in range(8)]
    assert w["label"].tolist() == ["Sleep stage W"] * 4 + ["rest"] * 4
    assert e["label"].tolist() == w["label"].tolist()


def test_a_bad_epoch_has_no_label_as_a_bad_window_has_none(weights, tmp_path):
    """A window over a bad annotation got no label, but a scoring epoch over the same span
    (--epoch-seconds) kept its scored stage: both are now flagged bad with an empty label."""
    out, paths, hyps = _stage_probe(weights, tmp_path)
    scoring = tmp_path / "with_bad.csv"
    scoring.write_text(Path(hyps[0]).read_text() + "9.5,1,BAD_move\n")
    windows, epochs = tmp_path / "windows.csv", tmp_path / "epochs.csv"
    common = [str(out), paths[0], "-q", "--annotations", str(scoring)]
    assert probe_main(["predict", *common, "-o", str(windows)]) == 0
    assert probe_main(["predict", *common, "-o", str(epochs), "--epoch-seconds", "2"]) == 0
    for table in (windows, epochs):
        rows = pd.read_csv(table, keep_default_na=False)
        assert rows["onset_s"].tolist()[4:6] == [8, 10]
        assert rows["bad"].tolist()[3:7] == [False, True, True, False]
        assert rows["label"].tolist()[3:7] == ["Sleep stage W", "", "", "Sleep stage 2"], table


def test_start_annotations_on_a_recording_off_the_model_grid(weights, tmp_path, capsys):
    """--start annotations on a 100 Hz night scored from 17.1 s: train and evaluate (which
    cut windows at the recording's rate) took the onset rounded to 256 Hz, 17.1015625 s, and
    refused it as no whole number of 100 Hz samples, naming a start the user never gave,
    while predict (which cuts at 256 Hz) took the night. Each command now rounds the first
    scored epoch's onset to the samples it cuts at, 256 Hz for all of them now (train and
    evaluate cut windows as predict and embed do): 17.1015625 s."""
    raw, _, _ = synthetic_erp_raw(10, sfreq=100.0, seed=5)
    raw.set_annotations(None).crop(tmax=17.1 + 16 - 0.01)
    night = tmp_path / "slow_raw.fif"
    raw.save(night, verbose=False)
    hyp = tmp_path / "slow_hyp.csv"
    hyp.write_text("onset,duration,description\n" + "".join(
        f"{17.1 + 2 * i:.1f},2,Sleep stage {'W' if i < 4 else '2'}\n" for i in range(8)))  # fmt: skip
    out = tmp_path / "stages"
    labelling = ["--window-labels", "^Sleep stage", "--annotations", str(hyp), "--start",
                 "annotations"]  # fmt: skip
    assert probe_main(["train", str(night), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "--window", "2", *labelling]) == 0  # fmt: skip
    assert f"{night}: 8 windows of 2 s from 17.1015625 s: 'Sleep stage W' 4, 'Sleep stage 2' 4" in (
        capsys.readouterr().err
    )  # 17.1 s rounded to 256 Hz, where train cuts windows as predict does
    assert load_probe(out).training["window_labels"]["starts"] == {str(night): 17.1015625}
    assert probe_main(["evaluate", str(out), str(night), "-q", *labelling]) == 0
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(night), "-q", "-o", str(pred), *labelling]) == 0
    rows = pd.read_csv(pred)
    assert rows["onset_s"].iloc[0] == pytest.approx(17.1015625)  # 256 Hz's nearest sample
    assert rows["label"].tolist() == ["Sleep stage W"] * 4 + ["Sleep stage 2"] * 4


def test_too_short_after_the_start_names_the_start(weights, tmp_path, capsys):
    """probe predict --start 17.5 with 2 s windows on a 19 s recording called it 'shorter
    than one window': the error now says the window is missing after the start."""
    out, paths, _ = _stage_probe(weights, tmp_path, start=3.0)  # the recording lasts 19 s
    assert probe_main(["predict", str(out), paths[0], "-q", "--start", "17.5"]) == 1
    err = capsys.readouterr().err
    assert "the recording lasts 19.000 s, shorter than one window of the probe (2 s" in err
    assert "after the first window's start (start_seconds=17.5; command line: --start 17.5)" in err
    # a start between two 256 Hz samples: quoted as given (predict labelled it 17.30078125,
    # train 17.3008) and where the windows would start
    quoted = ("(start_seconds=17.3, moved to the nearest 256 Hz sample, 17.30078125 s; command "
              "line: --start 17.3)")  # fmt: skip
    assert probe_main(["predict", str(out), paths[0], "-q", "--start", "17.3"]) == 1
    assert f"after the first window's start {quoted}: give a recording" in capsys.readouterr().err
    with pytest.warns(EEGPTWarning, match="start_seconds = 17.3 s is 4428.8 samples"):
        assert probe_main(["train", paths[0], "--weights", str(weights), "-o",
                           str(tmp_path / "late"), "-q", "--window-labels", "^Sleep stage",
                           "--window", "2", "--start", "17.3"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert f"shorter than one window (2 s) after the first window's start {quoted}" in err


def test_predict_says_when_its_table_ends_before_the_recording(weights, tmp_path, capsys):
    """probe predict with 30 s windows from 17 s on a night of 2407 s gave 79 scoring epochs
    without a word (the last 20 s in no window; a 4 s probe gave 80): predict now says, once
    per recording, how many seconds at the end no row predicts, why, and that a probe trained
    with --tail pad predicts them; nothing where the windows reach the end."""
    out, paths, hyps = _stage_probe(weights, tmp_path, start=3.0)  # the recording lasts 19 s
    pred = tmp_path / "pred.csv"
    base = ["predict", str(out), paths[0], "-o", str(pred), "--overwrite", "-q"]
    assert probe_main([*base, "--start", "3"]) == 0  # 8 windows up to 19 s: its end
    assert "no row of the table predicts them" not in capsys.readouterr().err
    for more in ([], ["--epoch-seconds", "4", "--annotations", hyps[0]]):
        assert probe_main([*base, "--start", "3.5", *more]) == 0  # 7 windows up to 17.5 s
        err = capsys.readouterr().err
        said = (
            f"{paths[0]}: the predictions end at 17.5 s, the recording at 19 s: its last 1.5 s "
            "are in no window and no row of the table predicts them (shorter than the probe's "
            "2 s windows, they are left out: the probe was trained with --tail drop); a probe "
            "trained with --tail pad"
        )
        assert err.count(said) == 1, err
    padded = tmp_path / "padded"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(padded), "--passes",
                       "1", "-q", "--window-labels", "^Sleep stage", "--window", "2",
                       "--annotations", *hyps, "--tail", "pad"]) == 0  # fmt: skip
    assert probe_main(["predict", str(padded), paths[0], "-o", str(pred), "--overwrite", "-q",
                       "--start", "3.5"]) == 0  # fmt: skip
    assert "no row of the table predicts them" not in capsys.readouterr().err
    assert pd.read_csv(pred)["onset_s"].tolist()[-1] == pytest.approx(17.5)


def test_the_note_of_per_recording_starts_says_how_they_were_given(weights, tmp_path, capsys):
    """A probe trained with one numeric --start per recording (--start 3 3) was said at
    predict to have been trained from 'each recording's first scored epoch (--start
    annotations)'; the note now says how the starts were given, as eegpt info does."""
    paths, hyps = _scored_nights(tmp_path, n=2, start=3.0)
    out = tmp_path / "stages"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--passes",
                       "1", "-q", "--window-labels", "^Sleep stage", "--window", "2",
                       "--annotations", *hyps, "--start", "3", "3"]) == 0  # fmt: skip
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # windows straddling the scoring epochs
        assert probe_main(["predict", str(out), paths[0], "-o", str(tmp_path / "p.csv")]) == 0
    err = capsys.readouterr().err
    assert "starting at each recording's own start (one --start per recording)" in err
    assert "first scored epoch (--start annotations)" not in err


def test_a_start_that_did_not_apply_to_epochs_is_not_the_probes(model, short_task, tmp_path):
    """train_probe on epochs with start_seconds=5 warned the start was ignored, then kept it:
    the probe's windows of a continuous recording started at 5 s (window_onsets 5, 6, 7) with
    no note at predict. The probe records 0, as one trained on the command line does (whose
    start is recorded with its labelling); fine-tuning likewise."""
    from eegpt.finetune import finetune

    started = PreprocessingConfig(window_seconds=1.0, start_seconds=5.0)
    with pytest.warns(RuntimeWarning, match="does not apply to epochs"):
        probe = train_probe(model, short_task[0][:20], preprocessing=started, epochs=1)
    assert probe.preprocessing.start_seconds == 0.0
    assert probe.preprocessing == ONE_SECOND
    assert probe.window_onsets(3).tolist() == [0.0, 1.0, 2.0]
    probe.save(tmp_path / "p")
    assert load_probe(tmp_path / "p").preprocessing.start_seconds == 0.0
    with pytest.warns(RuntimeWarning, match="does not apply to epochs"):
        tuned = finetune(model, short_task[0][:20], preprocessing=started, epochs=1,
                         validation=None, device="cpu")  # fmt: skip
    assert tuned.preprocessing.start_seconds == 0.0
    # an overlap did not apply to the epochs either: recorded, it would be warned of (not
    # applied) at each prediction of a recording; recorded as 0, the windows consecutive
    sliding = PreprocessingConfig(window_seconds=1.0, overlap=0.5)
    with pytest.warns(RuntimeWarning, match=r"overlap=0.5 s does not apply to epochs"):
        probe = train_probe(model, short_task[0][:20], preprocessing=sliding, epochs=1)
    assert probe.preprocessing == ONE_SECOND
    probe.save(tmp_path / "q", overwrite=True)
    assert load_probe(tmp_path / "q").preprocessing.overlap == 0.0
    raw, _, _ = synthetic_erp_raw(1, sfreq=256.0, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no note of an overlap not applied
        assert len(probe.predict_proba(raw)) == int(raw.times[-1] + 1 / 256)


def test_a_recordings_own_start_is_found_however_the_file_is_named(tmp_path):
    """start_given (WindowLabelling.start_of's and predict's rule alike) matches a recording
    to its --start by file identity, not by the text of its path."""
    from eegpt.probe_label_files import start_given

    (tmp_path / "a_raw.fif").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    starts = ((str(tmp_path / "sub" / ".." / "a_raw.fif"), 17.0), (str(tmp_path / "b"), 3.0))
    assert start_given(0.0, starts, tmp_path / "a_raw.fif") == 17.0
    assert start_given("annotations", starts, tmp_path / "c_raw.fif") == "annotations"


@pytest.mark.parametrize(
    ("command", "example"),
    [
        (["train"], "eegpt probe train A.edf"),
        (["predict", "p"], "eegpt probe predict PROBE A.edf"),
        (["evaluate", "p"], "eegpt probe evaluate PROBE A.edf"),
    ],
)
def test_a_file_given_as_a_start_is_refused_naming_the_command_run(
    tmp_path, capsys, command, example
):
    """The error for a recording taken as a --start value said 'eegpt probe train A.edf ...'
    for probe predict and evaluate too: it names the command run."""
    from eegpt.cli import main as cli_main

    night = tmp_path / "night.edf"
    night.write_bytes(b"x")
    for main in (probe_main, lambda argv: cli_main(["probe", *argv])):
        with pytest.raises(SystemExit):
            main([*command, "--start", str(night), "x.edf"])
        err = capsys.readouterr().err
        assert f"give it after the recordings ({example} B.edf ... --start 17 73)" in err


def test_a_start_in_seconds_is_one_where_a_file_has_its_name(tmp_path, monkeypatch):
    """--start 30 was refused as 'a file, not a start in seconds' wherever a file or folder
    named 30 was in the current folder: only a value that is no number is checked for being
    a file (a recording given after --start)."""
    import argparse

    from eegpt.cli_options import start_value

    monkeypatch.chdir(tmp_path)
    (tmp_path / "30").mkdir()
    (tmp_path / "night.edf").write_bytes(b"x")
    assert start_value("30") == 30.0
    with pytest.raises(argparse.ArgumentTypeError, match="is a file, not a start in seconds"):
        start_value("night.edf")
    with pytest.raises(argparse.ArgumentTypeError, match="is no number of seconds"):
        start_value("nowhere.edf")


@pytest.fixture
def stream_probe(model, short_task):
    """``(probe, config, raw)``: a probe of 1 s windows without the average reference
    (``config``) trained one pass on 32 epochs, and a 3-channel ERP recording at 250 Hz to
    stream to it (the online and fingerprint tests' set-up); a fresh probe for each test."""
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    probe = train_probe(model, short_task[0][:32], preprocessing=config, epochs=1)
    raw, _, _ = synthetic_erp_raw(3, sfreq=250.0, seed=5)
    return probe, config, raw


def test_a_stream_of_another_encoder_made_in_memory_is_refused_and_outputs_name_theirs(
    weights, stream_probe, tmp_path, monkeypatch
):
    """Embeddings of a stream from another encoder made in memory (never loaded) recorded no
    weights fingerprint, so predict_proba took them (meaningless probabilities) while the same
    weights loaded from a file were refused; each output names its encoder's weights now,
    hashed once per model (not at each push), and they are refused alike. probe.online's
    outputs, of a probe loaded from its folder or trained in memory, name the probe's encoder
    (its file and fingerprint), not {'pretrained': None}."""
    import eegpt.fingerprints as fingerprints
    from eegpt.online import OnlineEmbedder
    from eegpt.outputs import Embeddings
    from eegpt.probe import load_probe

    probe, config, raw = stream_probe
    x = raw.get_data()[:, :1250] * 1e6
    torch.manual_seed(123)
    other = EEGPT(SMALL).eval()  # another encoder of the same size, never loaded
    hashed = []
    hash_weights = fingerprints.encoder_fingerprint
    monkeypatch.setattr(
        fingerprints, "encoder_fingerprint", lambda m: hashed.append(1) or hash_weights(m)
    )
    online = OnlineEmbedder(other, raw.ch_names, 250.0, units="uV", preprocessing=config,
                            warm_up=False)  # fmt: skip
    pushes = [online.push(x[:, i : i + 250]) for i in range(0, 1250, 250)]
    assert len(hashed) == 1  # hashed once for the stream, not at each push
    emb = Embeddings.concatenate([p for p in pushes if len(p)])
    own = hash_weights(other)
    assert emb.metadata["checkpoint"]["weights_sha256"] == own != probe.encoder["weights_sha256"]
    with pytest.raises(ValueError, match=r"made by an encoder with other weights \(fingerprint "
                       rf"{own[:12]}\.\.\., the probe's"):  # fmt: skip
        probe.predict_proba(emb)
    loaded = load_probe(probe.save(tmp_path / "probe"))
    for which in (probe, loaded):
        mine = which.online(raw.ch_names, 250.0, units="uV", warm_up=False).push(x)
        record = mine.metadata["checkpoint"]
        assert record["weights_sha256"] == probe.encoder["weights_sha256"]
        assert record["path"] == str(weights) and record["sha256"] == probe.encoder["sha256"]
        assert which.predict_proba(mine).shape == (len(mine), 2)


def test_a_stream_of_another_encoder_alone_made_in_memory_is_refused(stream_probe):
    """An encoder alone (``model.target_encoder``, which every embedding API takes) made in
    memory recorded no weights fingerprint, unlike the whole model, so predict_proba took
    another encoder's stream; it records its fingerprint (hashed once) and is refused."""
    from eegpt.online import OnlineEmbedder
    from eegpt.outputs import Embeddings

    probe, config, raw = stream_probe
    x = raw.get_data()[:, :1250] * 1e6
    torch.manual_seed(321)
    other = EEGPT(SMALL).eval().target_encoder  # another encoder, alone, never loaded
    online = OnlineEmbedder(other, raw.ch_names, 250.0, units="uV", preprocessing=config,
                            warm_up=False)  # fmt: skip
    emb = Embeddings.concatenate([p for p in (online.push(x[:, :625]), online.push(x[:, 625:]))
                                  if len(p)])  # fmt: skip
    own = encoder_fingerprint(other)
    assert emb.metadata["checkpoint"]["weights_sha256"] == own != probe.encoder["weights_sha256"]
    with pytest.raises(ValueError, match=r"made by an encoder with other weights"):
        probe.predict_proba(emb)


def test_a_flat_channel_a_probe_needs_is_advised_to_be_fixed_not_dropped(model, stream_probe):
    """A channel flat from a stream's start under probe.online was advised to be dropped
    (rename={'Fz': None}), which probe.online refuses (the probe needs it): the warning says
    the probe needs it and to fix the electrode; an embedder without a probe still says to
    drop it."""
    from eegpt.online import OnlineEmbedder

    probe, config, raw = stream_probe
    x = raw.get_data()[:, :500] * 1e6
    flat = raw.ch_names[2]
    x[2] = 0.0
    online = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False)
    with pytest.warns(EEGPTWarning) as record:
        assert len(online.push(x)) == 2
    said = [str(w.message) for w in record if "flat channel(s) check" in str(w.message)]
    assert len(said) == 1
    assert re.search(rf"\[{flat!r}\] have zero peak-to-peak.* The probe needs them .*fix their "
                     r"electrodes .*reset\(\) the stream", said[0])  # fmt: skip
    assert "rename=" not in said[0] and "--drop" not in said[0]
    with pytest.raises(ValueError, match=r"trained on 19 channels"):  # what was advised
        probe.online(raw.ch_names, 250.0, units="uV", rename={flat: None}, warm_up=False)
    plain = OnlineEmbedder(model, raw.ch_names, 250.0, units="uV", preprocessing=config,
                           warm_up=False)  # fmt: skip
    with pytest.warns(EEGPTWarning, match=rf"Exclude them \(rename=\{{{flat!r}: None\}}"):
        plain.push(x)


def test_a_probe_classifies_a_stream_as_it_classifies_epochs_and_files(model, short_task, tmp_path):
    """probe.online embeds a stream with the probe's encoder, preprocessing (here a linear
    detrend, which embeddings made without it would miss) and channels; predict_proba takes
    what push returns, equal to predict_proba of the same stretches as epochs, and to the
    command line's predictions of the recording; embeddings made otherwise are refused."""
    from eegpt.online import OnlineEmbedder
    from eegpt.outputs import Embeddings

    train, _ = short_task
    config = PreprocessingConfig(window_seconds=1.0, detrend="linear", average_reference=False)
    probe = train_probe(model, train[:32], preprocessing=config, epochs=1)
    raw, _, _ = synthetic_erp_raw(3, sfreq=250.0, seed=5)
    x = raw.get_data() * 1e6  # a stream in microvolts, as LSL gives it
    online = probe.online(raw.ch_names, 250.0, units="uV", overlap=0.5, warm_up=False)
    assert isinstance(online, OnlineEmbedder) and online.config.detrend == "linear"
    rng = np.random.default_rng(0)
    pushes, i = [], 0
    while i < x.shape[1]:
        n = int(rng.integers(10, 51))  # LSL-sized chunks
        pushes.append(online.push(x[:, i : i + n]))
        i += n
    emb = Embeddings.concatenate([p for p in pushes if len(p)])
    proba = probe.predict_proba(emb)
    assert proba.shape == (len(emb), 2) and len(emb) > 10
    length = online.window_length
    starts = np.round(emb.onsets * 250).astype(int)
    events = np.column_stack([starts, np.zeros_like(starts), np.ones_like(starts)])
    epochs = mne.Epochs(raw, events, tmin=0, tmax=(length - 1) / 250, baseline=None,
                        preload=True, verbose=False)  # fmt: skip
    np.testing.assert_allclose(proba, probe.predict_proba(epochs), atol=1e-6)
    # the command line on the same stretches saved as epochs gives the same numbers; on the
    # recording, whose consecutive windows are every other stream window, the same but for
    # the resampling of the whole recording at once (a window's edges see their neighbours)
    folder = probe.save(tmp_path / "probe")
    recording, epochs_file = tmp_path / "stream_raw.fif", tmp_path / "stream-epo.fif"
    raw.save(recording, verbose=False)
    epochs.save(epochs_file, verbose=False)
    for path, rows_of, tolerance in (
        (epochs_file, slice(None), 1e-6),
        (recording, slice(0, None, 2), 1e-4),
    ):
        out = tmp_path / f"{path.stem}.csv"
        assert probe_main(["predict", str(folder), str(path), "-o", str(out), "-q"]) == 0
        rows = list(csv.DictReader(out.open()))
        cli = np.array([[float(r["p_standard"]), float(r["p_target"])] for r in rows])
        np.testing.assert_allclose(cli, proba[rows_of], atol=tolerance)
        if path == recording:
            np.testing.assert_allclose([float(r["onset_s"]) for r in rows], emb.onsets[rows_of])

    # a channel the probe needs and the stream lacks: refused as predict_proba refuses it
    with pytest.raises(ValueError, match=r"<stream>: the probe was trained on 19 channels, but"):
        probe.online(raw.ch_names[1:], 250.0, units="uV", warm_up=False)
    # embeddings preprocessed otherwise (no detrend), or of other channels, are refused
    plain = model.embed(epochs, preprocessing=PreprocessingConfig(window_seconds=1.0,
                        average_reference=False), verbose=False)  # fmt: skip
    with pytest.raises(ValueError, match=r"preprocessed otherwise .*detrend='none' \(the "
                       r"probe's: 'linear'\)"):  # fmt: skip
        probe.predict_proba(plain)
    fewer = model.embed(epochs.copy().drop_channels(["Pz"]), preprocessing=config, verbose=False)
    with pytest.raises(ValueError, match=r"other channels than the probe's 19 .*without PZ"):
        probe.predict_proba(fewer)
    projected = train_probe(model, train[:32], preprocessing=ONE_SECOND, epochs=1, chan_proj=True)
    with pytest.raises(ValueError, match="mixes its 19 input channels in a channel projection"):
        projected.online(raw.ch_names, 250.0)


def test_probe_train_records_the_baseline_of_its_epochs_files(weights, short_task, tmp_path):
    """`eegpt probe train` on epochs saved with MNE's default baseline recorded
    epochs_baseline null (the files' epochs were merged without it), so its probe never
    warned of data not so corrected; train_probe recorded it. Files corrected alike record
    their baseline; files corrected differently record none, and say so."""
    train = short_task[0][:32]
    corrected, plain = tmp_path / "bl-epo.fif", tmp_path / "plain-epo.fif"
    train.copy().apply_baseline((None, 0), verbose=False).save(corrected, verbose=False)
    train.save(plain, verbose=False)
    common = ["--weights", str(weights), "-q", "--passes", "1", "--window", "1"]
    for files, expected in (([corrected], [-0.2, 0.0]), ([corrected, corrected], [-0.2, 0.0])):
        out = tmp_path / f"probe{len(files)}"
        assert probe_main(["train", *map(str, files), "-o", str(out), *common]) == 0
        recorded = json.loads((out / "probe.json").read_text())["training"]["epochs_baseline"]
        assert recorded == pytest.approx(expected)  # (FIF stores it as float32)
    out = tmp_path / "mixed"
    with pytest.warns(RuntimeWarning, match=r"2 inputs' epochs were baseline-corrected "
                      r"differently by MNE \(-0.2 s to 0 s, none\)"):  # fmt: skip
        assert probe_main(["train", str(corrected), str(plain), "-o", str(out), *common]) == 0
    assert json.loads((out / "probe.json").read_text())["training"]["epochs_baseline"] is None


def test_a_probe_trained_on_baseline_corrected_epochs_warns_where_the_input_is_not(
    model, short_task, tmp_path
):
    """Trained on epochs MNE baseline-corrected (its default), a probe used on a stream, a
    recording or embeddings without that correction gave no warning: their offsets differ
    from the training data's. It records the baseline and warns; older probes stay quiet."""

    train, test = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    corrected = train[:32].copy().apply_baseline((None, 0), verbose=False)
    probe = train_probe(model, corrected, preprocessing=config, epochs=1)
    assert probe.training["epochs_baseline"] == [-0.2, 0.0]
    assert load_probe(probe.save(tmp_path / "p"), model).training["epochs_baseline"] == [-0.2, 0.0]
    said = r"trained on epochs that MNE baseline-corrected over -0.2 s to 0 s .* baseline=None"
    raw, _, _ = synthetic_erp_raw(3, sfreq=250.0, seed=5)
    with pytest.warns(RuntimeWarning, match=said + r".*detrend='constant'"):
        online = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False)
    emb = online.push(raw.get_data() * 1e6)
    with warnings.catch_warnings():  # said once for the stream, not at each of its pushes
        warnings.simplefilter("error")
        probe.predict_proba(emb)
        probe.predict_proba(test[:4].copy().apply_baseline((None, 0), verbose=False))
    with pytest.warns(RuntimeWarning, match=said):
        probe.predict_proba(raw)
    plain = model.embed(test[:4], preprocessing=config, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"but these embeddings are not"):
        probe.predict_proba(plain)
    # embeddings of a continuous recording: known not corrected (recorded as none), and so are
    # older ones without the record of what MNE read; arrays' are unknown
    windows = model.embed(raw, preprocessing=config, verbose=False)
    assert windows.metadata["epochs_baseline"] is None
    for source, said in (("<Raw>", "are not"), ("rec.edf", "are not"),
                         ("sub-01-epo.fif", "are not"), ("x.npz", "is not recorded in them"),
                         ("<array>", "is not recorded in them")):  # fmt: skip
        older = copy.deepcopy(windows)
        del older.metadata["epochs_baseline"]
        older.metadata["source"] = source
        for emb_ in (windows, older):
            probe._warned = {}  # each said once per probe: said again here
            with pytest.warns(RuntimeWarning, match=said if emb_ is older else "are not"):
                probe.predict_proba(emb_)
    old = copy.copy(probe)
    old.training = {k: v for k, v in probe.training.items() if k != "epochs_baseline"}
    with warnings.catch_warnings():  # probes saved before it was recorded: unknown, unchecked
        warnings.simplefilter("error")
        old.predict_proba(plain)
    assert (
        train_probe(model, train[:32], preprocessing=config, epochs=1).training["epochs_baseline"]
        is None
    )


def _detrend_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """The messages of ``caught`` that warn of MNE's detrend of the epochs."""
    return [str(w.message) for w in caught if "detrended by MNE" in str(w.message)]


def test_a_probe_trained_on_detrended_epochs_warns_where_the_input_is_not(model, tmp_path):
    """A probe trained on epochs MNE detrended (mne.Epochs(..., detrend=1)) gave no warning
    on epochs, embeddings or a stream without that detrend (nor the reverse), while other
    baseline differences were warned of. It records epochs.detrend and warns as of the
    baseline; epochs read from a file (which stores no detrend) are said unknown; a probe that
    detrends each window itself, or one saved before the record, stays quiet."""
    raw, events, event_id = synthetic_erp_raw(44, sfreq=250.0, soa=1.5, seed=7)
    cut = {"tmin": -0.2, "tmax": 0.8 - 1 / 250.0, "baseline": None, "preload": True}
    detrended = mne.Epochs(raw, events, event_id, detrend=1, verbose=False, **cut)
    plain = mne.Epochs(raw, events, event_id, verbose=False, **cut)
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    probe = train_probe(model, detrended[:32], preprocessing=config, epochs=1)
    assert probe.training["epochs_detrend"] == 1
    assert load_probe(probe.save(tmp_path / "p"), model).training["epochs_detrend"] == 1
    said = (
        r"trained on epochs detrended by MNE \(a least-squares line of each epoch's channels "
        r"subtracted: detrend=1\), but .* were not detrended by MNE \(detrend=None\).*"
        r"detrend=1\) as in training.*detrend='linear'"
    )
    with pytest.warns(RuntimeWarning, match=said):
        probe.predict_proba(plain[32:])
    with pytest.warns(RuntimeWarning, match=r"but these embeddings were not detrended"):
        probe.predict_proba(model.embed(plain[32:], preprocessing=config, verbose=False))
    with pytest.warns(RuntimeWarning, match=r"but a live stream's windows were not detrended"):
        probe.online(raw.ch_names, 250.0, warm_up=False)
    plain[32:].save(tmp_path / "plain-epo.fif", verbose=False)
    probe._warned = {}
    with pytest.warns(RuntimeWarning, match=r"whether .* were detrended is not recorded"):
        probe.predict_proba(mne.read_epochs(tmp_path / "plain-epo.fif", verbose=False))
    with warnings.catch_warnings(record=True) as caught:  # detrended alike: nothing to say
        warnings.simplefilter("always")
        probe.predict_proba(detrended[32:])
        probe.predict_proba(model.embed(detrended[32:], preprocessing=config, verbose=False))
    assert not _detrend_warnings(caught)
    # the reverse: trained on epochs not detrended, used on detrended ones
    undetrended = train_probe(model, plain[:32], preprocessing=config, epochs=1)
    assert undetrended.training["epochs_detrend"] is None
    with pytest.warns(RuntimeWarning, match=r"trained on epochs not detrended by MNE \("
                      r"detrend=None\), but .* were detrended by MNE \(a least-squares"):  # fmt: skip
        undetrended.predict_proba(detrended[32:])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        undetrended.predict_proba(plain[32:])
        undetrended.predict_proba(raw)  # windows of a continuous recording: none
        undetrended.predict_proba(mne.read_epochs(tmp_path / "plain-epo.fif", verbose=False))
        own = train_probe(model, detrended[:32], preprocessing=dataclasses.replace(
            config, detrend="linear"), epochs=1)  # fmt: skip
        own.predict_proba(plain[32:])  # its own linear detrend of each window removes both
        old = copy.copy(probe)
        old.training = {k: v for k, v in probe.training.items() if k != "epochs_detrend"}
        old._warned = {}
        old.predict_proba(plain[32:])  # saved before it was recorded: unknown, unchecked
    assert not _detrend_warnings(caught)
    # epochs read from a file: their detrend is not known, so none is recorded
    read = mne.read_epochs(tmp_path / "plain-epo.fif", verbose=False)
    assert "epochs_detrend" not in train_probe(model, read, preprocessing=config, epochs=1).training


def test_embeddings_of_the_same_weights_from_another_file_are_taken(model, short_task, tmp_path):
    """A probe trained on a state_dict copy of a checkpoint refused the embeddings of the
    checkpoint itself (another file's sha256) though the weights are the same: the weights'
    fingerprint is compared, the file's hash only where embeddings lack it."""
    from eegpt.outputs import Embeddings

    train, test = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    torch.save(model.state_dict(), tmp_path / "w.pt")
    with pytest.warns(RuntimeWarning, match="does not record num_heads"):  # (as SMALL has)
        copied = load_model(tmp_path / "w.pt", verbose=False)
    probe = train_probe(copied, train[:32], preprocessing=config, epochs=1)
    emb = model.embed(test[:4], preprocessing=config, verbose=False)
    assert emb.metadata["checkpoint"]["sha256"] != probe.encoder["sha256"]
    assert emb.metadata["checkpoint"]["weights_sha256"] == probe.encoder["weights_sha256"]
    np.testing.assert_allclose(probe.predict_proba(emb), probe.predict_proba(test[:4]), atol=1e-6)
    torch.manual_seed(9)
    save_checkpoint(EEGPT(SMALL).eval(), tmp_path / "other")
    other = load_model(tmp_path / "other", verbose=False).embed(
        test[:4], preprocessing=config, verbose=False
    )
    with pytest.raises(ValueError, match=r"an encoder with other weights \(fingerprint"):
        probe.predict_proba(other)
    # embeddings written before the fingerprint was recorded join those that record it
    before = {k: v for k, v in emb.metadata["checkpoint"].items() if k != "weights_sha256"}
    written = Embeddings(emb.data, emb.onsets, {**emb.metadata, "checkpoint": before})
    assert len(Embeddings.concatenate([written[:2], emb[2:]])) == 4
    older = copy.copy(other)  # embeddings recorded without the fingerprint: the file's hash
    older.metadata = {**other.metadata, "checkpoint": {"sha256": "0" * 64}}
    with pytest.raises(ValueError, match=r"encoder of another checkpoint file"):
        probe.predict_proba(older)


def test_embeddings_whose_older_record_lacks_a_field_mean_its_stored_default(model, short_task):
    """A preprocessing record written before average_reference/detrend were recorded means
    False/"none"; the check skipped the fields it lacked, so such embeddings passed a probe
    trained with the average reference."""
    from eegpt.outputs import Embeddings

    train, test = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=True)
    probe = train_probe(model, train[:32], preprocessing=config, epochs=1)
    plain = model.embed(
        test[:4], preprocessing=dataclasses.replace(config, average_reference=False), verbose=False
    )
    record = {
        k: v
        for k, v in plain.metadata["preprocessing"].items()
        if k not in ("average_reference", "detrend")
    }
    old = Embeddings(plain.data, plain.onsets, {**plain.metadata, "preprocessing": record})
    with pytest.raises(ValueError, match=r"average_reference=False \(the probe's: True\) "
                       r"\(recorded before the field was\)"):  # fmt: skip
        probe.predict_proba(old)
    same = model.embed(test[:4], preprocessing=config, verbose=False)
    kept = {k: v for k, v in same.metadata["preprocessing"].items() if k != "detrend"}
    probe.predict_proba(
        Embeddings(same.data, same.onsets, {**same.metadata, "preprocessing": kept})
    )


def test_probe_online_runs_its_own_copy_of_the_model(model, short_task):
    """probe.online shared probe.model: predict_proba(epochs) on another device (CUDA by
    default on a GPU host) moved it, and the embedder's next push was refused as 'another
    engine made on the same model'. 'meta' stands in for the other device."""
    train, _ = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    # a copy: the module's model, moved to 'meta' below, would be lost to later tests
    probe = train_probe(copy.deepcopy(model), train[:32], preprocessing=config, epochs=1)
    raw, _, _ = synthetic_erp_raw(1, sfreq=250.0, seed=5)
    online = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False)
    assert online.model is not probe.model
    shared = {id(p) for p in probe.model.parameters()}
    assert not shared & {id(p) for p in online.model.parameters()}
    probe.model.to("meta")  # as predict_proba(epochs, device=...) moves it
    assert len(online.push(raw.get_data() * 1e6)) >= 1


def test_probe_online_forwards_the_stream_settings_and_cuts_from_the_first_sample(
    model, short_task
):
    """probe.online dropped gap_tolerance (needed with LSL timestamps), engine and on_unknown;
    it took the probe's preprocessing whole, so a start_seconds set for predicting a recording
    left out the stream's first seconds, and an overlap an older probe recorded applied where
    its docstring said None meant none. Now: forwarded, the first window at the first sample
    (start_seconds given otherwise), overlap None is 0."""
    from eegpt.engine import InferenceEngine

    train, _ = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    probe = train_probe(model, train[:32], preprocessing=config, epochs=1)
    # set for predicting a recording; an older probe's overlap
    probe.preprocessing = dataclasses.replace(probe.preprocessing, start_seconds=2.0, overlap=0.5)
    raw, _, _ = synthetic_erp_raw(1, sfreq=250.0, seed=5)
    x = raw.get_data() * 1e6
    online = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False, gap_tolerance=0.3)
    assert online.gap_tolerance == 0.3
    assert online.overlap == 0.0 and online.window_start(0) == 0
    assert online.config.start_seconds == 0.0
    emb = online.push(x[:, :250])  # one second: the first window, at the first sample
    assert list(emb.onsets) == [0.0]
    later = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False, start_seconds=0.5)
    assert len(later.push(x[:, :250])) == 0 and later.window_start(0) == 125
    assert len(probe.online(raw.ch_names, 250.0, units="uV", warm_up=False, overlap=0.5)
               .push(x[:, :500])) == 3  # fmt: skip
    # on_unknown: a channel outside the vocabulary refused when asked
    with pytest.raises(ValueError, match="XYZ"):
        probe.online([*raw.ch_names, "XYZ"], 250.0, on_unknown="raise", warm_up=False)
    # an engine shared: run as given, no copy of the model made
    engine = InferenceEngine(probe.model.target_encoder)
    shared = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False, engine=engine)
    assert shared.engine is engine
    np.testing.assert_allclose(shared.push(x[:, :250]).data, emb.data, atol=1e-6)


def test_probe_online_takes_on_missing_as_the_other_mapping_entry_points(model, short_task):
    """probe.online had no on_missing, which embed and OnlineEmbedder take: a rename meant for
    streams of several channel sets (a key this stream lacks) was refused with no way to
    ignore it. Now on_missing='ignore' applies it to the channels the stream has; 'raise' (the
    default) still refuses the key, and another value is refused."""
    train, _ = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    probe = train_probe(model, train[:32], preprocessing=config, epochs=1)
    raw, _, _ = synthetic_erp_raw(1, sfreq=250.0, seed=5)
    x = raw.get_data()[:, :250] * 1e6
    rename = {"EEG X9": "T7"}  # another cap's label, not in this stream
    with pytest.raises(ValueError, match=r"\['EEG X9'\].*on_missing='ignore'"):
        probe.online(raw.ch_names, 250.0, units="uV", rename=rename, warm_up=False)
    online = probe.online(
        raw.ch_names, 250.0, units="uV", rename=rename, on_missing="ignore", warm_up=False
    )
    plain = probe.online(raw.ch_names, 250.0, units="uV", warm_up=False)
    np.testing.assert_array_equal(online.push(x).data, plain.push(x).data)
    with pytest.raises(
        ValueError,
        match=r"on_missing must be 'raise', 'ignore' or None \(the probe's\), got 'warn'",
    ):
        probe.online(raw.ch_names, 250.0, on_missing="warn", warm_up=False)


def test_embeddings_of_more_channels_than_the_probe_say_to_keep_only_its_own(model, short_task):
    """Embeddings of a recording with channels besides the probe's were refused with the advice
    model.embed(epochs, preprocessing=probe.preprocessing), which gives the same refusal again;
    the advice now keeps only the probe's channels, by the recording's names."""
    train, test = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    names = ["Fz", "Cz", "Pz", "C3"]
    probe = train_probe(model, train[:32].copy().pick(names[:3]), preprocessing=config, epochs=1)
    epochs = test[:4].copy().pick(names)
    more = model.embed(epochs, preprocessing=probe.preprocessing, verbose=False)
    with pytest.raises(ValueError, match=r"with C3 besides\. Keep only the probe's channels: "
                       r"model\.embed\(epochs, preprocessing=probe\.preprocessing, keep=\['Fz', "
                       r"'Cz', 'Pz'\]\) .*the recording's Fz, Cz, Pz"):  # fmt: skip
        probe.predict_proba(more)
    kept = model.embed(epochs, preprocessing=probe.preprocessing, keep=["Fz", "Cz", "Pz"],
                       verbose=False)  # fmt: skip
    np.testing.assert_allclose(probe.predict_proba(kept), probe.predict_proba(epochs), atol=1e-6)


# ------------------------------------------------------------------------- training provenance


def test_a_saved_probe_identifies_its_training_data(model, tmp_path):
    """probe.json's training names each input (a file by name with its size, modification
    time and fingerprint, as `eegpt embed` records a recording; data in memory by type and
    shape), counts each class's epochs, lists the validation fraction's epochs and records
    the torch thread count and device; `eegpt info` shows it."""
    from eegpt._file_identity import source_files_record

    epochs = synthetic_erp_epochs(20, seed=5, seconds=1.0, tmin=-0.2)
    path = tmp_path / "train-epo.fif"
    epochs.save(path, verbose=False)
    probe = train_probe(
        model, path, validation=0.2, preprocessing=ONE_SECOND, epochs=1, seed=7, device="cpu"
    )  # CPU, also where a GPU is (the default device then)
    training = probe.training
    # its epochs too, as `eegpt probe train` records its files (af25f27)
    assert training["inputs"] == [
        {"name": "train-epo.fif", "n_epochs": 20, **source_files_record(path)}
    ]
    assert training["class_counts"] == {
        "train": {"standard": 8, "target": 8},
        "validation": {"standard": 2, "target": 2},
    }
    y = np.array([{"standard": 0, "target": 1}[c] for c in epochs_labels(epochs)])
    assert training["validation"]["indices"] == stratified_split(y, 0.2, 7)[1].tolist()
    assert training["torch_threads"] == torch.get_num_threads()
    assert training["device"] == "cpu"
    shown = describe_probe(probe.save(tmp_path / "p"))
    assert (
        "  trained on: 1 file (train-epo.fif, 20 epochs: standard 10, target 10); validation "
        "4 epochs of them (seed 7)\n"
    ) in shown, shown
    n = torch.get_num_threads()
    assert f"  device cpu, {n} torch thread{'s' if n != 1 else ''} (on CPU" in shown

    x = epochs.get_data()
    in_memory = train_probe(model, epochs, preprocessing=ONE_SECOND, epochs=1)
    assert in_memory.training["inputs"] == [
        {"type": "mne.Epochs in memory", "shape": [20, 19, 250]}
    ]
    from_array = train_probe(model, x, epochs_labels(epochs), ch_names=epochs.ch_names,
                             sfreq=250.0, preprocessing=ONE_SECOND, epochs=1)  # fmt: skip
    assert from_array.training["inputs"] == [
        {"type": "numpy array (n, C, T)", "shape": [20, 19, 250]}
    ]
    assert "validation" not in from_array.training["class_counts"]


def test_a_probe_json_without_the_training_data_record_still_loads_and_describes(
    model, weights, tmp_path
):
    """Probes saved before eegpt recorded the training data, class counts and thread count:
    loaded as before, and `eegpt info` says they were not recorded."""
    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    folder = train_probe(model, epochs, preprocessing=ONE_SECOND, epochs=1).save(tmp_path / "p")
    meta = json.loads((folder / "probe.json").read_text())
    for key in ("inputs", "class_counts", "torch_threads", "device"):
        del meta["training"][key]
    (folder / "probe.json").write_text(json.dumps(meta))
    shown = describe_probe(folder)
    assert (
        "  trained on: not recorded (probe saved before eegpt recorded its training data)" in shown
    )
    assert "  device not recorded, torch threads not recorded" in shown
    assert isinstance(load_probe(folder, weights), EEGPTProbe)


def test_probe_commands_record_the_data_and_the_probe_of_their_outputs(
    weights, short_task, tmp_path, capsys
):
    """probe train records the files read (not the epochs in memory they are merged into),
    with --val-data's; evaluate --json keeps its metrics at the top level and adds their
    provenance; predict writes it to a CSV's sidecar JSON (its name with .json added) and
    into a Parquet file's schema metadata, and refuses to replace a sidecar without
    --overwrite."""
    import hashlib

    import pyarrow.parquet as pq

    from eegpt import __version__
    from eegpt._file_identity import source_files_record
    from eegpt.probe_cli import PREDICTIONS_KEY
    from eegpt.probe_provenance import NOT_PRETRAINED_PROBE, predictions_record, predictions_report

    train, test = short_task
    a, b, held = tmp_path / "a-epo.fif", tmp_path / "b-epo.fif", tmp_path / "val-epo.fif"
    train[:20].save(a, verbose=False)
    train[20:36].save(b, verbose=False)
    test[:12].save(held, verbose=False)
    out = tmp_path / "probe"
    assert probe_main(["train", str(a), str(b), "--val-data", str(held), "--weights",
                       str(weights), "-o", str(out), "-q", "--passes", "1", "--window", "1"]) == 0  # fmt: skip
    training = json.loads((out / "probe.json").read_text())["training"]
    assert training["inputs"] == [
        {"name": "a-epo.fif", "n_epochs": 20, **source_files_record(a)},
        {"name": "b-epo.fif", "n_epochs": 16, **source_files_record(b)},
    ]
    assert training["validation"]["inputs"] == [
        {"name": "val-epo.fif", "n_epochs": 12, **source_files_record(held)}
    ]
    assert sum(training["class_counts"]["train"].values()) == 36
    assert sum(training["class_counts"]["validation"].values()) == 12
    shown = describe_probe(out)
    assert "  trained on: 2 files (a-epo.fif 20 epochs, b-epo.fif 16 epochs, 36 epochs: " in shown
    assert "; validation 12 epochs of val-epo.fif: " in shown

    weights_sha = hashlib.sha256((out / "probe.safetensors").read_bytes()).hexdigest()
    probe_record = {
        "path": str(out),
        "probe_safetensors_sha256": weights_sha,
        "encoder_weights_sha256": encoder_fingerprint(load_probe(out).model),
        "encoder_pretrained": False,  # the weights fixture's are random
    }
    test_record = [{"name": "val-epo.fif", "n_epochs": 12, **source_files_record(held)}]
    ev = tmp_path / "ev.json"
    assert probe_main(["evaluate", str(out), str(held), "-q", "--json", str(ev)]) == 0
    written = json.loads(ev.read_text())
    assert {"n", "accuracy", "balanced_accuracy", "cohen_kappa", "weighted_f1"} <= set(written)
    assert written["n"] == 12
    provenance = written["provenance"]
    assert provenance["probe"] == probe_record
    assert provenance["inputs"] == test_record
    assert provenance["eegpt_version"] == __version__
    assert provenance["command"][:2] == ["probe", "evaluate"] and provenance["created"]

    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(held), "-q", "-o", str(pred)]) == 0
    sidecar = json.loads((tmp_path / "pred.csv.json").read_text())
    assert sidecar["format"] == "eegpt-probe-predictions"
    assert sidecar["provenance"]["probe"] == probe_record
    assert sidecar["provenance"]["inputs"] == test_record
    assert pd.read_csv(pred).shape[0] == 12  # the table itself as before
    said = predictions_report(pred, *predictions_record(pred))[0]
    assert "encoder weights sha256" in said and NOT_PRETRAINED_PROBE in said  # as info says
    parquet = tmp_path / "pred.parquet"
    assert probe_main(["predict", str(out), str(held), "-q", "-o", str(parquet)]) == 0
    stored = json.loads(pq.read_schema(parquet).metadata[PREDICTIONS_KEY.encode()])
    assert stored["provenance"]["inputs"] == test_record
    assert not (tmp_path / "pred.parquet.json").exists()

    other = tmp_path / "other.tsv"
    (tmp_path / "other.tsv.json").write_text("{}")  # not replaced unasked
    capsys.readouterr()
    assert probe_main(["predict", str(out), str(held), "-q", "-o", str(other)]) == 1
    said = capsys.readouterr().err
    assert "other.tsv.json exists and is not a sidecar eegpt wrote" in said
    assert "pass --overwrite to replace it" in said
    assert not other.exists()
    assert probe_main(["predict", str(out), str(held), "-q", "-o", str(other), "--overwrite"]) == 0
    sidecar = json.loads((tmp_path / "other.tsv.json").read_text())
    assert sidecar["provenance"]["inputs"] == test_record


def test_eegpt_info_describes_a_predictions_file_and_its_provenance(model, tmp_path, capsys):
    """`eegpt info` on the table of `probe predict -o` (Parquet: its schema metadata; CSV/TSV:
    the table with its sidecar, or the sidecar itself) names the probe and its weights'
    SHA-256, the data, eegpt and when, and counts the rows and classes; a CSV without a
    sidecar is still refused as no file of eegpt's."""
    import hashlib

    from eegpt.cli import main

    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    data = tmp_path / "test-epo.fif"
    epochs.save(data, verbose=False)
    folder = train_probe(model, epochs, preprocessing=ONE_SECOND, epochs=1).save(tmp_path / "p")
    sha = hashlib.sha256((folder / "probe.safetensors").read_bytes()).hexdigest()
    for name in ("pred.parquet", "pred.csv", "pred.tsv"):
        out = tmp_path / name
        assert probe_main(["predict", str(folder), str(data), "-q", "-o", str(out)]) == 0
    capsys.readouterr()
    for name in ("pred.parquet", "pred.csv", "pred.csv.json", "pred.tsv", "pred.tsv.json"):
        assert main(["info", str(tmp_path / name)]) == 0, name
        said = capsys.readouterr().out
        assert f"{tmp_path / name}: EEGPT probe predictions" in said, said
        assert "16 rows, 2 classes [standard, target]" in said, said
        assert f"probe: {folder} (probe.safetensors sha256 {sha[:16]}..." in said
        assert "data: 1 input (test-epo.fif 16 epochs)" in said
        assert ", made 20" in said and "made by: eegpt probe predict" in said
    (tmp_path / "pred.csv.json").unlink()
    with pytest.raises(ValueError, match="is a csv file, not a checkpoint"):
        main(["info", str(tmp_path / "pred.csv"), "--debug"])


def test_eegpt_info_tells_a_stale_or_odd_predictions_sidecar(model, tmp_path, capsys):
    """The sidecar records its table's name, size and SHA-256: `eegpt info` says STALE where
    the table was replaced since (`predict > pred.csv` over an earlier `-o pred.csv`) and
    where the sidecar was copied beside another table, and still shows what it says; a
    sidecar that is not JSON, or whose provenance is no object, is named, not a crash. STALE
    exits 3, as a corpus whose recordings changed since they were embedded."""
    import shutil

    from eegpt.cli import main

    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    data = tmp_path / "test-epo.fif"
    epochs.save(data, verbose=False)
    folder = train_probe(model, epochs, preprocessing=ONE_SECOND, epochs=1).save(tmp_path / "p")
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(folder), str(data), "-q", "-o", str(pred)]) == 0
    capsys.readouterr()
    assert main(["info", str(pred)]) == 0
    assert "STALE" not in capsys.readouterr().out
    pred.write_text(pred.read_text().replace("target", "TARGET", 1))  # `> pred.csv` since
    for given in (pred, tmp_path / "pred.csv.json"):
        assert main(["info", str(given)]) == 3  # STALE: as a corpus whose inputs changed
        said = capsys.readouterr().out
        assert "STALE: the table changed since its sidecar was written (size/hash differ)" in said
        assert "what the sidecar says" in said and f"probe: {folder}" in said
    other = tmp_path / "other.csv"
    shutil.copyfile(pred, other)
    shutil.copyfile(tmp_path / "pred.csv.json", tmp_path / "other.csv.json")
    assert main(["info", str(other)]) == 3
    assert "STALE: the sidecar names another table (pred.csv)" in capsys.readouterr().out

    sidecar = tmp_path / "other.csv.json"
    sidecar.write_text('{"format": "eegpt-probe-predictions", "provenance": [1]}')
    for given in (other, sidecar):
        assert main(["info", str(given)]) == 1
        err = capsys.readouterr().err
        assert f"the sidecar {sidecar} is not one eegpt wrote (provenance is not an object)" in err
        assert "internal error" not in err
    sidecar.write_text("{not json")
    assert main(["info", str(other)]) == 1
    assert f"{other}: its sidecar other.csv.json could not be read as JSON: " in (
        capsys.readouterr().err
    )
    assert main(["info", str(sidecar)]) == 1
    assert f"the sidecar {sidecar} could not be read as JSON: " in capsys.readouterr().err
    sidecar.unlink()
    assert main(["info", str(other)]) == 1
    said = capsys.readouterr().err
    assert "with no sidecar other.csv.json beside it (eegpt probe predict -o writes one" in said
    assert "eegpt before 2026-12-05 did not: predictions of an older eegpt have none" in said


def test_eegpt_info_names_odd_parquet_predictions_metadata(tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eegpt.cli import main
    from eegpt.probe_cli import PREDICTIONS_KEY

    record = json.dumps({"format": "eegpt-probe-predictions", "provenance": "x"})
    table = pa.table({"p_a": [0.5]}).replace_schema_metadata({PREDICTIONS_KEY: record})
    pq.write_table(table, tmp_path / "pred.parquet")
    assert main(["info", str(tmp_path / "pred.parquet")]) == 1
    err = capsys.readouterr().err
    assert "is not one eegpt wrote (provenance is not an object)" in err
    assert "internal error" not in err


def test_predict_refuses_a_folder_for_its_sidecar_and_leaves_no_stale_sidecar(
    model, tmp_path, capsys
):
    """A sidecar path that is a folder is refused before any work, named; the table is
    written whole (atomically) and an older sidecar never stays beside a new table."""
    epochs = synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2)
    data = tmp_path / "test-epo.fif"
    epochs.save(data, verbose=False)
    folder = train_probe(model, epochs, preprocessing=ONE_SECOND, epochs=1).save(tmp_path / "p")
    pred = tmp_path / "o2.csv"
    pred.write_text("old table\n")
    (tmp_path / "o2.csv.json").mkdir()
    capsys.readouterr()
    assert probe_main(["predict", str(folder), str(data), "-q", "-o", str(pred),
                       "--overwrite"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert f"{tmp_path / 'o2.csv.json'} is a folder" in err and "Errno" not in err
    assert pred.read_text() == "old table\n"  # untouched
    (tmp_path / "o2.csv.json").rmdir()

    import eegpt.output_files

    (tmp_path / "o2.csv.json").write_text('{"old": "sidecar"}')
    real = eegpt.output_files.atomic_write
    calls = []

    def failing(path, write, **kw):
        calls.append(Path(path).name)
        if Path(path).name.endswith(".json"):
            raise OSError("disk full")
        return real(path, write, **kw)

    eegpt.output_files.atomic_write = failing  # where probe_predictions imports it from
    try:
        assert probe_main(["predict", str(folder), str(data), "-q", "-o", str(pred),
                           "--overwrite"]) == 1  # fmt: skip
    finally:
        eegpt.output_files.atomic_write = real
    assert calls == ["o2.csv", "o2.csv.json"]
    assert pred.read_text().startswith("file,")  # the new table, whole
    assert not (tmp_path / "o2.csv.json").exists()  # not the old sidecar beside it


def test_the_thread_count_line_counts_in_the_singular():
    """A probe trained on one thread was described as trained with "1 torch threads"."""
    from eegpt.probe_provenance import run_text

    assert run_text({"device": "cpu", "torch_threads": 1}).startswith(
        "  device cpu, 1 torch thread ("
    )
    assert run_text({"device": "cpu", "torch_threads": 4}).startswith(
        "  device cpu, 4 torch threads ("
    )


def test_evaluate_on_the_training_data_warns_and_is_recorded(
    weights, short_task, tmp_path, capsys, monkeypatch
):
    """``probe evaluate`` of the probe's own training file (here a copy under another name)
    said nothing: the metrics were silently optimistic. Now it warns, keeps the warning in
    the metrics, and records the file in the --json provenance's ``overlaps_training``; so
    does :meth:`EEGPTProbe.evaluate` given paths. A probe that records no training inputs
    (an older one) is not checked; another file is no overlap."""
    import shutil

    from eegpt.probe import load_probe

    train, test = short_task
    train_file, test_file = tmp_path / "train-epo.fif", tmp_path / "test-epo.fif"
    train.save(train_file, verbose=False)
    test.save(test_file, verbose=False)
    again = tmp_path / "again-epo.fif"
    shutil.copyfile(train_file, again)
    out = tmp_path / "probe"
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o", str(out), "-q",
                       "--passes", "2", "--window", "1", "--no-average-reference"]) == 0  # fmt: skip
    capsys.readouterr()
    said = (
        "test file again-epo.fif is the probe's training data (same contents as training input "
        "train-epo.fif): these metrics are not a held-out estimate"
    )
    ev = tmp_path / "ev.json"
    with pytest.warns(Warning, match="is the probe's training data"):
        assert probe_main(["evaluate", str(out), str(again), str(test_file), "-q",
                           "--json", str(ev)]) == 0  # fmt: skip
    written = json.loads(ev.read_text())
    assert written["provenance"]["overlaps_training"] == ["again-epo.fif"]
    assert said in written["warnings"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["evaluate", str(out), str(test_file), "-q", "--json", str(ev),
                           "--overwrite"]) == 0  # fmt: skip
    assert not [w for w in caught if "training data" in str(w.message)]
    written = json.loads(ev.read_text())
    assert written["provenance"]["overlaps_training"] == []
    # --json -: the JSON alone on standard output (it wrote a file named "-"), the report on
    # standard error
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    assert probe_main(["evaluate", str(out), str(test_file), "--json", "-"]) == 0
    printed = capsys.readouterr()
    assert json.loads(printed.out)["provenance"]["overlaps_training"] == []
    assert printed.err.startswith("BAC ") and not (tmp_path / "-").exists()
    probe = load_probe(out)
    with pytest.warns(Warning, match="is the probe's training data"):
        metrics = probe.evaluate(str(again))
    assert metrics["overlaps_training"] == ["again-epo.fif"] and said in metrics["warnings"]
    assert "overlaps_training" not in probe.evaluate(str(test_file))
    # an older probe (no training inputs recorded): no check, nothing recorded
    meta = json.loads((out / "probe.json").read_text())
    del meta["training"]["inputs"]
    (out / "probe.json").write_text(json.dumps(meta))
    assert (
        probe_main(["evaluate", str(out), str(again), "-q", "--overwrite", "--json", str(ev)]) == 0
    )
    assert "overlaps_training" not in json.loads(ev.read_text())["provenance"]


def test_evaluate_on_epochs_in_memory_read_from_the_training_files_warns(model, tmp_path):
    """:meth:`EEGPTProbe.evaluate` checked only paths against the probe's training inputs:
    epochs in memory read from a training file (``mne.read_epochs``; cut from
    ``mne.io.read_raw`` of it, alone or concatenated with another file) were silently scored
    as held-out data. Now their files (as MNE knows them) are fingerprinted as paths are, and
    warned about and recorded alike; epochs of another file, or made in memory, are not."""
    from eegpt.probe_provenance import files_record

    def recording(name, seed):
        raw, events, event_id = synthetic_erp_raw(24, sfreq=256.0, seed=seed)
        raw.save(tmp_path / name, verbose=False)
        return events, event_id

    def epochs_of(raw, events, event_id, **kwargs):
        return mne.Epochs(raw, events, event_id, tmin=0.0, tmax=1 - 1 / 256, baseline=None,
                          verbose=False, **kwargs)  # fmt: skip

    a_events, event_id = recording("a_raw.fif", 0)
    b_events, _ = recording("b_raw.fif", 1)
    read_a = mne.io.read_raw(tmp_path / "a_raw.fif", verbose=False)
    epochs_a = epochs_of(read_a, a_events, event_id, preload=True)
    epochs_a.save(tmp_path / "a-epo.fif", verbose=False)
    # trained on epochs read from a-epo.fif: train_probe records the file they were read from
    probe = train_probe(model, mne.read_epochs(tmp_path / "a-epo.fif", verbose=False),
                        preprocessing=ONE_SECOND, epochs=1)  # fmt: skip
    # in memory, only the file is known, not which of its epochs: said so, recorded apart
    said = (
        "test epochs from a-epo.fif: read from the same file as training input a-epo.fif (the "
        "epochs may differ; eegpt cannot tell which were used)"
    )
    with pytest.warns(Warning, match="read from the same file as training input a-epo.fif"):
        metrics = probe.evaluate(mne.read_epochs(tmp_path / "a-epo.fif", verbose=False))
    assert metrics["shares_file_with_training"] == ["a-epo.fif"]
    assert any(w.startswith(said) for w in metrics["warnings"])
    assert "overlaps_training" not in metrics
    with pytest.warns(Warning, match="read from the same file as training input"):  # a list too
        metrics = probe.evaluate([mne.read_epochs(tmp_path / "a-epo.fif", verbose=False)])
    assert metrics["shares_file_with_training"] == ["a-epo.fif"]
    # the whole file given as a path, the training input in memory: still the file only
    with pytest.warns(Warning, match="test file a-epo.fif: read from the same file"):
        metrics = probe.evaluate(str(tmp_path / "a-epo.fif"))
    assert metrics["shares_file_with_training"] == ["a-epo.fif"]
    # trained on a_raw.fif's windows, as `eegpt probe train a_raw.fif --window 1` records it
    probe.training["inputs"] = files_record([str(tmp_path / "a_raw.fif")])
    with pytest.warns(Warning, match="test epochs from a_raw.fif: read from the same file"):
        metrics = probe.evaluate(epochs_of(read_a, a_events, event_id))
    assert metrics["shares_file_with_training"] == ["a_raw.fif"]
    read_b = mne.io.read_raw(tmp_path / "b_raw.fif", verbose=False)
    both = mne.concatenate_raws([read_b.copy(), read_a.copy()], verbose=False)
    shifted = a_events + [[read_b.n_times, 0, 0]]  # a's events in the concatenation
    with pytest.warns(Warning, match="test epochs from a_raw.fif: read from the same file"):
        metrics = probe.evaluate(epochs_of(both, shifted, event_id))
    assert metrics["shares_file_with_training"] == ["a_raw.fif"]
    with warnings.catch_warnings(record=True) as caught:  # another file; epochs made in memory
        warnings.simplefilter("always")
        other = probe.evaluate(epochs_of(read_b, b_events, event_id))
        in_memory = probe.evaluate(
            mne.EpochsArray(
                epochs_a.get_data(), epochs_a.info, epochs_a.events, 0.0, event_id, verbose=False
            )  # fmt: skip
        )
    assert "overlaps_training" not in other and "overlaps_training" not in in_memory
    assert "shares_file_with_training" not in other
    assert "shares_file_with_training" not in in_memory
    assert not [w for w in caught if "training" in str(w.message)]


def test_evaluate_on_other_epochs_of_the_training_file_is_not_called_its_training_data(
    model, tmp_path
):
    """Train on e[:80] of one -epo.fif, evaluate on e[80:] (a within-session design): the
    warning said "test file all-epo.fif is the probe's training data (same contents as
    training input ...)" and set overlaps_training; only the file is known to be shared, so
    it says that, and records the file under shares_file_with_training."""
    path = tmp_path / "all-epo.fif"
    synthetic_erp_epochs(24, seed=3, seconds=1.0).save(path, verbose=False)
    e = mne.read_epochs(path, verbose=False)
    probe = train_probe(model, e[:16], preprocessing=ONE_SECOND, epochs=1)
    with pytest.warns(Warning) as caught:
        metrics = probe.evaluate(e[16:])
    (said,) = [str(w.message) for w in caught if "all-epo.fif" in str(w.message)]
    assert said.startswith("test epochs from all-epo.fif: read from the same file as training "
                           "input all-epo.fif (the epochs may differ; eegpt cannot tell which "
                           "were used)")  # fmt: skip
    assert "is the probe's training data" not in said
    assert "overlaps_training" not in metrics
    assert metrics["shares_file_with_training"] == ["all-epo.fif"]


def test_predict_output_and_events_expand_the_home_folder(tmp_path, monkeypatch):
    """``-o '~/p.csv'`` and ``--events '~/e.csv'`` (quoted, or ``--output=~/...``, where no
    shell expands them) name files under the home folder, not under a folder named ``~``:
    these options are text, which the command line's own expansion leaves as given."""
    from eegpt.probe_predictions import check_prediction_output

    monkeypatch.setenv("HOME", str(tmp_path))
    assert check_prediction_output("~/p.csv") == tmp_path / "p.csv"
    assert check_prediction_output("~/e.tsv", "--events") == tmp_path / "e.tsv"
    (tmp_path / "d").mkdir()
    with pytest.raises(ValueError, match="names a folder"):
        check_prediction_output("~/d", "--events")


def test_predict_output_dash_is_standard_output(weights, tmp_path, monkeypatch, capsys):
    """``probe predict -o -`` wrote a file named ``-`` (and its sidecar ``-.json``) while
    ``probe evaluate --json -`` means standard output: ``-o -`` is now the table on stdout
    (CSV, as without ``-o``), the notes on stderr; ``--events -`` is refused, saying why."""
    out, paths, _ = _stage_probe(weights, tmp_path)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert probe_main(["predict", str(out), paths[0], "-o", "-"]) == 0
    said = capsys.readouterr()
    assert not (tmp_path / "-").exists() and not (tmp_path / "-.json").exists()
    rows = list(csv.DictReader(io.StringIO(said.out)))
    assert len(rows) == 8 and rows[0]["file"] == paths[0]
    assert "wrote" not in said.out
    assert probe_main(["predict", str(out), paths[0], "--events", "-"]) == 1
    assert "--events -: standard output is for the predictions table" in capsys.readouterr().err
    assert not (tmp_path / "-").exists()


def test_the_min_overlap_default_is_defined_once():
    """``min_overlap``'s default (half a window) is one constant, which window_labels, the
    Embeddings method, a probe's labelling and ``--min-overlap`` all take."""
    import dataclasses
    import inspect

    from eegpt.annotations import DEFAULT_MIN_OVERLAP, window_labels
    from eegpt.outputs import Embeddings
    from eegpt.probe_label_files import WindowLabelling

    assert DEFAULT_MIN_OVERLAP == 0.5
    for function in (window_labels, Embeddings.window_labels):
        assert inspect.signature(function).parameters["min_overlap"].default is DEFAULT_MIN_OVERLAP
    fields = {f.name: f.default for f in dataclasses.fields(WindowLabelling)}
    assert fields["min_overlap"] is DEFAULT_MIN_OVERLAP


def test_info_on_a_probe_shows_the_overlap_of_its_training_windows(probe, tmp_path):
    """``eegpt info PROBE`` shows the recorded ``training.window_labels.overlap`` (how the
    training windows were cut) beside the labelling's --min-overlap."""
    import json

    from eegpt.probe import describe_probe

    folder = probe.save(tmp_path / "p")
    meta = json.loads((folder / "probe.json").read_text())
    meta.setdefault("training", {})["window_labels"] = {
        "match": "seiz", "min_overlap": 0.7, "overlap": 0.5,
    }  # fmt: skip
    (folder / "probe.json").write_text(json.dumps(meta))
    text = describe_probe(folder)
    assert "--window-labels seiz --min-overlap 0.7" in text
    assert "trained on windows overlapping by 0.5 s (--overlap 0.5)" in text
    del meta["training"]["window_labels"]["overlap"]
    (folder / "probe.json").write_text(json.dumps(meta))
    assert "overlapping by" not in describe_probe(folder)


def test_the_baseline_of_epochs_at_another_rate_is_the_training_ones(model, short_task):
    """Epochs made as in training (tmin=-0.2, baseline=(None, 0)) at another rate were
    warned of as corrected over another interval: MNE rounds tmin to a sample, -0.199219 s
    at 256 Hz. Ends within half a sample period of the data's rate are the same; farther
    ones are still warned of."""
    import mne

    train, test = short_task
    config = PreprocessingConfig(window_seconds=1.0, average_reference=False)
    corrected = train[:32].copy().apply_baseline((None, 0), verbose=False)
    probe = train_probe(model, corrected, preprocessing=config, epochs=1)
    x = test[:4].copy().resample(256.0, verbose=False).get_data()[..., :256]
    info = mne.create_info(test.ch_names, 256.0, "eeg")
    at256 = mne.EpochsArray(x, info, tmin=-0.2, baseline=(None, 0), verbose=False)
    assert at256.baseline[0] != -0.2  # rounded to a sample at 256 Hz
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probe.predict_proba(at256)
    other = mne.EpochsArray(x, info, tmin=-0.2, baseline=(None, -0.05), verbose=False)
    probe._warned = {}
    with pytest.warns(RuntimeWarning, match=r"were corrected over .* to -0.05"):
        probe.predict_proba(other)


def test_a_random_encoder_at_chance_is_said_to_be_random(model, task, cache):
    """With random weights (NOT pretrained) and the default average reference the synthetic
    oddball's response cancels and the probe ends at chance: a warning says that is expected
    of random weights and names pretrained ones; a probe that learns says nothing of it, nor
    does one on weights whose provenance is unknown."""
    from eegpt.probe import _warn_random_at_chance

    with pytest.warns(EEGPTWarning, match="stayed at chance") as caught:
        train_probe(model, task[0], validation=0.2, cache=cache, **FAST)
    said = str(caught[0].message)
    assert "NOT pretrained" in said and "chance 0.50" in said and "eegpt-large" in said
    assert "make_pipeline(StandardScaler(), LogisticRegression" in said  # the scaler check
    # features of std ~1e-3 around 0.4 (unscaled): said so, with their spread
    rng = np.random.default_rng(0)
    for spread, says in ((1e-3, True), (1.0, False)):
        z = 0.4 + spread * rng.standard_normal((40, 4, 2, 8)).astype(np.float32)
        with pytest.warns(EEGPTWarning, match="stayed at chance") as caught:
            _warn_random_at_chance(False, {"val_balanced_accuracy": 0.5}, 2, z)
        text = str(caught[0].message)
        assert (
            "vary little around their mean (median std / |mean| over features 0.00" in text
        ) is says
        assert "StandardScaler()" in text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_probe(model, task[0], validation=0.2, cache=cache, preprocessing=AS_RECORDED,
                    **FAST)  # fmt: skip
        _warn_random_at_chance(None, {"train_balanced_accuracy": 0.5}, 2)
    assert not [w for w in caught if "stayed at chance" in str(w.message)]
    # verbose="error" silences it as every other warning of the training, which the probe
    # still records (at chance after 3 passes as after 50)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet = train_probe(model, task[0], validation=0.2, cache=cache, verbose="error", **BRIEF)
    assert not [w for w in caught if issubclass(w.category, EEGPTWarning)]
    assert any("stayed at chance" in text for text in quiet.training["warnings"])


def test_predict_replaces_the_orphan_sidecar_of_a_table_deleted(weights, tmp_path, capsys):
    """A workflow manager deletes only the declared output (``pred.csv``) before a rerun: the
    sidecar left beside it (``pred.csv.json``, its table gone) is replaced without --overwrite,
    with a note; the table itself existing, or a file under the sidecar's name that eegpt did
    not write, is still refused."""
    epochs = synthetic_erp_epochs(16, seed=6, seconds=1.0, tmin=-0.2)
    data = tmp_path / "d-epo.fif"
    epochs.save(data, verbose=False)
    out = tmp_path / "probe"
    assert probe_main(["train", str(data), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "--window", "1", "-q"]) == 0  # fmt: skip
    table = tmp_path / "pred.csv"
    sidecar = tmp_path / "pred.csv.json"
    predict = ["predict", str(out), str(data), "-o", str(table), "-q"]
    assert probe_main(predict) == 0
    first = json.loads(sidecar.read_text())["table"]
    capsys.readouterr()
    assert probe_main(predict) == 1
    assert f"{table} exists; pass --overwrite to replace it" in capsys.readouterr().err
    table.unlink()
    assert probe_main(predict) == 0
    assert (
        f"eegpt: note: {sidecar} is the sidecar of a table no longer there ({table}): "
        "replacing it with the new table's"
    ) in capsys.readouterr().err
    assert table.is_file()
    assert json.loads(sidecar.read_text())["table"]["sha256"] == first["sha256"]
    table.unlink()
    sidecar.write_text('{"mine": 1}')
    assert probe_main(predict) == 1
    assert (
        f"{sidecar} exists and is not a sidecar eegpt wrote for a prediction table; pass "
        "--overwrite to replace it"
    ) in capsys.readouterr().err
    assert sidecar.read_text() == '{"mine": 1}' and not table.exists()


def test_probe_train_says_what_to_do_with_an_embeddings_file(weights, tmp_path, capsys):
    """An embeddings file of `eegpt embed` given to `probe train` is named as such, with what
    probes take (recordings or epochs: the encoder runs inside) and the Python route for
    precomputed embeddings, not as an .npz missing arrays X, ch_names and sfreq."""
    from eegpt.cli import main
    from eegpt.demo import synthetic_raw, write_edf

    raw, _ = synthetic_raw(minutes=0.25, seed=4)
    edf = write_edf(raw, tmp_path / "rec.edf")
    emb = tmp_path / "rec.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EEGPTWarning)
        assert main(["embed", str(edf), "--weights", str(weights), "-o", str(emb), "-q"]) == 0
    capsys.readouterr()
    train = ["train", str(emb), "--weights", str(weights), "-o", str(tmp_path / "p"), "-q"]
    assert probe_main(train) == 1
    err = capsys.readouterr().err
    assert f"{emb} is an embeddings file written by eegpt embed, not epochs: probes train" in err
    assert "running the encoder on them themselves" in err
    assert f"eegpt.load_embeddings('{emb}').pooled('mean')" in err
    assert "needs arrays X" not in err


def test_evaluate_on_a_training_subject_in_another_file_warns(weights, short_task, tmp_path):
    """``probe evaluate`` of sub-01's epochs saved again as a new file (other contents than the
    training file) printed metrics without a word: subject-level leakage. Now the CLI and
    :meth:`EEGPTProbe.evaluate` warn naming the subject, and keep the warning in the metrics;
    a test file of another subject is not warned of."""
    from eegpt.probe import load_probe

    train, test = short_task
    train_file = tmp_path / "sub-01_task-x-epo.fif"
    same_subject = tmp_path / "sub-01_run-2-epo.fif"
    other_subject = tmp_path / "sub-02_task-x-epo.fif"
    train.save(train_file, verbose=False)
    test.save(same_subject, verbose=False)
    test.save(other_subject, verbose=False)
    out = tmp_path / "probe"
    assert probe_main(["train", str(train_file), "--weights", str(weights), "-o", str(out), "-q",
                       "--passes", "2", "--window", "1", "--no-average-reference"]) == 0  # fmt: skip
    ev = tmp_path / "ev.json"
    with pytest.warns(Warning, match="share a subject with the probe's training data") as caught:
        assert probe_main(["evaluate", str(out), str(same_subject), str(other_subject), "-q",
                           "--json", str(ev)]) == 0  # fmt: skip
    said = next(str(w.message) for w in caught if "share a subject" in str(w.message))
    assert "sub-01 (test sub-01_run-2-epo.fif; training sub-01_task-x-epo.fif)" in said
    assert "sub-02" not in said and said in json.loads(ev.read_text())["warnings"]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "the test data share")  # another subject: none
        assert probe_main(["evaluate", str(out), str(other_subject), "-q"]) == 0
    probe = load_probe(out)
    with pytest.warns(Warning, match="share a subject"):
        metrics = probe.evaluate(str(same_subject))
    assert any("sub-01" in w for w in metrics["warnings"])


def _grouped_training(n_epochs: bool = True, groups: bool = True) -> dict:
    """A probe's training record: sub-01 and sub-02 trained on (4 epochs each), sub-03's 4
    epochs held out whole for validation by subject (indices 8-11)."""
    names = ["sub-01_run-1_epo.fif", "sub-02_run-1_epo.fif", "sub-03_run-1_epo.fif"]
    inputs = [
        {
            "name": n,
            "source_fingerprint": f"f{k}",
            "source_bytes": 10,
            **({"n_epochs": 4} if n_epochs else {}),
        }
        for k, n in enumerate(names)
    ]
    validation = {"kind": "fraction", "fraction": 0.3, "indices": [8, 9, 10, 11], "by": "subject"}
    if groups:
        validation["groups"] = {"count": 3, "held_out": ["sub-03"]}
    else:  # a random split that happened to hold out every epoch of the last file
        del validation["by"]
    return {"inputs": inputs, "n_train": 8, "n_validation": 4, "validation": validation}


def test_an_input_held_out_by_group_is_validation_data_not_training_data():
    """A recording (subject) a validation fraction held out whole was never trained on:
    testing on it says "validation data, monitored during training only" (as of --val-data),
    or "used for model selection" with early stopping, not "the probe's training data"; another
    file of that subject warns of no subject leakage, unless early stopping chose the pass on
    it (said in those words); a subject trained on still warns. Where the probe records no
    epochs per input, it says it cannot tell."""
    from eegpt.probe_provenance import overlap_text, subject_overlap_text, training_overlap

    training = _grouped_training()
    held = [{"name": "sub-03_run-1_epo.fif", "source_fingerprint": "f2", "source_bytes": 10}]
    trained = [{"name": "sub-01_run-1_epo.fif", "source_fingerprint": "f0", "source_bytes": 10}]
    (only_monitored,) = training_overlap(training, held, early_stopping=False)
    said = overlap_text(*only_monitored)
    assert said.startswith(
        "test file sub-03_run-1_epo.fif is the probe's validation data, monitored during "
        "training only"
    )
    assert "training data" not in said
    (chose,) = training_overlap(training, held, early_stopping=True)
    assert "validation data, used for model selection (early stopping" in overlap_text(*chose)
    (on_trained,) = training_overlap(training, trained, early_stopping=False)
    assert "is the probe's training data" in overlap_text(*on_trained)
    # a random split holding out a whole file: never trained on either
    (random,) = training_overlap(_grouped_training(groups=False), held, early_stopping=False)
    assert "monitored during training only" in overlap_text(*random)
    # no epochs per input recorded (a probe of an older eegpt, trained in Python on files
    # given as paths): not said to be either
    (unknown,) = training_overlap(_grouped_training(n_epochs=False), held, early_stopping=False)
    assert "trained on, or held out whole for validation by group" in overlap_text(*unknown)

    other_file = ["bids/sub-03_run-2_epo.fif"]
    assert subject_overlap_text(training, other_file, early_stopping=False) is None
    chosen = subject_overlap_text(training, other_file, early_stopping=True)
    assert chosen.startswith("the test data share a subject with the probe's validation data")
    assert "(test sub-03_run-2_epo.fif; validation sub-03_run-1_epo.fif)" in chosen
    assert "model selection" in chosen and "training data" not in chosen
    leaked = subject_overlap_text(training, ["bids/sub-01_run-2_epo.fif"], early_stopping=False)
    assert "share a subject with the probe's training data" in leaked


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_prediction_table_of_two_recordings_has_one_clock_time_format(tmp_path, suffix):
    """probe predict's table of two recordings, one whose windows start at half seconds
    (formatted to the microsecond for itself), the other at whole ones: clock_time in one
    format over all rows, which pandas parses as dates (read_csv's parse_dates, to_datetime)."""
    from eegpt.probe_cli_predict import _clock_times
    from eegpt.probe_predictions import write_predictions

    header = ["file", "epoch", "onset_s", "clock_s", "clock_time", "prediction"]
    rows = []
    for name, date in (("a.edf", "2026-11-03 23:58:00"), ("b.edf", "2026-11-04 23:59:30")):
        half = 0.5 if name == "a.edf" else 0.0
        time_base = {"meas_date": date, "first_time": half}
        seconds, moments = _clock_times(time_base, np.array([0.0, 4.0]))
        rows += [[name, k, 4.0 * k, seconds[k], moments[k], "x"] for k in range(2)]
    assert rows[2][4] == "2026-11-04T23:59:30"  # each recording formatted for itself
    out = tmp_path / f"p{suffix}"
    write_predictions(out, header, rows, ["x"])
    if suffix == ".csv":
        table = pd.read_csv(out, parse_dates=["clock_time"])
        assert table["clock_time"].dtype.kind == "M"
        text = pd.read_csv(out)["clock_time"]
    else:
        text = pd.read_parquet(out)["clock_time"]
    assert text.tolist() == [
        "2026-11-03T23:58:00.500000", "2026-11-03T23:58:04.500000",
        "2026-11-04T23:59:30.000000", "2026-11-04T23:59:34.000000",
    ]  # fmt: skip
    assert pd.to_datetime(text).dt.microsecond.tolist() == [500000, 500000, 0, 0]


def test_a_probe_on_a_wider_recording_says_nothing_of_the_channels_it_does_not_use(
    model, short_task
):
    """A probe of 19 channels predicting on a wider cap: no warning on the untrained
    embeddings (PO5) nor on the electrodes outside the vocabulary (CB1) of channels it does
    not use, only the one line naming the channels it leaves out; a probe's own channel with
    an untrained embedding is still warned about."""
    train, test = short_task
    probe = train_probe(model, train, epochs=1, preprocessing=ONE_SECOND)
    wide = _with_extra_channels(test, ["PO5", "CB1", "CB2"], 3)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        probe.predict(wide)
    texts = [str(w.message) for w in record]
    assert len(texts) == 1 and "['PO5'] are not used: the probe was trained" in texts[0], texts
    with_po5 = _with_extra_channels(train, ["PO5"], 4)
    with pytest.warns(RuntimeWarning, match="untrained"):
        po5_probe = train_probe(model, with_po5, epochs=1, preprocessing=ONE_SECOND)
    with pytest.warns(RuntimeWarning, match=r"\['PO5'\] map to vocabulary entries"):
        po5_probe.predict(_with_extra_channels(test, ["PO5", "CB1"], 5))


def test_a_probe_names_a_known_label_table_for_its_missing_channels(model):
    """A probe trained on BCI IV 2a's electrode names (as MOABB gives them) predicting on the
    GDF file's labels (EEG-Fz, EEG-0 ...) without a rename: the error names the dataset's
    table, as the warning before it does, not only a rename channel by channel."""
    from eegpt.channels import cap_rename

    table = cap_rename("bci-iv-2a")
    labels = [label for label, electrode in table.items() if electrode is not None]
    rng = np.random.default_rng(0)
    events = np.c_[np.arange(12) * 300, np.zeros(12, int), np.arange(12) % 2 + 1]
    electrodes = mne.EpochsArray(
        rng.normal(0, 2e-5, (12, 22, 250)), mne.create_info([table[k] for k in labels], 250.0,
        "eeg"), events=events, event_id={"left": 1, "right": 2}, verbose=False,
    )  # fmt: skip
    probe = train_probe(model, electrodes, epochs=1, preprocessing=ONE_SECOND)
    gdf = mne.EpochsArray(
        electrodes.get_data(), mne.create_info([*labels], 250.0, "eeg"), verbose=False
    )
    with pytest.warns(RuntimeWarning, match="rename='bci-iv-2a'"):
        with pytest.raises(ValueError, match="17 of them are missing here") as err:
            probe.predict(gdf)
    said = str(err.value)
    # the table leads, before adding or leaving out the channels; no rename one at a time
    assert "; the channels dropped as matching no EEGPT channel name: ['EEG-0', 'EEG-1', " in said
    assert "pass rename='bci-iv-2a' (command line: --rename bci-iv-2a)" in said
    assert said.index("rename='bci-iv-2a'") < said.index("; otherwise: add them to the data")
    assert "rename={'EEG-" not in said and "--rename EEG-" not in said
    # the same message for a live stream (one place builds it)
    with pytest.warns(RuntimeWarning, match="rename='bci-iv-2a'"):
        with pytest.raises(ValueError, match=r"<stream>: .*name: \['EEG-0'.* rename='bci-iv-2a'"):
            probe.online(labels, 250.0)
    assert probe.predict(gdf, rename="bci-iv-2a").shape == (12,)


def test_labels_written_as_decimals_are_said_to_be_the_classes():
    """Labels of a CSV written as floats ('1.0', as pandas writes a column of floats) against
    classes '1' ... are refused, saying they are the classes written as decimals; text labels
    or other numbers get no such hint."""
    from eegpt.probe_cli_evaluate import _as_class_labels
    from eegpt.probe_labels import unknown_labels_hint

    classes = np.array(["1", "2", "3", "4"])
    taken = "the 'label' column of labels.csv"
    with pytest.raises(ValueError, match=r"labels \['1.0', '4.0'\] are not among the probe's "
                       r"classes \['1', '2', '3', '4'\] \(they are the classes written as "
                       r"decimals, '1.0' for '1': write them as whole numbers, as the classes "
                       r"are\): the labels are the 'label' column of labels.csv"):  # fmt: skip
        _as_class_labels(np.array(["1.0", "4.0", "1.0"]), classes, taken)
    for other in (["1.5"], ["5.0"], ["left"], ["01"]):
        with pytest.raises(ValueError) as err:
            _as_class_labels(np.array(other), classes, taken)
        assert "decimals" not in str(err.value)
    assert "'2.0' for '2'" in unknown_labels_hint(["2.0"], np.array([1, 2]))


def test_predict_and_evaluate_adopt_the_trained_start_annotations_rule(weights, tmp_path, capsys):
    """A probe trained with --start annotations recorded the rule (window_labels.start) but
    predict and evaluate adopted none: a night predicted without --start had its windows from
    0 s, off its scoring grid (here by 1 s of 2 s windows). They now adopt the rule (each
    recording's own first scored epoch), saying so; a --start given wins; a night predicted
    without any matching annotation (unscored) starts at 0 s with a note rather than an error.
    A probe trained on one value per recording still adopts none, its note saying what to
    give. The unscored night's windows are not also said to start at its first annotation
    matching the labelling, which it has not; one given a hypnogram whose stages the
    labelling does not match is not advised to give its hypnogram, and one predicted with a
    --window-labels of its own is said to start by that pattern, not the training's classes."""
    paths, hyps = _scored_nights(tmp_path, n=2, start=3.0)
    out = tmp_path / "stages"
    common = ["--weights", str(weights), "--passes", "1", "-q", "--window-labels",
              "^Sleep stage", "--window", "2"]  # fmt: skip
    assert probe_main(["train", paths[0], "-o", str(out), *common, "--annotations", hyps[0],
                       "--start", "annotations"]) == 0  # fmt: skip
    assert load_probe(out).training["window_labels"]["start"] == "annotations"  # the rule
    from eegpt.cli import main as cli_main

    capsys.readouterr()
    assert cli_main(["info", str(out)]) == 0
    assert (
        "night0_raw.fif 3 s; predict/evaluate adopt the rule without --start of their own"
    ) in capsys.readouterr().out
    pred = tmp_path / "pred.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no window straddles a scoring epoch
        assert probe_main(["predict", str(out), paths[1], "--annotations", hyps[1],
                           "-o", str(pred)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert (
        "continuous recordings' windows start at each one's first annotation matching the "
        "training's classes, as in training (--start annotations); pass --start 0 to start "
        "them at the first sample"
    ) in err
    assert f"{paths[1]}: windows from 3 s (--start annotations" in err
    assert "note: the probe was trained on windows" not in err
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 3.0
    # a --window-labels of one's own: the rule adopted finds the first annotation by it,
    # as the line says (not by the training's classes)
    assert probe_main(["predict", str(out), paths[1], "--annotations", hyps[1], "-o", str(pred),
                       "--overwrite", "--window-labels", "^Sleep stage 2"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert (
        "first annotation matching the --window-labels given (the training's: --window-labels "
        "'^Sleep stage'), as training did with its own (--start annotations)"
    ) in err
    assert "matching the training's classes" not in err
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 11.0  # the first stage 2 epoch
    # a --start given wins
    assert probe_main(["predict", str(out), paths[1], "--annotations", hyps[1], "-o", str(pred),
                       "--overwrite", "-q", "--start", "1"]) == 0  # fmt: skip
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 1.0
    # an unscored night: nothing to start at, so from 0 s, said
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["predict", str(out), paths[1], "-o", str(pred), "--overwrite"]) == 0
    err = capsys.readouterr().err
    assert (
        f"{paths[1]}: no annotation matching --window-labels '^Sleep stage' to start its "
        "windows at (none in the file; the training's --start annotations): windows from 0 s; "
        "give --start SECONDS (or its hypnogram with --annotations FILE) to put them on its "
        "scoring grid"
    ) in err
    assert "windows from 0 s (--start annotations: its first annotation" not in err  # none
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 0.0
    # a hypnogram given whose stages the labelling does not match: not advised to give one
    aasm = tmp_path / "aasm.csv"
    aasm.write_text("onset,duration,description\n3,2,W\n5,2,N2\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["predict", str(out), paths[1], "--annotations", str(aasm), "-o",
                           str(pred), "--overwrite"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert (
        f"(its --annotations {aasm} hold none; the training's --start annotations): windows "
        "from 0 s; give --start SECONDS to put them on its scoring grid"
    ) in err
    assert "with --annotations FILE" not in err
    # evaluate: scored on the scoring grid, every window one epoch
    capsys.readouterr()
    scores = tmp_path / "scores.json"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert probe_main(["evaluate", str(out), paths[1], "--annotations", hyps[1],
                           "--json", str(scores)]) == 0  # fmt: skip
    assert "as in training (--start annotations)" in capsys.readouterr().err
    assert json.loads(scores.read_text())["n"] == 8
    # one value per recording: none adopted, the note says what to give
    per = tmp_path / "per"
    assert probe_main(["train", *paths, "-o", str(per), *common, "--annotations", *hyps,
                       "--start", "3", "3"]) == 0  # fmt: skip
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["predict", str(per), paths[1], "-o", str(pred), "--overwrite"]) == 0
    err = capsys.readouterr().err
    assert "windows start at 0 s: give --start with one value for all the recordings " in err
    assert cli_main(["info", str(per)]) == 0
    assert (
        "(one --start per recording): night0_raw.fif 3 s, night1_raw.fif 3 s; "
        "predict/evaluate take --start again" in capsys.readouterr().out
    )
    assert pd.read_csv(pred)["onset_s"].iloc[0] == 0.0


def test_evaluate_starts_an_unscored_night_at_0_s_as_predict_does(weights, tmp_path, capsys):
    """probe evaluate of a recording with no annotation to start at, with the training's
    --start annotations adopted, stopped with an error ("it has none in the recording")
    where predict (and evaluate --epoch-seconds) start its windows at 0 s with a note. Its
    windows now start at 0 s, said in predict's words; -q leaves the note out, and a
    --start annotations given is still an error."""
    import mne

    paths, _ = _scored_nights(tmp_path, n=2, start=3.0)
    raw = mne.io.read_raw_fif(paths[0], verbose=False)
    stages = [f"Sleep stage {'W' if i < 4 else '2'}" for i in range(8)]
    raw.set_annotations(mne.Annotations([3.0 + 2 * i for i in range(8)], 2.0, stages))
    scored = tmp_path / "scored_raw.fif"
    raw.save(scored, verbose=False)
    out = tmp_path / "stages"
    assert probe_main(["train", str(scored), "-o", str(out), "--weights", str(weights),
                       "--passes", "1", "-q", "--window-labels", "^Sleep stage", "--window",
                       "2", "--start", "annotations"]) == 0  # fmt: skip
    capsys.readouterr()
    scores = tmp_path / "scores.json"
    evaluate = ["evaluate", str(out), paths[1], "--unlabelled", "Sleep stage W"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one class present
        assert probe_main([*evaluate, "--json", str(scores)]) == 0
    err = capsys.readouterr().err
    assert (
        f"{paths[1]}: no annotation matching --window-labels '^Sleep stage' --unlabelled "
        "'Sleep stage W' to start its windows at (none in the file; the training's --start "
        "annotations): windows from 0 s; give --start SECONDS (or its hypnogram with "
        "--annotations FILE) to put them on its scoring grid"
    ) in err
    assert f"{paths[1]}: 9 windows of 2 s from 0 s: 'Sleep stage W' 9" in err
    assert json.loads(scores.read_text())["n"] == 9  # 18 s of the 19 s night, from 0 s
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main([*evaluate, "-q"]) == 0
    assert "no annotation matching" not in capsys.readouterr().err
    assert probe_main([*evaluate, "--start", "annotations"]) == 1
    assert "it has none in the recording" in capsys.readouterr().err


def test_python_predict_of_a_recording_warns_of_the_trained_start(weights, tmp_path):
    """EEGPTProbe.predict_proba of a continuous recording cut its windows from 0 s without a
    word for a probe trained on the command line with --start annotations (or --start 3),
    which probe predict adopts: they straddled the scoring epochs. It warns, naming the start
    and how to give it; a copy whose preprocessing starts there is not warned of, and the
    command line (which says the start it uses) adds no such warning."""
    import copy
    import dataclasses

    paths, hyps = _scored_nights(tmp_path, n=2, start=3.0)
    common = ["--weights", str(weights), "--passes", "1", "-q", "--window-labels",
              "^Sleep stage", "--window", "2", "--annotations", hyps[0]]  # fmt: skip
    rule, value = tmp_path / "rule", tmp_path / "value"
    assert probe_main(["train", paths[0], "-o", str(rule), *common, "--start", "annotations"]) == 0
    assert probe_main(["train", paths[0], "-o", str(value), *common, "--start", "3"]) == 0
    for folder, said in (
        (rule, r"starting at each recording's first scored epoch \(--start annotations\).*"
               r"start_seconds=ONSET\) \(ONSET: its first scored epoch's"),
        (value, r"starting at 3 s \(--start 3\).*eegpt probe predict adopts the training's "
                r"start; in Python, .*start_seconds=3\)$"),
    ):  # fmt: skip
        probe = load_probe(folder, weights)
        with pytest.warns(RuntimeWarning, match=said):
            probe.predict_proba(paths[1], device="cpu")
        started = copy.copy(probe)
        started.preprocessing = dataclasses.replace(probe.preprocessing, start_seconds=3.0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            started.predict_proba(paths[1], device="cpu")
    # the command line: its own line, no warning (a night without annotations: from 0 s)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["predict", str(rule), paths[1], "-o", str(tmp_path / "p.csv")]) == 0
    assert not [w for w in caught if "the probe was trained on windows" in str(w.message)]


def test_evaluate_puts_sleep_stages_in_the_aasm_order_by_default(weights, tmp_path, capsys):
    """probe evaluate printed and drew the confusion matrix of a sleep probe in its classes'
    alphabetical order ('Sleep stage 2' before 'Sleep stage W'); sleep stages are now in the
    AASM order (W first) by default, printed and drawn; --class-order still wins."""
    import eegpt.viz_training

    out, paths, hyps = _stage_probe(weights, tmp_path)
    seen: dict = {}
    real = eegpt.viz_training.plot_confusion_matrix

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    run = ["evaluate", str(out), paths[0], "--annotations", hyps[0]]
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(eegpt.viz_training, "plot_confusion_matrix", spy)
        assert probe_main([*run, "--plot", str(tmp_path / "cm.png")]) == 0
        assert seen["labels"].tolist() == ["Sleep stage W", "Sleep stage 2"]
        printed = capsys.readouterr().out.splitlines()
        header = printed[printed.index("confusion matrix (rows: true, columns: predicted)") + 1]
        assert header.index("W") < header.index("2")
        assert probe_main([*run, "--plot", str(tmp_path / "cm2.png"), "--class-order",
                           "Sleep stage 2", "Sleep stage W"]) == 0  # fmt: skip
        assert seen["labels"].tolist() == ["Sleep stage 2", "Sleep stage W"]
    probe = load_probe(out)
    raw = mne.io.read_raw_fif(paths[0], verbose=False)
    ax = probe.plot_confusion_matrix(
        mne.make_fixed_length_epochs(raw, duration=2.0, verbose=False), ["Sleep stage 2"] * 8
    ).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "Sleep stage W"


def test_evaluate_plot_title_names_the_recordings_evaluated(weights, tmp_path):
    """probe evaluate --plot's title named the probe only, not what it was evaluated on; it
    names the recording (its file name), or how many recordings."""
    import eegpt.viz_training

    out, paths, hyps = _stage_probe(weights, tmp_path)
    (tmp_path / "more").mkdir()
    others, other_hyps = _scored_nights(tmp_path / "more", n=2)
    titles = []
    real = eegpt.viz_training.plot_confusion_matrix

    def spy(*args, **kwargs):
        titles.append(kwargs["title"])
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(eegpt.viz_training, "plot_confusion_matrix", spy)
        assert probe_main(["evaluate", str(out), paths[0], "--annotations", hyps[0], "-q",
                           "--plot", str(tmp_path / "one.png")]) == 0  # fmt: skip
        assert probe_main(["evaluate", str(out), *others, "--annotations", *other_hyps, "-q",
                           "--plot", str(tmp_path / "two.png")]) == 0  # fmt: skip
    assert titles[0].startswith("probe stages on night0_raw.fif: 8 epochs")
    assert titles[1].startswith("probe stages on 2 recordings: 16 epochs")
