"""What `eegpt info` says of a probe's outputs and their provenance: prediction tables whose
data changed since `eegpt probe predict` wrote them (exit status 3), the JSON of `eegpt probe
evaluate --json`, and the files a probe was trained on (`--labels`, the file in-memory data
were read from). SYNTHETIC data and the small random-weight encoder of conftest.py."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from eegpt.checkpoints import load_model
from eegpt.cli import main
from eegpt.errors import EEGPTWarning
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import synthetic_erp_epochs, train_probe
from eegpt.probe_cli import PREDICTIONS_KEY
from eegpt.probe_cli import main as probe_main

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ONE_SECOND = PreprocessingConfig(window_seconds=1.0)


@pytest.fixture(scope="module")
def trained(weights, tmp_path_factory):
    """A probe folder trained in Python on epochs read from a file, and a test file."""
    folder = tmp_path_factory.mktemp("trained")
    train = folder / "train-epo.fif"
    synthetic_erp_epochs(16, seed=5, seconds=1.0, tmin=-0.2).save(train, verbose=False)
    test = folder / "test-epo.fif"
    synthetic_erp_epochs(12, seed=6, seconds=1.0, tmin=-0.2).save(test, verbose=False)
    import mne

    epochs = mne.read_epochs(train, verbose=False)  # in memory, read from train-epo.fif
    model = load_model(weights, verbose=False)
    probe = train_probe(model, epochs, preprocessing=ONE_SECOND, epochs=1)
    return probe.save(folder / "probe"), train, test


def _rewritten(table, path, **kwargs) -> None:
    """``table`` written to ``path`` with its schema metadata (eegpt_predictions) kept."""
    metadata = table.schema.metadata
    pq.write_table(table.replace_schema_metadata(metadata), path, **kwargs)


def test_info_tells_a_parquet_prediction_table_whose_rows_were_edited(trained, tmp_path, capsys):
    """A Parquet prediction table records the SHA-256 of its data in its metadata: rows edited
    and written back with the metadata kept are STALE (exit 3); the same data rewritten in
    other row groups and chunks are not; a table without the digest (an older eegpt's) is
    described as before, its data said unchecked."""
    folder, _, test = trained
    pred = tmp_path / "pred.parquet"
    assert probe_main(["predict", str(folder), str(test), "-q", "-o", str(pred)]) == 0
    record = json.loads(pq.read_schema(pred).metadata[PREDICTIONS_KEY.encode()])
    assert record["data"]["rows"] == 12 and len(record["data"]["sha256"]) == 64
    capsys.readouterr()
    assert main(["info", str(pred)]) == 0
    said = capsys.readouterr().out
    assert "STALE" not in said and "cannot be checked" not in said

    table = pq.read_table(pred)
    relaid = pa.concat_tables([table.slice(0, 5), table.slice(5, 4), table.slice(9)])
    assert relaid.column("prediction").num_chunks == 3
    same = tmp_path / "same.parquet"
    _rewritten(relaid, same, row_group_size=4)
    assert pq.ParquetFile(same).metadata.num_row_groups == 3
    assert main(["info", str(same)]) == 0
    assert "STALE" not in capsys.readouterr().out

    flipped = ["target" if v == "standard" else "standard" for v in table["prediction"].to_pylist()]
    edited = table.set_column(
        table.column_names.index("prediction"), "prediction", pa.array(flipped)
    )
    for name, changed in [
        ("edited.parquet", edited),
        ("fewer.parquet", table.slice(1)),
        ("nudged.parquet", table.set_column(
            table.column_names.index("p_target"), "p_target",
            pa.array([v + 1e-9 for v in table["p_target"].to_pylist()]),
        )),
    ]:  # fmt: skip
        _rewritten(changed, tmp_path / name)
        assert main(["info", str(tmp_path / name)]) == 3, name
        said = capsys.readouterr().out
        assert "STALE: the table's data changed since eegpt probe predict wrote it" in said
        assert f"probe: {folder}" in said  # what its metadata says, still shown

    del record["data"]  # as eegpt wrote it before it recorded the digest
    old = tmp_path / "old.parquet"
    pq.write_table(edited.replace_schema_metadata({PREDICTIONS_KEY: json.dumps(record)}), old)
    assert main(["info", str(old)]) == 0
    said = capsys.readouterr().out
    assert "EEGPT probe predictions: 12 rows" in said and "STALE" not in said
    assert "records no digest of its data (an older eegpt's): the rows cannot be checked" in said


def test_predictions_record_the_precision_device_and_batch_size_they_ran_in(
    trained, tmp_path, capsys
):
    """A prediction table's provenance named the probe, inputs and versions but not how the
    encoder ran: bfloat16 moves the probabilities by ~1e-3 and a table said nothing of it
    (only the command line, absent from Python). Recorded now as ``inference``, as
    embeddings record theirs, and shown by ``eegpt info``."""
    folder, _, test = trained
    for name, extra, said in [
        ("plain", [], "encoder run in float32 on cpu, the device's default batch size"),
        ("bf16", ["--precision", "bf16", "--batch-size", "3"], "in bfloat16 on cpu, batches of 3"),
    ]:
        pred = tmp_path / f"{name}.parquet"
        args = ["predict", str(folder), str(test), "-q", "-o", str(pred), "--device", "cpu"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # bfloat16 emulated on this CPU: said, and fine
            assert probe_main([*args, *extra]) == 0
        record = json.loads(pq.read_schema(pred).metadata[PREDICTIONS_KEY.encode()])
        inference = record["provenance"]["inference"]
        assert inference["device"] == "cpu" and "stream_precision" not in inference
        assert inference["precision"] == ("bfloat16" if extra else "float32")
        assert inference["batch_size"] == (3 if extra else None)
        capsys.readouterr()
        assert main(["info", str(pred)]) == 0
        assert said in capsys.readouterr().out


def _pandas_round_trip(table):
    """``table`` read into pandas and back, unedited, its schema metadata restored."""
    back = pa.Table.from_pandas(table.to_pandas(), preserve_index=False)
    return back.replace_schema_metadata(table.schema.metadata)


def test_a_table_through_pandas_unedited_keeps_its_digest(tmp_path):
    """The Parquet data digest hashed Arrow types: a table read into pandas and written back
    unedited was STALE (an int column with nulls comes back float64, a float NaN null,
    string_view took the JSON branch). v2 hashes values: numbers as one kind, NaN and null as
    one missing value, string-like types as text; an edited value is still told, and a
    table of v1 is still checked with v1."""
    from eegpt.probe_provenance import (
        DATA_DIGEST_METHOD,
        DATA_DIGEST_METHOD_V1,
        parquet_staleness,
        table_data_digest,
    )

    table = pa.table({
        "epoch": pa.array([0, 1, 2, 3], pa.int64()),
        "label": pa.array([1, None, 3, 4], pa.int64()),  # float64 through pandas
        "p": pa.array([0.25, float("nan"), 0.5, 0.125]),  # NaN: null through pandas
        "prediction": pa.array(["a", "b", None, "a"]),
        "cls": pa.array(["x", "y", "x", "x"]).dictionary_encode(),
        "raw": pa.array([b"1", None, b"", b"22"], pa.binary()),
    })  # fmt: skip
    back = _pandas_round_trip(table)
    assert back.schema.field("label").type == pa.float64()  # as pandas gives it
    assert table_data_digest(back) == table_data_digest(table)
    assert table_data_digest(back, DATA_DIGEST_METHOD_V1) != table_data_digest(
        table, DATA_DIGEST_METHOD_V1
    )  # the old method's false STALE
    assert table_data_digest(table.cast(pa.schema([
        pa.field("epoch", pa.int32()), pa.field("label", pa.float32()), pa.field("p", pa.float64()),
        pa.field("prediction", pa.large_string()), pa.field("cls", pa.string()),
        pa.field("raw", pa.large_binary()),
    ]))) == table_data_digest(table)  # fmt: skip
    if hasattr(pa, "string_view"):
        views = table.set_column(3, "prediction", table["prediction"].cast(pa.string_view()))
        views = views.set_column(5, "raw", table["raw"].cast(pa.binary_view()))
        assert table_data_digest(views) == table_data_digest(table)
    # an edit is told: a value, a missing one filled, a number's type kept but not its value
    for column, values in [
        ("label", pa.array([1, 2, 3, 4], pa.int64())),
        ("p", pa.array([0.25, 0.0, 0.5, 0.125])),
        ("p", pa.array([0.25, float("nan"), 0.5, 0.125 + 1e-12])),
        ("prediction", pa.array(["a", "b", "", "a"])),
        ("epoch", pa.array([0, 1, 2, 2**53 + 1], pa.int64())),
    ]:
        edited = table.set_column(table.column_names.index(column), column, values)
        assert table_data_digest(edited) != table_data_digest(table), (column, values)
    big = pa.table({"n": pa.array([2**63 - 1, 5], pa.int64())})  # not all exact float64
    assert table_data_digest(big) != table_data_digest(
        pa.table({"n": pa.array([float(2**63 - 1), 5.0])})
    )

    # through files: a v2 record matches the pandas copy; a v1 record its table as written
    for method in (DATA_DIGEST_METHOD, DATA_DIGEST_METHOD_V1):
        record = {"data": {"rows": 4, "sha256": table_data_digest(table, method),
                           "method": method}}  # fmt: skip
        path = tmp_path / f"{method}.parquet"
        pq.write_table(table, path)
        assert parquet_staleness(record, path) is None, method
        edited = table.set_column(2, "p", pa.array([0.25, float("nan"), 0.5, 1.0]))
        pq.write_table(edited, path)
        assert parquet_staleness(record, path).startswith("STALE"), method
    record = {"data": {"rows": 4, "sha256": table_data_digest(table), "method": DATA_DIGEST_METHOD}}
    pq.write_table(_pandas_round_trip(table), tmp_path / "back.parquet")
    assert parquet_staleness(record, tmp_path / "back.parquet") is None


def test_info_does_not_call_a_prediction_table_through_pandas_stale(trained, tmp_path, capsys):
    """probe predict -o X.parquet, read into pandas and written back unedited with its
    metadata: eegpt info finds it as written (exit 0), not STALE."""
    folder, _, test = trained
    pred = tmp_path / "pred.parquet"
    assert probe_main(["predict", str(folder), str(test), "-q", "-o", str(pred)]) == 0
    table = pq.read_table(pred)
    with_missing = table.set_column(  # an int column with a null: float64 through pandas
        table.column_names.index("epoch"), "epoch",
        pa.array([None, *table["epoch"].to_pylist()[1:]], table.schema.field("epoch").type),
    )  # fmt: skip
    from eegpt.probe_provenance import table_data_record

    record = json.loads(table.schema.metadata[PREDICTIONS_KEY.encode()])
    record["data"] = table_data_record(with_missing)
    metadata = {PREDICTIONS_KEY.encode(): json.dumps(record).encode()}
    pq.write_table(_pandas_round_trip(with_missing.replace_schema_metadata(metadata)), pred)
    assert pq.read_schema(pred).field("epoch").type == pa.float64()
    capsys.readouterr()
    assert main(["info", str(pred)]) == 0
    assert "STALE" not in capsys.readouterr().out


def test_info_describes_the_json_of_probe_evaluate(trained, tmp_path, capsys):
    """`eegpt info` on the JSON of `eegpt probe evaluate --json` names the probe, the test
    files, the metrics and whether a test file holds the probe's training data; other JSON
    files are still refused, and a prediction table's sidecar is still its own kind."""
    folder, train, test = trained
    held, same = tmp_path / "held.json", tmp_path / "same.json"
    assert probe_main(["evaluate", str(folder), str(test), "-q", "--json", str(held)]) == 0
    # trained on epochs in memory read from train-epo.fif: the file is known, not the epochs
    with pytest.warns(EEGPTWarning, match="read from the same file as training input"):
        assert probe_main(["evaluate", str(folder), str(train), "-q", "--json", str(same)]) == 0
    capsys.readouterr()
    assert main(["info", str(held)]) == 0
    said = capsys.readouterr().out
    assert f"{held}: EEGPT probe evaluation (eegpt probe evaluate --json) of 12 epochs" in said
    assert "  BAC " in said and " | Cohen's kappa " in said and " | accuracy " in said
    assert "no test file holds the probe's training data" in said
    assert f"probe: {folder} (probe.safetensors sha256 " in said
    assert "data: 1 input (test-epo.fif 12 epochs)" in said
    assert "made by: eegpt probe evaluate" in said and "WARNING" not in said

    assert main(["info", str(same)]) == 0
    said = capsys.readouterr().out
    assert "WARNING: test file train-epo.fif: read from the same file as training input " \
           "train-epo.fif (the epochs may differ; eegpt cannot tell which were used)" in said  # fmt: skip
    assert "not a held-out estimate" in said and "is the probe's training data" not in said
    made = json.loads(same.read_text())["provenance"]
    assert made["overlaps_training"] == [] and made["shares_file_with_training"] == [
        "train-epo.fif"
    ]

    record = json.loads(held.read_text())
    assert next(iter(record)) == "format" and record["format"] == "eegpt-probe-evaluation/1"
    del record["provenance"]["overlaps_training"]  # as an older eegpt wrote it
    held.write_text(json.dumps(record))
    assert main(["info", str(held)]) == 0
    said = capsys.readouterr().out
    assert "test files not compared with the probe's training data" in said
    assert "epochs cropped" not in said
    record["provenance"]["crop_tmin"] = -0.2  # predict/evaluate --crop (or the probe's)
    held.write_text(json.dumps(record))
    assert main(["info", str(held)]) == 0
    said = capsys.readouterr().out
    assert "  epochs cropped to one window each from -0.2 s around their event (crop_tmin, " \
           "--crop -0.2)" in said  # fmt: skip
    del record["provenance"]["crop_tmin"]
    # evaluate --event-scoring's scores, one line per class
    # with the settings events were made by, and hits, misses and false alarms
    rates = {"sensitivity": 0.75, "precision": None, "f1": 0.5, "false_alarms_per_24h": 2.5,
             "hits": 3, "misses": 1, "false_alarms": 2}  # fmt: skip
    record["events"] = {
        "classes": ["seizure"], "window_seconds": 4.0, "hop_seconds": 2.0,
        "min_event_seconds": 10.0, "merge_gap_seconds": 6.0, "span": "centred", "hours": 25.0,
        "scores": {"seizure": {
            "scored_events": 4, "predicted_events": 5, "ovlp": rates,
            "taes": {**rates, "sensitivity": 0.4, "hits": 1.6, "misses": 2.4,
                     "false_alarms": 1.25},
        }},
    }  # fmt: skip
    held.write_text(json.dumps(record))
    assert main(["info", str(held)]) == 0
    said = capsys.readouterr().out
    assert "  event scores (evaluate --event-scoring, 25.00 h of windows; events from windows " \
           "of 4 s every 2 s, min 10 s, merge gap 6 s, span centred):\n" \
           "    seizure (4 scored, 5 predicted events) OVLP: hits 3, missed 1, false alarms 2 " \
           "| sensitivity 75.0%, precision n/a, F1 50.0%, false alarms per 24 h 2.50\n" \
           "                                           TAES: hits 1.60, missed 2.40, false " \
           "alarms 1.25 | sensitivity 40.0%," in said  # fmt: skip
    del record["events"]
    del record["format"]  # as eegpt wrote it before it marked the file: told by its keys
    held.write_text(json.dumps(record))
    assert main(["info", str(held)]) == 0
    said = capsys.readouterr().out
    assert f"{held}: EEGPT probe evaluation (eegpt probe evaluate --json) of 12 epochs" in said

    # the mark is preferred: a newer version's, or a marked file without the metrics, is
    # refused saying so; a file marked as another format is not taken for an evaluation
    for marked, error in [
        ({**record, "format": "eegpt-probe-evaluation/2"}, "a newer eegpt wrote it"),
        ({"format": "eegpt-probe-evaluation/1", "n": 3}, "lacks its metrics"),
        ({**record, "format": "something-else/1"}, "is a json file, not a checkpoint"),
    ]:
        other = tmp_path / "marked.json"
        other.write_text(json.dumps(marked))
        assert main(["info", str(other)]) == 1, marked["format"]
        assert error in capsys.readouterr().err

    for text in ('{"n": 3, "balanced_accuracy": 0.5}', "[1, 2]", "{not json"):
        other = tmp_path / "other.json"
        other.write_text(text)
        assert main(["info", str(other)]) == 1, text
        assert "is a json file, not a checkpoint" in capsys.readouterr().err


def test_info_names_the_labels_file_and_the_file_in_memory_data_were_read_from(
    weights, trained, tmp_path, capsys
):
    """`eegpt info PROBE` names the `--labels` file a probe was trained with (probe.json's
    training.labels_file: its size and fingerprint), and for data given in memory in Python
    the file MNE read them from (read_from)."""
    from eegpt._file_identity import source_files_record
    from eegpt.probe_provenance import data_record

    folder, train, _ = trained
    training = json.loads((folder / "probe.json").read_text())["training"]
    assert training["inputs"][0]["read_from"]["name"] == "train-epo.fif"
    capsys.readouterr()
    assert main(["info", str(folder)]) == 0
    said = capsys.readouterr().out
    assert "trained on: 1 input (mne.Epochs in memory read from train-epo.fif, 16 epochs" in said
    assert "labels from the file" not in said

    labels = tmp_path / "labels.csv"
    labels.write_text("label\n" + "\n".join(["a", "b"] * 8) + "\n")
    out = tmp_path / "labelled"
    assert probe_main(["train", str(train), "--labels", str(labels), "--weights", str(weights),
                       "-o", str(out), "--window", "1", "--passes", "1", "-q"]) == 0  # fmt: skip
    record = json.loads((out / "probe.json").read_text())["training"]["labels_file"]
    assert record == {"name": "labels.csv", **source_files_record(labels)}
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    said = capsys.readouterr().out
    assert "trained on: 1 file (train-epo.fif, 16 epochs: a 8, b 8)" in said
    assert (
        f"  labels from the file labels.csv (--labels; {labels.stat().st_size} bytes, "
        f"fingerprint {record['source_fingerprint'][:12]}...)"
    ) in said

    import mne

    continuous = tmp_path / "rec_raw.fif"
    mne.io.RawArray(
        np.zeros((2, 512)), mne.create_info(["Cz", "Pz"], 256.0, "eeg"), verbose=False
    ).save(continuous, verbose=False)
    [read] = data_record(mne.io.read_raw_fif(continuous, verbose=False))
    assert read["type"] == "mne.io.Raw in memory" and read["shape"] == [2, 512]
    assert read["read_from"]["name"] == "rec_raw.fif"


def test_epochs_cut_from_a_raw_record_its_file_and_evaluate_warns_of_it(
    weights, tmp_path, capsys, monkeypatch
):
    """A probe trained in Python on ``mne.Epochs(raw, events)`` of a Raw read from a file (not
    preloaded: ``epochs.filename`` is None) recorded no ``read_from``, so evaluating it on
    epochs cut from the same file said nothing. Now its training input records the Raw's
    file (fingerprinted when training starts, before the epochs are loaded), `eegpt info`
    names it, and evaluate warns of epochs cut from a fresh read of that file, not of
    another file's."""
    import warnings

    import mne

    from eegpt.probe import load_probe, synthetic_erp_raw

    def recording(name, seed):
        raw, events, event_id = synthetic_erp_raw(24, sfreq=256.0, seed=seed)
        raw.save(tmp_path / name, verbose=False)
        return events, event_id

    def cut(name, events, event_id):
        raw = mne.io.read_raw_fif(tmp_path / name, verbose=False)  # not preloaded
        return mne.Epochs(raw, events, event_id, tmin=0.0, tmax=1 - 1 / 256, baseline=None,
                          verbose=False)  # fmt: skip

    a_events, event_id = recording("a_raw.fif", 0)
    b_events, _ = recording("b_raw.fif", 1)
    training = cut("a_raw.fif", a_events, event_id)
    assert training.filename is None  # nothing but the Raw knows the file
    model = load_model(weights, verbose=False)
    probe = train_probe(model, training, preprocessing=ONE_SECOND, epochs=1)
    [given] = probe.training["inputs"]
    assert given["type"] == "mne.Epochs in memory"
    assert given["read_from"]["name"] == "a_raw.fif" and given["read_from"]["source_fingerprint"]
    folder = probe.save(tmp_path / "probe")
    capsys.readouterr()
    assert main(["info", str(folder)]) == 0
    assert "trained on: 1 input (mne.Epochs in memory read from a_raw.fif, " in (
        capsys.readouterr().out
    )

    # recorded before the data are prepared: preparing them may load the epochs, which lets
    # go of the Raw (here it does, training and held-out validation data alike)
    import eegpt.training_data

    prepare = eegpt.training_data._prepare_training_data

    def loading(data, *args, **kwargs):
        data.load_data()
        assert data._raw is None
        return prepare(data, *args, **kwargs)

    monkeypatch.setattr(eegpt.training_data, "_prepare_training_data", loading)
    loaded = train_probe(model, cut("a_raw.fif", a_events, event_id), preprocessing=ONE_SECOND,
                         validation=(cut("b_raw.fif", b_events, event_id), None), epochs=1)  # fmt: skip
    assert loaded.training["inputs"][0]["read_from"]["name"] == "a_raw.fif"
    assert loaded.training["validation"]["inputs"][0]["read_from"]["name"] == "b_raw.fif"
    monkeypatch.undo()

    probe = load_probe(folder)
    with pytest.warns(EEGPTWarning, match="test epochs from a_raw.fif: read from the same file"):
        metrics = probe.evaluate(cut("a_raw.fif", a_events, event_id))
    assert metrics["shares_file_with_training"] == ["a_raw.fif"]
    assert "overlaps_training" not in metrics
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        other = probe.evaluate(cut("b_raw.fif", b_events, event_id))
    assert "overlaps_training" not in other
    assert not [w for w in caught if "training data" in str(w.message)]


def test_info_on_a_prediction_table_rewritten_by_pandas_says_its_metadata_was_lost(
    tmp_path, capsys
):
    """pd.read_parquet(f).to_parquet(g) drops eegpt_predictions: eegpt info g says that g
    looks like a prediction table whose metadata was lost, and how to keep it (pyarrow);
    a Parquet file of other columns is still told it has no eegpt metadata."""
    import pandas as pd

    from eegpt.cli import main as cli_main

    rows = pd.DataFrame({"file": ["a.fif"] * 2, "epoch": [0, 1], "prediction": ["x", "y"],
                         "p_x": [0.6, 0.3], "p_y": [0.4, 0.7]})  # fmt: skip
    rows.to_parquet(tmp_path / "g.parquet")
    assert cli_main(["info", str(tmp_path / "g.parquet")]) == 1
    err = capsys.readouterr().err
    assert "looks like a prediction table of eegpt probe predict" in err
    assert "pandas' read_parquet(...).to_parquet(...) drops it" in err
    assert "replace_schema_metadata(original.schema.metadata)" in err
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "other.parquet")
    assert cli_main(["info", str(tmp_path / "other.parquet")]) == 1
    assert "has no eegpt metadata" in capsys.readouterr().err


