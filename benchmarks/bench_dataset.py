"""Corpus throughput of ``embed_dataset``: hours of EEG per second, in-process vs Ray Data.

A synthetic TUH-style corpus (EDF, 250 Hz, 22 channels of which 19 map onto the vocabulary)
is written once, then embedded end to end (read, resample, window, encode, write Parquet) by
each engine into a fresh folder. Reported per engine: wall time, hours of EEG per second,
windows per second, and the time until the first file was done (worker processes or Ray
start-up, model transfer, the first batch). Two stage rates give the cost model of
docs/corpus-scale.md: reading + preprocessing in one process, and ``InferenceEngine.encode`` on
the device alone.

    python benchmarks/bench_dataset.py --device cpu --out benchmarks/results/cpu
    python benchmarks/bench_dataset.py --device cuda --out benchmarks/results/gpu \\
        --files 64 --minutes 20 --precision bfloat16 --batch-size 256

The encoder is the "large" preset with random weights (the speed does not depend on the
values). Ray is skipped when it is not installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from common import environment, log, wait_for_idle_cpu, write_json

from eegpt.config import PRESETS, get_config
from eegpt.dataset import embed_dataset, load_file, read_embeddings, resolve_inputs
from eegpt.demo import synthetic_raw, write_edf
from eegpt.engine import InferenceEngine
from eegpt.model import EEGPT
from eegpt.preprocessing import PreprocessingConfig


def _write_recording(path: Path, minutes: float, seed: int) -> None:
    raw, _ = synthetic_raw(minutes=minutes, seed=seed)
    write_edf(raw, path)


def make_corpus(folder: Path, n_files: int, minutes: float) -> Path:
    """``n_files`` EDF recordings of ``minutes`` each (kept between runs when complete),
    written by a pool of processes."""
    from concurrent.futures import ProcessPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    todo = [i for i in range(n_files) if not (folder / f"rec{i:04d}.edf").exists()]
    with ProcessPoolExecutor(max(1, min(len(todo), (os.cpu_count() or 2) - 1))) as pool:
        jobs = [pool.submit(_write_recording, folder / f"rec{i:04d}.edf", minutes, i) for i in todo]
        for job in jobs:
            job.result()
    return folder


def stage_rates(corpus: Path, model: EEGPT, device: str, precision: str, batch_size: int):
    """Seconds of EEG per second of reading+preprocessing (1 process) and of inference alone."""
    config = PreprocessingConfig()
    files = resolve_inputs(corpus).files[:2]
    t0 = time.perf_counter()
    loaded = [load_file(f.index, f.path, config) for f in files]
    read_s = time.perf_counter() - t0
    eeg_s = sum(f.duration_s for f in loaded)
    engine = InferenceEngine(model, device=device, precision=precision, batch_size=batch_size)
    # Whole batches only (a partial one would capture a new CUDA graph inside the timing); on a
    # GPU, enough of them to reach the steady rate.
    n = batch_size * (16 if engine.device.type == "cuda" else 2)
    first = loaded[0].data
    windows = np.concatenate([first] * (n // len(first) + 1))[:n]
    ids = loaded[0].mapping["chan_ids"]
    engine.encode(windows[: 2 * batch_size], ids)  # warm-up (graph capture)
    if engine.device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    z = engine.encode(windows, ids)
    if engine.device.type == "cuda":
        torch.cuda.synchronize()
    infer_s = time.perf_counter() - t0
    step = config.window_seconds - config.overlap
    return {
        "read_preprocess_eeg_s_per_s_per_process": eeg_s / read_s,
        "inference_windows_per_s": len(windows) / infer_s,
        "inference_eeg_s_per_s": len(windows) * step / infer_s,
        "n_channels": len(ids),
        "parquet_writer": writer_rates(z[: len(first)]),  # distinct windows (one file's)
    }


def writer_rates(z: np.ndarray, rounds: int = 3) -> dict:
    """Windows/s and bytes per window of writing embeddings ``z`` to Parquet, eegpt's writer
    (no dictionary for ``embedding``, zstd) against pyarrow's defaults (dictionary encoding,
    snappy: the writer before), unpooled and mean-pooled, in alternating rounds (best of)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eegpt.outputs import parquet_writer

    out = {}
    for pool, data in (("none", z.reshape(len(z), -1)), ("mean", z.mean(axis=(1, 2)))):
        column = pa.FixedSizeListArray.from_arrays(pa.array(data.ravel()), data.shape[1])
        table = pa.table({"window": np.arange(len(data), dtype=np.int32), "embedding": column})
        best: dict[str, float] = {}
        size: dict[str, int] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(rounds):
                for name in ("pyarrow_defaults", "eegpt"):
                    path = Path(tmp) / f"{name}.parquet"
                    t0 = time.perf_counter()
                    if name == "eegpt":
                        writer = parquet_writer(str(path), table.schema)
                    else:
                        writer = pq.ParquetWriter(str(path), table.schema)
                    writer.write_table(table)
                    writer.close()
                    rate = len(data) / (time.perf_counter() - t0)
                    best[name] = max(best.get(name, 0.0), rate)
                    size[name] = path.stat().st_size
        out[pool] = {
            name: {"windows_per_s": best[name], "bytes_per_window": size[name] / len(data),
                   "of_float32": size[name] / data.nbytes}
            for name in best
        }  # fmt: skip
    return out


