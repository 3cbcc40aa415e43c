"""Probe: keep the widest activations in L2 by running GEMM pairs over row chunks.

At the power cap (BENCHMARKS.md, "Both run at the power cap") throughput is set by the energy
per window, and a good share of it is HBM traffic: per token and block the fc1 -> fc2 hidden
activations are 2048 bf16 values written and read again (8 KB), the fused q/k/v projection and
the attention output another 8 KB. Run as one GEMM over all 507 904 rows of a batch of 512,
these go through HBM. Run over row chunks whose intermediate fits in L2 (50 MB on an H100/H200),
with one scratch buffer reused by every chunk, the intermediate should be written and read in
L2 only -- at the price of shorter GEMMs (wave tails, more launches).

Two chunked forms, as opaque custom ops:

* ``mlp_chunks``: fc1 + GELU (cuBLASLt epilogue) into a ``[rows, 2048]`` scratch, then fc2 into
  the output's rows;
* ``attention_chunks``: the q/k/v GEMM of ``seqs`` sequences into a scratch, eegpt's
  short-sequence attention kernel, then the output projection into the output's rows.

Part 1 times each against its one-GEMM form alone (CUDA graphs, alternating rounds; also the
chunked MLP without scratch reuse, to separate the L2 effect from the chunking cost). Part 2
patches them into the compiled bf16 engine (``eegpt.fast_path._mlp`` / ``_block``) and times the
engine in alternating rounds, with its error against float64.

    python benchmarks/experiments/probe_l2_chunks.py --out results/h200

Result on an H200 (``results/h200/probe_l2_chunks.json``): slower in every form. Alone, the
MLP 3.80 ms as two GEMMs vs 3.93-4.20 ms in chunks (the same with or without scratch reuse);
the attention sublayer 2.44 vs 2.70-3.77 ms. In the engine 9636 windows/s -> 9417 (MLP in
16 896-row chunks), 9084 (attention in 136-sequence chunks), 8733 (both). Not kept.
"""

from __future__ import annotations

import time

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import log, run_probe
from explore_throughput import (
    alternate_rounds,
    compiled_engine,
    event_times,
    patched,
    perturbed_large_encoder,
)

import eegpt.fast_path as M
from eegpt import short_attention as short_attn


@torch.library.custom_op("eegpt_probe::mlp_chunks", mutates_args=())
def mlp_chunks(
    x: torch.Tensor,
    w1: torch.Tensor,
    b1: torch.Tensor,
    w2: torch.Tensor,
    b2: torch.Tensor,
    rows: int,
    reuse: bool,
) -> torch.Tensor:
    """``fc2(gelu_tanh(fc1(x)))`` over ``rows``-row chunks of ``x`` ``[..., D]``; the hidden
    chunk goes to one reused scratch (``reuse``) or to its own rows of a full-size buffer."""
    shape = x.shape
    x2 = x.reshape(-1, shape[-1])
    total = x2.shape[0]
    out = x2.new_empty(total, w2.shape[0])
    h = x2.new_empty(min(rows, total) if reuse else total, w1.shape[0])
    for i in range(0, total, rows):
        n = min(rows, total - i)
        hc = h[:n] if reuse else h[i : i + n]
        torch._addmm_activation(b1, x2[i : i + n], w1.t(), use_gelu=True, out=hc)
        torch.addmm(b2, hc, w2.t(), out=out[i : i + n])
    return out.reshape(*shape[:-1], w2.shape[0])


@mlp_chunks.register_fake
def _(x, w1, b1, w2, b2, rows, reuse):
    return x.new_empty(*x.shape[:-1], w2.shape[0])


@torch.library.custom_op("eegpt_probe::attention_chunks", mutates_args=())
def attention_chunks(
    h: torch.Tensor,
    wqkv: torch.Tensor,
    bqkv: torch.Tensor,
    wproj: torch.Tensor,
    bproj: torch.Tensor,
    heads: int,
    seqs: int,
) -> torch.Tensor:
    """``proj(attention(qkv(h)))`` for normalised tokens ``h`` ``[L, n, D]``, ``seqs``
    sequences at a time through one reused q/k/v scratch."""
    L, n, d = h.shape
    out = h.new_empty(L, n, d)
    qkv = h.new_empty(min(seqs, L), n, 3 * d)
    for i in range(0, L, seqs):
        m = min(seqs, L - i)
        torch.addmm(bqkv, h[i : i + m].reshape(-1, d), wqkv.t(), out=qkv[:m].view(-1, 3 * d))
        q, k, v = qkv[:m].chunk(3, dim=-1)
        a = short_attn.short_attention(q, k, v, heads)
        torch.addmm(bproj, a.view(-1, d), wproj.t(), out=out[i : i + m].view(-1, d))
    return out


@attention_chunks.register_fake
def _(h, wqkv, bqkv, wproj, bproj, heads, seqs):
    return h.new_empty(h.shape)


def mlp_patch(rows: int):
    plain = M._mlp

    def _mlp(mlp, x, packed=None):
        if not (packed and packed.get(M.GELU_EPILOGUE)) or x.shape[:-1].numel() <= rows:
            return plain(mlp, x, packed)
        x = x.to(mlp.fc1.weight.dtype)
        f1, f2 = mlp.fc1, mlp.fc2
        return mlp_chunks(x, f1.weight, f1.bias, f2.weight, f2.bias, rows, True)

    return {"_mlp": _mlp}


