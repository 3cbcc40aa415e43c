"""From recordings (volts) to model windows (millivolts, 256 Hz, 4 s)."""

from __future__ import annotations

import json
import logging
import re
import warnings

import mne
import numpy as np
import pytest
import torch

from eegpt.channels import ChannelRules, map_channels
from eegpt.config import EEGPTConfig
from eegpt.errors import EEGPTWarning, RecordingError
from eegpt.io import Recording, as_recording
from eegpt.preprocessing import PreprocessingConfig, prepare
from eegpt.resampling import nearest_indices, resample
from eegpt.signal_checks import corpus_file
from eegpt.signal_stats import SignalStats, robust_amplitude
from eegpt.vocabulary import VOCABULARY
from eegpt.windowing import Windows, window_starts

NAMES = ["Fp1", "Cz", "O2"]
# the samples as recorded, for tests that compare windows with the input itself
AS_RECORDED = PreprocessingConfig(average_reference=False)


def _sines(sfreq, seconds, freq=10.0, amp=50e-6, n_channels=3, phase_step=0.7):
    t = np.arange(int(round(sfreq * seconds))) / sfreq
    return np.stack(
        [amp * np.sin(2 * np.pi * freq * t + k * phase_step) for k in range(n_channels)]
    )


def _dominant_frequency(x, sfreq):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return np.fft.rfftfreq(x.size, 1 / sfreq)[np.argmax(spectrum)]


# ---------------------------------------------------------------------------------------------
# configuration
# ---------------------------------------------------------------------------------------------


def test_config_defaults_and_roundtrip():
    config = PreprocessingConfig()
    assert (config.sfreq, config.window_seconds, config.overlap) == (256.0, 4.0, 0.0)
    assert (config.resample, config.tail, config.scale) == ("polyphase", "drop", 1e3)
    assert config.average_reference is True  # as in pretraining
    assert config.n_samples == 1024 and config.step_samples == 1024
    custom = PreprocessingConfig(
        overlap=1.0, resample="nearest", tail="pad", average_reference=False
    )
    assert custom.step_samples == 768
    d = json.loads(json.dumps(custom.to_dict()))
    assert PreprocessingConfig.from_dict(d) == custom
    with pytest.raises(ValueError, match="unknown preprocessing settings"):
        PreprocessingConfig.from_dict({**d, "highpass": 0.5})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"overlap": 4.0}, "overlap must satisfy"),
        ({"overlap": -1.0}, "overlap must satisfy"),
        ({"sfreq": 0.0}, "sfreq must be a positive"),
        ({"window_seconds": -1.0}, "window_seconds must be finite and more than 0"),
        ({"window_seconds": 1.001}, "whole number"),
        (
            {"window_seconds": 1.1},
            r"the nearest: 1\.1015625 s; a window need not be whole patches .*: 1 s or 1\.25 s\)",
        ),
        # a suggestion shorter than one patch would fail next: the shortest window instead
        ({"window_seconds": 0.1}, r"holds one patch of 64 samples: 0\.25 s\)"),
        ({"window_seconds": 0.001}, r"holds one patch of 64 samples: 0\.25 s\)"),
        ({"overlap": 0.0001}, r"\(the nearest: 4 s, i\.e\. overlap 0 s\)"),
        ({"overlap": 1.001}, r"\(the nearest: 3 s, i\.e\. overlap 1 s\)"),
        ({"scale": 0.0}, "scale must be a positive"),
        ({"resample": "fft"}, "resample must be"),
        ({"tail": "keep"}, "tail must be"),
    ],
)
def test_config_validation(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PreprocessingConfig(**kwargs)


def test_config_type_validation():
    with pytest.raises(TypeError, match="average_reference must be a bool"):
        PreprocessingConfig(average_reference="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sfreq must be a number"):
        PreprocessingConfig(sfreq="256")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "keyword", "said"),
    [(PreprocessingConfig, "window", "did you mean 'window_seconds' (the command line's --window)"),
     (PreprocessingConfig, "start", "did you mean 'start_seconds' (the command line's --start)"),
     (PreprocessingConfig, "crop", "did you mean 'crop_tmin' (the command line's --crop)"),
     (PreprocessingConfig, "rescale",
      "did you mean 'scale' (the command line's --rescale is scale=1000 * rescale)"),
     (PreprocessingConfig, "no_average_reference", "did you mean 'average_reference' "
      "(the command line's --no-average-reference is average_reference=False)"),
     (PreprocessingConfig, "window_second", "did you mean 'window_seconds'?"),
     (PreprocessingConfig().updated, "window", "did you mean 'window_seconds'"),
     (EEGPTConfig, "embed_dims", "did you mean 'embed_dim'?"),
     (ChannelRules, "strict_channels", "did you mean 'on_unknown' "
      "(the command line's --strict-channels is on_unknown='raise')")],
)  # fmt: skip
def test_settings_classes_name_the_field_of_a_command_line_name(make, keyword, said):
    """PreprocessingConfig(window=4) (the command line's --window), EEGPTConfig(embed_dims=)
    and ChannelRules(strict_channels=True) failed with Python's bare "__init__() got an
    unexpected keyword argument": as ProbeConfig's, the TypeError names the field meant (and
    the option, and how its value becomes the field's where it is not taken as it is)."""
    with pytest.raises(TypeError, match=r"\(\) got an unexpected keyword argument "
                       + re.escape(f"'{keyword}': {said}") + ".* Its settings: "):  # fmt: skip
        make(**{keyword: 1})


def test_config_takes_seconds_as_the_command_line_writes_them():
    """window_seconds='4s' was refused (a number only) though the CLI takes --window 4s: the
    fields in seconds take the CLI's strings, read by its own parser."""
    config = PreprocessingConfig(window_seconds="2s", overlap="1 s", start_seconds="0.5")  # type: ignore[arg-type]
    assert config == PreprocessingConfig(window_seconds=2, overlap=1, start_seconds=0.5)
    assert PreprocessingConfig().updated(window_seconds="4 sec").window_seconds == 4.0  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"window_seconds='four': 'four' is no number of seconds"):
        PreprocessingConfig(window_seconds="four")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"overlap='50%': give the overlap in seconds"):
        PreprocessingConfig(overlap="50%")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# window starts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_times", "window", "step", "tail", "expected"),
    [
        (4096, 1024, 1024, "drop", [0, 1024, 2048, 3072]),
        (4096, 1024, 1024, "pad", [0, 1024, 2048, 3072]),  # nothing left over
        (4500, 1024, 1024, "drop", [0, 1024, 2048, 3072]),
        (4500, 1024, 1024, "pad", [0, 1024, 2048, 3072, 4096]),
        (3072, 1024, 512, "drop", [0, 512, 1024, 1536, 2048]),
        (3200, 1024, 512, "pad", [0, 512, 1024, 1536, 2048, 2560]),
        (1000, 1024, 1024, "drop", []),
        (1000, 1024, 1024, "pad", [0]),
        (1024, 1024, 1024, "drop", [0]),
        (0, 1024, 1024, "pad", []),
    ],
)
def test_window_starts(n_times, window, step, tail, expected):
    starts = window_starts(n_times, window, step, tail)
    assert starts.dtype == np.int64
    np.testing.assert_array_equal(starts, expected)


def test_window_starts_cover_everything_with_pad():
    for n_times in range(1, 400, 7):
        starts = window_starts(n_times, 64, 48, "pad")
        covered = np.zeros(n_times, bool)
        for s in starts:
            covered[s : s + 64] = True
        assert covered.all()
        assert (starts < n_times).all()


def test_window_starts_errors():
    with pytest.raises(ValueError, match="step >= 1"):
        window_starts(100, 10, 0)
    with pytest.raises(ValueError, match="tail must be"):
        window_starts(100, 10, 10, "keep")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# resampling
# ---------------------------------------------------------------------------------------------


