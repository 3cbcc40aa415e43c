"""Resuming an interrupted embed inside its recording (eegpt._partial_embeddings): the windows
embedded before a Ctrl-C are kept beside the output and taken instead of the model's, so the
output is bit for bit that of a run never interrupted; windows kept of other settings, weights
or input files are never mixed in."""

from __future__ import annotations

import json
import logging
import os
import shutil
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest
import torch

import eegpt._partial_embeddings
import eegpt.api
import eegpt.fingerprints
from eegpt._interrupts import Terminated
from eegpt._partial_embeddings import PartialRows, partial_paths, read_record
from eegpt.api import embed_to_file
from eegpt.checkpoints import load_model, save_checkpoint
from eegpt.cli import main
from eegpt.config import EEGPTConfig
from eegpt.demo import synthetic_raw, write_edf
from eegpt.engine import InferenceEngine
from eegpt.model import EEGPT
from eegpt.outputs import load_embeddings

N_WINDOWS = 15  # 60 s of 4 s windows
BLOCKS = 4  # of 4 windows (batches of 2): 4, 4, 4 and 3


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    raw, _ = synthetic_raw(minutes=1, seed=3)
    return write_edf(raw, tmp_path_factory.mktemp("rec") / "rec.edf")


@pytest.fixture
def engine_calls(monkeypatch):
    """Blocks of 4 windows; the engine's calls counted, and ``calls.stop`` (a Ctrl-C's
    KeyboardInterrupt by default) raised at the call numbered ``calls.stop_at``, if set."""
    monkeypatch.setattr(eegpt.api, "BLOCK_WINDOWS", 4)
    real = InferenceEngine.encode

    class Calls(list):
        stop_at: int | None = None
        stop: BaseException = KeyboardInterrupt()

    calls = Calls()

    def encode(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == calls.stop_at:
            raise calls.stop
        return real(self, *args, **kwargs)

    monkeypatch.setattr(InferenceEngine, "encode", encode)
    return calls


def _same_output(a: Path, b: Path) -> None:
    first, second = load_embeddings(a), load_embeddings(b)
    assert first.data.dtype == second.data.dtype == np.float32
    assert first.data.tobytes() == second.data.tobytes()  # bit for bit
    assert first.onsets.tobytes() == second.onsets.tobytes()
    assert first.metadata == second.metadata


def _interrupted(model, edf, out, calls, stop_at=3, **kwargs) -> None:
    """Embed, stopped by ``calls.stop`` (a Ctrl-C) at the engine's call ``stop_at``."""
    calls.clear()
    calls.stop_at = stop_at
    with pytest.raises(type(calls.stop)):
        embed_to_file(model, edf, out, batch_size=2, **kwargs)
    calls.stop_at = None
    calls.clear()


@pytest.mark.parametrize(
    ("name", "pool", "stop"),
    [("rec.npz", "none", KeyboardInterrupt()), ("rec.parquet", "mean", Terminated(143))],
)
def test_an_interrupted_embed_to_file_resumes_bit_for_bit(
    model, edf, tmp_path, engine_calls, name, pool, stop, capsys
):
    """Stopped by a Ctrl-C or a SIGTERM after two blocks, then resumed: the model runs on the
    other two alone, and the output is that of a run never interrupted, bit for bit."""
    full = embed_to_file(
        model, edf, tmp_path / f"full{Path(name).suffix}", batch_size=2, pooling=pool
    )
    assert len(engine_calls) == BLOCKS and len(full) == N_WINDOWS
    out = tmp_path / "out" / name
    engine_calls.stop = stop
    _interrupted(model, edf, out, engine_calls, pooling=pool)
    assert not out.exists()
    record = read_record(out)
    assert record is not None and record["rows"] == 8 and record["n_windows"] == N_WINDOWS
    resumed = embed_to_file(model, edf, out, batch_size=2, pooling=pool, resume=True, verbose=True)
    assert len(engine_calls) == BLOCKS - 2  # the first two blocks were not embedded again
    said = capsys.readouterr().err
    assert f"{out}: resuming: 8 of {N_WINDOWS} windows are taken from an interrupted run" in said
    assert len(resumed) == N_WINDOWS
    _same_output(tmp_path / f"full{Path(name).suffix}", out)
    assert [p.name for p in out.parent.iterdir()] == [name]  # the kept windows removed


def test_a_hard_kill_loses_only_the_windows_since_the_last_record(
    model, edf, tmp_path, engine_calls, monkeypatch
):
    """The rows on disk are recorded as the run goes (every COMMIT_EVERY_S seconds), so a
    process killed without any clean-up (SIGKILL, power loss) resumes from there too."""
    embed_to_file(model, edf, tmp_path / "full.npz", batch_size=2)
    monkeypatch.setattr(eegpt._partial_embeddings, "COMMIT_EVERY_S", 0.0)  # at every block
    clean_up = PartialRows.__exit__
    monkeypatch.setattr(PartialRows, "__exit__", lambda self, *stopped: None)  # killed
    engine_calls.stop = RuntimeError("killed")
    out = tmp_path / "out" / "rec.npz"
    replaced = []  # the record's temporary names: those of the output's (see remove_stale)
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append(Path(a)), real_replace(a, b)))
    _interrupted(model, edf, out, engine_calls)
    record = read_record(out)
    assert record is not None and record["rows"] == 8
    assert replaced and all(
        p.parent == out.parent and p.name.startswith(".rec.npz.") and p.name.endswith(".tmp")
        for p in replaced
    )
    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(PartialRows, "__exit__", clean_up)
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 2
    _same_output(tmp_path / "full.npz", out)


