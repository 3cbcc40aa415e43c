"""MNE's FIF files that hold no recording (evoked, ICA, covariance, ...): refused as
recordings with what they are, described by ``eegpt info``, left out of folder listings with
one note (eegpt.fif_kinds)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest

from eegpt.cli import main
from eegpt.dataset_inputs import recordings_under, resolve_inputs
from eegpt.errors import EEGPTWarning, RecordingError
from eegpt.fif_kinds import fif_kind, fif_kind_by_content, fif_kind_by_name
from eegpt.io import as_recording, read_recording

EVOKED = r"is an evoked \(averaged\) file, not a recording: eegpt embeds continuous recordings"


def _raw() -> mne.io.RawArray:
    """4 EEG channels, 20 s at 100 Hz (volts)."""
    info = mne.create_info(["Fz", "Cz", "Pz", "Oz"], 100.0, "eeg")
    data = np.random.default_rng(0).standard_normal((4, 2000)) * 1e-5
    return mne.io.RawArray(data, info, verbose="error")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A pipeline's outputs in one folder: a raw recording, epochs, an evoked file, an ICA
    file, a covariance file under a plain name (known by its blocks) and a raw recording
    named as an evoked file (its blocks say raw)."""
    folder = tmp_path_factory.mktemp("deriv")
    raw = _raw()
    epochs = mne.make_fixed_length_epochs(raw, duration=1.0, verbose="error")
    ica = mne.preprocessing.ICA(n_components=2, method="infomax", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # names off MNE's conventions; ICA not converged
        raw.save(folder / "sub-01_proc-filt_raw.fif", verbose="error")
        epochs.save(folder / "sub-01_epo.fif", verbose="error")
        epochs.average().save(folder / "sub-01_ave.fif", verbose="error")
        epochs.average().save(folder / "grand_average.fif", verbose="error")
        ica.fit(raw, verbose="error").save(folder / "sub-01_proc-ica_ica.fif", verbose="error")
        mne.compute_raw_covariance(raw, verbose="error").save(folder / "noise.fif", verbose="error")
        raw.save(folder / "misnamed_ave.fif", verbose="error")
    return folder


def test_fif_kinds_by_name_and_by_blocks(files):
    """Names by MNE's endings (``-ave``/``_ave``, ``.fif.gz``); blocks decide where they tell,
    over the name (a recording named ``_ave.fif`` is a recording)."""
    assert fif_kind_by_name("x-ave.fif.gz") == "evoked"
    assert fif_kind_by_name("x_proc-ica_ica.fif") == "ica"
    assert fif_kind_by_name("x-fwd.fif") == "forward"
    assert fif_kind_by_name("x_raw.fif") is None
    assert fif_kind_by_content(files / "sub-01_proc-filt_raw.fif") == "recording"
    assert fif_kind_by_content(files / "sub-01_epo.fif") == "epochs"
    assert fif_kind(files / "grand_average.fif") == "evoked"
    assert fif_kind(files / "sub-01_proc-ica_ica.fif") == "ica"
    assert fif_kind(files / "noise.fif") == "covariance"
    assert fif_kind(files / "misnamed_ave.fif") is None


def test_evoked_and_ica_files_are_refused_as_recordings(files):
    """Read as recordings they failed in MNE's words ("Could not find event data"); now
    refused with what they are and what to embed instead."""
    with pytest.raises(RecordingError, match=EVOKED) as err:
        as_recording(files / "sub-01_ave.fif")
    assert "mne.read_evokeds(path)" in str(err.value)
    assert "model.embed(mne.EpochsArray(evoked.data[None], evoked.info" in str(err.value)
    with pytest.raises(RecordingError, match=EVOKED):
        read_recording(files / "grand_average.fif", preload=False)
    with pytest.raises(RecordingError, match="is an ICA decomposition file, not a recording"):
        read_recording(files / "sub-01_proc-ica_ica.fif")
    with pytest.raises(RecordingError, match="is a covariance file, not a recording"):
        read_recording(files / "noise.fif")
    assert read_recording(files / "misnamed_ave.fif").n_times == 2000


def test_the_probe_commands_refuse_an_evoked_file_as_such(files):
    """Given to ``eegpt probe train`` it was "not epochs" (the probe takes epochs); now it is
    named an evoked file, with what to give instead."""
    from eegpt.probe_label_files import load_labelled_epochs

    with pytest.raises(RecordingError, match=EVOKED):
        load_labelled_epochs([files / "sub-01_ave.fif", files / "sub-01_epo.fif"])


def test_cli_refuses_an_evoked_file_and_info_says_what_it_is(files, weights, tmp_path, capsys):
    """``eegpt embed`` refuses it before the model loads, ``eegpt channels`` likewise;
    ``eegpt info`` says what it is, and that eegpt does not embed it."""
    ave, ica = files / "sub-01_ave.fif", files / "sub-01_proc-ica_ica.fif"
    out = tmp_path / "x.npz"
    assert main(["embed", str(ave), "--weights", str(weights), "-o", str(out)]) != 0
    err = capsys.readouterr().err
    assert f"{ave} is an evoked (averaged) file, not a recording" in err
    assert "Could not find event data" not in err and "loaded eegpt checkpoint" not in err
    assert main(["channels", str(ica)]) != 0
    assert f"{ica} is an ICA decomposition file, not a recording" in capsys.readouterr().err
    assert main(["info", str(ave)]) == 1
    err = capsys.readouterr().err
    assert f"{ave} is an evoked (averaged) file (MNE reads it with mne.read_evokeds)" in err
    assert "eegpt does not embed it" in err and "`eegpt embed` embeds it" not in err


def _info_in_fresh_process(path: Path) -> subprocess.CompletedProcess:
    """``eegpt info PATH`` run in a fresh Python (asserted to exit 1, as for a file that holds
    no recording), printing last the heavy modules (torch, MNE, SciPy) it imported."""
    script = (
        "import sys\nfrom eegpt.cli import main\n"
        f"assert main(['info', {str(path)!r}]) == 1\n"
        "print(sorted(m for m in ('torch', 'mne', 'scipy') if m in sys.modules))\n"
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)


def test_info_of_an_evoked_file_imports_no_mne(files):
    """``eegpt info`` tells an evoked file by its tags, without MNE, SciPy or torch."""
    done = _info_in_fresh_process(files / "grand_average.fif")
    assert "is an evoked (averaged) file" in done.stderr, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("pattern", [None, "**/*.fif"])
def test_folder_listings_leave_them_out_with_one_note(files, pattern):
    """A folder's listing (and a pattern's matches) keeps the recording and epochs, leaving
    the evoked, ICA and covariance files out with one warning naming their count and kinds."""
    with pytest.warns(EEGPTWarning) as caught:
        inputs = resolve_inputs(files, pattern=pattern)
    assert sorted(f.recording_id for f in inputs.files) == [
        "misnamed_ave.fif",
        "sub-01_epo.fif",
        "sub-01_proc-filt_raw.fif",
    ]
    notes = [str(w.message) for w in caught if "hold no recording" in str(w.message)]
    assert notes == [
        "left out 4 FIF files that hold no recording: MNE's 2 evoked, 1 ICA and 1 "
        "covariance files (told by their blocks or names, *_ave.fif, *_ica.fif, "
        "*_cov.fif); eegpt embeds continuous recordings or epochs: grand_average.fif, "
        "noise.fif, sub-01_ave.fif, sub-01_proc-ica_ica.fif"
    ]


def test_a_glob_leaves_them_out_too(files):
    with pytest.warns(EEGPTWarning, match="left out 4 FIF files that hold no recording"):
        inputs = resolve_inputs(str(files / "*.fif"))
    assert len(inputs.files) == 3
    with pytest.warns(EEGPTWarning, match="left out 4 FIF files"):
        assert len(recordings_under(files)) == 3


class _CountedFile:
    """A file opened by eegpt.fif_kinds, counting the bytes read through it."""

    def __init__(self, file, counts: list[int]) -> None:
        self._file, self._counts = file, counts

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._counts.append(len(data))
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def __enter__(self) -> _CountedFile:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()


def test_telling_a_fif_file_reads_only_its_first_tags(tmp_path, monkeypatch):
    """A listing opens each .fif once and reads only tag headers up to the first block that
    decides: a 4 MB recording (32 channels, 2 min) costs its measurement info (a few KB; cut after its raw data
    block begins, it is still told), a 4 MB file of zeros named .fif (no FIF file id tag)
    its first 16 bytes, not a walk over 16-byte steps."""
    import builtins

    from eegpt import fif_kinds

    counts: list[int] = []
    real_open = builtins.open
    monkeypatch.setattr(
        fif_kinds, "open", lambda *a, **k: _CountedFile(real_open(*a, **k), counts), raising=False
    )
    info = mne.create_info([f"E{i}" for i in range(32)], 250.0, "eeg")
    raw = mne.io.RawArray(np.zeros((32, 250 * 120)), info, verbose="error")
    raw.save(tmp_path / "long_raw.fif", verbose="error")
    size = (tmp_path / "long_raw.fif").stat().st_size
    assert size > 3_000_000
    assert fif_kind_by_content(tmp_path / "long_raw.fif") == "recording"
    assert 0 < sum(counts) < 8192 and len(counts) < 200
    read_up_to = (tmp_path / "long_raw.fif").read_bytes()[: sum(counts) + 4096]
    (tmp_path / "cut_raw.fif").write_bytes(read_up_to)
    assert fif_kind_by_content(tmp_path / "cut_raw.fif") == "recording"
    counts.clear()
    (tmp_path / "zeros.fif").write_bytes(bytes(4_000_000))
    assert fif_kind_by_content(tmp_path / "zeros.fif") is None
    assert sum(counts) == 16


@pytest.fixture(scope="module")
def anatomy(tmp_path_factory):
    """The anatomy files of source modelling as MNE writes them, from small synthetic models
    (no FreeSurfer subject): BEM surfaces (an octahedron as the head, and as the inner skull),
    a one-layer BEM solution, a volume source space of a sphere, fiducials; and a forward and
    an inverse operator made with the source space and a sphere model (which hold a source
    space block too)."""
    folder = tmp_path_factory.mktemp("anatomy")
    corners = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]])
    tris = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4]])
    tris = np.vstack([tris, tris[:, [1, 0, 2]] + [[0, 0, 1]]])  # the lower half, turned
    mne.write_head_bem(folder / "sub-01-head.fif", corners * 0.08, tris, verbose="error")
    surfs = mne.read_bem_surfaces(folder / "sub-01-head.fif", verbose="error")
    surfs[0].update(id=mne.io.constants.FIFF.FIFFV_BEM_SURF_ID_BRAIN, sigma=0.3)
    mne.write_bem_surfaces(folder / "sub-01-bem.fif", surfs)
    solution = mne.make_bem_solution(surfs, verbose="error")
    mne.write_bem_solution(folder / "sub-01-bem-sol.fif", solution)
    src = mne.setup_volume_source_space(pos=30.0, sphere=(0.0, 0.0, 0.04, 0.07), verbose="error")
    src.save(folder / "sub-01-src.fif")
    fiducials = [
        {"kind": mne.io.constants.FIFF.FIFFV_POINT_CARDINAL, "ident": i + 1, "r": np.eye(3)[i]}
        for i in range(3)
    ]
    mne.io.write_fiducials(folder / "sub-01-fiducials.fif", fiducials, coord_frame="mri")
    names = ["Fz", "Cz", "Pz", "Oz", "C3", "C4"]
    info = mne.create_info(names, 100.0, "eeg")
    places = np.array([[0, 1, 1], [0, 0, 1], [0, -1, 1], [0, -1, 0], [-1, 0, 1], [1, 0, 1]])
    places = 0.09 * places / np.linalg.norm(places, axis=1, keepdims=True)
    info.set_montage(
        mne.channels.make_dig_montage(dict(zip(names, places, strict=True)), coord_frame="head")
    )
    sphere = mne.make_sphere_model(r0=(0.0, 0.0, 0.04), head_radius=0.09, verbose="error")
    fwd = mne.make_forward_solution(info, None, src, sphere, verbose="error")
    mne.write_forward_solution(folder / "sub-01-fwd.fif", fwd, verbose="error")
    raw = mne.io.RawArray(np.random.default_rng(0).standard_normal((6, 500)) * 1e-5, info)
    raw.set_eeg_reference(projection=True, verbose="error")
    cov = mne.compute_raw_covariance(raw, verbose="error")
    inverse = mne.minimum_norm.make_inverse_operator(raw.info, fwd, cov, verbose="error")
    mne.minimum_norm.write_inverse_operator(folder / "sub-01-inv.fif", inverse, verbose="error")
    return folder


