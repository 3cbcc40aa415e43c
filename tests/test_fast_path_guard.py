"""The fast path runs only where it computes the reference path's function: replaced or
wrapped modules, edited module settings and inference-tensor weights (whose changes nothing
sees) are never served stale or bypassing derived weights; the encoder's own input checks."""

from __future__ import annotations

import copy
import logging

import pytest
import torch
from torch import nn

from eegpt.config import EEGPTConfig
from eegpt.model import EEGPT, EEGPTEncoder


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def small_encoder() -> tuple[EEGPTEncoder, torch.Tensor, torch.Tensor]:
    """An encoder whose fast path uses every rewrite on CPU (low-rank first block: 2 * 64 <=
    128; absorbed last block), a batch ``[2, 5, 256]`` and its channel ids."""
    torch.manual_seed(0)
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=128, depth=3, num_heads=4, embed_num=2)).eval()
    return enc, torch.randn(2, 5, 256), torch.tensor([5, 3, 9, 1, 0])


def reference(enc: EEGPTEncoder, x: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """The reference path's output of a copy of ``enc`` (``enc`` and its cache untouched)."""
    ref = copy.deepcopy(enc)
    ref.fused = False
    with torch.no_grad():
        return ref(x, ids)


class LoraLinear(nn.Module):
    """The shape of peft's ``lora.Linear``: the base layer plus a low-rank update, with the
    base layer's ``weight``/``bias`` as properties (what a weight reader would find)."""

    def __init__(self, base: nn.Linear, rank: int = 4) -> None:
        super().__init__()
        self.base_layer = base
        self.lora_A = nn.Linear(base.in_features, rank, bias=False)
        self.lora_B = nn.Linear(rank, base.out_features, bias=False)
        nn.init.normal_(self.lora_B.weight, std=0.05)
        self.in_features, self.out_features = base.in_features, base.out_features

    @property
    def weight(self) -> torch.Tensor:
        return self.base_layer.weight

    @property
    def bias(self) -> torch.Tensor | None:
        return self.base_layer.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base_layer(x) + self.lora_B(self.lora_A(x))


def _lora(enc: EEGPTEncoder) -> None:
    for blk in enc.blocks:
        blk.attn.qkv = LoraLinear(blk.attn.qkv)
        blk.mlp.fc1 = LoraLinear(blk.mlp.fc1)


def _relu(enc: EEGPTEncoder) -> None:
    for blk in enc.blocks:
        blk.mlp.act = nn.ReLU()


def _gelu_tanh(enc: EEGPTEncoder) -> None:
    for blk in enc.blocks:
        blk.mlp.act.approximate = "tanh"  # an attribute edit after a first call, too


def _sequential_proj(enc: EEGPTEncoder) -> None:
    enc.blocks[1].attn.proj = nn.Sequential(enc.blocks[1].attn.proj, nn.Dropout(0.0))


def _identity_norm(enc: EEGPTEncoder) -> None:
    enc.norm = nn.Identity()


def _quantized(enc: EEGPTEncoder) -> None:
    for blk in enc.blocks:  # as torch.ao.quantization.quantize_dynamic(model, {nn.Linear})
        for parent in (blk.attn, blk.mlp):
            for name, child in list(parent.named_children()):
                if type(child) is nn.Linear:
                    setattr(parent, name, torch.ao.nn.quantized.dynamic.Linear.from_float(child))


def _qconfig(enc: EEGPTEncoder) -> None:
    for blk in enc.blocks:
        for module in (blk.attn.qkv, blk.attn.proj, blk.mlp.fc1, blk.mlp.fc2):
            module.qconfig = torch.ao.quantization.default_dynamic_qconfig


@pytest.mark.parametrize(
    "change",
    [_lora, _relu, _gelu_tanh, _sequential_proj, _identity_norm, _quantized],
    ids=["lora", "relu", "gelu-tanh", "sequential-proj", "identity-norm", "quantized"],
)
def test_a_replaced_or_wrapped_module_gets_the_reference_path(change, caplog):
    """The fast path reads qkv/fc1 weights and computes the exact GELU itself: a LoRA wrapper
    (2.6e-1 off), ReLU (5e-1), GELU(tanh) (1e-4) were silently bypassed, a quantized layer, a
    Sequential around proj or an Identity norm crashed. Each now runs the reference path,
    before and after a first (cached) call, and the reason is logged once."""
    enc, x, ids = small_encoder()
    with torch.no_grad():
        enc(x, ids)  # derived weights cached: the change comes after
    if change is _quantized:
        _qconfig(enc)
    change(enc)
    want = reference(enc, x, ids)
    with caplog.at_level(logging.INFO, logger="eegpt"), torch.no_grad():
        got = [enc(x, ids) for _ in range(2)]
    assert rel_err(got[0], want) <= 1e-6 and rel_err(got[1], want) <= 1e-6
    said = [r.getMessage() for r in caplog.records if "reference path" in r.getMessage()]
    assert len(said) == 1, said
    with pytest.raises(ValueError, match="fast path cannot compute"):
        enc.fast_plan(ids)  # asked for directly (an engine): refused, not wrong


def test_a_lora_adapter_trained_through_the_default_path_gets_gradients():
    """In training mode the fast path used the base weights only: the adapters got no gradient."""
    enc, x, ids = small_encoder()
    _lora(enc)
    enc.train()
    enc(x, ids).square().mean().backward()
    grad = enc.blocks[1].attn.qkv.lora_B.weight.grad
    assert grad is not None and grad.abs().max() > 0


def test_a_weight_normed_layer_stays_exact():
    """torch.nn.utils.parametrize (weight norm on fc1): the same function as the plain model."""
    enc, x, ids = small_encoder()
    with torch.no_grad():
        plain = enc(x, ids)
    for blk in enc.blocks:
        torch.nn.utils.parametrizations.weight_norm(blk.mlp.fc1)
    with torch.no_grad():
        assert rel_err(enc(x, ids), plain) <= 1e-5
    assert rel_err(reference(enc, x, ids), plain) <= 1e-5


def test_a_plain_model_takes_the_fast_path(monkeypatch):
    """The guard leaves eegpt's own modules on the fast path (in eval and training mode)."""
    from eegpt import fast_path

    enc, x, ids = small_encoder()
    model = EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4), chan_ids=[1, 2, 3]).eval()

    def no_reference(*args, **kwargs):
        raise AssertionError("the reference path ran")

    monkeypatch.setattr(EEGPTEncoder, "_forward_reference", no_reference)
    assert fast_path.unsupported_reason(enc) is None
    with torch.no_grad():
        enc(x, ids)
        model(torch.randn(1, 3, 256))
    enc.train()
    enc(x, ids).sum().backward()
    enc.eval()
    enc.norm = nn.LayerNorm(128, eps=1e-6)  # a new module of the class assumed: still fast
    with torch.no_grad():
        enc(x, ids)


