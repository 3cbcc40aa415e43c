"""``eegpt demo``: the whole pipeline on a synthetic EDF recording with RANDOM weights.

It writes a TUH-style EDF file (messy channel names, 250 Hz, an ECG channel, mastoid references),
generates a checkpoint with random weights (clearly marked as not pretrained), embeds the file
through the same code as ``eegpt embed``, and draws what came out. Nothing here downloads.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np

from eegpt._filenames import user_path

logger = logging.getLogger("eegpt")

NOT_PRETRAINED = (
    "NOT PRETRAINED: this demo uses random weights; the embeddings show the pipeline works, "
    "not what EEGPT has learned. Get the real weights with `eegpt fetch` (docs/weights.md)."
)

# TUH EEG corpus style: "EEG <electrode>-REF", old 10-20 names, plus non-scalp channels.
TUH_NAMES = [
    "EEG FP1-REF", "EEG FP2-REF", "EEG F7-REF", "EEG F3-REF", "EEG FZ-REF", "EEG F4-REF",
    "EEG F8-REF", "EEG T3-REF", "EEG C3-REF", "EEG CZ-REF", "EEG C4-REF", "EEG T4-REF",
    "EEG T5-REF", "EEG P3-REF", "EEG PZ-REF", "EEG P4-REF", "EEG T6-REF", "EEG O1-REF",
    "EEG O2-REF", "EEG A1-REF", "EEG A2-REF", "EEG EKG1-REF",
]  # fmt: skip
POSTERIOR = {"EEG O1-REF", "EEG O2-REF", "EEG P3-REF", "EEG PZ-REF", "EEG P4-REF"}


def synthetic_raw(minutes: float = 2.0, sfreq: float = 250.0, seed: int = 0):
    """A synthetic resting-state recording with alternating eyes-open/eyes-closed blocks.

    Background: 1/f noise of about 15 uV RMS on every scalp channel. Eyes closed (every other
    20 s block): a 10 Hz alpha rhythm of 40 uV on the posterior channels. ECG: 1 mV beats at
    70/min. Amplitudes are stored in volts, as MNE expects.

    Returns
    -------
    raw : mne.io.RawArray
    closed : ndarray of bool, shape (n_blocks,)
        Whether each 20 s block is eyes-closed.
    """
    import mne

    rng = np.random.default_rng(seed)
    n = int(round(minutes * 60 * sfreq))
    t = np.arange(n) / sfreq
    spectrum = rng.standard_normal((len(TUH_NAMES), n // 2 + 1)) * 1j
    spectrum += rng.standard_normal(spectrum.shape)
    freqs = np.fft.rfftfreq(n, 1 / sfreq)
    spectrum /= np.maximum(freqs, 0.5)
    noise = np.fft.irfft(spectrum, n)
    noise *= 15e-6 / noise.std(axis=1, keepdims=True)
    block = (t // 20).astype(int)
    closed_blocks = np.arange(block.max() + 1) % 2 == 1
    closed = closed_blocks[block]
    alpha = 40e-6 * np.sin(2 * np.pi * 10.0 * t) * closed
    data = noise
    for i, name in enumerate(TUH_NAMES):
        if name in POSTERIOR:
            data[i] += alpha
    beat = (np.modf(t * 70 / 60)[0] < 0.02).astype(float)
    data[TUH_NAMES.index("EEG EKG1-REF")] = 1e-3 * beat + 10e-6 * rng.standard_normal(n)
    info = mne.create_info(TUH_NAMES, sfreq, ch_types="eeg")  # TUH types everything as EEG
    return mne.io.RawArray(data, info, verbose=False), closed_blocks


def write_edf(raw, path: Path, overwrite: bool = False) -> Path:
    """Write ``raw`` as EDF through MNE's exporter (edfio)."""
    import mne

    from eegpt.errors import OutputExistsError

    if Path(path).exists() and not overwrite:
        raise OutputExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    mne.export.export_raw(path, raw, fmt="edf", overwrite=overwrite, verbose=False)
    return path


