"""``eegpt compare A B`` / :func:`eegpt.compare_embeddings`: two embeddings outputs (per-recording
files, folders of them, embed-dataset run folders) compared window by window, matched by
recording and onset; exit status 0 the same, 1 different, 2 an error."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import mne
import numpy as np
import pytest

from eegpt import EEGPTWarning, Embeddings, compare_embeddings, embed_dataset, load_embeddings
from eegpt.cli import main

pytest.importorskip("pyarrow")


def _write_raw(path: Path, seed: int, seconds: int = 12) -> Path:
    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg")
    x = np.random.default_rng(seed).normal(0, 2e-5, (4, 256 * seconds))
    path.parent.mkdir(parents=True, exist_ok=True)
    mne.io.RawArray(x, info, verbose=False).save(path, verbose=False)
    return path


@pytest.fixture(scope="module")
def outputs(model, tmp_path_factory) -> dict[str, Path]:
    """Three recordings (one in a sub-folder), embedded one file each (.npz), again as .parquet
    into another folder, and by embed-dataset into a run folder; on the CPU (the device the
    outputs record, and where the three are equal to the bit) where a GPU is there too."""
    root = tmp_path_factory.mktemp("compare")
    data = root / "data"
    recordings = [
        _write_raw(data / "a_raw.fif", 0),
        _write_raw(data / "b_raw.fif", 1),
        _write_raw(data / "sub-01" / "c_raw.fif", 2),
    ]
    for folder, suffix in (("npz", ".npz"), ("parquet", ".parquet")):
        (root / folder).mkdir()
        for rec in recordings:
            model.embed(rec, device="cpu", verbose=False).save(root / folder / (rec.stem + suffix))
    embed_dataset(data, root / "run", model=model, device="cpu", progress=False, verbose=False)
    return {"root": root, "npz": root / "npz", "parquet": root / "parquet", "run": root / "run"}


def _copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


def _resave(path: Path, *, data=None, metadata=None, keep=None) -> None:
    """Write ``path`` again with its embeddings, metadata or windows changed."""
    emb = load_embeddings(path)
    if keep is not None:
        emb = emb[keep]  # its per-window metadata selected too
    new = emb.data.copy() if data is None else data(emb.data.copy())
    meta = dict(emb.metadata) if metadata is None else metadata(dict(emb.metadata))
    path.unlink()
    Embeddings(new, emb.onsets, meta).save(path)


def test_equal_outputs_are_the_same_exit_0(outputs, capsys):
    assert main(["compare", str(outputs["npz"]), str(outputs["parquet"])]) == 0
    out = capsys.readouterr().out
    assert "9 in A, 9 in B, 9 compared, of 3 recordings in both" in out
    assert out.rstrip().endswith(
        "SAME: every window of A and B within tolerance (rtol 1e-05, atol 1e-05)"
    )


def test_a_perturbed_window_is_named_and_exits_1(outputs, tmp_path, capsys):
    b = _copy(outputs["npz"], tmp_path / "b")

    def perturbed(x: np.ndarray) -> np.ndarray:
        x[1] += 1e-3  # window 1 (onset 4 s) of b_raw
        return x

    _resave(b / "b_raw.npz", data=perturbed)
    assert main(["compare", str(outputs["npz"]), str(b)]) == 1
    out = capsys.readouterr().out
    assert "b_raw.fif: 1 of 3 windows out of tolerance" in out
    assert "(window 1, onset 4 s)" in out
    assert "worst windows:\n  b_raw.fif window 1 (onset 4 s): max abs 0.001" in out
    assert "DIFFERENT: 1 window of 1 recording out of tolerance (rtol 1e-05, atol 1e-05)" in out
    # within a tolerance wide enough, the same
    assert main(["compare", str(outputs["npz"]), str(b), "--atol", "0.01"]) == 0
    result = compare_embeddings(outputs["npz"], b, progress=False)
    assert result.rows_out_of_tolerance == 1 and result.max_abs_diff == pytest.approx(
        1e-3, rel=1e-3
    )
    assert [(r["recording"], r["window"]) for r in result.worst_rows] == [("b_raw.fif", 1)]


def test_tolerances_are_relative_to_each_window_s_scale_not_to_values_near_zero(
    outputs, tmp_path, capsys
):
    """Every value moved by a fraction of its window's largest magnitude (as a float32 rerun
    on a GPU, 6e-6, or bfloat16, 9e-3, moves them; RELIABILITY.md): the values near zero
    every embedding holds neither make the rerun differ nor blow up the max rel shown."""
    for fraction, options in ((6e-6, []), (9e-3, ["--rtol", "2e-2"])):
        b = _copy(outputs["npz"], tmp_path / f"b{fraction}")

        def moved(x: np.ndarray, fraction: float = fraction) -> np.ndarray:
            scale = np.abs(x).reshape(len(x), -1).max(axis=1)[:, None, None, None]
            signs = np.where(np.arange(x.size).reshape(x.shape) % 2, 1.0, -1.0)
            return (x + fraction * scale * signs).astype(np.float32)

        for f in b.iterdir():
            _resave(f, data=moved)
        assert main(["compare", str(b), str(outputs["npz"]), *options]) == 0
        assert "SAME: every window" in capsys.readouterr().out
        result = compare_embeddings(b, outputs["npz"], progress=False)
        assert result.max_rel_diff == pytest.approx(fraction, rel=1e-2)


def test_rows_and_recordings_only_in_one_are_listed(outputs, tmp_path, capsys):
    b = _copy(outputs["npz"], tmp_path / "b")
    (b / "a_raw.npz").unlink()
    _resave(b / "b_raw.npz", keep=[0, 1])  # window 2 (onset 8 s) left out
    assert main(["compare", str(outputs["npz"]), str(b), "--json"]) == 1
    found = json.loads(capsys.readouterr().out)
    assert found["recordings_only_in_a"] == ["a_raw.fif"] and found["recordings_only_in_b"] == []
    assert found["rows_only_in_a"] == [{"recording": "b_raw.fif", "window": 2, "onset_s": 8.0}]
    assert found["n_rows_compared"] == 5 and found["rows_out_of_tolerance"] == 0
    assert found["same_rows"] is False and found["within_tolerance"] is False
    assert main(["compare", str(outputs["npz"]), str(b)]) == 1
    out = capsys.readouterr().out
    assert "recordings only in A (1): a_raw.fif" in out
    assert "windows only in A (1, of recordings in both): b_raw.fif window 2 (onset 8 s)" in out


def test_outputs_of_another_pooling_are_refused_exit_2(model, outputs, tmp_path, capsys):
    pooled = tmp_path / "pooled"
    embed_dataset(
        outputs["root"] / "data", pooled, model=model, pooling="mean", progress=False,
        verbose=False,
    )  # fmt: skip
    assert main(["compare", str(outputs["npz"]), str(pooled)]) == 2
    err = capsys.readouterr().err
    assert (
        "A holds embeddings of pooling 'none', [16, 4, 64] per window, B of pooling 'mean'" in err
    )
    assert "cannot be compared value by value" in err
    with pytest.raises(ValueError, match="cannot be compared value by value"):
        compare_embeddings(pooled, outputs["run"])
    assert main(["compare", str(outputs["npz"]), str(tmp_path / "none")]) == 2
    assert "no output" in capsys.readouterr().err


def test_provenance_differences_are_printed_side_by_side(outputs, tmp_path, capsys):
    b = _copy(outputs["npz"], tmp_path / "b")

    def rerun(meta: dict) -> dict:
        return {
            **meta,
            "precision": "bfloat16",
            "device": "cuda:0",
            "eegpt_changes": "2027-01-01",
            "software": {**meta["software"], "torch": "9.9.9"},
        }

    for f in b.iterdir():
        _resave(f, metadata=rerun)
    assert main(["compare", str(outputs["npz"]), str(b)]) == 0  # the values are the same
    out = capsys.readouterr().out
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "* precision float32 | bfloat16" in lines
    assert "* device cpu | cuda:0" in lines
    assert "* torch " + outputs_torch(outputs) + " | 9.9.9" in lines
    assert any(
        line.startswith("* eegpt_changes ") and line.endswith("| 2027-01-01") for line in lines
    )
    assert any(line.startswith("encoder fingerprint ") for line in lines)  # the same: shown too
    assert "compare them with --rtol 0.02 (the default, 1e-05, suits float32 reruns)" in out


def outputs_torch(outputs: dict[str, Path]) -> str:
    return load_embeddings(outputs["npz"] / "a_raw.npz").metadata["software"]["torch"]


def test_a_run_folder_and_per_recording_outputs_of_the_same_recordings_match(outputs, capsys):
    result = compare_embeddings(outputs["run"], outputs["parquet"], progress=False)
    assert result.within_tolerance and result.n_rows_compared == 9
    assert result.recordings_compared == 3 and result.matched_by == "the recordings' file names"
    assert {r.recording for r in result.recordings} == {"a_raw.fif", "b_raw.fif", "c_raw.fif"}
    assert main(["compare", str(outputs["run"]), str(outputs["npz"] / "b_raw.npz")]) == 1
    out = capsys.readouterr().out
    assert "recordings only in A (2): a_raw.fif, c_raw.fif" in out
    assert "3 compared, of 1 recording in both" in out


def test_a_run_folder_s_batch_size_is_taken_from_its_files_statuses(outputs, tmp_path):
    """A run given no --batch-size records each recording's batch size (its files' statuses,
    the manifest's totals, which eegpt info shows), not the run's: compare takes it from
    there, not "not recorded"; recordings of several sizes are each counted."""
    result = compare_embeddings(outputs["run"], outputs["parquet"], progress=False)
    (row,) = [r for r in result.provenance if r.name == "batch_size"]
    size = load_embeddings(outputs["npz"] / "a_raw.npz").metadata["batch_size"]
    assert (row.a, row.b, row.status) == (str(size), str(size), "same")
    run = _copy(outputs["run"], tmp_path / "run")
    manifest = json.loads((run / "_manifest.json").read_text())
    manifest["totals"]["batch_sizes"] = {
        "8": {"recordings": 2, "channels": [4]},
        "4": {"recordings": 1, "channels": [4]},
    }
    (run / "_manifest.json").write_text(json.dumps(manifest))
    result = compare_embeddings(run, outputs["parquet"], progress=False)
    (row,) = [r for r in result.provenance if r.name == "batch_size"]
    assert row.a == "8 (2 recordings); 4 (1 recording)" and row.status == "differs"


def test_large_outputs_are_read_a_few_recordings_at_a_time_under_a_progress_bar(
    outputs, tmp_path, monkeypatch, capsys
):
    """Recordings are compared in batches of bounded memory (here one recording each, a
    window at a time), with eegpt's progress bar over them where there are many (here: any);
    -q draws none. The differences found are those of one pass over all."""
    import eegpt.outputs_compare as compare

    b = _copy(outputs["npz"], tmp_path / "b")
    for name, window in (("b_raw.npz", 1), ("c_raw.npz", 2)):

        def perturbed(x: np.ndarray, window: int = window) -> np.ndarray:
            x[window, 3, 2, 1] += 0.5
            return x

        _resave(b / name, data=perturbed)
    whole = compare_embeddings(outputs["run"], b, progress=False)
    monkeypatch.setattr(compare, "_batch_bytes", lambda: 1)
    monkeypatch.setattr(compare, "_CHUNK_VALUES", 4096)  # a window of 4096 values at a time
    monkeypatch.setattr(compare, "_BAR_RECORDINGS", 0)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    batched = compare_embeddings(outputs["run"], b)
    assert "comparing" in capsys.readouterr().err
    assert batched.to_dict() == whole.to_dict()
    assert batched.rows_out_of_tolerance == 2 and batched.max_abs_diff == pytest.approx(0.5)
    worst = {(r["recording"], r["window"]) for r in batched.worst_rows}
    assert worst == {("b_raw.fif", 1), ("c_raw.fif", 2)}
    assert main(["compare", str(outputs["run"]), str(b), "-q"]) == 1
    captured = capsys.readouterr()
    assert "comparing" not in captured.err
    assert "c_raw.fif window 2 (onset 8 s)" in captured.out


def test_two_outputs_of_one_recording_each_are_compared_whatever_their_names(outputs):
    result = compare_embeddings(outputs["npz"] / "a_raw.npz", outputs["npz"] / "b_raw.npz")
    assert result.matched_by == "being the one recording of each (A's a_raw.fif, B's b_raw.fif)"
    assert result.n_rows_compared == 3 and result.same_rows
    assert not result.within_tolerance and result.rows_out_of_tolerance == 3


def test_a_folder_not_embedded_alike_is_refused_unless_allowed(outputs, tmp_path, capsys):
    """A folder partly embedded again with other settings: refused as read_embeddings refuses
    it (exit 2, naming --allow-mixed), compared with --allow-mixed, its values of each setting
    counted in the provenance."""
    b = _copy(outputs["npz"], tmp_path / "b")
    _resave(b / "a_raw.npz", metadata=lambda meta: {**meta, "precision": "bfloat16"})
    assert main(["compare", str(outputs["npz"]), str(b)]) == 2
    assert "not embedded alike" in capsys.readouterr().err
    with pytest.warns(EEGPTWarning, match="read together as allow_mixed=True asks"):
        assert main(["compare", str(outputs["npz"]), str(b), "--allow-mixed"]) == 0
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    assert "* precision float32 | float32 (2 files); bfloat16 (1 file)" in lines


def test_a_folder_of_sub_folders_is_refused_or_warned_of_naming_recursive(
    outputs, tmp_path, capsys
):
    """Outputs in sub-folders (per-subject folders): read_embeddings' refusal and warning
    name eegpt compare's --recursive, not its Python keyword alone; with it they match."""
    tree = tmp_path / "tree"
    for name in ("a_raw.npz", "b_raw.npz", "c_raw.npz"):
        (tree / name[0]).mkdir(parents=True)
        shutil.copy(outputs["npz"] / name, tree / name[0] / name)
    assert main(["compare", str(outputs["npz"]), str(tree)]) == 2
    assert "reads them all, each row's recording_id keeping" in (err := capsys.readouterr().err)
    assert err.rstrip().endswith(
        "(compare_embeddings(..., recursive=True), eegpt compare --recursive)"
    )
    assert main(["compare", str(outputs["npz"]), str(tree), "--recursive"]) == 0
    shutil.move(tree / "a" / "a_raw.npz", tree / "a_raw.npz")  # one right inside, two below
    with pytest.warns(EEGPTWarning, match="sub-folders hold 2 more outputs") as caught:
        assert main(["compare", str(outputs["npz"]), str(tree)]) == 1
    assert [str(w.message).endswith("eegpt compare --recursive)") for w in caught] == [True]


