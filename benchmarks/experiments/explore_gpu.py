"""GPU experiments behind the engine's choices (kept for reproducibility; see BENCHMARKS.md).

1. Kernel-time breakdown of batch-1 forwards (no graph), to see what bounds latency.
2. The Triton ``gelu(x @ W.T + b)`` kernel vs cuBLAS + a separate GELU, on fc1's shapes.
3. ``torch.compile`` modes for the bf16 large encoder at batch 512 (each in a subprocess with
   a time limit, since max-autotune compiles for minutes).

    python benchmarks/experiments/explore_gpu.py --out results/gpu [--skip-autotune]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import _parent  # puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import event_ms, log, model_pair, rel_err, write_json


def latency_profiles() -> dict:
    from bench_throughput import profile_top_kernels

    from eegpt.engine import InferenceEngine

    out = {}
    for n_chans, n_times in ((4, 1000), (22, 4000)):
        bd, ours, ids = model_pair(n_chans, n_times, depth=2, stride=32)
        ours = ours.cuda()
        x = torch.randn(1, n_chans, n_times, device="cuda")
        for precision in ("float32", "bfloat16"):
            e = InferenceEngine(ours, "cuda", precision=precision, batch_size=1, cuda_graphs=False)
            plan = e.plan(ids)
            fn = lambda x, e=e, plan=plan, ids=ids: e.forward(x, ids, plan)  # noqa: E731
            for _ in range(3):
                fn(x)
            prof = profile_top_kernels(fn, x, torch.device("cuda"), top=25)
            out[f"{n_chans}x{n_times} {precision}"] = prof
            log(f"{n_chans}x{n_times} {precision}: {prof['total_us']:.0f} us of kernels, "
                f"{sum(r['calls'] for r in prof['top'])} launches in the top 25")  # fmt: skip
    return out


def bench_ms(fn, reps: int = 50) -> float:
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = sorted(event_ms(fn) for _ in range(reps))
    return times[len(times) // 2]


def triton_gelu() -> dict:
    from triton_linear_gelu import linear_gelu

    out = {}
    d, h = 512, 2048
    for m in (806, 31 * 26 * 8, 512 * 16 * 62):
        x = torch.randn(m, d, device="cuda", dtype=torch.bfloat16)
        w = (torch.randn(h, d, device="cuda") * 0.02).to(torch.bfloat16)
        b = (torch.randn(h, device="cuda") * 0.02).to(torch.bfloat16)
        ref = F.gelu(F.linear(x.float(), w.float(), b.float()))
        y = linear_gelu(x, w, b)
        lib = F.gelu(F.linear(x, w, b))
        flops = 2 * m * d * h
        t_lib = bench_ms(lambda x=x, w=w, b=b: F.gelu(F.linear(x, w, b)))
        t_mm = bench_ms(lambda x=x, w=w, b=b: F.linear(x, w, b))
        t_tri = bench_ms(lambda x=x, w=w, b=b: linear_gelu(x, w, b))
        t_tri_mm = bench_ms(lambda x=x, w=w, b=b: linear_gelu(x, w, b, gelu=False))
        out[str(m)] = {
            "cublas_linear_plus_gelu_ms": t_lib,
            "cublas_linear_ms": t_mm,
            "triton_linear_gelu_ms": t_tri,
            "triton_linear_ms": t_tri_mm,
            "cublas_tflops": flops / t_mm / 1e9,
            "triton_tflops": flops / t_tri_mm / 1e9,
            "rel_err_triton": rel_err(y, ref),
            "rel_err_cublas": rel_err(lib, ref),
        }
        log(f"fc1+gelu M={m}: " + ", ".join(f"{k} {v:.4g}" for k, v in out[str(m)].items()))
    return out


COMPILE_CHILD = r"""
import json, sys, time, torch
sys.path.insert(0, sys.argv[3])  # benchmarks/, for common.py
from common import model_pair
from eegpt.engine import InferenceEngine
mode = None if sys.argv[1] == "default" else sys.argv[1]
batch = int(sys.argv[2])
bd, ours, ids = model_pair(58, 1024, depth=8, stride=64)
del bd
ours = ours.cuda()
x = torch.randn(batch, 58, 1024, device="cuda")
e = InferenceEngine(ours, "cuda", precision="bfloat16", batch_size=batch, compile=True,
                    compile_mode=mode)
plan = e.plan(ids)
t0 = time.perf_counter()
e.forward(x, ids, plan); torch.cuda.synchronize()
setup = time.perf_counter() - t0
for _ in range(3):
    e.forward(x, ids, plan)
torch.cuda.synchronize()
ts = []
for _ in range(10):
    t = time.perf_counter(); e.forward(x, ids, plan); torch.cuda.synchronize()
    ts.append(time.perf_counter() - t)
ms = sorted(ts)[5] * 1e3
print(json.dumps({"mode": sys.argv[1], "batch": batch, "setup_s": setup, "median_ms": ms,
                  "windows_per_s": batch / ms * 1e3}))
"""


def compile_modes(modes: list[str], batch: int, limit: float) -> list[dict]:
    out = []
    for mode in modes:
        t0 = time.perf_counter()
        try:
            res = subprocess.run(
                [sys.executable, "-c", COMPILE_CHILD, mode, str(batch), _parent.BENCHMARKS],
                capture_output=True,
                text=True,
                timeout=limit,
            )
            lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
            entry = json.loads(lines[-1]) if lines else {"mode": mode, "error": res.stderr[-800:]}
        except subprocess.TimeoutExpired:
            entry = {"mode": mode, "error": f"did not finish within {limit} s"}
        entry["wall_s"] = time.perf_counter() - t0
        log(f"compile mode {mode}: {entry}")
        out.append(entry)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--modes", default="default,max-autotune-no-cudagraphs")
    ap.add_argument("--autotune-limit", type=float, default=240.0)
    args = ap.parse_args()
    results: dict = {}
    for name, fn in (("latency_profiles", latency_profiles), ("triton_fc1_gelu", triton_gelu)):
        try:
            results[name] = fn()
        except Exception as err:  # noqa: BLE001 - recorded, the run goes on
            results[name] = {"error": repr(err)}
            log(f"{name} failed: {err!r}")
        write_json(args.out / "explore.json", results)
    if args.modes:
        results["compile_modes"] = compile_modes(args.modes.split(","), 512, args.autotune_limit)
    write_json(args.out / "explore.json", results)


if __name__ == "__main__":
    main()
