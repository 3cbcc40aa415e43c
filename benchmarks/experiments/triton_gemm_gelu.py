"""Experimental Triton kernel: fc1 + tanh-GELU as a persistent TMA GEMM (Hopper), cheap epilogue.

The compiled bf16 encoder's largest kernel is cuBLASLt's fc1 GEMM with its GELU epilogue
(``eegpt::linear_gelu_tanh``): 1.84 ms per layer at batch 512 on an H200 (M = 507 904, K = 512,
N = 2048), against 1.39 ms for fc2, a GEMM of the same FLOPs and bytes
(``explore_throughput_sustained.json``). This kernel does the same computation with an epilogue
of one ``tanh.approx.f32`` per element (the measurement below found the GELU epilogue itself
costs cuBLASLt ~0.27 ms; the rest of the gap to fc2 is the GEMM's shape, short K and wide N):

    y = gelu_tanh(x @ W.T + b)   (float32 accumulation, bf16/fp16 out)

* persistent: one program per SM walks output tiles in grouped order (W tiles stay in L2), so
  the next tile's loads are issued while this tile's epilogue runs (``tl.range(flatten=True)``);
* TMA descriptors for the A/W tiles and the output (bulk copies, no address arithmetic);
* the epilogue in two half-width subtiles (fewer registers live).

``tanh.approx.f32`` has ~2^-11 relative error, far below the bf16 output rounding (2^-8). Under
Triton's CPU interpreter (no inline PTX) the tanh is computed as ``2 sigmoid(2u) - 1``.

    TRITON_INTERPRET=1 python benchmarks/experiments/triton_gemm_gelu.py --check   # correctness on CPU
    python benchmarks/experiments/triton_gemm_gelu.py --check                      # ... on a GPU

``explore_throughput.py --experiment gemm-gelu`` times it against cuBLASLt. Result on an H200
(``results/h200/explore_throughput_gemm-gelu.json``, power-limited clock): 2.19 ms for the best
configuration vs 2.09 ms for cuBLASLt's GELU-epilogue GEMM (the fc1 GEMM alone: 1.82 ms), and
the engine with it 2% slower; not kept. A later run added Triton's automatic warp
specialisation of the persistent loop (``WARP_SPECIALIZE``, the first three configurations):
2.20 ms at best, no better on Hopper with Triton 3.6.
"""

from __future__ import annotations

import os

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import triton
import triton.language as tl
from common import kernel_check_cli
from triton.tools.tensor_descriptor import TensorDescriptor

#: (BLOCK_M, BLOCK_N, BLOCK_K, GROUP_M, num_stages, num_warps, SUBTILE[, WARP_SPECIALIZE])
CONFIGS = [
    (128, 256, 64, 8, 3, 8, True, True),
    (128, 256, 64, 8, 4, 4, True, True),
    (128, 128, 64, 8, 4, 4, True, True),
    (128, 256, 64, 8, 3, 8, True),
    (128, 256, 64, 8, 4, 8, True),
    (128, 256, 64, 8, 3, 8, False),
    (128, 128, 64, 8, 4, 8, True),
    (128, 128, 64, 8, 4, 4, False),
    (128, 256, 128, 8, 2, 8, True),
    (256, 128, 64, 8, 3, 8, True),
    (128, 128, 128, 8, 3, 8, True),
]
OP_CONFIG = CONFIGS[3]
_INTERPRET = os.environ.get("TRITON_INTERPRET") == "1"


@triton.jit
def _gelu_tanh(x, FAST_TANH: tl.constexpr):
    u = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    if FAST_TANH:
        t = tl.inline_asm_elementwise(
            "tanh.approx.f32 $0, $1;", "=r,r", [u], dtype=tl.float32, is_pure=True, pack=1
        )
    else:
        t = 2.0 * tl.sigmoid(2.0 * u) - 1.0
    return 0.5 * x * (1.0 + t)


