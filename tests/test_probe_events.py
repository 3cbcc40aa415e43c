"""eegpt.probe_events: window predictions merged into events (probe predict --events)."""

import sys

import numpy as np
import pandas as pd
import pytest

from eegpt.probe_events import event_scores, event_scores_text, windows_to_events


def _table(predictions, hop=1.0, bad=None, **more):
    n = len(predictions)
    return pd.DataFrame({
        "file": "rec.edf", "onset_s": np.arange(n) * hop, "prediction": predictions,
        "p_sz": np.linspace(0.0, 0.9, n), "bad": bad if bad is not None else [False] * n, **more,
    })  # fmt: skip


def test_consecutive_windows_of_a_class_make_one_event():
    t = _table(["bg", "sz", "sz", "bg", "sz"], clock_s=np.arange(5) + 100.0,
               clock_time=[f"2026-03-01T12:00:0{k}" for k in range(5)])  # fmt: skip
    e = windows_to_events(t, 1.0, classes=["sz"])
    assert e.columns.tolist() == ["file", "class", "onset_s", "offset_s", "duration_s",
                                  "clock_s", "clock_end_s", "clock_time", "clock_end_time",
                                  "n_windows", "p_mean", "p_max"]  # fmt: skip
    assert e["onset_s"].tolist() == [1.0, 4.0] and e["offset_s"].tolist() == [3.0, 5.0]
    assert e["duration_s"].tolist() == [2.0, 1.0] and e["n_windows"].tolist() == [2, 1]
    assert e["clock_s"].tolist() == [101.0, 104.0]
    assert e["clock_time"].tolist() == ["2026-03-01T12:00:01", "2026-03-01T12:00:04"]
    np.testing.assert_allclose(e["p_mean"], [(0.225 + 0.45) / 2, 0.9])
    np.testing.assert_allclose(e["p_max"], [0.45, 0.9])
    # default classes: every one in the column
    assert sorted(set(windows_to_events(t, 1.0)["class"])) == ["bg", "sz"]


def test_overlapping_windows_span_the_hop_around_their_centres():
    """4 s windows every 0.5 s: an event of windows from onsets a to b spans a + 1.75 to
    b + 2.25 s (n_windows x hop), or with span="windows" a to b + 4; its clock time shifted
    alike; the hop inferred from the onsets by default."""
    t = _table(["bg", "sz", "sz", "sz", "bg", "bg"], hop=0.5,
               clock_time=[f"2026-03-01T12:00:{k * 0.5:09.6f}" for k in range(6)])  # fmt: skip
    e = windows_to_events(t, 4.0, hop_seconds=0.5, classes=["sz"])
    assert (e["onset_s"].tolist(), e["offset_s"].tolist()) == ([2.25], [3.75])
    assert e["duration_s"].tolist() == [1.5] and e["n_windows"].tolist() == [3]
    assert e["clock_time"].tolist() == ["2026-03-01T12:00:02.250000"]
    assert windows_to_events(t, 4.0, classes=["sz"]).equals(e)  # hop inferred: 0.5
    w = windows_to_events(t, 4.0, hop_seconds=0.5, classes=["sz"], span="windows")
    assert (w["onset_s"].tolist(), w["offset_s"].tolist()) == ([0.5], [5.5])
    # span="windows": events one window apart overlap, and are joined
    t2 = _table(["sz", "bg", "sz"], hop=0.5)
    assert len(windows_to_events(t2, 4.0, hop_seconds=0.5, classes=["sz"])) == 2
    joined = windows_to_events(t2, 4.0, hop_seconds=0.5, classes=["sz"], span="windows")
    assert joined[["onset_s", "offset_s", "n_windows"]].values.tolist() == [[0.0, 5.0, 2]]


