"""Diaries of wall-clock times given as annotations: date-times read on the recording's clock
(zoned times read in UTC, then refused on every recording's clock, mixed precision read,
dates alone warned of), and entries that fall before a recording, in a gap of a discontinuous EDF+D file, or after its end warned of."""

from __future__ import annotations

import datetime
import re
import warnings

import numpy as np
import pytest
from test_io import _edf_plus

from eegpt.annotations import read_annotations
from eegpt.edf_files import RecordClock
from eegpt.errors import EEGPTWarning, RecordingError

UTC = datetime.timezone.utc


def _diary(path, *rows: str):
    path.write_text("onset,duration,description\n" + "".join(f"{row}\n" for row in rows))
    return path


@pytest.mark.parametrize(
    ("zone", "hours"), [("+01:00", -1), ("Z", 0), ("-0500", 5), ("+0530", -5.5)]
)
def test_a_diary_time_with_a_zone_is_read_in_utc(tmp_path, zone, hours):
    """MNE's reader gave up on the zone (orig_time None, a warning of its own) and the
    onsets counted from the first row: every label shifted. A time with a zone is the moment
    in UTC (its orig_time), onsets of other zones converted alike."""
    diary = _diary(
        tmp_path / "tz.csv",
        f"2026-11-03 23:58:41{zone},0,felt dizzy",
        f"2026-11-03 23:59:20{zone},0,x",
    )
    found = read_annotations(diary)
    moment = datetime.datetime(2026, 11, 3, 23, 58, 41, tzinfo=UTC)
    assert found.orig_time == moment + datetime.timedelta(hours=hours)
    np.testing.assert_allclose(found.onset, [0.0, 39.0])


def test_a_diary_of_times_with_and_without_a_zone_is_refused(tmp_path):
    """A zone-less time is on the recording's clock, a zoned one in its zone: mixed in one
    diary they cannot be placed together, so the file is refused saying how to write it."""
    diary = _diary(
        tmp_path / "tz.csv", "2026-11-03 23:58:41+01:00,0,felt dizzy", "2026-11-03 23:59:20,0,x"
    )
    said = re.escape(
        "1 of its onsets carry a time zone ('2026-11-03 23:58:41+01:00') and 1 do not "
        "('2026-11-03 23:59:20')"
    )
    with pytest.raises(RecordingError, match=said + ".*write all of them alike"):
        read_annotations(diary)


@pytest.mark.parametrize(
    ("clock", "said"),
    [
        ("local", "the local wall clock of its header, without a "),
        ("utc", "also labels the local time of an EDF/BDF or BrainVision file"),
        ("acq_time", "local time of the computer reading it"),
        ("unknown", "is on a clock eegpt cannot tell"),
    ],
)
def test_zoned_diary_times_are_refused_on_every_clock(tmp_path, clock, said):
    """No clock is surely UTC: a FIF's ("utc") may be a converted EDF's local time, a BIDS
    acq_time without a zone the reading computer's. Refused, saying why for that clock and
    how to write the times; zone-less times are placed as before."""
    from eegpt.annotation_time import in_recording_time

    diary = _diary(tmp_path / "tz.csv", "2020-01-01T12:00:10+01:00,8,EC")
    found = read_annotations(diary)
    start = datetime.datetime(2020, 1, 1, 11, 0, 0, tzinfo=UTC)
    with pytest.raises(RecordingError, match=said + ".*without a zone"):
        in_recording_time(found, start, 0.0, date_clock=clock)
    with pytest.raises(RecordingError, match=re.escape(f"the annotations of {diary} carry a ")):
        in_recording_time(found, start, 0.0, date_clock=clock, given=diary)
    plain = read_annotations(_diary(tmp_path / "plain.csv", "2020-01-01T11:00:10,8,EC"))
    placed = in_recording_time(plain, start, 0.0, date_clock=clock)  # as before
    np.testing.assert_allclose(placed.onset, [10.0])


