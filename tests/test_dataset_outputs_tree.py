"""eegpt.read_embeddings of a tree of per-recording outputs (per-subject ``eegpt embed`` runs
into ``out/sub-01/ses-1/``): refused without ``recursive`` naming the files below and the
parameter, read with it keeping each file's path below the folder, and a run folder nested in
such a tree refused."""

from __future__ import annotations

from pathlib import Path

import mne
import numpy as np
import pytest

from eegpt import load_embeddings, read_embeddings
from eegpt.errors import MissingFileError

pytest.importorskip("pyarrow")


def _raw(seed: int) -> mne.io.RawArray:
    """Twelve seconds of noise on four channels at 256 Hz."""
    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg")
    x = np.random.default_rng(seed).normal(0, 2e-5, (4, 256 * 12))
    return mne.io.RawArray(x, info, verbose=False)


@pytest.fixture(scope="module")
def tree(model, tmp_path_factory) -> tuple[Path, list[Path]]:
    """A folder holding no output itself, its sub-folders three of one name (``rest``) in
    both formats, and outputs in a hidden and an ``_`` folder (left out); the tree and its
    three outputs in path order."""
    root = tmp_path_factory.mktemp("tree")
    files = [
        root / "sub-01" / "ses-1" / "rest.npz",
        root / "sub-02" / "ses-1" / "rest.npz",
        root / "sub-02" / "ses-2" / "rest.parquet",
    ]
    for seed, path in enumerate(files):
        path.parent.mkdir(parents=True, exist_ok=True)
        model.embed(_raw(seed)).save(path)
    for hidden in (root / ".snakemake" / "x.npz", root / "_tmp" / "y.npz"):
        hidden.parent.mkdir()
        model.embed(_raw(9)).save(hidden)
    return root, files


def test_a_folder_of_sub_folders_only_is_refused_naming_them_and_recursive(tree):
    root, _ = tree
    with pytest.raises(MissingFileError) as err:
        read_embeddings(root)
    text = str(err.value)
    assert "sub-folders hold 3 files (sub-01/ses-1/rest.npz, sub-02/ses-1/rest.npz" in text
    assert f"read_embeddings({str(root)!r}, recursive=True)" in text
    assert "was embed_dataset run there" not in text


def test_recursive_reads_the_tree_keeping_each_files_path(tree):
    root, files = tree
    table, z = read_embeddings(root, recursive=True)
    loaded = [load_embeddings(f) for f in files]
    np.testing.assert_array_equal(z, np.concatenate([e.data for e in loaded]))
    # sub-01/ses-1/rest.npz and sub-02/ses-1/rest.npz stay two recordings
    assert list(table["recording_id"]) == [
        str(f) for f, e in zip(files, loaded, strict=True) for _ in e.onsets
    ]
    assert table["recording_id"].nunique() == 3
    # a sequence of trees, and a filter on a file's path below the folder
    table, _ = read_embeddings([root], recursive=True, embeddings=False)
    assert len(table) == len(z)
    one = str(files[1])
    table, z = read_embeddings(root, recursive=True, filters=[("recording_id", "==", one)])
    np.testing.assert_array_equal(z, loaded[1].data)


def test_a_flat_folder_reads_its_own_files_unless_recursive(model, tmp_path):
    (tmp_path / "sub").mkdir()
    model.embed(_raw(0)).save(tmp_path / "a.npz")
    model.embed(_raw(1)).save(tmp_path / "sub" / "b.npz")
    with pytest.warns(RuntimeWarning) as caught:
        table, _ = read_embeddings(tmp_path, embeddings=False)
    assert set(table["recording_id"]) == {str(tmp_path / "a.npz")}
    (said,) = [str(w.message) for w in caught if "sub-folders hold" in str(w.message)]
    assert said.startswith(f"read_embeddings: read the 1 output right inside {tmp_path}; ")
    assert "sub-folders hold 1 more output (sub/b.npz), not read: " in said
    assert said.endswith(f"read_embeddings({str(tmp_path)!r}, recursive=True) reads them all")
    table, _ = read_embeddings(tmp_path, recursive=True, embeddings=False)
    assert list(dict.fromkeys(table["recording_id"])) == [
        str(tmp_path / "a.npz"),
        str(tmp_path / "sub" / "b.npz"),
    ]