def test_editing_layernorm_eps_after_a_first_call_derives_the_weights_again():
    """The derived summary-token qkv use norm1.eps: an eps edit left them stale (3.7e-1)."""
    enc, x, ids = small_encoder()
    with torch.no_grad():
        enc(x, ids)
        for m in enc.modules():
            if isinstance(m, nn.LayerNorm):
                m.eps = 1e-2
        assert rel_err(enc(x, ids), reference(enc, x, ids)) <= 1e-5


def test_editing_the_heads_of_the_last_block_derives_the_weights_again():
    """The absorbed last block's derived keys are split by num_heads/head_dim."""
    enc, x, ids = small_encoder()
    assert enc.fast_plan_options()[1]  # absorbed on CPU
    with torch.no_grad():
        enc(x, ids)
        enc.blocks[-1].attn.num_heads, enc.blocks[-1].attn.head_dim = 8, 16
        assert rel_err(enc(x, ids), reference(enc, x, ids)) <= 1e-5


def test_new_weights_loaded_under_inference_mode_are_used():
    """Inference tensors have no change counter: a model built, called and given new weights
    by load_state_dict under torch.inference_mode mixed the old derived weights with the new
    ones (1.3 off). Such a model's derived weights are not kept across calls."""
    cfg = EEGPTConfig(embed_dim=128, depth=2, num_heads=4, embed_num=2)
    torch.manual_seed(0)
    other = EEGPT(cfg).state_dict()
    x = torch.randn(2, 3, 256)
    with torch.inference_mode():
        model = EEGPT(cfg, chan_ids=[1, 2, 3]).eval()
        before = model(x)
        token = model.target_encoder.weights_token()
        model.load_state_dict(other)
        after = model(x)
        model.fused = False
        want = model(x)
    assert rel_err(after, before) > 1e-2
    assert rel_err(after, want) <= 1e-5
    assert model.target_encoder.weights_token() is not token


