"""Loading, checking, converting and saving EEGPT checkpoints, against real braindecode files."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from eegpt.checkpoints import (
    PROBE_19_CHANNELS,
    Checkpoint,
    CheckpointError,
    build_model,
    describe,
    infer_config,
    load_checkpoint,
    load_model,
    save_checkpoint,
)
from eegpt.config import EEGPTConfig
from eegpt.model import EEGPT, EEGPTEncoder

braindecode_models = pytest.importorskip("braindecode.models")
from braindecode.models.eegpt import CHANNEL_DICT, EEGPT_CHANNELS  # noqa: E402

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


class HParams:
    """A user class in Lightning's hyper-parameters: not allow-listed for weights_only."""

    def __init__(self) -> None:
        self.lr = 1e-3


class Evil:
    """Unpickling this runs a shell command that creates ``marker``."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


# ------------------------------------------------------------------------------------------------
# builders
# ------------------------------------------------------------------------------------------------


def make_braindecode(
    n_chans: int,
    n_times: int,
    *,
    stride: int,
    names: bool = True,
    depth: int = 2,
    **kw,
):
    """A small braindecode EEGPT with non-trivial weights (constraints active), eval mode."""
    chs_info = [{"ch_name": n} for n in EEGPT_CHANNELS[:n_chans]] if names else None
    model = braindecode_models.EEGPT(
        n_chans=n_chans,
        n_times=n_times,
        chs_info=chs_info,
        patch_size=64,
        patch_stride=stride,
        embed_dim=64,
        depth=depth,
        num_heads=4,
        **kw,
    )
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
            if name.startswith(("chan_proj", "final_layer")):
                p.mul_(3.0)  # make the max-norm constraints bite
    return model.eval()


def make_lightning(path: Path, *, hparams=None, extra: dict | None = None) -> EEGPTEncoder:
    """A pretraining-style Lightning checkpoint around a small random encoder."""
    torch.manual_seed(7)
    enc = EEGPTEncoder(SMALL)
    with torch.no_grad():
        for name, p in enc.named_parameters():
            if name.endswith("bias") or "norm" in name:
                p.add_(0.1 * torch.randn_like(p))
    target = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    online = {f"encoder.{k}": v + 0.01 for k, v in enc.state_dict().items()}
    state = {
        **online,
        **target,
        "predictor.mask_token": torch.randn(1, 1, 64),
        "predictor.blocks.0.attn.qkv.weight": torch.randn(192, 64),
        "predictor.time_embed.weight": torch.randn(32, 64),
        "reconstructor.time_embed.weight": torch.randn(32, 64),
        "reconstructor.reconstruction_proj.weight": torch.randn(64, 64),
    }
    ckpt = {
        "epoch": 199,
        "global_step": 123456,
        "pytorch-lightning_version": "1.9.5",
        "state_dict": state,
        "loops": {"fit_loop": {"epoch_progress": {"current": {"completed": 199}}}},
        "callbacks": {"LearningRateMonitor": {}},
        "optimizer_states": [{"state": {}, "param_groups": [{"lr": 1e-3, "params": [0, 1]}]}],
        "lr_schedulers": [{"last_epoch": 199, "_last_lr": [1e-4]}],
        "hyper_parameters": {
            "args": argparse.Namespace(lr=5e-4, depth=2) if hparams is None else hparams,
            "config": HParams(),
        },
        **(extra or {}),
    }
    torch.save(ckpt, path)
    return enc.eval()


@pytest.fixture
def lightning_ckpt(tmp_path):
    path = tmp_path / "eegpt_mcae_58chs_4s_large4E.ckpt"
    return path, make_lightning(path)


def small_state() -> dict[str, torch.Tensor]:
    torch.manual_seed(3)
    return {f"target_encoder.{k}": v for k, v in EEGPTEncoder(SMALL).state_dict().items()}


# ------------------------------------------------------------------------------------------------
# braindecode Hugging Face format
# ------------------------------------------------------------------------------------------------

# (n_chans, n_times, stride, names, chan_proj_type, n_outputs)
BRAINDECODE_CASES = {
    "encoder-s32-names": (8, 512, 32, True, "none", None),
    "encoder-s64-noname": (5, 768, 64, False, "none", None),
    "head-s64": (6, 512, 64, True, "none", 3),
    "proj-head-s32": (22, 512, 32, False, "conv1d_constraint", 4),
    "proj-linear-s64": (7, 640, 64, True, "linear", None),
    "proj-linear-head-s32": (7, 600, 32, True, "linear", 2),
}


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "reference"])
@pytest.mark.parametrize("case", BRAINDECODE_CASES.values(), ids=BRAINDECODE_CASES.keys())
def test_braindecode_folder_matches_braindecode(case, fused, tmp_path):
    n_chans, n_times, stride, names, proj, n_outputs = case
    torch.manual_seed(hash(case) % 2**31)
    bd = make_braindecode(
        n_chans,
        n_times,
        stride=stride,
        names=names,
        chan_proj_type=proj,
        n_outputs=n_outputs,
        return_encoder_output=n_outputs is None,
    )
    bd.save_pretrained(tmp_path)
    ckpt = load_checkpoint(tmp_path)
    assert ckpt.format == "braindecode"
    assert ckpt.config.patch_stride == stride
    assert ckpt.config.embed_dim == 64 and ckpt.config.depth == 2 and ckpt.config.num_heads == 4
    assert ckpt.chan_ids == tuple(bd.chans_id.reshape(-1).tolist())
    assert ckpt.n_outputs == n_outputs
    assert ckpt.chan_proj == (None if proj == "none" else (n_chans, 19))
    if proj != "none":
        assert ckpt.ch_names == PROBE_19_CHANNELS
    elif names:
        assert ckpt.ch_names == tuple(EEGPT_CHANNELS[:n_chans])
    model = build_model(ckpt, fused=fused)
    assert not model.training

    x = torch.randn(3, n_chans, n_times)
    with torch.no_grad():
        ours, ref = model(x), bd(x)
        assert ours.shape == ref.shape
        assert rel_err(ours, ref) <= 1e-5
        # encoder features of the same model (through the channel projection)
        z_ref = bd.target_encoder(bd.chan_proj(x), bd.chans_id)
        assert rel_err(model.encode(x), z_ref) <= 1e-5


def test_braindecode_files_pytorch_bin_and_single_file_paths(tmp_path):
    torch.manual_seed(0)
    bd = make_braindecode(6, 512, stride=64, n_outputs=3, chan_proj_type="none")
    bd.save_pretrained(tmp_path)
    x = torch.randn(2, 6, 512)
    with torch.no_grad():
        ref = bd(x)
    # either file of the pair identifies the folder
    for path in (tmp_path / "model.safetensors", tmp_path / "config.json"):
        ckpt = load_checkpoint(path)
        assert ckpt.format == "braindecode"
        assert ckpt.path == tmp_path
    # without safetensors, the pickled pytorch_model.bin is used (weights_only load)
    (tmp_path / "model.safetensors").unlink()
    ckpt = load_checkpoint(tmp_path)
    assert ckpt.metadata["weights_file"] == "pytorch_model.bin"
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x), ref) <= 1e-5


def test_braindecode_config_contradicting_weights_is_rejected(tmp_path):
    bd = make_braindecode(6, 512, stride=64, chan_proj_type="none", return_encoder_output=True)
    bd.save_pretrained(tmp_path)
    cfg = json.loads((tmp_path / "config.json").read_text())
    cfg["embed_dim"] = 512
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="embed_dim=512 but the weights have embed_dim=64"):
        load_checkpoint(tmp_path)


# ------------------------------------------------------------------------------------------------
# Lightning pretraining checkpoints and safe unpickling
# ------------------------------------------------------------------------------------------------


def test_lightning_checkpoint_loads_without_warnings_and_ignores_pretraining_keys(lightning_ckpt):
    path, enc = lightning_ckpt
    with pytest.raises(pickle.UnpicklingError):  # the restricted fallback is really exercised
        torch.load(path, map_location="cpu", weights_only=True)
    # width 64 (not the released model's 512): the unrecorded values are assumed, and said so
    with pytest.warns(RuntimeWarning, match="does not record num_heads or patch_stride"):
        ckpt = load_checkpoint(path)
    assert ckpt.metadata["assumed"] == ["num_heads", "patch_stride"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_checkpoint(path, num_heads=4, patch_stride=64).metadata["assumed"] == []
    assert ckpt.format == "lightning"
    assert ckpt.config == SMALL  # heads from the width preset, stride None, eps 1e-6
    assert all(k.startswith("target_encoder.") for k in ckpt.state_dict)
    groups = {k.split(".", 1)[0] for k in ckpt.ignored_keys}
    assert groups == {"encoder", "predictor", "reconstructor"}
    assert len(ckpt.ignored_keys) == len(enc.state_dict()) + 5
    assert ckpt.metadata["epoch"] == 199 and ckpt.metadata["global_step"] == 123456
    assert "argparse.Namespace" in ckpt.metadata["pickle_placeholders"]
    assert any(p.endswith("HParams") for p in ckpt.metadata["pickle_placeholders"])
    assert ckpt.chan_ids is None and ckpt.n_outputs is None and ckpt.chan_proj is None
    assert len(ckpt.sha256) == 64

    model = build_model(ckpt)
    ids = torch.tensor([CHANNEL_DICT[c] for c in ("FP1", "CZ", "O2", "PZ")])
    x = torch.randn(2, 4, 1024)
    with torch.no_grad():
        assert rel_err(model(x, ids), enc(x, ids)) <= 1e-6


def test_lightning_checkpoint_with_weights_only_safe_content_loads(tmp_path):
    path = tmp_path / "plain.ckpt"
    enc = make_lightning(path, hparams={"lr": 1e-3})
    # a dict-only hyper_parameters section: the weights_only path succeeds directly
    ckpt = load_checkpoint(path)
    assert ckpt.format == "lightning"
    x = torch.randn(1, 3, 256)
    ids = torch.tensor([0, 10, 20])
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x, ids), enc(x, ids)) <= 1e-6


def test_malicious_pickle_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Evil(marker), protocol=2)
    # the payload is real: unrestricted unpickling runs the command
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(Evil(probe), protocol=2))
    assert probe.exists()

    raw = tmp_path / "evil.pt"
    raw.write_bytes(payload)
    with pytest.raises(CheckpointError, match="cannot read"):
        load_checkpoint(raw)
    assert not marker.exists()


class _ScriptedWriter(torch.nn.Module):
    """A TorchScript module whose loading writes 6 bytes to the file named in its state."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.w = torch.zeros(3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @torch.jit.export
    def __getstate__(self) -> str:
        return self.target

    @torch.jit.export
    def __setstate__(self, target: str) -> None:
        written = torch.from_file(target, True, 6, dtype=torch.uint8)
        written.fill_(65)
        self.target = target
        self.w = written.float()
        self.training = False


@pytest.mark.parametrize("name", ["evil.pt", "evil.ckpt", "pytorch_model.bin"])
def test_torchscript_archive_is_refused_before_its_code_runs(tmp_path, name):
    path = tmp_path / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.script(_ScriptedWriter(str(tmp_path / "pwned"))).save(str(path))
        # the payload is real: torch.jit.load (which torch.load hands such archives to) runs it
        probe = tmp_path / "probe"
        torch.jit.save(torch.jit.script(_ScriptedWriter(str(probe))), str(tmp_path / "p.pt"))
        torch.jit.load(str(tmp_path / "p.pt"))
    assert probe.read_bytes() == b"AAAAAA"
    with pytest.raises(CheckpointError, match="TorchScript archive"):
        load_checkpoint(path)
    assert not (tmp_path / "pwned").exists()


def test_malicious_object_inside_lightning_checkpoint_stays_inert(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.ckpt"
    enc = make_lightning(path, hparams=Evil(marker), extra={"callbacks": {"x": Evil(marker)}})
    ckpt = load_checkpoint(path)
    assert not marker.exists()
    assert any(p.endswith(".system") for p in ckpt.metadata["pickle_placeholders"])
    x = torch.randn(1, 2, 128)
    ids = torch.tensor([3, 4])
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x, ids), enc(x, ids)) <= 1e-6