def test_zoned_diary_times_are_refused_on_a_fif_converted_from_edf(tmp_path, tiny_model):
    """End to end: a FIF saved from an EDF keeps the EDF's local start (12:00:00, CET) as if
    UTC; 13:00:08+01:00 was placed as 12:00:08 UTC, an hour off (3608 s, past the end) and
    silently. Refused; the same time without a zone, on the recording's clock, lands at 8 s."""
    import mne

    info = mne.create_info(["Fp1", "Fp2", "C3", "C4", "Cz", "O1", "O2", "Pz"], 256.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).standard_normal((8, 20 * 256)) * 1e-5, info)
    raw.set_meas_date(datetime.datetime(2020, 1, 1, 12, 0, 0, tzinfo=UTC))
    mne.export.export_raw(tmp_path / "rec.edf", raw, overwrite=True, verbose="error")
    path = tmp_path / "rec_raw.fif"
    mne.io.read_raw_edf(tmp_path / "rec.edf", preload=True, verbose="error").save(path)
    zoned = _diary(tmp_path / "tz.csv", "2020-01-01T13:00:08+01:00,4,EC")
    with pytest.raises(RecordingError, match="a FIF file also labels the local time"):
        _embed(tiny_model, path, zoned)
    plain = _diary(tmp_path / "plain.csv", "2020-01-01T12:00:08,4,EC")
    by_window, _ = _embed(tiny_model, path, plain)
    assert [t for t, a in by_window.items() if "EC" in a] == [8.0, 10.0]


def test_date_times_of_whole_and_fractional_seconds_are_read_together(tmp_path):
    """``23:59:52`` beside ``00:00:52.5`` failed in pandas ("unconverted data remains");
    both are read, ``T`` or a space between date and time, onsets from the first."""
    diary = _diary(
        tmp_path / "mixed.csv",
        "2026-11-03 23:59:52,0,a",
        "2026-11-04T00:00:52.5,2,b",
        "2026-11-04 00:01:00.125,0,c",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = read_annotations(diary)
    assert found.orig_time == datetime.datetime(2026, 11, 3, 23, 59, 52, tzinfo=UTC)
    np.testing.assert_allclose(found.onset, [0.0, 60.5, 68.125])
    assert list(found.duration) == [0.0, 2.0, 0.0]
    assert list(found.description) == ["a", "b", "c"]


def test_a_date_without_a_time_of_day_is_warned_of(tmp_path):
    """``2026-11-04`` was silently midnight."""
    diary = _diary(tmp_path / "d.csv", "2026-11-03 23:58:41,0,a", "2026-11-04,0,bad night")
    with pytest.warns(EEGPTWarning, match=r"1 of its onsets are dates without a time of day "
                      r"\('2026-11-04'\); they are placed at midnight"):  # fmt: skip
        found = read_annotations(diary)
    np.testing.assert_allclose(found.onset, [0.0, 79.0])


def test_record_clock_tells_the_times_in_its_gaps():
    clock = RecordClock((0.0, 10.0), (0.0, 35.0))  # stretches at 0-10 s and 35-45 s
    times = [-1.0, 0.0, 9.99, 10.0, 20.0, 34.99, 35.0, 50.0]
    assert clock.in_gaps(times).tolist() == [False, False, False, True, True, True, False, False]
    assert not RecordClock((0.0,), (0.0,)).in_gaps(times).any()


@pytest.fixture(scope="module")
def tiny_model():
    from eegpt import EEGPT, EEGPTConfig

    return EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2)).eval()


def _embed(model, path, diary):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emb = model.embed(path, window_seconds=2.0, annotations=diary)
    said = [str(w.message) for w in caught if diary.name in str(w.message)]
    return dict(zip(emb.onsets.tolist(), emb.annotations, strict=True)), said