def test_windows_kept_of_other_settings_weights_or_files_are_never_mixed_in(
    model, edf, tmp_path, engine_calls, caplog
):
    caplog.set_level(logging.INFO, logger="eegpt")
    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    out = tmp_path / "out" / "rec.npz"

    # other preprocessing: a window of another detrending
    _interrupted(model, rec, out, engine_calls)
    embed_to_file(model, rec, out, batch_size=2, detrend="linear", resume=True)
    assert len(engine_calls) == BLOCKS  # all embedded again
    assert "are of other settings, weights or input files" in caplog.text
    embed_to_file(model, rec, tmp_path / "fresh.npz", batch_size=2, detrend="linear")
    _same_output(tmp_path / "fresh.npz", out)
    assert not any(p.exists() for p in partial_paths(out))

    # the same settings, but the recording's file changed since (its modification time)
    out.unlink()
    _interrupted(model, rec, out, engine_calls)
    stat = rec.stat()
    os.utime(rec, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    embed_to_file(model, rec, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS

    # other weights
    out.unlink()
    _interrupted(model, rec, out, engine_calls)
    torch.manual_seed(8)
    other_path = tmp_path / "other-weights"
    save_checkpoint(EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)), other_path)
    other = load_model(other_path)
    embed_to_file(other, rec, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS
    embed_to_file(other, rec, tmp_path / "fresh-other.npz", batch_size=2)
    _same_output(tmp_path / "fresh-other.npz", out)

    # without resume, windows kept are removed, not used
    out.unlink()
    _interrupted(model, rec, out, engine_calls)
    embed_to_file(model, rec, out, batch_size=2)
    assert len(engine_calls) == BLOCKS
    assert not any(p.exists() for p in partial_paths(out))


def _python_model(seed: int) -> EEGPT:
    """A small model built in Python (never loaded from a file: no file's SHA-256)."""
    torch.manual_seed(seed)
    return EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)).eval()


def _scaled_in_place(model: torch.nn.Module) -> torch.nn.Module:
    """``model`` with every weight edited through ``p.data`` (nothing sees such an edit)."""
    for p in model.parameters():
        p.data.mul_(1.5)
    return model


@pytest.mark.parametrize(
    "models",
    [
        "built_in_python",
        "load_state_dict",
        "encoders_alone",
        "loaded_then_edited_through_data",
    ],
)
def test_windows_kept_of_other_weights_of_a_model_not_loaded_are_never_mixed_in(
    weights, edf, tmp_path, engine_calls, caplog, models
):
    """Windows kept by a run of model A are not taken by a resume with model B where no file
    names either's weights (built in Python, given weights with ``load_state_dict``, encoders
    alone, a loaded model edited through ``p.data``): the output is that of model B alone."""
    caplog.set_level(logging.INFO, logger="eegpt")
    if models == "built_in_python":
        a, b = _python_model(1), _python_model(2)
    elif models == "load_state_dict":
        a, b = _python_model(3), _python_model(3)
        a.load_state_dict(_python_model(1).state_dict())
        b.load_state_dict(_python_model(2).state_dict())
    elif models == "encoders_alone":
        a, b = _python_model(1).target_encoder, _python_model(2).target_encoder
    else:
        a, b = load_model(weights), _scaled_in_place(load_model(weights))
    embed_to_file(b, edf, tmp_path / "fresh.npz", batch_size=2)
    out = tmp_path / "out" / "rec.npz"
    _interrupted(a, edf, out, engine_calls)
    embed_to_file(b, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS  # all embedded again, with B
    assert "are of other settings, weights or input files" in caplog.text
    _same_output(tmp_path / "fresh.npz", out)
    assert not any(p.exists() for p in partial_paths(out))


def test_windows_kept_by_a_model_not_loaded_resume_with_the_same_weights(
    edf, tmp_path, engine_calls
):
    """The weights' hash is the same for the same weights: a model built in Python resumes."""
    model = _python_model(1)
    embed_to_file(model, edf, tmp_path / "fresh.npz", batch_size=2)
    out = tmp_path / "out" / "rec.npz"
    _interrupted(model, edf, out, engine_calls)
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 2
    _same_output(tmp_path / "fresh.npz", out)


def test_windows_kept_resume_after_the_probe_head_or_channel_projection_changed(
    edf, tmp_path, engine_calls, caplog
):
    """Embeddings are computed by the encoder alone (never through a fine-tune's channel
    projection or probe head), yet the kept windows' weights hash covered the whole state
    dict: a probe head trained after the stop forced the recording to be embedded again. Only
    the encoder's weights are hashed now; a record of the whole state dict's hash (written
    before, that day) is not taken, and the note says why."""
    caplog.set_level(logging.INFO, logger="eegpt")
    torch.manual_seed(1)
    cfg = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)
    model = EEGPT(cfg, chan_proj=(22, 19), n_outputs=3, n_times=1024).eval()
    embed_to_file(model, edf, tmp_path / "fresh.npz", batch_size=2)
    out = tmp_path / "out" / "rec.npz"
    _interrupted(model, edf, out, engine_calls)
    with torch.no_grad():  # as a probe trained since: not what the embeddings use
        model.final_layer.probe1.weight.mul_(2.0)
        model.chan_proj.proj.weight.add_(1.0)
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 2  # resumed
    _same_output(tmp_path / "fresh.npz", out)

    # a record of the whole state dict's hash, as written before (2026-12-07)
    out.unlink()
    _interrupted(model, edf, out, engine_calls)
    record_path = partial_paths(out)[0]
    record = json.loads(record_path.read_text())
    record["weights"] = eegpt.fingerprints.state_dict_hash(model)
    record_path.write_text(json.dumps(record))
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS  # all embedded again
    assert "are named by a hash of all the model's weights (its probe head too)" in caplog.text
    _same_output(tmp_path / "fresh.npz", out)


