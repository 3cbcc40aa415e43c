"""braindecode 1.8 EEGPT under ``torch.compile`` and CUDA graphs, beside eegpt, in one run.

The headline comparisons (``bench_latency.py``, ``bench_throughput.py``) time braindecode as it
ships: eager PyTorch. eegpt's fastest variants use ``torch.compile`` and CUDA graphs, tools a
braindecode user could also apply to braindecode's model. This script measures how much of
the gap they close, in one process on one GPU, with the same random weights:

``throughput``
    the pretrained-size encoder (58 channels x 1024 samples, depth 8, stride 64) at large
    batches: braindecode under bf16 autocast eager, compiled (``torch.compile``, default
    mode) and compiled with CUDA graphs (``mode="reduce-overhead"``), beside eegpt's bf16
    compiled engine (with and without the float16 residual stream). Timed like
    ``bench_throughput.py`` (back-to-back calls, median; ``time_batch``).
``latency``
    batch 1 on four of the Rust port's configurations (depth 2, stride 32): braindecode
    float32 eager and compiled with CUDA graphs, braindecode bf16 compiled with CUDA graphs,
    beside eegpt's default float32 engine (fast path + CUDA graph, exact) and its bf16
    compiled engine. Timed in interleaved rounds (``common.time_calls``).

Each compiled braindecode variant is compiled once per shape (``dynamic=False``); its compile
time and the graph breaks dynamo reported are recorded. Errors are against a float64 CPU run of
braindecode (max |a - b| / max |b|), eegpt's checked against their bounds as elsewhere.

    python benchmarks/bench_braindecode_compiled.py --out benchmarks/results/gpu
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch
from bench_throughput import N_CHANS, N_TIMES, gpu_matmul_rates, time_batch
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

LATENCY_CONFIGS = [(4, 1000), (22, 1000), (64, 1000), (22, 4000)]


def compiled(fn, mode: str | None, *, reset: bool = True) -> tuple[Any, dict[str, Any]]:
    """``torch.compile(fn, mode=mode, dynamic=False)`` (from a clean dynamo state with
    ``reset``, which makes earlier compiled functions compile again on their next call), and a
    record to fill in on the first call (compile seconds, graph breaks)."""
    if reset:
        torch._dynamo.reset()
    torch._dynamo.utils.counters.clear()
    return torch.compile(fn, mode=mode, dynamic=False), {"mode": mode or "default"}


def first_call(fn, x, record: dict[str, Any]) -> torch.Tensor:
    """Call ``fn`` once (compiling it), noting the seconds and dynamo's graph-break count."""
    t0 = time.perf_counter()
    out = fn(x).float().clone()  # CUDA-graph outputs are overwritten by the next replay
    torch.cuda.synchronize()
    record["first_call_s"] = time.perf_counter() - t0
    record["graph_breaks"] = sum(torch._dynamo.utils.counters["graph_break"].values())
    return out


def autocast_call(bd, dtype: torch.dtype):
    def run(x):
        with torch.autocast("cuda", dtype=dtype, enabled=dtype != torch.float32):
            return bd(x)

    return run


def engine_call(ours, ids, batch: int, **kw):
    from eegpt.engine import InferenceEngine

    e = InferenceEngine(ours, torch.device("cuda"), batch_size=batch, **kw)
    plan = e.plan(ids)
    return lambda x: e.forward(x, ids, plan)


