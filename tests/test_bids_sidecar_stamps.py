"""A BIDS recording's sidecars are inputs: recorded and fingerprinted with its data file, so an
edited ``*_channels.tsv`` makes its rows stale as an edited data file does."""

from __future__ import annotations

import os
import shutil
import warnings

import mne
import pytest

from eegpt._file_identity import recording_inputs, source_files_record
from eegpt.dataset import (
    STAMP_VERSION,
    DatasetInputs,
    InputFile,
    embed_dataset,
    source_stamp,
    warn_changed,
)
from eegpt.dataset_report import output_report
from eegpt.demo import synthetic_raw

mne_bids = pytest.importorskip("mne_bids")
pd = pytest.importorskip("pandas")

EDF = "sub-{sub}/ses-1/eeg/sub-{sub}_ses-1_task-rest_run-1_eeg.edf"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    """Two subjects of 30 s each, the first with events (an ``*_events.tsv``)."""
    root = tmp_path_factory.mktemp("bids")
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    raw.info["line_freq"] = 50
    raw.set_annotations(mne.Annotations([1.0], [0.5], ["go"], orig_time=raw.info["meas_date"]))
    for sub in ("01", "02"):
        path = mne_bids.BIDSPath(subject=sub, session="1", task="rest", run="1",
                                 datatype="eeg", root=root)  # fmt: skip
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
        raw.set_annotations(None)
    return root


def _copy(dataset, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(dataset, root)
    return root


def _mark_bad_in_place(data_file):
    """Mark the first channel bad in the ``*_channels.tsv`` of ``data_file``, keeping the
    file's size and modification time (an edit only --check-contents finds)."""
    channels = data_file.with_name(data_file.name.replace("_eeg.edf", "_channels.tsv"))
    st = channels.stat()
    text = channels.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    assert lines[1].endswith("good\tn/a\n")
    lines[1] = lines[1].replace("good\tn/a\n", "bad\tflat\n")
    channels.write_text("".join(lines), encoding="utf-8")
    os.utime(channels, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert channels.stat().st_size == st.st_size


def test_a_bids_recording_s_inputs_are_its_data_file_and_sidecars(dataset, tmp_path):
    first = dataset / EDF.format(sub="01")
    names = [p.name for p in recording_inputs(first)]
    assert names[0] == first.name
    assert set(names[1:]) == {
        "sub-01_ses-1_task-rest_run-1_eeg.json",
        "sub-01_ses-1_task-rest_run-1_channels.tsv",
        "sub-01_ses-1_task-rest_run-1_events.tsv",
        "sub-01_ses-1_task-rest_run-1_events.json",
    }  # not the session's scans.tsv, shared by every run of the session
    record = source_files_record(first)
    assert record is not None and record["files"] == names
    assert "sub-02_ses-1_task-rest_run-1_events.tsv" not in [
        p.name for p in recording_inputs(dataset / EDF.format(sub="02"))
    ]
    # the same file outside a dataset is only itself
    alone = tmp_path / first.name
    shutil.copy(first, alone)
    assert recording_inputs(alone) == [alone]


def test_an_edited_sidecar_makes_a_corpus_run_s_rows_stale(dataset, model, tmp_path):
    root = _copy(dataset, tmp_path)
    out = tmp_path / "out"
    embed_dataset(root, out, model=model, workers=0, progress=False)
    second = root / EDF.format(sub="02")
    _mark_bad_in_place(second)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # size and time unchanged: not compared without asking
        embed_dataset(root, out, model=model, workers=0, progress=False)
    with pytest.warns(RuntimeWarning, match=r"1 recording changed .*sub-02"):
        embed_dataset(root, out, model=model, workers=0, progress=False, check_contents=True)
    files = pd.read_csv(out / "_files.csv").set_index("recording_id")
    assert files.loc[EDF.format(sub="02"), "changed"] == "recording (or its sidecars): contents"
    assert files["changed"].isna().tolist() == [True, False]
    text, current = output_report(out)
    assert not current and "CHANGED since embedded" in text


def test_stamps_from_before_sidecars_are_not_changed_by_them(dataset, tmp_path):
    """A run stamped with version 3 (no sidecars) resumes as before after a sidecar edit; a
    run of version 4 or 5 finds it, by fingerprint even where size and time are kept."""
    root = _copy(dataset, tmp_path)
    path = root / EDF.format(sub="02")
    file = InputFile(0, EDF.format(sub="02"), str(path))
    base = {"recording_id": file.recording_id, "status": "ok", "shard": 0}
    old = {**base, **(source_stamp(file, version=3) or {})}
    new = {**base, **(source_stamp(file) or {})}
    assert old["stamp_version"] == 3 and new["stamp_version"] == STAMP_VERSION == 6
    assert new["source_bytes"] > old["source_bytes"]  # the sidecars' bytes too
    _mark_bad_in_place(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_changed(DatasetInputs([file]), [old], check_contents=True) == {}
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [new], check_contents=True)
    assert changed == {file.recording_id: "recording (or its sidecars): contents"}


def test_a_changed_mark_names_the_sidecars_that_changed(dataset, tmp_path):
    """The ``changed`` mark of a BIDS recording names its sidecars modified since (an edit,
    an added one), and says "or its sidecars" where none is newer (one deleted)."""
    from eegpt.dataset import marked_groups

    root = _copy(dataset, tmp_path)
    path = root / EDF.format(sub="02")
    file = InputFile(0, EDF.format(sub="02"), str(path))
    status = {"recording_id": file.recording_id, "status": "ok", "shard": 0,
              **(source_stamp(file) or {})}  # fmt: skip
    later = int(status["source_mtime_ns"]) + 10**9
    channels = path.with_name(path.name.replace("_eeg.edf", "_channels.tsv"))
    channels.write_text(channels.read_text() + "\n")
    os.utime(channels, ns=(later, later))
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [status])
    mark = f"recording (its sidecar {channels.name}): size and modification time"
    assert changed == {file.recording_id: mark}
    assert marked_groups(mark) == {"source"}
    events = path.with_name(path.name.replace("_eeg.edf", "_events.tsv"))
    events.write_text("onset\tduration\ttrial_type\n1.0\t0.5\tgo\n")  # added
    os.utime(events, ns=(later, later))
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [status])
    mark = changed[file.recording_id]
    assert mark.startswith("recording (its sidecars ")
    assert channels.name in mark and events.name in mark
    events.unlink()
    channels.write_text(channels.read_text().removesuffix("\n"))
    os.utime(channels, ns=(later - 10**9, later - 10**9))
    path.with_name(path.name.replace("_eeg.edf", "_eeg.json")).unlink()  # deleted
    with pytest.warns(RuntimeWarning, match="changed"):
        changed = warn_changed(DatasetInputs([file]), [status])
    assert changed[file.recording_id].startswith("recording (or its sidecars): size")


