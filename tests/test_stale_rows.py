"""Rows of recordings whose files changed since a run embedded them (a later run of the
folder marked them in the ``changed`` column of its ``_files.csv``; ``eegpt info`` says
CHANGED): read_embeddings warns and marks them (``source_changed``), of a run folder and of a
``--part`` folder, and eegpt compare names them."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from eegpt import dataset_folders
from eegpt.dataset import embed_dataset
from eegpt.dataset_read import read_embeddings
from eegpt.demo import synthetic_raw, write_edf

pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

RUN = dict(workers=0, progress=False, device="cpu", shard_size=2)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Four EDF files of 8 s: r0.edf .. r3.edf."""
    folder = tmp_path_factory.mktemp("stale") / "in"
    folder.mkdir()
    for i in range(4):
        raw, _ = synthetic_raw(minutes=8 / 60, seed=i)
        write_edf(raw, folder / f"r{i}.edf")
    return folder


def _flip_last_byte(path: Path) -> None:
    body = bytearray(path.read_bytes())
    body[-10] ^= 1
    path.write_bytes(bytes(body))  # same size, new contents and time


def _stale_run(corpus: Path, out: Path, model, **kwargs) -> tuple[Path, str]:
    """A run of a copy of ``corpus``, the second of whose files embedded then changed, run
    again: the rerun marks it changed and keeps its rows. The folder, and that file's
    recording id."""
    folder = out.parent / f"{out.name}-in"
    shutil.copytree(corpus, folder)
    embed_dataset(folder, out, model=model, **RUN, **kwargs)
    changed = str(pd.read_csv(out / "_files.csv")["recording_id"][1])
    _flip_last_byte(folder / changed)
    with pytest.warns(RuntimeWarning, match="marked in the 'changed' column"):
        embed_dataset(folder, out, model=model, **RUN, **kwargs)
    return out, changed


def test_read_embeddings_warns_of_and_marks_rows_of_recordings_changed_since(
    corpus, model, tmp_path
):
    out, changed = _stale_run(corpus, tmp_path / "out", model)
    assert changed == "r1.edf"
    with pytest.warns(RuntimeWarning) as caught:
        table, z = read_embeddings(out)
    said = [str(w.message) for w in caught if "changed since" in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in caught]
    assert "r1.edf (recording: contents and modification time)" in said[0]
    assert (
        f"delete {out / 'shard-00000.parquet'} and run the same embed-dataset command (or "
        "embed_dataset call) again" in said[0]
    )
    assert "source_changed" in said[0]
    assert len(z) == len(table)
    stale = table.groupby("recording_id")["source_changed"].all()
    assert stale.to_dict() == {"r0.edf": False, "r1.edf": True, "r2.edf": False, "r3.edf": False}
    assert table["source_changed"].dtype == bool
    # the column alone, and rows of other recordings only: no warning for those
    with pytest.warns(RuntimeWarning, match="changed since"):
        only, _ = read_embeddings(out, columns=["window", "source_changed"], embeddings=False)
    assert list(only.columns) == ["window", "source_changed"]
    assert only["source_changed"].tolist() == table["source_changed"].tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        others, _ = read_embeddings(
            out, columns=["window"], filters=[("recording_id", "!=", "r1.edf")], embeddings=False
        )
    assert list(others.columns) == ["window"] and len(others) == (~table.source_changed).sum()


def test_read_embeddings_of_a_part_folder_warns_of_rows_changed_since(corpus, model, tmp_path):
    out, changed = _stale_run(corpus, tmp_path / "parts" / "part-0", model, part=(0, 2))
    for given in (out, out.parent):
        with pytest.warns(RuntimeWarning) as caught:
            table, _ = read_embeddings(given, embeddings=False)
        said = [str(w.message) for w in caught if "changed since" in str(w.message)]
        assert len(said) == 1 and f"{changed} (recording: contents" in said[0]
        assert str(out / "shard-00000.parquet") in said[0]
        assert table.loc[table.recording_id == changed, "source_changed"].all()
        assert not table.loc[table.recording_id != changed, "source_changed"].any()


def test_compare_names_recordings_changed_since_embedded(corpus, model, tmp_path):
    """A copy of a run compared with the run after a rerun marked a recording changed: the
    rows are the same, and the report says which recordings of which side are stale."""
    from eegpt.outputs_compare import compare_embeddings

    folder = tmp_path / "in"
    shutil.copytree(corpus, folder)
    out = tmp_path / "out"
    embed_dataset(folder, out, model=model, **RUN)
    shutil.copytree(out, tmp_path / "old")
    _flip_last_byte(folder / "r1.edf")
    with pytest.warns(RuntimeWarning, match="marked in the 'changed' column"):
        embed_dataset(folder, out, model=model, **RUN)
    with pytest.warns(RuntimeWarning, match="changed since"):
        result = compare_embeddings(tmp_path / "old", out, progress=False)
    assert result.within_tolerance
    assert (result.recordings_changed_in_a, result.recordings_changed_in_b) == ([], ["r1.edf"])
    text = result.report()
    assert "recordings of B CHANGED since embedded (1): r1.edf: their rows are of the " in text
    assert text.splitlines()[-1].endswith(
        "; but 1 recording of B changed since embedded (stale rows)"
    )
    assert result.to_dict()["recordings_changed_in_b"] == ["r1.edf"]


