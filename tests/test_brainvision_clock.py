"""A BrainVision recording paused and resumed: its ``New Segment`` markers' dates put its
segments on the recording's clock, as an EDF+D file's records are (eegpt.brainvision_files)."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from eegpt.annotations import read_annotations
from eegpt.brainvision_files import new_segments
from eegpt.cli import main
from eegpt.edf_files import RecordClock
from eegpt.io import as_recording, read_recording
from eegpt.streaming import open_stream

SFREQ = 250  # Hz (SamplingInterval=4000 µs: no rounded rate)

#: Markers of 40 s of data recorded in three segments of 10, 10 and 20 s, resumed 20 s after
#: each ended: on the clock at 0, 30 and 60 s from 09:00:00; a stimulus in the second and third.
PAUSED = [
    "New Segment,,1,1,0,20260301090000000000",
    "New Segment,,2501,1,0,20260301090030000000",
    "Stimulus,S  1,3251,1,0",  # 13 s into the samples: 33 s on the clock
    "New Segment,,5001,1,0,20260301090100000000",
    "Stimulus,S  2,6251,1,0",  # 25 s into the samples: 65 s on the clock
]
SAMPLE_STARTS, CLOCK_STARTS = (0.0, 10.0, 20.0), (0.0, 30.0, 60.0)


def _brainvision(folder: Path, markers: list[str], seconds: int = 40) -> Path:
    """A BrainVision recording of ``seconds`` s of 3 float channels at 250 Hz (noise) in
    ``folder``, its marker file holding ``markers`` (``Mk1=...``, ``Mk2=...`` in order); its
    ``.vhdr``."""
    folder.mkdir(exist_ok=True)
    samples = np.random.default_rng(3).normal(0, 20, (seconds * SFREQ, 3)).astype("<f4")
    samples.tofile(folder / "rec.eeg")
    channels = "".join(f"Ch{k}={name},,1,µV\n" for k, name in enumerate(["Fz", "Cz", "Pz"], 1))
    (folder / "rec.vhdr").write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n\n[Common Infos]\nCodepage=UTF-8\n"
        "DataFile=rec.eeg\nMarkerFile=rec.vmrk\nDataFormat=BINARY\nDataOrientation=MULTIPLEXED\n"
        f"NumberOfChannels=3\nSamplingInterval={1e6 / SFREQ:g}\n\n[Binary Infos]\n"
        f"BinaryFormat=IEEE_FLOAT_32\n\n[Channel Infos]\n{channels}",
        encoding="utf-8",
    )
    marks = "".join(f"Mk{k}={m}\n" for k, m in enumerate(markers, 1))
    (folder / "rec.vmrk").write_text(
        "Brain Vision Data Exchange Marker File, Version 1.0\n\n[Common Infos]\n"
        f"Codepage=UTF-8\nDataFile=rec.eeg\n\n[Marker Infos]\n{marks}",
        encoding="utf-8",
    )
    return folder / "rec.vhdr"


def _read_said(vhdr: Path) -> tuple[list[str], object, object]:
    """The warnings of reading ``vhdr`` whole and streamed, and the two clocks."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        rec = as_recording(vhdr, verbose="error")
        stream = open_stream(vhdr, verbose="error")
    return [str(w.message) for w in record], rec.clock, stream.clock


def test_new_segment_markers_are_read_with_their_dates(tmp_path):
    """Each New Segment marker: its 0-based sample and its date (none where it has none or
    zeros); other markers left out."""
    vhdr = _brainvision(tmp_path, [*PAUSED, "New Segment,,9001,1,0", "New Segment,,9501,1,0,0"])
    found = new_segments(vhdr.with_suffix(".vmrk"))
    assert [s.sample for s in found] == [0, 2500, 5000, 9000, 9500]
    assert [s.date.isoformat() if s.date else None for s in found] == [
        "2026-03-01T09:00:00", "2026-03-01T09:00:30", "2026-03-01T09:01:00", None, None,
    ]  # fmt: skip


