"""End to end: EDF files on disk -> embeddings written, in hours of EEG per second.

Writes synthetic TUH-style recordings (22 signals at 250 Hz, 19 of them in the EEGPT
vocabulary; :func:`eegpt.demo.synthetic_raw`) as EDF, then embeds them with the pretrained-size
model ("large", random weights) through the public API, two ways:

* ``sequential``: per file, the steps of :func:`eegpt.api.embed` timed one by one -- read
  (``as_recording``), channel mapping, preprocessing (resampling 250 -> 256 Hz, volts -> mV,
  4 s windows), embedding (``InferenceEngine.encode``), writing (``Embeddings.save``, npz);
  plus ``api.embed`` + ``save`` as one call, to check that the stages add up.
* ``corpus``: :func:`eegpt.dataset.embed_dataset` on the folder: reader processes overlap
  reading and preprocessing with inference; windows of same-channel files share batches;
  Parquet shards.

The slowest stage is reported as the limit.

    python benchmarks/bench_end_to_end.py --device cuda --out benchmarks/results/gpu
    python benchmarks/bench_end_to_end.py --device cpu --out benchmarks/results/cpu \
        --files 2 --minutes 5 --threads 2
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import torch
from common import environment, log, sync, write_json


def make_files(folder: Path, n: int, minutes: float, sfreq: float) -> list[Path]:
    from eegpt.demo import synthetic_raw, write_edf

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        raw, _ = synthetic_raw(minutes, sfreq=sfreq, seed=i)
        paths.append(write_edf(raw, folder / f"rec{i:03d}.edf", overwrite=True))
    return paths


def sequential(model, engine, paths: list[Path], out_dir: Path) -> dict:
    from eegpt.api import embed, provenance
    from eegpt.channels import map_channels
    from eegpt.io import as_recording
    from eegpt.outputs import Embeddings
    from eegpt.preprocessing import PreprocessingConfig, prepare

    stages = dict.fromkeys(("read", "map", "preprocess", "embed", "write"), 0.0)
    windows = 0
    hours = 0.0
    config = PreprocessingConfig()
    t_all = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        rec = as_recording(path, verbose=False)
        t1 = time.perf_counter()
        mapping = map_channels(rec.ch_names, verbose=False)
        t2 = time.perf_counter()
        win = prepare(rec, mapping, config, verbose=False)
        t3 = time.perf_counter()
        z = engine.encode(win.data, mapping.chan_ids)
        sync(engine.device)
        t4 = time.perf_counter()
        emb = Embeddings(z, win.onsets, provenance(model, rec, win, engine))
        emb.save(out_dir / f"{path.stem}.npz", overwrite=True)
        t5 = time.perf_counter()
        for k, a, b in zip(stages, (t0, t1, t2, t3, t4), (t1, t2, t3, t4, t5), strict=True):
            stages[k] += b - a
        windows += len(z)
        hours += rec.data.shape[-1] / rec.sfreq / 3600
    total = time.perf_counter() - t_all
    # the same work through the one-call public API
    t0 = time.perf_counter()
    for path in paths:
        embed(model, path, engine=engine, verbose=False).save(
            out_dir / f"{path.stem}.api.npz", overwrite=True
        )
    api_total = time.perf_counter() - t0
    limit = max(stages, key=stages.get)
    return {
        "files": len(paths),
        "windows": windows,
        "hours_eeg": hours,
        "seconds": total,
        "hours_eeg_per_s": hours / total,
        "windows_per_s": windows / total,
        "stages_s": stages,
        "stage_share": {k: v / total for k, v in stages.items()},
        "limiting_stage": limit,
        "api_embed_save_seconds": api_total,
        "api_hours_eeg_per_s": hours / api_total,
    }


def corpus(model, folder: Path, out_dir: Path, device: str, precision: str, batch: int) -> dict:
    from eegpt.dataset import embed_dataset

    t0 = time.perf_counter()
    summary = embed_dataset(
        folder,
        out_dir,
        model=model,
        device=device,
        precision=precision,
        batch_size=batch,
        overwrite=True,
        progress=False,
    )
    dt = time.perf_counter() - t0
    info = {
        k: getattr(summary, k)
        for k in ("windows", "hours", "n_files", "n_failed")
        if hasattr(summary, k)
    }
    return {
        **info,
        "seconds": dt,
        "hours_eeg_per_s": info.get("hours", 0.0) / dt,
        "windows_per_s": info.get("windows", 0) / dt,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--files", type=int, default=None)
    ap.add_argument("--minutes", type=float, default=None)
    ap.add_argument("--precisions", default=None, help="e.g. float32,bfloat16")
    ap.add_argument("--sfreqs", default=None, help="sampling rates of the EDF files, e.g. 250,256")
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    # the synthetic files hold 3 non-EEG signals that the channel mapping drops, with a warning
    warnings.filterwarnings("ignore", message=".*do not match the EEGPT vocabulary.*")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    gpu = device.type == "cuda"
    n_files = args.files or (8 if gpu else 2)
    minutes = args.minutes or (30.0 if gpu else 5.0)
    precisions = (args.precisions or ("float32,bfloat16" if gpu else "float32")).split(",")
    batch = args.batch or (256 if gpu else 16)
    sfreqs = [float(f) for f in (args.sfreqs or ("250,256" if gpu else "250")).split(",")]
    if args.smoke:
        n_files, minutes, precisions, sfreqs = 2, 0.5, precisions[:1], sfreqs[:1]

    from eegpt.engine import InferenceEngine
    from eegpt.model import EEGPT

    work = args.workdir or Path(tempfile.mkdtemp(prefix="eegpt-e2e-"))
    torch.manual_seed(0)
    model = EEGPT("large").eval()
    results: dict = {
        "env": environment(device),
        "benchmark": "end_to_end",
        "files": n_files,
        "minutes_per_file": minutes,
        "edf": "22 signals (19 mapped to the EEGPT vocabulary), 16-bit EDF",
        "model": "large (depth 8, 512 wide), random weights; 4 s windows at 256 Hz, no overlap",
        "runs": [],
    }
    for sfreq in sfreqs:
        t0 = time.perf_counter()
        folder = work / f"edf-{sfreq:g}"
        paths = make_files(folder, n_files, minutes, sfreq)
        log(f"wrote {n_files} EDF files of {minutes} min at {sfreq:g} Hz in "
            f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        for precision in precisions:
            engine = InferenceEngine(model, device, precision=precision, batch_size=batch)
            out_dir = work / f"out-{precision}"
            out_dir.mkdir(exist_ok=True)
            t0 = time.perf_counter()
            sequential(model, engine, paths[:1], out_dir)  # warm-up: graphs, caches
            run = {
                "precision": precision,
                "sfreq": sfreq,
                "batch": batch,
                "warmup_s": time.perf_counter() - t0,
                "edf_bytes": sum(p.stat().st_size for p in paths),
                "engine": {"cuda_graphs": engine.use_graphs, "compile": engine.use_compile},
            }
            run["sequential"] = s = sequential(model, engine, paths, out_dir)
            log(
                f"{precision} @ {sfreq:g} Hz sequential: {s['hours_eeg_per_s']:.3f} h EEG/s, "
                f"limit {s['limiting_stage']} "
                f"({', '.join(f'{k} {v:.2f}s' for k, v in s['stages_s'].items())})"
            )
            if not args.no_corpus:
                try:
                    run["corpus"] = corpus(
                        model, folder, work / f"corpus-{precision}", args.device, precision, batch
                    )
                    log(f"{precision} @ {sfreq:g} Hz corpus: "
                        f"{run['corpus']['hours_eeg_per_s']:.3f} h EEG/s")  # fmt: skip
                except Exception as err:  # noqa: BLE001 - recorded, the run goes on
                    run["corpus"] = {"error": repr(err)}
                    log(f"corpus mode failed: {err!r}")
            results["runs"].append(run)
            write_json(args.out / "end_to_end.json", results)
            del engine
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