def _as_recorded_before_weights_hashes(out: Path) -> None:
    """Rewrite the kept windows' record of ``out`` as eegpt wrote it before 2026-12-07: without
    the hash of the weights (``"weights"``)."""
    record_path = partial_paths(out)[0]
    record = json.loads(record_path.read_text())
    del record["weights"]
    record_path.write_text(json.dumps(record))


@pytest.mark.parametrize(
    ("models", "taken"),
    [("loaded_from_a_file", True), ("built_in_python", False), ("edited_through_data", False)],
)
def test_windows_kept_before_weights_were_hashed_are_taken_where_a_file_names_them(
    weights, edf, tmp_path, engine_calls, caplog, models, taken
):
    """A record written before the weights' hash was recorded has none: it was thrown away
    (and the recording embedded again) even with the same weights file. It is taken where the
    fingerprint names the weights by their file's SHA-256 and the model still holds that
    file's weights; never for a model no file names, nor one edited through ``p.data``."""
    caplog.set_level(logging.INFO, logger="eegpt")
    if models == "loaded_from_a_file":
        a = b = load_model(weights)
    elif models == "built_in_python":
        a = b = _python_model(1)
    else:
        a, b = load_model(weights), _scaled_in_place(load_model(weights))
    # on the CPU, where the models stay: moving an edited model to a GPU hashes its weights
    # again (eegpt.fingerprints.modified_weights), so the edit is seen there and the note is
    # the one of other weights
    embed_to_file(b, edf, tmp_path / "fresh.npz", batch_size=2, device="cpu")
    out = tmp_path / "out" / "rec.npz"
    _interrupted(a, edf, out, engine_calls, device="cpu")
    _as_recorded_before_weights_hashes(out)
    embed_to_file(b, edf, out, batch_size=2, resume=True, device="cpu")
    if taken:
        assert len(engine_calls) == BLOCKS - 2  # the model ran on the rest only
        assert "resuming: 8 of 15 windows are taken" in caplog.text
    else:  # the note says why: not "of other settings, weights or input files"
        assert len(engine_calls) == BLOCKS
        assert "of an earlier eegpt (before 2026-12-07) kept cannot be told from another" in (
            caplog.text
        )
    _same_output(tmp_path / "fresh.npz", out)
    assert not any(p.exists() for p in partial_paths(out))


