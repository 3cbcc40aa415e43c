"""The Ray Data engine, run for real on a small local Ray instance (2 CPUs).

Its output must be identical to the in-process engine's: same shard files, same rows, same
embeddings (bit for bit on the CPU), same per-file statuses; and each engine must resume the
other's unfinished output.
"""

from __future__ import annotations

import json

import mne
import pyarrow.parquet as pq
import pytest
import torch
from test_annotations import annotated_raw
from test_dataset import _window_bytes, make_corpus, make_long_corpus

import eegpt.dataset
import eegpt.dataset_ray
from eegpt.checkpoints import load_model, save_checkpoint
from eegpt.config import EEGPTConfig
from eegpt.dataset import embed_dataset, load_file, read_shard_status
from eegpt.dataset_ray import ray_devices
from eegpt.errors import DeviceUnavailableError
from eegpt.model import EEGPT
from eegpt.preprocessing import PreprocessingConfig

ray = pytest.importorskip("ray", reason="the Ray engine needs ray[data]")
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Ray's own, internal

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    torch.manual_seed(11)
    path = tmp_path_factory.mktemp("weights") / "small"
    save_checkpoint(EEGPT(SMALL), path)
    return load_model(path)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(folder, 7, corrupt=4)
    return folder


@pytest.fixture(scope="module")
def long_corpus(corpus, tmp_path_factory):
    return make_long_corpus(corpus, tmp_path_factory.mktemp("long"))


def _shards(folder):
    return sorted(p.name for p in folder.glob("shard-*.parquet"))


def test_ray_output_is_identical_to_inprocess_and_resumes_it(
    local_ray, corpus, model, tmp_path, monkeypatch
):
    settings = dict(model=model, shard_size=2, batch_size=5, progress=False)
    reference = tmp_path / "inprocess"
    ref = embed_dataset(corpus, reference, workers=0, **settings)
    out = tmp_path / "ray"
    got = embed_dataset(corpus, out, backend="ray", files_per_batch=3, **settings)
    assert got.devices[0].startswith("ray: 1 x CPU")
    assert (
        (got.n_ok, got.n_failed, got.windows)
        == (ref.n_ok, ref.n_failed, ref.windows)
        == (
            6,
            1,
            ref.windows,
        )
    )
    assert got.errors == ref.errors and "EDF" in got.errors[0]["error"]
    assert _shards(out) == _shards(reference) == [f"shard-{k:05d}.parquet" for k in range(4)]
    for name in _shards(out):
        a, b = pq.read_table(reference / name), pq.read_table(out / name)
        assert a.equals(b), name  # rows and embeddings, bit for bit
        (spec_a, status_a), (spec_b, status_b) = map(
            read_shard_status, (reference / name, out / name)
        )
        assert spec_a == spec_b
        for f_a, f_b in zip(status_a.pop("files"), status_b.pop("files"), strict=True):
            assert f_a.pop("read_s") >= 0 and f_b.pop("read_s") >= 0  # timings of each run
            assert f_a == f_b
        run_a, run_b = status_a.pop("run"), status_b.pop("run")  # the run that wrote each
        assert (
            run_a.keys()
            == run_b.keys()
            == {"started", "eegpt_version", "eegpt_changes", "torch_version", "software"}
        )
        assert status_a == status_b
    assert pq.read_table(reference).equals(pq.read_table(out))

    # Ray resumes what the in-process engine left unfinished (and rewrites nothing else)
    (reference / "shard-00002.parquet").unlink()
    kept = {n: (reference / n).stat().st_mtime_ns for n in _shards(reference)}
    resumed = embed_dataset(corpus, reference, backend="ray", **settings)
    assert (resumed.shards_written, resumed.shards_skipped) == (1, 3)
    assert all((reference / n).stat().st_mtime_ns == t for n, t in kept.items())
    assert pq.read_table(reference).equals(pq.read_table(out))

    # a finished output has nothing to do: no cluster is connected to say so
    def no_ray(*args, **kwargs):
        raise AssertionError("connected to Ray for a finished output")

    monkeypatch.setattr(eegpt.dataset_ray, "ray_session", no_ray)
    again = embed_dataset(corpus, reference, backend="ray", **settings)
    assert (again.shards_written, again.shards_skipped) == (0, 4) and again.n_ok == 6
    with pytest.raises(AssertionError, match="connected to Ray"):  # unless there is work
        embed_dataset(corpus, reference, backend="ray", retry_failed=True, **settings)


