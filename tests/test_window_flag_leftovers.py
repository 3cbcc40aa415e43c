"""Left-overs of the flat and clipping checks (:mod:`eegpt.signal_checks`): a dead
electrode's quantisation jitter is flat, a calibration pulse inside an EDF file's physical
range is no clipping, and a single sample past a rail does not hide it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eegpt.io import as_recording
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.signal_stats import SignalStats

NAMES = ["Fp1", "Fp2", "C3", "C4", "Pz", "P4", "O1", "O2"]
SFREQ = 128.0
STEP = 1e-7  # V; an EDF's 0.1 µV digital step


def _caught(func, *args, **kwargs):
    """``func(*args, **kwargs)`` and the texts of the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = func(*args, **kwargs)
    return out, [str(w.message) for w in caught]


def _jittering(seed: int = 3) -> np.ndarray:
    """[8, 120 s] in volts: 10 µV noise in 0.1 µV steps; C4 a dead electrode, one step either
    side of 5 µV throughout; Pz dead from 20 to 40 s, two values a step apart."""
    rng = np.random.default_rng(seed)
    n = int(120 * SFREQ)
    x = np.round(rng.standard_normal((8, n)) * 1e-5 / STEP) * STEP
    x[3] = 5e-6 + rng.integers(-1, 2, n) * STEP
    at = slice(int(20 * SFREQ), int(40 * SFREQ))
    x[4, at] = -3e-6 + rng.integers(0, 2, at.stop - at.start) * STEP
    return x


def test_a_dead_electrode_jittering_a_digital_step_is_flat_not_clipped():
    """A dead electrode whose samples hover one digital step about a value had a standard
    deviation above the flat threshold and a third of its samples at each extreme: it was
    called clipped, not flat. It is flat throughout (every window flagged), and a stretch of
    such jitter is named partly flat and flags its windows; fed chunk by chunk (chunks that
    cut the seconds), its flat seconds are the same."""
    x = _jittering()
    windows, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    assert not [t for t in texts if "clipping check" in t]
    (whole_flat,) = [t for t in texts if "['C4'] have zero peak-to-peak" in t]
    assert "digital step's jitter" in whole_flat
    (partly,) = [t for t in texts if "part of the recording is flat" in t]
    assert "Pz for 20 s in all" in partly
    assert windows.flags is not None
    assert windows.flags.flat["C4"].tolist() == [[0.0, 120.0]]
    assert windows.flags.flat["Pz"].tolist() == [[20.0, 40.0]]
    whole = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    chunked = SignalStats(8, x.shape[-1], segment=round(SFREQ), sfreq=SFREQ)
    for at in range(0, x.shape[-1], 1000):
        chunked.update(x[:, at : at + 1000])
    for row in (3, 4):
        assert chunked.flat_segments_of(row).tolist() == whole.flat_segments_of(row).tolist()
    assert whole.flat_segments.tolist() == [0, 0, 0, 120, 20, 0, 0, 0]


def test_epochs_of_a_jittering_dead_electrode_are_named_flat():
    """Epochs: a channel jittering a step about a value in some epochs (C4), or from 20 to
    40 s (Pz: 4 s epochs 5 to 9), is named with those epochs."""
    x = _jittering()[:, : 10 * 512].reshape(8, 10, 512).transpose(1, 0, 2).copy()
    x[:, 3] = np.random.default_rng(0).standard_normal((10, 512)) * 1e-5  # C4 live
    x[[2, 5], 3] = 2e-6 + np.random.default_rng(1).integers(-1, 2, (2, 512)) * STEP
    _, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    (partly,) = [t for t in texts if "some epochs are partly flat" in t]
    assert "C4 in epochs 2, 5 (2 of 10)" in partly and "Pz in epochs 5-9 (5 of 10)" in partly


