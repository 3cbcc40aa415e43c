"""read_embeddings of BIDS runs: filters on entity labels that match nothing or compare text
with a number, and folders whose rows lack the entity columns."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from eegpt.config import EEGPTConfig
from eegpt.dataset import embed_dataset, read_embeddings
from eegpt.demo import synthetic_raw
from eegpt.model import EEGPT

mne_bids = pytest.importorskip("mne_bids")
pytest.importorskip("pandas")

EDF = "sub-{sub}/ses-01/eeg/sub-{sub}_ses-01_task-rest_run-1_eeg.edf"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A BIDS dataset of subjects 01-03 (session 01, run 1, participants.tsv: no group for
    03); its subjects 01 and 02 embedded as BIDS (``bids``), subject 03 as BIDS (``bids3``)
    and from a manifest of its file (``csv``); and a BIDS dataset of subject 05 without
    sessions whose participants.tsv has age, not group (``other``)."""
    root = tmp_path_factory.mktemp("bids_read")
    for seed, sub in enumerate(("01", "02", "03")):
        raw, _ = synthetic_raw(minutes=0.1, seed=seed)  # not copies of one another
        raw.info["line_freq"] = 50
        path = mne_bids.BIDSPath(subject=sub, session="01", task="rest", run="1",
                                 datatype="eeg", root=root)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    (root / "participants.tsv").write_text(
        "participant_id\tgroup\nsub-01\ta\nsub-02\tb\nsub-03\tn/a\n"
    )
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    out = root.parent / "bids_read_out"
    out.mkdir()
    (out / "root").write_text(str(root))  # the dataset, for a test that copies it
    embed_dataset(root, out / "bids", model=model, workers=0, progress=False,
                  bids_filters={"subject": ["01", "02"]})  # fmt: skip
    embed_dataset(root, out / "bids3", model=model, workers=0, progress=False,
                  bids_filters={"subject": "03"})  # fmt: skip
    manifest = root.parent / "new.csv"
    rel = EDF.format(sub="03")
    manifest.write_text(f"path,recording_id\n{root / rel},{rel}\n")
    embed_dataset(manifest, out / "csv", model=model, workers=0, progress=False)
    other = root.parent / "bids_other"  # no sessions, participants.tsv of another column
    raw, _ = synthetic_raw(minutes=0.1, seed=5)
    raw.info["line_freq"] = 50
    path = mne_bids.BIDSPath(subject="05", task="rest", datatype="eeg", root=other)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    (other / "participants.tsv").write_text("participant_id\tage\nsub-05\t9\n")
    embed_dataset(other, out / "other", model=model, workers=0, progress=False)
    return out


@pytest.mark.parametrize(
    ("filters", "said"),
    [
        ([("session", "==", "1")], r"session '1' matches no row.*'01'.*did you mean '01'\?"),
        ([("run", "==", "01")], r"run '01' matches no row.*'1'.*did you mean '1'\?"),
        ([("subject", "==", "sub-01")], r"subject 'sub-01' matches no row.*did you mean '01'\?"),
        ([("subject", "in", ["01", "sub-02"])], r"subject 'sub-02' matches no row.*mean '02'"),
        ([("task", "==", "sleep")], r"task 'sleep' matches no row.*labels are 'rest'"),
    ],
)
def test_an_entity_filter_that_matches_nothing_names_the_stored_labels(runs, filters, said):
    """A label in another spelling than stored ('1' for session '01', 'sub-01') selects what
    it selected before (nothing of its own), and a warning names the labels and the match."""
    with pytest.warns(RuntimeWarning, match=said):
        table, _ = read_embeddings(runs / "bids", filters=filters, embeddings=False)
    assert set(table["subject"]) <= {"01"}  # not widened: only 'in' ['01', ...] has rows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table, _ = read_embeddings(
            runs / "bids", filters=[("session", "==", "01"), ("run", "in", ["1"])],
            embeddings=False,
        )  # fmt: skip
    assert set(table["subject"]) == {"01", "02"}


