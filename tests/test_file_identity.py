"""Single-file outputs record which exact file(s) they were embedded from
(``metadata["source_files"]``): names, SHA-256, size and modification time."""

from __future__ import annotations

import hashlib
import json
import os

import mne
import numpy as np
import pytest

from eegpt.cli import main
from eegpt.demo import synthetic_raw, write_edf
from eegpt.outputs import Embeddings, load_embeddings


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def edf(tmp_path_factory):
    raw, _ = synthetic_raw(minutes=0.25, seed=5)
    return write_edf(raw, tmp_path_factory.mktemp("rec") / "night.edf")


def _brainvision(folder):
    """A BrainVision recording written by hand: header ``rec.vhdr`` whose data and marker files
    have other names (``DataFile=samples.eeg``, ``MarkerFile=marks.vmrk``), and a stray
    ``rec.eeg`` of the header's name that is not read."""
    sfreq, names = 256, ["Fp1", "Cz", "O1"]
    data = np.random.default_rng(2).normal(0, 20, (12 * sfreq, len(names)))  # uV, multiplexed
    data.astype("<f4").tofile(folder / "samples.eeg")
    (folder / "rec.eeg").write_bytes(b"not read")
    channels = "".join(f"Ch{k}={name},,1,\N{MICRO SIGN}V\n" for k, name in enumerate(names, 1))
    (folder / "rec.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\nCodepage=UTF-8\n"
        "DataFile=samples.eeg\nMarkerFile=marks.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels={len(names)}\n"
        f"SamplingInterval={1e6 / sfreq}\n\n[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n\n"
        f"[Channel Infos]\n{channels}",
        encoding="utf-8",
    )
    (folder / "marks.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        "Codepage=UTF-8\nDataFile=samples.eeg\n\n[Marker Infos]\nMk1=New Segment,,1,1,0\n",
        encoding="utf-8",
    )
    return folder / "rec.vhdr"


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_eegpt_embed_records_the_input_files_identity(weights, edf, tmp_path, suffix, capsys):
    """An auditor could not tell which exact file made a single-file output: only its path was
    recorded. Now its name, size, modification time and the fingerprint a corpus run takes
    are (same key names), and ``eegpt info`` shows them."""
    out = tmp_path / f"emb{suffix}"
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    assert main([*args, "-q"]) == 0
    record = load_embeddings(out).metadata["source_files"]
    stat = os.stat(edf)
    assert record["files"] == ["night.edf"]
    assert "sha256" not in record  # not asked for: no file read whole once more
    assert record["source_bytes"] == stat.st_size
    assert record["source_mtime_ns"] == stat.st_mtime_ns
    from eegpt.dataset import _fingerprint

    assert record["source_fingerprint"] == _fingerprint([str(edf)])  # a corpus run's
    assert "source_sha256" not in record  # no SHA-256 of the file: not named as one
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "input file" in line]
    assert lines == [f"  input file: night.edf, {stat.st_size} bytes"]


def test_hash_inputs_records_each_files_full_sha256(weights, edf, tmp_path, capsys):
    """A full SHA-256 of every file read before any window was embedded (seconds for a large
    file on network storage, read twice) was the default of every path given to embed; it is
    asked for now (``--hash-inputs``, ``hash_inputs=True``), and ``eegpt info`` shows it."""
    out = tmp_path / "emb.npz"
    args = ["embed", str(edf), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    assert main([*args, "-q", "--hash-inputs"]) == 0
    record = load_embeddings(out).metadata["source_files"]
    assert record["files"] == ["night.edf"]
    assert record["sha256"] == {"night.edf": _sha256(edf)}
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "input file" in line]
    size = os.stat(edf).st_size
    assert lines == [f"  input file: night.edf (sha256 {_sha256(edf)[:12]}...), {size} bytes"]


def test_embed_reads_no_file_whole_to_hash_it_unless_asked(weights, edf, monkeypatch):
    """``embed(path)`` in a loop paid a full SHA-256 of each file: not taken by default, taken
    with ``hash_inputs=True``."""
    from eegpt import _file_identity
    from eegpt.checkpoints import load_model

    hashed: list[str] = []
    real = _file_identity.file_sha256
    monkeypatch.setattr(
        _file_identity, "file_sha256", lambda p: hashed.append(os.fspath(p)) or real(p)
    )
    model = load_model(weights)
    emb = model.embed(edf, device="cpu", verbose="error")
    assert hashed == [] and "sha256" not in emb.metadata["source_files"]
    emb = model.embed(edf, device="cpu", verbose="error", hash_inputs=True)
    assert hashed == [os.fspath(edf)]
    assert emb.metadata["source_files"]["sha256"] == {"night.edf": _sha256(edf)}


def test_info_reads_the_record_of_earlier_versions():
    """Outputs written before ``hash_inputs`` mapped each name to its SHA-256 under ``files``."""
    from eegpt._file_identity import source_files_text

    old = {"files": {"a.edf": "ab" * 32}, "source_bytes": 3}
    assert source_files_text(old) == f"  input file: a.edf (sha256 {'ab' * 6}...), 3 bytes"


def test_a_brainvision_recording_records_the_data_and_marker_files_it_names(weights, tmp_path):
    """The header's ``DataFile=`` and ``MarkerFile=`` name the files read with it: they are
    hashed with it, not files of the header's name beside it."""
    from eegpt.checkpoints import load_model

    vhdr = _brainvision(tmp_path)
    emb = load_model(weights).embed(vhdr, device="cpu", verbose="error", hash_inputs=True)
    files = emb.metadata["source_files"]["sha256"]
    assert emb.metadata["source_files"]["files"] == list(files)
    assert files == {
        name: _sha256(tmp_path / name) for name in ("rec.vhdr", "samples.eeg", "marks.vmrk")
    }
    sizes = sum((tmp_path / n).stat().st_size for n in files)
    assert emb.metadata["source_files"]["source_bytes"] == sizes