def test_malicious_object_in_place_of_a_weight_is_rejected(tmp_path):
    marker = tmp_path / "pwned"
    state = small_state()
    state["target_encoder.norm.weight"] = Evil(marker)
    path = tmp_path / "evil_weights.pt"
    torch.save(state, path)
    with pytest.raises(
        CheckpointError, match=r"'target_encoder.norm.weight' holds a pickled posix.system object"
    ):
        load_checkpoint(path)
    assert not marker.exists()


def test_lightning_checkpoint_without_target_encoder(tmp_path):
    path = tmp_path / "other.ckpt"
    torch.save({"epoch": 1, "state_dict": {"encoder.norm.weight": torch.ones(4)}}, path)
    with pytest.raises(CheckpointError, match="without `target_encoder"):
        load_checkpoint(path)


# ------------------------------------------------------------------------------------------------
# bare state dicts and config inference
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["target_encoder.", ""])
@pytest.mark.parametrize("suffix", [".safetensors", ".pt", ".pth", ".bin"])
def test_bare_state_dicts(prefix, suffix, tmp_path):
    torch.manual_seed(1)
    enc = EEGPTEncoder(SMALL).eval()
    state = {f"{prefix}{k}": v for k, v in enc.state_dict().items()}
    path = tmp_path / f"weights{suffix}"
    if suffix == ".safetensors":
        save_file(state, path)
    else:
        torch.save(state, path)
    ckpt = load_checkpoint(path)
    assert ckpt.format == "state_dict"
    assert ckpt.config == SMALL
    x = torch.randn(2, 3, 300)
    ids = torch.tensor([1, 2, 3])
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x, ids), enc(x, ids)) <= 1e-6


def test_head_geometry_inferred_from_a_bare_state_dict(tmp_path):
    torch.manual_seed(2)
    model = EEGPT(SMALL, chan_ids=[0, 1, 2], n_outputs=5, n_times=640, chan_proj=(8, 3)).eval()
    path = tmp_path / "head.safetensors"
    save_file(model.state_dict(), path)
    ckpt = load_checkpoint(path)
    assert (ckpt.n_outputs, ckpt.n_times, ckpt.chan_proj) == (5, 640, (8, 3))
    ckpt = dataclasses.replace(ckpt, chan_ids=(0, 1, 2))
    x = torch.randn(2, 8, 640)
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x), model(x)) <= 1e-6


def test_infer_config_hints_and_head_fallbacks():
    torch.manual_seed(0)
    for dim, heads in [(64, 4), (128, 4), (256, 4)]:
        enc = EEGPTEncoder(EEGPTConfig(embed_dim=dim, depth=1, num_heads=2, embed_num=1))
        assert infer_config(enc.state_dict()).num_heads == heads
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=96, depth=1, num_heads=3, qkv_bias=False))
    with pytest.warns(UserWarning, match="assuming num_heads=1"):
        cfg = infer_config(enc.state_dict())
    assert cfg.qkv_bias is False and cfg.embed_dim == 96
    cfg = infer_config(
        enc.state_dict(), {"num_heads": 3, "patch_stride": 32, "layer_norm_eps": 1e-5}
    )
    assert (cfg.num_heads, cfg.patch_stride, cfg.layer_norm_eps) == (3, 32, 1e-5)
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=64, depth=3, num_heads=4, mlp_ratio=2.0))
    cfg = infer_config({f"target_encoder.{k}": v for k, v in enc.state_dict().items()})
    assert (cfg.depth, cfg.mlp_ratio) == (3, 2.0)
    with pytest.raises(CheckpointError, match="chan_embed.weight"):
        infer_config({"foo": torch.zeros(1)})


def _shapes_only_state(dim: int, hidden: int) -> dict[str, torch.Tensor]:
    """The tensors infer_config reads of a one-block encoder of width ``dim`` and MLP width
    ``hidden``, on the meta device (shapes without data)."""
    shapes = {
        "summary_token": (1, 1, dim),
        "patch_embed.proj.weight": (dim, 1, 1, 4),
        "chan_embed.weight": (62, dim),
        "blocks.0.attn.qkv.weight": (3 * dim, dim),
        "blocks.0.attn.qkv.bias": (3 * dim,),
        "blocks.0.mlp.fc1.weight": (hidden, dim),
        "blocks.0.mlp.fc2.weight": (dim, hidden),
    }
    return {k: torch.empty(shape, device="meta") for k, shape in shapes.items()}


def test_infer_config_builds_the_mlp_width_of_the_weights():
    """Every width pair among multiples of 16 (MLP up to 8x the width): the inferred config
    builds exactly the weights' MLP width. ``hidden / dim`` as the ratio built one unit less for
    395 of them (176 * (240 / 176) = 239.99999999999997 -> 239, a "shape mismatch" on load)."""
    from eegpt.config import mlp_ratio_for

    pairs = [(d, h) for d in range(16, 1025, 16) for h in range(16, 8 * d + 1, 16)]
    assert sum(int(d * (h / d)) != h for d, h in pairs) == 395  # the pairs the bug hit
    for d, h in pairs:
        assert EEGPTConfig(embed_dim=d, num_heads=1, mlp_ratio=mlp_ratio_for(d, h)).mlp_hidden == h
    for d, h in [(d, h) for d, h in pairs if int(d * (h / d)) != h]:
        hints = {"num_heads": 1}
        assert infer_config(_shapes_only_state(d, h), hints).mlp_hidden == h, (d, h)
        # a recorded ratio that builds another width gives way to the weights'
        hints["mlp_ratio"] = h / d
        assert infer_config(_shapes_only_state(d, h), hints).mlp_hidden == h, (d, h)


def test_a_bare_state_dict_whose_mlp_width_is_not_a_round_ratio_loads(tmp_path):
    """width 176, MLP 240 (ratio 1.3636...): the bare state dict loads into the same model (it
    was refused with "shape mismatch ... (240, 176) vs (239, 176)")."""
    from eegpt.config import mlp_ratio_for

    torch.manual_seed(0)
    cfg = EEGPTConfig(embed_dim=176, depth=1, num_heads=4, embed_num=1)
    model = EEGPT(dataclasses.replace(cfg, mlp_ratio=mlp_ratio_for(176, 240))).eval()
    assert model.target_encoder.blocks[0].mlp.fc1.weight.shape == (240, 176)
    torch.save(model.state_dict(), tmp_path / "bare.pt")
    loaded = load_model(tmp_path / "bare.pt", num_heads=4, patch_stride=64)
    assert loaded.config.mlp_hidden == 240
    x = torch.randn(2, 3, 256)
    with torch.no_grad():
        torch.testing.assert_close(loaded.encode(x, [0, 1, 2]), model.encode(x, [0, 1, 2]))


def _without_blocks(state: dict, prefix: str, *indices: int) -> dict:
    return {
        k: v
        for k, v in state.items()
        if not any(k.startswith(f"{prefix}blocks.{i}.") for i in indices)
    }


def test_missing_transformer_blocks_are_refused_not_loaded_shallower(tmp_path):
    """A block missing from the middle is named; one missing from the end is refused wherever
    a depth is recorded beside the weights: braindecode's config.json, eegpt's own section,
    the Lightning hyper-parameters, or the Lightning file's online encoder (encoder.*)."""
    torch.manual_seed(0)
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=64, depth=3, num_heads=4))
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    path = tmp_path / "gap.pt"
    torch.save(_without_blocks(state, "target_encoder.", 1), path)
    with pytest.raises(
        CheckpointError, match=r"lack transformer block\(s\) 1 \(blocks 0, 2 of 0..2"
    ):
        load_checkpoint(path, num_heads=4, patch_stride=64)
    # our own folder (eegpt section and braindecode config both say depth 3) missing block 2
    torch.save(state, tmp_path / "whole.pt")
    folder = save_checkpoint(load_checkpoint(tmp_path / "whole.pt", num_heads=4, patch_stride=64),
                             tmp_path / "folder")  # fmt: skip
    weights = load_file(folder / "model.safetensors")
    save_file(_without_blocks(weights, "target_encoder.", 2), folder / "model.safetensors")
    with pytest.raises(CheckpointError, match=r"says depth=3 .* block\(s\) 2 are missing, so the "
                                              "file looks truncated"):  # fmt: skip
        load_model(folder)
    cfg = json.loads((folder / "config.json").read_text())
    del cfg["eegpt"]  # braindecode's config.json alone
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="file looks truncated"):
        load_checkpoint(folder)
    # Lightning: hyper-parameters of the authors' layout (list: encoder, predictor, reconstructor)
    online = {"encoder." + k[len("target_encoder."):]: v for k, v in state.items()}  # fmt: skip
    truncated = _without_blocks(state, "target_encoder.", 2)
    hp = {"models_configs": {"encoder": {"embed_dim": 64, "depth": [3, 2, 2], "num_heads": 4},
                             "predictor": {"depth": 2}}}  # fmt: skip
    torch.save({"state_dict": truncated, "hyper_parameters": hp}, tmp_path / "hp.ckpt")
    with pytest.raises(CheckpointError, match=r"depth 3 \(models_configs.encoder.depth\[0\]\) "
                                              r".* 2 transformer block\(s\): block\(s\) 2 are "
                                              "missing, so the file looks truncated"):  # fmt: skip
        load_checkpoint(tmp_path / "hp.ckpt")
    hp["models_configs"]["encoder"]["depth"] = 3  # as an int too, and agreeing: loads
    torch.save({"state_dict": state, "hyper_parameters": hp}, tmp_path / "hp_ok.ckpt")
    assert load_checkpoint(tmp_path / "hp_ok.ckpt", patch_stride=64).config.depth == 3
    # no hyper-parameters: the online twin has one block more
    torch.save({"state_dict": {**online, **truncated}}, tmp_path / "twin.ckpt")
    with pytest.raises(CheckpointError, match=r"online encoder \(encoder.\*\) has 3 transformer "
                                              r"blocks but target_encoder.\* has 2.*block\(s\) 2 "
                                              "are missing and the file looks truncated"):  # fmt: skip
        load_checkpoint(tmp_path / "twin.ckpt", num_heads=4)
    torch.save({"state_dict": {**online, **state}}, tmp_path / "twin_ok.ckpt")
    assert (
        load_checkpoint(tmp_path / "twin_ok.ckpt", num_heads=4, patch_stride=64).config.depth == 3
    )


# ------------------------------------------------------------------------------------------------
# conversion round trips
# ------------------------------------------------------------------------------------------------


def test_convert_lightning_round_trip_and_braindecode_reads_it(lightning_ckpt, tmp_path):
    path, enc = lightning_ckpt
    ckpt = load_checkpoint(path)
    out = save_checkpoint(ckpt, tmp_path / "converted")
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "model.safetensors"]
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["eegpt"]["source"]["sha256"] == ckpt.sha256
    assert cfg["eegpt"]["source"]["format"] == "lightning"
    assert EEGPTConfig.from_dict(cfg["eegpt"]["config"]) == ckpt.config

    again = load_checkpoint(out)
    assert again.format == "eegpt"
    assert again.config == ckpt.config and again.chan_ids is None
    assert again.metadata["source"]["sha256"] == ckpt.sha256
    ids = torch.tensor([5, 17, 33, 40, 61])
    x = torch.randn(2, 5, 1024)
    with torch.no_grad():
        a, b = build_model(ckpt)(x, ids), build_model(again)(x, ids)
    assert torch.equal(a, b)

    # braindecode loads the converted folder: all 62 vocabulary channels, 4 s windows
    bd = braindecode_models.EEGPT.from_pretrained(out, strict=True).eval()
    x = torch.randn(2, 62, 1024)
    with torch.no_grad():
        assert rel_err(bd(x), enc(x, torch.arange(62))) <= 1e-5


@pytest.mark.parametrize(
    "case",
    ["proj-head-s32", "head-s64", "proj-linear-head-s32", "encoder-s64-noname"],
)
def test_convert_braindecode_round_trip(case, tmp_path):
    n_chans, n_times, stride, names, proj, n_outputs = BRAINDECODE_CASES[case]
    torch.manual_seed(11)
    bd = make_braindecode(
        n_chans,
        n_times,
        stride=stride,
        names=names,
        chan_proj_type=proj,
        n_outputs=n_outputs,
        return_encoder_output=n_outputs is None,
    )
    bd.save_pretrained(tmp_path / "bd")
    ckpt = load_checkpoint(tmp_path / "bd")
    out = save_checkpoint(ckpt, tmp_path / "ours")
    ours = load_checkpoint(out)
    assert ours.format == "eegpt"
    for name in ("config", "chan_ids", "ch_names", "n_outputs", "n_times", "chan_proj"):
        assert getattr(ours, name) == getattr(ckpt, name), name
    bd2 = braindecode_models.EEGPT.from_pretrained(out, strict=True).eval()
    x = torch.randn(2, n_chans, n_times)
    with torch.no_grad():
        ref = bd(x)
        assert rel_err(bd2(x), ref) <= 1e-6
        assert rel_err(build_model(ours)(x), ref) <= 1e-5


