"""Nothing lost, nothing half-written: atomic outputs, interrupted runs, the CLI, determinism."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from reliability_harness import R

from eegpt.api import embed, embed_to_file
from eegpt.checkpoints import load_model, save_checkpoint
from eegpt.errors import EmbeddingError, OutputExistsError
from eegpt.model import EEGPT
from eegpt.outputs import Embeddings, EmbeddingsWriter, atomic_write, load_embeddings


@pytest.mark.parametrize("name", ["outputs", "cli", "determinism"])
def test_class_has_no_bugs(name):
    tally = R.run_class(name, quick=True)
    assert tally.n > 0
    assert tally.n_bugs == 0, tally.bugs


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    work = tmp_path_factory.mktemp("outputs")
    torch.manual_seed(0)
    weights = save_checkpoint(EEGPT(R.small_config()), work / "weights")
    rec = work / "rec.edf"
    rec.write_bytes(R.edf_bytes(R.base_spec(seconds=40)))
    return weights, load_model(weights, verbose=False), rec


def _emb(n=5):
    data = np.random.default_rng(0).normal(size=(n, 2, 3, 4)).astype(np.float32)
    return Embeddings(data, np.arange(n, dtype=float), {"source": "x"})


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_writer_discards_incomplete_or_failed_output(tmp_path, suffix):
    emb = _emb()
    path = tmp_path / f"e{suffix}"
    with pytest.raises(ValueError, match="only 2 of 5 rows"):
        with EmbeddingsWriter(path, emb.data.shape, emb.onsets, emb.metadata) as w:
            w.write(emb.data[:2])
    with pytest.raises(ValueError, match="more than the 5 announced"):
        with EmbeddingsWriter(path, emb.data.shape, emb.onsets, emb.metadata) as w:
            w.write(emb.data)
            w.write(emb.data[:1])
    with pytest.raises(KeyboardInterrupt):
        with EmbeddingsWriter(path, emb.data.shape, emb.onsets, emb.metadata) as w:
            w.write(emb.data[:3])
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    with EmbeddingsWriter(path, emb.data.shape, emb.onsets, emb.metadata) as w:
        w.write(emb.data[:3])
        w.write(emb.data[3:])
    back = load_embeddings(path)
    np.testing.assert_array_equal(back.data, emb.data)
    assert back.metadata == emb.metadata
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_no_clobber_even_when_the_file_appears_meanwhile(tmp_path, monkeypatch):
    path = tmp_path / "x.bin"

    def write(fh):
        fh.write(b"new")
        path.write_bytes(b"theirs")  # another process wins the race

    with pytest.raises(OutputExistsError, match="overwrite"):
        atomic_write(path, write, overwrite=False)
    assert path.read_bytes() == b"theirs" and [p.name for p in tmp_path.iterdir()] == ["x.bin"]
    # without hard links (some network file systems) the check still happens before the rename
    monkeypatch.setattr(os, "link", lambda *a: (_ for _ in ()).throw(PermissionError("no links")))
    with pytest.raises(OutputExistsError):
        atomic_write(path, lambda fh: fh.write(b"new"), overwrite=False)
    atomic_write(tmp_path / "y.bin", lambda fh: fh.write(b"ok"), overwrite=False)
    assert (tmp_path / "y.bin").read_bytes() == b"ok"
    atomic_write(path, lambda fh: fh.write(b"replaced"))  # overwrite=True is the default
    assert path.read_bytes() == b"replaced"


def test_embed_to_file_equals_embed_and_refuses_existing(setup, tmp_path):
    _, model, rec = setup
    emb = embed(model, rec, batch_size=4)
    for suffix in (".npz", ".parquet"):
        written = embed_to_file(model, rec, tmp_path / f"e{suffix}", batch_size=4)
        assert len(written) == len(emb) and written.shape == emb.data.shape
        back = written.load()
        np.testing.assert_array_equal(back.data, emb.data)
        np.testing.assert_array_equal(back.onsets, emb.onsets)
        assert back.metadata == emb.metadata == written.metadata
        out = written.path
        before = out.read_bytes()
        with pytest.raises(OutputExistsError, match="--overwrite"):
            embed_to_file(model, rec, out)
        assert out.read_bytes() == before
        embed_to_file(model, rec, out, overwrite=True, batch_size=4)


def test_streamed_file_path_equals_whole_file_path(setup):
    _, model, rec = setup
    streamed = embed(model, rec, batch_size=4)
    whole = embed(model, rec, batch_size=4, stream=False)
    np.testing.assert_array_equal(streamed.data, whole.data)
    assert streamed.metadata == whole.metadata


def test_non_finite_embeddings_are_refused(setup):
    _, model, _ = setup
    x = R.eeg_like(3, 2048, 256.0) * 1e30  # finite, absurd: the model overflows
    with pytest.warns(RuntimeWarning, match="amplitude check"):
        with pytest.raises(EmbeddingError, match=r"<array>: the model produced NaN/Inf"):
            embed(model, x, ch_names=["C3", "Cz", "C4"], sfreq=256.0)


def test_bit_identical_across_runs_and_processes(setup, tmp_path):
    weights, model, rec = setup
    first = embed(model, rec, batch_size=4).data
    np.testing.assert_array_equal(embed(model, rec, batch_size=4).data, first)
    out = tmp_path / "child.npz"
    code = (
        "import sys; from eegpt.checkpoints import load_model; from eegpt.api import embed_to_file;"
        "embed_to_file(load_model(sys.argv[1], verbose=False), sys.argv[2], sys.argv[3], "
        "batch_size=4)"
    )
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code, str(weights), str(rec), str(out)],
        check=True,
        capture_output=True,
    )
    assert load_embeddings(out).data.tobytes() == first.tobytes()


def test_a_failed_write_closes_the_progress_bar_before_the_error_surfaces(
    setup, tmp_path, monkeypatch
):
    """A write that fails (out of memory, a full disk) with the encoder's blocks still to come:
    the bar is closed as the error leaves embed_to_file, not later when the generator is
    collected (which drew '100%' below the CLI's error message)."""
    import tqdm.auto

    from eegpt.outputs import EmbeddingsWriter

    _, model, rec = setup
    closed: list[bool] = []
    real = tqdm.auto.tqdm  # eegpt.api imports it where a bar is made

    class Bar(real):  # type: ignore[misc,valid-type]
        def close(self):
            closed.append(True)
            super().close()

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)

    def full(self, z):
        raise MemoryError

    monkeypatch.setattr(EmbeddingsWriter, "write", full)
    blocks_kept = []
    with pytest.raises(MemoryError):
        try:
            embed_to_file(model, rec, tmp_path / "e.npz", batch_size=2, progress=False)
        except MemoryError:
            blocks_kept.append(list(closed))  # as the error reaches the caller
            raise
    assert blocks_kept[0], "the bar was still open when the error reached the caller"