def test_diary_entries_before_in_a_gap_of_and_after_an_edf_d_recording(tmp_path, tiny_model):
    """An EDF+D file recorded 00:00:00-00:00:10 and 00:00:35-00:00:45: an entry before its
    start was dropped, one in the gap moved to the first window after it, both silently; the
    one after its end was said in a mix of clock time and recorded seconds. Each is warned
    of, on the recording's clock."""
    starts = [float(k) for k in range(10)] + [float(k + 25) for k in range(10, 20)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts)  # starts 2024-01-01 00:00:00
    diary = _diary(
        tmp_path / "diary.csv",
        "2023-12-31 23:59:50,2,before",
        "2024-01-01 00:00:05,0,inside",
        "2024-01-01 00:00:20,0,in gap",
        "2024-01-01 00:00:15,5,all gap",
        "2024-01-01 00:02:00,0,after",
    )
    by_window, said = _embed(tiny_model, path, diary)
    assert [t for t, a in by_window.items() if "inside" in a] == [4.0]
    assert [t for t, a in by_window.items() if "in gap" in a] == [10.0]  # next stretch's start
    assert not [t for t, a in by_window.items() if "before" in a]
    assert len(said) == 3, said
    before, gap, after = said
    assert "of the 5 annotations given" in before
    assert (
        "1 starts before the recording's first sample (at 2024-01-01 00:00:00): "
        "2023-12-31 23:59:50; 1 of them ends before it too and falls on no window" in before
    )
    assert (
        "2 start in a gap of the recording, where it was paused and nothing was recorded: "
        "2024-01-01 00:00:15, 2024-01-01 00:00:20 (times on its clock); they are placed at the "
        "start of the stretch after the gap; 1 of them spans nothing but the gap" in gap
    )
    assert gap.endswith("(2024-01-01 00:00:15)")
    assert (
        "1 starts after the recording ends (the last at 0:02:00 (2024-01-01 00:02:00), the "
        "recording ending at 45 s (2024-01-01 00:00:45); times on the recording's clock from "
        "its start, gaps included)" in after
    )
    assert "Onsets in seconds are read as seconds on the recording's clock" in after


def test_plain_seconds_in_a_gap_of_an_edf_d_recording_are_warned_of(tmp_path, tiny_model):
    """Seconds in a table are clock seconds from the start of an EDF+D recording: 20 s lies
    in its gap (10-35 s on the clock), said in seconds."""
    starts = [float(k) for k in range(10)] + [float(k + 25) for k in range(10, 20)]
    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts)
    by_window, said = _embed(tiny_model, path, _diary(tmp_path / "s.csv", "20,0,x", "36,0,y"))
    assert [t for t, a in by_window.items() if "x" in a] == [10.0]
    assert [t for t, a in by_window.items() if "y" in a] == [10.0]  # 1 s into the 2nd stretch
    assert len(said) == 1, said
    assert "1 starts in a gap of the recording, where it was paused and nothing was " in said[0]
    assert "recorded: 20 s (times on its clock)" in said[0]


def test_an_events_table_of_eegpt_given_as_annotations_says_to_use_clock_s(tmp_path):
    """An events table eegpt wrote (onset_s, clock_s, ...) fed back as annotations was refused
    as an unknown kind alone; its onset_s are seconds of recorded data (gaps left out), so
    the error says to write onsets from clock_s."""
    table = tmp_path / "ev.csv"
    table.write_text(
        "file,class,onset_s,offset_s,duration_s,clock_s,clock_time\n"
        "rec.edf,seizure,12.0,20.0,8.0,40.5,2024-01-01T00:00:40.5\n"
    )
    with pytest.raises(RecordingError, match=r"none of the kinds eegpt reads: .*a table eegpt "
                       r"wrote \(events or predictions: onset_s, clock_s\).*from its clock_s"):  # fmt: skip
        read_annotations(table)
    predictions = tmp_path / "pred.csv"  # epochs too: not taken for a list of stages
    predictions.write_text(
        "file,epoch,onset_s,clock_s,clock_time,prediction,label\n"
        "rec.edf,0,0.0,0.0,2024-01-01T00:00:00,baseline,baseline\n"
    )
    with pytest.raises(RecordingError, match=r"a table eegpt wrote .*from its clock_s"):
        read_annotations(predictions)


def test_times_of_day_without_a_date_are_refused_saying_to_add_the_date(tmp_path):
    """The error for a diary of times alone said to write seconds, or MNE's own form; it says
    to give each time its date (zone-less, on the recording's clock)."""
    diary = _diary(tmp_path / "t.csv", "23:58:41,0,felt dizzy", "00:00:10,0,felt dizzy")
    with pytest.raises(RecordingError, match=r"clock times \('23:58:41'\) without a date; give "
                       r"each its date \(2026-11-03 23:58:41: a local time on the recording's "
                       r"clock, without a zone\)"):  # fmt: skip
        read_annotations(diary)


