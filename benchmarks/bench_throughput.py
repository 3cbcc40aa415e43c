"""Throughput of the pretrained-size encoder vs batch size, eegpt vs braindecode 1.8 EEGPT.

Encoder "large" (embed_dim 512, depth 8, 8 heads, 4 summary tokens, patch 64, stride 64) on
58 channels x 1024 samples: about 51 GFLOP per window (``PRESETS['large'].flops_per_window``,
the nominal count of the full computation; eegpt's fast path executes fewer). The GPU's dense
bf16 matmul rate is measured in the same run (an 8192^3 product), and each result is reported
as windows/s and as the fraction of that rate achieved in nominal FLOPs.

Under load the GPU's clock falls to what its power limit allows (an H200 at 700 W: ~1.5 GHz
instead of 1.98 GHz; an 8192^3 bf16 matmul reaches ~790 TFLOP/s only for its first ~10 products,
~670 TFLOP/s after that; ``experiments/explore_throughput.py --experiment sustained`` records it with
``nvidia-smi``). So on a GPU the matmul (20 products per call) and every variant are timed
alike: back-to-back calls for at least ``--min-time`` seconds, reported as the median call
(``median_ms``; ``peak_bf16_flops`` and ``fraction_of_peak`` come from it) and as the median of
the first five calls after two warm-up calls (``burst_median_ms``, ``peak_bf16_flops_burst``,
``fraction_of_burst_peak``: a check that the two agree; for the matmul those calls already run
at the power-limited clock).

    python benchmarks/bench_throughput.py --device cuda --out benchmarks/results/gpu
    python benchmarks/bench_throughput.py --device cpu --out benchmarks/results/cpu --threads 2
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
import time
from pathlib import Path

import numpy as np
import torch
from common import (
    check_error,
    environment,
    failed_error_checks,
    log,
    model_pair,
    rel_err,
    summarize,
    sync,
    write_json,
)

N_CHANS, N_TIMES, DEPTH, STRIDE = 58, 1024, 8, 64


def matmul_peak(device: torch.device, dtype: torch.dtype, n: int, iters: int = 10) -> float:
    """Measured dense matmul rate in FLOP/s for an ``n^3`` product on random data (a burst
    of ``iters`` calls; the CPU's rate)."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    sync(device)
    t0 = time.perf_counter()
    for _ in range(iters):
        a @ b
    sync(device)
    return 2 * n**3 * iters / (time.perf_counter() - t0)


def gpu_matmul_rates(dtype: torch.dtype, n: int, min_time: float) -> dict[str, float]:
    """Dense ``n^3`` matmul rate on the GPU in FLOP/s, timed like the variants
    (:func:`time_batch`): ``sustained`` from the median call, ``burst`` from the first five.
    One call is 20 products back to back (~30 ms), so the per-call synchronisation does not
    count against the rate, as it does not for the variants' large batches."""
    a = torch.randn(n, n, device="cuda", dtype=dtype)
    b = torch.randn(n, n, device="cuda", dtype=dtype)
    chain = 20

    def products() -> None:
        for _ in range(chain):
            a @ b

    time.sleep(2.0)  # let the clock recover from whatever ran before
    stats = time_batch(products, torch.device("cuda"), min_time, 100_000)
    flop = 2 * n**3 * chain
    return {
        "sustained": flop / (stats["median_ms"] / 1e3),
        "burst": flop / (stats["burst_median_ms"] / 1e3),
        "calls": stats["n"],
    }


def time_batch(fn, device, min_time: float, max_reps: int) -> dict[str, float]:
    """Call ``fn`` back to back (synchronising after each) until ``max_reps`` calls or, after at
    least three, ``min_time`` seconds; :func:`summarize` of the milliseconds per call, plus
    ``burst_median_ms``: the median of the first five calls after warm-up."""
    fn()  # warm-up (graph capture, compilation, allocator)
    fn()
    sync(device)
    times = []
    t_start = time.perf_counter()
    while len(times) < max_reps and (len(times) < 3 or time.perf_counter() - t_start < min_time):
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append((time.perf_counter() - t0) * 1e3)
    return {**summarize(times), "burst_median_ms": float(np.median(times[:5]))}


def make_variants(bd, ours, ids, device: torch.device, compiled_batches: set[int]):
    """name -> (factory(batch) -> callable(x), description, allowed(batch))."""
    from eegpt.engine import InferenceEngine

    def engine(batch, patch_tf32=True, last_block=None, **kw):
        # a fresh engine per batch size: only one captured graph (and its memory) alive at once
        saved = ours.last_block
        ours.last_block = last_block or saved  # the engine's private copy keeps it
        try:
            e = InferenceEngine(ours, device, batch_size=batch, **kw)
        finally:
            ours.last_block = saved
        e.use_patch_tf32 = e.use_patch_tf32 and patch_tf32  # no engine option: bf16/fp16 default
        plan = e.plan(ids)
        return lambda x: e.forward(x, ids, plan)

    def bd_fn(dtype):
        def run(x):
            with torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32):
                return bd(x)

        return lambda batch: run

    every = lambda b: True  # noqa: E731
    out = {"braindecode fp32": (bd_fn(torch.float32), "braindecode EEGPT, eager float32", every)}
    if device.type == "cuda":
        out["braindecode bf16"] = (
            bd_fn(torch.bfloat16),
            "braindecode EEGPT, eager under bf16 autocast",
            every,
        )
        out["eegpt fp32"] = (
            lambda b: engine(b, compile=False),
            "default engine: fast path + CUDA graph, exact",
            every,
        )
        out["eegpt fp32 compiled"] = (
            lambda b: engine(b, compile=True),
            "as eegpt fp32 + torch.compile inside the CUDA graph",
            lambda b: b in compiled_batches["fp32"],
        )
        out["eegpt bf16"] = (
            lambda b: engine(b, precision="bfloat16", compile=False),
            "bf16 matmuls (weights cast once), fp32 residual/LN, fc1+GELU in one cuBLASLt "
            "call, eegpt's Triton short-sequence attention, CUDA graph, eager kernels",
            every,
        )
        out["eegpt bf16 compiled"] = (
            lambda b: engine(b, precision="bfloat16", compile=True),
            "as eegpt bf16 + torch.compile (default mode) inside the CUDA graph",
            lambda b: b in compiled_batches["bf16"],
        )
        out["eegpt bf16 compiled, fp16 stream"] = (
            lambda b: engine(b, precision="bfloat16", compile=True, stream_precision="float16"),
            "as eegpt bf16 compiled, with the residual stream stored in float16 between "
            "blocks (opt-in stream_precision; sums and LayerNorm still in float32)",
            lambda b: b in compiled_batches["bf16-fp16-stream"],
        )
        out["eegpt bf16 compiled, fp16 stream, last block as rows"] = (
            lambda b: engine(
                b,
                precision="bfloat16",
                compile=True,
                stream_precision="float16",
                last_block="rows",
            ),
            "as eegpt bf16 compiled, fp16 stream, but the last block projects keys/values of "
            "every token and attends with the short-sequence kernel (instead of the absorbed "
            "form in one kernel)",
            lambda b: b in compiled_batches["bf16-fp16-stream-rows"],
        )
        out["eegpt bf16 compiled, separate GELU"] = (
            lambda b: engine(b, precision="bfloat16", compile=True, gelu_epilogue=False),
            "as eegpt bf16 compiled, but fc1 and the exact GELU as separate kernels",
            lambda b: b in compiled_batches["bf16-separate-gelu"],
        )
        out["eegpt bf16 compiled, SDPA attention"] = (
            lambda b: engine(b, precision="bfloat16", compile=True, short_attention=False),
            "as eegpt bf16 compiled, but attention through PyTorch's SDPA (FlashAttention)",
            lambda b: b in compiled_batches["bf16-sdpa"],
        )
        out["eegpt bf16 compiled, fp32 patch projection"] = (
            lambda b: engine(b, precision="bfloat16", compile=True, patch_tf32=False),
            "as eegpt bf16 compiled, but the patch projection in float32 instead of TF32",
            lambda b: b in compiled_batches["bf16-fp32-patch"],
        )
        out["eegpt fp16 compiled"] = (
            lambda b: engine(b, precision="float16", compile=True),
            "fp16 matmuls + torch.compile inside the CUDA graph",
            lambda b: b in compiled_batches["fp16"],
        )
    else:
        out["eegpt fp32"] = (lambda b: engine(b), "default engine: fast path, exact", every)
        out["eegpt bf16"] = (
            lambda b: engine(b, precision="bfloat16"),
            "opt-in bf16 matmuls",
            every,
        )
    return out