def test_recordings_whose_windows_start_elsewhere_are_said_to_be_cut_elsewhere(
    outputs, tmp_path, capsys
):
    """A recording embedded again with another --start shares no window onset: a note says
    its windows were cut elsewhere, naming the setting that differs, not only 'windows only
    in A/B'."""
    b = _copy(outputs["npz"], tmp_path / "b")
    emb = load_embeddings(b / "b_raw.npz")[[0, 1]]  # its per-window metadata selected too
    meta = dict(emb.metadata)
    meta["preprocessing"] = {**meta["preprocessing"], "start_seconds": 1.0}
    (b / "b_raw.npz").unlink()
    Embeddings(emb.data, emb.onsets + 1.0, meta).save(b / "b_raw.npz")
    assert main(["compare", str(outputs["npz"]), str(b), "--allow-mixed"]) == 1
    out = capsys.readouterr().out
    assert (
        "note: no window of A starts where one of B does in 1 recording of the 3 in both "
        "(b_raw.fif): their windows were cut elsewhere (preprocessing.start_seconds differs)"
    ) in out
    assert compare_embeddings(outputs["npz"], outputs["parquet"]).notes == []


def test_every_json_key_is_documented(outputs):
    """docs/outputs.md names every key of eegpt compare --json, at each level."""
    text = (Path(__file__).parents[1] / "docs" / "outputs.md").read_text()
    section = text.split("## Comparing two outputs")[1].split("\n## ")[0]
    b = outputs["npz"]
    found = compare_embeddings(b / "a_raw.npz", b / "b_raw.npz", progress=False).to_dict()
    assert found["worst_rows"] and found["recordings"] and found["provenance"]
    keys = set(found)
    for nested in ("worst_rows", "recordings", "provenance"):
        keys |= {k for row in found[nested] for k in row}
    missing = sorted(k for k in keys if f"`{k}`" not in section)
    assert not missing, f"docs/outputs.md does not name --json keys {missing}"


