"""Full fine-tuning: layer freezing, reproducibility, early stopping, precision, save/load.

Runs on a small random-weight encoder and 1 s epochs of the SYNTHETIC P300-like task of
:func:`eegpt.probe.synthetic_erp_epochs` (see tests/test_probe.py for why it is synthetic).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from eegpt import EEGPT, EEGPTConfig
from eegpt.errors import RecordingError
from eegpt.finetune import finetune, trainable_parameter_names
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import format_metrics, load_probe, synthetic_erp_epochs

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return EEGPT(SMALL).eval()


@pytest.fixture(scope="module")
def task():
    epochs = synthetic_erp_epochs(160, seed=2, seconds=1.0, tmin=-0.2)
    return epochs[:112], epochs[112:]


def run(model, data, **kwargs):
    """Fine-tune on the CPU unless a test asks for another device (the defaults would pick a
    GPU, and bfloat16 with it, where there is one)."""
    kwargs = {"preprocessing": ONE_SECOND, "epochs": 3, "lr": 1e-3, "device": "cpu", **kwargs}
    return finetune(model, data, **kwargs)


def states_equal(a: dict, b: dict, prefix: str = "") -> bool:
    return all(torch.equal(a[k], b[k].to(a[k].device)) for k in a if k.startswith(prefix))


def test_a_single_channel_needs_average_referencing_off(model):
    """Average referencing, the default, has no average of one channel: fine-tuning refuses
    it, saying how to turn it off; off, it trains."""
    x = np.random.default_rng(0).normal(0, 20, (8, 1, 256))
    array = {"ch_names": ["Cz"], "sfreq": 256.0, "units": "uV", "validation": None}
    with pytest.raises(RecordingError, match=r"needs at least 2; got 1\..*--no-average-refer"):
        run(model, x, y=[0, 1] * 4, epochs=1, **array)
    off = ONE_SECOND.updated(average_reference=False)
    assert run(model, x, y=[0, 1] * 4, epochs=1, preprocessing=off, **array).training


def test_same_seed_same_weights(model, task):
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train = task[0][:48]
    a = run(model, train, seed=7, epochs=2)
    b = run(model, train, seed=7, epochs=2)
    c = run(model, train, seed=8, epochs=2)
    assert states_equal(a.model.state_dict(), b.model.state_dict())
    assert not states_equal(a.model.state_dict(), c.model.state_dict(), "target_encoder.")
    assert a.history == b.history
    assert states_equal(model.state_dict(), before)  # the original is never modified
    assert a.model.target_encoder is not model.target_encoder


def test_learns_and_saves(model, task, tmp_path):
    train, test = task
    # the synthetic task as recorded: this random-weight encoder learns the average-referenced
    # ERP (the default) less well in 8 passes, and this tests fine-tuning, not the reference
    as_recorded = ONE_SECOND.updated(average_reference=False)
    probe = run(model, train, epochs=8, patience=None, validation=None, preprocessing=as_recorded)
    metrics = probe.evaluate(test)
    assert metrics["balanced_accuracy"] >= 0.75, format_metrics(metrics)
    assert not probe.frozen_encoder and probe.training["epochs_run"] == 8

    folder = probe.save(tmp_path / "ft")
    again = load_probe(folder)  # the whole model is inside: no encoder needed
    np.testing.assert_allclose(
        again.predict_proba(test), probe.predict_proba(test), rtol=1e-5, atol=1e-6
    )
    assert not again.frozen_encoder

    # the fine-tuned encoder for embeddings: the folder says how to write it out as weights
    from eegpt.checkpoints import load_model, save_checkpoint
    from eegpt.errors import CheckpointError

    with pytest.raises(CheckpointError, match=r"fine-tuned and is saved inside it.*"
                       r"save_checkpoint\(load_probe\('.*ft'\)\.model, '.*ft-encoder'\)"):  # fmt: skip
        load_model(folder)
    save_checkpoint(again.model, f"{folder}-encoder")
    tuned = load_model(f"{folder}-encoder")
    mine, theirs = (m.embed(test, window_seconds=1.0, device="cpu") for m in (tuned, probe.model))
    np.testing.assert_allclose(mine.data, theirs.data, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("freeze", "frozen_blocks"), [(1, [0]), ("all", [0, 1]), (0, [])])
def test_freeze_blocks(model, task, freeze, frozen_blocks):
    probe = run(model, task[0][:48], freeze_blocks=freeze, epochs=1, validation=None)
    old, new = model.target_encoder.state_dict(), probe.model.target_encoder.state_dict()
    for name in old:
        if name.startswith("blocks."):
            frozen = int(name.split(".")[1]) in frozen_blocks
        elif name.startswith("norm."):
            frozen = freeze == "all"
        else:  # embeddings and summary tokens: frozen as soon as anything is
            frozen = freeze != 0
        assert torch.equal(old[name], new[name].cpu()) == frozen, name  # trained on a GPU if any
    names = trainable_parameter_names(model.target_encoder, freeze)
    n_enc = sum(model.target_encoder.state_dict()[n].numel() for n in names)
    assert probe.training["trainable_parameters"] > n_enc  # + the head
    with pytest.raises(ValueError, match="out of range"):
        trainable_parameter_names(model.target_encoder, 3)


def test_negative_freeze_counts_from_the_end(model):
    encoder = model.target_encoder
    assert trainable_parameter_names(encoder, -1) == trainable_parameter_names(encoder, 1)
    assert trainable_parameter_names(encoder, "all") == []
    assert len(trainable_parameter_names(encoder, 0)) == len(list(encoder.parameters()))
    every_block = trainable_parameter_names(encoder, -encoder.config.depth)  # not "nothing"
    assert every_block and all(n.startswith(("blocks.", "norm.")) for n in every_block)
    assert len(every_block) == sum(1 for n, _ in encoder.named_parameters()
                                   if n.startswith(("blocks.", "norm.")))  # fmt: skip


def test_early_stopping_and_layer_decay(model, task):
    train, test = task
    probe = run(
        model, train[:64], validation=(test, None), epochs=12, lr=1e-2, patience=2, layer_decay=0.5
    )
    losses = [row["val_loss"] for row in probe.history]
    assert probe.training["stopped_early"] and len(losses) < 12
    assert probe.training["best_epoch"] == int(np.argmin(losses)) + 1
    assert probe.training["kept_epoch"] == probe.training["best_epoch"]  # restored
    logits = torch.from_numpy(probe.decision_function(test))
    assert list(probe.classes_) == ["standard", "target"]
    y = torch.as_tensor(test.events[:, 2] - 1)  # event codes 1, 2 -> class indices 0, 1
    restored = float(torch.nn.functional.cross_entropy(logits, y))
    assert restored == pytest.approx(min(losses), rel=1e-4)


def test_precision_and_argument_checks(model, task):
    small = task[0][:32]
    assert run(model, small, epochs=1, precision="auto").training["precision"] == "float32"
    bf16 = run(model, small, epochs=1, precision="bfloat16", validation=None)
    assert np.isfinite(bf16.history[0]["train_loss"])
    with pytest.raises(ValueError, match="float16 mixed precision needs a CUDA"):
        run(model, task[0], precision="float16")
    with pytest.raises(ValueError, match="layer_decay"):
        run(model, task[0], layer_decay=0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_gpu_auto_precision_is_bfloat16_where_native(model, task):
    """bfloat16 on a GPU of compute capability 8.0+, float16 on older ones (T4, V100, P100;
    simulated in tests/test_device_caps.py)."""
    probe = run(model, task[0][:32], epochs=1, device="cuda", validation=(task[1][:16], None))
    native = torch.cuda.get_device_capability()[0] >= 8
    assert probe.training["precision"] == ("bfloat16" if native else "float16")
    assert np.isfinite(probe.history[0]["train_loss"]) and np.isfinite(probe.history[0]["val_loss"])
    cpu = run(model, task[0][:32], epochs=1, validation=None)
    assert probe.decision_function(task[1][:4]).shape == cpu.decision_function(task[1][:4]).shape


def test_data_given_as_epochs_keyword_is_named(model, task):
    """In MNE "epochs" are the data; here epochs= counts training passes: say so."""
    from eegpt.probe import train_probe

    train, _ = task
    for function in (finetune, train_probe):
        with pytest.raises(TypeError, match=rf"{function.__name__}\(model, data, \.\.\.\) takes "
                           r"the labelled epochs .*got epochs=Epochs"):  # fmt: skip
            function(model, epochs=train)
        with pytest.raises(TypeError, match=r"got no data"):
            function(model)
        with pytest.raises(TypeError, match=r"got epochs=Epochs"):
            function(model, train, epochs=train)


def test_a_compiled_or_data_parallel_model_is_told_to_pass_the_model_inside(model, task):
    """finetune(torch.compile(model), ...) said only "expected an EEGPT model or encoder, got
    OptimizedModule": the error says to pass the model inside, and which attribute holds it."""
    from eegpt.probe import train_probe

    train, _ = task
    for function in (finetune, train_probe):
        with pytest.raises(TypeError, match=r"OptimizedModule wrapping one: .*model\._orig_mod"):
            function(torch.compile(model), train[:8])
        with pytest.raises(TypeError, match=r"DataParallel wrapping one: .*model\.module"):
            function(torch.nn.DataParallel(model.target_encoder), train[:8])