def test_a_raw_not_preloaded_resumes_only_while_its_files_are_the_same(
    model, edf, tmp_path, engine_calls, caplog
):
    """A Raw read without preload is streamed from its files, whose identity its provenance
    does not record (only the first file's name): windows kept while embedding it were taken
    after its file was rewritten with another recording. The kept windows' fingerprint holds
    the files' size, modification time and first and last MiB: the same file resumes, a
    rewritten one is embedded from its start."""
    caplog.set_level(logging.INFO, logger="eegpt")
    rec = tmp_path / "rec.edf"
    shutil.copy(edf, rec)
    out = tmp_path / "out" / "rec.npz"
    read = lambda: mne.io.read_raw_edf(rec, preload=False, verbose=False)  # noqa: E731
    _interrupted(model, read(), out, engine_calls)
    embed_to_file(model, read(), out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 2  # the same file: resumed
    out.unlink()

    _interrupted(model, read(), out, engine_calls)
    rec.unlink()
    write_edf(synthetic_raw(minutes=1, seed=4)[0], rec)  # another recording, the same name
    embed_to_file(model, read(), out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS  # all embedded again
    assert "are of other settings, weights or input files" in caplog.text
    embed_to_file(model, read(), tmp_path / "fresh.npz", batch_size=2)
    _same_output(tmp_path / "fresh.npz", out)


def test_windows_kept_of_data_in_memory_are_never_taken(model, edf, tmp_path, monkeypatch, caplog):
    """Data in memory (an array, a preloaded Raw) has no identity a resume can check: windows
    kept by a run stopped as its output was being finished were all taken by a resume with
    other data. They are not, and the note says why (kept here by a run of the recording's
    file: a run of data in memory keeps none)."""
    caplog.set_level(logging.INFO, logger="eegpt")
    other = mne.io.read_raw_edf(edf, preload=True, verbose=False)
    other._data *= 2.0  # changed in memory: the same file and settings
    out = tmp_path / "rec.npz"
    finish = eegpt.api.EmbeddingsWriter.close
    monkeypatch.setattr(eegpt.api.EmbeddingsWriter, "close", lambda self: _raise_interrupt())
    with pytest.raises(KeyboardInterrupt):
        embed_to_file(model, edf, out, batch_size=2)
    assert all(p.exists() for p in partial_paths(out))
    monkeypatch.setattr(eegpt.api.EmbeddingsWriter, "close", finish)
    embed_to_file(model, other, out, batch_size=2, resume=True)
    assert "cannot be told from other data" in caplog.text
    embed_to_file(model, other, tmp_path / "fresh.npz", batch_size=2)
    _same_output(tmp_path / "fresh.npz", out)
    assert not any(p.exists() for p in partial_paths(out))


def test_data_in_memory_keeps_no_windows_at_an_interrupt(model, tmp_path, monkeypatch):
    """Windows of data in memory are never taken by a resume, yet an interrupt kept them (a
    hidden copy of the embeddings beside the output, written and synced at the stop, left
    until the next call for that output): none is kept, and none is written as it runs."""
    raw, _ = synthetic_raw(minutes=1, seed=3)
    out = tmp_path / "rec.npz"
    opened: list[Path] = []  # the kept rows' files opened to write on
    rows_file = eegpt._partial_embeddings.PartialRows._open
    monkeypatch.setattr(
        eegpt._partial_embeddings.PartialRows,
        "_open",
        lambda self: (opened.append(self.rows_path), rows_file(self))[1],
    )
    finish = eegpt.api.EmbeddingsWriter.close
    monkeypatch.setattr(eegpt.api.EmbeddingsWriter, "close", lambda self: _raise_interrupt())
    with pytest.raises(KeyboardInterrupt):
        embed_to_file(model, raw, out, batch_size=2)
    monkeypatch.setattr(eegpt.api.EmbeddingsWriter, "close", finish)
    assert not opened and not any(p.exists() for p in partial_paths(out))


def _raise_interrupt() -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("choice", ["use_gelu_epilogue", "use_short_attention"])
def test_engine_choices_that_change_the_numbers_are_in_the_kept_windows_fingerprint(
    model, edf, choice
):
    """The tanh GELU epilogue and eegpt's attention kernel (taken by ``"auto"`` on CUDA with a
    reduced precision, where Triton works) change the numbers, but the provenance does not
    name them: windows kept by an engine with one were taken by a resume without it. Set by
    hand here (they run on CUDA only); the fingerprint tells them apart."""
    plain = InferenceEngine(model, batch_size=2)
    other = InferenceEngine(model, batch_size=2)
    setattr(other, choice, True)  # as "auto" sets it on a GPU
    fingerprints = {
        eegpt.api.resume_fingerprint(eegpt.api._Job.create(model, edf, {"engine": e}), {}, "none")
        for e in (plain, other, InferenceEngine(model, batch_size=2))
    }
    assert len(fingerprints) == 2  # the plain engines' agree, the other's differs


def test_the_gpu_model_is_in_the_kept_windows_fingerprint(model, edf, monkeypatch):
    """On CUDA the provenance names the device alone (``cuda:0``): windows kept on an A100
    were taken by a resume on an H100, whose kernels give other last digits, so the output
    was no longer that of one run. The GPU's model is in the fingerprint (the name function
    stands in for the GPUs here); a CPU engine names its instruction set instead."""
    gpu = {"name": "NVIDIA A100-SXM4-80GB"}
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: gpu["name"])

    def fingerprint(device: str) -> str:
        engine = InferenceEngine(model, batch_size=2)  # built on the CPU, then named a GPU
        engine.device = torch.device(device)
        job = eegpt.api._Job.create(model, edf, {"engine": engine})
        return eegpt.api.resume_fingerprint(job, {}, "none")

    on_a100 = fingerprint("cuda:0")
    assert fingerprint("cuda:0") == on_a100  # the same GPU model: resumed
    gpu["name"] = "NVIDIA H100 80GB HBM3"
    assert fingerprint("cuda:0") != on_a100
    assert (
        "engine_gpu" not in InferenceEngine(model, batch_size=2, device="cpu").unrecorded_numerics()
    )
    engine = InferenceEngine(model, batch_size=2)
    engine.device = torch.device("cuda:0")
    assert engine.unrecorded_numerics() == {"engine_gpu": "NVIDIA H100 80GB HBM3"}


def test_windows_kept_on_a_cpu_of_another_instruction_set_are_not_taken(
    model, edf, tmp_path, engine_calls, monkeypatch, caplog
):
    """A CPU's kernels differ in the last digits between instruction sets (AVX2, AVX512),
    while the provenance names the device alone (``cpu``): windows kept on one node were
    taken by a resume on a node of the other. The instruction set is in the fingerprint (the
    capability function stands in for the nodes here): the same one resumes, another embeds
    the recording again."""
    caplog.set_level(logging.INFO, logger="eegpt")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # CPU runs, on a GPU too
    node = {"cpu": "AVX512"}
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: node["cpu"])
    assert InferenceEngine(model, batch_size=2).unrecorded_numerics() == {"engine_cpu": "AVX512"}
    out = tmp_path / "out" / "rec.npz"
    _interrupted(model, edf, out, engine_calls)
    node["cpu"] = "AVX2"
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS  # all embedded again
    assert f"{out}: the windows kept by an interrupted run are of other settings" in caplog.text
    out.unlink()
    _interrupted(model, edf, out, engine_calls)
    embed_to_file(model, edf, out, batch_size=2, resume=True)  # the same instruction set
    assert len(engine_calls) == BLOCKS - 2


