"""Names that a listing or a manifest reads as written, and that a person reads otherwise: a
manifest column ``Rescale`` or `` rescale`` (after ``path, rescale`` in a header), a ``path``
cell with a trailing space, a folder's ``.fif.gz`` recordings and names written in another
Unicode normalization (macOS writes NFD)."""

from __future__ import annotations

import unicodedata
import warnings

import pytest

from eegpt.dataset_inputs import resolve_inputs
from eegpt.errors import EEGPTWarning


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("path, rescale, bads, start_seconds", r"\[' rescale', ' bads', ' start_seconds'\]"),
        ("path,Rescale,Bads,Start_Seconds,Annotations_File", r"\['Rescale', 'Bads', 'Start_"),
        ("Path,rescale", r"\['Path'\]"),
    ],
)
def test_a_setting_column_spelled_with_capitals_or_spaces_is_refused(tmp_path, header, named):
    """Read as written, such a column would be copied as metadata, its settings applied to no
    file (rescale 1, no bads): it is refused naming the spelling to use."""
    (tmp_path / "a.edf").write_bytes(b"")
    cells = ",".join(["a.edf", "1e-3", "O2", "4", "x.tsv"][: header.count(",") + 1])
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"{header}\n{cells}\n")
    with pytest.raises(ValueError, match=rf"column\(s\) {named}.* are not read as written"):
        resolve_inputs(manifest)
    with pytest.raises(ValueError, match=r"name .*'rescale'|name 'Path' as 'path'"):
        resolve_inputs(manifest)


def test_a_path_cell_with_a_trailing_space_is_refused_naming_it(tmp_path):
    """``a.edf `` is no file but ``a.edf`` is: refused when the manifest is read, quoting the
    cell, rather than failing later as "not found: a.edf" with the space unseen."""
    (tmp_path / "a.edf").write_bytes(b"")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,label\na.edf ,x\n")
    with pytest.raises(ValueError, match=r"row 0: 'a.edf ' have spaces around the name"):
        resolve_inputs(manifest)
    (tmp_path / "b.edf ").write_bytes(b"")  # a name that has the space: read as it is
    manifest.write_text("path,label\nb.edf ,x\n")
    assert resolve_inputs(manifest).files[0].path.endswith("b.edf ")


def test_a_folder_lists_its_gzipped_fif_recordings(tmp_path):
    """``.fif.gz`` is read as FIF (formats.py): a folder's such files are listed, not skipped."""
    for name in ("a.edf", "b_raw.fif.gz", "c_raw.FIF.GZ", "notes.gz"):
        (tmp_path / name).write_bytes(b"")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ids = [f.recording_id for f in resolve_inputs(tmp_path).files]
    assert ids == ["a.edf", "b_raw.fif.gz", "c_raw.FIF.GZ"]


def test_names_sort_alike_in_either_unicode_normalization(tmp_path):
    """A name written as NFD (``e`` + combining accent, as macOS writes it) sorts as its NFC
    form does, so a folder is listed in one order on every machine (``--part i/n`` takes the
    same files); each id keeps the file's own name."""
    nfd = unicodedata.normalize("NFD", "\u00e9.edf")
    for name in (nfd, "f.edf"):
        (tmp_path / name).write_bytes(b"")
    ids = [f.recording_id for f in resolve_inputs(tmp_path).files]
    assert ids == ["f.edf", nfd]


def _bids_dataset(root, names):
    """A BIDS dataset at ``root`` with empty data files of ``names`` (``sub-01/eeg/...``)."""
    root.mkdir(parents=True)
    (root / "dataset_description.json").write_text('{"Name": "x", "BIDSVersion": "1.8.0"}')
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"")
    return root


def test_a_bids_listing_warns_of_the_data_files_it_leaves_out_for_their_names(tmp_path):
    """``sub-02_task-rest_eeg.EDF`` (upper-case extension) and ``task-eyes-closed`` (a label
    with '-') are no BIDS names, which MNE-BIDS does not read: left out, said in one warning."""
    pytest.importorskip("mne_bids")
    root = _bids_dataset(
        tmp_path / "ds",
        [
            "sub-01/eeg/sub-01_task-rest_eeg.edf",
            "sub-02/eeg/sub-02_task-rest_eeg.EDF",
            "sub-05/eeg/sub-05_task-eyes-closed_eeg.edf",
            "sourcedata/sub-04/eeg/sub-04_task-rest_eeg.EDF",  # not of the raw data: not said
        ],
    )
    with pytest.warns(EEGPTWarning, match="left out 2 files named like EEG data files") as said:
        inputs = resolve_inputs(root)
    assert [f.recording_id for f in inputs.files] == ["sub-01/eeg/sub-01_task-rest_eeg.edf"]
    text = "\n".join(str(w.message) for w in said)
    assert "sub-02/eeg/sub-02_task-rest_eeg.EDF" in text and "task-eyes-closed" in text
    assert "sub-04" not in text


def test_a_folder_holding_a_bids_dataset_says_to_give_the_dataset(tmp_path):
    """``parent/ds1`` a BIDS dataset: ``parent`` lists its files without their entities and
    its derivatives/ and sourcedata/ copies beside them; the warning names ds1 and says to
    give it as the input."""
    root = _bids_dataset(
        tmp_path / "parent" / "ds1",
        [
            "sub-01/eeg/sub-01_task-rest_eeg.edf",
            "derivatives/clean/sub-01/eeg/sub-01_task-rest_desc-clean_eeg.edf",
        ],
    )
    (root / "derivatives" / "clean" / "dataset_description.json").write_text("{}")
    (tmp_path / "parent" / "other.edf").write_bytes(b"")
    with pytest.warns(EEGPTWarning, match=r"holds 1 BIDS dataset \(ds1/ \(2 files\);") as said:
        inputs = resolve_inputs(tmp_path / "parent")
    assert len(inputs.files) == 3 and len(said) == 1
    assert "Give each dataset's folder as the input" in str(said[0].message)
    with warnings.catch_warnings():  # a folder of no dataset: nothing to say
        warnings.simplefilter("error")
        resolve_inputs(tmp_path / "parent", pattern="*.edf")