def run_engine(engine: str, corpus: Path, out: Path, model: EEGPT, args) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    idle = wait_for_idle_cpu() if args.wait_idle else None  # shared machines: other tenants
    extra = {}
    if engine == "ray":
        import ray

        t0 = time.perf_counter()
        ray.init(include_dashboard=False, log_to_driver=False)
        extra["ray_init_s"] = time.perf_counter() - t0
        extra["ray_resources"] = {
            k: v for k, v in ray.cluster_resources().items() if "node" not in k
        }
    t0 = time.perf_counter()
    try:
        summary = embed_dataset(
            corpus,
            out,
            model=model,
            backend=engine,
            device=args.device,
            precision=args.precision,
            batch_size=args.batch_size,
            shard_size=args.shard_size,
            workers=args.workers,
            replicas=args.replicas,
            files_per_batch=args.files_per_batch,
            pooling=args.pool,
            progress=not args.quiet,
        )
    finally:
        if engine == "ray":
            import ray

            ray.shutdown()
    wall = time.perf_counter() - t0
    result = {
        **summary.to_dict(),
        **extra,
        "cpu_idle_before": idle,
        "wall_s": wall,
        "eeg_hours_per_s": summary.run_hours / wall,
        "windows_per_s_wall": summary.run_windows / wall,
        "output_bytes": sum(p.stat().st_size for p in out.glob("*.parquet")),
    }
    log(
        f"{engine}: {summary.run_hours:.2f} h of EEG in {wall:.1f} s = "
        f"{result['eeg_hours_per_s']:.5f} h/s ({result['windows_per_s_wall']:.2f} windows/s, "
        f"first file done after {summary.startup_s:.1f} s) on {summary.devices}"
    )
    return result


def compare(a: Path, b: Path) -> dict:
    """Whether two outputs hold the same rows, and the largest embedding difference."""
    import pyarrow.parquet as pq

    rows_a, rows_b = (pq.read_table(p).drop_columns(["embedding"]) for p in (a, b))
    (_, ea), (_, eb) = read_embeddings(a), read_embeddings(b)
    same_rows = rows_a.equals(rows_b)
    diff = float(np.abs(ea - eb).max()) if ea.shape == eb.shape else float("nan")
    return {"same_rows": same_rows, "identical": same_rows and diff == 0.0, "max_abs_diff": diff}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="results folder (JSON written there)")
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:0,cuda:1 ... (cpu)")
    p.add_argument("--engines", default="inprocess,ray", help="comma list (inprocess,ray)")
    p.add_argument("--files", type=int, default=6, help="EDF files in the corpus (6)")
    p.add_argument("--minutes", type=float, default=5.0, help="minutes per file (5)")
    p.add_argument(
        "--preset", default="large", choices=sorted(PRESETS), help="encoder size preset (large)"
    )
    p.add_argument("--precision", default=None, help="default: bfloat16 on GPU, float32 on CPU")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--shard-size", type=int, default=4)
    p.add_argument("--workers", type=int, default=None, help="readers (default: see API)")
    p.add_argument("--replicas", type=int, default=None)
    p.add_argument("--files-per-batch", type=int, default=4)
    p.add_argument("--pool", choices=["none", "mean"], default="none")
    p.add_argument("--threads", type=int, default=None, help="torch threads (in-process CPU)")
    p.add_argument("--corpus", type=Path, default=None, help="corpus folder to reuse/create")
    p.add_argument("--tag", default=None, help="results file name suffix (default: device)")
    p.add_argument("--wait-idle", action="store_true", help="wait for an idle CPU before each")
    p.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    cuda = args.device.startswith("cuda") or (args.device == "auto" and torch.cuda.is_available())
    args.precision = args.precision or ("bfloat16" if cuda else "float32")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if "ray" in engines:
        try:
            import ray  # noqa: F401
        except ImportError:
            log("ray is not installed: skipping the Ray engine (pip install 'ray[data]')")
            engines.remove("ray")

    work = Path(tempfile.mkdtemp(prefix="eegpt-bench-dataset-"))
    corpus = make_corpus(args.corpus or work / "corpus", args.files, args.minutes)
    torch.manual_seed(0)
    model = EEGPT(get_config(args.preset)).eval()
    first_gpu = "cuda" if args.device in ("cuda", "auto") and cuda else args.device.split(",")[0]
    log(f"corpus: {args.files} x {args.minutes} min EDF in {corpus}; model {args.preset}")
    if args.wait_idle:
        wait_for_idle_cpu()
    stages = stage_rates(corpus, model, first_gpu, args.precision, args.batch_size)
    log(f"stages: {stages}")
    cfg = get_config(args.preset)
    results = {
        "benchmark": "bench_dataset",
        "environment": environment(first_gpu),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "corpus": {
            "files": args.files,
            "minutes_per_file": args.minutes,
            "eeg_hours": args.files * args.minutes / 60,
            "sfreq_in": 250.0,
            "channels_in": 22,
        },
        "model": {
            "preset": args.preset,
            "flops_per_window": cfg.flops_per_window(stages["n_channels"], 1024),
        },
        "stages": stages,
        "engines": {},
    }
    try:
        for engine in engines:
            out = work / f"out-{engine}"
            results["engines"][engine] = run_engine(engine, corpus, out, model, args)
        if len(engines) == 2:
            results["engines_agree"] = compare(*(work / f"out-{e}" for e in engines))
            log(f"outputs of {' and '.join(engines)}: {results['engines_agree']}")
    finally:
        shutil.rmtree(work / "out-inprocess", ignore_errors=True)
        shutil.rmtree(work / "out-ray", ignore_errors=True)
        if args.corpus is None:
            shutil.rmtree(work, ignore_errors=True)
    tag = args.tag or ("gpu" if cuda else "cpu")
    write_json(args.out / f"dataset_{tag}.json", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
