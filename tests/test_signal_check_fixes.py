"""The signal checks' fixes of the persona testers' findings: epochs in another unit in
balanced groups or 1000x off, a header's mV unit holding µV, partly flat channels of epochs,
clipping and flat stretches inside rejected spans, and the stretches named."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eegpt.io import as_recording
from eegpt.preprocessing import prepare
from eegpt.vocabulary import VOCABULARY

NAMES = [n for n in VOCABULARY if n not in ("AF7", "AF8", "PO5", "PO6")][:32]


def _subjects(n_a: int = 30, n_b: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Two subjects' epochs in µV, (n, 32, 512): channels of their own sizes (~6-15 µV)."""
    rng = np.random.default_rng(0)
    profile = np.exp(rng.normal(0, 0.4, (32, 1)))
    a = rng.standard_normal((n_a, 32, 512)) * profile * 11
    b = rng.standard_normal((n_b, 32, 512)) * profile * 14
    return a, b


def _messages(data, check: str = "amplitude check", **kwargs) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(as_recording(data, **kwargs))
    return [str(w.message) for w in caught if check in str(w.message)]


@pytest.mark.parametrize("volts_first", [False, True])
def test_half_the_epochs_in_volts_among_microvolts_are_all_named(volts_first):
    """30 epochs of one subject in µV, 30 of another in volts, all declared µV: the whole
    input's median lay between the groups, so only half the odd epochs were named (µV first)
    or none at all (volts first). The reference is now a group of epochs alike, the one in
    scalp EEG's range where two are as large: every odd epoch is named."""
    a, b = _subjects()  # b the larger: the old median took both groups for one, or none
    x = np.concatenate([b * 1e-6, a]) if volts_first else np.concatenate([a, b * 1e-6])
    (text,) = _messages(x, ch_names=NAMES, sfreq=128.0, units="uV")
    odd = "epochs 0-29 (30 of 60)" if volts_first else "epochs 30-59 (30 of 60)"
    assert "8.46e-12 V against 6.77e-06 V" in text  # each group's own median
    assert f"mix scales (read with units='uV'): {odd} are ~1e6 times smaller" in text
    assert "another unit (V among µV)" in text and f"multiply {odd} by 1e+06" in text


def test_epochs_a_thousand_times_off_microvolts_are_warned_of():
    """10 of 60 epochs x1e-3 (~8 nV among ~10 µV) were left out as disconnected noise, and
    10 of 60 x1000 (~9 mV) passed unwarned (no volt multiple: nanovolts among microvolts).
    The smaller ones keep the others' profile over the channels: another unit for sure;
    noise as small without it may be a disconnected amplifier, and is warned of as either."""
    a, b = _subjects(40, 20)
    (text,) = _messages(np.concatenate([a, b[:10], b[10:] * 1e-3]), ch_names=NAMES,
                        sfreq=128.0, units="uV")  # fmt: skip
    assert "epochs 50-59 (10 of 60) are ~1e3 times smaller" in text
    assert "another unit (mV among µV). One unit or rescaling" in text  # channels' profile kept
    assert "disconnected" not in text and "multiply epochs 50-59 (10 of 60) by 1000" in text
    noise = np.random.default_rng(5).standard_normal((10, 32, 512)) * 1e-2  # no profile: 10 nV
    (text,) = _messages(np.concatenate([a, b[:10], noise]), ch_names=NAMES, sfreq=128.0,
                        units="uV")  # fmt: skip
    assert "disconnected (amplifier or electrodes off), or another unit (mV among µV)?" in text
    (text,) = _messages(np.concatenate([a, b[:10], b[10:] * 1e3]), ch_names=NAMES,
                        sfreq=128.0, units="uV")  # fmt: skip
    assert "epochs 50-59 (10 of 60) are ~1e3 times larger" in text
    assert (
        "another unit (nV among µV)" in text and "multiply epochs 50-59 (10 of 60) by 0.001" in text
    )


