"""``picks`` of the scikit-learn estimators: electrodes typed ``misc`` are read as
:func:`eegpt.embed` and :func:`~eegpt.probe.train_probe` read them with the same ``picks``
(``--picks`` of the command line); the parameter follows scikit-learn's rules (stored as
given, checked at fit, cloned, pickled)."""

from __future__ import annotations

import copy
import pickle

import mne
import numpy as np
import pytest
import torch
from sklearn.base import clone

import eegpt
import eegpt.sklearn
from eegpt import EEGPT, EEGPTConfig
from eegpt.errors import RecordingError
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import ProbeConfig, epochs_labels, train_probe
from eegpt.sklearn import EEGPTClassifier, EEGPTEmbedder

torch.manual_seed(0)
TINY = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)
NAMES = ["Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4", "O1", "O2", "Fz", "Cz"]
BOTH = ["eeg", "misc"]
BRIEF = ProbeConfig(epochs=2)


@pytest.fixture(autouse=True)
def _warnings_afresh():
    """Each test sees the estimators' warnings (held back while calls repeat them)."""
    eegpt.sklearn._SHOWN.clear()


@pytest.fixture(scope="module")
def misc_epochs() -> mne.EpochsArray:
    """16 epochs of 1 s at 256 Hz, events A and B in turn, whose 12 scalp electrodes are
    typed ``misc`` (as MNE types BrainVision channels in units it does not know)."""
    x = np.random.default_rng(0).normal(0, 20e-6, (16, len(NAMES), 256))
    events = np.c_[np.arange(16) * 256, np.zeros(16, int), [1, 2] * 8]
    info = mne.create_info(NAMES, 256.0, "misc")
    return mne.EpochsArray(x, info, events, event_id={"A": 1, "B": 2}, verbose=False)


def test_the_embedder_reads_the_channel_types_picked_as_embed_does(misc_epochs):
    """picks=["eeg", "misc"] embeds misc-typed electrodes, as eegpt.embed(..., picks=...)
    does (same numbers); without picks (EEG alone) none is found, and the advice names the
    parameter. The parameter is stored as given and kept by get_params, clone and pickle."""
    with pytest.warns(RuntimeWarning), pytest.raises(RecordingError, match=r"picks=\['eeg'"):
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND).fit(misc_epochs)
    est = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, picks=BOTH, pooling="flatten")
    assert est.get_params()["picks"] is BOTH  # as given
    out = est.fit(misc_epochs).transform(misc_epochs)
    expected = eegpt.embed(TINY, misc_epochs, picks=BOTH, preprocessing=ONE_SECOND).data
    np.testing.assert_allclose(out, expected.reshape(len(misc_epochs), -1), rtol=1e-5, atol=1e-6)
    assert est.picks_ == BOTH and est.n_channels_in_ == len(NAMES)
    cloned = clone(est)
    assert cloned.picks == BOTH and not hasattr(cloned, "picks_")
    np.testing.assert_allclose(cloned.fit_transform(misc_epochs), out, rtol=1e-5, atol=1e-6)
    back = pickle.loads(pickle.dumps(est))
    assert back.picks == BOTH
    np.testing.assert_allclose(back.transform(misc_epochs), out, rtol=1e-5, atol=1e-6)
    # transform reads the types of fit (picks_), as a fitted embedder keeps its rename table
    est.set_params(picks=None)
    np.testing.assert_allclose(est.transform(misc_epochs), out, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore:the probe stayed at chance")  # 2 passes on noise
def test_picks_are_checked_at_fit_and_refused_for_arrays(misc_epochs):
    """Checked at fit, not in __init__ (scikit-learn's rule): other than strings is a
    TypeError; arrays, whose channels are their rows, refuse picks other than EEG, as
    eegpt.embed refuses them."""
    bad = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, picks=[3])  # stored, not checked
    with pytest.raises(TypeError, match="picks=.*list of strings"):
        bad.fit(misc_epochs)
    x = misc_epochs.get_data()
    array = {"ch_names": NAMES, "sfreq": 256.0}
    for est in (
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, picks="misc", **array),
        # trained 2 passes, not 100: what it learns is not what this checks
        EEGPTClassifier(TINY, preprocessing=ONE_SECOND, picks="misc", config=BRIEF, **array),
    ):
        with pytest.raises(RecordingError, match="applies to files and MNE objects only"):
            est.fit(x, [0, 1] * 8)
        est.set_params(picks="eeg").fit(x, [0, 1] * 8)  # EEG: the rows as they are


