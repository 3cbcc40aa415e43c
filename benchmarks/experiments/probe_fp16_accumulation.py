"""Probe: float16 GEMMs with float16 accumulation (``allow_fp16_accumulation``).

At the power cap (BENCHMARKS.md, "Both run at the power cap") the throughput of the engine is
set by its energy per window, most of it spent in the GEMMs' tensor-core work. With float16
inputs, cuBLAS can also accumulate in float16 (``CUBLAS_COMPUTE_16F``, PyTorch's
``torch.backends.cuda.matmul.allow_fp16_accumulation``). On Hopper the dense rate of such
MMAs is the same as with float32 accumulation, but the accumulators are half as wide, which
may cost less energy per FLOP and so raise the power-capped clock. The price is accuracy:
every partial sum is rounded to a 10-bit mantissa (K = 512 or 2048 here).

Part 1 times the four GEMMs of a block at the batch-512 shapes (float16, CUDA graphs,
alternating rounds) with the flag off and on, names the kernel cuBLAS picks for each and gives
the difference from the float32-accumulation result. Part 2 runs braindecode under bf16
autocast and compiled engines (default bf16; float16 matmuls with the flag off, on, and on for
all GEMMs but fc1 + GELU; each also with the float16 stream) in alternating rounds, with each engine's error against a
float64 run of the reference path (the bound is 1e-2).

    python benchmarks/experiments/probe_fp16_accumulation.py --out results/h200
"""

from __future__ import annotations

import contextlib

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import log, model_pair, run_probe
from explore_throughput import alternate_rounds, compiled_engine, patched
from probe_l2_chunks import graphed, time_replays

import eegpt.fast_path as M
from eegpt.model import EEGPTEncoder

ROWS, D, HIDDEN = 512 * 16 * 62, 512, 2048


@contextlib.contextmanager
def fp16_accumulation(enabled: bool):
    """cuBLAS float16 GEMMs accumulate in float16 inside the block (if ``enabled``)."""
    flags = torch.backends.cuda.matmul
    before = flags.allow_fp16_accumulation
    flags.allow_fp16_accumulation = enabled
    try:
        yield
    finally:
        flags.allow_fp16_accumulation = before


