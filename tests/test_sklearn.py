"""The scikit-learn transformer: estimator checks, pipelines, cross-validation, grid search.

The labelled data are the SYNTHETIC P300-like epochs of :func:`eegpt.probe.synthetic_erp_epochs`
and the encoder has random weights (see tests/test_probe.py).
"""

from __future__ import annotations

import copy
import json
import pickle
import re
import warnings
from pathlib import Path

import mne
import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    GroupKFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import eegpt.sklearn
from eegpt import EEGPT, EEGPTConfig
from eegpt.checkpoints import save_checkpoint
from eegpt.embedding_cache import EmbeddingCache
from eegpt.errors import EEGPTUserWarning, RecordingError
from eegpt.preprocessing import PreprocessingConfig
from eegpt.probe import (
    ProbeConfig,
    concatenate_epochs,
    epochs_labels,
    load_probe,
    synthetic_erp_epochs,
    train_probe,
)
from eegpt.sklearn import POOLINGS, EEGPTClassifier, EEGPTEmbedder, pool_embeddings

torch.manual_seed(0)
TINY = EEGPT(EEGPTConfig(embed_dim=16, depth=1, num_heads=2, embed_num=2)).eval()
torch.manual_seed(0)
SMALL = EEGPT(EEGPTConfig(embed_dim=32, depth=2, num_heads=2)).eval()
ONE_SECOND = PreprocessingConfig(window_seconds=1.0)

# scikit-learn's generic checks feed small 2-D arrays [n_samples, n_features]; read as one
# channel ("Cz") of n_features samples in microvolts at 256 Hz, zero-padded to one 64-sample
# patch (tail="pad"), they are valid EEG epochs for the embedder.
CHECKED = EEGPTEmbedder(
    TINY,
    ch_names=["Cz"],
    sfreq=256.0,
    units="uV",
    # one channel: no average to reference to
    preprocessing=PreprocessingConfig(window_seconds=0.25, tail="pad", average_reference=False),
)

EXPECTED_FAILED = {
    "check_estimators_overwrite_params": (
        "compares joblib.hash of each parameter with that of a deep copy, and the hash of a "
        "torch module differs between deep copies even when nothing changed; "
        "test_fit_leaves_the_model_untouched checks the rule directly"
    ),
}


# The classifier on the same epochs, trained for one epoch (the checks fit it about a hundred
# times: about a minute on two CPU cores).
CHECKED_CLASSIFIER = EEGPTClassifier(
    TINY,
    ch_names=["Cz"],
    sfreq=256.0,
    units="uV",
    preprocessing=CHECKED.preprocessing,
    config=ProbeConfig(epochs=1),
)

EXPECTED_FAILED_CLASSIFIER = {
    "check_estimators_overwrite_params": EXPECTED_FAILED["check_estimators_overwrite_params"],
    "check_classifier_data_not_an_array": (
        "feeds X as a pandas DataFrame, which eegpt refuses on purpose (which axis is time and "
        "which columns are channels is for the user to say: eegpt.io.refuse_dataframe); "
        "test_the_classifier_refuses_what_the_embedder_refuses checks the refusal"
    ),
}


def _expected_failed(est: object) -> dict[str, str]:
    return EXPECTED_FAILED_CLASSIFIER if isinstance(est, EEGPTClassifier) else EXPECTED_FAILED


@pytest.mark.filterwarnings(
    "ignore::RuntimeWarning"
)  # random numbers are not EEG: data checks warn
@pytest.mark.filterwarnings("ignore::UserWarning")  # the classifier: few epochs per class
@parametrize_with_checks([CHECKED, CHECKED_CLASSIFIER], expected_failed_checks=_expected_failed)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(autouse=True)
def _warnings_afresh():
    """Each test sees the estimators' warnings (held back while calls repeat them)."""
    eegpt.sklearn._SHOWN.clear()


@pytest.fixture(scope="module")
def task():
    return synthetic_erp_epochs(120, seed=3, seconds=1.0, tmin=-0.2)


def embedder(**kwargs) -> EEGPTEmbedder:
    return EEGPTEmbedder(SMALL, preprocessing=ONE_SECOND, **kwargs)


def test_fit_leaves_the_model_untouched(task):
    state = {k: v.clone() for k, v in SMALL.state_dict().items()}
    keys = set(SMALL.target_encoder.__dict__)
    est = embedder().fit(task)
    est.transform(task[:5])
    assert est.model is SMALL and est.model_ is not SMALL
    assert all(torch.equal(v, state[k]) for k, v in SMALL.state_dict().items())
    assert set(SMALL.target_encoder.__dict__) == keys


def test_two_channels_warn_of_the_reference_at_fit_only(task):
    """Average referencing of 2 channels is warned of by fit, where it can be turned off; not
    by transform, where the fitted preprocessing is fixed."""
    two = task[:8].copy().pick(task.ch_names[:2])
    with pytest.warns(RuntimeWarning, match="of 2 channels"):
        est = embedder().fit(two)
    eegpt.sklearn._SHOWN.clear()  # as in another process (a pickled estimator)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.transform(two)
    assert not any("of 2 channels" in str(w.message) for w in caught)


def test_pipeline_cross_validation_on_epochs(task):
    y = epochs_labels(task)
    # the synthetic recording as it is: this small random-weight model learns its task from the
    # average-referenced ERP less well (about 0.73 against 0.95), which is not what this tests
    as_recorded = ONE_SECOND.updated(average_reference=False)
    est = EEGPTEmbedder(SMALL, preprocessing=as_recorded, pooling="flatten")
    clf = make_pipeline(est, StandardScaler(), LogisticRegression(C=0.1))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(clf, task, y, cv=cv)  # splitters index Epochs into lists
    assert scores.mean() >= 0.8, scores
    shuffled = np.random.default_rng(0).permutation(y)
    control = cross_val_score(clf, task, shuffled, cv=cv)
    assert control.mean() <= 0.65, control


def test_grid_search_and_clone(task):
    x = task.get_data() * 1e6
    y = epochs_labels(task)
    est = EEGPTEmbedder(
        SMALL, ch_names=task.ch_names, sfreq=250.0, units="uV", preprocessing=ONE_SECOND
    )
    pipe = make_pipeline(est, LogisticRegression(max_iter=500))
    grid = GridSearchCV(
        pipe,
        {"eegptembedder__pooling": ["mean", "mean_tokens"], "logisticregression__C": [1.0]},
        cv=2,
    ).fit(x, y)
    assert grid.best_params_["eegptembedder__pooling"] in ("mean", "mean_tokens")
    twin = clone(est)
    assert twin.get_params()["ch_names"] == task.ch_names and not hasattr(twin, "model_")
    assert twin.set_params(pooling="mean").pooling == "mean"
    fitted = est.fit(x)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).transform(x[:4]), fitted.transform(x[:4])
    )


def test_inputs_and_poolings(task):
    x = task.get_data()
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    z = est.fit(x).embed(x[:6])
    n, s, d = est.embedding_shape_
    assert z.shape == (6, n, s, d) == (6, 4, 4, 32)
    from_epochs = embedder().fit(task).transform(task[:6])
    flat = est.transform(x[:6])
    np.testing.assert_allclose(flat, from_epochs, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(est.transform(x[:6].reshape(6, -1)), flat)  # 2-D input
    assert flat.dtype == np.float32 and flat.shape == (6, n * s * d)
    widths = {"flatten": n * s * d, "mean": d, "mean_patches": s * d, "mean_tokens": n * d}
    for name, width in widths.items():
        assert pool_embeddings(z, name).shape == (6, width)
        est.set_params(pooling=name).fit(x)
        assert len(est.get_feature_names_out()) == est.n_features_out_ == width
    assert set(widths) == set(POOLINGS)
    # means are summed in float64 and returned in the embeddings' dtype
    exact = z.mean(axis=(1, 2), dtype=np.float64).astype(z.dtype)
    np.testing.assert_array_equal(pool_embeddings(z, "mean"), exact)
    np.testing.assert_allclose(pool_embeddings(z, "mean"), z.mean(axis=(1, 2)), rtol=1e-6)
    for name, axis in (("mean_patches", 1), ("mean_tokens", 2)):
        mean = z.mean(axis=axis, dtype=np.float64).astype(z.dtype).reshape(len(z), -1)
        np.testing.assert_array_equal(pool_embeddings(z, name), mean)
    est.set_params(pooling=lambda e: e[:, -1, 0]).fit(x)
    np.testing.assert_allclose(est.transform(x[:6]), z[:, -1, 0], rtol=1e-6)
    df = est.set_params(pooling="mean").set_output(transform="pandas").fit(x).transform(x[:2])
    assert list(df.columns[:2]) == ["eegpt_d0", "eegpt_d1"]


def test_set_params_on_a_fitted_embedder_takes_effect_at_the_next_fit(task):
    """scikit-learn's rule: parameters set after fit take effect at the next fit. pooling and
    preprocessing shape the output (its width, the window's patches), so transform kept the
    fitted n_features_out_ and feature names only until they changed: set after fit, transform
    returned another width than n_features_out_ and get_feature_names_out claimed."""
    est = embedder(pooling="flatten").fit(task[:4])
    n, s, d = est.embedding_shape_
    fitted = est.transform(task[:4])
    assert fitted.shape[1] == est.n_features_out_ == n * s * d
    est.set_params(
        pooling="mean", preprocessing=PreprocessingConfig(window_seconds=2.0, tail="pad")
    )
    out = est.transform(task[:4])
    assert out.shape[1] == est.n_features_out_ == len(est.get_feature_names_out()) == n * s * d
    np.testing.assert_array_equal(out, fitted)
    est.fit(task[:4])  # the next fit: the new pooling and window
    assert est.pooling_ == "mean" and est.preprocessing_.window_seconds == 2.0
    assert est.transform(task[:4]).shape == (4, est.n_features_out_) == (4, d)
    assert list(est.get_feature_names_out()[:2]) == ["eegpt_d0", "eegpt_d1"]


def test_an_embedder_pickled_by_an_earlier_eegpt_keeps_its_fit_s_pooling(task):
    """One fitted and pickled before pooling_ was kept (de29677c) took set_params(pooling=...)
    after loading at once: transform returned another width than its n_features_out_ (512
    against 32), which the pipeline's next step refused. Loaded, it keeps the pooling of its
    fit (pooling_) and the preprocessing (preprocessing_) until the next fit, as one fitted
    now does."""
    est = embedder(pooling="mean").fit(task[:4])
    fitted = est.transform(task[:4])
    state = est.__getstate__()
    del state["pooling_"]  # as an earlier eegpt pickled it
    old = pickle.loads(pickle.dumps(est))
    old.__dict__.clear()
    old.__setstate__(state)
    old.set_params(
        pooling="flatten", preprocessing=PreprocessingConfig(window_seconds=2.0, tail="pad")
    )
    out = old.transform(task[:4])
    assert out.shape[1] == old.n_features_out_ == len(old.get_feature_names_out())
    np.testing.assert_array_equal(out, fitted)
    assert old.pooling_ == "mean" and old.preprocessing_ == ONE_SECOND
    n, s, d = old.embedding_shape_
    assert old.fit(task[:4]).transform(task[:4]).shape == (4, old.n_features_out_)
    assert old.pooling_ == "flatten" and old.n_features_out_ != d


def test_weights_loaded_lazily(task, tmp_path):
    save_checkpoint(SMALL, tmp_path / "w")
    est = EEGPTEmbedder(weights=str(tmp_path / "w"), preprocessing=ONE_SECOND)
    assert not hasattr(est, "model_")
    out = est.fit_transform(task[:3])
    np.testing.assert_allclose(out, embedder().fit_transform(task[:3]), rtol=1e-6)
    if torch.cuda.is_available():  # the engine moved model_ to the GPU: pickles hold the CPU
        assert next(est.model_.parameters()).device.type == "cuda"
        back = pickle.loads(pickle.dumps(est))
        assert next(back.model_.parameters()).device.type == "cpu"
        np.testing.assert_allclose(back.transform(task[:3]), out, rtol=1e-5, atol=1e-6)


def test_errors(task):
    x = task.get_data()
    with pytest.raises(ValueError, match="needs an encoder"):
        EEGPTEmbedder(preprocessing=ONE_SECOND).fit(task)
    # a checkpoint's name where the model goes: says to pass it as weights=
    for estimator in (EEGPTEmbedder, EEGPTClassifier):
        with pytest.raises(TypeError, match=rf"{estimator.__name__}\('tiny-random'\): the first "
                           r"parameter, model, .* as weights='tiny-random'"):  # fmt: skip
            estimator("tiny-random").fit(task, ["a"] * len(task))
    with pytest.raises(ValueError, match="ch_names=.*sfreq"):
        EEGPTEmbedder(SMALL).fit(x)
    with pytest.raises(ValueError, match="unknown pooling"):
        embedder(pooling="max").fit(task)
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    est.fit(x)
    with pytest.raises(ValueError, match="expecting"):
        est.transform(x[:, :, :200])
    pd = pytest.importorskip("pandas")  # a row per sample: read as epochs of 2 samples
    df = pd.DataFrame(x[0].T, columns=task.ch_names)
    for call in (est.fit_transform, est.transform):
        with pytest.raises(RecordingError, match=r"a DataFrame .* df\[names\]\.to_numpy\(\)"):
            call(df)
    with pytest.raises(ValueError, match="Zero-pad them .* or make the window as short"):
        EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0).fit(x)  # 1 s, not 4 s