def test_a_manifest_column_named_source_changed_of_an_earlier_run_is_not_read_as_stale(
    corpus, model, tmp_path, monkeypatch
):
    """A run embedded before ``source_changed`` was an output column (a manifest column of
    the name was metadata then) read with the column twice, the manifest's and ours, and
    eegpt compare took the manifest's text ('yes', 'no': both true) as every recording
    changed since embedded. Ours takes its place, as the flag columns do."""
    from eegpt import dataset_inputs
    from eegpt.outputs_compare import compare_embeddings

    manifest = tmp_path / "m.csv"
    pd.DataFrame(
        {"path": [str(corpus / "r0.edf"), str(corpus / "r1.edf")], "source_changed": ["yes", "no"]}
    ).to_csv(manifest, index=False)
    earlier = tuple(c for c in dataset_inputs.RESERVED_COLUMNS if c != "source_changed")
    monkeypatch.setattr(dataset_inputs, "RESERVED_COLUMNS", earlier)  # as eegpt was then
    embed_dataset(manifest, tmp_path / "out", model=model, **RUN)
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        table, _ = read_embeddings(tmp_path / "out", embeddings=False)
        result = compare_embeddings(tmp_path / "out", tmp_path / "out", progress=False)
    assert list(table.columns).count("source_changed") == 1
    assert table["source_changed"].dtype == bool and not table["source_changed"].any()
    assert result.recordings_changed_in_a == result.recordings_changed_in_b == []
    assert "changed since embedded" not in result.report()


def test_the_files_report_is_read_once_per_folder_per_call(corpus, model, tmp_path, monkeypatch):
    """read_embeddings reads each run folder's _files.csv for the recordings changed since
    embedded and for the channel sets: load_embeddings of one recording read it three times
    (and each part's of a --part folder more), compare on every batch of rows, for both
    sides. Each call reads each folder's report once, unless it changed in between."""
    import builtins

    from eegpt import dataset_folders, outputs_compare
    from eegpt.embeddings_loading import load_embeddings
    from eegpt.outputs_compare import compare_embeddings

    out, changed = _stale_run(corpus, tmp_path / "out", model)
    parts = tmp_path / "parts"
    embed_dataset(tmp_path / "out-in", parts / "part-0", model=model, part=(0, 2), **RUN)
    embed_dataset(tmp_path / "out-in", parts / "part-1", model=model, part=(1, 2), **RUN)
    shutil.copytree(out, tmp_path / "copy")
    reads: list[str] = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if Path(str(file)).name == "_files.csv":
            reads.append(Path(str(file)).parent.name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    with pytest.warns(RuntimeWarning, match="changed since"):
        emb = load_embeddings(out, changed)
    assert reads == ["out"] and emb.metadata["recording_id"] == changed
    reads.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the parts' channels outside the vocabulary)
        load_embeddings(parts, "r2.edf")
    assert sorted(reads) == ["part-0", "part-1"]
    reads.clear()
    monkeypatch.setattr(outputs_compare, "_batch_bytes", lambda: 1)  # a batch per recording
    with pytest.warns(RuntimeWarning, match="changed since"):
        result = compare_embeddings(out, tmp_path / "copy", progress=False)
    assert result.recordings_compared == 4 and result.within_tolerance
    assert sorted(reads) == ["copy", "out"]
    reads.clear()
    # within one call, a report written again (another size) is read again
    with dataset_folders.files_reports_read_once():
        assert [r["recording_id"] for r in dataset_folders.changed_rows(out)] == [changed]
        assert dataset_folders.changed_rows(out) == dataset_folders.changed_rows(out)
        report = pd.read_csv(out / "_files.csv", dtype=str, keep_default_na=False)
        assert reads == ["out", "out"]  # (the second: pandas)
        report.assign(changed="").to_csv(out / "_files.csv", index=False)
        reads.clear()
        assert dataset_folders.changed_rows(out) == []
    assert reads == ["out"]


def test_a_files_report_replaced_with_the_same_size_and_time_is_read_again(tmp_path):
    """Within one call, a run folder's files report replaced (os.replace, as a run writes it)
    by another of the same size, its modification time set back to the old one's, is read
    again: the file's identity (device, inode) is part of what says it is the same."""
    out = tmp_path / "out"
    out.mkdir()
    report = out / "_files.csv"
    report.write_text("recording_id,changed\nr1.edf,recording\n", encoding="utf-8")
    before = report.stat()
    with dataset_folders.files_reports_read_once():
        assert [r["recording_id"] for r in dataset_folders.changed_rows(out)] == ["r1.edf"]
        new = out / "_files.csv.tmp"
        new.write_text("recording_id,changed\nr2.edf,recording\n", encoding="utf-8")
        os.replace(new, report)
        os.utime(report, ns=(before.st_atime_ns, before.st_mtime_ns))
        after = report.stat()
        assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        assert [r["recording_id"] for r in dataset_folders.changed_rows(out)] == ["r2.edf"]