def test_reading_many_per_recording_outputs_is_under_the_progress_bar_too(
    outputs, monkeypatch, capsys
):
    """Reading each side's files (their provenance: seconds for hundreds of files) is shown by
    eegpt's progress bar, as comparing their values is, each file's provenance read once
    there (not by read_embeddings and again after); -q draws none."""
    import eegpt.embeddings_loading as loading
    import eegpt.outputs_compare as compare
    import eegpt.outputs_read as outputs_read

    monkeypatch.setattr(compare, "_BAR_RECORDINGS", 0)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert main(["compare", str(outputs["npz"]), str(outputs["parquet"])]) == 0
    err = capsys.readouterr().err
    assert "reading A" in err and "reading B" in err and "comparing" in err
    assert "reading A: 100%" in err and "reading B: 100%" in err  # its 3 files each
    assert main(["compare", str(outputs["npz"]), str(outputs["parquet"]), "-q"]) == 0
    assert "reading" not in capsys.readouterr().err
    read: list[Path] = []
    original = loading._load_outline

    def counted(path):
        read.append(Path(path))
        return original(path)

    monkeypatch.setattr(loading, "_load_outline", counted)
    monkeypatch.setattr(outputs_read, "_load_outline", counted)
    side = compare._read_side(outputs["npz"], False, False)
    assert sorted(read) == sorted(outputs["npz"].glob("*.npz"))  # each once
    assert len(side.table) == 9 and len(side.records) == 3


