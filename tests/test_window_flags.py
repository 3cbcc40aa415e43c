"""Per-window quality flags: the windows over the flat and clipped stretches the signal checks
name are recorded (``flat_channels``, ``clipped_channels``, :attr:`Embeddings.flagged`), in
memory, streamed, in .npz and .parquet files; files without them still load. And the
amplitude and offset checks, like the flat and clipping ones, skip rejected bad spans."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eegpt.annotations import BadSpans
from eegpt.io import as_recording
from eegpt.preprocessing import prepare
from eegpt.signal_stats import FLAT_RUNS_KEPT, SignalStats

NAMES = ["Fp1", "Fp2", "C3", "C4", "Pz", "P4", "O1", "O2"]
SFREQ = 128.0


def _recording() -> np.ndarray:
    """[8, 120 s] in volts: 10 µV noise; Pz flat (zeros) from 20 to 40 s, O1 flat for 2 s
    only from 60 s (too short to be named), Fp1 clipped at ±200 µV from 80 to 85 s (a
    large oscillation at both rails, not flat)."""
    x = np.random.default_rng(4).standard_normal((8, int(120 * SFREQ))) * 1e-5
    x[4, int(20 * SFREQ) : int(40 * SFREQ)] = 0.0
    x[6, int(60 * SFREQ) : int(62 * SFREQ)] = 0.0
    at = slice(int(80 * SFREQ), int(85 * SFREQ))
    x[0, at] += 3e-3 * np.sin(2 * np.pi * 0.7 * np.arange(at.stop - at.start) / SFREQ)
    x[0] = np.clip(x[0], -2e-4, 2e-4)
    return x


#: the 4 s windows (onsets 0, 4, ... s) over those stretches
FLAT_ONSETS = [20.0, 24.0, 28.0, 32.0, 36.0]
CLIPPED_ONSETS = [80.0, 84.0]


def _quietly(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _expected(onsets: np.ndarray, hit: list[float], name: str) -> list[list[str]]:
    return [[name] if onset in hit else [] for onset in onsets.tolist()]


def test_the_windows_over_the_named_stretches_are_flagged():
    """Pz's flat stretch and Fp1's clipped one, which the warnings name, flag the windows
    over them with the channel's name; O1's 2 s, too short to be warned of, flags none."""
    windows = _quietly(prepare, as_recording(_recording(), ch_names=NAMES, sfreq=SFREQ))
    assert windows.flags is not None
    assert windows.flags.flat["Pz"].tolist() == [[20.0, 40.0]] and "O1" not in windows.flags.flat
    flags = windows.flags.per_window(windows.onsets, 4.0)
    assert flags["flat_channels"] == _expected(windows.onsets, FLAT_ONSETS, "Pz")
    assert flags["clipped_channels"] == _expected(windows.onsets, CLIPPED_ONSETS, "Fp1")


def _dead_electrodes() -> np.ndarray:
    """[8, 30 s] in volts: 10 µV noise; C3 all zeros, C4 constant at 1 mV (dead electrodes)."""
    x = np.random.default_rng(2).standard_normal((8, int(30 * SFREQ))) * 1e-5
    x[2], x[3] = 0.0, 1e-3
    return x


def test_channels_flat_throughout_flag_every_window():
    """A channel flat for the whole recording (zeros, or constant) is flagged flat in every
    window, as one clipped throughout is clipped in every window, and still warned of."""
    with pytest.warns(RuntimeWarning, match="flat channel"):
        windows = prepare(as_recording(_dead_electrodes(), ch_names=NAMES, sfreq=SFREQ))
    assert windows.flags is not None
    flags = windows.flags.per_window(windows.onsets, 4.0)
    assert len(windows.onsets) == 7
    assert flags["flat_channels"] == [["C3", "C4"]] * 7
    from eegpt._window_flags import flagged_mask

    assert flagged_mask(flags, 7).all()


def test_a_streamed_file_flags_its_dead_electrodes_in_every_window(model, tmp_path):
    """A file embedded block by block (its checks on a scan, as embed-dataset's shards are)
    flags its channels flat throughout in every window."""
    import mne

    import eegpt

    path = tmp_path / "dead_raw.fif"
    info = mne.create_info(NAMES, SFREQ, "eeg")
    mne.io.RawArray(_dead_electrodes(), info, verbose="error").save(path, verbose="error")
    emb = _quietly(eegpt.embed, model, path)
    assert emb.flat_channels == [["C3", "C4"]] * len(emb) and emb.flagged.all()


def test_an_egi_reference_kept_under_the_average_reference_flags_no_window():
    """An EGI net's Cz stored as zeros, kept under the average reference (which gives it
    back its signal), is no dead electrode: it flags no window."""
    from eegpt.signal_checks import check_signal

    names = [f"E{i}" for i in range(1, 9)] + ["Cz"]
    x = np.random.default_rng(3).standard_normal((9, int(30 * SFREQ))) * 1e-5
    x[8] = 0.0
    stats = SignalStats.of(x, int(SFREQ), sfreq=SFREQ)
    flags = _quietly(check_signal, stats, names, "rec", sfreq=SFREQ, average_reference=True)
    assert flags is not None and flags.flat == {}
    flags = _quietly(check_signal, stats, names, "rec", sfreq=SFREQ)
    assert flags is not None and flags.flat["Cz"].tolist() == [[0.0, 30.0]]


def _saturated(seconds: float) -> np.ndarray:
    """[8, ``seconds``] in volts: 20 µV noise; C3 saturated at ±150 µV from 72 to 80 s (the
    noise amplified 20x and clipped: about a third of those samples at each rail)."""
    x = np.random.default_rng(9).standard_normal((8, int(seconds * SFREQ))) * 2e-5
    at = slice(int(72 * SFREQ), int(80 * SFREQ))
    x[2, at] = np.clip(x[2, at] * 20, -1.5e-4, 1.5e-4)
    return x


@pytest.mark.parametrize("seconds", [120.0, 600.0])
def test_a_held_rail_is_clipped_whatever_the_recording_length(seconds):
    """8 s at the rails is warned of and flags the windows over it (onsets 72 and 76 s) in a
    10-minute recording as in a 2-minute one, though under 1% of C3's samples sit there."""
    recording = as_recording(_saturated(seconds), ch_names=NAMES, sfreq=SFREQ)
    with pytest.warns(RuntimeWarning, match=r"clipping check: channel\(s\) C3 \(.*0:01:12"):
        windows = prepare(recording)
    assert windows.flags is not None
    flags = windows.flags.per_window(windows.onsets, 4.0)
    assert flags["clipped_channels"] == _expected(windows.onsets, [72.0, 76.0], "C3")


