"""``eegpt info`` names the encoder fingerprint (``checkpoint.weights_sha256``, the identity of
the encoder weights that outputs record) of an embeddings output and of weights, so that an
output can be matched with the weights that made it (it showed only the files' sha256)."""

from __future__ import annotations

import json
import warnings

import mne
import numpy as np
import pytest

from eegpt.cli import main


@pytest.fixture(scope="module")
def output(model, tmp_path_factory):
    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (4, 256 * 8)), info)
    path = tmp_path_factory.mktemp("fingerprint") / "rec.npz"
    model.embed(raw, verbose=False).save(path)
    return path


def test_info_of_an_output_and_of_its_weights_shows_the_encoder_fingerprint(
    weights, output, capsys
):
    from eegpt import load_embeddings

    fingerprint = load_embeddings(output).metadata["checkpoint"]["weights_sha256"]
    assert len(fingerprint) == 64
    assert main(["info", str(output)]) == 0
    assert f", encoder fingerprint {fingerprint[:12]}..." in capsys.readouterr().out
    assert main(["info", str(output), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["encoder_fingerprint"] == fingerprint
    # the weights that made it: the same fingerprint, whole
    assert main(["info", str(weights)]) == 0
    assert f"  encoder fingerprint: {fingerprint} (the encoder weights" in capsys.readouterr().out
    assert main(["info", str(weights), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["encoder_fingerprint"] == fingerprint


@pytest.mark.parametrize("size", ["tiny", "large"])
def test_weights_fingerprint_is_hashed_from_the_file_s_tensors_without_building_the_model(
    size, tmp_path, monkeypatch, capsys
):
    """eegpt info of weights computes the encoder fingerprint from the checkpoint's tensors
    (as the model would hold them) without building the model (seconds for "large"): equal
    to what load_model notes and embed records as checkpoint.weights_sha256, for our
    safetensors folder and the original .ckpt layout (float32 and bfloat16); a checkpoint
    the model cannot be built of is still said to give none."""
    import torch

    import eegpt.checkpoints as checkpoints
    from eegpt.checkpoint_report import checkpoint_fingerprint
    from eegpt.checkpoints import load_checkpoint, load_model, save_checkpoint
    from eegpt.config import EEGPTConfig, get_config
    from eegpt.model import EEGPT

    torch.manual_seed(5)
    config = (
        get_config("large")
        if size == "large"
        else EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)
    )
    model = EEGPT(config)
    state = model.state_dict()
    save_checkpoint(model, tmp_path / "st")
    torch.save({"state_dict": state}, tmp_path / "original.ckpt")
    bf16 = {k: v.to(torch.bfloat16) for k, v in state.items()}
    torch.save({"state_dict": bf16}, tmp_path / "original_bf16.ckpt")
    paths = [tmp_path / "st", tmp_path / "original.ckpt", tmp_path / "original_bf16.ckpt"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a .ckpt's assumed values; given here)
        kw = [{} if p.is_dir() else {"num_heads": 4 if size == "tiny" else 8} for p in paths]
        recorded = [_recorded(load_model(p, **k)) for p, k in zip(paths, kw, strict=True)]
        read = [load_checkpoint(p, **k) for p, k in zip(paths, kw, strict=True)]
    assert recorded[0] == recorded[1] != recorded[2]  # bfloat16 rounds the weights
    monkeypatch.setattr(checkpoints, "build_model", _not_built)
    assert [checkpoint_fingerprint(c) for c in read] == recorded
    assert main(["info", str(tmp_path / "st")]) == 0
    assert f"  encoder fingerprint: {recorded[0]} (the encoder" in capsys.readouterr().out
    broken = read[1]
    broken.state_dict.pop("target_encoder.norm.weight")
    with pytest.raises(ValueError, match="lacks 1 weight"):
        checkpoint_fingerprint(broken)


def _recorded(model) -> str:
    """checkpoint.weights_sha256 as embed records it for ``model``."""
    from eegpt.api import checkpoint_record

    return checkpoint_record(model)["weights_sha256"]


def _not_built(*args, **kwargs):
    raise AssertionError("the model was built to fingerprint its weights")
