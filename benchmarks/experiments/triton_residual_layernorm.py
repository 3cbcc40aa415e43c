"""Experimental Triton kernel: a GEMM whose epilogue adds the residual and applies LayerNorm.

Where the compiled bf16 encoder's time goes (BENCHMARKS.md): after the attention output
projection and after ``fc2`` (both ``N = D = 512`` outputs), cuBLAS writes the bf16 product and a
fused inductor kernel reads it back with the float32 residual, writes the new residual and the
LayerNorm output for the next GEMM -- 14 bytes moved per element, at the copy-bandwidth ceiling.
With a tile that spans whole 512-wide rows, the GEMM's epilogue can do all of it:

    x_new = x + a @ W.T + b          (float32, written once)
    h     = LayerNorm(x_new) * g + beta  (bf16, for the next GEMM)

10 bytes per element instead of 14 (the product never goes through memory). On the large model
that is ~15 GB less traffic per batch of 512, ~6% of the time -- if the GEMM itself keeps up with
cuBLAS, which a 64 x 512 register tile may not (the fc1 + exact-GELU Triton GEMM tried before ran
at 75% of cuBLAS). ``explore_throughput.py --experiment fused-ln`` measures it against cuBLAS +
inductor's fused add + LayerNorm. Result on an H200 (``results/h200/explore_throughput_fused-ln.json``):
about half as fast as that pair (2.26 vs 1.17 ms at K = 512), and the engine with it slower
(9062 -> 7264 windows/s); not kept.

    python benchmarks/experiments/triton_residual_layernorm.py --check      # correctness on a GPU
    TRITON_INTERPRET=1 python benchmarks/experiments/triton_residual_layernorm.py --check   # ... on CPU
"""

from __future__ import annotations

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import triton
import triton.language as tl
from common import kernel_check_cli

#: Launch configurations tried by the experiment: (BLOCK_M, BLOCK_K, num_warps, num_stages).
#: (128, 32, 8, 2) was tried too: it needs 256 KiB of shared memory, over the H200's 227 KiB.
CONFIGS = [(64, 64, 8, 2), (64, 32, 8, 3), (64, 64, 4, 2), (32, 64, 4, 3)]
#: The configuration the kernel launches with unless told (so ``fused_middle_blocks``'s).
OP_CONFIG = CONFIGS[0]


@triton.jit
def _residual_ln_kernel(
    a_ptr, w_ptr, b_ptr, x_ptr, g_ptr, beta_ptr, x_out_ptr, h_ptr, M, K, eps,
    stride_am, stride_wn, stride_xm, stride_xom, stride_hm,
    N: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr,
):  # fmt: skip
    pid = tl.program_id(0)
    rows = (pid * BLOCK_M + tl.arange(0, BLOCK_M)).to(tl.int64)
    cols = tl.arange(0, N)
    ks = tl.arange(0, BLOCK_K)
    row_ok = rows[:, None] < M
    a_ptrs = a_ptr + rows[:, None] * stride_am + ks[None, :]
    w_ptrs = w_ptr + cols[None, :] * stride_wn + ks[:, None]  # W.T tile [BLOCK_K, N]
    acc = tl.zeros((BLOCK_M, N), dtype=tl.float32)
    for k in range(0, K, BLOCK_K):
        k_ok = ks < K - k
        a = tl.load(a_ptrs, mask=row_ok & k_ok[None, :], other=0.0)
        w = tl.load(w_ptrs, mask=k_ok[:, None], other=0.0)
        acc = tl.dot(a, w, acc)
        a_ptrs += BLOCK_K
        w_ptrs += BLOCK_K
    acc += tl.load(b_ptr + cols).to(tl.float32)[None, :]
    acc += tl.load(x_ptr + rows[:, None] * stride_xm + cols[None, :], mask=row_ok, other=0.0)
    tl.store(x_out_ptr + rows[:, None] * stride_xom + cols[None, :], acc, mask=row_ok)
    mean = tl.sum(acc, axis=1) / N
    centred = acc - mean[:, None]
    rstd = 1.0 / tl.sqrt(tl.sum(centred * centred, axis=1) / N + eps)
    g = tl.load(g_ptr + cols).to(tl.float32)
    beta = tl.load(beta_ptr + cols).to(tl.float32)
    h = centred * rstd[:, None] * g[None, :] + beta[None, :]
    tl.store(
        h_ptr + rows[:, None] * stride_hm + cols[None, :], h.to(h_ptr.dtype.element_ty), mask=row_ok
    )