def _clipped_recording(seconds: int = 120, sfreq: float = 128.0) -> np.ndarray:
    """[8, samples] in volts: 10 µV noise, Fp1 and Fp2 railed at ±200 µV from 30 to 40 s."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, int(seconds * sfreq))) * 1e-5
    at = slice(int(30 * sfreq), int(40 * sfreq))
    x[:2, at] += 3e-3 * np.sin(2 * np.pi * 0.7 * np.arange(at.stop - at.start) / sfreq)
    return np.clip(x, -2e-4, 2e-4)


def test_clipping_inside_rejected_bad_spans_is_not_warned_of():
    """Samples railed only inside a bad span whose windows are left out
    (reject_by_annotation) reach no window: the clipping check counted them and advised
    dropping the channels all the same. It now judges the samples of the kept windows only;
    without rejection, or with the rail outside the spans, it still warns."""
    from eegpt.annotations import BadSpans

    x, names = _clipped_recording(), NAMES[:8]
    spans = np.array([[28.0, 42.0]])
    rec = as_recording(x, ch_names=names, sfreq=128.0)

    def clipping(bad_spans) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            prepare(rec, bad_spans=bad_spans)
        return [str(w.message) for w in caught if "clipping check" in str(w.message)]

    assert clipping(BadSpans(spans, reject=True)) == []
    (text,) = clipping(BadSpans(spans, reject=False))
    assert f"channel(s) {names[0]} (" in text
    (text,) = clipping(BadSpans(np.array([[50.0, 60.0]]), reject=True))
    assert f"channel(s) {names[0]} (" in text


def test_a_channel_flat_in_some_epochs_is_named_with_the_epochs():
    """O1 flat for 20 s across 5 of 40 epochs: the same data as one continuous array warned,
    but the part-flat check never ran on epochs (arrays, mne.EpochsArray). It now names the
    channel and the epochs; epochs where every channel is flat are named as such."""
    import mne

    rng = np.random.default_rng(0)
    names = ["Fp1", "Fp2", "C3", "C4", "P3", "P4", "O1", "O2"]
    x = rng.normal(0, 20e-6, (40, 8, 1024))
    x[5:10, 6] = 0.0
    (text,) = _messages(x, "flat channel(s) check", ch_names=names, sfreq=256.0)
    assert (
        "some epochs are partly flat" in text and "O1 in epochs 5-9 (5 of 40), 20 s in all" in text
    )
    epochs = mne.EpochsArray(x, mne.create_info(names, 256.0, "eeg"), verbose=False)
    (text,) = _messages(epochs, "flat channel(s) check")
    assert "O1 in epochs 5-9 (5 of 40)" in text
    x[12] = 0.0
    (text,) = _messages(x, "flat channel(s) check", ch_names=names, sfreq=256.0)
    assert "all 8 channels at once in epoch 12; O1 in epochs 5-9 (5 of 40)" in text


def test_microvolts_under_a_millivolt_header_are_called_a_wrong_unit():
    """Every channel ~10 mV under a header's mV (samples in µV labelled mV) was called
    "most likely artefacts ... not a wrong unit", with advice to drop all channels and no
    factor. Most channels 1000x scalp EEG's under mV now get the unit advice,
    --rescale 0.001; a few such channels, or the same under µV, are still artefacts."""
    from eegpt.signal_checks import _check_amplitude

    names = NAMES[:19]
    deviation = np.random.default_rng(0).uniform(0.006, 0.015, 19)
    flat = np.zeros(19, dtype=bool)
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        _check_amplitude(deviation, flat, names, "wrong_unit_mV.edf", 1.0, stated="mV")
    (text,) = [str(w.message) for w in record]
    assert "19 of 19 channels are about 1000 times above it" in text
    assert "the header's unit is likely wrong" in text and "--rescale 0.001" in text
    assert "PreprocessingConfig(scale=1)" in text and "not a wrong unit" not in text
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        _check_amplitude(deviation, flat, names, "mr.vhdr", 1.0, stated="µV")
    assert "not a wrong unit" in str(record[0].message)
    few = np.where(np.arange(19) < 12, 2e-5, deviation)  # 7 of 19 large: artefacts
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        _check_amplitude(few, flat, names, "rec.edf", 1.0, stated="mV")
    assert "likely wrong" not in " ".join(str(w.message) for w in record)


def _flat_stretches(sfreq: float = 128.0) -> np.ndarray:
    """[8, 300 s] in volts: 10 µV noise, Pz (the 4th) flat for 20 s from 20 s, 20 s from
    70 s, 10 s from 120 s, and 5 s each from 150, 170 and 190 s."""
    x = np.random.default_rng(4).standard_normal((8, int(300 * sfreq))) * 1e-5
    for start, length in ((20, 20), (70, 20), (120, 10), (150, 5), (170, 5), (190, 5)):
        x[3, int(start * sfreq) : int((start + length) * sfreq)] = 0.0
    return x


def test_the_flat_stretches_are_named_with_their_start_and_length():
    """The flat message named only the first of a channel's stretches ("the first at
    0:00:20"); it now names the first few with start and length, and how many more."""
    names = NAMES[:8]
    (text,) = _messages(_flat_stretches(), "flat channel(s) check", ch_names=names, sfreq=128.0)
    assert (
        f"{names[3]} for 65 s in all (21.7%), 6 stretches: from 0:00:20 for 20 s, from 0:01:10 "
        "for 20 s, from 0:02:00 for 10 s, from 0:02:30 for 5 s and 2 more." in text
    )
    assert "mark the stretches bad" in text