def test_a_fine_tuned_model_keeps_where_it_came_from(task, tmp_path):
    """The fine-tuned model (fresh, or loaded from its probe folder) names the weights it was
    tuned from and keeps their "not pretrained" mark, also once saved as weights."""
    from eegpt.checkpoints import describe, load_checkpoint, load_model, save_checkpoint
    from eegpt.probe import load_probe

    torch.manual_seed(0)
    parent = save_checkpoint(EEGPT(SMALL), tmp_path / "random", metadata={"pretrained": False})
    base = load_model(parent)
    tuned = run(base, task[0], epochs=1, validation=None, patience=None)
    for model in (tuned.model, load_probe(tuned.save(tmp_path / "ft")).model):
        info = model.checkpoint_info
        assert info["source"]["sha256"] == base.checkpoint_info["sha256"]
        assert info["notes"]["pretrained"] is False
        assert "NOT PRETRAINED" in repr(model)
    again = load_model(save_checkpoint(tuned.model, tmp_path / "tuned-encoder"))
    assert again.checkpoint_info["notes"]["pretrained"] is False
    assert again.checkpoint_info["source"]["sha256"] == base.checkpoint_info["sha256"]
    text = describe(load_checkpoint(tmp_path / "tuned-encoder"))
    assert f"fine-tuned from: {base.checkpoint_info['path']}" in text


