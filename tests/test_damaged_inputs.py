"""Damaged input files (empty, cut short, corrupt, of the wrong kind) end in one error that names
the file and what is wrong, never in a reader's own exception (``EOFError``, ``BadZipFile``,
``KeyError``, ...) printed by the command line as an internal error."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from eegpt.cli import main
from eegpt.errors import RecordingError
from eegpt.io import as_recording

NAMES = ["Fp1", "Fp2", "C3", "C4", "O1", "O2", "Cz", "Pz"]


def _epochs_npz(path: Path) -> Path:
    """An .npz of 6 epochs arrays (4 s at 256 Hz, microvolts, labels a/b)."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 20, (6, len(NAMES), 1024))
    np.savez(path, X=x, ch_names=np.array(NAMES), sfreq=256.0, units="uV", y=["a", "b"] * 3)
    return path


def _damaged_npz(tmp_path: Path, damage: str) -> Path:
    good = _epochs_npz(tmp_path / "good.npz")
    data = good.read_bytes()
    path = tmp_path / f"{damage}.npz"
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "cut":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "random":
        path.write_bytes(np.random.default_rng(1).bytes(3000))
    elif damage == "npy":
        np.save(tmp_path / "one.npy", np.zeros((6, 8, 1024)))
        os.replace(tmp_path / "one.npy", path)
    elif damage == "crc":  # the archive's directory whole, X's bytes changed
        raw = bytearray(data)
        at = raw.find(b"X.npy") + 400
        raw[at : at + 200] = bytes(200)
        path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("empty", "it is empty (0 bytes)"),
        ("cut", "it is cut short or damaged"),
        ("random", "it is not a zip archive"),
        ("npy", "it holds a single NumPy array"),
        ("crc", "its 'X' array is damaged"),
    ],
)
def test_a_damaged_npz_of_epochs_arrays_is_named_with_what_is_wrong(tmp_path, damage, said):
    from eegpt.probe_label_files import _read_one

    path = _damaged_npz(tmp_path, damage)
    for read in (as_recording, lambda p: _read_one(p, False)):
        with pytest.raises(RecordingError) as info:
            read(path)
        assert str(path) in str(info.value) and said in str(info.value)
        assert "np.savez" in str(info.value)  # what such a file is, to write it again


def test_the_command_line_says_a_damaged_npz_as_an_error_not_an_internal_one(tmp_path, capsys):
    path = _damaged_npz(tmp_path, "empty")
    assert main(["channels", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"eegpt: error: cannot read {path}: it is empty (0 bytes)" in err
    assert "internal error" not in err


def _embeddings_npz(path: Path, damage: str = "") -> Path:
    """An .npz of embeddings as eegpt embed writes one (3 windows), damaged as said."""
    data = np.random.default_rng(0).normal(size=(3, 2, 4, 16)).astype(np.float32)
    onsets, meta = np.arange(3) * 4.0, np.array('{"source": "rec.edf"}')
    if damage == "metadata list":
        meta = np.array("[1, 2]")
    elif damage == "metadata not json":
        meta = np.array("{source: rec.edf")
    elif damage == "onsets short":
        onsets = onsets[:2]
    np.savez(path, embeddings=data, onsets=onsets, metadata=meta)
    if damage == "crc":  # the archive's directory whole, the embeddings' bytes changed
        raw = bytearray(path.read_bytes())
        at = raw.find(b"embeddings.npy") + 300
        raw[at : at + 100] = bytes(100)
        path.write_bytes(bytes(raw))
    elif damage == "npy":
        np.save(path.with_suffix(".npy"), data)
        os.replace(path.with_suffix(".npy"), path)
    return path


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("crc", "its 'embeddings' array cannot be read (BadZipFile"),
        ("metadata list", "its metadata is a JSON list, not the JSON object"),
        ("metadata not json", "its metadata (the JSON eegpt stores with the embeddings) is not"),
        ("onsets short", "with one onset per window, got (3, 2, 4, 16) and 2 onsets"),
        ("npy", "it holds a single NumPy array"),
    ],
)
def test_a_damaged_embeddings_file_is_named_by_load_and_anonymize(tmp_path, damage, said):
    from eegpt import load_embeddings
    from eegpt.anonymize import anonymize_embeddings
    from eegpt.errors import UnreadableOutputError

    path = _embeddings_npz(tmp_path / "rec.npz", damage)
    assert load_embeddings(_embeddings_npz(tmp_path / "good.npz")).data.shape == (3, 2, 4, 16)
    for read in (load_embeddings, lambda p: anonymize_embeddings(p, tmp_path / "copy.npz")):
        with pytest.raises(UnreadableOutputError) as info:
            read(path)
        assert str(path) in str(info.value) and said in str(info.value)
    assert not (tmp_path / "copy.npz").exists()