def test_in_memory_inputs_record_no_input_files(weights, edf):
    """A Raw (even one read from a file: it may have been changed since) and an array record
    none."""
    from eegpt.checkpoints import load_model

    model = load_model(weights)
    raw = mne.io.read_raw_edf(edf, preload=True, verbose=False)
    assert "source_files" not in model.embed(raw, device="cpu", verbose="error").metadata
    data = raw.get_data()
    array = model.embed(data, ch_names=raw.ch_names, sfreq=raw.info["sfreq"], device="cpu",
                        verbose="error")  # fmt: skip
    assert "source_files" not in array.metadata


def test_outputs_without_the_record_still_read(weights, edf, tmp_path, capsys):
    """Outputs written before the record (or of in-memory inputs) read, concatenate and show
    in ``eegpt info`` as before, without an input-file line."""
    out = tmp_path / "emb.npz"
    assert main(["embed", str(edf), "--weights", str(weights), "-o", str(out), "-q",
                 "--device", "cpu"]) == 0  # fmt: skip
    with np.load(out) as f:
        data, onsets, meta = f["embeddings"], f["onsets"], json.loads(str(f["metadata"][()]))
    del meta["source_files"]
    old = tmp_path / "old.npz"
    np.savez(old, embeddings=data, onsets=onsets, metadata=np.array(json.dumps(meta)))
    emb = load_embeddings(old)
    assert "source_files" not in emb.metadata
    joined = Embeddings.concatenate([emb[:2], emb[2:]])
    np.testing.assert_array_equal(joined.data, emb.data)
    capsys.readouterr()
    assert main(["info", str(old)]) == 0
    assert "input file" not in capsys.readouterr().out


def test_recording_files_of_each_layout(tmp_path):
    """EEGLAB's .set goes with the .fdt of its name; a recording folder (EGI .mff) is every file
    in it, named relative to the folder it lies in; a file alone is itself."""
    from eegpt._file_identity import recording_files, source_files_record

    (tmp_path / "a.set").write_bytes(b"set")
    (tmp_path / "a.fdt").write_bytes(b"fdt")
    assert recording_files(tmp_path / "a.set") == [tmp_path / "a.set", tmp_path / "a.fdt"]
    mff = tmp_path / "b.mff"
    (mff / "sub").mkdir(parents=True)
    (mff / "signal1.bin").write_bytes(b"1")
    (mff / "sub" / "info.xml").write_bytes(b"2")
    record = source_files_record(mff, full_hashes=True)
    assert record is not None
    assert record["files"] == ["b.mff/signal1.bin", "b.mff/sub/info.xml"]
    assert record["sha256"] == {
        "b.mff/signal1.bin": hashlib.sha256(b"1").hexdigest(),
        "b.mff/sub/info.xml": hashlib.sha256(b"2").hexdigest(),
    }
    assert record["source_bytes"] == 2
    assert recording_files(tmp_path / "c.edf") == [tmp_path / "c.edf"]
    assert source_files_record(tmp_path / "c.edf") is None  # not there: nothing recorded


def _split_fif(path, naming="neuromag"):
    """A FIF recording MNE splits into 4 parts of about 1 MB (``split_size``)."""
    info = mne.create_info(["Fp1", "Cz", "O1"], 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 1e-5, (3, 256 * 1200))
    raw = mne.io.RawArray(data, info, verbose=False)
    raw.save(path, split_size="2MB", buffer_size_sec=1.0, split_naming=naming, verbose=False)


@pytest.mark.parametrize(
    ("name", "naming", "parts"),
    [
        ("s_raw.fif", "neuromag", ["s_raw.fif", "s_raw-1.fif", "s_raw-2.fif", "s_raw-3.fif"]),
        ("b_eeg.fif", "bids", [f"b_split-0{k}_eeg.fif" for k in range(1, 5)]),
    ],
)
def test_a_split_fif_recording_records_all_its_parts(tmp_path, name, naming, parts):
    """MNE reads every part of a split FIF recording from its first, but only the first was
    recorded (a quarter of the bytes read): a changed later part went unnoticed."""
    from eegpt._file_identity import recording_files, source_files_record

    _split_fif(tmp_path / name, naming)
    first = tmp_path / parts[0]
    assert recording_files(first) == [tmp_path / p for p in parts]
    record = source_files_record(first)
    assert record is not None and record["files"] == parts
    assert record["source_bytes"] == sum((tmp_path / p).stat().st_size for p in parts)
    last = tmp_path / parts[-1]
    last.write_bytes(last.read_bytes()[:-8] + b"\0" * 8)  # an edit of the last part's end
    changed = source_files_record(first)
    assert changed is not None and changed["source_fingerprint"] != record["source_fingerprint"]
    assert recording_files(tmp_path / parts[1]) == [tmp_path / p for p in parts[1:]]