def test_the_embedder_checks_precision_device_and_cache_at_fit(task):
    """The embedder's fit runs no encoder: a precision, device or cache named wrongly passed
    fit and was refused by the first transform. fit refuses them, as the classifier's does."""
    wrong = [
        ({"precision": "fp8"}, ValueError, r"precision must be one of .*got 'fp8'"),
        ({"device": "gpu0"}, ValueError, r"unknown device 'gpu0'"),
        ({"cache": 3}, TypeError, r"cache must be a bool, a folder or an EmbeddingCache, got 3"),
    ]
    for params, error, message in wrong:
        for est in (embedder(**params), EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, **params)):
            with pytest.raises(error, match=message):
                est.fit(task[:4])
            assert not hasattr(est, "n_features_in_")
    assert embedder(precision="FP32", device="CPU").fit(task[:4]).transform(task[:2]).shape[0] == 2


def test_feature_names_out_checks_the_input_features_given(task):
    """input_features of another length than n_features_in_ (the channel names, say) were
    taken and ignored; refused as scikit-learn's transformers refuse them. One name per input
    feature is taken, and the output names do not depend on them."""
    est = embedder(pooling="mean").fit(task)
    with pytest.raises(ValueError, match=r"length equal to number of features \(4750: 19 "
                       r"channels x 250 samples, epochs flattened\), got 19"):  # fmt: skip
        est.get_feature_names_out(task.ch_names)
    given = [f"x{i}" for i in range(est.n_features_in_)]
    assert est.get_feature_names_out(given).tolist() == est.get_feature_names_out().tolist()


def test_repr_shows_the_model_in_one_line(tmp_path):
    from eegpt.checkpoints import load_model

    est = EEGPTEmbedder(load_model(save_checkpoint(SMALL, tmp_path / "w")), pooling="mean")
    text = repr(est)
    model_repr = (  # SMALL was saved as built: random weights
        "EEGPT(embed_dim=32, depth=2, num_heads=2, embed_num=4, checkpoint='w', NOT PRETRAINED)"
    )
    assert " ".join(text.split()) == f"EEGPTEmbedder(model={model_repr}, pooling='mean')"
    html = est._repr_html_()
    assert "EEGPT(embed_dim=32" in html and "ModuleList" not in html
    pipeline = make_pipeline(est, LogisticRegression())
    assert "ModuleList" not in repr(pipeline) and "ModuleList" not in pipeline._repr_html_()
    assert repr(clone(est)) == text
    assert "ModuleList" in repr(est.model.target_encoder)  # the layers are one print away


def test_epochs_with_the_same_channels_in_another_order(task):
    est = embedder(pooling="mean").fit(task[:4])
    names = task.ch_names
    shuffled = task[:4].copy().reorder_channels(names[::-1])
    np.testing.assert_allclose(est.transform(shuffled), est.transform(task[:4]), rtol=1e-6)
    with pytest.raises(
        ValueError,
        match=rf"(?i)the embedder was fitted on .*, but \['{names[0]}'\] are missing",
    ):
        est.transform(task[:4].copy().drop_channels(names[:1]))
    # ... to be added or left out of the fit, in Python terms (no command line here)
    with pytest.raises(ValueError, match="add it to the data") as err:
        est.transform(task[:4].copy().drop_channels(names[1:2]))
    assert f"fit the embedder without it (EEGPTEmbedder: rename={{'{names[1]}': None}})" in str(
        err.value
    )
    assert "command line" not in str(err.value) and "--" not in str(err.value)
    # a channel marked bad in the new data only: said so, with what to do, not "rename"
    marked = task[:4].copy()
    marked.info["bads"] = [names[2]]
    with pytest.warns(RuntimeWarning, match="marked bad"):
        with pytest.raises(ValueError, match=rf"\['{names[2]}'\] are marked bad here") as err:
            est.transform(marked)
    assert "interpolate_bads(reset_bads=True)" in str(err.value) and "rename" not in str(err.value)
    assert "take them off info['bads'] once repaired" in str(err.value)


def test_epochs_of_another_recording_match_by_electrode(task):
    """Another subject's epochs: other channel names for the same electrodes, another
    sampling rate, an extra electrode: matched by electrode, resampled, the extra left out."""
    est = embedder(pooling="mean").fit(task[:4])
    ref = est.transform(task[:4])
    renamed = task[:4].copy()
    renamed.rename_channels({n: f"EEG {n.upper()}-REF" for n in renamed.ch_names})
    np.testing.assert_allclose(est.transform(renamed), ref, rtol=1e-6)
    faster = task[:4].copy().resample(512)  # 1 s epochs of 512 samples: resampled to 256 Hz
    assert est.transform(faster).shape == ref.shape
    info = mne.create_info(["Oz"], task.info["sfreq"], "eeg")
    oz = mne.EpochsArray(np.zeros((4, 1, len(task.times))), info, tmin=task.tmin, verbose=False)
    extra = task[:4].copy().load_data().add_channels([oz], force_update_info=True)
    with pytest.warns(RuntimeWarning, match=r"\['Oz'\] are not used: the embedder was fitted"):
        np.testing.assert_allclose(est.transform(extra), ref, rtol=1e-6)


def test_a_list_of_one_epoch_epochs_warns_once(task):
    """What scikit-learn's indexing passes: one Epochs per epoch; a warning about them all is
    shown once, not once per epoch."""
    marked = task[:6].copy()
    marked.info["bads"] = [marked.ch_names[0]]
    with pytest.warns(RuntimeWarning, match="marked bad"):
        est = embedder(pooling="mean").fit(marked)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.transform([marked[i] for i in range(6)])  # said by fit already
    assert not [w for w in record if "marked bad" in str(w.message)]
    eegpt.sklearn._SHOWN.clear()
    with pytest.warns(RuntimeWarning) as record:
        est.transform([marked[i] for i in range(6)])
    bad = [w for w in record if "marked bad" in str(w.message)]
    assert len(bad) == 1, [str(w.message) for w in record]


def test_cross_validation_gives_each_warning_once(task):
    """scikit-learn resets Python's warning registry around every fit and score of every fold;
    the estimators still say each thing once per process (here: a channel left out)."""
    extra = task[:24]
    data = extra.get_data()
    names = [*extra.ch_names, "HEOG"]
    x = np.concatenate([data, data[:, :1]], axis=1) * 1e6
    y = epochs_labels(extra)
    for est in (
        EEGPTEmbedder(SMALL, ch_names=names, sfreq=250.0, units="uV", preprocessing=ONE_SECOND),
        EEGPTClassifier(SMALL, ch_names=names, sfreq=250.0, units="uV", preprocessing=ONE_SECOND,
                        config=ProbeConfig(epochs=2)),
    ):  # fmt: skip
        eegpt.sklearn._SHOWN.clear()
        model = (
            est if isinstance(est, EEGPTClassifier) else make_pipeline(est, LogisticRegression())
        )
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            cross_val_score(model, x, y, cv=3)
        heog = [w for w in record if "['HEOG']" in str(w.message)]
        assert len(heog) == 1, [str(w.message)[:80] for w in record]
        assert heog[0].filename == __file__  # the cross_val_score line, not scikit-learn's


def test_each_fold_s_amplitude_warning_once_with_the_array_advice(task):
    """Microvolts passed as volts: every call's amplitude check has its own number, and the
    warning still comes once, naming the ``units=`` to pass (fit's too)."""
    x = task.get_data() * 1e6
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(x[:10])
        est.transform(x[10:30])
        est.transform(x[30:70] * 1.1)
    amplitude = [str(w.message) for w in record if "amplitude check" in str(w.message)]
    assert len(amplitude) == 1 and "pass units='uV'" in amplitude[0], amplitude


def test_the_offset_check_is_one_warning_whichever_channels_each_fold_flags(task):
    """DC offsets on many channels: each fold's subset flags other channels, and other counts
    of them, so no two folds' texts were alike and cross_val_score gave one warning per fold
    and prediction. The offset check is one kind of warning: given once."""
    rng = np.random.default_rng(0)
    x = task.get_data()[:40]
    drifting = rng.random(x.shape[1]) < 0.6
    offsets = 20e-3 + rng.uniform(-1, 1, (len(x), x.shape[1], 1)) * 10e-3  # volts, per epoch
    x = x + offsets * drifting[:, None]
    y = epochs_labels(task)[:40]
    est = EEGPTClassifier(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1))  # fmt: skip
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        cross_val_score(est, x, y, cv=StratifiedKFold(5))
    offsets = [str(w.message) for w in record if "offset check" in str(w.message)]
    assert len(offsets) == 1, offsets
    assert offsets[0].startswith("<array>: offset check: ")
    eegpt.sklearn._SHOWN.clear()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(x, y)
        est.fit(task.get_data()[:40], y)  # no offsets: the repeat ends
        est.predict(x)  # said again
    offsets = [str(w.message) for w in record if "offset check" in str(w.message)]
    assert len(offsets) == 2, offsets


@pytest.mark.parametrize("n_channels", [19, 10])  # 250 samples: no multiple of 19, one of 10
def test_a_single_window_is_told_to_take_a_batch_axis(task, n_channels):
    """One window [C, T], the typical online call, read as flattened epochs failed with "X has
    250 features, which is not a multiple of the 19 channels" or (10 channels) "X has 10 x
    25": both now say to pass X[None]; X[None] gives one row."""
    x = task.get_data()[:20, :n_channels]
    names = task.ch_names[:n_channels]
    y = epochs_labels(task)[:20]
    est = EEGPTEmbedder(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND).fit(x)
    clf = EEGPTClassifier(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1)).fit(x, y)  # fmt: skip
    hint = re.escape(f"X of shape ({n_channels}, 250) looks like a single window") + ".*X\\[None\\]"
    with pytest.raises(ValueError, match=hint):
        est.transform(x[0])
    with pytest.raises(ValueError, match=hint):
        clf.predict(x[0])
    assert est.transform(x[0][None]).shape[0] == 1 and clf.predict(x[0][None]).shape == (1,)
    np.testing.assert_allclose(clf.predict_proba(x[0][None]), clf.predict_proba(x[:1]))
    flat = x.reshape(len(x), -1)  # flattened epochs are read as before
    assert clf.predict(flat).shape == (20,)
    # as many flattened epochs as channels: epochs, not a window
    assert est.transform(flat[:n_channels]).shape[0] == n_channels


def test_a_continuous_recording_in_2d_is_refused_not_read_as_epochs(task):
    """A [C, T] recording (or window) whose columns are a multiple of C was read as C flattened
    epochs mixing channels: 10 rows of garbage from a 20 s recording, or, for a window, advice
    to zero-pad 25-sample "epochs" (tail='pad'). Now refused, at fit as after, with how to cut
    it into windows (the reshape shown gives those windows) or pass one window as X[None]; a
    fold of as many flattened epochs of a window each as channels is read as before."""
    names = task.ch_names[:10]
    continuous = np.concatenate(list(task.get_data()[:20, :10]), axis=1)  # [10, 5000], 20 s
    est = EEGPTEmbedder(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND)
    clf = EEGPTClassifier(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1))  # fmt: skip
    cut = "X[:, :5000].reshape(10, 20, 250).transpose(1, 0, 2)"
    with pytest.raises(ValueError, match="continuous recording.*" + re.escape(cut)):
        est.fit(continuous)
    with pytest.raises(ValueError, match=re.escape(cut)):
        clf.fit(continuous, np.arange(10) % 2)
    windows = continuous.reshape(10, 20, 250).transpose(1, 0, 2)
    np.testing.assert_array_equal(windows, task.get_data()[:20, :10])
    with pytest.raises(ValueError, match=re.escape("X[None]")) as info:
        est.fit(continuous[:, :250])  # one window, unfitted: no "25 samples" advice
    assert "tail=" not in str(info.value)
    # 10 epochs of one window, flattened: as many rows as channels, read as epochs (a fold),
    # with a warning that they read as a 10 s recording too
    fold = windows[:10].reshape(10, -1)
    eegpt.sklearn._SHOWN.clear()  # (held back while calls repeat it)
    with pytest.warns(EEGPTUserWarning, match="reads two ways"):
        by_fold = EEGPTEmbedder(SMALL, ch_names=names, sfreq=250.0,
                                preprocessing=ONE_SECOND).fit(fold).transform(fold)  # fmt: skip
    np.testing.assert_array_equal(by_fold, est.fit(windows[:10]).transform(windows[:10]))
    with pytest.raises(ValueError, match=re.escape("X[:, :2000].reshape(10, 8, 250)")):
        est.transform(continuous[:, :2000])  # fitted on 250-sample epochs: not 10 of 200
    # columns of 10 epochs as fit's: flattened epochs (scikit-learn's convention), as before
    assert est.transform(windows[:10].reshape(10, -1)).shape[0] == 10