@pytest.mark.parametrize("content", [b"", b"PAR1 not a parquet file at all"])
def test_anonymize_of_a_damaged_parquet_file_names_it(tmp_path, content):
    pytest.importorskip("pyarrow")
    from eegpt.anonymize import anonymize_embeddings
    from eegpt.errors import UnreadableOutputError

    path = tmp_path / "rec.parquet"
    path.write_bytes(content)
    with pytest.raises(UnreadableOutputError, match="is not a Parquet file eegpt wrote") as info:
        anonymize_embeddings(path, tmp_path / "copy.parquet")
    assert str(path) in str(info.value)
    assert ("an empty file, 0 bytes" in str(info.value)) == (not content)


@pytest.fixture(scope="module")
def probe_folder(weights, tmp_path_factory):
    """A probe trained for one pass on 6 epochs (the small ``weights``)."""
    folder = tmp_path_factory.mktemp("probe") / "probe"
    data = _epochs_npz(folder.parent / "epochs.npz")
    argv = ["probe", "train", str(data), "--weights", str(weights), "-o", str(folder), "-q"]
    assert main([*argv, "--passes", "1"]) == 0
    return folder


def _damaged_probe(probe_folder: Path, tmp_path: Path, damage: str) -> Path:
    import json
    import shutil

    folder = tmp_path / "probe"
    shutil.copytree(probe_folder, folder)
    meta_path, weights_path = folder / "probe.json", folder / "probe.safetensors"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if damage == "utf-16":  # saved again by an editor
        meta_path.write_bytes(json.dumps(meta).encode("utf-16"))
    elif damage == "a list":
        meta_path.write_text("[]")
    elif damage == "no channels":
        del meta["channels"]
        meta_path.write_text(json.dumps(meta))
    elif damage == "classes a number":
        meta["classes"] = 2
        meta_path.write_text(json.dumps(meta))
    elif damage == "empty weights":
        weights_path.write_bytes(b"")
    elif damage == "cut weights":
        weights_path.write_bytes(weights_path.read_bytes()[:100])
    elif damage == "no weights":
        weights_path.unlink()
    elif damage in ("weights a broken link", "json a broken link"):  # DataLad, not fetched
        path = weights_path if damage.startswith("weights") else meta_path
        path.unlink()
        path.symlink_to(tmp_path / "annex" / path.name)
    return folder


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        ("utf-16", "probe.json is not UTF-8 text"),
        ("a list", "probe.json holds a JSON list, not the JSON object of a probe"),
        ("no channels", "probe.json is not a probe eegpt can read (no channels)"),
        ("classes a number", "(entries of the wrong kind: classes (int))"),
        ("empty weights", "probe.safetensors: it is empty (0 bytes)"),
        ("cut weights", "probe.safetensors: it is cut short or damaged"),
        ("no weights", "holds probe.json but no probe.safetensors"),
        ("weights a broken link", "probe.safetensors is a symbolic link to"),
        ("json a broken link", "probe.json is a symbolic link to"),
    ],
)
def test_a_damaged_probe_folder_is_named_with_what_is_wrong(
    probe_folder, weights, tmp_path, damage, said
):
    from eegpt.errors import EEGPTError
    from eegpt.probe import load_probe

    folder = _damaged_probe(probe_folder, tmp_path, damage)
    ours = "weights" in damage or "link" in damage  # EEGPTErrors, not ValueErrors
    with pytest.raises(EEGPTError if ours else ValueError) as info:
        load_probe(folder, weights)
    assert str(folder) in str(info.value) and said in str(info.value)
    if "link" in damage:  # where it points, not "missing": the file is there, as a link
        assert str(tmp_path / "annex") in str(info.value) and "missing" not in str(info.value)
        assert "no probe.safetensors" not in str(info.value)
    else:
        assert "train" in str(info.value)  # what to do: copy the folder again, or train again