def test_a_paused_brainvision_recording_is_placed_on_its_clock(tmp_path, weights, capsys):
    """The segments of a recording paused and resumed lie on its clock by their markers'
    dates, read whole and streamed, with a warning as an EDF+D file's; `eegpt embed` gives
    the windows' clock_s and clock_time on that clock, and `eegpt info` its span and gaps."""
    vhdr = _brainvision(tmp_path / "in", PAUSED)
    said, clock, streamed = _read_said(vhdr)
    assert clock == streamed == RecordClock(SAMPLE_STARTS, CLOCK_STARTS)
    pause = [t for t in said if "recording was paused and resumed" in t]
    assert len(pause) == 2, said  # once a read
    assert "2 gaps between its segments, as the dates of its 'New Segment' markers" in pause[0]
    assert "(40 s in all; the longest 20 s, at 10 s into the samples)" in pause[0]
    out = tmp_path / "rec.parquet"
    assert main(["embed", str(vhdr), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    table = pd.read_parquet(out)
    assert table.onset_s.tolist() == [0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 36.0]
    assert table.clock_s.tolist() == [0.0, 4.0, 8.0, 32.0, 36.0, 60.0, 64.0, 68.0, 72.0, 76.0]
    assert str(table.clock_time.iloc[5]) == "2026-03-01 09:01:00"
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "recording clock: 2026-03-01 09:00:00 to 2026-03-01 09:01:20 (" in info
    assert "gaps: 09:00:10-09:00:30 (20 s), 09:00:40-09:01:00 (20 s)" in info


def test_given_annotations_of_a_paused_brainvision_recording_land_as_its_own(tmp_path):
    """Annotations given with a paused recording: a table's onsets are seconds on its clock
    (as for an EDF+D file), placed in the samples by it; its own .vmrk or .vhdr given count
    its samples, and land where its own markers do."""
    from eegpt import EEGPT, EEGPTConfig

    vhdr = _brainvision(tmp_path, PAUSED)
    table = tmp_path / "events.csv"
    table.write_text("onset,duration,description\n33,0,S  1\n65,0,S  2\n")
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = model.embed(vhdr, window_seconds=4.0, device="cpu")
        given = {
            extra.name: model.embed(vhdr, window_seconds=4.0, device="cpu", annotations=extra)
            for extra in (table, vhdr.with_suffix(".vmrk"), vhdr)
        }

    def windows(emb, text):  # the windows whose annotations name the stimulus
        return [k for k, found in enumerate(emb.annotations) if any(text in a for a in found)]

    assert windows(own, "S  1") == [3] and windows(own, "S  2") == [6]  # 13 s, 25 s
    for name, emb in given.items():
        assert windows(emb, "S  1") == [3], name
        assert windows(emb, "S  2") == [6], name
    # the .vmrk read alone: its markers count the samples, as the recording's own
    alone = read_annotations(vhdr.with_suffix(".vmrk"))
    onsets = dict(zip(alone.description, alone.onset, strict=False))
    assert onsets["Stimulus/S  1"] == pytest.approx(13.0)
    assert onsets["Stimulus/S  2"] == pytest.approx(25.0)


def test_a_vmrk_given_with_a_copy_of_a_paused_recording_counts_its_samples(tmp_path):
    """The .vmrk of a paused recording given with a FIF copy of it, or a Raw of it (no
    clock), lands where its markers were recorded, as with the .vhdr (which has the clock):
    at 10, 13, 20 and 25 s into the samples, not on the clock (30, 33, 60, 65 s); and
    labels the windows of the recording's embeddings by its samples too."""
    import mne

    from eegpt.annotations import placed_extra

    markers = [*PAUSED, "Comment,EC,3251,1000,0"]  # 13 s to 17 s into the samples
    vhdr = _brainvision(tmp_path, markers)
    vmrk = vhdr.with_suffix(".vmrk")
    raw = mne.io.read_raw_brainvision(vhdr, preload=True, verbose="error")
    raw.save(tmp_path / "rec_raw.fif", verbose="error")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recordings = {
            "fif": as_recording(tmp_path / "rec_raw.fif", verbose="error"),
            "raw": as_recording(raw, verbose="error"),
            "vhdr": as_recording(vhdr, verbose="error"),
        }
        placed = {name: placed_extra(rec, vmrk) for name, rec in recordings.items()}
    assert recordings["fif"].clock is None and recordings["vhdr"].clock is not None
    for name, found in placed.items():
        onsets = [
            round(float(t), 6)
            for t, d in zip(found.onset, found.description, strict=True)
            if d != "Comment/EC"
        ]
        assert onsets == [10.0, 13.0, 20.0, 25.0], name
    from eegpt import EEGPT, EEGPTConfig

    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        emb = model.embed(vhdr, window_seconds=4.0, device="cpu")
        labels = emb.window_labels(vmrk, match={"EC": "EC"})
    assert labels.tolist()[3] == "EC"  # the window from 12 s holds 13 s to 16 s of it


def test_a_vmrk_read_alone_counts_samples_at_the_nominal_rate(tmp_path, monkeypatch):
    """A .vmrk of a rounded SamplingInterval (3906 µs for 256 Hz) read alone has its
    markers at k / 256 s, the scale of the recording's own markers and windows, paused or
    not, and given with the recording it lands where its own markers do."""
    import mne

    from eegpt.annotations import annotations_of, placed_extra

    monkeypatch.setattr(sys.modules[__name__], "SFREQ", 256)
    vhdr = _brainvision(tmp_path, [
        "New Segment,,1,1,0,20260301090000000000",
        "New Segment,,2561,1,0,20260301090100000000",  # 10 s in, resumed 50 s after a pause
        "Stimulus,S  1,2586,1,0",  # sample 2585: 10.0977 s at 256 Hz
    ])  # fmt: skip
    text = vhdr.read_text(encoding="utf-8").replace(
        "SamplingInterval=3906.25", "SamplingInterval=3906"
    )
    vhdr.write_text(text, encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        own = annotations_of(mne.io.read_raw_brainvision(vhdr, verbose="error"))
        alone = read_annotations(vhdr.with_suffix(".vmrk"))
        placed = placed_extra(as_recording(vhdr, verbose="error"), vhdr.with_suffix(".vmrk"))
    assert own is not None
    for found in (own, alone, placed):  # 10.0977 s, not 2585 / 256.016 = 10.0971 s
        stimulus = [
            t for t, d in zip(found.onset, found.description, strict=True) if d == "Stimulus/S  1"
        ]
        assert stimulus == [pytest.approx(2585 / 256, abs=1e-9)]


def test_undated_new_segments_keep_one_clock_silently(tmp_path):
    """New Segment markers without dates after the first sample (segments joined in
    BrainVision Analyzer): no clock, nothing said, as before."""
    undated = [PAUSED[0], "New Segment,,2501,1,0", PAUSED[2], "New Segment,,5001,1,0"]
    said, clock, streamed = _read_said(_brainvision(tmp_path, undated))
    assert clock is None and streamed is None
    assert not any("New Segment" in t for t in said), said


@pytest.mark.parametrize(
    ("markers", "words"),
    [
        (  # the second resumption undated: that pause cannot be measured
            [PAUSED[0], PAUSED[1], "New Segment,,5001,1,0"],
            "but 1 of them carries no date (at 20 s), so the pauses cannot be measured",
        ),
        (  # resumed "before" the first segment ended: the clock ran backwards
            [PAUSED[0], "New Segment,,2501,1,0,20260301090005000000"],
            "(2026-03-01 09:00:05) is earlier than the end of the segment before it "
            "(2026-03-01 09:00:10): its clock ran backwards",
        ),
        (  # the first sample undated: MNE dates the recording by the first resumption
            ["New Segment,,1,1,0", PAUSED[1]],
            "none dates its first sample, so the pauses cannot be measured: the windows' clock "
            "times (clock_s, clock_time) count on from the first sample as if recording never "
            "paused; and MNE took the recording's start (meas_date) from the marker at 10 s, "
            "where recording resumed, so every window's clock_time is late by 10 s or more",
        ),
    ],
)
def test_pauses_that_cannot_be_measured_are_warned_of(tmp_path, markers, words):
    """A paused recording whose pauses its markers' dates do not measure: no clock, and a
    warning that says why and what the clock times then are."""
    vhdr = _brainvision(tmp_path, markers)
    said, clock, streamed = _read_said(vhdr)
    assert clock is None and streamed is None
    assert any(words in t for t in said), said
    if markers[0] == "New Segment,,1,1,0":  # MNE's start: the first date it finds
        raw = read_recording(vhdr, verbose="error")
        assert raw.info["meas_date"].isoformat() == "2026-03-01T09:00:30+00:00"


def test_resumed_at_once_keeps_one_clock(tmp_path):
    """Dated New Segment markers whose dates follow on from the samples (no time lost
    between segments, to half a sample): one clock, nothing said."""
    markers = [PAUSED[0], "New Segment,,2501,1,0,20260301090010001000"]  # 1 ms late
    said, clock, _ = _read_said(_brainvision(tmp_path, markers))
    assert clock is None and not any("New Segment" in t for t in said), said


def test_a_raw_of_a_paused_brainvision_recording_says_its_clock_is_lost(tmp_path):
    """A Raw of a paused recording given (read by MNE or by eegpt): a Raw does not carry
    the clock of its segments, so the windows' clock times would count on as if never
    paused: said, whole and streamed, naming the path to give instead."""
    import mne

    vhdr = _brainvision(tmp_path, PAUSED)
    raw = mne.io.read_raw_brainvision(vhdr, preload=True, verbose="error")
    for read in (lambda: as_recording(raw), lambda: open_stream(raw)):
        with pytest.warns(RuntimeWarning, match="given as a Raw, which does not keep where"):
            assert read().clock is None


def test_nan_advice_of_a_paused_recording_gives_its_row_on_the_clock(tmp_path):
    """NaN samples 30 s to 31 s into the samples of a paused recording (in its third segment,
    at 70 s on its clock): the advised BAD_nan row is on the clock (70,1), as a table given
    with it is read, and following it leaves the gap's windows out; a row at 30 s (into the
    data) would have marked 10 s to 11 s."""
    from eegpt.annotations import BadSpans
    from eegpt.errors import RecordingError
    from eegpt.preprocessing import prepare

    vhdr = _brainvision(tmp_path, PAUSED)
    samples = np.fromfile(tmp_path / "rec.eeg", dtype="<f4").reshape(-1, 3)
    samples[30 * SFREQ : 31 * SFREQ] = np.nan
    samples.tofile(tmp_path / "rec.eeg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RecordingError) as caught:
            prepare(as_recording(vhdr, verbose="error"), verbose="error")
        said = str(caught.value)
        assert "from 30.000 s to 31.000 s (end exclusive: 1.000 s) after the first" in said
        assert "a row per gap, in seconds on the recording's clock from its first" in said
        assert "such as 70,1,BAD_nan for the gap at 70 s on the clock)" in said
        assert "annotations=mne.Annotations(onset=[70], duration=[1], " in said
        table = tmp_path / "nan.csv"
        table.write_text("onset,duration,description\n70,1,BAD_nan\n")
        rec = as_recording(vhdr, verbose="error")
        spans = BadSpans.of(rec, table, reject=True)
        windows = prepare(rec, bad_spans=spans, verbose="error")
    assert spans.spans.tolist() == [[30.0, 31.0]]
    assert np.isfinite(windows.data).all()


def _rounded_rate_raw(seconds: int = 40):
    """A Raw of 3 channels at 1e6 / 3906 Hz (MNE's 256.016 Hz of BrainVision's 3906 µs, a
    256 Hz amplifier: taken as 256 Hz), with a measurement date."""
    import mne

    info = mne.create_info(["Fz", "Cz", "Pz"], 1e6 / 3906, "eeg")
    samples = np.random.default_rng(5).normal(0, 2e-5, (3, 256 * seconds))
    raw = mne.io.RawArray(samples, info, verbose=False)
    raw.set_meas_date(1_780_000_000.0)
    return raw


def test_epochs_and_a_cropped_raw_of_a_rounded_rate_keep_the_raws_clock(model, tmp_path):
    """Windows of a Raw at a rounded rate count samples at its nominal rate (sample k at
    k / 256 s); its epochs counted their events at MNE's 256.016 Hz and a cropped Raw's first
    sample at MNE's first_time, so the same samples got two clock times (0.036 s apart at
    560 s). An epoch, a cropped Raw's window and a FIF copy of it now get the Raw's."""
    import mne

    raw = _rounded_rate_raw()
    whole = model.embed(raw, device="cpu", verbose="error")
    assert whole.onsets[5] == 20.0 and whole.clock_times()[5] == 20.0
    events = np.array([[5 * 1024, 0, 1], [7 * 1024, 0, 1]])
    sfreq = raw.info["sfreq"]
    epochs = mne.Epochs(
        raw, events, tmin=0.0, tmax=1023 / sfreq, baseline=None, preload=True, verbose=False
    )
    cut = model.embed(epochs, device="cpu", verbose="error")
    assert cut.onsets.tolist() == [20.0, 28.0]  # MNE's seconds: 19.9872, 27.9821
    np.testing.assert_array_equal(cut.clock_times(), whole.clock_times()[[5, 7]])
    np.testing.assert_allclose(cut.data, whole.data[[5, 7]], rtol=1e-5, atol=1e-6)
    # tmin of -128 samples: -0.5 s at 256 Hz (MNE's -0.49997 s)
    early = mne.Epochs(raw, events, tmin=-0.5, tmax=1.5, baseline=None, verbose=False)
    assert as_recording(early, verbose="error").tmin == -0.5
    cropped = raw.copy().crop(tmin=raw.times[2 * 1024])  # from window 2's first sample
    part = model.embed(cropped, device="cpu", verbose="error")
    assert part.metadata["first_time"] == 8.0  # MNE's first_time: 7.9969 s
    np.testing.assert_array_equal(part.clock_times()[:3], whole.clock_times()[2:5])
    np.testing.assert_allclose(part.data[:3], whole.data[2:5], rtol=1e-5, atol=1e-6)
    fif = tmp_path / "cropped_raw.fif"
    cropped.save(fif, verbose=False)  # first_samp 2048 in the file, streamed when read
    read = model.embed(fif, device="cpu", verbose="error")
    np.testing.assert_array_equal(read.clock_times()[:3], whole.clock_times()[2:5])
