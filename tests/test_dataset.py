"""Corpus runs (`embed_dataset`, `eegpt embed-dataset`): inputs, shards, errors, resume, kill -9."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import json
import logging
import multiprocessing
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mne
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch

import eegpt
from eegpt import (
    cli_info,
    dataset_files,
    dataset_pipeline,
    dataset_runs,
    dataset_stamps,
    dataset_summary,
)
from eegpt import shard_writer as shard_writer_mod
from eegpt._recording_provenance import RECORDING_PROVENANCE_KEYS
from eegpt.cli import main as eegpt_main
from eegpt.config import EEGPTConfig
from eegpt.dataset import (
    ERRORS_REPORT,
    FILES_REPORT,
    MANIFEST,
    InputFile,
    Readers,
    ShardWriter,
    embed_dataset,
    load_file,
    make_engines,
    read_embeddings,
    read_shard_status,
    resolve_inputs,
    run_inprocess,
    select_devices,
    shard_files,
    status_of,
)
from eegpt.dataset_cli import add_dataset_command
from eegpt.dataset_cli import main as cli_main
from eegpt.dataset_lock import LOCK, FolderLock
from eegpt.dataset_report import describe_output, describe_parts
from eegpt.demo import synthetic_raw, write_edf
from eegpt.errors import DeviceUnavailableError, OutputInUseError, RecordingError
from eegpt.model import EEGPT
from eegpt.outputs import load_embeddings
from eegpt.preprocessing import PreprocessingConfig
from eegpt.streaming import open_stream

SMALL = EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=4)
CORRUPT = b"0       this is not an EDF header" * 40


def make_corpus(folder: Path, n: int, minutes: float = 0.5, *, corrupt: int | None = None):
    """``n`` TUH-style EDF files of a few lengths in two subfolders; one corrupt if asked."""
    paths = []
    for i in range(n):
        sub = folder / ("a" if i % 2 else "b")
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"rec{i:02d}.edf"
        if i == corrupt:
            path.write_bytes(CORRUPT)
        else:
            raw, _ = synthetic_raw(minutes=minutes * (1 + (i % 3) / 2), seed=i)
            write_edf(raw, path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Six EDF files (30 to 60 s) and one corrupt one, index 3 (``a/rec03.edf``)."""
    folder = tmp_path_factory.mktemp("corpus")
    make_corpus(folder, 7, corrupt=3)
    return folder


@pytest.fixture(scope="module")
def clean_run(corpus, model, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "out"
    summary = embed_dataset(  # on the CPU: compared bit for bit with CPU engines below
        corpus, out, model=model, shard_size=3, workers=0, device="cpu", progress=False
    )
    return out, summary


# ------------------------------------------------------------------------------------- inputs


def test_resolve_folder_glob_list_and_manifest(corpus, tmp_path):
    folder = resolve_inputs(corpus)
    ids = [f.recording_id for f in folder.files]
    assert ids == sorted(ids) and ids[0] == "a/rec01.edf" and len(ids) == 7
    assert [f.index for f in folder.files] == list(range(7))
    assert all(Path(f.path).is_absolute() for f in folder.files)

    by_glob = resolve_inputs(str(corpus / "a" / "*.edf"))
    assert [f.recording_id for f in by_glob.files] == ["rec01.edf", "rec03.edf", "rec05.edf"]
    recursive = resolve_inputs(str(corpus / "**" / "*.edf"))
    assert [f.recording_id for f in recursive.files] == ids
    assert [f.recording_id for f in resolve_inputs(corpus, pattern="b/*.edf").files] == [
        "b/rec00.edf",
        "b/rec02.edf",
        "b/rec04.edf",
        "b/rec06.edf",
    ]
    listed = resolve_inputs([corpus / "b" / "rec02.edf", corpus / "a" / "rec01.edf"])
    assert [f.recording_id for f in listed.files] == ["b/rec02.edf", "a/rec01.edf"]

    # a manifest keeps its row order, resolves paths against its folder, carries metadata
    manifest = corpus / "manifest.csv"
    manifest.write_text("path,subject,label\nb/rec02.edf,s1,0\na/rec01.edf,s2,1\n")
    try:
        inputs = resolve_inputs(manifest)
    finally:
        manifest.unlink()
    assert [f.recording_id for f in inputs.files] == ["b/rec02.edf", "a/rec01.edf"]
    assert inputs.files[0].path == str((corpus / "b" / "rec02.edf").resolve())
    assert inputs.metadata_columns == ["subject", "label"]
    assert inputs.metadata.column("label").to_pylist() == [0, 1]

    frame = pd.DataFrame({"path": [str(corpus / "b" / "rec02.edf")], "recording_id": ["x"]})
    assert resolve_inputs(frame).files[0].recording_id == "x"

    # one file in two rows (manifests joined from overlapping lists; here under two ids and
    # through a link) would be embedded twice: refused, naming the rows
    link = tmp_path / "same.edf"
    link.symlink_to(corpus / "b" / "rec02.edf")
    rows = [str(corpus / "b" / "rec02.edf"), str(corpus / "a" / "rec01.edf"), str(link)]
    again = pd.DataFrame({"path": rows, "recording_id": ["x", "y", "z"]})
    with pytest.raises(ValueError, match=r"lists 1 file again \(the same file, perhaps under "
                       r"another name or through a link\): rows 0 and 2 \('x', 'z'\) \(rows counted "
                       r"from 0 after the header line\); its "
                       r"windows would be embedded twice"):  # fmt: skip
        resolve_inputs(again)
    # the same recording with another scorer's annotations is not a repeat
    for name in ("scorer1.txt", "scorer2.txt"):
        (tmp_path / name).write_text("onset,duration,description\n0,30,W\n")
    scored = pd.DataFrame({"path": rows[:1] * 2, "recording_id": ["x1", "x2"],
                           "annotations_file": [str(tmp_path / "scorer1.txt"),
                                                str(tmp_path / "scorer2.txt")]})  # fmt: skip
    assert len(resolve_inputs(scored).files) == 2


def test_listing_a_folder_of_edf_files_imports_no_torch_nor_mne(corpus):
    """Listing a corpus (resolve_inputs: suffixes, recording folders, split FIF parts, by
    name) imports neither torch nor MNE nor SciPy: eegpt.formats holds what it needs."""
    script = f"""
import sys
from eegpt.dataset_inputs import resolve_inputs

print(len(resolve_inputs({str(corpus)!r}).files), len(resolve_inputs({str(corpus / "*" / "*.edf")!r}).files))
print([m for m in ("torch", "mne", "scipy") if m in sys.modules])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["7 7", "[]"], done.stdout


def test_a_pattern_leaves_out_the_files_of_a_recording_beside_it(tmp_path):
    """--pattern '**/*' matches BrainVision's .eeg/.vmrk and EEGLAB's .fdt too: they are read
    with their .vhdr / .set, not as recordings (which failed); a Nihon Kohden .eeg stays."""
    for name in ("rec.vhdr", "rec.eeg", "rec.vmrk", "nk.eeg", "x.set", "x.fdt", "y.FDT", "y.SET"):
        (tmp_path / name).write_bytes(b"")
    with pytest.warns(RuntimeWarning, match=r"left out 4 files matched by the pattern that "
                      r"belong to a recording beside them .*: rec.eeg, rec.vmrk, x.fdt, y.FDT"):  # fmt: skip
        inputs = resolve_inputs(tmp_path, pattern="**/*")
    assert [f.recording_id for f in inputs.files] == ["nk.eeg", "rec.vhdr", "x.set", "y.SET"]


def test_recordings_that_are_folders_are_listed_as_one_input(tmp_path):
    """EGI .mff recordings are folders: a corpus run lists each as one recording (it was left
    out without a word) and never searches inside it."""
    root = tmp_path / "site"
    (root / "sub-1").mkdir(parents=True)
    (root / "sub-1" / "rec.edf").write_bytes(b"")
    for name in ("sub-1/rest.mff", "sub-2/task.MFF"):
        (root / name).mkdir(parents=True)
        (root / name / "signal1.bin").write_bytes(b"")
        (root / name / "info.xml").write_text("<x/>")
    ids = [f.recording_id for f in resolve_inputs(root).files]
    assert ids == ["sub-1/rec.edf", "sub-1/rest.mff", "sub-2/task.MFF"]
    assert [f.recording_id for f in resolve_inputs(root, pattern="**/*.mff").files] == [
        "sub-1/rest.mff"
    ]
    assert len(resolve_inputs(str(root / "*" / "*.mff")).files) == 1
    one = resolve_inputs(root / "sub-1" / "rest.mff")  # given on its own: one recording
    assert [f.recording_id for f in one.files] == ["rest.mff"]
    listed = resolve_inputs([root / "sub-1" / "rest.mff", root / "sub-1" / "rec.edf"])
    assert [f.recording_id for f in listed.files] == ["rest.mff", "rec.edf"]


def test_split_fif_recordings_are_embedded_once(model, tmp_path):
    """MNE splits FIF recordings over 2 GB into name.fif, name-1.fif ...; reading the first
    reads them all, so the later parts are left out of a corpus run (they were embedded again
    as recordings of their own, each from onset 0), with a warning."""
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    data = np.random.default_rng(0).normal(0, 2e-5, (6, 256 * 400))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    folder = tmp_path / "corpus"
    folder.mkdir()
    raw.save(folder / "sub-01_raw.fif", split_size="2MB", buffer_size_sec=1.0, verbose=False)
    assert (folder / "sub-01_raw-1.fif").exists()
    for inputs in (folder, str(folder / "*.fif"), sorted(folder.iterdir())):
        with pytest.warns(RuntimeWarning, match=r"left out 2 files that continue.*sub-01_raw-1"):
            assert [f.recording_id for f in resolve_inputs(inputs).files] == ["sub-01_raw.fif"]
    with pytest.warns(RuntimeWarning, match="split FIF"):
        summary = embed_dataset(folder, tmp_path / "out", model=model, workers=0, device="cpu",
                                progress=False)  # fmt: skip
    assert summary.windows == 100  # 400 s in 4 s windows: once


def _split_fif(folder: Path, name: str = "s_raw.fif") -> Path:
    """A 400 s FIF recording saved by MNE in parts of 2 MB (``s_raw.fif``, ``s_raw-1.fif``...)."""
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    data = np.random.default_rng(0).normal(0, 2e-5, (6, 256 * 400))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    folder.mkdir(parents=True, exist_ok=True)
    raw.save(folder / name, split_size="2MB", buffer_size_sec=1.0, verbose=False)
    return folder / name


def test_a_recording_only_named_like_a_split_part_is_kept_beside_the_other(tmp_path, capsys):
    """rec-1.fif, a recording of its own beside rec.fif, was left out by its name alone (a
    warning, never embedded) from a folder, a manifest, a list and eegpt embed: the first
    part's header now confirms a later part before it is left out."""
    from eegpt.cli_inputs import _without_split_continuations

    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    data = np.random.default_rng(1).normal(0, 2e-5, (6, 256 * 20))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    folder = tmp_path / "in"
    folder.mkdir()
    raw.save(folder / "rec.fif", verbose=False)
    raw.save(folder / "rec-1.fif", verbose=False)
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{folder / 'rec.fif'}\n{folder / 'rec-1.fif'}\n")
    both = [folder / "rec.fif", folder / "rec-1.fif"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left out, nothing said
        for inputs in (folder, manifest, both, str(folder / "*.fif")):
            assert len(resolve_inputs(inputs)) == 2, inputs
        assert _without_split_continuations(both) == both


def test_a_later_split_part_alone_is_refused_as_a_manifest_refuses_it(
    model, weights, tmp_path, capsys
):
    """s_raw-1.fif given without s_raw.fif (a list, a glob of *-1.fif, eegpt embed) was
    embedded as a recording of its own with onsets from 0 s, though it starts where the first
    part ends; a manifest refused it. All now refuse it, naming the first part to give."""
    first = _split_fif(tmp_path / "in")
    part = first.with_name("s_raw-1.fif")
    said = rf"1 later part of split FIF recordings without their first part: .*s_raw-1.fif.*{first}"
    for inputs in ([part], str(tmp_path / "in" / "*-1.fif")):
        with pytest.raises(ValueError, match=said):
            resolve_inputs(inputs)
    args = ["embed", str(part), "--weights", str(weights), "-o", str(tmp_path / "o.npz")]
    assert eegpt_main([*args, "--device", "cpu", "-q"]) != 0
    assert re.search(said, capsys.readouterr().err)
    assert not (tmp_path / "o.npz").exists()


def test_eegpt_embed_reads_a_split_header_once(weights, tmp_path, monkeypatch):
    """eegpt embed of a split FIF recording and its later part asked MNE for the recording's
    header twice before embedding it (to leave the part out, then for its provenance)."""
    import eegpt._file_identity as identity

    first = _split_fif(tmp_path / "in")
    reads: list[object] = []
    read = identity._read_split
    monkeypatch.setattr(identity, "_read_split", lambda p: reads.append(p) or read(p))
    args = [str(first), str(first.with_name("s_raw-1.fif")), "--weights", str(weights)]
    code = eegpt_main(["embed", *args, "-o", str(tmp_path / "o.npz"), "--device", "cpu", "-q"])
    assert code == 0 and (tmp_path / "o.npz").exists()
    assert reads == [first]


def test_a_first_split_part_under_another_spelling_leaves_its_later_part_out(tmp_path):
    """A split recording's first part listed by a symbolic link and its later part by its own
    name: the part was compared by its path with the listed ones, kept, and its samples
    embedded twice (once read with the first part); the file's identity is compared now."""
    first = _split_fif(tmp_path / "in")
    link = tmp_path / "link_raw.fif"
    link.symlink_to(first)
    part = first.with_name("s_raw-1.fif")
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path\n{link}\n{part}\n")
    for inputs in (manifest, [link, part]):
        with pytest.warns(RuntimeWarning, match=r"left out 1 file that continues a split FIF"):
            files = resolve_inputs(inputs).files
        assert [Path(f.recording_id).name for f in files] == ["link_raw.fif"]


RUN = dict(workers=0, device="cpu", progress=False)


def test_a_manifest_lists_split_fif_parts_and_companion_files_as_a_folder_does(model, tmp_path):
    """A manifest that lists a split FIF's later part beside its first part embedded that
    recording's end twice (the first part reads all parts; the later part read alone again),
    and BrainVision's .eeg/.vmrk beside their .vhdr failed as files: both are left out with
    the folder's warnings, their rows' metadata with them. A later part listed without its
    first part is refused, naming the first part to list; a .vmrk alone fails naming its
    .vhdr."""
    from test_annotations import _write_brainvision

    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    data = np.random.default_rng(0).normal(0, 2e-5, (6, 256 * 400))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    raw.save(tmp_path / "long_raw.fif", split_size="2MB", buffer_size_sec=1.0, verbose=False)
    assert (tmp_path / "long_raw-2.fif").exists()
    _write_brainvision(tmp_path)
    rows = [("long_raw.fif", "r02", "a"), ("long_raw-1.fif", "r03", "b"), ("rec.vhdr", "bv", "c"),
            ("rec.eeg", "bve", "d"), ("rec.vmrk", "bvm", "e"), ("long_raw-2.fif", "r04", "f")]  # fmt: skip
    manifest = tmp_path / "m.csv"
    pd.DataFrame(rows, columns=["path", "recording_id", "label"]).to_csv(manifest, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inputs = resolve_inputs(manifest)
    said = [str(w.message) for w in caught]
    assert any(
        re.search(r"left out 2 files that continue a split FIF .*: r03, r04", t) for t in said
    )
    assert any(re.search(r"left out 2 files listed in manifest .* belong to a recording listed "
                         r"too .*: bve, bvm", t) for t in said)  # fmt: skip
    assert [f.recording_id for f in inputs.files] == ["r02", "bv"]
    assert inputs.metadata.column("label").to_pylist() == ["a", "c"]
    with (
        pytest.warns(RuntimeWarning, match="split FIF"),
        pytest.warns(Warning, match="read with it"),
    ):
        summary = embed_dataset(manifest, tmp_path / "out", model=model, **RUN)
    assert summary.n_failed == 0 and summary.windows == 100 + 7  # 400 s once, and 30 s

    alone = tmp_path / "alone.csv"
    alone.write_text("path,recording_id\nrec.vhdr,bv\nlong_raw-1.fif,r03\n")
    first = re.escape(str(tmp_path / "long_raw.fif"))
    with pytest.raises(ValueError, match=rf"lists 1 later part of split FIF recordings without "
                       rf"their first part: row 1 \(r03: list {first} instead\)"):  # fmt: skip
        resolve_inputs(alone)
    (tmp_path / "other").mkdir()  # a file merely named like a later part is a recording
    raw.copy().crop(0, 20).save(tmp_path / "other" / "x_raw-1.fif", verbose=False)
    raw.copy().crop(0, 20).save(tmp_path / "other" / "x_raw.fif", verbose=False)
    named = pd.DataFrame({"path": [str(tmp_path / "other" / "x_raw-1.fif")]})
    assert len(resolve_inputs(named)) == 1
    marker = tmp_path / "marker.csv"
    marker.write_text("path\nrec.vmrk\n")
    summary = embed_dataset(marker, tmp_path / "out2", model=model, **RUN)
    assert summary.n_failed == 1
    assert re.search(r"rec.vmrk is the marker file of a BrainVision recording.*give "
                     rf"{re.escape(str(tmp_path / 'rec.vhdr'))} instead", summary.errors[0]["error"])  # fmt: skip


def test_symbolic_links_are_named_by_the_link_and_read_from_the_target(corpus, tmp_path):
    links = tmp_path / "links"
    (links / "sub").mkdir(parents=True)
    (links / "first.edf").symlink_to(corpus / "a" / "rec01.edf")
    (links / "sub" / "second.edf").symlink_to(corpus / "a" / "rec05.edf")
    (links / "b").symlink_to(corpus / "b", target_is_directory=True)
    target = {"first.edf": "a/rec01.edf", "sub/second.edf": "a/rec05.edf"}

    for inputs in (resolve_inputs(links), resolve_inputs(str(links / "*.edf"))):
        named = {f.recording_id: f.path for f in inputs.files}
        assert named["first.edf"] == str(links / "first.edf")  # read through the link
    by_folder = {f.recording_id: f.path for f in resolve_inputs(links).files}
    for rid, real in target.items():
        assert by_folder[rid] == str(links / rid)
        assert Path(by_folder[rid]).resolve() == (corpus / real).resolve()
    listed = resolve_inputs([links / "first.edf", links / "sub" / "second.edf"])
    assert [f.recording_id for f in listed.files] == ["first.edf", "sub/second.edf"]
    by_glob = resolve_inputs(str(links / "b" / "*.edf"))
    assert [f.recording_id for f in by_glob.files][:2] == ["rec00.edf", "rec02.edf"]
    # a linked folder is searched (once; a loop back to the input folder is left out, with a
    # warning); a dangling link is listed, to fail as unreadable rather than be left out
    # without a word
    (links / "sub" / "loop").symlink_to(links, target_is_directory=True)
    (links / "gone.edf").symlink_to(tmp_path / "nowhere.edf")
    ids = [f.recording_id for f in resolve_inputs(links).files]
    assert ids == ["b/rec00.edf", "b/rec02.edf", "b/rec04.edf", "b/rec06.edf", "first.edf",
                   "gone.edf", "sub/second.edf"]  # fmt: skip
    patterned = resolve_inputs(links, pattern="b/**/*.edf").files
    assert [f.recording_id for f in patterned] == ["b/rec00.edf", "b/rec02.edf", "b/rec04.edf",
                                                    "b/rec06.edf"]  # fmt: skip
    # ** through the loops (two of them) ends too, each file once; so does a quoted glob
    (links / "sub" / "again").symlink_to(links, target_is_directory=True)
    everywhere = [f.recording_id for f in resolve_inputs(links, pattern="**/*.edf").files]
    assert everywhere == ids
    assert [f.recording_id for f in resolve_inputs(str(links / "**" / "*.edf")).files] == ids
    assert [f.recording_id for f in resolve_inputs(links, pattern="s?b/[rs]*.edf").files] == [
        "sub/second.edf"
    ]
    assert [f.recording_id for f in resolve_inputs(links, pattern="[!b]*.edf").files] == [
        "first.edf", "gone.edf"
    ]  # fmt: skip
    # a link to a file listed under another name (here through the linked folder b): left out,
    # with a warning, not embedded twice; so is a file given twice in a list
    (links / "sub" / "third.edf").symlink_to(corpus / "b" / "rec02.edf")
    with pytest.warns(RuntimeWarning, match=r"left out 1 input that led.*sub/third.edf \(= "
                      r"b/rec02.edf\)"):  # fmt: skip
        assert [f.recording_id for f in resolve_inputs(links).files] == ids
    # a linked folder beside the folder it leads to: the first by name kept, the link named
    (links / "sub_again").symlink_to(links / "sub", target_is_directory=True)
    (links / "sub" / "zz").symlink_to(links / "sub", target_is_directory=True)  # a loop: quiet
    with pytest.warns(RuntimeWarning, match=r"left out 1 linked folder .*: sub_again \(= sub\)$"):
        again = resolve_inputs(links, pattern="s*/*.edf").files
    assert [f.recording_id for f in again] == ["sub/second.edf", "sub/third.edf"]
    (links / "sub_again").unlink()
    (links / "sub" / "zz").unlink()
    with pytest.warns(RuntimeWarning, match=r"left out 1 input .*rec01.edf \(= .*first.edf\)"):
        twice = resolve_inputs([links / "first.edf", corpus / "a" / "rec01.edf"])
    assert len(twice.files) == 1
    import os

    os.link(corpus / "a" / "rec05.edf", tmp_path / "hard.edf")  # a hard link: the same file
    with pytest.warns(RuntimeWarning, match=r"left out 1 input .*hard.edf \(= .*rec05.edf\)"):
        hard = resolve_inputs([corpus / "a" / "rec05.edf", tmp_path / "hard.edf"])
    assert len(hard.files) == 1


def test_linked_folders_leading_to_the_input_folder_or_above_are_left_out(tmp_path, caplog):
    """A link to a folder holding the input folder (``up -> ..``) or to the input folder
    itself would list files from outside it: left out, with one warning naming them; a link
    to a folder elsewhere (a corpus assembled from links) is followed, named in the log."""
    import logging

    root = tmp_path / "corpus" / "in"
    (root / "lnk").mkdir(parents=True)
    (root / "rec.edf").write_bytes(b"")
    (tmp_path / "corpus" / "unrelated.edf").write_bytes(b"")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "far.edf").write_bytes(b"")
    (root / "up").symlink_to("..", target_is_directory=True)
    (root / "lnk" / "self").symlink_to("..", target_is_directory=True)
    (root / "far").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        with pytest.warns(RuntimeWarning) as caught:
            files = resolve_inputs(root, verbose=True).files
    assert [f.recording_id for f in files] == ["far/far.edf", "rec.edf"]
    said = [str(w.message) for w in caught]
    assert said == [
        f"left out 2 linked folders that lead to the input folder {root} or to a folder "
        f"holding it, so as not to embed files from outside it: lnk/self (-> {root}), up (-> "
        f"{root.parent})"
    ]
    assert f"followed 1 linked folder that lead outside it: far -> {tmp_path / 'elsewhere'}" in (
        caplog.text
    )


def test_a_dangling_link_is_named_as_a_link_not_by_its_missing_target(tmp_path):
    """A dangling link is read as itself, so that the error says the link is broken rather than
    naming only a file the user never gave."""
    from eegpt.io import read_recording

    link = tmp_path / "broken_link.edf"
    link.symlink_to("does_not_exist.edf")
    broken = rf"broken_link.edf is a symbolic link to {tmp_path / 'does_not_exist.edf'}, which "
    (listed,) = resolve_inputs(tmp_path).files
    assert listed.path == str(link)
    with pytest.raises(FileNotFoundError, match=broken + "does not exist"):
        read_recording(listed.path)
    with pytest.raises(FileNotFoundError, match=broken + "does not exist"):
        resolve_inputs(link)
    with pytest.raises(FileNotFoundError, match=r"1 input file\(s\) not found: .*; .*"
                       r"broken_link.edf is a symbolic link to a file that does not exist"):  # fmt: skip
        resolve_inputs([link])


def test_a_folder_that_cannot_be_listed_refuses_the_listing(tmp_path, monkeypatch, capsys):
    """An unreadable folder hides an unknown number of recordings: the listing is refused,
    naming it and the reason, unless a pattern (or a glob) leaves it out."""
    from eegpt.dataset_inputs import recordings_under

    for name in ("a/r1.edf", "b/r2.edf", "locked/x.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    scandir = os.scandir

    def no_permission(path: Any) -> Any:
        if Path(path).name == "locked":  # as chmod 000 would for a user other than root
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", no_permission)
    refused = rf"cannot list 1 folder .*{tmp_path / 'locked'} \(Permission denied\);.*--pattern"
    for listing in (
        resolve_inputs,
        recordings_under,
        lambda p: resolve_inputs(str(p / "**/*.edf")),
    ):
        with pytest.raises(OSError, match=refused):
            listing(tmp_path)
    assert eegpt_main(["channels", str(tmp_path)]) == 1
    assert re.search(refused, capsys.readouterr().err)
    # leaving it out: a pattern that it cannot match, or a glob of the other folders
    assert [f.recording_id for f in resolve_inputs(tmp_path, pattern="[ab]/*.edf").files] == [
        "a/r1.edf", "b/r2.edf"
    ]  # fmt: skip
    assert [f.recording_id for f in resolve_inputs(str(tmp_path / "a" / "**/*.edf")).files] == [
        "r1.edf"
    ]


def test_the_advice_for_a_folder_that_cannot_be_listed_avoids_it(tmp_path, monkeypatch):
    """The pattern and glob the refusal advises list the other folders without entering the
    unreadable one (a '**' would enter it); ``lost+found`` (root's alone on ext file systems)
    is skipped without a word."""
    for name in ("a/r1.edf", "b/r2.edf", "locked/x.edf", "lost+found/#123"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    scandir, listed = os.scandir, []

    def no_permission(path: Any) -> Any:
        listed.append(Path(path).name)
        if Path(path).name in ("locked", "lost+found"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", no_permission)
    with pytest.raises(OSError, match=r"cannot list 1 folder") as refused:
        resolve_inputs(tmp_path, pattern="**/*.edf")
    assert "lost+found" not in str(refused.value)
    advised = re.search(r"pattern='([^']+)'", str(refused.value))[1]
    glob_input = re.search(r"as a glob input: '([^']+)'", str(refused.value))[1]
    assert advised == "a/**/*.edf" and glob_input == str(tmp_path / "a" / "**/*.edf")
    for listing in (
        lambda: resolve_inputs(tmp_path, pattern=advised),
        lambda: resolve_inputs(glob_input),
    ):
        listed.clear()
        assert [f.path for f in listing().files] == [str(tmp_path / "a" / "r1.edf")]
        assert "locked" not in listed
    (tmp_path / "locked" / "x.edf").unlink()
    (tmp_path / "locked").rmdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(resolve_inputs(tmp_path).files) == 2  # lost+found: not entered, not said


def test_a_link_loop_and_a_folder_named_as_a_recording_fail_as_files(tmp_path, model):
    """A link that loops (its target cannot be looked at) is listed when it matches, to fail on
    its own rather than end the listing, and is said to be a loop; a folder named as a recording
    (not a recording folder such as .mff) is listed to fail as a folder, not left out."""
    from eegpt.io import read_recording

    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    write_edf(synthetic_raw(minutes=0.1, seed=0)[0], folder / "sub" / "good.edf")
    (folder / "sub" / "loop.edf").symlink_to(folder / "sub" / "loop.edf")
    (folder / "sub" / "loop.txt").symlink_to(folder / "sub" / "loop.txt")  # not matched: skipped
    (folder / "dir.edf").mkdir()
    ids = ["dir.edf", "sub/good.edf", "sub/loop.edf"]
    assert [f.recording_id for f in resolve_inputs(folder).files] == ids
    assert [f.recording_id for f in resolve_inputs(folder, pattern="**/*.edf").files] == ids
    assert [f.recording_id for f in resolve_inputs(str(folder / "**/*.edf")).files] == ids
    loop = r"loop.edf is a symbolic link loop"
    with pytest.raises(FileNotFoundError, match=loop):
        read_recording(folder / "sub" / "loop.edf")
    with pytest.raises(FileNotFoundError, match=loop):
        resolve_inputs(folder / "sub" / "loop.edf")

    summary = embed_dataset(folder, tmp_path / "out", model=model, workers=0, device="cpu",
                            progress=False)  # fmt: skip
    assert (summary.n_ok, summary.n_failed) == (1, 2)
    errors = {e["recording_id"]: e["error"] for e in summary.errors}
    assert "is a folder, not a recording" in errors["dir.edf"]
    assert re.search(loop, errors["sub/loop.edf"])

    # a folder named as a recording that holds recordings is a folder, not a failed file
    other = tmp_path / "other"
    (other / "session.edf").mkdir(parents=True)
    write_edf(synthetic_raw(minutes=0.1, seed=1)[0], other / "session.edf" / "run1.edf")
    assert [f.recording_id for f in resolve_inputs(other).files] == ["session.edf/run1.edf"]


@pytest.mark.parametrize(
    "frame, match",
    [
        ({"file": ["x.edf"]}, "needs a 'path' column"),
        ({"path": ["x.edf", "y.edf"], "recording_id": ["r", "r"]}, "must be unique"),
        ({"path": ["x.edf"], "embedding": [1]}, "clash with output columns"),
        ({"path": ["x.edf", None]}, "empty 'path'"),
    ],
)
def test_bad_manifests_are_refused(frame, match):
    with pytest.raises(ValueError, match=match):
        resolve_inputs(pd.DataFrame(frame))


def test_missing_inputs_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="not an existing folder"):
        resolve_inputs(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no files ending in"):
        resolve_inputs(tmp_path)
    with pytest.raises(FileNotFoundError, match="matches no files"):
        resolve_inputs(str(tmp_path / "*.edf"))


# ------------------------------------------------------------------------------------- output


@pytest.mark.filterwarnings("ignore:3 channel:RuntimeWarning")
def test_rows_equal_per_file_embed_and_errors_are_reported(clean_run, corpus, model):
    out, summary = clean_run
    assert summary.complete and summary.n_files == 7 and summary.shards == 3
    assert (summary.n_ok, summary.n_failed) == (6, 1)
    assert summary.errors[0]["recording_id"] == "a/rec03.edf"
    assert "corrupt" in summary.errors[0]["error"] or "EDF" in summary.errors[0]["error"]

    df = pd.read_parquet(out)  # the one-liner: every shard, none of the reports
    assert len(df) == summary.windows == summary.run_windows
    assert list(df.columns) == [
        "recording_id",
        "path",
        "window",
        "onset_s",
        "clock_s",
        "clock_time",
        "channels",
        "input_channels",
        "annotations",
        "bad",
        "event",
        "epochs_metadata",
        "padded",
        "flat_channels",
        "clipped_channels",
        "flagged",
        "embedding",
    ]
    assert df["epochs_metadata"].isna().all()  # no epochs files here
    assert not df["padded"].any()  # tail="drop": no window holds zeros
    assert "a/rec03.edf" not in set(df.recording_id)
    table, emb = read_embeddings(out)
    assert "epochs_metadata" not in table  # nothing to spread into columns
    only, none = read_embeddings(out, columns=["recording_id", "onset_s"], embeddings=False)
    assert none is None and list(only.columns) == ["recording_id", "onset_s"]
    assert only.equals(table[["recording_id", "onset_s"]])
    assert emb.shape == (len(df), 16, 4, 64) and emb.dtype == np.float32
    for rid in ["a/rec01.edf", "b/rec04.edf"]:
        rows = table.recording_id == rid
        direct = model.embed(corpus / rid, device="cpu")
        np.testing.assert_array_equal(emb[rows.to_numpy()], direct.data)  # bit for bit
        np.testing.assert_array_equal(table.onset_s[rows], direct.onsets)
        np.testing.assert_array_equal(table.window[rows], np.arange(len(direct)))
        assert table.flagged[rows].tolist() == direct.flagged.tolist()  # as embed flags them
        assert list(df.channels[rows].iloc[0]) == direct.metadata["channels"]["names"]
        assert list(df.input_channels[rows].iloc[0])[7] == "EEG T3-REF"
    # 30 s + 45 s + 60 s ... of EEG
    assert summary.hours == pytest.approx(sum([45, 60, 30, 60, 30, 45]) / 3600)

    errors = pd.read_csv(out / ERRORS_REPORT)
    assert errors.recording_id.tolist() == ["a/rec03.edf"] and errors.error[0]
    files = pd.read_csv(out / FILES_REPORT)
    assert files.status.value_counts().to_dict() == {"ok": 6, "failed": 1}
    assert "EEG EKG1-REF" in files.dropped_channels[0]
    ok = files.status == "ok"  # seconds spent reading each file, to find the slow ones
    assert (files.read_s[ok] > 0).all() and (files.read_s[~ok] >= 0).all()
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["totals"]["windows"] == len(df) and manifest["shards_done"] == [0, 1, 2]
    spec, status = read_shard_status(out / "shard-00001.parquet")
    assert spec["checkpoint"]["sha256"] == model.checkpoint_info["sha256"]
    assert spec["embedding_shape"] == [16, 4, 64] and spec["preprocessing"]["sfreq"] == 256
    assert [f["recording_id"] for f in status["files"]] == [
        "b/rec00.edf",
        "b/rec02.edf",
        "b/rec04.edf",
    ]
    _, status = read_shard_status(out / "shard-00000.parquet")
    assert [f["status"] for f in status["files"]] == ["ok", "failed", "ok"]
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_parts_of_a_job_array_read_back_as_the_whole_run(
    clean_run, corpus, model, tmp_path, monkeypatch
):
    """--part K/N: one job per part (every N-th file, the whole corpus's ids), each into its
    own folder; the folder above them reads as the one run's rows, and says which parts are
    missing."""
    out, _ = clean_run
    whole, emb = read_embeddings(out)
    parts = tmp_path / "array"
    for k in (0, 2):
        embed_dataset(corpus, parts / f"part-{k}", model=model, part=(k, 3), shard_size=2,
                      workers=0, device="cpu", progress=False)  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"hold 2 of the 3 parts of a --part run that have "
                      r"files: part 1 is missing"):  # fmt: skip
        read_embeddings(parts)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one part read on purpose: no word of the others
        read_embeddings(parts / "part-0")
    assert cli_main([str(corpus), "-o", str(parts / "part-1"), "--weights", "unused", "--part",
                     "3/3", "-q"]) == 1  # fmt: skip
    assert not (parts / "part-1").exists()
    with pytest.raises(SystemExit, match="2"):  # argparse's usage error
        cli_main([str(corpus), "-o", str(parts / "part-1"), "--part", "1-3"])
    for name, value in [("SLURM_JOB_ID", "130"), ("SLURM_ARRAY_JOB_ID", "120"),
                        ("SLURM_ARRAY_TASK_ID", "1")]:  # fmt: skip
        monkeypatch.setenv(name, value)
    summary = embed_dataset(corpus, parts / "part-1", model=model, part="1/3", shard_size=2,
                            workers=0, device="cpu", progress=False)  # fmt: skip
    assert summary.n_files == 2  # b/rec00.edf and b/rec04.edf: every third from the second
    run = json.loads((parts / "part-1" / MANIFEST).read_text())["runs"][-1]
    assert (run["slurm_job_id"], run["slurm_array_job_id"], run["slurm_array_task_id"]) == (
        "130",
        "120",
        "1",
    )
    assert "(SLURM job 120_1)" in describe_output(parts / "part-1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, together = read_embeddings(parts)
    order = table.sort_values(["recording_id", "window"]).index.to_numpy()
    expected = whole.sort_values(["recording_id", "window"]).index.to_numpy()
    assert (
        table.recording_id.to_numpy()[order].tolist()
        == whole.recording_id.to_numpy()[expected].tolist()
    )
    np.testing.assert_array_equal(together[order], emb[expected])  # bit for bit on the CPU
    one = load_embeddings(parts, recording_id="b/rec04.edf")  # found in its part
    np.testing.assert_array_equal(one.data, emb[(whole.recording_id == "b/rec04.edf").to_numpy()])
    with pytest.raises(KeyError, match=r"no part of .* \(3 run folders: part-0, part-1, "
                       r"part-2\) lists the recording 'c/none.edf'"):  # fmt: skip
        load_embeddings(parts, recording_id="c/none.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # found in its part, no word of the others
        load_embeddings(parts, recording_id="b/rec00.edf")
    # resuming a part with another K/N is refused, saying which part the folder holds
    with pytest.raises(ValueError, match=r"This folder holds part 1/3 of its corpus: resume it "
                       r"with the same input and --part 1/3"):  # fmt: skip
        embed_dataset(corpus, parts / "part-1", model=model, part=(0, 3), shard_size=2,
                      workers=0, device="cpu", progress=False)  # fmt: skip
    with pytest.raises(ValueError, match=r"give two whole numbers K and N"):
        embed_dataset(corpus, tmp_path / "p", model=model, part="1of3", progress=False)
    # a job array of more tasks than files: the tasks past them have nothing to do (exit 0),
    # and are not missing when the parts are read
    assert cli_main([str(corpus), "-o", str(tmp_path / "p9"), "--weights", "unused", "--part",
                     "8/9"]) == 0  # fmt: skip
    assert not (tmp_path / "p9").exists()
    many = tmp_path / "many"
    for k in range(7):
        embed_dataset(corpus, many / f"part-{k}", model=model, part=(k, 9), workers=0,
                      device="cpu", progress=False)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(read_embeddings(many)[0]) == len(whole)
    shutil.rmtree(many / "part-5")
    described = describe_parts(many)
    assert "  part-0: part 0/9, 1 file: 1 ok, 0 failed, 0 pending; shards 1 of 1 written" in (
        described
    )
    assert "  missing: part(s) 5 of 9" in described and "part-6" in described
    embed_dataset(corpus, many / "part-5", model=model, part=(5, 9), workers=0, device="cpu",
                  progress=False)  # fmt: skip
    # a part whose job has not written a shard yet: the others are read, with a word
    for shard in (many / "part-6").glob("shard-*.parquet"):
        shard.unlink()
    with pytest.warns(RuntimeWarning, match=r"part-6 hold no shard yet .* read without them"):
        table, _ = read_embeddings(many)
    assert len(table) < len(whole)


def test_a_grown_corpus_is_refused_with_how_to_add_files_or_resume(corpus, model, tmp_path):
    """Files added to a corpus after its run: refused, saying how to embed the new ones with
    comparable ids, and how to finish the old run as it was (its files report as the input)."""
    import shutil

    folder, out = tmp_path / "corpus", tmp_path / "out"
    (folder / "b").mkdir(parents=True)
    for name in ("rec00.edf", "rec02.edf"):
        shutil.copy(corpus / "b" / name, folder / "b" / name)
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(folder, out, **run)
    (out / "shard-00001.parquet").unlink()  # an unfinished run
    assert "(only 1 of the 2 shard files the counts above include are there: deleted since? " in (
        describe_output(out)
    )
    shutil.copy(corpus / "b" / "rec04.edf", folder / "b" / "rec04.edf")
    with pytest.raises(ValueError, match=r"1 file added \(b/rec04.edf\).* a 'recording_id' "
                       r"column naming each as this run would .* To resume this run as it was, "
                       r"give .*_files.csv as the input"):  # fmt: skip
        embed_dataset(folder, out, **run)
    summary = embed_dataset(out / FILES_REPORT, out, **run)
    assert summary.complete and summary.n_files == 2 and summary.run_windows > 0


def _copied_corpus(corpus: Path, folder: Path, names: list[str]) -> Path:
    """A corpus folder holding copies of ``corpus``'s files ``names`` (``b/rec00.edf`` ...)."""
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus / name, folder / name)
    return folder


def test_parts_split_from_a_grown_listing_are_refused_and_read_as_such(corpus, model, tmp_path):
    """A file added to the corpus between two tasks of a job array moves files between parts
    (every N-th file of the listing): the later task is refused, naming the file added and
    the listing to freeze; parts made apart anyway are not read (or described) as one
    table."""
    folder = _copied_corpus(corpus, tmp_path / "tuh", ["a/rec01.edf", "b/rec00.edf", "b/rec02.edf"])
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    (parts / "part-7").mkdir(parents=True)  # a sibling being made: passed over
    (parts / "part-7" / MANIFEST).write_text('{"spec": ')
    embed_dataset(folder, parts / "part-0", part=(0, 2), **run)
    listing = pd.read_csv(parts / "part-0" / "_corpus.csv")
    assert listing.recording_id.tolist() == ["a/rec01.edf", "b/rec00.edf", "b/rec02.edf"]
    shutil.copy(corpus / "b" / "rec04.edf", folder / "00_added.edf")  # sorts first
    with pytest.raises(ValueError, match=r"part 1/2 would be split from the listing of .* as it "
                       r"is now, 4 files, but .*part-0 \(part 0/2\) was split from a listing of "
                       r"3 files \(since then: 1 file added \(00_added.edf\)\)\. .* Freeze one "
                       r"listing in a manifest .*copy .*part-0.*_corpus.csv to keep"):  # fmt: skip
        embed_dataset(folder, parts / "part-1", part=(1, 2), **run)
    assert not (parts / "part-1").exists()
    # the same parts made without the check (a folder moved in): found when read
    embed_dataset(folder, tmp_path / "elsewhere" / "part-1", part=(1, 2), **run)
    (tmp_path / "elsewhere" / "part-1").rename(parts / "part-1")
    shutil.rmtree(parts / "part-7")
    described = describe_parts(parts)
    assert "read as one table" not in described
    assert re.search(r"NOT parts of one corpus: the parts were split from different listings "
                     r"of their corpus .*: part-0 from one of 3 files; part-1 from one of 4 "
                     r"files\. .*delete part-1 and run those parts again on .*part-0.*_corpus.csv",
                     described)  # fmt: skip
    for read in (parts, [parts / "part-0", parts / "part-1"]):
        with pytest.raises(ValueError, match=r"read_embeddings: the parts were split from "
                           r"different listings"):  # fmt: skip
            read_embeddings(read)
    # the listing frozen: the part run again on it reads with part-0 as one corpus
    shutil.rmtree(parts / "part-1")
    frozen = shutil.copy(parts / "part-0" / "_corpus.csv", tmp_path / "listing.csv")
    embed_dataset(frozen, parts / "part-1", part=(1, 2), **run)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = read_embeddings(parts)
    assert sorted(set(table.recording_id)) == ["a/rec01.edf", "b/rec00.edf", "b/rec02.edf"]


def test_parts_split_from_a_shrunk_listing_are_refused_and_read_as_such(corpus, model, tmp_path):
    """A file removed between the tasks of a job array: the later tasks are refused, naming
    it; parts made apart anyway are refused by read_embeddings, not blamed on overlapping
    manifests."""
    names = ["a/rec01.edf", "b/rec00.edf", "b/rec02.edf", "b/rec04.edf"]
    folder = _copied_corpus(corpus, tmp_path / "tuh", names)
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(folder, parts / "part-0", part=(0, 3), **run)
    (folder / "b" / "rec00.edf").unlink()
    for k in (1, 2):
        with pytest.raises(ValueError, match=r"4 files \(since then: 1 file gone "
                           r"\(b/rec00.edf\)\)"):  # fmt: skip
            embed_dataset(folder, parts / f"part-{k}", part=(k, 3), **run)
    for k in (1, 2):  # made without the check
        embed_dataset(folder, tmp_path / "elsewhere" / f"part-{k}", part=(k, 3), **run)
        (tmp_path / "elsewhere" / f"part-{k}").rename(parts / f"part-{k}")
    with pytest.raises(ValueError, match=r"part-0 from one of 4 files; part-1, part-2 from "
                       r"one of 3 files\. .*To keep the listing of part-1, part-2, delete "
                       r"part-0"):  # fmt: skip
        read_embeddings(parts)
    assert "NOT parts of one corpus" in describe_parts(parts)


def test_worker_processes_and_several_replicas_give_the_same_rows(
    clean_run, corpus, model, tmp_path
):
    out, _ = clean_run
    inputs = resolve_inputs(corpus)
    config = PreprocessingConfig()
    results = []
    engines = make_engines(model, [torch.device("cpu")] * 2, batch_size=5)
    run_inprocess(
        inputs.files,
        results.append,
        engines=engines,
        load_kwargs={"config": config},
        workers=2,
    )
    assert [r.index for r in results] == list(range(7))
    table, emb = read_embeddings(out)
    got = np.concatenate([r.embeddings for r in results if r.error is None])
    np.testing.assert_array_equal(got, emb.reshape(len(emb), -1))
    assert results[1].error and "EDF" in results[1].error  # a/rec03.edf


@pytest.mark.filterwarnings("ignore:3 channel:RuntimeWarning")
def test_manifest_metadata_columns_and_mean_pooling(corpus, model, tmp_path):
    manifest = tmp_path / "list.csv"
    rows = [(corpus / "b/rec02.edf", "s1", 0, 31), (corpus / "a/rec01.edf", "s2", 1, "")]
    manifest.write_text(
        "path,recording_id,subject,label,age\n"
        + "".join(f"{p},{p.stem},{s},{lab},{age}\n" for p, s, lab, age in rows)
    )
    out = tmp_path / "out"
    summary = embed_dataset(
        manifest, out, model=model, pooling="mean", workers=0, progress=False, batch_size=4
    )
    assert summary.n_ok == 2
    df = pd.read_parquet(out)
    assert list(df.columns[-4:]) == ["subject", "label", "age", "embedding"]
    assert df.groupby("recording_id").label.first().to_dict() == {"rec01": 1, "rec02": 0}
    assert df.recording_id.iloc[0] == "rec02"  # manifest order
    table, emb = read_embeddings(out)
    assert str(table["age"].dtype) == "Int64" and table["age"].isna().sum() > 0  # not floats
    direct = model.embed(corpus / "b/rec02.edf")
    np.testing.assert_allclose(emb[: len(direct)], direct.pooled("mean"), rtol=1e-5, atol=1e-6)
    # rows and columns chosen while reading: only those reach memory
    some, z = read_embeddings(out, columns=["window"], filters=[("subject", "==", "s1")])
    assert list(some.columns) == ["window"] and len(some) == len(direct) == len(z)
    np.testing.assert_array_equal(z, emb[: len(direct)])
    for filters in (
        [("session", "==", "1")],
        [[("subject", "==", "s1")], [("sessoin", "in", [1])]],
    ):
        with pytest.raises(
            ValueError, match=r"the filters name column\(s\) \['s\w*'\] that .* it has "
        ):
            read_embeddings(out, filters=filters)  # named, with the columns there are
    import pyarrow.compute as pc

    with pytest.raises(ValueError, match=r"the filters name a column .* it has \['recording_id'"):
        read_embeddings(out, filters=pc.field("sessoin") == 1)  # an expression, too
    with pytest.raises(ValueError, match=r"column 'annotations' holds a list per window, .* "
                       r"df\[df\['annotations'\].map"):  # fmt: skip
        read_embeddings(out, filters=[("annotations", "==", "BAD_muscle")])
    # one recording of the run: its vectors as one patch and one token each
    one = load_embeddings(out, recording_id="rec02")
    assert one.data.shape == (len(direct), 1, 1, emb.shape[1])
    assert one.metadata["pool"] == "mean"
    dropped = direct.metadata["channels"]["dropped"]
    assert dropped and one.metadata["channels"]["dropped"] == dropped  # from the file status
    assert any("do not match the EEGPT vocabulary" in w for w in one.metadata["warnings"])
    np.testing.assert_array_equal(one.pooled("mean"), z)
    for how in ("flatten", "mean_tokens", "mean_patches"):  # not the mean of tokens never kept
        with pytest.raises(ValueError, match=rf"pooled\('{how}'\): these embeddings were stored "
                           r"pooled \('mean'.*use pooled\('mean'\), or embed again with --pool none"):  # fmt: skip
            one.pooled(how)
    import pyarrow.dataset as pads

    older, _ = read_embeddings(out, filters=pads.field("age") > 30)
    assert set(older["subject"]) == {"s1"}


def test_a_truncated_file_is_blamed_on_its_truncation(tmp_path):
    """A file cut short fails as truncated, not as a recording too short to fix with padding."""
    good = write_edf(synthetic_raw(minutes=1.0, seed=1)[0], tmp_path / "good.edf")
    cut = tmp_path / "cut.edf"
    cut.write_bytes(good.read_bytes()[:20000])  # the header and about a second of data
    loaded = load_file(0, str(cut), PreprocessingConfig())
    assert loaded.error.startswith(f"{cut}: the file is truncated: the header announces")
    assert "What is left cannot be used: TooShortError" in loaded.error
    assert status_of(loaded.error) == "failed"  # not skipped as a short recording


@pytest.mark.parametrize("cut", [0.01, 0.05])
def test_a_fif_file_cut_early_fails_as_truncated_not_as_too_short(tmp_path, cut):
    """MNE reads on past a FIF tag the cut leaves short (warning "Invalid tag"), giving the
    seconds before the cut: the file fails as truncated, without MNE's line, where it was
    skipped as too short (and padding advised) before; reading it alone says the same."""
    raw, _ = synthetic_raw(minutes=2.0, seed=1)
    whole = tmp_path / "whole_raw.fif"
    raw.save(whole, verbose="error")
    path = tmp_path / "cut_raw.fif"
    path.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * cut)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_file(0, str(path), PreprocessingConfig())
        with pytest.raises(RecordingError, match="the file looks truncated or corrupt: ") as err:
            open_stream(path, verbose="error")
    assert f"{path}: the file looks truncated or corrupt: " in loaded.error
    assert status_of(loaded.error) == "failed" and str(path) in str(err.value)
    said = [str(w.message) for w in caught] + loaded.warnings
    assert not [t for t in said if "Invalid tag" in t], said


def test_a_failed_file_that_was_read_keeps_its_duration(tmp_path):
    """A recording too short for one window fails, and the reports give its real length; a
    file that could not be read at all has none."""
    raw, _ = synthetic_raw(minutes=2.0 / 60, seed=3)  # 2 s
    short = write_edf(raw, tmp_path / "short.edf")
    loaded = load_file(0, str(short), PreprocessingConfig())
    assert "shorter than one window" in loaded.error
    assert loaded.duration_s == pytest.approx(2.0, abs=0.01)
    (tmp_path / "junk.edf").write_bytes(CORRUPT)
    assert load_file(1, str(tmp_path / "junk.edf"), PreprocessingConfig()).duration_s is None
    gone = load_file(2, str(tmp_path / "nowhere.edf"), PreprocessingConfig())  # no such file
    assert gone.error and gone.duration_s is None


def test_a_file_that_could_not_be_read_has_no_length_in_the_reports(clean_run, tmp_path):
    """The corrupt file's length is unknown, as its rate is: empty in _files.csv and
    _errors.csv, null in its shard's status, not 0 s; the totals count the files embedded, and
    a run from before (0.0 recorded) is read by the loaders and eegpt info as it was."""
    out, _ = clean_run
    for report in (FILES_REPORT, ERRORS_REPORT):
        rows = pd.read_csv(out / report).set_index("recording_id")
        assert pd.isna(rows.loc["a/rec03.edf", "duration_s"]), report
    files = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert files.loc["a/rec01.edf", "duration_s"] > 0
    statuses = {
        f["recording_id"]: f for s in shard_files(out) for f in read_shard_status(s)[1]["files"]
    }
    assert statuses["a/rec03.edf"]["duration_s"] is None
    totals = json.loads((out / MANIFEST).read_text())["totals"]
    ok = files[files.status == "ok"]
    assert totals["hours"] == pytest.approx(ok.duration_s.sum() / 3600)

    old = tmp_path / "old"  # as an eegpt that recorded 0.0 wrote it
    shutil.copytree(out, old)
    for shard in shard_files(old):
        table, (_, status) = pq.read_table(shard), read_shard_status(shard)
        for f in status["files"]:
            f["duration_s"] = f["duration_s"] or 0.0
        with pq.ParquetWriter(shard, table.schema) as writer:
            writer.write_table(table)
            writer.add_key_value_metadata({"eegpt_shard": json.dumps(status)})
    assert len(load_embeddings(old, recording_id="a/rec01.edf").data)
    assert eegpt_main(["info", str(old)]) == 3  # the corrupt file failed: needs attention


def test_a_file_whose_used_channels_are_all_flat_fails_with_the_reason(tmp_path):
    """An EGI file whose only mapped channel is its flat reference 'Cz' is a failed file of
    the corpus, saying why, not windows of zeros."""
    names = [*(f"E{i}" for i in range(1, 129)), "Cz"]
    x = 20e-6 * np.random.default_rng(0).standard_normal((129, 256 * 8))
    x[-1] = 0.0
    raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose="error")
    path = tmp_path / "egi_raw.fif"
    raw.save(path, verbose="error")
    loaded = load_file(0, str(path), PreprocessingConfig())
    assert "nothing usable is left" in loaded.error and "(VREF)" in loaded.error
    assert len(loaded.data) == 0


def test_a_file_whose_embeddings_are_not_finite_fails_as_embed_refuses_it(weights, tmp_path):
    """Samples the model overflows on (finite, absurd) fail their file as ``eegpt embed``
    refuses it, naming the first window's time; its rows are not written; the good file is
    embedded and the run exits with 3."""
    folder = tmp_path / "in"
    folder.mkdir()
    names = ["C3", "Cz", "C4"]
    x = 20e-6 * np.random.default_rng(0).standard_normal((3, 256 * 8))
    for name, scale in [("good_raw.fif", 1.0), ("bad_raw.fif", 1e30)]:
        raw = mne.io.RawArray(x * scale, mne.create_info(names, 256.0, "eeg"), verbose="error")
        raw.save(folder / name, verbose="error")
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert cli_main([*args, "--device", "cpu", "-q"]) == 3
    files = pd.read_csv(out / "_files.csv").set_index("path")
    assert files.loc[str(folder / "good_raw.fif"), "status"] == "ok"
    assert files.loc[str(folder / "bad_raw.fif"), "status"] == "failed"
    errors = pd.read_csv(out / "_errors.csv")
    assert list(errors["path"]) == [str(folder / "bad_raw.fif")]
    assert (
        "the model produced NaN/Inf embeddings for 2 window(s), the first at 0 s"
        in (errors["error"][0])
    )
    table, emb = read_embeddings(out)
    assert set(table["path"]) == {str(folder / "good_raw.fif")} and np.isfinite(emb).all()


def test_manifest_values_are_kept_as_written(corpus, tmp_path):
    """Zero-padded ids stay text, empty cells are missing, numbers stay numbers."""
    manifest = tmp_path / "list.csv"
    manifest.write_text(
        "path,recording_id,subject,group,age\n"
        f"{corpus / 'b/rec02.edf'},007,001,patient,31\n"
        f"{corpus / 'a/rec01.edf'},010,010,,\n"
    )
    inputs = resolve_inputs(manifest)
    assert [f.recording_id for f in inputs.files] == ["007", "010"]
    meta = inputs.metadata.to_pydict()
    assert meta == {"subject": ["001", "010"], "group": ["patient", None], "age": [31, None]}


def test_a_manifest_rescale_column_corrects_single_files(corpus, model, tmp_path):
    """A file stored in microvolts labelled as volts, listed with rescale 1e-6, gives the rows
    of the right file without the amplitude warning; the column is kept; bad factors fail."""
    import mne

    raw = mne.io.read_raw_edf(corpus / "b/rec02.edf", preload=True, verbose="error")
    wrong = tmp_path / "uv_as_v_raw.fif"
    raw.copy().apply_function(lambda x: x * 1e6).save(wrong, fmt="double", verbose="error")
    manifest = tmp_path / "list.csv"
    manifest.write_text(f"path,rescale\n{corpus / 'b/rec02.edf'},\n{wrong},1e-6\n")
    assert [f.rescale for f in resolve_inputs(manifest).files] == [1.0, 1e-6]
    out = tmp_path / "out"
    embed_dataset(manifest, out, model=model, workers=0, device="cpu", progress=False)
    df, z = read_embeddings(out)
    right, fixed = (z[df.path.str.endswith(end).to_numpy()] for end in (".edf", ".fif"))
    np.testing.assert_allclose(fixed, right, rtol=1e-5, atol=1e-5)
    assert df.rescale.isna().sum() == len(right) and (df.rescale[len(right) :] == 1e-6).all()
    files = pd.read_csv(out / FILES_REPORT)
    assert not files.warnings.fillna("").str.contains("amplitude check").any()
    for value in ("0", "-1", "x"):
        manifest.write_text(f"path,rescale\n{wrong},{value}\n")
        with pytest.raises(ValueError, match=r"'rescale' column needs positive numbers.*row 0"):
            resolve_inputs(manifest)


def test_reading_warnings_of_mne_are_recorded_per_file(model, tmp_path):
    """What MNE says while reading a file (EEGLAB's 'boundary' events) lands in that file's
    warnings, with the windows over the boundaries marked bad."""
    pytest.importorskip("eeglabio")
    import mne

    raw, _ = synthetic_raw(minutes=0.5, seed=4)
    raw.set_annotations(mne.Annotations([6.0], [0.0], ["boundary"]))
    folder = tmp_path / "in"
    folder.mkdir()
    mne.export.export_raw(folder / "cut.set", raw, verbose="error")
    out = tmp_path / "out"
    embed_dataset(folder, out, model=model, workers=0, device="cpu", progress=False)
    files = pd.read_csv(out / FILES_REPORT)
    assert files.warnings.str.contains("The data contains 'boundary' events").all()
    df, _ = read_embeddings(out)
    assert df.bad.tolist()[:3] == [False, True, False]


def test_resume_skips_done_shards_and_refuses_other_settings(corpus, model, tmp_path):
    out = tmp_path / "out"
    embed_dataset(corpus, out, model=model, shard_size=3, workers=0, progress=False)
    stamps = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("*.parquet")}
    (out / "shard-00001.parquet").unlink()
    again = embed_dataset(corpus, out, model=model, shard_size=3, workers=0, progress=False)
    assert (again.shards_skipped, again.shards_written, again.run_files) == (2, 1, 3)
    for name in ("shard-00000.parquet", "shard-00002.parquet"):
        p = out / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == stamps[name]  # not rewritten
    assert again.complete and again.n_ok == 6

    with pytest.raises(ValueError, match=r"preprocessing.window_seconds \(4.0 -> 2.0\) "
                       r"\[--window\].*--overwrite"):  # fmt: skip
        embed_dataset(corpus, out, model=model, shard_size=3, window_seconds=2.0, progress=False)
    with pytest.raises(ValueError, match="shard_size"):
        embed_dataset(corpus, out, model=model, shard_size=2, progress=False)
    torch.manual_seed(0)
    other = EEGPT(SMALL)
    with pytest.raises(ValueError, match="checkpoint.sha256"):
        embed_dataset(corpus, out, model=other, shard_size=3, progress=False)
    with pytest.raises(ValueError, match=r"inputs.n_files.* Against this folder's run: 3 files "
                       r"added \(rec01.edf, rec03.edf, rec05.edf\); 7 files gone \(a/rec01.edf"):  # fmt: skip
        embed_dataset(corpus / "a", out, model=model, shard_size=3, progress=False)
    with pytest.raises(ValueError, match=r"channels.rename.Cz \(not given -> None: Cz dropped "
                       r"now\) \[--rename / --drop\]"):  # fmt: skip
        embed_dataset(corpus, out, model=model, shard_size=3, rename={"Cz": None}, progress=False)
    with pytest.raises(ValueError, match=r"preprocessing.start_seconds \(0.0 -> 1.0\) \[--start\]"):
        embed_dataset(corpus, out, model=model, shard_size=3, progress=False,
                      preprocessing=PreprocessingConfig(start_seconds=1.0))  # fmt: skip
    with pytest.raises(ValueError, match=r"preprocessing.detrend \('none' -> 'linear'\)"):
        embed_dataset(corpus, out, model=model, shard_size=3, detrend="linear", progress=False)
    with pytest.raises(ValueError, match=r"channels.picks \(None -> \['eeg', 'misc'\]\)"):
        embed_dataset(corpus, out, model=model, shard_size=3, picks=["eeg", "misc"], progress=False)
    redo = embed_dataset(
        corpus, out, model=model, window_seconds=2.0, overwrite=True, workers=0, progress=False
    )
    assert redo.shards_written == 1 and redo.windows > again.windows


def test_a_finished_run_in_a_read_only_folder_reruns_with_nothing_to_do(
    clean_run, corpus, model, monkeypatch
):
    """Rerunning a finished run whose folder is now read-only writes nothing (no lock file,
    no report), so it says there is nothing to do instead of refusing the folder; a run with
    work left (retrying the failures) still refuses it. Simulated: tests run as root, whom
    chmod does not stop."""
    import eegpt.dataset as dataset
    from eegpt.errors import OutputNotWritableError

    out, summary = clean_run
    leftover = out / ".shard-00001.parquet.tmp"  # a killed run's, which it cannot remove now
    leftover.write_bytes(b"")
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out))

    unlink = Path.unlink

    def no_unlink(path: Path, *args: Any, **kwargs: Any) -> None:
        if path.parent == out:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        unlink(path, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", no_unlink)

    def not_writable(folder: Any, *args: Any) -> None:
        raise OutputNotWritableError(f"cannot write the output to {folder}: permission denied")

    monkeypatch.setattr(dataset, "check_output_folder", not_writable)
    monkeypatch.setattr(dataset.FolderLock, "__enter__", read_only)
    monkeypatch.setattr(shard_writer_mod, "atomic_write", read_only)
    monkeypatch.setattr(dataset_runs, "atomic_write", read_only)
    kw = {"model": model, "shard_size": 3, "workers": 0, "device": "cpu", "progress": False}
    again = embed_dataset(corpus, out, **kw)
    assert again.complete and (again.shards_written, again.shards_skipped) == (0, 3)
    assert (again.n_ok, again.n_failed, again.windows) == (6, 1, summary.windows)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    with pytest.raises(OutputNotWritableError, match="permission denied"):
        embed_dataset(corpus, out, retry_failed=True, **kw)
    monkeypatch.setattr(Path, "unlink", unlink)
    leftover.unlink()


def test_a_run_from_before_average_referencing_was_the_default_resumes_only_as_it_was(
    corpus, model, tmp_path, monkeypatch
):
    """A run made when average referencing was off by default (its spec records
    average_reference False, or lacks the field, which meant the same) is not resumed with
    today's default, which would switch the reference mid-run: the refusal says how to
    resume it as it was, and that resumes it."""
    import eegpt.dataset as ds

    real = ds._run_spec

    def without_the_field(*args: Any, **kwargs: Any) -> dict[str, Any]:  # a hand-made spec
        spec = real(*args, **kwargs)
        spec["preprocessing"] = {
            k: v for k, v in spec["preprocessing"].items() if k != "average_reference"
        }
        return spec

    run = {"model": model, "shard_size": 3, "workers": 0, "progress": False}
    refused = (
        r"other settings, so it cannot be resumed: preprocessing.average_reference \(False -> "
        r"True\) \[--average-reference / --no-average-reference\]\. This run was made without "
        r"average referencing, which is now the default \(as in EEGPT's pretraining\); to "
        r"resume it as it was, pass average_reference=False \(--no-average-reference\)\."
    )
    for old, stored in (("recorded", False), ("absent", None)):
        out = tmp_path / old
        if stored is None:
            monkeypatch.setattr(ds, "_run_spec", without_the_field)
        embed_dataset(corpus, out, average_reference=False, **run)  # the old default's run
        monkeypatch.undo()
        spec = json.loads((out / MANIFEST).read_text())["spec"]["preprocessing"]
        assert spec.get("average_reference") is stored
        (out / "shard-00001.parquet").unlink()
        with pytest.raises(ValueError, match=refused):
            embed_dataset(corpus, out, **run)
        again = embed_dataset(corpus, out, average_reference=False, **run)
        assert again.complete and (again.shards_skipped, again.shards_written) == (2, 1)


def test_a_single_channel_recording_fails_saying_how_to_embed_it(model, tmp_path):
    """Average referencing, the default, has no average of one channel: the file fails with
    the advice to turn it off, and embeds with it off."""
    folder = tmp_path / "one"
    folder.mkdir()
    x = np.random.default_rng(0).normal(0, 2e-5, (1, 256 * 8))
    raw = mne.io.RawArray(x, mne.create_info(["Cz"], 256.0, "eeg"), verbose=False)
    raw.save(folder / "cz_raw.fif", verbose=False)
    run = {"model": model, "workers": 0, "progress": False}
    summary = embed_dataset(folder, tmp_path / "out", **run)
    assert summary.n_ok == 0
    (error,) = pd.read_csv(tmp_path / "out" / ERRORS_REPORT).error
    assert "needs at least 2; got 1" in error and "--no-average-reference" in error, error
    kept = embed_dataset(folder, tmp_path / "kept", average_reference=False, **run)
    assert kept.n_ok == 1


def test_a_resumed_run_names_the_recordings_that_changed_since(corpus, model, tmp_path, capsys):
    """Files edited after a run embedded them (re-exported, a corrected header): a resume says
    which ones, that their rows are of the old files and which shards to delete; a failed file
    that changed (repaired) is pointed to --retry-failed; a file touched by nobody is quiet."""
    import shutil

    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out"
    kw = {"model": model, "shard_size": 3, "workers": 0, "progress": False}
    embed_dataset(folder, out, **kw)
    (out / "shard-00002.parquet").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing changed: nothing said
        embed_dataset(folder, out, **kw)
    rec = folder / "b/rec00.edf"  # shard 1 (files are sorted: a/rec01..a/rec05, b/...)
    body = bytearray(rec.read_bytes())
    body[-1] ^= 1
    rec.write_bytes(bytes(body))  # same size, new mtime
    with open(folder / "a/rec03.edf", "ab") as fh:  # the corrupt one, "repaired"
        fh.write(b" ")
    with pytest.warns(RuntimeWarning) as caught:
        summary = embed_dataset(folder, out, **kw)
    texts = [str(w.message) for w in caught]
    assert texts == [
        "embed_dataset: 1 recording changed (size, modification time or contents) since it was "
        "embedded: b/rec00.edf. Its rows were computed from the earlier contents; they are "
        "kept, marked in the 'changed' column of _files.csv (`eegpt info` names it and exits "
        "with 3, as embed-dataset does), until it is embedded again. To do so, delete shard-00001.parquet and run the "
        "same command again (the other files of that shard are embedded again too), or start "
        "over with --overwrite (overwrite=True); --retry-failed embeds only failed files again",
        "embed_dataset: 1 recording that failed changed since: a/rec03.edf; --retry-failed "
        "(retry_failed=True) embeds the failed files again",
    ]
    assert summary.run_files == 0
    # the run's reports keep the mark, and eegpt info names the file (exit 3)
    report = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert report.loc["b/rec00.edf", "changed"] == "recording: contents and modification time"
    assert report["changed"].notna().sum() == 1
    assert json.loads((out / MANIFEST).read_text())["totals"]["changed"] == 1
    assert eegpt_main(["info", str(out)]) == 3
    said = capsys.readouterr().out
    assert (
        "  CHANGED since embedded: 1 recording, whose rows were computed from earlier contents "
        "of the files: b/rec00.edf (recording: contents and modification time)\n    to embed "
        "it again, "
        "delete shard-00001.parquet and run the same command again" in said
    )
    with pytest.warns(RuntimeWarning, match="b/rec00.edf") as caught:  # kept rows are checked
        embed_dataset(folder, out, retry_failed=True, **kw)
    assert not any("a/rec03.edf" in str(w.message) for w in caught)
    assert pd.read_csv(out / FILES_REPORT)["changed"].notna().sum() == 1  # rows still kept
    # embedded again as the warning says: the mark is gone
    (out / "shard-00001.parquet").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        embed_dataset(folder, out, **kw)
    assert pd.read_csv(out / FILES_REPORT)["changed"].isna().all()
    assert eegpt_main(["info", str(out)]) == 3  # no change marked; the corpus's corrupt file failed
    # a hypnogram changed, not its recording: said so
    from eegpt.dataset import DatasetInputs, InputFile, source_stamp, warn_changed

    hyp = tmp_path / "hyp.edf"
    hyp.write_bytes(b"0" * 10)
    file = InputFile(0, "b/rec00.edf", str(rec), annotations=str(hyp))
    status = {"recording_id": file.recording_id, "status": "ok", "shard": 1, **source_stamp(file)}
    status = {k: v for k, v in status.items() if not k.endswith("_fingerprint")}  # an older run's
    os.utime(hyp, ns=(0, 10**18))
    with pytest.warns(RuntimeWarning, match=r"since it was embedded: b/rec00.edf \(its "
                      rf"annotations file {hyp}\)\. Its rows.*--overwrite \(overwrite=True\); "
                      r"--retry-failed embeds only failed files again\. All of them kept"):  # fmt: skip
        warn_changed(DatasetInputs([file]), [status])
    hyp.write_bytes(b"0" * 11)  # another size: no word of copies
    with pytest.warns(RuntimeWarning) as caught:
        changed = warn_changed(DatasetInputs([file]), [status])
    assert str(caught[0].message).endswith("--retry-failed embeds only failed files again")
    assert changed == {"b/rec00.edf": "annotations file: size and modification time"}
    os.utime(hyp, ns=(0, status["annotations_mtime_ns"]))  # the size alone: named alone
    with pytest.warns(RuntimeWarning):
        changed = warn_changed(DatasetInputs([file]), [status])
    assert changed == {"b/rec00.edf": "annotations file: size"}


def test_a_resume_that_finds_changed_recordings_exits_with_3_and_says_so_read_only(
    corpus, weights, tmp_path, monkeypatch, capsys
):
    """embed-dataset exits with 3 when a resume finds recordings changed since embedded (its
    outputs no longer match the files); in a folder it cannot write, the warning says that
    nothing records them, instead of pointing to a column it cannot write."""
    import eegpt.dataset as dataset
    from eegpt.errors import OutputNotWritableError

    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "-q"]
    assert cli_main(args) == 0
    rec = folder / "b/rec00.edf"
    body = bytearray(rec.read_bytes())
    body[-1] ^= 1
    rec.write_bytes(bytes(body))  # same size, new contents and time
    with pytest.warns(RuntimeWarning, match=r"marked in the 'changed' column"):
        assert cli_main(args) == 3
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out))

    def not_writable(folder: Any, *args: Any) -> None:
        raise OutputNotWritableError(f"cannot write the output to {folder}: permission denied")

    monkeypatch.setattr(dataset, "check_output_folder", not_writable)
    monkeypatch.setattr(dataset.FolderLock, "__enter__", read_only)
    monkeypatch.setattr(shard_writer_mod, "atomic_write", read_only)
    monkeypatch.setattr(dataset_runs, "atomic_write", read_only)
    with pytest.warns(RuntimeWarning) as caught:
        assert cli_main(args) == 3
    said = [str(w.message) for w in caught if "b/rec00.edf" in str(w.message)]
    assert len(said) == 1 and "'changed' column" not in said[0]
    assert (
        "the output folder cannot be written, so nothing records that they are stale" in (said[0])
    )
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_a_copy_that_only_changed_modification_times_is_not_a_change(model, corpus, tmp_path):
    """A run records a fingerprint of each recording's contents (its size and first and last
    MiB): a resume in a copy made without -p (same sizes and contents, new modification times)
    says nothing and marks nothing, while an edit that keeps the size is still found. Runs
    that recorded no fingerprint are judged by size and time, as before."""
    from eegpt.dataset import DatasetInputs, InputFile, source_stamp, warn_changed

    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out"
    kw = {"model": model, "shard_size": 3, "workers": 0, "progress": False}
    embed_dataset(folder, out, **kw)
    _, status = read_shard_status(out / "shard-00000.parquet")
    ok = [f for f in status["files"] if f["status"] == "ok"]
    assert all(len(f["source_fingerprint"]) == 64 and "source_sha256" not in f for f in ok)
    (out / "shard-00002.parquet").unlink()
    for rec in folder.rglob("*.edf"):
        os.utime(rec, ns=(0, rec.stat().st_mtime_ns + 10**9))  # as a copy without -p
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # contents as fingerprinted: nothing said
        embed_dataset(folder, out, **kw)
    assert pd.read_csv(out / FILES_REPORT)["changed"].isna().all()
    assert eegpt_main(["info", str(out)]) == 3  # no change marked; the corpus's corrupt file failed
    # an edit in the first MiB that keeps the size and the time: still a change
    rec = folder / "b/rec00.edf"
    file = InputFile(0, "b/rec00.edf", str(rec))
    stamp = {"recording_id": file.recording_id, "status": "ok", "shard": 1, **source_stamp(file)}
    body = bytearray(rec.read_bytes())
    body[300] ^= 1
    rec.write_bytes(bytes(body))
    os.utime(rec, ns=(0, stamp["source_mtime_ns"] + 10**9))
    with pytest.warns(RuntimeWarning, match="changed") as caught:
        changed = warn_changed(DatasetInputs([file]), [stamp])
    assert changed == {"b/rec00.edf": "recording: contents and modification time"}
    assert "eegpt cannot tell which" not in str(caught[0].message)  # the contents differ
    older = {k: v for k, v in stamp.items() if k != "source_fingerprint"}
    body[300] ^= 1
    rec.write_bytes(bytes(body))  # the contents as embedded, a new time: unknown without one
    with pytest.warns(RuntimeWarning, match="eegpt cannot tell which"):
        assert warn_changed(DatasetInputs([file]), [older]) == {
            "b/rec00.edf": "recording: modification time"  # no fingerprint to tell
        }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_changed(DatasetInputs([file]), [stamp]) == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fingerprinted: compared, nothing to say
        assert warn_changed(DatasetInputs([file]), [stamp], check_contents=True) == {}
    # --check-contents over a run without fingerprints compared nothing and said nothing
    os.utime(rec, ns=(0, stamp["source_mtime_ns"]))
    with pytest.warns(RuntimeWarning, match=r"could not compare the contents of 1 file: b/rec00"):
        assert warn_changed(DatasetInputs([file]), [older], check_contents=True) == {}


