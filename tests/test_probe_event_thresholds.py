"""Event decision thresholds, operating points and per-recording event scores of ``probe
predict --events`` and ``probe evaluate --event-scoring`` (and EEGPTProbe.evaluate's events)."""

from __future__ import annotations

import json

import mne
import pandas as pd
import pytest

from eegpt.errors import EEGPTWarning
from eegpt.probe import synthetic_erp_raw
from eegpt.probe_cli import main as probe_main


@pytest.fixture(scope="module")
def seizure_probe(weights, tmp_path_factory):
    """``(folder, recording, seizure_free)``: a probe of 1 s windows trained on a recording
    with two seizures (2-8 s and 20-25 s; --unlabelled background), that recording, and
    another without seizures."""
    tmp = tmp_path_factory.mktemp("seizures")
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=4)
    raw.set_annotations(mne.Annotations([2.0, 20.0], [6.0, 5.0], ["seizure", "seizure"]))
    path = tmp / "train_raw.fif"
    raw.save(path, verbose=False)
    calm, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=5)
    free = tmp / "calm_raw.fif"
    calm.save(free, verbose=False)
    out = tmp / "probe"
    assert probe_main(["train", str(path), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", "-q", "--window-labels", "(?i)seiz", "--unlabelled",
                       "background", "--window", "1"]) == 0  # fmt: skip
    return out, path, free


def _evaluate(folder, data, json_path, *more):
    """``probe evaluate FOLDER DATA --event-scoring --json JSON_PATH MORE -q``'s JSON."""
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(folder), *map(str, data), "--event-scoring",
                           "--json", str(json_path), "-q", "--overwrite", *more]) == 0  # fmt: skip
    return json.loads(json_path.read_text())


def test_threshold_makes_the_events_and_is_recorded(seizure_probe, tmp_path, capsys):
    """--threshold 0: every window is a seizure window, one predicted event over the
    recording that finds both seizures; recorded in --json and the events' provenance;
    refused where it cannot apply."""
    folder, path, _ = seizure_probe
    got = _evaluate(folder, [path], tmp_path / "s.json", "--threshold", "0")["events"]
    assert got["threshold"] == {"seizure": 0.0}
    ovlp = got["scores"]["seizure"]["ovlp"]
    assert got["scores"]["seizure"]["predicted_events"] == 1 and ovlp["hits"] == 2
    assert "predicted where p_seizure >= 0 " not in capsys.readouterr().out  # -q: no text
    named = _evaluate(folder, [path], tmp_path / "s.json", "--threshold", "seizure=0")
    assert named["events"]["threshold"] == {"seizure": 0.0}
    assert named["events"]["classes"] == ["seizure"]
    events = tmp_path / "ev.csv"
    assert probe_main(["predict", str(folder), str(path), "--events", str(events),
                       "--threshold", "0", "-q"]) == 0  # fmt: skip
    assert len(pd.read_csv(events)) == 1
    sidecar = json.loads((tmp_path / "ev.csv.json").read_text())
    assert sidecar["provenance"]["events"]["threshold"] == {"seizure": 0.0}
    capsys.readouterr()
    for more, said in (
        (["--threshold", "1.5"], "--threshold 1.5: give a probability from 0 to 1"),
        (["--threshold", "0.3", "--event-class", "seizure", "background"],
         "--threshold 0.3 is one probability, for one event class"),
        (["--threshold", "spike=0.3"], "--threshold spike=...: not a class of the probe"),
        (["--threshold", "seizure=0.3", "--event-class", "seizure", "background"],
         "--threshold gives no threshold of the event class background"),
    ):  # fmt: skip
        assert probe_main(["evaluate", str(folder), str(path), "--event-scoring", *more]) == 1
        assert said in capsys.readouterr().err
    assert probe_main(["evaluate", str(folder), str(path), "--threshold", "0.3"]) == 1
    assert "--threshold says which events --event-scoring scores" in capsys.readouterr().err