def test_a_2d_array_that_reads_as_epochs_or_a_recording_is_warned_of(task):
    """A recording [C, T] whose T is C epochs of about one window (10 s of 10 channels at
    250 Hz, 1 s windows: 10 rows of 250 samples) is also C flattened epochs, and was read as
    them without a word (a 128 s recording of 32 channels at 128 Hz gave 32 rows of mixed
    channels). Read as epochs still, with a warning naming both readings and the 3-D arrays
    that say which; 3-D input, and 2-D of other shapes, are not warned of."""
    eegpt.sklearn._SHOWN.clear()
    names = task.ch_names[:10]
    windows = task.get_data()[:10, :10]  # [10 epochs, 10 channels, 250 samples]
    recording = np.concatenate(list(windows), axis=1)  # [10, 2500]: 10 s at 250 Hz
    est = EEGPTEmbedder(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND)
    both = "reads two ways.*10 epochs of 10 channels x 250 samples.*continuous recording"
    with pytest.warns(EEGPTUserWarning, match=both) as record:
        est.fit(recording)
    text = str(next(w.message for w in record if "reads two ways" in str(w.message)))
    assert "X.reshape(10, 10, 250);" in text  # the epochs flattened, as 3-D
    cut = "X[:, :2500].reshape(10, 10, 250).transpose(1, 0, 2)"
    assert cut in text  # the recording's windows, as 3-D
    np.testing.assert_array_equal(recording[:, :2500].reshape(10, 10, 250).transpose(1, 0, 2),
                                  windows)  # fmt: skip
    np.testing.assert_array_equal(est.transform(recording.reshape(10, 10, 250)),
                                  est.transform(recording))  # fmt: skip
    eegpt.sklearn._SHOWN.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(windows).transform(windows)
        est.transform(windows[:4].reshape(4, -1))  # 2-D, not as many rows as channels
    assert not [w for w in caught if "reads two ways" in str(w.message)]
    with pytest.warns(EEGPTUserWarning, match=both):  # after fit: of fit's length
        est.transform(recording)
    eegpt.sklearn._SHOWN.clear()  # (held back while calls repeat it)
    clf = EEGPTClassifier(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1))  # fmt: skip
    with pytest.warns(EEGPTUserWarning, match=both):
        clf.fit(recording, np.arange(10) % 2)


def test_warnings_about_other_channels_are_not_taken_for_repeats(task):
    """Only measured numbers are left out when telling warnings apart: a flat channel in new
    data is reported although another channel's (a name with other digits) was in fit's."""
    eegpt.sklearn._SHOWN.clear()
    x = task.get_data()[:20]
    names = list(task.ch_names)
    first, second = x.copy(), x.copy()
    first[:, 0] = 0.0
    second[:, 1] = 0.0
    est = EEGPTEmbedder(SMALL, ch_names=names, sfreq=250.0, preprocessing=ONE_SECOND)
    with pytest.warns(RuntimeWarning, match=re.escape(f"['{names[0]}']")):
        est.fit(first)
    with pytest.warns(RuntimeWarning, match=re.escape(f"['{names[1]}']")):
        est.transform(second)
    from eegpt._logging import warning_kind as _kind

    for a, b in (
        ("/d/2/s-epo.fif: flat", "/d/3/s-epo.fif: flat"),  # other files
        ("run-1.fif: x", "run-2.fif: x"),
        ("deviation 5.2e-05 V: rescale by 1e-06", "deviation 5.2e-02 V: rescale by 1e-03"),
    ):
        assert _kind(a) != _kind(b)
    assert _kind("20 inputs: deviation 5.29 V.") == _kind("19 inputs: deviation 5.27 V.")
    # measured values that %.3g writes without a decimal point are measured values too
    assert _kind("deviation 17 V, rescale by 1e-06") == _kind("deviation 5.3 V, rescale by 1e-06")
    assert _kind("C3 (4e-07 V) far from 2e-05 V") == _kind("C3 (4.1e-07 V) far from 2.2e-05 V")


def test_large_arrays_are_embedded_in_chunks(task, monkeypatch):
    x = task.get_data()[:11]
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    whole = est.fit(x).embed(x)
    seen = []
    embed_part = EEGPTEmbedder._embed

    def spy(self, part, verbose, bar=None):
        seen.append(len(part))
        return embed_part(self, part, verbose, bar)

    monkeypatch.setattr(EEGPTEmbedder, "_embed", spy)
    monkeypatch.setattr(eegpt.sklearn, "_CHUNK", 4)
    # equal on a CPU; a GPU's matmuls may differ in the last bits with the batch composition
    np.testing.assert_allclose(est.embed(x), whole, rtol=1e-5, atol=1e-6)
    assert seen == [4, 4, 3]


def test_an_array_embedded_in_chunks_is_checked_as_a_whole(task, monkeypatch):
    """An array of more epochs than a chunk is embedded chunk by chunk: a 2-D chunk of as
    many rows as channels was warned of as a recording of the chunk's shape, and non-finite
    samples were named by their index in the chunk. Both concern the array given."""
    x = task.get_data()[:39]
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    est.set_params(pooling="mean").fit(x[:4])
    whole = est.transform(x)
    monkeypatch.setattr(eegpt.sklearn, "_CHUNK", 20)  # 39 = 20 + 19 epochs, 19 channels
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of a (19, 4750) array
        flat = est.transform(x.reshape(len(x), -1))
    np.testing.assert_allclose(flat, whole, rtol=1e-5, atol=1e-6)
    holes = x.copy()
    holes[[1, 21], 3, 7] = np.inf
    for given in (holes, holes.reshape(len(x), -1)):
        with pytest.raises(ValueError, match=r"NaN or infinite samples in 2 of 39 epochs "
                           r"\(1, 21\)"):  # fmt: skip
            est.transform(given)


def test_fit_reads_a_large_array_a_chunk_at_a_time(task, monkeypatch):
    """The embedder's fit keeps only the layout, but read all of an array at once (float64,
    then volts: four times its float32 bytes) where transform reads a chunk at a time. It
    reads and checks each chunk in turn, with the same fitted layout; a later chunk's NaN
    epoch is refused at fit, named by its index in X."""
    x = task.get_data()[:11]
    fitted = embedder(pooling="mean", ch_names=task.ch_names, sfreq=250.0).fit(x)
    read: list[int] = []
    recording = EEGPTEmbedder._recording

    def spy(self, X, *args, **kwargs):
        read.append(len(X))
        return recording(self, X, *args, **kwargs)

    monkeypatch.setattr(EEGPTEmbedder, "_recording", spy)
    monkeypatch.setattr(eegpt.sklearn, "_CHUNK", 4)
    est = embedder(pooling="mean", ch_names=task.ch_names, sfreq=250.0).fit(x)
    assert sorted(read) == [3, 4, 4]
    for name in ("ch_names_in_", "n_channels_in_", "n_times_in_", "n_features_in_"):
        assert getattr(est, name) == getattr(fitted, name), name
    assert est.mapping_.names == fitted.mapping_.names
    np.testing.assert_array_equal(est.transform(x), fitted.transform(x))
    holes = x.copy()
    holes[9, 2, 5] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite samples in 1 of 11 epochs \(9\)"):
        embedder(ch_names=task.ch_names, sfreq=250.0).fit(holes.reshape(len(x), -1))


def test_a_pickled_fitted_embedder_stores_the_weights_once(task):
    est = embedder(pooling="mean").fit(task[:4])
    size_model = len(pickle.dumps(SMALL))
    blob = pickle.dumps(est)
    assert len(blob) < 1.3 * size_model
    back = pickle.loads(blob)
    assert back.model_ is not back.model
    np.testing.assert_array_equal(back.transform(task[:4]), est.transform(task[:4]))
    changed = copy.deepcopy(SMALL)  # changed after fit: the pickle keeps the fitted copy
    own = EEGPTEmbedder(changed, preprocessing=ONE_SECOND, pooling="mean").fit(task[:4])
    with torch.no_grad():
        for p in changed.parameters():
            p.mul_(1.5)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(own)).transform(task[:4]), est.transform(task[:4])
    )
    other = embedder(pooling="mean").fit(task[:4])
    other.set_params(model=TINY)  # model_ is no longer a copy of model: both are stored
    assert len(pickle.dumps(other)) > len(pickle.dumps(TINY)) + 0.9 * size_model


def test_one_channel_needs_average_referencing_off():
    """Average referencing, the default, has nothing to subtract from one channel: both
    estimators refuse it, saying how to turn it off; off, the channel is embedded."""
    x = np.random.default_rng(0).normal(0, 20, (6, 1, 256))
    array = {"ch_names": ["Cz"], "sfreq": 256.0, "units": "uV"}
    one_second = PreprocessingConfig(window_seconds=1.0)
    advice = r"needs at least 2; got 1\..*PreprocessingConfig\(average_reference=False\)"
    with pytest.raises(RecordingError, match=advice):
        EEGPTEmbedder(TINY, preprocessing=one_second, **array).fit(x)
    clf = EEGPTClassifier(TINY, preprocessing=one_second, config=ProbeConfig(epochs=1), **array)
    with pytest.raises(RecordingError, match=advice):
        clf.fit(x, [0, 1] * 3)
    off = one_second.updated(average_reference=False)
    est = EEGPTEmbedder(TINY, preprocessing=off, pooling="mean", **array)
    assert est.fit(x).transform(x).shape[0] == 6


def test_a_fitted_embedder_keeps_the_default_reference_it_was_fitted_with(trials):
    """preprocessing=None stands for the default, average referencing; a fitted embedder
    keeps the default of its fit (preprocessing_), so one fitted and pickled by an earlier
    eegpt, which kept none, keeps that eegpt's: no average reference."""
    few = trials[:3]
    est = EEGPTEmbedder(TINY, pooling="mean").fit(few)
    assert est.preprocessing_ == PreprocessingConfig() and est.preprocessing_.average_reference
    referenced = est.transform(few)
    as_recorded = PreprocessingConfig(average_reference=False)
    kept = EEGPTEmbedder(TINY, pooling="mean", preprocessing=as_recorded).fit(few).transform(few)
    assert not np.allclose(referenced, kept, atol=1e-3)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(few), referenced)
    state = est.__getstate__()
    del state["preprocessing_"]  # as an earlier eegpt pickled it
    old = pickle.loads(pickle.dumps(est))
    old.__dict__.clear()
    old.__setstate__(state)
    np.testing.assert_allclose(old.transform(few), kept, rtol=1e-6, atol=1e-7)
    # a PreprocessingConfig given as the parameter is pickled with its fields, and kept
    blob = pickle.dumps(EEGPTEmbedder(TINY, preprocessing=as_recorded).fit(few))
    assert pickle.loads(blob).preprocessing.average_reference is False