def test_a_fif_file_of_a_part_like_name_beside_one_not_split_is_no_part(tmp_path):
    """A file named as a next part (``rec-1.fif`` beside ``rec.fif``) that the recording does
    not continue into is not one of its files."""
    from eegpt._file_identity import recording_files

    info = mne.create_info(["Fp1", "Cz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.zeros((2, 256 * 10)), info, verbose=False)
    raw.save(tmp_path / "rec.fif", verbose=False)
    raw.save(tmp_path / "rec-1.fif", verbose=False)  # a recording of its own
    assert recording_files(tmp_path / "rec.fif") == [tmp_path / "rec.fif"]
    assert recording_files(tmp_path / "rec-1.fif") == [tmp_path / "rec-1.fif"]


def _status(folder):
    """The file status of the one recording of a corpus run in ``folder``."""
    from eegpt.dataset import read_shard_status

    (shard,) = sorted(folder.glob("shard-*.parquet"))
    _, status = read_shard_status(shard)
    (file,) = status["files"]
    return file


def test_a_corpus_run_stamps_the_files_a_brainvision_header_names(model, tmp_path):
    """A corpus run stamped a BrainVision recording by the files of its header's name beside
    it (rec.eeg), not the ``DataFile=`` it reads (samples.eeg): an edit of the samples went
    unnoticed on resume, and its size and fingerprint differed from ``eegpt embed``'s record
    of the same recording. Both now stamp the files read."""
    import warnings

    import pandas as pd

    from eegpt._file_identity import source_files_record
    from eegpt.dataset import embed_dataset

    folder = tmp_path / "in"
    folder.mkdir()
    vhdr = _brainvision(folder)
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{vhdr}\n")
    out = tmp_path / "out"
    kw = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        embed_dataset(manifest, out, **kw)
    status, record = _status(out), source_files_record(vhdr)
    assert record is not None
    for key in ("source_bytes", "source_mtime_ns", "source_fingerprint"):
        assert status[key] == record[key], key  # the same files as eegpt embed records
    samples = folder / "samples.eeg"
    samples.write_bytes(samples.read_bytes() + b"\0" * 12)  # one more sample, 3 channels
    with pytest.warns(RuntimeWarning, match=r"changed .* since it was embedded"):
        embed_dataset(manifest, out, **kw)
    changed = pd.read_csv(out / "_files.csv")["changed"].tolist()
    assert changed == ["recording: size and modification time"]


def test_a_corpus_run_stamps_a_split_fif_recordings_parts(tmp_path):
    """A corpus run stamped only a split FIF recording's first part: a changed later part
    went unnoticed on resume."""
    import warnings

    from eegpt.dataset import DatasetInputs, InputFile, source_stamp, warn_changed

    _split_fif(tmp_path / "s_raw.fif")
    file = InputFile(0, "s_raw.fif", str(tmp_path / "s_raw.fif"))
    stamp = source_stamp(file)
    assert stamp is not None
    status = {"recording_id": "s_raw.fif", "status": "ok", "shard": 0, **stamp}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_changed(DatasetInputs([file]), [status]) == {}
    last = tmp_path / "s_raw-3.fif"
    last.write_bytes(last.read_bytes() + b"\0")
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [status])
    assert changed == {"s_raw.fif": "recording: size and modification time"}


def test_statuses_of_earlier_versions_are_compared_by_the_files_they_stamped(tmp_path):
    """Runs of earlier versions stamped a recording by the files of its name beside it (a
    BrainVision header with the rec.eeg of its name, not the samples.eeg it names) and a
    recording folder by itself: a resume compares those again, so that the new rule is no
    false change, and still notices a change of what they stamped."""
    import warnings

    from eegpt.dataset import DatasetInputs, InputFile, _fingerprint, warn_changed

    vhdr = _brainvision(tmp_path)
    old_files = [str(vhdr), str(tmp_path / "rec.eeg")]  # rec.vmrk is not there
    stats = [os.stat(f) for f in old_files]
    mff = tmp_path / "b.mff"
    mff.mkdir()
    (mff / "signal1.bin").write_bytes(b"1")
    files = [InputFile(0, "rec.vhdr", str(vhdr)), InputFile(1, "b.mff", str(mff))]
    statuses = [
        {"recording_id": "rec.vhdr", "status": "ok", "shard": 0,
         "source_bytes": sum(st.st_size for st in stats),
         "source_mtime_ns": max(st.st_mtime_ns for st in stats),
         "source_sha256": _fingerprint(old_files)},
        {"recording_id": "b.mff", "status": "ok", "shard": 0,
         "source_bytes": mff.stat().st_size, "source_mtime_ns": mff.stat().st_mtime_ns},
    ]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_changed(DatasetInputs(files), statuses) == {}
    (tmp_path / "rec.eeg").write_bytes(b"not read either")  # what that run stamped
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs(files), statuses)
    assert changed == {"rec.vhdr": "recording: size and modification time"}


def test_a_data_file_outside_the_recordings_folder_is_named_by_its_name_alone(tmp_path):
    """``DataFile=../Patient Smith/samples.eeg`` was named by that text (its folder's name,
    kept by ``eegpt anonymize``): a path compared as text started with the recording's
    folder. It is normalised first, and a file outside that folder named alone."""
    from eegpt._file_identity import source_files_record

    rec = tmp_path / "rec"
    rec.mkdir()
    vhdr = _brainvision(rec)
    other = tmp_path / "Patient Smith"
    other.mkdir()
    (rec / "samples.eeg").rename(other / "samples.eeg")
    text = vhdr.read_text(encoding="utf-8")
    vhdr.write_text(text.replace("DataFile=samples.eeg", "DataFile=../Patient Smith/samples.eeg"))
    record = source_files_record(vhdr, full_hashes=True)
    assert record is not None
    assert record["files"] == ["rec.vhdr", "samples.eeg", "marks.vmrk"]
    assert list(record["sha256"]) == record["files"]
    assert record["sha256"]["samples.eeg"] == _sha256(other / "samples.eeg")
    # from the recording's folder given as ../rec: the files inside it keep their names
    inner = tmp_path / "x"
    inner.mkdir()
    again = source_files_record(inner / ".." / "rec" / "rec.vhdr")
    assert again is not None and again["files"] == record["files"]