def test_the_cached_polyphase_filter_is_scipys_own():
    """resample() passes the filter designed once per ratio to scipy's resample_poly, on each
    channel less its least-squares line (edges extended), which is added back exactly."""
    from scipy.signal import resample_poly

    from eegpt.resampling import polyphase_filter

    x = np.random.default_rng(0).normal(0, 1e-5, (11, 2000))
    n_out = -(-2000 * 64 // 125)
    slope, level = np.polyfit(np.arange(2000), x.T, 1)
    line = level[:, None] + slope[:, None] * np.arange(2000)
    line_out = level[:, None] + slope[:, None] * (np.arange(n_out) * 125 / 64)
    want = resample_poly(x - line, 64, 125, axis=-1, padtype="edge") + line_out
    np.testing.assert_allclose(resample(x, 500.0, 256.0), want, rtol=1e-12, atol=1e-20)
    # the interior is scipy's default resampling, but for the filter's small gain error on
    # the line (2e-4 of the signal here)
    inner = slice(200, -200)
    np.testing.assert_allclose(resample(x, 500.0, 256.0)[:, inner],
                               resample_poly(x, 64, 125, axis=-1)[:, inner], rtol=0,
                               atol=4e-9)  # fmt: skip
    assert polyphase_filter(64, 125) is polyphase_filter(64, 125)  # designed once
    assert not polyphase_filter(64, 125).flags.writeable


def test_polyphase_keeps_frequency_and_amplitude():
    x = _sines(500.0, 8.0, freq=10.0, amp=50e-6)
    y = resample(x, 500.0, 256.0)
    assert y.shape == (3, 2048)
    for k in range(3):
        assert _dominant_frequency(y[k], 256.0) == pytest.approx(10.0, abs=0.13)
    t = np.arange(2048) / 256.0
    expected = np.stack([50e-6 * np.sin(2 * np.pi * 10 * t + k * 0.7) for k in range(3)])
    inner = slice(64, -64)  # away from the filter's edge transients
    np.testing.assert_allclose(y[:, inner], expected[:, inner], atol=0.5e-6)
    assert np.abs(y[:, inner]).max() == pytest.approx(50e-6, rel=0.01)


def test_polyphase_passes_dc_offsets_exactly():
    x = np.full((1, 1000), 30e-3)  # a 30 mV electrode offset, constant
    y = resample(x, 250.0, 256.0)
    assert y.shape == (1, 1024)
    np.testing.assert_allclose(y, 30e-3, rtol=1e-12)
    # offset + 20 µV sine: the filter's DC-gain ripple (~7e-4 x 30 mV = 20 µV) must not appear
    t_in, t_out = np.arange(2500) / 250.0, np.arange(2560) / 256.0
    y = resample(30e-3 + 20e-6 * np.sin(2 * np.pi * 10 * t_in)[None], 250.0, 256.0)
    np.testing.assert_allclose(y[0], 30e-3 + 20e-6 * np.sin(2 * np.pi * 10 * t_out), atol=1e-7)


def test_polyphase_3d_and_identity():
    x = np.random.default_rng(0).normal(size=(2, 3, 1000))
    y = resample(x, 250.0, 256.0)
    assert y.shape == (2, 3, 1024)
    np.testing.assert_allclose(y[1], resample(x[1], 250.0, 256.0))
    assert resample(x, 256.0, 256.0) is x


def test_polyphase_inexact_ratio_warns():
    x = np.zeros((1, 1000))
    with pytest.warns(RuntimeWarning, match="uses the ratio"):
        resample(x, 173.61, 256.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resample(x, 1000.0, 256.0)  # 32/125 is exact


@pytest.mark.parametrize(
    ("sfreq", "up", "down"),
    [(1017.25, 1024, 4069), (2034.5, 512, 4069), (4069.0, 256, 4069), (512.5, 512, 1025),
     (25000.0, 32, 3125), (30000.0, 16, 1875), (499.7, 2560, 4997), (1000.0, 32, 125),
     (5000.0, 32, 625), (250.0, 128, 125), (160.0, 8, 5), (300.0, 64, 75)],
)  # fmt: skip
def test_amplifier_rates_resample_by_their_exact_ratio(sfreq, up, down):
    """1017.25 Hz was resampled by 38/151 (a denominator bound of 1000), which drifted by 47 ms
    an hour: a 1-hour file gave 899 windows of 4 s, not 900."""
    from eegpt.resampling import polyphase_ratio, resampled_length

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert polyphase_ratio(sfreq, 256.0) == (up, down)
    if sfreq == 1017.25:
        assert resampled_length(int(sfreq * 3600), sfreq, 256.0) == 256 * 3600


def test_an_approximate_ratio_says_its_drift_per_hour():
    from eegpt.resampling import polyphase_ratio

    with pytest.warns(RuntimeWarning) as said:
        assert polyphase_ratio(24414.0625, 256.0, "tdt.sev") == (49, 4673)  # 4096/390625
    (text,) = [str(w.message) for w in said]
    assert text.startswith("tdt.sev: resampling 24414.0625 Hz -> 256 Hz uses the ratio 49/4673")
    assert "drifts by 3.2 ms per hour of recording" in text


@pytest.mark.parametrize(
    ("interval", "up", "down"),
    [(3906, 1, 1), (1953, 1, 2), (977, 1, 4), (488, 1, 8), (244, 1, 16), (7813, 2, 1),
     (333, 32, 375)],
)  # fmt: skip
def test_a_headers_rounded_interval_is_its_nominal_rate_without_a_drift_warning(
    interval, up, down, caplog
):
    """A header's interval of whole µs rounded from an amplifier's rate (BrainVision's 3906
    µs for 256 Hz, 488 µs for 2048 Hz) is that rate: resampled by its exact ratio, with an
    INFO note and no warning of a drift. It was warned of as a drift of 230 ms an hour (3906
    µs, though resampled 1/1), and 488 µs was resampled by 124/993 (2050.06 Hz taken)."""
    from eegpt.resampling import polyphase_ratio, resample, taken_rate

    sfreq = 1e6 / interval
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert polyphase_ratio(sfreq, 256.0, "x.vhdr") == (up, down)
        with caplog.at_level(logging.INFO, logger="eegpt"):
            y = resample(np.zeros((1, 4 * 3600 * 16)), sfreq, 256.0, source="x.vhdr")
    nominal = taken_rate(sfreq)
    assert nominal == 256.0 * down / up
    assert y.shape[-1] == -(-4 * 3600 * 16 * up // down)
    assert f"x.vhdr: the header's sampling interval of {interval} µs" in caplog.text
    assert f"taken as the nominal {nominal:g} Hz" in caplog.text
    # a rate that is no rounded interval keeps its warning (1017.25 Hz amplifiers' 983 µs)
    with pytest.warns(RuntimeWarning, match="drifts by"):
        polyphase_ratio(1e6 / 983, 256.0)


def test_an_exact_odd_rate_streams_as_it_resamples_whole(tmp_path):
    """1017.25 Hz by 1024/4069 (a filter of 81381 taps): streamed from a file in blocks of 2
    windows (each read with its context, from a multiple of 4069 samples), the windows are
    those of the whole recording resampled at once."""
    from eegpt.streaming import WindowStream, open_stream

    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2", "Cz"]
    data = np.random.default_rng(0).normal(scale=2e-5, size=(len(names), 1017 * 70))
    raw = mne.io.RawArray(data, mne.create_info(names, 1017.25, "eeg"), verbose=False)
    raw.save(tmp_path / "odd_raw.fif", verbose=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few channels
        whole = prepare(as_recording(tmp_path / "odd_raw.fif", verbose="error")).data
        stream = WindowStream(open_stream(tmp_path / "odd_raw.fif", verbose="error"))
        streamed = np.concatenate([b for _, b in stream.blocks(2)])
    assert whole.shape[0] == 17  # 69.99 s: 17 windows of 4 s
    np.testing.assert_allclose(streamed, whole, rtol=0, atol=1e-5 * np.abs(whole).max())


def test_a_rate_within_a_thousandth_of_256_hz_is_taken_as_256_hz(model, tmp_path):
    """BrainVision's sampling interval of 3906 µs is 256.016 Hz, whose polyphase ratio to
    256 Hz is 1/1: the recording embeds (it failed in the anti-alias filter's design), in
    memory and streamed from a file, exactly as the same samples labelled 256 Hz (the rate
    the header rounded), without a warning."""
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2", "Cz"]
    data = np.random.default_rng(0).normal(scale=2e-5, size=(len(names), 256 * 12))
    odd = mne.io.RawArray(data, mne.create_info(names, 1e6 / 3906, "eeg"), verbose=False)
    even = mne.io.RawArray(data, mne.create_info(names, 256.0, "eeg"), verbose=False)
    reference = model.embed(even, device="cpu").data
    odd.save(tmp_path / "odd_raw.fif", verbose=False)
    for given, tolerance in ((odd, 0.0), (tmp_path / "odd_raw.fif", 1e-5)):  # FIF: float32
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            emb = model.embed(given, device="cpu")
        assert not [w for w in said if "ratio" in str(w.message)]
        np.testing.assert_allclose(emb.data, reference, rtol=0, atol=tolerance)


@pytest.mark.parametrize(
    ("n_in", "n_out"),
    [(1000, 1024), (2000, 1024), (1024, 1024), (512, 1024), (1250, 1024), (300, 1024),
     (5000, 1024), (1001, 1025), (12345, 6789), (170126, 127395), (102232, 53964)],
)  # fmt: skip
def test_nearest_equals_torch_interpolate(n_in, n_out):
    x = np.random.default_rng(n_in).normal(size=(2, 3, n_in)).astype(np.float32)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=n_out, mode="nearest")
    idx = nearest_indices(n_in, n_out)
    np.testing.assert_array_equal(np.take(x, idx, axis=-1), expected.numpy())
    x64 = x.astype(np.float64)
    expected64 = torch.nn.functional.interpolate(torch.from_numpy(x64), size=n_out, mode="nearest")
    idx64 = nearest_indices(n_in, n_out, dtype="float64")
    np.testing.assert_array_equal(np.take(x64, idx64, axis=-1), expected64.numpy())


def test_nearest_resample_matches_torch():
    x = np.random.default_rng(1).normal(size=(4, 1000))
    y = resample(x, 250.0, 256.0, method="nearest")
    expected = torch.nn.functional.interpolate(torch.from_numpy(x[None]), size=1024, mode="nearest")
    np.testing.assert_array_equal(y, expected[0].numpy())


def test_nearest_indices_small_case_and_errors():
    np.testing.assert_array_equal(nearest_indices(4, 6), [0, 0, 1, 2, 2, 3])
    np.testing.assert_array_equal(nearest_indices(6, 4), [0, 1, 3, 4])
    np.testing.assert_array_equal(nearest_indices(1000, 1024), np.arange(1024) * 1000 // 1024)
    # float32 vs float64 tensors round differently in long signals, as PyTorch does
    assert (
        nearest_indices(170126, 127395) != nearest_indices(170126, 127395, dtype="float64")
    ).any()
    with pytest.raises(ValueError, match="positive"):
        nearest_indices(0, 4)
    with pytest.raises(ValueError, match="dtype"):
        nearest_indices(4, 6, dtype="float16")  # type: ignore[arg-type]


def test_stored_settings_without_average_reference_keep_it_off():
    """Average referencing is on by default now; a stored dict (probe.json, a corpus run's
    spec) lacking the field was written when it was off by default, so it reads as off. New
    dicts always record it."""
    assert PreprocessingConfig().to_dict()["average_reference"] is True
    assert PreprocessingConfig(average_reference=False).to_dict()["average_reference"] is False
    old = {"sfreq": 256.0, "window_seconds": 4.0, "overlap": 0.0, "resample": "polyphase",
           "scale": 1000.0, "tail": "drop"}  # fmt: skip
    assert PreprocessingConfig.from_dict(old).average_reference is False
    assert PreprocessingConfig.from_dict({**old, "average_reference": True}).average_reference


def _printed_by(script: str) -> str:
    """What the Python code ``script`` prints in a fresh interpreter (it must succeed)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_stored_form_lives_apart_from_scipy_and_mne():
    """eegpt.preprocessing_spec (what `eegpt info` and a resumed run's settings check read)
    holds PreprocessingConfig's defaults and its info line as data, without SciPy or MNE; the
    class's defaults and describe are those."""
    from dataclasses import asdict

    from eegpt import preprocessing, preprocessing_spec

    assert preprocessing_spec.FIELD_DEFAULTS == asdict(PreprocessingConfig())
    assert list(preprocessing_spec.FIELD_DEFAULTS) == list(asdict(PreprocessingConfig()))
    assert preprocessing.stored_defaults() == {
        **asdict(PreprocessingConfig()),
        "average_reference": False,
    }
    assert preprocessing.STORED_DEFAULTS is preprocessing_spec.STORED_DEFAULTS
    d = PreprocessingConfig(detrend="linear").to_dict()
    assert PreprocessingConfig.describe(d) == preprocessing_spec.describe(d)
    assert "detrend linear" in preprocessing_spec.describe(d)
    script = (
        "import sys; from eegpt.preprocessing_spec import describe, stored_defaults; "
        "describe({}); stored_defaults(); "
        "print([m for m in ('torch', 'mne', 'scipy') if m in sys.modules])"
    )
    assert _printed_by(script) == "[]"


def test_the_steps_of_prepare_do_not_import_it_back():
    """eegpt.preprocessing imports its steps (resampling, statistics, checks, windowing);
    they import neither it nor each other in a cycle, so each loads on its own."""
    script = (
        "import sys; import eegpt.resampling, eegpt.signal_stats, eegpt.signal_checks, "
        "eegpt.windowing; print('eegpt.preprocessing' in sys.modules)"
    )
    assert _printed_by(script) == "False"


def test_info_line_names_the_rescale_folded_into_the_scale():
    """``--rescale`` is stored folded into ``scale`` (1000 x the factor): the info line of the
    stored preprocessing (an embeddings file, a run folder, a probe) names the factor beside
    the scale; the pretraining's scale alone, as stored since ever, is shown with what it is."""
    from eegpt.preprocessing_spec import describe

    d = PreprocessingConfig(scale=1e3 * 0.5).to_dict()
    assert (
        "scale 500.0 (volts to millivolts, 1000, times 0.5: --rescale or a scale given), "
        in describe(d)
    )
    tiny = describe(PreprocessingConfig(scale=1e3 * 1e-6).to_dict())
    assert "(volts to millivolts, 1000, times 1e-06: --rescale or a scale given)" in tiny
    plain = describe(PreprocessingConfig().to_dict())  # its unit said: a bare 1000.0 was not
    assert ", scale 1000.0 (the factor the signal in volts is multiplied by: volts to " in plain
    assert "millivolts), " in plain and "rescale" not in plain


def test_preprocessing_config_dataclass_behaviour_is_pinned():
    """PreprocessingConfig as a dataclass: its fields in order with their defaults, repr,
    asdict, equality and hashing, frozen-ness, pickling, dataclasses.replace and updated (both
    checked again), signature and match args, whatever class its fields are declared in."""
    import dataclasses
    import inspect
    import pickle

    names = ("sfreq", "window_seconds", "overlap", "resample", "average_reference", "scale",
             "tail", "detrend", "start_seconds", "crop_tmin")  # fmt: skip
    defaults = (256.0, 4.0, 0.0, "polyphase", True, 1000.0, "drop", "none", 0.0, None)
    assert tuple(f.name for f in dataclasses.fields(PreprocessingConfig)) == names
    assert tuple(f.default for f in dataclasses.fields(PreprocessingConfig)) == defaults
    assert PreprocessingConfig.__match_args__ == names
    assert tuple(inspect.signature(PreprocessingConfig).parameters) == names
    params = PreprocessingConfig.__dataclass_params__
    assert (params.init, params.repr, params.eq, params.order, params.frozen) == (
        True, True, True, False, True,
    )  # fmt: skip
    c = PreprocessingConfig()
    assert repr(c) == (
        "PreprocessingConfig(sfreq=256.0, window_seconds=4.0, overlap=0.0, resample='polyphase', "
        "average_reference=True, scale=1000.0, tail='drop', detrend='none', start_seconds=0.0, "
        "crop_tmin=None)"
    )
    assert dataclasses.asdict(c) == dict(zip(names, defaults, strict=True))
    assert list(dataclasses.asdict(c)) == list(names)
    # to_dict leaves crop_tmin out when None: an eegpt from before it refuses unknown keys
    assert list(c.to_dict()) == list(names[:-1])
    assert PreprocessingConfig.from_dict(c.to_dict()) == c
    cropped = PreprocessingConfig(crop_tmin=-0.2)
    assert cropped.to_dict()["crop_tmin"] == -0.2
    assert PreprocessingConfig.from_dict(cropped.to_dict()) == cropped
    assert c == PreprocessingConfig() and hash(c) == hash(PreprocessingConfig())
    assert c != PreprocessingConfig(tail="pad") and c != dict(zip(names, defaults, strict=True))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.sfreq = 128.0  # type: ignore[misc]
    linear = PreprocessingConfig(detrend="linear", overlap=1)
    back = pickle.loads(pickle.dumps(linear))
    assert back == linear and type(back) is PreprocessingConfig and back.overlap == 1.0
    assert PreprocessingConfig(detrend=None).detrend == "none"  # __post_init__ runs
    assert dataclasses.replace(c, overlap=2).overlap == 2.0  # ... on replace too
    with pytest.raises(ValueError, match="overlap must satisfy"):
        dataclasses.replace(c, overlap=4.0)
    assert c.updated(tail="pad", overlap=None) == PreprocessingConfig(tail="pad")
    with pytest.raises(ValueError, match="tail must be"):
        c.updated(tail="wrap")
    assert type(c.updated(tail="pad")) is PreprocessingConfig
    assert PreprocessingConfig.from_dict(c.to_dict()) == c


# ---------------------------------------------------------------------------------------------
# prepare: continuous recordings
# ---------------------------------------------------------------------------------------------


def test_prepare_units_and_shapes():
    rec = as_recording(_sines(256.0, 12.0, amp=50e-6), ch_names=NAMES, sfreq=256.0)
    windows = prepare(rec, preprocessing=AS_RECORDED)
    assert isinstance(windows, Windows)
    assert windows.data.dtype == np.float32 and windows.data.shape == (3, 3, 1024)
    # 50 µV in volts -> 0.05 in model units (millivolts)
    assert np.abs(windows.data).max() == pytest.approx(0.05, rel=1e-3)
    np.testing.assert_allclose(windows.data[1, 0], rec.data[0, 1024:2048] * 1e3, rtol=1e-6)
    np.testing.assert_array_equal(windows.onsets, [0.0, 4.0, 8.0])
    assert windows.onsets.dtype == np.float64
    np.testing.assert_array_equal(windows.n_valid_samples, [1024] * 3)
    assert windows.ch_names == ("FP1", "CZ", "O2")
    np.testing.assert_array_equal(windows.chan_ids, [0, 29, 61])
    assert windows.sfreq == 256.0 and len(windows) == windows.n_windows == 3
    with pytest.raises(TypeError, match="second argument is the channel mapping.*preprocessing="):
        prepare(rec, PreprocessingConfig())


def test_prepare_from_microvolt_array_and_custom_scale():
    uv = _sines(256.0, 4.0, amp=50.0)  # 50 µV, given in microvolts
    rec = as_recording(uv, ch_names=NAMES, sfreq=256.0, units="uV")
    windows = prepare(rec, preprocessing=AS_RECORDED)
    np.testing.assert_allclose(windows.data[0], uv * 1e-3, rtol=1e-6, atol=1e-9)
    in_uv = prepare(rec, preprocessing=AS_RECORDED.updated(scale=1e6))
    np.testing.assert_allclose(in_uv.data[0], uv, rtol=1e-6)


def test_a_rate_below_100_hz_is_questioned():
    rec = as_recording(_sines(50.0, 8.0, freq=5.0), ch_names=NAMES, sfreq=50.0)
    with pytest.warns(RuntimeWarning, match=r"50 Hz, so the data hold nothing above 25 Hz"):
        prepare(rec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(as_recording(_sines(100.0, 8.0, freq=5.0), ch_names=NAMES, sfreq=100.0))
    # e.g. Sleep-EDF: its rate is not questioned, only its empty upper band said once
    said = [str(w.message) for w in caught if "sampling rate" in str(w.message)]
    assert len(said) == 1 and "sfreq is wrong" not in said[0]


@pytest.mark.parametrize("sfreq", [100.0, 128.0, 160.0])
def test_a_rate_well_below_256_hz_warns_of_its_empty_band_once(sfreq):
    """A 100 Hz recording was upsampled to 256 Hz with only an INFO line (hidden by -q), yet
    nothing above 50 Hz is outside the data EEGPT was pretrained on: a warning, once."""
    rec = as_recording(_sines(sfreq, 8.0, freq=5.0), ch_names=NAMES, sfreq=sfreq)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(rec)
    said = [str(w.message) for w in caught if "sampling rate" in str(w.message)]
    assert len(said) == 1
    empty = f"{sfreq:g} Hz, so after upsampling to 256 Hz the band from {sfreq / 2:g} to 128 Hz"
    assert f"{empty} is empty" in said[0]
    assert "may differ from those of recordings sampled at 256 Hz" in said[0]
    assert "nothing to do if that is intended" in said[0]


@pytest.mark.parametrize("sfreq", [200.0, 250.0, 512.0])
def test_a_rate_near_or_above_256_hz_gives_no_rate_warning(sfreq):
    rec = as_recording(_sines(sfreq, 8.0, freq=5.0), ch_names=NAMES, sfreq=sfreq)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(rec)
    assert not [w for w in caught if "sampling rate" in str(w.message)]


def test_prepare_resamples_500_to_256():
    rec = as_recording(_sines(500.0, 8.0, freq=10.0), ch_names=NAMES, sfreq=500.0)
    windows = prepare(rec, preprocessing=AS_RECORDED)
    assert windows.data.shape == (2, 3, 1024)
    joined = np.concatenate(list(windows.data[:, 0]), axis=-1)
    assert _dominant_frequency(joined, 256.0) == pytest.approx(10.0, abs=0.13)
    assert np.abs(windows.data[:, :, 64:-64]).max() == pytest.approx(0.05, rel=0.01)


def test_prepare_nearest_equals_torch_then_windows():
    x = np.random.default_rng(3).normal(0, 20e-6, (3, 2500))
    rec = as_recording(x, ch_names=NAMES, sfreq=250.0)
    windows = prepare(rec, preprocessing=AS_RECORDED.updated(resample="nearest"))
    resampled = torch.nn.functional.interpolate(
        torch.from_numpy(x[None]), size=2560, mode="nearest"
    )[0].numpy()
    expected = (resampled[:, :2048] * 1e3).astype(np.float32).reshape(3, 2, 1024)
    np.testing.assert_array_equal(windows.data, expected.transpose(1, 0, 2))


def test_prepare_overlap_counts_and_onsets():
    rec = as_recording(_sines(256.0, 10.0), ch_names=NAMES, sfreq=256.0)
    config = AS_RECORDED.updated(overlap=2.0)
    windows = prepare(rec, preprocessing=config)
    # starts every 2 s while a full 4 s window fits into 10 s: 0, 2, 4, 6
    np.testing.assert_array_equal(windows.onsets, [0.0, 2.0, 4.0, 6.0])
    np.testing.assert_array_equal(windows.data[1, :, :512], windows.data[0, :, 512:])
    np.testing.assert_allclose(windows.data[3, 2], rec.data[2, 1536:2560] * 1e3, rtol=1e-6)


def test_onsets_of_a_recording_not_at_256_hz_are_in_seconds():
    """Window starts count samples at the model's 256 Hz, after resampling: a 500 Hz Raw's
    onsets are 0, 2, 4, ... s with overlap=2 (not starts / 500 Hz: 0, 1.024, 2.048, ...)."""
    info = mne.create_info(NAMES, 500.0, "eeg")
    raw = mne.io.RawArray(_sines(500.0, 20.0), info, verbose="error")
    windows = prepare(raw, preprocessing=AS_RECORDED.updated(overlap=2.0))
    # every 2 s while a full 4 s window fits into 20 s: 0, 2, ..., 16
    np.testing.assert_array_equal(windows.onsets, np.arange(0.0, 17.0, 2.0))


def test_prepare_tail_pad_and_drop():
    rec = as_recording(_sines(256.0, 9.0), ch_names=NAMES, sfreq=256.0)
    dropped = prepare(rec, preprocessing=AS_RECORDED)
    assert len(dropped) == 2
    padded = prepare(rec, preprocessing=AS_RECORDED.updated(tail="pad"))
    assert len(padded) == 3
    np.testing.assert_array_equal(padded.n_valid_samples, [1024, 1024, 256])
    np.testing.assert_array_equal(padded.onsets, [0.0, 4.0, 8.0])
    np.testing.assert_allclose(padded.data[2, :, :256], rec.data[:, 2048:] * 1e3, rtol=1e-6)
    assert not padded.data[2, :, 256:].any()
    np.testing.assert_array_equal(padded.data[:2], dropped.data)


def test_prepare_short_recording():
    rec = as_recording(_sines(256.0, 3.0), ch_names=NAMES, sfreq=256.0)
    with pytest.raises(ValueError, match=r"lasts 3\.000 s .*shorter than one window of 4 s"):
        prepare(rec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        windows = prepare(rec, preprocessing=PreprocessingConfig(tail="pad"))
    said = [w for w in caught if "zero-padded into one window" in str(w.message)]
    assert len(said) == 1 and issubclass(said[0].category, RuntimeWarning)  # said once
    assert windows.data.shape == (1, 3, 1024)
    np.testing.assert_array_equal(windows.n_valid_samples, [768])
    assert not windows.data[0, :, 768:].any()


def _padded_tail_warnings(seconds: float, **changes: object) -> tuple[list[str], object]:
    """The warnings of the padded last window of ``seconds`` of signal at 256 Hz under
    tail="pad" (and ``changes``), and the windows."""
    rec = as_recording(_sines(256.0, seconds), ch_names=NAMES, sfreq=256.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        windows = prepare(rec, preprocessing=AS_RECORDED.updated(tail="pad", **changes))
    return [str(w.message) for w in caught if "the last window" in str(w.message)], windows


def test_a_padded_last_window_mostly_of_zeros_is_warned_of():
    """tail="pad": a recording one sample longer than 2 windows gets a third window of one
    recorded sample and 1023 zeros, warned of once, with how to leave it out; one whose last
    window holds half a window or more (8 s + 2 s) is not warned of."""
    said, windows = _padded_tail_warnings(8.0 + 1 / 256)
    np.testing.assert_array_equal(windows.n_valid_samples, [1024, 1024, 1])
    assert len(said) == 1
    assert "onset 8.000 s" in said[0] and "0.004 s of recorded samples (1 of 1024)" in said[0]
    assert "tail='drop' (--tail drop)" in said[0]
    said, windows = _padded_tail_warnings(10.0)
    np.testing.assert_array_equal(windows.n_valid_samples, [1024, 1024, 512])
    assert said == []
    said, _ = _padded_tail_warnings(10.0, overlap=2.0)  # windows at 0, 2, 4, 6 (+ 8: 2 s)
    assert said == []
    said, _ = _padded_tail_warnings(8.5, overlap=2.0)  # the last at 6 s holds 2.5 s
    assert said == []


def test_prepare_average_reference():
    rng = np.random.default_rng(5)
    x = rng.normal(0, 20e-6, (4, 2048)) + np.array([[1e-3], [2e-3], [0.0], [-1e-3]])
    names = ["Fp1", "Cz", "O2", "ECG"]
    with pytest.warns(RuntimeWarning, match="ECG"):
        mapping = map_channels(names)
    rec = as_recording(x, ch_names=names, sfreq=256.0)
    windows = prepare(rec, mapping, PreprocessingConfig(average_reference=True))
    # zero mean across the kept channels only (ECG is not part of the average)
    np.testing.assert_allclose(windows.data.mean(axis=1), 0.0, atol=1e-6)
    kept = x[:3]
    expected = (kept - kept.mean(axis=0)) * 1e3
    np.testing.assert_allclose(windows.data[0], expected[:, :1024], rtol=1e-5, atol=1e-7)
    single = as_recording(x[:1], ch_names=["Cz"], sfreq=256.0)
    advice = (
        r"needs at least 2; got 1\. .*PreprocessingConfig\(average_reference=False\).*"
        r"--no-average-reference"
    )
    with pytest.raises(RecordingError, match=advice):
        prepare(single, preprocessing=PreprocessingConfig(average_reference=True))
    with pytest.raises(RecordingError, match=advice):
        prepare(single)  # the default references
    np.testing.assert_allclose(
        prepare(single, preprocessing=AS_RECORDED).data[0, 0], x[0, :1024] * 1e3
    )


def test_average_reference_of_two_channels_warns():
    """Referenced to their average, two channels become each other's negative: a warning
    says so and how to keep them as recorded; three channels, referencing off, or the
    checks skipped (a stream's later windows) give none."""
    x = _sines(256.0, 4.0, n_channels=3)
    two = as_recording(x[:2], ch_names=["Fpz", "Pz"], sfreq=256.0)
    with pytest.warns(RuntimeWarning, match="of 2 channels") as caught:
        windows = prepare(two)
    said = [str(w.message) for w in caught if "of 2 channels" in str(w.message)]
    assert len(said) == 1, said
    assert "exact negative" in said[0] and "--no-average-reference" in said[0]
    assert "preprocessing=PreprocessingConfig(average_reference=False)" in said[0]
    np.testing.assert_allclose(windows.data[:, 0], -windows.data[:, 1], atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare(as_recording(x, ch_names=NAMES, sfreq=256.0))
        prepare(two, preprocessing=AS_RECORDED)
        prepare(two, checks=False)


def test_a_flat_egi_reference_is_kept_under_the_average_reference():
    """An EGI net's reference 'Cz', stored as zeros beside its E-numbered electrodes, is said
    to be the reference and kept under the average reference (which gives it back its signal),
    not advised to be dropped; off, or on another recording, the usual advice stays, with the
    possibility of a stored reference for a channel exactly zero."""
    x = _sines(256.0, 4.0, n_channels=10)
    x[-1] = 0.0
    names = [f"E{i}" for i in range(1, 10)] + ["Cz"]
    sites = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1"]
    rename = dict(zip(names[:9], sites, strict=True))
    egi = as_recording(x, ch_names=names, sfreq=256.0)
    some = dict(list(rename.items())[:3])  # the other E-numbers left out
    for mapping in (map_channels(names, rename=rename), map_channels(names, rename=some)):
        with pytest.warns(RuntimeWarning, match="flat channel") as caught:
            prepare(egi, mapping)
        (said,) = [str(w.message) for w in caught if "flat channel" in str(w.message)]
        assert "reference electrode (VREF)" in said and "keep it" in said, said
        assert "--drop" not in said
    with pytest.warns(RuntimeWarning, match="flat channel") as caught:
        prepare(egi, map_channels(names, rename=rename), AS_RECORDED)
    (said,) = [str(w.message) for w in caught if "flat channel" in str(w.message)]
    assert "--drop Cz" in said and "reference" not in said
    other = as_recording(x[-4:], ch_names=["Fp1", "O1", "O2", "Cz"], sfreq=256.0)
    with pytest.warns(RuntimeWarning, match="flat channel") as caught:
        prepare(other)
    (said,) = [str(w.message) for w in caught if "flat channel" in str(w.message)]
    assert "--drop Cz" in said and "may also be the recording's reference" in said


def test_prepare_picks_and_orders_by_mapping():
    x = _sines(256.0, 4.0, n_channels=4)
    names = ["EEG O2-REF", "EEG EKG1-REF", "EEG T3-REF", "EEG FP1-REF"]
    rec = as_recording(x, ch_names=names, sfreq=256.0)
    with pytest.warns(RuntimeWarning, match="EKG1"):
        windows = prepare(rec, preprocessing=AS_RECORDED)
    assert windows.ch_names == ("O2", "T7", "FP1")
    np.testing.assert_array_equal(windows.chan_ids, [61, 25, 0])
    np.testing.assert_allclose(windows.data[0], x[[0, 2, 3]] * 1e3, rtol=1e-6)


def test_prepare_reuses_mapping_by_name():
    x = _sines(256.0, 4.0)
    mapping = map_channels(["Fp1", "Cz", "O2"])
    rec = as_recording(x[::-1], ch_names=["O2", "Cz", "Fp1"], sfreq=256.0)
    windows = prepare(rec, mapping, AS_RECORDED)
    assert windows.ch_names == ("FP1", "CZ", "O2")
    np.testing.assert_allclose(windows.data[0], x * 1e3, rtol=1e-6)
    other = as_recording(x[:2], ch_names=["Fp1", "Cz"], sfreq=256.0)
    with pytest.raises(ValueError, match=r"uses channel\(s\) \['O2'\] that the recording lacks"):
        prepare(other, mapping)


def test_prepare_does_not_modify_recording():
    x = _sines(256.0, 4.0)
    rec = as_recording(x, ch_names=NAMES, sfreq=256.0)
    before = rec.data.copy()
    prepare(rec, preprocessing=PreprocessingConfig(average_reference=True))
    np.testing.assert_array_equal(rec.data, before)


def test_prepare_accepts_raw():
    info = mne.create_info(NAMES, 256.0, "eeg")
    raw = mne.io.RawArray(_sines(256.0, 8.0), info, verbose="error")
    windows = prepare(raw)
    assert windows.data.shape == (2, 3, 1024) and windows.source == "<Raw>"


# ---------------------------------------------------------------------------------------------
# prepare: data checks
# ---------------------------------------------------------------------------------------------


def test_flat_channel_warning():
    x = _sines(256.0, 4.0)
    x[1] = 0.0
    rec = as_recording(x, ch_names=NAMES, sfreq=256.0)
    with pytest.warns(RuntimeWarning, match=r"flat channel\(s\) check: \['Cz'\].*--drop Cz\)"):
        windows = prepare(rec, preprocessing=AS_RECORDED)
    assert not windows.data[0, 1].any()  # kept as is, only announced
    x[1] = 1e-6 + 1e-15 * np.sin(np.arange(x.shape[1]))  # constant offset + numerical noise
    rec = as_recording(x, ch_names=NAMES, sfreq=256.0)
    with pytest.warns(RuntimeWarning, match=r"flat channel\(s\) check: \['Cz'\]"):
        prepare(rec)


def _egi_with_flat_reference(seconds: float = 8.0) -> mne.io.RawArray:
    """An EGI net's recording: E1..E128 (no 10-10 names) with signal, and the reference 'Cz'
    (VREF) all zeros."""
    names = [*(f"E{i}" for i in range(1, 129)), "Cz"]
    x = 20e-6 * np.random.default_rng(0).standard_normal((129, int(256 * seconds)))
    x[-1] = 0.0
    return mne.io.RawArray(x, mne.create_info(names, 256.0, "eeg"), verbose="error")


def test_a_recording_of_one_sample_is_too_short_not_flat(tmp_path):
    """One sample has no spread, so every channel looks flat: its length is checked first, so
    that it is skipped as shorter than one window (read whole or streamed), as 100 samples
    are, not failed as flat; at 1 Hz too (resampled to 256 samples)."""
    from eegpt.errors import TooShortError
    from eegpt.streaming import WindowStream, open_stream

    for sfreq in (256.0, 1.0):
        raw = mne.io.RawArray(np.full((3, 1), 1e-5), mne.create_info(NAMES, sfreq, "eeg"),
                              verbose="error")  # fmt: skip
        path = tmp_path / f"one_{sfreq:g}_raw.fif"
        raw.save(path, verbose="error")
        short = r"\(\d+ samples at the model's 256 Hz\), shorter than one window"
        with pytest.raises(TooShortError, match=short):
            prepare(as_recording(raw))
        with pytest.raises(TooShortError, match=short):
            WindowStream(open_stream(path), PreprocessingConfig())


def test_a_recording_whose_used_channels_are_all_flat_is_refused(tmp_path):
    """Only the EGI net's flat reference 'Cz' maps: refused, read whole or streamed (windows
    of zeros are no embedding), naming the reference; some channels flat only warn."""
    from eegpt.streaming import WindowStream, open_stream

    raw = _egi_with_flat_reference()
    path = tmp_path / "egi_raw.fif"
    raw.save(path, verbose="error")
    for read in (
        lambda: prepare(as_recording(raw)),
        lambda: WindowStream(open_stream(path), PreprocessingConfig()),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the E-numbers dropped
            with pytest.raises(RecordingError) as err:
                read()
        text = str(err.value)
        assert "nothing usable is left: every channel used (['Cz']) is flat" in text, text
        assert "likely the net's reference (VREF)" in text
        # the advice names the net's montage, as the EGI hint does (E36=C3 is the 129 net's)
        assert "--nearest GSN-HydroCel-129 --write-rename egi.tsv" in text and "E36" not in text
        assert "nearest_rename('GSN-HydroCel-129')" in text
    x = np.zeros((3, 256 * 4))  # no net: no word of one
    with pytest.raises(RecordingError, match=r"\['Fp1', 'Cz', 'O2'\]\) is flat.*Map the"):
        prepare(as_recording(x, ch_names=NAMES, sfreq=256.0))
    epochs = mne.EpochsArray(np.zeros((2, 3, 1024)), mne.create_info(NAMES, 256.0, "eeg"))
    with pytest.raises(RecordingError, match="is flat in every epoch"):
        prepare(as_recording(epochs))


def test_an_input_all_flat_that_is_not_refused_is_said_to_hold_no_signal():
    """refuse_flat=False (predictions, transform): all used channels flat warn once that the
    input holds no signal, without advice to exclude channels or keep a reference."""
    x = np.zeros((3, 256 * 4))
    with pytest.warns(RuntimeWarning) as caught:
        prepare(as_recording(x, ch_names=NAMES, sfreq=256.0), refuse_flat=False)
    said = [str(w.message) for w in caught if "flat channel(s) check" in str(w.message)]
    assert len(said) == 1, said
    assert "every channel used (['Fp1', 'Cz', 'O2']) is flat" in said[0]
    assert "no signal in this input (disconnected amplifier?)" in said[0]
    assert "Exclude" not in said[0] and "reference" not in said[0]


def test_a_channel_flat_for_part_of_the_recording_is_named_with_when():
    """An electrode off for two minutes of a long recording, or a dead stretch stored as
    zeros, leaves the whole-recording flat check silent; whole seconds of zero peak-to-peak
    are counted per channel and announced, with how long and from when. Three seconds (less
    than a window), epochs and a channel flat throughout (its own warning) are not; epochs name theirs."""
    x = _sines(256.0, 600.0, n_channels=4) + 1e-6 * np.random.default_rng(0).standard_normal(1)
    x[1, 60 * 256 : 190 * 256 + 100] = 2e-6  # constant: 130 whole seconds
    x[:, 300 * 256 : 310 * 256] = 0.0  # a dead stretch of every channel
    x[2, 400 * 256 : 403 * 256] = 0.0  # 3 s: not announced
    names = [*NAMES, "Pz"]
    with pytest.warns(RuntimeWarning) as caught:
        prepare(as_recording(x, ch_names=names, sfreq=256.0))
    (text,) = [str(w.message) for w in caught if "flat" in str(w.message)]
    assert text == (
        "<array>: flat channel(s) check: part of the recording is flat (zero peak-to-peak, or "
        "a digital step's jitter about one value, for whole seconds): all 4 channels at once for 10 s in all (1.7%), from 0:05:00; "
        "Cz for 0:02:20 in all (23.3%), 2 stretches: from 0:01:00 for 0:02:10, from 0:05:00 "
        "for 10 s. The windows over those stretches "
        "see dead channels: mark the stretches bad (annotations whose description starts with "
        "'BAD', then reject_by_annotation=True, --reject-by-annotation) or exclude the "
        "channels (rename={'Cz': None}; command line: --drop Cz). Embeddings record those "
        "windows as flagged, with the channels (emb.flagged, emb.flat_channels, "
        "emb.clipped_channels; the flagged, flat_channels and clipped_channels columns of eegpt "
        "embed's .parquet): emb[~emb.flagged] leaves them out."
    )
    x[3] = 0.0  # Pz flat throughout: the whole-recording warning only, no stretch of all
    with pytest.warns(RuntimeWarning) as caught:
        prepare(as_recording(x, ch_names=names, sfreq=256.0))
    texts = [str(w.message) for w in caught if "flat" in str(w.message)]
    assert "['Pz'] have zero peak-to-peak" in texts[0]
    assert "part of the recording is flat" in texts[1] and "Pz" not in texts[1]
    epochs = np.stack([x[:3, :1024]] * 4)
    epochs[1, 1] = 0.0  # one epoch's channel dead: named with its epoch (each is embedded)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(as_recording(epochs, ch_names=NAMES, sfreq=256.0))
    (text,) = [str(w.message) for w in caught if "flat" in str(w.message)]
    assert "some epochs are partly flat" in text and "Cz in epoch 1, 4 s in all." in text


def _as_read(x):
    """A Recording as a file reader makes it: volts as the header says, no declared unit."""
    return Recording(x, list(NAMES), 256.0, source="f.edf")


def test_microvolts_labelled_as_volts_warning():
    rec = _as_read(_sines(256.0, 4.0, amp=50.0))
    fix = (
        r"samples as read by 1e-06: --rescale 1e-06 .*PreprocessingConfig\(scale=0.001\) \(the "
        r"default scale 1000, volts to the model's millivolts, times 1e-06\).*units='uV'"
    )
    with pytest.warns(RuntimeWarning, match=rf"amplitude check.*microvolts.*{fix}"):
        windows = prepare(rec, preprocessing=AS_RECORDED)
    assert np.abs(windows.data).max() == pytest.approx(5e4, rel=1e-3)  # not altered
    for amp in (50e-3, 8e-3):  # millivolts read as volts, also of quiet EEG (~5 uV deviation)
        mv = _as_read(_sines(256.0, 4.0, amp=amp))
        with pytest.warns(RuntimeWarning, match=r"millivolts.*--rescale 0.001 on.*units='mV'"):
            prepare(mv)
    # nanovolts: named, with no units= to suggest (arrays take V, mV, uV)
    nv = _as_read(_sines(256.0, 4.0, amp=5e4))
    with pytest.warns(RuntimeWarning, match=r"look like nanovolts labelled as volts\. If so, "
                      r"rescale the samples as read by 1e-09") as record:  # fmt: skip
        prepare(nv)
    assert "units=" not in str(record[0].message)
    # ... and a correction by the wrong power of 1000 (microvolts taken for millivolts)
    with pytest.warns(RuntimeWarning, match=r"after rescaling by 0.001.*--rescale 1e-06 on"):
        prepare(rec, preprocessing=PreprocessingConfig(scale=1.0))
    # ... which in a corpus run goes in the file's manifest row, --rescale changing all files
    with corpus_file(), pytest.warns(RuntimeWarning, match=r"in all, not 0.001: 1e-06 in the "
                                     r"manifest's rescale column for this file \(or --rescale "
                                     r"1e-06 if every file of the run needs it\)"):  # fmt: skip
        prepare(rec, preprocessing=PreprocessingConfig(scale=1.0))
    # arrays: the units= that fits
    for amp, declared, fits in ((50.0, "V", "uV"), (50e-3, "uV", "mV"), (50e-6, "uV", "V")):
        x = as_recording(_sines(256.0, 4.0, amp=amp), ch_names=NAMES, sfreq=256.0, units=declared)
        with pytest.warns(RuntimeWarning, match=rf"\(read with units='{declared}'\), but scalp "
                          rf"EEG .* pass units='{fits}'\.$"):  # fmt: skip
            prepare(x)


def test_rescale_corrects_a_wrong_unit_and_the_checks_judge_the_result():
    """PreprocessingConfig(scale=...) corrects microvolts read as volts: the same windows as
    the right volts, without the amplitude warning (the check sees the corrected values)."""
    x = _sines(256.0, 4.0, amp=50e-6)
    right = prepare(as_recording(x, ch_names=NAMES, sfreq=256.0))
    wrong = as_recording(x * 1e6, ch_names=NAMES, sfreq=256.0)
    config = PreprocessingConfig(scale=1e3 * 1e-6)
    assert config.gain == pytest.approx(1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fixed = prepare(wrong, preprocessing=config)
    np.testing.assert_allclose(fixed.data, right.data, rtol=1e-6, atol=1e-9)
    # A correction in the wrong direction is reported with the values it produced.
    with pytest.warns(
        RuntimeWarning,
        match=r"34.9 V after rescaling by 1000.*by 0.001 in all, not 1000: --rescale 0.001 on "
        r"the command line \(a manifest's rescale column multiplies",
    ):
        prepare(
            as_recording(x * 1e3, ch_names=NAMES, sfreq=256.0),
            preprocessing=PreprocessingConfig(scale=1e6),
        )


def test_microvolt_epochs_are_told_to_rescale_with_epochs_apply_function():
    """mne.Epochs in microvolts labelled volts (an EpochsArray made of µV samples): the
    Python fix named is the epochs' own ``epochs.apply_function``, not the Raw's."""
    x = _sines(256.0, 8.0, amp=50.0).reshape(3, 2, 1024).transpose(1, 0, 2)  # 2 epochs
    epochs = mne.EpochsArray(x, mne.create_info(NAMES, 256.0, "eeg"), verbose=False)
    with pytest.warns(RuntimeWarning, match="amplitude check") as caught:
        prepare(as_recording(epochs))
    text = str(caught[0].message)
    assert "epochs.apply_function(lambda x: x * 1e-06) before use" in text
    assert "raw.apply_function" not in text


def test_too_small_amplitude_warning():
    rec = as_recording(_sines(256.0, 4.0, amp=50e-12), ch_names=NAMES, sfreq=256.0)
    with pytest.warns(RuntimeWarning, match=r"amplitude check.*scaled wrong.*--rescale 1e\+06"):
        prepare(rec)
    # 1000 times too small (e.g. volts given as units="mV"): about 13 nV typical deviation
    rec = as_recording(_sines(256.0, 4.0, amp=50e-9), ch_names=NAMES, sfreq=256.0)
    with pytest.warns(RuntimeWarning, match=r"amplitude check.*scaled wrong.*--rescale 1000 ") as w:
        prepare(rec)
    assert "units=" not in str(w[0].message)  # no unit makes values smaller than volts


def test_amplitude_advice_spares_the_channels_in_range():
    """Most channels in microvolts labelled volts, one right: the global factor is offered
    with a warning that it would spoil that channel, and the per-channel fix."""
    x = _sines(256.0, 4.0, amp=50e-6)
    x[1:] *= 1e6
    rec = as_recording(x, ch_names=NAMES, sfreq=256.0)
    rec.array_units = None  # as read from a file (a header's wrong unit), not an array
    with pytest.warns(RuntimeWarning, match="amplitude check") as caught:
        prepare(rec)
    text = str(caught[0].message)
    assert f"But {NAMES[0]} is in scalp EEG's range already" in text
    assert f"raw.apply_function(lambda x: x * 1e-06, picks={list(NAMES[1:6])!r}" in text
    with pytest.warns(RuntimeWarning, match="amplitude check") as caught:  # an array: alike,
        prepare(as_recording(x, ch_names=NAMES, sfreq=256.0))  # not "pass units='uV'" alone
    assert f"But {NAMES[0]} is in scalp EEG's range already" in str(caught[0].message)
    x[0] *= 1e6  # all alike: no such note
    rec = as_recording(x, ch_names=NAMES, sfreq=256.0)
    rec.array_units = None
    with pytest.warns(RuntimeWarning, match="amplitude check.*--rescale 1e-06") as caught:
        prepare(rec)
    assert "in scalp EEG's range already" not in str(caught[0].message)


def test_dc_offsets_get_their_own_warning_not_the_amplitude_one():
    """DC offsets (a DC-coupled amplifier) leave the amplitude check alone but are named by the
    offset check; small offsets and plain EEG pass silently."""
    noise = np.random.default_rng(2).normal(0, 20e-6, (3, 2048))
    x = noise + np.array([[30e-3], [-20e-3], [0]])
    with pytest.warns(RuntimeWarning) as record:
        prepare(as_recording(x, ch_names=NAMES, sfreq=256.0))
    assert len(record) == 1
    text = str(record[0].message)
    assert "offset check: 2 channels carry offsets or drift" in text and "amplitude" not in text
    assert f"{NAMES[0]} (30 mV), {NAMES[1]} (-20 mV)" in text and "raw.filter(l_freq=0.5" in text
    assert robust_amplitude(x) == pytest.approx(20e-6 * 0.6745, rel=0.1)
    for quiet in (noise, noise + 50e-6):  # no offset, a small one
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            prepare(as_recording(quiet, ch_names=NAMES, sfreq=256.0))
    # a drift of 4 mV over 8 s, centred on zero: neither an amplitude warning (the amplitude
    # is measured about the slow course) nor silence
    drift = noise + 2e-3 * np.linspace(-1, 1, 2048)
    with pytest.warns(RuntimeWarning) as record:
        prepare(as_recording(drift, ch_names=NAMES, sfreq=256.0))
    assert len(record) == 1 and "spread 1.4" in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prepare(
            as_recording(drift, ch_names=NAMES, sfreq=256.0),
            preprocessing=PreprocessingConfig(detrend="linear"),
        )


# ---------------------------------------------------------------------------------------------
# prepare: epoched recordings
# ---------------------------------------------------------------------------------------------


def _epochs_recording(n_epochs=3, n_times=1000, sfreq=250.0, onsets=None):
    rng = np.random.default_rng(7)
    data = rng.normal(0, 20e-6, (n_epochs, 3, n_times))
    return Recording(data, list(NAMES), sfreq, onsets=onsets)


def test_epochs_each_epoch_one_window():
    rec = _epochs_recording()
    windows = prepare(rec, preprocessing=AS_RECORDED)
    assert windows.data.shape == (3, 3, 1024)
    np.testing.assert_allclose(windows.onsets, [0.0, 4.0, 8.0])
    np.testing.assert_array_equal(windows.n_valid_samples, [1024] * 3)
    expected = resample(rec.data[2], 250.0, 256.0) * 1e3
    np.testing.assert_allclose(windows.data[2], expected, rtol=1e-5, atol=1e-8)
    # an overlap does not apply to epochs: said, and not recorded as if it had
    with pytest.warns(RuntimeWarning, match=r"overlap=2 s does not apply to epochs"):
        overlapped = prepare(rec, preprocessing=AS_RECORDED.updated(overlap=2.0))
    np.testing.assert_array_equal(overlapped.data, windows.data)
    assert overlapped.config.overlap == 0.0


def test_a_start_ignored_for_epochs_is_named_as_given():
    """start_seconds=17.3 on epochs: the note that it does not apply said
    "start_seconds=17.3008 s", the value the config moved it to (between two 256 Hz samples),
    which the user never gave; it names 17.3, through the copies the config is made into."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the move onto 256 Hz: made before the data is seen
        started = AS_RECORDED.updated(start_seconds=17.3).updated(overlap=0.0)
    assert started.start_seconds == 17.3 and started.grid_start_seconds == 17.30078125
    with pytest.warns(RuntimeWarning, match="does not apply to epochs") as caught:
        prepare(_epochs_recording(), preprocessing=started)
    said = [str(w.message) for w in caught if "does not apply to epochs" in str(w.message)]
    assert len(said) == 1 and "start_seconds=17.3 s (" in said[0], said


def test_a_start_off_the_grid_is_kept_as_given_through_copies_and_moved_where_cut():
    """The config moved start_seconds=17.3 onto 256 Hz when made and kept 17.3 in a hidden
    attribute, which dataclasses.replace dropped: a copy's epochs note said 17.30078125, and
    epochs were warned that the start moved and then that it does not apply. The config keeps
    the start as given (a plain field: copies, pickles and replace keep it); a continuous
    recording's windows start at the nearest sample, with the note, and record that start;
    epochs get only the note that it does not apply."""
    import copy
    import dataclasses
    import pickle

    with warnings.catch_warnings(record=True) as caught:  # epochs: only that it does not apply
        warnings.simplefilter("always")
        prepare(_epochs_recording(), preprocessing=AS_RECORDED.updated(start_seconds=17.3))
    said = [str(w.message) for w in caught if "start" in str(w.message)]
    assert len(said) == 1 and "start_seconds=17.3 s (" in said[0], said
    given = AS_RECORDED.updated(start_seconds=17.3)
    with warnings.catch_warnings(record=True) as caught:  # a copy's epochs: named as given
        warnings.simplefilter("always")
        prepare(_epochs_recording(), preprocessing=dataclasses.replace(given, tail="drop"))
    said = [str(w.message) for w in caught if "does not apply" in str(w.message)]
    assert len(said) == 1 and "start_seconds=17.3 s (" in said[0], said
    copies = [given, dataclasses.replace(given, tail="drop"), pickle.loads(pickle.dumps(given)),
              copy.deepcopy(given), given.updated(overlap=0.0)]  # fmt: skip
    rec = Recording(_sines(100.0, 40.0), list(NAMES), 100.0)
    for config in copies:
        assert config.start_seconds == 17.3 and config.grid_start_seconds == 17.30078125
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            windows = prepare(rec, preprocessing=config)
        moved = [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
        assert len(moved) == 1 and moved[0].startswith("start_seconds = 17.3 s is 4428.8 "), moved
        assert windows.onsets[0] == 17.30078125
        assert windows.config.to_dict()["start_seconds"] == 17.30078125  # recorded: the onset
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            prepare(_epochs_recording(), preprocessing=config)
        said = [str(w.message) for w in caught if "start" in str(w.message)]
        assert len(said) == 1 and "start_seconds=17.3 s (" in said[0], said
        assert "does not apply to epochs" in said[0]


@pytest.mark.parametrize(("start", "tail", "error"), [
    (17.3, "drop", "StartPastEndError"), (17.3, "pad", "StartPastEndError"),
    (14.3, "drop", "TooShortError"),
])  # fmt: skip
def test_a_length_error_quotes_the_start_as_given_and_where_it_moved(tmp_path, start, tail, error):
    """start_seconds=17.3 past the end of a 16 s recording (or 14.3, less than a window
    before its end) was refused quoting start_seconds=17.3008, the start moved onto 256 Hz
    rounded, which the user never gave: in memory and streamed, the error quotes the start
    as given and where the windows would start."""
    from eegpt.streaming import WindowStream, open_stream

    info = mne.create_info(list(NAMES), 100.0, "eeg")
    raw = mne.io.RawArray(_sines(100.0, 16.0), info, verbose=False)
    path = tmp_path / "short_raw.fif"
    raw.save(path, verbose=False)
    config = AS_RECORDED.updated(start_seconds=start, tail=tail)
    for make in (lambda: prepare(as_recording(path, verbose=False), preprocessing=config),
                 lambda: WindowStream(open_stream(path, verbose="error"), config)):  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the note of the move
            with pytest.raises(RecordingError) as caught:
                make()
        assert type(caught.value).__name__ == error
        said, moved = str(caught.value), f"{start + 0.00078125:.10g}"  # 17.30078125
        quoted = (f"(start_seconds={start:g}, moved to the nearest 256 Hz sample, {moved} s; "
                  f"command line: --start {start:g})")  # fmt: skip
        assert quoted in said, said
        assert "3008" not in said.replace(moved, "")  # 17.3008: given by no one
    if error == "StartPastEndError":
        assert caught.value.start_seconds == start  # as given


def test_a_moved_start_past_100_s_is_written_exactly():
    """A start of 3600.3 s (lights off an hour in) moves to 3600.30078125 s, 12 digits: the
    note of the move and the length errors wrote it 3600.300781 (10 digits), which is not
    where the windows start, though they claim to say so exactly; every digit is written,
    and a start as given keeps its own text."""
    from eegpt.preprocessing import start_on_grid
    from eegpt.preprocessing_spec import seconds_text
    from eegpt.windowing import start_past_end

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert start_on_grid(3600.3, 256.0) == 3600.30078125
    (note,) = [str(w.message) for w in caught]
    assert "the first window starts at the nearest sample, 3600.30078125 s (" in note, note
    error = str(start_past_end("rec.edf", 60.0, 3600.3))
    assert "(start_seconds=3600.3, moved to the nearest 256 Hz sample, 3600.30078125 s; " \
        "command line: --start 3600.3)" in error, error  # fmt: skip
    # a start given on a sample past 100 s is quoted with every digit, as given (not 3600.300781)
    error = str(start_past_end("rec.edf", 60.0, 3600.30078125))
    assert "(start_seconds=3600.30078125; command line: --start 3600.30078125)" in error, error
    assert [seconds_text(v) for v in (17.0, 17.3, 0.1 + 0.2, 0.00390625, 1e6 + 1 / 256)] == [
        "17", "17.3", "0.3", "0.00390625", "1000000.00390625"
    ]  # fmt: skip


def test_a_start_off_the_grid_moves_alike_in_memory_and_streamed(tmp_path):
    """start_seconds=17.3 on a 100 Hz file (4428.8 samples at 256 Hz): prepare() and the
    streamed path (WindowStream) each start the windows at the nearest sample, 17.30078125 s,
    say so once, and their configs record that start; the config given keeps 17.3."""
    import mne

    from eegpt.streaming import WindowStream, open_stream

    info = mne.create_info(list(NAMES), 100.0, "eeg")
    raw = mne.io.RawArray(_sines(100.0, 40.0), info, verbose=False)
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    config = AS_RECORDED.updated(start_seconds=17.3)
    made = []
    for make in (lambda: prepare(as_recording(path, verbose=False), preprocessing=config),
                 lambda: WindowStream(open_stream(path, verbose="error"), config)):  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            made.append(make())
        moved = [str(w.message) for w in caught if "where windows are cut" in str(w.message)]
        assert len(moved) == 1 and moved[0].startswith("start_seconds = 17.3 s is 4428.8"), moved
    memory, stream = made
    np.testing.assert_allclose(memory.onsets, 17.30078125 + 4.0 * np.arange(5))
    np.testing.assert_array_equal(stream.onsets, memory.onsets)
    assert memory.config.to_dict() == stream.config.to_dict()
    assert stream.config.start_seconds == 17.30078125 and config.start_seconds == 17.3


def test_epochs_nearest_matches_torch_per_epoch():
    rec = _epochs_recording()
    windows = prepare(rec, preprocessing=AS_RECORDED.updated(resample="nearest"))
    expected = torch.nn.functional.interpolate(
        torch.from_numpy(rec.data * 1e3), size=1024, mode="nearest"
    )
    np.testing.assert_allclose(windows.data, expected.numpy().astype(np.float32), rtol=1e-6)


def test_epochs_use_given_onsets():
    rec = _epochs_recording(onsets=np.array([10.0, 25.5, 40.0]))
    np.testing.assert_array_equal(prepare(rec).onsets, [10.0, 25.5, 40.0])


def test_epochs_from_mne():
    sfreq = 256.0
    info = mne.create_info(NAMES, sfreq, "eeg")
    raw = mne.io.RawArray(_sines(sfreq, 30.0), info, verbose="error")
    events = np.array([[512, 0, 1], [2560, 0, 1]])
    epochs = mne.Epochs(
        raw, events, tmin=0.0, tmax=4.0 - 1 / sfreq, baseline=None, preload=True, verbose="error"
    )
    windows = prepare(epochs, preprocessing=AS_RECORDED)
    np.testing.assert_allclose(windows.onsets, [2.0, 10.0])
    np.testing.assert_allclose(windows.data[1], raw.get_data()[:, 2560:3584] * 1e3, rtol=1e-6)


def test_a_window_of_epochs_at_another_rate_is_suggested_as_resampled():
    """0.7 s epochs at 250 Hz (175 samples) become 180 samples at 256 Hz (polyphase rounds
    up), not the nearest 179: both errors name the window that fits them, 180/256 s, and a
    window that is no whole number of 64-sample patches is taken (its last patch padded)."""
    with pytest.raises(ValueError, match=r"for epochs of 0\.7 s at another rate, which "
                       r"resampling to 256 Hz makes 180 samples \(it rounds up\): 0\.703125 s; "
                       r"otherwise the nearest: 0\.69921875 s; a window need not be whole "
                       r"patches of 64 samples \(the model zero-pads"):  # fmt: skip
        PreprocessingConfig(window_seconds=0.7)
    with pytest.raises(ValueError, match=r"\(the nearest: 0\.69921875 s; a window need"):
        PreprocessingConfig(window_seconds=0.7, resample="nearest")  # round: the nearest fits
    short07 = _epochs_recording(n_times=175, sfreq=250.0)
    nearest = PreprocessingConfig(window_seconds=0.69921875)
    with pytest.raises(ValueError, match=r"epochs have 175 samples at 250 Hz \(0\.7000 s; 180 "
                       r"samples at 256 Hz, resampled\) .* make the window "
                       r"as long as the epochs \(0\.703125 s, their 180 samples at 256 Hz\)"):  # fmt: skip
        prepare(short07, preprocessing=nearest)
    windows = prepare(short07, preprocessing=PreprocessingConfig(window_seconds=0.703125))
    assert windows.data.shape == (3, 3, 180)
    assert EEGPTConfig().n_patches(180) == 3  # 2 patches and 52 samples: the last one padded


def test_epochs_a_sample_over_whole_patches_are_told_to_crop_to_them():
    """MNE's tmax is inclusive: epochs from -0.2 to 0.8 s at 1000 Hz have 1001 samples, 257 at
    256 Hz, 4 patches of 64 and 1 sample. The error leads with cropping them to the 4 patches
    and suggests whole patches only (a 257-sample window would end in a patch of 63 zeros);
    both ways it gives work."""
    x = np.random.default_rng(4).normal(0, 2e-5, (3, 3, 1001))
    epochs = mne.EpochsArray(x, mne.create_info(list(NAMES), 1000.0, "eeg"), tmin=-0.2,
                             verbose=False)  # fmt: skip
    with pytest.raises(ValueError, match=r"epochs have 1001 samples at 1000 Hz \(1\.0010 s; 257 "
                       r"samples at 256 Hz, resampled\) .* 4 patches of 64 samples "
                       r"and 1 sample\(s\) more: .* a last patch of 63 zeros and 1 of their "
                       r"samples\. MNE's tmax is inclusive: crop them to the 4 patches and make "
                       r"the window as long \(epochs\.crop\(epochs\.tmin, epochs\.tmin \+ 1 - 1 / "
                       r"epochs\.info\['sfreq'\]\), "
                       r"window_seconds=1\); or zero-pad them into a window of 5 patches "
                       r"\(window_seconds=1\.25 with tail='pad'") as err:  # fmt: skip
        prepare(as_recording(epochs))
    assert "as short as the epochs" not in str(err.value)
    crop = re.search(r"epochs\.crop\(.*?'\]\)", str(err.value))[0]  # runs as given
    cropped = eval(crop.replace("epochs.crop", "epochs.copy().crop"))
    one_second = PreprocessingConfig(window_seconds=1.0)
    assert prepare(as_recording(cropped), preprocessing=one_second).data.shape == (3, 3, 256)
    padded = prepare(as_recording(epochs), preprocessing=PreprocessingConfig(window_seconds=1.25,
                                                                      tail="pad"))  # fmt: skip
    assert padded.data.shape == (3, 3, 320) and padded.n_valid_samples.tolist() == [257] * 3
    # a window shorter than the epochs: cropping to it comes first
    with pytest.raises(ValueError, match=r"inclusive: crop them to the window length "
                       r"\(epochs\.crop\(epochs\.tmin, epochs\.tmin \+ 0\.5 - 1 / epochs\.info\['sfreq'\]\)\); "
                       r"or crop them to "
                       r"the 4 patches and make"):  # fmt: skip
        prepare(as_recording(epochs), preprocessing=PreprocessingConfig(window_seconds=0.5))


def test_a_window_whose_last_patch_is_mostly_zeros_is_questioned_once(monkeypatch):
    """A window of 257 samples is 4 patches and 1 sample, which the model zero-pads into a
    5th patch of 63 zeros: a warning says so once (not for its copies) and names the windows
    of whole patches; a last patch mostly of signal (180 = 2 x 64 + 52) or none say nothing."""
    import eegpt.preprocessing as pp
    from eegpt.errors import EEGPTUserWarning

    monkeypatch.setattr(pp, "_WINDOWS_QUESTIONED", set())
    with pytest.warns(EEGPTUserWarning, match=r"window_seconds=1\.00390625 is 257 samples at "
                      r"256 Hz: 4 patches of 64 samples and 1 more, .* last patch of 1 sample\(s\) "
                      r"of signal and 63 zeros.* window_seconds=1 \(epochs .*\.tmin \+ 1 - 1 / "
                      r"epochs\.info\['sfreq'\]\)\) or 1\.25 \(epochs zero-padded"):  # fmt: skip
        config = PreprocessingConfig(window_seconds=1.00390625)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config.updated(tail="pad")  # its copies, and the same window again, keep quiet
        PreprocessingConfig().updated(window_seconds=1.00390625)
        PreprocessingConfig(window_seconds=0.703125)  # the last patch 52 samples of 64
        PreprocessingConfig(window_seconds=1.25)


def test_epochs_given_as_an_array_too_long_are_told_to_slice_it_at_its_own_rate():
    """Epochs given as an array carry no times: the error says how to slice the array
    (X[..., :n], n counted at its own rate, 1000 of 1001 samples at 250 Hz), with its
    samples at its own rate first, and suggests no epochs.crop, crop_tmin or --crop; the
    slice it gives fits the window."""
    for n_times, cut in ((1001, 1000), (1301, 1000)):  # whole patches and 2 samples; longer
        long = _epochs_recording(n_times=n_times, sfreq=250.0)
        with pytest.raises(ValueError) as err:
            prepare(long)
        said = str(err.value)
        assert said.startswith(f"<array>: each epoch becomes one window, but epochs have "
                               f"{n_times} samples at 250 Hz (")  # fmt: skip
        assert f"X[..., :{cut}], the first {cut} of their {n_times} samples at 250 Hz" in said
        assert not any(word in said for word in ("epochs.crop", "crop_tmin", "--crop", "tmax"))
        assert prepare(Recording(long.data[..., :cut], list(NAMES), 250.0)).data.shape[-1] == 1024
    # at 100.7 Hz no slice gives 1024 samples at 256 Hz (402 give 1022): the one just over
    # it, 403 (1025), is cropped to the window; 402 advised would be refused as too short
    long = _epochs_recording(n_times=420, sfreq=100.7)
    with pytest.raises(ValueError, match=r"X\[\.\.\., :403\], the first 403 of their 420"):
        prepare(long)
    cut = Recording(long.data[..., :403], list(NAMES), 100.7)
    windows = prepare(cut)
    assert windows.data.shape[-1] == 1024 and windows.n_valid_samples.tolist() == [1024] * 3
    resampled = resample(cut.data - cut.data.mean(-2, keepdims=True), 100.7, 256.0) * 1e3
    np.testing.assert_allclose(windows.data, resampled[..., :1024], rtol=1e-5, atol=1e-9)


def test_epochs_wrong_length():
    long = _epochs_recording(n_times=1025, sfreq=256.0)
    with pytest.raises(ValueError, match=r"epochs have 1025 samples.*Cut the array"):
        prepare(long)
    with pytest.raises(ValueError, match="epochs have 1025 samples"):
        prepare(long, preprocessing=PreprocessingConfig(tail="pad"))
    short = _epochs_recording(n_times=500, sfreq=250.0)  # 2 s -> 512 samples at 256 Hz
    with pytest.raises(ValueError, match="tail='pad'"):
        prepare(short)
    windows = prepare(short, preprocessing=PreprocessingConfig(tail="pad"))
    assert windows.data.shape == (3, 3, 1024)
    np.testing.assert_array_equal(windows.n_valid_samples, [512] * 3)
    assert not windows.data[:, :, 512:].any()
    np.testing.assert_allclose(windows.onsets, [0.0, 2.0, 4.0])


def test_prepare_verbose_logs(caplog):
    rec = as_recording(_sines(500.0, 4.0), ch_names=NAMES, sfreq=500.0)
    with caplog.at_level(logging.INFO, logger="eegpt"):
        prepare(rec, verbose=True)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "1 window(s) of 3 channel(s) x 1024 samples at 256 Hz (from 500 Hz" in text


def test_prepare_type_errors():
    rec = as_recording(_sines(256.0, 4.0), ch_names=NAMES, sfreq=256.0)
    with pytest.raises(TypeError, match="PreprocessingConfig"):
        prepare(rec, preprocessing={"sfreq": 256})  # type: ignore[arg-type]


def test_detrend_windows_is_scipys_detrend_over_the_recorded_samples():
    from scipy.signal import detrend

    from eegpt.windowing import detrend_windows

    rng = np.random.default_rng(4)
    windows = rng.normal(0, 1, (5, 3, 100)) + rng.normal(0, 50, (5, 3, 1)) + np.linspace(0, 9, 100)
    n_valid = np.array([100, 100, 60, 1, 100])
    for how in ("constant", "linear"):
        w = windows.copy()
        w[2, :, 60:] = w[3, :, 1:] = 0.0  # zero-padded tails stay zero
        detrend_windows(w, n_valid, how)
        for k, n in enumerate(n_valid):
            np.testing.assert_allclose(
                w[k, :, :n], detrend(windows[k, :, :n], type=how), atol=1e-12
            )
            assert not w[k, :, n:].any()
    same = windows.copy()
    detrend_windows(same, 100, "none")
    np.testing.assert_array_equal(same, windows)
    with pytest.raises(ValueError, match="detrend must be one of"):
        PreprocessingConfig(detrend="mean")
    assert PreprocessingConfig().to_dict()["detrend"] == "none"  # recorded at its default too
    linear = PreprocessingConfig(detrend="linear")
    assert PreprocessingConfig.from_dict(linear.to_dict()) == linear


@pytest.mark.parametrize("tail", ["drop", "pad"])
def test_detrend_takes_dc_offsets_out_before_float32(tail):
    """With detrend, DC offsets of tens of mV and a drift leave the windows of the clean signal
    (float64 arithmetic before the cast), continuous and epoched, and no offset warning."""
    rng = np.random.default_rng(6)
    clean = rng.normal(0, 20e-6, (3, 256 * 10 + 100))
    dc = clean + np.array([[31e-3], [-18e-3], [0.4e-3]]) + np.linspace(0, 2e-3, clean.shape[1])
    config = PreprocessingConfig(detrend="linear", tail=tail)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = prepare(as_recording(dc, ch_names=NAMES, sfreq=256.0), preprocessing=config)
    want = prepare(as_recording(clean, ch_names=NAMES, sfreq=256.0), preprocessing=config)
    assert len(got) == (2 if tail == "drop" else 3)
    np.testing.assert_allclose(got.data, want.data, rtol=0, atol=2e-8)  # ~1 float32 ulp of EEG
    assert np.abs(got.data[:2].mean(axis=-1)).max() < 1e-6  # means of full windows: gone
    epochs = as_recording(dc[:, :2048].reshape(3, 2, 1024).transpose(1, 0, 2).copy(),
                          ch_names=NAMES, sfreq=256.0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_epoch = prepare(epochs, preprocessing=config)
    np.testing.assert_allclose(per_epoch.data.mean(axis=-1), 0, atol=1e-6)


def test_a_needless_rescale_is_advised_away():
    """Volts rescaled as if they were microvolts: the fix is to leave the rescaling out, not
    '--rescale 1'."""
    rec = as_recording(_sines(256.0, 4.0, amp=50e-6), ch_names=NAMES, sfreq=256.0)
    with pytest.warns(
        RuntimeWarning, match=r"after rescaling by 1e-06.*leave out the rescaling"
    ) as w:
        prepare(rec, preprocessing=PreprocessingConfig(scale=1e-3))
    assert "--rescale 1 " not in str(w[0].message)


def test_drifting_dc_does_not_distort_the_edge_windows(tmp_path):
    """A channel drifting under tens of mV of offset (DC-coupled amplifiers such as BioSemi's):
    after resampling, linear detrending makes its windows those of the same signal without the
    offset and drift, the first and last windows too (the filter no longer sees a step at the
    edges). Whole recording and streamed file alike."""
    import mne

    from eegpt.api import embed
    from eegpt.config import EEGPTConfig
    from eegpt.model import EEGPT

    torch.manual_seed(0)
    model = EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4, embed_num=2)).eval()
    rng = np.random.default_rng(0)
    n = 500 * 60
    clean = rng.normal(0, 2e-5, (4, n))
    drift = rng.uniform(-30e-3, 30e-3, (4, 1)) + np.linspace(0, 1e-3, n)
    info = mne.create_info(["C3", "CZ", "C4", "PZ"], 500.0, "eeg")
    a = embed(model, mne.io.RawArray(clean, info, verbose=False), detrend="linear")
    raw = mne.io.RawArray(clean + drift, info, verbose=False)
    b = embed(model, raw, detrend="linear")
    scale = np.abs(a.data).max(axis=(1, 2, 3))
    err = np.abs(a.data - b.data).max(axis=(1, 2, 3)) / scale
    assert err.max() < 1e-3, err  # was 0.55 for the first window, 0.18 for the last
    raw.save(tmp_path / "drift_raw.fif")
    streamed = embed(model, tmp_path / "drift_raw.fif", detrend="linear")
    np.testing.assert_allclose(streamed.data, b.data, rtol=0, atol=1e-4 * scale.max())

    # a wild first or last sample (a dropped sample, a settling spike) stays in its own window
    for where in (0, -1):
        spoilt = clean + drift
        spoilt[:, where] = 0.0
        c = embed(model, mne.io.RawArray(spoilt, info, verbose=False), detrend="linear")
        err = np.abs(c.data - b.data).max(axis=(1, 2, 3)) / scale
        inner = err[1:-1]
        assert inner.max() < 1e-3, (where, inner.max())


def test_a_model_rate_other_than_the_pretraining_rate_is_questioned():
    """``sfreq`` is the model's rate, not the data's: 250 (a common amplifier rate) set there
    by mistake would feed pretrained weights 1000-sample windows of slowed EEG."""
    import eegpt.preprocessing as pp

    pp._RATES_QUESTIONED.discard(250.0)
    with pytest.warns(UserWarning, match=r"sfreq=250\): sfreq is the rate the windows are "
                      r"resampled to .*not the rate of your data"):  # fmt: skip
        config = PreprocessingConfig(sfreq=250.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once: its copies (a file's rescale, grid searches) and
        config.updated(scale=2.0)  # another one of that rate say nothing more
        PreprocessingConfig(sfreq=250.0, window_seconds=2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PreprocessingConfig(sfreq=256)
        PreprocessingConfig().updated(window_seconds=2.0)


def test_detrend_none_is_taken_as_no_detrending():
    """None (scikit-learn's "nothing", as in a grid over [None, 'linear']) is 'none'."""
    config = PreprocessingConfig(detrend=None)
    assert config.detrend == "none" and config == PreprocessingConfig()
    assert config.to_dict()["detrend"] == "none"


def test_detrend_is_recorded_at_its_default_and_old_records_still_read():
    """Every record holds detrend, "none" included; a record from before (without it) reads
    as "none", and a corpus run's stored spec without it still matches today's, so its folder
    resumes; the embedding cache's keys stay those of entries cached before."""
    import hashlib
    import json

    from eegpt.dataset_read import spec_differences
    from eegpt.probe import EmbeddingCache

    new = PreprocessingConfig().to_dict()
    assert new["detrend"] == "none"
    old = {k: v for k, v in new.items() if k not in ("detrend", "start_seconds")}  # before both
    assert PreprocessingConfig.from_dict(old) == PreprocessingConfig()
    assert spec_differences({"preprocessing": old}, {"preprocessing": new}) == []
    linear = {**new, "detrend": "linear"}
    assert spec_differences({"preprocessing": old}, {"preprocessing": linear}) == [
        "preprocessing.detrend ('none' -> 'linear')"
    ]
    windows = np.zeros((1, 2, 8), dtype=np.float32)
    h = hashlib.sha256(b"eegpt-embeddings-v1|")  # a key as made before detrend was recorded
    h.update(b"fp|float32|[1, 2]|")
    h.update(json.dumps(old, sort_keys=True).encode())
    h.update(f"|{windows.shape}|".encode())
    h.update(memoryview(windows).cast("B"))
    key = EmbeddingCache.key(fingerprint="fp", windows=windows, chan_ids=[1, 2],
                             precision="float32", preprocessing=PreprocessingConfig())  # fmt: skip
    assert key == h.hexdigest()


def test_an_hour_scale_start_off_the_grid_is_moved_and_said():
    """whole_samples' tolerance grew with the count (1e-6 of it), so a start an hour in took a
    quarter sample off the grid as whole: start_seconds=3000.001 (768000.256 samples at
    256 Hz) was cut at 3000 s while the onsets said 3000.001. The tolerance is a millionth of
    a sample, whatever the count; a start off the grid is moved to the nearest sample with a
    note where the windows are cut, and that is the start recorded (as --start annotations'
    onsets are); the config keeps the start given."""
    from eegpt.cli_options import start_seconds
    from eegpt.preprocessing import on_the_grid

    late = PreprocessingConfig(start_seconds=3000.001)
    assert late.start_seconds == 3000.001 and late.grid_start_seconds == 3000.0
    with pytest.warns(EEGPTWarning, match=r"3000\.001 s is 768000\.256 samples at 256 Hz, where "
                      r"windows are cut .* nearest sample, 3000 s \(1 ms earlier\)"):  # fmt: skip
        assert on_the_grid(late).start_seconds == 3000.0
    assert start_seconds("20000.003") == 20000.003  # moved where the windows are made
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        day = on_the_grid(PreprocessingConfig(start_seconds=86399.99609375))  # whole samples
        assert on_the_grid(PreprocessingConfig(start_seconds=17.0)).start_seconds == 17.0
    assert day.start_samples == 86399.99609375 * 256
    assert PreprocessingConfig(window_seconds=0.1 * 3, sfreq=250.0).n_samples == 75
    assert start_seconds("3000.00390625") == 3000.00390625


def _epochs_in_volts(n_epochs=21, seed=0):
    """Noise epochs [n, 50, 800] in volts (~2e-5 V deviation) on 50 vocabulary channels."""
    names = [n for n in VOCABULARY if n not in ("AF7", "AF8", "PO5", "PO6")][:50]
    return np.random.default_rng(seed).standard_normal((n_epochs, 50, 800)) * 2e-5, names


def _amplitude_messages(data, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(as_recording(data, **kwargs))
    return [str(w.message) for w in caught if "amplitude check" in str(w.message)]


def test_epochs_in_another_unit_among_the_others_are_named():
    """Subjects concatenated into one array, some in microvolts: the whole array's median
    hides a minority, and a majority would get a units= advice that breaks the others."""
    x, names = _epochs_in_volts()
    x[18:] *= 1e6  # 3 of 21 in microvolts
    (text,) = _amplitude_messages(x, ch_names=names, sfreq=200.0, units="V")
    assert "the epochs mix scales (read with units='V'): epochs 18-20 (3 of 21) are ~1e6 " in text
    assert "times larger than the others" in text and "another unit (µV among V)" in text
    assert "multiply epochs 18-20 (3 of 21) by 1e-06" in text
    # 10 of 21 in microvolts, 11 in volts, given as units='uV': no "pass units='V'"
    x, names = _epochs_in_volts()
    x[:10] *= 1e6
    (text,) = _amplitude_messages(x, ch_names=names, sfreq=200.0, units="uV")
    assert "epochs 0-9 (10 of 21) are ~1e6 times larger" in text and "(µV among V)" in text
    assert "multiply epochs 10-20 (11 of 21) by 1e+06" in text and "pass units" not in text
    # an mne.Epochs object alike, scattered millivolt epochs among volts
    x, names = _epochs_in_volts()
    x[[2, 5, 6, 7]] *= 1e3
    epochs = mne.EpochsArray(x, mne.create_info(names, 200.0, "eeg"), verbose=False)
    (text,) = _amplitude_messages(epochs)
    assert "epochs 2, 5-7 (4 of 21) are ~1e3 times larger" in text and "(mV among V)" in text


def test_disconnected_epochs_and_artefacts_are_no_unit_mix():
    """An epoch with the amplifier disconnected (nanovolts of noise), one with 8 of 12
    channels at lead-off, and a 400x artefact are no epochs in another unit: no warning.
    A millivolt channel among them is still named on its own."""
    x, names = _epochs_in_volts(40)
    rng = np.random.default_rng(1)
    for odd in ("disconnected", "lead-off", "artefact"):
        y = x.copy()
        if odd == "disconnected":
            y[5] = rng.standard_normal(y[5].shape) * 3e-9
        elif odd == "lead-off":
            y[3, :35] = rng.standard_normal((35, 800)) * 1e-9
        else:
            y[7] *= 400
        assert _amplitude_messages(y, ch_names=names, sfreq=200.0, units="V") == [], odd
    y[:, 0] *= 1e3  # and a channel in millivolts
    (text,) = _amplitude_messages(y, ch_names=names, sfreq=200.0, units="V")
    assert f"channel(s) {names[0]} (0.0" in text and "mix scales" not in text


def test_a_disconnected_epoch_is_no_unit_mix_whatever_unit_is_declared():
    """An epoch of 30 nV noise (the amplifier disconnected) among epochs of 20 µV is a
    thousandth of the others, below scalp EEG's range in volts, which millivolts among
    microvolts (or volts among millivolts) are too: amplitude cannot tell them apart, and the
    warning names both, with the fix for each. Declared in volts no unit explains it (nV among
    V), and an epoch of 3 nV (~1e4 smaller) is no unit mix whatever is declared. Microvolt
    epochs among volts are still named."""
    x, names = _epochs_in_volts()
    x[5] = np.random.default_rng(2).standard_normal(x[5].shape) * 3e-8
    texts = _amplitude_messages(x, ch_names=names, sfreq=200.0, units="V")
    assert not [t for t in texts if "mix scales" in t], texts
    for units, per_volt, mix in (("mV", 1e3, "V among mV"), ("uV", 1e6, "mV among µV")):
        texts = _amplitude_messages(x * per_volt, ch_names=names, sfreq=200.0, units=units)
        assert len(texts) == 1, (units, texts)
        assert "epoch 5 is ~1e3 times smaller than the others (" in texts[0]
        assert f"disconnected (amplifier or electrodes off), or another unit ({mix})?" in texts[0]
        unit = mix.split()[0]
        assert f"If it is in {unit}, multiply epoch 5 by 1000" in texts[0]
        assert "if disconnected, leave it out." in texts[0]
    x[5] = np.random.default_rng(2).standard_normal(x[5].shape) * 3e-9
    for units, per_volt in (("V", 1.0), ("mV", 1e3), ("uV", 1e6)):
        texts = _amplitude_messages(x * per_volt, ch_names=names, sfreq=200.0, units=units)
        assert not [t for t in texts if "mix scales" in t], (units, texts)
    y = x.copy()
    y[18:] *= 1e6  # 3 of 21 in microvolts, among volts
    (text,) = _amplitude_messages(y, ch_names=names, sfreq=200.0, units="V")
    assert "epochs 18-20 (3 of 21) are ~1e6 times larger" in text and "(µV among V)" in text


def test_millivolt_epochs_among_microvolts_are_warned_of_as_either_unit_or_disconnected():
    """Millivolt epochs declared as microvolts read ~1e-8 V, a thousandth of the others and
    below scalp EEG's range, as a disconnected amplifier does: warned of as either, with the
    fix for each. Beside epochs in another unit for sure, both are named in one warning."""
    x, names = _epochs_in_volts()
    y = x * 1e6
    y[15:21] *= 1e-3
    (text,) = _amplitude_messages(y, ch_names=names, sfreq=200.0, units="uV")
    assert "epochs 15-20 (6 of 21) are ~1e3 times smaller than the others (1.3" in text
    assert "disconnected (amplifier or electrodes off), or another unit (mV among µV)?" in text
    assert "If they are in mV, multiply epochs 15-20 (6 of 21) by 1000" in text
    assert "if disconnected, leave them out." in text
    y = x * 1e3
    y[15:21] *= 1e-3
    y[:3] *= 1e3  # microvolts among millivolts
    (text,) = _amplitude_messages(y, ch_names=names, sfreq=200.0, units="mV")
    assert "epochs 0-2 (3 of 21) are ~1e3 times larger" in text and "(µV among mV)" in text
    assert "or another unit (V among mV)? (if they are in V, multiply epochs 15-20" in text
    assert "cannot fit them all: multiply epochs 0-2 (3 of 21) by 0.001" in text


def test_a_channel_scaled_wrong_is_named_beside_epochs_in_another_unit():
    """The epochs warning replaces the whole input's units= advice only: a channel in
    millivolts among the volts is named all the same."""
    x, names = _epochs_in_volts()
    x[18:] *= 1e6  # 3 of 21 in microvolts
    x[:, 0] *= 1e3
    texts = _amplitude_messages(x, ch_names=names, sfreq=200.0, units="V")
    assert len(texts) == 2
    assert "epochs 18-20 (3 of 21) are ~1e6 times larger" in texts[0]
    assert "another unit (µV among V). One unit" in texts[0]
    assert f"channel(s) {names[0]} (0.0" in texts[1] and "scaled wrong" in texts[1]


def test_a_channel_scaled_wrong_is_named_when_mixed_epochs_put_the_median_out_of_range():
    """10 of 21 epochs in microvolts, 11 in volts, declared microvolts: the median channel is
    out of scalp EEG's range through the epochs, and the whole input's units= advice is left
    out. A channel a thousand times the others is named all the same, by the other channels'
    deviation rather than scalp EEG's range (which every channel is out of)."""
    x, names = _epochs_in_volts()
    x[:10] *= 1e6
    texts = _amplitude_messages(x, ch_names=names, sfreq=200.0, units="uV")
    assert len(texts) == 1 and "mix scales" in texts[0]  # no channel named: none is odd
    x[:, 3] *= 1e3
    texts = _amplitude_messages(x, ch_names=names, sfreq=200.0, units="uV")
    assert len(texts) == 2 and "mix scales" in texts[0] and "pass units" not in texts[0]
    assert texts[1].startswith(f"<array>: amplitude check: channel(s) {names[3]} (")
    assert "far from the other channels'" in texts[1] and "scaled wrong" in texts[1]
    assert "of scalp EEG" not in texts[1]


def test_a_few_epochs_in_volts_among_microvolts_are_named():
    """Declared microvolts, a few epochs in volts: they read a millionth of scalp EEG's
    amplitude (~1e-11 V), far below any amplifier's noise, so not taken for a disconnected
    amplifier: named as another unit."""
    x, names = _epochs_in_volts()
    y = x * 1e6  # microvolts
    y[[2, 9]] = x[[2, 9]]  # two epochs left in volts
    (text,) = _amplitude_messages(y, ch_names=names, sfreq=200.0, units="uV")
    assert "epochs 2, 9 (2 of 21) are ~1e6 times smaller" in text
    assert "another unit (V among µV)" in text


def test_realistic_epoch_variability_and_single_epochs_keep_the_whole_check():
    """An artefact epoch 20x larger is no unit; one epoch has nothing to compare with."""
    x, names = _epochs_in_volts()
    x[4] *= 20
    assert _amplitude_messages(x, ch_names=names, sfreq=200.0) == []
    (text,) = _amplitude_messages(x[:1] * 1e6, ch_names=names, sfreq=200.0)
    assert "mix scales" not in text and "pass units='uV'" in text
    stats = SignalStats.of(x)
    assert stats.epoch_deviation is not None and stats.epoch_deviation.shape == (21,)
    assert stats.epoch_deviation[4] / np.median(stats.epoch_deviation) == pytest.approx(20, 0.2)
    assert SignalStats.of(x[0]).epoch_deviation is None  # continuous: none


def test_microvolts_in_an_npz_without_units_are_told_to_store_the_unit_in_it():
    """An .npz of epochs arrays read without a ``units`` entry (volts) whose samples look like
    microvolts: the warning names the simplest fix, storing units='uV' in the .npz (which
    eegpt embed and the probe commands read), beside the other fixes; other sources don't."""
    x = _sines(256.0, 4.0, amp=50.0)[None]  # [1, C, T], microvolts read as volts
    rec = Recording(x, list(NAMES), 256.0, source="/data/deap_s01.npz")
    with pytest.warns(RuntimeWarning, match="amplitude check") as caught:
        prepare(rec, preprocessing=AS_RECORDED)
    said = " ".join(str(w.message) for w in caught)
    assert "--rescale 1e-06" in said and "model.embed(x, ..., units='uV')" in said
    assert (
        "store the unit in the .npz: np.savez('deap_s01.npz', X=X, ch_names=ch_names, "
        "sfreq=sfreq, units='uV', ...), which eegpt embed and the probe commands read" in said
    )
    with pytest.warns(RuntimeWarning, match="amplitude check") as caught:
        prepare(_as_read(_sines(256.0, 4.0, amp=50.0)), preprocessing=AS_RECORDED)  # an .edf
    assert not any(".npz" in str(w.message) for w in caught)


def test_long_mne_epochs_are_told_to_crop_them_window_by_window(model):
    """mne.Epochs two windows long: beside the array recipes (X = epochs.get_data() keeps
    neither their bad channels nor their event times), the refusal shows the epochs' own
    crops, window by window; its code runs, leaves the bad channel out and gives the
    windows of the continuous recording."""
    rng = np.random.default_rng(5)
    names = ["Fp1", "Fp2", "C3", "C4", "O1", "O2"]
    raw = mne.io.RawArray(
        rng.normal(0, 20e-6, (6, 40 * 256)), mne.create_info(names, 256.0, "eeg"), verbose=False
    )
    raw.info["bads"] = ["C3"]
    epochs = mne.make_fixed_length_epochs(raw, duration=8.0, preload=True, verbose=False)
    with pytest.raises(RecordingError) as err, pytest.warns(RuntimeWarning, match="bad"):
        model.embed(epochs, device="cpu")
    code = re.search(r"(\[model\.embed\(epochs\.copy\(\)\.crop\(.*?range\(2\)\])", str(err.value))
    assert code is not None, str(err.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # C3 left out, as warned above
        first, second = eval(code.group(1), {"model": model, "epochs": epochs})
        whole = model.embed(raw, device="cpu")
    assert second.onsets.tolist() == [4.0, 12.0, 20.0, 28.0, 36.0][: len(second.onsets)]
    assert "C3" not in first.metadata["channels"]["input_names"]
    # the advised code runs on the default device (a GPU where there is one), ``whole`` on
    # the CPU: equal to float32 rounding, not bit for bit
    tol = dict(rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(first.data, whole.data[0::2][: len(first.data)], **tol)
    np.testing.assert_allclose(second.data, whole.data[1::2][: len(second.data)], **tol)


def test_epochs_many_windows_long_are_told_to_cut_them_into_consecutive_windows():
    """Long trials given as epochs: the error names the usual practice beside cropping and a
    longer window, cutting each trial into consecutive 4 s windows (a continuous [C, T] array
    each, or a reshape), and the reshape it shows gives those windows, trial by trial. DEAP's
    63 s trials (at 128 Hz) are cut after their 3 s pre-trial baseline, as docs/downstream.md's recipe
    does (the advice kept the baseline and cut the last 3 s of stimulus); epochs shorter than
    two windows get no such advice."""
    trials = np.random.default_rng(3).normal(0, 20e-6, (2, 3, 63 * 128))
    with pytest.raises(RecordingError) as err:
        prepare(Recording(trials, list(NAMES), 128.0))
    said = str(err.value)
    assert "X[..., :512], the first 512" in said  # cropping, as before
    assert (
        "Or, as usual for long trials, cut each trial into 15 consecutive 4 s windows after "
        "its first 3 s (DEAP's 63 s trials begin with 3 s of pre-trial baseline: X[..., 384:] "
        "leaves it out): embed each trial as a continuous [C, T] array (model.embed("
        "X[i, :, 384:], ch_names=..., sfreq=..., units=...) for each trial i), or reshape them "
        "into epochs: X[..., 384:8064].reshape(2, 3, 15, 512).transpose(0, 2, 1, 3)"
        ".reshape(-1, 3, 512)" in said
    )
    hint = re.search(r"reshape them into epochs: (X\[.*?\.reshape\(-1, 3, 512\))", said)
    assert hint is not None
    cut = eval(hint.group(1), {"X": trials})  # the hint's own code
    assert cut.shape == (30, 3, 512)
    assert np.array_equal(cut[15 + 2], trials[1, :, 384 + 2 * 512 : 384 + 3 * 512])
    assert prepare(Recording(trials[1, :, 384:], list(NAMES), 128.0)).data.shape[0] == 15
    with pytest.raises(RecordingError) as err:  # 62 s: no baseline of DEAP's to leave out
        prepare(Recording(trials[..., : 62 * 128], list(NAMES), 128.0))
    assert "DEAP" not in str(err.value)
    assert "X[..., :7680].reshape(2, 3, 15, 512)" in str(err.value)
    with pytest.raises(RecordingError) as err:  # 6 s: one window and a half, no such advice
        prepare(Recording(trials[..., : 6 * 128], list(NAMES), 128.0))
    assert "consecutive" not in str(err.value)


def test_names_public_here_before_the_split_still_import_from_preprocessing():
    """Every name eegpt.preprocessing listed in __all__ before its steps had modules of their
    own imports from it still, as the moved module's own object (code written before)."""
    import importlib

    import eegpt.preprocessing as pp

    homes = {
        "eegpt.resampling": ("fill_nonfinite", "nearest_indices", "nearest_source",
                             "polyphase_ratio", "resample", "taken_rate"),
        "eegpt.signal_stats": ("SignalStats", "robust_amplitude"),
        "eegpt.signal_checks": ("check_finite", "check_signal"),
        "eegpt.windowing": ("Windows", "cut_windows", "detrend_windows", "window_starts"),
    }  # fmt: skip
    for module, names in homes.items():
        home = importlib.import_module(module)
        for name in names:
            assert name in pp.__all__, name
            assert getattr(pp, name) is getattr(home, name), name
