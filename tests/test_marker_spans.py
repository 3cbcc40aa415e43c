"""``--marker-spans NAME=REGEX``: state markers of no duration (eyes closed/open, BrainVision's
``Stimulus/S  1``) made spans on the command line (probe train/predict/evaluate, embed), as
:func:`eegpt.annotations.markers_to_spans` makes them in Python."""

from __future__ import annotations

import csv
import json
import warnings

import mne
import numpy as np
import pytest

from eegpt.cli import main
from eegpt.probe_cli import main as probe_main

NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Cz", "Pz"]
STATES = ["--marker-spans", "EC=^EC$", "--marker-spans", "EO=^EO$"]


def _edf(path, onsets, descriptions, durations=None, seconds=40.0):
    """A 256 Hz EDF+ file of ``seconds`` of noise with the annotations given (zero-duration
    markers by default)."""
    rng = np.random.default_rng(0)
    info = mne.create_info(NAMES, 256.0, "eeg")
    raw = mne.io.RawArray(rng.normal(0, 20e-6, (len(NAMES), int(seconds * 256))), info,
                          verbose=False)  # fmt: skip
    durations = [0.0] * len(onsets) if durations is None else durations
    raw.set_annotations(mne.Annotations(onsets, durations, descriptions))
    mne.export.export_raw(path, raw, verbose=False)
    return path


@pytest.fixture(scope="module")
def eyes(tmp_path_factory):
    """40 s with markers EC at 4 s, EO at 16 s, EC at 28 s: 4 s windows 4-12 s and 28-36 s
    are EC (6), 16-24 s EO (3), the one at 0 s before the first marker in no state."""
    folder = tmp_path_factory.mktemp("markers")
    return _edf(folder / "eyes.edf", [4.0, 16.0, 28.0], ["EC", "EO", "EC"])