def test_the_command_line_says_a_damaged_probe_as_an_error(probe_folder, tmp_path, capsys):
    folder = _damaged_probe(probe_folder, tmp_path, "classes a number")
    assert main(["info", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "eegpt: error:" in err and "classes (int)" in err and "internal error" not in err


def test_a_broken_link_is_said_as_one_not_offered_as_its_own_near_miss(weights, tmp_path, capsys):
    """A symbolic link to nothing (a DataLad file not fetched) is listed in its folder by its
    own name: the near-miss hints offered it as what was meant ("did you mean X?" for X)."""
    from eegpt.checkpoints import load_model
    from eegpt.errors import MissingFileError
    from eegpt.probe_label_files import _read_one

    link = tmp_path / "sub-01_eeg.edf"
    link.symlink_to(tmp_path / "annex" / "object")
    points = f"{link} is a symbolic link to {tmp_path / 'annex' / 'object'}, which does not exist"
    for argv in (
        ["embed", str(link), "--weights", str(weights), "-o", str(tmp_path / "x.npz")],
        ["embed", str(_epochs_npz(tmp_path / "e.npz")), "--weights", str(link), "-o", "x.npz"],
        ["info", str(link)],
    ):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert points in err and "did you mean" not in err
    for read in (load_model, lambda p: _read_one(p, False)):
        with pytest.raises(MissingFileError) as info:
            read(link)
        assert points in str(info.value) and "did you mean" not in str(info.value)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_info_names_a_probe_json_that_is_a_broken_link(probe_folder, tmp_path, capsys, json_flag):
    """A probe folder whose probe.json is a link to nothing (DataLad, not fetched) was said
    to be "neither model weights ... nor a probe", not the link it holds."""
    folder = _damaged_probe(probe_folder, tmp_path, "json a broken link")
    assert main(["info", str(folder), *json_flag]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'probe.json'} is a symbolic link to {tmp_path / 'annex'}" in err
    assert "neither model weights" not in err


def test_an_output_below_a_file_is_said_by_every_writer(weights, probe_folder, tmp_path, capsys):
    """An output path whose folder is a file: each writer said it in OS words without the
    output ([Errno 17] File exists, [Errno 20] Not a directory), probe train only after
    training; now each says so, the commands before any work."""
    from eegpt.checkpoints import load_model, save_checkpoint
    from eegpt.errors import OutputNotWritableError
    from eegpt.output_files import atomic_write

    blocker = tmp_path / "results"
    blocker.write_text("a file where a folder was meant")
    said = f"{blocker} is a file, not a folder; choose another output path"
    with pytest.raises(OutputNotWritableError, match="x.bin: .*is a file, not a folder"):
        atomic_write(blocker / "x.bin", lambda fh: fh.write(b"x"))
    with pytest.raises(OutputNotWritableError, match="is a file, not a folder"):
        save_checkpoint(load_model(weights), blocker / "weights")
    data = str(_epochs_npz(tmp_path / "e.npz"))
    for argv in (
        ["probe", "train", data, "--weights", str(weights), "-o", str(blocker / "p")],
        ["probe", "predict", str(probe_folder), data, "--weights", str(weights)]
        + ["-o", str(blocker / "p.csv")],
        ["probe", "evaluate", str(probe_folder), data, "--weights", str(weights)]
        + ["--json", str(blocker / "m.json")],
    ):
        assert main(argv) == 1
        out, err = capsys.readouterr()
        assert said in err and "Errno" not in err
        assert "trained" not in out and "predicted" not in out  # refused before the work


@pytest.mark.parametrize("suffix", [".fif", ".set", ".vhdr", ".gdf", ".cnt"])
def test_an_empty_recording_file_is_said_to_be_empty(tmp_path, suffix):
    """A recording of 0 bytes (a copy cut short) ended in the reader's own words, such as
    "AttributeError: 'NoneType' object has no attribute 'kind'" for a .fif file."""
    path = tmp_path / f"rec{suffix}"
    path.write_bytes(b"")
    with pytest.raises(RecordingError) as info:
        as_recording(path)
    assert f"could not read EEG file {path}: the file is empty (0 bytes)" in str(info.value)


def test_a_brainvision_header_without_its_common_infos_is_said_so(tmp_path):
    """MNE said "Could not parse SamplingInterval ... Pass overrides={'sfreq': <value>} to
    read_raw_brainvision": advice for a header that has its sections, not for this one."""
    path = tmp_path / "rec.vhdr"
    path.write_text("this is not a BrainVision header\n")
    with pytest.raises(RecordingError, match=r"has no \[Common Infos\] section") as info:
        as_recording(path)
    assert str(path) in str(info.value) and "overrides" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"[]", "holds a JSON list, not the JSON object embed-dataset writes"),
        (b'{"spec": {"inputs"', "cannot be read (Expecting"),
        ('{"spec": {}}'.encode("utf-16"), "cannot be read ('utf-8' codec can't decode"),
    ],
)
def test_a_damaged_run_manifest_is_named_by_info_resume_and_anonymize(
    weights, tmp_path, capsys, text, said
):
    """An embed-dataset folder whose _manifest.json is not a JSON object ended in an
    AttributeError (an internal error), or json's bare words without the file."""
    from eegpt.anonymize import anonymize_embeddings
    from eegpt.dataset_folders import read_run_manifest
    from eegpt.errors import UnreadableOutputError

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "_manifest.json").write_bytes(text)
    expected = f"{folder / '_manifest.json'} {said}"
    with pytest.raises(UnreadableOutputError) as info:
        read_run_manifest(folder)
    assert expected in str(info.value)
    with pytest.raises(UnreadableOutputError) as info:
        anonymize_embeddings(folder, tmp_path / "copy")
    assert expected in str(info.value)
    data = str(_epochs_npz(tmp_path / "e.npz"))
    for argv in (
        ["info", str(folder)],
        ["embed-dataset", data, "--weights", str(weights), "-o", str(folder), "-q"],
    ):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert expected in err and "internal error" not in err


