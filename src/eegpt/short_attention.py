"""Multi-head attention over short sequences as one Triton kernel (CUDA, float16/bfloat16).

EEGPT attends over ``C + S`` tokens (62 for the large model) per time patch, so a batch is
tens of thousands of tiny, independent attention problems. Library kernels (FlashAttention,
memory-efficient, cuDNN) tile for long sequences: at 62 tokens they run far below the memory
bandwidth the problem needs. Here one program owns a whole sequence for ``heads_per_program``
heads: it loads that sequence's queries, keys and values once (straight from the fused ``qkv``
projection, whatever its strides), computes ``softmax(q k^T / sqrt(hd)) v`` in registers with
float32 scores and softmax statistics, and writes the heads side by side in the ``[L, n, H*hd]``
layout the output projection reads -- no head transposes, no padding copies.

Rows shared by every sequence (the summary tokens' q/k/v in the encoder's first block) can be
passed once as a "tail" instead of being concatenated to each sequence. A second kernel,
:func:`summary_attention`, runs the last block's "absorbed" attention: a few query rows per
head, already multiplied by that head's key projection, against the normalised tokens
themselves as keys and values (one pass over the tokens; see :class:`eegpt.fast_path.FastPlan`).

Numerics match FlashAttention's: scores and softmax in float32, the probabilities rounded to the
input dtype for the ``p @ v`` product, accumulated in float32.

Import needs Triton; :func:`available` says whether the kernel can run here. Tests run it on CPU
under Triton's interpreter (``TRITON_INTERPRET=1``).
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F

from eegpt._logging import warn

try:
    import triton
    import triton.language as tl
except ImportError:  # pragma: no cover - depends on the installation
    triton = None

#: Longest sequence (keys) the kernel takes; all of a sequence's keys sit in registers.
MAX_TOKENS = 128
#: Launch configuration (heads per program, warps, pipelining depth of the loop over a program's
#: heads; 0: unrolled): full sequences, and few query rows (the last block's summary tokens).
#: The fastest on an H200 (``experiments/explore_throughput.py --experiment kernel`` and ``attention-pipeline``):
#: 62 tokens, 8 heads of 64 per program, loads of the next heads in flight while one is
#: computed, ~4.2 TB/s (unrolled over 4 heads: ~4.0 TB/s; PyTorch's FlashAttention: ~2 TB/s).
HEADS_PER_PROGRAM = 8
NUM_WARPS = 4
HEAD_STAGES = 3
#: Most shared memory the pipelined head loop may take (its stages hold q, k and v tiles);
#: longer sequences or wider heads run the loop unrolled instead.
PIPELINE_SMEM_BYTES = 160 * 1024
FEW_ROWS = 16
HEADS_PER_PROGRAM_FEW_ROWS = 1
NUM_WARPS_FEW_ROWS = 2
#: Query rows (heads x summary tokens) one program of the "absorbed" last-block kernel takes.
SUMMARY_ROWS = 32


def available(device: torch.device | str | None = None) -> bool:
    """Triton is importable and can run on ``device`` (CUDA, or any device when interpreting)."""
    if triton is None:
        return False
    if os.environ.get("TRITON_INTERPRET") == "1":
        return True
    return device is not None and torch.device(device).type == "cuda"


def usable(device: torch.device | str, dtype: torch.dtype) -> bool:
    """:func:`available`, and the kernel runs here: one small launch at the large model's shape
    (compiling it) gives SDPA's result. Triton can be importable yet unable to build kernels
    (no C compiler, a driver it does not support); the engine's ``short_attention="auto"`` then
    falls back to SDPA with one warning instead of failing on its first batch."""
    if not available(device):
        return False
    problem = _first_run_problem(str(torch.device(device)), dtype)
    if problem is not None:
        warn(
            f"eegpt's Triton attention kernel does not run on {device} ({problem}); "
            "attention uses PyTorch's SDPA instead"
        )
    return problem is None


@functools.cache
def _first_run_problem(device: str, dtype: torch.dtype) -> str | None:
    heads, hd, n = 8, 64, 62
    g = torch.Generator().manual_seed(0)
    q, k, v = torch.randn(3, 2, n, heads * hd, generator=g).to(device, dtype)
    try:
        out = short_attention(q, k, v, heads)
    except Exception as err:  # noqa: BLE001 - any failure means: do not use the kernel here
        return f"{type(err).__name__}: {err}"[:300]

    def split(t):
        return t.float().unflatten(-1, (heads, hd)).transpose(1, 2)

    ref = F.scaled_dot_product_attention(split(q), split(k), split(v)).transpose(1, 2).flatten(2)
    rel_err = ((out.float() - ref).abs().max() / ref.abs().max()).item()
    return None if rel_err <= 1e-2 else f"its result is off by {rel_err:.1e}"


def head_dim_supported(head_dim: int) -> bool:
    """Head widths the kernel takes: powers of two >= 16 (its matmul tiles)."""
    return head_dim >= 16 and head_dim & (head_dim - 1) == 0


def supports(q: torch.Tensor, k: torch.Tensor, num_heads: int, n_tail: int = 0) -> bool:
    """The kernel applies to these ``[L, n, H*hd]`` queries/keys with ``num_heads`` heads,
    and ``n_tail`` shared rows appended to each sequence (:func:`short_attention`'s tails,
    which count towards :data:`MAX_TOKENS` too)."""
    d = q.shape[-1]
    return (
        available(q.device)
        and q.dtype in (torch.float16, torch.bfloat16)
        and max(q.shape[1], k.shape[1]) + n_tail <= MAX_TOKENS
        and d % num_heads == 0
        and head_dim_supported(d // num_heads)
    )


# TYPE_CHECKING: the checker sees the custom ops (their type), not the stand-ins without Triton
if TYPE_CHECKING or triton is not None:

    @triton.jit
    def _attention_kernel(
        q_ptr,
        k_ptr,
        v_ptr,
        o_ptr,
        tq_ptr,  # tail rows shared by every sequence (HAS_TAIL), e.g. summary tokens
        tk_ptr,
        tv_ptr,
        stride_q_seq,
        stride_q_tok,
        stride_k_seq,
        stride_k_tok,
        stride_v_seq,
        stride_v_tok,
        stride_o_seq,
        stride_o_tok,
        stride_tq_tok,
        stride_tk_tok,
        stride_tv_tok,
        n_q,  # query rows in all (own rows + tail rows)
        n_k,
        n_q_own,  # rows read from q/k/v; the rest up to n_q/n_k from the tail tensors
        n_k_own,
        scale_log2,  # 1/sqrt(hd) * log2(e): softmax via exp2
        HEAD_DIM: tl.constexpr,
        HEADS: tl.constexpr,  # heads per program
        BLOCK_Q: tl.constexpr,
        BLOCK_K: tl.constexpr,
        HAS_TAIL: tl.constexpr,
        STAGES: tl.constexpr,  # pipelining of the loop over heads (0: unrolled)
    ):
        seq = tl.program_id(0).to(tl.int64)
        first_head = tl.program_id(1) * HEADS
        rows_q = tl.arange(0, BLOCK_Q)
        rows_k = tl.arange(0, BLOCK_K)
        dims = tl.arange(0, HEAD_DIM)
        q_mask = rows_q[:, None] < n_q
        q_own = rows_q[:, None] < n_q_own
        k_own = rows_k[:, None] < n_k_own
        key_valid = rows_k[None, :] < n_k
        q_base = q_ptr + seq * stride_q_seq + rows_q[:, None] * stride_q_tok + dims[None, :]
        k_base = k_ptr + seq * stride_k_seq + rows_k[:, None] * stride_k_tok + dims[None, :]
        v_base = v_ptr + seq * stride_v_seq + rows_k[:, None] * stride_v_tok + dims[None, :]
        o_base = o_ptr + seq * stride_o_seq + rows_q[:, None] * stride_o_tok + dims[None, :]
        if HAS_TAIL:
            tail_q = tl.maximum(rows_q - n_q_own, 0)[:, None]
            tail_k = tl.maximum(rows_k - n_k_own, 0)[:, None]
            tq_base = tq_ptr + tail_q * stride_tq_tok + dims[None, :]
            tk_base = tk_ptr + tail_k * stride_tk_tok + dims[None, :]
            tv_base = tv_ptr + tail_k * stride_tv_tok + dims[None, :]
            tq_mask = (rows_q[:, None] >= n_q_own) & q_mask
            tk_mask = (rows_k[:, None] >= n_k_own) & (rows_k[:, None] < n_k)
        else:
            tq_base, tk_base, tv_base, tq_mask, tk_mask = q_base, k_base, v_base, q_own, k_own
        if STAGES == 0:
            for i in tl.static_range(HEADS):
                _one_head((first_head + i) * HEAD_DIM, q_base, k_base, v_base, o_base,
                          tq_base, tk_base, tv_base, q_mask, q_own, k_own, key_valid, tq_mask,
                          tk_mask, scale_log2, HAS_TAIL)  # fmt: skip
        else:
            for i in tl.range(0, HEADS, num_stages=STAGES):
                _one_head((first_head + i) * HEAD_DIM, q_base, k_base, v_base, o_base,
                          tq_base, tk_base, tv_base, q_mask, q_own, k_own, key_valid, tq_mask,
                          tk_mask, scale_log2, HAS_TAIL)  # fmt: skip

    @triton.jit
    def _one_head(col, q_base, k_base, v_base, o_base, tq_base, tk_base, tv_base, q_mask,
                  q_own, k_own, key_valid, tq_mask, tk_mask, scale_log2,
                  HAS_TAIL: tl.constexpr):  # fmt: skip
        """One head of :func:`_attention_kernel`: columns ``col : col + hd`` of q/k/v."""
        q = tl.load(q_base + col, mask=q_own, other=0.0)
        k = tl.load(k_base + col, mask=k_own, other=0.0)
        v = tl.load(v_base + col, mask=k_own, other=0.0)
        if HAS_TAIL:  # disjoint masks: each row comes from exactly one of the two sources
            q += tl.load(tq_base + col, mask=tq_mask, other=0.0)
            k += tl.load(tk_base + col, mask=tk_mask, other=0.0)
            v += tl.load(tv_base + col, mask=tk_mask, other=0.0)
        scores = tl.dot(q, tl.trans(k)) * scale_log2  # [BLOCK_Q, BLOCK_K] float32
        scores = tl.where(key_valid, scores, float("-inf"))
        top = tl.max(scores, axis=1)
        p = tl.exp2(scores - top[:, None])
        total = tl.sum(p, axis=1)
        out = tl.dot(p.to(v.dtype), v) / total[:, None]
        tl.store(o_base + col, out.to(o_base.dtype.element_ty), mask=q_mask)

    # A custom op opaque to torch.compile (like the fused GELU GEMM): inductor then hands the
    # kernel the qkv projection's column slices as they are. Registered as a ``triton_op``
    # instead, inductor's handling of it cost more than the kernel saved (H200, BENCHMARKS.md).
    @torch.library.custom_op("eegpt::short_attention", mutates_args=())
    def short_attention(
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        num_heads: int,
        q_tail: torch.Tensor | None = None,
        k_tail: torch.Tensor | None = None,
        v_tail: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """``softmax(q_h k_h^T / sqrt(hd)) v_h`` per head, heads side by side.

        ``q`` ``[L, n_q, H*hd]``, ``k``/``v`` ``[L, n_k, H*hd]`` (any strides with a contiguous
        last dimension, e.g. slices of a fused qkv projection) -> ``[L, n_q, H*hd]``,
        contiguous; equal to ``F.scaled_dot_product_attention`` on the ``[L, H, n, hd]`` views.

        ``q_tail``/``k_tail``/``v_tail`` ``[n_t, H*hd]`` (all three or none): rows appended to
        every sequence's queries, keys and values, as if concatenated after them (the output
        then has ``n_q + n_t`` rows) -- without materialising the concatenation. The encoder's
        first block uses this for the summary tokens, whose q/k/v are the same in every
        sequence.
        """
        tails = (q_tail, k_tail, v_tail)
        has_tail = q_tail is not None
        if any((t is None) == has_tail for t in tails):
            raise ValueError("short_attention takes all three tails or none")
        if any(t.stride(-1) != 1 for t in (q, k, v, *(tails if has_tail else ()))):
            raise ValueError("short_attention needs a contiguous last dimension")
        seqs, n_q_own, d = q.shape
        n_k_own = k.shape[1]
        n_tail = 0 if q_tail is None else q_tail.shape[0]
        n_q, n_k = n_q_own + n_tail, n_k_own + n_tail
        hd = d // num_heads
        if hd * num_heads != d or not head_dim_supported(hd) or max(n_q, n_k) > MAX_TOKENS:
            raise ValueError(
                f"short_attention takes head widths that are powers of two >= 16 and at most "
                f"{MAX_TOKENS} tokens; got {num_heads} heads over {d} features, {n_k} tokens"
            )
        few = n_q <= FEW_ROWS
        heads = math.gcd(HEADS_PER_PROGRAM_FEW_ROWS if few else HEADS_PER_PROGRAM, num_heads)
        block_q = max(16, triton.next_power_of_2(n_q))
        block_k = max(16, triton.next_power_of_2(n_k))
        tiles = (block_q + 2 * block_k) * hd * q.element_size()  # one head's q, k, v
        stages = HEAD_STAGES if not few and HEAD_STAGES * tiles <= PIPELINE_SMEM_BYTES else 0
        out = q.new_empty(seqs, n_q, d)
        grid = (seqs, num_heads // heads)
        if q_tail is not None and k_tail is not None and v_tail is not None:
            tq, tk, tv = q_tail, k_tail, v_tail
        else:
            tq, tk, tv = q, k, v  # unused pointers without a tail
        with torch.cuda.device(q.device) if q.is_cuda else contextlib.nullcontext():
            _attention_kernel[grid](
                q,
                k,
                v,
                out,
                tq,
                tk,
                tv,
                q.stride(0),
                q.stride(1),
                k.stride(0),
                k.stride(1),
                v.stride(0),
                v.stride(1),
                out.stride(0),
                out.stride(1),
                tq.stride(-2),
                tk.stride(-2),
                tv.stride(-2),
                n_q,
                n_k,
                n_q_own,
                n_k_own,
                hd**-0.5 * math.log2(math.e),
                HEAD_DIM=hd,
                HEADS=heads,
                BLOCK_Q=block_q,
                BLOCK_K=block_k,
                HAS_TAIL=has_tail,
                STAGES=stages,
                num_warps=NUM_WARPS_FEW_ROWS if few else NUM_WARPS,
            )
        return out

    @short_attention.register_fake
    def _(
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        num_heads: int,
        q_tail: torch.Tensor | None = None,
        k_tail: torch.Tensor | None = None,
        v_tail: torch.Tensor | None = None,
    ) -> torch.Tensor:
        n_tail = 0 if q_tail is None else q_tail.shape[0]
        return q.new_empty(q.shape[0], q.shape[1] + n_tail, q.shape[2])

    @triton.jit
    def _summary_attention_kernel(
        qk_ptr,
        h_ptr,
        z_ptr,
        stride_qk_head,
        stride_qk_seq,
        stride_qk_row,
        stride_h_seq,
        stride_h_tok,
        stride_z_head,
        stride_z_seq,
        stride_z_row,
        n_rows,  # query rows per head (summary tokens)
        n_k,  # keys (= values) per sequence
        width,  # D
        ROWS: tl.constexpr,  # HEADS * n_rows, padded to a power of two >= 16
        HEADS: tl.constexpr,  # heads per program
        BLOCK_K: tl.constexpr,
        BLOCK_D: tl.constexpr,
    ):
        seq = tl.program_id(0).to(tl.int64)
        first_head = tl.program_id(1) * HEADS
        r = tl.arange(0, ROWS)
        head = first_head + r // n_rows
        row_ok = r < HEADS * n_rows
        row = r % n_rows
        keys = tl.arange(0, BLOCK_K)
        dims = tl.arange(0, BLOCK_D)
        q_base = qk_ptr + head[:, None] * stride_qk_head + seq * stride_qk_seq
        q_base += row[:, None] * stride_qk_row + dims[None, :]
        h_base = h_ptr + seq * stride_h_seq + keys[:, None] * stride_h_tok + dims[None, :]
        z_base = z_ptr + head[:, None] * stride_z_head + seq * stride_z_seq
        z_base += row[:, None] * stride_z_row + dims[None, :]
        key_ok = keys[:, None] < n_k
        scores = tl.zeros((ROWS, BLOCK_K), dtype=tl.float32)
        for d0 in range(0, width, BLOCK_D):
            d_ok = (dims[None, :] + d0) < width
            q = tl.load(q_base + d0, mask=row_ok[:, None] & d_ok, other=0.0)
            h = tl.load(h_base + d0, mask=key_ok & d_ok, other=0.0)
            scores = tl.dot(q, tl.trans(h), scores)
        scores = tl.where(keys[None, :] < n_k, scores * 1.4426950408889634, float("-inf"))
        top = tl.max(scores, axis=1)
        p = tl.exp2(scores - top[:, None])
        p = (p / tl.sum(p, axis=1)[:, None]).to(h_ptr.dtype.element_ty)
        for d0 in range(0, width, BLOCK_D):
            d_ok = (dims[None, :] + d0) < width
            h = tl.load(h_base + d0, mask=key_ok & d_ok, other=0.0)
            z = tl.dot(p, h)
            tl.store(z_base + d0, z.to(z_ptr.dtype.element_ty), mask=row_ok[:, None] & d_ok)

    @torch.library.custom_op("eegpt::summary_attention", mutates_args=())
    def summary_attention(qk: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """Single-key-space attention of the last block in "absorbed" form.

        ``qk`` ``[H, L, S, D]``: each head's summary-token queries already multiplied by that
        head's key projection (and ``1/sqrt(hd)``); ``h`` ``[L, n, D]``: the normalised tokens,
        which serve as keys and values. Returns ``z`` ``[H, L, S, D]`` (contiguous),
        ``z[h, l, s] = sum_j softmax_j(qk[h, l, s] . h[l, j]) h[l, j]``: scores and softmax in
        float32, probabilities rounded to ``h``'s dtype for the ``p @ h`` product (as
        FlashAttention), accumulated in float32. Any strides with a contiguous last dimension.
        """
        if qk.stride(-1) != 1 or h.stride(-1) != 1:
            raise ValueError("summary_attention needs a contiguous last dimension")
        heads, seqs, rows, width = qk.shape
        n_k = h.shape[1]
        if h.shape[0] != seqs or h.shape[2] != width or n_k > MAX_TOKENS:
            raise ValueError(
                f"summary_attention: queries {tuple(qk.shape)} do not match tokens "
                f"{tuple(h.shape)} (at most {MAX_TOKENS} tokens)"
            )
        per = max(1, min(heads, SUMMARY_ROWS // rows))
        per = math.gcd(per, heads)
        z = qk.new_empty(heads, seqs, rows, width)
        with torch.cuda.device(qk.device) if qk.is_cuda else contextlib.nullcontext():
            _summary_attention_kernel[(seqs, heads // per)](
                qk,
                h,
                z,
                qk.stride(0),
                qk.stride(1),
                qk.stride(2),
                h.stride(0),
                h.stride(1),
                z.stride(0),
                z.stride(1),
                z.stride(2),
                rows,
                n_k,
                width,
                ROWS=max(16, triton.next_power_of_2(per * rows)),
                HEADS=per,
                BLOCK_K=max(16, triton.next_power_of_2(n_k)),
                BLOCK_D=min(64, max(16, triton.next_power_of_2(width))),
                num_warps=NUM_WARPS,
            )
        return z

    @summary_attention.register_fake
    def _(qk: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return qk.new_empty(qk.shape)

else:  # pragma: no cover - depends on the installation

    def short_attention(*args, **kwargs) -> torch.Tensor:
        raise RuntimeError("eegpt's short-sequence attention kernel needs Triton")

    def summary_attention(*args, **kwargs) -> torch.Tensor:
        raise RuntimeError("eegpt's summary attention kernel needs Triton")
