"""A corpus run stopped inside a long recording (one read in parts) keeps the windows embedded
so far in a hidden file of its folder, and the resume runs the model only on the rest: the
shards are those of a run never stopped, bit for bit."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
from dataclasses import asdict
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pytest
from test_dataset_partial import _stop_after  # Ctrl-C/SIGTERM after the n-th result

import eegpt.dataset
from eegpt import dataset_pipeline
from eegpt.dataset import FILES_REPORT, embed_dataset, read_embeddings, read_shard_status
from eegpt.dataset_files import FilePart, LoadedFile, WindowInfo, file_result, load_file
from eegpt.dataset_folders import KEPT_WINDOWS, kept_windows_name, shard_files
from eegpt.dataset_inputs import InputFile
from eegpt.dataset_read import partial_name
from eegpt.dataset_report import describe_output
from eegpt.dataset_resume import is_ours
from eegpt.demo import synthetic_raw, write_edf
from eegpt.preprocessing import PreprocessingConfig

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

#: Windows per part of the long recording (a multiple of the batch size, as parts are).
PER_PART = 4


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """``a.edf`` (8 s), ``b.edf`` (2 min, read in parts, with annotations), ``c.edf`` (8 s)."""
    folder = tmp_path_factory.mktemp("kept")
    for name, seed in (("a", 1), ("c", 2)):
        raw, _ = synthetic_raw(minutes=8 / 60, seed=seed)
        write_edf(raw, folder / f"{name}.edf")
    raw, _ = synthetic_raw(minutes=2.0, seed=11)
    raw.set_annotations(mne.Annotations([10.0, 50.0], [3.0, 1.0], ["BAD_muscle", "stim"]))
    write_edf(raw, folder / "b.edf")
    return folder


def _kw(model, workers: int = 0) -> dict:
    return dict(
        model=model, device="cpu", progress=False, batch_size=4, shard_size=2, workers=workers
    )


@pytest.fixture
def in_parts(corpus, monkeypatch) -> None:
    size = load_file(0, str(corpus / "b.edf"), PreprocessingConfig()).data[0].nbytes
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", PER_PART * size + size // 2)


@pytest.fixture
def fresh(corpus, model, tmp_path_factory, in_parts) -> Path:
    """The folder of a run never stopped."""
    out = tmp_path_factory.mktemp("fresh") / "out"
    embed_dataset(corpus, out, **_kw(model))
    return out


def _embedded(monkeypatch) -> list[tuple[int, int]]:
    """``(file index, windows)`` the model runs on from now on (workers=0 or not: the model
    runs in this process)."""
    seen: list[tuple[int, int]] = []
    real = dataset_pipeline.encode_files

    def watched(engine, files, **kw):
        seen.extend((f.index, f.n_windows) for f in files if f.error is None)
        return real(engine, files, **kw)

    monkeypatch.setattr(dataset_pipeline, "encode_files", watched)
    return seen


def _kept(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if KEPT_WINDOWS.match(p.name))


def _stopped(
    inputs, out, model, monkeypatch, sig: int, n: int = 4, workers: int = 0, **extra
) -> None:
    """A run stopped after ``n`` results (``a.edf``, then parts of ``b.edf``: 3 by default)
    were handed to the writer; ``extra``: more arguments of :func:`embed_dataset`."""
    hand_on = dataset_pipeline.BackgroundSink.__call__
    _stop_after(monkeypatch, n, sig)
    with pytest.raises(KeyboardInterrupt if sig == signal.SIGINT else SystemExit):
        embed_dataset(inputs, out, **_kw(model, workers), **extra)
    monkeypatch.setattr(dataset_pipeline.BackgroundSink, "__call__", hand_on)


def _same_as(out: Path, fresh: Path) -> None:
    """The shards and the files report of ``out`` are those of ``fresh``, timings apart."""
    meta, emb = read_embeddings(out)
    meta_fresh, emb_fresh = read_embeddings(fresh)
    pd.testing.assert_frame_equal(meta, meta_fresh)
    assert emb.dtype == emb_fresh.dtype
    np.testing.assert_array_equal(emb, emb_fresh)
    files, files_fresh = (pd.read_csv(p / FILES_REPORT) for p in (out, fresh))
    timings = [c for c in files.columns if c.endswith("_s") and c != "duration_s"]
    timings += ["embedded_at", "run", "finished_at", "started_at"]
    pd.testing.assert_frame_equal(
        files.drop(columns=timings, errors="ignore"),
        files_fresh.drop(columns=timings, errors="ignore"),
    )


@pytest.mark.parametrize(
    ("sig", "workers"), [(signal.SIGINT, 0), (signal.SIGTERM, 0), (signal.SIGINT, 2)]
)
def test_a_stop_inside_a_recording_resumes_there_bit_for_bit(
    corpus, model, tmp_path, monkeypatch, fresh, sig, workers, caplog
):
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, sig, workers=workers)
    name = kept_windows_name("b.edf")
    assert _kept(out) == [f".{name}.eegpt-partial.json", f".{name}.eegpt-partial.rows"]
    assert all(is_ours(n) for n in _kept(out))  # the run's own, not foreign files
    assert not shard_files(out) and (out / partial_name(0)).is_file()
    assert "stopped part-way" in describe_output(out)  # eegpt info: no shard of them
    assert not list(out.glob("*.parquet")) and not list(out.glob("*.tmp"))
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        summary = embed_dataset(corpus, out, **_kw(model, workers))
    assert summary.complete
    assert "b.edf: resuming: 12 of " in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b - 3 * PER_PART  # only the rest
    assert [i for i, _ in embedded if i != 1] == [2]  # a.edf was kept, c.edf to do
    _same_as(out, fresh)
    assert not _kept(out) and not list(out.glob(".*.tmp"))


def test_kept_windows_of_a_changed_file_are_dropped_with_a_note(
    corpus, model, tmp_path, monkeypatch, fresh, caplog
):
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    path = corpus / "b.edf"
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched, same content
    try:
        embedded = _embedded(monkeypatch)
        with caplog.at_level("INFO", logger="eegpt"):
            embed_dataset(corpus, out, **_kw(model))
    finally:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert "b.edf: the windows kept by an interrupted run are of other settings" in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b  # embedded again from its start
    meta, emb = read_embeddings(out)
    meta_fresh, emb_fresh = read_embeddings(fresh)
    np.testing.assert_array_equal(emb, emb_fresh)
    assert not _kept(out)


@pytest.mark.parametrize("hash_inputs", [False, True])
def test_kept_windows_of_a_file_rewritten_with_its_size_and_time_are_dropped(
    corpus, model, tmp_path, monkeypatch, in_parts, caplog, hash_inputs
):
    """A recording rewritten in place with its size and modification time kept is told as
    ``eegpt embed``'s resume tells it: by its first and last MiB, or (``hash_inputs``) by its
    full SHA-256, which finds an edit between them too (here the first and last 4 KiB are
    fingerprinted); its kept windows are dropped, never mixed in."""
    from eegpt import dataset_stamps

    if hash_inputs:  # the edit lies between the bytes fingerprinted: the SHA-256 alone sees it
        monkeypatch.setattr(dataset_stamps, "_FINGERPRINT_BYTES", 4096)
    inputs = tmp_path / "corpus"
    shutil.copytree(corpus, inputs)
    out = tmp_path / "out"
    _stopped(inputs, out, model, monkeypatch, signal.SIGINT, hash_inputs=hash_inputs)
    assert _kept(out)
    path = inputs / "b.edf"
    stat = path.stat()
    data = bytearray(path.read_bytes())
    at = len(data) // 4  # about 30 s in: among the windows kept
    data[at : at + 2048] = bytes(b ^ 0x40 for b in data[at : at + 2048])
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # its size and time as before
    assert path.stat().st_size == stat.st_size
    fresh = tmp_path / "fresh"
    embed_dataset(inputs, fresh, **_kw(model), hash_inputs=hash_inputs)  # of the file as now
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(inputs, out, **_kw(model), hash_inputs=hash_inputs)
    assert "b.edf: the windows kept by an interrupted run are of other settings" in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b  # embedded again from its start
    np.testing.assert_array_equal(read_embeddings(out)[1], read_embeddings(fresh)[1])
    assert not _kept(out)


def test_kept_windows_of_an_earlier_eegpt_are_embedded_again_with_a_note_saying_why(
    corpus, model, tmp_path, monkeypatch, fresh, caplog
):
    """Windows kept before 2026-12-07 were of a recording told by its files' size and
    modification time alone (stamp version 5, no fingerprint): they cannot be checked against
    the files' contents, so they are embedded again, and the note says so, not that the
    settings or files differ."""
    from eegpt import dataset_stamps

    out = tmp_path / "out"
    real = dataset_pipeline.source_stamp
    # the stamp as eegpt stamped a recording's kept windows then
    monkeypatch.setattr(
        dataset_pipeline, "source_stamp", lambda file: real(file, fingerprints=False, version=5)
    )
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    monkeypatch.setattr(dataset_pipeline, "source_stamp", real)
    assert _kept(out) and dataset_stamps.STAMP_VERSION != 5
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(corpus, out, **_kw(model))
    assert (
        "b.edf: the windows an interrupted run of an earlier eegpt (before 2026-12-07) kept "
        "cannot be checked against the recording's files"
    ) in caplog.text
    assert "of other settings" not in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b  # embedded again from its start
    _same_as(out, fresh)
    assert not _kept(out)


def test_kept_windows_of_a_start_moved_onto_the_same_sample_are_taken(
    corpus, model, tmp_path, monkeypatch, in_parts, caplog
):
    """A manifest's start_seconds cell rewritten onto the same 256 Hz sample (3 -> 3.001)
    resumes the run and cuts the same windows: the recording's kept windows are taken, their
    fingerprint naming where the windows start, not the cell as given; a cell on another
    sample (3.01) names other windows."""
    manifest = tmp_path / "nights.csv"

    def listed(start: str) -> str:
        return "path,start_seconds\n" + "".join(f"{corpus / n}.edf,{start}\n" for n in "abc")

    manifest.write_text(listed("3"))
    out = tmp_path / "out"
    _stopped(manifest, out, model, monkeypatch, signal.SIGINT)
    assert _kept(out)
    manifest.write_text(listed("3.001"))
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        summary = embed_dataset(manifest, out, **_kw(model))
    assert summary.complete
    assert "of other settings" not in caplog.text
    assert f"{corpus / 'b.edf'}: resuming: {3 * PER_PART} of " in caplog.text
    n_b = int(pd.read_csv(out / FILES_REPORT).set_index("path").n_windows[str(corpus / "b.edf")])
    assert sum(n for i, n in embedded if i == 1) == n_b - 3 * PER_PART  # only the rest
    meta, _ = read_embeddings(out)
    assert meta.groupby("path").onset_s.min().tolist() == [3.0] * 3
    settings = {"spec": {"preprocessing": {"sfreq": 256.0}}}
    record = [
        dataset_pipeline._where_windows_start(f, settings)["start_seconds"]
        for f in (InputFile(1, "b.edf", "b.edf", start_seconds=s) for s in (3.0, 3.001, 3.01))
    ]
    assert record[0] == record[1] == 3.0 and record[2] == 771 / 256


def test_hash_inputs_reads_each_file_of_a_recording_in_parts_once(
    corpus, model, tmp_path, monkeypatch, in_parts
):
    """``--hash-inputs`` hashed a recording read in parts twice, every byte each time: for its
    kept windows and for its status; the second takes the first's hash (the file unchanged)."""
    from eegpt import dataset_stamps

    inputs = tmp_path / "corpus"  # files no earlier test hashed
    shutil.copytree(corpus, inputs)
    hashed: list[str] = []
    real = dataset_stamps.file_sha256

    def counted(path):
        hashed.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(dataset_stamps, "file_sha256", counted)
    out = tmp_path / "out"
    embed_dataset(inputs, out, **_kw(model), hash_inputs=True)
    assert sorted(hashed) == ["a.edf", "b.edf", "c.edf"]  # b.edf (in parts) once too
    statuses = [f for p in shard_files(out) for f in read_shard_status(p)[1]["files"]]
    assert len(statuses) == 3
    for status in statuses:  # each the hash of its file
        name = status["recording_id"]
        digest = hashlib.sha256((inputs / name).read_bytes()).hexdigest()
        assert status["source_file_sha256"] == {name: digest}


