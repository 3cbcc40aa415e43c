"""Experiments on large-batch throughput of the large encoder (58 ch x 1024, depth 8), GPU.

At batch 512 the compiled bf16 fast path spends about half its time in GEMMs and most of the
rest moving the float32 residual stream and the fc1 activations through memory. This script
measures, on one set of random weights, what two ways of cutting that traffic buy and cost in
accuracy (max relative error of the embeddings against a float64 run of the reference path):

* ``gelu-epilogue``: fc1 + GELU as one cuBLASLt call (``torch._addmm_activation``) -- its GELU
  epilogue is the tanh approximation, not the exact erf GELU of the model;
* ``half-stream``: the residual stream kept in the matmul precision (LayerNorm statistics in
  float32), instead of float32.

    python benchmarks/explore_throughput.py --out /tmp/explore   # writes explore_throughput.json

Variants are patched in for the run only; nothing here changes the package.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from common import environment, log, rel_err, write_json

import eegpt.model as M
from eegpt.config import get_config
from eegpt.engine import InferenceEngine
from eegpt.model import EEGPTEncoder


@torch.library.custom_op("eegpt_explore::linear_gelu_tanh", mutates_args=())
def linear_gelu_tanh(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    y = torch._addmm_activation(b, x.reshape(-1, x.shape[-1]), w.t(), use_gelu=True)
    return y.reshape(*x.shape[:-1], w.shape[0])


@linear_gelu_tanh.register_fake
def _(x, w, b):
    return x.new_empty(*x.shape[:-1], w.shape[0])


def _mlp_epilogue(mlp, x, packed=None):
    w, b = mlp.fc1.weight, mlp.fc1.bias
    if x.is_cuda and w.dtype != torch.float32:
        h = linear_gelu_tanh(x.to(w.dtype), w, b)
    else:
        h = M._linear(x, mlp.fc1, packed, gelu=True)
    return M._linear(h, mlp.fc2, packed)


def _norm_half(x, norm, dtype):
    return F.layer_norm(x.float(), norm.normalized_shape, norm.weight, norm.bias, norm.eps).to(
        dtype
    )


def _block_half(blk, t, packed=None):
    dtype = blk.attn.qkv.weight.dtype
    t = t.to(dtype)
    q, k, v = M._linear(M._norm(t, blk.norm1, dtype), blk.attn.qkv, packed).chunk(3, dim=-1)
    t = t + M._sdpa(blk.attn, q, k, v, packed)
    return t + M._mlp(blk.mlp, M._norm(t, blk.norm2, dtype), packed)


_BLOCK_ROWS = M._block_rows


def _block_rows_float(blk, t, n_rows, packed=None):
    return _BLOCK_ROWS(blk, t.float(), n_rows, packed)


@contextlib.contextmanager
def patched(epilogue: bool, half_stream: bool):
    saved = (M._mlp, M._norm, M._block, M._block_rows)
    try:
        if epilogue:
            M._mlp = _mlp_epilogue
        if half_stream:
            M._norm, M._block, M._block_rows = _norm_half, _block_half, _block_rows_float
        yield
    finally:
        M._mlp, M._norm, M._block, M._block_rows = saved


def measure(enc, x, ids, precision, compile_, reps) -> float:
    engine = InferenceEngine(enc, "cuda", precision=precision, batch_size=len(x), compile=compile_)
    for _ in range(3):
        engine.forward(x, ids)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        engine.forward(x, ids)
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps, engine


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--no-compile", action="store_true")
    args = p.parse_args()
    dev = torch.device("cuda")
    torch.manual_seed(0)
    enc = EEGPTEncoder(get_config("large")).eval().to(dev)
    with torch.no_grad():  # LayerNorm/bias values away from 1/0 make precision effects visible
        for m in enc.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.normal_(1.0, 0.2)
                m.bias.normal_(0.0, 0.2)
    c, t = 58, 1024
    ids = list(range(c))
    x = torch.randn(args.batch, c, t, device=dev) * 0.05  # mV-scale EEG
    check = x[:8]
    with torch.no_grad():
        ref = M.EEGPTEncoder._forward_reference(
            enc.double(), check.double(), torch.tensor(ids, device=dev)
        ).float()
    enc.float()
    flops = get_config("large").flops_per_window(c, t)
    a = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    for _ in range(3):
        a @ a
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(10):
        a @ a
    torch.cuda.synchronize()
    peak = 2 * 8192**3 * 10 / (time.perf_counter() - t0)
    del a
    log(f"bf16 8192^3 matmul: {peak / 1e12:.0f} TFLOP/s")
    results = {"environment": environment(dev), "peak_bf16_flops": peak, "batch": args.batch}
    rows = []
    for precision in ("bfloat16", "float16"):
        for epilogue, half in ((False, False), (True, False), (False, True), (True, True)):
            name = f"{precision}{' +gelu-epilogue' if epilogue else ''}{' +half-stream' if half else ''}"
            torch._dynamo.reset()
            with patched(epilogue, half):
                try:
                    s, engine = measure(enc, x, ids, precision, not args.no_compile, args.reps)
                    out = engine.forward(check, ids).float()
                except Exception as err:  # an experiment that does not run is a result too
                    log(f"{name}: failed: {type(err).__name__}: {err}")
                    rows.append({"variant": name, "error": f"{type(err).__name__}: {err}"})
                    continue
            wps = args.batch / s
            row = {
                "variant": name,
                "ms_per_batch": s * 1e3,
                "windows_per_s": wps,
                "fraction_of_bf16_peak": wps * flops / peak,
                "rel_err_vs_float64": rel_err(out, ref),
            }
            rows.append(row)
            log(
                f"{name:>40}: {row['ms_per_batch']:7.2f} ms, {wps:7.0f} windows/s, "
                f"{100 * row['fraction_of_bf16_peak']:.1f}% of peak, err {row['rel_err_vs_float64']:.2e}"
            )
    results["variants"] = rows
    write_json(args.out / "explore_throughput.json", results)


if __name__ == "__main__":
    main()