def test_fingerprints_recorded_under_the_old_name_are_still_compared(corpus, tmp_path):
    """Runs of earlier versions recorded the cheap fingerprint as ``source_sha256`` (it is no
    SHA-256 of the file; new runs name it ``source_fingerprint``): a resume reads the old
    name too, so a copy without -p of an old run is no change and an edit is still found."""
    from eegpt.dataset import DatasetInputs, InputFile, source_stamp, warn_changed

    folder = _copied_corpus(corpus, tmp_path / "in", ["b/rec00.edf"])
    rec = folder / "b/rec00.edf"
    file = InputFile(0, "b/rec00.edf", str(rec))
    stamp = source_stamp(file)
    assert stamp is not None and "source_sha256" not in stamp
    old = {k.replace("_fingerprint", "_sha256"): v for k, v in stamp.items()}
    status = {"recording_id": file.recording_id, "status": "ok", "shard": 0, **old}
    os.utime(rec, ns=(0, stamp["source_mtime_ns"] + 10**9))  # as a copy without -p
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the old run's fingerprint tells it unchanged
        assert warn_changed(DatasetInputs([file]), [status], check_contents=True) == {}
    body = bytearray(rec.read_bytes())
    body[8:16] = b"X" * 8
    rec.write_bytes(bytes(body))
    os.utime(rec, ns=(0, stamp["source_mtime_ns"]))
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [status], check_contents=True)
    assert changed == {"b/rec00.edf": "recording: contents"}


def test_hash_inputs_records_each_files_full_sha256_in_a_corpus_run(
    corpus, weights, tmp_path, capsys
):
    """embed-dataset --hash-inputs records the full SHA-256 (as sha256sum prints it) of each
    embedded recording's files in its file status, and the run records that it did; a resume
    with it over a run without it hashes only what it embeds and says so, one without it over
    a run with it says its files are not hashed."""
    import hashlib

    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "-q", "--shard-size", "1"]
    assert cli_main([*args, "--hash-inputs"]) == 0
    statuses = [
        f for k in range(2) for f in read_shard_status(out / f"shard-0000{k}.parquet")[1]["files"]
    ]
    for status in statuses:
        rec = folder / status["recording_id"]
        assert status["source_file_sha256"] == {
            rec.name: hashlib.sha256(rec.read_bytes()).hexdigest()
        }
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["runs"][-1]["hash_inputs"] is True
    # a resume without it: nothing new embedded, nothing said
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cli_main(args) == 0
    assert "hash_inputs" not in json.loads((out / "_manifest.json").read_text())["runs"][-1]
    # one shard embedded again without it, over a run that hashed: said
    (out / "shard-00001.parquet").unlink()
    with pytest.warns(RuntimeWarning, match=r"this run does not, so the 1 file it embeds"):
        assert cli_main(args) == 0
    assert "source_file_sha256" not in read_shard_status(out / "shard-00001.parquet")[1]["files"][0]
    # --hash-inputs over it: that recording is not hashed now, and the warning says so
    with pytest.warns(RuntimeWarning, match=r"1 recording embedded by an earlier run"):
        assert cli_main([*args, "--hash-inputs"]) == 0
    assert "full SHA-256 of the files embedded (--hash-inputs)" in describe_output(out)


def test_a_file_that_could_not_be_hashed_is_said_and_recorded(corpus, weights, tmp_path):
    """With --hash-inputs, a recording whose files could not be read for their SHA-256 (gone
    or unreadable by then) got a status without hashes and no word; every later resume with
    --hash-inputs then counted it as embedded by a run without it. Now it is warned of, its
    status records why (hash_errors), and a resume does not count it as not asked."""

    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "-q", "--shard-size", "1", "--hash-inputs"]
    real = dataset_stamps.file_sha256

    def refused(path):
        if Path(path).name == "rec00.edf":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dataset_stamps, "file_sha256", refused)
        with pytest.warns(RuntimeWarning, match=r"rec00.edf could not be hashed \(Permission"):
            assert cli_main(args) == 0
    statuses = {
        f["recording_id"]: f
        for k in range(2)
        for f in read_shard_status(out / f"shard-0000{k}.parquet")[1]["files"]
    }
    assert "source_file_sha256" in statuses["a/rec01.edf"]
    assert statuses["b/rec00.edf"]["hash_errors"]["source"].startswith("PermissionError")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not "embedded by an earlier run without it"
        assert cli_main(args) == 0


