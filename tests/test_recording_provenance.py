"""What eegpt info says was done to recordings before eegpt: a band is a filter only where it
narrows MNE's default (0 Hz to the Nyquist frequency), and a run resumed from before eegpt
recorded it says how many of its recordings have no record."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import eegpt.dataset
import eegpt.dataset_files
from eegpt import cli_info
from eegpt._recording_provenance import band_narrowed, provenance_lines
from eegpt.dataset import embed_dataset
from eegpt.dataset_report import describe_output

mne = pytest.importorskip("mne")

NAMES = ["Fp1", "Fp2", "C3", "C4", "Pz", "P4", "O1", "O2"]
SFREQ = 250.0
RUN = dict(workers=0, progress=False, device="cpu", tail="pad")


def _raw(seed: int) -> mne.io.RawArray:
    """20 s of noise (~10 µV) on :data:`NAMES` at 250 Hz, unfiltered (MNE's default band)."""
    x = np.random.default_rng(seed).standard_normal((len(NAMES), int(20 * SFREQ))) * 1e-5
    return mne.io.RawArray(x, mne.create_info(NAMES, SFREQ, "eeg"), verbose="error")


def _embed(folder, out, model, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the resampling note and the like
        return embed_dataset(folder, out, model=model, **{**RUN, **kwargs})


@pytest.mark.parametrize(
    ("band", "sfreq", "narrowed"),
    [
        ({"highpass_hz": 0.0, "lowpass_hz": 125.0}, 250.0, False),  # MNE's default
        ({"highpass_hz": 0.0, "lowpass_hz": float(np.float32(1000 / 6))}, 1000 / 3, False),
        ({"highpass_hz": 0.0, "lowpass_hz": 130.0}, 250.0, False),  # above the Nyquist
        ({"highpass_hz": 1.0, "lowpass_hz": 125.0}, 250.0, True),
        ({"highpass_hz": 0.0, "lowpass_hz": 40.0}, 250.0, True),
        ({"highpass_hz": 0.0, "lowpass_hz": 124.9}, 250.0, True),
        ({"highpass_hz": 0.0, "lowpass_hz": 40.0}, None, True),  # the rate unknown: as recorded
    ],
)
def test_a_band_is_a_filter_where_it_narrows_the_default(band, sfreq, narrowed):
    """A highpass above 0 Hz or a lowpass below the Nyquist frequency is a filter; MNE's
    default band, its float32 rounding (FIF) and a lowpass above the Nyquist are not."""
    assert band_narrowed(band, sfreq) is narrowed


def test_unfiltered_recordings_are_not_listed_as_filtered(model, tmp_path):
    """A run of an unfiltered RawArray saved as FIF (0-125 Hz at 250 Hz), one resampled in MNE
    (lowpass set to the new Nyquist) and one filtered to 1-40 Hz: eegpt info lists only the
    last as filtered, and eegpt info of an embeddings file of the unfiltered one says nothing
    of a filter."""
    folder = tmp_path / "in"
    folder.mkdir()
    _raw(1).save(folder / "plain_raw.fif", verbose="error")
    _raw(2).resample(128.0, verbose="error").save(folder / "resampled_raw.fif", verbose="error")
    _raw(3).filter(1.0, 40.0, verbose="error").save(folder / "band_raw.fif", verbose="error")
    _embed(folder, tmp_path / "out", model)
    text = describe_output(tmp_path / "out")
    assert "recordings filtered before eegpt" in text
    assert "1-40 Hz: 1 recording" in text
    assert "0-125 Hz" not in text and "0-64 Hz" not in text
    for name, said in (("plain_raw.fif", False), ("band_raw.fif", True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            single = model.embed(folder / name, tail="pad", device="cpu")
        single.save(tmp_path / f"{name}.npz")
        text, _ = cli_info._describe_embeddings(tmp_path / f"{name}.npz")
        assert ("recording filtered to 1-40 Hz before eegpt" in text) is said
        assert ("recording filtered to 0-125 Hz" in text) is False


def test_a_resumed_old_run_says_how_many_recordings_have_no_record(model, tmp_path, monkeypatch):
    """A run begun by an eegpt from before the provenance record (layout 5, no
    recording_filters ... in its file statuses) and resumed by this one: eegpt info says how
    many of its recordings have no record, and counts the others only."""
    folder = tmp_path / "in"
    folder.mkdir()
    _raw(3).filter(1.0, 40.0, verbose="error").save(folder / "a_raw.fif", verbose="error")
    _raw(4).filter(1.0, 40.0, verbose="error").save(folder / "b_raw.fif", verbose="error")
    out = tmp_path / "out"
    new_spec = eegpt.dataset._run_spec
    with monkeypatch.context() as m:  # the older eegpt: layout 5, no provenance
        m.setattr(eegpt.dataset, "_run_spec", lambda *a, **k: dict(new_spec(*a, **k), layout=5))
        m.setattr(eegpt.dataset_files, "recording_provenance", lambda recording: {})
        _embed(folder, out, model, shard_size=1)
    shards = sorted(out.glob("shard-*.parquet"))
    assert len(shards) == 2
    shards[1].unlink()  # b_raw.fif's, embedded again by this eegpt
    _embed(folder, out, model, shard_size=1)
    text = describe_output(out)
    assert "1 of 2 recordings have no record (embedded by an older eegpt" in text
    assert "the lines below count only the 1 recording with one" in text
    assert "1-40 Hz: 1 recording" in text


def test_provenance_lines_of_old_and_new_statuses():
    """The statuses of a resumed old run: the recordings without any provenance key are
    counted apart, and the others' counts are of them alone."""
    new = {"status": "ok", "sfreq_in": 250.0, "custom_ref_applied": True,
           "recording_filters": {"highpass_hz": 0.0, "lowpass_hz": 125.0}}  # fmt: skip
    old = {"status": "ok", "sfreq_in": 250.0}
    lines = "\n".join(provenance_lines([new, old, old, {"status": "failed"}]))
    assert "2 of 3 recordings have no record (embedded by an older eegpt" in lines
    assert "re-referenced in MNE (info['custom_ref_applied']): 1 of 1 recording " in lines
    assert "filtered before eegpt" not in lines
    assert "no record" not in "\n".join(provenance_lines([new]))