ANATOMY = {
    "sub-01-head.fif": "bem",
    "sub-01-bem.fif": "bem",
    "sub-01-bem-sol.fif": "bem_solution",
    "sub-01-src.fif": "source_space",
    "sub-01-fiducials.fif": "fiducials",
}


def test_bem_source_space_and_fiducials_files_are_told_by_blocks_and_names(anatomy, tmp_path):
    """Told by their blocks under any name (FIFFB_BEM, with a solution or not;
    FIFFB_MNE_SOURCE_SPACE; FIFFB_ISOTRAK outside a measurement), and by MNE's names; the
    forward and inverse files, which hold a source space block before their own, stay
    forward and inverse."""
    for name, kind in ANATOMY.items():
        plain = tmp_path / f"model{len(kind)}.fif"
        plain.write_bytes((anatomy / name).read_bytes())
        assert (fif_kind_by_content(anatomy / name), fif_kind(plain)) == (kind, kind), name
    assert fif_kind(anatomy / "sub-01-fwd.fif") == "forward"
    assert fif_kind(anatomy / "sub-01-inv.fif") == "inverse"
    assert fif_kind_by_name("sub-01-5120-bem-sol.fif") == "bem_solution"
    assert fif_kind_by_name("sub-01_bem.fif.gz") == "bem"
    assert fif_kind_by_name("sub-01-oct-6-src.fif") == "source_space"
    assert fif_kind_by_name("fsaverage-fiducials.fif") == "fiducials"