def test_verbose_error_silences_the_embedders_warnings(task):
    marked = task[:6].copy()
    marked.info["bads"] = [marked.ch_names[0]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        embedder(pooling="mean", verbose="error").fit(marked).transform(marked)
    with pytest.warns(RuntimeWarning, match="marked bad"):
        embedder(pooling="mean").fit(marked)


# ------------------------------------------------------------------------------ the classifier
# The probe needs the 4 s windows it was designed for to learn the synthetic task from this
# little data (as in test_probe.py); the paper's 100 epochs at 4e-4 need more data than this.
FAST = ProbeConfig(epochs=50, max_lr=5e-3)
BRIEF = FAST.replace(epochs=3)  # where what is learned is not checked: the same steps, fewer
torch.manual_seed(0)
WIDER = EEGPT(EEGPTConfig(embed_dim=64, depth=2, num_heads=4)).eval()


@pytest.fixture(scope="module")
def trials():
    return synthetic_erp_epochs(180, seed=0)


def classifier(config: ProbeConfig = BRIEF, **kwargs) -> EEGPTClassifier:
    return EEGPTClassifier(WIDER, config=config, **kwargs)


def test_classifier_cross_validates_like_any_classifier(trials):
    """cross_validate learns the synthetic task (accuracy, and ROC AUC through
    decision_function, from the same fits); shuffled labels stay near chance."""
    y = epochs_labels(trials)
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    # the synthetic recording as it is, as in test_pipeline_cross_validation_on_epochs: the
    # random-weight model learns the average-referenced ERP less well, not what this tests
    as_recorded = PreprocessingConfig(average_reference=False)
    scores = cross_validate(
        classifier(FAST, preprocessing=as_recorded),
        trials,
        y,
        cv=cv,
        scoring=("accuracy", "roc_auc"),
    )
    assert scores["test_accuracy"].mean() >= 0.8, scores
    assert scores["test_roc_auc"].mean() >= 0.85, scores
    shuffled = np.random.default_rng(0).permutation(y)
    control = cross_val_score(classifier(FAST, preprocessing=as_recorded), trials, shuffled, cv=cv)
    assert control.mean() <= 0.65, control


def test_a_list_of_recordings_is_refused_with_labels_per_recording(task):
    """scikit-learn counts a list's items as samples: cross-validation of a list of recordings
    ([ep1, ep2, ...]) splits and labels recordings, so fit got a y of one label per recording
    for all their epochs, and failed in other words (y's shape; the next step's inconsistent
    samples). Both estimators refuse it with how to concatenate them, which then
    cross-validates by recording."""
    recordings = [task[:20], task[20:44], task[44:60], task[60:80]]
    per_recording = [0, 1, 0, 1]
    pipe = make_pipeline(embedder(pooling="mean"), LogisticRegression())
    for est in (pipe, classifier(preprocessing=ONE_SECOND)):
        with pytest.raises(
            ValueError,
            match=r"y has 2 labels, one per item of the list X \(2 "
            r"recordings holding (36|44) epochs\).*epochs, groups = "
            r"eegpt.probe.concatenate_epochs\(X\)",
        ):
            cross_val_score(est, recordings, per_recording, cv=2, error_score="raise")
    # the advice: one Epochs, a label per epoch, the recordings as groups
    epochs, groups = concatenate_epochs(recordings)
    np.testing.assert_array_equal(groups, np.repeat(np.arange(4), [len(e) for e in recordings]))
    y = np.repeat(per_recording, [len(e) for e in recordings])
    scores = cross_val_score(pipe, epochs, y, groups=groups, cv=GroupKFold(2), error_score="raise")
    assert len(scores) == 2 and np.isfinite(scores).all()


def test_classifier_is_train_probe_with_the_sklearn_api(trials, tmp_path):
    state = {k: v.clone() for k, v in WIDER.state_dict().items()}
    train, test = trials[:120], trials[120:]
    y = epochs_labels(train)
    clf = classifier().fit(train, y)
    proba = clf.predict_proba(test)
    # fit and predict left the model as given: same values, same device (CPU), not shared
    assert all(torch.equal(v, state[k]) for k, v in WIDER.state_dict().items())
    assert clf.probe_.model.target_encoder is not WIDER.target_encoder
    direct = train_probe(copy.deepcopy(WIDER), train, y, config=BRIEF)  # moves it to the GPU
    np.testing.assert_allclose(proba, direct.predict_proba(test), rtol=1e-5, atol=1e-6)
    assert clf.classes_.tolist() == ["standard", "target"] == clf.probe_.classes_.tolist()
    assert clf.predict(test).tolist() == direct.predict(test).tolist()
    score = clf.decision_function(test)  # binary: one log-odds column, as scikit-learn's
    assert score.shape == (len(test),)
    np.testing.assert_allclose(1 / (1 + np.exp(-score)), proba[:, 1], rtol=1e-4, atol=1e-6)
    truth = epochs_labels(test)
    assert clf.score(test, truth) == pytest.approx(np.mean(clf.predict(test) == truth))
    assert clf.score(test, truth) == pytest.approx(direct.evaluate(test)["accuracy"])
    assert clf.score(test) == clf.score(test, truth)  # event names by default
    renamed = test.copy()
    renamed.event_id = {"std": 1, "tgt": 2}
    with pytest.raises(ValueError, match="not among the classes"):
        clf.score(renamed)
    tagged = np.array([f"Comment/{v}" for v in truth])  # BrainVision markers: told, scored 0
    with pytest.warns(RuntimeWarning, match="count as errors.*only by MNE's '/'-separated tags"):
        assert clf.score(test, tagged) == 0.0
    for numbers in (
        (truth == "target").astype(int),
        (truth == "target").astype(int).astype(object),
    ):
        with pytest.raises(ValueError, match=r"\[0, 1\] are not among the classes .*: text "
                           r"against numbers; pass y in the classes' type"):  # fmt: skip
            clf.score(test, numbers)  # not a warning, then sklearn's error
    mixed = np.array([v if v == "target" else 1 for v in truth], dtype=object)
    with pytest.raises(ValueError, match=r"\[1\] are not among the classes .*: text against"):
        clf.score(test, mixed)
    path = tmp_path / "test-epo.fif"  # epochs files too, as train_probe takes them
    test.save(path, verbose=False)
    np.testing.assert_allclose(clf.predict_proba(str(path)), proba, rtol=1e-5, atol=1e-6)
    both = clf.predict_proba([path, str(path)])  # ... and lists of them
    np.testing.assert_allclose(both, np.concatenate([proba, proba]), rtol=1e-5, atol=1e-6)
    assert clf.score([path, path]) == clf.score(test, truth)
    # event names are the default labels, as for train_probe
    np.testing.assert_allclose(classifier().fit(train).predict_proba(test), proba, rtol=1e-5)


def test_epochs_one_sample_over_the_window_say_how_to_crop_them_in_a_pipeline():
    """A MOABB evaluation passes the paradigm's epochs to the pipeline as they are cut, one
    sample over whole seconds (MNE's tmax is inclusive: 4 s at 250 Hz are 1001 samples), where
    no X is at hand to slice: the refusal says how to crop them in a first step, and that
    pipeline runs, pickles (the step the advice gave, a lambda, did not) and clones."""
    from sklearn.preprocessing import FunctionTransformer

    x = np.random.default_rng(0).normal(0, 10, (4, 3, 1001))  # microvolts, as MOABB's X
    kwargs = {"ch_names": ["C3", "Cz", "C4"], "sfreq": 250.0, "units": "uV"}
    with pytest.raises(RecordingError) as err:
        EEGPTEmbedder(SMALL, **kwargs).fit(x)
    said = str(err.value)
    step = "FunctionTransformer(eegpt.sklearn.first_samples, kw_args={'n_times': 1000})"
    assert "In a scikit-learn pipeline, which gets X as it is made (in a MOABB evaluation" in said
    assert f"crop them in a first step: make_pipeline({step}, EEGPTEmbedder(...), ...)" in said
    pipeline = make_pipeline(eval(step, {"FunctionTransformer": FunctionTransformer,
                                         "eegpt": eegpt}),
                             EEGPTEmbedder(SMALL, pooling="mean", **kwargs))  # fmt: skip
    expected = EEGPTEmbedder(SMALL, pooling="mean", **kwargs).fit_transform(x[..., :1000])
    np.testing.assert_allclose(pipeline.fit_transform(x), expected)
    back = pickle.loads(pickle.dumps(pipeline))
    np.testing.assert_allclose(back.transform(x), expected, rtol=1e-6)
    np.testing.assert_allclose(clone(pipeline).fit_transform(x), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="has 1001 samples per epoch, fewer than the n_times=1002"):
        eegpt.sklearn.first_samples(x, 1002)


def test_score_against_labels_none_of_which_is_a_class_says_so(task):
    """MOABB's epochs name their events by code ('1', '2') and its y names the classes: a
    classifier fitted without y learns the codes, and scored against y, no label is a class:
    accuracy 0, said with the mix-up named, not returned as a result."""
    moabb_like = task.copy()
    moabb_like.event_id = {str(code): code for code in moabb_like.event_id.values()}
    y = epochs_labels(task)  # the class names, as paradigm.get_data's y
    clf = classifier(BRIEF.replace(epochs=1), preprocessing=ONE_SECOND).fit(moabb_like)
    assert clf.classes_.tolist() == ["1", "2"]
    with pytest.warns(RuntimeWarning, match=r"none of y's labels is, so the score is 0.*these "
                      r"epochs' event names, which a fit without y takes.*clf\.fit\(epochs, y\)"):  # fmt: skip
        assert clf.score(moabb_like, y) == 0.0
    with pytest.warns(RuntimeWarning, match=r"so the score is 0 whatever the predictions: "
                      r"the classifier was fitted on other labels"):  # fmt: skip
        assert clf.score(task, y) == 0.0  # epochs whose names are not the classes


def test_classifier_arrays_grid_search_clone_and_pickle(trials):
    x = trials.get_data() * 1e6
    y = (epochs_labels(trials) == "target").astype(int)
    est = EEGPTClassifier(WIDER, ch_names=trials.ch_names, sfreq=250.0, units="uV", config=BRIEF)
    grid = GridSearchCV(  # one field of the config, as scikit-learn's nested parameters
        est, {"config__max_lr": [1e-3]}, cv=2, scoring="balanced_accuracy"
    ).fit(x.reshape(len(x), -1), y)  # 2-D: epochs flattened, as generic tools pass them
    assert grid.best_estimator_.config == BRIEF.replace(max_lr=1e-3)  # the nested field set
    assert grid.best_estimator_.classes_.tolist() == [0, 1]
    assert grid.best_estimator_.n_features_in_ == x.shape[1] * x.shape[2]
    fitted = grid.best_estimator_
    # probabilities, not classes: 3 passes (BRIEF) predict one class for all, whatever the
    # 2-D epochs are unflattened to
    flat = fitted.predict_proba(x[:6].reshape(6, -1))
    np.testing.assert_allclose(flat, fitted.predict_proba(x[:6]), rtol=1e-6)
    assert np.ptp(flat[:, 1]) > 0  # the epochs' probabilities differ: their order is told
    n_ch, n_t = x.shape[1:]
    with pytest.raises(ValueError, match=rf"expecting .* \({n_ch} channels x {n_t} samples "
                       rf"per epoch; X has {n_ch} x 900\)"):  # fmt: skip
        fitted.predict(x[:6, :, :900])
    with pytest.raises(ValueError, match=rf"\({n_ch} channels x {n_t} samples per epoch; X has "
                       rf"{n_ch - 1} x {n_t}\)"):  # fmt: skip
        fitted.predict(x[:6, 1:])  # a channel short: both counts as they are
    holes = x[:6].copy()
    holes[[1, 4], 0, 10] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite samples in 2 of 6 epochs \(1, 4\)"):
        fitted.predict(holes)
    twin = clone(est)
    assert twin.get_params()["config"] == BRIEF and not hasattr(twin, "probe_")
    back = pickle.loads(pickle.dumps(fitted))  # fitted has predicted: on the GPU if there is one
    assert back.probe_.model.target_encoder is not back.model.target_encoder
    for name, p in back.probe_.model.named_parameters():
        assert p.device.type == "cpu", name  # a pickle loads on machines without a GPU
    np.testing.assert_allclose(back.predict_proba(x[:6]), fitted.predict_proba(x[:6]), rtol=1e-6)
    back.probe_._warned = set()  # as pickled by an earlier eegpt, which kept a set
    del back._fitted_on_array  # ... and did not say it was fitted on arrays: n_features_in_ does
    np.testing.assert_allclose(back.predict_proba(x[:6]), fitted.predict_proba(x[:6]), rtol=1e-6)
    with pytest.raises(ValueError, match=r"X has .* x 900"):
        back.predict(x[:6, :, :900])
    size_model = len(pickle.dumps(WIDER))
    assert len(pickle.dumps(fitted)) < 1.3 * size_model  # the encoder is stored once
    # a model changed after fit: the pickle keeps the copy the classifier was fitted with
    changed = copy.deepcopy(WIDER)
    own = EEGPTClassifier(changed, config=FAST.replace(epochs=2)).fit(trials[:40])
    before = own.predict_proba(trials[:8])
    with torch.no_grad():
        for p in changed.parameters():
            p.mul_(1.5)
    after = pickle.loads(pickle.dumps(own)).predict_proba(trials[:8])
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-6)
    from_weights = pickle.loads(pickle.dumps(grid.best_estimator_.set_params(model=None)))
    assert from_weights.probe_.model.target_encoder is not None  # no model to restore it from


