"""Markdown tables (as in BENCHMARKS.md) from a results folder's JSON files.

python benchmarks/tables.py benchmarks/results/gpu
"""

from __future__ import annotations

import json
from pathlib import Path


def latency_table(data: dict) -> str:
    from plot import stat_keys

    tkey, skey, _ = stat_keys(data)
    configs = data["configs"]
    variants = list(configs[0]["results"])
    for c in configs[1:]:
        variants += [v for v in c["results"] if v not in variants]
    head = "| config | " + " | ".join(variants) + " |"
    lines = [head, "|" + "---|" * (len(variants) + 1)]
    for c in configs:
        cells = []
        for v in variants:
            r = c["results"].get(v)
            if r is None:
                cells.append("")
                continue
            sp = r[skey]
            cell = f"{r[tkey]:.3f}" if r[tkey] < 10 else f"{r[tkey]:.1f}"
            if not v.startswith("braindecode fp32"):
                cell += f" ({sp:.1f}x)"
            cells.append(cell)
        lines.append(f"| {c['n_chans']} x {c['n_times']} | " + " | ".join(cells) + " |")
    for key, label in (
        ("rel_err_vs_float64", "max rel. error vs float64"),
        ("rel_err_vs_braindecode_fp32", "max rel. error vs braindecode fp32"),
    ):
        errs = {
            v: max(c["results"][v].get(key, float("nan")) for c in configs if v in c["results"])
            for v in variants
        }
        lines.append(f"| {label} | " + " | ".join(f"{errs[v]:.1e}" for v in variants) + " |")
    return "\n".join(lines)


def throughput_table(data: dict) -> str:
    peak = data["peak_bf16_flops"] if data["env"].get("gpu") else data["peak_fp32_flops"]
    burst = "peak_bf16_flops_burst" in data  # GPU runs that time sustained and burst rates
    lines = [
        "| variant | best batch | windows/s | h EEG/s | % of peak | "
        + ("% over the first 5 calls | " if burst else "")
        + "rel. error vs braindecode fp32 | vs float64 |",
        "|---|---|---|---|---|---|---|" + ("---|" if burst else ""),
    ]
    for name, v in data["variants"].items():
        if not v.get("points"):
            continue
        best = max(v["points"], key=lambda p: p["windows_per_s"])
        fraction = best["windows_per_s"] * data["flops_per_window"] / peak * 100
        lines.append(
            f"| {name} | {best['batch']} | {best['windows_per_s']:.4g} | "
            f"{best['hours_eeg_per_s']:.3g} | {fraction:.1f} | "
            + (f"{best['fraction_of_burst_peak'] * 100:.1f} | " if burst else "")
            + f"{v.get('rel_err_vs_braindecode_fp32', float('nan')):.1e} | "
            f"{v.get('rel_err_vs_float64', float('nan')):.1e} |"
        )
    return "\n".join(lines)


def end_to_end_table(data: dict) -> str:
    lines = [
        "| EDF rate | precision | h EEG/s (api, sequential) | read | preprocess | embed | write | limit | h EEG/s (corpus mode) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in data["runs"]:
        s = r["sequential"]
        st = s["stages_s"]
        corpus = r.get("corpus", {}).get("hours_eeg_per_s")
        lines.append(
            f"| {r.get('sfreq', 250):g} Hz | {r['precision']} | {s['hours_eeg_per_s']:.3g} | "
            f"{st['read']:.2f} s | {st['preprocess']:.2f} s | {st['embed']:.2f} s | "
            f"{st['write']:.2f} s | {s['limiting_stage']} | "
            f"{'' if corpus is None else f'{corpus:.3g}'} |"
        )
    return "\n".join(lines)


def main(folder: str) -> None:
    root = Path(folder)
    for fname, fn in (
        ("latency.json", latency_table),
        ("throughput.json", throughput_table),
        ("end_to_end.json", end_to_end_table),
    ):
        path = root / fname
        if path.exists():
            print(f"\n### {fname}\n")
            print(fn(json.loads(path.read_text())))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", default=["benchmarks/results/gpu"],
                        help="results folders (default: benchmarks/results/gpu)")  # fmt: skip
    for f in parser.parse_args().folders:
        if not Path(f).is_dir():
            parser.error(f"{f} is not a folder of benchmark results")
        main(f)