def random_checkpoint(directory: Path, *, seed: int = 0, overwrite: bool = False) -> Path:
    """Save a "large" EEGPT with random weights, marked as not pretrained."""
    import torch

    from eegpt.checkpoints import save_checkpoint
    from eegpt.model import EEGPT

    torch.manual_seed(seed)
    model = EEGPT("large")
    return save_checkpoint(
        model,
        directory,
        overwrite=overwrite,
        metadata={"pretrained": False, "note": NOT_PRETRAINED},
    )


def run_demo(
    output: Path,
    *,
    minutes: float = 2.0,
    device: str | None = None,
    overwrite: bool = False,
    verbose: bool = True,
) -> dict[str, Path]:
    """Run the demo into ``output``; returns the paths it wrote. A run that fails removes
    ``output`` again if it made it. ``verbose`` False (``eegpt demo -q``): warnings and errors
    only, no NOT PRETRAINED note, progress bar, loading notes, mapping report or list of the
    files written."""
    if not minutes > 0:
        raise ValueError(f"minutes must be more than 0, not {minutes:g}")
    if device is not None:  # a device eegpt does not run on (mps) is refused before any work
        from eegpt.engine import resolve_device

        resolve_device(device)
    output = user_path(output)
    made = not output.exists()
    output.mkdir(parents=True, exist_ok=True)
    try:
        return _demo_into(
            output, minutes=minutes, device=device, overwrite=overwrite, verbose=verbose
        )
    except BaseException:
        if made:
            shutil.rmtree(output, ignore_errors=True)
        raise


def _demo_into(
    output: Path, *, minutes: float, device: str | None, overwrite: bool, verbose: bool
) -> dict[str, Path]:
    from eegpt.checkpoints import load_model

    if verbose:
        print(NOT_PRETRAINED)
    raw, closed = synthetic_raw(minutes)
    edf = write_edf(raw, output / "synthetic_tuh.edf", overwrite=overwrite)
    weights = random_checkpoint(output / "random-weights", overwrite=overwrite)
    model = load_model(weights, device=device or "cpu", verbose=None if verbose else False)
    emb = model.embed(edf, progress=verbose, verbose=verbose, device=device)
    npz = emb.save(output / "synthetic_tuh.npz", overwrite=overwrite)
    figure = plot_embeddings(emb, closed, output / "embeddings.png")
    if verbose:
        print(f"recording : {edf}\ncheckpoint: {weights} (random weights)\n"
              f"embeddings: {npz} {emb.data.shape}\nfigure    : {figure}")  # fmt: skip
    return {"edf": edf, "weights": weights, "embeddings": npz, "figure": figure}


def plot_embeddings(emb, closed_blocks: np.ndarray | None, path: Path) -> Path:
    """Principal components of the window embeddings over time (eyes-closed blocks shaded) and
    the channel mapping on a head, side by side (:mod:`eegpt.viz`)."""
    import matplotlib.pyplot as plt

    from eegpt._viz_common import save_figure
    from eegpt.viz_channels import plot_channel_mapping
    from eegpt.viz_embeddings import plot_embeddings as plot_pcs

    fig, (ax, ax2) = plt.subplots(
        1, 2, figsize=(13, 5.2), gridspec_kw={"width_ratios": [2.2, 1]}, layout="constrained"
    )
    closed: list[int] | np.ndarray = [] if closed_blocks is None else np.flatnonzero(closed_blocks)
    spans = [(20.0 * i, 20.0 * (i + 1)) for i in closed]  # the 20 s blocks of synthetic_raw
    plot_pcs(emb, spans=spans, span_label="eyes closed", ax=ax)
    plot_channel_mapping(emb, ax=ax2)
    return save_figure(fig, path, dpi=120)