def test_epochs_of_a_few_samples_in_whole_microvolts_are_not_flat():
    """Epochs of 5 samples whose values are whole microvolts 0 to 2 (scikit-learn's estimator
    checks give integer arrays so), or of one sample each: a row of a few samples holds three
    values whatever it is, so it is no dead electrode's jitter; they are embedded, not refused
    as flat throughout.
    A second of such jitter (128 samples) still is flat."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, (20, 1, 5)).astype(np.float64) * 1e-6
    config = PreprocessingConfig(window_seconds=0.25, tail="pad", average_reference=False)
    _, texts = _caught(prepare, as_recording(x, ch_names=["Cz"], sfreq=SFREQ), None, config)
    assert not [t for t in texts if "flat channel" in t], texts
    single = rng.uniform(0, 2.4e-6, (10, 1, 1))  # epochs of one sample: peak-to-peak 0 each
    prepare(as_recording(single, ch_names=["Cz"], sfreq=SFREQ), None, config, verbose="error")
    whole = SignalStats.of(rng.integers(0, 3, (1, 128)) * 1e-6, 128, sfreq=SFREQ)
    assert whole.flat_segments.tolist() == [1]


@pytest.mark.parametrize("seed", range(4))
def test_live_eeg_in_coarse_steps_is_not_flat(seed):
    """Quiet live EEG (3 µV) stored in 1 µV steps takes more than three values in a second:
    not flat."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.standard_normal((8, int(60 * SFREQ))) * 3e-6 / 1e-6) * 1e-6
    windows, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    assert not [t for t in texts if "flat channel" in t or "clipping check" in t]
    assert windows.flags is not None and not windows.flags.flat


def _popped(past: list[float]) -> np.ndarray:
    """[8, 600 s] in volts: 10 µV noise; C3 a 0.5 s electrode pop of 1 mV from 200 s held at
    the file's 200 µV rail, with the samples ``past`` (V) a few samples into it: a spike past
    the rail."""
    x = np.random.default_rng(6).standard_normal((8, int(600 * SFREQ))) * 1e-5
    at = int(200 * SFREQ)
    x[2, at : at + int(0.5 * SFREQ)] += 1e-3
    x[2] = np.minimum(x[2], 2e-4)
    x[2, at + 3 : at + 3 + len(past)] = past
    return x


@pytest.mark.parametrize("past", [[2.05e-4], [2.3e-4, 2.01e-4]])
def test_a_spike_past_the_rail_does_not_hide_the_clip(past):
    """A sample or two past the value a clipped channel holds were its maximum, held by
    them alone: the clip went unnoticed. The rail is the value past which at most two
    samples lie: the clip is warned of, at 200 µV, and flags its window (onset 200 s); fed
    chunk by chunk, the rail and the samples at it are the same."""
    x = _popped(past)
    windows, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    (clipping,) = [t for t in texts if "clipping check" in t]
    assert "C3 (" in clipping and "at 0.0002 V; from 0:03:20 for 0.5 s)" in clipping
    assert windows.flags is not None
    flags = windows.flags.per_window(windows.onsets, 4.0)
    assert flags["clipped_channels"] == [
        ["C3"] if onset == 200.0 else [] for onset in windows.onsets.tolist()
    ]
    whole = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    chunked = SignalStats(8, x.shape[-1], segment=round(SFREQ), sfreq=SFREQ)
    for at in range(0, x.shape[-1], 1000):
        chunked.update(x[:, at : at + 1000])
    for stats in (whole, chunked):
        assert stats.rail[1, 2] == 2e-4 and stats.maximum[2] == max(past)
        assert stats.n_at_rail[1, 2] == int(0.5 * SFREQ) - len(past)
        assert stats.rail_held(1, 2).tolist() == [int(0.5 * SFREQ)]


def _edf(path, x: np.ndarray, physical_uv: float) -> str:
    """``x`` (volts, at SFREQ) saved as an EDF file of physical range ±``physical_uv`` µV."""
    import mne

    raw = mne.io.RawArray(x, mne.create_info(NAMES, SFREQ, "eeg"), verbose="error")
    mne.export.export_raw(
        path, raw, physical_range=(-physical_uv, physical_uv), overwrite=True, verbose="error"
    )
    return str(path)