@triton.jit
def _gemm_gelu_kernel(
    a_desc, w_desc, c_desc, bias_ptr, M, N, K,
    BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr,
    NUM_PROGRAMS: tl.constexpr, SUBTILE: tl.constexpr, FAST_TANH: tl.constexpr,
    WARP_SPECIALIZE: tl.constexpr,
):  # fmt: skip
    pid = tl.program_id(0)
    num_m = tl.cdiv(M, BLOCK_M)
    num_n = tl.cdiv(N, BLOCK_N)
    k_tiles = tl.cdiv(K, BLOCK_K)
    per_group = GROUP_M * num_n
    for tile in tl.range(
        pid, num_m * num_n, NUM_PROGRAMS, flatten=True, warp_specialize=WARP_SPECIALIZE
    ):
        first_m = (tile // per_group) * GROUP_M
        group_m = min(num_m - first_m, GROUP_M)
        off_m = (first_m + tile % group_m) * BLOCK_M
        off_n = ((tile % per_group) // group_m) * BLOCK_N
        acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
        for ki in range(k_tiles):
            a = a_desc.load([off_m, ki * BLOCK_K])
            w = w_desc.load([off_n, ki * BLOCK_K])
            acc = tl.dot(a, w.T, acc)
        cols = off_n + tl.arange(0, BLOCK_N)
        acc += tl.load(bias_ptr + cols, mask=cols < N, other=0.0).to(tl.float32)[None, :]
        if SUBTILE:
            halves = tl.permute(tl.reshape(acc, (BLOCK_M, 2, BLOCK_N // 2)), (0, 2, 1))
            left, right = tl.split(halves)
            c_desc.store([off_m, off_n], _gelu_tanh(left, FAST_TANH).to(c_desc.dtype))
            c_desc.store(
                [off_m, off_n + BLOCK_N // 2], _gelu_tanh(right, FAST_TANH).to(c_desc.dtype)
            )
        else:
            c_desc.store([off_m, off_n], _gelu_tanh(acc, FAST_TANH).to(c_desc.dtype))


def _programs(device: torch.device) -> int:
    """One program per SM (4 under the interpreter)."""
    return (
        torch.cuda.get_device_properties(device).multi_processor_count
        if device.type == "cuda"
        else 4
    )


@torch.library.custom_op("eegpt_bench::gemm_gelu_tanh", mutates_args=())
def gemm_gelu_tanh(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, config: list[int] | None = None
) -> torch.Tensor:
    """``gelu(x @ weight.T + bias, approximate="tanh")``: ``x`` ``[..., K]`` bf16/fp16,
    ``weight`` ``[N, K]``, ``bias`` ``[N]``, ``K`` and ``N`` multiples of 8 (TMA's 16-byte
    strides). ``config``: an entry of :data:`CONFIGS` (default :data:`OP_CONFIG`)."""
    bm, bn, bk, group, stages, warps, subtile, *ws = OP_CONFIG if config is None else config
    a = x.reshape(-1, x.shape[-1])
    if not a.is_contiguous():
        a = a.contiguous()
    m, k = a.shape
    n = weight.shape[0]
    y = torch.empty(m, n, device=x.device, dtype=x.dtype)
    programs = min(_programs(x.device), triton.cdiv(m, bm) * triton.cdiv(n, bn))
    _gemm_gelu_kernel[(programs,)](
        TensorDescriptor.from_tensor(a, [bm, bk]),
        TensorDescriptor.from_tensor(weight, [bn, bk]),
        TensorDescriptor.from_tensor(y, [bm, bn // 2 if subtile else bn]),
        bias, m, n, k,
        BLOCK_M=bm, BLOCK_N=bn, BLOCK_K=bk, GROUP_M=group, NUM_PROGRAMS=programs,
        SUBTILE=bool(subtile), FAST_TANH=not _INTERPRET, WARP_SPECIALIZE=bool(ws and ws[0]),
        num_stages=stages, num_warps=warps,
    )  # fmt: skip
    return y.reshape(*x.shape[:-1], n)


@gemm_gelu_tanh.register_fake
def _(x, weight, bias, config=None):
    return x.new_empty(*x.shape[:-1], weight.shape[0])


def reference(x, weight, bias):
    """The same in float32 PyTorch (tanh GELU), rounded to ``x``'s dtype."""
    y = torch.nn.functional.linear(x.float(), weight.float(), bias.float())
    return torch.nn.functional.gelu(y, approximate="tanh").to(x.dtype)


def check(device: str) -> None:
    """Kernel vs :func:`reference` on shapes with ragged tiles, every configuration on a GPU."""
    dtype = torch.float16 if device == "cpu" else torch.bfloat16  # interpreter: no bf16 dot
    torch.manual_seed(0)
    configs = [(32, 64, 32, 2, 2, 4, True), (32, 32, 64, 2, 2, 4, False)]
    for m, k, n in ((200, 512, 192), (77, 96, 64)):
        x = torch.randn(m, k, device=device).to(dtype)
        weight = (torch.randn(n, k, device=device) / k**0.5).to(dtype)
        bias = torch.randn(n, device=device).to(dtype)
        ref = reference(x, weight, bias).float()
        for config in configs if device == "cpu" else CONFIGS:
            y = gemm_gelu_tanh(x, weight, bias, list(config)).float()
            err = ((y - ref).abs().max() / ref.abs().max()).item()
            print(f"M={m} K={k} N={n} config={config}: rel. err {err:.1e}")
            assert err <= 1e-2, err


if __name__ == "__main__":
    kernel_check_cli(check, __doc__)