def test_flat_stretches_inside_bad_annotations_are_advised_rejection():
    """Flat stretches already under annotations marked bad (BAD_acq_skip) whose windows are
    kept: the advice said to mark them bad; it now says to leave their windows out with
    reject_by_annotation."""
    from eegpt.annotations import BadSpans

    rec = as_recording(_flat_stretches(), ch_names=NAMES[:8], sfreq=128.0)
    spans = np.array([[19.0, 41.0], [69.0, 91.0], [119.0, 131.0], [149.0, 200.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(rec, bad_spans=BadSpans(spans, reject=False))
    (text,) = [str(w.message) for w in caught if "flat channel(s) check" in str(w.message)]
    assert "they lie inside annotations marked bad already: leave their windows out" in text
    assert "reject_by_annotation=True, --reject-by-annotation" in text
    assert "mark the stretches bad" not in text


def test_flat_stretches_of_a_discontinuous_file_name_the_clock_time_too():
    """In an EDF+D file the flat stretches' times are times into the data, which the gaps
    move from the recording's clock: the clock time is said beside where they differ."""
    from eegpt.edf_files import RecordClock

    rec = as_recording(_flat_stretches(), ch_names=NAMES[:8], sfreq=128.0)
    rec.clock = RecordClock((0.0, 60.0), (0.0, 88.0))  # a 28 s gap after the first minute
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(rec)
    (text,) = [str(w.message) for w in caught if "flat channel(s) check" in str(w.message)]
    assert "from 0:00:20 for 20 s, from 0:01:10 into the data (0:01:38 on the recording's " in text


def test_the_clipped_stretches_are_named():
    """The clipping warning advised excluding "the saturated time spans" without naming any;
    it now names each clipped channel's stretches (both rails of one oscillation as one)."""
    x, names = _clipped_recording(), NAMES[:8]
    x[0, int(80 * 128) : int(85 * 128)] = 2e-4
    (text,) = _messages(x, "clipping check", ch_names=names, sfreq=128.0)
    assert f"{names[0]} (4.0% of samples at -0.0002 V and 8.2% of samples at 0.0002 V; 2 " in text
    assert "2 stretches: from 0:00:30 for 10 s, from 0:01:20 for 5 s)" in text
    assert f"{names[1]} (4.0% of samples at -0.0002 V and 4.0% of samples at 0.0002 V; from " \
           "0:00:30 for 10 s)" in text  # fmt: skip
    assert "or the saturated time spans (mark them bad:" in text


def test_a_streamed_discontinuous_file_names_the_clock_time_of_flat_stretches():
    """The streamed path (a long file's) names the clock time beside the data time too."""
    import mne

    from eegpt.edf_files import RecordClock
    from eegpt.streaming import WindowStream, open_stream

    raw = mne.io.RawArray(_flat_stretches(), mne.create_info(NAMES[:8], 128.0, "eeg"),
                          verbose="error")  # fmt: skip
    stream = open_stream(raw)
    stream.clock = RecordClock((0.0, 60.0), (0.0, 88.0))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        WindowStream(stream)
    (text,) = [str(w.message) for w in caught if "flat channel(s) check" in str(w.message)]
    assert "from 0:01:10 into the data (0:01:38 on the recording's clock) for 20 s" in text