@pytest.mark.parametrize(
    ("filters", "said"),
    [
        ([("run", "==", 1)], r"column 'run' holds text .*'1'.*\('run', '==', '1'\)"),
        ([("session", "in", [1])], r"column 'session' holds text.*\('session', 'in', \['01'\]\)"),
        ([("run", "!=", 1.0)], r"the number 1\.0; filter with \('run', '!=', '1'\)"),
    ],
)
def test_a_number_compared_with_an_entity_label_is_refused_clearly(runs, filters, said):
    with pytest.raises(TypeError, match=said):
        read_embeddings(runs / "bids", filters=filters, embeddings=False)


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
def test_ordering_a_text_column_by_a_number_advises_no_text_filter(runs, op):
    """An ordering filter of a number on a text column: no text value is advised (text
    orders '9' after '30' and '100' before it) but a comparison of numbers in pandas."""
    with pytest.raises(TypeError, match=r"column 'run' holds text") as caught:
        read_embeddings(runs / "bids", filters=[("run", op, 0)], embeddings=False)
    text = str(caught.value)
    assert "filter with" not in text and f"('run', {op!r}, '0')" not in text
    assert f"pd.to_numeric(table['run'], errors='coerce') {op} 0]" in text


def test_a_folder_without_the_entity_columns_of_another_is_said(runs):
    """Rows embedded from a manifest (no subject, session ... group) read with a BIDS run's:
    a warning names the folder and the columns its rows lack; two BIDS runs say nothing,
    though the participants.tsv column group is empty for the subject of one."""
    with pytest.warns(
        RuntimeWarning, match=r"rows of .*csv \(1 read\) have no subject, session"
    ) as got:
        table, _ = read_embeddings([runs / "bids", runs / "csv"], embeddings=False)
    text = " ".join(str(w.message) for w in got)
    assert "group" in text and "groupby" in text and str(runs / "bids") + " " not in text
    assert table["subject"].isna().any()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_embeddings([runs / "bids", runs / "csv"], embeddings=False, columns=["window"])
        # a participants column empty for a folder's subjects is no folder without it
        table, _ = read_embeddings([runs / "bids", runs / "bids3"], embeddings=False)
    assert table["group"].isna().any() and not table["subject"].isna().any()


def test_bids_runs_of_datasets_with_other_entities_and_participants_are_no_manifest_runs(
    runs, caplog
):
    """Runs of two BIDS datasets, one without sessions, their participants.tsv of other
    columns (group, age): no warning of rows "embedded from a manifest" (the dataset has no
    sessions; each dataset's participants columns are its own), at most an INFO note; a
    manifest's rows beside them are still warned about."""
    import logging

    with warnings.catch_warnings(record=True) as got, caplog.at_level(logging.INFO, "eegpt"):
        warnings.simplefilter("always")
        table, _ = read_embeddings([runs / "bids", runs / "other"], embeddings=False)
    assert not [str(w.message) for w in got if "manifest" in str(w.message)]
    assert table["session"].isna().any() and table["age"].isna().any()
    assert "a groupby on them drops those rows" in caplog.text
    with pytest.warns(RuntimeWarning, match=r"rows of .*csv \(1 read\) have no subject"):
        read_embeddings([runs / "bids", runs / "other", runs / "csv"], embeddings=False)


def test_a_participants_column_added_between_runs_of_one_dataset_is_said(runs, tmp_path):
    """Two runs of one BIDS dataset, its participants.tsv given the column group between
    them: the rows of the first have no group, said as such (not as a manifest's rows)."""
    import shutil

    root = tmp_path / "ds"
    shutil.copytree((runs / "root").read_text(), root)
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    (root / "participants.tsv").write_text("participant_id\nsub-01\nsub-02\nsub-03\n")
    embed_dataset(root, tmp_path / "before", model=model, workers=0, progress=False,
                  bids_filters={"subject": "03"})  # fmt: skip
    shutil.copy(Path((runs / "root").read_text()) / "participants.tsv", root)
    embed_dataset(root, tmp_path / "after", model=model, workers=0, progress=False,
                  bids_filters={"subject": "01"})  # fmt: skip
    with pytest.warns(RuntimeWarning, match=r"before \(1 read\) have no group.*same BIDS") as got:
        read_embeddings([tmp_path / "before", tmp_path / "after"], embeddings=False)
    assert not [str(w.message) for w in got if "manifest" in str(w.message)]