def test_the_writer_threads_warnings_follow_verbose(corpus, model, tmp_path, monkeypatch):
    """A warning of the shard writer (a file that could not be hashed) ignored
    verbose="error": the writer thread started with an empty context, without the caller's
    verbose level. It runs in the caller's context now."""

    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf"])

    def refused(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(dataset_stamps, "file_sha256", refused)
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(folder, tmp_path / "out", **run, hash_inputs=True, verbose="error")
    assert not [w for w in caught if "could not be hashed" in str(w.message)]
    with pytest.warns(RuntimeWarning, match="could not be hashed"):
        embed_dataset(folder, tmp_path / "out2", **run, hash_inputs=True)


def test_full_hashes_find_an_edit_in_the_middle_that_the_fingerprint_misses(tmp_path):
    """--check-contents compares the full SHA-256 a --hash-inputs run recorded: an edit in the
    middle of a large file that keeps its size and modification time is found, which the
    fingerprint (size, first and last MiB) cannot find in a run without them."""
    from eegpt.dataset import DatasetInputs, InputFile, full_hashes, source_stamp, warn_changed

    rec = tmp_path / "big.edf"
    rec.write_bytes(bytes(range(256)) * (3 << 12))  # 3 MiB
    file = InputFile(0, "big.edf", str(rec))
    stamp = {"recording_id": "big.edf", "status": "ok", "shard": 0, **source_stamp(file)}
    hashed = {**stamp, **full_hashes(file)}
    assert set(hashed["source_file_sha256"]) == {"big.edf"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing changed: the same hashes
        assert warn_changed(DatasetInputs([file]), [hashed], check_contents=True) == {}
    before = rec.stat()
    body = bytearray(rec.read_bytes())
    body[len(body) // 2] ^= 1
    rec.write_bytes(bytes(body))
    os.utime(rec, ns=(before.st_atime_ns, before.st_mtime_ns))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fingerprint's documented limit
        assert warn_changed(DatasetInputs([file]), [stamp], check_contents=True) == {}
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [hashed], check_contents=True)
    assert changed == {"big.edf": "recording: contents"}
    # a new time alone: the full hashes tell the edit from a copy too
    os.utime(rec, ns=(0, before.st_mtime_ns + 10**9))
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [hashed])
    assert changed == {"big.edf": "recording: contents and modification time"}


def test_check_contents_finds_an_edit_that_kept_size_and_modification_time(
    model, corpus, tmp_path, weights, capsys
):
    """A header de-identified in place with its times restored (touch -r, cp -p) keeps the
    size and modification time a resume compares, as rsync does: unnoticed by default, found
    by --check-contents (check_contents=True), which compares every file's recorded
    fingerprint, and marked 'recording: contents'."""
    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    kw = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(folder, out, **kw)
    rec = folder / "b/rec00.edf"
    before = rec.stat()
    body = bytearray(rec.read_bytes())
    body[8:16] = b"X" * 8  # the patient field of the EDF header, overwritten in place
    rec.write_bytes(bytes(body))
    os.utime(rec, ns=(before.st_atime_ns, before.st_mtime_ns))  # touch -r
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # size and time as recorded: nothing read, nothing said
        embed_dataset(folder, out, **kw)
    with pytest.warns(RuntimeWarning, match=r"1 recording changed .* since it was embedded: "
                      r"b/rec00.edf\. Its rows"):  # fmt: skip
        embed_dataset(folder, out, check_contents=True, **kw)
    report = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert report.loc["b/rec00.edf", "changed"] == "recording: contents"
    assert report["changed"].notna().sum() == 1
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    with pytest.warns(RuntimeWarning, match="b/rec00.edf"):
        assert cli_main([*args, "--device", "cpu", "-q", "--check-contents"]) == 3


def test_a_resume_without_check_contents_keeps_the_contents_mark(model, corpus, tmp_path):
    """A contents mark found by --check-contents survives a resume without the flag (a SLURM
    restart of the same command line): the file is compared again and stays marked, and
    `eegpt info` still exits with 3; once it holds what was embedded again, the mark goes."""
    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    kw = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(folder, out, **kw)
    rec = folder / "b/rec00.edf"
    before = rec.stat()
    original = rec.read_bytes()
    body = bytearray(original)
    body[8:16] = b"X" * 8  # edited in place, size and times kept
    rec.write_bytes(bytes(body))
    os.utime(rec, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.warns(RuntimeWarning, match="b/rec00.edf"):
        embed_dataset(folder, out, check_contents=True, **kw)
    with pytest.warns(RuntimeWarning, match="b/rec00.edf"):  # without the flag: still said
        embed_dataset(folder, out, **kw)
    report = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert report.loc["b/rec00.edf", "changed"] == "recording: contents"
    assert eegpt_main(["info", str(out)]) == 3
    rec.write_bytes(original)  # as embedded again
    os.utime(rec, ns=(before.st_atime_ns, before.st_mtime_ns))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        embed_dataset(folder, out, **kw)
    assert pd.read_csv(out / FILES_REPORT)["changed"].isna().all()
    assert eegpt_main(["info", str(out)]) == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_summary_names_files_that_use_another_channel_set(model, tmp_path, capsys):
    """A night whose label was spelled otherwise ('EEG Fpz\x96Cz') loses a channel that the
    others keep: it is 'ok', so the summary says that the files use different channel sets,
    which files, and _files.csv lists each file's channels."""
    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):
        raw, _ = synthetic_raw(minutes=0.25, seed=k)
        if k == 1:
            raw.rename_channels({"EEG C3-REF": "EEG C3 REF?"})
        write_edf(raw, folder / f"night{k}.edf")
    summary = embed_dataset(folder, tmp_path / "out", model=model, workers=0, progress=False)
    (names, files), (fewer, odd) = summary.channel_sets
    assert files == ["night0.edf", "night2.edf"] and odd == ["night1.edf"]
    assert set(names) - set(fewer) == {"C3"}
    text = str(summary)
    assert "the files use 2 different channel sets" in text
    assert "  2 files with 19 channels (C3, C4, CZ, F3, F4, F7, F8, FP1 and 11 more): " in text
    assert "  1 file with 18 channels without C3: night1.edf" in text  # what sets it apart
    assert "not directly comparable" in text and "--keep-channels 10-20" in text
    assert "except 1 file lacking some of its 19 electrodes, which would still " in text
    with pytest.warns(RuntimeWarning, match=r"embedded with 2 different channel sets: 2 "
                      r"recordings with 19 channels \(C3, C4.*; 1 recording with 18 "
                      r"channels \(without C3\)\."):  # fmt: skip
        read_embeddings(tmp_path / "out", embeddings=False)
    with warnings.catch_warnings(record=True) as record:  # one of them: no word of the sets
        warnings.simplefilter("always")
        read_embeddings(tmp_path / "out", filters=[("recording_id", "!=", "night1.edf")])
    assert not any("channel sets" in str(w.message) for w in record)
    from eegpt.dataset_report import parts_report

    capsys.readouterr()
    eegpt_main(["info", str(tmp_path / "out")])  # eegpt info says so too, of one run or several
    for said in (capsys.readouterr().out, parts_report(tmp_path)[0]):
        assert "the recordings use 2 different channel sets: 2 recordings with 19 " in said
        assert "1 recording with 18 channels (without C3)" in said and "--keep-channels" in said

    # --keep-channels: every file cut to one set, recorded; folders of another set not joined
    from eegpt.channels import VOCABULARY

    kept = embed_dataset(
        folder, tmp_path / "kept", model=model, workers=0, progress=False, keep=fewer
    )
    assert len(kept.channel_sets) == 1 and "different channel sets" not in str(kept)
    shard = next((tmp_path / "kept").glob("shard-*.parquet"))
    spec = json.loads(pq.read_metadata(shard).metadata[b"eegpt"])
    assert spec["channels"]["keep"] == sorted(fewer, key=VOCABULARY.index)
    with pytest.raises(ValueError, match=r"other settings .*channels\.keep \(None -> \["):
        read_embeddings([tmp_path / "out", tmp_path / "kept"], embeddings=False)
    # the channels not used, by how many files had them: the misspelt C3 stands out
    assert summary.dropped[-1] == ("EEG C3 REF?", 1) and summary.dropped[0][1] == 3
    assert "channels not used: EEG A1-REF (3 files), " in text
    assert (
        "EEG C3 REF? (1 file). Of these: EEG C3 REF? may be an EEG electrode under another "
        "spelling: --rename 'NAME=VOCAB'; the others are other signals"
    ) in text
    report = pd.read_csv(tmp_path / "out" / FILES_REPORT)
    assert "C3" not in report.channels[1].split(" | ") and "C3" in report.channels[0]
    again = embed_dataset(folder, tmp_path / "out", model=model, workers=0, progress=False)
    assert again.channel_sets == summary.channel_sets  # from the shards, on resume too


def test_the_channels_not_used_hint_is_of_all_of_them_not_of_the_more_left_unnamed():
    """A TUH-like corpus: 12 channels not used, 8 named 'and 4 more (EEG 29, EEG 29-REF,
    EEG 30-REF may be EEG electrodes ...)', which read as if the 4 more were those, while
    they were A1-LE, A2-LE, ROC, LOC. What they may be now follows the list, said of all 12."""
    from eegpt.dataset_summary import DatasetSummary

    dropped = [("PHOTIC PH", 10), ("EKG", 7), ("EEG 29", 7), ("EEG A1-REF", 6)]
    dropped += [("EEG A2-REF", 3), ("EKG1-REF", 3), ("EEG 29-REF", 3), ("EEG 30-REF", 3)]
    dropped += [("EEG A1-LE", 2), ("EEG A2-LE", 2), ("EEG ROC-REF", 1), ("EEG LOC-REF", 1)]
    summary = DatasetSummary(
        Path("out"), "inprocess", ["cpu"], 10, 10, 0, 0, 100, 0.1, 1, 1, 0, 10, 100, 0.1, 1.0,
        dropped=dropped,
    )  # fmt: skip
    (line,) = [x for x in str(summary).splitlines() if x.startswith("channels not used")]
    assert "and 4 more (" not in line
    assert line.startswith("channels not used: PHOTIC PH (10 files), EKG (7 files), ")
    assert "EEG 30-REF (3 files) and 4 more. Of all 12: EEG 29, EEG 29-REF, EEG 30-REF " in line
    assert "may be EEG electrodes under another spelling: --rename 'NAME=VOCAB'" in line
    summary.dropped = dropped[:2]  # all named: said of these
    (line,) = [x for x in str(summary).splitlines() if x.startswith("channels not used")]
    assert line.startswith("channels not used: PHOTIC PH (10 files), EKG (7 files). Of these: "
                           "other signals (ECG/EKG, EOG, EMG ...)")  # fmt: skip


def test_the_summary_names_ecg_and_eog_channels_not_used_as_other_signals():
    """An EKG, EOG or EMG channel not used is another signal, not an electrode to rename; a
    name that may be an electrode under another spelling is said to be one."""
    from eegpt.dataset_summary import _dropped_hint

    said = _dropped_hint([("EEG EKG1-REF", 16), ("EOG", 2), ("EMG chin", 1), ("EEG A1-LE", 16)])
    assert said.startswith("other signals (ECG/EKG, EOG, EMG ...) or electrodes outside")
    assert "none to rename" in said and "--rename" not in said
    said = _dropped_hint([("EKG", 3), ("EEG Fpz1-LE", 3)])
    assert said.startswith("EEG Fpz1-LE may be an EEG electrode under another spelling")


def test_stream_precision_reaches_the_engines_and_the_run_settings(corpus, model, tmp_path):
    """float16 stream storage is part of the run's settings (a resume with another is refused);
    a float32 run's settings carry no such key, as before the option existed."""
    engines = make_engines(
        model, [torch.device("cpu")], precision="bfloat16", stream_precision="float16"
    )
    assert engines[0].stream_precision == "float16"
    out = tmp_path / "out"
    kw = {"model": model, "shard_size": 3, "workers": 0, "progress": False}
    embed_dataset(corpus / "a", out, precision="bfloat16", stream_precision="float16", **kw)
    spec, _ = read_shard_status(next(out.glob("shard-*.parquet")))
    assert spec["stream_precision"] == "float16" and spec["precision"] == "bfloat16"
    with pytest.raises(ValueError, match="stream_precision"):
        embed_dataset(corpus / "a", out, precision="bfloat16", **kw)
    plain = tmp_path / "plain"
    with pytest.raises(ValueError, match="needs precision"):
        embed_dataset(corpus / "a", plain, stream_precision="float16", **kw)
    assert not plain.exists()  # refused before anything was written
    with pytest.raises(ValueError, match=r"^shard_size=0 \(--shard-size\), batch_size=0"):
        embed_dataset(corpus / "a", plain, **{**kw, "shard_size": 0}, batch_size=0)
    embed_dataset(corpus / "a", plain, **kw)
    spec, _ = read_shard_status(next(plain.glob("shard-*.parquet")))
    assert "stream_precision" not in spec


def test_retry_failed_recomputes_the_shard_of_a_fixed_file(model, tmp_path):
    corpus = tmp_path / "corpus"
    paths = make_corpus(corpus, 3, corrupt=1)
    out = tmp_path / "out"
    first = embed_dataset(corpus, out, model=model, shard_size=2, workers=0, progress=False)
    assert first.n_failed == 1
    assert pd.read_csv(out / ERRORS_REPORT).recording_id.tolist() == ["a/rec01.edf"]
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    write_edf(raw, paths[1], overwrite=True)
    same = embed_dataset(corpus, out, model=model, shard_size=2, workers=0, progress=False)
    assert same.n_failed == 1 and same.shards_written == 0
    fixed = embed_dataset(
        corpus, out, model=model, shard_size=2, workers=0, progress=False, retry_failed=True
    )
    assert fixed.n_failed == 0 and fixed.shards_written == 1 and fixed.n_ok == 3
    assert not (out / ERRORS_REPORT).exists()  # the stale report of the failure is removed
    assert "failed files" not in describe_output(out)


def test_a_clean_run_leaves_no_lock_and_no_empty_reports(model, tmp_path):
    """With no file failed or too short, the folder holds the shards, the manifest and
    _files.csv: no _errors.csv, _too_short.csv or .eegpt.lock (the lock is removed at the end,
    and a run after it takes a new one)."""
    make_corpus(tmp_path / "corpus", 2)
    out = tmp_path / "out"
    kw = dict(model=model, workers=0, device="cpu", progress=False)
    assert embed_dataset(tmp_path / "corpus", out, **kw).n_ok == 2
    assert sorted(p.name for p in out.iterdir()) == [FILES_REPORT, MANIFEST, "shard-00000.parquet"]
    assert embed_dataset(tmp_path / "corpus", out, **kw).n_ok == 2  # resumed: nothing to do
    assert not (out / LOCK).exists() and not FolderLock.held(out)


def test_a_lock_file_that_is_never_the_one_locked_ends_the_tries(tmp_path):
    """Where the file locked is never the one the folder names by then (something keeps
    replacing it; a file system whose inode numbers differ by name and open file), taking the
    lock gives up after a bounded number of tries, saying why, instead of spinning; not as
    "busy, try again later" (OutputInUseError, exit status 75), which a scheduler would retry
    forever, but as an error (exit status 1)."""
    tries = []

    class Replaced(FolderLock):
        def _still_named(self):
            tries.append(1)
            assert len(tries) <= 50, "the lock is tried again and again"
            return False

    with pytest.raises(OSError, match=r"in 50 tries the file locked was never") as err:
        with Replaced(tmp_path):
            pass
    assert len(tries) == 50
    assert not isinstance(err.value, OutputInUseError) and "(some FUSE mounts)" in str(err.value)


def test_a_lock_file_removed_before_it_is_locked_is_not_taken(tmp_path):
    """The flock pitfall of removing lock files: a run that opened the lock file just before
    the run ending removed it would lock a file no longer in the folder, beside a third run
    that locks the new one. FolderLock sees the file gone and locks the one the folder names."""
    import fcntl

    opened = []

    class Late(FolderLock):
        def _still_named(self):
            if not opened:  # the first file it opened: removed by a run ending meanwhile
                opened.append(os.dup(self.fh.fileno()))  # kept open: its inode not reused
                self.path.unlink()
            return super()._still_named()

    with Late(tmp_path) as lock:
        held = os.fstat(lock.fh.fileno()).st_ino
        assert (tmp_path / LOCK).exists() and FolderLock.held(tmp_path)
        with pytest.raises(RuntimeError, match="in use by another"), FolderLock(tmp_path):
            pass  # a third run is kept out by the file the folder names
        with open(tmp_path / LOCK, "rb") as fh:
            assert os.fstat(fh.fileno()).st_ino == held != os.fstat(opened[0]).st_ino
            with pytest.raises(BlockingIOError):
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.close(opened[0])
    assert not (tmp_path / LOCK).exists()


def test_retry_failed_with_no_failure_recorded_says_there_is_nothing_to_retry(
    model, weights, tmp_path, capsys
):
    """--retry-failed where no shard records a failed recording (a first run, a finished run
    without failures) embeds what is left as without it, and says that there was nothing to
    retry instead of nothing at all; the command exits 0."""
    make_corpus(tmp_path / "corpus", 3)
    out = tmp_path / "out"
    kw = dict(model=model, workers=0, shard_size=2, progress=False)
    first = embed_dataset(tmp_path / "corpus", out, retry_failed=True, **kw)
    assert (first.n_ok, first.shards_written, first.retried) == (3, 2, 0)
    assert f"--retry-failed: no failed recordings in {out} (no shard of an earlier run" in str(
        first
    )
    again = embed_dataset(tmp_path / "corpus", out, retry_failed=True, **kw)
    assert (again.n_ok, again.shards_written, again.retried) == (3, 0, 0)
    said = str(again)
    assert f"--retry-failed: no failed recordings in {out} (none of its 2 shards records one): " \
           "nothing to retry" in said  # fmt: skip
    assert "this run: nothing to do (2 shards already done)" in said
    plain = embed_dataset(tmp_path / "corpus", out, **kw)
    assert plain.retried is None and "--retry-failed" not in str(plain)
    cli = [str(tmp_path / "corpus"), "-o", str(tmp_path / "cli"), "--weights", str(weights),
           "--workers", "0", "-q"]  # fmt: skip
    assert cli_main(cli) == 0
    capsys.readouterr()
    assert cli_main([*cli, "--retry-failed"]) == 0
    err = capsys.readouterr().err
    assert f"no failed recordings in {tmp_path / 'cli'} (none of its 1 shard records one)" in err


@pytest.mark.parametrize("corrupt", [0, 1])
def test_retry_failed_embeds_only_the_failed_files_of_a_shard(
    model, tmp_path, monkeypatch, corrupt
):
    """The other files of a retried shard keep the rows the first run wrote (read back from
    the shard being replaced, in their places), instead of being embedded again."""

    corpus = tmp_path / "corpus"
    paths = make_corpus(corpus, 3, corrupt=corrupt)
    out = tmp_path / "out"
    kw = dict(model=model, shard_size=2, workers=0, progress=False, device="cpu")
    embed_dataset(corpus, out, **kw)
    before, emb_before = read_embeddings(out)
    raw, _ = synthetic_raw(minutes=0.5, seed=corrupt)
    write_edf(raw, paths[corrupt], overwrite=True)
    read, real = [], dataset_pipeline.load_file
    monkeypatch.setattr(
        dataset_pipeline,
        "load_file",
        lambda index, *a, **k: read.append(index) or real(index, *a, **k),
    )
    fixed = embed_dataset(corpus, out, retry_failed=True, **kw)
    index = next(f.index for f in resolve_inputs(corpus).files if f.path == str(paths[corrupt]))
    assert index == 1 - corrupt  # the kept file of shard 0 comes before it, or after it
    assert read == [index] and fixed.n_ok == 3 and fixed.n_failed == 0
    after, emb_after = read_embeddings(out)
    fresh = embed_dataset(corpus, tmp_path / "fresh", **kw)  # all of it at once, for comparison
    whole, emb_whole = read_embeddings(tmp_path / "fresh")
    pd.testing.assert_frame_equal(after, whole)
    np.testing.assert_array_equal(emb_after, emb_whole)
    kept_id = sorted(set(before.recording_id))  # the files the first run embedded
    for rid in kept_id:
        np.testing.assert_array_equal(
            emb_after[(after.recording_id == rid).to_numpy()],
            emb_before[(before.recording_id == rid).to_numpy()],
        )
    files = pd.read_csv(out / FILES_REPORT)
    assert (files.status == "ok").all() and fresh.n_ok == 3


def test_output_folder_guards(corpus, model, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="did not write"):
        embed_dataset(corpus, out, model=model, progress=False)
    (out / "notes.txt").unlink()
    (out / ".DS_Store").write_bytes(b"")  # the system's: neither blocks nor is deleted
    (out / ".ipynb_checkpoints").mkdir()
    with FolderLock(out):  # another run holds the folder
        with pytest.raises(RuntimeError, match="in use by another"):
            embed_dataset(corpus, out, model=model, progress=False)
    with pytest.raises(ValueError, match="exactly one of weights"):
        embed_dataset(corpus, out, progress=False)
    files = [corpus / "a" / "rec01.edf"]
    embed_dataset(files, out, model=model, workers=0, device="cpu", progress=False)
    embed_dataset(files, out, model=model, workers=0, device="cpu", progress=False, overwrite=True)
    assert (out / ".DS_Store").exists() and (out / ".ipynb_checkpoints").is_dir()


def test_a_run_refused_by_the_lock_leaves_the_other_runs_files(
    corpus, model, tmp_path, monkeypatch
):
    """Another run takes the new folder between this run's look at it and its lock: this run
    is refused and must not tidy away the files the other run is writing."""
    import eegpt.dataset as dataset

    out = tmp_path / "race" / "out"
    theirs = ["_manifest.json", "_files.csv", ".shard-00000.parquet.abc.tmp"]

    class TakenMeanwhile(FolderLock):
        def __enter__(self):
            for name in theirs:
                (out / name).write_text("the other run's")
            with FolderLock(out):
                return super().__enter__()  # in use

    monkeypatch.setattr(dataset, "FolderLock", TakenMeanwhile)
    with pytest.raises(RuntimeError, match="in use by another"):
        embed_dataset(corpus, out, model=model, progress=False)
    assert all((out / name).read_text() == "the other run's" for name in theirs)


def test_a_filesystem_without_locks_is_named_not_called_busy(corpus, model, tmp_path, monkeypatch):
    import errno
    import fcntl

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    with pytest.raises(OSError, match="does not support file locks .*Lustre: -o flock") as err:
        embed_dataset(corpus, tmp_path / "out", model=model, progress=False)
    assert "in use" not in str(err.value)


def test_a_crashing_reader_is_blamed_alone(corpus):
    files = resolve_inputs(corpus).files[:4]
    crash = InputFile(4, "crash", str(corpus / "crash.edf"))
    readers = Readers(1, {"config": PreprocessingConfig()}, 4, loader=_crash_or_load)
    loaded = list(readers.read([files[0], crash, *files[1:]]))
    readers.close()
    assert [f.index for f in loaded] == [0, 4, 1, 2, 3]
    assert "reader process died" in loaded[1].error
    assert "EDF" in loaded[2].error  # a/rec03.edf, the corrupt one
    assert loaded[0].error is None and loaded[3].error is None and loaded[4].error is None


def test_a_long_file_is_encoded_in_chunks_that_an_interruption_ends(corpus, model, monkeypatch):
    """A long recording's windows go to the engine a few hundred at a time: the same numbers
    as one call, and an interruption (SIGTERM under a job scheduler) ends the encoding at the
    next chunk instead of after the file's last window, minutes later on a CPU."""
    import threading

    import eegpt.dataset as ds

    loaded = load_file(0, str(corpus / "b/rec00.edf"), PreprocessingConfig())
    engine = make_engines(model, [torch.device("cpu")], batch_size=2)[0]
    whole = ds.encode_files(engine, [loaded])[0].embeddings
    calls = []
    real = engine.encode
    monkeypatch.setattr(engine, "encode", lambda x, ids: calls.append(len(x)) or real(x, ids))
    monkeypatch.setattr(dataset_files, "_STOP_CHECK_WINDOWS", {"cpu": 4, "gpu": 4})
    np.testing.assert_array_equal(ds.encode_files(engine, [loaded])[0].embeddings, whole)
    assert calls == [4] * (loaded.n_windows // 4) + [loaded.n_windows % 4] * bool(
        loaded.n_windows % 4
    )
    stop = threading.Event()
    stop.set()
    with pytest.raises(ds.EncodeStopped):  # not recorded as the file's failure
        ds.encode_files(engine, [loaded], stop=stop)


def test_a_reader_that_dies_while_the_caller_is_busy_is_blamed_alone(corpus):
    """The pool breaks between two results (the caller was encoding): the next submission
    fails, which must lead to the same one-at-a-time reads, not end the run."""
    files = resolve_inputs(corpus).files[:3]
    crash = InputFile(4, "crash", str(corpus / "crash.edf"))
    readers = Readers(1, {"config": PreprocessingConfig()}, 2, loader=_crash_or_load)
    loaded = []
    for f in readers.read([files[0], crash, *files[1:]]):
        loaded.append(f)
        if len(loaded) == 1:
            time.sleep(3)  # busy: meanwhile the reader reaches crash.edf and dies
    readers.close()
    assert [f.index for f in loaded] == [0, 4, 1, 2]
    assert "reader process died" in loaded[1].error
    assert loaded[0].error is None and loaded[3].error is None


def test_cancelled_readers_give_up_their_files_at_once(corpus, tmp_path):
    """An interruption cancels the readers (a signal they answer with ReadCancelled) instead
    of terminating them, which could cut a result short in the pool's pipe and hang it; the
    files being read and those queued behind them are all given up within seconds."""
    from eegpt.dataset import ReadCancelled

    files = resolve_inputs(corpus).files[:4]
    kwargs = {"config": PreprocessingConfig(), "marker": str(tmp_path)}
    readers = Readers(2, kwargs, 4, loader=_slow_load)

    def cancel_once_reading() -> None:
        deadline = time.monotonic() + 120  # the readers start (spawn, imports) first
        while len(list(tmp_path.glob("*.started"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        cancelled.append(time.monotonic())
        readers.cancel()

    cancelled: list[float] = []
    stream = readers.read(files)
    threading.Thread(target=cancel_once_reading, daemon=True).start()
    with pytest.raises(ReadCancelled):
        next(stream)  # each file takes 60 s unless cancelled
    readers.close(abort=True)
    assert cancelled and time.monotonic() - cancelled[0] < 10
    # a new pool reads normally again
    readers = Readers(1, {"config": PreprocessingConfig()}, 4)
    assert [f.index for f in readers.read(files[:2])] == [0, 1]
    readers.close()


def test_cancelled_readers_skip_the_interpreter_s_teardown(corpus, tmp_path):
    """A cancelled reader leaves without the interpreter's teardown (torch's takes seconds of
    CPU on a busy machine, and close() waits for it): the exit handlers still run, objects
    are not torn down. A reader that was not cancelled ends as usual."""
    from eegpt.dataset import ReadCancelled

    files = resolve_inputs(corpus).files[:2]
    cancelled, usual = tmp_path / "cancelled", tmp_path / "usual"
    cancelled.mkdir(), usual.mkdir()
    kwargs = {"config": PreprocessingConfig(), "marker": str(cancelled)}
    readers = Readers(1, {**kwargs, "witness": str(cancelled)}, 2, loader=_witnessed_load)
    stream = readers.read(files)
    threading.Thread(target=_cancel_once_started, args=(readers, cancelled, 1)).start()
    with pytest.raises(ReadCancelled):
        next(stream)
    readers.close(abort=True)
    assert len(list(cancelled.glob("*.atexit"))) == 1  # the exit handlers ran
    assert not list(cancelled.glob("*.teardown"))  # the interpreter's teardown did not

    kwargs = {"config": PreprocessingConfig(), "witness": str(usual)}
    readers = Readers(1, kwargs, 2, loader=_witnessed_load)
    assert [f.index for f in readers.read(files[:1])] == [0]
    readers.close()
    assert len(list(usual.glob("*.atexit"))) == len(list(usual.glob("*.teardown"))) == 1


def _cancel_once_started(readers: Readers, marker: Path, n: int) -> None:
    deadline = time.monotonic() + 120  # the readers start (spawn, imports) first
    while len(list(marker.glob("*.started"))) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    readers.cancel()


class _TeardownWitness:
    """Writes ``<pid>.teardown`` in ``folder`` when the interpreter's teardown deletes it."""

    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, f"{os.getpid()}.teardown")
        self.open, self.close = os.open, os.close  # modules may be gone by then

    def __del__(self) -> None:
        self.close(self.open(self.path, os.O_CREAT | os.O_WRONLY))


_WITNESSES: list[_TeardownWitness] = []


def _witnessed_load(index: int, path: str, witness: str, **kwargs) -> object:
    """:func:`load_file` (:func:`_slow_load` given a ``marker``) in a reader that notes its
    exit handlers' run and its interpreter's teardown in the folder ``witness``."""
    if not _WITNESSES:
        _WITNESSES.append(_TeardownWitness(witness))
        atexit_path = Path(witness, f"{os.getpid()}.atexit")
        atexit.register(atexit_path.touch)
    if "marker" in kwargs:
        return _slow_load(index, path, **kwargs)
    return load_file(index, path, **kwargs)


def test_reader_processes_start_deaf_to_ctrl_c(tmp_path):
    """Reader processes start with SIGINT blocked (they inherit the mask of the submitting
    thread), so a Ctrl-C that reaches the process group while they still import ends none of
    them with a traceback; the parent's own mask is restored."""
    from concurrent.futures import ProcessPoolExecutor

    from eegpt.dataset import reader_signals_blocked

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        with reader_signals_blocked():
            future = pool.submit(time.sleep, 3.0)
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        time.sleep(0.5)  # the worker is importing or sleeping
        for pid in list(pool._processes):
            os.kill(pid, signal.SIGINT)
        assert future.result(timeout=60) is None  # no KeyboardInterrupt, no broken pool


def test_a_reader_cancelled_while_it_starts_gives_up_its_file(corpus):
    """A cancellation that reaches a reader before its handler is installed waits for it
    (blocked from the start) instead of killing the reader: the file is given up."""
    from eegpt.dataset import ReadCancelled

    files = resolve_inputs(corpus).files[:2]
    readers = Readers(1, {"config": PreprocessingConfig()}, 4)
    outcome: list[BaseException | None] = []

    def read_one() -> None:
        try:
            next(readers.read(files))
            outcome.append(None)
        except BaseException as err:  # noqa: BLE001 - checked below
            outcome.append(err)

    thread = threading.Thread(target=read_one, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (readers.pool and readers.pool._processes) and time.monotonic() < deadline:
        time.sleep(0.001)
    readers.cancel()  # the reader has just been started: it is still importing torch
    thread.join(120)
    readers.close(abort=True)
    assert len(outcome) == 1 and isinstance(outcome[0], ReadCancelled), outcome


def _slow_load(index: int, path: str, marker: str, **kwargs) -> object:
    Path(marker, f"{index}.started").touch()
    for _ in range(600):  # Python code runs between the steps, as in a file reader
        time.sleep(0.1)
    return load_file(index, path, **kwargs)


def _crash_or_load(index: int, path: str, **kwargs) -> object:
    if path.endswith("crash.edf"):
        os._exit(3)  # what a segfaulting reader or the OOM killer does to a worker
    return load_file(index, path, **kwargs)


@pytest.fixture(scope="module")
def long_corpus(corpus, tmp_path_factory):
    return make_long_corpus(corpus, tmp_path_factory.mktemp("long"))


def make_long_corpus(corpus: Path, folder: Path) -> Path:
    """Two short recordings of ``corpus`` around a longer one at 250 Hz with a drift and
    annotations, two of them bad (the long one is read in parts below)."""
    import shutil

    shutil.copy(corpus / "b/rec00.edf", folder / "a.edf")
    shutil.copy(corpus / "a/rec01.edf", folder / "c.edf")
    raw, _ = synthetic_raw(minutes=2.0, seed=11)
    raw._data += np.linspace(0, 1e-3, raw.n_times)
    raw.set_annotations(
        mne.Annotations([10.0, 50.0, 70.0], [3.0, 1.0, 12.0], ["BAD_muscle", "stim", "BAD_move"])
    )
    write_edf(raw, folder / "b.edf")
    return folder


def _window_bytes(path: Path) -> int:
    return load_file(0, str(path), PreprocessingConfig()).data[0].nbytes


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("workers", "reject", "per_part"), [(0, False, 1), (2, True, 4)])
def test_a_long_recording_read_in_parts_gives_the_rows_of_one_read(
    long_corpus, model, tmp_path, monkeypatch, workers, reject, per_part
):
    """A recording longer than ``PART_BYTES`` of windows is read and embedded in parts (a
    reader holds one part, not 5 GB for 24 h of 58 channels); the shard gets the same rows as
    from one read: windows, onsets, annotations, bad marks, rejected windows, statuses."""
    import eegpt.dataset as ds

    kwargs = dict(model=model, device="cpu", progress=False, batch_size=4, shard_size=2)
    kwargs.update(workers=workers, reject_by_annotation=reject)
    whole = embed_dataset(long_corpus, tmp_path / "whole", **kwargs)
    size = _window_bytes(long_corpus / "b.edf")
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", per_part * size + size // 2)
    seen: list[tuple[int, int | None, int]] = []
    real = dataset_pipeline.load_file

    def watched(*args, **kw):
        loaded = real(*args, **kw)
        part = loaded.part
        seen.append((loaded.index, None if part is None else part.first, loaded.data.nbytes))
        return loaded

    if workers == 0:  # readers in this process: what they hold is seen here
        monkeypatch.setattr(dataset_pipeline, "load_file", watched)
    spilled: dict[Path, list[tuple[int, int]]] = {}  # the parts' rows wait on disk
    keep = ds.PartRows.add

    def add(self, table):
        keep(self, table)
        sizes = spilled.setdefault(self.path, [(0, 0)])
        sizes.append((self.path.stat().st_size, sizes[-1][1] + table.nbytes))

    monkeypatch.setattr(ds.PartRows, "add", add)
    join = ds.ShardWriter._join
    held: list[int] = []  # embeddings the writer holds of the parts waiting to be joined

    def joined(self, result, file):
        out = join(self, result, file)
        held.append(sum(p.embeddings.size for p in self._parts))
        return out

    monkeypatch.setattr(ds.ShardWriter, "_join", joined)
    parts = embed_dataset(long_corpus, tmp_path / "parts", **kwargs)
    assert parts.complete and whole.complete
    a, emb_a = read_embeddings(tmp_path / "whole")
    b, emb_b = read_embeddings(tmp_path / "parts")
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_allclose(emb_b, emb_a, rtol=1e-5, atol=1e-6)
    long = a.recording_id == "b.edf"
    assert long.sum() > 10 and a.bad[long].any() != reject
    if reject:
        assert np.diff(a.window[long]).max() > 1  # the bad ones are left out
    assert len(spilled) == 3 and sum(len(sizes) - 1 for sizes in spilled.values()) > 10
    for sizes in spilled.values():  # the file holds every part's rows as soon as it came
        assert all(size >= rows for size, rows in sizes)
    assert not list((tmp_path / "parts").glob(".*.tmp"))  # removed after use
    assert len(held) > 10 and not any(held)
    files = [pd.read_csv(tmp_path / name / FILES_REPORT) for name in ("whole", "parts")]
    columns = ["recording_id", "status", "n_windows", "n_windows_left_out", "duration_s", "shard"]
    pd.testing.assert_frame_equal(files[0][columns], files[1][columns])
    if workers == 0:
        of_long = [(first, nbytes) for index, first, nbytes in seen if index == 1]
        n_long = files[0].set_index("recording_id").n_windows["b.edf"]
        n_long += files[0].set_index("recording_id").n_windows_left_out["b.edf"]
        assert [first for first, _ in of_long] == list(range(0, n_long, per_part))
        assert max(nbytes for _, nbytes in of_long) <= per_part * size
        assert [index for index, _, _ in seen] == sorted(index for index, _, _ in seen)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_part_that_fails_fails_its_file_and_writes_none_of_its_rows(
    long_corpus, model, tmp_path, monkeypatch
):
    """One part of a long recording fails: the file is recorded failed (which windows, why),
    none of its rows are written, its later parts are not read, the other files go on."""
    import eegpt.dataset as ds

    size = _window_bytes(long_corpus / "b.edf")
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", 3 * size)
    real, calls = dataset_pipeline.load_file, []

    def failing(index, path, **kw):
        part = kw.get("part")
        calls.append((index, None if part is None else part.first))
        if part is not None and part.first == 6 and index == 1:
            failed = ds.LoadedFile.failed(index, f"windows 6-8 of {part.n_windows}: OSError: gone")
            failed.part = part
            return failed
        return real(index, path, **kw)

    monkeypatch.setattr(dataset_pipeline, "load_file", failing)
    summary = embed_dataset(
        long_corpus, tmp_path / "out", model=model, device="cpu", progress=False, workers=0
    )
    assert [first for index, first in calls if index == 1] == [None, 3, 6]
    assert [index for index, _ in calls] == sorted(index for index, _ in calls)
    table, _ = read_embeddings(tmp_path / "out")
    assert sorted(set(table.recording_id)) == ["a.edf", "c.edf"]
    files = pd.read_csv(tmp_path / "out" / FILES_REPORT).set_index("recording_id")
    assert files.status.to_dict() == {"a.edf": "ok", "b.edf": "failed", "c.edf": "ok"}
    assert "windows 6-8" in files.error["b.edf"] and "gone" in files.error["b.edf"]
    assert summary.n_failed == 1
    assert not list((tmp_path / "out").glob(".*.tmp"))  # the failed file's kept rows too


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_inference_failing_on_a_part_says_which_windows(long_corpus, model, monkeypatch):
    import eegpt.dataset as ds

    size = _window_bytes(long_corpus / "b.edf")
    loaded = load_file(1, str(long_corpus / "b.edf"), PreprocessingConfig(), part_bytes=3 * size)
    engine = make_engines(model, [torch.device("cpu")], batch_size=2)[0]

    def broken(*args, **kwargs):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(engine, "encode", broken)
    (result,) = ds.encode_files(engine, [loaded])
    assert result.error == (
        f"windows 0-2 of {loaded.part.n_windows}: inference failed: RuntimeError: CUDA out of "
        "memory"
    )
    assert result.part == loaded.part


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_progress_bar_moves_with_the_parts_of_a_long_file(
    long_corpus, model, tmp_path, monkeypatch, capsys
):
    """A file of 24 h is embedded in tens of parts: the bar's postfix counts their windows and
    hours as they come and names the last part, instead of standing still until the file's
    end; the file's own count replaces the parts' when it is done."""

    size = _window_bytes(long_corpus / "b.edf")
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", 8 * size)
    monkeypatch.setenv("TQDM_MININTERVAL", "0")  # stderr, a log here: each redraw a line
    summary = embed_dataset(long_corpus, tmp_path / "out", model=model, device="cpu", workers=0)
    lines = capsys.readouterr().err.splitlines()
    of_parts = [line for line in lines if "b.edf: windows" in line]  # 2 min: 30 windows
    assert [line.split("b.edf: ")[1] for line in of_parts] == [
        f"windows {first}-{first + 7} of 30]" for first in (0, 8, 16)
    ]
    hours = [float(line.split(" h EEG")[0].rsplit(" ", 1)[1]) for line in of_parts]
    # the windows of a part embedded ahead count too (in progress), so two lines may show the
    # same hours; never fewer, and the last part's line more than the first's
    assert hours == sorted(hours) and hours[-1] > hours[0]
    assert lines[-1].startswith("embed-dataset: 100%") and "windows" not in lines[-1]
    assert f"{summary.hours:.3f} h EEG" in lines[-1]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_the_progress_bar_counts_the_windows_of_a_file_being_embedded(
    long_corpus, model, tmp_path, monkeypatch, capsys
):
    """A file read whole takes minutes to embed on a CPU: the postfix counts its windows as
    chunks of them are done (at the bar's interval: here every chunk), not only when the file
    is done; done files take their windows back from that count."""

    monkeypatch.setattr(dataset_summary, "progress_interval", lambda: 0.0)
    monkeypatch.setenv("TQDM_MININTERVAL", "0")  # stderr, a log here: each redraw a line
    monkeypatch.setattr(dataset_files, "_STOP_CHECK_WINDOWS", {"cpu": 4, "gpu": 4})
    embed_dataset(long_corpus / "b.edf", tmp_path / "out", model=model, device="cpu",
                  workers=0, batch_size=4)  # fmt: skip
    lines = capsys.readouterr().err.splitlines()
    counts = [int(line.split(", ")[-1].split(" windows of files")[0])
              for line in lines if "windows of files in progress" in line]  # fmt: skip
    assert counts[:3] == [4, 8, 12] and counts == sorted(counts) and counts[-1] >= 28, lines
    rates = [float(line.split(" win/s")[0].rsplit(" ", 1)[1]) for line in lines
             if "windows of files in progress" in line]  # fmt: skip
    assert all(rate > 0 for rate in rates)  # the windows in progress count in the rate
    hours = [line.split(" h EEG")[0].rsplit(" ", 1)[1] for line in lines
             if "windows of files in progress" in line]  # fmt: skip
    assert hours == [f"{n * 4 / 3600:.3f}" for n in counts] and hours[0] != "0.000"  # ... and
    # in the hours of EEG (4 s windows)
    assert lines[-1].startswith("embed-dataset: 100%") and "in progress" not in lines[-1]


def _progress_result(index: int, n: int, error: str | None = None, part=None) -> Any:
    from eegpt.dataset_files import FileResult

    return FileResult(index, np.zeros((n, 4), np.float32), np.arange(n) * 4.0,
                      {"input_names": ["Fz"]}, duration_s=n * 4.0, error=error, part=part)  # fmt: skip


def test_the_progress_bar_weighs_files_by_size_and_moves_within_a_long_file(tmp_path, monkeypatch):
    """An ICU corpus of a few 24 h recordings: the bar's position (so its ETA) moves with the
    parts of the first file and its windows in flight, long before that file is done, each
    file weighing its share of the bytes on disk; the text still counts whole files."""
    from eegpt.dataset_files import FilePart

    monkeypatch.setattr(dataset_summary, "progress_interval", lambda: 0.0)
    sizes = {"a.edf": 3000, "b.edf": 1000, "c.edf": 2000}  # weigh 1.5, 0.5 and 1 files
    files = []
    for index, (name, size) in enumerate(sizes.items()):
        (tmp_path / name).write_bytes(b"\0" * size)
        files.append(InputFile(index, name, str(tmp_path / name)))
    bar = dataset_summary.DatasetProgress(3, True, "embed-dataset", step_s=4.0, files=files)
    bar.embedded(5)  # nothing to go by yet: no part, no file done
    assert bar.bar.n == 0
    bar.part(_progress_result(0, 10, part=FilePart(0, 10, 40, "")), files[0])
    assert bar.bar.n == pytest.approx(1.5 * 10 / 40)  # a quarter of a.edf
    assert "0/3 files" in str(bar.bar) and "<?" not in str(bar.bar)  # an ETA already
    bar.embedded(10)  # windows of its next part in flight, at a.edf's bytes per window
    assert bar.bar.n == pytest.approx(1.5 * 20 / 40)
    bar.update(_progress_result(0, 40), {})
    assert bar.bar.n == pytest.approx(1.5) and "1/3 files" in str(bar.bar)
    bar.update(_progress_result(1, 10), {})  # the small file moves the bar a third as far
    assert bar.bar.n == pytest.approx(2.0) and "2/3 files" in str(bar.bar)
    bar.embedded(4)  # c.edf in flight at the bytes per window of the files done (0.04 each)
    assert bar.bar.n == pytest.approx(2.0 + 4 * 2.0 / 50)
    bar.update(_progress_result(2, 4), {})
    assert bar.bar.n == 3 and "3/3 files" in str(bar.bar) and " 100%|" in str(bar.bar)
    text = str(bar.bar)  # the postfix as before
    assert " win/s, 0.060 h EEG (" in text and "x real time), 0 failed]" in text, text
    bar.close()
    assert (bar.ok, bar.failed, bar.windows) == (3, 0, 54)


def test_the_progress_bar_is_not_full_before_the_last_file_is_done(tmp_path, monkeypatch):
    """A small file of many bytes per window (64 channels) done before a large one of few (2
    channels): the large one's windows in flight, at the small one's bytes per window, put
    the bar at 100% with its ETA 0 long before its end; they count at most its own weight."""
    monkeypatch.setattr(dataset_summary, "progress_interval", lambda: 0.0)
    (tmp_path / "a.edf").write_bytes(b"\0" * 1000)  # 100 windows
    (tmp_path / "b.edf").write_bytes(b"\0" * 9000)  # 50,000 windows
    files = [InputFile(0, "a.edf", str(tmp_path / "a.edf")),
             InputFile(1, "b.edf", str(tmp_path / "b.edf"))]  # fmt: skip
    bar = dataset_summary.DatasetProgress(2, True, "embed-dataset", files=files)
    bar.update(_progress_result(0, 100), {})
    assert bar.bar.n == pytest.approx(0.2)
    bar.embedded(10_000)  # at a.edf's bytes per window: 20 files' worth
    assert bar.bar.n == pytest.approx(0.2 + 0.5 * 1.8), str(bar.bar)  # half b.edf at most
    assert " 100%|" not in str(bar.bar)
    bar.update(_progress_result(1, 50_000), {})
    assert bar.bar.n == 2 and " 100%|" in str(bar.bar)
    bar.close()


def test_a_log_gets_a_progress_line_while_a_slow_block_of_windows_is_embedded(monkeypatch):
    """Where stderr is a log (SLURM), embed-dataset's bar drew a line only when a block of
    windows (256 on a CPU) or a file was done: a slow model on a long recording left the log
    silent for many minutes, as if the job hung, though a line every 30 s was promised. A
    heartbeat now draws the bar where nothing was drawn for 30 s, on a clock made here; its
    thread waits on an event and ends with close()."""
    import io
    import types

    clock = [1000.0]
    monkeypatch.setattr(
        dataset_summary, "time", types.SimpleNamespace(perf_counter=lambda: clock[0])
    )
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])  # what the log writer reads
    monkeypatch.delenv("TQDM_MININTERVAL", raising=False)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    bar = dataset_summary.DatasetProgress(1, True, "embed-dataset", step_s=4.0)
    assert bar._heartbeat is not None and bar._heartbeat.is_alive() and bar._heartbeat.daemon
    lines = lambda: log.getvalue().splitlines()  # noqa: E731
    assert len(lines()) == 1  # the bar at its start
    for now, drawn in ((1010, 1), (1029, 1), (1031, 2), (1050, 2), (1062, 3), (1100, 4)):
        clock[0] = now
        bar.beat()  # as its thread does, a third of the interval apart
        assert len(lines()) == drawn, (now, lines())
    clock[0] = 1110
    bar.embedded(256)  # a block done 10 s after the last line: counted, not drawn yet
    assert len(lines()) == 4
    clock[0] = 1131
    bar.beat()
    assert len(lines()) == 5 and lines()[-1].endswith(", 256 windows of files in progress]")
    bar.close()
    assert not bar._heartbeat.is_alive()  # ended at once, not after its wait
    drawn = log.getvalue()
    clock[0] = 1200
    bar.beat()  # closed: nothing more
    assert log.getvalue() == drawn
    monkeypatch.setattr(dataset_summary, "progress_interval", lambda: 0.1)  # a terminal
    terminal = dataset_summary.DatasetProgress(1, True, "x")
    assert terminal._heartbeat is None  # tqdm redraws it often enough
    terminal.close()


def _heartbeats() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "eegpt-progress-heartbeat"]


