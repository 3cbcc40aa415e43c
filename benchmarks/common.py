"""Shared helpers of the benchmark scripts: models, timing, environment, JSON.

Both implementations run in the same process: braindecode 1.8's ``EEGPT`` (eager PyTorch, the
baseline) and eegpt's engine, with braindecode's encoder weights copied into ours, so every
figure is measured side by side on identical weights and inputs.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
STUBS = ROOT / "tests" / "stubs"


def import_braindecode():
    """``braindecode.models.EEGPT`` and its channel list (with our torchaudio stand-in if the
    installed torchaudio does not match torch; EEGPT never uses it)."""
    try:
        import torchaudio  # noqa: F401
    except Exception:
        sys.modules.pop("torchaudio", None)
        sys.path.insert(0, str(STUBS))
    warnings.filterwarnings("ignore", category=FutureWarning)
    from braindecode.models import EEGPT
    from braindecode.models.eegpt import EEGPT_CHANNELS

    return EEGPT, EEGPT_CHANNELS


def model_pair(
    n_chans: int,
    n_times: int,
    *,
    depth: int,
    stride: int,
    embed_dim: int = 512,
    heads: int = 8,
    embed_num: int = 4,
    seed: int = 0,
):
    """(braindecode EEGPT encoder-only, our EEGPTEncoder with the same weights, chan_ids)."""
    from eegpt.config import EEGPTConfig
    from eegpt.model import EEGPTEncoder

    BD, names = import_braindecode()
    torch.manual_seed(seed)
    chs = names[:n_chans] if n_chans <= len(names) else None
    bd = BD(
        n_chans=n_chans,
        n_times=n_times,
        chs_info=[{"ch_name": n} for n in chs] if chs else None,
        patch_size=64,
        patch_stride=stride,
        depth=depth,
        embed_dim=embed_dim,
        num_heads=heads,
        embed_num=embed_num,
        return_encoder_output=True,
        chan_proj_type="none",
    ).eval()
    cfg = EEGPTConfig(
        embed_dim=embed_dim,
        depth=depth,
        num_heads=heads,
        embed_num=embed_num,
        patch_stride=stride,
        n_chan_embeddings=max(62, n_chans),
    )
    ours = EEGPTEncoder(cfg).eval()
    prefix = "target_encoder."
    ours.load_state_dict(
        {k[len(prefix) :]: v for k, v in bd.state_dict().items() if k.startswith(prefix)}
    )
    return bd, ours, bd.chans_id.reshape(-1).tolist()


def sync(device: torch.device | str) -> None:
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def event_ms(fn: Callable[[], Any], calls: int = 1) -> float:
    """Milliseconds per call of ``fn`` over ``calls`` back-to-back calls, timed between two CUDA
    events (the host waits for the second)."""
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(calls):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / calls


def time_calls(
    fns: dict[str, Callable[[], Any]],
    device: torch.device | str,
    *,
    warmup: int = 3,
    repeats: int = 30,
    budget_s: float = 30.0,
    quiet: bool = False,
) -> dict[str, dict[str, float]]:
    """Wall-clock milliseconds per call of each function, synchronised, in interleaved rounds.

    Every round calls each function once, so drifting machine load hits all of them alike.
    Returns ``{name: {"median_ms", "min_ms", "p90_ms", "n"}}``. Stops early (keeping at least
    5 rounds) when ``budget_s`` is spent. ``quiet``: wait for an idle CPU before each round
    (shared CPU machines).
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
        sync(device)
    times: dict[str, list[float]] = {k: [] for k in fns}
    t_end = time.perf_counter() + budget_s
    for r in range(repeats):
        if quiet:
            wait_for_idle_cpu()
        for name, fn in fns.items():
            sync(device)
            t0 = time.perf_counter()
            fn()
            sync(device)
            times[name].append((time.perf_counter() - t0) * 1e3)
        if r >= 4 and time.perf_counter() > t_end:
            break
    return {k: summarize(v) for k, v in times.items()}


