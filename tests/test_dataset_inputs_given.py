"""A list of files given to embed_dataset (``glob.glob('data/*')``, ``Path.iterdir()``): the
files read as part of a recording given too are left out with one warning that counts and
names them, as a quoted glob or ``--pattern`` leaves them out, instead of each failing as a
recording of its own in the run."""

from __future__ import annotations

import warnings

from eegpt.dataset_inputs import resolve_inputs


def test_companions_of_given_recordings_are_left_out_with_one_warning(tmp_path):
    names = ["nk.eeg", "x.set", "x.fdt", "y.SET", "y.FDT"]
    names += [f"r{i}.{ext}" for i in range(4) for ext in ("vhdr", "eeg", "vmrk")]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    given = sorted(tmp_path.iterdir())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inputs = resolve_inputs(given)
    said = [str(w.message) for w in caught]
    assert len(said) == 1, said
    assert said[0].startswith("left out 10 files given that belong to a recording given too")
    assert said[0].endswith("read with it: r0.eeg, r0.vmrk, r1.eeg, r1.vmrk, r2.eeg and 5 more")
    ids = [f.recording_id for f in inputs.files]
    assert ids == ["nk.eeg", "r0.vhdr", "r1.vhdr", "r2.vhdr", "r3.vhdr", "x.set", "y.SET"]

    # given without its recording, a companion stays, to fail naming the .vhdr to give
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        alone = resolve_inputs([tmp_path / "r0.vmrk", tmp_path / "r1.eeg"])
    assert [f.recording_id for f in alone.files] == ["r0.vmrk", "r1.eeg"]


def _header_naming(path, data: str, markers: str) -> None:
    """A BrainVision header whose DataFile=/MarkerFile= name files of other names."""
    path.write_text(
        "Brain Vision Data Exchange Header File Version 1.0\n[Common Infos]\n"
        f"DataFile={data}\nMarkerFile={markers}\nNumberOfChannels=1\n"
    )


def test_files_a_given_header_names_are_left_out_whatever_their_names(tmp_path):
    """rec1.vhdr reading other_name.eeg/.vmrk (its DataFile=/MarkerFile=): given as a list,
    or matched by a pattern, the two are read with it, not as recordings of their own; a
    Nihon Kohden .eeg no header names stays."""
    _header_naming(tmp_path / "rec1.vhdr", "other_name.eeg", "other_name.vmrk")
    for name in ("other_name.eeg", "other_name.vmrk", "nk.eeg"):
        (tmp_path / name).write_bytes(b"")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        inputs = resolve_inputs(sorted(tmp_path.iterdir()))
    said = [str(w.message) for w in caught]
    assert len(said) == 1 and said[0].endswith("other_name.eeg, other_name.vmrk"), said
    assert [f.recording_id for f in inputs.files] == ["nk.eeg", "rec1.vhdr"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        matched = resolve_inputs(tmp_path, pattern="*")
    assert [f.recording_id for f in matched.files] == ["nk.eeg", "rec1.vhdr"]
    assert any("other_name.eeg, other_name.vmrk" in str(w.message) for w in caught)