def test_save_from_model_and_load_model_provenance(tmp_path):
    torch.manual_seed(4)
    model = EEGPT(SMALL, chan_ids=[3, 9, 27], n_outputs=2, n_times=256).eval()
    out = save_checkpoint(model, tmp_path / "m")
    loaded = load_model(out)
    assert not loaded.training
    info = loaded.checkpoint_info
    assert info["format"] == "eegpt" and len(info["sha256"]) == 64
    assert info["config"] == SMALL.to_dict() and info["chan_ids"] == (3, 9, 27)
    x = torch.randn(4, 3, 256)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
    # saving a loaded model keeps the original provenance
    out2 = save_checkpoint(loaded, tmp_path / "m2")
    cfg = json.loads((out2 / "config.json").read_text())
    assert (
        cfg["eegpt"]["source"] == json.loads((out / "config.json").read_text())["eegpt"]["source"]
    )


def test_the_same_model_saves_to_the_same_bytes(tmp_path):
    """safetensors writes its header's metadata map in an order that changes from one call
    to the next: the saved file is put in one order, so a model's file (and SHA-256) does not
    depend on the run that saved it."""
    torch.manual_seed(5)
    model = EEGPT(SMALL, chan_ids=[3, 9, 27]).eval()
    files = {
        (save_checkpoint(model, tmp_path / f"m{i}") / "model.safetensors").read_bytes()
        for i in range(10)
    }
    assert len(files) == 1
    (weights,) = files
    n = int.from_bytes(weights[:8], "little")
    metadata = json.loads(weights[8 : 8 + n])["__metadata__"]
    assert list(metadata) == sorted(metadata) and metadata["format"] == "pt"
    x = torch.randn(2, 3, 256)
    with torch.no_grad():
        assert torch.equal(load_model(tmp_path / "m0")(x), model(x))


def test_a_compiled_or_data_parallel_model_saves_as_the_model_inside(tmp_path):
    """save_checkpoint(torch.compile(model)) wrote the wrapper's state dict, every key prefixed
    with `_orig_mod.` (DataParallel's: `module.`, or an AttributeError): braindecode's
    from_pretrained found none of its weights. Both now save the wrapped model's own files,
    byte for byte; an encoder alone is refused with what to pass."""
    torch.manual_seed(6)
    model = EEGPT(SMALL, chan_ids=[3, 9, 27], n_outputs=2, n_times=256).eval()
    plain = (save_checkpoint(model, tmp_path / "plain") / "model.safetensors").read_bytes()
    wrapped = {
        "compiled": torch.compile(model),
        "data_parallel": torch.nn.DataParallel(model),
        "both": torch.compile(torch.nn.DataParallel(model)),
    }
    for name, wrapper in wrapped.items():
        folder = save_checkpoint(wrapper, tmp_path / name)
        assert (folder / "model.safetensors").read_bytes() == plain, name
        assert all(
            not k.startswith(("_orig_mod.", "module."))
            for k in load_file(folder / "model.safetensors")
        )
    bd = braindecode_models.EEGPT.from_pretrained(tmp_path / "compiled", strict=True).eval()
    assert bd.final_layer is not None
    with pytest.raises(TypeError, match="EEGPTEncoder .an encoder alone: pass the EEGPT model"):
        save_checkpoint(model.target_encoder, tmp_path / "encoder")
    with pytest.raises(TypeError, match="takes an EEGPT model .* got Linear"):
        save_checkpoint(torch.nn.Linear(2, 2), tmp_path / "linear")


@pytest.mark.parametrize("attribute", ["backbone", "encoder"])
def test_a_state_dict_of_a_model_holding_eegpt_names_where_its_weights_are(attribute, tmp_path):
    """A classifier of one's own holding EEGPT (or its encoder) as a module beside a head was
    refused as no EEGPT checkpoint, listing only the head's keys for `encoder.` (set aside as
    the pretraining's online encoder); the error names the prefix and how to save the weights
    alone, which then load."""
    torch.manual_seed(7)
    eeg = EEGPT(SMALL)
    inner = eeg if attribute == "backbone" else eeg.target_encoder
    classifier = torch.nn.Module()
    classifier.add_module(attribute, inner)
    classifier.add_module("head", torch.nn.Linear(SMALL.embed_dim, 2))
    state = classifier.state_dict()
    torch.save(state, tmp_path / "classifier.pt")
    with pytest.raises(CheckpointError, match=f"weights are under '{attribute}.'") as err:
        load_model(tmp_path / "classifier.pt", num_heads=4, patch_stride=64)
    assert f"k.removeprefix('{attribute}.')" in str(err.value)
    prefix = f"{attribute}."
    alone = {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}
    torch.save(alone, tmp_path / "alone.pt")
    loaded = load_model(tmp_path / "alone.pt", num_heads=4, patch_stride=64)
    x, ids = torch.randn(2, 3, 256), torch.tensor([0, 1, 2])
    with torch.no_grad():
        assert torch.equal(loaded(x, ids), eeg.eval()(x, ids))


def test_save_metadata_notes_round_trip(tmp_path):
    model = EEGPT(SMALL, chan_ids=[0, 1])
    out = save_checkpoint(model, tmp_path / "m", metadata={"pretrained": False, "seed": 0})
    ckpt = load_checkpoint(out)
    assert ckpt.metadata["notes"] == {"pretrained": False, "seed": 0}
    text = describe(ckpt)
    assert (
        "pretrained:  NO - the encoder started from random weights" in text
        and "note: seed = 0" in text
    )
    assert "pretrained = False" not in text
    loaded = load_model(out)
    assert loaded.checkpoint_info["notes"] == {"pretrained": False, "seed": 0}
    # notes travel with a re-saved model and can be updated
    again = load_checkpoint(save_checkpoint(loaded, tmp_path / "m2", metadata={"seed": 1}))
    assert again.metadata["notes"] == {"pretrained": False, "seed": 1}
    with pytest.raises(TypeError, match="JSON-serialisable"):
        save_checkpoint(model, tmp_path / "m3", metadata={"bad": object()})
    assert not (tmp_path / "m3" / "config.json").exists()


def test_save_refuses_to_overwrite(lightning_ckpt, tmp_path):
    ckpt = load_checkpoint(lightning_ckpt[0])
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_checkpoint(ckpt, target)
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]
    save_checkpoint(ckpt, target, overwrite=True)
    assert sorted(p.name for p in target.iterdir()) == [
        "config.json",
        "model.safetensors",
        "notes.txt",
    ]
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(FileExistsError, match="not a folder"):
        save_checkpoint(ckpt, file)


@pytest.mark.parametrize("name", ["large.safetensors", "large.PT", "tuned.ckpt"])
def test_save_refuses_a_weights_file_name_and_a_folder_round_trips(name, tmp_path):
    """save_checkpoint(m, "large.safetensors") made a folder named large.safetensors without a
    word; a single file would not record num_heads and the channels (a lone model.safetensors
    loads with the paper's num_heads assumed), so such a name is refused, saying to give a
    folder, and the folder loads back as the same model."""
    torch.manual_seed(5)
    config = EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2)  # not the paper's heads
    model = EEGPT(config, chan_ids=[3, 9, 27]).eval()
    target = tmp_path / name
    with pytest.raises(ValueError, match="saved as a folder .*give a folder path") as err:
        save_checkpoint(model, target)
    assert f"e.g. {tmp_path / Path(name).stem}{os.sep} " in str(err.value)
    assert not target.exists()
    folder = save_checkpoint(model, tmp_path / Path(name).stem)
    loaded = load_model(folder)
    assert loaded.config == config and torch.equal(loaded.chan_ids, model.chan_ids)
    x = torch.randn(2, 3, 256)
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))


def test_save_validates_before_writing(lightning_ckpt, tmp_path):
    ckpt = load_checkpoint(lightning_ckpt[0])
    ckpt.state_dict["target_encoder.norm.bias"] = torch.full((64,), float("nan"))
    with pytest.raises(CheckpointError, match="non-finite"):
        save_checkpoint(ckpt, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_bare_braindecode_linear_projection_loads_unconstrained(tmp_path):
    """braindecode's ``chan_proj_type="linear"`` is an unconstrained nn.Linear (2-D weight):
    a bare state dict of it loads without a max-norm constraint (rows of norm > 1 stay as
    trained), says so, and converts back to a ``linear`` projection."""
    torch.manual_seed(12)
    bd = make_braindecode(22, 1024, stride=32, names=False, n_outputs=4, chan_proj_type="linear")
    assert bd.chan_proj.proj.weight.norm(dim=1).min() > 1.0  # a max-norm 1 would change it
    path = tmp_path / "linear.pt"
    torch.save(bd.state_dict(), path)
    ckpt = load_checkpoint(path, num_heads=4)
    assert ckpt.chan_proj == (22, 19) and ckpt.chan_proj_max_norm == float("inf")
    assert "channel projection: 22 -> 19 (unconstrained)" in describe(ckpt)
    x = 0.05 * torch.randn(2, 22, 1024)
    with torch.no_grad():
        ref = bd(x)
        assert rel_err(build_model(ckpt)(x), ref) <= 1e-5
    out = save_checkpoint(ckpt, tmp_path / "converted")
    config = json.loads((out / "config.json").read_text())
    assert config["chan_proj_type"] == "linear"
    bd2 = braindecode_models.EEGPT.from_pretrained(out, strict=True).eval()
    with torch.no_grad():
        assert rel_err(bd2(x), ref) <= 1e-5


@pytest.mark.parametrize(
    ("n_times", "stride", "n_outputs"),
    [(1024, 32, None), (512, 32, 3), (768, 32, 3), (1024, 64, 3)],
    ids=["encoder-1024", "head-512", "head-768", "head-1024-s64"],
)
def test_bare_braindecode_state_dict_gets_braindecode_stride(n_times, stride, n_outputs, tmp_path):
    """braindecode always saves its chans_id buffer: a bare state dict with one is a
    braindecode model's, whose patch stride (not recorded) is braindecode's default 32 unless
    a probe head only fits whole-patch stride at whole-second windows; the window length comes
    from the head's width for any length, not only 1024 samples."""
    torch.manual_seed(13)
    bd = make_braindecode(
        6,
        n_times,
        stride=stride,
        n_outputs=n_outputs,
        chan_proj_type="none",
        return_encoder_output=n_outputs is None,
    )
    path = tmp_path / "bd.pt"
    torch.save(bd.state_dict(), path)
    with pytest.warns(RuntimeWarning) as caught:
        ckpt = load_checkpoint(path, num_heads=4)
    said = " ".join(str(w.message) for w in caught)
    assert ckpt.config.stride == stride
    if stride == 32:
        assert ckpt.metadata["assumed"] == ["patch_stride"]
        assert "braindecode's default, a guess: the file holds the chans_id buffer" in said
        assert "stride=32 (assumed: braindecode's default)" in describe(ckpt)
    else:
        assert ckpt.metadata["inferred"] == ["patch_stride"]
        assert "with patch_stride=32 the same head would be for 544-sample windows" in said
    if n_outputs is not None:
        assert ckpt.n_times == n_times
    x = 0.05 * torch.randn(2, 6, n_times)
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x), bd(x)) <= 1e-5
    # without braindecode's buffer (e.g. our own model's state dict), a head 15 patches wide is
    # for 512-sample windows at stride 32 (960 at stride 64 is no whole number of seconds)
    if n_times == 512:
        state = {k: v for k, v in bd.state_dict().items() if k != "chans_id"}
        torch.save(state, path)
        with pytest.warns(RuntimeWarning, match="inferred from the probe head's width"):
            ckpt = load_checkpoint(path, num_heads=4)
        assert (ckpt.config.stride, ckpt.n_times) == (32, 512)


