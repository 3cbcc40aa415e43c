"""`eegpt info --json` and `eegpt channels --json`: the metadata the text is made from, as JSON
objects (one per line) a pipeline parses; exit statuses as without --json."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import mne
import numpy as np
import pytest

from eegpt._json_out import json_safe
from eegpt.cli import main
from eegpt.outputs import Embeddings


def _lines(out: str) -> list[dict]:
    """The JSON objects of a command's stdout, one per line."""
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_json_safe_turns_numpy_paths_dates_and_nan_into_json_values():
    value = {
        "n": np.int64(3),
        "x": np.float32(0.5),
        "nan": float("nan"),
        "inf": np.float64("inf"),
        "a": np.arange(3),
        "p": Path("/a/b"),
        "t": datetime.datetime(2026, 12, 6, 13, 0, 1),
        "s": {"b", "a"},
        "tuple": (1, (2, float("nan"))),
        1: None,
    }
    safe = json_safe(value)
    assert json.loads(json.dumps(safe, allow_nan=False)) == {
        "n": 3, "x": 0.5, "nan": None, "inf": None, "a": [0, 1, 2], "p": "/a/b",
        "t": "2026-12-06T13:00:01", "s": ["a", "b"], "tuple": [1, [2, None]], "1": None,
    }  # fmt: skip


def test_info_json_of_an_embeddings_file_holds_its_metadata(tmp_path, capsys):
    """The object of an embeddings file: windows, shape, rates, channels, warnings and its
    stored metadata whole, NaN as null."""
    meta = {
        "source": "<array>",
        "sfreq_in": 200.0,
        "input": {"object": "numpy.ndarray"},
        "preprocessing": {"sfreq": 256.0, "window_seconds": 4.0, "overlap": 0.0},
        "channels": {"names": ["FP1", "T7"], "input_names": ["Fp1", "T3"]},
        "checkpoint": {"path": "w", "sha256": "ab" * 32},
        "warnings": ["a warning"],
        "annotations": [["BAD_muscle"], [], ["stage W"]],
        "score": float("nan"),
    }
    path = tmp_path / "e.npz"
    Embeddings(np.zeros((3, 2, 4, 8), np.float32), np.arange(3.0) * 4, meta).save(path)
    assert main(["info", "--json", str(path)]) == 0
    (record,) = _lines(capsys.readouterr().out)
    assert record["kind"] == "embeddings" and record["path"] == str(path)
    assert record["n_windows"] == 3 and record["embedding_shape"] == [2, 4, 8]
    assert record["onsets_s"] == [0.0, 8.0] and record["bad_windows"] == 1
    assert (record["sfreq"], record["sfreq_in"], record["window_seconds"]) == (256.0, 200.0, 4.0)
    assert record["channels"] == ["FP1", "T7"] and record["input_channels"] == ["Fp1", "T3"]
    assert record["checkpoint"]["sha256"] == "ab" * 32
    assert record["warnings"] == ["a warning"] and record["current"] is True
    for key, value in meta.items():
        assert record["metadata"][key] == (None if key == "score" else value)


def _manifest(folder: Path, pending: int) -> dict:
    """Write an embed-dataset run folder's manifest (2 files, ``pending`` of them pending; no
    shard written), and return it."""
    folder.mkdir()
    manifest = {
        "n_files": 2, "n_shards": 2 if pending else 0, "source": "corpus", "format": "parquet",
        "totals": {"ok": 2 - pending, "failed": 0, "pending": pending, "windows": 7,
                   "hours": 0.01},
        "shards_done": [], "spec": {"checkpoint": {"sha256": "cd" * 32}},
    }  # fmt: skip
    (folder / "_manifest.json").write_text(json.dumps(manifest))
    return manifest


def test_info_json_of_a_dataset_folder_says_whether_it_is_complete(tmp_path, capsys):
    """An embed-dataset folder with files pending: complete false and exit status 3, as the
    text form; its manifest and progress as written."""
    manifest = _manifest(tmp_path / "run", pending=1)
    assert main(["info", "--json", str(tmp_path / "run")]) == 3
    (record,) = _lines(capsys.readouterr().out)
    assert record["kind"] == "dataset" and record["complete"] is False
    assert record["current"] is True and record["readable"] is None
    (run,) = record["runs"]
    assert run["manifest"] == manifest
    progress = run["progress"]
    assert progress["totals"]["pending"] == 1 and progress["shards_present"] == 0
    assert progress["shards_planned"] == 2 and progress["unfinished"] is True
    assert main(["info", str(tmp_path / "run")]) == 3  # as the text form
    assert "not complete: 1 file pending" in capsys.readouterr().out
    _manifest(tmp_path / "done", pending=0)
    assert main(["info", "--json", str(tmp_path / "done")]) == 0
    assert _lines(capsys.readouterr().out)[-1]["complete"] is True
    assert main(["info", "--json", "--verify", str(tmp_path / "done")]) == 0
    assert _lines(capsys.readouterr().out)[-1]["readable"] is True