@pytest.mark.filterwarnings("ignore:3 channel.s. do not match:RuntimeWarning")
def test_ray_carries_the_windows_left_out_by_annotation(local_ray, model, tmp_path):
    """Window indices with gaps, per-window annotations and epochs' metadata rows travel
    through Ray's stages."""
    pd = pytest.importorskip("pandas")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = annotated_raw()
    raw.save(corpus / "a_raw.fif", verbose=False)
    events = mne.make_fixed_length_events(raw, duration=4.0)
    metadata = pd.DataFrame({"trial": range(len(events))})
    mne.Epochs(raw, events, tmin=0.0, tmax=4.0 - 1 / 250, baseline=None, metadata=metadata,
               reject_by_annotation=False, verbose=False).save(corpus / "b-epo.fif")  # fmt: skip
    settings = dict(model=model, reject_by_annotation=True, progress=False)
    embed_dataset(corpus, tmp_path / "inprocess", workers=0, **settings)
    embed_dataset(corpus, tmp_path / "ray", backend="ray", **settings)
    a, b = pq.read_table(tmp_path / "inprocess"), pq.read_table(tmp_path / "ray")
    kept = [0, 1, 4, 5, 7, 8, 9, 11, 12, 13, 14]
    assert a.equals(b) and a.column("window").to_pylist() == kept * 2
    assert a.column("annotations").to_pylist()[0] == ["eyes closed"]
    rows = a.column("epochs_metadata").to_pylist()
    assert rows[:11] == [None] * 11 and [json.loads(r)["trial"] for r in rows[11:]] == kept


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_ray_reads_a_long_recording_in_parts_as_inprocess_does(
    local_ray, long_corpus, model, tmp_path, monkeypatch
):
    """A recording longer than PART_BYTES of windows goes through Ray's stages as parts (a
    reader holds one, not the night), and the shards get the rows of one whole read."""
    import eegpt.dataset as ds

    settings = dict(model=model, progress=False, batch_size=4, shard_size=2,
                    reject_by_annotation=True)  # fmt: skip
    whole = embed_dataset(long_corpus, tmp_path / "whole", workers=0, **settings)
    size = _window_bytes(long_corpus / "b.edf")
    monkeypatch.setattr(ds, "PART_BYTES", 4 * size)
    seen = []  # the parts as the driver receives them
    join = ds.ShardWriter._join

    def joined(self, result, file):
        seen.append((result.index, None if result.part is None else str(result.part)))
        return join(self, result, file)

    monkeypatch.setattr(ds.ShardWriter, "_join", joined)
    parts = embed_dataset(long_corpus, tmp_path / "ray", backend="ray", **settings)
    assert parts.complete and whole.complete and parts.windows == whole.windows
    assert pq.read_table(tmp_path / "whole").equals(pq.read_table(tmp_path / "ray"))
    of_long = [part for index, part in seen if index == 1]
    n_windows = load_file(1, str(long_corpus / "b.edf"), PreprocessingConfig()).n_windows
    assert of_long == [
        f"windows {k}-{min(k + 4, n_windows) - 1} of {n_windows}" for k in range(0, n_windows, 4)
    ]


def test_ray_mean_pooling_matches_inprocess(local_ray, corpus, model, tmp_path):
    settings = dict(model=model, shard_size=4, pooling="mean", progress=False)
    a = tmp_path / "a"
    b = tmp_path / "b"
    embed_dataset(corpus / "b", a, workers=0, **settings)
    embed_dataset(corpus / "b", b, backend="ray", device="cpu", replicas=1, **settings)
    assert pq.read_table(a).equals(pq.read_table(b))


def test_a_ray_row_keeps_bads_labels_whole():
    """The bads a Ray row carries to the reading actor come back as given, also labels holding
    ',' or ';' (as a ``;``-separated cell gives them), after the row's trip through Arrow."""
    import pyarrow as pa

    from eegpt.dataset_inputs import InputFile, bads_of_cell
    from eegpt.dataset_ray import _ray_item

    files = [
        InputFile(0, "a", "/a.edf", 1.0, None, bads_of_cell("Fp1,x;")),
        InputFile(1, "b", "/b.edf", 1.0, None, ("Cz", "O1;2")),
        InputFile(2, "c", "/c.edf", 1.0, None, ()),
    ]
    rows = pa.Table.from_pylist([_ray_item(f) for f in files]).to_pylist()
    assert [bads_of_cell(row["bads"]) for row in rows] == [("Fp1,x",), ("Cz", "O1;2"), ()]


