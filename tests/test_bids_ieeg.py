"""BIDS intracranial recordings (``*_ieeg.edf``): read with their sidecars as ``_eeg`` files
are, so contacts typed SEEG/ECOG are never embedded as the scalp electrodes they are named
like; left out of a BIDS dataset's listing, with a refusal that says how to take them."""

from __future__ import annotations

import warnings

import mne
import numpy as np
import pytest

from eegpt._file_identity import recording_inputs
from eegpt.bids import bids_manifest, bids_root
from eegpt.config import EEGPTConfig
from eegpt.dataset import InputFile, embed_dataset, source_stamp
from eegpt.errors import MissingFileError, RecordingError
from eegpt.io import as_recording
from eegpt.model import EEGPT

mne_bids = pytest.importorskip("mne_bids")
pd = pytest.importorskip("pandas")

IEEG = "sub-{sub}/ieeg/sub-{sub}_task-x_ieeg.edf"
#: Depth contacts named as scalp sites: read alone, they map to C3, C4, T7, F4, O1.
CONTACTS = ["C3", "C4", "T3", "F4", "O1"]


def _write(root, sub, scalp=()):
    """An iEEG recording of ``CONTACTS`` (typed seeg) and ``scalp`` (typed eeg), 60 s."""
    names = [*CONTACTS, *scalp]
    info = mne.create_info(names, 256.0, "seeg")
    data = np.random.default_rng(0).standard_normal((len(names), 256 * 60)) * 2e-5
    raw = mne.io.RawArray(data, info, verbose=False)
    raw.set_meas_date(1_600_000_000)
    raw.info["line_freq"] = 50
    raw.set_channel_types(dict.fromkeys(scalp, "eeg"))
    path = mne_bids.BIDSPath(subject=sub, task="x", datatype="ieeg", root=root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no events: MNE-BIDS's advice
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    return root / IEEG.format(sub=sub)


@pytest.fixture(scope="module")
def ieeg_dataset(tmp_path_factory):
    """sub-01: depth contacts alone; sub-02: the contacts and two scalp channels (Fz, Cz)."""
    root = tmp_path_factory.mktemp("ieeg")
    _write(root, "01")
    _write(root, "02", scalp=("Fz", "Cz"))
    return root


@pytest.fixture(scope="module")
def model():
    return EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))


def test_an_ieeg_file_is_read_with_its_sidecars_and_its_contacts_are_not_scalp_eeg(
    ieeg_dataset,
):
    only_contacts = ieeg_dataset / IEEG.format(sub="01")
    assert bids_root(only_contacts) == ieeg_dataset
    with (
        warnings.catch_warnings(),
        pytest.raises(RecordingError, match=r"intracranial EEG \(seeg\), not scalp EEG"),
    ):
        warnings.simplefilter("ignore")  # MNE-BIDS: no electrode locations
        as_recording(only_contacts)
    mixed = ieeg_dataset / IEEG.format(sub="02")
    with pytest.warns(RuntimeWarning) as said:
        rec = as_recording(mixed)
    assert rec.ch_names == ["Fz", "Cz"]  # the scalp channels channels.tsv types EEG
    texts = [str(w.message) for w in said]
    assert any(
        "C3 (seeg), C4 (seeg), T3 (seeg), F4 (seeg), O1 (seeg) are intracranial EEG (seeg), "
        "not scalp EEG, and were left out"
        in t
        and "--picks eeg --picks seeg" in t
        for t in texts
    ), texts


def test_an_ieeg_recording_s_sidecars_are_its_inputs_and_stamped(ieeg_dataset, tmp_path):
    path = ieeg_dataset / IEEG.format(sub="01")
    names = {p.name for p in recording_inputs(path)}
    assert {"sub-01_task-x_ieeg.json", "sub-01_task-x_channels.tsv"} <= names
    assert {"sub-01_electrodes.tsv", "sub-01_coordsystem.json"} <= names
    file = InputFile(0, IEEG.format(sub="01"), str(path))
    before = source_stamp(file)
    channels = path.with_name("sub-01_task-x_channels.tsv")
    text = channels.read_text(encoding="utf-8")
    try:
        channels.write_text(text.replace("SEEG", "EEG"), encoding="utf-8")
        after = source_stamp(file)
    finally:
        channels.write_text(text, encoding="utf-8")
    assert before is not None and after is not None
    assert before["source_fingerprint"] != after["source_fingerprint"]


def test_a_bids_root_of_ieeg_alone_says_what_it_found_and_how_to_take_it(ieeg_dataset):
    with pytest.raises(MissingFileError) as err:
        bids_manifest(ieeg_dataset)
    text = str(err.value)
    assert "has no EEG data files" in text
    assert "It has 2 intracranial EEG recordings (sub-*_ieeg: sEEG, ECoG)" in text
    assert "EEGPT is a scalp-EEG model" in text
    assert "--pattern '**/*_ieeg.edf'" in text