def test_info_json_of_part_runs_names_the_parts_missing(tmp_path, capsys):
    """A folder of --part K/3 runs of a 4-file corpus with parts 1 and 2 absent: complete
    false and missing_parts [1, 2], as the text form's "missing: part(s) 1, 2 of 3", exit 3."""
    manifest = _manifest(tmp_path / "part-0", pending=0)
    manifest["spec"]["inputs"] = {"part": [0, 3], "corpus": "corpus", "corpus_files": 4}
    (tmp_path / "part-0" / "_manifest.json").write_text(json.dumps(manifest))
    assert main(["info", "--json", str(tmp_path)]) == 3
    (record,) = _lines(capsys.readouterr().out)
    assert record["parts"] is True and record["complete"] is False
    assert record["missing_parts"] == [1, 2]
    assert main(["info", str(tmp_path)]) == 3
    assert "missing: part(s) 1, 2 of 3" in capsys.readouterr().out


def test_info_json_of_a_run_that_stopped_before_writing_anything(tmp_path, capsys):
    """A folder holding only embed-dataset's lock, not held: stopped before writing, exit 3."""
    from eegpt.dataset_lock import LOCK

    (tmp_path / LOCK).write_text("")
    assert main(["info", "--json", str(tmp_path)]) == 3
    (record,) = _lines(capsys.readouterr().out)
    assert record["kind"] == "dataset" and record["complete"] is False
    assert record["state"] == "stopped before writing anything" and record["runs"] == []


def test_info_json_of_a_checkpoint(weights, capsys):
    from eegpt.checkpoints import load_checkpoint

    assert main(["info", "--json", str(weights)]) == 0
    (record,) = _lines(capsys.readouterr().out)
    checkpoint = load_checkpoint(weights)
    assert record["kind"] == "checkpoint" and record["sha256"] == checkpoint.sha256
    assert record["config"]["embed_dim"] == 64 and record["config"]["depth"] == 2
    assert record["n_parameters"] == checkpoint.n_parameters >= record["n_encoder_parameters"] > 0


def test_info_json_of_an_evaluation_holds_its_record(tmp_path, capsys):
    """The JSON of probe evaluate --json, as written, under "evaluation"; NaN as null."""
    from eegpt.probe_provenance import EVALUATION_FORMAT

    record = {"format": EVALUATION_FORMAT, "n": 4, "balanced_accuracy": 0.75,
              "cohen_kappa": float("nan"), "provenance": {"probe": {"path": "p"}}}  # fmt: skip
    path = tmp_path / "eval.json"
    path.write_text(json.dumps(record))
    assert main(["info", "--json", str(path)]) == 0
    (said,) = _lines(capsys.readouterr().out)
    assert said["kind"] == "evaluation" and said["path"] == str(path)
    assert said["evaluation"] == {**record, "cohen_kappa": None}


def test_info_json_of_a_probe_holds_its_probe_json(tmp_path, capsys):
    from eegpt.probe_folder import PROBE_FORMAT

    probe = {"format": PROBE_FORMAT, "classes": ["a", "b"], "channels": {"input_names": ["Cz"]}}
    (tmp_path / "probe.json").write_text(json.dumps(probe))
    assert main(["info", "--json", str(tmp_path)]) == 0
    (record,) = _lines(capsys.readouterr().out)
    assert record == {"kind": "probe", "path": str(tmp_path), "probe": probe}