def test_estimators_pickled_by_an_earlier_eegpt_transform_and_predict(task):
    """A fitted embedder or classifier pickled by an earlier eegpt lacks the attributes added
    since (the embedder's ``progress`` parameter; the classifier's probe's ``rename``,
    ``keep`` and held-back warnings): transform and predict_proba failed with AttributeError.
    Unpickled, they take the defaults (what that eegpt did) and give the same numbers."""
    x = task.get_data() * 1e6
    y = (epochs_labels(task) == "target").astype(int)
    array = {"ch_names": task.ch_names, "sfreq": task.info["sfreq"], "units": "uV"}
    est = embedder(pooling="mean", **array).fit(x[:4])
    old = pickle.loads(pickle.dumps(est))
    for name in ("progress", "rename_", "_engines"):  # added to the embedder since 1d28cc1
        del old.__dict__[name]
    back = pickle.loads(pickle.dumps(old))
    np.testing.assert_array_equal(back.transform(x[:4]), est.transform(x[:4]))
    assert back.get_params()["progress"] is False
    clf = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1), **array)
    clf.fit(x[:40], y[:40])
    old = pickle.loads(pickle.dumps(clf))
    for name in ("rename_", "n_channels_in_", "n_times_in_", "_fitted_on_array"):
        del old.__dict__[name]
    for name in ("rename", "keep", "_warned", "input_labels"):  # added to EEGPTProbe since
        del old.probe_.__dict__[name]
    back = pickle.loads(pickle.dumps(old))
    expected = clf.predict_proba(x[40:46])
    np.testing.assert_allclose(back.predict_proba(x[40:46]), expected, rtol=1e-6)
    n_ch, n_t = x.shape[1:]  # the layout of fit, from the probe's training record
    with pytest.raises(ValueError, match=rf"\({n_ch} channels x {n_t} samples per epoch"):
        back.predict(x[40:46, 1:])


def test_a_missing_channel_is_named_as_the_training_data_labelled_it(task, tmp_path):
    """A classifier fitted on epochs labelled 'EEG C3-REF' ...: a session lacking C3 is told to
    train without it as fit's data label it (rename={'EEG C3-REF': None}, which fit takes), not
    by the vocabulary's 'C3' (which fit refuses); the labels are saved with the probe, and a
    probe saved or pickled before they were kept still loads and predicts."""
    epochs = task[:40].copy()
    epochs.rename_channels({n: f"EEG {n.upper()}-REF" for n in epochs.ch_names})
    y = epochs_labels(epochs)
    settings = {"preprocessing": ONE_SECOND, "config": ProbeConfig(epochs=1)}
    clf = EEGPTClassifier(SMALL, **settings).fit(epochs, y)
    lacking = epochs.copy().drop_channels(["EEG C3-REF"])
    with pytest.raises(ValueError, match=re.escape("['EEG C3-REF'] are missing here")) as err:
        clf.predict(lacking)
    text = str(err.value)
    assert "train the probe without it (rename={'EEG C3-REF': None}" in text, text
    assert "'C3'" not in text, text
    with pytest.raises(ValueError, match=re.escape("rename={'EEG C3-REF': None}")):
        clf.probe_.online(lacking.ch_names, sfreq=lacking.info["sfreq"])  # a stream: likewise
    with pytest.raises(ValueError, match="C3"):  # what the vocabulary's name would have got
        EEGPTClassifier(SMALL, rename={"C3": None}, **settings).fit(epochs, y)
    without = EEGPTClassifier(SMALL, rename={"EEG C3-REF": None}, **settings).fit(epochs, y)
    assert without.predict(lacking).shape == (len(lacking),)

    folder = clf.probe_.save(tmp_path / "probe")  # saved and loaded with the labels
    loaded = load_probe(folder, SMALL)
    assert loaded.input_labels == clf.probe_.input_labels
    assert loaded.input_labels[loaded.input_names.index("C3")] == "EEG C3-REF"
    meta = json.loads((folder / "probe.json").read_text())
    del meta["channels"]["input_labels"]  # as saved before they were kept
    (folder / "probe.json").write_text(json.dumps(meta))
    older = load_probe(folder, SMALL)
    assert older.input_labels is None and older.predict(epochs).shape == (len(epochs),)
    with pytest.raises(ValueError, match=re.escape("['C3'] are missing here")):
        older.predict(lacking)  # (named by the vocabulary, as then)


def test_config_fields_are_nested_parameters(trials):
    """``config__max_lr`` / ``preprocessing__window_seconds``, as scikit-learn users write them
    first: get_params lists the fields, set_params replaces the frozen config by a checked copy."""
    est = classifier()
    assert est.get_params()["config__max_lr"] == FAST.max_lr
    assert "config__max_lr" not in est.get_params(deep=False)
    assert est.set_params(config__max_lr=1e-3, config__epochs=7).config == FAST.replace(
        max_lr=1e-3, epochs=7
    )
    assert FAST.max_lr == 5e-3  # the config given is not changed
    bare = EEGPTClassifier(WIDER).set_params(config__epochs=3, preprocessing__overlap=0.5)
    assert bare.config == ProbeConfig(epochs=3)  # from the defaults when None
    assert bare.preprocessing == PreprocessingConfig(overlap=0.5)
    emb = embedder().set_params(preprocessing__detrend="linear", pooling="mean")
    assert emb.preprocessing == ONE_SECOND.updated(detrend="linear") and emb.pooling == "mean"
    assert clone(emb).get_params()["preprocessing__detrend"] == "linear"
    with pytest.raises(ValueError, match="ProbeConfig has no field 'max_rate'"):
        classifier().set_params(config__max_rate=1e-3)
    with pytest.raises(ValueError, match="Invalid parameter 'config'"):
        embedder().set_params(config__max_lr=1e-3)  # the embedder has no probe config
    with pytest.raises(ValueError, match="detrend"):  # checked as any config
        embedder().set_params(preprocessing__detrend="cubic")


def test_classifier_takes_class_labels_only(trials):
    """Regression targets and mixed label types are refused, as by scikit-learn's classifiers
    (they trained one class per distinct value); a column vector is taken, with its warning."""
    from sklearn.exceptions import DataConversionWarning

    part = trials[:40]
    y = epochs_labels(part)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="Unknown label type"):
        classifier().fit(part, rng.random(len(part)))
    reaction_times = np.full(len(part), 0.5)
    reaction_times[7] = 0.62
    with pytest.raises(ValueError, match=r"y: numbers with fractional parts \(2 distinct values "
                       r"in 40 labels, e\.g\. 0\.5\).*A probe classifies.*Ridge\(\)"):  # fmt: skip
        train_probe(WIDER, part, reaction_times, config=FAST)
    mixed = np.array([1 if v == "target" else "std" for v in y], dtype=object)
    with pytest.raises(ValueError, match="labels mix types: str and int"):
        train_probe(WIDER, part, mixed, config=FAST)
    with pytest.warns(DataConversionWarning):
        clf = EEGPTClassifier(WIDER, config=FAST.replace(epochs=2)).fit(part, y[:, None])
    assert clf.classes_.tolist() == ["standard", "target"]
    codes = EEGPTClassifier(WIDER, config=FAST.replace(epochs=2)).fit(part, (y == "target") * 1.0)
    assert codes.classes_.tolist() == [0.0, 1.0]  # whole numbers as floats are class codes


def test_the_event_codes_hint_only_where_the_event_codes_are_the_classes(trials):
    """Event names scored against a classifier of numbers: "pass y=epochs.events[:, 2]" only
    when those codes are its classes (not for classes 0, 1 of events 1, 2)."""
    part = trials[:20]
    assert sorted(set(part.events[:, 2].tolist())) == [1, 2]
    config = FAST.replace(epochs=1)
    zero_one = EEGPTClassifier(WIDER, config=config).fit(part, part.events[:, 2] - 1)
    for y in (None, epochs_labels(part)):
        with pytest.raises(ValueError, match=r"not among the classes \[0, 1\]") as err:
            zero_one.score(part, y)
        assert "event codes" not in str(err.value) and "events[:, 2]" not in str(err.value)
    by_code = EEGPTClassifier(WIDER, config=config).fit(part, part.events[:, 2])
    for y in (None, epochs_labels(part)):
        with pytest.raises(ValueError, match=r"event codes: pass y=epochs.events\[:, 2\]"):
            by_code.score(part, y)


def test_classifier_errors(trials):
    with pytest.raises(ValueError, match="needs an encoder"):
        EEGPTClassifier().fit(trials)
    with pytest.raises(TypeError, match="config must be a ProbeConfig"):
        classifier().set_params(config={"epochs": 3}).fit(trials)
    with pytest.raises(ValueError, match="channel names and sampling rate"):
        classifier().fit(trials.get_data(), epochs_labels(trials))
    with pytest.raises(NotFittedError):
        classifier().predict(trials)


def test_embeddings_given_for_epochs_name_the_scikit_learn_recipe(trials):
    """The estimators embed EEG epochs: precomputed embeddings are refused with the recipe."""
    from eegpt.outputs import Embeddings

    emb = Embeddings(np.zeros((6, 1, 2, 16), np.float32), np.arange(6.0))
    y = ["a", "b"] * 3
    with pytest.raises(TypeError, match=r"EEGPTClassifier takes EEG epochs .* got Embeddings "
                       r".*LogisticRegression\(max_iter=1000\)\.fit\(emb\.pooled\(\), y\)"):  # fmt: skip
        classifier().fit(emb, y)
    with pytest.raises(TypeError, match=r"EEGPTEmbedder takes EEG epochs .* got a 4-D array"):
        EEGPTEmbedder(TINY, ch_names=["Cz"], sfreq=256.0).fit(emb.data)


def test_the_embedder_says_how_to_cut_epochs_from_a_continuous_recording(trials, tmp_path):
    """A transformer of epochs (one row each): a recording is to be cut first, by the
    one-liner with the window length, not told that probes need labels."""
    raw = mne.io.RawArray(trials.get_data()[0], trials.info, verbose=False)
    embedder = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND)
    with pytest.raises(ValueError, match=r"EEGPTEmbedder transforms epochs \(one row per "
                       r"epoch\); cut them.*epochs = mne.make_fixed_length_epochs\(raw, "
                       r"duration=1, preload=True\)") as err:  # fmt: skip
        embedder.fit_transform(raw)
    assert "label" not in str(err.value)
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    with pytest.raises(ValueError, match=r"night_raw.fif: EEGPTEmbedder transforms epochs.*"
                       r"raw = mne.io.read_raw\(path\); epochs = mne.make_fixed_length"):  # fmt: skip
        embedder.fit_transform(str(path))


@pytest.mark.parametrize(
    "check",
    [
        "check_parameters_default_constructible",
        "check_no_attributes_set_in_init",
        "check_get_params_invariance",
        "check_set_params",
        "check_estimator_cloneable",
        "check_estimator_repr",
        "check_estimator_sparse_tag",
    ],
)
def test_classifier_passes_scikit_learns_api_checks(check):
    """scikit-learn's checks of the estimator API (those that do not train on random numbers,
    which a probe of EEG windows cannot learn to the checks' accuracy)."""
    from sklearn.utils import estimator_checks

    est = EEGPTClassifier(WIDER, ch_names=["Cz"], sfreq=256.0, units="uV", config=FAST)
    getattr(estimator_checks, check)("EEGPTClassifier", est)


def test_integer_arrays_need_their_unit(task):
    """Integer samples in volts (the default unit) are no EEG: refused with the unit to give,
    as eegpt.embed refuses them; with their unit they are used."""
    from eegpt.errors import RecordingError

    x = np.round(task.get_data()[:4] * 1e6).astype(np.int16)  # microvolts
    names, sfreq = list(task.ch_names), task.info["sfreq"]
    with pytest.raises(RecordingError, match=r"integers \(int16\) taken as volts .*units='uV'"):
        embedder(ch_names=names, sfreq=sfreq).fit(x)
    est = embedder(ch_names=names, sfreq=sfreq, units="uV").fit(x)
    want = embedder(ch_names=names, sfreq=sfreq, units="uV").fit(x).transform(x.astype(float))
    np.testing.assert_allclose(est.transform(x), want, rtol=1e-6)


def test_units_take_any_letter_case_as_embed_does(task):
    """units="uv" / "UV" are microvolts, as eegpt.embed takes them (eegpt.io.units_name);
    "MV" (megavolts) is refused, naming the spellings taken."""
    x = task.get_data()[:4] * 1e6  # microvolts
    names, sfreq = list(task.ch_names), task.info["sfreq"]
    want = embedder(ch_names=names, sfreq=sfreq, units="uV").fit(x).transform(x)
    for units in ("uv", "UV"):
        got = embedder(ch_names=names, sfreq=sfreq, units=units).fit(x).transform(x)
        np.testing.assert_array_equal(got, want)
    integers = np.round(x).astype(np.int16)  # integer microvolts: not taken as volts
    embedder(ch_names=names, sfreq=sfreq, units="uv").fit(integers)
    with pytest.raises(ValueError, match=r"units must be one of .* \(any letter case"):
        embedder(ch_names=names, sfreq=sfreq, units="MV").fit(x)
    est = EEGPTClassifier(
        SMALL, ch_names=names, sfreq=sfreq, units="UV", config=FAST, preprocessing=ONE_SECOND
    )
    est.fit(x, ["a", "b", "a", "b"])


