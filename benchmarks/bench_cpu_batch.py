"""CPU throughput of eegpt's engine against its batch size, for several channel counts.

The question it answers: which ``batch_size`` should the engine use on a CPU by default? Every
batch size encodes the same windows through ``InferenceEngine.encode`` (the path users run),
in interleaved rounds (each round times every batch size once, after waiting for an idle CPU),
and the best round of each is kept. The engine's automatic choice (``batch_size=None``) runs
in the same rounds, so its rate is measured side by side with the fixed sizes.

    python bench_cpu_batch.py --out results/cpu --threads 2
    python bench_cpu_batch.py --out /tmp/x --smoke
    python bench_cpu_batch.py --replot results/cpu/cpu_batch.json   # the figure again
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from common import environment, log, wait_for_idle_cpu, write_json


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path)
    ap.add_argument("--replot", type=Path, help="draw the figure of a results file, run nothing")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--channels", default="58,19,4", help="channel counts (comma-separated)")
    ap.add_argument("--batches", default="1,2,4,8,16,32,64")
    ap.add_argument("--windows", type=int, default=64, help="windows encoded per measurement")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--precisions", default=None, help="default: float32 (+ bfloat16 if native)")
    ap.add_argument("--tag", default="", help="suffix of the output file name")
    ap.add_argument("--smoke", action="store_true", help="depth 1, few windows: a quick check")
    args = ap.parse_args()
    if args.replot:
        plot(json.loads(args.replot.read_text()), args.replot.with_suffix(".png"))
        return
    if args.out is None:
        ap.error("--out is required")
    if args.threads:
        torch.set_num_threads(args.threads)

    from eegpt.config import PRESETS
    from eegpt.engine import InferenceEngine, native_cpu_matmul
    from eegpt.model import EEGPTEncoder

    cfg = PRESETS["large"]
    batches = [int(b) for b in args.batches.split(",")]
    channels = [int(c) for c in args.channels.split(",")]
    n_windows, rounds = args.windows, args.rounds
    if args.smoke:
        cfg, batches, channels, n_windows, rounds = cfg.replace(depth=1), [1, 4], [4], 4, 1
    if args.precisions:
        precisions = args.precisions.split(",")
    else:
        precisions = ["float32"] + (["bfloat16"] if native_cpu_matmul(torch.bfloat16) else [])
    torch.manual_seed(0)
    model = EEGPTEncoder(cfg).eval()
    n_times = 1024
    res: dict = {
        "env": environment("cpu"),
        "benchmark": "cpu_batch",
        "model": {"preset": "large", "depth": cfg.depth, "n_times": n_times},
        "windows_per_measurement": n_windows,
        "statistic": "windows/s of the best of interleaved rounds (median also given)",
        "results": [],
    }
    rng = np.random.default_rng(0)
    for precision in precisions:
        engines = {b: InferenceEngine(model, "cpu", precision, batch_size=b) for b in batches}
        auto = InferenceEngine(model, "cpu", precision)  # batch_size=None: the engine's choice
        for n_chans in channels:
            x = rng.standard_normal((n_windows, n_chans, n_times), dtype=np.float32) * 0.02
            ids = list(range(n_chans))
            auto_batch = auto.batch_for(x.shape[1:])
            runs = {str(b): e for b, e in engines.items()} | {"auto": auto}
            times: dict[str, list[float]] = {k: [] for k in runs}
            for e in runs.values():  # warm-up: packed weights, allocator
                e.encode(x[: min(4, n_windows)], ids)
            for _ in range(rounds):
                for name, e in runs.items():
                    wait_for_idle_cpu()
                    t0 = time.perf_counter()
                    e.encode(x, ids)
                    times[name].append(time.perf_counter() - t0)
            entry = {
                "precision": precision,
                "n_chans": n_chans,
                "tokens_per_window": cfg.n_patches(n_times) * (n_chans + cfg.embed_num),
                "auto_batch": auto_batch,
                "windows_per_s": {k: n_windows / min(v) for k, v in times.items()},
                "windows_per_s_median": {
                    k: n_windows / float(np.median(v)) for k, v in times.items()
                },
            }
            res["results"].append(entry)
            rates = entry["windows_per_s"]
            best = max((k for k in rates if k != "auto"), key=rates.get)
            log(
                f"{precision} {n_chans:3d} ch: "
                + "  ".join(f"{k}: {v:.2f}" for k, v in rates.items())
                + f"  windows/s; best batch {best}, auto = {auto_batch}"
                f" ({rates['auto'] / rates[best]:.0%} of best, batch 64: "
                f"{rates.get('64', float('nan')) / rates[best]:.0%})"
            )
            write_json(args.out / f"cpu_batch{args.tag}.json", res)
    plot(res, args.out / f"cpu_batch{args.tag}.png")


def plot(res: dict, path: Path) -> None:
    """Windows/s relative to each configuration's best batch size, against batch size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    precisions = sorted({r["precision"] for r in res["results"]}, reverse=True)
    fig, axes = plt.subplots(1, len(precisions), figsize=(5.5 * len(precisions), 4), squeeze=False)
    for ax, precision in zip(axes[0], precisions, strict=True):
        for r in (r for r in res["results"] if r["precision"] == precision):
            rates = {k: v for k, v in r["windows_per_s"].items() if k != "auto"}
            best = max(rates.values())
            b = [int(k) for k in rates]
            line = ax.plot(b, [v / best for v in rates.values()], "o-", label=f"{r['n_chans']} ch")
            ax.plot(r["auto_batch"], r["windows_per_s"]["auto"] / best, "*", ms=14,
                    color=line[0].get_color(), markeredgecolor="k")  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_xticks(b, [str(v) for v in b])
        ax.set_xlabel("batch size (windows per forward pass)")
        ax.set_ylabel("windows/s relative to the best batch size")
        ax.set_title(f"{precision}, large encoder, 4 s windows")
        ax.grid(alpha=0.3)
        ax.legend(title="★ batch_size=None (auto)")
    env = res["env"]
    fig.suptitle(f"{env['processor']}, {env['torch_threads']} threads, torch {env['torch']}")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    log(f"wrote {path}")


if __name__ == "__main__":
    main()