def throughput(batches: list[int], min_time: float, depth: int) -> dict[str, Any]:
    bd, ours, ids = model_pair(N_CHANS, N_TIMES, depth=depth, stride=64)
    bd, ours = bd.cuda(), ours.cuda()
    x_check = torch.randn(4, N_CHANS, N_TIMES, device="cuda")
    with torch.inference_mode():
        ref64 = copy.deepcopy(bd).cpu().double()(x_check.cpu().double())
    bf16 = autocast_call(bd, torch.bfloat16)
    variants: dict[str, Any] = {
        "braindecode bf16": lambda b: (bf16, {"mode": "eager"}),
        "braindecode bf16 compiled": lambda b: compiled(bf16, None),
        "braindecode bf16 compiled, CUDA graphs": lambda b: compiled(bf16, "reduce-overhead"),
        "eegpt bf16 compiled": lambda b: (
            engine_call(ours, ids, b, precision="bfloat16", compile=True),
            {"mode": "eegpt engine"},
        ),
        "eegpt bf16 compiled, fp16 stream": lambda b: (
            engine_call(
                ours, ids, b, precision="bfloat16", compile=True, stream_precision="float16"
            ),
            {"mode": "eegpt engine"},
        ),
    }
    rates = gpu_matmul_rates(torch.bfloat16, 8192, min_time)
    flops = ours.config.flops_per_window(N_CHANS, N_TIMES)
    out: dict[str, Any] = {
        "model": {"n_chans": N_CHANS, "n_times": N_TIMES, "depth": depth, "stride": 64},
        "flops_per_window": flops,
        "peak_bf16_flops": rates["sustained"],
        "variants": {},
    }
    for name, make in variants.items():
        entry: dict[str, Any] = {"points": []}
        out["variants"][name] = entry
        for batch in batches:
            x = torch.randn(batch, N_CHANS, N_TIMES, device="cuda")
            x[:4] = x_check
            try:
                with torch.inference_mode():
                    fn, record = make(batch)
                    y = first_call(fn, x, record)[:4]
                    err = rel_err(y, ref64)
                    stats = time_batch(
                        lambda fn=fn, x=x: fn(x), torch.device("cuda"), min_time, 10_000
                    )
            except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                entry["error"] = repr(exc)[:300]
                log(f"{name} batch {batch}: failed: {exc!r}"[:300])
                break
            finally:
                fn = None
                with contextlib.suppress(Exception):
                    torch.cuda.empty_cache()
            wps = batch / (stats["median_ms"] / 1e3)
            entry.setdefault("rel_err_vs_float64", err)
            entry.update(check_error(name, err, f"batch {batch}"))
            entry["points"].append(
                {
                    "batch": batch,
                    **record,
                    **stats,
                    "rel_err_vs_float64": err,
                    "windows_per_s": wps,
                    "fraction_of_peak": wps * flops / rates["sustained"],
                }
            )
            log(
                f"{name:>40} batch {batch:5d}: {stats['median_ms']:8.2f} ms {wps:8.0f} win/s "
                f"err {err:.1e} first call {record.get('first_call_s', 0):.1f}s "
                f"breaks {record.get('graph_breaks', '-')}"
            )
    best = {
        k: max((p["windows_per_s"] for p in v["points"]), default=None)
        for k, v in out["variants"].items()
    }
    out["best_windows_per_s"] = best
    base = best.get("braindecode bf16 compiled, CUDA graphs") or best.get(
        "braindecode bf16 compiled"
    )
    if base:
        out["ratio_vs_best_compiled_braindecode"] = {
            k: v / base for k, v in best.items() if v is not None
        }
    return out


def latency(configs: list[tuple[int, int]], budget: float) -> list[dict[str, Any]]:
    rows = []
    for n_chans, n_times in configs:
        row = latency_config(n_chans, n_times, budget)
        rows.append(row)
        log(
            f"{row['name']:>8}: "
            + "  ".join(
                f"{k} {v.get('median_ms', float('nan')):.3f}ms" for k, v in row["results"].items()
            )
        )
        torch._dynamo.reset()  # the compiled functions of earlier shapes never fill its cache
        with contextlib.suppress(Exception):
            torch.cuda.empty_cache()
    return rows


def latency_config(n_chans: int, n_times: int, budget: float) -> dict[str, Any]:
    """Batch-1 latency of every variant on one configuration."""
    bd, ours, ids = model_pair(n_chans, n_times, depth=2, stride=32)
    bd, ours = bd.cuda(), ours.cuda()
    x = torch.randn(1, n_chans, n_times, device="cuda")
    name = f"{n_chans}x{n_times}"
    fp32, bf16 = autocast_call(bd, torch.float32), autocast_call(bd, torch.bfloat16)
    records: dict[str, dict[str, Any]] = {}
    fns: dict[str, Any] = {}
    errors: dict[str, float] = {}
    with torch.inference_mode():
        ref64 = copy.deepcopy(bd).cpu().double()(x.cpu().double())
        makers = {
            "braindecode fp32": lambda: (fp32, {"mode": "eager"}),
            "braindecode fp32 compiled, CUDA graphs": lambda: compiled(
                fp32, "reduce-overhead", reset=False
            ),
            "braindecode bf16 compiled, CUDA graphs": lambda: compiled(
                bf16, "reduce-overhead", reset=False
            ),
            "eegpt fp32": lambda: (
                engine_call(ours, ids, 1, compile=False),
                {"mode": "eegpt engine (fast path + CUDA graph)"},
            ),
            "eegpt bf16 compiled": lambda: (
                engine_call(ours, ids, 1, precision="bfloat16", compile=True),
                {"mode": "eegpt engine"},
            ),
        }
        # no dynamo reset between these (it would make the first compiled variant compile
        # again while timed); dynamo is reset after each configuration instead, so the
        # compiled functions of earlier shapes never fill its cache (8 entries by default)
        for k, make in makers.items():
            try:
                fn, records[k] = make()
                errors[k] = rel_err(first_call(fn, x, records[k]), ref64)
                fns[k] = lambda fn=fn: fn(x)
            except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
                records[k] = {"error": repr(exc)[:300]}
                log(f"{name} {k}: failed: {exc!r}"[:300])
        timing = time_calls(fns, "cuda", warmup=10, repeats=100, budget_s=budget)
    base = timing["braindecode fp32"]["median_ms"]
    best_bd = min(timing[k]["median_ms"] for k in timing if k.startswith("braindecode"))
    row = {
        "name": name,
        "results": {
            k: {
                **records[k],
                **timing.get(k, {}),
                "rel_err_vs_float64": errors.get(k),
                "speedup_vs_braindecode_fp32": base / timing[k]["median_ms"]
                if k in timing
                else None,
                "speedup_vs_fastest_braindecode": best_bd / timing[k]["median_ms"]
                if k in timing
                else None,
                **check_error(k, errors.get(k), name),
            }
            for k in records
        },
    }
    return row