def test_evaluate_gives_each_thresholds_sensitivity_and_false_alarms(
    seizure_probe, tmp_path, capsys
):
    """evaluate --event-scoring --json: 'operating_points', each threshold's (0.05 to 0.95
    and those some fractions of the windows reach) OVLP sensitivity and false alarms per
    24 h, as operating_points gives them of predict's window table; the point of
    --threshold P is its scores; printed without -q."""
    from eegpt.probe_events import operating_points

    folder, path, _ = seizure_probe
    got = _evaluate(folder, [path], tmp_path / "s.json")["events"]
    rows = got["operating_points"]["seizure"]
    cuts = [r["threshold"] for r in rows]
    assert set(cuts) >= {round(0.05 * k, 2) for k in range(1, 20)} and cuts == sorted(cuts)
    windows = tmp_path / "windows.csv"
    assert probe_main(["predict", str(folder), str(path), "-o", str(windows), "-q"]) == 0
    table = pd.read_csv(windows)
    expected = operating_points(table, 1.0, got["hours"], ["seizure"])["seizure"]
    for mine, theirs in zip(rows, expected, strict=True):
        for key, value in theirs.items():
            assert mine[key] == (None if value != value else pytest.approx(value)), key
    # --threshold P: its point's numbers are the scores
    half = cuts.index(0.5)
    at = _evaluate(folder, [path], tmp_path / "s.json", "--threshold", "0.5")["events"]
    odd = _evaluate(folder, [path], tmp_path / "s.json", "--threshold", "0.4321")["events"]
    assert 0.4321 in [r["threshold"] for r in odd["operating_points"]["seizure"]]
    ovlp = at["scores"]["seizure"]["ovlp"]
    assert at["scores"]["seizure"]["predicted_events"] == rows[half]["predicted_events"]
    assert ovlp["false_alarms_per_24h"] == pytest.approx(rows[half]["false_alarms_per_24h"])
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(folder), str(path), "--event-scoring"]) == 0
    out = capsys.readouterr().out
    assert "operating points of seizure (OVLP; choose one with --threshold P):" in out
    assert "\n       0.95 " in out


