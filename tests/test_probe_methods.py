"""What the probe commands report, as a methods reviewer reads it: the pass whose weights are
kept, where labels come from, validation by recording, evaluation's per-class scores and
baselines."""

from __future__ import annotations

import json

import pytest
import torch

from eegpt import EEGPT, EEGPTConfig
from eegpt.checkpoints import save_checkpoint
from eegpt.probe import synthetic_erp_epochs
from eegpt.probe_cli import main as probe_main

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4)
COMMON = ["--window", "1", "-q", "--no-average-reference"]


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("weights") / "small"
    save_checkpoint(EEGPT(SMALL).eval(), folder)
    return folder


@pytest.fixture(scope="module")
def epoch_files(tmp_path_factory):
    """Three files of 1 s epochs (two classes): two to train on, one held out."""
    folder = tmp_path_factory.mktemp("epochs")
    epochs = synthetic_erp_epochs(120, seed=1, seconds=1.0, tmin=-0.2)
    paths = []
    for k in range(3):
        path = folder / f"sub-{k}-epo.fif"
        epochs[40 * k : 40 * (k + 1)].save(path, verbose=False)
        paths.append(path)
    return paths


def test_train_reports_the_pass_it_keeps(weights, epoch_files, tmp_path, capsys):
    """With --patience the probe holds the weights of the pass of lowest validation loss:
    the summary gives that pass's scores, not the last pass's."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), str(epoch_files[1]), "--weights",
                       str(weights), "-o", str(out), "--val-data", str(epoch_files[2]),
                       "--patience", "2", "--passes", "40", "--lr", "5e-2", *COMMON]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    meta = json.loads((out / "probe.json").read_text())
    runs, kept = meta["training"]["epochs_run"], meta["training"]["kept_epoch"]
    assert kept < runs  # stopped early, the best pass before the last
    row, last = meta["history"][kept - 1], meta["history"][-1]
    assert f"pass {kept} of {runs} kept (lowest validation loss): validation (40 epochs) " \
           f"loss {row['val_loss']:.4f}, balanced accuracy (BAC) " \
           f"{100 * row['val_balanced_accuracy']:.2f}%; training loss {row['train_loss']:.4f}" in printed  # fmt: skip
    assert f"the last pass, {runs}, whose weights are not kept: validation loss " \
           f"{last['val_loss']:.4f}" in printed  # fmt: skip
    assert "after the last pass" not in printed