def test_kept_windows_of_other_settings_are_not_taken(
    corpus, model, tmp_path, monkeypatch, fresh, caplog
):
    """A resume with another batch size (which a resume may change; the last bits change with
    it) does not take the windows kept with the first: removed, the recording embedded from
    its start."""
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        summary = embed_dataset(corpus, out, **{**_kw(model), "batch_size": 8})
    assert summary.complete
    assert "b.edf: the windows kept by an interrupted run are of other settings" in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b
    assert not _kept(out)


def test_kept_windows_of_an_engine_with_other_kernels_are_not_taken(
    corpus, model, tmp_path, monkeypatch, fresh, caplog
):
    """eegpt's attention kernel (taken by "auto" on CUDA with a reduced precision where Triton
    works: a resume on a node where it does not is run without it) changes the numbers, but
    the run's spec does not name it: the windows kept with it were taken by a resume without
    it. Set by hand here (it runs on CUDA only), for the kept windows' judging alone."""
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    made: list = []
    real_make, real_kept = eegpt.dataset.make_engines, dataset_pipeline.KeptWindows.__init__

    def make_engines(*args, **kwargs):
        made.extend(real_make(*args, **kwargs))
        for engine in made:
            engine.use_short_attention = True  # as "auto" takes it on a GPU
        return made

    def kept_windows(self, *args, **kwargs):
        real_kept(self, *args, **kwargs)
        for engine in made:  # judged: the CPU runs its own attention
            engine.use_short_attention = False

    monkeypatch.setattr(eegpt.dataset, "make_engines", make_engines)
    monkeypatch.setattr(dataset_pipeline.KeptWindows, "__init__", kept_windows)
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        summary = embed_dataset(corpus, out, **_kw(model))
    assert summary.complete and made
    assert "b.edf: the windows kept by an interrupted run are of other settings" in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b  # embedded from its start
    assert not _kept(out)


