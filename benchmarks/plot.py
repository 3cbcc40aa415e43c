"""Figures from the benchmark JSON files of one or more results folders.

    python benchmarks/plot.py benchmarks/results/gpu benchmarks/results/cpu

Writes, next to the JSON of each folder: latency_per_config.png, speedup.png,
channel_scaling.png, time_scaling.png (from latency.json), throughput_vs_batch.png (from
throughput.json), end_to_end.png (from end_to_end.json) and online_latency.png (from
online.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLORS = {
    "braindecode fp32": "#636363",
    "braindecode bf16": "#bdbdbd",
    "eegpt fp32 eager": "#c6dbef",
    "eegpt fp32 rows": "#9ecae1",
    "eegpt fp32": "#3182bd",
    "eegpt fp32 compiled": "#08306b",
    "eegpt bf16": "#fc9272",
    "eegpt bf16 compiled": "#cb181d",
    "eegpt fp16": "#a1d99b",
    "eegpt fp16 compiled": "#238b45",
    "eegpt bf16 compiled, separate GELU": "#fdae6b",
    "eegpt bf16 compiled, SDPA attention": "#6a51a3",
    "eegpt bf16 compiled, fp32 patch projection": "#f768a1",
    "eegpt bf16 compiled, fp16 stream": "#67000d",
    "eegpt bf16 compiled, fp16 stream, last block as rows": "#ef3b2c",
}


def _color(name: str) -> str:
    return COLORS.get(name, "#2ca02c")


def _machine(env: dict) -> str:
    if env.get("gpu"):
        return f"{env['gpu']}, torch {env['torch']}"
    return (
        f"{env.get('processor', 'CPU')}, {env.get('torch_threads')} threads, torch {env['torch']}"
    )


def stat_keys(data: dict) -> tuple[str, str, str]:
    """(time key, speed-up key, label): the median on GPUs; on the shared CPU machine the best
    of the interleaved rounds, since other tenants' load only ever adds time."""
    if data["env"].get("gpu"):
        return "median_ms", "speedup_vs_braindecode_fp32", "median"
    return "min_ms", "speedup_min_vs_braindecode_fp32", "best of interleaved rounds"


