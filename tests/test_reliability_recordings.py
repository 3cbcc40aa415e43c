"""Broken and hostile recordings: a clear error or a warning, never a crash or silent garbage.

The fuzz classes come from ``scripts/reliability.py`` (which runs them at full size and keeps
RELIABILITY.md current); here they run at their small CI sizes, with a fixed seed.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest
from reliability_harness import R

from eegpt.edf_files import check_edf_header
from eegpt.errors import EEGPTError, InsufficientMemoryError, RecordingError
from eegpt.io import as_recording, read_recording
from eegpt.preprocessing import prepare
from eegpt.streaming import WindowStream, open_stream


@pytest.mark.parametrize(
    "name",
    [
        "edf-truncated",
        "bdf-truncated",
        "edf-header-fields",
        "edf-bytes",
        "bdf-bytes",
        "recordings-structural",
    ],
)
def test_fuzz_class_has_no_bugs(name):
    tally = R.run_class(name, quick=True)
    assert tally.n > 0
    assert tally.n_bugs == 0, tally.bugs
    assert tally.counts["refused"] > 0


def _write(tmp_path, spec, name="rec.edf", edit=None) -> Path:
    data = R.edf_bytes(spec)
    path = tmp_path / name
    path.write_bytes(edit(data) if edit else data)
    return path


def _variant(**changes):
    base = R.base_spec()
    return R.EDFSpec(**{**base.__dict__, **changes})


def _both_paths(path):
    """Windows read whole and streamed (they must agree)."""
    whole = prepare(as_recording(path, verbose="error")).data
    stream = WindowStream(open_stream(path, verbose="error"))
    streamed = np.concatenate([block for _, block in stream.blocks(2)])
    np.testing.assert_array_equal(whole, streamed)
    return whole


def test_valid_edf_and_bdf_read_silently(tmp_path):
    for kind in ("EDF", "BDF"):
        path = _write(tmp_path, R.base_spec(kind), f"ok.{kind.lower()}")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            windows = _both_paths(path)
        assert windows.shape == (2, 4, 1024)
        header = check_edf_header(path)
        assert header.kind == kind and header.n_complete_records == header.n_records == 10


@pytest.mark.parametrize(
    ("cut", "match"),
    [
        (0, "0 bytes, shorter than the 256-byte"),
        (100, "100 bytes, shorter than the 256-byte"),
        (700, "announces 4 signals .* only 700 bytes"),
        (1280, "no complete data record"),
        (1280 + 1000, "no complete data record"),
    ],
)
def test_truncated_header_or_first_record_is_refused(tmp_path, cut, match):
    path = _write(tmp_path, R.base_spec(), edit=lambda b: b[:cut])
    with pytest.raises(RecordingError, match=match) as err:
        read_recording(path)
    assert str(path) in str(err.value) and "could not read EEG file" in str(err.value)


def test_truncated_body_warns_and_reads_complete_records(tmp_path):
    path = _write(tmp_path, R.base_spec(), edit=lambda b: b[:-3000])
    with pytest.warns(
        RuntimeWarning, match=r"truncated: .* 10 data records .* holds 8 complete"
    ) as record:
        raw = read_recording(path, verbose="error")
    assert raw.n_times == 8 * 256
    assert len(record) == 1, [str(w.message) for w in record]  # not again in MNE's words


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("n signals", b"abc", "'number of signals' is 'abc'; expected an integer"),
        ("n signals", b"9999", "'number of bytes in header record' is '1280'"),
        ("record duration", b"nan", "'duration of a data record' is 'nan'; expected a finite"),
        ("record duration", b"0", "'duration of a data record' is '0'; expected a positive"),
        ("samples per record[2]", b"-4", "of signal 'EEG CZ-REF' is '-4'; expected at least 1"),
        ("digital max[1]", b"-32769", "'EEG C3-REF' has digital minimum -32768 and maximum -32769"),
        ("physical min[3]", b"1e308x", "'physical minimum' of signal 'EEG O2-REF' is '1e308x'"),
        ("n records", b"-7", "'number of data records' is '-7'"),
        ("signal reserved[0]", b"\xff\xfe", "'reserved' is"),
    ],
)
def test_corrupt_header_fields_are_named(tmp_path, field, value, match):
    path = _write(tmp_path, R.base_spec(), edit=lambda b: R._set_field(b, field, value))
    with pytest.raises(RecordingError, match=match) as err:
        read_recording(path)
    assert str(path) in str(err.value)


def test_a_signal_without_scale_is_left_out_not_the_file(tmp_path):
    """Equal physical minimum and maximum: that signal's samples cannot be scaled, the others
    can; it is marked bad (so left out), and only a file of such signals is refused."""
    path = _write(
        tmp_path, R.base_spec(), edit=lambda b: R._set_field(b, "physical max[0]", b"-500")
    )
    match = r"EEG FP1-REF has equal physical minimum and maximum.*marked bad, so left out"
    with pytest.warns(RuntimeWarning, match=match) as said:
        raw = read_recording(path)
    assert raw.info["bads"] == ["EEG FP1-REF"]
    assert len(said) == 1, [str(w.message) for w in said]  # not MNE's "Physical range is..."
    with pytest.warns(RuntimeWarning, match="equal physical minimum"):
        rec = as_recording(path, verbose="error")
    assert rec.ch_names == ["EEG C3-REF", "EEG CZ-REF", "EEG O2-REF"]
    with pytest.warns(RuntimeWarning, match="equal physical minimum"):
        windows = _both_paths(path)  # streamed and whole alike
    assert windows.shape == (2, 3, 1024)
    every = R.base_spec()
    edit = lambda b: functools.reduce(  # noqa: E731
        lambda b, k: R._set_field(b, f"physical max[{k}]", b"-500"), range(4), b
    )
    with pytest.raises(RecordingError, match="every signal has equal physical minimum"):
        read_recording(_write(tmp_path, every, "none.edf", edit))


def test_a_signal_of_equal_digital_minimum_and_maximum_is_left_out_not_the_file(tmp_path):
    """Digital minimum = maximum on one signal gives it no scale, as physical minimum =
    maximum does: that signal is left out with one warning naming it and why, the others are
    embedded; a file of only such signals is refused."""
    digital = lambda b: R._set_field(b, "digital max[2]", b"-32768")  # noqa: E731
    path = _write(tmp_path, R.base_spec(), edit=digital)
    match = r"EEG CZ-REF has equal digital minimum and maximum.*marked bad, so left out"
    with pytest.warns(RuntimeWarning, match=match) as said:
        raw = read_recording(path)
    assert raw.info["bads"] == ["EEG CZ-REF"]
    assert len(said) == 1, [str(w.message) for w in said]  # not MNE's "Scaling factor ..."
    with pytest.warns(RuntimeWarning, match=match):
        windows = _both_paths(path)  # streamed and whole alike
    assert windows.shape == (2, 3, 1024)
    both = lambda b: R._set_field(digital(b), "physical max[0]", b"-500")  # noqa: E731
    with pytest.warns(RuntimeWarning) as said:
        read_recording(_write(tmp_path, R.base_spec(), "both.edf", both))
    assert [str(w.message).split(": ", 1)[1] for w in said] == [
        "EEG FP1-REF has equal physical minimum and maximum; EEG CZ-REF has equal digital "
        "minimum and maximum in the header, so the samples cannot be scaled (the header is "
        "corrupt there); marked bad, so left out."
    ]
    edit = lambda b: functools.reduce(  # noqa: E731
        lambda b, k: R._set_field(b, f"digital max[{k}]", b"-32768"), range(4), b
    )
    with pytest.raises(RecordingError, match="every signal has equal digital minimum"):
        read_recording(_write(tmp_path, R.base_spec(), "none.edf", edit))


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_a_truncated_fif_file_is_said_to_be_so(tmp_path, cut):
    """A FIF file cut short (its tags lead past its end) fails before MNE reads it: the error
    names the file and says it looks truncated or corrupt, on both reading paths."""
    whole = R._fif(tmp_path, "whole", None).read_bytes()
    path = tmp_path / "cut_raw.fif"
    path.write_bytes(whole[: int(len(whole) * cut)])
    for read in (lambda: as_recording(path, verbose="error"), lambda: _both_paths(path)):
        with pytest.raises(RecordingError, match="the file looks truncated or corrupt") as err:
            read()
        assert str(path) in str(err.value) and "past its end at" in str(err.value)


def test_a_sample_beyond_float32_gives_the_error_without_numpys_warning(tmp_path):
    """A FIF sample of 1e38 V overflows float32 once scaled: the error says so, and NumPy's
    own "overflow encountered in cast" is not passed on as a warning before it."""
    path = R._fif(tmp_path, "big", 1e38)
    for read in (
        lambda: prepare(as_recording(path, verbose="error")),
        lambda: list(WindowStream(open_stream(path, verbose="error")).blocks(2)),
    ):
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            with pytest.raises(RecordingError, match="samples overflow float32"):
                read()
        assert not [str(w.message) for w in said], [str(w.message) for w in said]


def test_wrong_record_counts_warn(tmp_path):
    more = _write(tmp_path, _variant(n_records_field=20), "more.edf")
    with pytest.warns(RuntimeWarning, match="announces 20 data records"):
        _both_paths(more)
    fewer = _write(tmp_path, _variant(n_records_field=5), "fewer.edf")
    with pytest.warns(RuntimeWarning, match="announces 5"):
        assert len(_both_paths(fewer)) == 2  # all 10 records are read
    unknown = _write(tmp_path, _variant(n_records_field=-1), "unknown.edf")
    with pytest.warns(RuntimeWarning, match="-1: the recording was not closed"):
        _both_paths(unknown)


def test_wrong_sample_count_and_mixed_rates_warn_and_streaming_matches(tmp_path, capsys):
    from eegpt.streaming import open_stream

    x = np.array(R.base_spec().signals)
    mixed = _variant(signals=[x[0], x[1][::4], x[2], x[3]], rates=[256, 64, 256, 256])
    path = _write(tmp_path, mixed, "mixed.edf")
    with pytest.warns(RuntimeWarning, match=r"different sampling rates.*EEG C3-REF \(64 Hz\)"):
        _both_paths(path)  # the slow channel is read whole, so both paths agree exactly
    capsys.readouterr()
    open_stream(path, verbose=True)
    assert "stored at lower sampling rates: EEG C3-REF (64 Hz); MNE upsamples them to 256 Hz" in (
        capsys.readouterr().err
    )
    wrong = _write(
        tmp_path,
        R.base_spec(),
        "wrong.edf",
        lambda b: R._set_field(b, "samples per record[1]", b"200"),
    )
    # a channel's rate bent to 200 Hz: an ordinary EEG rate, but the data no longer fit the
    # header, which says so
    with pytest.warns(RuntimeWarning, match=r"bytes follow the 10 data records.*sampling rates"):
        _both_paths(wrong)


def test_lazy_mne_objects_of_mixed_rate_files_are_read_whole_or_refused(tmp_path):
    """MNE upsamples a slow channel over the span it reads (mne-tools/mne-python#10635): a Raw
    opened with preload=False is exact only when its used channels are read whole, so a picked
    one is read whole too, and a cropped one, or epochs of one, are refused."""
    x = np.array(R.base_spec().signals)
    mixed = _variant(signals=[x[0], x[1][::4], x[2], x[3]], rates=[256, 64, 256, 256])
    path = _write(tmp_path, mixed, "mixed.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MNE's and eegpt's warnings about the rates
        lazy = mne.io.read_raw_edf(path, preload=False, verbose="error")
        loaded = mne.io.read_raw_edf(path, preload=True, verbose="error")
        names = lazy.ch_names[:2]  # EEG FP1-REF at 256 Hz, EEG C3-REF at 64 Hz
        picked = open_stream(lazy.copy().pick(names), verbose="error")
        assert picked.cache is not None  # read whole
        expected = prepare(as_recording(loaded.copy().pick(names), verbose="error")).data
        streamed = np.concatenate([b for _, b in WindowStream(picked).blocks(1)])
        np.testing.assert_array_equal(streamed, expected)
        cropped = lazy.copy().crop(2.0, 9.0)
        with pytest.raises(RecordingError, match=r"read with preload=False and cropped.*EEG "
                           r"C3-REF over each span.*preload=True before cropping"):  # fmt: skip
            open_stream(cropped, verbose="error")
        with pytest.raises(RecordingError, match="preload=False and cropped"):
            as_recording(cropped, verbose="error")
        epochs = mne.make_fixed_length_epochs(lazy, 4.0, preload=False, verbose="error")
        with pytest.raises(RecordingError, match=r"epochs were cut from a Raw read with preload"):
            as_recording(epochs, verbose="error")
        # what is exact stays allowed: a preloaded crop, the uncropped lazy Raw, its fast channels
        as_recording(loaded.copy().crop(2.0, 9.0), verbose="error")
        as_recording(lazy, verbose="error")
        as_recording(cropped, picks=[lazy.ch_names[0], lazy.ch_names[2]], verbose="error")


def test_huge_and_unmapped_channel_counts(tmp_path):
    claimed = _write(
        tmp_path, R.base_spec(), "claimed.edf", lambda b: R._set_field(b, "n signals", b"9999")
    )
    with pytest.raises(RecordingError, match="number of bytes in header record"):
        read_recording(claimed)
    wide = R.eeg_like(512, 1024, 256)
    hd = _write(
        tmp_path, R.EDFSpec(list(wide), [f"E{k}" for k in range(512)], [256] * 512), "hd.edf"
    )
    for read in (lambda: prepare(as_recording(hd, verbose="error")), lambda: open_stream(hd)):
        with pytest.raises(RecordingError, match="none of the 512 channel names maps") as err:
            read()
        assert str(hd) in str(err.value)


def test_non_eeg_only(tmp_path):
    x = np.array(R.base_spec().signals)
    path = _write(tmp_path, _variant(signals=list(x[:2]), labels=["ECG", "Resp"], rates=[256] * 2))
    with pytest.raises(RecordingError, match=rf"{path}.*none of the 2 channel names"):
        open_stream(path)
    fif = R._fif(tmp_path, "typed", None, non_eeg=True)
    with pytest.raises(RecordingError, match="no channels selected by picks='eeg'"):
        open_stream(fif)


def test_nan_and_inf_are_refused_on_both_paths(tmp_path):
    for bad in (np.nan, np.inf):
        fif = R._fif(tmp_path, "bad", bad)
        for read in (
            lambda fif=fif: prepare(as_recording(fif, verbose="error")),
            lambda fif=fif: WindowStream(open_stream(fif, verbose="error")),
        ):
            with pytest.raises(RecordingError, match=r"10 non-finite .*C3 \(10 samples\)"):
                read()


def test_flat_clipped_and_mis_scaled_channels_warn(tmp_path):
    x = np.array(R.base_spec().signals)
    flat = _write(tmp_path, _variant(signals=[x[0], x[1] * 0, x[2], x[3]]), "flat.edf")
    with pytest.warns(RuntimeWarning, match=r"flat channel\(s\) check: \['EEG C3-REF'\]"):
        _both_paths(flat)
    clipped = _write(tmp_path, _variant(signals=[x[0], x[1] * 40, x[2], x[3]]), "clip.edf")
    with pytest.warns(RuntimeWarning, match=r"clipping check: channel\(s\) EEG C3-REF \(\d+\.\d%"):
        _both_paths(clipped)
    # samples of microvolts' size labelled nV: converted to volts (MNE reads nV as volts), so
    # no unit warning, and 1000 times below scalp EEG's range
    nv = _write(tmp_path, _variant(units=["nV"] * 4), "nv.edf")
    with pytest.warns(RuntimeWarning) as record:
        _both_paths(nv)
    messages = " ".join(str(w.message) for w in record)
    assert "unit check" not in messages and "amplitude check" in messages
    assert re.search(r"typical deviation is 1\.\d+e-08 V", messages)
    assert "--rescale 1000" in messages
    degc = _write(tmp_path, _variant(units=["uV", "degC", "uV", "uV"]), "degc.edf")
    with pytest.warns(RuntimeWarning, match=r"EEG C3-REF \('degC'\) do not have a voltage unit"):
        _both_paths(degc)


def test_a_few_samples_are_not_called_clipped():
    """Any signal has a sample at its minimum and one at its maximum: 10% of a 10-sample chunk
    (a live buffer), which is no sign of clipping. Five at a rail of a short chunk are."""
    from eegpt.signal_checks import check_signal
    from eegpt.signal_stats import SignalStats

    x = np.random.default_rng(0).normal(0, 2e-5, (3, 10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_signal(SignalStats.of(x), ["Fp1", "Cz", "O2"], "<chunk>")
    x = np.random.default_rng(0).normal(0, 2e-5, (3, 40))
    x[1, :5] = x[1].max()
    with pytest.warns(
        RuntimeWarning, match=r"clipping check: channel\(s\) Cz \(1\d\.\d% of samples"
    ):
        check_signal(SignalStats.of(x), ["Fp1", "Cz", "O2"], "<chunk>")


def test_single_mis_scaled_channel_among_good_ones_warns():
    x = R.eeg_like(4, 2048, 256.0) * 1e-6
    x[2] *= 1e6  # one channel in microvolts labelled as volts
    rec = as_recording(x, ch_names=["Fp1", "C3", "Cz", "O2"], sfreq=256.0)
    with pytest.warns(RuntimeWarning, match=r"amplitude check: channel\(s\) Cz \("):
        prepare(rec)


def test_inverted_physical_range_and_micro_sign_are_fine(tmp_path):
    plain = _both_paths(_write(tmp_path, R.base_spec(), "plain.edf"))
    inverted = _write(tmp_path, _variant(physical=(500.0, -500.0)), "inverted.edf")
    micro = _write(tmp_path, _variant(units=["\xb5V"] * 4), "micro.edf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(_both_paths(inverted), plain, atol=1e-4)
        np.testing.assert_array_equal(_both_paths(micro), plain)


def test_absurd_sampling_rates_and_amplitudes(tmp_path):
    slow = _write(
        tmp_path, R.base_spec(), "slow.edf", lambda b: R._set_field(b, "record duration", b"1000")
    )
    with pytest.raises(RecordingError, match="0.256 Hz, below 1 Hz"):
        _both_paths(slow)
    with pytest.raises(RecordingError, match="sampling rate is 0.5 Hz"):
        prepare(as_recording(np.zeros((2, 100)), ch_names=["C3", "C4"], sfreq=0.5))
    huge = R.eeg_like(2, 2048, 256.0) * 1e36
    with pytest.raises(RecordingError, match="overflow float32"), pytest.warns(RuntimeWarning):
        prepare(as_recording(huge, ch_names=["C3", "C4"], sfreq=256.0))


def test_memory_guard_refuses_loading_but_streaming_works(tmp_path, monkeypatch):
    import eegpt.memory_checks

    path = _write(tmp_path, R.base_spec())
    monkeypatch.setattr(eegpt.memory_checks, "available_memory", lambda: 10_000)
    with pytest.raises(RecordingError, match=r"needs at least 0\.0 GiB, more than 50% of the"):
        read_recording(path)
    # a MemoryError too, as the refusals of embeddings too large are, and a ValueError
    with pytest.raises(MemoryError) as caught:
        read_recording(path)
    assert isinstance(caught.value, InsufficientMemoryError), caught.value
    assert isinstance(caught.value, ValueError), caught.value
    stream = WindowStream(open_stream(path, verbose="error"))  # never loads the file whole
    assert stream.n_windows == 2


def test_errors_from_mne_are_wrapped_with_the_file_name(tmp_path, monkeypatch):
    path = _write(tmp_path, R.base_spec())

    def explode(*args, **kwargs):
        raise KeyError("internal MNE trouble")

    monkeypatch.setattr(mne.io, "read_raw", explode)
    with pytest.raises(RecordingError, match=rf"could not read EEG file {path}: KeyError") as err:
        read_recording(path)
    assert isinstance(err.value.__cause__, KeyError)
    assert isinstance(err.value, EEGPTError) and isinstance(err.value, ValueError)


def test_mne_running_out_of_memory_is_a_memory_error_naming_the_file(tmp_path, monkeypatch):
    """MNE's MemoryError (a corrupt header claiming far more samples than the file holds) is
    said naming the file and kept a MemoryError (InsufficientMemoryError), as the refusals
    before a read are, as well as a RecordingError."""
    path = _write(tmp_path, R.base_spec())

    def exhaust(*args, **kwargs):
        raise MemoryError("Unable to allocate 3.2 TiB")

    monkeypatch.setattr(mne.io, "read_raw", exhaust)
    with pytest.raises(MemoryError, match=rf"{path}: MNE ran out of memory") as err:
        read_recording(path)
    assert isinstance(err.value, InsufficientMemoryError) and isinstance(err.value, RecordingError)
    assert isinstance(err.value.__cause__, MemoryError)


def test_the_clipping_check_names_only_the_railed_side():
    """A channel railed at +0.1875 V alone: its minimum (some microvolts) is no rail, and is not
    shown as one; a channel railed at both ends shows both."""
    from eegpt.signal_checks import check_signal
    from eegpt.signal_stats import SignalStats

    x = np.random.default_rng(0).normal(0, 2e-5, (3, 600))
    x[1, :100] = 0.1875  # O1 at the positive rail only
    x[2, :100], x[2, 100:200] = 0.1875, -0.1875  # O2 at both
    with pytest.warns(RuntimeWarning, match="clipping check") as record:
        check_signal(SignalStats.of(x), ["Fp1", "O1", "O2"], "<rec>")
    (said,) = [str(w.message) for w in record if "clipping check" in str(w.message)]
    minimum = f"{x[1].min():.4g}"
    assert "O1 (16.7% of samples at 0.1875 V)" in said and minimum not in said
    assert "O2 (16.7% of samples at -0.1875 V and 16.7% of samples at 0.1875 V)" in said


def test_the_clipping_and_amplitude_checks_name_a_few_of_many_channels():
    """59 clipped channels (an MR scanner's gradients railing an EEG-fMRI amplifier): the
    clipping warning listed all 59 twice, each with its share of samples and as rename={...}
    and --drop options, several kB of text. It names five and counts the rest, with the shorter
    ways to leave many out (a --rename file, --keep-channels); so does the amplitude check of
    42 channels scaled wrong."""
    from eegpt.signal_checks import check_signal
    from eegpt.signal_stats import SignalStats

    names = [f"E{k}" for k in range(1, 60)]
    x = np.random.default_rng(0).normal(0, 2e-5, (59, 600))
    x[:, :100] = 0.1875
    with pytest.warns(RuntimeWarning, match="clipping check") as record:
        check_signal(SignalStats.of(x), names, "<rec>")
    (said,) = [str(w.message) for w in record if "clipping check" in str(w.message)]
    assert "E5 (16.7% of samples at 0.1875 V) and 54 more look clipped" in said
    assert "rename={'E1': None, 'E2': None, 'E3': None, 'E4': None, 'E5': None, ...}; " \
           "command line: --drop E1 --drop E2 --drop E3 --drop E4 --drop E5 and 54 more " \
           "--drop options, one per channel (59 in all; with this many, --rename FILE" in said  # fmt: skip
    assert "--keep-channels NAMES keeps the others" in said
    assert "E6" not in said and len(said) < 1000
    x = np.random.default_rng(0).normal(0, 2e-5, (59, 600))
    x[17:] *= 1e3  # 42 channels in millivolts labelled volts
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        check_signal(SignalStats.of(x), names, "<rec>")
    said = " ".join(str(w.message) for w in record if "amplitude check" in str(w.message))
    assert "--drop E22 and 37 more --drop options, one per channel (42 in all" in said
    assert "E23" not in said and len(said) < 1500