def test_kept_windows_of_a_cpu_run_before_its_instruction_set_was_recorded_are_taken(
    corpus, model, tmp_path, monkeypatch, fresh, caplog
):
    """A CPU run's kept windows were fingerprinted without the CPU's instruction set by eegpt
    before 2026-12-07 (its settings had no ``engine``), which every CPU run now records: on
    the same machine, the resume embedded the recording again from its start. They are
    taken, with a note that they cannot be checked against the instruction set."""
    out = tmp_path / "out"
    real = eegpt.dataset.engine_numerics
    with monkeypatch.context() as earlier:  # that eegpt: no engine_cpu
        earlier.setattr(
            eegpt.dataset,
            "engine_numerics",
            lambda engines: {k: v for k, v in real(engines).items() if k != "engine_cpu"},
        )
        _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        summary = embed_dataset(corpus, out, **_kw(model))
    assert summary.complete
    assert "does not record all this one checks (the CPU's instruction set" in caplog.text
    assert "b.edf: resuming: 12 of " in caplog.text
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b - 3 * PER_PART  # only the rest
    _same_as(out, fresh)


def test_kept_windows_of_a_cpu_run_before_today_with_a_start_off_the_grid_are_taken(
    corpus, model, tmp_path, monkeypatch, caplog, in_parts
):
    """eegpt before 2026-12-07 fingerprinted a CPU run's kept windows without the CPU's
    instruction set and with a manifest's start_seconds cell as given (3.001), not where the
    windows start (3.0, the same windows): both are this eegpt's now, and a resume on the
    same machine embedded the recording again. Such windows are taken."""
    manifest = tmp_path / "nights.csv"
    manifest.write_text(
        "path,start_seconds\n" + "".join(f"{corpus / n}.edf,3.001\n" for n in "abc")
    )
    out = tmp_path / "out"
    real = eegpt.dataset.engine_numerics
    with monkeypatch.context() as earlier:  # that eegpt: no engine_cpu, the cell as given
        earlier.setattr(
            eegpt.dataset,
            "engine_numerics",
            lambda engines: {k: v for k, v in real(engines).items() if k != "engine_cpu"},
        )
        earlier.setattr(dataset_pipeline, "_where_windows_start", lambda file, _: asdict(file))
        _stopped(manifest, out, model, monkeypatch, signal.SIGINT)
    embedded = _embedded(monkeypatch)
    with caplog.at_level("INFO", logger="eegpt"):
        assert embed_dataset(manifest, out, **_kw(model)).complete
    assert "of other settings" not in caplog.text
    assert f"{corpus / 'b.edf'}: resuming: {3 * PER_PART} of " in caplog.text
    n_b = int(pd.read_csv(out / FILES_REPORT).set_index("path").n_windows[str(corpus / "b.edf")])
    assert sum(n for i, n in embedded if i == 1) == n_b - 3 * PER_PART  # only the rest


