"""Property-based tests: streaming equals whole-file preprocessing, chunked statistics equal whole
ones, and arbitrary array input / channel names end in windows or a clear error."""

from __future__ import annotations

import os
import warnings

import mne
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reliability_harness import R

import eegpt.streaming
from eegpt.annotations import BadSpans
from eegpt.channels import map_channels
from eegpt.errors import RecordingError
from eegpt.io import Recording, as_recording
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.signal_stats import FLAT_JITTER, FLAT_JITTER_SAMPLES, SignalStats
from eegpt.streaming import StreamedRecording, WindowStream, open_stream

# CI runs a bounded number of examples; EEGPT_HYPOTHESIS_EXAMPLES=5000 runs a long search.
CI = settings(
    max_examples=int(os.environ.get("EEGPT_HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
NAMES = ["Fp1", "Cz", "O2"]


@pytest.mark.parametrize("name", ["arrays", "channel-names"])
def test_class_has_no_bugs(name):
    tally = R.run_class(name, quick=True)
    assert tally.n > 0
    assert tally.n_bugs == 0, tally.bugs


def _in_memory_stream(x_volts: np.ndarray, sfreq: float) -> StreamedRecording:
    info = mne.create_info(NAMES, sfreq, "eeg")
    raw = mne.io.RawArray(x_volts, info, verbose="error")
    mapping = map_channels(NAMES)
    return StreamedRecording(raw, list(mapping.picks), mapping, "<memory>")


@CI
@given(
    sfreq=st.sampled_from([100.0, 128.0, 200.0, 250.0, 256.0, 500.0, 512.0, 1000.0, 333.0]),
    seconds=st.floats(4.0, 20.0),
    overlap=st.sampled_from([0.0, 1.0, 2.5]),
    average_reference=st.booleans(),
    resample=st.sampled_from(["polyphase", "nearest"]),
    tail=st.sampled_from(["drop", "pad"]),
    detrend=st.sampled_from(["none", "constant", "linear"]),
    block=st.integers(1, 5),
    offsets=st.lists(st.floats(-0.05, 0.05), min_size=3, max_size=3),
    seed=st.integers(0, 1000),
)
def test_streamed_windows_equal_whole_signal_windows(
    sfreq, seconds, overlap, average_reference, resample, tail, detrend, block, offsets, seed
):
    n = int(seconds * sfreq)
    x = R.eeg_like(3, n, sfreq, seed) * 1e-6 + np.array(offsets)[:, None]  # DC offsets: tens of mV
    config = PreprocessingConfig(
        overlap=overlap,
        average_reference=average_reference,
        resample=resample,
        tail=tail,
        detrend=detrend,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # short recordings padded with tail="pad"
        whole = prepare(Recording(x, NAMES, sfreq), None, config)
        stream = WindowStream(_in_memory_stream(x, sfreq), config)
        blocks = list(stream.blocks(block))
    streamed = np.concatenate([b for _, b in blocks])
    assert [start for start, _ in blocks] == list(range(0, len(whole), block))
    np.testing.assert_array_equal(stream.onsets, whole.onsets)
    np.testing.assert_array_equal(stream.n_valid_samples, whole.n_valid_samples)
    # the same float64 arithmetic except the channel means: bit-identical or within 1e-6
    np.testing.assert_allclose(
        streamed, whole.data, rtol=1e-6, atol=1e-6 * np.abs(whole.data).max()
    )


def _flat_piece(p: np.ndarray) -> bool:
    """A segment's samples (finite) flat as the flat check judges them, written plainly: zero
    peak-to-peak, or within FLAT_JITTER every sample at the lowest, the highest or the
    halfway value (to an eighth of the peak-to-peak): a digital step's jitter, judged in
    segments of FLAT_JITTER_SAMPLES samples or more."""
    lo, hi = p.min(), p.max()
    if lo == hi:
        return True
    if hi - lo > FLAT_JITTER or len(p) < FLAT_JITTER_SAMPLES:
        return False
    near = (hi - lo) / 8
    return all(min(v - lo, abs(v - (lo + hi) / 2), hi - v) <= near for v in p.tolist())


@CI
@given(
    x=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(1, 400)),
        elements=st.sampled_from([0.0, 1.0, -1.0, 1e-5, 2.5, np.nan, np.inf]) | st.floats(-10, 10),
    ),
    cuts=st.lists(st.integers(0, 400), max_size=6),
    segment=st.integers(0, 60),
    rejected=st.none() | st.tuples(st.integers(0, 400), st.integers(1, 120)),
)
def test_chunked_statistics_equal_whole_statistics(x, cuts, segment, rejected):
    # a bad span whose windows are left out, [start, start + length) at 1 Hz
    spans = None if rejected is None else BadSpans(np.array([rejected], float).cumsum(1), True)
    whole = SignalStats.of(x, segment=segment, bad_spans=spans, sfreq=1.0)
    chunked = SignalStats(x.shape[0], x.shape[1], segment=segment, bad_spans=spans, sfreq=1.0)
    edges = [0, *sorted(c for c in cuts if c < x.shape[1]), x.shape[1]]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        chunked.update(x[:, a:b])
    for name in ("minimum", "maximum", "n_at_min", "n_at_max", "nonfinite", "count", "flat_segments",
                 "first_flat", "all_flat_segments", "first_all_flat", "judged_count", "rail",
                 "n_at_rail"):  # fmt: skip
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name), err_msg=name)
    # the flat segments counted directly (one with a NaN/Inf sample or one in the rejected
    # span is not judged)
    k = x.shape[1] // segment if segment else 0
    judged = x.copy()
    if rejected is not None:
        judged[:, rejected[0] : sum(rejected)] = np.nan
    pieces = [[judged[c, j * segment : (j + 1) * segment] for j in range(k)] for c in range(len(x))]
    flat = [[np.isfinite(p).all() and _flat_piece(p) for p in row] for row in pieces]
    every = [j for j in range(k) if all(row[j] for row in flat)]
    assert whole.flat_segments.tolist() == [sum(row) for row in flat]
    assert whole.first_flat.tolist() == [row.index(True) if any(row) else -1 for row in flat]
    assert (whole.all_flat_segments, whole.first_all_flat) == (len(every), (every or [-1])[0])
    for stats in (whole, chunked):  # every flat segment, for the windows' flags
        assert [stats.flat_segments_of(c).tolist() for c in range(len(x))] == [
            [j for j in range(k) if row[j]] for row in flat
        ]
        assert stats.flat_segments_of(len(x)).tolist() == every
    np.testing.assert_array_equal(chunked.deviation(), whole.deviation())
    np.testing.assert_allclose(chunked.mean, whole.mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(chunked.std, whole.std, rtol=1e-6, atol=1e-9)
    # NaN/Inf samples take no part in the extremes, counts and moments; samples in the
    # rejected span none in the extremes and the counts at them (the clipping check)
    for c, row in enumerate(x):
        finite = row[np.isfinite(row)]
        kept = judged[c][np.isfinite(judged[c])]
        assert whole.count[c] == len(finite) and whole.judged_count[c] == len(kept)
        if not len(finite):
            assert np.isnan(whole.median()[c]) and whole.minimum[c] == np.inf
            continue
        if len(kept):
            assert (whole.minimum[c], whole.maximum[c]) == (kept.min(), kept.max())
            assert whole.n_at_min[c] == np.sum(kept == kept.min())
        else:
            assert (whole.minimum[c], whole.maximum[c]) == (np.inf, -np.inf)
        assert whole.mean[c] == pytest.approx(finite.mean(), rel=1e-9, abs=1e-12)
        assert whole.std[c] == pytest.approx(finite.std(), rel=1e-6, abs=1e-9)
        if whole.stride == 1:  # of the samples in kept windows (a rejected span's left out)
            np.testing.assert_equal(whole.median()[c], np.median(kept) if len(kept) else np.nan)


@CI
@given(
    x=hnp.arrays(
        st.sampled_from([np.float64, np.float32, np.float16, np.int16, np.complex64, np.bool_]),
        st.one_of(  # (n_times,), (n_channels, n_times), (n_epochs, n_channels, n_times)
            st.tuples(st.integers(0, 1100)),
            st.tuples(st.integers(0, 6), st.integers(0, 1100)),
            st.tuples(st.integers(0, 3), st.integers(0, 6), st.integers(0, 1100)),
        ),
        elements=None,
    ),
    names=st.lists(st.text(max_size=12) | st.sampled_from(NAMES + ["T3", "EEG C4-REF"])),
    sfreq=st.floats(allow_nan=True, allow_infinity=True),
    units=st.sampled_from(["V", "mV", "uV", "µV", "kV"]),
)
def test_any_array_gives_windows_or_a_recording_error(x, names, sfreq, units):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            windows = prepare(as_recording(x, ch_names=names, sfreq=sfreq, units=units))
        except RecordingError:
            return
    assert windows.data.dtype == np.float32 and np.isfinite(windows.data).all()


@CI
@given(names=st.lists(st.text(min_size=0, max_size=24), min_size=1, max_size=8))
def test_any_channel_names_give_windows_or_a_recording_error(names):
    x = R.eeg_like(len(names), 1100, 256.0) * 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            windows = prepare(as_recording(x, ch_names=names, sfreq=256.0))
        except RecordingError as err:
            assert "<array>" in str(err)
            return
    assert len(windows.mapping) >= 1 and set(windows.mapping.input_names) <= set(names)


def test_reads_are_bounded_whatever_the_length(tmp_path, monkeypatch):
    path = tmp_path / "long.edf"
    R.write_long_edf(path, hours=0.1, n_channels=8, sfreq=250)  # 6 min
    spans: list[int] = []
    read = StreamedRecording.read

    def spy(self, start, stop):
        spans.append(stop - start)
        return read(self, start, stop)

    monkeypatch.setattr(StreamedRecording, "read", spy)
    monkeypatch.setattr(eegpt.streaming, "SCAN_BYTES", 8 * 8 * 5000)  # 5000 samples per chunk
    stream = WindowStream(open_stream(path, verbose="error"))
    scan = list(spans)
    assert max(scan) == 5000 and sum(scan) == stream.recording.n_times
    spans.clear()
    for _ in stream.blocks(4):
        pass
    # 4 windows of 4 s at 250 Hz = 4000 input samples, plus the resampling filter's context
    assert max(spans) < 4000 + 200
    assert stream.recording.n_times <= sum(spans) < 1.1 * stream.recording.n_times


@pytest.mark.parametrize("resample", ["polyphase", "nearest"])
def test_reads_are_bounded_in_bytes_and_windows_do_not_depend_on_block_size(monkeypatch, resample):
    """A block of windows is read in parts of at most READ_BYTES of input samples (plus the
    resampling filter's context) whatever its number of windows, so a high input rate or a
    large batch does not make reads larger; the windows are bit for bit the same for any
    block size and any read bound."""
    sfreq, n_ch = 1000.0, 4
    x = R.eeg_like(n_ch, int(60 * sfreq), sfreq, 3) * 1e-6 + 1e-3
    names = ["Fp1", "Cz", "O2", "Pz"]
    raw = mne.io.RawArray(x, mne.create_info(names, sfreq, "eeg"), verbose="error")
    mapping = map_channels(names)
    recording = StreamedRecording(raw, list(mapping.picks), mapping, "<memory>")
    config = PreprocessingConfig(window_seconds=2.0, overlap=0.5, resample=resample, tail="pad",
                                 detrend="linear")  # fmt: skip
    stream = WindowStream(recording, config)
    reference = np.concatenate([b for _, b in stream.blocks(stream.n_windows)])
    spans: list[int] = []
    read = recording.read

    def spied(start: int, stop: int) -> np.ndarray:
        spans.append(stop - start)
        return read(start, stop)

    monkeypatch.setattr(recording, "read", spied)
    bound = 3000  # input samples: 3 s, one 2 s window and a bit
    monkeypatch.setattr(eegpt.streaming, "READ_BYTES", 8 * n_ch * bound)
    for block in (1, 3, 64):
        spans.clear()
        blocks = list(stream.blocks(block))
        assert [w0 for w0, _ in blocks] == list(range(0, stream.n_windows, block))
        assert all(len(b) == min(block, stream.n_windows - w0) for w0, b in blocks)
        np.testing.assert_array_equal(np.concatenate([b for _, b in blocks]), reference)
        assert max(spans) <= bound + 200  # and the filter's context (and phase)
