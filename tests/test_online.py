"""Online embedding of a live stream (eegpt.online): windows pushed chunk by chunk equal the
same stretches embedded as epochs, and at 256 Hz the whole recording embedded at once."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import numpy as np
import pytest
import torch

from eegpt import EEGPT, EEGPTConfig
from eegpt.api import embed
from eegpt.engine import InferenceEngine
from eegpt.errors import EEGPTWarning, RecordingError
from eegpt.io import Recording
from eegpt.online import OnlineEmbedder, native_window_length
from eegpt.preprocessing import PreprocessingConfig
from eegpt.resampling import resample
from eegpt.windowing import just_over_window

NAMES = ["Fp1", "Fp2", "C3", "Cz", "C4", "O1", "O2"]


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(3)
    return EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)).eval()


def _signal(n_times, sfreq, seed=0):
    """Microvolts: 10 Hz alpha plus noise, with a different offset per channel."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_times) / sfreq
    x = 20 * np.sin(2 * np.pi * 10 * t) + rng.normal(0, 10, (len(NAMES), n_times))
    return x + rng.uniform(-50, 50, (len(NAMES), 1))


def _held_encode(online):
    """Make ``online``'s engine wait in ``encode`` until released: ``(entered, release,
    original)``, events set when a push is inside it and to let it go on, and the engine's
    own ``encode`` (to put back)."""
    import threading

    entered, release = threading.Event(), threading.Event()
    original = online.engine.encode

    def held(windows, chan_ids, **kwargs):
        entered.set()
        release.wait(10)
        return original(windows, chan_ids, **kwargs)

    online.engine.encode = held
    return entered, release, original


def _push_in_chunks(online, x, seed=1):
    rng = np.random.default_rng(seed)
    out, i = [], 0
    while i < x.shape[1]:
        n = int(rng.integers(0, 700))  # 0 too: an empty chunk is fine
        out.append(online.push(x[:, i : i + n]))
        i += n
    return out


def test_at_256_hz_the_stream_equals_the_whole_recording(model):
    x = _signal(256 * 23 + 100, 256.0)
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", overlap=2.5, batch_size=4)
    parts = _push_in_chunks(online, x)
    data = np.concatenate([p.data for p in parts])
    onsets = np.concatenate([p.onsets for p in parts])
    whole = embed(model, x, ch_names=NAMES, sfreq=256.0, units="uV", overlap=2.5)
    assert len(whole) == online.n_windows == len(data) == 13  # (23 - 4) / 1.5 + 1
    np.testing.assert_array_equal(onsets, whole.onsets)
    np.testing.assert_allclose(data, whole.data, rtol=1e-5, atol=1e-6)
    last = [p for p in parts if len(p)][-1]
    assert last.metadata["window_index"][-1] == 12
    assert last.metadata["preprocessing"]["overlap"] == 2.5
    # no window is padded, the incomplete last one never embedded: recorded as dropped (it
    # was "pad", which eegpt info showed), whatever tail was given
    assert last.metadata["preprocessing"]["tail"] == "drop"
    padding = OnlineEmbedder(model, NAMES, 256.0, preprocessing=PreprocessingConfig(tail="pad"),
                             warm_up=False)  # fmt: skip
    assert padding.push(np.zeros((len(NAMES), 10))).metadata["preprocessing"]["tail"] == "drop"
    assert "tail drop" in PreprocessingConfig.describe(last.metadata["preprocessing"])
    empty = next(p for p in parts if not len(p))  # docs/live-streams.md's loop pools every push
    assert empty.data.shape[1:] == data.shape[1:] and empty.pooled("mean").shape == (0, 32)
    # a backlog pushed at once is embedded a block of windows at a time, to the same result
    backlog = OnlineEmbedder(model, NAMES, 256.0, units="uV", overlap=2.5, batch_size=4)
    backlog._block = 3
    at_once = backlog.push(x)
    np.testing.assert_allclose(at_once.data, whole.data, rtol=1e-5, atol=1e-6)
    assert at_once.metadata["window_index"] == list(range(13))
    assert backlog._buffer.shape[1] < 1024 + 1.5 * 256  # what the next window needs


@pytest.mark.parametrize("interval_us", [3906, 1953])  # 256 and 512 Hz amplifiers
def test_a_rate_a_header_rounded_streams_as_embed_takes_it(model, interval_us):
    """BrainVision's 3906 µs is a 256 Hz amplifier's interval, which MNE reads as 256.016 Hz
    (raw.info["sfreq"]) and embed takes as 256 Hz. A stream given that rate hopped 1024.0655
    of its samples: window starts drifted a sample every ~15 windows, the onsets ran early
    and windows from the eighth on differed from embed's. Now they are embed's windows (at
    512 Hz, resampled, each an epoch's, as at any other rate: same starts and onsets)."""
    sfreq = 1e6 / interval_us
    nominal = 256.0 if interval_us == 3906 else 512.0
    x = _signal(int(nominal * 70), nominal)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    parts = [online.push(x[:, i : i + 300]) for i in range(0, x.shape[1], 300)]
    whole = embed(model, x, ch_names=NAMES, sfreq=sfreq, units="uV")
    onsets = np.concatenate([p.onsets for p in parts])
    assert len(whole) == online.n_windows == 17  # 70 s of 4 s windows
    assert [online.window_start(k) for k in (1, 16)] == [4 * nominal, 64 * nominal]
    np.testing.assert_array_equal(onsets, whole.onsets)
    np.testing.assert_array_equal(onsets, np.arange(17) * 4.0)
    if nominal == 256.0:  # no resampling: the windows are embed's (else each an epoch's)
        data = np.concatenate([p.data for p in parts])
        np.testing.assert_allclose(data, whole.data, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:.*offset check")  # mV offsets and drifts, as meant
@pytest.mark.parametrize(("sfreq", "gain_spread"), [(200.0, 6.7e-4), (250.0, 6.7e-4),
                                                   (500.0, 1.4e-4), (1000.0, 2.8e-5)])  # fmt: skip
def test_resampled_windows_differ_from_the_whole_recording_as_the_docs_bound(
    model, sfreq, gain_spread
):
    """docs/live-streams.md: a resampled stream's windows differ from the whole recording's
    (prepare) at their edges, filtered alone, and elsewhere by at most the polyphase branches'
    DC-gain spread times the distance between the window's least-squares line and the
    recording's: the recording's line needs samples still to come, so no stream can give it.
    Onsets are the recording's (a 0.5 s hop is whole at both rates)."""
    from eegpt.preprocessing import prepare
    from eegpt.resampling import fit_line, line_at, polyphase_filter, polyphase_ratio

    up, down = polyphase_ratio(sfreq, 256.0)
    h = polyphase_filter(up, down) * up
    spread = max(abs(h[p::up].sum() - 1) for p in range(up))
    assert spread == pytest.approx(gain_spread, rel=0.05)  # the figures the docs give
    half = math.ceil(10 * max(up, down) / down)  # the filter's half-length, model samples
    assert 10 <= half <= 13
    rng = np.random.default_rng(5)
    n = int(sfreq * 13) + 37
    t = np.arange(n) / n
    x = _signal(n, sfreq, seed=6) + rng.uniform(-5000, 5000, (len(NAMES), 1))  # mV offsets
    x += rng.uniform(-2000, 2000, (len(NAMES), 1)) * t  # and drifts of up to 2 mV
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=3.5, warm_up=False)
    seen, encode = [], online.engine.encode
    online.engine.encode = lambda w, ids, **kw: seen.append(w.copy()) or encode(w, ids, **kw)
    parts = _push_in_chunks(online, x, seed=7)
    windows, onsets = np.concatenate(seen), np.concatenate([p.onsets for p in parts])
    whole = prepare(Recording(x * 1e-6, NAMES, sfreq), preprocessing=online._epoch_config.updated(
        overlap=3.5), checks=False)  # fmt: skip
    assert len(windows) == len(whole.data) == 19
    np.testing.assert_array_equal(onsets, whole.onsets)
    referenced = x - x.mean(0)  # microvolts; windows are millivolts
    level, slope = fit_line(referenced)
    length = online.window_length
    edges = []
    for k, start in enumerate(online.window_start(k) for k in range(len(windows))):
        own = fit_line(referenced[:, start : start + length])
        lines = line_at(*own, length, np.arange(length)) - line_at(
            level, slope, n, np.arange(start, start + length)
        )
        bound = spread * np.abs(lines).max() * 1e-3 + 1e-6 * np.abs(whole.data[k]).max()
        off = np.abs(windows[k] - whole.data[k])
        assert off[:, half:-half].max() <= 1.1 * bound, k
        edges.append(off[:, :half].max() / bound)
    assert max(edges) > 2  # the edges, filtered alone, are not within it


@pytest.mark.parametrize(
    "sfreq, resampling",
    [(500.0, "polyphase"), (333.33, "polyphase"), (200.0, "nearest"), (1000.0, "nearest")],
)
def test_each_window_is_embedded_as_one_epoch(model, sfreq, resampling):
    x = _signal(int(sfreq * 14), sfreq, seed=2)
    config = PreprocessingConfig(average_reference=True, detrend="linear", resample=resampling)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", preprocessing=config, overlap=1.0)
    parts = _push_in_chunks(online, x, seed=3)
    got = np.concatenate([p.data for p in parts])
    onsets = np.concatenate([p.onsets for p in parts])
    length = online.window_length
    starts = [online.window_start(k) for k in range(len(got))]
    assert len(got) == 4 and starts[-1] + length <= x.shape[1]  # at 0, 3, 6, 9 s
    np.testing.assert_allclose(onsets, np.array(starts) / sfreq)
    np.testing.assert_allclose(onsets, [0, 3, 6, 9], atol=1 / sfreq)
    epochs = np.stack([x[:, s : s + length] for s in starts])
    reference = embed(model, epochs, ch_names=NAMES, sfreq=sfreq, units="uV",
                      preprocessing=config.updated(tail="pad"))  # fmt: skip
    np.testing.assert_allclose(got, reference.data, rtol=1e-5, atol=1e-6)


def test_windows_start_at_the_nearest_sample_where_the_hop_is_not_whole(model):
    """At 333.33 Hz a 3 s hop is 999.99 native samples: window k starts at the sample nearest
    k * 999.99 (0, 1000, 2000, 3000; truncating gave 0, 999, 1999, 2999), and its onset is
    that sample's time."""
    sfreq = 333.33
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=1.0)
    starts = [round(k * 3 * sfreq) for k in range(4)]
    assert [online.window_start(k) for k in range(4)] == starts == [0, 1000, 2000, 3000]
    parts = _push_in_chunks(online, _signal(int(sfreq * 14), sfreq, seed=2), seed=3)
    onsets = np.concatenate([p.onsets for p in parts])
    np.testing.assert_allclose(onsets, np.array(starts) / sfreq, rtol=1e-12, atol=0)