def _interrupted_by_an_earlier_eegpt(
    model, edf, out, engine_calls, monkeypatch, *, cpu_recorded: bool, changes_recorded: bool
) -> None:
    """An ``eegpt embed`` to ``out`` interrupted (:func:`_interrupted`) on this CPU, taken to
    be an AVX2 one, by an earlier eegpt: one that recorded no CPU instruction set in the kept
    windows' fingerprint (``cpu_recorded`` False) and/or no ``eegpt_changes``
    (``changes_recorded`` False). CPU runs from here on, on a GPU machine too."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    numerics = InferenceEngine.unrecorded_numerics
    before = {k: v for k, v in numerics(InferenceEngine(model, batch_size=2)).items()
              if cpu_recorded or k != "engine_cpu"}  # fmt: skip
    with monkeypatch.context() as earlier:
        earlier.setattr(InferenceEngine, "unrecorded_numerics", lambda self: dict(before))
        if not changes_recorded:
            _without_eegpt_changes(earlier)
        _interrupted(model, edf, out, engine_calls)


def test_windows_kept_on_a_cpu_before_its_instruction_set_was_recorded_are_taken(
    model, edf, tmp_path, engine_calls, monkeypatch, caplog
):
    """Windows kept on a CPU by an eegpt before 2026-12-07 were fingerprinted without the
    CPU's instruction set, which every CPU run now records: on the same machine they looked
    of other settings and the recording was embedded again from its start. They are taken
    (as that eegpt took them), with a note that they cannot be checked against the
    instruction set; the rows the resume adds are recorded under this eegpt's fingerprint,
    so a second stop resumes again."""
    caplog.set_level(logging.INFO, logger="eegpt")
    out = tmp_path / "out" / "rec.npz"
    # an eegpt before 2026-12-07: no engine_cpu
    _interrupted_by_an_earlier_eegpt(model, edf, out, engine_calls, monkeypatch,
                                     cpu_recorded=False, changes_recorded=True)  # fmt: skip
    _interrupted(model, edf, out, engine_calls, stop_at=2, resume=True)  # one block more
    assert "does not record all this one checks (the CPU's instruction set" in caplog.text
    assert "are of other settings" not in caplog.text
    caplog.clear()
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 3  # the three blocks kept by both runs are taken
    assert "are of other settings" not in caplog.text


def _without_eegpt_changes(monkeypatch) -> None:
    """Make ``embed_to_file`` record no ``eegpt_changes``, as eegpt did before 2026-12-07."""
    real = eegpt.api.provenance

    def provenance(*args, **kwargs):
        record = real(*args, **kwargs)
        record.pop("eegpt_changes")
        return record

    monkeypatch.setattr(eegpt.api, "provenance", provenance)


@pytest.mark.parametrize("cpu_recorded", [True, False])
def test_windows_kept_before_eegpt_changes_was_recorded_are_taken(
    model, edf, tmp_path, engine_calls, monkeypatch, caplog, cpu_recorded
):
    """``eegpt_changes`` (the newest CHANGELOG section an eegpt includes) entered the kept
    windows' fingerprint on 2026-12-07: an ``eegpt embed`` interrupted earlier that day (the
    CPU's instruction set recorded), or before it (not recorded), was embedded again from its
    start on resuming, with a note calling its windows "of other settings". They are taken,
    with the note that they cannot be checked; the rows the resume adds are recorded under
    this eegpt's fingerprint, so a second stop resumes again."""
    caplog.set_level(logging.INFO, logger="eegpt")
    out = tmp_path / "out" / "rec.npz"
    # an eegpt before eegpt_changes was recorded
    _interrupted_by_an_earlier_eegpt(model, edf, out, engine_calls, monkeypatch,
                                     cpu_recorded=cpu_recorded, changes_recorded=False)  # fmt: skip
    _interrupted(model, edf, out, engine_calls, stop_at=2, resume=True)  # one block more
    assert "an interrupted run of an earlier eegpt (before 2026-12-07) are taken" in caplog.text
    assert "are of other settings" not in caplog.text
    caplog.clear()
    emb = embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 3  # the three blocks kept by both runs are taken
    assert "are of other settings" not in caplog.text
    assert emb.metadata["eegpt_changes"] == eegpt.api.CHANGES_DATE