def block_patch(seqs: int):
    plain = M._block

    def _block(blk, t, packed=None):
        if not M._kernels_on(packed) or t.shape[0] <= seqs:
            return plain(blk, t, packed)
        attn = blk.attn
        h = M._norm(t, blk.norm1, attn.qkv.weight.dtype)
        a = attention_chunks(
            h, attn.qkv.weight, attn.qkv.bias, attn.proj.weight, attn.proj.bias,
            attn.num_heads, seqs,
        )  # fmt: skip
        return M._residual_mlp(blk, t, a, packed)

    return {"_block": _block}


def graphed(fn):
    """``fn`` captured in a CUDA graph (after a warm-up on a side stream)."""
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(2):
            fn()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        fn()
    return g.replay


def time_replays(replays: dict, seconds: float) -> dict[str, tuple[float, int]]:
    """``name -> (median ms, calls)`` of each graph replay, timed in 3 alternating rounds of
    ``seconds`` (the same power-limited clock for all)."""
    times: dict[str, list[float]] = {name: [] for name in replays}
    for _ in range(3):
        for name, fn in replays.items():
            time.sleep(0.5)
            times[name] += event_times(fn, seconds)
    return {name: (sorted(ts)[len(ts) // 2], len(ts)) for name, ts in times.items()}


def alone(seconds: float) -> list[dict]:
    """Part 1: the MLP and the attention sublayer at the batch-512 shapes, alone."""
    dev, dt = "cuda", torch.bfloat16
    seqs, n, d, hidden = 512 * 16, 62, 512, 2048
    rows = seqs * n
    x = torch.randn(rows, d, device=dev, dtype=dt)
    w1 = torch.randn(hidden, d, device=dev, dtype=dt) / d**0.5
    w2 = torch.randn(d, hidden, device=dev, dtype=dt) / hidden**0.5
    b1, b2 = (torch.randn(k, device=dev, dtype=dt) * 0.1 for k in (hidden, d))
    wqkv = torch.randn(3 * d, d, device=dev, dtype=dt) / d**0.5
    bqkv = torch.randn(3 * d, device=dev, dtype=dt) * 0.1
    wproj = torch.randn(d, d, device=dev, dtype=dt) / d**0.5
    h = x.view(seqs, n, d)

    def mlp_full():
        return F.linear(M.linear_gelu_tanh(x, w1, b1), w2, b2)

    def attn_full():
        q, k, v = F.linear(h, wqkv, bqkv).chunk(3, dim=-1)
        return F.linear(short_attn.short_attention(q, k, v, 8), wproj, b2)

    ref_mlp, ref_attn = mlp_full(), attn_full()
    fns = {"mlp, one GEMM each": mlp_full, "attention sublayer, one GEMM each": attn_full}
    for r in (4224, 8448, 16896, 33792):
        fns[f"mlp, {r}-row chunks, reused scratch"] = (
            lambda r=r: mlp_chunks(x, w1, b1, w2, b2, r, True)
        )  # fmt: skip
    for r in (8448, 33792):
        fns[f"mlp, {r}-row chunks, no reuse"] = lambda r=r: mlp_chunks(x, w1, b1, w2, b2, r, False)
    for s in (68, 136, 272, 544):
        fns[f"attention sublayer, {s}-sequence chunks"] = (
            lambda s=s: attention_chunks(h, wqkv, bqkv, wproj, b2, 8, s)
        )  # fmt: skip
    errors = {}
    for name, fn in fns.items():  # the same sums, perhaps another cuBLAS kernel per shape
        ref = ref_mlp if name.startswith("mlp") else ref_attn
        y = fn().view_as(ref).float()
        errors[name] = ((y - ref.float()).abs().max() / ref.float().abs().max()).item()
    replays = {name: graphed(fn) for name, fn in fns.items()}
    out = []
    for name, (ms, calls) in time_replays(replays, seconds).items():
        out.append({"variant": name, "median_ms": ms, "calls": calls,
                    "rel_diff_vs_one_gemm": errors[name]})  # fmt: skip
        log(f"{name:>48}: {ms:7.3f} ms (differs from one GEMM by {errors[name]:.1e})")
    return out


def in_engine(seconds: float, batch: int) -> list[dict]:
    """Part 2: the compiled bf16 engine with the chunked forms patched in."""
    enc, x, ids, ref, flops = perturbed_large_encoder(batch)
    variants = {
        "engine": {},
        "engine, mlp in 8448-row chunks": mlp_patch(8448),
        "engine, mlp in 16896-row chunks": mlp_patch(16896),
        "engine, attention sublayer in 136-sequence chunks": block_patch(136),
        "engine, both (8448 rows, 136 sequences)": {**mlp_patch(8448), **block_patch(136)},
    }
    engines = {}
    for stream in ("float32", "float16"):
        for name, functions in variants.items():
            label = name if stream == "float32" else f"{name}, float16 stream"
            if stream == "float16" and name not in (
                "engine",
                "engine, both (8448 rows, 136 sequences)",
            ):
                continue
            try:
                with patched(**functions):
                    engines[label] = compiled_engine(enc, x, ids, ref, stream_precision=stream)
            except Exception as err:  # a variant that does not run is a result too
                log(f"{label}: failed: {type(err).__name__}: {err}")
    return alternate_rounds(engines, batch, flops, seconds)


if __name__ == "__main__":
    run_probe(__doc__, "probe_l2_chunks", alone, in_engine)
