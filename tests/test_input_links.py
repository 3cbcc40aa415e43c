"""Recordings behind symbolic links (DataLad/git-annex datasets, corpora assembled from links):
read as listed, so that their BIDS sidecars and companion files are found by the link's name
and folder, not the target's."""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings
from pathlib import Path
from types import SimpleNamespace

import mne
import numpy as np
import pytest

import eegpt.bids
from eegpt._file_identity import listed_path, recording_files
from eegpt.dataset import resolve_inputs
from eegpt.demo import synthetic_raw
from eegpt.io import as_recording

EDF = "sub-{sub}/eeg/sub-{sub}_task-rest_eeg.edf"
BAD = "EEG F3-REF"


def _annexed(path: Path, store: Path) -> Path:
    """Move ``path`` into ``store`` under a git-annex key (``MD5E-s<size>--<md5>.<ext>``) and
    leave a relative symbolic link to it in its place, as ``git annex add`` does; the key."""
    data = path.read_bytes()
    key = f"MD5E-s{len(data)}--{hashlib.md5(data).hexdigest()}{path.suffix}"
    target = store / key[-12:] / key / key
    target.parent.mkdir(parents=True)
    shutil.move(path, target)
    path.symlink_to(os.path.relpath(target, path.parent))
    return target


@pytest.fixture(scope="module")
def bids_dataset(tmp_path_factory):
    """Two subjects, each with the channel BAD marked bad in its channels.tsv."""
    mne_bids = pytest.importorskip("mne_bids")
    root = tmp_path_factory.mktemp("links") / "ds"
    raw, _ = synthetic_raw(minutes=0.25, seed=1)
    raw.info["line_freq"] = 50
    for sub in ("01", "02"):
        path = mne_bids.BIDSPath(subject=sub, task="rest", datatype="eeg", root=root)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # no events: as it should be here
            mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
        mne_bids.mark_channels(path, ch_names=[BAD], status="bad", verbose=False)
    return root