def test_windows_kept_by_an_eegpt_of_other_changes_are_said_to_be_so(
    model, edf, tmp_path, engine_calls, monkeypatch, caplog
):
    """Windows kept by an eegpt of another CHANGELOG.md section (``eegpt_changes``, in the
    fingerprint) are not taken: its numbers may differ. The note called them "of other
    settings, weights or input files"; it names both eegpts' changes now."""
    caplog.set_level(logging.INFO, logger="eegpt")
    out = tmp_path / "out" / "rec.npz"
    with monkeypatch.context() as earlier:
        earlier.setattr(eegpt.api, "CHANGES_DATE", "2026-11-30")
        _interrupted(model, edf, out, engine_calls)
    assert read_record(out)["eegpt_changes"] == "2026-11-30"
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS  # embedded from its start
    said = (
        f"{out}: the windows kept by an interrupted run of an eegpt with the changes to "
        f"2026-11-30 (CHANGELOG.md) are not taken by this one, with those to "
        f"{eegpt.api.CHANGES_DATE}"
    )
    assert said in caplog.text and "are of other settings" not in caplog.text


def test_windows_kept_compiled_and_resumed_uncompiled_are_said_to_differ(
    model, edf, tmp_path, engine_calls, caplog
):
    """``compile="auto"`` turns torch.compile on after many windows on a GPU, and a resumed
    process starts uncompiled: the rest of the recording was embedded eagerly after compiled
    kept windows, which differ from compiled ones in the last digits, and nothing said so.
    The record says the rows were compiled, and a resume not compiling says the rest may
    differ; one compiling too says nothing. Compiling is marked by hand here (the engine's
    flag, as "auto" sets it on a GPU; its eager function still runs)."""
    caplog.set_level(logging.INFO, logger="eegpt")
    out = tmp_path / "out" / "rec.npz"
    said = "the last windows taken were embedded with torch.compile on"

    def compiling() -> InferenceEngine:
        engine = InferenceEngine(model, batch_size=2)
        engine.use_compile = True
        return engine

    _interrupted(model, edf, out, engine_calls, engine=compiling())
    assert read_record(out)["compiled"] is True
    embed_to_file(model, edf, out, batch_size=2, resume=True, engine=compiling())
    assert len(engine_calls) == BLOCKS - 2 and said not in caplog.text
    out.unlink()
    _interrupted(model, edf, out, engine_calls, engine=compiling())
    embed_to_file(model, edf, out, batch_size=2, resume=True)
    assert len(engine_calls) == BLOCKS - 2  # taken, with the note
    assert f"{out}: {said}" in caplog.text


