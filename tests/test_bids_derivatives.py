"""BIDS derivative datasets (MNE-BIDS-Pipeline's ``derivatives/NAME``): read as datasets of
their own, their FIF files with the entities of their names and the participants' columns."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest

import eegpt.bids
from eegpt.config import EEGPTConfig
from eegpt.dataset import embed_dataset, read_embeddings, resolve_inputs
from eegpt.errors import MissingFileError
from eegpt.model import EEGPT

pytest.importorskip("mne_bids")
pytest.importorskip("pandas")

NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz", "Pz"]
STEM = "sub-{sub}/ses-01/eeg/sub-{sub}_ses-01_task-audvis"
#: The versions MNE-BIDS-Pipeline writes of one run: continuous, epochs before and after
#: rejection and after ICA.
ENDINGS = ("_epo.fif", "_proc-clean_epo.fif", "_proc-filt_raw.fif", "_proc-ica_epo.fif")


def _write_run(folder: Path, sub: str, seed: int) -> None:
    """MNE-BIDS-Pipeline's files of one run of ``sub`` under ``folder`` (a derivative dataset):
    8 s of continuous data (C3 bad), its epochs (3 of 4 s at 256 Hz), cleaned and ICA'd
    versions, and files that are no recordings (evoked responses, a report)."""
    rng = np.random.default_rng(seed)
    info = mne.create_info(NAMES, 256.0, "eeg")
    raw = mne.io.RawArray(rng.standard_normal((len(NAMES), 8 * 256)) * 1e-5, info, verbose=False)
    raw.info["bads"] = ["C3"]  # the pipeline's own: authoritative for its files
    stem = folder / STEM.format(sub=sub)
    stem.parent.mkdir(parents=True)
    raw.save(f"{stem}_proc-filt_raw.fif", verbose=False)
    x = rng.standard_normal((3, len(NAMES), 1024)) * 1e-5
    epochs = mne.EpochsArray(x, info, tmin=0.0, verbose=False)
    for ending in ("_epo.fif", "_proc-clean_epo.fif", "_proc-ica_epo.fif"):
        epochs.save(f"{stem}{ending}", verbose=False)
    mne.write_evokeds(f"{stem}_ave.fif", epochs.average(), verbose=False)
    Path(f"{stem}_report.html").write_text("<html>report</html>")


@pytest.fixture(scope="module")
def raw_root(tmp_path_factory):
    """A BIDS dataset whose derivatives/pipe (with its own dataset_description.json) holds
    MNE-BIDS-Pipeline's files of subjects 01 and 02; participants.tsv in the raw root only."""
    root = tmp_path_factory.mktemp("bids_derivatives")
    (root / "dataset_description.json").write_text(
        json.dumps({"Name": "raw", "BIDSVersion": "1.8.0"})
    )
    (root / "participants.tsv").write_text(
        "participant_id\tage\tgroup\nsub-01\t25\tcontrol\nsub-02\t31\tpatient\n"
    )
    pipe = root / "derivatives" / "pipe"
    for i, sub in enumerate(("01", "02")):
        _write_run(pipe, sub, i)
    description = {"Name": "pipe", "BIDSVersion": "1.8.0", "DatasetType": "derivative"}
    (pipe / "dataset_description.json").write_text(json.dumps(description))
    return root


@pytest.fixture(scope="module")
def model():
    return EEGPT(EEGPTConfig(embed_dim=32, depth=1, num_heads=2))


def _ids(inputs):
    return [f.recording_id for f in inputs.files]


