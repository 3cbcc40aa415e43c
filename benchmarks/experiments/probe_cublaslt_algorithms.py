"""Probe: would another cuBLASLt algorithm run the encoder's GEMMs faster than PyTorch's pick?

PyTorch asks cuBLASLt for its first heuristic choice and gives no way to pick another
(TunableOp only tunes on ROCm). NVIDIA's nvmath-python exposes the heuristic list
(``Matmul.plan``), runs any entry and autotunes over them. This times, at the large encoder's
batch-512 shapes (M = 512 x 16 x 62 rows; bias epilogue, and GELU + bias for fc1), PyTorch's
GEMM, every algorithm cuBLASLt offers (up to 32) and nvmath's autotuned choice.

Needs ``nvmath-python`` (with ``cuda-core``, ``cuda-bindings``, ``cuda-pathfinder``); not a
dependency of eegpt.

    python benchmarks/experiments/probe_cublaslt_algorithms.py --out results/h200

Result on an H200 (``results/h200/probe_cublaslt_algorithms.json``): cuBLASLt offers 8
algorithms per shape, all variants of the same Hopper kernel family with other tile shapes;
the autotuned pick matched PyTorch's within the clock noise of the run (qkv 1.35 vs 1.25-1.44
ms, proj 0.40 vs 0.47-0.49, fc1 + GELU 2.13 vs 2.10, fc2 1.62 vs 1.65-1.67). Nothing to gain.
"""

from __future__ import annotations

import argparse
import statistics
import traceback
from pathlib import Path

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
import torch.nn.functional as F
from common import environment, event_ms, log, write_json

SHAPES = {"qkv": (512, 1536, False), "proj": (512, 512, False), "fc1": (512, 2048, True),
          "fc2": (2048, 512, False)}  # fmt: skip


def timeit(fn, rounds: int = 5, calls: int = 20) -> float:
    return statistics.median(event_ms(fn, calls) for _ in range(rounds))


def probe(name: str, k: int, n: int, gelu: bool, rows: int) -> dict:
    import nvmath
    from nvmath.linalg.advanced import Matmul, MatmulEpilog, MatmulPlanPreferences

    x = torch.randn(rows, k, device="cuda", dtype=torch.bfloat16)
    w = torch.randn(n, k, device="cuda", dtype=torch.bfloat16) / k**0.5
    b = torch.randn(n, device="cuda", dtype=torch.bfloat16)
    if gelu:
        ours = lambda: torch._addmm_activation(b, x, w.t(), use_gelu=True)  # noqa: E731
    else:
        ours = lambda: F.linear(x, w, b)  # noqa: E731
    ref = ours().float()
    # D^T = W @ x^T ([N, M] column-major is our row-major [M, N]); bias per row of D^T
    mm = Matmul(w, x.t())
    epilog = MatmulEpilog.GELU_BIAS if gelu else MatmulEpilog.BIAS
    mm.plan(preferences=MatmulPlanPreferences(limit=32), epilog=epilog,
            epilog_inputs={"bias": b.view(n, 1)})  # fmt: skip
    out: dict = {"nvmath": nvmath.__version__, "n_algorithms": len(mm.algorithms)}
    y = mm.execute().t()
    out["rel_err_vs_torch"] = ((y.float() - ref).abs().max() / ref.abs().max()).item()
    out["torch_ms"] = timeit(ours)
    out["per_algorithm"] = [
        {
            "ms": timeit(lambda alg=alg: mm.execute(algorithm=alg), rounds=3, calls=10),
            "tile": str(alg.tile),
            "stages": str(alg.stages),
            "cluster": str(alg.cluster_shape),
            "split_k": alg.split_k,
            "algorithm_id": alg.algorithm_id,
        }  # fmt: skip
        for alg in mm.algorithms
    ]
    mm.autotune(iterations=5)
    out["nvmath_autotuned_ms"] = timeit(lambda: mm.execute())
    out["torch_ms_again"] = timeit(ours)
    mm.free()
    log(f"{name}: torch {out['torch_ms']:.3f}/{out['torch_ms_again']:.3f} ms, autotuned "
        f"{out['nvmath_autotuned_ms']:.3f} ms, {out['n_algorithms']} algorithms")  # fmt: skip
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    rows = 512 * 16 * 62
    res: dict = {"environment": environment("cuda"), "rows": rows}
    for name, (k, n, gelu) in SHAPES.items():
        try:
            res[name] = probe(name, k, n, gelu, rows)
        except Exception:  # noqa: BLE001 - a shape that does not run is a result too
            res[name] = {"error": traceback.format_exc()[-2000:]}
        write_json(args.out / "probe_cublaslt_algorithms.json", res)


if __name__ == "__main__":
    main()