def test_a_run_folder_inside_a_tree_of_outputs_is_refused(model, tmp_path):
    (tmp_path / "sub-01").mkdir()
    model.embed(_raw(0)).save(tmp_path / "sub-01" / "rest.npz")
    run = tmp_path / "sub-02" / "corpus"
    run.mkdir(parents=True)
    (run / "_manifest.json").write_text("{}")
    with pytest.raises(ValueError, match=r"corpus below .* is an embed-dataset output folder"):
        read_embeddings(tmp_path, recursive=True)


def test_recursive_without_outputs_and_on_run_folders(tmp_path):
    (tmp_path / "empty" / "sub-01").mkdir(parents=True)
    with pytest.raises(MissingFileError, match=r"no \.npz/\.parquet outputs .* or its sub-folders"):
        read_embeddings(tmp_path / "empty", recursive=True)
    run = tmp_path / "run"
    run.mkdir()
    (run / "_manifest.json").write_text("{}")
    for recursive in (False, True):  # a run folder reads as it did
        with pytest.raises(MissingFileError, match=r"holds no shard yet"):
            read_embeddings(run, recursive=recursive)


def test_load_embeddings_and_export_of_a_tree_name_recursive(tree, tmp_path, capsys):
    from eegpt.cli import main

    root, _ = tree
    with pytest.raises(ValueError, match=r"holds 3 outputs in its sub-folders only \(sub-01/"):
        load_embeddings(root)
    assert main(["export", str(root), "-o", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert f"eegpt.read_embeddings({str(root)!r}, recursive=True) reads them" in err


def test_info_of_a_tree_names_recursive(tree, capsys):
    from eegpt.cli import main

    root, _ = tree
    assert main(["info", str(root)]) == 1
    err = capsys.readouterr().err
    assert "is neither model weights" in err
    assert f"eegpt.read_embeddings({str(root)!r}, recursive=True) reads them" in err


def test_recursive_says_which_linked_folders_it_leaves_out(model, tmp_path):
    """A link to a folder in the tree is not followed (no loops), and a warning names it."""
    (tmp_path / "tree" / "sub-01").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    model.embed(_raw(0)).save(tmp_path / "tree" / "sub-01" / "rest.npz")
    model.embed(_raw(1)).save(tmp_path / "elsewhere" / "rest.npz")
    (tmp_path / "tree" / "sub-02").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "tree" / "sub-01" / "up").symlink_to(tmp_path / "tree", target_is_directory=True)
    with pytest.warns(RuntimeWarning, match=r"left out 2 linked folders below .*tree \(sub-01/up, "
                      r"sub-02\): links to folders are not followed"):  # fmt: skip
        table, _ = read_embeddings(tmp_path / "tree", recursive=True, embeddings=False)
    assert set(table["recording_id"]) == {str(tmp_path / "tree" / "sub-01" / "rest.npz")}


def _predictions_table(path: Path) -> None:
    """A Parquet table as eegpt probe predict -o writes one: its record in the schema's
    metadata under eegpt_predictions, no embeddings metadata."""
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from eegpt.probe_predictions import PREDICTIONS_KEY

    record = {"format": "eegpt-probe-predictions", "provenance": {}, "table": {}}
    table = pa.table({"file": ["a.edf"], "predicted": ["rest"]})
    meta = {PREDICTIONS_KEY.encode(): json.dumps(record).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


def test_prediction_tables_in_a_tree_are_left_out_with_a_note(model, tmp_path):
    """probe predict's pred.parquet beside the embeddings: read_embeddings of the folders
    leaves it out with one warning naming it; given as a file, it is refused saying what it
    is."""
    (tmp_path / "sub-01").mkdir()
    model.embed(_raw(0)).save(tmp_path / "sub-01" / "rest.npz")
    _predictions_table(tmp_path / "sub-01" / "pred.parquet")
    _predictions_table(tmp_path / "pred.parquet")
    with pytest.warns(RuntimeWarning, match=r"left out 2 prediction tables of eegpt probe "
                      r"predict in the folder read \(.*pred.parquet, .*sub-01/pred.parquet\)"):  # fmt: skip
        table, _ = read_embeddings(tmp_path, recursive=True, embeddings=False)
    assert set(table["recording_id"]) == {str(tmp_path / "sub-01" / "rest.npz")}
    with pytest.raises(ValueError, match=r"pred.parquet is a prediction table of eegpt probe"):
        read_embeddings([tmp_path / "sub-01" / "rest.npz", tmp_path / "pred.parquet"])