def _calibrated() -> np.ndarray:
    """[8, 120 s] in volts: 10 µV noise, after a calibration pulse on every channel: 0 for
    0.5 s, then a 100 µV square held for 1 s (each channel's maximum)."""
    x = np.random.default_rng(7).standard_normal((8, int(120 * SFREQ))) * 1e-5
    x[:, : int(0.5 * SFREQ)] = 0.0
    x[:, int(0.5 * SFREQ) : int(1.5 * SFREQ)] = 1e-4
    assert (x.max(axis=-1) == 1e-4).all()
    return x


def test_a_calibration_pulse_inside_the_file_s_range_is_not_clipping(tmp_path):
    """A 100 µV calibration square held for 1 s at the start of an EDF file of ±3200 µV is
    each channel's maximum, held throughout: it was called clipped on every channel and
    flagged the first window. It lies far inside the file's physical range (what its digital
    maximum stands for): no rail, read whole or streamed. The same samples as an array, of
    no known range, are judged as before."""
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.streaming import WindowStream, open_stream

    path = _edf(tmp_path / "calibrated.edf", _calibrated(), 3200.0)
    recording = as_recording(path)
    assert recording.ranges is not None
    assert np.allclose(recording.ranges, [(-3.2e-3, 3.2e-3)] * 8)
    windows, texts = _caught(prepare, recording)
    assert not [t for t in texts if "clipping check" in t]
    assert windows.flags is not None and not windows.flags.clipped
    stream, texts = _caught(WindowStream, open_stream(path), PreprocessingConfig())
    assert not [t for t in texts if "clipping check" in t]
    assert stream.flags is not None and not stream.flags.clipped
    array = as_recording(recording.data, ch_names=NAMES, sfreq=SFREQ)
    _, texts = _caught(prepare, array)
    assert [t for t in texts if "clipping check" in t]


def test_a_clip_at_the_file_s_range_is_still_clipping(tmp_path):
    """Electrode pops held at the file's +200 µV, the physical maximum of an EDF file of
    ±200 µV (under a digital step short of it), are clipping still: warned of and flagged,
    read whole or streamed."""
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.streaming import WindowStream, open_stream

    x = np.random.default_rng(8).standard_normal((8, int(120 * SFREQ))) * 1e-5
    for pop in (30.0, 70.0):
        x[4, int(pop * SFREQ) : int((pop + 0.3) * SFREQ)] += 1e-3
    path = _edf(tmp_path / "popped.edf", np.clip(x, -2e-4, 2e-4), 200.0)
    windows, texts = _caught(prepare, as_recording(path))
    (clipping,) = [t for t in texts if "clipping check" in t]
    assert "Pz (" in clipping and "from 0:00:30 for 0.3 s, from 0:01:10 for 0.3 s" in clipping
    assert windows.flags is not None and list(windows.flags.clipped) == ["Pz"]
    stream, _ = _caught(WindowStream, open_stream(path), PreprocessingConfig())
    assert stream.flags is not None and list(stream.flags.clipped) == ["Pz"]


def test_an_amplifier_clipping_inside_a_wider_file_range_is_still_clipping(tmp_path):
    """Electrode pops at 30 and 70 s clipped by an amplifier at ±400 µV, in an EDF file of
    ±3200 µV (a range wider than the amplifier's): the rail lies inside the file's range, so
    the calibration-pulse rule took it for no rail and the clip went unsaid. Only a value
    held in the recording's first minute is taken for a calibration pulse: the clip is
    warned of and flagged, read whole or streamed, while the pulse at the start is not."""
    from eegpt.streaming import WindowStream, open_stream

    x = np.random.default_rng(8).standard_normal((8, int(120 * SFREQ))) * 1e-5
    for pop in (30.0, 70.0):
        x[4, int(pop * SFREQ) : int((pop + 0.3) * SFREQ)] += 1e-3
    x = np.clip(x, -4e-4, 4e-4)
    x[:, int(0.5 * SFREQ) : int(1.5 * SFREQ)] = 1e-4  # and a calibration square at the start
    path = _edf(tmp_path / "amplifier.edf", x, 3200.0)
    windows, texts = _caught(prepare, as_recording(path))
    (clipping,) = [t for t in texts if "clipping check" in t]
    assert "Pz (" in clipping and "from 0:01:10 for 0.3 s" in clipping
    assert "Fp1" not in clipping
    assert windows.flags is not None and list(windows.flags.clipped) == ["Pz"]
    stream, _ = _caught(WindowStream, open_stream(path), PreprocessingConfig())
    assert stream.flags is not None and list(stream.flags.clipped) == ["Pz"]