def test_bad_and_left_out_windows_break_events_then_gaps_merge_and_short_ones_go():
    t = _table(["sz", "sz", "sz", "sz", "sz", "sz", "sz", "sz"],
               bad=[False, False, True, False, False, False, False, False])  # fmt: skip
    t = t.drop(index=5)  # left out (--reject-by-annotation): onsets 4 then 6
    e = windows_to_events(t, 1.0, classes=["sz"])
    assert e[["onset_s", "offset_s"]].values.tolist() == [[0, 2], [3, 5], [6, 8]]
    merged = windows_to_events(t, 1.0, classes=["sz"], merge_gap_seconds=1.5)
    assert merged[["onset_s", "offset_s", "n_windows"]].values.tolist() == [[0, 8, 6]]
    # a gap of exactly 1 s is not less than 1 s
    assert len(windows_to_events(t, 1.0, classes=["sz"], merge_gap_seconds=1.0)) == 3
    kept = windows_to_events(t, 1.0, classes=["sz"], min_event_seconds=2)
    assert kept["onset_s"].tolist() == [0, 3, 6]
    assert windows_to_events(t, 1.0, classes=["sz"], min_event_seconds=2.5).empty
    # a CSV's text bad flags and another file's windows: events per file
    other = t.assign(file="b.edf", bad=["False", "True", "False", "", "False", "False", "False"])
    both = windows_to_events(pd.concat([t, other]), 1.0, classes=["sz"])
    assert both["file"].tolist() == ["rec.edf"] * 3 + ["b.edf"] * 3


def _events(file, onsets, offsets, name="sz"):
    return pd.DataFrame({"file": file, "class": name, "onset_s": onsets, "offset_s": offsets})


def test_event_scores_ovlp_and_taes_by_hand():
    """rec r: seizures 10-20, 30-40, 50-60; predicted 15-25 (half of the first, half past its
    end), 35-55 (over the second's end and the third's start), 70-72 (false); rec q: no
    seizure, predicted 12-14 (false: the seizure at 10-20 is another file's). 2 hours."""
    scored = _events("r", [10.0, 30.0, 50.0], [20.0, 40.0, 60.0])
    predicted = pd.concat([_events("r", [15.0, 35.0, 70.0], [25.0, 55.0, 72.0]),
                           _events("q", [12.0], [14.0])])  # fmt: skip
    s = event_scores(predicted, scored, hours=2.0)["sz"]
    assert (s["scored_events"], s["predicted_events"]) == (3, 4)
    # OVLP: all 3 seizures overlapped (one predicted event finds two), 2 false alarms
    assert s["ovlp"] == pytest.approx({
        "hits": 3, "misses": 0, "false_alarms": 2, "sensitivity": 1.0, "precision": 3 / 5,
        "f1": 6 / 8, "false_alarms_per_24h": 24.0,
    })  # fmt: skip
    # TAES: each seizure half covered (1.5 hits, 1.5 misses); false alarms: 5 of 15-25's 10 s,
    # 10 of 35-55's 20 s outside the seizures, and the two false events whole: 0.5+0.5+1+1
    assert s["taes"] == pytest.approx({
        "hits": 1.5, "misses": 1.5, "false_alarms": 3.0, "sensitivity": 0.5,
        "precision": 1.5 / 4.5, "f1": 3 / 7.5, "false_alarms_per_24h": 36.0,
    })  # fmt: skip
    # two predicted events within one seizure add up; one covering it whole is 1 hit, the
    # rest of it false alarm
    two = event_scores(_events("r", [10.0, 14.0], [12.0, 20.0]), scored[:1], hours=1.0)["sz"]
    assert two["taes"]["hits"] == pytest.approx(0.8) and two["taes"]["false_alarms"] == 0
    whole = event_scores(_events("r", [5.0], [25.0]), scored[:1], hours=1.0)["sz"]
    assert (whole["taes"]["hits"], whole["taes"]["false_alarms"]) == (1.0, 0.5)
    assert whole["ovlp"]["false_alarms"] == 0


def test_a_zero_length_event_at_an_edge_scores_alike_in_ovlp_and_taes():
    """A scored event of no duration exactly at a predicted event's end (or start) touches it
    only: a miss for OVLP and TAES alike; one inside it is a hit for both."""
    predicted = _events("r", [10.0], [20.0])
    for at in (20.0, 10.0):
        s = event_scores(predicted, _events("r", [at], [at]), hours=1.0)["sz"]
        assert s["ovlp"]["hits"] == s["taes"]["hits"] == 0, at
    inside = event_scores(predicted, _events("r", [15.0], [15.0]), hours=1.0)["sz"]
    assert inside["ovlp"]["hits"] == inside["taes"]["hits"] == 1