def test_evaluate_gives_each_recordings_events_a_seizure_free_one_too(
    seizure_probe, tmp_path, capsys
):
    """evaluate --event-scoring of two recordings: each row of per_recording has its events
    (scored, hits, false alarms per 24 h and per hour), the seizure-free recording's too
    (--threshold 0: one false alarm over its hours, sensitivity null); the totals are their
    sums; printed."""
    folder, path, free = seizure_probe
    got = _evaluate(folder, [path, free], tmp_path / "s.json", "--threshold", "0")
    rows = {r["recording"]: r for r in got["per_recording"]}
    assert set(rows) == {str(path), str(free)} and "per_recording" not in got["events"]
    seizures, calm = (rows[str(p)]["events"] for p in (path, free))
    assert seizures["classes"]["seizure"]["scored_events"] == 2
    assert seizures["classes"]["seizure"]["hits"] == 2
    c = calm["classes"]["seizure"]
    assert (c["scored_events"], c["predicted_events"], c["false_alarms"]) == (0, 1, 1)
    assert c["sensitivity"] is None
    assert calm["hours"] == pytest.approx(rows[str(free)]["n"] / 3600)
    assert c["false_alarms_per_hour"] == pytest.approx(1 / calm["hours"])
    assert c["false_alarms_per_24h"] == pytest.approx(24 / calm["hours"])
    total = got["events"]["scores"]["seizure"]["ovlp"]
    assert total["false_alarms"] == 1 and total["hits"] == 2
    assert seizures["hours"] + calm["hours"] == pytest.approx(got["events"]["hours"])
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        assert probe_main(["evaluate", str(folder), str(path), str(free), "--event-scoring",
                           "--threshold", "0"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "events per recording (seizure, OVLP; each scored alone):" in out
    assert f"          n/a      {calm['hours']:.2f}  {free}\n" in out


def test_evaluate_scores_each_recording_against_the_scored_events_of_the_total(
    seizure_probe, tmp_path, monkeypatch
):
    """evaluate --event-scoring builds the scored events (the label runs) once: each
    recording's scores (per_recording) are of the very table the total's scores are of, not
    of a second one built with settings of its own that could drift from the total's."""
    import eegpt.probe_events as probe_events

    given: dict[str, list] = {"total": [], "each": []}
    event_scores, each_scores = probe_events.event_scores, probe_events.recording_event_scores

    def total(predicted, scored, *args, **kwargs):
        given["total"].append(scored)
        return event_scores(predicted, scored, *args, **kwargs)

    def each(predicted, scored, *args, **kwargs):
        given["each"].append(scored)
        return each_scores(predicted, scored, *args, **kwargs)

    monkeypatch.setattr(probe_events, "event_scores", total)
    monkeypatch.setattr(probe_events, "recording_event_scores", each)
    folder, path, free = seizure_probe
    got = _evaluate(folder, [path, free], tmp_path / "s.json", "--threshold", "0.5")
    assert len(got["per_recording"]) == 2 and len(given["each"]) == 1
    # the total's scores are the first event_scores call (operating_points' come after)
    assert given["each"][0] is given["total"][0]


def test_probe_evaluate_scores_events_as_the_command_does(seizure_probe, tmp_path):
    """EEGPTProbe.evaluate(files, events=True, threshold=...): the command's metrics and
    events (the same code), per_recording's events too; the event keywords refused without
    events=True, and what applies to epochs refused with it."""
    from eegpt.probe import load_probe
    from eegpt.probe_predictions import null_for_nan

    folder, path, free = seizure_probe
    cli = _evaluate(folder, [path, free], tmp_path / "s.json", "--threshold", "0.4",
                    "--min-event-seconds", "2")  # fmt: skip
    probe = load_probe(folder)
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        got = probe.evaluate([path, free], events=True, threshold=0.4, min_event_seconds=2)
    got = json.loads(json.dumps(null_for_nan(got)))
    assert got["events"] == cli["events"]
    assert got["events"]["threshold"] == {"seizure": 0.4}
    assert got["per_recording"] == cli["per_recording"]
    assert "events" in got["per_recording"][1]
    for key in ("balanced_accuracy", "n", "n_recordings", "confusion_matrix"):
        assert got[key] == cli[key], key
    with pytest.warns(EEGPTWarning, match="the probe's training data"):
        named = probe.evaluate(str(path), events=True, threshold={"seizure": 0.4})
    assert named["events"]["classes"] == ["seizure"]
    with pytest.raises(TypeError, match=r"evaluate\(threshold=...\) goes with events=True"):
        probe.evaluate(str(path), threshold=0.4)
    with pytest.raises(TypeError, match=r"evaluate\(events=True\) takes"):
        probe.evaluate(str(path), [0, 1], events=True)
    with pytest.raises(ValueError, match="--threshold 0.4 is one probability"):
        probe.evaluate(str(path), events=True, threshold=0.4, event_class=["seizure", "background"])


def test_plot_event_probabilities_draws_lines_spans_and_thresholds():
    """plot_event_probabilities: a line per class drawn (bad windows a gap), each annotated
    span shaded (in its class's colour, one legend entry per class), the threshold dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from eegpt.viz import plot_event_probabilities
    from eegpt.viz_events import EVENT_COLORS

    table = pd.DataFrame({
        "file": "rec.edf", "onset_s": np.arange(10.0) * 2, "p_bg": np.linspace(1, 0.1, 10),
        "p_sz": np.linspace(0, 0.9, 10), "bad": [False] * 4 + [True] + [False] * 5,
    })  # fmt: skip
    fig = plot_event_probabilities(table, 2.0, classes=["sz"], threshold=0.3,
                                   spans=[(4.0, 8.0, "sz"), (12.0, 14.0, "sz"),
                                          (16.0, 18.0, "other")])  # fmt: skip
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"p(sz)", "threshold 0.3"}
    x, y = lines["p(sz)"].get_data()
    np.testing.assert_allclose(x, np.arange(10.0) * 2 + 1)  # window centres, s
    assert np.isnan(y[4]) and y[9] == pytest.approx(0.9)  # the bad window: a gap
    assert lines["threshold 0.3"].get_ydata()[0] == 0.3
    assert lines["threshold 0.3"].get_linestyle() == "--"
    patches = ax.patches
    assert len(patches) == 3  # the spans
    labels = [p.get_label() for p in patches]
    assert labels[0] == "annotated sz" and labels[2] == "annotated other"
    assert not labels[1] or labels[1].startswith("_")  # one legend entry per class
    assert matplotlib.colors.same_color(patches[0].get_facecolor()[:3], EVENT_COLORS[0])
    assert ax.get_xlabel() == "time from the first sample (s)" and ax.get_title() == "rec.edf"
    with pytest.raises(ValueError, match="no p_x column"):
        plot_event_probabilities(table, 2.0, classes=["x"])
    two = pd.concat([table, table.assign(file="b.edf")])
    with pytest.raises(ValueError, match="pick one with file="):
        plot_event_probabilities(two, 2.0)
    assert plot_event_probabilities(two, 2.0, file="b.edf").axes[0].get_title() == "b.edf"


def test_predict_plot_draws_the_probabilities_of_a_recording(seizure_probe, tmp_path,
                                                             monkeypatch):  # fmt: skip
    """probe predict --plot FILE without --epoch-seconds: a panel per recording, the seizure
    probability over time, the two annotated seizures shaded (2-8 s, 20-25 s), --threshold
    dashed."""
    import eegpt.probe_cli_events

    folder, path, free = seizure_probe
    figure = tmp_path / "p.png"
    assert probe_main(["predict", str(folder), str(path), str(free), "--plot", str(figure),
                       "-q"]) == 0  # fmt: skip
    assert figure.read_bytes().startswith(b"\x89PNG")
    drawn = []
    monkeypatch.setattr(
        eegpt.probe_cli_events, "save_figure_file", lambda fig, *a, **kw: drawn.append(fig)
    )
    assert probe_main(["predict", str(folder), str(path), str(free), "--plot", str(figure),
                       "--events", str(tmp_path / "e.csv"), "--threshold", "0.4", "-o",
                       str(tmp_path / "w.csv"), "-q"]) == 0  # fmt: skip
    (fig,) = drawn
    seizures, calm = fig.axes[:2]
    assert [line.get_label() for line in seizures.get_lines()] == ["p(seizure)", "threshold 0.4"]
    spans = [p.get_x() for p in seizures.patches], [p.get_width() for p in seizures.patches]
    assert spans[0] == pytest.approx([2.0, 20.0]) and spans[1] == pytest.approx([6.0, 5.0])
    assert not calm.patches and calm.get_title() == str(free)
    windows = pd.read_csv(tmp_path / "w.csv")
    x, y = seizures.get_lines()[0].get_data()
    mine = windows[windows["file"] == str(path)]
    assert len(x) == len(mine) and y == pytest.approx(mine["p_seizure"].to_numpy())


def test_operating_points_are_drawn_and_evaluate_plot_shows_them(seizure_probe, tmp_path,
                                                                 monkeypatch):  # fmt: skip
    """plot_operating_points: sensitivity (%) against false alarms per 24 h, a point per
    threshold with a sensitivity, the threshold used ringed; evaluate --event-scoring --plot
    draws them beside the confusion matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    import eegpt.probe_cli_evaluate
    from eegpt.viz import plot_operating_points

    rows = [{"threshold": 0.1, "sensitivity": 1.0, "false_alarms_per_24h": 30.0},
            {"threshold": 0.5, "sensitivity": 0.5, "false_alarms_per_24h": 2.0},
            {"threshold": 0.9, "sensitivity": None, "false_alarms_per_24h": 0.0}]  # fmt: skip
    ax = plot_operating_points({"sz": rows}, threshold=0.5).axes[0]
    curve, ring = ax.get_lines()
    assert curve.get_label() == "sz" and ring.get_label() == "threshold 0.5"
    np.testing.assert_allclose(curve.get_xdata(), [30.0, 2.0])
    np.testing.assert_allclose(curve.get_ydata(), [100.0, 50.0])
    assert (ring.get_xdata()[0], ring.get_ydata()[0]) == (2.0, 50.0)
    assert [t.get_text() for t in ax.texts] == ["0.1", "0.5"]
    # thresholds of one point named as one range
    same = [{**rows[0], "threshold": 0.05}, *rows]
    ax = plot_operating_points({"sz": same}).axes[0]
    assert [t.get_text() for t in ax.texts] == ["0.05-0.1", "0.5"]
    assert ax.get_xlabel() == "false alarms per 24 h (OVLP)"
    folder, path, _ = seizure_probe
    drawn = []
    monkeypatch.setattr(
        eegpt.probe_cli_evaluate, "save_figure_file", lambda fig, *a, **kw: drawn.append(fig)
    )
    got = _evaluate(folder, [path], tmp_path / "s.json", "--plot", str(tmp_path / "cm.png"))
    (fig,) = drawn
    points = fig.axes[1]
    assert points.get_xlabel() == "false alarms per 24 h (OVLP)"
    expected = [r for r in got["events"]["operating_points"]["seizure"]
                if r["sensitivity"] is not None]  # fmt: skip
    np.testing.assert_allclose(points.get_lines()[0].get_ydata(),
                               [100 * r["sensitivity"] for r in expected])  # fmt: skip
    assert fig.axes[0].get_xlabel() == "Predicted label"  # the confusion matrix beside


def test_probe_evaluate_events_counts_the_seizures_it_cannot_score(seizure_probe, tmp_path):
    """EEGPTProbe.evaluate(events=True) counts a seizure in the dropped tail (after the last
    whole window) in events.unscored_annotations, as the command does."""
    from eegpt.probe import load_probe

    folder, _, _ = seizure_probe
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=6)
    raw.crop(0, 30.5, include_tmax=False)
    raw.set_annotations(mne.Annotations([5.0, 30.1], [3.0, 0.3], ["seizure", "seizure"]))
    path = tmp_path / "tail_raw.fif"
    raw.save(path, verbose=False)
    with pytest.warns(EEGPTWarning, match="after the last whole window"):
        got = load_probe(folder).evaluate(str(path), events=True)
    assert got["events"]["unscored_annotations"] == 1
    assert got["events"]["scores"]["seizure"]["scored_events"] == 1