def test_the_progress_heartbeat_starts_once_the_bar_is_made(monkeypatch):
    """The heartbeat's thread was started before the bar's files were weighed (a stat of each:
    minutes for a large corpus on a network disk): a beat then drew a bar not made yet and
    its thread died of an AttributeError, and where weighing failed the thread was left
    beating. It starts last now."""
    import io

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a log: the heartbeat's case
    assert not _heartbeats()
    seen = []

    def weighing(files):
        seen.append(len(_heartbeats()))
        raise OSError("stale file handle")

    monkeypatch.setattr(dataset_summary, "_weights", weighing)
    with pytest.raises(OSError, match="stale"):
        dataset_summary.DatasetProgress(1, True, "embed-dataset")
    assert seen == [0]  # not beating while the files are weighed
    assert not _heartbeats()  # nor left beating


def test_no_progress_heartbeat_is_left_beating_however_a_run_ends(
    corpus, model, tmp_path, monkeypatch
):
    """embed_dataset closed its bar (ending the heartbeat's thread, where stderr is a log) in
    the clean-up of its work, after the writer's abort: where that raised (a temporary file
    that could not be removed), or before the work began (its result queue's thread not
    started), the thread was left drawing the bar into the log every 30 s for as long as
    the process lived, one more with each such run. Each run's bar is closed as it ends."""
    import io

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)  # a log: the heartbeat's case
    abort = ShardWriter.abort

    def failing_abort(self, *, keep=False):
        abort(self, keep=keep)
        raise PermissionError("cannot remove the temporary shard")

    def failing_add(self, result):
        raise OSError(errno.ENOSPC, "no space left on device")

    monkeypatch.setattr(ShardWriter, "add", failing_add)
    monkeypatch.setattr(ShardWriter, "abort", failing_abort)
    with pytest.raises((OSError, PermissionError)):
        embed_dataset(corpus, tmp_path / "a", model=model, workers=0, device="cpu")
    assert not _heartbeats()
    monkeypatch.undo()
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    monkeypatch.setattr(sys, "stderr", log)

    def no_thread(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(eegpt.dataset, "BackgroundSink", no_thread)
    with pytest.raises(RuntimeError, match="new thread"):
        embed_dataset(corpus, tmp_path / "b", model=model, workers=0, device="cpu")
    assert not _heartbeats()


def test_the_progress_bar_weighs_a_file_it_cannot_size_as_the_mean(tmp_path):
    """A recording whose files cannot be stated (gone, unreadable) weighs as the mean of the
    others; the weights add up to the number of files (the bar's total)."""
    (tmp_path / "a.edf").write_bytes(b"\0" * 1000)
    files = [InputFile(0, "a.edf", str(tmp_path / "a.edf")),
             InputFile(1, "gone.edf", str(tmp_path / "gone.edf"))]  # fmt: skip
    bar = dataset_summary.DatasetProgress(2, True, "embed-dataset", files=files)
    bar.update(_progress_result(1, 0, error="FileNotFoundError: gone"), {})
    assert bar.bar.n == pytest.approx(1.0)
    bar.update(_progress_result(0, 3), {})
    assert bar.bar.n == 2
    bar.close()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_parts_in_flight_are_bounded_by_the_readers(long_corpus):
    """Each part is up to 256 MiB of windows: besides the one being consumed, at most one per
    reader is read ahead (files count as before), so the main process holds a few parts, not
    2 x workers + 2."""
    files = resolve_inputs(long_corpus).files
    size = _window_bytes(long_corpus / "b.edf")
    readers = Readers(2, {"config": PreprocessingConfig(), "part_bytes": size}, 6)
    seen = []
    for loaded in readers.read(files):
        time.sleep(0.05)  # a slow consumer: reads pile up to their bound
        ahead = [e for e in readers._pending if e.future is not None and e.part is not None]
        seen.append(len(ahead))
        assert loaded.error is None
    readers.close()
    assert max(seen) == 2 and len(seen) > 20  # the one consumed, one per reader ahead


def _crash_in_part(index: int, path: str, **kwargs) -> object:
    part = kwargs.get("part")
    if part is not None and part.first >= 2 and path.endswith("b.edf"):
        os._exit(3)  # a reader killed in the second part of the long file
    return load_file(index, path, **kwargs)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_reader_that_dies_in_a_part_is_blamed_alone(long_corpus):
    """A reader dies in a later part of a long file: that part is found by reading alone, the
    file's remaining parts are given up with it, the other files are read."""
    files = resolve_inputs(long_corpus).files
    size = _window_bytes(long_corpus / "b.edf")
    kwargs = {"config": PreprocessingConfig(), "part_bytes": 2 * size}
    readers = Readers(1, kwargs, 4, loader=_crash_in_part)
    loaded = list(readers.read(files))
    readers.close()
    of_long = [f for f in loaded if f.index == 1]
    assert [f.part.first for f in of_long] == [0, 2] and len(of_long[0].more) > 3
    assert of_long[0].error is None and "reader process died" in of_long[1].error
    assert of_long[1].part.last  # the failure ends the file
    others = [f for f in loaded if f.index != 1]
    assert {f.index for f in others} == {0, 2} and all(f.error is None for f in others)
    assert [f.index for f in loaded] == sorted(f.index for f in loaded)
    for index in (0, 2):  # the other files' parts, all of them, in order
        got = [f.part.first if f.part else 0 for f in loaded if f.index == index]
        assert got == list(range(0, len(got) * 2, 2))


# ------------------------------------------------------------------------------------ devices


def test_select_devices(monkeypatch):
    assert select_devices("cpu") == [torch.device("cpu")]
    with pytest.raises(ValueError, match="replicas on the CPU"):
        select_devices("cpu", replicas=2)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert select_devices(None) == [torch.device("cpu")]
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        select_devices("cuda")
    for name in ("foo", "gpux", "cuda:x", "cuda,,cpu", ","):
        with pytest.raises(ValueError, match="unknown device"):
            select_devices(name)
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        select_devices("GPU")  # cuda, as --device takes it
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)
    gpus = [torch.device("cuda", i) for i in range(3)]
    assert select_devices(None) == gpus
    assert select_devices("auto", replicas=2) == gpus[:2]
    assert select_devices("cuda") == gpus
    assert select_devices("cuda:1") == [gpus[1]]
    assert select_devices("cuda:0, cuda:2") == [gpus[0], gpus[2]]
    assert select_devices("gpu:0, GPU:2") == [gpus[0], gpus[2]]
    with pytest.raises(DeviceUnavailableError, match="PyTorch sees 3 CUDA GPU"):
        select_devices("cuda:3")  # the message of a single device (engine.resolve_device)
    for name in ("mps", "cuda:0,xpu"):
        with pytest.raises(DeviceUnavailableError, match="not supported"):
            select_devices(name)
    with pytest.raises(ValueError, match="twice"):
        select_devices("cuda:1,cuda:1")


def test_a_run_that_fails_before_its_first_shard_leaves_the_folders_as_they_were(
    corpus, model, tmp_path, monkeypatch
):
    """A failure after the folder was made (an engine that cannot start, a folder holding
    other files) removes the folders it made (parents too) and the files it wrote there (lock,
    reports); a folder that existed keeps what it had; a wrong device fails before anything."""
    from eegpt import dataset

    def broken(*args, **kwargs):
        raise RuntimeError("engine failed to start")

    monkeypatch.setattr(dataset, "make_engines", broken)
    new = tmp_path / "new" / "sub" / "out"
    with pytest.raises(RuntimeError, match="failed to start"):
        embed_dataset(corpus, new, model=model, workers=0, progress=False)
    assert not (tmp_path / "new").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RuntimeError, match="failed to start"):
        embed_dataset(corpus, empty, model=model, workers=0, progress=False)
    assert empty.is_dir() and not list(empty.iterdir())
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="did not write"):
        embed_dataset(corpus, other, model=model, workers=0, progress=False)
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(DeviceUnavailableError):
        embed_dataset(corpus, tmp_path / "gpu", model=model, device="cuda", progress=False)
    assert not (tmp_path / "gpu").exists()


def test_read_embeddings_without_pyarrow_says_what_is_wrong(tmp_path, monkeypatch):
    """Without pyarrow, a wrong path is still said as such, and a folder that may be an output
    gets the message that says what to install, not a bare ModuleNotFoundError."""
    from eegpt.errors import MissingDependencyError

    for name in ("pyarrow", "pyarrow.dataset", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # `import pyarrow` raises ImportError
    with pytest.raises(FileNotFoundError, match=r"read_embeddings: no folder \S*nowhere"):
        read_embeddings(tmp_path / "nowhere")
    (tmp_path / "x.npz").write_bytes(b"")  # a per-recording output: read without pyarrow
    with pytest.raises(ValueError, match=r"x\.npz is not an \.npz archive .*an empty file"):
        read_embeddings(tmp_path / "x.npz")
    (tmp_path / "x.csv").write_text("a\n")
    with pytest.raises(ValueError, match=r"x\.csv is a file; .*\.npz/\.parquet outputs"):
        read_embeddings(tmp_path / "x.csv")
    (tmp_path / "out").mkdir()
    with pytest.raises(
        MissingDependencyError, match=r"^read_embeddings needs pyarrow: pip install pyarrow pandas"
    ):
        read_embeddings(tmp_path / "out")


def test_each_file_s_recorded_rate_is_kept(clean_run, tmp_path):
    """The rate a file was recorded at (before resampling) is in its shard's file status, in
    _files.csv and in load_embeddings' metadata, as eegpt embed's outputs hold it; a run
    from before it was recorded reads with None."""
    out, _ = clean_run
    files = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert files.loc["a/rec01.edf", "sfreq_in"] == 250.0  # synthetic_raw's rate; the model's 256
    assert pd.isna(files.loc["a/rec03.edf", "sfreq_in"])  # the corrupt file: not read
    statuses = [f for shard in shard_files(out) for f in read_shard_status(shard)[1]["files"]]
    assert {f["recording_id"]: f.get("sfreq_in") for f in statuses}["b/rec02.edf"] == 250.0
    assert load_embeddings(out, recording_id="a/rec01.edf").metadata["sfreq_in"] == 250.0

    old = tmp_path / "old"  # footers as an eegpt from before the rate was recorded wrote them
    shutil.copytree(out, old)
    for shard in shard_files(old):
        table, (_, status) = pq.read_table(shard), read_shard_status(shard)
        for f in status["files"]:
            f.pop("sfreq_in", None)  # (the corrupt file has none)
        with pq.ParquetWriter(shard, table.schema) as writer:
            writer.write_table(table)
            writer.add_key_value_metadata({"eegpt_shard": json.dumps(status)})
    one = load_embeddings(old, recording_id="a/rec01.edf")
    assert one.metadata["sfreq_in"] is None and len(one.data)


def test_reading_outputs_imports_neither_torch_nor_mne_nor_scipy(clean_run, tmp_path):
    """A corpus run, one recording of it, several run folders and single-file outputs are read
    without the model's stack (torch, MNE, SciPy): analysis needs pyarrow and pandas only."""
    out, _ = clean_run
    saved = load_embeddings(out, recording_id="a/rec01.edf")
    saved.save(tmp_path / "one.npz")
    saved.save(tmp_path / "one.parquet")
    shutil.copytree(out, tmp_path / "copy")  # the same files twice: refused, once compared
    script = f"""
import sys
import eegpt

table, emb = eegpt.read_embeddings({str(out)!r})
assert emb.shape[0] == len(table) > 0
assert eegpt.load_embeddings({str(out)!r}, recording_id="a/rec01.edf").data.shape[0] > 0
for name in ("one.npz", "one.parquet"):
    assert eegpt.load_embeddings({str(tmp_path)!r} + "/" + name).data.shape[0] > 0
try:
    eegpt.read_embeddings([{str(out)!r}, {str(tmp_path / "copy")!r}])
except ValueError as err:
    assert "both hold" in str(err), err
print(sorted(m for m in ("torch", "mne", "scipy") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_info_on_run_folders_imports_no_torch(clean_run, tmp_path):
    """`eegpt info` on a run folder and on a folder of runs (a SLURM check step, a login node)
    reads manifests and shard footers only: no torch, nor MNE or SciPy (the preprocessing line
    comes from eegpt.preprocessing_spec)."""
    out, _ = clean_run
    parts = tmp_path / "parts"
    shutil.copytree(out, parts / "run-a")
    script = f"""
import sys
from eegpt.cli import main

for folder in ({str(out)!r}, {str(parts)!r}):
    assert main(["info", folder]) == 3  # clean_run's corrupt file failed: needs attention
print([m for m in ("torch", "mne", "scipy") if m in sys.modules])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "embeddings of" in done.stdout and "run folder" in done.stdout, done.stdout
    assert "  preprocessing: sfreq 256.0" in done.stdout, done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout


def test_without_ray_the_engine_message_names_the_option_and_the_keyword(monkeypatch):
    """Raised from `eegpt embed-dataset --engine ray` or embed_dataset(backend='ray'): both
    spellings of the way out, and the extra to install."""
    from eegpt.dataset_ray import _ray
    from eegpt.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(MissingDependencyError) as caught:
        _ray()
    assert "pip install 'ray[data]' (from a clone of eegpt: pip install '.[ray]')" in str(
        caught.value
    )
    assert "backend='inprocess' (--engine inprocess, the default)" in str(caught.value)


def test_make_engines_gives_each_device_its_own_replica(model):
    engines = make_engines(model, [torch.device("cpu")] * 3, batch_size=8)
    assert len({id(e.model) for e in engines}) == 3 and engines[-1].model is model.target_encoder
    x = np.random.default_rng(0).standard_normal((3, 4, 256)).astype(np.float32)
    outs = [e.encode(x, [0, 1, 2, 3]) for e in engines]
    np.testing.assert_array_equal(outs[0], outs[2])


# ---------------------------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        pa.ArrowIOError("Error writing bytes to file. Detail: [errno 28] No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),  # a cluster's quota
    ],
)
def test_a_full_disk_names_the_folder_the_shard_and_how_to_resume(
    corpus, weights, tmp_path, capsys, monkeypatch, error
):
    """A disk that fills up while a shard is written (Python's ENOSPC, or pyarrow's): the
    message names the output folder and the shard, and says that the same command resumes;
    it does, once there is room."""

    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "--shard-size", "1", "-q"]
    commit, write_csv = ShardWriter._commit, shard_writer_mod.write_report_csv
    full = []

    def full_at_the_second_shard(self: ShardWriter) -> None:
        if self._shard == 1:
            full.append(True)
            raise error
        commit(self)

    def reports(path: Path, rows: Any) -> None:  # the reports meet the full disk after it
        if full:
            raise OSError(errno.ENOSPC, "No space left on device")
        write_csv(path, rows)

    monkeypatch.setattr(ShardWriter, "_commit", full_at_the_second_shard)
    monkeypatch.setattr(shard_writer_mod, "write_report_csv", reports)
    monkeypatch.setattr(dataset_runs, "write_report_csv", reports)
    assert cli_main(args) == 1
    err = capsys.readouterr().err
    said = "disk quota exceeded" if error.errno == errno.EDQUOT else "no space left"
    assert f"eegpt: error: {said} on the device of {out} while writing " in err
    assert re.search(r"shard-00001\.parquet \(.*(No space left|quota).*\): the run stopped, keeping "
                     r"its finished shards \(1 shard in the folder\)\. Free some space .* run "
                     r"the same command again", err)  # fmt: skip
    monkeypatch.undo()
    assert cli_main(args) == 0
    assert json.loads((out / MANIFEST).read_text())["runs"][-1]["shards_written"] == 1


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EFBIG, "File too large"),
        pa.ArrowIOError("Error writing bytes to file. Detail: [errno 27] File too large"),
    ],
)
def test_a_file_size_limit_names_itself_the_folder_the_shard_and_how_to_resume(
    corpus, weights, tmp_path, capsys, monkeypatch, error
):
    """A shard that grows past a file-size limit (``ulimit -f``: EFBIG, as Python or pyarrow
    raise it) stops the run as a full disk does, saying that it is a file-size limit, naming
    the folder and the shard, and that the same command resumes; it does, once raised."""
    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf", "b/rec00.edf"])
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "--shard-size", "1", "-q"]
    commit = ShardWriter._commit

    def too_large_at_the_second_shard(self: ShardWriter) -> None:
        if self._shard == 1:
            raise error
        commit(self)

    monkeypatch.setattr(ShardWriter, "_commit", too_large_at_the_second_shard)
    assert cli_main(args) == 1
    err = capsys.readouterr().err
    assert (
        f"eegpt: error: file-size limit reached in {out} while writing shard-00001.parquet (" in err
    )
    assert "File too large" in err and "`ulimit -f`" in err and "maximum file size" in err
    assert re.search(r"the run stopped, keeping its finished shards \(1 shard in the folder\)\. "
                     r"Raise the limit .* run the same command again: it resumes", err)  # fmt: skip
    monkeypatch.undo()
    assert cli_main(args) == 0
    assert json.loads((out / MANIFEST).read_text())["runs"][-1]["shards_written"] == 1


def test_a_real_file_size_limit_stops_the_run_with_its_message(corpus, weights, tmp_path):
    """Under a real file-size limit (RLIMIT_FSIZE, as `ulimit -f` sets) smaller than a shard:
    not killed by SIGXFSZ (Python ignores it), but stopped with the file-size message (pyarrow's
    EFBIG); the same command without the limit then finishes."""
    resource = pytest.importorskip("resource")
    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf"])
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "eegpt.dataset_cli", str(folder), "-o", str(out)]
    cmd += ["--weights", str(weights), "--device", "cpu", "--workers", "0", "-q"]

    def limited() -> None:  # far below the shard (about 100 KB), above the reports
        resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, resource.RLIM_INFINITY))

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, preexec_fn=limited)
    assert done.returncode == 1, done.stderr
    assert f"file-size limit reached in {out} while writing shard-00000.parquet" in done.stderr
    assert "before finishing a shard. Raise the limit" in done.stderr
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_cli_and_subcommand(corpus, weights, tmp_path, capsys):
    out = tmp_path / "out"
    code = cli_main(
        [str(corpus), "-o", str(out), "--weights", str(weights), "--workers", "0", "-q"]
        + ["--shard-size", "4", "--pool", "mean", "--window", "2", "--rescale", "0.5"]
    )
    assert code == 3  # finished, one file failed
    err = capsys.readouterr().err
    assert "6 ok, 1 failed" in err and "_errors.csv" in err
    assert re.search(r"\n  \S*rec03\S*: ", err)  # the failed file on its own line
    assert "--retry-failed" in err
    # the TUH-style files' A1/A2/EKG channels are left out with a warning, summed up per kind
    assert "warnings in 6 of 7 files (channels outside the vocabulary 6): see" in err
    spec, _ = read_shard_status(out / "shard-00000.parquet")
    assert spec["pool"] == "mean" and spec["preprocessing"]["window_seconds"] == 2.0
    assert spec["preprocessing"]["scale"] == 500.0  # --rescale 0.5 x millivolts
    # eegpt info names the rescale folded into the scale (no field of its own is stored)
    from eegpt.dataset_report import describe_output

    said = describe_output(out)
    assert (
        "scale 500.0 (volts to millivolts, 1000, times 0.5: --rescale or a scale given)," in said
    ), said
    first_run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert first_run["command"] == [  # the eegpt command's arguments, as typed
        "embed-dataset", str(corpus), "-o", str(out), "--weights", str(weights), "--workers",
        "0", "-q", "--shard-size", "4", "--pool", "mean", "--window", "2", "--rescale", "0.5",
    ]  # fmt: skip
    assert first_run["batch_size"] is None  # the default
    assert first_run["cwd"] == os.getcwd()
    assert set(first_run["software"]) == {"python", "torch", "numpy", "scipy", "mne"}
    again = [str(corpus), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    again += ["--shard-size", "4", "--pool", "mean", "--window", "2", "--rescale", "0.5"]
    again += ["--batch-size", "2"]  # not a setting of the rows: the run resumes, recording it
    assert cli_main(again) == 3  # nothing left to do; a log's first line says what was asked
    last_run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert last_run["batch_size"] == 2 and last_run["command"] == ["embed-dataset", *again]
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (f"embed-dataset {corpus} -> {out}: weights {weights}, inprocess, float32, "
                     "pool mean, 2 s windows (overlap 0 s)")  # fmt: skip
    assert cli_main([str(corpus), "-o", str(out), "--weights", str(weights), "-q"]) == 1
    assert "--overwrite" in capsys.readouterr().err
    # a glob the shell expanded: several inputs, explained
    files = sorted(str(p) for p in corpus.rglob("*.edf"))
    assert cli_main([*files, "-o", str(tmp_path / "x"), "--weights", str(weights)]) == 2
    assert "did the shell expand a glob? Quote it" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    # a folder another run holds, a GPU that is not there: user errors, not internal ones
    busy = tmp_path / "busy"
    busy.mkdir()
    with FolderLock(busy):  # busy, not broken: EX_TEMPFAIL, "try again later" to a scheduler
        assert cli_main([str(corpus), "-o", str(busy), "--weights", str(weights), "-q"]) == 75
    err = capsys.readouterr().err
    assert "in use by another" in err and "internal error" not in err
    assert "each task needs its own part and folder: --part $SLURM_ARRAY_TASK_ID/" in err
    if not torch.cuda.is_available():
        args = [str(corpus), "-o", str(tmp_path / "gpu"), "--weights", str(weights), "-q"]
        assert cli_main([*args, "--device", "cuda:1"]) == 1
        err = capsys.readouterr().err
        assert "no CUDA GPU" in err and "internal error" not in err
        assert not (tmp_path / "gpu").exists()  # checked before the output folder is made

    parser = argparse.ArgumentParser(prog="eegpt")
    add_dataset_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["embed-dataset", "in", "-o", "o", "--engine", "ray"])
    assert args.engine == "ray" and args.func.__name__ == "cmd_embed_dataset"
    assert args.stream_precision == "float32"
    args = parser.parse_args(
        ["embed-dataset", "in", "-o", "o", "--precision", "bfloat16", "--stream-precision",
         "float16"]
    )  # fmt: skip
    assert (args.precision, args.stream_precision) == ("bfloat16", "float16")


# ----------------------------------------------------------------------------- kill and resume


def _run_until_first_shard(corpus: Path, out: Path, weights: Path, **popen):
    """Start `eegpt embed-dataset` on ``corpus`` (one reader process) in a subprocess and return
    ``(process, command, reader pids)`` once its first shard is written."""
    cmd = [sys.executable, "-m", "eegpt.dataset_cli", str(corpus), "-o", str(out)]
    cmd += ["--weights", str(weights), "--shard-size", "2", "--workers", "1", "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)
    deadline = time.monotonic() + 120
    while not (out / "shard-00000.parquet").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no shard written: {proc.communicate()[1].decode()}")
        time.sleep(0.005)
    return proc, cmd, _children(proc.pid)


def _assert_gone(pids: list[int], seconds: float) -> None:
    """The processes exit within ``seconds`` (orphans notice their parent died)."""
    deadline = time.monotonic() + seconds
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in pids if _alive(pid)], "reader processes outlived the run"


def test_kill_9_then_resume_finishes_without_loss_or_rewrites(model, weights, tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 16, minutes=2.0)  # 8 shards: a fast machine must not finish first
    out = tmp_path / "out"
    proc, cmd, readers = _run_until_first_shard(corpus, out, weights)
    try:
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    _assert_gone(readers, 20)
    done = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("shard-*.parquet")}
    assert 1 <= len(done) < 8, f"the kill came too late to test anything: {sorted(done)}"

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(done)} already done)" in resumed.stderr
    for name, stamp in done.items():
        p = out / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == stamp, f"{name} was rewritten"
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".shard")) == []

    clean = tmp_path / "clean"
    embed_dataset(corpus, clean, model=model, shard_size=2, workers=0, progress=False)
    got, want = pq.read_table(out), pq.read_table(clean)
    assert got.num_rows == want.num_rows > 0
    assert got.equals(want)  # same rows, same order, same embeddings: no loss, no duplicates
    keys = got.select(["recording_id", "window"]).to_pandas()
    assert not keys.duplicated().any()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_readers_at_once_without_tracebacks(weights, tmp_path, sig):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) and SIGTERM stop a
    run promptly with one line and status 130 / 143; reader processes neither print their own
    tracebacks nor finish their files first."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 24, minutes=2.0)  # 12 shards: a GPU must not finish first
    proc, _, readers = _run_until_first_shard(corpus, tmp_path / "out", weights,
                                               start_new_session=True)  # fmt: skip
    try:
        t0 = time.monotonic()
        os.killpg(proc.pid, sig) if sig == signal.SIGINT else os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
        seconds = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    err = err.decode()
    assert proc.returncode == (130 if sig == signal.SIGINT else 143), err
    assert "interrupted" in err and "Traceback" not in err, err
    assert seconds < 10, f"took {seconds:.1f} s to stop"
    _assert_gone(readers, 10)  # multiprocessing's resource tracker exits on its own


def test_a_second_ctrl_c_quits_at_once_without_a_crash(weights, tmp_path):
    """Two Ctrl-C in a row (the first waits for the batch being computed): status 130, no
    abort from threads torn down mid-computation, no reader left behind."""
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 8, minutes=2.0)
    proc, _, readers = _run_until_first_shard(corpus, tmp_path / "out", weights,
                                               start_new_session=True)  # fmt: skip
    try:
        os.killpg(proc.pid, signal.SIGINT)
        time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    err = err.decode()
    assert proc.returncode == 130, err
    assert "stopping after the current batch" in err, err
    assert "terminate called" not in err and "Traceback" not in err, err
    _assert_gone(readers, 10)


def test_second_interrupt_kills_readers_and_exits(monkeypatch, capsys):
    from eegpt import cli_run

    killed, exits = [], []

    class Child:
        def kill(self):
            killed.append(self)

    monkeypatch.setattr(cli_run.multiprocessing, "active_children", lambda: [Child(), Child()])
    monkeypatch.setattr(cli_run.os, "_exit", exits.append)
    handler = cli_run._Interrupts()
    with pytest.raises(KeyboardInterrupt):
        handler(signal.SIGINT, None)
    assert not killed and not exits
    handler(signal.SIGINT, None)
    assert len(killed) == 2 and exits == [130]
    err = capsys.readouterr().err
    assert "Ctrl-C again to quit at once" in err and "quit at once;" in err


def _signal_after_shard(monkeypatch, shard: int, sig: int) -> None:
    """Send ``sig`` to this process (handled in the main thread, as a key press or a job
    scheduler's SIGTERM is) right after shard ``shard`` was committed, and hold the writer a
    moment so that the main thread meets it before the writer takes more files."""
    commit = ShardWriter._commit

    def commit_then_signal(self: ShardWriter) -> None:
        number = self._shard
        commit(self)
        if number == shard:
            os.kill(os.getpid(), sig)
            time.sleep(0.5)

    monkeypatch.setattr(ShardWriter, "_commit", commit_then_signal)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_run_stopped_by_ctrl_c_or_sigterm_says_so(weights, tmp_path, monkeypatch, capsys, sig):
    """A run stopped by Ctrl-C or SIGTERM records how it ended beside ``ended`` in its
    manifest's ``runs``; ``eegpt info`` says so and that the same command finishes it."""
    folder = tmp_path / "tuh"
    make_corpus(folder, 10, minutes=8 / 60)
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "--shard-size", "1", "-q"]
    _signal_after_shard(monkeypatch, 0, sig)
    if sig == signal.SIGINT:
        assert cli_main(args) == 130
    else:
        with pytest.raises(SystemExit) as stopped:
            cli_main(args)
        assert stopped.value.code == 143
    assert "run the same command again to resume" in capsys.readouterr().err
    monkeypatch.undo()
    run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    how = "interrupted" if sig == signal.SIGINT else "terminated"
    assert run["ended"] is True and run["stopped"] == how
    written = len(shard_files(out))
    assert 1 <= written < 10 and run["shards_written"] == written
    said = "stopped by Ctrl-C" if sig == signal.SIGINT else "stopped by SIGTERM (a time limit?)"
    described = describe_output(out)
    assert f"{said} after {written} shard" in described, described
    assert "run the same command again to finish" in described
    assert cli_main(args) == 0  # resumed to the end
    described = describe_output(out)
    assert f"{said} after {written} shard" in described  # the first run, as it ended
    assert "run the same command again" not in described
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert runs[-1]["ended"] is True and runs[-1]["stopped"] is None
    assert "versions" not in capsys.readouterr().err  # resumed with the same versions


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_after_the_last_file_leaves_a_finished_run(
    small_corpus, weights, tmp_path, monkeypatch, capsys, sig
):
    """Ctrl-C or SIGTERM that comes as the last shard is written stops nothing: the run is
    finished, says so, exits as its files say (not 130 with "run again to resume") and is
    recorded as finished."""
    out = tmp_path / "out"
    args = [str(small_corpus), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "--shard-size", "2", "-q"]
    _signal_after_shard(monkeypatch, 2, sig)  # the last of 3
    name = "Ctrl-C" if sig == signal.SIGINT else "SIGTERM"
    with pytest.warns(Warning, match=f"{name} came after the last file was embedded: every file"):
        assert cli_main(args) == 0
    err = capsys.readouterr().err
    assert "5 files, 5 ok, 0 failed" in err and "interrupted" not in err
    run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert run["ended"] is True and run["stopped"] is None and run["shards_written"] == 3
    assert "stopped" not in describe_output(out)


def test_ctrl_c_after_the_last_file_stops_a_python_caller_but_the_run_is_finished(
    small_corpus, model, tmp_path, monkeypatch
):
    """From Python, Ctrl-C as the last shard is written is raised (a loop over corpora stops,
    as the user asked), and the run is recorded as finished: nothing is left to resume."""
    out = tmp_path / "out"
    _signal_after_shard(monkeypatch, 2, signal.SIGINT)  # the last of 3
    with (
        pytest.warns(Warning, match="Ctrl-C came after the last file was embedded"),
        pytest.raises(KeyboardInterrupt),
    ):
        embed_dataset(
            small_corpus, out, model=model, workers=0, device="cpu", progress=False, shard_size=2
        )
    run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert run["ended"] is True and run["stopped"] is None and run["shards_written"] == 3
    assert "stopped" not in describe_output(out)


def _restamp(shard: Path, stamp: dict[str, Any] | None) -> None:
    """Write ``shard`` again with its footer's ``run`` stamp replaced by ``stamp`` (None: no
    stamp, as eegpt wrote footers before it), as a run of other versions would have left it."""
    table = pq.read_table(shard)
    meta = dict(pq.read_metadata(shard).metadata)
    status = json.loads(meta[b"eegpt_shard"])
    status.pop("run", None)
    if stamp is not None:
        status["run"] = stamp
    meta[b"eegpt_shard"] = json.dumps(status).encode()
    pq.write_table(table.replace_schema_metadata(meta), shard, write_page_checksum=True)


def _version_warnings(caught: list[Any]) -> list[str]:
    return [str(w.message) for w in caught if " is resumed with " in str(w.message)]


def test_info_names_the_version_of_runs_of_an_eegpt_that_recorded_it_in_the_manifest_only(
    small_corpus, model, tmp_path
):
    """A run of an eegpt that recorded no version per run (its ``last_run``, or ``runs``
    entries without ``eegpt_version``) was listed as ``(eegpt ?)`` although the manifest
    records the eegpt that wrote it at its top; now that one, and "?" where a later run
    records its own (the top then is the later eegpt's)."""
    out = tmp_path / "out"
    embed_dataset(small_corpus, out, model=model, workers=0, progress=False, shard_size=5)
    manifest = json.loads((out / MANIFEST).read_text())
    dropped = ("eegpt_version", "eegpt_changes", "software")
    old = {k: v for k, v in manifest["runs"][-1].items() if k not in dropped}
    old.pop("torch_version", None)
    manifest.update(eegpt_version="0.0.9", runs=[old])
    (out / MANIFEST).write_text(json.dumps(manifest))
    runs = [line for line in describe_output(out).splitlines() if line.startswith("  run ")]
    assert len(runs) == 1 and runs[0].endswith("(eegpt 0.0.9)"), runs
    manifest["runs"].append({**old, "eegpt_version": "0.1.0"})  # a later run records its own
    (out / MANIFEST).write_text(json.dumps(manifest))
    runs = [line for line in describe_output(out).splitlines() if line.startswith("  run ")]
    assert runs[0].endswith("(eegpt ?)") and runs[1].endswith("(eegpt 0.1.0)"), runs


