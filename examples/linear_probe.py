"""From a recording to a trained EEGPT linear probe, with a plot.

    python examples/linear_probe.py                      # random-weight encoder, 10-30 s on 2 cores
    python examples/linear_probe.py --weights eegpt-large  # the pretrained encoder

Steps: write a continuous recording with stimulus events to a FIF file, read it back, cut
labelled 4 s epochs with MNE, train the paper's linear probe on a frozen encoder (with a
validation split), evaluate it on held-out epochs, check that shuffled labels stay at chance,
compare with a scikit-learn pipeline on pooled embeddings, save and reload the probe, and plot
the evoked responses, the confusion matrix and the learning curves (eegpt.viz).

The recording is SYNTHETIC (:func:`eegpt.probe.synthetic_erp_raw`): a P300-like oddball in
which "target" stimuli evoke a parietal positivity. Without ``--weights`` the encoder has random
weights (NOT pretrained), so the numbers show that the pipeline learns a separable task, not
what EEGPT learned in pretraining.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import mne  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from eegpt import EEGPT, EEGPTConfig  # noqa: E402
from eegpt.checkpoints import load_model  # noqa: E402
from eegpt.errors import EEGPTWarning  # noqa: E402
from eegpt.io import read_recording  # noqa: E402
from eegpt.preprocessing import PreprocessingConfig  # noqa: E402
from eegpt.probe import (  # noqa: E402
    EmbeddingCache,
    epochs_labels,
    format_metrics,
    load_probe,
    synthetic_erp_raw,
    train_probe,
)
from eegpt.sklearn import EEGPTEmbedder  # noqa: E402
from eegpt.viz import plot_training  # noqa: E402


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", help="encoder checkpoint (default: random small encoder)")
    parser.add_argument(
        "--output", type=Path, default=Path("."), help="folder (or .png file) for the plot"
    )
    parser.add_argument("--trials", type=int, default=240, help="stimuli in the recording")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    torch.manual_seed(args.seed)

    # 1. A recording with events, on disk, read back as any FIF/EDF/BDF file would be.
    raw, events, event_id = synthetic_erp_raw(args.trials, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "oddball_raw.fif"
        raw.save(path, verbose=False)
        raw = read_recording(path, verbose=False)
    sfreq = raw.info["sfreq"]
    print(f"recording: {len(raw.ch_names)} channels, {raw.times[-1] / 60:.1f} min at {sfreq:g} Hz")

    # 2. Labelled epochs of exactly one EEGPT window (4 s; MNE's tmax is inclusive).
    epochs = mne.Epochs(
        raw, events, event_id, tmin=-0.5, tmax=3.5 - 1 / sfreq, baseline=None, preload=True,
        verbose=False,
    )  # fmt: skip
    n_train = int(0.7 * len(epochs))
    train, test = epochs[:n_train], epochs[n_train:]  # chronological split
    print(f"epochs: {len(train)} for training, {len(test)} held out, classes {list(event_id)}")

    # 3. The encoder.
    if args.weights:
        model = load_model(args.weights, verbose=True)
        weights_note = f"encoder: {args.weights}"
    else:
        model = EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4)).eval()
        weights_note = "encoder: RANDOM weights (NOT pretrained), embed_dim 64, 2 blocks"
    print(weights_note)
    # Pretrained weights get eegpt's default, the average reference of pretraining. A random
    # encoder's summary tokens are close to a plain mean over the channel tokens, and
    # average-referenced channels sum to zero at every sample, so for it the response cancels
    # (held-out BAC 50%): the random encoder keeps the recording's own reference.
    preprocessing = PreprocessingConfig(average_reference=bool(args.weights))

    # 4. The paper's probe (frozen encoder, LinearWithConstraint head, AdamW + one-cycle).
    # With ~170 training epochs one pass is only 3 batches, so 100 passes at the paper's peak
    # rate of 4e-4 are too few steps; the peak is raised to 5e-3 (everything else as published).
    cache = EmbeddingCache()
    t0 = time.perf_counter()
    probe = train_probe(
        model, train, validation=0.2, max_lr=5e-3, cache=cache, progress=False,
        preprocessing=preprocessing,
    )  # fmt: skip
    t_train = time.perf_counter() - t0
    metrics = probe.evaluate(test, cache=cache)
    print(f"probe trained in {t_train:.1f} s; held-out: {format_metrics(metrics)}")

    # 5. Control: the same training on shuffled labels must stay at chance. The encoder is not
    # run again: its embeddings come from the cache.
    shuffled = np.random.default_rng(args.seed).permutation(epochs_labels(train))
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        # This control is meant to stay at chance: the warning that a probe on random weights
        # stayed at chance (and the advice to get pretrained weights) is not about it. Only
        # that warning is silenced, and only here: step 4's probe still gets it.
        warnings.filterwarnings(
            "ignore", message="the probe stayed at chance", category=EEGPTWarning
        )
        control = train_probe(
            model, train, shuffled, max_lr=5e-3, cache=cache, preprocessing=preprocessing
        ).evaluate(test, cache=cache)
    print(f"shuffled labels ({time.perf_counter() - t0:.1f} s, cached embeddings): "
          f"{format_metrics(control)}")  # fmt: skip

    # 6. The scikit-learn route: pooled embeddings + logistic regression.
    clf = make_pipeline(
        EEGPTEmbedder(model, pooling="mean_tokens", preprocessing=preprocessing),
        StandardScaler(),
        LogisticRegression(C=0.1),
    )
    clf.fit(train, epochs_labels(train))
    sk_acc = float(np.mean(clf.predict(test) == epochs_labels(test)))
    print(f"scikit-learn pipeline (mean over summary tokens + logistic regression): "
          f"accuracy {100 * sk_acc:.2f}%")  # fmt: skip

    # 7. Save and reload (a frozen probe stores its head and a reference to the encoder).
    with tempfile.TemporaryDirectory() as tmp:
        probe.save(Path(tmp) / "probe")
        again = load_probe(Path(tmp) / "probe", model)
        same = np.allclose(again.predict_proba(test), probe.predict_proba(test), atol=1e-6)
    print(f"saved and reloaded: identical predictions = {same}")

    # 8. The plot.
    out = args.output if args.output.suffix == ".png" else args.output / "linear_probe.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    plot(epochs, probe, test, weights_note, out)
    print(f"wrote {out} ({time.perf_counter() - t_start:.0f} s in all)")
    return {
        "held_out": metrics,
        "shuffled_labels": control,
        "sklearn_accuracy": sk_acc,
        "train_seconds": t_train,
        "reloaded_identical": bool(same),
    }


def plot(epochs: mne.Epochs, probe, test: mne.Epochs, note: str, out: Path) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.4), layout="constrained")

    ax = axes[0, 0]
    pz = epochs.ch_names.index("Pz")
    for name, color in (("standard", "tab:blue"), ("target", "tab:red")):
        data = epochs[name].get_data(picks=[pz])[:, 0] * 1e6
        mean, sem = data.mean(0), data.std(0) / np.sqrt(len(data))
        ax.plot(epochs.times, mean, color=color, label=f"{name} (n={len(data)})")
        ax.fill_between(epochs.times, mean - sem, mean + sem, color=color, alpha=0.2)
    ax.axvline(0, color="k", lw=0.8)
    ax.set(xlim=(-0.5, 1.5), xlabel="time from stimulus (s)", ylabel="Pz (µV)")
    ax.set_title("The task: evoked response at Pz (mean ± s.e.m.)")
    ax.legend(loc="upper right")

    # eegpt's own figures, drawn into this figure's axes
    probe.plot_confusion_matrix(test, ax=axes[0, 1])
    axes[0, 1].set_title(f"Held out: {axes[0, 1].get_title()}")
    plot_training(probe, axes=axes[1])
    axes[1, 0].set_title("Linear probe training (AdamW + one-cycle): loss")

    fig.suptitle(f"EEGPT linear probe on a SYNTHETIC oddball recording — {note}", fontsize=11)
    fig.savefig(out, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()  # returns the metrics as a dict, for use from Python