def test_a_single_output_records_its_sidecars(dataset, model, tmp_path):
    from eegpt import embed

    root = _copy(dataset, tmp_path)
    emb = embed(model, root / EDF.format(sub="02"), verbose="error")
    files = emb.metadata["source_files"]["files"]
    assert "sub-02_ses-1_task-rest_run-1_channels.tsv" in files
    before = emb.metadata["source_files"]["source_fingerprint"]
    _mark_bad_in_place(root / EDF.format(sub="02"))
    after = source_files_record(root / EDF.format(sub="02"))
    assert after is not None and after["source_fingerprint"] != before


def test_a_changed_participants_tsv_is_named_in_the_refusal(dataset, model, tmp_path):
    """A resume after an edit of participants.tsv names the column and recording that changed
    and says to put the file back (a BIDS folder has no manifest to give again)."""
    root = _copy(dataset, tmp_path)
    out = tmp_path / "out"
    (root / "participants.tsv").write_text("participant_id\tage\nsub-01\t30\nsub-02\tn/a\n")
    embed_dataset(root, out, model=model, workers=0, progress=False)
    (root / "participants.tsv").write_text("participant_id\tage\nsub-01\t30\nsub-02\t41\n")
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset(root, out, model=model, workers=0, progress=False)
    text = str(err.value)
    assert f"age changed for 1 recording ({EDF.format(sub='02')}: n/a -> 41)" in text
    assert f"put {root / 'participants.tsv'} back as it was" in text
    assert "original manifest" not in text and "To add new files" not in text
    (root / "participants.tsv").write_text("participant_id\tage\tgroup\nsub-01\t31\tx\n")
    with pytest.raises(
        ValueError, match=r"group added; age changed for 1 recording \(sub-01\S*: 30 -> 31\)"
    ):
        embed_dataset(root, out, model=model, workers=0, progress=False)