def profile_top_kernels(fn, x, device, top: int = 15) -> dict:
    """CUDA kernel time of one call, grouped by kernel name and by kind."""
    from torch.profiler import ProfilerActivity, profile

    fn(x)
    sync(device)
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn(x)
        sync(device)
    rows = []
    for evt in prof.key_averages():
        t = getattr(evt, "device_time_total", None) or getattr(evt, "cuda_time_total", 0)
        if t > 0 and evt.key and not evt.key.startswith("cudaGraph"):
            rows.append((evt.key, t, evt.count))
    rows.sort(key=lambda r: -r[1])
    total = sum(r[1] for r in rows) or 1.0
    kinds: dict[str, float] = {}
    for name, t, _ in rows:
        kinds[_kind(name)] = kinds.get(_kind(name), 0.0) + t
    return {
        "total_us": total,
        "top": [
            {"kernel": name[:160], "us": t, "share": t / total, "calls": c}
            for name, t, c in rows[:top]
        ],
        "by_kind": {k: {"us": v, "share": v / total} for k, v in sorted(kinds.items())},
    }


def cpu_interleaved(variants, batches, x_check, ref, ref64, flops, peak, n_times, budget) -> dict:
    """CPU measurement: at each batch size all variants run in interleaved rounds (waiting
    for an idle CPU before each round); throughput from the fastest round of each."""
    from common import time_calls

    out = {name: {"description": desc, "points": []} for name, (_, desc, _) in variants.items()}
    for batch in batches:
        x = torch.randn(batch, N_CHANS, n_times)
        k = min(batch, len(x_check))
        x[:k] = x_check[:k]
        fns = {}
        for name, (factory, _, allowed) in variants.items():
            if allowed(batch):
                fn = factory(batch)
                y = fn(x)[:k]
                out[name].setdefault("rel_err_vs_braindecode_fp32", rel_err(y, ref[:k]))
                out[name].setdefault("rel_err_vs_float64", rel_err(y, ref64[:k]))
                fns[name] = lambda fn=fn, x=x: fn(x)
        stats = time_calls(fns, "cpu", warmup=1, repeats=5, budget_s=budget, quiet=True)
        for name, st in stats.items():
            wps = batch / (st["min_ms"] / 1e3)
            out[name]["points"].append(
                {
                    "batch": batch,
                    **st,
                    "windows_per_s": wps,
                    "windows_per_s_median": batch / (st["median_ms"] / 1e3),
                    "hours_eeg_per_s": wps * (n_times / 256) / 3600,
                    "flops_per_s": wps * flops,
                    "fraction_of_peak": wps * flops / peak,
                }
            )
            log(f"{name:>22} batch {batch:3d}: best {st['min_ms']:9.1f} ms, median "
                f"{st['median_ms']:9.1f} ms  {wps:6.2f} win/s  {wps * flops / peak * 100:5.1f}% of peak")  # fmt: skip
    return out