def test_probe_train_makes_spans_of_markers_and_predict_adopts_them(weights, eyes, tmp_path,
                                                                    capsys):  # fmt: skip
    """probe train --marker-spans labels the windows by the spans (each state a class without
    --window-labels); probe.json records the states, which predict and evaluate adopt."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(eyes), "--weights", str(weights), "-o", str(out), "-q",
                       "--window", "4", "--passes", "1", *STATES]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"{eyes}: 10 windows of 4 s: 'EC' 6, 'EO' 3; left out 1 that no annotation" in err
    trained = json.loads((out / "probe.json").read_text())["training"]["window_labels"]
    assert trained["marker_spans"] == {"EC": "^EC$", "EO": "^EO$"}
    assert trained["match"] == {"EC": "^EC$", "EO": "^EO$"}
    assert main(["info", str(out)]) == 0  # says so, without importing MNE
    assert (
        "--window-labels 'EC=^EC$' --window-labels 'EO=^EO$' (state markers made spans "
        "first: --marker-spans 'EC=^EC$' --marker-spans 'EO=^EO$')" in capsys.readouterr().out
    )
    pred = tmp_path / "pred.csv"
    assert probe_main(["predict", str(out), str(eyes), "-o", str(pred)]) == 0
    assert "state markers made spans as in training: --marker-spans 'EC=^EC$' " \
           "--marker-spans 'EO=^EO$'" in capsys.readouterr().err  # fmt: skip
    labels = [r["label"] for r in csv.DictReader(pred.open())]
    assert labels == ["", "EC", "EC", "EC", "EO", "EO", "EO", "EC", "EC", "EC"]
    # the states given with --window-labels of their names too: the same classes
    assert probe_main(["evaluate", str(out), str(eyes), "-q", *STATES,
                       "--window-labels", "EC=^EC$", "--window-labels", "EO=^EO$"]) == 0  # fmt: skip
    assert "(n=9)" in capsys.readouterr().out


def test_predict_leaves_recordings_without_markers_unlabelled(weights, eyes, tmp_path, capsys):
    """A probe trained with --marker-spans: predict on a recording without the state markers
    (new, unlabelled data) predicts its windows unlabelled, with one warning naming it, and
    the marked recordings beside it get their spans; --marker-spans given is kept strict, and
    evaluate, which needs the labels, refuses the recording."""
    out = tmp_path / "probe"
    assert probe_main(["train", str(eyes), "--weights", str(weights), "-o", str(out), "-q",
                       "--window", "4", "--passes", "1", *STATES]) == 0  # fmt: skip
    bare = _edf(tmp_path / "bare.edf", [], [], seconds=20.0)
    pred = tmp_path / "pred.csv"
    capsys.readouterr()
    with pytest.warns(Warning) as caught:
        assert probe_main(["predict", str(out), str(bare), str(eyes), "-o", str(pred)]) == 0
    said = [str(w.message) for w in caught if str(bare) in str(w.message)]
    assert len(said) == 1 and said[0].startswith(
        f"{bare}: no labels (label left empty): the probe was trained with --marker-spans "
        "'EC=^EC$' --marker-spans 'EO=^EO$'"
    )
    rows = list(csv.DictReader(pred.open()))
    assert [r["label"] for r in rows if r["file"] == str(bare)] == [""] * 5
    assert [r["label"] for r in rows if r["file"] == str(eyes)] == [
        "",
        "EC",
        "EC",
        "EC",
        "EO",
        "EO",
        "EO",
        "EC",
        "EC",
        "EC",
    ]
    # given on the command line: the recording without the markers is an error
    assert probe_main(["predict", str(out), str(bare), "-o", str(tmp_path / "p2.csv"), "-q",
                       *STATES]) == 1  # fmt: skip
    assert "no annotation matches the states" in capsys.readouterr().err
    assert probe_main(["evaluate", str(out), str(bare), str(eyes), "-q"]) == 1
    assert (
        f"{bare}: no labels to evaluate against: the probe was trained with --marker-spans "
        "'EC=^EC$' --marker-spans 'EO=^EO$', and the recording has no annotation matching"
    ) in capsys.readouterr().err


def test_brainvision_markers_by_regex(weights, tmp_path, capsys):
    """Markers named as BrainVision's ('Stimulus/S  1', 'Stimulus/S  2') become spans named
    by their state, which --window-labels then matches."""
    rec = _edf(tmp_path / "bv.edf", [4.0, 12.0, 24.0, 32.0],
               ["Stimulus/S  1", "Stimulus/S  2", "Stimulus/S  1", "Stimulus/S  2"])  # fmt: skip
    assert probe_main(["train", str(rec), "--weights", str(weights), "-o", str(tmp_path / "p"),
                       "-q", "--window", "4", "--passes", "1", "--marker-spans", "EC=S  1$",
                       "--marker-spans", "EO=S  2$", "--window-labels", "EC=^EC$",
                       "--window-labels", "EO=^EO$"]) == 0  # fmt: skip
    # EC 4-12 s and 24-32 s (the windows at 4, 8, 24, 28 s), EO 12-24 s and 32-40 s (12, 16,
    # 20, 32, 36 s); the window at 0 s, before the first marker, in none
    assert f"{rec}: 10 windows of 4 s: 'EC' 4, 'EO' 5 (state markers: 'EC' from " \
        "'Stimulus/S  1'; 'EO' from 'Stimulus/S  2'); left out 1" in capsys.readouterr().err  # fmt: skip


def test_embed_records_the_spans(weights, eyes, tmp_path):
    """embed --marker-spans: each window's annotations are the spans over it (not the
    markers), and metadata records the states."""
    import eegpt

    out = tmp_path / "e.npz"
    assert main(["embed", str(eyes), "--weights", str(weights), "-o", str(out), "-q",
                 *STATES]) == 0  # fmt: skip
    emb = eegpt.load_embeddings(out)
    assert emb.metadata["annotations"] == [[]] + [["EC"]] * 3 + [["EO"]] * 3 + [["EC"]] * 3
    assert emb.metadata["marker_spans"] == {"EC": "^EC$", "EO": "^EO$"}


def test_markers_that_do_not_match_are_a_clean_error(weights, eyes, tmp_path, capsys):
    """No annotation matching --marker-spans: a one-line error naming the file (exit 1), from
    probe train and embed; a lone REGEX (no NAME) is refused."""
    states = ["--marker-spans", "closed=^eyes closed$"]
    assert probe_main(["train", str(eyes), "--weights", str(weights), "-o",
                       str(tmp_path / "p"), "-q", "--window", "4", *states]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(
        f"eegpt: error: {eyes}: --marker-spans 'closed=^eyes closed$': no annotation matches "
        "the states {'closed': '^eyes closed$'} (the descriptions: 'EC', 'EO')"
    )
    assert main(["embed", str(eyes), "--weights", str(weights), "-o", str(tmp_path / "e.npz"),
                 "-q", *states]) == 1  # fmt: skip
    assert f"{eyes}: --marker-spans 'closed=^eyes closed$': no annotation matches" in (
        capsys.readouterr().err
    )
    assert probe_main(["train", str(eyes), "--weights", str(weights), "-o",
                       str(tmp_path / "p"), "-q", "--marker-spans", "^EC$"]) == 1  # fmt: skip
    assert "--marker-spans '^EC$': give NAME=REGEX" in capsys.readouterr().err


def test_marker_spans_of_names_the_recording(tmp_path):
    """The other errors of markers_to_spans, as the command line gives them: matching
    annotations that already last, no marker before the recording's end."""
    from eegpt.annotations import marker_spans_of
    from eegpt.io import as_recording

    rec = as_recording(_edf(tmp_path / "r.edf", [4.0], ["EC"], [2.0], seconds=10.0))
    with pytest.raises(ValueError, match=r"r.edf: --marker-spans 'EC=\^EC\$': 1 annotation\(s\) "
                       r"matching the states already span time .*--window-labels takes such "
                       r"annotations as they are: leave --marker-spans out"):  # fmt: skip
        marker_spans_of(rec, rec.annotations, {"EC": "^EC$"})
    late = mne.Annotations([12.0], [0.0], ["EC"])
    with pytest.raises(ValueError, match=r"r.edf: .*no state marker lies before the recording's "
                       r"end \(10 s; the first of 1 at 12 s\): the markers are another"):  # fmt: skip
        marker_spans_of(rec, late, {"EC": "^EC$"})