def test_runs_with_and_without_keep_channels_get_the_advice_of_each(runs, tmp_path):
    """Two runs of other channel sets, one with --keep-channels and one without: eegpt info
    of their folder gives the advice for each, not just the first's (read_embeddings refuses
    to read them together)."""
    from eegpt.dataset_report import parts_report

    root = Path((runs / "root").read_text())
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    for name, keep, sub in (("a", ["FP1", "FP2", "CZ"], "01"), ("b", None, "02")):
        embed_dataset(root, tmp_path / name, model=model, workers=0, progress=False,
                      keep=keep, bids_filters={"subject": sub})  # fmt: skip
    text = parts_report(tmp_path)[0]
    assert "2 different channel sets" in text and "differ in --keep-channels" in text
    assert "--keep-channels 10-20 (or NAMES" in text and "to keep were one set" in text


def test_info_of_runs_with_and_without_keep_channels_says_they_are_not_one_table(runs, tmp_path):
    """A folder of two runs, one made with --keep-channels and one without: eegpt info said
    "read as one table: eegpt.read_embeddings(...)" (exit 0) while read_embeddings refuses
    them (other settings: channels.keep). Now info says they are not one table, why (the
    same check as read_embeddings'), and what to do, and exits 3; without importing torch,
    MNE or SciPy."""
    import re
    import subprocess
    import sys

    root = Path((runs / "root").read_text())
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    for name, keep, sub in (("a", ["FP1", "FP2", "CZ"], "01"), ("b", None, "02")):
        embed_dataset(root, tmp_path / name, model=model, workers=0, progress=False,
                      keep=keep, bids_filters={"subject": sub})  # fmt: skip
    differ = "channels.keep (['FP1', 'FP2', 'CZ'] -> None)"
    with pytest.raises(ValueError, match=r"b was made with other settings than .*a "
                       + re.escape(f"({differ})")):  # fmt: skip
        read_embeddings(tmp_path)
    script = f"""
import sys
from eegpt.cli import main

print("exit", main(["info", {str(tmp_path)!r}]))
print([m for m in ("torch", "mne", "scipy") if m in sys.modules])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "read as one table" not in out, out
    assert (
        f"NOT one table: b was made with other settings than a ({differ}), so their rows "
        f"are not comparable and read_embeddings({str(tmp_path)!r}) refuses them: read each "
        f"run folder apart (read_embeddings({str(tmp_path / 'a')!r})), or embed one again "
        "into a new folder with the same --keep-channels (or none) for every run"
    ) in out, out
    assert out.strip().splitlines()[-2:] == ["exit 3", "[]"], out


def test_resuming_a_bids_run_with_new_recordings_advises_the_selection_options(runs, tmp_path):
    """New recordings in a BIDS dataset: the advice embeds them from the dataset with
    --subject ... (which keeps the entity columns), not from a manifest of them."""
    import shutil

    root = tmp_path / "ds"
    shutil.copytree((runs / "root").read_text(), root)
    shutil.rmtree(root / "sub-03")
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    out = tmp_path / "out"
    embed_dataset(root, out, model=model, workers=0, progress=False)
    shutil.copytree(Path((runs / "root").read_text()) / "sub-03", root / "sub-03")
    with pytest.raises(ValueError, match=r"cannot be resumed") as caught:
        embed_dataset(root, out, model=model, workers=0, progress=False)
    text = str(caught.value)
    assert "-o NEW/ --subject 03;" in text and "manifest of just them" not in text


def test_the_advice_for_new_recordings_of_a_filtered_run_keeps_its_filters(runs, tmp_path):
    """A run of --task rest, resumed after a subject with a rest and another task came: the
    advice selects the new subject's rest recording (--task rest --subject 04), not its
    other task too (--subject 04)."""
    import shutil

    root = tmp_path / "ds"
    shutil.copytree((runs / "root").read_text(), root)
    shutil.rmtree(root / "sub-03")
    model = EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))
    out = tmp_path / "out"
    embed_dataset(root, out, model=model, workers=0, progress=False,
                  bids_filters={"task": "rest"})  # fmt: skip
    for seed, task in enumerate(("rest", "other"), 7):
        raw, _ = synthetic_raw(minutes=0.1, seed=seed)
        raw.info["line_freq"] = 50
        path = mne_bids.BIDSPath(subject="04", session="01", task=task, run="1",
                                 datatype="eeg", root=root)  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mne_bids.write_raw_bids(raw, path, format="EDF", allow_preload=True, verbose=False)
    with pytest.raises(ValueError, match=r"cannot be resumed") as caught:
        embed_dataset(root, out, model=model, workers=0, progress=False,
                      bids_filters={"task": "rest"})  # fmt: skip
    assert "-o NEW/ --task rest --subject 04;" in str(caught.value)


def test_the_advice_for_new_recordings_selects_just_them(tmp_path):
    """A new session of one subject and a new subject: a command for each, with the options
    that select just its new recordings; recordings only gone: nothing to add."""
    from eegpt.dataset_inputs import BIDS_SOURCE
    from eegpt.dataset_resume import _bids_add_advice

    def rid(sub, ses):
        return f"sub-{sub}/ses-{ses}/eeg/sub-{sub}_ses-{ses}_task-rest_run-1_eeg.edf"

    old = [rid(s, e) for s in ("01", "04") for e in ("01", "02")]
    (tmp_path / "_files.csv").write_text("recording_id\n" + "\n".join(old) + "\n")
    source = str(tmp_path / "ds") + BIDS_SOURCE
    text = _bids_add_advice(source, tmp_path, [*old, rid("04", "03"), rid("05", "01")])
    assert f"{tmp_path / 'ds'} -o NEW-1/ --subject 04 --session 03;" in text
    assert f"{tmp_path / 'ds'} -o NEW-2/ --subject 05;" in text and "the new ones" in text
    text = _bids_add_advice(source, tmp_path, [*old, rid("01", "03"), rid("04", "03")])
    assert "-o NEW/ --session 03;" in text and "NEW-1" not in text
    assert _bids_add_advice(source, tmp_path, old[1:]) == ""
    # a run of --task rest --session 01,02,03: each command within them too
    filters = {"task": ["rest"], "session": ["01", "02", "03"]}
    text = _bids_add_advice(source, tmp_path, [*old, rid("04", "03"), rid("05", "01")], filters)
    assert "-o NEW-1/ --task rest --session 03 --subject 04;" in text
    assert "-o NEW-2/ --task rest --session 01,02,03 --subject 05;" in text


def test_the_advice_for_new_recordings_gives_the_dataset_as_one_shell_word(tmp_path, monkeypatch):
    """The suggested eegpt embed-dataset commands put the dataset folder in unquoted: a
    folder with a space ran as two arguments, one beginning with '-' as an option. It is one
    word that runs as shown ('my ds', ./-ds), as in eegpt's other suggested commands."""
    from eegpt.dataset_inputs import BIDS_SOURCE
    from eegpt.dataset_resume import _bids_add_advice

    old = [f"sub-0{s}/eeg/sub-0{s}_task-rest_eeg.edf" for s in (1, 2)]
    (tmp_path / "_files.csv").write_text("recording_id\n" + "\n".join(old) + "\n")
    new = [*old, "sub-03/eeg/sub-03_task-rest_eeg.edf"]
    text = _bids_add_advice(str(tmp_path / "my ds") + BIDS_SOURCE, tmp_path, new)
    assert f"eegpt embed-dataset '{tmp_path / 'my ds'}' -o NEW/ --subject 03;" in text
    monkeypatch.chdir(tmp_path)
    text = _bids_add_advice(str(tmp_path / "-ds") + BIDS_SOURCE, tmp_path, new)
    assert "eegpt embed-dataset ./-ds -o NEW/ --subject 03;" in text
