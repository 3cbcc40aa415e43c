"""braindecode users' weights in eegpt and back: ``patch_stride=None``, the converted folder's
sampling rate, the assumed window length and channels outside the vocabulary."""

from __future__ import annotations

import json
import warnings

import pytest
import torch

from eegpt.checkpoints import load_checkpoint, load_model, save_checkpoint
from eegpt.cli import main
from eegpt.errors import CheckpointError

braindecode_models = pytest.importorskip("braindecode.models")
from braindecode.models.eegpt import EEGPT_CHANNELS  # noqa: E402


def _braindecode(n_chans: int = 6, n_times: int = 1024, **kw):
    """A small braindecode EEGPT (encoder only unless ``kw`` says otherwise), eval mode."""
    torch.manual_seed(3)
    chs_info = [{"ch_name": n} for n in EEGPT_CHANNELS[:n_chans]]
    kw.setdefault("chan_proj_type", "none")
    kw.setdefault("return_encoder_output", "n_outputs" not in kw)
    model = braindecode_models.EEGPT(
        n_chans=n_chans,
        n_times=n_times,
        chs_info=chs_info,
        embed_dim=64,
        depth=2,
        num_heads=4,
        **kw,
    )
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
    return model.eval()


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return bool(((a - b).abs().max() / b.abs().max()) <= 1e-5)