def test_building_each_side_s_table_after_reading_is_under_a_progress_bar_too(
    outputs, monkeypatch, capsys
):
    """After each side's files are read, their checks and the table of their rows (a second or
    more for hundreds of files) are under a bar of their own (``rows of A``), counting the
    files: no silent phase between ``reading A`` and ``comparing``; -q draws none."""
    import tqdm.std

    import eegpt.dataset_read as dataset_read
    import eegpt.outputs_compare as compare
    import eegpt.outputs_read as outputs_read

    seen: list[tuple[str, list[str]]] = []  # each step with the bars open while it runs

    def watched(module, name):
        original = getattr(module, name)

        def step(*args, **kwargs):
            seen.append((name, sorted(str(b.desc) for b in tqdm.std.tqdm._instances)))
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, step)

    watched(outputs_read, "check_alike")
    watched(outputs_read, "file_rows")
    watched(dataset_read, "_selected_frame")
    monkeypatch.setattr(compare, "_BAR_RECORDINGS", 0)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert main(["compare", str(outputs["npz"]), str(outputs["parquet"])]) == 0
    err = capsys.readouterr().err
    assert "rows of A: 100%" in err and "rows of B: 100%" in err  # its 3 files each
    building = seen[: 2 * (1 + 3 + 1)]  # per side: its check, its 3 files, its frame
    assert [name for name, _ in building] == (
        ["check_alike"] + ["file_rows"] * 3 + ["_selected_frame"]
    ) * 2
    assert [bars for _, bars in building] == [["rows of A"]] * 5 + [["rows of B"]] * 5
    assert all(bars == ["comparing"] for _, bars in seen[len(building) :])  # the rows compared
    assert main(["compare", str(outputs["npz"]), str(outputs["parquet"]), "-q"]) == 0
    assert "rows of" not in capsys.readouterr().err


