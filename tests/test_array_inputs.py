"""Arrays as users hold them: .npz files saved from MATLAB or pickles (one-value arrays, bytes,
other key names), torch tensors of bfloat16, and array channel types."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from eegpt.errors import RecordingError
from eegpt.io import as_recording, read_npz_epochs

NAMES = ["Fz", "Cz", "Pz"]


def _epochs(seed: int = 0) -> np.ndarray:
    """Three epochs [3, 3, 256] of noise in microvolts."""
    return np.random.default_rng(seed).normal(0, 20, (3, 3, 256))


@pytest.mark.parametrize("sfreq", [np.array([128.0]), np.array([[200]])])
def test_an_npz_sfreq_of_one_value_in_an_array_is_that_value(tmp_path, sfreq):
    """sfreq saved as an array of one value ([[200]] from scipy.io.loadmat) was an internal
    error ("only 0-dimensional arrays can be converted to Python scalars"); it is that value,
    in an .npz as in Python."""
    path = tmp_path / "s01.npz"
    np.savez(path, X=_epochs(), ch_names=NAMES, sfreq=sfreq, units="uV")
    assert read_npz_epochs(path).sfreq == float(sfreq.ravel()[0])
    assert as_recording(_epochs()[0], ch_names=NAMES, sfreq=sfreq).sfreq == float(sfreq.ravel()[0])


def test_a_python_list_of_one_sfreq_is_that_value():
    """check_sfreq's docstring promised [128.0] (a list) as well as an array of one value."""
    assert as_recording(_epochs()[0], ch_names=NAMES, sfreq=[128.0]).sfreq == 128.0
    with pytest.raises(RecordingError, match=re.escape("got an array of shape (2,)")):
        as_recording(_epochs()[0], ch_names=NAMES, sfreq=(128.0, 256.0))


def test_an_sfreq_of_several_values_is_refused_as_such(tmp_path):
    path = tmp_path / "s01.npz"
    np.savez(path, X=_epochs(), ch_names=NAMES, sfreq=np.array([128.0, 128.0]), units="uV")
    said = re.escape("sfreq must be one number of Hz, got an array of shape (2,)")
    with pytest.raises(RecordingError, match=str(path) + ": " + said):
        read_npz_epochs(path)
    with pytest.raises(RecordingError, match="<array>: " + said):
        as_recording(_epochs()[0], ch_names=NAMES, sfreq=np.array([128.0, 128.0]))


def test_npz_names_saved_as_objects_are_refused_with_how_to_save_them(tmp_path):
    """ch_names saved as an object array failed with numpy's "Object arrays cannot be loaded
    when allow_pickle=False"; now the error says to save a string array (pickles stay off)."""
    path = tmp_path / "s01.npz"
    names = np.array(NAMES, dtype=object)
    np.savez(path, X=_epochs(), ch_names=names, sfreq=128.0, units="uV")
    with pytest.raises(ValueError, match=re.escape("np.array(names, dtype=str)")) as info:
        read_npz_epochs(path)
    assert "'ch_names' is an array of Python objects" in str(info.value)


def test_npz_bytes_of_units_and_names_are_decoded(tmp_path):
    """units and ch_names saved as bytes (MATLAB, h5py) were refused ("got np.bytes_(b'uV')")
    or read as "b'Fz'"; ASCII bytes are decoded."""
    path = tmp_path / "s01.npz"
    np.savez(path, X=_epochs(), ch_names=np.array(NAMES, dtype="S"), sfreq=128.0,
             units=np.bytes_(b"uV"))  # fmt: skip
    rec = read_npz_epochs(path)
    assert rec.ch_names == NAMES
    np.testing.assert_allclose(rec.data, _epochs() * 1e-6)


def test_an_npz_units_entry_arrays_do_not_take_is_refused_naming_the_file(tmp_path):
    """An .npz whose units entry is 'nV' (or any unit arrays do not take) got the array's
    "units must be one of [...], got 'nV'", naming neither the file nor its entry: in a folder
    of files the one to mend was not said. The refusal names both, and for nanovolts the
    conversion."""
    path = tmp_path / "s07.npz"
    np.savez(path, X=_epochs() * 1e3, ch_names=NAMES, sfreq=128.0, units="nV")
    with pytest.raises(RecordingError) as info:
        as_recording(path)
    text = str(info.value)
    assert text.startswith(f"{path}: its 'units' entry 'nV' is none of ")
    assert "store X * 1e-3 with units='uV'" in text