def test_a_clip_in_the_first_minute_is_told_from_a_calibration_pulse_by_its_shape(tmp_path):
    """Electrode pops at 10 and 30 s clipped by an amplifier at ±400 µV on Pz alone, in an
    EDF file of ±3200 µV: held inside the file's range within the first minute, they were
    taken for a calibration pulse by their time alone and went unsaid. A pulse is told by its
    shape (held at once, at one value, on most channels): the clip is warned of and flagged,
    read whole or streamed, while a calibration square on every channel is not."""
    from eegpt.streaming import WindowStream, open_stream

    x = np.random.default_rng(8).standard_normal((8, int(120 * SFREQ))) * 1e-5
    for pop in (10.0, 30.0):
        x[4, int(pop * SFREQ) : int((pop + 0.3) * SFREQ)] += 1e-3
    x = np.clip(x, -4e-4, 4e-4)
    x[:, int(40 * SFREQ) : int(41 * SFREQ)] = -1e-4  # and a calibration square (low side)
    path = _edf(tmp_path / "early.edf", x, 3200.0)
    windows, texts = _caught(prepare, as_recording(path))
    (clipping,) = [t for t in texts if "clipping check" in t]
    assert "Pz (" in clipping and "from 0:00:10 for 0.3 s, from 0:00:30 for 0.3 s" in clipping
    assert "Fp1" not in clipping and "-0.0001 V" not in clipping
    assert windows.flags is not None and list(windows.flags.clipped) == ["Pz"]
    stream, _ = _caught(WindowStream, open_stream(path), PreprocessingConfig())
    assert stream.flags is not None and list(stream.flags.clipped) == ["Pz"]


def test_a_calibration_square_wave_on_every_channel_is_not_clipping(tmp_path):
    """A symmetric calibration square wave (±100 µV at 1 Hz for 5 s, every channel at once)
    at the start of an EDF file of ±3200 µV: both rails held inside the range, at once and
    at one value on all channels, are no clipping; the same wave on two of eight channels
    has no calibration pulse's shape (it is not on most channels) and is clipping."""
    x = np.random.default_rng(9).standard_normal((8, int(120 * SFREQ))) * 1e-5
    t = np.arange(int(5 * SFREQ)) / SFREQ
    square = np.where((t % 1.0) < 0.5, 1e-4, -1e-4)
    calibrated = x.copy()
    calibrated[:, int(2 * SFREQ) : int(7 * SFREQ)] = square
    windows, texts = _caught(prepare, as_recording(_edf(tmp_path / "square.edf", calibrated,
                                                        3200.0)))  # fmt: skip
    assert not [t for t in texts if "clipping check" in t]
    assert windows.flags is not None and not windows.flags.clipped
    two = x.copy()
    two[:2, int(2 * SFREQ) : int(7 * SFREQ)] = square
    windows, texts = _caught(prepare, as_recording(_edf(tmp_path / "two.edf", two, 3200.0)))
    (clipping,) = [t for t in texts if "clipping check" in t]
    assert "Fp1 (" in clipping and "Fp2 (" in clipping and "C3" not in clipping
    assert windows.flags is not None and sorted(windows.flags.clipped) == ["Fp1", "Fp2"]


