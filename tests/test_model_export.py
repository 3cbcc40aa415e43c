"""Graphs of the model recorded by torch.jit.trace and torch.export (the forms it is served
in from C++ or ONNX Runtime) give eager's numbers, at lengths other than the example's too."""

from __future__ import annotations

import warnings

import pytest
import torch

from eegpt.config import EEGPTConfig
from eegpt.model import EEGPT


@pytest.mark.parametrize("stride", [64, 48], ids=["stride64", "stride48"])
@pytest.mark.parametrize("how", ["jit.trace", "export"])
def test_a_graph_recorded_at_one_length_pads_other_lengths_as_eager(how, stride):
    """A graph recorded at 1024 samples with a dynamic time axis zero-pads the tail of other
    lengths to whole patches as eager does: the padding was a Python branch on the length,
    recorded as 'no padding', so 1000 samples gave 15 patches instead of 16 (silently).
    torch.export takes the time axis as Dim.DYNAMIC (a named Dim's range cannot be proved)."""
    torch.manual_seed(0)
    cfg = EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2, patch_stride=stride)
    model = EEGPT(cfg).eval()
    x, ids = torch.randn(2, 3, 1024), torch.tensor([0, 1, 2])
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        if how == "jit.trace":
            traced = torch.jit.trace(model, (x, ids))
        else:
            dims = {"x": {0: torch.export.Dim.DYNAMIC, 2: torch.export.Dim.DYNAMIC}, "chan_ids": {}}
            traced = torch.export.export(model, (x, ids), dynamic_shapes=dims).module()
        for n_times in (1000, 1020, 1090, 1024):
            xt = torch.randn(1, 3, n_times)
            want = model(xt, ids)
            assert want.shape[1] == cfg.n_patches(n_times)
            torch.testing.assert_close(traced(xt, ids), want, rtol=1e-5, atol=1e-6)


def test_the_recorded_tail_padding_is_the_eager_one():
    """PatchEmbed's comparison-free padding amount (for traced lengths) equals the eager one."""
    for stride in (64, 48, 32, 7):
        embed = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2, patch_stride=stride))
        patch_embed = embed.target_encoder.patch_embed
        for n_times in range(64, 400):
            want = embed.config.padded_length(n_times) - n_times
            assert patch_embed._tail_padding(n_times) == want, (stride, n_times)


def probe_model() -> tuple[EEGPT, torch.Tensor]:
    """A small model with a probe head whose stored weights exceed their max-norm (as after
    an optimizer step), so that the constraint changes the logits."""
    torch.manual_seed(0)
    cfg = EEGPTConfig(embed_dim=32, depth=1, num_heads=2, embed_num=2)
    model = EEGPT(cfg, n_outputs=3, n_times=512, chan_ids=[0, 1, 2])
    assert model.final_layer is not None
    with torch.no_grad():
        model.final_layer.probe1.weight.mul_(50.0)
        model.final_layer.probe2.weight.mul_(50.0)
    return model, torch.randn(2, 3, 512)


def test_the_plain_operation_max_norm_is_torch_renorm_bit_for_bit():
    """The max-norm that graphs record (ONNX has no renorm) gives torch.renorm's numbers,
    for rows below, at and above the limit, float32, float64 and half precision (float16,
    bfloat16: norm and factor in float32, as torch's kernel), 2-D and 3-D weights."""
    from eegpt.heads import _renorm_rows

    gen = torch.Generator().manual_seed(0)
    for shape, max_norm in (((16, 256), 1.0), ((4, 160), 0.25), ((19, 22, 1), 0.5)):
        for dtype in (torch.float32, torch.float64, torch.float16, torch.bfloat16):
            scale = torch.rand(shape[0], *[1] * (len(shape) - 1), generator=gen, dtype=dtype)
            weight = torch.randn(shape, generator=gen, dtype=dtype) * scale * 3 * max_norm
            norms = torch.linalg.vector_norm(weight, dim=tuple(range(1, weight.ndim)), keepdim=True)
            weight[0] = weight[0] / norms[0] * max_norm  # a row at the limit
            weight[1] = weight[1] / norms[1] * max_norm * 0.5  # below it
            weight[2] = weight[2] / norms[2] * max_norm * 4.0  # above it
            want = torch.renorm(weight, p=2, dim=0, maxnorm=max_norm)
            assert torch.equal(_renorm_rows(weight, max_norm), want), (shape, dtype)


@pytest.mark.parametrize("how", ["jit.trace", "export"])
def test_a_probe_model_records_a_graph_without_renorm_and_eager_logits(how):
    """A probe model's graph gives eager's logits with the max-norm in plain operations:
    torch.renorm (recorded before) has no ONNX form, so the legacy ONNX exporter refused
    every model with a probe head ('aten::renorm' unsupported)."""
    model, x = probe_model()
    model.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        want = model(x)
        if how == "jit.trace":
            traced = torch.jit.trace(model, (x,))
            graph = str(traced.inlined_graph)
        else:
            program = torch.export.export(model, (x,))
            traced, graph = program.module(), str(program.graph)
        assert "renorm" not in graph
        torch.testing.assert_close(traced(x), want, rtol=1e-5, atol=1e-6)
        x2 = torch.randn_like(x)
        torch.testing.assert_close(traced(x2), model(x2), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("how", ["jit.trace", "export"])
def test_recording_a_probe_model_in_training_mode_asks_for_eval(how):
    """A freshly built model is in training mode, where the max-norm layers renormalise their
    weight in place: torch.export failed with an opaque DataDependentOutputException
    (aten.equal); both recorders now say to call model.eval()."""
    model, x = probe_model()
    assert model.training
    with pytest.raises(RuntimeError, match=r"training mode.*Call model\.eval\(\) before"):
        if how == "jit.trace":
            torch.jit.trace(model, (x,))
        else:
            torch.export.export(model, (x,))
    assert model.training
    assert model(x).shape == (2, 3)  # eager training mode still runs
