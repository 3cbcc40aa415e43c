"""What the probe commands report, as a methods reviewer reads it: the pass whose weights are
kept, where labels come from, validation by recording, evaluation's per-class scores and
baselines."""

from __future__ import annotations

import json
from pathlib import Path

import mne
import numpy as np
import pandas as pd
import pytest

from eegpt.probe import load_probe, synthetic_erp_epochs, synthetic_erp_raw
from eegpt.probe_cli import load_labelled_epochs
from eegpt.probe_cli import main as probe_main
from eegpt.probe_label_files import WindowLabelling

COMMON = ["--window", "1", "-q", "--no-average-reference"]


@pytest.fixture(scope="module")
def epoch_files(tmp_path_factory):
    """Three files of 1 s epochs (two classes): two to train on, one held out."""
    folder = tmp_path_factory.mktemp("epochs")
    epochs = synthetic_erp_epochs(120, seed=1, seconds=1.0, tmin=-0.2)
    paths = []
    for k in range(3):
        path = folder / f"sub-{k}-epo.fif"
        epochs[40 * k : 40 * (k + 1)].save(path, verbose=False)
        paths.append(path)
    return paths


def test_train_reports_the_pass_it_keeps(weights, epoch_files, tmp_path, capsys):
    """With --patience the probe holds the weights of the pass of lowest validation loss:
    the summary gives that pass's scores, not the last pass's."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), str(epoch_files[1]), "--weights",
                       str(weights), "-o", str(out), "--val-data", str(epoch_files[2]),
                       "--patience", "2", "--passes", "40", "--lr", "5e-2", *COMMON]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    meta = json.loads((out / "probe.json").read_text())
    runs, kept = meta["training"]["epochs_run"], meta["training"]["kept_epoch"]
    assert kept < runs  # stopped early, the best pass before the last
    row, last = meta["history"][kept - 1], meta["history"][-1]
    assert f"pass {kept} of {runs} kept (lowest validation loss): validation (40 epochs) " \
           f"loss {row['val_loss']:.4f}, balanced accuracy (BAC) " \
           f"{100 * row['val_balanced_accuracy']:.2f}% (validation epochs per class: " \
           f"{', '.join(f'{c!r} {n}' for c, n in meta['training']['class_counts']['validation'].items())}); " \
           f"training loss {row['train_loss']:.4f}" in printed  # fmt: skip
    assert f"the last pass, {runs}, whose weights are not kept: validation loss " \
           f"{last['val_loss']:.4f}" in printed  # fmt: skip
    assert "after the last pass" not in printed


@pytest.mark.parametrize(
    ("classes", "want"),
    [([1, 2], "1 10, 2 3"), (["a", "b"], "'a' 10, 'b' 3"), ([True, False], "True 10, False 3")],
)
def test_validation_counts_show_each_class_as_its_type_reads(classes, want):
    """probe.json records the counts under each class's text ("1"); the summary line shows
    the class as the probe holds it: int classes unquoted, text quoted."""
    from eegpt.probe_cli import _validation_counts_text

    training = {
        "class_counts": {"validation": {str(c): n for c, n in zip(classes, (10, 3), strict=True)}}
    }
    got = _validation_counts_text(training, classes)
    assert got == f" (validation epochs per class: {want})"


def _recording_with_a_gap(tmp_path, name="rec_raw.fif", seed=4):
    """A continuous recording of 37 windows of 1 s: 'left' annotated over windows 0-9,
    'right' over 20-29, nothing over 10-19 and 30-36, a bad span over window 33."""
    raw, _, _ = synthetic_erp_raw(8, sfreq=250.0, seed=seed)  # 37 s
    raw.set_annotations(mne.Annotations(
        onset=[0.0, 20.0, 33.0], duration=[10.0, 10.0, 1.0],
        description=["left", "right", "BAD_muscle"],
    ))  # fmt: skip
    path = tmp_path / name
    raw.save(path, verbose=False)
    return path


def _write_labels(path, labels, numbered=False):
    with path.open("w") as fh:
        fh.write("window,label\n" if numbered else "label\n")
        for k, label in enumerate(labels):
            fh.write(f"{k},{label}\n" if numbered else f"{label}\n")
    return path


def test_a_labels_file_that_cannot_be_read_is_refused_before_it_labels_a_recording(
    weights, tmp_path, capsys
):
    """A --labels file in another encoding is refused naming it, before any line says that it
    labels a recording's windows."""
    path = _recording_with_a_gap(tmp_path)
    labels = tmp_path / "lab.csv"
    labels.write_bytes(("label\n" + "Müde\n" * 37).encode("cp1252"))
    assert probe_main(["train", str(path), "--labels", str(labels), "--weights", str(weights),
                       "-o", str(tmp_path / "probe"), "--passes", "1", *COMMON]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert f"{labels} is not UTF-8 text: line 2" in err and "iconv -f cp1252" in err
    assert "labelled by the rows of" not in err


def test_a_labels_csv_labels_every_window_of_a_recording(weights, tmp_path, capsys):
    """--labels with a continuous recording: one row per window of the recording (or numbered
    by window), whatever its annotations cover; annotations neither drop nor label windows,
    but those over bad annotations are left out after the rows are matched; the counts said
    are those of the file's labels."""
    path = _recording_with_a_gap(tmp_path)
    mine = ["up" if k % 3 else "down" for k in range(37)]  # not the annotations' classes
    plain = _write_labels(tmp_path / "plain.csv", mine)
    out = tmp_path / "probe"
    assert probe_main(["train", str(path), "--labels", str(plain), "--weights", str(weights),
                       "-o", str(out), "--passes", "1", *COMMON]) == 0  # fmt: skip
    err = capsys.readouterr().err
    kept = [k for k in range(37) if k != 33]  # window 33 is over the bad span
    expected = {c: sum(mine[k] == c for k in kept) for c in ("down", "up")}
    assert f"{path}: 37 windows of 1 s, labelled by the rows of {plain}" in err
    assert "1 over bad annotations (BAD_muscle: 1) left out" in err
    assert f"labels from {plain} (--labels), 36 epochs/windows: 'down' {expected['down']}, " \
           f"'up' {expected['up']}" in err  # fmt: skip
    assert "'left'" not in err and "'right'" not in err
    probe = load_probe(out)
    assert probe.training["class_counts"]["train"] == expected
    assert probe.training["window_labels"] == {"match": None, "labels": "file",
                                               "window_seconds": 1.0}  # fmt: skip
    # labels numbered by window (all 37, in another order) go to the same windows as the
    # file in order: window by window (labels not the same read backwards, so a reading that
    # ignored the window column would give others)
    seq = ["down" if k in (0, 1, 2, 5) or k % 7 == 3 else "up" for k in range(37)]
    assert seq != seq[::-1]
    in_order = _write_labels(tmp_path / "in_order.csv", seq)
    numbered = _write_labels(tmp_path / "numbered.csv", seq, numbered=True)
    lines = numbered.read_text().splitlines()
    numbered.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    backwards = _write_labels(tmp_path / "backwards.csv", seq[::-1])  # no window column

    def window_labels(labels):
        how = WindowLabelling(None, 1.0, labels_file=str(labels))
        rec, y, _ = load_labelled_epochs([path], labels=labels, windows=how, verbose=False)
        return rec.selection, y.tolist()

    assert window_labels(numbered) == window_labels(in_order) == (kept, [seq[k] for k in kept])
    assert window_labels(backwards)[1] != window_labels(in_order)[1]
    scores = {}
    for labels in (in_order, numbered):
        assert probe_main(["evaluate", str(out), str(path), "--labels", str(labels), "-q",
                           "--json", str(tmp_path / f"{labels.stem}.json")]) == 0  # fmt: skip
        scores[labels] = json.loads((tmp_path / f"{labels.stem}.json").read_text())
    assert scores[numbered]["n"] == 36
    for key in ("confusion_matrix", "per_class", "balanced_accuracy", "auroc"):
        assert scores[numbered][key] == scores[in_order][key], key
    # a probe trained on annotation labels: evaluate --labels takes the file's labels for all
    # windows, not the annotations' windows (those would drop the unannotated 10-19, 30-36)
    by_annotations = tmp_path / "by_annotations"
    assert probe_main(["train", str(path), "--window-labels", "left|right", "--weights",
                       str(weights), "-o", str(by_annotations), "--passes", "1", *COMMON]) == 0  # fmt: skip
    capsys.readouterr()
    lr = _write_labels(tmp_path / "lr.csv", ["left" if k % 2 else "right" for k in range(37)])
    assert probe_main(["evaluate", str(by_annotations), str(path), "--labels", str(lr), "-q",
                       "--json", str(tmp_path / "lr.json")]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"labels from {lr} (--labels), 36 epochs/windows: 'right' 19, 'left' 17" in err
    assert json.loads((tmp_path / "lr.json").read_text())["n"] == 36
    # both ways of labelling at once is refused
    assert probe_main(["evaluate", str(by_annotations), str(path), "--labels", str(lr),
                       "--window-labels", "left|right", "-q"]) == 1  # fmt: skip
    assert "give one of them" in capsys.readouterr().err


def test_a_labels_csv_probe_records_its_start_and_says_it(weights, tmp_path, capsys):
    """probe train --labels --start 0.5: the start (and window) is recorded as with
    --window-labels, shown by eegpt info, and evaluate/predict without --start say that the
    probe's windows started at 0.5 s and these at 0 s (every label would be 0.5 s off)."""
    from eegpt.cli import main as eegpt_main

    path = _recording_with_a_gap(tmp_path)  # 37.8 s: 37 windows of 1 s from 0.5 s
    labels = _write_labels(tmp_path / "l.csv", ["up" if k % 3 else "down" for k in range(37)])
    out = tmp_path / "probe"
    assert probe_main(["train", str(path), "--labels", str(labels), "--start", "0.5",
                       "--weights", str(weights), "-o", str(out), "--passes", "1",
                       *COMMON]) == 0  # fmt: skip
    how = load_probe(out).training["window_labels"]
    assert how == {"match": None, "labels": "file", "window_seconds": 1.0, "start_seconds": 0.5}
    capsys.readouterr()
    assert eegpt_main(["info", str(out)]) == 0
    info = capsys.readouterr().out
    assert "by the rows of a labels file (--labels)" in info
    assert "trained on windows starting at 0.5 s (--start 0.5)" in info
    note = "note: the probe was trained on windows starting at 0.5 s (--start 0.5)"
    # without --start, the training's is adopted (it was 0, every label 0.5 s off), said so
    adopted = "continuous recordings' windows start at 0.5 s, as in training (--start 0.5)"
    evaluated = tmp_path / "e.json"
    assert probe_main(["evaluate", str(out), str(path), "--labels", str(labels),
                       "--json", str(evaluated)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert adopted in err and note not in err
    assert probe_main(["predict", str(out), str(path), "-o", str(tmp_path / "p.csv")]) == 0
    err = capsys.readouterr().err
    assert adopted in err and note not in err
    assert pd.read_csv(tmp_path / "p.csv")["onset_s"].iloc[0] == 0.5
    assert probe_main(["evaluate", str(out), str(path), "--labels", str(labels),
                       "--start", "0.5", "--json", str(evaluated), "--overwrite"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "trained on windows starting" not in err and adopted not in err
    assert probe_main(["evaluate", str(out), str(path), "--labels", str(labels),
                       "--start", "0"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert err.count(note) == 1 and "start as given (--start 0)" in err
    # any start other than the trained one is noted, 0 given or not, and 0.25 alike
    for start in (["--start", "0"], ["--start", "0.25"]):
        assert probe_main(["predict", str(out), str(path), "-o", str(tmp_path / "p.csv"),
                           "--overwrite", *start]) == 0  # fmt: skip
        err = capsys.readouterr().err
        assert err.count(note) == 1, start
        assert f"windows start as given (--start {start[1]})" in err
        assert "whenever the start differs from the probe's training start" in err


def test_val_data_recordings_with_labels_take_their_own_labels_file(weights, tmp_path, capsys):
    """probe train A --labels L --val-data B (both continuous) read B by L's rows, said so on
    stderr, and failed with Python advice (y has 37 missing labels ... epochs[~mask]);
    --val-annotations was silently ignored. B's labels now come from --val-labels FILE (laid
    out as --labels); without it, and with --val-annotations, it is refused saying so."""
    train = _recording_with_a_gap(tmp_path)
    held = _recording_with_a_gap(tmp_path, "held_raw.fif", seed=5)
    labels = _write_labels(tmp_path / "l.csv", ["up" if k % 3 else "down" for k in range(37)])
    held_labels = _write_labels(tmp_path / "v.csv", ["up" if k % 2 else "down" for k in range(37)])
    hyp = tmp_path / "hyp.csv"
    hyp.write_text("onset,duration,description\n0,10,left\n")
    out = tmp_path / "probe"
    common = [str(train), "--labels", str(labels), "--val-data", str(held), "--weights",
              str(weights), "-o", str(out), "--passes", "1", *COMMON]  # fmt: skip
    capsys.readouterr()
    assert probe_main(["train", *common]) == 1
    err = capsys.readouterr().err
    assert f"--labels {labels} labels the training files only: give the labels of the " \
           f"continuous --val-data recording(s) ({held}) with --val-labels FILE" in err  # fmt: skip
    assert "epochs[~mask]" not in err and "labelled by the rows" not in err
    assert probe_main(["train", *common, "--val-annotations", str(hyp)]) == 1
    assert "--val-annotations gives the labels of --window-labels; with --labels" in \
           capsys.readouterr().err  # fmt: skip
    assert not out.exists()
    assert probe_main(["train", *common, "--val-labels", str(held_labels)]) == 0
    err = capsys.readouterr().err
    assert f"{held}: 37 windows of 1 s, labelled by the rows of {held_labels}" in err
    assert f"labels from {held_labels} (--val-labels), 36 epochs/windows: 'down' 19, 'up' 17" \
           in err  # fmt: skip
    probe = load_probe(out)
    assert probe.training["n_validation"] == 36
    assert probe.training["validation"]["labels_file"]["name"] == "v.csv"
    # --val-labels goes with --labels and --val-data
    assert probe_main(["train", str(train), "--labels", str(labels), "--val-labels",
                       str(held_labels), "--weights", str(weights), "-o", str(tmp_path / "x"),
                       *COMMON]) == 1  # fmt: skip
    assert "--val-labels labels the --val-data files: give --val-data FILE too" in \
           capsys.readouterr().err  # fmt: skip
    assert probe_main(["train", str(train), "--window-labels", "left|right", "--val-data",
                       str(held), "--val-labels", str(held_labels), "--weights", str(weights),
                       "-o", str(tmp_path / "x"), *COMMON]) == 1  # fmt: skip
    assert "give --labels too" in capsys.readouterr().err


def test_the_window_level_val_warning_is_kept_with_the_probe(weights, tmp_path):
    """--val FRACTION of a continuous recording's windows: the warning that neighbouring
    windows fall on both sides is saved in training.warnings, as the probe's other ones."""
    path = _recording_with_a_gap(tmp_path)
    labels = _write_labels(tmp_path / "l.csv", ["up" if k % 2 else "down" for k in range(37)])
    out = tmp_path / "probe"
    with pytest.warns(RuntimeWarning, match="--val 0.3 holds out windows drawn at random"):
        assert probe_main(["train", str(path), "--labels", str(labels), "--weights",
                           str(weights), "-o", str(out), "--passes", "1", "--val", "0.3",
                           *COMMON]) == 0  # fmt: skip
    said = load_probe(out).training["warnings"]
    assert any("--val 0.3 holds out windows drawn at random" in w for w in said)
    assert any("--val 0.3 --val-by recording" in w for w in said)


def test_val_by_recording_holds_out_whole_input_files(weights, epoch_files, tmp_path, capsys):
    out = tmp_path / "probe"
    assert probe_main(["train", *map(str, epoch_files), "--weights", str(weights), "-o",
                       str(out), "--val", "0.34", "--val-by", "recording", "--passes", "1",
                       *COMMON]) == 0  # fmt: skip
    probe = load_probe(out)
    record = probe.training["validation"]
    assert record["by"] == "recording" and record["groups"]["count"] == 3
    (held,) = record["groups"]["held_out"]
    assert held in [p.name for p in epoch_files]  # by name, as training.inputs names them
    # the validation epochs are those of the file held out, all of them
    assert probe.training["n_validation"] == 40 and probe.training["n_train"] == 80
    assert not any("drawn at random" in w for w in probe.training.get("warnings", []))
    from eegpt.cli import main as eegpt_main

    capsys.readouterr()
    assert eegpt_main(["info", str(out)]) == 0
    assert "by recording (--val-by recording: 1 of 3 input files held out whole: " \
           f"{Path(held).name})" in capsys.readouterr().out  # fmt: skip
    # one recording cannot be split by recording; --val-by needs --val
    assert probe_main(["train", str(epoch_files[0]), "--weights", str(weights), "-o",
                       str(tmp_path / "x"), "--val", "0.3", "--val-by", "recording"]) == 1  # fmt: skip
    assert "--val-by recording holds out whole recordings (input files) and needs at least 2; " \
           "got 1" in capsys.readouterr().err  # fmt: skip
    assert probe_main(["train", *map(str, epoch_files), "--weights", str(weights), "-o",
                       str(tmp_path / "x"), "--val-by", "recording"]) == 1  # fmt: skip
    assert "give --val FRACTION too" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_subject_of_a_path():
    from eegpt.probe_cli import subject_of

    assert subject_of("tuh/aaaaaaab_s002_t000.edf") == "aaaaaaab"
    assert subject_of("/d/01_tcp_ar/aaaaaaab/s001_2002/aaaaaaab_s001_t001.edf") == "aaaaaaab"
    assert subject_of("ds/sub-02/ses-1/eeg/sub-02_ses-1_task-rest_eeg.edf") == "sub-02"
    assert subject_of("sub-07_task-x_eeg.vhdr") == "sub-07"
    assert subject_of("night3.edf") is None


def test_val_by_subject_holds_out_whole_patients(weights, epoch_files, tmp_path, capsys):
    """--val-by subject: files of one TUH patient (PATIENT_sNNN_tNNN) stay on one side;
    probe.json records the grouping and the subjects held out, eegpt info shows them;
    --val-group REGEX names the groups alike; a path with no group is refused, named."""
    import shutil

    from eegpt.cli import main as eegpt_main
    from eegpt.training import realised_fraction_warning

    names = ["a_s001_t000-epo.fif", "a_s001_t001-epo.fif", "b_s001_t000-epo.fif"]
    files = [tmp_path / n for n in names]
    for src, dst in zip(epoch_files, files, strict=True):
        shutil.copy(src, dst)
    out = tmp_path / "probe"
    assert probe_main(["train", *map(str, files), "--weights", str(weights), "-o", str(out),
                       "--val", "0.34", "--val-by", "subject", "--passes", "1", *COMMON]) == 0  # fmt: skip
    training = load_probe(out).training
    record = training["validation"]
    assert record["by"] == "subject" and record["groups"] == {"count": 2, "held_out": ["b"]}
    assert record["group_pattern"] == "BIDS sub-LABEL, else TUH PATIENT_sNNN"
    assert training["n_validation"] == 40 and training["n_train"] == 80
    capsys.readouterr()
    assert eegpt_main(["info", str(out)]) == 0
    assert "by subject (--val-by subject: 1 of 2 subjects held out whole: b)" in (
        capsys.readouterr().out
    )
    # a pattern of one's own: its first capture group
    assert probe_main(["train", *map(str, files), "--weights", str(weights), "-o",
                       str(tmp_path / "g"), "--val", "0.34", "--val-group", r"/([ab])_s\d",
                       "--passes", "1", *COMMON]) == 0  # fmt: skip
    assert "(1 pass, " in capsys.readouterr().out  # one pass, singular
    record = load_probe(tmp_path / "g").training["validation"]
    assert record["by"] == "group" and record["groups"]["held_out"] == ["b"]
    assert eegpt_main(["info", str(tmp_path / "g")]) == 0
    assert r"by group (--val-group '/([ab])_s\d': 1 of 2 groups of input files held out " \
           "whole: b)" in capsys.readouterr().out  # fmt: skip
    # a file without a subject, or all of one subject: refused before anything is read
    other = tmp_path / "night-epo.fif"
    shutil.copy(epoch_files[0], other)
    assert probe_main(["train", str(files[0]), str(other), "--weights", str(weights), "-o",
                       str(tmp_path / "x"), "--val", "0.3", "--val-by", "subject"]) == 1  # fmt: skip
    assert f"{other}: --val-by subject finds no group in its path" in capsys.readouterr().err
    assert probe_main(["train", *map(str, files[:2]), "--weights", str(weights), "-o",
                       str(tmp_path / "x"), "--val", "0.3", "--val-by", "subject"]) == 1  # fmt: skip
    assert "needs at least 2; the 2 input file(s) are all of 'a'" in capsys.readouterr().err
    # the Python warning of groups given (patients, say) does not call them files
    said = realised_fraction_warning(0.3, 40, 80, 1, 2)
    assert "(40 of 80: 1 of 2 groups)" in said and "input file" not in said


def test_the_realised_fraction_warning_says_a_nearer_split_leaves_a_class_out():
    """Groups G1 (45 epochs of 'a'), G2 (45 of 'b'), G3 (5 + 5) at 0.3: G3 is held out (10%);
    holding out G1 (45%) comes nearer but leaves 'b' out of validation, which the warning
    says rather than that whole groups come no nearer. The options read as words, in Python
    and on the command line."""
    from eegpt.training import group_split, realised_fraction_warning

    y = np.array([0] * 45 + [1] * 45 + [0] * 5 + [1] * 5)
    groups = np.array(["G1"] * 45 + ["G2"] * 45 + ["G3"] * 10)
    _, va, held, n_groups = group_split(y, groups, 0.3, seed=0)
    assert held == ["G3"]
    said = realised_fraction_warning(
        0.3, len(va), len(y), len(held), n_groups, False, y=y, groups=groups,
        classes=np.array(["a", "b"]),
    )  # fmt: skip
    assert said.startswith(
        "validation=0.3 split by whole groups (the groups given) holds out 10.0% of the "
        "epochs (10 of 100: 1 of 3 groups), not 30%: a nearer split exists, but holding out "
    )
    assert "(45.0%) would leave class 'b' out of validation. " in said
    assert "no nearer" not in said and "groups=)" not in said
    on_command_line = realised_fraction_warning(0.3, 40, 80, 1, 2)
    assert "(the groups given, command line: --val 0.3 with --val-by recording or " in (
        on_command_line
    )


def test_val_by_recording_reports_and_warns_of_the_fraction_realised(
    weights, epoch_files, tmp_path, capsys
):
    """2 files and --val 0.3 --val-by recording hold out half the epochs: the fraction
    realised is printed, saved (training.validation.realised_fraction), shown by eegpt info
    and warned of (kept with the training warnings)."""
    out = tmp_path / "probe"
    with pytest.warns(RuntimeWarning, match=r"holds out 50\.0% of the epochs \(40 of 80: 1 of 2"):
        assert probe_main(["train", *map(str, epoch_files[:2]), "--weights", str(weights),
                           "-o", str(out), "--val", "0.3", "--val-by", "recording",
                           "--passes", "1", *COMMON]) == 0  # fmt: skip
    said = capsys.readouterr()
    assert "validation (40 epochs, 50.0% of the epochs held out for --val 0.3 by recording)" \
        in said.out + said.err  # fmt: skip
    probe = load_probe(out)
    assert probe.training["validation"]["realised_fraction"] == 0.5
    assert any("not 30%: whole groups come no nearer" in w for w in probe.training["warnings"])
    from eegpt.cli import main as eegpt_main

    assert eegpt_main(["info", str(out)]) == 0
    assert "validation fraction 0.3 (realised 0.5) by recording" in capsys.readouterr().out


def test_n_recordings_counts_the_files_with_an_epoch_scored(weights, epoch_files, tmp_path):
    """evaluate --skip-unknown: n_recordings counted the input files before they were
    filtered, n after; a file of which every epoch is left out is no recording scored."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", *COMMON]) == 0  # fmt: skip
    other = mne.read_epochs(epoch_files[2], verbose=False)
    other.event_id = {f"other {k}": v for k, v in other.event_id.items()}  # no class of it
    unknown = tmp_path / "unknown-epo.fif"
    other.save(unknown, verbose=False)
    scores = tmp_path / "scores.json"
    assert probe_main(["evaluate", str(out), str(epoch_files[1]), str(unknown), "-q",
                       "--skip-unknown", "--json", str(scores)]) == 0  # fmt: skip
    got = json.loads(scores.read_text())
    assert got["n"] == 40 and got["n_left_out"] == 40
    assert got["n_recordings"] == 1


def test_evaluate_of_several_recordings_scores_each_alone(weights, epoch_files, tmp_path, capsys):
    """evaluate of two files pooled their epochs and said that n overstates the evidence, with
    no breakdown: each recording's n, BAC, kappa, accuracy and classes are printed under the
    pooled scores, and --json's per_recording holds each one's metrics, those of evaluating
    the file alone (eegpt anonymize names each by its file name); one recording gets no such
    table."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", *COMMON]) == 0  # fmt: skip
    test = [str(epoch_files[1]), str(epoch_files[2])]
    alone = []
    for k, path in enumerate(test):
        scores = tmp_path / f"alone{k}.json"
        assert probe_main(["evaluate", str(out), path, "-q", "--json", str(scores)]) == 0
        alone.append(json.loads(scores.read_text()))
        assert "per_recording" not in alone[-1]
    assert "per recording" not in capsys.readouterr().out
    scores = tmp_path / "both.json"
    assert probe_main(["evaluate", str(out), *test, "-q", "--json", str(scores)]) == 0
    printed = capsys.readouterr().out
    got = json.loads(scores.read_text())
    assert [r["recording"] for r in got["per_recording"]] == test
    keys = ("n", "accuracy", "balanced_accuracy", "cohen_kappa", "weighted_f1", "auroc")
    for row, one in zip(got["per_recording"], alone, strict=True):
        assert row == {"recording": row["recording"], **{k: pytest.approx(one[k]) for k in keys},
                       "classes_in_labels": 2}  # fmt: skip
    table = printed[printed.index("per recording (each scored alone):") :].splitlines()
    assert table[1].split() == ["n", "BAC", "kappa", "accuracy", "classes", "recording"]
    for line, row in zip(table[2:4], got["per_recording"], strict=True):
        bac, kappa, accuracy = (f"{100 * row[k]:.2f}%" for k in keys[2:4] + ("accuracy",))
        assert line.split() == ["40", bac, kappa, accuracy, "2/2", row["recording"]]
    from eegpt.cli import main as eegpt_main  # a copy to publish names the files alone

    assert eegpt_main(["anonymize", str(scores), "-o", str(tmp_path / "anon.json")]) == 0
    anonymized = json.loads((tmp_path / "anon.json").read_text())["per_recording"]
    assert [r["recording"] for r in anonymized] == [Path(p).name for p in test]


def test_recording_scores_of_a_recording_of_one_class_say_what_its_bac_is():
    """A recording whose labels hold one class: its kappa is undefined (n/a, null) and its BAC
    is that class's recall, which the printed table says."""
    from eegpt.probe_metrics import format_recording_scores, recording_scores

    classes = np.array(["a", "b"])
    y = np.array(["a", "b", "a", "b", "a", "a"])
    pred = np.array(["a", "b", "b", "b", "a", "b"])
    rows = recording_scores(y, pred, None, classes, ["r1"] * 4 + ["r2"] * 2)
    assert [(r["recording"], r["n"], r["classes_in_labels"]) for r in rows] == [
        ("r1", 4, 2), ("r2", 2, 1)
    ]  # fmt: skip
    assert rows[0]["balanced_accuracy"] == 0.75 and rows[1]["balanced_accuracy"] == 0.5
    assert np.isnan(rows[1]["cohen_kappa"]) and np.isnan(rows[1]["auroc"])
    text = format_recording_scores(rows, 2)
    assert text.splitlines()[3].split() == ["2", "50.00%", "n/a", "50.00%", "1/2", "r2"]
    assert "its BAC averages the recall of the classes it holds" in text


def test_evaluate_reports_per_class_scores_the_matrix_and_baselines(
    weights, epoch_files, tmp_path, capsys
):
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), "--weights", str(weights), "-o", str(out),
                       "--passes", "2", *COMMON]) == 0  # fmt: skip
    pred_csv = tmp_path / "pred.csv"
    test = [str(epoch_files[1]), str(epoch_files[2])]
    assert probe_main(["predict", str(out), *test, "-o", str(pred_csv), "-q"]) == 0
    capsys.readouterr()
    scores = tmp_path / "scores.json"
    assert probe_main(["evaluate", str(out), *test, "--json", str(scores),
                       "--class-order", "target", "standard"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    got = json.loads(scores.read_text())
    rows = pd.read_csv(pred_csv)
    y, pred = rows["label"].to_numpy(), rows["prediction"].to_numpy()
    order = ["target", "standard"]
    precision, recall, f1, support = precision_recall_fscore_support(
        y, pred, labels=order, zero_division=np.nan
    )
    assert [r["class"] for r in got["per_class"]] == order
    for k, row in enumerate(got["per_class"]):
        for key, want in (("precision", precision), ("recall", recall), ("f1", f1)):
            assert row[key] == (None if np.isnan(want[k]) else pytest.approx(want[k]))
        assert row["support"] == support[k]
        assert row["prevalence"] == pytest.approx(support[k] / len(y))
        assert 0 <= row["average_precision"] <= 1  # from the probabilities, one-vs-rest
    assert got["confusion_matrix"]["labels"] == order
    assert got["confusion_matrix"]["matrix"] == confusion_matrix(y, pred, labels=order).tolist()
    counts = pd.Series(y).value_counts()
    assert got["majority_baseline_accuracy"] == pytest.approx(counts.max() / len(y))
    assert got["chance_balanced_accuracy"] == pytest.approx(0.5)
    assert got["n"] == 80 and got["n_recordings"] == 2
    # the keys other tools read are there as before
    for key in ("accuracy", "balanced_accuracy", "cohen_kappa", "weighted_f1", "auroc"):
        assert key in got
    assert "precision  recall      F1  AUPRC(AP)  prevalence  false pos.  support" in printed
    (first,) = [line for line in printed.splitlines() if line.startswith("target ")]
    assert f"{100 * got['per_class'][0]['f1']:5.1f}%" in first  # the F1 column
    from eegpt.cli import main as eegpt_main

    assert eegpt_main(["info", str(scores)]) == 0
    assert f"| from 2 recording(s) | baselines: majority class {100 * counts.max() / len(y):.2f}%" \
           ", chance BAC 50.00%" in capsys.readouterr().out  # fmt: skip
    assert f"baselines: always the most frequent class {100 * counts.max() / len(y):.2f}% " \
           "accuracy; chance BAC 50.00%" in printed  # fmt: skip
    assert "n=80 epochs/windows from 2 recording(s)/file(s): epochs of one recording are not " \
           "independent" in printed  # fmt: skip


def test_undefined_per_class_scores_are_null_and_printed_n_a():
    """A class never predicted has no precision, one with no true label no recall (and,
    neither true nor predicted, no F1): null in the JSON (which has no NaN), "n/a" printed
    with a note; defined zeros stay 0."""
    from eegpt.probe_metrics import class_report, format_class_report

    y = ["A", "A", "B", "B"]
    report = class_report(y, ["A", "A", "A", "C"], ["A", "B", "C", "D"])
    rows = {r["class"]: r for r in report["per_class"]}
    assert rows["A"]["precision"] == pytest.approx(2 / 3) and rows["A"]["recall"] == 1.0
    assert rows["B"]["precision"] is None and rows["B"]["recall"] == 0.0
    assert rows["B"]["f1"] == 0.0
    assert rows["C"]["precision"] == 0.0 and rows["C"]["recall"] is None
    assert rows["D"]["precision"] is None and rows["D"]["recall"] is None
    assert rows["D"]["f1"] is None
    json.dumps(report, allow_nan=False)  # valid JSON
    printed = format_class_report(report)
    (b_line,) = [line for line in printed.splitlines() if line.startswith("B ")]
    assert "n/a" in b_line and "0.0%" in b_line
    assert "n/a: undefined (precision: the class was never predicted" in printed


def test_chance_bac_is_that_of_a_uniform_guess_over_the_probes_classes():
    """A 3-class probe tested on labels of 2 of its classes: chance BAC is 1/3 (the expected
    balanced accuracy of a guess uniform over the probe's classes, computed here exactly), not
    1/2 (the best constant guess among the classes present); the report says how many classes
    the labels hold and what a constant guess scores; eegpt info says it alike."""
    from itertools import product

    from sklearn.metrics import balanced_accuracy_score

    from eegpt.probe_metrics import chance_text, class_report, format_class_report
    from eegpt.probe_provenance import _evaluation_context

    classes = ["a", "b", "c"]
    y = ["a", "a", "b"]
    report = class_report(y, ["a", "b", "c"], classes, classes=classes)
    every_guess = [balanced_accuracy_score(y, g) for g in product(classes, repeat=len(y))]
    assert report["chance_balanced_accuracy"] == pytest.approx(np.mean(every_guess))
    assert report["chance_balanced_accuracy"] == pytest.approx(1 / 3)
    assert report["classes_in_labels"] == 2
    said = (
        "chance BAC 33.33% (a uniform guess over the probe's 3 classes; the labels hold 2 of "
        "them: always predicting one of those scores 50.00%, always an absent one 0%)"
    )
    assert chance_text(report) == said and said in format_class_report(report)
    shown = _evaluation_context(report, lambda k: f"{100 * report[k]:.2f}%")
    assert shown.endswith("chance BAC 33.33% (1/3: 2 of its classes in the labels)")
    every = class_report(["a", "b", "c"], ["a", "a", "a"], classes, classes=classes)
    assert every["chance_balanced_accuracy"] == pytest.approx(1 / 3)
    assert "classes_in_labels" not in every and chance_text(every) == "chance BAC 33.33%"


def test_rare_class_average_precision_and_headline(tmp_path, capsys):
    """At 2% seizure windows: each class's average precision (AUPRC, one-vs-rest) beside its
    prevalence (AP's chance level) and false positives; the headline leads with the rarest
    class's recall and AP, not accuracy or weighted F1; eegpt info says it alike."""
    from sklearn.metrics import average_precision_score

    from eegpt.cli import main as eegpt_main
    from eegpt.probe_metrics import class_report, format_class_report, format_metrics, probe_metrics

    rng = np.random.default_rng(0)
    classes = np.array(["background", "seizure"])
    y = np.array(["background"] * 147 + ["seizure"] * 3)
    p_seizure = np.concatenate([rng.uniform(0, 0.6, 147), [0.9, 0.55, 0.3]])
    proba = np.column_stack([1 - p_seizure, p_seizure])
    pred = classes[proba.argmax(axis=1)]
    metrics = {
        **probe_metrics(y, pred, proba, classes),
        **class_report(y, pred, classes, proba, classes),
    }
    rows = {r["class"]: r for r in metrics["per_class"]}
    want = average_precision_score(y == "seizure", p_seizure)
    assert rows["seizure"]["average_precision"] == pytest.approx(want)
    assert rows["seizure"]["prevalence"] == pytest.approx(0.02)
    assert rows["background"]["average_precision"] == pytest.approx(
        average_precision_score(y == "background", 1 - p_seizure)
    )
    n_fp = int(np.sum((pred == "seizure") & (y == "background")))
    assert rows["seizure"]["false_positives"] == n_fp
    assert rows["background"]["false_positives"] == 1  # the seizure window at 0.3
    line = format_metrics(metrics)
    recall = 100 * rows["seizure"]["recall"]
    assert line.startswith(
        f"smallest class 'seizure' (3 of 150, 2.00%): recall {recall:.2f}%, precision "
    ), line
    assert f"AP {100 * want:.2f}% (chance 2.00%) | BAC " in line
    assert "(n=150; always the most frequent class: 98.00%)" in line
    printed = format_class_report(metrics)
    assert "AUPRC(AP)  prevalence  false pos." in printed
    (seizure,) = [r for r in printed.splitlines() if r.startswith("seizure ")]
    assert (
        f"{100 * want:8.2f}%" in seizure and "    2.00%" in seizure and f" {n_fp:10d} " in seizure
    )
    # balanced classes, or metrics without per_class: the paper's line as before
    even = class_report(["a", "b"], ["a", "b"], ["a", "b"])
    assert format_metrics({**probe_metrics(["a", "b"], ["a", "b"]), **even}).startswith("BAC ")
    assert format_metrics(probe_metrics(y, pred)).startswith("BAC ")
    # eegpt info reads the same keys from the JSON
    from eegpt.probe_provenance import EVALUATION_FORMAT

    scores = tmp_path / "scores.json"
    record = {"format": EVALUATION_FORMAT, **metrics, "provenance": {"probe": {"folder": "p"}}}
    scores.write_text(json.dumps(record))
    assert eegpt_main(["info", str(scores)]) == 0
    assert f"  smallest class 'seizure' (3 of 150, 2.00%): recall {recall:.2f}%" in (
        capsys.readouterr().out
    )


def test_evaluate_json_of_one_class_is_strict_json(weights, epoch_files, tmp_path):
    """Test epochs of one class: Cohen's kappa and AUROC are undefined, written as null (the
    file is JSON that strict readers take: no NaN), and eegpt info shows them n/a."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), "--weights", str(weights), "-o", str(out),
                       "--passes", "1", *COMMON]) == 0  # fmt: skip
    epochs = mne.read_epochs(epoch_files[1], verbose=False)
    one = tmp_path / "one-class-epo.fif"
    epochs[list(epochs.event_id)[0]].save(one, verbose=False)
    scores = tmp_path / "scores.json"
    assert probe_main(["evaluate", str(out), str(one), "-q", "--json", str(scores)]) == 0

    def refuse(name):
        raise ValueError(f"{name} is no JSON value")

    got = json.loads(scores.read_text(), parse_constant=refuse)
    assert got["cohen_kappa"] is None and got["auroc"] is None
    from eegpt.cli import main as eegpt_main

    assert eegpt_main(["info", str(scores)]) == 0


def test_the_missing_class_warning_is_worded_by_the_classes_present():
    """Test labels of two of three classes: kappa and AUROC are reported (of the classes
    present), not said to need two classes; of one class: they are n/a."""
    from eegpt.probe_metrics import evaluation_warning

    classes = np.array(["A", "B", "C"])
    two = evaluation_warning(np.array(["A", "B", "A"]), classes)
    assert "hold no epochs of 'C'" in two and "need two classes" not in two
    assert "Cohen's kappa and AUROC are reported, of the classes present only" in two
    assert "the one class there" not in two
    one = evaluation_warning(np.array(["A", "A"]), classes)
    assert "with one class present, Cohen's kappa, AUROC and average precision are undefined " \
           "(n/a); its recall (the accuracy) and the other classes' false positives" in one  # fmt: skip
    assert "1.0 for a model that always predicts the one class there" in one


def test_auroc_of_test_labels_lacking_a_class_uses_the_models_own_probabilities():
    """One-vs-rest AUROC over the classes present, each from its own column of the model's
    probabilities (renormalising over the present classes would reorder the epochs); with
    every class present it is scikit-learn's multi_class='ovr'."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from eegpt.probe_metrics import probe_metrics

    classes = np.array(["a", "b", "c", "d"])
    y = np.array(["a", "a", "b", "b", "c", "c"])  # no 'd'
    proba = np.array([
        [0.40, 0.05, 0.05, 0.50],
        [0.30, 0.30, 0.30, 0.10],
        [0.20, 0.10, 0.10, 0.60],
        [0.10, 0.50, 0.30, 0.10],
        [0.05, 0.05, 0.30, 0.60],
        [0.30, 0.20, 0.40, 0.10],
    ])  # fmt: skip
    expected = np.mean([roc_auc_score(y == c, proba[:, k]) for k, c in enumerate("abc")])
    got = probe_metrics(y, classes[proba.argmax(1)], proba, classes)["auroc"]
    assert got == pytest.approx(expected)
    scaled = proba[:, :3] / proba[:, :3].sum(axis=1, keepdims=True)
    renormalised = roc_auc_score(y, scaled, multi_class="ovr", labels=["a", "b", "c"])
    assert renormalised != pytest.approx(expected)  # the old way: another number
    full = np.array(["a", "b", "c", "d", "a", "d"])
    got = probe_metrics(full, classes[proba.argmax(1)], proba, classes)["auroc"]
    assert got == pytest.approx(roc_auc_score(full, proba, multi_class="ovr", labels=classes))


def test_start_advice_is_a_value_start_takes_and_annotations_are_described_plainly():
    """The start the off-grid warning names is the exact one (1.30078125, whole samples at
    256 Hz; 1.30078 is refused), and 24 s annotations are not called 'whole epochs of 4 s'."""
    import numpy as np

    from eegpt.annotation_labels import _warn_off_grid

    annotations = mne.Annotations([1.30078125, 25.30078125, 49.30078125], [24.0, 24.0, 8.0],
                                  ["a", "b", "a"])  # fmt: skip
    with pytest.warns(RuntimeWarning) as caught:
        _warn_off_grid(annotations, lambda d: d, np.arange(12) * 4.0, 4.0, "rec.edf")
    (said,) = [str(w.message) for w in caught]
    assert "--start 1.30078125)" in said and "start_seconds=1.30078125 " in said
    assert "whole epochs of 4 s" not in said
    assert "last whole multiples of 4 s, on a grid of 4 s epochs from 1.30078 s on" in said


def test_an_evaluation_on_the_validation_data_says_so():
    from eegpt.probe_provenance import overlap_text, training_overlap

    training = {
        "inputs": [{"name": "train.edf", "source_fingerprint": "t", "source_bytes": 1}],
        "validation": {
            "inputs": [{"name": "val.edf", "source_fingerprint": "v", "source_bytes": 2}]
        },
    }
    tested = [{"name": "test.edf", "source_fingerprint": "v", "source_bytes": 2}]
    (found,) = training_overlap(training, tested, early_stopping=True)
    said = overlap_text(*found)
    assert said.startswith("test file test.edf is the probe's validation data, used for model "
                           "selection (early stopping") and "validation input val.edf" in said  # fmt: skip
    assert "training data" not in said


def test_evaluating_on_the_val_data_says_what_they_were_used_for(
    weights, epoch_files, tmp_path, capsys
):
    """The --val-data file of a probe trained without --patience (the last pass kept) was
    only monitored, not used for model selection; with --patience it chose the pass kept."""
    train, held = map(str, epoch_files[:2])
    for extra, said in [
        ([], "is the probe's validation data, monitored during training only (no early "
             "stopping: the last pass kept, not chosen by it)"),
        (["--patience", "1"], "is the probe's validation data, used for model selection "
                              "(early stopping: the pass kept had the lowest validation loss)"),
    ]:  # fmt: skip
        out = tmp_path / f"probe{len(extra)}"
        assert probe_main(["train", train, "--val-data", held, "--weights", str(weights), "-o",
                           str(out), "--passes", "2", *extra, *COMMON]) == 0  # fmt: skip
        capsys.readouterr()
        with pytest.warns(RuntimeWarning, match="validation data") as caught:
            assert probe_main(["evaluate", str(out), held, "-q"]) == 0
        text = " ".join(str(w.message) for w in caught)
        assert said in text
        assert ("model selection" in text) == bool(extra)


def test_info_says_an_evaluation_on_the_validation_data_once_and_rightly():
    """eegpt info on the JSON of an evaluation of a --val-data file said both "holds the
    probe's training data (same contents as a training input)" and the file's own warning
    that it is the validation data: now the file's warning alone, once."""
    from eegpt.probe_provenance import (
        EVALUATION_FORMAT,
        describe_evaluation,
        overlap_text,
        training_overlap,
    )

    training = {
        "inputs": [{"name": "train.edf", "source_fingerprint": "t", "source_bytes": 1}],
        "validation": {
            "inputs": [{"name": "val.edf", "source_fingerprint": "v", "source_bytes": 2}]
        },
    }
    tested = [{"name": "val.edf", "source_fingerprint": "v", "source_bytes": 2}]
    (found,) = training_overlap(training, tested, early_stopping=True)
    said = overlap_text(*found)
    record = {
        "format": EVALUATION_FORMAT, "n": 10, "balanced_accuracy": 0.5, "warnings": [said],
        "provenance": {"probe": {"path": "p"}, "inputs": tested, "overlaps_training": ["val.edf"]},
    }  # fmt: skip
    text = describe_evaluation("m.json", record)
    assert "training data" not in text and "training input" not in text
    assert text.count("val.edf is the probe's validation data, used for model selection") == 1
    assert f"  WARNING: {said}" in text and "WARNINGS" not in text


def test_in_memory_epochs_of_a_training_file_share_the_file_only(tmp_path):
    """A match where either side is epochs in memory read from a file (train on e[:80],
    evaluate on e[80:] of one -epo.fif: a legitimate within-session design) says the file is
    the same and the epochs may differ, not that the test file is the training data; a path
    compared with a path keeps the strong wording. eegpt info follows."""
    from eegpt.probe_provenance import (
        EVALUATION_FORMAT,
        describe_evaluation,
        overlap_text,
        training_overlap,
    )

    whole = {"name": "all-epo.fif", "source_fingerprint": "a", "source_bytes": 1}
    by_path = {"inputs": [whole]}
    in_memory = {"inputs": [{"type": "mne.Epochs in memory", "shape": [80, 2, 256],
                             "read_from": whole}]}  # fmt: skip
    (strong,) = training_overlap(by_path, [whole])
    assert not strong.same_file_only
    assert overlap_text(*strong).startswith("test file all-epo.fif is the probe's training data")
    (tested_in_memory,) = training_overlap(by_path, [whole], [True])
    (trained_in_memory,) = training_overlap(in_memory, [whole])
    for found, test in [(tested_in_memory, "test epochs from"), (trained_in_memory, "test file")]:
        said = overlap_text(*found)
        assert found.same_file_only
        assert said.startswith(f"{test} all-epo.fif: read from the same file as training input "
                               "all-epo.fif (the epochs may differ; eegpt cannot tell which "
                               "were used)")  # fmt: skip
        assert "is the probe's training data" not in said
    said = overlap_text(*trained_in_memory)
    record = {
        "format": EVALUATION_FORMAT, "n": 10, "balanced_accuracy": 0.5, "warnings": [said],
        "provenance": {"probe": {"path": "p"}, "inputs": [whole], "overlaps_training": [],
                       "shares_file_with_training": ["all-epo.fif"]},
    }  # fmt: skip
    text = describe_evaluation("m.json", record)
    assert text.count("read from the same file as training input all-epo.fif") == 1
    assert "holds the" not in text and "is the probe's training data" not in text


def test_overlap_names_split_the_files_by_what_they_share_with_training():
    """EEGPTProbe.evaluate, evaluate(epoch_seconds=...) and ``probe evaluate --json`` name
    the test files of a training input under the same keys (one function): those with its
    contents in ``overlaps_training``, those only read from its file in
    ``shares_file_with_training``, in the order found; a key only where it names a file."""
    from eegpt.probe_provenance import Overlap, overlap_names

    found = [
        Overlap("a-epo.fif", "a-epo.fif"),
        Overlap("b-epo.fif", "b-epo.fif", same_file_only=True, tested_in_memory=True),
        Overlap("c-epo.fif", "c-epo.fif"),
    ]
    names = overlap_names(found)
    assert names == {
        "overlaps_training": ["a-epo.fif", "c-epo.fif"],
        "shares_file_with_training": ["b-epo.fif"],
    }
    assert list(names) == ["overlaps_training", "shares_file_with_training"]
    assert overlap_names(found[1:2]) == {"shares_file_with_training": ["b-epo.fif"]}
    assert overlap_names(found[:1]) == {"overlaps_training": ["a-epo.fif"]}
    assert overlap_names([]) == {} and overlap_names(None) == {}


def test_overlap_warnings_say_each_training_file_then_the_subject_once():
    """EEGPTProbe.evaluate and ``probe evaluate`` warn with one function: each test file of a
    training input (overlap_text), then the test files of a subject trained on in other
    files (subject_overlap_text), the file warned of already not named again."""
    from eegpt.probe_provenance import overlap_text, overlap_warnings, training_overlap

    trained = {"name": "sub-01_run-1_epo.fif", "source_fingerprint": "a", "source_bytes": 1}
    training = {"inputs": [trained]}
    found = training_overlap(training, [trained])
    tested = ["data/sub-01_run-1_epo.fif", "data/sub-01_run-2_epo.fif"]
    said = overlap_warnings(training, found, tested, early_stopping=False)
    assert len(said) == 2 and said[0] == overlap_text(*found[0])
    assert said[1].startswith("the test data share a subject with the probe's training data")
    assert "sub-01_run-2_epo.fif" in said[1] and "test sub-01_run-1" not in said[1]
    assert overlap_warnings(training, None, tested[1:]) == said[1:]
    assert overlap_warnings(training, [], ["data/sub-02_run-1_epo.fif"]) == []
    assert overlap_warnings(None, None, tested) == []


def test_selected_epochs_keep_data_selection_and_onsets_alike():
    """``probe evaluate`` leaving out unscored or unknown labels and the labelling leaving
    out bad windows select a labelled recording's epochs with one function: data, selection
    and onsets kept alike (onsets None stays None), the recording itself where all are
    kept."""
    from eegpt.probe_label_files import selected_epochs
    from eegpt.recording import Recording

    data = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    rec = Recording(data, ["C3", "C4"], 256.0, selection=[10, 11, 12, 13, 14],
                    onsets=np.array([0.0, 1.0, 2.0, 3.0, 4.0]))  # fmt: skip
    kept = selected_epochs(rec, np.array([0, 2, 4]))
    np.testing.assert_array_equal(kept.data, data[[0, 2, 4]])
    assert kept.selection == [10, 12, 14] and kept.onsets.tolist() == [0.0, 2.0, 4.0]
    assert kept.ch_names == ["C3", "C4"] and kept.sfreq == 256.0 and rec.data.shape[0] == 5
    assert selected_epochs(rec, np.arange(5)) is rec
    bare = Recording(data, ["C3", "C4"], 256.0)  # no selection, no onsets (.npz arrays)
    kept = selected_epochs(bare, np.array([1, 3]))
    assert kept.selection is None and kept.onsets is None and kept.data.shape == (2, 2, 3)


def test_a_labels_file_of_another_length_says_which_rows_or_epochs(epoch_files, tmp_path):
    """A numbered file with a row missing names the epochs without one (not only the two
    counts); so does a master file (rows for other files ignored) missing one of a given
    file's rows."""
    master = tmp_path / "all.csv"
    master.write_text("file,epoch,label\n" + "".join(
        f"{p.name},{k},{'a' if k % 2 else 'b'}\n" for p in epoch_files for k in range(120)
        if k // 40 == epoch_files.index(p) and k != 49  # each file's epochs as MNE numbers them
    ))  # fmt: skip
    with pytest.raises(ValueError, match=r"has 79 labels for 80 epochs in the inputs; its "
                       r"'epoch' column gives no row for 1 epoch\(s\)/window\(s\) of the "
                       r"inputs \(numbered from 0, as eegpt counts\): sub-1-epo\.fif: 49"):  # fmt: skip
        load_labelled_epochs(epoch_files[:2], master)
    numbered = tmp_path / "one.csv"
    numbered.write_text("epoch,label\n" + "".join(
        f"{k},{'a' if k % 2 else 'b'}\n" for k in range(40) if k not in (7, 30)
    ))  # fmt: skip
    with pytest.raises(ValueError, match=r"has 38 labels for 40 epochs in the inputs; its "
                       r"'epoch' column gives no row for 2 epoch\(s\)/window\(s\) of the "
                       r"inputs \(numbered from 0, as eegpt counts\): 7, 30"):  # fmt: skip
        load_labelled_epochs(epoch_files[:1], numbered)


def _master_labels(path: Path, files: list[Path], names: dict[Path, str] | None = None) -> Path:
    """A labels CSV with a row per epoch of all ``files`` (:func:`epoch_files`: the ``k``-th
    holds the epochs MNE numbers ``40 k`` to ``40 k + 39``): ``file,epoch,label``, each file
    named by ``names`` (else its file name), the files' rows interleaved."""
    rows = [f"{(names or {}).get(p, p.name)},{40 * i + k},{'a' if k % 2 else 'b'}"
            for k in range(40) for i, p in enumerate(files)]  # fmt: skip
    path.write_text("file,epoch,label\n" + "\n".join(rows) + "\n")
    return path


def test_a_master_labels_file_labels_the_files_given(weights, epoch_files, tmp_path, capsys):
    """A labels table of all subjects trains on the files given (leave-subjects-out): rows
    for other files are ignored with one line saying how many, and probe.json's labels_file
    (and an evaluation's) records it; eegpt info says so."""
    from eegpt.cli import main as eegpt_main

    master = _master_labels(tmp_path / "all.csv", epoch_files)
    recording, y, sources = load_labelled_epochs(epoch_files[:2], master)
    assert y.tolist() == ["b", "a"] * 40 and len(recording.data) == 80
    assert "ignored its 40 rows for 1 other file (sub-2-epo.fif)" in capsys.readouterr().err
    out = tmp_path / "probe"
    assert probe_main(["train", str(epoch_files[0]), str(epoch_files[2]), "--labels",
                       str(master), "--weights", str(weights), "-o", str(out), "--passes", "1",
                       *COMMON]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("ignored its 40 rows for 1 other file (sub-1-epo.fif), not among") == 1
    record = json.loads((out / "probe.json").read_text())["training"]["labels_file"]
    assert record["name"] == "all.csv"
    assert record["rows_ignored"] == {"rows": 40, "files": 1, "names": ["sub-1-epo.fif"]}
    assert eegpt_main(["info", str(out)]) == 0
    assert "40 rows for 1 other file ignored (sub-1-epo.fif)" in capsys.readouterr().out
    # evaluate on the held-out subject with the same master table
    report = tmp_path / "eval.json"
    assert probe_main(["evaluate", str(out), str(epoch_files[1]), "--labels", str(master),
                       "--json", str(report), "-q"]) == 0  # fmt: skip
    made = json.loads(report.read_text())["provenance"]["labels_file"]
    assert made["rows_ignored"] == {"rows": 80, "files": 2,
                                    "names": ["sub-0-epo.fif", "sub-2-epo.fif"]}  # fmt: skip


def test_a_master_labels_file_without_a_given_file_names_the_closest(epoch_files, tmp_path):
    """A given file with no row in a master table is still refused (a mistyped name would
    leave its rows ignored): the message says rows for other files were ignored and names
    the closest of them."""
    master = _master_labels(tmp_path / "all.csv", epoch_files, {epoch_files[1]: "sub1-epo.fif"})
    with pytest.raises(ValueError, match=r"all\.csv: its 'file' column gives no row for 1 of "
                       r"the inputs: \S*sub-1-epo\.fif \(closest names there: sub1-epo\.fif, "
                       r"sub-0-epo\.fif\); its 80 rows for 2 other files \(sub-0-epo\.fif, "
                       r"sub1-epo\.fif\) were ignored"):  # fmt: skip
        load_labelled_epochs(epoch_files[1:], master)


def test_val_by_recording_tells_apart_files_of_one_name(weights, epoch_files, tmp_path, capsys):
    """Files of one name in folders of their own (BIDS: sub-01/ses-1/eeg-epo.fif) held out
    by --val-by recording are recorded by the shortest tails that tell them apart, not both
    as eeg-epo.fif, and without an absolute path; eegpt info shows them; an anonymized copy
    names them by their file names."""
    import shutil

    import eegpt
    from eegpt.cli import main as eegpt_main

    paths = []
    for k, src in enumerate(epoch_files[:2], start=1):
        path = tmp_path / f"sub-0{k}" / "ses-1" / "eeg-epo.fif"
        path.parent.mkdir(parents=True)
        shutil.copy(src, path)
        paths.append(str(path))
    out = tmp_path / "probe"
    assert probe_main(["train", *paths, "--weights", str(weights), "-o", str(out), "--val",
                       "0.5", "--val-by", "recording", "--passes", "1", *COMMON]) == 0  # fmt: skip
    (held,) = json.loads((out / "probe.json").read_text())["training"]["validation"]["groups"][
        "held_out"
    ]
    assert held in ("sub-01/ses-1/eeg-epo.fif", "sub-02/ses-1/eeg-epo.fif")
    capsys.readouterr()
    assert eegpt_main(["info", str(out)]) == 0
    assert f"1 of 2 input files held out whole: {held})" in capsys.readouterr().out
    copy = eegpt.anonymize_embeddings(out, tmp_path / "anon")
    anon = json.loads((copy / "probe.json").read_text())["training"]["validation"]["groups"]
    assert anon["held_out"] == ["eeg-epo.fif"]


def test_distinct_names_are_the_shortest_distinct_tails():
    """A file name where it is unique, else as many folders as tell the files apart; never
    the anchor of an absolute path."""
    from eegpt.probe_provenance import distinct_names

    named = distinct_names(["/d/sub-01/ses-1/eeg.edf", "/d/sub-02/ses-1/eeg.edf", "/d/x.edf",
                            "/a/b.edf", "/x/a/b.edf", "rel/y.edf"])  # fmt: skip
    assert named == {
        "/d/sub-01/ses-1/eeg.edf": "sub-01/ses-1/eeg.edf",
        "/d/sub-02/ses-1/eeg.edf": "sub-02/ses-1/eeg.edf",
        "/d/x.edf": "x.edf", "/a/b.edf": "a/b.edf", "/x/a/b.edf": "x/a/b.edf",
        "rel/y.edf": "y.edf",
    }  # fmt: skip


def _bids_copies(tmp_path: Path, epoch_files: list[Path], names=("sub-01", "sub-02")) -> list[Path]:
    """The first files of :func:`epoch_files` copied as ``<name>/ses-1/eeg-epo.fif``: files
    of one name in folders of their own, as BIDS lays them out."""
    import shutil

    paths = []
    for name, src in zip(names, epoch_files, strict=False):
        path = tmp_path / "bids" / name / "ses-1" / "eeg-epo.fif"
        path.parent.mkdir(parents=True)
        shutil.copy(src, path)
        paths.append(path)
    return paths


def test_a_master_labels_file_tells_apart_files_of_one_name_by_their_folders(
    weights, epoch_files, tmp_path, capsys
):
    """BIDS: sub-01/ses-1/eeg-epo.fif and sub-02/ses-1/eeg-epo.fif in a master table by
    their relative paths, sub-01 given: its 40 rows train the probe, sub-02's are ignored
    (not taken as sub-01's: a cell names an input where it is a tail of the input's path);
    predict/evaluate's --labels and --val-labels match them alike."""
    paths = _bids_copies(tmp_path, epoch_files)
    master = _master_labels(tmp_path / "all.csv", paths,
                            {p: p.relative_to(tmp_path / "bids").as_posix() for p in paths})  # fmt: skip
    recording, y, sources = load_labelled_epochs([paths[0]], master)
    assert y.tolist() == ["b", "a"] * 20 and len(recording.data) == 40
    assert set(sources) == {str(paths[0])}
    err = capsys.readouterr().err
    assert "ignored its 40 rows for 1 other file (sub-02/ses-1/eeg-epo.fif)" in err
    out = tmp_path / "probe"
    assert probe_main(["train", str(paths[0]), "--labels", str(master), "--val-data",
                       str(paths[1]), "--val-labels", str(master), "--weights", str(weights),
                       "-o", str(out), "--passes", "1", *COMMON]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "ignored its 40 rows for 1 other file (sub-02/ses-1/eeg-epo.fif)" in err
    assert "ignored its 40 rows for 1 other file (sub-01/ses-1/eeg-epo.fif)" in err
    training = json.loads((out / "probe.json").read_text())["training"]
    assert training["labels_file"]["rows_ignored"]["rows"] == 40
    assert training["validation"]["labels_file"]["rows_ignored"]["rows"] == 40
    report = tmp_path / "eval.json"
    assert probe_main(["evaluate", str(out), str(paths[1]), "--labels", str(master),
                       "--json", str(report), "-q"]) == 0  # fmt: skip
    made = json.loads(report.read_text())
    assert made["provenance"]["labels_file"]["rows_ignored"]["rows"] == 40
    # the table relative to the current folder, and with a path as given
    cwd = tmp_path / "bids"
    table = tmp_path / "elsewhere" / "t.csv"
    table.parent.mkdir()
    _master_labels(table, paths, {paths[0]: str(paths[0]), paths[1]: "sub-02/ses-1/eeg-epo.fif"})
    import os

    here = os.getcwd()
    try:
        os.chdir(cwd)
        _, y, _ = load_labelled_epochs(["sub-02/ses-1/eeg-epo.fif"], table)
    finally:
        os.chdir(here)
    assert y.tolist() == ["b", "a"] * 20


def test_bare_file_names_that_several_files_share_are_refused(epoch_files, tmp_path):
    """A table naming files by a file name that several inputs share, or that another of
    its cells names in a folder, is refused, asking for paths; rows of two files of one
    name both named by it, one file given, are all taken as its rows: the message says which
    number none of its epochs, and asks for paths."""
    paths = _bids_copies(tmp_path, epoch_files)
    bare = _master_labels(tmp_path / "bare.csv", paths, dict.fromkeys(paths, "eeg-epo.fif"))
    with pytest.raises(ValueError, match=r"bare\.csv, line 2: the file 'eeg-epo\.fif' in its "
                       r"'file' column is ambiguous: 2 of the inputs have that file name "
                       r".*Name each row's input in the 'file' column by as much of its path"):  # fmt: skip
        load_labelled_epochs(paths, bare)
    with pytest.raises(ValueError, match=r"has 80 labels for 40 epochs in the inputs; its "
                       r"'epoch' column numbers 40 rows beyond the epochs of the input their "
                       r"'file' cell names \(\S*sub-01/ses-1/eeg-epo\.fif \(named "
                       r"'eeg-epo\.fif' there\): 40 to 79\): rows of epochs dropped "
                       r"\(epochs\.selection skips them: leave those rows out\), or of several "
                       r"files of one name, named by the file name alone\?"):  # fmt: skip
        load_labelled_epochs(paths[:1], bare)
    mixed = _master_labels(tmp_path / "mixed.csv", paths,
                           {paths[0]: "eeg-epo.fif", paths[1]: "sub-02/ses-1/eeg-epo.fif"})  # fmt: skip
    with pytest.raises(ValueError, match=r"the bare file name 'eeg-epo\.fif' in its 'file' "
                       r"column is ambiguous: the table also names sub-02/ses-1/eeg-epo\.fif"):  # fmt: skip
        load_labelled_epochs(paths[:1], mixed)
    # the same path, two inputs ending in it: a longer tail is asked for
    other = _bids_copies(tmp_path / "other", epoch_files, ("sub-01",))
    tails = _master_labels(tmp_path / "tails.csv", [paths[0], other[0]],
                           dict.fromkeys([paths[0], other[0]], "sub-01/ses-1/eeg-epo.fif"))  # fmt: skip
    with pytest.raises(ValueError, match=r"the file 'sub-01/ses-1/eeg-epo\.fif' in its 'file' "
                       r"column is ambiguous: 2 of the inputs have that path"):  # fmt: skip
        load_labelled_epochs([paths[0], other[0]], tails)


@pytest.mark.parametrize("name_column", ["label", "description"])
def test_an_annotations_table_given_as_labels_says_to_use_annotations(
    weights, tmp_path, capsys, name_column
):
    """A table of onsets and durations given as --labels for a continuous recording is no
    labels CSV (one row per window): refused, saying to give it with --annotations and
    --window-labels, a class per description it holds (--val-annotations for --val-labels)."""
    path = _recording_with_a_gap(tmp_path)
    table = tmp_path / "events.csv"
    table.write_text(
        f"onset,duration,{name_column}\n0,10,eyes_open\n10,10,eyes_closed\n20,10,eyes_open\n"
    )
    assert probe_main(["train", str(path), "--labels", str(table), "--weights", str(weights),
                       "-o", str(tmp_path / "probe"), "--passes", "1", *COMMON]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "it is a table of annotations (onset and duration: spans of time in a recording)" in err
    assert (f"in place of --labels as --annotations {table} "
            "--window-labels 'eyes_closed=^eyes_closed$' "
            "--window-labels 'eyes_open=^eyes_open$' (one annotations file per recording") in err  # fmt: skip
    assert f"{table}: it is a table of annotations" in err  # refused first, whatever its column
    from eegpt.probe_label_files import annotations_table_text

    said = annotations_table_text(table, "--val-labels")
    assert said is not None and f"as --val-annotations {table} --window-labels" in said
    assert annotations_table_text(_write_labels(tmp_path / "plain.csv", ["a", "b"])) is None


def test_an_annotations_table_as_many_rows_as_windows_is_no_labels_csv(weights, tmp_path, capsys):
    """A table of onsets and durations with a 'label' column whose rows happen to be as many
    as the recording's windows is still a table of annotations: refused up front, not read as
    one label per window (its onsets ignored)."""
    path = _recording_with_a_gap(tmp_path)
    table = tmp_path / "label37.csv"
    table.write_text(
        "onset,duration,label\n" + "".join(f"{2 * k},2,{'ab'[k % 2]}\n" for k in range(37))
    )
    assert probe_main(["train", str(path), "--labels", str(table), "--weights", str(weights),
                       "-o", str(tmp_path / "probe"), "--passes", "1", *COMMON]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert f"{table}: it is a table of annotations (onset and duration" in err
    assert "--window-labels 'a=^a$' --window-labels 'b=^b$'" in err
    assert not (tmp_path / "probe").exists()


def test_a_tuh_csv_bi_given_as_labels_says_to_use_annotations(weights, tmp_path, capsys):
    """A TUH .csv_bi (its header below '# version = csv_v1.0.0' comment lines) given as
    --labels is told to be given with --annotations, not to add a 'label' header."""
    path = _recording_with_a_gap(tmp_path)
    table = tmp_path / "rec_s001_t000.csv_bi"
    table.write_text(
        "# version = csv_v1.0.0\n# bname = rec_s001_t000\n# duration = 37.00 secs\n#\n"
        "channel,start_time,stop_time,label,confidence\n"
        "TERM,0.0000,10.0000,bckg,1.0000\nTERM,10.0000,20.0000,seiz,1.0000\n"
        "TERM,20.0000,37.0000,bckg,1.0000\n"
    )
    assert probe_main(["train", str(path), "--labels", str(table), "--weights", str(weights),
                       "-o", str(tmp_path / "probe"), "--passes", "1", *COMMON]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "it is a table of annotations (onset and duration: spans of time in a recording)" in err
    assert f"--annotations {table} --window-labels 'bckg=^bckg$' --window-labels " in err
    assert "Add the header 'label'" not in err


def test_val_group_column_holds_out_the_subjects_of_one_epochs_file(weights, tmp_path, capsys):
    """One -epo.fif of 4 subjects (a metadata column ``subject``): ``--val 0.25`` alone split
    its epochs at random without a word, and no option took the groups from the metadata.
    Now the plain split warns naming the column, and ``--val-group-column subject`` holds out
    whole subjects, recorded in probe.json and shown by eegpt info; a missing column, or the
    option without --val, is refused."""
    import warnings

    from eegpt.cli import main as eegpt_main

    epochs = synthetic_erp_epochs(120, seed=1, seconds=1.0, tmin=-0.2)
    subjects = np.repeat(["p1", "p2", "p3", "p4"], 30)
    epochs.metadata = pd.DataFrame({"subject": subjects})
    path = tmp_path / "all-epo.fif"
    epochs.save(path, verbose=False)
    train = ["train", str(path), "--weights", str(weights), "--passes", "1", *COMMON]
    with pytest.warns(RuntimeWarning, match="metadata column 'subject' names 4 subjects"):
        assert probe_main([*train, "-o", str(tmp_path / "a"), "--val", "0.25"]) == 0
    said = load_probe(tmp_path / "a").training["warnings"]
    assert any("--val-group-column subject" in w for w in said)  # kept with the probe
    out = tmp_path / "b"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "validation=.* subjects")
        assert probe_main([*train, "-o", str(out), "--val", "0.25",
                           "--val-group-column", "subject"]) == 0  # fmt: skip
    record = load_probe(out).training["validation"]
    assert record["by"] == "column" and record["group_column"] == "subject"
    assert record["groups"]["count"] == 4 and len(record["groups"]["held_out"]) == 1
    held = set(subjects[record["indices"]])  # the epochs held out are those of one subject
    assert held == set(record["groups"]["held_out"]) and len(record["indices"]) == 30
    capsys.readouterr()
    assert eegpt_main(["info", str(out)]) == 0
    assert "--val-group-column subject: 1 of 4 groups held out whole" in capsys.readouterr().out
    assert probe_main([*train, "-o", str(tmp_path / "c"), "--val", "0.25",
                       "--val-group-column", "patient"]) == 1  # fmt: skip
    assert "--val-group-column 'patient' is not a column of the epochs' metadata (columns " \
        "['subject'])" in capsys.readouterr().err  # fmt: skip
    assert probe_main([*train, "-o", str(tmp_path / "c"), "--val-group-column", "subject"]) == 1
    assert "give --val FRACTION too" in capsys.readouterr().err


def test_val_group_column_reads_the_epochs_file_once(weights, tmp_path, monkeypatch):
    """``--val-group-column`` took each file's metadata from a second read of its header
    (``probe_cli._epochs_metadata``) after its epochs had been read whole; now the metadata
    read with them is kept for the command: one ``mne.read_epochs`` per file. The plain
    ``--val`` split read the header too (for the subjects warning, before the data were
    read); now that warning takes the metadata read with the epochs: one read as well."""
    epochs = synthetic_erp_epochs(40, seed=1, seconds=1.0, tmin=-0.2)
    epochs.metadata = pd.DataFrame({"subject": np.repeat(["p1", "p2", "p3", "p4"], 10)})
    path = tmp_path / "all-epo.fif"
    epochs.save(path, verbose=False)
    read = mne.read_epochs
    calls: list[str] = []

    def counted(fname, *args, **kwargs):
        calls.append(str(fname))
        return read(fname, *args, **kwargs)

    monkeypatch.setattr(mne, "read_epochs", counted)
    import eegpt._epochs_header as epochs_header

    header = epochs_header.read_epochs_header
    headers: list[str] = []

    def header_counted(fname):
        headers.append(str(fname))
        return header(fname)

    monkeypatch.setattr(epochs_header, "read_epochs_header", header_counted)
    train = ["train", str(path), "--weights", str(weights), "--passes", "1", *COMMON]
    assert probe_main([*train, "-o", str(tmp_path / "a"), "--val", "0.25",
                       "--val-group-column", "subject"]) == 0  # fmt: skip
    assert calls == [str(path)] and headers == []
    calls.clear()
    with pytest.warns(RuntimeWarning, match="metadata column 'subject' names 4 subjects"):
        assert probe_main([*train, "-o", str(tmp_path / "b"), "--val", "0.25"]) == 0
    assert calls == [str(path)] and headers == []  # the data read alone, no header read


def test_unlabelled_class_is_not_given_to_bad_windows_of_a_labelled_stage():
    """With --unlabelled CLASS, a window over a bad annotation keeps the label its stage gives
    it (the scoring-epoch table of `probe predict --epoch-seconds` writes it beside its own
    `bad` column; training leaves bad windows out by the annotations over them): only windows
    no class covers get CLASS."""
    import mne

    from eegpt.probe_label_files import WindowLabelling

    spans = mne.Annotations([0.0, 30.0, 40.0], [30.0, 30.0, 1.0], ["N2", "N3", "BAD_muscle"])
    how = WindowLabelling("^N[23]$", 0.5, "W")
    y, over = how.label(spans, np.array([0.0, 30.0, 60.0]), 30.0)
    assert list(y) == ["N2", "N3", "W"]
    assert "BAD_muscle" in over[1]


def test_training_subjects_in_tuh_style_names_only_where_the_probe_read_them_so():
    """The evaluate warning of a test file of a training subject reads BIDS ``sub-LABEL`` from
    any probe's training file names, but TUH's ``PATIENT_sNNN`` only where the probe was
    trained with ``--val-by subject`` (which reads it so): ``run_s1.fif`` and ``run_s2.fif``
    of two people are otherwise no shared subject ``run``."""
    from eegpt.probe_provenance import subject_overlap_text

    plain = {"inputs": [{"name": "run_s1.fif"}, {"name": "sub-07_task-x_eeg.fif"}]}
    assert subject_overlap_text(plain, ["run_s2.fif"]) is None
    assert "sub-07" in (subject_overlap_text(plain, ["sub-07_task-y_eeg.fif"]) or "")
    by_subject = {**plain, "validation": {"by": "subject"}}
    assert "run (test run_s2.fif" in (subject_overlap_text(by_subject, ["run_s2.fif"]) or "")


def test_train_probe_on_files_tells_which_file_validation_held_out(weights, epoch_files, caplog):
    """train_probe given epochs files as paths, whose validation fraction holds out one of them
    whole (groups by file), records each file's epochs, as eegpt probe train does: the file
    held out is told from those trained on (an evaluation on it is of "the probe's validation
    data", not "trained on, or held out whole ... by group", which cannot tell), and the log
    names it by its path."""
    import logging
    import warnings

    from eegpt.checkpoints import load_model
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe import train_probe
    from eegpt.probe_provenance import files_record, input_roles, overlap_text, training_overlap

    paths = [str(p) for p in epoch_files]
    caplog.set_level(logging.INFO, logger="eegpt")
    with warnings.catch_warnings():  # of the tiny data and random weights: not looked at here
        warnings.simplefilter("ignore")
        probe = train_probe(
            load_model(weights), paths, validation=0.34, groups=np.repeat(paths, 40),
            epochs=1, device="cpu",
            preprocessing=PreprocessingConfig(window_seconds=1.0, average_reference=False),
        )  # fmt: skip
    (held,) = probe.training["validation"]["groups"]["held_out"]
    assert [r["n_epochs"] for r in probe.training["inputs"]] == [40, 40, 40]
    assert input_roles(probe.training) == ["validation" if p == held else "training" for p in paths]
    (overlap,) = training_overlap(probe.training, files_record([held]), early_stopping=False)
    said = overlap_text(*overlap)
    assert said.startswith(f"test file {Path(held).name} is the probe's validation data"), said
    assert f"validation held out 1 of 3 inputs whole (never trained on): {held}" in caplog.text


def test_epochs_fifs_under_any_name_are_epochs_to_evaluate_and_in_lists(weights, tmp_path):
    """An epochs FIF not named *-epo.fif, which train_probe and the estimators take alone
    (ac20af0), is epochs to EEGPTProbe.evaluate too, and in a list to both estimators and
    train_probe: evaluate refused it as 'a continuous recording', and a list of two as '2
    continuous'; each gives what the same file named *-epo.fif gives."""
    import warnings

    from eegpt.checkpoints import load_model
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe import ProbeConfig, train_probe
    from eegpt.sklearn import EEGPTClassifier, EEGPTEmbedder

    epochs = synthetic_erp_epochs(12, seconds=1.0, tmin=-0.2, seed=1)
    second = PreprocessingConfig(window_seconds=1.0)
    named, plain = tmp_path / "a-epo.fif", tmp_path / "a.fif"
    for path in (named, plain):
        epochs.save(path, verbose=False)
    model = load_model(weights, verbose=False)
    one = ProbeConfig(epochs=1)
    probe = train_probe(
        model, named, None, config=one, preprocessing=second, progress=False, verbose=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # MNE: the name is not -epo.fif
        want = probe.evaluate(named)["balanced_accuracy"]
        assert probe.evaluate(str(plain))["balanced_accuracy"] == want
        two = [str(plain), str(plain)]
        embedder = EEGPTEmbedder(model, preprocessing=second, progress=False)
        emb = embedder.fit(two).transform(two)
        assert emb.shape[0] == 24
        alone = embedder.fit_transform(named)
        np.testing.assert_allclose(emb[:12], alone, rtol=1e-5, atol=1e-6)
        clf = EEGPTClassifier(model, config=one, preprocessing=second, progress=False)
        assert clf.set_params(verbose=False).fit(two).predict(two).shape == (24,)
        trained = train_probe(
            model, two, None, config=one, preprocessing=second, progress=False, verbose=False
        )
        assert trained.training["n_train"] == 24


def test_an_npz_of_epochs_without_y_given_takes_its_own_y(weights, tmp_path):
    """An .npz of epochs arrays, taken as epochs since ac20af0, with y=None: train_probe,
    EEGPTClassifier.fit and EEGPTProbe.evaluate take its y array, as eegpt probe train does;
    one without y says to pass y. Each failed with MNE's 'does not start with a file id tag'
    (its labels were read as a FIF file's)."""
    from eegpt.checkpoints import load_model
    from eegpt.preprocessing import PreprocessingConfig
    from eegpt.probe import ProbeConfig, train_probe
    from eegpt.sklearn import EEGPTClassifier

    epochs = synthetic_erp_epochs(12, seconds=1.0, tmin=-0.2, seed=1)
    arrays = {"X": epochs.get_data(), "ch_names": np.array(epochs.ch_names),
              "sfreq": epochs.info["sfreq"]}  # fmt: skip
    labelled, bare = tmp_path / "e.npz", tmp_path / "bare.npz"
    np.savez(labelled, y=epochs.events[:, 2], **arrays)
    np.savez(bare, **arrays)
    model = load_model(weights, verbose=False)
    kw = {"config": ProbeConfig(epochs=1), "preprocessing": PreprocessingConfig(window_seconds=1.0)}
    probe = train_probe(model, labelled, None, progress=False, verbose=False, **kw)
    assert probe.classes_.tolist() == [1, 2]
    assert 0.0 <= probe.evaluate(labelled)["balanced_accuracy"] <= 1.0
    clf = EEGPTClassifier(model, progress=False, verbose=False, **kw).fit(str(labelled))
    assert clf.classes_.tolist() == [1, 2]
    with pytest.raises(ValueError, match=r"bare.npz holds no y array .*: pass y, one label per"):
        train_probe(model, bare, None, progress=False, verbose=False, **kw)


def test_labels_of_trials_say_what_the_epoch_numbers_are_and_how_to_join_a_trial_log(tmp_path):
    """Epochs cut at the stimuli of a recording that marks responses too, some dropped: a
    trial log numbered by trial (0 .. 11) was refused as giving no row for epochs 12 to 14
    (epochs.selection: indices among all events, responses included), and one without an
    'epoch' column as "12 labels for 10 epochs", neither saying what eegpt's numbers are.
    Both say so, how far they run, and the Python that numbers a trial log's rows to match,
    which then labels each epoch by its own trial."""
    from eegpt.label_rows import TRIAL_LOG_CODE

    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 250.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (4, 250 * 30)), info,
                          verbose=False)  # fmt: skip
    onsets, names = [], []
    for k in range(12):  # a stimulus every 2 s, a response after each target (every third)
        onsets.append(1.0 + 2 * k)
        names.append("Stimulus/S  2" if k % 3 == 2 else "Stimulus/S  1")
        if k % 3 == 2:
            onsets.append(1.5 + 2 * k)
            names.append("Response/R  1")
    raw.set_annotations(mne.Annotations(onsets, [0.0] * len(onsets), names))
    events, ids = mne.events_from_annotations(raw, verbose=False)
    epochs = mne.Epochs(raw, events, {"standard": ids["Stimulus/S  1"],
                                      "target": ids["Stimulus/S  2"]},
                        tmin=-0.2, tmax=0.8 - 1 / 250, preload=True, verbose=False)  # fmt: skip
    epochs.drop([3, 7], verbose=False)  # trials 3 and 7 (10 of 12 kept)
    path = tmp_path / "sub-01-epo.fif"
    epochs.save(path, verbose=False)
    trials = ["target" if k % 3 == 2 else "standard" for k in range(12)]
    log = pd.DataFrame({"epoch": range(12), "label": trials})
    log.to_csv(tmp_path / "numbered.csv", index=False)
    log[["label"]].to_csv(tmp_path / "plain.csv", index=False)
    said = r"MNE's epochs\.selection: each epoch's index in the events array .* never epoched"
    for name in ("numbered.csv", "plain.csv"):
        with pytest.raises(ValueError, match=said) as err:
            load_labelled_epochs([path], tmp_path / name)
        assert "here they run up to 14 for 10 epochs" in str(err.value)
        assert TRIAL_LOG_CODE in str(err.value)
    assert "gives no row for" in str(
        pytest.raises(ValueError, load_labelled_epochs, [path], tmp_path / "numbered.csv").value
    )
    read = mne.read_epochs(path, verbose=False)
    scope = {"log": log, "epochs": read}
    exec(TRIAL_LOG_CODE, scope)  # the code the messages give
    log.to_csv(tmp_path / "joined.csv", index=False)
    with pytest.warns(RuntimeWarning, match="2 of its 12 rows number epochs the inputs do not"):
        _, y, _ = load_labelled_epochs([path], tmp_path / "joined.csv")
    own = {v: k for k, v in read.event_id.items()}
    assert list(y) == [own[c] for c in read.events[:, 2]]
