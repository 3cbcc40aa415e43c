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