def plot_latency(folder: Path, data: dict) -> list[Path]:
    configs = data["configs"]
    tkey, skey, slabel = stat_keys(data)
    names = [c["name"] for c in configs]
    variants = [v for v in configs[0]["results"] if all(v in c["results"] for c in configs)]
    extra = sorted({v for c in configs for v in c["results"]} - set(variants))
    gpu = bool(data["env"].get("gpu"))
    target = 5.0 if gpu else 1.5
    machine = _machine(data["env"])
    written = []

    # latency per configuration
    fig, ax = plt.subplots(figsize=(11, 4.8))
    width = 0.8 / len(variants)
    x = np.arange(len(names))
    for i, v in enumerate(variants):
        ms = [c["results"][v][tkey] for c in configs]
        ax.bar(x + (i - (len(variants) - 1) / 2) * width, ms, width, label=v, color=_color(v))
    ax.set_xticks(x, [n.replace("x", " ch x ") for n in names], rotation=20)
    ax.set_yscale("log")
    ax.set_ylabel(f"batch-1 latency, {slabel} (ms, log)", fontsize=8)
    ax.set_title(f"EEGPT depth 2, stride 32, batch 1 -- {machine}")
    ax.set_ylim(top=ax.get_ylim()[1] * 4)
    ax.legend(fontsize=8, ncol=5, loc="upper center")
    ax.grid(axis="y", which="both", alpha=0.3)
    if extra:
        ax.text(0.01, 0.01, "also measured on some configs: " + ", ".join(extra),
                transform=ax.transAxes, fontsize=7)  # fmt: skip
    written.append(_save(fig, folder / "latency_per_config.png"))

    # speed-up over braindecode fp32
    fig, ax = plt.subplots(figsize=(11, 4.5))
    ours = [v for v in variants if v.startswith("eegpt")]
    width = 0.8 / max(1, len(ours))
    for i, v in enumerate(ours):
        sp = [c["results"][v][skey] for c in configs]
        bars = ax.bar(x + (i - (len(ours) - 1) / 2) * width, sp, width, label=v, color=_color(v))
        if v in ("eegpt fp32", ours[-1]):
            ax.bar_label(bars, fmt="%.1f", fontsize=7)
    ax.axhline(target, color="k", ls="--", lw=1, label=f"target {target:g}x")
    ax.axhline(1.0, color="gray", lw=0.8)
    ax.set_xticks(x, [n.replace("x", " ch x ") for n in names], rotation=20)
    ax.set_ylabel(f"speed-up vs braindecode fp32 ({slabel})", fontsize=8)
    ax.set_title(f"Speed-up over braindecode 1.8 EEGPT (fp32), batch 1 -- {machine}")
    ax.set_ylim(top=ax.get_ylim()[1] * 1.25)
    ax.legend(fontsize=8, ncol=4, loc="upper center")
    ax.grid(axis="y", alpha=0.3)
    written.append(_save(fig, folder / "speedup.png"))

    # channel scaling (T = 1000) and time scaling (C = 22)
    for fname, pick, key, xlabel in (
        ("channel_scaling.png", lambda c: c["n_times"] == 1000, "n_chans", "channels"),
        ("time_scaling.png", lambda c: c["n_chans"] == 22, "n_times", "samples per window"),
    ):
        sel = sorted((c for c in configs if pick(c)), key=lambda c: c[key])
        if len(sel) < 2:
            continue
        fig, ax = plt.subplots(figsize=(6.5, 4.5))
        for v in variants:
            ax.plot([c[key] for c in sel], [c["results"][v][tkey] for c in sel],
                    "o-", label=v, color=_color(v))  # fmt: skip
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks([c[key] for c in sel], [str(c[key]) for c in sel])
        ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"batch-1 latency, {slabel} (ms, log scale)", fontsize=8)
        fixed = "1000 samples" if key == "n_chans" else "22 channels"
        ax.set_title(f"Scaling with {xlabel} ({fixed})\n{machine}", fontsize=9)
        ax.grid(which="both", alpha=0.3)
        ax.legend(fontsize=7)
        written.append(_save(fig, folder / fname))
    return written


def plot_throughput(folder: Path, data: dict) -> list[Path]:
    fig, ax = plt.subplots(figsize=(10.5, 5))
    peak = data["peak_bf16_flops"] if data["env"].get("gpu") else data["peak_fp32_flops"]
    flops = data["flops_per_window"]
    for name, v in data["variants"].items():
        pts = v.get("points", [])
        if not pts:
            continue
        style = "s--" if len(pts) == 1 else "o-"
        ax.plot([p["batch"] for p in pts], [p["windows_per_s"] for p in pts], style,
                label=name, color=_color(name))  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size (windows)")
    ax.set_ylabel("windows / s (log scale)")
    ax.grid(which="both", alpha=0.3)
    sec = ax.secondary_yaxis("right", functions=(lambda w: w * flops / peak * 100, lambda f: f * peak / flops / 100))  # fmt: skip
    kind = "bf16" if data["env"].get("gpu") else "fp32"
    rate = f"{peak / 1e12:.0f} TFLOP/s" if peak > 1e12 else f"{peak / 1e9:.0f} GFLOP/s"
    timed = "sustained " if "peak_bf16_flops_burst" in data else ""
    sec.set_ylabel(
        f"% of the measured {timed}{kind} matmul rate\n({rate}), nominal FLOPs, log scale"
    )
    for axis in (ax.yaxis, sec.yaxis):
        axis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
        axis.set_minor_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    if data["env"].get("gpu"):
        ax.axhline(0.6 * peak / flops, color="k", ls=":", lw=1,
                   label="60% of peak in nominal FLOPs (target)")  # fmt: skip
        bd16 = data["variants"].get("braindecode bf16", {}).get("points", [])
        if bd16:
            best = max(p["windows_per_s"] for p in bd16)
            ax.axhline(2 * best, color="#bdbdbd", ls="--", lw=1,
                       label="2x braindecode bf16 at its best batch (target)")  # fmt: skip
    m = data["model"]
    ax.set_title(f"Large encoder ({m['n_chans']} ch x {m['n_times']}, depth {m['depth']}, "
                 f"{flops / 1e9:.0f} GFLOP/window)\n{_machine(data['env'])}", fontsize=9)  # fmt: skip
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.12, 1.0))  # beside the axes
    return [_save(fig, folder / "throughput_vs_batch.png")]