def test_fine_tune_with_a_projection_onto_other_than_19_channels(tmp_path):
    """An original-script fine-tune with a C -> C projection (22 -> 22) records no encoder
    channels: model(x) says to pass the training script's channel names in its order, and a
    conversion to a braindecode folder (whose forward braindecode cannot run: it always uses
    its 19 channel ids behind a projection) is refused; with channels recorded it is saved for
    eegpt, with a warning."""
    torch.manual_seed(14)
    names = EEGPT_CHANNELS[:22]
    ids = [CHANNEL_DICT[n] for n in names]
    tuned = EEGPT(SMALL, chan_ids=ids, chan_proj=(22, 22), n_outputs=4, n_times=1024).eval()
    state = {
        k.replace("chan_proj.proj.", "chan_conv.").replace("final_layer.probe", "linear_probe"): v
        for k, v in tuned.state_dict().items()
    }
    path = tmp_path / "ft_22to22.pt"
    torch.save(state, path)
    model = load_model(path, num_heads=4, patch_stride=64)
    x = 0.05 * torch.randn(2, 22, 1024)
    with pytest.raises(ValueError, match=r"does not record \(the training script's channel names"):
        model(x)
    with torch.no_grad():
        assert rel_err(model(x, torch.tensor(ids)), tuned(x)) <= 1e-6
    ckpt = load_checkpoint(path, num_heads=4, patch_stride=64)
    with pytest.raises(CheckpointError, match="braindecode's EEGPT runs a projection only onto"):
        save_checkpoint(ckpt, tmp_path / "converted")
    assert not (tmp_path / "converted").exists()
    named = dataclasses.replace(ckpt, ch_names=tuple(names), chan_ids=tuple(ids))
    with pytest.warns(RuntimeWarning, match="the saved folder is for eegpt only"):
        out = save_checkpoint(named, tmp_path / "named")
    with torch.no_grad():
        assert rel_err(load_model(out)(x), tuned(x)) <= 1e-6


def test_probe_head_of_another_hidden_width_loads(tmp_path):
    """An original-script probe whose first layer has 32 hidden features (linear_probe1
    [32, S*D], linear_probe2 [n_outputs, N*32]) loads and gives the logits of braindecode's
    probe of that width (probe_hidden_dim=32) on the encoder's output."""
    from braindecode.models.eegpt import _LinearConstraintProbe

    torch.manual_seed(15)
    enc = EEGPTEncoder(SMALL).eval()
    ref = _LinearConstraintProbe(
        n_patches=16, embed_num=4, embed_dim=64, n_outputs=4, probe_hidden_dim=32
    ).eval()
    probe = {}
    with torch.no_grad():
        for p in ref.parameters():
            p.mul_(3.0)  # make the max-norm constraints bite
        for i in (1, 2):
            layer = getattr(ref, f"probe{i}")
            probe[f"linear_probe{i}.weight"] = layer.weight.detach().clone()
            probe[f"linear_probe{i}.bias"] = layer.bias.detach().clone()
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    path = tmp_path / "hidden32.pt"
    torch.save({**state, **probe}, path)
    ckpt = load_checkpoint(path, num_heads=4, patch_stride=64)
    assert (ckpt.n_outputs, ckpt.n_times) == (4, 1024)
    model = build_model(ckpt)
    assert model.final_layer.probe1.weight.shape == (32, 256)
    x = 0.05 * torch.randn(2, 3, 1024)
    ids = torch.tensor([1, 2, 3])
    with torch.no_grad():
        assert rel_err(model(x, ids), ref(enc(x, ids))) <= 1e-5
    with pytest.warns(RuntimeWarning, match="32 hidden features per patch"):
        out = save_checkpoint(ckpt, tmp_path / "saved")
    with torch.no_grad():
        assert rel_err(load_model(out)(x, ids), ref(enc(x, ids))) <= 1e-5


def test_describe(lightning_ckpt, tmp_path):
    text = describe(load_checkpoint(lightning_ckpt[0]))
    assert "format:      lightning" in text
    assert "predictor (3 tensors)" in text and "reconstructor (2 tensors)" in text
    assert "embed_dim=64 depth=2 num_heads=4" in text
    assert "stride=64 (= patch size)" in text
    bd = make_braindecode(22, 512, stride=32, names=False, n_outputs=4)
    bd.save_pretrained(tmp_path / "bd")
    text = describe(load_checkpoint(tmp_path / "bd"))
    assert "channel projection: 22 -> 19 (max-norm 1)" in text
    assert "probe head:  4 outputs for 512-sample windows" in text
    assert "encoder channels (19): FP1, FP2" in text
    assert (
        "encoder channels (19): FP1, FP2, F7, F3, FZ, F4, F8, T7, C3, CZ, C4, T8 and 7 more" in text
    )


# ------------------------------------------------------------------------------------------------
# errors
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def bare(tmp_path):
    """A valid bare state dict and a helper that saves a modified copy and loads it."""
    state = small_state()

    def load(modified: dict[str, torch.Tensor]) -> Checkpoint:
        path = tmp_path / "w.safetensors"
        save_file(modified, path)
        return load_checkpoint(path)

    return state, load


def test_wrong_shape_names_key_and_both_shapes(bare):
    state, load = bare
    key = "target_encoder.blocks.1.attn.proj.weight"
    state[key] = state[key][:, :-1].contiguous()
    with pytest.raises(ValueError, match=r"blocks\.1\.attn\.proj\.weight.*\(64, 63\).*\(64, 64\)"):
        build_model(load(state))


def test_forced_config_shape_mismatch(bare):
    state, load = bare
    ckpt = load(state)
    forced = dataclasses.replace(ckpt, config=ckpt.config.replace(embed_num=2))
    with pytest.raises(ValueError, match=r"summary_token.*\(1, 4, 64\).*\(1, 2, 64\)"):
        build_model(forced)


def test_missing_keys_are_listed(bare):
    state, load = bare
    del state["target_encoder.norm.weight"], state["target_encoder.blocks.1.mlp.fc2.bias"]
    with pytest.raises(CheckpointError, match="lacks 2 weight") as err:
        build_model(load(state))
    assert "target_encoder.norm.weight" in str(err.value)
    assert "target_encoder.blocks.1.mlp.fc2.bias" in str(err.value)


def test_unexpected_keys_strict_and_lenient(bare):
    state, load = bare
    state["target_encoder.extra.weight"] = torch.ones(3)
    ckpt = load(state)
    with pytest.raises(CheckpointError, match=r"target_encoder\.extra\.weight.*strict=False"):
        build_model(ckpt)
    with pytest.warns(UserWarning, match="target_encoder.extra.weight"):
        build_model(ckpt, strict=False)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_weights_are_rejected(bad, bare):
    state, load = bare
    state["target_encoder.blocks.0.mlp.fc1.bias"][7] = bad
    with pytest.raises(CheckpointError, match=r"blocks\.0\.mlp\.fc1\.bias.*non-finite"):
        build_model(load(state))


def test_integer_weights_are_rejected(bare):
    state, load = bare
    state["target_encoder.norm.bias"] = state["target_encoder.norm.bias"].to(torch.int32)
    with pytest.raises(CheckpointError, match=r"target_encoder\.norm\.bias.*torch\.int32"):
        build_model(load(state))


def test_half_precision_weights_load(bare):
    state, load = bare
    model = build_model(load({k: v.half() for k, v in state.items()}))
    assert model.target_encoder.norm.weight.dtype == torch.float32


@pytest.mark.parametrize("kind", ["safetensors", "torch-zip", "lightning"])
def test_truncated_files(kind, tmp_path, lightning_ckpt):
    if kind == "lightning":
        src = lightning_ckpt[0]
    else:
        src = tmp_path / ("w.safetensors" if kind == "safetensors" else "w.pt")
        state = small_state()
        save_file(state, src) if kind == "safetensors" else torch.save(state, src)
    data = src.read_bytes()
    cut = tmp_path / f"cut{src.suffix}"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated, corrupt"):
        load_checkpoint(cut)


@pytest.mark.parametrize("name", ["random.ckpt", "random.safetensors", "random.pt", "empty.bin"])
def test_random_bytes(name, tmp_path):
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else os.urandom(4096))
    with pytest.raises(CheckpointError):
        load_checkpoint(path)


def test_a_recording_or_an_output_given_as_weights_is_named(tmp_path):
    edf, npz = tmp_path / "sub-01.EDF", tmp_path / "emb.npz"
    edf.write_bytes(b"0       " + os.urandom(248))  # an EDF header's start
    npz.write_bytes(b"PK\x03\x04" + os.urandom(60))  # a zip archive's start
    with pytest.raises(CheckpointError, match=r"sub-01.EDF looks like an EEG recording \(.edf\), "
                       r"not model weights.*run `eegpt channels .*sub-01.EDF`"):  # fmt: skip
        load_checkpoint(edf)
    with pytest.raises(
        CheckpointError, match=r"looks like a data file \(arrays or tables\) \(.npz\)"
    ):
        load_checkpoint(npz)


def test_missing_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="no EEGPT weights"):
        load_checkpoint(tmp_path / "nope.ckpt")
    with pytest.raises(FileNotFoundError, match="--weights PATH"):
        load_model(tmp_path / "nope.ckpt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="no config.json"):
        load_checkpoint(tmp_path / "empty")
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "probe.json").write_text("{}")
    with pytest.raises(CheckpointError, match="is a probe .*not encoder weights"):
        load_checkpoint(tmp_path / "probe")
    (tmp_path / "probe" / "probe.json").write_text(
        '{"frozen_encoder": true, "encoder": {"path": "/w/large"}}'
    )
    with pytest.raises(CheckpointError, match="Its frozen encoder is the checkpoint /w/large"):
        load_checkpoint(tmp_path / "probe")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.json").write_text("{}")
    with pytest.raises(CheckpointError, match="no weights"):
        load_checkpoint(tmp_path / "cfg")


def test_non_dict_pickle(tmp_path):
    path = tmp_path / "list.pt"
    torch.save([torch.zeros(2)], path)
    with pytest.raises(CheckpointError, match="holds a list"):
        load_checkpoint(path)