@pytest.mark.parametrize(("sfreq", "window"), [(250.0, 1.25), (173.61, 4.0)])
def test_windows_a_sample_apart_do_not_depend_on_the_chunks(model, sfreq, window):
    """With no overlap and a hop whole at 256 Hz only, a window of L native samples is now and
    then followed by one starting L + 1 after it. A push ending between the two (every push
    of one sample, a chunk ending at a window's end) let go of a sample not pushed yet, and
    every later window held the samples one before its onset (1e-2 relative off at 250 Hz).
    Now one-sample, window-aligned and whole pushes give the same windows: the epochs at
    their onsets."""
    config = PreprocessingConfig(window_seconds=window)

    def windows(sizes):
        online = OnlineEmbedder(model, NAMES, sfreq, units="uV", preprocessing=config,
                                warm_up=False)  # fmt: skip
        parts, i = [], 0
        for size in sizes(online):
            parts.append(online.push(x[:, i : i + size]))
            i += size
        assert i == x.shape[1] == online.n_samples_pushed
        data = np.concatenate([p.data for p in parts if len(p)])
        return online, data, np.concatenate([p.onsets for p in parts])

    n_windows = 5
    probe = OnlineEmbedder(model, NAMES, sfreq, units="uV", preprocessing=config, warm_up=False)
    length, starts = probe.window_length, [probe.window_start(k) for k in range(n_windows)]
    gaps = np.diff(starts) - length
    assert set(gaps) == {0, 1}  # windows end to end, and some a sample apart
    x = _signal(starts[-1] + length + 3, sfreq, seed=4)
    ends = [*(s + length for s in starts), x.shape[1]]
    online, whole, onsets = windows(lambda _: [x.shape[1]])
    _, single, single_onsets = windows(lambda _: [1] * x.shape[1])
    _, aligned, aligned_onsets = windows(lambda _: np.diff([0, *ends]))
    np.testing.assert_allclose(onsets, np.array(starts) / sfreq, rtol=1e-12)
    np.testing.assert_array_equal(single_onsets, onsets)
    np.testing.assert_array_equal(aligned_onsets, onsets)
    epochs = np.stack([x[:, s : s + length] for s in starts])
    reference = embed(model, epochs, ch_names=NAMES, sfreq=sfreq, units="uV",
                      preprocessing=config.updated(tail="pad")).data  # fmt: skip
    for got in (whole, single, aligned):
        np.testing.assert_allclose(got, reference, rtol=1e-5, atol=1e-6)
    assert online._buffer.shape[1] == online.n_samples_pushed - online._buffer_start


@pytest.mark.parametrize("method", ["polyphase", "nearest"])
@pytest.mark.parametrize("sfreq", [256.0, 500.0, 1000.0, 333.33, 173.61, 160.0, 100.7, 2048.0])
def test_a_native_window_resamples_to_one_model_window(sfreq, method):
    config = PreprocessingConfig(resample=method)
    length = native_window_length(sfreq, config)
    out = resample(np.zeros((1, length)), sfreq, 256.0, method=method).shape[-1]
    # upsampling where no length gives 1024 (100.7 Hz: 402 give 1022): just over, cropped
    assert out == 1024 or (sfreq < 256 and just_over_window(length, sfreq, config))
    assert abs(length - 4 * sfreq) < 1  # 4 s, not 4.001 s (nearest maps 4001 samples to 1024)


@pytest.mark.filterwarnings("ignore:.*(offset check|below 200 Hz|Hz, below)")
@pytest.mark.parametrize("sfreq", [100.7, 99.9, 200.2])
def test_a_window_no_length_resamples_to_is_cropped_not_zero_padded(model, sfreq):
    """At 100.7 Hz no number of samples resamples to 1024 at 256 Hz (402 give 1022, 403
    give 1025): the stream's windows took 402 and zero-padded the last 2, a step from a
    channel's 3 mV offset to 0 in the last patch (4e-2 relative off the whole recording's
    embedding), and model.embed refused epochs of either length (tail="pad" padded 402
    alike). Now the window takes 403 and crops the resampled one to 1024, as model.embed
    crops such epochs."""
    config = PreprocessingConfig(average_reference=False)  # the offsets stay
    x = _signal(int(sfreq * 13), sfreq, seed=5) + 3000.0  # µV: a 3 mV offset
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", preprocessing=config, warm_up=False)
    seen, encode = [], online.engine.encode
    online.engine.encode = lambda w, c, **k: (seen.append(np.array(w)), encode(w, c, **k))[1]
    got = online.push(x)
    length = online.window_length
    assert length == math.ceil(4 * sfreq) and just_over_window(length, sfreq, config)
    inputs = np.concatenate(seen)  # millivolts, [windows, channels, 1024]
    assert inputs.shape[-1] == 1024 and np.abs(inputs[..., -3:] - 3).max() < 0.2  # no 0s
    starts = [online.window_start(k) for k in range(len(got))]
    epochs = np.stack([x[:, s : s + length] for s in starts])
    as_epochs = embed(model, epochs, ch_names=NAMES, sfreq=sfreq, units="uV", preprocessing=config)
    np.testing.assert_allclose(got.data, as_epochs.data, rtol=1e-5, atol=1e-6)
    whole = embed(model, x, ch_names=NAMES, sfreq=sfreq, units="uV", preprocessing=config)
    np.testing.assert_allclose(got.onsets, whole.onsets[: len(got)], atol=1 / sfreq)
    off = np.abs(got.data - whole.data[: len(got)]).max() / np.abs(whole.data).max()
    assert off < 1e-2  # the README's range of a resampled stream against the whole recording


def test_a_first_window_all_flat_is_warned_about_not_refused(model):
    """A live session whose electrodes are all flat in the first window (not settled yet)
    goes on, with the flat channel warning: only recordings read whole are refused."""
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV")
    with pytest.warns(RuntimeWarning, match=r"flat channel\(s\) check"):
        first = online.push(np.zeros((len(NAMES), 1024)))
    assert len(first) == 1


def test_channels_checks_reset_and_errors(model):
    names = [*NAMES, "ECG", "A1"]
    x = np.vstack([_signal(256 * 9, 256.0), np.zeros((1, 256 * 9)), np.ones((1, 256 * 9))])
    x[3] = 0.0  # Cz flat
    with pytest.warns(RuntimeWarning, match="dropped"):
        online = OnlineEmbedder(model, names, 256.0, units="uV")
    assert "ECG" not in online.mapping.input_names
    with pytest.warns(RuntimeWarning, match=r"flat channel\(s\) check: \['Cz'\]"):
        first = online.push(x[:, :1024])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # checked once: no repeat for every window
        later = online.push(x[:, 1024:])
    assert len(first) == 1 and len(later) == 1 and later.onsets.tolist() == [4.0]
    assert "ECG" in first.metadata["channels"]["dropped"]
    online.reset()
    assert online.n_samples_pushed == 0 and online.push(x[:, :1500]).onsets.tolist() == [0.0]
    with pytest.raises(ValueError, match=r"\[n_channels, n_times\] with the 9 channels"):
        online.push(x[:7])
    bad = x[:, :1024].copy()
    bad[0, 5] = np.nan
    with pytest.raises(ValueError, match=r"NaN/Inf samples in channel\(s\) \['Fp1'\]; it was not"):
        online.push(bad)
    assert online.n_samples_pushed == 1500  # refused whole: the stream goes on without it
    assert online.push(x[:, :1024]).onsets.tolist() == [4.0]
    counts = np.round(x[:, :1024]).astype(np.int16)  # integer samples, in microvolts here
    assert len(online.push(counts)) == 1
    in_volts = OnlineEmbedder(model, NAMES, 256.0)  # the default unit, volts: no integers
    with pytest.raises(RecordingError, match=r"integers \(int16\) taken as volts .*units='uV'"):
        in_volts.push(counts[: len(NAMES)])
    assert OnlineEmbedder(model, NAMES, np.float32(256)).sfreq == 256.0
    with pytest.raises(RecordingError, match="<stream>: sfreq must be a positive number"):
        OnlineEmbedder(model, NAMES, True)
    with pytest.raises(TypeError, match="a list of channel names, not the single str 'Cz'"):
        OnlineEmbedder(model, "Cz", 256.0)
    with pytest.raises(ValueError, match=r"hop .* shorter than one sample at 250 Hz; make the "
                       r"overlap at most 3.996 s"):  # fmt: skip
        OnlineEmbedder(model, NAMES, 250.0, overlap=4 - 1 / 256)
    OnlineEmbedder(model, NAMES, 250.0, overlap=3.996)  # the advice works: a 1-sample hop
    with pytest.raises(ValueError, match=r"is 24.9 samples at the stream's 249 Hz and 25.6 at the "
                       r"model's 256 Hz; it must be whole at one of them: e.g. overlap "):  # fmt: skip
        OnlineEmbedder(model, NAMES, 249.0, overlap=3.9)
    with pytest.raises(ValueError, match="units must be one of"):
        OnlineEmbedder(model, NAMES, 256.0, units="microvolts")
    projected = EEGPT(model.config, chan_proj=(7, 4), n_outputs=2, n_times=1024)
    projected.target_encoder = model.target_encoder
    with pytest.raises(ValueError, match="not on a model with a channel projection"):
        OnlineEmbedder(model, NAMES, 256.0, engine=InferenceEngine(projected))
    other = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2))
    with pytest.raises(ValueError, match="engine was built on another model"):
        OnlineEmbedder(model, NAMES, 256.0, engine=InferenceEngine(other))


