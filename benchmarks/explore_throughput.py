"""Experiments on large-batch throughput of the large encoder (58 ch x 1024, depth 8), GPU.

At batch 512 the compiled bf16 fast path spends about half its time in GEMMs and most of the
rest moving activations through memory. Each variant is measured on one set of random weights
(LayerNorm weights perturbed), with its accuracy: max relative error of the embeddings against
a float64 run of the reference path.

``--experiment precision``:

* ``gelu-epilogue``: fc1 + GELU as one cuBLASLt call (the engine's ``gelu_epilogue``, tanh-form
  GELU); without it fc1 and the exact GELU run as separate kernels;
* ``half-stream``: the residual stream kept in the matmul precision (LayerNorm statistics in
  float32) instead of float32 -- patched in for the run only.

``--experiment attention``: the engine's bf16 defaults under each SDPA backend.

    python benchmarks/explore_throughput.py --out results/h200 --experiment precision
    python benchmarks/explore_throughput.py --out results/h200 --experiment attention

Writes ``explore_throughput_<experiment>.json``; nothing here changes the package.
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
def half_stream(enabled: bool):
    """Patch the fast path so the residual stream between blocks is in the matmul dtype."""
    saved = (M._norm, M._block, M._block_rows)
    try:
        if enabled:
            M._norm, M._block, M._block_rows = _norm_half, _block_half, _block_rows_float
        yield
    finally:
        M._norm, M._block, M._block_rows = saved


def measure(enc, x, ids, precision, compile_, reps, gelu_epilogue):
    engine = InferenceEngine(
        enc,
        "cuda",
        precision=precision,
        batch_size=len(x),
        compile=compile_,
        gelu_epilogue=gelu_epilogue,
    )
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
    p.add_argument(
        "--experiment",
        choices=["precision", "attention"],
        default="precision",
        help="precision: GELU epilogue / residual-stream dtype (patched in); attention: SDPA "
        "backends with the engine's defaults (fused GELU on)",
    )
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
    if args.experiment == "attention":
        from torch.nn.attention import SDPBackend, sdpa_kernel

        backends = {
            "default": None,
            "flash": SDPBackend.FLASH_ATTENTION,
            "efficient": SDPBackend.EFFICIENT_ATTENTION,
            "cudnn": SDPBackend.CUDNN_ATTENTION,
            "math": SDPBackend.MATH,
        }
        cases = [
            (f"bfloat16 (engine default), attention {k}", "bfloat16", True, False, v)
            for k, v in backends.items()
        ]
    else:
        cases = [
            (
                f"{p}{' +gelu-epilogue' if e else ''}{' +half-stream' if h else ''}",
                p,
                e,
                h,
                None,
            )
            for p in ("bfloat16", "float16")
            for e, h in ((False, False), (True, False), (False, True), (True, True))
        ]
    for name, precision, epilogue, half, backend in cases:
        torch._dynamo.reset()
        ctx = sdpa_kernel([backend]) if backend is not None else contextlib.nullcontext()
        with half_stream(half), ctx:
            try:
                s, engine = measure(
                    enc, x, ids, precision, not args.no_compile, args.reps, epilogue
                )
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
    write_json(args.out / f"explore_throughput_{args.experiment}.json", results)


if __name__ == "__main__":
    main()