def test_event_scores_undefined_without_seizures_hours_or_events():
    """No scored event: sensitivity NaN, every predicted event false; no hours: the rate NaN;
    a class with no event at all (named in classes): its scores NaN, nothing raised."""
    none = _events("r", [], [])
    s = event_scores(_events("r", [0.0], [4.0]), none, hours=0.0, classes=["sz", "spike"])
    assert list(s) == ["sz", "spike"]
    for key in ("ovlp", "taes"):
        sz = s["sz"][key]
        assert np.isnan(sz["sensitivity"]) and np.isnan(sz["false_alarms_per_24h"])
        assert (sz["hits"], sz["false_alarms"], sz["precision"], sz["f1"]) == (0, 1, 0.0, 0.0)
        spike = s["spike"][key]
        assert (spike["hits"], spike["misses"], spike["false_alarms"]) == (0, 0, 0)
        assert all(np.isnan(spike[k]) for k in ("sensitivity", "precision", "f1"))
    assert s["spike"]["scored_events"] == s["spike"]["predicted_events"] == 0
    # seizures, nothing predicted: sensitivity and F1 0, precision NaN
    missed = event_scores(none, _events("r", [0.0], [4.0]), hours=1.0)["sz"]["taes"]
    assert (missed["sensitivity"], missed["f1"], missed["false_alarms_per_24h"]) == (0, 0, 0)
    assert np.isnan(missed["precision"])
    text = event_scores_text(s, 0.0)
    assert "  sz: 0 scored events, 1 predicted" in text
    assert "    OVLP: sensitivity n/a (0 hits, 0 missed), precision 0.0%, F1 0.0%, 1 false " \
           "alarm (n/a per 24 h)" in text  # fmt: skip
    assert "    TAES: sensitivity n/a (0.00 hits, 0.00 missed)" in text
    # plural only where needed: 1 scored event, 1 hit; 0.50 false alarms
    one = event_scores(_events("r", [5.0], [25.0]), _events("r", [10.0], [20.0]), hours=1.0)
    text = event_scores_text(one, 1.0)
    assert "  sz: 1 scored event, 1 predicted" in text
    assert "    OVLP: sensitivity 100.0% (1 hit, 0 missed), precision 100.0%, F1 100.0%, " \
           "0 false alarms (0.00 per 24 h)" in text  # fmt: skip
    assert "    TAES: sensitivity 100.0% (1.00 hit, 0.00 missed)" in text
    assert ", 0.50 false alarms (12.00 per 24 h)" in text


def test_windows_to_events_refuses_what_it_cannot_read():
    with pytest.raises(ValueError, match="no 'onset_s' column"):
        windows_to_events(pd.DataFrame({"file": ["a"], "prediction": ["sz"]}), 1.0)
    with pytest.raises(ValueError, match="span='middle'"):
        windows_to_events(_table(["sz"]), 1.0, span="middle")


def _underconfident(p_sz):
    """Windows of 1 s whose largest probability is always the background's (p_sz < 0.5)."""
    p_sz = np.asarray(p_sz, dtype=float)
    return pd.DataFrame({
        "file": "rec.edf", "onset_s": np.arange(len(p_sz), dtype=float),
        "prediction": ["bg"] * len(p_sz), "p_bg": 1 - p_sz, "p_sz": p_sz,
        "label": ["sz" if p > 0.4 else "bg" for p in p_sz],
    })  # fmt: skip


