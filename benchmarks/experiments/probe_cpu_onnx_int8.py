"""Probe: ONNX Runtime and int8 on CPU for the pretrained-size encoder (58 ch x 1024, depth 8).

The issue asks to weigh ONNX Runtime or int8 as CPU opt-ins, with their measured error. This
runs, in one process on the same random weights and inputs, interleaved rounds (each preceded
by a wait for an idle CPU) of:

* braindecode 1.8 ``EEGPT``, eager float32 (the baseline of every CPU figure);
* eegpt's ``InferenceEngine`` float32 (the default CPU path: fast-path algebra, pre-packed
  oneDNN linears);
* ONNX Runtime float32 on the reference graph (``torch.onnx.export`` of the plain path, all
  graph optimisations on, which fuse LayerNorm, GELU and attention patterns);
* ONNX Runtime int8: ``onnxruntime.quantization.quantize_dynamic`` of that graph (int8
  per-channel weights, activations quantised per tensor at run time);
* PyTorch's dynamic int8 linears (``torch.ao.quantization.quantize_dynamic``, deprecated in
  PyTorch but still shipped) on the plain path.

Errors are max |out - ref| / max |ref| on the embeddings against a float64 run of the plain
path. Needs ``pip install onnxruntime onnx`` (not dependencies of eegpt).

    python benchmarks/experiments/probe_cpu_onnx_int8.py --out results/cpu --threads 2

Result on the project's 2-vCPU machine, AVX2 (``results/cpu/probe_cpu_onnx_int8.json``, batch
8, best of 7 rounds): ONNX Runtime float32 takes 1.20x as long as eegpt's float32 engine
(braindecode: 1.34x); both int8 variants are 1.31-1.36x faster than the engine but miss the
embeddings by 5.0-5.2e-2 (max relative), five times the bound the issue sets for bf16/fp16
modes. Not kept as an opt-in (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import copy
import tempfile
import warnings
from pathlib import Path

import _parent  # noqa: F401 - puts benchmarks/ (common.py) on sys.path
import torch
from common import environment, log, model_pair, rel_err, time_calls, write_json

N_CHANS, N_TIMES = 58, 1024


def onnx_sessions(
    model: torch.nn.Module, x: torch.Tensor, ids: torch.Tensor, threads: int, tmp: Path
):
    """(float32 session, int8 session) of the plain path exported with a dynamic batch axis."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class WithChannels(torch.nn.Module):
        def __init__(self, enc: torch.nn.Module) -> None:
            super().__init__()
            self.enc = enc

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.enc(x, ids)

    f32, i8 = tmp / "eegpt.onnx", tmp / "eegpt_int8.onnx"
    torch.onnx.export(
        WithChannels(model), (x,), str(f32), dynamo=False, input_names=["x"],
        output_names=["z"], dynamic_axes={"x": {0: "batch"}}, opset_version=17,
    )  # fmt: skip
    quantize_dynamic(str(f32), str(i8), weight_type=QuantType.QInt8, per_channel=True)
    so = ort.SessionOptions()
    so.intra_op_num_threads, so.inter_op_num_threads = threads, 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    make = lambda p: ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])  # noqa: E731
    return make(f32), make(i8), ort.__version__


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings("ignore")  # deprecation notices of torch.ao / the TorchScript exporter

    from eegpt.engine import InferenceEngine

    bd, ours, ids_list = model_pair(N_CHANS, N_TIMES, depth=8, stride=64)
    ids = torch.tensor(ids_list)
    plain = copy.deepcopy(ours)
    plain.fused = False
    torch.manual_seed(1)
    x = torch.randn(args.batch, N_CHANS, N_TIMES)
    with torch.no_grad():
        ref64 = copy.deepcopy(plain).double()(x.double(), ids)

    engine = InferenceEngine(ours, "cpu", batch_size=args.batch)
    plan = engine.plan(ids)
    fns = {
        "braindecode fp32": lambda: bd(x),
        "eegpt fp32 (engine)": lambda: engine.forward(x, ids, plan),
    }
    res: dict = {"environment": environment("cpu"), "batch": args.batch, "threads": args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            s32, s8, res["onnxruntime"] = onnx_sessions(plain, x, ids, args.threads, Path(tmp))
            feed = {"x": x.numpy()}
            fns["onnxruntime fp32"] = lambda: torch.from_numpy(s32.run(None, feed)[0])
            fns["onnxruntime int8 (dynamic)"] = lambda: torch.from_numpy(s8.run(None, feed)[0])
        except ImportError as err:
            res["onnxruntime"] = f"not installed: {err}"
    from torch.ao.quantization import quantize_dynamic

    q8 = quantize_dynamic(copy.deepcopy(plain), {torch.nn.Linear}, dtype=torch.qint8)
    fns["torch int8 (dynamic linears)"] = lambda: q8(x, ids)

    with torch.no_grad():
        errs = {name: rel_err(fn(), ref64) for name, fn in fns.items()}
        stats = time_calls(fns, "cpu", warmup=1, repeats=args.rounds, budget_s=0, quiet=True)
    base = stats["eegpt fp32 (engine)"]["min_ms"]
    res["variants"] = {}
    for name, st in stats.items():
        res["variants"][name] = {
            **st,
            "windows_per_s": args.batch / (st["min_ms"] / 1e3),
            "speedup_vs_eegpt_fp32": base / st["min_ms"],
            "speedup_vs_braindecode_fp32": stats["braindecode fp32"]["min_ms"] / st["min_ms"],
            "rel_err_vs_float64": errs[name],
        }
        log(f"{name:>30}: best {st['min_ms']:8.0f} ms  median {st['median_ms']:8.0f} ms  "
            f"x{base / st['min_ms']:.2f} vs eegpt fp32  err {errs[name]:.1e}")  # fmt: skip
    write_json(args.out / "probe_cpu_onnx_int8.json", res)


if __name__ == "__main__":
    main()