def test_the_provenance_of_many_files_makes_each_distinct_value_text_once(outputs, monkeypatch):
    """Side by side provenance of thousands of files (each recording a few dozen settings,
    mostly the same) made each value text several times per file (seconds, silent, before
    the comparing bar); each distinct value of a setting is made text once per side, the
    rows the same."""
    import dataclasses

    import eegpt.outputs_compare as compare

    a = compare._read_side(outputs["npz"], False, False)
    b = compare._read_side(outputs["parquet"], False, False)
    one = [dataclasses.asdict(r) for r in compare._provenance_rows(a, b)]
    a.records, b.records = a.records * 100, b.records * 100  # 300 files each
    made: list[object] = []
    original = compare._short

    def counted(value):
        made.append(value)
        return original(value)

    monkeypatch.setattr(compare, "_short", counted)
    many = compare._provenance_rows(a, b)
    times_100 = re.compile(r"\((\d+) files?\)")  # each count a hundred times

    def scaled(text: str) -> str:
        return times_100.sub(lambda m: f"({int(m.group(1)) * 100} files)", text)

    assert [dataclasses.asdict(r) for r in many] == [
        {**r, "a": scaled(r["a"]), "b": scaled(r["b"])} for r in one
    ]
    assert 0 < len(made) <= 2 * 3 * len(many)  # at most each side's 3 files' values