def test_a_digest_by_an_unknown_method_is_not_called_an_older_eegpts(tmp_path):
    """A Parquet prediction table whose metadata records a digest by a method this eegpt does
    not know (a newer eegpt's) is said to be that, not to record no digest (an older one's)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from eegpt.probe_provenance import parquet_staleness

    table = tmp_path / "p.parquet"
    pq.write_table(pa.table({"prediction": ["a", "b"]}), table)
    said = parquet_staleness({"data": {"method": "eegpt-columns-sha256-v9"}}, table) or ""
    assert "does not know ('eegpt-columns-sha256-v9'" in said and "older" not in said
    assert "older eegpt's" in (parquet_staleness({}, table) or "")


def test_epochs_of_a_raw_of_two_files_record_both_and_evaluate_warns_of_the_second(
    weights, tmp_path, capsys
):
    """A probe trained on ``mne.Epochs`` cut from ``mne.concatenate_raws`` of two files
    recorded only the first as ``read_from``, so evaluating it on epochs of the second file
    said nothing. Now its input records both (``read_from_all``), `eegpt info` names both,
    evaluate warns of epochs of either (``shares_file_with_training``), and an anonymized
    copy names each by its file name."""
    import warnings

    import mne

    import eegpt
    from eegpt.probe import load_probe, synthetic_erp_raw

    events, event_id = {}, {}
    for seed, name in enumerate(("a_raw.fif", "b_raw.fif")):
        raw, events[name], event_id = synthetic_erp_raw(24, sfreq=256.0, seed=seed)
        raw.save(tmp_path / name, verbose=False)
    raw, events["c_raw.fif"], _ = synthetic_erp_raw(24, sfreq=256.0, seed=2)
    raw.save(tmp_path / "c_raw.fif", verbose=False)

    def cut(data, events):
        return mne.Epochs(data, events, event_id, tmin=0.0, tmax=1 - 1 / 256, baseline=None,
                          verbose=False)  # fmt: skip

    def read(name):
        return mne.io.read_raw_fif(tmp_path / name, verbose=False)

    both = mne.concatenate_raws([read("a_raw.fif"), read("b_raw.fif")])
    # the events of the concatenated Raw: b's shifted by a's samples (first_samp is 0 here)
    shift = np.array([read("a_raw.fif").n_times, 0, 0])
    training = cut(both, np.concatenate([events["a_raw.fif"], events["b_raw.fif"] + shift]))
    assert training.filename is None  # the Raw (of two files) alone knows them
    probe = train_probe(load_model(weights, verbose=False), training, preprocessing=ONE_SECOND,
                        epochs=1)  # fmt: skip
    [given] = probe.training["inputs"]
    assert given["read_from"]["name"] == "a_raw.fif"
    assert [r["name"] for r in given["read_from_all"]] == ["a_raw.fif", "b_raw.fif"]
    assert all(r["source_fingerprint"] for r in given["read_from_all"])
    folder = probe.save(tmp_path / "probe")
    capsys.readouterr()
    assert main(["info", str(folder)]) == 0
    assert "mne.Epochs in memory read from 2 files (a_raw.fif, b_raw.fif)" in (
        capsys.readouterr().out
    )
    probe = load_probe(folder)
    with pytest.warns(EEGPTWarning, match="test epochs from b_raw.fif: read from the same file"):
        metrics = probe.evaluate(cut(read("b_raw.fif"), events["b_raw.fif"]))
    assert metrics["shares_file_with_training"] == ["b_raw.fif"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        other = probe.evaluate(cut(read("c_raw.fif"), events["c_raw.fif"]))
    assert "shares_file_with_training" not in other
    assert not [w for w in caught if "same file" in str(w.message)]
    copy = eegpt.anonymize_embeddings(folder, tmp_path / "anon")
    [anon] = json.loads((copy / "probe.json").read_text())["training"]["inputs"]
    assert [r["name"] for r in anon["read_from_all"]] == ["a_raw.fif", "b_raw.fif"]
    assert str(tmp_path) not in (copy / "probe.json").read_text()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_info_describes_an_events_table(tmp_path, capsys, suffix):
    """A ``probe predict --events`` table: info says it is an events table, its events per
    class and how they were made of the windows (not "predictions: 2 rows, 2 classes"),
    and still calls it STALE (exit 3) after an edit."""
    from eegpt.probe_predictions import write_predictions

    how = {"classes": ["seizure"], "window_seconds": 4.0, "hop_seconds": 1.0,
           "min_event_seconds": 10.0, "merge_gap_seconds": 5.0, "span": "centred"}  # fmt: skip
    header = ["file", "class", "onset_s", "offset_s", "duration_s", "n_windows", "p_mean",
              "p_max"]  # fmt: skip
    rows = [["A.edf", "seizure", 50.0, 90.0, 40.0, 40, 0.8, 0.95],
            ["A.edf", "seizure", 200.0, 215.0, 15.0, 15, 0.7, 0.9]]  # fmt: skip
    path = tmp_path / f"EVENTS{suffix}"
    made = {"eegpt_version": "0", "events": how}
    write_predictions(path, header, rows, ["background", "seizure"], made)
    assert main(["info", str(path)]) == 0
    said = capsys.readouterr().out
    assert (
        "EEGPT probe events table: 2 events of class 'seizure', from windows of 4 s every 1 s, "
        "min 10 s, merge gap 5 s, span centred"
    ) in said
    assert "predictions" not in said.splitlines()[0]
    # a decision threshold (--threshold) said after the settings
    threshold = tmp_path / f"THRESHOLD{suffix}"
    made = {"eegpt_version": "0", "events": {**how, "threshold": {"seizure": 0.3}}}
    write_predictions(threshold, header, rows, ["background", "seizure"], made)
    assert main(["info", str(threshold)]) == 0
    assert "merge gap 5 s, span centred, threshold p_seizure >= 0.3\n" in capsys.readouterr().out
    if suffix == ".csv":
        path.write_text(path.read_text().replace("40.0", "41.0", 1))
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        edited = table.set_column(4, "duration_s", pq.read_table(path)["onset_s"])
        pq.write_table(edited, path)
    assert main(["info", str(path)]) == 3
    said = capsys.readouterr().out
    assert "EEGPT probe events table" in said and "STALE" in said


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet"])
def test_info_counts_a_hypnogram_table_in_scoring_epochs(tmp_path, capsys, suffix):
    """A ``probe predict --epoch-seconds`` table: info says its scoring epochs and their
    length (not "3 rows"), and those without a prediction; a table of windows keeps its
    rows."""
    from eegpt.probe_predictions import write_predictions

    header = ["file", "epoch", "onset_s", "clock_s", "duration_s", "covered_s", "prediction",
              "p_N2", "p_W", "bad"]  # fmt: skip
    rows = [["n.edf", 0, 0.0, 0.0, 30.0, 30.0, "W", 0.1, 0.9, False],
            ["n.edf", 1, 30.0, 30.0, 30.0, 30.0, "N2", 0.8, 0.2, False],
            ["n.edf", 2, 60.0, 60.0, 30.0, 0.0, None, None, None, True]]  # fmt: skip
    path = tmp_path / f"hyp{suffix}"
    write_predictions(path, header, rows, ["N2", "W"], {"eegpt_version": "0"})
    assert main(["info", str(path)]) == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.endswith(
        "EEGPT probe predictions: 3 scoring epochs of 30 s (1 without a prediction: no window "
        "counted in them), 2 classes [N2, W]"
    ), head
    windows = tmp_path / f"windows{suffix}"
    cut = [0, 1, 2, 3, 6, 7, 8]  # no duration_s, covered_s: windows
    write_predictions(windows, [header[j] for j in cut], [[r[j] for j in cut] for r in rows[:2]],
                      ["N2", "W"], {"eegpt_version": "0"})  # fmt: skip
    assert main(["info", str(windows)]) == 0
    assert "EEGPT probe predictions: 2 rows, 2 classes" in capsys.readouterr().out
