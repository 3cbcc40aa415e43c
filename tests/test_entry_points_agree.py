"""One recording through every entry point gives the same windows' numbers.

``embed`` of an array, of a FIF file and of an ``mne.io.Raw``, ``embed_to_file``,
``embed_dataset`` (the file batched with another of the same channels, and a copy with its
channels in another order), ``OnlineEmbedder``, ``EEGPTEmbedder.transform`` and the features a
frozen probe's predictions are made from: all embed the same 4 s windows, so all must give
the same numbers. Where the windows go through the engine in other batches, or the channels
in another order, float32 rounding may differ: 1e-6 (batches) and 1e-5 (order) relative to
the largest value; elsewhere they are equal.
"""

from __future__ import annotations

import mne
import numpy as np
import pandas as pd
import pytest
import torch

import eegpt.probe as probe_module
from eegpt import EEGPT, EEGPTConfig
from eegpt.api import embed, embed_to_file
from eegpt.dataset import embed_dataset
from eegpt.online import OnlineEmbedder
from eegpt.outputs import load_embeddings
from eegpt.probe_training import train_probe
from eegpt.sklearn import EEGPTEmbedder

NAMES = ["Fp1", "Fp2", "C3", "Cz", "C4", "O1", "O2"]
SFREQ = 256.0
WINDOW = 1024  # 4 s at 256 Hz


def rel_err(a, b) -> float:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.fixture(scope="module")
def setup():
    """A small random model (non-zero biases) and 30.3 s of 7 channels in microvolts."""
    torch.manual_seed(3)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    rng = np.random.default_rng(0)
    n = int(SFREQ * 30.3)
    t = np.arange(n) / SFREQ
    x = 20 * np.sin(2 * np.pi * 10 * t) + rng.normal(0, 10, (7, n)) + rng.uniform(-50, 50, (7, 1))
    whole = embed(model, x, ch_names=NAMES, sfreq=SFREQ, units="uV")
    assert len(whole) == 7
    return model, x, whole


def test_files_raw_objects_and_written_outputs_equal_embed_of_the_array(setup, tmp_path):
    model, x, whole = setup
    raw = mne.io.RawArray(x * 1e-6, mne.create_info(NAMES, SFREQ, "eeg"), verbose=False)
    raw.save(tmp_path / "rec_raw.fif", fmt="double", verbose=False)
    np.testing.assert_array_equal(embed(model, raw).data, whole.data)
    np.testing.assert_array_equal(embed(model, tmp_path / "rec_raw.fif").data, whole.data)
    for suffix in (".npz", ".parquet"):
        embed_to_file(model, x, tmp_path / f"e{suffix}", ch_names=NAMES, sfreq=SFREQ, units="uV")
        np.testing.assert_array_equal(load_embeddings(tmp_path / f"e{suffix}").data, whole.data)
    # other batches, and the reference path
    kw = dict(ch_names=NAMES, sfreq=SFREQ, units="uV")
    for batch_size in (1, 3, 64):
        assert rel_err(embed(model, x, batch_size=batch_size, **kw).data, whole.data) <= 1e-6
    model.fused = False
    try:
        assert rel_err(embed(model, x, **kw).data, whole.data) <= 1e-5
    finally:
        model.fused = True


@pytest.mark.filterwarnings("ignore:.*(flat channel|clipping check)")  # the zeros padded by hand
def test_overlapping_and_padded_windows_hold_the_same_windows(setup):
    """Windows every 2 s: every other one is a window of the 4 s hop; tail="pad": the
    complete windows as without it, the last one that of the tail zero-padded by hand."""
    model, x, whole = setup
    kw = dict(ch_names=NAMES, sfreq=SFREQ, units="uV")
    overlapping = embed(model, x, overlap=2.0, **kw)
    assert rel_err(overlapping.data[::2][: len(whole)], whole.data) <= 1e-6
    padded = embed(model, x, tail="pad", **kw)
    assert len(padded) == len(whole) + 1
    assert rel_err(padded.data[: len(whole)], whole.data) <= 1e-6
    tail = np.zeros((len(NAMES), WINDOW))
    tail[:, : x.shape[1] - len(whole) * WINDOW] = x[:, len(whole) * WINDOW :]
    assert rel_err(padded.data[-1:], embed(model, tail[None], **kw).data) <= 1e-6