def test_unrecorded_heads_and_stride_are_read_set_or_said_assumed(tmp_path, capsys):
    """num_heads / patch_stride leave no trace in the weights: taken from a Lightning
    checkpoint's hyper-parameters, from a probe head's width (stride), or from the caller;
    otherwise assumed, with a warning and a line in eegpt info. Wrong heads are silently wrong,
    so each route is checked against the true model's output."""
    from eegpt.cli import main

    true = dataclasses.replace(SMALL, num_heads=2, patch_stride=32)
    torch.manual_seed(5)
    enc = EEGPTEncoder(true)
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    ids = torch.tensor([CHANNEL_DICT[c] for c in ("FP1", "CZ", "O2", "PZ")])
    x = torch.randn(2, 4, 1024)
    with torch.no_grad():
        want = enc(x, ids)

    def output(ckpt):
        with torch.no_grad():
            return build_model(ckpt)(x, ids)

    # the hyper-parameters of the original training code: the encoder's entry, not others'
    hparams = {"models_configs": {"encoder": {"embed_dim": 64, "num_heads": 2,
                                              "patch_stride": 32},
                                  "predictor": {"num_heads": 8}}}  # fmt: skip
    lightning = tmp_path / "custom.ckpt"
    torch.save({"state_dict": state, "hyper_parameters": hparams}, lightning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ckpt = load_checkpoint(lightning)
    assert ckpt.config == true and ckpt.metadata["assumed"] == []
    assert rel_err(output(ckpt), want) <= 1e-6

    # a bare state dict: assumed (4 heads for width 64), wrong, and said so; set by the caller
    bare = tmp_path / "bare.pt"
    torch.save(state, bare)
    with pytest.warns(RuntimeWarning, match=r"assuming num_heads=4, patch_stride=64"):
        load_checkpoint(bare)
    with pytest.warns(RuntimeWarning, match=r"assuming num_heads=4 \("):
        guessed = load_checkpoint(bare, patch_stride=32)
    assert rel_err(output(guessed), want) > 1e-3  # why the warning matters (random weights)
    set_right = load_checkpoint(bare, num_heads=2, patch_stride=32)
    assert set_right.metadata["assumed"] == []
    assert rel_err(output(set_right), want) <= 1e-6
    with pytest.warns(RuntimeWarning, match="does not record"):
        assert main(["info", str(bare)]) == 0
    text = capsys.readouterr().out
    assert "num_heads=4 (assumed)" in text and "stride=64 (= patch size) (assumed)" in text
    assert "assumed:     num_heads, patch_stride (not recorded in the file" in text
    with pytest.raises(ValueError, match="num_heads must be a positive whole number"):
        load_checkpoint(bare, num_heads=0)

    # a probe head 31 patches wide fits half-patch stride at 1024 samples (braindecode's
    # default), not 16 non-overlapping patches: the stride is taken from it
    head = {"final_layer.probe1.weight": torch.randn(16, 4 * 64),
            "final_layer.probe1.bias": torch.zeros(16),
            "final_layer.probe2.weight": torch.randn(3, 31 * 16),
            "final_layer.probe2.bias": torch.zeros(3)}  # fmt: skip
    tuned = tmp_path / "tuned.pt"
    torch.save({**state, **head}, tuned)
    with pytest.warns(RuntimeWarning) as caught:
        ckpt = load_checkpoint(tuned)
    said = " ".join(str(w.message) for w in caught)
    assert "does not record num_heads unambiguously; assuming num_heads=4 (" in said
    assert "patch_stride=32 inferred from the probe head's width (1024-sample windows)" in said
    assert ckpt.config.stride == 32 and ckpt.n_times == 1024
    assert ckpt.metadata["assumed"] == ["num_heads"]


def test_assumed_head_count_warnings_say_their_basis_and_the_real_ways_to_set_it(tmp_path, capsys):
    """The warnings name the arguments load_model / load_checkpoint take (num_heads=) and the
    command line's (eegpt convert --num-heads), not infer_config's hints= alone; for a width no
    paper model has, they say the head count is a rule of thumb, not the paper's value."""
    from eegpt.cli import main

    torch.manual_seed(0)
    true = EEGPTConfig(embed_dim=96, depth=1, num_heads=3, embed_num=2)
    state = {f"target_encoder.{k}": v for k, v in EEGPTEncoder(true).state_dict().items()}
    path = tmp_path / "dim96.pt"
    torch.save(state, path)
    with pytest.warns(Warning) as caught:
        ckpt = load_checkpoint(path)
    first, second = (str(w.message) for w in caught)
    assert ckpt.config.num_heads == 1
    assert "no EEGPT paper model has width 96; assuming num_heads=1 (embed_dim // 64" in first
    assert (
        "eegpt.load_model(path, num_heads=N) or eegpt.load_checkpoint(path, num_heads=N)" in first
    )
    assert "`eegpt convert PATH FOLDER --num-heads N`, then --weights FOLDER" in first
    assert "changes the outputs by a few percent, silently" in first
    assert "paper's value" not in second
    assert "num_heads: no EEGPT paper model has width 96, so embed_dim // 64" in second
    assert "patch_stride: the patch size, non-overlapping patches as in pretraining" in second
    assert "`eegpt convert PATH FOLDER --num-heads 1 --patch-stride 64`" in second
    # a paper width: the paper's value, said so
    with pytest.warns(RuntimeWarning, match="num_heads: the EEGPT paper's value for width 64"):
        load_checkpoint(_saved_small(tmp_path))
    # the command line way the warnings give
    folder = tmp_path / "converted"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert main(["convert", str(path), str(folder), "--num-heads", "3",
                     "--patch-stride", "32"]) == 0  # fmt: skip
        converted = load_checkpoint(folder)
    assert (converted.config.num_heads, converted.config.stride) == (3, 32)
    assert not converted.metadata.get("assumed")
    capsys.readouterr()


def _saved_small(tmp_path: Path) -> Path:
    path = tmp_path / "small.pt"
    torch.save(small_state(), path)
    return path


def test_a_channel_table_smaller_than_the_vocabulary_is_refused_on_loading(tmp_path):
    """Rows are looked up by vocabulary index (0..61): a 58-row table would fail (or, for
    low rows, run) only at embedding time; it is refused when loaded."""
    torch.manual_seed(1)
    state = {f"target_encoder.{k}": v for k, v in EEGPTEncoder(SMALL).state_dict().items()}
    state["target_encoder.chan_embed.weight"] = state["target_encoder.chan_embed.weight"][:58]
    path = tmp_path / "cut.pt"
    torch.save(state, path)
    with pytest.raises(CheckpointError, match="has 58 rows, but EEGPT's channel vocabulary has 62"):
        load_checkpoint(path, num_heads=4)


def test_wrapper_prefixes_are_taken_off(tmp_path):
    """Weights saved through DistributedDataParallel (module.), torch.compile (_orig_mod.) or
    a Lightning module holding the model (model., net.), wrappers nested too, load as the
    model's own."""
    torch.manual_seed(2)
    enc = EEGPTEncoder(SMALL)
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    ids = torch.tensor([CHANNEL_DICT[c] for c in ("FP1", "CZ", "O2")])
    x = torch.randn(1, 3, 1024)
    with torch.no_grad():
        want = enc(x, ids)
    variants = {
        "ddp.pt": {f"module.{k}": v for k, v in state.items()},
        "compiled.pt": {
            k.replace("target_encoder.", "target_encoder._orig_mod."): v for k, v in state.items()
        },  # fmt: skip
        "bare_ddp.pt": {f"module.{k}": v for k, v in enc.state_dict().items()},
        "net.pt": {f"net.{k}": v for k, v in state.items()},
        "nested.pt": {f"model.module.{k}": v for k, v in state.items()},
        "nested_net.pt": {f"module.net.{k}": v for k, v in state.items()},
    }
    for name, weights in variants.items():
        torch.save(weights, tmp_path / name)
        ckpt = load_checkpoint(tmp_path / name, num_heads=4, patch_stride=64)
        with torch.no_grad():
            assert rel_err(build_model(ckpt)(x, ids), want) <= 1e-6, name
    lightning = tmp_path / "wrapped.ckpt"
    torch.save({"state_dict": {f"model.{k}": v for k, v in state.items()}}, lightning)
    ckpt = load_checkpoint(lightning, num_heads=4, patch_stride=64)
    with torch.no_grad():
        assert rel_err(build_model(ckpt)(x, ids), want) <= 1e-6


def test_a_whole_pickled_model_is_refused_with_how_to_save_its_weights(tmp_path):
    path = tmp_path / "whole.pt"
    torch.save(EEGPTEncoder(SMALL), path)
    with pytest.raises(CheckpointError, match=r"whole pickled eegpt\.model\.EEGPTEncoder object"
                       r".*torch\.save\(model\.state_dict\(\), path\)"):  # fmt: skip
        load_checkpoint(path)


def test_heads_in_namespaces_lists_and_conflicts_and_bare_large_state_dicts(tmp_path):
    """Hyper-parameters in an argparse Namespace or a list are read (without unpickling);
    conflicting values are said; a bare state dict or a Lightning file of the released width
    still warns (only a file of the authors' release's shape is exempt)."""
    torch.manual_seed(3)
    state = {f"target_encoder.{k}": v for k, v in EEGPTEncoder(SMALL).state_dict().items()}
    for hparams, heads in (
        (argparse.Namespace(num_heads=2, patch_stride=64), 2),
        ({"models_configs": [{"encoder": {"num_heads": "2", "patch_stride": 64}}]}, 2),
    ):
        path = tmp_path / "h.ckpt"
        torch.save({"state_dict": state, "hyper_parameters": hparams}, path)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert load_checkpoint(path).config.num_heads == heads
    clash = {"encoder": {"num_heads": 2}, "target_encoder": {"num_heads": 4}, "patch_stride": 64}
    torch.save({"state_dict": state, "hyper_parameters": clash}, tmp_path / "c.ckpt")
    with pytest.warns(RuntimeWarning, match=r"conflicting num_heads values \[2, 4\]"):
        load_checkpoint(tmp_path / "c.ckpt")

    large = EEGPTEncoder(EEGPTConfig(embed_dim=512, depth=1, num_heads=8, embed_num=4))
    torch.save(large.state_dict(), tmp_path / "large.pt")
    with pytest.warns(RuntimeWarning, match="does not record num_heads or patch_stride"):
        load_checkpoint(tmp_path / "large.pt")
    # a Lightning file of that width is not the authors' either (depth 1, no pretraining groups)
    torch.save({"state_dict": {f"target_encoder.{k}": v for k, v in large.state_dict().items()}},
               tmp_path / "width512.ckpt")  # fmt: skip
    with pytest.warns(RuntimeWarning, match="not shaped like the authors' released checkpoint"):
        load_checkpoint(tmp_path / "width512.ckpt")


def test_heads_recorded_in_other_forms_are_read_or_said_unread(tmp_path):
    """A width-512 Lightning file (the released shape) whose hyper-parameters record the heads
    in another form is read right, or warned about: never silently taken as 8 heads."""
    import numpy as np

    enc = EEGPTEncoder(EEGPTConfig(embed_dim=512, depth=1, num_heads=16, embed_num=4))
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    path = tmp_path / "hp.ckpt"
    for hparams in ({"model": {"num_heads": 16}}, {"args": argparse.Namespace(num_heads=16)},
                    {"num_heads": 16.0}, {"num_heads": torch.tensor(16)}, {"n_heads": 16}):  # fmt: skip
        torch.save({"state_dict": state, "hyper_parameters": hparams}, path)
        assert load_checkpoint(path, patch_stride=64).config.num_heads == 16, hparams
    torch.save({"state_dict": state, "hyper_parameters": {"num_heads": np.int64(16)}}, path)
    with pytest.warns(RuntimeWarning, match="entries eegpt cannot read: num_heads"):
        load_checkpoint(path)


def test_verbose_levels_keep_the_loaded_line_quiet_and_lightning_weights_are_not_called_random(
    lightning_ckpt, tmp_path, capsys
):
    """``verbose="error"`` (or "warning", 30, False) keeps the "loaded ... checkpoint" line
    quiet, as MNE's levels do; True prints it. An embeddings file made with weights that do not
    record whether they are pretrained (the authors' Lightning file) is not described as "NOT
    pretrained" by ``eegpt info``."""
    import mne
    import numpy as np

    from eegpt.checkpoints import load_model
    from eegpt.cli import main

    path, _ = lightning_ckpt
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "error" silences eegpt's warnings too (heads assumed)
        load_model(path, verbose="error")
        load_checkpoint(path, verbose="ERROR")
    for quiet in ("error", "WARNING", 30, False, 0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # heads assumed
            load_model(path, verbose=quiet)
        assert "loaded" not in capsys.readouterr().err, quiet
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = load_model(path, num_heads=4, verbose=True)
    said = capsys.readouterr().err.lower()
    assert "loaded lightning checkpoint" in said and "not pretrained" not in said
    assert model.checkpoint_info.get("pretrained") is not False
    from eegpt.demo import random_checkpoint

    load_model(random_checkpoint(tmp_path / "random"), verbose=True)  # says it is random
    assert "weights): NOT pretrained (random weights)" in capsys.readouterr().err
    info = mne.create_info(["Fz", "Cz", "Pz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 256 * 8)), info)
    out = tmp_path / "emb.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.embed(raw).save(out)
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "checkpoint: " in text and "NOT pretrained" not in text


def test_a_model_saved_with_its_random_initialisation_is_marked_not_pretrained(tmp_path, capsys):
    """EEGPT(...) saved as built (also after a move or cast) is marked NOT pretrained, so that
    loading it, its repr and `eegpt info` say so; weights loaded into it or trained are not."""
    from eegpt.checkpoints import load_model
    from eegpt.cli import main

    model = EEGPT(SMALL).to(torch.float64).float()
    assert model.has_random_weights and "random weights" in repr(model)
    save_checkpoint(model, tmp_path / "random")
    assert load_checkpoint(tmp_path / "random").metadata["notes"]["pretrained"] is False
    loaded = load_model(tmp_path / "random", verbose=True)
    assert "NOT pretrained (random weights)" in capsys.readouterr().err
    assert "NOT PRETRAINED" in repr(loaded) and not loaded.has_random_weights
    assert main(["info", str(tmp_path / "random")]) == 0

    for change in ("load_state_dict", "train"):
        other = EEGPT(SMALL)
        if change == "load_state_dict":  # a plain dict: of weights of unknown origin
            other.load_state_dict(dict(EEGPT(SMALL).state_dict()))
        else:
            optimizer = torch.optim.SGD(other.parameters(), lr=0.1)
            other.encode(torch.randn(2, 3, 256), torch.tensor([0, 1, 2])).sum().backward()
            optimizer.step()
        assert not other.has_random_weights and "random" not in repr(other)
        save_checkpoint(other, tmp_path / change)
        assert "pretrained" not in load_checkpoint(tmp_path / change).metadata["notes"], change
    # a checkpoint of random weights saved by eegpt before the mark: info says it lacks it
    config = tmp_path / "random" / "config.json"
    record = json.loads(config.read_text())
    del record["eegpt"]["notes"]["pretrained"]
    config.write_text(json.dumps(record))
    old = load_checkpoint(tmp_path / "random")
    if "pretrained" in old.metadata["notes"]:  # its weights file's header keeps a copy
        old = dataclasses.replace(old, metadata={**old.metadata, "notes": {}})
    text = describe(old)
    assert "  pretrained:  not recorded (saved by an older eegpt" in text
    assert "NO - the encoder started from random weights" not in text


def test_an_original_downstream_checkpoint_keeps_its_projection_and_head(tmp_path):
    """The original BCI-IV-2a / TUAB scripts save their channel projection and probe as
    chan_conv / linear_probe1 / linear_probe2 beside target_encoder: they load as the model's
    chan_proj and final_layer (not set aside), and the logits equal the scripts' forward pass
    (max-norm weights, 1x1 conv, encoder over the 19 electrodes, the two probe layers)."""
    import torch.nn.functional as F

    from eegpt.channels import CHANNEL_INDEX
    from eegpt.checkpoints import PROBE_19_CHANNELS

    torch.manual_seed(3)
    enc = EEGPTEncoder(SMALL)
    n_in, n_patches = 22, 1024 // 64
    conv_w, conv_b = torch.randn(19, n_in, 1), torch.randn(19)
    p1_w, p1_b = torch.randn(16, 4 * 64) * 0.05, torch.randn(16)
    p2_w, p2_b = torch.randn(4, 16 * n_patches) * 0.1, torch.randn(4)
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    state.update({
        "chan_conv.weight": conv_w, "chan_conv.bias": conv_b,
        "linear_probe1.weight": p1_w, "linear_probe1.bias": p1_b,
        "linear_probe2.weight": p2_w, "linear_probe2.bias": p2_b,
    })  # fmt: skip
    path = tmp_path / "bcic2a.ckpt"
    torch.save({"state_dict": state, "pytorch-lightning_version": "1.9.5"}, path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # nothing set aside ("ignoring ...")
        ckpt = load_checkpoint(path, num_heads=4, patch_stride=64)
    assert ckpt.chan_proj == (22, 19) and ckpt.n_outputs == 4 and ckpt.n_times == 1024
    assert ckpt.ch_names == PROBE_19_CHANNELS and not ckpt.ignored_keys
    assert "assumed, not recorded in the file" in describe(ckpt)
    model = load_model(path, num_heads=4, patch_stride=64)
    x = torch.randn(2, n_in, 1024)
    with torch.no_grad():
        got = model(x)
        w = torch.renorm(conv_w, 2, 0, 1.0)  # the scripts' forward, by hand
        z = enc.eval()(
            F.conv1d(x, w, conv_b), torch.tensor([CHANNEL_INDEX[c] for c in PROBE_19_CHANNELS])
        )
        h = F.linear(z.flatten(2), torch.renorm(p1_w, 2, 0, 1.0), p1_b)
        want = F.linear(h.flatten(1), torch.renorm(p2_w, 2, 0, 0.25), p2_b)
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
    plain = tmp_path / "bcic2a.pt"  # a bare state dict with the same names: the same
    torch.save(state, plain)
    assert load_checkpoint(plain, num_heads=4, patch_stride=64).chan_proj == (22, 19)


def test_weights_without_a_place_name_the_call_that_loads_the_rest(tmp_path):
    """The error for weights the model has no place for names a call that exists."""
    from eegpt.checkpoints import build_model
    from eegpt.errors import CheckpointError

    enc = EEGPTEncoder(SMALL)
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    state["my_head.weight"] = torch.randn(3, 3)
    path = tmp_path / "extra.pt"
    torch.save(state, path)
    with pytest.raises(CheckpointError, match=r"no place for: \['my_head.weight'\]\. To load the "
                       r"rest anyway: eegpt.checkpoints.build_model\(eegpt.load_checkpoint"):  # fmt: skip
        load_model(path, num_heads=4)
    with pytest.warns(UserWarning, match="ignoring them"):
        model = build_model(load_checkpoint(path, num_heads=4), strict=False)
    assert model.final_layer is None


def test_assumed_values_stay_marked_after_a_conversion(tmp_path):
    """num_heads / patch_stride a file did not record, and the encoder channels behind an
    original probe's projection, are still guesses in the converted folder: eegpt info says
    so there too, and a model saved again carries the marks on."""
    enc = EEGPTEncoder(SMALL)
    state = {f"target_encoder.{k}": v for k, v in enc.state_dict().items()}
    state.update({"chan_conv.weight": torch.randn(19, 22, 1), "chan_conv.bias": torch.zeros(19),
                  "linear_probe1.weight": torch.randn(16, 256) * 0.05,
                  "linear_probe1.bias": torch.zeros(16),
                  "linear_probe2.weight": torch.randn(4, 256) * 0.1,
                  "linear_probe2.bias": torch.zeros(4)})  # fmt: skip
    path = tmp_path / "downstream.pt"
    torch.save(state, path)
    with pytest.warns(RuntimeWarning, match="does not record num_heads"):  # said when read
        original = load_checkpoint(path)
    assert original.metadata["assumed"] == ["num_heads", "patch_stride"]
    folder = save_checkpoint(original, tmp_path / "converted")
    converted = load_checkpoint(folder)
    text = describe(converted)
    assert "assumed:     num_heads, patch_stride (not recorded in the file it was converted" in text
    assert "(assumed, not recorded in the file: the original probe scripts' 19" in text
    again = load_checkpoint(save_checkpoint(load_model(folder), tmp_path / "again"))
    assert again.metadata["assumed"] == ["num_heads", "patch_stride"]
    assert again.metadata.get("assumed_channels")


def test_why_a_stride_was_assumed_outlives_a_conversion(tmp_path, capsys):
    """A bare braindecode state dict's unrecorded stride is assumed to be braindecode's
    default (32), and said so; once converted, the folder kept only that patch_stride was
    assumed, so loading it said the stride was the patch size (64, wrong) and eegpt info
    gave no reason. The reason is kept in the folder (eegpt section's assumed_basis), said
    on loading, by eegpt info and in checkpoint_info, and carried on by a model saved again;
    a stride given when loading the folder is no longer assumed."""
    from eegpt.cli import main

    torch.manual_seed(21)
    bd = make_braindecode(
        6, 1024, stride=32, n_outputs=None, chan_proj_type="none", return_encoder_output=True
    )
    path = tmp_path / "bd.pt"
    torch.save(bd.state_dict(), path)
    with pytest.warns(RuntimeWarning, match="braindecode's default, a guess: the file holds"):
        original = load_checkpoint(path, num_heads=4)
    assert original.metadata["assumed_basis"] == {"patch_stride": "braindecode_default"}
    folder = save_checkpoint(original, tmp_path / "converted")
    section = json.loads((folder / "config.json").read_text())["eegpt"]
    assert section["assumed"] == ["patch_stride"]
    assert section["assumed_basis"] == {"patch_stride": "braindecode_default"}
    with pytest.warns(RuntimeWarning) as caught:
        converted = load_checkpoint(folder)
    said = " ".join(str(w.message) for w in caught)
    assert (
        "assuming patch_stride=32 (patch_stride: braindecode's default, a guess: the file " in said
    )
    assert "it was converted from held the chans_id buffer of braindecode's layout" in said
    assert "the patch size" not in said
    assert "stride=32 (assumed: braindecode's default)" in describe(converted)
    with pytest.warns(RuntimeWarning, match="braindecode's default"):
        assert main(["info", str(folder)]) == 0
    assert "stride=32 (assumed: braindecode's default)" in capsys.readouterr().out
    with pytest.warns(RuntimeWarning, match="braindecode's default"):
        model = load_model(folder)
    assert model.checkpoint_info["assumed_basis"] == {"patch_stride": "braindecode_default"}
    with pytest.warns(RuntimeWarning, match="braindecode's default"):
        again = load_checkpoint(save_checkpoint(model, tmp_path / "again"))
    assert again.metadata["assumed_basis"] == {"patch_stride": "braindecode_default"}
    # the stride given when loading the folder: recorded as given, nothing assumed or said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given = load_checkpoint(folder, patch_stride=32)
    assert given.metadata["assumed"] == [] and "assumed_basis" not in given.metadata
    assert "(assumed" not in describe(given)
    # a folder converted before the reason was recorded: not said to be the patch size
    del section["assumed_basis"]
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "eegpt": section}))
    with pytest.warns(RuntimeWarning, match="why is not recorded") as caught:
        load_checkpoint(folder)
    assert "the patch size" not in " ".join(str(w.message) for w in caught)
    # a state dict of no braindecode model: the patch size, said so after a conversion too
    torch.save(small_state(), tmp_path / "plain.pt")
    with pytest.warns(RuntimeWarning, match="patch_stride: the patch size"):
        plain = load_checkpoint(tmp_path / "plain.pt", num_heads=4)
    assert plain.metadata["assumed_basis"] == {"patch_stride": "patch_size"}
    with pytest.warns(RuntimeWarning, match="patch_stride: the patch size"):
        load_checkpoint(save_checkpoint(plain, tmp_path / "plain"))


def test_assumed_channels_behind_a_downstream_projection_are_warned_of_once_and_settable(
    tmp_path,
):
    """A fine-tune of the original downstream scripts (22 -> 19 chan_conv) does not record the
    encoder channels behind its projection: loading it warns, once, that the standard 19 are
    assumed, naming them and how to give the right ones; once given, they are recorded."""
    torch.manual_seed(0)
    state = {
        **small_state(),
        "chan_conv.weight": torch.randn(19, 22, 1) * 0.2,
        "chan_conv.bias": torch.zeros(19),
    }
    path = tmp_path / "ft_22to19.pt"
    torch.save(state, path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = load_model(path, num_heads=4, patch_stride=64)
    said = [str(w.message) for w in caught if "channel projection (22 -> 19)" in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in caught]
    assert f"assuming their standard 19, {', '.join(PROBE_19_CHANNELS)}" in said[0]
    assert "logits are wrong without an error" in said[0]
    assert ".with_encoder_channels([...])" in said[0]
    assert model.checkpoint_info["assumed_channels"] is True

    mine = list(reversed(PROBE_19_CHANNELS))  # the training script's order
    with pytest.warns(RuntimeWarning, match="channel projection"):
        ckpt = load_checkpoint(path, num_heads=4, patch_stride=64).with_encoder_channels(mine)
    assert ckpt.ch_names == tuple(mine) and "assumed_channels" not in ckpt.metadata
    assert ckpt.chan_ids == tuple(CHANNEL_DICT[n] for n in mine)
    folder = save_checkpoint(ckpt, tmp_path / "ft")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = load_model(folder)
    assert again.checkpoint_info["ch_names"] == tuple(mine)
    assert "assumed_channels" not in again.checkpoint_info
    assert (again.chan_ids.tolist()) == [CHANNEL_DICT[n] for n in mine]
    with pytest.raises(ValueError, match="takes 19 channels here, but 2 names"):
        ckpt.with_encoder_channels(["FP1", "FP2"])
    with pytest.raises(ValueError, match=r"\['XYZ'\] are not in EEGPT's vocabulary"):
        ckpt.with_encoder_channels([*mine[:18], "XYZ"])


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_weights_are_said_upcast_and_recorded(dtype, tmp_path, capsys):
    """Weights stored in float16/bfloat16 run in float32: the load line says so, the
    checkpoint, checkpoint_info and embeddings' metadata["checkpoint"] record the stored
    dtype, eegpt info of the checkpoint and of the embeddings shows it, and eegpt convert
    notes that it writes float32."""
    from eegpt.cli import main

    name = str(dtype).removeprefix("torch.")
    path = tmp_path / "half.pt"
    torch.save({k: v.to(dtype) for k, v in small_state().items()}, path)
    ckpt = load_checkpoint(path, num_heads=4, patch_stride=64, verbose=True)
    assert f"stored as {name}, upcast to float32 when loaded" in capsys.readouterr().err
    assert ckpt.metadata["stored_dtype"] == name
    assert f"weights:     stored as {name}, upcast to float32" in describe(ckpt)
    model = load_model(path, num_heads=4, patch_stride=64, verbose=False)
    assert model.checkpoint_info["stored_dtype"] == name
    x = np.random.default_rng(0).standard_normal((3, 1024)) * 1e-5
    emb = model.embed(x, ch_names=["FP1", "CZ", "O2"], sfreq=256.0, device="cpu", verbose=False)
    assert emb.metadata["checkpoint"]["stored_dtype"] == name
    emb.save(tmp_path / "emb.npz")
    assert main(["info", str(tmp_path / "emb.npz")]) == 0
    assert f"weights stored as {name} (run in float32)" in capsys.readouterr().out
    with pytest.warns(RuntimeWarning, match="does not record"):
        assert main(["convert", str(path), str(tmp_path / "converted")]) == 0
    assert f"the source stores its weights as {name}; " in capsys.readouterr().err
    assert (
        load_file(tmp_path / "converted" / "model.safetensors")[
            "target_encoder.summary_token"
        ].dtype
        == torch.float32
    )
    # float32 weights: nothing recorded or said
    torch.save(small_state(), tmp_path / "full.pt")
    plain = load_checkpoint(tmp_path / "full.pt", num_heads=4, patch_stride=64, verbose=True)
    assert "stored_dtype" not in plain.metadata and "upcast" not in capsys.readouterr().err
    assert "stored as" not in describe(plain)


def _pretraining_file(path: Path, encoder: EEGPTEncoder, *, groups: bool) -> None:
    """A Lightning file around ``encoder`` (``target_encoder.*``), with one weight of each
    pretraining group of the authors' code (``encoder``, ``predictor``, ``reconstructor``) if
    ``groups``; its hyper-parameters record nothing about the encoder."""
    state = {f"target_encoder.{k}": v for k, v in encoder.state_dict().items()}
    if groups:
        for group in ("encoder", "predictor", "reconstructor"):
            state[f"{group}.summary_token"] = torch.zeros(1, 4, 512)
    torch.save({"epoch": 199, "state_dict": state, "hyper_parameters": {"lr": 1e-3}}, path)


def test_only_the_released_shape_loads_without_the_assumed_values_said(tmp_path):
    """The authors' file (large shape, pretraining groups) loads silently with 8 heads; any
    other width-512 Lightning file without a head -- here the user's own depth-2, 16-head
    encoder, 0.16 relative off with 8 heads -- warns that num_heads/patch_stride were assumed
    and how to give them (it loaded silently)."""
    torch.manual_seed(11)
    released = tmp_path / "eegpt_mcae_58chs_4s_large4E.ckpt"
    _pretraining_file(released, EEGPTEncoder("large"), groups=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ckpt = load_checkpoint(released)
    assert ckpt.config.num_heads == 8 and ckpt.config.stride == 64
    assert ckpt.metadata["assumed"] == ["num_heads", "patch_stride"]

    true = EEGPTConfig(embed_dim=512, depth=2, num_heads=16, embed_num=4)
    enc = EEGPTEncoder(true).eval()
    with torch.no_grad():
        for p in enc.parameters():
            p.add_(0.05 * torch.randn_like(p))
    mine = tmp_path / "mine.ckpt"
    _pretraining_file(mine, enc, groups=True)
    with pytest.warns(RuntimeWarning) as caught:
        guessed = load_checkpoint(mine)
    said = " ".join(str(w.message) for w in caught)
    assert "does not record num_heads or patch_stride" in said
    assert "not shaped like the authors' released checkpoint" in said
    assert "eegpt.load_model(path, num_heads=8, patch_stride=64)" in said
    ids = torch.tensor([CHANNEL_DICT[c] for c in ("FP1", "CZ", "O2", "PZ")])
    x = torch.randn(2, 4, 512)
    with torch.no_grad():
        want = enc(x, ids)
        assert rel_err(build_model(guessed)(x, ids), want) > 1e-2
        given = load_checkpoint(mine, num_heads=16, patch_stride=64)
        assert rel_err(build_model(given)(x, ids), want) <= 1e-5

    # the released shape, but only target_encoder.* (a user's export): said too
    export = tmp_path / "export.ckpt"
    _pretraining_file(export, EEGPTEncoder("large"), groups=False)
    with pytest.warns(RuntimeWarning, match="does not record num_heads or patch_stride"):
        load_checkpoint(export)


def _braindecode_folder(folder: Path, names: list[str]) -> None:
    """``save_pretrained`` of a small braindecode EEGPT encoder with channels ``names``."""
    torch.manual_seed(2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # braindecode's own warnings (unknown names, montage)
        bd = braindecode_models.EEGPT(
            n_chans=len(names), n_times=512, chs_info=[{"ch_name": n} for n in names],
            patch_size=64, patch_stride=64, embed_dim=64, depth=2, num_heads=4,
            chan_proj_type="none", return_encoder_output=True,
        )  # fmt: skip
    bd.save_pretrained(folder)


def test_stored_channel_ids_other_than_the_names_ids_are_warned_about(tmp_path):
    """braindecode gives names it cannot map (old T3/T5) positional ids; model(x) uses those
    (as braindecode does) and model.embed(ch_names=...) the names' (T7/P7): 0.5 apart, and
    loaded without a word. Now the load names the channels and both ids."""
    names = ["C3", "T3", "T5", "CZ"]
    _braindecode_folder(tmp_path / "old", names)
    with pytest.warns(RuntimeWarning, match="disagree with the recorded channel names") as got:
        model = load_model(tmp_path / "old")
    said = " ".join(str(w.message) for w in got)
    assert "T3: stored 1 (FPZ), by name 25 (T7)" in said
    assert "T5: stored 2 (FP2), by name 43 (P7)" in said
    assert "model(x)" in said and "model.embed(..., ch_names=...)" in said
    assert model.chan_ids.tolist() == [CHANNEL_DICT["C3"], 1, 2, CHANNEL_DICT["CZ"]]

    _braindecode_folder(tmp_path / "new", ["C3", "T7", "P7", "CZ"])  # names that map alike
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_model(tmp_path / "new", verbose=False)


# --------------------------------------------------------------------------------------------
# Whether a loaded model still holds its file's weights (modified_weights)
# --------------------------------------------------------------------------------------------


def _fresh(weights):
    from eegpt.checkpoints import load_model

    return load_model(weights, verbose=False)


def test_loaded_weights_kept_through_moves_modes_and_engines(weights):
    """What leaves the values alone is no change: no false 'weights modified'."""
    import copy

    from eegpt.checkpoints import modified_weights
    from eegpt.engine import InferenceEngine

    model = _fresh(weights)
    assert modified_weights(model) is None
    model.to("cpu").eval().float()
    model.train().eval()
    model.requires_grad_(False).requires_grad_(True)
    model.load_state_dict(model.state_dict())  # the same values again (bumps the counters)
    for precision in ("float32", "bfloat16"):
        engine = InferenceEngine(model.target_encoder, "cpu", precision=precision)
        engine.encode(np.zeros((2, 3, 1024), np.float32), [0, 1, 2], progress=False)
    torch.compile(model)
    assert modified_weights(model) is None
    assert modified_weights(copy.deepcopy(model)) is None
    assert "checkpoint='small'" in repr(model) and "modified" not in repr(model)


def test_load_state_dict_of_other_weights_is_seen(weights):
    from eegpt.checkpoints import encoder_fingerprint, modified_weights

    model = _fresh(weights)
    loaded = encoder_fingerprint(model)
    other = EEGPT(model.config)
    model.load_state_dict(other.state_dict())
    assert modified_weights(model) == encoder_fingerprint(other) != loaded
    assert "checkpoint='small'" not in repr(model)
    assert "loaded_from='small', weights modified" in repr(model)


@pytest.mark.parametrize("how", ["foreach", "fused", "no_grad"])
def test_training_a_loaded_model_is_seen(weights, how):
    """Optimizer steps (fused ones do not bump the tensors' counters) and in-place edits."""
    from eegpt.checkpoints import modified_weights

    model = _fresh(weights)
    if how == "no_grad":
        with torch.no_grad():
            model.target_encoder.summary_token.add_(0.5)
    else:
        opt = torch.optim.AdamW(model.target_encoder.parameters(), lr=1e-2, fused=how == "fused")
        model.train()
        model.target_encoder(torch.randn(2, 3, 1024), torch.arange(3)).square().sum().backward()
        opt.step()
        model.eval()
    assert modified_weights(model) is not None


def test_p_data_writes_in_training_mode_are_seen_after_eval(weights):
    """Writes through ``p.data`` in training mode (an EMA teacher's), which no change counter
    sees, left the fingerprint noted before in eval mode in the outputs' record after
    ``model.eval()``: a model made in memory recorded its old weights' fingerprint and a loaded
    one its file's. Going back to eval mode now has the weights hashed again (once)."""
    from eegpt.api import checkpoint_record
    from eegpt.checkpoints import encoder_fingerprint, modified_weights

    torch.manual_seed(0)
    for model in (EEGPT(SMALL).eval(), _fresh(weights)):
        before = checkpoint_record(model)["weights_sha256"]
        assert before == encoder_fingerprint(model)
        model.train()
        with torch.no_grad():
            for p in model.target_encoder.parameters():
                p.data.mul_(0.5)  # what an EMA teacher's update does
        model.eval()
        record = checkpoint_record(model)
        assert record["weights_sha256"] == encoder_fingerprint(model) != before
        if getattr(model, "_loaded_weights", None) is not None:
            assert record["weights_modified"] and record["sha256"] is None
            assert modified_weights(model) == record["weights_sha256"]
        model.train().eval()  # no write: the same fingerprint, hashed once more
        assert checkpoint_record(model)["weights_sha256"] == record["weights_sha256"]


def test_load_model_hashes_the_weights_read_not_those_on_the_device(weights, monkeypatch):
    """The fingerprint of the loaded weights is taken of the tensors read (on the host), before
    the model moves to its device: no device-to-host copy of every weight at each load. A
    model on another device (here "meta", which cannot be copied back at all) is loaded, and
    its noted fingerprint is that of the file's weights."""
    import eegpt.checkpoints as checkpoints
    import eegpt.fingerprints as fingerprints

    hashed: list[set[str]] = []
    hash_tensors = fingerprints._hash_tensors

    def spy(h, state):
        hashed.append({t.device.type for t in state.values()})
        return hash_tensors(h, state)

    monkeypatch.setattr(fingerprints, "_hash_tensors", spy)
    import eegpt.engine

    resolve = eegpt.engine.resolve_device  # which refuses "meta" (no device eegpt runs on)
    monkeypatch.setattr(
        eegpt.engine,
        "resolve_device",
        lambda d: torch.device("meta") if d == "meta" else resolve(d),
    )
    model = checkpoints.load_model(weights, device="meta", verbose=False)
    assert next(model.parameters()).device.type == "meta"
    assert hashed == [{"cpu"}]
    on_cpu = checkpoints.load_model(weights, verbose=False)
    assert model._loaded_weights.fingerprint == checkpoints.encoder_fingerprint(on_cpu)
    assert checkpoints.modified_weights(model) is None  # noted as the weights after the move


def test_training_a_head_alone_keeps_the_encoder_weights(weights):
    """The record is of the encoder (what embeddings come from): a head's steps leave it."""
    from eegpt.checkpoints import modified_weights

    model = _fresh(weights)
    head = torch.nn.Linear(64, 2)
    opt = torch.optim.AdamW(head.parameters(), lr=1e-2, fused=True)
    head(torch.randn(4, 64)).sum().backward()
    opt.step()
    assert modified_weights(model) is None


def _edited_folder(tmp_path, edit):
    """A saved small checkpoint's folder with its config.json edited by ``edit(cfg)``."""
    torch.manual_seed(0)
    folder = tmp_path / "edited"
    save_checkpoint(EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=1)), folder)
    cfg = json.loads((folder / "config.json").read_text())
    edit(cfg)
    (folder / "config.json").write_text(json.dumps(cfg))
    return folder


@pytest.mark.parametrize("section", ["eegpt", "braindecode"])
def test_a_config_mlp_ratio_that_contradicts_the_weights_is_warned_of(tmp_path, section):
    """A config.json whose mlp_ratio (in its eegpt or its braindecode section) builds another
    MLP width than the weights' loads with the weights' ratio, with a warning naming the key,
    its value and the weights' width (it loaded in silence)."""

    def edit(cfg):
        (cfg["eegpt"]["config"] if section == "eegpt" else cfg)["mlp_ratio"] = 2.0

    folder = _edited_folder(tmp_path, edit)
    with pytest.warns(UserWarning, match=r"says mlp_ratio=2\.0.*MLP is 256 units wide"):
        ckpt = load_checkpoint(folder)
    assert ckpt.config.mlp_hidden == 256


@pytest.mark.parametrize(("key", "value"), [("embed_dim", 512), ("depth", 8)])
def test_a_braindecode_section_of_other_weights_is_refused(tmp_path, key, value):
    """A config.json whose braindecode section says an embed_dim or depth the weights (and its
    eegpt section) do not have is refused, naming the key and both values (the eegpt section's
    were used in silence)."""
    folder = _edited_folder(tmp_path, lambda cfg: cfg.update({key: value}))
    with pytest.raises(CheckpointError, match=rf"says {key}={value} in its braindecode section"):
        load_checkpoint(folder)


def test_weights_trained_after_loading_are_saved_as_derived_from_the_file(tmp_path, capsys):
    """Weights loaded from a file, trained in a loop of one's own, then saved: the folder, its
    `eegpt info` and the embeddings of it said "converted from" that file (a copy of it), as
    if the weights were still its. They are recorded as modified from it: its path, format,
    SHA-256 and the encoder fingerprint of the weights loaded, with notes["modified"]; weights
    saved unchanged still say converted from."""
    from eegpt.cli import main
    from eegpt.fingerprints import encoder_fingerprint

    torch.manual_seed(8)
    torch.save(EEGPT(SMALL).state_dict(), tmp_path / "state.pt")
    loaded = load_model(tmp_path / "state.pt", num_heads=4, patch_stride=64)
    base_fingerprint, base_sha = encoder_fingerprint(loaded), loaded.checkpoint_info["sha256"]
    save_checkpoint(loaded, tmp_path / "copy")  # unchanged: a conversion
    assert "converted from: state.pt" in describe(load_checkpoint(tmp_path / "copy"))

    optimizer = torch.optim.AdamW(loaded.parameters(), lr=1e-3)
    loaded.encode(torch.randn(2, 3, 256), torch.tensor([0, 1, 2])).pow(2).mean().backward()
    optimizer.step()
    save_checkpoint(loaded, tmp_path / "tuned")
    section = json.loads((tmp_path / "tuned" / "config.json").read_text())["eegpt"]
    assert section["source"] == {
        "file": str(tmp_path / "state.pt"),
        "format": "state_dict",
        "sha256": base_sha,
        "weights_sha256": base_fingerprint,
    }
    assert "derived from it" in section["notes"]["modified"]
    text = describe(load_checkpoint(tmp_path / "tuned"))
    assert "converted from" not in text
    assert f"modified from: {tmp_path / 'state.pt'} (state_dict, sha256 {base_sha}" in text
    assert f"encoder fingerprint {base_fingerprint})" in text
    assert main(["info", str(tmp_path / "tuned")]) == 0
    assert "modified from" in capsys.readouterr().out
    tuned = load_model(tmp_path / "tuned")
    assert tuned.checkpoint_info["notes"]["modified"] == section["notes"]["modified"]
    assert encoder_fingerprint(tuned) != base_fingerprint


def test_weights_edited_through_p_data_after_loading_are_saved_as_modified(tmp_path):
    """An edit through ``p.data`` (in eval mode) changes no change counter: save_checkpoint
    recorded such weights as "converted from" the file loaded, a copy of it. Saving hashes the
    encoder weights, so they are recorded as modified from it; the edit undone, converted
    again."""
    from eegpt.fingerprints import encoder_fingerprint

    torch.manual_seed(8)
    torch.save(EEGPT(SMALL).state_dict(), tmp_path / "state.pt")
    loaded = load_model(tmp_path / "state.pt", num_heads=4, patch_stride=64)
    weight = loaded.target_encoder.blocks[0].attn.qkv.weight
    original = weight.detach().clone()
    weight.data.mul_(2.0)
    save_checkpoint(loaded, tmp_path / "edited")
    text = describe(load_checkpoint(tmp_path / "edited"))
    assert "converted from" not in text and "modified from:" in text
    assert encoder_fingerprint(load_model(tmp_path / "edited")) == encoder_fingerprint(loaded)
    weight.data.copy_(original)
    save_checkpoint(loaded, tmp_path / "undone")
    assert "converted from: state.pt" in describe(load_checkpoint(tmp_path / "undone"))


def test_a_probe_head_trained_after_loading_is_saved_as_modified(tmp_path):
    """Weights with a probe head loaded from a file, the head alone trained (the encoder
    frozen), then saved: the record said "converted from" the file, though the saved head
    (its logits) was no longer the file's; only the encoder's weights were compared. The
    head and channel projection are compared too: "modified from"; saved untrained, still
    "converted from"."""
    torch.manual_seed(3)
    torch.save(EEGPT(SMALL, n_outputs=2, n_times=256).state_dict(), tmp_path / "headed.pt")
    model = load_model(tmp_path / "headed.pt", num_heads=4, patch_stride=64)
    save_checkpoint(model, tmp_path / "copy")
    assert "converted from: headed.pt" in describe(load_checkpoint(tmp_path / "copy"))
    optimizer = torch.optim.SGD(model.final_layer.parameters(), lr=1.0)
    model(torch.randn(2, 3, 256), torch.tensor([0, 1, 2])).sum().backward()
    optimizer.step()
    save_checkpoint(model, tmp_path / "tuned")
    text = describe(load_checkpoint(tmp_path / "tuned"))
    assert "converted from" not in text and "modified from:" in text


def test_a_pretrained_state_dict_loaded_over_a_not_pretrained_file_is_not_marked(tmp_path):
    """load_model of a checkpoint marked NOT pretrained, then load_state_dict of an unmarked
    (pretrained) model's state dict: the file's note kept the model NOT PRETRAINED (repr,
    saved checkpoint, embeddings' record) though none of its weights were left. A state dict
    replacing every encoder weight replaces the note by its own mark; a partial one keeps it."""
    torch.manual_seed(9)
    save_checkpoint(EEGPT(SMALL), tmp_path / "random")
    pretrained = EEGPT(SMALL)
    pretrained.load_state_dict({k: v + 0.01 for k, v in EEGPT(SMALL).state_dict().items()})
    assert not pretrained.not_pretrained
    model = load_model(tmp_path / "random")
    partial = OrderedDict((k, v) for k, v in pretrained.state_dict().items() if "blocks.0" in k)
    model.load_state_dict(partial, strict=False)
    assert model.not_pretrained and "NOT PRETRAINED" in repr(model)

    model.load_state_dict(pretrained.state_dict())
    assert not model.not_pretrained and "NOT PRETRAINED" not in repr(model)
    assert "pretrained" not in model.checkpoint_info["notes"]
    save_checkpoint(model, tmp_path / "copied")
    assert "pretrained" not in load_checkpoint(tmp_path / "copied").metadata["notes"]
    model.load_state_dict(load_model(tmp_path / "random").state_dict())  # marked: NOT again
    assert model.checkpoint_info["notes"]["pretrained"] is False and model.not_pretrained


def test_a_random_model_copied_by_load_state_dict_stays_not_pretrained(tmp_path):
    """EEGPT(base.config, n_outputs=2, ...).load_state_dict(base.state_dict(), strict=False)
    of a random base (built so, or loaded from a checkpoint marked NOT pretrained) lost the
    mark: the copy was saved as if pretrained ("pretrained: not recorded"). The state dict
    carries it in its _metadata (its keys unchanged; torch.save keeps it), so the copy, its
    repr, the checkpoint saved and a probe's encoder record say not pretrained; a pretrained
    (unmarked) state dict loaded over it clears it."""
    from eegpt.probe_encoder import encoder_reference

    torch.manual_seed(9)
    base = EEGPT(SMALL)
    save_checkpoint(base, tmp_path / "random")
    loaded = load_model(tmp_path / "random")
    for source in (base, loaded, base.target_encoder):
        state = source.state_dict()
        assert set(state) == {k for k, _ in source.named_parameters()} | {
            k for k, b in source.named_buffers() if k != "chan_ids"
        }
        copy = EEGPT(SMALL, n_outputs=2, n_times=256)
        target = copy.target_encoder if source is base.target_encoder else copy
        target.load_state_dict(state, strict=target is not copy)
        assert not copy.has_random_weights and copy.not_pretrained
        assert "NOT PRETRAINED" in repr(copy)
        assert encoder_reference(copy)["pretrained"] is False
        save_checkpoint(copy, tmp_path / "copy", overwrite=True)
        assert load_checkpoint(tmp_path / "copy").metadata["notes"]["pretrained"] is False
    torch.save(base.state_dict(), tmp_path / "state.pt")  # the mark survives a file
    copy = EEGPT(SMALL)
    copy.load_state_dict(torch.load(tmp_path / "state.pt"))
    assert copy.not_pretrained
    from_file = load_model(tmp_path / "state.pt", num_heads=4, patch_stride=64)
    assert from_file.checkpoint_info["notes"] == {"pretrained": False}
    assert "NOT PRETRAINED" in repr(from_file)
    torch.save(dict(base.state_dict()), tmp_path / "plain.pt")  # no _metadata: unknown
    assert (
        load_model(tmp_path / "plain.pt", num_heads=4, patch_stride=64).checkpoint_info["notes"]
        == {}
    )
    # trained since: still not pretrained; a pretrained state dict loaded over it: no mark
    torch.optim.SGD(copy.parameters(), lr=0.1).step()
    assert copy.not_pretrained
    copy.load_state_dict(dict(base.state_dict()))
    assert not copy.not_pretrained and "NOT PRETRAINED" not in repr(copy)


class _LoRA(torch.nn.Module):
    """A LoRA adapter around a linear layer, as a user writes one (base, A, B)."""

    def __init__(self, base: torch.nn.Linear, r: int = 2) -> None:
        super().__init__()
        self.base = base
        self.A = torch.nn.Parameter(torch.randn(r, base.in_features) * 0.01)
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, r))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + x @ self.A.T @ self.B.T


def test_a_model_with_a_wrapped_layer_is_refused_at_save_and_its_weights_named_at_load(tmp_path):
    """A model whose blocks' attn.qkv were wrapped by a LoRA adapter was saved as a folder
    load_model could not read, and the load error blamed qkv_bias alone. Saving is refused,
    naming the weights an EEGPT model has no place for and those it lacks, with how to merge
    the adapter; nothing is written. A folder of such weights written anyway (an older eegpt)
    fails to load with an error naming them too."""
    from eegpt.checkpoint_config import BLOCK_WEIGHTS

    block = {
        k.split(".", 2)[2] for k in EEGPTEncoder(SMALL).state_dict() if k.startswith("blocks.")
    }
    assert block == BLOCK_WEIGHTS  # the names the load error compares with
    torch.manual_seed(10)
    model = EEGPT(SMALL).eval()
    plain = model.state_dict()
    for b in model.target_encoder.blocks:
        b.attn.qkv = _LoRA(b.attn.qkv)
    with pytest.raises(CheckpointError) as err:
        save_checkpoint(model, tmp_path / "lora")
    said = str(err.value)
    assert "no place for: target_encoder.blocks.0.attn.qkv.A" in said
    assert "lacks 4 of an EEGPT model's: target_encoder.blocks.0.attn.qkv.bias" in said
    assert "merge_and_unload" in said and not (tmp_path / "lora").exists()

    save_checkpoint(EEGPT(SMALL), tmp_path / "old")  # a folder an older eegpt wrote so
    save_file(dict(model.state_dict()), tmp_path / "old" / "model.safetensors")
    with pytest.raises(CheckpointError) as err:
        load_model(tmp_path / "old")
    said = str(err.value)
    assert "qkv_bias" in said and "target_encoder.blocks.0.attn.qkv.base.weight" in said
    assert "merge_and_unload" in said
    # the same weights merged back into plain layers save and load
    for i, b in enumerate(model.target_encoder.blocks):
        b.attn.qkv = b.attn.qkv.base
        assert torch.equal(b.attn.qkv.weight, plain[f"target_encoder.blocks.{i}.attn.qkv.weight"])
    load_model(save_checkpoint(model, tmp_path / "merged"))