def test_the_calibration_shape_reads_each_channel_s_stretches_once_not_once_per_pair(
    monkeypatch,
):
    """Each channel's rail asked whether the others held its stretches at once by reading
    every channel's stretches again: a calibration square wave on 256 channels took seconds
    (n_channels² reads; 3 to 8 s against 15 ms before the shape check). The stretches are read
    once per channel and side (and the channel's own once more), with the same answer."""
    from eegpt.signal_checks import _inside_ranges

    n_channels = 48
    x = np.random.default_rng(10).standard_normal((n_channels, int(90 * SFREQ))) * 1e-5
    t = np.arange(int(5 * SFREQ)) / SFREQ
    x[:, int(2 * SFREQ) : int(7 * SFREQ)] = np.where((t % 1.0) < 0.5, 1e-4, -1e-4)
    x[3, int(70 * SFREQ) : int(71 * SFREQ)] = 1e-4  # held later on too: clipping
    x[5, int(20 * SFREQ) : int(20.5 * SFREQ)] = -1e-4  # a stretch of its own: clipping
    stats = SignalStats.of(x, segment=int(SFREQ), sfreq=SFREQ)
    reads = []
    spans = SignalStats.rail_spans
    monkeypatch.setattr(
        SignalStats,
        "rail_spans",
        lambda self, side, row: reads.append(row) or spans(self, side, row),
    )
    inside = _inside_ranges(stats, [(-3.2e-3, 3.2e-3)] * n_channels, 1.0, SFREQ)
    assert len(reads) <= 2 * 2 * n_channels
    assert not inside[1, 3] and inside[1, :3].all() and inside[1, 4:].all()
    assert inside[0].sum() == n_channels - 1 and not inside[0, 5]


@pytest.mark.parametrize(("sfreq", "hz"), [(256.0, 50.0), (500.0, 60.0), (128.0, 60.0)])
def test_a_channel_dominated_by_mains_hum_is_named_with_the_frequency(sfreq, hz):
    """No check named a channel that holds mostly 50 or 60 Hz hum (an electrode with poor
    contact). The line noise check names it with its share of power at the mains frequency,
    guessed from the recording (50 or 60 Hz) and said; a channel with some hum (a fifth of
    its power) is not named, nor any channel of the recording notch-filtered."""
    import mne

    n = int(120 * sfreq)
    t = np.arange(n) / sfreq
    x = np.random.default_rng(int(sfreq)).standard_normal((8, n)) * 1e-5
    x[3] += 1e-4 * np.sin(2 * np.pi * hz * t + 0.3)  # C4: 98% hum
    x[5] += 7e-6 * np.sin(2 * np.pi * hz * t)  # P4: a fifth of its power
    _, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=sfreq))
    (hum,) = [t for t in texts if "line noise check" in t]
    assert f"channel(s) C4 (98%) hold most of their power at the mains frequency, {hz:g} Hz" in hum
    assert f"raw.notch_filter({hz:g})" in hum and "P4" not in hum
    filtered = mne.filter.notch_filter(x, sfreq, np.arange(hz, sfreq / 2 - 1, hz), verbose="error")
    _, texts = _caught(prepare, as_recording(filtered, ch_names=NAMES, sfreq=sfreq))
    assert not [t for t in texts if "line noise check" in t]


@pytest.mark.parametrize("given", ["Epochs", "-epo.fif", ".npz"])
def test_epochs_of_a_channel_dominated_by_mains_hum_are_named(tmp_path, given):
    """The line noise check measured continuous recordings only: epochs (MNE Epochs, an
    -epo.fif file, a probe's .npz of X, ch_names, sfreq) of a channel holding mostly 50 Hz
    hum went unsaid. Epochs of a second or more are measured in their whole seconds: the
    channel is named, the notch filter advised before the epochs are cut; epochs of half a
    second hold no second to measure and are not."""
    import mne

    from eegpt.channels import map_channels
    from eegpt.probe_label_files import load_labelled_epochs

    sfreq = 256.0
    t = np.arange(int(4 * sfreq)) / sfreq
    x = np.random.default_rng(5).standard_normal((30, 8, len(t))) * 1e-5
    x[:, 3] += 1e-4 * np.sin(2 * np.pi * 50.0 * t + 0.3)  # C4: 98% hum
    epochs = mne.EpochsArray(x, mne.create_info(NAMES, sfreq, "eeg"), verbose="error")
    if given == "-epo.fif":
        epochs.save(tmp_path / "hum-epo.fif", verbose="error")
        recording = as_recording(str(tmp_path / "hum-epo.fif"))
    elif given == ".npz":
        np.savez(tmp_path / "hum.npz", X=x * 1e6, ch_names=np.array(NAMES), sfreq=sfreq,
                 units="uV", y=np.arange(30) % 2)  # fmt: skip
        recording, _, _ = load_labelled_epochs([tmp_path / "hum.npz"], verbose=False)
    else:
        recording = as_recording(epochs)
    _, texts = _caught(prepare, recording, map_channels(NAMES), PreprocessingConfig())
    (hum,) = [t for t in texts if "line noise check" in t]
    assert "channel(s) C4 (98%) hold most of their power at the mains frequency, 50 Hz" in hum
    assert "before cutting the epochs (raw.notch_filter(50) in MNE" in hum
    short = as_recording(epochs.copy().crop(0.0, 0.5, include_tmax=False))
    _, texts = _caught(prepare, short, map_channels(NAMES), PreprocessingConfig(window_seconds=0.5))
    assert not [t for t in texts if "line noise check" in t]