def test_error_classes_are_exported_and_caught_as_documented():
    import eegpt.errors as errors
    import eegpt.probe

    for name in errors.__all__:
        assert hasattr(errors, name)
    assert {"NoChannelMappedError", "OutputInUseError", "EncoderMismatchError"} <= set(
        errors.__all__
    )
    assert eegpt.probe.EncoderMismatchError is errors.EncoderMismatchError
    for cls in (errors.EncoderMismatchError, errors.OutputInUseError, errors.NoChannelMappedError):
        assert issubclass(cls, errors.EEGPTError) and issubclass(cls, errors.USER_ERRORS)


def test_embedder_progress_bar_counts_epochs(task, capsys, monkeypatch):
    """``progress=True``: one bar over the epochs of a call (arrays embedded in chunks too),
    the same numbers as without it."""
    import eegpt.sklearn as sk

    monkeypatch.setattr(sk, "_CHUNK", 40)
    quiet = embedder().fit(task)
    loud = embedder(progress=True).fit(task)
    capsys.readouterr()
    np.testing.assert_array_equal(loud.transform(task), quiet.transform(task))
    err = capsys.readouterr().err
    assert "embedding" in err and f"{len(task)}/{len(task)}" in err and "epoch" in err
    x = task.get_data()
    ch = embedder(progress=True, ch_names=task.ch_names, sfreq=task.info["sfreq"]).fit(x)
    capsys.readouterr()
    np.testing.assert_array_equal(ch.transform(x), quiet.transform(task))
    err = capsys.readouterr().err
    assert f"{len(x)}/{len(x)}" in err and "/40 " not in err  # one bar, not one per chunk


def test_array_parameters_given_with_epochs_are_refused_as_embed_refuses_them(task, tmp_path):
    """units='uV' (or ch_names, sfreq) does nothing for mne.Epochs, Raw or a path, which carry
    their own: the estimators refuse them at fit, transform and predict with the
    RecordingError of eegpt.embed and train_probe (not a warning, after which the fit went
    on with the unit ignored); nothing is said of the defaults."""
    x = task.get_data()[:8]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few epochs, a random encoder at chance
        fitted = [
            EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND,
                          pooling="mean").fit(x),
            EEGPTClassifier(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND,
                            config=ProbeConfig(epochs=1)).fit(x, epochs_labels(task[:8])),
        ]  # fmt: skip
    with pytest.raises(RecordingError, match="apply to array input only") as embed_said:
        eegpt.embed(SMALL, task[:8], ch_names=task.ch_names, sfreq=250.0)
    assert "MNE objects and files carry their own" in str(embed_said.value)
    for est in (
        EEGPTEmbedder(SMALL, units="uV", preprocessing=ONE_SECOND, pooling="mean"),
        EEGPTClassifier(SMALL, units="uV", preprocessing=ONE_SECOND,
                        config=ProbeConfig(epochs=1)),
    ):  # fmt: skip
        name = type(est).__name__
        with pytest.raises(RecordingError, match=rf"<Epochs> \(given to {name}\): units='uV' "
                           r"applies to array input only; MNE returns data in volts"):  # fmt: skip
            est.fit(task[:8], epochs_labels(task[:8]))
        est.set_params(units="V", sfreq=250.0)
        with pytest.raises(RecordingError, match=rf"\(given to {name}\): sfreq applies to "
                           r"array input only; MNE objects and files carry their own"):  # fmt: skip
            est.fit([task[:4], task[4:8]], epochs_labels(task[:8]))
        est.set_params(sfreq=None, ch_names=task.ch_names)
        path = tmp_path / "task-epo.fif"
        task[:8].save(path, overwrite=True, verbose="error")
        with pytest.raises(RecordingError, match=rf"{path} \(given to {name}\): ch_names"):
            est.fit(path, epochs_labels(task[:8]))
    for est in fitted:  # fitted on arrays with ch_names and sfreq: refused for Epochs after
        with pytest.raises(RecordingError, match=r"ch_names and sfreq apply to array input"):
            est.transform(task[:8]) if isinstance(est, EEGPTEmbedder) else est.predict(task[:8])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message="(?!.*array input only)")
        embedder(pooling="mean").fit(task[:8])  # defaults: nothing to say


def test_a_warning_held_back_comes_again_after_a_call_without_it(task):
    """Microvolts passed as volts are warned about again after a call on correct volts: the
    repeats are held back only while calls repeat them, not for the rest of the process."""
    x, y = task.get_data()[:24], epochs_labels(task[:24])

    def amplitude_warnings(call) -> list[str]:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            call()
        return [str(w.message) for w in record if "amplitude check" in str(w.message)]

    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)
    assert amplitude_warnings(lambda: est.fit(x * 1e6))  # default units='V': said
    clf = EEGPTClassifier(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1))  # fmt: skip
    assert not amplitude_warnings(lambda: clf.fit(x, y))  # volts: nothing to say
    assert amplitude_warnings(lambda: clf.predict_proba(x * 1e6))  # said again


def test_cross_validation_on_microvolts_as_volts_warns_once(task):
    """Five folds of fits and scores on the same mis-scaled data: one amplitude warning."""
    x, y = task.get_data()[:40] * 1e6, epochs_labels(task[:40])
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND,
                        pooling="mean")  # fmt: skip
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        cross_val_score(make_pipeline(est, LogisticRegression()), x, y, cv=5)
    amplitude = [w for w in record if "amplitude check" in str(w.message)]
    assert len(amplitude) == 1, [str(w.message)[:80] for w in record]


def test_a_warning_only_fit_gives_is_held_back_across_folds():
    """A warning given by every fit but by no prediction (the class balance) is not forgotten
    by the predictions between the fits."""
    from eegpt._logging import each_warning_once

    seen: dict[str, set[str]] = {}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            with each_warning_once(seen, "fit"):
                warnings.warn("classes are unbalanced: 0.25 of one", RuntimeWarning, stacklevel=1)
            with each_warning_once(seen, "predict"):
                pass
        with each_warning_once(seen, "fit"):
            pass  # a fit without it ...
        with each_warning_once(seen, "fit"):
            warnings.warn(
                "classes are unbalanced: 0.3 of one", RuntimeWarning, stacklevel=1
            )  # ... said again
    assert [str(w.message) for w in record] == [
        "classes are unbalanced: 0.25 of one",
        "classes are unbalanced: 0.3 of one",
    ]


def test_a_warning_of_a_call_that_raised_is_given_again_by_the_next():
    """A warning shown by a call that then failed is held back from other failed calls only:
    the call that completes (the error fixed) gives it again (once), and a failed call
    forgets nothing."""
    from eegpt._logging import each_warning_once

    seen: dict[str, set[str]] = {}
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(2):  # the same failure twice: said once
            with pytest.raises(ValueError), each_warning_once(seen, "fit"):
                warnings.warn("typical deviation is 6.83 V", RuntimeWarning, stacklevel=1)
                warnings.warn("typical deviation is 6.80 V", RuntimeWarning, stacklevel=1)
                raise ValueError("epochs have 1001 samples")
        for _ in range(2):  # the fixed call, then one more: said once
            with each_warning_once(seen, "fit"):
                warnings.warn("typical deviation is 6.77 V", RuntimeWarning, stacklevel=1)
        with pytest.raises(ValueError), each_warning_once(seen, "fit"):
            raise ValueError("another error")  # forgets nothing
        with each_warning_once(seen, "fit"):
            warnings.warn("typical deviation is 6.70 V", RuntimeWarning, stacklevel=1)
    assert [str(w.message) for w in record] == [
        "typical deviation is 6.83 V",
        "typical deviation is 6.77 V",
    ]


def test_microvolts_as_volts_are_warned_of_again_after_a_fit_that_failed(task):
    """The user's case: a fit of microvolts given as volts, of epochs one sample too long,
    warns of the units and raises for the length; fit_transform of the epochs cut to length
    warns of the units again."""
    x = task.get_data()[:8, :, :250] * 1e6  # 250 samples at 250 Hz: 1 s
    est = EEGPTEmbedder(SMALL, ch_names=task.ch_names, sfreq=250.0, preprocessing=ONE_SECOND)

    def amplitude(call) -> int:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            call()
        return sum("amplitude check" in str(w.message) for w in record)

    def too_long() -> None:
        with pytest.raises(RecordingError, match="samples"):
            clone(est).fit(np.concatenate([x, x[..., -1:]], axis=-1))

    assert amplitude(too_long) == 1
    assert amplitude(lambda: clone(est).fit_transform(x)) == 1


def _bci_2a_motor(n: int = 12) -> mne.Epochs:
    """Epochs of BCI Competition IV 2a's GDF labels, five of its 22 channels picked."""
    names = ["EEG-C3", "EEG-Cz", "EEG-C4", "EEG-5", "EEG-8"]
    info = mne.create_info(names, 250.0, "eeg")
    x = np.random.default_rng(0).normal(0, 2e-5, (n, len(names), 250))
    events = np.c_[np.arange(n) * 300, np.zeros(n, int), np.arange(n) % 2 + 1]
    return mne.EpochsArray(x, info, events=events, event_id={"left": 1, "right": 2}, verbose=False)


def test_a_rename_table_file_serves_epochs_of_some_of_its_channels(tmp_path):
    """rename= a table file (or its dict, or a built-in table's name) on epochs of a subset of
    its labels: the labels present are renamed, the others ignored; refitting an embedder
    fitted on all 22 channels onto the subset works too."""
    from eegpt.channels import cap_rename, read_rename_table

    table = Path(__file__).parents[1] / "examples" / "bcic2a_channels.tsv"
    motor = _bci_2a_motor()
    for rename in (str(table), read_rename_table(table), "bci-iv-2a"):
        est = embedder(rename=rename, pooling="mean")
        assert est.fit_transform(motor).shape == (12, 32)
        assert est.mapping_.names == ("C3", "CZ", "C4", "C5", "C6")
    full = mne.EpochsArray(
        np.random.default_rng(1).normal(0, 2e-5, (4, 22, 250)),
        mne.create_info([k for k, v in cap_rename("bci-iv-2a").items() if v], 250.0, "eeg"),
        verbose=False,
    )
    est = embedder(rename=str(table), pooling="mean").fit(full)
    assert len(est.mapping_.names) == 22
    assert est.fit(motor).transform(motor).shape == (12, 32)  # refitted on the subset
    assert SMALL.embed(motor, rename=str(table), preprocessing=ONE_SECOND).data.shape[0] == 12
    clf = EEGPTClassifier(SMALL, rename=str(table), preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1))  # fmt: skip
    assert clf.fit(motor).predict(motor).shape == (12,)


def test_a_fitted_estimator_keeps_its_rename_table_file_read_at_fit(tmp_path, monkeypatch):
    """rename='mytable.tsv' (relative to the working directory) is read once, at fit: the
    fitted estimators predict after the file is gone and after unpickling elsewhere; the
    parameter stays as given (clone works)."""
    import shutil

    table = Path(__file__).parents[1] / "examples" / "bcic2a_channels.tsv"
    shutil.copy(table, tmp_path / "mytable.tsv")
    monkeypatch.chdir(tmp_path)
    motor = _bci_2a_motor()
    est = embedder(rename="mytable.tsv", pooling="mean").fit(motor)
    clf = EEGPTClassifier(SMALL, rename="mytable.tsv", preprocessing=ONE_SECOND,
                          config=ProbeConfig(epochs=1)).fit(motor)  # fmt: skip
    assert est.rename == clf.rename == "mytable.tsv" and clone(est).rename == "mytable.tsv"
    assert est.rename_["EEG-5"] == "C5"
    expected = est.transform(motor), clf.predict(motor)
    (tmp_path / "mytable.tsv").unlink()
    other = tmp_path / "elsewhere"
    other.mkdir()
    monkeypatch.chdir(other)
    for fitted in (est, clf, pickle.loads(pickle.dumps(est)), pickle.loads(pickle.dumps(clf))):
        out = (
            fitted.transform(motor) if fitted.__class__ is EEGPTEmbedder else fitted.predict(motor)
        )
        i = 0 if fitted.__class__ is EEGPTEmbedder else 1
        np.testing.assert_array_equal(out, expected[i])
    # epochs of other labels (transform maps them by electrode) with the fitted table too
    fewer = motor.copy().pick(["EEG-C3", "EEG-Cz", "EEG-C4", "EEG-5", "EEG-8"][::-1])
    assert est.transform(fewer).shape == (12, 32)