@pytest.mark.parametrize(
    ("cell", "written"), [("23.58.41", "23:58:41"), ("07.05.09,5", "07:05:09.5")]
)
def test_times_of_day_written_with_points_are_refused_as_times_not_as_dates(
    tmp_path, cell, written
):
    """Excel writes a time of day with points in Finland or Denmark (``23.58.41``): it was
    refused as a date written day first, advised to be written as a placeholder date
    (2026-11-03 23:58:41 whatever the time); it is refused as a clock time without a date,
    the time itself written with colons."""
    diary = tmp_path / "diary.csv"
    diary.write_text(f"onset;duration;description\n{cell};0;arousal\n00.10.00;0;snore\n")
    with pytest.raises(RecordingError, match="clock times") as err:
        read_annotations(diary)
    said = str(err.value)
    assert f"({cell!r}) without a date; give each its date (2026-11-03 {written}:" in said
    assert "day first" not in said


@pytest.mark.parametrize(
    ("sep", "cell", "iso", "misread"),
    [
        (",", "03.11.2026 23:58:41", "2026-11-03 23:58:41", "03.11.2026 for 11 March"),
        (";", "03.11.2026 23:58", "2026-11-03 23:58", None),  # MNE's reader reads no ;-table
        (";", "24.11.2026 01:02:03,5", "2026-11-24 01:02:03.5", None),
    ],
)
def test_a_diary_of_dates_written_day_first_is_refused_saying_how_to_write_them(
    tmp_path, sep, cell, iso, misread
):
    """Excel writes a date-time day first with points where the locale is German (``03.11.2026
    23:58:41``): MNE's reader took 03.11 for 11 March (a ,-separated diary was placed a month
    and more off, its entries 30 days apart), or failed saying only 'onset' (;-separated).
    Refused, with the diary's first time written year first (ISO 8601); MNE's misreading is
    named only where its reader reads the table (a ;-separated one's refusal said it took
    03.11.2026 for 11 March)."""
    diary = tmp_path / "diary.csv"
    diary.write_text(f"onset{sep}duration{sep}description\n{cell}{sep}30{sep}arousal\n"
                     f"04.12.2026 00:10:00{sep}10{sep}snore\n")  # fmt: skip
    with pytest.raises(RecordingError, match="dates written day first") as err:
        read_annotations(diary)
    said = str(err.value)
    assert str(diary) in said and f"({iso}: in Excel" in said
    assert (misread is None) == ("MNE's reader takes" not in said)
    assert misread is None or misread in said


def test_zoned_diary_times_on_a_recording_without_a_date_say_it_has_none(tmp_path):
    """A recording without a measurement date has no clock to speak of: zoned diary times on
    it are refused as zone-less ones are (it has no measurement date to place them against),
    not as if its date were on a clock eegpt cannot tell."""
    from eegpt.annotation_time import in_recording_time

    found = read_annotations(_diary(tmp_path / "tz.csv", "2020-01-01T12:00:10+01:00,8,EC"))
    with pytest.raises(ValueError, match="the recording has no measurement date") as err:
        in_recording_time(found, None, 0.0, date_clock="unknown")
    assert "clock eegpt cannot tell" not in str(err.value)


def test_zoned_diary_times_on_a_bids_acq_time_are_refused_saying_to_write_utc(tmp_path):
    """A BIDS recording's start from its acq_time is in UTC (MNE-BIDS): the refusal of zoned
    times advised 'local times on the recording's clock', which landed an hour off for
    13:00:08+01:00; it names the first time in UTC, which lands where the zoned one meant."""
    from eegpt.annotation_time import in_recording_time

    start = datetime.datetime(2026, 11, 3, 22, 0, 0, tzinfo=UTC)  # acq_time 2026-11-03T22:00:00Z
    found = read_annotations(_diary(tmp_path / "tz.csv", "2026-11-03T23:58:41.5+01:00,8,EC"))
    with pytest.raises(RecordingError, match="a BIDS acq_time") as err:
        in_recording_time(found, start, 0.0, date_clock="acq_time")
    written = re.search(r"in UTC, without a zone, .*\(the first: ([^)]*)\)", str(err.value))
    assert written is not None and written.group(1) == "2026-11-03 22:58:41.500000"
    fixed = read_annotations(_diary(tmp_path / "utc.csv", f"{written.group(1)},8,EC"))
    placed = in_recording_time(fixed, start, 0.0, date_clock="acq_time")
    np.testing.assert_allclose(placed.onset, [3521.5])