def test_a_table_written_again_by_pandas_is_named_as_one_that_lost_its_metadata(tmp_path):
    """pandas' read_parquet(...).to_parquet(...) drops the schema's eegpt metadata: reading the
    copy says it looks like eegpt's embeddings table whose metadata is gone and how to select
    windows keeping it; a shard of a run is sent to read_embeddings; other tables are told
    only that they have no eegpt metadata."""
    import pandas as pd

    data = np.zeros((3, 2, 4, 8), dtype=np.float32)
    meta = {"annotations": [[], ["BAD_x"], []]}
    path = Embeddings(data, np.array([0.0, 4.0, 8.0]), meta).save(tmp_path / "a.parquet")
    table = pd.read_parquet(path)
    table[~table["bad"]].to_parquet(tmp_path / "kept.parquet")
    with pytest.raises(ValueError, match=r"looks like an embeddings table of eegpt") as err:
        load_embeddings(tmp_path / "kept.parquet")
    assert "emb[~emb.bad].save(new_path)" in str(err.value)
    assert "read_embeddings" not in str(err.value)
    table.rename(columns={"source": "recording_id"}).to_parquet(tmp_path / "shard.parquet")
    with pytest.raises(ValueError, match=r"eegpt\.read_embeddings\(folder"):
        load_embeddings(tmp_path / "shard.parquet")
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "other.parquet")
    with pytest.raises(ValueError, match=r"has no eegpt metadata; was it written by eegpt\?"):
        load_embeddings(tmp_path / "other.parquet")