@pytest.mark.filterwarnings("ignore:training epochs per class")
@pytest.mark.filterwarnings("ignore:the probe stayed at chance")  # random weights, noise
def test_the_classifier_trains_on_the_channel_types_picked_as_train_probe_does(misc_epochs):
    """EEGPTClassifier(picks=...) is train_probe(picks=...): the same probe, which records
    the picks and predicts with them; clone and pickle keep the parameter."""
    y = epochs_labels(misc_epochs)
    config = ProbeConfig(epochs=2)
    clf = EEGPTClassifier(TINY, preprocessing=ONE_SECOND, config=config, picks=BOTH)
    proba = clf.fit(misc_epochs, y).predict_proba(misc_epochs)
    assert clf.probe_.picks == BOTH
    direct = train_probe(
        copy.deepcopy(TINY), misc_epochs, y, preprocessing=ONE_SECOND, config=config, picks=BOTH
    )
    np.testing.assert_allclose(proba, direct.predict_proba(misc_epochs), rtol=1e-5, atol=1e-6)
    assert clone(clf).get_params()["picks"] == BOTH
    back = pickle.loads(pickle.dumps(clf))
    assert back.picks == BOTH
    np.testing.assert_allclose(back.predict_proba(misc_epochs), proba, rtol=1e-5, atol=1e-6)


KEPT = ["Fz", "Cz", "C3", "C4"]


def test_the_estimators_take_keep_as_embed_and_train_probe_do(misc_epochs):
    """keep= (the vocabulary channels used) was taken by eegpt.embed, train_probe and the
    probe's predictions, not by the estimators; both take it with the same meaning (the same
    numbers as embed's, the probe's record), stored as given, cloned, checked at fit."""
    epochs = misc_epochs.copy().set_channel_types(dict.fromkeys(NAMES, "eeg"))
    est = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, keep=KEPT)
    assert est.get_params()["keep"] is KEPT and clone(est).keep == KEPT
    out = est.fit(epochs).transform(epochs)
    assert {n.upper() for n in est.mapping_.names} == {n.upper() for n in KEPT}
    assert est.keep_ == KEPT
    expected = eegpt.embed(TINY, epochs, keep=KEPT, preprocessing=ONE_SECOND).data
    np.testing.assert_allclose(out, expected.reshape(len(epochs), -1), rtol=1e-5, atol=1e-6)
    back = pickle.loads(pickle.dumps(est))
    np.testing.assert_allclose(back.transform(epochs), out, rtol=1e-5, atol=1e-6)
    clf = EEGPTClassifier(TINY, preprocessing=ONE_SECOND, keep=KEPT, config=ProbeConfig(epochs=1))
    clf.fit(epochs, epochs_labels(epochs))
    assert clf.probe_.keep == KEPT and len(clf.probe_.input_names) == len(KEPT)
    assert clf.predict_proba(epochs).shape == (len(epochs), 2)
    with pytest.raises(ValueError, match="Qz"):
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, keep=["Qz"]).fit(epochs)


def test_the_classifier_refuses_keep_with_a_channel_projection_in_python_s_words(misc_epochs):
    """keep= with config=ProbeConfig(chan_proj=True) was refused naming the command line's
    options (--keep-channels, --chan-proj, --drop NAME), which an estimator has none of; the
    refusal names the Python keywords alone, as finetune's does."""
    epochs = misc_epochs.copy().set_channel_types(dict.fromkeys(NAMES, "eeg"))
    clf = EEGPTClassifier(TINY, keep=KEPT, config=ProbeConfig(chan_proj=True, epochs=1))
    with pytest.raises(ValueError, match=r"rename=\{NAME: None\}") as refused:
        clf.fit(epochs, epochs_labels(epochs))
    assert "chan_proj" in str(refused.value) and "--" not in str(refused.value)