def test_adding_a_run_to_the_session_leaves_the_other_runs_current(dataset, model, tmp_path):
    """``write_raw_bids`` of run 2 rewrites the session's ``*_scans.tsv``, which every run of
    the session shares: run 1's output and corpus stamp are not changed by it (they were, by
    the scans.tsv fingerprinted with each recording)."""
    from eegpt import embed
    from eegpt.dataset_stamps import output_source_check

    root = _copy(dataset, tmp_path)
    first = root / EDF.format(sub="01")
    emb = embed(model, first, verbose="error")
    meta = {"source": str(first), "source_files": emb.metadata["source_files"]}
    file = InputFile(0, EDF.format(sub="01"), str(first))
    stamp = {"recording_id": file.recording_id, "status": "ok", "shard": 0,
             **(source_stamp(file) or {})}  # fmt: skip
    scans = root / "sub-01" / "ses-1" / "sub-01_ses-1_scans.tsv"
    before = scans.read_bytes()
    raw, _ = synthetic_raw(minutes=0.5, seed=2)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="01", session="1", task="rest", run="2",
                             datatype="eeg", root=root)  # fmt: skip
    mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    assert scans.read_bytes() != before  # run 2 added to it
    assert output_source_check(meta).changed == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_changed(DatasetInputs([file]), [stamp], check_contents=True) == {}


def test_a_run_over_a_subject_folder_listed_as_a_plain_folder_is_told_how_to_resume(
    dataset, model, tmp_path, monkeypatch
):
    """A run over ``ds/sub-01`` made when a folder inside a dataset was listed as a plain
    folder (ids relative to it, no BIDS columns) is refused now, saying so and giving the
    --pattern that lists it as before (not "put participants.tsv back"); with it, it
    resumes."""
    from eegpt import dataset_inputs

    root = _copy(dataset, tmp_path)
    out = tmp_path / "out"
    with monkeypatch.context() as m:  # as eegpt listed it before
        m.setattr(dataset_inputs, "_dataset_of_folder", lambda folder: None)
        embed_dataset(root / "sub-01", out, model=model, workers=0, progress=False)
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset(root / "sub-01", out, model=model, workers=0, progress=False)
    text = str(err.value)
    assert "listed" in text and "as a plain folder" in text
    assert "--pattern '**/*_eeg.*'" in text and "participants.tsv back" not in text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the *_eeg.json sidecars the pattern matches
        embed_dataset(root / "sub-01", out, model=model, workers=0, progress=False,
                      pattern="**/*_eeg.*")  # fmt: skip
    assert pd.read_csv(out / "_files.csv")["recording_id"].tolist() == [
        EDF.format(sub="01").removeprefix("sub-01/")
    ]


def test_sidecars_are_found_by_mne_bids_inheritance(dataset, tmp_path, caplog):
    """A sidecar inherited from the dataset's root (``task-rest_events.json``) is found as
    MNE-BIDS finds it, by its own (private) search: pins that search, so an MNE-BIDS upgrade
    that breaks it fails here rather than stamps silently losing their sidecars."""
    import logging

    root = _copy(dataset, tmp_path)
    first = root / EDF.format(sub="01")
    own = first.with_name(first.name.replace("_eeg.edf", "_events.json"))
    own.rename(root / "task-rest_events.json")
    with caplog.at_level(logging.DEBUG, logger="eegpt"):
        inputs = recording_inputs(first)
    assert inputs[1:] == [
        first.with_name(first.name.replace("_eeg.edf", s))
        for s in ("_eeg.json", "_events.tsv")
    ] + [root / "task-rest_events.json",
         first.with_name(first.name.replace("_eeg.edf", "_channels.tsv"))]  # fmt: skip
    assert "_find_matching_sidecar" not in caplog.text


def test_a_changed_mne_bids_helper_falls_back_to_the_sidecars_beside(
    dataset, tmp_path, monkeypatch, caplog
):
    """Where MNE-BIDS's private helper no longer takes eegpt's arguments (TypeError), the
    sidecars of the data file's own name beside it are taken, said once at DEBUG; where
    several sidecars match (its RuntimeError), none is (MNE-BIDS reads none)."""
    import logging

    import mne_bids.path

    import eegpt.bids

    first = dataset / EDF.format(sub="01")
    expected = recording_inputs(first)

    def changed(bids_path, suffix=None, extension=None, on_error="raise", new=None):
        raise TypeError("_find_matching_sidecar() got an unexpected keyword argument")

    monkeypatch.setattr(mne_bids.path, "_find_matching_sidecar", changed)
    monkeypatch.setattr(eegpt.bids, "_fallback_logged", False)
    with caplog.at_level(logging.DEBUG, logger="eegpt"):
        assert recording_inputs(first) == expected
        assert recording_inputs(dataset / EDF.format(sub="02"))[0].name.startswith("sub-02")
    assert caplog.text.count("_find_matching_sidecar cannot be used (TypeError") == 1

    def several(bids_path, suffix=None, extension=None, on_error="raise"):
        raise RuntimeError("Expected to find a single file, but found 2")

    monkeypatch.setattr(mne_bids.path, "_find_matching_sidecar", several)
    assert recording_inputs(first) == [first]