def test_a_split_fif_gz_recording_records_all_its_parts(tmp_path):
    """MNE writes a split ``x_raw.fif.gz`` as ``x_raw.fif-1.gz`` ...; its later parts were
    looked for as ``x_raw-1.fif.gz`` and never found, so only the first part was recorded."""
    from eegpt._file_identity import recording_files

    _split_fif(tmp_path / "x_raw.fif.gz")
    later = sorted(p.name for p in tmp_path.iterdir() if p.name != "x_raw.fif.gz")
    assert later[0] == "x_raw.fif-1.gz"
    found = recording_files(tmp_path / "x_raw.fif.gz")
    assert found == [tmp_path / p for p in ["x_raw.fif.gz", *later]]


def test_headers_are_read_once_in_a_run(tmp_path, monkeypatch):
    """A corpus run lists its recordings and stamps each, when embedded and on a resume: each
    split FIF recording's header was read by MNE each time (and a .vhdr's too). Within a run
    (headers_read_once) each is read once; a file changed since, or a later run, reads it
    again."""
    from eegpt import _file_identity as fi
    from eegpt.dataset_inputs import listed_split_parts

    _split_fif(tmp_path / "s_raw.fif")
    first = tmp_path / "s_raw.fif"
    (tmp_path / "b.vhdr").write_text("DataFile=b.eeg\nMarkerFile=b.vmrk\n")
    (tmp_path / "b.eeg").write_bytes(b"\0" * 8)
    fif_reads: list[object] = []
    vhdr_reads: list[object] = []
    read_fif, read_vhdr = fi._read_split, fi._read_header_fields

    def counted_fif(path):
        fif_reads.append(path)
        return read_fif(path)

    def counted_vhdr(path):
        vhdr_reads.append(path)
        return read_vhdr(path)

    monkeypatch.setattr(fi, "_read_split", counted_fif)
    monkeypatch.setattr(fi, "_read_header_fields", counted_vhdr)

    def run() -> None:
        listing = listed_split_parts(sorted(tmp_path.iterdir()))
        assert listing.later and not listing.orphans and not listing.unreadable
        for _ in range(3):  # stamped when embedded, on a resume twice (size, contents)
            assert len(fi.recording_files(first)) == len(listing.later) + 1
            assert fi.source_files_record(first) is not None
            assert fi.recording_files(tmp_path / "b.vhdr")[1] == tmp_path / "b.eeg"

    with fi.headers_read_once():
        run()
    assert len(fif_reads) == 1 and len(vhdr_reads) == 1
    with fi.headers_read_once():  # a later run: read again
        with fi.headers_read_once():  # nested: the same run
            run()
        os.utime(first, ns=(1, 1))  # changed since: read again
        assert fi.recording_files(first)[0] == first
    assert len(fif_reads) == 3 and len(vhdr_reads) == 2
    run()  # outside a run: read each time, as before
    assert len(fif_reads) > 3