def plot_end_to_end(folder: Path, data: dict) -> list[Path]:
    runs = data["runs"]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 1.1 * len(runs)))
    stages = list(runs[0]["sequential"]["stages_s"])
    colors = plt.get_cmap("tab10").colors
    for i, run in enumerate(runs):
        left = 0.0
        s = run["sequential"]
        for j, st in enumerate(stages):
            w = s["stages_s"][st]
            ax.barh(i, w, left=left, color=colors[j], label=st if i == 0 else None)
            left += w
        text = f"{s['hours_eeg_per_s']:.3g} h EEG/s"
        if "hours_eeg_per_s" in run.get("corpus", {}):
            text += f"; corpus mode {run['corpus']['hours_eeg_per_s']:.3g} h/s"
        ax.text(left, i, " " + text, va="center", fontsize=8)
    ax.set_yticks(
        range(len(runs)), [f"{r['precision']}\n{r.get('sfreq', 250):g} Hz EDF" for r in runs]
    )
    ax.set_xlabel("seconds (sequential api pipeline, all files)")
    hours = runs[0]["sequential"]["hours_eeg"]
    ax.set_title(f"EDF -> embeddings on disk: {data['files']} files, {hours:.2f} h of EEG per run "
                 "(resampled to 256 Hz when needed)\n"
                 f"{_machine(data['env'])}", fontsize=9)  # fmt: skip
    ax.legend(fontsize=8, ncol=len(stages), loc="lower right")
    ax.set_xlim(0, ax.get_xlim()[1] * 1.45)
    return [_save(fig, folder / "end_to_end.png")]


def plot_online(folder: Path, data: dict) -> list[Path]:
    rows = data["push_completing_a_window"]
    names = list(rows)
    fig, ax = plt.subplots(figsize=(8, 1.3 + 0.55 * len(names)))
    med = [rows[n]["median_ms"] for n in names]
    p90 = [rows[n]["p90_ms"] - rows[n]["median_ms"] for n in names]
    y = np.arange(len(names))
    ax.barh(y, med, xerr=[np.zeros(len(names)), p90], color=[_color(n) for n in names],
            capsize=3)  # fmt: skip
    for i, (m, e) in enumerate(zip(med, p90, strict=True)):
        ax.text(m + e, i, f"  {m:.3g} ms", va="center", fontsize=8)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("ms from the chunk that completes a window to its embedding (median, p90 bar)")
    st = data["stream"]
    ax.set_title(f"Online: {st['channels']} channels at {st['sfreq']:g} Hz in {st['chunk_s']:g} s "
                 f"chunks, 4 s windows every {4 - st['overlap_s']:g} s, large encoder\n"
                 f"{_machine(data['env'])}", fontsize=9)  # fmt: skip
    ax.set_xlim(0, max(m + e for m, e in zip(med, p90, strict=True)) * 1.25)
    return [_save(fig, folder / "online_latency.png")]


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")
    return path


def main(folders: list[str]) -> None:
    for folder in map(Path, folders):
        for fname, fn in (
            ("latency.json", plot_latency),
            ("throughput.json", plot_throughput),
            ("end_to_end.json", plot_end_to_end),
            ("online.json", plot_online),
        ):
            path = folder / fname
            if path.exists():
                fn(folder, json.loads(path.read_text()))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="*", default=["benchmarks/results/gpu", "benchmarks/results/cpu"],
        help="results folders (default: benchmarks/results/gpu and .../cpu)",
    )  # fmt: skip
    folders = parser.parse_args().folders
    missing = [f for f in folders if not Path(f).is_dir()]
    if missing:
        parser.error(f"not folders of benchmark results: {missing}")
    main(folders)