def test_a_bare_random_encoder_fine_tuned_is_marked_not_pretrained(task, tmp_path):
    """A bare EEGPTEncoder built in Python (random weights) fine-tuned, or probed, is
    recorded as not pretrained, as a random EEGPT is: the tuned model says NOT PRETRAINED and,
    saved, that it started from random weights (the mark was lost: pretrained None, no word).
    An encoder whose weights were loaded is not marked."""
    from eegpt.checkpoints import describe, load_checkpoint, load_model, save_checkpoint
    from eegpt.model import EEGPTEncoder
    from eegpt.probe import train_probe

    torch.manual_seed(0)
    bare = EEGPTEncoder(SMALL)
    tuned = run(bare, task[0], epochs=1, validation=None, patience=None)
    assert tuned.encoder["pretrained"] is False
    assert tuned.model.checkpoint_info["notes"]["pretrained"] is False
    assert "NOT PRETRAINED" in repr(tuned.model) and not tuned.model.has_random_weights
    assert bare.has_random_weights  # fine-tuning trains a copy
    save_checkpoint(tuned.model, tmp_path / "tuned")
    assert "pretrained:  NO - the encoder started from random weights" in describe(
        load_checkpoint(tmp_path / "tuned")
    )
    probe = train_probe(bare, task[0], preprocessing=ONE_SECOND, epochs=1, device="cpu")
    assert probe.encoder["pretrained"] is False
    loaded = load_model(save_checkpoint(EEGPT(SMALL), tmp_path / "built", metadata={}))
    assert not loaded.target_encoder.has_random_weights
    other = EEGPTEncoder(SMALL)
    other.load_state_dict(bare.state_dict())
    assert not other.has_random_weights
    trained = EEGPTEncoder(SMALL)  # a fused step bumps no change counter
    opt = torch.optim.AdamW(trained.parameters(), lr=1e-2, fused=True)
    trained(torch.randn(2, 3, 256), torch.tensor([0, 1, 2])).square().mean().backward()
    opt.step()
    assert not trained.has_random_weights


def test_the_stored_head_weights_satisfy_their_max_norm(model, task):
    """The constraint is applied before each training forward pass, so the last optimizer step
    can leave head rows above max_norm: training renormalises them once at the end."""
    probe = run(model, task[0][:48], epochs=2, head_lr=0.5, validation=None, chan_proj=True)
    constrained = [m for m in probe.model.modules() if hasattr(m, "renorm_")]
    assert len(constrained) == 3
    for layer in constrained:
        norms = layer.weight.flatten(1).norm(dim=1)
        assert norms.max() <= layer.max_norm * (1 + 1e-6), type(layer).__name__
        assert not layer.renorm_()  # nothing left to renormalise