def test_without_pyarrow_compare_says_so_in_its_own_words(outputs, capsys, monkeypatch):
    """Without pyarrow, `eegpt compare a.npz b.npz` said "read_embeddings needs pyarrow",
    naming an internal function, as if reading a .npz file needed it: the command (and
    compare_embeddings) now says that comparing needs it, .npz outputs too; a .npz file is
    still read without it."""
    import sys

    from eegpt.errors import MissingDependencyError

    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)  # `import pyarrow` raises ImportError
    a = outputs["npz"] / "a_raw.npz"
    assert load_embeddings(a).data.shape[0] == 3  # reading a .npz file needs no pyarrow
    said = "comparing outputs (eegpt compare, compare_embeddings), .npz ones too"
    assert main(["compare", str(a), str(a)]) == 2  # 1: they differ
    err = capsys.readouterr().err
    assert said in err and "needs pyarrow: pip install pyarrow pandas" in err
    assert "read_embeddings" not in err
    with pytest.raises(MissingDependencyError, match=re.escape(said)):
        compare_embeddings(a, a, progress=False)


def test_each_side_says_whether_its_files_were_written_by_eegpt_embed_or_python(
    outputs, tmp_path, capsys
):
    """Files saved from Python (emb.save) were called outputs "of eegpt embed": each side
    says how its files were written, as their provenance (its recorded command) says."""
    b = _copy(outputs["npz"], tmp_path / "b")
    command = ["embed", "b_raw.fif", "--weights", "w", "-o", "b_raw.npz"]
    _resave(b / "b_raw.npz", metadata=lambda m: {**m, "command": command, "cwd": "."})
    assert main(["compare", str(outputs["npz"]), str(b)]) == 0
    out = capsys.readouterr().out
    assert f"A: {outputs['npz']} (3 outputs written from Python, 9 windows)" in out
    assert "(3 outputs: 1 of eegpt embed, 2 written from Python, 9 windows)" in out
    assert main(["compare", str(b / "b_raw.npz"), str(b / "b_raw.npz")]) == 0
    assert "(1 output of eegpt embed, 3 windows)" in capsys.readouterr().out