def test_embed_info_and_listings_say_what_anatomy_files_are(anatomy, weights, tmp_path, capsys):
    """``eegpt embed`` refuses each with what it is and the MNE reader, before the model
    loads; ``eegpt info`` describes it; a folder listing leaves them out with one note."""
    readers = {
        "sub-01-bem.fif": "a BEM surfaces file (MNE reads it with mne.read_bem_surfaces)",
        "sub-01-bem-sol.fif": "a BEM solution file (MNE reads it with mne.read_bem_solution)",
        "sub-01-src.fif": "a source space file (MNE reads it with mne.read_source_spaces)",
        "sub-01-fiducials.fif": "a fiducials file (MNE reads it with mne.io.read_fiducials)",
    }
    for name, said in readers.items():
        path = anatomy / name
        out = tmp_path / "x.npz"
        assert main(["embed", str(path), "--weights", str(weights), "-o", str(out)]) != 0
        err = capsys.readouterr().err
        assert f"{path} is {said.split(' (')[0]}, not a recording" in err, err
        assert "describes a head's anatomy for source modelling" in err
        assert "loaded eegpt checkpoint" not in err and not out.exists()
        assert main(["info", str(path)]) == 1
        assert f"{path} is {said}, not a recording nor a checkpoint" in capsys.readouterr().err
    listing = tmp_path / "deriv"
    listing.mkdir()
    for name in [*ANATOMY, "sub-01-fwd.fif"]:
        (listing / name).write_bytes((anatomy / name).read_bytes())
    _raw().save(listing / "sub-01_raw.fif", verbose="error")
    with pytest.warns(EEGPTWarning, match="hold no recording") as caught:
        inputs = resolve_inputs(listing)
    assert [f.recording_id for f in inputs.files] == ["sub-01_raw.fif"]
    assert [str(w.message) for w in caught if "hold no recording" in str(w.message)] == [
        "left out 6 FIF files that hold no recording: MNE's 1 forward, 2 BEM surfaces, 1 BEM "
        "solution, 1 source space and 1 fiducials files (told by their blocks or names, "
        "*_fwd.fif, *_bem.fif, *_bem-sol.fif, *_src.fif, *_fiducials.fif); eegpt embeds "
        "continuous recordings or epochs: sub-01-bem-sol.fif, sub-01-bem.fif, "
        "sub-01-fiducials.fif, sub-01-fwd.fif, sub-01-head.fif and 1 more"
    ]