@torch.library.custom_op("eegpt_probe::linear_gelu_tanh_f32_acc", mutates_args=())
def linear_gelu_f32_acc(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """The engine's fc1 + GELU (cuBLASLt epilogue), always with float32 accumulation: cuBLAS has
    no GELU-epilogue kernel with float16 accumulation and falls back to a slower one."""
    with fp16_accumulation(False):
        y = torch._addmm_activation(bias, x.reshape(-1, x.shape[-1]), weight.t(), use_gelu=True)
    return y.reshape(*x.shape[:-1], weight.shape[0])


@linear_gelu_f32_acc.register_fake
def _(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return x.new_empty(*x.shape[:-1], weight.shape[0])


def kernel_name(fn) -> str:
    """Name of the longest CUDA kernel of one call of ``fn``."""
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    events = [e for e in prof.key_averages() if e.device_time_total > 0]
    return max(events, key=lambda e: e.device_time_total).key if events else "?"


def alone(seconds: float) -> list[dict]:
    """Part 1: qkv, output projection, fc1 + GELU (cuBLASLt epilogue) and fc2, float16."""
    dev, dt = "cuda", torch.float16
    x = torch.randn(ROWS, D, device=dev, dtype=dt)
    hid = torch.randn(ROWS, HIDDEN, device=dev, dtype=dt)
    w = {
        "qkv": torch.randn(3 * D, D, device=dev, dtype=dt) / D**0.5,
        "proj": torch.randn(D, D, device=dev, dtype=dt) / D**0.5,
        "fc1 + gelu": torch.randn(HIDDEN, D, device=dev, dtype=dt) / D**0.5,
        "fc2": torch.randn(D, HIDDEN, device=dev, dtype=dt) / HIDDEN**0.5,
    }
    b = {k: torch.randn(v.shape[0], device=dev, dtype=dt) * 0.1 for k, v in w.items()}
    fns = {
        "qkv": lambda: F.linear(x, w["qkv"], b["qkv"]),
        "proj": lambda: F.linear(x, w["proj"], b["proj"]),
        "fc1 + gelu": lambda: M.linear_gelu_tanh(x, w["fc1 + gelu"], b["fc1 + gelu"]),
        "fc2": lambda: F.linear(hid, w["fc2"], b["fc2"]),
    }
    replays, info = {}, {}
    for name, fn in fns.items():
        ref = fn().float()
        for acc in (False, True):
            label = f"{name}, {'float16' if acc else 'float32'} accumulation"
            with fp16_accumulation(acc):
                y = fn().float()
                info[label] = {
                    "kernel": kernel_name(fn),
                    "rel_diff_vs_float32_accumulation": (
                        ((y - ref).abs().max() / ref.abs().max()).item()
                    ),
                    "nonfinite": int((~torch.isfinite(y)).sum()),
                }
                replays[label] = graphed(fn)
    out = []
    for name, (ms, calls) in time_replays(replays, seconds).items():
        out.append({"gemm": name, "median_ms": ms, "calls": calls, **info[name]})
        log(f"{name:>36}: {ms:6.3f} ms, diff {info[name]['rel_diff_vs_float32_accumulation']:.1e}"
            f", {info[name]['kernel'][:60]}")  # fmt: skip
    return out


def in_engine(seconds: float, batch: int) -> list[dict]:
    """Part 2: braindecode bf16 autocast and the compiled engines, alternating rounds."""
    bd, ours, ids = model_pair(58, 1024, depth=8, stride=64)
    bd, ours = bd.to("cuda"), ours.to("cuda")
    with torch.no_grad():  # move LayerNorm parameters off 1/0 so precision effects show
        for m in ours.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.normal_(1.0, 0.2)
                m.bias.normal_(0.0, 0.2)
    x = torch.randn(batch, 58, 1024, device="cuda") * 0.05
    with torch.no_grad():
        ref = EEGPTEncoder._forward_reference(
            ours.double(), x[:8].double(), torch.tensor(ids, device="cuda")
        ).float()
    ours.float()

    def braindecode_bf16():
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            return bd(x)

    engines = {"braindecode bf16 autocast": (braindecode_bf16, None)}
    variants = [
        ("eegpt bf16 compiled", "bfloat16", "float32", False),
        ("eegpt bf16 compiled, float16 stream", "bfloat16", "float16", False),
        ("eegpt fp16 compiled", "float16", "float32", False),
        ("eegpt fp16 compiled, fp16 accumulation", "float16", "float32", True),
        ("eegpt fp16 compiled, float16 stream", "float16", "float16", False),
        ("eegpt fp16 compiled, float16 stream, fp16 accumulation", "float16", "float16", True),
        ("eegpt fp16 compiled, fp16 accumulation but fc1", "float16", "float32", "but fc1"),
        ("eegpt fp16 compiled, float16 stream, fp16 acc. but fc1", "float16", "float16", "but fc1"),
    ]
    for name, precision, stream, acc in variants:
        swap = {"linear_gelu_tanh": linear_gelu_f32_acc} if acc == "but fc1" else {}
        try:  # the graph is captured now, with these kernels
            with fp16_accumulation(bool(acc)), patched(**swap):
                engines[name] = compiled_engine(
                    ours, x, ids, ref, precision=precision, stream_precision=stream
                )
        except Exception as err:  # a variant that does not run is a result too
            log(f"{name}: failed: {type(err).__name__}: {err}")
    flops = ours.config.flops_per_window(58, 1024)
    rows = alternate_rounds(engines, batch, flops, seconds)
    base = next(r["windows_per_s"] for r in rows if r["variant"].startswith("braindecode"))
    for r in rows:
        r["x_braindecode_bf16"] = r["windows_per_s"] / base
        log(f"{r['variant']:>56}: {r['x_braindecode_bf16']:.3f}x braindecode bf16")
    return rows


if __name__ == "__main__":
    if not hasattr(torch.backends.cuda.matmul, "allow_fp16_accumulation"):
        raise SystemExit("this PyTorch has no torch.backends.cuda.matmul.allow_fp16_accumulation")
    run_probe(__doc__, "probe_fp16_accumulation", alone, in_engine, seconds=2.0)