def test_info_json_of_a_file_it_does_not_describe_writes_no_json(tmp_path, capsys):
    """Errors stay text on stderr, exit 1: stdout holds no half object."""
    (tmp_path / "notes.txt").write_text("x")
    assert main(["info", "--json", str(tmp_path / "notes.txt")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "is a txt file, not a checkpoint" in err


def _edf(path: Path, names: list[str], seconds: float = 20.0) -> Path:
    """An EDF of noise at 256 Hz whose EEG channels bear ``names``."""
    data = np.random.default_rng(0).standard_normal((len(names), int(256 * seconds))) * 20e-6
    raw = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    mne.export.export_raw(path, raw, verbose="error")
    return path


@pytest.mark.filterwarnings("ignore:.*do not match the EEGPT vocabulary")
@pytest.mark.filterwarnings("error:.*matched no channel")
def test_channels_json_gives_each_recording_s_mapping_per_line(tmp_path, capsys):
    """One object per recording, one per line: each channel's status (mapped with its name and
    row, dropped with why), the mapping, the labels unmapped, rate and duration."""
    from eegpt.channels import CHANNEL_INDEX

    one = _edf(tmp_path / "one.edf", ["Fp1", "T3", "XYZ", "ECG"])
    two = _edf(tmp_path / "two.edf", ["Cz", "O1"], seconds=8.0)
    assert main(["channels", "--json", str(one), str(two), "--drop", "ECG"]) == 0
    first, second = _lines(capsys.readouterr().out)
    assert first["path"] == str(one) and first["error"] is None
    assert (first["sfreq"], first["duration_s"]) == (256.0, 20.0)
    assert first["mapping"] == {"Fp1": "FP1", "T3": "T7"}
    assert first["unmapped"] == ["XYZ", "ECG"]
    rows = {row["label"]: row for row in first["channels"]}
    assert rows["T3"] == {"label": "T3", "type": "eeg", "bad": False, "status": "mapped",
                          "name": "T7", "row": CHANNEL_INDEX["T7"]}  # fmt: skip
    assert (
        rows["XYZ"]["status"] == "dropped" and "no EEGPT vocabulary name" in rows["XYZ"]["reason"]
    )
    assert rows["ECG"]["status"] == "dropped" and "--drop" in rows["ECG"]["reason"]
    assert second["mapping"] == {"Cz": "CZ", "O1": "O1"} and second["duration_s"] == 8.0


@pytest.mark.filterwarnings("ignore:.*do not match the EEGPT vocabulary")
@pytest.mark.filterwarnings("ignore:.*look like bipolar derivations")
def test_channels_json_gives_each_dropped_channel_its_own_reason(tmp_path, capsys):
    """Each channel dropped has the reason the warning gives it (a derivation, an electrode
    against itself, an electrode outside the vocabulary, another signal), not one reason for
    all; a label naming one site by both its names (T3/T7) is that site."""
    labels = ["Fp1", "Cz", "O1", "Fp1-F7", "F7-T3", "Pz-Pz", "A1", "ECG", "XYZ", "T3/T7"]
    assert main(["channels", "--json", str(_edf(tmp_path / "bip.edf", labels))]) == 0
    (record,) = _lines(capsys.readouterr().out)
    reasons = {row["label"]: row.get("reason") for row in record["channels"]}
    assert reasons["Fp1-F7"] == reasons["F7-T3"] and "a bipolar derivation" in reasons["F7-T3"]
    assert reasons["Pz-Pz"].startswith("Pz against itself: a montage's reference channel, flat")
    assert reasons["A1"].startswith("an electrode outside EEGPT's 62 names")
    assert reasons["ECG"].startswith("named like another signal")
    assert reasons["XYZ"].startswith("no EEGPT vocabulary name (--rename names it")
    assert record["mapping"]["T3/T7"] == "T7" and reasons["T3/T7"] is None


@pytest.mark.filterwarnings("ignore:.*do not match the EEGPT vocabulary")
@pytest.mark.filterwarnings("ignore:.*look like bipolar derivations")
def test_channels_json_maps_both_names_of_a_site_with_a_reference_suffix(tmp_path, capsys):
    """``eegpt channels``: a label giving both names of one site with the prefix and reference
    suffix of the file's other labels (``EEG T4 (T8)-REF``, ``T3/T7-REF``) is that site; a
    derivation ``F7-T3`` and a label of two different sites (``T3/T8-REF``) are not mapped."""
    labels = ["EEG Fp1-REF", "EEG Cz-REF", "EEG T4 (T8)-REF", "T3/T7-REF", "F7-T3", "T3/T8-REF"]
    assert main(["channels", "--json", str(_edf(tmp_path / "both.edf", labels))]) == 0
    (record,) = _lines(capsys.readouterr().out)
    assert record["mapping"] == {
        "EEG Fp1-REF": "FP1", "EEG Cz-REF": "CZ", "EEG T4 (T8)-REF": "T8", "T3/T7-REF": "T7"
    }  # fmt: skip
    reasons = {row["label"]: row.get("reason") for row in record["channels"]}
    assert "a bipolar derivation" in reasons["F7-T3"] and reasons["T3/T8-REF"] is not None


@pytest.mark.filterwarnings("error:.*do not match the EEGPT vocabulary")
def test_channels_json_of_channels_picked_by_name(tmp_path, capsys):
    """--picks naming channels: the others are 'not picked by name', not of a type left out,
    and a bad channel named is mapped (used, as MNE picks it), with a warning."""
    info = mne.create_info(["Fp1", "Cz", "O1", "Pz", "HEOG"], 256.0, ["eeg"] * 4 + ["eog"])
    info["bads"] = ["Cz", "Pz"]
    path = tmp_path / "bad_raw.fif"
    data = np.random.default_rng(0).normal(0, 2e-5, (5, 2560))
    mne.io.RawArray(data, info, verbose=False).save(path, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"Cz are marked bad .* picked by name"):
        assert main(["channels", "--json", str(path), *"--picks Fp1 --picks Cz".split()]) == 0
    (record,) = _lines(capsys.readouterr().out)
    rows = {row["label"]: row for row in record["channels"]}
    assert rows["Cz"]["status"] == "mapped" and rows["Cz"]["bad"] is True
    assert [rows[n]["reason"] for n in ("O1", "Pz", "HEOG")] == ["not picked by name (--picks)"] * 3


@pytest.mark.filterwarnings("ignore:.*do not match the EEGPT vocabulary")
def test_channels_json_of_a_refused_file_carries_the_error(tmp_path, capsys):
    """Two participants' caps tagged A- and B-: none maps, so the file is refused (exit 1);
    its object has the refusal as "error" and the labels read, none mapped."""
    labels = [f"{tag}-{name}" for tag in "AB" for name in ("Fp1", "Cz", "O1")]
    path = _edf(tmp_path / "dyad.edf", labels)
    assert main(["channels", "--json", str(path)]) == 1
    out, err = capsys.readouterr()
    (record,) = _lines(out)
    assert "none of the 6 channel names maps to the EEGPT vocabulary" in record["error"]
    assert "The labels share the prefixes 'A-', 'B-'" in record["error"]
    assert [(row["label"], row["type"]) for row in record["channels"]] == [
        (label, "eeg") for label in labels
    ]
    assert record["mapping"] == {} and record["unmapped"] == labels
    assert (record["sfreq"], record["duration_s"]) == (256.0, 20.0)
    assert "none of the 6 channel names" in err


def _epochs_files(folder: Path, names: list[str]) -> list[Path]:
    """5 epochs of 4 s at 256 Hz, channels ``names``, as -epo.fif, EEGLAB .set and .npz."""
    data = np.random.default_rng(0).standard_normal((5, len(names), 1024)) * 1e-5
    epochs = mne.EpochsArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    fif, eeglab, arrays = folder / "e-epo.fif", folder / "e.set", folder / "e.npz"
    epochs.save(fif, verbose="error")
    epochs.export(eeglab, verbose="error")
    np.savez(arrays, X=data, ch_names=np.array(names), sfreq=256.0)
    return [fif, eeglab, arrays]


@pytest.mark.filterwarnings("ignore:.*do not match the EEGPT vocabulary")
@pytest.mark.parametrize("labels", [["Fp1", "Fp2", "C3"], ["X1", "X2", "X3"]])
def test_channels_json_of_epochs_gives_their_number_and_length(tmp_path, capsys, labels):
    """Files of epochs, mapped or refused (no label maps): duration_s of all the epochs,
    n_epochs and epoch_s (one epoch), alike in both cases."""
    paths = _epochs_files(tmp_path, labels)
    assert main(["channels", "--json", *map(str, paths)]) == (0 if labels[0] == "Fp1" else 1)
    records = _lines(capsys.readouterr().out)
    assert [r["path"] for r in records] == list(map(str, paths))
    for record in records:
        assert (record["duration_s"], record["n_epochs"], record["epoch_s"]) == (20.0, 5, 4.0)
        assert record["sfreq"] == 256.0


def test_json_lines_parse_whatever_the_stream_s_encoding_and_the_terminal_escaping():
    """Labels beyond ASCII (Ä1), DEL and bidi controls reach a pipeline as the same strings:
    written to an ASCII stream (which writes what it cannot encode as \\xNN) and through the
    terminal's escaping of control characters, each line is JSON holding them unchanged."""
    import io

    from eegpt._json_out import print_json
    from eegpt.cli_run import EscapingStdout

    record = {"label": "Ä1", "other": "a\x7fb\u202e\u0085"}
    for wrap in (lambda s: s, EscapingStdout):
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding="ascii", errors="backslashreplace")
        print_json(record, file=wrap(stream))
        stream.flush()
        assert json.loads(raw.getvalue().decode("ascii")) == record