def test_the_gpus_models_are_in_the_kept_windows_settings(model, monkeypatch):
    """The run's settings name its devices alone (``cuda:0``): windows kept on one GPU model
    were taken by a resume on another, whose kernels give other last digits. The engines'
    GPU models are in the kept windows' settings (each name once, all of them where the
    GPUs differ); CPU engines name the CPU's instruction set (AVX2, AVX512: the kernels
    differ in the last digits between them, and the settings name ``cpu`` alone)."""
    import torch

    names = {0: "NVIDIA H100 80GB HBM3", 1: "NVIDIA A100-SXM4-80GB"}
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: names[device.index])
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "AVX2")
    engines = eegpt.dataset.make_engines(model, [torch.device("cpu")] * 2)
    assert eegpt.dataset.engine_numerics(engines) == {"engine_cpu": "AVX2"}
    for i, engine in enumerate(engines):  # built on the CPU, then named GPUs
        engine.device = torch.device("cuda", i)
    assert eegpt.dataset.engine_numerics(engines) == {
        "engine_gpu": ["NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3"]
    }
    names[1] = names[0]
    assert eegpt.dataset.engine_numerics(engines) == {"engine_gpu": "NVIDIA H100 80GB HBM3"}


def test_a_stop_inside_the_first_recording_keeps_its_windows(
    corpus, model, tmp_path, monkeypatch, in_parts
):
    """Stopped before any file is finished (no shard, no partial shard: a start otherwise
    undone), the run's folder keeps the windows embedded so far, and the resume takes them."""
    files = [corpus / "b.edf", corpus / "c.edf"]
    fresh = tmp_path / "fresh"
    embed_dataset(files, fresh, **_kw(model))
    out = tmp_path / "out"
    _stopped(files, out, model, monkeypatch, signal.SIGINT, n=2)
    assert len(_kept(out)) == 2 and not shard_files(out)
    embedded = _embedded(monkeypatch)
    embed_dataset(files, out, **_kw(model))
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 0) == n_b - 2 * PER_PART
    _same_as(out, fresh)
    assert not _kept(out)


