"""Batch-1 latency, eegpt vs braindecode 1.8 EEGPT, on the Rust port's eight configurations.

Encoder: embed_dim 512, depth 2, 8 heads, 4 summary tokens, patch 64, stride 32; inputs
4/8/16/22/32/64 channels x 1000 samples, 22 x 2000 and 22 x 4000. Both models hold the same
random weights; the input already lives on the device; a call ends when its output is ready
(synchronised). Every variant's output is compared with braindecode's float32 output.

    python benchmarks/bench_latency.py --device cuda --out benchmarks/results/gpu
    python benchmarks/bench_latency.py --device cpu --out benchmarks/results/cpu --threads 2
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
import time
from pathlib import Path

import torch
from common import (
    check_error,
    environment,
    failed_error_checks,
    log,
    model_pair,
    rel_err,
    time_calls,
    write_json,
)

CONFIGS = [(4, 1000), (8, 1000), (16, 1000), (22, 1000), (32, 1000), (64, 1000), (22, 2000), (22, 4000)]  # fmt: skip


def variants(bd, ours, ids, x, device: torch.device, compile_here: bool) -> dict:
    """name -> (callable returning the embeddings, short description)."""
    from eegpt.engine import InferenceEngine

    def autocast(dtype):
        return torch.autocast(device.type, dtype=dtype)

    out = {
        "braindecode fp32": (lambda: bd(x), "braindecode EEGPT, eager float32"),
    }

    def engine(**kw):
        e = InferenceEngine(ours, device, batch_size=1, **kw)
        plan = e.plan(ids)
        return lambda: e.forward(x, ids, plan)

    if device.type == "cuda":

        def bd_bf16():
            with autocast(torch.bfloat16):
                return bd(x)

        out["braindecode bf16"] = (bd_bf16, "braindecode EEGPT, eager under bf16 autocast")
        out["eegpt fp32 eager"] = (
            engine(cuda_graphs=False, compile=False),
            "fast path, eager (no graph)",
        )
        out["eegpt fp32"] = (engine(compile=False), "default engine: fast path + CUDA graph, exact")
        out["eegpt bf16"] = (
            engine(precision="bfloat16", compile=False),
            "bf16 matmuls, CUDA graph",
        )
        out["eegpt fp16"] = (
            engine(precision="float16", compile=False),
            "fp16 matmuls, CUDA graph",
        )
        if compile_here:
            for precision, tag in (("float32", "fp32"), ("bfloat16", "bf16"), ("float16", "fp16")):
                out[f"eegpt {tag} compiled"] = (
                    engine(precision=precision, compile=True),
                    f"{tag}, torch.compile + CUDA graph",
                )
    else:
        rows = type(ours)(ours.config).eval()
        rows.load_state_dict(ours.state_dict())
        rows.last_block = "rows"
        e_rows = InferenceEngine(rows, device, batch_size=1)
        plan_rows = e_rows.plan(ids)
        out["eegpt fp32"] = (engine(), "default engine: fast path, exact")
        out["eegpt fp32 rows"] = (
            lambda: e_rows.forward(x, ids, plan_rows),
            "fast path with library attention in the last block (GPU default)",
        )
        out["eegpt bf16"] = (engine(precision="bfloat16"), "opt-in bf16 matmuls")
        if compile_here:
            out["eegpt fp32 compiled"] = (engine(compile=True), "torch.compile (inductor C++)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--budget", type=float, default=None, help="seconds per configuration")
    ap.add_argument(
        "--compile-configs",
        default=None,
        help="all, none or e.g. 22x1000,4x1000 (default: all on GPU, 22x1000 on CPU)",
    )
    ap.add_argument("--configs", default=None, help="subset, e.g. 4x1000,22x4000")
    ap.add_argument("--quiet-cpu", action="store_true", help="wait for an idle CPU each round")
    ap.add_argument("--smoke", action="store_true", help="tiny run to check the script")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    repeats = args.repeats or (100 if gpu else 25)
    budget = args.budget or (20.0 if gpu else 60.0)
    configs = CONFIGS
    if args.configs:
        configs = [tuple(int(v) for v in c.split("x")) for c in args.configs.split(",")]
    compile_arg = args.compile_configs or ("all" if gpu else "22x1000")
    if compile_arg == "all":
        compile_arg = ",".join(f"{c}x{t}" for c, t in configs)
    compile_set = set() if compile_arg == "none" else set(compile_arg.split(","))
    if args.smoke:
        configs, repeats, budget = configs[:2], 3, 2.0
    results = {"env": environment(device), "benchmark": "latency", "batch": 1, "configs": []}
    for n_chans, n_times in configs:
        t0 = time.perf_counter()
        bd, ours, ids = model_pair(n_chans, n_times, depth=2, stride=32)
        bd, ours = bd.to(device), ours.to(device)
        x = torch.randn(1, n_chans, n_times, device=device)
        name = f"{n_chans}x{n_times}"
        with torch.inference_mode():
            ref = bd(x).float()
            # float64 reference on the CPU: braindecode's own float32 GPU output carries cuDNN's
            # TF32 convolution error (torch.backends.cudnn.allow_tf32 is on by default)
            ref64 = copy.deepcopy(bd).cpu().double()(x.cpu().double())
            fns = variants(bd, ours, ids, x, device, name in compile_set)
            errors, errors64 = {}, {}
            for k, (fn, _) in fns.items():
                out = fn()
                errors[k] = rel_err(out, ref)
                errors64[k] = rel_err(out, ref64)
            timing = time_calls(
                {k: f for k, (f, _) in fns.items()},
                device,
                warmup=10 if gpu else 2,
                repeats=repeats,
                budget_s=budget,
                quiet=args.quiet_cpu,
            )
        base = timing["braindecode fp32"]["median_ms"]
        entry = {
            "name": name,
            "n_chans": n_chans,
            "n_times": n_times,
            "n_patches": ours.config.n_patches(n_times),
            "flops": ours.config.flops_per_window(n_chans, n_times),
            "results": {
                k: {
                    **timing[k],
                    "rel_err_vs_braindecode_fp32": errors[k],
                    "rel_err_vs_float64": errors64[k],
                    "speedup_vs_braindecode_fp32": base / timing[k]["median_ms"],
                    "speedup_min_vs_braindecode_fp32": timing["braindecode fp32"]["min_ms"]
                    / timing[k]["min_ms"],
                    "description": fns[k][1],
                    # the error against a float64 run, checked against the variant's bound
                    # (fp32 1e-5, bf16/fp16 1e-2; braindecode's rows exempt: common.ERROR_BOUNDS)
                    **check_error(k, errors64[k], name),
                }
                for k in fns
            },
            "seconds": time.perf_counter() - t0,
        }
        results["configs"].append(entry)
        log(
            f"{name:>8}: "
            + "  ".join(
                f"{k} {v['median_ms']:.3f}ms (x{v['speedup_vs_braindecode_fp32']:.2f}, "
                f"err {v['rel_err_vs_float64']:.1e})"
                for k, v in entry["results"].items()
            )
        )
        del bd, ours, fns
        with contextlib.suppress(Exception):
            torch.cuda.empty_cache()
        write_json(args.out / "latency.json", results)
    failed = failed_error_checks(
        [(f"{c['name']} {k}", v) for c in results["configs"] for k, v in c["results"].items()]
    )
    if failed:  # after the JSON is written, so the failing run is kept
        log("ERROR: outside the documented error bound: " + ", ".join(failed))
        sys.exit(1)
    log("error check: every eegpt variant within its bound")


if __name__ == "__main__":
    main()