def test_a_threshold_makes_the_events_that_the_largest_probability_misses():
    """An underconfident probe (seizure windows at 0.45, background at 0.1): no event by the
    largest probability, the true ones (as the labels make them) with threshold=0.4; a
    threshold per class as a mapping; refused where it cannot be applied."""
    t = _underconfident([0.1, 0.45, 0.46, 0.1, 0.1, 0.44, 0.1, 0.3])
    assert len(windows_to_events(t, 1.0, classes=["sz"])) == 0
    truth = windows_to_events(t, 1.0, column="label", classes=["sz"])
    assert truth[["onset_s", "offset_s"]].values.tolist() == [[1, 3], [5, 6]]
    got = windows_to_events(t, 1.0, classes=["sz"], threshold=0.4)
    pd.testing.assert_frame_equal(got.drop(columns=["p_mean", "p_max"]),
                                  truth.drop(columns=["p_mean", "p_max"]))  # fmt: skip
    np.testing.assert_allclose(got["p_max"], [0.46, 0.44])
    scores = event_scores(got, truth, 8 / 3600)["sz"]
    assert (scores["ovlp"]["hits"], scores["ovlp"]["false_alarms"]) == (2, 0)
    # >= : a window at the threshold is in; a mapping names the classes
    at = windows_to_events(t, 1.0, threshold={"sz": 0.3})
    assert at[["onset_s", "offset_s"]].values.tolist() == [[1, 3], [5, 6], [7, 8]]
    for kwargs, said in (
        (dict(threshold=0.4), "the threshold of one event class: name it"),
        (dict(classes=["bg", "sz"], threshold=0.4), "the event classes are bg, sz"),
        (dict(classes=["sz"], threshold={"bg": 0.4}), "no threshold of the event class sz"),
        (dict(classes=["sz"], threshold=1.5), "give a probability"),
        (dict(classes=["x"], threshold=0.5), "no p_x column"),
    ):
        with pytest.raises(ValueError, match=said):
            windows_to_events(t, 1.0, **kwargs)


def test_operating_points_by_hand():
    """Each threshold's events scored against the labels' (seizures at 1-3 s and 5-6 s of 8 s
    of windows: a false alarm is 24 h / 8 s = 10800 per 24 h): 0.05 one event over all (both
    found, TAES 5 s of 8 outside), 0.2 a third event at 7 s (a false alarm), 0.445 the first
    seizure only, 0.5 nothing; --min-event-seconds shapes the predicted events."""
    from eegpt.probe_events import (
        SWEEP_THRESHOLDS,
        operating_points,
        operating_points_text,
        sweep_thresholds,
    )

    t = _underconfident([0.1, 0.45, 0.46, 0.1, 0.1, 0.44, 0.1, 0.3])
    points = operating_points(t, 1.0, 8 / 3600, ["sz"], [0.05, 0.2, 0.445, 0.5])
    rows = points["sz"]
    assert [r["threshold"] for r in rows] == [0.05, 0.2, 0.445, 0.5]
    assert [r["predicted_events"] for r in rows] == [1, 3, 1, 0]
    assert [r["sensitivity"] for r in rows] == [1.0, 1.0, 0.5, 0.0]
    assert [r["false_alarms"] for r in rows] == [0, 1, 0, 0]
    assert [r["false_alarms_per_24h"] for r in rows] == pytest.approx([0, 10800, 0, 0])
    assert rows[1]["precision"] == pytest.approx(2 / 3) and np.isnan(rows[3]["precision"])
    assert rows[0]["taes_sensitivity"] == 1.0
    assert rows[0]["taes_false_alarms_per_24h"] == pytest.approx(5 / 8 * 10800)
    # the events of --min-event-seconds 1.5: at 0.2 the 2 s event alone
    longer = operating_points(t, 1.0, 8 / 3600, ["sz"], [0.2], min_event_seconds=1.5)["sz"]
    assert (longer[0]["predicted_events"], longer[0]["sensitivity"]) == (1, 0.5)
    # by default the 0.05 grid and the probabilities that 50%, 20%, 10% ... of the windows
    # reach (of 8: 4, 2, 1 windows: 0.3, 0.45, 0.46), between the grid's steps
    default = operating_points(t, 1.0, 8 / 3600, ["sz"])["sz"]
    # also: the threshold in use among them
    used = operating_points(t, 1.0, 8 / 3600, ["sz"], [0.2, 0.5], also={"sz": 0.445})["sz"]
    assert [r["threshold"] for r in used] == [0.2, 0.445, 0.5]
    assert SWEEP_THRESHOLDS[0] == 0.05 and SWEEP_THRESHOLDS[-1] == 0.95
    assert [r["threshold"] for r in default] == sorted([*SWEEP_THRESHOLDS, 0.46])
    assert sweep_thresholds(np.array([0.44, 0.441, 0.442, 0.443, 0.45, 0.46, 0.47, 0.48, 0.49,
                                      0.5])) == sorted({*SWEEP_THRESHOLDS, 0.46, 0.49, 0.5})  # fmt: skip
    text = operating_points_text(points)
    assert "operating points of sz (OVLP; choose one with --threshold P):" in text
    assert "        0.2       100.0%           10800.00                 3" in text, text


