"""BIDS datasets: files read with their sidecars, folders listed with entities and participants."""

from __future__ import annotations

import builtins
import re
import shutil
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest

import eegpt.annotations
import eegpt.bids
from eegpt.config import EEGPTConfig
from eegpt.dataset import embed_dataset, read_embeddings, resolve_inputs
from eegpt.demo import synthetic_raw
from eegpt.errors import MissingDependencyError, RecordingError
from eegpt.io import as_recording
from eegpt.model import EEGPT

mne_bids = pytest.importorskip("mne_bids")
pd = pytest.importorskip("pandas")

EDF = "sub-{sub}/ses-a/eeg/sub-{sub}_ses-a_task-rest_run-1_eeg.edf"


@pytest.fixture(scope="module")
def bids_dataset(tmp_path_factory):
    """Two subjects (one with a bad channel in channels.tsv and a BAD_ event in events.tsv), a
    participants.tsv with text ids and a group, and a derivatives copy that is not raw data."""
    root = tmp_path_factory.mktemp("bids")
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    raw.info["line_freq"] = 50
    raw.set_annotations(mne.Annotations([1.0, 9.0], [0.5, 6.0], ["go", "BAD_muscle"],
                                        orig_time=raw.info["meas_date"]))  # fmt: skip
    for sub in ("001", "002"):
        path = mne_bids.BIDSPath(subject=sub, session="a", task="rest", run="1",
                                 datatype="eeg", root=root)  # fmt: skip
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
        raw.set_annotations(None)  # the second subject has no events
    first = mne_bids.get_bids_path_from_fname(root / EDF.format(sub="001"))
    mne_bids.mark_channels(first, ch_names=["EEG F3-REF"], status="bad",
                           descriptions=["noisy"], verbose=False)  # fmt: skip
    (root / "participants.tsv").write_text(
        "participant_id\tage\tgroup\tbad\nsub-001\t31\tpatient\tno\nsub-002\tn/a\tcontrol\tno\n"
    )
    derived = root / "derivatives" / "clean" / "sub-001" / "eeg"
    derived.mkdir(parents=True)
    (derived / "sub-001_task-rest_eeg.edf").write_bytes((root / EDF.format(sub="002")).read_bytes())
    return root


@pytest.fixture(scope="module")
def model():
    return EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))


def test_a_bids_file_is_read_with_its_sidecars(bids_dataset):
    path = bids_dataset / EDF.format(sub="001")
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['EEG F3-REF'\]"):
        rec = as_recording(path)
    assert "EEG F3-REF" not in rec.ch_names  # channels.tsv status "bad"
    assert list(rec.annotations.description) == ["go", "BAD_muscle"]  # events.tsv
    np.testing.assert_allclose(rec.annotations.onset, [1.0, 9.0])
    # the same file outside a dataset is only itself
    alone = bids_dataset.parent / "alone" / path.name
    alone.parent.mkdir(exist_ok=True)
    alone.write_bytes(path.read_bytes())
    assert eegpt.bids.bids_root(alone) is None and eegpt.bids.bids_root(path) == bids_dataset
    assert "EEG F3-REF" in as_recording(alone, verbose="error").ch_names


def test_a_bids_folder_is_a_manifest_of_its_recordings(bids_dataset, model, tmp_path):
    inputs = resolve_inputs(bids_dataset)
    assert [f.recording_id for f in inputs.files] == [EDF.format(sub=s) for s in ("001", "002")]
    out = tmp_path / "out"
    summary = embed_dataset(bids_dataset, out, model=model, workers=0, progress=False,
                            reject_by_annotation=True)  # fmt: skip
    assert summary.n_ok == 2 and summary.windows_left_out == 2
    table, emb = read_embeddings(out)
    assert len(table) == len(emb) == 7 + 5
    assert table["subject"].tolist() == ["001"] * 5 + ["002"] * 7  # text, as written
    assert set(table["session"]) == {"a"} and set(table["task"]) == {"rest"}
    assert table["group"].tolist() == ["patient"] * 5 + ["control"] * 7
    assert table["age"].iloc[0] == 31 and table["age"].isna().tolist() == [False] * 5 + [True] * 7
    assert table["participant_bad"].tolist() == ["no"] * 12  # 'bad' is the output's own column
    assert "EEG F3-REF" not in table["input_channels"].iloc[0]  # sidecars applied
    assert "EEG F3-REF" in table["input_channels"].iloc[-1]
    # a pattern reads the files alone, derivatives included
    plain = resolve_inputs(bids_dataset, pattern="**/*.edf")
    assert len(plain) == 3 and plain.metadata is None