def profiles(bd, ours, ids, device: torch.device, batch: int) -> dict:
    """Kernel-time breakdown of one forward pass (no CUDA graph, so kernels are visible)."""
    from eegpt.engine import InferenceEngine

    def bd_bf16(x):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            return bd(x)

    def engine(**kw):
        e = InferenceEngine(ours, device, batch_size=batch, cuda_graphs=False, **kw)
        plan = e.plan(ids)
        return lambda x: e.forward(x, ids, plan)

    out = {}
    x = torch.randn(batch, N_CHANS, N_TIMES, device=device)
    for name, make in (
        ("braindecode bf16", lambda: bd_bf16),
        ("eegpt bf16", lambda: engine(precision="bfloat16", compile=False)),
        ("eegpt bf16 compiled", lambda: engine(precision="bfloat16", compile=True)),
    ):
        try:
            out[name] = {"batch": batch, **profile_top_kernels(make(), x, device)}
            log(f"profile {name}: " + ", ".join(
                f"{k} {v['share'] * 100:.0f}%" for k, v in out[name]["by_kind"].items()))  # fmt: skip
        except Exception as err:  # noqa: BLE001 - recorded, the run goes on
            out[name] = {"error": repr(err)}
    return out


def _kind(name: str) -> str:
    n = name.lower()
    if "flash" in n or "fmha" in n or "attention" in n or "sdpa" in n or "softmax" in n:
        return "attention"
    if "gemm" in n or "cutlass" in n or "nvjet" in n or "sm90" in n or "matmul" in n:
        return "matmul"
    if "norm" in n:
        return "layernorm"
    if "triton" in n:
        return "fused (triton)"
    if "gelu" in n:
        return "gelu"
    if "copy" in n or "memcpy" in n or "cat" in n:
        return "copy"
    return "elementwise/other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--batches", default=None, help="comma-separated batch sizes")
    ap.add_argument(
        "--compile-batches",
        default="fp32:512;bf16:16,64,256,512,1024;fp16:512,1024;"
        "bf16-fp16-stream:256,512,1024;bf16-fp16-stream-rows:512;"
        "bf16-separate-gelu:512;bf16-sdpa:512;bf16-fp32-patch:512",
        help="batch sizes of the compiled variants (each size compiles once)",
    )
    ap.add_argument("--budget", type=float, default=None, help="seconds per variant")
    ap.add_argument("--min-time", type=float, default=None, help="seconds per measurement")
    ap.add_argument("--profile-batch", type=int, default=512)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    if args.batches:
        batches = [int(b) for b in args.batches.split(",")]
    else:
        batches = [1, 4, 16, 64, 128, 256, 512, 1024] if gpu else [1, 2, 4, 8]
    budget = args.budget or (60.0 if gpu else 120.0)
    min_time = args.min_time or (2.0 if gpu else 3.0)
    compiled = {
        "fp32": set(),
        "bf16": set(),
        "fp16": set(),
        "bf16-separate-gelu": set(),
        "bf16-sdpa": set(),
        "bf16-fp32-patch": set(),
        "bf16-fp16-stream": set(),
        "bf16-fp16-stream-rows": set(),
    }
    for part in args.compile_batches.split(";"):
        tag, _, sizes = part.partition(":")
        compiled[tag] = {int(b) for b in sizes.split(",") if b}
    n_times, depth = N_TIMES, DEPTH
    if args.smoke:
        batches, budget, min_time, depth = batches[:2], 5.0, 0.1, 2
    from eegpt.config import PRESETS

    flops = PRESETS["large"].replace(depth=depth).flops_per_window(N_CHANS, n_times)
    results: dict = {
        "env": environment(device),
        "benchmark": "throughput",
        "model": {"n_chans": N_CHANS, "n_times": n_times, "depth": depth, "stride": STRIDE},
        "flops_per_window": flops,
    }
    if gpu:
        rates = gpu_matmul_rates(torch.bfloat16, 8192, min_time)
        results["peak_bf16_flops"] = peak = rates["sustained"]
        results["peak_bf16_flops_burst"] = burst_peak = rates["burst"]
        results["peak_fp32_flops"] = matmul_peak(device, torch.float32, 8192, iters=3)
        log(
            f"measured bf16 matmul rate: {peak / 1e12:.0f} TFLOP/s sustained, "
            f"{burst_peak / 1e12:.0f} TFLOP/s burst ({rates['calls']} calls)"
        )
    else:
        from common import wait_for_idle_cpu

        # bf16 only where the CPU has it natively: emulated, a 2048^3 product takes minutes
        native_bf16 = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
        best = {torch.float32: 0.0, **({torch.bfloat16: 0.0} if native_bf16 else {})}
        n, trials = (512, 1) if args.smoke else (2048, 5)
        for _ in range(trials):  # best of a few trials, each after waiting for an idle CPU
            for dtype in best:
                wait_for_idle_cpu()
                best[dtype] = max(best[dtype], matmul_peak(device, dtype, n, iters=3))
        results["peak_fp32_flops"] = best[torch.float32]
        results["peak_bf16_flops"] = best.get(torch.bfloat16)  # None: no native bf16
        peak = results["peak_fp32_flops"]
        log(f"measured matmul peak: fp32 {peak / 1e9:.0f} GFLOP/s")

    bd, ours, ids = model_pair(N_CHANS, n_times, depth=depth, stride=STRIDE)
    bd, ours = bd.to(device), ours.to(device)
    variants = make_variants(bd, ours, ids, device, compiled)
    results["variants"] = {}
    x_check = torch.randn(4, N_CHANS, n_times, device=device)
    with torch.inference_mode():
        ref = bd(x_check).float()
        # float64 CPU reference (braindecode's float32 GPU output includes cuDNN TF32 error)
        ref64 = copy.deepcopy(bd).cpu().double()(x_check.cpu().double())
        results["braindecode_fp32_rel_err_vs_float64"] = rel_err(ref, ref64)
        if not gpu:  # shared CPU: interleave the variants at each batch size, keep the best round
            results["statistic"] = "min_ms (best of interleaved rounds; shared CPU)"
            results["variants"] = cpu_interleaved(
                variants, batches, x_check, ref, ref64, flops, peak, n_times, budget
            )
            write_json(args.out / "throughput.json", results)
        for name, (factory, desc, allowed) in variants.items() if gpu else ():
            entry = {"description": desc, "points": []}
            results["variants"][name] = entry
            t_variant = time.perf_counter()
            for batch in batches:
                if not allowed(batch):
                    continue
                if time.perf_counter() - t_variant > budget:
                    entry["stopped"] = f"time budget {budget}s spent before batch {batch}"
                    break
                x = torch.randn(batch, N_CHANS, n_times, device=device)
                k = min(batch, len(x_check))
                x[:k] = x_check[:k]  # the first rows are checked against braindecode fp32
                t0 = time.perf_counter()
                try:
                    fn = factory(batch)
                    out = fn(x)[:k]
                    err = rel_err(out, ref[:k])
                    entry.setdefault("rel_err_vs_braindecode_fp32", err)
                    entry.setdefault("rel_err_vs_float64", rel_err(out, ref64[:k]))
                    stats = time_batch(lambda fn=fn, x=x: fn(x), device, min_time, 100_000)
                except torch.OutOfMemoryError as oom:
                    entry["stopped"] = f"out of memory at batch {batch}: {str(oom)[:120]}"
                    break
                except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                    entry["error"] = repr(exc)
                    log(f"{name} batch {batch}: failed: {exc!r}")
                    break
                finally:
                    fn = None
                    del x
                    with contextlib.suppress(Exception):
                        torch.cuda.empty_cache()
                wps = batch / (stats["median_ms"] / 1e3)
                point = {
                    "batch": batch,
                    "rel_err_vs_braindecode_fp32": err,
                    **stats,
                    "windows_per_s": wps,
                    "hours_eeg_per_s": wps * (n_times / 256) / 3600,
                    "flops_per_s": wps * flops,
                    "fraction_of_peak": wps * flops / peak,
                    "fraction_of_burst_peak": batch
                    / stats["burst_median_ms"]
                    * 1e3
                    * flops
                    / burst_peak,
                    "seconds_incl_setup": time.perf_counter() - t0,
                }
                entry["points"].append(point)
                log(
                    f"{name:>22} batch {batch:5d}: {stats['median_ms']:9.2f} ms  "
                    f"{wps:9.1f} win/s  {point['fraction_of_peak'] * 100:5.1f}% of peak "
                    f"({point['fraction_of_burst_peak'] * 100:5.1f}% burst)"
                )
            write_json(args.out / "throughput.json", results)

        if gpu and not args.smoke:
            results["profiles"] = profiles(bd, ours, ids, device, args.profile_batch)
            write_json(args.out / "throughput.json", results)

    # host -> host: the engine's pipelined encode() from a NumPy array (copies included)
    results["encode_host_to_host"] = encode_host_to_host(ours, ids, device, args.smoke)
    write_json(args.out / "throughput.json", results)
    best = {
        k: max((p["windows_per_s"] for p in v["points"]), default=0.0)
        for k, v in results["variants"].items()
    }
    log("best windows/s: " + ", ".join(f"{k} {v:.1f}" for k, v in best.items()))
    # each variant's error against a float64 run (first rows of its first batch), checked
    # against its bound (fp32 1e-5, bf16/fp16 1e-2; braindecode's rows exempt:
    # common.ERROR_BOUNDS); recorded, then the run fails after writing the JSON if one is out
    for name, entry in results["variants"].items():
        entry.update(check_error(name, entry.get("rel_err_vs_float64")))
    write_json(args.out / "throughput.json", results)
    failed = failed_error_checks(list(results["variants"].items()))
    if failed:
        log("ERROR: outside the documented error bound: " + ", ".join(failed))
        sys.exit(1)
    log("error check: every measured eegpt variant within its bound")