def _quietly(call, *args, **kwargs):
    """``call(*args, **kwargs)`` and the texts of the warnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args, **kwargs)
    return result, [str(w.message) for w in caught]


def test_a_derivative_dataset_is_read_as_a_dataset_of_its_own(raw_root, model, tmp_path):
    """Its FIF files are its recordings, with subject/session/task/processing from their names
    and the raw dataset's participants.tsv columns; the files' own bad channels apply."""
    pipe = raw_root / "derivatives" / "pipe"
    inputs, _ = _quietly(resolve_inputs, pipe)
    assert _ids(inputs) == [STEM.format(sub=s) + e for s in ("01", "02") for e in ENDINGS]
    assert inputs.source.endswith("(BIDS)")
    out = tmp_path / "out"
    summary = embed_dataset(pipe, out, model=model, workers=0, progress=False,
                            bids_filters={"processing": ["clean", "filt"]})  # fmt: skip
    assert summary.n_ok == 4 and summary.n_failed == 0
    table, _ = read_embeddings(out)
    assert table["subject"].tolist() == ["01"] * 5 + ["02"] * 5  # 3 epochs, 2 windows each
    assert set(table["session"]) == {"01"} and set(table["task"]) == {"audvis"}
    assert table["processing"].tolist() == (["clean"] * 3 + ["filt"] * 2) * 2
    assert table["age"].tolist() == [25] * 5 + [31] * 5
    assert table["group"].tolist() == ["control"] * 5 + ["patient"] * 5
    continuous = table[table["processing"] == "filt"]
    assert all("C3" not in channels for channels in continuous["input_channels"])  # its bads


def test_filters_and_patterns_select_among_a_derivative_s_recordings(raw_root):
    pipe = raw_root / "derivatives" / "pipe"
    clean = [STEM.format(sub=s) + "_proc-clean_epo.fif" for s in ("01", "02")]
    inputs, said = _quietly(resolve_inputs, pipe, pattern="**/*_proc-clean_epo.fif")
    assert _ids(inputs) == clean and not said
    assert inputs.metadata.column("subject").to_pylist() == ["01", "02"]
    assert inputs.metadata.column("age").to_pylist() == [25, 31]
    both, _ = _quietly(resolve_inputs, pipe, pattern="**/*_epo.fif", bids_filters={"subject": "02"})
    assert _ids(both) == [STEM.format(sub="02") + e for e in ENDINGS if e.endswith("_epo.fif")]
    one, _ = _quietly(resolve_inputs, pipe, bids_filters={"task": "audvis", "processing": "ica"})
    assert _ids(one) == [STEM.format(sub=s) + "_proc-ica_epo.fif" for s in ("01", "02")]
    # a subject's folder: that part of the dataset, with the ids of the whole
    part, _ = _quietly(resolve_inputs, pipe / "sub-02", pattern="**/*_proc-clean_epo.fif")
    assert _ids(part) == clean[1:] and part.metadata.column("group").to_pylist() == ["patient"]
    # files the pattern matches that are no recordings are left out, named
    every, said = _quietly(resolve_inputs, pipe / "sub-01", pattern="**/*")
    assert len(every) == 4
    assert any("_ave.fif" in t for t in said), said
    assert any("_report.html" in t for t in said)
    with pytest.raises(ValueError, match=r"processing 'ica2' \(--processing\) matches no record"):
        resolve_inputs(pipe, bids_filters={"processing": "ica2"})


def test_a_derivative_without_a_description_is_one_by_its_place(raw_root, tmp_path):
    """A folder of derivatives/ with no dataset_description.json of its own is a derivative
    dataset too (BIDS lets it go without)."""
    root = tmp_path / "ds"
    shutil.copytree(raw_root, root)
    (root / "derivatives" / "pipe" / "dataset_description.json").unlink()
    inputs, _ = _quietly(
        resolve_inputs, root / "derivatives" / "pipe", bids_filters={"processing": "clean"}
    )
    assert inputs.metadata.column("subject").to_pylist() == ["01", "02"]
    assert inputs.metadata.column("age").to_pylist() == [25, 31]
    sub, _ = _quietly(resolve_inputs, root / "derivatives" / "pipe" / "sub-01")
    assert len(sub) == 4 and set(sub.metadata.column("subject").to_pylist()) == {"01"}


def test_versions_of_one_recording_are_warned_of_once(raw_root):
    """_epo, _proc-clean_epo, _proc-ica_epo and _proc-filt_raw of one run hold the same trials:
    one warning names them and how to pick one version."""
    pipe = raw_root / "derivatives" / "pipe"
    _, said = _quietly(resolve_inputs, pipe)
    (text,) = [t for t in said if "several versions" in t]
    assert "2 recordings in several versions" in text
    assert "sub-01_ses-01_task-audvis: " + ", ".join(ENDINGS) in text
    assert "--pattern '**/*_proc-clean_epo.fif'" in text and "--processing clean" in text
    assert "'processing'" in text
    for chosen in ({"processing": "clean"}, {"subject": "01", "processing": ["filt"]}):
        _, said = _quietly(resolve_inputs, pipe, bids_filters=chosen)
        assert not [t for t in said if "several versions" in t]


def test_a_folder_with_no_recordings_is_still_refused(raw_root, tmp_path):
    root = tmp_path / "ds"
    (root / "derivatives" / "empty" / "sub-01" / "eeg").mkdir(parents=True)
    shutil.copy(raw_root / "dataset_description.json", root)
    report = root / "derivatives" / "empty" / "sub-01" / "eeg" / "sub-01_task-x_report.html"
    report.write_text("<html/>")
    with pytest.raises(MissingFileError, match=r"the BIDS dataset .* has no EEG data files "
                       r"\(sub-\*_eeg with \.edf, \.bdf, \.vhdr, \.set\) outside derivatives"):  # fmt: skip
        resolve_inputs(root)
    with pytest.raises(MissingFileError, match=r"BIDS derivative dataset .*empty has no EEG data "
                       r"files .* nor processed recordings \(sub-\*_raw\.fif"):  # fmt: skip
        resolve_inputs(root / "derivatives" / "empty")


def test_a_pattern_into_derivatives_names_the_derivative_s_folder(raw_root):
    """From the raw dataset's root, a pattern into derivatives/ reads files alone: the warning
    and the refusal of filters with it name the derivative's folder to give instead."""
    pipe = raw_root / "derivatives" / "pipe"
    _, said = _quietly(resolve_inputs, raw_root, pattern="derivatives/**/*_proc-filt_raw.fif")
    (text,) = [t for t in said if "derivative dataset" in t]
    assert f"Give its folder ({pipe}) as the input" in text
    with pytest.raises(ValueError, match=rf"give the derivative's folder \({pipe}\)"):
        resolve_inputs(
            raw_root, pattern="derivatives/pipe/**/*.fif", bids_filters={"subject": "01"}
        )


