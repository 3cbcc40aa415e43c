"""Reading files and turning MNE objects / arrays into checked recordings."""

from __future__ import annotations

import logging
import os
import re
import sys
import unicodedata
import warnings

import mne
import numpy as np
import pytest

from eegpt.annotations import BadSpans
from eegpt.channels import map_channels
from eegpt.errors import RecordingError
from eegpt.io import Recording, as_recording, file_not_found, read_recording
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.streaming import WindowStream, open_stream

TUH_NAMES = [
    "EEG FP1-REF",
    "EEG FP2-REF",
    "EEG T3-REF",
    "EEG C3-REF",
    "EEG CZ-REF",
    "EEG EKG1-REF",
    "EEG A1-REF",
    "PHOTIC-REF",
]


def _raw(names, sfreq=250.0, seconds=4.0, types="eeg", seed=0):
    rng = np.random.default_rng(seed)
    data = rng.normal(0.0, 20e-6, (len(names), int(sfreq * seconds)))
    info = mne.create_info(names, sfreq, types)
    return mne.io.RawArray(data, info, verbose="error")


@pytest.fixture
def tuh_edf(tmp_path):
    raw = _raw(TUH_NAMES)
    path = tmp_path / "tuh_like.edf"
    mne.export.export_raw(path, raw, fmt="edf", verbose="error")
    return path, raw


def test_read_tuh_edf_and_map(tuh_edf):
    path, original = tuh_edf
    rec = as_recording(path)
    assert isinstance(rec, Recording)
    assert rec.ch_names == TUH_NAMES  # EDF types all signals as EEG: nothing dropped here
    assert rec.sfreq == 250.0
    assert rec.source == str(path)
    assert rec.data.dtype == np.float64 and rec.data.shape == (8, 1000)
    # EDF stores 16-bit integers: equal up to the quantisation step, in volts
    np.testing.assert_allclose(rec.data, original.get_data(), atol=2e-8)
    assert 5e-6 < rec.data.std() < 50e-6
    with pytest.warns(RuntimeWarning, match="EKG1"):
        mapping = map_channels(rec.ch_names)
    assert mapping.names == ("FP1", "FP2", "T7", "C3", "CZ")
    assert mapping.dropped == ("EEG EKG1-REF", "EEG A1-REF", "PHOTIC-REF")


def test_read_recording_returns_raw(tuh_edf):
    path, _ = tuh_edf
    raw = read_recording(path, verbose="error")
    assert isinstance(raw, mne.io.BaseRaw)
    assert raw.preload
    assert raw.ch_names == TUH_NAMES


def test_read_fif_keeps_types(tmp_path):
    raw = _raw(["Fp1", "Cz", "ECG", "STI 014"], types=["eeg", "eeg", "ecg", "stim"])
    path = tmp_path / "rec_raw.fif"
    raw.save(path, verbose="error")
    rec = as_recording(str(path), verbose="error")
    assert rec.ch_names == ["Fp1", "Cz"]
    assert rec.ch_types == ["eeg", "eeg"]
    np.testing.assert_allclose(rec.data, raw.get_data()[:2], rtol=1e-6, atol=1e-12)
    everything = as_recording(path, picks="all", verbose="error")
    assert everything.ch_names == ["Fp1", "Cz", "ECG", "STI 014"]


def test_a_fif_file_named_otherwise_reads_without_a_warning(tmp_path):
    """MNE's notice that a FIF file's name does not end in raw.fif is about the name, not the
    data: not passed on (it made a clean recording count as one 'with warnings')."""
    raw = _raw(["Fp1", "Cz"], types=["eeg", "eeg"])
    path = tmp_path / "good.fif"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert as_recording(path).ch_names == ["Fp1", "Cz"]


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.edf"
    with pytest.raises(FileNotFoundError, match="nope.edf"):
        read_recording(missing)
    with pytest.raises(FileNotFoundError, match="nope.edf"):
        as_recording(missing)
    with pytest.raises(ValueError, match=r"is a folder, not a recording.*eegpt embed-dataset"):
        as_recording(tmp_path)
    link = tmp_path / "broken_link.edf"  # a dangling link: the link is named, and its target
    link.symlink_to("does_not_exist.edf")
    for read in (read_recording, as_recording):
        with pytest.raises(FileNotFoundError, match=rf"{link} is a symbolic link to "
                           rf"{tmp_path / 'does_not_exist.edf'}, which does not exist"):  # fmt: skip
            read(link)


