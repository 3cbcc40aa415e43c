"""BrainVision channels whose unit in the .vhdr is a voltage MNE's reader does not know
(``μV`` with a Greek mu, ``uv``, ``mv``), which it reads as volts and types misc, are converted
to volts and typed EEG by eegpt: the same windows as the file in µV."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

from eegpt.io import as_recording
from eegpt.preprocessing import prepare
from eegpt.recording_files import open_recording

NAMES = ["Fp1", "Fp2", "C3", "C4", "O1", "O2", "Cz", "Pz"]
SFREQ = 256


def _write(folder: Path, name: str, units: list[str], per_microvolt: list[float]) -> Path:
    """A BrainVision recording of 10 s of 20 µV noise on 8 channels (float32 samples), each
    channel in its unit of ``units``, ``per_microvolt`` of it to a µV; its .vhdr's path."""
    x = np.random.default_rng(4).standard_normal((8, SFREQ * 10)) * 20
    (x * np.asarray(per_microvolt)[:, None]).T.astype("<f4").tofile(folder / f"{name}.eeg")
    channels = "\n".join(
        f"Ch{i + 1}={label},,1,{unit}"
        for i, (label, unit) in enumerate(zip(NAMES, units, strict=True))
    )
    (folder / f"{name}.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\nCodepage=UTF-8\n"
        f"DataFile={name}.eeg\nMarkerFile={name}.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels=8\nSamplingInterval={1e6 / SFREQ:g}\n"
        f"[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32\n[Channel Infos]\n{channels}\n",
        encoding="utf-8",
    )
    (folder / f"{name}.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n[Common Infos]\nCodepage=UTF-8\n"
        f"DataFile={name}.eeg\n[Marker Infos]\nMk1=New Segment,,1,1,0\n",
        encoding="utf-8",
    )
    return folder / f"{name}.vhdr"


def _prepared(path: Path) -> tuple[np.ndarray, list[str]]:
    """The windows of ``path`` and the warnings given on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        windows = prepare(as_recording(path))
    return windows.data, [str(w.message) for w in caught]


@pytest.mark.parametrize(
    ("units", "per_microvolt"),
    [
        (["\u03bcV"] * 8, [1.0] * 8),  # Greek mu: MNE's reader knows the micro sign only
        (["uv"] * 8, [1.0] * 8),
        (["mv"] * 8, [1e-3] * 8),
        (["\u03bcV", "\u00b5V", "uv", "nV", "mV", "V", "mv", "\u00b5V"],
         [1.0, 1.0, 1.0, 1e3, 1e-3, 1e-6, 1e-3, 1.0]),
    ],
)  # fmt: skip
def test_voltage_units_mne_does_not_know_are_converted(tmp_path, caplog, units, per_microvolt):
    """A .vhdr whose channels are in μV (Greek mu), uv or mv was refused (every channel typed
    misc: no channels selected by picks='eeg'), or those channels left out among others; with
    --picks misc they were read 1e6 times too large. They give the windows of the file in µV,
    without unit or amplitude warnings, read whole or block by block, and the log says so."""
    micro, _ = _prepared(_write(tmp_path, "uv", ["\u00b5V"] * 8, [1.0] * 8))
    path = _write(tmp_path, "odd", units, per_microvolt)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        odd, said = _prepared(path)
    np.testing.assert_allclose(odd, micro, rtol=1e-5, atol=1e-6 * np.abs(micro).max())
    assert not [s for s in said if "unit check" in s or "amplitude check" in s]
    assert "reads as volts and types misc: converted to volts" in caplog.text
    lazy, _ = open_recording(path, preload=False, verbose="error")
    whole, _ = open_recording(path, preload=True, verbose="error")
    np.testing.assert_array_equal(lazy.get_data(start=100, stop=600),
                                  whole.get_data(start=100, stop=600))  # fmt: skip
    assert set(whole.get_channel_types()) == {"eeg"}


def _bids_dataset(root, misc: set[str]):
    """A one-recording BIDS dataset under ``root``: a BrainVision file whose .vhdr gives its
    channels in μV with a Greek mu (which MNE reads as volts), its channels.tsv typing the
    channels ``misc`` MISC and the others EEG, in µV; the .vhdr's path."""
    import json

    pytest.importorskip("mne_bids")
    (root / "dataset_description.json").write_text(
        json.dumps({"Name": "units", "BIDSVersion": "1.8.0"})
    )
    folder = root / "sub-01" / "eeg"
    folder.mkdir(parents=True)
    path = _write(folder, "sub-01_task-rest_eeg", ["\u03bcV"] * 8, [1.0] * 8)
    (folder / "sub-01_task-rest_channels.tsv").write_text(
        "name\ttype\tunits\n"
        + "".join(f"{n}\t{'MISC' if n in misc else 'EEG'}\t\u00b5V\n" for n in NAMES),
        encoding="utf-8",
    )
    sidecar = {"TaskName": "rest", "SamplingFrequency": SFREQ, "PowerLineFrequency": 50,
               "EEGReference": "Cz"}  # fmt: skip
    (folder / "sub-01_task-rest_eeg.json").write_text(json.dumps(sidecar))
    return path


def test_a_bids_dataset_typing_them_eeg_has_them_converted(tmp_path):
    """In a BIDS dataset whose channels.tsv types the channels EEG, MNE-BIDS types them so
    (not misc) though MNE read their μV (Greek mu) as volts: they are converted all the same,
    not embedded 1e6 times too large (with an amplitude warning)."""
    path = _bids_dataset(tmp_path, misc=set())
    micro, _ = _prepared(_write(tmp_path, "uv", ["\u00b5V"] * 8, [1.0] * 8))
    odd, said = _prepared(path)
    np.testing.assert_allclose(odd, micro, rtol=1e-5, atol=1e-6 * np.abs(micro).max())
    assert not [s for s in said if "unit check" in s or "amplitude check" in s]


def test_a_bids_dataset_typing_them_misc_keeps_its_types(tmp_path):
    """A BIDS channels.tsv typing two channels in μV (Greek mu) MISC (a sensor other than
    EEG): MNE-BIDS types them misc by it, and eegpt's conversion retyped them EEG as if for
    the unit alone, overriding the sidecar; their types stand (converted all the same)."""
    misc = {"O1", "O2"}
    path = _bids_dataset(tmp_path, misc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw, _ = open_recording(path, preload=True, verbose="error")
    types = dict(zip(raw.ch_names, raw.get_channel_types(), strict=True))
    assert {n for n, t in types.items() if t == "misc"} == misc
    assert {t for n, t in types.items() if n not in misc} == {"eeg"}
    assert 1e-6 < raw.get_data(picks=["O1"]).std() < 1e-4  # converted: about 20 µV
