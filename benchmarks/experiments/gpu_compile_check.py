"""GPU check of the engine's torch.compile + CUDA-graph path: no recompiles across ragged
batch sizes, one graph per bucket, steady throughput, and the error against a CPU float32
engine (on a deep copy of the same random "large" encoder, 58 channels, 4 s windows).

Prints one JSON line per precision (float32, bfloat16), then the whole record:
``first_call_s`` (compile + capture), ``maxrel_vs_cpu_fp32`` (max |gpu - cpu| / max |cpu|),
``graphs_cached``, ``recaptures``, dynamo's ``frames`` / ``unique_graphs`` / ``recompiles``
counters, ``steady_windows_per_s`` (2,560 windows, after a warm pass).

    python benchmarks/experiments/gpu_compile_check.py      # needs CUDA
"""

from __future__ import annotations

import copy
import json
import time

import numpy as np
import torch
import torch._dynamo.utils as dynamo_utils

from eegpt.config import PRESETS
from eegpt.engine import InferenceEngine
from eegpt.model import EEGPTEncoder

N_CHANNELS, N_TIMES = 58, 1024


def main() -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    encoder = EEGPTEncoder(PRESETS["large"]).eval()
    ids = list(range(N_CHANNELS))

    def windows(n: int) -> np.ndarray:
        return (rng.standard_normal((n, N_CHANNELS, N_TIMES)) * 0.05).astype(np.float32)

    result: dict = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name()}
    x = windows(37)
    reference = InferenceEngine(copy.deepcopy(encoder), "cpu", batch_size=16).encode(x, ids)
    for precision in ("float32", "bfloat16"):
        dynamo_utils.counters.clear()
        torch._dynamo.reset()
        engine = InferenceEngine(
            copy.deepcopy(encoder), "cuda", precision=precision, batch_size=64, compile=True
        )
        start = time.perf_counter()
        y = engine.encode(x, ids)
        first = time.perf_counter() - start
        for n in (1, 5, 37, 64, 65, 130, 37, 5, 1):  # ragged sizes, repeated
            engine.encode(windows(n), ids)
        big = windows(64 * 40)
        engine.encode(big, ids)
        torch.cuda.synchronize()
        start = time.perf_counter()
        engine.encode(big, ids)
        torch.cuda.synchronize()
        steady = time.perf_counter() - start
        counters = dynamo_utils.counters
        result[precision] = {
            "first_call_s": round(first, 2),
            "maxrel_vs_cpu_fp32": float(np.abs(y - reference).max() / np.abs(reference).max()),
            "graphs_cached": len(engine._graphs),
            "recaptures": engine._recaptures,
            "dynamo_frames": dict(counters["frames"]),
            "unique_graphs": dict(counters["stats"]).get("unique_graphs"),
            "recompiles": dict(counters["recompiles"]) if "recompiles" in counters else {},
            "steady_windows_per_s": round(len(big) / steady, 1),
            "use_compile": engine.use_compile,
            "use_graphs": engine.use_graphs,
        }
        print(precision, json.dumps(result[precision]), flush=True)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