def test_patch_stride_none_given_means_the_patch_size_as_in_braindecode(tmp_path, capsys):
    """braindecode's EEGPT(patch_stride=None) strides by the patch size (64); given to
    load_model / convert (``--patch-stride none``), None means the same, not the stride
    assumed for an unrecorded one (32); the warning about the assumed stride says so."""
    bd = _braindecode(patch_stride=None)
    path = tmp_path / "bd.pt"
    torch.save(bd.state_dict(), path)
    x = 0.05 * torch.randn(2, 6, 1024)
    with pytest.warns(RuntimeWarning) as caught:
        assumed = load_checkpoint(path, num_heads=4)
    said = " ".join(str(w.message) for w in caught)
    assert assumed.config.stride == 32
    assert (
        "braindecode's EEGPT(patch_stride=None) means 64: pass patch_stride=64 (or None) if "
        "the model was built so" in said
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = load_model(path, num_heads=4, patch_stride=None)
    assert model.config.stride == 64
    assert model.checkpoint_info["config"]["patch_stride"] is None
    with torch.no_grad():
        assert _close(model(x), bd(x))
    out = tmp_path / "converted"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(["convert", str(path), str(out), "--num-heads", "4", "--patch-stride", "none"])
    assert code == 0
    assert load_checkpoint(out).config.stride == 64
    with pytest.raises(SystemExit):
        main(["convert", str(path), str(out), "--patch-stride", "half"])
    assert "or `none` (the patch size, 64" in capsys.readouterr().err


def test_a_given_stride_against_the_recorded_one_warns(tmp_path):
    """A braindecode folder whose config.json records patch_stride 32: loading it with
    patch_stride=None (64) or 64, or converting it with --patch-stride none, takes the given
    stride with a warning naming both and the patches each cuts a window into; the recorded
    stride given again, or none given, loads it without one."""
    folder = tmp_path / "bd32"
    _braindecode(patch_stride=32).save_pretrained(folder)
    for given in (None, 64):
        with pytest.warns(UserWarning, match="patch_stride") as caught:
            model = load_model(folder, patch_stride=given)
        assert model.config.stride == 64
        said = " ".join(str(w.message) for w in caught)
        assert (
            "config.json records patch_stride=32 (32 samples, 31 patches a window of 1024 "
            f"samples), but patch_stride={given!r} (64 samples, 16 patches a window of 1024 "
            "samples) was given" in said
        )
    for same in ({}, {"patch_stride": 32}):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert load_model(folder, **same).config.stride == 32
    with pytest.warns(UserWarning, match="records patch_stride=32"):
        assert main(["convert", str(folder), str(tmp_path / "c"), "--patch-stride", "none"]) == 0
    assert load_checkpoint(tmp_path / "c").config.stride == 64


def test_a_converted_folder_gives_braindecode_its_sampling_rate(tmp_path):
    """config.json records sfreq (the source folder's rate, from its checkpoint or the model
    load_model gave, else EEGPT's 256 Hz), so that
    braindecode's from_pretrained model has it and input_window_seconds (inferred from n_times,
    so that from_pretrained(folder, n_times=...) still takes another window length)."""
    bd = _braindecode(patch_stride=64)
    path = tmp_path / "bd.pt"
    torch.save(bd.state_dict(), path)
    out = save_checkpoint(load_checkpoint(path, num_heads=4, patch_stride=64), tmp_path / "a")
    config = json.loads((out / "config.json").read_text())
    assert (config["sfreq"], config["input_window_seconds"]) == (256.0, None)
    back = braindecode_models.EEGPT.from_pretrained(out)
    assert (back.sfreq, back.input_window_seconds, back.n_times) == (256.0, 4.0, 1024)
    other = braindecode_models.EEGPT.from_pretrained(out, n_times=512)
    assert (other.sfreq, other.input_window_seconds, other.n_times) == (256.0, 2.0, 512)
    # a braindecode folder's own rate is kept
    folder = tmp_path / "hf"
    _braindecode(n_times=1000, sfreq=250.0, patch_stride=32).save_pretrained(folder)
    out = save_checkpoint(load_checkpoint(folder), tmp_path / "b")
    back = braindecode_models.EEGPT.from_pretrained(out)
    assert (back.sfreq, back.input_window_seconds, back.n_times) == (250.0, 4.0, 1000)
    # so is it through load_model's model, and again through its saved folder's model
    out = save_checkpoint(load_model(folder), tmp_path / "c")
    assert json.loads((out / "config.json").read_text())["sfreq"] == 250.0
    again = save_checkpoint(load_model(out), tmp_path / "d")
    assert json.loads((again / "config.json").read_text())["sfreq"] == 250.0


def test_the_window_length_of_a_bare_state_dict_is_said_assumed_and_can_be_set(tmp_path):
    """braindecode's default EEGPT (22 -> 19 projection, 1000 samples, stride 32): its bare
    state dict's head fits 993-1024 samples; 1024 is assumed with a warning saying so and how
    to set n_times, and the folder converted with n_times=1000 runs in braindecode."""
    torch.manual_seed(5)
    bd = braindecode_models.EEGPT(
        n_outputs=4, n_chans=22, n_times=1000, sfreq=250, embed_dim=64, depth=2, num_heads=4
    ).eval()
    path = tmp_path / "bd.pt"
    torch.save(bd.state_dict(), path)
    with pytest.warns(RuntimeWarning) as caught:
        ckpt = load_checkpoint(path, num_heads=4)
    said = " ".join(str(w.message) for w in caught)
    assert ckpt.n_times == 1024
    assert "fits windows of 993-1024 samples; assuming n_times=1024" in said
    assert "`eegpt convert PATH FOLDER --n-times N`" in said
    with pytest.warns(RuntimeWarning) as caught:
        ckpt = load_checkpoint(path, num_heads=4, n_times=1000)
    assert ckpt.n_times == 1000
    assert not any("n_times" in str(w.message) for w in caught)
    with pytest.raises(CheckpointError, match="takes windows of 993-1024 samples"):
        load_checkpoint(path, num_heads=4, n_times=900)
    out = tmp_path / "converted"
    with pytest.warns(RuntimeWarning):
        assert main(["convert", str(path), str(out), "--num-heads", "4", "--n-times", "1000"]) == 0
    back = braindecode_models.EEGPT.from_pretrained(out).eval()
    x = 0.05 * torch.randn(2, 22, 1000)
    with torch.no_grad():
        assert _close(back(x), bd(x))


def test_a_channel_outside_the_vocabulary_is_named_in_the_channel_id_warning(tmp_path):
    """braindecode gives M1 (not in EEGPT's vocabulary) a positional id, used by model(x);
    model.embed(ch_names=...) drops it: the load's warning names it, with T3/T4."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # braindecode's own (unknown names, montage)
        bd = braindecode_models.EEGPT(
            n_chans=6,
            n_times=1024,
            chs_info=[{"ch_name": n} for n in ["T3", "T4", "C3", "Cz", "C4", "M1"]],
            patch_stride=None,
            chan_proj_type="none",
            return_encoder_output=True,
            embed_dim=64,
            depth=2,
            num_heads=4,
        )
    bd.save_pretrained(tmp_path / "bd")
    with pytest.warns(RuntimeWarning, match="disagree with the recorded channel names") as got:
        load_model(tmp_path / "bd")
    said = " ".join(str(w.message) for w in got)
    assert "T3: stored 0 (FP1), by name 25 (T7)" in said
    assert "M1: stored 5 (AF4), not in the vocabulary" in said
    assert "model.embed drops M1 (not in EEGPT's channel vocabulary)" in said
