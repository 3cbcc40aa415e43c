"""The scikit-learn estimators fitted on one session and used on another, whose channels carry
other labels (``EEG C3-REF`` in one, ``C3`` in the next): what a BCI study does between its
training and test sessions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import eegpt.sklearn
from eegpt import EEGPT, EEGPTConfig
from eegpt.errors import RecordingError
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import ProbeConfig, synthetic_erp_epochs
from eegpt.sklearn import EEGPTClassifier, EEGPTEmbedder

torch.manual_seed(0)
SMALL = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2)).eval()
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)


@pytest.fixture(autouse=True)
def _warnings_afresh():
    """Each test sees the estimators' warnings (held back while calls repeat them)."""
    eegpt.sklearn._SHOWN.clear()


@pytest.fixture(scope="module")
def sessions():
    """The same 12 epochs labelled as two sessions: ``EEG Fz-REF`` ... in the first, ``Fz``
    ... in the second."""
    clean = synthetic_erp_epochs(12, seed=2, seconds=1.0, tmin=-0.2)
    messy = clean.copy()
    messy.rename_channels({n: f"EEG {n}-REF" for n in clean.ch_names})
    return messy, clean


def test_a_rename_of_fit_serves_another_session_without_its_labels(sessions):
    """rename={'EEG X-REF': None} of fit, on a session labelled 'X': the classifier's probe
    applies the table of fit as the embedder does (by electrode: the session's X is not used,
    as the fitted probe does not use it), rather than refusing the table as if written for
    these data, whose every key must name a channel."""
    messy, clean = sessions
    drop = {f"EEG {clean.ch_names[0]}-REF": None}
    clf = EEGPTClassifier(
        SMALL, rename=drop, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few epochs per class, random weights
        clf.fit(messy)
        expected = clf.predict_proba(messy)
        est = EEGPTEmbedder(SMALL, rename=drop, pooling="mean", preprocessing=ONE_SECOND)
        features = est.fit(messy).transform(messy)
    with pytest.warns(RuntimeWarning, match=rf"\['{clean.ch_names[0]}'\] are not used") as said:
        np.testing.assert_allclose(clf.predict_proba(clean), expected, rtol=1e-5, atol=1e-6)
    eegpt.sklearn._SHOWN.clear()
    with pytest.warns(RuntimeWarning, match=rf"\['{clean.ch_names[0]}'\] are not used") as also:
        np.testing.assert_allclose(est.transform(clean), features, rtol=1e-5, atol=1e-6)
    # the drop matched no label of this session, but the fitted model does not use its
    # electrode: no note that the session's channel "is kept" (it is not)
    assert not [w for w in [*said, *also] if "is kept" in str(w.message)]


def test_labels_taken_before_mne_dropped_epochs_are_told_so():
    """Epochs read lazily (preload=False) lose those over bad annotations when their data are
    read, after y = epochs.events[:, 2] was taken: the length error says MNE dropped them and
    how to take the labels of the epochs kept, rather than only that y is too long."""
    import mne

    from eegpt.probe import synthetic_erp_raw

    raw, events, event_id = synthetic_erp_raw(12, seed=1)
    onset = events[3, 0] / raw.info["sfreq"] + 0.3
    raw.set_annotations(mne.Annotations([onset], [0.5], ["BAD_blink"]))
    lazy = mne.Epochs(
        raw, events, event_id, tmin=-0.2, tmax=0.8 - 1 / 250, baseline=None, preload=False
    )
    y = lazy.events[:, 2]  # one label per event: 12, of which 11 epochs are kept
    clf = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1))
    with pytest.raises(ValueError, match=r"\(11\), got shape \(12,\)") as err:
        clf.fit(lazy, y)
    said = str(err.value)
    assert "MNE dropped 1 of the 12 epochs" in said and "BAD_blink" in said
    assert "epochs.events[:, 2]" in said and "drop_bad()" in said
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few epochs per class, random weights
        assert clf.fit(lazy, lazy.events[:, 2]).predict(lazy).shape == (11,)