def test_event_scores_of_each_recording_alone_a_seizure_free_one_too():
    """recording_event_scores: a recording with 2 seizures (one found) and one without any
    (a false alarm over half an hour: 48 per 24 h, 2 per hour; sensitivity NaN)."""
    from eegpt.probe_events import recording_event_scores, recording_events_text

    scored = pd.concat([_events("a.edf", [10, 100], [20, 110])])
    predicted = pd.concat([_events("a.edf", [12], [15]), _events("b.edf", [50], [60])])
    each = recording_event_scores(predicted, scored, {"a.edf": 1.0, "b.edf": 0.5}, ["sz"])
    assert list(each) == ["a.edf", "b.edf"] and each["b.edf"]["hours"] == 0.5
    a, b = each["a.edf"]["classes"]["sz"], each["b.edf"]["classes"]["sz"]
    assert (a["scored_events"], a["hits"], a["misses"], a["false_alarms"]) == (2, 1, 1, 0)
    assert a["sensitivity"] == 0.5 and a["false_alarms_per_hour"] == 0.0
    assert (b["scored_events"], b["predicted_events"], b["false_alarms"]) == (0, 1, 1)
    assert np.isnan(b["sensitivity"]) and b["false_alarms_per_24h"] == pytest.approx(48.0)
    assert b["false_alarms_per_hour"] == pytest.approx(2.0)
    text = recording_events_text(each)
    assert "       0     0             1     48.00      2.00          n/a      0.50  b.edf" in text
    assert "sensitivity n/a: a recording without events of the class" in text


def test_one_number_test_and_one_n_a_format_for_messages():
    """is_number (text_tables: no MNE) serves annotations tables and the command line alike;
    number_text/percent_text (n/a for NaN or null) the event scores and eegpt info alike."""
    from eegpt import _logging, annotation_files, cli_options, probe_events, text_tables

    assert annotation_files.is_number is cli_options.is_number is text_tables.is_number
    assert [text_tables.is_number(w) for w in ("5", "-1e-6", "n/a", "seiz")] == [
        True, True, False, False,
    ]  # fmt: skip
    assert probe_events.percent_text is _logging.percent_text
    assert [_logging.percent_text(v) for v in (0.6667, float("nan"), None)] == [
        "66.7%",
        "n/a",
        "n/a",
    ]
    assert [_logging.number_text(v) for v in (np.float32(5.76), np.nan, None)] == [
        "5.76",
        "n/a",
        "n/a",
    ]