def encode_host_to_host(ours, ids, device: torch.device, smoke: bool) -> list[dict]:
    from eegpt.engine import InferenceEngine

    gpu = device.type == "cuda"
    runs = [("float32", 256, False), ("bfloat16", 512, False), ("bfloat16", 512, True)]
    if not gpu:
        runs = [("float32", 8, False)]
    n = 8192 if gpu else 16
    if smoke:
        runs, n = runs[:1], 8
    windows = np.random.default_rng(0).standard_normal((n, N_CHANS, N_TIMES), dtype=np.float32)
    out = []
    for precision, batch, compiled in runs:
        engine = InferenceEngine(
            ours, device, precision=precision, batch_size=batch, compile=compiled
        )
        engine.encode(windows[: 2 * batch], ids)  # warm-up: graphs, compilation
        sync(device)
        t0 = time.perf_counter()
        engine.encode(windows, ids)
        dt = time.perf_counter() - t0
        out.append(
            {
                "precision": precision,
                "batch": batch,
                "windows": n,
                "seconds": dt,
                "windows_per_s": n / dt,
                "compile": engine.use_compile,
                "cuda_graphs": engine.use_graphs,
            }
        )
        log(
            f"encode() host->host {precision} batch {batch} compile={compiled}: {n / dt:.1f} windows/s"
        )
    return out


if __name__ == "__main__":
    main()
