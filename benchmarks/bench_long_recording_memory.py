"""Peak memory of ``embed_dataset`` on one long recording: read in parts vs read whole.

A reader process holds the windows it makes in float32 (232 KiB per 4 s window of 58
channels: 5 GB for 24 h). Since long recordings are read in parts of at most
``eegpt.dataset.PART_BYTES`` (256 MiB), a reader and the main process hold one part at a time
(a few in flight) instead of the whole file's windows. This script writes one long EDF (58
channels of the EEGPT vocabulary at 250 Hz, so resampling to 256 Hz runs too) and embeds it
twice, each run in a fresh process: with the default parts, and with parts larger than the
file (the whole file at once, as before). Reported per run: wall time, peak resident memory of
the main process and of the reader process (``ru_maxrss``), and the largest difference between
the two runs' embeddings.

The encoder is small (embed_dim 64, depth 1, random weights), pooled to one vector per window:
the memory of the windows, not of the model or its outputs, is what is measured.

With ``--unpooled`` the output is what ``embed-dataset`` writes by default, every summary token
(``--pool none``), of an encoder as wide as the pretrained one (embed_dim 512, depth 1): 128 KiB
per window, 2.8 GB for 24 h. The main process keeps a long file's rows until its last part
has come; they wait in a file beside the shard. The run "parts, rows in memory" keeps them in
memory instead (as before that file), for the comparison. (No run reads the file whole here:
24 h read whole need more memory than the 24 GB machine has.)

    python benchmarks/bench_long_recording_memory.py --hours 3 --out benchmarks/results/cpu
    python benchmarks/bench_long_recording_memory.py --hours 2 --unpooled --out benchmarks/results/cpu
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import environment, log, write_json


def write_recording(path: Path, hours: float, sfreq: int = 250) -> None:
    """58 channels of noise plus a 10 Hz rhythm (about 20 uV), in microvolts, EDF."""
    import edfio

    from eegpt.channels import VOCABULARY

    rng = np.random.default_rng(0)
    n = int(hours * 3600 * sfreq)
    t = np.arange(n) / sfreq
    signals = []
    for name in VOCABULARY[:58]:
        x = rng.normal(0, 15, n) + 10 * np.sin(2 * np.pi * 10 * t + rng.uniform(0, 6))
        signals.append(
            edfio.EdfSignal(
                x,
                sampling_frequency=sfreq,
                label=f"EEG {name}",
                physical_dimension="uV",
                physical_range=(-500, 500),
            )  # fmt: skip
        )
    edfio.Edf(signals).write(path)


MODES = {
    "whole": "whole file",
    "parts": "parts of 256 MiB",
    "parts-in-memory": "parts, rows in memory",
}


def run_once(folder: Path, out: Path, mode: str, unpooled: bool) -> dict:
    """One embed_dataset run (in this process); its peak memory and embeddings."""
    import torch

    import eegpt.dataset as ds
    import eegpt.dataset_pipeline as dataset_pipeline
    import eegpt.shard_writer as shard_writer
    from eegpt.config import EEGPTConfig
    from eegpt.model import EEGPT

    if mode == "whole":
        dataset_pipeline.PART_BYTES = 1 << 50  # larger than any file: read whole, as before parts
    if mode == "parts-in-memory":

        class InMemory(shard_writer.PartRows):  # the parts' rows held until the last, as before
            def add(self, table):
                self.kept = [*getattr(self, "kept", []), table]

            def tables(self):
                yield from getattr(self, "kept", [])
                self.kept = []

            def drop(self):
                self.kept = []

        shard_writer.PartRows = InMemory
    torch.manual_seed(0)
    width = 512 if unpooled else 64
    model = EEGPT(EEGPTConfig(embed_dim=width, depth=1, num_heads=4, embed_num=4)).eval()
    start = time.perf_counter()
    summary = ds.embed_dataset(
        folder, out, model=model, device="cpu", workers=1, progress=False,
        pooling="none" if unpooled else "mean",
    )  # fmt: skip
    wall = time.perf_counter() - start
    result = {
        "mode": MODES[mode],
        "wall_s": round(wall, 2),
        "windows": summary.windows,
        "hours_of_eeg": round(summary.hours, 3),
        # Linux reports ru_maxrss in KiB; taken before the embeddings are read back for the
        # comparison (24 h of every summary token read back is 2.8 GB, and copies)
        "peak_rss_main_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_reader_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
    }
    _, emb = ds.read_embeddings(out)
    np.save(out / "embeddings.npy", emb)
    return result


def plot(report: dict, path: Path) -> None:
    """Peak memory of each process, both runs side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = report["runs"]
    fig, ax = plt.subplots(figsize=(6.0, 3.4), layout="constrained")
    width = 0.38
    for k, (key, name) in enumerate([("peak_rss_main_mb", "main process"),
                                     ("peak_rss_reader_mb", "reader process")]):  # fmt: skip
        values = [r[key] / 1024 for r in runs]
        bars = ax.bar(np.arange(len(runs)) + (k - 0.5) * width, values, width, label=name)
        ax.bar_label(bars, fmt="%.2f GB", fontsize=8)
    ax.set_xticks(range(len(runs)), [f"{r['mode']}\n{r['wall_s']:.0f} s" for r in runs])
    ax.set_ylabel("peak resident memory (GB)")
    rec = report["recording"]
    output = report.get("output", "pooled, 256 B per window")
    ax.set_title(f"embed_dataset, one {rec['hours']:g} h EDF of {rec['channels']} channels at "
                 f"{rec['sfreq']} Hz (1 reader)\noutput: {output}", fontsize=9)  # fmt: skip
    ax.legend(frameon=False, fontsize=8)
    fig.savefig(path, dpi=120)
    print(f"wrote {path}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/cpu"))
    parser.add_argument(
        "--unpooled", action="store_true", help="every summary token, embed_dim 512 (see above)"
    )
    parser.add_argument("--replot", action="store_true", help="draw the figure of --out's JSON")
    parser.add_argument("--child", choices=list(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one run in its own process, so that its peak memory is its own
        import torch

        torch.set_num_threads(2)
        result = run_once(args.folder, args.result.parent, args.child, args.unpooled)
        args.result.write_text(json.dumps(result))
        return
    name = "long_recording_memory" + ("_unpooled" if args.unpooled else "")
    if args.replot:
        report = json.loads((args.out / f"{name}.json").read_text())
        plot(report, args.out / f"{name}.png")
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        log(f"writing a {args.hours:g} h, 58-channel, 250 Hz EDF ...")
        subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
             "from bench_long_recording_memory import write_recording; from pathlib import Path; "
             f"write_recording(Path({str(folder / 'long.edf')!r}), {args.hours})"],
            check=True,
        )  # fmt: skip
        size_mb = (folder / "long.edf").stat().st_size / 2**20
        runs = []
        # unpooled: long enough for the rows to matter (24 h), too long to read whole here
        modes = ["parts", "parts-in-memory"] if args.unpooled else ["whole", "parts"]
        for mode in ["parts", *modes]:  # parts first, once more: its first run warms the cache
            out = Path(tmp) / f"out-{mode}-{len(runs)}"
            out.mkdir()
            result = out / "result.json"
            log(f"embedding ({mode}) ...")
            subprocess.run(
                [sys.executable, __file__, "--child", mode, "--folder", str(folder),
                 "--result", str(result), *(["--unpooled"] if args.unpooled else [])],
                check=True,
            )  # fmt: skip
            runs.append({**json.loads(result.read_text()), "output": str(out)})
            log(runs[-1])
        embeddings = [
            np.load(Path(r.pop("output")) / "embeddings.npy", mmap_mode="r") for r in runs
        ]
        difference = max(  # in blocks of rows: the unpooled ones are GBs
            float(np.abs(e[k : k + 1024] - embeddings[0][k : k + 1024]).max())
            for e in embeddings
            for k in range(0, len(e), 1024)
        )
    report = {
        "environment": environment("cpu"),
        "recording": {"hours": args.hours, "channels": 58, "sfreq": 250, "edf_mb": size_mb},
        "output": "every summary token, embed_dim 512: 128 KiB per window"
        if args.unpooled
        else "pooled, 256 B per window",
        "runs": runs[1:],  # the first run only warmed the page cache
        "max_abs_difference_of_embeddings": difference,
    }
    write_json(args.out / f"{name}.json", report)
    plot(report, args.out / f"{name}.png")
    for r in report["runs"]:
        log(f"{r['mode']:>22}: main {r['peak_rss_main_mb']:.0f} MB, reader "
            f"{r['peak_rss_reader_mb']:.0f} MB, {r['wall_s']:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