def test_markers_alone_say_to_give_marker_spans(weights, eyes, tmp_path, capsys):
    """--window-labels matching only markers of no duration: the refusal names --marker-spans
    first (the Python way after it)."""
    assert probe_main(["train", str(eyes), "--weights", str(weights), "-o",
                       str(tmp_path / "p"), "-q", "--window", "4", "--window-labels", "EC|EO",
                       "--unlabelled", "rest"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "each state from its marker to the next: --marker-spans 'EC=^EC$' --marker-spans " \
           "'EO=^EO$' (the windows then labelled by state name; or in Python, " in err  # fmt: skip


def test_embed_dataset_records_the_spans(weights, eyes, tmp_path, capsys):
    """embed-dataset --marker-spans: the annotations column holds the spans; the states are a
    setting of the run, which a resume without them is refused for (naming the option)."""
    import shutil

    from eegpt.dataset_read import read_embeddings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(eyes, corpus / "eyes.edf")
    out = tmp_path / "ds"
    assert main(["embed-dataset", str(corpus), "-o", str(out), "--weights", str(weights), "-q",
                 *STATES]) == 0  # fmt: skip
    table, _ = read_embeddings(out)
    assert [list(a) for a in table["annotations"]] == (
        [[]] + [["EC"]] * 3 + [["EO"]] * 3 + [["EC"]] * 3
    )
    capsys.readouterr()
    assert main(["embed-dataset", str(corpus), "-o", str(out), "--weights", str(weights),
                 "-q"]) == 1  # fmt: skip
    assert "marker_spans ({'EC': '^EC$', 'EO': '^EO$'} -> None) [--marker-spans]" in (
        capsys.readouterr().err
    )
    # another corpus embedded without the spans: the embeddings compare (only the
    # annotations differ), so the runs are read together and eegpt info says no conflict
    other = tmp_path / "other"
    other.mkdir()
    _edf(other / "more.edf", [4.0], ["EO"])
    out2 = tmp_path / "ds2"
    assert main(["embed-dataset", str(other), "-o", str(out2), "--weights", str(weights),
                 "-q"]) == 0  # fmt: skip
    table, emb = read_embeddings([out, out2])
    assert len(table) == len(emb) == 20
    capsys.readouterr()
    assert main(["info", str(tmp_path)]) == 0
    assert "not comparable" not in capsys.readouterr().out


def test_skip_existing_warns_of_outputs_kept_with_other_annotation_settings(weights, eyes,
                                                                            tmp_path):  # fmt: skip
    """embed --skip-existing keeps an output embedded without --marker-spans (raw markers in
    its annotations) with one warning, as it warns of other --window settings; so with
    another --annotations file or --reject-by-annotation that changes the windows kept."""
    out = tmp_path / "out"
    bad = _edf(tmp_path / "bad.edf", [4.0, 20.0], ["EC", "BAD_move"], [0.0, 4.0], seconds=32.0)
    assert main(["embed", str(eyes), str(bad), "--weights", str(weights), "-o", str(out),
                 "-q"]) == 0  # fmt: skip
    again = ["embed", str(eyes), str(bad), "--weights", str(weights), "-o", str(out), "-q",
             "--skip-existing"]  # fmt: skip
    with pytest.warns(Warning, match="--skip-existing keeps 2 outputs whose windows' ann") as w:
        assert main([*again, *STATES]) == 0
    text = str(next(x.message for x in w if "windows' annotations" in str(x.message)))
    assert "eyes.npz (marker_spans (None -> {'EC': '^EC$', 'EO': '^EO$'}))" in text
    with pytest.warns(Warning, match="windows over bad annotations kept -> left out") as w:
        assert main([*again, "--reject-by-annotation"]) == 0
    text = str(next(x.message for x in w if "windows' annotations" in str(x.message)))
    assert "keeps 1 output " in text and "eyes.npz" not in text
    table = tmp_path / "more.csv"
    table.write_text("onset,duration,description\n1,2,arousal\n", encoding="utf-8")
    with pytest.warns(Warning, match=r"annotations file \(None -> .*more\.csv\)"):
        assert main(["embed", str(bad), "--annotations", str(table), "--weights",
                     str(weights), "-o", str(out), "-q", "--skip-existing"]) == 0  # fmt: skip
    with warnings.catch_warnings():  # the settings it was embedded with: nothing to say
        warnings.simplefilter("error")
        assert main(again) == 0


def test_marker_spans_say_epochs_are_left_as_they_are(weights, eyes, tmp_path):
    """--marker-spans with epochs (-epo.fif) given: said once, by embed and the probe
    commands, that the epochs are left as they are (it was ignored without a word)."""
    info = mne.create_info(NAMES, 256.0, "eeg")
    data = np.random.default_rng(3).normal(0, 20e-6, (4, len(NAMES), 1024))
    epo = tmp_path / "x-epo.fif"
    mne.EpochsArray(data, info, verbose=False).save(epo, verbose=False)
    said = "hold(s)? epochs, left as they are \\(epochs have no state spans to make"
    with pytest.warns(Warning, match=f"{epo} {said}") as caught:
        assert main(["embed", str(epo), "--weights", str(weights), "-o",
                     str(tmp_path / "e.npz"), "-q", *STATES]) == 0  # fmt: skip
    assert sum("no state spans" in str(w.message) for w in caught) == 1
    probe = tmp_path / "probe"
    assert probe_main(["train", str(eyes), "--weights", str(weights), "-o", str(probe), "-q",
                       "--window", "4", "--passes", "1", *STATES]) == 0  # fmt: skip
    with pytest.warns(Warning, match=f"{epo} {said}") as caught:
        assert probe_main(["predict", str(probe), str(epo), str(eyes), "-o",
                           str(tmp_path / "p.csv"), "-q", *STATES]) == 0  # fmt: skip
    assert sum("no state spans" in str(w.message) for w in caught) == 1


def test_marker_spans_keep_the_warnings_of_the_annotations_given(weights, eyes, tmp_path):
    """embed --marker-spans --annotations FILE warns, as without --marker-spans, of a FILE that
    is the recording's own and of one that holds no annotation (both went unsaid)."""
    empty = tmp_path / "empty.csv"
    empty.write_text("onset,duration,description\n", encoding="utf-8")
    for given, said in ((eyes, "are the recording's own file"), (empty, "hold none")):
        with pytest.warns(Warning, match=f"annotations={given}\\) {said}") as caught:
            assert main(["embed", str(eyes), "--annotations", str(given), "--weights",
                         str(weights), "-o", str(tmp_path / "e.npz"), "--overwrite", "-q",
                         *STATES]) == 0  # fmt: skip
        assert sum(said in str(w.message) for w in caught) == 1


def _warned(call):
    """The texts of the warnings ``call()`` gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught]


def test_numeric_state_pattern_matching_longer_codes_is_warned_of():
    """BCI-IV-2a's run start, 32766, contains 276 (eyes open): --marker-spans EO=276 takes both
    as EO markers (re.search). The warning names what the pattern matched and the anchored
    form; the anchored pattern, and one matching its number only, warn of nothing."""
    from eegpt.annotations import markers_to_spans

    markers = mne.Annotations([1.0, 5.0, 9.0, 12.0], [0.0] * 4, ["276", "32766", "277", "32766"])
    texts = _warned(lambda: markers_to_spans(markers, {"EO": "276", "EC": "277"}, end=20.0))
    assert len(texts) == 1
    assert "The pattern '276' of the state 'EO' (--marker-spans EO=276) matches 2 different " \
        "annotation descriptions: '276', '32766'" in texts[0]  # fmt: skip
    assert "re.search" in texts[0]
    assert "--marker-spans 'EO=^276$' ({'EO': '^276$'} in Python)" in texts[0]
    spans = markers_to_spans(markers, {"EO": "^276$", "EC": "277"}, end=20.0)
    assert not _warned(lambda: markers_to_spans(markers, {"EO": "^276$", "EC": "277"}, end=20.0))
    assert list(spans.description) == ["EO", "32766", "EC", "32766"]
    # a code found only inside a longer one is warned of too
    only = mne.Annotations([1.0, 5.0], [0.0, 0.0], ["32766", "277"])
    texts = _warned(lambda: markers_to_spans(only, {"EO": "276", "EC": "277"}, end=20.0))
    assert len(texts) == 1 and "matches the annotation description '32766'" in texts[0]


def _cued_trials(path, seconds=40.0):
    """An EDF of BCI Competition IV 2a's trial structure as MNE reads its GDF events: its run
    start (32766), then every 8 s a trial start (768) and 2 s later the cue of class 1 or 2
    (769 left hand, 770 right hand), 4 s of imagery from it."""
    onsets, codes = [0.0], ["32766"]
    for k, start in enumerate(np.arange(2.0, seconds - 8.0, 8.0)):
        onsets += [float(start), float(start) + 2.0]
        codes += ["768", str(769 + k % 2)]
    return _edf(path, onsets, codes, seconds=seconds)


def test_gdf_cues_made_spans_are_warned_of_with_the_epochs_to_cut(weights, tmp_path):
    """--marker-spans 'left=^769$' on BCI-IV-2a's cues labelled the time from each cue to the
    next trial's (break and next trial start included) as the class, silently: the markers
    being GDF's codes of a cued trial, a warning says so (once for a command of several
    recordings) and gives the Python that cuts 4 s epochs at the cues, which runs; state
    codes (276/277, eyes open/closed) are not warned of."""
    from eegpt.annotations import markers_to_spans

    edf = _cued_trials(tmp_path / "A01T.edf")
    raw = mne.io.read_raw_edf(edf, preload=True, verbose=False)
    texts = _warned(lambda: markers_to_spans(raw, {"left": "^769$", "right": "^770$"}))
    (text,) = [t for t in texts if "GDF's event codes of cued trials" in t]
    assert "the state(s) 'left', 'right'" in text and "('769', '770'" in text
    assert "the break between trials and the next trial's start are labelled" in text
    code = text[text.index("in Python ") + len("in Python ") : text.index("; model.embed(")]
    scope = {"mne": mne, "raw": raw}
    exec(code.replace("; ", "\n"), scope)  # the code the warning gives, up to the embedding
    epochs = scope["epochs"].load_data()
    assert len(epochs) == 4 and len(epochs.times) == 4 * 256  # one per cue, 4 s from it
    assert text.endswith("window_seconds=4)")  # the Python last, the command line first
    line = "eegpt probe train REC --epochs-around 'left=^769$' --epochs-around 'right=^770$' "
    assert f"on the command line {line}--window 4 (embed" in text
    assert sorted(epochs.event_id) == ["769", "770"] and epochs.times[0] == 0.0
    eyes = mne.Annotations([1.0, 9.0], [0.0, 0.0], ["276", "277"])
    said = _warned(lambda: markers_to_spans(eyes, {"EO": "^276$", "EC": "^277$"}, end=20.0))
    assert not said
    other = _cued_trials(tmp_path / "A02T.edf")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(edf), str(other), "--weights", str(weights), "-o",
                     str(tmp_path / "out"), "-q", "--window", "4",
                     "--marker-spans", "left=^769$", "--marker-spans", "right=^770$"]) == 0  # fmt: skip
    cued = [w for w in caught if "GDF's event codes of cued trials" in str(w.message)]
    assert len(cued) == 1


def test_gdf_cue_warning_is_for_cued_trials_the_patterns_select():
    """The cue warning fired for any state marker numbered 768 .. 783, such as an EDF's own
    codes of rest and task ('770', '771', no trial start): it is said only where the patterns
    select such codes in a recording of GDF's cued trials (a trial start '768' among its
    annotations, or a .gdf file), not where they select other markers beside such trials."""
    from eegpt.annotations import markers_to_spans

    cued = "GDF's event codes of cued trials"
    own = mne.Annotations([1.0, 15.0, 30.0], [0.0] * 3, ["770", "771", "770"])
    states = {"rest": "^770$", "task": "^771$"}
    assert not [t for t in _warned(lambda: markers_to_spans(own, states, end=40.0)) if cued in t]
    gdf = _warned(lambda: markers_to_spans(own, states, end=40.0, source="A01T.gdf"))
    assert len([t for t in gdf if cued in t]) == 1  # a GDF file's codes: its cues
    trials = mne.Annotations([1.0, 5.0, 10.0, 12.0, 20.0, 22.0], [0.0] * 6,
                             ["276", "277", "768", "769", "768", "770"])  # fmt: skip
    eyes = {"EO": "^276$", "EC": "^277$"}
    assert not _warned(lambda: markers_to_spans(trials, eyes, end=40.0))
    said = _warned(lambda: markers_to_spans(trials, {"left": "^769$"}, end=40.0))
    assert len([t for t in said if cued in t and "('769': 768 a trial's start" in t]) == 1


def test_window_label_patterns_share_the_check():
    """--window-labels classes are checked as marker spans are: plain text matching several
    descriptions (EC in ECG) is warned of; a pattern of regex syntax (fnsz|gnsz) is meant."""
    from eegpt.annotations import window_labels

    spans = mne.Annotations([0.0, 8.0, 16.0], [8.0, 8.0, 8.0], ["EC", "ECG check", "fnsz"])
    onsets = np.arange(0.0, 24.0, 4.0)
    texts = _warned(lambda: window_labels(spans, onsets, 4.0, match={"closed": "EC"}))
    assert len(texts) == 1
    assert "The pattern 'EC' of the class 'closed' (--window-labels closed=EC) matches 2 " \
        "different annotation descriptions: 'EC', 'ECG check'" in texts[0]  # fmt: skip
    assert "--window-labels 'closed=^EC$'" in texts[0]
    meant = {"closed": "^EC$", "seizure": "fnsz|gnsz"}
    assert not _warned(lambda: window_labels(spans, onsets, 4.0, match=meant))


def test_probe_train_names_the_state_markers(weights, tmp_path, capsys):
    """probe train --marker-spans says which descriptions made each state, and warns once, for
    all its recordings, of a numeric pattern that matched a longer code."""
    edf = _edf(tmp_path / "runs.edf", [4.0, 16.0, 28.0], ["277", "32766", "276"])
    other = _edf(tmp_path / "runs2.edf", [4.0, 16.0, 28.0], ["277", "32766", "276"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["train", str(edf), str(other), "--weights", str(weights), "-o",
                           str(tmp_path / "p"), "-q", "--window", "4", "--passes", "1",
                           "--marker-spans", "EO=276", "--marker-spans", "EC=277"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"{edf}: 10 windows of 4 s: 'EC' 3, 'EO' 6 (state markers: 'EO' from '276', " \
        "'32766'; 'EC' from '277')" in err  # fmt: skip
    loose = [w for w in caught if "--marker-spans 'EO=^276$'" in str(w.message)]
    assert len(loose) == 1


def test_embed_of_several_recordings_warns_of_a_loose_pattern_once(weights, tmp_path):
    """eegpt embed of two recordings with --marker-spans EO=276 (matching 32766 too): the
    loose-pattern warning is given once for the command, not once per recording."""
    edf = _edf(tmp_path / "runs.edf", [4.0, 16.0, 28.0], ["277", "32766", "276"])
    other = _edf(tmp_path / "runs2.edf", [4.0, 16.0, 28.0], ["277", "32766", "276"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["embed", str(edf), str(other), "--weights", str(weights), "-o",
                     str(tmp_path / "out"), "-q", "--window", "4",
                     "--marker-spans", "EO=276", "--marker-spans", "EC=277"]) == 0  # fmt: skip
    loose = [w for w in caught if "--marker-spans 'EO=^276$'" in str(w.message)]
    assert len(loose) == 1


#: a night scored as one marker of no duration at the start of each 30 s epoch (Sleep-EDF's
#: descriptions): W, N1, two unscored epochs, N2, movement time, N2 again, R; 240 s
NIGHT = (["Sleep stage W", "Sleep stage 1", "Sleep stage ?", "Sleep stage ?", "Sleep stage 2",
          "Movement time", "Sleep stage 2", "Sleep stage R"])  # fmt: skip
STAGES = {"W": "^Sleep stage W$", "N1": "^Sleep stage 1$", "N2": "^Sleep stage 2$",
          "R": "^Sleep stage R$"}  # fmt: skip


def _spans(annotations):
    """(onset, duration, description) of the annotations that last, sorted."""
    each = zip(annotations.onset, annotations.duration, annotations.description, strict=True)
    return sorted((float(o), float(d), str(s)) for o, d, s in each if d > 0)


def test_unscored_stage_markers_end_the_stage_before_them(weights, tmp_path):
    """'Sleep stage ?' and 'Movement time' markers between stage markers end the stage before
    them, their epochs in no stage (not the stage before, trained and scored as it), in
    Python and with --marker-spans alike (one implementation); the labelling pattern's
    markers of no state end a span too."""
    import eegpt
    from eegpt.annotations import marker_spans_of, markers_to_spans, window_labels
    from eegpt.io import as_recording

    path = _edf(tmp_path / "night.edf", [30.0 * k for k in range(8)], NIGHT, seconds=240.0)
    raw = mne.io.read_raw_edf(path, verbose=False)
    want = [(0.0, 30.0, "W"), (30.0, 30.0, "N1"), (120.0, 30.0, "N2"), (180.0, 30.0, "N2"),
            (210.0, 30.0, "R")]  # fmt: skip
    assert _spans(markers_to_spans(raw, STAGES)) == want
    labels = window_labels(markers_to_spans(raw, STAGES), 30.0 * np.arange(8), 30.0,
                           match={k: f"^{k}$" for k in STAGES})  # fmt: skip
    assert labels == ["W", "N1", None, None, "N2", None, "N2", "R"]
    rec = as_recording(path)
    assert _spans(marker_spans_of(rec, rec.annotations, STAGES)) == want
    # a stage left out of the states ends the span before it where ends= names it
    three = [(0.0, 30.0, "W"), (30.0, 30.0, "N1"), (120.0, 30.0, "N2"), (180.0, 30.0, "N2")]
    no_r = {k: v for k, v in STAGES.items() if k != "R"}
    assert _spans(markers_to_spans(raw, no_r, ends="^Sleep stage R$")) == three
    assert _spans(marker_spans_of(rec, rec.annotations, no_r))[-1] == (180.0, 60.0, "N2")
    # eegpt embed --marker-spans: the unscored epochs' windows hold no stage
    out = tmp_path / "e.npz"
    states = [a for k, v in STAGES.items() for a in ("--marker-spans", f"{k}={v}")]
    assert main(["embed", str(path), "--weights", str(weights), "-o", str(out), "-q",
                 "--window", "30", *states]) == 0  # fmt: skip
    got = eegpt.load_embeddings(out).metadata["annotations"]
    assert [[a for a in w if a in STAGES] for w in got] == [
        ["W"], ["N1"], [], [], ["N2"], [], ["N2"], ["R"]]  # fmt: skip


def test_a_last_unscored_marker_ends_the_last_stage():
    """The last stage spans to the recording's end, unless an unscored marker ends it (a
    scoring that stops before the recording does); an end marker past the end stops nothing
    beyond it."""
    from eegpt.annotations import markers_to_spans

    marks = mne.Annotations([0.0, 30.0, 60.0], [0.0] * 3, NIGHT[:2] + ["Sleep stage ?"])
    assert _spans(markers_to_spans(marks, STAGES, end=300.0)) == [(0.0, 30.0, "W"),
                                                                  (30.0, 30.0, "N1")]  # fmt: skip
    marks = mne.Annotations([0.0, 30.0], [0.0] * 2, NIGHT[:2])
    assert _spans(markers_to_spans(marks, STAGES, end=300.0))[-1] == (30.0, 270.0, "N1")
    marks = mne.Annotations([0.0, 30.0, 400.0], [0.0] * 3, NIGHT[:2] + ["Sleep stage ?"])
    assert _spans(markers_to_spans(marks, STAGES, end=300.0))[-1] == (30.0, 270.0, "N1")


def test_a_stage_marker_past_the_end_is_left_out_and_the_others_scored(weights, tmp_path, capsys):
    """A scoring one epoch longer than its recording (a stage marker at 310 s of a 300 s
    night) refused the whole recording; the marker is left out, warned of (naming it and the
    end), and the epochs before the end are labelled, on the command line as in Python."""
    from eegpt.annotations import markers_to_spans

    onsets = [*np.arange(0.0, 300.0, 30.0), 310.0]
    stages = ["Sleep stage W", "Sleep stage 1", "Sleep stage 2"] * 3 + ["Sleep stage W"] * 2
    marks = mne.Annotations(onsets, [0.0] * 11, stages)
    with pytest.warns(RuntimeWarning, match=r"markers_to_spans: 1 state marker\(s\) at or past "
                      r"the recording's end \(300 s\) left out \(the first 'Sleep stage W' at "
                      r"310 s\)"):  # fmt: skip
        spans = markers_to_spans(marks, STAGES, end=300.0)
    got = _spans(spans)
    assert len(got) == 10 and got[-1] == (270.0, 30.0, "W") and max(spans.onset) < 300.0
    night = _edf(tmp_path / "night.edf", [], [], seconds=300.0)
    table = tmp_path / "stages.csv"
    table.write_text("onset,duration,description\n" + "".join(
        f"{o:g},0,{d}\n" for o, d in zip(onsets, stages, strict=True)))  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert probe_main(["train", str(night), "--annotations", str(table), "--weights",
                           str(weights), "-o", str(tmp_path / "p"), "-q", "--window", "30",
                           "--passes", "1", "--marker-spans", "W=^Sleep stage W$",
                           "--marker-spans", "N1=^Sleep stage 1$",
                           "--marker-spans", "N2=^Sleep stage 2$"]) == 0  # fmt: skip
    said = [str(w.message) for w in caught if "left out (the first" in str(w.message)]
    assert len(said) == 1 and said[0].startswith(f"{night}: 1 state marker(s) at or past")
    assert f"{night}: 10 windows of 30 s: 'W' 4, 'N1' 3, 'N2' 3" in capsys.readouterr().err


def test_stage_markers_at_one_moment_the_last_holds_and_different_states_are_warned_of(
    tmp_path,
):
    """Two markers of one stage at one onset (exported twice) make one span, silently; markers
    of different stages at one onset: the last in the annotations' order holds, warned of."""
    from eegpt.annotations import markers_to_spans

    twice = mne.Annotations([0.0, 30.0, 30.0, 60.0], [0.0] * 4,
                            [NIGHT[0], NIGHT[1], NIGHT[1], "Sleep stage 2"])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spans = markers_to_spans(twice, STAGES, end=90.0)
    assert _spans(spans) == [(0.0, 30.0, "W"), (30.0, 30.0, "N1"), (60.0, 30.0, "N2")]
    clash = mne.Annotations([0.0, 30.0, 30.0, 60.0], [0.0] * 4,
                            [NIGHT[0], NIGHT[1], "Sleep stage R", "Sleep stage 2"])  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"different states at one moment, at 1 onset\(s\) "
                      r"\(first at 30 s: 'N1' then 'R'\); the last of them"):  # fmt: skip
        spans = markers_to_spans(clash, STAGES, end=90.0)
    assert _spans(spans) == [(0.0, 30.0, "W"), (30.0, 30.0, "R"), (60.0, 30.0, "N2")]
    # the command line's: naming the recording
    from eegpt.annotations import marker_spans_of
    from eegpt.io import as_recording

    rec = as_recording(_edf(tmp_path / "twice.edf", clash.onset, clash.description, seconds=90.0))
    with pytest.warns(RuntimeWarning, match=r"twice.edf: markers of different states at one "):
        assert _spans(marker_spans_of(rec, rec.annotations, STAGES))[1] == (30.0, 30.0, "R")