def test_a_grid_over_detrend_may_say_none_as_none(task):
    """GridSearchCV(pipe, {'emb__preprocessing__detrend': [None, 'linear']})."""
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("emb", embedder(pooling="mean")), ("clf", LogisticRegression())])
    grid = GridSearchCV(pipe, {"emb__preprocessing__detrend": [None, "linear"]}, cv=2)
    grid.fit(task[:16], epochs_labels(task[:16]))
    assert grid.cv_results_["param_emb__preprocessing__detrend"].tolist() == [None, "linear"]
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


def test_both_estimators_fitted_on_epochs_give_their_layout(task):
    """n_features_in_ (and n_channels_in_, n_times_in_) of Epochs: the columns their flattened
    data would have, alike in the embedder and the classifier."""
    epochs = task[:12]
    n_channels, n_times = epochs.get_data().shape[1:]
    est = embedder(pooling="mean").fit(epochs)
    clf = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1))
    clf.fit(epochs)
    for fitted in (est, clf):
        assert (fitted.n_channels_in_, fitted.n_times_in_) == (n_channels, n_times)
        assert fitted.n_features_in_ == n_channels * n_times
    # arrays of other channels than the epochs' are still matched by name, not refused
    x = epochs.get_data()[:, 1:]
    clf.set_params(ch_names=epochs.ch_names[1:], sfreq=250.0)
    with pytest.raises(ValueError, match="the probe was trained on"):
        clf.predict(x)


def test_array_input_without_its_names_does_not_push_microvolts(task):
    """The advice names the default unit (volts) before microvolts."""
    clf = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1))
    clf.fit(task[:12])
    with pytest.raises(ValueError, match=r"units='V' \(the default\) or 'uV'") as err:
        clf.predict(task[:12].get_data())
    assert "units='uV')" not in str(err.value)


def test_one_all_flat_epoch_warns_in_transform_and_predict(task, trials):
    """An epoch whose channels are all flat (a disconnected amplifier) warns in transform and
    predict, as a loop embedding epoch by epoch goes on; training on such epochs is refused."""

    def zeros(epochs: mne.BaseEpochs, n: int) -> mne.EpochsArray:
        x = np.zeros((n, *epochs.get_data().shape[1:]))
        return mne.EpochsArray(x, epochs.info, epochs.events[:n], event_id=epochs.event_id,
                               on_missing="ignore", verbose=False)  # fmt: skip

    est = embedder().fit(task[:5])
    with pytest.warns(RuntimeWarning, match="flat"):
        assert est.transform(zeros(task, 1)).shape[0] == 1
    clf = EEGPTClassifier(WIDER, config=ProbeConfig(epochs=1)).fit(trials[:12])
    eegpt.sklearn._SHOWN.clear()  # (the same warning, held back while calls repeat it)
    with pytest.warns(RuntimeWarning, match="flat"):
        assert len(clf.predict(zeros(trials, 1))) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RecordingError, match="nothing usable is left"):
            EEGPTClassifier(WIDER, config=ProbeConfig(epochs=1)).fit(zeros(trials, 12))


@pytest.mark.filterwarnings("ignore:training epochs per class")
def test_crop_tmin_crops_epochs_given_to_the_estimators(task):
    """PreprocessingConfig(crop_tmin=...) crops mne.Epochs (and lists of them) by their times
    in the estimators' fit too (its length check kept the epochs' tmin), as model.embed
    does."""
    ep = task[:6].copy()  # -0.2 s to 0.8 s at 250 Hz
    cfg = PreprocessingConfig(window_seconds=1.0, crop_tmin=0.0, tail="pad")
    expected = SMALL.embed(ep, preprocessing=cfg).data
    est = EEGPTEmbedder(SMALL, preprocessing=cfg, pooling="flatten")
    out = est.fit_transform(ep)
    np.testing.assert_allclose(out, expected.reshape(len(ep), -1), rtol=1e-5, atol=1e-5)
    assert est.fit([ep[:3], ep[3:]]).transform([ep[:3], ep[3:]]).shape == out.shape
    clf = EEGPTClassifier(SMALL, preprocessing=cfg, config=ProbeConfig(epochs=1))
    assert clf.fit(ep, epochs_labels(ep)).predict(ep).shape == (len(ep),)


def test_a_validation_by_group_of_a_fold_of_one_subject_says_what_to_do(trials):
    """EEGPTClassifier(validation=0.5) with groups routed to fit, in a cross-validation fold
    whose training part holds one subject: the error says that validation by group needs 2
    groups in the training data, which group they all are, and the ways on."""
    import sklearn
    from sklearn.model_selection import GroupKFold, cross_validate

    epochs = trials[:48]
    y, subjects = epochs_labels(epochs), np.repeat([1, 2], 24)
    with sklearn.config_context(enable_metadata_routing=True):
        clf = classifier(validation=0.5).set_fit_request(groups=True)
        with pytest.raises(ValueError) as err:
            cross_validate(clf, epochs, y, cv=GroupKFold(2), params={"groups": subjects},
                           error_score="raise")  # fmt: skip
    text = str(err.value)
    assert text.startswith(
        "validation by group needs at least 2 groups in the training data; all 24 training "
        "epochs are of group "
    ), text
    assert "(e.g. a cross-validation fold that holds one subject for training)" in text
    assert "(validation=None)" in text and "set_fit_request(groups=False)" in text
    assert "more subjects per fold" in text


def test_a_validation_fraction_of_several_subjects_without_groups_warns(trials):
    """EEGPTClassifier(validation=...) in cross_validate(..., groups=subjects) split the
    validation epochs at random: scikit-learn passes groups to fit only with metadata
    routing, and nothing said so. Epochs whose metadata names several subjects now warn
    without groups; one subject, or groups routed to fit (docs/downstream.md's recipe), do not."""
    import pandas as pd
    import sklearn
    from sklearn.model_selection import StratifiedGroupKFold, cross_validate

    epochs = trials[:96].copy()
    subjects = np.repeat(["s1", "s2", "s3", "s4"], 24)
    epochs.metadata = pd.DataFrame({"Subject": subjects})
    y = epochs_labels(epochs)
    with pytest.warns(RuntimeWarning, match="'Subject' names 4 subjects.*set_fit_request"):
        classifier(validation=0.25).fit(epochs, y)
    one = trials[:96].copy()
    one.metadata = pd.DataFrame({"subject": ["s1"] * 96})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        classifier(validation=0.25).fit(one, y)  # one subject: a within-subject split
        classifier(validation=0.25).fit(epochs, y, groups=subjects)
    assert not [w for w in caught if "subjects" in str(w.message)]
    with sklearn.config_context(enable_metadata_routing=True), warnings.catch_warnings():
        warnings.filterwarnings("error", "validation=.* subjects")  # groups reached fit
        clf = classifier(validation=0.25).set_fit_request(groups=True)
        cv = StratifiedGroupKFold(2)
        result = cross_validate(
            clf, epochs, y, cv=cv, params={"groups": subjects}, return_estimator=True
        )
    held = [e.probe_.training["validation"]["groups"]["held_out"] for e in result["estimator"]]
    assert all(len(h) == 1 for h in held)  # one of the 2 training subjects held out whole


def test_a_fitted_embedder_says_nothing_of_channels_it_does_not_use(task):
    """Epochs of a wider cap after fit: channels outside fit's are not warned about as
    untrained embeddings (PO5) or as outside the vocabulary (CB1), only named once as not
    used."""
    est = embedder(pooling="mean").fit(task[:4])
    ref = est.transform(task[:4])
    info = mne.create_info(["PO5", "CB1"], task.info["sfreq"], "eeg")
    more = mne.EpochsArray(np.zeros((4, 2, len(task.times))), info, tmin=task.tmin, verbose=False)
    wide = task[:4].copy().load_data().add_channels([more], force_update_info=True)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        np.testing.assert_allclose(est.transform(wide), ref, rtol=1e-6)
    texts = [str(w.message) for w in record]
    assert len(texts) == 1 and "['PO5'] are not used: the embedder was fitted" in texts[0], texts


def _count_engines(monkeypatch) -> list[dict]:
    """The keyword arguments of each InferenceEngine the embedder builds."""
    built: list[dict] = []
    real = eegpt.sklearn.InferenceEngine

    def counting(*args, **kwargs):
        built.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(eegpt.sklearn, "InferenceEngine", counting)
    return built


def test_transform_reuses_its_engine_until_a_setting_changes(task, monkeypatch):
    built = _count_engines(monkeypatch)
    est = embedder(pooling="mean").fit(task[:4])
    first = est.transform(task[:4])
    np.testing.assert_array_equal(est.transform(task[:4]), first)
    assert len(built) == 1  # the second transform ran the first one's engine
    est.set_params(batch_size=3)  # after fit, without fitting again: honoured
    np.testing.assert_allclose(est.transform(task[:4]), first, rtol=1e-5, atol=1e-6)
    assert [b["batch_size"] for b in built] == [None, 3]
    est.set_params(precision="float32", device="cpu")  # another device setting: another engine
    est.transform(task[:1])
    assert len(built) == 3 and built[-1]["device"] == "cpu"
    est.fit(task[:4])  # a new fit, a new engine
    est.transform(task[:1])
    assert len(built) == 4


def test_the_engine_is_neither_pickled_nor_copied(task, monkeypatch):
    built = _count_engines(monkeypatch)
    est = embedder(pooling="mean").fit(task[:4])
    expected = est.transform(task[:4])
    blob = pickle.dumps(est)
    assert b"InferenceEngine" not in blob
    for twin in (pickle.loads(blob), copy.deepcopy(est)):
        assert twin._engines.engine is None
        np.testing.assert_array_equal(twin.transform(task[:4]), expected)
    assert len(built) == 3  # one each
    assert not hasattr(clone(est), "_engines")


def test_a_fitted_clone_is_unchanged_by_later_changes_to_its_model(task):
    """A clone's model is what users reach (GridSearchCV's best_estimator_.model) and may
    train or cast after fitting: the fitted clone runs a copy of its own, so its features do
    not drift (sharing clone()'s copy changed transform by up to 5.8 and crashed after a cast
    to bfloat16)."""
    twin = clone(embedder(pooling="mean")).fit(task[:4])
    before = twin.transform(task[:4])
    assert twin.model_ is not twin.model
    with torch.no_grad():
        for p in twin.model.parameters():
            p.add_(1.0)  # stands in for training the model afterwards
    np.testing.assert_array_equal(twin.transform(task[:4]), before)
    twin.model.to(torch.bfloat16)
    np.testing.assert_array_equal(twin.transform(task[:4]), before)


def test_a_cache_given_is_shared_by_the_clones_of_cross_validation(task):
    """clone() deep-copies parameters: each fold's estimator got a copy of
    cache=EmbeddingCache(), embedded every epoch again and left the cache given empty. The
    clones share it, so the folds after the first find their epochs in it."""
    cache = EmbeddingCache()
    est = embedder(pooling="mean", cache=cache)
    assert clone(est).cache is cache and copy.deepcopy(cache) is cache
    pipe = make_pipeline(est, LogisticRegression())
    epochs = task[:16]
    cross_val_score(pipe, epochs, epochs_labels(epochs), cv=4)
    # every fold embeds all 16 epochs (fit: 12, then its 4 held out): 4 * 16 look-ups, of
    # which only the first fold's 16 miss
    assert (cache.misses, cache.hits) == (16, 48)
    assert len(pickle.loads(pickle.dumps(cache))._memory) == 16  # a pickle is still a copy
    classifier = EEGPTClassifier(SMALL, preprocessing=ONE_SECOND, cache=cache, config=BRIEF)
    with warnings.catch_warnings():  # 4 epochs per class, a random encoder: not what is tested
        warnings.simplefilter("ignore")
        cross_val_score(classifier, epochs, epochs_labels(epochs), cv=2)
    assert cache.misses == 16


def test_an_evoked_is_refused_as_embed_refuses_it_with_how_to_embed_it(task):
    """An mne.Evoked is an average, neither a recording nor epochs: the estimators refuse it
    as model.embed does (a TypeError saying so and how to embed it), not with "array input
    needs the channel names" and then scikit-learn's float() of an EvokedArray; the recipe
    it gives, an mne.EpochsArray of it, works and leaves its bad channels out (the recipe
    before, evoked.data[None] with its channel names, embedded them: the array has no bads)."""
    evoked = task.average()
    with pytest.raises(TypeError, match=r"mne\.Evoked.*an average of 120 epochs") as err:
        embedder().fit_transform(evoked)
    recipe = "mne.EpochsArray(evoked.data[None], evoked.info, tmin=evoked.tmin)"
    assert f"EEGPTEmbedder(...).fit_transform({recipe})" in str(err.value)
    with pytest.raises(TypeError, match=r"mne\.Evoked.*an average of 120 epochs") as err:
        SMALL.embed(evoked)
    assert f"model.embed({recipe})" in str(err.value)
    evoked.info["bads"] = [evoked.ch_names[0]]
    one = mne.EpochsArray(evoked.data[None], evoked.info, tmin=evoked.tmin, verbose=False)
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['Fp1'\]"):
        assert embedder().fit_transform(one).shape[0] == 1
    with pytest.warns(RuntimeWarning, match=r"marked bad were left out: \['Fp1'\]"):
        emb = SMALL.embed(one, device="cpu", preprocessing=ONE_SECOND)
    assert evoked.ch_names[0] not in emb.metadata["channels"]["input_names"]
    assert emb.metadata["left_out"] == {evoked.ch_names[0]: "bad"}