@torch.library.custom_op("eegpt_bench::linear_residual_layernorm", mutates_args=())
def linear_residual_layernorm(
    a: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor,
    x: torch.Tensor,
    norm_weight: torch.Tensor,
    norm_bias: torch.Tensor,
    eps: float,
    config: list[int] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``x_new = x + a @ weight.T + bias`` (float32) and ``h = LayerNorm(x_new)`` with the given
    scale/shift/eps (``a``'s dtype), as one kernel.

    ``a`` ``[..., K]`` bf16/fp16, ``weight`` ``[N, K]``, ``x`` ``[..., N]`` float32 with ``N`` a
    power of two (512 for EEGPT). ``config``: ``(BLOCK_M, BLOCK_K, num_warps, num_stages)``,
    default :data:`OP_CONFIG`. A custom op, so ``torch.compile`` calls it as it is.
    """
    block_m, block_k, warps, stages = OP_CONFIG if config is None else config
    shape = x.shape
    a, x = a.reshape(-1, a.shape[-1]), x.reshape(-1, shape[-1])
    m, k = a.shape
    n = weight.shape[0]
    x_new = torch.empty_like(x)
    h = torch.empty(m, n, device=a.device, dtype=a.dtype)
    _residual_ln_kernel[(triton.cdiv(m, block_m),)](
        a, weight, bias, x, norm_weight, norm_bias, x_new, h, m, k, eps,
        a.stride(0), weight.stride(0), x.stride(0), x_new.stride(0), h.stride(0),
        N=n, BLOCK_M=block_m, BLOCK_K=block_k, num_warps=warps, num_stages=stages,
    )  # fmt: skip
    return x_new.reshape(shape), h.reshape(shape)


@linear_residual_layernorm.register_fake
def _(a, weight, bias, x, norm_weight, norm_bias, eps, config=None):
    return torch.empty_like(x), x.new_empty(x.shape, dtype=a.dtype)


def fused_middle_blocks(blocks, t: torch.Tensor, packed: dict | None = None) -> torch.Tensor:
    """``eegpt.fast_path._middle_blocks`` with each GEMM + residual add + LayerNorm as one kernel:
    the output projection with ``norm2``, and ``fc2`` with the next block's ``norm1`` (handed
    on as that block's normalised input). Only the last one's ``fc2`` stays as it is (its
    LayerNorm belongs to the last block). Patched in by ``explore_throughput.py --experiment
    fused-ln`` for an end-to-end measurement."""
    import eegpt.fast_path as M

    h = None
    for i, blk in enumerate(blocks):
        dtype = blk.attn.qkv.weight.dtype
        h = M._norm(t, blk.norm1, dtype) if h is None else h
        q, k, v = M._linear(h, blk.attn.qkv, packed).chunk(3, dim=-1)
        heads = blk.attn.num_heads
        if packed and packed.get(M.SHORT_ATTENTION) and M.short_attn.supports(q, k, heads):
            o = M.short_attn.short_attention(q, k, v, heads)
        else:
            split = blk.attn._heads
            o = torch.nn.functional.scaled_dot_product_attention(split(q), split(k), split(v))
            o = o.transpose(1, 2).flatten(2)
        proj, norm2 = blk.attn.proj, blk.norm2
        t, h2 = linear_residual_layernorm(
            o.contiguous(), proj.weight, proj.bias, t.contiguous(), norm2.weight, norm2.bias,
            norm2.eps,
        )  # fmt: skip
        hidden = M._linear(h2, blk.mlp.fc1, packed, gelu=True)
        if i + 1 == len(blocks):
            return t + M._linear(hidden, blk.mlp.fc2, packed)
        fc2, nxt = blk.mlp.fc2, blocks[i + 1].norm1
        t, h = linear_residual_layernorm(
            hidden, fc2.weight, fc2.bias, t, nxt.weight, nxt.bias, nxt.eps
        )
    return t


def reference(a, weight, bias, x, norm):
    """The same in plain PyTorch (float32 accumulation, float32 residual and LayerNorm)."""
    x_new = x + torch.nn.functional.linear(a.float(), weight.float(), bias.float())
    return x_new, norm(x_new).to(a.dtype)


def check(device: str) -> None:
    """Kernel vs :func:`reference` on small random shapes (ragged M, both K of EEGPT)."""
    dtype = torch.float16 if device == "cpu" else torch.bfloat16  # interpreter: no bf16 dot
    torch.manual_seed(0)
    for m, k in ((100, 512), (37, 2048)):
        a = torch.randn(m, k, device=device).to(dtype)
        weight = (torch.randn(512, k, device=device) / k**0.5).to(dtype)
        bias = torch.randn(512, device=device).to(dtype)
        x = torch.randn(m, 512, device=device) * 3
        norm = torch.nn.LayerNorm(512, eps=1e-6).to(device)
        with torch.no_grad():
            norm.weight.normal_(1.0, 0.2)
            norm.bias.normal_(0.0, 0.2)
            x_ref, h_ref = reference(a, weight, bias, x, norm)
            for config in CONFIGS[:2] if device == "cpu" else CONFIGS:
                x_new, h = linear_residual_layernorm(
                    a, weight, bias, x, norm.weight, norm.bias, norm.eps, list(config)
                )
                ex = ((x_new - x_ref).abs().max() / x_ref.abs().max()).item()
                eh = ((h.float() - h_ref.float()).abs().max() / h_ref.float().abs().max()).item()
                print(f"M={m} K={k} config={config}: x_new err {ex:.1e}, h err {eh:.1e}")
                assert ex <= 1e-5 and eh <= 1e-2, (ex, eh)
    check_block(device, dtype)


def check_block(device: str, dtype: torch.dtype) -> None:
    """The encoder's fast path with :func:`fused_middle_blocks` patched in vs as it is."""
    import eegpt.fast_path as M
    from eegpt.config import EEGPTConfig
    from eegpt.engine import cast_matmuls
    from eegpt.model import EEGPTEncoder

    torch.manual_seed(1)
    enc = EEGPTEncoder(EEGPTConfig(embed_dim=128, depth=4, num_heads=4)).eval().to(device)
    with torch.no_grad():
        for m in enc.modules():
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.normal_(1.0, 0.2)
                m.bias.normal_(0.0, 0.2)
    enc = cast_matmuls(enc, dtype)
    x = torch.randn(3, 19, 512, device=device)
    ids = list(range(19))
    saved = M._middle_blocks
    with torch.inference_mode():
        plan = enc.fast_plan(ids, pack=False)
        plain = enc.forward_planned(x, plan)
        try:
            M._middle_blocks = fused_middle_blocks
            fused = enc.forward_planned(x, plan)
        finally:
            M._middle_blocks = saved
    err = ((fused - plain).abs().max() / plain.abs().max()).item()
    print(f"encoder fast path with fused_middle_blocks vs as it is: {err:.1e}")
    assert err <= 1e-2, err


if __name__ == "__main__":
    kernel_check_cli(check, __doc__)