@pytest.fixture
def without_mne_bids(monkeypatch):
    """``import mne_bids`` fails, as where it is not installed; eegpt says so again (once)."""
    real_import = builtins.__import__

    def no_mne_bids(name, *args, **kwargs):
        if name == "mne_bids":
            raise ImportError("No module named 'mne_bids'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mne_bids)
    monkeypatch.setattr(eegpt.bids, "_warned_missing", False)


def test_without_mne_bids(bids_dataset, without_mne_bids):
    """A file reads alone with one warning; a folder says what to install or pass."""
    path = bids_dataset / EDF.format(sub="001")
    with pytest.warns(
        RuntimeWarning,
        match=r"sidecars .* not applied without mne-bids: pip install mne-bids \(from a clone",
    ):
        rec = as_recording(path)
    assert "EEG F3-REF" in rec.ch_names  # channels.tsv not applied
    with pytest.raises(
        MissingDependencyError,
        match=r"BIDS dataset.*mne-bids: pip install mne-bids .*pattern=",
    ):
        resolve_inputs(bids_dataset)


def test_without_mne_bids_the_notice_is_eegpt_s_own_and_said_once(bids_dataset, without_mne_bids):
    """The notice that sidecars are not applied is eegpt's: given inside MNE's read, it is not
    passed on again as MNE's ("MNE: ..."), so the output's provenance holds it once."""
    from eegpt._logging import recorded_warnings

    path = bids_dataset / EDF.format(sub="001")
    with recorded_warnings() as texts, warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        as_recording(path)
    for said in (texts, [str(w.message) for w in shown]):
        notices = [t for t in said if "not applied without mne-bids" in t]
        assert len(notices) == 1 and notices[0].startswith(f"{path} belongs to the BIDS dataset")


def test_sidecar_problems_are_said_and_noise_is_not(bids_dataset, model, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    first, second = root / EDF.format(sub="001"), root / EDF.format(sub="002")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_recording(first)
    texts = [str(w.message) for w in caught]
    assert not any("Unable to map" in t for t in texts)  # participants' 'group': a column here
    next(second.parent.glob("*_channels.tsv")).unlink()
    with pytest.warns(RuntimeWarning, match=r"sub-002.*channels\.tsv"):
        as_recording(second)  # read, but what was not applied is said
    events = next(first.parent.glob("*_events.tsv"))
    events.write_text(events.read_text() + "1.0\n")  # a row with too few columns
    with pytest.raises(
        RecordingError, match=r"_eeg\.edf.*the sidecar \S*sub-001\S*_events\.tsv could not be read"
    ):
        as_recording(first)
    # in a corpus run: the one file fails with that reason, the other's warning is recorded
    summary = embed_dataset(root, tmp_path / "out", model=model, workers=0, progress=False)
    assert (summary.n_ok, summary.n_failed) == (1, 1)
    assert "_events.tsv could not be read" in summary.errors[0]["error"]
    files = pd.read_csv(tmp_path / "out" / "_files.csv").set_index("recording_id")
    assert "channels.tsv" in files.loc[EDF.format(sub="002"), "warnings"]


def test_a_missing_events_tsv_is_said_in_one_line(tmp_path):
    """MNE-BIDS's warning of a data file (of a task not named rest*) without an *_events.tsv
    was passed on as it is, over six lines (the glob patterns it searched); it is said in
    one line, in eegpt's words, naming the file and the dataset."""
    raw, _ = synthetic_raw(minutes=0.1, seed=2)
    raw.set_annotations(None)
    path = mne_bids.BIDSPath(subject="01", task="oddball", datatype="eeg", root=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE-BIDS: no events to write
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    edf = next((tmp_path / "sub-01" / "eeg").glob("*_eeg.edf"))
    assert not list(edf.parent.glob("*_events.tsv"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_recording(edf)
    texts = [str(w.message) for w in caught]
    assert not any("search strings" in t or "Did not find any" in t for t in texts)
    said = [t for t in texts if "no *_events.tsv sidecar found" in t]
    assert said == [
        f"{edf}: no *_events.tsv sidecar found for it in the BIDS dataset {tmp_path} (beside "
        "it, or in its subject's or session's folder), so its events are the data file's own "
        "annotations alone; add the sidecar if it has events"
    ]


def test_a_sampling_frequency_the_file_does_not_have_is_said(bids_dataset, model, tmp_path):
    """An _eeg.json SamplingFrequency of 500 for a file at 250 Hz: the file's rate is used,
    with a warning naming the sidecar and both rates, among the file's warnings in a run."""
    import json

    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    sidecar = (root / EDF.format(sub="002")).with_name("sub-002_ses-a_task-rest_run-1_eeg.json")
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "SamplingFrequency": 500}))
    with pytest.warns(RuntimeWarning) as caught:
        rec = as_recording(root / EDF.format(sub="002"))
    assert rec.sfreq == 250
    said = [str(w.message) for w in caught if "SamplingFrequency" in str(w.message)]
    assert len(said) == 1 and f"its sidecar {sidecar} gives SamplingFrequency 500 Hz, but " \
        "the data file is sampled at 250 Hz: the file's rate is used" in said[0]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embed_dataset(root, tmp_path / "out", model=model, workers=0, progress=False)
    files = pd.read_csv(tmp_path / "out" / "_files.csv").set_index("recording_id")
    assert "SamplingFrequency 500 Hz" in files.loc[EDF.format(sub="002"), "warnings"]
    assert "SamplingFrequency" not in str(files.loc[EDF.format(sub="001"), "warnings"])


def test_channels_tsv_units_that_are_not_the_file_s_are_said(bids_dataset, tmp_path):
    """A channels.tsv giving mV where the EDF header gives uV: MNE-BIDS scales by the file's
    unit without a word; eegpt says so, naming the sidecar, both units, the factor and the
    --rescale that follows the sidecar. The same unit spelt otherwise (µV, uV) is quiet."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="002")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        before = as_recording(path)
    assert not any("the unit" in str(w.message) for w in caught)  # µV in the sidecar, uV in EDF
    tsv = next(path.parent.glob("*_channels.tsv"))
    assert "\tµV\t" in tsv.read_text()
    tsv.write_text(tsv.read_text().replace("\tµV\t", "\tmV\t"))
    with pytest.warns(RuntimeWarning) as caught:
        after = as_recording(path)
    said = [str(w.message) for w in caught if "the unit mV" in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in caught]
    head = re.escape(f"{path}: its sidecar {tsv}")
    assert re.search(rf"^{head} gives \d+ channels \(EEG FP1-REF", said[0])
    assert "the unit mV, but the data file's header gives µV" in said[0]
    assert "read 1000 times too small" in said[0] and "--rescale 1000" in said[0]
    np.testing.assert_array_equal(after.data, before.data)  # the file's unit is used


def test_an_eeglab_recording_copied_by_mne_bids_is_quiet_about_units(tmp_path):
    """write_raw_bids copies a .set with units V in its channels.tsv (an EEGLAB file states
    none; MNE reads it as microvolts): no unit warning, since nothing can be compared."""
    pytest.importorskip("eeglabio")
    raw, _ = synthetic_raw(minutes=0.1, seed=2)
    raw.set_montage(None)
    source = tmp_path / "rec.set"
    mne.export.export_raw(source, raw, fmt="eeglab", verbose="error")
    raw = mne.io.read_raw_eeglab(source, verbose="error").set_montage(None)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="01", task="rest", datatype="eeg", root=tmp_path / "ds")
    mne_bids.write_raw_bids(raw, path, verbose=False)
    tsv = next((tmp_path / "ds").rglob("*_channels.tsv"))
    assert "\tV\t" in tsv.read_text()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_recording(path.fpath)
    assert not any("the unit" in str(w.message) for w in caught)


def test_a_bdf_converted_by_mne_bids_is_quiet_about_units(tmp_path):
    """write_raw_bids converting to BDF gives its channels.tsv V (the SI unit) while MNE's
    export stores the samples in µV: a valid dataset, read right by the header's unit, was
    warned of as if the sidecar's V might be the stored unit. A sidecar's mV is still said."""
    raw, _ = synthetic_raw(minutes=0.1, seed=2)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="01", task="rest", datatype="eeg", root=tmp_path / "ds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mne_bids.write_raw_bids(raw, path, format="BDF", allow_preload=True, verbose=False)
    tsv = next((tmp_path / "ds").rglob("*_channels.tsv"))
    assert "\tV\t" in tsv.read_text()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = as_recording(path.fpath)
    assert not any("the unit" in str(w.message) for w in caught), [str(w.message) for w in caught]
    assert 1e-6 < np.median(np.std(rec.data, axis=-1)) < 1e-3  # read in volts, µV-sized EEG
    tsv.write_text(tsv.read_text().replace("\tV\t", "\tmV\t"))
    with pytest.warns(RuntimeWarning, match="the unit mV, but the data file's header gives µV"):
        as_recording(path.fpath)


def test_events_tsv_samples_that_are_not_its_onsets_are_said(bids_dataset, tmp_path):
    """An events.tsv whose sample column says other times than its onset column (counted at
    twice the file's rate): MNE-BIDS places the events by onset without a word; eegpt says
    so, naming the sidecar, a row with both times and the rate the samples look counted at.
    Samples that agree (as write_raw_bids writes them) are quiet."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="001")
    tsv = next(path.parent.glob("*_events.tsv"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_recording(path)
    assert not any("sample column" in str(w.message) for w in caught)
    rows = [r.split("\t") for r in tsv.read_text().splitlines()]
    at = rows[0].index("sample")
    assert [r[at] for r in rows[1:]] == ["250", "2250"]  # 1 s and 9 s at 250 Hz
    for r in rows[1:]:
        r[at] = str(2 * int(r[at]))
    tsv.write_text("\n".join("\t".join(r) for r in rows) + "\n")
    with pytest.warns(RuntimeWarning) as caught:
        rec = as_recording(path)
    said = [str(w.message) for w in caught if "sample column" in str(w.message)]
    assert len(said) == 1, [str(w.message) for w in caught]
    assert f"{path}: the sample column of its sidecar {tsv} disagrees with its onset" in said[0]
    assert "in 2 rows of 2 (row 1 after the header line: onset 1 s, sample 500 = 2 s at" in said[0]
    assert "look counted at 500 Hz" in said[0]
    np.testing.assert_allclose(rec.annotations.onset, [1.0, 9.0])  # by onset, as MNE-BIDS


def test_a_data_file_not_where_its_name_places_it_is_refused(bids_dataset, tmp_path):
    """A file named as sub-001's but lying in sub-002's folder: MNE-BIDS reads by the name, so
    it read sub-001's file (another recording) with sub-001's sidecars, in silence; eegpt
    refuses it, naming both folders. So too a name without the ses- entity of its folder."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    twin = root / EDF.format(sub="001")
    misplaced = root / "sub-002" / "ses-a" / "eeg" / twin.name
    raw = mne.io.read_raw_edf(twin, preload=True, verbose="error")
    raw._data *= -1.0  # another recording than the twin's
    mne.export.export_raw(misplaced, raw, fmt="edf", verbose="error")
    with pytest.raises(RecordingError) as caught:
        as_recording(misplaced, verbose="error")
    said = str(caught.value)
    assert "its name places it in sub-001/ses-a/eeg/, but it lies in sub-002/ses-a/eeg/" in said
    assert f"so it would read {twin} (another file's data)" in said
    assert f"Move it to {root / 'sub-001/ses-a/eeg'}, or rename it" in said
    sessionless = twin.with_name("sub-001_task-rest_eeg.edf")
    shutil.copy(twin, sessionless)
    with pytest.raises(RecordingError, match=r"in sub-001/eeg/, but it lies in sub-001/ses-a/eeg"):
        as_recording(sessionless, verbose="error")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert as_recording(twin).ch_names  # those where their names place them are read


def test_a_bids_edf_with_latin1_annotations_is_read_with_its_sidecars(bids_dataset, tmp_path):
    """An EDF+ file of a BIDS dataset whose annotations are Latin-1, not UTF-8, is read again
    with encoding='latin1' through MNE-BIDS: its channels.tsv and events.tsv still apply (they
    were dropped in silence, the file read alone, and its own *_events.tsv given as
    annotations= then taken for read with it)."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="001")
    data = path.read_bytes()
    assert data.count(b"BAD_muscle") == 1
    path.write_bytes(data.replace(b"BAD_muscle", b"BAD_mu\xdfcle"))  # not UTF-8
    with pytest.warns(RuntimeWarning) as caught:
        rec = as_recording(path)
    said = [str(w.message) for w in caught]
    assert any("not UTF-8 text as EDF+ requires" in text for text in said), said
    assert any("marked bad were left out: ['EEG F3-REF']" in text for text in said), said
    assert "EEG F3-REF" not in rec.ch_names  # channels.tsv status "bad"
    assert list(rec.annotations.description) == ["go", "BAD_muscle"]  # events.tsv


def test_channels_tsv_bad_marks_mne_bids_does_not_read_are_said(bids_dataset, tmp_path):
    """A channels.tsv marking a channel bad in a column 'Status' (not 'status'), or with a
    status that is neither good nor bad ('noisy'): MNE-BIDS uses the channel as good without a
    word; eegpt says so, naming the channel and how to mark it bad."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="002")
    tsv = next(path.parent.glob("*_channels.tsv"))
    header, first, *rest = tsv.read_text().splitlines()
    name = first.split("\t")[0]
    at = header.split("\t").index("status")
    cells = first.split("\t")
    for status, column, said in [
        ("bad", "Status", f"marks 1 channel bad ({name}) in a column 'Status', but MNE-BIDS "
         "reads only a column spelt 'status'"),
        ("noisy", "status", f"gives 1 channel a status that is neither good nor bad: {name} "
         "('noisy'). MNE-BIDS marks bad only the channels whose status is 'bad'"),
    ]:  # fmt: skip
        cells[at] = status
        head = header.split("\t")
        head[at] = column
        tsv.write_text("\n".join(["\t".join(head), "\t".join(cells), *rest]) + "\n")
        with pytest.warns(RuntimeWarning) as caught:
            rec = as_recording(path)
        texts = [str(w.message) for w in caught if said in str(w.message)]
        assert len(texts) == 1, [str(w.message) for w in caught]
        assert texts[0].startswith(f"{path}: its sidecar {tsv} ")
        assert "used as good channels" in texts[0]
        assert name in rec.ch_names  # as MNE-BIDS reads it


def test_a_sidecar_column_spelt_otherwise_is_named(bids_dataset, tmp_path):
    """A channels.tsv with 'Type' for 'type', an events.tsv with no 'duration': the reason
    names the column it has (or its columns) and what BIDS wants, not MNE-BIDS's bare
    KeyError."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="001")
    channels = next(path.parent.glob("*_channels.tsv"))
    text = channels.read_text()
    channels.write_text(text.replace("\ttype\t", "\tType\t", 1))
    with pytest.raises(RecordingError) as caught:
        as_recording(path, verbose="error")
    assert f"the sidecar {channels} could not be read: KeyError: 'type': it has a column " \
        "'Type', not 'type': BIDS names its columns in lower case" in str(caught.value)  # fmt: skip
    channels.write_text(text)
    events = next(path.parent.glob("*_events.tsv"))
    events.write_text(events.read_text().replace("\tduration\t", "\tlength\t", 1))
    with pytest.raises(RecordingError) as caught:
        as_recording(path, verbose="error")
    assert f"the sidecar {events} could not be read: KeyError: 'duration': it has no column " \
        "'duration' (its columns: onset, length, " in str(caught.value)  # fmt: skip


def test_a_recording_duration_the_file_does_not_hold_is_said(bids_dataset, tmp_path):
    """An _eeg.json RecordingDuration of 60 s for a file of 30 s (a copy cut short?): what it
    holds is embedded, with a warning naming the sidecar and both durations. The duration
    write_raw_bids writes (the file's) is quiet."""
    import json

    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="002")
    sidecar = path.with_name("sub-002_ses-a_task-rest_run-1_eeg.json")
    fields = json.loads(sidecar.read_text())
    assert abs(fields["RecordingDuration"] - 30) < 0.1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        as_recording(path)
    assert not any("RecordingDuration" in str(w.message) for w in caught)
    sidecar.write_text(json.dumps({**fields, "RecordingDuration": 60}))
    with pytest.warns(RuntimeWarning) as caught:
        rec = as_recording(path)
    said = [str(w.message) for w in caught if "RecordingDuration" in str(w.message)]
    assert len(said) == 1 and said[0] == (
        f"{path}: its sidecar {sidecar} gives RecordingDuration 60 s, but the data file holds "
        "30 s: is the file cut short (an incomplete copy or download)? Only what it holds is "
        "embedded: copy it again, or correct the sidecar if the file is whole"
    )
    assert rec.data.shape[1] == 30 * rec.sfreq


def test_channels_tsv_names_that_are_not_the_file_s_are_said_in_eegpt_s_words(
    bids_dataset, tmp_path
):
    """A channels.tsv of other names (or of the file's in another order): eegpt's own reason,
    naming the sidecar, the names that differ and what to do; not MNE-BIDS's on_ch_mismatch."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    path = root / EDF.format(sub="002")
    tsv = next(path.parent.glob("*_channels.tsv"))
    text = tsv.read_text()
    tsv.write_text(text.replace("EEG F3-REF", "F3"))
    with pytest.raises(RecordingError) as caught:
        as_recording(path, verbose="error")
    said = str(caught.value)
    assert f"the channel names of the sidecar {tsv} are not the data file's: " in said
    assert "has F3 that the file does not; the file has EEG F3-REF that" in said
    assert "name column lists the file's channel names in the file's order, or remove it" in said
    assert "on_ch_mismatch" not in said
    rows = text.splitlines()
    tsv.write_text("\n".join([rows[0], rows[2], rows[1], *rows[3:]]) + "\n")  # reordered
    with pytest.raises(RecordingError, match=r"\(the same names in another order\)"):
        as_recording(path, verbose="error")
    # the sidecar is read as eegpt reads its tables: one saved as UTF-16 (Excel's "Unicode
    # Text") still names what differs
    tsv.write_bytes(text.replace("EEG F3-REF", "F3").encode("utf-16"))
    said = eegpt.bids._mismatch_reason(path, tsv)
    assert "has F3 that the file does not; the file has EEG F3-REF that" in said


def test_participants_columns_never_overwrite_each_other(bids_dataset, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    (root / "participants.tsv").write_text(
        "participant_id\ttask\tparticipant_task\nsub-001\tx\ty\nsub-002\tz\tw\n"
        "sub-001\tagain\tagain\n"
    )
    with pytest.warns(RuntimeWarning, match="lists sub-001 more than once; its first row"):
        table = eegpt.bids.bids_manifest(root).to_pydict()
    assert table["task"] == ["rest", "rest"]  # the entity
    assert table["participant_task"] == ["y", "w"]  # the participants column of that name
    assert table["participant_task_2"] == ["x", "z"]  # participants' own 'task'


def test_listing_a_bids_dataset_imports_no_torch(bids_dataset):
    """bids_manifest (with participants.tsv read) needs neither torch nor the corpus writer."""
    import subprocess
    import sys

    script = f"""
import sys
from pathlib import Path
import eegpt.annotations
import eegpt.bids

table = eegpt.bids.bids_manifest(Path({str(bids_dataset)!r}))
assert table.column("group").to_pylist() == ["patient", "control"], table.column_names
print("torch" in sys.modules, "eegpt.dataset" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_a_bids_brainvision_recording_in_the_windows_codepage_reads(tmp_path):
    """A BrainVision recording of a BIDS dataset whose marker file is in the Windows codepage
    (``Codepage=ANSI``) reads through MNE-BIDS too, its markers' texts decoded by it."""
    import json

    from test_io import _german_brainvision

    (tmp_path / "dataset_description.json").write_text(
        json.dumps({"Name": "Ruhe", "BIDSVersion": "1.8.0"})
    )
    vhdr, samples = _german_brainvision(tmp_path / "Proband Köhler")
    folder = tmp_path / "sub-01" / "eeg"
    folder.mkdir(parents=True)
    name = "sub-01_task-rest_eeg"
    for suffix in (".eeg", ".vhdr", ".vmrk"):
        data = vhdr.with_suffix(suffix).read_bytes()
        (folder / name).with_suffix(suffix).write_bytes(data.replace(b"ruhe.", f"{name}.".encode()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE-BIDS: the sidecars left out here
        rec = as_recording(folder / f"{name}.vhdr", verbose="error")
    assert list(rec.annotations.description) == ["Comment/Augen geöffnet", "BAD_Störung/Kopf gedreht"]  # fmt: skip
    np.testing.assert_allclose(rec.data, samples.T * 0.1e-6, rtol=1e-6)


# --------------------------------------------------------------------------------------------
# selecting a dataset's recordings: .bidsignore, entity filters, a folder inside a dataset
# --------------------------------------------------------------------------------------------

SEL = "sub-{sub}/ses-1/eeg/sub-{sub}_ses-1_task-{task}_eeg.edf"


@pytest.fixture(scope="module")
def tasks_dataset(tmp_path_factory):
    """Subjects 01 and 02, each with a 'rest' and a 'pilot' recording, and participants.tsv."""
    root = tmp_path_factory.mktemp("bids_tasks")
    raw, _ = synthetic_raw(minutes=0.2, seed=2)
    raw.info["line_freq"] = 50
    for sub in ("01", "02"):
        for task in ("rest", "pilot"):
            path = mne_bids.BIDSPath(subject=sub, session="1", task=task, datatype="eeg",
                                     root=root)  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # no events: as it should be here
                mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True,
                                        verbose=False)  # fmt: skip
    (root / "participants.tsv").write_text("participant_id\tage\nsub-01\t31\nsub-02\t40\n")
    return root


def _ids(inputs):
    return [f.recording_id for f in inputs.files]


def test_bidsignore_leaves_out_the_files_it_names(tasks_dataset, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(tasks_dataset, root)
    (root / ".bidsignore").write_text("# pilots\n*_task-pilot_*\n")
    with pytest.warns(RuntimeWarning, match=r"\.bidsignore: left out 2 EEG data files it names"):
        inputs = resolve_inputs(root)
    assert _ids(inputs) == [SEL.format(sub=s, task="rest") for s in ("01", "02")]
    assert set(inputs.metadata.column("task").to_pylist()) == {"rest"}


def test_bidsignore_is_read_as_gitignore_patterns(tmp_path):
    (tmp_path / ".bidsignore").write_text("sub-02/\n/sub-01/ses-1/eeg/*pilot*\n!*run-2*\n**/x\n")
    ignored = eegpt.bids._bidsignore(tmp_path)
    assert ignored("sub-02/ses-1/eeg/sub-02_ses-1_task-rest_eeg.edf")  # a folder: all in it
    assert not ignored("sub-02")  # a file of that name is no folder
    assert ignored("sub-01/ses-1/eeg/sub-01_ses-1_task-pilot_eeg.edf")  # anchored
    assert not ignored("other/sub-01/ses-1/eeg/sub-01_ses-1_task-pilot_eeg.edf")
    assert not ignored("sub-01/ses-1/eeg/sub-01_ses-1_task-pilot_run-2_eeg.edf")  # taken back
    assert ignored("sub-03/a/x") and not ignored("sub-03/a/xy")
    assert not eegpt.bids._bidsignore(tmp_path / "none")("sub-02/a.edf")


@pytest.mark.parametrize(
    "encoded",
    [
        lambda text: text.encode("utf-16"),  # Excel's "Unicode Text": BOM, little-endian
        lambda text: text.encode("utf-8-sig"),  # a BOM before the first pattern
        lambda text: ("# Müller's pilots\n" + text).encode("cp1252"),  # a comment not UTF-8
    ],
    ids=["utf-16", "utf-8-bom", "cp1252-comment"],
)
def test_bidsignore_is_read_as_eegpt_reads_its_tables(tmp_path, encoded):
    """``.bidsignore`` is read by eegpt's one reader of text tables
    (:func:`eegpt.text_tables.table_text`): UTF-16 and a BOM decoded, its first pattern
    honoured; a file in another encoding read as Latin-1, not refused."""
    (tmp_path / ".bidsignore").write_bytes(encoded("sub-02/\r\n*pilot*\r\n"))
    ignored = eegpt.bids._bidsignore(tmp_path)
    assert ignored("sub-02/ses-1/eeg/sub-02_ses-1_task-rest_eeg.edf")
    assert ignored("sub-01/ses-1/eeg/sub-01_ses-1_task-pilot_eeg.edf")
    assert not ignored("sub-01/ses-1/eeg/sub-01_ses-1_task-rest_eeg.edf")


def test_bids_filters_select_recordings_and_name_the_labels_there_are(tasks_dataset):
    inputs = resolve_inputs(tasks_dataset, bids_filters={"task": "rest"})
    assert _ids(inputs) == [SEL.format(sub=s, task="rest") for s in ("01", "02")]
    assert inputs.metadata.column("age").to_pylist() == [31, 40]  # columns kept
    two = resolve_inputs(tasks_dataset, bids_filters={"subject": ["sub-02"], "task": ["pilot"]})
    assert _ids(two) == [SEL.format(sub="02", task="pilot")]
    with pytest.raises(ValueError, match=r"task 'sleep' \(--task\) matches no recording.*"
                       r"task labels are 'pilot', 'rest'"):  # fmt: skip
        resolve_inputs(tasks_dataset, bids_filters={"task": ["rest", "sleep"]})
    with pytest.raises(
        ValueError, match=r"run .1. \(--run\) matches no recording .*no run- entity"
    ):
        resolve_inputs(tasks_dataset / "sub-01", bids_filters={"run": "1"})
    with pytest.raises(ValueError, match="not entities recordings can be selected by"):
        resolve_inputs(tasks_dataset, bids_filters={"tsk": "rest"})
    with pytest.raises(
        ValueError, match=r"with pattern='.*' \(--pattern\), which picks files alone"
    ):
        resolve_inputs(tasks_dataset, pattern="**/*.edf", bids_filters={"task": "rest"})
    with pytest.raises(ValueError, match="is not a BIDS dataset"):
        resolve_inputs(tasks_dataset.parent, bids_filters={"task": "rest"})
    glob = str(tasks_dataset / "*.edf")
    with pytest.raises(ValueError, match=r"\(--task rest --run 1,2\) select recordings of a "
                       r"BIDS dataset; give its folder .* as the input, not '"):  # fmt: skip
        resolve_inputs(glob, bids_filters={"task": ["rest"], "run": ["1", "2"]})


def test_a_run_filter_matches_the_run_index_as_a_number(bids_dataset):
    """BIDS run labels are indices: --run 1 and --run 01 both select run-1 (and run-01); other
    labels are compared as written, and a run no recording has is named with those there are."""
    for run in ("1", "01", 1, "run-001"):
        inputs = resolve_inputs(bids_dataset, bids_filters={"run": run})
        assert _ids(inputs) == [EDF.format(sub=s) for s in ("001", "002")], run
    assert len(resolve_inputs(bids_dataset, bids_filters={"subject": "001", "run": "01"})) == 1
    with pytest.raises(
        ValueError, match=r"run '2' \(--run\) matches no recording .*labels are '1'"
    ):
        resolve_inputs(bids_dataset, bids_filters={"run": ["01", "2"]})
    with pytest.raises(ValueError, match=r"subject '1' \(--subject\) matches no recording"):
        resolve_inputs(bids_dataset, bids_filters={"subject": "1"})  # sub-001: text


def test_a_folder_inside_a_bids_dataset_is_that_part_of_it(tasks_dataset):
    whole = resolve_inputs(tasks_dataset)
    for folder in ("sub-01", "sub-01/ses-1", "sub-01/ses-1/eeg"):
        part = resolve_inputs(tasks_dataset / folder)
        assert _ids(part) == _ids(whole)[:2]  # the ids of a whole-dataset run
        assert part.metadata.to_pylist() == whole.metadata.to_pylist()[:2]
        assert part.source.endswith("(BIDS)")
    assert resolve_inputs(tasks_dataset / "sub-01", bids_filters={"task": "rest"}).metadata[
        "task"
    ].to_pylist() == ["rest"]


def test_a_pattern_in_a_bids_dataset_leaves_its_sidecars_out(tasks_dataset):
    with pytest.warns(RuntimeWarning, match=r"left out 2 files .* sidecars or tables .*_eeg\.json"):
        inputs = resolve_inputs(tasks_dataset, pattern="sub-*/ses-*/eeg/*task-rest*_eeg.*")
    assert _ids(inputs) == [SEL.format(sub=s, task="rest") for s in ("01", "02")]
    with pytest.warns(RuntimeWarning, match="sidecars or tables"):
        globbed = resolve_inputs(str(tasks_dataset / "sub-01" / "ses-1" / "eeg" / "*rest*"))
    assert [Path(f.path).suffix for f in globbed.files] == [".edf"]


def test_a_pattern_in_a_bids_dataset_leaves_its_other_files_out(tasks_dataset, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(tasks_dataset, root)
    for name in ("README", "CHANGES", "LICENSE", ".bidsignore"):
        (root / name).write_text("# nothing\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inputs = resolve_inputs(root, pattern="**/*")
    assert [Path(f.path).suffix for f in inputs.files] == [".edf"] * 4
    texts = [str(w.message) for w in caught]
    assert any("that are no recordings of the BIDS dataset" in t and "README" in t for t in texts)


def test_a_pattern_picking_derivatives_of_a_bids_dataset_is_warned_of(tasks_dataset, tmp_path):
    """A pattern matching the processed copies under derivatives/ embeds them beside the
    recordings (as the user asked) and says so; the dataset's own listing leaves them out."""
    root = tmp_path / "ds"
    shutil.copytree(tasks_dataset, root)
    copy = root / "derivatives" / "clean" / "sub-01" / "ses-1" / "eeg"
    shutil.copytree(root / "sub-01" / "ses-1" / "eeg", copy)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inputs = resolve_inputs(root, pattern="**/*_eeg.edf")
    texts = [str(w.message) for w in caught]
    assert len(_ids(inputs)) == 6
    (said,) = [t for t in texts if "derivatives/" in t]
    assert "picks 2 files under the derivatives/, sourcedata/" in said
    assert "derivatives/clean/sub-01/ses-1/eeg/" in said and "Leave the pattern out" in said
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert len(_ids(resolve_inputs(root, pattern="sub-*/**/*_eeg.edf"))) == 4
    assert not [w for w in caught if "derivatives/" in str(w.message)]
    with pytest.warns(RuntimeWarning, match=r"derivatives/, .* alone .*: a derivative dataset"):
        resolve_inputs(root, pattern="derivatives/**/*_eeg.edf")


def test_a_pattern_picking_linked_derivatives_is_warned_of(tasks_dataset, tmp_path):
    """A DataLad/git-annex dataset's files are links into .git/annex: where they are listed
    (derivatives/...) counts, not where the links point."""
    root = tmp_path / "ds"
    shutil.copytree(tasks_dataset, root)
    store = root / ".git" / "annex" / "objects"
    store.mkdir(parents=True)
    copy = root / "derivatives" / "clean" / "sub-01"
    copy.mkdir(parents=True)
    for edf in sorted((root / "sub-01" / "ses-1" / "eeg").glob("*_eeg.edf")):
        target = store / edf.name
        shutil.copy(edf, target)
        (copy / edf.name).symlink_to(target)
    with pytest.warns(RuntimeWarning, match=r"picks 2 files under the derivatives/"):
        inputs = resolve_inputs(root, pattern="**/*_eeg.edf")
    assert len(_ids(inputs)) == 6


@pytest.mark.parametrize("mne_lists_types", [True, False])
def test_a_pattern_in_a_bids_dataset_keeps_what_mne_may_read(
    tasks_dataset, tmp_path, monkeypatch, mne_lists_types
):
    """A .txt above the sub-* folders (notes) is left out, one inside them (BOXY) kept; where
    MNE's private list of readable types cannot be had, only the sidecars and the files known
    to be no recordings (README, CHANGES, LICENSE, *.md) are left out: a .dat MNE may read
    is kept."""
    import mne.io._read_raw

    if not mne_lists_types:

        def gone():
            raise AttributeError("_get_supported")

        monkeypatch.setattr(mne.io._read_raw, "_get_supported", gone)
    root = tmp_path / "ds"
    shutil.copytree(tasks_dataset, root)
    for name in ("README", "CHANGES", "LICENSE", "notes.md", "notes.txt"):
        (root / name).write_text("# nothing\n")
    eeg = next(root.rglob("*_eeg.edf")).parent
    for name in ("sub-01_boxy.txt", "sub-01_recording.dat"):
        (eeg / name).write_text("0\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inputs = resolve_inputs(root, pattern="**/*")
    suffixes = sorted(Path(f.path).suffix for f in inputs.files)
    assert suffixes == [".dat", ".edf", ".edf", ".edf", ".edf", ".txt"]
    said = [str(w.message) for w in caught if "no recordings of the BIDS dataset" in str(w.message)]
    assert len(said) == 1 and "notes.txt" in said[0] and "README" in said[0]


def test_participants_leading_zero_warning_is_the_reader_s_own_decision(tmp_path):
    """The warning of a column kept as text for a leading zero names the columns the table
    reader kept so (:attr:`eegpt.dataset_read.DelimitedTable.kept_as_text`), not its own
    guess: a column that is text for another cell (``1_000``, which Python's float reads but
    a table of numbers does not) is not said to be text for its ``007``."""
    (tmp_path / "participants.tsv").write_text(
        "participant_id\tcode\tnote\nsub-01\t1\t1_000\nsub-02\t007\t007\n"
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        columns = eegpt.bids._participants(tmp_path, ["01", "02"])
    assert columns["code"].to_pylist() == ["1", "007"]
    assert columns["note"].to_pylist() == ["1_000", "007"]
    said = [str(w.message) for w in caught if "leading zero" in str(w.message)]
    assert len(said) == 1 and "'code' is kept as text" in said[0] and "(row 2 " in said[0]


def test_participants_ids_without_their_sub_prefix_are_matched_and_said(tmp_path):
    """participant_id cells written without 'sub-' (``01``): their rows are given to their
    subjects, with one warning naming them, since MNE-BIDS does not match them and warns
    for every recording that its subject is not listed."""
    (tmp_path / "participants.tsv").write_text("participant_id\tage\n01\t31\nsub-02\t40\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        columns = eegpt.bids._participants(tmp_path, ["01", "02"])
    assert columns["age"].to_pylist() == [31, 40]
    said = [str(w.message) for w in caught if "without the 'sub-' prefix" in str(w.message)]
    assert len(said) == 1 and "1 participant_id without" in said[0]
    assert "takes '01' for sub-01" in said[0] and "write them as sub-01" in said[0]


def test_participants_tsv_slips_are_tolerated_or_said(tasks_dataset, model, tmp_path):
    root = tmp_path / "ds"
    shutil.copytree(tasks_dataset, root)
    (root / "participants.tsv").write_text("participant_id\tage\tcode\nsub-01 \t31\t007\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = eegpt.bids.bids_manifest(root).to_pydict()
    assert table["age"] == [31, 31, None, None]  # the id's space
    assert table["code"] == ["007", "007", None, None]
    texts = [str(w.message) for w in caught]
    assert sum("has no row for 1 subject of the dataset (sub-02)" in t for t in texts) == 1
    assert any("'code' is kept as text" in t and "'007' (row 1" in t for t in texts)
    # a column MNE-BIDS cannot find (it reads participants.tsv for each recording): refused
    # once, before any recording is read, not a failure of each
    for header in ("Participant_ID", "participant_id ", "id"):
        (root / "participants.tsv").write_text(f"{header}\tage\nsub-01\t31\n")
        with pytest.raises(ValueError, match=r"participants\.tsv has no participant_id column"):
            eegpt.bids.bids_manifest(root)
    with pytest.raises(ValueError, match=r"'Participant_ID' is not spelt exactly so.*name the"):
        (root / "participants.tsv").write_text("Participant_ID\tage\nsub-01\t31\n")
        embed_dataset(root, tmp_path / "out", model=model, workers=0, progress=False)
    assert not (tmp_path / "out" / "_errors.csv").exists()
    # a file of the dataset read alone: MNE-BIDS's failure, with what to do
    edf = next(root.rglob("*_eeg.edf"))
    with pytest.raises(ValueError, match=r"KeyError: 'participant_id': name its column"):
        as_recording(edf, verbose="error")


def test_bids_filters_sort_only_ascii_digits_as_numbers():
    """A label of non-ASCII digits ("²": str.isdigit, but no int) is sorted as text, not a
    bare ValueError from int()."""
    assert eegpt.bids.bids_filters({"subject": ["²", "10", "1"]}) == {"subject": ["1", "10", "²"]}


def test_bids_filters_are_recorded_alike_for_the_same_selection(
    tasks_dataset, model, tmp_path, monkeypatch
):
    import json

    canonical = eegpt.bids.bids_filters
    assert canonical({"subject": ["02", "sub-01", "02"]}) == canonical({"subject": ["01", "02"]})
    assert canonical({"subject": ["02", "01"]}) == {"subject": ["01", "02"]}
    assert canonical({"run": ["01", "10", 2]}) == {"run": ["1", "2", "10"]}
    out = tmp_path / "out"
    summary = embed_dataset(tasks_dataset, out, model=model, workers=0, progress=False,
                            bids_filters={"task": "rest,pilot".split(",")})  # fmt: skip
    assert summary.n_ok == 4
    again = embed_dataset(tasks_dataset, out, model=model, workers=0, progress=False,
                          bids_filters={"task": ["pilot", "rest"]})  # fmt: skip
    assert again.n_ok == 4
    # a run that recorded its filters as given (before they were recorded canonical)
    with monkeypatch.context() as m:
        m.setattr(eegpt.bids, "_canonical", lambda name, labels: list(dict.fromkeys(labels)))
        embed_dataset(tasks_dataset, tmp_path / "old", model=model, workers=0, progress=False,
                      bids_filters={"task": ["rest", "pilot"]}, shard_size=2)  # fmt: skip
    manifest = tmp_path / "old" / "_manifest.json"
    assert json.loads(manifest.read_text())["spec"]["inputs"]["bids_filters"] == {
        "task": ["rest", "pilot"]
    }
    (tmp_path / "old" / "shard-00001.parquet").unlink()  # to be done by the resume
    again = embed_dataset(tasks_dataset, tmp_path / "old", model=model, workers=0,
                          progress=False, bids_filters={"task": ["pilot", "rest"]},
                          shard_size=2)  # fmt: skip
    assert again.n_ok == 4
    with pytest.raises(ValueError, match="bids_filters"):
        embed_dataset(tasks_dataset, out, model=model, workers=0, progress=False,
                      bids_filters={"task": ["pilot"]})  # fmt: skip


def test_bids_filters_are_recorded_and_a_resume_must_give_the_same(tasks_dataset, model, tmp_path):
    import json

    out = tmp_path / "out"
    summary = embed_dataset(tasks_dataset, out, model=model, workers=0, progress=False,
                            bids_filters={"task": "rest"})  # fmt: skip
    assert summary.n_ok == 2
    spec = json.loads((out / "_manifest.json").read_text())["spec"]
    assert spec["inputs"]["bids_filters"] == {"task": ["rest"]}
    with pytest.raises(ValueError, match="bids_filters"):
        embed_dataset(tasks_dataset, out, model=model, workers=0, progress=False,
                      bids_filters={"task": "pilot"})  # fmt: skip
    again = embed_dataset(tasks_dataset, out, model=model, workers=0, progress=False,
                          bids_filters={"task": ["task-rest"]})  # fmt: skip
    assert again.n_ok == 2


def test_the_command_line_takes_bids_filters():
    from eegpt.dataset_cli import _bids_filters, build_parser

    args = build_parser().parse_args(
        ["ds", "-o", "out", "--task", "rest,sleep", "--subject", "01", "--subject", "02"]
    )
    assert _bids_filters(args) == {"subject": ["01", "02"], "task": ["rest", "sleep"]}
    assert _bids_filters(build_parser().parse_args(["ds", "-o", "out"])) is None


def _eeglab_without_its_fdt(root):
    """An EEGLAB recording of ``root`` (a BIDS dataset) whose .set names a .fdt that is not
    there; returns the .set."""
    import scipy.io

    pytest.importorskip("eeglabio")
    raw, _ = synthetic_raw(minutes=0.2, seed=2)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="003", session="a", task="rest", run="1", datatype="eeg",
                             root=root)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mne_bids.write_raw_bids(raw, path, format="EEGLAB", allow_preload=True, verbose=False)
    set_file = path.fpath
    fields = scipy.io.loadmat(set_file, appendmat=False)
    fields = {k: v for k, v in fields.items() if not k.startswith("__")}
    fields["data"] = set_file.with_suffix(".fdt").name  # the samples in a .fdt, now missing
    scipy.io.savemat(set_file, fields, appendmat=False)
    return set_file


def test_a_missing_data_file_is_said_as_such_not_as_a_sidecar(bids_dataset, model, tmp_path):
    """A .set whose .fdt is missing, a .vhdr whose DataFile= names a file renamed since: the
    data file is named as missing (not a sidecar as unreadable), with the header line naming
    it; a corpus run's summary shortens paths, not the reason."""
    from test_io import _german_brainvision

    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    set_file = _eeglab_without_its_fdt(root)
    with pytest.raises(
        RecordingError, match=r"its samples are kept in \S*_eeg\.fdt \(an EEGLAB"
    ) as info:
        as_recording(set_file, verbose="error")
    assert "sidecar" not in str(info.value)
    vhdr, _ = _german_brainvision(tmp_path / "bv", "UTF-8")
    folder = root / "sub-004" / "eeg"
    folder.mkdir(parents=True)
    header = folder / "sub-004_task-rest_eeg.vhdr"
    header.write_bytes(vhdr.read_bytes().replace(b"ruhe.eeg", b"recording_old_name.eeg"))
    for suffix in (".eeg", ".vmrk"):
        header.with_suffix(suffix).write_bytes(vhdr.with_suffix(suffix).read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE-BIDS: the sidecars missing here
        with pytest.raises(RecordingError, match=r"its header's DataFile= line names "
                           r"recording_old_name\.eeg, which is not in the folder \S*sub-004/eeg/:"):  # fmt: skip
            as_recording(header, verbose="error")
        summary = embed_dataset(root, tmp_path / "out", model=model, workers=0, progress=False)
    assert summary.n_failed == 2
    lines = [line for line in str(summary).splitlines() if line.startswith("  sub-00")]
    assert lines[0].startswith("  sub-003/ses-a/eeg/sub-003_ses-a_task-rest_run-1_eeg.set: its "
                               "samples are kept in sub-003_ses-a_task-rest_run-1_eeg.fdt ")  # fmt: skip
    assert lines[0].endswith("with its samples inside the .set")  # the reason, not cut mid-path
    assert "DataFile= line names recording_old_name.eeg" in lines[1]
    assert not any(str(tmp_path) in line for line in lines)  # paths shortened to file names


@pytest.mark.parametrize("acq_time", ["2019-11-11T08:30:00Z", "2019-11-11T08:30:00"])
def test_a_date_from_scans_tsv_is_on_its_own_clock(bids_dataset, tmp_path, acq_time):
    """A measurement date MNE-BIDS takes from scans.tsv's acq_time (over the EDF header's
    local wall clock) is recorded as such (clock "acq_time": UTC), and ``eegpt info`` says
    where it comes from; a file whose row says n/a keeps the header's local clock."""
    import datetime

    from eegpt.cli_info import clock_zone_text

    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    scans = root / "sub-001" / "ses-a" / "sub-001_ses-a_scans.tsv"
    scans.write_text(scans.read_text().replace("n/a", acq_time))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = as_recording(root / EDF.format(sub="001"), verbose="error")
        other = as_recording(root / EDF.format(sub="002"), verbose="error")
        as_recording(root / EDF.format(sub="001"), verbose="error")
    zoneless = [w for w in caught if "has no time zone" in str(w.message)]
    assert len(zoneless) == (0 if acq_time.endswith("Z") else 1)  # once for the dataset
    when = datetime.datetime.fromisoformat(acq_time.replace("Z", "+00:00"))
    assert datetime.datetime.fromisoformat(rec.meas_date) == when.astimezone(datetime.UTC)
    # (the fixture's EDF headers start at 01.01.85, EDF's placeholder: acq_time overrides it)
    assert (rec.date_clock, other.date_clock) == ("acq_time", "anonymized")
    assert clock_zone_text({"clock": rec.date_clock}).startswith(
        "UTC, from the BIDS scans.tsv acq_time"
    )


def test_an_acq_time_that_repeats_the_header_s_date_keeps_the_header_s_clock(
    bids_dataset, tmp_path
):
    """``write_raw_bids`` writes acq_time from the header's date (with ``Z``): where scans.tsv
    repeats the header's own date, MNE-BIDS changed nothing, and the clock stays the
    reader's ("local" for EDF), not "acq_time"."""
    root = tmp_path / "ds"
    shutil.copytree(bids_dataset, root)
    data = root / EDF.format(sub="001")
    body = bytearray(data.read_bytes())  # a real start, not the fixture's 01.01.85 placeholder
    body[168:184] = b"11.11.1908.30.00"
    data.write_bytes(bytes(body))
    header = mne.io.read_raw(data, preload=False, verbose="error").info["meas_date"]
    assert header is not None
    scans = root / "sub-001" / "ses-a" / "sub-001_ses-a_scans.tsv"
    stamp = header.strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    scans.write_text(scans.read_text().replace("n/a", stamp, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rec = as_recording(data, verbose="error")
    assert rec.date_clock == "local"


def test_channels_left_out_by_type_or_bad_status_are_reported(model, tmp_path):
    """Channels a channels.tsv types as other than EEG (VEOG eog, the ECG) or marks bad are
    left out before mapping: `_files.csv` names them with why (left_out_channels), apart from
    those whose names map to no electrode (dropped_channels), and the summary counts each
    kind on its own line, as `eegpt channels` words them."""
    root = tmp_path / "ds"
    raw, _ = synthetic_raw(minutes=0.5, seed=1)
    raw.info["line_freq"] = 50
    veog = raw.copy().pick(["EEG FP1-REF"]).rename_channels({"EEG FP1-REF": "VEOG"})
    raw.add_channels([veog.set_channel_types({"VEOG": "eog"})])
    raw.set_channel_types({"EEG EKG1-REF": "ecg"})
    for sub in ("001", "002"):
        path = mne_bids.BIDSPath(subject=sub, session="a", task="rest", run="1",
                                 datatype="eeg", root=root)  # fmt: skip
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    first = mne_bids.get_bids_path_from_fname(root / EDF.format(sub="001"))
    mne_bids.mark_channels(first, ch_names=["EEG F3-REF"], status="bad", verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = embed_dataset(root, tmp_path / "out", model=model, workers=0, progress=False)
    assert summary.n_ok == 2
    files = pd.read_csv(tmp_path / "out" / "_files.csv").set_index("recording_id")
    assert files.loc[EDF.format(sub="001"), "left_out_channels"] == (
        "EEG F3-REF (bad) | EEG EKG1-REF (ecg) | VEOG (eog)"
    )
    assert files.loc[EDF.format(sub="002"), "left_out_channels"] == (
        "EEG EKG1-REF (ecg) | VEOG (eog)"
    )
    for dropped in files["dropped_channels"]:  # their names map to nothing: A1, A2
        assert dropped == "EEG A1-REF | EEG A2-REF"
    lines = str(summary).splitlines()
    assert "channels not used: EEG A1-REF (2 files), EEG A2-REF (2 files). " in "\n".join(lines)
    assert (
        "marked bad, not used: EEG F3-REF (1 file) (column 'left_out_channels' of _files.csv)"
        in lines
    )
    assert (
        "not EEG by type, not used: EEG EKG1-REF (ecg, 2 files), VEOG (eog, 2 files) (column "
        "'left_out_channels' of _files.csv)" in lines
    )


def test_the_bids_options_are_the_entities_and_import_no_mne():
    """``embed-dataset --subject ...`` are eegpt.bids's entities (one definition), and
    importing the command line's dataset module (eegpt.bids with it) imports neither mne nor
    mne-bids."""
    import subprocess
    import sys

    from eegpt import dataset_cli

    assert dataset_cli._BIDS_OPTIONS is eegpt.bids._KEYS
    assert list(dataset_cli._BIDS_OPTIONS) == list(eegpt.bids.BIDS_FILTERS)
    script = (
        "import sys, eegpt.dataset_cli, eegpt.bids\n"
        "print([m for m in ('mne', 'mne_bids', 'torch') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_bids_recording_s_own_events_tsv_given_as_annotations_is_not_added_again(
    bids_dataset, model
):
    """annotations= naming the *_events.tsv MNE-BIDS read with the recording: its events are
    the recording's already; said so (not 'both are kept ... two hypnograms?'), not added
    again, the windows as without it."""
    path = bids_dataset / EDF.format(sub="001")
    events = next(path.parent.glob("*_events.tsv"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = model.embed(path)
    with pytest.warns(RuntimeWarning) as caught:
        given = model.embed(path, annotations=events)
    texts = [str(w.message) for w in caught]
    assert any("are the recording's own *_events.tsv, which MNE-BIDS read with it" in t
               for t in texts), texts  # fmt: skip
    assert not any("both are kept" in t for t in texts)
    assert given.annotations == alone.annotations


def test_window_labels_of_a_bids_data_file_read_its_events_tsv(bids_dataset, model, tmp_path):
    """``emb.window_labels(path)`` of a BIDS data file reads its ``*_events.tsv``, as
    ``eegpt embed``, ``embed-dataset`` and ``probe train`` do (it gave every window None, with
    'the annotations given hold none': the EDF itself holds none); a recording without any is
    warned of naming where they were looked for."""
    copy = tmp_path / "copy"
    shutil.copytree(bids_dataset / "sub-002", copy / "sub-002")
    shutil.copy(bids_dataset / "dataset_description.json", copy)
    path = copy / EDF.format(sub="002")  # an EDF with no annotations of its own
    path.with_name(path.name.replace("_eeg.edf", "_events.tsv")).write_text(
        "onset\tduration\ttrial_type\n1.0\t0.5\tgo\n9.0\t6.0\tBAD_muscle\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the bad channel of channels.tsv left out
        emb = model.embed(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "hold none"
        labels = emb.window_labels(path, match="muscle", label_bad=True)
        touched = emb.window_labels(path, match="^go$", min_overlap=1e-6)
    assert labels.tolist() == [None, None, "BAD_muscle", "BAD_muscle", None, None, None]
    assert touched[0] == "go" and set(touched[1:]) == {None}  # 1.0-1.5 s
    assert eegpt.annotations.read_annotations(path).onset.tolist() == [1.0, 9.0]
    # a BIDS recording without events, and the same file in no dataset
    empty = bids_dataset / EDF.format(sub="002")
    alone = tmp_path / empty.name
    alone.write_bytes(empty.read_bytes())
    for source, where in (
        (empty, r"\(looked in its own annotations and its BIDS \*_events.tsv sidecar \(of the "),
        (alone, r"\(looked in its own annotations; it is in no BIDS dataset"),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            emb = model.embed(source)
        with pytest.warns(RuntimeWarning, match=rf"the recording {re.escape(str(source))} holds no "
                          rf"annotations, so no window got a label {where}"):  # fmt: skip
            assert set(emb.window_labels(source)) == {None}


def test_probe_train_with_a_bids_recording_as_its_own_annotations_opens_it_once(
    bids_dataset, weights, tmp_path, monkeypatch
):
    """``probe train REC --annotations REC`` (a BIDS recording given as its own annotation
    file): with_extra read the file again through read_annotations, opening the recording a
    second time with its sidecars (MNE-BIDS), and joined its events.tsv annotations twice.
    Now the annotations read with the recording are used, with the warning eegpt embed gives
    for it, and the recording is opened once."""
    from eegpt.probe_cli import main as probe_main

    path = bids_dataset / EDF.format(sub="001")  # events.tsv: go at 1 s, BAD_muscle at 9 s
    read, opened = mne_bids.read_raw_bids, []

    def counted(*args, **kwargs):
        opened.append(kwargs.get("bids_path", args[0] if args else None))
        return read(*args, **kwargs)

    monkeypatch.setattr(mne_bids, "read_raw_bids", counted)
    train = ["train", str(path), "--weights", str(weights), "--passes", "1", "--window", "1",
             "-q", "--no-average-reference", "--window-labels", "go=^go$", "--unlabelled",
             "rest", "-o", str(tmp_path / "probe")]  # fmt: skip
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert probe_main([*train, "--annotations", str(path)]) == 0
    assert len(opened) == 1, opened
    assert any("are the recording's own file, whose annotations are read with it anyway"
               in str(w.message) for w in said)  # fmt: skip


def test_probe_evaluate_opens_each_bids_recording_once(
    bids_dataset, weights, tmp_path, monkeypatch, capsys
):
    """``probe evaluate`` of a probe trained with ``--annotations FILE --unlabelled``, given no
    annotation files, checks each recording's own annotations before reading its samples
    (refused where none labels a window). A BIDS recording's come from its events.tsv, read
    by MNE-BIDS as it opens the recording: the check opened it, and its windows opened it
    again. Now the check's opening is kept for its windows; the refusal stays."""
    from eegpt.probe_cli import main as probe_main

    first, second = (bids_dataset / EDF.format(sub=s) for s in ("001", "002"))
    diary = tmp_path / "diary.tsv"  # the training's annotations, in a file of their own
    diary.write_text("onset\tduration\ttrial_type\n1.0\t0.5\tgo\n")
    probe = tmp_path / "probe"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["train", str(first), "--annotations", str(diary), "--weights",
                           str(weights), "--passes", "1", "--window", "1", "-q",
                           "--no-average-reference", "--window-labels", "go=^go$",
                           "--unlabelled", "rest", "-o", str(probe)]) == 0  # fmt: skip
    read, opened = mne_bids.read_raw_bids, []

    def counted(*args, **kwargs):
        opened.append(str(kwargs.get("bids_path", args[0] if args else None)))
        return read(*args, **kwargs)

    monkeypatch.setattr(mne_bids, "read_raw_bids", counted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["evaluate", str(probe), str(first), "-q"]) == 0  # its events.tsv
    assert len(opened) == 1, opened
    opened.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert probe_main(["evaluate", str(probe), str(second), "-q"]) == 1  # no events: refused
    assert len(opened) == 1, opened
    assert f"{second}: no labels to evaluate against" in capsys.readouterr().err
