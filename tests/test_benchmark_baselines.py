"""The baselines the benchmarks time eegpt against do what eegpt does to the data, so that
"the same embeddings" holds and the timings compare like with like."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from eegpt.io import as_recording
from eegpt.preprocessing import prepare
from eegpt.vocabulary import PRETRAINING_CHANNELS

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_the_online_benchmarks_baseline_makes_eegpts_windows(monkeypatch):
    """bench_online.py's braindecode loop took each window's channel means out and added them
    back around SciPy's resample_poly: eegpt's windows as they were before the average
    reference became the default and the resampler took out each channel's line (edges
    extended): the two pipelines' embeddings differed by 9% (the JSON still said "the same
    embeddings"). Its window, the model left out, is eegpt's (prepare, the default
    preprocessing) of the same samples."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    bench_online = pytest.importorskip("bench_online")

    n_chans, sfreq = bench_online.N_CHANS, bench_online.SFREQ
    names = list(PRETRAINING_CHANNELS[:n_chans])
    rng = np.random.default_rng(0)
    n = int(4 * sfreq)  # one window: 4 s
    drift = np.linspace(0, 50, n) * rng.normal(size=(n_chans, 1))
    microvolts = rng.normal(0, 20, (n_chans, n)) + drift + rng.normal(0, 500, (n_chans, 1))
    loop = bench_online.BraindecodeLoop(lambda t: t, torch.device("cpu"), autocast=False)
    (window,) = loop.push(microvolts)
    recording = as_recording(microvolts, ch_names=names, sfreq=sfreq, units="uV")
    ours = prepare(recording, checks=False)
    assert ours.data.shape == (1, n_chans, window.shape[-1])
    order = [names.index(name) for name in ours.mapping.names]
    theirs = window[0].numpy()[order]
    scale = np.abs(ours.data[0]).max()
    assert np.abs(theirs - ours.data[0]).max() / scale < 1e-5
