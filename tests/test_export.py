"""`eegpt export`: embeddings as a MATLAB .mat file or a CSV table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pytest
import scipy.io

from eegpt import export
from eegpt.cli import build_parser, main
from eegpt.dataset import embed_dataset, read_embeddings
from eegpt.demo import synthetic_raw, write_edf
from eegpt.metadata_tables import metadata_record
from eegpt.model import EEGPT
from eegpt.outputs import Embeddings


def epochs_embeddings() -> Embeddings:
    """Five windows of epochs (two left out before: window indices with gaps), labelled,
    one over a bad annotation."""
    data = np.random.default_rng(0).standard_normal((5, 4, 4, 8)).astype(np.float32)
    metadata = {
        "source": "erp-epo.fif",
        "channels": {"names": ["FZ", "CZ", "PZ"], "input_names": ["Fz", "Cz", "Pz"]},
        "preprocessing": {"sfreq": 256.0, "window_seconds": 1.0},
        "labels": ["aud/left", "vis", "aud/right", "vis", "aud/left"],
        "window_index": [0, 2, 3, 5, 6],
        "annotations": [[], ["BAD_muscle"], [], [], []],
    }
    return Embeddings(data, np.array([0.5, 2.5, 3.5, 5.5, 6.5]), metadata)


@pytest.fixture
def npz(tmp_path) -> tuple[Path, Embeddings]:
    emb = epochs_embeddings()
    return emb.save(tmp_path / "erp.npz"), emb


def test_mat_holds_the_array_onsets_windows_labels_and_provenance(npz, tmp_path, capsys):
    path, emb = npz
    out = tmp_path / "erp.mat"
    assert main(["export", str(path), "-o", str(out)]) == 0
    assert "5 windows -> " in capsys.readouterr().err
    kinds = {name: kind for name, _, kind in scipy.io.whosmat(out)}
    assert kinds["embeddings"] == "single" and kinds["bad"] == "logical"
    assert kinds["label"] == kinds["channels"] == "cell"
    s = scipy.io.loadmat(out)
    np.testing.assert_array_equal(s["embeddings"], emb.data)  # the array as stored
    np.testing.assert_array_equal(s["onset_s"].ravel(), emb.onsets)
    np.testing.assert_array_equal(s["window"].ravel(), [0, 2, 3, 5, 6])  # from 0, as Python
    np.testing.assert_array_equal(s["window_number"].ravel(), [1, 3, 4, 6, 7])  # from 1
    assert [c[0] for c in s["label"].ravel()] == emb.metadata["labels"]
    assert [c[0] for c in s["channels"].ravel()] == ["FZ", "CZ", "PZ"]
    np.testing.assert_array_equal(s["bad"].ravel(), [0, 1, 0, 0, 0])
    assert s["pool"][0] == "none" and s["source"][0] == "erp-epo.fif"
    assert s["sfreq"].item() == 256.0 and s["window_seconds"].item() == 1.0
    assert json.loads(s["metadata_json"][0]) == emb.metadata


def test_mat_with_a_pooling_holds_one_vector_per_window(npz, tmp_path):
    path, emb = npz
    out = tmp_path / "erp.mat"
    assert main(["export", str(path), "-o", str(out), "--pool", "mean_tokens", "-q"]) == 0
    s = scipy.io.loadmat(out)
    np.testing.assert_array_equal(s["embeddings"], emb.pooled("mean_tokens"))
    assert s["pool"][0] == "mean_tokens"


def test_csv_holds_the_mean_pooled_embeddings_one_row_per_window(tmp_path):
    emb = epochs_embeddings()
    parquet = emb.save(tmp_path / "erp.parquet")
    out = tmp_path / "erp.csv"
    assert main(["export", str(parquet), "-o", str(out), "-q"]) == 0
    table = pd.read_csv(out)
    features = [f"eegpt_d{k}" for k in range(8)]
    assert table.columns.tolist() == [
        "recording", "window", "window_number", "onset_s", "clock_s", "label", "annotations",
        "bad", *features,
    ]  # fmt: skip
    assert (table["recording"] == "erp-epo.fif").all()
    assert table["window"].tolist() == [0, 2, 3, 5, 6]
    assert table["window_number"].tolist() == [1, 3, 4, 6, 7]  # from 1, as the .mat's
    assert table["annotations"].fillna("").tolist() == ["", "BAD_muscle", "", "", ""]
    assert table["label"].tolist() == emb.metadata["labels"]
    assert table["bad"].tolist() == [False, True, False, False, False]
    np.testing.assert_array_equal(table["onset_s"], emb.onsets)
    got = table[features].to_numpy().astype(np.float32)  # 9 digits: float32 exactly
    np.testing.assert_array_equal(got, emb.pooled("mean"))


def test_a_corpus_run_exports_every_recording(tmp_path):
    """A run of two continuous recordings and one of epochs (labelled, other channels)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(2):
        raw, _ = synthetic_raw(minutes=0.15, seed=i)  # 9 s: 2 windows each
        write_edf(raw, corpus / f"rec{i}.edf")
    x = np.random.default_rng(2).standard_normal((2, 3, 1024)) * 1e-5
    events = np.array([[0, 0, 1], [2000, 0, 2]])
    info = mne.create_info(["Fz", "Cz", "Pz"], 256.0, "eeg")
    epochs = mne.EpochsArray(x, info, events, event_id={"std": 1, "dev": 2}, verbose=False)
    epochs.metadata = pd.DataFrame({"rt": [0.41, np.nan], "response": ["left", None]})
    epochs.save(corpus / "erp-epo.fif", verbose=False)
    run = tmp_path / "run"
    embed_dataset(corpus, run, model=EEGPT("tiny2"), workers=0, device="cpu", progress=False)
    table, data = read_embeddings(run)
    assert main(["export", str(run), "-o", str(tmp_path / "run.mat"), "-q"]) == 0
    s = scipy.io.loadmat(tmp_path / "run.mat")
    np.testing.assert_array_equal(s["embeddings"], data)
    assert [c[0] for c in s["recording"].ravel()] == table["recording_id"].tolist()
    assert [c[0] for c in s["path"].ravel()] == table["path"].tolist()
    np.testing.assert_array_equal(s["window_number"].ravel(), table["window"] + 1)
    labels = [c[0] if c.size else "" for c in s["label"].ravel()]
    assert labels == [e if isinstance(e, str) else "" for e in table["event"]]
    assert sorted(labels) == ["", "", "", "", "dev", "std"]
    assert "channels" not in s  # the recordings have other channels: a set per recording
    sets = [[c[0] for c in names.ravel()] for names in s["channel_sets"].ravel()]
    assert sorted(len(names) for names in sets) == [3, 19]
    per_window = [sets[int(k) - 1] for k in s["channel_set"].ravel()]  # counted from 1
    assert per_window == [list(names) for names in table["channels"]]
    # the epochs' metadata: NaN and '' for the continuous recordings' windows
    epoch_rows = table["event"].notna().to_numpy()
    rt = s["rt"].ravel()
    assert (
        rt[epoch_rows][0] == 0.41
        and np.isnan(rt[epoch_rows][1])
        and np.isnan(rt[~epoch_rows]).all()
    )
    response = [c[0] if c.size else "" for c in s["response"].ravel()]
    assert sorted(response) == ["", "", "", "", "", "left"]
    assert json.loads(s["metadata_json"][0])["pool"] == "none"
    assert main(["export", str(run), "-o", str(tmp_path / "run.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "run.csv")
    assert rows["recording"].tolist() == table["recording_id"].tolist()
    assert rows["label"].fillna("").tolist() == labels
    assert rows["window_number"].tolist() == (table["window"] + 1).tolist()
    np.testing.assert_array_equal(rows["rt"], rt)
    assert rows["response"].fillna("").tolist() == response
    got = rows.filter(like="eegpt_d").to_numpy().astype(np.float32)
    np.testing.assert_array_equal(got, data.mean(axis=(1, 2), dtype=np.float64).astype(np.float32))


@pytest.mark.parametrize(
    ("output", "options", "message"),
    [
        ("e.txt", [], "eegpt export writes a .mat (MATLAB) or .csv file"),
        ("e.csv", ["--pool", "none"], "a CSV holds one vector per window"),
    ],
)
def test_refusals_before_reading(npz, tmp_path, capsys, output, options, message):
    path, _ = npz
    assert main(["export", str(path), "-o", str(tmp_path / output), *options]) == 1
    assert message in capsys.readouterr().err


def test_csv_without_pandas_names_the_extra_before_reading(npz, tmp_path, capsys, monkeypatch):
    """Without pandas (a plain `pip install .`), a CSV export is refused up front with the
    extra to install, not a crash; a .mat export still works."""
    from eegpt.errors import MissingDependencyError

    path, _ = npz
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    assert main(["export", str(path), "-o", str(tmp_path / "e.csv")]) == 1
    err = capsys.readouterr().err
    assert "exporting to .csv (or export to .mat) needs pandas: pip install pyarrow pandas" in err
    assert "internal error" not in err and "reading" not in err
    with pytest.raises(MissingDependencyError, match=r"pip install pyarrow pandas"):
        export.export_embeddings(path, tmp_path / "e.csv")
    assert not (tmp_path / "e.csv").exists()
    assert main(["export", str(path), "-o", str(tmp_path / "e.mat"), "-q"]) == 0


def test_an_existing_output_is_kept_without_overwrite(npz, tmp_path, capsys):
    path, emb = npz
    out = tmp_path / "e.csv"
    out.write_text("mine")
    assert main(["export", str(path), "-o", str(out)]) == 1
    assert "exists; pass --overwrite to replace it" in capsys.readouterr().err
    assert out.read_text() == "mine"
    assert main(["export", str(path), "-o", str(out), "--overwrite", "-q"]) == 0
    assert len(pd.read_csv(out)) == len(emb)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file


def test_a_mat_variable_over_2_gb_is_refused_with_pooling_advice(
    npz, tmp_path, capsys, monkeypatch
):
    path, _ = npz
    monkeypatch.setattr(export, "MAT_VARIABLE_LIMIT", 1000)  # 5 x 4 x 4 x 8 single: 2560 bytes
    out = tmp_path / "e.mat"
    assert main(["export", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "more than the 2 GB a variable of a .mat file holds" in err
    assert "--pool mean (5 x 8" in err and not out.exists()
    assert main(["export", str(path), "-o", str(out), "--pool", "mean", "-q"]) == 0


def test_a_mat_variable_over_2_gb_is_refused_before_the_embeddings_are_read(
    npz, tmp_path, capsys, monkeypatch
):
    """A .mat export over a variable's 2 GB was refused only once every embedding was read
    (minutes and the memory of gigabytes): the size is known up front (a file's outline, a
    run's shards' row counts and settings), so it is refused before any is read, by the
    command line and export_embeddings alike; a pooling that fits is read and written."""
    import eegpt.dataset_read
    import eegpt.embeddings_loading

    path, _ = npz
    monkeypatch.setattr(export, "MAT_VARIABLE_LIMIT", 1000)  # 5 x 4 x 4 x 8 single: 2560 bytes

    load_file = eegpt.embeddings_loading._load_file

    def read(*args, with_data=True, **kwargs):  # an outline (no embeddings) read as before
        if not with_data:
            return load_file(*args, with_data=False, **kwargs)
        raise AssertionError("the embeddings were read")

    with monkeypatch.context() as spy:
        spy.setattr(eegpt.embeddings_loading, "_load_file", read)
        assert main(["export", str(path), "-o", str(tmp_path / "e.mat")]) == 1
        assert "more than the 2 GB a variable" in capsys.readouterr().err
        with pytest.raises(ValueError, match="more than the 2 GB a variable"):
            export.export_embeddings(path, tmp_path / "e.mat")
    assert main(["export", str(path), "-o", str(tmp_path / "e.mat"), "--pool", "mean", "-q"]) == 0
    corpus, run = tmp_path / "corpus", tmp_path / "run"
    corpus.mkdir()
    raw, _ = synthetic_raw(minutes=0.15, seed=0)  # 9 s: 2 windows
    write_edf(raw, corpus / "rec0.edf")
    embed_dataset(corpus, run, model=EEGPT("tiny2"), workers=0, device="cpu", progress=False)
    with monkeypatch.context() as spy:
        spy.setattr(eegpt.dataset_read, "_rows_and_embeddings", read)
        assert main(["export", str(run), "-o", str(tmp_path / "run.mat")]) == 1
        assert "more than the 2 GB a variable" in capsys.readouterr().err


def test_a_mat_file_whose_compression_would_not_fit_in_memory_is_refused_with_pooling_advice(
    npz, tmp_path, capsys, monkeypatch
):
    """scipy's savemat holds a variable twice more while it compresses it (0.8 GB above a
    0.35 GB array measured): a .mat export whose embeddings read fit but whose write would
    not is refused before it, pooled exports advised; pooled it is written."""
    import eegpt.memory_checks

    path, _ = npz  # 5 x 4 x 4 x 8 single: 2560 bytes, read fits in 6000 (half: 3000)
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: 6000)
    out = tmp_path / "e.mat"
    assert main(["export", str(path), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "while a .mat file compresses them" in err and "--pool mean (5 x 8" in err
    assert "Traceback" not in err and not out.exists()
    assert main(["export", str(path), "-o", str(out), "--pool", "mean", "-q"]) == 0
    assert scipy.io.loadmat(out)["embeddings"].shape == (5, 8)


def test_a_csv_wider_than_spreadsheets_open_is_written_with_a_warning(npz, tmp_path, monkeypatch):
    path, _ = npz
    monkeypatch.setattr(export, "SPREADSHEET_COLUMNS", 100)
    with pytest.warns(RuntimeWarning, match="more than spreadsheets open"):
        assert main(["export", str(path), "-o", str(tmp_path / "e.csv"), "--pool", "flatten"]) == 0
    assert pd.read_csv(tmp_path / "e.csv").shape == (5, 8 + 4 * 4 * 8)


def test_embeddings_stored_mean_pooled_export_as_stored_and_refuse_other_poolings(tmp_path, capsys):
    emb = epochs_embeddings()
    pooled = Embeddings(
        emb.pooled("mean")[:, None, None], emb.onsets, dict(emb.metadata, pool="mean")
    )
    path = pooled.save(tmp_path / "pooled.npz")
    assert main(["export", str(path), "-o", str(tmp_path / "p.mat"), "-q"]) == 0
    s = scipy.io.loadmat(tmp_path / "p.mat")
    assert s["embeddings"].shape == (5, 8) and s["pool"][0] == "mean"
    assert main(["export", str(path), "-o", str(tmp_path / "f.csv"), "--pool", "flatten"]) == 1
    err = capsys.readouterr().err
    assert "stored pooled ('mean'" in err
    # the command line's options, not the Python call (was "use pooled('mean')")
    assert "--pool flatten cannot be computed" in err and "leave --pool out" in err
    assert "pooled('mean')" not in err
    assert main(["export", str(path), "-o", str(tmp_path / "n.csv"), "--pool", "none"]) == 1
    err = capsys.readouterr().err
    assert "leave --pool out" in err and "of embeddings stored unpooled" in err
    # from Python, the keyword's spelling is given beside the option's
    with pytest.raises(ValueError, match=r"--pool none \(in Python pooling='none'") as raised:
        export.export_embeddings(path, tmp_path / "n.csv", pooling="none")
    assert "leave --pool out (pooling=None" in str(raised.value)
    with pytest.raises(
        ValueError,
        match=r"--pool flatten cannot be computed from them \(in Python pooling='flatten'\)",
    ):
        export.export_embeddings(path, tmp_path / "f.csv", pooling="flatten")


def test_export_of_a_folder_of_embed_files_says_how_to_export_them(npz, tmp_path, capsys):
    """A folder of `eegpt embed` files (no run folder): the command says what it takes and
    how to export many (was load_embeddings' Python-API message)."""
    path, _ = npz
    folder = tmp_path / "outs"
    folder.mkdir()
    (folder / "a.npz").write_bytes(path.read_bytes())
    assert main(["export", str(folder), "-o", str(tmp_path / "e.csv"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "is a folder of 1 embeddings file(s), not an embed-dataset output folder" in err
    assert 'for f in FOLDER/*.npz; do eegpt export "$f"' in err
    assert "eegpt.read_embeddings(FOLDER)" in err


def test_export_is_listed_in_the_help():
    text = build_parser().format_help()
    assert "export" in text and "MATLAB .mat" in text


def test_export_help_points_to_the_docs_for_exporting_the_model(capsys):
    """`eegpt export` writes embeddings; its help says where exporting the model is told."""
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "Exporting the model (ONNX, torch.export, TorchScript)" in out
    assert "docs/pytorch.md" in out


def test_a_recording_is_refused_saying_to_embed_it_first(tmp_path, capsys):
    """export takes embeddings; given a recording (an EEGLAB .set or its .fdt) it says so and
    how to make them, not 'unsupported embeddings file'."""
    for name in ("odd_short.set", "odd_short.fdt", "rec.edf"):
        (tmp_path / name).write_bytes(b"")
        assert main(["export", str(tmp_path / name), "-o", str(tmp_path / "a.mat")]) == 1
        err = capsys.readouterr().err
        assert "reading" not in err and f"-o {tmp_path / 'a.mat'}" in err
        assert f"{tmp_path / name} is an EEG recording; eegpt export writes embeddings" in err
        assert "the .npz or .parquet file of `eegpt embed`" in err
        recording = tmp_path / name.replace(".fdt", ".set")
        assert f"Embed the recording first: eegpt embed {recording} --weights PATH -o" in err
        assert "unsupported embeddings file" not in err


def test_the_epochs_metadata_and_annotations_are_exported(tmp_path):
    """The epochs' metadata columns (an EEGLAB .set's eeglab_events and eeglab_latencies_ms,
    any epochs.metadata) become .mat variables (cellstr, double, logical) and CSV columns; a
    name of another variable gets a metadata_ prefix, one MATLAB cannot take is made valid;
    the annotations over each window come joined."""
    from eegpt.outputs import metadata_record

    emb = epochs_embeddings()
    table = pd.DataFrame(
        {
            "eeglab_events": ["target/response", "standard", "target", "standard", "target"],
            "eeglab_latencies_ms": ["0/412", "0", "0", "0", "0"],
            "rt": [412.0, np.nan, np.nan, 398.5, np.nan],
            "correct": [True, False, True, True, False],
            "label": ["a", "b", "c", "d", "e"],  # also the name of the event names' variable
            "trial type": ["x", None, "y", "x", "y"],
        },
        index=[0, 2, 3, 5, 6],
    )
    emb.metadata["epochs_metadata"] = metadata_record(table)
    emb.metadata["annotations"] = [[], ["BAD_muscle", "blink"], [], [], []]
    path = emb.save(tmp_path / "erp.npz")
    assert main(["export", str(path), "-o", str(tmp_path / "erp.mat"), "-q"]) == 0
    kinds = {name: kind for name, _, kind in scipy.io.whosmat(tmp_path / "erp.mat")}
    assert kinds["eeglab_events"] == kinds["eeglab_latencies_ms"] == "cell"
    assert kinds["rt"] == "double" and kinds["correct"] == "logical"
    s = scipy.io.loadmat(tmp_path / "erp.mat")
    cells = lambda name: [c[0] if c.size else "" for c in s[name].ravel()]  # noqa: E731
    assert cells("eeglab_events") == table["eeglab_events"].tolist()
    assert cells("eeglab_latencies_ms") == table["eeglab_latencies_ms"].tolist()
    np.testing.assert_array_equal(s["rt"].ravel(), table["rt"])
    np.testing.assert_array_equal(s["correct"].ravel(), table["correct"])
    assert cells("label") == emb.metadata["labels"]  # the event names, as before
    assert cells("metadata_label") == ["a", "b", "c", "d", "e"]
    assert cells("trial_type") == ["x", "", "y", "x", "y"]
    assert cells("annotations") == ["", "BAD_muscle; blink", "", "", ""]
    assert main(["export", str(path), "-o", str(tmp_path / "erp.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "erp.csv")
    assert rows.columns.tolist()[:13] == [
        "recording", "window", "window_number", "onset_s", "clock_s", "label", "eeglab_events",
        "eeglab_latencies_ms", "rt", "correct", "metadata_label", "trial type", "annotations",
    ]  # fmt: skip
    assert rows["eeglab_events"].tolist() == table["eeglab_events"].tolist()
    assert rows["eeglab_latencies_ms"].tolist() == table["eeglab_latencies_ms"].tolist()
    np.testing.assert_array_equal(rows["rt"], table["rt"])
    assert rows["annotations"].fillna("").tolist() == ["", "BAD_muscle; blink", "", "", ""]


def test_a_manifest_runs_columns_and_channel_sets_are_exported(tmp_path, capsys):
    """A run from a manifest with its own columns (text, numbers with a gap, a label column,
    annotations_file): each is a CSV column and a .mat variable per window; recordings
    embedded with other channels give the .mat the channels of each window's recording."""
    from eegpt.demo import synthetic_raw, write_edf

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(2):
        raw, _ = synthetic_raw(minutes=0.15, seed=i)  # 9 s: 2 windows each
        if i == 1:
            raw.drop_channels(["EEG FZ-REF"])  # another set of channels
        write_edf(raw, corpus / f"rec{i}.edf")
        (corpus / f"rec{i}.csv_bi").write_text(
            "# version = csv_v1.0.0\nchannel,start_time,stop_time,label,confidence\n"
            "TERM,0.0000,9.0000,bckg,1.0000\n"
        )
    manifest = corpus / "manifest.csv"
    pd.DataFrame({
        "path": ["rec0.edf", "rec1.edf"],
        "subject": ["s01", "s02"],
        "label_site": ["a", "b"],
        "age": [31.0, None],
        "label": ["seiz", "bckg"],
        "annotations_file": ["rec0.csv_bi", "rec1.csv_bi"],
    }).to_csv(manifest, index=False)  # fmt: skip
    run = tmp_path / "run"
    embed_dataset(manifest, run, model=EEGPT("tiny2"), workers=0, device="cpu", progress=False)
    table, _ = read_embeddings(run)
    assert table["subject"].tolist() == ["s01", "s01", "s02", "s02"]
    assert main(["export", str(run), "-o", str(tmp_path / "run.csv"), "-q"]) == 0
    rows = pd.read_csv(tmp_path / "run.csv")
    # (no clock_time: write_edf's files start at EDF's 1985 placeholder, an unknown clock)
    assert rows.columns.tolist()[:12] == [
        "recording", "window", "window_number", "onset_s", "clock_s", "subject",
        "label_site", "age",
        "manifest_label", "annotations_file", "annotations", "bad",
    ]  # fmt: skip
    assert rows["subject"].tolist() == table["subject"].tolist()
    assert rows["label_site"].tolist() == ["a", "a", "b", "b"]
    np.testing.assert_array_equal(rows["age"], [31.0, 31.0, np.nan, np.nan])
    assert rows["manifest_label"].tolist() == ["seiz", "seiz", "bckg", "bckg"]
    assert rows["annotations_file"].tolist() == table["annotations_file"].tolist()
    assert main(["export", str(run), "-o", str(tmp_path / "run.mat")]) == 0
    assert "2 sets of channels" in capsys.readouterr().err
    kinds = {name: kind for name, _, kind in scipy.io.whosmat(tmp_path / "run.mat")}
    assert kinds["subject"] == kinds["manifest_label"] == kinds["channel_sets"] == "cell"
    assert kinds["age"] == kinds["channel_set"] == "double"
    s = scipy.io.loadmat(tmp_path / "run.mat")
    cells = lambda name: [c[0] for c in s[name].ravel()]  # noqa: E731
    assert cells("subject") == ["s01", "s01", "s02", "s02"]
    assert cells("label_site") == ["a", "a", "b", "b"]
    assert cells("manifest_label") == ["seiz", "seiz", "bckg", "bckg"]
    assert cells("annotations_file") == table["annotations_file"].tolist()
    np.testing.assert_array_equal(s["age"].ravel(), [31.0, 31.0, np.nan, np.nan])
    assert "channels" not in s and "label" not in s
    sets = [[c[0] for c in names.ravel()] for names in s["channel_sets"].ravel()]
    assert len(sets) == 2 and set(sets[0]) - set(sets[1]) == {"FZ"}
    np.testing.assert_array_equal(s["channel_set"].ravel(), [1, 1, 2, 2])


def test_windows_zero_padded_past_the_end_are_marked(tmp_path):
    """--tail pad: the padded last window of a file and of a run's recordings is `padded`
    (logical in the .mat, a column of the CSV); exports without padding have no such variable."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw, _ = synthetic_raw(minutes=0.15, seed=0)  # 9 s: 2 whole windows and 1 s left
    write_edf(raw, corpus / "rec.edf")
    model = EEGPT("tiny2")
    emb = model.embed(corpus / "rec.edf", tail="pad")
    emb.save(tmp_path / "rec.npz")
    assert main(["export", str(tmp_path / "rec.npz"), "-o", str(tmp_path / "rec.mat"), "-q"]) == 0
    assert scipy.io.loadmat(tmp_path / "rec.mat")["padded"].ravel().tolist() == [0, 0, 1]
    run = tmp_path / "run"
    embed_dataset(corpus, run, model=model, workers=0, device="cpu", progress=False, tail="pad")
    assert main(["export", str(run), "-o", str(tmp_path / "run.csv"), "-q"]) == 0
    assert pd.read_csv(tmp_path / "run.csv")["padded"].tolist() == [False, False, True]
    plain = model.embed(corpus / "rec.edf").save(tmp_path / "plain.npz")
    assert main(["export", str(plain), "-o", str(tmp_path / "plain.mat"), "-q"]) == 0
    assert "padded" not in scipy.io.loadmat(tmp_path / "plain.mat")


def test_the_padded_window_of_a_week_long_recording_is_the_last_one_only():
    """The padded window is found by its onset within half a sample (a relative tolerance
    would take the one before it too, 4 s before the end of a week), or by its index."""
    onsets = np.arange(151_200) * 4.0  # a week of 4 s windows
    emb = Embeddings(np.zeros((len(onsets), 1, 1, 1), np.float32), onsets,
                     {"padded_tail": {"onset_s": onsets[-1], "recorded_s": 1.0},
                      "preprocessing": {"sfreq": 256.0}})  # fmt: skip
    assert np.flatnonzero(export._file_padded(emb)).tolist() == [151_199]
    emb.metadata["padded_tail"]["window"] = 151_199
    assert np.flatnonzero(export._file_padded(emb)).tolist() == [151_199]


def test_the_export_line_counts_one_recording_in_the_singular(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import eegpt.export

    monkeypatch.setattr(eegpt.export, "exported_shape", lambda windows, pool: (15, 512))
    out = tmp_path / "x.csv"
    out.write_text("x")

    class Windows(SimpleNamespace):
        def __len__(self):
            return 15

    one = Windows(recordings=["a"] * 15, channels=None, channel_sets=None, clock_unrecorded=False)
    assert eegpt.export.describe_export(one, out, "none").startswith("15 windows of 1 recording ->")


def test_metadata_names_matlab_cuts_or_changes_stay_apart_and_are_listed(tmp_path):
    """Columns whose MATLAB names meet once cut to 63 characters (or once made valid: 'É' and
    'x_' both 'x_') are all kept, as <name>_2, <name>_3 within 63 characters, and the .mat
    lists each column's original name beside its variable (column_names, column_variables)."""
    from eegpt.outputs import metadata_record

    emb = epochs_embeddings()
    long = "questionnaire_item_response_time_after_stimulus_onset_in_milliseconds_"
    table = pd.DataFrame(
        {long + "A": [1.0] * 5, long + "B": [2.0] * 5, long + "C": [3.0] * 5,
         "x_": [4.0] * 5, "É": [5.0] * 5, "window number": [6.0] * 5},
        index=[0, 2, 3, 5, 6],
    )  # fmt: skip
    emb.metadata["epochs_metadata"] = metadata_record(table)
    path = emb.save(tmp_path / "long.npz")
    assert main(["export", str(path), "-o", str(tmp_path / "long.mat"), "-q"]) == 0
    s = scipy.io.loadmat(tmp_path / "long.mat")
    cells = lambda name: [c[0] for c in s[name].ravel()]  # noqa: E731
    names = cells("column_variables")
    assert cells("column_names") == table.columns.tolist()
    assert names == [
        long[:63], long[:61] + "_2", long[:61] + "_3", "x_", "x__2", "metadata_window_number"
    ]  # fmt: skip
    assert all(len(name) <= 63 for name in names)
    for name, value in zip(names, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], strict=True):
        np.testing.assert_array_equal(s[name].ravel(), [value] * 5)  # none overwritten
    np.testing.assert_array_equal(s["window_number"].ravel(), [1, 3, 4, 6, 7])


def test_mat_gives_the_recordings_rate_beside_the_windows(tmp_path):
    """sfreq is the rate of the windows the model saw; recording_sfreq the recording's."""
    emb = epochs_embeddings()
    emb.metadata["sfreq_in"] = 1000.0
    path = emb.save(tmp_path / "rate.npz")
    assert main(["export", str(path), "-o", str(tmp_path / "rate.mat"), "-q"]) == 0
    s = scipy.io.loadmat(tmp_path / "rate.mat")
    assert s["sfreq"].item() == 256.0 and s["recording_sfreq"].item() == 1000.0


def test_a_corpus_runs_mat_gives_each_windows_recording_rate(tmp_path):
    """A file's .mat held recording_sfreq, a corpus run's did not: it holds each window's
    recording's rate (double per window, as recording and path)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i, sfreq in enumerate((250.0, 200.0)):
        raw, _ = synthetic_raw(minutes=0.15, sfreq=sfreq, seed=i)  # 9 s: 2 windows each
        write_edf(raw, corpus / f"rec{i}.edf")
    run = tmp_path / "run"
    embed_dataset(corpus, run, model=EEGPT("tiny2"), workers=0, device="cpu", progress=False)
    table, _ = read_embeddings(run)
    assert main(["export", str(run), "-o", str(tmp_path / "run.mat"), "-q"]) == 0
    s = scipy.io.loadmat(tmp_path / "run.mat")
    rates = {"rec0.edf": 250.0, "rec1.edf": 200.0}
    expected = [rates[rid] for rid in table["recording_id"]]
    np.testing.assert_array_equal(s["recording_sfreq"].ravel(), expected)
    assert s["sfreq"].item() == 256.0  # the windows the model saw


def test_the_helps_matlab_recipes_restore_the_pooled_arrays(npz, tmp_path):
    """The MATLAB calls export --help gives restore [n, N, S, D] (and [n, S, D], [n, N, D])
    from the flattened rows, simulated with MATLAB's column-major reshape (numpy order='F');
    the mean recipe gives [n, D] for one window too."""
    from eegpt.cli import EXPORT_EPILOG

    path, emb = npz
    n, N, S, D = emb.data.shape
    recipes = {
        "flatten": ("permute(reshape(E.', D, S, N, n), [4 3 2 1])", (D, S, N, n), emb.data),
        "mean_patches": ("permute(reshape(E.', D, S, n), [3 2 1])", (D, S, n), emb.data.mean(1)),
        "mean_tokens": ("permute(reshape(E.', D, N, n), [3 2 1])", (D, N, n), emb.data.mean(2)),
    }
    for pool, (recipe, shape, expected) in recipes.items():
        assert recipe in EXPORT_EPILOG
        out = tmp_path / f"{pool}.mat"
        assert main(["export", str(path), "-o", str(out), "--pool", pool, "-q"]) == 0
        E = scipy.io.loadmat(out)["embeddings"]
        restored = np.reshape(E.T, shape, order="F").transpose(range(len(shape))[::-1])
        np.testing.assert_allclose(restored, expected, rtol=1e-5, atol=1e-6)
    assert "reshape(mean(S.embeddings, [2 3]), size(S.embeddings, 1), [])" in EXPORT_EPILOG
    one = emb.data[:1].mean(axis=(1, 2), keepdims=True)  # mean(S.embeddings, [2 3]): 1x1x1xD
    assert np.reshape(one, (1, -1), order="F").shape == (1, D)


def test_a_corpus_runs_shard_footers_are_read_once_by_export(tmp_path, monkeypatch):
    """Exporting a corpus run reads each shard's settings and file statuses once (its users:
    the settings, the recordings' rates, the clock, whether a time base was recorded), beside
    what reading its embeddings reads."""
    import eegpt.dataset_read as dataset_read
    import eegpt.shard_checks as shard_checks
    from eegpt.dataset_folders import shard_files

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(2):
        raw, _ = synthetic_raw(minutes=0.15, sfreq=250.0, seed=i)
        write_edf(raw, corpus / f"rec{i}.edf")
    run = tmp_path / "run"
    embed_dataset(corpus, run, model=EEGPT("tiny2"), workers=0, device="cpu", progress=False)
    calls: list[Path] = []
    real = shard_checks.read_shard_status

    def counted(path, footer=None):
        calls.append(Path(path))
        return real(path, footer)

    # where read_embeddings looks it up, and where export does
    monkeypatch.setattr(dataset_read, "read_shard_status", counted)
    monkeypatch.setattr(shard_checks, "read_shard_status", counted)
    read_embeddings(run, expand_metadata=False)
    by_reading = len(calls)
    calls.clear()
    export._read_run(run)
    assert len(calls) == by_reading + len(shard_files(run))


def test_csv_keeps_float64_onsets_and_metadata_exactly(tmp_path):
    """float64 onsets and metadata read back as the same doubles (once cut to 9 digits: pi as
    3.14159265, a Unix time as 1.7092872e+09), float32 embeddings as the same singles, and a
    nullable integer column stays integers ("1", not "1.0")."""
    emb = epochs_embeddings()
    onsets = np.array([0.5, 2.5, 3.5, 5.5, 86399.00390625])  # a day in, on a 256 Hz sample
    emb = Embeddings(emb.data, onsets, emb.metadata)
    emb.metadata["epochs_metadata"] = metadata_record(
        pd.DataFrame(
            {
                "rt": [0.1 + 0.2, np.pi, 1e-300, np.nan, 2.0 / 3.0],
                "unix_s": [1709287200.123456, 1709287204.5, 1709287208.25, 1.0, 2.0],
                "trial": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            }
        )
    )
    out = export.export_embeddings(emb.save(tmp_path / "erp.parquet"), tmp_path / "erp.csv")
    # pandas' default parser may miss the last bit of some ('0.30000000000000004' as 0.3, as
    # on the GPU machine's pandas): its round-trip parser reads them exactly (docs/outputs.md)
    table = pd.read_csv(out, float_precision="round_trip")
    np.testing.assert_array_equal(table["onset_s"].to_numpy(), onsets)
    meta = emb.epochs_metadata
    np.testing.assert_array_equal(table["rt"].to_numpy(), meta["rt"].to_numpy())
    np.testing.assert_array_equal(table["unix_s"].to_numpy(), meta["unix_s"].to_numpy())
    assert out.read_text().splitlines()[1].split(",")[table.columns.get_loc("trial")] == "1"
    features = [f"eegpt_d{k}" for k in range(8)]
    got = pd.read_csv(out, dtype=dict.fromkeys(features, np.float32))[features].to_numpy()
    np.testing.assert_array_equal(got, emb.pooled("mean"))


def test_nullable_integers_beyond_2_53_keep_every_digit_in_files_and_csv(tmp_path):
    """A nullable integer column with a gap (pandas reads such JSON as floats) keeps integers
    beyond 2**53 (once rounded: 9007199254740993 as ...992) through .npz/.parquet and CSV."""
    emb = epochs_embeddings()
    big = 2**53 + 1
    table = pd.DataFrame(
        {
            "sample": pd.array([big, None, 3, big + 2, 5], dtype="Int64"),
            "id": pd.array([2**64 - 1, 1, None, 2, 3], dtype="UInt64"),
        }
    )
    emb.metadata["epochs_metadata"] = metadata_record(table)
    for name in ("erp.npz", "erp.parquet"):
        back = export.load_embeddings(emb.save(tmp_path / name)).epochs_metadata
        pd.testing.assert_frame_equal(back, table)
    out = export.export_embeddings(tmp_path / "erp.npz", tmp_path / "erp.csv")
    rows = pd.read_csv(out, dtype={"sample": "Int64", "id": "UInt64"})
    pd.testing.assert_frame_equal(rows[["sample", "id"]], table)


def test_mat_keeps_integers_beyond_2_53_as_int64_and_warns_where_it_cannot(tmp_path):
    """An integer column with a value beyond 2**53 (a sample index, an id, nanoseconds) is
    int64 in the .mat file (uint64 beyond int64), every digit kept (as double, 9007199254740993
    was ...992); small integers stay double; a column with a missing value (NaN, double) is
    named in a warning, as its integers round."""
    emb = epochs_embeddings()
    big = 2**53 + 1
    table = pd.DataFrame(
        {
            "sample": np.array([big, -big, 5, 7, 2**62 + 1], dtype=np.int64),
            "id": np.array([2**64 - 1, 1, 2, 3, 4], dtype=np.uint64),
            "trial": np.array([1, 2, 3, 4, 5], dtype=np.int64),
            "clock_ns": pd.array([big, None, 3, 4, 5], dtype="Int64"),
            "count": pd.array([1, None, 3, 4, 5], dtype="Int64"),
        }
    )
    emb.metadata["epochs_metadata"] = metadata_record(table)
    path = emb.save(tmp_path / "erp.npz")
    with pytest.warns(RuntimeWarning, match=r"'clock_ns' hold integers beyond 2\*\*53") as caught:
        export.export_embeddings(path, tmp_path / "erp.mat")
    assert "'count'" not in str(caught[0].message)  # small: NaN and doubles hold them
    kinds = {name: kind for name, _, kind in scipy.io.whosmat(tmp_path / "erp.mat")}
    assert (kinds["sample"], kinds["id"], kinds["trial"]) == ("int64", "uint64", "double")
    assert kinds["clock_ns"] == kinds["count"] == "double"
    s = scipy.io.loadmat(tmp_path / "erp.mat")
    assert s["sample"].ravel().tolist() == table["sample"].tolist()
    assert s["id"].ravel().tolist() == table["id"].tolist()
    assert s["trial"].ravel().tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_mat_writes_a_date_column_in_one_iso_format(tmp_path):
    """Dates of the epochs' metadata are ISO 8601 text in one format per column, offsets kept
    (str of each left out a whole second's fraction: '2024-03-31 01:30:00+01:00' beside
    '... 10:00:00.123456+01:00', which one MATLAB InputFormat reads as NaT), '' where missing."""
    from datetime import datetime

    emb = epochs_embeddings()
    when = ["2024-01-01 10:00:00.123456", None, "2024-03-31 01:30:00", "2024-10-27 02:30:00",
            "2024-01-01 00:00:00"]  # fmt: skip
    table = pd.DataFrame(
        {
            "when": pd.to_datetime(when, format="ISO8601").tz_localize(
                "Europe/Berlin", ambiguous=True
            ),
            "day": pd.to_datetime(["2024-01-01", "2024-01-02", None, "2024-01-04", "2024-01-05"]),
        }
    )
    emb.metadata["epochs_metadata"] = metadata_record(table)
    export.export_embeddings(emb.save(tmp_path / "erp.npz"), tmp_path / "erp.mat")
    s = scipy.io.loadmat(tmp_path / "erp.mat")
    cells = lambda name: [c[0] if c.size else "" for c in s[name].ravel()]  # noqa: E731
    texts = cells("when")
    assert texts[1] == "" and texts[2] == "2024-03-31T01:30:00.000000+01:00"
    for text, moment in zip(texts, table["when"], strict=True):
        if text:
            assert pd.Timestamp(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")) == moment
    assert cells("day") == ["2024-01-01T00:00:00", "2024-01-02T00:00:00", "",
                            "2024-01-04T00:00:00", "2024-01-05T00:00:00"]  # fmt: skip


def test_csv_quotes_text_with_a_carriage_return(tmp_path):
    """A text cell holding a carriage return ('a\\rb'), once written bare (Python's csv quotes
    only the line end's characters), broke its row in two for readers; every text reads back
    as written, one row per window (commas, quotes and line breaks too)."""
    emb = epochs_embeddings()
    texts = ["a\rb", "c\r\nd", 'e,"f"\ng', "plain", ""]
    emb.metadata["epochs_metadata"] = metadata_record(pd.DataFrame({"note\rx": texts}))
    out = export.export_embeddings(emb.save(tmp_path / "erp.npz"), tmp_path / "erp.csv")
    rows = pd.read_csv(out, keep_default_na=False)
    assert len(rows) == len(texts) and rows["note\rx"].tolist() == texts
    assert rows["label"].tolist() == emb.metadata["labels"]
    # a table with no carriage return keeps its \n line ends, byte for byte as before
    emb.metadata["epochs_metadata"] = metadata_record(pd.DataFrame({"note": ["x\ny"] * 5}))
    plain = export.export_embeddings(emb.save(tmp_path / "plain.npz"), tmp_path / "plain.csv")
    assert (
        b"\r" not in plain.read_bytes() and plain.read_bytes().count(b"\n") == 11
    )  # 6 lines, 5 in cells


def test_a_runs_metadata_integers_beyond_int64_with_gaps_are_read_exactly():
    """A corpus run's epochs_metadata JSON integers with gaps (rows of other recordings) are
    nullable integers: UInt64 where one is beyond int64 (once an OverflowError that stopped
    read_embeddings and export), every digit kept."""
    from eegpt.window_tables import expand_metadata_column

    rows = [{"id": 2**64 - 1, "sample": 2**53 + 1}, None, {"id": 1, "sample": 3}]
    frame = pd.DataFrame({"epochs_metadata": [None if r is None else json.dumps(r) for r in rows]})
    wide = expand_metadata_column(frame, ["epochs_metadata"])
    assert str(wide["id"].dtype) == "UInt64" and str(wide["sample"].dtype) == "Int64"
    assert wide["id"].tolist() == [2**64 - 1, pd.NA, 1]
    assert wide["sample"].tolist() == [2**53 + 1, pd.NA, 3]


def test_mat_writes_booleans_with_missing_values_as_double(tmp_path):
    """A column of True/False with missing values (None, NaN: pandas keeps it as objects) is
    double, NaN where missing, as a boolean dtype's is and the docs say (it was cellstr 'True',
    'False', ''); strings of 'True' stay text."""
    emb = epochs_embeddings()
    table = pd.DataFrame(
        {
            "correct": [True, None, False, True, np.nan],
            "answer": ["True", "False", None, "True", "True"],
        }
    )
    assert table["correct"].dtype == object
    emb.metadata["epochs_metadata"] = metadata_record(table)
    export.export_embeddings(emb.save(tmp_path / "erp.npz"), tmp_path / "erp.mat")
    kinds = {name: kind for name, _, kind in scipy.io.whosmat(tmp_path / "erp.mat")}
    assert kinds["correct"] == "double" and kinds["answer"] == "cell"
    s = scipy.io.loadmat(tmp_path / "erp.mat")
    np.testing.assert_array_equal(s["correct"].ravel(), [1.0, np.nan, 0.0, 1.0, np.nan])


def test_mat_gives_durations_in_seconds_beside_their_text(tmp_path):
    """A metadata column of durations (timedelta64) was only cellstr of pandas' text ('0 days
    00:00:00.500000'), which MATLAB's duration does not read: <name>_s holds its seconds,
    double, NaN where missing, beside the text as before (kept for readers of it); a name
    taken (onset_s, another column's) is numbered. The .csv keeps pandas' text."""
    emb = epochs_embeddings()
    seconds = [0.5, 1.25, None, 30.0, 86400.000001]
    table = pd.DataFrame({"rt": pd.to_timedelta(seconds, unit="s"), "rt_s": [1, 2, 3, 4, 5],
                          "onset": pd.to_timedelta([1, 2, 3, 4, 5], unit="ms")})  # fmt: skip
    emb.metadata["epochs_metadata"] = metadata_record(table)
    npz = emb.save(tmp_path / "erp.npz")
    s = scipy.io.loadmat(export.export_embeddings(npz, tmp_path / "erp.mat"))
    np.testing.assert_array_equal(s["rt_s_2"].ravel(), [0.5, 1.25, np.nan, 30.0, 86400.000001])
    assert s["rt_s_2"].dtype == np.float64
    np.testing.assert_array_equal(s["rt_s"].ravel(), [1, 2, 3, 4, 5])  # the column of its own
    np.testing.assert_allclose(s["onset_s_2"].ravel(), [0.001, 0.002, 0.003, 0.004, 0.005])
    np.testing.assert_array_equal(s["onset_s"].ravel(), emb.onsets)
    texts = [c[0] if c.size else "" for c in s["rt"].ravel()]
    assert texts[:3] == ["0 days 00:00:00.500000", "0 days 00:00:01.250000", ""]
    names = [str(c[0]) for c in s["column_names"].ravel()]
    assert names == ["rt", "rt_s", "onset"]  # one variable per column, as before
    rows = pd.read_csv(export.export_embeddings(npz, tmp_path / "erp.csv"))
    assert "rt_s_2" not in rows and pd.to_timedelta(rows["rt"]).dt.total_seconds().iloc[1] == 1.25


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_embeddings_larger_than_memory_are_refused_before_they_are_read(
    tmp_path, capsys, monkeypatch, suffix
):
    """A long recording's embeddings (every summary token of 72 h of the large model: 8.5 GB)
    read by load_embeddings or eegpt export on a laptop: refused before the read, saying how
    much they need and what to do, rather than left to the out-of-memory killer; eegpt info,
    which reads no embeddings, still describes the file."""
    import eegpt.memory_checks
    from eegpt.embeddings_loading import load_embeddings
    from eegpt.errors import InsufficientMemoryError

    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    path = epochs_embeddings().save(tmp_path / f"long{suffix}")  # 5 x 4 x 4 x 8 float32: 2560 B
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: 4000)
    with pytest.raises(InsufficientMemoryError, match=r"needs at least") as caught:
        load_embeddings(path)
    assert isinstance(caught.value, MemoryError)
    assert "[5, 4, 4, 8] float32" in str(caught.value) and "--pool mean" in str(caught.value)
    assert main(["export", str(path), "-o", str(tmp_path / "long.csv")]) == 1
    err = capsys.readouterr().err
    assert "eegpt: error:" in err and "memory available" in err and "Traceback" not in err
    assert not (tmp_path / "long.csv").exists()
    assert main(["info", str(path)]) == 0  # the outline: no embeddings read
    assert "5 windows" in capsys.readouterr().out
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: 10**9)
    assert load_embeddings(path).data.shape == (5, 4, 4, 8)


def test_the_memory_refusals_are_in_the_raises_sections():
    """load_embeddings and embed (model.embed) raise InsufficientMemoryError where what they
    would hold does not fit (tested above and in test_io): their Raises sections name it, as
    read_embeddings's does (they named other errors only)."""
    import eegpt

    for function in (eegpt.load_embeddings, eegpt.embed, eegpt.read_embeddings):
        raises = (function.__doc__ or "").split("Raises\n")[1]
        assert "    eegpt.errors.InsufficientMemoryError\n" in raises, function.__name__


def test_the_docs_name_every_variable_and_column_an_export_writes() -> None:
    """docs/outputs.md names each variable a ``.mat`` export can write (``S.NAME``) and each
    column of a CSV export: ``S.pool`` and ``S.source`` were written but named nowhere."""
    from pathlib import Path

    from eegpt.export import CSV_COLUMNS, MAT_VARIABLES

    text = (Path(__file__).parents[1] / "docs" / "outputs.md").read_text(encoding="utf-8")
    assert sorted(v for v in MAT_VARIABLES if f"`S.{v}`" not in text) == []
    csv = " ".join(text.split("`-o out.csv`", 1)[1].split("`eegpt_d0`", 1)[0].split())
    assert sorted(c for c in CSV_COLUMNS if c not in csv) == []


def test_export_help_lists_the_csv_columns_written_in_their_order(tmp_path, capsys):
    """`eegpt export --help` listed the CSV's columns without flat_channels, clipped_channels,
    flagged and flags_recorded, which are written: every column a CSV export writes (but
    the embedding's) is named in the help's .csv paragraph, in the order written."""
    import re

    emb = epochs_embeddings()  # labels, annotations (one bad); flags and padding added
    flags = {"flat_channels": [[], ["FZ"], [], [], []], "clipped_channels": [[]] * 5}
    path = Embeddings(emb.data, emb.onsets, {**emb.metadata, **flags, "padded_epochs": True})
    path = path.save(tmp_path / "erp.npz")
    out = tmp_path / "erp.csv"
    assert main(["export", str(path), "-o", str(out), "-q"]) == 0
    written = [c for c in pd.read_csv(out, nrows=0).columns if not c.startswith("eegpt_d")]
    assert {"flat_channels", "flagged", "flags_recorded", "padded"} <= set(written)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    text = capsys.readouterr().out.split("\n.csv: one row per window:", 1)[1]
    listed = re.findall(r"[a-z_]+", text.split("\n\n", 1)[0])
    assert [c for c in listed if c in written] == [c for c in written if c in listed]
    assert set(written) <= set(listed), sorted(set(written) - set(listed))