def test_a_resume_from_another_folder_or_filters_names_the_run_s_input(
    dataset, model, tmp_path, monkeypatch
):
    """A run of ``ds/sub-01`` resumed as ``ds``, or one of ``--subject 01,02`` as
    ``--subject 01``: the refusal names the input (and filters) the folder was embedded from
    and how to add the rest, not files "added" on disk or participants.tsv; files left out
    by an edited ``.bidsignore`` name it."""
    root = _copy(dataset, tmp_path)
    monkeypatch.chdir(tmp_path)
    run = {"model": model, "workers": 0, "progress": False}
    embed_dataset("ds/sub-01", "out", **run)
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset("ds", "out", **run)
    text = str(err.value)
    assert "This folder was embedded from ds/sub-01; this run reads ds: give ds/sub-01 " in text
    assert "again to resume it, or use a new output folder (to add the rest: eegpt " in text
    assert "embed-dataset ds --subject 02 -o NEW and read both with eegpt.read_embeddings" in text
    assert "added" not in text.split("inputs.")[0] and "files added" not in text
    assert "participants.tsv" not in text and "manifest" not in text
    embed_dataset("ds", "both", bids_filters={"subject": ["01", "02"]}, **run)
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset("ds", "both", bids_filters={"subject": ["01"]}, **run)
    text = str(err.value)
    assert "This folder was embedded from ds with --subject 01,02; this run " in text
    assert "gives --subject 01: give --subject 01,02 again to resume it" in text
    assert "participants.tsv" not in text and "The list of input files" not in text
    embed_dataset("ds", "all", **run)
    (root / ".bidsignore").write_text("sub-02/\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot be resumed") as err:
        embed_dataset("ds", "all", **run)
    text = str(err.value)
    assert "files added or removed, or ds/.bidsignore edited" in text
    assert "participants.tsv" not in text


def test_a_record_made_without_mne_bids_does_not_claim_its_sidecars(dataset, tmp_path, monkeypatch):
    """Where mne-bids cannot be imported a BIDS recording's sidecars are not looked up: its
    record lists the data file alone and does not say it lists every file, so where mne-bids
    is installed later its sidecars are not taken as added (a CHANGED exit and a re-embed)."""
    import builtins

    from eegpt._file_identity import SIDECARS_KEY, records_sidecars
    from eegpt.dataset_stamps import output_source_check

    first = _copy(dataset, tmp_path) / EDF.format(sub="01")
    real_import = builtins.__import__

    def no_mne_bids(name, *args, **kwargs):
        if name == "mne_bids" or name.startswith("mne_bids."):
            raise ImportError("No module named 'mne_bids'")
        return real_import(name, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(builtins, "__import__", no_mne_bids)
        record = source_files_record(first)
        alone = tmp_path / first.name
        shutil.copy(first, alone)
        assert (source_files_record(alone) or {}).get(SIDECARS_KEY) is True  # none to look up
    assert record is not None and record["files"] == [first.name]
    assert SIDECARS_KEY not in record and not records_sidecars(record)
    check = output_source_check({"source_files": record, "source": str(first)})
    assert check is not None and check.found and check.changed == []
    assert source_files_record(first)[SIDECARS_KEY] is True  # with mne-bids


def test_an_output_s_recording_files_are_looked_up_once(dataset, tmp_path, monkeypatch):
    """output_source_check looks a BIDS recording's files up once (MNE-BIDS's sidecar search:
    a walk of the dataset), where it needs them both to find the files its record names
    outside the recording's folder (a dataset-level sidecar, the session's scans.tsv) and to
    tell the sidecars written since."""
    import eegpt.dataset_stamps
    from eegpt.dataset_stamps import output_source_check

    root = _copy(dataset, tmp_path)
    first = root / EDF.format(sub="01")
    own = first.with_name(first.name.replace("_eeg.edf", "_eeg.json"))
    own.rename(root / "task-rest_eeg.json")  # inherited from the dataset's folder
    record = source_files_record(first)
    assert record is not None and "task-rest_eeg.json" in record["files"]
    calls = []

    def counted(*args, **kwargs):
        calls.append(args)
        return recording_inputs(*args, **kwargs)

    monkeypatch.setattr(eegpt.dataset_stamps, "recording_inputs", counted)
    check = output_source_check({"source_files": record, "source": str(first)})
    assert check is not None and check.found and check.changed == []
    assert len(calls) == 1
