"""Architecture values given when loading weights against those the weights' files record:
``num_heads`` given to :func:`eegpt.load_model` / :func:`eegpt.load_checkpoint` or ``eegpt
convert --num-heads`` (the patch stride's counterpart: tests/test_braindecode_weights.py).
Runs without braindecode: its folder layout is our folder without the ``eegpt`` section."""

from __future__ import annotations

import json
import shutil
import warnings

import pytest
import torch
from safetensors.torch import load_file, save_file

from eegpt.checkpoints import load_checkpoint, load_model
from eegpt.cli import main
from eegpt.errors import CheckpointError, EEGPTUserWarning


def _braindecode_layout(weights, folder):
    """``weights`` (our folder, num_heads 4) as braindecode writes it: config.json without
    the ``eegpt`` section, model.safetensors without our header copy."""
    shutil.copytree(weights, folder)
    cfg = json.loads((folder / "config.json").read_text())
    cfg.pop("eegpt")
    (folder / "config.json").write_text(json.dumps(cfg))
    save_file(load_file(folder / "model.safetensors"), folder / "model.safetensors")
    return folder


def test_a_given_num_heads_against_the_recorded_one_warns(weights, tmp_path):
    """A folder (ours, braindecode's) or a Lightning checkpoint recording num_heads=4, loaded
    with num_heads=8: the given count is taken with a warning naming both (it was taken
    silently: embeddings of another attention than the weights were trained with); the
    recorded count given again, or none, loads without one. eegpt convert --num-heads warns
    alike."""
    bd = _braindecode_layout(weights, tmp_path / "bd")
    model = load_model(weights)
    lightning = tmp_path / "l.ckpt"
    torch.save({"state_dict": model.state_dict(), "hyper_parameters": {"num_heads": 4,
                "patch_stride": 64}}, lightning)  # fmt: skip
    for source, said in ((weights, "config.json"), (bd, "config.json"),
                         (lightning, "l.ckpt's hyper_parameters")):  # fmt: skip
        with pytest.warns(EEGPTUserWarning, match="num_heads") as caught:
            assert load_model(source, num_heads=8).config.num_heads == 8
        text = " ".join(str(w.message) for w in caught)
        assert f"{said} records num_heads=4, but num_heads=8 was given (command line: " in text
        assert "--num-heads" in text
        for same in ({}, {"num_heads": 4}):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert load_model(source, **same).config.num_heads == 4
    with pytest.warns(EEGPTUserWarning, match="records num_heads=4, but num_heads=2 was given"):
        assert main(["convert", str(bd), str(tmp_path / "c"), "--num-heads", "2"]) == 0
    assert load_checkpoint(tmp_path / "c").config.num_heads == 2


def test_a_given_num_heads_that_does_not_divide_the_width_names_the_divisors(weights, tmp_path):
    """num_heads=3 for weights 64 wide: the error is the given value's, naming the width, its
    divisors and the recorded count; it said the checkpoint was not usable (ValueError:
    EEGPTConfig...). A bare state dict, which records none, says no recorded count."""
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(weights, num_heads=3)
    said = str(caught.value)
    assert "not a usable" not in said, said
    assert (
        "num_heads=3 was given (command line: --num-heads), but it does not divide the "
        "encoder's width embed_dim=64 (read from its weights)" in said
    )
    assert "give one of 1, 2, 4, 8, 16, 32, 64; the file records num_heads=4" in said
    bare = tmp_path / "bare.pt"
    torch.save(load_model(weights).state_dict(), bare)
    with pytest.raises(CheckpointError, match=r"give one of 1, 2, 4, 8, 16, 32, 64$"):
        load_checkpoint(bare, num_heads=5, patch_stride=64)


@pytest.mark.parametrize(("option", "value"), [("--num-heads", "0"), ("--n-times", "-3")])
def test_a_given_count_below_one_is_refused_as_given_not_as_the_files(
    option, value, weights, tmp_path, capsys
):
    """eegpt convert --num-heads 0 (--n-times -3) said the weights were "not a usable EEGPT
    checkpoint (ValueError: num_heads must be ...)": the file was blamed for a value given.
    The value is refused as given, naming the option, before the file is read."""
    assert main(["convert", str(weights), str(tmp_path / "c"), option, value]) == 1
    said = capsys.readouterr().err
    key = option.removeprefix("--").replace("-", "_")
    assert "not a usable" not in said, said
    assert f"{key} must be a positive whole number, got {value} (command line: {option})" in said
    assert not (tmp_path / "c").exists()
    with pytest.raises(ValueError, match=r"got 0 \(command line: --num-heads\)") as caught:
        load_checkpoint(weights, num_heads=0)
    assert not isinstance(caught.value, CheckpointError)