def plot(results: dict[str, Any], out: Path) -> None:
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
    rows = results.get("latency", [])
    names = list(rows[0]["results"]) if rows else []
    width = 0.8 / max(1, len(names))
    hatches = ["", "//", "xx", "..", "\\\\"]
    for i, k in enumerate(names):
        ms = [r["results"][k].get("median_ms", float("nan")) for r in rows]
        a1.bar([j + i * width for j in range(len(rows))], ms, width, label=k, hatch=hatches[i % 5])
    a1.set_xticks([j + width * (len(names) - 1) / 2 for j in range(len(rows))])
    a1.set_xticklabels([r["name"] for r in rows])
    a1.set_xlabel("channels x samples (depth 2, stride 32, batch 1)")
    a1.set_ylabel("median latency (ms)")
    a1.set_title("batch-1 latency")
    top = max((v.get("median_ms", 0) for r in rows for v in r["results"].values()), default=1)
    a1.set_ylim(0, top * 1.45)  # room for the legend above the bars
    a1.legend(fontsize=7, ncols=2, loc="upper left")
    tp = results.get("throughput", {}).get("variants", {})
    for i, (k, v) in enumerate(tp.items()):
        pts = v["points"]
        a2.plot(
            [p["batch"] for p in pts],
            [p["windows_per_s"] for p in pts],
            marker="osD^v"[i % 5],
            linestyle=["-", "--", ":", "-.", "-"][i % 5],
            label=k,
        )
    a2.set_xscale("log", base=2)
    batches = sorted({p["batch"] for v in tp.values() for p in v["points"]})
    a2.set_xticks(batches, [str(b) for b in batches])
    a2.minorticks_off()
    a2.set_xlabel("batch (windows)")
    a2.set_ylabel("windows / s (median call)")
    a2.set_title("throughput, 58 x 1024, depth 8")
    a2.legend(fontsize=7)
    a2.set_ylim(bottom=0)
    gpu = results.get("env", {}).get("gpu", "")
    fig.suptitle(f"braindecode compiled (torch.compile, CUDA graphs) vs eegpt, {gpu}")
    fig.savefig(out, dpi=120)
    print(f"wrote {out}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--batches", default="256,1024", help="throughput batch sizes")
    ap.add_argument("--configs", default=None, help="latency configurations, e.g. 4x1000,22x4000")
    ap.add_argument("--min-time", type=float, default=2.0, help="seconds per throughput point")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds per latency config")
    ap.add_argument("--parts", default="latency,throughput")
    ap.add_argument("--smoke", action="store_true", help="depth 2, small batches, short timing")
    ap.add_argument(
        "--plot-only", action="store_true", help="draw the figure of OUT's JSON, measure nothing"
    )
    args = ap.parse_args()
    path = args.out / "braindecode_compiled.json"
    # parts measured in separate runs (each with its own baselines) land in one file
    results: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    if args.plot_only:
        plot(results, args.out / "braindecode_compiled.png")
        return
    if not torch.cuda.is_available():
        sys.exit("bench_braindecode_compiled.py needs a CUDA GPU")
    configs = LATENCY_CONFIGS
    if args.configs:
        configs = [tuple(int(v) for v in c.split("x")) for c in args.configs.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    depth = 8
    if args.smoke:
        configs, batches, depth = configs[:1], [8], 2
        args.min_time, args.budget = 0.2, 1.0
    results.update(benchmark="braindecode_compiled", env=environment("cuda"))
    parts = args.parts.split(",")
    if "latency" in parts:
        results["latency"] = latency(configs, args.budget)
        results["latency_env"] = results["env"]
        write_json(path, results)
    if "throughput" in parts:
        results["throughput"] = throughput(batches, args.min_time, depth)
        results["throughput_env"] = results["env"]
        write_json(path, results)
    plot(results, args.out / "braindecode_compiled.png")
    checked = [
        (f"{r['name']} {k}", v) for r in results.get("latency", []) for k, v in r["results"].items()
    ] + [(k, v) for k, v in results.get("throughput", {}).get("variants", {}).items()]
    failed = failed_error_checks(checked)
    if failed:
        log("ERROR: outside the documented error bound: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
