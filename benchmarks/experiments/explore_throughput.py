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

``--experiment kernel``: eegpt's Triton short-sequence attention kernel
(``eegpt.short_attention``) against SDPA, first alone on one layer's attention (each launch
configuration with ``--search``: heads per program x warps; full sequences and the last
block's 4 query rows), then in the engine (bf16/fp16, compiled or not), on and off.

``--experiment fused-ln``: the experimental GEMM + residual + LayerNorm kernel
(``triton_residual_layernorm.py``) against what the compiled engine runs for the same step
(cuBLAS GEMM, then inductor's fused residual add + LayerNorm), at the large model's shapes
(output projection K = 512, fc2 K = 2048; ``batch x 16 x 62`` rows), each launch configuration;
then the compiled bf16 engine with the middle blocks' GEMM + residual + LayerNorm steps as that
kernel (``fused_middle_blocks``, patched in: 11 of the 14 full-size sites), against the engine
as it is.

``--experiment sustained``: the GPU's clock under load -- an 8192^3 bf16 matmul in a burst and
over seconds, the compiled bf16 engine over seconds, ``nvidia-smi`` sampling clocks, power and
throttle reasons meanwhile -- then every kernel of one compiled forward in launch order and a
profiler trace (why ``bench_throughput.py`` times the matmul like the encoder).

``--experiment memory-passes``: the compiled bf16 engine with and without each change that
removes a memory pass (the first block's summary-row q/k/v read from their shared constant
instead of a concatenated copy; the float32 stream written once per block instead of twice;
the last block in "absorbed" form; the stream stored in float16/bfloat16), the old forms
patched in, timed in alternating rounds.

``--experiment attention-pipeline``: the attention kernel's loop over heads software-pipelined
(``HEAD_STAGES``) in a few launch configurations, alone and (the fastest) in the compiled bf16
engine; and inductor's coordinate-descent tuning of its LayerNorm/residual kernels.

``--experiment graph-streams``: the compiled engine with each batch split across 2 or 4 parallel
CUDA streams inside its graph, with and without an offset between the parts.

``--experiment power``: board power, SM clock and windows per joule of braindecode (bf16
autocast) and the compiled engine (both stream dtypes) running back to back, next to the
matmul; the kernel time of one compiled forward by kind.

``--experiment gemm-gelu``: fc1 + GELU as the persistent TMA Triton GEMM of
``triton_gemm_gelu.py`` against cuBLASLt's GELU-epilogue GEMM (and the same GEMM without GELU),
each launch configuration, then in the compiled engine, timed in alternating rounds.

    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment precision
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment attention
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment kernel
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment fused-ln
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment sustained
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment gemm-gelu
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment memory-passes
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment attention-pipeline
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment graph-streams
    python benchmarks/experiments/explore_throughput.py --out results/h200 --experiment power

Writes ``explore_throughput_<experiment>.json``; nothing here changes the package.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from pathlib import Path

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import environment, log, rel_err, write_json

import eegpt.fast_path as M
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


@contextlib.contextmanager
def fused_blocks(enabled: bool):
    """Patch the fast path's middle blocks to ``triton_residual_layernorm.fused_middle_blocks``."""
    saved = M._middle_blocks
    try:
        if enabled:
            from triton_residual_layernorm import fused_middle_blocks

            M._middle_blocks = fused_middle_blocks
        yield
    finally:
        M._middle_blocks = saved


def measure(enc, x, ids, precision, compile_, reps, gelu_epilogue, **options):
    engine = InferenceEngine(
        enc,
        "cuda",
        precision=precision,
        batch_size=len(x),
        compile=compile_,
        gelu_epilogue=gelu_epilogue,
        **options,
    )
    for _ in range(3):
        engine.forward(x, ids)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        engine.forward(x, ids)
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps, engine


def kernel_configs(seqs: int, search: bool, heads: int = 8, hd: int = 64) -> list[dict]:
    """One layer's attention (large model, ``seqs`` sequences of 62 tokens; all query rows, and
    the last block's 4) under SDPA and under the Triton kernel: its configured launch, or with
    ``search`` every (heads per program, warps) pair."""
    from triton.testing import do_bench

    import eegpt.short_attention as SA

    n, d = 62, heads * hd
    qkv = torch.randn(seqs, n, 3 * d, device="cuda", dtype=torch.bfloat16)
    q, k, v = qkv.chunk(3, dim=-1)

    def split(t):
        return t.unflatten(-1, (heads, hd)).transpose(1, 2)

    def flash(q, k, v):
        out = F.scaled_dot_product_attention(split(q), split(k), split(v))
        return out.transpose(1, 2).flatten(2)

    rows = []
    for n_q in (n, 4):
        qq = q[:, n - n_q :]
        moved = 2 * seqs * (n_q * d + 2 * n * d + n_q * d)  # bytes read + written
        ref = flash(qq, k, v).float()
        ms = do_bench(lambda qq=qq: flash(qq, k, v), warmup=25, rep=200)
        rows.append({"kernel": "sdpa (default backend)", "n_q": n_q, "us": ms * 1e3,
                     "GB_per_s": moved / ms / 1e6})  # fmt: skip
        log(f"attention n_q={n_q:3d} sdpa: {ms * 1e3:8.1f} us, {moved / ms / 1e6:6.0f} GB/s")
        few = n_q <= SA.FEW_ROWS
        names = ("HEADS_PER_PROGRAM", "NUM_WARPS")
        names = tuple(f"{a}_FEW_ROWS" for a in names) if few else names
        configured = tuple(getattr(SA, a) for a in names)
        grid = [(p, w) for p in (1, 2, 4, 8) for w in (1, 2, 4, 8)] if search else [configured]
        for per, warps in grid:
            for a, value in zip(names, (per, warps), strict=True):
                setattr(SA, a, value)
            out = SA.short_attention(qq, k, v, heads).float()
            err = ((out - ref).abs().max() / ref.abs().max()).item()
            ms = do_bench(lambda qq=qq: SA.short_attention(qq, k, v, heads), warmup=25, rep=200)
            rows.append({"kernel": "triton", "n_q": n_q, "heads_per_program": per,
                         "num_warps": warps, "us": ms * 1e3, "GB_per_s": moved / ms / 1e6,
                         "rel_err_vs_sdpa": err})  # fmt: skip
            log(f"attention n_q={n_q:3d} triton heads/program {per} warps {warps}: "
                f"{ms * 1e3:8.1f} us, {moved / ms / 1e6:6.0f} GB/s, err {err:.1e}")  # fmt: skip
        for a, value in zip(names, configured, strict=True):
            setattr(SA, a, value)
    return rows


def fused_ln_configs(rows: int) -> list[dict]:
    """The GEMM + residual + LayerNorm step under cuBLAS + inductor and under each launch
    configuration of the experimental Triton kernel (bf16, D = 512)."""
    from triton.testing import do_bench
    from triton_residual_layernorm import CONFIGS, linear_residual_layernorm

    out = []
    d = 512
    norm = torch.nn.LayerNorm(d, eps=1e-6).cuda()
    for k in (512, 2048):
        a = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
        weight = (torch.randn(d, k, device="cuda") / k**0.5).to(torch.bfloat16)
        bias = torch.randn(d, device="cuda", dtype=torch.bfloat16)
        x = torch.randn(rows, d, device="cuda")

        @torch.compile(dynamic=False)
        def library(a, x, weight=weight, bias=bias):
            x_new = x + F.linear(a, weight, bias)
            return x_new, norm(x_new).to(torch.bfloat16)

        with torch.no_grad():
            _, h_ref = library(a, x)
            ms = do_bench(lambda a=a, x=x, f=library: f(a, x), warmup=25, rep=200)
            flop = 2 * rows * k * d
            out.append({"kernel": "cuBLAS + inductor add/LayerNorm", "K": k, "us": ms * 1e3,
                        "TFLOP_per_s": flop / ms / 1e9})  # fmt: skip
            log(f"fused-ln K={k:4d} cuBLAS + inductor: {ms * 1e3:8.1f} us")
            for config in CONFIGS:
                try:
                    args = (a, weight, bias, x, norm.weight, norm.bias, norm.eps, list(config))
                    _, h = linear_residual_layernorm(*args)
                    ms = do_bench(
                        lambda args=args: linear_residual_layernorm(*args),
                        warmup=25,
                        rep=200,
                    )
                except Exception as err:  # e.g. out of shared memory: a result too
                    out.append({"kernel": "triton", "K": k, "config": config, "error": repr(err)})
                    log(f"fused-ln K={k:4d} triton {config}: failed: {err!r}"[:300])
                    continue
                err_h = ((h.float() - h_ref.float()).abs().max() / h_ref.float().abs().max()).item()
                out.append({"kernel": "triton", "K": k, "config": config, "us": ms * 1e3,
                            "TFLOP_per_s": flop / ms / 1e9, "rel_err_h": err_h})  # fmt: skip
                log(f"fused-ln K={k:4d} triton {config}: {ms * 1e3:8.1f} us, err {err_h:.1e}")
    return out


def event_times(fn, seconds: float) -> list[float]:
    """Milliseconds of each back-to-back call of ``fn`` over about ``seconds`` (CUDA events)."""
    fn()
    torch.cuda.synchronize()
    pairs = []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        pairs.append((start, end))
        if len(pairs) % 20 == 0:  # keep the host at most ~20 calls ahead
            pairs[-10][1].synchronize()
    torch.cuda.synchronize()
    return [a.elapsed_time(b) for a, b in pairs]


def sustained(enc, x, ids, flops: float, out: Path) -> dict:
    """Clock behaviour under load: the 8192^3 bf16 matmul for 0.05 s (its first 10 calls: the
    burst a peak is usually measured from) and for 6 s, the compiled bf16 engine for 6 s, then
    the matmul again (first 10 calls and second-half median of each); ``nvidia-smi`` samples clocks and power every 100 ms meanwhile. Then the
    kernel sequence of one compiled forward without CUDA graphs, in launch order."""
    import subprocess

    from torch.profiler import ProfilerActivity, profile

    smi_log = open(out / "sustained_nvidia_smi.csv", "w")  # noqa: SIM115 - closed below
    smi = subprocess.Popen(
        ["nvidia-smi", "--query-gpu=timestamp,clocks.sm,clocks.mem,power.draw,temperature.gpu,"
         "clocks_event_reasons.active", "--format=csv", "-lms", "100"],
        stdout=smi_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    mm_flop = 2 * 8192**3

    def mm():
        return a @ a

    def rates(name, ms, flop):
        half = ms[len(ms) // 2 :]
        row = {"what": name, "calls": len(ms), "first10_ms": statistics.median(ms[:10]),
               "median_ms": statistics.median(ms), "second_half_median_ms": statistics.median(half),
               "TFLOP_per_s_first10": flop / statistics.median(ms[:10]) / 1e9,
               "TFLOP_per_s_second_half": flop / statistics.median(half) / 1e9}  # fmt: skip
        log(f"{name}: {len(ms)} calls, first 10 {row['TFLOP_per_s_first10']:.0f} TFLOP/s, "
            f"second half {row['TFLOP_per_s_second_half']:.0f} TFLOP/s")  # fmt: skip
        return row

    time.sleep(2)
    res = {"t0": time.time(), "rows": []}
    engine = InferenceEngine(enc, "cuda", precision="bfloat16", batch_size=len(x), compile=True)
    plan = engine.plan(ids)
    engine.forward(x, ids, plan)
    torch.cuda.synchronize()
    time.sleep(5)  # cool down after compiling
    res["rows"].append(rates("matmul 8192^3 burst", event_times(mm, 0.05), mm_flop))
    time.sleep(3)
    res["rows"].append(rates("matmul 8192^3 sustained", event_times(mm, 6.0), mm_flop))
    time.sleep(5)
    fwd = lambda: engine.forward(x, ids, plan)  # noqa: E731
    res["rows"].append(rates("engine bf16 compiled, batch", event_times(fwd, 6.0), flops * len(x)))
    time.sleep(5)
    res["rows"].append(rates("matmul 8192^3 sustained (after)", event_times(mm, 6.0), mm_flop))
    smi.terminate()
    smi.wait()
    smi_log.close()
    a = None  # free the matmul operand before profiling
    eager = InferenceEngine(
        enc, "cuda", precision="bfloat16", batch_size=len(x), compile=True, cuda_graphs=False
    )
    eager.forward(x, ids, plan)
    torch.cuda.synchronize()
    time.sleep(2)
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        eager.forward(x, ids, plan)
        torch.cuda.synchronize()
    prof.export_chrome_trace(str(out / "sustained_trace.json"))
    kernels = [
        {"name": e.name[:200], "us": e.device_time, "start_us": e.time_range.start}
        for e in prof.events() if e.device_type.name == "CUDA" and e.device_time > 0
    ]  # fmt: skip
    res["kernels"] = sorted(kernels, key=lambda k: k["start_us"])
    return res


def gemm_gelu(enc, x, ids, ref, flops: float) -> dict:
    """fc1 + tanh-GELU: cuBLASLt's GELU-epilogue GEMM (the engine's), the same GEMM without the
    GELU (bias only: the floor), and each launch configuration of the Triton kernel
    (``triton_gemm_gelu.py``), at fc1's shape (``batch x 16 x 62`` rows) and the last block's
    (4 rows per sequence). Then the compiled bf16 engine with fc1 + GELU as the fastest Triton
    configuration (patched in while compiling) against the engine as it is, timed in alternating
    rounds of ~3 s so that both see the same power-limited clock."""
    import triton_gemm_gelu as tgg
    from triton.testing import do_bench
    from triton_gemm_gelu import CONFIGS, gemm_gelu_tanh, reference

    out: dict = {"alone": [], "end_to_end": []}
    d, hidden = 512, 2048
    weight = (torch.randn(hidden, d, device="cuda") / d**0.5).to(torch.bfloat16)
    bias = torch.randn(hidden, device="cuda").to(torch.bfloat16)
    for rows in (len(x) * 16 * 62, len(x) * 16 * 4):
        a = torch.randn(rows, d, device="cuda").to(torch.bfloat16)
        want = reference(a, weight, bias).float()
        flop = 2 * rows * d * hidden

        def row(kernel, fn, config=None, rows=rows, flop=flop, want=want):
            try:
                err = ((fn().float() - want).abs().max() / want.abs().max()).item()
                ms = do_bench(fn, warmup=50, rep=300)
            except Exception as exc:  # e.g. out of shared memory: a result too
                log(f"gemm-gelu M={rows} {kernel} {config}: failed: {exc!r}"[:300])
                return {"kernel": kernel, "M": rows, "config": config, "error": repr(exc)[:300]}
            log(f"gemm-gelu M={rows:7d} {kernel:>28} {str(config or ''):>34}: {ms * 1e3:8.1f} us, "
                f"{flop / ms / 1e9:4.0f} TFLOP/s, err {err:.1e}")  # fmt: skip
            return {"kernel": kernel, "M": rows, "config": config, "us": ms * 1e3,
                    "TFLOP_per_s": flop / ms / 1e9, "rel_err": err}  # fmt: skip

        cublas = lambda a=a: M.linear_gelu_tanh(a, weight, bias)  # noqa: E731
        out["alone"].append(row("cuBLASLt GELU epilogue", cublas))
        plain = lambda a=a: F.linear(a, weight, bias)  # noqa: E731
        out["alone"].append(row("cuBLAS bias only (no GELU)", plain))
        for config in CONFIGS:
            fn = lambda a=a, c=list(config): gemm_gelu_tanh(a, weight, bias, c)  # noqa: E731
            out["alone"].append(row("triton", fn, list(config)))
        out["alone"].append(row("cuBLASLt GELU epilogue (again)", cublas))
    timed = [r for r in out["alone"] if r.get("config") and "us" in r and r["M"] > len(x) * 64]
    if not timed:
        return out
    tgg.OP_CONFIG = tuple(min(timed, key=lambda r: r["us"])["config"])
    out["op_config"] = tgg.OP_CONFIG
    engines = {}
    saved = M.linear_gelu_tanh
    for name, op in (("engine (cuBLASLt GELU epilogue)", saved),
                     ("engine + Triton GEMM/GELU", gemm_gelu_tanh)):  # fmt: skip
        M.linear_gelu_tanh = op
        try:
            engines[name] = compiled_engine(enc, x, ids, ref)
        finally:
            M.linear_gelu_tanh = saved
    out["end_to_end"] = alternate_rounds(engines, len(x), flops, seconds=3.0)
    return out


def compiled_engine(enc, x, ids, ref, setup=None, **options) -> tuple:
    """``(forward of one batch, error vs float64)`` for a compiled engine (bf16 unless
    ``options`` say otherwise) whose CUDA graph is captured now: whatever is patched in at this
    moment (or by ``setup(engine)``) stays in the graph."""
    torch._dynamo.reset()
    options = {"precision": "bfloat16", **options}
    e = InferenceEngine(enc, "cuda", batch_size=len(x), compile=True, **options)
    if setup is not None:
        setup(e)
    plan = e.plan(ids)
    e.forward(x, ids, plan)
    err = None if ref is None else rel_err(e.forward(x, ids, plan)[: len(ref)].float(), ref)
    return (lambda: e.forward(x, ids, plan)), err


def alternate_rounds(engines: dict, batch: int, flops: float, seconds: float) -> list[dict]:
    """Time each ``name -> (fn, err)`` in 3 alternating rounds of ``seconds`` (same power-limited
    clock for all), median call."""
    times: dict[str, list[float]] = {name: [] for name in engines}
    for _ in range(3):
        for name, (fn, _) in engines.items():
            time.sleep(1.0)
            times[name] += event_times(fn, seconds)
    rows = []
    for name, (_, err) in engines.items():
        ms = statistics.median(times[name])
        wps = batch / ms * 1e3
        rows.append({"variant": name, "median_ms": ms, "windows_per_s": wps,
                     "calls": len(times[name]), "rel_err_vs_float64": err,
                     "TFLOP_per_s": wps * flops / 1e12})  # fmt: skip
        log(f"{name:>52}: {ms:7.2f} ms, {wps:7.0f} windows/s, {wps * flops / 1e12:.0f} TFLOP/s "
            f"(nominal), err {'-' if err is None else f'{err:.2e}'}")  # fmt: skip
    return rows


def _first_block_concatenated(blk, tokens, patches, plan):
    """The first block as before the tail form: the summary rows' q/k/v concatenated to the
    channels' (a copy of ``[L, C + S, 3D]``) before attention."""
    seqs, c, _ = patches.shape
    weight = plan.channel.first_qkv
    var, _ = torch.var_mean(tokens[:, :c], dim=-1, keepdim=True, correction=0)
    rstd = (var + blk.norm1.eps).rsqrt_()
    inputs = torch.cat([patches, plan.channel.one_hot.expand(seqs, c, c)], dim=-1).mul_(rstd)
    chan_qkv = F.linear(inputs.to(weight.dtype), weight, plan.first_qkv_const)
    qkv = torch.cat([chan_qkv, plan.summary_qkv.expand(seqs, *plan.summary_qkv.shape)], dim=1)
    a = M._sdpa(blk.attn, *qkv.chunk(3, dim=-1), plan.packed)
    return M._residual_mlp(blk, tokens, a, plan.packed)


def _residual_mlp_stored(blk, t, a, packed):
    """After attention as before: ``u = t + a`` stored, then ``u + mlp(norm2(u))``."""
    u = t + a
    return u + M._mlp(blk.mlp, M._norm(u, blk.norm2, blk.mlp.fc1.weight.dtype), packed)


@contextlib.contextmanager
def patched(**functions):
    """Swap functions of ``eegpt.fast_path`` for the duration."""
    saved = {name: getattr(M, name) for name in functions}
    try:
        for name, fn in functions.items():
            setattr(M, name, fn)
        yield
    finally:
        for name, fn in saved.items():
            setattr(M, name, fn)


def memory_passes(enc, x, ids, ref, flops: float) -> list[dict]:
    """The compiled bf16 engine with and without each change that removes a memory pass, timed
    in alternating rounds: the first block's attention reading the summary rows' q/k/v from
    the shared ``[S, 3D]`` constant (before: a concatenated copy), the float32 stream written
    once per block (before: twice), and the last block in "absorbed" form (keys/values never
    projected)."""
    old_first = {"_first_block_low_rank": _first_block_concatenated}
    old_stream = {"_residual_mlp": _residual_mlp_stored}
    variants = {
        "engine": ({}, "rows", {}),
        "engine, summary q/k/v concatenated (before)": (old_first, "rows", {}),
        "engine, stream stored twice per block (before)": (old_stream, "rows", {}),
        "engine before both": ({**old_first, **old_stream}, "rows", {}),
        "engine + absorbed last block": ({}, "absorbed", {}),
        "engine + float16 stream": ({}, "rows", {"stream_precision": "float16"}),
        "engine + bfloat16 stream": ({}, "rows", {"stream_precision": "bfloat16"}),
        "engine float16 + float16 stream": (
            {},
            "rows",
            {"stream_precision": "float16", "precision": "float16"},
        ),
    }
    engines = {}
    saved_mode = enc.last_block
    for name, (functions, last_block, options) in variants.items():
        enc.last_block = last_block
        try:
            with patched(**functions):
                engines[name] = compiled_engine(enc, x, ids, ref, **options)
        except Exception as err:  # a variant that does not run is a result too
            log(f"{name}: failed: {type(err).__name__}: {err}")
        finally:
            enc.last_block = saved_mode
    return alternate_rounds(engines, len(x), flops, seconds=2.0)


def attention_pipeline(enc, x, ids, ref, flops: float) -> dict:
    """The attention kernel with its loop over heads software-pipelined (``HEAD_STAGES``), alone
    for a few launch configurations, then the fastest in the compiled bf16 engine against the
    configured one; and inductor's coordinate-descent tuning of its own kernels (LayerNorm and
    residual adds), timed in alternating rounds."""
    from triton.testing import do_bench

    import eegpt.short_attention as SA

    heads, hd, n = 8, 64, 62
    seqs = len(x) * 16
    qkv = torch.randn(seqs, n, 3 * heads * hd, device="cuda", dtype=torch.bfloat16)
    q, k, v = qkv.chunk(3, dim=-1)
    moved = 2 * seqs * n * heads * hd * 4  # q, k, v read, output written
    names = ("HEADS_PER_PROGRAM", "NUM_WARPS", "HEAD_STAGES")
    configured = tuple(getattr(SA, a) for a in names)
    ref_out = SA.short_attention(q, k, v, heads)
    alone = []
    grid = [configured, (4, 4, 2), (8, 4, 2), (8, 8, 2), (8, 4, 3), (2, 4, 2), (4, 8, 2), (8, 8, 3)]
    for config in grid:
        for a, value in zip(names, config, strict=True):
            setattr(SA, a, value)
        try:
            same = bool(torch.equal(SA.short_attention(q, k, v, heads), ref_out))
            ms = do_bench(lambda: SA.short_attention(q, k, v, heads), warmup=25, rep=200)
            alone.append({"config": config, "us": ms * 1e3, "GB_per_s": moved / ms / 1e6,
                          "equal_to_configured": same})  # fmt: skip
            log(
                f"attention {config}: {ms * 1e3:7.1f} us, {moved / ms / 1e6:6.0f} GB/s, same {same}"
            )
        except Exception as e:  # noqa: BLE001
            alone.append({"config": config, "error": repr(e)[:300]})
            log(f"attention {config}: {e!r}"[:300])
    for a, value in zip(names, configured, strict=True):
        setattr(SA, a, value)
    timed = [r for r in alone if "us" in r]
    best = min(timed, key=lambda r: r["us"])["config"] if timed else configured
    engines = {"engine (attention " + str(configured) + ")": compiled_engine(enc, x, ids, ref)}
    if best != configured:
        for a, value in zip(names, best, strict=True):
            setattr(SA, a, value)
        engines[f"engine, attention {best}"] = compiled_engine(enc, x, ids, ref)
        for a, value in zip(names, configured, strict=True):
            setattr(SA, a, value)
    import torch._inductor.config as inductor_config

    inductor_config.coordinate_descent_tuning = True
    try:
        engines["engine, inductor coordinate-descent tuning"] = compiled_engine(enc, x, ids, ref)
    finally:
        inductor_config.coordinate_descent_tuning = False
    return {"alone": alone, "best": best,
            "end_to_end": alternate_rounds(engines, len(x), flops, 3.0)}  # fmt: skip


def split_across_streams(engine, parts: int, stagger_cycles: int = 0) -> None:
    """Make ``engine`` run each batch as ``parts`` equal parts forked onto parallel CUDA streams
    and joined (inside its captured graph), the later parts first waiting ``stagger_cycles``
    GPU clock cycles each in a sleep kernel, so their kernels are offset."""
    fn = engine._fn
    streams = [torch.cuda.Stream() for _ in range(parts)]

    def run(x, plan):
        main = torch.cuda.current_stream()
        outs = []
        for i, (part, stream) in enumerate(zip(x.chunk(parts), streams, strict=True)):
            stream.wait_stream(main)
            with torch.cuda.stream(stream):
                if i and stagger_cycles:
                    torch.cuda._sleep(stagger_cycles * i)
                outs.append(fn(part, plan))
        for stream in streams:
            main.wait_stream(stream)
        return torch.cat(outs)

    engine._fn = run


def graph_streams(enc, x, ids, ref, flops: float) -> list[dict]:
    """The compiled bf16 engine with each batch split across parallel CUDA streams inside its
    graph, so one part's memory-bound kernels (LayerNorm, attention) can overlap another
    part's GEMMs; with and without the parts offset by a sleep kernel, with both stream
    dtypes; timed in alternating rounds."""
    f16 = {"stream_precision": "float16"}
    variants = {
        "engine": ({}, 1, 0),
        "engine, 2 streams": ({}, 2, 0),
        "engine, 2 streams, offset 0.4 ms": ({}, 2, 600_000),
        "engine, 4 streams": ({}, 4, 0),
        "engine + float16 stream": (f16, 1, 0),
        "engine + float16 stream, 2 streams": (f16, 2, 0),
    }
    engines = {}
    for name, (options, parts, stagger) in variants.items():

        def setup(e, parts=parts, stagger=stagger):
            if parts > 1:
                split_across_streams(e, parts, stagger)

        try:
            engines[name] = compiled_engine(enc, x, ids, ref, setup=setup, **options)
        except Exception as err:  # a variant that does not run is a result too
            log(f"{name}: failed: {type(err).__name__}: {err}")
    return alternate_rounds(engines, len(x), flops, seconds=3.0)


class PowerSampler:
    """``nvidia-smi`` power draw and SM clock every 100 ms in a thread, kept with host times."""

    def __init__(self) -> None:
        import subprocess
        import threading

        self.samples: list[tuple[float, float, float, int]] = []
        self.proc = subprocess.Popen(
            ["nvidia-smi", "--query-gpu=power.draw,clocks.sm,clocks_event_reasons.active",
             "--format=csv,noheader,nounits", "-lms", "100"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                watts, mhz, reasons = (v.strip() for v in line.split(","))
                self.samples.append((time.time(), float(watts), float(mhz), int(reasons, 16)))
            except ValueError:
                continue

    def between(self, t0: float, t1: float) -> dict:
        got = [s for s in self.samples if t0 <= s[0] <= t1]
        if not got:
            return {"samples": 0}
        return {"samples": len(got), "watts": statistics.mean(s[1] for s in got),
                "sm_mhz": statistics.mean(s[2] for s in got),
                "power_capped_fraction": statistics.mean(bool(s[3] & 0x4) for s in got)}  # fmt: skip

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def power(x: torch.Tensor) -> dict:
    """Board power and SM clock while each implementation runs back to back for 8 s (second
    half averaged): braindecode under bf16 autocast, the compiled bf16 engine with each stream
    dtype, the 8192^3 bf16 matmul; windows per joule. Then the CUDA kernel time of one compiled
    forward (float16 stream, no graph), grouped by kind."""
    from bench_throughput import profile_top_kernels
    from common import model_pair

    bd, ours, bd_ids = model_pair(58, 1024, depth=8, stride=64)
    bd = bd.to("cuda")

    def braindecode_bf16():
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
            return bd(x)

    engines = {"braindecode bf16 autocast": (braindecode_bf16, None)}
    for name, options in (
        ("eegpt bf16 compiled", {}),
        ("eegpt bf16 compiled, float16 stream", {"stream_precision": "float16"}),
    ):
        engines[name] = compiled_engine(ours.to("cuda"), x, bd_ids, None, **options)
    a = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    sampler = PowerSampler()
    rows = []
    try:
        for name, (fn, _) in [*engines.items(), ("matmul 8192^3", (lambda: a @ a, None))]:
            time.sleep(4.0)
            t0 = time.time()
            ms = event_times(fn, 8.0)
            t1 = time.time()
            half = ms[len(ms) // 2 :]
            stats = sampler.between((t0 + t1) / 2, t1)
            per_s = (1e3 / statistics.median(half)) * (len(x) if "matmul" not in name else 1)
            row = {"what": name, "calls": len(ms), "median_ms_second_half": statistics.median(half),
                   "per_s": per_s, **stats}  # fmt: skip
            if "watts" in stats and "matmul" not in name:
                row["windows_per_joule"] = per_s / stats["watts"]
            rows.append(row)
            log(f"{name:>40}: {per_s:8.1f}/s, {stats.get('watts', 0):5.0f} W, "
                f"{stats.get('sm_mhz', 0):5.0f} MHz, power-capped "
                f"{100 * stats.get('power_capped_fraction', 0):3.0f}% of samples")  # fmt: skip
    finally:
        sampler.stop()
    a = None
    e = InferenceEngine(ours, "cuda", precision="bfloat16", batch_size=len(x), compile=True,
                        cuda_graphs=False, stream_precision="float16")  # fmt: skip
    plan = e.plan(bd_ids)
    kernels = profile_top_kernels(lambda z: e.forward(z, bd_ids, plan), x, torch.device("cuda"), 25)
    for k, v in kernels["by_kind"].items():
        log(f"kernels {k}: {v['us'] / 1e3:.2f} ms ({100 * v['share']:.0f}%)")
    return {"rows": rows, "kernels_float16_stream": kernels}


def perturbed_large_encoder(batch: int, device: torch.device | str = "cuda") -> tuple:
    """``(encoder, x, ids, ref, flops)``: the large encoder with random weights (seed 0) and
    LayerNorm weights/biases moved away from 1/0 so that precision effects show, ``batch``
    random mV-scale windows of 58 channels x 1024 samples, the channel ids, the float64
    reference embeddings of the first 8 windows (as float32) and the nominal FLOPs per window."""
    torch.manual_seed(0)
    enc = EEGPTEncoder(get_config("large")).eval().to(device)
    with torch.no_grad():
        for m in enc.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.normal_(1.0, 0.2)
                m.bias.normal_(0.0, 0.2)
    c, t = 58, 1024
    ids = list(range(c))
    x = torch.randn(batch, c, t, device=device) * 0.05
    with torch.no_grad():
        ref = EEGPTEncoder._forward_reference(
            enc.double(), x[:8].double(), torch.tensor(ids, device=device)
        ).float()
    enc.float()
    return enc, x, ids, ref, get_config("large").flops_per_window(c, t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--no-compile", action="store_true")
    p.add_argument(
        "--experiment",
        choices=[
            "precision",
            "attention",
            "kernel",
            "fused-ln",
            "sustained",
            "gemm-gelu",
            "memory-passes",
            "attention-pipeline",
            "graph-streams",
            "power",
        ],
        default="precision",
        help="precision: GELU epilogue / residual-stream dtype (patched in); attention: SDPA "
        "backends with the engine's defaults (fused GELU on)",
    )
    p.add_argument("--search", action="store_true", help="kernel: every launch configuration")
    args = p.parse_args()
    dev = torch.device("cuda")
    enc, x, ids, ref, flops = perturbed_large_encoder(args.batch, dev)
    check = x[:8]
    a = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
    for _ in range(3):
        a @ a
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(10):
        a @ a
    torch.cuda.synchronize()
    peak = 2 * 8192**3 * 10 / (time.perf_counter() - t0)
    a = None  # free the matmul operand before profiling
    log(f"bf16 8192^3 matmul: {peak / 1e12:.0f} TFLOP/s")
    results = {"environment": environment(dev), "peak_bf16_flops": peak, "batch": args.batch}
    rows = []
    standalone = {  # experiment -> (key in the JSON, what runs)
        "attention-pipeline": ("attention_pipeline", lambda: attention_pipeline(enc, x, ids, ref, flops)),
        "power": ("power", lambda: power(x)),
        "graph-streams": ("end_to_end", lambda: graph_streams(enc, x, ids, ref, flops)),
        "memory-passes": ("end_to_end", lambda: memory_passes(enc, x, ids, ref, flops)),
        "gemm-gelu": ("gemm_gelu", lambda: gemm_gelu(enc, x, ids, ref, flops)),
        "sustained": ("sustained", lambda: sustained(enc, x, ids, flops, args.out)),
    }  # fmt: skip
    if args.experiment in standalone:
        key, run = standalone[args.experiment]
        results[key] = run()
        write_json(args.out / f"explore_throughput_{args.experiment}.json", results)
        return
    if args.experiment == "fused-ln":
        import triton_residual_layernorm as trl

        results["fused_ln"] = fused_ln_configs(args.batch * 16 * 62)
        timed = [r for r in results["fused_ln"] if r["K"] == 512 and "config" in r and "us" in r]
        if timed:
            trl.OP_CONFIG = tuple(min(timed, key=lambda r: r["us"])["config"])
        results["fused_block_config"] = trl.OP_CONFIG
        write_json(args.out / "explore_throughput_fused-ln.json", results)
        cases = [
            ("bfloat16 (engine default)", "bfloat16", True, False, None, {}),
            ("bfloat16 + Triton GEMM/residual/LayerNorm", "bfloat16", True, False, None,
             {"fused_block": True}),
        ]  # fmt: skip
    elif args.experiment == "kernel":
        results["attention_alone"] = kernel_configs(args.batch * 16, args.search)
        cases = [
            (
                f"{p} short_attention={a}{'' if c else ' (not compiled)'}",
                p,
                True,
                False,
                None,
                {"short_attention": a, "compile": c},
            )
            for p, c in (("bfloat16", True), ("float16", True), ("bfloat16", False))
            for a in (False, True)
        ]
    elif args.experiment == "attention":
        from torch.nn.attention import SDPBackend, sdpa_kernel

        backends = {
            "default": None,
            "flash": SDPBackend.FLASH_ATTENTION,
            "efficient": SDPBackend.EFFICIENT_ATTENTION,
            "cudnn": SDPBackend.CUDNN_ATTENTION,
            "math": SDPBackend.MATH,
        }
        cases = [
            (f"bfloat16 (engine default), attention {k}", "bfloat16", True, False, v, {})
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
                {},
            )
            for p in ("bfloat16", "float16")
            for e, h in ((False, False), (True, False), (False, True), (True, True))
        ]
    for name, precision, epilogue, half, backend, extra in cases:
        torch._dynamo.reset()
        ctx = sdpa_kernel([backend]) if backend is not None else contextlib.nullcontext()
        with half_stream(half), ctx, fused_blocks(extra.pop("fused_block", False)):
            try:
                t_start = time.perf_counter()
                compile_ = extra.pop("compile", not args.no_compile)
                s, engine = measure(enc, x, ids, precision, compile_, args.reps, epilogue, **extra)
                setup_s = time.perf_counter() - t_start - s * args.reps
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
                "setup_s": setup_s,
            }
            rows.append(row)
            results["variants"] = rows
            write_json(args.out / f"explore_throughput_{args.experiment}.json", results)
            log(
                f"{name:>40}: {row['ms_per_batch']:7.2f} ms, {wps:7.0f} windows/s, "
                f"{100 * row['fraction_of_bf16_peak']:.1f}% of peak, err {row['rel_err_vs_float64']:.2e}"
            )
    results["variants"] = rows
    write_json(args.out / f"explore_throughput_{args.experiment}.json", results)


if __name__ == "__main__":
    main()