def test_kept_windows_of_a_recording_no_longer_in_the_run_are_removed_at_its_end(
    corpus, model, tmp_path, monkeypatch, in_parts
):
    out = tmp_path / "out"
    embed_dataset(corpus, out, **_kw(model))
    stale = out / f".{kept_windows_name('gone.edf')}.eegpt-partial.rows"
    stale.write_bytes(b"x" * 200)
    assert stale.name not in [p.name for p in shard_files(out)]
    embed_dataset(corpus, out, **_kw(model))  # a rerun: nothing to embed
    assert not stale.exists()


def test_a_run_killed_inside_a_recording_resumes_from_the_rows_recorded_as_it_went(
    corpus, model, tmp_path, monkeypatch, fresh
):
    """No clean-up at the stop (as after ``kill -9``): the rows recorded every
    ``COMMIT_EVERY_S`` (here at every part) are taken all the same."""
    from eegpt import _partial_embeddings

    monkeypatch.setattr(_partial_embeddings, "COMMIT_EVERY_S", 0.0)

    def closed_unrecorded(self, *, stopped):  # the files closed, as a killed process's are
        for rows in self._open.values():
            rows.close()

    monkeypatch.setattr(dataset_pipeline.KeptWindows, "close", closed_unrecorded)
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    monkeypatch.undo()
    size = load_file(0, str(corpus / "b.edf"), PreprocessingConfig()).data[0].nbytes
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", PER_PART * size + size // 2)
    embedded = _embedded(monkeypatch)
    embed_dataset(corpus, out, **_kw(model))
    n_b = int(pd.read_csv(fresh / FILES_REPORT).set_index("recording_id").n_windows["b.edf"])
    assert sum(n for i, n in embedded if i == 1) == n_b - 3 * PER_PART
    _same_as(out, fresh)
    assert not _kept(out)


