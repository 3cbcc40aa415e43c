"""The amplitude check on recordings whose header states their unit: a typical deviation of
millivolts there is artefacts (MR gradient artefacts, ...), not a wrong unit, and the advice
says so instead of a rescaling; where no unit is stated the advice stays a unit's."""

from __future__ import annotations

import re
import warnings

import mne
import numpy as np
import pytest

from eegpt.io import as_recording
from eegpt.preprocessing import prepare
from eegpt.signal_checks import _check_amplitude
from eegpt.streaming import WindowStream, open_stream

NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "F7", "F8", "T7", "T8",
         "P7", "P8"]  # fmt: skip


def _signals(sfreq: int, seconds: int, n_artefact: int) -> np.ndarray:
    """[channels, samples] in volts: 20 µV noise, and on the first ``n_artefact`` channels a
    slice-frequency MR gradient artefact of a few millivolts."""
    rng = np.random.default_rng(0)
    t = np.arange(sfreq * seconds) / sfreq
    x = rng.normal(0, 20e-6, (len(NAMES), len(t)))
    gradient = 5e-3 * np.sign(np.sin(2 * np.pi * 15 * t)) * np.sin(2 * np.pi * 90 * t)
    x[:n_artefact] += rng.uniform(0.5, 2.0, (n_artefact, 1)) * gradient
    return x


def _brainamp_mr(folder, n_artefact: int = 14, sfreq: int = 1000, seconds: int = 20):
    """A BrainAmp MR-like BrainVision file written by hand (pybv is not a dependency): INT_16
    samples at 0.5 µV resolution, every channel's unit µV in the .vhdr."""
    x = _signals(sfreq, seconds, n_artefact)
    np.round(x / 0.5e-6).astype("<i2").T.tofile(folder / "rec.eeg")  # multiplexed
    channels = "".join(f"Ch{k}={name},,0.5,\N{MICRO SIGN}V\n" for k, name in enumerate(NAMES, 1))
    (folder / "rec.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\nCodepage=UTF-8\n"
        "DataFile=rec.eeg\nMarkerFile=rec.vmrk\nDataFormat=BINARY\n"
        f"DataOrientation=MULTIPLEXED\nNumberOfChannels={len(NAMES)}\n"
        f"SamplingInterval={1e6 / sfreq:g}\n\n[Binary Infos]\nBinaryFormat=INT_16\n\n"
        f"[Channel Infos]\n{channels}",
        encoding="utf-8",
    )
    (folder / "rec.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        "Codepage=UTF-8\nDataFile=rec.eeg\n\n[Marker Infos]\nMk1=New Segment,,1,1,0\n",
        encoding="utf-8",
    )
    return folder / "rec.vhdr"


def _amplitude_messages(read) -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read()
    return " ".join(str(w.message) for w in caught if "amplitude check" in str(w.message))


def test_mr_gradient_artefacts_under_a_stated_unit_are_not_called_a_wrong_unit(tmp_path):
    """14 of 16 channels of a BrainVision file (µV in its header, read as volts rightly) carry
    millivolts of MR gradient artefact: the warning said "millivolts labelled as volts" and
    advised --rescale 0.001 (1000x wrong). It now says the header states µV and advises
    artefact removal, filtering or leaving channels out, in memory and streamed; the same
    samples without a stated unit (an mne.io.RawArray) still get the unit advice."""
    vhdr = _brainamp_mr(tmp_path)
    for read in (
        lambda: prepare(as_recording(vhdr, verbose="error")),
        lambda: WindowStream(open_stream(vhdr, verbose="error")),
    ):
        text = _amplitude_messages(read)
        assert "The file header states the channels' unit (µV)" in text
        assert "artefacts (MR gradient" in text and "not a wrong unit" in text
        assert "labelled as volts" not in text and "--rescale 0.001" not in text
        assert "only if the header's unit (µV) is known to be wrong" in text
        assert "(P7, P8 are in scalp EEG's range, the other 14 channel(s) far above it)" in text
    raw = mne.io.RawArray(_signals(1000, 20, 14), mne.create_info(NAMES, 1000.0, "eeg"),
                          verbose="error")  # fmt: skip
    text = _amplitude_messages(lambda: prepare(as_recording(raw, verbose="error")))
    assert "look like millivolts labelled as volts" in text and "header states" not in text


