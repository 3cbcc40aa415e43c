"""Multi-head attention over short sequences as one Triton kernel (CUDA, float16/bfloat16).

EEGPT attends over ``C + S`` tokens (62 for the large model) per time patch, so a batch is
tens of thousands of tiny, independent attention problems. Library kernels (FlashAttention,
memory-efficient, cuDNN) tile for long sequences: at 62 tokens they run far below the memory
bandwidth the problem needs. Here one program owns a whole sequence for ``heads_per_program``
heads: it loads that sequence's queries, keys and values once (straight from the fused ``qkv``
projection, whatever its strides), computes ``softmax(q k^T / sqrt(hd)) v`` in registers with
float32 scores and softmax statistics, and writes the heads side by side in the ``[L, n, H*hd]``
layout the output projection reads -- no head transposes, no padding copies.

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
#: Launch configuration (heads per program, warps): full sequences, and few query rows (the last
#: block's summary tokens). The fastest of 16 on an H200 (``explore_throughput.py --experiment
#: kernel``): 62 tokens, 8 heads of 64 at ~4 TB/s, 2x PyTorch's FlashAttention.
HEADS_PER_PROGRAM = 4
NUM_WARPS = 4
FEW_ROWS = 16
HEADS_PER_PROGRAM_FEW_ROWS = 1
NUM_WARPS_FEW_ROWS = 2


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
    err = ((out.float() - ref).abs().max() / ref.abs().max()).item()
    return None if err <= 1e-2 else f"its result is off by {err:.1e}"


def head_dim_supported(head_dim: int) -> bool:
    """Head widths the kernel takes: powers of two >= 16 (its matmul tiles)."""
    return head_dim >= 16 and head_dim & (head_dim - 1) == 0


def supports(q: torch.Tensor, k: torch.Tensor, num_heads: int) -> bool:
    """The kernel applies to these ``[L, n, H*hd]`` queries/keys with ``num_heads`` heads."""
    d = q.shape[-1]
    return (
        available(q.device)
        and q.dtype in (torch.float16, torch.bfloat16)
        and max(q.shape[1], k.shape[1]) <= MAX_TOKENS
        and d % num_heads == 0
        and head_dim_supported(d // num_heads)
    )


if triton is not None:

    @triton.jit
    def _attention_kernel(
        q_ptr,
        k_ptr,
        v_ptr,
        o_ptr,
        stride_q_seq,
        stride_q_tok,
        stride_k_seq,
        stride_k_tok,
        stride_v_seq,
        stride_v_tok,
        stride_o_seq,
        stride_o_tok,
        n_q,
        n_k,
        scale_log2,  # 1/sqrt(hd) * log2(e): softmax via exp2
        HEAD_DIM: tl.constexpr,
        HEADS: tl.constexpr,  # heads per program
        BLOCK_Q: tl.constexpr,
        BLOCK_K: tl.constexpr,
    ):
        seq = tl.program_id(0).to(tl.int64)
        first_head = tl.program_id(1) * HEADS
        rows_q = tl.arange(0, BLOCK_Q)
        rows_k = tl.arange(0, BLOCK_K)
        dims = tl.arange(0, HEAD_DIM)
        q_mask = rows_q[:, None] < n_q
        k_mask = rows_k[:, None] < n_k
        key_valid = rows_k[None, :] < n_k
        q_base = q_ptr + seq * stride_q_seq + rows_q[:, None] * stride_q_tok + dims[None, :]
        k_base = k_ptr + seq * stride_k_seq + rows_k[:, None] * stride_k_tok + dims[None, :]
        v_base = v_ptr + seq * stride_v_seq + rows_k[:, None] * stride_v_tok + dims[None, :]
        o_base = o_ptr + seq * stride_o_seq + rows_q[:, None] * stride_o_tok + dims[None, :]
        for i in tl.static_range(HEADS):
            col = (first_head + i) * HEAD_DIM
            q = tl.load(q_base + col, mask=q_mask, other=0.0)
            k = tl.load(k_base + col, mask=k_mask, other=0.0)
            v = tl.load(v_base + col, mask=k_mask, other=0.0)
            scores = tl.dot(q, tl.trans(k)) * scale_log2  # [BLOCK_Q, BLOCK_K] float32
            scores = tl.where(key_valid, scores, float("-inf"))
            top = tl.max(scores, axis=1)
            p = tl.exp2(scores - top[:, None])
            total = tl.sum(p, axis=1)
            out = tl.dot(p.to(v.dtype), v) / total[:, None]
            tl.store(o_base + col, out.to(o_ptr.dtype.element_ty), mask=q_mask)

    # A custom op opaque to torch.compile (like the fused GELU GEMM): inductor then hands the
    # kernel the qkv projection's column slices as they are. Registered as a ``triton_op``
    # instead, inductor's handling of it cost more than the kernel saved (H200, BENCHMARKS.md).
    @torch.library.custom_op("eegpt::short_attention", mutates_args=())
    def short_attention(
        q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int
    ) -> torch.Tensor:
        """``softmax(q_h k_h^T / sqrt(hd)) v_h`` per head, heads side by side.

        ``q`` ``[L, n_q, H*hd]``, ``k``/``v`` ``[L, n_k, H*hd]`` (any strides with a contiguous
        last dimension, e.g. slices of a fused qkv projection) -> ``[L, n_q, H*hd]``,
        contiguous; equal to ``F.scaled_dot_product_attention`` on the ``[L, H, n, hd]`` views.
        """
        if any(t.stride(-1) != 1 for t in (q, k, v)):
            raise ValueError("short_attention needs a contiguous last dimension")
        seqs, n_q, d = q.shape
        n_k = k.shape[1]
        hd = d // num_heads
        if hd * num_heads != d or not head_dim_supported(hd) or max(n_q, n_k) > MAX_TOKENS:
            raise ValueError(
                f"short_attention takes head widths that are powers of two >= 16 and at most "
                f"{MAX_TOKENS} tokens; got {num_heads} heads over {d} features, {n_k} tokens"
            )
        few = n_q <= FEW_ROWS
        heads = math.gcd(HEADS_PER_PROGRAM_FEW_ROWS if few else HEADS_PER_PROGRAM, num_heads)
        out = q.new_empty(seqs, n_q, d)
        grid = (seqs, num_heads // heads)
        with torch.cuda.device(q.device) if q.is_cuda else contextlib.nullcontext():
            _launch(
                grid, q, k, v, out, n_q, n_k, hd, heads, NUM_WARPS_FEW_ROWS if few else NUM_WARPS
            )
        return out

    def _launch(grid, q, k, v, out, n_q, n_k, hd, heads, num_warps) -> None:
        _attention_kernel[grid](
            q,
            k,
            v,
            out,
            q.stride(0),
            q.stride(1),
            k.stride(0),
            k.stride(1),
            v.stride(0),
            v.stride(1),
            out.stride(0),
            out.stride(1),
            n_q,
            n_k,
            hd**-0.5 * math.log2(math.e),
            HEAD_DIM=hd,
            HEADS=heads,
            BLOCK_Q=max(16, triton.next_power_of_2(n_q)),
            BLOCK_K=max(16, triton.next_power_of_2(n_k)),
            num_warps=num_warps,
        )

    @short_attention.register_fake
    def _(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int) -> torch.Tensor:
        return q.new_empty(q.shape)

else:  # pragma: no cover - depends on the installation

    def short_attention(
        q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int
    ) -> torch.Tensor:
        raise RuntimeError("eegpt's short-sequence attention kernel needs Triton")
