"""Probe: Hopper GEMMs from CUTLASS (warp-specialised ping-pong) against cuBLAS at the encoder's shapes.

cuBLAS runs the large encoder's bf16 GEMMs with its "cooperative" Hopper kernels
(``nvjet_sm90_tst_256x128_..._coopA``: both consumer warpgroups on one tile), whose epilogue
(bias, GELU, the store) does not overlap the next tile's main loop. At K = 512 (qkv, output
projection, fc1) a tile's main loop is short, so the epilogue is a large share. CUTLASS's
*ping-pong* schedule gives each consumer warpgroup its own tile, so one's epilogue runs while
the other's matrix multiply does. ``hopper_gemm.cu`` (compiled separately, see below) holds a
few CUTLASS 3 kernels (``Y = act(X @ W^T + b)``, bf16, float32 accumulation, per-column
bias, optional tanh-GELU) behind a C interface; this script

1. checks each against PyTorch and times it against PyTorch's GEMM (cuBLAS/cuBLASLt) at the
   large encoder's batch-512 shapes, in alternating rounds (same power-limited clock);
2. checks that a call is captured and replayed by a CUDA graph;
3. patches the fastest kernel per shape into the fast path's linear layers (a custom op, so
   ``torch.compile`` leaves it alone) and times the compiled bf16 engine with and without it.

    bash benchmarks/experiments/build_hopper_gemm.sh CUTLASS_DIR /tmp/gemm      # nvcc >= 12.3, ~1.5 min/kernel
    python benchmarks/experiments/probe_cutlass_gemm.py --lib /tmp/gemm/libeegpt_gemm.so --out results/h200

Result on an H200 (``results/h200/probe_cutlass_gemm.json``): alone, the ping-pong kernels
beat PyTorch's GEMM at every shape by 5-10%; patched into the compiled engine they made it
2-4% slower (kernel times inside the engine: cuBLAS 36.5 ms of GEMMs per batch of 512, CUTLASS
38.7 ms). Not kept.
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import statistics
import time
import traceback
from pathlib import Path

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import environment, event_ms, log, rel_err, write_json

import eegpt.fast_path as M

#: name -> (K, N, gelu) of the large encoder's GEMMs (rows = batch x 16 patches x 62 tokens)
SHAPES = {"qkv": (512, 1536, False), "proj": (512, 512, False), "fc1+gelu": (512, 2048, True),
          "fc2": (2048, 512, False)}  # fmt: skip
CONFIGS = {0: "ping-pong 128x128x64, cluster 1x1", 1: "ping-pong 128x128x64, cluster 2x1",
           2: "ping-pong 128x128x64, cluster 1x2", 3: "cooperative 256x128x64, cluster 1x2",
           4: "ping-pong 64x256x64, cluster 1x1", 5: "cooperative 128x256x64, cluster 1x2"}  # fmt: skip

_LIB: ctypes.CDLL | None = None
_FNS: dict[int, ctypes._CFuncPtr] = {}


def load(path: Path, ids: list[int]) -> list[int]:
    """Load the library; return the configuration ids it holds."""
    global _LIB
    _LIB = ctypes.CDLL(str(path))
    found = []
    for i in ids:
        try:
            fn = getattr(_LIB, f"eegpt_gemm_{i}")
        except AttributeError:
            continue
        fn.argtypes = (
            [ctypes.c_int] * 4 + [ctypes.c_void_p] * 5 + [ctypes.c_size_t, ctypes.c_void_p]
        )
        fn.restype = ctypes.c_int
        _FNS[i] = fn
        found.append(i)
    return found


def gemm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, gelu: bool, cfg: int) -> torch.Tensor:
    """``act(x @ w.T + b)`` through CUTLASS configuration ``cfg`` (bf16, 2-D ``x``)."""
    m, k = x.shape
    n = w.shape[0]
    y = torch.empty(m, n, device=x.device, dtype=x.dtype)
    stream = torch.cuda.current_stream(x.device).cuda_stream
    rc = _FNS[cfg](int(gelu), m, n, k, x.data_ptr(), w.data_ptr(), b.data_ptr(), y.data_ptr(),
                   None, 0, stream)  # fmt: skip
    if rc:
        raise RuntimeError(f"CUTLASS GEMM {cfg} failed ({rc}) for {m}x{n}x{k}")
    return y


@torch.library.custom_op("eegpt_probe::cutlass_linear", mutates_args=())
def cutlass_linear(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, gelu: bool,
                   cfg: int) -> torch.Tensor:  # fmt: skip
    y = gemm(x.reshape(-1, x.shape[-1]).contiguous(), w.contiguous(), b.contiguous(), gelu, cfg)
    return y.reshape(*x.shape[:-1], w.shape[0])


@cutlass_linear.register_fake
def _(x, w, b, gelu, cfg):
    return x.new_empty(*x.shape[:-1], w.shape[0])


def torch_op(x, w, b, gelu):
    if gelu:
        return torch._addmm_activation(b, x, w.t(), use_gelu=True)
    return F.linear(x, w, b)


def gemms(rows: int, ids: list[int], rounds: int) -> dict:
    out = {}
    for name, (k, n, gelu) in SHAPES.items():
        torch.manual_seed(0)
        x = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
        w = (torch.randn(n, k, device="cuda") / k**0.5).to(torch.bfloat16)
        b = (torch.randn(n, device="cuda") * 0.1).to(torch.bfloat16)
        sub = slice(0, 4096)
        ref = x[sub].float() @ w.float().t() + b.float()
        ref = F.gelu(ref, approximate="tanh") if gelu else ref
        variants = {"torch": functools.partial(torch_op, x, w, b, gelu)}
        rec = {"K": k, "N": n, "gelu": gelu, "rows": rows,
               "err_torch": rel_err(torch_op(x[sub], w, b, gelu).float(), ref)}  # fmt: skip
        for i in ids:
            try:
                rec[f"err_{i}"] = rel_err(gemm(x[sub], w, b, gelu, i).float(), ref)
                variants[str(i)] = functools.partial(gemm, x, w, b, gelu, i)
            except Exception as e:  # noqa: BLE001
                rec[f"error_{i}"] = repr(e)
        times: dict[str, list[float]] = {v: [] for v in variants}
        for fn in variants.values():
            fn()
        torch.cuda.synchronize()
        for _ in range(rounds):
            for v, fn in variants.items():
                times[v].append(event_ms(fn, 10))
        rec["ms"] = {v: statistics.median(t) for v, t in times.items()}
        flop = 2 * rows * k * n
        rec["TFLOP_per_s"] = {v: flop / ms / 1e9 for v, ms in rec["ms"].items()}
        best = min((v for v in rec["ms"] if v != "torch"), key=rec["ms"].get, default=None)
        rec["best"] = best
        log(f"{name:>9}: torch {rec['ms']['torch']:.3f} ms; " + ", ".join(
            f"{v} {ms:.3f} (err {rec.get('err_' + v, 0):.1e})"
            for v, ms in rec["ms"].items() if v != "torch"))  # fmt: skip
        out[name] = rec
    return out


def graph_check(ids: list[int]) -> dict:
    x = torch.randn(4096, 512, device="cuda", dtype=torch.bfloat16)
    w = (torch.randn(2048, 512, device="cuda") / 512**0.5).to(torch.bfloat16)
    b = torch.randn(2048, device="cuda").to(torch.bfloat16)
    cfg = ids[0]
    eager = gemm(x, w, b, True, cfg)
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        gemm(x, w, b, True, cfg)
    torch.cuda.current_stream().wait_stream(side)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        y = gemm(x, w, b, True, cfg)
    x.copy_(torch.randn_like(x))
    g.replay()
    torch.cuda.synchronize()
    fresh = gemm(x, w, b, True, cfg)
    return {"config": cfg, "replay_equals_eager": bool(torch.equal(y, fresh)),
            "changed_input_changed_output": not bool(torch.equal(y, eager))}  # fmt: skip


def engine(best: dict[tuple[int, int, bool], int], seconds: float) -> list[dict]:
    """The compiled bf16 engine with each eligible linear layer through its fastest CUTLASS
    configuration, against the engine as it is (alternating rounds)."""
    import explore_throughput as ET

    from eegpt.engine import InferenceEngine

    batch = 512
    enc, x, ids, ref, flops = ET.perturbed_large_encoder(batch)
    original = M._linear

    def linear(x, layer, packed=None, *, gelu=False, part=None):
        w, b = layer.weight, layer.bias
        if part is not None:
            rows = slice(0, layer.in_features) if part == "q" else slice(layer.in_features, None)
            w, b = w[rows], None if b is None else b[rows]
        cfg = best.get((w.shape[1], w.shape[0], gelu))
        pw = None if packed is None else packed.get(layer if part is None else (layer, part))
        if cfg is None or pw is not None or b is None or w.dtype != torch.bfloat16:
            return original(x, layer, packed, gelu=gelu, part=part)
        return cutlass_linear(x.to(w.dtype), w, b, gelu, cfg)

    def only(keep):
        def choose(x, layer, packed=None, *, gelu=False, part=None):
            if keep(gelu):
                return linear(x, layer, packed, gelu=gelu, part=part)
            return original(x, layer, packed, gelu=gelu, part=part)

        return choose

    variants = {
        "cuBLAS": original,
        "CUTLASS GEMMs": linear,
        "CUTLASS fc1 + GELU only": only(lambda gelu: gelu),
        "CUTLASS qkv, proj, fc2 only": only(lambda gelu: not gelu),
    }
    engines = {}
    for name, fn in variants.items():
        with ET.patched(_linear=fn):
            engines[f"engine bf16 compiled, {name}"] = ET.compiled_engine(enc, x, ids, ref)
    rows = ET.alternate_rounds(engines, batch, flops, seconds)
    for name in ("cuBLAS", "CUTLASS GEMMs"):
        with ET.patched(_linear=variants[name]):
            torch._dynamo.reset()
            e = InferenceEngine(enc, "cuda", precision="bfloat16", batch_size=batch,
                                compile=True, cuda_graphs=False)  # fmt: skip
            plan = e.plan(ids)
            for _ in range(3):
                e.forward(x, ids, plan)
            rows.append({"variant": f"kernels, {name} (no CUDA graph)",
                         "kernels": kernel_table(functools.partial(e.forward, x, ids, plan))})  # fmt: skip
    return rows


def kernel_table(fn, calls: int = 3) -> list[dict]:
    """Total CUDA time per kernel name over ``calls`` calls, largest first (ms per call)."""
    from torch.profiler import ProfilerActivity, profile

    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            fn()
        torch.cuda.synchronize()
    table: dict[str, list[float]] = {}
    for ev in prof.events():
        if ev.device_type == torch.autograd.DeviceType.CUDA:
            table.setdefault(ev.name, []).append(ev.device_time_total / 1e3)
    rows = [{"kernel": k[:160], "ms_per_call": sum(v) / calls, "launches_per_call": len(v) / calls}
            for k, v in table.items()]  # fmt: skip
    rows.sort(key=lambda r: -r["ms_per_call"])
    total = sum(r["ms_per_call"] for r in rows)
    log(f"kernel time per call: {total:.2f} ms")
    for r in rows[:25]:
        log(f"  {r['ms_per_call']:7.3f} ms  x{r['launches_per_call']:4.0f}  {r['kernel'][:110]}")
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--lib", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--configs", default=",".join(map(str, CONFIGS)))
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--no-engine", action="store_true")
    args = p.parse_args()
    ids = load(args.lib, [int(i) for i in args.configs.split(",")])
    log(f"configurations in {args.lib}: {ids}")
    results: dict = {"environment": environment(torch.device("cuda")),
                     "configs": {i: CONFIGS[i] for i in ids}}  # fmt: skip
    t0 = time.perf_counter()
    results["gemms"] = gemms(512 * 16 * 62, ids, args.rounds)
    log(f"GEMMs timed in {time.perf_counter() - t0:.0f} s")
    write_json(args.out / "probe_cutlass_gemm.json", results)
    try:
        results["graph"] = graph_check(ids)
        log(f"CUDA graph: {results['graph']}")
    except Exception:  # noqa: BLE001
        results["graph"] = {"error": traceback.format_exc()}
        log(results["graph"]["error"])
    write_json(args.out / "probe_cutlass_gemm.json", results)
    best = {}
    for rec in results["gemms"].values():
        if rec["best"] is not None and rec["ms"][rec["best"]] < rec["ms"]["torch"]:
            best[(rec["K"], rec["N"], rec["gelu"])] = int(rec["best"])
    results["used"] = {f"{k}x{n}{' gelu' if g else ''}": c for (k, n, g), c in best.items()}
    log(f"faster than PyTorch: {results['used']}")
    if best and not args.no_engine:
        results["engine"] = engine(best, args.seconds)
    write_json(args.out / "probe_cutlass_gemm.json", results)


if __name__ == "__main__":
    main()