def _quick_classifier(task, **kwargs) -> EEGPTClassifier:
    """A classifier of ``task``'s arrays (1 s epochs at 250 Hz), trained for one epoch."""
    return EEGPTClassifier(
        TINY, ch_names=task.ch_names, sfreq=task.info["sfreq"], preprocessing=ONE_SECOND,
        config=ProbeConfig(epochs=1), **kwargs,
    )  # fmt: skip


def test_the_classifier_predicts_a_large_array_a_chunk_at_a_time(task, monkeypatch):
    """The classifier's predictions read all of an array at once (about eight times its
    float32 bytes: float64, volts, windows), where the embedder's transform reads a chunk at a
    time; they read it as the embedder does, with the same numbers, NaN epochs named by their
    index in X and no warning of a 2-D chunk of as many rows as channels."""
    x = task.get_data()[:39]
    y = epochs_labels(task)[:39]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one training epoch of a random encoder
        clf = _quick_classifier(task).fit(x, y)
    whole = clf.predict_proba(x)
    read: list[int] = []
    decide = type(clf.probe_).decision_function

    def spy(self, data, **kwargs):
        read.append(len(data))
        return decide(self, data, **kwargs)

    monkeypatch.setattr(type(clf.probe_), "decision_function", spy)
    monkeypatch.setattr(eegpt.sklearn, "_CHUNK", 20)  # 39 = 20 + 19 epochs, 19 channels
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning of a (19, 4750) array
        flat = clf.predict_proba(x.reshape(len(x), -1))
    assert read == [20, 19]
    np.testing.assert_allclose(flat, whole, rtol=1e-5, atol=1e-6)
    assert clf.predict(x).tolist() == clf.classes_[whole.argmax(axis=1)].tolist()
    holes = x.copy()
    holes[[1, 21], 3, 7] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite samples in 2 of 39 epochs \(1, 21\)"):
        clf.decision_function(holes)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.bfloat16])
def test_estimators_take_torch_tensors_as_their_values(task, dtype):
    """A torch tensor is read as the NumPy array of its values (bfloat16 as float32), as
    model.embed and train_probe read one: the same outputs as that array, in fit and in
    every prediction, of both estimators."""
    part = task[::10]  # 12 epochs of both classes
    tensor = torch.from_numpy(part.get_data()).to(dtype)
    array = tensor.float().numpy() if dtype == torch.bfloat16 else tensor.numpy()
    kwargs = {"ch_names": part.ch_names, "sfreq": part.info["sfreq"]}
    want = embedder(**kwargs).fit(array).transform(array)
    np.testing.assert_array_equal(embedder(**kwargs).fit(tensor).transform(tensor), want)
    y = epochs_labels(part)
    fitted = _quick_classifier(part).fit(array, y)
    by_tensor = _quick_classifier(part).fit(tensor, y)
    np.testing.assert_array_equal(by_tensor.predict_proba(tensor), fitted.predict_proba(array))
    np.testing.assert_array_equal(
        by_tensor.decision_function(tensor), fitted.decision_function(array)
    )
    assert by_tensor.predict(tensor).tolist() == fitted.predict(array).tolist()
    assert by_tensor.score(tensor, y) == fitted.score(array, y)


def test_classifier_scores_a_column_of_labels_as_it_fits_one(task):
    """score takes y of shape (n, 1), as fit does (and scikit-learn's classifiers): the same
    accuracy as of y (n,), with the DataConversionWarning of fit."""
    from sklearn.exceptions import DataConversionWarning

    part = task[::10]
    x, y = part.get_data(), part.events[:, 2]
    with pytest.warns(DataConversionWarning):
        clf = _quick_classifier(part).fit(x, y[:, None])
    with pytest.warns(DataConversionWarning):
        assert clf.score(x, y[:, None]) == clf.score(x, y)
    with pytest.raises(ValueError, match=r"y should be a 1d array, got an array of shape"):
        clf.score(x, np.c_[y, y])


def test_the_classifier_refuses_what_the_embedder_refuses(task, tmp_path):
    """A continuous recording (mne.io.Raw, the path of a file of one) is refused by the
    classifier, at fit and in every prediction, as by the embedder (one check, one message:
    cut epochs first), not cut into windows that no y lines up with; so is a list or tuple of
    them (or of Raw and Epochs), with the same advice; so is a DataFrame."""
    part = task[:10]
    raw = mne.io.RawArray(np.concatenate(list(part.get_data()), axis=1), part.info, verbose=False)
    path = tmp_path / "night_raw.fif"
    raw.save(path, verbose=False)
    clf = EEGPTClassifier(TINY, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1))
    fitted = clone(clf).fit(part, epochs_labels(part))
    cut = r"; cut them from the recording first, e.g. {}epochs = mne.make_fixed_length_epochs\(raw, duration=1, preload=True\)"  # noqa: E501
    for X, found, read in (
        (raw, r"got a continuous mne.io.Raw, but ", ""),
        (str(path), r".*night_raw.fif: ", r"raw = mne.io.read_raw\(path\); "),
    ):
        with pytest.raises(ValueError, match=found + r"EEGPTEmbedder transforms epochs \(one "
                           r"row per epoch\)" + cut.format(read)):  # fmt: skip
            EEGPTEmbedder(TINY, preprocessing=ONE_SECOND).fit(X)
        said = found + r"EEGPTClassifier classifies epochs \(one row per epoch\)" + cut.format(read)
        with pytest.raises(ValueError, match=said):
            clone(clf).fit(X, ["a", "b"] * 5)
        for call in (fitted.predict, fitted.predict_proba, fitted.decision_function):
            with pytest.raises(ValueError, match=said + r".*clf.probe_.predict_proba\("):
                call(X)
    for X in ([raw, raw], (raw,), [part, raw]):  # a list or tuple, of Raw or Raw and Epochs
        said = (
            rf"got a {type(X).__name__} of {len(X)} recordings?, "
            rf"{sum(isinstance(d, mne.io.BaseRaw) for d in X)} continuous \(<Raw>\), but "
            r"EEGPTClassifier classifies epochs \(one row per epoch\)"
            + cut.format("")
            + r" \(consecutive 1 s windows\); the consecutive windows of a recording are predicted by the fitted probe: "
            r"clf.probe_.predict_proba\(raw\); for several recordings: "
        )
        with pytest.raises(ValueError, match=said):
            clone(clf).fit(X, ["a", "b"] * 5)
        for call in (fitted.predict, fitted.predict_proba, fitted.decision_function):
            with pytest.raises(ValueError, match=said):
                call(X)
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(part.get_data()[0].T, columns=part.ch_names)
    with pytest.raises(RecordingError, match=r"a DataFrame .* df\[names\]\.to_numpy\(\)"):
        _quick_classifier(part).fit(df, ["a", "b"] * 125)


def test_epochs_files_under_any_name_and_npz_are_taken_as_model_embed_takes_them(task, tmp_path):
    """An epochs FIF not named *-epo.fif and an .npz of epochs arrays, both read as epochs by
    model.embed, are epochs to both estimators too (they were refused as continuous
    recordings, with advice to open them with mne.io.read_raw), giving the rows of the same
    epochs passed as mne.Epochs; a continuous FIF is still refused."""
    part = task[:10]
    plain = tmp_path / "plain.fif"
    part.save(plain, verbose=False)
    npz = tmp_path / "x.npz"
    np.savez(npz, X=part.get_data(), ch_names=np.array(part.ch_names), sfreq=part.info["sfreq"])
    want = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND).fit_transform(part)
    y = epochs_labels(part)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # MNE: the name is not -epo.fif
        for X in (str(plain), npz):
            got = EEGPTEmbedder(TINY, preprocessing=ONE_SECOND).fit_transform(X)
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
            clf = EEGPTClassifier(TINY, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1))
            clf.fit(X, y)
            assert clf.predict(X).shape == (10,)
    raw = mne.io.RawArray(np.concatenate(list(part.get_data()), axis=1), part.info, verbose=False)
    night = tmp_path / "night.fif"
    raw.save(night, verbose=False)
    with pytest.raises(ValueError, match=r"night.fif: EEGPTEmbedder transforms epochs"):
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND).fit(night)


def test_a_tensor_that_requires_grad_is_refused_as_model_embed_refuses_it(task):
    """Both estimators refuse a tensor that requires grad with model.embed's explained
    TypeError (torch's own said only "Can't call numpy() on Tensor that requires grad")."""
    x = torch.from_numpy(task.get_data()[:10].astype(np.float32)).requires_grad_(True)
    kw = {"ch_names": task.ch_names, "sfreq": task.info["sfreq"]}
    with pytest.raises(TypeError, match=r"^EEGPTEmbedder runs without autograd.*x\.detach\(\)"):
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, **kw).fit_transform(x)
    clf = EEGPTClassifier(TINY, preprocessing=ONE_SECOND, config=ProbeConfig(epochs=1), **kw)
    with pytest.raises(TypeError, match=r"^EEGPTClassifier runs without autograd"):
        clf.fit(x, np.arange(10) % 2)


def test_a_masked_array_with_masked_samples_is_refused_as_model_embed_refuses_it(task):
    """scikit-learn's check_array dropped a masked array's mask without a word (the values
    under it embedded); one with masked samples is refused, as model.embed refuses it."""
    x = np.ma.masked_array(task.get_data()[:4], mask=False)
    x[0, 1, :10] = np.ma.masked
    kw = {"ch_names": task.ch_names, "sfreq": task.info["sfreq"]}
    with pytest.raises(RecordingError, match=r"masked array with 10 of \d+ samples masked"):
        EEGPTEmbedder(TINY, preprocessing=ONE_SECOND, **kw).fit_transform(x)


def test_classifier_says_what_scikit_learn_says_of_missing_or_single_class_labels(task):
    """y None for an array (no events to name the epochs) and labels of one class are
    refused in scikit-learn's words, which its estimator checks look for."""
    x = task.get_data()[:4]
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        _quick_classifier(task).fit(x)
    with pytest.raises(ValueError, match=r"at least 2 classes, got 1 class \('a'\) in 4 labels"):
        _quick_classifier(task).fit(x, ["a"] * 4)


def test_a_probe_trained_on_renamed_derivations_warns_on_referential_channels(task):
    from eegpt.channels import montage_spelling, normalize_channel_name

    """A probe trained on bipolar derivations renamed to electrodes (CHB-MIT's 'FP1-F7' as
    Fp1: Fp1 minus F7) predicted on a referential recording (TUH's 'EEG FP1-REF') in silence,
    its weights applied to another signal under the same name; it is warned of, naming each
    channel's training and present label, and so is the reverse. The trained montage again,
    or a referential probe on referential data, gets no such warning."""
    epochs = task[:40].copy()
    names = epochs.ch_names
    derivations = {
        n: f"{n.upper()}-{names[(i + 1) % len(names)].upper()}" for i, n in enumerate(names)
    }
    bipolar = epochs.copy().rename_channels(derivations)
    back = {label: n for n, label in derivations.items()}
    y = epochs_labels(epochs)
    settings = {"preprocessing": ONE_SECOND, "config": ProbeConfig(epochs=1)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the renamed derivations' own note
        clf = EEGPTClassifier(SMALL, rename=back, **settings).fit(bipolar, y)
    first = names[0]
    said = f"{derivations[first]!r} ({montage_spelling(normalize_channel_name(first))} minus"
    with pytest.warns(RuntimeWarning, match="give another signal than the one the model was") as w:
        clf.predict(epochs)
    text = next(str(x.message) for x in w if "another signal" in str(x.message))
    assert f"trained on {said}" in text and f"here {first!r} (referential)" in text, text
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        clf.predict(bipolar)
        plain = EEGPTClassifier(SMALL, **settings).fit(epochs, y)
        plain.predict(epochs)
    assert not any("another signal" in str(x.message) for x in record)
    with pytest.warns(RuntimeWarning, match="give another signal") as w:
        plain.probe_.predict(bipolar, rename=back)  # a referential probe, derivations renamed
    text = next(str(x.message) for x in w if "another signal" in str(x.message))
    assert f"trained on {first!r} (referential), here {said}" in text, text