def test_picks_by_name_on_a_session_labelled_otherwise_say_how(sessions):
    """picks= names of fit's labels ('EEG Cz-REF') on a session labelled 'Cz': the refusal
    names the session's labels and how to fit on chosen channels instead; fitted so, the
    embedder matches the next session by electrode."""
    messy, clean = sessions
    names = [f"EEG {n}-REF" for n in ("Cz", "C3", "C4")]
    est = EEGPTEmbedder(SMALL, picks=names, pooling="mean", preprocessing=ONE_SECOND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = est.fit(messy).transform(messy)
    with pytest.raises(RecordingError, match="neither channel types nor channel names") as err:
        est.transform(clean)
    said = str(err.value)
    assert "labels those electrodes otherwise ('EEG Cz-REF' as 'Cz'" in said
    assert "picks=['Cz', 'C3', 'C4']" in said and "epochs.copy().pick([...])" in said
    with pytest.raises(RecordingError, match="'EEG C3-REF' as 'C3'"):  # some labels present
        EEGPTEmbedder(SMALL, picks=["Cz", "EEG C3-REF"], preprocessing=ONE_SECOND).fit(clean)
    chosen = EEGPTEmbedder(SMALL, pooling="mean", preprocessing=ONE_SECOND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the other channels of the session: not used
        chosen.fit(messy.copy().pick(names))
        np.testing.assert_allclose(chosen.transform(clean), expected, rtol=1e-5, atol=1e-6)


def test_a_channel_missing_from_another_session_is_added_under_that_session_s_label(sessions):
    """A channel the fitted model uses, missing from a session labelled otherwise than fit's
    data: the advice added it with MNE's add_reference_channels under fit's label ('EEG
    C3-REF' to a session labelled 'C3'), which the session's other labels do not follow; it
    names the label that fits the session (and fit's label to fit without it)."""
    messy, clean = sessions
    embedder = EEGPTEmbedder(SMALL, pooling="mean", preprocessing=ONE_SECOND)
    classifier = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # few epochs per class, random weights
        embedder.fit(messy)
        classifier.fit(clean)
    with pytest.raises(ValueError, match="missing here") as err:
        embedder.transform(clean.copy().drop_channels(["C3"]))
    said = str(err.value)
    assert "inst.add_reference_channels(['C3'])" in said, said
    assert "inst.info['bads'] = ['C3']" in said
    assert "rename={'EEG C3-REF': None}" in said  # fitting again: fit's data's label
    with pytest.raises(ValueError, match="missing here") as err:
        classifier.predict(messy.copy().drop_channels(["EEG C3-REF"]))
    said = str(err.value)
    assert "inst.add_reference_channels(['EEG C3-REF'])" in said, said
    assert "inst.info['bads'] = ['EEG C3-REF']" in said


def test_concatenate_epochs_merges_sessions_as_train_probe_merges_a_list(tmp_path):
    """Sessions mne.concatenate_epochs refuses (another rate, channel labels and order, an EOG
    channel, other event codes) merged by electrode into one Epochs with a group per session:
    the estimators and train_probe give the same features and probe as for the list."""
    import mne
    from sklearn.model_selection import GroupKFold

    from eegpt.probe import concatenate_epochs, epochs_labels, train_probe

    first = synthetic_erp_epochs(16, seed=3, seconds=1.0, tmin=-0.2)
    second = synthetic_erp_epochs(12, seed=4, seconds=1.0, tmin=-0.2).resample(500.0)
    second.rename_channels({n: f"EEG {n}-REF" for n in second.ch_names})
    second.reorder_channels(second.ch_names[::-1])
    third = synthetic_erp_epochs(10, seed=5, seconds=1.0, tmin=-0.2)
    eog = mne.EpochsArray(third.get_data()[:, :1], mne.create_info(["EOG"], 250.0, "eog"),
                          tmin=-0.2, verbose=False)  # fmt: skip
    third.add_channels([eog], force_update_info=True)
    third.event_id = {"standard": 10, "target": 20}
    third.events[:, 2] *= 10
    sessions = [first, second, third]
    with pytest.raises(ValueError):  # the recipe concatenate_epochs replaces
        mne.concatenate_epochs([e.copy() for e in sessions], verbose=False)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # random weights
        merged, groups = concatenate_epochs(sessions, preprocessing=ONE_SECOND)
    np.testing.assert_array_equal(groups, np.repeat([0, 1, 2], [16, 12, 10]))
    assert merged.ch_names == first.ch_names and merged.info["sfreq"] == 256.0
    assert abs(merged.tmin + 0.2) < 1 / 256  # on the sample grid, as MNE places it
    np.testing.assert_array_equal(
        epochs_labels(merged), np.concatenate([epochs_labels(e) for e in sessions])
    )
    assert list(GroupKFold(3).split(merged, epochs_labels(merged), groups))  # sklearn takes them

    est = EEGPTEmbedder(SMALL, pooling="mean", preprocessing=ONE_SECOND)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = est.fit_transform(sessions)  # the list, merged as train_probe merges it
        np.testing.assert_array_equal(est.fit_transform(merged), expected)
        brief = dict(preprocessing=ONE_SECOND, cache=False, epochs=2, seed=0)
        of_list = train_probe(SMALL, sessions, **brief)
        of_merged = train_probe(SMALL, merged, **brief)
        np.testing.assert_array_equal(
            of_merged.predict_proba(merged), of_list.predict_proba(sessions)
        )
    with pytest.raises(TypeError, match=r"a list of the recordings' mne.Epochs"):
        concatenate_epochs(first)


def test_concatenate_epochs_keeps_each_epoch_s_metadata_row():
    """The sessions' metadata (a reaction time per trial) was dropped by concatenate_epochs:
    it is stacked in the sessions' order, the rows of epochs dropped before (epochs.drop)
    left out with them, a session without metadata given empty rows."""
    import pandas as pd

    from eegpt.probe import concatenate_epochs

    first = synthetic_erp_epochs(6, seed=3, seconds=1.0, tmin=-0.2)
    first.metadata = pd.DataFrame({"rt": np.arange(6) + 100.0}, index=np.arange(6) + 50)
    second = synthetic_erp_epochs(5, seed=4, seconds=1.0, tmin=-0.2)
    second.metadata = pd.DataFrame({"rt": np.arange(5) + 200.0, "block": ["a"] * 5})
    second.drop([0, 3], verbose=False)
    third = synthetic_erp_epochs(2, seed=5, seconds=1.0, tmin=-0.2)  # no metadata
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged, groups = concatenate_epochs([first, second, third], preprocessing=ONE_SECOND)
    np.testing.assert_array_equal(groups, np.repeat([0, 1, 2], [6, 3, 2]))
    got = merged.metadata
    assert got is not None and len(got) == len(merged) == 11
    assert got["rt"].tolist()[:9] == [100, 101, 102, 103, 104, 105, 201, 202, 204]
    assert got["rt"].iloc[9:].isna().all() and got["block"].tolist()[6:9] == ["a"] * 3
    alone, _ = concatenate_epochs([third, third.copy()], preprocessing=ONE_SECOND)
    assert alone.metadata.columns.tolist() == ["recording"]  # each epoch's: groups
    np.testing.assert_array_equal(merged.metadata["recording"], groups)


def test_concatenated_recordings_split_at_random_are_warned_of_as_a_list_is():
    """concatenate_epochs returned each epoch's recording as groups only (its metadata None
    where the inputs had none), so train_probe's and EEGPTClassifier's warning of a validation
    fraction drawn at random across recordings, said for the list, was silent for the merged
    epochs. Their metadata holds the recording (column 'recording', the inputs' own columns
    kept), which the warning reads, naming the groups to give; given, none is said."""
    import pandas as pd

    from eegpt.probe import concatenate_epochs, epochs_labels, train_probe

    sessions = [synthetic_erp_epochs(12, seed=k, seconds=1.0, tmin=-0.2) for k in (3, 4, 5)]
    sessions[0].metadata = pd.DataFrame({"rt": np.arange(12) + 300.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged, groups = concatenate_epochs(sessions, preprocessing=ONE_SECOND)
    assert merged.metadata.columns.tolist() == ["rt", "recording"]
    assert merged.metadata["rt"].iloc[:12].tolist() == list(np.arange(12) + 300.0)
    leaky = "metadata column 'recording' names 3 recordings"
    brief = dict(preprocessing=ONE_SECOND, cache=False, epochs=1, seed=0, validation=0.25)
    with pytest.warns(RuntimeWarning, match=leaky) as said:
        train_probe(SMALL, merged, **brief)
    assert any("groups=epochs.metadata['recording']" in str(w.message) for w in said)
    y = epochs_labels(merged)
    clf = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1),
                          validation=0.25, cache=False)  # fmt: skip
    with pytest.warns(RuntimeWarning, match=leaky):
        clf.fit(merged, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_probe(SMALL, merged, groups=merged.metadata["recording"], **brief)
    assert not [w for w in caught if "drawn at random" in str(w.message)]


def test_concatenate_epochs_without_pandas_merges_epochs_without_metadata(monkeypatch):
    """The recording column (6a8b0307) made concatenate_epochs import pandas, an optional
    dependency, for inputs without metadata too: it failed with ModuleNotFoundError where it
    had merged them. Without pandas their metadata stays None; the groups are returned."""
    import sys

    from eegpt.probe import concatenate_epochs

    sessions = [synthetic_erp_epochs(4, seed=k, seconds=1.0) for k in (3, 4)]
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged, groups = concatenate_epochs(sessions, preprocessing=ONE_SECOND)
    assert len(merged) == 8 and merged.metadata is None
    np.testing.assert_array_equal(groups, [0] * 4 + [1] * 4)


def test_concatenate_epochs_keeps_the_sessions_event_codes_where_they_agree():
    """Sessions of one paradigm ({'target': 1, 'standard': 2} in each) were given codes by
    sorted name (standard 1, target 2): y = epochs.events[:, 2] then swapped the classes of a
    probe trained on a session's codes. Codes the sessions share are kept; sessions whose
    codes differ (10 and 20 in one) are numbered anew, by sorted name."""
    from eegpt.probe import concatenate_epochs, epochs_labels

    def session(seed, codes):
        epochs = synthetic_erp_epochs(6, seed=seed, seconds=1.0, tmin=-0.2)
        names = epochs_labels(epochs)
        epochs.event_id = codes
        epochs.events[:, 2] = [codes[n] for n in names]
        return epochs

    swapped = {"target": 1, "standard": 2}
    sessions = [session(3, swapped), session(4, swapped)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged, _ = concatenate_epochs(sessions, preprocessing=ONE_SECOND)
        assert merged.event_id == swapped
        np.testing.assert_array_equal(
            merged.events[:, 2], np.concatenate([s.events[:, 2] for s in sessions])
        )
        other = session(5, {"target": 10, "standard": 20})
        renumbered, _ = concatenate_epochs([*sessions, other], preprocessing=ONE_SECOND)
    assert renumbered.event_id == {"standard": 1, "target": 2}
    np.testing.assert_array_equal(
        epochs_labels(renumbered), np.concatenate([epochs_labels(s) for s in [*sessions, other]])
    )


def test_concatenate_epochs_takes_event_names_that_look_like_no_number():
    """An event name of two leading dashes ('--5', which MNE takes) was read as a number
    whether or not the session's event_id held it (int('--5'): ValueError) and the sessions
    could not be merged; it keeps its code, as other names do."""
    from eegpt.probe import concatenate_epochs, epochs_labels

    codes = {"--5": 1, "rest": 2}
    sessions = []
    for seed in (6, 7):
        epochs = synthetic_erp_epochs(6, seed=seed, seconds=1.0, tmin=-0.2)
        names = {"standard": "--5", "target": "rest"}
        labels = [names[n] for n in epochs_labels(epochs)]
        epochs.event_id = codes
        epochs.events[:, 2] = [codes[n] for n in labels]
        sessions.append(epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merged, groups = concatenate_epochs(sessions, preprocessing=ONE_SECOND)
    assert merged.event_id == codes
    np.testing.assert_array_equal(
        epochs_labels(merged), np.concatenate([epochs_labels(s) for s in sessions])
    )
    np.testing.assert_array_equal(groups, np.repeat([0, 1], 6))