def test_read_embeddings_points_rows_without_subjects_to_the_derivative_s_folder(
    raw_root, model, tmp_path
):
    pipe = raw_root / "derivatives" / "pipe"
    with_columns, alone = tmp_path / "bids", tmp_path / "alone"
    embed_dataset(pipe, with_columns, model=model, workers=0, progress=False,
                  bids_filters={"subject": "01", "processing": "clean"})  # fmt: skip
    listed = [pipe / (STEM.format(sub="02") + "_proc-clean_epo.fif")]
    embed_dataset(listed, alone, model=model, workers=0, progress=False)
    with pytest.warns(RuntimeWarning, match=r"have no subject.*eegpt embed-dataset "
                      r"BIDS_ROOT/derivatives/NAME -o NEW/"):  # fmt: skip
        read_embeddings([with_columns, alone])


def test_a_data_file_of_a_derivative_is_not_read_with_the_raw_dataset_s_sidecars(tmp_path):
    """A ``*_eeg.edf`` of ``derivatives/NAME`` (without a description of its own) close enough
    to the raw dataset's root to find its dataset_description.json is none of its files."""
    (tmp_path / "dataset_description.json").write_text("{}")
    raw = tmp_path / "sub-01" / "sub-01_task-x_eeg.edf"
    derived = tmp_path / "derivatives" / "pipe" / "sub-01" / "sub-01_task-x_eeg.edf"
    for path in (raw, derived):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"")
    assert eegpt.bids.bids_root(raw) == tmp_path.resolve()
    assert eegpt.bids.bids_root(derived) is None


def test_filters_with_files_of_a_derivative_name_the_folder_to_give(raw_root):
    """A list of a derivative's files (or a glob of them) with BIDS filters is refused, naming
    the derivative's folder, which the filters select among."""
    pipe = raw_root / "derivatives" / "pipe"
    files = [pipe / (STEM.format(sub=s) + "_proc-clean_epo.fif") for s in ("01", "02")]
    for given in (files, str(pipe / "sub-*" / "ses-01" / "eeg" / "*_epo.fif")):
        with pytest.raises(
            ValueError, match=rf"give its folder .*; here {pipe}, which holds these"
        ):
            resolve_inputs(given, bids_filters={"subject": "01"})