def test_single_channels_and_epochs_far_above_the_others_under_a_stated_unit():
    """With the median channel in range, channels far above it under a stated unit are called
    artefacts, not scaled wrong; epochs 1000x larger than the others are not "another unit
    (mV among µV)" where one header states the unit of the whole file."""
    deviation = np.array([2e-5, 3e-5, 2.5e-5, 5e-3])
    flat = np.zeros(4, dtype=bool)
    names = ["Fz", "Cz", "Pz", "Oz"]
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        _check_amplitude(deviation, flat, names, "rec.vhdr", 1.0, stated="µV")
    text = str(record[0].message)
    assert "Oz (0.005 V)" in text and "header states their unit (µV)" in text
    assert "scaled wrong" not in text and "artefacts" in text
    # every placeholder filled ({'Oz': None} of the advice is a dict, not one)
    assert not re.search(r"\{\w+(:[^}]*)?\}", text) and "other channels' 2.75e-05 V " in text
    epochs = np.array([2e-5] * 8 + [2e-2] * 2)  # 2 epochs of MR gradient: 1000x the others
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        _check_amplitude(deviation[:3], flat[:3], names[:3], "rec.vhdr", 1.0, epochs=epochs,
                         stated="µV")  # fmt: skip
    text = " ".join(str(w.message) for w in record)
    assert "epochs 8-9 (2 of 10) are ~1e3 times or more larger" in text
    assert "not in another unit" in text and "mV among µV" not in text
    with pytest.warns(RuntimeWarning, match=r"another unit \(mV among V\)"):  # none stated
        _check_amplitude(deviation[:3], flat[:3], names[:3], "x.npz", 1.0, epochs=epochs)


def test_probe_train_gives_the_stated_unit_advice_as_embed_does(weights, tmp_path):
    """``eegpt probe train`` on the same BrainVision file warns as ``eegpt embed`` does: the
    windows it cuts keep the header's units (they were lost where the epochs were merged, so
    its advice was a wrong unit's)."""
    from eegpt.probe_cli import main as probe_main

    vhdr = _brainamp_mr(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("label\n" + "a\nb\n" * 2 + "a\n", encoding="utf-8")  # 5 windows of 4 s
    out = tmp_path / "probe"
    args = ["train", str(vhdr), "--labels", str(labels), "--weights", str(weights), "-o",
            str(out), "--passes", "1", "-q"]  # fmt: skip
    text = _amplitude_messages(lambda: probe_main(args))
    assert "The file header states the channels' unit (µV)" in text
    assert "labelled as volts" not in text


def test_volts_of_typical_deviation_are_a_wrong_unit_whatever_the_header_states():
    """No artefact is volts: samples in µV read as volts (5 V) get the unit advice even where
    the header states µV."""
    deviation, flat = np.array([4.0, 5.0, 6.0]), np.zeros(3, dtype=bool)
    with pytest.warns(RuntimeWarning, match="look like microvolts labelled as volts"):
        _check_amplitude(deviation, flat, ["Fz", "Cz", "Pz"], "rec.vhdr", 1.0, stated="µV")


def test_probe_train_and_predict_with_a_channel_projection_check_the_signal(weights, tmp_path):
    """``eegpt probe train --chan-proj`` (and the probe's predictions) cut their windows
    without the signal checks that embed and the other probes' inputs get, so the same file
    gave no amplitude warning at all; they now run them (check_signal, as prepare does)."""
    from eegpt.probe_cli import main as probe_main

    vhdr = _brainamp_mr(tmp_path)
    labels = tmp_path / "labels.csv"
    labels.write_text("label\n" + "a\nb\n" * 2 + "a\n", encoding="utf-8")
    out = tmp_path / "probe"
    args = ["train", str(vhdr), "--labels", str(labels), "--weights", str(weights), "-o",
            str(out), "--passes", "1", "--chan-proj", "-q"]  # fmt: skip
    text = _amplitude_messages(lambda: probe_main(args))
    assert "The file header states the channels' unit (µV)" in text
    predict = ["predict", str(out), str(vhdr), "-o", str(tmp_path / "pred.csv"), "-q"]
    text = _amplitude_messages(lambda: probe_main(predict))
    assert "The file header states the channels' unit (µV)" in text


def _mains_electrode(amplitude: float) -> np.ndarray:
    """[16, 60 s at 256 Hz] in volts: 10 µV noise with 5 µV of 50 Hz line noise, 100 µV
    blinks on Fp1 and Fp2 every 5 s; T8 an electrode off: ``amplitude`` of 50 Hz, 1 µV noise."""
    rng = np.random.default_rng(7)
    t = np.arange(60 * 256) / 256.0
    x = rng.normal(0, 10e-6, (len(NAMES), len(t))) + 5e-6 * np.sin(2 * np.pi * 50 * t)
    for blink in np.arange(2.5, 60.0, 5.0):
        x[:2] += 1e-4 * np.exp(-0.5 * ((t - blink) / 0.08) ** 2)
    x[13] = amplitude * np.sin(2 * np.pi * 50 * t) + rng.normal(0, 1e-6, len(t))
    return x


def _amplitude_texts(x: np.ndarray) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(as_recording(x, ch_names=NAMES, sfreq=256.0))
    return [str(w.message) for w in caught if "amplitude check" in str(w.message)]


def test_an_electrode_off_full_of_mains_hum_is_named():
    """A channel of 1 mV mains hum (an electrode off) beside 10 µV EEG, under the 2 mV of
    a wrong unit, went unsaid; it is named, as possibly disconnected, with how to drop it.
    The line noise and the blinks of the other channels name none."""
    (text,) = _amplitude_texts(_mains_electrode(1e-3))
    assert "channel(s) T8 (0.000" in text and "disconnected (an electrode off" in text
    assert "--drop T8" in text
    assert _amplitude_texts(_mains_electrode(5e-6)) == []