def test_the_line_noise_warning_at_120_hz_compares_with_no_unmeasured_frequency():
    """At 120 Hz, 60 Hz is the Nyquist frequency and not measured, yet the warning of a
    channel's 50 Hz hum said the channels held more at 50 Hz than at 60 Hz. It says 60 Hz
    lies too near the Nyquist frequency to be measured; at 128 Hz both are compared."""
    for sfreq, said in (
        (120.0, "60 Hz lies too near the Nyquist frequency to be measured"),
        (128.0, "the recording's channels hold more at 50 Hz than at 60 Hz"),
    ):
        n = int(120 * sfreq)
        x = np.random.default_rng(5).standard_normal((8, n)) * 1e-5
        x[3] += 1e-4 * np.sin(2 * np.pi * 50.0 * np.arange(n) / sfreq)
        _, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=sfreq))
        (hum,) = [t for t in texts if "line noise check" in t]
        assert "C4 (98%)" in hum and f"50 Hz (the share in brackets; {said})" in hum


def test_the_mains_power_is_measured_alike_whole_or_chunk_by_chunk():
    """Fed chunk by chunk (chunks that cut the seconds), the share of power at the mains
    frequencies is the whole recording's, measured over at most 256 seconds spread over it."""
    from eegpt.signal_checks import line_noise

    n = int(600 * SFREQ)
    x = np.random.default_rng(2).standard_normal((2, n)) * 1e-5
    x[1] += 5e-5 * np.sin(2 * np.pi * 50.0 * np.arange(n) / SFREQ)
    whole = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    chunked = SignalStats(2, n, segment=round(SFREQ), sfreq=SFREQ)
    for at in range(0, n, 1000):
        chunked.update(x[:, at : at + 1000])
    assert whole.line_stride == 2
    np.testing.assert_allclose(chunked.line_share, whole.line_share, rtol=1e-9)
    assert chunked.line_measured.tolist() == whole.line_measured.tolist() == [300, 300]
    hz, share = line_noise(whole)
    assert hz == 50.0 and share[0] < 0.05 and 0.9 < share[1] < 0.95  # noise: 1/64 a bin


def test_a_short_burst_of_hum_does_not_name_the_channel():
    """20 s of loud hum (an electrode lifting off, 500 µV at 50 Hz) in 2 h of 10 µV EEG made
    up most of the channel's power pooled over the seconds measured: C3 was named as holding
    83% of its power at 50 Hz, or not named at all where the burst fell between the seconds
    measured (every 28th). Each second's share weighs alike: C3 holds about 1% on average;
    the same hum throughout names it."""
    from eegpt.signal_checks import line_noise

    n = int(2 * 3600 * SFREQ)
    x = np.random.default_rng(0).standard_normal((8, n)) * 1e-5
    burst = slice(int(1000 * SFREQ), int(1020 * SFREQ))  # over the 1008th second, measured
    x[2, burst] += 5e-4 * np.sin(2 * np.pi * 50.0 * np.arange(20 * round(SFREQ)) / SFREQ)
    stats = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    found = line_noise(stats)
    assert found is not None and found[1][2] < 0.05
    _, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    assert not [t for t in texts if "line noise check" in t]
    x[2] += 5e-5 * np.sin(2 * np.pi * 50.0 * np.arange(n) / SFREQ)
    _, texts = _caught(prepare, as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    (hum,) = [t for t in texts if "line noise check" in t]
    assert "channel(s) C3 (" in hum
