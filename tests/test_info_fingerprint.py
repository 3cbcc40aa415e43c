"""``eegpt info`` names the encoder fingerprint (``checkpoint.weights_sha256``, the identity of
the encoder weights that outputs record) of an embeddings output and of weights, so that an
output can be matched with the weights that made it (it showed only the files' sha256)."""

from __future__ import annotations

import json

import mne
import numpy as np
import pytest

from eegpt.cli import main


@pytest.fixture(scope="module")
def output(model, tmp_path_factory):
    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 2e-5, (4, 256 * 8)), info)
    path = tmp_path_factory.mktemp("fingerprint") / "rec.npz"
    model.embed(raw, verbose=False).save(path)
    return path


def test_info_of_an_output_and_of_its_weights_shows_the_encoder_fingerprint(
    weights, output, capsys
):
    from eegpt import load_embeddings

    fingerprint = load_embeddings(output).metadata["checkpoint"]["weights_sha256"]
    assert len(fingerprint) == 64
    assert main(["info", str(output)]) == 0
    assert f", encoder fingerprint {fingerprint[:12]}..." in capsys.readouterr().out
    assert main(["info", str(output), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["encoder_fingerprint"] == fingerprint
    # the weights that made it: the same fingerprint, whole
    assert main(["info", str(weights)]) == 0
    assert f"  encoder fingerprint: {fingerprint} (the encoder weights" in capsys.readouterr().out
    assert main(["info", str(weights), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["encoder_fingerprint"] == fingerprint