def test_class_weight_acts_and_is_recorded_as_it_acted(model, task):
    """class_weight (finetune's own, or else the head config's) weights the loss, and what is
    recorded is what acted; imbalanced classes without it are warned of, and the warning is
    kept with the training record as train_probe's is."""
    import mne

    from eegpt.probe import ProbeConfig

    both = mne.concatenate_epochs(list(task), verbose=False)
    skewed = mne.concatenate_epochs([both["standard"][:60], both["target"][:12]], verbose=False)
    common = dict(epochs=2, validation=None, patience=None)
    with pytest.warns(RuntimeWarning, match=r"'standard' 60, 'target' 12\. The classes are imb"):
        plain = run(model, skewed, **common)
    weighted = run(model, skewed, class_weight="balanced", **common)
    by_head = run(model, skewed, config=ProbeConfig(class_weight="balanced"), **common)
    assert plain.history != weighted.history  # the weights reach the loss
    assert by_head.history == weighted.history
    for tuned, used in ((plain, None), (weighted, "balanced"), (by_head, "balanced")):
        assert tuned.config.class_weight == used
        assert tuned.training["class_weight"] == used
    assert any("The classes are imbalanced" in text for text in plain.training["warnings"])
    # finetune has no command line: the advice names its argument only
    said = next(text for text in plain.training["warnings"] if "imbalanced" in text)
    assert "class_weight='balanced', and judge" in said and "command line" not in said
    assert not any("imbalanced" in text for text in weighted.training.get("warnings", []))


def test_class_weight_none_turns_off_the_head_s_balanced_weighting(model, task):
    """class_weight="none" trains unweighted whatever the head says (None takes the head's),
    and is recorded as ProbeConfig has it: None; a value it does not know is refused."""
    from eegpt.probe import ProbeConfig

    common = dict(epochs=1, validation=None, patience=None, freeze_blocks=1)
    train, balanced = task[0][:20], ProbeConfig(class_weight="balanced")  # 11 to 9 epochs
    plain = run(model, train, **common)
    off = run(model, train, head=balanced, class_weight="none", **common)
    assert off.history == plain.history
    assert run(model, train, head=balanced, **common).history != plain.history
    assert off.config.class_weight is None and off.training["class_weight"] is None
    with pytest.raises(ValueError, match="class_weight must be 'balanced', 'none'"):
        run(model, train, class_weight=False, **common)


def test_a_validation_fraction_of_several_recordings_is_said_to_be_per_epoch(model, task):
    """Early stopping on epochs drawn from the recordings trained on is optimistic: said (and
    kept with the model) where the data are several recordings; not for held-out ones."""
    train, test = task
    sessions = [train[:24], train[24:48]]
    with pytest.warns(RuntimeWarning, match=r"from all 2 recordings.*early stopping by them"):
        tuned = run(model, sessions, epochs=1, validation=0.2)
    kept = tuned.training["warnings"]
    assert sum("holds out epochs drawn at random" in text for text in kept) == 1, kept
    assert not any("command line" in text for text in kept), kept  # fine-tuning has none
    # verbose="error" silences the training's warnings, which it still records
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        quiet = run(model, sessions, epochs=1, validation=0.2, verbose="error")
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("holds out epochs drawn at random" in t for t in quiet.training["warnings"])
    held_out = run(model, sessions, epochs=1, validation=(test[:16], None))
    assert not any("drawn at random" in text for text in held_out.training.get("warnings", []))


def test_the_progress_bar_moves_with_every_batch(model, task, monkeypatch):
    """A pass of the large model takes minutes on a CPU: the bar counts batches, not passes."""
    import tqdm.auto

    bars = []

    class Recording(tqdm.auto.tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **{**kwargs, "disable": True})
            self.settings, self.steps = kwargs, 0
            bars.append(self)

        def update(self, n=1):
            self.steps += n
            return super().update(n)

    monkeypatch.setattr(tqdm.auto, "tqdm", Recording)
    run(model, task[0][:40], epochs=2, batch_size=8, validation=None, progress=True)
    (bar,) = bars
    assert bar.settings["unit"] == "batch" and bar.settings["total"] == 2 * 5
    assert bar.steps == 10 and not bar.settings["disable"]


def test_the_history_names_the_encoder_and_head_rates(model, task):
    """Each pass records the encoder's rate (lr's schedule) and the head's (10x lr) by name."""
    tuned = run(model, task[0][:32], epochs=4, lr=1e-3, layer_decay=0.5, validation=None)
    for row in tuned.history:
        assert row["lr_head"] == pytest.approx(10 * row["lr_encoder"])
        assert row["lr"] == row["lr_head"]  # as before, for older readers
    peak = max(row["lr_encoder"] for row in tuned.history)
    assert 0 < peak <= 1e-3
    frozen = run(model, task[0][:32], epochs=1, freeze_blocks="all", validation=None)
    assert "lr_encoder" not in frozen.history[0] and frozen.history[0]["lr_head"] > 0