def test_a_bids_data_file_that_is_a_link_is_read_with_its_sidecars(bids_dataset, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    link = root / EDF.format(sub="01")
    target = _annexed(link, root / ".git" / "annex" / "objects")
    inputs = resolve_inputs(root)
    assert [f.recording_id for f in inputs.files] == [EDF.format(sub=s) for s in ("01", "02")]
    assert inputs.files[0].path == str(link)  # the dataset's path, not the annex object
    assert eegpt.bids.bids_root(link) == root
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['EEG F3-REF'\]"):
        rec = as_recording(inputs.files[0].path)
    assert BAD not in rec.ch_names  # channels.tsv applied, as for the plain file
    assert BAD in as_recording(target, verbose="error").ch_names  # the object alone: no sidecars


def test_a_linked_subject_folder_is_listed(bids_dataset, tmp_path):
    """``ds/sub-02 -> /elsewhere/sub-02``: listed, and read with the dataset's sidecars; a
    link back up (a loop) ends, a second link to a subject is left out with a warning."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    elsewhere = tmp_path / "store" / "sub-02"
    shutil.move(root / "sub-02", elsewhere)
    (root / "sub-02").symlink_to(elsewhere, target_is_directory=True)
    (root / "sub-01" / "up").symlink_to("..", target_is_directory=True)
    inputs = resolve_inputs(root)
    assert [f.recording_id for f in inputs.files] == [EDF.format(sub=s) for s in ("01", "02")]
    assert inputs.files[1].path == str(root / EDF.format(sub="02"))
    assert inputs.metadata.column("subject").to_pylist() == ["01", "02"]
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out"):
        assert BAD not in as_recording(inputs.files[1].path).ch_names
    alone = resolve_inputs(root / "sub-02")  # given alone: a folder of the dataset still
    assert [f.path for f in alone.files] == [inputs.files[1].path]
    assert alone.metadata.column("subject").to_pylist() == ["02"]
    (root / "sub-03").symlink_to(elsewhere, target_is_directory=True)  # no sub-03 files, but
    with pytest.warns(RuntimeWarning, match=r"left out 1 linked folder .*sub-03 \(= "):
        assert len(resolve_inputs(root).files) == 2  # its folder listed once


def _write_brainvision(folder: Path, name: str, n_channels: int = 4, sfreq: float = 256.0):
    """A BrainVision recording ``name``.vhdr/.vmrk/.eeg of 10 s of float32 samples."""
    folder.mkdir(parents=True, exist_ok=True)
    samples = np.random.default_rng(0).standard_normal((int(10 * sfreq), n_channels)) * 20
    (folder / f"{name}.eeg").write_bytes(samples.astype("<f4").tobytes())
    (folder / f"{name}.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n[Common Infos]\nCodepage=UTF-8\n"
        f"DataFile={name}.eeg\n[Marker Infos]\nMk1=New Segment,,1,1,0\n"
    )
    channels = "\n".join(f"Ch{i + 1}=E{i + 1},,1,µV" for i in range(n_channels))
    (folder / f"{name}.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\nCodepage=UTF-8\n"
        f"DataFile={name}.eeg\nMarkerFile={name}.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels={n_channels}\n"
        f"SamplingInterval={1e6 / sfreq}\n[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n"
        f"[Channel Infos]\n{channels}\n",
        encoding="utf-8",
    )


def test_brainvision_files_that_are_links_are_read_together(tmp_path):
    """A .vhdr, .vmrk and .eeg each a link to an object of another name (git-annex): the
    header's DataFile= is looked for beside the link."""
    folder = tmp_path / "corpus" / "recs"
    _write_brainvision(folder, "rec1")
    for suffix in (".vhdr", ".vmrk", ".eeg"):
        _annexed(folder / f"rec1{suffix}", tmp_path / "corpus" / ".git" / "annex" / "objects")
    inputs = resolve_inputs(tmp_path / "corpus")
    assert [(f.recording_id, f.path) for f in inputs.files] == [
        ("recs/rec1.vhdr", str(folder / "rec1.vhdr"))
    ]
    rec = as_recording(inputs.files[0].path, verbose="error")
    assert len(rec.ch_names) == 4 and rec.n_times == 2560


def test_listed_path_keeps_links_and_takes_dotdot_as_the_file_system_does(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "x.edf").write_bytes(b"")
    (tmp_path / "link").symlink_to(tmp_path / "a" / "b", target_is_directory=True)
    assert listed_path(tmp_path / "link" / "x.edf") == tmp_path / "link" / "x.edf"
    # link/.. is a/ (the link's target's parent), not tmp_path
    assert listed_path(tmp_path / "link" / ".." / "b" / "x.edf") == Path(
        os.path.realpath(tmp_path / "a"), "b", "x.edf"
    )


def test_a_split_fif_recording_whose_parts_are_links_is_read_whole(tmp_path):
    """MNE reads a split FIF recording's later parts from the folder of its first part, by
    the names the first part records: beside the links, not beside the annex objects."""
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    data = np.random.default_rng(0).normal(0, 2e-5, (6, 256 * 400))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    folder = tmp_path / "corpus"
    folder.mkdir()
    raw.save(folder / "s_raw.fif", split_size="2MB", buffer_size_sec=1.0, verbose=False)
    parts = sorted(folder.glob("s_raw*.fif"))
    assert len(parts) > 1
    for part in parts:
        _annexed(part, tmp_path / "store")
    with pytest.warns(RuntimeWarning, match=r"continue.*s_raw-1\.fif"):
        inputs = resolve_inputs(folder)
    assert [f.path for f in inputs.files] == [str(folder / "s_raw.fif")]
    assert as_recording(inputs.files[0].path, verbose="error").n_times == raw.n_times


def _write_fif(path: Path) -> None:
    """A 10 s, 4-channel FIF recording at ``path``."""
    data = np.random.default_rng(0).normal(0, 2e-5, (4, 2560))
    raw = mne.io.RawArray(
        data, mne.create_info(["Fp1", "Fp2", "C3", "C4"], 256.0, "eeg"), verbose=False
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    raw.save(path, verbose=False)


def test_a_folder_given_as_a_link_names_its_files_by_the_link(tmp_path):
    """``data -> /mnt/disk/eeg`` given on the command line: its files are named by the path
    as given (``data/a_raw.fif``), not by the link's target, as links below it are; a second
    link below it to a file listed already is still left out, with a warning."""
    disk = tmp_path / "disk" / "eeg"
    _write_fif(disk / "a_raw.fif")
    _write_fif(disk / "sub" / "b_raw.fif")
    (disk / "sub_again").symlink_to(disk / "sub", target_is_directory=True)
    data = tmp_path / "data"
    data.symlink_to(disk, target_is_directory=True)
    with pytest.warns(RuntimeWarning, match=r"left out 1 linked folder .*sub_again \(= sub\)"):
        inputs = resolve_inputs(data)
    assert [(f.recording_id, f.path) for f in inputs.files] == [
        ("a_raw.fif", str(data / "a_raw.fif")),
        ("sub/b_raw.fif", str(data / "sub" / "b_raw.fif")),
    ]
    with pytest.warns(RuntimeWarning, match=r"left out 1 linked folder"):
        picked = resolve_inputs(data, pattern="**/*_raw.fif")
    assert [f.path for f in picked.files] == [f.path for f in inputs.files]


def _write_eeglab(
    folder: Path, name: str, sfreq: float = 256.0, seconds: float = 10.0, trials: int = 1
) -> np.ndarray:
    """An EEGLAB recording as EEGLAB saves it with its data apart: ``name.set`` (a MATLAB v5
    file of the ``EEG`` structure, ``EEG.data`` the text ``'name.fdt'``) and ``name.fdt``,
    float32 samples (µV) of shape (channels, samples, trials) in MATLAB's column-major order
    (each sample's channels together, epoch after epoch). ``trials`` > 1: epochs of
    ``seconds`` each from -0.5 s, each time-locked to an event ``stim``. Returns the samples,
    shape (4, samples, trials), in µV."""
    from scipy.io import savemat

    labels = ["Fp1", "Fp2", "C3", "C4"]
    pnts = int(seconds * sfreq)
    data = np.random.default_rng(0).normal(0, 20, (len(labels), pnts, trials)).astype("<f4")
    chanlocs = np.zeros((1, len(labels)), dtype=[("labels", object), ("type", object)])
    for i, label in enumerate(labels):
        chanlocs[0, i] = (label, "EEG")
    empty = np.zeros((0, 0))
    event, epoch, xmin = empty, empty, 0.0
    if trials > 1:
        xmin = -0.5
        event = np.zeros(
            (1, trials), dtype=[("type", object), ("latency", object), ("epoch", object)]
        )
        epoch = np.zeros(
            (1, trials), dtype=[("event", object), ("eventtype", object), ("eventlatency", object)]
        )
        for k in range(trials):  # latencies in samples from the data's start, 1-based
            event[0, k] = ("stim", float(k * pnts - xmin * sfreq + 1), float(k + 1))
            epoch[0, k] = (float(k + 1), "stim", 0.0)
    eeg = {"setname": name, "filename": f"{name}.set", "nbchan": float(len(labels)),
           "pnts": float(pnts), "trials": float(trials), "srate": sfreq, "xmin": xmin,
           "xmax": xmin + (pnts - 1) / sfreq, "data": f"{name}.fdt", "chanlocs": chanlocs,
           "event": event, "epoch": epoch, "icawinv": empty, "icasphere": empty,
           "icaweights": empty, "ref": "common"}  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    savemat(folder / f"{name}.set", {"EEG": eeg}, appendmat=False)
    (folder / f"{name}.fdt").write_bytes(data.reshape(-1, order="F").tobytes())
    return data


@pytest.mark.parametrize("kind", ["plain", "annexed", "linked set"])
def test_an_eeglab_set_with_its_fdt_apart_is_read_through_links(kind, weights, tmp_path):
    """A ``.set`` whose samples are in a ``.fdt`` file: read as it lies (plain), each file a
    link to an object of another name (git-annex: the ``.fdt`` found beside the link), or the
    ``.set`` alone linked into the corpus (``corpus/rec.set -> store/rec.set``: the ``.fdt``
    beside the link's target). Listed once (the ``.fdt`` as its companion), named by the link,
    its samples read whole, and embedded by embed-dataset."""
    import csv

    from eegpt.cli import main

    corpus = tmp_path / "corpus"
    where = corpus if kind != "linked set" else tmp_path / "store"
    data = _write_eeglab(where, "rec")
    if kind == "annexed":
        for suffix in (".set", ".fdt"):
            _annexed(corpus / f"rec{suffix}", corpus / ".git" / "annex" / "objects")
    elif kind == "linked set":
        corpus.mkdir()
        (corpus / "rec.set").symlink_to(where / "rec.set")
    inputs = resolve_inputs(corpus)
    assert [(f.recording_id, f.path) for f in inputs.files] == [
        ("rec.set", str(corpus / "rec.set"))
    ]
    # the files whose changes a resumed run sees: the .fdt read with it too
    assert [p.name for p in recording_files(corpus / "rec.set")] == ["rec.set", "rec.fdt"]
    rec = as_recording(inputs.files[0].path, verbose="error")
    assert rec.ch_names == ["Fp1", "Fp2", "C3", "C4"] and rec.source == str(corpus / "rec.set")
    np.testing.assert_allclose(rec.data * 1e6, data[:, :, 0], rtol=1e-6, atol=1e-5)
    run = tmp_path / "run"
    args = ["embed-dataset", str(corpus), "-o", str(run), "--weights", str(weights)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 4 channels: few of the vocabulary's
        assert main([*args, "--device", "cpu", "-q", "--workers", "0"]) == 0
    with open(run / "_files.csv", newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["status"], row["path"], row["n_windows"]) == ("ok", str(corpus / "rec.set"), "2")


def test_epochs_of_an_eeglab_set_linked_alone_are_read_with_the_fdt_beside_its_target(tmp_path):
    """An epoched ``.set`` linked into a corpus alone (``corpus/ep.set -> store/ep.set``),
    its ``.fdt`` beside its target: its epochs are read whole, as through the target."""
    data = _write_eeglab(tmp_path / "store", "ep", seconds=2.0, trials=3)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "ep.set").symlink_to(tmp_path / "store" / "ep.set")
    rec = as_recording(tmp_path / "corpus" / "ep.set", verbose="error")
    assert rec.data.shape == (3, 4, 512) and rec.labels == ["stim"] * 3
    np.testing.assert_allclose(rec.data * 1e6, data.transpose(2, 0, 1), rtol=1e-6, atol=1e-5)


def test_a_linked_set_whose_data_file_has_another_name_is_read_beside_its_target(tmp_path):
    """A ``.set`` linked alone whose ``EEG.data`` names a ``.fdt`` of another name
    (``rec.set`` saved as ``rec_data.set``: ``EEG.data = 'rec_data.fdt'``) is read with that
    file beside its target, as MNE reads it beside the ``.set`` it is given."""
    data = _write_eeglab(tmp_path / "store", "rec_data")
    (tmp_path / "store" / "rec_data.set").rename(tmp_path / "store" / "rec.set")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "rec.set").symlink_to(tmp_path / "store" / "rec.set")
    rec = as_recording(tmp_path / "corpus" / "rec.set", verbose="error")
    np.testing.assert_allclose(rec.data * 1e6, data[..., 0], rtol=1e-6, atol=1e-5)


def _edit_first_sample_in_place(fdt: Path) -> None:
    """Write an infinity over the first float32 sample of ``fdt``, keeping its size and
    modification time (an edit only a content fingerprint tells)."""
    data = bytearray(fdt.read_bytes())
    data[:4] = b"\x00\x00\x80\x7f"
    stat = fdt.stat()
    fdt.write_bytes(bytes(data))
    os.utime(fdt, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _set_naming_another_fdt(folder: Path) -> tuple[Path, Path]:
    """``rec.set`` whose ``EEG.data`` names ``rec_data.fdt`` (saved as ``rec_data.set``, then
    renamed), with ``other.set``/``other.fdt`` beside it; returns (``rec.set``, its data)."""
    _write_eeglab(folder, "rec_data")
    _write_eeglab(folder, "other")
    (folder / "rec_data.set").rename(folder / "rec.set")
    return folder / "rec.set", folder / "rec_data.fdt"


@pytest.mark.parametrize("linked", [False, True])
def test_a_set_naming_a_data_file_of_another_name_lists_and_stamps_it(linked, tmp_path):
    """The ``.fdt`` MNE reads a ``.set``'s samples from when ``EEG.data`` names another file
    than the ``.set``'s own name is one of the recording's files (listed for provenance, in
    its stamp): a corpus run's resume finds the recording changed when that file changes."""
    from eegpt.dataset_inputs import InputFile
    from eegpt.dataset_stamps import source_stamp

    rec, fdt = _set_naming_another_fdt(tmp_path / "store")
    if linked:
        (tmp_path / "corpus").mkdir()
        (tmp_path / "corpus" / "rec.set").symlink_to(rec)
        rec = tmp_path / "corpus" / "rec.set"
    assert recording_files(rec) == [rec, fdt]
    assert recording_files(tmp_path / "store" / "other.set")[1:] == [
        tmp_path / "store" / "other.fdt"
    ]
    file = InputFile(0, "rec.set", str(rec))
    before = source_stamp(file)
    _edit_first_sample_in_place(fdt)
    assert before is not None and source_stamp(file) != before


def test_a_set_naming_another_fdt_beside_its_own_lists_the_one_mne_reads(tmp_path):
    """A ``.set`` whose ``EEG.data`` names ``rec_data.fdt`` while a ``.fdt`` of its own name
    lies beside it too: MNE reads the one ``EEG.data`` names
    (``mne.io.eeglab.eeglab._check_eeglab_fname``), so that one is listed and stamped, and
    editing it makes a resumed run find the recording changed."""
    from eegpt.dataset_inputs import InputFile
    from eegpt.dataset_stamps import source_stamp

    rec, fdt = _set_naming_another_fdt(tmp_path)
    own = tmp_path / "rec.fdt"
    own.write_bytes(bytes(fdt.stat().st_size))  # zeros: not the samples MNE reads
    raw = mne.io.read_raw_eeglab(rec, verbose="error")
    assert [Path(f) for f in raw.filenames] == [fdt]
    assert recording_files(rec) == [rec, fdt]
    file = InputFile(0, "rec.set", str(rec))
    before = source_stamp(file)
    _edit_first_sample_in_place(fdt)
    assert before is not None and source_stamp(file) != before


def test_listing_sets_lists_their_folder_once_and_opens_none(tmp_path, monkeypatch):
    """Listing the files of many ``.set`` files of a folder whose every ``.fdt`` is a
    ``.set``'s own (or that holds none) lists the folder once, not once per ``.set``, and
    opens no ``.set`` (``EEG.data`` cannot name another file there); an orphan ``.fdt``
    added later is found (the folder's time changed)."""
    import eegpt._eeglab

    for name in ("a", "b"):
        _write_eeglab(tmp_path / "pairs", name)
    alone = tmp_path / "alone"
    alone.mkdir()
    for name in ("x", "y", "z"):
        shutil.copy(tmp_path / "pairs" / "a.set", alone / f"{name}.set")
    past = 1_000_000_000_000_000_000  # 2001: the folders' listings are kept
    for folder in (tmp_path / "pairs", alone):
        os.utime(folder, ns=(past, past))
    listed: list[str] = []
    real_listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda p=".": listed.append(str(p)) or real_listdir(p))
    monkeypatch.setattr(eegpt._eeglab, "_load", lambda *a, **k: pytest.fail("a .set opened"))
    for _ in range(3):
        for name in ("a", "b"):
            rec = tmp_path / "pairs" / f"{name}.set"
            assert recording_files(rec) == [rec, rec.with_suffix(".fdt")]
        for name in ("x", "y", "z"):
            assert recording_files(alone / f"{name}.set") == [alone / f"{name}.set"]
    assert sorted(listed) == sorted([str(tmp_path / "pairs"), str(alone)])
    monkeypatch.undo()
    (tmp_path / "pairs" / "a.set").rename(tmp_path / "pairs" / "renamed.set")
    assert recording_files(tmp_path / "pairs" / "renamed.set")[1:] == [tmp_path / "pairs" / "a.fdt"]


def test_a_set_of_fields_is_listed_without_loading_its_samples(tmp_path, monkeypatch):
    """A ``.set`` saved as one variable per ``EEG`` field (as EEGLAB and eeglabio save it)
    beside a ``.fdt`` no ``.set`` there owns: ``EEG.data``'s class is read from the
    variables' headers, so a ``.set`` holding its samples is listed alone without loading
    them, and one naming the ``.fdt`` is listed with it."""
    from scipy.io import loadmat, savemat

    import eegpt._eeglab

    _write_eeglab(tmp_path, "named")
    fields = loadmat(tmp_path / "named.set", squeeze_me=True, simplify_cells=True)["EEG"]
    (tmp_path / "named.set").unlink()
    (tmp_path / "named.fdt").rename(tmp_path / "orphan.fdt")
    savemat(tmp_path / "named.set", {**fields, "data": "orphan.fdt"}, appendmat=False)
    samples = np.zeros((4, 2560), dtype="<f4")
    savemat(tmp_path / "inline.set", {**fields, "data": samples}, appendmat=False)
    real_load, loaded = eegpt._eeglab._load, []

    def load(path: Path, names: list[str]) -> dict:
        loaded.append(path.name)
        return real_load(path, names)

    monkeypatch.setattr(eegpt._eeglab, "_load", load)
    assert recording_files(tmp_path / "inline.set") == [tmp_path / "inline.set"]
    assert recording_files(tmp_path / "named.set") == [
        tmp_path / "named.set",
        tmp_path / "orphan.fdt",
    ]
    assert loaded == ["named.set"]  # the name read; the samples left unread
    (tmp_path / "inline.fdt").write_bytes(bytes(16))  # of its name, but MNE reads the .set
    assert recording_files(tmp_path / "inline.set") == [tmp_path / "inline.set"]


def _write_v73_set(path: Path, samples: np.ndarray) -> None:
    """A MATLAB v7.3 ``.set`` file (HDF5 after a 512-byte MATLAB header) whose ``data``
    variable holds ``samples`` (channels, samples) as MATLAB's ``single``."""
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w", userblock_size=512) as mat:
        mat.create_dataset("data", data=samples.T).attrs["MATLAB_class"] = np.bytes_(b"single")
        mat.create_dataset("srate", data=np.array([[256.0]])).attrs["MATLAB_class"] = np.bytes_(
            b"double"
        )
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Dec  7 00:00:00 2026 HDF5"
    with open(path, "r+b") as fh:
        fh.write(header.ljust(116, b" ") + bytes(8) + b"\x00\x02IM")


def test_a_v73_set_holding_its_samples_is_listed_without_loading_them(tmp_path, monkeypatch):
    """A MATLAB v7.3 ``.set`` holding its samples beside a ``.fdt`` no ``.set`` there owns:
    ``EEG.data``'s class is read from its HDF5 attributes, the samples not loaded."""
    import eegpt._eeglab

    _write_v73_set(tmp_path / "inline.set", np.zeros((4, 2560), dtype="<f4"))
    (tmp_path / "orphan.fdt").write_bytes(bytes(16))
    loaded: list[str] = []
    monkeypatch.setattr(eegpt._eeglab, "_load", lambda path, names: loaded.append(path) or {})
    assert recording_files(tmp_path / "inline.set") == [tmp_path / "inline.set"]
    assert loaded == []


def test_a_stamp_of_version_5_is_kept_for_a_set_naming_another_fdt(tmp_path):
    """A run stamped with version 5 (a ``.set``'s own ``.fdt`` only) resumes as before: the
    data file of another name it did not stamp is not taken for a change, and a recording
    whose files are listed as before keeps its stamp."""
    from eegpt.dataset_inputs import InputFile
    from eegpt.dataset_stamps import STAMP_VERSION, source_stamp

    rec, fdt = _set_naming_another_fdt(tmp_path)
    file = InputFile(0, "rec.set", str(rec))
    old, new = source_stamp(file, version=5), source_stamp(file)
    assert old is not None and new is not None
    assert old["source_bytes"] == rec.stat().st_size  # the data file was not stamped
    assert new["source_bytes"] == rec.stat().st_size + fdt.stat().st_size
    assert new["stamp_version"] == STAMP_VERSION
    other = InputFile(1, "other.set", str(tmp_path / "other.set"))
    drop = {"stamp_version"}
    same = [{k: v for k, v in (source_stamp(other, version=v) or {}).items() if k not in drop}
            for v in (5, STAMP_VERSION)]  # fmt: skip
    assert same[0] == same[1]


def test_a_fdt_added_in_the_same_second_as_the_listing_is_found(tmp_path, monkeypatch):
    """On a file system whose times tick each second (ext3, HFS+, FAT every 2 s), a ``.fdt``
    added in the second the folder was listed leaves the folder's time as it was: that
    listing, 0.6 s after the tick, was kept, and the ``.fdt`` then not listed with its
    ``.set`` (stamps and --log-file's refusal missed it). Listings so recent are not kept."""
    import eegpt._eeglab

    _write_eeglab(tmp_path / "data", "x")
    fdt = tmp_path / "data" / "x.fdt"
    fdt.rename(tmp_path / "x.fdt")
    tick = 1_800_000_000 * 10**9  # the folder's time, in whole seconds
    os.utime(tmp_path / "data", ns=(tick, tick))
    clock = SimpleNamespace(time_ns=lambda: tick + 600_000_000)
    monkeypatch.setattr(eegpt._eeglab, "time", clock)
    rec = tmp_path / "data" / "x.set"
    assert recording_files(rec) == [rec]
    (tmp_path / "x.fdt").rename(fdt)
    os.utime(tmp_path / "data", ns=(tick, tick))  # the same second: the time unchanged
    assert recording_files(rec) == [rec, fdt]


def test_a_set_given_by_a_relative_path_is_listed_in_the_current_folder(tmp_path, monkeypatch):
    """``x.set`` listed from one folder, then from another of the same time (folders
    unpacked from one archive) after a chdir: the first folder's kept listing (no ``.fdt``)
    was taken for the second's, whose ``x.fdt`` was then not listed."""
    _write_eeglab(tmp_path / "with", "x")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(tmp_path / "with" / "x.set", alone / "x.set")
    past = 1_000_000_000_000_000_000
    for folder in (alone, tmp_path / "with"):
        os.utime(folder, ns=(past, past))
    monkeypatch.chdir(alone)
    assert recording_files("x.set") == [Path("x.set")]
    monkeypatch.chdir(tmp_path / "with")
    assert recording_files("x.set") == [Path("x.set"), Path("x.fdt")]