def test_file_result_carries_a_part_and_its_embeddings():
    """``file_result`` (public: the kept windows' results are built with it) keeps the
    embeddings, onsets and part of a read part; a part's failure is prefixed with the part and
    holds no windows."""
    part = FilePart(4, 8, 20, (np.zeros(0), np.zeros(0)))
    onsets = np.arange(4, 8, dtype=np.float64) * 4.0
    loaded = LoadedFile(
        0, np.zeros((4, 2, 256), np.float32), onsets, {"chan_ids": [1, 2]}, 80.0,
        windows=WindowInfo(), part=part,
    )  # fmt: skip
    z = np.ones((4, 8), np.float32)
    done = file_result(loaded, z, None, batch_size=4)
    assert done.embeddings is z and done.part is part and done.batch_size == 4
    np.testing.assert_array_equal(done.onsets, onsets)
    failed = file_result(loaded, None, "inference failed: boom")
    assert failed.error == f"{part}: inference failed: boom"
    assert failed.embeddings.shape == (0, 0) and failed.n_windows == 0


def test_info_names_a_recording_s_kept_windows(corpus, model, tmp_path, monkeypatch, in_parts):
    """A run stopped inside a long recording: eegpt info names the recording whose windows
    embedded so far are kept, and how many of its windows."""
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)
    said = describe_output(out)
    kept = [line for line in said.splitlines() if "b.edf" in line]
    assert kept, said
    assert any(
        re.fullmatch(
            r"  b\.edf stopped part-way: 12 of \d+ windows kept for the resume \(read in parts; "
            r"no shard holds them yet\)",
            line,
        )
        for line in kept
    ), kept


def test_a_resumed_run_says_at_its_start_what_it_resumes(
    corpus, model, tmp_path, monkeypatch, in_parts, caplog, capsys
):
    """A resumed run said it resumed only with -v ('N shard(s) already done') or in its
    closing summary ('(1 already done)'): its log's first lines read as a fresh run's. It now
    says so as it starts, with the recordings done, those kept of a shard left part-way and
    the recording whose windows embedded so far are kept; on stderr (the bar's switch) where
    logging would not show it, and at INFO where it does."""
    out = tmp_path / "out"
    _stopped(corpus, out, model, monkeypatch, signal.SIGINT)  # a.edf done, b.edf part-way
    stopped = tmp_path / "stopped"
    shutil.copytree(out, stopped)
    with caplog.at_level("INFO", logger="eegpt"):
        embed_dataset(corpus, out, **_kw(model))
    said = (
        f"embed_dataset: resuming {out}: 0 of 3 recordings already done; 1 more finished by "
        "the stopped run in a shard it left part-way, kept; the windows embedded before the "
        "stop of 1 recording read in parts (b.edf) kept, to go on from; 2 to embed"
    )
    assert said in caplog.text
    capsys.readouterr()
    embed_dataset(corpus, stopped, **{**_kw(model), "progress": True})
    first = capsys.readouterr().err.splitlines()[0]  # before the bar
    assert first == "embed-dataset: " + said.split(": ", 1)[1].replace(str(out), str(stopped))


def test_the_resume_line_lists_the_run_folder_once_not_a_look_per_file(tmp_path, monkeypatch):
    """The line a resumed run starts with looked for each file to embed whether windows of
    it were kept (a hash and a stat each: on a network disk, a first run of 10^5 files spent
    that long before its first file, saying nothing). The folder is listed once, and a
    file's name hashed only where windows are kept."""
    from eegpt import dataset_resume

    todo = [
        InputFile(i, f"sub-{i:05d}.edf", str(tmp_path / f"sub-{i:05d}.edf")) for i in range(500)
    ]
    hashed = []

    def counted(recording_id):
        hashed.append(recording_id)
        return kept_windows_name(recording_id)

    monkeypatch.setattr(dataset_resume, "kept_windows_name", counted)
    out = tmp_path / "out"
    out.mkdir()
    assert dataset_resume.resume_text(out, 500, {}, {}, {}, todo) == ""  # a first run
    assert hashed == []
    (out / f".{kept_windows_name('sub-00007.edf')}.eegpt-partial.json").write_text("{}")
    said = dataset_resume.resume_text(out, 500, {}, {}, {}, todo)
    assert "of 1 recording read in parts (sub-00007.edf) kept" in said and said.endswith(
        "; 500 to embed"
    )