def test_integer_samples_in_microvolts_are_warned_of_once_naming_a_scale(model):
    """int16 ADC counts pushed with units='uV' were taken silently as 1 count = 1 uV (10 times
    too large at a 0.1 uV resolution): the first integer chunk warns, naming a scale; later
    ones, float chunks and a reset() do not warn again, and the samples are taken as given."""
    x = _signal(256 * 6, 256.0)
    counts = np.round(x / 0.1).astype(np.int16)  # 0.1 uV a count
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", warm_up=False, device="cpu")
    with pytest.warns(EEGPTWarning) as record:
        online.push(counts[:, :500])
    said = [str(w.message) for w in record if "integers" in str(w.message)]
    assert len(said) == 1
    assert re.search(r"integers \(int16\) taken as uV \(units='uV'\): one count is 1 uV\. If "
                     r"they are an amplifier's ADC counts, scale them .*push\(counts \* 0\.1\)",
                     said[0])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emb = online.push(counts[:, 500:])
        online.reset()
        online.push(counts[:, :1100])
        online.push(x[:, :10])
    floats = OnlineEmbedder(model, NAMES, 256.0, units="uV", warm_up=False, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = floats.push(counts.astype(np.float64))
    np.testing.assert_array_equal(emb.data, same.data)


def test_integer_samples_in_microvolts_are_warned_of_offline_as_online(model):
    """int16/int32 counts taken as microvolts were warned of by push only: eegpt.embed and
    model.embed of the same array (and the estimators) took them silently, 1 count as 1 uV.
    One check warns of them wherever an array comes in, naming how to scale them there; in
    volts every path refuses them."""
    from eegpt.sklearn import EEGPTEmbedder

    x = _signal(256 * 4, 256.0)
    for dtype in (np.int16, np.int32):
        counts = np.round(x / 0.1).astype(dtype)
        online = OnlineEmbedder(model, NAMES, 256.0, units="uV", warm_up=False)
        calls = {  # each path, and how its advice scales the counts
            r"push\(counts": lambda c=counts, o=online: o.push(c),
            r"embed\(counts": lambda c=counts: embed(model, c, ch_names=NAMES, sfreq=256.0,
                                                     units="uV"),
            r"embed\(counts ": lambda c=counts: model.embed(c, ch_names=NAMES, sfreq=256.0,
                                                        units="uV"),
            r"X": lambda c=counts: EEGPTEmbedder(
                model, ch_names=NAMES, sfreq=256.0, units="uV").fit(c[None]).transform(c[None]),
        }  # fmt: skip
        for scaled, call in calls.items():
            with pytest.warns(EEGPTWarning) as record:
                call()
            said = [str(w.message) for w in record if "integers" in str(w.message)]
            assert said, scaled
            assert re.search(rf"integers \({np.dtype(dtype).name}\) taken as uV \(units='uV'\): "
                             r"one count is 1 uV\. If they are an amplifier's ADC counts, scale "
                             rf"them by its resolution first, e\.g\. {scaled.strip()} \* 0\.1",
                             said[0]), said[0]  # fmt: skip
        with pytest.raises(RecordingError, match=r"integers \(int\d+\) taken as volts"):
            embed(model, counts, ch_names=NAMES, sfreq=256.0)


def test_channel_labels_are_one_per_channel(model):
    """channel_labels name a missing channel of channels as training labelled it, by place:
    labels of another length named C3 by another channel's label (rename={'EEG Fz-REF':
    None} for a stream lacking C3), and without channels they were ignored; both refused."""
    names = ["Fz", "Cz", "Pz"]
    with pytest.raises(ValueError, match=r"2 label\(s\) for 3 channels: give one label per"):
        OnlineEmbedder(model, names, 256.0, channels=["C3", "FZ", "CZ"],
                       channel_labels=["EEG Fz-REF", "EEG Cz-REF"], warm_up=False)  # fmt: skip
    with pytest.raises(ValueError, match="channel_labels were given without channels"):
        OnlineEmbedder(model, names, 256.0, channel_labels=["EEG Fz-REF"], warm_up=False)
    with pytest.raises(ValueError, match=re.escape("rename={'EEG C3-REF': None}")):
        OnlineEmbedder(model, names, 256.0, channels=["C3", "FZ", "CZ"], warm_up=False,
                       channel_labels=["EEG C3-REF", "EEG Fz-REF", "EEG Cz-REF"])  # fmt: skip


def test_hops_in_whole_stream_samples_stale_windows_and_failures(model):
    """A 0.1 s hop at 250 Hz (25 samples; 25.6 at 256 Hz) is a hop in stream samples, each
    window still one epoch; skip_stale keeps the latency bounded; a failure in a later block
    of a catch-up push loses no window; empty pushes carry the same metadata keys."""
    x = _signal(250 * 6, 250.0, seed=4)
    online = OnlineEmbedder(model, NAMES, 250.0, units="uV", overlap=3.9, batch_size=4)
    got = online.push(x)
    assert len(got) == 21 and np.allclose(np.diff(got.onsets), 0.1)  # (6 - 4) / 0.1 + 1
    starts = [online.window_start(k) for k in range(21)]
    assert starts[:3] == [0, 25, 50]
    epochs = np.stack([x[:, s : s + online.window_length] for s in starts])
    reference = embed(model, epochs, ch_names=NAMES, sfreq=250.0, units="uV")
    np.testing.assert_allclose(got.data, reference.data, rtol=1e-5, atol=1e-6)
    assert got.metadata["preprocessing"]["overlap"] == 3.9

    stale = OnlineEmbedder(model, NAMES, 250.0, units="uV", overlap=3.9, skip_stale=True)
    newest = stale.push(x)
    assert newest.onsets.tolist() == [2.0] and newest.metadata["window_index"] == [20]
    assert stale.n_skipped == 20 and stale.n_windows == 21
    np.testing.assert_allclose(newest.data, reference.data[-1:], rtol=1e-5, atol=1e-6)
    assert stale.push(x[:, :30]).onsets.tolist() == [2.1]  # one more hop: nothing skipped

    calls = []
    engine = online.engine
    failing = OnlineEmbedder(model, NAMES, 250.0, units="uV", overlap=3.9, engine=engine)
    failing._block = 8
    original = engine.encode

    def second_call_fails(windows, chan_ids, **kwargs):
        calls.append(len(windows))
        if len(calls) == 2:
            raise RuntimeError("CUDA out of memory (simulated)")
        return original(windows, chan_ids, **kwargs)

    engine.encode = second_call_fails
    try:
        with pytest.raises(RuntimeError, match="simulated"):
            failing.push(x)
        again = failing.push(x[:, :0])
    finally:
        engine.encode = original
    assert again.metadata["window_index"] == list(range(21))  # none lost, none twice
    np.testing.assert_allclose(again.data, reference.data, rtol=1e-5, atol=1e-6)

    empty = failing.push(x[:, :0])
    assert set(empty.metadata) >= {"channels", "preprocessing", "model", "window_index"}
    assert empty.metadata["window_index"] == []

    # a loss declared after a failed push (skip, or a push's timestamp past the samples): the
    # windows complete before it were cleared and counted lost; they are embedded, returned
    for how in ("skip", "timestamp"):
        calls.clear()
        lossy = OnlineEmbedder(model, NAMES, 250.0, units="uV", overlap=3.9, engine=engine)
        lossy._block = 8
        lossy.push(x[:, :10], timestamp=0.0)
        engine.encode = second_call_fails
        try:
            with pytest.raises(RuntimeError, match="simulated"):
                lossy.push(x[:, 10:])  # 21 windows complete, 8 embedded
            with pytest.warns(RuntimeWarning, match=r"0.4 s \(100 samples\) lost at 6 s; 43 "):
                if how == "skip":
                    lossy.skip(100)
                    after = lossy.push(x[:, :0])
                else:  # a suspect gap, confirmed by the next timestamp
                    after = lossy.push(x[:, :0], timestamp=6.4)
                    assert lossy.push(x[:, :0], timestamp=6.4).metadata["window_index"] == []
        finally:
            engine.encode = original
        assert after.metadata["window_index"] == list(range(21)), how
        np.testing.assert_allclose(after.data, reference.data, rtol=1e-5, atol=1e-6)
        assert lossy.n_lost == 43 and lossy.n_windows == 64  # those starting before 6.4 s


def test_an_approximated_resampling_ratio_is_said_once(model):
    x = _signal(int(333.33 * 10), 333.33, seed=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        online = OnlineEmbedder(model, NAMES, 333.33, units="uV", overlap=3.0)
        assert len(online.push(x)) == 7
    ratio = [w for w in caught if "uses the ratio" in str(w.message)]
    assert len(ratio) == 1 and str(ratio[0].message).startswith("<stream>: resampling")


def test_the_windows_are_prepared_without_the_ratio_warning_not_under_a_filter(model, monkeypatch):
    """The windows after init are prepared with prepare's warn_ratio=False (the ratio was said
    at init), not under a filter on the warning's text: another warning whose text reads like
    it is still given."""
    import eegpt.online
    import eegpt.preprocessing

    def prepare(*args, **kwargs):
        assert kwargs["warn_ratio"] is False
        warnings.warn(
            "another resampling step uses the ratio it was given", RuntimeWarning, stacklevel=2
        )
        return eegpt.preprocessing.prepare(*args, **kwargs)

    monkeypatch.setattr(eegpt.online, "prepare", prepare)
    with pytest.warns(RuntimeWarning, match="<stream>: resampling"):
        online = OnlineEmbedder(model, NAMES, 333.33, units="uV")
    with pytest.warns(RuntimeWarning, match="another resampling step") as caught:
        assert len(online.push(_signal(int(333.33 * 8), 333.33, seed=5))) == 2
    assert not any(str(w.message).startswith("<stream>: resampling") for w in caught)
    rec = Recording(_signal(3333, 333.33)[None, :, :1333] * 1e-6, NAMES, 333.33)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eegpt.preprocessing.prepare(rec, warn_ratio=False)


def test_mne_objects_given_where_names_or_samples_belong_and_verbose_error(model):
    """A Raw (or its Info) given as ch_names, or pushed as a chunk, is a TypeError that says
    what to pass (the Raw picked as model.embed picks it: its bads, named, would be used); a chunk of samples x channels (Lab Streaming Layer's layout) is said to look
    transposed, one sample (pull_sample's) to be pushed as a column; verbose="error" silences the embedder's warnings, as for embed()."""
    import mne

    names = ["Fz", "Cz", "Pz", "VEOG"]
    raw = mne.io.RawArray(np.zeros((4, 512)), mne.create_info(names, 256.0, "eeg"), verbose=False)
    for given in (raw, raw.info):
        with pytest.raises(TypeError, match=r"pass raw.ch_names \(and sfreq=raw.info") as err:
            OnlineEmbedder(model, given, sfreq=256.0, warm_up=False)
        assert "raw = raw.copy().pick('eeg', exclude='bads')" in str(err.value)
        assert "its bads" not in str(err.value)
    raw.info["bads"] = ["Cz"]  # raw.ch_names holds it: the embedder would use it
    with pytest.raises(TypeError, match=r"its bads: \['Cz'\], which raw.ch_names holds"):
        OnlineEmbedder(model, raw, sfreq=256.0, warm_up=False)
    with pytest.raises(TypeError, match="list of channel names .str., got 1 of type int"):
        OnlineEmbedder(model, ["Fz", 3], sfreq=256.0, warm_up=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        online = OnlineEmbedder(model, names, sfreq=256.0, warm_up=False, verbose="error")
    with pytest.raises(TypeError, match=r"push\(raw.get_data\(start=..., stop=...\)\)"):
        online.push(raw)
    with pytest.raises(RecordingError, match="looks transposed .* push chunk.T"):
        online.push(np.zeros((100, 4)))
    with pytest.raises(RecordingError, match=r"one sample .* pull_sample .*\[:, None\]\)"):
        online.push(np.zeros(4))  # one sample of the 4 channels: a column, not refused bare
    assert online.n_samples_pushed == 0
    pd = pytest.importorskip("pandas")  # its column labels were ignored: channels swapped
    df = pd.DataFrame(np.zeros((100, 4)), columns=names)
    for chunk in (df, df[names[::-1]].T):
        with pytest.raises(RecordingError, match=r"a DataFrame .* push\(df\[on\.ch_names\]"):
            online.push(chunk)
    with warnings.catch_warnings():  # a gap declared: silent too (skip was not)
        warnings.simplefilter("error")
        online.skip(seconds=0.5)
        online.push(np.zeros((4, 10)), timestamp=100.0)
        online.push(np.zeros((4, 10)), timestamp=101.0)  # a gap by its timestamp
        online.push(np.zeros((4, 10)), timestamp=101.0 + 10 / 256)  # confirmed by the next
    assert online.n_samples_pushed == 128 + 30 + 246
    with pytest.warns(RuntimeWarning, match="VEOG"):  # without verbose="error": warned
        loud = OnlineEmbedder(model, names, sfreq=256.0, warm_up=False)
    with pytest.warns(RuntimeWarning, match="lost at 0 s"):
        loud.skip(seconds=0.5)


def test_push_and_embed_refuse_a_masked_array_with_masked_samples(model):
    """push (and embed) of a NumPy masked array dropped its mask without a word: the values
    under it were embedded. One with masked samples is refused with what to do, adding
    nothing; one with none masked is taken as its values."""
    x = _signal(1100, 256.0) * 1e-6  # volts (the default unit); a 4 s window and more
    online = OnlineEmbedder(model, NAMES, sfreq=256.0, warm_up=False)
    expected = online.push(x).data
    masked = np.ma.masked_array(x.copy(), mask=np.zeros(x.shape, bool))
    masked[1, 100:200] = np.ma.masked
    online = OnlineEmbedder(model, NAMES, sfreq=256.0, warm_up=False)
    with pytest.raises(RecordingError, match=r"masked array with 100 of \d+ samples masked.*"
                       r"x\.filled\(value\).*skip\(n\)"):  # fmt: skip
        online.push(masked)
    assert online.n_samples_pushed == 0
    with pytest.raises(RecordingError, match=r"masked array with 100 of"):
        embed(model, masked, ch_names=NAMES, sfreq=256.0)
    unmasked = np.ma.masked_array(x, mask=False)
    np.testing.assert_array_equal(online.push(unmasked).data, expected)


@pytest.mark.parametrize("stream", [False, True])
def test_an_mne_raw_made_from_a_masked_array_with_masked_samples_is_refused(model, stream):
    """mne.io.RawArray keeps the mask of a masked array it is made from (raw.get_data()
    returns a masked array): embed(model, raw) dropped it and embedded the values under it,
    held whole or streamed. One with masked samples is refused saying how to make it; one
    with none masked gives the embeddings of its values."""
    import mne

    x = _signal(1100, 256.0) * 1e-6  # volts; a 4 s window and more
    info = mne.create_info(NAMES, 256.0, "eeg")
    masked = np.ma.masked_array(x.copy(), mask=np.zeros(x.shape, bool))
    masked[1, 100:200] = np.ma.masked
    raw = mne.io.RawArray(masked, info, verbose=False)
    assert isinstance(raw.get_data(), np.ma.MaskedArray)  # what MNE does: the mask is kept
    with pytest.raises(RecordingError, match=r"masked array with 100 of \d+ samples masked.*"
                       r"x\.filled\(value\)"):  # fmt: skip
        embed(model, raw, stream=stream)
    plain = embed(model, mne.io.RawArray(x, info, verbose=False), stream=stream)
    none_masked = mne.io.RawArray(np.ma.masked_array(x, mask=False), info, verbose=False)
    np.testing.assert_array_equal(embed(model, none_masked, stream=stream).data, plain.data)


def test_push_takes_a_cpu_tensor_or_a_list_and_refuses_samples_that_are_no_real_numbers(model):
    """push of a torch tensor ended in NumPy's "Cannot interpret 'torch.float32' as a data
    type"; bool, complex or text samples were taken without a word (True as 1 V, the real
    part, the numbers written as text) and None said "got shape ()". A tensor on the CPU
    (bfloat16 too) and a list give the array's embeddings; the rest is refused with what to do,
    adding nothing."""
    x = _signal(1100, 256.0) * 1e-6  # volts (the default unit); a 4 s window and more

    def pushed(chunk):
        online = OnlineEmbedder(model, NAMES, sfreq=256.0, warm_up=False)
        return online.push(chunk).data

    expected = pushed(x)
    assert len(expected) > 0
    tensor = torch.from_numpy(x)
    for given in (tensor, tensor.float(), x.tolist()):
        np.testing.assert_allclose(pushed(given), expected, rtol=1e-5, atol=1e-5)
    assert pushed(tensor.bfloat16()).shape == expected.shape
    online = OnlineEmbedder(model, NAMES, sfreq=256.0, warm_up=False)
    for chunk in (x > 0, x.astype(complex), x.astype(str), x.astype(object)):
        with pytest.raises(RecordingError, match=r"samples must be real numbers.*got dtype"):
            online.push(chunk)
    with pytest.raises(RecordingError, match=r"an array \[n_channels, n_times\].*got None"):
        online.push(None)
    with pytest.raises(TypeError, match=r"push runs without autograd.*x\.detach\(\)"):
        online.push(tensor.clone().requires_grad_())
    on_gpu = torch.empty(x.shape, device="meta")  # not on the CPU, as a CUDA tensor is not
    with pytest.raises(TypeError, match=r"on the CPU, got a tensor on meta: push\(chunk\.cpu"):
        online.push(on_gpu)
    assert online.n_samples_pushed == 0


def test_the_pushes_joined_into_one_embeddings(model, tmp_path):
    """Embeddings.concatenate joins the windows of successive pushes (to save them as one),
    the same as pushing everything at once; parts of other recordings are refused."""
    from eegpt.outputs import Embeddings, load_embeddings

    x = _signal(256 * 20, 256.0)
    online = OnlineEmbedder(  # on the CPU: bit for bit whatever the batches
        model, NAMES, sfreq=256.0, units="uV", overlap=2.0, warm_up=False, device="cpu"
    )
    parts = _push_in_chunks(online, x)
    joined = Embeddings.concatenate(parts)
    online.reset()
    whole = online.push(x)
    np.testing.assert_array_equal(joined.data, whole.data)
    np.testing.assert_array_equal(joined.onsets, whole.onsets)
    assert joined.metadata["window_index"] == whole.metadata["window_index"] == list(range(9))
    saved = load_embeddings(joined.save(tmp_path / "session.npz"))
    np.testing.assert_array_equal(saved.data, whole.data)
    other = OnlineEmbedder(model, NAMES[:3], sfreq=256.0, units="uV", warm_up=False, device="cpu")
    with pytest.raises(ValueError, match="part 1 differs from part 0 in channels"):
        Embeddings.concatenate([whole, other.push(x[:3])])
    with pytest.raises(ValueError, match="at least one"):
        Embeddings.concatenate([])
    # called on an instance with one part (a class method: it gave that part back alone)
    with pytest.raises(TypeError, match=r"one Embeddings.*Embeddings.concatenate\(\[a, b\]\)"):
        joined.concatenate(whole)
    with pytest.raises(TypeError, match="part 1 is ndarray"):
        Embeddings.concatenate([whole, whole.data])


def test_parts_of_streams_apart_are_kept_apart_when_joined(model, tmp_path):
    """Pushes before and after reset() are of two streams, each counting its windows from 0:
    joining them is refused with advice to keep the streams apart (it said to join disjoint
    selections, emb[:5] and emb[5:], which they are not); one stream's window twice is still
    refused with that advice, and each stream's pushes join and save."""
    from eegpt.outputs import Embeddings

    x = _signal(256 * 12, 256.0)
    online = OnlineEmbedder(
        model, NAMES, sfreq=256.0, units="uV", overlap=2.0, warm_up=False, device="cpu"
    )
    before = [online.push(x[:, :1500]), online.push(x[:, 1500:])]
    online.reset()
    after = online.push(x)
    with pytest.raises(ValueError, match=r"part 2 and part 0 come from different streams "
                       r"\(an OnlineEmbedder's reset\(\).*Keep the streams apart") as info:  # fmt: skip
        Embeddings.concatenate([*before, after])
    assert "disjoint" not in str(info.value)
    with pytest.raises(ValueError, match=r"Join disjoint selections"):
        Embeddings.concatenate([after, after[:2]])
    joined = Embeddings.concatenate(before)
    assert joined.metadata["window_index"] == after.metadata["window_index"]
    assert joined.metadata["stream_id"] != after.metadata["stream_id"]
    joined.save(tmp_path / "first.npz")


def test_embeddings_recorded_before_detrend_join_new_ones(model, tmp_path):
    """An embeddings file whose preprocessing record lacks ``detrend`` (written before it was
    recorded always: no detrending) joins one that records ``"none"``; one recording another
    detrending is still refused."""
    from eegpt.outputs import Embeddings, load_embeddings

    x = _signal(256 * 12, 256.0)
    online = OnlineEmbedder(model, NAMES, sfreq=256.0, units="uV", warm_up=False, device="cpu")
    first, second = online.push(x[:, : 256 * 6]), online.push(x[:, 256 * 6 :])
    assert first.metadata["preprocessing"]["detrend"] == "none"
    old_record = {k: v for k, v in first.metadata["preprocessing"].items() if k != "detrend"}
    old = Embeddings(first.data, first.onsets, {**first.metadata, "preprocessing": old_record})
    old = load_embeddings(old.save(tmp_path / "old.npz"))
    assert "detrend" not in old.metadata["preprocessing"]
    joined = Embeddings.concatenate([old, second])
    assert len(joined) == len(first) + len(second)
    assert Embeddings.concatenate([second, old]).metadata["window_index"] == [
        *second.metadata["window_index"],
        *first.metadata["window_index"],
    ]
    linear = {**second.metadata["preprocessing"], "detrend": "linear"}
    other = Embeddings(second.data, second.onsets, {**second.metadata, "preprocessing": linear})
    with pytest.raises(ValueError, match="part 1 differs from part 0 in preprocessing"):
        Embeddings.concatenate([old, other])


def test_a_two_channel_stream_warns_once_about_the_reference(model):
    """Two channels under the average reference: said when the embedder is made, not again
    for its first window."""
    with pytest.warns(RuntimeWarning, match="of 2 channels"):
        online = OnlineEmbedder(model, ["Fpz", "Pz"], 256.0, units="uV", warm_up=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(online.push(_signal(1024, 256.0)[:2])) == 1


def test_a_single_channel_stream_needs_average_referencing_off(model):
    """Average referencing, the default, has no average of one channel: refused when the
    embedder is made, saying how to turn it off; off, the channel is embedded."""
    advice = r"needs at least 2; got 1\..*preprocessing=PreprocessingConfig\(average_referen"
    with pytest.raises(RecordingError, match=advice) as err:
        OnlineEmbedder(model, ["Cz"], 256.0, units="uV", warm_up=False)
    assert "embed(..., average_reference=False)" not in str(err.value)  # no such keyword here
    off = PreprocessingConfig(average_reference=False)
    online = OnlineEmbedder(model, ["Cz"], 256.0, units="uV", preprocessing=off, warm_up=False)
    assert len(online.push(_signal(1024, 256.0)[:1])) == 1


def test_keep_gives_a_stream_the_channel_set_of_a_kept_recording(model):
    """keep= restricts the stream to the channels kept, as embedding a recording of those
    channels alone does (the average reference over them only), and records the set."""
    x = _signal(256 * 9, 256.0)
    kept = ["Fp1", "Cz", "O2"]
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", keep=kept, batch_size=4)
    data = np.concatenate([p.data for p in _push_in_chunks(online, x)])
    rows = [NAMES.index(name) for name in kept]
    alone = embed(model, x[rows], ch_names=kept, sfreq=256.0, units="uV")
    assert online.mapping.names == ("FP1", "CZ", "O2")
    assert online.mapping.not_kept == ("Fp2", "C3", "C4", "O1")
    np.testing.assert_allclose(data, alone.data, rtol=1e-5, atol=1e-6)


def test_a_start_skips_the_streams_first_seconds(model):
    """PreprocessingConfig.start_seconds was ignored by a stream (with a warning per push that
    it does not apply to epochs): the first window now starts that long after the first
    sample, as in the recording embedded whole, onsets counting from the first sample."""
    x = _signal(256 * 15, 256.0)
    pre = PreprocessingConfig(start_seconds=3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning that the start does not apply
        online = OnlineEmbedder(model, NAMES, 256.0, units="uV", preprocessing=pre, overlap=1.0)
        parts = _push_in_chunks(online, x)
    whole = embed(model, x, ch_names=NAMES, sfreq=256.0, units="uV", preprocessing=pre,
                  overlap=1.0)  # fmt: skip
    onsets = np.concatenate([p.onsets for p in parts])
    np.testing.assert_array_equal(onsets, [3.0, 6.0, 9.0])
    np.testing.assert_array_equal(onsets, whole.onsets)
    data = np.concatenate([p.data for p in parts])
    np.testing.assert_allclose(data, whole.data, rtol=1e-5, atol=1e-6)
    assert [p for p in parts if len(p)][-1].metadata["preprocessing"]["start_seconds"] == 3.0
    # at another rate: the start in the stream's samples (2.5 s: 1250 at 500 Hz)
    x500 = _signal(500 * 10, 500.0)
    online = OnlineEmbedder(model, NAMES, 500.0, units="uV",
                            preprocessing=PreprocessingConfig(start_seconds=2.5))  # fmt: skip
    assert online.window_start(0) == 1250 and online.window_start(1) == 3250
    np.testing.assert_array_equal(online.push(x500).onsets, [2.5])


def test_a_start_off_the_streams_samples_is_refused(model):
    """start_seconds=3.00390625 (769 samples at 256 Hz) on a 100 Hz stream was rounded to
    300 stream samples: the onsets said 3.0 s (embed's 3.00390625), the embeddings differed
    from embed's, and the metadata recorded 3.00390625. Such a start is refused, naming one
    that is whole samples at both rates; one that is gives embed's onsets."""
    pre = PreprocessingConfig(start_seconds=3.00390625)
    narrow = r"<stream>: the sampling rate is 100 Hz.*band from 50 to 128 Hz is empty"
    with (
        pytest.warns(EEGPTWarning, match=narrow),  # a 100 Hz stream: warned of when made
        pytest.raises(ValueError, match=r"is 300\.390625 samples at the stream's 100 Hz.*"
                                        r"such as 3 s \(a multiple of 0\.25 s\)"),
    ):  # fmt: skip
        OnlineEmbedder(model, NAMES, 100.0, units="uV", preprocessing=pre, warm_up=False)
    x = _signal(100 * 12, 100.0)
    pre = PreprocessingConfig(start_seconds=3.25)
    with pytest.warns(EEGPTWarning, match=narrow):
        online = OnlineEmbedder(model, NAMES, 100.0, units="uV", preprocessing=pre, warm_up=False)
        whole = embed(model, x, ch_names=NAMES, sfreq=100.0, units="uV", preprocessing=pre)
    np.testing.assert_array_equal(online.push(x).onsets, whole.onsets)


def test_a_start_past_100_s_off_the_grid_names_a_start_that_is_taken(model):
    """start_seconds=3600.3 on a 256 Hz stream: the refusal named embed's start and the one
    to give with 10 digits, 3600.300781 s, which is no sample (921676.9999 at 256 Hz) and was
    refused in turn; both are written in full (3600.30078125), and the one named is taken."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the move: not this test's
        pre = PreprocessingConfig(start_seconds=3600.3)
        with pytest.raises(ValueError) as raised:
            OnlineEmbedder(model, NAMES, 256.0, units="uV", preprocessing=pre, warm_up=False)
    text = str(raised.value)
    assert "it starts them at 3600.30078125 s" in text
    assert "such as 3600.30078125 s (a multiple of 0.00390625 s)" in text
    named = PreprocessingConfig(start_seconds=float(text.split("such as ")[1].split(" s")[0]))
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", preprocessing=named, warm_up=False)
    assert online.window_start(0) == 921677


def test_a_start_whole_at_the_stream_but_moved_at_the_model_rate_is_judged_as_given(model):
    """start_seconds=17.3 on a 100 Hz stream (1730 stream samples, 4428.8 at 256 Hz): the
    config moved it to 17.30078125 s before the stream read it, and the refusal said "17.30078125
    s is 1730.078125 samples at the stream's 100 Hz", a start the user never gave. It judges
    17.3, saying that embed starts at 17.30078125 s, and names a start whole at both rates."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the move and the 100 Hz band: not this test's
        pre = PreprocessingConfig(start_seconds=17.3)
        with pytest.raises(ValueError) as raised:
            OnlineEmbedder(model, NAMES, 100.0, units="uV", preprocessing=pre, warm_up=False)
    text = str(raised.value)
    assert "1730.078125" not in text and "start_seconds=17.3 s is 4428.8 samples" in text
    assert "it starts them at 17.30078125 s" in text and "1730 samples at the stream's" in text
    assert "such as 17.25 s (a multiple of 0.25 s)" in text
    # a copy (dataclasses.replace) judges the same start: it judged the moved one, as given
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError) as raised:
            OnlineEmbedder(model, NAMES, 100.0, units="uV", warm_up=False,
                           preprocessing=dataclasses.replace(pre, detrend="linear"))  # fmt: skip
    assert str(raised.value) == text
    assert pre.start_seconds == 17.3 and pre.grid_start_seconds == 17.30078125  # as given


@pytest.mark.parametrize("sfreq", [128.0, 256.0, 500.0])
def test_a_slow_stream_is_warned_of_once_when_made(model, sfreq):
    """A 128 Hz stream got check_rate's warning (the band from 64 to 128 Hz empty after
    upsampling, as a 128 Hz file does) at every push, none when made: it now comes once,
    when the embedder is made, and no push repeats it. 256 and 500 Hz streams get none."""
    x = _signal(int(sfreq * 13), sfreq)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
        made = [str(w.message) for w in caught]
        for i in range(0, x.shape[1], int(sfreq * 2)):
            online.push(x[:, i : i + int(sfreq * 2)])
        rate = [str(w.message) for w in caught if "the sampling rate is" in str(w.message)]
    assert online.n_windows == 3
    if sfreq < 200:
        assert len(made) == len(rate) == 1, rate
        assert rate[0].startswith("<stream>: the sampling rate is 128 Hz, so after upsampling")
        assert "the band from 64 to 128 Hz is empty" in rate[0]
    else:
        assert made == rate == []


def test_a_push_while_another_runs_is_refused_not_lost(model):
    """Two threads pushing at once would scramble the stream (windows were lost silently): the
    second call raises, and the first completes its windows."""
    import threading

    x = _signal(256 * 5, 256.0, seed=8)
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", warm_up=False)
    entered, release, original = _held_encode(online)
    results = []
    worker = threading.Thread(target=lambda: results.append(online.push(x[:, :1024])))
    worker.start()
    try:
        assert entered.wait(10)
        with pytest.raises(RuntimeError, match=r"another thread.*Push from one thread, or "
                           r"serialize the calls"):  # fmt: skip
            online.push(x[:, 1024:])
        with pytest.raises(RuntimeError, match="OnlineEmbedder.reset was called while"):
            online.reset()
    finally:
        release.set()
        worker.join(10)
        online.engine.encode = original
    assert len(results) == 1 and len(results[0]) == 1
    assert online.n_samples_pushed == 1024  # the refused chunk was not added
    assert online.push(x[:, 1024:]).onsets.tolist() == []  # and the stream goes on


@pytest.mark.parametrize("how", ["timestamp", "skip"])
def test_onsets_after_lost_samples_stay_in_stream_time(model, how):
    """0.5 s lost at 10 s (a dropped LSL chunk): the windows holding lost samples are left
    out and the later ones are those of the whole signal, same onsets, same embeddings."""
    sfreq, x = 250.0, _signal(250 * 20, 250.0, seed=9)
    whole = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=3.5, warm_up=False)
    full = whole.push(x)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=3.5, engine=whole.engine)
    lost = range(2500, 2625)
    parts, i, n_before, rng = [], 0, 0, np.random.default_rng(2)
    while i < x.shape[1]:
        n = int(rng.integers(10, 51))
        if i <= lost.start < i + n:
            n = lost.start - i  # the chunk ends where the loss begins
        if i == lost.start:
            if how == "skip":
                online.skip(len(lost))
            i = lost.stop
            continue
        # jitter within the tolerance, and within half a sample (2 ms): the size of a gap is
        # measured from one chunk's timestamp, so is as exact as that timestamp
        stamp = 1000.0 + i / sfreq + 0.001 * rng.standard_normal()
        if how == "timestamp" and i == lost.stop:
            # held back: a suspect gap, which the next timestamp confirms
            parts.append(online.push(x[:, i : i + n], timestamp=stamp))
            assert online.n_samples_pushed == lost.start
        elif how == "timestamp" and i - n_before == lost.stop:
            with pytest.warns(Warning, match=r"0.5 s \(125 samples\) lost at 10 s; 8 "
                              r"window\(s\) that would hold them left out, the next starting "
                              r"at 10.5 s"):  # fmt: skip
                parts.append(online.push(x[:, i : i + n], timestamp=stamp))
        elif how == "skip" and i == lost.stop:
            parts.append(online.push(x[:, i : i + n]))
        else:
            parts.append(
                online.push(x[:, i : i + n], timestamp=stamp if how == "timestamp" else None)
            )
        i, n_before = i + n, n
    got = [p for p in parts if len(p)]
    onsets = np.concatenate([p.onsets for p in got])
    index = sum((p.metadata["window_index"] for p in got), [])
    keep = (full.onsets + 4 <= 10) | (full.onsets >= 10.5)
    np.testing.assert_array_equal(onsets, full.onsets[keep])
    assert index == np.flatnonzero(keep).tolist() and online.n_lost == 8
    np.testing.assert_allclose(
        np.concatenate([p.data for p in got]), full.data[keep], rtol=1e-5, atol=1e-6
    )
    if how == "timestamp":
        with pytest.raises(ValueError, match=r"before the previous chunk's .* not added"):
            online.push(x[:, :10], timestamp=1000.0)
    with pytest.raises(RecordingError, match=r"drop the chunk and call skip\(10\)"):
        online.push(np.full((len(NAMES), 10), np.nan))


@pytest.mark.parametrize("ppm", [50.0, -50.0])
def test_clock_drift_is_followed_not_taken_for_gaps(model, ppm):
    """The stamping clock 50 ppm off the amplifier's (an ordinary crystal's error) drifts 20 ms
    in 400 s: the clock anchored once took that for a gap (windows lost, later onsets shifted)
    every ~400 s. Followed, a 20-minute stream loses nothing; a real gap is still one."""
    sfreq, chunk = 250.0, 25
    n = int(sfreq * 60 * 20)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    rng = np.random.default_rng(5)
    lost = range(n // 2, n // 2 + 125)  # 0.5 s lost at 10 minutes
    onsets, warned = [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(0, n, chunk):
            if i in lost:
                continue
            # jitter under half a sample: the gap's size is measured from one timestamp
            stamp = 1000.0 + i / sfreq * (1 + ppm * 1e-6) + rng.normal(0, 0.001)
            x = rng.normal(0, 10, (len(NAMES), chunk))
            onsets.extend(online.push(x, timestamp=stamp).onsets)
        warned = [str(w.message) for w in caught]
    assert len(warned) == 1 and "0.5 s (125 samples) lost at 600 s" in warned[0], warned
    expected = np.arange(0, n / sfreq - 4 + 1e-9, 4.0)
    expected = expected[(expected + 4 <= 600) | (expected >= 600.5)]
    np.testing.assert_array_equal(onsets, expected)
    assert online.n_lost == 1


def test_jittered_timestamps_of_one_sample_chunks_are_not_refused(model):
    """One-sample pushes with 3 ms of jitter: a timestamp before the previous chunk's was
    refused as time going backwards (the chunk lost) and others taken for gaps. Within
    gap_tolerance they are jitter; a clock clearly going backwards is still refused."""
    sfreq, n = 250.0, 250 * 20
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    x, rng = _signal(n, sfreq, seed=6), np.random.default_rng(7)
    stamps = 50.0 + np.arange(n) / sfreq + np.abs(rng.normal(0, 0.003, n))
    assert (np.diff(stamps) < 0).sum() > 100  # many a stamp before the previous one
    onsets = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(n):
            onsets.extend(online.push(x[:, i : i + 1], timestamp=stamps[i]).onsets)
    assert onsets == [0.0, 4.0, 8.0, 12.0, 16.0] and online.n_lost == 0
    assert online.n_samples_pushed == n
    with pytest.raises(ValueError, match=r"clock went backwards.*not added.*reset\(\)"):
        online.push(x[:, :1], timestamp=stamps[-1] - 0.5)
    assert online.n_samples_pushed == n


def _stamped_stream(model, sfreq, chunk, stamps, x, drop=()):
    """Push ``x`` in chunks of ``chunk`` samples at ``stamps`` (one per chunk; the chunks
    starting at a sample in ``drop`` left out): the embedder, its onsets, the warnings."""
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=3.5, warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    onsets = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for j, i in enumerate(range(0, x.shape[1], chunk)):
            if i not in drop:
                onsets.extend(online.push(x[:, i : i + chunk], timestamp=stamps[j]).onsets)
    return online, onsets, [str(w.message) for w in caught]


@pytest.mark.parametrize(
    ("chunk", "jitter", "outlier"),
    [(50, 0.0, 0.03), (50, 0.0, -0.03), (25, 0.008, 0.0), (25, 0.012, 0.0)],
)
def test_jittered_or_outlier_timestamps_insert_no_samples(model, chunk, jitter, outlier):
    """One chunk stamped 30 ms late (100 ms chunks at 500 Hz) was a 15-sample gap: samples
    that never came inserted, a false warning, 8 windows lost and every later onset 30 ms
    late; one 30 ms early reset the clock, the next chunk then a gap. With 8 ms of Gaussian
    jitter (LSL without dejittering) hundreds of such samples piled up in 2 minutes, with
    12 ms the clock 'went backwards' (refused). A suspect is now confirmed by the next
    timestamp, and the tolerance grows with the jitter: the onsets are the stream's."""
    sfreq, n = 500.0, 500 * 120
    x, rng = _signal(n, sfreq, seed=11), np.random.default_rng(12)
    stamps = 100.0 + np.arange(0, n, chunk) / sfreq + rng.normal(0, jitter, n // chunk)
    stamps[200] += outlier
    online, onsets, warned = _stamped_stream(model, sfreq, chunk, stamps, x)
    assert warned == [] and online.n_lost == 0
    assert online.n_samples_pushed == n or (
        online._suspect is not None and online.n_samples_pushed == n - chunk
    )
    expected = np.arange(0, n / sfreq - 4 + 1e-9, 0.5)
    np.testing.assert_array_equal(onsets, expected[: len(onsets)])
    assert len(onsets) >= len(expected) - 1


@pytest.mark.parametrize("outlier", [0.03, -0.03, 0.1])
def test_one_outlier_timestamp_of_one_sample_chunks_is_neither_a_gap_nor_refused(model, outlier):
    """One-sample chunks at 250 Hz, one stamped 30 ms early: before the previous chunk's by
    more than gap_tolerance, it was refused as the clock going backwards (the sample lost).
    The next timestamp judges it an outlier, as a late one: nothing refused, warned or
    inserted, the onsets the stream's."""
    sfreq, n = 250.0, 250 * 10
    stamps = 5.0 + np.arange(n) / sfreq
    stamps[1000] += outlier
    online, onsets, warned = _stamped_stream(model, sfreq, 1, stamps, _signal(n, sfreq, seed=17))
    assert warned == [] and online.n_lost == 0 and online.n_samples_pushed == n
    assert onsets == np.arange(0, n / sfreq - 4 + 1e-9, 0.5).tolist()


def test_a_late_first_timestamp_is_not_taken_for_the_clock_going_backwards(model):
    """The first chunk stamped 0.5 s late (e.g. stamped on arrival after a start-up delay):
    the clock was set from that one timestamp, and the next chunk, 0.25 s before it, was
    refused as the clock going backwards (its samples lost, the stream stopped). A clock set
    from one timestamp is not trusted that far: the next one agreeing sets it, with a warning
    that says the first was late; nothing is inserted, the onsets the stream's."""
    sfreq, n, chunk = 256.0, 256 * 12, 64
    stamps = 10.0 + np.arange(0, n, chunk) / sfreq
    stamps[0] += 0.5
    online, onsets, warned = _stamped_stream(model, sfreq, chunk, stamps, _signal(n, sfreq))
    assert online.n_samples_pushed == n and online.n_lost == 0
    assert len(warned) == 1 and "the one timestamp the clock was set from was late" in warned[0]
    assert onsets == np.arange(0, n / sfreq - 4 + 1e-9, 0.5).tolist()
    # a clock resting on more timestamps still refuses one going back that far
    online.push(np.zeros((len(NAMES), chunk)), timestamp=stamps[-1] + chunk / sfreq)
    with pytest.raises(ValueError, match="clock went backwards"):
        online.push(np.zeros((len(NAMES), chunk)), timestamp=stamps[-1] - 0.5)


def test_one_wild_outlier_timestamp_leaves_later_gaps_detected(model):
    """One chunk stamped 100 s late, the next back on the clock: an outlier, whose distance
    was taken into the timestamps' jitter as it was, making the tolerance minutes long, so a
    0.2 s gap 30 s later went unwarned (its samples not inserted, every later onset early).
    It now counts as the tolerance at most: the gap is found, its windows left out."""
    sfreq, n, chunk = 256.0, 256 * 60, 32
    x = _signal(n, sfreq, seed=21)
    starts = np.arange(0, n, chunk)
    at = starts[starts >= 256 * 40][0]  # 0.2 s (51 samples) lost before this chunk
    stamps = 10.0 + (starts + np.where(starts >= at, 51, 0)) / sfreq
    stamps[100] += 100.0
    online, onsets, warned = _stamped_stream(model, sfreq, chunk, stamps, x)
    assert len(warned) == 1 and "(51 samples) lost at" in warned[0], warned
    assert online.n_samples_pushed == n + 51 and online.n_lost > 0
    # the windows after it are the whole stream's (51 samples on): none holds a lost sample
    after = [o for o in onsets if o >= at / sfreq]
    assert after and after[0] >= (at + 51) / sfreq and all((o * 2).is_integer() for o in after)


@pytest.mark.parametrize(("jitter", "lost"), [(0.0, 41), (0.008, 500)])
def test_a_true_gap_is_still_inserted_under_jitter(model, jitter, lost):
    """A dropped 41-sample chunk, and 1 s lost under 8 ms of jitter, are still gaps: confirmed
    by the next timestamp, their samples inserted (as many as the timestamps say), the windows
    holding them left out and the later onsets those of the whole stream."""
    sfreq, n, chunk = 500.0, 500 * 60, 41
    x, rng = _signal(n, sfreq, seed=13), np.random.default_rng(14)
    starts = np.arange(0, n, chunk)
    stamps = 100.0 + starts / sfreq + rng.normal(0, jitter, len(starts))
    at = starts[starts >= 15000][0]
    drop = set(range(at, at + lost, chunk)) if lost == 41 else set(starts[starts < at + 500][-13:])
    online, onsets, warned = _stamped_stream(model, sfreq, chunk, stamps, x, drop)
    missing = len(drop) * chunk
    assert len(warned) == 1 and "samples) lost at" in warned[0], warned
    assert jitter or f"({missing} samples) lost" in warned[0]
    inserted = (
        online.n_samples_pushed
        - (n - missing)
        + (chunk if getattr(online, "_suspect", None) else 0)
    )
    assert abs(inserted - missing) <= (0 if jitter == 0 else 4 * jitter * sfreq)
    assert online.n_lost > 0
    whole = np.arange(0, n / sfreq - 4 + 1e-9, 0.5)
    before = [o for o in onsets if o < at / sfreq]
    np.testing.assert_array_equal(before, whole[: len(before)])
    if jitter == 0:  # after the gap, the whole stream's onsets
        after = np.array([o for o in onsets if o >= at / sfreq])
        np.testing.assert_array_equal(after, whole[np.isin(whole, after)])
        assert after[0] == whole[whole * sfreq >= at + missing][0]


@pytest.mark.parametrize(("declared", "true"), [(1000.0, 500.0), (250.0, 500.0)])
def test_a_wrong_sfreq_is_refused_from_the_timestamps(model, declared, true):
    """sfreq=1000 for a 500 Hz stream with right timestamps made every chunk a gap (400
    warnings in a minute, no window ever, no word of sfreq); 250 for 500 set the clock at
    every chunk. The rate the timestamps show is compared to sfreq (after 2 s where every
    half second says it is far off): refused, naming it, the chunk not added."""
    online = OnlineEmbedder(model, NAMES, declared, units="uV", warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    x, rng = _signal(50 * 200, true, seed=15), np.random.default_rng(16)
    refused = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for j in range(200):
            stamp = 100.0 + j * 50 / true + rng.normal(0, 0.002)
            pushed = online.n_samples_pushed
            try:
                online.push(x[:, j * 50 : (j + 1) * 50], timestamp=stamp)
            except ValueError as error:
                refused.append((j, str(error)))
                assert online.n_samples_pushed == pushed  # not added
    assert len(refused) == 200 - refused[0][0] and 20 <= refused[0][0] <= 25  # 2 s
    assert "timestamps show about 499.4 samples a second" in refused[0][1]
    assert f"not sfreq={declared:g} Hz" in refused[0][1] and "sfreq=500 if" in refused[0][1]
    assert {message for _, message in refused} == {refused[0][1]}  # the same, every push
    # the right sfreq, with the same jitter: no refusal
    online = OnlineEmbedder(model, NAMES, true, units="uV", warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for j in range(200):
            stamp = 100.0 + j * 50 / true + rng.normal(0, 0.002)
            online.push(x[:, j * 50 : (j + 1) * 50], timestamp=stamp)
    assert online._rate_marks is None and online.n_lost == 0


def test_the_rate_check_keeps_a_mark_per_stretch_not_per_push(model):
    """The rate check's first seconds kept every push's timestamp and went over all of them
    at each push: one-sample chunks at 2048 Hz took more CPU than their time (7.2 s for the
    first 5 s). Only the marks that start a half-second stretch are kept: as many marks as
    stretches, and the rate measured over them is the same (a wrong sfreq is still refused,
    test_a_wrong_sfreq_is_refused_from_the_timestamps)."""
    sfreq = 2048.0
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    x = _signal(int(sfreq * 3), sfreq, seed=21)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for j in range(x.shape[1]):
            online.push(x[:, j : j + 1], timestamp=50.0 + j / sfreq)
    marks = online._rate_marks
    assert marks is not None and 6 <= len(marks) <= 7  # 3 s of stretches of 0.5 s
    assert all(b[0] - a[0] >= 0.5 for a, b in zip(marks, marks[1:], strict=False))


def test_a_chunk_pushed_twice_with_its_timestamp_is_refused_not_added(model):
    """A chunk pushed again with its own timestamp (the previous chunk's; e.g. retried after a
    push that failed in the model) was added with a warning asking whether sfreq was right: its
    samples were in the stream twice, inside a window, and every later onset 0.4 s late. It is
    refused, nothing added, and the stream goes on as without it: the same windows and
    onsets. Other samples at that time are still added, with the warning."""
    sfreq = 250.0
    x = _signal(int(sfreq * 9), sfreq, seed=8)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=2.0, warm_up=False)
    reference = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=2.0, warm_up=False)
    expected = reference.push(x)
    got = [online.push(x[:, :100], timestamp=10.0), online.push(x[:, 100:200], timestamp=10.4)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"previous one again.*pushed twice.*not added"):
            online.push(x[:, 100:200], timestamp=10.4)
        assert online.n_samples_pushed == 200
        got.append(online.push(x[:, 200:], timestamp=10.8))
    np.testing.assert_array_equal(np.concatenate([p.onsets for p in got]), expected.onsets)
    np.testing.assert_array_equal(np.concatenate([p.data for p in got]), expected.data)
    assert online.n_lost == 0 and len(expected) == 3
    # other samples at the previous chunk's time (a burst stamped on arrival by a coarse
    # clock): added; the next timestamp agreeing, the clock is set to it, with a warning
    online.push(x[:, 200:300], timestamp=10.8)
    assert online.n_samples_pushed == x.shape[1] + 100
    with pytest.warns(EEGPTWarning, match="came .* before where the samples pushed put it"):
        online.push(x[:, 300:400], timestamp=11.2)
    assert online.n_samples_pushed == x.shape[1] + 200


def test_timestamps_cast_to_float32_are_refused_where_they_cannot_tell_the_chunks_apart(model):
    """LSL's timestamps cast to float32 (with the samples, np.float32): at Unix time (1.7e9 s)
    they step by 128 s, so the next chunk had the previous one's time (taken for the same chunk
    again, or a gap of 128 s and its windows lost); at LSL's local_clock of days (3.5e5 s) by
    31 ms. Refused, saying to pass them as they come; small float32 times are taken."""
    online = OnlineEmbedder(model, NAMES, 250.0, units="uV", warm_up=False)
    x = _signal(10, 250.0)
    for start in (1.7e9, 3.5e5):
        with pytest.raises(TypeError, match=r"float32, whose values there are .* not added"):
            online.push(x, timestamp=np.float32(start))
    assert online.n_samples_pushed == 0
    for k in range(3):  # float32 seconds since the stream's start: fine
        online.push(x, timestamp=np.float32(12.0 + k * 10 / 250.0))
    assert online.n_samples_pushed == 30 and online.n_lost == 0


@pytest.mark.parametrize(("sfreq", "overlap"), [(250.0, 3.9), (250.0, 4 - 10 / 256)])
def test_a_long_loss_is_computed_and_a_changed_clock_refused(model, sfreq, overlap):
    """The windows a loss leaves out were found one step per window: a 1e6 s jump at a 0.1 s
    hop took about a second, a switch of the timestamps from LSL's local_clock to Unix time
    (~1.7e9 s) some 20 minutes. The first window after a loss is now computed (the same as
    stepping, also where starts are rounded: a hop whole at 256 Hz only), and a timestamp more
    than a day late is refused as a changed clock."""
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", overlap=overlap, warm_up=False,
                            preprocessing=PreprocessingConfig(start_seconds=0.5))  # fmt: skip
    assert (online._hop is None) == (overlap != 3.9)
    for n_windows in (0, 3, 40):
        online.n_windows = n_windows
        for sample in range(0, 2000, 7):
            k = n_windows
            while online.window_start(k) < sample:
                k += 1
            assert online._first_window_from(sample) == k, (n_windows, sample)
    online.reset()
    calls = [0]
    original = online.window_start

    def counting(k):
        calls[0] += 1
        return original(k)

    online.window_start = counting
    online.push(np.zeros((len(NAMES), 100)), timestamp=10.0)
    with pytest.warns(RuntimeWarning, match=r"lost at 0.4 s"):
        online.skip(seconds=1e6)  # a deliberate loss that long is taken
    assert calls[0] < 10
    hop = 4 - overlap
    assert online.n_lost == online.n_windows == math.ceil((1e6 + 0.4 - 0.5) / hop - 1e-9)
    assert online.window_start(online.n_windows) >= online.n_samples_pushed
    assert online.window_start(online.n_windows - 1) < online.n_samples_pushed
    pushed = online.n_samples_pushed
    with pytest.raises(ValueError, match=r"more than a day\) after .* timestamps' clock "
                       r"changed .* call reset\(\) first"):  # fmt: skip
        online.push(np.zeros((len(NAMES), 10)), timestamp=1.7e9)
    assert online.n_samples_pushed == pushed and calls[0] < 20  # not added
    online.push(np.zeros((len(NAMES), 10)), timestamp=10.0 + pushed / sfreq)  # still on
    assert online.n_samples_pushed == pushed + 10


def test_a_copied_or_pickled_embedder_goes_on_as_the_original(model):
    """copy.deepcopy and pickle failed ("cannot pickle '_thread.lock' object") once the
    embedder held a lock against concurrent pushes, and again once its engine held a lock for
    its window count; the copy now has locks of its own (copy.copy shares the engine, whose
    lock is then the same) and continues from the same samples, window for window."""
    import copy
    import pickle

    x = _signal(256 * 12, 256.0, seed=4)
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", overlap=2.0, warm_up=False,
                            device="cpu")  # fmt: skip
    first = online.push(x[:, :700], timestamp=5.0)
    assert len(first) == 0
    twins = [copy.deepcopy(online), pickle.loads(pickle.dumps(online)), copy.copy(online)]
    assert twins[0].engine._count_lock is not online.engine._count_lock
    assert twins[1].engine._count_lock is not online.engine._count_lock
    assert twins[2].engine is online.engine
    mine = online.push(x[:, 700:], timestamp=5.0 + 700 / 256)
    assert len(mine) == 5 and mine.metadata["window_index"] == [0, 1, 2, 3, 4]
    for twin in twins:
        assert twin._calls is not online._calls and not twin._calls._busy
        theirs = twin.push(x[:, 700:], timestamp=5.0 + 700 / 256)
        np.testing.assert_array_equal(theirs.onsets, mine.onsets)
        np.testing.assert_allclose(theirs.data, mine.data, rtol=1e-6, atol=1e-6)
        assert theirs.metadata["window_index"] == mine.metadata["window_index"]
        assert twin.n_samples_pushed == online.n_samples_pushed and twin.n_lost == 0


def test_a_copy_taken_during_a_push_waits_for_it(model):
    """copy.deepcopy from another thread while a push ran took the state half-way through that
    push (the chunk's samples in, its windows not yet counted): the copy now waits for the
    push and holds the state after it."""
    import copy
    import threading

    x = _signal(256 * 6, 256.0, seed=5)
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", warm_up=False, device="cpu")
    entered, release, original = _held_encode(online)
    copies = []
    pusher = threading.Thread(target=lambda: online.push(x[:, :1024]))
    copier = threading.Thread(target=lambda: copies.append(copy.deepcopy(online)))
    pusher.start()
    try:
        assert entered.wait(10)
        copier.start()
        copier.join(0.3)
        assert copier.is_alive()  # waiting for the push
    finally:
        release.set()
        pusher.join(10)
        copier.join(10)
    (twin,) = copies
    assert (twin.n_windows, twin.n_samples_pushed) == (online.n_windows, 1024) == (1, 1024)
    twin.engine.encode = original
    assert twin.push(x[:, 1024:1100]).metadata["window_index"] == []


def test_a_state_taken_for_a_copy_is_its_own_and_a_push_meanwhile_waits(model):
    """The state a copy was made from shared the list of windows embedded and not yet
    returned with the embedder: a push after __getstate__ (pickle and deepcopy copy the state
    after it returns) put its windows in the copy too, which returned them twice. And a push
    that came while a copy was taken was refused as if another push ran."""
    import threading

    x = _signal(256 * 10, 256.0, seed=6)
    online = OnlineEmbedder(model, NAMES, 256.0, units="uV", warm_up=False, device="cpu")
    assert online.push(x[:, :1100]).onsets.tolist() == [0.0]
    state = online.__getstate__()
    mine = online.push(x[:, 1100:2200])
    twin = OnlineEmbedder.__new__(OnlineEmbedder)
    twin.__setstate__(state)
    theirs = twin.push(x[:, 1100:2200])
    assert mine.onsets.tolist() == theirs.onsets.tolist() == [4.0]
    np.testing.assert_allclose(theirs.data, mine.data, rtol=1e-6, atol=1e-6)

    entered, release = threading.Event(), threading.Event()
    snapshot = online._calls.snapshot

    def slow_snapshot():
        cm = snapshot()
        cm.__enter__()
        entered.set()
        release.wait(10)
        return cm

    copier = threading.Thread(target=lambda: slow_snapshot().__exit__(None, None, None))
    copier.start()
    assert entered.wait(10)
    pushed = []
    pusher = threading.Thread(target=lambda: pushed.append(online.push(x[:, 2200:])))
    pusher.start()
    pusher.join(0.3)
    assert pusher.is_alive() and not pushed  # waits for the copy, is not refused
    release.set()
    copier.join(10)
    pusher.join(10)
    assert len(pushed) == 1 and online.n_samples_pushed == x.shape[1]


def test_the_repr_says_what_the_embedder_is_and_how_far_it_has_gone(model):
    online = OnlineEmbedder(model, NAMES, 250.0, units="uV", overlap=3.5, warm_up=False)
    online.engine.encode = lambda w, ids, **kw: np.zeros((len(w), *online._token_shape))
    assert repr(online) == (
        "<OnlineEmbedder | 7 channels (Fp1, Fp2, C3, Cz, ... (3 more)), 250 Hz, window 4 s, "
        "hop 0.5 s, 0 samples pushed, 0 windows returned, n_lost=0>"
    )
    online.push(np.zeros((len(NAMES), 1125)), timestamp=0.0)
    with pytest.warns(RuntimeWarning, match="lost"):
        online.skip(seconds=0.5)
    online.push(np.zeros((len(NAMES), 10)))
    assert repr(online).endswith("1260 samples pushed, 2 windows returned, n_lost=8>"), repr(online)


def test_a_skip_refused_names_what_was_given(model):
    """skip(seconds=-0.1) said "got -25" (its samples at 250 Hz), not the seconds given; a NaN
    was Python's "cannot convert float NaN to integer". Each refusal names the value given."""
    online = OnlineEmbedder(model, NAMES, 250.0, warm_up=False)
    with pytest.raises(ValueError, match=r"skip needs seconds >= 0, got seconds=-0.1$"):
        online.skip(seconds=-0.1)
    with pytest.raises(ValueError, match=r"got seconds=nan"):
        online.skip(seconds=float("nan"))
    with pytest.raises(ValueError, match=r"whole number of samples >= 0, got -3$"):
        online.skip(-3)
    with pytest.raises(ValueError, match=r"whole number of samples >= 0, got 2.5$"):
        online.skip(2.5)
    with pytest.raises(TypeError, match="n_samples or seconds"):
        online.skip(3, seconds=1.0)
    assert online.n_samples_pushed == 0
    with pytest.warns(RuntimeWarning, match=r"0.1 s \(25 samples\) lost"):
        online.skip(seconds=0.1)
    assert online.n_samples_pushed == 25


def test_the_same_mistake_raises_the_same_exception_as_in_embed(model):
    """OnlineEmbedder, embed and the scikit-learn estimators share embed's checks of a
    rate, a unit, channel names and verbose, so one mistake raises one class everywhere
    (errors.py: a recording's metadata a RecordingError, an argument of the wrong type a
    TypeError, an unknown verbose level a ValueError); a timestamp that is not a number is a
    TypeError naming it, not float()'s "could not convert string to float"."""
    from eegpt.errors import EEGPTError
    from eegpt.sklearn import EEGPTEmbedder

    x = np.zeros((len(NAMES), 1100))

    def embedded(**kw):
        return embed(model, x, **{"ch_names": NAMES, "sfreq": 250.0, **kw})

    def streamed(**kw):
        kw = {"ch_names": NAMES, "sfreq": 250.0, "warm_up": False, **kw}
        return OnlineEmbedder(model, kw.pop("ch_names"), kw.pop("sfreq"), **kw)

    mistakes = [
        ({"sfreq": 0}, RecordingError, "sfreq must be a positive number of Hz, got 0"),
        ({"sfreq": -250.0}, RecordingError, "sfreq must be a positive number of Hz"),
        ({"units": "MV"}, RecordingError, r"units must be one of"),
        ({"ch_names": "Cz"}, TypeError, r"not the single str 'Cz'"),
        ({"verbose": "loud"}, ValueError, r"verbose must be a bool, None, a level name"),
    ]
    for kw, kind, said in mistakes:
        for call in (embedded, streamed):
            with pytest.raises(kind, match=said) as err:
                call(**kw)
            assert type(err.value) is kind, (call.__name__, kw, type(err.value))
            if kind is ValueError:  # a setting's value, not the recording's
                assert not isinstance(err.value, EEGPTError)
    with pytest.raises(RecordingError, match="units must be one of"):
        EEGPTEmbedder(model, ch_names=NAMES, sfreq=250.0, units="MV").fit(x[None])
    online = streamed()
    for stamp in ("now", True, [1.0]):
        with pytest.raises(TypeError, match=r"timestamp must be the time of the chunk's first "
                           r"sample, a number of seconds .* or None; got"):  # fmt: skip
            online.push(x[:, :100], timestamp=stamp)
    assert online.n_samples_pushed == 0  # refused before anything was taken
    online.push(x[:, :100], timestamp=np.float64(12.5))
    assert online.n_samples_pushed == 100


def test_the_preprocessing_keywords_of_embed_and_units_in_any_case(model):
    """OnlineEmbedder takes embed's detrend=, average_reference= and resample= keywords (each
    one field of its PreprocessingConfig), and units in any letter case but 'MV' (megavolts)."""
    online = OnlineEmbedder(model, NAMES, 250.0, units="uv", detrend="linear", warm_up=False)
    config = PreprocessingConfig(detrend="linear")
    assert online.config.detrend == config.detrend == "linear" and online.units == "uV"
    off = OnlineEmbedder(model, ["Cz"], 256.0, units="UV", average_reference=False, warm_up=False)
    assert off.config.average_reference is False
    assert OnlineEmbedder(model, NAMES, 256.0, units="v", warm_up=False).units == "V"
    for nonsense in ("MV", "microvolts", "u V"):
        with pytest.raises(RecordingError, match=r"units must be one of .* \(any letter case"):
            OnlineEmbedder(model, NAMES, 256.0, units=nonsense, warm_up=False)


def test_a_probe_s_channels_leave_the_stream_s_others_unwarned(model):
    """channels= (a probe's): a wider stream's channels the probe does not use are not warned
    about as untrained embeddings (PO5) or as outside the vocabulary (CB1), only named once
    as not used; a stream lacking a probe's channel is still refused."""
    from eegpt.channels import normalize_channel_name

    names, used = [*NAMES, "PO5", "CB1"], [normalize_channel_name(n) for n in NAMES]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        online = OnlineEmbedder(model, names, 256.0, units="uV", channels=used)
    texts = [str(w.message) for w in record]
    assert len(texts) == 1 and "['PO5'] are not used" in texts[0], texts
    assert list(online.mapping.input_names) == NAMES
    with pytest.raises(ValueError, match="missing"):
        OnlineEmbedder(model, NAMES[1:], 256.0, units="uV", channels=used)


def test_a_stream_in_microvolts_given_as_volts_is_told_where_to_give_its_unit(model):
    """A stream pushed in µV with the default units='V' was told "pass units='uV'" alone, as
    an array to embed is: the warning says it is the embedder's units=, to be made again, as
    its first window alone is checked and every later one is scaled so too."""
    online = OnlineEmbedder(model, NAMES, sfreq=256, warm_up=False)
    with pytest.warns(RuntimeWarning, match="amplitude check") as record:
        online.push(_signal(4 * 256, 256))
    (text,) = [str(w.message) for w in record if "amplitude check" in str(w.message)]
    assert "(read with units='V')" in text
    assert "OnlineEmbedder(model, ch_names, sfreq, units='uV')" in text
    assert "probe.online(ch_names, sfreq, units='uV')" in text and "made again" in text


def test_close_returns_the_windows_of_a_chunk_held_back_at_the_end(model):
    """A last chunk stamped late (samples lost before it) was held back for a next timestamp
    that never came: its windows were never returned. close() takes its timestamp as it says
    and returns them, equal to the whole signal's at the same onsets (at 256 Hz); push and
    skip after it are refused, a second close returns none, and reset() reopens the stream."""
    sfreq = 256.0
    x = _signal(256 * 17, sfreq)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    parts = [
        online.push(x[:, i : i + 128], timestamp=50.0 + i / sfreq) for i in range(0, 2048, 128)
    ]
    after = 256 * 9  # 1 s lost: samples 2048 to 2303 never pushed
    parts.append(online.push(x[:, after:], timestamp=50.0 + after / sfreq))
    assert np.concatenate([p.onsets for p in parts]).tolist() == [0.0, 4.0]  # the last held
    with pytest.warns(EEGPTWarning, match=r"1 s \(256 samples\) lost at 8 s"):
        last = online.close()
    assert last.onsets.tolist() == [12.0] and last.metadata["window_index"] == [3]
    assert online.n_lost == 1 and online.n_samples_pushed == x.shape[1]
    whole = embed(model, x, ch_names=NAMES, sfreq=sfreq, units="uV")
    assert whole.onsets.tolist() == [0.0, 4.0, 8.0, 12.0]  # the incomplete tail dropped alike
    np.testing.assert_allclose(last.data, whole.data[3:], rtol=1e-5, atol=1e-6)
    assert "closed" in repr(online)
    for call in (lambda: online.push(x[:, :10]), lambda: online.skip(10)):
        with pytest.raises(RuntimeError, match=r"after close\(\), which ended the stream: "
                           r"nothing was added\. Call reset\(\) first"):  # fmt: skip
            call()
    assert online.n_samples_pushed == x.shape[1]
    assert len(online.close()) == 0  # closed already: nothing more
    online.reset()
    assert online.push(x[:, :1024]).onsets.tolist() == [0.0]
    assert len(online.close()) == 0  # nothing held: the incomplete window is not embedded


def test_close_lets_a_last_chunk_stamped_early_go_without_a_clock_warning(model):
    """A last chunk stamped more than the tolerance early is added at once and judged by the
    next timestamp; close() settled it as if that timestamp had come, warning that 'the next
    timestamp agreed' and the clock was reset (is sfreq the stream's rate?) though none came.
    It is let go without a word, the windows those of the whole signal."""
    from eegpt.outputs import Embeddings

    sfreq = 256.0
    x = _signal(256 * 17, sfreq)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    parts = [
        online.push(x[:, i : i + 128], timestamp=50.0 + i / sfreq) for i in range(0, 4096, 128)
    ]
    parts.append(online.push(x[:, 4096:], timestamp=50.0 + 4096 / sfreq - 0.1))  # 0.1 s early
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parts.append(online.close())
    whole = embed(model, x, ch_names=NAMES, sfreq=sfreq, units="uV")
    joined = Embeddings.concatenate(parts)
    assert joined.onsets.tolist() == whole.onsets.tolist() == [0.0, 4.0, 8.0, 12.0]
    np.testing.assert_allclose(joined.data, whole.data, rtol=1e-5, atol=1e-6)
    assert online.n_lost == 0 and online.n_samples_pushed == x.shape[1]


def _counted(calls, name, function):
    """``function``, counting its calls in ``calls[name]``."""

    def counting(*args, **kwargs):
        calls[name] += 1
        return function(*args, **kwargs)

    return counting


def test_a_push_completing_no_window_builds_no_provenance(monkeypatch):
    """Every push built the stream's whole provenance (``dataclasses.asdict``, copies, the
    software versions) and walked every parameter's change counter (``param_key``), also a push
    that completes no window: most of its cost (0.2 ms on a CPU, 1 ms on an H100). The record
    is built once and reused; the weights are checked where windows are embedded; another
    stream (``reset()``) builds its own. Each push gets a copy of its own to change."""
    import eegpt.fingerprints as fingerprints
    import eegpt.online as online_module

    torch.manual_seed(3)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)).eval()
    calls = {"provenance": 0, "param_key": 0}
    monkeypatch.setattr(online_module, "provenance",
                        _counted(calls, "provenance", online_module.provenance))  # fmt: skip
    monkeypatch.setattr(fingerprints, "param_key",
                        _counted(calls, "param_key", fingerprints.param_key))  # fmt: skip
    x = _signal(256 * 10, 256.0)
    online = OnlineEmbedder(model, NAMES, sfreq=256.0, units="uV", overlap=3.0, warm_up=False)
    first = online.push(x[:, :10])  # the stream's start: its record built, the weights checked
    assert len(first) == 0 and calls["provenance"] == 1 and calls["param_key"] > 0
    first.metadata["channels"]["names"].append("changed by the caller")
    first.metadata["software"]["numpy"] = "changed by the caller"
    counts = dict(calls)
    idle = [online.push(x[:, i : i + 10]) for i in range(10, 1000, 10)]
    assert not any(len(p) for p in idle)
    assert calls == counts  # no record built, no parameter walked
    assert all(p.metadata == idle[0].metadata for p in idle)
    assert "changed by the caller" not in str(idle[0].metadata)
    assert idle[0].metadata["software"]["numpy"] == np.__version__
    one = online.push(x[:, 1000:1024])  # completes the first window
    assert len(one) == 1 and calls["param_key"] > counts["param_key"]  # the weights checked
    assert calls["provenance"] == counts["provenance"] + 1  # the record of embedded windows
    counts = dict(calls)
    two = online.push(x[:, 1024:1280])  # the next: the same record, its weights checked again
    assert len(two) == 1 and calls["provenance"] == counts["provenance"]
    assert calls["param_key"] > counts["param_key"]
    assert two.metadata["window_index"] == [1] and one.metadata["window_index"] == [0]
    online.push(x[:, 1280:1290])
    assert calls["provenance"] == counts["provenance"]
    stream = two.metadata["stream_id"]
    online.reset()  # another stream: its own record, with its id
    again = online.push(x[:, :10])
    assert calls["provenance"] == counts["provenance"] + 1
    assert again.metadata["stream_id"] == online._stream_id != stream


@pytest.mark.parametrize("loaded", [False, True])
def test_the_reused_provenance_equals_one_built_at_every_push_as_the_weights_change(
    loaded, monkeypatch
):
    """The stream's record, built once and reused, is the one built anew at every push (as
    before): metadata equal, embeddings bit-identical, over a stream whose weights change in
    place (``add_``), through ``p.data`` in training mode then ``eval()`` (re-hashed), whose
    encoder gets a hook (the reference path: ``fused`` False) and engine another batch size,
    and which is reset; of a model made in memory and of one loaded (``weights_modified``).
    A push completing no window keeps the record of the stream's last windows: the weights
    are checked where windows are embedded."""
    import copy

    import eegpt.online as online_module
    from eegpt.fingerprints import encoder_fingerprint, mark_loaded_weights

    torch.manual_seed(3)
    base = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2, embed_num=2)).eval()
    x = _signal(256 * 12, 256.0)

    def stream() -> tuple[list, EEGPT, OnlineEmbedder]:
        model = copy.deepcopy(base)
        if loaded:
            model.checkpoint_info = {"path": "eegpt.ckpt", "format": "lightning", "sha256": "ab"}
            mark_loaded_weights(model)
        online = OnlineEmbedder(model, NAMES, 256.0, units="uV", overlap=3.0, warm_up=False)
        weight = model.target_encoder.blocks[0].attn.qkv.weight
        bounds = [0, 10, 1024, 1100]  # nothing, then the first window, nothing
        out = [online.push(x[:, a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        with torch.no_grad():
            weight.add_(0.01)  # seen by its change counter
        out += [online.push(x[:, 1100:1280]), online.push(x[:, 1280:1290])]
        model.train()
        weight.data.mul_(1.1)  # unseen but for the training spell
        model.eval()
        out.append(online.push(x[:, 1290:1536]))
        model.target_encoder.blocks[0].register_forward_hook(lambda *args: None)
        out += [online.push(x[:, 1536:1792]), online.push(x[:, 1792:1800])]
        online.engine.batch_size = 2
        out.append(online.push(x[:, 1800:2560]))  # three windows, in two batches
        online.reset()
        out += [online.push(x[:, :10]), online.push(x[:, 10:1100])]
        return out, model, online

    cached, model, online = stream()
    # built at every push: a key that never equals the one held
    monkeypatch.setattr(online_module, "run_record_key", lambda *args: object())
    built, _, _ = stream()
    monkeypatch.undo()
    assert [len(p) for p in cached] == [0, 1, 0, 1, 0, 1, 1, 0, 3, 0, 1]
    for ours, theirs in zip(cached, built, strict=True):
        ids = (ours.metadata.pop("stream_id"), theirs.metadata.pop("stream_id"))
        assert ours.metadata == theirs.metadata and ids[0] != ids[1]
        assert list(ours.metadata) == list(theirs.metadata)  # in the same order
        np.testing.assert_array_equal(ours.data, theirs.data)
        np.testing.assert_array_equal(ours.onsets, theirs.onsets)
    records = [p.metadata["checkpoint"] for p in cached]
    assert records[1] != records[3] != records[5] and records[5] == records[8]
    assert records[1]["weights_sha256"] == encoder_fingerprint(base)
    assert (cached[5].metadata["fused"], cached[6].metadata["fused"]) == (True, False)
    assert cached[6].metadata["batch_size"] != 2 == cached[8].metadata["batch_size"]
    assert records[3].get("weights_modified", False) is loaded
    # weights changed between windows: a push of no window still records the last ones'
    with torch.no_grad():
        model.target_encoder.blocks[0].attn.qkv.weight.add_(0.01)
    idle, window = online.push(x[:, 1100:1110]), online.push(x[:, 1110:1280])
    assert idle.metadata["checkpoint"] == records[-1] != window.metadata["checkpoint"]
    assert window.metadata["checkpoint"]["weights_sha256"] == encoder_fingerprint(model)


@pytest.mark.parametrize("then", ["push", "skip"])
def test_a_chunk_stamped_early_then_no_timestamp_says_no_timestamp_agreed(model, then):
    """A chunk stamped more than the tolerance early is added at once and judged by the next
    timestamp; a push without one (or skip()) settled it as if that timestamp had come,
    warning that 'the next timestamp agreed' and setting the clock to it, though none came.
    It is left for the next timestamp to judge: here one on the clock, so it was an outlier,
    nothing said and the windows those of the whole signal (skip(0) loses no sample)."""
    from eegpt.outputs import Embeddings

    sfreq = 256.0
    x = _signal(256 * 17, sfreq)
    online = OnlineEmbedder(model, NAMES, sfreq, units="uV", warm_up=False)
    parts = [
        online.push(x[:, i : i + 128], timestamp=50.0 + i / sfreq) for i in range(0, 2048, 128)
    ]
    parts.append(online.push(x[:, 2048:2176], timestamp=50.0 + 2048 / sfreq - 0.1))  # early
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if then == "push":
            parts.append(online.push(x[:, 2176:2304]))
        else:
            online.skip(0)
        start = 2304 if then == "push" else 2176
        parts.append(online.push(x[:, start:], timestamp=50.0 + start / sfreq))
        parts.append(online.close())
    joined = Embeddings.concatenate(parts)
    whole = embed(model, x, ch_names=NAMES, sfreq=sfreq, units="uV")
    assert joined.onsets.tolist() == whole.onsets.tolist() == [0.0, 4.0, 8.0, 12.0]
    np.testing.assert_allclose(joined.data, whole.data, rtol=1e-5, atol=1e-6)
    assert online.n_lost == 0 and online.n_samples_pushed == x.shape[1]