def test_zoned_diary_times_on_a_fif_are_refused_naming_both_clocks_it_may_be_on(tmp_path):
    """A FIF's start, labelled UTC, is either a converted EDF's local time or UTC: the
    refusal advised 'local times on the recording's clock' alone, an hour off (for +01:00)
    on a FIF recorded in UTC; it names both, with the first time in UTC."""
    from eegpt.annotation_time import in_recording_time

    start = datetime.datetime(2026, 11, 3, 22, 0, 0, tzinfo=UTC)
    found = read_annotations(_diary(tmp_path / "tz.csv", "2026-11-03T23:58:41+01:00,8,EC"))
    with pytest.raises(RecordingError, match="a FIF file also labels the local time") as err:
        in_recording_time(found, start, 0.0, date_clock="utc")
    said = str(err.value)
    assert "the local time of the file it was converted from, or UTC" in said
    assert "(the first: 2026-11-03 22:58:41)" in said


@pytest.mark.parametrize(("sep", "cell"), [(";", "03/11/2026 23:58:41"), ("\t", "11/3/26 23:58")])
def test_a_diary_of_dates_with_slashes_not_separated_by_commas_says_how_to_write_them(
    tmp_path, sep, cell
):
    """French Excel writes ``03/11/2026 23:58:41`` in a ;-separated CSV: neither eegpt nor
    MNE's reader (which reads ,-separated tables alone) read it, and the refusal said only
    that MNE's reader said 'onset'. It says day and month cannot be told apart and how to
    write the dates."""
    diary = tmp_path / "diary.csv"
    diary.write_text(f"onset{sep}duration{sep}description\n{cell}{sep}30{sep}arousal\n")
    with pytest.raises(RecordingError, match="dates written with slashes") as err:
        read_annotations(diary)
    assert str(diary) in str(err.value) and "write them year first" in str(err.value)


@pytest.mark.parametrize(
    ("cells", "misread"),
    [
        (["03/04/2026 10:00:00", "03/04/2026 10:00:10"], "03/04/2026 for 4 March"),
        (["13/04/2026 10:00:00", "03/05/2026 10:00:10"], "03/05/2026 for 5 March"),
        (["3/4/26 10:00"], "3/4/26 for 4 March"),
    ],
)
def test_a_comma_diary_of_slashed_dates_whose_day_and_month_cannot_be_told_is_refused(
    tmp_path, cells, misread
):
    """A ,-separated diary was left to MNE's reader, which takes 03/04/2026 month first (4
    March) silently where the diary meant 3 April, as a ;-separated one's slashed dates are
    refused: a date whose day and month can both be a month is refused with the same
    message, saying how MNE's reader takes it."""
    diary = _diary(tmp_path / "diary.csv", *(f"{cell},8,EC" for cell in cells))
    with pytest.raises(RecordingError, match="dates written with slashes") as err:
        read_annotations(diary)
    said = str(err.value)
    assert str(diary) in said and "write them year first" in said
    assert f"MNE's reader takes {misread}" in said


@pytest.mark.parametrize("cell", ["13/04/2026 10:00:00", "04/13/2026 10:00:00"])
def test_a_comma_diary_of_slashed_dates_of_one_reading_is_read(tmp_path, cell):
    """A slashed date whose day is past the 12th is one date either way round: MNE's
    reader still reads it (13 April), as before."""
    diary = _diary(tmp_path / "diary.csv", f"{cell},8,EC")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' note of the format it inferred
        found = read_annotations(diary)
    assert found.orig_time == datetime.datetime(2026, 4, 13, 10, 0, tzinfo=UTC)