def test_a_resume_with_other_versions_warns_and_shards_name_their_run(
    small_corpus, model, tmp_path
):
    """Resuming a folder whose shards were written with other eegpt and torch versions is not
    refused but warned about once, naming both; every shard's footer names the run that wrote
    it (its start and all its versions), and ``eegpt info`` lists the versions of each run."""
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(small_corpus, out, **run)
    for p in shard_files(out)[3:]:  # stopped after its third shard, under older versions
        p.unlink()
    manifest = json.loads((out / MANIFEST).read_text())
    first = manifest["runs"][-1]
    first.update(eegpt_version="0.0.1", torch_version="1.0.0", shards_written=3)
    first["software"]["torch"] = "1.0.0"
    manifest["shards_done"] = [0, 1, 2]
    (out / MANIFEST).write_text(json.dumps(manifest))
    old = {k: first[k] for k in ("started", "eegpt_version", "torch_version", "software")}
    for p in shard_files(out):
        _restamp(p, old)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(small_corpus, out, **run)
    said = _version_warnings(caught)
    assert len(said) == 1, [str(w.message) for w in caught]
    now = f"eegpt {eegpt.__version__} (changes to {eegpt.api.CHANGES_DATE})"
    assert f"resumed with {now}, torch {torch.__version__}" in said[0]
    assert "shards written before come from eegpt 0.0.1, torch 1.0.0:" in said[0]
    assert "told apart" in said[0] and f"eegpt info {out}" in said[0]
    second = json.loads((out / MANIFEST).read_text())["runs"][-1]
    stamps = [read_shard_status(p)[1]["run"] for p in shard_files(out)]
    assert [s["started"] for s in stamps] == [first["started"]] * 3 + [second["started"]] * 2
    assert stamps[-1] == {
        "started": second["started"],
        "eegpt_version": eegpt.__version__,
        "eegpt_changes": eegpt.api.CHANGES_DATE,  # eegpt_version stays while numbers change
        "torch_version": torch.__version__,
        "software": eegpt.api.software_versions(),  # scipy and MNE change the numbers too
    }
    described = describe_output(out)
    versions = [
        line[line.index("(eegpt ") :] for line in described.splitlines() if "(eegpt " in line
    ]
    assert len(versions) == 2 and "torch 1.0.0" in versions[0], versions  # the older run's
    assert versions[1].startswith(f"({now}, ") and (
        f"torch {torch.__version__}" in versions[1] and "numpy" in versions[1]
    ), versions
    with warnings.catch_warnings(record=True) as caught:  # nothing left to do: nothing mixed
        warnings.simplefilter("always")
        embed_dataset(small_corpus, out, **run)
    assert not _version_warnings(caught)


def test_a_resume_judges_versions_by_the_shards_present_not_by_runs_that_wrote_none(
    small_corpus, model, tmp_path
):
    """An earlier run of other versions that died before its first shard made none of the
    rows: a resume of the shards a later run (of this run's versions) wrote does not warn."""
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(small_corpus, out, **run)
    for p in shard_files(out)[3:]:
        p.unlink()
    manifest = json.loads((out / MANIFEST).read_text())
    written = manifest["runs"][-1]
    written["shards_written"] = 3
    dead = {**written, "started": "2020-01-01T00:00:00+0000", "shards_written": 0}
    dead.update(eegpt_version="0.0.1", torch_version="1.0.0", ended=False)
    dead["software"] = {**written["software"], "torch": "1.0.0", "scipy": "0.1"}
    manifest["runs"] = [dead, written]
    manifest["shards_done"] = [0, 1, 2]
    (out / MANIFEST).write_text(json.dumps(manifest))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(small_corpus, out, **run)
    assert not _version_warnings(caught), _version_warnings(caught)


