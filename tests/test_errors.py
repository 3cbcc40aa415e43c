"""The exception classes as a caller sees them: a missing file is an eegpt error and a
FileNotFoundError at once; one problem gives one class whichever entry point meets it."""

from __future__ import annotations

import numpy as np
import pytest

import eegpt
from eegpt.errors import EEGPTError, MissingFileError, RecordingError


def _missing(err: BaseException) -> None:
    assert isinstance(err, EEGPTError)
    assert isinstance(err, FileNotFoundError)  # except FileNotFoundError / OSError still catch it
    assert isinstance(err, MissingFileError)


def test_missing_weights_are_an_eegpt_error(tmp_path):
    for path in (tmp_path / "nope", str(tmp_path / "nope.ckpt")):
        with pytest.raises(EEGPTError, match="no EEGPT weights at") as caught:
            eegpt.load_model(path)
        _missing(caught.value)
        with pytest.raises(EEGPTError, match="no EEGPT weights at") as caught:
            eegpt.load_checkpoint(path)
        _missing(caught.value)


def test_missing_recording_is_an_eegpt_error(model, tmp_path):
    with pytest.raises(EEGPTError, match="EEG file not found") as caught:
        model.embed(tmp_path / "none.edf")
    _missing(caught.value)


def test_missing_weights_of_an_estimator_are_an_eegpt_error(tmp_path):
    from eegpt.sklearn import EEGPTEmbedder

    x = np.zeros((2, 1, 256))
    est = EEGPTEmbedder(weights=str(tmp_path / "nope"), ch_names=["Cz"], sfreq=256.0)
    with pytest.raises(EEGPTError, match="no EEGPT weights at") as caught:
        est.fit(x)
    _missing(caught.value)


def test_array_without_sfreq_is_a_recording_error_everywhere(model):
    from eegpt.sklearn import EEGPTEmbedder

    x = np.zeros((2, 19, 1024))
    with pytest.raises(RecordingError):
        model.embed(x[0])
    with pytest.raises(RecordingError, match="sfreq"):
        EEGPTEmbedder(model).fit_transform(x)


def test_eegpt_error_is_public():
    assert eegpt.EEGPTError is EEGPTError
    assert "EEGPTError" in eegpt.__all__
    assert issubclass(RecordingError, ValueError)