def test_validation_data_of_one_class_are_warned_of(model, task):
    """Validation epochs all of one class score a balanced accuracy of 1.0 for a model that
    always says that class: said, and kept with the training record."""
    train, test = task
    with pytest.warns(RuntimeWarning, match=r"validation data .* hold no epochs of 'standard'"):
        tuned = run(model, train[:32], epochs=1, validation=(test["target"][:8], None))
    assert any("hold no epochs of 'standard'" in text for text in tuned.training["warnings"])


def test_eegpt_info_shows_the_fine_tuning_settings(task, tmp_path):
    """probe.json names the checkpoint tuned from by its SHA-256, and `eegpt info` lists the
    settings a paper reports (they were in probe.json only)."""
    import json

    from eegpt.checkpoints import load_model, save_checkpoint
    from eegpt.probe import describe_probe

    torch.manual_seed(0)
    base = load_model(save_checkpoint(EEGPT(SMALL), tmp_path / "base"))
    tuned = run(base, task[0][:32], epochs=2, freeze_blocks=1, layer_decay=0.5, seed=7,
                class_weight="balanced", validation=None, patience=None)  # fmt: skip
    folder = tuned.save(tmp_path / "ft")
    encoder = json.loads((folder / "probe.json").read_text())["encoder"]
    assert encoder["finetuned_from"] == {
        "checkpoint_sha256": base.checkpoint_info["sha256"],
        "weights_sha256": encoder["weights_sha256"],
    }
    text = describe_probe(folder)
    assert "tuned from checkpoint" in text
    assert (
        "fine-tuning: freeze_blocks 1, lr 0.001, head lr 0.01, layer_decay 0.5, weight_decay "
        "0.01, batch size 32, class_weight balanced, seed 7, precision float32; no "
        "validation; 2 passes (of at most 2) run"
    ) in text
    # the validation chosen, patience, an early stop, and one pass in the singular
    stopped = run(base, task[0][:32], epochs=3, validation=0.25, patience=1,
                  groups=np.repeat(np.arange(4), 8), seed=0)  # fmt: skip
    stopped.training.update(epochs_run=1, stopped_early=True)  # as an early stop leaves it
    text = describe_probe(stopped.save(tmp_path / "stopped"))
    assert "precision float32, patience 1; validation fraction 0.25 (realised 0.25) by groups " \
           "(1 of 4 " in text  # fmt: skip
    assert "held out); 1 pass (of at most 3) run, stopped early at pass 1" in text


def test_probe_json_fingerprints_the_tuned_weights(model, task, tmp_path):
    """probe.json keeps the starting weights' fingerprint (weights_sha256) and the tuned
    ones' (tuned_weights_sha256), which `eegpt info` shows; older files without it load."""
    import json

    from eegpt.probe import describe_probe, encoder_fingerprint

    tuned = run(model, task[0][:32], epochs=1, validation=None)
    folder = tuned.save(tmp_path / "ft")
    meta = json.loads((folder / "probe.json").read_text())
    encoder = meta["encoder"]
    assert encoder["weights_sha256"] == encoder_fingerprint(model)
    assert encoder["tuned_weights_sha256"] == encoder_fingerprint(load_probe(folder).model)
    assert encoder["tuned_weights_sha256"] != encoder["weights_sha256"]
    tuned_sha = encoder["tuned_weights_sha256"]
    assert f"tuned weights sha256 {tuned_sha[:12]}..." in describe_probe(folder)
    del meta["encoder"]["tuned_weights_sha256"]  # as written by earlier versions
    (folder / "probe.json").write_text(json.dumps(meta))
    assert encoder_fingerprint(load_probe(folder).model) == tuned_sha
    assert "tuned weights" not in describe_probe(folder)


def test_a_validation_fraction_by_groups_holds_out_whole_groups(model, task):
    """groups= (e.g. subject ids) make a validation fraction hold out whole groups, about
    the fraction of the epochs with both classes, the same ones for the same seed; it is
    recorded, and fewer than 2 groups are refused."""
    from eegpt.training import group_split

    train = task[0][:48]
    subjects = np.repeat(["s1", "s2", "s3", "s4", "s5", "s6"], 8)
    y = (np.arange(48) % 2).astype(np.int64)
    tr, va, held_out, n = group_split(y, subjects, 0.3, seed=0)
    assert n == 6 and not set(subjects[tr]) & set(subjects[va])
    assert sorted(set(subjects[va])) == held_out and 8 <= len(va) <= 24
    assert set(y[va]) == {0, 1}
    assert group_split(y, subjects, 0.3, seed=0)[2] == held_out
    assert any(group_split(y, subjects, 0.3, seed=s)[2] != held_out for s in range(1, 6))
    tuned = run(model, train, epochs=1, validation=0.25, groups=subjects)
    record = tuned.training["validation"]
    assert record["kind"] == "fraction" and record["fraction"] == 0.25
    assert record["groups"]["count"] == 6
    assert tuned.training["n_validation"] == 8 * len(record["groups"]["held_out"])
    with pytest.raises(ValueError, match=r"needs at least 2 groups in the training data; all "
                       r"48 training epochs are of group 's1'"):  # fmt: skip
        run(model, train, epochs=1, validation=0.25, groups=["s1"] * 48)
    with pytest.raises(ValueError, match=r"one value per training epoch: 48 epochs"):
        run(model, train, epochs=1, validation=0.25, groups=subjects[:40])


