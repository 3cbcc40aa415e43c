"""The encoder's own input checks."""

from __future__ import annotations

import pytest
import torch

from eegpt.config import EEGPTConfig
from eegpt.model import EEGPTEncoder


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


def small_encoder() -> tuple[EEGPTEncoder, torch.Tensor, torch.Tensor]:
    """An encoder whose fast path uses every rewrite on CPU (low-rank first block: 2 * 64 <=
    128; absorbed last block), a batch ``[2, 5, 256]`` and its channel ids."""
    torch.manual_seed(0)
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=128, depth=3, num_heads=4, embed_num=2)).eval()
    return enc, torch.randn(2, 5, 256), torch.tensor([5, 3, 9, 1, 0])


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