def test_an_object_in_memory_is_recorded_as_such_not_as_its_file(weights, edf, tmp_path, capsys):
    """``embed(raw)`` of a Raw read from a file and changed in memory recorded the file as if
    it were the input, and ``eegpt info`` said "embeddings of FILE"; ``hash_inputs=True``
    was dropped silently. Now the output records the object (``metadata["input"]``), info
    says it was in memory, and hashing warns that no file was hashed."""
    import warnings

    from eegpt.checkpoints import load_model

    model = load_model(weights)
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    raw.apply_function(lambda x: x * 0.5)  # changed in memory: no longer the file's data
    with pytest.warns(RuntimeWarning, match=r"no file was hashed, as the input is an in-memory "
                      r"mne\.io\.RawEDF"):  # fmt: skip
        emb = model.embed(raw, device="cpu", hash_inputs=True)
    assert emb.metadata["input"] == {
        "object": "mne.io.RawEDF", "in_memory": True, "read_from": str(edf)
    }  # fmt: skip
    assert "source_files" not in emb.metadata
    out = emb.save(tmp_path / "mem.npz")
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert f"embeddings of an in-memory mne.io.RawEDF read from {edf} (changes" in first
    import eegpt

    eegpt.anonymize_embeddings(out, tmp_path / "anon.npz")
    assert load_embeddings(tmp_path / "anon.npz").metadata["input"]["read_from"] == "night.edf"
    data = raw.get_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = model.embed(data, ch_names=raw.ch_names, sfreq=raw.info["sfreq"], device="cpu")
    assert arr.metadata["input"] == {"object": "numpy.ndarray", "in_memory": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_path = model.embed(edf, device="cpu")
    assert "input" not in from_path.metadata


def _split_epochs(path, naming="neuromag"):
    """Epochs MNE splits into 4 parts of about 400 kB (its smallest ``split_size`` is about
    1 MB more than one epoch: the room it keeps for the next part's name)."""
    info = mne.create_info(["Fp1", "Cz", "O1", "Pz"], 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 1e-5, (200, 4, 512))
    epochs = mne.EpochsArray(data, info, verbose=False)
    epochs.save(path, split_size="1.5MB", split_naming=naming, verbose=False)


def test_a_split_epochs_file_is_one_recording_of_all_its_parts(tmp_path, capsys):
    """The parts of a split FIF recording were read by ``mne.io.read_raw_fif``, which fails on
    a file of epochs ("No raw data"): its first part counted as unreadable, so ``eegpt embed
    sub-epo.fif sub-epo-1.fif`` was refused (repair sub-epo.fif, it said, a file that is
    fine), a corpus run failed sub-epo-1.fif ... instead of leaving them out, and only the
    first part was stamped. The parts are read from the headers, of raw data or epochs."""
    from eegpt._file_identity import recording_files, split_recording
    from eegpt.cli_inputs import _without_split_continuations
    from eegpt.dataset_inputs import listed_split_parts, resolve_inputs
    from eegpt.io import split_continuations

    _split_epochs(tmp_path / "sub-epo.fif")
    parts = [
        tmp_path / n for n in ["sub-epo.fif", "sub-epo-1.fif", "sub-epo-2.fif", "sub-epo-3.fif"]
    ]
    assert sorted(tmp_path.iterdir()) == sorted(parts)
    assert split_recording(parts[0]).files == tuple(parts)
    assert recording_files(parts[0]) == parts
    listing = listed_split_parts(parts)
    assert listing.later == [1, 2, 3] and not listing.orphans and not listing.unreadable
    assert split_continuations(parts) == parts[1:]
    assert _without_split_continuations(parts) == parts[:1]
    assert "sub-epo-1.fif continues" in capsys.readouterr().err
    with pytest.warns(RuntimeWarning, match="left out 3 files"):
        assert [f.recording_id for f in resolve_inputs(tmp_path).files] == ["sub-epo.fif"]
    _split_epochs(tmp_path / "b_epo.fif", naming="bids")
    bids = sorted(tmp_path.glob("b_split-*_epo.fif"))
    assert len(bids) == 4 and recording_files(bids[0]) == bids


def test_split_parts_are_read_by_mnes_public_readers_where_its_walk_is_gone(tmp_path, monkeypatch):
    """The parts' headers are walked with MNE's private ``fiff_open``/``_get_next_fname``;
    where a version of MNE moved them, its public readers tell the parts, of raw data and of
    epochs, and a later part missing still makes them unknown."""
    from eegpt import _file_identity
    from eegpt._file_identity import split_recording

    _split_epochs(tmp_path / "sub-epo.fif")
    _split_fif(tmp_path / "s_raw.fif")
    monkeypatch.setattr(_file_identity, "_mne_walk", lambda: None)
    epochs = [
        tmp_path / n for n in ["sub-epo.fif", "sub-epo-1.fif", "sub-epo-2.fif", "sub-epo-3.fif"]
    ]
    raw = [tmp_path / n for n in ["s_raw.fif", "s_raw-1.fif", "s_raw-2.fif", "s_raw-3.fif"]]
    assert split_recording(epochs[0]).files == tuple(epochs)
    assert split_recording(raw[0]).files == tuple(raw)
    epochs[2].unlink()
    read = split_recording(epochs[0])
    assert read.files is None
    # the epochs reader's word, not the raw reader's "No raw data in ...", naming the part
    assert read.missing == "sub-epo-2.fif" and "No raw data" not in (read.error or "")
    raw[2].unlink()
    assert split_recording(raw[0]).missing == "s_raw-2.fif"


def test_stamps_of_version_2_keep_their_split_fif_rule(tmp_path):
    """Stamp version 2 found no later part of a ``.fif.gz`` recording MNE split (it looked for
    ``x-1.fif.gz``, MNE writes ``x.fif-1.gz``), none of split epochs, and the parts there of
    one whose later part is missing; the new rule finds them (or none where one is missing),
    so each resume of an older run marked those recordings ``changed: size``. New stamps are
    version 3 (now 5: the same files, a BIDS recording's sidecars too); those of version 2 are compared by its rule, sizes, fingerprints and
    ``--hash-inputs`` SHA-256 alike."""
    import warnings

    from eegpt.dataset import (
        STAMP_VERSION,
        DatasetInputs,
        InputFile,
        _fingerprint,
        source_stamp,
        warn_changed,
    )

    for folder in ("gz", "ep", "cut"):
        (tmp_path / folder).mkdir()
    _split_fif(tmp_path / "gz" / "x_raw.fif.gz")
    _split_epochs(tmp_path / "ep" / "sub-epo.fif")
    _split_fif(tmp_path / "cut" / "s_raw.fif")
    (tmp_path / "cut" / "s_raw-2.fif").unlink()
    recordings = {  # the recording, and the files version 2 stamped
        "gz": ["x_raw.fif.gz"],
        "ep": ["sub-epo.fif"],
        "cut": ["s_raw.fif", "s_raw-1.fif"],
    }
    files, statuses = [], []
    for i, (folder, names) in enumerate(recordings.items()):
        paths = [str(tmp_path / folder / n) for n in names]
        stats = [os.stat(p) for p in paths]
        files.append(InputFile(i, folder, paths[0]))
        statuses.append(
            {"recording_id": folder, "status": "ok", "shard": 0, "stamp_version": 2,
             "source_bytes": sum(st.st_size for st in stats),
             "source_mtime_ns": max(st.st_mtime_ns for st in stats),
             "source_fingerprint": _fingerprint(paths),
             "source_file_sha256": {n: _sha256(tmp_path / folder / n) for n in names}}
        )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_changed(DatasetInputs(files), statuses) == {}
        assert warn_changed(DatasetInputs(files), statuses, check_contents=True) == {}
    new = source_stamp(files[0])
    assert new is not None and new["stamp_version"] == STAMP_VERSION
    assert new["source_bytes"] == sum(p.stat().st_size for p in (tmp_path / "gz").iterdir())
    # version 5 stamps version 3's files (no BIDS sidecars here): the same but for the version
    assert {**(source_stamp(files[1]) or {}), "stamp_version": 3} == source_stamp(
        files[1], version=3
    )
    first = tmp_path / "gz" / "x_raw.fif.gz"  # what version 2 stamped still counts
    first.write_bytes(first.read_bytes() + b"\0")
    with pytest.warns(RuntimeWarning, match="changed"):
        assert warn_changed(DatasetInputs(files), statuses) == {
            "gz": "recording: size and modification time"
        }


def test_a_split_recording_reached_through_another_folder_is_named_from_there(tmp_path):
    """The headers read in a run were kept with the paths of whoever asked first: the same
    first part reached through a linked folder gave the later parts in the other folder."""
    from eegpt import _file_identity as fi

    (tmp_path / "a").mkdir()
    _split_fif(tmp_path / "a" / "s_raw.fif")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with fi.headers_read_once():
        assert fi.split_recording(tmp_path / "a" / "s_raw.fif").files is not None
        files = fi.split_recording(tmp_path / "b" / "s_raw.fif").files
    assert files is not None and len(files) == 4
    assert all(f.parent == tmp_path / "b" for f in files)


def test_a_split_fif_gz_recordings_parts_are_known_by_name(tmp_path, monkeypatch):
    """MNE finds a ``.fif.gz`` file's header only by decompressing all of it (minutes for a
    part of 2 GB), each time a run stamped the recording: its parts are known by the names MNE
    writes them under, by stats, and no header is read."""
    from eegpt import _file_identity as fi

    _split_fif(tmp_path / "x_raw.fif.gz")
    parts = [
        tmp_path / n for n in ["x_raw.fif.gz", "x_raw.fif-1.gz", "x_raw.fif-2.gz", "x_raw.fif-3.gz"]
    ]

    def no_read(*args):
        raise AssertionError("a .fif.gz header read")

    monkeypatch.setattr(fi, "_read_split", no_read)
    monkeypatch.setattr(fi, "_mne_walk", no_read)
    assert fi.recording_files(parts[0]) == parts
    assert fi.split_recording(parts[0]).files == tuple(parts)
    assert fi.recording_files(parts[1]) == parts[1:]


def test_a_failed_or_stale_split_read_is_read_again(tmp_path, monkeypatch):
    """Within a run a failed read of a split recording's headers was kept (a later part still
    being copied, a file that could not be opened a moment), and a read was kept while its
    later parts changed; the cache grew without bound where runs overlapped. A failure is
    read again, so is a recording whose later part changed, and the cache is bounded."""
    from eegpt import _file_identity as fi

    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        _split_fif(tmp_path / name / "s_raw.fif")
    first, part = tmp_path / "a" / "s_raw.fif", tmp_path / "a" / "s_raw-2.fif"
    reads: list[object] = []
    read = fi._read_split

    def counted(path):
        reads.append(path)
        return read(path)

    monkeypatch.setattr(fi, "_read_split", counted)
    with fi.headers_read_once():
        part.rename(tmp_path / "away")
        assert fi.split_recording(first).files is None
        (tmp_path / "away").rename(part)  # copied now
        files = fi.split_recording(first).files
        assert files is not None and len(files) == 4 and len(reads) == 2
        assert fi.split_recording(first).files == files and len(reads) == 2
        os.utime(part, ns=(1, 1))  # a later part changed
        assert fi.split_recording(first).files == files and len(reads) == 3
        monkeypatch.setattr(fi, "_MAX_READ", 2)
        for name in ("b", "c"):
            assert fi.split_recording(tmp_path / name / "s_raw.fif").files is not None
        assert fi._READ is not None and len(fi._READ) == 2


def test_a_missing_later_part_is_named_and_every_such_file_listed(tmp_path):
    """With ``s_raw-2.fif`` missing, the error for ``s_raw-1.fif`` said to repair or re-copy
    ``s_raw.fif``, a file that is intact, and ``eegpt embed`` named only the first such file.
    It names the missing part now, and every file refused (a few, with their count)."""
    from eegpt._file_identity import split_recording
    from eegpt.cli_inputs import _without_split_continuations
    from eegpt.errors import RecordingError

    _split_fif(tmp_path / "s_raw.fif")
    (tmp_path / "s_raw-2.fif").unlink()
    read = split_recording(tmp_path / "s_raw.fif")
    assert read.files is None and read.missing == "s_raw-2.fif"
    assert read.error is not None and "s_raw-1.fif names a later part s_raw-2.fif" in read.error
    given = [tmp_path / n for n in ["s_raw.fif", "s_raw-1.fif", "s_raw-3.fif"]]
    with pytest.raises(RecordingError) as caught:
        _without_split_continuations(given)
    said = str(caught.value)
    assert said.startswith("2 files are named as later parts of split FIF recordings")
    assert "s_raw-1.fif (of s_raw.fif)" in said and "s_raw-3.fif (of s_raw.fif)" in said
    assert "whose later part s_raw-2.fif is missing" in said and "Copy s_raw-2.fif" in said
    assert "Repair or re-copy" not in said
    with pytest.raises(RecordingError, match="Repair or re-copy s_raw.fif"):
        (tmp_path / "s_raw.fif").write_bytes(b"not a FIF file")
        _without_split_continuations(given[:2])


@pytest.mark.parametrize(
    ("first", "naming", "gone", "later"),
    [
        (
            "sub-01_task-a_eeg.fif.gz",
            "bids",
            "sub-01_task-a_split-02_eeg.fif.gz",
            "sub-01_task-a_split-03_eeg.fif.gz",
        ),
        ("x_raw.fif.gz", "neuromag", "x_raw.fif-1.gz", "x_raw.fif-2.gz"),
    ],
)
def test_a_fif_gz_recording_missing_a_middle_part_is_refused(tmp_path, first, naming, gone, later):
    """A ``.fif.gz`` recording's parts are known by name: with a middle part missing, its
    parts were those before it, and a later part after it was embedded as a recording of its
    own whose onsets start at 0 s (BIDS), or not listed as a later part at all (neuromag:
    MNE then refused it as a ".gz" file). Its parts cannot be told now: the part missing is
    named and a file after it refused, as for a ``.fif`` recording."""
    from eegpt._file_identity import recording_files, split_recording, unreadable_first_part
    from eegpt.cli_inputs import _without_split_continuations
    from eegpt.dataset_inputs import listed_split_parts
    from eegpt.errors import RecordingError
    from eegpt.formats import first_split_part

    _split_fif(tmp_path / first, naming)
    (tmp_path / gone).unlink()
    head = first_split_part(tmp_path / later)
    assert head is not None and head.is_file()
    read = split_recording(head)
    assert read.files is None and read.missing == gone and later in (read.error or "")
    assert recording_files(head) == [head]
    assert unreadable_first_part(tmp_path / later) == (head, read.error, gone, None)
    listing = listed_split_parts([head, tmp_path / later])
    assert [(row, missing) for row, _, _, missing, _ in listing.unreadable] == [(1, gone)]
    with pytest.raises(RecordingError) as caught:
        _without_split_continuations([tmp_path / later])
    said = str(caught.value)
    assert f"whose later part {gone} is missing" in said and f"Copy {gone} beside" in said
    # the last part missing: the parts before it, as MNE reads them (on_split_missing)
    for part in tmp_path.iterdir():
        if part.name not in (head.name, gone):
            part.unlink()
    assert split_recording(head).files == (head,)


def _gzipped(folder):
    """A FIF recording MNE split (``x_raw.fif``, ``x_raw-1.fif`` ...), each part gzipped
    after: ``x_raw.fif.gz``, ``x_raw-1.fif.gz`` ..., the names MNE builds for parts their
    header numbers only. The paths, in order."""
    import gzip
    import shutil

    folder.mkdir()
    _split_fif(folder / "x_raw.fif")
    parts = [folder / n for n in ["x_raw.fif", "x_raw-1.fif", "x_raw-2.fif", "x_raw-3.fif"]]
    for part in parts:
        with open(part, "rb") as src, gzip.open(f"{part}.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
        part.unlink()
    return [part.with_name(part.name + ".gz") for part in parts]


def test_fif_gz_parts_named_as_a_header_numbering_them_are_parts(tmp_path):
    """MNE names the part after ``x.fif.gz`` ``x-1.fif.gz`` where its header gives only the
    part's number (a file gzipped after it was written); only ``x.fif-1.gz``, the name MNE
    writes, was looked for, so ``x-1.fif.gz`` was no part: not stamped, and embedded again
    (from 0 s) beside the first part that MNE read it with. Both names are parts now; where
    both are there, the one MNE writes, and a warning names the other. (MNE itself does not
    read this set: the headers, written uncompressed, name ``x_raw-1.fif``; what is tested
    is eegpt's listing by names.)"""
    from eegpt._file_identity import recording_files, split_recording
    from eegpt.dataset_inputs import listed_split_parts

    parts = _gzipped(tmp_path / "a")
    assert recording_files(parts[0]) == parts
    assert split_recording(parts[0]).files == tuple(parts)
    listing = listed_split_parts(parts)
    assert listing.later == [1, 2, 3] and not listing.orphans and not listing.unreadable
    # a mix of both names: each part by either
    parts[2].rename(tmp_path / "a" / "x_raw.fif-2.gz")
    mixed = [*parts[:2], tmp_path / "a" / "x_raw.fif-2.gz", parts[3]]
    assert recording_files(parts[0]) == mixed
    # both names of one part: the one MNE writes, the other named
    written = tmp_path / "a" / "x_raw.fif-1.gz"
    written.write_bytes(parts[1].read_bytes())
    with pytest.warns(Warning, match="both x_raw.fif-1.gz and x_raw-1.fif.gz lie beside"):
        files = split_recording(parts[0]).files
    assert files == (parts[0], written, *mixed[2:])


def test_a_damaged_later_part_is_named_not_the_first(tmp_path):
    """With ``s_raw-1.fif`` truncated, the refusal of a later part said the header of
    ``s_raw.fif`` (intact) could not be read, showed MNE's AttributeError as the reason and
    said to repair or re-copy ``s_raw.fif``. It names the damaged part now."""
    from eegpt._file_identity import (
        part_of_unreadable_error,
        split_recording,
        unreadable_first_part,
    )
    from eegpt.cli_inputs import _without_split_continuations
    from eegpt.errors import RecordingError

    _split_fif(tmp_path / "s_raw.fif")
    damaged = tmp_path / "s_raw-1.fif"
    damaged.write_bytes(damaged.read_bytes()[:50])
    read = split_recording(tmp_path / "s_raw.fif")
    assert read.files is None and read.damaged == "s_raw-1.fif" and read.missing is None
    for given in ([damaged], [tmp_path / "s_raw-2.fif"]):
        with pytest.raises(RecordingError) as caught:
            _without_split_continuations(given)
        said = str(caught.value)
        part = "it" if given == [damaged] else "its later part s_raw-1.fif"
        assert f"s_raw.fif, and {part} cannot be read (truncated or damaged?" in said, said
        assert "Re-copy s_raw-1.fif" in said
        assert "Repair or re-copy s_raw.fif" not in said and "header cannot be read" not in said
    unreadable = unreadable_first_part(tmp_path / "s_raw-2.fif")
    assert unreadable is not None and unreadable[3] == "s_raw-1.fif"
    assert "Re-copy s_raw-1.fif" in str(part_of_unreadable_error("s_raw-2.fif", *unreadable))


def test_in_memory_raw_of_two_files_records_both(weights, tmp_path, capsys):
    """``embed(mne.concatenate_raws([a, b]))`` recorded only ``a`` (``read_from``) and
    ``eegpt info`` said "read from a_raw.fif": now every file is listed (``read_from_all``),
    info names both, and ``eegpt anonymize`` reduces each to its name."""
    import eegpt
    from eegpt.checkpoints import load_model

    paths = []
    for i, name in enumerate(("a_raw.fif", "b_raw.fif")):
        raw, _ = synthetic_raw(minutes=0.2, seed=i)
        raw.save(tmp_path / name, verbose="error")
        paths.append(tmp_path / name)
    both = mne.concatenate_raws(
        [mne.io.read_raw_fif(p, preload=True, verbose="error") for p in paths]
    )
    emb = load_model(weights).embed(both, device="cpu")
    record = emb.metadata["input"]
    assert record["read_from"] == str(paths[0])
    assert record["read_from_all"] == [str(p) for p in paths]
    out = emb.save(tmp_path / "mem.npz")
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "an in-memory mne.io.Raw read from 2 files (a_raw.fif, b_raw.fif)" in first
    eegpt.anonymize_embeddings(out, tmp_path / "anon.npz")
    anon = load_embeddings(tmp_path / "anon.npz").metadata["input"]
    assert anon["read_from_all"] == ["a_raw.fif", "b_raw.fif"]
    single = load_model(weights).embed(
        mne.io.read_raw_fif(paths[0], preload=True, verbose="error"), device="cpu"
    )
    assert "read_from_all" not in single.metadata["input"]  # one file: no list, as before


def test_embeddings_of_a_raw_of_two_files_name_both_in_sources(weights, tmp_path):
    """``Embeddings`` of ``mne.concatenate_raws`` of two files named only the first
    (``metadata["source"]``, the Parquet ``source`` column). ``emb.sources`` names both, in
    order, through saving, loading and ``eegpt anonymize`` (each by its name), while
    ``source`` stays the first file's path, as before; one file gives one, data made in
    memory none."""
    import eegpt
    from eegpt.checkpoints import load_model

    paths = []
    for i, name in enumerate(("a_raw.fif", "b_raw.fif")):
        raw, _ = synthetic_raw(minutes=0.2, seed=i)
        raw.save(tmp_path / name, verbose="error")
        paths.append(tmp_path / name)
    model = load_model(weights)
    both = mne.concatenate_raws([mne.io.read_raw_fif(p, verbose="error") for p in paths])
    emb = model.embed(both, device="cpu")
    assert emb.sources == (str(paths[0]), str(paths[1]))
    assert emb.metadata["source"] == str(paths[0])  # one path, as the column holds
    assert repr(emb).endswith(f"from {paths[0]} and 1 more file>")
    for suffix in (".npz", ".parquet"):
        saved = load_embeddings(emb.save(tmp_path / f"both{suffix}"))
        assert saved.sources == emb.sources
        eegpt.anonymize_embeddings(tmp_path / f"both{suffix}", tmp_path / f"anon{suffix}")
        assert load_embeddings(tmp_path / f"anon{suffix}").sources == ("a_raw.fif", "b_raw.fif")
    one = model.embed(mne.io.read_raw_fif(paths[1], verbose="error"), device="cpu")
    assert one.sources == (str(paths[1]),) and repr(one).endswith(f"from {paths[1]}>")
    assert model.embed(str(paths[1]), device="cpu").sources == (str(paths[1]),)
    made, _ = synthetic_raw(minutes=0.2, seed=2)
    assert model.embed(made, device="cpu").sources == ()


def test_one_helper_counts_the_bytes_of_a_recordings_files(tmp_path):
    """``dataset_summary._recording_bytes`` (the corpus bar's weights) and
    ``streaming._files_size_text`` (the "scanning FILE (N MB)" line) each summed the sizes of
    a recording's files with code of their own; both now count them with
    :func:`eegpt._file_identity.files_bytes` and print them with ``size_text``, the texts
    unchanged."""
    from eegpt._file_identity import files_bytes, recording_files, size_text
    from eegpt.dataset_inputs import InputFile
    from eegpt.dataset_summary import _recording_bytes
    from eegpt.streaming import _files_size_text

    vhdr = _brainvision(tmp_path)
    total = sum((tmp_path / n).stat().st_size for n in ("rec.vhdr", "samples.eeg", "marks.vmrk"))
    assert files_bytes(recording_files(vhdr)) == total
    assert _recording_bytes(InputFile(0, "rec.vhdr", str(vhdr))) == total
    assert files_bytes([]) is None and files_bytes([None]) is None  # a raw read from memory
    assert files_bytes([vhdr, tmp_path / "gone.eeg"]) is None
    assert size_text(int(0.13 * 2**20), "MB") == "0.13 MB"
    assert size_text(1234 * 2**20, "MB") == "1,234 MB"
    raw = mne.io.read_raw_brainvision(vhdr, verbose="error")
    data = tmp_path / "samples.eeg"
    assert _files_size_text(raw) == f" ({data.stat().st_size / 2**20:.2g} MB)"
    assert _files_size_text(mne.io.RawArray(raw.get_data(), raw.info, verbose="error")) == ""


def test_one_size_format_for_every_size_eegpt_prints():
    """``size_text`` is eegpt's one size formatter (the cache's repr, the progress lines):
    the largest binary unit that holds 1 or more by default, or the unit asked for; whole
    numbers from 10 on, 2 significant digits below; an unknown unit is an error."""
    from eegpt._file_identity import size_text
    from eegpt.embedding_cache import EmbeddingCache

    assert [size_text(n) for n in (0, 768, 1100, 2**20, 1.5 * 2**30, 12_345 * 2**30)] == [
        "0 B", "768 B", "1.1 KiB", "1 MiB", "1.5 GiB", "12 TiB"
    ]  # fmt: skip
    assert size_text(2**30, "MB") == "1,024 MB" and size_text(512, "KiB") == "0.5 KiB"
    with pytest.raises(ValueError, match="unit='kB': give one of 'B', 'KiB'"):
        size_text(1, "kB")
    assert "max_bytes=1 GiB," in repr(EmbeddingCache())
