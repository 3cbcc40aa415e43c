"""``eegpt probe predict`` of several recordings goes on past one that fails (its channels,
NaN, a damaged file), as ``eegpt embed`` does: the others' rows are written, the failure
named on stderr and in the table's provenance, exit status 3; ``--fail-fast`` stops at it
(status 1, nothing written); an error of the command line stops before any recording is
read. ``probe evaluate`` refuses a set with a failing recording, naming it."""

import json

import mne
import numpy as np
import pandas as pd
import pytest

from eegpt import probe_cli_predict, viz_hypnogram
from eegpt.cli import main
from eegpt.cli_run import EXIT_SOME_FAILED
from eegpt.probe_cli import main as probe_main

NAMES = ["Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T7", "C3", "Cz", "C4", "T8", "P7", "P3",
         "Pz", "P4", "P8", "O1", "O2"]  # fmt: skip
SFREQ = 256.0


def _recording(folder, name, names=NAMES, nan=False, seconds=40.0):
    """A FIF file of ``names`` at 256 Hz (volts: noise), annotated ``A`` and ``B`` in turn
    every 4 s; with ``nan``, NaN over 19.5-20.3 s (under no bad annotation)."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 20e-6, (len(names), int(seconds * SFREQ)))
    if nan:
        x[:, 5000:5200] = np.nan
    raw = mne.io.RawArray(x, mne.create_info(list(names), SFREQ, "eeg"), verbose=False)
    k = int(seconds // 4)
    raw.set_annotations(mne.Annotations(np.arange(k) * 4.0, 4.0, (["A", "B"] * k)[:k]))
    path = folder / f"{name}_raw.fif"
    raw.save(path, verbose=False)
    return path


@pytest.fixture(scope="module")
def probe(tmp_path_factory, weights):
    """A probe trained on 4 s windows of one recording (classes A, B; B unlabelled)."""
    folder = tmp_path_factory.mktemp("probe")
    out = folder / "probe"
    assert probe_main(["train", str(_recording(folder, "train")), "--weights", str(weights),
                       "-o", str(out), "--passes", "1", "-q", "--window-labels", "A",
                       "--unlabelled", "B"]) == 0  # fmt: skip
    return out


def _three(tmp_path, kind):
    """Three recordings, the middle one failing: no channel maps, or NaN outside bad spans."""
    bad = (
        _recording(tmp_path, "b", names=[f"X{i}" for i in range(19)])
        if kind == "channels"
        else _recording(tmp_path, "b", nan=True)
    )
    return [_recording(tmp_path, "a"), bad, _recording(tmp_path, "c")]


@pytest.mark.parametrize("kind", ["channels", "nan"])
def test_a_failing_recording_is_named_and_the_others_written(tmp_path, probe, capsys, kind):
    """Of three recordings the middle one fails: the rows of the first and last are written,
    the failure named on stderr (as it happens and at the end, with its reason) and in the
    sidecar's provenance (not among its inputs), exit status 3 as embed's; eegpt info of the
    table names it (FAILED) and exits 3."""
    a, b, c = _three(tmp_path, kind)
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), str(a), str(b), str(c), "-o", str(out),
                       "-q"]) == EXIT_SOME_FAILED  # fmt: skip
    err = capsys.readouterr().err
    reason = "none of the 19 channel names maps" if kind == "channels" else "non-finite"
    assert f"eegpt: error: {b}: " in err and reason in err
    assert "done: 2 ok, 1 failed" in err
    assert f"  {b}: " in err.split("done: ")[1]  # named again at the end, with the reason
    table = pd.read_csv(out)
    assert table["file"].drop_duplicates().tolist() == [str(a), str(c)]
    assert len(table) == 20
    made = json.loads((tmp_path / "pred.csv.json").read_text())["provenance"]
    assert [r["name"] for r in made["inputs"]] == [a.name, c.name]
    assert [r["name"] for r in made["failed"]] == [b.name]
    assert reason in made["failed"][0]["reason"]
    assert main(["info", str(out)]) == EXIT_SOME_FAILED
    said = capsys.readouterr().out
    assert "FAILED: 1 of 3 inputs could not be predicted" in said
    assert f"    {b.name}: " in said and reason in said
    # an anonymized copy names the failed recording by its file name, in its reason too
    assert main(["anonymize", str(out), "-o", str(tmp_path / "anon.csv")]) == 0
    capsys.readouterr()
    copy = json.loads((tmp_path / "anon.csv.json").read_text())["provenance"]
    assert copy["failed"][0]["reason"].startswith(f"{b.name}: ")
    assert str(tmp_path) not in json.dumps(copy["failed"])


def test_fail_fast_stops_at_the_first_failure(tmp_path, probe, capsys, monkeypatch):
    """--fail-fast: the run stops at the failing recording (the last is not read), names it,
    exits 1 and writes nothing."""
    a, b, c = _three(tmp_path, "channels")
    read = []
    predict = probe_cli_predict._predict_continuous

    def counted(args, probe, path, rename):
        read.append(path)
        return predict(args, probe, path, rename)

    monkeypatch.setattr(probe_cli_predict, "_predict_continuous", counted)
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), str(a), str(b), str(c), "-o", str(out), "-q",
                       "--fail-fast"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert f"{b} could not be predicted; stopping there (--fail-fast)" in err
    assert "none of the 19 channel names maps" in err
    assert read == [a, b]
    assert not out.exists() and not (tmp_path / "pred.csv.json").exists()


def test_all_failing_writes_nothing(tmp_path, probe, capsys):
    """Every recording failing: exit status 1 (as embed's: none could be used), no table."""
    bad = [_recording(tmp_path, n, names=[f"X{i}" for i in range(19)]) for n in ("x", "y")]
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), *map(str, bad), "-o", str(out), "-q"]) == 1
    assert "done: 0 ok, 2 failed" in capsys.readouterr().err
    assert not out.exists()