def test_ieeg_files_taken_by_a_pattern_have_their_contacts_left_out(ieeg_dataset, model, tmp_path):
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = embed_dataset(ieeg_dataset, out, model=model, workers=0, progress=False,
                                pattern="**/*_ieeg.edf")  # fmt: skip
    assert summary.n_ok == 1 and summary.n_failed == 1
    files = pd.read_csv(out / "_files.csv").set_index("recording_id")
    left_out = " | ".join(f"{c} (seeg)" for c in CONTACTS)
    assert files.loc[IEEG.format(sub="02"), "left_out_channels"] == left_out
    assert "intracranial EEG (seeg), not scalp EEG" in files.loc[IEEG.format(sub="01"), "error"]


def test_meg_beside_eeg_is_left_out_without_the_intracranial_warning():
    """Only intracranial contacts (often named like scalp sites) are warned of when left out:
    the MEG sensors of a MEG+EEG recording are left out as other types are."""
    names = ["Fz", "Cz", "Pz", "MEG0111", "MEG0112"]
    info = mne.create_info(names, 256.0, ["eeg"] * 3 + ["mag", "grad"])
    raw = mne.io.RawArray(np.random.default_rng(0).normal(size=(5, 256 * 10)) * 2e-5, info,
                          verbose=False)  # fmt: skip
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        rec = as_recording(raw)
    assert rec.ch_names == ["Fz", "Cz", "Pz"]
    assert not [w for w in said if "not scalp EEG" in str(w.message)]


def test_an_ieeg_json_sampling_frequency_the_file_does_not_have_is_said(tmp_path):
    """The rate check reads the recording's own JSON sidecar: ``*_ieeg.json`` here."""
    import json

    path = _write(tmp_path / "ds", "03", scalp=("Fz", "Cz"))
    sidecar = path.with_name("sub-03_task-x_ieeg.json")
    fields = json.loads(sidecar.read_text(encoding="utf-8"))
    sidecar.write_text(json.dumps({**fields, "SamplingFrequency": 512}), encoding="utf-8")
    with pytest.warns(RuntimeWarning) as said:
        as_recording(path)
    assert any(
        f"its sidecar {sidecar} gives SamplingFrequency 512 Hz" in str(w.message) for w in said
    )


def test_an_ieeg_file_without_its_channels_tsv_is_warned_of(tmp_path):
    """An ``_ieeg`` recording read without a ``*_channels.tsv`` (lost from a BIDS tree, or
    the file alone) has no channel types, so its contacts would be embedded as scalp sites:
    one warning says so."""
    from eegpt.errors import EEGPTWarning

    path = _write(tmp_path / "ds", "01", scalp=("Fz", "Cz"))
    path.with_name("sub-01_task-x_channels.tsv").unlink()
    alone = tmp_path / "alone" / "patient_ieeg.edf"
    alone.parent.mkdir()
    alone.write_bytes(path.read_bytes())
    for file in (path, alone):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            as_recording(file)
        untyped = [w for w in said if "channel types are unknown" in str(w.message)]
        assert len(untyped) == 1 and issubclass(untyped[0].category, EEGPTWarning)
        assert str(untyped[0].message).startswith(
            f"{file} is named as an intracranial recording (BIDS iEEG), but its channel types "
            "are unknown (no *_channels.tsv found)"
        )
    with warnings.catch_warnings(record=True) as said:  # its channels.tsv read: no warning
        warnings.simplefilter("always")
        as_recording(_write(tmp_path / "typed", "01", scalp=("Fz", "Cz")))
    assert not [w for w in said if "channel types are unknown" in str(w.message)]


def test_a_bids_root_of_eeg_and_ieeg_says_how_many_ieeg_it_left_out(tmp_path, caplog):
    """A dataset of both ``_eeg`` and ``_ieeg`` recordings lists its EEG alone, with one note
    saying how many intracranial recordings were left out and how to take them."""
    import logging

    root = tmp_path / "mixed"
    _write(root, "01")
    _write(root, "02")
    info = mne.create_info(["Fz", "Cz", "Pz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.zeros((3, 256 * 10)), info, verbose=False)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="03", task="x", datatype="eeg", root=root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        table = bids_manifest(root)
    assert table.column("path").to_pylist() == ["sub-03/eeg/sub-03_task-x_eeg.edf"]
    notes = [r.getMessage() for r in caplog.records if "_ieeg" in r.getMessage()]
    assert len(notes) == 1
    assert (
        f"the BIDS dataset {root.resolve()}: left out its 2 intracranial EEG recordings "
        "(sub-*_ieeg: sEEG, ECoG)"
    ) in notes[0]
    assert "--pattern '**/*_ieeg.edf'" in notes[0]