def test_the_encoder_refuses_fractional_channel_ids_and_another_dtype():
    """The encoder itself (model.target_encoder) cut float ids down to rows silently and gave
    torch's own words for float64 input; both now say what is wrong and what it needs."""
    enc, x, ids = small_encoder()
    with pytest.raises(ValueError, match="chan_ids must be integers .*not float32"):
        enc(x, ids.float() + 0.7)
    with pytest.raises(TypeError, match=r"x is torch.float64 but the encoder's weights are"):
        enc(x.double(), ids)
    with torch.autocast("cpu", dtype=torch.bfloat16):  # autocast casts for the layers: fine
        assert enc(x.bfloat16(), ids).shape == (2, 4, 2, 128)


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_an_engine_over_a_wrapped_model_runs_the_reference_path(precision):
    """An InferenceEngine (what model.embed runs) over a LoRA-wrapped encoder asked the fast
    path for a plan, which refuses (ValueError): it now takes the reference path, as calling
    the model does, and says it does not run the fast path."""
    from eegpt.engine import InferenceEngine

    enc, x, ids = small_encoder()
    _lora(enc)
    want = reference(enc, x, ids)
    engine = InferenceEngine(enc, "cpu", precision=precision, batch_size=2)
    assert not engine.runs_fast_path()
    got = torch.as_tensor(engine.encode(x.numpy(), ids.tolist()))
    assert rel_err(got.float(), want) <= (1e-6 if precision == "float32" else 3e-2)


def _conv_padding(enc: EEGPTEncoder) -> None:
    enc.patch_embed.proj.padding = (0, 8)


def _conv_dilation(enc: EEGPTEncoder) -> None:
    enc.patch_embed.proj.dilation = (1, 2)


def _fc1_forward_patched(enc: EEGPTEncoder) -> None:
    fc1 = enc.blocks[0].mlp.fc1
    plain = fc1.forward
    fc1.forward = lambda t: plain(t) + 1.0  # as hook and adapter libraries patch a layer


def _block_forward_patched(enc: EEGPTEncoder) -> None:
    blk = enc.blocks[1]
    plain = blk.forward
    blk.forward = lambda *a, **k: plain(*a, **k) * 0.5


def _more_summary_tokens(enc: EEGPTEncoder) -> None:
    enc.summary_token = nn.Parameter(torch.randn(1, 3, enc.config.embed_dim) * 0.02)


class _ScaledLinear(nn.Linear):
    """A Linear with the same weights whose output is doubled (what the fast path, reading
    the weights itself, would not see)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 2.0 * super().forward(x)


def _fc1_swapped_through_modules(enc: EEGPTEncoder) -> None:
    mlp = enc.blocks[0].mlp
    other = _ScaledLinear(mlp.fc1.in_features, mlp.fc1.out_features)
    other.load_state_dict(mlp.fc1.state_dict())
    mlp._modules["fc1"] = other  # no registration hook runs; as many children as before


@pytest.mark.parametrize(
    "change",
    [_conv_padding, _conv_dilation, _fc1_forward_patched, _block_forward_patched,
     _more_summary_tokens, _fc1_swapped_through_modules],
)  # fmt: skip
def test_an_edit_that_leaves_the_module_tree_gets_the_reference_path(change):
    """Edits after a first call that register no module: the patch convolution's padding
    (1.7 off) or dilation (a patch more), a forward replaced on an instance (3.7 off), more
    summary tokens (a crash) kept the fast path, whose check was kept per module tree; so did
    a child swapped through ``_modules`` (the tree's check counted children)."""
    enc, x, ids = small_encoder()
    with torch.no_grad():
        enc(x, ids)  # the check and derived weights cached: the edit comes after
    change(enc)
    want = reference(enc, x, ids)
    with torch.no_grad():
        got = enc(x, ids)
    assert got.shape == want.shape and rel_err(got, want) <= 1e-6
    with pytest.raises(ValueError, match="fast path cannot compute"):
        enc.fast_plan(ids)


def test_the_fast_path_imports_no_symbolic_algebra():
    """torch.broadcast_shapes's first call imports torch._refs and with it sympy (0.4 s of
    CPU, more than a small model's inference of a recording); the fast path's output buffer
    is shaped without it."""
    import subprocess
    import sys

    script = """
import sys
import torch
from eegpt.config import EEGPTConfig
from eegpt.model import EEGPTEncoder
enc = EEGPTEncoder(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=2)).eval()
with torch.no_grad():
    z = enc(torch.randn(3, 4, 256), torch.tensor([5, 3, 9, 1]))
assert z.shape[0] == 3 and enc.fused
print(sorted(m for m in ("sympy",) if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