def test_stage_markers_off_the_windows_grid_are_warned_of():
    """Stage markers every 30 s from 17 s: their spans (the last to the recording's end, not a
    whole epoch) lie on a grid the windows from 0 s are not on, which is warned of (each
    window would take the stage it holds more of, silently)."""
    from eegpt.annotations import markers_to_spans, window_labels

    marks = mne.Annotations([17.0 + 30 * k for k in range(5)], [0.0] * 5,
                            [NIGHT[0], NIGHT[1], NIGHT[4], NIGHT[7], NIGHT[4]])  # fmt: skip
    spans = markers_to_spans(marks, STAGES, end=180.0)
    assert _spans(spans)[-1] == (137.0, 43.0, "N2")
    with pytest.warns(RuntimeWarning, match=r"the 5 labelling annotations last whole multiples "
                      r"of 30 s \(but the last\), on a grid of 30 s epochs from 17 s on .* "
                      r"straddles two epochs, 17 s of one .* start_seconds=17 "):  # fmt: skip
        window_labels(spans, 30.0 * np.arange(6), 30.0, match={k: f"^{k}$" for k in STAGES})


def test_the_suggested_states_name_every_stage_and_leave_unscored_out(weights, tmp_path,
                                                                     capsys):  # fmt: skip
    """Stage markers of no duration matched by --window-labels/match: the suggested
    markers_to_spans code and --marker-spans name all six stages (none cut off after five),
    not 'Sleep stage ?' (which ends a span by itself); the code runs and labels each epoch."""
    import re

    import eegpt
    from eegpt.annotations import window_labels

    night = ["Sleep stage W", "Sleep stage 1", "Sleep stage ?", "Sleep stage 2",
             "Sleep stage 3", "Sleep stage 4", "Sleep stage R", "Sleep stage W"]  # fmt: skip
    path = _edf(tmp_path / "night.edf", [30.0 * k for k in range(8)], night, seconds=240.0)
    raw = mne.io.read_raw_edf(path, verbose=False)
    with pytest.warns(RuntimeWarning, match="no window got a label") as caught:
        window_labels(raw.annotations, 30.0 * np.arange(8), 30.0, match="^Sleep stage")
    text = next(str(w.message) for w in caught if "markers_to_spans(raw" in str(w.message))
    code = re.search(r"(eegpt\.annotations\.markers_to_spans\(raw, \{.*?\}\))", text)[1]
    spans = eval(code, {"eegpt": eegpt, "raw": raw})
    labels = window_labels(spans, 30.0 * np.arange(8), 30.0, match="^Sleep stage [W1234R]$")
    assert labels == [None if d.endswith("?") else d for d in night]
    assert probe_main(["train", str(path), "--weights", str(weights), "-o",
                       str(tmp_path / "p"), "-q", "--window", "30", "--window-labels",
                       "^Sleep stage", "--unlabelled", "rest"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    given = re.findall(r"--marker-spans '(Sleep stage .)=", err)
    assert sorted(set(given)) == sorted(set(night) - {"Sleep stage ?"})


def test_a_loose_window_labels_pattern_ends_no_state_at_a_marker_within_it(tmp_path):
    """--window-labels matches the spans' names, not the markers: a loose pattern ('EC|EO',
    or EC='^EC') that also contains an 'ECG artifact' marker within an eyes-closed state ends
    no span there, so the windows after the artifact keep their state (they were left
    unlabelled, without a warning)."""
    from eegpt.annotations import window_labels
    from eegpt.io import as_recording
    from eegpt.window_labelling import WindowLabelling

    path = _edf(tmp_path / "eyes.edf", [4.0, 10.0, 25.0, 40.0],
                ["EC", "ECG artifact", "EO", "EC"], seconds=60.0)  # fmt: skip
    rec = as_recording(path)
    want = [(4.0, 21.0, "EC"), (25.0, 15.0, "EO"), (40.0, 20.0, "EC")]
    for match in ("EC|EO", {"EC": "^EC", "EO": "^EO"}):
        windows = WindowLabelling(match=match, window_seconds=4.0,
                                  marker_spans={"EC": "^EC$", "EO": "^EO$"})  # fmt: skip
        spans = windows.annotations(rec)
        assert _spans(spans) == want
        labels = window_labels(spans, 4.0 * np.arange(15), 4.0, match=match)
        assert labels[1:6] == ["EC"] * 5


def test_stage_annotations_partly_of_no_duration_are_warned_of():
    """A scoring whose stage annotations mostly last 30 s but some of no duration (an EDF+
    stage with its duration left empty reads as 0 s) left those epochs unlabelled without a
    word among labelled ones; that is warned of, naming the first. Descriptions all of no
    duration (markers: markers_to_spans) or all lasting are not."""
    from eegpt.annotations import window_labels

    stages = ["Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage 2",
              "Sleep stage R", "Sleep stage 2", "Sleep stage 2", "Sleep stage W"]  # fmt: skip
    onsets = 30.0 * np.arange(8)
    mixed = mne.Annotations(onsets, [30, 30, 0, 30, 30, 0, 30, 0], stages)
    with pytest.warns(Warning, match=r"night.edf: 3 labelling annotation\(s\) of no "
                      r"duration \('Sleep stage 2' at 60 s\) among others of the same "
                      r"description that last \(30 s\)"):  # fmt: skip
        labels = window_labels(mixed, onsets, 30.0, match="^Sleep stage", source="night.edf")
    assert labels.count(None) == 3
    for durations in ([30.0] * 8, [0.0] * 8):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            window_labels(mne.Annotations(onsets, durations, stages), onsets, 30.0,
                          match="^Sleep stage", unlabelled_ok=True)  # fmt: skip
        assert not [w for w in caught if "of no duration" in str(w.message)]


def test_unscored_markers_of_other_scoring_systems_end_the_stage_before_them():
    """The CAP Sleep Database's and Embla RemLogic's unscored and movement-time epochs
    ('SLEEP-UNSCORED', 'SLEEP-MT') and 'Stage - No Stage' end the stage before them as
    Sleep-EDF's 'Sleep stage ?' does (they took that stage); stages such as 'SLEEP-S4' and
    'SLEEP-REM' do not."""
    from eegpt.annotations import markers_to_spans

    cap = ["SLEEP-S0", "SLEEP-S2", "SLEEP-UNSCORED", "SLEEP-S2", "SLEEP-MT", "SLEEP-S4",
           "Stage - No Stage", "SLEEP-REM"]  # fmt: skip
    states = {"W": "^SLEEP-S0$", "N2": "^SLEEP-S2$", "R": "^SLEEP-REM$"}
    marks = mne.Annotations(30.0 * np.arange(8), [0.0] * 8, cap)
    assert _spans(markers_to_spans(marks, states, end=240.0)) == [
        (0.0, 30.0, "W"), (30.0, 30.0, "N2"), (90.0, 30.0, "N2"), (210.0, 30.0, "R")]  # fmt: skip


def _oddball(path, seconds=40.0):
    """An EDF of an ERP oddball's markers as MNE reads a BrainVision recording's: a standard
    ('Stimulus/S  1') or, every fourth, a target ('Stimulus/S  2') every 1.2 s from 2 s."""
    onsets = list(np.arange(2.0, seconds - 2.0, 1.2))
    names = ["Stimulus/S  2" if k % 4 == 3 else "Stimulus/S  1" for k in range(len(onsets))]
    return _edf(path, onsets, names, seconds=seconds)


def test_event_markers_made_spans_are_warned_of_and_stage_markers_are_not(weights, tmp_path,
                                                                          capsys):  # fmt: skip
    """An oddball's stimulus markers made spans (--marker-spans, markers_to_spans) labelled
    each window by whichever stimulus came last, silently: markers many and close together
    (or BrainVision's stimuli a median under a window apart) are warned of as events, with
    the command line's --epochs-around first, then the Python that cuts epochs around them,
    which runs. Sleep stage markers (one
    per 30 s epoch) and BrainVision-coded eyes closed/open blocks are not. Refused labels of
    such markers (--window-labels alone) lead with the epochs, not with --marker-spans."""
    from eegpt.annotations import markers_to_spans

    rec = _oddball(tmp_path / "oddball.edf")
    raw = mne.io.read_raw_edf(rec, preload=True, verbose=False)
    events = "look like events (stimuli, responses), not markers of states"
    states = {"standard": "^Stimulus/S  1$", "target": "^Stimulus/S  2$"}
    (text,) = [t for t in _warned(lambda: markers_to_spans(raw, states)) if events in t]
    assert "the state(s) 'standard', 'target' ('Stimulus/S  1', 'Stimulus/S  2')" in text
    assert "labelled by whichever of them came last before it" in text
    line = "--epochs-around 'standard=^Stimulus/S  1$' --epochs-around 'target=^Stimulus/S  2$'"
    assert f"on the command line eegpt probe train REC {line} --crop -0.2 --window 1" in text
    code = text[text.index("in Python ") + len("in Python ") : text.index("; model.embed(")]
    scope = {"mne": mne, "raw": raw}
    exec(code.replace("; ", "\n"), scope)  # the code the warning gives
    epochs = scope["epochs"].load_data()
    assert len(epochs) == 30 and epochs.times[0] == pytest.approx(-0.2, abs=1 / 256)
    assert len(epochs.times) == 256 and sorted(epochs.event_id) == [
        "Stimulus/S  1",
        "Stimulus/S  2",
    ]
    plain = mne.Annotations(raw.annotations.onset, [0.0] * 30,
                            ["target" if "2" in d else "standard" for d in raw.annotations.description])  # fmt: skip
    said = _warned(lambda: markers_to_spans(plain, {"t": "^target$", "s": "^standard$"}, end=40.0))
    assert len([t for t in said if events in t]) == 1  # not BrainVision's, as close together
    night = mne.Annotations(30.0 * np.arange(40), [0.0] * 40, NIGHT * 5)
    assert not [t for t in _warned(lambda: markers_to_spans(night, STAGES, end=1200.0))
                if events in t]  # fmt: skip
    eyes = mne.Annotations(20.0 * np.arange(12), [0.0] * 12, ["Stimulus/S  1", "Stimulus/S  2"] * 6)
    coded = {"EC": "^Stimulus/S  1$", "EO": "^Stimulus/S  2$"}
    assert not [t for t in _warned(lambda: markers_to_spans(eyes, coded, end=240.0))
                if events in t]  # fmt: skip
    # --window-labels of the stimuli alone: the refusal leads with the epochs to cut
    args = ["train", str(rec), "--weights", str(weights), "-o", str(tmp_path / "p"), "-q",
            "--window", "4", "--window-labels", "target=S  2$", "--window-labels", "standard=S  1$"]  # fmt: skip
    (text,) = [t for t in _warned(lambda: probe_main(args)) if "no window got a label" in t]
    assert "these look like events (30 markers, a median 1.2 s apart). Cut epochs around" in text
    line = "eegpt probe train REC --epochs-around 'target=S  2$' --epochs-around 'standard=S  1$'"
    assert f"its marker: {line} --crop -0.2 --window 1 (docs/command-line.md); in Python" in text
    assert "--marker-spans 'Stimulus" not in text  # not advised for events
    assert "no window labelled by --window-labels" in capsys.readouterr().err  # refused