def test_an_npz_without_x_names_the_array_that_may_be_meant(tmp_path):
    """X is read by that name only; an .npz holding 'data' (or 'x', 'X_train') is told to save
    it as X, naming it, rather than read it in X's place."""
    for key in ("data", "x", "X_train"):
        path = tmp_path / f"{key}.npz"
        np.savez(path, **{key: _epochs()}, ch_names=NAMES, sfreq=128.0, units="uV")
        with pytest.raises(ValueError, match="missing \\['X'\\]") as info:
            read_npz_epochs(path)
        assert f"If '{key}' is meant" in str(info.value)
        assert f"np.savez(path, X={key}, ...)" in str(info.value)


def test_a_bfloat16_tensor_is_read_as_float32():
    """A bfloat16 tensor failed in torch's .numpy() ("Got unsupported ScalarType BFloat16");
    it is read as float32, which holds each bfloat16 value exactly, as float16 is read."""
    x = torch.from_numpy(_epochs()[0].astype(np.float32)).bfloat16()
    rec = as_recording(x, ch_names=NAMES, sfreq=256.0, units="uV")
    np.testing.assert_array_equal(rec.data, x.float().numpy().astype(np.float64) * 1e-6)


def test_the_sklearn_estimators_take_a_bfloat16_tensor():
    from eegpt.sklearn import _epochs_array

    x = torch.from_numpy(_epochs().astype(np.float32)).bfloat16()
    array = _epochs_array(x, NAMES, 256.0, "EEGPTEmbedder", "uV")
    np.testing.assert_array_equal(array, x.float().numpy())


DEAP_PERIPHERAL = ["hEOG", "vEOG", "zEMG", "tEMG", "GSR", "Resp", "Plet", "Temp"]


def test_deaps_peripheral_channels_are_all_told_as_other_signals():
    """DEAP's plethysmograph 'Plet' was told as a possible EEG electrode to rename ("If 'Plet'
    is an EEG electrode, map it with rename=..."); all 8 peripheral channels are other
    signals."""
    from eegpt.channels import map_channels

    with pytest.warns(RuntimeWarning) as record:
        map_channels(["Fp1", "Cz", "Pz", *DEAP_PERIPHERAL])
    text = " ".join(str(w.message) for w in record)
    assert f"{DEAP_PERIPHERAL} look like other signals" in text
    assert "is an EEG electrode" not in text


def test_embed_with_ch_types_says_array_types_are_not_taken():
    """embed(x, ..., ch_types=[...]) suggested "did you mean: 'ch_types' -> ch_names=...?";
    it now says that arrays take no channel types, non-EEG channels are dropped by name, and
    how to pass the types (an mne.EpochsArray)."""
    from eegpt import EEGPT, EEGPTConfig

    model = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
    with pytest.raises(TypeError, match="ch_types: array input takes no channel types") as info:
        model.embed(_epochs()[0], ch_names=NAMES, sfreq=256.0, ch_types=["eeg"] * 3)
    assert "did you mean" not in str(info.value)
    assert "mne.EpochsArray" in str(info.value)


def test_filter_bank_epochs_are_named_as_such_not_as_embeddings(model):
    """MOABB's filter-bank paradigms give epochs [n_epochs, n_channels, n_times, n_bands]:
    refused as epochs in several bands with how to pass one, by model.embed, train_probe and
    the estimators alike, not taken for EEGPT embeddings [n, N, S, D] (those still are)."""
    from eegpt.probe import train_probe
    from eegpt.sklearn import EEGPTEmbedder

    bands = np.random.default_rng(0).normal(0, 10, (6, 4, 256, 3))  # FilterBankMotorImagery
    names = ["C3", "Cz", "C4", "Pz"]
    said = (
        r"got a 4-D array of shape \(6, 4, 256, 3\): 6 epochs of 4 channels x 256 samples in 3 "
        r"frequency bands \[n_epochs, n_channels, n_times, n_bands\], as MOABB's filter-bank "
        r"paradigms give them.*MotorImagery\(fmin=8, fmax=32\).*X\[\.\.\., k\]"
    )
    with pytest.raises(RecordingError, match=said):
        model.embed(bands, ch_names=names, sfreq=256.0, units="uV")
    with pytest.raises(ValueError, match="train_probe: " + said):
        train_probe(model, bands, ["a", "b"] * 3, ch_names=names, sfreq=256.0, units="uV")
    embedder = EEGPTEmbedder(model, ch_names=names, sfreq=256.0, units="uV")
    with pytest.raises(ValueError, match="EEGPTEmbedder: " + said):
        embedder.fit(bands)
    with pytest.raises(TypeError, match=r"\(6, 16, 4, 64\): EEGPT embeddings \[n, N, S, D\]"):
        embedder.fit(np.zeros((6, 16, 4, 64), np.float32))