def test_parts_embedded_by_other_versions_are_read_with_a_warning_naming_them(
    small_corpus, model, tmp_path
):
    """The parts of one corpus run on hosts of other installations (another torch) were read
    as one corpus without a word, though a run resumed with other versions warns; now a
    warning names each part with its versions (shards of before the stamp: "not recorded")."""
    settings = dict(model=model, workers=0, device="cpu", progress=False)
    folders = []
    for k, names in enumerate([("a/rec01.edf", "b/rec00.edf"), ("b/rec02.edf",)]):
        listed = "".join(f"{small_corpus / name}\n" for name in names)
        (tmp_path / f"part{k}.csv").write_text(f"path\n{listed}")
        folders.append(tmp_path / f"part{k}")
        embed_dataset(tmp_path / f"part{k}.csv", folders[-1], **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_embeddings(folders)  # one installation: nothing said
    (shard,) = shard_files(folders[1])
    stamp = read_shard_status(shard)[1]["run"]
    mine = f"torch {stamp['software']['torch']}"
    _restamp(shard, {**stamp, "software": {**stamp["software"], "torch": "1.0.0"}})
    with pytest.warns(RuntimeWarning, match=r"parts were embedded by other versions") as caught:
        table, emb = read_embeddings(folders)
    assert f"({folders[0]}: {mine}; {folders[1]}: torch 1.0.0)" in str(caught[0].message)
    assert len(table) == len(emb) > 0
    # a part of an eegpt of other changes (eegpt_changes; eegpt_version stays 0.1.0)
    _restamp(shard, {**stamp, "eegpt_changes": "2026-11-30"})
    with pytest.warns(RuntimeWarning, match=r"parts were embedded by other versions") as caught:
        read_embeddings(folders)
    said = f"{folders[1]}: eegpt {eegpt.__version__} (changes to 2026-11-30))"
    assert said in str(caught[0].message), str(caught[0].message)
    # a part of an eegpt that recorded no changes (before 2026-12-07 16:08): not said to be
    # of other ones, but of changes not recorded
    _restamp(shard, {k: v for k, v in stamp.items() if k != "eegpt_changes"})
    with pytest.warns(RuntimeWarning, match=r"parts were embedded by other versions") as caught:
        read_embeddings(folders)
    said = f"{folders[1]}: eegpt {eegpt.__version__} (changes not recorded))"
    assert said in str(caught[0].message), str(caught[0].message)
    assert f"{folders[0]}: eegpt {eegpt.__version__} (changes to " in str(caught[0].message)
    _restamp(shard, None)
    with pytest.warns(RuntimeWarning, match=r"part1: eegpt not recorded, torch not recorded"):
        read_embeddings(folders)


def test_corpus_runs_record_eegpt_changes_and_resumes_and_reads_compare_them(
    small_corpus, model, tmp_path
):
    """eegpt_version stays 0.1.0 while eegpt's numbers change: per-recording outputs record
    ``eegpt_changes`` (the newest CHANGELOG.md section their eegpt includes) and
    read_embeddings names it, but a corpus run's manifest and shard stamps did not, so a
    corpus resumed, or its parts read, across eegpts of other changes mixed them without a
    word. Now both record it, a resume and a read of parts warn naming both, and shards of
    an eegpt before the field (none recorded) still resume and read, named as such."""
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(small_corpus, out, **run)
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["runs"][-1]["eegpt_changes"] == eegpt.api.CHANGES_DATE
    stamps = [read_shard_status(p)[1]["run"] for p in shard_files(out)]
    assert {s["eegpt_changes"] for s in stamps} == {eegpt.api.CHANGES_DATE}
    assert f"(eegpt {eegpt.__version__} (changes to {eegpt.api.CHANGES_DATE}), " in (
        describe_output(out)
    )
    for p in shard_files(out)[3:]:  # stopped after its third shard, by an eegpt of other changes
        p.unlink()
    manifest["runs"][-1].update(eegpt_changes="2026-11-30", shards_written=3)
    manifest["shards_done"] = [0, 1, 2]
    (out / MANIFEST).write_text(json.dumps(manifest))
    for p, stamp in zip(shard_files(out), stamps, strict=False):
        _restamp(p, {**stamp, "eegpt_changes": "2026-11-30"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(small_corpus, out, **run)
    (said,) = _version_warnings(caught)
    now = f"eegpt {eegpt.__version__} (changes to {eegpt.api.CHANGES_DATE})"
    assert f"resumed with {now}, but the shards written before come from " in said, said
    assert f"eegpt {eegpt.__version__} (changes to 2026-11-30):" in said, said
    # shards of an eegpt before eegpt_changes was recorded: read, and resumed, as before
    for p in shard_files(out):
        stamp = read_shard_status(p)[1]["run"]
        _restamp(p, {k: v for k, v in stamp.items() if k != "eegpt_changes"})
    table, emb = read_embeddings(out)
    assert len(table) == len(emb) > 0
    for p in shard_files(out)[3:]:
        p.unlink()
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["shards_done"] = [0, 1, 2]
    manifest["runs"] = [
        {k: v for k, v in r.items() if k != "eegpt_changes"} for r in manifest["runs"]
    ]
    (out / MANIFEST).write_text(json.dumps(manifest))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = embed_dataset(small_corpus, out, **run)
    (said,) = _version_warnings(caught)
    # the changes of those shards' eegpt are not recorded, not other ones: said so
    unrecorded = f"eegpt {eegpt.__version__} (changes not recorded)"
    assert f"shards written before come from {unrecorded}:" in said, said
    assert summary.n_ok == len(shard_files(out)) == 5


def test_a_resume_warns_of_another_scipy_and_reads_old_footers_by_their_runs(
    small_corpus, model, tmp_path
):
    """Another SciPy (resampling) or MNE than the shards' is warned about as eegpt's is; for
    footers from before the ``run`` stamp the versions are those of the runs that wrote a
    shard (a run that wrote none is not named), and Python's own version is not compared."""
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(small_corpus, out, **run)
    shards = shard_files(out)
    for p in shards[3:]:
        p.unlink()
    stamp = read_shard_status(shards[0])[1]["run"]
    _restamp(shards[0], {**stamp, "software": {**stamp["software"], "python": "3.0.0"}})
    _restamp(shards[1], {**stamp, "software": {**stamp["software"], "scipy": "0.9"}})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(small_corpus, out, **{**run, "overwrite": False})
    said = _version_warnings(caught)
    assert len(said) == 1 and "come from scipy 0.9 / " in said[0], said
    assert "python" not in said[0] and "eegpt 0" not in said[0]

    for p in shard_files(out)[3:]:  # footers from before the stamp: judged by the runs
        p.unlink()
    for p in shard_files(out):
        _restamp(p, None)
    manifest = json.loads((out / MANIFEST).read_text())
    wrote = {**manifest["runs"][-1], "shards_written": 3, "eegpt_version": "0.0.2"}
    wrote.pop("eegpt_changes")  # (an eegpt of before it was recorded)
    dead = {**wrote, "shards_written": 0, "eegpt_version": "0.0.1"}
    manifest["runs"] = [dead, wrote]
    (out / MANIFEST).write_text(json.dumps(manifest))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(small_corpus, out, **run)
    said = _version_warnings(caught)
    assert len(said) == 1 and "come from eegpt 0.0.2:" in said[0], said


def test_info_says_whether_a_run_gave_its_batch_size_or_used_the_default(
    small_corpus, model, tmp_path
):
    """A run's ``batch_size`` is the value given (used for every file) or null where none
    was: the default for each file's channel count; ``eegpt info`` says which of the two."""
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    embed_dataset(small_corpus, out, **run)
    shard_files(out)[-1].unlink()  # something to embed: a run, not a check
    embed_dataset(small_corpus, out, **run, batch_size=3)
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert [r["batch_size"] for r in runs] == [None, 3]
    lines = [line for line in describe_output(out).splitlines() if "  run " in line]
    assert len(lines) == 2, lines
    assert "default batch size for each file's channel count" in lines[0]
    assert ", batches of 3," in lines[1] and "default" not in lines[1]


def test_each_run_records_whether_the_fast_path_embedded_and_info_says_so(
    small_corpus, model, tmp_path, capsys
):
    """A corpus run recorded its precision and batch size but not which path of the encoder
    embedded its windows (an .npz output records it as ``fused``): each run of the manifest
    records ``fused`` (True: the fast path; False: the reference path, ``model.fused`` off)
    and ``eegpt info`` says it on the run's line; a check, which embeds nothing, records
    none."""
    from eegpt.cli import main

    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    embed_dataset(small_corpus, out, **run)
    shard_files(out)[-1].unlink()  # something to embed: a run, not a check
    model.fused = False
    try:
        embed_dataset(small_corpus, out, **run)
    finally:
        model.fused = True
    embed_dataset(small_corpus, out, **run)  # all done: a check
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert [r.get("fused") for r in runs] == [True, False, None]
    assert main(["info", str(out)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "  run " in line]
    assert len(lines) == 2, lines
    assert ", fast path (fused)," in lines[0] and "reference path" not in lines[0]
    assert ", reference path (not fused)," in lines[1]


def test_a_run_whose_files_all_failed_records_no_fused(model, tmp_path, capsys):
    """A run that embedded nothing (its one file unreadable) recorded ``fused`` as the path
    it would have taken, and ``eegpt info`` said 'fast path (fused)' of it: it records none."""
    from eegpt.cli import main

    data = tmp_path / "data"
    data.mkdir()
    (data / "x.edf").write_bytes(b"garbage")
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(data, out, **run)
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert len(runs) == 1 and "fused" not in runs[0], runs
    capsys.readouterr()
    main(["info", str(out)])  # 3: a failed file
    lines = [line for line in capsys.readouterr().out.splitlines() if "  run " in line]
    assert len(lines) == 1 and "path" not in lines[0], lines


def test_info_shows_the_command_of_each_run_cut_in_the_middle_when_long(
    small_corpus, model, tmp_path
):
    """`eegpt info RUN_FOLDER` shows, below each run's line, the command that made it (as
    the command line records it: URLs without credentials), as single-file `eegpt info` does;
    a very long one (a shell glob expanded to many files) keeps its start and its end."""
    from eegpt._logging import command_recorded

    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    short = ["embed-dataset", str(small_corpus), "-o", str(out), "--tail", "pad"]
    with command_recorded(short):
        embed_dataset(small_corpus, out, **run)
    shard_files(out)[-1].unlink()  # something to embed: a run, not a check
    many = [str(small_corpus / f"sub-{i:04d}.edf") for i in range(300)]
    long = ["embed-dataset", *many, "--checkpoint", "https://user:token@host/w.ckpt", "-o", "x"]
    with command_recorded(long):
        embed_dataset(small_corpus, out, **run)
    lines = describe_output(out).splitlines()
    made = [i for i, line in enumerate(lines) if line.startswith("    made by: eegpt ")]
    assert len(made) == 2 and all(lines[i - 1].startswith("  run ") for i in made), lines
    assert lines[made[0]] == f"    made by: eegpt {shlex.join(short)}"
    cut = lines[made[1]]
    assert len(cut) < 300 and " ... " in cut and "token" not in cut
    assert cut.startswith(f"    made by: eegpt embed-dataset {many[0]}")
    assert cut.endswith("--checkpoint https://host/w.ckpt -o x")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has exited


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_a_rename_applies_to_the_files_that_have_the_channel(corpus):
    """One ``rename`` serves a corpus of differing montages: keys a file lacks are ignored."""
    path = str(corpus / "b/rec00.edf")
    rename = {"EEG FP1-REF": None, "Ch1 (only in other files)": "C3"}
    loaded = load_file(0, path, PreprocessingConfig(), rename=rename)
    assert loaded.error is None
    assert "EEG FP1-REF" in loaded.mapping["dropped"]
    assert "EEG FP1-REF" not in loaded.mapping["input_names"]


def test_file_warnings_leave_out_what_libraries_say_of_their_future(corpus, monkeypatch):
    """A file's recorded warnings are about the file: deprecation notices of pandas or MNE
    (raised while reading it) are not among them."""

    real = dataset_files.open_stream_unless_epochs

    def noisy(*args, **kwargs):
        warnings.warn("set_index(inplace=True) is deprecated", DeprecationWarning, stacklevel=1)
        warnings.warn("the default will change", FutureWarning, stacklevel=1)
        warnings.warn("something about this file", RuntimeWarning, stacklevel=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(dataset_files, "open_stream_unless_epochs", noisy)
    loaded = load_file(0, str(corpus / "b/rec00.edf"), PreprocessingConfig())
    assert loaded.error is None
    assert "something about this file" in loaded.warnings
    assert not any("deprecated" in t or "will change" in t for t in loaded.warnings)


def test_an_output_that_is_a_file_is_refused_up_front(corpus, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("keep me")
    with pytest.raises(FileExistsError, match="is a file; the output of embed_dataset is a folder"):
        embed_dataset(corpus, target, model=EEGPT(SMALL), workers=0, progress=False)
    assert target.read_text() == "keep me"


def test_an_output_that_cannot_be_written_is_refused_before_the_model_is_loaded(
    corpus, tmp_path, monkeypatch, capsys
):
    """A file above the output folder, or a read-only file system, is said before the model is
    loaded (not as "[Errno 17] File exists" or "[Errno 30] Read-only file system")."""
    import errno
    import tempfile

    import eegpt.checkpoints
    from eegpt.errors import OutputNotWritableError

    def not_loaded(*args, **kwargs):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(eegpt.checkpoints, "load_model", not_loaded)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    with pytest.raises(OutputNotWritableError, match=rf"cannot write the output to "
                       rf"{a_file / 'x'}: {a_file} is a file, not a folder"):  # fmt: skip
        embed_dataset(corpus, a_file / "x", weights="small", workers=0, progress=False)
    assert a_file.read_text() == "keep me"

    def read_only(*args, dir=None, **kwargs):  # noqa: A002
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    out = tmp_path / "run"
    assert cli_main([str(corpus), "--weights", "small", "-o", str(out), "-q"]) == 1
    assert capsys.readouterr().err == (
        f"eegpt: error: cannot write the output to {out}: read-only file system (in {tmp_path}, "
        "where its folder would be made); choose another output folder\n"
    )
    assert not out.exists()


def test_the_summary_cuts_a_long_failure_in_its_middle_keeping_the_advice():
    reason = (
        "UnknownChannelError: channel(s) ['XYZ1', 'XYZ2'] are not in EEGPT's vocabulary "
        + "filler words " * 40
        + "see eegpt.channels.VOCABULARY; --nearest maps each to the nearest one"
    )
    short = dataset_summary._short(reason)
    assert len(short) <= 300 and " ... " in short
    assert short.startswith("UnknownChannelError: channel(s) ['XYZ1', 'XYZ2']")
    assert short.endswith("see eegpt.channels.VOCABULARY; --nearest maps each to the nearest one")
    assert dataset_summary._short("short reason") == "short reason"


def test_summary_counts_warnings_by_kind():
    from eegpt.dataset import warning_kinds

    amplitude = "x.edf: amplitude check: the typical deviation is 12 V, ... --rescale 1e-06 ..."
    flat = "x.edf: flat channel(s) check: ['Cz'] have zero peak-to-peak"
    vocab = "3 channel(s) do not match the EEGPT vocabulary and were dropped: ['EKG']"
    bad = "x.edf: channel(s) marked bad were left out: ['Fp1']. To keep them, ..."
    untrained = "channel(s) ['AF7 (AF7)'] map to ...; their embeddings are untrained, so ..."
    rows = [
        {"warnings": [amplitude, vocab]},
        {"warnings": f"{flat} | {vocab}"},  # as read back from _files.csv
        {"warnings": []},
        {"warnings": ["something else", bad, untrained]},
        {},
    ]
    kinds, n = warning_kinds(rows)
    assert n == 3
    assert kinds == {
        "channels outside the vocabulary": 2, "amplitude check": 1,
        "flat channel(s) check": 1, "other": 1, "bad channels left out": 1,
        "untrained channel embeddings": 1,
    }  # fmt: skip
    assert list(kinds)[0] == "channels outside the vocabulary"  # most common first

    # the texts as eegpt writes them: resampling, MNE's and MNE-BIDS's own warnings
    import warnings as w

    from eegpt._logging import pass_on_warnings
    from eegpt.resampling import polyphase_ratio

    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        polyphase_ratio(333.33, 256.0, "x.fif")
        with w.catch_warnings(record=True) as inner:
            w.simplefilter("always")
            w.warn("Online software filter detected.", RuntimeWarning, stacklevel=1)
        pass_on_warnings(inner, Path("x.vhdr"))
        pass_on_warnings(inner, Path("sub-01_eeg.vhdr"), reader="MNE-BIDS")
    texts = [str(c.message) for c in caught]
    assert texts[0].startswith("x.fif: resampling 333.33 Hz -> 256 Hz uses the ratio")
    assert texts[1:] == ["x.vhdr: MNE: Online software filter detected.",
                         "sub-01_eeg.vhdr: MNE-BIDS: Online software filter detected."]  # fmt: skip
    kinds, n = warning_kinds([{"warnings": [t]} for t in texts])
    assert kinds == {"approximate resampling ratio": 1, "from MNE's reader": 1,
                     "from MNE-BIDS": 1} and n == 3  # fmt: skip


def test_low_sampling_rates_are_counted_as_their_own_kind():
    """The warning of a recording below 200 Hz, upsampled with its top band empty (and the one
    below 100 Hz, which also questions the rate), is counted as one kind, not 'other'."""
    import warnings as w

    from eegpt.dataset import warning_kinds
    from eegpt.preprocessing import check_rate

    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        check_rate(100.0, "sleep.edf")
        check_rate(64.0, "slow.edf")
    kinds, n = warning_kinds([{"warnings": [str(c.message)]} for c in caught])
    assert kinds == {"rates below 200 Hz (upsampled, top band empty)": 2} and n == 2


def test_recordings_with_gaps_of_every_kind_are_counted_as_discontinuous(tmp_path):
    """A BrainVision recording paused and resumed, and an EDF+C file whose time stamps show
    gaps, are counted with the EDF+D files as discontinuous (gaps), not as 'other', in a
    corpus run's summary of its warnings."""
    import warnings as w

    from test_brainvision_clock import PAUSED, _brainvision
    from test_io import _edf_plus

    from eegpt.dataset import warning_kinds
    from eegpt.io import read_recording

    starts = [0.0, 1, 2, 3, 4, *range(10, 20)]
    paused = _brainvision(tmp_path, PAUSED)
    marked_c = _edf_plus(tmp_path / "c.edf", "EDF", [float(t) for t in starts], variant="C")
    edf_d = _edf_plus(tmp_path / "d.edf", "EDF", [float(t) for t in starts])
    rows = []
    for path in (paused, marked_c, edf_d):
        with w.catch_warnings(record=True) as caught:
            w.simplefilter("always")
            read_recording(path, verbose="error")
        rows.append({"warnings": [str(c.message) for c in caught]})
    kinds, n = warning_kinds(rows)
    assert kinds == {"discontinuous files (gaps)": 3} and n == 3


def test_file_problems_are_counted_by_kind(tmp_path):
    """A truncated EDF is embedded from its complete records (status ok): the summary names
    the kind, not 'other'; likewise slow channels and signals without a scale."""
    import warnings as w

    from reliability_harness import R

    from eegpt.dataset import warning_kinds
    from eegpt.io import read_recording
    from eegpt.signal_checks import _check_rates

    data = R.edf_bytes(R.base_spec())
    cut = tmp_path / "cut.edf"
    cut.write_bytes(data[:-3000])
    unscaled = tmp_path / "unscaled.edf"
    unscaled.write_bytes(R._set_field(data, "physical max[0]", b"-500"))
    undigital = tmp_path / "undigital.edf"
    undigital.write_bytes(R._set_field(data, "digital max[0]", b"-32768"))
    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        read_recording(cut, verbose="error")
        read_recording(unscaled, verbose="error")
        read_recording(undigital, verbose="error")
        _check_rates(["C3"], [64.0], 256.0, "slow.edf")
    kinds, n = warning_kinds([{"warnings": [str(c.message)]} for c in caught])
    assert kinds == {"truncated files": 1, "unscalable signals left out": 2,
                     "channels at low rates": 1} and n == 4  # fmt: skip


def test_long_warnings_are_cut_visibly_in_the_middle():
    """A file's record keeps its warnings whole up to 4,000 characters, as an embedding's and a
    probe's records do; a longer one (a list of many channels) loses its middle, keeping what
    it is about and the advice at its end."""
    import warnings as w

    from eegpt.dataset import caught_warning_texts

    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        w.warn("a" * 3000 + "b" * 3000, RuntimeWarning, stacklevel=1)
        w.warn("x" * 600, RuntimeWarning, stacklevel=1)
        w.warn("short", RuntimeWarning, stacklevel=1)
    long, whole, short = caught_warning_texts(caught)
    assert len(long) == 4000 and " ... " in long
    assert long.startswith("a" * 1997 + " ... ") and long.endswith(" ... " + "b" * 1998)
    assert whole == "x" * 600 and short == "short"
    # an embedding's provenance and a probe's record keep the same width
    from eegpt.api import _record_warnings
    from eegpt.probe import add_training_warnings

    texts = ["a" * 3000, "b" * 5000]
    recorded = _record_warnings({}, texts)
    assert [len(t) for t in recorded] == [3000, 4000]
    probe = type("Probe", (), {"training": {}})()
    add_training_warnings(probe, texts)
    assert probe.training["warnings"] == recorded


def test_rename_keys_no_file_had_are_named_at_the_end(corpus, model, tmp_path):
    """A corpus-wide ``rename`` ignores keys a file lacks, so a misspelt one would change
    nothing without a word: the run ends with a warning that names it and its likely match."""
    rename = {"EEG FP1-REF": None, "eeg ekg1-ref": None}
    with pytest.warns(RuntimeWarning, match=r"\['eeg ekg1-ref'\] matched no channel of the 6") as w:
        embed_dataset(corpus, tmp_path / "out", model=model, rename=rename, workers=0,
                      shard_size=3, progress=False)  # fmt: skip
    assert "Did you mean: 'eeg ekg1-ref' -> 'EEG EKG1-REF'?" in str(w[-1].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "channel.*do not match", RuntimeWarning)
        embed_dataset(corpus, tmp_path / "ok", model=model, rename={"EEG FP1-REF": None},
                      workers=0, shard_size=3, progress=False)  # fmt: skip


def test_parts_of_one_corpus_read_together(corpus, model, tmp_path):
    """A corpus split into manifests, one folder per host: the parts' columns were typed apart
    (all empty in one, numbers in one and text in the other), and the folders are read as one;
    parts made with other settings, or holding one recording twice, are refused."""
    parts = [
        "path,subject,label\na/rec01.edf,14,\nb/rec02.edf,15,\n",
        "path,subject,label\nb/rec04.edf,01,x\na/rec05.edf,02,y\n",
    ]
    settings = dict(model=model, workers=0, device="cpu", progress=False)
    folders = []
    for k, text in enumerate(parts):
        manifest = corpus / f"part{k}.csv"
        manifest.write_text(text)
        folders.append(tmp_path / f"part{k}")
        embed_dataset(manifest, folders[-1], **settings)
    table, emb = read_embeddings(folders)
    alone = [read_embeddings(f) for f in folders]
    assert len(table) == sum(len(t) for t, _ in alone) == len(emb)
    np.testing.assert_array_equal(emb, np.concatenate([e for _, e in alone]))
    assert table.groupby("recording_id").subject.first().to_dict() == {
        "a/rec01.edf": "14", "b/rec02.edf": "15", "b/rec04.edf": "01", "a/rec05.edf": "02"
    }  # fmt: skip
    assert table.label.isna().sum() == len(alone[0][0]) and set(table.label.dropna()) == {"x", "y"}
    twice = corpus / "twice.csv"
    twice.write_text("path\nb/rec02.edf\n")
    embed_dataset(twice, tmp_path / "twice", **settings)
    with pytest.raises(ValueError, match=r"part0 and .*twice both hold .*b/rec02\.edf: the parts"):
        read_embeddings([folders[0], tmp_path / "twice"])
    renamed = corpus / "renamed.csv"  # the same file under another id: still the same file
    renamed.write_text(f"path,recording_id\n{corpus / 'b/rec02.edf'},night-2\n")
    embed_dataset(renamed, tmp_path / "renamed", **settings)
    with pytest.raises(ValueError, match=r"both hold .*b/rec02\.edf"):
        read_embeddings([folders[0], tmp_path / "renamed"])
    clash = corpus / "clash.csv"  # another file under an id part0 uses
    clash.write_text(f"path,recording_id\n{corpus / 'b/rec00.edf'},a/rec01.edf\n")
    embed_dataset(clash, tmp_path / "clash", **settings)
    with pytest.raises(ValueError, match=r"id 'a/rec01.edf' names .*rec01.edf in .*part0 and "
                       r".*rec00.edf in .*clash; ids must be unique"):  # fmt: skip
        read_embeddings([folders[0], tmp_path / "clash"])
    with pytest.raises(ValueError, match=r"filters compare a column the parts typed apart \(read "
                       r"as text: subject\)"):  # fmt: skip
        read_embeddings(folders, filters=[("subject", "==", "01")])
    assert len(read_embeddings(folders, filters=[("window", "==", 0)])[0]) == 4  # other columns
    rescaled = corpus / "rescaled.csv"  # a per-file unit correction is not another setting
    rescaled.write_text("path\nb/rec06.edf\n")
    embed_dataset(rescaled, tmp_path / "rescaled", preprocessing=PreprocessingConfig(scale=2e3),
                  **settings)  # fmt: skip
    read_embeddings([folders[0], tmp_path / "rescaled"])
    embed_dataset(twice, tmp_path / "other", preprocessing=PreprocessingConfig(detrend="linear"),
                  **settings)  # fmt: skip
    with pytest.raises(ValueError, match=r"other settings .*\(preprocessing.detrend"):
        read_embeddings([folders[1], tmp_path / "other"])


def test_a_finished_run_describes_itself_and_keeps_its_runs(
    clean_run, corpus, model, tmp_path, capsys
):
    """`eegpt info OUTDIR`: files done and failed, windows, model and settings, the runs; every
    call is kept in the manifest's "runs" (a resume does not replace the first run's record)."""
    import shutil

    from eegpt.cli import main
    from eegpt.dataset import MANIFEST
    from eegpt.dataset_report import describe_output
    from eegpt.outputs import load_embeddings

    out = tmp_path / "copy"
    shutil.copytree(clean_run[0], out)
    embed_dataset(corpus, out, model=model, shard_size=3, workers=0, device="cpu", progress=False)
    runs = json.loads((out / MANIFEST).read_text())["runs"]
    assert len(runs) == 2 and runs[0]["shards_written"] == 3 and runs[1]["shards_written"] == 0
    assert runs[1]["eegpt_version"] and runs[1]["torch_version"] and runs[1]["host"]
    assert runs[0]["workers"] == 0  # clean_run's reader processes (none: read in the main one)
    text = describe_output(out)
    assert "embeddings of 7 files from" in text and "6 ok, 1 failed, 0 pending" in text
    assert "shards 3 of 3 done" in text and "_errors.csv" in text
    batches = ", default batch size for each file's channel count"  # none was given
    # torch's intra-op threads recorded beside the reader processes, and said
    assert runs[0]["torch_threads"] == torch.get_num_threads() >= 1
    assert "reader_torch_threads" not in runs[0]  # no reader process: read in this one
    threads = f", no reader process, {runs[0]['torch_threads']} torch thread"
    assert f"on cpu of {runs[0]['host']}{threads}" in text
    assert f"{batches}, fast path (fused), 3 shards written" in text
    from eegpt.dataset_report import _threads_text

    two = {"workers": 2, "reader_torch_threads": 1, "torch_threads": 8}
    assert _threads_text(two) == ", 2 reader processes (1 torch thread each), 8 torch threads"
    assert _threads_text({}) == ""  # a run from before they were recorded
    assert main(["info", str(out)]) == 3  # a file failed: as embed-dataset exits
    capsys.readouterr()
    assert main(["info", str(tmp_path)]) == 3  # the parent of run folders: a line each
    listed = capsys.readouterr().out
    assert "1 embed-dataset run folder" in listed and "  copy: 7 files: 6 ok, 1 failed" in listed
    # one recording of the run as Embeddings (to plot it), equal to embedding it alone
    one = load_embeddings(out, recording_id="b/rec02.edf")
    alone = model.embed(corpus / "b/rec02.edf", device="cpu")
    np.testing.assert_array_equal(one.data, alone.data)
    np.testing.assert_array_equal(one.onsets, alone.onsets)
    assert one.metadata["channels"]["names"] == alone.metadata["channels"]["names"]
    with pytest.raises(KeyError, match="no windows of 'a/rec03.edf' in .*: the file failed: "):
        load_embeddings(out, recording_id="a/rec03.edf")
    with pytest.raises(KeyError, match=r"the run has no such file \(its ids are like 'a/rec01"):
        load_embeddings(out, recording_id="rec01.edf")
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["shards_done"] = [0]  # as a run killed before the reports' next refresh leaves it
    manifest["totals"].update(ok=1, failed=0, pending=6, windows=1)
    manifest["runs"][-1].update(kind="run", shards_written=0, elapsed_s=0.0, ended=False)
    (out / MANIFEST).write_text(json.dumps(manifest))
    text = describe_output(out)
    assert "files: 6 ok, 1 failed, 0 pending; shards 3 of 3 done (counted from the shard files: " \
           "the reports predate a run that was stopped" in text  # fmt: skip
    assert "windows: 1 (" not in text and "pending; shards 1 of" not in text
    assert ", did not finish (killed?) (eegpt" in text and "0 shards written" not in text
    assert "a run is in progress" not in text
    with FolderLock(out):  # a run holds the folder: not called stopped
        text = describe_output(out)
    assert "a run is in progress" in text and "was stopped" not in text
    # a run stopped before its last shard: reading the folder says rows are missing
    (out / "shard-00002.parquet").unlink()
    with pytest.warns(RuntimeWarning, match=r"holds 2 of the 3 shards its run planned"):
        table, _ = read_embeddings(out)
    missing = sorted(set(pd.read_csv(out / FILES_REPORT).recording_id) - set(table.recording_id))
    with (
        pytest.warns(RuntimeWarning, match="2 of the 3 shards"),
        pytest.raises(
            KeyError, match="its shard is not written yet: the run stopped or is still running"
        ),
    ):
        load_embeddings(out, recording_id=missing[-1])


def test_a_ray_cluster_that_cannot_be_reached_is_named_with_our_option(monkeypatch):
    """Ray's own error names its --address flag; ours is --ray-address (ray_address=)."""
    import types

    import eegpt.dataset_ray as dr

    def init(**kwargs):
        raise ConnectionError("Could not find any running Ray instance. Please specify the one "
                              "to connect to by setting `--address` flag or `RAY_ADDRESS`")  # fmt: skip

    fake = types.SimpleNamespace(is_initialized=lambda: False, init=init)
    monkeypatch.setattr(dr, "_ray", lambda: fake)
    with pytest.raises(ConnectionError, match=r"at 'auto' \(eegpt: --ray-address, ray_address="):
        with dr.ray_session("auto", "cpu", None):
            pass


def test_failed_files_embedded_again_elsewhere_read_with_their_first_run(model, tmp_path):
    """The fix for a failure that needs another setting: its files embedded into a new folder
    (from _errors.csv) with, e.g., a --drop. The two folders read as one: a file that failed
    in one part (no rows) is no overlap."""
    folder = tmp_path / "odd"
    folder.mkdir()
    raw, _ = synthetic_raw(minutes=0.2, seed=1)
    write_edf(raw, folder / "fine.edf")
    t3 = raw.copy().pick(["EEG T3-REF"]).rename_channels({"EEG T3-REF": "EEG T7-REF"})
    write_edf(raw.copy().add_channels([t3]), folder / "both_T3_T7.edf")
    settings = dict(model=model, workers=0, device="cpu", progress=False)
    first = embed_dataset(folder, tmp_path / "run", **settings)
    assert (first.n_ok, first.n_failed) == (1, 1)
    manifest = tmp_path / "run" / "_errors.csv"  # read as a manifest of its path and ids
    fixed = embed_dataset(manifest, tmp_path / "fix", rename={"EEG T7-REF": None}, **settings)
    assert fixed.n_ok == 1
    table, emb = read_embeddings([tmp_path / "run", tmp_path / "fix"])
    assert sorted(set(table.recording_id)) == ["both_T3_T7.edf", "fine.edf"]
    assert len(emb) == len(table) == 2 * len(read_embeddings(tmp_path / "run")[0])
    with pytest.raises(ValueError, match=r"made with other settings.* To embed the files "
                       r"that failed here with the new settings, give .*_errors.csv as the "
                       r"input and a new output folder; read_embeddings\(\[\.\.\.\]\) reads "
                       r"both folders\."):  # fmt: skip
        embed_dataset(folder, tmp_path / "run", rename={"EEG T7-REF": None}, **settings)
    # a setting whose rows read_embeddings refuses beside these: not said to read together
    with pytest.raises(ValueError, match=r"_errors.csv as the input and a new output folder; "
                       r"its rows are to be read apart from this folder's: .* refuses to "
                       r"read the two folders together\."):  # fmt: skip
        embed_dataset(folder, tmp_path / "run", average_reference=False, **settings)
    assert "embed those files into a new folder" in str(first)
    assert "as --no-average-reference does: read that folder apart then" in str(first)
    embed_dataset(folder, tmp_path / "again", rename={"EEG T7-REF": None}, **settings)
    with pytest.raises(ValueError, match="both hold .*fine.edf"):  # embedded twice: refused
        read_embeddings([tmp_path / "run", tmp_path / "again"])
    with pytest.raises(ValueError, match="run given twice: its rows would be doubled"):
        read_embeddings([tmp_path / "run", tmp_path / "fix", tmp_path / "." / "run"])


def test_a_script_without_the_main_guard_is_refused_before_anything_is_written(
    corpus, weights, tmp_path
):
    """Reader processes are spawned and run the __main__ script first: a top-level call
    without `if __name__ == "__main__":` is refused at once with what to do (it would run
    again in every reader, each locked out, every file failed), before the output exists;
    under the guard, or with workers=0, the script runs."""
    import shutil
    import subprocess
    import sys

    call = (
        f"embed_dataset({str(corpus / 'b' / 'rec00.edf')!r}, {str(tmp_path / 'out')!r}, "
        f"weights={str(weights)!r}, progress=False, device='cpu', workers={{workers}})"
    )
    header = "from eegpt.dataset import embed_dataset\n"
    scripts = {
        "bare.py": header + call.format(workers=1) + "\n",
        "guarded.py": header
        + "if __name__ == '__main__':\n    print("
        + call.format(workers=1)
        + ".n_ok)\n",
        "inline.py": header + "print(" + call.format(workers=0) + ".n_ok)\n",
        "cli.py": "from eegpt.cli import main\nmain(['embed-dataset', "
        f"{str(corpus / 'b' / 'rec00.edf')!r}, '-o', {str(tmp_path / 'cli_out')!r}, '--weights', "
        f"{str(weights)!r}, '-q', '--device', 'cpu', '--workers', '1'])\n",
    }
    results = {}
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
        results[name] = subprocess.run(
            [sys.executable, str(tmp_path / name)], capture_output=True, text=True, timeout=300,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )  # fmt: skip
        if name == "bare.py":
            assert not (tmp_path / "out").exists()
    bare = results["bare.py"]
    assert bare.returncode != 0
    assert f"called at the top level of {tmp_path / 'bare.py'}, line 2, outside" in bare.stderr
    assert "workers=0" in bare.stderr and bare.stderr.count("Traceback") == 1
    assert results["guarded.py"].stdout.strip() == "1", results["guarded.py"].stderr[-2000:]
    shutil.rmtree(tmp_path / "out")
    piped = subprocess.run(  # python - < script.py: no file for the readers to run, guard or not
        [sys.executable, "-"], input=scripts["guarded.py"], capture_output=True, text=True,
        timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert piped.returncode != 0 and "a script read from <stdin>" in piped.stderr
    assert "pass workers=0" in piped.stderr and not (tmp_path / "out").exists()
    assert results["inline.py"].returncode == 0, results["inline.py"].stderr[-2000:]
    cli = results["cli.py"].stderr  # the command line's own words: a user error, not a bug
    assert "eegpt: error: embed_dataset is called at the top level" in cli
    assert "internal error" not in cli and not (tmp_path / "cli_out").exists()


def test_debug_keeps_the_tracebacks_of_failed_files(corpus, weights, tmp_path, capsys):
    """``--debug`` keeps each failed file's traceback, also from reader processes: in
    ``_errors.csv`` and on stderr after the summary, whose own line for it stays short."""
    import os

    out = tmp_path / "out"
    args = [str(corpus), "-o", str(out), "--weights", str(weights), "--workers", "1", "-q"]
    assert cli_main([*args, "--debug"]) == 3
    err = capsys.readouterr().err
    assert os.environ.get("EEGPT_DEBUG") is None  # set for the run only
    shown = err.split("eegpt: a/rec03.edf failed: ", 1)[1]
    assert "\nTraceback (most recent call last):\n" in shown and 'File "' in shown
    summary_line = next(line for line in err.splitlines() if line.startswith("  a/rec03.edf: "))
    assert "Traceback" not in summary_line
    errors = (out / "_errors.csv").read_text()
    assert "Traceback (most recent call last)" in errors
    assert cli_main([*args[:2], str(tmp_path / "plain"), *args[3:]]) == 3
    assert "Traceback" not in (tmp_path / "plain" / "_errors.csv").read_text()
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------- recordings too short


@pytest.fixture(scope="module")
def short_corpus(tmp_path_factory):
    """A 3 s recording (shorter than one 4 s window), a 10 s one and a corrupt file."""
    folder = tmp_path_factory.mktemp("short")
    for name, seconds in (("short.edf", 3.0), ("long.edf", 10.0)):
        write_edf(synthetic_raw(minutes=seconds / 60, seed=2)[0], folder / name)
    (folder / "junk.edf").write_bytes(CORRUPT)
    return folder


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_recording_of_one_sample_is_too_short_not_failed(model, tmp_path):
    """One sample looks flat on every channel; it is still a recording shorter than one window."""
    names = ["Fp1", "Fp2", "Cz"]
    raw = mne.io.RawArray(np.full((3, 1), 1e-5), mne.create_info(names, 256.0, "eeg"),
                          verbose="error")  # fmt: skip
    (tmp_path / "in").mkdir()
    raw.save(tmp_path / "in" / "one_raw.fif", verbose="error")
    summary = embed_dataset(tmp_path / "in", tmp_path / "out", model=model, workers=0,
                            device="cpu", progress=False)  # fmt: skip
    assert (summary.n_failed, summary.n_too_short) == (0, 1)
    assert pd.read_csv(tmp_path / "out" / "_too_short.csv").recording_id.tolist() == ["one_raw.fif"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_recording_shorter_than_a_window_is_skipped_not_failed(
    short_corpus, weights, tmp_path, capsys
):
    """A recording shorter than one window (tail='drop') gets its own status, with its real
    length, is counted apart (summary, eegpt info) and leaves the exit status to the real
    failures; resuming (and retrying the failures) keeps it as it was."""
    out = tmp_path / "out"
    args = [str(short_corpus), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    assert cli_main([*args, "-q"]) == 3  # junk.edf failed
    err = capsys.readouterr().err
    assert "1 ok, 1 failed, 1 too short;" in err
    assert f"1 file shorter than one window was skipped (not failures; listed in {out}" in err
    assert "--tail pad embeds them" in err
    files = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert files.loc["short.edf", "status"] == "too_short"
    assert files.loc["short.edf", "duration_s"] == pytest.approx(3.0, abs=0.01)
    assert files.loc["short.edf", "sfreq_in"] == 250.0  # the header's rate, as for the others
    assert "shorter than one window" in files.loc["short.edf", "error"]
    # its channels were mapped before its length was checked: the summary counts the files
    # leaving a channel out as it counts those warned about channels outside the vocabulary
    assert files.loc["short.edf", "dropped_channels"] == files.loc["long.edf", "dropped_channels"]
    assert files.loc["short.edf", "channels"] == files.loc["long.edf", "channels"]
    assert "EEG EKG1-REF (2 files)" in err and "channels outside the vocabulary 2" in err
    assert pd.read_csv(out / ERRORS_REPORT).recording_id.tolist() == ["junk.edf"]
    assert pd.read_csv(out / "_too_short.csv").recording_id.tolist() == ["short.edf"]
    info = describe_output(out)
    assert "1 ok, 1 failed, 1 too short, 0 pending" in info and "--tail pad" in info
    with pytest.raises(KeyError, match="shorter than one window and was skipped"):
        load_embeddings(out, recording_id="short.edf")
    (short_corpus / "junk.edf").write_bytes(CORRUPT)  # untouched: still fails on retry
    for extra in ([], ["--retry-failed"]):
        assert cli_main([*args, "-q", *extra]) == 3
        files = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
        assert files.loc["short.edf", "status"] == "too_short"
        assert files.loc["short.edf", "sfreq_in"] == 250.0
    # only files shorter than a window: nothing failed
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(short_corpus / "short.edf", alone)
    assert cli_main([str(alone), "-o", str(tmp_path / "out2"), "--weights", str(weights),
                     "--workers", "0", "-q"]) == 0  # fmt: skip


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_files_skipped_as_too_short_embed_padded_into_a_folder_read_with_the_run(
    short_corpus, model, tmp_path
):
    """The summary's advice for the recordings skipped as too short works: their report as
    the input of a --tail pad run, and both folders read as one table."""
    out, fix = tmp_path / "out", tmp_path / "fix"
    embed_dataset(short_corpus, out, model=model, workers=0, progress=False)
    summary = embed_dataset(out / "_too_short.csv", fix, model=model, workers=0, tail="pad",
                            progress=False)  # fmt: skip
    assert (summary.n_ok, summary.n_failed, summary.windows) == (1, 0, 1)
    table, emb = read_embeddings([out, fix])
    assert table.recording_id.tolist() == ["long.edf", "long.edf", "short.edf"]
    assert emb.shape[0] == 3
    assert table.padded.tolist() == [False, False, True]  # the short one, zero-padded
    short = load_embeddings(fix, recording_id="short.edf").metadata
    assert short["padded_tail"]["window"] == 0 and short["padded_tail"]["onset_s"] == 0.0
    assert short["padded_tail"]["recorded_s"] == pytest.approx(3.0, abs=0.01)
    long = load_embeddings(out, recording_id="long.edf").metadata
    assert "padded_tail" not in long and long["tail_left_out_s"] == pytest.approx(2.0, abs=0.01)
    with pytest.raises(ValueError, match=r"To embed the files skipped here as shorter than one "
                       r"window, give \S+_too_short.csv as the input and a new output folder; "
                       r"read_embeddings\(\[\.\.\.\]\) reads both folders\."):  # fmt: skip
        embed_dataset(short_corpus, out, model=model, workers=0, tail="pad", progress=False)
    # padded and without the average reference: rows read_embeddings refuses beside these
    with pytest.raises(ValueError, match=r"_too_short.csv as the input and a new output "
                       r"folder; its rows are to be read apart from this folder's: .* refuses "
                       r"to read the two folders together\."):  # fmt: skip
        embed_dataset(short_corpus, out, model=model, workers=0, tail="pad",
                      average_reference=False, progress=False)  # fmt: skip


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_report_naming_bytes_that_are_no_utf8_is_embedded_again(model, tmp_path):
    """A file whose name's bytes are no UTF-8 (Latin-1 ``São``) is recorded with ``\\xNN``
    escapes; its run's reports, given as the input of a rerun, find it again by those bytes.
    A file whose name holds the escape's characters themselves records the same id: refused
    as a duplicate, not embedded twice under one id."""
    folder, short = tmp_path / "lat", tmp_path / "short.edf"
    folder.mkdir()
    write_edf(synthetic_raw(minutes=2 / 60, seed=2)[0], short)
    os.rename(os.fsencode(short), os.fsencode(folder) + b"/S\xe3o.edf")
    (folder / "junk.edf").write_bytes(CORRUPT)
    os.rename(os.fsencode(folder / "junk.edf"), os.fsencode(folder) + b"/J\xfcnk.edf")
    out = tmp_path / "out"
    run = dict(model=model, workers=0, progress=False)
    summary = embed_dataset(folder, out, **run)
    assert (summary.n_too_short, summary.n_failed) == (1, 1)
    assert pd.read_csv(out / "_too_short.csv").recording_id.tolist() == ["S\\xe3o.edf"]
    assert pd.read_csv(out / ERRORS_REPORT).recording_id.tolist() == ["J\\xfcnk.edf"]

    summary = embed_dataset(out / "_too_short.csv", tmp_path / "new", tail="pad", **run)
    assert (summary.n_ok, summary.n_failed) == (1, 0)
    table, _ = read_embeddings(tmp_path / "new")
    assert table.recording_id.unique().tolist() == ["S\\xe3o.edf"]
    assert table.path.unique().tolist() == [str(folder.resolve() / "S\\xe3o.edf")]
    # the failed one, mended, embeds from _errors.csv
    write_edf(synthetic_raw(minutes=10 / 60, seed=3)[0], short)
    os.replace(os.fsencode(short), os.fsencode(folder) + b"/J\xfcnk.edf")
    summary = embed_dataset(out / ERRORS_REPORT, tmp_path / "mended", **run)
    assert (summary.n_ok, summary.n_failed) == (1, 0)

    (folder / "S\\xe3o.edf").write_bytes(b"")  # its name: the record of the other's
    with pytest.raises(ValueError, match=r"recording ids must be unique.*'S\\\\xe3o.edf'"):
        embed_dataset(folder, tmp_path / "both", **run)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_corpus_runs_with_tail_pad_mark_the_padded_windows(short_corpus, model, tmp_path,
                                                           monkeypatch):  # fmt: skip
    """With --tail pad, the rows say which window holds zeros (``padded``), read in parts or
    not, and the recording's file status (load_embeddings' metadata) how much signal it has,
    as single-file outputs do; a folder of the layout before the column reads with it (the
    column missing in its rows)."""
    import eegpt.dataset as ds

    kwargs = dict(model=model, workers=0, tail="pad", progress=False)
    embed_dataset(short_corpus, tmp_path / "pad", **kwargs)
    df = pd.read_parquet(tmp_path / "pad")
    long = df[df.recording_id == "long.edf"]
    assert long.window.tolist() == [0, 1, 2] and long.padded.tolist() == [False, False, True]
    meta = load_embeddings(tmp_path / "pad", recording_id="long.edf").metadata
    assert meta["padded_tail"] == {"onset_s": 8.0, "recorded_s": pytest.approx(2.0, abs=0.01),
                                   "window": 2}  # fmt: skip
    size = _window_bytes(short_corpus / "long.edf")
    monkeypatch.setattr(dataset_pipeline, "PART_BYTES", size + size // 2)  # one window per part
    embed_dataset(short_corpus, tmp_path / "parts", **kwargs)
    parts = pd.read_parquet(tmp_path / "parts")
    assert parts.drop(columns="embedding").equals(df.drop(columns="embedding"))
    again = load_embeddings(tmp_path / "parts", recording_id="long.edf").metadata
    assert again["padded_tail"] == meta["padded_tail"]
    new_spec = ds._run_spec

    def layout_3(*args, **kw):
        return dict(new_spec(*args, **kw), layout=3)

    with monkeypatch.context() as m:
        m.setattr(ds, "_run_spec", layout_3)
        embed_dataset(short_corpus / "long.edf", tmp_path / "old", model=model, workers=0,
                      progress=False)  # fmt: skip
    assert "padded" not in pd.read_parquet(tmp_path / "old").columns
    embed_dataset(short_corpus / "short.edf", tmp_path / "new", **kwargs)
    table, _ = read_embeddings([tmp_path / "old", tmp_path / "new"], embeddings=False)
    assert table.padded.isna().sum() == 2 and table.padded.iloc[-1]  # missing: not recorded


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_corpus_epochs_padded_into_the_window_are_marked(model, tmp_path):
    """Epochs shorter than the window, zero-padded with --tail pad: every row is padded, and
    the recording's metadata says how (padded_epochs, as for a single file)."""
    raw = synthetic_raw(minutes=0.2, seed=5)[0]
    events = mne.make_fixed_length_events(raw, duration=2.0)
    epochs = mne.Epochs(raw, events, tmin=0.0, tmax=2.0 - 1 / raw.info["sfreq"], baseline=None,
                        preload=True, verbose=False)  # fmt: skip
    folder = tmp_path / "in"
    folder.mkdir()
    epochs.save(folder / "s01-epo.fif", verbose=False)
    embed_dataset(folder, tmp_path / "out", model=model, workers=0, tail="pad", progress=False)
    df = pd.read_parquet(tmp_path / "out")
    assert len(df) == len(epochs) and df.padded.all()
    padded = load_embeddings(tmp_path / "out", recording_id="s01-epo.fif").metadata
    direct = model.embed(epochs, tail="pad", device="cpu").metadata["padded_epochs"]
    assert padded["padded_epochs"] == direct and direct["recorded_s"] == pytest.approx(2.0)


def _standard_epochs_folder(tmp_path):
    """A 12 s recording, MNE's standard epochs of it (-0.2 to 0.8 s, tmax inclusive: one
    sample more than a 1 s window) and the folder ``tmp_path/in`` holding them as
    ``s01-epo.fif``."""
    raw = synthetic_raw(minutes=0.2, seed=5)[0]
    events = mne.make_fixed_length_events(raw, duration=2.0)
    epochs = mne.Epochs(raw, events, tmin=-0.2, tmax=0.8, baseline=None, preload=True,
                        verbose=False)  # fmt: skip
    folder = tmp_path / "in"
    folder.mkdir()
    epochs.save(folder / "s01-epo.fif", verbose=False)
    return raw, epochs, folder


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_embed_dataset_crop_embeds_standard_epochs_as_embed_does(weights, model, tmp_path):
    """eegpt embed-dataset --crop TMIN crops MNE's standard epochs (-0.2 to 0.8 s, tmax
    inclusive: one sample more than a 1 s window) to one window each, as embed --crop does:
    the same embeddings, crop_tmin in the run's settings; a resume with another --crop is
    refused naming the option, as another --window is."""
    raw, epochs, folder = _standard_epochs_folder(tmp_path)
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0",
            "--device", "cpu", "-q", "--window", "1"]  # fmt: skip
    assert cli_main([*args, "--crop", "-0.2"]) == 0
    table, emb = read_embeddings(out)
    crop = PreprocessingConfig(window_seconds=1.0, crop_tmin=-0.2)
    direct = model.embed(epochs, preprocessing=crop, device="cpu")
    assert len(table) == len(epochs) and not table.padded.any()
    np.testing.assert_allclose(emb, direct.data, atol=1e-5)
    spec = json.loads((out / MANIFEST).read_text())["spec"]
    assert spec["preprocessing"]["crop_tmin"] == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="preprocessing.crop_tmin .* \\[--crop\\]"):
        cli_main([*args, "--crop", "-0.1", "--debug"])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_embed_dataset_crop_refuses_continuous_recordings_as_embed_does(weights, tmp_path):
    """eegpt embed-dataset --crop fails each continuous recording of the run with embed
    --crop's reason (it has no events to crop around), recorded in the error report, while
    the epochs are cropped and embedded and the run exits 3; it used to embed the continuous
    recording uncropped, silently."""
    raw, epochs, folder = _standard_epochs_folder(tmp_path)
    raw.save(folder / "rec_raw.fif", verbose=False)
    out = tmp_path / "out"
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0",
            "--device", "cpu", "-q", "--window", "1", "--crop", "-0.2"]  # fmt: skip
    assert cli_main(args) == 3
    (error,) = pd.read_csv(out / ERRORS_REPORT).itertuples()
    assert "rec_raw.fif" in error.path
    assert re.search(r"crop_tmin=-0.2 \(--crop -0.2\).*continuous recording", error.error)
    table, _ = read_embeddings(out)
    assert len(table) == len(epochs)


def test_window_info_json_keeps_the_recording_provenance():
    """WindowInfo's JSON (the reader processes' and Ray's stages) keeps the recording's
    provenance; that of an eegpt from before it reads back as none."""
    provenance = {"epochs_baseline": [-0.2, 0.0], "custom_ref_applied": True}
    info = dataset_files.WindowInfo(provenance=provenance)
    assert dataset_files.WindowInfo.from_json(info.to_json()).provenance == provenance
    assert dataset_files.WindowInfo.from_json("[null, null, null, 0]").provenance == {}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_corpus_records_what_mne_did_to_each_recording_as_embed_does(model, tmp_path):
    """A corpus run keeps each recording's provenance as eegpt embed records it (the band it
    was filtered to, MNE's baseline and re-reference): load_embeddings(folder, recording_id)
    gives the same keys and values as embedding the file alone, and eegpt info of the folder
    sums them up per recording."""
    raw = synthetic_raw(minutes=0.2, seed=5)[0]
    raw.filter(0.1, 40.0, verbose=False)
    events = mne.make_fixed_length_events(raw, duration=2.0)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, reference in (("avg", True), ("plain", False)):
        data = raw.copy().set_eeg_reference("average", verbose=False) if reference else raw
        epochs = mne.Epochs(data, events, tmin=-0.2, tmax=1.8 - 1 / raw.info["sfreq"],
                            baseline=(-0.2, 0.0), preload=True, verbose=False)  # fmt: skip
        epochs.save(folder / f"{name}-epo.fif", verbose=False)
    embed_dataset(folder, tmp_path / "out", model=model, workers=0, tail="pad", progress=False,
                  device="cpu")  # fmt: skip
    for name in ("avg", "plain"):
        stored = load_embeddings(tmp_path / "out", recording_id=f"{name}-epo.fif").metadata
        direct = model.embed(folder / f"{name}-epo.fif", tail="pad", device="cpu").metadata
        keys = [k for k in RECORDING_PROVENANCE_KEYS if k in direct]
        assert {"recording_filters", "epochs_baseline"} <= set(keys)
        assert ("custom_ref_applied" in keys) is (name == "avg")
        assert stored["epoch_onsets"] == "events"  # epochs timed by their events
        for key in ("batch_size", "resample_revision"):  # the run's, as embed records them
            assert stored[key] == direct[key]
        assert {k: stored.get(k) for k in RECORDING_PROVENANCE_KEYS} == {
            k: direct.get(k) for k in RECORDING_PROVENANCE_KEYS
        }
    single = model.embed(folder / "avg-epo.fif", tail="pad", device="cpu")
    single.save(tmp_path / "avg.npz")
    said, _ = cli_info._describe_embeddings(tmp_path / "avg.npz")  # eegpt info of one file
    assert "recording re-referenced in MNE before eegpt" in said
    text = describe_output(tmp_path / "out")
    assert "recordings filtered before eegpt" in text and "0.1-40 Hz: 2 recordings" in text
    assert "re-referenced in MNE (info['custom_ref_applied']): 1 of 2 recordings" in text
    assert "epochs baseline-corrected by MNE (eegpt does not): 2 of 2 recordings" in text


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_files_of_a_report_embedded_again_keep_their_manifest_columns(
    short_corpus, model, tmp_path
):
    """A report given as the input (the too-short files with --tail pad) lists only paths and
    ids: each file's manifest row (subject, rescale, annotations_file) comes from the run's
    manifest, so the rows are those of embedding the file directly with its row; with that
    manifest gone, the report is refused rather than embedded without them."""
    (tmp_path / "short.txt").write_text("onset,duration,description\n0,2,W\n")
    header = "path,recording_id,subject,rescale,annotations_file\n"
    short_row = f"{short_corpus / 'short.edf'},short,s2,2.0,short.txt\n"
    manifest, direct = tmp_path / "list.csv", tmp_path / "direct.csv"
    manifest.write_text(header + f"{short_corpus / 'long.edf'},long,s1,,\n" + short_row)
    direct.write_text(header + short_row)
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    out, fix = tmp_path / "out", tmp_path / "fix"
    embed_dataset(manifest, out, **run)
    embed_dataset(out / "_too_short.csv", fix, tail="pad", **run)
    embed_dataset(direct, tmp_path / "direct", tail="pad", **run)
    table, z = read_embeddings([out, fix])
    short = table.recording_id == "short"
    assert table[short].subject.tolist() == ["s2"] and table[short].rescale.tolist() == [2.0]
    assert "W" in str(table[short].annotations.iloc[0])
    expected_table, expected = read_embeddings(tmp_path / "direct")
    np.testing.assert_array_equal(z[short.to_numpy()], expected)
    assert table[short].annotations.tolist() == expected_table.annotations.tolist()
    manifest.unlink()
    with pytest.raises(ValueError, match=r"_too_short.csv lists files of a run whose inputs had "
                       r"the manifest columns .*subject.* cannot be read again\. Give a manifest"):  # fmt: skip
        embed_dataset(out / "_too_short.csv", tmp_path / "fix2", tail="pad", **run)


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """Five EDF files of 8 to 16 s: a/rec01, a/rec03, b/rec00, b/rec02, b/rec04."""
    folder = tmp_path_factory.mktemp("small")
    make_corpus(folder, 5, minutes=8 / 60)
    return folder


def _damage(shard: Path, how: str) -> None:
    """Truncate ``shard`` to half (``"cut"``), or zero 1 KiB in its middle, inside the pages of
    the embeddings (``"mid"``: the footer stays readable); either way pyarrow cannot read it.
    ``"flip"``: invert 8 bytes a little inside the first data page of the embeddings, which
    zstd may decompress into other values: only the page checksum finds it."""
    data = bytearray(shard.read_bytes())
    if how == "cut":
        data = data[: len(data) // 2]
    elif how == "flip":
        group = pq.read_metadata(shard).row_group(0)
        columns = (group.column(i) for i in range(group.num_columns))
        chunk = next(c for c in columns if c.path_in_schema.startswith("embedding"))
        start = chunk.data_page_offset + min(200, chunk.total_compressed_size // 2)
        data[start : start + 8] = bytes(b ^ 0xFF for b in data[start : start + 8])
    else:
        middle = len(data) // 2
        data[middle : middle + 1024] = bytes(1024)
    shard.write_bytes(bytes(data))
    with pytest.raises((OSError, pa.ArrowException)):
        pq.read_table(shard, page_checksum_verification=True)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("how", ["cut", "mid", "flip"])
def test_a_damaged_shard_is_named_by_the_readers_and_info_verify(
    small_corpus, model, tmp_path, capsys, how
):
    """A shard truncated or corrupted inside its data after the run: read_embeddings and
    load_embeddings name it and say to delete it and run again; `eegpt info --verify` finds it
    (exit 3) where plain `eegpt info` reads the footers only; deleting it and running the
    same command again recomputes it."""
    from eegpt.errors import UnreadableShardError

    out = tmp_path / "out"
    # on the CPU: a GPU's kernels may differ in the last bits with the batches' sizes
    run = {"model": model, "shard_size": 2, "workers": 0, "progress": False, "device": "cpu"}
    embed_dataset(small_corpus, out, **run)  # shard 1: b/rec00.edf, b/rec02.edf
    before, z_before = read_embeddings(out)
    assert eegpt_main(["info", str(out), "--verify"]) == 0
    said = capsys.readouterr().out
    assert "verified: all 3 shards read through (every page): checksums and values checked" in said
    shard = out / "shard-00001.parquet"
    _damage(shard, how)
    advice = "delete it and run the same embed-dataset command again"
    for read in (
        lambda: read_embeddings(out),
        lambda: load_embeddings(out, recording_id="b/rec02.edf"),
    ):
        with pytest.raises(UnreadableShardError, match=re.escape(str(shard))) as err:
            read()
        assert advice in str(err.value) and err.value.__cause__ is not None
        assert err.value.shards == [str(shard)]
    # plain info reads a few bytes at each shard's ends only (fast): it finds one cut short
    assert eegpt_main(["info", str(out)]) == (3 if how == "cut" else 0)
    said = capsys.readouterr().out
    if how == "cut":
        assert "DAMAGED: 1 of 3 shards is no whole Parquet file (truncated or corrupt; " in said
        assert f"{shard} (no Parquet magic bytes at its end: truncated (" in said
        assert advice in said and "`eegpt info --verify` reads every shard through" in said
    else:
        assert "DAMAGED" not in said
    assert eegpt_main(["info", str(out), "--verify"]) == 3
    said = capsys.readouterr().out
    assert f"DAMAGED: 1 of 3 shards cannot be read (truncated or corrupt): {shard} (" in said
    assert advice in said
    shard.unlink()
    again = embed_dataset(small_corpus, out, **run)
    assert (again.shards_skipped, again.shards_written) == (2, 1)
    after, z_after = read_embeddings(out)
    pd.testing.assert_frame_equal(after, before)
    np.testing.assert_array_equal(z_after, z_before)


def test_info_finds_shards_cut_short_from_their_ends_alone(small_corpus, model, tmp_path, capsys):
    """Plain `eegpt info` checks each shard's ends (the Parquet magic bytes, the footer's
    length; no data read): one cut short, one that is no Parquet file and one whose footer
    length is past its start are DAMAGED, exit 3, in a run folder and a folder of them."""
    from eegpt.dataset_read import cut_shards

    out = tmp_path / "runs" / "out"
    embed_dataset(small_corpus, out, model=model, shard_size=2, workers=0, progress=False)
    shards = shard_files(out)
    assert len(shards) == 3 and cut_shards(shards) == []
    assert eegpt_main(["info", str(out)]) == 0
    data = shards[0].read_bytes()
    shards[0].write_bytes(data[:100])  # as `truncate -s 100` leaves it
    shards[1].write_bytes(b"XXXX" + shards[1].read_bytes()[4:])
    shards[2].write_bytes(shards[2].read_bytes()[:8] + (2**31).to_bytes(4, "little") + b"PAR1")
    found = dict(cut_shards(shards))
    assert found == {
        shards[0]: "no Parquet magic bytes at its end: truncated (100 bytes)",
        shards[1]: "no Parquet magic bytes at its start: not a Parquet file",
        shards[2]: f"its footer ({2**31} bytes) is longer than the file: corrupt",
    }
    capsys.readouterr()
    assert eegpt_main(["info", str(out)]) == 3
    said = capsys.readouterr().out
    assert "DAMAGED: 3 of 3 shards are no whole Parquet file" in said
    assert "run the same embed-dataset command again" in said
    assert eegpt_main(["info", str(out.parent)]) == 3  # the folder of run folders too
    assert "DAMAGED: 3 of 3 shards" in capsys.readouterr().out


def _as_written_before_checksums(shard: Path, nan_row: int | None = None) -> None:
    """Write ``shard`` again as eegpt wrote it before page checksums (none, and no footer key
    saying so), with the embedding of row ``nan_row`` set to NaN if given."""
    table = pq.read_table(shard)
    meta = {k: v for k, v in table.schema.metadata.items() if k != b"eegpt_checksums"}
    if nan_row is not None:
        column = table.column("embedding").combine_chunks()
        values = column.flatten().to_numpy().copy()
        width = column.type.list_size
        values[nan_row * width : (nan_row + 1) * width] = np.nan
        fixed = pa.FixedSizeListArray.from_arrays(pa.array(values), width)
        table = table.set_column(table.schema.get_field_index("embedding"), "embedding", fixed)
    pq.write_table(table.replace_schema_metadata(meta), shard, compression="zstd")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_info_verify_checks_the_values_of_shards_written_before_checksums(
    small_corpus, model, tmp_path, capsys
):
    """Shards without page checksums (written by an older eegpt) are checked by their
    values: `eegpt info --verify` says so, and names one holding a NaN embedding (exit 3)."""
    out = tmp_path / "out"
    embed_dataset(small_corpus, out, model=model, shard_size=2, workers=0, progress=False)
    shards = sorted(out.glob("shard-*.parquet"))
    for shard in shards:
        _as_written_before_checksums(shard)
    assert eegpt_main(["info", str(out), "--verify"]) == 0
    assert "read through (every page): values checked, no checksums" in capsys.readouterr().out
    _as_written_before_checksums(shards[1], nan_row=1)
    assert eegpt_main(["info", str(out), "--verify"]) == 3
    said = capsys.readouterr().out
    assert f"{shards[1]} (NaN/Inf embedding values in the rows from 0 to " in said


def test_only_errors_of_unreadable_data_read_the_shards_through(
    small_corpus, model, tmp_path, monkeypatch
):
    """A read that fails for another reason (a filter pyarrow cannot evaluate) raises
    pyarrow's error as it is, without reading every shard through to look for damage; with
    two damaged shards in a folder, the reading stops at the first, and the error says how to
    check the rest."""
    import eegpt.shard_checks as shard_checks
    from eegpt.errors import UnreadableShardError

    out = tmp_path / "out"
    embed_dataset(small_corpus, out, model=model, shard_size=2, workers=0, progress=False)
    calls: list[Any] = []
    damaged_shards = shard_checks.damaged_shards

    def counted(shards: Any, **kw: Any) -> Any:
        calls.append(shards)
        return damaged_shards(shards, **kw)

    monkeypatch.setattr(shard_checks, "damaged_shards", counted)
    import pyarrow.dataset as pads

    ids_as_numbers = pads.field("recording_id").cast(pa.int64()) == 1  # 'a/rec01.edf' is none
    with pytest.raises(pa.ArrowInvalid, match="Failed to parse") as err:
        read_embeddings(out, filters=ids_as_numbers)
    assert not isinstance(err.value, UnreadableShardError) and not calls
    first, second = out / "shard-00000.parquet", out / "shard-00002.parquet"
    _damage(first, "mid")
    _damage(second, "mid")
    with pytest.raises(UnreadableShardError) as err:
        read_embeddings(out)
    assert err.value.shards == [str(first)]  # the reading stopped there
    assert f"the shards of {out} after the first damaged one were not read" in str(err.value)
    assert "eegpt info --verify" in str(err.value)
    assert calls  # read through here, where the error was of damage (the count above is real)


def test_parts_of_a_list_of_files_that_grew_are_refused(small_corpus, model, tmp_path):
    """Parts of a list of files (a source of no place) are compared by the files their
    listings share: a file added to the list between two tasks is found, while a list of
    other files split beside them is another corpus."""
    files = sorted(small_corpus.rglob("*.edf"))
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(files[:4], parts / "part-0", part=(0, 2), **run)
    with pytest.raises(ValueError, match=r"part 1/2 would be split from the listing of <5 files> "
                       r"as it is now, 5 files, but .*part-0 \(part 0/2\) was split from a "
                       r"listing of 4 files \(since then: 1 file added \(b/rec04.edf\)\)"):  # fmt: skip
        embed_dataset(files, parts / "part-1", part=(1, 2), **run)
    other = tmp_path / "other"
    other.mkdir()
    copies = [shutil.copy(files[0], other / "x.edf"), shutil.copy(files[1], other / "y.edf")]
    embed_dataset(copies, parts / "other-0", part=(0, 2), **run)
    described = describe_parts(parts)
    assert "NOT parts" not in described
    assert "parts of a list of files: part-0" in described
    assert "parts of a list of files: other-0" in described


def test_parts_of_two_patterns_of_one_folder_are_two_corpora(small_corpus, model, tmp_path):
    """--pattern is part of what names a corpus: the parts of a folder's a/*.edf and of its
    b/*.edf split side by side are neither refused nor read as listings of one corpus."""
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    for k in (0, 1):
        for sub in ("a", "b"):
            embed_dataset(small_corpus, parts / f"{sub}-part-{k}", pattern=f"{sub}/*.edf",
                          part=(k, 2), **run)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = read_embeddings(parts)
    ids = ["a/rec01.edf", "a/rec03.edf", "b/rec00.edf", "b/rec02.edf", "b/rec04.edf"]
    assert sorted(set(table.recording_id)) == ids
    described = describe_parts(parts)
    assert f"parts of {small_corpus} --pattern a/*.edf: a-part-0, a-part-1" in described
    assert "NOT parts" not in described and "missing" not in described


def test_parts_of_two_corpora_in_one_folder_are_no_changed_listing(small_corpus, model, tmp_path):
    """The parts of two corpora (folders of 2 and 3 files) under one folder were split from
    listings of their own corpus each: read as one table, described corpus by corpus, and a
    part missing from one of them is said to be missing even where the other has it."""
    x = _copied_corpus(small_corpus, tmp_path / "x", ["a/rec01.edf", "a/rec03.edf"])
    y = _copied_corpus(small_corpus, tmp_path / "y", ["b/rec00.edf", "b/rec02.edf", "b/rec04.edf"])
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    for k in (0, 1):
        embed_dataset(x, parts / f"x-{k}", part=(k, 2), **run)
    embed_dataset(y, parts / "y-1", part=(1, 2), **run)
    with pytest.warns(RuntimeWarning, match=r"hold 1 of the 2 parts .*: part 0 is missing"):
        table, _ = read_embeddings(parts)
    assert len(set(table.recording_id)) == 3
    described = describe_parts(parts)
    assert "NOT parts" not in described and "files added or removed" not in described
    assert f"parts of {x}: x-0, x-1" in described and f"parts of {y}: y-1" in described
    assert "missing: part(s) 0 of 2" in described
    (tmp_path / "x_link").symlink_to(x)  # the corpus spelt otherwise: a part still resumes
    again = embed_dataset(tmp_path / "x_link", parts / "x-0", part=(0, 2), **run)
    assert again.shards_skipped == again.shards and again.run_files == 0


def test_info_of_parts_gives_totals_and_where_the_failures_are(corpus, model, tmp_path):
    """`eegpt info` of a folder of --part runs counted each part alone ('1 failed' in one of
    them): it adds the totals over the parts and points to the parts' _errors.csv, as it does
    for one run folder."""
    parts = tmp_path / "array"
    for k in (0, 1):
        embed_dataset(corpus, parts / f"part-{k}", model=model, part=(k, 2), workers=0,
                      device="cpu", progress=False)  # fmt: skip
    described = describe_parts(parts)
    windows = sum(
        json.loads((parts / f"part-{k}" / MANIFEST).read_text())["totals"]["windows"]
        for k in (0, 1)
    )
    assert f"  total: 7 files: 6 ok, 1 failed, 0 pending; {windows} windows (" in described
    assert (  # a/rec03.edf, the corrupt one, is in part 1 (every other file from the second)
        f"  failed files and their reasons: _errors.csv of part-1 ({parts / '*' / ERRORS_REPORT})"
        in described
    )
    assert (parts / "part-1" / ERRORS_REPORT).is_file()
    assert not (parts / "part-0" / ERRORS_REPORT).exists()


def test_info_of_parts_exits_3_for_a_missing_part_not_for_tasks_past_the_files(
    small_corpus, model, tmp_path
):
    """A part with files whose folder is not there (a task never run) leaves the corpus
    incomplete: ``eegpt info`` says so and exits 3 for a job's check step, while the tasks
    of an array of more tasks than files, which have nothing to do, are not missing."""
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    thirds = tmp_path / "thirds"
    for k in (0, 1):
        embed_dataset(small_corpus, thirds / f"part-{k}", part=(k, 3), **run)
    described = describe_parts(thirds)
    assert (
        "  missing: part(s) 2 of 3 (no folder here: a task never run, one stopped before "
        "its first shard" in described
    )  # a requeued task stopped early left no folder
    assert "read as one table" not in described
    assert eegpt_main(["info", str(thirds)]) == 3
    sevenths = tmp_path / "sevenths"  # 7 tasks over 5 files: tasks 5 and 6 write no folder
    for k in range(5):
        embed_dataset(small_corpus, sevenths / f"part-{k}", part=(k, 7), **run)
    assert not (sevenths / "part-5").exists()
    described = describe_parts(sevenths)
    assert "missing" not in described and "read as one table" in described
    assert eegpt_main(["info", str(sevenths)]) == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_recording_skipped_as_too_short_that_grew_since_is_warned_about(model, tmp_path):
    """A recording skipped as too short whose file has grown since (a copy in progress) is
    warned about on resume, naming its shard to delete, which then reads it as it is."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name, seconds in (("grows.edf", 3.0), ("long.edf", 10.0)):
        write_edf(synthetic_raw(minutes=seconds / 60, seed=2)[0], folder / name)
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    assert embed_dataset(folder, out, **run).n_too_short == 1
    os.utime(folder / "grows.edf", ns=(1, 1))  # touched (a copy without -p), not longer: quiet
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        embed_dataset(folder, out, **run)
    write_edf(synthetic_raw(minutes=10 / 60, seed=3)[0], folder / "grows.edf", overwrite=True)
    with pytest.warns(RuntimeWarning, match=r"1 recording skipped as shorter than one window "
                      r"changed since .*: grows.edf\. To read it as it is now, once complete, "
                      r"delete shard-00000.parquet and run again"):  # fmt: skip
        embed_dataset(folder, out, **run)
    (out / "shard-00000.parquet").unlink()
    again = embed_dataset(folder, out, **run)
    assert (again.n_ok, again.n_too_short) == (2, 0)


def test_a_part_from_before_the_listing_was_recorded_writes_none_on_resume(
    small_corpus, model, tmp_path, monkeypatch
):
    """A part run made before parts recorded their listing, resumed after the corpus changed
    (a file of another part renamed), does not write the listing of now as the one it was
    split from: the refusal of a sibling would offer it to copy."""
    import eegpt.dataset as ds

    names = ["a/rec01.edf", "a/rec03.edf", "b/rec00.edf", "b/rec02.edf"]
    folder = _copied_corpus(small_corpus, tmp_path / "tuh", names)
    real = ds._run_spec

    def before(*args: Any, **kwargs: Any) -> dict[str, Any]:  # an older eegpt's spec
        spec = real(*args, **kwargs)
        spec["inputs"] = {
            k: v for k, v in spec["inputs"].items() if k not in ("corpus_sha256", "corpus")
        }
        return spec

    monkeypatch.setattr(ds, "_run_spec", before)
    monkeypatch.setattr(ds, "write_listing", lambda *args: None)
    out = tmp_path / "emb" / "part-0"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(folder, out, part=(0, 2), **run)
    (out / "shard-00001.parquet").unlink()  # unfinished
    monkeypatch.undo()
    (folder / "b" / "rec02.edf").rename(folder / "b" / "rec09.edf")  # part 1's: the same split
    again = embed_dataset(folder, out, part=(0, 2), **run)
    assert again.complete and again.shards_written == 1
    assert not (out / "_corpus.csv").exists()
    embed_dataset(folder, tmp_path / "emb" / "part-1", part=(1, 2), **run)  # a new part: it
    assert (tmp_path / "emb" / "part-1" / "_corpus.csv").is_file()  # writes its listing


def test_a_part_checks_its_siblings_by_their_settings_alone(small_corpus, model, tmp_path):
    """The check of a part against its siblings reads their manifests no further than their
    settings (not their run history, up to 1000 calls each) and stops at the first sibling
    split from another listing, naming it."""
    folder = _copied_corpus(small_corpus, tmp_path / "tuh", ["a/rec01.edf", "b/rec00.edf"])
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    for k in (0, 1):
        embed_dataset(folder, parts / f"part-{k}", part=(k, 3), **run)
    manifest = parts / "part-0" / MANIFEST  # a history that cannot be parsed: never read
    text = manifest.read_text()
    manifest.write_text(text[: text.index('\n "last_run": ')] + '\n "last_run": {oops')
    shutil.copy(small_corpus / "b" / "rec02.edf", folder / "b" / "rec02.edf")
    with pytest.raises(ValueError, match=r"but \S+part-0 \(part 0/3\) was split from a listing "
                       r"of 2 files \(since then: 1 file added \(b/rec02.edf\)\)\. Parts of two "
                       r"listings of a corpus hold some files twice and miss others \(other "
                       r"parts may have been split from either\)") as refused:  # fmt: skip
        embed_dataset(folder, parts / "part-2", part=(2, 3), **run)
    assert "part-1" not in str(refused.value)


def test_a_part_of_other_settings_than_its_siblings_is_refused_before_any_work(
    small_corpus, model, tmp_path
):
    """A task of a job array started with other settings (--overlap) than its sibling parts
    is refused before it embeds anything, naming the sibling, the setting with its option
    and what to do (not found only when the parts are read). The same settings with other
    --shard-size and workers (which change no row) pass, and a part of another count N is
    refused as of another split, whatever its settings."""
    parts = tmp_path / "parts"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    for k in (0, 1):
        embed_dataset(small_corpus, parts / f"part-{k}", part=(k, 3), **run)
    with pytest.raises(ValueError, match=r"part-2: part 2/3 would be embedded with other "
                       r"settings than its sibling \S+part-0 \(part 0/3\), so their rows could "
                       r"not be read as one table .*: preprocessing\.overlap \(0\.0 -> 1\.0\) "
                       r"\[--overlap\] \(the sibling's value -> this run's\)\. Run this part "
                       r"with the settings its siblings were made with .*or embed with the new "
                       r"settings into a new parent folder") as refused:  # fmt: skip
        embed_dataset(small_corpus, parts / "part-2", part=(2, 3), overlap=1.0, **run)
    assert "differ among themselves" not in str(refused.value)
    assert not (parts / "part-2").exists()  # nothing made
    embed_dataset(small_corpus, parts / "part-2", part=(2, 3), **{**run, "shard_size": 1})
    table, _ = read_embeddings(parts)  # one table
    assert table.recording_id.nunique() == 5
    # a resume of other settings: the resume check's refusal; --overwrite: the siblings'
    with pytest.raises(ValueError, match=r"part-2 was made with other settings, so it cannot "
                       r"be resumed: preprocessing\.overlap"):  # fmt: skip
        embed_dataset(small_corpus, parts / "part-2", part=(2, 3), overlap=1.0, **run)
    with pytest.raises(ValueError, match=r"other settings than its sibling \S+part-0"):
        embed_dataset(small_corpus, parts / "part-2", part=(2, 3), overlap=1.0, overwrite=True,
                      **run)  # fmt: skip
    assert len(read_embeddings(parts)[0]) == len(table)  # part-2 left as it was
    with pytest.raises(ValueError, match=r"part 3/4 would be split into 4 parts, but \S+part-0 "
                       r"beside it holds part 0/3"):  # fmt: skip
        embed_dataset(small_corpus, parts / "of-4", part=(3, 4), overlap=1.0, **run)


def test_a_part_beside_siblings_of_two_settings_is_told_they_differ(small_corpus, model, tmp_path):
    """Siblings made with different settings already (one moved in from elsewhere): a new
    part is refused naming the first sibling of other settings, and told that those of its
    own settings are there too, so that the parts differ among themselves."""
    parts = tmp_path / "parts"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(small_corpus, parts / "part-0", part=(0, 3), **run)
    embed_dataset(small_corpus, tmp_path / "elsewhere", part=(1, 3), overlap=1.0, **run)
    (tmp_path / "elsewhere").rename(parts / "part-1")
    with pytest.raises(ValueError, match=r"than its sibling \S+part-0 \(part 0/3\).*"
                       r"preprocessing\.overlap \(0\.0 -> 1\.0\) \[--overlap\].* part-1 "
                       r"beside it was made with this run's settings: the parts already there "
                       r"differ among themselves"):  # fmt: skip
        embed_dataset(small_corpus, parts / "part-2", part=(2, 3), overlap=1.0, **run)


def test_parts_of_a_corpus_staged_to_another_path_per_task_are_checked(
    small_corpus, model, tmp_path
):
    """The corpus copied to each node's $TMPDIR (another path per task): a sibling whose
    listing shares recording ids is of the same corpus, so a file added in between is refused
    before the task embeds anything, and parts made apart anyway are read as listings of one
    corpus."""
    names = ["a/rec01.edf", "b/rec00.edf", "b/rec02.edf"]
    node_a = _copied_corpus(small_corpus, tmp_path / "nodeA" / "tuh", names)
    node_b = _copied_corpus(small_corpus, tmp_path / "nodeB" / "tuh", names)
    shutil.copy(small_corpus / "b" / "rec04.edf", node_b / "00_added.edf")  # sorts first
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(node_a, parts / "part-0", part=(0, 2), **run)
    with pytest.raises(ValueError, match=r"part 1/2 would be split from the listing of \S+nodeB"
                       r"\S+ as it is now, 4 files, but \S+part-0 \(part 0/2\) was split from a "
                       r"listing of 3 files \(since then: 1 file added \(00_added.edf\)\)"):  # fmt: skip
        embed_dataset(node_b, parts / "part-1", part=(1, 2), **run)
    assert not (parts / "part-1").exists()
    embed_dataset(node_b, tmp_path / "elsewhere" / "part-1", part=(1, 2), **run)
    (tmp_path / "elsewhere" / "part-1").rename(parts / "part-1")
    with pytest.raises(ValueError, match=r"read_embeddings: the parts were split from "
                       r"different listings .*part-0 from one of 3 files; part-1 from one of "
                       r"4 files"):  # fmt: skip
        read_embeddings(parts)
    assert "NOT parts of one corpus" in describe_parts(parts)
    assert eegpt_main(["info", str(parts)]) == 3  # for a SLURM job's check step
    # the same listing staged elsewhere passes
    node_c = _copied_corpus(small_corpus, tmp_path / "nodeC" / "tuh", names)
    shutil.rmtree(parts / "part-1")
    embed_dataset(node_c, parts / "part-1", part=(1, 2), **run)
    assert sorted(set(read_embeddings(parts)[0].recording_id)) == sorted(names)
    assert eegpt_main(["info", str(parts)]) == 0
    (parts / "part-9").mkdir()  # a part whose job wrote no shard yet: no one table offered
    shutil.copy(parts / "part-1" / MANIFEST, parts / "part-9" / MANIFEST)
    described = describe_parts(parts)
    assert "no shard yet in part-9" in described and "read as one table" not in described
    assert eegpt_main(["info", str(parts)]) == 3


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_parts_and_their_too_short_reruns_read_together(model, tmp_path):
    """Each --part folder's _too_short.csv, embedded with --tail pad into a folder of its own
    beside the others (short/part-K), keeps its manifest rows; a parent of parts is read in a
    list with such folders (read_embeddings, load_embeddings), and load_embeddings of a
    parent refuses parts split from different listings as read_embeddings does."""
    folder = tmp_path / "data"
    folder.mkdir()
    rows = []
    for i, seconds in enumerate((10.0, 10.0, 3.0, 3.0)):  # part 0: r0, r2; part 1: r1, r3
        write_edf(synthetic_raw(minutes=seconds / 60, seed=i)[0], folder / f"r{i}.edf")
        rows.append({"path": f"r{i}.edf", "subject": f"s{i}"})
    manifest = folder / "manifest.csv"
    pd.DataFrame(rows).to_csv(manifest, index=False)
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    for k in (0, 1):
        assert embed_dataset(manifest, tmp_path / "out" / f"part-{k}", part=(k, 2),
                             **run).n_too_short == 1  # fmt: skip
        embed_dataset(tmp_path / "out" / f"part-{k}" / "_too_short.csv",
                      tmp_path / "short" / f"part-{k}", tail="pad", **run)  # fmt: skip
    folders = [tmp_path / "out", tmp_path / "short"]
    table, emb = read_embeddings(folders)
    assert sorted(set(table.recording_id)) == ["r0.edf", "r1.edf", "r2.edf", "r3.edf"]
    assert table.set_index("recording_id").subject.to_dict() == {
        f"r{i}.edf": f"s{i}" for i in range(4)
    }
    short = load_embeddings(folders, recording_id="r3.edf")
    assert short.metadata["padded_tail"] and len(short.data) == 1
    assert len(load_embeddings(folders, recording_id="r0.edf").data) > 1
    with pytest.raises(ValueError, match=r"recording_id=\.\.\."):
        load_embeddings(folders)
    # parts split from different listings: refused by load_embeddings too
    write_edf(synthetic_raw(minutes=10 / 60, seed=9)[0], folder / "r4.edf")
    pd.DataFrame([{"path": "r4.edf", "subject": "s4"}, *rows]).to_csv(manifest, index=False)
    shutil.rmtree(tmp_path / "out" / "part-1")
    embed_dataset(manifest, tmp_path / "elsewhere", part=(1, 2), **run)
    (tmp_path / "elsewhere").rename(tmp_path / "out" / "part-1")
    for rid in ("r0.edf", "r4.edf"):  # refused as read_embeddings refuses, named as called
        with pytest.raises(ValueError, match=r"^load_embeddings: the parts were split from "
                           r"different listings"):  # fmt: skip
            load_embeddings(tmp_path / "out", recording_id=rid)


def test_a_part_resumed_after_its_corpus_changed_is_told_its_listing(small_corpus, model, tmp_path):
    """A requeued part whose corpus gained a file is told what changed in the whole listing
    (not its own shifted share) and the command that resumes it from the listing it was split
    from, which finishes it with the files it was given then; a folder of a run without
    --part is said to be one."""
    names = ["a/rec01.edf", "a/rec03.edf", "b/rec00.edf", "b/rec02.edf"]
    folder = _copied_corpus(small_corpus, tmp_path / "tuh", names)
    out = tmp_path / "out" / "part-0"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(folder, out, part=(0, 2), **run)
    (out / "shard-00001.parquet").unlink()  # stopped before its last shard
    shutil.copy(small_corpus / "b" / "rec04.edf", folder / "aa.edf")  # sorts first
    with pytest.raises(ValueError, match=r"The corpus changed since this part was split \(4 "
                       r"files then, 5 now: 1 file added \(aa.edf\)\)\. To resume this part, "
                       r"give it the listing it was split from: eegpt embed-dataset \S+part-0"
                       r"/_corpus.csv -o \S+part-0 --part 0/2 .*embed the files added since "
                       r"into a new output folder") as refused:  # fmt: skip
        embed_dataset(folder, out, part=(0, 2), **run)
    assert "gone" not in str(refused.value)
    again = embed_dataset(out / "_corpus.csv", out, part=(0, 2), **run)
    assert again.complete and again.shards_written == 1 and again.shards_skipped == 1
    table, _ = read_embeddings(out)
    assert sorted(set(table.recording_id)) == ["a/rec01.edf", "b/rec00.edf"]  # 0 and 2 of 4
    whole = tmp_path / "whole"
    embed_dataset(folder, whole, **run)
    with pytest.raises(ValueError, match=r"This folder holds a run without --part \(of the "
                       r"whole input\): resume it without --part"):  # fmt: skip
        embed_dataset(folder, whole, part=(1, 2), **run)


def test_parts_from_before_the_corpus_was_recorded_are_read_with_newer_ones_as_one():
    """Parts of an eegpt that recorded no corpus (resumed as they were) read with newer parts
    of the same split: one corpus, as before, so listings of other sizes are still told."""
    from eegpt.dataset_read import corpora_of_parts, listings_apart

    old = {"corpus_files": 100}
    new = {"corpus_files": 105, "corpus_sha256": "abc", "corpus": "/data/eeg"}
    parts = [(Path(f"/x/part-{k}"), {"part": [k, 4], **(old if k < 2 else new)}) for k in range(4)]
    assert len(corpora_of_parts(parts)) == 1
    assert "part-0, part-1 from one of 100 files; part-2, part-3 from one of 105" in (
        listings_apart(parts)
    )


def test_a_disk_full_before_the_first_shard_says_none_was_finished(
    corpus, weights, tmp_path, capsys, monkeypatch
):
    """A disk that is full before any shard is finished: no 'finished shards kept' (the new,
    empty folder is removed), just room and the same command again."""
    folder = _copied_corpus(corpus, tmp_path / "in", ["a/rec01.edf"])
    out = tmp_path / "out"

    def full(self: ShardWriter) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ShardWriter, "_commit", full)
    args = [str(folder), "-o", str(out), "--weights", str(weights), "--workers", "0", "-q"]
    assert cli_main([*args, "--device", "cpu"]) == 1
    err = capsys.readouterr().err
    assert "the run stopped before finishing a shard. Free some space there" in err
    assert "keeping its finished shards" not in err


def test_info_of_a_parent_counts_a_killed_part_from_its_shards(small_corpus, model, tmp_path):
    """A part killed before its reports caught up is counted from its shard files in the
    parent's view too (as in its own), called unfinished, not offered as one table (exit 3);
    a run that recorded no device does not say 'on -'."""
    from eegpt.cli import main
    from eegpt.dataset import shard_files

    parts = tmp_path / "kill"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(small_corpus, parts / "part-0", part=(0, 1), shard_size=1, **run)
    manifest = json.loads((parts / "part-0" / MANIFEST).read_text())
    for p in shard_files(parts / "part-0")[2:]:  # killed after its second shard
        p.unlink()
    manifest["shards_done"] = []  # as a kill -9 before the reports' first refresh leaves it
    manifest["totals"].update(ok=0, failed=0, pending=5, windows=0)
    manifest["runs"][-1].update(shards_written=0, elapsed_s=0.0, ended=False, devices=[])
    (parts / "part-0" / MANIFEST).write_text(json.dumps(manifest))
    own = describe_output(parts / "part-0")
    assert "2 ok, 0 failed, 3 pending; shards 2 of 5 done" in own
    assert ": inprocess of " in own and " on -" not in own
    described = describe_parts(parts)
    assert "part 0/1, 5 files: 2 ok, 0 failed, 3 pending; shards 2 of 5 written" in described
    assert "did not finish (killed?)" in described and "read as one table" not in described
    assert main(["info", str(parts)]) == 3
    # stopped by SIGTERM (a time limit) or an error: the run ended, its reports are right,
    # files are pending: unfinished too, though not killed
    manifest["totals"].update(ok=2, pending=3)
    manifest["shards_done"] = [0, 1]
    manifest["runs"][-1].update(ended=True, shards_written=2)
    del manifest["runs"][-1]["stopped"]  # as runs recorded before how they stopped
    (parts / "part-0" / MANIFEST).write_text(json.dumps(manifest))
    described = describe_parts(parts)
    assert "3 pending; shards 2 of 5 written; stopped before its last shard" in described
    assert "killed?)" not in described.split("did not finish (stopped or killed)")[0]
    assert "read as one table" not in described and main(["info", str(parts)]) == 3
    manifest["runs"][-1]["stopped"] = "terminated"  # as a run stopped by SIGTERM records it
    (parts / "part-0" / MANIFEST).write_text(json.dumps(manifest))
    described = describe_parts(parts)
    assert "2 of 5 written; stopped by SIGTERM (a time limit?) before its last shard" in described
    assert main(["info", str(parts)]) == 3
    embed_dataset(small_corpus, parts / "part-0", part=(0, 1), shard_size=1, **run)
    described = describe_parts(parts)
    assert "did not finish" not in described and "read as one table" in described
    assert "stopped before" not in described and main(["info", str(parts)]) == 0


def _as_killed(folder: Path, keep: int) -> None:
    """Make the finished run folder ``folder`` (one file a shard) look killed by SIGKILL
    after its first ``keep`` shards, before its reports' first refresh."""
    from eegpt.dataset import shard_files

    manifest = json.loads((folder / MANIFEST).read_text())
    for p in shard_files(folder)[keep:]:
        p.unlink()
    manifest["shards_done"] = []
    manifest["totals"].update(ok=0, failed=0, pending=manifest["n_files"], windows=0)
    manifest["runs"][-1].update(shards_written=0, elapsed_s=0.0, ended=False, devices=[])
    (folder / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize("keep", [0, 2])
def test_info_of_an_unfinished_run_exits_3_and_says_so_last(
    small_corpus, model, tmp_path, capsys, keep
):
    """A run killed before its last shard (none of them, or some) is not a complete corpus:
    `eegpt info` and `eegpt info --verify` exit 3 (not 0, which a job's check step takes for
    done) and end saying so and how to finish it; while a run holds the folder, --verify says
    it is in progress (3: not whole yet), plain info takes it as one table so far (0, as for a
    part still running); once the run is finished both exit 0."""
    from eegpt.cli import main

    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    embed_dataset(small_corpus, out, **run)
    _as_killed(out, keep)
    last = (
        f"  not complete: 5 files pending, {5 - keep} of 5 shards missing; run the same "
        "embed-dataset command again"
    )
    for verify in ([], ["--verify"]):
        capsys.readouterr()
        assert main(["info", str(out), *verify]) == 3
        said = capsys.readouterr().out.splitlines()
        assert said[-1] == last.replace("5 files pending", f"{5 - keep} files pending")
    with FolderLock(out):  # a run in progress
        capsys.readouterr()
        assert main(["info", str(out), "--verify"]) == 3
        said = capsys.readouterr().out.splitlines()
        assert said[-1].startswith("  not complete: a run is in progress (")
        assert said[-1].endswith("missing); wait for it to end, then check again")
        assert main(["info", str(out)]) == 0
        assert "not complete" not in capsys.readouterr().out
    embed_dataset(small_corpus, out, **run)
    for verify in ([], ["--verify"]):
        capsys.readouterr()
        assert main(["info", str(out), *verify]) == 0
        assert "not complete" not in capsys.readouterr().out


def test_info_verify_of_parts_says_last_which_did_not_finish(small_corpus, model, tmp_path, capsys):
    """`eegpt info PARENT --verify` ends naming the parts that did not finish (3, as plain
    `eegpt info` exits for them), and a part still running (3 under --verify alone: plain
    `eegpt info` reads the parts as one table so far)."""
    from eegpt.cli import main

    parts = tmp_path / "parts"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    for k in range(2):
        embed_dataset(small_corpus, parts / f"part-{k}", part=(k, 2), **run)
    capsys.readouterr()
    assert main(["info", str(parts), "--verify"]) == 0
    assert "not complete" not in capsys.readouterr().out
    _as_killed(parts / "part-1", 1)  # and started again: running
    with FolderLock(parts / "part-1"):
        assert main(["info", str(parts)]) == 0
        capsys.readouterr()
        assert main(["info", str(parts), "--verify"]) == 3
        said = capsys.readouterr().out.splitlines()[-1]
        assert said == (
            "  not complete: a run is in progress in part-1 (1 file pending, 1 of 2 shards "
            "missing); wait for it to end, then check again"
        )
        _as_killed(parts / "part-0", 1)
        assert main(["info", str(parts)]) == 3
        capsys.readouterr()
        assert main(["info", str(parts), "--verify"]) == 3
        said = capsys.readouterr().out.splitlines()[-1]
        assert said == (
            "  not complete: 3 files pending, 3 of 5 shards missing in part-0, part-1 (part-1 "
            "still running); run the same embed-dataset command of part-0 again"
        )


def test_a_requeued_part_beside_its_siblings_is_told_to_resume(small_corpus, model, tmp_path):
    """Both parts finished on one listing, then the corpus changed (a file added, one
    removed): part 0's command run again is told how to resume from its own listing (not
    to delete folders, as a new part split apart from its siblings is), and that command
    finishes with nothing lost."""
    names = ["a/rec01.edf", "a/rec03.edf", "b/rec00.edf", "b/rec02.edf"]
    folder = _copied_corpus(small_corpus, tmp_path / "tuh", names)
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    for k in (0, 1):
        embed_dataset(folder, out / f"part-{k}", part=(k, 2), **run)
    before, _ = read_embeddings(out)
    shutil.copy(small_corpus / "b" / "rec04.edf", folder / "aa.edf")
    (folder / "b" / "rec02.edf").unlink()
    with pytest.raises(ValueError, match=r"To resume this part, give it the listing it was "
                       r"split from: eegpt embed-dataset \S+part-0/_corpus.csv -o \S+part-0 "
                       r"--part 0/2") as refused:  # fmt: skip
        embed_dataset(folder, out / "part-0", part=(0, 2), **run)
    assert "delete" not in str(refused.value)
    assert "sha256" not in str(refused.value)  # what changed said in words, not fingerprints
    with pytest.raises(ValueError, match=r"delete"):  # a new part beside them: split apart
        embed_dataset(folder, out / "part-2", part=(0, 2), **run)
    again = embed_dataset(out / "part-0" / "_corpus.csv", out / "part-0", part=(0, 2), **run)
    assert again.complete and again.shards_written == 0
    after, _ = read_embeddings(out)
    assert sorted(set(after.recording_id)) == sorted(set(before.recording_id)) == sorted(names)


def test_a_report_rerun_after_its_manifest_was_edited_is_warned_about(
    short_corpus, model, tmp_path
):
    """A report embedded again takes its files' rows from the run's manifest as it is now:
    where those rows differ from the ones the run had (a label edited), a warning names the
    manifest and says that reading both folders would mix two versions of it."""
    manifest = tmp_path / "list.csv"
    header = "path,recording_id,label\n"
    long_row = f"{short_corpus / 'long.edf'},long,sz\n"
    manifest.write_text(header + long_row + f"{short_corpus / 'short.edf'},short,sz\n")
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    embed_dataset(manifest, tmp_path / "m1", **run)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as it was: no warning
        embed_dataset(tmp_path / "m1" / "_too_short.csv", tmp_path / "same", tail="pad", **run)
    manifest.write_text(header + long_row + f"{short_corpus / 'short.edf'},short,EDITED\n")
    with pytest.warns(RuntimeWarning, match=r"list.csv has changed since the run of \S+m1 .*: the "
                      r"files of _too_short.csv \(1 file\) are embedded with their rows \(label\) as they "
                      r"are now.* would mix two versions of \S+list.csv"):  # fmt: skip
        embed_dataset(tmp_path / "m1" / "_too_short.csv", tmp_path / "fix", tail="pad", **run)


def _embed_with_table(corpus, model, tmp_path):
    """One file of the corpus embedded with a table file that leaves out A1 and A2 (empty
    electrodes) and names FP1: the table's path, the run's folder and its summary."""
    table = tmp_path / "lab.tsv"
    table.write_text("EEG A1-REF\t\nEEG A2-REF\t\nEEG FP1-REF\tFp1\n", encoding="utf-8")
    out = tmp_path / "out"
    summary = embed_dataset([str(corpus / "b" / "rec00.edf")], out, model=model, workers=0,
                            rename=str(table), device="cpu", progress=False)  # fmt: skip
    return table, out, summary


def test_the_run_records_where_its_rename_table_came_from(corpus, model, tmp_path):
    """A table file passed as rename: the manifest's run records its path (beside the spec's
    entries, so a table moved elsewhere still resumes the run)."""
    table, out, _ = _embed_with_table(corpus, model, tmp_path)
    run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert run["rename_source"] == str(table) and "rename_call" not in run


def test_channels_a_rename_leaves_out_are_not_listed_as_unused(corpus, model, tmp_path):
    """The channels a table leaves out on purpose (an empty electrode) are not among the run
    summary's 'channels not used', which still lists those no one chose to leave out."""
    _, _, summary = _embed_with_table(corpus, model, tmp_path)
    unused = dict(summary.dropped)
    assert "EEG EKG1-REF" in unused and not {"EEG A1-REF", "EEG A2-REF"} & set(unused)
    (line,) = [x for x in str(summary).splitlines() if x.startswith("channels not used")]
    assert "EEG EKG1-REF" in line and "A1-REF" not in line


def test_the_summary_does_not_ask_to_rename_sockets_a_cap_table_renamed(model, tmp_path):
    """--rename biosemi64 on a file labelled by sockets: the table names A24, A28, B5, B29
    P9, Iz, AFz, P10, outside the vocabulary, so they are dropped; the summary says they were
    renamed to such electrodes, not that they may be electrodes to --rename."""
    names = [f"{bank}{i}" for bank in "AB" for i in range(1, 33)]
    data = np.random.default_rng(0).normal(0, 2e-5, (len(names), 256 * 8))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    path = write_edf(raw, tmp_path / "sockets.edf")
    summary = embed_dataset([str(path)], tmp_path / "out", model=model, workers=0,
                            rename="biosemi64", device="cpu", progress=False)  # fmt: skip
    assert summary.renamed == {"A24": "P9", "A28": "Iz", "B5": "AFz", "B29": "P10"}
    (line,) = [x for x in str(summary).splitlines() if x.startswith("channels not used")]
    assert (
        "A24 -> P9, A28 -> Iz, B5 -> AFz, B29 -> P10: renamed to electrodes "
        "outside the model's vocabulary" in line
    )
    assert "may be" not in line and "--rename" not in line


def test_dropped_channels_leave_out_a_socket_dropped_by_its_electrode():
    """--drop C1 beside --rename biosemi64 drops socket A12 on purpose: the run's summary of
    channels not used leaves it out, as it does the drops named by label."""
    from eegpt.channels import cap_rename
    from eegpt.dataset import dropped_channel_counts

    rows = [{"status": "ok", "dropped_channels": ["A12", "A24", "B5"]}]
    rename = {**cap_rename("biosemi64"), "C1": None, "B5": None}
    assert dropped_channel_counts(rows, rename) == [("A24", 1)]


def test_run_of_weights_changed_after_loading_does_not_claim_the_file(
    small_corpus, weights, tmp_path
):
    """The run's spec (stored in every shard, compared on resume) names the weights used, not
    the file they were loaded from before load_state_dict replaced them."""
    from eegpt.checkpoints import load_model

    model = load_model(weights, verbose=False)
    file_sha = model.checkpoint_info["sha256"]
    model.load_state_dict(EEGPT(model.config).state_dict())
    out = tmp_path / "out"
    embed_dataset(small_corpus, out, model=model, workers=0, device="cpu", progress=False)
    spec, _ = read_shard_status(out / "shard-00000.parquet")
    assert spec["checkpoint"]["sha256"] is None and file_sha not in json.dumps(spec)
    assert spec["checkpoint"]["weights_modified"] is True


def test_run_of_weights_changed_after_loading_records_them_as_npz_outputs_do(
    small_corpus, weights, tmp_path, monkeypatch
):
    """A corpus of weights changed after loading names them by the fingerprint an ``.npz`` of
    the same model records (``weights_sha256``), so the two can be matched; the weights are
    hashed once for it, not again as a state dict."""
    import eegpt.dataset as dataset
    from eegpt.api import checkpoint_record
    from eegpt.checkpoints import load_model

    model = load_model(weights, verbose=False)
    model.load_state_dict(EEGPT(model.config).state_dict())
    npz = checkpoint_record(model)

    def no_second_hash(_model):
        raise AssertionError("the weights were hashed again")

    monkeypatch.setattr(dataset, "state_dict_hash", no_second_hash)
    out = tmp_path / "out"
    embed_dataset(small_corpus, out, model=model, workers=0, device="cpu", progress=False)
    spec, _ = read_shard_status(out / "shard-00000.parquet")
    assert spec["checkpoint"]["weights_sha256"] == npz["weights_sha256"] is not None
    assert spec["checkpoint"]["sha256"] == npz["sha256"] is None
    assert json.loads((out / MANIFEST).read_text())["spec"]["checkpoint"] == spec["checkpoint"]
    assert f"weights_sha256 {npz['weights_sha256']}" in describe_output(out)


def _rewrite_spec(shard: Path, checkpoint: dict[str, Any]) -> None:
    """Write ``shard`` again with the ``checkpoint`` of its run settings replaced."""
    table = pq.read_table(shard)
    meta = dict(pq.read_metadata(shard).metadata)
    spec = json.loads(meta[b"eegpt"])
    spec["checkpoint"] = checkpoint
    meta[b"eegpt"] = json.dumps(spec).encode()
    pq.write_table(table.replace_schema_metadata(meta), shard, write_page_checksum=True)


def _as_run_recorded_with(out: Path, shards: list[Path], checkpoint: dict[str, Any]) -> None:
    """Make the run in ``out`` look cut short by an older eegpt that recorded ``checkpoint``:
    its last shard removed, the others' and the manifest's settings given that checkpoint."""
    shards[-1].unlink()
    for p in shards[:-1]:
        _rewrite_spec(p, checkpoint)
    manifest = json.loads((out / MANIFEST).read_text())
    manifest["spec"]["checkpoint"] = checkpoint
    (out / MANIFEST).write_text(json.dumps(manifest))


def _as_run_of_layout_3_without_rates(out: Path) -> None:
    """Make the run in ``out`` (written in layout 3) look written by eegpt before 2026-12-04:
    its file statuses without the recordings' rates (``sfreq_in``), its last shard removed."""
    shards = shard_files(out)
    shards[-1].unlink()
    _drop_from_file_statuses(shards[:-1], "sfreq_in")


@pytest.mark.parametrize("rate", [250.0, 256.0])
def test_a_resampled_run_of_an_eegpt_before_the_resampler_revision_is_not_resumed(
    rate, model, tmp_path, monkeypatch
):
    """The polyphase resampler's numbers changed on 2026-12-03 (2e-4 to 3e-3 relative at
    250 Hz), and runs record no more than ``resample polyphase``: resuming a run of before
    it added rows of the new resampler to those of the old without a word. A run now
    records the resampler's revision; one of before it (layout 3, no rates in its file
    statuses: their headers are read) whose recordings were resampled is refused, saying
    what changed and to start again. Recordings at 256 Hz were never resampled: resumed."""
    from eegpt.preprocessing_spec import RESAMPLE_REVISION

    folder = tmp_path / "in"
    folder.mkdir()
    for k in range(3):
        write_edf(synthetic_raw(minutes=0.15, sfreq=rate, seed=k)[0], folder / f"r{k}.edf")
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 1}
    new_spec = eegpt.dataset._run_spec
    out = tmp_path / "out"
    embed_dataset(folder, tmp_path / "now", **run)
    now = json.loads((tmp_path / "now" / MANIFEST).read_text())["spec"]
    assert now["resample_revision"] == RESAMPLE_REVISION

    def of_layout_3(*args, **kwargs):
        spec = dict(new_spec(*args, **kwargs), layout=3)
        del spec["resample_revision"]
        return spec

    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", of_layout_3)
        embed_dataset(folder, out, **run)
    _as_run_of_layout_3_without_rates(out)
    if rate == 256.0:
        again = embed_dataset(folder, out, **run)
        assert (again.shards_skipped, again.shards_written) == (2, 1)
        assert "resample_revision" not in json.loads((out / MANIFEST).read_text())["spec"]
        return
    with pytest.raises(ValueError, match="cannot be resumed by this eegpt") as refused:
        embed_dataset(folder, out, **run)
    text = str(refused.value)
    assert "resampled to 256 Hz (r0.edf (250 Hz), r1.edf (250 Hz))" in text
    assert "recorded no resampler revision" in text and "start the run again" in text
    assert "--overwrite" in text and "4b83ad5 and 7eb0cb7" in text
    assert len(shard_files(out)) == 2  # nothing written
    embed_dataset(folder, out, overwrite=True, **run)  # started again: of this resampler
    # a finished run of before it gets no row more: a rerun finds nothing to do, as before
    with monkeypatch.context() as m:
        m.setattr(eegpt.dataset, "_run_spec", of_layout_3)
        embed_dataset(folder, out, overwrite=True, **run)
    assert embed_dataset(folder, out, **run).shards_written == 0


def test_run_of_changed_weights_recorded_as_a_state_dict_before_still_resumes(
    small_corpus, weights, tmp_path
):
    """A folder of weights changed after loading that an older eegpt recorded as
    ``state_dict:<hash>`` resumes with the same model as before (its spec compares equal)."""
    from eegpt.checkpoints import load_model
    from eegpt.fingerprints import state_dict_hash

    model = load_model(weights, verbose=False)
    model.load_state_dict(EEGPT(model.config).state_dict())
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    embed_dataset(small_corpus, out, **run)
    shards = shard_files(out)
    now = read_shard_status(shards[0])[0]["checkpoint"]
    old = {
        "sha256": f"state_dict:{state_dict_hash(model)}",
        "format": now["format"],
        "pretrained": now["pretrained"],
    }
    _as_run_recorded_with(out, shards, old)
    again = embed_dataset(small_corpus, out, **run)
    assert (again.shards_skipped, again.shards_written) == (len(shards) - 1, 1)
    assert read_shard_status(shards[-1])[0]["checkpoint"] == old
    with pytest.raises(ValueError, match="other settings"):  # other weights: still refused
        model.load_state_dict(EEGPT(model.config).state_dict())
        embed_dataset(small_corpus, out, **run)


def test_a_run_of_a_model_built_in_python_resumes_after_its_probe_head_changed(
    small_corpus, tmp_path
):
    """A model never loaded from a file was named in a run's settings by a hash of all its
    weights, so a probe head or channel projection trained after the stop (neither used by
    embeddings) refused the resume; it is named by its encoder's weights (``encoder:``, as
    the kept windows name them), so the run resumes, while other encoder weights are
    refused. A run recorded so before (``state_dict:<hash>``) still resumes with the model
    as it was, and is refused otherwise saying why."""
    from eegpt.fingerprints import embedding_weights_hash, state_dict_hash

    torch.manual_seed(1)
    model = EEGPT(SMALL, chan_proj=(22, 19), n_outputs=3, n_times=1024).eval()
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    embed_dataset(small_corpus, out, **run)
    shards = shard_files(out)
    checkpoint = read_shard_status(shards[0])[0]["checkpoint"]
    assert checkpoint["sha256"] == embedding_weights_hash(model)
    shards[-1].unlink()
    with torch.no_grad():  # a probe trained since: not what the embeddings use
        model.final_layer.probe1.weight.mul_(2.0)
        model.chan_proj.proj.weight.add_(1.0)
    again = embed_dataset(small_corpus, out, **run)
    assert (again.shards_skipped, again.shards_written) == (len(shards) - 1, 1)
    assert read_shard_status(shards[-1])[0]["checkpoint"] == checkpoint
    shards[-1].unlink()
    with torch.no_grad(), pytest.raises(ValueError, match="other settings"):
        model.target_encoder.norm.weight.add_(1.0)  # other encoder weights: refused
        embed_dataset(small_corpus, out, **run)
    with torch.no_grad():
        model.target_encoder.norm.weight.sub_(1.0)
    old = {**checkpoint, "sha256": f"state_dict:{state_dict_hash(model)}"}  # as recorded then
    _as_run_recorded_with(out, shard_files(out), old)
    again = embed_dataset(small_corpus, out, **run)  # the model as it was: resumed
    assert again.shards_written == 2
    assert read_shard_status(shard_files(out)[-1])[0]["checkpoint"] == old
    shard_files(out)[-1].unlink()
    with torch.no_grad(), pytest.raises(ValueError, match="other settings") as refused:
        model.final_layer.probe1.weight.mul_(2.0)
        embed_dataset(small_corpus, out, **run)
    assert "made by an eegpt before 2026-12-07, which named a model not loaded" in str(
        refused.value
    )


def test_a_new_part_of_a_model_built_in_python_names_it_as_its_siblings_did(
    small_corpus, tmp_path, monkeypatch
):
    """A part run of eegpt before 2026-12-07 named a model built in Python by a hash of all
    its weights (``state_dict:<hash>``); a new part of the same model beside it names it so
    too, rather than be refused as made with other weights, and the parts read as one."""
    from eegpt.fingerprints import state_dict_hash

    torch.manual_seed(1)
    model = EEGPT(SMALL).eval()
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    with monkeypatch.context() as then:  # that eegpt's name of the weights
        then.setattr(
            eegpt.dataset, "embedding_weights_hash", lambda m: "state_dict:" + state_dict_hash(m)
        )
        embed_dataset(small_corpus, parts / "part-0", part=(0, 2), **run)
    embed_dataset(small_corpus, parts / "part-1", part=(1, 2), **run)
    named = [
        json.loads((parts / f"part-{k}" / MANIFEST).read_text())["spec"]["checkpoint"]["sha256"]
        for k in (0, 1)
    ]
    assert named == [f"state_dict:{state_dict_hash(model)}"] * 2
    table, _ = read_embeddings(parts)
    assert table.recording_id.nunique() == 5


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_weights_are_recorded_in_a_run_and_an_older_run_still_resumes(
    dtype, small_corpus, tmp_path
):
    """Weights a file stores in float16/bfloat16 (upcast when loaded) were recorded in an
    eegpt embed output's checkpoint but not in an embed-dataset run's: its settings (manifest
    and shard footers), the recordings read from it and eegpt info of the folder now say the
    stored dtype. It is provenance: the file's sha256 already tells such weights apart, so a
    run recorded before it (without it) resumes, and other weights are still refused."""
    from eegpt.checkpoints import load_model

    name = str(dtype).removeprefix("torch.")
    torch.manual_seed(5)
    path = tmp_path / "half.pt"
    torch.save({k: v.to(dtype) for k, v in EEGPT(SMALL).state_dict().items()}, path)
    model = load_model(path, num_heads=4, patch_stride=64, verbose=False)
    out = tmp_path / "out"
    run = {"model": model, "shard_size": 2, **RUN}
    embed_dataset(small_corpus, out, **run)
    shards = shard_files(out)
    assert json.loads((out / MANIFEST).read_text())["spec"]["checkpoint"]["stored_dtype"] == name
    assert all(read_shard_status(p)[0]["checkpoint"]["stored_dtype"] == name for p in shards)
    one = load_embeddings(out, recording_id="a/rec01.edf")
    assert one.metadata["checkpoint"]["stored_dtype"] == name
    assert re.search(
        rf"checkpoint sha256 {model.checkpoint_info['sha256']}, encoder fingerprint "
        rf"[0-9a-f]{{12}}\.\.\., weights stored as {name} \(run in float32\)",
        describe_output(out),
    )
    # a run recorded without it (before it was recorded) resumes: the sha256 is compared
    old = {k: v for k, v in read_shard_status(shards[0])[0]["checkpoint"].items()
           if k != "stored_dtype"}  # fmt: skip
    _as_run_recorded_with(out, shards, old)
    again = embed_dataset(small_corpus, out, **run)
    assert (again.shards_skipped, again.shards_written) == (len(shards) - 1, 1)
    # float32 weights of the same values: another file, refused by its sha256 alone
    full = tmp_path / "full.pt"
    torch.save({k: v.float() for k, v in model.state_dict().items()}, full)
    other = load_model(full, num_heads=4, patch_stride=64, verbose=False)
    assert "stored_dtype" not in other.checkpoint_info
    with pytest.raises(ValueError, match="other settings") as refused:
        embed_dataset(small_corpus, out, **{**run, "model": other})
    assert "checkpoint.sha256" in str(refused.value) and "stored_dtype" not in str(refused.value)


def test_a_recording_read_from_a_run_folder_has_the_versions_of_its_shard_s_run(
    small_corpus, model, tmp_path
):
    """load_embeddings(run_folder, recording_id=...) gave a recording without the versions
    that computed it (``eegpt_version``, ``eegpt_changes``, ``software``), which an output of
    eegpt embed records: it read as unversioned. Now they are its shard's run stamp's; a shard
    of before the stamps leaves them unrecorded."""
    from eegpt.api import CHANGES_DATE, software_versions

    out = tmp_path / "out"
    embed_dataset(small_corpus, out, model=model, shard_size=2, **RUN)
    one = load_embeddings(out, recording_id="a/rec01.edf")
    assert one.metadata["eegpt_version"] == eegpt.__version__
    assert one.metadata["eegpt_changes"] == CHANGES_DATE
    assert one.metadata["software"] == software_versions()
    # the stamp of the recording's own shard, not this process's versions
    shard = shard_files(out)[0]
    stamp = {**read_shard_status(shard)[1]["run"], "eegpt_version": "0.0.9"}
    table, meta = pq.read_table(shard), dict(pq.read_metadata(shard).metadata)
    status = json.loads(meta[b"eegpt_shard"])
    ids = [f["recording_id"] for f in status["files"]]
    meta[b"eegpt_shard"] = json.dumps({**status, "run": stamp}).encode()
    pq.write_table(table.replace_schema_metadata(meta), shard, write_page_checksum=True)
    assert load_embeddings(out, recording_id=ids[0]).metadata["eegpt_version"] == "0.0.9"
    meta[b"eegpt_shard"] = json.dumps({k: v for k, v in status.items() if k != "run"}).encode()
    pq.write_table(table.replace_schema_metadata(meta), shard, write_page_checksum=True)
    unstamped = load_embeddings(out, recording_id=ids[0]).metadata
    assert not {"eegpt_version", "eegpt_changes", "software"} & set(unstamped)


def test_a_run_records_the_encoder_fingerprint_and_a_run_recorded_without_it_resumes(
    small_corpus, model, tmp_path
):
    """An embed-dataset run recorded its weights file's sha256 but not the encoder
    fingerprint (``checkpoint.weights_sha256``) that an output of eegpt embed records, so
    eegpt compare showed it '?' against a run folder and eegpt info did not say it. Now the
    run's settings record it, eegpt info shows it and compare matches it; a run recorded
    without it (before) still resumes."""
    from eegpt.outputs_compare import compare_embeddings

    file = tmp_path / "rec01.npz"
    eegpt.embed(model, small_corpus / "a" / "rec01.edf").save(file)
    expected = load_embeddings(file).metadata["checkpoint"]["weights_sha256"]
    out = tmp_path / "out"
    run = {"model": model, "shard_size": 2, **RUN}
    embed_dataset(small_corpus, out, **run)
    shards = shard_files(out)
    assert json.loads((out / MANIFEST).read_text())["spec"]["checkpoint"]["weights_sha256"] == (
        expected
    )
    assert all(read_shard_status(p)[0]["checkpoint"]["weights_sha256"] == expected for p in shards)
    one = load_embeddings(out, recording_id="a/rec01.edf")
    assert one.metadata["checkpoint"]["weights_sha256"] == expected
    described = describe_output(out)
    assert f", encoder fingerprint {expected[:12]}..." in described
    assert "weights modified" not in described
    compared = compare_embeddings(file, out, progress=False)
    row = next(r for r in compared.provenance if r.name == "encoder fingerprint")
    assert row.status == "same", row
    # a run recorded without it (before it was recorded) resumes: the sha256 is compared
    old = {k: v for k, v in read_shard_status(shards[0])[0]["checkpoint"].items()
           if k != "weights_sha256"}  # fmt: skip
    _as_run_recorded_with(out, shards, old)
    again = embed_dataset(small_corpus, out, **run)
    assert (again.shards_skipped, again.shards_written) == (len(shards) - 1, 1)


def test_info_of_parts_totals_the_parts_of_one_listing_only(small_corpus, model, tmp_path):
    """`eegpt info PARENT` added up every run folder under it: a run that is no part (placed
    beside the parts) was counted in the parts' total, and parts of different listings were
    totalled together. Now the total is of the parts of one listing; parts of several are
    totalled listing by listing and said to be; other runs are named, not added."""
    x = _copied_corpus(small_corpus, tmp_path / "x", ["a/rec01.edf", "a/rec03.edf"])
    y = _copied_corpus(small_corpus, tmp_path / "y", ["b/rec00.edf", "b/rec02.edf", "b/rec04.edf"])
    parts = tmp_path / "emb"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False}
    for k in (0, 1):
        embed_dataset(x, parts / f"x-{k}", part=(k, 2), **run)
    embed_dataset(y, parts / "whole-y", **run)  # no part: a run of its own
    described = describe_parts(parts)
    assert "  total of the parts: 2 files: 2 ok, 0 failed, 0 pending;" in described
    assert "  total: " not in described and "5 files" not in described
    assert (
        "  not totalled: whole-y (no --part run, not parts of that run; `eegpt info " in described
    )
    embed_dataset(y, parts / "y-1", part=(1, 2), **run)  # parts of another listing
    described = describe_parts(parts)
    assert "  parts of 2 listings here (other corpora, or one corpus whose" in described
    assert "  total of x-0, x-1 (split from a listing of 2 files): 2 files: 2 ok," in described
    assert "  total of y-1 (split from a listing of 3 files): 1 file: 1 ok," in described
    assert "  total: " not in described and "total of the parts" not in described
    assert "  not totalled: whole-y (no --part run; `eegpt info " in described


def test_a_changed_mark_naming_both_files_keeps_both():
    """A contents mark naming the recording and its annotations file
    ("recording and annotations file: contents") was searched for "recording:", which it
    does not hold, so a resume that could not compare the recording again dropped its mark."""
    from eegpt.dataset import marked_groups

    assert marked_groups("recording and annotations file: contents") == {"source", "annotations"}
    assert marked_groups("recording: contents and modification time") == {"source"}
    assert marked_groups("annotations file: contents") == {"annotations"}
    assert marked_groups("") == set()


def test_a_part_named_file_beside_an_unreadable_first_part_fails_naming_it(model, tmp_path):
    """rec-1.fif listed beside a rec.fif that cannot be read was left out by its name (a
    later part of rec.fif, it was supposed): a recording of its own was lost silently while
    rec.fif failed. Whether it continues rec.fif cannot be told: it is listed and fails,
    naming rec.fif, as eegpt embed refuses it (a later part alone would start at 0 s)."""
    from eegpt.cli_inputs import _without_split_continuations
    from eegpt.errors import RecordingError

    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    data = np.random.default_rng(1).normal(0, 2e-5, (6, 256 * 20))
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    folder = tmp_path / "in"
    folder.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE: the names do not end in raw.fif
        raw.save(folder / "rec-1.fif", verbose=False)
    (folder / "rec.fif").write_bytes(b"not a FIF file" * 100)
    both = [folder / "rec.fif", folder / "rec-1.fif"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left out
        assert [f.recording_id for f in resolve_inputs(folder).files] == ["rec-1.fif", "rec.fif"]
    said = r"rec-1.fif is named as a later part of the split FIF recording .*rec.fif"
    with pytest.raises(RecordingError, match=said):
        _without_split_continuations(both)
    summary = embed_dataset(folder, tmp_path / "out", model=model, **RUN)
    assert summary.windows == 0
    errors = pd.read_csv(tmp_path / "out" / "_errors.csv")
    error = dict(zip(errors["recording_id"], errors["error"], strict=True))
    assert re.search(said, error["rec-1.fif"]) and "rename it" in error["rec-1.fif"]
    assert "rec.fif" in error


def test_a_resume_reads_each_split_header_once(model, tmp_path, monkeypatch):
    """A resume lists the corpus and stamps each recording embedded (its size, then its
    contents): MNE read a split FIF recording's header each time. Once per run now."""
    first = _split_fif(tmp_path / "in")
    out = tmp_path / "out"
    with pytest.warns(RuntimeWarning, match="split FIF"):
        embed_dataset(tmp_path / "in", out, model=model, **RUN)
    from eegpt import _file_identity

    reads: list[object] = []
    read = _file_identity._read_split

    def counted(path):
        reads.append(path)
        return read(path)

    monkeypatch.setattr(_file_identity, "_read_split", counted)
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))
    with pytest.warns(RuntimeWarning, match="split FIF"):
        embed_dataset(tmp_path / "in", out, model=model, **RUN)
    assert len(reads) == 1


def test_a_recording_without_windows_is_no_recording_of_an_earlier_version():
    """An ok recording all of whose windows were rejected ran no batch, so recorded no batch
    size: eegpt info said "not recorded (1 recording embedded before eegpt recorded it)" of
    a run made with this version."""
    from eegpt.dataset_report import batch_size_line, file_totals

    row = {"status": "ok", "duration_s": 60.0, "channels": ["Cz"] * 19}
    rows = [{**row, "n_windows": 15, "batch_size": 8}, {**row, "n_windows": 0}]
    totals = file_totals(rows)
    assert totals["batch_size_unrecorded"] == 0
    assert batch_size_line(totals, [{}]) == ["  batch size 8 (default for 19 channels)"]
    rows.append({**row, "n_windows": 3})  # embedded by an earlier version
    assert batch_size_line(file_totals(rows), [{}]) == [
        "  batch size 8 (1 recording of 19 channels), not recorded (1 recording embedded "
        "before eegpt recorded it); each the default for its channel count"
    ]
    assert batch_size_line(file_totals([{**row, "n_windows": 0}]), [{}]) == []


def test_each_recording_records_its_batch_size_and_info_shows_it(small_corpus, model, tmp_path):
    """The windows per forward pass each recording was embedded in (the default for its channel
    count when none was given; the last bits can change with it) is recorded in its status in
    the shard footers and counted in the manifest's totals; `eegpt info` shows it ("batch
    size 8 (default for 19 channels)", or each size with its recordings where they differ),
    and says "not recorded" of recordings of runs from before it was. A resume with another
    batch size takes the new field for no change of settings."""
    from eegpt.dataset import MANIFEST, read_shard_status, shard_files
    from eegpt.dataset_report import describe_output
    from eegpt.engine import default_batch_size

    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    embed_dataset(small_corpus, out, **run)
    ok = [f for p in shard_files(out) for f in read_shard_status(p)[1]["files"]]
    assert ok and all(f["status"] == "ok" for f in ok)
    n_chans = {len(f["channels"]) for f in ok}
    assert len(n_chans) == 1  # make_corpus: one montage
    (c,) = n_chans
    n_samples = json.loads((out / MANIFEST).read_text())["spec"]["preprocessing"]
    n_times = round(n_samples["sfreq"] * n_samples["window_seconds"])
    expected = default_batch_size("cpu", model.target_encoder.config, (c, n_times))
    assert {f["batch_size"] for f in ok} == {expected}
    totals = json.loads((out / MANIFEST).read_text())["totals"]
    assert totals["batch_sizes"] == {str(expected): {"recordings": len(ok), "channels": [c]}}
    assert f"\n  batch size {expected} (default for {c} channels)\n" in describe_output(out)

    # the last shard embedded again with batches of 3: two sizes, each with its recordings
    shard_files(out)[-1].unlink()
    embed_dataset(small_corpus, out, **run, batch_size=3)  # no settings change: resumed
    text = describe_output(out)
    n_last = len(ok) - 4  # shards of 2: the last holds the fifth recording
    assert f"\n  batch sizes {expected} (4 recordings), 3 ({n_last})\n" in text, text

    # a run from before the field: its statuses and totals lack it
    _strip_batch_sizes(out)
    manifest = json.loads((out / MANIFEST).read_text())
    del manifest["totals"]["batch_sizes"], manifest["totals"]["batch_size_unrecorded"]
    (out / MANIFEST).write_text(json.dumps(manifest))
    assert "\n  batch size not recorded (5 recordings embedded before eegpt recorded it)" in (
        describe_output(out)
    )
    embed_dataset(small_corpus, out, **run, batch_size=2)  # resumes: nothing to embed
    assert json.loads((out / MANIFEST).read_text())["totals"]["batch_sizes"] == {}


def _strip_batch_sizes(out: Path) -> None:
    """Make ``out``'s shard footers those of a run from before eegpt recorded each file's
    batch size."""
    _drop_from_file_statuses(shard_files(out), "batch_size")


def _drop_from_file_statuses(shards: Sequence[Path], key: str) -> None:
    """Take ``key`` out of every file status in the footers of ``shards`` (as an eegpt that
    did not record it wrote them)."""
    for p in shards:
        table = pq.read_table(p)
        meta = dict(pq.read_metadata(p).metadata)
        status = json.loads(meta[b"eegpt_shard"])
        for f in status["files"]:
            f.pop(key, None)
        meta[b"eegpt_shard"] = json.dumps(status).encode()
        pq.write_table(table.replace_schema_metadata(meta), p, write_page_checksum=True)


def test_a_parts_reports_give_each_files_row_of_the_whole_listing(model, tmp_path):
    """A --part K/N run's _files.csv and _errors.csv number their files within the part
    (index 0, 1 ...), which a reader took for rows of the whole listing; an appended column
    corpus_row gives the row of _corpus.csv (K + N x index), and a whole run's is its index."""
    from eegpt.dataset_folders import CORPUS_LISTING

    make_corpus(tmp_path / "in", 7, minutes=8 / 60, corrupt=2)  # b/rec02.edf: listed 5th
    out = tmp_path / "part-1"
    embed_dataset(tmp_path / "in", out, model=model, part=(1, 3), **RUN)
    listing = pd.read_csv(out / CORPUS_LISTING)
    files = pd.read_csv(out / FILES_REPORT)
    assert files["index"].tolist() == [0, 1]  # within the part
    assert files["corpus_row"].tolist() == [1, 4]
    assert files["recording_id"].tolist() == listing["recording_id"][[1, 4]].tolist()
    errors = pd.read_csv(out / ERRORS_REPORT)  # the corrupt file, row 4 of the listing
    assert errors["corpus_row"].tolist() == [4] and errors["index"].tolist() == [1]
    whole = tmp_path / "whole"
    embed_dataset(tmp_path / "in", whole, model=model, **RUN)
    files = pd.read_csv(whole / FILES_REPORT)
    assert (files["corpus_row"] == files["index"]).all() and len(files) == 7


def test_files_report_has_each_recordings_batch_size_in_an_appended_column(model, tmp_path):
    """`_files.csv` gives each recording's batch size (as its footer status records it) in a
    `batch_size` column appended after the columns it had (readers by position keep theirs;
    `left_out_channels` came after it):
    empty for a failed file, and for files embedded by a run from before it was recorded."""
    import csv

    from eegpt.shard_writer import _REPORT_COLUMNS

    make_corpus(tmp_path / "in", 2, minutes=8 / 60, corrupt=1)  # a/rec01.edf fails
    out = tmp_path / "out"
    embed_dataset(tmp_path / "in", out, model=model, **RUN, batch_size=3)

    def report() -> tuple[list[str], dict[str, dict[str, str]]]:
        with open(out / FILES_REPORT, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        header = rows[0]
        return header, {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}

    header, rows = report()
    assert header == _REPORT_COLUMNS
    assert header[-3:] == ["batch_size", "left_out_channels", "corpus_row"]
    assert header[:15] == [
        "index", "recording_id", "path", "shard", "status", "changed", "n_windows",
        "n_windows_left_out", "duration_s", "sfreq_in", "read_s", "error", "warnings",
        "dropped_channels", "channels",
    ]  # fmt: skip
    assert rows["b/rec00.edf"]["status"] == "ok" and rows["b/rec00.edf"]["batch_size"] == "3"
    assert rows["a/rec01.edf"]["status"] == "failed" and rows["a/rec01.edf"]["batch_size"] == ""
    assert pd.read_csv(out / ERRORS_REPORT).batch_size.isna().all()

    _strip_batch_sizes(out)  # an older run's footers: a resume writes the reports from them
    embed_dataset(tmp_path / "in", out, model=model, **RUN)
    assert report()[1]["b/rec00.edf"]["batch_size"] == ""


def test_a_rerun_with_nothing_to_embed_is_recorded_as_a_check_not_a_run(
    small_corpus, model, tmp_path
):
    """A call on a finished folder (every shard done, nothing to embed) is recorded in the
    manifest's "runs" as a check (`"kind": "check"`, no shard written): when and with which
    versions the folder was verified. `eegpt info` lists the runs without it and says the
    last check apart, with how many there were; one that found recordings CHANGED since they
    were embedded (it warns) is recorded too, saying so. A check given a batch size does not
    make the runs' default batch size look given."""
    import shutil

    from eegpt import __version__
    from eegpt.dataset_report import output_report

    folder = tmp_path / "in"
    shutil.copytree(small_corpus, folder)
    out = tmp_path / "out"
    run = {"model": model, "workers": 0, "device": "cpu", "progress": False, "shard_size": 2}
    embed_dataset(folder, out, **run)
    embed_dataset(folder, out, **run, batch_size=3)  # nothing to embed
    calls = json.loads((out / MANIFEST).read_text())["runs"]
    assert [c["kind"] for c in calls] == ["run", "check"]
    assert calls[1]["shards_written"] == 0 and calls[1]["ended"] is True
    assert "changed" not in calls[1]
    text = describe_output(out)
    lines = text.splitlines()
    runs = [line for line in lines if line.startswith("  run ")]
    assert len(runs) == 1 and runs[0].startswith(f"  run {calls[0]['started']}: inprocess on cpu")
    (checked,) = [line for line in lines if line.startswith("  checked ")]
    assert checked.startswith(
        f"  checked {calls[1]['started']} on {calls[1]['host']}: nothing left to embed, no "
        f"shard written (eegpt {__version__} (changes to {eegpt.api.CHANGES_DATE}), "
    ), text
    assert "in all" not in checked
    assert "default for 19 channels" in text and "batches of 3" not in text

    embed_dataset(folder, out, **run)  # a second check
    assert "; 2 checks in all, not counted among the 1 run" in describe_output(out)

    rec = folder / "b/rec00.edf"  # edited since it was embedded: the check finds it
    body = bytearray(rec.read_bytes())
    body[-1] ^= 1
    rec.write_bytes(bytes(body))
    with pytest.warns(RuntimeWarning, match="1 recording changed"):
        embed_dataset(folder, out, **run)
    calls = json.loads((out / MANIFEST).read_text())["runs"]
    assert [c["kind"] for c in calls] == ["run", "check", "check", "check"]
    assert calls[-1]["changed"] == 1
    text, whole = output_report(out)
    assert not whole
    assert "nothing left to embed, no shard written, found 1 recording CHANGED since " in text
    assert "; 3 checks in all, not counted among the 1 run" in text

    shard_files(out)[-1].unlink()  # something to embed again: a run
    with pytest.warns(RuntimeWarning, match="1 recording changed"):
        embed_dataset(folder, out, **run)
    calls = json.loads((out / MANIFEST).read_text())["runs"]
    assert [c["kind"] for c in calls] == ["run", "check", "check", "check", "run"]
    assert calls[-1]["shards_written"] == 1


def test_the_oldest_checks_are_let_go_before_any_run(monkeypatch):
    """Past the calls the manifest keeps, the oldest checks go first: a folder checked daily
    keeps the runs that made its rows, and its latest call."""
    from eegpt.dataset_runs import _kept_calls

    monkeypatch.setattr(dataset_runs, "_RUNS_KEPT", 4)
    run = [{"kind": "run", "n": i} for i in range(3)]
    check = [{"kind": "check", "n": i} for i in range(3, 9)]
    calls = [run[0], check[0], run[1], check[1], check[2], run[2], *check[3:]]
    assert _kept_calls(calls) == [run[0], run[1], run[2], check[-1]]
    assert _kept_calls(calls[:4]) == calls[:4]
    old = [{"n": i} for i in range(6)]  # entries from before "kind": runs, the oldest let go
    assert _kept_calls(old) == old[2:]


@pytest.mark.parametrize("hook", ["lock", "done_shards_of", "make_engines", "run_inprocess"])
def test_sigterm_at_start_up_leaves_no_folder(
    small_corpus, weights, tmp_path, monkeypatch, capsys, hook
):
    """SIGTERM (a time limit) during a run's start-up, before it wrote a shard, exits 143 and
    undoes the start as a failed start is: the folders it made are gone, not left holding
    its lock file (which `eegpt info` could not describe). ``lock``: while the lock is being
    taken, after its file was made (the case that left ``.eegpt.lock`` behind)."""
    from eegpt import dataset as dataset_mod

    owner, name = (FolderLock, "_still_named") if hook == "lock" else (dataset_mod, hook)
    real = getattr(owner, name)

    def signalled(*args, **kwargs):
        # twice, as `timeout` sends it (to the process, then to its process group)
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # handled here, in the main thread
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, signalled)
    out = tmp_path / "new" / "out"
    args = [str(small_corpus), "-o", str(out), "--weights", str(weights), "--workers", "1"]
    args += ["--device", "cpu", "-q"]
    with pytest.raises(SystemExit) as stopped, warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        cli_main(args)
    assert stopped.value.code == 143
    assert not out.parent.exists(), sorted(os.listdir(out)) if out.exists() else "empty"
    # no file was finished: no advice on shard sizes; and nothing is left to resume
    assert not [w for w in warned if "completed a shard" in str(w.message)], warned
    said = capsys.readouterr().err
    assert "nothing to resume" in said and "again to resume" not in said, said
    out.mkdir(parents=True)  # a folder that was there before stays, without the run's files
    with pytest.raises(SystemExit):
        cli_main(args)
    assert out.is_dir() and os.listdir(out) == []


def test_info_of_a_folder_holding_only_a_runs_lock_file(tmp_path, capsys):
    """A folder holding only ``.eegpt.lock`` (a run killed with SIGKILL during its start-up,
    or one started in a folder that was there before): `eegpt info` says a run started there
    and stopped before writing anything (3: needs attention), or, while a run holds the lock,
    that it is starting (0); not that it is neither weights nor an output folder (1)."""
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / ".eegpt.lock").write_bytes(b"")
    assert eegpt_main(["info", str(folder)]) == 3
    assert "stopped before writing anything" in capsys.readouterr().out
    with FolderLock(folder):
        assert eegpt_main(["info", str(folder)]) == 0
        assert "is starting in it" in capsys.readouterr().out
    # and a temporary file the run was writing (a report's, a shard's): the same
    (folder / ".eegpt.lock").write_bytes(b"")  # (the lock's end above removed it)
    (folder / "._manifest.json.1234.tmp").write_bytes(b"{")
    assert eegpt_main(["info", str(folder)]) == 3
    said = capsys.readouterr().out
    assert "stopped before writing anything" in said and "temporary files" in said
    (folder / "notes.txt").write_text("")  # not a run's: not described as one
    assert eegpt_main(["info", str(folder)]) == 1


def test_a_run_stopped_before_completing_a_shard_keeps_its_finished_files(
    small_corpus, weights, tmp_path, monkeypatch
):
    """A stop (a time limit's SIGTERM) before the run completed a shard: its files done are
    kept in the shard's partial file, so no --shard-size advice is given (the run made
    progress) and the manifest's run record has no ``no_shard_completed`` (that advice,
    where they cannot be kept: tests/test_dataset_partial.py)."""
    out = tmp_path / "out"
    args = [str(small_corpus), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "--shard-size", "2", "-q"]
    assert cli_main(args) == 0
    first = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert first["shards_written"] == 3 and "no_shard_completed" not in first
    for shard in shard_files(out)[1:]:  # as a run stopped after its first shard leaves it
        shard.unlink()
    hand_on = dataset_pipeline.BackgroundSink.__call__

    def hand_on_then_signal(self, result):
        hand_on(self, result)
        os.kill(os.getpid(), signal.SIGTERM)  # the first file of the next shard handed on
        time.sleep(0.5)  # handled here, in the main thread

    monkeypatch.setattr(dataset_pipeline.BackgroundSink, "__call__", hand_on_then_signal)
    with warnings.catch_warnings(), pytest.raises(SystemExit) as stopped:
        warnings.simplefilter("error")  # no "stopped before it completed a shard"
        cli_main(args)
    assert stopped.value.code == 143
    run = json.loads((out / MANIFEST).read_text())["runs"][-1]
    assert run["stopped"] == "terminated" and run["shards_written"] == 0
    assert "no_shard_completed" not in run
    assert read_shard_status(out / ".shard-00001.parquet.partial")[1]["kept"] == [2]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_a_reader_still_importing_dies_with_a_parent_killed_hard(tmp_path):
    """SIGKILL of the main process while its reader process is still starting (importing
    torch: seconds): the reader is tied to its parent by its first code (a light
    initializer), so it ends at once, not once its imports are done."""
    script = (
        "import time\n"
        "from eegpt.dataset_pipeline import Readers\n"
        "if __name__ == '__main__':\n"
        "    readers = Readers(1, {}, 1)\n"
        "    readers._start()\n"
        "    readers.pool.submit(time.sleep, 0)\n"
        "    print(*readers.pool._processes, flush=True)\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        reader = int(proc.stdout.readline().split()[0])  # spawned, its imports under way
        proc.kill()
        proc.wait(10)
        _assert_gone([reader], 1.0)  # torch's import alone takes longer
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG)")
def test_readers_die_at_once_with_a_parent_killed_hard(tmp_path):
    """SIGKILL of the main process: its reader processes end within 2 s even while a read
    holds the GIL (a file reader's C code), where the parent-watch thread cannot run."""
    (tmp_path / "slow_reader.py").write_text(
        "import ctypes, os\n"
        "def read(pid_file):\n"
        "    with open(pid_file, 'w') as fh:\n"
        "        fh.write(str(os.getpid()))\n"
        "    ctypes.PyDLL(None).sleep(60)  # libc sleep with the GIL held\n"
    )
    pid_file = tmp_path / "reader.pid"
    script = (
        "import time\n"
        "from eegpt.dataset_pipeline import Readers\n"
        "from slow_reader import read\n"
        "if __name__ == '__main__':\n"
        "    readers = Readers(1, {}, 1)\n"
        "    readers._start()\n"
        f"    readers.pool.submit(read, {str(pid_file)!r})\n"
        "    time.sleep(120)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, "no reader started"
            time.sleep(0.05)
        reader = int(pid_file.read_text())
        time.sleep(0.3)  # in its GIL-holding read
        proc.kill()
        proc.wait(10)
        _assert_gone([reader], 2)
    finally:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(Exception):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_resume_refusal_for_other_bids_filters_reads_the_done_recordings_once(
    tmp_path, monkeypatch
):
    """The recordings a BIDS run did are made a set once, not once per recording of this run
    (quadratic for tens of thousands); those new to the run are named for --subject."""
    from eegpt import dataset_resume
    from eegpt.dataset_inputs import BIDS_SOURCE

    done = [f"ds/sub-{i:05d}/eeg/sub-{i:05d}_task-x_eeg.edf" for i in range(200)]
    new = [f"ds/sub-{i:05d}/eeg/sub-{i:05d}_task-x_eeg.edf" for i in range(200, 400)]
    pd.DataFrame({"recording_id": done}).to_csv(tmp_path / "_files.csv", index=False)
    made = []

    class Counted(set):
        def __init__(self, *args):
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(dataset_resume, "set", Counted, raising=False)
    folder = str(tmp_path / "ds")
    old = {"source": folder + BIDS_SOURCE,
           "spec": {"inputs": {"bids_filters": {"subject": ["00000"]}}}}  # fmt: skip
    spec = {"inputs": {"bids_filters": {"subject": ["00200"]}}}
    said = dataset_resume._bids_input_changed(
        tmp_path, old, spec, folder + BIDS_SOURCE, done[:1] + new
    )
    assert "--subject 00200" in said and "--subject 00200,00201" in said
    assert len(made) < 10


def test_resume_of_bids_filters_recorded_before_canonical_is_the_same_selection(tmp_path):
    """A run that recorded --run 01 (before filters were recorded canonical) resumed with
    --run 1 selects the same recordings: no refusal; another subject is refused, its
    filters given as the command line gives them."""
    from eegpt import dataset_resume
    from eegpt.bids import filter_options
    from eegpt.dataset_inputs import BIDS_SOURCE

    source = str(tmp_path / "ds") + BIDS_SOURCE
    old = {"source": source, "spec": {"inputs": {"bids_filters": {"run": ["01", "01"]}}}}
    spec = {"inputs": {"bids_filters": {"run": ["1"]}}}
    assert dataset_resume._bids_input_changed(tmp_path, old, spec, source, []) == ""
    spec = {"inputs": {"bids_filters": {"subject": ["02"]}}}
    said = dataset_resume._bids_input_changed(tmp_path, old, spec, source, [])
    assert "with --run 01,01" in said and "gives --subject 02" in said
    assert filter_options({"subject": ["01", "02"], "task": "rest", "run": []}) == (
        "--subject 01,02 --task rest"
    )


def test_read_embeddings_reads_each_footer_once_and_scans_once(clean_run, monkeypatch):
    """read_embeddings read the first shard's footer for the run settings and every footer
    again for the copies warning (``_warn_copies``), and a filtered read whose columns left
    out ``recording_id`` scanned the shards a second time for the ids of the rows read. Now
    each footer is read once and the ids come with the rows: one scan."""
    import pyarrow.dataset as pads

    out, _ = clean_run
    shards = sorted(out.glob("shard-*.parquet"))
    assert len(shards) > 1
    footers: list[str] = []
    read_metadata = pq.read_metadata

    def counted_footer(where, *args, **kwargs):
        footers.append(Path(where).name)
        return read_metadata(where, *args, **kwargs)

    scans: list[str] = []
    make_dataset = pads.dataset

    class Counted:  # a pyarrow Dataset, its scans counted
        def __init__(self, dataset):
            self._dataset = dataset

        def __getattr__(self, name):
            attribute = getattr(self._dataset, name)
            if name in ("to_table", "to_batches", "scanner"):
                scans.append(name)
            return attribute

    monkeypatch.setattr(pq, "read_metadata", counted_footer)
    monkeypatch.setattr(pads, "dataset", lambda *a, **k: Counted(make_dataset(*a, **k)))
    table, _ = read_embeddings(out, embeddings=False)
    assert sorted(footers) == [p.name for p in shards] and scans == ["to_table"]
    footers.clear()
    scans.clear()
    kept = [("window", "<", 3)]
    rows, _ = read_embeddings(out, columns=["window"], filters=kept, embeddings=False)
    assert sorted(footers) == [p.name for p in shards] and scans == ["to_table"]
    assert list(rows.columns) == ["window"] and len(rows) == int((table["window"] < 3).sum())


def test_copies_under_two_subjects_are_warned_of(tmp_path, model):
    """A recording copied under a second subject's name (``cp sub-01... sub-17...``) is embedded
    as it is listed, but the run and read_embeddings warn naming both (a subject leak), and
    eegpt info of the run says how many copies it holds."""
    data = tmp_path / "data"
    data.mkdir()
    for i, sub in enumerate(("01", "02")):
        raw, _ = synthetic_raw(minutes=0.5, seed=i)
        write_edf(raw, data / f"sub-{sub}_task-rest_eeg.edf")
    shutil.copy(data / "sub-01_task-rest_eeg.edf", data / "sub-17_task-rest_eeg.edf")
    out = tmp_path / "out"
    with pytest.warns(RuntimeWarning, match="is a copy of another") as caught:
        embed_dataset(data, out, model=model, workers=0, device="cpu", progress=False)
    said = next(str(w.message) for w in caught if "is a copy" in str(w.message))
    assert "subject sub-17" in said and "subject sub-01" in said and "two subjects" in said
    assert json.loads((out / MANIFEST).read_text())["copies"] == 1
    assert "1 recording is a copy of another" in describe_output(out)  # eegpt info
    with pytest.warns(RuntimeWarning, match=r"read_embeddings: 1 recording is a copy"):
        table, _ = read_embeddings(out, embeddings=False)
    assert len(table)  # read all the same
    left_out = [("recording_id", "!=", "sub-17_task-rest_eeg.edf")]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", ".*is a copy")  # one of the two read: no copy
        read_embeddings(out, filters=left_out, columns=["window"], embeddings=False)
    # a manifest's subject column names the subjects (the file names name none here)
    flat = tmp_path / "flat"
    flat.mkdir()
    rows = ["path,recording_id,Participant_ID"]
    for name, source, who in (("a", "01", "P01"), ("b", "02", "P02"), ("c", "01", "P17")):
        shutil.copy(data / f"sub-{source}_task-rest_eeg.edf", flat / f"{name}.edf")
        rows.append(f"{name}.edf,{name},{who}")
    (flat / "manifest.csv").write_text("\n".join(rows) + "\n")
    with pytest.warns(RuntimeWarning, match="is a copy of another") as caught:
        embed_dataset(flat / "manifest.csv", tmp_path / "out2", model=model, workers=0,
                      device="cpu", progress=False)  # fmt: skip
    said = next(str(w.message) for w in caught if "is a copy" in str(w.message))
    assert "'c' (" in said and ", subject P17) = 'a' (" in said and "subject P01)" in said
    with pytest.warns(RuntimeWarning, match=r"subject P17\) = 'a' .*two subjects"):
        read_embeddings(tmp_path / "out2", embeddings=False)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the corrupt file of the corpus
def test_a_resume_shows_a_bar_while_it_checks_the_files_embedded_before(
    corpus, weights, tmp_path, monkeypatch, capsys
):
    """A resume checks every recording embedded before for changes (sizes, times, headers;
    2 MiB of each with --check-contents), minutes of silence over thousands of files on a
    network disk: a bar shows it where there are more than CHECK_BAR_FILES, none for fewer,
    and none with --quiet (progress=False)."""
    out = tmp_path / "out"
    args = [str(corpus), "-o", str(out), "--weights", str(weights), "--workers", "0"]
    args += ["--device", "cpu", "--shard-size", "3"]
    checking = "embed-dataset: checking the files embedded before"
    # (exit 3: the corpus's corrupt file failed)
    assert cli_main([*args, "-q"]) == 3
    capsys.readouterr()
    assert cli_main(args) == 3  # 7 files checked: too few for a bar
    assert checking not in capsys.readouterr().err
    monkeypatch.setattr(dataset_stamps, "CHECK_BAR_FILES", 3, raising=False)
    assert cli_main([*args, "--check-contents"]) == 3
    lines = [line for line in capsys.readouterr().err.splitlines() if checking in line]
    assert lines and "100%" in lines[-1] and " 7/7 " in lines[-1]
    assert cli_main([*args, "--check-contents", "-q"]) == 3
    assert checking not in capsys.readouterr().err


def _flat_and_clean_corpus(folder: Path) -> Path:
    """``folder`` with ``a_flat.edf`` (channel 2 all zeros: warned of as flat) and
    ``b_clean.edf``."""
    folder.mkdir()
    names = ["Fz", "Cz", "Pz", "O1", "O2", "C3", "C4"]
    for name, seed in (("a_flat.edf", 5), ("b_clean.edf", 6)):
        x = 20e-6 * np.random.default_rng(seed).standard_normal((len(names), 256 * 16))
        if name == "a_flat.edf":
            x[2] = 0.0
        raw = mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose="error")
        write_edf(raw, folder / name)
    return folder


@pytest.mark.parametrize("workers", [0, 1])
def test_a_warning_the_callers_filter_makes_an_error_fails_that_file(model, tmp_path, workers):
    """``simplefilter("error", EEGPTWarning)`` fails the file warned of (its warning as the
    reason) and the run goes on to the others, also where reader processes read the files
    (spawned: the filters set in Python do not reach them on their own)."""
    folder = _flat_and_clean_corpus(tmp_path / "in")
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error", eegpt.EEGPTWarning)
        summary = embed_dataset(
            folder, out, model=model, workers=workers, device="cpu", progress=False
        )
    files = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert files.status.to_dict() == {"a_flat.edf": "failed", "b_clean.edf": "ok"}
    assert files.error["a_flat.edf"].startswith("EEGPTWarning: ")
    assert "flat channel(s) check" in files.error["a_flat.edf"]
    assert summary.n_failed == 1


def test_python_W_error_fails_a_warned_file_of_embed_dataset_with_status_3(weights, tmp_path):
    """``python -W error::eegpt.EEGPTWarning -m eegpt embed-dataset``, as ``eegpt --help``
    says, fails the file warned of: exit status 3, the other file embedded."""
    folder = _flat_and_clean_corpus(tmp_path / "in")
    out = tmp_path / "out"
    command = [sys.executable, "-W", "error::eegpt.EEGPTWarning", "-m", "eegpt",
               "embed-dataset", str(folder), "-o", str(out), "--weights", str(weights),
               "--workers", "0", "--device", "cpu", "-q"]  # fmt: skip
    src = str(Path(eegpt.__file__).parents[1])  # before the PYTHONPATH the tests run with
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 3, done.stderr
    files = pd.read_csv(out / FILES_REPORT).set_index("recording_id")
    assert files.status.to_dict() == {"a_flat.edf": "failed", "b_clean.edf": "ok"}
    assert "flat channel(s) check" in files.error["a_flat.edf"]


def test_failed_and_warned_files_are_logged_at_warning_from_python_once_by_the_cli(
    model, weights, tmp_path, caplog, capsys
):
    """From Python, a run's failed files and files warned of reach a notebook (logging not
    configured) or a service logging at WARNING: they are logged at WARNING, not only at
    INFO. The command line prints its summary itself, once: nothing more is logged."""
    folder = _flat_and_clean_corpus(tmp_path / "in")
    (folder / "c_junk.edf").write_bytes(CORRUPT)
    with caplog.at_level(logging.WARNING, logger="eegpt"):
        embed_dataset(folder, tmp_path / "out", model=model, workers=0, progress=False)
    said = [r for r in caplog.records if r.levelno == logging.WARNING and "failed (" in r.message]
    assert len(said) == 1
    assert "c_junk.edf: " in said[0].message and "warnings in 1 of 3 files" in said[0].message
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="eegpt"):  # shown at INFO: one record, the whole
        embed_dataset(folder, tmp_path / "out2", model=model, workers=0, progress=False)
    summaries = [r for r in caplog.records if "failed (" in r.message]
    assert [r.levelno for r in summaries] == [logging.WARNING]
    said = summaries[0].message  # the checked reader docs/outputs.md recommends, not pandas'
    assert f"read with: eegpt.read_embeddings({str(tmp_path / 'out2')!r}), which checks " in said
    assert "pandas.read_parquet" not in said
    caplog.clear()
    capsys.readouterr()
    with caplog.at_level(logging.WARNING, logger="eegpt"):
        status = cli_main([str(folder), "-o", str(tmp_path / "out3"), "--weights", str(weights),
                           "--workers", "0", "-q"])  # fmt: skip
    assert status == 3
    assert capsys.readouterr().err.count("failed (1, all in") == 1
    assert not [r for r in caplog.records if "failed (" in r.message]


def test_embed_datasets_own_warnings_name_the_callers_line(model, tmp_path):
    """A warning of ``embed_dataset`` itself (a rename that matched nothing) points at the
    line that called it, not at contextlib (``@headers_read_once()`` decorates the run)."""
    folder = _flat_and_clean_corpus(tmp_path / "in")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        embed_dataset(folder, tmp_path / "out", model=model, workers=0, progress=False,
                      rename={"Xyz": "Fz"})  # fmt: skip
    unmatched = [w for w in caught if "matched no channel" in str(w.message)]
    assert unmatched and unmatched[0].filename == __file__


def test_reading_a_run_folder_checks_memory_before_reading(clean_run, monkeypatch):
    """read_embeddings / load_embeddings of a whole run folder whose embeddings (all its
    shards') would not fit in memory are refused before any is read, saying how to read it
    part by part (it had no check: the out-of-memory killer ended the process); the rows a
    filter selects, and a recording alone, are read where they fit."""
    import eegpt.memory_checks
    from eegpt.errors import InsufficientMemoryError

    out, _ = clean_run
    table, emb = read_embeddings(out)
    one = table["recording_id"].iloc[0]
    n_one = int((table["recording_id"] == one).sum())
    per_window = emb[0].nbytes
    assert n_one < len(table)
    # room for one recording's windows, not the run's
    room = int(per_window * (n_one + len(table)) / 2 / eegpt.memory_checks.MEMORY_FRACTION)
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: room)
    with pytest.raises(InsufficientMemoryError, match=r"Read it part by part") as err:
        read_embeddings(out)
    assert f"{len(table)} windows" in str(err.value) and str(out) in str(err.value)
    _, some = read_embeddings(out, filters=[("recording_id", "==", one)])
    assert len(some) == n_one
    assert len(eegpt.load_embeddings(out, recording_id=one).data) == n_one
    assert read_embeddings(out, embeddings=False)[1] is None


def test_embed_dataset_refuses_epochs_around_saying_what_takes_it(tmp_path, capsys):
    """embed-dataset --epochs-around (embed's and the probe commands' ERP epochs, not a
    corpus run's) stopped at argparse's 'unrecognized arguments: --epochs-around', its
    pattern taken for a second input: it is refused by name, pointing to eegpt embed (several
    recordings, an output folder) and to -epo.fif files; nothing is written."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    out = tmp_path / "out"
    given = [str(corpus), "-o", str(out), "--weights", "W", "--crop", "-0.2", "--window", "1"]
    for extra in (["--epochs-around", "S  1"], ["--baseline", "-0.2", "0"]):
        assert cli_main([*given, *extra]) == 2
        err = capsys.readouterr().err
        assert "error: embed-dataset does not take --epochs-around (nor --baseline)" in err
        assert "eegpt embed data/*.vhdr --epochs-around 'Stimulus/S +[12]$' --crop" in err
        assert "unrecognized" not in err and not out.exists()
