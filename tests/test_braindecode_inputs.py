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