@pytest.fixture(scope="module")
def run_folder(weights, tmp_path_factory):
    """The output folder of embed-dataset for one 12 s recording."""
    from eegpt.demo import synthetic_raw, write_edf

    base = tmp_path_factory.mktemp("corpus")
    (base / "in").mkdir()
    write_edf(synthetic_raw(minutes=0.2, sfreq=256.0)[0], base / "in" / "rec.edf")
    argv = ["embed-dataset", str(base / "in"), "--weights", str(weights), "-o", str(base / "out")]
    assert main([*argv, "-q"]) == 0
    return base / "out"


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_info_names_a_run_manifest_that_is_a_broken_link(run_folder, tmp_path, capsys, json_flag):
    """A run folder whose _manifest.json is a link to nothing (DataLad, not fetched) was said
    to hold "embeddings files (shard-00000.parquet), not a checkpoint"."""
    import shutil

    folder = tmp_path / "out"
    shutil.copytree(run_folder, folder)
    (folder / "_manifest.json").unlink()
    (folder / "_manifest.json").symlink_to(tmp_path / "annex" / "_manifest.json")
    assert main(["info", str(folder), *json_flag]) == 1
    err = capsys.readouterr().err
    said = f"{folder / '_manifest.json'} is a symbolic link to {tmp_path / 'annex'}"
    assert said in err and "not a checkpoint" not in err


@pytest.mark.parametrize("shards", [True, False])
def test_a_resume_whose_run_manifest_is_a_broken_link_stops_naming_it(
    run_folder, weights, tmp_path, capsys, shards
):
    """A resumed embed-dataset run whose _manifest.json is a link to nothing (DataLad, not
    fetched) said its folder "holds shard files but no _manifest.json" or, with no shard
    written yet, started afresh without a word, replacing the link; it stops with the
    message eegpt info gives, and the link is left as it was."""
    import shutil

    folder = tmp_path / "out"
    shutil.copytree(run_folder, folder)
    if not shards:  # a run stopped before its first shard
        for shard in folder.glob("shard-*.parquet"):
            shard.unlink()
    manifest = folder / "_manifest.json"
    manifest.unlink()
    manifest.symlink_to(tmp_path / "annex" / "_manifest.json")
    argv = ["embed-dataset", str(run_folder.parent / "in"), "--weights", str(weights)]
    assert main([*argv, "-o", str(folder), "-q"]) == 1
    err = capsys.readouterr().err
    said = f"{manifest} is a symbolic link to {tmp_path / 'annex'}"
    assert said in err and "no _manifest.json" not in err, err
    assert manifest.is_symlink() and not manifest.exists()