def test_a_corpus_run_batching_files_together_equals_embed(setup, tmp_path):
    """embed_dataset encodes consecutive files of the same channels as one array (here a
    7-window file with a 2-window one, batch size 8); a file of the same channels in another
    order gives the same embeddings."""
    model, x, whole = setup
    inputs = tmp_path / "in"
    inputs.mkdir()
    info = mne.create_info(NAMES, SFREQ, "eeg")
    mne.io.RawArray(x * 1e-6, info, verbose=False).save(inputs / "a_raw.fif", fmt="double")
    other = np.random.default_rng(1).normal(0, 10, (7, int(SFREQ * 9))) * 1e-6
    mne.io.RawArray(other, info, verbose=False).save(inputs / "b_raw.fif", fmt="double")
    perm = [3, 0, 6, 1, 5, 2, 4]
    permuted = mne.create_info([NAMES[i] for i in perm], SFREQ, "eeg")
    mne.io.RawArray(x[perm] * 1e-6, permuted, verbose=False).save(
        inputs / "c_raw.fif", fmt="double"
    )
    embed_dataset(inputs, tmp_path / "out", model=model, batch_size=8, progress=False)
    table = pd.read_parquet(tmp_path / "out" / "shard-00000.parquet")
    rows = np.stack(table["embedding"].to_numpy())
    flat = whole.data.reshape(len(whole), -1)
    of = table["path"].str.endswith
    assert rel_err(rows[of("a_raw.fif").to_numpy()], flat) <= 1e-6
    assert rel_err(rows[of("c_raw.fif").to_numpy()], flat) <= 1e-5
    assert of("b_raw.fif").sum() == 2


def test_a_stream_and_the_sklearn_embedder_see_embed_s_windows(setup):
    model, x, whole = setup
    online = OnlineEmbedder(model, NAMES, SFREQ, units="uV", batch_size=3, warm_up=False)
    rng = np.random.default_rng(2)
    parts, start = [], 0
    while start < x.shape[1]:
        n = int(rng.integers(1, 700))
        parts.append(online.push(x[:, start : start + n]).data)
        start += n
    assert rel_err(np.concatenate(parts), whole.data) <= 1e-6
    embedder = EEGPTEmbedder(model=model, ch_names=NAMES, sfreq=SFREQ, units="uV", device="cpu")
    epochs = _epochs(x, len(whole))
    flat = whole.data.reshape(len(whole), -1)
    assert rel_err(embedder.fit(epochs).transform(epochs), flat) <= 1e-6


def _epochs(x: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` 4 s windows of ``x`` as epochs ``[n, C, WINDOW]``."""
    return np.stack([x[:, k * WINDOW : (k + 1) * WINDOW] for k in range(n)])


@pytest.mark.filterwarnings("ignore:training epochs per class")
def test_a_frozen_probe_predicts_from_embed_s_windows(setup, monkeypatch):
    model, x, whole = setup
    epochs = _epochs(x, len(whole))
    probe = train_probe(
        model, epochs, np.arange(len(epochs)) % 2, ch_names=NAMES, sfreq=SFREQ, units="uV",
        epochs=1, cache=False,
    )  # fmt: skip
    seen = []
    embed_windows = probe_module.embed_windows

    def seeing(*args, **kwargs):
        seen.append(embed_windows(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(probe_module, "embed_windows", seeing)
    probe.predict(epochs, ch_names=NAMES, sfreq=SFREQ, units="uV")
    assert len(seen) == 1
    flat = whole.data.reshape(len(whole), -1)
    assert rel_err(np.asarray(seen[0]).reshape(len(whole), -1), flat) <= 1e-6
