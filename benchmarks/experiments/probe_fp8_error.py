"""Probe: would float8 matmuls keep the embeddings within the reduced-precision bound?

Hopper's float8 (e4m3) tensor cores do twice the bf16 rate at about half the energy per
product, so at the power cap (where the 2x-over-braindecode-bf16 target is a ratio of energy
per window, see BENCHMARKS.md) they are the one big lever left. Before building kernels this
measures what they would cost in accuracy, on CPU: the plain path of the large encoder
(58 ch x 1024, depth 8, the model's initialisation) with the operands of chosen linear layers
rounded to e4m3 (activations scaled per token, weights per output channel, to the e4m3 maximum
448; products and sums in float32 as on the tensor cores), every other linear's operands
rounded to bf16 (the engine's bf16 mode), against a float64 run. Error: max |out - ref| /
max |ref| on the embeddings, the issue's measure (bound for reduced precision: 1e-2).

    python benchmarks/experiments/probe_fp8_error.py --out results/cpu

Result (``results/cpu/probe_fp8_error.json``): bf16 everywhere 5.2e-3; e4m3 in fc2 only
5.1e-2, in the MLP (fc1 + fc2: 2/3 of the FLOPs) 6.8e-2, in every linear 9.5e-2: five to ten
times the bound, so float8 is not a way to the 2x target.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import environment, log, rel_err, write_json

E4M3_MAX = 448.0


def rounded(t: torch.Tensor, dim: int, fmt: str) -> torch.Tensor:
    """``t`` rounded to ``fmt`` ("bf16" or "e4m3", the latter scaled per slice along ``dim``)
    and returned in float32."""
    if fmt == "bf16":
        return t.to(torch.bfloat16).float()
    scale = E4M3_MAX / t.abs().amax(dim=dim, keepdim=True).clamp_min(1e-30)
    return (t * scale).to(torch.float8_e4m3fn).float() / scale


class RoundedLinear(torch.nn.Module):
    """A linear layer whose operands are rounded to ``fmt`` before a float32 matmul."""

    def __init__(self, linear: torch.nn.Linear, fmt: str) -> None:
        super().__init__()
        self.linear, self.fmt = linear, fmt

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = rounded(self.linear.weight, 1, self.fmt)
        return F.linear(rounded(x, -1, self.fmt), w, self.linear.bias)


def with_rounding(encoder: torch.nn.Module, fp8_names: set[str]) -> torch.nn.Module:
    """A copy of ``encoder`` whose block linears round to e4m3 (names in ``fp8_names``:
    ``qkv``, ``proj``, ``fc1``, ``fc2``) or bf16 (the others)."""
    enc = copy.deepcopy(encoder)
    for blk in enc.blocks:
        for parent in (blk.attn, blk.mlp):
            for name, child in list(parent.named_children()):
                if isinstance(child, torch.nn.Linear):
                    fmt = "e4m3" if name in fp8_names else "bf16"
                    setattr(parent, name, RoundedLinear(child, fmt))
    return enc


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--batch", type=int, default=4)
    args = p.parse_args()
    from eegpt.model import EEGPTEncoder

    torch.manual_seed(0)
    enc = EEGPTEncoder("large", fused=False).eval()
    x = torch.randn(args.batch, 58, 1024)
    ids = torch.arange(58)
    with torch.no_grad():
        ref = copy.deepcopy(enc).double()(x.double(), ids)
        cases = {
            "bf16 everywhere": set(),
            "e4m3 fc2": {"fc2"},
            "e4m3 fc1 + fc2 (MLP)": {"fc1", "fc2"},
            "e4m3 every linear": {"qkv", "proj", "fc1", "fc2"},
        }
        res = {"environment": environment("cpu"), "batch": args.batch, "errors": {}}
        for name, fp8 in cases.items():
            err = rel_err(with_rounding(enc, fp8)(x, ids), ref)
            res["errors"][name] = err
            log(f"{name:>24}: max relative error {err:.2e}")
    write_json(args.out / "probe_fp8_error.json", res)


if __name__ == "__main__":
    main()