@pytest.mark.parametrize("cut", [0, 300])
def test_a_shard_cut_short_is_named_by_read_embeddings_and_anonymize(run_folder, tmp_path, cut):
    """A shard of 0 bytes was said in pyarrow's bare words ("Parquet file size is 0 bytes")
    by read_embeddings (eegpt export), and any cut shard so by anonymize."""
    import shutil

    from eegpt import read_embeddings
    from eegpt.anonymize import anonymize_embeddings
    from eegpt.errors import UnreadableShardError

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    shard = folder / "shard-00000.parquet"
    shard.write_bytes(shard.read_bytes()[:cut])
    for read, who in (
        (read_embeddings, "read_embeddings"),
        (lambda f: anonymize_embeddings(f, tmp_path / "copy"), "eegpt anonymize"),
    ):
        with pytest.raises(UnreadableShardError) as info:
            read(folder)
        assert str(info.value).startswith(f"{who}: 1 shard cannot be read (truncated or corrupt)")
        assert str(shard) in str(info.value) and "run the same embed-dataset" in str(info.value)
    assert not (tmp_path / "copy").exists()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b'{"embed_dim": 64,,}', "it is not valid JSON (Expecting property name"),
        ('{"embed_dim": 64}'.encode("utf-16"), "it is not UTF-8 text ("),
    ],
)
def test_a_weights_config_json_that_is_no_json_says_what_to_do(weights, tmp_path, text, said):
    """A config.json with a syntax error was said in json's words alone; one saved in UTF-16
    as "not a usable EEGPT checkpoint (UnicodeDecodeError ...)", without the file."""
    import shutil

    from eegpt.checkpoints import load_model
    from eegpt.errors import CheckpointError

    folder = tmp_path / "weights"
    shutil.copytree(weights, folder)
    (folder / "config.json").write_bytes(text)
    with pytest.raises(CheckpointError) as info:
        load_model(folder)
    assert f"cannot read {folder / 'config.json'}: {said}" in str(info.value)
    assert "eegpt fetch --force" in str(info.value) and "json.tool" in str(info.value)


def test_a_labels_table_that_is_a_folder_is_said_so(tmp_path):
    """--labels naming a folder ended in "[Errno 21] Is a directory: '...'"."""
    from eegpt.text_tables import table_text

    folder = tmp_path / "labels.csv"
    folder.mkdir()
    with pytest.raises(IsADirectoryError) as info:
        table_text(folder)
    assert str(info.value).startswith(f"{folder} is a folder, not a table file: give the table")


def test_anonymize_names_a_run_report_that_is_not_utf8(run_folder, tmp_path):
    """A run's _files.csv that is not UTF-8 ended in a bare UnicodeDecodeError."""
    import shutil

    from eegpt.anonymize import anonymize_embeddings
    from eegpt.errors import UnreadableOutputError

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    (folder / "_files.csv").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UnreadableOutputError) as info:
        anonymize_embeddings(folder, tmp_path / "copy")
    assert f"{folder / '_files.csv'}, a report of the run, cannot be read" in str(info.value)
    assert "Run the same embed-dataset command" in str(info.value)
    assert not (tmp_path / "copy").exists()


def test_an_epochs_fif_file_cut_short_is_said_to_be_truncated(tmp_path):
    """A -epo.fif file cut in half ended in "ValueError: can only convert an array of size 1
    to a Python scalar" (MNE's), where a Raw .fif file cut so is said to be truncated."""
    import mne

    from eegpt.io import read_epochs_file

    x = np.random.default_rng(0).normal(0, 2e-5, (6, len(NAMES), 1024))
    epochs = mne.EpochsArray(x, mne.create_info(NAMES, 256.0, "eeg"), verbose=False)
    path = tmp_path / "cut-epo.fif"
    epochs.save(path, verbose=False)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(RecordingError, match="the file looks truncated or corrupt") as info:
        read_epochs_file(path)
    assert str(path) in str(info.value) and "restore it from a complete copy" in str(info.value)