def test_a_few_touches_of_the_extreme_are_not_clipped():
    """A channel whose maximum a few isolated samples reach (less than a second apart, so one
    rail stretch of over 4 s, but not held) is neither warned of nor flagged."""
    x = _saturated(600.0)
    x[2] = x[3] * 0.5  # C3 plain 10 µV noise
    x[2, [int(t * SFREQ) for t in (30.0, 30.9, 31.8, 32.7, 33.6, 34.5)]] = 1e-4
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        windows = prepare(as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    assert not [w for w in caught if "clipping check" in str(w.message)]
    assert windows.flags is not None and "C3" not in windows.flags.clipped


def _short_clips() -> np.ndarray:
    """[8, 600 s] in volts, 10 µV noise quantised in 0.1 µV steps (as an EDF stores it) with
    100 µV eye blinks on Fp1 every 5 s: C3 a 5 s 1 mV artefact (2 Hz) from 100 s, Pz 0.3 s
    electrode pops of 1 mV from 201 and 441 s, both clipped at the file's ±200 µV: each flat
    top under 1 s, under 1% of the channel's samples."""
    x = np.random.default_rng(5).standard_normal((8, int(600 * SFREQ))) * 1e-5
    t = np.arange(x.shape[-1]) / SFREQ
    for blink in np.arange(2.5, 600.0, 5.0):
        x[0] += 1e-4 * np.exp(-0.5 * ((t - blink) / 0.08) ** 2)
    at = slice(int(100 * SFREQ), int(105 * SFREQ))
    x[2, at] += 1e-3 * np.sin(2 * np.pi * 2 * t[: at.stop - at.start])
    for pop in (201.0, 441.0):
        x[4, int(pop * SFREQ) : int((pop + 0.3) * SFREQ)] += 1e-3
    return np.round(np.clip(x, -2e-4, 2e-4) / 1e-7) * 1e-7


def test_short_clips_at_the_rails_are_warned_of_and_flag_their_windows():
    """Flat tops at the rails under a second each and under 1% of the samples (a 1 mV
    artefact for 5 s, two 0.3 s pops) are clipping: warned of with where they are, and the
    windows over them flagged (onsets 100 and 104 s; 200 and 440 s), no other window: the
    blinks and the quantised noise of the other channels flag nothing."""
    x = _short_clips()
    assert ((x[[2, 4]] == 2e-4).mean(axis=-1) < 0.01).all()
    with pytest.warns(RuntimeWarning, match=r"clipping check: channel\(s\) C3 \(.*0:01:40") as w:
        windows = prepare(as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    (clipping,) = [str(m.message) for m in w if "clipping check" in str(m.message)]
    assert "Pz (" in clipping and "0:03:21" in clipping
    assert windows.flags is not None and not windows.flags.flat
    flags = windows.flags.per_window(windows.onsets, 4.0)
    expected = [
        ["C3"] if onset in (100.0, 104.0) else ["Pz"] if onset in (200.0, 440.0) else []
        for onset in windows.onsets.tolist()
    ]
    assert flags["clipped_channels"] == expected


def test_a_gentle_artefact_clipped_with_noise_dipping_off_the_rail_is_clipped():
    """A 300 µV artefact (0.3 s wide) clipped at the file's 200 µV on C3, twice: its flat top
    (half a second, under 1% of the samples) is held at the rail but for a few samples where
    the 10 µV noise dips off it, a few µV away; it was taken for slow EEG hovering about its
    peak (neither at the rail throughout nor swinging away) and said nothing. Its rail lies
    far beyond the channel's EEG: warned of, and the windows over it (across 100 and 200 s)
    flagged."""
    x = np.random.default_rng(1).standard_normal((8, int(300 * SFREQ))) * 1e-5
    t = np.arange(x.shape[-1]) / SFREQ
    for at in (100.0, 200.0):
        x[2] += 3e-4 * np.exp(-0.5 * ((t - at) / 0.3) ** 2)
    x = np.round(np.clip(x, -2e-4, 2e-4) / 1e-7) * 1e-7
    at_rail = x[2] == x[2].max()
    assert (
        at_rail.mean() < 0.01
        and 0.8
        < at_rail[int(99 * SFREQ) : int(101 * SFREQ)].sum()
        / (np.ptp(np.flatnonzero(at_rail[int(99 * SFREQ) : int(101 * SFREQ)])) + 1)
        < 1
    )  # mostly at the rail, not throughout
    with pytest.warns(RuntimeWarning, match=r"clipping check: channel\(s\) C3 \(") as w:
        windows = prepare(as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    assert not [m for m in w if "clipping check" in str(m.message) and "Fp1" in str(m.message)]
    assert windows.flags is not None
    flags = windows.flags.per_window(windows.onsets, 4.0)["clipped_channels"]
    assert [o for o, f in zip(windows.onsets.tolist(), flags, strict=True) if f] == [
        96.0,
        100.0,
        196.0,
        200.0,
    ]


def test_a_clip_under_a_second_is_said_to_last_its_tenths():
    """A 0.3 s electrode pop at the rail was said to last "0 s"; it says 0.3 s."""
    with pytest.warns(RuntimeWarning, match="clipping check") as w:
        prepare(as_recording(_short_clips(), ch_names=NAMES, sfreq=SFREQ))
    (clipping,) = [str(m.message) for m in w if "clipping check" in str(m.message)]
    assert "from 0:03:21 for 0.3 s, from 0:07:21 for 0.3 s)" in clipping
    assert "from 0:01:40 for 5 s)" in clipping and "for 0 s" not in clipping


def test_a_single_touch_of_the_rail_beside_a_clip_is_not_said_to_last_0_s():
    """A stretch of one sample at the rail, listed beside a clipped channel's longer ones,
    was said to last "0 s" still (rounded to the tenth); it is said to last under 0.1 s."""
    x = _short_clips()
    x[4, int(300 * SFREQ)] = x[4].max()  # Pz touches its rail once more, at 0:05:00
    with pytest.warns(RuntimeWarning, match="clipping check") as w:
        prepare(as_recording(x, ch_names=NAMES, sfreq=SFREQ))
    (clipping,) = [str(m.message) for m in w if "clipping check" in str(m.message)]
    assert "from 0:05:00 for under 0.1 s" in clipping and "for 0 s" not in clipping


def _slow_eeg(seed: int) -> np.ndarray:
    """[8, 120 s] in volts: 15 µV of 1/f² EEG at SFREQ (slow waves dominate, as in sleep),
    0.5 µV of amplifier noise, 100-150 µV blinks on Fp1 every 4 s, quantised in 1 µV steps:
    about its slow peaks the signal hovers a step or two off its largest value."""
    rng = np.random.default_rng(seed)
    n = int(120 * SFREQ)
    f = np.fft.rfftfreq(n, 1 / SFREQ)
    spectrum = rng.standard_normal((8, len(f))) + 1j * rng.standard_normal((8, len(f)))
    x = np.fft.irfft(spectrum / np.maximum(f, f[1]), n)
    x = x / x.std(axis=-1, keepdims=True) * 1.5e-5 + rng.normal(0, 5e-7, (8, n))
    t = np.arange(n) / SFREQ
    for blink in np.arange(2.0, 120.0, 4.0):
        x[0] += rng.uniform(1e-4, 1.5e-4) * np.exp(-0.5 * ((t - blink) / 0.08) ** 2)
    return np.round(x / 1e-6) * 1e-6


def test_slow_eeg_hovering_about_its_peak_is_not_clipped():
    """Slow EEG in 1 µV steps holds its largest value for a tenth of a second and more
    within a stretch of a few tenths (a step or two off between): not clipping, as the
    flat tops of a clipped artefact are, the signal swinging away between them. Fed chunk
    by chunk, the stretches' distance off the rail is the whole recording's."""
    for seed in (8, 9, 10, 0):  # those flagged as clipped before (6 seeds in 12)
        x = _slow_eeg(seed)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            windows = prepare(as_recording(x, ch_names=NAMES, sfreq=SFREQ))
        assert not [m for m in w if "clipping check" in str(m.message)], seed
        assert windows.flags is None or not windows.flags.clipped
    whole = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    chunked = SignalStats(8, x.shape[-1], segment=round(SFREQ), sfreq=SFREQ)
    for at in range(0, x.shape[-1], 1000):
        chunked.update(x[:, at : at + 1000])
    held = [
        (whole.rail_held(side, row) >= 0.1 * SFREQ).any() for side in (0, 1) for row in range(8)
    ]
    assert any(held)  # 25 samples at the extreme in a stretch: the case to tell apart
    compared = 0
    for side in (0, 1):
        for row in range(8):
            if whole.rail_spans(side, row).tolist() == chunked.rail_spans(side, row).tolist():
                # (a first sample at the extreme in a chunk before the second goes untracked)
                reach = whole.rail_reach(side, row)
                assert np.allclose(chunked.rail_reach(side, row), reach)
                compared += int((reach > 0).any())
    assert compared >= 4
    clips = _short_clips()  # and clipped flat tops are still far apart
    stats = SignalStats.of(clips, round(SFREQ), sfreq=SFREQ)
    assert stats.rail_reach(1, 2).tolist() and stats.rail_reach(1, 2)[0] > 2e-4


def test_the_samples_held_at_a_rail_are_counted_fed_whole_or_chunk_by_chunk():
    """A stretch at the rails that chunks cut in pieces counts the samples at each extreme as
    the whole recording does (the streamed path judges held rails the same)."""
    x = _saturated(120.0)
    whole = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    chunked = SignalStats(8, x.shape[-1], segment=round(SFREQ), sfreq=SFREQ)
    for at in range(0, x.shape[-1], 1000):  # 72-80 s is samples 9216-10240: cut at 10000
        chunked.update(x[:, at : at + 1000])
    for side, value in ((0, -1.5e-4), (1, 1.5e-4)):
        at_rail = int((x[2] == value).sum())
        for stats in (whole, chunked):
            assert (stats.rail_spans(side, 2) / SFREQ).round().tolist() == [[72.0, 80.0]]
            assert stats.rail_held(side, 2).tolist() == [at_rail] and at_rail > 0.1 * 8 * SFREQ


def test_every_stretch_is_flagged_not_only_those_the_warning_shows():
    """The warning shows a channel's first few stretches and counts the others; the flags
    cover all of them, fed whole or chunk by chunk."""
    x = np.random.default_rng(1).standard_normal((2, int(200 * SFREQ))) * 1e-5
    starts = range(10, 190, 20)  # 9 flat stretches of 5 s, 9 rails of 1 s
    for start in starts:
        x[0, int(start * SFREQ) : int((start + 5) * SFREQ)] = 0.0
        x[1, int((start + 8) * SFREQ) : int((start + 9) * SFREQ)] = 3e-4
    whole = SignalStats.of(x, round(SFREQ), sfreq=SFREQ)
    chunked = SignalStats(2, x.shape[-1], segment=round(SFREQ), sfreq=SFREQ)
    for at in range(0, x.shape[-1], 1000):
        chunked.update(x[:, at : at + 1000])
    for stats in (whole, chunked):
        assert len(stats.flat_runs[0]) == FLAT_RUNS_KEPT < len(starts)
        flat = stats.flat_segments_of(0)
        assert flat.tolist() == [s + k for s in starts for k in range(5)]
        rails = stats.rail_spans(1, 1)
        assert (rails / SFREQ).tolist() == [[s + 8.0, s + 9.0] for s in starts]


def test_flags_follow_the_windows_kept_by_reject_by_annotation():
    """Windows left out over a bad span take their flags with them."""
    from eegpt.outputs import select_window_metadata

    windows = _quietly(
        prepare,
        as_recording(_recording(), ch_names=NAMES, sfreq=SFREQ),
        bad_spans=BadSpans(np.array([[18.0, 30.0]]), reject=True),
    )
    flags = windows.flags.per_window(windows.onsets, 4.0)
    keep = np.flatnonzero(windows.onsets >= 30.0)
    kept = select_window_metadata(flags, keep, len(windows.onsets))
    assert kept["flat_channels"] == _expected(windows.onsets[keep], FLAT_ONSETS, "Pz")


@pytest.fixture(scope="module")
def embedded(model):
    import eegpt

    return _quietly(eegpt.embed, model, _recording(), ch_names=NAMES, sfreq=SFREQ)


def test_embed_records_the_flags(embedded):
    """eegpt.embed records them per window; emb[~emb.flagged] keeps the other windows."""
    emb = embedded
    assert emb.flags_recorded
    assert emb.flat_channels == _expected(emb.onsets, FLAT_ONSETS, "Pz")
    assert emb.clipped_channels == _expected(emb.onsets, CLIPPED_ONSETS, "Fp1")
    assert emb.flagged.tolist() == [o in FLAT_ONSETS + CLIPPED_ONSETS for o in emb.onsets]
    clean = emb[~emb.flagged]
    assert len(clean) == len(emb) - 7 and not clean.flagged.any()
    assert emb[[20, 21]].clipped_channels == [["Fp1"], ["Fp1"]]  # onsets 80 and 84 s
    assert not emb.bad.any()  # bad stays the bad annotations' windows


def test_a_streamed_file_records_the_same_flags(model, tmp_path):
    """A file embedded block by block (its checks on a scan) records the same flags."""
    import mne

    import eegpt

    path = tmp_path / "rec_raw.fif"
    raw = mne.io.RawArray(_recording(), mne.create_info(NAMES, SFREQ, "eeg"), verbose="error")
    raw.save(path, verbose="error")
    emb = _quietly(eegpt.embed, model, path)
    assert emb.flat_channels == _expected(emb.onsets, FLAT_ONSETS, "Pz")
    assert emb.clipped_channels == _expected(emb.onsets, CLIPPED_ONSETS, "Fp1")


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_the_flags_round_trip_through_files(embedded, tmp_path, suffix):
    """Saved and read back, .npz and .parquet alike; a Parquet file has the columns
    flat_channels, clipped_channels (lists of names) and flagged."""
    from eegpt.outputs import load_embeddings

    path = embedded.save(tmp_path / f"emb{suffix}")
    back = load_embeddings(path)
    assert back.flat_channels == embedded.flat_channels
    assert back.clipped_channels == embedded.clipped_channels
    assert back.flagged.tolist() == embedded.flagged.tolist()
    if suffix == ".parquet":
        import pandas as pd

        table = pd.read_parquet(path)
        assert table["flagged"].tolist() == embedded.flagged.tolist()
        assert [list(v) for v in table["flat_channels"]] == embedded.flat_channels
        assert [list(v) for v in table["clipped_channels"]] == embedded.clipped_channels


@pytest.mark.parametrize("suffix", [".npz", ".parquet"])
def test_files_without_flags_load_and_say_they_are_unknown(embedded, tmp_path, suffix):
    """A file written before the flags were recorded still loads: no window counts as
    flagged, with a warning that this is unknown rather than clean; no flag columns."""
    from eegpt.outputs import Embeddings, load_embeddings

    meta = {k: v for k, v in embedded.metadata.items()
            if k not in ("flat_channels", "clipped_channels")}  # fmt: skip
    path = Embeddings(embedded.data, embedded.onsets, meta).save(tmp_path / f"old{suffix}")
    back = load_embeddings(path)
    assert not back.flags_recorded
    with pytest.warns(RuntimeWarning, match="unknown, not clean"):
        assert not back.flagged.any()
    with pytest.warns(RuntimeWarning, match="unknown, not clean"):
        assert back.flat_channels == [[] for _ in range(len(back))]
    if suffix == ".parquet":
        import pandas as pd

        assert "flagged" not in pd.read_parquet(path).columns


def test_info_counts_the_flagged_windows(embedded, tmp_path, capsys):
    """`eegpt info` of an embeddings file says how many windows are flagged, or that a file
    written without the flags has none recorded."""
    from eegpt.cli import main
    from eegpt.outputs import Embeddings

    path = embedded.save(tmp_path / "emb.parquet")
    main(["info", str(path)])
    assert "flagged windows (flat or clipped channels): 7 (the flagged column" in (
        capsys.readouterr().out
    )
    meta = {k: v for k, v in embedded.metadata.items()
            if k not in ("flat_channels", "clipped_channels")}  # fmt: skip
    old = Embeddings(embedded.data, embedded.onsets, meta).save(tmp_path / "old.npz")
    main(["info", str(old)])
    assert "flagged windows (flat or clipped channels): not recorded" in capsys.readouterr().out


def _checks_of(x: np.ndarray, spans: np.ndarray, reject: bool) -> list[str]:
    """The amplitude and offset warnings of ``x`` (8 channels at 128 Hz) under bad
    ``spans``."""
    rec = as_recording(x, ch_names=NAMES, sfreq=SFREQ)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(rec, bad_spans=BadSpans(spans, reject=reject))
    return [str(w.message) for w in caught
            if "amplitude check" in str(w.message) or "offset check" in str(w.message)]  # fmt: skip


def test_amplitude_and_offset_checks_skip_rejected_bad_spans():
    """The first 80 s of 120 under a bad annotation whose windows are left out hold 10 mV
    noise, or a 50 mV offset (the amplifier before the cap was on): the amplitude and offset
    checks measured those samples and warned of mis-scaled or DC-coupled channels that no
    kept window holds. They now measure the samples of the kept windows only; with the
    windows kept, they still warn."""
    spans, first = np.array([[0.0, 80.0]]), slice(0, int(80 * SFREQ))
    for check, change in (("amplitude check", lambda a: a * 1000), ("offset check",
                                                                     lambda a: a + 0.05)):  # fmt: skip
        x = np.random.default_rng(2).standard_normal((8, int(120 * SFREQ))) * 1e-5
        x[:, first] = change(x[:, first])
        assert _checks_of(x, spans, reject=True) == []
        assert check in " ".join(_checks_of(x, spans, reject=False))


def test_stretches_are_placed_in_the_seconds_the_windows_count():
    """A BrainVision file's 3906 µs (MNE's 256.016 Hz) is taken as 256 Hz, as its windows'
    onsets are: a flat stretch from sample 256 x 3600 lies at 3600 s, not 0.23 s earlier
    (which flagged the window before it too)."""
    from eegpt.signal_checks import check_signal

    sfreq = 1e6 / 3906
    x = np.random.default_rng(0).standard_normal((2, 256 * 3700)) * 1e-5
    x[1, 256 * 3600 : 256 * 3620] = 0.0
    stats = SignalStats.of(x, 256, sfreq=sfreq)
    flags = _quietly(check_signal, stats, ["C3", "C4"], "rec.vhdr", sfreq=sfreq)
    assert flags.flat["C4"].tolist() == [[3600.0, 3620.0]]


def _without_flags(emb):
    """``emb`` as a file written before eegpt recorded the flags would hold it."""
    from eegpt.outputs import Embeddings

    meta = {k: v for k, v in emb.metadata.items()
            if k not in ("flat_channels", "clipped_channels")}  # fmt: skip
    return Embeddings(emb.data, emb.onsets, meta)


def test_read_embeddings_has_the_flag_columns(embedded, tmp_path):
    """read_embeddings of eegpt embed outputs has flat_channels, clipped_channels (lists of
    names), flagged and flags_recorded, the flat and clipped windows flagged."""
    import eegpt

    embedded.save(tmp_path / "a.parquet")
    table, _ = eegpt.read_embeddings(tmp_path, embeddings=False)
    assert table["flagged"].tolist() == [o in FLAT_ONSETS + CLIPPED_ONSETS for o in embedded.onsets]
    assert table["flagged"].dtype == bool and table["flags_recorded"].all()
    assert [list(v) for v in table["flat_channels"]] == embedded.flat_channels
    assert [list(v) for v in table["clipped_channels"]] == embedded.clipped_channels
    kept, _ = eegpt.read_embeddings(tmp_path, filters=[("flagged", "==", False)], embeddings=False)
    assert len(kept) == len(embedded) - 7


def test_read_embeddings_of_old_and_new_files_together(embedded, tmp_path):
    """A file written before the flags, read with a new one: its rows have empty lists,
    flagged False and flags_recorded False, with one warning naming it."""
    import eegpt

    new = embedded.save(tmp_path / "new.npz")
    old = _without_flags(embedded).save(tmp_path / "old.parquet")
    with pytest.warns(RuntimeWarning, match=r"old\.parquet .*unknown, not clean"):
        table, z = eegpt.read_embeddings([new, old])
    assert len(z) == len(table) == 2 * len(embedded)
    is_old = (table["recording_id"] == str(old)).to_numpy()
    assert table["flags_recorded"].tolist() == (~is_old).tolist()
    assert not table["flagged"][is_old].any() and table["flagged"][~is_old].sum() == 7
    assert all(list(v) == [] for v in table["flat_channels"][is_old])
    assert table["flagged"].dtype == bool


def test_read_embeddings_of_epochs_beside_flagged_files_does_not_warn(model, embedded, tmp_path):
    """Epochs never have the per-window flags (embedding them again would not record them):
    read beside a continuous recording's output that has them, no warning says to embed them
    again; their rows are told apart by flags_recorded."""
    import mne

    import eegpt

    x = np.random.default_rng(3).standard_normal((2, len(NAMES), int(4 * SFREQ))) * 1e-5
    info = mne.create_info(NAMES, SFREQ, "eeg")
    epochs = mne.EpochsArray(x, info, np.array([[0, 0, 1], [2000, 0, 1]]), verbose=False)
    ep = _quietly(eegpt.embed, model, epochs)
    assert not ep.flags_recorded
    files = [embedded.save(tmp_path / "rec.npz"), ep.save(tmp_path / "erp.npz")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = eegpt.read_embeddings(files, embeddings=False)
    is_epochs = (table["recording_id"] == str(files[1])).to_numpy()
    assert table["flags_recorded"].tolist() == (~is_epochs).tolist()


def test_export_writes_the_flags(embedded, tmp_path):
    """eegpt export: the CSV has flat_channels and clipped_channels (the names joined with
    ';', '' where none), flagged and flags_recorded; the .mat file the same as cellstr and logical. A file
    without the flags has none of them (unknown, not written as clean)."""
    import pandas as pd
    from scipy.io import loadmat

    from eegpt.cli import main

    path = embedded.save(tmp_path / "emb.npz")
    main(["export", str(path), "-o", str(tmp_path / "emb.csv")])
    table = pd.read_csv(tmp_path / "emb.csv", keep_default_na=False)
    assert table["flagged"].tolist() == embedded.flagged.tolist()
    assert table["flags_recorded"].all()  # a file's flags hold for all its windows
    assert table["flat_channels"].tolist() == [";".join(v) for v in embedded.flat_channels]
    assert table["clipped_channels"].tolist() == [";".join(v) for v in embedded.clipped_channels]
    main(["export", str(path), "-o", str(tmp_path / "emb.mat")])
    mat = loadmat(tmp_path / "emb.mat")
    assert mat["flagged"].ravel().astype(bool).tolist() == embedded.flagged.tolist()
    flat = ["".join(map(str, cell.ravel())) for cell in mat["flat_channels"].ravel()]
    assert flat == [";".join(v) for v in embedded.flat_channels]
    old = _without_flags(embedded).save(tmp_path / "old.npz")
    main(["export", str(old), "-o", str(tmp_path / "old.csv")])
    assert "flagged" not in pd.read_csv(tmp_path / "old.csv").columns


def test_info_json_counts_the_flagged_windows(embedded, tmp_path, capsys):
    """`eegpt info --json` of an embeddings file: flagged_windows beside bad_windows, null
    for a file written without the flags (unknown, not 0)."""
    import json

    from eegpt.cli import main

    path = embedded.save(tmp_path / "emb.parquet")
    old = _without_flags(embedded).save(tmp_path / "old.npz")
    counts = []
    for file in (path, old):
        assert main(["info", "--json", str(file)]) == 0
        record = json.loads(capsys.readouterr().out)
        counts.append((record["flagged_windows"], record["bad_windows"]))
    assert counts == [(7, 0), (None, 0)]


def test_export_keeps_metadata_columns_named_like_the_flags_where_none_are_recorded():
    """Epochs record no flags, so an epochs.metadata column named flagged keeps its name in
    the CSV and .mat file (as in their Parquet files); beside recorded flags it is
    metadata_flagged."""
    import pandas as pd

    from eegpt.export import ExportInput, csv_frame, mat_variables
    from eegpt.outputs import Embeddings

    table = pd.DataFrame({"flagged": [1, 2]})
    flags = {"flat_channels": [["Pz"], []], "clipped_channels": [[], []]}
    for meta, name in (({}, "flagged"), (flags, "metadata_flagged")):
        emb = Embeddings(np.zeros((2, 1, 1, 4), np.float32), np.array([0.0, 4.0]), dict(meta))
        windows = ExportInput(emb, {}, epochs_metadata=table)
        assert csv_frame(windows, "mean")[name].tolist() == [1, 2]
        assert mat_variables(windows, "none")[name].tolist() == [1.0, 2.0]