def test_tagged_classes_are_warned_of_without_command_line_options(model):
    """Classes differing only by MNE's '/'-tags ('left', 'left/artifact') are warned of, and
    fine-tuning, which has no command line, names no command-line option."""
    x = np.random.default_rng(0).normal(0, 20, (8, 2, 256))
    y = ["left", "left/artifact"] * 4
    array = {"ch_names": ["Cz", "Pz"], "sfreq": 256.0, "units": "uV", "validation": None}
    with pytest.warns(RuntimeWarning, match="'/'-separated tags") as caught:
        run(model, x, y=y, epochs=1, **array)
    said = [str(w.message) for w in caught if "'/'-separated tags" in str(w.message)]
    assert len(said) == 1 and "give the labels: y=..." in said[0], said
    assert "command line" not in said[0] and "--label" not in said[0]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"num_heads": 5}, r"EEGPTConfig\.embed_dim=64 is not divisible by num_heads=5"),
        ({"depth": -1}, r"EEGPTConfig\.depth must be an integer >= 0, got -1"),
    ],
    ids=["heads", "depth"],
)
def test_an_invalid_encoder_config_in_probe_json_names_the_file(model, task, tmp_path, change,
                                                                field):  # fmt: skip
    """A fine-tuned probe's encoder settings refused by EEGPTConfig (edited by hand, another
    version's) are an error naming the probe.json and saying the folder is damaged, with the
    field's own message kept."""
    import json
    import re

    folder = run(model, task[0][:32], epochs=1, validation=None).save(tmp_path / "ft")
    meta = json.loads((folder / "probe.json").read_text())
    meta["encoder"]["config"].update(change)
    (folder / "probe.json").write_text(json.dumps(meta))
    where = re.escape(str(folder / "probe.json"))
    with pytest.raises(ValueError, match=rf"{where}: its encoder settings are invalid") as info:
        load_probe(folder)
    assert re.search(field, str(info.value))
    assert "damaged or was written by another eegpt version" in str(info.value)
    # the probe's own settings alike
    meta = json.loads((folder / "probe.json").read_text())
    meta["encoder"]["config"] = SMALL.to_dict()
    meta["probe"]["learning_rate"] = 1
    (folder / "probe.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=rf"{where}: its probe settings are invalid \(unknown"):
        load_probe(folder)


def test_a_tuned_model_keeps_its_checkpoints_assumed_stride(task, tmp_path):
    """Weights whose file records no patch_stride (a bare state dict): the stride is assumed
    (the patch size), and said so. A model fine-tuned from them lost those marks, so saved
    and loaded again it looked as if the stride had been stated. Fine-tuning keeps the
    stride, so the marks are kept: in its checkpoint_info, a checkpoint saved of it (whose
    loading says the assumption again) and its probe folder loaded again."""
    from eegpt.checkpoints import load_checkpoint, load_model, save_checkpoint

    torch.manual_seed(4)
    torch.save(EEGPT(SMALL).state_dict(), tmp_path / "bare.pt")
    assumed = r"assuming patch_stride=64 \(patch_stride: the patch size"
    with pytest.warns(RuntimeWarning, match=assumed):
        start = load_model(tmp_path / "bare.pt", num_heads=4)
    marks = {"assumed": ["patch_stride"], "assumed_basis": {"patch_stride": "patch_size"}}
    assert {k: start.checkpoint_info.get(k) for k in marks} == marks
    probe = run(start, task[0][:32], epochs=1, validation=None)
    assert {k: probe.model.checkpoint_info.get(k) for k in marks} == marks
    with pytest.warns(RuntimeWarning, match=assumed):
        again = load_checkpoint(save_checkpoint(probe.model, tmp_path / "tuned"))
    assert {k: again.metadata.get(k) for k in marks} == marks
    probe.save(tmp_path / "probe")
    reloaded = load_probe(tmp_path / "probe")
    assert {k: reloaded.model.checkpoint_info.get(k) for k in marks} == marks


def test_a_validation_fraction_of_overlapping_windows_is_warned_of(model):
    """Windows of one recording cut with an overlap share samples: a validation fraction
    drawn at random scores held-out windows on samples trained on. Said, with how many and
    what to do; windows that do not overlap are not warned of."""
    import mne

    from eegpt.synthetic import synthetic_erp_raw

    raw = synthetic_erp_raw(4, sfreq=250.0, soa=4.5, seed=0)[0]
    common = {"epochs": 1, "validation": 0.25, "batch_size": 16}
    overlapping = mne.make_fixed_length_epochs(raw, 1.0, overlap=0.75, preload=True, verbose=False)
    y = np.arange(len(overlapping)) % 2
    with pytest.warns(
        RuntimeWarning,
        match=r"and \d+ of the \d+ held out overlap training epochs in time.*contiguous block",
    ):
        tuned = run(model, overlapping, y=y, **common)
    assert any("overlap training epochs" in t for t in tuned.training["warnings"])
    apart = mne.make_fixed_length_epochs(raw, 1.0, preload=True, verbose=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(model, apart, y=np.arange(len(apart)) % 2, **common)
    assert not [w for w in caught if "overlap training epochs" in str(w.message)]


def test_a_diverging_training_stops_with_an_error(model, task):
    """A learning rate far too high makes the loss NaN: an error names the pass and what to
    do, where the model was returned with NaN weights."""
    with pytest.raises(
        FloatingPointError,
        match=r"training loss is (nan|inf) in pass \d+ of 3.*Lower the learning rates",
    ):
        run(
            model,
            task[0][:32],
            lr=1e4,
            head_lr=1e6,
            batch_size=8,
            validation=(task[1][:16], None),
            patience=2,
        )


@pytest.mark.parametrize(
    "given",
    [{"lr": float("inf")}, {"lr": float("nan")}, {"head_lr": float("nan")}, {"head_lr": 0.0}],
)
def test_learning_rates_must_be_finite_and_positive(model, task, given):
    (name,) = given
    with pytest.raises(
        ValueError, match=rf"^{name} must be a finite learning rate above 0, got {name}="
    ):
        run(model, task[0][:16], validation=None, **given)


def test_numpy_numbers_are_taken(model, task):
    """validation=np.float32(0.25) and freeze_blocks=np.int64(1), as arithmetic on arrays
    gives them, are taken as the Python numbers."""
    tuned = run(
        model, task[0][:32], epochs=1, validation=np.float32(0.25), freeze_blocks=np.int64(1)
    )
    assert tuned.training["n_validation"] == 8
    assert tuned.training["freeze_blocks"] == 1 and type(tuned.training["freeze_blocks"]) is int
    assert "blocks.0.attn.qkv.weight" not in trainable_parameter_names(
        model.target_encoder, np.int64(1)
    )


def test_a_channel_projection_on_inference_weights_is_refused_up_front(task, tmp_path):
    """A model loaded under torch.inference_mode has inference tensors, through which a
    channel projection cannot be trained: a clear error says so, and the model's
    requires_grad flags are left as they were."""
    from eegpt.checkpoints import load_model, save_checkpoint
    from eegpt.probe import ProbeConfig, train_probe

    torch.manual_seed(0)
    path = save_checkpoint(EEGPT(SMALL), tmp_path / "w")
    with torch.inference_mode():
        loaded = load_model(path)
    flags = [p.requires_grad for p in loaded.parameters()]
    with pytest.raises(RuntimeError, match=r"inference tensors.*outside torch.inference_mode"):
        train_probe(loaded, task[0][:16], preprocessing=ONE_SECOND, device="cpu",
                    config=ProbeConfig(epochs=1, chan_proj=True, patience=None))  # fmt: skip
    assert [p.requires_grad for p in loaded.parameters()] == flags


def test_training_mode_restores_every_flag_and_keeps_the_error(model):
    """A flag that cannot be set back does not stop the others being restored, nor hide the
    error that ended the training."""
    from eegpt.training import training_mode

    encoder = model.target_encoder
    before = [p.requires_grad for p in encoder.parameters()]
    first = next(encoder.parameters())
    real = type(first).requires_grad_

    def refusing(self, flag=True):
        if self is first and flag:
            raise RuntimeError("cannot")
        return real(self, flag)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(first), "requires_grad_", refusing)
        with pytest.raises(KeyError, match="the training's own"):
            with training_mode(encoder, trainable=None):
                raise KeyError("the training's own")
    assert [p.requires_grad for p in encoder.parameters()][1:] == before[1:]
    first.requires_grad_(before[0])


def test_a_head_s_channel_projection_is_not_dropped_silently(model, task):
    """finetune's chan_proj= and target_channels= decide the projection: a head asking for
    another is refused, naming what to pass, where it trained without one."""
    from eegpt.probe import ProbeConfig

    with pytest.raises(
        ValueError, match=r"ProbeConfig\(chan_proj=True\).*finetune\(\.\.\., chan_proj=True\)"
    ):
        run(model, task[0][:16], epochs=1, validation=None, config=ProbeConfig(chan_proj=True))
    tuned = run(model, task[0][:16], epochs=1, validation=None, chan_proj=True,
                config=ProbeConfig(chan_proj=True, hidden=8))  # fmt: skip
    assert tuned.model.chan_proj is not None and tuned.config.hidden == 8


def test_eegpt_info_of_a_model_tuned_from_weights_built_in_python(model, task, tmp_path):
    """A model never read from a file is said to be so (with its weights' fingerprint), not
    "checkpoint ? (sha256 None...)"; a patience that did nothing for lack of validation data
    is not listed."""
    from eegpt.probe import describe_probe

    tuned = run(model, task[0][:16], epochs=1, validation=None, patience=5)
    text = describe_probe(tuned.save(tmp_path / "ft"))
    weights = tuned.encoder["weights_sha256"][:12]
    assert (
        f"tuned from weights built in Python (no checkpoint file; weights sha256 {weights}..."
        in text
    )
    assert "sha256 None" not in text and "checkpoint ?" not in text
    line = next(t for t in text.splitlines() if "fine-tuning:" in t)
    assert "patience" not in line and "no validation" in line, line


def test_overlapping_epochs_of_a_recording_as_the_command_line_reads_them():
    """`eegpt probe train FILE --val` gives the split an epoched Recording with onsets: its
    overlapping epochs are counted too (command-line options named), epochs end to end are
    not, and epochs without onsets (arrays) say nothing."""
    from eegpt.recording import Recording
    from eegpt.training_data import overlap_split_warning

    x = np.zeros((8, 2, 250))
    train, held = np.array([0, 1, 2, 4, 5, 7]), np.array([3, 6])
    overlapping = Recording(x, ["Cz", "Pz"], 250.0, onsets=np.arange(8) * 0.25)
    text = overlap_split_warning(overlapping, train, held, 0.25)
    assert text and "2 of the 2 held out overlap" in text and "--val-group-column" in text
    apart = Recording(x, ["Cz", "Pz"], 250.0, onsets=np.arange(8) * 1.0)
    assert overlap_split_warning(apart, train, held, 0.25) is None
    assert overlap_split_warning(Recording(x, ["Cz", "Pz"], 250.0), train, held, 0.25) is None


def test_finetune_takes_keep_picks_and_config_as_train_probe_does(model, task):
    """finetune took head= for the ProbeConfig that train_probe and EEGPTClassifier take as
    config=, and had no keep= or picks=: it now takes them with train_probe's meaning (the
    same checks, recorded in the probe, applied when predicting); head= still works, with a
    FutureWarning, and gives the same probe."""
    from eegpt.probe import ProbeConfig

    train = task[0][:24]
    few = ["Fz", "Cz", "Pz", "O2"]  # O2 typed misc: read with picks=["eeg", "misc"]
    kept = train.copy().set_channel_types({train.ch_names[-1]: "misc"})
    common = dict(epochs=1, validation=None)
    tuned = run(
        model, kept, keep=few, picks=["eeg", "misc"], config=ProbeConfig(hidden=8), **common
    )
    assert tuned.keep == few and tuned.picks == ["eeg", "misc"] and tuned.config.hidden == 8
    assert [n.upper() for n in tuned.input_names] == [n.upper() for n in few]
    assert tuned.predict_proba(kept).shape == (len(kept), 2)
    with pytest.warns(FutureWarning, match=r"finetune\(head=\.\.\.\) is renamed config="):
        old = run(model, train, head=ProbeConfig(hidden=8), **common)
    new = run(model, train, config=ProbeConfig(hidden=8), **common)
    np.testing.assert_array_equal(old.predict_proba(train), new.predict_proba(train))
    with pytest.raises(
        ValueError, match=r"keep=\['Fz'\] restricts .* rename=\{NAME: None\} instead"
    ):
        run(model, train, keep=["Fz"], chan_proj=True, **common)
    with pytest.raises(TypeError, match=r"picks=\[3\]: give channel types"):
        run(model, train, picks=[3], **common)