def test_an_npz_whose_y_does_not_fit_its_epochs_is_named(probe_folder, weights, tmp_path, capsys):
    """probe evaluate of an .npz whose y holds fewer labels than X epochs ended in
    scikit-learn's "Found input variables with inconsistent numbers of samples: [3, 6]"."""
    path = tmp_path / "short_y.npz"
    with np.load(_epochs_npz(tmp_path / "good.npz")) as f:
        np.savez(path, **{**dict(f), "y": f["y"][:3]})
    argv = ["probe", "evaluate", str(probe_folder), str(path), "--weights", str(weights)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"{path}: its y has shape (3,) for the 6 epochs of its X (6, 8, 1024)" in err
    assert "inconsistent numbers of samples" not in err


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"X": np.zeros((8, 1024))}, "epochs arrays must be [n_epochs, n_channels, n_times]"),
        ({"ch_names": np.array(NAMES[:3])}, "3 channel names for 8 channels"),
    ],
)
def test_a_probe_input_npz_of_misfit_arrays_names_the_file(tmp_path, entry, said):
    """The probe commands said an .npz whose X or ch_names do not fit as "<array>: ...",
    without the file (eegpt embed named it)."""
    from eegpt.probe_label_files import _read_one

    path = tmp_path / "misfit.npz"
    with np.load(_epochs_npz(tmp_path / "good.npz")) as f:
        np.savez(path, **{**dict(f), **entry})
    with pytest.raises(ValueError) as info:
        _read_one(path, False)
    assert str(info.value).startswith(f"{path}: ") and said in str(info.value)
    assert "<array>" not in str(info.value)


def test_a_rename_table_that_is_a_folder_is_not_said_missing(tmp_path, capsys):
    """--rename naming a folder was answered "no such rename table file", though it is there."""
    from eegpt.rename_tables import no_table_error

    folder = tmp_path / "montage.tsv"
    folder.mkdir()
    said = f"the rename table {folder} is a folder, not a file: give the table itself"
    assert str(no_table_error(str(folder))).startswith(said)
    rec = _epochs_npz(tmp_path / "e.npz")
    assert main(["channels", str(rec), "--rename", str(folder)]) != 0
    err = capsys.readouterr().err
    assert said in err and "no such rename table file" not in err


@pytest.mark.parametrize("size", [3, 20, 116, 127, 300])
def test_an_eeglab_set_cut_short_is_said_so(tmp_path, size):
    """A .set cut short inside its 128-byte MATLAB header ended in SciPy's "IndexError: index
    out of range" (or "MatReadError: Mat file appears to be truncated", "TypeError: buffer is
    too small"), one cut later in "OSError: could not read bytes"; each is said cut short, with
    the advice other damaged .set files get."""
    from scipy.io import savemat

    whole = tmp_path / "whole.set"
    data = np.random.default_rng(3).normal(0, 10, (4, 512)).astype(np.float32)
    savemat(whole, {"EEG": {"setname": "rest", "srate": 256.0, "data": data}}, appendmat=False)
    path = tmp_path / "rec.set"
    path.write_bytes(whole.read_bytes()[:size])
    with pytest.raises(RecordingError) as info:
        as_recording(path)
    said = str(info.value)
    assert said.startswith(f"could not read EEG file {path}: it is cut short"), said
    assert "copy it again, or save it again in EEGLAB (pop_saveset)" in said
    assert ("inside its MATLAB header" in said) == (size < 128), said


def test_an_eeglab_set_that_is_no_matlab_file_is_said_so(tmp_path):
    """A .set of other bytes ended in SciPy's "Unknown mat file type, version 53, 29"."""
    path = tmp_path / "rec.set"
    path.write_bytes(np.random.default_rng(3).bytes(3000))
    with pytest.raises(RecordingError) as info:
        as_recording(path)
    assert f"could not read EEG file {path}: it is no MATLAB file" in str(info.value)
    assert "pop_saveset" in str(info.value)