def test_a_ray_row_keeps_a_files_own_start():
    """A file's own start (the manifest's start_seconds) reaches the reading actor after the
    row's trip through Arrow; a file without one takes the run's --start (None)."""
    import pyarrow as pa

    from eegpt.dataset_inputs import InputFile
    from eegpt.dataset_ray import _ray_item, _start_of_cell

    files = [
        InputFile(0, "a", "/a.edf", start_seconds=17.0),
        InputFile(1, "b", "/b.edf"),
        InputFile(2, "c", "/c.edf", start_seconds=0.0),
    ]
    rows = pa.Table.from_pylist([_ray_item(f) for f in files]).to_pylist()
    assert [_start_of_cell(row["start_seconds"]) for row in rows] == [17.0, None, 0.0]


def test_ray_devices():
    assert ray_devices(None, 0, None) == (False, 1)
    assert ray_devices("auto", 4, None) == (True, 4)
    assert ray_devices("cuda", 4, 2) == (True, 2)
    assert ray_devices("cpu", 4, 3) == (False, 3)
    with pytest.raises(RuntimeError, match="no GPU"):
        ray_devices("cuda", 0, None)
    with pytest.raises(ValueError, match="assigns one GPU per actor"):
        ray_devices("cuda:1", 2, None)
    with pytest.raises(ValueError, match="replicas"):
        ray_devices("cpu", 0, 0)


def test_a_device_the_cluster_lacks_fails_before_the_output_is_touched(
    local_ray, corpus, model, tmp_path
):
    """device='cuda' on a cluster without GPUs, or a device index, is an error before the output
    folder is made, and before --overwrite would delete the previous output."""
    out = tmp_path / "out"
    with pytest.raises(DeviceUnavailableError, match="no GPU"):
        embed_dataset(corpus, out, model=model, backend="ray", device="cuda", progress=False)
    assert not out.exists()
    done = tmp_path / "done"
    embed_dataset(corpus, done, model=model, workers=0, shard_size=4, progress=False)
    shards = _shards(done)
    for device, error in (("cuda", DeviceUnavailableError), ("cuda:0", ValueError)):
        with pytest.raises(error):
            embed_dataset(corpus, done, model=model, backend="ray", device=device,
                          shard_size=4, overwrite=True, progress=False)  # fmt: skip
        assert _shards(done) == shards


def test_sigterm_stops_a_ray_run_through_eegpt_not_rays_own_handler(model, tmp_path):
    """`ray.init` installs a SIGTERM handler that dumps a stack and exits with status 15 at
    once; a Ray run started by the command line keeps eegpt's: one line, clean-up, 143."""
    import os
    import signal
    import subprocess
    import sys
    import time

    corpus, out = tmp_path / "corpus", tmp_path / "out"
    make_corpus(corpus, 12, minutes=2.0)
    weights = tmp_path / "small"
    save_checkpoint(model, weights)
    cmd = [sys.executable, "-m", "eegpt.dataset_cli", str(corpus), "-o", str(out), "--weights",
           str(weights), "--shard-size", "2", "--engine", "ray", "-q"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        while not (out / "shard-00000.parquet").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no shard written: {proc.communicate(timeout=60)[1].decode()}")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = err.decode()
    assert proc.returncode == 143, err
    assert "interrupted; run the same command again to resume (SIGTERM)" in err, err
    assert "SIGTERM received" not in err and "Traceback" not in err, err
    assert not list(out.glob(".*.tmp")), "a temporary file was left behind"


def test_a_shard_removed_after_the_finished_check_is_embedded_with_a_cluster(
    local_ray, corpus, model, tmp_path, monkeypatch
):
    """A finished run connects to no cluster (the check comes before the folder's lock); a
    shard removed between that check and the lock is embedded again all the same: the run
    connects then (it called run_ray without a plan, an AttributeError)."""
    out = tmp_path / "out"
    settings = dict(model=model, shard_size=4, progress=False)
    embed_dataset(corpus, out, workers=0, **settings)
    shards = _shards(out)
    finished = eegpt.dataset.finished_already

    def finished_then_removed(*args, **kwargs):
        found = finished(*args, **kwargs)
        if found:
            (out / shards[0]).unlink()
        return found

    monkeypatch.setattr(eegpt.dataset, "finished_already", finished_then_removed)
    got = embed_dataset(corpus, out, backend="ray", **settings)
    assert got.devices[0].startswith("ray: 1 x CPU")
    assert _shards(out) == shards