def test_a_usage_error_stops_before_any_recording(tmp_path, probe, capsys, monkeypatch):
    """Options wrong for every recording (2 --annotations files for 3 recordings) stop the run
    before any is read: one error, not one failure per recording."""
    recordings = _three(tmp_path, "channels")
    read = []
    monkeypatch.setattr(probe_cli_predict, "_predict_continuous", lambda *a: read.append(a))
    files = []
    for name in ("a", "b"):
        files += ["--annotations", str(tmp_path / f"{name}.csv")]
        (tmp_path / f"{name}.csv").write_text("onset,duration,description\n0,4,A\n")
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), *map(str, recordings), *files, "-o", str(out),
                       "-q"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "2 --annotations file(s) for 3 continuous recording(s)" in err
    assert err.count("eegpt: error:") == 1 and read == [] and not out.exists()


def test_a_path_split_at_its_spaces_stops_before_any_recording(tmp_path, probe, capsys):
    """A recording whose path the shell split at its spaces (unquoted) is an error of the
    command line, as in embed: said at once, not a failure of each word."""
    folder = tmp_path / "My EEG"
    folder.mkdir()
    a = _recording(tmp_path, "a")
    spaced = _recording(folder, "b")
    words = str(spaced).split(" ")
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), str(a), *words, "-o", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "2 arguments" in err and "put a path with spaces in quotes" in err
    assert "done:" not in err and not out.exists()


def test_events_and_hypnogram_with_a_failing_recording(tmp_path, probe, capsys, monkeypatch):
    """--events and --epoch-seconds --plot go on past a failing recording: the events table
    and its sidecar are written of the others (the sidecar names the failure), and the
    hypnogram draws the recordings predicted."""
    a, b, c = _three(tmp_path, "nan")
    events = tmp_path / "events.csv"
    assert probe_main(["predict", str(probe), str(a), str(b), str(c), "--events", str(events),
                       "-q"]) == EXIT_SOME_FAILED  # fmt: skip
    assert set(pd.read_csv(events)["file"]) <= {str(a), str(c)}
    made = json.loads((tmp_path / "events.csv.json").read_text())["provenance"]
    assert [r["name"] for r in made["failed"]] == [b.name]
    drawn = []
    plot = viz_hypnogram.plot_hypnogram

    def kept(table, **kw):  # the recording drawn: file= of the table of all (or its only one)
        drawn.append(kw.get("file") or table["file"].iloc[0])
        return plot(table, **kw)

    monkeypatch.setattr(viz_hypnogram, "plot_hypnogram", kept)
    figure, out = tmp_path / "hyp.png", tmp_path / "hyp.csv"
    assert probe_main(["predict", str(probe), str(a), str(b), str(c), "--epoch-seconds", "8",
                       "--plot", str(figure), "-o", str(out), "-q"]) == EXIT_SOME_FAILED  # fmt: skip
    assert figure.stat().st_size > 0 and drawn == [str(a), str(c)]
    assert pd.read_csv(out)["file"].drop_duplicates().tolist() == [str(a), str(c)]
    assert "done: 2 ok, 1 failed" in capsys.readouterr().err


def test_a_failing_epochs_file_is_left_out(tmp_path, probe, capsys):
    """Epochs files, read together: one whose channels do not map is found, named and left
    out; the others are predicted together."""
    rng = np.random.default_rng(1)
    paths = []
    for name, names in (("a", NAMES), ("b", [f"X{i}" for i in range(19)]), ("c", NAMES)):
        info = mne.create_info(list(names), SFREQ, "eeg")
        epochs = mne.EpochsArray(rng.normal(0, 20e-6, (3, 19, 1024)), info, verbose=False)
        paths.append(tmp_path / f"{name}-epo.fif")
        epochs.save(paths[-1], verbose=False)
    out = tmp_path / "pred.csv"
    assert probe_main(["predict", str(probe), *map(str, paths), "-o", str(out),
                       "-q"]) == EXIT_SOME_FAILED  # fmt: skip
    err = capsys.readouterr().err
    assert f"{paths[1]}: none of the 19 channel names maps" in err
    assert pd.read_csv(out)["file"].tolist() == [str(paths[0])] * 3 + [str(paths[2])] * 3
    made = json.loads((tmp_path / "pred.csv.json").read_text())["provenance"]
    assert [r["name"] for r in made["failed"]] == ["b-epo.fif"]


def test_evaluate_names_the_recording_that_fails(tmp_path, probe, capsys):
    """probe evaluate needs every recording for its metrics: it stops (exit 1, no scores of
    a smaller set), naming the recording whose channels do not map (the merged inputs'
    error named none)."""
    a, b, c = _three(tmp_path, "channels")
    assert probe_main(["evaluate", str(probe), str(a), str(b), str(c), "-q"]) == 1
    err = capsys.readouterr().err
    assert f"eegpt: error: {b}: none of the 19 channel names maps" in err
    assert "balanced accuracy" not in err