def _gapped_windows(tmp_path, weights, starts):
    """The window table of a tiny EDF+D file of 1 s records at ``starts`` (s on the clock),
    as probe predict writes it: onset_s, clock_s, clock_time and bad as eegpt embed reads them
    (the record clock, 'BAD boundary' over a window across a gap), every window 'sz'."""
    from test_io import _edf_plus

    from eegpt.cli import main

    path = _edf_plus(tmp_path / "rec.edf", "EDF", starts)
    out = tmp_path / "rec.parquet"
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q"]) == 0
    table = pd.read_parquet(out, columns=["onset_s", "clock_s", "clock_time", "bad"])
    from eegpt.outputs import iso_moments

    moments = iso_moments(table["clock_time"].to_numpy("datetime64[us]"), utc=False)
    return table.assign(file="rec.edf", prediction="sz", clock_time=moments)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_recording_gap_between_windows_ends_an_event_wherever_it_falls(tmp_path, weights):
    """An EDF+D file with a gap on the 4 s window grid (after 8 s of data) and one off it (after
    22.5 s, within the window at 20 s, which is bad): each ends an event, as the window over
    the gap off the grid does; clock_end_s/clock_end_time give each event's end on the clock;
    --merge-gap-seconds does not join events across a gap."""
    starts = [*range(8), *(k + 30.0 for k in range(8, 22)), *(k + 60.5 for k in range(22, 32))]
    t = _gapped_windows(tmp_path, weights, [float(s) for s in starts])
    assert t["onset_s"].tolist() == [0, 4, 8, 12, 16, 20, 24, 28]
    assert t["bad"].tolist() == [False] * 5 + [True] + [False] * 2  # over the gap at 22 s
    e = windows_to_events(t, 4.0, classes=["sz"])
    assert e[["onset_s", "offset_s", "n_windows"]].values.tolist() == [
        [0, 8, 2],
        [8, 20, 3],
        [24, 32, 2],
    ]
    assert e["clock_s"].tolist() == [0.0, 38.0, 84.5]
    assert e["clock_end_s"].tolist() == [8.0, 50.0, 92.5]
    assert e["clock_time"].tolist() == [
        "2024-01-01T00:00:00.000000", "2024-01-01T00:00:38.000000", "2024-01-01T00:01:24.500000"
    ]  # fmt: skip
    assert e["clock_end_time"].tolist()[0] == "2024-01-01T00:00:08.000000"
    assert e["clock_end_time"].tolist()[2] == "2024-01-01T00:01:32.500000"
    # no gap within an event: its clock span is its duration
    np.testing.assert_allclose(e["clock_end_s"] - e["clock_s"], e["duration_s"])
    # merging (in recorded seconds) joins events across the bad window, not across a gap
    merged = windows_to_events(t, 4.0, classes=["sz"], merge_gap_seconds=10)
    assert merged[["onset_s", "offset_s"]].values.tolist() == [[0, 8], [8, 20], [24, 32]]
    no_clock = t.drop(columns=["clock_s", "clock_time"])  # without a clock: no gap to see
    assert windows_to_events(no_clock, 4.0, classes=["sz"])["n_windows"].tolist() == [5, 2]


def test_event_clock_times_have_one_format_over_recordings():
    """Events of two recordings, one whose windows start at half seconds: clock_time and
    clock_end_time each in one format (to the microsecond), which pandas parses as dates."""
    a = _table(["sz", "sz"], clock_s=[0.5, 1.5],
               clock_time=["2026-03-01T12:00:00.500000", "2026-03-01T12:00:01.500000"])  # fmt: skip
    b = _table(["sz", "sz"], clock_s=[0.0, 1.0],
               clock_time=["2026-03-02T12:00:00", "2026-03-02T12:00:01"])  # fmt: skip
    e = windows_to_events(pd.concat([a, b.assign(file="other.edf")]), 1.0, classes=["sz"])
    assert e["clock_time"].tolist() == ["2026-03-01T12:00:00.500000", "2026-03-02T12:00:00.000000"]
    assert e["clock_end_time"].tolist()[1] == "2026-03-02T12:00:02.000000"
    pd.to_datetime(e["clock_time"])
    pd.to_datetime(e["clock_end_time"])