def summarize(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {
        "median_ms": statistics.median(s),
        "min_ms": s[0],
        "p90_ms": s[min(len(s) - 1, int(0.9 * len(s)))],
        "n": len(s),
    }


def cpu_idle_fraction(interval: float = 0.25) -> float:
    """Fraction of CPU time idle over ``interval`` seconds, machine-wide (/proc/stat)."""
    try:

        def read() -> tuple[int, int]:
            with open("/proc/stat") as fh:
                v = [int(x) for x in fh.readline().split()[1:]]
            return v[3] + v[4], sum(v)

        i0, t0 = read()
        time.sleep(interval)
        i1, t1 = read()
        return (i1 - i0) / max(1, t1 - t0)
    except OSError:
        return 1.0


def wait_for_idle_cpu(threshold: float = 0.8, max_wait_s: float = 5.0) -> float:
    """Block until the machine is mostly idle (other tenants), at most ``max_wait_s``."""
    t_end = time.perf_counter() + max_wait_s
    idle = cpu_idle_fraction()
    while idle < threshold and time.perf_counter() < t_end:
        idle = cpu_idle_fraction()
    return idle


def rel_err(a: torch.Tensor, b: torch.Tensor) -> float:
    """max |a - b| / max |b| (the issue's relative error)."""
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    return ((a - b).abs().max() / b.abs().max()).item()


def environment(device: torch.device | str) -> dict[str, Any]:
    """Machine and software versions for the results file."""
    import numpy

    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": _cpu_name(),
        **_cpu_details(),
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "numpy": numpy.__version__,
        "device": str(device),
        "time": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    for dist in ("braindecode", "mne", "triton", "eegpt", "onnxruntime"):
        try:  # metadata only: importing braindecode here would bypass the torchaudio stand-in
            env[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            env[dist] = None
    if torch.device(device).type == "cuda":
        props = torch.cuda.get_device_properties(0)
        env.update(
            gpu=props.name,
            gpu_memory_gib=round(props.total_memory / 2**30, 1),
            gpu_sms=props.multi_processor_count,
            cuda=torch.version.cuda,
            cudnn=torch.backends.cudnn.version(),
            tf32_matmul=torch.backends.cuda.matmul.allow_tf32,
        )
    return env


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


#: ISA flags that decide the CPU's matmul kernels (from /proc/cpuinfo on Linux).
CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16")


def _cpu_details() -> dict[str, Any]:
    """The CPU's family/model numbers and relevant ISA flags, beside the model name (a VM's
    model name may say only "AMD EPYC"); torch's detected CPU capability on every platform."""
    out: dict[str, Any] = {}
    with contextlib.suppress(Exception):
        out["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    info: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if not line.strip():
                    break  # the first processor's block is enough
                key, _, value = line.partition(":")
                info[key.strip()] = value.strip()
    except OSError:
        out["cpu_processor"] = platform.processor()
        return out
    flags = set(info.get("flags", "").split())
    out.update(
        cpu_vendor=info.get("vendor_id"),
        cpu_family=info.get("cpu family"),
        cpu_model=info.get("model"),
        cpu_flags={flag: flag in flags for flag in CPU_FLAGS},
    )
    return out


#: Error bounds (max |out - ref| / max |ref| against a float64 run of braindecode) of eegpt's
#: precisions: float32 claims to be exact to 1e-5, bfloat16/float16 stay within 1e-2. Every
#: eegpt variant the benchmarks time is one of these (the opt-in float16 residual stream is a
#: bf16 variant and has the bf16 bound); braindecode's own rows are the reference and exempt.
ERROR_BOUNDS = {"fp32": 1e-5, "bf16": 1e-2, "fp16": 1e-2}


def error_bound(variant: str) -> float | None:
    """The bound of a variant named like "eegpt bf16 compiled, fp16 stream"; None if exempt."""
    words = variant.replace(",", " ").split()
    if len(words) < 2 or words[0] != "eegpt":
        return None
    return ERROR_BOUNDS.get(words[1])


def check_error(variant: str, err: float | None, where: str = "") -> dict[str, Any]:
    """``{"error_bound": ..., "within_bound": ...}`` for the JSON (both None when exempt or not
    measured), and a clear line in the log when a bounded variant is checked."""
    bound = error_bound(variant)
    if bound is None or err is None:
        return {"error_bound": bound, "within_bound": None}
    ok = bool(err <= bound)
    log(
        f"error check{' ' + where if where else ''}: {variant}: {err:.2e} vs float64 "
        f"{'<=' if ok else '>'} {bound:.0e}: {'ok' if ok else 'FAILED'}"
    )
    return {"error_bound": bound, "within_bound": ok}


def failed_error_checks(entries: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Names of the checked entries whose error was outside its bound."""
    return [name for name, e in entries if e.get("within_bound") is False]


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1, default=str))
    print(f"wrote {path}", flush=True)


def run_probe(
    doc: str,
    name: str,
    alone: Callable[[float], Any],
    in_engine: Callable[[float, int], Any],
    seconds: float = 1.5,
) -> None:
    """Command line of a two-part GPU probe (``--part alone|engine|both``, ``--seconds`` per
    timing round, ``--batch`` for the engine): writes ``<--out>/<name>.json`` after each part."""
    import argparse

    p = argparse.ArgumentParser(description=doc)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--seconds", type=float, default=seconds)
    p.add_argument("--part", choices=["alone", "engine", "both"], default="both")
    args = p.parse_args()
    torch.manual_seed(0)
    res: dict = {"environment": environment("cuda"), "batch": args.batch}
    path = args.out / f"{name}.json"
    if args.part in ("alone", "both"):
        res["alone"] = alone(args.seconds)
        write_json(path, res)
    if args.part in ("engine", "both"):
        res["engine"] = in_engine(args.seconds, args.batch)
        write_json(path, res)


def log(*args: Any) -> None:
    print(*args, flush=True)


def kernel_check_cli(check: Callable[[str], None], description: str | None) -> None:
    """Command line of an experimental Triton kernel script: ``--check`` runs ``check(device)``
    on the GPU, or on CPU under Triton's interpreter (``TRITON_INTERPRET=1``)."""
    import argparse

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--check", action="store_true", help="compare with PyTorch and exit")
    if not p.parse_args().check:
        p.print_help()
        return
    if not torch.cuda.is_available() and os.environ.get("TRITON_INTERPRET") != "1":
        raise SystemExit("no GPU: run with TRITON_INTERPRET=1 (Triton's CPU interpreter)")
    check("cuda" if torch.cuda.is_available() else "cpu")
    print("ok")
