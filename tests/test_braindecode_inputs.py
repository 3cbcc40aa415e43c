"""braindecode's datasets given as EEG: refused by name, with what to pass instead (eegpt does
not import braindecode; conftest puts a torchaudio stand-in on sys.path for it)."""

from __future__ import annotations

import mne
import numpy as np
import pytest

import eegpt
from eegpt.probe import train_probe
from eegpt.sklearn import EEGPTClassifier, EEGPTEmbedder

braindecode_datasets = pytest.importorskip("braindecode.datasets")
windowers = pytest.importorskip("braindecode.preprocessing")

NAMES = ["Fz", "C3", "Cz", "C4", "Pz"]


def _raws(n: int = 2) -> list[mne.io.RawArray]:
    rng = np.random.default_rng(0)
    info = mne.create_info(NAMES, 256.0, "eeg")
    return [mne.io.RawArray(rng.normal(0, 2e-5, (5, 256 * 12)), info, verbose=False)
            for _ in range(n)]  # fmt: skip


@pytest.fixture(scope="module")
def windows():
    """Fixed-length 4 s windows of two recordings (braindecode's EEGWindowsDataset)."""
    concat = braindecode_datasets.BaseConcatDataset(
        [braindecode_datasets.RawDataset(r, description={"subject": i})
         for i, r in enumerate(_raws())]
    )  # fmt: skip
    return windowers.create_fixed_length_windows(
        concat, window_size_samples=1024, window_stride_samples=1024, drop_last_window=True
    )


def test_a_braindecode_dataset_is_refused_by_name_everywhere(model, windows):
    recipe = r"braindecode's BaseConcatDataset.*np\.stack\(\[ds\[i\]\[0\] for i in range"
    y = np.arange(len(windows)) % 2
    calls = [
        lambda: model.embed(windows),
        lambda: eegpt.embed(model, windows, ch_names=NAMES, sfreq=256.0),
        lambda: EEGPTEmbedder(model).fit(windows),
        lambda: EEGPTEmbedder(model, ch_names=NAMES, sfreq=256.0).fit_transform(windows),
        lambda: EEGPTClassifier(model).fit(windows, y),
        lambda: train_probe(model, windows, y),
    ]
    for call in calls:
        with pytest.raises(TypeError, match=recipe):
            call()


def test_the_recipe_for_a_braindecode_dataset_works(model, windows):
    with pytest.raises(TypeError) as err:
        model.embed(windows)
    assert "ch_names=ds.datasets[0].raw.ch_names" in str(err.value)
    ds = windows
    x = np.stack([ds[i][0] for i in range(len(ds))])
    raw = ds.datasets[0].raw
    out = EEGPTEmbedder(model, ch_names=raw.ch_names, sfreq=raw.info["sfreq"]).fit_transform(x)
    assert out.shape[0] == len(ds) == 6


def test_windows_held_as_mne_epochs_are_named_as_a_list_of_them(model):
    """Windows cut as mne.Epochs (use_mne_epochs=True): the recipe is the list of them, which
    eegpt takes (epochs of two recordings matched by electrode)."""
    raws = _raws()
    for raw in raws:
        raw.set_annotations(mne.Annotations([1.0, 6.0], [0.0, 0.0], ["left", "right"]))
    concat = braindecode_datasets.BaseConcatDataset(
        [braindecode_datasets.RawDataset(r, description={"subject": i})
         for i, r in enumerate(raws)]
    )  # fmt: skip
    ds = windowers.create_windows_from_events(
        concat, trial_start_offset_samples=0, trial_stop_offset_samples=1024,
        use_mne_epochs=True,
    )  # fmt: skip
    assert all(isinstance(d.windows, mne.BaseEpochs) for d in ds.datasets)
    with pytest.raises(TypeError, match=r"the list \[d\.windows for d in ds\.datasets\] .* "
                       r"\[model\.embed\(d\.windows\) for d in ds\.datasets\]"):  # fmt: skip
        model.embed(ds)
    assert [len(model.embed(d.windows).data) for d in ds.datasets] == [2, 2]
    windows = [d.windows for d in ds.datasets]
    assert EEGPTEmbedder(model).fit_transform(windows).shape[0] == 4


def test_one_windows_dataset_gets_a_recipe_written_for_it(model, windows):
    """One EEGWindowsDataset ``ds`` (not a BaseConcatDataset): its own raw, not
    ``[ds][0].raw``; the recipe runs as written, with the units said to be the dataset's."""
    ds = windows.datasets[0]
    with pytest.raises(TypeError) as err:
        model.embed(ds)
    said = str(err.value)
    assert "ch_names=ds.raw.ch_names, sfreq=ds.raw.info['sfreq']" in said
    assert "[ds]" not in said
    assert "microvolts where a Preprocessor scaled them" in said
    x = np.stack([ds[i][0] for i in range(len(ds))])
    out = model.embed(x, ch_names=ds.raw.ch_names, sfreq=ds.raw.info["sfreq"], units="V")
    assert out.data.shape[0] == len(ds) == 3


def test_windows_as_mne_epochs_are_not_said_to_be_in_volts(model):
    """A Preprocessor often scales braindecode's data by 1e6 before the windows are cut as
    mne.Epochs: the refusal does not claim volts and gives the array recipe with units."""
    raw = _raws(1)[0]
    raw.set_annotations(mne.Annotations([1.0, 6.0], [0.0, 0.0], ["left", "right"]))
    one = braindecode_datasets.BaseConcatDataset([braindecode_datasets.RawDataset(raw)])
    ds = windowers.create_windows_from_events(
        one, trial_start_offset_samples=0, trial_stop_offset_samples=1024, use_mne_epochs=True
    )
    for given, prefix in ((ds, "ds.datasets[0].windows"), (ds.datasets[0], "ds.windows")):
        with pytest.raises(TypeError) as err:
            model.embed(given)
        said = str(err.value)
        assert "in volts, with" not in said
        assert "whatever unit the dataset's preprocessing left" in said
        assert f"ch_names={prefix}.ch_names, sfreq={prefix}.info['sfreq']" in said
        assert "units='uV'" in said
    assert "embed model.embed(ds.windows)" in said
    windows = ds.datasets[0].windows
    x = windows.get_data() * 1e6  # as a Preprocessor scaling to microvolts leaves them
    scaled = model.embed(x, ch_names=windows.ch_names, sfreq=windows.info["sfreq"], units="uV")
    np.testing.assert_allclose(scaled.data, model.embed(windows).data, rtol=1e-4, atol=1e-5)