@pytest.mark.parametrize(
    ("command", "switch"),
    [
        (["probe", "predict", "PROBE", "rec.edf", "-o", "p.csv", "--events", "e.csv"], "--events"),
        (
            [
                "probe",
                "predict",
                "PROBE",
                "rec.edf",
                "-o",
                "p.csv",
                "--epoch-seconds",
                "30",
                "--plot",
                "h.png",
            ],
            "--plot",
        ),  # fmt: skip
        (["probe", "evaluate", "PROBE", "rec.edf", "--event-scoring"], "--event-scoring"),
    ],
)
def test_event_tables_and_hypnograms_without_pandas_name_the_extra_before_reading(
    tmp_path, monkeypatch, capsys, command, switch
):
    """Without pandas (a plain `pip install .`), --events, --event-scoring and the hypnogram
    of --plot are refused up front with the extra to install, before the probe or any
    recording is read: they crashed as an internal error after every recording was
    predicted (the window predictions already written)."""
    from eegpt.cli import main

    monkeypatch.chdir(tmp_path)  # PROBE and rec.edf do not exist: nothing is read before
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    if command[1] == "evaluate":  # its metrics need scikit-learn, checked first
        pytest.importorskip("sklearn")
    assert main(command) == 1
    err = capsys.readouterr().err
    assert f"eegpt: error: {switch} (" in err
    assert "needs pandas: pip install pyarrow pandas (from a clone of eegpt: pip install " in err
    assert "internal error" not in err and "PROBE" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_events_module_without_pandas_names_the_extra(monkeypatch):
    import importlib

    from eegpt.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.delitem(sys.modules, "eegpt.probe_events")
    with pytest.raises(MissingDependencyError, match=r"needs pandas: pip install pyarrow pandas"):
        importlib.import_module("eegpt.probe_events")


class _PandasBuiltForNumpy1:
    """A finder whose ``import pandas`` fails as pandas 2.0.0-2.1.1 do under NumPy 2."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas":
            raise ValueError(
                "numpy.dtype size changed, may indicate binary incompatibility. Expected 96 "
                "from C header, got 88 from PyObject"
            )
        return None


def test_a_pandas_built_for_another_numpy_is_named_with_the_upgrade(tmp_path, monkeypatch, capsys):
    """pandas 2.0.0-2.1.1 installed before eegpt (whose floor pip does not apply to them with
    a plain `pip install .`) fail to import under NumPy 2 with a ValueError, which went past
    the ImportError of a missing pandas as a traceback; the error names the upgrade."""
    import importlib

    from eegpt.cli import main
    from eegpt.errors import MissingDependencyError
    from eegpt.optional_packages import require_pandas

    monkeypatch.delitem(sys.modules, "pandas")
    monkeypatch.setattr(sys, "meta_path", [_PandasBuiltForNumpy1(), *sys.meta_path])
    said = r"fails to import with NumPy .*numpy\.dtype size changed.*pip install --upgrade 'pandas>=2\.1\.2'"
    with pytest.raises(MissingDependencyError, match=r"^--plot needs pandas, but pandas .*" + said):
        require_pandas("--plot")
    monkeypatch.delitem(sys.modules, "eegpt.probe_events")
    with pytest.raises(
        MissingDependencyError, match=r"probe_events .* needs pandas, but .*" + said
    ):
        importlib.import_module("eegpt.probe_events")
    monkeypatch.chdir(tmp_path)  # PROBE and rec.edf do not exist: nothing is read before
    assert main(["probe", "predict", "PROBE", "rec.edf", "-o", "p.csv", "--events", "e.csv"]) == 1
    err = capsys.readouterr().err
    assert "eegpt: error: --events (" in err and "pip install --upgrade 'pandas>=2.1.2'" in err
    assert "internal error" not in err


def test_the_docs_list_the_events_columns_and_which_need_a_dated_recording() -> None:
    """docs/downstream.md's ``--events FILE`` paragraph names the events table's columns in
    order and says that clock_time and clock_end_time are there only where the recording is
    dated (it listed them as always written: an undated EDF's table has neither)."""
    import re
    from pathlib import Path

    from eegpt.probe_events import EVENT_COLUMNS

    text = (Path(__file__).parents[1] / "docs" / "downstream.md").read_text(encoding="utf-8")
    paragraph = " ".join(text.split("`--events FILE`:", 1)[1].split(";")[0].split())
    found = [m.group(0) for m in re.finditer(r"\b[a-z]+(?:_[a-z0-9]+)*\b", paragraph)]
    assert [c for c in found if c in EVENT_COLUMNS] == list(EVENT_COLUMNS), paragraph
    before_clock_time = paragraph[: paragraph.index("clock_time")]
    assert "dated" in before_clock_time.rsplit("clock_end_s", 1)[1], paragraph