def test_an_error_removes_the_windows_kept(model, edf, tmp_path, monkeypatch):
    """Only an interrupt keeps them: a run stopped by an error leaves nothing behind."""
    monkeypatch.setattr(eegpt.api, "BLOCK_WINDOWS", 4)
    real = InferenceEngine.encode
    calls = []

    def encode(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("out of memory")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(InferenceEngine, "encode", encode)
    out = tmp_path / "rec.npz"
    with pytest.raises(RuntimeError):
        embed_to_file(model, edf, out, batch_size=2)
    assert list(tmp_path.iterdir()) == []


def test_cli_embed_overwrite_interrupted_resumes_with_skip_existing_in_its_place(
    weights, edf, tmp_path, engine_calls, capsys
):
    """An ``--overwrite`` run over an output of other settings, stopped inside the recording,
    says to run with --skip-existing in place of --overwrite (both together are refused), and
    that run replaces the output, resuming from the windows kept: the output is that of a run
    of the new settings never interrupted, not the old one."""
    args = ["embed", str(edf), "--weights", str(weights), "--batch-size", "2", "-q"]
    assert main([*args, "-o", str(tmp_path / "full.npz")]) == 0
    out = tmp_path / "out"
    assert main([*args, "-o", f"{out}/", "--window", "2"]) == 0  # the old output
    engine_calls.clear()
    engine_calls.stop_at = 3
    assert main([*args, "-o", f"{out}/", "--overwrite"]) == 130
    err = capsys.readouterr().err
    assert f"interrupted while embedding {edf}: 8 of its {N_WINDOWS} windows are kept" in err
    assert "--skip-existing in place of --overwrite to resume it from window 8" in err
    assert "outputs this run had not replaced yet are then kept as they are" in err
    engine_calls.stop_at = None
    engine_calls.clear()
    loud = [a for a in args if a != "-q"]  # the note is said unless --quiet
    assert main([*loud, "-o", f"{out}/", "--skip-existing"]) == 0
    said = capsys.readouterr()
    assert "1 output was being replaced by an interrupted --overwrite run: replacing it" in said.out
    assert f"{out / 'rec.npz'}: resuming: 8 of {N_WINDOWS} windows" in said.err
    assert len(engine_calls) == BLOCKS - 2  # resumed from the windows kept
    first, second = load_embeddings(tmp_path / "full.npz"), load_embeddings(out / "rec.npz")
    assert second.metadata["preprocessing"]["window_seconds"] == 4.0  # replaced
    assert first.data.tobytes() == second.data.tobytes()
    assert first.onsets.tobytes() == second.onsets.tobytes()
    assert [p.name for p in out.iterdir()] == ["rec.npz"]


def test_cli_embed_says_what_a_ctrl_c_kept_and_skip_existing_resumes(
    weights, edf, tmp_path, engine_calls, capsys
):
    args = ["embed", str(edf), "--weights", str(weights), "--batch-size", "2", "-q"]
    assert main([*args, "-o", str(tmp_path / "full.npz")]) == 0
    out = tmp_path / "out"
    engine_calls.clear()
    engine_calls.stop_at = 3
    assert main([*args, "-o", f"{out}/"]) == 130
    err = capsys.readouterr().err
    assert f"interrupted while embedding {edf}: 8 of its {N_WINDOWS} windows are kept" in err
    assert "--skip-existing to resume it from window 8" in err
    engine_calls.stop_at = None
    engine_calls.clear()
    assert main([*args, "-o", f"{out}/", "--skip-existing"]) == 0
    assert len(engine_calls) == BLOCKS - 2
    first, second = load_embeddings(tmp_path / "full.npz"), load_embeddings(out / "rec.npz")
    assert first.data.tobytes() == second.data.tobytes()
    assert first.onsets.tobytes() == second.onsets.tobytes()
    assert [p.name for p in out.iterdir()] == ["rec.npz"]

    # an --overwrite run interrupted before any block was done: nothing kept, and the output
    # it was replacing is still there, which --skip-existing keeps: the message says so
    engine_calls.clear()
    engine_calls.stop_at = 1
    assert main([*args, "-o", f"{out}/", "--overwrite"]) == 130
    err = capsys.readouterr().err
    assert f"interrupted while embedding {edf}: no window of it was kept" in err
    assert f"its output {out / 'rec.npz'} is still the one this run was replacing" in err
    assert "run the same command again to replace them all" in err
    assert "embeds it from its start" not in err
    engine_calls.stop_at = None
    engine_calls.clear()
    assert main([*args, "-o", f"{out}/", "--skip-existing"]) == 0
    assert len(engine_calls) == 0  # kept, as said

    # windows kept beside an output finished since are removed by --skip-existing
    engine_calls.clear()
    engine_calls.stop_at = 3
    other = tmp_path / "other"
    assert main([*args, "-o", f"{other}/"]) == 130
    shutil.copy(out / "rec.npz", other / "rec.npz")
    engine_calls.stop_at = None
    assert main([*args, "-o", f"{other}/", "--skip-existing"]) == 0
    assert [p.name for p in other.iterdir()] == ["rec.npz"]


class _Quit(BaseException):
    """What ``os._exit`` stands for here: the process ends, no clean-up said to run."""


def test_a_second_ctrl_c_says_the_windows_recorded_and_a_resume_takes_just_those(
    weights, edf, tmp_path, engine_calls, monkeypatch, capsys
):
    """A second Ctrl-C quits at once, here while the record of the second block is being
    written: the message says how many windows the record beside the output holds (the
    first block's), and --skip-existing resumes from exactly those, bit for bit."""
    import json
    import signal

    from eegpt import cli_run

    args = ["embed", str(edf), "--weights", str(weights), "--batch-size", "2", "-q"]
    assert main([*args, "-o", str(tmp_path / "full.npz")]) == 0
    out = tmp_path / "out"
    monkeypatch.setattr(eegpt._partial_embeddings, "COMMIT_EVERY_S", 0.0)  # at every block
    clean_up = PartialRows.__exit__
    monkeypatch.setattr(PartialRows, "__exit__", lambda self, *stopped: None)  # os._exit
    monkeypatch.setattr(cli_run.os, "_exit", lambda code: (_ for _ in ()).throw(_Quit(code)))
    real_dump, dumps = json.dump, []

    def dump(record, fh):
        dumps.append(record)
        if len(dumps) == 2:  # the second block's record: a second Ctrl-C while it is written
            handler = signal.getsignal(signal.SIGINT)
            handler.count = 1  # a first one came already
            handler(signal.SIGINT, None)
        return real_dump(record, fh)

    monkeypatch.setattr(eegpt._partial_embeddings.json, "dump", dump)
    engine_calls.clear()
    with pytest.raises(_Quit):
        main([*args, "-o", f"{out}/"])
    err = capsys.readouterr().err
    rec = out / "rec.npz"
    assert read_record(rec)["rows"] == 4  # the first block's record, whole
    assert f"4 of the {N_WINDOWS} windows of {edf} were recorded as kept beside {rec}" in err
    assert "--skip-existing to resume it from window 4" in err
    monkeypatch.setattr(eegpt._partial_embeddings.json, "dump", real_dump)
    monkeypatch.setattr(PartialRows, "__exit__", clean_up)
    engine_calls.clear()
    assert main([*args, "-o", f"{out}/", "--skip-existing"]) == 0
    assert len(engine_calls) == BLOCKS - 1  # the first block was taken, not embedded again
    first, second = load_embeddings(tmp_path / "full.npz"), load_embeddings(rec)
    assert first.data.tobytes() == second.data.tobytes()  # bit for bit
    assert first.onsets.tobytes() == second.onsets.tobytes()


def test_a_second_ctrl_c_before_the_kept_windows_are_checked_does_not_promise_them(
    model, edf, tmp_path, engine_calls
):
    """A second Ctrl-C while a run reads and checks the recording, before it has judged the
    windows an earlier run kept (a run of other settings: --window 2 after --window 4), said
    that --skip-existing resumes from them, which it does not: it says that it does only
    where they are of the same settings, weights and files."""
    import argparse

    from eegpt.cli import embed_quit

    out = tmp_path / "rec.npz"
    _interrupted(model, edf, out, engine_calls)  # 8 windows kept, of 4 s windows
    said = embed_quit(argparse.Namespace(embedding_now=(edf, out), overwrite=False))
    assert f"8 of the {N_WINDOWS} windows of {edf} were recorded as kept" in said
    assert "windows kept by a run of other settings, weights or before the recording" in said


def test_a_second_ctrl_c_while_embedding_says_the_kept_windows_as_the_first_does(
    model, edf, tmp_path, engine_calls
):
    """A second Ctrl-C once the run has judged the windows kept (taken as its own, or its own
    recorded since) said they would not be taken if of other settings, 'which this run had
    not checked yet': it had. It gives the first Ctrl-C's caveat, true before and after the
    check."""
    import argparse

    from eegpt.cli import embed_interrupted, embed_quit

    out = tmp_path / "rec.npz"
    _interrupted(model, edf, out, engine_calls)  # 8 windows kept, this run's own
    args = argparse.Namespace(embedding_now=(edf, out), overwrite=False)
    second, first = embed_quit(args), embed_interrupted(args)
    assert "resume it from window 8" in second and "resume it from window 8" in first
    caveat = first[first.index("resume it from window 8") :]
    assert second.endswith(caveat), (second, caveat)
    assert "not checked" not in second


def test_a_second_ctrl_c_of_an_overwrite_run_advises_skip_existing_in_its_place(
    tmp_path, monkeypatch
):
    """The second Ctrl-C's message of an ``--overwrite`` run advises what works: the same
    command with --skip-existing IN PLACE of --overwrite (both together are refused), as the
    first Ctrl-C's does; with no window kept and the earlier output still there, it says that
    --skip-existing keeps that output rather than embedding the recording from its start."""
    import argparse

    from eegpt.cli import embed_quit

    out = tmp_path / "rec.npz"
    out.write_bytes(b"earlier output")
    args = argparse.Namespace(embedding_now=("rec.edf", out), overwrite=True)
    monkeypatch.setattr(eegpt._partial_embeddings, "kept_counts", lambda output: (4, 12))
    text = embed_quit(args)
    assert "4 of the 12 windows of rec.edf were recorded as kept" in text
    assert "--skip-existing in place of --overwrite to resume it from window 4" in text
    args.overwrite = False
    assert "--skip-existing to resume it from window 4" in embed_quit(args)
    assert "in place of --overwrite" not in embed_quit(args)
    monkeypatch.setattr(eegpt._partial_embeddings, "kept_counts", lambda output: None)
    args.overwrite = True
    text = embed_quit(args)
    assert f"its earlier output {out} is still there: --skip-existing keeps it" in text
    assert "embeds it from its start and the rest" not in text


def test_windows_kept_in_bfloat16_on_a_cpu_of_other_bf16_instructions_are_not_taken(
    model, monkeypatch
):
    """In bfloat16 a CPU with AVX-512 BF16 (or AMX) and one without (Skylake to Ice Lake,
    where oneDNN emulates it) are both ``AVX512`` to torch's capability, while their results
    differ by ~5e-3: windows kept on one were taken by a resume on the other. The bf16
    instructions are in the fingerprint for a reduced precision (float32 is unchanged)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # CPU engines, on a GPU too
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX512")
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    node = {"architecture": "x86_64", "avx512_f": True, "avx512_bf16": True}
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: dict(node))

    def numerics(precision: str) -> dict:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # emulated bf16 is warned of
            return InferenceEngine(model, batch_size=2, precision=precision).unrecorded_numerics()

    native = numerics("bfloat16")
    assert native == {"engine_cpu": "AVX512, bfloat16: AVX512-BF16"}
    assert numerics("float32") == {"engine_cpu": "AVX512"}
    node["avx512_bf16"] = False
    assert numerics("bfloat16") == {"engine_cpu": "AVX512, bfloat16: emulated"}
    assert numerics("float32") == {"engine_cpu": "AVX512"}