def test_garbage_edf_is_a_clear_value_error(tmp_path):
    path = tmp_path / "broken.edf"
    path.write_bytes(b"this is not an EDF file" * 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE may warn about the header before failing
        with pytest.raises(ValueError, match="could not read EEG file .*broken.edf") as excinfo:
            read_recording(path)
    assert excinfo.value.__cause__ is not None  # MNE's exception is chained


def test_unsupported_extension(tmp_path):
    path = tmp_path / "notes.xyz"
    path.write_text("hello")
    with pytest.raises(ValueError, match=r"unsupported file type '\.xyz'") as excinfo:
        read_recording(path)
    assert excinfo.value.__cause__ is not None
    # .txt goes to MNE's BOXY (fNIRS) reader, which fails on an assert without a message: a
    # .txt recording that reads as a table of numbers is said to be a text table, with the
    # routes that read one; other text keeps MNE's failure
    text = tmp_path / "samples.txt"
    text.write_text("Fp1 Fp2 Cz\n1.5 2.5 -3\n")
    with pytest.raises(ValueError, match=r"a \.txt file of samples .* is a text table") as excinfo:
        read_recording(text)
    assert isinstance(excinfo.value.__cause__, AssertionError)
    for name, body in (("notes.txt", "hello"), ("notes.csv", "a few words, then more\n")):
        (tmp_path / name).write_text(body)
        with pytest.raises(ValueError, match=r"could not read EEG file") as excinfo:
            read_recording(tmp_path / name)
        assert "text table" not in str(excinfo.value)


def test_mixed_sampling_rates_edf_warns(tmp_path):
    edfio = pytest.importorskip("edfio")
    rng = np.random.default_rng(0)
    signals = [
        edfio.EdfSignal(
            rng.normal(0, 20, 2560),
            sampling_frequency=256,
            label="EEG FP1-REF",
            physical_dimension="uV",
            physical_range=(-500, 500),
        ),
        edfio.EdfSignal(
            rng.normal(0, 20, 640),
            sampling_frequency=64,
            label="EEG C3-REF",
            physical_dimension="uV",
            physical_range=(-500, 500),
        ),
    ]
    path = tmp_path / "mixed.edf"
    edfio.Edf(signals).write(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said where the used channels are known, not on reading
        assert read_recording(path, verbose="error").info["sfreq"] == 256
    with pytest.warns(RuntimeWarning, match=r"different sampling rates.*EEG C3-REF \(64 Hz\)") as w:
        prepare(as_recording(path, verbose="error"))
    assert "the file's 256 Hz" in str(w[0].message) and "--drop 'EEG C3-REF'" in str(w[0].message)
    with warnings.catch_warnings():  # the advice taken: nothing left to warn about
        warnings.simplefilter("error")
        rec = as_recording(path, verbose="error")
        one = PreprocessingConfig(average_reference=False)  # one channel left: no average
        prepare(rec, map_channels(rec.ch_names, rename={"EEG C3-REF": None}), one)
        stream = open_stream(path, rename={"EEG C3-REF": None}, verbose="error")
        list(WindowStream(stream, one).blocks(4))
    # EEG at the model's rate beside a faster signal (a pulse oximeter): nothing the model sees
    # is lost, so nothing to warn about
    pleth = edfio.EdfSignal(rng.normal(0, 20, 10240), sampling_frequency=1024, label="Pleth",
                            physical_dimension="uV", physical_range=(-500, 500))  # fmt: skip
    resp = edfio.EdfSignal(rng.normal(0, 20, 320), sampling_frequency=32, label="Resp",
                           physical_dimension="uV", physical_range=(-500, 500))  # fmt: skip
    edfio.Edf([signals[0], pleth, resp]).write(path)  # and a slow signal that is not EEG
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rec = as_recording(path, picks="all", verbose="error")
        assert rec.sfreq == 1024 and rec.rates == [256, 1024, 32]
        prepare(rec, map_channels(rec.ch_names, rename={"Pleth": None, "Resp": None}), one)


def test_a_faster_unused_edf_signal_is_not_read(tmp_path):
    """A photic channel at 512 Hz beside EEG at 256 Hz: MNE would read every channel at
    512 Hz (the EEG upsampled, to be resampled back down, off by ~1e-3). A streamed file is
    read without it, so its windows are those of the EEG alone, exactly."""
    edfio = pytest.importorskip("edfio")
    rng = np.random.default_rng(1)
    seconds = 12

    def signal(label, rate):
        return edfio.EdfSignal(rng.normal(0, 20, rate * seconds), sampling_frequency=rate,
                               label=label, physical_dimension="uV", physical_range=(-500, 500))  # fmt: skip

    eeg = [signal(f"EEG {n}-REF", 256) for n in ("FP1", "C3", "O2")]
    edfio.Edf([eeg[0], signal("PHOTIC-REF", 512), *eeg[1:], signal("IBI", 1)]).write(
        tmp_path / "mixed.edf"
    )
    edfio.Edf(eeg).write(tmp_path / "eeg.edf")
    config = PreprocessingConfig(window_seconds=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the dropped channels are named
        mixed = open_stream(tmp_path / "mixed.edf", verbose="error")
        alone = open_stream(tmp_path / "eeg.edf", verbose="error")
        whole = as_recording(tmp_path / "mixed.edf", verbose="error")  # read whole: 512 Hz
    assert mixed.sfreq == 256 and whole.sfreq == 512
    assert mixed.mapping.names == alone.mapping.names == ("FP1", "C3", "O2")
    assert "PHOTIC-REF" in mixed.mapping.dropped and "PHOTIC-REF" not in mixed.raw.ch_names
    blocks = [
        np.concatenate([b for _, b in WindowStream(r, config).blocks(4)]) for r in (mixed, alone)
    ]
    np.testing.assert_array_equal(blocks[0], blocks[1])
    assert mixed.mapping.input_names == tuple(mixed.raw.ch_names[i] for i in mixed.picks)
    # read whole (embed(..., stream=False)) alike
    from eegpt import EEGPT, EEGPTConfig

    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        embedded = [model.embed(tmp_path / "mixed.edf", stream=s, window_seconds=2.0) for s in (True, False)]  # fmt: skip
        alone_emb = model.embed(tmp_path / "eeg.edf", stream=False, window_seconds=2.0)
    for emb in embedded:
        assert emb.metadata["sfreq_in"] == 256
        np.testing.assert_array_equal(emb.data, alone_emb.data)
    # a rename that uses the fast signal keeps it (and the file's rate)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = open_stream(tmp_path / "mixed.edf", rename={"PHOTIC-REF": "Cz"}, verbose="error")
    assert kept.sfreq == 512 and "CZ" in kept.mapping.names


def test_uniform_edf_does_not_warn(tuh_edf):
    path, _ = tuh_edf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_recording(path, verbose="error")


def test_raw_picks_eeg_and_bads():
    raw = _raw(["Fp1", "Cz", "Pz", "ECG"], types=["eeg", "eeg", "eeg", "ecg"])
    rec = as_recording(raw)
    assert rec.ch_names == ["Fp1", "Cz", "Pz"]
    assert rec.source == "<Raw>"
    np.testing.assert_array_equal(rec.data, raw.get_data()[:3])
    raw.info["bads"] = ["Cz"]
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['Cz'\]"):
        rec = as_recording(raw)
    assert rec.ch_names == ["Fp1", "Pz"]
    # explicit names keep bads (as MNE's pick does), in file order, and say so once
    with pytest.warns(RuntimeWarning, match="marked bad") as caught:
        by_name = as_recording(raw, picks=["Pz", "Cz"])
    assert by_name.ch_names == ["Cz", "Pz"]
    assert [str(w.message).count("marked bad") for w in caught] == [1]
    text = str(caught[0].message)
    assert "channel(s) Cz are marked bad (info['bads']) but were picked by name, so they" in text
    assert "without --picks Cz" in text and "Pz" not in text
    with pytest.warns(RuntimeWarning, match=r"Cz are marked bad .* picked by name"):
        assert as_recording(raw, picks=[1, 2]).ch_names == ["Cz", "Pz"]  # indices alike
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no bad channel named: nothing to say
        by_index = as_recording(raw, picks=[3, 0])
    assert by_index.ch_names == ["Fp1", "ECG"]
    # "all" beside other types is everything (MNE alone would select nothing)
    assert as_recording(raw, picks=["all", "eeg"]).ch_names == ["Fp1", "Pz", "ECG"]
    with pytest.raises(RecordingError, match=r"picks \['foo'\] are neither channel types nor "
                       r"channel names.*types: \['ecg', 'eeg'\]; names: Fp1, Cz, Pz"):  # fmt: skip
        as_recording(raw, picks=["eeg", "foo"])


def test_a_bad_channel_repaired_but_still_listed_is_left_out_with_the_right_advice():
    """interpolate_bads(reset_bads=False) repairs a channel but leaves it in info['bads']:
    eegpt leaves it out still, and says that channels listed there are left out whatever
    their data and to take them off the list, not to "repair them first"."""
    raw = _raw(["Fp1", "Fp2", "C3", "Cz", "C4", "Pz", "O1", "O2"], seconds=2.0)
    raw.set_montage("standard_1020")
    raw.info["bads"] = ["Cz"]
    raw.interpolate_bads(reset_bads=False, verbose="error")
    assert raw.info["bads"] == ["Cz"]
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['Cz'\]") as caught:
        assert "Cz" not in as_recording(raw).ch_names
    text = str(caught[0].message)
    assert "left out whatever their data, repaired or not" in text
    assert "interpolate_bads(reset_bads=True)" in text and "raw.info['bads'] = []" in text
    assert "repair them first" not in text
    raw.info["bads"] = []
    assert "Cz" in as_recording(raw).ch_names


def test_electrode_named_channels_of_another_type_are_reported():
    raw = _raw(["Fp1", "Cz", "Pz", "ECG", "EOG"], types=["eeg", "misc", "misc", "ecg", "eog"])
    with pytest.warns(RuntimeWarning, match=r"channel\(s\) Cz \(misc\), Pz \(misc\) have EEG "
                      r"electrode names but are not selected by picks='eeg'.*take those types too: "
                      r"picks=\['eeg', 'misc'\] \(command line: --picks eeg --picks misc\)"):  # fmt: skip
        rec = as_recording(raw)
    assert rec.ch_names == ["Fp1"]
    # all: they come in, embedded as Cz and Pz, which is said (their type named: not)
    with pytest.warns(RuntimeWarning, match=r"Cz \(misc\), Pz \(misc\), picked by picks='all'"):
        assert as_recording(raw, picks="all").ch_names == raw.ch_names
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # picked by name, or by their type: nothing to report
        assert as_recording(raw, picks=["Fp1", "Cz"]).ch_names == ["Fp1", "Cz"]
        # several types: the electrodes typed misc come in, in recording order
        assert as_recording(raw, picks=["eeg", "misc"]).ch_names == ["Fp1", "Cz", "Pz"]
    raw.info["bads"] = ["Pz"]
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['Pz'\]"):
        assert as_recording(raw, picks=["eeg", "misc"]).ch_names == ["Fp1", "Cz"]


def test_raw_without_eeg_channels():
    raw = _raw(["ECG", "EMG"], types=["ecg", "emg"])
    with pytest.raises(ValueError, match="no channels selected by picks='eeg'.*ecg"):
        as_recording(raw)
    every = _raw(["Fp1", "Cz"])
    every.info["bads"] = ["Fp1", "Cz"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the error alone says it
        with pytest.raises(ValueError, match=r"all 2 channel\(s\) of the type picked \('eeg'\) "
                           r"are marked bad \(info\['bads'\] = \['Fp1', 'Cz'\]\)"):  # fmt: skip
            as_recording(every)


SEEG_CONTACTS = ["F1", "F2", "F3", "F4", "C1", "C2", "C3", "C4", "O1", "O2"]


def test_a_recording_of_seeg_alone_is_refused_as_no_scalp_eeg():
    """sEEG contacts named like scalp electrodes (F1, C3, O1) are not offered as EEG typed
    otherwise: the refusal says what they are and gives no picks to take them."""
    raw = _raw([*SEEG_CONTACTS, "STI 014"], types=["seeg"] * 10 + ["stim"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "have EEG electrode names" warning either
        with pytest.raises(RecordingError) as err:
            as_recording(raw)
    text = str(err.value)
    assert "channels are intracranial EEG (seeg), not scalp EEG" in text
    assert "EEGPT is a scalp-EEG model" in text and "picks=" not in text.split(")", 1)[1]
    meg = _raw(["MEG 0113", "MEG 0112", "EOG 061"], types=["grad", "grad", "eog"])
    with pytest.raises(RecordingError) as err:  # EOG may be EEG typed so; MEG is not offered
        as_recording(meg)
    assert "picks=['eeg', 'eog'] (command line: --picks eeg --picks eog)" in str(err.value)


def test_picking_seeg_channels_warns_that_eegpt_learned_scalp_eeg(tmp_path):
    """picks='seeg' embeds sEEG contacts whose names map to electrodes: said once, on each
    reading path (whole, streamed)."""
    raw = _raw(SEEG_CONTACTS, types="seeg")
    path = tmp_path / "seeg_raw.fif"
    raw.save(path, verbose="error")
    for read in (
        lambda: prepare(as_recording(raw, picks="seeg")),
        lambda: open_stream(path, picks=["seeg"]),
    ):
        with pytest.warns(RuntimeWarning) as caught:
            read()
        said = [str(w.message) for w in caught if "not scalp EEG" in str(w.message)]
        assert len(said) == 1, said
        assert "F1 (seeg), F2 (seeg)" in said[0] and "intracranial EEG (seeg)" in said[0]
        assert "outside what it learned" in said[0]


def test_raw_rejects_array_arguments():
    raw = _raw(["Fp1", "Cz"])
    with pytest.raises(ValueError, match="sfreq applies to array input only"):
        as_recording(raw, sfreq=100.0)
    with pytest.raises(ValueError, match="units='uV' applies to array input only"):
        as_recording(raw, units="uV")
    with pytest.raises(ValueError, match="ch_names and sfreq apply to array input only"):
        as_recording(raw, ch_names=["Fp1", "Cz"], sfreq=100.0)


def test_arrays_refuse_picks():
    """picks choose channels of files and MNE objects by type or name; an array has neither
    (its rows are its channels), so picks other than the default are refused, not ignored."""
    x = np.zeros((3, 500))
    for picks in (["Fp1", "Cz"], "all", ["eeg", "misc"], [0, 1]):
        with pytest.raises(RecordingError, match=r"<array>: picks=.* applies to files and MNE "
                           r"objects only.*select the rows.*ch_names of the rows kept"):  # fmt: skip
            as_recording(x, ch_names=["Fp1", "Cz", "Pz"], sfreq=250.0, picks=picks)
    rec = as_recording(x, ch_names=["Fp1", "Cz", "Pz"], sfreq=250.0, picks="eeg")  # the default
    assert rec.ch_names == ["Fp1", "Cz", "Pz"]


def test_raw_with_nan_is_refused():
    raw = _raw(["Fp1", "Cz", "Pz"])
    raw._data[1, 10:15] = np.nan
    with pytest.raises(ValueError, match=r"Cz \(5 samples\).*interpolate"):
        prepare(as_recording(raw))


def test_epochs_input():
    raw = _raw(["Fp1", "Cz", "ECG"], sfreq=100.0, seconds=20.0, types=["eeg", "eeg", "ecg"])
    events = np.array([[200, 0, 1], [700, 0, 1], [1200, 0, 2]])
    epochs = mne.Epochs(
        raw, events, tmin=-0.5, tmax=1.49, baseline=None, preload=True, verbose="error"
    )
    rec = as_recording(epochs)
    assert rec.is_epoched
    assert rec.data.shape == (3, 2, 200)
    assert rec.ch_names == ["Fp1", "Cz"]
    np.testing.assert_allclose(rec.onsets, [1.5, 6.5, 11.5])
    np.testing.assert_array_equal(rec.data, epochs.get_data(picks=[0, 1]))
    np.testing.assert_array_equal(rec.data[1], raw.get_data()[:2, 650:850])


def _epochs_at_500hz(**kwargs):
    """Epochs of a 500 Hz Raw, events at 4, 8 and 12 s, 4 s long."""
    raw = _raw(["Fp1", "Cz"], sfreq=500.0, seconds=20.0)
    events = np.array([[2000, 0, 1], [4000, 0, 1], [6000, 0, 2]])
    return mne.Epochs(
        raw, events, tmin=0.0, tmax=3.998, baseline=None, preload=True, verbose="error", **kwargs
    )


@pytest.mark.parametrize("how", ["decimate", "decim", "resample", "saved"])
def test_decimated_or_resampled_epochs_keep_their_onsets(how, tmp_path):
    # MNE keeps the events in the Raw's sample numbering (500 Hz) after decimation or
    # resampling: dividing them by the epochs' own rate (250 Hz) doubled the onsets
    if how == "decimate":
        epochs = _epochs_at_500hz().decimate(2, verbose="error")
    elif how == "decim":
        epochs = _epochs_at_500hz(decim=2)
    elif how == "resample":
        epochs = _epochs_at_500hz().resample(250.0, verbose="error")
    else:
        _epochs_at_500hz().decimate(2, verbose="error").save(tmp_path / "d-epo.fif")
        epochs = mne.read_epochs(tmp_path / "d-epo.fif", verbose="error")
    assert epochs.info["sfreq"] == 250.0
    rec = as_recording(epochs)
    np.testing.assert_allclose(rec.onsets, [4.0, 8.0, 12.0])
    np.testing.assert_allclose(rec.onsets, as_recording(_epochs_at_500hz()).onsets)


def test_epochs_array_events_count_at_its_own_rate():
    data = np.random.default_rng(0).normal(0, 1e-5, (2, 2, 50))
    info = mne.create_info(["C3", "C4"], 50.0, "eeg")
    events = np.array([[100, 0, 1], [300, 0, 1]])
    epochs = mne.EpochsArray(data, info, events=events, tmin=-0.2, verbose="error")
    np.testing.assert_allclose(as_recording(epochs).onsets, [1.8, 5.8])


def test_epochs_array_placeholder_events_give_no_onsets():
    data = np.random.default_rng(0).normal(0, 1e-5, (4, 2, 50))
    epochs = mne.EpochsArray(data, mne.create_info(["C3", "C4"], 50.0, "eeg"), verbose="error")
    rec = as_recording(epochs)
    assert rec.onsets is None
    assert rec.data.shape == (4, 2, 50)


@pytest.mark.parametrize(
    ("units", "factor"), [("V", 1.0), ("mV", 1e-3), ("uV", 1e-6), ("µV", 1e-6), ("μV", 1e-6)]
)
def test_array_units(units, factor):
    x = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    before = x.copy()
    rec = as_recording(x, ch_names=["Fp1", "Cz"], sfreq=100, units=units)
    np.testing.assert_allclose(rec.data, before * factor, rtol=1e-15)
    np.testing.assert_array_equal(x, before)  # the input is not modified
    assert rec.sfreq == 100.0 and rec.source == "<array>"


def test_array_float32_and_epochs_shape():
    x = np.ones((3, 2, 10), dtype=np.float32) * 5
    rec = as_recording(x, ch_names=["C3", "C4"], sfreq=10, units="uV")
    assert rec.data.dtype == np.float64 and rec.is_epoched
    np.testing.assert_allclose(rec.data, 5e-6)
    assert rec.duration == 1.0 and rec.n_channels == 2 and rec.n_times == 10


def test_a_wrong_count_of_channel_names_says_which_are_extra_or_how_many_missing():
    """Only the two counts were given: the refusal now says how many names were expected and,
    for too many, which have no row; for too few, how many rows have no name."""
    x = np.zeros((3, 10))
    with pytest.raises(ValueError, match=r"5 channel names for 3 channels") as excinfo:
        as_recording(x, ch_names=["Cz", "C3", "C4", "T7", "T8"], sfreq=10)
    assert "3 expected, one per row; 2 extra, past the last row: ['T7', 'T8']" in str(excinfo.value)
    with pytest.raises(ValueError, match=r"1 channel names for 3 channels") as excinfo:
        as_recording(np.zeros((2, 3, 10)), ch_names=["Cz"], sfreq=10)
    assert "3 expected, one per row; 2 missing: the last 2 rows have no name" in str(excinfo.value)


def test_array_errors():
    x = np.zeros((2, 10))
    with pytest.raises(ValueError, match="needs ch_names and sfreq"):
        as_recording(x)
    with pytest.raises(ValueError, match="needs sfreq"):
        as_recording(x, ch_names=["a", "b"])
    with pytest.raises(ValueError, match="3 channel names for 2 channels") as excinfo:
        as_recording(x, ch_names=["a", "b", "c"], sfreq=10)
    assert "transposed" not in str(excinfo.value)
    with pytest.raises(ValueError, match=r"10 channels .*looks transposed: pass data.T"):
        as_recording(x.T, ch_names=["a", "b"], sfreq=10)
    with pytest.raises(ValueError, match=r"looks transposed: pass data.swapaxes\(-1, -2\)$"):
        as_recording(np.stack([x.T, x.T]), ch_names=["a", "b"], sfreq=10)
    with pytest.raises(ValueError, match="units must be one of"):
        as_recording(x, ch_names=["a", "b"], sfreq=10, units="nV")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"duplicate channel names \['Cz'\]"):
        as_recording(x, ch_names=["Cz", "Cz"], sfreq=10)
    with pytest.raises(ValueError, match="must be 2-D"):
        as_recording(np.zeros(10), ch_names=["a"], sfreq=10)
    with pytest.raises(ValueError, match="no EEG channels"):
        as_recording(np.zeros((0, 10)), ch_names=[], sfreq=10)
    with pytest.raises(ValueError, match="no samples"):
        as_recording(np.zeros((2, 0)), ch_names=["a", "b"], sfreq=10)
    with pytest.raises(ValueError, match="sfreq must be a positive"):
        as_recording(x, ch_names=["a", "b"], sfreq=0)
    with pytest.raises(TypeError, match=r"not the single str 'ab': for one channel pass \['ab'\]"):
        as_recording(x, ch_names="ab", sfreq=10)


def test_a_list_of_arrays_of_unequal_lengths_and_a_1d_array_say_the_way_on():
    """Epoch arrays of unequal lengths in a list (``embed([x, x[:, :1500]], ...)``) are
    refused with the lengths and the ways on, not numpy's "inhomogeneous shape"; a 1-D
    array with x[None]."""
    from eegpt.errors import RecordingError

    x = np.zeros((2, 2048))
    with pytest.raises(RecordingError) as err:
        as_recording([x, x[:, :1500]], ch_names=["a", "b"], sfreq=256)
    text = str(err.value)
    assert text.startswith("<array>: a list of 2 arrays of unequal lengths ((2, 2048), "
                           "(2, 1500): 1500, 2048 samples) makes no one array of epochs")  # fmt: skip
    assert "crop them to one length (np.stack([a[..., :1500] for a in arrays]))" in text
    assert "or embed each as a continuous array ([model.embed(a, " in text
    with pytest.raises(RecordingError, match=r"unequal shapes \(\(2, 2048\), \(3, 2048\)\)"):
        as_recording([x, np.zeros((3, 2048))], ch_names=["a", "b"], sfreq=256)
    with pytest.raises(RecordingError, match=r"for one channel, pass x\[None\] \(shape \(1, 10\)"):
        as_recording(np.zeros(10), ch_names=["a"], sfreq=10)


def test_a_recording_made_from_a_masked_array_with_masked_samples_is_refused():
    """Recording(x, ...) of a NumPy masked array took its values by np.asarray, dropping the
    mask: embed of it embedded the values under it. One with masked samples is refused (as
    arrays given to embed are), naming its source; one with none masked keeps its values."""
    x = np.random.default_rng(0).standard_normal((2, 64))
    masked = np.ma.masked_array(x.copy(), mask=np.zeros(x.shape, bool))
    masked[1, 3:7] = np.ma.masked
    with pytest.raises(RecordingError, match=r"^mine: the data is a NumPy masked array with 4 "
                       r"of 128 samples masked; .*x\.filled\(value\)"):  # fmt: skip
        Recording(masked, ["Cz", "Pz"], 64.0, source="mine")
    rec = Recording(np.ma.masked_array(x, mask=False), ["Cz", "Pz"], 64.0)
    assert type(rec.data) is np.ndarray and np.array_equal(rec.data, x)


@pytest.mark.parametrize("dtype", [np.complex128, bool])
def test_array_non_float_dtype(dtype):
    """Complex and bool arrays are refused; the message says integers are taken (with
    their unit), not to convert them."""
    with pytest.raises(RecordingError, match=r"must be real numbers: floating point, or "
                       r"integer samples with their unit .*units='uV'") as err:  # fmt: skip
        as_recording(np.zeros((2, 10), dtype=dtype), ch_names=["a", "b"], sfreq=10)
    assert "astype(float)" not in str(err.value)
    rec = as_recording(np.zeros((2, 10), dtype=np.int16), ch_names=["a", "b"], sfreq=10, units="uV")
    assert rec.data.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.int16, np.int64])
def test_integer_arrays_are_read_in_their_given_unit(dtype):
    """Integer samples (an amplifier's microvolts) are taken with their unit, as the
    estimators and OnlineEmbedder take them; in volts (the default) they are refused."""
    x = np.arange(-10, 10, dtype=dtype).reshape(2, 10)
    rec = as_recording(x, ch_names=["a", "b"], sfreq=10, units="uV")
    np.testing.assert_array_equal(rec.data, x.astype(np.float64) * 1e-6)
    for given in ({}, {"units": "V"}):  # the default, or volts given: one message for both
        with pytest.raises(ValueError, match=r"integers \(int\d+\) taken as volts \(units='V', "
                           r"also the default when no unit is given\).*units='uV'"):  # fmt: skip
            as_recording(x, ch_names=["a", "b"], sfreq=10, **given)


def test_array_nan_span_said_with_its_end_exclusive_is_the_annotation_to_give(model):
    """The NaN advice gave the last NaN sample as the span's end (4.396 s at 250 Hz): an
    annotation of that span, as the advice for arrays says to give, was one sample short and
    refused again. Said with its end exclusive and its length, it covers them."""
    gap = np.random.default_rng(0).normal(0, 1e-5, (3, 2500))
    gap[:, 1000:1100] = np.nan
    names = ["Fp1", "Cz", "O2"]
    with pytest.raises(RecordingError, match=r"from 4\.000 s to 4\.400 s \(end exclusive: "
                       r"0\.400 s\) after the first sample\..*annotations=mne\.Annotations"
                       r".*SECONDS its length, end exclusive") as caught:  # fmt: skip
        model.embed(gap, ch_names=names, sfreq=250, verbose="error")
    said = re.search(r"from ([\d.]+) s .*exclusive: ([\d.]+) s", str(caught.value))
    assert said is not None
    spans = mne.Annotations([float(said[1])], [float(said[2])], ["BAD_gap"])
    emb = model.embed(
        gap, ch_names=names, sfreq=250, annotations=spans, reject_by_annotation=True,
        verbose="error",
    )  # fmt: skip
    assert emb.onsets.tolist() == [0.0]


def test_array_non_finite_reports_channels_and_counts():
    x = np.zeros((3, 500))  # 5 s: long enough for a window (a shorter one is too short first)
    x[0, 3] = np.nan
    x[2, 10:13] = np.inf
    rec = as_recording(x, ch_names=["Fp1", "Cz", "O2"], sfreq=100)  # refused when prepared
    with pytest.raises(ValueError, match=r"4 non-finite .*Fp1 \(1 samples\), O2 \(3 samples\), "
                       r"in 2 gaps \(seconds after the first sample, ends exclusive\): 0\.030 to "
                       r"0\.040 s \(0\.010 s\) in Fp1 and 0\.100 to 0\.130 s \(0\.030 s\) in O2\."
                       r".*--drop Fp1 --drop O2"):  # fmt: skip
        prepare(rec)
    epochs = np.zeros((4, 2, 256))
    epochs[1, 1, 0] = -np.inf
    epochs[3, 1, 9] = np.nan  # epoch 2 between them is clean: not named
    rec = as_recording(epochs, ch_names=["Fp1", "Cz"], sfreq=256)
    with pytest.raises(ValueError, match=r"in channel\(s\) Cz \(2 samples\), in 2 epochs: 1, 3 "
                       r"\(counting from 0\).*or drop those epochs \(epochs.drop\)"):  # fmt: skip
        prepare(rec, preprocessing=PreprocessingConfig(window_seconds=1.0))
    epochs[1:, 0, 250:] = np.nan  # runs across epoch boundaries, one epoch alone
    with pytest.raises(ValueError, match=r"in 3 epochs: 1, 2, 3 \(counting from 0\)"):
        prepare(as_recording(epochs, ch_names=["Fp1", "Cz"], sfreq=256),
                preprocessing=PreprocessingConfig(window_seconds=1.0))  # fmt: skip
    many = np.zeros((100, 2, 256))
    many[:, 0, ::2] = np.nan  # more runs than are recorded: the epochs are counted all the same
    with pytest.raises(ValueError, match=r"in 100 epochs: 0, 1, .*19 and 80 more \(counting"):
        prepare(as_recording(many, ch_names=["Fp1", "Cz"], sfreq=256),
                preprocessing=PreprocessingConfig(window_seconds=1.0))  # fmt: skip
    epochs[:] = 0
    epochs[2, :, 100:] = np.nan
    with pytest.raises(ValueError, match=r"in epoch 2 \(counting from 0\)"):
        prepare(as_recording(epochs, ch_names=["Fp1", "Cz"], sfreq=256),
                preprocessing=PreprocessingConfig(window_seconds=1.0))  # fmt: skip
    tail = np.ones((3, 100))
    tail[:, 90:] = np.nan  # an export's missing tail: every channel, one span
    rec = as_recording(tail, ch_names=["Fp1", "Cz", "O2"], sfreq=100)
    with pytest.raises(ValueError, match=r"30 non-finite \(NaN/Inf\) samples in all 3 channels "
                       r"\(10 samples each\), from 0\.900 s to 1\.000 s \(end exclusive: 0\.100 s\) "
                       r"after the first sample\. "
                       r"EEGPT needs finite data: mark that time span bad and leave its "
                       r"windows out: embed\(x, \.\.\., annotations=mne\.Annotations\(onset="
                       r".*reject_by_annotation=True\)"):  # fmt: skip
        prepare(rec, preprocessing=PreprocessingConfig(window_seconds=0.5))  # an array: no raw.crop
    raw = mne.io.RawArray(tail, mne.create_info(["Fp1", "Cz", "O2"], 100.0, "eeg"), verbose=False)
    with pytest.raises(ValueError, match=r"crop that time span \(raw.crop in MNE"):
        prepare(as_recording(raw), preprocessing=PreprocessingConfig(window_seconds=0.5))
    # a channel left out anyway (outside the vocabulary, or dropped) cannot refuse the data
    x[1, :] = np.nan
    x[[0, 2]] = 1e-5 * np.random.default_rng(0).standard_normal((2, 500))
    rec = as_recording(x, ch_names=["Fp1", "EKG", "O2"], sfreq=100)
    with pytest.warns(RuntimeWarning, match="EKG"):
        windows = prepare(rec, preprocessing=PreprocessingConfig(window_seconds=0.25))
    assert np.isfinite(windows.data).all() and windows.data.shape[1] == 2


def test_recording_passthrough_list_and_type_errors(tuh_edf):
    path, _ = tuh_edf
    rec = as_recording(np.zeros((1, 4)), ch_names=["Cz"], sfreq=4)
    assert as_recording(rec) is rec
    recs = as_recording([path, rec], verbose="error")
    assert isinstance(recs, list) and len(recs) == 2 and recs[1] is rec
    assert recs[0].ch_names == TUH_NAMES
    with pytest.raises(TypeError, match="cannot make an EEG recording from dict"):
        as_recording({"a": 1})


def test_recording_onsets_validation():
    with pytest.raises(ValueError, match="one entry per epoch"):
        Recording(np.zeros((2, 1, 4)), ["Cz"], 4.0, onsets=np.zeros(3))
    with pytest.raises(ValueError, match="channel types"):
        Recording(np.zeros((1, 4)), ["Cz"], 4.0, ch_types=["eeg", "eeg"])


def test_verbose_logs_summary(caplog):
    with caplog.at_level(logging.INFO, logger="eegpt"):
        as_recording(np.zeros((2, 500)), ch_names=["a", "b"], sfreq=250, units="uV", verbose=True)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "2 channel(s) at 250 Hz" in text and "2.000 s" in text and "uV" in text


def test_verbose_conventions():
    """MNE-style verbose; 0 is quiet as in scikit-learn; unknown names are refused."""
    from eegpt._logging import is_verbose, mne_verbose

    loud = [True, "info", "DEBUG", " Info ", 10, 20, 1]
    quiet = [None, False, 0, "warning", "ERROR", 30, 40]
    assert all(is_verbose(v) for v in loud) and not any(is_verbose(v) for v in quiet)
    with pytest.raises(ValueError, match="level name"):
        is_verbose("loud")
    with pytest.raises(TypeError):
        is_verbose(1.5)
    assert mne_verbose(0) is False and mne_verbose(20) == 20 and mne_verbose("debug") == "debug"
    assert mne_verbose(None) == mne_verbose(False) == "WARNING"  # MNE's warnings only
    assert mne_verbose(True) is None  # MNE's own configured level
    assert mne_verbose(1) is None and mne_verbose(2) is None  # scikit-learn's "some output"
    assert mne_verbose(10) == 10  # a logging level: DEBUG


def test_lazy_epochs_load_quietly(tmp_path, capsys):
    """Epochs read with preload=False load their data without MNE's "Loading data for N events
    and ... original time points" lines, unless eegpt is verbose."""
    from eegpt.probe import synthetic_erp_epochs

    synthetic_erp_epochs(6).save(tmp_path / "x-epo.fif", verbose=False)
    lazy = mne.read_epochs(tmp_path / "x-epo.fif", preload=False, verbose=False)
    capsys.readouterr()
    with mne.utils.use_log_level("INFO"):
        assert as_recording(lazy).data.shape[0] == 6
    captured = capsys.readouterr()
    assert "Loading data" not in captured.out + captured.err


def _eeglab_raw(seconds=20.0, sfreq=256.0):
    names = ["Fp1", "Fz", "Cz", "Pz", "O1", "HEOG"]
    raw = _raw(names, sfreq=sfreq, seconds=seconds, seed=3)
    raw.set_channel_types({"HEOG": "eog"})
    return raw


def test_eeglab_files_continuous_with_boundaries_and_epoched(tmp_path, model, capsys):
    """EEGLAB .set files: continuous ones with 'boundary' events (data cut out there: the windows
    over them are flagged bad, MNE's warning names the file), epoched ones read as epochs from a
    path (embed, `eegpt channels`, probe inputs), as mne.read_epochs_eeglab reads them."""
    pytest.importorskip("eeglabio")
    from eegpt.cli import main
    from eegpt.probe_cli import _read_one

    raw = _eeglab_raw()
    raw.set_annotations(mne.Annotations([6.0, 13.5], [0.0, 0.0], ["boundary", "boundary"]))
    cont = tmp_path / "cont.set"
    mne.export.export_raw(cont, raw, verbose="error")
    with pytest.warns(RuntimeWarning) as record:
        emb = model.embed(cont, device="cpu")
    texts = [str(w.message) for w in record]
    assert any(t.startswith(f"{cont}: MNE: The data contains 'boundary' events") for t in texts)
    assert any("2 of 5 windows overlap annotations marked bad (boundary: 2)" in t for t in texts)
    assert emb.bad.tolist() == [False, True, False, True, False]
    with pytest.warns(RuntimeWarning):
        kept = model.embed(cont, device="cpu", reject_by_annotation=True)
    np.testing.assert_array_equal(kept.onsets, [0.0, 8.0, 16.0])

    events = np.array([[256 * 1, 0, 1], [256 * 6, 0, 2], [256 * 11, 0, 1]])
    epochs = mne.Epochs(raw.copy().set_annotations(None), events, {"rest": 1, "task": 2}, tmin=0, tmax=4 - 1 / 256,
                        baseline=None, preload=True, reject_by_annotation=False, verbose="error")  # fmt: skip
    epo = tmp_path / "epochs.set"
    mne.export.export_epochs(epo, epochs, verbose="error")
    direct = model.embed(mne.read_epochs_eeglab(epo, verbose="error"), device="cpu")
    from_path = model.embed(epo, device="cpu")
    np.testing.assert_array_equal(from_path.data, direct.data)
    assert from_path.data.shape[0] == 3 and from_path.metadata["labels"] == ["rest", "task", "rest"]
    assert from_path.metadata["source"] == str(epo)
    # epochs end to end (EEGLAB keeps no event times between them): marked so, as arrays' are
    assert from_path.metadata["epoch_onsets"] == direct.metadata["epoch_onsets"] == "end_to_end"
    np.testing.assert_allclose(from_path.onsets, [0.0, 4.0, 8.0])
    assert main(["channels", str(epo)]) == 0
    rec, labels = _read_one(epo)
    assert rec.data.shape == (3, 6, 1024) and list(labels) == ["rest", "task", "rest"]
    with pytest.raises(ValueError, match="cont.set: not epochs; .*--window-labels REGEX"):
        _read_one(cont)  # a continuous recording, as a .fif of it would be
    capsys.readouterr()
    assert main(["probe", "train", str(cont), "--weights", "w", "-o", str(tmp_path / "p")]) == 1
    err = capsys.readouterr().err
    assert "cont.set: not epochs" in err and "`eegpt probe predict` takes" in err
    assert "MNE:" not in err and err.endswith("\n")  # eegpt's words, not MNE's


def _eeglab_task(path, seconds_before=1.0, seconds_after=3.0, sfreq=64.0, wrapped=False):
    """An epoched EEGLAB file of 9 epochs (-1 ... 3 s) around 'target' (every third) and
    'standard' stimuli 1.25 s apart, a 'response' 0.45 s after each target: most epochs hold
    the next stimulus too, and targets their response. ``wrapped``: saved as one ``EEG``
    variable, as EEGLAB saves, rather than one variable per field (eeglabio's way)."""
    from eeglabio.epochs import export_set
    from scipy.io import loadmat, savemat

    n, names = 9, ["Fp1", "Fz", "Cz", "Pz", "O1", "O2"]
    kinds = ["target" if i % 3 == 0 else "standard" for i in range(n)]
    length = int(round((seconds_before + seconds_after) * sfreq))
    data = np.random.default_rng(5).normal(0, 1e-5, (n, len(names), length))
    codes = {"standard": 1, "target": 2}
    events = np.array([[i * 1000, 0, codes[k]] for i, k in enumerate(kinds)])
    other = [[], [], []]  # the other events: description, onset (s, epochs end to end), 0
    for i, kind in enumerate(kinds):
        zero = i * length / sfreq + seconds_before
        for name, lead in ([("response", 0.45)] if kind == "target" else []) + (
            [(kinds[i + 1], 1.25)] if i + 1 < n else []
        ):
            other[0].append(name), other[1].append(zero + lead), other[2].append(0.0)
    tmax = seconds_after - 1 / sfreq
    export_set(str(path), data, sfreq, events, -seconds_before, tmax, names, event_id=codes,
               annotations=other)  # fmt: skip
    if wrapped:
        fields = {k: v for k, v in loadmat(path).items() if not k.startswith("__")}
        savemat(path, {"EEG": fields})
    return kinds


@pytest.mark.parametrize("wrapped", [False, True])
def test_eeglab_epochs_are_named_by_their_time_locking_event(tmp_path, model, wrapped):
    """An epoch of an EEGLAB .set file is named by its time-locking event (latency 0), not by
    all the events it holds as mne.read_epochs_eeglab names it ('target/response/standard');
    a warning says so once, and the epoch's events are kept in the epochs' metadata."""
    pytest.importorskip("pandas")  # the epochs' events are kept in a metadata DataFrame
    pytest.importorskip("eeglabio")
    path = tmp_path / "oddball.set"
    kinds = _eeglab_task(path, wrapped=wrapped)
    mne_names = mne.read_epochs_eeglab(path, verbose="error").event_id
    assert "target/response/standard" in mne_names  # what MNE makes of them
    with pytest.warns(RuntimeWarning) as caught:
        emb = model.embed(path, device="cpu")
    said = [str(w.message) for w in caught if "time-locking event" in str(w.message)]
    assert len(said) == 1 and not any("multiple events" in str(w.message) for w in caught)
    assert said[0].startswith(f"{path}: 8 of 9 epochs hold several events")
    assert "'target' 3, 'standard' 6" in said[0] and "--label-column eeglab_events" in said[0]
    assert emb.metadata["labels"] == kinds and emb["target"].data.shape[0] == 3
    np.testing.assert_allclose(emb.onsets, np.arange(9) * 4.0)  # epochs end to end, 4 s each
    table = emb.epochs_metadata
    assert table["eeglab_events"].tolist()[:2] == [
        "target | response | standard",
        "standard | standard",
    ]
    assert table["eeglab_latencies_ms"].tolist()[:2] == ["0 | 450 | 1250", "0 | 1250"]
    if not wrapped:  # a probe trained on the path's epochs has their names as classes
        from eegpt.probe import train_probe

        with pytest.warns(RuntimeWarning, match="time-locking event"):
            probe = train_probe(model, path, epochs=1, cache=False, device="cpu")
        assert probe.classes_.tolist() == ["standard", "target"]


def test_an_eeglab_file_is_parsed_once_for_its_trials_and_its_epochs(tmp_path, model, monkeypatch):
    """eegpt reads the .set's EEG structure once (scipy loads a file that holds its samples
    whole): whether it holds epochs and each epoch's events come from one read."""
    pytest.importorskip("eeglabio")
    from eegpt import _eeglab

    path = tmp_path / "oddball.set"
    _eeglab_task(path, wrapped=True)
    loads, load = [], _eeglab._load
    monkeypatch.setattr(_eeglab, "_load", lambda *a: loads.append(a) or load(*a))
    for cached in (_eeglab._header, _eeglab._trials, _eeglab._epoch_events):
        cached.cache_clear()
    with pytest.warns(RuntimeWarning, match="time-locking event"):
        model.embed(path, device="cpu")
    assert len(loads) == 1


def test_time_locking_label_of_several_or_no_events_at_latency_zero():
    """Several events at latency 0 (within half a sample): their types joined with '/', each
    once; none there: None (the epoch keeps MNE's name)."""
    from eegpt._eeglab import time_locking_label

    events = [("standard", -800.0), ("target", 0.0), ("cue", 1.9), ("target", -1.9)]
    assert time_locking_label(events, 256.0) == "target/cue"
    assert time_locking_label(events, 1000.0) == "target"  # 1.9 ms is 2 samples at 1000 Hz
    assert time_locking_label([("standard", -800.0), ("x", 450.0)], 256.0) is None


def _eeglab_epochs(path, epochs, sfreq=64.0, xmin=-1.0, seconds=4.0):
    """An epoched EEGLAB file shaped like pop_epoch's output, saved with scipy as one ``EEG``
    variable: ``epochs`` lists each epoch's events, ``(type, latency in ms from the epoch's
    time-locking point)``; an epoch of one event stores its type and latency alone, not as a
    cell array."""
    from scipy.io import savemat

    names = ["Fp1", "Fz", "Cz", "Pz", "O1", "O2"]
    pnts, n = int(round(seconds * sfreq)), len(epochs)
    epoch = np.zeros(n, dtype=[("event", "O"), ("eventtype", "O"), ("eventlatency", "O")])
    event = []
    for i, events in enumerate(epochs):
        first = len(event) + 1
        event += [(kind, i * pnts + (ms / 1000 - xmin) * sfreq + 1, i + 1.0) for kind, ms in events]
        if len(events) == 1:
            epoch[i] = (float(first), events[0][0], float(events[0][1]))
        else:
            kinds, latencies = (np.array(list(v), dtype=object) for v in zip(*events, strict=True))
            epoch[i] = (np.arange(first, len(event) + 1.0), kinds, latencies)
    eeg = dict(
        setname="task", filename="", filepath="", nbchan=float(len(names)), trials=float(n),
        pnts=float(pnts), srate=sfreq, xmin=xmin, xmax=xmin + (pnts - 1) / sfreq, ref="common",
        times=(xmin + np.arange(pnts) / sfreq) * 1000, icawinv=[], icasphere=[], icaweights=[],
        icaact=[], urevent=[],
        data=np.random.default_rng(2).normal(0, 10, (len(names), pnts, n)).astype(np.float32),
        chanlocs=np.array([(name,) for name in names], dtype=[("labels", "O")]),
        event=np.array(event, dtype=[("type", "O"), ("latency", "O"), ("epoch", "O")]),
        epoch=epoch,
    )  # fmt: skip
    savemat(path, {"EEG": eeg}, appendmat=False)
    return path


def _eeglab_said(caught):
    return [str(w.message) for w in caught if "latency 0" in str(w.message)]


def test_eeglab_epochs_without_a_time_locking_event_are_timed_by_their_index_and_said(tmp_path):
    """Every epoch of an epoched .set file starts at its index times the epoch length, also one
    without an event at latency 0 (MNE times it by its first event); such epochs keep MNE's
    name (all their events) and a warning counts them, also where no epoch holds several."""
    path = _eeglab_epochs(tmp_path / "sub-01.set", [
        [("standard", 0)], [("response", 300)], [("response", -100), ("target", 300)],
        [("target", 0), ("response", 300)],
    ])  # fmt: skip
    with pytest.warns(RuntimeWarning) as caught:
        rec = as_recording(path)
    np.testing.assert_allclose(rec.onsets, [0.0, 4.0, 8.0, 12.0])
    assert rec.labels == ["standard", "response", "response/target", "target"]
    said = _eeglab_said(caught)
    assert len(said) == 1 and "2 of 4 epochs hold several events" in said[0]
    assert (
        "2 of 4 epochs have no event at latency 0 (e.g. EEG.epoch(2): 'response' at 300 "
        in (said[0])
    )
    assert "as mne.read_epochs_eeglab names them: 'response' 1, 'response/target' 1" in said[0]
    single = _eeglab_epochs(tmp_path / "sub-02.set", [
        [("standard", 0)], [("response", 300)], [("standard", 0)], [("target", 0)],
    ])  # fmt: skip
    with pytest.warns(RuntimeWarning) as caught:
        rec = as_recording(single)
    np.testing.assert_allclose(rec.onsets, [0.0, 4.0, 8.0, 12.0])
    assert rec.labels == ["standard", "response", "standard", "target"]
    said = _eeglab_said(caught)
    assert len(said) == 1 and said[0].startswith(f"{single}: 1 of 4 epochs have no event at ")
    assert "hold several events" not in said[0]


def test_eeglab_events_are_in_the_metadata_of_every_epoched_set_file(tmp_path, weights, capsys):
    """eeglab_events / eeglab_latencies_ms are in the metadata of every epoched .set file, one
    event an epoch too (quietly), so that --label-column eeglab_events takes its labels from
    files of either kind; an epoch's events are joined with ' | ', which event types holding
    '/' (BrainVision markers) do not blur, and no epoch holding several events says nothing."""
    pytest.importorskip("pandas")  # the epochs' events are kept in a metadata DataFrame
    from eegpt.probe_cli import main as probe_main

    markers = ["Stimulus/S  1", "Stimulus/S  2"] * 3
    single = _eeglab_epochs(tmp_path / "sub-01.set", [[(m, 0)] for m in markers])
    several = _eeglab_epochs(
        tmp_path / "sub-02.set", [[(m, 0), ("Response/R  1", 450)] for m in markers]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rec = as_recording(single)
    assert [str(w.message) for w in caught] == []
    assert rec.labels == markers and rec.epochs_metadata["eeglab_events"].tolist() == markers
    assert rec.epochs_metadata["eeglab_latencies_ms"].tolist() == ["0"] * 6
    with pytest.warns(RuntimeWarning, match="6 of 6 epochs hold several events") as caught:
        rec = as_recording(several)
    assert "'Stimulus/S  1 | Response/R  1'" in _eeglab_said(caught)[0]
    assert rec.labels == markers
    assert rec.epochs_metadata["eeglab_events"].tolist()[:2] == [
        "Stimulus/S  1 | Response/R  1",
        "Stimulus/S  2 | Response/R  1",
    ]
    assert rec.epochs_metadata["eeglab_latencies_ms"].tolist()[0] == "0 | 450"
    run = ["train", str(single), str(several), "--label-column", "eeglab_events", "--weights",
           str(weights), "-o", str(tmp_path / "p"), "--epochs", "1", "-q"]  # fmt: skip
    with pytest.warns(RuntimeWarning):
        assert probe_main(run) == 0, capsys.readouterr().err
    assert "4 classes" in capsys.readouterr().out


def test_numeric_eeglab_event_types_are_whole_numbers(tmp_path):
    """EEGLAB's numeric event types (MATLAB doubles, '1.0' to MNE) name epochs '1', '2', in
    files of one event an epoch too."""
    pytest.importorskip("pandas")  # the epochs' events are kept in a metadata DataFrame
    several = _eeglab_epochs(tmp_path / "a.set", [[(1.0, 0)], [(2.0, 0)], [(1.0, 0), (2.0, 300)]])
    with pytest.warns(RuntimeWarning, match="1 of 3 epochs hold several events"):
        rec = as_recording(several)
    assert rec.labels == ["1", "2", "1"]
    assert rec.epochs_metadata["eeglab_events"].tolist() == ["1", "2", "1 | 2"]
    single = _eeglab_epochs(tmp_path / "b.set", [[(1.0, 0)], [(2.0, 0)], [(2.0, 0)]])
    assert as_recording(single).labels == ["1", "2", "2"]


def test_epochs_read_by_mne_eeglab_reader_are_named_as_their_file_is(tmp_path, model):
    """Epochs of mne.read_epochs_eeglab are named and timed by their time-locking events when
    eegpt converts them, as their .set path's are, with the same warning, in a copy (the
    user's object is left as it is); a probe trained on them learns the time-locking events.
    Epochs renamed by the user keep their names; a file gone says to pass its path."""
    pytest.importorskip("pandas")  # the epochs' events are kept in a metadata DataFrame
    pytest.importorskip("eeglabio")
    from eegpt.io import epochs_labels
    from eegpt.probe import train_probe

    path = tmp_path / "oddball.set"
    kinds = _eeglab_task(path)
    epochs = mne.read_epochs_eeglab(path, verbose="error")
    events, event_id = epochs.events.copy(), dict(epochs.event_id)
    with pytest.warns(RuntimeWarning) as caught:
        emb = model.embed(epochs, device="cpu")
    said = _eeglab_said(caught)
    assert len(said) == 1 and said[0].startswith(f"{path}: 8 of 9 epochs hold several events")
    assert emb.metadata["labels"] == kinds and emb["target"].data.shape[0] == 3
    assert emb["standard"].data.shape[0] == 6
    np.testing.assert_allclose(emb.onsets, np.arange(9) * 4.0)
    assert emb.epochs_metadata["eeglab_events"].tolist()[0] == "target | response | standard"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # quietly: embedding says it
        assert epochs_labels(epochs).tolist() == kinds
    np.testing.assert_array_equal(epochs.events, events)
    assert epochs.event_id == event_id and epochs.metadata is None
    with pytest.warns(RuntimeWarning, match="time-locking event"):
        probe = train_probe(model, epochs, epochs=1, cache=False, device="cpu")
    assert probe.classes_.tolist() == ["standard", "target"]
    renamed = epochs.copy()
    renamed.event_id = {f"c{code}": code for code in renamed.event_id.values()}
    assert as_recording(renamed).labels == epochs_labels(renamed).tolist()
    assert as_recording(renamed).labels[0] == f"c{event_id['target/response/standard']}"
    assert "eeglab_events" in as_recording(renamed).epochs_metadata
    path.unlink()
    with pytest.warns(RuntimeWarning, match=r"not there any more.*pass the .set file's path"):
        rec = as_recording(epochs)
    assert rec.labels[0] == "target/response/standard"


def test_continuous_eeglab_files_are_continuous_recordings_in_the_probe_commands(
    tmp_path, weights, capsys
):
    """A .set file of one trial is a continuous recording to `eegpt probe predict`, `evaluate`
    and `train --window-labels`, as a .fif of the same data is; an epoched one gives the
    probe its time-locking events as classes, so no '/'-tagged classes are said."""
    pytest.importorskip("eeglabio")
    from eegpt.io import may_hold_epochs
    from eegpt.probe_cli import main as probe_main

    raw = _raw(["Fp1", "Fz", "Cz", "Pz", "O1", "O2"], sfreq=128.0, seconds=40.0, seed=3)
    raw.set_annotations(mne.Annotations([2.0, 12.0, 22.0], [8.0] * 3, ["rest", "task", "rest"]))
    cont, fif = tmp_path / "cont.set", tmp_path / "cont_raw.fif"
    mne.export.export_raw(cont, raw, verbose="error")
    raw.save(fif, verbose="error")
    epoched = tmp_path / "oddball.set"
    _eeglab_task(epoched)
    assert not may_hold_epochs(cont) and may_hold_epochs(epoched)
    common = ["--weights", str(weights), "--epochs", "1", "-q"]
    with pytest.warns(RuntimeWarning) as caught:
        assert probe_main(["train", str(epoched), "-o", str(tmp_path / "p"), *common]) == 0
    assert not any("'/'-separated tags" in str(w.message) for w in caught)
    assert "2 classes ['standard', 'target']" in capsys.readouterr().out
    rows = {}
    for data in (cont, fif):
        out = tmp_path / f"{data.name}.csv"
        run = ["predict", str(tmp_path / "p"), str(data), "-o", str(out), *common[:2], "-q"]
        assert probe_main(run) == 0, capsys.readouterr().err
        rows[data.suffix] = [line.split(",")[1:3] for line in out.read_text().splitlines()]
    assert rows[".set"] == rows[".fif"] and len(rows[".set"]) == 11  # header + 10 windows
    labelled = ["--window-labels", "rest|task", *common]
    assert probe_main(["train", str(cont), "-o", str(tmp_path / "w"), *labelled]) == 0
    assert probe_main(["evaluate", str(tmp_path / "w"), str(cont), *common[:2], "-q"]) == 0
    assert "accuracy" in capsys.readouterr().out


def test_eeglab_data_file_names_its_set_file(tmp_path):
    """EEGLAB's .fdt (the samples alone) is refused naming the .set file to give instead."""
    (tmp_path / "rec.fdt").write_bytes(b"\0" * 64)
    with pytest.raises(RecordingError, match=r"rec.fdt is the data file of an EEGLAB .*give the "
                       r".set file that names it instead \(there is no rec.set beside it\)"):  # fmt: skip
        as_recording(tmp_path / "rec.fdt")
    (tmp_path / "rec.set").write_bytes(b"")
    with pytest.raises(RecordingError, match=f"give {tmp_path / 'rec.set'} instead"):
        as_recording(str(tmp_path / "rec.fdt"))


def test_brainvision_marker_file_names_its_header_as_the_fdt_does(tmp_path):
    """A BrainVision .vmrk (the markers alone) is refused as EEGLAB's .fdt is, in the same
    words: the header beside it to give instead, or that none of its name is beside it."""
    (tmp_path / "rec.vmrk").write_text("Brain Vision Data Exchange Marker File, Version 1.0\n")
    with pytest.raises(RecordingError, match=r"rec.vmrk is the marker file of a BrainVision "
                       r"recording: it holds the markers alone.*; give the .vhdr file that names "
                       r"it instead \(there is no rec.vhdr beside it\)$"):  # fmt: skip
        as_recording(tmp_path / "rec.vmrk")
    (tmp_path / "rec.vhdr").write_bytes(b"")
    with pytest.raises(RecordingError, match=re.escape(
            f"; give {tmp_path / 'rec.vhdr'} instead, which reads the .vmrk with it")):  # fmt: skip
        as_recording(str(tmp_path / "rec.vmrk"))


def test_a_truncated_brainvision_data_file_is_said_and_recorded(tmp_path, capsys):
    """A BrainVision .eeg cut mid-sample (its size no whole number of sample frames): a
    warning says it is truncated, as for EDF, on both reading paths; the embeddings' provenance
    records what was read, which `eegpt info` shows. Stored VECTORIZED, it is refused: MNE
    would take each channel's samples from the wrong place."""
    from test_annotations import _write_brainvision

    from eegpt import EEGPT, EEGPTConfig
    from eegpt.cli import main as eegpt_main

    vhdr = _write_brainvision(tmp_path)  # 30 s of 3 float32 channels at 256 Hz
    eeg = tmp_path / "rec.eeg"
    data = eeg.read_bytes()
    eeg.write_bytes(data[: len(data) // 2 + 3])
    match = (r"rec.vhdr: the file is truncated: its data file rec.eeg holds 15 s of whole "
             r"samples .* and 3 bytes of a partial one; only the whole samples are read")  # fmt: skip
    with pytest.warns(RuntimeWarning, match=match):
        rec = as_recording(vhdr, verbose="error")
    assert rec.truncated == {"read_s": 15.0, "partial_bytes": 3}
    with pytest.warns(RuntimeWarning, match=match):
        assert open_stream(vhdr, verbose="error").truncated == rec.truncated
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with pytest.warns(RuntimeWarning, match="the file is truncated"):
        model.embed(vhdr, window_seconds=2.0).save(tmp_path / "rec.npz")
    assert eegpt_main(["info", str(tmp_path / "rec.npz")]) == 0
    assert "TRUNCATED file: 15 s read; the data file ends in 3 bytes" in capsys.readouterr().out
    text = vhdr.read_text(encoding="utf-8").replace("MULTIPLEXED", "VECTORIZED")
    vhdr.write_text(text.replace("NumberOfChannels", "DataPoints=7680\nNumberOfChannels"))
    with pytest.raises(RecordingError, match=r"rec.eeg is truncated, and it stores its channels "
                       r"one after the other \(DataOrientation=VECTORIZED\)"):  # fmt: skip
        as_recording(vhdr, verbose="error")


def _ascii_brainvision(tmp_path, data_points: int | None = None):
    """A BrainVision recording of 30 s of 3 channels at 256 Hz whose data file is text
    (``DataFormat=ASCII``, one line per sample); ``data_points``: the header's DataPoints."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)  # 30 s of 3 float32 channels at 256 Hz, binary
    eeg = tmp_path / "rec.eeg"
    data = np.fromfile(eeg, "<f4").reshape(-1, 3)  # (n_times, n_channels), uV
    eeg.write_text("".join(" ".join(f"{v:.4f}" for v in row) + "\n" for row in data))
    text = vhdr.read_text(encoding="utf-8").replace("DataFormat=BINARY", "DataFormat=ASCII")
    if data_points is not None:
        text = text.replace("DataOrientation=", f"DataPoints={data_points}\nDataOrientation=")
    vhdr.write_text(
        text.replace(
            "[Binary Infos]\nBinaryFormat=IEEE_FLOAT_32",
            "[ASCII Infos]\nDecimalSymbol=.\nSkipLines=0\nSkipColumns=0",
        ),  # fmt: skip
        encoding="utf-8",
    )
    return vhdr, eeg


def test_an_ascii_brainvision_recording_is_read_on_both_paths(tmp_path):
    """A BrainVision recording whose data file is text (``DataFormat=ASCII``, one line per
    sample) is read whole and streamed, with nothing said of truncation."""
    vhdr, _ = _ascii_brainvision(tmp_path, data_points=30 * 256)
    expected = mne.io.read_raw_brainvision(vhdr, verbose="error").get_data()
    assert expected.shape == (3, 30 * 256)  # MNE reads the hand-written file
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*truncated")
        raw = read_recording(vhdr, verbose="error")
        rec = as_recording(vhdr, verbose="error")
        stream = open_stream(vhdr, verbose="error")
    np.testing.assert_allclose(raw.get_data(), expected)
    assert rec.truncated is None and stream.truncated is None
    assert stream.raw.n_times == 30 * 256


def test_a_truncated_ascii_brainvision_recording_is_said_to_be_so(tmp_path):
    """A text BrainVision data file of fewer lines than its header's DataPoints is read with
    the binary files' warning; one cut inside a line is refused as truncated, naming the
    file, on both reading paths (MNE's own error gave NumPy's words alone)."""
    vhdr, eeg = _ascii_brainvision(tmp_path, data_points=30 * 256)
    lines = eeg.read_text().splitlines(keepends=True)
    eeg.write_text("".join(lines[: 15 * 256]))
    said = r"rec.eeg holds 15 s of whole samples .* of the 30 s its header announces"
    with pytest.warns(RuntimeWarning, match=said):
        assert read_recording(vhdr, verbose="error").n_times == 15 * 256
    with pytest.warns(RuntimeWarning, match=said):
        assert open_stream(vhdr, verbose="error").truncated["announced_s"] == 30
    eeg.write_text("".join(lines[: 15 * 256]) + lines[15 * 256][:10])
    cut = rf"{re.escape(str(vhdr))}: the file looks truncated or corrupt: the last line of its "
    for read in (read_recording, open_stream):
        with pytest.raises(RecordingError, match=cut + r"data file rec.eeg holds 2 values for 3"):
            read(vhdr, verbose="error")


def test_brainvision_data_file_names_its_vhdr_file(tmp_path):
    """A BrainVision .eeg (the samples alone) is refused naming the .vhdr to give instead,
    also where the .vhdr has another name and names it in DataFile=; a .eeg no .vhdr names
    goes to MNE's Nihon Kohden reader where it begins as those files do, else is refused."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)
    eeg = tmp_path / "rec.eeg"
    with pytest.raises(RecordingError, match=r"rec.eeg is the data file of a BrainVision "
                       rf"recording: .*give {re.escape(str(vhdr))} instead"):  # fmt: skip
        as_recording(eeg)
    with pytest.raises(RecordingError, match=r"data file of a BrainVision recording"):
        open_stream(str(eeg))
    renamed = vhdr.rename(tmp_path / "session 1.vhdr")
    with pytest.raises(RecordingError, match=f"give {re.escape(str(renamed))} instead"):
        as_recording(eeg)
    renamed.unlink()
    # its .vhdr left behind: no Nihon Kohden file either (MNE's reader of those failed with a
    # UnicodeDecodeError), so the header is asked for
    for read in (as_recording, open_stream):
        with pytest.raises(RecordingError, match=r"rec.eeg is no Nihon Kohden recording \(.*"
                           r"it begins b.*\), and no BrainVision header \(.vhdr\) beside it "
                           r"names it: .*Give the recording's .vhdr file"):  # fmt: skip
            read(eeg)
    nihon = tmp_path / "nk.eeg"
    nihon.write_bytes(b"EEG-1100A V01.00" + bytes(64))
    with pytest.raises(RecordingError) as caught, pytest.warns(Warning, match=r"nk\.21E"):
        as_recording(nihon)  # read as Nihon Kohden's, which looks for its channels in a .21E
    assert "BrainVision" not in str(caught.value)


def test_an_eeglab_file_in_matlab_v73_names_the_package_to_install(tmp_path, monkeypatch):
    """An EEGLAB .set saved as MATLAB v7.3 (HDF5) failed with SciPy's bare 'Please use HDF
    reader for matlab v7.3 files': MNE reads it with pymatreader, which the error now names
    (pymatreader made unavailable here, as on a machine without it)."""
    import struct

    import mne.io.eeglab._eeglab as mne_eeglab

    def no_pymatreader(purpose: str):
        raise RuntimeError(f"For {purpose} to work, the module pymatreader is needed")

    monkeypatch.setattr(mne_eeglab, "_import_pymatreader_funcs", no_pymatreader)
    text = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5"
    header = text.ljust(116, b" ") + bytes(8) + struct.pack("<H", 0x0200) + b"IM"
    path = tmp_path / "rec.set"
    path.write_bytes(header + bytes(512))
    with pytest.raises(RecordingError, match=r"matlab v7.3 .*MATLAB v7.3 \(HDF5\), which MNE "
                       r"reads with pymatreader: pip install pymatreader"):  # fmt: skip
        as_recording(path)


def test_unapplied_projectors_are_named_where_they_are_not_applied(tmp_path):
    """An average-reference projector saved but not applied (MNE's ``projection=True``) is left
    out by eegpt; mne.Epochs apply it. Without average referencing eegpt embeds the samples as
    stored; with it (the default) they are average-referenced over the channels used, which the
    warning says instead, with how that differs from the projector's channels. Both the
    in-memory and the streamed preprocessing say so; applied projectors (and epochs cut with
    them) do not, nor does average referencing over the projector's own channels."""
    from eegpt.io import warn_unapplied_projectors
    from eegpt.preprocessing import PreprocessingConfig, prepare
    from eegpt.streaming import WindowStream, open_stream

    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    info = mne.create_info([*names, "Xx"], 256.0, "eeg")  # Xx: not a vocabulary name
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (7, 2048)), info, verbose=False)
    raw.set_eeg_reference("average", projection=True, verbose=False)
    path = tmp_path / "sub-01_raw.fif"
    raw.save(path, verbose=False)
    rec = as_recording(path)  # reading alone says nothing: the preprocessing decides
    assert rec.projectors == [("Average EEG reference", (*names, "Xx"))]
    # without average referencing: the samples as stored, and how to reference them
    as_recorded = PreprocessingConfig(average_reference=False)
    stored = (
        r"1 SSP projector\(s\) are stored but not applied \(\['Average EEG reference'\]\); "
        r"eegpt embeds the data as stored, without them.*leave average_reference at its "
        r"default, True \(without --no-average-reference\)"
    )
    with pytest.warns(RuntimeWarning, match=stored):
        prepare(rec, preprocessing=as_recorded)
    with pytest.warns(RuntimeWarning, match=stored):
        WindowStream(open_stream(path), as_recorded)
    # the default averages the 6 channels used, the projector all 7 EEG channels: the data are
    # referenced, not as stored, but not as the projector would either
    differ = (
        r"eegpt does not apply them \(mne.Epochs apply them by default\) but average-references "
        r"the data itself \(average_reference=True, the default\): it subtracts the mean of "
        r"the 6 channels eegpt uses, the projector the mean of its 7, including Xx that eegpt "
        r"does not use\. To reference to the file's channels, apply the projector "
        r"\(raw\.apply_proj\(\)\) and pass average_reference=False \(--no-average-reference\)"
    )
    for read in (lambda: prepare(rec), lambda: WindowStream(open_stream(path))):
        with pytest.warns(RuntimeWarning, match=differ) as caught:
            read()
        assert not [w for w in caught if "as stored" in str(w.message)]
    # another kind of projector beside it is left out, and said so
    with pytest.warns(RuntimeWarning, match=r"the others \(\['ECG-1'\]\) are left out: apply "
                      r"them first \(raw\.apply_proj\(\)\)"):  # fmt: skip
        warn_unapplied_projectors(
            [*rec.projectors, ("ECG-1", tuple(names))], names, "f", average_reference=True
        )
    average = PreprocessingConfig(average_reference=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # the same average over the used channels: nothing to say
        same = raw.copy().drop_channels(["Xx"]).del_proj()
        same.set_eeg_reference("average", projection=True, verbose=False)
        prepare(as_recording(same), preprocessing=average)
        same.save(tmp_path / "same_raw.fif", verbose=False)
        WindowStream(open_stream(tmp_path / "same_raw.fif"), average)
        applied = as_recording(raw.copy().apply_proj(verbose=False))
        assert applied.projectors is None
        np.testing.assert_allclose(applied.data.mean(axis=0), 0, atol=1e-18)  # referenced
        epochs = mne.make_fixed_length_epochs(same, 2.0, proj=True, verbose=False)
        prepare(as_recording(epochs), preprocessing=PreprocessingConfig(window_seconds=2.0))
    # epochs cut with proj=False: the advice is for them, not for a Raw
    kept = mne.make_fixed_length_epochs(raw, 2.0, proj=False, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"eegpt embeds the epochs as stored, without them\. "
                      r"Apply them first \(epochs\.apply_proj\(\)\)"):  # fmt: skip
        prepare(as_recording(kept), preprocessing=as_recorded.updated(window_seconds=2.0))
    with pytest.warns(RuntimeWarning, match=r"eegpt does not apply them but average-references"
                      r".*apply the projector \(epochs\.apply_proj\(\)\)"):  # fmt: skip
        prepare(as_recording(kept), preprocessing=PreprocessingConfig(window_seconds=2.0))


def test_epochs_file_keeps_stored_projectors_unapplied_as_in_memory(model, tmp_path):
    """``mne.read_epochs`` applies stored projectors by default: an epochs FIF with an
    unapplied average-reference projector was embedded projected from file and as stored in
    memory. Read with ``proj=False``, both agree and record the projector as not applied; a
    file whose projectors were applied before saving stays applied."""
    from eegpt.demo import synthetic_raw

    raw, _ = synthetic_raw(minutes=0.2, seed=3)
    raw.pick("eeg").set_eeg_reference("average", projection=True, verbose=False)
    for applied in (False, True):
        epochs = mne.make_fixed_length_epochs(raw, 4.0, proj=applied, verbose=False)
        epochs.load_data()
        if applied:
            epochs.apply_proj(verbose=False)
        path = tmp_path / f"applied{applied}-epo.fif"
        epochs.save(path, verbose=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from_file = model.embed(path, average_reference=False)
            in_memory = model.embed(epochs, average_reference=False)
        assert from_file.metadata["projections"] == [
            {"desc": "Average EEG reference", "applied": applied}
        ]
        assert in_memory.metadata["projections"] == from_file.metadata["projections"]
        np.testing.assert_allclose(from_file.data, in_memory.data, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ discontinuous EDF+D / BDF+D


def _edf_plus(
    path, kind: str, starts: list[float], sfreq: int = 256, variant: str = "D", events=()
):
    """An EDF+/BDF+ file of 4 channels, 1 s records starting at ``starts`` (s), with a
    time-keeping annotation signal, written by hand as the EDF+ specification lays it out;
    ``events``: (onset, duration, description) annotations, in the first record."""
    names, width = ["Fp1", "Cz", "Pz", "O2"], 2 if kind == "EDF" else 3
    n_ann = 30 if kind == "EDF" else 20  # annotation samples per record (60 bytes)
    labels = [*names, f"{kind} Annotations"]
    per_record = [sfreq] * len(names) + [n_ann]
    dmax = 2**15 - 1 if kind == "EDF" else 2**23 - 1

    def field(value, n):
        return str(value).encode("latin-1")[:n].ljust(n)

    ns = len(labels)
    head = b"".join([
        b"\xffBIOSEMI" if kind == "BDF" else field(0, 8), field("X X X X", 80),
        field("Startdate 01-JAN-2024 X X X", 80), field("01.01.24", 8), field("00.00.00", 8),
        field(256 * (ns + 1), 8), field(f"{kind}+{variant}", 44), field(len(starts), 8),
        field(1, 8), field(ns, 4),
        *[field(label, 16) for label in labels], field("", 80) * ns,
        *[field("uV" if k < len(names) else "", 8) for k in range(ns)],
        field(-500, 8) * len(names) + field(-1, 8), field(500, 8) * len(names) + field(1, 8),
        field(-dmax - 1, 8) * ns, field(dmax, 8) * ns, field("", 80) * ns,
        *[field(n, 8) for n in per_record], field("", 32) * ns,
    ])  # fmt: skip
    rng = np.random.default_rng(0)
    records = []
    for k, onset in enumerate(starts):
        x = np.round(rng.normal(0, 20, (len(names), sfreq)) / 500 * dmax).astype("<i4")
        body = (
            x.astype("<i2").tobytes()
            if kind == "EDF"
            else x.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        )
        tal = f"+{onset:g}\x14\x14\x00".encode()
        if k == 0:
            tal += b"".join(f"+{t:g}\x15{d:g}\x14{text}\x14\x00".encode() for t, d, text in events)
        assert len(tal) <= n_ann * width
        tal = tal.ljust(n_ann * width, b"\x00")
        records.append(body + tal)
    path.write_bytes(head + b"".join(records))
    return path


@pytest.mark.parametrize("kind", ["EDF", "BDF"])
def test_discontinuous_edf_plus_gaps_become_bad_boundaries(tmp_path, kind):
    from eegpt import EEGPT, EEGPTConfig

    starts = [float(k) for k in range(10)] + [float(k + 25) for k in range(10, 20)]
    path = _edf_plus(tmp_path / f"rec.{kind.lower()}", kind, starts)
    with pytest.warns(RuntimeWarning, match=rf"a discontinuous {kind}\+D file: 1 gap between its "
                      r"data records \(25 s in all; the longest 25 s, at 10 s into the samples\)"):  # fmt: skip
        raw = read_recording(path, verbose="error")
    assert raw.n_times == 20 * 256  # MNE reads the records back to back
    gaps = [
        (a["onset"], a["description"]) for a in raw.annotations if "boundary" in a["description"]
    ]
    assert gaps == [(10.0, "BAD boundary")]
    # the window over the join is flagged, on the streamed and the in-memory path alike
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for stream in (True, False):
            emb = model.embed(path, stream=stream, window_seconds=4.0)
            assert emb.onsets.tolist() == [0.0, 4.0, 8.0, 12.0, 16.0]
            assert emb.bad.tolist() == [False, False, True, False, False]
    mne_raw = mne.io.read_raw_edf(path, verbose="error") if kind == "EDF" else (
        mne.io.read_raw_bdf(path, verbose="error"))  # fmt: skip
    with pytest.warns(RuntimeWarning, match=rf"a discontinuous {kind}\+D file read by MNE: .*"
                      "Give eegpt the file's path instead"):  # fmt: skip
        model.embed(mne_raw, window_seconds=4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the gap's own warning while reading
        ours = read_recording(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.embed(ours, window_seconds=4.0)
    assert not [w for w in caught if "read by MNE" in str(w.message)]


def _edf_starting(path, seconds: int, n_records: int = 8):
    """An EDF+C file of ``n_records`` 1 s records (:func:`_edf_plus`) whose header start time
    is ``seconds`` after 00:00:00 of its date."""
    path = _edf_plus(path, "EDF", [float(k) for k in range(n_records)], variant="C")
    data = bytearray(path.read_bytes())
    hms = f"{seconds // 3600:02d}.{seconds // 60 % 60:02d}.{seconds % 60:02d}"
    data[176:184] = hms.encode("latin-1")
    path.write_bytes(bytes(data))
    return path


def test_concatenated_files_with_a_pause_warn_of_early_clock_times(tmp_path):
    """Files joined with mne.concatenate_raws lie back to back in the samples: a pause between
    two of them (c.edf starts 30 s after b.edf ends) makes every clock time after the join
    30 s early. Embedding the joined Raw says so once; files that follow each other do not."""
    from eegpt import EEGPT, EEGPTConfig

    a = _edf_starting(tmp_path / "a.edf", 0)
    b = _edf_starting(tmp_path / "b.edf", 8)  # right after a
    c = _edf_starting(tmp_path / "c.edf", 46)  # 30 s after b ends (16 s)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()

    def joined(*paths):
        raws = [mne.io.read_raw_edf(p, verbose="error") for p in paths]
        return mne.concatenate_raws(raws, verbose="error")

    def warned(raw):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.embed(raw, window_seconds=4.0)
        return [str(w.message) for w in caught if "concatenate_raws" in str(w.message)]

    assert warned(joined(a, b)) == []
    assert warned(joined(a, b).crop(tmin=2.0)) == []  # a cropped start is no pause
    said = warned(joined(a, b, c))
    assert len(said) == 1, said
    assert said[0].startswith("c.edf starts 30.0 s after b.edf ends: mne.concatenate_raws")
    assert "run 30.0 s early" in said[0] and "Embed the files one by one" in said[0]
    assert len(warned(joined(a, c))) == 1  # a pause of 38 s
    assert "starts 38.0 s after a.edf ends" in warned(joined(a, c))[0]
    # files given in the wrong order overlap: said too
    assert "b.edf starts 46.0 s before c.edf ends" in warned(joined(c, b))[0]  # c: 46-54 s
    # b cropped at its start: its part of the Raw continues 3 s after a ends, not b itself
    cropped = mne.io.read_raw_edf(b, verbose="error").crop(tmin=3.0)
    said = warned(mne.concatenate_raws([mne.io.read_raw_edf(a, verbose="error"), cropped]))
    assert len(said) == 1 and said[0].startswith("b.edf continues 3.0 s after a.edf ends"), said

    # anonymized files: each header gives the EDF+ placeholder start (Startdate X, 01.01.85
    # 00.00.00), which says nothing of when they were recorded: no false overlap of 8 s
    def anonymized(path):
        data = bytearray(path.read_bytes())
        data[88:168] = b"Startdate X X X X".ljust(80)
        data[168:184] = b"01.01.8500.00.00"
        path.write_bytes(bytes(data))
        return path

    # the same file joined twice (a path repeated in a glob): one real start twice, said
    (said,) = warned(joined(b, b))
    assert said.startswith("b.edf starts at the same moment as b.edf (the same file twice?")
    assert "8.0 s before it ends" in said and "run 8.0 s late" in said
    assert said.endswith("; join each file once.")
    copy = tmp_path / "copy.edf"
    copy.write_bytes(b.read_bytes())
    (said,) = warned(joined(b, copy))
    assert said.startswith("copy.edf starts at the same moment as b.edf (the same file twice?")
    assert warned(joined(anonymized(a), anonymized(b))) == []
    assert warned(joined(b, b)) == []  # one anonymized start twice: no time to compare
    assert warned(joined(a, c)) == []  # one anonymized start: nothing to compare with


def test_concatenated_fif_files_with_a_pause_warn_of_early_clock_times(tmp_path):
    """FIF files joined with mne.concatenate_raws: each file's samples count from its
    measurement date (first_samp), so a pause (b saved from 38 s, after a ended at 16 s) is
    said as for EDF files; crops of one recording saved one after another are no pause,
    though they share a measurement date; one file twice is said as such."""
    import datetime

    from eegpt import EEGPT, EEGPTConfig
    from eegpt._joined_files import joined_pauses

    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 256.0, "eeg")
    x = np.random.default_rng(0).standard_normal((4, 256 * 60)) * 1e-5
    whole = mne.io.RawArray(x, info, verbose="error")
    whole.set_meas_date(datetime.datetime(2024, 3, 1, 10, tzinfo=datetime.timezone.utc))
    for name, start, stop in (("a", 0, 8), ("b", 8, 16), ("c", 46, 54)):
        piece = whole.copy().crop(start, stop - 1 / 256)
        piece.save(tmp_path / f"{name}_raw.fif", verbose="error")
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()

    def warned(*names):
        raws = [mne.io.read_raw_fif(tmp_path / f"{n}_raw.fif", verbose="error") for n in names]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.embed(mne.concatenate_raws(raws, verbose="error"), window_seconds=4.0)
        return [str(w.message) for w in caught if "concatenate_raws" in str(w.message)]

    assert warned("a", "b") == []  # one after another: no pause, one date
    (said,) = warned("a", "b", "c")
    # c is all in the Raw (its first sample counts from the date: not cropped at its start)
    assert said.startswith("c_raw.fif starts 30.0 s after b_raw.fif ends"), said
    assert "run 30.0 s early" in said
    raws = [mne.io.read_raw_fif(tmp_path / f"{n}_raw.fif", verbose="error") for n in "bc"]
    raws[1].crop(2.0)  # c cropped at its start: its part of the Raw continues
    ((*_, pause, cropped, _),) = joined_pauses(mne.concatenate_raws(raws, verbose="error"))
    assert cropped and pause == pytest.approx(32.0)
    (said,) = warned("b", "b")
    assert said.startswith("b_raw.fif starts at the same moment as b_raw.fif (the same file")
    # a FIF file split in parts (raw.fif, raw-1.fif): one recording, nothing said of its parts
    long = mne.io.RawArray(np.tile(x, 10), info, verbose="error")  # 600 s: 2.4 MB
    long.set_meas_date(whole.info["meas_date"])
    long.save(tmp_path / "split_raw.fif", split_size="2MB", verbose="error")
    split = mne.io.read_raw_fif(tmp_path / "split_raw.fif", verbose="error")
    assert len(split.filenames) > 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.embed(split, window_seconds=4.0)


@pytest.mark.parametrize(("sfreq", "flagged"), [(256, []), (512, [4.0, 8.0]), (128, [4.0, 8.0])])
def test_windows_the_resampling_filter_reaches_across_a_join_are_flagged(tmp_path, sfreq, flagged):
    """A join of an EDF+D file where one window ends and the next starts (8 s, 4 s windows)
    flagged neither, MNE's rule for a zero-length bad annotation; read at the model's 256 Hz
    both hold samples of one side only, but resampled (512 or 128 Hz) the polyphase filter
    mixes samples within its reach (39 or 78 ms) of the join into both: they are flagged,
    streamed or read whole. A cut mark (EEGLAB's boundary) likewise."""
    from eegpt import EEGPT, EEGPTConfig
    from eegpt.annotation_overlap import window_annotations
    from eegpt.resampling import filter_reach

    starts = [float(k) for k in range(8)] + [float(k + 25) for k in range(8, 16)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts, sfreq=sfreq)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the gap's warning
        for stream in (True, False):
            emb = model.embed(path, stream=stream, window_seconds=4.0)
            assert emb.onsets.tolist() == [0.0, 4.0, 8.0, 12.0]
            assert emb.onsets[emb.bad].tolist() == flagged
    reach = filter_reach(float(sfreq), 256.0)
    assert reach == pytest.approx({256: 0.0, 512: 10 / 256, 128: 10 / 128}[sfreq])
    cut = mne.Annotations([8.0], [0.0], ["boundary"])
    over = window_annotations(cut, np.array([0.0, 4.0, 8.0, 12.0]), 4.0, sfreq=sfreq,
                              reach_s=reach)  # fmt: skip
    assert [bool(o) for o in over] == [False, bool(flagged), bool(flagged), False]


def test_annotations_of_discontinuous_edf_plus_are_placed_in_the_samples(tmp_path):
    """Records at 0-9 s and 35-44 s on the clock: MNE reads them back to back and places the
    file's annotations by clock time, 25 s late after the gap. They are placed in the samples,
    as are annotations given with the file; a span over the gap loses the gap."""
    from eegpt import EEGPT, EEGPTConfig

    starts = [float(k) for k in range(10)] + [float(k + 25) for k in range(10, 20)]
    events = [(36.0, 4.0, "seiz"), (8.0, 29.0, "span")]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts, events=events)
    with pytest.warns(RuntimeWarning, match="placed by their clock times"):
        raw = read_recording(path, verbose="error")
    placed = {a["description"]: (a["onset"], a["duration"]) for a in raw.annotations}
    assert placed["seiz"] == pytest.approx((11.0, 4.0))  # clock 36 s = 1 s into record 10
    assert placed["span"] == pytest.approx((8.0, 4.0))  # 8-10 s, then 10-12 s after the gap
    hypnogram = mne.Annotations([41.0], [2.0], ["given"], orig_time=raw.info["meas_date"])
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for stream in (True, False):
            emb = model.embed(path, stream=stream, window_seconds=2.0, annotations=hypnogram)
            by_window = dict(zip(emb.onsets.tolist(), emb.annotations, strict=True))
            assert [t for t, a in by_window.items() if "seiz" in a] == [10.0, 12.0, 14.0]
            assert [t for t, a in by_window.items() if "given" in a] == [16.0]
            assert [t for t, a in by_window.items() if "span" in a] == [8.0, 10.0]
            assert emb.metadata["record_clock"] == {
                "sample_starts": [0.0, 10.0], "clock_starts": [0.0, 35.0]
            }  # fmt: skip
            labels = emb.window_labels(hypnogram, min_overlap=1.0)
            assert [t for t, v in zip(emb.onsets, labels, strict=True) if v] == [16.0]
    # a corpus run keeps the clock with the file's status, for window_labels after loading
    from eegpt import embed_dataset, load_embeddings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        config = PreprocessingConfig(window_seconds=2.0)
        embed_dataset(tmp_path, tmp_path / "out", model=model, workers=0, progress=False,
                      preprocessing=config)  # fmt: skip
    again = load_embeddings(tmp_path / "out", recording_id="rec.edf")
    assert again.metadata["record_clock"] == emb.metadata["record_clock"]
    labels = again.window_labels(hypnogram, min_overlap=1.0)
    assert [t for t, v in zip(again.onsets, labels, strict=True) if v] == [16.0]
    # windows back on the clock: after the gap, 25 s later than in the samples
    for out in (emb, again):
        assert out.onsets.tolist() == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0]
        assert out.clock_times().tolist() == [0, 2, 4, 6, 8, 35, 37, 39, 41, 43]
        start = np.datetime64(raw.info["meas_date"].replace(tzinfo=None), "us")
        moments = out.clock_times(absolute=True)
        assert moments.dtype == np.dtype("datetime64[us]")
        assert (moments - start).astype(float).tolist() == [t * 1e6 for t in out.clock_times()]
    clock = emb.metadata["record_clock"]
    from eegpt.edf_files import RecordClock

    clock = RecordClock.from_dict(clock)
    times = np.array([0.0, 9.5, 10.0, 19.0])
    np.testing.assert_array_equal(clock.to_samples(clock.to_clock(times)), times)


def test_discontinuous_edf_plus_starting_after_its_header_time(tmp_path):
    """The first record 0.5 s after the header's start time: the file's own annotations
    (counted from the first record, as MNE counts them), annotations without a date (from
    the first sample) and dated ones (against the header's start) all land alike; a
    channel's annotation (text@@CH) is kept once, for its channel."""
    starts = [0.5 + k for k in range(10)] + [25.5 + k for k in range(10, 20)]
    events = [(8.5, 0.0, "E"), (36.5, 1.0, "F"), (2.5, 1.0, "spike@@Fp1"), (3.5, 0, "z@@N")]
    path = _edf_plus(tmp_path / "late.edf", "EDF", starts, events=events)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        raw = read_recording(path, verbose="error")
    said = [str(w.message) for w in record]
    assert any("a discontinuous EDF" in t for t in said)
    assert not any("annotation(s) that were outside" in t for t in said), said  # placed here
    own = {a["description"]: a for a in raw.annotations}
    assert own["E"]["onset"] == pytest.approx(8.0) and own["F"]["onset"] == pytest.approx(11.0)
    assert own["spike"]["ch_names"] == ("Fp1",) and own["spike"]["onset"] == pytest.approx(2.0)
    assert own["z@@N"]["ch_names"] == ()  # not a channel of the file: kept whole, as MNE does
    assert len(raw.annotations) == 5  # E, F, spike, z@@N and the boundary: nothing twice
    from eegpt.annotations import in_recording_time

    rec = as_recording(path, verbose="error")
    assert rec.first_time == pytest.approx(0.5)  # the first sample, after the header's time
    undated = mne.Annotations([8.0, 36.0], [0.0, 1.0], ["e", "f"])  # from the first sample
    dated = mne.Annotations([8.5, 36.5], [0.0, 1.0], ["e", "f"], orig_time=raw.info["meas_date"])
    for given in (undated, dated):
        placed = in_recording_time(given, raw.info["meas_date"], rec.first_time, rec.clock)
        np.testing.assert_allclose(placed.onset, [8.0, 11.0])
    # the file itself given as annotations (an EDF+ hypnogram is read with its start): alike
    from eegpt import EEGPT, EEGPTConfig

    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        emb = model.embed(path, window_seconds=2.0)
        again = model.embed(path, window_seconds=2.0, annotations=path)
    for text in ("E", "F"):  # (channel annotations read alone keep their whole text)
        assert [text in a for a in again.annotations] == [text in a for a in emb.annotations]
    assert any("F" in a for a in emb.annotations)
    # a continuous EDF+C file that starts after its header's time: its first_time says so too
    gapless = _edf_plus(tmp_path / "c.edf", "EDF", [0.5 + k for k in range(8)], variant="C")
    assert as_recording(gapless, verbose="error").first_time == pytest.approx(0.5)
    labels = emb.window_labels(path, match="^[EF]$", min_overlap=0.01)
    assert [v for v in labels if v] == ["F"]  # E lasts no time: no label


@pytest.mark.parametrize(
    ("starts", "gap", "at"),
    [
        ([0.0, 1, 2, 3, 4, *range(10, 20)], 5, 5),  # a 5 s gap after the fifth record
        ([*range(9), *range(10, 20)], 1, 9),  # 1 s steps for 9 records, then one of 2 s
    ],
)
def test_gaps_in_the_time_stamps_of_a_continuous_edf_plus_are_marked(tmp_path, starts, gap, at):
    """An EDF+C file whose records' time stamps jump (a discontinuous file marked +C, the
    jump anywhere in the file) is read as a +D file is: a warning saying so and a 'BAD
    boundary' at the join, on both reading paths."""
    path = _edf_plus(tmp_path / "c.edf", "EDF", [float(t) for t in starts], variant="C")
    said = (rf"marked continuous \(EDF\+C\) but the time stamps of its data records show gaps: "
            rf"1 gap between its data records \({gap} s in all; the longest {gap} s, at {at} s "
            r"into the samples\)")  # fmt: skip
    with pytest.warns(RuntimeWarning, match=said):
        raw = read_recording(path, verbose="error")
    with pytest.warns(RuntimeWarning, match=said):
        streamed = open_stream(path, verbose="error").raw
    for read in (raw, streamed):
        joins = [(a["onset"], a["description"]) for a in read.annotations]
        assert joins == [(float(at), "BAD boundary")]


def test_continuous_edf_plus_and_gapless_edf_d_are_left_alone(tmp_path):
    for name, variant, starts in (
        ("c.edf", "C", [float(k) for k in range(8)]),
        ("d.edf", "D", [float(k) for k in range(8)]),
    ):
        path = _edf_plus(tmp_path / name, "EDF", starts, variant=variant)
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            raw = read_recording(path, verbose="error")
        assert not [a for a in raw.annotations if "boundary" in a["description"]]


def _with_record_duration(path, seconds: str):
    """``path`` with its header's record duration field (bytes 244-252) set to ``seconds``."""
    data = path.read_bytes()
    path.write_bytes(data[:244] + seconds.encode().ljust(8) + data[252:])
    return path


@pytest.mark.parametrize("kind", ["EDF", "BDF"])
def test_record_duration_contradicting_the_time_stamps_is_refused(tmp_path, kind):
    """A header record duration of 0.5 s for records stamped 1 s apart would read a 256 Hz
    recording as 512 Hz: refused, with both rates named, on both reading paths."""
    suffix = kind.lower()
    steady = [float(k) for k in range(8)]
    continuous = _edf_plus(tmp_path / f"c.{suffix}", kind, steady, variant="C")
    match = (r"record duration of 0.5 s, but the records' time stamps step by 1 s .*header is "
             r"corrupt.* 512 Hz by the header and 256 Hz by the time stamps")  # fmt: skip
    for stream in (False, True):
        with pytest.raises(RecordingError, match=match) as err:
            _with_record_duration(continuous, "0.5")
            open_stream(continuous, verbose="error") if stream else read_recording(continuous)
        assert str(continuous) in str(err.value)
    # records overlapping in a discontinuous file: the header's 2 s against 1 s steps
    overlapping = _edf_plus(tmp_path / f"d.{suffix}", kind, steady + [20.0, 21.0])
    _with_record_duration(overlapping, "2")
    with pytest.raises(RecordingError, match=r"record duration of 2 s, but the records' time "
                       r"stamps step by 1 s \(8 records begin before .* 128 Hz by the header "
                       r"and 256 Hz by the time stamps"):  # fmt: skip
        read_recording(overlapping)
    # a duration written rounded is no contradiction
    rounded = _edf_plus(tmp_path / f"r.{suffix}", kind, steady, variant="C")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        _with_record_duration(rounded, "1.000001")
        assert read_recording(rounded, verbose="error").info["sfreq"] == pytest.approx(256, 1e-5)


@pytest.mark.parametrize("kind", ["EDF", "BDF"])
def test_a_record_stamped_back_in_time_is_refused_as_such_not_as_a_corrupt_header(tmp_path, kind):
    """One record of an EDF+D/BDF+D file that begins before the one before it ends (a
    recorder's clock set back), its other records stepping by the header's duration: the
    record is named, and what to do, on both reading paths; it is not called a corrupt header
    whose duration to correct, which would break every other record."""
    suffix = kind.lower()
    starts = [float(k) for k in range(8)] + [6.5, 7.5, 8.5]  # record 8 steps back 1.5 s
    path = _edf_plus(tmp_path / f"d.{suffix}", kind, starts)
    match = (r"1 of its 11 data records begins before the record before it ends: the first, "
             r"record 8 \(8 s into the samples\), at 6.5 s, 1.5 s before .* header's record "
             rf"duration of 1 s\..* mne\.io\.read_raw_{suffix}\(path\)\.save")  # fmt: skip
    for stream in (False, True):
        with pytest.raises(RecordingError, match=match) as err:
            open_stream(path, verbose="error") if stream else read_recording(path)
        assert str(path) in str(err.value) and "header is corrupt" not in str(err.value)


@pytest.mark.parametrize("kind", ["EDF", "BDF"])
def test_constant_time_stamps_of_a_continuous_file_are_ignored(tmp_path, kind):
    """Records of an EDF+C/BDF+C file all stamped +0 (some writers do so) are read at the
    header's rate with a warning, on both reading paths; a +C file whose stamps step
    steadily by another duration is still refused."""
    suffix = kind.lower()
    constant = _edf_plus(tmp_path / f"c.{suffix}", kind, [0.0] * 8, variant="C")
    said = r"time stamps of its data records are all 0 s.* taken 1 s apart as the header says"
    with pytest.warns(RuntimeWarning, match=said):
        assert read_recording(constant, verbose="error").info["sfreq"] == 256
    with pytest.warns(RuntimeWarning, match=said):
        assert open_stream(constant, verbose="error").raw.info["sfreq"] == 256
    steady = _edf_plus(tmp_path / f"s.{suffix}", kind, [2.0 * k for k in range(8)], variant="C")
    with pytest.raises(RecordingError, match=r"time stamps step by 2 s"):
        read_recording(steady, verbose="error")


def test_later_parts_of_split_fif_recordings_are_known_by_name():
    from eegpt.formats import next_split_parts
    from eegpt.io import first_split_part, split_continuations

    assert first_split_part("/d/sub-01_raw-2.fif").name == "sub-01_raw.fif"
    assert first_split_part("/d/x_split-02_meg.fif").name == "x_split-01_meg.fif"
    assert first_split_part("/d/x_split-01_meg.fif") is None  # the first part itself
    assert first_split_part("/d/sub-01_raw.fif") is None and first_split_part("/d/r-1.edf") is None
    # MNE writes a split x.fif.gz as x.fif-1.gz ...; a part its header numbers only, x-1.fif.gz
    assert first_split_part("/d/a_raw.fif-2.gz").name == "a_raw.fif.gz"
    assert first_split_part("/d/a_raw-2.fif.gz").name == "a_raw.fif.gz"
    names = {
        "a_raw.fif": ["a_raw-1.fif"],
        "a_raw-1.fif": ["a_raw-2.fif"],
        "rec.fif": ["rec-1.fif"],
        "a_raw.fif.gz": ["a_raw.fif-1.gz", "a_raw-1.fif.gz"],
        "a_raw.fif-1.gz": ["a_raw.fif-2.gz", "a_raw-2.fif.gz"],
        "a_raw-1.fif.gz": ["a_raw.fif-2.gz", "a_raw-2.fif.gz"],
        "x_split-01_eeg.fif": ["x_split-02_eeg.fif"],
        "x_split-09_eeg.fif": ["x_split-10_eeg.fif"],
        "x.edf": [],
    }
    for name, after in names.items():
        assert [p.name for p in next_split_parts(f"/d/{name}")] == after, name
    # none of them there: no header confirms a later part, none is left out
    listed = ["/d/a_raw.fif", "/d/a_raw-1.fif", "/d/b_raw-1.fif", "/d/sub-01_task-x_eeg.fif"]
    assert split_continuations(listed) == []


def _split_fif(path, naming="neuromag"):
    info = mne.create_info(["Fp1", "Cz", "O1"], 256.0, "eeg")
    data = np.random.default_rng(0).normal(0, 1e-5, (3, 256 * 1200))
    raw = mne.io.RawArray(data, info, verbose=False)
    raw.save(path, split_size="2MB", buffer_size_sec=1.0, split_naming=naming, verbose=False)


def test_split_continuations_are_confirmed_by_the_first_parts_header(tmp_path):
    """split_continuations took any x-1.fif listed beside x.fif for its later part by the
    name alone: rec-1.fif, a recording of its own beside rec.fif, was left out as one. The
    first part's header confirms each now, in both of MNE's namings."""
    from eegpt.io import split_continuations

    _split_fif(tmp_path / "s_raw.fif")
    _split_fif(tmp_path / "b_eeg.fif", "bids")
    raw = mne.io.RawArray(np.zeros((2, 256 * 10)), mne.create_info(["Fp1", "Cz"], 256.0, "eeg"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE: rec.fif does not end in raw.fif
        raw.save(tmp_path / "rec.fif")
        raw.save(tmp_path / "rec-1.fif")  # a recording of its own
    listed = sorted(tmp_path.iterdir())
    later = [p for p in listed if p.name not in ("s_raw.fif", "b_split-01_eeg.fif", "rec.fif")]
    assert [p.name for p in later if "split" in p.name][0] == "b_split-02_eeg.fif"
    assert "s_raw-1.fif" in [p.name for p in later]
    assert split_continuations(listed) == [p for p in later if p.name != "rec-1.fif"]


def test_latin1_edf_annotations_are_read_with_a_warning(tmp_path):
    """EDF+ annotations must be UTF-8; older software wrote Latin-1, on which MNE's reader
    fails. They are read as Latin-1, with a warning that shows them (whole and streamed)."""
    import edfio

    signals = [
        edfio.EdfSignal(np.random.default_rng(0).normal(0, 20, 2560), sampling_frequency=256,
                        label=f"EEG {n}", physical_dimension="uV", physical_range=(-500, 500))
        for n in ("Fp1", "Cz", "O1")
    ]  # fmt: skip
    notes = [edfio.EdfAnnotation(1.0, None, "Stadium XX"), edfio.EdfAnnotation(5.0, 2.0, "auf")]
    path = tmp_path / "latin1.edf"
    edfio.Edf(signals, annotations=notes).write(path)
    data = path.read_bytes()
    assert data.count(b"Stadium XX") == 1
    path.write_bytes(data.replace(b"Stadium XX", "Stadium äü".encode("latin-1")))
    with pytest.warns(RuntimeWarning, match="not UTF-8 .* Latin-1 .*Stadium äü"):
        rec = as_recording(path)
    assert sorted(rec.annotations.description) == ["Stadium äü", "auf"]
    np.testing.assert_allclose(sorted(rec.annotations.onset), [1.0, 5.0])
    with pytest.warns(RuntimeWarning, match="not UTF-8"):
        stream = open_stream(path)
    assert "Stadium äü" in stream.raw.annotations.description


@pytest.mark.parametrize("sfreq", [256.0, 250.0])
def test_a_window_stream_makes_any_range_of_windows_alike(tmp_path, sfreq):
    """``blocks(first=, stop=)`` gives those windows of the whole stream, and a stream given
    an earlier scan's ``line`` skips its scan (a file read in parts scans once) and still gives
    the same windows, resampled or not."""
    from eegpt.demo import synthetic_raw, write_edf
    from eegpt.streaming import WindowStream, open_stream

    raw, _ = synthetic_raw(minutes=1.0, sfreq=sfreq, seed=3)
    raw._data += np.linspace(0, 2e-3, raw.n_times)  # a drift, which resampling takes out
    path = write_edf(raw, tmp_path / "rec.edf")
    config = PreprocessingConfig(window_seconds=4.0, overlap=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stream = WindowStream(open_stream(path, verbose="error"), config)
        again = open_stream(path, verbose="error")
    whole = np.concatenate([b for _, b in stream.blocks(5)])
    assert len(whole) == stream.n_windows > 12

    def scanned(*args, **kwargs):
        raise AssertionError("scanned again")

    original = WindowStream._scan
    WindowStream._scan = scanned
    try:
        given = WindowStream(again, config, line=stream.line)
    finally:
        WindowStream._scan = original
    for first, stop in [(0, 3), (7, 8), (11, stream.n_windows), (4, 4)]:
        for source in (stream, given):
            got = [(w0, b) for w0, b in source.blocks(3, first, stop)]
            assert [w0 for w0, _ in got] == list(range(first, stop, 3))
            part = np.concatenate([b for _, b in got]) if got else whole[:0]
            np.testing.assert_allclose(part, whole[first:stop], rtol=0, atol=1e-6)
            if sfreq == 256.0:  # nothing resampled: the same numbers
                np.testing.assert_array_equal(part, whole[first:stop])
    with pytest.raises(ValueError, match="not within"):
        next(stream.blocks(3, 5, stream.n_windows + 1))
    with pytest.raises(ValueError, match="this recording's channels"):
        WindowStream(again, config, line=(np.zeros(2), np.zeros(2)))


def test_edf_and_bdf_go_by_their_name_which_must_agree_with_the_header(tmp_path):
    """MNE reads a file as EDF (16-bit) or BDF (24-bit) by its name. A BDF named .edf, or an
    EDF named .bdf, gave samples of garbage without a word; it is refused with the rename to
    make. A BDF whose version field is damaged is read as BDF, as MNE does, not refused for
    a 24-bit digital range."""
    import shutil

    from eegpt.demo import synthetic_raw, write_edf

    raw, _ = synthetic_raw(minutes=0.25)
    bdf = tmp_path / "rec.bdf"
    mne.export.export_raw(bdf, raw, fmt="bdf", verbose="error")
    edf = write_edf(raw, tmp_path / "rec.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # channels outside the vocabulary
        expected = read_recording(bdf).get_data()
        damaged = tmp_path / "damaged.bdf"
        damaged.write_bytes(b"\x00" + bdf.read_bytes()[1:])
        np.testing.assert_array_equal(read_recording(damaged).get_data(), expected)
        damaged_as_edf = tmp_path / "damaged_as.edf"  # no version field to go by: the range
        damaged_as_edf.write_bytes(damaged.read_bytes())
        with pytest.raises(RecordingError, match=r"EDF needs -32768 .* The header is corrupt or "
                           r"the file is a BDF \(24-bit\) file, whose range that is: then "
                           r"rename it \.bdf\.$"):  # fmt: skip
            read_recording(damaged_as_edf)
        shutil.copy(edf, tmp_path / "upper.BDF")
        with pytest.raises(RecordingError, match=r"it is named \.BDF but its header is EDF's"):
            read_recording(tmp_path / "upper.BDF")
        for source, misnamed, found in ((bdf, "bdf_as.edf", "BDF"), (edf, "edf_as.bdf", "EDF")):
            shutil.copy(source, tmp_path / misnamed)
            suffix = misnamed[-4:]
            with pytest.raises(RecordingError, match=rf"named \{suffix} but its header is "
                               rf"{found}'s .* Rename it \.{found.lower()}$"):  # fmt: skip
                read_recording(tmp_path / misnamed)


def test_edf_and_bdf_files_named_otherwise_are_refused_with_the_rename(tmp_path):
    """An EDF or BDF file given another suffix (``.txt``, none) went to the reader MNE picks by
    the name (BOXY for .txt), which failed with a UnicodeDecodeError; it is refused with the
    rename to make. Files of other formats that merely start like one go to their reader."""
    from eegpt.demo import synthetic_raw, write_edf

    raw, _ = synthetic_raw(minutes=0.25)
    bdf = tmp_path / "rec.bdf"
    mne.export.export_raw(bdf, raw, fmt="bdf", verbose="error")
    edf = write_edf(raw, tmp_path / "rec.edf")
    for source, name, found in ((edf, "damaged.txt", "EDF"), (edf, "noext", "EDF"),
                                (edf, "old.rec", "EDF"), (bdf, "rec.dat", "BDF")):  # fmt: skip
        misnamed = tmp_path / name
        misnamed.write_bytes(source.read_bytes())
        suffix = rf"named \{misnamed.suffix}" if misnamed.suffix else "named without a suffix"
        with pytest.raises(RecordingError, match=rf"could not read EEG file .*{name}: it is an? "
                           rf"{found} file \(version field .*\) {suffix}, .* Rename it "
                           rf"\.{found.lower()}$"):  # fmt: skip
            read_recording(misnamed)
    text = tmp_path / "table.txt"  # EDF's version field, but no EDF header after it
    text.write_bytes(b"0       " + b"1 2 3\n" * 60)
    with pytest.raises(ValueError, match=r"a \.txt file of samples .* is a text table") as excinfo:
        read_recording(text)
    assert "Rename" not in str(excinfo.value)


def test_clock_times_of_a_continuous_recording_are_its_onsets_from_its_first_sample():
    """Without gaps the clock times are the onsets; as moments they count from the first
    sample's (a cropped Raw starts later than its measurement date); a recording without a
    date says so."""
    import datetime

    from eegpt import EEGPT, EEGPTConfig
    from eegpt.demo import synthetic_raw

    raw, _ = synthetic_raw(minutes=0.5)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        undated = model.embed(raw)
        raw.set_meas_date(datetime.datetime(2024, 5, 1, 23, 59, 50, tzinfo=datetime.timezone.utc))
        emb = model.embed(raw.copy().crop(6.0))
    np.testing.assert_array_equal(undated.clock_times(), undated.onsets)
    with pytest.raises(ValueError, match="no measurement date"):
        undated.clock_times(absolute=True)
    moments = emb.clock_times(absolute=True)
    assert str(moments[0]) == "2024-05-01T23:59:56.000000"  # 6 s after the date
    assert str(moments[2]) == "2024-05-02T00:00:04.000000"


def test_an_mne_object_is_named_by_the_file_a_user_opens(tmp_path):
    """MNE lists a BrainVision recording's .eeg (EEGLAB's .fdt) as its file; eegpt names the
    .vhdr (.set) the user opened, as it does when given the path, so provenance and warnings
    of the two routes agree."""
    from types import SimpleNamespace

    from eegpt.io import mne_source

    for data, header in (("rec.eeg", "rec.vhdr"), ("sub.fdt", "sub.set"), ("x.eeg", None)):
        (tmp_path / data).write_bytes(b"")
        if header:
            (tmp_path / header).write_text("")
        got = mne_source(SimpleNamespace(filenames=[str(tmp_path / data)]))
        assert got == str(tmp_path / (header or data))
    raw = mne.io.RawArray(np.zeros((1, 10)), mne.create_info(["Cz"], 10.0, "eeg"), verbose=False)
    assert mne_source(raw) == "<Raw>"


def test_epochs_with_every_epoch_dropped_point_to_the_drop_log():
    info = mne.create_info(["Fz", "Cz"], 256.0, "eeg")
    epochs = mne.EpochsArray(np.zeros((3, 2, 1024)), info, verbose=False)
    with pytest.raises(RecordingError, match=r"no epochs .* every epoch was dropped .*drop_log"):
        as_recording(epochs[:0])


def test_only_the_reader_s_warnings_are_passed_on_as_about_the_file(tmp_path, monkeypatch):
    """A deprecation from a library MNE uses while reading (pyparsing's is a UserWarning as well
    as a DeprecationWarning) is shown as given, not as MNE's word about the file; MNE's own
    RuntimeWarning is passed on naming the file, and recorded for the output's provenance."""
    import types

    from eegpt._logging import recorded_warnings

    path = tmp_path / "rec_raw.fif"
    info = mne.create_info(["Fz", "Cz"], 256.0, "eeg")
    mne.io.RawArray(np.zeros((2, 2560)), info, verbose=False).save(path, verbose=False)
    fake = types.ModuleType("fakeparsing")
    exec(  # a module of its own, as pyparsing is: its warning names its file
        compile(
            "import warnings\n"
            "class FakeDeprecationWarning(UserWarning, DeprecationWarning): pass\n"
            "def parseString():\n"
            "    warnings.warn(\"'parseString' deprecated - use 'parse_string'\",\n"
            "                  FakeDeprecationWarning)\n",
            "/site-packages/fakeparsing/util.py",
            "exec",
        ),
        fake.__dict__,
    )
    real_read_raw = mne.io.read_raw

    def read_raw(*args, **kwargs):
        fake.parseString()
        mne.utils.warn("Online software filter detected.")
        return real_read_raw(*args, **kwargs)

    monkeypatch.setattr(mne.io, "read_raw", read_raw)
    with recorded_warnings() as texts, warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        as_recording(path)
    said = [(w.category, str(w.message)) for w in shown]
    assert (fake.FakeDeprecationWarning, "'parseString' deprecated - use 'parse_string'") in said
    assert not any("parseString" in t for t in texts)
    assert texts == [f"{path}: MNE: Online software filter detected."]
    assert [t for c, t in said if "MNE: " in t] == texts


def test_a_library_s_deprecation_while_reading_keeps_its_own_location(tmp_path):
    """A deprecation raised inside MNE (or pandas) while a file is read is passed on at the
    library's line, not at eegpt's, so that users see whose it is."""
    import warnings as w

    from eegpt._logging import pass_on_warnings

    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        w.warn_explicit("inplace is deprecated", FutureWarning, "/lib/pandas/frame.py", 7)
    with w.catch_warnings(record=True) as passed:
        w.simplefilter("always")
        pass_on_warnings(caught, tmp_path / "x-epo.fif")
    assert [(x.filename, x.lineno) for x in passed] == [("/lib/pandas/frame.py", 7)]


@pytest.mark.skipif(os.sep != "/", reason="a backslash separates folders on Windows")
def test_a_missing_windows_path_names_the_same_path_with_slashes(tmp_path):
    """A path written with backslashes (copied from Windows) that is missing on POSIX, where
    the same path with '/' exists, is said to hold backslashes, naming the file that exists."""
    (tmp_path / "Patientin_Müller").mkdir()
    (tmp_path / "Patientin_Müller" / "Ruhe-EEG ä.edf").write_bytes(b"")
    err = file_not_found(tmp_path / "Patientin_Müller\\Ruhe-EEG ä.edf")
    assert "holds backslashes" in str(err)
    assert (
        f"{tmp_path / 'Patientin_Müller' / 'Ruhe-EEG ä.edf'} exists: write paths with '/'"
        in str(err)
    )
    assert "holds backslashes" not in str(file_not_found(tmp_path / "other\\x.edf"))


@pytest.mark.parametrize("nfd_folder", [False, True])
def test_a_missing_name_found_in_another_unicode_normalisation_is_named(tmp_path, nfd_folder):
    """A file named in NFC (as typed on Linux) whose name on disk is NFD (as macOS writes
    names; the two look the same) is said to be there in NFD, escaped, with how to rename;
    likewise when its folder is NFD too (a folder copied from a Mac)."""
    folder_name = "Patientin_Müller"
    folder = tmp_path / (unicodedata.normalize("NFD", folder_name) if nfd_folder else folder_name)
    folder.mkdir()
    (folder / unicodedata.normalize("NFD", "Ruhe-EEG ä.edf")).write_bytes(b"")
    given = tmp_path / folder_name / "Ruhe-EEG ä.edf"
    message = str(file_not_found(given))
    assert message.startswith(f"EEG file not found: {given} (a file of that name in another ")
    assert "a\\u0308" in message and "in NFD, as macOS writes names" in message
    assert "convmv -r -f utf8 -t utf8 --nfc" in message
    assert str(file_not_found(tmp_path / "Ruhe-EEG o.edf")).endswith("Ruhe-EEG o.edf")


def _german_brainvision(folder, codepage: str = "ANSI"):
    """A BrainVision recording as a German BrainVision Recorder writes it, by hand (pybv is
    not a dependency): 30 s of 3 INT_16 channels at 256 Hz (0.1 µV a step) in a folder and a
    marker file with "ö" in their names and texts, the .vhdr and .vmrk encoded in
    ``codepage`` (``ANSI`` is Windows-1252: "ö" and "µ" are single bytes, not UTF-8), with a
    recording date, a comment marker and a bad one. Returns the .vhdr and the samples (int16,
    shape (n_times, n_channels))."""
    encoding = "cp1252" if codepage == "ANSI" else codepage
    folder.mkdir()
    sfreq, names = 256, ["Fp1", "Cz", "O1"]
    samples = np.random.default_rng(4).integers(-3000, 3000, (30 * sfreq, 3)).astype("<i2")
    samples.tofile(folder / "ruhe.eeg")
    channels = "".join(f"Ch{k}={name},,0.1,µV\n" for k, name in enumerate(names, 1))
    (folder / "ruhe.vhdr").write_bytes(
        "Brain Vision Data Exchange Header File Version 1.0\n; Ruhe, Augen geöffnet\n\n"
        f"[Common Infos]\nCodepage={codepage}\nDataFile=ruhe.eeg\nMarkerFile=ruhe.vmrk\n"
        "DataFormat=BINARY\nDataOrientation=MULTIPLEXED\nNumberOfChannels=3\n"
        f"SamplingInterval={1e6 / sfreq}\n\n[Binary Infos]\nBinaryFormat=INT_16\n\n"
        f"[Channel Infos]\n{channels}".encode(encoding)
    )
    (folder / "ruhe.vmrk").write_bytes(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        f"Codepage={codepage}\nDataFile=Ruhe geöffnet.eeg\n\n[Marker Infos]\n"
        "Mk1=New Segment,,1,1,0,20240305101530123456\n"
        "Mk2=Comment,Augen geöffnet,2561,1,0\n"
        "Mk3=BAD_Störung,Kopf gedreht,5121,512,0\n".encode(encoding)
    )
    return folder / "ruhe.vhdr", samples


@pytest.mark.parametrize("codepage", ["ANSI", "UTF-8"])
def test_a_brainvision_recording_in_the_windows_codepage_reads(tmp_path, weights, codepage):
    """A BrainVision recording whose marker file is in the Windows codepage (German
    BrainVision Recorder: ``Codepage=ANSI``, "ö" a single byte) reads on every path (MNE
    alone fails, opening the .vmrk as UTF-8 for the recording's date): samples from the
    original .eeg, scaled by the header's resolution in µV, the recording date, and the
    markers' texts decoded by the codepage, the bad one marking bad data; a UTF-8 one too."""
    from eegpt.checkpoints import load_model
    from eegpt.cli import main as eegpt_main
    from eegpt.io import mne_source

    vhdr, samples = _german_brainvision(tmp_path / "Proband Köhler", codepage)
    expected = samples.T.astype(float) * 0.1e-6  # volts
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # read as it is, without a word
        raw = read_recording(vhdr, preload=True, verbose="error")
        rec = as_recording(vhdr, verbose="error")
        stream = open_stream(vhdr, verbose="error")
    assert raw.ch_names == ["Fp1", "Cz", "O1"]
    np.testing.assert_allclose(raw.get_data(), expected, rtol=1e-6)
    np.testing.assert_allclose(rec.data, expected, rtol=1e-6)
    assert raw.get_channel_types() == ["eeg"] * 3  # "µV" read as the unit it is
    assert raw.filenames[0] == vhdr.with_suffix(".eeg") and mne_source(raw) == str(vhdr)
    for found in (raw.annotations, rec.annotations):
        assert list(found.description) == ["Comment/Augen geöffnet", "BAD_Störung/Kopf gedreht"]  # fmt: skip
        np.testing.assert_allclose(found.onset - raw.first_time, [10.0, 20.0])
    assert raw.info["meas_date"].isoformat() == "2024-03-05T10:15:30.123456+00:00"
    assert stream.n_times == 30 * 256
    model = load_model(weights)
    emb = model.embed(vhdr, window_seconds=4.0, device="cpu", reject_by_annotation=True)
    assert emb.metadata["source"] == str(vhdr) and len(emb) == 7 - 1  # 20-22 s is bad
    out = tmp_path / "ruhe.npz"
    args = ["embed", str(vhdr), "--weights", str(weights), "-o", str(out), "--device", "cpu"]
    assert eegpt_main([*args, "--reject-by-annotation"]) == 0 and out.is_file()
    assert eegpt_main(["channels", str(vhdr)]) == 0


def test_brainvision_recordings_in_the_windows_codepage_read_in_threads_side_by_side(tmp_path):
    """Threads reading BrainVision recordings in the Windows codepage at once each read
    theirs right, and leave MNE's reader as it was for other callers: opening the marker
    file in the locale's encoding, which fails on these files (no Latin-1 left installed
    for the rest of the process)."""
    import threading

    vhdrs = [_german_brainvision(tmp_path / f"p{k}", "ANSI")[0] for k in range(3)]
    expected = ["Comment/Augen geöffnet", "BAD_Störung/Kopf gedreht"]
    failures: list[BaseException] = []
    start = threading.Barrier(len(vhdrs))

    def read(vhdr):
        start.wait()
        for _ in range(15):
            try:
                raw = read_recording(vhdr, verbose="error")
                assert list(raw.annotations.description) == expected
                assert raw.info["meas_date"].year == 2024
            except BaseException as err:  # noqa: BLE001 - said below, with the others
                failures.append(err)

    threads = [threading.Thread(target=read, args=(v,)) for v in vhdrs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with pytest.raises(UnicodeDecodeError):  # MNE alone, as ever
        mne.io.read_raw_brainvision(vhdrs[0], verbose="error")
    assert list(read_recording(vhdrs[0], verbose="error").annotations.description) == expected


def test_a_brainvision_marker_file_not_in_its_codepage_is_said(tmp_path):
    """A marker file in the Windows codepage whose header says UTF-8 reads with its markers
    as Latin-1, with a warning naming it and its texts; one whose codepage Python does not
    know is refused with words naming the marker file, the encoding and the fix."""
    vhdr, _ = _german_brainvision(tmp_path / "a", "ANSI")
    vmrk = vhdr.with_suffix(".vmrk")
    vmrk.write_bytes(vmrk.read_bytes().replace(b"Codepage=ANSI", b"Codepage=UTF-8"))
    match = (rf"{re.escape(str(vmrk))} is not UTF-8 text as its Codepage line says; its "
             r"markers were read as Latin-1 .*: BAD_Störung/Kopf gedreht, Comment/Augen geöffnet; save "
             r"the marker file as UTF-8")  # fmt: skip
    with pytest.warns(RuntimeWarning, match=match):
        rec = as_recording(vhdr, verbose="error")
    assert "BAD_Störung/Kopf gedreht" in rec.annotations.description
    lines = vmrk.read_bytes().splitlines(keepends=True)
    vmrk.write_bytes(b"".join(x for x in lines if not x.startswith(b"Codepage=")))
    match = rf"{re.escape(str(vmrk))} is not UTF-8 text \(it has no Codepage line, which means"
    with pytest.warns(RuntimeWarning, match=match):  # no line: MNE takes it for UTF-8
        as_recording(vhdr, verbose="error")
    vmrk.write_bytes(b"".join(lines))
    vmrk.write_bytes(vmrk.read_bytes().replace(b"Codepage=UTF-8", b"Codepage=OEM"))
    match = (rf"could not read EEG file .*ruhe.vhdr: its marker file {re.escape(str(vmrk))} is "
             r"not text in an encoding .*unknown encoding: OEM.*save the marker file as UTF-8")  # fmt: skip
    with pytest.raises(RecordingError, match=match):
        as_recording(vhdr, verbose="error")
    # the header in a codepage Python does not know, the marker file fine: the header named
    vmrk.write_bytes(vmrk.read_bytes().replace(b"Codepage=OEM", b"Codepage=ANSI"))
    vhdr.write_bytes(vhdr.read_bytes().replace(b"Codepage=ANSI", b"Codepage=OEM"))
    match = (r"could not read EEG file .*ruhe.vhdr: its header is not text in an encoding "
             r".*unknown encoding: OEM.*save the header as UTF-8")  # fmt: skip
    with pytest.raises(RecordingError, match=match) as raised:
        as_recording(vhdr, verbose="error")
    assert "its marker file" not in str(raised.value)


def _mne_must_not_read(monkeypatch):
    """Make any MNE read of a raw file fail the test: a refusal must come before it."""

    def refuse(*args, **kwargs):
        raise AssertionError("MNE was asked to read the file")

    monkeypatch.setattr(mne.io, "read_raw", refuse)
    monkeypatch.setattr(mne.io, "read_raw_brainvision", refuse)


@pytest.mark.parametrize(
    ("declared", "said"),
    [
        (100_000_000, r"declares NumberOfChannels=100000000, outside 1 to 10,000"),
        (0, r"declares NumberOfChannels=0, outside 1 to 10,000"),
        (
            5,
            r"declares NumberOfChannels=5 but its \[Channel Infos\] section has entries for 3 "
            r"of them \(missing: Ch4, Ch5\)",
        ),  # fmt: skip
    ],
)
def test_a_brainvision_header_of_a_false_channel_count_is_refused_before_mne(
    tmp_path, monkeypatch, declared, said
):
    """A BrainVision header declaring more channels than its [Channel Infos] lists (MNE
    allocated for all of them, then listed every missing index in its error: 7 GB of memory
    and a 1 GB message for NumberOfChannels=100000000), or an absurd count, is refused with
    the values, before MNE reads it, on both reading paths."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)  # 3 channels listed
    text = vhdr.read_text(encoding="utf-8")
    vhdr.write_text(text.replace("NumberOfChannels=3", f"NumberOfChannels={declared}"), "utf-8")
    _mne_must_not_read(monkeypatch)
    with pytest.raises(RecordingError, match=said) as caught:
        as_recording(vhdr, verbose="error")
    assert len(str(caught.value)) < 500
    with pytest.raises(RecordingError, match=said):
        open_stream(vhdr, verbose="error")


def test_a_brainvision_header_named_in_capitals_is_refused_saying_to_rename_it(
    tmp_path, monkeypatch
):
    """A header named ``.VHDR`` (listed by a corpus run, which compares extensions in any
    case): MNE refused it saying that the header must be given, not a file with extension
    '.VHDR'; it is refused naming the lower-case name to give it, before MNE reads it, on
    both reading paths."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)
    shouting = vhdr.rename(vhdr.with_suffix(".VHDR"))
    _mne_must_not_read(monkeypatch)
    said = (
        rf"{re.escape(str(shouting))}: MNE reads a BrainVision header only by its extension "
        rf"in lower case \(\.vhdr\), not \.VHDR .*: rename it to {vhdr.name} "
    )
    with pytest.raises(RecordingError, match=said):
        as_recording(shouting, verbose="error")
    with pytest.raises(RecordingError, match=said):
        open_stream(shouting, verbose="error")


@pytest.mark.parametrize(
    ("binary_infos", "common"),
    [
        ("NumberOfChannels=1\n", "NumberOfChannels=100000000"),  # MNE reads Common Infos'
        ("", "NumberOfChannels=\uff11\uff10\uff10\uff10\uff10\uff10"),  # full-width digits
    ],
)
def test_a_false_channel_count_is_read_where_and_as_mne_reads_it(
    tmp_path, monkeypatch, binary_infos, common
):
    """The header check reads NumberOfChannels as MNE does (its [Common Infos] section,
    decoded by the header's codepage, any digits int() takes): a count in another section, or
    in full-width digits, passed the check and MNE allocated for it."""
    (tmp_path / "x.eeg").write_bytes(b"\0" * 8)
    header = (
        "Brain Vision Data Exchange Header File Version 1.0\n[Binary Infos]\n"
        f"{binary_infos}BinaryFormat=INT_16\n[Common Infos]\nCodepage=UTF-8\nDataFile=x.eeg\n"
        f"DataFormat=BINARY\nDataOrientation=MULTIPLEXED\n{common}\nSamplingInterval=1000\n"
        "[Channel Infos]\nCh1=Fp1,,0.1,uV\n"
    )
    (tmp_path / "x.vhdr").write_bytes(header.encode("utf-8"))
    _mne_must_not_read(monkeypatch)
    with pytest.raises(RecordingError, match=r"declares NumberOfChannels=100000"):
        as_recording(tmp_path / "x.vhdr", verbose="error")


def test_a_brainvision_header_with_windows_line_ends_is_read(tmp_path):
    """BrainVision Recorder writes CRLF line ends: the header check reads the [Channel Infos]
    section of such a header (it found none, and refused every Windows-made file)."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)
    expected = as_recording(vhdr, verbose="error")
    for f in (vhdr, tmp_path / "rec.vmrk"):
        f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert b"\r\n" in vhdr.read_bytes()
    got = as_recording(vhdr, verbose="error")
    assert got.ch_names == expected.ch_names
    np.testing.assert_array_equal(got.data, expected.data)
    assert open_stream(vhdr, verbose="error").n_channels == len(expected.ch_names)


def test_a_brainvision_header_of_more_channels_than_its_data_file_holds_is_refused(
    tmp_path, monkeypatch
):
    """A BrainVision data file shorter than one sample of every declared channel is refused,
    naming both sizes, before MNE reads it."""
    from test_annotations import _write_brainvision

    vhdr = _write_brainvision(tmp_path)
    (tmp_path / "rec.eeg").write_bytes(b"\0" * 11)  # 3 float32 channels: 12 bytes a sample
    _mne_must_not_read(monkeypatch)
    with pytest.raises(RecordingError, match=r"NumberOfChannels=3 of 4-byte samples \(12 bytes "
                       r"for one sample of every channel\), but its data file rec.eeg holds "
                       r"11 bytes"):  # fmt: skip
        as_recording(vhdr, verbose="error")


def test_a_readers_long_error_is_passed_on_cut_in_the_middle(tmp_path, monkeypatch):
    """An error MNE raises with an unbounded message is passed on (in the error, and in a
    corpus run's ``_errors.csv`` text) at most RECORDED_WARNING_WIDTH characters, its start
    and end kept."""
    from test_annotations import _write_brainvision

    from eegpt._logging import RECORDED_WARNING_WIDTH
    from eegpt.dataset import described_error

    vhdr = _write_brainvision(tmp_path)
    message = "missing entries at indices [" + ", ".join(map(str, range(200_000))) + "]. End"

    def fail(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr(mne.io, "read_raw", fail)
    with pytest.raises(RecordingError) as caught:
        as_recording(vhdr, verbose="error")
    text = str(caught.value)
    assert len(text) < RECORDED_WARNING_WIDTH + 200
    assert "RuntimeError: missing entries at indices [0, 1, 2" in text
    assert text.endswith("199999]. End") and " ... " in text
    assert len(described_error(caught.value)) <= RECORDED_WARNING_WIDTH
    monkeypatch.setenv("EEGPT_DEBUG", "1")  # with the traceback: its message is cut too
    assert len(described_error(caught.value)) < 3 * RECORDED_WARNING_WIDTH + 2000


def test_embeddings_that_cannot_be_held_in_memory_are_refused_after_the_first_block(
    model, tmp_path, monkeypatch
):
    """model.embed holds every window's embeddings at once (72 h of every summary token of the
    large model: 8.5 GB): where they cannot fit, it stops after the first block of a long
    file, saying to write them block by block with embed_to_file, rather than filling memory
    for hours until the out-of-memory killer ends it; embed_to_file of the file runs."""
    import eegpt
    import eegpt.memory_checks
    from eegpt.demo import synthetic_raw, write_edf
    from eegpt.errors import InsufficientMemoryError

    path = write_edf(synthetic_raw(minutes=10, sfreq=128)[0], tmp_path / "long.edf")  # 150 windows
    keep = ["Fz", "Cz", "Pz", "Oz"]
    windows = []
    encoder = model.target_encoder
    monkeypatch.setattr(encoder, "forward", _counting(encoder, windows))
    full = model.embed(path, keep=keep, verbose="error")
    assert sum(windows) == 150
    windows.clear()
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: full.data.nbytes)
    with pytest.raises(InsufficientMemoryError, match=r"embed_to_file\(model, data") as caught:
        model.embed(path, keep=keep, verbose="error")
    assert isinstance(caught.value, MemoryError)
    assert f"{list(full.data.shape)} float32" in str(caught.value)
    assert 0 < sum(windows) <= 64  # stopped after its first block of windows
    written = eegpt.embed_to_file(model, path, tmp_path / "long.npz", keep=keep, verbose="error")
    assert written.shape == full.data.shape


def _counting(module, calls):
    """``module.forward``, appending the windows of each call to ``calls``."""
    forward = module.forward

    def counted(x, *args, **kwargs):
        calls.append(len(x))
        return forward(x, *args, **kwargs)

    return counted


def test_running_out_of_memory_reading_a_file_points_at_its_header(tmp_path, monkeypatch):
    """Memory running out while MNE reads a file is said with what to check (the header's
    claims) and what to do, not a command to run (which may be the one running)."""
    from test_annotations import _write_brainvision

    import eegpt.memory_checks

    vhdr = _write_brainvision(tmp_path)

    def fail(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(mne.io, "read_raw", fail)
    with pytest.raises(RecordingError) as caught:
        as_recording(vhdr, verbose="error")
    text = str(caught.value)
    assert "ran out of memory" in text and "Check the file's header" in text
    assert "eegpt embed" not in text and "eegpt.embed" not in text
    monkeypatch.undo()
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: 1000)
    with pytest.raises(RecordingError) as caught:
        as_recording(vhdr, verbose="error")
    text = str(caught.value)
    assert "3 channels x 7680 samples (30 s at 256 Hz, as the file's header claims)" in text
    assert "eegpt embed" not in text and "eegpt.embed" not in text


def test_cli_channels_tells_the_clock_span_of_a_discontinuous_edf(tmp_path, capsys):
    """eegpt channels of an EDF+D file: what was recorded and the clock time it spans."""
    from eegpt.cli import main

    starts = [float(k) for k in range(10)] + [float(k + 25) for k in range(10, 80)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["channels", str(path)]) == 0
    out = capsys.readouterr().out
    assert "4 channels typed EEG at 256 Hz, 1.3 min recorded over 1.8 min (1 gap)" in out
    plain = _edf_plus(tmp_path / "plain.edf", "EDF", [float(k) for k in range(80)], variant="C")
    assert main(["channels", str(plain)]) == 0
    out = capsys.readouterr().out
    assert "4 channels typed EEG at 256 Hz, 1.3 min" in out and "recorded over" not in out


def test_edf_plus_annotation_signals_are_read_once_in_bounded_blocks(tmp_path, monkeypatch):
    """Opening an EDF+D file reads its annotation signals in one pass (record times and
    annotations together), in reads of at most ANNOTATION_SCAN_BYTES, not through a memory
    map of the whole file (whose pages all counted in the process's resident memory)."""
    import os

    import eegpt.edf_files as edf_files

    starts = [float(k) for k in range(30)] + [float(k + 25) for k in range(30, 60)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts, events=[(60.0, 4.0, "seiz")])
    record = 4 * 256 * 2 + 60
    monkeypatch.setattr(edf_files, "ANNOTATION_SCAN_BYTES", 4 * record)
    reads, passes = [], []
    pread, chunks = os.pread, edf_files._annotation_chunks

    def counted_pread(fd, n, offset):
        reads.append(n)
        return pread(fd, n, offset)

    def counted_chunks(path, header, limit=None):
        passes.append(limit)
        return chunks(path, header, limit)

    def no_memmap(*args, **kwargs):
        raise AssertionError("the file was memory-mapped")

    monkeypatch.setattr(edf_files.os, "pread", counted_pread)
    monkeypatch.setattr(edf_files, "_annotation_chunks", counted_chunks)
    monkeypatch.setattr(edf_files.np, "memmap", no_memmap)
    with pytest.warns(RuntimeWarning, match="a discontinuous EDF\\+D file: 1 gap"):
        raw = read_recording(path, verbose="error")
    assert passes.count(None) == 1  # every record once: times and annotations together
    assert reads and max(reads) <= 4 * record
    assert sum(reads) <= 2 * len(starts) * record  # each record read about once
    placed = {a["description"]: a["onset"] for a in raw.annotations}
    assert placed["seiz"] == pytest.approx(35.0)  # clock 60 s: 5 s into the second stretch


@pytest.mark.parametrize("blocks", [True, False])
def test_a_short_read_of_the_annotation_signals_is_an_error(tmp_path, monkeypatch, blocks):
    """A file that shrinks while its annotation signals are scanned (a read comes back short)
    is an error that names the file and the offset, not a scan that stops early and quietly
    gives fewer records; in blocks of records or a record at a time."""
    import eegpt.edf_files as edf_files

    path = _edf_plus(tmp_path / "rec.edf", "EDF", [float(k) for k in range(20)])
    header = edf_files.check_edf_header(path)
    record = 4 * 256 * 2 + 60
    monkeypatch.setattr(edf_files, "ANNOTATION_SCAN_BYTES", 4 * record if blocks else record // 2)
    pread = os.pread
    calls: list[int] = []

    def shrinking_pread(fd, n, offset):
        calls.append(offset)
        data = pread(fd, n, offset)
        return data[: len(data) // 2] if len(calls) == 2 else data  # the second read: short

    monkeypatch.setattr(edf_files.os, "pread", shrinking_pread)
    with pytest.raises(OSError, match=r"rec\.edf: \d+ bytes at offset \d+ .*shrank") as err:
        edf_files.scan_edf_annotations(path, header)
    assert f"offset {calls[1]} " in str(err.value)


def test_edf_plus_annotations_are_dated_by_the_scan_of_their_records(tmp_path, monkeypatch):
    """read_annotations dates an EDF+ file's annotations by its first record's start (0.5 s
    after the header's), as the one scan of its records found it, without reading record 0
    again (first_record_offset)."""
    import datetime

    import eegpt.edf_files as edf_files
    from eegpt.annotations import read_annotations

    starts = [0.5 + k for k in range(10)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts, variant="C", events=[(2.5, 1.0, "x")])
    assert edf_files.first_record_offset(path) == 0.5

    def refused(*args, **kwargs):
        raise AssertionError("record 0 read again")

    monkeypatch.setattr(edf_files, "first_record_offset", refused)
    found = read_annotations(path)
    assert list(found.description) == ["x"] and found.onset.tolist() == [2.0]
    assert found.orig_time == datetime.datetime(
        2024, 1, 1, 0, 0, 0, 500000, tzinfo=datetime.timezone.utc
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_opening_an_edf_plus_file_costs_no_memory_of_its_size(tmp_path):
    """The resident memory of opening an EDF+D file (its header, record times and annotations)
    is MNE's (its own annotation read) and not the file's size: a 64 MB file adds well under
    that over MNE's own opening of it."""
    import subprocess
    from pathlib import Path

    import eegpt

    src = Path(eegpt.__file__).resolve().parents[1]  # this eegpt, in the subprocess too
    # before the paths given already (where MNE may be installed, as on the GPU machine)
    path_list = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
    starts = [float(k) for k in range(2000)] + [float(k + 60) for k in range(2000, 4000)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts, sfreq=2048)
    size_mb = path.stat().st_size / 2**20
    assert size_mb > 60

    def peak_mb(code: str) -> float:
        script = (
            "import warnings, mne, eegpt.io\n"
            f"warnings.simplefilter('ignore')\n{code}\n"
            # the peak of this process's own memory (ru_maxrss keeps the parent's across exec)
            "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
        )
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONPATH": path_list})  # fmt: skip
        return int(out.stdout.split()[-1]) / 1024

    mne_only = peak_mb(f"mne.io.read_raw_edf({str(path)!r}, preload=False, verbose='error')")
    ours = peak_mb(f"eegpt.io.read_recording({str(path)!r}, preload=False, verbose='error')")
    assert ours - mne_only < size_mb / 4, (ours, mne_only, size_mb)


def test_stream_says_it_scans_the_file_before_embedding(tmp_path, caplog):
    """The statistics pass over the whole file (a minute for a day's recording) is said
    before it starts, so that an embedding bar still at 0 is not taken for a hang."""
    path = _edf_plus(tmp_path / "rec.edf", "EDF", [float(k) for k in range(20)], variant="C")
    with caplog.at_level(logging.INFO, logger="eegpt"):
        WindowStream(open_stream(path), verbose=True)
    said = [r.getMessage() for r in caplog.records]
    assert any(
        m
        == f"scanning {path} ({path.stat().st_size / 2**20:.2g} MB): 20 s of 4 channel(s) read once for the signal checks "
        "before embedding"
        for m in said
    ), said
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="eegpt"):
        WindowStream(open_stream(path), verbose=False)
    assert not [r for r in caplog.records if "scanning" in r.getMessage()]


def test_array_units_in_any_letter_case_and_a_dataframe_refused_with_the_route():
    x = np.ones((2, 10))
    for spelling in ("uV", "uv", "UV", "µv"):
        rec = as_recording(x, ch_names=["Fp1", "Fp2"], sfreq=10, units=spelling)  # type: ignore[arg-type]
        np.testing.assert_allclose(rec.data, 1e-6)
    assert as_recording(x, ch_names=["Fp1", "Fp2"], sfreq=10, units="mv").data[0, 0] == 1e-3  # type: ignore[arg-type]
    for mega in ("MV", "Mv"):  # a capital M is mega-, whatever the V: only mV is millivolts
        with pytest.raises(
            ValueError, match=rf"would be megavolts: millivolts are 'mV'\), got '{mega}'"
        ):
            as_recording(x, ch_names=["Fp1", "Fp2"], sfreq=10, units=mega)  # type: ignore[arg-type]
    for spaced in (" MV", "MV ", "\tMV\n"):  # megavolts with spaces around too
        with pytest.raises(ValueError, match="would be megavolts"):
            as_recording(x, ch_names=["Fp1", "Fp2"], sfreq=10, units=spaced)  # type: ignore[arg-type]
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(x.T, columns=["Fp1", "Fp2"])  # a row per sample, as devices write them
    for names in (None, ["Fp1", "Fp2"]):
        with pytest.raises(RecordingError, match=r"a DataFrame .* df\[names\]\.to_numpy\(\)\.T"):
            as_recording(df, ch_names=names, sfreq=10, units="uV")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (  # OpenBCI GUI's export, which MNE's reader for .txt (BOXY's) fails on without a word
            "openbci.txt",
            "%OpenBCI Raw EEG Data\n%Number of channels = 8\n%Sample Rate = 250 Hz\n"
            "Sample Index, EXG Channel 0, EXG Channel 1\n0, 1.0, 2.0\n1, 1.5, 2.5\n",
        ),
        ("muse.csv", "TimeStamp,RAW_TP9,RAW_AF7,RAW_AF8,RAW_TP10\n0.0,800,810,820,830\n"),
        ("samples.tsv", "Fp1\tFp2\n1.0\t2.0\n"),
    ],
)
def test_a_devices_text_table_is_refused_with_the_routes_that_read_it(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    said = r"is a text table, not an EEG file format eegpt reads.*model\.embed\(x, ch_names="
    for read in (read_recording, open_stream):
        with pytest.raises(RecordingError, match=said) as excinfo:
            read(path)
        assert "mne.io.RawArray" in str(excinfo.value)
        assert "docs/montages.md, 'From a device's CSV'" in str(excinfo.value)


def test_the_docs_recipe_for_a_devices_csv(tmp_path, monkeypatch):
    """docs/montages.md, "From a device's CSV": a Mind Monitor table (rows of other data without RAW_
    values among the samples) -> an array in µV -> model.embed, and -> RawArray -> FIF, which
    reads back as the same recording in volts."""
    pd = pytest.importorskip("pandas")
    import torch

    from eegpt import EEGPT, EEGPTConfig

    rng = np.random.default_rng(0)
    raw_uv = rng.normal(800, 20, (256 * 5, 4))
    table = pd.DataFrame(raw_uv, columns=["RAW_TP9", "RAW_AF7", "RAW_AF8", "RAW_TP10"])
    table.insert(0, "TimeStamp", np.arange(len(table)) / 256)
    blink = pd.DataFrame({"TimeStamp": [1.0], "Elements": ["/muse/elements/blink"]})
    pd.concat([table.iloc[:256], blink, table.iloc[256:]]).to_csv(
        tmp_path / "mindMonitor_2024-01-01.csv", index=False
    )
    monkeypatch.chdir(tmp_path)
    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)).eval()

    df = pd.read_csv("mindMonitor_2024-01-01.csv")
    columns = {"RAW_TP9": "TP9", "RAW_AF7": "AF7", "RAW_AF8": "AF8", "RAW_TP10": "TP10"}
    samples = df[list(columns)].dropna()
    x = samples.to_numpy().T
    names, sfreq = list(columns.values()), 256.0
    with pytest.warns(RuntimeWarning, match="trained embedding"):
        emb = model.embed(x, ch_names=names, sfreq=sfreq, units="uV", detrend="linear")
    raw = mne.io.RawArray(x * 1e-6, mne.create_info(names, sfreq, "eeg"), verbose=False)
    raw.save("muse_raw.fif", verbose=False)

    assert x.shape == (4, 256 * 5) and len(emb) == 1
    back = read_recording(tmp_path / "muse_raw.fif")
    np.testing.assert_allclose(back.get_data(), raw_uv.T * 1e-6)


def _mixed_rate_edf(path, seconds=40):
    """EEG at 256 Hz, Fp1 at 128 Hz and Fp2 at 64 Hz, beside an unused EMG signal at 512 Hz."""
    edfio = pytest.importorskip("edfio")
    rng = np.random.default_rng(5)

    def signal(label, rate):
        return edfio.EdfSignal(rng.normal(0, 20, rate * seconds), sampling_frequency=rate,
                               label=label, physical_dimension="uV", physical_range=(-500, 500))  # fmt: skip

    signals = [signal("EEG FP1-REF", 128), signal("EMG chin", 512), signal("EEG FP2-REF", 64)]
    signals += [signal(f"EEG {n}-REF", 256) for n in ("C3", "C4", "O1", "O2")]
    edfio.Edf(signals).write(path)
    return path


def test_edf_channels_at_lower_rates_are_held_alone_and_the_rest_streamed(tmp_path, monkeypatch):
    """Used EDF channels stored at lower rates than the others: MNE upsamples them over the
    span it reads (FFT), so they are upsampled once over the whole file, bit for bit as MNE's
    whole read, and held; the channels at the file's rate are still read in blocks, not whole
    (an 8 h PSG of this shape used to be read whole: 2.7 GB)."""
    import eegpt.streaming as streaming

    path = _mixed_rate_edf(tmp_path / "psg.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the lower rates are warned about
        rec = open_stream(path, verbose="error")
        whole = mne.io.read_raw_edf(path, preload=True, exclude=["EMG chin"], verbose="error")
    names = [rec.raw.ch_names[i] for i in rec.picks]
    assert rec.sfreq == 256 and len(names) == 6 and "EMG chin" not in rec.raw.ch_names
    expected = whole.get_data(picks=names)
    assert rec.cache is None  # opening reads nothing (eegpt channels)
    np.testing.assert_array_equal(rec.read(0, 10), expected[:, :10])
    assert rec.cache is not None and rec.cache.shape == (2, rec.n_times)  # Fp1, Fp2 only
    assert sorted(names[k] for k in rec.cached) == ["EEG FP1-REF", "EEG FP2-REF"]
    spans = []
    read_file = rec._read_file

    def spied(picks, start, stop):
        spans.append(stop - start)
        return read_file(picks, start, stop)

    monkeypatch.setattr(rec, "_read_file", spied)
    for start, stop in [(0, rec.n_times), (0, 1000), (777, 5000), (rec.n_times - 300, rec.n_times)]:
        np.testing.assert_array_equal(rec.read(start, stop), expected[:, start:stop])
    config = PreprocessingConfig(window_seconds=2.0)
    monkeypatch.setattr(streaming, "READ_BYTES", 8 * 6 * 2048)  # 8 s a read
    monkeypatch.setattr(streaming, "SCAN_BYTES", 8 * 6 * 2048)
    spans.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        streamed = np.concatenate([b for _, b in WindowStream(rec, config).blocks(5)])
        in_memory = prepare(as_recording(path, verbose="error", exclude=["EMG chin"]), None, config)
    assert max(spans) < rec.n_times // 2  # the scan's and the blocks' reads, not one whole read
    np.testing.assert_allclose(
        streamed, in_memory.data, rtol=1e-12, atol=1e-12 * np.abs(in_memory.data).max()
    )


def test_edf_channels_held_whole_are_warned_about_and_memory_checked(tmp_path, monkeypatch, capsys):
    """Holding the lower-rate channels grows with the recording: a warning above
    LARGE_HOLD_BYTES says so (the INFO line is hidden by -q), and the memory check counts it.
    Both say the size held as eegpt's size formatter (``size_text``) does: "0.16 MB" for the
    2 channels x 40 s x 256 Hz x 8 bytes held here (they said "0 MB", a size rounded away)."""
    import eegpt.memory_checks
    import eegpt.streaming as streaming

    path = _mixed_rate_edf(tmp_path / "psg.edf")
    monkeypatch.setattr(streaming, "LARGE_HOLD_BYTES", 1000)
    with pytest.warns(RuntimeWarning, match=r"EEG FP1-REF \(128 Hz\).*holds them in memory "
                      r"whole: 0\.16 MB, growing with the recording"):  # fmt: skip
        open_stream(path, verbose=True)
    assert "they are held in memory (0.16 MB)" in capsys.readouterr().err
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: 100_000)
    with pytest.raises(RecordingError, match=r"holding 2 channel\(s\) stored at lower rates.* "
                       r"needs at least 0\.0 GiB"):  # fmt: skip
        open_stream(path, verbose="error")


def test_cli_channels_shows_the_rates_channels_are_stored_at(tmp_path, capsys):
    """eegpt channels of an EDF file whose channels are stored at several rates: the rate MNE
    reads it at (the fastest used) and the channels' own rates, those of channels it is read
    without (an unused faster one) too; one rate: as before."""
    from eegpt.cli import main

    path = _mixed_rate_edf(tmp_path / "psg.edf", seconds=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert main(["channels", str(path)]) == 0
    out = capsys.readouterr().out
    assert (
        "7 channels typed EEG at 256 Hz (as stored: 1 at 512 Hz, 4 at 256 Hz, 1 at 128 Hz, "
        "1 at 64 Hz), 10.0 s"
    ) in out


def test_the_memory_check_counts_mnes_copy_of_a_mixed_rate_file(tmp_path):
    """MNE reads an EDF file with channels at several rates into a float64 copy of all its
    channels at the top rate before upsampling: a whole read holds that besides the samples
    asked for (the check used to count only those: 2.4x below the measured peak)."""
    from eegpt.io import whole_read_bytes

    path = _mixed_rate_edf(tmp_path / "psg.edf", seconds=10)
    edfio = pytest.importorskip("edfio")
    same = tmp_path / "same.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(2560), sampling_frequency=256, label=f"EEG {n}")
               for n in ("C3", "C4")]).write(same)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mixed = mne.io.read_raw_edf(path, preload=False, verbose="error")
        plain = mne.io.read_raw_edf(same, preload=False, verbose="error")
    n = mixed.n_times  # 10 s at 512 Hz
    assert whole_read_bytes(mixed, 2) == (2 + 7) * n * 8
    assert whole_read_bytes(mixed) == (7 + 7) * n * 8
    assert whole_read_bytes(plain) == 2 * plain.n_times * 8


def _eeglab_continuous(path, events, sfreq=64.0, seconds=10.0):
    """A continuous EEGLAB file saved with scipy as one ``EEG`` variable, as pop_saveset
    saves it: ``events`` lists ``(type, onset in s)``, a type a number (a MATLAB double) or
    a text."""
    from scipy.io import savemat

    names = ["Fp1", "Fz", "Cz", "Pz", "O1", "O2"]
    pnts = int(round(seconds * sfreq))
    event = np.zeros(len(events), dtype=[("type", "O"), ("latency", "O"), ("duration", "O")])
    for i, (kind, onset) in enumerate(events):
        event[i] = (kind, onset * sfreq + 1.0, 0.0)  # EEGLAB's latencies count from 1
    eeg = dict(
        setname="rest", filename="", filepath="", nbchan=float(len(names)), trials=1.0,
        pnts=float(pnts), srate=sfreq, xmin=0.0, xmax=(pnts - 1) / sfreq, ref="common",
        times=np.arange(pnts) / sfreq * 1000, icawinv=[], icasphere=[], icaweights=[],
        icaact=[], urevent=[], epoch=[],
        data=np.random.default_rng(4).normal(0, 10, (len(names), pnts)).astype(np.float32),
        chanlocs=np.array([(name,) for name in names], dtype=[("labels", "O")]),
        event=event,
    )  # fmt: skip
    savemat(path, {"EEG": eeg}, appendmat=False)
    return path


def test_numeric_eeglab_event_types_of_a_continuous_file_are_whole_numbers(tmp_path):
    """A continuous .set's numeric event types (MATLAB doubles, '1.0' to MNE) are described
    '1', '2' as an epoched file's epochs are named; other numbers and texts (also a text
    '2.0' beside the number 2, kept apart) stay as MNE reads them."""
    from eegpt.annotations import read_annotations

    events = [(1.0, 1.0), (2.0, 2.0), (1.0, 3.0), (1.5, 4.0), ("boundary", 5.0), (12.0, 6.0)]
    path = _eeglab_continuous(tmp_path / "rest.set", events)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE's about the boundary
        raw = read_recording(path, preload=False)
        found = read_annotations(path)
    expected = ["1", "2", "1", "1.5", "boundary", "12"]
    assert raw.annotations.description.tolist() == expected
    assert found.description.tolist() == expected
    both = _eeglab_continuous(tmp_path / "both.set", [(2.0, 1.0), ("2.0", 2.0), (3.0, 3.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = read_recording(both, preload=False)
    assert raw.annotations.description.tolist() == ["2.0", "2.0", "3"]


@pytest.mark.parametrize("verbose", [2.5, [1]])
def test_a_verbose_of_a_wrong_type_is_a_type_error_before_the_file_is_read(
    model, weights, tmp_path, verbose
):
    """``verbose=2.5`` is a TypeError from every public entry point that takes it, as
    ``load_model``'s, not a RecordingError of the file ("could not read EEG file ...")."""
    import eegpt
    from eegpt.checkpoints import resolve_weights
    from eegpt.dataset_inputs import resolve_inputs
    from eegpt.demo import synthetic_raw, write_edf

    raw, _ = synthetic_raw(minutes=0.1, seed=1)
    path = write_edf(raw, tmp_path / "rec.edf")
    calls = {
        "model.embed": lambda: model.embed(path, verbose=verbose),
        "embed_to_file": lambda: eegpt.embed_to_file(
            model, path, tmp_path / "o.npz", verbose=verbose
        ),  # fmt: skip
        "embed_dataset": lambda: eegpt.embed_dataset(
            tmp_path, tmp_path / "out", model=model, workers=0, verbose=verbose
        ),  # fmt: skip
        "read_recording": lambda: read_recording(path, verbose=verbose),
        "as_recording": lambda: as_recording(path, verbose=verbose),
        "open_stream": lambda: open_stream(path, verbose=verbose),
        "resolve_inputs": lambda: resolve_inputs(tmp_path, verbose=verbose),
        "resolve_weights": lambda: resolve_weights(str(weights), verbose=verbose),
    }
    for name, call in calls.items():
        with pytest.raises(TypeError, match="verbose must be a bool") as raised:
            call()
        assert not isinstance(raised.value, RecordingError), name


def test_log_records_name_the_eegpt_code_that_logged(caplog):
    """Each record of the ``eegpt`` logger carries the location of the eegpt code that logged
    it (its module, function and line), not that of the logging helper."""
    import eegpt

    package = os.path.dirname(eegpt.__file__)
    with caplog.at_level(logging.DEBUG, logger="eegpt"):
        for verbose in (None, True, False):
            as_recording(np.zeros((2, 500)), ch_names=["a", "b"], sfreq=250, units="uV",
                         verbose=verbose)  # fmt: skip
    records = [r for r in caplog.records if r.name == "eegpt"]
    assert len(records) >= 3
    for r in records:
        assert r.pathname.startswith(package) and r.module != "_logging", r.pathname
        assert r.funcName not in ("log", "<module>") and r.lineno > 0


def _raw_with_gaps(gaps, n_seconds=60.0, sfreq=100.0):
    """A Raw of 3 channels with NaN over ``gaps``: ``(start_s, stop_s, channel rows)``."""
    x = 1e-5 * np.random.default_rng(0).standard_normal((3, int(n_seconds * sfreq)))
    for a, b, rows in gaps:
        x[rows, int(a * sfreq) : int(b * sfreq)] = np.nan
    return mne.io.RawArray(x, mne.create_info(["Fp1", "Cz", "O2"], sfreq, "eeg"), verbose=False)


def test_nan_gaps_are_named_one_by_one_and_marked_bad_not_cropped():
    """Gaps at 10-12, 30-35 (Cz alone) and 40-41 s were said as one span "from 10.000 s to
    41.000 s", with advice to crop it, which raw.crop (it trims the ends) cannot do for a gap
    inside the recording: each gap is named (its channels where not all), and the advice is
    to mark them bad, with a row of the annotations table that takes the first out."""
    config = PreprocessingConfig(window_seconds=1.0)
    raw = _raw_with_gaps([(10, 12, [0, 1, 2]), (30, 35, [1]), (40, 41, [0, 1, 2])])
    with pytest.raises(RecordingError) as caught:
        prepare(as_recording(raw), preprocessing=config)
    said = str(caught.value)
    assert ("in 3 gaps (seconds after the first sample, ends exclusive): 10.000 to 12.000 s "
            "(2.000 s), 30.000 to 35.000 s (5.000 s) in Cz and 40.000 to 41.000 s (1.000 s). "
            ) in said  # fmt: skip
    assert "such as 10,2,BAD_nan for the gap at 10 s) with --annotations FILE " in said
    assert "--reject-by-annotation" in said and "crop that time span" not in said
    assert "annotations=mne.Annotations(onset=[10], duration=[2], " in said
    # the route it gives works: the gaps marked bad, their windows left out
    marked = mne.Annotations([10, 30, 40], [2, 5, 1], ["BAD_nan"] * 3)
    with pytest.warns(RuntimeWarning, match="all inside annotations marked bad"):
        windows = prepare(as_recording(raw), preprocessing=config, bad_spans=BadSpans.of(
            as_recording(raw), marked, reject=True))  # fmt: skip
    assert np.isfinite(windows.data).all()
    many = _raw_with_gaps([(k + 0.5, k + 0.6, [0, 1, 2]) for k in range(1, 21)])
    with pytest.raises(RecordingError, match=r"in 20 gaps .*5\.500 to 5\.600 s \(0\.100 s\) and "
                       r"14 more, the last 20\.500 to 20\.600 s \(0\.100 s\)\. "):  # fmt: skip
        prepare(as_recording(many), preprocessing=config)
    ends = _raw_with_gaps([(0, 2, [0, 1, 2]), (58, 60, [0, 1, 2])])  # crop takes them out
    with pytest.raises(RecordingError, match=r"in 2 gaps .*crop that time span \(raw\.crop"):
        prepare(as_recording(ends), preprocessing=config)


def test_nan_gap_advice_at_a_rounded_rate_covers_the_gap():
    """At a BrainVision header's rounded rate (3906 µs: MNE's 256.016 Hz, taken as 256 Hz),
    a gap of NaN samples is said, and its advised BAD_nan row given, at 256 Hz, the rate
    annotations are placed at: the row read at 1.001 s from 99.994 s (at 256.016 Hz) left
    the gap's last 0.006 s outside it, and following the advice failed again."""
    sfreq = 1e6 / 3906
    x = 1e-5 * np.random.default_rng(0).standard_normal((3, 120 * 256))
    x[:, 100 * 256 : 101 * 256] = np.nan  # 100 s to 101 s at 256 Hz
    raw = mne.io.RawArray(x, mne.create_info(["Fp1", "Cz", "O2"], sfreq, "eeg"), verbose=False)
    config = PreprocessingConfig(window_seconds=1.0)
    with pytest.raises(RecordingError) as caught:
        prepare(as_recording(raw), preprocessing=config)
    said = str(caught.value)
    assert "from 100.000 s to 101.000 s (end exclusive: 1.000 s) after the first" in said
    row = re.search(r"such as ([0-9.]+),([0-9.]+),BAD_nan", said)
    assert row is not None and row.groups() == ("100", "1")
    marked = mne.Annotations([float(row[1])], [float(row[2])], ["BAD_nan"])
    with pytest.warns(RuntimeWarning, match="all inside annotations marked bad"):
        windows = prepare(as_recording(raw), preprocessing=config, bad_spans=BadSpans.of(
            as_recording(raw), marked, reject=True))  # fmt: skip
    assert np.isfinite(windows.data).all()


def test_nan_gaps_fed_in_chunks_are_those_of_the_whole():
    """A streamed file's gaps of NaN/Inf samples, its chunks cutting through them, are the
    gaps of the whole signal: one gap across chunks stays one, with the channels of both
    parts; more gaps than are kept are counted, the last kept too."""
    from eegpt.signal_stats import GAPS_KEPT, SignalStats

    x = np.zeros((3, 1000))
    x[:, 20:25] = np.nan
    x[1, 100:110] = np.nan
    x[2, 105:130] = np.inf  # the same gap, another channel
    x[0, 200::3] = np.nan  # 267 gaps of one sample
    whole = SignalStats.of(x).nonfinite_gaps
    assert whole.count == 269
    chunked = SignalStats(3, 1000)
    for at in range(0, 1000, 7):
        chunked.update(x[:, at : at + 7])
    for gaps in (whole, chunked.nonfinite_gaps):
        assert gaps.count == 269
        assert [(a, b, c.tolist()) for a, b, c in gaps.first[:3]] == [
            (20, 24, [True, True, True]), (100, 129, [False, True, True]),
            (200, 200, [True, False, False])]  # fmt: skip
        assert len(gaps.first) == GAPS_KEPT and gaps.last is not None
        assert gaps.last[:2] == (998, 998)


def test_eeglab_epochs_are_read_beside_a_pandas_built_for_another_numpy(tmp_path, monkeypatch):
    """pandas 2.0.0-2.1.1 installed before eegpt fail to import under NumPy 2 with a
    ValueError, not an ImportError: an epoched .set file was then a traceback, though its
    epochs need no pandas; read as without pandas (no eeglab_events metadata)."""
    import sys

    single = _eeglab_epochs(tmp_path / "a.set", [[("left", 0)], [("right", 0)], [("left", 0)]])

    class BuiltForNumpy1:
        def find_spec(self, name, path=None, target=None):
            if name == "pandas":
                raise ValueError("numpy.dtype size changed, may indicate binary incompatibility")
            return None

    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    monkeypatch.setattr(sys, "meta_path", [BuiltForNumpy1(), *sys.meta_path])
    rec = as_recording(single)
    assert rec.labels == ["left", "right", "left"]