def test_an_electrode_digitization_is_told_from_fiducials_by_its_points(tmp_path, capsys):
    """A montage saved by MNE (``DigMontage.save``: its EEG points with nasion and ears in one
    digitization block) is an electrode digitization, under MNE's name (``-dig.fif``) or any
    other, refused as such with the reader that reads it and where eegpt takes a montage, and
    counted so in a listing; a fiducials file (cardinal points alone, the same block) stays
    fiducials."""
    montage = mne.channels.make_standard_montage("biosemi32")
    montage.save(tmp_path / "cap-dig.fif", verbose="error")
    (tmp_path / "cap.fif").write_bytes((tmp_path / "cap-dig.fif").read_bytes())
    cardinal = mne.io.constants.FIFF.FIFFV_POINT_CARDINAL
    points = [{"kind": cardinal, "ident": i + 1, "r": np.eye(3)[i]} for i in range(3)]
    mne.io.write_fiducials(tmp_path / "head.fif", points, coord_frame="mri")
    for name in ("cap-dig.fif", "cap.fif"):
        assert fif_kind_by_content(tmp_path / name) == "digitization", name
        assert fif_kind(tmp_path / name) == "digitization", name
    assert fif_kind(tmp_path / "head.fif") == "fiducials"
    assert fif_kind_by_name("sub-01_dig.fif.gz") == "digitization"
    with pytest.raises(RecordingError) as refused:
        read_recording(tmp_path / "cap.fif")
    said = str(refused.value)
    assert "cap.fif is an electrode digitization (montage) file, not a recording" in said
    assert "mne.channels.read_dig_fif(path) reads it" in said
    assert "as a montage" in said and "anatomy" not in said
    assert main(["info", str(tmp_path / "cap.fif")]) == 1
    err = capsys.readouterr().err
    assert "is an electrode digitization (montage) file (MNE reads it with " in err
    done = _info_in_fresh_process(tmp_path / "cap.fif")
    assert "is an electrode digitization (montage) file" in done.stderr, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    listing = tmp_path / "deriv"
    listing.mkdir()
    for name in ("cap-dig.fif", "head.fif"):
        (listing / name).write_bytes((tmp_path / name).read_bytes())
    _raw().save(listing / "sub-01_raw.fif", verbose="error")
    with pytest.warns(EEGPTWarning, match="hold no recording") as caught:
        inputs = resolve_inputs(listing)
    assert [f.recording_id for f in inputs.files] == ["sub-01_raw.fif"]
    (note,) = [str(w.message) for w in caught if "hold no recording" in str(w.message)]
    assert "MNE's 1 fiducials and 1 digitization (montage) files" in note, note
    assert "*_fiducials.fif, *_dig.fif" in note, note
